// Programme money (issue 7, deliverable 3): the benefits register, programme costs (budget against
// spend to date, from the ledger where the spend is on the platform), funding requested against
// approved per spending review period, and the value for money of joining a cluster per department.
//
// Every table here is programme-scoped (migration 0500): row-level security by cluster through
// gss_programme_can(cluster_id, manage). Reads therefore simply query: RLS leaves out what the
// caller may not see. Writes check gss_programme_can first so that the refusal names the cluster
// (RLS would refuse anyway, with a less helpful message).
//
// Money is integer pence throughout; fiscal years are named by the year they start in (2026 is
// 2026-27, April to March), as in the ledger.
import { sql } from 'kysely'
import { fiscalYearLabel } from '../finance/chart.ts'
import type { Tx } from '../platform/db/index.ts'
import { BusinessRuleError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.ts'
import { MAX_AMOUNT_PENCE, multiplyRatio } from '../platform/money.ts'
import { withTenantOrgs } from './onboarding.ts'

export { onboardingSummary } from './onboarding.ts'

type FieldErrors = Array<{ field: string; message: string }>

export const BENEFIT_KINDS = ['cashable', 'non_cashable'] as const
export type BenefitKind = (typeof BENEFIT_KINDS)[number]
export const BENEFIT_KIND_LABELS: Record<BenefitKind, string> = {
  cashable: 'Cashable',
  non_cashable: 'Non-cashable',
}
export const COST_CATEGORIES = ['implementation', 'running', 'programme_team', 'other'] as const
export type CostCategory = (typeof COST_CATEGORIES)[number]
export const COST_CATEGORY_LABELS: Record<CostCategory, string> = {
  implementation: 'Implementation',
  running: 'Running',
  programme_team: 'Programme team',
  other: 'Other',
}
export const FUNDING_DECISIONS = ['pending', 'approved', 'part_approved', 'rejected'] as const
export type FundingDecision = (typeof FUNDING_DECISIONS)[number]
export const FUNDING_DECISION_LABELS: Record<FundingDecision, string> = {
  pending: 'Pending',
  approved: 'Approved',
  part_approved: 'Part approved',
  rejected: 'Rejected',
}
export const RUNNING_COST_PROVENANCES = ['computed', 'submitted', 'estimated'] as const

/** Evidence for a realised benefit: at least this many characters (the table's check agrees). */
export const EVIDENCE_LENGTH_MIN = 10
/** Lists are registers of tens to hundreds of lines; this bounds any one page or export. */
export const REGISTER_ROWS_MAX = 5000

const FISCAL_YEAR_MIN = 2000
const FISCAL_YEAR_MAX = 2100

// ---------------------------------------------------------------------------------------------
// Validation helpers: each collects every problem, naming the field, before anything is written.
// ---------------------------------------------------------------------------------------------

function checkText(
  errors: FieldErrors,
  field: string,
  label: string,
  value: unknown,
  min: number,
  max: number,
): string {
  const text = typeof value === 'string' ? value.trim() : ''
  if (text.length < min)
    errors.push({
      field,
      message: min <= 1 ? `Enter the ${label}` : `The ${label} must be at least ${min} characters`,
    })
  else if (text.length > max)
    errors.push({ field, message: `The ${label} must be ${max} characters or fewer` })
  return text
}

function checkPence(
  errors: FieldErrors,
  field: string,
  label: string,
  value: unknown,
  required: boolean,
): number | null {
  if (value === null || value === undefined) {
    if (required) errors.push({ field, message: `Enter the ${label}` })
    return null
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Number.isNaN(value)) {
    errors.push({ field, message: `The ${label} must be an amount of money, like 1234.56` })
    return null
  }
  if (value < 0) {
    errors.push({ field, message: `The ${label} must be zero or more` })
    return null
  }
  if (value > MAX_AMOUNT_PENCE) {
    errors.push({ field, message: `The ${label} is larger than the largest amount GSS accepts` })
    return null
  }
  return value
}

function checkFiscalYear(errors: FieldErrors, field: string, value: unknown): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < FISCAL_YEAR_MIN ||
    value > FISCAL_YEAR_MAX
  ) {
    errors.push({
      field,
      message: `The fiscal year must be the year it starts in, between ${FISCAL_YEAR_MIN} and ${FISCAL_YEAR_MAX}, like 2026 for 2026-27`,
    })
    return 0
  }
  return value
}

function checkOneOf<T extends string>(
  errors: FieldErrors,
  field: string,
  label: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    errors.push({ field, message: `Select the ${label}` })
    return allowed[0]!
  }
  return value as T
}

function fail(errors: FieldErrors): void {
  if (errors.length) throw new ValidationError(errors[0]!.message, errors)
}

/** A cluster code → its id; null or '' means programme-wide. Adds a field error when unknown. */
async function clusterIdFor(
  trx: Tx,
  errors: FieldErrors,
  code: string | null | undefined,
  field = '/cluster',
): Promise<string | null> {
  if (code === null || code === undefined || code === '') return null
  const row = await trx.selectFrom('clusters').select('id').where('code', '=', code).executeTakeFirst()
  if (!row) {
    errors.push({ field, message: `There is no cluster with the code ${code}` })
    return null
  }
  return row.id
}

/**
 * May the caller change rows of this cluster (null: programme-wide)? Thrown before writing so the
 * refusal is a sentence; row-level security enforces the same rule underneath.
 */
async function assertMayManage(trx: Tx, clusterId: string | null): Promise<void> {
  const { rows } = await sql<{ ok: boolean; name: string | null }>`
    select gss_programme_can(${clusterId}::uuid, true) as ok,
      (select name from clusters where id = ${clusterId}::uuid) as name`.execute(trx)
  if (!rows[0]?.ok)
    throw new ForbiddenError(
      clusterId
        ? `You do not manage the programme’s records for the ${rows[0]?.name ?? ''} cluster`
        : 'Only platform-wide programme managers can change programme-wide records',
    )
}

// ---------------------------------------------------------------------------------------------
// Benefits register
// ---------------------------------------------------------------------------------------------

export interface BenefitInput {
  reference: string
  title: string
  kind: BenefitKind
  owner: string
  description?: string | undefined
  baselinePence?: number | undefined
  /** Cluster code; null or omitted for a programme-wide benefit. */
  cluster?: string | null | undefined
}

export interface BenefitYearInput {
  fiscalYear: number
  forecastPence: number
  realisedPence?: number | null | undefined
  evidence?: string | undefined
}

export interface BenefitYear {
  fiscalYear: number
  forecastPence: number
  realisedPence: number | null
  evidence: string
}

export interface Benefit {
  id: string
  reference: string
  title: string
  kind: BenefitKind
  description: string
  owner: string
  baselinePence: number
  cluster: { id: string; code: string; name: string } | null
  demo: boolean
  forecastPence: number
  realisedPence: number
  years: BenefitYear[]
  updatedAt: Date
}

async function checkBenefit(trx: Tx, input: BenefitInput, errors: FieldErrors) {
  const reference = typeof input.reference === 'string' ? input.reference.trim().toUpperCase() : ''
  if (!/^[A-Z0-9][A-Z0-9-]{1,30}$/.test(reference))
    errors.push({
      field: '/reference',
      message: 'The reference must be 2 to 31 letters, digits or hyphens, like BEN-001',
    })
  const title = checkText(errors, '/title', 'title', input.title, 3, 200)
  const kind = checkOneOf(
    errors,
    '/kind',
    'kind of benefit (cashable or non-cashable)',
    input.kind,
    BENEFIT_KINDS,
  )
  const owner = checkText(errors, '/owner', 'owner', input.owner, 2, 200)
  const description = typeof input.description === 'string' ? input.description.trim() : ''
  if (description.length > 2000)
    errors.push({ field: '/description', message: 'The description must be 2,000 characters or fewer' })
  const baselinePence = checkPence(errors, '/baselinePence', 'baseline', input.baselinePence ?? 0, true) ?? 0
  const clusterId = await clusterIdFor(trx, errors, input.cluster)
  return { reference, title, kind, owner, description, baselinePence, clusterId }
}

/**
 * Adds a benefit to the register. Errors: ValidationError naming each field, ConflictError-like
 * BusinessRuleError for a reference already used, ForbiddenError outside the caller's clusters.
 */
export async function createBenefit(
  trx: Tx,
  input: BenefitInput,
  id = crypto.randomUUID(),
): Promise<Benefit> {
  const errors: FieldErrors = []
  const values = await checkBenefit(trx, input, errors)
  fail(errors)
  await assertMayManage(trx, values.clusterId)
  await assertReferenceFree(trx, values.reference, null)
  await trx
    .insertInto('programme_benefits')
    .values({
      id,
      cluster_id: values.clusterId,
      reference: values.reference,
      title: values.title,
      kind: values.kind,
      description: values.description,
      owner: values.owner,
      baseline_pence: values.baselinePence,
    })
    .execute()
  return getBenefit(trx, id)
}

async function assertReferenceFree(trx: Tx, reference: string, exceptId: string | null) {
  // Unique across the programme. This sees only the rows the caller may read; a clash with a row of
  // another cluster is caught by the unique index (409, without saying whose row it is).
  const { rows } = await sql<{ taken: boolean }>`
    select exists (select 1 from programme_benefits where reference = ${reference}
      and (${exceptId}::uuid is null or id <> ${exceptId}::uuid)) as taken`.execute(trx)
  if (rows[0]?.taken)
    throw new BusinessRuleError(`The reference ${reference} is already used`, [
      { field: '/reference', message: `The reference ${reference} is already used by another benefit` },
    ])
}

/** Changes a benefit's details (not its years). Errors as createBenefit, NotFoundError. */
export async function updateBenefit(trx: Tx, id: string, input: BenefitInput): Promise<Benefit> {
  const current = await getBenefit(trx, id)
  const errors: FieldErrors = []
  const values = await checkBenefit(trx, input, errors)
  fail(errors)
  await assertMayManage(trx, current.cluster?.id ?? null)
  if (values.clusterId !== (current.cluster?.id ?? null)) await assertMayManage(trx, values.clusterId)
  await assertReferenceFree(trx, values.reference, id)
  await trx
    .updateTable('programme_benefits')
    .set({
      cluster_id: values.clusterId,
      reference: values.reference,
      title: values.title,
      kind: values.kind,
      description: values.description,
      owner: values.owner,
      baseline_pence: values.baselinePence,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute()
  // The years carry the benefit's cluster (denormalised for row-level security): keep them with it.
  await trx
    .updateTable('programme_benefit_years')
    .set({ cluster_id: values.clusterId })
    .where('benefit_id', '=', id)
    .execute()
  return getBenefit(trx, id)
}

/**
 * Sets one fiscal year of a benefit's profile: the forecast and, once known, what was realised
 * with its evidence. Realised more than zero needs evidence (at least 10 characters).
 */
export async function setBenefitYear(trx: Tx, benefitId: string, input: BenefitYearInput): Promise<Benefit> {
  const benefit = await getBenefit(trx, benefitId)
  const errors: FieldErrors = []
  const fiscalYear = checkFiscalYear(errors, '/fiscalYear', input.fiscalYear)
  const forecastPence = checkPence(errors, '/forecastPence', 'forecast', input.forecastPence, true) ?? 0
  const realisedPence = checkPence(errors, '/realisedPence', 'realised amount', input.realisedPence, false)
  const evidence = typeof input.evidence === 'string' ? input.evidence.trim() : ''
  if (realisedPence !== null && realisedPence > 0 && evidence.length < EVIDENCE_LENGTH_MIN)
    errors.push({
      field: '/evidence',
      message: `Give the evidence for the realised benefit (at least ${EVIDENCE_LENGTH_MIN} characters)`,
    })
  if (evidence.length > 2000)
    errors.push({ field: '/evidence', message: 'The evidence must be 2,000 characters or fewer' })
  fail(errors)
  await assertMayManage(trx, benefit.cluster?.id ?? null)
  await trx
    .insertInto('programme_benefit_years')
    .values({
      benefit_id: benefitId,
      fiscal_year: fiscalYear,
      cluster_id: benefit.cluster?.id ?? null,
      forecast_pence: forecastPence,
      realised_pence: realisedPence,
      evidence,
    })
    .onConflict((oc) =>
      oc.columns(['benefit_id', 'fiscal_year']).doUpdateSet({
        forecast_pence: forecastPence,
        realised_pence: realisedPence,
        evidence,
      }),
    )
    .execute()
  await trx
    .updateTable('programme_benefits')
    .set({ updated_at: new Date() })
    .where('id', '=', benefitId)
    .execute()
  return getBenefit(trx, benefitId)
}

export async function getBenefit(trx: Tx, id: string): Promise<Benefit> {
  const list = await listBenefits(trx, { id })
  if (!list[0]) throw new NotFoundError('There is no such benefit')
  return list[0]
}

export async function listBenefits(
  trx: Tx,
  filter: { clusterId?: string | undefined; id?: string | undefined; kind?: BenefitKind | undefined } = {},
): Promise<Benefit[]> {
  if (filter.id !== undefined && !/^[0-9a-f-]{36}$/i.test(filter.id)) return []
  let query = trx
    .selectFrom('programme_benefits as b')
    .leftJoin('clusters as c', 'c.id', 'b.cluster_id')
    .select([
      'b.id',
      'b.reference',
      'b.title',
      'b.kind',
      'b.description',
      'b.owner',
      'b.baseline_pence',
      'b.demo',
      'b.updated_at',
      'b.cluster_id',
      'c.code as cluster_code',
      'c.name as cluster_name',
    ])
  if (filter.clusterId) query = query.where('b.cluster_id', '=', filter.clusterId)
  if (filter.id) query = query.where('b.id', '=', filter.id)
  if (filter.kind) query = query.where('b.kind', '=', filter.kind)
  const benefits = await query
    .orderBy(sql`c.name nulls first`)
    .orderBy('b.reference')
    .limit(REGISTER_ROWS_MAX)
    .execute()
  if (!benefits.length) return []
  const years = await trx
    .selectFrom('programme_benefit_years')
    .select(['benefit_id', 'fiscal_year', 'forecast_pence', 'realised_pence', 'evidence'])
    .where(
      'benefit_id',
      'in',
      benefits.map((b) => b.id),
    )
    .orderBy('fiscal_year')
    .execute()
  const byBenefit = new Map<string, BenefitYear[]>()
  for (const year of years) {
    const list = byBenefit.get(year.benefit_id) ?? []
    list.push({
      fiscalYear: year.fiscal_year,
      forecastPence: year.forecast_pence,
      realisedPence: year.realised_pence,
      evidence: year.evidence,
    })
    byBenefit.set(year.benefit_id, list)
  }
  return benefits.map((b) => {
    const profile = byBenefit.get(b.id) ?? []
    return {
      id: b.id,
      reference: b.reference,
      title: b.title,
      kind: b.kind,
      description: b.description,
      owner: b.owner,
      baselinePence: b.baseline_pence,
      cluster: b.cluster_id ? { id: b.cluster_id, code: b.cluster_code!, name: b.cluster_name! } : null,
      demo: b.demo,
      forecastPence: profile.reduce((sum, y) => sum + y.forecastPence, 0),
      realisedPence: profile.reduce((sum, y) => sum + (y.realisedPence ?? 0), 0),
      years: profile,
      updatedAt: b.updated_at,
    }
  })
}

export interface BenefitsSummary {
  benefits: number
  baselinePence: number
  forecastPence: number
  realisedPence: number
  cashableForecastPence: number
  cashableRealisedPence: number
  nonCashableForecastPence: number
  nonCashableRealisedPence: number
  /** Realised with evidence recorded (every realised amount above zero has it: a table rule). */
  yearsWithRealised: number
}

/**
 * Benefits totals in pence for the whole programme (every row the caller may read) or one cluster;
 * with fiscalYear, that year's profile only. One aggregate query.
 */
export async function benefitsSummary(
  trx: Tx,
  options: { clusterId?: string | undefined; fiscalYear?: number | undefined } = {},
): Promise<BenefitsSummary> {
  const clusterId = options.clusterId ?? null
  const fiscalYear = options.fiscalYear ?? null
  const { rows } = await sql<{
    benefits: number
    baseline_pence: string
    cf: string
    cr: string
    nf: string
    nr: string
    years_realised: number
  }>`
    with b as (
      select id, kind, baseline_pence from programme_benefits
      where ${clusterId}::uuid is null or cluster_id = ${clusterId}::uuid
    ), y as (
      select b.kind, y.forecast_pence, y.realised_pence from programme_benefit_years y
      join b on b.id = y.benefit_id
      where ${fiscalYear}::int is null or y.fiscal_year = ${fiscalYear}::int
    )
    select (select count(*)::int from b) as benefits,
      (select coalesce(sum(baseline_pence), 0)::text from b) as baseline_pence,
      coalesce(sum(forecast_pence) filter (where kind = 'cashable'), 0)::text as cf,
      coalesce(sum(realised_pence) filter (where kind = 'cashable'), 0)::text as cr,
      coalesce(sum(forecast_pence) filter (where kind = 'non_cashable'), 0)::text as nf,
      coalesce(sum(realised_pence) filter (where kind = 'non_cashable'), 0)::text as nr,
      count(*) filter (where realised_pence > 0)::int as years_realised
    from y`.execute(trx)
  const row = rows[0]!
  const cf = Number(row.cf)
  const cr = Number(row.cr)
  const nf = Number(row.nf)
  const nr = Number(row.nr)
  return {
    benefits: row.benefits,
    baselinePence: Number(row.baseline_pence),
    forecastPence: cf + nf,
    realisedPence: cr + nr,
    cashableForecastPence: cf,
    cashableRealisedPence: cr,
    nonCashableForecastPence: nf,
    nonCashableRealisedPence: nr,
    yearsWithRealised: row.years_realised,
  }
}

/** Per cluster (and programme-wide rows as cluster null): the same totals, for the register page. */
export async function benefitsByCluster(trx: Tx, options: { fiscalYear?: number | undefined } = {}) {
  const benefits = await listBenefits(trx)
  const groups = new Map<string, { cluster: Benefit['cluster']; summary: BenefitsSummary }>()
  for (const b of benefits) {
    const key = b.cluster?.id ?? ''
    let group = groups.get(key)
    if (!group) {
      group = {
        cluster: b.cluster,
        summary: {
          benefits: 0,
          baselinePence: 0,
          forecastPence: 0,
          realisedPence: 0,
          cashableForecastPence: 0,
          cashableRealisedPence: 0,
          nonCashableForecastPence: 0,
          nonCashableRealisedPence: 0,
          yearsWithRealised: 0,
        },
      }
      groups.set(key, group)
    }
    const s = group.summary
    s.benefits += 1
    s.baselinePence += b.baselinePence
    for (const y of b.years) {
      if (options.fiscalYear !== undefined && y.fiscalYear !== options.fiscalYear) continue
      const realised = y.realisedPence ?? 0
      if (b.kind === 'cashable') {
        s.cashableForecastPence += y.forecastPence
        s.cashableRealisedPence += realised
      } else {
        s.nonCashableForecastPence += y.forecastPence
        s.nonCashableRealisedPence += realised
      }
      s.forecastPence += y.forecastPence
      s.realisedPence += realised
      if (realised > 0) s.yearsWithRealised += 1
    }
  }
  return [...groups.values()]
}

// ---------------------------------------------------------------------------------------------
// Programme costs
// ---------------------------------------------------------------------------------------------

export interface CostInput {
  cluster?: string | null | undefined
  fiscalYear: number
  title: string
  category: CostCategory
  budgetPence: number
  spendSource: 'ledger' | 'manual'
  /** For spend from the ledger: the organisation (code) and its cost centre. */
  ledgerOrg?: string | null | undefined
  ledgerCostCentre?: string | null | undefined
  /** For spend recorded by hand. */
  manualSpendPence?: number | null | undefined
}

export interface CostLine {
  id: string
  cluster: { id: string; code: string; name: string } | null
  fiscalYear: number
  title: string
  category: CostCategory
  budgetPence: number
  spendSource: 'ledger' | 'manual'
  ledgerOrg: { id: string; code: string; name: string } | null
  ledgerCostCentre: string | null
  manualSpendPence: number | null
  /** Spend to date: the ledger's sum, or the amount recorded by hand. */
  spendToDatePence: number
  /** Where the spend figure comes from, in words. */
  provenance: string
  remainingPence: number
  demo: boolean
  updatedAt: Date
}

/**
 * Spend to date from the ledger for each (organisation, cost centre, fiscal year): the sum of
 * journal_lines.amount_pence (debits positive, credits negative, so a refund or reversal reduces
 * spend) over the journals of that fiscal year, read from the ledger's running balances. Keyed `${orgId}|${costCentre}|${fiscalYear}`.
 *
 * The caller is a programme reader, whose aggregate-only role can see no organisation's ledger
 * rows. The figure is an aggregate, so it is computed with the transaction's tenant narrowed to
 * exactly the one organisation, [ledger_org_id], one organisation at a time (withTenantOrgs):
 * only the sums leave this function. Which cost centre of which organisation is read was set by
 * a programme manager of the cost line's cluster, and must be an organisation of that cluster.
 */
export async function ledgerSpend(
  trx: Tx,
  lines: ReadonlyArray<{ ledgerOrgId: string; costCentre: string; fiscalYear: number }>,
): Promise<Map<string, number>> {
  const byOrg = new Map<string, Array<{ costCentre: string; fiscalYear: number }>>()
  for (const line of lines) {
    const list = byOrg.get(line.ledgerOrgId) ?? []
    list.push(line)
    byOrg.set(line.ledgerOrgId, list)
  }
  const result = new Map<string, number>()
  for (const [orgId, wanted] of byOrg) {
    const costCentres = [...new Set(wanted.map((w) => w.costCentre))]
    const years = [...new Set(wanted.map((w) => w.fiscalYear))]
    const sums = await withTenantOrgs(trx, [orgId], async () => {
      // ledger_balances holds, per period, account and cost centre, the posting trigger's running
      // debits and credits of exactly these lines, so debit − credit is sum(amount_pence) without
      // reading every line (the trial balance and reports read it the same way). The tests check
      // the figure against a sum over journal_lines computed independently.
      const { rows } = await sql<{ cost_centre_code: string; fiscal_year: number; spend: string }>`
        select b.cost_centre_code, b.fiscal_year::int as fiscal_year,
          sum(b.debit_pence - b.credit_pence)::text as spend
        from ledger_balances b
        where b.org_id = ${orgId}::uuid
          and b.cost_centre_code = any (${costCentres}::text[])
          and b.fiscal_year = any (${years}::int[])
        group by b.cost_centre_code, b.fiscal_year`.execute(trx)
      return rows
    })
    for (const row of sums)
      result.set(`${orgId}|${row.cost_centre_code}|${row.fiscal_year}`, Number(row.spend))
  }
  return result
}

export async function listCosts(
  trx: Tx,
  filter: { clusterId?: string | undefined; fiscalYear?: number | undefined; id?: string | undefined } = {},
): Promise<CostLine[]> {
  if (filter.id !== undefined && !/^[0-9a-f-]{36}$/i.test(filter.id)) return []
  let query = trx
    .selectFrom('programme_costs as p')
    .leftJoin('clusters as c', 'c.id', 'p.cluster_id')
    .leftJoin('organisations as o', 'o.id', 'p.ledger_org_id')
    .select([
      'p.id',
      'p.cluster_id',
      'p.fiscal_year',
      'p.title',
      'p.category',
      'p.budget_pence',
      'p.spend_source',
      'p.ledger_org_id',
      'p.ledger_cost_centre',
      'p.manual_spend_pence',
      'p.updated_at',
      'p.demo',
      'c.code as cluster_code',
      'c.name as cluster_name',
      'o.code as org_code',
      'o.name as org_name',
    ])
  if (filter.clusterId) query = query.where('p.cluster_id', '=', filter.clusterId)
  if (filter.fiscalYear !== undefined) query = query.where('p.fiscal_year', '=', filter.fiscalYear)
  if (filter.id) query = query.where('p.id', '=', filter.id)
  const rows = await query
    .orderBy('p.fiscal_year', 'desc')
    .orderBy(sql`c.name nulls first`)
    .orderBy('p.title')
    .limit(REGISTER_ROWS_MAX)
    .execute()
  const spend = await ledgerSpend(
    trx,
    rows
      .filter((row) => row.spend_source === 'ledger')
      .map((row) => ({
        ledgerOrgId: row.ledger_org_id!,
        costCentre: row.ledger_cost_centre!,
        fiscalYear: row.fiscal_year,
      })),
  )
  return rows.map((row) => {
    const fromLedger = row.spend_source === 'ledger'
    const spendToDatePence = fromLedger
      ? (spend.get(`${row.ledger_org_id}|${row.ledger_cost_centre}|${row.fiscal_year}`) ?? 0)
      : (row.manual_spend_pence ?? 0)
    return {
      id: row.id,
      cluster: row.cluster_id
        ? { id: row.cluster_id, code: row.cluster_code!, name: row.cluster_name! }
        : null,
      fiscalYear: row.fiscal_year,
      title: row.title,
      category: row.category,
      budgetPence: row.budget_pence,
      spendSource: row.spend_source,
      ledgerOrg: row.ledger_org_id
        ? { id: row.ledger_org_id, code: row.org_code!, name: row.org_name! }
        : null,
      ledgerCostCentre: row.ledger_cost_centre,
      manualSpendPence: row.manual_spend_pence,
      spendToDatePence,
      provenance: fromLedger
        ? `From the ledger: ${row.org_name}, cost centre ${row.ledger_cost_centre}, ${fiscalYearLabel(row.fiscal_year)}`
        : `Recorded by hand (last changed ${row.updated_at.toISOString().slice(0, 10)})`,
      remainingPence: row.budget_pence - spendToDatePence,
      demo: row.demo,
      updatedAt: row.updated_at,
    }
  })
}

export async function getCost(trx: Tx, id: string): Promise<CostLine> {
  const line = (await listCosts(trx, { id }))[0]
  if (!line) throw new NotFoundError('There is no such cost line')
  return line
}

async function checkCost(trx: Tx, input: CostInput) {
  const errors: FieldErrors = []
  const clusterId = await clusterIdFor(trx, errors, input.cluster)
  const fiscalYear = checkFiscalYear(errors, '/fiscalYear', input.fiscalYear)
  const title = checkText(errors, '/title', 'title', input.title, 3, 200)
  const category = checkOneOf(errors, '/category', 'category', input.category, COST_CATEGORIES)
  const budgetPence = checkPence(errors, '/budgetPence', 'budget', input.budgetPence, true) ?? 0
  const spendSource = checkOneOf(errors, '/spendSource', 'source of the spend', input.spendSource, [
    'ledger',
    'manual',
  ] as const)
  let ledgerOrgId: string | null = null
  let ledgerCostCentre: string | null = null
  let manualSpendPence: number | null = null
  if (spendSource === 'ledger') {
    if (!input.ledgerOrg)
      errors.push({ field: '/ledgerOrg', message: 'Enter the organisation whose ledger holds the spend' })
    else {
      const org = await trx
        .selectFrom('organisations')
        .select(['id', 'name', 'cluster_id'])
        .where('code', '=', input.ledgerOrg)
        .executeTakeFirst()
      if (!org)
        errors.push({
          field: '/ledgerOrg',
          message: `There is no organisation with the code ${input.ledgerOrg}`,
        })
      // A cluster's cost line reads only its own organisations' ledgers (the widening in
      // ledgerSpend is justified by that); programme-wide lines may read any organisation.
      else if (clusterId !== null && org.cluster_id !== clusterId)
        errors.push({
          field: '/ledgerOrg',
          message: `${org.name} is not in this cost line’s cluster: choose one of the cluster’s organisations`,
        })
      else ledgerOrgId = org.id
    }
    const centre =
      typeof input.ledgerCostCentre === 'string' ? input.ledgerCostCentre.trim().toUpperCase() : ''
    if (!/^[A-Z0-9-]{1,20}$/.test(centre))
      errors.push({ field: '/ledgerCostCentre', message: 'Enter the cost centre code, like CORP' })
    else if (ledgerOrgId) {
      const exists = await withTenantOrgs(trx, [ledgerOrgId], async () =>
        Boolean(
          await trx
            .selectFrom('cost_centres')
            .select('code')
            .where('org_id', '=', ledgerOrgId!)
            .where('code', '=', centre)
            .executeTakeFirst(),
        ),
      )
      if (!exists)
        errors.push({
          field: '/ledgerCostCentre',
          message: `The organisation has no cost centre ${centre}`,
        })
      ledgerCostCentre = centre
    } else ledgerCostCentre = centre
    if (input.manualSpendPence !== null && input.manualSpendPence !== undefined)
      errors.push({
        field: '/manualSpendPence',
        message: 'Spend from the ledger is computed: leave the spend recorded by hand empty',
      })
  } else {
    manualSpendPence = checkPence(errors, '/manualSpendPence', 'spend to date', input.manualSpendPence, true)
    if (input.ledgerOrg || input.ledgerCostCentre)
      errors.push({
        field: '/ledgerOrg',
        message: 'Spend recorded by hand has no ledger organisation or cost centre',
      })
  }
  fail(errors)
  return {
    cluster_id: clusterId,
    fiscal_year: fiscalYear,
    title,
    category,
    budget_pence: budgetPence,
    spend_source: spendSource,
    ledger_org_id: ledgerOrgId,
    ledger_cost_centre: spendSource === 'ledger' ? ledgerCostCentre : null,
    manual_spend_pence: manualSpendPence,
  }
}

/** Adds a cost line. Errors: ValidationError naming each field; ForbiddenError outside the caller's clusters. */
export async function createCost(trx: Tx, input: CostInput, id = crypto.randomUUID()): Promise<CostLine> {
  const values = await checkCost(trx, input)
  await assertMayManage(trx, values.cluster_id)
  await trx
    .insertInto('programme_costs')
    .values({ id, ...values })
    .execute()
  return getCost(trx, id)
}

export async function updateCost(trx: Tx, id: string, input: CostInput): Promise<CostLine> {
  const current = await getCost(trx, id)
  const values = await checkCost(trx, input)
  await assertMayManage(trx, current.cluster?.id ?? null)
  if (values.cluster_id !== (current.cluster?.id ?? null)) await assertMayManage(trx, values.cluster_id)
  await trx
    .updateTable('programme_costs')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .execute()
  return getCost(trx, id)
}

export interface CostsSummary {
  lines: number
  budgetPence: number
  spendToDatePence: number
  ledgerSpendPence: number
  manualSpendPence: number
  remainingPence: number
  ledgerLines: number
  manualLines: number
}

function summariseCosts(lines: readonly CostLine[]): CostsSummary {
  const summary: CostsSummary = {
    lines: 0,
    budgetPence: 0,
    spendToDatePence: 0,
    ledgerSpendPence: 0,
    manualSpendPence: 0,
    remainingPence: 0,
    ledgerLines: 0,
    manualLines: 0,
  }
  for (const line of lines) {
    summary.lines += 1
    summary.budgetPence += line.budgetPence
    summary.spendToDatePence += line.spendToDatePence
    if (line.spendSource === 'ledger') {
      summary.ledgerSpendPence += line.spendToDatePence
      summary.ledgerLines += 1
    } else {
      summary.manualSpendPence += line.spendToDatePence
      summary.manualLines += 1
    }
  }
  summary.remainingPence = summary.budgetPence - summary.spendToDatePence
  return summary
}

/** Budget against spend to date in pence, for the programme (rows the caller may read) or a cluster. */
export async function costsSummary(
  trx: Tx,
  options: { clusterId?: string | undefined; fiscalYear?: number | undefined } = {},
): Promise<CostsSummary> {
  return summariseCosts(await listCosts(trx, options))
}

export async function costsByCluster(trx: Tx, options: { fiscalYear?: number | undefined } = {}) {
  const lines = await listCosts(trx, options)
  const groups = new Map<string, { cluster: CostLine['cluster']; lines: CostLine[] }>()
  for (const line of lines) {
    const key = line.cluster?.id ?? ''
    const group = groups.get(key) ?? { cluster: line.cluster, lines: [] }
    group.lines.push(line)
    groups.set(key, group)
  }
  return {
    lines,
    clusters: [...groups.values()]
      .sort((a, b) => (a.cluster?.name ?? '').localeCompare(b.cluster?.name ?? ''))
      .map((group) => ({ cluster: group.cluster, summary: summariseCosts(group.lines) })),
    total: summariseCosts(lines),
  }
}

// ---------------------------------------------------------------------------------------------
// Funding requested against approved
// ---------------------------------------------------------------------------------------------

export interface FundingInput {
  cluster?: string | null | undefined
  spendingReview: string
  periodLabel: string
  requestedLowPence: number
  requestedHighPence: number
  approvedPence?: number | null | undefined
  decision: FundingDecision
  notes?: string | undefined
}

export interface FundingLine {
  id: string
  cluster: { id: string; code: string; name: string } | null
  spendingReview: string
  periodLabel: string
  requestedLowPence: number
  requestedHighPence: number
  approvedPence: number | null
  decision: FundingDecision
  notes: string
  /** Approved less the low end of the request (negative: short of the request). */
  shortfallAgainstLowPence: number | null
  shortfallAgainstHighPence: number | null
  demo: boolean
}

async function checkFunding(trx: Tx, input: FundingInput) {
  const errors: FieldErrors = []
  const clusterId = await clusterIdFor(trx, errors, input.cluster)
  const spendingReview = checkText(errors, '/spendingReview', 'spending review', input.spendingReview, 2, 40)
  const periodLabel = checkText(errors, '/periodLabel', 'period', input.periodLabel, 4, 40)
  const low = checkPence(
    errors,
    '/requestedLowPence',
    'lowest amount requested',
    input.requestedLowPence,
    true,
  )
  const high = checkPence(
    errors,
    '/requestedHighPence',
    'highest amount requested',
    input.requestedHighPence,
    true,
  )
  if (low !== null && high !== null && high < low)
    errors.push({
      field: '/requestedHighPence',
      message: 'The highest amount requested must be at least the lowest amount requested',
    })
  const approved = checkPence(errors, '/approvedPence', 'amount approved', input.approvedPence, false)
  const decision = checkOneOf(errors, '/decision', 'decision', input.decision, FUNDING_DECISIONS)
  if (decision === 'pending' && approved !== null)
    errors.push({
      field: '/approvedPence',
      message: 'A pending request has no amount approved yet: leave it empty',
    })
  if ((decision === 'approved' || decision === 'part_approved') && (approved === null || approved === 0))
    errors.push({ field: '/approvedPence', message: 'Enter the amount approved' })
  if (decision === 'part_approved' && approved !== null && low !== null && approved >= low)
    errors.push({
      field: '/approvedPence',
      message: 'A part approval is less than the lowest amount requested; otherwise choose approved',
    })
  if (decision === 'rejected' && approved !== null && approved > 0)
    errors.push({
      field: '/approvedPence',
      message: 'A rejected request has nothing approved: enter 0 or leave it empty',
    })
  const notes = typeof input.notes === 'string' ? input.notes.trim() : ''
  if (notes.length > 2000)
    errors.push({ field: '/notes', message: 'The notes must be 2,000 characters or fewer' })
  fail(errors)
  return {
    cluster_id: clusterId,
    spending_review: spendingReview,
    period_label: periodLabel,
    requested_low_pence: low!,
    requested_high_pence: high!,
    approved_pence: decision === 'rejected' ? (approved ?? 0) : approved,
    decision,
    notes,
  }
}

export async function createFunding(
  trx: Tx,
  input: FundingInput,
  id = crypto.randomUUID(),
): Promise<FundingLine> {
  const values = await checkFunding(trx, input)
  await assertMayManage(trx, values.cluster_id)
  await trx
    .insertInto('programme_funding')
    .values({ id, ...values })
    .execute()
  return getFunding(trx, id)
}

export async function updateFunding(trx: Tx, id: string, input: FundingInput): Promise<FundingLine> {
  const current = await getFunding(trx, id)
  const values = await checkFunding(trx, input)
  await assertMayManage(trx, current.cluster?.id ?? null)
  if (values.cluster_id !== (current.cluster?.id ?? null)) await assertMayManage(trx, values.cluster_id)
  await trx.updateTable('programme_funding').set(values).where('id', '=', id).execute()
  return getFunding(trx, id)
}

export async function getFunding(trx: Tx, id: string): Promise<FundingLine> {
  const line = (await listFunding(trx, { id }))[0]
  if (!line) throw new NotFoundError('There is no such funding request')
  return line
}

export async function listFunding(
  trx: Tx,
  filter: { clusterId?: string | undefined; id?: string | undefined } = {},
): Promise<FundingLine[]> {
  if (filter.id !== undefined && !/^[0-9a-f-]{36}$/i.test(filter.id)) return []
  let query = trx
    .selectFrom('programme_funding as f')
    .leftJoin('clusters as c', 'c.id', 'f.cluster_id')
    .selectAll('f')
    .select(['c.code as cluster_code', 'c.name as cluster_name'])
  if (filter.clusterId) query = query.where('f.cluster_id', '=', filter.clusterId)
  if (filter.id) query = query.where('f.id', '=', filter.id)
  const rows = await query
    .orderBy('f.spending_review')
    .orderBy('f.period_label')
    .orderBy(sql`c.name nulls first`)
    .limit(REGISTER_ROWS_MAX)
    .execute()
  return rows.map((row) => ({
    id: row.id,
    cluster: row.cluster_id ? { id: row.cluster_id, code: row.cluster_code!, name: row.cluster_name! } : null,
    spendingReview: row.spending_review,
    periodLabel: row.period_label,
    requestedLowPence: row.requested_low_pence,
    requestedHighPence: row.requested_high_pence,
    approvedPence: row.approved_pence,
    decision: row.decision,
    notes: row.notes,
    shortfallAgainstLowPence:
      row.approved_pence === null ? null : row.approved_pence - row.requested_low_pence,
    shortfallAgainstHighPence:
      row.approved_pence === null ? null : row.approved_pence - row.requested_high_pence,
    demo: row.demo,
  }))
}

export interface FundingSummary {
  requests: number
  requestedLowPence: number
  requestedHighPence: number
  /** Approved so far (approved and part-approved requests; rejected count as nothing). */
  approvedPence: number
  pending: number
  approved: number
  partApproved: number
  rejected: number
}

function summariseFunding(lines: readonly FundingLine[]): FundingSummary {
  const summary: FundingSummary = {
    requests: lines.length,
    requestedLowPence: 0,
    requestedHighPence: 0,
    approvedPence: 0,
    pending: 0,
    approved: 0,
    partApproved: 0,
    rejected: 0,
  }
  for (const line of lines) {
    summary.requestedLowPence += line.requestedLowPence
    summary.requestedHighPence += line.requestedHighPence
    summary.approvedPence += line.approvedPence ?? 0
    if (line.decision === 'pending') summary.pending += 1
    else if (line.decision === 'approved') summary.approved += 1
    else if (line.decision === 'part_approved') summary.partApproved += 1
    else summary.rejected += 1
  }
  return summary
}

/** Funding requested (low and high) against approved, in pence, for the programme or a cluster. */
export async function fundingSummary(
  trx: Tx,
  options: { clusterId?: string | undefined } = {},
): Promise<FundingSummary> {
  return summariseFunding(await listFunding(trx, options))
}

/** Per spending review period: requested against approved, each cluster and programme-wide. */
export async function fundingByPeriod(trx: Tx, options: { clusterId?: string | undefined } = {}) {
  const lines = await listFunding(trx, options)
  const groups = new Map<string, { spendingReview: string; periodLabel: string; lines: FundingLine[] }>()
  for (const line of lines) {
    const key = `${line.spendingReview}|${line.periodLabel}`
    const group = groups.get(key) ?? {
      spendingReview: line.spendingReview,
      periodLabel: line.periodLabel,
      lines: [],
    }
    group.lines.push(line)
    groups.set(key, group)
  }
  return {
    lines,
    periods: [...groups.values()].map((group) => ({ ...group, summary: summariseFunding(group.lines) })),
    total: summariseFunding(lines),
  }
}

// ---------------------------------------------------------------------------------------------
// Value for money of joining a cluster
// ---------------------------------------------------------------------------------------------

export interface RunningCostInput {
  org: string
  fiscalYear: number
  runningCostPence: number
  provenance: 'computed' | 'submitted' | 'estimated'
  notes?: string | undefined
}

/** Records (or replaces) an organisation's current back-office running cost for a fiscal year. */
export async function setRunningCost(trx: Tx, input: RunningCostInput) {
  const errors: FieldErrors = []
  const org = await trx
    .selectFrom('organisations')
    .select(['id', 'cluster_id'])
    .where('code', '=', typeof input.org === 'string' ? input.org : '')
    .executeTakeFirst()
  if (!org) errors.push({ field: '/org', message: `There is no organisation with the code ${input.org}` })
  const fiscalYear = checkFiscalYear(errors, '/fiscalYear', input.fiscalYear)
  const runningCostPence =
    checkPence(errors, '/runningCostPence', 'running cost', input.runningCostPence, true) ?? 0
  const provenance = checkOneOf(
    errors,
    '/provenance',
    'provenance',
    input.provenance,
    RUNNING_COST_PROVENANCES,
  )
  const notes = typeof input.notes === 'string' ? input.notes.trim() : ''
  if (notes.length > 2000)
    errors.push({ field: '/notes', message: 'The notes must be 2,000 characters or fewer' })
  fail(errors)
  await assertMayManage(trx, org!.cluster_id)
  await trx
    .insertInto('programme_running_costs')
    .values({
      org_id: org!.id,
      fiscal_year: fiscalYear,
      cluster_id: org!.cluster_id,
      running_cost_pence: runningCostPence,
      provenance,
      notes,
    })
    .onConflict((oc) =>
      oc.columns(['org_id', 'fiscal_year']).doUpdateSet({
        cluster_id: org!.cluster_id,
        running_cost_pence: runningCostPence,
        provenance,
        notes,
      }),
    )
    .execute()
}

/** The latest fiscal year with a running cost the caller may see: the default for value for money. */
export async function latestRunningCostYear(trx: Tx): Promise<number | undefined> {
  const row = await trx
    .selectFrom('programme_running_costs')
    .select(sql<number | null>`max(fiscal_year)`.as('year'))
    .executeTakeFirst()
  return row?.year ?? undefined
}

export interface ValueForMoneyRow {
  org: { id: string; code: string; name: string; department: boolean }
  cluster: { id: string; code: string; name: string } | null
  runningCostPence: number
  provenance: 'computed' | 'submitted' | 'estimated'
  notes: string
  /** Headcount from the organisation's latest return in the fiscal year, and that quarter. */
  headcount: number | null
  headcountQuarter: string | null
  clusterHeadcount: number
  /** The cluster's cost for the year: the budgets of its cost lines in that fiscal year. */
  clusterCostPence: number
  /** clusterCostPence × headcount ÷ clusterHeadcount, to the penny; null when headcount unknown. */
  sharePence: number | null
  /** runningCostPence − sharePence: positive is a saving from joining, negative an extra cost. */
  savingPence: number | null
}

/**
 * Value for money of joining a cluster, per organisation with a running cost recorded for the year.
 *
 * Share of the cluster's cost is by headcount, and the headcount is the workforce.headcount of
 * each organisation's current return version (programme_returns / programme_return_versions), the
 * latest quarter of the fiscal year for which it has one. Returns, not HR employments, because
 * the departments weighing whether to join are mostly not on the platform yet: they have no HR
 * records here, but every body makes a quarterly return (computed or submitted), and returns are
 * programme data that programme readers may see without any widening. The cluster's headcount is
 * the sum over its organisations with a return in the year; organisations without one get no
 * share (shown as unknown), so the shares are those of the bodies that have reported.
 *
 * The cluster's cost is the sum of the budgets of its programme cost lines for the fiscal year
 * (every category: implementation, running, team, other) — the budget rather than spend to date,
 * so that a part-year does not flatter the cluster.
 */
export async function valueForMoney(
  trx: Tx,
  options: { fiscalYear: number; clusterId?: string | undefined },
): Promise<{
  rows: ValueForMoneyRow[]
  clusters: Array<{
    id: string
    code: string
    name: string
    costPence: number
    headcount: number
    organisationsWithHeadcount: number
  }>
}> {
  const fiscalYear = options.fiscalYear
  const clusterId = options.clusterId ?? null
  const running = await sql<{
    org_id: string
    code: string
    name: string
    kind: string
    cluster_id: string | null
    cluster_code: string | null
    cluster_name: string | null
    running_cost_pence: number
    provenance: 'computed' | 'submitted' | 'estimated'
    notes: string
  }>`
    select r.org_id, o.code, o.name, o.kind, o.cluster_id, c.code as cluster_code, c.name as cluster_name,
      r.running_cost_pence, r.provenance, r.notes
    from programme_running_costs r
    join organisations o on o.id = r.org_id
    left join clusters c on c.id = o.cluster_id
    where r.fiscal_year = ${fiscalYear}::int and (${clusterId}::uuid is null or o.cluster_id = ${clusterId}::uuid)
    order by c.name nulls last, o.name`.execute(trx)
  const headcounts = await sql<{
    org_id: string
    cluster_id: string | null
    quarter: string
    headcount: number
  }>`
    select distinct on (r.org_id) r.org_id, o.cluster_id, r.quarter,
      (v.figures -> 'workforce' ->> 'headcount')::bigint as headcount
    from programme_returns r
    join programme_return_versions v on v.org_id = r.org_id and v.quarter = r.quarter and v.version = r.current_version
    join organisations o on o.id = r.org_id
    where r.quarter like ${`${fiscalYear}-Q%`}
      and jsonb_typeof(v.figures -> 'workforce' -> 'headcount') = 'number'
    order by r.org_id, r.quarter desc`.execute(trx)
  const costs = await sql<{ cluster_id: string; cost: string }>`
    select cluster_id, sum(budget_pence)::text as cost from programme_costs
    where fiscal_year = ${fiscalYear}::int and cluster_id is not null group by cluster_id`.execute(trx)
  const clusterRows = await trx
    .selectFrom('clusters')
    .select(['id', 'code', 'name'])
    .orderBy('name')
    .execute()
  const costByCluster = new Map(costs.rows.map((row) => [row.cluster_id, Number(row.cost)]))
  const headcountByOrg = new Map(headcounts.rows.map((row) => [row.org_id, row]))
  const clusterHeadcount = new Map<string, { headcount: number; organisations: number }>()
  for (const row of headcounts.rows) {
    if (!row.cluster_id) continue
    const entry = clusterHeadcount.get(row.cluster_id) ?? { headcount: 0, organisations: 0 }
    entry.headcount += Number(row.headcount)
    entry.organisations += 1
    clusterHeadcount.set(row.cluster_id, entry)
  }
  const rows = running.rows.map((row): ValueForMoneyRow => {
    const own = headcountByOrg.get(row.org_id)
    const headcount = own ? Number(own.headcount) : null
    const totals = row.cluster_id ? clusterHeadcount.get(row.cluster_id) : undefined
    const clusterCostPence = row.cluster_id ? (costByCluster.get(row.cluster_id) ?? 0) : 0
    const sharePence =
      headcount !== null && totals && totals.headcount > 0
        ? multiplyRatio(clusterCostPence, headcount, totals.headcount)
        : null
    return {
      org: {
        id: row.org_id,
        code: row.code,
        name: row.name,
        department: row.kind === 'ministerial_department' || row.kind === 'non_ministerial_department',
      },
      cluster: row.cluster_id
        ? { id: row.cluster_id, code: row.cluster_code!, name: row.cluster_name! }
        : null,
      runningCostPence: row.running_cost_pence,
      provenance: row.provenance,
      notes: row.notes,
      headcount,
      headcountQuarter: own?.quarter ?? null,
      clusterHeadcount: totals?.headcount ?? 0,
      clusterCostPence,
      sharePence,
      savingPence: sharePence === null ? null : row.running_cost_pence - sharePence,
    }
  })
  return {
    rows,
    clusters: clusterRows
      .filter((c) => clusterId === null || c.id === clusterId)
      .map((c) => ({
        ...c,
        costPence: costByCluster.get(c.id) ?? 0,
        headcount: clusterHeadcount.get(c.id)?.headcount ?? 0,
        organisationsWithHeadcount: clusterHeadcount.get(c.id)?.organisations ?? 0,
      })),
  }
}
