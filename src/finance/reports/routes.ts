// Reports over HTTP: JSON, CSV and Excel from the API, and GOV.UK pages (no JavaScript; the
// choices are a GET form) with the same downloads. The cluster view sums a cluster's organisations
// for the cluster's own staff.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { fiscalPeriodOf, fiscalYearLabel, periodDates } from '../chart.ts'
import { LedgerService } from '../ledger.ts'
import { agedCreditors, promptPayment } from '../payables/performance.ts'
import { OrgParams } from '../schema.ts'
import { type ReportTable, toCsv, toXlsx, XLSX_CONTENT_TYPE } from './export.ts'
import type { ReportsService } from './service.ts'
import {
  agedCreditorsTable,
  balanceSheetTable,
  budgetVarianceTable,
  clusterTrialBalanceTable,
  eliminationsTable,
  incomeAndExpenditureTable,
  promptPaymentTable,
  transparencyTable,
  trialBalanceTable,
  unmatchedRechargesTable,
} from './tables.ts'

/**
 * How a report is chosen: a range of periods, the end of a period, one month, a whole year, or a
 * date (aged creditors are aged to a day, not a period).
 */
type Choose = 'range' | 'period-end' | 'month' | 'year' | 'date'

export const REPORTS = [
  { slug: 'trial-balance', title: 'Trial balance', choose: 'period-end' },
  { slug: 'income-expenditure', title: 'Income and expenditure', choose: 'range' },
  { slug: 'balance-sheet', title: 'Balance sheet', choose: 'period-end' },
  { slug: 'budget-variance', title: 'Budget variance', choose: 'period-end' },
  { slug: 'aged-creditors', title: 'Aged creditors', choose: 'date' },
  { slug: 'prompt-payment', title: 'Prompt payment', choose: 'year' },
  { slug: 'transparency', title: 'Spend over £25,000', choose: 'month' },
] as const satisfies ReadonlyArray<{ slug: string; title: string; choose: Choose }>
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
const YearQuery = Type.Object({ fiscalYear: FiscalYear, format: Format }, { additionalProperties: false })
const AsOf = Type.String({ format: 'date', description: 'Age what is owed to this date' })
const DateQuery = Type.Object({ asOf: AsOf, format: Format }, { additionalProperties: false })
export const CLUSTER_REPORTS = [
  'trial-balance',
  'income-expenditure',
  'prompt-payment',
  'aged-creditors',
] as const
type ClusterReport = (typeof CLUSTER_REPORTS)[number]
const CLUSTER_HEADINGS: Record<ClusterReport, string> = {
  'trial-balance': 'Consolidated trial balance',
  'income-expenditure': 'Consolidated income and expenditure',
  'prompt-payment': 'Prompt payment across the cluster',
  'aged-creditors': 'Aged creditors across the cluster',
}
const ClusterParams = Type.Object({
  clusterCode: Type.String({ maxLength: 60 }),
  report: Type.Enum([...CLUSTER_REPORTS]),
})
const ClusterQuery = Type.Object(
  {
    fiscalYear: Type.Optional(FiscalYear),
    fromPeriod: Period('First period (default 1)'),
    toPeriod: Period('Last period (default 12)'),
    asOf: Type.Optional(AsOf),
    format: Format,
  },
  { additionalProperties: false },
)

interface Choice {
  fiscalYear: number
  fromPeriod: number
  toPeriod: number
  /** For aged creditors: the day debts are aged to. */
  asOf: string
}

const todayIso = () => new Date().toISOString().slice(0, 10)
function isRealDate(value: string | undefined): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
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

export function reportsRoutesOver(reports: ReportsService, ledger = new LedgerService()) {
  /** Runs one cluster report (the caller has checked the person may see the cluster). */
  const runCluster = (
    request: FastifyRequest,
    cluster: { id: string; code: string; name: string },
    report: ClusterReport,
    choice: Choice,
  ) =>
    request.withTx(
      async (
        trx,
      ): Promise<{
        body: unknown
        table: ReportTable
        extraTables: ReportTable[]
        organisationCount: number
      }> => {
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
          return {
            body: tb,
            table: clusterTrialBalanceTable(tb),
            extraTables: [eliminationsTable(tb), unmatchedRechargesTable(tb)],
            organisationCount: tb.organisations.length,
          }
        }
        if (report === 'income-expenditure') {
          const ie = await reports.clusterIncomeAndExpenditure(...args)
          const table = incomeAndExpenditureTable(ie)
          table.title = `${table.title}, ${cluster.code}, after eliminating agreed recharges`
          return { body: ie, table, extraTables: [], organisationCount: ie.organisations.length }
        }
        // Row-level security limits these to the organisations the person may see.
        const organisations = await trx
          .selectFrom('organisations')
          .select(['id', 'code', 'name'])
          .where('cluster_id', '=', cluster.id)
          .orderBy('name')
          .execute()
        const ids = organisations.map((org) => org.id)
        const listed = organisations.map((org) => ({ code: org.code, name: org.name }))
        if (report === 'prompt-payment') {
          const quarters = await promptPayment(trx, ids, choice.fiscalYear)
          return {
            body: { clusterCode: cluster.code, organisations: listed, quarters },
            table: promptPaymentTable(choice.fiscalYear, quarters, cluster.name),
            extraTables: [],
            organisationCount: ids.length,
          }
        }
        const aged = await agedCreditors(trx, ids, choice.asOf)
        return {
          body: { clusterCode: cluster.code, organisations: listed, ...aged },
          table: agedCreditorsTable(aged, cluster.name),
          extraTables: [],
          organisationCount: ids.length,
        }
      },
    )
  /** Runs one report for an organisation and gives back the JSON body and its table. */
  const run = async (request: FastifyRequest, slug: ReportSlug, choice: Choice) => {
    const org = request.org!
    return request.withTx(async (trx): Promise<{ body: unknown; table: ReportTable }> => {
      switch (slug) {
        case 'trial-balance': {
          const tb = await ledger.trialBalance(trx, org.id, choice.fiscalYear, choice.toPeriod)
          return { body: tb, table: trialBalanceTable(tb) }
        }
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
        case 'aged-creditors': {
          const aged = await agedCreditors(trx, org.id, choice.asOf)
          return { body: aged, table: agedCreditorsTable(aged) }
        }
        case 'prompt-payment': {
          const quarters = await promptPayment(trx, org.id, choice.fiscalYear)
          return { body: { quarters }, table: promptPaymentTable(choice.fiscalYear, quarters) }
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
  const filename = (org: string, slug: string, choice: Choice, choose: Choose) => {
    if (choose === 'date') return `${slug}-${org}-${choice.asOf}`
    if (choose === 'year') return `${slug}-${org}-${choice.fiscalYear}`
    if (choose === 'period-end' || choose === 'month')
      return `${slug}-${org}-${choice.fiscalYear}-p${choice.toPeriod}`
    return `${slug}-${org}-${choice.fiscalYear}-p${choice.fromPeriod === choice.toPeriod ? '' : `${choice.fromPeriod}-`}${choice.toPeriod}`
  }
  const chooseOf = (slug: ReportSlug) => REPORTS.find((report) => report.slug === slug)!.choose as Choose
  const CLUSTER_CHOOSE: Record<ClusterReport, Choose> = {
    'trial-balance': 'range',
    'income-expenditure': 'range',
    'prompt-payment': 'year',
    'aged-creditors': 'date',
  }

  return async (app: App) => {
    const read = { permission: 'finance:read' as const, kind: 'api' as const }
    const apiRoute = (
      slug: ReportSlug,
      summary: string,
      querystring:
        | typeof RangeQuery
        | typeof PeriodEndQuery
        | typeof MonthQuery
        | typeof YearQuery
        | typeof DateQuery,
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
            fiscalYear?: number
            fromPeriod?: number
            toPeriod?: number
            period?: number
            asOf?: string
            format?: 'json' | 'csv' | 'xlsx'
          }
          const toPeriod = query.toPeriod ?? query.period ?? 12
          const choice = {
            fiscalYear: query.fiscalYear ?? fiscalPeriodOf(query.asOf ?? todayIso()).fiscalYear,
            fromPeriod: slug === 'transparency' ? toPeriod : (query.fromPeriod ?? 1),
            toPeriod,
            asOf: query.asOf ?? todayIso(),
          }
          const { body, table } = await run(request, slug, choice)
          const format = query.format ?? 'json'
          if (format === 'json') return reply.send(body)
          return sendFile(reply, format, table, filename(request.org!.code, slug, choice, chooseOf(slug)))
        },
      )
    apiRoute(
      'trial-balance',
      'Trial balance by account to the end of a period (JSON, CSV or Excel)',
      PeriodEndQuery,
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
    apiRoute(
      'aged-creditors',
      'What is owed to each supplier on a date, by days past due (JSON, CSV or Excel)',
      DateQuery,
    )
    apiRoute(
      'prompt-payment',
      'Share of invoices paid within 5 and within 30 days of receipt, by quarter (JSON, CSV or Excel)',
      YearQuery,
    )
    apiRoute('transparency', 'The month’s spend over £25,000 in the published layout', MonthQuery)

    app.get(
      '/api/v1/clusters/:clusterCode/reports/:report',
      {
        config: { permission: 'orgs:read', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary:
            'Consolidated trial balance or income and expenditure by standard code (agreed recharges between the cluster’s organisations eliminated), prompt payment, or aged creditors, over the cluster’s organisations (for cluster admins and auditors of the cluster)',
          params: ClusterParams,
          querystring: ClusterQuery,
          produces: ['application/json', 'text/csv', XLSX_CONTENT_TYPE],
        },
      },
      async (request, reply) => {
        const cluster = await clusterFor(request, request.params.clusterCode)
        const report = request.params.report as ClusterReport
        const query = request.query
        if (CLUSTER_CHOOSE[report] !== 'date' && query.fiscalYear === undefined)
          throw new ValidationError('Give the financial year', [
            { field: '/fiscalYear', message: 'Enter a financial year like 2026 (for 2026-27)' },
          ])
        if (CLUSTER_CHOOSE[report] === 'date' && query.asOf === undefined)
          throw new ValidationError('Give the date to age debts to', [
            { field: '/asOf', message: 'Enter a date like 2026-04-30' },
          ])
        const choice = {
          fiscalYear: query.fiscalYear ?? fiscalPeriodOf(query.asOf ?? todayIso()).fiscalYear,
          fromPeriod: query.fromPeriod ?? 1,
          toPeriod: query.toPeriod ?? 12,
          asOf: query.asOf ?? todayIso(),
        }
        const { body, table } = await runCluster(request, cluster, report, choice)
        const format = query.format ?? 'json'
        if (format === 'json') return reply.send(body)
        return sendFile(reply, format, table, filename(cluster.code, report, choice, CLUSTER_CHOOSE[report]))
      },
    )

    // --- Pages ----------------------------------------------------------------------------
    const page = { permission: 'finance:read' as const, kind: 'page' as const }
    const today = () => fiscalPeriodOf(todayIso())
    /** Reads the page's GET form leniently: anything unreadable falls back to a default. */
    const choiceOf = (query: Record<string, string | undefined>, choose: Choose): Choice => {
      const now = today()
      const period = (text: string | undefined, fallback: number) =>
        /^(1[0-2]|[1-9])$/.test(text ?? '') ? Number(text) : fallback
      const fiscalYear = /^\d{4}$/.test(query.fiscalYear ?? '') ? Number(query.fiscalYear) : now.fiscalYear
      const toPeriod = period(query.toPeriod, choose === 'month' ? now.period : 12)
      const fromPeriod = choose === 'range' ? Math.min(period(query.fromPeriod, 1), toPeriod) : toPeriod
      const pad = (text: string | undefined) => (text ?? '').trim().padStart(2, '0')
      const typed = `${(query['asOf-year'] ?? '').trim()}-${pad(query['asOf-month'])}-${pad(query['asOf-day'])}`
      const asOf = isRealDate(query.asOf) ? query.asOf : isRealDate(typed) ? typed : todayIso()
      return { fiscalYear, fromPeriod, toPeriod, asOf }
    }
    const periodItems = (selected: number) =>
      Array.from({ length: 12 }, (_, i) => ({
        value: String(i + 1),
        text: `Period ${i + 1}`,
        selected: i + 1 === selected,
      }))
    const queryStringOf = (choice: Choice, choose: Choose) =>
      choose === 'date'
        ? `asOf=${choice.asOf}`
        : choose === 'year'
          ? `fiscalYear=${choice.fiscalYear}`
          : `fiscalYear=${choice.fiscalYear}&fromPeriod=${choice.fromPeriod}&toPeriod=${choice.toPeriod}`
    /** What report.njk needs to draw the choice form for a report. */
    const formOf = (choice: Choice, choose: Choose) => {
      const [year, month, day] = choice.asOf.split('-')
      return {
        choose,
        fiscalYear: choice.fiscalYear,
        fiscalYearLabel: fiscalYearLabel(choice.fiscalYear),
        range: choose === 'range',
        fromItems: periodItems(choice.fromPeriod),
        toItems: periodItems(choice.toPeriod),
        toLabel: choose === 'month' ? 'Month (period)' : choose === 'range' ? 'To period' : 'To the end of',
        asOfItems: [
          { name: 'day', classes: 'govuk-input--width-2', value: String(Number(day)) },
          { name: 'month', classes: 'govuk-input--width-2', value: String(Number(month)) },
          { name: 'year', classes: 'govuk-input--width-4', value: year },
        ],
        asOfPeriodEnd: periodDates(choice.fiscalYear, choice.toPeriod).endsOn,
      }
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
        const choose = definition.choose as Choose
        const query = request.query as Record<string, string | undefined>
        const choice = choiceOf(query, choose)
        const { table } = await run(request, slug, choice)
        if (query.format === 'csv' || query.format === 'xlsx')
          return sendFile(reply, query.format, table, filename(org.code, slug, choice, choose))
        const queryString = queryStringOf(choice, choose)
        return reply.page('finance/reports/views/report.njk', {
          pageTitle: `${definition.title} – ${org.name}`,
          org,
          heading: definition.title,
          caption: org.name,
          table,
          action: reportsPaths.page(org.code, slug),
          ...formOf(choice, choose),
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
        const choose = CLUSTER_CHOOSE[report]
        const query = request.query as Record<string, string | undefined>
        const choice = choiceOf(query, choose)
        const { table, extraTables, organisationCount } = await runCluster(request, cluster, report, choice)
        if (query.format === 'csv' || query.format === 'xlsx')
          return sendFile(reply, query.format, table, filename(cluster.code, report, choice, choose))
        const heading = CLUSTER_HEADINGS[report]
        const action = reportsPaths.cluster(cluster.code, report)
        const queryString = queryStringOf(choice, choose)
        return reply.page('finance/reports/views/report.njk', {
          pageTitle: `${heading} – ${cluster.name}`,
          heading,
          caption: `${cluster.name}: ${organisationCount} organisations`,
          table,
          extraTables,
          otherReports: CLUSTER_REPORTS.filter((other) => other !== report).map((other) => ({
            text: CLUSTER_HEADINGS[other],
            href: reportsPaths.cluster(cluster.code, other),
          })),
          action,
          ...formOf(choice, choose),
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
