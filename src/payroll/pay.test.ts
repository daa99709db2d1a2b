import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { calculateNi } from './ni.ts'
import {
  calculatePayslip,
  daysEmployed,
  fteTenThousandths,
  type PayslipInput,
  periodSalaryPence,
  taxPeriodOf,
  taxYearOf,
} from './pay.ts'
import { alphaMemberRate, getPayYearRates, smpWeekPence, sspPence } from './pay-rates.ts'
import { calculatePaye, parseTaxCode } from './paye.ts'
import { requireTaxYearRates } from './rates/index.ts'
import { PAY_FREQUENCIES } from './rates/types.ts'

const rates = requireTaxYearRates('2026-27')
const payRates = getPayYearRates('2026-27')!

const base: PayslipInput = {
  rates,
  payRates,
  frequency: 'monthly',
  period: 1,
  periodStart: '2026-04-01',
  periodEnd: '2026-04-30',
  startDate: '2020-01-01',
  endDate: null,
  annualSalaryPence: 36_000_00,
  fte: 10_000,
  niCategory: 'A',
  niNumber: 'AB123456C',
  studentLoanPlans: [],
  postgraduateLoan: false,
  pensionScheme: 'none',
  taxCode: '1257L',
  week1Month1: false,
  hasBankDetails: true,
  elements: [],
  priorTaxablePence: 0,
  priorTaxPence: 0,
}
const figures = (input: Partial<PayslipInput>) => {
  const result = calculatePayslip({ ...base, ...input })
  if (!result.ok) throw new Error(result.errors.join('; '))
  return result.figures
}

describe('periods and pro-rating', () => {
  test('tax year and tax month of a pay day (months start on the 6th)', () => {
    expect(taxYearOf('2026-04-05')).toBe('2025-26')
    expect(taxYearOf('2026-04-06')).toBe('2026-27')
    expect(taxPeriodOf('monthly', '2026-04-24')).toBe(1)
    expect(taxPeriodOf('monthly', '2026-05-05')).toBe(1)
    expect(taxPeriodOf('monthly', '2026-05-06')).toBe(2)
    expect(taxPeriodOf('monthly', '2027-03-31')).toBe(12)
    expect(taxPeriodOf('weekly', '2026-04-12')).toBe(1)
    expect(taxPeriodOf('weekly', '2026-04-13')).toBe(2)
  })

  test('salary x FTE / 12, to the nearest penny; FTE parsed exactly', () => {
    expect(fteTenThousandths('0.6')).toBe(6000)
    expect(fteTenThousandths('1.0000')).toBe(10_000)
    expect(periodSalaryPence(36_000_00, 6000, 'monthly')).toBe(1_800_00)
    expect(periodSalaryPence(10_000_01, 10_000, 'monthly')).toBe(83_333)
    expect(periodSalaryPence(52_000_00, 10_000, 'weekly')).toBe(1_000_00)
  })

  test('starters, leavers and unpaid leave are paid by calendar days', () => {
    expect(
      daysEmployed({
        periodStart: '2026-04-01',
        periodEnd: '2026-04-30',
        startDate: '2026-04-16',
        endDate: null,
      }),
    ).toBe(15)
    expect(figures({ endDate: '2026-04-10' })).toMatchObject({ daysPaid: 10, basicPence: 1_000_00 })
    expect(
      figures({
        elements: [
          { kind: 'unpaid-leave', description: 'Unpaid', amountPence: 0, days: 3, pensionable: false },
        ],
      }),
    ).toMatchObject({ daysPaid: 27, basicPence: 2_700_00 })
  })
})

describe('pay elements, pensions and statutory pay', () => {
  test('alpha: member rate by annualised pensionable pay band, employer 28.97%, before tax', () => {
    expect(alphaMemberRate(payRates, 32_000_00)).toBe(460)
    expect(alphaMemberRate(payRates, 32_000_01)).toBe(545)
    expect(alphaMemberRate(payRates, 150_000_01)).toBe(805)
    const slip = figures({ pensionScheme: 'alpha' })
    // £3,000 a month is £36,000 a year: 5.45%.
    expect(slip.employeePensionPence).toBe(163_50)
    expect(slip.employerPensionPence).toBe(869_10)
    expect(slip.taxablePence).toBe(3_000_00 - 163_50)
    expect(slip.niablePence).toBe(3_000_00)
  })

  test('auto-enrolment: 5% and 3% of qualifying earnings (£520 to £4,189 a month)', () => {
    const slip = figures({ pensionScheme: 'auto-enrolment' })
    expect(slip.employeePensionPence).toBe(Math.round((3_000_00 - 520_00) * 0.05))
    expect(slip.employerPensionPence).toBe(Math.round((3_000_00 - 520_00) * 0.03))
  })

  test('salary sacrifice reduces pay for NI and tax; deductions come off net pay only', () => {
    const plain = figures({})
    const slip = figures({
      elements: [
        {
          kind: 'salary-sacrifice',
          description: 'Cycle to work',
          amountPence: 100_00,
          days: null,
          pensionable: false,
        },
        { kind: 'deduction', description: 'Union', amountPence: 15_00, days: null, pensionable: false },
        { kind: 'overtime', description: 'Overtime', amountPence: 200_00, days: null, pensionable: false },
      ],
    })
    expect(slip.grossPence).toBe(3_200_00)
    expect(slip.niablePence).toBe(3_100_00)
    expect(slip.deductionsPence).toBe(15_00)
    expect(slip.netPence).toBe(slip.taxablePence - slip.taxPence - slip.employeeNiPence - 15_00)
    expect(slip.taxPence).toBeGreaterThan(plain.taxPence)
  })

  test('SSP by qualifying days and SMP at 90% then the flat rate, from the year’s data', () => {
    expect(sspPence(getPayYearRates('2025-26')!, 5, 5)).toBe(118_75)
    expect(sspPence(getPayYearRates('2025-26')!, 2, 5)).toBe(47_50)
    expect(smpWeekPence(getPayYearRates('2025-26')!, 500_00, 3)).toBe(450_00)
    expect(smpWeekPence(getPayYearRates('2025-26')!, 500_00, 7)).toBe(187_18)
    expect(smpWeekPence(payRates, 150_00, 20)).toBe(135_00)
  })

  test('each reason an employee cannot be paid is given', () => {
    const result = calculatePayslip({
      ...base,
      taxCode: 'XYZ',
      niCategory: 'Q',
      niNumber: 'DA123456A',
      hasBankDetails: false,
    })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.errors).toHaveLength(4)
      expect(result.errors.join('\n')).toMatch(
        /Tax code: "XYZ"[\s\S]*NI category letter "Q"[\s\S]*"DA123456A"[\s\S]*No bank details/,
      )
    }
    expect(calculatePayslip({ ...base, taxCode: null })).toEqual({
      ok: false,
      errors: ['No tax code is in force on the pay date'],
    })
  })
})

describe('properties', () => {
  const codes = ['1257L', '0T', '500L', 'S1257L', 'C1257L', '1100M', '1383N']

  test('over a random year of pay, the per-period taxes add up to the final tax to date, and to the tax on the year’s pay', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...codes),
        fc.array(fc.integer({ min: 0, max: 20_000_00 }), { minLength: 12, maxLength: 12 }),
        (code, pays) => {
          const parsed = parseTaxCode(code)
          if (!parsed.ok) throw new Error(code)
          let taxablePayToDatePence = 0
          let taxPaidToDatePence = 0
          let sum = 0
          let limited = false
          pays.forEach((pay, index) => {
            taxablePayToDatePence += pay
            const result = calculatePaye({
              rates: rates.incomeTax,
              taxYear: rates.taxYear,
              taxCode: parsed.taxCode,
              payFrequency: 'monthly',
              period: index + 1,
              week1Month1: false,
              taxablePayPence: pay,
              taxablePayToDatePence,
              taxPaidToDatePence,
            })
            sum += result.taxPence
            limited ||= result.overridingLimitApplied
            taxPaidToDatePence = result.taxToDatePence
          })
          const direct = calculatePaye({
            rates: rates.incomeTax,
            taxYear: rates.taxYear,
            taxCode: parsed.taxCode,
            payFrequency: 'monthly',
            period: 12,
            week1Month1: false,
            taxablePayPence: pays[11]!,
            taxablePayToDatePence,
            taxPaidToDatePence: 0,
          })
          expect(sum).toBe(taxPaidToDatePence)
          // The 50% overriding limit can hold tax back in a period of little pay; otherwise the
          // path through the year does not matter.
          if (!limited && !direct.overridingLimitApplied) expect(sum).toBe(direct.taxPence)
        },
      ),
      { numRuns: 300 },
    )
  })

  test('a week 1/month 1 payslip never depends on earlier periods', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...codes, 'K100', 'BR', 'D0'),
        fc.integer({ min: 0, max: 20_000_000_00 }),
        fc.integer({ min: 0, max: 20_000_000_00 }),
        fc.integer({ min: 0, max: 30_000_000_00 }),
        fc.integer({ min: 1, max: 12 }),
        (taxCode, salary, priorTaxable, priorTax, period) => {
          const input = { ...base, taxCode, annualSalaryPence: salary, week1Month1: true, period }
          const fresh = calculatePayslip(input)
          const later = calculatePayslip({
            ...input,
            priorTaxablePence: priorTaxable,
            priorTaxPence: priorTax,
          })
          expect(fresh.ok && later.ok).toBe(true)
          if (fresh.ok && later.ok) {
            expect(later.figures.taxPence).toBe(fresh.figures.taxPence)
            expect(later.figures.netPence).toBe(fresh.figures.netPence)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  test('employer (and employee) NI is never negative', () => {
    const letters = Object.keys(rates.nationalInsurance.segments[0]!.categories)
    fc.assert(
      fc.property(
        fc.constantFrom(...letters),
        fc.constantFrom(...PAY_FREQUENCIES),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 99_999_999_99 }),
        (category, payFrequency, period, niablePayPence) => {
          const ni = calculateNi({ rates, category, payFrequency, period, niablePayPence })
          expect(ni.employerPence).toBeGreaterThanOrEqual(0)
          expect(ni.employeePence).toBeGreaterThanOrEqual(0)
        },
      ),
      { numRuns: 500 },
    )
  })
})
