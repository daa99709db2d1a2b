import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import '../../platform/tables.ts'
import '../tables.ts'
import type { TenantContext } from '../../platform/db/index.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { LedgerService } from '../ledger.ts'
import { BudgetImportError, importBudgetCsv, readBudgetCsv } from './import.ts'
import { BudgetsService } from './service.ts'

let t: TestDatabase
const budgets = new BudgetsService()
const CO = orgId('cabinet-office')
const approver = uuidFromName('user:finance.approver@gss.example')
const as: TenantContext = { userId: approver, orgIds: [CO], actingOrgId: CO, requestId: 'budget-import-test' }
// A year the demo world leaves empty, so the figures here are the tests' own.
const HEADER =
  'kind,fiscal_year,period,account,cost_centre,control_total,budget_class,spend_class,amount,reason'

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  await t.db.transaction(as, (trx) => new LedgerService().setUpOrganisation(trx, CO, [2030]))
})
afterAll(async () => t?.close())

const problemsOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    if (error instanceof BudgetImportError) return error.problems
    throw error
  }
  return []
}

describe('reading a budget file', () => {
  test('every bad row is named by line and field', () => {
    const csv = [
      HEADER,
      'budget,2030-31,1,52100000,CORP,DEL,resource,admin,"1,000.00",Opening',
      'plan,26,13,5210,,XYZ,revenue,other,ten,',
      '',
      'forecast,2030,,52100000,CORP,,,,-12.50,Reforecast',
    ].join('\n')
    expect(problemsOf(() => readBudgetCsv(csv))).toEqual([
      { line: 3, field: 'kind', message: '"plan" is not budget or forecast' },
      { line: 3, field: 'fiscal_year', message: '"26" is not a year like 2026 or 2026-27' },
      { line: 3, field: 'period', message: '"13" is not a period from 1 to 12' },
      { line: 3, field: 'account', message: '"5210" is not an 8-digit account code' },
      { line: 3, field: 'cost_centre', message: 'enter the cost centre' },
      { line: 3, field: 'control_total', message: '"XYZ" is not DEL or AME' },
      { line: 3, field: 'budget_class', message: '"revenue" is not resource or capital' },
      { line: 3, field: 'spend_class', message: '"other" is not admin or programme' },
      { line: 3, field: 'amount', message: '"ten" is not a signed amount like -1250.00' },
      { line: 3, field: 'reason', message: 'enter the reason for the adjustment' },
    ])
  })

  test('a header with unknown or missing columns is refused before any row is read', () => {
    expect(problemsOf(() => readBudgetCsv('account,amount,colour\n52100000,1.00,red'))).toEqual([
      { line: 1, field: 'fiscal_year', message: 'this column is missing from the header' },
      { line: 1, field: 'cost_centre', message: 'this column is missing from the header' },
      { line: 1, field: 'reason', message: 'this column is missing from the header' },
      {
        line: 1,
        field: 'colour',
        message:
          'is not a recognised column; expected kind, fiscal_year, period, account, cost_centre, control_total, budget_class, spend_class, amount, reason',
      },
    ])
  })
})

describe('loading a budget file', () => {
  test('problems only the ledger knows are mapped back to file lines, and nothing is loaded', async () => {
    const csv = [
      HEADER,
      'budget,2030,1,52100000,CORP,,,,100.00,Fine',
      'budget,2030,1,52100099,NOWHERE,,,,5.00,Bad',
    ].join('\n')
    const error = await t.db
      .transaction(as, (trx) => importBudgetCsv(trx, budgets, CO, csv, approver))
      .catch((e: unknown) => e)
    expect((error as BudgetImportError).problems).toEqual([
      { line: 3, field: 'account', message: 'There is no account 52100099' },
      { line: 3, field: 'cost_centre', message: 'There is no open cost centre NOWHERE' },
    ])
    const rows = await t.db.transaction(as, (trx) => budgets.listAdjustments(trx, CO, 2030))
    expect(rows).toEqual([])
  })

  test('a clean file loads as one batch', async () => {
    const csv = [
      HEADER,
      'budget,2030,1,52100000,CORP,DEL,resource,admin,"1,000.00",Opening',
      'forecast,2030-31,,52100000,CORP,,,,-12.00,Reforecast',
    ].join('\r\n')
    const result = await t.db.transaction(as, (trx) => importBudgetCsv(trx, budgets, CO, csv, approver))
    expect(result.adjustmentCount).toBe(13)
    expect(result.netPence).toBe(1_000_00 - 12_00)
    const current = await t.db.transaction(as, (trx) => budgets.currentBudget(trx, CO, 2030))
    expect(current.map((row) => [row.kind, row.spendClass, row.fullYearPence])).toEqual([
      ['budget', 'admin', 1_000_00],
      ['forecast', 'programme', -12_00],
    ])
  })
})
