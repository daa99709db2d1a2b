// The programme dashboard's figures (issue 7, deliverable 7): for a quarter and optionally one
// cluster, every figure the programme page, the cluster page, their CSV/XLSX export and the API
// show, as plain data. The figures come from the current version of each organisation's quarterly
// return (programme_returns → programme_return_versions) and from the programme's registers.
//
// Rough sums (the performance target is 300 organisations, five clusters, eight quarters): the
// returns window is 300 × 8 = 2,400 summary rows and as many versions, read by four set-based
// queries grouped in the database (one row per cluster and quarter comes back, not per
// organisation), plus one per register. About a dozen round trips whatever the number of
// organisations; the per-organisation rows are read only for a cluster page (tens of rows).
//
// Only valid returns contribute figures; every return (valid or not) counts in the received, late,
// invalid and missing counts. A cluster's members are the organisations in it now, as in
// clusterQuality (returns/dq.ts): a member without a return scores 0 on every data-quality
// dimension. Ratios are built from sums so that cluster and programme totals are exact:
//   - cost per transaction = Σ back-office cost / Σ (payslips + invoices), over returns with all three;
//   - prompt payment = invoice-weighted: Σ (percent × invoices) / Σ invoices;
//   - convergence indicators = the mean over the returns that report the indicator.
//
// Reads run under the caller's tenant context: row-level security leaves out what a programme
// reader may not see. Nothing personal is read; every figure is an aggregate.
import { sql } from 'kysely'
import type { Tx } from '../platform/db/index.ts'
import { NotFoundError } from '../platform/errors.ts'
import { listCosts } from './money.ts'
import { type Quarter, quarter as quarterInfo, quartersEnding } from './quarters.ts'
import type { DeliveryConfidence } from './tables.ts'

/** How many quarters the trends show, ending with the chosen one. */
export const TREND_QUARTERS = 8
/** Legacy systems listed at most (the register is tens of rows; this bounds a page). */
export const LEGACY_ROWS_MAX = 200

export const CONVERGENCE_INDICATORS = [
  { key: 'commonChartOfAccountsPercent', label: 'Common chart of accounts' },
  { key: 'invoicesWithPurchaseOrderPercent', label: 'Invoices with a purchase order' },
  {
    key: 'jmlThroughStandardProcessPercent',
    label: 'Joiners, movers and leavers through the standard process',
  },
  { key: 'hrDataStandardCompletenessPercent', label: 'HR data standard completeness' },
  { key: 'straightThroughInvoicesPercent', label: 'Straight-through invoices' },
  { key: 'standardPayElementsPercent', label: 'Payroll on standard pay elements' },
] as const
export type ConvergenceKey = (typeof CONVERGENCE_INDICATORS)[number]['key']

export const CONFIDENCE_SCALE: readonly DeliveryConfidence[] = [
  'red',
  'amber_red',
  'amber',
  'amber_green',
  'green',
]
export const CONFIDENCE_LABELS: Record<DeliveryConfidence, string> = {
  red: 'Red',
  amber_red: 'Amber/Red',
  amber: 'Amber',
  amber_green: 'Amber/Green',
  green: 'Green',
}

export interface ClusterRef {
  id: string
  code: string
  name: string
}

/** Shares of the figures behind a section, in percent (one decimal): where the numbers came from. */
export interface ProvenanceShare {
  computed: number
  submitted: number
  estimated: number
  /** How many figures the shares are over (0: no figures). */
  figures: number
}

export interface ReturnStatusCounts {
  members: number
  received: number
  late: number
  invalid: number
  missing: number
}

export interface DataQuality {
  completeness: number
  timeliness: number
  validity: number
  consistency: number
  overall: number
}

export interface ServiceFigures {
  /** Valid returns the figures are from. */
  returns: number
  headcount: number | null
  fte: number | null
  payslips: number | null
  invoicesProcessed: number | null
  backOfficeCostPence: number | null
  costPerTransactionPence: number | null
  paidWithin5DaysPercent: number | null
  paidWithin30DaysPercent: number | null
  /** Mean of the six convergence indicators that are reported (0-100). */
  convergenceIndex: number | null
  convergence: Record<ConvergenceKey, number | null>
}

export interface ClusterQuarter {
  quarter: string
  status: ReturnStatusCounts
  dataQuality: DataQuality
  figures: ServiceFigures
}

export interface ClusterFigures {
  cluster: ClusterRef
  /** Oldest first, the TREND_QUARTERS quarters ending with the chosen one. */
  quarters: ClusterQuarter[]
  /** The chosen quarter (the last of `quarters`). */
  current: ClusterQuarter
  migration: MigrationCounts
  /** Live and planned-to-be-live by the end of each trend quarter. */
  migrationTrend: Array<{ quarter: string; live: number; planned: number }>
  deliveryConfidence: {
    current: { rating: DeliveryConfidence; assessedOn: string; rationale: string } | null
    /** The rating in force at the end of each trend quarter. */
    trend: Array<{ quarter: string; rating: DeliveryConfidence | null }>
    history: Array<{ assessedOn: string; rating: DeliveryConfidence; rationale: string }>
  }
  costs: { budgetPence: number; spendToDatePence: number; ledgerSpendPence: number; lines: number }
}

export interface MigrationCounts {
  organisations: number
  live: number
  migrating: number
  planned: number
  notPlanned: number
}

export interface OrganisationRow {
  code: string
  name: string
  kind: string
  onboardingStatus: string
  status: 'received' | 'late' | 'invalid' | 'missing'
  source: string | null
  dqOverall: number | null
  figures: ServiceFigures | null
  provenance: ProvenanceShare
}

export interface Dashboard {
  quarter: Quarter
  quarters: Quarter[]
  /** The cluster chosen, or null for the whole programme. */
  cluster: ClusterRef | null
  /** Every cluster the caller may see (for the filter). */
  allClusters: ClusterRef[]
  clusters: ClusterFigures[]
  /** The programme (or the chosen cluster) as one: the same figures summed. */
  total: Omit<ClusterFigures, 'cluster' | 'deliveryConfidence'>
  provenance: {
    service: ProvenanceShare
    convergence: ProvenanceShare
    costs: ProvenanceShare
    funding: ProvenanceShare
    benefits: ProvenanceShare
  }
  benefits: {
    byYear: Array<{
      fiscalYear: number
      cashableForecastPence: number
      nonCashableForecastPence: number
      realisedPence: number
    }>
    forecastPence: number
    realisedPence: number
    cashableForecastPence: number
    nonCashableForecastPence: number
  }
  costs: {
    budgetPence: number
    spendToDatePence: number
    ledgerSpendPence: number
    manualSpendPence: number
    lines: number
  }
  funding: Array<{
    spendingReview: string
    periodLabel: string
    requestedLowPence: number
    requestedHighPence: number
    approvedPence: number
    decisions: string
  }>
  risks: {
    open: number
    /** residual[likelihood - 1][impact - 1]: open risks in each cell. */
    residual: number[][]
    byLevel: { organisation: number; cluster: number; programme: number }
  }
  legacy: {
    systems: number
    expiringBeforeReplacement: Array<{
      name: string
      cluster: string
      organisation: string | null
      contractExpiresOn: string
      replacementDueOn: string | null
      extensionHeadroomMonths: number
      /** Still runs out before the replacement when every extension is taken. */
      evenWithExtensions: boolean
    }>
  }
  /** Per-organisation rows: only for a cluster. */
  organisations: OrganisationRow[]
  /** Some of the figures are demo data (register rows marked demo). */
  demo: boolean
}

// ---------------------------------------------------------------------------------------------

const round1 = (value: number) => Math.round(value * 10) / 10
const num = (value: string | number | null | undefined): number =>
  value === null || value === undefined ? 0 : Number(value)
const numOrNull = (value: string | number | null | undefined): number | null =>
  value === null || value === undefined ? null : Number(value)

function share(counts: { computed: number; submitted: number; estimated: number }): ProvenanceShare {
  const figures = counts.computed + counts.submitted + counts.estimated
  const pct = (n: number) => (figures === 0 ? 0 : round1((100 * n) / figures))
  return {
    computed: pct(counts.computed),
    submitted: pct(counts.submitted),
    estimated: pct(counts.estimated),
    figures,
  }
}

/** Sums behind the figures of one cluster and quarter, as the database returns them. */
interface FigureSums {
  returns: number
  headcount: number
  headcount_n: number
  fte: number
  fte_n: number
  payslips: number
  payslips_n: number
  invoices: number
  invoices_n: number
  cost: number
  cost_n: number
  cpt_cost: number
  cpt_tx: number
  p5_num: number
  p30_num: number
  prompt_den: number
  conv_sum: number[]
  conv_n: number[]
}

const EMPTY_SUMS = (): FigureSums => ({
  returns: 0,
  headcount: 0,
  headcount_n: 0,
  fte: 0,
  fte_n: 0,
  payslips: 0,
  payslips_n: 0,
  invoices: 0,
  invoices_n: 0,
  cost: 0,
  cost_n: 0,
  cpt_cost: 0,
  cpt_tx: 0,
  p5_num: 0,
  p30_num: 0,
  prompt_den: 0,
  conv_sum: CONVERGENCE_INDICATORS.map(() => 0),
  conv_n: CONVERGENCE_INDICATORS.map(() => 0),
})

function addSums(into: FigureSums, from: FigureSums): void {
  for (const key of Object.keys(into) as Array<keyof FigureSums>) {
    if (key === 'conv_sum' || key === 'conv_n')
      from[key].forEach((v, i) => {
        into[key][i]! += v
      })
    else (into[key] as number) += from[key] as number
  }
}

function figuresFrom(s: FigureSums): ServiceFigures {
  const convergence = Object.fromEntries(
    CONVERGENCE_INDICATORS.map((indicator, i) => [
      indicator.key,
      s.conv_n[i]! > 0 ? round1(s.conv_sum[i]! / s.conv_n[i]!) : null,
    ]),
  ) as Record<ConvergenceKey, number | null>
  const reported = Object.values(convergence).filter((v): v is number => v !== null)
  return {
    returns: s.returns,
    headcount: s.headcount_n ? s.headcount : null,
    fte: s.fte_n ? Math.round(s.fte * 100) / 100 : null,
    payslips: s.payslips_n ? s.payslips : null,
    invoicesProcessed: s.invoices_n ? s.invoices : null,
    backOfficeCostPence: s.cost_n ? s.cost : null,
    costPerTransactionPence: s.cpt_tx > 0 ? Math.round(s.cpt_cost / s.cpt_tx) : null,
    paidWithin5DaysPercent: s.prompt_den > 0 ? round1(s.p5_num / s.prompt_den) : null,
    paidWithin30DaysPercent: s.prompt_den > 0 ? round1(s.p30_num / s.prompt_den) : null,
    convergenceIndex: reported.length ? round1(reported.reduce((a, b) => a + b, 0) / reported.length) : null,
    convergence,
  }
}

// The figure expressions over a current version `v.figures` (f) — shared by the cluster and the
// per-organisation queries so that both read the return the same way.
const FIGURE_COLUMNS = sql`
  (f #>> '{workforce,headcount}')::numeric as headcount,
  (f #>> '{workforce,fte}')::numeric as fte,
  (f #>> '{payroll,payslips}')::numeric as payslips,
  (f #>> '{finance,invoicesProcessed}')::numeric as invoices,
  (f #>> '{finance,backOfficeCostPence}')::numeric as cost,
  (f #>> '{finance,paidWithin5DaysPercent}')::numeric as p5,
  (f #>> '{finance,paidWithin30DaysPercent}')::numeric as p30,
  array[${sql.join(CONVERGENCE_INDICATORS.map((i) => sql`(f #>> ${sql.lit(`{convergence,${i.key}}`)})::numeric`))}] as conv`

const SUM_COLUMNS = sql`
  count(*)::int as returns,
  coalesce(sum(headcount), 0)::float8 as headcount, count(headcount)::int as headcount_n,
  coalesce(sum(fte), 0)::float8 as fte, count(fte)::int as fte_n,
  coalesce(sum(payslips), 0)::float8 as payslips, count(payslips)::int as payslips_n,
  coalesce(sum(invoices), 0)::float8 as invoices, count(invoices)::int as invoices_n,
  coalesce(sum(cost), 0)::float8 as cost, count(cost)::int as cost_n,
  coalesce(sum(cost) filter (where payslips is not null and invoices is not null), 0)::float8 as cpt_cost,
  coalesce(sum(payslips + invoices) filter (where cost is not null), 0)::float8 as cpt_tx,
  coalesce(sum(p5 * invoices) filter (where p30 is not null), 0)::float8 as p5_num,
  coalesce(sum(p30 * invoices) filter (where p5 is not null), 0)::float8 as p30_num,
  coalesce(sum(invoices) filter (where p5 is not null and p30 is not null), 0)::float8 as prompt_den,
  array[${sql.join(CONVERGENCE_INDICATORS.map((_, i) => sql`coalesce(sum(conv[${sql.lit(i + 1)}]), 0)::float8`))}] as conv_sum,
  array[${sql.join(CONVERGENCE_INDICATORS.map((_, i) => sql`count(conv[${sql.lit(i + 1)}])::int`))}] as conv_n`

type SumRow = Omit<FigureSums, 'conv_sum' | 'conv_n'> & {
  conv_sum: Array<number | string>
  conv_n: Array<number | string>
}

function sumsFromRow(row: SumRow): FigureSums {
  const out = EMPTY_SUMS()
  for (const key of Object.keys(out) as Array<keyof FigureSums>) {
    if (key === 'conv_sum' || key === 'conv_n') out[key] = row[key].map(Number)
    else (out[key] as number) = Number(row[key])
  }
  return out
}

function emptyStatus(): ReturnStatusCounts {
  return { members: 0, received: 0, late: 0, invalid: 0, missing: 0 }
}

/** Looks a cluster up by code (404 when there is none the caller may see). */
export async function findCluster(trx: Tx, code: string): Promise<ClusterRef> {
  const row = await trx
    .selectFrom('clusters')
    .select(['id', 'code', 'name'])
    .where('code', '=', code)
    .executeTakeFirst()
  if (!row) throw new NotFoundError(`There is no cluster with the code ${code}`)
  return row
}

/**
 * Every dashboard figure for `quarterCode` (and the seven quarters before it), for the whole
 * programme or one cluster (by code). Throws NotFoundError for an unknown cluster.
 */
export async function dashboardFigures(
  trx: Tx,
  options: { quarter: string; cluster?: string | undefined },
): Promise<Dashboard> {
  const chosen = quarterInfo(options.quarter)
  const quarters = quartersEnding(chosen.code, TREND_QUARTERS)
  const codes = quarters.map((q) => q.code)
  const ends = quarters.map((q) => q.endsOn)
  const allClusters = await trx
    .selectFrom('clusters')
    .select(['id', 'code', 'name'])
    .orderBy('name')
    .execute()
  const cluster = options.cluster ? await findCluster(trx, options.cluster) : null
  const clusterId = cluster?.id ?? null
  const shown = cluster ? [cluster] : allClusters

  // 1. Return status and data quality per cluster and quarter (members: organisations in it now).
  const statusRows = await sql<{
    cluster_id: string
    quarter: string
    members: number
    received: number
    late: number
    invalid: number
    missing: number
    completeness: number
    timeliness: number
    validity: number
    consistency: number
    overall: number
  }>`
    with q as (select unnest(${codes}::text[]) as code),
    o as (select id, cluster_id from organisations
      where cluster_id is not null and (${clusterId}::uuid is null or cluster_id = ${clusterId}::uuid))
    select o.cluster_id, q.code as quarter, count(*)::int as members,
      count(*) filter (where r.valid and not r.late)::int as received,
      count(*) filter (where r.valid and r.late)::int as late,
      count(*) filter (where not r.valid)::int as invalid,
      count(*) filter (where r.org_id is null)::int as missing,
      avg(coalesce(r.dq_completeness, 0))::float8 as completeness,
      avg(coalesce(r.dq_timeliness, 0))::float8 as timeliness,
      avg(coalesce(r.dq_validity, 0))::float8 as validity,
      avg(coalesce(r.dq_consistency, 0))::float8 as consistency,
      avg(coalesce(r.dq_overall, 0))::float8 as overall
    from o cross join q
    left join programme_returns r on r.org_id = o.id and r.quarter = q.code
    group by o.cluster_id, q.code`.execute(trx)

  // 2. The figures of valid current returns, summed per cluster and quarter; 3. their provenance.
  const currentReturns = sql`
    select o.cluster_id, r.quarter, r.org_id, v.figures as f, v.provenance as p
    from programme_returns r
    join organisations o on o.id = r.org_id
    join programme_return_versions v on v.org_id = r.org_id and v.quarter = r.quarter and v.version = r.current_version
    where r.quarter = any (${codes}::text[]) and r.valid and o.cluster_id is not null
      and (${clusterId}::uuid is null or o.cluster_id = ${clusterId}::uuid)`
  const figureRows = await sql<SumRow & { cluster_id: string; quarter: string }>`
    with x as (${currentReturns}),
    -- Materialised: each figure is read from the jsonb once per return, not once per use below.
    y as materialized (select cluster_id, quarter, ${FIGURE_COLUMNS} from x)
    select cluster_id, quarter, ${SUM_COLUMNS} from y group by cluster_id, quarter`.execute(trx)
  const provenanceRows = await sql<{
    cluster_id: string
    quarter: string
    section: string
    value: string
    n: number
  }>`
    with x as (${currentReturns})
    select x.cluster_id, x.quarter, split_part(e.key, '.', 1) as section, e.value, count(*)::int as n
    from x cross join lateral jsonb_each_text(x.p) e
    where e.key like '%.%'
      and x.f #>> string_to_array(e.key, '.') is not null
    group by 1, 2, 3, 4`.execute(trx)

  // 4. Migration: status now, and live / planned-to-be-live by each quarter's end.
  const migrationRows = await sql<{
    cluster_id: string
    quarter: string | null
    organisations: number
    live: number
    migrating: number
    planned: number
    not_planned: number
    live_by: number
    planned_by: number
  }>`
    with q as (select unnest(${codes}::text[]) as code, unnest(${ends}::date[]) as ends_on),
    o as (select * from organisations
      where cluster_id is not null and (${clusterId}::uuid is null or cluster_id = ${clusterId}::uuid))
    select o.cluster_id, null as quarter, count(*)::int as organisations,
      count(*) filter (where onboarding_status = 'live')::int as live,
      count(*) filter (where onboarding_status = 'migrating')::int as migrating,
      count(*) filter (where onboarding_status = 'planned')::int as planned,
      count(*) filter (where onboarding_status = 'not_planned')::int as not_planned,
      0 as live_by, 0 as planned_by
    from o group by o.cluster_id
    union all
    select o.cluster_id, q.code, 0, 0, 0, 0, 0,
      count(*) filter (where o.onboarding_live_date <= q.ends_on)::int,
      count(*) filter (where coalesce(o.onboarding_planned_date, o.onboarding_live_date) <= q.ends_on
        or o.onboarding_live_date <= q.ends_on)::int
    from o cross join q group by o.cluster_id, q.code`.execute(trx)

  // 5. Delivery confidence: every assessment of the clusters shown (a few per cluster).
  const confidenceRows = await trx
    .selectFrom('programme_delivery_confidence')
    .select(['cluster_id', 'assessed_on', 'rating', 'rationale', 'demo'])
    .where(
      'cluster_id',
      'in',
      shown.length ? shown.map((c) => c.id) : ['00000000-0000-0000-0000-000000000000'],
    )
    .orderBy('assessed_on')
    .orderBy('created_at')
    .execute()

  // 6. Registers: benefits by fiscal year, costs (ledger spend through money.ts), funding, risks, legacy.
  const benefitRows = await sql<{
    fiscal_year: number
    cf: string
    nf: string
    realised: string
    demo: boolean
  }>`
    select y.fiscal_year, coalesce(sum(y.forecast_pence) filter (where b.kind = 'cashable'), 0)::text as cf,
      coalesce(sum(y.forecast_pence) filter (where b.kind = 'non_cashable'), 0)::text as nf,
      coalesce(sum(y.realised_pence), 0)::text as realised, bool_or(b.demo) as demo
    from programme_benefit_years y join programme_benefits b on b.id = y.benefit_id
    where ${clusterId}::uuid is null or b.cluster_id = ${clusterId}::uuid
    group by y.fiscal_year order by y.fiscal_year`.execute(trx)
  const costLines = (await listCosts(trx, clusterId ? { clusterId } : {})).filter(
    (line) => line.fiscalYear <= chosen.fiscalYear,
  )
  const fundingRows = await sql<{
    spending_review: string
    period_label: string
    low: string
    high: string
    approved: string
    decisions: string
    demo: boolean
  }>`
    select spending_review, period_label, sum(requested_low_pence)::text as low, sum(requested_high_pence)::text as high,
      coalesce(sum(approved_pence), 0)::text as approved, string_agg(distinct decision, ', ' order by decision) as decisions,
      bool_or(demo) as demo
    from programme_funding
    where ${clusterId}::uuid is null or cluster_id = ${clusterId}::uuid
    group by spending_review, period_label order by min(created_at), spending_review, period_label`.execute(
    trx,
  )
  const riskRows = await sql<{ l: number; i: number; level: string; n: number; demo: boolean }>`
    select residual_likelihood as l, residual_impact as i, level, count(*)::int as n, bool_or(demo) as demo
    from programme_risks
    where status = 'open' and (${clusterId}::uuid is null or cluster_id = ${clusterId}::uuid)
    group by 1, 2, 3`.execute(trx)
  const legacyRows = await sql<{
    name: string
    cluster: string | null
    organisation: string | null
    contract_expires_on: string
    replacement_due_on: string | null
    extension_headroom_months: number
    even_with_extensions: boolean
    flagged: boolean
    demo: boolean
  }>`
    select l.name, c.name as cluster, o.name as organisation,
      to_char(l.contract_expires_on, 'YYYY-MM-DD') as contract_expires_on,
      to_char(l.replacement_due_on, 'YYYY-MM-DD') as replacement_due_on,
      l.extension_headroom_months,
      (l.replacement_due_on is null
        or l.contract_expires_on + make_interval(months => l.extension_headroom_months) < l.replacement_due_on) as even_with_extensions,
      (l.replacement_due_on is null or l.contract_expires_on < l.replacement_due_on) as flagged,
      l.demo
    from programme_legacy_systems l
    left join clusters c on c.id = l.cluster_id
    left join organisations o on o.id = l.org_id
    where ${clusterId}::uuid is null or l.cluster_id = ${clusterId}::uuid
    order by l.contract_expires_on, l.name
    limit ${LEGACY_ROWS_MAX}`.execute(trx)

  // ---- fold into per-cluster figures -------------------------------------------------------
  const key = (clusterKey: string, quarterCode: string) => `${clusterKey}|${quarterCode}`
  const statusBy = new Map(statusRows.rows.map((row) => [key(row.cluster_id, row.quarter), row]))
  const sumsBy = new Map(figureRows.rows.map((row) => [key(row.cluster_id, row.quarter), sumsFromRow(row)]))
  const migrationBy = new Map<string, (typeof migrationRows.rows)[number]>()
  for (const row of migrationRows.rows) migrationBy.set(key(row.cluster_id, row.quarter ?? ''), row)

  const totalSums = new Map(codes.map((code) => [code, EMPTY_SUMS()]))
  const totalStatus = new Map(codes.map((code) => [code, { ...emptyStatus(), dq: [0, 0, 0, 0, 0] }]))
  const totalMigrationTrend = new Map(codes.map((code) => [code, { live: 0, planned: 0 }]))
  const totalMigration: MigrationCounts = {
    organisations: 0,
    live: 0,
    migrating: 0,
    planned: 0,
    notPlanned: 0,
  }

  const costsByCluster = new Map<string, ClusterFigures['costs']>()
  for (const line of costLines) {
    const k = line.cluster?.id ?? ''
    const c = costsByCluster.get(k) ?? { budgetPence: 0, spendToDatePence: 0, ledgerSpendPence: 0, lines: 0 }
    c.budgetPence += line.budgetPence
    c.spendToDatePence += line.spendToDatePence
    if (line.spendSource === 'ledger') c.ledgerSpendPence += line.spendToDatePence
    c.lines += 1
    costsByCluster.set(k, c)
  }

  const clusters: ClusterFigures[] = shown.map((c) => {
    const clusterQuarters: ClusterQuarter[] = codes.map((code) => {
      const s = statusBy.get(key(c.id, code))
      const sums = sumsBy.get(key(c.id, code)) ?? EMPTY_SUMS()
      addSums(totalSums.get(code)!, sums)
      const status: ReturnStatusCounts = s
        ? { members: s.members, received: s.received, late: s.late, invalid: s.invalid, missing: s.missing }
        : emptyStatus()
      const t = totalStatus.get(code)!
      for (const k of ['members', 'received', 'late', 'invalid', 'missing'] as const) t[k] += status[k]
      const dq = s
        ? [s.completeness, s.timeliness, s.validity, s.consistency, s.overall].map(Number)
        : [0, 0, 0, 0, 0]
      dq.forEach((v, i) => {
        t.dq[i]! += v * status.members
      })
      return {
        quarter: code,
        status,
        dataQuality: {
          completeness: round1(dq[0]!),
          timeliness: round1(dq[1]!),
          validity: round1(dq[2]!),
          consistency: round1(dq[3]!),
          overall: round1(dq[4]!),
        },
        figures: figuresFrom(sums),
      }
    })
    const m = migrationBy.get(key(c.id, ''))
    const migration: MigrationCounts = {
      organisations: num(m?.organisations),
      live: num(m?.live),
      migrating: num(m?.migrating),
      planned: num(m?.planned),
      notPlanned: num(m?.not_planned),
    }
    for (const k of Object.keys(totalMigration) as Array<keyof MigrationCounts>)
      totalMigration[k] += migration[k]
    const migrationTrend = codes.map((code) => {
      const row = migrationBy.get(key(c.id, code))
      const point = { quarter: code, live: num(row?.live_by), planned: num(row?.planned_by) }
      const t = totalMigrationTrend.get(code)!
      t.live += point.live
      t.planned += point.planned
      return point
    })
    const assessments = confidenceRows.filter((row) => row.cluster_id === c.id)
    const ratingAt = (date: string) =>
      assessments.filter((a) => String(a.assessed_on).slice(0, 10) <= date).at(-1)
    const latest = assessments.at(-1)
    return {
      cluster: c,
      quarters: clusterQuarters,
      current: clusterQuarters.at(-1)!,
      migration,
      migrationTrend,
      deliveryConfidence: {
        current: latest
          ? { rating: latest.rating, assessedOn: isoDate(latest.assessed_on), rationale: latest.rationale }
          : null,
        trend: quarters.map((q) => ({ quarter: q.code, rating: ratingAt(q.endsOn)?.rating ?? null })),
        history: assessments.map((a) => ({
          assessedOn: isoDate(a.assessed_on),
          rating: a.rating,
          rationale: a.rationale,
        })),
      },
      costs: costsByCluster.get(c.id) ?? {
        budgetPence: 0,
        spendToDatePence: 0,
        ledgerSpendPence: 0,
        lines: 0,
      },
    }
  })

  const totalQuarters: ClusterQuarter[] = codes.map((code) => {
    const t = totalStatus.get(code)!
    const dq = t.dq.map((v) => (t.members ? round1(v / t.members) : 0))
    return {
      quarter: code,
      status: {
        members: t.members,
        received: t.received,
        late: t.late,
        invalid: t.invalid,
        missing: t.missing,
      },
      dataQuality: {
        completeness: dq[0]!,
        timeliness: dq[1]!,
        validity: dq[2]!,
        consistency: dq[3]!,
        overall: dq[4]!,
      },
      figures: figuresFrom(totalSums.get(code)!),
    }
  })

  // Provenance of the returns' figures: service figures in the chosen quarter, convergence over the trend.
  const serviceCounts = { computed: 0, submitted: 0, estimated: 0 }
  const convergenceCounts = { computed: 0, submitted: 0, estimated: 0 }
  for (const row of provenanceRows.rows) {
    const value = row.value as keyof typeof serviceCounts
    if (!(value in serviceCounts)) continue
    if (row.section === 'convergence') convergenceCounts[value] += row.n
    else if (row.quarter === chosen.code) serviceCounts[value] += row.n
  }

  const costs = {
    budgetPence: 0,
    spendToDatePence: 0,
    ledgerSpendPence: 0,
    manualSpendPence: 0,
    lines: costLines.length,
  }
  for (const line of costLines) {
    costs.budgetPence += line.budgetPence
    costs.spendToDatePence += line.spendToDatePence
    if (line.spendSource === 'ledger') costs.ledgerSpendPence += line.spendToDatePence
    else costs.manualSpendPence += line.spendToDatePence
  }

  const residual = [0, 1, 2, 3, 4].map(() => [0, 0, 0, 0, 0])
  const byLevel = { organisation: 0, cluster: 0, programme: 0 }
  let openRisks = 0
  for (const row of riskRows.rows) {
    residual[row.l - 1]![row.i - 1]! += row.n
    byLevel[row.level as keyof typeof byLevel] += row.n
    openRisks += row.n
  }

  const benefits = {
    byYear: benefitRows.rows.map((row) => ({
      fiscalYear: row.fiscal_year,
      cashableForecastPence: Number(row.cf),
      nonCashableForecastPence: Number(row.nf),
      realisedPence: Number(row.realised),
    })),
    forecastPence: 0,
    realisedPence: 0,
    cashableForecastPence: 0,
    nonCashableForecastPence: 0,
  }
  for (const year of benefits.byYear) {
    benefits.cashableForecastPence += year.cashableForecastPence
    benefits.nonCashableForecastPence += year.nonCashableForecastPence
    benefits.realisedPence += year.realisedPence
  }
  benefits.forecastPence = benefits.cashableForecastPence + benefits.nonCashableForecastPence

  const organisations = cluster ? await organisationRows(trx, cluster.id, chosen.code) : []

  const demo =
    benefitRows.rows.some((r) => r.demo) ||
    costLines.some((l) => l.demo) ||
    fundingRows.rows.some((r) => r.demo) ||
    riskRows.rows.some((r) => r.demo) ||
    legacyRows.rows.some((r) => r.demo) ||
    confidenceRows.some((r) => r.demo)

  return {
    quarter: chosen,
    quarters,
    cluster,
    allClusters,
    clusters,
    total: {
      quarters: totalQuarters,
      current: totalQuarters.at(-1)!,
      migration: totalMigration,
      migrationTrend: codes.map((code) => ({ quarter: code, ...totalMigrationTrend.get(code)! })),
      costs: {
        budgetPence: costs.budgetPence,
        spendToDatePence: costs.spendToDatePence,
        ledgerSpendPence: costs.ledgerSpendPence,
        lines: costs.lines,
      },
    },
    provenance: {
      service: share(serviceCounts),
      convergence: share(convergenceCounts),
      // Spend from the ledger is computed; spend recorded by hand was submitted.
      costs: share({
        computed: costLines.filter((l) => l.spendSource === 'ledger').length,
        submitted: costLines.filter((l) => l.spendSource === 'manual').length,
        estimated: 0,
      }),
      funding: share({ computed: 0, submitted: fundingRows.rows.length, estimated: 0 }),
      // Forecasts are estimates; realised amounts carry evidence.
      benefits: share({
        computed: 0,
        submitted: benefits.byYear.filter((y) => y.realisedPence > 0).length,
        estimated: benefits.byYear.filter((y) => y.realisedPence === 0).length,
      }),
    },
    benefits,
    costs,
    funding: fundingRows.rows.map((row) => ({
      spendingReview: row.spending_review,
      periodLabel: row.period_label,
      requestedLowPence: Number(row.low),
      requestedHighPence: Number(row.high),
      approvedPence: Number(row.approved),
      decisions: row.decisions,
    })),
    risks: { open: openRisks, residual, byLevel },
    legacy: {
      systems: legacyRows.rows.length,
      expiringBeforeReplacement: legacyRows.rows
        .filter((row) => row.flagged)
        .map((row) => ({
          name: row.name,
          cluster: row.cluster ?? 'Programme-wide',
          organisation: row.organisation,
          contractExpiresOn: row.contract_expires_on,
          replacementDueOn: row.replacement_due_on,
          extensionHeadroomMonths: row.extension_headroom_months,
          evenWithExtensions: row.even_with_extensions,
        })),
    },
    organisations,
    demo,
  }
}

function isoDate(value: string | Date): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10)
}

/** The cluster page's rows: each organisation of the cluster with its return for the quarter. */
async function organisationRows(trx: Tx, clusterId: string, quarterCode: string): Promise<OrganisationRow[]> {
  const { rows } = await sql<
    SumRow & {
      code: string
      name: string
      kind: string
      onboarding_status: string
      valid: boolean | null
      late: boolean | null
      source: string | null
      dq_overall: string | null
      computed: number
      submitted: number
      estimated: number
    }
  >`
    with x as (
      select o.id, o.code, o.name, o.kind, o.onboarding_status, r.valid, r.late, r.source, r.dq_overall,
        case when r.valid then v.figures end as f, v.provenance as p
      from organisations o
      left join programme_returns r on r.org_id = o.id and r.quarter = ${quarterCode}
      left join programme_return_versions v on v.org_id = r.org_id and v.quarter = r.quarter and v.version = r.current_version
      where o.cluster_id = ${clusterId}::uuid
    ), y as materialized (select x.*, ${FIGURE_COLUMNS} from x)
    select y.code, y.name, y.kind, y.onboarding_status, y.valid, y.late, y.source, y.dq_overall::text,
      (select count(*) from jsonb_each_text(coalesce(y.p, '{}')) e where e.value = 'computed' and e.key like '%.%')::int as computed,
      (select count(*) from jsonb_each_text(coalesce(y.p, '{}')) e where e.value = 'submitted' and e.key like '%.%')::int as submitted,
      (select count(*) from jsonb_each_text(coalesce(y.p, '{}')) e where e.value = 'estimated' and e.key like '%.%')::int as estimated,
      ${SUM_COLUMNS}
    from y
    group by y.code, y.name, y.kind, y.onboarding_status, y.valid, y.late, y.source, y.dq_overall, y.p
    order by y.name`.execute(trx)
  return rows.map((row) => ({
    code: row.code,
    name: row.name,
    kind: row.kind,
    onboardingStatus: row.onboarding_status,
    status: row.valid === null ? 'missing' : !row.valid ? 'invalid' : row.late ? 'late' : 'received',
    source: row.source,
    dqOverall: numOrNull(row.dq_overall),
    figures: row.valid ? figuresFrom(sumsFromRow(row)) : null,
    provenance: share({ computed: row.computed, submitted: row.submitted, estimated: row.estimated }),
  }))
}
