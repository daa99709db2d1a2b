// Pension and statutory payment figures per tax year, as data (like rates/): adding a year is
// adding an entry. Rates in basis points; money in pence.
import type { PayFrequency } from './rates/types.ts'

export interface AlphaBand {
  /** Upper limit of annualised pensionable pay for the band, pence; null for the top band. */
  upToPence: number | null
  memberRateBasisPoints: number
}

export interface PayYearRates {
  taxYear: string
  sources: string[]
  alpha: { bands: AlphaBand[]; employerRateBasisPoints: number }
  /** Auto-enrolment qualifying earnings band per pay period, pence. */
  autoEnrolment: {
    lowerPence: Record<PayFrequency, number>
    upperPence: Record<PayFrequency, number>
    employeeRateBasisPoints: number
    employerRateBasisPoints: number
  }
  /** Statutory sick pay, weekly. */
  sspWeeklyPence: number
  /**
   * The SSP rules of the year (statutory-pay.ts): waiting days at the start of a linked series of
   * periods of incapacity, whether average weekly earnings must reach the NI lower earnings limit,
   * and the share of AWE that caps the weekly rate (null: the flat rate only).
   */
  sspRules: { waitingDays: number; lowerEarningsLimitApplies: boolean; aweCapBasisPoints: number | null }
  /** Statutory maternity (and paternity, shared parental, adoption) pay flat weekly rate. */
  smpWeeklyPence: number
}

// Civil Service alpha member contribution bands 2025-26 (published scheme rates, annualised
// pensionable pay) and the employer rate of 28.97%.
const ALPHA_2025: PayYearRates['alpha'] = {
  bands: [
    { upToPence: 3_200_000, memberRateBasisPoints: 460 },
    { upToPence: 5_600_000, memberRateBasisPoints: 545 },
    { upToPence: 15_000_000, memberRateBasisPoints: 735 },
    { upToPence: null, memberRateBasisPoints: 805 },
  ],
  employerRateBasisPoints: 2897,
}

// Qualifying earnings £6,240 to £50,270 a year; the Pensions Regulator's per-period figures.
const AUTO_ENROLMENT_2025: PayYearRates['autoEnrolment'] = {
  lowerPence: { weekly: 12_000, fortnightly: 24_000, 'four-weekly': 48_000, monthly: 52_000 },
  upperPence: { weekly: 96_700, fortnightly: 193_400, 'four-weekly': 386_700, monthly: 418_900 },
  employeeRateBasisPoints: 500,
  employerRateBasisPoints: 300,
}

export const PAY_YEAR_RATES: readonly PayYearRates[] = [
  {
    taxYear: '2025-26',
    sources: [
      'Civil Service Pensions, alpha member contribution rates from 1 April 2025; employer rate 28.97%',
      'The Pensions Regulator, automatic enrolment earnings thresholds 2025-26',
      'GOV.UK, Rates and thresholds for employers 2025 to 2026: SSP £118.75, SMP £187.18',
    ],
    alpha: ALPHA_2025,
    autoEnrolment: AUTO_ENROLMENT_2025,
    sspWeeklyPence: 11_875,
    sspRules: { waitingDays: 3, lowerEarningsLimitApplies: true, aweCapBasisPoints: null },
    smpWeeklyPence: 18_718,
  },
  {
    taxYear: '2026-27',
    sources: [
      'alpha bands held at the 2025-26 figures until the 2026-27 bands are published',
      'Automatic enrolment thresholds held at 2025-26 (frozen by the annual review)',
      'GOV.UK, Rates and thresholds for employers 2026 to 2027: SSP £123.25, SMP £194.32 (to check against the published page before live use)',
      'Employment Rights Act 2025, SSP from 6 April 2026: no waiting days, no lower earnings limit, the lesser of the flat rate and 80% of average weekly earnings (to check against commencement regulations)',
    ],
    alpha: ALPHA_2025,
    autoEnrolment: AUTO_ENROLMENT_2025,
    sspWeeklyPence: 12_325,
    sspRules: { waitingDays: 0, lowerEarningsLimitApplies: false, aweCapBasisPoints: 8000 },
    smpWeeklyPence: 19_432,
  },
]

const byYear = new Map(PAY_YEAR_RATES.map((rates) => [rates.taxYear, rates]))

export function getPayYearRates(taxYear: string): PayYearRates | undefined {
  return byYear.get(taxYear)
}

/** Percentage of an amount, rounded to the nearest penny (half up). Amount >= 0. */
export function percentOfPence(amountPence: number, rateBasisPoints: number): number {
  return Math.floor((amountPence * rateBasisPoints + 5000) / 10000)
}

/** The alpha member rate for annualised pensionable pay. */
export function alphaMemberRate(rates: PayYearRates, annualisedPence: number): number {
  for (const band of rates.alpha.bands) {
    if (band.upToPence === null || annualisedPence <= band.upToPence) return band.memberRateBasisPoints
  }
  throw new Error('alpha bands must end with an open band')
}

/**
 * Statutory sick pay for `daysPaid` qualifying days when the employee has `qualifyingDaysPerWeek`:
 * the weekly rate shared over the qualifying days, rounded up to the penny as HMRC's daily tables are.
 */
export function sspPence(rates: PayYearRates, daysPaid: number, qualifyingDaysPerWeek: number): number {
  if (daysPaid <= 0) return 0
  return Math.ceil((rates.sspWeeklyPence * daysPaid) / qualifyingDaysPerWeek)
}

/**
 * Statutory maternity pay for one week of the 39: 90% of average weekly earnings for the first six
 * weeks, then the lesser of the flat rate and 90% of AWE. 90% is rounded up to the penny.
 */
export function smpWeekPence(rates: PayYearRates, averageWeeklyEarningsPence: number, week: number): number {
  const ninety = Math.ceil((averageWeeklyEarningsPence * 9) / 10)
  if (week <= 6) return ninety
  return Math.min(ninety, rates.smpWeeklyPence)
}
