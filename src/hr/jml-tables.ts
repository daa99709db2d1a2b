// Kysely row types for the JML tables (migrations/0201_hr_jml.sql): requests with approval, and
// the leaver record payroll reads for final pay and the P45.
import type { ColumnType } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export type HrRequestKind = 'joiner' | 'mover' | 'leaver' | 'loan' | 'transfer'
export type HrRequestStatus = 'submitted' | 'rejected' | 'applied' | 'withdrawn'

export interface HrRequestTable {
  org_id: string
  id: string
  kind: HrRequestKind
  status: ColumnType<HrRequestStatus, HrRequestStatus | undefined, HrRequestStatus>
  effective_date: string
  employment_id: string | null
  person_id: string | null
  target_org_id: string | null
  summary: string
  payload: ColumnType<unknown, string, string>
  requested_by: string
  requested_at: Timestamp
  decided_by: string | null
  decided_at: Date | null
  decision_note: string | null
  result_employment_id: string | null
}

export interface HrLeaverTable {
  org_id: string
  employment_id: string
  request_id: string | null
  last_working_day: string
  leaving_reason: string
  /** Decimal string (numeric(6, 2)); negative when more leave was taken than accrued. */
  untaken_leave_days: ColumnType<string, string | number, string | number>
  daily_rate_pence: number
  pay_in_lieu_pence: number
  leave_basis: 'absence' | 'grade-pro-rata'
  p45_required: ColumnType<boolean, boolean | undefined, boolean>
  final_pay_processed_at: Date | null
  recorded_by: string | null
  recorded_at: Timestamp
}

declare module '../platform/db/index.ts' {
  interface Tables {
    hr_requests: HrRequestTable
    hr_leavers: HrLeaverTable
  }
}
