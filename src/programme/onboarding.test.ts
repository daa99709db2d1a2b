// Onboarding oversight on the demo directory: lateness, divergences, the plan of unscheduled ALBs,
// and scheduling through the orgs service by programme managers only, within their clusters.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { OrgsService } from '../orgs/service.ts'
import type { TenantContext, Tx } from '../platform/db/index.ts'
import { AppError, ForbiddenError, ValidationError } from '../platform/errors.ts'
import { clusterId, orgId } from '../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import {
  listDivergences,
  listOnboarding,
  onboardingHistory,
  onboardingSummary,
  scheduleOnboarding,
  unscheduledPlan,
  withTenantOrgs,
} from './onboarding.ts'

let t: TestDatabase
const orgs = new OrgsService()
const MATRIX = clusterId('matrix')
const context = (
  read: TenantContext['programmeRead'],
  manage: TenantContext['programmeManage'],
): TenantContext => ({
  userId: null,
  orgIds: [],
  actingOrgId: null,
  requestId: 'onboarding-test',
  programmeRead: read,
  programmeManage: manage,
})
const MANAGER = context('all', 'all')
const ANALYST = context('all', [])
let matrixManager: TenantContext
const as = <T>(who: TenantContext, fn: (trx: Tx) => Promise<T>) => t.db.transaction(who, fn)

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  const ids = (
    await t.db.admin.selectFrom('organisations').select('id').where('cluster_id', '=', MATRIX).execute()
  ).map((row) => row.id)
  matrixManager = context(ids, ids)
}, 300_000)
afterAll(async () => t?.close())

describe('the onboarding list', () => {
  test('every department and ALB, with lateness as at a date', async () => {
    const total = await t.db.admin
      .selectFrom('organisations')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
    const list = await as(ANALYST, (trx) => listOnboarding(trx, { asOf: '2100-01-01' }))
    expect(list).toHaveLength(total.n)
    expect(list.some((row) => row.department) && list.some((row) => !row.department)).toBe(true)
    // Everything with a planned date and not live is late by 2100.
    for (const row of list) expect(row.late).toBe(row.status !== 'live' && row.plannedDate !== null)
    const fcdo = list.find((row) => row.code === 'fcdo')!
    expect(fcdo).toMatchObject({ status: 'live', late: false, cluster: { code: 'overseas' } })
    const summary = await as(ANALYST, (trx) => onboardingSummary(trx, { asOf: '2100-01-01' }))
    expect(summary.organisations).toBe(total.n)
    expect(summary.late).toBe(list.filter((row) => row.late).length)
    expect(summary.live + summary.migrating + summary.planned + summary.notPlanned).toBe(total.n)
    const matrix = await as(ANALYST, (trx) => onboardingSummary(trx, { clusterId: MATRIX }))
    expect(matrix.organisations).toBe(list.filter((row) => row.cluster?.code === 'matrix').length)
  })

  test('an ALB in a different cluster from its sponsor is a divergence: recorded with a reason, flagged without', async () => {
    // Two ALBs of a Matrix department moved to Unity, one with the agreed reason.
    const albs = await t.db.admin
      .selectFrom('organisations as o')
      .innerJoin('organisations as s', 's.id', 'o.sponsor_id')
      .select(['o.id', 'o.code'])
      .where('s.cluster_id', '=', MATRIX)
      .orderBy('o.code')
      .limit(2)
      .execute()
    expect(albs).toHaveLength(2)
    await t.db.admin
      .updateTable('organisations')
      .set({
        cluster_id: clusterId('unity'),
        cluster_divergence_reason: 'Shares HMRC’s SAP estate by agreement',
      })
      .where('id', '=', albs[0]!.id)
      .execute()
    await t.db.admin
      .updateTable('organisations')
      .set({ cluster_id: clusterId('unity'), cluster_divergence_reason: null })
      .where('id', '=', albs[1]!.id)
      .execute()
    const divergences = await as(ANALYST, (trx) => listDivergences(trx, { clusterId: MATRIX }))
    const recorded = divergences.find((row) => row.code === albs[0]!.code)!
    const flagged = divergences.find((row) => row.code === albs[1]!.code)!
    expect(recorded).toMatchObject({
      divergence: 'recorded',
      divergenceReason: 'Shares HMRC’s SAP estate by agreement',
    })
    expect(flagged).toMatchObject({ divergence: 'unrecorded', divergenceReason: null })
    // Seen from Unity's side too.
    const unity = await as(ANALYST, (trx) => listDivergences(trx, { clusterId: clusterId('unity') }))
    expect(unity.map((row) => row.code)).toEqual(expect.arrayContaining(albs.map((a) => a.code)))
    const summary = await as(ANALYST, (trx) => onboardingSummary(trx))
    expect(summary.divergencesUnrecorded).toBeGreaterThanOrEqual(1)
    expect(summary.divergencesRecorded).toBeGreaterThanOrEqual(1)
  })

  test('the plan view holds the ALBs not yet scheduled, grouped by cluster and sponsor', async () => {
    const plan = await as(ANALYST, (trx) => unscheduledPlan(trx))
    const bodies = plan.flatMap((group) => group.bodies)
    expect(bodies.length).toBeGreaterThan(0)
    for (const group of plan)
      for (const body of group.bodies) {
        expect(body.department).toBe(false)
        expect(body.sponsor?.code).toBe(group.sponsor.code)
        expect(body.cluster?.code ?? null).toBe(group.cluster?.code ?? null)
        expect(body.status === 'not_planned' || (body.status !== 'live' && body.plannedDate === null)).toBe(
          true,
        )
      }
    const summary = await as(ANALYST, (trx) => onboardingSummary(trx))
    expect(summary.unscheduledAlbs).toBe(bodies.length)
  })
})

describe('scheduling', () => {
  test('a programme manager schedules an ALB through the orgs service: history and audit kept', async () => {
    const plan = await as(ANALYST, (trx) => unscheduledPlan(trx, { clusterId: MATRIX }))
    const body = plan[0]!.bodies[0]!
    const before = await t.db.admin
      .selectFrom('onboarding_events')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('org_id', '=', body.id)
      .executeTakeFirstOrThrow()
    const updated = await as(matrixManager, (trx) =>
      scheduleOnboarding(trx, orgs, body.code, {
        status: 'planned',
        plannedDate: '2027-10-01',
        note: 'Wave 3',
      }),
    )
    expect(updated).toMatchObject({ onboardingStatus: 'planned', onboardingPlannedDate: '2027-10-01' })
    const events = await t.db.admin
      .selectFrom('onboarding_events')
      .selectAll()
      .where('org_id', '=', body.id)
      .orderBy('recorded_at', 'desc')
      .execute()
    expect(events).toHaveLength(before.n + 1)
    expect(events[0]).toMatchObject({
      onboarding_status: 'planned',
      onboarding_planned_date: '2027-10-01',
      note: 'Wave 3',
    })
    const audited = await sql<{ n: number }>`
      select count(*)::int as n from audit_log where table_name = 'organisations' and action = 'update'
        and request_id = 'onboarding-test' and after ->> 'onboarding_planned_date' = '2027-10-01'`.execute(
      t.db.admin,
    )
    expect(audited.rows[0]!.n).toBe(1)
    // No longer in the plan of the unscheduled.
    const after = await as(ANALYST, (trx) => unscheduledPlan(trx, { clusterId: MATRIX }))
    expect(after.flatMap((g) => g.bodies).some((b) => b.code === body.code)).toBe(false)
    // Programme readers see the history without who recorded it.
    const history = await as(ANALYST, (trx) => onboardingHistory(trx, orgs, body.id))
    expect(history[0]).toEqual({
      recordedAt: expect.any(Date),
      status: 'planned',
      plannedDate: '2027-10-01',
      liveDate: null,
      note: 'Wave 3',
    })
  })

  test('analysts and managers of another cluster cannot schedule; bad input names the field', async () => {
    // A cluster membership expands to the cluster's organisations as they are now (the divergence
    // test above moved two of Matrix's ALBs to Unity).
    const ids = (
      await t.db.admin.selectFrom('organisations').select('id').where('cluster_id', '=', MATRIX).execute()
    ).map((row) => row.id)
    matrixManager = context(ids, ids)
    const analyst = await refusal(
      as(ANALYST, (trx) =>
        scheduleOnboarding(trx, orgs, 'dsit', { status: 'planned', plannedDate: '2027-01-01' }),
      ),
    )
    expect(analyst).toBeInstanceOf(ForbiddenError)
    const otherCluster = await refusal(
      as(matrixManager, (trx) =>
        scheduleOnboarding(trx, orgs, 'hmrc', { status: 'planned', plannedDate: '2027-01-01' }),
      ),
    )
    expect(otherCluster).toBeInstanceOf(ForbiddenError)
    const noDate = await refusal(
      as(MANAGER, (trx) => scheduleOnboarding(trx, orgs, 'dsit', { status: 'planned' })),
    )
    expect(noDate).toBeInstanceOf(ValidationError)
    expect(noDate.fieldErrors[0]!.field).toBe('/plannedDate')
    const badDate = await refusal(
      as(MANAGER, (trx) =>
        scheduleOnboarding(trx, orgs, 'dsit', { status: 'planned', plannedDate: '2027-02-30' }),
      ),
    )
    expect(badDate.fieldErrors[0]!.field).toBe('/onboardingPlannedDate')
    const notLive = await t.db.admin
      .selectFrom('organisations')
      .select('code')
      .where('onboarding_live_date', 'is', null)
      .executeTakeFirstOrThrow()
    const live = await refusal(
      as(MANAGER, (trx) => scheduleOnboarding(trx, orgs, notLive.code, { status: 'live' })),
    )
    expect(live.fieldErrors[0]!.field).toBe('/onboardingLiveDate')
    const dsit = await t.db.admin
      .selectFrom('organisations')
      .select(['onboarding_status', 'onboarding_planned_date'])
      .where('id', '=', orgId('dsit'))
      .executeTakeFirstOrThrow()
    const unchanged = await as(ANALYST, (trx) => listOnboarding(trx))
    expect(unchanged.find((row) => row.code === 'dsit')).toMatchObject({
      status: dsit.onboarding_status,
      plannedDate: dsit.onboarding_planned_date,
    })
  })

  test('the widening is undone: after scheduling, the transaction sees no organisation’s rows', async () => {
    const [inside, after] = await as(MANAGER, async (trx) => {
      const inside = await withTenantOrgs(trx, [orgId('dsit')], async () =>
        (await trx.selectFrom('journals').select('org_id').distinct().execute()).map((row) => row.org_id),
      )
      const after = await trx.selectFrom('journals').select('org_id').limit(1).execute()
      return [inside, after]
    })
    expect(inside.every((id) => id === orgId('dsit'))).toBe(true)
    expect(after).toHaveLength(0)
  })
})
