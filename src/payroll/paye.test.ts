import { describe, expect, test } from 'vitest'
import {
  calculatePaye,
  checkTaxCodeForYear,
  type PayeInput,
  parseTaxCode,
  payAdjustmentForOnePeriodPence,
  type TaxCode,
  taxOnTaxablePayPence,
} from './paye.ts'
import { payePeriodBasis } from './periods.ts'
import { requireTaxYearRates } from './rates/index.ts'

const y2025 = requireTaxYearRates('2025-26')
const y2026 = requireTaxYearRates('2026-27')
const y2022 = requireTaxYearRates('2022-23')

function code(text: string): TaxCode {
  const parsed = parseTaxCode(text)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.taxCode
}

function paye(overrides: Partial<Omit<PayeInput, 'taxCode'>> & { code: string }) {
  const { code: text, ...rest } = overrides
  return calculatePaye({
    rates: y2025.incomeTax,
    taxYear: '2025-26',
    payFrequency: 'monthly',
    period: 1,
    week1Month1: false,
    taxablePayPence: 0,
    taxablePayToDatePence: 0,
    taxPaidToDatePence: 0,
    ...rest,
    taxCode: code(text),
  })
}

describe('parseTaxCode', () => {
  test.each([
    ['1257L', { kind: 'allowance', regime: 'restOfUk', codeNumber: 1257, suffix: 'L', code: '1257L' }],
    ['45L', { kind: 'allowance', codeNumber: 45 }],
    ['1257M', { kind: 'allowance', suffix: 'M' }],
    ['1257N', { kind: 'allowance', suffix: 'N' }],
    ['1100T', { kind: 'allowance', suffix: 'T' }],
    ['0T', { kind: 'allowance', codeNumber: 0, suffix: 'T' }],
    ['S1257L', { kind: 'allowance', regime: 'scotland', codeNumber: 1257 }],
    ['C45L', { kind: 'allowance', regime: 'wales', codeNumber: 45, code: 'C45L' }],
    ['K585', { kind: 'k', regime: 'restOfUk', codeNumber: 585 }],
    ['SK630', { kind: 'k', regime: 'scotland', codeNumber: 630 }],
    ['CK27', { kind: 'k', regime: 'wales', codeNumber: 27 }],
    ['BR', { kind: 'flat', regime: 'restOfUk', bandOffset: 0 }],
    ['D0', { kind: 'flat', bandOffset: 1 }],
    ['D1', { kind: 'flat', bandOffset: 2 }],
    ['SBR', { kind: 'flat', regime: 'scotland', bandOffset: 0 }],
    ['SD3', { kind: 'flat', regime: 'scotland', bandOffset: 4 }],
    ['CD1', { kind: 'flat', regime: 'wales', bandOffset: 2 }],
    ['NT', { kind: 'nt', regime: 'restOfUk' }],
    ['SNT', { kind: 'nt', regime: 'scotland' }],
    [' s1257l ', { kind: 'allowance', regime: 'scotland', code: 'S1257L', nonCumulativeMarker: false }],
  ] as const)('%s', (text, expected) => {
    expect(code(text)).toMatchObject(expected)
  })

  test.each([
    '1257L W1',
    '1257L M1',
    '1257L/M1',
    '1257LW1',
    '1257LX',
    '1257L X',
    'K585 W1',
    'SK585 M1',
    'BR X',
    'SD2 W1',
    'NT X',
  ])('%s carries a week 1/month 1 marker', (text) => {
    const taxCode = code(text)
    expect(taxCode.nonCumulativeMarker).toBe(true)
    expect(taxCode.code).not.toMatch(/W1|M1|X/)
  })

  test.each([
    '',
    ' ',
    'L',
    '1257',
    '1257P',
    '1257X',
    '1257M1',
    'K',
    'K0',
    'KK1',
    'D',
    'SD',
    'SS1257L',
    'C',
    'B R',
    '123456L',
    '12.5L',
    'BRR',
    'X',
  ])('%j is rejected with a readable message', (text) => {
    const parsed = parseTaxCode(text)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toContain('is not a tax code')
  })

  test("D codes beyond the year's bands are rejected for that year", () => {
    expect(checkTaxCodeForYear(code('D1'), y2025.incomeTax, '2025-26')).toBeUndefined()
    expect(checkTaxCodeForYear(code('D2'), y2025.incomeTax, '2025-26')).toBe(
      'D2 has no rate band in 2025-26 (the highest D code is D1)',
    )
    expect(checkTaxCodeForYear(code('SD3'), y2025.incomeTax, '2025-26')).toBeUndefined()
    expect(checkTaxCodeForYear(code('SD4'), y2025.incomeTax, '2025-26')).toContain(
      'the highest D code is SD3',
    )
    expect(checkTaxCodeForYear(code('SD5'), y2026.incomeTax, '2026-27')).toContain('no rate band')
    expect(checkTaxCodeForYear(code('CD2'), y2025.incomeTax, '2025-26')).toContain('highest D code is CD1')
    // 2022-23 had five Scottish bands: SD2 (top rate) was the highest.
    expect(checkTaxCodeForYear(code('SD3'), y2022.incomeTax, '2022-23')).toContain('highest D code is SD2')
  })
})

describe('pay adjustment (free pay)', () => {
  test.each([
    // code, periods a year, pence for one period
    [0, 12, 0],
    [1, 12, 159], // (10 + 9) / 12 = 1.583 -> 1.59
    [45, 12, 3825], // 459 / 12 = 38.25
    [145, 52, 2806], // 1459 / 52 = 28.0577 -> 28.06
    [500, 12, 41742], // 5009 / 12 = 417.4167 -> 417.42
    [501, 12, 41826], // 416.67 + 19 / 12 (1.59)
    [1000, 12, 83409], // 416.67 + 417.42
    [1257, 12, 104826], // 2 x 416.67 + 2579 / 12 (214.92)
    [1257, 52, 24192], // 2 x 96.16 + 2579 / 52 (49.60)
  ] as const)('code %i over %i periods', (codeNumber, periods, expected) => {
    expect(payAdjustmentForOnePeriodPence(codeNumber, periods, y2025.incomeTax)).toBe(expected)
  })
})

describe('tax on taxable pay', () => {
  test('band limits are exact fractions of the annual limits, the total rounded down once', () => {
    // HMRC 2025-26 Gen_cumul-mthly/5: £95,341 to date in month 5 -> £37,154.70.
    expect(taxOnTaxablePayPence(95341, 5, 12, y2025.incomeTax.restOfUk)).toBe(3715470)
    // Scottish monthly, one period: 235.58.. at 19%, then 20%, 21%, 42% -> 753.60 (HMRC: 753.59, 1p tolerance).
    expect(taxOnTaxablePayPence(3125, 1, 12, y2025.incomeTax.scotland)).toBe(75360)
    expect(taxOnTaxablePayPence(0, 1, 12, y2025.incomeTax.restOfUk)).toBe(0)
  })
})

describe('period basis', () => {
  test.each([
    ['weekly', 10, false, { cumulative: true, n: 10, periodsPerYear: 52 }],
    ['fortnightly', 2, false, { cumulative: true, n: 2, periodsPerYear: 52 }],
    ['four-weekly', 52, false, { cumulative: true, n: 52, periodsPerYear: 52 }],
    ['monthly', 12, false, { cumulative: true, n: 12, periodsPerYear: 12 }],
    ['weekly', 10, true, { cumulative: false, n: 1, periodsPerYear: 52 }],
    ['fortnightly', 10, true, { cumulative: false, n: 2, periodsPerYear: 52 }],
    ['four-weekly', 10, true, { cumulative: false, n: 4, periodsPerYear: 52 }],
    ['monthly', 7, true, { cumulative: false, n: 1, periodsPerYear: 12 }],
    // HMRC's week 53 / 54 / 56: always non-cumulative, 1, 2 or 4 weeks of free pay and bands.
    ['weekly', 53, false, { cumulative: false, n: 1, periodsPerYear: 52 }],
    ['fortnightly', 53, false, { cumulative: false, n: 2, periodsPerYear: 52 }],
    ['four-weekly', 53, false, { cumulative: false, n: 4, periodsPerYear: 52 }],
  ] as const)('%s period %i week1Month1 %s', (frequency, period, w1, expected) => {
    expect(payePeriodBasis(frequency, period, w1)).toEqual(expected)
  })
})

describe('calculatePaye', () => {
  test('cumulative suffix code (HMRC 2025-26 Gen_cumul-mthly/1 and /2)', () => {
    const month1 = paye({ code: '1257L', taxablePayPence: 115625, taxablePayToDatePence: 115625 })
    expect(month1).toMatchObject({
      taxPence: 2140,
      taxToDatePence: 2140,
      payAdjustmentPence: 104826,
      taxablePounds: 107,
    })
    const month2 = paye({
      code: '1257L',
      period: 2,
      taxablePayPence: 115626,
      taxablePayToDatePence: 231251,
      taxPaidToDatePence: 2140,
    })
    expect(month2).toMatchObject({ taxPence: 2160, taxToDatePence: 4300 })
  })

  test('a cumulative refund when pay to date falls behind free pay to date', () => {
    // Month 3, £2,000 to date, £400 already paid: free pay 3 x 1048.26 = 3144.78 -> nothing due.
    const result = paye({
      code: '1257L',
      period: 3,
      taxablePayPence: 0,
      taxablePayToDatePence: 200000,
      taxPaidToDatePence: 40000,
    })
    expect(result).toMatchObject({ taxPence: -40000, taxToDatePence: 0, taxablePounds: 0 })
  })

  test('fortnightly pay uses the tax week of the pay day for cumulative free pay and bands', () => {
    // Pay day in week 4 (2nd fortnight): free pay 4 x 241.92 = 967.68.
    const result = paye({
      code: '1257L',
      payFrequency: 'fortnightly',
      period: 4,
      taxablePayPence: 150000,
      taxablePayToDatePence: 300000,
      taxPaidToDatePence: 40000,
    })
    // 3000 - 967.68 = 2032.32 -> 2032 x 20% = 406.40 to date.
    expect(result).toMatchObject({
      payAdjustmentPence: 96768,
      taxablePounds: 2032,
      taxPence: 640,
      taxToDatePence: 40640,
    })
  })

  test('four-weekly pay on a week 1 basis uses 4 weeks of free pay and bands', () => {
    const result = paye({
      code: '1257L',
      payFrequency: 'four-weekly',
      period: 20,
      week1Month1: true,
      taxablePayPence: 500000,
      taxablePayToDatePence: 2500000,
      taxPaidToDatePence: 123456,
    })
    // 5000 - 4 x 241.92 = 4032.32 -> 4032: 2900 at 20% (580) + 1132 at 40% (452.80).
    expect(result).toMatchObject({ taxablePounds: 4032, taxPence: 103280, taxToDatePence: 123456 + 103280 })
  })

  test('week 53 is taxed on a week 1 basis even on a cumulative code', () => {
    const week53 = paye({
      code: '1257L',
      payFrequency: 'weekly',
      period: 53,
      taxablePayPence: 50000,
      taxablePayToDatePence: 2600000,
      taxPaidToDatePence: 300000,
    })
    const week1 = paye({
      code: '1257L',
      payFrequency: 'weekly',
      period: 1,
      week1Month1: true,
      taxablePayPence: 50000,
    })
    expect(week53.basis.cumulative).toBe(false)
    expect(week53.taxPence).toBe(week1.taxPence)
    expect(week53.taxToDatePence).toBe(300000 + week1.taxPence)
    // Fortnightly "week 54": two weeks of free pay.
    const week54 = paye({ code: '1257L', payFrequency: 'fortnightly', period: 53, taxablePayPence: 100000 })
    expect(week54).toMatchObject({ payAdjustmentPence: 2 * 24192, taxablePounds: 516, taxPence: 10320 })
  })

  test('week 1/month 1 ignores pay and tax to date; a W1/M1/X marker on the code does the same', () => {
    const base = { code: '45L', period: 7, taxablePayPence: 316425, taxablePayToDatePence: 9999900 }
    const w1 = paye({ ...base, week1Month1: true, taxPaidToDatePence: 50000 })
    expect(w1).toMatchObject({ taxPence: 62520, taxToDatePence: 112520 }) // HMRC Gen_W1M1_mthly/4: 625.20
    expect(paye({ ...base, code: '45L M1', taxPaidToDatePence: 50000 }).taxPence).toBe(62520)
    expect(paye({ ...base, code: '45LX', taxPaidToDatePence: 50000 }).taxPence).toBe(62520)
  })

  test('K codes add pay (HMRC 2025-26 K_cumul_mthly/1)', () => {
    // K585: 416.67 + 859 / 12 (71.59) = 488.26 additional pay; 895 + 488.26 -> 1383 x 20%.
    const result = paye({ code: 'K585', taxablePayPence: 89500, taxablePayToDatePence: 89500 })
    expect(result).toMatchObject({ payAdjustmentPence: -48826, taxablePounds: 1383, taxPence: 27660 })
  })

  test('the overriding limit: tax in a period is at most 50% of the period pay (K code)', () => {
    // K1000 monthly: additional pay 834.09; on £100 pay, tax on £934 is 186.80 but at most £50.
    const month1 = paye({ code: 'K1000', taxablePayPence: 10000, taxablePayToDatePence: 10000 })
    expect(month1).toMatchObject({ taxDuePence: 18680, taxPence: 5000, overridingLimitApplied: true })
    // Month 2: tax due to date 2 x ... less the £50 paid, again limited to half of this month's pay.
    const month2 = paye({
      code: 'K1000',
      period: 2,
      taxablePayPence: 12345,
      taxablePayToDatePence: 22345,
      taxPaidToDatePence: 5000,
    })
    expect(month2).toMatchObject({ taxPence: 6172, taxToDatePence: 11172, overridingLimitApplied: true })
  })

  test('the overriding limit applies to every code, not only K codes (since April 2015)', () => {
    // BR in month 2 with nothing paid in month 1: 20% of £2,000 to date is due, £100 paid now.
    const result = paye({
      code: 'BR',
      period: 2,
      taxablePayPence: 10000,
      taxablePayToDatePence: 200000,
      taxPaidToDatePence: 0,
    })
    expect(result).toMatchObject({ taxDuePence: 40000, taxPence: 5000, overridingLimitApplied: true })
    // A refund is never limited.
    const refund = paye({
      code: '1257L',
      period: 2,
      taxablePayPence: 10000,
      taxablePayToDatePence: 10000,
      taxPaidToDatePence: 9000,
    })
    expect(refund).toMatchObject({ taxPence: -9000, overridingLimitApplied: false })
    // No positive tax on nil or negative pay.
    const negative = paye({
      code: 'BR',
      period: 2,
      taxablePayPence: -5000,
      taxablePayToDatePence: 200000,
      taxPaidToDatePence: 0,
    })
    expect(negative.taxPence).toBe(0)
  })

  test('BR and D codes tax all pay at one band rate, pay rounded down to the pound', () => {
    const w1 = { week1Month1: true, taxablePayPence: 9999 }
    expect(paye({ code: 'BR', ...w1 }).taxPence).toBe(1980)
    expect(paye({ code: 'D0', ...w1 }).taxPence).toBe(3960)
    expect(paye({ code: 'D1', ...w1 }).taxPence).toBe(4455)
    expect(paye({ code: 'SBR', ...w1 }).taxPence).toBe(1980)
    expect(paye({ code: 'SD0', ...w1 }).taxPence).toBe(2079) // intermediate 21%
    expect(paye({ code: 'SD1', ...w1 }).taxPence).toBe(4158) // higher 42%
    expect(paye({ code: 'SD2', ...w1 }).taxPence).toBe(4455) // advanced 45%
    expect(paye({ code: 'SD3', ...w1 }).taxPence).toBe(4752) // top 48%
    expect(paye({ code: 'CD1', ...w1 }).taxPence).toBe(4455)
    // Cumulative BR (HMRC BR_monthly/2).
    const br = paye({
      code: 'BR',
      period: 2,
      taxablePayPence: 350095,
      taxablePayToDatePence: 637150,
      taxPaidToDatePence: 57400,
    })
    expect(br).toMatchObject({ taxPence: 70020, taxToDatePence: 127420 })
  })

  test('NT: nothing on week 1 basis; cumulative NT refunds all tax to date (as HMRC data shows)', () => {
    expect(
      paye({ code: 'NT', week1Month1: true, taxablePayPence: 500000, taxPaidToDatePence: 1000 }),
    ).toMatchObject({
      taxPence: 0,
      taxToDatePence: 1000,
    })
    const cumulative = paye({
      code: 'NT',
      period: 10,
      taxablePayPence: 1124505,
      taxablePayToDatePence: 20341878,
      taxPaidToDatePence: 3843460,
    })
    expect(cumulative).toMatchObject({ taxPence: -3843460, taxToDatePence: 0 })
  })

  test('0T gives no free pay', () => {
    const result = paye({ code: '0T', week1Month1: true, taxablePayPence: 100099 })
    expect(result).toMatchObject({ payAdjustmentPence: 0, taxablePounds: 1000, taxPence: 20000 })
  })

  test('Scottish and Welsh codes use their own bands', () => {
    const scottish = paye({ code: 'S1257L', taxablePayPence: 115625, taxablePayToDatePence: 115625 })
    expect(scottish.taxPence).toBe(2033) // HMRC: 20.33 (19% starter rate)
    const welsh = paye({ code: 'C1257L', taxablePayPence: 115625, taxablePayToDatePence: 115625 })
    expect(welsh.taxPence).toBe(2140)
    // 2026-27 Scottish starter band is wider: more of £3,125 falls at 19%.
    const w1 = { week1Month1: true, taxablePayPence: 316425, code: 'S45L' }
    const y26 = calculatePaye({
      rates: y2026.incomeTax,
      taxYear: '2026-27',
      payFrequency: 'monthly',
      period: 1,
      week1Month1: true,
      taxablePayPence: w1.taxablePayPence,
      taxablePayToDatePence: 0,
      taxPaidToDatePence: 0,
      taxCode: code('S45L'),
    })
    expect(y26.taxPence).toBeLessThan(paye(w1).taxPence)
  })

  test('throws for a D code the year does not have', () => {
    expect(() => paye({ code: 'SD4', week1Month1: true, taxablePayPence: 100 })).toThrow('no rate band')
  })
})
