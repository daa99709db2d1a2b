import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import '../../platform/tables.ts'
import '../tables.ts'
import type { TenantContext } from '../../platform/db/index.ts'
import { ValidationError } from '../../platform/errors.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { LedgerService } from '../ledger.ts'
import { type BudgetAdjustmentInput, BudgetsService } from './service.ts'

let t: TestDatabase
const ledger = new LedgerService()
const budgets = new BudgetsService()
const CO = orgId('cabinet-office')
const DSIT = orgId('dsit')
const approver = uuidFromName('user:finance.approver@gss.example')
const as = (org: string): TenantContext => ({
  userId: approver,
  orgIds: [org],
  actingOrgId: org,
  requestId: 'budgets-test',
})
// 2030: a year the demo world leaves empty, so the figures here are the tests' own.
const line = (amountPence: number, extra: Partial<BudgetAdjustmentInput> = {}): BudgetAdjustmentInput => ({
  fiscalYear: 2030,
  period: 1,
  accountCode: '52100000',
  costCentreCode: 'CORP',
  amountPence,
  reason: 'Opening budget',
  ...extra,
})

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  for (const org of [CO, DSIT])
    await t.db.transaction(as(org), (trx) => ledger.setUpOrganisation(trx, org, [2030]))
})
afterAll(async () => t?.close())

describe('budget adjustments', () => {
  test('the current budget is the sum of signed adjustments, kept apart by type and kind', async () => {
    await t.db.transaction(as(CO), (trx) =>
      budgets.addAdjustments(
        trx,
        CO,
        [
          line(1_000_000_00),
          line(-250_000_00, { reason: 'Spending review reduction' }),
          line(300_000_00, { spendClass: 'admin' }),
          line(900_000_00, { kind: 'forecast', reason: 'Q1 forecast' }),
        ],
        approver,
      ),
    )
    const current = await t.db.transaction(as(CO), (trx) => budgets.currentBudget(trx, CO, 2030))
    expect(current.map((row) => [row.kind, row.spendClass, row.fullYearPence, row.adjustmentCount])).toEqual([
      ['budget', 'admin', 300_000_00, 1],
      ['budget', 'programme', 750_000_00, 2],
      ['forecast', 'programme', 900_000_00, 1],
    ])
    const history = await t.db.transaction(as(CO), (trx) => budgets.listAdjustments(trx, CO, 2030))
    expect(history).toHaveLength(4)
    expect(history.every((row) => row.createdBy === approver && row.reason.length > 0)).toBe(true)
  })

  test('an annual amount is phased evenly over the 12 periods, adding up exactly', async () => {
    const result = await t.db.transaction(as(CO), (trx) =>
      budgets.addAdjustments(
        trx,
        CO,
        [line(100_00, { period: undefined, accountCode: '52400000' })],
        approver,
      ),
    )
    expect(result.adjustmentCount).toBe(12)
    expect(result.netPence).toBe(100_00)
    const [travel] = await t.db.transaction(as(CO), (trx) =>
      budgets
        .currentBudget(trx, CO, 2030, { toPeriod: 3 })
        .then((rows) => rows.filter((row) => row.accountCode === '52400000')),
    )
    expect(travel!.fullYearPence).toBe(100_00)
    expect(travel!.toDatePence).toBe(3 * 834) // 10000 over 12: the first four periods take the four spare pence
  })

  test('every problem is reported with its pointer, and nothing is stored', async () => {
    const before = await t.db.transaction(as(CO), (trx) => budgets.listAdjustments(trx, CO, 2030))
    const error = await t.db
      .transaction(as(CO), (trx) =>
        budgets.addAdjustments(
          trx,
          CO,
          [
            line(100),
            line(0, { accountCode: '99999999', costCentreCode: 'NOPE', reason: ' ', period: 13 }),
            line(5, { fiscalYear: 1990 }),
          ],
          approver,
        ),
      )
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fieldErrors.map((e) => e.field)).toEqual([
      '/adjustments/1/period',
      '/adjustments/1/accountCode',
      '/adjustments/1/costCentreCode',
      '/adjustments/1/amountPence',
      '/adjustments/1/reason',
      '/adjustments/2/fiscalYear',
    ])
    const after = await t.db.transaction(as(CO), (trx) => budgets.listAdjustments(trx, CO, 2030))
    expect(after).toHaveLength(before.length)
  })

  test('adjustments can never be changed or removed, and are audited', async () => {
    await expect(
      t.db.transaction(as(CO), (trx) => sql`update budget_adjustments set amount_pence = 1`.execute(trx)),
    ).rejects.toThrow(/permission denied/)
    await expect(
      t.db.transaction(as(CO), (trx) => sql`delete from budget_adjustments`.execute(trx)),
    ).rejects.toThrow(/permission denied/)
    await expect(sql`update budget_adjustments set reason = 'x'`.execute(t.db.admin)).rejects.toThrow(
      /append-only/,
    )
    await expect(sql`delete from budget_batches`.execute(t.db.admin)).rejects.toThrow(/append-only/)
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from audit_log where org_id = ${CO} and table_name = 'budget_adjustments'`.execute(
      t.db.admin,
    )
    expect(rows[0]!.n).toBeGreaterThan(0)
  })

  test('another organisation’s budgets are invisible', async () => {
    await t.db.transaction(as(DSIT), (trx) => budgets.addAdjustments(trx, DSIT, [line(42_00)], approver))
    const seen = await t.db.transaction(as(CO), (trx) =>
      trx.selectFrom('budget_adjustments').select('org_id').distinct().execute(),
    )
    expect(seen).toEqual([{ org_id: CO }])
  })
})
