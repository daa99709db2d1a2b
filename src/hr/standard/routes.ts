// The HR data standard over HTTP: each area as JSON or CSV as at a date (API and page downloads),
// the JSON Schemas, a page listing the downloads, and the bulk import of people and employments
// (CSV body on the API; a paste-in text area on the page, which needs no JavaScript or multipart).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ForbiddenError, ValidationError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { IdempotencyKeyHeader, Problem } from '../../platform/http/schemas.ts'
import { can } from '../../platform/tenancy.ts'
import {
  MultipartError,
  multipartBoundary,
  parseMultipart,
  type UploadedFile,
} from '../expenses/multipart.ts'
import { checkDate } from '../validation.ts'
import { AREA_DEFINITIONS, areaJsonSchema, STANDARD_AREAS, type StandardArea } from './areas.ts'
import { exportArea, exportCsv } from './export.ts'
import {
  importPeopleCsv,
  PEOPLE_IMPORT_COLUMNS,
  PEOPLE_IMPORT_MAX_BYTES,
  PEOPLE_IMPORT_REQUIRED,
} from './import.ts'

export const standardPaths = {
  index: (org: string) => `/orgs/${encodeURIComponent(org)}/hr/standard`,
  download: (org: string, area: string) => `/orgs/${encodeURIComponent(org)}/hr/standard/${area}`,
  api: (org: string, area: string) => `/api/v1/orgs/${encodeURIComponent(org)}/hr/standard/${area}`,
  schemas: '/api/v1/hr/standard/schemas',
  importPage: (org: string) => `/orgs/${encodeURIComponent(org)}/hr/import`,
  importApi: (org: string) => `/api/v1/orgs/${encodeURIComponent(org)}/hr/import`,
}

/** The multipart request around the file: the file itself plus the form's few fields. */
const UPLOAD_BYTES_MAX = PEOPLE_IMPORT_MAX_BYTES + 64 * 1024
/** Browsers send a .csv file as text/csv, or (Windows with Excel) as application/vnd.ms-excel. */
const CSV_CONTENT_TYPES = ['text/csv', 'application/csv', 'application/vnd.ms-excel', 'text/plain']

/**
 * The one CSV file of an upload (field "file"), or undefined when none was chosen. Errors:
 * ValidationError naming /file (more than one file, not a CSV, too large).
 */
function uploadedCsv(body: unknown): Buffer | undefined {
  const files = ((body ?? {}) as { _files?: UploadedFile[] })._files ?? []
  if (files.length === 0) return undefined
  const refuse = (message: string) => {
    throw new ValidationError(message, [{ field: '/file', message }])
  }
  if (files.length > 1 || files[0]!.field !== 'file') refuse('Upload one file, in the field "file"')
  const file = files[0]!
  const type = file.contentType.split(';')[0]!.trim()
  if (!/\.csv$/i.test(file.fileName) || !CSV_CONTENT_TYPES.includes(type))
    refuse(`The selected file must be a CSV (${file.fileName || 'no name'} is ${type})`)
  if (file.content.length === 0) refuse('The selected file is empty')
  if (file.content.length > PEOPLE_IMPORT_MAX_BYTES)
    refuse(`The selected file must be smaller than ${PEOPLE_IMPORT_MAX_BYTES / 1024 / 1024} MB`)
  return file.content
}

const OrgParams = Type.Object({ orgCode: Type.String({ maxLength: 60 }) })
const AreaParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  area: Type.Enum([...STANDARD_AREAS]),
})
const ExportQuery = Type.Object(
  {
    asAt: Type.Optional(Type.String({ format: 'date', description: 'The date (default today), YYYY-MM-DD' })),
    format: Type.Optional(Type.Enum(['json', 'csv'], { default: 'json' })),
  },
  { additionalProperties: false },
)
const ImportResult = Type.Object({
  peopleCreated: Type.Integer(),
  employmentsCreated: Type.Integer(),
})

const today = () => new Date().toISOString().slice(0, 10)

/** Diversity needs its own permission on top of hr:read; the database policy enforces it too. */
function assertMayExport(request: FastifyRequest, area: StandardArea) {
  if (AREA_DEFINITIONS[area].diversity && !can(request.principal!, 'hr:diversity:read', request.org!.id))
    throw new ForbiddenError('You do not have permission to see diversity data')
}

async function sendExport(
  request: FastifyRequest,
  reply: FastifyReply,
  area: StandardArea,
  asAt: string,
  format: 'json' | 'csv',
) {
  assertMayExport(request, area)
  const org = request.org!
  const data = await request.withTx((trx) => exportArea(trx, area, org, asAt))
  const filename = `hr-${area}-${org.code}-${asAt}`
  if (format === 'csv')
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}.csv"`)
      .send(exportCsv(data))
  return reply.header('content-disposition', `inline; filename="${filename}.json"`).send(data)
}

export function hrStandardRoutes() {
  return async (app: App) => {
    app.get(
      '/api/v1/orgs/:orgCode/hr/standard/:area',
      {
        config: { permission: 'hr:read', kind: 'api' },
        schema: {
          tags: ['hr'],
          summary:
            'One area of the HR data reporting standard as at a date, as JSON or CSV (diversity needs hr:diversity:read)',
          params: AreaParams,
          querystring: ExportQuery,
          produces: ['application/json', 'text/csv'],
          response: { 400: Problem, 403: Problem, 422: Problem },
        },
      },
      async (request, reply) =>
        sendExport(
          request,
          reply,
          request.params.area as StandardArea,
          request.query.asAt ?? today(),
          request.query.format ?? 'json',
        ),
    )

    app.get(
      '/api/v1/hr/standard/schemas',
      {
        config: { permission: 'authenticated', kind: 'api' },
        schema: {
          tags: ['hr'],
          summary: 'The JSON Schema of each area’s JSON export, and the columns of its CSV',
        },
      },
      async () => ({
        areas: STANDARD_AREAS.map((area) => ({
          area,
          title: AREA_DEFINITIONS[area].title,
          rows: AREA_DEFINITIONS[area].rows,
          csvColumns: AREA_DEFINITIONS[area].columns.map((column) => column.name),
          jsonSchema: areaJsonSchema(area),
        })),
      }),
    )

    // The importer reads raw bytes and decodes them itself (strict UTF-8).
    if (!app.hasContentTypeParser('text/csv'))
      app.addContentTypeParser(
        'text/csv',
        { parseAs: 'buffer', bodyLimit: PEOPLE_IMPORT_MAX_BYTES },
        (_request, body, done) => done(null, body),
      )
    // --- Pages ----------------------------------------------------------------------------
    const page = { permission: 'hr:read' as const, kind: 'page' as const }
    const hrCrumbs = (org: { code: string; name: string }) => [
      { text: 'Home', href: '/' },
      { text: `HR – ${org.name}`, href: `/orgs/${encodeURIComponent(org.code)}/hr` },
    ]

    app.get(
      '/orgs/:orgCode/hr/standard',
      { config: page, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        const query = request.query as Record<string, string | undefined>
        const checked = query.asAt ? checkDate(query.asAt) : { ok: true as const, value: today() }
        const asAt = checked.ok ? checked.value : today()
        const mayDiversity = can(request.principal!, 'hr:diversity:read', org.id)
        if (!checked.ok) reply.code(400)
        return reply.page('hr/standard/views/index.njk', {
          pageTitle: `HR data standard – ${org.name}`,
          org,
          asAt: checked.ok ? asAt : query.asAt,
          action: standardPaths.index(org.code),
          errors: checked.ok
            ? undefined
            : {
                summary: [{ text: checked.message, href: '#asAt' }],
                byField: { asAt: { text: checked.message } },
              },
          areas: STANDARD_AREAS.map((area) => ({
            area,
            title: AREA_DEFINITIONS[area].title,
            rows: AREA_DEFINITIONS[area].rows,
            allowed: !AREA_DEFINITIONS[area].diversity || mayDiversity,
            csvHref: `${standardPaths.download(org.code, area)}?asAt=${asAt}&format=csv`,
            jsonHref: `${standardPaths.download(org.code, area)}?asAt=${asAt}&format=json`,
          })),
          schemasHref: standardPaths.schemas,
          importHref: can(request.principal!, 'hr:manage', org.id)
            ? standardPaths.importPage(org.code)
            : undefined,
          breadcrumbs: hrCrumbs(org),
        })
      },
    )

    app.get(
      '/orgs/:orgCode/hr/standard/:area',
      { config: page, schema: { hide: true, params: AreaParams } },
      async (request, reply) => {
        const query = request.query as Record<string, string | undefined>
        const checked = checkDate(query.asAt ?? today())
        if (!checked.ok)
          throw new ValidationError(checked.message, [{ field: '/asAt', message: checked.message }])
        return sendExport(
          request,
          reply,
          request.params.area as StandardArea,
          checked.value,
          query.format === 'json' ? 'json' : 'csv',
        )
      },
    )

    const importPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      form: {
        csv?: string
        errors?: { summary: Array<{ text: string; href: string }>; byField: Record<string, { text: string }> }
      } = {},
    ) => {
      const org = request.org!
      const query = request.query as Record<string, string | undefined>
      return reply.page('hr/standard/views/import.njk', {
        pageTitle: `Import people – ${org.name}`,
        org,
        action: standardPaths.importPage(org.code),
        columns: PEOPLE_IMPORT_COLUMNS.join(','),
        required: PEOPLE_IMPORT_REQUIRED.join(', '),
        maxMegabytes: PEOPLE_IMPORT_MAX_BYTES / 1024 / 1024,
        imported: /^\d+$/.test(query.imported ?? '') ? Number(query.imported) : undefined,
        csv: form.csv ?? '',
        errors: form.errors,
        breadcrumbs: hrCrumbs(org),
      })
    }
    const manage = { permission: 'hr:manage' as const, kind: 'page' as const }
    app.get(
      '/orgs/:orgCode/hr/import',
      { config: manage, schema: { hide: true, params: OrgParams } },
      async (request, reply) => importPage(request, reply),
    )
    // The upload: multipart/form-data in a scope of its own, so its parser (the strict one the
    // receipt uploads use: the whole body read under a byte limit, then split) applies to these two
    // routes only. The fields become the body, so the shell's CSRF check finds _csrf before the
    // handler runs. (@fastify/multipart parses in a preValidation hook of its scope, which runs
    // after the shell's CSRF hook, so a page form could never pass the check.)
    app.register(async (scope: App) => {
      // A scope keeps the error handler its parent had when it was made: use the shell's.
      scope.setErrorHandler((error, request, reply) => app.errorHandler(error, request, reply))
      if (scope.hasContentTypeParser('multipart/form-data'))
        scope.removeContentTypeParser('multipart/form-data')
      scope.addContentTypeParser(
        'multipart/form-data',
        { parseAs: 'buffer', bodyLimit: UPLOAD_BYTES_MAX },
        (request, body, done) => {
          const boundary = multipartBoundary(request.headers['content-type'])
          if (!boundary)
            return done(
              new ValidationError('The upload has no multipart boundary', [
                { field: '/file', message: 'The upload has no multipart boundary' },
              ]),
              undefined,
            )
          try {
            const parsed = parseMultipart(body as Buffer, boundary)
            done(null, { ...parsed.fields, _files: parsed.files })
          } catch (error) {
            const message = error instanceof MultipartError ? error.message : 'The upload could not be read'
            done(new ValidationError(message, [{ field: '/file', message }]), undefined)
          }
        },
      )
      scope.post(
        '/api/v1/orgs/:orgCode/hr/import',
        {
          config: { permission: 'hr:manage', kind: 'api' },
          bodyLimit: UPLOAD_BYTES_MAX,
          schema: {
            tags: ['hr'],
            summary: `Import people and employments from CSV (columns: ${PEOPLE_IMPORT_COLUMNS.join(', ')}); every bad row is reported and nothing is imported until the file is clean`,
            headers: IdempotencyKeyHeader,
            params: OrgParams,
            consumes: ['text/csv', 'multipart/form-data'],
            response: { 201: ImportResult, 400: Problem, 403: Problem },
          },
        },
        async (request, reply) => {
          const body = Buffer.isBuffer(request.body) ? request.body : uploadedCsv(request.body)
          if (!body)
            throw new ValidationError(
              'Send the file as text/csv, or as the field "file" of multipart/form-data',
              [
                {
                  field: '/file',
                  message: 'Send the file as text/csv, or as the field "file" of multipart/form-data',
                },
              ],
            )
          const result = await request.withTx((trx) =>
            importPeopleCsv(trx, request.org!.id, body, request.principal!.userId),
          )
          return reply.code(201).send(result)
        },
      )

      scope.post(
        '/orgs/:orgCode/hr/import',
        { config: manage, bodyLimit: UPLOAD_BYTES_MAX, schema: { hide: true, params: OrgParams } },
        async (request, reply) => {
          const org = request.org!
          const body = (request.body ?? {}) as Record<string, unknown>
          const csv = typeof body.csv === 'string' ? body.csv : ''
          // The upload form sends the file (multipart); the paste form the text.
          const uploading = Array.isArray(body._files)
          const target = uploading ? 'file' : 'csv'
          try {
            const content = uploading ? uploadedCsv(body) : csv
            if (!uploading && !csv.trim())
              throw new ValidationError('Paste the people to import', [
                { field: '/csv', message: 'Paste the people to import, with the header row' },
              ])
            if (!content)
              throw new ValidationError('Choose a CSV file to import', [
                { field: '/file', message: 'Choose a CSV file to import' },
              ])
            const result = await request.withTx((trx) =>
              importPeopleCsv(trx, org.id, content, request.principal!.userId),
            )
            return reply.redirect(
              `${standardPaths.importPage(org.code)}?imported=${result.employmentsCreated}`,
              303,
            )
          } catch (error) {
            if (!(error instanceof ValidationError)) throw error
            // Every problem goes in the summary, all pointing at the one field that sent the file.
            const errors = {
              summary: error.fieldErrors.map((problem) => ({ text: problem.message, href: `#${target}` })),
              byField: {
                [target]: {
                  text:
                    error.fieldErrors.length === 1
                      ? error.fieldErrors[0]!.message
                      : `${error.fieldErrors.length} problems stop this file importing; nothing was imported`,
                },
              },
            }
            reply.code(400)
            return importPage(request, reply, { csv, errors })
          }
        },
      )
    })
  }
}
