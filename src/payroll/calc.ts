// The `gss payroll calc` contract: one JSON object in, one JSON object out. Other systems call it,
// so its fields, messages and number formats are part of the contract (see cli.ts --help text).
//
// Input (money as decimal strings with exactly two places):
//   id (string or number, echoed), taxYear ("2025-26" | "2026-27"), payFrequency ("weekly" |
//   "fortnightly" | "four-weekly" | "monthly"), period (tax week 1-53 of the pay day for weekly,
//   fortnightly and four-weekly pay; tax month 1-12 for monthly), taxCode (as issued), week1Month1
//   (boolean), taxablePay, taxablePayToDate, taxPaidToDate (optional on week 1/month 1 lines,
//   default "0.00"), niCategory?, niablePay? (default taxablePay), studentLoanPlans? (array of
//   "1" | "2" | "4" | "5"), postgraduateLoan? (boolean).
// Output: id, tax, taxToDate and, when asked for, employeeNi + employerNi, studentLoan,
//   postgraduateLoan; or id and error for an invalid line (id null when it cannot be read).

import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { formatPence, MAX_MONEY_PENCE, parsePence } from './money.ts'
import { calculateNi, hasNiCategory } from './ni.ts'
import {
  calculatePaye,
  checkTaxCodeForYear,
  type TaxCode as ParsedCode,
  type ParsedTaxCode,
  parseTaxCode,
} from './paye.ts'
import { maxPeriod } from './periods.ts'
import { CALCULATOR_TAX_YEARS, getTaxYearRates } from './rates/index.ts'
import {
  PAY_FREQUENCIES,
  type PayFrequency,
  STUDENT_LOAN_PLANS,
  type StudentLoanPlan,
  type TaxYearRates,
} from './rates/types.ts'
import { calculatePostgraduateLoan, calculateStudentLoan, checkStudentLoanPlan } from './student-loans.ts'

/** A validated input line, money in pence. */
export interface CalcRequest {
  id: string | number
  rates: TaxYearRates
  payFrequency: PayFrequency
  period: number
  taxCode: ParsedCode
  week1Month1: boolean
  taxablePayPence: number
  taxablePayToDatePence: number
  taxPaidToDatePence: number
  niCategory: string | undefined
  niablePayPence: number
  studentLoanPlans: StudentLoanPlan[] | undefined
  postgraduateLoan: boolean
}

export interface CalcSuccess {
  id: string | number
  tax: string
  taxToDate: string
  employeeNi?: string
  employerNi?: string
  studentLoan?: string
  postgraduateLoan?: string
}

export interface CalcFailure {
  id: string | number | null
  error: string
}

export type CalcOutput = CalcSuccess | CalcFailure

export const CALC_INPUT_FIELDS = [
  'id',
  'taxYear',
  'payFrequency',
  'period',
  'taxCode',
  'week1Month1',
  'taxablePay',
  'taxablePayToDate',
  'taxPaidToDate',
  'niCategory',
  'niablePay',
  'studentLoanPlans',
  'postgraduateLoan',
] as const

const KNOWN_FIELDS = new Set<string>(CALC_INPUT_FIELDS)
const FREQUENCIES = new Set<string>(PAY_FREQUENCIES)
const PLANS = new Set<string>(STUDENT_LOAN_PLANS)
const quoteList = (values: readonly string[]) => values.map((value) => `"${value}"`).join(', ')

// Tax codes repeat across a payroll; parse each distinct code once.
const taxCodeCache = new Map<string, ParsedTaxCode>()
function parseTaxCodeCached(text: string): ParsedTaxCode {
  let parsed = taxCodeCache.get(text)
  if (parsed === undefined) {
    if (taxCodeCache.size >= 10_000) taxCodeCache.clear()
    parsed = parseTaxCode(text)
    taxCodeCache.set(text, parsed)
  }
  return parsed
}

function money(record: Record<string, unknown>, field: string, errors: string[]): number | undefined {
  const value = record[field]
  if (typeof value !== 'string') {
    const got = value === null ? 'null' : typeof value
    errors.push(`${field}: must be a string with two decimal places, e.g. "1234.56" (got ${got})`)
    return undefined
  }
  const pence = parsePence(value)
  if (pence === undefined) {
    errors.push(`${field}: "${value}" is not an amount with two decimal places, e.g. "1234.56"`)
    return undefined
  }
  if (Math.abs(pence) > MAX_MONEY_PENCE) {
    errors.push(`${field}: must be between -999999999.99 and 999999999.99`)
    return undefined
  }
  return pence
}

/** A field counts as given when it is an own property with a value (undefined is absent, as in JSON). */
function present(record: Record<string, unknown>, field: string): boolean {
  return Object.hasOwn(record, field) && record[field] !== undefined
}

/** Checks one parsed JSON value against the contract; all problems are reported together. */
export function validateCalcInput(
  raw: unknown,
): { ok: true; request: CalcRequest } | { ok: false; failure: CalcFailure } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, failure: { id: null, error: 'each line must be a JSON object' } }
  }
  const record = raw as Record<string, unknown>
  const errors: string[] = []
  for (const key of Object.keys(record)) {
    if (!KNOWN_FIELDS.has(key) && record[key] !== undefined) errors.push(`unknown field "${key}"`)
  }
  const missing = (field: string) => errors.push(`${field}: required`)

  let id: string | number | null = null
  if (!present(record, 'id')) missing('id')
  else if (typeof record.id === 'string' || (typeof record.id === 'number' && Number.isFinite(record.id)))
    id = record.id
  else errors.push('id: must be a string or a number')

  let rates: TaxYearRates | undefined
  if (!present(record, 'taxYear')) missing('taxYear')
  else {
    const year = record.taxYear
    rates =
      typeof year === 'string' && CALCULATOR_TAX_YEARS.includes(year) ? getTaxYearRates(year) : undefined
    if (rates === undefined) errors.push(`taxYear: must be one of ${quoteList(CALCULATOR_TAX_YEARS)}`)
  }

  let payFrequency: PayFrequency | undefined
  if (!present(record, 'payFrequency')) missing('payFrequency')
  else if (typeof record.payFrequency === 'string' && FREQUENCIES.has(record.payFrequency)) {
    payFrequency = record.payFrequency as PayFrequency
  } else errors.push(`payFrequency: must be one of ${quoteList(PAY_FREQUENCIES)}`)

  let period: number | undefined
  if (!present(record, 'period')) missing('period')
  else if (typeof record.period !== 'number' || !Number.isInteger(record.period)) {
    errors.push('period: must be a whole number (the tax week, or the tax month for monthly pay)')
  } else if (payFrequency !== undefined) {
    const max = maxPeriod(payFrequency)
    if (record.period < 1 || record.period > max) {
      const unit = payFrequency === 'monthly' ? 'tax month' : 'tax week of the pay day'
      errors.push(
        `period: must be from 1 to ${max} for ${payFrequency} pay (the ${unit}), not ${record.period}`,
      )
    } else period = record.period
  }

  let taxCode: ParsedCode | undefined
  if (!present(record, 'taxCode')) missing('taxCode')
  else if (typeof record.taxCode !== 'string') errors.push('taxCode: must be a string, e.g. "1257L"')
  else {
    const parsed = parseTaxCodeCached(record.taxCode)
    if (!parsed.ok) errors.push(`taxCode: ${parsed.error}`)
    else if (rates !== undefined) {
      const problem = checkTaxCodeForYear(parsed.taxCode, rates.incomeTax, rates.taxYear)
      if (problem === undefined) taxCode = parsed.taxCode
      else errors.push(`taxCode: ${problem}`)
    }
  }

  let week1Month1: boolean | undefined
  if (!present(record, 'week1Month1')) missing('week1Month1')
  else if (typeof record.week1Month1 === 'boolean') week1Month1 = record.week1Month1
  else errors.push('week1Month1: must be true or false')

  let taxablePayPence: number | undefined
  if (!present(record, 'taxablePay')) missing('taxablePay')
  else taxablePayPence = money(record, 'taxablePay', errors)

  let taxablePayToDatePence: number | undefined
  if (!present(record, 'taxablePayToDate')) missing('taxablePayToDate')
  else taxablePayToDatePence = money(record, 'taxablePayToDate', errors)

  let taxPaidToDatePence: number | undefined = 0
  const nonCumulativeLine = week1Month1 === true || taxCode?.nonCumulativeMarker === true
  if (present(record, 'taxPaidToDate')) taxPaidToDatePence = money(record, 'taxPaidToDate', errors)
  else if (!nonCumulativeLine && week1Month1 !== undefined) {
    errors.push('taxPaidToDate: required unless week1Month1 is true')
  }

  let niCategory: string | undefined
  if (present(record, 'niCategory')) {
    const value = record.niCategory
    if (typeof value !== 'string' || !/^[A-Za-z]$/.test(value)) {
      errors.push('niCategory: must be a National Insurance category letter, e.g. "A"')
    } else if (rates !== undefined) {
      const letter = value.toUpperCase()
      if (hasNiCategory(rates, letter)) niCategory = letter
      else {
        const known = Object.keys(rates.nationalInsurance.segments[0]!.categories).sort().join(', ')
        errors.push(
          `niCategory: "${value}" is not a National Insurance category in ${rates.taxYear} (${known})`,
        )
      }
    }
  }

  let niablePayPence: number | undefined = taxablePayPence
  if (present(record, 'niablePay')) niablePayPence = money(record, 'niablePay', errors)

  let studentLoanPlans: StudentLoanPlan[] | undefined
  if (present(record, 'studentLoanPlans')) {
    const value = record.studentLoanPlans
    if (!Array.isArray(value) || !value.every((plan) => typeof plan === 'string' && PLANS.has(plan))) {
      errors.push(`studentLoanPlans: must be an array of ${quoteList(STUDENT_LOAN_PLANS)}`)
    } else if (new Set(value).size !== value.length) {
      errors.push('studentLoanPlans: lists a plan more than once')
    } else if (rates !== undefined) {
      const problems = (value as StudentLoanPlan[])
        .map((plan) => checkStudentLoanPlan(rates, plan))
        .filter((problem) => problem !== undefined)
      if (problems.length > 0) errors.push(`studentLoanPlans: ${problems.join('; ')}`)
      else studentLoanPlans = value as StudentLoanPlan[]
    }
  }

  let postgraduateLoan = false
  if (present(record, 'postgraduateLoan')) {
    if (typeof record.postgraduateLoan === 'boolean') postgraduateLoan = record.postgraduateLoan
    else errors.push('postgraduateLoan: must be true or false')
  }

  if (errors.length > 0) return { ok: false, failure: { id, error: errors.join('; ') } }
  return {
    ok: true,
    request: {
      id: id!,
      rates: rates!,
      payFrequency: payFrequency!,
      period: period!,
      taxCode: taxCode!,
      week1Month1: week1Month1!,
      taxablePayPence: taxablePayPence!,
      taxablePayToDatePence: taxablePayToDatePence!,
      taxPaidToDatePence: taxPaidToDatePence!,
      niCategory,
      niablePayPence: niablePayPence!,
      studentLoanPlans,
      postgraduateLoan,
    },
  }
}

/** Works out one validated line. */
export function computeCalc(request: CalcRequest): CalcSuccess {
  const { rates, payFrequency, period } = request
  const paye = calculatePaye({
    rates: rates.incomeTax,
    taxYear: rates.taxYear,
    taxCode: request.taxCode,
    payFrequency,
    period,
    week1Month1: request.week1Month1,
    taxablePayPence: request.taxablePayPence,
    taxablePayToDatePence: request.taxablePayToDatePence,
    taxPaidToDatePence: request.taxPaidToDatePence,
  })
  const output: CalcSuccess = {
    id: request.id,
    tax: formatPence(paye.taxPence),
    taxToDate: formatPence(paye.taxToDatePence),
  }
  if (request.niCategory !== undefined) {
    const ni = calculateNi({
      rates,
      category: request.niCategory,
      payFrequency,
      period,
      niablePayPence: request.niablePayPence,
    })
    output.employeeNi = formatPence(ni.employeePence)
    output.employerNi = formatPence(ni.employerPence)
  }
  if (request.studentLoanPlans !== undefined) {
    const pence = calculateStudentLoan({
      rates,
      plans: request.studentLoanPlans,
      payFrequency,
      niablePayPence: request.niablePayPence,
    })
    output.studentLoan = formatPence(pence)
  }
  if (request.postgraduateLoan) {
    const pence = calculatePostgraduateLoan({ rates, payFrequency, niablePayPence: request.niablePayPence })
    output.postgraduateLoan = formatPence(pence)
  }
  return output
}

/** The contract as a pure function: one parsed JSON value in, one output object out. */
export function calculateLine(raw: unknown): CalcOutput {
  const validated = validateCalcInput(raw)
  if (!validated.ok) return validated.failure
  try {
    return computeCalc(validated.request)
  } catch (error) {
    return { id: validated.request.id, error: `could not calculate: ${(error as Error).message}` }
  }
}

export function isCalcFailure(output: CalcOutput): output is CalcFailure {
  return Object.hasOwn(output, 'error')
}

/** Serialises an output object; every value but id is already a safe decimal string. */
export function formatCalcOutput(output: CalcOutput): string {
  const id = JSON.stringify(output.id)
  if (isCalcFailure(output)) return `{"id":${id},"error":${JSON.stringify(output.error)}}`
  let json = `{"id":${id},"tax":"${output.tax}","taxToDate":"${output.taxToDate}"`
  if (output.employeeNi !== undefined)
    json += `,"employeeNi":"${output.employeeNi}","employerNi":"${output.employerNi}"`
  if (output.studentLoan !== undefined) json += `,"studentLoan":"${output.studentLoan}"`
  if (output.postgraduateLoan !== undefined) json += `,"postgraduateLoan":"${output.postgraduateLoan}"`
  return `${json}}`
}

/** One JSONL input line (not blank) to one JSONL output line, without the newline. */
export function calcJsonLine(line: string, lineNumber: number): { json: string; ok: boolean } {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch (error) {
    const reason = (error as Error).message
    return {
      json: formatCalcOutput({ id: null, error: `line ${lineNumber}: not valid JSON (${reason})` }),
      ok: false,
    }
  }
  const output = calculateLine(raw)
  return { json: formatCalcOutput(output), ok: !isCalcFailure(output) }
}

export interface CalcRunSummary {
  /** Lines that produced an output line (blank lines are skipped and not counted). */
  lines: number
  errors: number
}

const FLUSH_AT_CHARS = 64 * 1024

/**
 * Streams JSON Lines from `input` to `output`, one output line per non-blank input line, in order.
 * Blank (or whitespace-only) lines are skipped and produce no output; a UTF-8 byte order mark and
 * CRLF line endings are accepted. Output is written in 64 KB batches, respecting back-pressure.
 */
export async function runCalcStream(input: Readable, output: Writable): Promise<CalcRunSummary> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  let buffer = ''
  let count = 0
  let errors = 0
  let lineNumber = 0
  const flush = async () => {
    if (buffer.length === 0) return
    const chunk = buffer
    buffer = ''
    if (!output.write(chunk)) await once(output, 'drain')
  }
  for await (const rawLine of lines) {
    lineNumber += 1
    const line = lineNumber === 1 && rawLine.charCodeAt(0) === 0xfeff ? rawLine.slice(1) : rawLine
    if (line.trim() === '') continue
    const result = calcJsonLine(line, lineNumber)
    count += 1
    if (!result.ok) errors += 1
    buffer += `${result.json}\n`
    if (buffer.length >= FLUSH_AT_CHARS) await flush()
  }
  await flush()
  return { lines: count, errors }
}
