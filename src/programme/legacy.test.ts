// Legacy systems: the contract-before-replacement flag on dates, idempotent risk raising, the
// procurement stagger, and row-level security by cluster.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TenantContext, Tx } from '../platform/db/index.ts'
import { AppError, ForbiddenError, ValidationError } from '../platform/errors.ts'
import { clusterId } from '../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import {
  addMonths,
  createLegacySystem,
  type LegacyInput,
  type LegacySystem,
  legacyFlag,
  legacySummary,
  listLegacySystems,
  procurementStagger,
  raiseLegacyRisk,
  raiseLegacyRisks,
  updateLegacySystem,
} from './legacy.ts'
import { listRisks } from './risks.ts'

let t: TestDatabase
const MATRIX = clusterId('matrix')
const UNITY = clusterId('unity')

const context = (
  read: TenantContext['programmeRead'],
  manage: TenantContext['programmeManage'],
): TenantContext => ({
  userId: null,
  orgIds: [],
  actingOrgId: null,
  requestId: 'legacy-test',
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

const system = (over: Partial<LegacyInput> = {}): LegacyInput => ({
  name: 'Old payroll',
  cluster: 'matrix',
  functions: ['payroll'],
  supplier: 'Legacy Ltd',
  contractExpiresOn: '2027-03-31',
  extensionHeadroomMonths: 6,
  replacementDueOn: '2027-12-01',
  procurementStartsOn: '2026-06-01',
  supportEndsOn: '2027-06-30',
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
  const orgIds = (
    await t.db.admin.selectFrom('organisations').select('id').where('cluster_id', '=', MATRIX).execute()
  ).map((r) => r.id)
  matrixManager = context(orgIds, orgIds)
}, 300_000)
afterAll(async () => t?.close())

describe('the flag, on dates', () => {
  test('adding months clamps to the end of the month', () => {
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28')
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29')
    expect(addMonths('2026-11-15', 14)).toBe('2028-01-15')
    expect(addMonths('2026-03-31', 0)).toBe('2026-03-31')
  })

  test('flagged only when the replacement is due after expiry plus all the headroom', () => {
    const base = { contractExpiresOn: '2027-03-31', extensionHeadroomMonths: 6, supportEndsOn: null }
    // Latest end 2027-09-30.
    expect(legacyFlag({ ...base, replacementDueOn: '2027-09-30' })).toMatchObject({
      latestContractEnd: '2027-09-30',
      contractEndsBeforeReplacement: false,
      gapDays: 0,
    })
    expect(legacyFlag({ ...base, replacementDueOn: '2027-10-01' })).toMatchObject({
      contractEndsBeforeReplacement: true,
      gapDays: 1,
    })
    expect(legacyFlag({ ...base, replacementDueOn: '2027-06-01' }).contractEndsBeforeReplacement).toBe(false)
    // Without the headroom the same dates would be flagged.
    expect(legacyFlag({ ...base, extensionHeadroomMonths: 0, replacementDueOn: '2027-06-01' })).toMatchObject(
      { contractEndsBeforeReplacement: true, gapDays: 62 },
    )
    expect(legacyFlag({ ...base, replacementDueOn: null })).toMatchObject({
      contractEndsBeforeReplacement: false,
      noReplacementDate: true,
    })
    expect(
      legacyFlag({ ...base, supportEndsOn: '2027-01-01', replacementDueOn: '2027-06-01' }).supportGap,
    ).toBe(true)
  })
})

describe('the register', () => {
  test('empty register: zeros, no next expiry', async () => {
    expect(await as(ANALYST, (trx) => legacySummary(trx))).toMatchObject({
      systems: 0,
      contractEndsBeforeReplacement: 0,
      nextExpiry: null,
    })
  })

  test('validation names the field and rule and writes nothing', async () => {
    const error = await refusal(
      as(MANAGER, (trx) =>
        createLegacySystem(
          trx,
          system({
            name: '',
            functions: ['telephony' as never],
            contractExpiresOn: '2027-02-31',
            extensionHeadroomMonths: -1,
            procurementStartsOn: '2028-01-01',
          }),
        ),
      ),
    )
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.fieldErrors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: '/name', rule: 'min-length' }),
        expect.objectContaining({ field: '/functions', rule: 'one-of' }),
        expect.objectContaining({ field: '/contractExpiresOn', rule: 'date' }),
        expect.objectContaining({ field: '/extensionHeadroomMonths', rule: 'range' }),
        expect.objectContaining({ field: '/procurementStartsOn', rule: 'before-replacement' }),
      ]),
    )
    expect(await as(MANAGER, (trx) => listLegacySystems(trx))).toHaveLength(0)
  })

  test('a flagged system raises one risk, idempotently; a safe one raises none', async () => {
    const flagged = await as(matrixManager, (trx) => createLegacySystem(trx, system()))
    expect(flagged.flag).toMatchObject({
      latestContractEnd: '2027-09-30',
      contractEndsBeforeReplacement: true,
      supportGap: true,
    })
    expect(flagged.risk).not.toBeNull()
    const safe = await as(matrixManager, (trx) =>
      createLegacySystem(
        trx,
        system({
          name: 'Ledger',
          functions: ['finance'],
          replacementDueOn: '2027-08-01',
          procurementStartsOn: '2026-09-01',
        }),
      ),
    )
    expect(safe.flag.contractEndsBeforeReplacement).toBe(false)
    expect(safe.risk).toBeNull()

    // Raising again, one by one or all at once, creates nothing more.
    expect(await as(matrixManager, (trx) => raiseLegacyRisk(trx, flagged.id))).toBeNull()
    expect(await as(MANAGER, (trx) => raiseLegacyRisks(trx))).toEqual([])
    const risks = await as(ANALYST, (trx) => listRisks(trx))
    expect(risks).toHaveLength(1)
    expect(risks[0]).toMatchObject({
      legacySystemId: flagged.id,
      level: 'cluster',
      status: 'open',
      category: 'commercial',
    })
    expect(risks[0]!.residual.score).toBe(20)
    expect(risks[0]!.event).toContain('Payroll')

    // Moving the replacement later on the safe one makes it flagged: its risk is raised on update.
    const moved = await as(matrixManager, (trx) =>
      updateLegacySystem(
        trx,
        safe.id,
        system({
          name: 'Ledger',
          functions: ['finance'],
          replacementDueOn: '2028-01-01',
          procurementStartsOn: '2026-09-01',
        }),
      ),
    )
    expect(moved.flag.contractEndsBeforeReplacement).toBe(true)
    expect(moved.risk).not.toBeNull()
    expect(await as(ANALYST, (trx) => listRisks(trx))).toHaveLength(2)
    // And back again: the risk stays (it is the register's to close), and nothing new is raised.
    await as(matrixManager, (trx) =>
      updateLegacySystem(
        trx,
        safe.id,
        system({
          name: 'Ledger',
          functions: ['finance'],
          replacementDueOn: '2027-08-01',
          procurementStartsOn: '2026-09-01',
        }),
      ),
    )
    expect(await as(ANALYST, (trx) => listRisks(trx))).toHaveLength(2)

    const summary = await as(ANALYST, (trx) => legacySummary(trx, { today: '2026-11-23' }))
    expect(summary).toMatchObject({
      systems: 2,
      contractEndsBeforeReplacement: 1,
      supportGaps: 2,
      expiringWithin12Months: 2,
      procurements: 2,
    })
    expect(
      (await as(ANALYST, (trx) => legacySummary(trx, { today: '2025-11-23' }))).expiringWithin12Months,
    ).toBe(0)
    expect(summary.nextExpiry?.on).toBe('2027-03-31')
  })

  test('row-level security: another cluster is out of reach; the analyst cannot write', async () => {
    const unity = await as(MANAGER, (trx) =>
      createLegacySystem(
        trx,
        system({
          name: 'Unity HR',
          cluster: 'unity',
          functions: ['hr'],
          replacementDueOn: '2027-03-01',
          procurementStartsOn: '2026-07-01',
        }),
      ),
    )
    expect(unity.risk).toBeNull()
    const hidden = await refusal(
      as(matrixManager, (trx) => updateLegacySystem(trx, unity.id, system({ cluster: 'unity' }))),
    )
    expect(hidden.status).toBe(404)
    const create = await refusal(
      as(matrixManager, (trx) => createLegacySystem(trx, system({ cluster: 'unity' }))),
    )
    expect(create).toBeInstanceOf(ForbiddenError)
    const analyst = await refusal(
      as(ANALYST, (trx) => createLegacySystem(trx, system({ name: 'By analyst' }))),
    )
    expect(analyst).toBeInstanceOf(ForbiddenError)
    expect(
      (await as(matrixManager, (trx) => listLegacySystems(trx))).every((s) => s.cluster?.id === MATRIX),
    ).toBe(true)
    expect(
      (await as(ANALYST, (trx) => listLegacySystems(trx, { clusterId: UNITY }))).map((s) => s.name),
    ).toEqual(['Unity HR'])
  })
})

describe('procurement stagger', () => {
  test('overlapping windows of different clusters are marked, same-cluster ones are not', () => {
    const s = (name: string, cluster: string, start: string, end: string) =>
      ({
        id: name,
        name,
        cluster: { id: cluster, code: cluster, name: cluster },
        procurementStartsOn: start,
        replacementDueOn: end,
      }) as unknown as LegacySystem
    const windows = procurementStagger([
      s('A1', 'north', '2026-01-01', '2026-12-31'),
      s('A2', 'north', '2026-06-01', '2027-03-31'),
      s('B1', 'south', '2026-12-31', '2027-06-30'),
      s('C1', 'west', '2028-01-01', '2028-06-30'),
    ])
    const by = Object.fromEntries(windows.map((w) => [w.name, w.overlapsWith]))
    expect(by.A1).toEqual(['B1 (south)'])
    expect(by.A2).toEqual(['B1 (south)'])
    expect(by.B1).toEqual(['A1 (north)', 'A2 (north)'])
    expect(by.C1).toEqual([])
  })
})
