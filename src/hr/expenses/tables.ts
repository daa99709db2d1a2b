// Kysely row types for the expenses tables (migrations/0211_hr_expenses.sql). Money is integer
// pence; miles are numeric, read as decimal strings.
import type { ColumnType } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Defaulted<T> = ColumnType<T, T | undefined, T>
type Generated<T> = ColumnType<T, T | undefined, never>

export type ClaimStatus = 'draft' | 'submitted' | 'approved' | 'rejected' | 'paid'
export type PaymentRoute = 'payroll' | 'payables'
export type ExpenseCategory = 'travel' | 'subsistence' | 'hotel' | 'mileage'
export const EXPENSE_CATEGORIES: readonly ExpenseCategory[] = ['travel', 'subsistence', 'hotel', 'mileage']
export type Vehicle = 'car' | 'motorcycle' | 'bicycle'
export const VEHICLES: readonly Vehicle[] = ['car', 'motorcycle', 'bicycle']
export type LimitCategory = 'travel' | 'subsistence' | 'hotel-london' | 'hotel-elsewhere'
export type ReceiptContentType = 'application/pdf' | 'image/jpeg' | 'image/png'

export interface ExpenseSettingsTable {
  org_id: string
  receipt_required_over_pence: Defaulted<number>
  claim_within_days: Defaulted<number>
  expense_account_code: Defaulted<string>
  payable_account_code: Defaulted<string>
  default_payment_route: Defaulted<PaymentRoute>
}

export interface ExpensePolicyLimitTable {
  org_id: string
  category: LimitCategory
  limit_pence: number
  per: 'day' | 'night' | 'item'
}

export interface ExpenseClaimTable {
  org_id: string
  id: string
  number: Generated<number>
  employment_id: string
  purpose: string
  status: Defaulted<ClaimStatus>
  payment_route: Defaulted<PaymentRoute>
  total_pence: Defaulted<number>
  created_by: string
  created_at: Timestamp
  submitted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  decided_by: string | null
  decided_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  decision_note: string | null
  cost_centre_code: string | null
  journal_id: string | null
  paid_on: string | null
  pay_run_id: string | null
  payment_journal_id: string | null
}

export interface ExpenseLineTable {
  org_id: string
  claim_id: string
  line_no: number
  expense_date: string
  category: ExpenseCategory
  description: string
  amount_pence: number
  nights: number | null
  london: Defaulted<boolean>
  vehicle: Vehicle | null
  miles: ColumnType<string | null, string | number | null, string | number | null>
}

export interface ExpenseReceiptTable {
  org_id: string
  id: string
  claim_id: string
  line_no: number | null
  file_name: string
  content_type: ReceiptContentType
  size_bytes: number
  content: Buffer
  uploaded_by: string | null
  uploaded_at: Timestamp
}

declare module '../../platform/db/index.ts' {
  interface Tables {
    expense_settings: ExpenseSettingsTable
    expense_policy_limits: ExpensePolicyLimitTable
    expense_claims: ExpenseClaimTable
    expense_lines: ExpenseLineTable
    expense_receipts: ExpenseReceiptTable
  }
}
