// Programme money: benefits, costs (spend from the ledger), funding and value for money, on the
// demo world, as programme managers and analysts at platform and cluster scope.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { LedgerService } from '../finance/ledger.ts'
import type { TenantContext, Tx } from '../platform/db/index.ts'
import { AppError, ForbiddenError, ValidationError } from '../platform/errors.ts'
import { clusterId, orgId } from '../platform/ids.ts'
import { asOwner, createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import {
  benefitsByCluster,
  benefitsSummary,
  costsSummary,
  createBenefit,
  createCost,
  createFunding,
  fundingByPeriod,
  fundingSummary,
  listCosts,
  setBenefitYear,
  setRunningCost,
  updateBenefit,
  updateCost,
  valueForMoney,
} from './money.ts'

let t: TestDatabase

/** Removes every row of the money registers, as the table owner (the app role cannot delete). */
async function clearDemoRegisters(test: TestDatabase): Promise<void> {
  for (const table of [
    'programme_benefit_years',
    'programme_benefits',
    'programme_costs',
    'programme_funding',
    'programme_running_costs',
  ])
    await asOwner(test.db, `delete from ${table}`)
}
const MATRIX = clusterId('matrix')
const UNITY = clusterId('unity')
let matrixOrgIds: string[]

const context = (
  read: TenantContext['programmeRead'],
  manage: TenantContext['programmeManage'],
): TenantContext => ({
  userId: null,
  orgIds: [],
  actingOrgId: null,
  requestId: 'money-test',
  programmeRead: read,
  programmeManage: manage,
})
const MANAGER = context('all', 'all')
const ANALYST = context('all', [])
let matrixManager: TenantContext

const as = <T>(who: TenantContext, fn: (trx: Tx) => Promise<T>) => t.db.transaction(who, fn)

/** The error a promise rejects with (fails the test if it resolves). */
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
  // The demo world may carry demo rows in these registers (src/programme/demo.ts): these tests
  // count from empty, so the owner removes them first.
  await clearDemoRegisters(t)
  matrixOrgIds = (
    await t.db.admin.selectFrom('organisations').select('id').where('cluster_id', '=', MATRIX).execute()
  ).map((row) => row.id)
  matrixManager = context(matrixOrgIds, matrixOrgIds)
}, 300_000)
afterAll(async () => t?.close())

describe('summaries on empty registers', () => {
  test('every total is zero, not missing', async () => {
    const [benefits, costs, funding] = await as(ANALYST, async (trx) => [
      await benefitsSummary(trx),
      await costsSummary(trx),
      await fundingSummary(trx, { clusterId: MATRIX }),
    ])
    expect(benefits).toMatchObject({ benefits: 0, forecastPence: 0, realisedPence: 0 })
    expect(costs).toMatchObject({ lines: 0, budgetPence: 0, spendToDatePence: 0 })
    expect(funding).toMatchObject({ requests: 0, requestedLowPence: 0, approvedPence: 0 })
  })
})

describe('benefits register', () => {
  test('validation names every bad field and writes nothing', async () => {
    const error = await refusal(
      as(MANAGER, (trx) =>
        createBenefit(trx, {
          reference: 'x',
          title: 'ab',
          kind: 'sometimes' as never,
          owner: '',
          baselinePence: -1,
          cluster: 'atlantis',
        }),
      ),
    )
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.fieldErrors.map((e) => e.field).sort()).toEqual(
      ['/baselinePence', '/cluster', '/kind', '/owner', '/reference', '/title'].sort(),
    )
    expect(await as(MANAGER, (trx) => benefitsSummary(trx))).toMatchObject({ benefits: 0 })
  })

  test('a realised amount above zero needs evidence; forecast and realised totals by kind', async () => {
    const benefit = await as(MANAGER, (trx) =>
      createBenefit(trx, {
        reference: 'BEN-M1',
        title: 'Fewer finance systems',
        kind: 'cashable',
        owner: 'Matrix SRO',
        baselinePence: 50_000_000_00,
        cluster: 'matrix',
      }),
    )
    const missing = await refusal(
      as(MANAGER, (trx) =>
        setBenefitYear(trx, benefit.id, {
          fiscalYear: 2025,
          forecastPence: 10_00,
          realisedPence: 5_00,
          evidence: 'short',
        }),
      ),
    )
    expect(missing.fieldErrors).toEqual([{ field: '/evidence', message: expect.stringMatching(/evidence/) }])
    // The table refuses it too, whatever the service does.
    await expect(
      as(MANAGER, (trx) =>
        trx
          .insertInto('programme_benefit_years')
          .values({
            benefit_id: benefit.id,
            fiscal_year: 2025,
            cluster_id: MATRIX,
            forecast_pence: 1,
            realised_pence: 1,
          })
          .execute(),
      ),
    ).rejects.toThrow(/realised_needs_evidence/)
    await as(MANAGER, async (trx) => {
      await setBenefitYear(trx, benefit.id, {
        fiscalYear: 2025,
        forecastPence: 12_000_000_00,
        realisedPence: 9_000_000_00,
        evidence: 'Licence terminations for three ledgers, finance director letter 2026-04',
      })
      await setBenefitYear(trx, benefit.id, { fiscalYear: 2026, forecastPence: 20_000_000_00 })
      // Zero realised needs no evidence.
      await setBenefitYear(trx, benefit.id, { fiscalYear: 2027, forecastPence: 1_00, realisedPence: 0 })
    })
    const other = await as(MANAGER, (trx) =>
      createBenefit(trx, {
        reference: 'BEN-U1',
        title: 'Time saved on manual payroll checks',
        kind: 'non_cashable',
        owner: 'Unity SRO',
        cluster: 'unity',
      }),
    )
    await as(MANAGER, (trx) =>
      setBenefitYear(trx, other.id, {
        fiscalYear: 2025,
        forecastPence: 3_000_00,
        realisedPence: 1_000_00,
        evidence: 'Time-and-motion study of payroll team',
      }),
    )
    const programme = await as(ANALYST, (trx) => benefitsSummary(trx))
    expect(programme).toEqual({
      benefits: 2,
      baselinePence: 50_000_000_00,
      forecastPence: 12_000_000_00 + 20_000_000_00 + 1_00 + 3_000_00,
      realisedPence: 9_000_000_00 + 1_000_00,
      cashableForecastPence: 12_000_000_00 + 20_000_000_00 + 1_00,
      cashableRealisedPence: 9_000_000_00,
      nonCashableForecastPence: 3_000_00,
      nonCashableRealisedPence: 1_000_00,
      yearsWithRealised: 2,
    })
    const matrix = await as(ANALYST, (trx) => benefitsSummary(trx, { clusterId: MATRIX, fiscalYear: 2025 }))
    expect(matrix).toMatchObject({ benefits: 1, forecastPence: 12_000_000_00, realisedPence: 9_000_000_00 })
    const groups = await as(ANALYST, (trx) => benefitsByCluster(trx))
    expect(groups.find((g) => g.cluster?.code === 'unity')?.summary.nonCashableRealisedPence).toBe(1_000_00)
    // A cluster reader sees only that cluster's benefits (row-level security).
    const matrixReader = context(matrixOrgIds, [])
    expect(await as(matrixReader, (trx) => benefitsSummary(trx))).toMatchObject({ benefits: 1 })
  })

  test('a cluster manager cannot change another cluster’s benefits, through the service or around it', async () => {
    const unity = await as(ANALYST, (trx) =>
      trx
        .selectFrom('programme_benefits')
        .select(['id', 'title'])
        .where('cluster_id', '=', UNITY)
        .executeTakeFirstOrThrow(),
    )
    // Not visible to the Matrix manager at all: not found rather than a hint that it exists.
    const hidden = await refusal(
      as(matrixManager, (trx) =>
        updateBenefit(trx, unity.id, {
          reference: 'BEN-U1',
          title: 'Renamed',
          kind: 'cashable',
          owner: 'Someone',
          cluster: 'unity',
        }),
      ),
    )
    expect(hidden.status).toBe(404)
    // Creating in another cluster is refused naming the cluster.
    const forbidden = await refusal(
      as(matrixManager, (trx) =>
        createBenefit(trx, {
          reference: 'BEN-U2',
          title: 'Not mine',
          kind: 'cashable',
          owner: 'X Y',
          cluster: 'unity',
        }),
      ),
    )
    expect(forbidden).toBeInstanceOf(ForbiddenError)
    expect(forbidden.message).toMatch(/Unity/)
    // Row-level security itself refuses, without the service's check.
    await expect(
      as(matrixManager, (trx) =>
        trx
          .insertInto('programme_benefits')
          .values({
            id: crypto.randomUUID(),
            cluster_id: UNITY,
            reference: 'BEN-RLS',
            title: 'Sneaky',
            kind: 'cashable',
            owner: 'X',
          })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/)
    const updated = await as(matrixManager, (trx) =>
      trx
        .updateTable('programme_benefits')
        .set({ title: 'Sneaky' })
        .where('id', '=', unity.id)
        .executeTakeFirst(),
    )
    expect(updated.numUpdatedRows).toBe(0n)
    // Programme-wide rows are for platform-wide managers only.
    expect(
      await refusal(
        as(matrixManager, (trx) =>
          createBenefit(trx, {
            reference: 'BEN-P1',
            title: 'Programme-wide',
            kind: 'cashable',
            owner: 'X Y',
          }),
        ),
      ),
    ).toBeInstanceOf(ForbiddenError)
    // The Matrix manager may change Matrix's own.
    const mine = await as(matrixManager, (trx) =>
      createBenefit(trx, {
        reference: 'BEN-M2',
        title: 'Matrix own',
        kind: 'non_cashable',
        owner: 'X Y',
        cluster: 'matrix',
      }),
    )
    expect(mine.cluster?.code).toBe('matrix')
    const unchanged = await as(ANALYST, (trx) =>
      trx
        .selectFrom('programme_benefits')
        .select('title')
        .where('id', '=', unity.id)
        .executeTakeFirstOrThrow(),
    )
    expect(unchanged.title).toBe(unity.title)
  })

  test('an analyst cannot write anything', async () => {
    const error = await refusal(
      as(ANALYST, (trx) =>
        createBenefit(trx, {
          reference: 'BEN-A1',
          title: 'Analyst',
          kind: 'cashable',
          owner: 'X Y',
          cluster: 'matrix',
        }),
      ),
    )
    expect(error).toBeInstanceOf(ForbiddenError)
    await expect(
      as(ANALYST, (trx) =>
        trx
          .insertInto('programme_funding')
          .values({
            id: crypto.randomUUID(),
            cluster_id: null,
            spending_review: 'SR21',
            period_label: '2022-25',
            requested_low_pence: 1,
            requested_high_pence: 2,
          })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/)
  })
})

describe('programme costs', () => {
  let target: { orgId: string; costCentre: string; fiscalYear: number; independent: number }

  beforeAll(async () => {
    // The busiest cost centre of a Matrix organisation in the demo ledger, and its sum computed
    // independently as the table owner (no row-level security, a different query).
    const { rows } = await sql<{ org_id: string; cost_centre_code: string; fiscal_year: number; n: number }>`
      select l.org_id, l.cost_centre_code, j.fiscal_year::int as fiscal_year, count(*)::int as n
      from journal_lines l join journals j on j.org_id = l.org_id and j.id = l.journal_id
      join organisations o on o.id = l.org_id
      where o.cluster_id = ${MATRIX} and l.cost_centre_code is not null
      group by 1, 2, 3 order by n desc limit 1`.execute(t.db.admin)
    const pick = rows[0]!
    const lines = await sql<{ amount_pence: number; journal_id: string }>`
      select amount_pence, journal_id from journal_lines where org_id = ${pick.org_id} and cost_centre_code = ${pick.cost_centre_code}`.execute(
      t.db.admin,
    )
    const years = await sql<{ id: string; fiscal_year: number }>`
      select id, fiscal_year::int as fiscal_year from journals where org_id = ${pick.org_id}`.execute(
      t.db.admin,
    )
    const yearOf = new Map(years.rows.map((row) => [row.id, row.fiscal_year]))
    const independent = lines.rows
      .filter((line) => yearOf.get(line.journal_id) === pick.fiscal_year)
      .reduce((sum, line) => sum + line.amount_pence, 0)
    target = {
      orgId: pick.org_id,
      costCentre: pick.cost_centre_code,
      fiscalYear: pick.fiscal_year,
      independent,
    }
    expect(independent).not.toBe(0)
  })

  test('spend from the ledger equals an independent sum, for an analyst who can see no ledger rows', async () => {
    const code = (
      await t.db.admin
        .selectFrom('organisations')
        .select('code')
        .where('id', '=', target.orgId)
        .executeTakeFirstOrThrow()
    ).code
    const line = await as(matrixManager, (trx) =>
      createCost(trx, {
        cluster: 'matrix',
        fiscalYear: target.fiscalYear,
        title: 'Matrix implementation partner',
        category: 'implementation',
        budgetPence: 900_000_000_00,
        spendSource: 'ledger',
        ledgerOrg: code,
        ledgerCostCentre: target.costCentre,
      }),
    )
    expect(line.spendToDatePence).toBe(target.independent)
    const [seen, ledgerRowsVisible, summary] = await as(ANALYST, async (trx) => [
      (await listCosts(trx)).find((c) => c.id === line.id)!,
      (await trx.selectFrom('journal_lines').select('org_id').limit(1).execute()).length,
      await costsSummary(trx, { clusterId: MATRIX }),
    ])
    expect(seen.spendToDatePence).toBe(target.independent)
    expect(seen.provenance).toMatch(/From the ledger/)
    // The analyst's transaction still sees no ledger row after the aggregate was computed.
    expect(ledgerRowsVisible).toBe(0)
    expect(summary).toMatchObject({
      lines: 1,
      budgetPence: 900_000_000_00,
      spendToDatePence: target.independent,
      ledgerSpendPence: target.independent,
      remainingPence: 900_000_000_00 - target.independent,
    })
    // A journal posted now shows at once: the figure is the ledger's, never a copy.
    const open = await t.db.admin
      .selectFrom('financial_periods')
      .select('starts_on')
      .where('org_id', '=', target.orgId)
      .where('fiscal_year', '=', target.fiscalYear)
      .where('status', '=', 'open')
      .orderBy('period', 'desc')
      .executeTakeFirstOrThrow()
    const finance: TenantContext = {
      userId: null,
      orgIds: [target.orgId],
      actingOrgId: target.orgId,
      requestId: 'money-test',
    }
    await t.db.transaction(finance, (trx) =>
      new LedgerService().postJournals(
        trx,
        target.orgId,
        [
          {
            date: open.starts_on,
            description: 'Implementation partner milestone',
            lines: [
              { accountCode: '52100000', costCentreCode: target.costCentre, amountMinor: 123_456_78 },
              { accountCode: '21100000', amountMinor: -123_456_78 },
            ],
          },
        ],
        null,
      ),
    )
    const again = await as(ANALYST, async (trx) => (await listCosts(trx)).find((c) => c.id === line.id)!)
    expect(again.spendToDatePence).toBe(target.independent + 123_456_78)
    target.independent += 123_456_78
  })

  test('manual spend with its provenance; budget against spend per programme', async () => {
    await as(MANAGER, (trx) =>
      createCost(trx, {
        cluster: null,
        fiscalYear: target.fiscalYear,
        title: 'Programme team',
        category: 'programme_team',
        budgetPence: 10_000_000_00,
        spendSource: 'manual',
        manualSpendPence: 4_000_000_00,
      }),
    )
    const all = await as(ANALYST, (trx) => costsSummary(trx))
    expect(all).toMatchObject({
      lines: 2,
      budgetPence: 910_000_000_00,
      spendToDatePence: target.independent + 4_000_000_00,
      manualSpendPence: 4_000_000_00,
      manualLines: 1,
      ledgerLines: 1,
    })
  })

  test('a cost line names its bad fields; a cluster’s line reads only its own organisations’ ledgers', async () => {
    const bad = await refusal(
      as(MANAGER, (trx) =>
        createCost(trx, {
          cluster: 'matrix',
          fiscalYear: 1999,
          title: '',
          category: 'lunch' as never,
          budgetPence: 1.5,
          spendSource: 'ledger',
          ledgerOrg: 'hmrc',
          ledgerCostCentre: 'no such',
        }),
      ),
    )
    expect(bad.fieldErrors.map((e) => e.field).sort()).toEqual(
      ['/budgetPence', '/category', '/fiscalYear', '/ledgerCostCentre', '/ledgerOrg', '/title'].sort(),
    )
    expect(bad.fieldErrors.find((e) => e.field === '/ledgerOrg')?.message).toMatch(
      /not in this cost line’s cluster/,
    )
    const noCentre = await refusal(
      as(MANAGER, (trx) =>
        createCost(trx, {
          cluster: 'matrix',
          fiscalYear: 2026,
          title: 'Nowhere',
          category: 'other',
          budgetPence: 1,
          spendSource: 'ledger',
          ledgerOrg: 'cabinet-office',
          ledgerCostCentre: 'ZZZ-NONE',
        }),
      ),
    )
    expect(noCentre.fieldErrors).toEqual([
      { field: '/ledgerCostCentre', message: expect.stringMatching(/no cost centre/) },
    ])
    const manual = await refusal(
      as(MANAGER, (trx) =>
        createCost(trx, {
          cluster: 'matrix',
          fiscalYear: 2026,
          title: 'Manual',
          category: 'other',
          budgetPence: 1,
          spendSource: 'manual',
        }),
      ),
    )
    expect(manual.fieldErrors).toEqual([{ field: '/manualSpendPence', message: 'Enter the spend to date' }])
  })

  test('a Matrix manager cannot change a programme-wide or another cluster’s cost line', async () => {
    const programmeWide = (await as(ANALYST, (trx) => listCosts(trx))).find((c) => c.cluster === null)!
    const error = await refusal(
      as(matrixManager, (trx) =>
        updateCost(trx, programmeWide.id, {
          cluster: null,
          fiscalYear: programmeWide.fiscalYear,
          title: 'Changed',
          category: 'other',
          budgetPence: 1,
          spendSource: 'manual',
          manualSpendPence: 1,
        }),
      ),
    )
    expect(error).toBeInstanceOf(ForbiddenError)
  })
})

describe('funding', () => {
  test('requested range against approved per spending review period', async () => {
    await as(MANAGER, async (trx) => {
      await createFunding(trx, {
        cluster: null,
        spendingReview: 'SR21',
        periodLabel: '2022-25',
        requestedLowPence: 382_000_000_00,
        requestedHighPence: 403_000_000_00,
        approvedPence: 300_000_000_00,
        decision: 'part_approved',
      })
      await createFunding(trx, {
        cluster: 'matrix',
        spendingReview: 'SR25',
        periodLabel: '2026-29',
        requestedLowPence: 10_00,
        requestedHighPence: 20_00,
        decision: 'pending',
      })
    })
    const summary = await as(ANALYST, (trx) => fundingSummary(trx))
    expect(summary).toEqual({
      requests: 2,
      requestedLowPence: 382_000_000_00 + 10_00,
      requestedHighPence: 403_000_000_00 + 20_00,
      approvedPence: 300_000_000_00,
      pending: 1,
      approved: 0,
      partApproved: 1,
      rejected: 0,
    })
    const byPeriod = await as(ANALYST, (trx) => fundingByPeriod(trx))
    const sr21 = byPeriod.periods.find((p) => p.spendingReview === 'SR21')!
    expect(sr21.lines[0]!.shortfallAgainstLowPence).toBe(-82_000_000_00)
    expect((await as(ANALYST, (trx) => fundingSummary(trx, { clusterId: MATRIX }))).requests).toBe(1)
  })

  test('decision rules name the field', async () => {
    const error = await refusal(
      as(MANAGER, (trx) =>
        createFunding(trx, {
          spendingReview: 'SR21',
          periodLabel: '2022-25',
          requestedLowPence: 5,
          requestedHighPence: 4,
          approvedPence: 3,
          decision: 'pending',
        }),
      ),
    )
    expect(error.fieldErrors.map((e) => e.field).sort()).toEqual(['/approvedPence', '/requestedHighPence'])
    const approvedWithout = await refusal(
      as(MANAGER, (trx) =>
        createFunding(trx, {
          spendingReview: 'SR21',
          periodLabel: '2022-25',
          requestedLowPence: 5,
          requestedHighPence: 6,
          decision: 'approved',
        }),
      ),
    )
    expect(approvedWithout.fieldErrors).toEqual([
      { field: '/approvedPence', message: 'Enter the amount approved' },
    ])
  })
})

describe('value for money of joining a cluster', () => {
  test('running cost against the share of the cluster’s cost by returns’ headcount', async () => {
    const fiscalYear = 2031
    const dsit = orgId('dsit')
    const co = orgId('cabinet-office')
    // Returns for the year (as the returns helper would store them), as the owner.
    await t.db.adminTransaction(async (trx) => {
      for (const [org, quarter, headcount] of [
        [co, `${fiscalYear}-Q1`, 999],
        [co, `${fiscalYear}-Q2`, 3000],
        [dsit, `${fiscalYear}-Q1`, 1000],
      ] as const) {
        await trx
          .insertInto('programme_returns')
          .values({
            org_id: org,
            quarter,
            cluster_id: MATRIX,
            current_version: 1,
            provenance: 'computed',
            source: 'computed',
            valid: true,
            received_at: new Date(),
            due_on: '2031-08-01',
            late: false,
            dq_completeness: 100,
            dq_timeliness: 100,
            dq_validity: 100,
            dq_consistency: 100,
            dq_overall: 100,
          })
          .execute()
        await trx
          .insertInto('programme_return_versions')
          .values({
            org_id: org,
            quarter,
            version: 1,
            cluster_id: MATRIX,
            source: 'computed',
            figures: JSON.stringify({ workforce: { headcount } }),
            valid: true,
          })
          .execute()
      }
    })
    await as(MANAGER, async (trx) => {
      await createCost(trx, {
        cluster: 'matrix',
        fiscalYear,
        title: 'Matrix service centre',
        category: 'running',
        budgetPence: 40_000_000_01,
        spendSource: 'manual',
        manualSpendPence: 0,
      })
      await setRunningCost(trx, {
        org: 'cabinet-office',
        fiscalYear,
        runningCostPence: 35_000_000_00,
        provenance: 'submitted',
      })
      await setRunningCost(trx, {
        org: 'dsit',
        fiscalYear,
        runningCostPence: 5_000_000_00,
        provenance: 'estimated',
      })
      await setRunningCost(trx, { org: 'dfe', fiscalYear, runningCostPence: 1_00, provenance: 'estimated' })
    })
    const { rows, clusters } = await as(ANALYST, (trx) =>
      valueForMoney(trx, { fiscalYear, clusterId: MATRIX }),
    )
    const co_ = rows.find((row) => row.org.code === 'cabinet-office')!
    // Latest quarter's headcount (3,000 of 4,000): £30,000,000.0075 → £30,000,000.01.
    expect(co_).toMatchObject({
      headcount: 3000,
      headcountQuarter: `${fiscalYear}-Q2`,
      clusterHeadcount: 4000,
    })
    expect(co_.sharePence).toBe(30_000_000_01)
    expect(co_.savingPence).toBe(35_000_000_00 - 30_000_000_01)
    const dsit_ = rows.find((row) => row.org.code === 'dsit')!
    expect(dsit_.sharePence).toBe(10_000_000_00)
    expect(dsit_.savingPence).toBe(-5_000_000_00)
    // No return: share unknown, not zero.
    expect(rows.find((row) => row.org.code === 'dfe')).toMatchObject({
      headcount: null,
      sharePence: null,
      savingPence: null,
    })
    expect(clusters[0]).toMatchObject({
      code: 'matrix',
      costPence: 40_000_000_01,
      headcount: 4000,
      organisationsWithHeadcount: 2,
    })
    const invalid = await refusal(
      as(MANAGER, (trx) =>
        setRunningCost(trx, {
          org: 'nowhere',
          fiscalYear: 3000,
          runningCostPence: -1,
          provenance: 'guessed' as never,
        }),
      ),
    )
    expect(invalid.fieldErrors.map((e) => e.field).sort()).toEqual([
      '/fiscalYear',
      '/org',
      '/provenance',
      '/runningCostPence',
    ])
  })
})
