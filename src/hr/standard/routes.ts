// The HR data standard over HTTP: each area as JSON or CSV as at a date (API and page downloads),
// the JSON Schemas, a page listing the downloads, and the bulk import of people and employments
// (CSV body on the API; a paste-in text area on the page, which needs no JavaScript or multipart).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ForbiddenError, ValidationError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { IdempotencyKeyHeader, Problem } from '../../platform/http/schemas.ts'
import { can } from '../../platform/tenancy.ts'
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
    app.post(
      '/api/v1/orgs/:orgCode/hr/import',
      {
        config: { permission: 'hr:manage', kind: 'api' },
        bodyLimit: PEOPLE_IMPORT_MAX_BYTES,
        schema: {
          tags: ['hr'],
          summary: `Import people and employments from CSV (columns: ${PEOPLE_IMPORT_COLUMNS.join(', ')}); every bad row is reported and nothing is imported until the file is clean`,
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          consumes: ['text/csv'],
          response: { 201: ImportResult, 400: Problem, 403: Problem },
        },
      },
      async (request, reply) => {
        const body = request.body
        if (!Buffer.isBuffer(body))
          throw new ValidationError('Send the file as text/csv', [
            { field: '/body', message: 'Send the file as text/csv' },
          ])
        const result = await request.withTx((trx) =>
          importPeopleCsv(trx, request.org!.id, body, request.principal!.userId),
        )
        return reply.code(201).send(result)
      },
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
    app.post(
      '/orgs/:orgCode/hr/import',
      { config: manage, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        const body = (request.body ?? {}) as Record<string, unknown>
        const csv = typeof body.csv === 'string' ? body.csv : ''
        try {
          if (!csv.trim())
            throw new ValidationError('Paste the people to import', [
              { field: '/csv', message: 'Paste the people to import, with the header row' },
            ])
          const result = await request.withTx((trx) =>
            importPeopleCsv(trx, org.id, csv, request.principal!.userId),
          )
          return reply.redirect(
            `${standardPaths.importPage(org.code)}?imported=${result.employmentsCreated}`,
            303,
          )
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          // Every problem goes in the summary, all pointing at the one text area.
          const errors = {
            summary: error.fieldErrors.map((problem) => ({ text: problem.message, href: '#csv' })),
            byField: {
              csv: {
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
  }
}
