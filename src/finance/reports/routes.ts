// Reports over HTTP: JSON, CSV and Excel from the API, and GOV.UK pages (no JavaScript; the
// choices are a GET form) with the same downloads. The cluster view sums a cluster's organisations
// for the cluster's own staff.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ForbiddenError, NotFoundError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { fiscalPeriodOf, fiscalYearLabel } from '../chart.ts'
import { OrgParams } from '../schema.ts'
import { type ReportTable, toCsv, toXlsx, XLSX_CONTENT_TYPE } from './export.ts'
import type { ReportsService } from './service.ts'
import {
  balanceSheetTable,
  budgetVarianceTable,
  clusterTrialBalanceTable,
  incomeAndExpenditureTable,
  transparencyTable,
} from './tables.ts'

export const REPORTS = [
  { slug: 'income-expenditure', title: 'Income and expenditure', range: true },
  { slug: 'balance-sheet', title: 'Balance sheet', range: false },
  { slug: 'budget-variance', title: 'Budget variance', range: false },
  { slug: 'transparency', title: 'Spend over £25,000', range: false },
] as const
type ReportSlug = (typeof REPORTS)[number]['slug']

export const reportsPaths = {
  index: (org: string) => `/orgs/${encodeURIComponent(org)}/finance/reports`,
  page: (org: string, slug: string) => `/orgs/${encodeURIComponent(org)}/finance/reports/${slug}`,
  api: (org: string, slug: string) => `/api/v1/orgs/${encodeURIComponent(org)}/reports/${slug}`,
  cluster: (cluster: string, report: ClusterReport = 'trial-balance') =>
    `/clusters/${encodeURIComponent(cluster)}/reports/${report}`,
}

const Format = Type.Optional(Type.Enum(['json', 'csv', 'xlsx'], { default: 'json' }))
const FiscalYear = Type.Integer({
  minimum: 2000,
  maximum: 2200,
  description: 'Starting year: 2026 is 2026-27',
})
const Period = (description: string) => Type.Optional(Type.Integer({ minimum: 1, maximum: 12, description }))
const RangeQuery = Type.Object(
  {
    fiscalYear: FiscalYear,
    fromPeriod: Period('First period (default 1)'),
    toPeriod: Period('Last period (default 12)'),
    format: Format,
  },
  { additionalProperties: false },
)
const PeriodEndQuery = Type.Object(
  { fiscalYear: FiscalYear, period: Period('To the end of this period (default 12)'), format: Format },
  { additionalProperties: false },
)
const MonthQuery = Type.Object(
  { fiscalYear: FiscalYear, period: Type.Integer({ minimum: 1, maximum: 12 }), format: Format },
  { additionalProperties: false },
)
export const CLUSTER_REPORTS = ['trial-balance', 'income-expenditure'] as const
type ClusterReport = (typeof CLUSTER_REPORTS)[number]
const ClusterParams = Type.Object({
  clusterCode: Type.String({ maxLength: 60 }),
  report: Type.Enum([...CLUSTER_REPORTS]),
})

interface Choice {
  fiscalYear: number
  fromPeriod: number
  toPeriod: number
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

/**
 * Cluster reports are for the cluster's staff: a cluster admin or auditor whose membership is on
 * the cluster itself, or platform-wide. An API token is made for one organisation, so never qualifies.
 */
async function clusterFor(
  request: FastifyRequest,
  clusterCode: string,
): Promise<{ id: string; code: string; name: string }> {
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
      throw new ForbiddenError(`Only the staff of ${cluster.name} can see its consolidated reports`)
    return cluster
  })
}

export function reportsRoutesOver(reports: ReportsService) {
  /** Runs one cluster report (the caller has checked the person may see the cluster). */
  const runCluster = (
    request: FastifyRequest,
    cluster: { id: string; code: string },
    report: ClusterReport,
    choice: Choice,
  ) =>
    request.withTx(async (trx): Promise<{ body: unknown; table: ReportTable; organisationCount: number }> => {
      const args = [
        trx,
        cluster.id,
        cluster.code,
        choice.fiscalYear,
        choice.fromPeriod,
        choice.toPeriod,
      ] as const
      if (report === 'trial-balance') {
        const tb = await reports.clusterTrialBalance(...args)
        return { body: tb, table: clusterTrialBalanceTable(tb), organisationCount: tb.organisations.length }
      }
      const ie = await reports.clusterIncomeAndExpenditure(...args)
      const table = incomeAndExpenditureTable(ie)
      table.title = `${table.title}, ${cluster.code}`
      return { body: ie, table, organisationCount: ie.organisations.length }
    })
  /** Runs one report for an organisation and gives back the JSON body and its table. */
  const run = async (request: FastifyRequest, slug: ReportSlug, choice: Choice) => {
    const org = request.org!
    return request.withTx(async (trx): Promise<{ body: unknown; table: ReportTable }> => {
      switch (slug) {
        case 'income-expenditure': {
          const ie = await reports.incomeAndExpenditure(
            trx,
            org.id,
            choice.fiscalYear,
            choice.fromPeriod,
            choice.toPeriod,
          )
          return { body: ie, table: incomeAndExpenditureTable(ie) }
        }
        case 'balance-sheet': {
          const bs = await reports.balanceSheet(trx, org.id, choice.fiscalYear, choice.toPeriod)
          return { body: bs, table: balanceSheetTable(bs) }
        }
        case 'budget-variance': {
          const variance = await reports.budgetVariance(trx, org.id, choice.fiscalYear, choice.toPeriod)
          return { body: variance, table: budgetVarianceTable(variance) }
        }
        case 'transparency': {
          const rows = await reports.transparency(trx, org.id, choice.fiscalYear, choice.toPeriod)
          return {
            body: { fiscalYear: choice.fiscalYear, period: choice.toPeriod, items: rows },
            table: transparencyTable(choice.fiscalYear, choice.toPeriod, rows),
          }
        }
      }
    })
  }
  const filename = (org: string, slug: string, choice: Choice) =>
    `${slug}-${org}-${choice.fiscalYear}-p${choice.fromPeriod === choice.toPeriod ? '' : `${choice.fromPeriod}-`}${choice.toPeriod}`

  return async (app: App) => {
    const read = { permission: 'finance:read' as const, kind: 'api' as const }
    const apiRoute = (
      slug: ReportSlug,
      summary: string,
      querystring: typeof RangeQuery | typeof PeriodEndQuery | typeof MonthQuery,
    ) =>
      app.get(
        `/api/v1/orgs/:orgCode/reports/${slug}`,
        {
          config: read,
          schema: {
            tags: ['finance'],
            summary,
            params: OrgParams,
            querystring,
            produces: ['application/json', 'text/csv', XLSX_CONTENT_TYPE],
          },
        },
        async (request, reply) => {
          const query = request.query as {
            fiscalYear: number
            fromPeriod?: number
            toPeriod?: number
            period?: number
            format?: 'json' | 'csv' | 'xlsx'
          }
          const toPeriod = query.toPeriod ?? query.period ?? 12
          const choice = {
            fiscalYear: query.fiscalYear,
            fromPeriod: slug === 'transparency' ? toPeriod : (query.fromPeriod ?? 1),
            toPeriod,
          }
          const { body, table } = await run(request, slug, choice)
          const format = query.format ?? 'json'
          if (format === 'json') return reply.send(body)
          return sendFile(reply, format, table, filename(request.org!.code, slug, choice))
        },
      )
    apiRoute(
      'income-expenditure',
      'Income and expenditure by standard account over a range of periods',
      RangeQuery,
    )
    apiRoute('balance-sheet', 'Assets, liabilities and reserves at the end of a period', PeriodEndQuery)
    apiRoute(
      'budget-variance',
      'Budget against actual to date and against forecast for the year, per account and cost centre',
      PeriodEndQuery,
    )
    apiRoute('transparency', 'The month’s spend over £25,000 in the published layout', MonthQuery)

    app.get(
      '/api/v1/clusters/:clusterCode/reports/:report',
      {
        config: { permission: 'orgs:read', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary:
            'Trial balance or income and expenditure by standard code, summed over the cluster’s organisations (for cluster admins and auditors of the cluster)',
          params: ClusterParams,
          querystring: RangeQuery,
          produces: ['application/json', 'text/csv', XLSX_CONTENT_TYPE],
        },
      },
      async (request, reply) => {
        const cluster = await clusterFor(request, request.params.clusterCode)
        const report = request.params.report as ClusterReport
        const choice = {
          fiscalYear: request.query.fiscalYear,
          fromPeriod: request.query.fromPeriod ?? 1,
          toPeriod: request.query.toPeriod ?? 12,
        }
        const { body, table } = await runCluster(request, cluster, report, choice)
        const format = request.query.format ?? 'json'
        if (format === 'json') return reply.send(body)
        return sendFile(reply, format, table, filename(cluster.code, report, choice))
      },
    )

    // --- Pages ----------------------------------------------------------------------------
    const page = { permission: 'finance:read' as const, kind: 'page' as const }
    const today = () => fiscalPeriodOf(new Date().toISOString().slice(0, 10))
    /** Reads the page's GET form leniently: anything unreadable falls back to a default. */
    const choiceOf = (query: Record<string, string | undefined>, slug: string): Choice => {
      const now = today()
      const period = (text: string | undefined, fallback: number) =>
        /^(1[0-2]|[1-9])$/.test(text ?? '') ? Number(text) : fallback
      const fiscalYear = /^\d{4}$/.test(query.fiscalYear ?? '') ? Number(query.fiscalYear) : now.fiscalYear
      const toPeriod = period(query.toPeriod, slug === 'transparency' ? now.period : 12)
      const fromPeriod =
        slug === 'income-expenditure' ? Math.min(period(query.fromPeriod, 1), toPeriod) : toPeriod
      return { fiscalYear, fromPeriod, toPeriod }
    }

    app.get(
      '/orgs/:orgCode/finance/reports',
      { config: page, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        return reply.page('finance/reports/views/index.njk', {
          pageTitle: `Reports – ${org.name}`,
          org,
          reports: REPORTS.map((report) => ({ ...report, href: reportsPaths.page(org.code, report.slug) })),
          budgetsHref: `/orgs/${encodeURIComponent(org.code)}/finance/budgets`,
          breadcrumbs: [
            { text: 'Home', href: '/' },
            { text: `Finance – ${org.name}`, href: `/orgs/${encodeURIComponent(org.code)}/finance` },
          ],
        })
      },
    )

    app.get(
      '/orgs/:orgCode/finance/reports/:report',
      {
        config: page,
        schema: {
          hide: true,
          params: Type.Object({
            orgCode: Type.String({ maxLength: 60 }),
            report: Type.Enum(REPORTS.map((report) => report.slug)),
          }),
        },
      },
      async (request, reply) => {
        const org = request.org!
        const slug = request.params.report as ReportSlug
        const definition = REPORTS.find((report) => report.slug === slug)!
        const query = request.query as Record<string, string | undefined>
        const choice = choiceOf(query, slug)
        const { table } = await run(request, slug, choice)
        if (query.format === 'csv' || query.format === 'xlsx')
          return sendFile(reply, query.format, table, filename(org.code, slug, choice))
        const periodItems = (selected: number) =>
          Array.from({ length: 12 }, (_, i) => ({
            value: String(i + 1),
            text: `Period ${i + 1}`,
            selected: i + 1 === selected,
          }))
        const queryString = `fiscalYear=${choice.fiscalYear}&fromPeriod=${choice.fromPeriod}&toPeriod=${choice.toPeriod}`
        return reply.page('finance/reports/views/report.njk', {
          pageTitle: `${definition.title} – ${org.name}`,
          org,
          heading: definition.title,
          caption: org.name,
          table,
          action: reportsPaths.page(org.code, slug),
          fiscalYear: choice.fiscalYear,
          fiscalYearLabel: fiscalYearLabel(choice.fiscalYear),
          range: definition.range,
          fromItems: periodItems(choice.fromPeriod),
          toItems: periodItems(choice.toPeriod),
          toLabel:
            slug === 'transparency' ? 'Month (period)' : definition.range ? 'To period' : 'To the end of',
          csvHref: `${reportsPaths.page(org.code, slug)}?${queryString}&format=csv`,
          xlsxHref: `${reportsPaths.page(org.code, slug)}?${queryString}&format=xlsx`,
          breadcrumbs: [
            { text: 'Home', href: '/' },
            { text: `Finance – ${org.name}`, href: `/orgs/${encodeURIComponent(org.code)}/finance` },
            { text: 'Reports', href: reportsPaths.index(org.code) },
          ],
        })
      },
    )

    app.get(
      '/clusters/:clusterCode/reports/:report',
      { config: { permission: 'orgs:read', kind: 'page' }, schema: { hide: true, params: ClusterParams } },
      async (request, reply) => {
        const cluster = await clusterFor(request, request.params.clusterCode)
        const report = request.params.report as ClusterReport
        const query = request.query as Record<string, string | undefined>
        const choice = choiceOf(query, 'income-expenditure')
        const { table, organisationCount } = await runCluster(request, cluster, report, choice)
        if (query.format === 'csv' || query.format === 'xlsx')
          return sendFile(reply, query.format, table, filename(cluster.code, report, choice))
        const periodItems = (selected: number) =>
          Array.from({ length: 12 }, (_, i) => ({
            value: String(i + 1),
            text: `Period ${i + 1}`,
            selected: i + 1 === selected,
          }))
        const heading =
          report === 'trial-balance' ? 'Consolidated trial balance' : 'Consolidated income and expenditure'
        const action = reportsPaths.cluster(cluster.code, report)
        const queryString = `fiscalYear=${choice.fiscalYear}&fromPeriod=${choice.fromPeriod}&toPeriod=${choice.toPeriod}`
        return reply.page('finance/reports/views/report.njk', {
          pageTitle: `${heading} – ${cluster.name}`,
          heading,
          caption: `${cluster.name}: ${organisationCount} organisations`,
          table,
          action,
          fiscalYear: choice.fiscalYear,
          fiscalYearLabel: fiscalYearLabel(choice.fiscalYear),
          range: true,
          fromItems: periodItems(choice.fromPeriod),
          toItems: periodItems(choice.toPeriod),
          toLabel: 'To period',
          csvHref: `${action}?${queryString}&format=csv`,
          xlsxHref: `${action}?${queryString}&format=xlsx`,
          breadcrumbs: [
            { text: 'Home', href: '/' },
            { text: 'Clusters', href: '/clusters' },
          ],
        })
      },
    )
  }
}
