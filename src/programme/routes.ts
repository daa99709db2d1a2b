// The programme dashboard over HTTP (issue 7, deliverable 7): the programme home page /programme
// and one page per cluster, each chart an inline SVG rendered on the server (charts.ts) with its
// data table beside it and the provenance of its figures; quarter and cluster chosen by a GET form
// (no JavaScript); the same figures as CSV and XLSX (?format=) and on the API.
import { createHash } from 'node:crypto'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { type ReportTable, toCsv, toXlsx, XLSX_CONTENT_TYPE } from '../finance/reports/export.ts'
import { ValidationError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { formatGbp } from '../platform/money.ts'
import {
  barChart,
  type ChartTable,
  heatMap,
  heatMapTable,
  lineChart,
  seriesTable,
  stackedBar,
  timeline,
  timelineTable,
} from './charts.ts'
import {
  CONFIDENCE_LABELS,
  CONFIDENCE_SCALE,
  CONVERGENCE_INDICATORS,
  type Dashboard,
  dashboardFigures,
  type ProvenanceShare,
} from './dashboard.ts'
import { isQuarterCode, lastCompleteQuarter, previousQuarter } from './quarters.ts'

export const programmePaths = {
  home: '/programme',
  cluster: (code: string) => `/programme/clusters/${encodeURIComponent(code)}`,
  api: '/api/v1/programme/dashboard',
}

const QuarterCode = Type.String({
  pattern: '^[0-9]{4}-Q[1-4]$',
  description: 'For example 2026-Q2 (July to September 2026)',
})
const ClusterCode = Type.String({ pattern: '^[a-z0-9-]{2,60}$' })
const Format = Type.Optional(Type.Enum(['html', 'csv', 'xlsx']))
// Pages take the filter form's fields loosely (an empty select sends cluster=): checked below.
const PageQuery = Type.Object(
  {
    quarter: Type.Optional(Type.String({ maxLength: 20 })),
    cluster: Type.Optional(Type.String({ maxLength: 60 })),
    format: Format,
  },
  { additionalProperties: false },
)
const ApiQuery = Type.Object(
  {
    quarter: Type.Optional(QuarterCode),
    cluster: Type.Optional(ClusterCode),
    format: Type.Optional(Type.Enum(['json', 'csv', 'xlsx'])),
  },
  { additionalProperties: false },
)
const ClusterParams = Type.Object({ clusterCode: ClusterCode })

const read = { permission: 'programme:read', kind: 'page' } as const

// ---- charts: rendered once per distinct input ------------------------------------------------
// ECharts takes tens of milliseconds per chart on the server; a chart is a pure function of its
// input, so the SVG is kept by a hash of the input (bounded, oldest dropped first). New figures
// give a new hash, so a cached chart is never stale.
const CHART_CACHE_MAX = 500
const chartCache = new Map<string, string>()
function cached(kind: string, input: unknown, render: () => string): string {
  const key = createHash('sha1').update(kind).update(JSON.stringify(input)).digest('base64')
  const hit = chartCache.get(key)
  if (hit !== undefined) return hit
  const svg = render()
  if (chartCache.size >= CHART_CACHE_MAX) chartCache.delete(chartCache.keys().next().value!)
  chartCache.set(key, svg)
  return svg
}

/** Empties the chart cache (the benchmark's cold case). */
export function clearChartCache(): void {
  chartCache.clear()
}

export interface Panel {
  id: string
  heading: string
  svg: string
  table: ChartTable
  provenance: ProvenanceShare | null
  note?: string
}

const millions = (pence: number) => Math.round(pence / 1_000_000) / 100
const pct = (value: number | null) => value
const pounds = (pence: number | null) => (pence === null ? null : Math.round(pence) / 100)

function provenanceText(share: ProvenanceShare | null): string {
  if (!share) return ''
  if (share.figures === 0) return 'No figures yet.'
  return `Computed ${share.computed}%, submitted ${share.submitted}%, estimated ${share.estimated}% of ${share.figures} figures.`
}

function seriesPanel(
  id: string,
  kind: 'bar' | 'stacked' | 'line',
  input: Parameters<typeof barChart>[0] & { categoryHeading: string },
  provenance: ProvenanceShare | null,
  note?: string,
): Panel {
  const render = kind === 'bar' ? barChart : kind === 'stacked' ? stackedBar : lineChart
  return {
    id,
    heading: input.title,
    svg: cached(kind, input, () => render(input)),
    table: seriesTable(input),
    provenance,
    ...(note ? { note } : {}),
  }
}

/** The charts and tables of a dashboard, in page order. */
export function dashboardPanels(d: Dashboard): Panel[] {
  const names = d.clusters.map((c) => c.cluster.name)
  const quarterCodes = d.quarters.map((q) => q.code)
  const q = d.quarter.code
  const panels: Panel[] = []
  panels.push(
    seriesPanel(
      'returns',
      'stacked',
      {
        title: `Returns for ${q}: received, late, invalid and missing`,
        categoryHeading: 'Cluster',
        categories: names,
        unit: 'organisations',
        series: [
          { name: 'Received on time', values: d.clusters.map((c) => c.current.status.received) },
          { name: 'Late', values: d.clusters.map((c) => c.current.status.late) },
          { name: 'Invalid', values: d.clusters.map((c) => c.current.status.invalid) },
          { name: 'Missing', values: d.clusters.map((c) => c.current.status.missing) },
        ],
      },
      null,
      'Every organisation in the cluster now; a return counts once, by its current version.',
    ),
  )
  panels.push(
    seriesPanel(
      'data-quality',
      'line',
      {
        title: 'Data-quality score by cluster, last eight quarters',
        categoryHeading: 'Quarter',
        categories: quarterCodes,
        unit: 'score',
        series: d.clusters.map((c) => ({
          name: c.cluster.name,
          values: c.quarters.map((x) => x.dataQuality.overall),
        })),
      },
      null,
      `Overall score 0-100 (completeness, timeliness, validity and consistency); a missing return scores 0. ${q}: ${d.clusters
        .map((c) => `${c.cluster.name} ${c.current.dataQuality.overall}`)
        .join(', ')}.`,
    ),
  )
  const f = (select: (c: Dashboard['clusters'][number]) => number | null) => d.clusters.map(select)
  panels.push(
    seriesPanel(
      'workforce',
      'bar',
      {
        title: `Headcount and FTE, ${q}`,
        categoryHeading: 'Cluster',
        categories: names,
        unit: 'people',
        series: [
          { name: 'Headcount', values: f((c) => c.current.figures.headcount) },
          { name: 'FTE', values: f((c) => c.current.figures.fte) },
        ],
      },
      d.provenance.service,
    ),
  )
  panels.push(
    seriesPanel(
      'transactions',
      'bar',
      {
        title: `Payslips and invoices processed, ${q}`,
        categoryHeading: 'Cluster',
        categories: names,
        unit: 'transactions',
        series: [
          { name: 'Payslips', values: f((c) => c.current.figures.payslips) },
          { name: 'Invoices', values: f((c) => c.current.figures.invoicesProcessed) },
        ],
      },
      d.provenance.service,
    ),
  )
  panels.push(
    seriesPanel(
      'cost-per-transaction',
      'bar',
      {
        title: `Cost per transaction, ${q}`,
        categoryHeading: 'Cluster',
        categories: names,
        unit: '£',
        series: [
          {
            name: 'Cost per transaction (£)',
            values: f((c) => pounds(c.current.figures.costPerTransactionPence)),
          },
        ],
      },
      d.provenance.service,
      'Back-office running cost divided by payslips plus invoices, over returns that report all three.',
    ),
  )
  panels.push(
    seriesPanel(
      'prompt-payment',
      'bar',
      {
        title: `Prompt payment, ${q}`,
        categoryHeading: 'Cluster',
        categories: names,
        unit: '%',
        series: [
          { name: 'Paid within 5 days', values: f((c) => pct(c.current.figures.paidWithin5DaysPercent)) },
          { name: 'Paid within 30 days', values: f((c) => pct(c.current.figures.paidWithin30DaysPercent)) },
        ],
      },
      d.provenance.service,
      'Weighted by invoices processed. Targets: 80% within 5 days, all within 30 days.',
    ),
  )
  panels.push(
    seriesPanel(
      'convergence-trend',
      'line',
      {
        title: 'Convergence index by cluster, last eight quarters',
        categoryHeading: 'Quarter',
        categories: quarterCodes,
        unit: '%',
        series: d.clusters.map((c) => ({
          name: c.cluster.name,
          values: c.quarters.map((x) => x.figures.convergenceIndex),
        })),
      },
      d.provenance.convergence,
      'The mean of the six convergence indicators each cluster’s returns report.',
    ),
  )
  panels.push(
    seriesPanel(
      'convergence',
      'bar',
      {
        title: `Convergence indicators by cluster, ${q}`,
        categoryHeading: 'Indicator',
        categories: CONVERGENCE_INDICATORS.map((i) => i.label),
        unit: '%',
        horizontal: true,
        height: 420,
        series: d.clusters.map((c) => ({
          name: c.cluster.name,
          values: CONVERGENCE_INDICATORS.map((i) => c.current.figures.convergence[i.key]),
        })),
      },
      d.provenance.convergence,
    ),
  )
  panels.push(
    seriesPanel(
      'migration',
      'line',
      {
        title: 'Organisations live against plan, last eight quarters',
        categoryHeading: 'Quarter',
        categories: quarterCodes,
        unit: 'organisations',
        series: [
          { name: 'Planned to be live', values: d.total.migrationTrend.map((x) => x.planned) },
          { name: 'Live', values: d.total.migrationTrend.map((x) => x.live) },
        ],
      },
      share(d.total.migration.organisations),
      `Now: ${d.total.migration.live} live, ${d.total.migration.migrating} migrating, ${d.total.migration.planned} planned, ${d.total.migration.notPlanned} not planned.`,
    ),
  )
  panels.push(
    seriesPanel(
      'benefits',
      'bar',
      {
        title: 'Benefits forecast against realised, by fiscal year (£ million)',
        categoryHeading: 'Fiscal year',
        categories: d.benefits.byYear.map(
          (y) => `${y.fiscalYear}-${String((y.fiscalYear + 1) % 100).padStart(2, '0')}`,
        ),
        unit: '£m',
        series: [
          {
            name: 'Cashable forecast',
            values: d.benefits.byYear.map((y) => millions(y.cashableForecastPence)),
          },
          {
            name: 'Non-cashable forecast',
            values: d.benefits.byYear.map((y) => millions(y.nonCashableForecastPence)),
          },
          { name: 'Realised', values: d.benefits.byYear.map((y) => millions(y.realisedPence)) },
        ],
      },
      d.provenance.benefits,
      `Forecast in total ${formatGbp(d.benefits.forecastPence)}; realised with evidence ${formatGbp(d.benefits.realisedPence)}.`,
    ),
  )
  panels.push(
    seriesPanel(
      'costs',
      'bar',
      {
        title: `Programme cost to date against budget, to ${d.quarter.fiscalYear}-${String((d.quarter.fiscalYear + 1) % 100).padStart(2, '0')} (£ million)`,
        categoryHeading: 'Cluster',
        categories: names,
        unit: '£m',
        series: [
          { name: 'Budget', values: d.clusters.map((c) => millions(c.costs.budgetPence)) },
          { name: 'Spend to date', values: d.clusters.map((c) => millions(c.costs.spendToDatePence)) },
        ],
      },
      d.provenance.costs,
      `Programme total: budget ${formatGbp(d.costs.budgetPence)}, spend ${formatGbp(d.costs.spendToDatePence)} (${formatGbp(d.costs.ledgerSpendPence)} of it from the ledger). Programme-wide lines are in the total only.`,
    ),
  )
  panels.push(
    seriesPanel(
      'funding',
      'bar',
      {
        title: 'Funding requested against approved (£ million)',
        categoryHeading: 'Spending review and period',
        categories: d.funding.map((x) => `${x.spendingReview} ${x.periodLabel}`),
        unit: '£m',
        series: [
          { name: 'Requested (low)', values: d.funding.map((x) => millions(x.requestedLowPence)) },
          { name: 'Requested (high)', values: d.funding.map((x) => millions(x.requestedHighPence)) },
          { name: 'Approved', values: d.funding.map((x) => millions(x.approvedPence)) },
        ],
      },
      d.provenance.funding,
    ),
  )
  const confidenceInput = {
    title: 'Delivery confidence by cluster (IPA scale), last eight quarters',
    categoryHeading: 'Quarter',
    categories: quarterCodes,
    step: true,
    yLabels: CONFIDENCE_SCALE.map((r) => CONFIDENCE_LABELS[r]),
    series: d.clusters.map((c) => ({
      name: c.cluster.name,
      values: c.deliveryConfidence.trend.map((x) => (x.rating ? CONFIDENCE_SCALE.indexOf(x.rating) : null)),
    })),
  }
  panels.push({
    id: 'delivery-confidence',
    heading: confidenceInput.title,
    svg: cached('confidence', confidenceInput, () => lineChart(confidenceInput)),
    table: seriesTable(confidenceInput),
    provenance: null,
    note: `Current: ${d.clusters
      .map(
        (c) =>
          `${c.cluster.name} ${c.deliveryConfidence.current ? CONFIDENCE_LABELS[c.deliveryConfidence.current.rating] : 'not assessed'}`,
      )
      .join(', ')}.`,
  })
  const heatInput = {
    title: `Open risks by residual likelihood and impact (${d.risks.open})`,
    xLabels: ['1', '2', '3', '4', '5'],
    yLabels: ['1', '2', '3', '4', '5'],
    xName: 'Impact',
    yName: 'Likelihood',
    counts: d.risks.residual,
  }
  panels.push({
    id: 'risks',
    heading: heatInput.title,
    svg: cached('heat', heatInput, () => heatMap(heatInput)),
    table: heatMapTable(heatInput),
    provenance: null,
    note: `Managed at programme level ${d.risks.byLevel.programme}, cluster ${d.risks.byLevel.cluster}, organisation ${d.risks.byLevel.organisation}.`,
  })
  const timelineInput = {
    title: `Legacy contracts expiring before their replacement (${d.legacy.expiringBeforeReplacement.length})`,
    highlightLabel: 'Short even with every extension',
    items: d.legacy.expiringBeforeReplacement.map((s) => ({
      lane: s.cluster,
      label: s.name,
      start: s.contractExpiresOn,
      end: s.replacementDueOn ?? s.contractExpiresOn,
      highlight: s.evenWithExtensions,
    })),
  }
  panels.push({
    id: 'legacy',
    heading: timelineInput.title,
    svg: cached('timeline', timelineInput, () => timeline(timelineInput)),
    table: timelineTable(timelineInput, 'Cluster'),
    provenance: null,
    note: 'Each bar runs from the contract’s expiry to the replacement’s due date: the gap to cover.',
  })
  return panels
}

function share(organisations: number): ProvenanceShare {
  // Onboarding status is the platform's own directory: computed.
  return { computed: organisations ? 100 : 0, submitted: 0, estimated: 0, figures: organisations }
}

// ---- export ------------------------------------------------------------------------------------

/** Every figure as one long table (section, cluster, quarter, measure, value, unit, provenance). */
export function dashboardTable(d: Dashboard): ReportTable {
  const rows: ReportTable['rows'] = []
  const add = (
    section: string,
    cluster: string,
    quarter: string,
    measure: string,
    value: number | string | null,
    unit: string,
    provenance = '',
  ) => rows.push({ section, cluster, quarter, measure, value: value === null ? '' : value, unit, provenance })
  const groups = [
    ...d.clusters.map((c) => ({ name: c.cluster.name, data: c })),
    {
      name: d.cluster ? `${d.cluster.name} (total)` : 'Programme',
      data: { ...d.total, deliveryConfidence: null },
    },
  ]
  for (const g of groups) {
    for (const x of g.data.quarters) {
      add('Returns', g.name, x.quarter, 'Organisations', x.status.members, 'organisations')
      add('Returns', g.name, x.quarter, 'Received on time', x.status.received, 'organisations')
      add('Returns', g.name, x.quarter, 'Late', x.status.late, 'organisations')
      add('Returns', g.name, x.quarter, 'Invalid', x.status.invalid, 'organisations')
      add('Returns', g.name, x.quarter, 'Missing', x.status.missing, 'organisations')
      for (const [k, v] of Object.entries(x.dataQuality))
        add('Data quality', g.name, x.quarter, k, v, 'score')
      const fig = x.figures
      const prov = x.quarter === d.quarter.code ? provenanceText(d.provenance.service) : ''
      add('Service', g.name, x.quarter, 'Valid returns', fig.returns, 'returns')
      add('Service', g.name, x.quarter, 'Headcount', fig.headcount, 'people', prov)
      add('Service', g.name, x.quarter, 'FTE', fig.fte, 'FTE', prov)
      add('Service', g.name, x.quarter, 'Payslips', fig.payslips, 'payslips', prov)
      add('Service', g.name, x.quarter, 'Invoices processed', fig.invoicesProcessed, 'invoices', prov)
      add('Service', g.name, x.quarter, 'Back-office cost', pounds(fig.backOfficeCostPence), '£', prov)
      add(
        'Service',
        g.name,
        x.quarter,
        'Cost per transaction',
        pounds(fig.costPerTransactionPence),
        '£',
        prov,
      )
      add('Service', g.name, x.quarter, 'Paid within 5 days', fig.paidWithin5DaysPercent, '%', prov)
      add('Service', g.name, x.quarter, 'Paid within 30 days', fig.paidWithin30DaysPercent, '%', prov)
      add(
        'Convergence',
        g.name,
        x.quarter,
        'Convergence index',
        fig.convergenceIndex,
        '%',
        provenanceText(d.provenance.convergence),
      )
      for (const i of CONVERGENCE_INDICATORS)
        add(
          'Convergence',
          g.name,
          x.quarter,
          i.label,
          fig.convergence[i.key],
          '%',
          provenanceText(d.provenance.convergence),
        )
    }
    for (const m of g.data.migrationTrend) {
      add('Migration', g.name, m.quarter, 'Live', m.live, 'organisations', 'computed')
      add('Migration', g.name, m.quarter, 'Planned to be live', m.planned, 'organisations', 'computed')
    }
    add(
      'Costs',
      g.name,
      '',
      'Budget',
      pounds(g.data.costs.budgetPence),
      '£',
      provenanceText(d.provenance.costs),
    )
    add(
      'Costs',
      g.name,
      '',
      'Spend to date',
      pounds(g.data.costs.spendToDatePence),
      '£',
      provenanceText(d.provenance.costs),
    )
    if ('cluster' in g.data && g.data.deliveryConfidence) {
      for (const a of g.data.deliveryConfidence.history)
        add('Delivery confidence', g.name, a.assessedOn, 'Rating', CONFIDENCE_LABELS[a.rating], 'IPA scale')
    }
  }
  const scope = d.cluster?.name ?? 'Programme'
  for (const y of d.benefits.byYear) {
    add(
      'Benefits',
      scope,
      String(y.fiscalYear),
      'Cashable forecast',
      pounds(y.cashableForecastPence),
      '£',
      'estimated',
    )
    add(
      'Benefits',
      scope,
      String(y.fiscalYear),
      'Non-cashable forecast',
      pounds(y.nonCashableForecastPence),
      '£',
      'estimated',
    )
    add(
      'Benefits',
      scope,
      String(y.fiscalYear),
      'Realised',
      pounds(y.realisedPence),
      '£',
      'submitted with evidence',
    )
  }
  for (const x of d.funding) {
    const label = `${x.spendingReview} ${x.periodLabel}`
    add('Funding', scope, label, 'Requested (low)', pounds(x.requestedLowPence), '£', 'submitted')
    add('Funding', scope, label, 'Requested (high)', pounds(x.requestedHighPence), '£', 'submitted')
    add('Funding', scope, label, 'Approved', pounds(x.approvedPence), '£', 'submitted')
  }
  for (let l = 0; l < 5; l++)
    for (let i = 0; i < 5; i++)
      if (d.risks.residual[l]![i]!)
        add(
          'Risks',
          scope,
          '',
          `Likelihood ${l + 1}, impact ${i + 1}`,
          d.risks.residual[l]![i]!,
          'open risks',
        )
  for (const s of d.legacy.expiringBeforeReplacement)
    add(
      'Legacy',
      s.cluster,
      s.contractExpiresOn,
      `${s.name}: replacement due ${s.replacementDueOn ?? 'not set'}`,
      s.evenWithExtensions ? 'short even with extensions' : 'covered by extensions',
      '',
    )
  for (const o of d.organisations) {
    add('Organisations', o.name, d.quarter.code, 'Return', o.status, '', provenanceText(o.provenance))
    if (o.figures) {
      add('Organisations', o.name, d.quarter.code, 'Headcount', o.figures.headcount, 'people')
      add('Organisations', o.name, d.quarter.code, 'Convergence index', o.figures.convergenceIndex, '%')
    }
  }
  return {
    title: `Programme dashboard ${d.quarter.code}`,
    columns: [
      { key: 'section', heading: 'Section' },
      { key: 'cluster', heading: 'Cluster or organisation' },
      { key: 'quarter', heading: 'Quarter or period' },
      { key: 'measure', heading: 'Measure' },
      { key: 'value', heading: 'Value' },
      { key: 'unit', heading: 'Unit' },
      { key: 'provenance', heading: 'Provenance' },
    ],
    rows,
  }
}

async function sendExport(reply: FastifyReply, format: 'csv' | 'xlsx', d: Dashboard) {
  const name = `programme-dashboard-${d.cluster ? `${d.cluster.code}-` : ''}${d.quarter.code}`
  const table = dashboardTable(d)
  if (format === 'csv')
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}.csv"`)
      .send(toCsv(table))
  return reply
    .type(XLSX_CONTENT_TYPE)
    .header('content-disposition', `attachment; filename="${name}.xlsx"`)
    .send(await toXlsx(table))
}

function pageQuarter(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return lastCompleteQuarter()
  const code = value.trim().toUpperCase()
  if (!isQuarterCode(code))
    throw new ValidationError('Enter the quarter as a year and quarter, for example 2026-Q2', [
      { field: '/quarter', message: 'Enter the quarter as a year and quarter, for example 2026-Q2' },
    ])
  return code
}

/** The figures for the API: the dashboard as JSON, dates as ISO text. */
function apiBody(d: Dashboard) {
  return {
    quarter: d.quarter.code,
    quarterLabel: d.quarter.label,
    quarters: d.quarters.map((q) => q.code),
    cluster: d.cluster ? { code: d.cluster.code, name: d.cluster.name } : null,
    demo: d.demo,
    clusters: d.clusters.map((c) => ({ ...c, cluster: { code: c.cluster.code, name: c.cluster.name } })),
    total: d.total,
    provenance: d.provenance,
    benefits: d.benefits,
    costs: d.costs,
    funding: d.funding,
    risks: d.risks,
    legacy: d.legacy,
    organisations: d.organisations,
  }
}

export function programmeRoutes(_services?: unknown) {
  return async (app: App) => {
    const renderPage = async (
      reply: FastifyReply,
      d: Dashboard,
      format: 'html' | 'csv' | 'xlsx' | undefined,
    ) => {
      if (format === 'csv' || format === 'xlsx') return sendExport(reply, format, d)
      const action = d.cluster ? programmePaths.cluster(d.cluster.code) : programmePaths.home
      const query = `quarter=${d.quarter.code}`
      return reply.page('programme/views/dashboard/index.njk', {
        pageTitle: d.cluster ? `${d.cluster.name} cluster – programme dashboard` : 'Programme dashboard',
        d,
        panels: dashboardPanels(d),
        provenanceText,
        action,
        homeHref: programmePaths.home,
        csvHref: `${action}?${query}&format=csv`,
        xlsxHref: `${action}?${query}&format=xlsx`,
        apiHref: `${programmePaths.api}?${query}${d.cluster ? `&cluster=${d.cluster.code}` : ''}`,
        previousHref: `${action}?quarter=${previousQuarter(d.quarter.code).code}`,
        clusterHref: programmePaths.cluster,
        quarterOptions: d.quarters
          .map((q) => q.code)
          .reverse()
          .map((code) => ({ value: code, text: code, selected: code === d.quarter.code })),
        clusterOptions: [
          { value: '', text: 'All clusters', selected: !d.cluster },
          ...d.allClusters.map((c) => ({
            value: c.code,
            text: c.name,
            selected: c.code === d.cluster?.code,
          })),
        ],
      })
    }

    app.get(
      programmePaths.home,
      { config: read, schema: { hide: true, querystring: PageQuery } },
      async (request, reply) => {
        const quarter = pageQuarter(request.query.quarter)
        const cluster = request.query.cluster?.trim()
        // The filter form sends the cluster; the cluster page is its canonical address.
        if (cluster) {
          if (!/^[a-z0-9-]{2,60}$/.test(cluster))
            throw new ValidationError('Choose a cluster', [
              { field: '/cluster', message: 'Choose a cluster' },
            ])
          const format = request.query.format ? `&format=${request.query.format}` : ''
          return reply.redirect(`${programmePaths.cluster(cluster)}?quarter=${quarter}${format}`, 303)
        }
        const d = await request.withTx((trx) => dashboardFigures(trx, { quarter }))
        return renderPage(reply, d, request.query.format)
      },
    )

    app.get(
      '/programme/clusters/:clusterCode',
      { config: read, schema: { hide: true, params: ClusterParams, querystring: PageQuery } },
      async (request, reply) => {
        const quarter = pageQuarter(request.query.quarter)
        const d = await request.withTx((trx) =>
          dashboardFigures(trx, { quarter, cluster: request.params.clusterCode }),
        )
        return renderPage(reply, d, request.query.format)
      },
    )

    app.get(
      programmePaths.api,
      {
        config: { permission: 'programme:read', kind: 'api' },
        schema: {
          tags: ['programme'],
          summary:
            'Every programme dashboard figure for a quarter (and the seven before it), optionally for one cluster',
          querystring: ApiQuery,
        },
      },
      async (request, reply) => {
        const quarter = request.query.quarter ?? lastCompleteQuarter()
        const d = await request.withTx((trx) =>
          dashboardFigures(trx, { quarter, cluster: request.query.cluster }),
        )
        const format = request.query.format ?? 'json'
        if (format !== 'json') return sendExport(reply, format, d)
        return apiBody(d)
      },
    )
  }
}
