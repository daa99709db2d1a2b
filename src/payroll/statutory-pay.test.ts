// Statutory sick pay and family pay from HR's absence records: worked examples.
import { describe, expect, test } from 'vitest'
import { calculatePayslip, dayNumber, type PayslipInput } from './pay.ts'
import { getPayYearRates } from './pay-rates.ts'
import { requireTaxYearRates } from './rates/index.ts'
import {
  averageWeeklyEarnings,
  type EarningsRecord,
  type FamilyLeaveRecord,
  familyPayFor,
  type SicknessRecord,
  type StatutoryPayContext,
  sspFor,
  statutoryPayFor,
} from './statutory-pay.ts'

const WEEKDAYS = [1, 2, 3, 4, 5]
function month(yyyyMm: string): { periodStart: string; periodEnd: string } {
  const [y, m] = yyyyMm.split('-').map(Number) as [number, number]
  return {
    periodStart: `${yyyyMm}-01`,
    periodEnd: new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10),
  }
}
const ctx = (over: Partial<StatutoryPayContext>): StatutoryPayContext => ({
  ...month('2025-06'),
  employmentStart: '2020-01-01',
  employmentEnd: null,
  annualSalaryPence: 30_000_00,
  fte: 10_000,
  sickness: [],
  familyLeaves: [],
  earnings: [],
  ...over,
})
const sick = (startDate: string, endDate: string | null, qualifyingDays = WEEKDAYS): SicknessRecord => ({
  startDate,
  endDate,
  qualifyingDays,
})
const total = (lines: Array<{ amountPence: number }>) => lines.reduce((sum, l) => sum + l.amountPence, 0)
const months = (from: string, to: string) => {
  const out: string[] = []
  let [y, m] = from.split('-').map(Number) as [number, number]
  while (`${y}-${String(m).padStart(2, '0')}` <= to) {
    out.push(`${y}-${String(m).padStart(2, '0')}`)
    m += 1
    if (m === 13) [y, m] = [y + 1, 1]
  }
  return out
}

describe('statutory sick pay (2025-26: 3 waiting days, LEL, £118.75 a week)', () => {
  test('two weeks off sick Monday to Friday: 10 qualifying days, 3 waiting, 7 paid at £23.75', () => {
    const lines = sspFor(ctx({ sickness: [sick('2025-06-02', '2025-06-13')] }))
    expect(lines).toEqual([
      {
        kind: 'ssp',
        description: 'Statutory sick pay: 7 qualifying days at £118.75 a week',
        amountPence: 166_25,
      },
    ])
  })

  test('three days off is not a period of incapacity: nothing', () => {
    expect(sspFor(ctx({ sickness: [sick('2025-06-02', '2025-06-04')] }))).toEqual([])
  })

  test('a second spell within 8 weeks links: no new waiting days; after 8 weeks it waits again', () => {
    const first = sick('2025-06-02', '2025-06-05') // Mon-Thu: 3 waiting days, 1 paid
    expect(total(sspFor(ctx({ sickness: [first] })))).toBe(23_75)
    const linked = sick('2025-07-14', '2025-07-17') // 38 days later: 4 days paid
    expect(total(sspFor(ctx({ ...month('2025-07'), sickness: [first, linked] })))).toBe(95_00)
    const separate = sick('2025-08-11', '2025-08-14') // 66 days after the first: waits 3, pays 1
    expect(total(sspFor(ctx({ ...month('2025-08'), sickness: [first, separate] })))).toBe(23_75)
  })

  test('rows that touch are one spell (two 2-day rows make a PIW)', () => {
    const lines = sspFor(
      ctx({ sickness: [sick('2025-06-02', '2025-06-03'), sick('2025-06-04', '2025-06-05')] }),
    )
    expect(total(lines)).toBe(23_75)
  })

  test('qualifying days follow the working pattern: 3 days a week, £39.59 a day rounded up', () => {
    // Mon, Wed, Fri: 2-13 June has 6 qualifying days, 3 waiting, 3 paid = £118.75 x 3 / 3.
    const lines = sspFor(ctx({ sickness: [sick('2025-06-02', '2025-06-13', [1, 3, 5])] }))
    expect(total(lines)).toBe(118_75)
    // Two paid days: 118.75 x 2 / 3 = 79.1666.. rounded up to £79.17.
    const two = sspFor(ctx({ sickness: [sick('2025-06-02', '2025-06-11', [1, 3, 5])] }))
    expect(total(two)).toBe(79_17)
  })

  test('average weekly earnings below the lower earnings limit (£125): not due, with the reason', () => {
    const earnings: EarningsRecord[] = [
      { payDate: '2025-03-28', frequency: 'monthly', niablePence: 400_00 },
      { payDate: '2025-04-25', frequency: 'monthly', niablePence: 400_00 },
      { payDate: '2025-05-23', frequency: 'monthly', niablePence: 400_00 },
    ]
    // Relevant period: after 28 March up to 23 May: two months, 800 x 12 / 52 / 2 = £92.30.
    const lines = sspFor(ctx({ sickness: [sick('2025-06-02', '2025-06-13')], earnings }))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ kind: 'ssp', amountPence: 0 })
    expect(lines[0]!.description).toMatch(/not due: average weekly earnings £92.30 .* £125.00/)
  })

  test('an open spell is paid up to the period end, and at most 28 weeks in all', () => {
    const spell = [sick('2025-04-07', null)]
    const paid = months('2025-04', '2026-01').map((m) => total(sspFor(ctx({ ...month(m), sickness: spell }))))
    // April: 7 April to 30 April = 18 qualifying days, 3 waiting: 15 x £23.75.
    expect(paid[0]).toBe(356_25)
    // 28 weeks x £118.75 over the whole spell, then nothing.
    expect(paid.reduce((a, b) => a + b, 0)).toBe(28 * 118_75)
    expect(paid[paid.length - 1]).toBe(0)
  })

  test('a leaver is paid SSP only up to the leaving date', () => {
    const lines = sspFor(ctx({ sickness: [sick('2025-06-02', '2025-06-13')], employmentEnd: '2025-06-10' }))
    expect(total(lines)).toBe(4 * 23_75) // 5, 6, 9, 10 June
  })
})

describe('statutory sick pay from 6 April 2026 (held as data: no waiting days, no LEL, 80% of AWE cap)', () => {
  test('paid from the first qualifying day at £123.25 a week', () => {
    const lines = sspFor(ctx({ ...month('2026-06'), sickness: [sick('2026-06-01', '2026-06-05')] }))
    expect(total(lines)).toBe(123_25)
  })

  test('low earners get 80% of average weekly earnings', () => {
    const earnings: EarningsRecord[] = [
      { payDate: '2026-03-27', frequency: 'monthly', niablePence: 433_33 },
      { payDate: '2026-04-24', frequency: 'monthly', niablePence: 433_33 },
      { payDate: '2026-05-22', frequency: 'monthly', niablePence: 433_33 },
    ]
    // AWE = 866.66 x 12 / 52 / 2 = £99.999..; 80% = £79.9995.. rounded up to £80.00 a week.
    const lines = sspFor(ctx({ ...month('2026-06'), sickness: [sick('2026-06-01', '2026-06-05')], earnings }))
    expect(total(lines)).toBe(80_00)
  })
})

describe('average weekly earnings', () => {
  test('monthly: earnings paid after the pay day 8 weeks before the last one, x 12 / 52 / months', () => {
    const earnings: EarningsRecord[] = [
      { payDate: '2025-04-25', frequency: 'monthly', niablePence: 3_000_00 },
      { payDate: '2025-05-23', frequency: 'monthly', niablePence: 3_000_00 },
      { payDate: '2025-06-20', frequency: 'monthly', niablePence: 3_000_00 },
    ]
    const { awePence, fromPayslips } = averageWeeklyEarnings(earnings, dayNumber('2025-06-28'), {
      annualSalaryPence: 0,
      fte: 10_000,
    })
    expect(fromPayslips).toBe(true)
    expect(awePence).toBeCloseTo((6_000_00 * 12) / 52 / 2, 6)
  })

  test('weekly: total over the weeks between the two pay days', () => {
    const earnings: EarningsRecord[] = Array.from({ length: 10 }, (_, i) => ({
      payDate: new Date(Date.UTC(2025, 3, 4 + 7 * i)).toISOString().slice(0, 10),
      frequency: 'weekly' as const,
      niablePence: 500_00 + i * 10_00,
    }))
    // Last pay day on or before 13 June: 6 June (i = 9); 8 weeks before: 11 April (i = 1): i = 2..9.
    const { awePence } = averageWeeklyEarnings(earnings, dayNumber('2025-06-13'), {
      annualSalaryPence: 0,
      fte: 0,
    })
    const expected = [2, 3, 4, 5, 6, 7, 8, 9].reduce((sum, i) => sum + 500_00 + i * 10_00, 0) / 8
    expect(awePence).toBeCloseTo(expected, 6)
  })
})

describe('statutory maternity, paternity and adoption pay', () => {
  // Expected week of childbirth from Sunday 5 October 2025: qualifying week from Sunday 22 June.
  const earnings: EarningsRecord[] = [
    { payDate: '2025-04-25', frequency: 'monthly', niablePence: 3_000_00 },
    { payDate: '2025-05-23', frequency: 'monthly', niablePence: 3_000_00 },
    { payDate: '2025-06-20', frequency: 'monthly', niablePence: 3_000_00 },
  ]
  const maternity: FamilyLeaveRecord = {
    leaveType: 'maternity',
    expectedWeekStart: '2025-10-05',
    matchedOn: null,
    startDate: '2025-09-21',
    endDate: '2026-06-20',
    statutoryPayWeeks: 39,
    evidenceReceivedOn: '2025-07-01',
  }

  test('SMP: 6 weeks at 90% of AWE (£623.08), then £187.18, then £194.32 from April 2026', () => {
    // AWE = 6,000 x 12 / 52 / 2 = £692.307..; 90% = £623.0769.. rounded up to £623.08.
    const september = familyPayFor(ctx({ ...month('2025-09'), familyLeaves: [maternity], earnings }))
    // Week 1 (21-27 Sep) in full and 3 of the 7 days of week 2: 623.08 + 623.08 x 3 / 7.
    expect(september).toEqual([
      {
        kind: 'smp',
        description: 'Statutory maternity pay, weeks 1 to 2 of 39',
        amountPence: 623_08 + 267_03,
      },
    ])
    const october = total(familyPayFor(ctx({ ...month('2025-10'), familyLeaves: [maternity], earnings })))
    // The rest of week 2, weeks 3 to 5, and 6 of the 7 days of week 6.
    expect(october).toBe(623_08 - 267_03 + 3 * 623_08 + 534_07)
    // Over the whole leave the split weeks add up exactly: 6 weeks at 90%, weeks 7-28 at £187.18,
    // weeks 29-39 (from Sunday 5 April 2026) at £194.32.
    const all = months('2025-09', '2026-07').map((m) =>
      total(familyPayFor(ctx({ ...month(m), familyLeaves: [maternity], earnings }))),
    )
    expect(all.reduce((a, b) => a + b, 0)).toBe(6 * 623_08 + 22 * 187_18 + 11 * 194_32)
  })

  test('SMP for a low earner: 90% of AWE throughout when that is below the flat rate', () => {
    const low = earnings.map((e) => ({ ...e, niablePence: 700_00 }))
    // AWE = 1,400 x 12 / 52 / 2 = £161.538..; 90% = £145.39 (rounded up).
    const all = months('2025-09', '2026-07').map((m) =>
      total(familyPayFor(ctx({ ...month(m), familyLeaves: [maternity], earnings: low }))),
    )
    expect(all.reduce((a, b) => a + b, 0)).toBe(39 * 145_39)
  })

  test('SPP: 2 weeks at the lesser of the flat rate and 90% of AWE', () => {
    const paternity: FamilyLeaveRecord = {
      ...maternity,
      leaveType: 'paternity',
      startDate: '2025-10-06',
      endDate: '2025-10-19',
      statutoryPayWeeks: 2,
      evidenceReceivedOn: '2025-07-01',
    }
    expect(familyPayFor(ctx({ ...month('2025-10'), familyLeaves: [paternity], earnings }))).toEqual([
      { kind: 'spp', description: 'Statutory paternity pay, weeks 1 to 2 of 2', amountPence: 2 * 187_18 },
    ])
  })

  test('SAP: qualifying week is the matching week; 90% for 6 weeks like SMP', () => {
    const adoption: FamilyLeaveRecord = {
      leaveType: 'adoption',
      expectedWeekStart: null,
      matchedOn: '2025-06-25',
      startDate: '2025-09-01',
      endDate: '2026-05-31',
      statutoryPayWeeks: 39,
      evidenceReceivedOn: '2025-06-30',
    }
    const september = total(familyPayFor(ctx({ ...month('2025-09'), familyLeaves: [adoption], earnings })))
    // 1-28 September are weeks 1-4; 29-30 September 2 days of week 5.
    expect(september).toBe(4 * 623_08 + 178_02)
  })

  test('ShPP is the lesser of the flat rate and 90% from the first week', () => {
    const shared: FamilyLeaveRecord = {
      ...maternity,
      leaveType: 'shared-parental',
      startDate: '2026-01-04',
      endDate: '2026-01-17',
      statutoryPayWeeks: 2,
    }
    expect(total(familyPayFor(ctx({ ...month('2026-01'), familyLeaves: [shared], earnings })))).toBe(
      2 * 187_18,
    )
  })

  test('not due without evidence, with too little service, or below the LEL: a £0 line says why', () => {
    const noEvidence = familyPayFor(
      ctx({ ...month('2025-09'), familyLeaves: [{ ...maternity, evidenceReceivedOn: null }], earnings }),
    )
    expect(noEvidence).toEqual([
      expect.objectContaining({
        kind: 'smp',
        amountPence: 0,
        description: expect.stringMatching(/no evidence/),
      }),
    ])
    // Must have started by Saturday 4 January 2025 (the week 25 weeks before the qualifying week).
    const late = familyPayFor(
      ctx({ ...month('2025-09'), employmentStart: '2025-01-05', familyLeaves: [maternity], earnings }),
    )
    expect(late[0]).toMatchObject({ amountPence: 0, description: expect.stringMatching(/2025-01-04/) })
    const onTime = familyPayFor(
      ctx({ ...month('2025-09'), employmentStart: '2025-01-04', familyLeaves: [maternity], earnings }),
    )
    expect(total(onTime)).toBeGreaterThan(0)
    const low = earnings.map((e) => ({ ...e, niablePence: 500_00 }))
    const below = familyPayFor(ctx({ ...month('2025-09'), familyLeaves: [maternity], earnings: low }))
    expect(below[0]).toMatchObject({
      amountPence: 0,
      description: expect.stringMatching(/below the lower earnings limit/),
    })
  })
})

describe('on the payslip', () => {
  const base: PayslipInput = {
    rates: requireTaxYearRates('2025-26'),
    payRates: getPayYearRates('2025-26')!,
    frequency: 'monthly',
    period: 3,
    periodStart: '2025-06-01',
    periodEnd: '2025-06-30',
    startDate: '2020-01-01',
    endDate: null,
    annualSalaryPence: 30_000_00,
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

  test('occupational pay includes statutory pay: basic is reduced by it, gross is unchanged', () => {
    const statutory = statutoryPayFor(ctx({ sickness: [sick('2025-06-02', '2025-06-13')] }))
    const result = calculatePayslip({ ...base, statutory })
    if (!result.ok) throw new Error(result.errors.join())
    const f = result.figures
    expect(f.statutoryPence).toBe(166_25)
    expect(f.basicPence).toBe(2_500_00 - 166_25)
    expect(f.grossPence).toBe(2_500_00)
    expect(f.lines).toEqual([
      { kind: 'basic', description: 'Basic pay, less £166.25 paid as statutory pay', amountPence: 2_333_75 },
      {
        kind: 'ssp',
        description: 'Statutory sick pay: 7 qualifying days at £118.75 a week',
        amountPence: 166_25,
      },
    ])
  })

  test('once occupational pay has stopped (unpaid leave) the statutory pay is all that is paid', () => {
    const statutory = statutoryPayFor(ctx({ sickness: [sick('2025-06-02', '2025-06-13')] }))
    const result = calculatePayslip({
      ...base,
      statutory,
      elements: [
        {
          kind: 'unpaid-leave',
          description: 'Sick leave without pay',
          amountPence: 0,
          days: 30,
          pensionable: false,
        },
      ],
    })
    if (!result.ok) throw new Error(result.errors.join())
    expect(result.figures.basicPence).toBe(0)
    expect(result.figures.grossPence).toBe(166_25)
  })
})
