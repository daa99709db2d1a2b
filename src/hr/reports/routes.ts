// Headcount and FTE over HTTP: JSON, CSV and Excel from the API; a GOV.UK page with a date input
// (a GET form, no JavaScript) and the same downloads; and a cluster view summing the cluster's
// organisations for the cluster's own staff (figures only: no personal data leaves the query).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { type ReportTable, toCsv, toXlsx } from '../../finance/reports/export.ts'
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { Problem } from '../../platform/http/schemas.ts'
import { checkDate } from '../validation.ts'
import type { HeadcountReport, HeadcountRow, HeadcountService } from './service.ts'

const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export const headcountPaths = {
  page: (org: string) => `/orgs/${encodeURIComponent(org)}/hr/headcount`,
  api: (org: string) => `/api/v1/orgs/${encodeURIComponent(org)}/hr/headcount`,
  cluster: (cluster: string) => `/clusters/${encodeURIComponent(cluster)}/hr/headcount`,
}

const OrgParams = Type.Object({ orgCode: Type.String({ maxLength: 60 }) })
const ClusterParams = Type.Object({ clusterCode: Type.String({ maxLength: 60 }) })
const HeadcountQuery = Type.Object(
  {
    asAt: Type.Optional(
      Type.String({ format: 'date', description: 'The date to count on (default today), YYYY-MM-DD' }),
    ),
    format: Type.Optional(Type.Enum(['json', 'csv', 'xlsx'], { default: 'json' })),
  },
  { additionalProperties: false },
)
const Row = Type.Object({
  code: Type.String(),
  name: Type.String(),
  headcount: Type.Integer(),
  fte: Type.String({ description: 'Sum of full-time equivalents, as a decimal string' }),
})
const HeadcountResponse = Type.Object({
  asAt: Type.String({ format: 'date' }),
  total: Type.Object({ headcount: Type.Integer(), fte: Type.String() }),
  byOrganisation: Type.Array(Row),
  byGrade: Type.Array(Row),
  byUnit: Type.Array(Row),
})

const today = () => new Date().toISOString().slice(0, 10)

/** The report as one table: the total, then a section per breakdown ("Grade: EO", "Unit: ..."). */
export function headcountTable(report: HeadcountReport, title: string): ReportTable {
  const section = (kind: string, rows: HeadcountRow[]) =>
    rows.map((row) => ({
      breakdown: kind,
      code: row.code,
      name: row.name,
      headcount: row.headcount,
      fte: row.fte,
    }))
  return {
    title,
    columns: [
      { key: 'breakdown', heading: 'Breakdown' },
      { key: 'code', heading: 'Code' },
      { key: 'name', heading: 'Name' },
      { key: 'headcount', heading: 'Headcount', type: 'integer' },
      { key: 'fte', heading: 'FTE' },
    ],
    rows: [
      ...(report.byOrganisation.length > 1 ? section('Organisation', report.byOrganisation) : []),
      ...section('Grade', report.byGrade),
      ...section('Unit', report.byUnit),
    ],
    footer: [
      {
        breakdown: 'Total',
        code: '',
        name: `As at ${report.asAt}`,
        headcount: report.total.headcount,
        fte: report.total.fte,
      },
    ],
  }
}

async function sendFile(reply: FastifyReply, format: 'csv' | 'xlsx', table: ReportTable, filename: string) {
  if (format === 'csv')
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}.csv"`)
      .send(toCsv(table))
  return reply
    .type(XLSX_CONTENT_TYPE)
    .header('content-disposition', `attachment; filename="${filename}.xlsx"`)
    .send(await toXlsx(table))
}

/** The cluster, if the principal is its staff (cluster admin or auditor on it, or platform-wide). */
async function clusterFor(request: FastifyRequest, clusterCode: string) {
  const principal = request.principal!
  return request.withTx(async (trx) => {
    const cluster = await trx
      .selectFrom('clusters')
      .select(['id', 'code', 'name'])
      .where('code', '=', clusterCode)
      .executeTakeFirst()
    if (!cluster) throw new NotFoundError(`There is no cluster with the code ${clusterCode}`)
    const platformWide =
      !principal.tokenScope &&
      principal.platformRoles.some((role) => role === 'platform_admin' || role === 'auditor')
    const member =
      !principal.tokenScope &&
      (await trx
        .selectFrom('memberships')
        .select('role')
        .where('user_id', '=', principal.userId)
        .where('cluster_id', '=', cluster.id)
        .where('role', 'in', ['cluster_admin', 'auditor'])
        .executeTakeFirst())
    if (!platformWide && !member)
      throw new ForbiddenError(`Only the staff of ${cluster.name} can see its headcount`)
    const orgs = await trx
      .selectFrom('organisations')
      .select('id')
      .where('cluster_id', '=', cluster.id)
      .execute()
    return { ...cluster, orgIds: orgs.map((org) => org.id) }
  })
}

/** Reads the page's date input (asAt-day/-month/-year) or asAt=YYYY-MM-DD; today when blank. */
function asAtOf(query: Record<string, string | undefined>): {
  asAt: string
  typed: Record<string, string>
  error?: string
} {
  const day = query['asAt-day']?.trim() ?? ''
  const month = query['asAt-month']?.trim() ?? ''
  const year = query['asAt-year']?.trim() ?? ''
  const typed = { day, month, year }
  if (day || month || year) {
    if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year))
      return { asAt: today(), typed, error: 'Enter the date as a day, month and year, for example 31 3 2026' }
    const checked = checkDate(`${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`)
    if (!checked.ok) return { asAt: today(), typed, error: checked.message }
    return { asAt: checked.value, typed }
  }
  if (query.asAt) {
    const checked = checkDate(query.asAt)
    if (!checked.ok) return { asAt: today(), typed, error: checked.message }
    const [y, m, d] = checked.value.split('-')
    return { asAt: checked.value, typed: { day: String(Number(d)), month: String(Number(m)), year: y! } }
  }
  const [y, m, d] = today().split('-')
  return { asAt: today(), typed: { day: String(Number(d)), month: String(Number(m)), year: y! } }
}

export function hrReportsRoutes(headcount: HeadcountService) {
  return async (app: App) => {
    const api = <P extends typeof OrgParams | typeof ClusterParams>(summary: string, params: P) => ({
      tags: ['hr'],
      summary,
      params,
      querystring: HeadcountQuery,
      produces: ['application/json', 'text/csv', XLSX_CONTENT_TYPE],
      response: { 200: HeadcountResponse, 400: Problem, 403: Problem },
    })
    app.get(
      '/api/v1/orgs/:orgCode/hr/headcount',
      {
        config: { permission: 'hr:read', kind: 'api' },
        schema: api('Headcount and FTE as at a date, by grade and unit', OrgParams),
      },
      async (request, reply) => {
        const org = request.org!
        const asAt = request.query.asAt ?? today()
        const report = await request.withTx((trx) => headcount.report(trx, [org.id], asAt))
        const format = request.query.format ?? 'json'
        if (format === 'json') return reply.send(report)
        return sendFile(
          reply,
          format,
          headcountTable(report, `Headcount ${org.code} ${asAt}`),
          `headcount-${org.code}-${asAt}`,
        )
      },
    )
    app.get(
      '/api/v1/clusters/:clusterCode/hr/headcount',
      {
        config: { permission: 'orgs:read', kind: 'api' },
        schema: api(
          'Headcount and FTE as at a date across a cluster’s organisations (for the cluster’s admins and auditors)',
          ClusterParams,
        ),
      },
      async (request, reply) => {
        const cluster = await clusterFor(request, request.params.clusterCode)
        const asAt = request.query.asAt ?? today()
        const report = await request.withTx((trx) => headcount.report(trx, cluster.orgIds, asAt))
        const format = request.query.format ?? 'json'
        if (format === 'json') return reply.send(report)
        return sendFile(
          reply,
          format,
          headcountTable(report, `Headcount ${cluster.code} ${asAt}`),
          `headcount-${cluster.code}-${asAt}`,
        )
      },
    )

    const page = async (
      request: FastifyRequest,
      reply: FastifyReply,
      scope: { orgIds: string[]; code: string; caption: string; action: string; breadcrumbs: unknown[] },
    ) => {
      const query = request.query as Record<string, string | undefined>
      const choice = asAtOf(query)
      if (choice.error) {
        reply.code(400)
        return reply.page('hr/reports/views/headcount.njk', {
          pageTitle: `Headcount and FTE – ${scope.caption}`,
          caption: scope.caption,
          action: scope.action,
          typed: choice.typed,
          errors: {
            summary: [{ text: choice.error, href: '#asAt-day' }],
            byField: { asAt: { text: choice.error } },
          },
          breadcrumbs: scope.breadcrumbs,
        })
      }
      const report = await request.withTx((trx) => headcount.report(trx, scope.orgIds, choice.asAt))
      const format = query.format
      if (format === 'csv' || format === 'xlsx')
        return sendFile(
          reply,
          format,
          headcountTable(report, `Headcount ${scope.code} ${choice.asAt}`),
          `headcount-${scope.code}-${choice.asAt}`,
        )
      return reply.page('hr/reports/views/headcount.njk', {
        pageTitle: `Headcount and FTE – ${scope.caption}`,
        caption: scope.caption,
        action: scope.action,
        typed: choice.typed,
        report,
        csvHref: `${scope.action}?asAt=${choice.asAt}&format=csv`,
        xlsxHref: `${scope.action}?asAt=${choice.asAt}&format=xlsx`,
        breadcrumbs: scope.breadcrumbs,
      })
    }

    app.get(
      '/orgs/:orgCode/hr/headcount',
      { config: { permission: 'hr:read', kind: 'page' }, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        return page(request, reply, {
          orgIds: [org.id],
          code: org.code,
          caption: org.name,
          action: headcountPaths.page(org.code),
          breadcrumbs: [
            { text: 'Home', href: '/' },
            { text: `HR – ${org.name}`, href: `/orgs/${encodeURIComponent(org.code)}/hr` },
          ],
        })
      },
    )
    app.get(
      '/clusters/:clusterCode/hr/headcount',
      { config: { permission: 'orgs:read', kind: 'page' }, schema: { hide: true, params: ClusterParams } },
      async (request, reply) => {
        const cluster = await clusterFor(request, request.params.clusterCode)
        return page(request, reply, {
          orgIds: cluster.orgIds,
          code: cluster.code,
          caption: `${cluster.name}: ${cluster.orgIds.length} organisations`,
          action: headcountPaths.cluster(cluster.code),
          breadcrumbs: [
            { text: 'Home', href: '/' },
            { text: 'Clusters', href: '/clusters' },
          ],
        })
      },
    )
  }
}

/** Thrown for a malformed date in the API's query (the schema checks the format; this the rule). */
export function assertDate(value: string, field: string): string {
  const checked = checkDate(value)
  if (!checked.ok) throw new ValidationError(checked.message, [{ field, message: checked.message }])
  return checked.value
}
