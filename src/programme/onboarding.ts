// Onboarding oversight (issue 7, deliverable 4): every department and arm's-length body with its
// target cluster, planned and actual migration dates and status; the recorded divergences of ALBs
// that do not follow their sponsor's cluster; and the plan view of ALBs not yet scheduled.
//
// The data lives in the organisations directory (src/orgs): organisations are readable by every
// signed-in user, so these lists need no widening. Changes go through OrgsService.changeOnboarding,
// so the audit log and the onboarding_events history stay the one record of every plan.
import { sql } from 'kysely'
import type { OrgsService } from '../orgs/service.ts'
import { isDepartment, type OnboardingStatus, type OrganisationKind } from '../orgs/tables.ts'
import type { Tx } from '../platform/db/index.ts'
import { ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.ts'

/** Today as an ISO date (UTC), the default "as at" for lateness. */
export function todayIsoDate(now = new Date()): string {
  return now.toISOString().slice(0, 10)
}

/**
 * Runs fn with the transaction's row-level tenant narrowed to `orgIds`, then puts the tenant back.
 *
 * Programme analysts and managers hold aggregate-only roles: their transactions may act for no
 * organisation's rows (tenancy.ts actableOrgIds). Two things in this domain still need one
 * organisation's rows: a cost line's spend from the ledger (a sum over journal lines: only the
 * aggregate leaves this function's caller) and a programme manager's change to an organisation's
 * onboarding plan (made through the orgs service, after gss_programme_can() has said the caller
 * manages that organisation's cluster). The widening is to exactly those organisations and lasts
 * only for fn; callers must return aggregates or the change made, never rows read here.
 */
export async function withTenantOrgs<T>(
  trx: Tx,
  orgIds: readonly string[],
  fn: () => Promise<T>,
): Promise<T> {
  const { rows } = await sql<{ org_ids: string | null; all_orgs: string | null }>`
    select current_setting('gss.org_ids', true) as org_ids, current_setting('gss.all_orgs', true) as all_orgs`.execute(
    trx,
  )
  const saved = rows[0]!
  // Platform-wide staff already see every organisation.
  if (saved.all_orgs === 'on') return fn()
  await sql`select set_config('gss.org_ids', ${orgIds.join(',')}, true), set_config('gss.all_orgs', 'off', true)`.execute(
    trx,
  )
  const restore = () =>
    sql`select set_config('gss.org_ids', ${saved.org_ids ?? ''}, true), set_config('gss.all_orgs', ${saved.all_orgs ?? 'off'}, true)`.execute(
      trx,
    )
  let result: T
  try {
    result = await fn()
  } catch (error) {
    // On PostgreSQL a failed statement aborts the transaction, so the restore may fail too: the
    // transaction is rolled back either way, and the first error is the one to report.
    await restore().catch(() => undefined)
    throw error
  }
  await restore()
  return result
}

export interface OnboardingRow {
  id: string
  code: string
  name: string
  abbreviation: string | null
  kind: OrganisationKind
  department: boolean
  cluster: { id: string; code: string; name: string } | null
  sponsor: { code: string; name: string; clusterCode: string | null; clusterName: string | null } | null
  status: OnboardingStatus
  plannedDate: string | null
  liveDate: string | null
  /** Planned date passed (before the as-at date) and not live. */
  late: boolean
  daysLate: number
  /** An ALB in a different cluster from its sponsor: 'recorded' with a reason, 'unrecorded' without. */
  divergence: 'none' | 'recorded' | 'unrecorded'
  divergenceReason: string | null
}

export interface OnboardingFilter {
  clusterId?: string | undefined
  kind?: 'department' | 'alb' | undefined
  status?: OnboardingStatus | undefined
  lateOnly?: boolean | undefined
  /** As-at date for lateness; default today. */
  asOf?: string | undefined
}

/** Every organisation at most: the directory is a few hundred bodies (306 ALBs in government). */
export const ONBOARDING_ROWS_MAX = 2000

interface Row {
  id: string
  code: string
  name: string
  abbreviation: string | null
  kind: OrganisationKind
  cluster_id: string | null
  cluster_code: string | null
  cluster_name: string | null
  sponsor_code: string | null
  sponsor_name: string | null
  sponsor_cluster_id: string | null
  sponsor_cluster_code: string | null
  sponsor_cluster_name: string | null
  onboarding_status: OnboardingStatus
  onboarding_planned_date: string | null
  onboarding_live_date: string | null
  cluster_divergence_reason: string | null
}

const DAY_MS = 86_400_000

function toRow(row: Row, asOf: string): OnboardingRow {
  const late =
    row.onboarding_status !== 'live' &&
    row.onboarding_planned_date !== null &&
    row.onboarding_planned_date < asOf
  const isAlb = row.sponsor_code !== null
  const diverges = isAlb && row.cluster_id !== row.sponsor_cluster_id
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    abbreviation: row.abbreviation,
    kind: row.kind,
    department: isDepartment(row.kind),
    cluster: row.cluster_id ? { id: row.cluster_id, code: row.cluster_code!, name: row.cluster_name! } : null,
    sponsor: isAlb
      ? {
          code: row.sponsor_code!,
          name: row.sponsor_name!,
          clusterCode: row.sponsor_cluster_code,
          clusterName: row.sponsor_cluster_name,
        }
      : null,
    status: row.onboarding_status,
    plannedDate: row.onboarding_planned_date,
    liveDate: row.onboarding_live_date,
    late,
    daysLate: late
      ? Math.round(
          (Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${row.onboarding_planned_date}T00:00:00Z`)) / DAY_MS,
        )
      : 0,
    divergence: !diverges ? 'none' : row.cluster_divergence_reason?.trim() ? 'recorded' : 'unrecorded',
    divergenceReason: diverges ? (row.cluster_divergence_reason?.trim() ?? null) || null : null,
  }
}

async function rows(trx: Tx, clusterId: string | undefined): Promise<Row[]> {
  let query = trx
    .selectFrom('organisations as o')
    .leftJoin('clusters as c', 'c.id', 'o.cluster_id')
    .leftJoin('organisations as s', 's.id', 'o.sponsor_id')
    .leftJoin('clusters as sc', 'sc.id', 's.cluster_id')
    .select([
      'o.id',
      'o.code',
      'o.name',
      'o.abbreviation',
      'o.kind',
      'o.cluster_id',
      'c.code as cluster_code',
      'c.name as cluster_name',
      's.code as sponsor_code',
      's.name as sponsor_name',
      's.cluster_id as sponsor_cluster_id',
      'sc.code as sponsor_cluster_code',
      'sc.name as sponsor_cluster_name',
      'o.onboarding_status',
      'o.onboarding_planned_date',
      'o.onboarding_live_date',
      'o.cluster_divergence_reason',
    ])
  if (clusterId) query = query.where('o.cluster_id', '=', clusterId)
  return (await query
    .orderBy(sql`c.name nulls last`)
    .orderBy(sql`coalesce(s.name, o.name)`)
    .orderBy(sql`o.sponsor_id is not null`)
    .orderBy('o.name')
    .limit(ONBOARDING_ROWS_MAX)
    .execute()) as Row[]
}

/** Every department and ALB (optionally of one cluster), with status, dates and lateness. */
export async function listOnboarding(trx: Tx, filter: OnboardingFilter = {}): Promise<OnboardingRow[]> {
  const asOf = filter.asOf ?? todayIsoDate()
  return (await rows(trx, filter.clusterId))
    .map((row) => toRow(row, asOf))
    .filter(
      (row) =>
        (filter.kind === undefined || (filter.kind === 'department') === row.department) &&
        (filter.status === undefined || row.status === filter.status) &&
        (!filter.lateOnly || row.late),
    )
}

/** ALBs whose cluster differs from their sponsor's: recorded (with the reason) or flagged. */
export async function listDivergences(trx: Tx, filter: { clusterId?: string | undefined } = {}) {
  // A divergence concerns both clusters: filter on either the ALB's or its sponsor's cluster.
  const all = (await rows(trx, undefined)).map((row) => toRow(row, todayIsoDate()))
  const clusterCodes = filter.clusterId
    ? new Set(
        (await trx.selectFrom('clusters').select('code').where('id', '=', filter.clusterId).execute()).map(
          (c) => c.code,
        ),
      )
    : undefined
  return all.filter(
    (row) =>
      row.divergence !== 'none' &&
      (!clusterCodes ||
        clusterCodes.has(row.cluster?.code ?? '') ||
        clusterCodes.has(row.sponsor?.clusterCode ?? '')),
  )
}

export interface PlanGroup {
  cluster: { code: string; name: string } | null
  sponsor: { code: string; name: string }
  bodies: OnboardingRow[]
}

/** ALBs not yet scheduled (not planned, or no planned date and not live), by cluster and sponsor. */
export async function unscheduledPlan(
  trx: Tx,
  filter: { clusterId?: string | undefined } = {},
): Promise<PlanGroup[]> {
  const list = await listOnboarding(trx, { clusterId: filter.clusterId, kind: 'alb' })
  const groups = new Map<string, PlanGroup>()
  for (const row of list) {
    if (!isUnscheduled(row)) continue
    const key = `${row.cluster?.code ?? ''}|${row.sponsor!.code}`
    let group = groups.get(key)
    if (!group) {
      group = {
        cluster: row.cluster ? { code: row.cluster.code, name: row.cluster.name } : null,
        sponsor: { code: row.sponsor!.code, name: row.sponsor!.name },
        bodies: [],
      }
      groups.set(key, group)
    }
    group.bodies.push(row)
  }
  return [...groups.values()]
}

function isUnscheduled(row: Pick<OnboardingRow, 'status' | 'plannedDate'>): boolean {
  return row.status === 'not_planned' || (row.status !== 'live' && row.plannedDate === null)
}

export interface OnboardingSummary {
  organisations: number
  departments: number
  albs: number
  live: number
  migrating: number
  planned: number
  notPlanned: number
  /** Planned date passed, not live. */
  late: number
  /** ALBs in a different cluster from their sponsor, with a recorded reason. */
  divergencesRecorded: number
  /** ALBs in a different cluster from their sponsor without a recorded reason: flagged. */
  divergencesUnrecorded: number
  /** ALBs not yet scheduled (the plan view). */
  unscheduledAlbs: number
}

/** Counts for the dashboard: plain numbers, for the whole platform or one cluster. */
export async function onboardingSummary(
  trx: Tx,
  options: { clusterId?: string | undefined; asOf?: string | undefined } = {},
): Promise<OnboardingSummary> {
  const list = await listOnboarding(trx, { clusterId: options.clusterId, asOf: options.asOf })
  const count = (test: (row: OnboardingRow) => boolean) => list.filter(test).length
  return {
    organisations: list.length,
    departments: count((row) => row.department),
    albs: count((row) => !row.department),
    live: count((row) => row.status === 'live'),
    migrating: count((row) => row.status === 'migrating'),
    planned: count((row) => row.status === 'planned'),
    notPlanned: count((row) => row.status === 'not_planned'),
    late: count((row) => row.late),
    divergencesRecorded: count((row) => row.divergence === 'recorded'),
    divergencesUnrecorded: count((row) => row.divergence === 'unrecorded'),
    unscheduledAlbs: count((row) => !row.department && isUnscheduled(row)),
  }
}

export interface ScheduleInput {
  status?: OnboardingStatus | undefined
  plannedDate?: string | null | undefined
  liveDate?: string | null | undefined
  note?: string | undefined
}

/**
 * A programme manager schedules an organisation's migration (planned date and status), recorded
 * through the orgs service so that the audit log and onboarding_events keep the history.
 * Errors: NotFoundError (no such organisation), ForbiddenError (the caller does not manage the
 * organisation's cluster), ValidationError naming the field.
 */
export async function scheduleOnboarding(trx: Tx, orgs: OrgsService, code: string, input: ScheduleInput) {
  const org = await trx
    .selectFrom('organisations')
    .select(['id', 'name', 'cluster_id', sql<boolean>`gss_programme_can(cluster_id, true)`.as('may_manage')])
    .where('code', '=', code)
    .executeTakeFirst()
  if (!org) throw new NotFoundError(`There is no organisation with the code ${code}`)
  if (!org.may_manage)
    throw new ForbiddenError(
      org.cluster_id
        ? `You do not manage the programme for ${org.name}’s cluster`
        : `${org.name} has no cluster: only platform-wide programme managers can schedule it`,
    )
  const errors: Array<{ field: string; message: string }> = []
  if (input.status === 'planned' && !input.plannedDate)
    errors.push({
      field: '/plannedDate',
      message: 'Enter the planned migration date for a planned migration',
    })
  if (input.note !== undefined && input.note.length > 500)
    errors.push({ field: '/note', message: 'The note must be 500 characters or fewer' })
  if (errors.length) throw new ValidationError(errors[0]!.message, errors)
  return withTenantOrgs(trx, [org.id], () =>
    orgs.changeOnboarding(trx, code, {
      onboardingStatus: input.status,
      onboardingPlannedDate: input.plannedDate,
      onboardingLiveDate: input.liveDate,
      note: input.note,
    }),
  )
}

/** The recorded history of an organisation's onboarding (newest first), read as the caller may. */
export async function onboardingHistory(trx: Tx, orgs: OrgsService, orgId: string) {
  // onboarding_events is org-scoped; its rows are plans and dates, nothing personal, but the
  // names of who recorded them are. Programme readers get the plans without the names.
  const visible = await sql<{
    ok: boolean
  }>`select gss_programme_can_org(${orgId}::uuid, false) as ok`.execute(trx)
  if (!visible.rows[0]?.ok) return []
  return withTenantOrgs(trx, [orgId], async () =>
    (await orgs.onboardingHistory(trx, orgId)).map((event) => ({
      recordedAt: event.recorded_at,
      status: event.onboarding_status,
      plannedDate: event.onboarding_planned_date,
      liveDate: event.onboarding_live_date,
      note: event.note,
    })),
  )
}
