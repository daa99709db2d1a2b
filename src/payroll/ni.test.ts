import { describe, expect, test } from 'vitest'
import {
  calculateDirectorNi,
  calculateNi,
  type DirectorNiInput,
  directorsAnnualThresholdsPence,
  hasNiCategory,
  niSegmentFor,
  periodThresholdsPence,
} from './ni.ts'
import { requireTaxYearRates } from './rates/index.ts'
import type { PayFrequency } from './rates/types.ts'

const y2025 = requireTaxYearRates('2025-26')
const y2026 = requireTaxYearRates('2026-27')
const y2022 = requireTaxYearRates('2022-23')

function ni(category: string, payFrequency: PayFrequency, niablePayPence: number, rates = y2025, period = 1) {
  return calculateNi({ rates, category, payFrequency, period, niablePayPence })
}

describe('period thresholds', () => {
  test.each([
    // frequency, LEL, PT, ST, UEL, FUST (pounds)
    ['weekly', 125, 242, 96, 967, 481],
    ['fortnightly', 250, 484, 193, 1934, 962], // ST 5000/26 = 192.31 -> 193, not 2 x 96
    ['four-weekly', 500, 967, 385, 3867, 1924],
    ['monthly', 542, 1048, 417, 4189, 2083],
  ] as const)('2025-26 %s', (frequency, lel, pt, st, uel, fust) => {
    const t = periodThresholdsPence(y2025.nationalInsurance.segments[0]!, frequency)
    expect([t.LEL, t.PT, t.ST, t.UEL, t.FUST]).toEqual([lel, pt, st, uel, fust].map((pounds) => pounds * 100))
  })

  test('2026-27 raises the LEL to £129 a week', () => {
    const t = periodThresholdsPence(y2026.nationalInsurance.segments[0]!, 'weekly')
    expect(t.LEL).toBe(12900)
    expect(ni('A', 'weekly', 12900, y2026)).toMatchObject({ atLelPence: 12900, lelToPtPence: 0 })
    expect(ni('A', 'weekly', 12899, y2026)).toMatchObject({ atLelPence: 0, lelToPtPence: 0, ptToUelPence: 0 })
  })
})

describe('calculateNi', () => {
  test('category A weekly £1,000: 8% PT-UEL, 2% above; employer 15% above ST', () => {
    // (967 - 242) x 8% = 58.00 + 33 x 2% = 0.66; (1000 - 96) x 15% = 135.60
    expect(ni('A', 'weekly', 100000)).toEqual({
      employeePence: 5866,
      employerPence: 13560,
      atLelPence: 12500,
      lelToPtPence: 11700,
      ptToUelPence: 72500,
    })
  })

  test('rounding looks at the third decimal only: 5 or less down, 6 or more up', () => {
    expect(ni('A', 'weekly', 24207).employeePence).toBe(0) // 0.07 x 8% = 0.0056
    expect(ni('A', 'weekly', 24208).employeePence).toBe(1) // 0.0064
    expect(ni('A', 'weekly', 24232).employeePence).toBe(2) // 0.0256
    expect(ni('A', 'weekly', 9604).employerPence).toBe(1) // 0.04 x 15% = 0.006
  })

  test('each band is rounded on its own (HMRC NIC test data Cat_B/28)', () => {
    // Fortnightly £1,934.05: 1450 x 1.85% = 26.825 -> 26.82 and 0.05 x 2% = 0.001 -> 0.00.
    // Rounding the sum (26.826) would give 26.83; HMRC says 26.82.
    expect(ni('B', 'fortnightly', 193405).employeePence).toBe(2682)
  })

  test('employer reliefs: under 21, apprentice, veteran up to the UEL; freeport and investment zone to £25,000', () => {
    for (const category of ['M', 'H', 'V', 'Z']) expect(ni(category, 'monthly', 418900).employerPence).toBe(0)
    expect(ni('M', 'monthly', 500000).employerPence).toBe(12165) // (5000 - 4189) x 15%
    for (const category of ['F', 'I', 'L', 'S', 'N', 'E', 'D', 'K']) {
      expect(ni(category, 'monthly', 208300).employerPence).toBe(0)
      expect(ni(category, 'monthly', 300000).employerPence).toBe(13755) // (3000 - 2083) x 15%
    }
  })

  test('employee rates by category', () => {
    const pay = 300000 // monthly: 1952 over the PT
    expect(ni('A', 'monthly', pay).employeePence).toBe(15616) // 8%
    expect(ni('B', 'monthly', pay).employeePence).toBe(3611) // 1.85%: 36.112
    expect(ni('J', 'monthly', pay).employeePence).toBe(3904) // 2%
    expect(ni('C', 'monthly', pay).employeePence).toBe(0)
    expect(ni('S', 'monthly', pay).employeePence).toBe(0)
    expect(ni('X', 'monthly', pay)).toMatchObject({ employeePence: 0, employerPence: 0 })
  })

  test('nil and negative pay give nil', () => {
    expect(ni('A', 'weekly', 0)).toMatchObject({ employeePence: 0, employerPence: 0, atLelPence: 0 })
    expect(ni('A', 'weekly', -5000)).toMatchObject({ employeePence: 0, employerPence: 0 })
  })

  test('unknown categories are refused', () => {
    expect(hasNiCategory(y2025, 'Q')).toBe(false)
    expect(hasNiCategory(y2025, 'N')).toBe(true)
    expect(() => ni('Q', 'weekly', 100000)).toThrow('NI category Q is not known')
  })

  test('a year whose rules changed in-year picks the rules by tax week or month (2022-23)', () => {
    expect(niSegmentFor(y2022, 'weekly', 13).thresholds.PT.weeklyPounds).toBe(190)
    expect(niSegmentFor(y2022, 'weekly', 14).thresholds.PT.weeklyPounds).toBe(242)
    expect(niSegmentFor(y2022, 'monthly', 3).thresholds.PT.monthlyPounds).toBe(823)
    expect(niSegmentFor(y2022, 'monthly', 4).thresholds.PT.monthlyPounds).toBe(1048)
    expect(ni('A', 'weekly', 100000, y2022, 31).employeePence).toBe(9713) // 13.25%
    expect(ni('A', 'weekly', 100000, y2022, 32).employeePence).toBe(8766) // 12%
    expect(ni('A', 'monthly', 500000, y2022, 7).employerPence).toBeGreaterThan(
      ni('A', 'monthly', 500000, y2022, 8).employerPence,
    )
  })
})

describe("directors' NI", () => {
  const director = (overrides: Partial<DirectorNiInput>) =>
    calculateDirectorNi({
      rates: y2025,
      category: 'A',
      method: 'annual',
      payFrequency: 'weekly',
      period: 52,
      niablePayPence: 0,
      earningsToDatePence: 0,
      employeeNiToDatePence: 0,
      employerNiToDatePence: 0,
      earningsBandsToDate: { atLelPence: 0, lelToPtPence: 0, ptToUelPence: 0 },
      weeksAsDirector: 52,
      finalPeriod: false,
      ...overrides,
    })

  test('annual earnings period: £52,000 in one payment (HMRC 3_Dir_CatA_GBP52000_pa)', () => {
    const result = director({ niablePayPence: 5200000, earningsToDatePence: 5200000, finalPeriod: true })
    expect(result).toMatchObject({ employeePence: 305060, employerPence: 705000 })
    expect(result.earningsBandsToDate).toEqual({
      atLelPence: 650000,
      lelToPtPence: 607000,
      ptToUelPence: 3770000,
    })
  })

  test('annual method: nothing is due until earnings to date pass the annual thresholds', () => {
    const early = director({ period: 5, niablePayPence: 1000000, earningsToDatePence: 1000000 })
    expect(early).toMatchObject({ employeePence: 0, employerPence: 75000 }) // (10000 - 5000) x 15%
    const later = director({
      period: 6,
      niablePayPence: 1000000,
      earningsToDatePence: 2000000,
      employerNiToDatePence: 75000,
    })
    expect(later).toMatchObject({ employeePence: 59440, employerPence: 150000 }) // (20000 - 12570) x 8%
  })

  test('pro-rata earnings period: annual thresholds x weeks / 52, rounded up to the pound', () => {
    const t = directorsAnnualThresholdsPence(y2025, 48)
    expect([t.LEL, t.PT, t.UEL]).toEqual([600000, 1160400, 4640400]) // 12570 x 48 / 52 = 11603.08
    const result = director({
      category: 'M',
      weeksAsDirector: 48,
      earningsToDatePence: 4800000,
      finalPeriod: true,
    })
    expect(result).toMatchObject({ employeePence: 281592, employerPence: 23940 })
  })

  test('alternative method: per period like an employee, then an annual recalculation at the end', () => {
    const week1 = director({
      method: 'alternative',
      period: 1,
      niablePayPence: 100000,
      earningsToDatePence: 100000,
    })
    expect(week1).toMatchObject({ employeePence: 5866, employerPence: 13560, employeeToDatePence: 5866 })
    expect(week1.earningsBandsToDate).toEqual({ atLelPence: 12500, lelToPtPence: 11700, ptToUelPence: 72500 })
    const week52 = director({
      method: 'alternative',
      period: 52,
      niablePayPence: 100000,
      earningsToDatePence: 5200000,
      employeeNiToDatePence: 51 * 5866,
      employerNiToDatePence: 51 * 13560,
      finalPeriod: true,
    })
    expect(week52).toMatchObject({
      employeePence: 305060 - 51 * 5866, // 58.94, as HMRC
      employerPence: 705000 - 51 * 13560, // 134.40 (HMRC's 2025-26 row says 58.94: see the conformance test)
      employeeToDatePence: 305060,
      employerToDatePence: 705000,
    })
  })

  test("2022-23 annual periods use HMRC's blended rates (12.73%, 2.73%, employer 14.53%)", () => {
    const result = director({
      rates: y2022,
      niablePayPence: 5200000,
      earningsToDatePence: 5200000,
      finalPeriod: true,
    })
    expect(result).toMatchObject({ employeePence: 493071, employerPence: 623337 })
    expect(() =>
      director({ rates: y2022, category: 'B', earningsToDatePence: 100, finalPeriod: true }),
    ).toThrow('not known for directors in 2022-23')
  })
})
