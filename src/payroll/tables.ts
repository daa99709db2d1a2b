// Kysely row types for the payroll tables (migrations/0300_payroll_runs.sql). Money is integer
// pence; dates are ISO strings (YYYY-MM-DD).
import type { ColumnType, Generated } from 'kysely'
import type { PayFrequency } from './rates/types.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Defaulted<T> = ColumnType<T, T | undefined, T>

export type PayRunStatus =
  | 'draft'
  | 'calculating'
  | 'calculated'
  | 'reviewed'
  | 'approved'
  | 'paid'
  | 'locked'
export const PAY_RUN_STATUSES: readonly PayRunStatus[] = [
  'draft',
  'calculating',
  'calculated',
  'reviewed',
  'approved',
  'paid',
  'locked',
]

export type PayItemKind =
  | 'allowance'
  | 'overtime'
  | 'one-off'
  | 'back-pay'
  | 'deduction'
  | 'salary-sacrifice'
  | 'ssp'
  | 'smp'
  | 'unpaid-leave'
export const PAY_ITEM_KINDS: readonly PayItemKind[] = [
  'allowance',
  'overtime',
  'one-off',
  'back-pay',
  'deduction',
  'salary-sacrifice',
  'ssp',
  'smp',
  'unpaid-leave',
]

export interface PayrollSettingsTable {
  org_id: string
  employer_paye_reference: string
  accounts_office_reference: string
  bacs_service_user_number: string
  bacs_service_user_name: string
  sort_code: string
  account_number: string
  account_name: string
}

export interface PayItemTable {
  org_id: string
  id: string
  employment_id: string
  kind: PayItemKind
  description: string
  amount_pence: number
  days: number | null
  pensionable: Defaulted<boolean>
  paid_from: string
  paid_to: string | null
  created_by: string | null
  created_at: Timestamp
}

export interface PayRunTable {
  org_id: string
  id: string
  pay_frequency: PayFrequency
  tax_year: string
  period: number
  period_start: string
  period_end: string
  pay_date: string
  status: Defaulted<PayRunStatus>
  progress_done: Defaulted<number>
  progress_total: Defaulted<number>
  resume_after: string | null
  employee_count: Defaulted<number>
  exception_count: Defaulted<number>
  gross_pence: Defaulted<number>
  tax_pence: Defaulted<number>
  employee_ni_pence: Defaulted<number>
  employer_ni_pence: Defaulted<number>
  net_pence: Defaulted<number>
  created_by: string | null
  created_at: Timestamp
  calculated_by: string | null
  calculated_at: Date | null
  reviewed_by: string | null
  reviewed_at: Date | null
  approved_by: string | null
  approved_at: Date | null
  paid_by: string | null
  paid_at: Date | null
  locked_at: Date | null
  journal_id: string | null
}

export interface PayslipTable {
  org_id: string
  run_id: string
  employment_id: string
  person_id: string
  employee_number: string
  status: 'ok' | 'error'
  error: string | null
  cost_centre_code: string
  tax_code: string | null
  week1_month1: boolean
  ni_category: string | null
  pension_scheme: string
  days_paid: number
  basic_pence: number
  additions_pence: number
  statutory_pence: number
  salary_sacrifice_pence: number
  gross_pence: number
  pensionable_pence: number
  employee_pension_pence: number
  employer_pension_pence: number
  taxable_pence: number
  niable_pence: number
  tax_pence: number
  employee_ni_pence: number
  employer_ni_pence: number
  student_loan_pence: number
  postgraduate_loan_pence: number
  deductions_pence: number
  net_pence: number
  taxable_to_date_pence: number
  tax_to_date_pence: number
  at_lel_pence: number
  lel_to_pt_pence: number
  pt_to_uel_pence: number
  lines: Generated<unknown>
}

/** The gender HMRC holds for a person, for the FPS (migrations/0304_payroll_person_gender.sql). */
export interface PayrollPersonDetailsTable {
  org_id: string
  person_id: string
  hmrc_gender: 'M' | 'F'
  updated_by: string | null
  updated_at: Timestamp
}

declare module '../platform/db/index.ts' {
  interface Tables {
    payroll_person_details: PayrollPersonDetailsTable
    payroll_settings: PayrollSettingsTable
    pay_items: PayItemTable
    pay_runs: PayRunTable
    payslips: PayslipTable
  }
}
