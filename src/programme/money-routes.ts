// Programme money and onboarding: the API (/api/v1/programme/...) and the pages (/programme/...).
// Reads need programme:read, changes programme:manage; row-level security narrows both to the
// caller's clusters. Pages follow GOV.UK patterns and work without JavaScript: a failed post
// re-renders the form with the error summary and the values typed; success redirects (303).
// Every list is also CSV (`?format=csv`), on the page's address and the API's.

import type { FastifyReply, FastifyRequest } from 'fastify'
import { type Static, type TSchema, Type } from 'typebox'
import type { Services } from '../app.ts'
import { fiscalYearLabel } from '../finance/chart.ts'
import { type ReportCell, type ReportTable, toCsv } from '../finance/reports/export.ts'
import { KIND_LABELS, ONBOARDING_LABELS, ONBOARDING_STATUSES, type OnboardingStatus } from '../orgs/tables.ts'
import type { Permission } from '../platform/auth/permissions.ts'
import type { Tx } from '../platform/db/index.ts'
import { AppError, NotFoundError, ValidationError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { IdempotencyKeyHeader } from '../platform/http/schemas.ts'
import { formErrors } from '../platform/http/views.ts'
import { MoneyFormatError, parseMoney, toDecimal } from '../platform/money.ts'
import { can } from '../platform/tenancy.ts'
import {
  BENEFIT_KIND_LABELS,
  BENEFIT_KINDS,
  type BenefitInput,
  benefitsByCluster,
  benefitsSummary,
  COST_CATEGORIES,
  COST_CATEGORY_LABELS,
  type CostInput,
  costsByCluster,
  costsSummary,
  createBenefit,
  createCost,
  createFunding,
  FUNDING_DECISION_LABELS,
  FUNDING_DECISIONS,
  type FundingInput,
  fundingByPeriod,
  fundingSummary,
  getBenefit,
  getCost,
  getFunding,
  latestRunningCostYear,
  listBenefits,
  RUNNING_COST_PROVENANCES,
  type RunningCostInput,
  setBenefitYear,
  setRunningCost,
  updateBenefit,
  updateCost,
  updateFunding,
  valueForMoney,
} from './money.ts'
import {
  listDivergences,
  listOnboarding,
  onboardingHistory,
  onboardingSummary,
  scheduleOnboarding,
  unscheduledPlan,
} from './onboarding.ts'
import { currentFiscalYear } from './quarters.ts'

const enc = encodeURIComponent
export const programmeMoneyPaths = {
  benefits: '/programme/benefits',
  newBenefit: '/programme/benefits/new',
  benefit: (id: string) => `/programme/benefits/${enc(id)}`,
  editBenefit: (id: string) => `/programme/benefits/${enc(id)}/edit`,
  benefitYears: (id: string) => `/programme/benefits/${enc(id)}/years`,
  costs: '/programme/costs',
  newCost: '/programme/costs/new',
  editCost: (id: string) => `/programme/costs/${enc(id)}/edit`,
  funding: '/programme/funding',
  newFunding: '/programme/funding/new',
  editFunding: (id: string) => `/programme/funding/${enc(id)}/edit`,
  valueForMoney: '/programme/value-for-money',
  newRunningCost: '/programme/value-for-money/running-costs',
  onboarding: '/programme/onboarding',
  divergences: '/programme/onboarding/divergences',
  plan: '/programme/onboarding/plan',
  schedule: (orgCode: string) => `/programme/onboarding/${enc(orgCode)}/schedule`,
  api: {
    summary: '/api/v1/programme/money/summary',
    benefits: '/api/v1/programme/benefits',
    costs: '/api/v1/programme/costs',
    funding: '/api/v1/programme/funding',
    valueForMoney: '/api/v1/programme/value-for-money',
    runningCosts: '/api/v1/programme/running-costs',
    onboarding: '/api/v1/programme/onboarding',
  },
}
const paths = programmeMoneyPaths

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

const ClusterCode = Type.String({ pattern: '^[a-z0-9-]{2,40}$', description: 'Cluster code, e.g. matrix' })
const FiscalYear = Type.Integer({
  minimum: 2000,
  maximum: 2100,
  description: 'The fiscal year by the year it starts in: 2026 is 2026-27',
})
const Format = Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')]))
const Pence = Type.Integer({ minimum: 0, maximum: 999_999_999_999_999 })
const Uuid = Type.String({ format: 'uuid' })
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
const OrgParams = Type.Object({ orgCode: Type.String({ pattern: '^[a-z0-9-]{2,60}$' }) })

const ListQuery = Type.Object(
  { cluster: Type.Optional(ClusterCode), fiscalYear: Type.Optional(FiscalYear), format: Format },
  { additionalProperties: false },
)
const OnboardingQuery = Type.Object(
  {
    cluster: Type.Optional(ClusterCode),
    kind: Type.Optional(Type.Union([Type.Literal('department'), Type.Literal('alb')])),
    status: Type.Optional(Type.Union(ONBOARDING_STATUSES.map((s) => Type.Literal(s)))),
    late: Type.Optional(Type.Boolean()),
    format: Format,
  },
  { additionalProperties: false },
)
/** Pages accept the same filters, blank ones included (a submitted filter form sends them all). */
const PageQuery = Type.Object(
  {
    cluster: Type.Optional(Type.String({ maxLength: 40 })),
    fiscalYear: Type.Optional(Type.String({ maxLength: 10 })),
    kind: Type.Optional(Type.String({ maxLength: 20 })),
    status: Type.Optional(Type.String({ maxLength: 20 })),
    late: Type.Optional(Type.String({ maxLength: 5 })),
    format: Type.Optional(Type.String({ maxLength: 10 })),
    saved: Type.Optional(Type.String({ maxLength: 10 })),
  },
  { additionalProperties: false },
)
type PageQuery = Static<typeof PageQuery>

const ClusterField = Type.Optional(
  Type.Union([ClusterCode, Type.Null()], { description: 'Cluster code; null for programme-wide' }),
)
const BenefitBody = Type.Object(
  {
    reference: Type.String({ maxLength: 40 }),
    title: Type.String({ maxLength: 300 }),
    kind: Type.Union(BENEFIT_KINDS.map((k) => Type.Literal(k))),
    owner: Type.String({ maxLength: 300 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    baselinePence: Type.Optional(Pence),
    cluster: ClusterField,
  },
  { additionalProperties: false },
)
const BenefitYearBody = Type.Object(
  {
    forecastPence: Pence,
    realisedPence: Type.Optional(Type.Union([Pence, Type.Null()])),
    evidence: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
)
const CostBody = Type.Object(
  {
    cluster: ClusterField,
    fiscalYear: FiscalYear,
    title: Type.String({ maxLength: 300 }),
    category: Type.Union(COST_CATEGORIES.map((c) => Type.Literal(c))),
    budgetPence: Pence,
    spendSource: Type.Union([Type.Literal('ledger'), Type.Literal('manual')]),
    ledgerOrg: Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Null()])),
    ledgerCostCentre: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    manualSpendPence: Type.Optional(Type.Union([Pence, Type.Null()])),
  },
  { additionalProperties: false },
)
const FundingBody = Type.Object(
  {
    cluster: ClusterField,
    spendingReview: Type.String({ maxLength: 60 }),
    periodLabel: Type.String({ maxLength: 60 }),
    requestedLowPence: Pence,
    requestedHighPence: Pence,
    approvedPence: Type.Optional(Type.Union([Pence, Type.Null()])),
    decision: Type.Union(FUNDING_DECISIONS.map((d) => Type.Literal(d))),
    notes: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
)
const RunningCostBody = Type.Object(
  {
    runningCostPence: Pence,
    provenance: Type.Union(RUNNING_COST_PROVENANCES.map((p) => Type.Literal(p))),
    notes: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
)
const ScheduleBody = Type.Object(
  {
    status: Type.Union(ONBOARDING_STATUSES.map((s) => Type.Literal(s))),
    plannedDate: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
    liveDate: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const api = (summary: string) => ({ tags: ['programme'], summary })
const read = { permission: 'programme:read' as Permission, kind: 'api' as const }
const manage = { permission: 'programme:manage' as Permission, kind: 'api' as const }
const readPage = { permission: 'programme:read' as Permission, kind: 'page' as const }
const managePage = { permission: 'programme:manage' as Permission, kind: 'page' as const }
const view = (name: string) => `programme/views/${name}.njk`

async function clusterByCode(trx: Tx, code: string | undefined) {
  if (!code) return undefined
  const cluster = await trx
    .selectFrom('clusters')
    .select(['id', 'code', 'name'])
    .where('code', '=', code)
    .executeTakeFirst()
  if (!cluster) throw new NotFoundError(`There is no cluster with the code ${code}`)
  return cluster
}

function sendCsv(reply: FastifyReply, table: ReportTable, filename: string) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}.csv"`)
    .send(toCsv(table))
}

/** A page's fiscal year filter: blank means the current one. */
function pageFiscalYear(query: PageQuery, fallback: number | undefined): number | undefined {
  if (!query.fiscalYear) return fallback
  if (!/^\d{4}$/.test(query.fiscalYear) || Number(query.fiscalYear) < 2000 || Number(query.fiscalYear) > 2100)
    throw new ValidationError('The fiscal year must be a year like 2026', [
      { field: '/fiscalYear', message: 'The fiscal year must be a year like 2026' },
    ])
  return Number(query.fiscalYear)
}

function clusterItems(
  clusters: Array<{ code: string; name: string }>,
  selected: string | null | undefined,
  blank: string,
) {
  return [
    { value: '', text: blank, selected: !selected },
    ...clusters.map((c) => ({ value: c.code, text: c.name, selected: c.code === selected })),
  ]
}

async function allClusters(trx: Tx) {
  return trx.selectFrom('clusters').select(['id', 'code', 'name']).orderBy('name').execute()
}

/** The fiscal years offered by the filter: five back and two ahead of the current one. */
function fiscalYearItems(selected: number | undefined, withAll: boolean) {
  const current = currentFiscalYear()
  const items = []
  if (withAll) items.push({ value: '', text: 'All years', selected: selected === undefined })
  for (let year = current + 2; year >= current - 5; year--)
    items.push({ value: String(year), text: fiscalYearLabel(year), selected: year === selected })
  if (selected !== undefined && (selected > current + 2 || selected < current - 5))
    items.push({ value: String(selected), text: fiscalYearLabel(selected), selected: true })
  return items
}

function formText(request: FastifyRequest) {
  const body = (request.body ?? {}) as Record<string, unknown>
  return (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
}

type FieldErrors = Array<{ field: string; message: string }>

/** Pounds typed on a form → pence; null when blank; an error (naming the API field) when not money. */
function formPence(errors: FieldErrors, text: string, field: string, label: string): number | null {
  if (!text) return null
  try {
    return parseMoney(text, { allowSeparators: true })
  } catch (error) {
    if (!(error instanceof MoneyFormatError)) throw error
    errors.push({ field, message: `Enter the ${label} as an amount of money, like 1234.56` })
    return null
  }
}

/** Pence → the pounds a form shows again ("1234.56"). */
const pounds = (pence: number | null | undefined) => (typeof pence === 'number' ? toDecimal(pence) : '')

/** Field names in errors (API names) → the ids of the form's inputs. */
const FORM_IDS: Record<string, string> = {
  baselinePence: 'baseline',
  forecastPence: 'forecast',
  realisedPence: 'realised',
  budgetPence: 'budget',
  manualSpendPence: 'manualSpend',
  requestedLowPence: 'requestedLow',
  requestedHighPence: 'requestedHigh',
  approvedPence: 'approved',
  runningCostPence: 'runningCost',
  onboardingStatus: 'status',
  onboardingPlannedDate: 'plannedDate',
  onboardingLiveDate: 'liveDate',
}
/** formErrors, with errors keyed by the form's input ids. */
function pageErrors(errors: FieldErrors) {
  return formErrors(
    errors.map((error) => {
      const name = error.field.replace(/^\//, '').split('/')[0] ?? ''
      return { field: `/${FORM_IDS[name] ?? name}`, message: error.message }
    }),
  )
}

/** Runs a form's action; a user-facing error re-renders the form with the error summary. */
async function submit(
  reply: FastifyReply,
  parseErrors: FieldErrors,
  action: () => Promise<string>,
  rerender: (errors: ReturnType<typeof pageErrors>) => Promise<FastifyReply>,
) {
  if (parseErrors.length) {
    reply.code(400)
    return rerender(pageErrors(parseErrors))
  }
  try {
    return reply.redirect(await action(), 303)
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    const fields = error.fieldErrors.length ? error.fieldErrors : [{ field: '/form', message: error.message }]
    reply.code(error.status)
    return rerender(pageErrors(fields))
  }
}

// --- CSV tables ----------------------------------------------------------------------------------

function benefitsTable(items: Awaited<ReturnType<typeof listBenefits>>, fiscalYear?: number): ReportTable {
  return {
    title: 'Benefits register',
    columns: [
      { key: 'reference', heading: 'Reference' },
      { key: 'title', heading: 'Title' },
      { key: 'cluster', heading: 'Cluster' },
      { key: 'kind', heading: 'Kind' },
      { key: 'owner', heading: 'Owner' },
      { key: 'baseline', heading: 'Baseline (£)', type: 'money' },
      { key: 'fiscalYear', heading: 'Fiscal year' },
      { key: 'forecast', heading: 'Forecast (£)', type: 'money' },
      { key: 'realised', heading: 'Realised (£)', type: 'money' },
      { key: 'evidence', heading: 'Evidence' },
      { key: 'demo', heading: 'Demo data' },
    ],
    rows: items.flatMap((b): Array<Record<string, ReportCell>> => {
      const base = {
        reference: b.reference,
        title: b.title,
        cluster: b.cluster?.name ?? 'Programme-wide',
        kind: BENEFIT_KIND_LABELS[b.kind],
        owner: b.owner,
        baseline: b.baselinePence,
        demo: b.demo ? 'yes' : 'no',
      }
      const years = b.years.filter((y) => fiscalYear === undefined || y.fiscalYear === fiscalYear)
      if (!years.length)
        return [{ ...base, fiscalYear: null, forecast: null, realised: null, evidence: null }]
      return years.map((y) => ({
        ...base,
        fiscalYear: fiscalYearLabel(y.fiscalYear),
        forecast: y.forecastPence,
        realised: y.realisedPence,
        evidence: y.evidence,
      }))
    }),
  }
}

function costsTable(lines: Awaited<ReturnType<typeof costsByCluster>>['lines']): ReportTable {
  return {
    title: 'Programme costs',
    columns: [
      { key: 'fiscalYear', heading: 'Fiscal year' },
      { key: 'cluster', heading: 'Cluster' },
      { key: 'title', heading: 'Title' },
      { key: 'category', heading: 'Category' },
      { key: 'budget', heading: 'Budget (£)', type: 'money' },
      { key: 'spend', heading: 'Spend to date (£)', type: 'money' },
      { key: 'remaining', heading: 'Remaining (£)', type: 'money' },
      { key: 'source', heading: 'Spend source' },
      { key: 'provenance', heading: 'Provenance' },
      { key: 'demo', heading: 'Demo data' },
    ],
    rows: lines.map((line) => ({
      fiscalYear: fiscalYearLabel(line.fiscalYear),
      cluster: line.cluster?.name ?? 'Programme-wide',
      title: line.title,
      category: COST_CATEGORY_LABELS[line.category],
      budget: line.budgetPence,
      spend: line.spendToDatePence,
      remaining: line.remainingPence,
      source: line.spendSource,
      provenance: line.provenance,
      demo: line.demo ? 'yes' : 'no',
    })),
  }
}

function fundingTable(lines: Awaited<ReturnType<typeof fundingByPeriod>>['lines']): ReportTable {
  return {
    title: 'Funding requested and approved',
    columns: [
      { key: 'spendingReview', heading: 'Spending review' },
      { key: 'period', heading: 'Period' },
      { key: 'cluster', heading: 'Cluster' },
      { key: 'low', heading: 'Requested, low (£)', type: 'money' },
      { key: 'high', heading: 'Requested, high (£)', type: 'money' },
      { key: 'approved', heading: 'Approved (£)', type: 'money' },
      { key: 'decision', heading: 'Decision' },
      { key: 'notes', heading: 'Notes' },
      { key: 'demo', heading: 'Demo data' },
    ],
    rows: lines.map((line) => ({
      spendingReview: line.spendingReview,
      period: line.periodLabel,
      cluster: line.cluster?.name ?? 'Programme-wide',
      low: line.requestedLowPence,
      high: line.requestedHighPence,
      approved: line.approvedPence,
      decision: FUNDING_DECISION_LABELS[line.decision],
      notes: line.notes,
      demo: line.demo ? 'yes' : 'no',
    })),
  }
}

function valueForMoneyTable(rows: Awaited<ReturnType<typeof valueForMoney>>['rows']): ReportTable {
  return {
    title: 'Value for money of joining',
    columns: [
      { key: 'organisation', heading: 'Organisation' },
      { key: 'cluster', heading: 'Cluster' },
      { key: 'runningCost', heading: 'Current running cost (£)', type: 'money' },
      { key: 'provenance', heading: 'Provenance' },
      { key: 'headcount', heading: 'Headcount', type: 'integer' },
      { key: 'headcountQuarter', heading: 'Headcount from return' },
      { key: 'clusterHeadcount', heading: 'Cluster headcount', type: 'integer' },
      { key: 'clusterCost', heading: 'Cluster cost (£)', type: 'money' },
      { key: 'share', heading: 'Share of cluster cost (£)', type: 'money' },
      { key: 'saving', heading: 'Saving (+) or extra cost (-) (£)', type: 'money' },
    ],
    rows: rows.map((row) => ({
      organisation: row.org.name,
      cluster: row.cluster?.name ?? '',
      runningCost: row.runningCostPence,
      provenance: row.provenance,
      headcount: row.headcount,
      headcountQuarter: row.headcountQuarter,
      clusterHeadcount: row.clusterHeadcount,
      clusterCost: row.clusterCostPence,
      share: row.sharePence,
      saving: row.savingPence,
    })),
  }
}

function onboardingTable(rows: Awaited<ReturnType<typeof listOnboarding>>): ReportTable {
  return {
    title: 'Onboarding',
    columns: [
      { key: 'code', heading: 'Code' },
      { key: 'name', heading: 'Organisation' },
      { key: 'kind', heading: 'Kind' },
      { key: 'sponsor', heading: 'Sponsor' },
      { key: 'cluster', heading: 'Target cluster' },
      { key: 'status', heading: 'Status' },
      { key: 'planned', heading: 'Planned migration', type: 'date' },
      { key: 'live', heading: 'Went live', type: 'date' },
      { key: 'daysLate', heading: 'Days late', type: 'integer' },
      { key: 'divergence', heading: 'Divergence from sponsor' },
      { key: 'reason', heading: 'Divergence reason' },
    ],
    rows: rows.map((row) => ({
      code: row.code,
      name: row.name,
      kind: KIND_LABELS[row.kind],
      sponsor: row.sponsor?.name ?? '',
      cluster: row.cluster?.name ?? '',
      status: ONBOARDING_LABELS[row.status],
      planned: row.plannedDate,
      live: row.liveDate,
      daysLate: row.late ? row.daysLate : null,
      divergence: row.divergence === 'none' ? '' : row.divergence,
      reason: row.divergenceReason ?? '',
    })),
  }
}

const STATUS_TAGS: Record<OnboardingStatus, string> = {
  not_planned: 'govuk-tag--grey',
  planned: 'govuk-tag--blue',
  migrating: 'govuk-tag--yellow',
  live: 'govuk-tag--green',
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

export function programmeMoneyRoutes(services: Pick<Services, 'orgs'>) {
  return async (app: App) => {
    const orgs = services.orgs

    // --- API: summaries -------------------------------------------------------------------------
    app.get(
      paths.api.summary,
      {
        config: read,
        schema: {
          ...api('Money and onboarding totals (pence and counts) for the programme or one cluster'),
          querystring: Type.Object({ cluster: Type.Optional(ClusterCode) }, { additionalProperties: false }),
        },
      },
      async (request) =>
        request.withTx(async (trx) => {
          const cluster = await clusterByCode(trx, request.query.cluster)
          const options = { clusterId: cluster?.id }
          return {
            cluster: cluster ? { code: cluster.code, name: cluster.name } : null,
            benefits: await benefitsSummary(trx, options),
            costs: await costsSummary(trx, options),
            funding: await fundingSummary(trx, options),
            onboarding: await onboardingSummary(trx, options),
          }
        }),
    )

    // --- API: benefits --------------------------------------------------------------------------
    app.get(
      paths.api.benefits,
      {
        config: read,
        schema: {
          ...api('The benefits register with totals (forecast and realised, cashable and non-cashable)'),
          querystring: ListQuery,
          produces: ['application/json', 'text/csv'],
        },
      },
      async (request, reply) => {
        const { items, summary } = await request.withTx(async (trx) => {
          const cluster = await clusterByCode(trx, request.query.cluster)
          return {
            items: await listBenefits(trx, { clusterId: cluster?.id }),
            summary: await benefitsSummary(trx, {
              clusterId: cluster?.id,
              fiscalYear: request.query.fiscalYear,
            }),
          }
        })
        if (request.query.format === 'csv')
          return sendCsv(reply, benefitsTable(items, request.query.fiscalYear), 'benefits')
        return { items, summary }
      },
    )
    app.get(
      `${paths.api.benefits}/:id`,
      { config: read, schema: { ...api('One benefit with its profile by fiscal year'), params: IdParams } },
      async (request) => request.withTx((trx) => getBenefit(trx, request.params.id)),
    )
    app.post(
      paths.api.benefits,
      {
        config: manage,
        schema: { ...api('Add a benefit to the register'), headers: IdempotencyKeyHeader, body: BenefitBody },
      },
      async (request, reply) =>
        reply.code(201).send(await request.withTx((trx) => createBenefit(trx, request.body))),
    )
    app.put(
      `${paths.api.benefits}/:id`,
      {
        config: manage,
        schema: {
          ...api('Change a benefit’s details'),
          headers: IdempotencyKeyHeader,
          params: IdParams,
          body: BenefitBody,
        },
      },
      async (request) => request.withTx((trx) => updateBenefit(trx, request.params.id, request.body)),
    )
    app.put(
      `${paths.api.benefits}/:id/years/:fiscalYear`,
      {
        config: manage,
        schema: {
          ...api('Set a fiscal year of a benefit’s profile: forecast, and realised with evidence'),
          headers: IdempotencyKeyHeader,
          params: Type.Object({ id: Uuid, fiscalYear: FiscalYear }, { additionalProperties: false }),
          body: BenefitYearBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          setBenefitYear(trx, request.params.id, { ...request.body, fiscalYear: request.params.fiscalYear }),
        ),
    )

    // --- API: costs -----------------------------------------------------------------------------
    app.get(
      paths.api.costs,
      {
        config: read,
        schema: {
          ...api('Programme cost lines: budget against spend to date (from the ledger or recorded by hand)'),
          querystring: ListQuery,
          produces: ['application/json', 'text/csv'],
        },
      },
      async (request, reply) => {
        const result = await request.withTx(async (trx) => {
          const cluster = await clusterByCode(trx, request.query.cluster)
          const { lines, total } = await costsByCluster(trx, { fiscalYear: request.query.fiscalYear })
          const mine = cluster ? lines.filter((line) => line.cluster?.id === cluster.id) : lines
          return {
            items: mine,
            summary: cluster
              ? await costsSummary(trx, { clusterId: cluster.id, fiscalYear: request.query.fiscalYear })
              : total,
          }
        })
        if (request.query.format === 'csv') return sendCsv(reply, costsTable(result.items), 'programme-costs')
        return result
      },
    )
    app.post(
      paths.api.costs,
      {
        config: manage,
        schema: { ...api('Add a programme cost line'), headers: IdempotencyKeyHeader, body: CostBody },
      },
      async (request, reply) =>
        reply.code(201).send(await request.withTx((trx) => createCost(trx, request.body))),
    )
    app.put(
      `${paths.api.costs}/:id`,
      {
        config: manage,
        schema: {
          ...api('Change a programme cost line'),
          headers: IdempotencyKeyHeader,
          params: IdParams,
          body: CostBody,
        },
      },
      async (request) => request.withTx((trx) => updateCost(trx, request.params.id, request.body)),
    )

    // --- API: funding ---------------------------------------------------------------------------
    app.get(
      paths.api.funding,
      {
        config: read,
        schema: {
          ...api('Funding requested (low to high) against approved, per spending review period'),
          querystring: ListQuery,
          produces: ['application/json', 'text/csv'],
        },
      },
      async (request, reply) => {
        const result = await request.withTx(async (trx) => {
          const cluster = await clusterByCode(trx, request.query.cluster)
          return fundingByPeriod(trx, { clusterId: cluster?.id })
        })
        if (request.query.format === 'csv') return sendCsv(reply, fundingTable(result.lines), 'funding')
        return {
          items: result.lines,
          periods: result.periods.map(({ lines: _, ...p }) => p),
          summary: result.total,
        }
      },
    )
    app.post(
      paths.api.funding,
      {
        config: manage,
        schema: {
          ...api('Record a funding request and its decision'),
          headers: IdempotencyKeyHeader,
          body: FundingBody,
        },
      },
      async (request, reply) =>
        reply.code(201).send(await request.withTx((trx) => createFunding(trx, request.body))),
    )
    app.put(
      `${paths.api.funding}/:id`,
      {
        config: manage,
        schema: {
          ...api('Change a funding request or its decision'),
          headers: IdempotencyKeyHeader,
          params: IdParams,
          body: FundingBody,
        },
      },
      async (request) => request.withTx((trx) => updateFunding(trx, request.params.id, request.body)),
    )

    // --- API: value for money -------------------------------------------------------------------
    app.get(
      paths.api.valueForMoney,
      {
        config: read,
        schema: {
          ...api('Each organisation’s running cost against its headcount share of its cluster’s cost'),
          querystring: ListQuery,
          produces: ['application/json', 'text/csv'],
        },
      },
      async (request, reply) => {
        const { fiscalYear, result } = await request.withTx(async (trx) => {
          const cluster = await clusterByCode(trx, request.query.cluster)
          // Default: the latest year with running costs recorded (they lag the current year).
          const fiscalYear =
            request.query.fiscalYear ?? (await latestRunningCostYear(trx)) ?? currentFiscalYear()
          return { fiscalYear, result: await valueForMoney(trx, { fiscalYear, clusterId: cluster?.id }) }
        })
        if (request.query.format === 'csv')
          return sendCsv(reply, valueForMoneyTable(result.rows), `value-for-money-${fiscalYear}`)
        return { fiscalYear, items: result.rows, clusters: result.clusters }
      },
    )
    app.put(
      `${paths.api.runningCosts}/:orgCode/:fiscalYear`,
      {
        config: manage,
        schema: {
          ...api('Record an organisation’s current back-office running cost for a fiscal year'),
          headers: IdempotencyKeyHeader,
          params: Type.Object(
            { orgCode: OrgParams.properties.orgCode, fiscalYear: FiscalYear },
            { additionalProperties: false },
          ),
          body: RunningCostBody,
        },
      },
      async (request, reply) => {
        await request.withTx((trx) =>
          setRunningCost(trx, {
            ...request.body,
            org: request.params.orgCode,
            fiscalYear: request.params.fiscalYear,
          }),
        )
        return reply.code(204).send()
      },
    )

    // --- API: onboarding ------------------------------------------------------------------------
    app.get(
      paths.api.onboarding,
      {
        config: read,
        schema: {
          ...api(
            'Every department and ALB: target cluster, sponsor, planned and actual dates, status, lateness',
          ),
          querystring: OnboardingQuery,
          produces: ['application/json', 'text/csv'],
        },
      },
      async (request, reply) => {
        const q = request.query
        const { items, summary } = await request.withTx(async (trx) => {
          const cluster = await clusterByCode(trx, q.cluster)
          return {
            items: await listOnboarding(trx, {
              clusterId: cluster?.id,
              kind: q.kind,
              status: q.status,
              lateOnly: q.late,
            }),
            summary: await onboardingSummary(trx, { clusterId: cluster?.id }),
          }
        })
        if (q.format === 'csv') return sendCsv(reply, onboardingTable(items), 'onboarding')
        return { items, summary }
      },
    )
    app.get(
      `${paths.api.onboarding}/divergences`,
      {
        config: read,
        schema: {
          ...api('ALBs in a different cluster from their sponsor: recorded with the reason, or flagged'),
          querystring: Type.Object(
            { cluster: Type.Optional(ClusterCode), format: Format },
            { additionalProperties: false },
          ),
          produces: ['application/json', 'text/csv'],
        },
      },
      async (request, reply) => {
        const items = await request.withTx(async (trx) => {
          const cluster = await clusterByCode(trx, request.query.cluster)
          return listDivergences(trx, { clusterId: cluster?.id })
        })
        if (request.query.format === 'csv') return sendCsv(reply, onboardingTable(items), 'divergences')
        return { items }
      },
    )
    app.get(
      `${paths.api.onboarding}/plan`,
      {
        config: read,
        schema: {
          ...api('ALBs not yet scheduled, grouped by cluster and sponsor'),
          querystring: Type.Object(
            { cluster: Type.Optional(ClusterCode), format: Format },
            { additionalProperties: false },
          ),
          produces: ['application/json', 'text/csv'],
        },
      },
      async (request, reply) => {
        const groups = await request.withTx(async (trx) => {
          const cluster = await clusterByCode(trx, request.query.cluster)
          return unscheduledPlan(trx, { clusterId: cluster?.id })
        })
        if (request.query.format === 'csv')
          return sendCsv(reply, onboardingTable(groups.flatMap((g) => g.bodies)), 'unscheduled-albs')
        return { groups }
      },
    )
    app.post(
      `${paths.api.onboarding}/:orgCode/schedule`,
      {
        config: manage,
        schema: {
          ...api(
            'Schedule an organisation’s migration: status and planned (or go-live) date, kept in its history',
          ),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: ScheduleBody,
        },
      },
      async (request) =>
        request.withTx((trx) => scheduleOnboarding(trx, orgs, request.params.orgCode, request.body)),
    )

    // =============================================================================================
    // Pages
    // =============================================================================================
    const canManage = (request: FastifyRequest) => can(request.principal!, 'programme:manage')
    const crumbs = (...more: Array<{ text: string; href: string }>) => [
      { text: 'Home', href: '/' },
      { text: 'Programme oversight', href: '/programme' },
      ...more,
    ]
    const filterContext = async (trx: Tx, query: PageQuery) => {
      const clusters = await allClusters(trx)
      const cluster = query.cluster ? clusters.find((c) => c.code === query.cluster) : undefined
      if (query.cluster && !cluster)
        throw new NotFoundError(`There is no cluster with the code ${query.cluster}`)
      return { clusters, cluster }
    }
    const csvHref = (path: string, query: Record<string, string | undefined>) => {
      const params = new URLSearchParams()
      for (const [key, value] of Object.entries(query))
        if (value && key !== 'format' && key !== 'saved') params.set(key, value)
      params.set('format', 'csv')
      return `${path}?${params.toString()}`
    }

    // --- Benefits -------------------------------------------------------------------------------
    app.get(
      paths.benefits,
      { config: readPage, schema: { hide: true, querystring: PageQuery } },
      async (request, reply) => {
        const query = request.query
        const fiscalYear = pageFiscalYear(query, undefined)
        const data = await request.withTx(async (trx) => {
          const { clusters, cluster } = await filterContext(trx, query)
          return {
            clusters,
            cluster,
            benefits: await listBenefits(trx, { clusterId: cluster?.id }),
            groups: await benefitsByCluster(trx, { fiscalYear }),
            total: await benefitsSummary(trx, { clusterId: cluster?.id, fiscalYear }),
          }
        })
        if (query.format === 'csv')
          return sendCsv(reply, benefitsTable(data.benefits, fiscalYear), 'benefits')
        return reply.page(view('money/benefits'), {
          pageTitle: 'Benefits register',
          ...data,
          groups: data.cluster ? data.groups.filter((g) => g.cluster?.id === data.cluster!.id) : data.groups,
          fiscalYear,
          fiscalYearLabel: fiscalYear === undefined ? undefined : fiscalYearLabel(fiscalYear),
          clusterItems: clusterItems(data.clusters, query.cluster, 'All clusters'),
          fiscalYearItems: fiscalYearItems(fiscalYear, true),
          kindLabels: BENEFIT_KIND_LABELS,
          canManage: canManage(request),
          paths,
          csvHref: csvHref(paths.benefits, query),
          saved: query.saved === '1',
          breadcrumbs: crumbs(),
        })
      },
    )

    const benefitForm = async (
      request: FastifyRequest,
      reply: FastifyReply,
      values: Record<string, string>,
      existing?: { id: string; reference: string },
      errors?: ReturnType<typeof pageErrors>,
    ) => {
      const clusters = await request.withTx(allClusters)
      return reply.page(view('money/benefit-form'), {
        pageTitle: existing ? `Change benefit ${existing.reference}` : 'Add a benefit',
        existing,
        values,
        errors,
        action: existing ? paths.editBenefit(existing.id) : paths.newBenefit,
        clusterItems: clusterItems(clusters, values.cluster, 'Programme-wide (no cluster)'),
        kindItems: BENEFIT_KINDS.map((kind) => ({
          value: kind,
          text: BENEFIT_KIND_LABELS[kind],
          checked: values.kind === kind,
        })),
        breadcrumbs: crumbs({ text: 'Benefits register', href: paths.benefits }),
      })
    }
    const benefitFromForm = (request: FastifyRequest) => {
      const text = formText(request)
      const errors: FieldErrors = []
      const values = {
        reference: text('reference'),
        title: text('title'),
        kind: text('kind'),
        owner: text('owner'),
        description: text('description'),
        baseline: text('baseline'),
        cluster: text('cluster'),
      }
      const input: BenefitInput = {
        reference: values.reference,
        title: values.title,
        kind: values.kind as BenefitInput['kind'],
        owner: values.owner,
        description: values.description,
        baselinePence: formPence(errors, values.baseline, '/baselinePence', 'baseline') ?? 0,
        cluster: values.cluster || null,
      }
      return { values, input, errors }
    }
    app.get(paths.newBenefit, { config: managePage, schema: { hide: true } }, async (request, reply) =>
      benefitForm(request, reply, {}),
    )
    app.post(paths.newBenefit, { config: managePage, schema: { hide: true } }, async (request, reply) => {
      const { values, input, errors } = benefitFromForm(request)
      return submit(
        reply,
        errors,
        async () => paths.benefit((await request.withTx((trx) => createBenefit(trx, input))).id),
        (errs) => benefitForm(request, reply, values, undefined, errs),
      )
    })
    app.get(
      '/programme/benefits/:id/edit',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const benefit = await request.withTx((trx) => getBenefit(trx, request.params.id))
        return benefitForm(
          request,
          reply,
          {
            reference: benefit.reference,
            title: benefit.title,
            kind: benefit.kind,
            owner: benefit.owner,
            description: benefit.description,
            baseline: pounds(benefit.baselinePence),
            cluster: benefit.cluster?.code ?? '',
          },
          benefit,
        )
      },
    )
    app.post(
      '/programme/benefits/:id/edit',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const benefit = await request.withTx((trx) => getBenefit(trx, request.params.id))
        const { values, input, errors } = benefitFromForm(request)
        return submit(
          reply,
          errors,
          async () => {
            await request.withTx((trx) => updateBenefit(trx, benefit.id, input))
            return `${paths.benefit(benefit.id)}?saved=1`
          },
          (errs) => benefitForm(request, reply, values, benefit, errs),
        )
      },
    )
    const benefitPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      yearValues: Record<string, string>,
      errors?: ReturnType<typeof pageErrors>,
    ) => {
      const benefit = await request.withTx((trx) => getBenefit(trx, id))
      return reply.page(view('money/benefit'), {
        pageTitle: `${benefit.reference}: ${benefit.title}`,
        benefit,
        years: benefit.years.map((y) => ({
          ...y,
          label: fiscalYearLabel(y.fiscalYear),
          realisedKnown: y.realisedPence !== null,
        })),
        kindLabels: BENEFIT_KIND_LABELS,
        yearValues,
        errors,
        fiscalYearItems: fiscalYearItems(
          yearValues.fiscalYear ? Number(yearValues.fiscalYear) : currentFiscalYear(),
          false,
        ),
        canManage: canManage(request),
        saved: (request.query as PageQuery).saved === '1',
        paths,
        breadcrumbs: crumbs({ text: 'Benefits register', href: paths.benefits }),
      })
    }
    app.get(
      '/programme/benefits/:id',
      { config: readPage, schema: { hide: true, params: IdParams, querystring: PageQuery } },
      async (request, reply) => benefitPage(request, reply, request.params.id, {}),
    )
    app.post(
      '/programme/benefits/:id/years',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const text = formText(request)
        const errors: FieldErrors = []
        const values = {
          fiscalYear: text('fiscalYear'),
          forecast: text('forecast'),
          realised: text('realised'),
          evidence: text('evidence'),
        }
        const fiscalYear = /^\d{4}$/.test(values.fiscalYear) ? Number(values.fiscalYear) : Number.NaN
        const forecastPence = formPence(errors, values.forecast, '/forecastPence', 'forecast')
        if (values.forecast === '') errors.push({ field: '/forecastPence', message: 'Enter the forecast' })
        const realisedPence = formPence(errors, values.realised, '/realisedPence', 'realised amount')
        return submit(
          reply,
          errors,
          async () => {
            await request.withTx((trx) =>
              setBenefitYear(trx, request.params.id, {
                fiscalYear,
                forecastPence: forecastPence ?? 0,
                realisedPence,
                evidence: values.evidence,
              }),
            )
            return `${paths.benefit(request.params.id)}?saved=1`
          },
          (errs) => benefitPage(request, reply, request.params.id, values, errs),
        )
      },
    )

    // --- Costs ----------------------------------------------------------------------------------
    app.get(
      paths.costs,
      { config: readPage, schema: { hide: true, querystring: PageQuery } },
      async (request, reply) => {
        const query = request.query
        const fiscalYear = pageFiscalYear(query, undefined)
        const data = await request.withTx(async (trx) => {
          const { clusters, cluster } = await filterContext(trx, query)
          const all = await costsByCluster(trx, { fiscalYear })
          return {
            clusters,
            cluster,
            lines: cluster ? all.lines.filter((l) => l.cluster?.id === cluster.id) : all.lines,
            groups: cluster ? all.clusters.filter((g) => g.cluster?.id === cluster.id) : all.clusters,
            total: cluster ? await costsSummary(trx, { clusterId: cluster.id, fiscalYear }) : all.total,
          }
        })
        if (query.format === 'csv') return sendCsv(reply, costsTable(data.lines), 'programme-costs')
        return reply.page(view('money/costs'), {
          pageTitle: 'Programme costs',
          ...data,
          lines: data.lines.map((line) => ({ ...line, fiscalYearText: fiscalYearLabel(line.fiscalYear) })),
          fiscalYear,
          clusterItems: clusterItems(data.clusters, query.cluster, 'All clusters'),
          fiscalYearItems: fiscalYearItems(fiscalYear, true),
          categoryLabels: COST_CATEGORY_LABELS,
          canManage: canManage(request),
          paths,
          csvHref: csvHref(paths.costs, query),
          saved: query.saved === '1',
          breadcrumbs: crumbs(),
        })
      },
    )
    const costForm = async (
      request: FastifyRequest,
      reply: FastifyReply,
      values: Record<string, string>,
      existing?: { id: string; title: string },
      errors?: ReturnType<typeof pageErrors>,
    ) => {
      const clusters = await request.withTx(allClusters)
      return reply.page(view('money/cost-form'), {
        pageTitle: existing ? `Change cost line: ${existing.title}` : 'Add a cost line',
        existing,
        values,
        errors,
        action: existing ? paths.editCost(existing.id) : paths.newCost,
        clusterItems: clusterItems(clusters, values.cluster, 'Programme-wide (no cluster)'),
        fiscalYearItems: fiscalYearItems(
          values.fiscalYear ? Number(values.fiscalYear) : currentFiscalYear(),
          false,
        ),
        categoryItems: COST_CATEGORIES.map((c) => ({
          value: c,
          text: COST_CATEGORY_LABELS[c],
          selected: values.category === c,
        })),
        sourceItems: [
          {
            value: 'ledger',
            text: 'From the ledger',
            hint: {
              text: 'An organisation on the platform and its cost centre: spend is the ledger’s total for the year',
            },
            checked: values.spendSource === 'ledger',
          },
          { value: 'manual', text: 'Recorded by hand', checked: values.spendSource === 'manual' },
        ],
        breadcrumbs: crumbs({ text: 'Programme costs', href: paths.costs }),
      })
    }
    const costFromForm = (request: FastifyRequest) => {
      const text = formText(request)
      const errors: FieldErrors = []
      const values = {
        cluster: text('cluster'),
        fiscalYear: text('fiscalYear'),
        title: text('title'),
        category: text('category'),
        budget: text('budget'),
        spendSource: text('spendSource'),
        ledgerOrg: text('ledgerOrg'),
        ledgerCostCentre: text('ledgerCostCentre'),
        manualSpend: text('manualSpend'),
      }
      const budget = formPence(errors, values.budget, '/budgetPence', 'budget')
      if (!values.budget) errors.push({ field: '/budgetPence', message: 'Enter the budget' })
      const manualSpend = formPence(errors, values.manualSpend, '/manualSpendPence', 'spend to date')
      const input: CostInput = {
        cluster: values.cluster || null,
        fiscalYear: /^\d{4}$/.test(values.fiscalYear) ? Number(values.fiscalYear) : Number.NaN,
        title: values.title,
        category: values.category as CostInput['category'],
        budgetPence: budget ?? 0,
        spendSource: values.spendSource as CostInput['spendSource'],
        // The form shows both sets of fields; only those of the chosen source count.
        ledgerOrg: values.spendSource === 'ledger' ? values.ledgerOrg : null,
        ledgerCostCentre: values.spendSource === 'ledger' ? values.ledgerCostCentre : null,
        manualSpendPence: values.spendSource === 'manual' ? manualSpend : null,
      }
      return { values, input, errors }
    }
    app.get(paths.newCost, { config: managePage, schema: { hide: true } }, async (request, reply) =>
      costForm(request, reply, { fiscalYear: String(currentFiscalYear()) }),
    )
    app.post(paths.newCost, { config: managePage, schema: { hide: true } }, async (request, reply) => {
      const { values, input, errors } = costFromForm(request)
      return submit(
        reply,
        errors,
        async () => {
          await request.withTx((trx) => createCost(trx, input))
          return `${paths.costs}?saved=1`
        },
        (errs) => costForm(request, reply, values, undefined, errs),
      )
    })
    app.get(
      '/programme/costs/:id/edit',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const line = await request.withTx((trx) => getCost(trx, request.params.id))
        return costForm(
          request,
          reply,
          {
            cluster: line.cluster?.code ?? '',
            fiscalYear: String(line.fiscalYear),
            title: line.title,
            category: line.category,
            budget: pounds(line.budgetPence),
            spendSource: line.spendSource,
            ledgerOrg: line.ledgerOrg?.code ?? '',
            ledgerCostCentre: line.ledgerCostCentre ?? '',
            manualSpend: pounds(line.manualSpendPence),
          },
          line,
        )
      },
    )
    app.post(
      '/programme/costs/:id/edit',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const line = await request.withTx((trx) => getCost(trx, request.params.id))
        const { values, input, errors } = costFromForm(request)
        return submit(
          reply,
          errors,
          async () => {
            await request.withTx((trx) => updateCost(trx, line.id, input))
            return `${paths.costs}?saved=1`
          },
          (errs) => costForm(request, reply, values, line, errs),
        )
      },
    )

    // --- Funding --------------------------------------------------------------------------------
    app.get(
      paths.funding,
      { config: readPage, schema: { hide: true, querystring: PageQuery } },
      async (request, reply) => {
        const query = request.query
        const data = await request.withTx(async (trx) => {
          const { clusters, cluster } = await filterContext(trx, query)
          return { clusters, cluster, ...(await fundingByPeriod(trx, { clusterId: cluster?.id })) }
        })
        if (query.format === 'csv') return sendCsv(reply, fundingTable(data.lines), 'funding')
        return reply.page(view('money/funding'), {
          pageTitle: 'Funding requested and approved',
          ...data,
          clusterItems: clusterItems(data.clusters, query.cluster, 'All clusters'),
          decisionLabels: FUNDING_DECISION_LABELS,
          canManage: canManage(request),
          paths,
          csvHref: csvHref(paths.funding, query),
          saved: query.saved === '1',
          breadcrumbs: crumbs(),
        })
      },
    )
    const fundingForm = async (
      request: FastifyRequest,
      reply: FastifyReply,
      values: Record<string, string>,
      existing?: { id: string; spendingReview: string; periodLabel: string },
      errors?: ReturnType<typeof pageErrors>,
    ) => {
      const clusters = await request.withTx(allClusters)
      return reply.page(view('money/funding-form'), {
        pageTitle: existing
          ? `Change funding request: ${existing.spendingReview} ${existing.periodLabel}`
          : 'Record a funding request',
        existing,
        values,
        errors,
        action: existing ? paths.editFunding(existing.id) : paths.newFunding,
        clusterItems: clusterItems(clusters, values.cluster, 'Programme-wide (no cluster)'),
        decisionItems: FUNDING_DECISIONS.map((d) => ({
          value: d,
          text: FUNDING_DECISION_LABELS[d],
          checked: (values.decision || 'pending') === d,
        })),
        breadcrumbs: crumbs({ text: 'Funding', href: paths.funding }),
      })
    }
    const fundingFromForm = (request: FastifyRequest) => {
      const text = formText(request)
      const errors: FieldErrors = []
      const values = {
        cluster: text('cluster'),
        spendingReview: text('spendingReview'),
        periodLabel: text('periodLabel'),
        requestedLow: text('requestedLow'),
        requestedHigh: text('requestedHigh'),
        approved: text('approved'),
        decision: text('decision'),
        notes: text('notes'),
      }
      const low = formPence(errors, values.requestedLow, '/requestedLowPence', 'lowest amount requested')
      const high = formPence(errors, values.requestedHigh, '/requestedHighPence', 'highest amount requested')
      if (!values.requestedLow)
        errors.push({ field: '/requestedLowPence', message: 'Enter the lowest amount requested' })
      if (!values.requestedHigh)
        errors.push({
          field: '/requestedHighPence',
          message: 'Enter the highest amount requested (the same as the lowest for a single figure)',
        })
      const input: FundingInput = {
        cluster: values.cluster || null,
        spendingReview: values.spendingReview,
        periodLabel: values.periodLabel,
        requestedLowPence: low ?? 0,
        requestedHighPence: high ?? 0,
        approvedPence: formPence(errors, values.approved, '/approvedPence', 'amount approved'),
        decision: values.decision as FundingInput['decision'],
        notes: values.notes,
      }
      return { values, input, errors }
    }
    app.get(paths.newFunding, { config: managePage, schema: { hide: true } }, async (request, reply) =>
      fundingForm(request, reply, {}),
    )
    app.post(paths.newFunding, { config: managePage, schema: { hide: true } }, async (request, reply) => {
      const { values, input, errors } = fundingFromForm(request)
      return submit(
        reply,
        errors,
        async () => {
          await request.withTx((trx) => createFunding(trx, input))
          return `${paths.funding}?saved=1`
        },
        (errs) => fundingForm(request, reply, values, undefined, errs),
      )
    })
    app.get(
      '/programme/funding/:id/edit',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const line = await request.withTx((trx) => getFunding(trx, request.params.id))
        return fundingForm(
          request,
          reply,
          {
            cluster: line.cluster?.code ?? '',
            spendingReview: line.spendingReview,
            periodLabel: line.periodLabel,
            requestedLow: pounds(line.requestedLowPence),
            requestedHigh: pounds(line.requestedHighPence),
            approved: pounds(line.approvedPence),
            decision: line.decision,
            notes: line.notes,
          },
          line,
        )
      },
    )
    app.post(
      '/programme/funding/:id/edit',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const line = await request.withTx((trx) => getFunding(trx, request.params.id))
        const { values, input, errors } = fundingFromForm(request)
        return submit(
          reply,
          errors,
          async () => {
            await request.withTx((trx) => updateFunding(trx, line.id, input))
            return `${paths.funding}?saved=1`
          },
          (errs) => fundingForm(request, reply, values, line, errs),
        )
      },
    )

    // --- Value for money ------------------------------------------------------------------------
    app.get(
      paths.valueForMoney,
      { config: readPage, schema: { hide: true, querystring: PageQuery } },
      async (request, reply) => {
        const query = request.query
        const chosen = pageFiscalYear(query, undefined)
        const { fiscalYear, ...data } = await request.withTx(async (trx) => {
          const { clusters, cluster } = await filterContext(trx, query)
          // Default: the latest year with running costs recorded (they lag the current year).
          const fiscalYear = chosen ?? (await latestRunningCostYear(trx)) ?? currentFiscalYear()
          return {
            fiscalYear,
            allClusters: clusters,
            cluster,
            ...(await valueForMoney(trx, { fiscalYear, clusterId: cluster?.id })),
          }
        })
        if (query.format === 'csv')
          return sendCsv(reply, valueForMoneyTable(data.rows), `value-for-money-${fiscalYear}`)
        return reply.page(view('money/value-for-money'), {
          pageTitle: 'Value for money of joining a cluster',
          ...data,
          fiscalYear,
          fiscalYearText: fiscalYearLabel(fiscalYear),
          clusterItems: clusterItems(data.allClusters, query.cluster, 'All clusters'),
          fiscalYearItems: fiscalYearItems(fiscalYear, false),
          canManage: canManage(request),
          paths,
          csvHref: csvHref(paths.valueForMoney, { ...query, fiscalYear: String(fiscalYear) }),
          saved: query.saved === '1',
          breadcrumbs: crumbs(),
        })
      },
    )
    const runningCostForm = async (
      _request: FastifyRequest,
      reply: FastifyReply,
      values: Record<string, string>,
      errors?: ReturnType<typeof pageErrors>,
    ) =>
      reply.page(view('money/running-cost-form'), {
        pageTitle: 'Record a running cost',
        values,
        errors,
        fiscalYearItems: fiscalYearItems(
          values.fiscalYear ? Number(values.fiscalYear) : currentFiscalYear(),
          false,
        ),
        provenanceItems: RUNNING_COST_PROVENANCES.map((p) => ({
          value: p,
          text: p[0]!.toUpperCase() + p.slice(1),
          checked: values.provenance === p,
        })),
        paths,
        breadcrumbs: crumbs({ text: 'Value for money', href: paths.valueForMoney }),
      })
    app.get(paths.newRunningCost, { config: managePage, schema: { hide: true } }, async (request, reply) =>
      runningCostForm(request, reply, { fiscalYear: String(currentFiscalYear()) }),
    )
    app.post(paths.newRunningCost, { config: managePage, schema: { hide: true } }, async (request, reply) => {
      const text = formText(request)
      const errors: FieldErrors = []
      const values = {
        org: text('org'),
        fiscalYear: text('fiscalYear'),
        runningCost: text('runningCost'),
        provenance: text('provenance'),
        notes: text('notes'),
      }
      const pence = formPence(errors, values.runningCost, '/runningCostPence', 'running cost')
      if (!values.runningCost) errors.push({ field: '/runningCostPence', message: 'Enter the running cost' })
      const input: RunningCostInput = {
        org: values.org,
        fiscalYear: /^\d{4}$/.test(values.fiscalYear) ? Number(values.fiscalYear) : Number.NaN,
        runningCostPence: pence ?? 0,
        provenance: values.provenance as RunningCostInput['provenance'],
        notes: values.notes,
      }
      return submit(
        reply,
        errors,
        async () => {
          await request.withTx((trx) => setRunningCost(trx, input))
          return `${paths.valueForMoney}?fiscalYear=${input.fiscalYear}&saved=1`
        },
        (errs) => runningCostForm(request, reply, values, errs),
      )
    })

    // --- Onboarding -----------------------------------------------------------------------------
    const onboardingNav = (current: string) =>
      [
        { href: paths.onboarding, text: 'Every organisation' },
        { href: paths.divergences, text: 'Divergences from sponsors' },
        { href: paths.plan, text: 'ALBs not yet scheduled' },
      ].map((item) => ({ ...item, current: item.href === current }))
    app.get(
      paths.onboarding,
      { config: readPage, schema: { hide: true, querystring: PageQuery } },
      async (request, reply) => {
        const query = request.query
        const errors: FieldErrors = []
        const kind = query.kind === 'department' || query.kind === 'alb' ? query.kind : undefined
        if (query.kind && !kind) errors.push({ field: '/kind', message: 'Choose departments or ALBs' })
        const status = (ONBOARDING_STATUSES as readonly string[]).includes(query.status ?? '')
          ? (query.status as OnboardingStatus)
          : undefined
        if (query.status && !status) errors.push({ field: '/status', message: 'Choose a status' })
        if (errors.length) throw new ValidationError(errors[0]!.message, errors)
        const lateOnly = query.late === 'true' || query.late === 'on'
        const data = await request.withTx(async (trx) => {
          const { clusters, cluster } = await filterContext(trx, query)
          return {
            clusters,
            cluster,
            rows: await listOnboarding(trx, { clusterId: cluster?.id, kind, status, lateOnly }),
            summary: await onboardingSummary(trx, { clusterId: cluster?.id }),
          }
        })
        if (query.format === 'csv') return sendCsv(reply, onboardingTable(data.rows), 'onboarding')
        return reply.page(view('onboarding/list'), {
          pageTitle: 'Onboarding',
          ...data,
          kindLabels: KIND_LABELS,
          statusLabels: ONBOARDING_LABELS,
          statusTags: STATUS_TAGS,
          clusterItems: clusterItems(data.clusters, query.cluster, 'All clusters'),
          kindItems: [
            { value: '', text: 'Departments and ALBs', selected: !kind },
            { value: 'department', text: 'Departments', selected: kind === 'department' },
            { value: 'alb', text: 'Arm’s-length bodies', selected: kind === 'alb' },
          ],
          statusItems: [
            { value: '', text: 'Any status', selected: !status },
            ...ONBOARDING_STATUSES.map((s) => ({
              value: s,
              text: ONBOARDING_LABELS[s],
              selected: s === status,
            })),
          ],
          lateOnly,
          canManage: canManage(request),
          paths,
          csvHref: csvHref(paths.onboarding, query),
          saved: query.saved === '1',
          subNav: onboardingNav(paths.onboarding),
          breadcrumbs: crumbs(),
        })
      },
    )
    app.get(
      paths.divergences,
      { config: readPage, schema: { hide: true, querystring: PageQuery } },
      async (request, reply) => {
        const query = request.query
        const data = await request.withTx(async (trx) => {
          const { clusters, cluster } = await filterContext(trx, query)
          return { clusters, cluster, rows: await listDivergences(trx, { clusterId: cluster?.id }) }
        })
        if (query.format === 'csv') return sendCsv(reply, onboardingTable(data.rows), 'divergences')
        return reply.page(view('onboarding/divergences'), {
          pageTitle: 'Divergences from sponsors’ clusters',
          ...data,
          flagged: data.rows.filter((row) => row.divergence === 'unrecorded').length,
          kindLabels: KIND_LABELS,
          clusterItems: clusterItems(data.clusters, query.cluster, 'All clusters'),
          paths,
          csvHref: csvHref(paths.divergences, query),
          subNav: onboardingNav(paths.divergences),
          breadcrumbs: crumbs({ text: 'Onboarding', href: paths.onboarding }),
        })
      },
    )
    app.get(
      paths.plan,
      { config: readPage, schema: { hide: true, querystring: PageQuery } },
      async (request, reply) => {
        const query = request.query
        const data = await request.withTx(async (trx) => {
          const { clusters, cluster } = await filterContext(trx, query)
          return { clusters, cluster, groups: await unscheduledPlan(trx, { clusterId: cluster?.id }) }
        })
        if (query.format === 'csv')
          return sendCsv(reply, onboardingTable(data.groups.flatMap((g) => g.bodies)), 'unscheduled-albs')
        return reply.page(view('onboarding/plan'), {
          pageTitle: 'ALBs not yet scheduled',
          ...data,
          count: data.groups.reduce((sum, g) => sum + g.bodies.length, 0),
          kindLabels: KIND_LABELS,
          statusLabels: ONBOARDING_LABELS,
          clusterItems: clusterItems(data.clusters, query.cluster, 'All clusters'),
          canManage: canManage(request),
          paths,
          csvHref: csvHref(paths.plan, query),
          subNav: onboardingNav(paths.plan),
          breadcrumbs: crumbs({ text: 'Onboarding', href: paths.onboarding }),
        })
      },
    )
    const scheduleForm = async (
      request: FastifyRequest,
      reply: FastifyReply,
      code: string,
      values: Record<string, string> | undefined,
      errors?: ReturnType<typeof pageErrors>,
    ) => {
      const { row, history } = await request.withTx(async (trx) => {
        const row = (await listOnboarding(trx)).find((candidate) => candidate.code === code)
        if (!row) throw new NotFoundError(`There is no organisation with the code ${code}`)
        return { row, history: await onboardingHistory(trx, orgs, row.id) }
      })
      const shown = values ?? {
        status: row.status,
        plannedDate: row.plannedDate ?? '',
        liveDate: row.liveDate ?? '',
        note: '',
      }
      return reply.page(view('onboarding/schedule'), {
        pageTitle: `Schedule the migration of ${row.name}`,
        org: row,
        history,
        values: shown,
        errors,
        statusLabels: ONBOARDING_LABELS,
        statusItems: ONBOARDING_STATUSES.map((s) => ({
          value: s,
          text: ONBOARDING_LABELS[s],
          checked: shown.status === s,
        })),
        action: paths.schedule(code),
        breadcrumbs: crumbs({ text: 'Onboarding', href: paths.onboarding }),
      })
    }
    app.get(
      '/programme/onboarding/:orgCode/schedule',
      { config: managePage, schema: { hide: true, params: OrgParams } },
      async (request, reply) => scheduleForm(request, reply, request.params.orgCode, undefined),
    )
    app.post(
      '/programme/onboarding/:orgCode/schedule',
      { config: managePage, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const text = formText(request)
        const values = {
          status: text('status'),
          plannedDate: text('plannedDate'),
          liveDate: text('liveDate'),
          note: text('note'),
        }
        const errors: FieldErrors = []
        if (!(ONBOARDING_STATUSES as readonly string[]).includes(values.status))
          errors.push({ field: '/onboardingStatus', message: 'Select the migration status' })
        return submit(
          reply,
          errors,
          async () => {
            await request.withTx((trx) =>
              scheduleOnboarding(trx, orgs, request.params.orgCode, {
                status: values.status as OnboardingStatus,
                plannedDate: values.plannedDate || null,
                liveDate: values.liveDate || null,
                note: values.note,
              }),
            )
            return `${paths.onboarding}?saved=1`
          },
          (errs) => scheduleForm(request, reply, request.params.orgCode, values, errs),
        )
      },
    )
  }
}

/** For schemas elsewhere (tests, OpenAPI consumers). */
export const programmeMoneySchemas: Record<string, TSchema> = {
  BenefitBody,
  BenefitYearBody,
  CostBody,
  FundingBody,
  RunningCostBody,
  ScheduleBody,
}
