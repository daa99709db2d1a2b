// One employment's pay for one pay period, from HR's terms and the pay elements, through the
// statutory engine. Pure: the pay run loads inputs in bulk, calls this per employment, and writes
// the results in bulk. Order of working (see docs/decisions/0300-pay-runs.md):
//   basic (salary x FTE, pro-rated by calendar days) + additions + statutory pay = gross
//   gross - salary sacrifice = pay for NI (and student loans)
//   pay for NI - employee pension (net pay arrangement) = taxable pay
//   taxable pay - tax - employee NI - loans - other deductions = net pay
import { calculateNi, earningsBandsPence, hasNiCategory, niSegmentFor, periodThresholdsPence } from './ni.ts'
import type { PayYearRates } from './pay-rates.ts'
import { alphaMemberRate, percentOfPence } from './pay-rates.ts'
import { calculatePaye, checkTaxCodeForYear, parseTaxCode } from './paye.ts'
import type { PayFrequency, StudentLoanPlan, TaxYearRates } from './rates/types.ts'
import type { StatutoryLine } from './statutory-pay.ts'
import { calculatePostgraduateLoan, calculateStudentLoan, checkStudentLoanPlan } from './student-loans.ts'

const DAY_MS = 86_400_000

export function dayNumber(isoDate: string): number {
  return (
    Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10))) /
    DAY_MS
  )
}

export function isoFromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** The tax year a date falls in: "2026-27" runs from 6 April 2026 to 5 April 2027. */
export function taxYearOf(isoDate: string): string {
  const year = Number(isoDate.slice(0, 4))
  const start = isoDate.slice(5) >= '04-06' ? year : year - 1
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`
}

/** First day of a tax year ("2026-27" → "2026-04-06"). */
export function taxYearStart(taxYear: string): string {
  return `${taxYear.slice(0, 4)}-04-06`
}

/** The tax month (1-12, month 1 from 6 April to 5 May) or tax week (1-53) of a pay day. */
export function taxPeriodOf(frequency: PayFrequency, payDate: string): number {
  const start = taxYearStart(taxYearOf(payDate))
  if (frequency === 'monthly') {
    const months =
      (Number(payDate.slice(0, 4)) - Number(start.slice(0, 4))) * 12 +
      Number(payDate.slice(5, 7)) -
      4 -
      (Number(payDate.slice(8, 10)) < 6 ? 1 : 0)
    return months + 1
  }
  return Math.floor((dayNumber(payDate) - dayNumber(start)) / 7) + 1
}

/** Periods a year, for annualising pensionable pay. */
export function payPeriodsPerYear(frequency: PayFrequency): number {
  return frequency === 'monthly' ? 12 : frequency === 'weekly' ? 52 : frequency === 'fortnightly' ? 26 : 13
}

/** FTE as ten-thousandths ("0.8000" → 8000), exactly. */
export function fteTenThousandths(fte: string): number {
  const match = /^(\d+)(?:\.(\d{1,4}))?$/.exec(fte)
  if (!match) throw new RangeError(`FTE "${fte}" is not a decimal with up to 4 places`)
  return Number(match[1]) * 10_000 + Number((match[2] ?? '').padEnd(4, '0'))
}

/** Salary for a whole pay period: annual FTE salary x FTE / 12 (or x weeks / 52), nearest penny. */
export function periodSalaryPence(annualPence: number, fte: number, frequency: PayFrequency): number {
  const weeks = frequency === 'weekly' ? 1 : frequency === 'fortnightly' ? 2 : 4
  const [numerator, denominator] = frequency === 'monthly' ? [1, 12] : [weeks, 52]
  const scaled = annualPence * fte * numerator
  const divisor = 10_000 * denominator
  return Math.floor((scaled + divisor / 2) / divisor)
}

export type PensionScheme = 'alpha' | 'auto-enrolment' | 'none'

export interface PayElement {
  kind: string
  description: string
  amountPence: number
  days: number | null
  pensionable: boolean
}

export interface PayslipInput {
  rates: TaxYearRates
  payRates: PayYearRates
  frequency: PayFrequency
  /** Tax month or tax week of the pay day. */
  period: number
  periodStart: string
  periodEnd: string
  startDate: string
  endDate: string | null
  annualSalaryPence: number
  /** FTE in ten-thousandths. */
  fte: number
  niCategory: string
  niNumber: string | null
  studentLoanPlans: readonly string[]
  postgraduateLoan: boolean
  pensionScheme: PensionScheme
  taxCode: string | null
  week1Month1: boolean
  hasBankDetails: boolean
  elements: readonly PayElement[]
  /** Taxable pay and tax in earlier periods of the tax year. */
  priorTaxablePence: number
  priorTaxPence: number
  /**
   * Statutory pay worked out from HR's absence records (statutory-pay.ts). Occupational pay is
   * inclusive of it: basic pay is reduced by it (never below nothing), so an employee on full
   * occupational sick or maternity pay gets the same gross, part of it statutory; once occupational
   * pay stops (unpaid leave) the statutory pay is all they get.
   */
  statutory?: readonly StatutoryLine[] | undefined
}

export interface PayslipLine {
  kind: string
  description: string
  amountPence: number
}

export interface PayslipFigures {
  daysPaid: number
  basicPence: number
  additionsPence: number
  statutoryPence: number
  salarySacrificePence: number
  grossPence: number
  pensionablePence: number
  employeePensionPence: number
  employerPensionPence: number
  taxablePence: number
  niablePence: number
  taxPence: number
  employeeNiPence: number
  employerNiPence: number
  studentLoanPence: number
  postgraduateLoanPence: number
  deductionsPence: number
  netPence: number
  taxableToDatePence: number
  taxToDatePence: number
  atLelPence: number
  lelToPtPence: number
  ptToUelPence: number
  lines: PayslipLine[]
}

export type PayslipResult = { ok: true; figures: PayslipFigures } | { ok: false; errors: string[] }

const NI_NUMBER = /^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$/
const NI_UNALLOCATED = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'])
const ADDITIONS = new Set(['allowance', 'overtime', 'one-off', 'back-pay'])
const STATUTORY = new Set(['ssp', 'smp', 'spp', 'sap', 'shpp', 'spbp'])

const codeCache = new Map<string, ReturnType<typeof parseTaxCode>>()
function parseCodeCached(text: string) {
  let parsed = codeCache.get(text)
  if (parsed === undefined) {
    if (codeCache.size > 10_000) codeCache.clear()
    parsed = parseTaxCode(text)
    codeCache.set(text, parsed)
  }
  return parsed
}

/** Why an employment cannot be paid this period, every reason at once (empty when it can). */
export function checkPayable(input: PayslipInput): string[] {
  const errors: string[] = []
  if (input.taxCode === null) errors.push('No tax code is in force on the pay date')
  else {
    const parsed = parseCodeCached(input.taxCode)
    if (!parsed.ok) errors.push(`Tax code: ${parsed.error}`)
    else {
      const problem = checkTaxCodeForYear(parsed.taxCode, input.rates.incomeTax, input.rates.taxYear)
      if (problem) errors.push(`Tax code: ${problem}`)
    }
  }
  if (!hasNiCategory(input.rates, input.niCategory))
    errors.push(
      `NI category letter "${input.niCategory}" is not a National Insurance category in ${input.rates.taxYear}`,
    )
  if (
    input.niNumber !== null &&
    (!NI_NUMBER.test(input.niNumber) || NI_UNALLOCATED.has(input.niNumber.slice(0, 2)))
  )
    errors.push(`National Insurance number "${input.niNumber}" is not a valid number`)
  if (!input.hasBankDetails) errors.push('No bank details: net pay cannot be paid')
  for (const plan of input.studentLoanPlans) {
    const problem = checkStudentLoanPlan(input.rates, plan as StudentLoanPlan)
    if (problem) errors.push(`Student loan: ${problem}`)
  }
  return errors
}

/** Calendar days of the pay period the employment covers, less days of unpaid leave. */
export function daysEmployed(input: {
  periodStart: string
  periodEnd: string
  startDate: string
  endDate: string | null
}): number {
  const from = Math.max(dayNumber(input.periodStart), dayNumber(input.startDate))
  const to = Math.min(
    dayNumber(input.periodEnd),
    input.endDate ? dayNumber(input.endDate) : Number.POSITIVE_INFINITY,
  )
  return Math.max(0, to - from + 1)
}

export function calculatePayslip(input: PayslipInput): PayslipResult {
  const errors = checkPayable(input)
  if (errors.length > 0) return { ok: false, errors }
  const { rates, payRates, frequency, period } = input
  const lines: PayslipLine[] = []

  // Basic pay, pro-rated by calendar days for starters, leavers and unpaid leave.
  const periodDays = dayNumber(input.periodEnd) - dayNumber(input.periodStart) + 1
  const full = periodSalaryPence(input.annualSalaryPence, input.fte, frequency)
  let unpaidDays = 0
  for (const element of input.elements) if (element.kind === 'unpaid-leave') unpaidDays += element.days ?? 0
  const employedDays = daysEmployed(input)
  const daysPaid = Math.max(0, employedDays - unpaidDays)
  const contractualPence =
    daysPaid === periodDays ? full : Math.floor((full * daysPaid * 2 + periodDays) / (periodDays * 2))
  let hrStatutoryPence = 0
  for (const line of input.statutory ?? []) hrStatutoryPence += line.amountPence
  const offsetPence = Math.min(contractualPence, hrStatutoryPence)
  const basicPence = contractualPence - offsetPence
  if (contractualPence > 0 || daysPaid > 0) {
    const days = daysPaid === periodDays ? '' : ` (${daysPaid} of ${periodDays} days)`
    const less = offsetPence > 0 ? `, less £${(offsetPence / 100).toFixed(2)} paid as statutory pay` : ''
    lines.push({ kind: 'basic', description: `Basic pay${days}${less}`, amountPence: basicPence })
  }
  for (const line of input.statutory ?? [])
    lines.push({ kind: line.kind, description: line.description, amountPence: line.amountPence })

  let additionsPence = 0
  let statutoryPence = hrStatutoryPence
  let sacrificePence = 0
  let deductionsPence = 0
  // Occupational pay, statutory pay within it included, is what is pensionable.
  let pensionablePence = contractualPence
  for (const element of input.elements) {
    if (element.kind === 'unpaid-leave') continue
    const amount = element.amountPence
    if (ADDITIONS.has(element.kind)) {
      additionsPence += amount
      if (element.pensionable) pensionablePence += amount
    } else if (STATUTORY.has(element.kind)) statutoryPence += amount
    else if (element.kind === 'salary-sacrifice') sacrificePence += amount
    else if (element.kind === 'deduction') deductionsPence += amount
    const negative = element.kind === 'salary-sacrifice' || element.kind === 'deduction'
    lines.push({
      kind: element.kind,
      description: element.description,
      amountPence: negative ? -amount : amount,
    })
  }
  const grossPence = basicPence + additionsPence + statutoryPence
  const niablePence = Math.max(0, grossPence - sacrificePence)

  // Pensions: net pay arrangement (deducted before tax, not before NI).
  let employeePensionPence = 0
  let employerPensionPence = 0
  if (input.pensionScheme === 'alpha') {
    const annualised = pensionablePence * payPeriodsPerYear(frequency)
    employeePensionPence = percentOfPence(pensionablePence, alphaMemberRate(payRates, annualised))
    employerPensionPence = percentOfPence(pensionablePence, payRates.alpha.employerRateBasisPoints)
  } else if (input.pensionScheme === 'auto-enrolment') {
    const ae = payRates.autoEnrolment
    const qualifying = Math.max(0, Math.min(niablePence, ae.upperPence[frequency]) - ae.lowerPence[frequency])
    employeePensionPence = percentOfPence(qualifying, ae.employeeRateBasisPoints)
    employerPensionPence = percentOfPence(qualifying, ae.employerRateBasisPoints)
  }
  const taxablePence = niablePence - employeePensionPence

  const parsed = parseCodeCached(input.taxCode!)
  if (!parsed.ok) return { ok: false, errors: [parsed.error] }
  const taxCode = parsed.taxCode
  const week1Month1 = input.week1Month1 || taxCode.nonCumulativeMarker
  const paye = calculatePaye({
    rates: rates.incomeTax,
    taxYear: rates.taxYear,
    taxCode,
    payFrequency: frequency,
    period,
    week1Month1,
    taxablePayPence: taxablePence,
    taxablePayToDatePence: input.priorTaxablePence + taxablePence,
    taxPaidToDatePence: input.priorTaxPence,
  })
  const ni = calculateNi({
    rates,
    category: input.niCategory,
    payFrequency: frequency,
    period,
    niablePayPence: niablePence,
  })
  const bands = earningsBandsPence(
    niablePence,
    periodThresholdsPence(niSegmentFor(rates, frequency, period), frequency),
  )
  const studentLoanPence =
    input.studentLoanPlans.length > 0
      ? calculateStudentLoan({
          rates,
          plans: input.studentLoanPlans as StudentLoanPlan[],
          payFrequency: frequency,
          niablePayPence: niablePence,
        })
      : 0
  const postgraduateLoanPence = input.postgraduateLoan
    ? calculatePostgraduateLoan({ rates, payFrequency: frequency, niablePayPence: niablePence })
    : 0
  const netPence =
    taxablePence -
    paye.taxPence -
    ni.employeePence -
    studentLoanPence -
    postgraduateLoanPence -
    deductionsPence
  if (netPence < 0)
    return {
      ok: false,
      errors: [`Net pay would be negative (${(netPence / 100).toFixed(2)}): check the deductions`],
    }
  return {
    ok: true,
    figures: {
      daysPaid,
      basicPence,
      additionsPence,
      statutoryPence,
      salarySacrificePence: sacrificePence,
      grossPence,
      pensionablePence,
      employeePensionPence,
      employerPensionPence,
      taxablePence,
      niablePence,
      taxPence: paye.taxPence,
      employeeNiPence: ni.employeePence,
      employerNiPence: ni.employerPence,
      studentLoanPence,
      postgraduateLoanPence,
      deductionsPence,
      netPence,
      taxableToDatePence: input.priorTaxablePence + taxablePence,
      taxToDatePence: paye.taxToDatePence,
      atLelPence: bands.atLelPence,
      lelToPtPence: bands.lelToPtPence,
      ptToUelPence: bands.ptToUelPence,
      lines,
    },
  }
}
