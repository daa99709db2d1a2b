// Programme risks (Orange Book register, heat map) and delivery confidence, on the demo world, as
// programme managers (platform-wide and cluster-scoped) and analysts.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TenantContext, Tx } from '../platform/db/index.ts'
import { AppError, ForbiddenError, ValidationError } from '../platform/errors.ts'
import { clusterId } from '../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import {
  aboveAppetite,
  addMitigation,
  assessmentHistory,
  createRisk,
  deliveryConfidenceSummary,
  escalateRisk,
  getRisk,
  heatCounts,
  listRisks,
  type RiskInput,
  recordAssessment,
  riskSummary,
  scoreBand,
  setRiskStatus,
  updateMitigation,
  updateRisk,
} from './risks.ts'

let t: TestDatabase
const MATRIX = clusterId('matrix')
const UNITY = clusterId('unity')
let matrixOrgCode: string

const context = (
  read: TenantContext['programmeRead'],
  manage: TenantContext['programmeManage'],
): TenantContext => ({
  userId: null,
  orgIds: [],
  actingOrgId: null,
  requestId: 'risks-test',
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

const risk = (over: Partial<RiskInput> = {}): RiskInput => ({
  reference: 'RISK-001',
  title: 'Payroll cut-over slips',
  cause: 'Because the payroll data cleanse is behind plan',
  event: 'There is a risk that the cut-over misses its window',
  effect: 'Which would lead to staff being paid late',
  owner: 'Cluster SRO',
  inherentLikelihood: 4,
  inherentImpact: 5,
  residualLikelihood: 3,
  residualImpact: 4,
  appetite: 'cautious',
  level: 'cluster',
  cluster: 'matrix',
  ...over,
})

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  // The demo world seeds example registers (src/programme/demo.ts): start these tests from empty ones.
  await t.db.adminTransaction(async (trx) => {
    for (const table of [
      'programme_risk_escalations',
      'programme_risk_mitigations',
      'programme_risks',
      'programme_legacy_systems',
      'programme_delivery_confidence',
    ] as const)
      await trx.deleteFrom(table).execute()
  })
  const ids = await t.db.admin
    .selectFrom('organisations')
    .select(['id', 'code'])
    .where('cluster_id', '=', MATRIX)
    .execute()
  matrixOrgCode = ids[0]!.code
  const orgIds = ids.map((r) => r.id)
  matrixManager = context(orgIds, orgIds)
}, 300_000)
afterAll(async () => t?.close())

describe('scoring rules', () => {
  test('bands and appetite thresholds', () => {
    expect([4, 5, 9, 10, 16, 20, 25].map(scoreBand)).toEqual([
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'very_high',
      'very_high',
    ])
    expect(aboveAppetite(9, 'cautious')).toBe(false)
    expect(aboveAppetite(10, 'cautious')).toBe(true)
    expect(aboveAppetite(5, 'averse')).toBe(true)
    expect(aboveAppetite(16, 'eager')).toBe(false)
  })
})

describe('empty registers', () => {
  test('summaries are zeros and every visible cluster has no rating', async () => {
    const [summary, confidence] = await as(ANALYST, async (trx) => [
      await riskSummary(trx),
      await deliveryConfidenceSummary(trx),
    ])
    expect(summary).toMatchObject({ open: 0, closed: 0, aboveAppetite: 0, mitigationsOverdue: 0 })
    expect(summary.residual.flat().every((n) => n === 0)).toBe(true)
    expect(confidence.length).toBeGreaterThan(1)
    expect(confidence.every((c) => c.current === null && c.trend === null)).toBe(true)
  })
})

describe('risk register', () => {
  test('validation names every field and rule and writes nothing', async () => {
    const error = await refusal(
      as(MANAGER, (trx) =>
        createRisk(
          trx,
          risk({
            reference: 'x',
            cause: '',
            owner: '',
            inherentLikelihood: 2,
            residualLikelihood: 3,
            residualImpact: 9,
            appetite: 'reckless' as never,
          }),
        ),
      ),
    )
    expect(error).toBeInstanceOf(ValidationError)
    const fields = error.fieldErrors as unknown as Array<{ field: string; rule: string }>
    expect(fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: '/reference', rule: 'pattern' }),
        expect.objectContaining({ field: '/cause', rule: 'required' }),
        expect.objectContaining({ field: '/owner', rule: 'required' }),
        expect.objectContaining({ field: '/residualLikelihood', rule: 'residual-not-above-inherent' }),
        expect.objectContaining({ field: '/residualImpact', rule: 'scale-1-5' }),
        expect.objectContaining({ field: '/appetite', rule: 'one-of' }),
      ]),
    )
    expect(await as(MANAGER, (trx) => listRisks(trx))).toHaveLength(0)
  })

  test('a level needs its place: organisation level needs an organisation', async () => {
    const error = await refusal(
      as(MANAGER, (trx) =>
        createRisk(trx, risk({ level: 'organisation', cluster: 'matrix', organisation: null })),
      ),
    )
    expect(error.fieldErrors[0]).toMatchObject({ field: '/organisation', rule: 'required-for-level' })
    const wrong = await refusal(
      as(MANAGER, (trx) => createRisk(trx, risk({ cluster: 'unity', organisation: matrixOrgCode }))),
    )
    expect(wrong.fieldErrors[0]).toMatchObject({ field: '/organisation', rule: 'in-cluster' })
  })

  test('create, mitigate, escalate with reasons and history, close', async () => {
    const created = await as(matrixManager, (trx) => createRisk(trx, risk()))
    expect(created).toMatchObject({
      reference: 'RISK-001',
      level: 'cluster',
      status: 'open',
      appetite: 'cautious',
    })
    expect(created.inherent.score).toBe(20)
    expect(created.residual.score).toBe(12)
    expect(created.aboveAppetite).toBe(true)

    const noReason = await refusal(
      as(matrixManager, (trx) => escalateRisk(trx, created.id, { toLevel: 'programme', reason: ' ' }, null)),
    )
    expect(noReason.fieldErrors[0]).toMatchObject({ field: '/reason', rule: 'required' })
    const same = await refusal(
      as(matrixManager, (trx) =>
        escalateRisk(trx, created.id, { toLevel: 'cluster', reason: 'Already there really' }, null),
      ),
    )
    expect(same.fieldErrors[0]).toMatchObject({ field: '/toLevel', rule: 'different-level' })

    const mitigated = await as(matrixManager, (trx) =>
      addMitigation(trx, created.id, {
        action: 'Extra data cleanse team',
        owner: 'Payroll lead',
        dueOn: '2020-01-31',
      }),
    )
    expect(mitigated.mitigations).toHaveLength(1)
    expect(mitigated.mitigations[0]).toMatchObject({ status: 'planned', overdue: true })
    expect((await as(ANALYST, (trx) => riskSummary(trx))).mitigationsOverdue).toBe(1)
    const done = await as(matrixManager, (trx) =>
      updateMitigation(trx, created.id, mitigated.mitigations[0]!.id, {
        action: 'Extra data cleanse team',
        owner: 'Payroll lead',
        dueOn: '2020-01-31',
        status: 'done',
      }),
    )
    expect(done.mitigations[0]).toMatchObject({ status: 'done', overdue: false })

    const escalated = await as(matrixManager, (trx) =>
      escalateRisk(
        trx,
        created.id,
        { toLevel: 'programme', reason: 'Needs a cross-cluster decision on cut-over dates' },
        null,
      ),
    )
    expect(escalated.level).toBe('programme')
    expect(escalated.escalations).toHaveLength(1)
    expect(escalated.escalations[0]).toMatchObject({ fromLevel: 'cluster', toLevel: 'programme' })
    // Still the cluster's risk: the programme-level filter and the cluster filter both find it.
    expect(
      (await as(ANALYST, (trx) => listRisks(trx, { level: 'programme', clusterId: MATRIX }))).map(
        (r) => r.id,
      ),
    ).toEqual([created.id])

    const summary = await as(ANALYST, (trx) => riskSummary(trx, { clusterId: MATRIX }))
    expect(summary).toMatchObject({ open: 1, aboveAppetite: 1, byLevel: { programme: 1 } })
    expect(summary.inherent[3]![4]).toBe(1)
    expect(summary.residual[2]![3]).toBe(1)
    expect((await as(ANALYST, (trx) => riskSummary(trx, { clusterId: UNITY }))).open).toBe(0)

    const closed = await as(matrixManager, (trx) =>
      setRiskStatus(trx, created.id, 'closed', 'Cut-over completed on time', null),
    )
    expect(closed.status).toBe('closed')
    expect(closed.aboveAppetite).toBe(false)
    const change = await refusal(
      as(matrixManager, (trx) => updateRisk(trx, created.id, risk({ title: 'Changed after close' }))),
    )
    expect(change.status).toBe(422)
    expect((await as(ANALYST, (trx) => riskSummary(trx))).closed).toBe(1)
  })

  test('residual equal to inherent is allowed; duplicate references are refused', async () => {
    const r = await as(MANAGER, (trx) =>
      createRisk(
        trx,
        risk({
          reference: 'RISK-EQ',
          residualLikelihood: 4,
          residualImpact: 5,
          cluster: 'unity',
          appetite: 'eager',
        }),
      ),
    )
    expect(r.residual.score).toBe(r.inherent.score)
    expect(r.aboveAppetite).toBe(true)
    const dup = await refusal(
      as(MANAGER, (trx) => createRisk(trx, risk({ reference: 'risk-eq', cluster: 'unity' }))),
    )
    expect(dup.fieldErrors[0]).toMatchObject({ field: '/reference' })
  })

  test('row-level security: a cluster manager cannot touch another cluster; an analyst cannot write', async () => {
    const unityRisk = (await as(MANAGER, (trx) => listRisks(trx, { clusterId: UNITY })))[0]!
    // Cluster-scoped manager cannot see or change another cluster's risk.
    const hidden = await refusal(as(matrixManager, (trx) => getRisk(trx, unityRisk.id)))
    expect(hidden.status).toBe(404)
    const notMine = await refusal(
      as(matrixManager, (trx) => createRisk(trx, risk({ reference: 'RISK-U9', cluster: 'unity' }))),
    )
    expect(notMine).toBeInstanceOf(ForbiddenError)
    // Even a raw update is stopped by RLS underneath the service check.
    const raw = await as(matrixManager, (trx) =>
      trx
        .updateTable('programme_risks')
        .set({ title: 'Hijacked' })
        .where('id', '=', unityRisk.id)
        .executeTakeFirst(),
    )
    expect(Number(raw.numUpdatedRows)).toBe(0)
    // Programme-wide risks need a platform-wide manager.
    const wide = await refusal(
      as(matrixManager, (trx) =>
        createRisk(trx, risk({ reference: 'RISK-P1', level: 'programme', cluster: null })),
      ),
    )
    expect(wide).toBeInstanceOf(ForbiddenError)
    // The analyst reads everything and writes nothing.
    expect((await as(ANALYST, (trx) => getRisk(trx, unityRisk.id))).reference).toBe('RISK-EQ')
    const analyst = await refusal(
      as(ANALYST, (trx) =>
        escalateRisk(trx, unityRisk.id, { toLevel: 'programme', reason: 'Analyst trying to escalate' }, null),
      ),
    )
    expect(analyst).toBeInstanceOf(ForbiddenError)
    await expect(
      as(ANALYST, (trx) =>
        trx
          .insertInto('programme_delivery_confidence')
          .values({ cluster_id: UNITY, assessed_on: '2026-01-01', rating: 'red', rationale: 'sneaky write' })
          .execute(),
      ),
    ).rejects.toThrow()
    expect((await as(MANAGER, (trx) => getRisk(trx, unityRisk.id))).title).toBe('Payroll cut-over slips')
  })

  test('heat counts place each risk at likelihood, impact', () => {
    const counts = heatCounts(
      [{ inherent: { likelihood: 5, impact: 1 }, residual: { likelihood: 1, impact: 1 } }] as never,
      'inherent',
    )
    expect(counts[4]![0]).toBe(1)
    expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(1)
  })
})

describe('delivery confidence', () => {
  test('records assessments with history; the current is the latest by date', async () => {
    const bad = await refusal(
      as(matrixManager, (trx) =>
        recordAssessment(
          trx,
          { cluster: 'matrix', assessedOn: '2026-02-30', rating: 'purple' as never, rationale: 'x' },
          null,
        ),
      ),
    )
    expect(bad.fieldErrors.map((e) => e.field)).toEqual(['/assessedOn', '/rating', '/rationale'])
    await as(matrixManager, async (trx) => {
      await recordAssessment(
        trx,
        {
          cluster: 'matrix',
          assessedOn: '2025-10-01',
          rating: 'amber_red',
          rationale: 'Data migration behind plan',
        },
        null,
      )
      await recordAssessment(
        trx,
        {
          cluster: 'matrix',
          assessedOn: '2026-04-01',
          rating: 'amber',
          rationale: 'Recovery plan in place and working',
        },
        null,
      )
      // Recorded later but dated earlier: history, not current.
      await recordAssessment(
        trx,
        {
          cluster: 'matrix',
          assessedOn: '2025-07-01',
          rating: 'red',
          rationale: 'Initial assessment at gateway 0',
        },
        null,
      )
    })
    const notMine = await refusal(
      as(matrixManager, (trx) =>
        recordAssessment(
          trx,
          { cluster: 'unity', assessedOn: '2026-01-01', rating: 'green', rationale: 'Not my cluster at all' },
          null,
        ),
      ),
    )
    expect(notMine).toBeInstanceOf(ForbiddenError)
    const summary = await as(ANALYST, (trx) => deliveryConfidenceSummary(trx))
    const matrix = summary.find((c) => c.cluster.id === MATRIX)!
    expect(matrix.current).toMatchObject({ rating: 'amber', assessedOn: '2026-04-01', ratingLabel: 'Amber' })
    expect(matrix.previous?.rating).toBe('amber_red')
    expect(matrix.trend).toBe('improved')
    expect(matrix.assessments).toBe(3)
    expect(summary.find((c) => c.cluster.id === UNITY)?.current).toBeNull()
    const history = await as(ANALYST, (trx) => assessmentHistory(trx, { clusterId: MATRIX }))
    expect(history.map((a) => a.assessedOn)).toEqual(['2026-04-01', '2025-10-01', '2025-07-01'])
    // A cluster-scoped reader sees only its own cluster.
    const scoped = await as(matrixManager, (trx) => deliveryConfidenceSummary(trx))
    expect(scoped.map((c) => c.cluster.id)).toEqual([MATRIX])
  })
})
