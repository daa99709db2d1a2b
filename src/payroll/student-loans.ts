// Student and postgraduate loan deductions (HMRC: "Collection of Student Loans" guidance and
// manual CSLM17065). Deductions are non-cumulative: each pay period stands alone.
//
// - Period threshold: annual threshold / 52 (weekly) or / 12 (monthly), rounded DOWN to the penny
//   (2025-26 Plan 1: £501.25 a week, £2,172.08 a month; PGL £403.84 a week). Fortnightly and
//   four-weekly pay is a whole number of weeks, so the threshold is 2 or 4 times the weekly one.
// - Deduction: rate x (NI-able earnings in the period - threshold), rounded DOWN to whole pounds.
// - More than one plan (1, 2, 4, 5): one 9% deduction over the LOWEST of their thresholds (HMRC
//   then shares it between plans; the payslip and FPS show the single total).
// - The postgraduate loan is separate and adds 6% over its own threshold.
//
// There is no HMRC student loan test data in the corpus; student-loans.test.ts has worked examples.

import type { LoanThreshold, PayFrequency, StudentLoanPlan, TaxYearRates } from './rates/types.ts'

/** A loan threshold for one pay period, in pence. */
export function loanPeriodThresholdPence(annualThresholdPounds: number, frequency: PayFrequency): number {
  if (frequency === 'monthly') return Math.floor((annualThresholdPounds * 100) / 12)
  const weekly = Math.floor((annualThresholdPounds * 100) / 52)
  if (frequency === 'fortnightly') return weekly * 2
  if (frequency === 'four-weekly') return weekly * 4
  return weekly
}

function deductionPence(loan: LoanThreshold, frequency: PayFrequency, earningsPence: number): number {
  const excess = earningsPence - loanPeriodThresholdPence(loan.annualThresholdPounds, frequency)
  if (excess <= 0) return 0
  // pounds = excess pence x bp / 10000 / 100, rounded down
  return Math.floor((excess * loan.rateBasisPoints) / 1_000_000) * 100
}

/** Why a plan cannot be collected in a year (for example plan 5 before 2026-27), if so. */
export function checkStudentLoanPlan(rates: TaxYearRates, plan: StudentLoanPlan): string | undefined {
  if (rates.studentLoans.plans[plan] !== undefined) return undefined
  const offered = Object.keys(rates.studentLoans.plans).sort().join(', ')
  return `plan ${plan} is not collected through payroll in ${rates.taxYear} (plans: ${offered})`
}

export interface StudentLoanInput {
  rates: TaxYearRates
  /** One or more of the employee's plans; empty gives nil. */
  plans: readonly StudentLoanPlan[]
  payFrequency: PayFrequency
  niablePayPence: number
}

/** The student loan deduction for the period (whole pounds, as pence). */
export function calculateStudentLoan(input: StudentLoanInput): number {
  let lowest: LoanThreshold | undefined
  for (const plan of input.plans) {
    const loan = input.rates.studentLoans.plans[plan]
    if (loan === undefined) throw new RangeError(checkStudentLoanPlan(input.rates, plan))
    if (lowest === undefined || loan.annualThresholdPounds < lowest.annualThresholdPounds) lowest = loan
  }
  return lowest === undefined ? 0 : deductionPence(lowest, input.payFrequency, input.niablePayPence)
}

export interface PostgraduateLoanInput {
  rates: TaxYearRates
  payFrequency: PayFrequency
  niablePayPence: number
}

/** The postgraduate loan deduction for the period (whole pounds, as pence). */
export function calculatePostgraduateLoan(input: PostgraduateLoanInput): number {
  return deductionPence(input.rates.studentLoans.postgraduate, input.payFrequency, input.niablePayPence)
}
