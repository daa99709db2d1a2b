// Each report as a ReportTable: what the pages show and the CSV and Excel files contain.
import { fiscalYearLabel } from '../chart.ts'
import type { ReportTable } from './export.ts'
import type {
  BalanceSheet,
  BudgetVariance,
  ConsolidatedTrialBalance,
  IncomeAndExpenditure,
  TransparencyRow,
} from './service.ts'

const periods = (fiscalYear: number, from: number, to: number) =>
  `${fiscalYearLabel(fiscalYear)}, ${from === to ? `period ${from}` : `periods ${from} to ${to}`}`

export function incomeAndExpenditureTable(ie: IncomeAndExpenditure): ReportTable {
  return {
    title: `Income and expenditure ${periods(ie.fiscalYear, ie.fromPeriod, ie.toPeriod)}`,
    columns: [
      { key: 'section', heading: 'Section' },
      { key: 'code', heading: 'Standard account' },
      { key: 'name', heading: 'Name' },
      { key: 'amount', heading: 'Amount', type: 'money' },
    ],
    rows: [
      ...ie.income.map((line) => ({
        section: 'Income',
        code: line.standardCode,
        name: line.name,
        amount: line.amountPence,
      })),
      ...ie.expenditure.map((line) => ({
        section: 'Expenditure',
        code: line.standardCode,
        name: line.name,
        amount: line.amountPence,
      })),
    ],
    footer: [
      { section: 'Total income', code: '', name: '', amount: ie.totalIncomePence },
      { section: 'Total expenditure', code: '', name: '', amount: ie.totalExpenditurePence },
      { section: ie.surplusPence >= 0 ? 'Surplus' : 'Deficit', code: '', name: '', amount: ie.surplusPence },
    ],
  }
}

export function balanceSheetTable(bs: BalanceSheet): ReportTable {
  const section = (name: string, lines: BalanceSheet['assets']) =>
    lines.map((line) => ({
      section: name,
      code: line.standardCode,
      name: line.name,
      amount: line.amountPence,
    }))
  return {
    title: `Balance sheet at ${bs.periodEndDate}`,
    columns: [
      { key: 'section', heading: 'Section' },
      { key: 'code', heading: 'Standard account' },
      { key: 'name', heading: 'Name' },
      { key: 'amount', heading: 'Amount', type: 'money' },
    ],
    rows: [
      ...section('Assets', bs.assets),
      ...section('Liabilities', bs.liabilities),
      ...section('Reserves', bs.reserves),
    ],
    footer: [
      { section: 'Total assets', code: '', name: '', amount: bs.totalAssetsPence },
      { section: 'Total liabilities', code: '', name: '', amount: bs.totalLiabilitiesPence },
      { section: 'Net assets', code: '', name: '', amount: bs.netAssetsPence },
      { section: 'Total reserves', code: '', name: '', amount: bs.totalReservesPence },
    ],
  }
}

export function budgetVarianceTable(variance: BudgetVariance): ReportTable {
  const money = (key: string, heading: string) => ({ key, heading, type: 'money' as const })
  return {
    title: `Budget variance ${periods(variance.fiscalYear, 1, variance.toPeriod)}`,
    columns: [
      { key: 'accountCode', heading: 'Account' },
      { key: 'accountName', heading: 'Name' },
      { key: 'costCentreCode', heading: 'Cost centre' },
      money('budgetToDatePence', 'Budget to date'),
      money('actualToDatePence', 'Actual to date'),
      money('varianceToDatePence', 'Variance to date'),
      money('budgetFullYearPence', 'Budget full year'),
      money('forecastFullYearPence', 'Forecast full year'),
      money('varianceFullYearPence', 'Variance full year'),
    ],
    rows: variance.lines.map((line) => ({ ...line })),
    footer: [{ accountCode: 'Total', accountName: '', costCentreCode: '', ...variance.totals }],
  }
}

/** The published layout of the monthly spend over £25,000 file, column for column. */
export function transparencyTable(fiscalYear: number, period: number, rows: TransparencyRow[]): ReportTable {
  return {
    title: `Spend over £25,000 ${periods(fiscalYear, period, period)}`,
    columns: [
      { key: 'date', heading: 'Date', type: 'date' },
      { key: 'expenseType', heading: 'Expense type' },
      { key: 'expenseArea', heading: 'Expense area' },
      { key: 'payee', heading: 'Payee' },
      { key: 'transactionNumber', heading: 'Transaction number' },
      { key: 'amountPence', heading: 'Amount', type: 'money' },
      { key: 'description', heading: 'Description' },
    ],
    rows: rows.map((row) => ({ ...row })),
  }
}

export function clusterTrialBalanceTable(tb: ConsolidatedTrialBalance): ReportTable {
  return {
    title: `Trial balance of ${tb.clusterCode} ${periods(tb.fiscalYear, tb.fromPeriod, tb.toPeriod)}`,
    columns: [
      { key: 'standardCode', heading: 'Standard account' },
      { key: 'name', heading: 'Name' },
      { key: 'kind', heading: 'Kind' },
      { key: 'organisationCount', heading: 'Organisations', type: 'integer' },
      { key: 'debitPence', heading: 'Debit', type: 'money' },
      { key: 'creditPence', heading: 'Credit', type: 'money' },
      { key: 'balancePence', heading: 'Balance', type: 'money' },
    ],
    rows: tb.lines.map((line) => ({ ...line })),
    footer: [
      {
        standardCode: 'Total',
        debitPence: tb.totalDebitPence,
        creditPence: tb.totalCreditPence,
        balancePence: tb.totalDebitPence - tb.totalCreditPence,
      },
    ],
  }
}
