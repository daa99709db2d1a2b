import { PassThrough, Readable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { type CalcFailure, calcJsonLine, calculateLine, formatCalcOutput, runCalcStream } from './calc.ts'
import { formatPence, parsePence } from './money.ts'
import { ALL_TAX_YEARS, CALCULATOR_TAX_YEARS, checkTaxYearRates, requireTaxYearRates } from './rates/index.ts'

const base = {
  id: 'emp-1',
  taxYear: '2025-26',
  payFrequency: 'monthly',
  period: 1,
  taxCode: '1257L',
  week1Month1: false,
  taxablePay: '3000.00',
  taxablePayToDate: '3000.00',
  taxPaidToDate: '0.00',
}

function errorOf(input: unknown): string {
  const output = calculateLine(input)
  expect(output).toHaveProperty('error')
  return (output as CalcFailure).error
}

describe('money', () => {
  test.each([
    ['0.00', 0],
    ['0.01', 1],
    ['1234.56', 123456],
    ['-0.50', -50],
    ['-0.00', 0],
    ['999999999.99', 99999999999],
  ] as const)('parses %s', (text, pence) => {
    expect(parsePence(text)).toBe(pence)
  })

  test.each([
    '1234.5',
    '1234',
    '1,234.56',
    '1e3',
    ' 1.00',
    '1.00 ',
    '+1.00',
    '.50',
    '1.005',
    '',
    '1234567890.00',
    '0x1.00',
  ])('rejects %j', (text) => {
    expect(parsePence(text)).toBeUndefined()
  })

  test.each([
    [0, '0.00'],
    [5, '0.05'],
    [-5, '-0.05'],
    [123456, '1234.56'],
    [-264_87, '-264.87'],
  ] as const)('formats %i', (pence, text) => {
    expect(formatPence(pence)).toBe(text)
  })
})

describe('rates registry', () => {
  test('the calculator offers 2025-26 and 2026-27; older years are for HMRC regression data only', () => {
    expect(CALCULATOR_TAX_YEARS).toEqual(['2025-26', '2026-27'])
    expect(ALL_TAX_YEARS).toEqual(['2022-23', '2023-24', '2025-26', '2026-27'])
  })

  test('every year passes the data checks, and the checks catch mistakes', () => {
    for (const year of ALL_TAX_YEARS) expect(checkTaxYearRates(requireTaxYearRates(year))).toEqual([])
    const good = requireTaxYearRates('2025-26')
    const bad = structuredClone(good)
    bad.incomeTax.restOfUk.bands[1]!.upToPounds = 30000
    bad.incomeTax.scotland.basicRateBand = 'middle'
    bad.nationalInsurance.segments[0]!.thresholds.PT.weeklyPounds = 241.5
    bad.studentLoans.plans['1'] = { annualThresholdPounds: 26065.5, rateBasisPoints: 900 }
    const problems = checkTaxYearRates(bad).join('\n')
    expect(problems).toContain('restOfUk higher: limits must be whole pounds, rising')
    expect(problems).toContain('basicRateBand middle is not a band')
    expect(problems).toContain('NI threshold PT must be whole pounds')
    expect(problems).toContain('student loan plan 1')
  })
})

describe('calculateLine: results', () => {
  test('tax only', () => {
    expect(calculateLine(base)).toEqual({ id: 'emp-1', tax: '390.20', taxToDate: '390.20' })
  })

  test('everything asked for, in contract order; niablePay defaults to taxablePay', () => {
    const output = calculateLine({
      ...base,
      niCategory: 'A',
      studentLoanPlans: ['1', '2'],
      postgraduateLoan: true,
    })
    expect(output).toEqual({
      id: 'emp-1',
      tax: '390.20',
      taxToDate: '390.20',
      employeeNi: '156.16', // (3000 - 1048) x 8%
      employerNi: '387.45', // (3000 - 417) x 15%
      studentLoan: '74.00', // (3000 - 2172.08) x 9% = 74.51
      postgraduateLoan: '75.00', // (3000 - 1750) x 6%
    })
    expect(Object.keys(output)).toEqual([
      'id',
      'tax',
      'taxToDate',
      'employeeNi',
      'employerNi',
      'studentLoan',
      'postgraduateLoan',
    ])
  })

  test('niablePay is used for NI and loans when given; tax still uses taxablePay', () => {
    const output = calculateLine({ ...base, niablePay: '1000.00', niCategory: 'A', studentLoanPlans: ['1'] })
    expect(output).toMatchObject({
      tax: '390.20',
      employeeNi: '0.00',
      employerNi: '87.45',
      studentLoan: '0.00',
    })
  })

  test('a refund is negative and taxToDate adds it to taxPaidToDate', () => {
    const output = calculateLine({
      ...base,
      period: 7,
      taxablePay: '242.84',
      taxablePayToDate: '28484.29',
      taxPaidToDate: '10463.08',
      payFrequency: 'weekly',
    })
    expect(output).toEqual({ id: 'emp-1', tax: '-264.87', taxToDate: '10198.21' }) // HMRC Gen_cumul-wkly/7
  })

  test('taxPaidToDate is optional on week 1/month 1 lines and never changes tax there', () => {
    const { taxPaidToDate: _omit, ...w1 } = { ...base, week1Month1: true, period: 6 }
    expect(calculateLine(w1)).toEqual({ id: 'emp-1', tax: '390.20', taxToDate: '390.20' })
    expect(calculateLine({ ...w1, taxPaidToDate: '1000.00' })).toEqual({
      id: 'emp-1',
      tax: '390.20',
      taxToDate: '1390.20',
    })
    // A code carrying a W1/M1 marker makes the line week 1/month 1 too.
    expect(calculateLine({ ...base, taxCode: '1257L M1', taxPaidToDate: undefined })).toMatchObject({
      tax: '390.20',
    })
  })

  test('numeric ids are echoed as numbers', () => {
    expect(calculateLine({ ...base, id: 42 })).toMatchObject({ id: 42 })
  })

  test('NI category letters are accepted in lower case; X gives nil', () => {
    expect(calculateLine({ ...base, niCategory: 'a' })).toMatchObject({ employeeNi: '156.16' })
    expect(calculateLine({ ...base, niCategory: 'X' })).toMatchObject({
      employeeNi: '0.00',
      employerNi: '0.00',
    })
  })

  test('2026-27 plan 5 and an empty plan list', () => {
    expect(calculateLine({ ...base, taxYear: '2026-27', studentLoanPlans: ['5'] })).toMatchObject({
      studentLoan: '82.00',
    })
    expect(calculateLine({ ...base, studentLoanPlans: [] })).toMatchObject({ studentLoan: '0.00' })
    expect(calculateLine({ ...base, postgraduateLoan: false })).not.toHaveProperty('postgraduateLoan')
  })
})

describe('calculateLine: errors name the field', () => {
  test.each([
    [null, 'each line must be a JSON object'],
    [[1, 2], 'each line must be a JSON object'],
    ['text', 'each line must be a JSON object'],
    [{ ...base, bonus: '1.00' }, 'unknown field "bonus"'],
    [{ ...base, id: undefined }, 'id: required'],
    [{ ...base, id: { a: 1 } }, 'id: must be a string or a number'],
    [{ ...base, taxYear: '2024-25' }, 'taxYear: must be one of "2025-26", "2026-27"'],
    [{ ...base, taxYear: '2022-23' }, 'taxYear: must be one of "2025-26", "2026-27"'],
    [{ ...base, taxYear: 2025 }, 'taxYear: must be one of'],
    [
      { ...base, payFrequency: 'annually' },
      'payFrequency: must be one of "weekly", "fortnightly", "four-weekly", "monthly"',
    ],
    [{ ...base, period: 13 }, 'period: must be from 1 to 12 for monthly pay (the tax month), not 13'],
    [{ ...base, period: 0 }, 'period: must be from 1 to 12 for monthly pay'],
    [
      { ...base, payFrequency: 'weekly', period: 54 },
      'period: must be from 1 to 53 for weekly pay (the tax week of the pay day), not 54',
    ],
    [{ ...base, period: 1.5 }, 'period: must be a whole number'],
    [{ ...base, period: '1' }, 'period: must be a whole number'],
    [{ ...base, taxCode: '1257Q' }, 'taxCode: "1257Q" is not a tax code'],
    [{ ...base, taxCode: 1257 }, 'taxCode: must be a string'],
    [{ ...base, taxCode: 'SD4' }, 'taxCode: SD4 has no rate band in 2025-26 (the highest D code is SD3)'],
    [{ ...base, week1Month1: 'false' }, 'week1Month1: must be true or false'],
    [
      { ...base, taxablePay: 3000 },
      'taxablePay: must be a string with two decimal places, e.g. "1234.56" (got number)',
    ],
    [{ ...base, taxablePay: '3000' }, 'taxablePay: "3000" is not an amount with two decimal places'],
    [{ ...base, taxablePay: '3,000.00' }, 'taxablePay: "3,000.00" is not an amount'],
    [
      { ...base, taxablePay: null },
      'taxablePay: must be a string with two decimal places, e.g. "1234.56" (got null)',
    ],
    [{ ...base, taxablePayToDate: '1.5' }, 'taxablePayToDate: "1.5" is not an amount'],
    [{ ...base, taxPaidToDate: undefined }, 'taxPaidToDate: required unless week1Month1 is true'],
    [{ ...base, taxPaidToDate: '12' }, 'taxPaidToDate: "12" is not an amount'],
    [
      { ...base, niCategory: 'Q' },
      'niCategory: "Q" is not a National Insurance category in 2025-26 (A, B, C, D, E, F, H, I, J, K, L, M, N, S, V, X, Z)',
    ],
    [{ ...base, niCategory: 'AB' }, 'niCategory: must be a National Insurance category letter'],
    [{ ...base, niablePay: '10' }, 'niablePay: "10" is not an amount'],
    [{ ...base, studentLoanPlans: '1' }, 'studentLoanPlans: must be an array of "1", "2", "4", "5"'],
    [{ ...base, studentLoanPlans: [1] }, 'studentLoanPlans: must be an array of'],
    [{ ...base, studentLoanPlans: ['3'] }, 'studentLoanPlans: must be an array of'],
    [{ ...base, studentLoanPlans: ['1', '1'] }, 'studentLoanPlans: lists a plan more than once'],
    [
      { ...base, studentLoanPlans: ['5'] },
      'studentLoanPlans: plan 5 is not collected through payroll in 2025-26',
    ],
    [{ ...base, postgraduateLoan: 'yes' }, 'postgraduateLoan: must be true or false'],
    [{ ...base, taxablePay: '1000000000.00' }, 'taxablePay: "1000000000.00" is not an amount'],
  ])('%j', (input, message) => {
    expect(errorOf(input)).toContain(message)
  })

  test('every missing field is reported, and the id is echoed when readable', () => {
    const output = calculateLine({ id: 'x' })
    expect(output).toMatchObject({ id: 'x' })
    const error = (output as CalcFailure).error
    for (const field of [
      'taxYear',
      'payFrequency',
      'period',
      'taxCode',
      'week1Month1',
      'taxablePay',
      'taxablePayToDate',
    ]) {
      expect(error).toContain(`${field}: required`)
    }
  })

  test('several problems are joined with "; "', () => {
    expect(errorOf({ ...base, extra: 1, period: 99 })).toBe(
      'unknown field "extra"; period: must be from 1 to 12 for monthly pay (the tax month), not 99',
    )
  })
})

describe('JSON lines', () => {
  test('formatCalcOutput writes fields in contract order', () => {
    expect(formatCalcOutput({ id: 'a"b', tax: '1.00', taxToDate: '2.00', studentLoan: '0.00' })).toBe(
      '{"id":"a\\"b","tax":"1.00","taxToDate":"2.00","studentLoan":"0.00"}',
    )
    expect(formatCalcOutput({ id: null, error: 'x' })).toBe('{"id":null,"error":"x"}')
  })

  test('invalid JSON gives an error line naming the line number', () => {
    const result = calcJsonLine('{"id": 1,', 7)
    expect(result.ok).toBe(false)
    expect(JSON.parse(result.json)).toMatchObject({
      id: null,
      error: expect.stringMatching(/^line 7: not valid JSON/),
    })
  })

  test('runCalcStream: order kept, blank lines skipped, BOM and CRLF accepted, errors counted', async () => {
    const lines = [
      `\uFEFF${JSON.stringify({ ...base, id: 1 })}`,
      '',
      '   ',
      '{not json',
      JSON.stringify({ ...base, id: 2, period: 13 }),
      JSON.stringify({ ...base, id: 3, period: 2, taxablePayToDate: '6000.00', taxPaidToDate: '390.20' }),
    ]
    const output = new PassThrough()
    const chunks: string[] = []
    output.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
    const summary = await runCalcStream(Readable.from([lines.join('\r\n')]), output)
    const outLines = chunks
      .join('')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(summary).toEqual({ lines: 4, errors: 2 })
    expect(outLines.map((line) => line.id)).toEqual([1, null, 2, 3])
    expect(outLines[0]).toEqual({ id: 1, tax: '390.20', taxToDate: '390.20' })
    expect(outLines[1].error).toMatch(/^line 4: not valid JSON/)
    expect(outLines[2].error).toContain('period:')
    expect(outLines[3]).toEqual({ id: 3, tax: '390.40', taxToDate: '780.60' }) // 3903 x 20% to date
  })

  test('runCalcStream keeps order across many batches', async () => {
    const count = 5000
    const input = Array.from({ length: count }, (_, i) => JSON.stringify({ ...base, id: i })).join('\n')
    const output = new PassThrough({ highWaterMark: 1024 })
    const chunks: string[] = []
    output.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
    const summary = await runCalcStream(Readable.from([input]), output)
    const ids = chunks
      .join('')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).id)
    expect(summary).toEqual({ lines: count, errors: 0 })
    expect(ids).toEqual(Array.from({ length: count }, (_, i) => i))
  })
})
