// Quarterly returns over HTTP (decision 0500): the published JSON Schema and template, submission
// by JSON or CSV/XLSX upload (API and pages), a return with every version, the hub's receiving
// end for cluster pushes, and the hub view of every cluster and organisation for a quarter.
// Everything here is registered in one encapsulated scope so its upload parser and limits apply
// to these routes only.
import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { XLSX_CONTENT_TYPE } from '../../finance/reports/export.ts'
import { MultipartError, multipartBoundary, parseMultipart } from '../../hr/expenses/multipart.ts'
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { PROBLEM_CONTENT_TYPE } from '../../platform/http/problem.ts'
import { IdempotencyKeyHeader } from '../../platform/http/schemas.ts'
import { formErrors } from '../../platform/http/views.ts'
import { can } from '../../platform/tenancy.ts'
import { isQuarterCode, lastCompleteQuarter, previousQuarter, quarter as quarterInfo } from '../quarters.ts'
import { FIGURE_FIELDS, FLAT_FIELDS, RETURN_SCHEMA_VERSION, ReturnFigures } from '../return-schema.ts'
import type { ReturnProblem } from '../tables.ts'
import { type ClusterPushBody, hubStatus, PUSH_RETURNS_MAX, receiveClusterPush } from './hub.ts'
import { findReturn, type RecordedReturn, type ReturnRecord } from './store.ts'
import {
  parseUpload,
  submitReturn,
  templateCsv,
  templateXlsx,
  UPLOAD_BYTES_MAX,
  type UploadedReturnFile,
  UploadRefusedError,
} from './submissions.ts'

export const SCHEMA_ID = 'https://gss.example/schemas/programme/return/1.0'

export const returnPaths = {
  hub: '/programme/returns',
  newReturn: (orgCode: string) => `/orgs/${orgCode}/programme/returns/new`,
  submit: (orgCode: string) => `/orgs/${orgCode}/programme/returns`,
  upload: (orgCode: string) => `/orgs/${orgCode}/programme/returns/upload`,
  view: (orgCode: string, quarter: string) => `/orgs/${orgCode}/programme/returns/${quarter}`,
  schema: '/api/v1/programme/returns/schema',
  templateCsv: '/api/v1/programme/returns/template.csv',
  templateXlsx: '/api/v1/programme/returns/template.xlsx',
}

const QuarterCode = Type.String({
  pattern: '^[0-9]{4}-Q[1-4]$',
  description: 'For example 2026-Q1 (April to June 2026)',
})
const OrgParams = Type.Object({ orgCode: Type.String({ pattern: '^[a-z0-9-]{2,60}$' }) })
const OrgQuarterParams = Type.Object({
  orgCode: Type.String({ pattern: '^[a-z0-9-]{2,60}$' }),
  quarter: QuarterCode,
})
const ClusterParams = Type.Object({ clusterCode: Type.String({ pattern: '^[a-z0-9-]{2,60}$' }) })
const HubQuery = Type.Object({ quarter: Type.Optional(QuarterCode) }, { additionalProperties: false })
const SubmitQuery = Type.Object(
  {
    quarter: Type.Optional(QuarterCode),
    estimated: Type.Optional(
      Type.String({
        maxLength: 2000,
        description: 'Figures that are estimates, comma-separated dotted names',
      }),
    ),
  },
  { additionalProperties: false },
)
const PushBody = Type.Object(
  {
    quarter: QuarterCode,
    generatedAt: Type.String({ format: 'date-time' }),
    returns: Type.Array(Type.Unknown(), { maxItems: PUSH_RETURNS_MAX }),
  },
  { additionalProperties: false },
)
/** A submission as the API takes it: the ReturnFigures JSON (validated by the service, not here). */
const AnyBody = Type.Unknown({ description: `A return as the schema at ${returnPaths.schema} describes it` })

const api = (summary: string) => ({ tags: ['programme'], summary })
const base = '/api/v1/orgs/:orgCode/programme/returns'

interface ParsedForm {
  _csrf?: string
  _files?: UploadedReturnFile[]
  [field: string]: unknown
}

function problemsAsFieldErrors(problems: ReturnProblem[]) {
  return problems.map((problem) => ({
    field: `/${problem.field}`,
    rule: problem.rule,
    message: problem.message,
  }))
}

function invalidProblem(request: FastifyRequest, result: RecordedReturn, orgCode: string) {
  return {
    type: '/problems/invalid-return',
    title: 'The return has errors',
    status: 422,
    detail: `The return was recorded as version ${result.version} but is not valid, so it does not replace a valid return: ${result.errors.map((e) => `${e.field} (${e.rule})`).join('; ')}`,
    instance: request.url,
    requestId: String(request.id),
    errors: problemsAsFieldErrors(result.errors),
    organisation: orgCode,
    quarter: result.quarter,
    version: result.version,
    dq: result.dq,
  }
}

function recordedBody(orgCode: string, result: RecordedReturn) {
  return {
    organisation: orgCode,
    quarter: result.quarter,
    version: result.version,
    valid: result.valid,
    late: result.late,
    dq: result.dq,
    warnings: result.warnings,
    links: { self: `${base.replace(':orgCode', orgCode)}/${result.quarter}` },
  }
}

function recordJson(record: ReturnRecord, orgCode: string) {
  return {
    organisation: orgCode,
    quarter: record.quarter,
    currentVersion: record.currentVersion,
    provenance: record.provenance,
    source: record.source,
    valid: record.valid,
    receivedAt: record.receivedAt.toISOString(),
    dueOn: record.dueOn,
    late: record.late,
    dq: record.dq,
    laterInvalidVersion: record.laterInvalidVersion,
    versions: record.versions.map((version) => ({
      ...version,
      receivedAt: version.receivedAt.toISOString(),
    })),
  }
}

/** Reads a figure typed into the page form: blank → null, digits → number, else a form error. */
function formFigures(body: ParsedForm, orgCode: string) {
  const errors: { field: string; message: string }[] = []
  const figures: Record<string, unknown> = {
    schemaVersion: RETURN_SCHEMA_VERSION,
    organisation: orgCode,
    quarter: String(body.quarter ?? '').trim(),
    migrationStatus: String(body.migrationStatus ?? ''),
  }
  if (!isQuarterCode(figures.quarter as string))
    errors.push({ field: '/quarter', message: 'Enter the quarter, for example 2026-Q1' })
  for (const field of FIGURE_FIELDS) {
    const raw = String(body[field] ?? '')
      .trim()
      .replace(/,/g, '')
    const [group, name] = field.split('.') as [string, string]
    const section = (figures[group] ?? {}) as Record<string, unknown>
    figures[group] = section
    if (raw === '') section[name] = null
    else if (/^[0-9]+(\.[0-9]+)?$/.test(raw) && raw.length <= 20) section[name] = Number(raw)
    else errors.push({ field: `/${field}`, message: `${field} must be a number, or left blank if not known` })
  }
  // Explanations: one per line, "field: why it changed".
  const explanations: Record<string, string> = {}
  for (const line of String(body.explanations ?? '').split(/\r?\n/)) {
    const match = /^\s*([a-zA-Z.]+)\s*:\s*(.+)$/.exec(line)
    if (match) explanations[match[1]!] = match[2]!.trim()
    else if (line.trim())
      errors.push({
        field: '/explanations',
        message: 'Write each explanation on its own line as field: explanation',
      })
  }
  if (Object.keys(explanations).length) figures.explanations = explanations
  const estimated = ([] as string[]).concat((body.estimated as string[] | string | undefined) ?? [])
  return { figures, errors, estimated }
}

const FIELD_IDS = Object.fromEntries(
  [...FLAT_FIELDS, 'explanations'].map((field) => [field, field.replace(/\./g, '-')]),
)

export function programmeReturnsRoutes(_services?: unknown) {
  return async (root: App) => {
    // Not awaited: awaiting a register here would make Fastify finish every route declared so far
    // before the shell sets its error handler (they would answer with Fastify's default). Loaded
    // at ready time, this scope inherits the shell's handler and hooks like any route.
    root.register(async (app: App) => {
      // Uploads: the whole body read under a byte limit before anything else, so the CSRF check
      // finds the form's _csrf; at most a few parts (see decision 0500 for why not @fastify/multipart).
      if (app.hasContentTypeParser('multipart/form-data')) app.removeContentTypeParser('multipart/form-data')
      app.addContentTypeParser(
        'multipart/form-data',
        { parseAs: 'buffer', bodyLimit: UPLOAD_BYTES_MAX + 64 * 1024 },
        (request, body, done) => {
          const boundary = multipartBoundary(request.headers['content-type'])
          if (!boundary) return done(new ValidationError('The form data has no boundary'), undefined)
          try {
            const parsed = parseMultipart(body as Buffer, boundary)
            const unknown = Object.keys(parsed.fields).filter((name) => !['_csrf', 'quarter'].includes(name))
            if (
              unknown.length ||
              parsed.files.some((file) => file.field !== 'file') ||
              parsed.files.length > 1
            )
              return done(
                new UploadRefusedError([
                  {
                    line: 0,
                    field: 'file',
                    message: 'send one file in the field "file" (and optionally quarter)',
                  },
                ]),
                undefined,
              )
            // The file's bytes are not enumerable: the idempotency hash sees its name, type and digest.
            const files = parsed.files.map((file) => {
              const entry = {
                fileName: file.fileName,
                contentType: file.contentType,
                bytes: file.content.length,
              }
              Object.defineProperty(entry, 'content', { value: file.content, enumerable: false })
              return entry as UploadedReturnFile & { bytes: number }
            })
            done(null, { ...parsed.fields, _files: files, _sha: hashOf(files) })
          } catch (error) {
            done(
              error instanceof MultipartError ? new ValidationError(error.message) : (error as Error),
              undefined,
            )
          }
        },
      )

      // --- Published schema and template -----------------------------------------------------
      app.get(
        returnPaths.schema,
        { config: { permission: 'public', kind: 'api' }, schema: api('The quarterly return as JSON Schema') },
        async (_request, reply) =>
          reply.type('application/schema+json').send({
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            $id: SCHEMA_ID,
            title: 'Quarterly return',
            ...ReturnFigures,
          }),
      )
      app.get(
        returnPaths.templateCsv,
        {
          config: { permission: 'public', kind: 'api' },
          schema: {
            ...api('The return template as CSV'),
            querystring: Type.Object({
              organisation: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{2,60}$' })),
              quarter: Type.Optional(QuarterCode),
            }),
          },
        },
        async (request, reply) => {
          const query = request.query as { organisation?: string; quarter?: string }
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="quarterly-return-template.csv"')
            .send(templateCsv(query.organisation, query.quarter))
        },
      )
      app.get(
        returnPaths.templateXlsx,
        {
          config: { permission: 'public', kind: 'api' },
          schema: {
            ...api('The return template as XLSX'),
            querystring: Type.Object({
              organisation: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{2,60}$' })),
              quarter: Type.Optional(QuarterCode),
            }),
          },
        },
        async (request, reply) => {
          const query = request.query as { organisation?: string; quarter?: string }
          return reply
            .type(XLSX_CONTENT_TYPE)
            .header('content-disposition', 'attachment; filename="quarterly-return-template.xlsx"')
            .send(await templateXlsx(query.organisation, query.quarter))
        },
      )

      // --- Submission API ----------------------------------------------------------------------
      const submitApi = async (request: FastifyRequest, reply: FastifyReply, quarterFromPath?: string) => {
        const org = request.org!
        const query = request.query as { quarter?: string; estimated?: string }
        const body = request.body as Record<string, unknown> | undefined
        const quarter =
          quarterFromPath ?? query.quarter ?? (typeof body?.quarter === 'string' ? body.quarter : '')
        if (!isQuarterCode(quarter))
          throw new ValidationError(
            'The return must name its quarter, for example 2026-Q1; nothing was recorded',
            [{ field: '/quarter', message: 'quarter is required, for example 2026-Q1' }],
          )
        const result = await request.withTx((trx) =>
          submitReturn(trx, {
            orgId: org.id,
            quarter,
            source: 'api',
            figures: body ?? null,
            estimated: query.estimated?.split(',').map((field) => field.trim()) ?? [],
            receivedBy: request.principal!.userId,
          }),
        )
        if (!result.valid)
          return reply
            .code(422)
            .type(PROBLEM_CONTENT_TYPE)
            .send(invalidProblem(request, result, org.code))
        return reply.code(201).send(recordedBody(org.code, result))
      }
      const submit = { permission: 'programme:submit' as const, kind: 'api' as const }
      app.post(
        base,
        {
          config: submit,
          schema: {
            ...api('Submit a quarterly return (JSON); invalid returns are kept as versions and answered 422'),
            headers: IdempotencyKeyHeader,
            params: OrgParams,
            querystring: SubmitQuery,
            body: AnyBody,
          },
        },
        (request, reply) => submitApi(request, reply),
      )
      app.post(
        `${base}/:quarter`,
        {
          config: submit,
          schema: {
            ...api('Submit the quarterly return for a quarter (JSON)'),
            headers: IdempotencyKeyHeader,
            params: OrgQuarterParams,
            querystring: SubmitQuery,
            body: AnyBody,
          },
        },
        (request, reply) => submitApi(request, reply, (request.params as { quarter: string }).quarter),
      )

      const receiveUpload = async (request: FastifyRequest) => {
        const form = (request.body ?? {}) as ParsedForm
        const file = form._files?.[0]
        if (!file)
          throw new UploadRefusedError([{ line: 0, field: 'file', message: 'choose a CSV or XLSX file' }])
        const parsed = await parseUpload(file)
        const quarter =
          typeof form.quarter === 'string' && form.quarter ? form.quarter : parsed.figures.quarter
        if (typeof quarter !== 'string' || !isQuarterCode(quarter))
          throw new UploadRefusedError([
            { line: 2, field: 'quarter', message: 'the quarter must be like 2026-Q1' },
          ])
        const result = await request.withTx((trx) =>
          submitReturn(trx, {
            orgId: request.org!.id,
            quarter,
            source: parsed.source,
            figures: parsed.figures,
            receivedBy: request.principal!.userId,
            fileName: file.fileName.slice(0, 200),
            fileSha256: parsed.sha256,
          }),
        )
        return result
      }
      app.post(
        `${base}/upload`,
        {
          config: submit,
          schema: {
            ...api(
              'Upload a quarterly return as CSV or XLSX (multipart/form-data, field "file"; 1 MB at most)',
            ),
            headers: IdempotencyKeyHeader,
            params: OrgParams,
            consumes: ['multipart/form-data'],
          },
        },
        async (request, reply) => {
          const result = await receiveUpload(request)
          if (!result.valid)
            return reply
              .code(422)
              .type(PROBLEM_CONTENT_TYPE)
              .send(invalidProblem(request, result, request.org!.code))
          return reply.code(201).send(recordedBody(request.org!.code, result))
        },
      )

      app.get(
        `${base}/:quarter`,
        {
          config: { permission: 'programme:read', kind: 'api' },
          schema: {
            ...api('A return: the current version, scores and every version received'),
            params: OrgQuarterParams,
          },
        },
        async (request) => {
          const { quarter } = request.params as { quarter: string }
          const record = await request.withTx((trx) => findReturn(trx, request.org!.id, quarter))
          if (!record) throw new NotFoundError(`${request.org!.name} has no return for ${quarter}`)
          return recordJson(record, request.org!.code)
        },
      )

      // --- Hub ---------------------------------------------------------------------------------
      app.post(
        '/api/v1/programme/clusters/:clusterCode/returns',
        {
          config: { permission: 'programme:submit', kind: 'api' },
          schema: {
            ...api('Hub: receive a cluster’s returns for a quarter (all recorded, or none)'),
            headers: IdempotencyKeyHeader,
            params: ClusterParams,
            body: PushBody,
          },
        },
        async (request, reply) => {
          const { clusterCode } = request.params as { clusterCode: string }
          const cluster = await request.withTx((trx) =>
            trx
              .selectFrom('clusters')
              .select(['id', 'lead_org_id', 'name'])
              .where('code', '=', clusterCode)
              .executeTakeFirst(),
          )
          if (!cluster) throw new NotFoundError(`There is no cluster with the code ${clusterCode}`)
          if (!cluster.lead_org_id || !can(request.principal!, 'programme:submit', cluster.lead_org_id))
            throw new ForbiddenError(
              `Only a returns submitter of the ${cluster.name} cluster’s lead organisation may push its returns`,
            )
          const result = await request.withTx((trx) =>
            receiveClusterPush(trx, request.tenant, {
              clusterCode,
              body: request.body as ClusterPushBody,
              receivedBy: request.principal!.userId,
            }),
          )
          return reply.code(201).send(result)
        },
      )
      app.get(
        '/api/v1/programme/returns',
        {
          config: { permission: 'programme:read', kind: 'api' },
          schema: {
            ...api('Hub: every cluster and organisation with its return status for a quarter'),
            querystring: HubQuery,
          },
        },
        async (request) => {
          const quarter = (request.query as { quarter?: string }).quarter ?? lastCompleteQuarter()
          const view = await request.withTx((trx) => hubStatus(trx, quarter))
          return {
            ...view,
            clusters: view.clusters.map((cluster) => ({
              ...cluster,
              lastPushAt: cluster.lastPushAt?.toISOString() ?? null,
              organisations: cluster.organisations.map((org) => ({
                ...org,
                receivedAt: org.receivedAt?.toISOString() ?? null,
              })),
            })),
          }
        },
      )

      // --- Pages -------------------------------------------------------------------------------
      const page = { permission: 'programme:read' as const, kind: 'page' as const }
      const submitPage = { permission: 'programme:submit' as const, kind: 'page' as const }
      app.get(
        returnPaths.hub,
        { config: page, schema: { hide: true, querystring: HubQuery } },
        async (request, reply) => {
          const quarter = (request.query as { quarter?: string }).quarter ?? lastCompleteQuarter()
          const view = await request.withTx((trx) => hubStatus(trx, quarter))
          return reply.page('programme/views/returns/hub.njk', {
            pageTitle: `Quarterly returns: ${view.label}`,
            view,
            previous: previousQuarter(quarter).code,
            next: nextQuarter(quarter),
            paths: returnPaths,
            canGenerate: can(request.principal!, 'programme:manage'),
          })
        },
      )

      const submitForm = (
        request: FastifyRequest,
        reply: FastifyReply,
        values: Record<string, unknown>,
        errors?: ReturnType<typeof formErrors>,
        notice?: string,
      ) =>
        reply.code(errors ? 422 : 200).page('programme/views/returns/submit.njk', {
          pageTitle: `${errors ? 'Error: ' : ''}Submit a quarterly return`,
          org: request.org,
          values,
          errors,
          notice,
          fields: FIGURE_FIELDS.map((field) => ({ name: field, id: FIELD_IDS[field] })),
          estimatedItems: FIGURE_FIELDS.map((field) => ({
            value: field,
            text: field,
            checked: ([] as unknown[]).concat(values.estimated ?? []).includes(field),
          })),
          paths: returnPaths,
        })
      app.get(
        '/orgs/:orgCode/programme/returns/new',
        { config: submitPage, schema: { hide: true, params: OrgParams } },
        async (request, reply) => submitForm(request, reply, { quarter: lastCompleteQuarter() }),
      )
      app.post(
        '/orgs/:orgCode/programme/returns',
        { config: submitPage, schema: { hide: true, params: OrgParams } },
        async (request, reply) => {
          const body = (request.body ?? {}) as ParsedForm
          const { figures, errors, estimated } = formFigures(body, request.org!.code)
          if (errors.length) return submitForm(request, reply, body, formErrors(errors, FIELD_IDS))
          const result = await request.withTx((trx) =>
            submitReturn(trx, {
              orgId: request.org!.id,
              quarter: figures.quarter as string,
              source: 'api',
              figures,
              estimated,
              receivedBy: request.principal!.userId,
            }),
          )
          if (!result.valid)
            return submitForm(
              request,
              reply,
              body,
              formErrors(problemsAsFieldErrors(result.errors), FIELD_IDS),
              `Version ${result.version} was recorded but is not valid, so it does not replace a valid return. Correct it and submit again.`,
            )
          return reply.redirect(returnPaths.view(request.org!.code, result.quarter), 303)
        },
      )
      app.post(
        '/orgs/:orgCode/programme/returns/upload',
        { config: submitPage, schema: { hide: true, params: OrgParams } },
        async (request, reply) => {
          try {
            const result = await receiveUpload(request)
            return reply.redirect(returnPaths.view(request.org!.code, result.quarter), 303)
          } catch (error) {
            if (!(error instanceof UploadRefusedError)) throw error
            return submitForm(
              request,
              reply,
              { quarter: (request.body as ParsedForm)?.quarter },
              {
                summary: error.fieldErrors.map((e) => ({ text: e.message, href: '#file' })),
                byField: { file: { text: error.message } },
              },
            )
          }
        },
      )
      app.get(
        '/orgs/:orgCode/programme/returns/:quarter',
        { config: page, schema: { hide: true, params: OrgQuarterParams } },
        async (request, reply) => {
          const { quarter } = request.params as { quarter: string }
          const record = await request.withTx((trx) => findReturn(trx, request.org!.id, quarter))
          const latest = record?.versions[0]
          const errors =
            latest && !latest.valid
              ? {
                  summary: latest.errors.map((e) => ({
                    text: e.message,
                    href: `#figure-${e.field.replace(/\./g, '-')}`,
                  })),
                  byField: {},
                }
              : undefined
          return reply.page('programme/views/returns/view.njk', {
            pageTitle: `${request.org!.name}: return for ${quarterInfo(quarter).label}`,
            org: request.org,
            quarter: quarterInfo(quarter),
            record,
            errors,
            rows: record ? figureRows(record) : [],
            canSubmit: can(request.principal!, 'programme:submit', request.org!.id),
            paths: returnPaths,
          })
        },
      )
    })
  }
}

function nextQuarter(code: string): string {
  const { fiscalYear, quarter } = quarterInfo(code)
  return quarter === 4 ? `${fiscalYear + 1}-Q1` : `${fiscalYear}-Q${quarter + 1}`
}

function hashOf(files: Array<{ content?: Buffer }>): string {
  const hash = createHash('sha256')
  for (const file of files) hash.update((file as { content: Buffer }).content)
  return hash.digest('hex')
}

/** Each figure of each version with its provenance, for the page's tables. */
function figureRows(record: ReturnRecord) {
  return ['migrationStatus', ...FIGURE_FIELDS].map((field) => ({
    field,
    id: `figure-${field.replace(/\./g, '-')}`,
    versions: record.versions.map((version) => {
      const figures = (version.figures ?? {}) as Record<string, unknown>
      let value: unknown
      if (field.includes('.')) {
        const [group, name] = field.split('.') as [string, string]
        const section = figures[group]
        value =
          section && typeof section === 'object' ? (section as Record<string, unknown>)[name] : undefined
      } else value = figures[field]
      return {
        value: value === null || value === undefined ? '' : String(value),
        provenance: version.provenance[field] ?? '',
        error: version.errors.find((error) => error.field === field)?.message,
        explanation: version.explanations[field],
      }
    }),
  }))
}
