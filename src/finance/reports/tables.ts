// Each report as a ReportTable: what the pages show and the CSV and Excel files contain.
import { fiscalYearLabel } from '../chart.ts'
import type { TrialBalance } from '../ledger.ts'
import type { AgedCreditors, PromptPaymentQuarter } from '../payables/performance.ts'
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
      { key: 'eliminationPence', heading: 'Eliminated', type: 'money' },
      { key: 'balancePence', heading: 'Consolidated balance', type: 'money' },
    ],
    rows: tb.lines.map((line) => ({ ...line })),
    footer: [
      {
        standardCode: 'Total',
        debitPence: tb.totalDebitPence,
        creditPence: tb.totalCreditPence,
        eliminationPence: tb.lines.reduce((sum, line) => sum + line.eliminationPence, 0),
        balancePence: tb.lines.reduce((sum, line) => sum + line.balancePence, 0),
      },
    ],
  }
}

/** The eliminations of agreed recharges between the cluster's organisations, code by code. */
export function eliminationsTable(tb: ConsolidatedTrialBalance): ReportTable {
  return {
    title: `Recharges eliminated: ${tb.eliminatedRechargeCount} agreed between the organisations`,
    columns: [
      { key: 'standardCode', heading: 'Standard account' },
      { key: 'name', heading: 'Name' },
      { key: 'eliminationPence', heading: 'Eliminated', type: 'money' },
    ],
    rows: tb.lines
      .filter((line) => line.eliminationPence !== 0)
      .map((line) => ({
        standardCode: line.standardCode,
        name: line.name,
        eliminationPence: line.eliminationPence,
      })),
    empty: 'No agreed recharges between the organisations fall in these periods.',
  }
}

/** Recharges between the cluster's organisations not yet agreed: left in, for both sides to settle. */
export function unmatchedRechargesTable(tb: ConsolidatedTrialBalance): ReportTable {
  return {
    title: 'Recharges between the organisations not yet agreed (not eliminated)',
    columns: [
      { key: 'raisedOn', heading: 'Raised', type: 'date' },
      { key: 'raisingOrgCode', heading: 'Raised by' },
      { key: 'counterpartyOrgCode', heading: 'Charged to' },
      { key: 'description', heading: 'Description' },
      { key: 'status', heading: 'Status' },
      { key: 'amountPence', heading: 'Amount', type: 'money' },
    ],
    rows: tb.unmatchedRecharges.map((recharge) => ({ ...recharge })),
    empty: 'Every recharge between the organisations has been agreed.',
  }
}

export function trialBalanceTable(tb: TrialBalance): ReportTable {
  return {
    title: `Trial balance ${periods(tb.fiscalYear, 1, tb.period)}`,
    columns: [
      { key: 'accountCode', heading: 'Account' },
      { key: 'accountName', heading: 'Name' },
      { key: 'standardCode', heading: 'Standard code' },
      { key: 'debitPence', heading: 'Debit', type: 'money' },
      { key: 'creditPence', heading: 'Credit', type: 'money' },
      { key: 'balancePence', heading: 'Balance', type: 'money' },
    ],
    rows: tb.rows.map((row) => ({ ...row })),
    footer: [
      {
        accountCode: 'Total',
        debitPence: tb.totalDebitPence,
        creditPence: tb.totalCreditPence,
        balancePence: tb.totalDebitPence - tb.totalCreditPence,
      },
    ],
  }
}

/** Prompt payment as departments publish it: one row per quarter, both percentages. */
export function promptPaymentTable(
  fiscalYear: number,
  quarters: PromptPaymentQuarter[],
  scope?: string,
): ReportTable {
  return {
    title: `Prompt payment ${fiscalYearLabel(fiscalYear)}${scope ? `, ${scope}` : ''}`,
    columns: [
      { key: 'label', heading: 'Quarter' },
      { key: 'invoicesPaid', heading: 'Invoices paid', type: 'integer' },
      { key: 'paidWithin5Days', heading: 'Paid within 5 days', type: 'integer' },
      { key: 'percentWithin5Days', heading: 'Percentage within 5 days' },
      { key: 'paidWithin30Days', heading: 'Paid within 30 days', type: 'integer' },
      { key: 'percentWithin30Days', heading: 'Percentage within 30 days' },
    ],
    rows: quarters.map((quarter) => ({
      label: quarter.label,
      invoicesPaid: quarter.invoicesPaid,
      paidWithin5Days: quarter.paidWithin5Days,
      percentWithin5Days: quarter.percentWithin5Days ?? '',
      paidWithin30Days: quarter.paidWithin30Days,
      percentWithin30Days: quarter.percentWithin30Days ?? '',
    })),
  }
}

/** Aged creditors: one row per organisation and supplier (the organisation column only for a cluster). */
export function agedCreditorsTable(aged: AgedCreditors, scope?: string): ReportTable {
  const money = (key: string, heading: string) => ({ key, heading, type: 'money' as const })
  return {
    title: `Aged creditors at ${aged.asOf}${scope ? `, ${scope}` : ''}`,
    columns: [
      ...(scope ? [{ key: 'orgCode', heading: 'Organisation' }] : []),
      { key: 'supplierName', heading: 'Supplier' },
      money('notDue', 'Not yet due'),
      money('days1to30', '1 to 30 days'),
      money('days31to60', '31 to 60 days'),
      money('days61to90', '61 to 90 days'),
      money('over90', 'Over 90 days'),
      money('totalPence', 'Total'),
    ],
    rows: aged.rows.map((row) => ({ ...row })),
    empty: 'Nothing was owed to suppliers on this date.',
    footer: [{ orgCode: scope ? 'Total' : '', supplierName: scope ? '' : 'Total', ...aged.totals }],
  }
}
