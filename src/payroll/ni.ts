// Class 1 National Insurance by category letter, per pay period (the "exact percentage" method),
// and for company directors (annual earnings period and the alternative method). Checked row by
// row against HMRC's NIC and directors' NIC test data (hmrc-conformance.test.ts).
//
// - Period thresholds: HMRC's weekly and monthly figures as published; fortnightly and four-weekly
//   are annual / 26 and annual / 13 rounded UP to the pound (e.g. 2025-26 PT £484 and £967).
// - Contributions are worked out band by band (for example PT-UEL at 8%, above UEL at 2%); each
//   band's amount is rounded on its own on the third decimal place, 5 or less down, 6 or more up
//   (niRoundPence). Rounding the total once instead fails 3 of HMRC's 2025-26 rows.
// - The FPS earnings bands: at LEL (the LEL itself when pay reaches it), LEL to PT and PT to UEL.

import { ceilDiv, niRoundPence } from './money.ts'
import type {
  NiAnnualRates,
  NiBand,
  NiCategoryRates,
  NiSegment,
  NiThresholdName,
  PayFrequency,
  TaxYearRates,
} from './rates/types.ts'
import { NI_THRESHOLD_NAMES } from './rates/types.ts'

export type ThresholdsPence = Record<NiThresholdName, number>

export interface EarningsBandsPence {
  atLelPence: number
  lelToPtPence: number
  ptToUelPence: number
}

export interface NiResult extends EarningsBandsPence {
  employeePence: number
  employerPence: number
}

const periodThresholdCache = new WeakMap<NiSegment, Map<PayFrequency, ThresholdsPence>>()

/** A segment's thresholds for one pay frequency, in pence. */
export function periodThresholdsPence(segment: NiSegment, frequency: PayFrequency): ThresholdsPence {
  let byFrequency = periodThresholdCache.get(segment)
  if (byFrequency === undefined) {
    byFrequency = new Map()
    periodThresholdCache.set(segment, byFrequency)
  }
  let result = byFrequency.get(frequency)
  if (result === undefined) {
    const built: Partial<ThresholdsPence> = {}
    for (const name of NI_THRESHOLD_NAMES) {
      const threshold = segment.thresholds[name]
      const pounds =
        frequency === 'weekly'
          ? threshold.weeklyPounds
          : frequency === 'monthly'
            ? threshold.monthlyPounds
            : ceilDiv(threshold.annualPounds, frequency === 'fortnightly' ? 26 : 13)
      built[name] = pounds * 100
    }
    result = built as ThresholdsPence
    byFrequency.set(frequency, result)
  }
  return result
}

/** The NI rules in force for a pay period (tax week for weekly-based pay, tax month for monthly). */
export function niSegmentFor(rates: TaxYearRates, frequency: PayFrequency, period: number): NiSegment {
  const segments = rates.nationalInsurance.segments
  let chosen = segments[0]!
  for (const segment of segments) {
    const start = frequency === 'monthly' ? segment.fromTaxMonth : segment.fromTaxWeek
    if (start <= period) chosen = segment
  }
  return chosen
}

/** Whether a year knows a category letter (in any part of the year). */
export function hasNiCategory(rates: TaxYearRates, category: string): boolean {
  return rates.nationalInsurance.segments.some((segment) => Object.hasOwn(segment.categories, category))
}

function categoryRates(
  categories: Record<string, NiCategoryRates>,
  category: string,
  where: string,
): NiCategoryRates {
  if (!Object.hasOwn(categories, category))
    throw new RangeError(`NI category ${category} is not known ${where}`)
  return categories[category]!
}

/** Contributions on pay over a list of bands, each band rounded on its own. */
export function contributionsPence(
  payPence: number,
  bands: readonly NiBand[],
  thresholds: ThresholdsPence,
): number {
  let total = 0
  for (const [from, to, rate] of bands) {
    if (rate === 0) continue
    const lower = thresholds[from]
    const upper = to === null ? payPence : Math.min(payPence, thresholds[to])
    if (upper > lower) total += niRoundPence(upper - lower, rate)
  }
  return total
}

/** The FPS earnings bands for pay against a set of thresholds. */
export function earningsBandsPence(payPence: number, thresholds: ThresholdsPence): EarningsBandsPence {
  const { LEL, PT, UEL } = thresholds
  if (payPence < LEL) return { atLelPence: 0, lelToPtPence: 0, ptToUelPence: 0 }
  return {
    atLelPence: LEL,
    lelToPtPence: Math.min(payPence, PT) - LEL,
    ptToUelPence: Math.max(0, Math.min(payPence, UEL) - PT),
  }
}

export interface NiInput {
  rates: TaxYearRates
  /** Category letter, e.g. 'A'. */
  category: string
  payFrequency: PayFrequency
  /** Tax week (weekly-based pay) or tax month; only matters in a year whose rules changed in-year. */
  period: number
  niablePayPence: number
}

/** Employee and employer Class 1 NI for one pay period (not for directors' annual periods). */
export function calculateNi(input: NiInput): NiResult {
  const segment = niSegmentFor(input.rates, input.payFrequency, input.period)
  const category = categoryRates(
    segment.categories,
    input.category,
    `in ${input.rates.taxYear} at that period`,
  )
  const thresholds = periodThresholdsPence(segment, input.payFrequency)
  const pay = Math.max(0, input.niablePayPence)
  return {
    employeePence: contributionsPence(pay, category.employee, thresholds),
    employerPence: contributionsPence(pay, category.employer, thresholds),
    ...earningsBandsPence(pay, thresholds),
  }
}

// ---------------------------------------------------------------------------------------------
// Directors (HMRC CA44). A director has an annual earnings period: NI is due on earnings to date
// against annual thresholds. A director appointed during the year has a pro-rata earnings period:
// each annual threshold x weeks remaining (from the week of appointment) / 52, rounded UP to the
// pound (HMRC's data: PT 12570 x 48 / 52 = 11603.08 -> 11604). On the alternative method NI is
// worked out period by period like any employee's, and recalculated on the annual basis in the
// last pay period of the year (or when the director leaves).

function annualRatesFor(rates: TaxYearRates): NiAnnualRates {
  const override = rates.nationalInsurance.directorsAnnual
  if (override) return override
  const first = rates.nationalInsurance.segments[0]!
  const annualThresholdsPounds: Partial<Record<NiThresholdName, number>> = {}
  for (const name of NI_THRESHOLD_NAMES) annualThresholdsPounds[name] = first.thresholds[name].annualPounds
  return {
    annualThresholdsPounds: annualThresholdsPounds as Record<NiThresholdName, number>,
    categories: first.categories,
  }
}

/** Annual (or pro-rata annual) thresholds in pence for a directors' earnings period of `weeks`. */
export function directorsAnnualThresholdsPence(rates: TaxYearRates, weeks: number): ThresholdsPence {
  const annual = annualRatesFor(rates).annualThresholdsPounds
  const result: Partial<ThresholdsPence> = {}
  for (const name of NI_THRESHOLD_NAMES) result[name] = ceilDiv(annual[name] * weeks, 52) * 100
  return result as ThresholdsPence
}

export type DirectorMethod = 'annual' | 'alternative'

export interface DirectorNiInput {
  rates: TaxYearRates
  category: string
  method: DirectorMethod
  payFrequency: PayFrequency
  /** Tax week or month of this pay day. */
  period: number
  /** NI-able earnings paid this period. */
  niablePayPence: number
  /** NI-able earnings as a director this year, including this period. */
  earningsToDatePence: number
  /** Contributions as a director in earlier periods of the year. */
  employeeNiToDatePence: number
  employerNiToDatePence: number
  /** Earnings bands as a director in earlier periods (alternative method; zero if none). */
  earningsBandsToDate: EarningsBandsPence
  /** Weeks in the directors' earnings period: 52, or fewer when appointed during the year. */
  weeksAsDirector: number
  /** Last pay period of the year (or of the directorship): alternative method recalculates. */
  finalPeriod: boolean
}

export interface DirectorNiResult {
  employeePence: number
  employerPence: number
  employeeToDatePence: number
  employerToDatePence: number
  earningsBandsToDate: EarningsBandsPence
}

export function calculateDirectorNi(input: DirectorNiInput): DirectorNiResult {
  if (input.method === 'alternative' && !input.finalPeriod) {
    const period = calculateNi(input)
    const before = input.earningsBandsToDate
    return {
      employeePence: period.employeePence,
      employerPence: period.employerPence,
      employeeToDatePence: input.employeeNiToDatePence + period.employeePence,
      employerToDatePence: input.employerNiToDatePence + period.employerPence,
      earningsBandsToDate: {
        atLelPence: before.atLelPence + period.atLelPence,
        lelToPtPence: before.lelToPtPence + period.lelToPtPence,
        ptToUelPence: before.ptToUelPence + period.ptToUelPence,
      },
    }
  }
  const annual = annualRatesFor(input.rates)
  const category = categoryRates(annual.categories, input.category, `for directors in ${input.rates.taxYear}`)
  const thresholds = directorsAnnualThresholdsPence(input.rates, input.weeksAsDirector)
  const earnings = Math.max(0, input.earningsToDatePence)
  const employeeToDatePence = contributionsPence(earnings, category.employee, thresholds)
  const employerToDatePence = contributionsPence(earnings, category.employer, thresholds)
  return {
    employeePence: employeeToDatePence - input.employeeNiToDatePence,
    employerPence: employerToDatePence - input.employerNiToDatePence,
    employeeToDatePence,
    employerToDatePence,
    earningsBandsToDate: earningsBandsPence(earnings, thresholds),
  }
}
