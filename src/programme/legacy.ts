// Legacy systems and their contracts (issue 7, deliverable 5).
//
// The flag: a system's contract can run, at the latest, until its expiry date plus the extension
// headroom left on it (in calendar months; 31 January + 1 month is 28 or 29 February). If its
// replacement is due AFTER that date, the service would be left without a contract in between:
// the system is flagged "contract ends before replacement" and a programme risk is raised for it
// (idempotently: one risk per system, linked by legacy_system_id, never duplicated, and never
// raised again once it exists, even if closed). A system with no replacement date is not flagged
// by that rule but is listed as "no replacement date" so that it is not forgotten; a support end
// before the replacement is shown as a warning (support gap) but is not on its own a contract risk.
//
// The procurement stagger: each system with both a procurement start and a replacement date has
// a procurement window [procurement start, replacement due]. Windows of DIFFERENT clusters that
// overlap compete for the same market at the same time and are highlighted; the timeline shows
// one lane per cluster.
//
// Row-level security by cluster (migration 0500), as in risks.ts.
import { sql } from 'kysely'
import type { Tx } from '../platform/db/index.ts'
import { NotFoundError, ValidationError } from '../platform/errors.ts'
import { assertMayManage, createRisk, date, placeOf, type RuleError } from './risks.ts'
import type { BusinessFunction } from './tables.ts'

export const BUSINESS_FUNCTIONS = [
  'hr',
  'payroll',
  'finance',
  'procurement',
] as const satisfies readonly BusinessFunction[]
export const FUNCTION_LABELS: Record<BusinessFunction, string> = {
  hr: 'HR',
  payroll: 'Payroll',
  finance: 'Finance',
  procurement: 'Procurement',
}
const HEADROOM_MONTHS_MAX = 120
const REGISTER_ROWS_MAX = 5000

/** Adds calendar months to an ISO date, clamping to the month's last day. */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number]
  const total = y * 12 + (m - 1) + months
  const year = Math.floor(total / 12)
  const month = total % 12
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

export interface LegacyDates {
  contractExpiresOn: string
  extensionHeadroomMonths: number
  replacementDueOn: string | null
  supportEndsOn: string | null
}

export interface LegacyFlag {
  /** The contract's latest possible end: expiry plus every extension left. */
  latestContractEnd: string
  /** True when the replacement is due after the latest contract end. */
  contractEndsBeforeReplacement: boolean
  /** Days without a contract if nothing changes (0 when not flagged). */
  gapDays: number
  noReplacementDate: boolean
  /** Support ends before the replacement is due (a warning). */
  supportGap: boolean
}

/** The flag logic, on dates alone (pure: tested with dates). */
export function legacyFlag(system: LegacyDates): LegacyFlag {
  const latestContractEnd = addMonths(system.contractExpiresOn, system.extensionHeadroomMonths)
  const due = system.replacementDueOn
  const contractEndsBeforeReplacement = due !== null && due > latestContractEnd
  return {
    latestContractEnd,
    contractEndsBeforeReplacement,
    gapDays: contractEndsBeforeReplacement ? daysBetween(latestContractEnd, due!) : 0,
    noReplacementDate: due === null,
    supportGap: due !== null && system.supportEndsOn !== null && system.supportEndsOn < due,
  }
}

export interface LegacyInput {
  name: string
  /** Cluster code (or the organisation's cluster). */
  cluster?: string | null | undefined
  organisation?: string | null | undefined
  functions: BusinessFunction[]
  supplier?: string | undefined
  contractExpiresOn: string
  supportEndsOn?: string | null | undefined
  extensionHeadroomMonths?: number | undefined
  replacementDueOn?: string | null | undefined
  procurementStartsOn?: string | null | undefined
  notes?: string | undefined
}

export interface LegacySystem extends LegacyDates {
  id: string
  name: string
  cluster: { id: string; code: string; name: string } | null
  organisation: { id: string; code: string; name: string } | null
  functions: BusinessFunction[]
  supplier: string
  procurementStartsOn: string | null
  notes: string
  demo: boolean
  flag: LegacyFlag
  /** The programme risk raised for it, if any (and visible). */
  risk: { id: string; reference: string; status: 'open' | 'closed' } | null
}

async function checkLegacy(trx: Tx, input: LegacyInput) {
  const errors: RuleError[] = []
  const name = typeof input.name === 'string' ? input.name.trim() : ''
  if (name.length < 2)
    errors.push({
      field: '/name',
      rule: 'min-length',
      message: 'Enter the system’s name (at least 2 characters)',
    })
  else if (name.length > 200)
    errors.push({ field: '/name', rule: 'max-length', message: 'The name must be 200 characters or fewer' })
  const functions = Array.isArray(input.functions) ? [...new Set(input.functions)] : []
  if (functions.length === 0)
    errors.push({
      field: '/functions',
      rule: 'required',
      message: 'Select at least one function the system serves',
    })
  else if (functions.some((f) => !(BUSINESS_FUNCTIONS as readonly string[]).includes(f)))
    errors.push({
      field: '/functions',
      rule: 'one-of',
      message: 'Functions must be HR, payroll, finance or procurement',
    })
  const supplier = typeof input.supplier === 'string' ? input.supplier.trim() : ''
  if (supplier.length > 200)
    errors.push({
      field: '/supplier',
      rule: 'max-length',
      message: 'The supplier must be 200 characters or fewer',
    })
  const contractExpiresOn = date(
    errors,
    '/contractExpiresOn',
    'contract expiry date',
    input.contractExpiresOn,
    true,
  )
  const supportEndsOn = date(errors, '/supportEndsOn', 'support end date', input.supportEndsOn, false)
  const replacementDueOn = date(
    errors,
    '/replacementDueOn',
    'replacement due date',
    input.replacementDueOn,
    false,
  )
  const procurementStartsOn = date(
    errors,
    '/procurementStartsOn',
    'procurement start date',
    input.procurementStartsOn,
    false,
  )
  const raw = input.extensionHeadroomMonths ?? 0
  const headroom = typeof raw === 'string' && (raw as string).trim() !== '' ? Number(raw) : raw
  if (
    typeof headroom !== 'number' ||
    !Number.isInteger(headroom) ||
    headroom < 0 ||
    headroom > HEADROOM_MONTHS_MAX
  )
    errors.push({
      field: '/extensionHeadroomMonths',
      rule: 'range',
      message: `The extension headroom must be a whole number of months from 0 to ${HEADROOM_MONTHS_MAX}`,
    })
  if (procurementStartsOn && replacementDueOn && procurementStartsOn > replacementDueOn)
    errors.push({
      field: '/procurementStartsOn',
      rule: 'before-replacement',
      message: 'The procurement must start on or before the date the replacement is due',
    })
  const notes = typeof input.notes === 'string' ? input.notes.trim() : ''
  if (notes.length > 2000)
    errors.push({
      field: '/notes',
      rule: 'max-length',
      message: 'The notes must be 2,000 characters or fewer',
    })
  const place = await placeOf(trx, errors, input.cluster, input.organisation)
  if (!place.clusterId && !errors.some((e) => e.field === '/cluster' || e.field === '/organisation'))
    errors.push({ field: '/cluster', rule: 'required', message: 'Select the cluster the system belongs to' })
  if (errors.length) throw new ValidationError(errors[0]!.message, errors)
  return {
    name,
    functions: functions as BusinessFunction[],
    supplier,
    contractExpiresOn: contractExpiresOn!,
    supportEndsOn,
    replacementDueOn,
    procurementStartsOn,
    extensionHeadroomMonths: headroom as number,
    notes,
    ...place,
  }
}

function legacyQuery(trx: Tx) {
  return trx
    .selectFrom('programme_legacy_systems as s')
    .leftJoin('clusters as c', 'c.id', 's.cluster_id')
    .leftJoin('organisations as o', 'o.id', 's.org_id')
    .select([
      's.id',
      's.name',
      's.functions',
      's.supplier',
      's.contract_expires_on',
      's.support_ends_on',
      's.extension_headroom_months',
      's.replacement_due_on',
      's.procurement_starts_on',
      's.notes',
      's.demo',
      's.cluster_id',
      'c.code as cluster_code',
      'c.name as cluster_name',
      's.org_id',
      'o.code as org_code',
      'o.name as org_name',
    ])
    .select((eb) =>
      eb
        .selectFrom('programme_risks as r')
        .select(sql<string>`r.id || ' ' || r.reference || ' ' || r.status`.as('x'))
        .whereRef('r.legacy_system_id', '=', 's.id')
        .orderBy('r.created_at')
        .limit(1)
        .as('risk'),
    )
}

type LegacyRow = Awaited<ReturnType<ReturnType<typeof legacyQuery>['execute']>>[number]

function pgDate(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  return String(value).slice(0, 10)
}

function pgArray(value: unknown): BusinessFunction[] {
  if (Array.isArray(value)) return value as BusinessFunction[]
  if (typeof value === 'string')
    return value
      .replace(/^\{|\}$/g, '')
      .split(',')
      .filter(Boolean) as BusinessFunction[]
  return []
}

function toSystem(row: LegacyRow): LegacySystem {
  const dates: LegacyDates = {
    contractExpiresOn: pgDate(row.contract_expires_on)!,
    extensionHeadroomMonths: row.extension_headroom_months,
    replacementDueOn: pgDate(row.replacement_due_on),
    supportEndsOn: pgDate(row.support_ends_on),
  }
  const [riskId, reference, status] = row.risk ? row.risk.split(' ') : []
  return {
    id: row.id,
    name: row.name,
    cluster: row.cluster_id
      ? { id: row.cluster_id, code: row.cluster_code ?? '', name: row.cluster_name ?? '' }
      : null,
    organisation: row.org_id ? { id: row.org_id, code: row.org_code ?? '', name: row.org_name ?? '' } : null,
    functions: pgArray(row.functions),
    supplier: row.supplier,
    procurementStartsOn: pgDate(row.procurement_starts_on),
    notes: row.notes,
    demo: row.demo,
    ...dates,
    flag: legacyFlag(dates),
    risk: riskId ? { id: riskId, reference: reference ?? '', status: status as 'open' | 'closed' } : null,
  }
}

export interface LegacyFilter {
  clusterId?: string | undefined
  flaggedOnly?: boolean | undefined
}

/** The register as the caller may see it: flagged first, then by contract expiry. */
export async function listLegacySystems(trx: Tx, filter: LegacyFilter = {}): Promise<LegacySystem[]> {
  let q = legacyQuery(trx)
  if (filter.clusterId) q = q.where('s.cluster_id', '=', filter.clusterId)
  const rows = await q.orderBy('s.contract_expires_on').orderBy('s.name').limit(REGISTER_ROWS_MAX).execute()
  return rows
    .map(toSystem)
    .filter((s) => !filter.flaggedOnly || s.flag.contractEndsBeforeReplacement)
    .sort(
      (a, b) =>
        Number(b.flag.contractEndsBeforeReplacement) - Number(a.flag.contractEndsBeforeReplacement) ||
        a.contractExpiresOn.localeCompare(b.contractExpiresOn) ||
        a.name.localeCompare(b.name),
    )
}

export async function getLegacySystem(trx: Tx, id: string): Promise<LegacySystem> {
  const row = await legacyQuery(trx).where('s.id', '=', id).executeTakeFirst()
  if (!row) throw new NotFoundError('There is no such legacy system, or it is not in a cluster you can see')
  return toSystem(row)
}

/** Adds a legacy system; if its contract ends before its replacement, raises its risk. */
export async function createLegacySystem(
  trx: Tx,
  input: LegacyInput,
  id = crypto.randomUUID(),
): Promise<LegacySystem> {
  const v = await checkLegacy(trx, input)
  await assertMayManage(trx, v.clusterId)
  await trx
    .insertInto('programme_legacy_systems')
    .values({
      id,
      cluster_id: v.clusterId,
      org_id: v.orgId,
      name: v.name,
      functions: v.functions,
      supplier: v.supplier,
      contract_expires_on: v.contractExpiresOn,
      support_ends_on: v.supportEndsOn,
      extension_headroom_months: v.extensionHeadroomMonths,
      replacement_due_on: v.replacementDueOn,
      procurement_starts_on: v.procurementStartsOn,
      notes: v.notes,
    })
    .execute()
  await raiseLegacyRisk(trx, id)
  return getLegacySystem(trx, id)
}

/** Changes a legacy system; a change that makes it flagged raises its risk. */
export async function updateLegacySystem(trx: Tx, id: string, input: LegacyInput): Promise<LegacySystem> {
  const current = await getLegacySystem(trx, id)
  const v = await checkLegacy(trx, input)
  await assertMayManage(trx, current.cluster?.id ?? null)
  if (v.clusterId !== (current.cluster?.id ?? null)) await assertMayManage(trx, v.clusterId)
  await trx
    .updateTable('programme_legacy_systems')
    .set({
      cluster_id: v.clusterId,
      org_id: v.orgId,
      name: v.name,
      functions: v.functions,
      supplier: v.supplier,
      contract_expires_on: v.contractExpiresOn,
      support_ends_on: v.supportEndsOn,
      extension_headroom_months: v.extensionHeadroomMonths,
      replacement_due_on: v.replacementDueOn,
      procurement_starts_on: v.procurementStartsOn,
      notes: v.notes,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute()
  await raiseLegacyRisk(trx, id)
  return getLegacySystem(trx, id)
}

/**
 * Raises the programme risk for a flagged system, once. Returns the risk id if one was created,
 * null if the system is not flagged or already has its risk. The system's row is locked first, so
 * two concurrent raisers cannot both create one.
 */
export async function raiseLegacyRisk(trx: Tx, systemId: string): Promise<string | null> {
  const locked = await sql<{ id: string }>`
    select id from programme_legacy_systems where id = ${systemId}::uuid for update`.execute(trx)
  if (!locked.rows[0])
    throw new NotFoundError('There is no such legacy system, or it is not in a cluster you manage')
  const system = await getLegacySystem(trx, systemId)
  if (!system.flag.contractEndsBeforeReplacement) return null
  // Any risk already linked, open or closed, visible or not: count through a security-definer-free
  // query (the risk shares the system's cluster, so a manager of the system sees it).
  const existing = await trx
    .selectFrom('programme_risks')
    .select('id')
    .where('legacy_system_id', '=', systemId)
    .executeTakeFirst()
  if (existing) return null
  const critical = system.functions.includes('payroll')
  const months = Math.ceil(system.flag.gapDays / 30)
  const risk = await createRisk(
    trx,
    {
      reference: `LEG-${systemId.replace(/-/g, '').slice(0, 12).toUpperCase()}`,
      title: `${system.name}: contract ends before its replacement`.slice(0, 200),
      cause: `The contract for ${system.name}${system.supplier ? ` (${system.supplier})` : ''} can run at the latest to ${system.flag.latestContractEnd}, with every extension used, but its replacement is due on ${system.replacementDueOn}.`,
      event: `There is a risk that ${system.functions.map((f) => FUNCTION_LABELS[f]).join(', ')} services run without a contract for about ${months} month${months === 1 ? '' : 's'} (${system.flag.gapDays} days).`,
      effect:
        'Which would lead to an unsupported service, a non-compliant direct award or a costly emergency extension, and delay to convergence on the cluster platform.',
      category: 'commercial',
      owner: `${system.cluster?.name ?? 'Programme'} commercial lead`,
      inherentLikelihood: 4,
      inherentImpact: critical ? 5 : 4,
      residualLikelihood: 4,
      residualImpact: critical ? 5 : 4,
      appetite: 'minimal',
      level: system.cluster ? 'cluster' : 'programme',
      cluster: system.cluster?.code ?? null,
      organisation: system.organisation?.code ?? null,
    },
    { legacySystemId: systemId },
  )
  return risk.id
}

/** Raises the risk of every flagged system the caller manages that has none yet. */
export async function raiseLegacyRisks(
  trx: Tx,
  options: { clusterId?: string | undefined } = {},
): Promise<string[]> {
  const systems = await listLegacySystems(trx, { clusterId: options.clusterId, flaggedOnly: true })
  const raised: string[] = []
  for (const system of systems) {
    if (system.risk) continue
    const { rows } = await sql<{
      ok: boolean
    }>`select gss_programme_can(${system.cluster?.id ?? null}::uuid, true) as ok`.execute(trx)
    if (!rows[0]?.ok) continue
    const id = await raiseLegacyRisk(trx, system.id)
    if (id) raised.push(id)
  }
  return raised
}

export interface ProcurementWindow {
  systemId: string
  name: string
  cluster: string
  clusterCode: string | null
  start: string
  end: string
  /** Names of other clusters' procurements whose windows overlap this one. */
  overlapsWith: string[]
}

/** The procurement windows, with overlaps between different clusters marked. */
export function procurementStagger(systems: LegacySystem[]): ProcurementWindow[] {
  const windows = systems
    .filter((s) => s.procurementStartsOn && s.replacementDueOn)
    .map((s) => ({
      systemId: s.id,
      name: s.name,
      cluster: s.cluster?.name ?? 'Programme-wide',
      clusterCode: s.cluster?.code ?? null,
      start: s.procurementStartsOn!,
      end: s.replacementDueOn!,
      overlapsWith: [] as string[],
    }))
    .sort(
      (a, b) =>
        a.cluster.localeCompare(b.cluster) || a.start.localeCompare(b.start) || a.name.localeCompare(b.name),
    )
  for (const a of windows)
    for (const b of windows)
      if (a !== b && a.clusterCode !== b.clusterCode && a.start <= b.end && b.start <= a.end)
        a.overlapsWith.push(`${b.name} (${b.cluster})`)
  return windows
}

export interface LegacySummary {
  systems: number
  contractEndsBeforeReplacement: number
  noReplacementDate: number
  supportGaps: number
  expiringWithin12Months: number
  procurements: number
  overlappingProcurements: number
  nextExpiry: { name: string; cluster: string | null; on: string } | null
}

/** Aggregates of the legacy register for the dashboard. */
export async function legacySummary(
  trx: Tx,
  options: { clusterId?: string | undefined; today?: string | undefined } = {},
): Promise<LegacySummary> {
  const systems = await listLegacySystems(trx, { clusterId: options.clusterId })
  const today = options.today ?? new Date().toISOString().slice(0, 10)
  const horizon = addMonths(today, 12)
  const stagger = procurementStagger(systems)
  const upcoming = systems
    .filter((s) => s.contractExpiresOn >= today)
    .sort((a, b) => a.contractExpiresOn.localeCompare(b.contractExpiresOn))[0]
  return {
    systems: systems.length,
    contractEndsBeforeReplacement: systems.filter((s) => s.flag.contractEndsBeforeReplacement).length,
    noReplacementDate: systems.filter((s) => s.flag.noReplacementDate).length,
    supportGaps: systems.filter((s) => s.flag.supportGap).length,
    expiringWithin12Months: systems.filter(
      (s) => s.contractExpiresOn >= today && s.contractExpiresOn <= horizon,
    ).length,
    procurements: stagger.length,
    overlappingProcurements: stagger.filter((w) => w.overlapsWith.length).length,
    nextExpiry: upcoming
      ? { name: upcoming.name, cluster: upcoming.cluster?.name ?? null, on: upcoming.contractExpiresOn }
      : null,
  }
}
