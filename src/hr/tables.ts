// Kysely row types for the HR core tables (migrations/0200_hr_core.sql). Dates are ISO strings
// (YYYY-MM-DD); numeric columns (fte, hours) come back as decimal strings, never floats.
import type { ColumnType } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
/** A numeric column: read as a decimal string, written as a string or number. */
type Decimal = ColumnType<string, string | number, string | number>
type DefaultedDecimal = ColumnType<string, string | number | undefined, string | number>

export type StandardGrade =
  | 'AA'
  | 'AO'
  | 'EO'
  | 'HEO'
  | 'SEO'
  | 'G7'
  | 'G6'
  | 'SCS1'
  | 'SCS2'
  | 'SCS3'
  | 'SCS4'
export const STANDARD_GRADES: readonly StandardGrade[] = [
  'AA',
  'AO',
  'EO',
  'HEO',
  'SEO',
  'G7',
  'G6',
  'SCS1',
  'SCS2',
  'SCS3',
  'SCS4',
]
export type ContractType = 'permanent' | 'fixed-term' | 'secondment' | 'loan' | 'casual'
export type PayFrequency = 'weekly' | 'fortnightly' | 'four-weekly' | 'monthly'
export type PensionScheme = 'alpha' | 'auto-enrolment' | 'none'
export type TaxCodeSource = 'starter' | 'p45' | 'p6' | 'p9' | 'manual'

export interface PersonTable {
  id: string
  org_id: string
  forenames: string
  surname: string
  preferred_name: string | null
  date_of_birth: string
  ni_number: string | null
  email: string | null
  phone: string | null
  address_line1: string | null
  address_line2: string | null
  town: string | null
  postcode: string | null
  user_id: string | null
  created_at: Timestamp
}

export interface PersonDiversityTable {
  org_id: string
  person_id: string
  sex: string | null
  gender_same_as_birth: string | null
  ethnicity: string | null
  disability: string | null
  sexual_orientation: string | null
  religion: string | null
  caring_responsibility: string | null
  socio_economic_background: string | null
  recorded_on: ColumnType<string, string | undefined, string>
}

export interface GradeTable {
  org_id: string
  code: string
  name: string
  standard_grade: StandardGrade
  rank: number
  annual_leave_days: DefaultedDecimal
}

export interface PayScaleTable {
  org_id: string
  grade_code: string
  valid_from: string
  valid_to: string | null
  minimum_pence: number
  maximum_pence: number
  location: ColumnType<string, string | undefined, string>
}

export interface OrgUnitTable {
  org_id: string
  id: string
  code: string
  name: string
  parent_id: string | null
  cost_centre_code: string | null
  opened_on: string
  closed_on: string | null
}

export interface PositionTable {
  org_id: string
  id: string
  code: string
  title: string
  unit_id: string
  grade_code: string
  reports_to_id: string | null
  cost_centre_code: string | null
  fte: DefaultedDecimal
  established_on: string
  abolished_on: string | null
}

export interface EmploymentTable {
  org_id: string
  id: string
  person_id: string
  employee_number: string
  contract_type: ContractType
  lent_by_org_id: string | null
  start_date: string
  expected_end_date: string | null
  end_date: string | null
  leaving_reason: string | null
  continuous_service_date: string
  created_at: Timestamp
}

export interface EmploymentTermsTable {
  org_id: string
  employment_id: string
  valid_from: string
  valid_to: string | null
  position_id: string
  grade_code: string
  cost_centre_code: string
  fte: Decimal
  hours_per_week: Decimal
  days_per_week: DefaultedDecimal
  annual_salary_pence: number
  pay_frequency: ColumnType<PayFrequency, PayFrequency | undefined, PayFrequency>
  change_reason: string
  created_by: string | null
  created_at: Timestamp
}

export interface PayrollDetailsTable {
  org_id: string
  employment_id: string
  starter_declaration: 'A' | 'B' | 'C' | null
  ni_category: ColumnType<string, string | undefined, string>
  student_loan_plans: ColumnType<string[], string[] | undefined, string[]>
  postgraduate_loan: ColumnType<boolean, boolean | undefined, boolean>
  pension_scheme: ColumnType<PensionScheme, PensionScheme | undefined, PensionScheme>
  bank_account_name: string | null
  bank_sort_code: string | null
  bank_account_number: string | null
}

export interface TaxCodeTable {
  org_id: string
  employment_id: string
  valid_from: string
  valid_to: string | null
  tax_code: string
  week1_month1: ColumnType<boolean, boolean | undefined, boolean>
  source: TaxCodeSource
}

declare module '../platform/db/index.ts' {
  interface Tables {
    people: PersonTable
    person_diversity: PersonDiversityTable
    grades: GradeTable
    pay_scales: PayScaleTable
    org_units: OrgUnitTable
    positions: PositionTable
    employments: EmploymentTable
    employment_terms: EmploymentTermsTable
    payroll_details: PayrollDetailsTable
    tax_codes: TaxCodeTable
  }
}
