import type { PayFrequency } from './rates/types.ts'

// How a pay period maps onto HMRC's tables. Weekly, fortnightly and four-weekly pay all work on
// the weekly tables (52 periods a year): `period` is the tax week in which the pay day falls (1-53).
// Monthly pay works on the monthly tables (12 a year): `period` is the tax month (1-12).

/** Periods a year of the tables the frequency uses: 52 (weekly tables) or 12 (monthly tables). */
export function tablePeriodsPerYear(frequency: PayFrequency): 52 | 12 {
  return frequency === 'monthly' ? 12 : 52
}

/** Table periods in one pay period: 1 week, 2 weeks, 4 weeks or 1 month. */
export function tablePeriodsPerPayPeriod(frequency: PayFrequency): 1 | 2 | 4 {
  if (frequency === 'fortnightly') return 2
  if (frequency === 'four-weekly') return 4
  return 1
}

/** The highest valid `period`: tax week 53 for weekly-based pay, tax month 12 for monthly. */
export function maxPeriod(frequency: PayFrequency): 53 | 12 {
  return frequency === 'monthly' ? 12 : 53
}

export interface PayePeriodBasis {
  /** True when tax is worked out cumulatively (pay and tax to date); false for week 1/month 1. */
  cumulative: boolean
  /**
   * The `n` of HMRC's tax table routines: how many weeks (or months) of free pay and of each rate
   * band apply. Cumulative: the tax week or month number. Week 1/month 1 basis: the table periods
   * in one pay period (1, 2 or 4 weeks; 1 month).
   */
  n: number
  periodsPerYear: 52 | 12
}

/**
 * The basis PAYE uses for a pay period. A pay day in tax week 53 (HMRC's "week 53", "week 54" for
 * fortnightly and "week 56" for four-weekly pay) is always taxed on a non-cumulative basis using
 * 1, 2 or 4 weeks of free pay and bands, as the Specification for PAYE Tax Table Routines requires.
 */
export function payePeriodBasis(
  frequency: PayFrequency,
  period: number,
  week1Month1: boolean,
): PayePeriodBasis {
  const periodsPerYear = tablePeriodsPerYear(frequency)
  const perPayPeriod = tablePeriodsPerPayPeriod(frequency)
  if (week1Month1 || (periodsPerYear === 52 && period === 53)) {
    return { cumulative: false, n: perPayPeriod, periodsPerYear }
  }
  return { cumulative: true, n: period, periodsPerYear }
}
