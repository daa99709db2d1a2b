// Kysely row types for the absence tables (migrations/0210_hr_absence.sql). Dates are ISO strings;
// days are numeric columns read as decimal strings.
import type { ColumnType } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Decimal = ColumnType<string, string | number, string | number>
type DefaultedDecimal = ColumnType<string, string | number | undefined, string | number>
type Defaulted<T> = ColumnType<T, T | undefined, T>

export type LeaveType = 'annual' | 'special' | 'unpaid'
export type LeaveStatus = 'pending' | 'approved' | 'rejected' | 'cancelled'
export type AdjustmentReason = 'carry-over' | 'purchase' | 'sale' | 'correction'
export type SicknessCategory =
  | 'musculoskeletal'
  | 'mental-health'
  | 'respiratory'
  | 'gastrointestinal'
  | 'injury'
  | 'infectious-disease'
  | 'other'
export const SICKNESS_CATEGORIES: readonly SicknessCategory[] = [
  'musculoskeletal',
  'mental-health',
  'respiratory',
  'gastrointestinal',
  'injury',
  'infectious-disease',
  'other',
]
export type FamilyLeaveType =
  | 'maternity'
  | 'paternity'
  | 'adoption'
  | 'shared-parental'
  | 'parental-bereavement'
export const FAMILY_LEAVE_TYPES: readonly FamilyLeaveType[] = [
  'maternity',
  'paternity',
  'adoption',
  'shared-parental',
  'parental-bereavement',
]
export type BankHolidayDivision = 'england-and-wales' | 'scotland' | 'northern-ireland'

export interface LeavePolicyTable {
  org_id: string
  leave_year_start_month: Defaulted<number>
  leave_year_start_day: Defaulted<number>
  service_days_per_year: DefaultedDecimal
  service_days_max: DefaultedDecimal
  carry_over_days_max: DefaultedDecimal
  bank_holiday_division: Defaulted<BankHolidayDivision>
}

export interface LeaveAdjustmentTable {
  org_id: string
  id: string
  employment_id: string
  leave_year_start: string
  days: Decimal
  reason: AdjustmentReason
  note: string | null
  created_by: string | null
  created_at: Timestamp
}

export interface LeaveRequestTable {
  org_id: string
  id: string
  employment_id: string
  leave_type: Defaulted<LeaveType>
  start_date: string
  end_date: string
  days: Decimal
  status: Defaulted<LeaveStatus>
  note: string | null
  requested_by: string
  requested_at: Timestamp
  decided_by: string | null
  decided_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  decision_note: string | null
}

export interface SicknessAbsenceTable {
  org_id: string
  id: string
  employment_id: string
  start_date: string
  end_date: string | null
  reason: string
  category: Defaulted<SicknessCategory>
  qualifying_days: Defaulted<number[]>
  notified_on: string
  work_related: Defaulted<boolean>
  fit_note_from: string | null
  fit_note_to: string | null
  fit_note_received_on: string | null
  recorded_by: string | null
  created_at: Timestamp
}

export interface FamilyLeaveTable {
  org_id: string
  id: string
  employment_id: string
  leave_type: FamilyLeaveType
  expected_week_start: string | null
  child_born_on: string | null
  matched_on: string | null
  placement_on: string | null
  start_date: string
  end_date: string
  statutory_pay_weeks: Defaulted<number>
  notice_given_on: string | null
  evidence_type: 'matb1' | 'matching-certificate' | 'declaration' | 'other' | null
  evidence_received_on: string | null
  recorded_by: string | null
  created_at: Timestamp
}

declare module '../../platform/db/index.ts' {
  interface Tables {
    leave_policies: LeavePolicyTable
    leave_adjustments: LeaveAdjustmentTable
    leave_requests: LeaveRequestTable
    sickness_absences: SicknessAbsenceTable
    family_leaves: FamilyLeaveTable
  }
}
