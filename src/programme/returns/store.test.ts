import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TenantContext } from '../../platform/db/index.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { clusterQuality } from './dq.ts'
import { findReturn, recordReturn } from './store.ts'
import { sampleReturn } from './testing.ts'

let t: TestDatabase
const MET = orgId('met-office')
const submitterId = uuidFromName('user:returns.submitter@gss.example')
const submitter: TenantContext = {
  userId: submitterId,
  orgIds: [MET],
  actingOrgId: MET,
  requestId: 'test',
  programmeRead: [MET],
  programmeManage: [],
}
const analyst: TenantContext = {
  userId: uuidFromName('user:programme.analyst@gss.example'),
  orgIds: [],
  actingOrgId: null,
  requestId: 'test',
  programmeRead: 'all',
  programmeManage: [],
}
const manager: TenantContext = { ...analyst, programmeManage: 'all' }

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
}, 300_000)
afterAll(async () => t?.close())

describe('recordReturn', () => {
  it('records a valid return on time, then keeps every version of a resubmission', async () => {
    const first = await t.db.transaction(submitter, (trx) =>
      recordReturn(trx, {
        orgId: MET,
        quarter: '2023-Q1',
        source: 'api',
        figures: sampleReturn('met-office', '2023-Q1'),
        receivedBy: submitterId,
        receivedAt: new Date('2023-07-10T09:00:00Z'),
      }),
    )
    expect(first).toMatchObject({ version: 1, valid: true, late: false, errors: [] })
    expect(first.dq).toEqual({
      completeness: 100,
      timeliness: 100,
      validity: 100,
      consistency: 100,
      overall: 100,
    })

    // An invalid resubmission is kept in the history but does not replace the valid figures.
    const bad = sampleReturn('met-office', '2023-Q1')
    bad.workforce.fte = 5000
    const second = await t.db.transaction(submitter, (trx) =>
      recordReturn(trx, {
        orgId: MET,
        quarter: '2023-Q1',
        source: 'api',
        figures: bad,
        receivedBy: submitterId,
        receivedAt: new Date('2023-08-20T09:00:00Z'),
      }),
    )
    expect(second).toMatchObject({ version: 2, valid: false })
    expect(second.errors.map((e) => e.field)).toEqual(['workforce.fte'])

    // A valid correction after the deadline: current, but the return stays on time (first valid receipt).
    const fixed = sampleReturn('met-office', '2023-Q1')
    fixed.workforce.headcount = 1010
    const third = await t.db.transaction(submitter, (trx) =>
      recordReturn(trx, {
        orgId: MET,
        quarter: '2023-Q1',
        source: 'csv',
        figures: fixed,
        provenance: { 'workforce.fte': 'estimated' },
        receivedBy: submitterId,
        receivedAt: new Date('2023-09-01T09:00:00Z'),
        fileName: 'met.csv',
        fileSha256: 'ab'.repeat(32),
      }),
    )
    expect(third).toMatchObject({ version: 3, valid: true, late: false })

    const record = await t.db.transaction(analyst, (trx) => findReturn(trx, MET, '2023-Q1'))
    expect(record).toMatchObject({
      currentVersion: 3,
      valid: true,
      late: false,
      source: 'csv',
      dueOn: '2023-07-30',
    })
    expect(record!.versions.map((v) => [v.version, v.valid])).toEqual([
      [3, true],
      [2, false],
      [1, true],
    ])
    expect(record!.versions[0]!.provenance['workforce.fte']).toBe('estimated')
    expect(record!.versions[0]!.provenance['workforce.headcount']).toBe('submitted')
    expect(record!.versions[0]!.fileName).toBe('met.csv')
    expect(record!.versions[1]!.errors[0]).toMatchObject({
      field: 'workforce.fte',
      rule: 'fte-within-headcount',
    })
  })

  it('keeps the valid version current when a later one is invalid, and says so', async () => {
    const bad = sampleReturn('met-office', '2023-Q1')
    bad.finance.costPerTransactionPence = 1
    await t.db.transaction(submitter, (trx) =>
      recordReturn(trx, {
        orgId: MET,
        quarter: '2023-Q1',
        source: 'api',
        figures: bad,
        receivedBy: submitterId,
      }),
    )
    const record = await t.db.transaction(analyst, (trx) => findReturn(trx, MET, '2023-Q1'))
    expect(record).toMatchObject({ currentVersion: 3, valid: true, laterInvalidVersion: true })
    expect(record!.versions).toHaveLength(4)
  })

  it('marks a return late when first received after the due day, and scores timeliness', async () => {
    const result = await t.db.transaction(submitter, (trx) =>
      recordReturn(trx, {
        orgId: MET,
        quarter: '2023-Q2',
        source: 'api',
        figures: sampleReturn('met-office', '2023-Q2'),
        receivedBy: submitterId,
        // Due 2023-10-30; 15 days late.
        receivedAt: new Date('2023-11-14T12:00:00Z'),
      }),
    )
    expect(result).toMatchObject({ valid: true, late: true })
    expect(result.dq.timeliness).toBe(50)
  })

  it('needs an explanation for a swing against the previous quarter’s current valid version', async () => {
    const swung = sampleReturn('met-office', '2023-Q3')
    swung.payroll.grossPayPence = 2_000_000_00
    const result = await t.db.transaction(submitter, (trx) =>
      recordReturn(trx, {
        orgId: MET,
        quarter: '2023-Q3',
        source: 'api',
        figures: swung,
        receivedBy: submitterId,
        receivedAt: new Date('2024-01-10T12:00:00Z'),
      }),
    )
    expect(result.errors.map((e) => `${e.field}:${e.rule}`)).toEqual([
      'payroll.grossPayPence:swing-needs-explanation',
    ])
    expect(result.dq.consistency).toBeLessThan(100)
    // With no valid version yet, the invalid one is current and the return shows as invalid.
    const record = await t.db.transaction(analyst, (trx) => findReturn(trx, MET, '2023-Q3'))
    expect(record).toMatchObject({ currentVersion: 1, valid: false, laterInvalidVersion: false })
  })

  it('lets a submitter write only its own organisation, and an analyst only read', async () => {
    await expect(
      t.db.transaction(submitter, (trx) =>
        recordReturn(trx, {
          orgId: orgId('hmrc'),
          quarter: '2023-Q1',
          source: 'api',
          figures: sampleReturn('hmrc', '2023-Q1'),
          receivedBy: submitterId,
        }),
      ),
    ).rejects.toThrow(/row-level security|permission/)
    await expect(
      t.db.transaction(analyst, (trx) =>
        recordReturn(trx, {
          orgId: MET,
          quarter: '2023-Q4',
          source: 'api',
          figures: sampleReturn('met-office', '2023-Q4'),
          receivedBy: null,
        }),
      ),
    ).rejects.toThrow(/row-level security|permission/)
    // The submitter cannot see another organisation's return; the analyst sees every one.
    await t.db.transaction(manager, (trx) =>
      recordReturn(trx, {
        orgId: orgId('hmrc'),
        quarter: '2023-Q1',
        source: 'computed',
        figures: sampleReturn('hmrc', '2023-Q1'),
        receivedBy: null,
        receivedAt: new Date('2024-01-01T00:00:00Z'),
      }),
    )
    expect(await t.db.transaction(submitter, (trx) => findReturn(trx, orgId('hmrc'), '2023-Q1'))).toBeNull()
    const computed = await t.db.transaction(analyst, (trx) => findReturn(trx, orgId('hmrc'), '2023-Q1'))
    // Computed from the platform's own data: never late.
    expect(computed).toMatchObject({ provenance: 'computed', late: false, valid: true })
    expect(computed!.versions[0]!.provenance['finance.invoicesProcessed']).toBe('computed')
  })

  it('scores each cluster as the mean of its members, a missing return counting 0', async () => {
    const clusters = await t.db.transaction(analyst, (trx) => clusterQuality(trx, '2023-Q1'))
    const hmrcCluster = await t.db.transaction(analyst, (trx) =>
      trx
        .selectFrom('organisations')
        .select('cluster_id')
        .where('id', 'in', [orgId('hmrc'), MET])
        .execute(),
    )
    const rows = clusters.filter((c) => hmrcCluster.some((o) => o.cluster_id === c.clusterId))
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) {
      expect(row.received).toBeGreaterThan(0)
      expect(row.missing).toBe(row.members - row.received)
      expect(row.overall).toBeCloseTo((100 * row.received) / row.members, 0)
    }
    const empty = await t.db.transaction(analyst, (trx) => clusterQuality(trx, '2020-Q1'))
    expect(empty.every((c) => c.overall === 0 && c.received === 0)).toBe(true)
  })
})
