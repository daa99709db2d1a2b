// HMRC publishes no student loan test data, so these are hand-worked examples from HMRC's
// published thresholds (2025-26: Plan 1 £26,065, Plan 2 £28,470, Plan 4 £32,745, PGL £21,000;
// 2026-27: Plan 1 £26,900, Plan 2 £29,385, Plan 4 £33,795, Plan 5 £25,000, PGL £21,000).
// Rule: rate x (earnings - period threshold), rounded down to whole pounds.

import { describe, expect, test } from 'vitest'
import { requireTaxYearRates } from './rates/index.ts'
import type { PayFrequency, StudentLoanPlan } from './rates/types.ts'
import {
  calculatePostgraduateLoan,
  calculateStudentLoan,
  checkStudentLoanPlan,
  loanPeriodThresholdPence,
} from './student-loans.ts'

const y2025 = requireTaxYearRates('2025-26')
const y2026 = requireTaxYearRates('2026-27')

const loan = (plans: StudentLoanPlan[], payFrequency: PayFrequency, niablePayPence: number, rates = y2025) =>
  calculateStudentLoan({ rates, plans, payFrequency, niablePayPence })
const pgl = (payFrequency: PayFrequency, niablePayPence: number, rates = y2025) =>
  calculatePostgraduateLoan({ rates, payFrequency, niablePayPence })

describe('period thresholds (annual / 52 or / 12, rounded down to the penny)', () => {
  test.each([
    // annual, frequency, pence
    [26065, 'weekly', 50125], // £501.25 as HMRC publishes
    [26065, 'monthly', 217208], // £2,172.08 (2172.0833)
    [26065, 'fortnightly', 100250], // 2 x weekly
    [26065, 'four-weekly', 200500], // 4 x weekly
    [28470, 'weekly', 54750],
    [28470, 'monthly', 237250],
    [32745, 'weekly', 62971], // 629.7115
    [21000, 'weekly', 40384], // PGL £403.84 (403.846)
    [21000, 'fortnightly', 80768],
    [25000, 'monthly', 208333], // Plan 5 £2,083.33
    [26900, 'weekly', 51730], // 2026-27 Plan 1: 517.3077
  ] as const)('£%i %s', (annual, frequency, expected) => {
    expect(loanPeriodThresholdPence(annual, frequency)).toBe(expected)
  })
})

describe('student loan deductions', () => {
  test('Plan 1 monthly £2,500 (2025-26): (2500 - 2172.08) x 9% = 29.51 -> £29', () => {
    expect(loan(['1'], 'monthly', 250000)).toBe(2900)
  })

  test('Plan 2 weekly £700 (2025-26): (700 - 547.50) x 9% = 13.725 -> £13', () => {
    expect(loan(['2'], 'weekly', 70000)).toBe(1300)
  })

  test('Plan 4 monthly £3,000 (2025-26): (3000 - 2728.75) x 9% = 24.41 -> £24', () => {
    expect(loan(['4'], 'monthly', 300000)).toBe(2400)
  })

  test('Plan 2 fortnightly £1,200 (2025-26): (1200 - 1095.00) x 9% = 9.45 -> £9', () => {
    expect(loan(['2'], 'fortnightly', 120000)).toBe(900)
  })

  test('Plan 1 four-weekly £2,400 (2025-26): (2400 - 2005.00) x 9% = 35.55 -> £35', () => {
    expect(loan(['1'], 'four-weekly', 240000)).toBe(3500)
  })

  test('Plan 5 monthly £2,500 (2026-27): (2500 - 2083.33) x 9% = 37.50 -> £37', () => {
    expect(loan(['5'], 'monthly', 250000, y2026)).toBe(3700)
  })

  test('Plan 1 weekly £600 (2026-27): (600 - 517.30) x 9% = 7.44 -> £7', () => {
    expect(loan(['1'], 'weekly', 60000, y2026)).toBe(700)
  })

  test('more than one plan: one 9% deduction over the lowest threshold', () => {
    // Plans 1 and 2 monthly £2,500: Plan 1's threshold (2172.08) applies -> £29, not £29 + £11.
    expect(loan(['2', '1'], 'monthly', 250000)).toBe(2900)
    expect(loan(['4', '2'], 'monthly', 250000)).toBe(loan(['2'], 'monthly', 250000))
  })

  test('nothing at or below the threshold, for nil or negative pay, or with no plans', () => {
    expect(loan(['1'], 'monthly', 217208)).toBe(0)
    expect(loan(['1'], 'monthly', 218319)).toBe(0) // 11.11 x 9% = 0.9999 -> £0
    expect(loan(['1'], 'monthly', 218320)).toBe(100) // 11.12 x 9% = 1.0008 -> £1
    expect(loan(['1'], 'monthly', 0)).toBe(0)
    expect(loan(['1'], 'monthly', -100000)).toBe(0)
    expect(loan([], 'monthly', 1000000)).toBe(0)
  })

  test('plan 5 is not collected before 2026-27', () => {
    expect(checkStudentLoanPlan(y2025, '5')).toBe(
      'plan 5 is not collected through payroll in 2025-26 (plans: 1, 2, 4)',
    )
    expect(checkStudentLoanPlan(y2026, '5')).toBeUndefined()
    expect(() => loan(['5'], 'monthly', 250000)).toThrow('plan 5 is not collected')
  })
})

describe('postgraduate loan deductions (6%)', () => {
  test('monthly £2,500: (2500 - 1750) x 6% = £45', () => {
    expect(pgl('monthly', 250000)).toBe(4500)
  })

  test('weekly £500: (500 - 403.84) x 6% = 5.77 -> £5', () => {
    expect(pgl('weekly', 50000)).toBe(500)
  })

  test('fortnightly £1,000: (1000 - 807.68) x 6% = 11.54 -> £11', () => {
    expect(pgl('fortnightly', 100000)).toBe(1100)
  })

  test('below the threshold: nil; 2026-27 threshold unchanged', () => {
    expect(pgl('monthly', 175000)).toBe(0)
    expect(pgl('monthly', 250000, y2026)).toBe(4500)
  })
})
