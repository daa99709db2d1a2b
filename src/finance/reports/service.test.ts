import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import '../../platform/tables.ts'
import '../tables.ts'
import type { TenantContext } from '../../platform/db/index.ts'
import { ValidationError } from '../../platform/errors.ts'
import { clusterId, orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { BudgetsService } from '../budgets/service.ts'
import { type JournalInput, LedgerService } from '../ledger.ts'
import { ReportsService } from './service.ts'

let t: TestDatabase
const ledger = new LedgerService()
const budgets = new BudgetsService()
const reports = new ReportsService()
const CO = orgId('cabinet-office')
const DSIT = orgId('dsit')
const clerk = uuidFromName('user:finance.clerk@gss.example')
const as = (...orgs: string[]): TenantContext => ({
  userId: clerk,
  orgIds: orgs,
  actingOrgId: orgs[0]!,
  requestId: 'reports-test',
})
const journal = (
  date: string,
  lines: Array<[string, number, string?]>,
  extra: Partial<JournalInput> = {},
): JournalInput => ({
  date,
  description: extra.description ?? 'Test journal',
  ...extra,
  lines: lines.map(([accountCode, amountMinor, costCentreCode]) => ({
    accountCode,
    amountMinor,
    ...(costCentreCode ? { costCentreCode } : {}),
  })),
})
const post = (org: string, journals: JournalInput[]) =>
  t.db.transaction(as(org), (trx) => ledger.postJournals(trx, org, journals, clerk))

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  for (const org of [CO, DSIT])
    await t.db.transaction(as(org), async (trx) => {
      await ledger.setUpOrganisation(trx, org, [2029, 2030])
      await trx.insertInto('cost_centres').values({ org_id: org, code: 'DIGITAL', name: 'Digital' }).execute()
    })
  await t.db.transaction(as(DSIT), (trx) => ledger.addLocalAccount(trx, DSIT, '52100001', 'Cloud hosting'))
  // 2029-30: funding, spend and income, never closed to reserves by a year-end journal.
  await post(DSIT, [
    journal('2029-04-10', [
      ['14100000', 1_000_000_00],
      ['31100000', -1_000_000_00],
    ]),
    journal('2029-06-10', [
      ['52100000', 200_000_00, 'CORP'],
      ['14100000', -200_000_00],
    ]),
    journal('2029-09-10', [
      ['13100000', 30_000_00],
      ['41100000', -30_000_00],
    ]),
  ])
  // 2030-31: more spend (some on a local account), income, a payable and an accrual.
  await post(DSIT, [
    journal(
      '2030-04-15',
      [
        ['52100000', 40_000_00, 'DIGITAL'],
        ['52100001', 10_000_00, 'DIGITAL'],
        ['13400000', 10_000_00],
        ['21100000', -60_000_00],
      ],
      { reference: 'Acme Cloud Ltd', description: 'Invoice 123 hosting' },
    ),
    journal('2030-04-20', [
      ['52600000', 25_000_00, 'CORP'],
      ['21100000', -25_000_00],
    ]),
    journal(
      '2030-04-28',
      [
        ['51100000', 90_000_00, 'CORP'],
        ['22300000', -90_000_00],
      ],
      { source: 'payroll', description: 'April payroll' },
    ),
    journal('2030-05-05', [
      ['52200000', 70_000_00, 'CORP'],
      ['21300000', -70_000_00],
    ]),
    journal('2030-06-01', [
      ['14100000', 45_000_00],
      ['41100000', -45_000_00],
    ]),
  ])
  await t.db.transaction(as(DSIT), (trx) =>
    budgets.addAdjustments(
      trx,
      DSIT,
      [
        {
          fiscalYear: 2030,
          accountCode: '52100000',
          costCentreCode: 'DIGITAL',
          amountPence: 600_000_00,
          reason: 'Opening',
        },
        {
          fiscalYear: 2030,
          accountCode: '52100001',
          costCentreCode: 'DIGITAL',
          amountPence: 120_000_00,
          reason: 'Opening',
        },
        {
          kind: 'forecast',
          fiscalYear: 2030,
          accountCode: '52100000',
          costCentreCode: 'DIGITAL',
          amountPence: 650_000_00,
          reason: 'Q1 forecast',
        },
        {
          fiscalYear: 2030,
          accountCode: '41100000',
          costCentreCode: 'CORP',
          amountPence: -120_000_00,
          reason: 'Opening',
        },
      ],
      clerk,
    ),
  )
  await post(CO, [
    journal('2030-04-15', [
      ['52100000', 1_000_00, 'CORP'],
      ['21100000', -1_000_00],
    ]),
  ])
})
afterAll(async () => t?.close())

describe('income and expenditure', () => {
  test('is by standard account, local accounts rolled up to their 00 code', async () => {
    const ie = await t.db.transaction(as(DSIT), (trx) => reports.incomeAndExpenditure(trx, DSIT, 2030, 1, 3))
    expect(ie.expenditure.map((line) => [line.standardCode, line.amountPence])).toEqual([
      ['51100000', 90_000_00],
      ['52100000', 50_000_00],
      ['52200000', 70_000_00],
      ['52600000', 25_000_00],
    ])
    expect(ie.income).toEqual([
      { standardCode: '41100000', name: 'Fees and charges income', kind: 'income', amountPence: 45_000_00 },
    ])
    expect(ie.surplusPence).toBe(45_000_00 - 235_000_00)
  })

  test('a period range takes only those periods', async () => {
    const may = await t.db.transaction(as(DSIT), (trx) => reports.incomeAndExpenditure(trx, DSIT, 2030, 2, 2))
    expect(may.totalExpenditurePence).toBe(70_000_00)
    expect(may.totalIncomePence).toBe(0)
  })

  test('a range that runs backwards is refused', async () => {
    await expect(
      t.db.transaction(as(DSIT), (trx) => reports.incomeAndExpenditure(trx, DSIT, 2030, 5, 2)),
    ).rejects.toBeInstanceOf(ValidationError)
  })
})

describe('balance sheet', () => {
  test('net assets equal reserves, with unclosed results shown as reserves', async () => {
    const bs = await t.db.transaction(as(DSIT), (trx) => reports.balanceSheet(trx, DSIT, 2029, 12))
    // The demo world's years come before 2029: measure this test's postings against them.
    const base = await t.db.transaction(as(DSIT), (trx) => reports.balanceSheet(trx, DSIT, 2028, 12))
    const amountOf = (sheet: typeof bs, code: string) =>
      sheet.assets.find((line) => line.standardCode === code)?.amountPence ?? 0
    expect(bs.periodEndDate).toBe('2030-03-31')
    expect(amountOf(bs, '13100000') - amountOf(base, '13100000')).toBe(30_000_00)
    expect(amountOf(bs, '14100000') - amountOf(base, '14100000')).toBe(800_000_00)
    expect(bs.netAssetsPence - base.netAssetsPence).toBe(830_000_00)
    expect(bs.totalReservesPence - base.totalReservesPence).toBe(830_000_00)
    expect(bs.netAssetsPence).toBe(bs.totalReservesPence)
  })

  test('the year’s surplus plus the reserves brought forward ties to the balance sheet', async () => {
    const { opening, closing, ie } = await t.db.transaction(as(DSIT), async (trx) => ({
      opening: await reports.balanceSheet(trx, DSIT, 2029, 12),
      closing: await reports.balanceSheet(trx, DSIT, 2030, 3),
      ie: await reports.incomeAndExpenditure(trx, DSIT, 2030, 1, 3),
    }))
    expect(closing.totalReservesPence - opening.totalReservesPence).toBe(ie.surplusPence)
    expect(closing.totalAssetsPence - closing.totalLiabilitiesPence).toBe(closing.totalReservesPence)
    expect(closing.reserves.at(-1)).toMatchObject({
      name: 'Surplus or deficit for the year to date',
      amountPence: ie.surplusPence,
    })
  })
})

describe('budget variance', () => {
  test('budget against actual to date and against forecast for the year, per account and cost centre', async () => {
    const variance = await t.db.transaction(as(DSIT), (trx) => reports.budgetVariance(trx, DSIT, 2030, 3))
    const byKey = new Map(variance.lines.map((line) => [`${line.accountCode}/${line.costCentreCode}`, line]))
    expect(byKey.get('52100000/DIGITAL')).toMatchObject({
      budgetToDatePence: 150_000_00,
      actualToDatePence: 40_000_00,
      varianceToDatePence: 110_000_00,
      budgetFullYearPence: 600_000_00,
      forecastFullYearPence: 650_000_00,
      varianceFullYearPence: -50_000_00,
    })
    expect(byKey.get('52100001/DIGITAL')).toMatchObject({
      budgetToDatePence: 30_000_00,
      actualToDatePence: 10_000_00,
    })
    // Spend with no budget still shows, against a zero budget.
    expect(byKey.get('52200000/CORP')).toMatchObject({ budgetFullYearPence: 0, actualToDatePence: 70_000_00 })
    expect(byKey.get('41100000/(none)')).toMatchObject({ actualToDatePence: -45_000_00 })
    expect(byKey.get('41100000/CORP')).toMatchObject({ budgetToDatePence: -30_000_00, actualToDatePence: 0 })
    // Balance sheet accounts never appear.
    expect([...byKey.keys()].some((key) => /^[123]/.test(key))).toBe(false)
    const sum = variance.lines.reduce((total, line) => total + line.actualToDatePence, 0)
    expect(variance.totals.actualToDatePence).toBe(sum)
  })
})

describe('transparency', () => {
  test('lists spend over £25,000, not payroll, not exactly £25,000, with payee from the reference', async () => {
    const rows = await t.db.transaction(as(DSIT), (trx) => reports.transparency(trx, DSIT, 2030, 1))
    expect(rows).toEqual([
      {
        date: '2030-04-15',
        expenseType: 'IT services and software',
        expenseArea: 'Digital',
        payee: 'Acme Cloud Ltd',
        transactionNumber: expect.any(String),
        amountPence: 50_000_00,
        description: 'Invoice 123 hosting',
      },
    ])
  })

  test('a journal without a reference is published under its description', async () => {
    const rows = await t.db.transaction(as(DSIT), (trx) => reports.transparency(trx, DSIT, 2030, 2))
    expect(rows.map((row) => [row.payee, row.amountPence, row.expenseArea])).toEqual([
      ['Test journal', 70_000_00, 'Corporate'],
    ])
  })
})

describe('cluster trial balance', () => {
  test('sums the cluster’s organisations by standard code, as far as the caller can see', async () => {
    const matrix = clusterId('matrix')
    const both = await t.db.transaction(as(CO, DSIT), (trx) =>
      reports.clusterTrialBalance(trx, matrix, 'matrix', 2030, 1, 1),
    )
    const it = both.lines.find((line) => line.standardCode === '52100000')!
    expect(it).toMatchObject({ debitPence: 51_000_00, organisationCount: 2 })
    expect(both.totalDebitPence).toBe(both.totalCreditPence)
    const dsitOnly = await t.db.transaction(as(DSIT), (trx) =>
      reports.clusterTrialBalance(trx, matrix, 'matrix', 2030, 1, 1),
    )
    expect(dsitOnly.lines.find((line) => line.standardCode === '52100000')).toMatchObject({
      debitPence: 50_000_00,
      organisationCount: 1,
    })
  })

  test('income and expenditure over the cluster agrees with each organisation’s own', async () => {
    const matrix = clusterId('matrix')
    const { cluster, dsit, co } = await t.db.transaction(as(CO, DSIT), async (trx) => ({
      cluster: await reports.clusterIncomeAndExpenditure(trx, matrix, 'matrix', 2030, 1, 3),
      dsit: await reports.incomeAndExpenditure(trx, DSIT, 2030, 1, 3),
      co: await reports.incomeAndExpenditure(trx, CO, 2030, 1, 3),
    }))
    expect(cluster.surplusPence).toBe(dsit.surplusPence + co.surplusPence)
    expect(cluster.totalExpenditurePence).toBe(dsit.totalExpenditurePence + co.totalExpenditurePence)
    expect(cluster.expenditure.find((line) => line.standardCode === '52100000')?.amountPence).toBe(51_000_00)
  })
})
