// The shape of one tax year's statutory rates and thresholds. A year is pure data (one file per
// year in this folder, listed in index.ts); the engine holds no figures of its own. Rates are in
// basis points (1/100 of a per cent: 20% = 2000, 1.85% = 185) so that every rate is an integer.

export type PayFrequency = 'weekly' | 'fortnightly' | 'four-weekly' | 'monthly'

export const PAY_FREQUENCIES: readonly PayFrequency[] = ['weekly', 'fortnightly', 'four-weekly', 'monthly']

/** One income tax rate band. Limits are on taxable pay (pay after free pay), per year, in pounds. */
export interface IncomeTaxBand {
  /** HMRC's name for the band, e.g. 'starter', 'basic', 'higher'. */
  name: string
  /** Upper limit of the band on annual taxable pay, whole pounds; null for the top band. */
  upToPounds: number | null
  rateBasisPoints: number
}

export interface IncomeTaxRegime {
  /** Lowest band first; the last band has upToPounds null. */
  bands: IncomeTaxBand[]
  /**
   * The band a BR code taxes at. D0 is the band after it, D1 the next, and so on: rest of UK
   * D0 = higher, D1 = additional; Scotland SBR = basic, SD0 = intermediate, SD1 = higher...
   */
  basicRateBand: string
}

export interface IncomeTaxRates {
  /**
   * Free pay (or K-code additional pay) for each whole 500 of a code number over 500, per week and
   * per month: 5000/52 and 5000/12 rounded up to the penny (spec: £96.16 and £416.67).
   */
  freePayPer500Block: { weeklyPence: number; monthlyPence: number }
  /** The overriding (regulatory) limit: tax in a period is at most this share of the period's pay. */
  overridingLimitBasisPoints: number
  restOfUk: IncomeTaxRegime
  scotland: IncomeTaxRegime
  wales: IncomeTaxRegime
}

/**
 * A named NI threshold or limit. LEL lower earnings limit, PT primary threshold, ST secondary
 * threshold, UEL upper earnings limit; upper secondary thresholds: UST (under 21), AUST
 * (apprentice under 25), VUST (veteran), FUST (freeport), IZUST (investment zone).
 */
export type NiThresholdName = 'LEL' | 'PT' | 'ST' | 'UEL' | 'UST' | 'AUST' | 'VUST' | 'FUST' | 'IZUST'

export const NI_THRESHOLD_NAMES: readonly NiThresholdName[] = [
  'LEL',
  'PT',
  'ST',
  'UEL',
  'UST',
  'AUST',
  'VUST',
  'FUST',
  'IZUST',
]

/**
 * A threshold as HMRC publishes it: whole pounds per week, per month and per year. Fortnightly and
 * four-weekly figures are derived (annual / 26 and annual / 13, rounded up to the pound), which
 * HMRC's NI test data confirms for every threshold it tests.
 */
export interface NiThreshold {
  weeklyPounds: number
  monthlyPounds: number
  annualPounds: number
}

/**
 * A contribution band: earnings from one threshold up to another (null: no upper limit), at a
 * rate. Contributions are worked out band by band and each band is rounded on its own; HMRC's
 * 2022-23 data shows the employer figure split at the UEL, so bands are split there too.
 */
export type NiBand = readonly [from: NiThresholdName, to: NiThresholdName | null, rateBasisPoints: number]

export interface NiCategoryRates {
  employee: readonly NiBand[]
  employer: readonly NiBand[]
}

/** The NI rules in force from a given tax week / tax month to the next segment or the year end. */
export interface NiSegment {
  /** First tax week (weekly, fortnightly and four-weekly pay: week in which the pay day falls). */
  fromTaxWeek: number
  /** First tax month (monthly pay). */
  fromTaxMonth: number
  thresholds: Record<NiThresholdName, NiThreshold>
  /** Keyed by category letter. */
  categories: Record<string, NiCategoryRates>
}

/** Annual figures for a directors' annual earnings period. */
export interface NiAnnualRates {
  annualThresholdsPounds: Record<NiThresholdName, number>
  /** Keyed by category letter. */
  categories: Record<string, NiCategoryRates>
}

export interface NiRates {
  /** Ordered by fromTaxWeek; the first starts at week 1 / month 1. Most years have one. */
  segments: NiSegment[]
  /**
   * For directors' annual earnings periods when the year's rules changed in-year and HMRC set
   * blended annual figures (2022-23). Absent: the first segment's annual figures apply.
   */
  directorsAnnual?: NiAnnualRates
}

export type StudentLoanPlan = '1' | '2' | '4' | '5'

export const STUDENT_LOAN_PLANS: readonly StudentLoanPlan[] = ['1', '2', '4', '5']

export interface LoanThreshold {
  annualThresholdPounds: number
  rateBasisPoints: number
}

export interface StudentLoanRates {
  /** Only the plans collected through payroll in that year (plan 5 starts in 2026-27). */
  plans: Partial<Record<StudentLoanPlan, LoanThreshold>>
  postgraduate: LoanThreshold
}

export interface TaxYearRates {
  /** "2025-26": the tax year from 6 April 2025 to 5 April 2026. */
  taxYear: string
  /**
   * Whether `gss payroll calc` accepts this year. Older years are kept to run HMRC's earlier
   * conformance data (the engine is proven on more data) but are not offered to callers.
   */
  offeredByCalculator: boolean
  /** Where the figures come from and anything a reader must know about them. */
  sources: string[]
  incomeTax: IncomeTaxRates
  nationalInsurance: NiRates
  studentLoans: StudentLoanRates
}
