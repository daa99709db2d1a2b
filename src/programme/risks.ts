// Programme risks (issue 7, deliverable 6): a register in the terms of HM Treasury's Orange Book
// (identify and assess, treat, monitor, report), its 5x5 heat map, and the delivery-confidence
// rating per cluster on the IPA five-point scale with its history.
//
// Rules (decided here, documented in the pages and the API):
// - A risk is written as cause, event and effect, with an owner. It is scored twice on 1-5 scales:
//   inherent (before the controls in place) and residual (after them). Score = likelihood x impact.
// - Residual likelihood may not be above inherent likelihood, nor residual impact above inherent
//   impact (rule "residual-not-above-inherent"): controls cannot make a risk worse. If the controls
//   do nothing, residual equals inherent; if the risk has grown, reassess the inherent scores. There
//   is no "justified exception": the register has no column for one, and an exception would let a
//   residual score be inflated to force an escalation instead of escalating with a reason.
// - Appetite (Orange Book levels) sets the largest residual score the organisation accepts:
//   averse 4, minimal 6, cautious 9, open 12, eager 16. A risk whose residual score is above its
//   appetite is flagged "above appetite" and shown first.
// - A risk is managed at a level of the governance line: organisation, cluster, programme. Its
//   level changes only by escalation (up) or de-escalation (down), each with a reason of at least
//   10 characters; the history is kept. Organisation level needs an organisation, cluster level a
//   cluster. A closed risk can be read but not changed (it can be reopened with a reason).
// - Delivery confidence: each assessment (rating, date, rationale) is kept; the current rating is
//   the one with the latest assessment date (ties: the latest recorded).
//
// Row-level security (migration 0500) scopes every table by cluster: reads just query; writes check
// gss_programme_can(cluster, manage) first so the refusal is a sentence.
import { sql } from 'kysely'
import type { Tx } from '../platform/db/index.ts'
import { BusinessRuleError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.ts'
import type { DeliveryConfidence, RiskAppetite, RiskLevel } from './tables.ts'

export interface RuleError {
  field: string
  rule: string
  message: string
}
type Errors = RuleError[]

export const RISK_APPETITES = [
  'averse',
  'minimal',
  'cautious',
  'open',
  'eager',
] as const satisfies readonly RiskAppetite[]
export const APPETITE_LABELS: Record<RiskAppetite, string> = {
  averse: 'Averse',
  minimal: 'Minimal',
  cautious: 'Cautious',
  open: 'Open',
  eager: 'Eager',
}
/** The largest residual score (likelihood x impact) accepted at each appetite. */
export const APPETITE_MAX_SCORE: Record<RiskAppetite, number> = {
  averse: 4,
  minimal: 6,
  cautious: 9,
  open: 12,
  eager: 16,
}
export const RISK_LEVELS = ['organisation', 'cluster', 'programme'] as const satisfies readonly RiskLevel[]
export const LEVEL_LABELS: Record<RiskLevel, string> = {
  organisation: 'Organisation',
  cluster: 'Cluster',
  programme: 'Programme',
}
export const MITIGATION_STATUSES = ['planned', 'in_progress', 'done'] as const
export type MitigationStatus = (typeof MITIGATION_STATUSES)[number]
export const MITIGATION_STATUS_LABELS: Record<MitigationStatus, string> = {
  planned: 'Planned',
  in_progress: 'In progress',
  done: 'Done',
}
export const LIKELIHOOD_LABELS = ['Rare', 'Unlikely', 'Possible', 'Likely', 'Almost certain']
export const IMPACT_LABELS = ['Minimal', 'Minor', 'Moderate', 'Major', 'Severe']

/** The IPA delivery confidence scale, worst first. */
export const DELIVERY_RATINGS = [
  'red',
  'amber_red',
  'amber',
  'amber_green',
  'green',
] as const satisfies readonly DeliveryConfidence[]
export const RATING_LABELS: Record<DeliveryConfidence, string> = {
  red: 'Red',
  amber_red: 'Amber/Red',
  amber: 'Amber',
  amber_green: 'Amber/Green',
  green: 'Green',
}
export const RATING_MEANINGS: Record<DeliveryConfidence, string> = {
  red: 'Successful delivery appears to be unachievable',
  amber_red: 'Successful delivery is in doubt, with major risks or issues apparent in a number of key areas',
  amber:
    'Successful delivery appears feasible but significant issues already exist, requiring management attention',
  amber_green: 'Successful delivery appears probable; constant attention will be needed',
  green: 'Successful delivery appears highly likely',
}

export const REASON_LENGTH_MIN = 10
const REGISTER_ROWS_MAX = 5000

export type Band = 'low' | 'medium' | 'high' | 'very_high'
export const BAND_LABELS: Record<Band, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  very_high: 'Very high',
}

/** Score bands: 1-4 low, 5-9 medium, 10-16 high, 20-25 very high. */
export function scoreBand(score: number): Band {
  if (score <= 4) return 'low'
  if (score <= 9) return 'medium'
  if (score <= 16) return 'high'
  return 'very_high'
}

export function aboveAppetite(residualScore: number, appetite: RiskAppetite): boolean {
  return residualScore > APPETITE_MAX_SCORE[appetite]
}

// ---------------------------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------------------------

function fail(errors: Errors): void {
  if (errors.length) throw new ValidationError(errors[0]!.message, errors)
}

function text(
  errors: Errors,
  field: string,
  label: string,
  value: unknown,
  min: number,
  max: number,
): string {
  const t = typeof value === 'string' ? value.trim() : ''
  if (t.length === 0 && min > 0) errors.push({ field, rule: 'required', message: `Enter the ${label}` })
  else if (t.length < min)
    errors.push({ field, rule: 'min-length', message: `The ${label} must be at least ${min} characters` })
  else if (t.length > max)
    errors.push({ field, rule: 'max-length', message: `The ${label} must be ${max} characters or fewer` })
  return t
}

function scale(errors: Errors, field: string, label: string, value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 5) {
    errors.push({ field, rule: 'scale-1-5', message: `Select the ${label}, from 1 to 5` })
    return 0
  }
  return n
}

function oneOf<T extends string>(
  errors: Errors,
  field: string,
  label: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    errors.push({ field, rule: 'one-of', message: `Select the ${label}` })
    return allowed[0]!
  }
  return value as T
}

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const d = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value
}

export function date(
  errors: Errors,
  field: string,
  label: string,
  value: unknown,
  required: boolean,
): string | null {
  if (value === null || value === undefined || value === '') {
    if (required) errors.push({ field, rule: 'required', message: `Enter the ${label}` })
    return null
  }
  if (!isIsoDate(value)) {
    errors.push({ field, rule: 'date', message: `The ${label} must be a real date, like 2027-03-31` })
    return null
  }
  return value
}

/** Cluster and organisation codes → ids; the organisation must be in the cluster. */
export async function placeOf(
  trx: Tx,
  errors: Errors,
  clusterCode: string | null | undefined,
  orgCode: string | null | undefined,
): Promise<{ clusterId: string | null; orgId: string | null }> {
  let clusterId: string | null = null
  let orgId: string | null = null
  if (clusterCode) {
    const row = await trx
      .selectFrom('clusters')
      .select('id')
      .where('code', '=', clusterCode)
      .executeTakeFirst()
    if (!row)
      errors.push({
        field: '/cluster',
        rule: 'exists',
        message: `There is no cluster with the code ${clusterCode}`,
      })
    else clusterId = row.id
  }
  if (orgCode) {
    // Organisations are readable to programme readers through the organisations directory.
    const { rows } = await sql<{ id: string; cluster_id: string | null }>`
      select id, cluster_id from organisations where code = ${orgCode}`.execute(trx)
    const org = rows[0]
    if (!org)
      errors.push({
        field: '/organisation',
        rule: 'exists',
        message: `There is no organisation with the code ${orgCode}`,
      })
    else {
      orgId = org.id
      if (!clusterCode) clusterId = org.cluster_id
      else if (clusterId && org.cluster_id !== clusterId)
        errors.push({
          field: '/organisation',
          rule: 'in-cluster',
          message: `The organisation ${orgCode} is not in the cluster ${clusterCode}`,
        })
    }
  }
  return { clusterId, orgId }
}

/** Refuses (with a sentence) a change to rows of a cluster the caller does not manage. */
export async function assertMayManage(trx: Tx, clusterId: string | null): Promise<void> {
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

/** Is the caller a programme manager anywhere (used to show forms)? */
export async function mayManageAnything(trx: Tx): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`
    select gss_all_orgs() or coalesce(current_setting('gss.programme_manage', true), '') <> '' as ok`.execute(
    trx,
  )
  return rows[0]?.ok ?? false
}

// ---------------------------------------------------------------------------------------------
// Risks
// ---------------------------------------------------------------------------------------------

export interface RiskInput {
  reference: string
  title: string
  cause: string
  event: string
  effect: string
  category?: string | undefined
  owner: string
  inherentLikelihood: number
  inherentImpact: number
  residualLikelihood: number
  residualImpact: number
  appetite: RiskAppetite
  /** Only on creation: where the risk is first managed. Changed later by escalation. */
  level?: RiskLevel | undefined
  /** Cluster code (null/omitted: programme-wide, or the organisation's cluster). */
  cluster?: string | null | undefined
  /** Organisation code, for a risk managed at organisation level. */
  organisation?: string | null | undefined
}

export interface Mitigation {
  id: string
  action: string
  owner: string
  dueOn: string
  status: MitigationStatus
  overdue: boolean
}

export interface Escalation {
  id: string
  fromLevel: string
  toLevel: RiskLevel
  reason: string
  escalatedAt: Date
}

export interface Risk {
  id: string
  reference: string
  title: string
  cause: string
  event: string
  effect: string
  category: string
  owner: string
  inherent: { likelihood: number; impact: number; score: number; band: Band }
  residual: { likelihood: number; impact: number; score: number; band: Band }
  appetite: RiskAppetite
  appetiteMaxScore: number
  aboveAppetite: boolean
  level: RiskLevel
  status: 'open' | 'closed'
  cluster: { id: string; code: string; name: string } | null
  organisation: { id: string; code: string; name: string } | null
  legacySystemId: string | null
  demo: boolean
  updatedAt: Date
}

export interface RiskDetail extends Risk {
  mitigations: Mitigation[]
  escalations: Escalation[]
}

const RISK_CATEGORY_MAX = 60

interface RiskRow {
  id: string
  reference: string
  title: string
  cause: string
  event: string
  effect: string
  category: string
  owner: string
  inherent_likelihood: number
  inherent_impact: number
  residual_likelihood: number
  residual_impact: number
  appetite: RiskAppetite
  level: RiskLevel
  status: 'open' | 'closed'
  legacy_system_id: string | null
  demo: boolean
  updated_at: Date
  cluster_id: string | null
  cluster_code: string | null
  cluster_name: string | null
  org_id: string | null
  org_code: string | null
  org_name: string | null
}

function toRisk(row: RiskRow): Risk {
  const inherentScore = row.inherent_likelihood * row.inherent_impact
  const residualScore = row.residual_likelihood * row.residual_impact
  return {
    id: row.id,
    reference: row.reference,
    title: row.title,
    cause: row.cause,
    event: row.event,
    effect: row.effect,
    category: row.category,
    owner: row.owner,
    inherent: {
      likelihood: row.inherent_likelihood,
      impact: row.inherent_impact,
      score: inherentScore,
      band: scoreBand(inherentScore),
    },
    residual: {
      likelihood: row.residual_likelihood,
      impact: row.residual_impact,
      score: residualScore,
      band: scoreBand(residualScore),
    },
    appetite: row.appetite,
    appetiteMaxScore: APPETITE_MAX_SCORE[row.appetite],
    aboveAppetite: row.status === 'open' && aboveAppetite(residualScore, row.appetite),
    level: row.level,
    status: row.status,
    cluster: row.cluster_id
      ? { id: row.cluster_id, code: row.cluster_code ?? '', name: row.cluster_name ?? '' }
      : null,
    organisation: row.org_id ? { id: row.org_id, code: row.org_code ?? '', name: row.org_name ?? '' } : null,
    legacySystemId: row.legacy_system_id,
    demo: row.demo,
    updatedAt: row.updated_at,
  }
}

function riskQuery(trx: Tx) {
  return trx
    .selectFrom('programme_risks as r')
    .leftJoin('clusters as c', 'c.id', 'r.cluster_id')
    .leftJoin('organisations as o', 'o.id', 'r.org_id')
    .select([
      'r.id',
      'r.reference',
      'r.title',
      'r.cause',
      'r.event',
      'r.effect',
      'r.category',
      'r.owner',
      'r.inherent_likelihood',
      'r.inherent_impact',
      'r.residual_likelihood',
      'r.residual_impact',
      'r.appetite',
      'r.level',
      'r.status',
      'r.legacy_system_id',
      'r.demo',
      'r.updated_at',
      'r.cluster_id',
      'c.code as cluster_code',
      'c.name as cluster_name',
      'r.org_id',
      'o.code as org_code',
      'o.name as org_name',
    ])
}

export interface RiskFilter {
  clusterId?: string | undefined
  level?: RiskLevel | undefined
  status?: 'open' | 'closed' | undefined
  aboveAppetiteOnly?: boolean | undefined
}

/** The register as the caller may see it: above appetite first, then by residual score. */
export async function listRisks(trx: Tx, filter: RiskFilter = {}): Promise<Risk[]> {
  let q = riskQuery(trx)
  if (filter.clusterId) q = q.where('r.cluster_id', '=', filter.clusterId)
  if (filter.level) q = q.where('r.level', '=', filter.level)
  if (filter.status) q = q.where('r.status', '=', filter.status)
  const rows = (await q.orderBy('r.reference').limit(REGISTER_ROWS_MAX).execute()) as RiskRow[]
  const risks = rows.map(toRisk).filter((r) => !filter.aboveAppetiteOnly || r.aboveAppetite)
  return risks.sort(
    (a, b) =>
      Number(b.status === 'open') - Number(a.status === 'open') ||
      Number(b.aboveAppetite) - Number(a.aboveAppetite) ||
      b.residual.score - a.residual.score ||
      a.reference.localeCompare(b.reference),
  )
}

export async function getRisk(trx: Tx, id: string): Promise<RiskDetail> {
  const row = (await riskQuery(trx).where('r.id', '=', id).executeTakeFirst()) as RiskRow | undefined
  if (!row) throw new NotFoundError('There is no such risk, or it is not in a cluster you can see')
  const today = new Date().toISOString().slice(0, 10)
  const mitigations = await trx
    .selectFrom('programme_risk_mitigations')
    .selectAll()
    .where('risk_id', '=', id)
    .orderBy('due_on')
    .orderBy('created_at')
    .execute()
  const escalations = await trx
    .selectFrom('programme_risk_escalations')
    .selectAll()
    .where('risk_id', '=', id)
    .orderBy('escalated_at', 'desc')
    .execute()
  return {
    ...toRisk(row),
    mitigations: mitigations.map((m) => ({
      id: m.id,
      action: m.action,
      owner: m.owner,
      dueOn: String(m.due_on),
      status: m.status,
      overdue: m.status !== 'done' && String(m.due_on) < today,
    })),
    escalations: escalations.map((e) => ({
      id: e.id,
      fromLevel: e.from_level,
      toLevel: e.to_level,
      reason: e.reason,
      escalatedAt: e.escalated_at,
    })),
  }
}

async function checkRisk(trx: Tx, input: RiskInput, errors: Errors, creating: boolean) {
  const reference = typeof input.reference === 'string' ? input.reference.trim().toUpperCase() : ''
  if (!/^[A-Z0-9][A-Z0-9-]{1,30}$/.test(reference))
    errors.push({
      field: '/reference',
      rule: 'pattern',
      message: 'The reference must be 2 to 31 letters, digits or hyphens, like RISK-001',
    })
  const title = text(errors, '/title', 'title', input.title, 3, 200)
  const cause = text(errors, '/cause', 'cause (because of…)', input.cause, 3, 2000)
  const event = text(errors, '/event', 'event (there is a risk that…)', input.event, 3, 2000)
  const effect = text(errors, '/effect', 'effect (which would lead to…)', input.effect, 3, 2000)
  const category = (typeof input.category === 'string' && input.category.trim()) || 'operational'
  if (category.length > RISK_CATEGORY_MAX)
    errors.push({
      field: '/category',
      rule: 'max-length',
      message: `The category must be ${RISK_CATEGORY_MAX} characters or fewer`,
    })
  const owner = text(errors, '/owner', 'risk owner', input.owner, 2, 200)
  const inherentLikelihood = scale(
    errors,
    '/inherentLikelihood',
    'inherent likelihood',
    input.inherentLikelihood,
  )
  const inherentImpact = scale(errors, '/inherentImpact', 'inherent impact', input.inherentImpact)
  const residualLikelihood = scale(
    errors,
    '/residualLikelihood',
    'residual likelihood',
    input.residualLikelihood,
  )
  const residualImpact = scale(errors, '/residualImpact', 'residual impact', input.residualImpact)
  if (inherentLikelihood && residualLikelihood && residualLikelihood > inherentLikelihood)
    errors.push({
      field: '/residualLikelihood',
      rule: 'residual-not-above-inherent',
      message: `The residual likelihood (${residualLikelihood}) cannot be above the inherent likelihood (${inherentLikelihood}): controls do not make a risk more likely; reassess the inherent score instead`,
    })
  if (inherentImpact && residualImpact && residualImpact > inherentImpact)
    errors.push({
      field: '/residualImpact',
      rule: 'residual-not-above-inherent',
      message: `The residual impact (${residualImpact}) cannot be above the inherent impact (${inherentImpact}): controls do not make a risk worse; reassess the inherent score instead`,
    })
  const appetite = oneOf(errors, '/appetite', 'risk appetite', input.appetite, RISK_APPETITES)
  const level = creating
    ? oneOf(errors, '/level', 'level the risk is managed at', input.level, RISK_LEVELS)
    : null
  const place = await placeOf(trx, errors, input.cluster, input.organisation)
  if (level === 'organisation' && !place.orgId && !errors.some((e) => e.field === '/organisation'))
    errors.push({
      field: '/organisation',
      rule: 'required-for-level',
      message: 'Enter the organisation: a risk managed at organisation level belongs to one',
    })
  if (
    level === 'cluster' &&
    !place.clusterId &&
    !errors.some((e) => e.field === '/cluster' || e.field === '/organisation')
  )
    errors.push({
      field: '/cluster',
      rule: 'required-for-level',
      message: 'Select the cluster: a risk managed at cluster level belongs to one',
    })
  return {
    reference,
    title,
    cause,
    event,
    effect,
    category,
    owner,
    inherentLikelihood,
    inherentImpact,
    residualLikelihood,
    residualImpact,
    appetite,
    level,
    ...place,
  }
}

async function assertReferenceFree(trx: Tx, reference: string, exceptId: string | null) {
  const { rows } = await sql<{ taken: boolean }>`
    select exists (select 1 from programme_risks where reference = ${reference}
      and (${exceptId}::uuid is null or id <> ${exceptId}::uuid)) as taken`.execute(trx)
  if (rows[0]?.taken)
    throw new BusinessRuleError(`The reference ${reference} is already used`, [
      { field: '/reference', message: `The reference ${reference} is already used by another risk` },
    ])
}

/** Adds a risk to the register. Errors: ValidationError naming each field and rule, ForbiddenError. */
export async function createRisk(
  trx: Tx,
  input: RiskInput,
  options: { id?: string; legacySystemId?: string | null } = {},
): Promise<RiskDetail> {
  const errors: Errors = []
  const v = await checkRisk(trx, input, errors, true)
  fail(errors)
  await assertMayManage(trx, v.clusterId)
  await assertReferenceFree(trx, v.reference, null)
  const id = options.id ?? crypto.randomUUID()
  await trx
    .insertInto('programme_risks')
    .values({
      id,
      cluster_id: v.clusterId,
      org_id: v.orgId,
      reference: v.reference,
      title: v.title,
      cause: v.cause,
      event: v.event,
      effect: v.effect,
      category: v.category,
      owner: v.owner,
      inherent_likelihood: v.inherentLikelihood,
      inherent_impact: v.inherentImpact,
      residual_likelihood: v.residualLikelihood,
      residual_impact: v.residualImpact,
      appetite: v.appetite,
      level: v.level!,
      legacy_system_id: options.legacySystemId ?? null,
    })
    .execute()
  return getRisk(trx, id)
}

/** Reassesses a risk (not its level: that is escalation). Closed risks cannot be changed. */
export async function updateRisk(trx: Tx, id: string, input: RiskInput): Promise<RiskDetail> {
  const current = await getRisk(trx, id)
  const errors: Errors = []
  const v = await checkRisk(trx, input, errors, false)
  if (current.level === 'organisation' && !v.orgId && !errors.some((e) => e.field === '/organisation'))
    errors.push({
      field: '/organisation',
      rule: 'required-for-level',
      message: 'Enter the organisation: the risk is managed at organisation level',
    })
  if (current.level === 'cluster' && !v.clusterId && !errors.some((e) => e.field === '/cluster'))
    errors.push({
      field: '/cluster',
      rule: 'required-for-level',
      message: 'Select the cluster: the risk is managed at cluster level',
    })
  fail(errors)
  await assertMayManage(trx, current.cluster?.id ?? null)
  if (current.status === 'closed')
    throw new BusinessRuleError('The risk is closed: reopen it before changing it', [
      { field: '/status', message: 'The risk is closed: reopen it before changing it' },
    ])
  if (v.clusterId !== (current.cluster?.id ?? null)) await assertMayManage(trx, v.clusterId)
  await assertReferenceFree(trx, v.reference, id)
  await trx
    .updateTable('programme_risks')
    .set({
      cluster_id: v.clusterId,
      org_id: v.orgId,
      reference: v.reference,
      title: v.title,
      cause: v.cause,
      event: v.event,
      effect: v.effect,
      category: v.category,
      owner: v.owner,
      inherent_likelihood: v.inherentLikelihood,
      inherent_impact: v.inherentImpact,
      residual_likelihood: v.residualLikelihood,
      residual_impact: v.residualImpact,
      appetite: v.appetite,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute()
  // Mitigations and escalations carry the risk's cluster for row-level security: keep them with it.
  if (v.clusterId !== (current.cluster?.id ?? null)) {
    await trx
      .updateTable('programme_risk_mitigations')
      .set({ cluster_id: v.clusterId })
      .where('risk_id', '=', id)
      .execute()
  }
  return getRisk(trx, id)
}

export interface MitigationInput {
  action: string
  owner: string
  dueOn: string
  status?: MitigationStatus | undefined
}

function checkMitigation(input: MitigationInput, errors: Errors) {
  return {
    action: text(errors, '/action', 'action', input.action, 3, 2000),
    owner: text(errors, '/owner', 'action owner', input.owner, 2, 200),
    dueOn: date(errors, '/dueOn', 'due date', input.dueOn, true) ?? '',
    status:
      input.status === undefined
        ? 'planned'
        : oneOf(errors, '/status', 'status', input.status, MITIGATION_STATUSES),
  }
}

async function openRiskToChange(trx: Tx, riskId: string): Promise<RiskDetail> {
  const risk = await getRisk(trx, riskId)
  await assertMayManage(trx, risk.cluster?.id ?? null)
  if (risk.status === 'closed')
    throw new BusinessRuleError('The risk is closed: reopen it before changing it', [
      { field: '/status', message: 'The risk is closed: reopen it before changing it' },
    ])
  return risk
}

/** Adds a mitigation (treat) with its owner, due date and status. */
export async function addMitigation(trx: Tx, riskId: string, input: MitigationInput): Promise<RiskDetail> {
  const errors: Errors = []
  const v = checkMitigation(input, errors)
  fail(errors)
  const risk = await openRiskToChange(trx, riskId)
  await trx
    .insertInto('programme_risk_mitigations')
    .values({
      id: crypto.randomUUID(),
      risk_id: riskId,
      cluster_id: risk.cluster?.id ?? null,
      ...{ action: v.action, owner: v.owner, due_on: v.dueOn, status: v.status },
    })
    .execute()
  await trx.updateTable('programme_risks').set({ updated_at: new Date() }).where('id', '=', riskId).execute()
  return getRisk(trx, riskId)
}

/** Changes a mitigation (usually its status). */
export async function updateMitigation(
  trx: Tx,
  riskId: string,
  mitigationId: string,
  input: MitigationInput,
): Promise<RiskDetail> {
  const errors: Errors = []
  const v = checkMitigation(input, errors)
  fail(errors)
  const risk = await openRiskToChange(trx, riskId)
  if (!risk.mitigations.some((m) => m.id === mitigationId))
    throw new NotFoundError('The risk has no such mitigation')
  await trx
    .updateTable('programme_risk_mitigations')
    .set({ action: v.action, owner: v.owner, due_on: v.dueOn, status: v.status })
    .where('id', '=', mitigationId)
    .where('risk_id', '=', riskId)
    .execute()
  await trx.updateTable('programme_risks').set({ updated_at: new Date() }).where('id', '=', riskId).execute()
  return getRisk(trx, riskId)
}

export interface EscalationInput {
  toLevel: RiskLevel
  reason: string
}

/**
 * Moves a risk up (escalation) or down (de-escalation) the governance line, with a reason; the
 * history keeps every move. Escalating to the programme needs no more than managing the risk's
 * cluster: the programme sees it from then on; only the risk's own managers change it.
 */
export async function escalateRisk(
  trx: Tx,
  riskId: string,
  input: EscalationInput,
  userId: string | null,
): Promise<RiskDetail> {
  const errors: Errors = []
  const toLevel = oneOf(errors, '/toLevel', 'level to move the risk to', input.toLevel, RISK_LEVELS)
  const reason = typeof input.reason === 'string' ? input.reason.trim() : ''
  if (reason.length === 0)
    errors.push({ field: '/reason', rule: 'required', message: 'Give the reason for the escalation' })
  else if (reason.length < REASON_LENGTH_MIN)
    errors.push({
      field: '/reason',
      rule: 'min-length',
      message: `The reason must be at least ${REASON_LENGTH_MIN} characters`,
    })
  else if (reason.length > 2000)
    errors.push({
      field: '/reason',
      rule: 'max-length',
      message: 'The reason must be 2,000 characters or fewer',
    })
  fail(errors)
  const risk = await openRiskToChange(trx, riskId)
  if (toLevel === risk.level)
    throw new ValidationError(`The risk is already managed at ${toLevel} level`, [
      {
        field: '/toLevel',
        rule: 'different-level',
        message: `The risk is already managed at ${toLevel} level: choose another level`,
      } as RuleError,
    ])
  if (toLevel === 'organisation' && !risk.organisation)
    throw new ValidationError('The risk has no organisation to be managed by', [
      {
        field: '/toLevel',
        rule: 'required-for-level',
        message: 'The risk has no organisation: it cannot be managed at organisation level',
      } as RuleError,
    ])
  if (toLevel === 'cluster' && !risk.cluster)
    throw new ValidationError('The risk has no cluster to be managed by', [
      {
        field: '/toLevel',
        rule: 'required-for-level',
        message: 'The risk has no cluster: it cannot be managed at cluster level',
      } as RuleError,
    ])
  await trx
    .insertInto('programme_risk_escalations')
    .values({
      risk_id: riskId,
      cluster_id: risk.cluster?.id ?? null,
      from_level: risk.level,
      to_level: toLevel,
      reason,
      escalated_by: userId,
    })
    .execute()
  await trx
    .updateTable('programme_risks')
    .set({ level: toLevel, updated_at: new Date() })
    .where('id', '=', riskId)
    .execute()
  return getRisk(trx, riskId)
}

/** Closes (or reopens) a risk. The reason is kept in the escalation history. */
export async function setRiskStatus(
  trx: Tx,
  riskId: string,
  status: 'open' | 'closed',
  reason: string,
  userId: string | null,
): Promise<RiskDetail> {
  const errors: Errors = []
  const why = typeof reason === 'string' ? reason.trim() : ''
  if (why.length < REASON_LENGTH_MIN)
    errors.push({
      field: '/reason',
      rule: why.length ? 'min-length' : 'required',
      message: `Give the reason for ${status === 'closed' ? 'closing' : 'reopening'} the risk (at least ${REASON_LENGTH_MIN} characters)`,
    })
  fail(errors)
  const risk = await getRisk(trx, riskId)
  await assertMayManage(trx, risk.cluster?.id ?? null)
  if (risk.status === status)
    throw new BusinessRuleError(`The risk is already ${status}`, [
      { field: '/status', message: `The risk is already ${status}` },
    ])
  await trx
    .insertInto('programme_risk_escalations')
    .values({
      risk_id: riskId,
      cluster_id: risk.cluster?.id ?? null,
      from_level: risk.level,
      to_level: risk.level,
      reason: `${status === 'closed' ? 'Closed' : 'Reopened'}: ${why}`,
      escalated_by: userId,
    })
    .execute()
  await trx
    .updateTable('programme_risks')
    .set({ status, updated_at: new Date() })
    .where('id', '=', riskId)
    .execute()
  return getRisk(trx, riskId)
}

/** counts[likelihood-1][impact-1] of the given risks' inherent or residual scores. */
export function heatCounts(risks: Risk[], which: 'inherent' | 'residual'): number[][] {
  const counts = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0])
  for (const r of risks) {
    const s = r[which]
    counts[s.likelihood - 1]![s.impact - 1]! += 1
  }
  return counts
}

/** Colour of a heat-map cell by the band of likelihood x impact (x: impact index, y: likelihood index). */
export function bandColour(x: number, y: number): string {
  const band = scoreBand((x + 1) * (y + 1))
  return { low: '#cce2d8', medium: '#fff7bf', high: '#fcd6c3', very_high: '#f3a79b' }[band]
}

export interface RiskSummary {
  open: number
  closed: number
  aboveAppetite: number
  byLevel: Record<RiskLevel, number>
  byResidualBand: Record<Band, number>
  inherent: number[][]
  residual: number[][]
  mitigationsOverdue: number
  fromLegacySystems: number
}

/** Aggregates of the register for the dashboard (open risks; closed counted). */
export async function riskSummary(
  trx: Tx,
  options: { clusterId?: string | undefined } = {},
): Promise<RiskSummary> {
  const risks = await listRisks(trx, { clusterId: options.clusterId })
  const open = risks.filter((r) => r.status === 'open')
  const today = new Date().toISOString().slice(0, 10)
  let overdueQuery = trx
    .selectFrom('programme_risk_mitigations as m')
    .innerJoin('programme_risks as r', 'r.id', 'm.risk_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('r.status', '=', 'open')
    .where('m.status', '<>', 'done')
    .where('m.due_on', '<', today)
  if (options.clusterId) overdueQuery = overdueQuery.where('r.cluster_id', '=', options.clusterId)
  const overdue = await overdueQuery.executeTakeFirst()
  const byLevel: Record<RiskLevel, number> = { organisation: 0, cluster: 0, programme: 0 }
  const byResidualBand: Record<Band, number> = { low: 0, medium: 0, high: 0, very_high: 0 }
  for (const r of open) {
    byLevel[r.level] += 1
    byResidualBand[r.residual.band] += 1
  }
  return {
    open: open.length,
    closed: risks.length - open.length,
    aboveAppetite: open.filter((r) => r.aboveAppetite).length,
    byLevel,
    byResidualBand,
    inherent: heatCounts(open, 'inherent'),
    residual: heatCounts(open, 'residual'),
    mitigationsOverdue: Number(overdue?.n ?? 0),
    fromLegacySystems: open.filter((r) => r.legacySystemId).length,
  }
}

// ---------------------------------------------------------------------------------------------
// Delivery confidence (IPA five-point scale)
// ---------------------------------------------------------------------------------------------

export interface AssessmentInput {
  cluster: string
  assessedOn: string
  rating: DeliveryConfidence
  rationale: string
}

export interface Assessment {
  id: string
  cluster: { id: string; code: string; name: string }
  assessedOn: string
  rating: DeliveryConfidence
  ratingLabel: string
  rationale: string
  demo: boolean
  recordedAt: Date
}

/** Records a delivery-confidence assessment for a cluster; the history keeps every one. */
export async function recordAssessment(
  trx: Tx,
  input: AssessmentInput,
  userId: string | null,
): Promise<Assessment> {
  const errors: Errors = []
  let clusterId: string | null = null
  if (typeof input.cluster !== 'string' || input.cluster === '')
    errors.push({ field: '/cluster', rule: 'required', message: 'Select the cluster' })
  else ({ clusterId } = await placeOf(trx, errors, input.cluster, null))
  const assessedOn = date(errors, '/assessedOn', 'assessment date', input.assessedOn, true)
  const today = new Date().toISOString().slice(0, 10)
  if (assessedOn && assessedOn > today)
    errors.push({
      field: '/assessedOn',
      rule: 'not-future',
      message: 'The assessment date must be today or in the past',
    })
  const rating = oneOf(errors, '/rating', 'delivery confidence rating', input.rating, DELIVERY_RATINGS)
  const rationale = text(errors, '/rationale', 'rationale', input.rationale, REASON_LENGTH_MIN, 4000)
  fail(errors)
  await assertMayManage(trx, clusterId)
  const id = crypto.randomUUID()
  await trx
    .insertInto('programme_delivery_confidence')
    .values({ id, cluster_id: clusterId!, assessed_on: assessedOn!, rating, rationale, assessed_by: userId })
    .execute()
  const history = await assessmentHistory(trx, { clusterId: clusterId! })
  return history.find((a) => a.id === id)!
}

/** Every assessment the caller may see, newest first (by date, then recorded time). */
export async function assessmentHistory(
  trx: Tx,
  options: { clusterId?: string | undefined } = {},
): Promise<Assessment[]> {
  let q = trx
    .selectFrom('programme_delivery_confidence as d')
    .innerJoin('clusters as c', 'c.id', 'd.cluster_id')
    .select([
      'd.id',
      'd.cluster_id',
      'c.code',
      'c.name',
      'd.assessed_on',
      'd.rating',
      'd.rationale',
      'd.demo',
      'd.created_at',
    ])
  if (options.clusterId) q = q.where('d.cluster_id', '=', options.clusterId)
  const rows = await q
    .orderBy('d.assessed_on', 'desc')
    .orderBy('d.created_at', 'desc')
    .limit(REGISTER_ROWS_MAX)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    cluster: { id: r.cluster_id, code: r.code, name: r.name },
    assessedOn: String(r.assessed_on),
    rating: r.rating,
    ratingLabel: RATING_LABELS[r.rating],
    rationale: r.rationale,
    demo: r.demo,
    recordedAt: r.created_at,
  }))
}

export interface ClusterConfidence {
  cluster: { id: string; code: string; name: string }
  current: Assessment | null
  previous: Assessment | null
  /** 'improved' | 'declined' | 'unchanged' against the previous assessment; null with fewer than two. */
  trend: 'improved' | 'declined' | 'unchanged' | null
  assessments: number
}

/** The current rating per cluster the caller can see (clusters with none say so). */
export async function deliveryConfidenceSummary(trx: Tx): Promise<ClusterConfidence[]> {
  const { rows: clusters } = await sql<{ id: string; code: string; name: string }>`
    select id, code, name from clusters where gss_programme_can(id, false) order by name`.execute(trx)
  const history = await assessmentHistory(trx)
  return clusters.map((cluster) => {
    const mine = history.filter((a) => a.cluster.id === cluster.id)
    const current = mine[0] ?? null
    const previous = mine[1] ?? null
    let trend: ClusterConfidence['trend'] = null
    if (current && previous) {
      const d = DELIVERY_RATINGS.indexOf(current.rating) - DELIVERY_RATINGS.indexOf(previous.rating)
      trend = d > 0 ? 'improved' : d < 0 ? 'declined' : 'unchanged'
    }
    return { cluster, current, previous, trend, assessments: mine.length }
  })
}
