// Kysely row types for the finance tables (migrations/0100_finance_ledger.sql).
import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export type AccountKind = 'asset' | 'liability' | 'reserve' | 'income' | 'expenditure'
export type PeriodStatus = 'open' | 'closed' | 'locked'
export type JournalSource =
  | 'manual'
  | 'import'
  | 'recurring'
  | 'reversal'
  | 'year-end'
  | 'payables'
  | 'receivables'
  | 'payroll'
  | 'procurement'
  | 'api'
export type ControlTotal = 'DEL' | 'AME'
export type BudgetClass = 'resource' | 'capital'
export type SpendClass = 'admin' | 'programme'

export interface StandardAccountTable {
  code: string
  name: string
  kind: AccountKind
  created_at: Timestamp
}

export interface CurrencyTable {
  code: string
  name: string
  minor_units: number
}

export interface ExchangeRateTable {
  currency: string
  rate_date: string
  units_per_gbp: string
  source: ColumnType<string, string | undefined, string>
}

export interface AccountTable {
  org_id: string
  code: string
  name: string
  standard_code: string
  active: ColumnType<boolean, boolean | undefined, boolean>
  created_at: Timestamp
}

export interface DimensionTable {
  org_id: string
  code: string
  name: string
  active: ColumnType<boolean, boolean | undefined, boolean>
}

export interface FinancialPeriodTable {
  org_id: string
  fiscal_year: number
  period: number
  starts_on: string
  ends_on: string
  status: ColumnType<PeriodStatus, PeriodStatus | undefined, PeriodStatus>
  status_changed_at: Date | null
}

export interface JournalTable {
  org_id: string
  id: string
  number: Generated<number>
  fiscal_year: number
  period: number
  journal_date: string
  description: string
  source: JournalSource
  reference: string | null
  reverses_journal_id: string | null
  posted_by: string | null
  posted_at: Timestamp
}

export interface JournalLineTable {
  org_id: string
  journal_id: string
  line_no: number
  account_code: string
  cost_centre_code: string | null
  project_code: string | null
  control_total: ColumnType<ControlTotal, ControlTotal | undefined, never>
  budget_class: ColumnType<BudgetClass, BudgetClass | undefined, never>
  spend_class: ColumnType<SpendClass, SpendClass | undefined, never>
  currency: ColumnType<string, string | undefined, never>
  amount_minor: number
  units_per_gbp: ColumnType<string, string | undefined, never>
  amount_pence: number
  description: string | null
}

export interface LedgerBalanceTable {
  org_id: string
  fiscal_year: number
  period: number
  account_code: string
  cost_centre_code: string
  debit_pence: number
  credit_pence: number
  line_count: number
}

export interface RecurringJournalTable {
  org_id: string
  id: Generated<string>
  description: string
  day_of_month: number
  starts_on: string
  ends_on: string | null
  next_run_on: string
  lines: ColumnType<unknown, string, string>
  active: ColumnType<boolean, boolean | undefined, boolean>
  created_by: string | null
  created_at: Timestamp
}

export interface RecurringJournalRunTable {
  org_id: string
  recurring_id: string
  run_on: string
  journal_id: string
}

export type RechargeStatus = 'proposed' | 'agreed' | 'disputed'

export interface RechargeTable {
  org_id: string
  id: Generated<string>
  counterparty_org_id: string
  description: string
  amount_pence: number
  raised_on: string
  raised_journal_id: string
  status: ColumnType<RechargeStatus, RechargeStatus | undefined, RechargeStatus>
  counterparty_journal_id: string | null
  dispute_reason: string | null
  decided_at: Date | null
  decided_by: string | null
}

declare module '../platform/db/index.ts' {
  interface Tables {
    standard_accounts: StandardAccountTable
    currencies: CurrencyTable
    exchange_rates: ExchangeRateTable
    accounts: AccountTable
    cost_centres: DimensionTable
    projects: DimensionTable
    financial_periods: FinancialPeriodTable
    journals: JournalTable
    journal_lines: JournalLineTable
    ledger_balances: LedgerBalanceTable
    recurring_journals: RecurringJournalTable
    recurring_journal_runs: RecurringJournalRunTable
    recharges: RechargeTable
  }
}
