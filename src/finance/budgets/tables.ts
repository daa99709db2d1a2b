// Kysely row types for budgets and forecasts (migrations/0120_finance_budgets.sql).
import type { ColumnType } from 'kysely'
import type { BudgetClass, ControlTotal, SpendClass } from '../tables.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, never>

export type BudgetKind = 'budget' | 'forecast'
export type BudgetBatchSource = 'api' | 'import' | 'form' | 'demo'

export interface BudgetBatchTable {
  org_id: string
  id: string
  source: BudgetBatchSource
  adjustment_count: number
  created_by: string | null
  created_at: Timestamp
}

export interface BudgetAdjustmentTable {
  org_id: string
  batch_id: string
  line_no: number
  kind: BudgetKind
  fiscal_year: number
  period: number
  account_code: string
  cost_centre_code: string
  control_total: ControlTotal
  budget_class: BudgetClass
  spend_class: SpendClass
  amount_pence: number
  reason: string
  created_by: string | null
  created_at: Timestamp
}

declare module '../../platform/db/index.ts' {
  interface Tables {
    budget_batches: BudgetBatchTable
    budget_adjustments: BudgetAdjustmentTable
  }
}
