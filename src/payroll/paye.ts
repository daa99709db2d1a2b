// PAYE income tax per HMRC's "Specification for PAYE Tax Table Routines", checked row by row
// against HMRC's PAYE test data (hmrc-conformance.test.ts). All arithmetic is on integers:
//
// 1. Pay adjustment (free pay for suffix codes, additional pay for K codes) for one period:
//    code 0 -> nil; otherwise q = floor((code - 1) / 500), r = code - 500q, and
//    q x (£96.16 a week | £416.67 a month) + (r x 10 + 9) / (52 | 12) rounded UP to the penny.
//    To date: that figure x n (n = tax week or month; 1, 2 or 4 weeks / 1 month on week 1/month 1).
// 2. Taxable pay to date = pay to date - free pay (+ additional pay), rounded DOWN to the pound.
// 3. Tax to date = sum over bands of rate x taxable pay in band, with band limits exactly
//    annual limit x n / (52 | 12) (not rounded: HMRC's data rejects rounding them), and the total
//    rounded DOWN to the penny. BR and D codes: one rate on all pay to date (rounded down to the
//    pound). NT: nil. Scottish figures sometimes differ from HMRC's by 1p; HMRC accepts that.
// 4. Tax this period = tax to date - tax paid in earlier periods (negative is a refund), but never
//    more than 50% of this period's taxable pay (the overriding or "regulatory" limit, for every
//    code since April 2015). On a cumulative NT code the tax to date is nil, so all tax is refunded.

import { ceilDiv } from './money.ts'
import { type PayePeriodBasis, payePeriodBasis } from './periods.ts'
import type { IncomeTaxRates, IncomeTaxRegime, PayFrequency } from './rates/types.ts'

export type TaxRegimeName = 'restOfUk' | 'scotland' | 'wales'

interface TaxCodeBase {
  /** The code as normalised: upper case, no spaces, without any W1/M1/X marker, e.g. "S1257L". */
  code: string
  regime: TaxRegimeName
  /** The code carried a week 1/month 1 marker (" W1", " M1" or "X"). */
  nonCumulativeMarker: boolean
}

export type TaxCode =
  /** A number and a suffix letter: 1257L, 45L, 0T, S1257L, C1257L. */
  | (TaxCodeBase & { kind: 'allowance'; codeNumber: number; suffix: string })
  /** K codes: the number is additional pay. K585, SK585, CK585. */
  | (TaxCodeBase & { kind: 'k'; codeNumber: number })
  /** BR (bandOffset 0) and D0, D1, ... (bandOffset 1, 2, ...) tax all pay at one band's rate. */
  | (TaxCodeBase & { kind: 'flat'; bandOffset: number })
  /** NT: no tax. */
  | (TaxCodeBase & { kind: 'nt' })

export type ParsedTaxCode = { ok: true; taxCode: TaxCode } | { ok: false; error: string }

const MARKER = /^(.+?)(?:[ /]?(?:W1|M1)| ?X)$/
const ALLOWANCE = /^(\d{1,5})([LMNT])$/
const K_CODE = /^K(\d{1,5})$/
const D_CODE = /^D(\d)$/

function parseBody(body: string, regime: TaxRegimeName, marker: boolean): TaxCode | undefined {
  const base = { regime, nonCumulativeMarker: marker }
  const prefix = regime === 'scotland' ? 'S' : regime === 'wales' ? 'C' : ''
  const code = prefix + body
  if (body === 'BR') return { ...base, code, kind: 'flat', bandOffset: 0 }
  if (body === 'NT') return { ...base, code, kind: 'nt' }
  const d = D_CODE.exec(body)
  if (d) return { ...base, code, kind: 'flat', bandOffset: Number(d[1]) + 1 }
  const k = K_CODE.exec(body)
  if (k) {
    const codeNumber = Number(k[1])
    return codeNumber > 0 ? { ...base, code, kind: 'k', codeNumber } : undefined
  }
  const allowance = ALLOWANCE.exec(body)
  if (allowance) {
    return { ...base, code, kind: 'allowance', codeNumber: Number(allowance[1]), suffix: allowance[2]! }
  }
  return undefined
}

function parseWithoutMarker(text: string, marker: boolean): TaxCode | undefined {
  const first = text[0]
  if ((first === 'S' || first === 'C') && text.length > 1) {
    return parseBody(text.slice(1), first === 'S' ? 'scotland' : 'wales', marker)
  }
  return parseBody(text, 'restOfUk', marker)
}

/**
 * Parses a tax code as issued: suffix codes (1257L, 0T...), K codes, BR, D0, D1..., NT, with an
 * S (Scottish) or C (Welsh) prefix, and optionally a week 1/month 1 marker (" W1", " M1", "X").
 * Case and surrounding spaces are ignored. Whether a D code exists in a year is checked by
 * checkTaxCodeForYear, because it depends on the year's bands.
 */
export function parseTaxCode(text: string): ParsedTaxCode {
  const normalised = text.trim().toUpperCase()
  const marked = MARKER.exec(normalised)
  const taxCode =
    (marked ? parseWithoutMarker(marked[1]!.trimEnd(), true) : undefined) ??
    parseWithoutMarker(normalised, false)
  if (taxCode === undefined) {
    return {
      ok: false,
      error: `"${text}" is not a tax code (expected e.g. 1257L, K585, BR, D0, NT, 0T, S1257L, SD2, C45L, 1257L W1)`,
    }
  }
  return { ok: true, taxCode }
}

function regimeOf(rates: IncomeTaxRates, taxCode: TaxCode): IncomeTaxRegime {
  return rates[taxCode.regime]
}

/** The band index a BR or D code taxes at, or undefined when the year has no such band. */
function flatBandIndex(regime: IncomeTaxRegime, bandOffset: number): number | undefined {
  const basic = regime.bands.findIndex((band) => band.name === regime.basicRateBand)
  const index = basic + bandOffset
  return basic >= 0 && index < regime.bands.length ? index : undefined
}

/** Why a well-formed code cannot be used in a year (a D code beyond the year's bands), if so. */
export function checkTaxCodeForYear(
  taxCode: TaxCode,
  rates: IncomeTaxRates,
  taxYear: string,
): string | undefined {
  if (taxCode.kind !== 'flat') return undefined
  const regime = regimeOf(rates, taxCode)
  if (flatBandIndex(regime, taxCode.bandOffset) !== undefined) return undefined
  const prefix = taxCode.regime === 'scotland' ? 'S' : taxCode.regime === 'wales' ? 'C' : ''
  const highest =
    regime.bands.length - 2 - regime.bands.findIndex((band) => band.name === regime.basicRateBand)
  return `${taxCode.code} has no rate band in ${taxYear} (the highest D code is ${prefix}D${highest})`
}

/**
 * Free pay (suffix codes) or additional pay (K codes) for ONE period of the weekly or monthly
 * tables, in pence. Multiply by n for the figure to date.
 */
export function payAdjustmentForOnePeriodPence(
  codeNumber: number,
  periodsPerYear: 52 | 12,
  rates: IncomeTaxRates,
): number {
  if (codeNumber === 0) return 0
  const blocks = Math.floor((codeNumber - 1) / 500)
  const remainder = codeNumber - blocks * 500
  const perBlockPence =
    periodsPerYear === 52 ? rates.freePayPer500Block.weeklyPence : rates.freePayPer500Block.monthlyPence
  return blocks * perBlockPence + ceilDiv((remainder * 10 + 9) * 100, periodsPerYear)
}

/**
 * Tax on whole-pound taxable pay over n periods of a year of `periodsPerYear`, rounded down to the
 * penny. Band limits are the annual limits x n / periodsPerYear, kept exact by scaling every
 * amount by periodsPerYear.
 */
export function taxOnTaxablePayPence(
  taxablePounds: number,
  n: number,
  periodsPerYear: number,
  regime: IncomeTaxRegime,
): number {
  if (taxablePounds <= 0) return 0
  const scaledPay = taxablePounds * periodsPerYear
  let scaledLower = 0
  let sum = 0 // sum of (scaled pounds in band x basis points)
  for (const band of regime.bands) {
    const scaledUpper = band.upToPounds === null ? Number.POSITIVE_INFINITY : band.upToPounds * n
    if (scaledPay > scaledLower)
      sum += (Math.min(scaledPay, scaledUpper) - scaledLower) * band.rateBasisPoints
    if (scaledPay <= scaledUpper) break
    scaledLower = scaledUpper
  }
  // pence = pounds x 100 x bp / 10000 = scaled x bp / (100 x periodsPerYear)
  return Math.floor(sum / (100 * periodsPerYear))
}

export interface PayeInput {
  rates: IncomeTaxRates
  taxYear: string
  taxCode: TaxCode
  payFrequency: PayFrequency
  /** Tax week (weekly, fortnightly, four-weekly: the week the pay day falls in) or tax month. */
  period: number
  week1Month1: boolean
  taxablePayPence: number
  /** This tax year including this period (ignored on a non-cumulative basis). */
  taxablePayToDatePence: number
  /** Tax deducted in earlier periods of the year (ignored on a non-cumulative basis). */
  taxPaidToDatePence: number
}

export interface PayeResult {
  /** Tax to deduct this period; negative is a refund. */
  taxPence: number
  /** taxPaidToDate + tax. */
  taxToDatePence: number
  basis: PayePeriodBasis
  /** Free pay (positive) or K-code additional pay (negative) used, to date; 0 for BR, D, NT. */
  payAdjustmentPence: number
  /** Taxable pay the tax was worked out on (to date if cumulative), whole pounds. */
  taxablePounds: number
  /** Tax due on that pay before the overriding limit (to date if cumulative). */
  taxDuePence: number
  /** True when the 50% overriding limit cut this period's tax. */
  overridingLimitApplied: boolean
}

export function calculatePaye(input: PayeInput): PayeResult {
  const { rates, taxCode } = input
  const codeProblem = checkTaxCodeForYear(taxCode, rates, input.taxYear)
  if (codeProblem !== undefined) throw new RangeError(codeProblem)
  const basis = payePeriodBasis(
    input.payFrequency,
    input.period,
    input.week1Month1 || taxCode.nonCumulativeMarker,
  )
  const payPence = basis.cumulative ? input.taxablePayToDatePence : input.taxablePayPence
  const regime = regimeOf(rates, taxCode)

  let payAdjustmentPence = 0
  let taxablePounds = 0
  let taxDuePence = 0
  if (taxCode.kind === 'flat') {
    taxablePounds = Math.max(0, Math.floor(payPence / 100))
    const band = regime.bands[flatBandIndex(regime, taxCode.bandOffset)!]!
    taxDuePence = Math.floor((taxablePounds * band.rateBasisPoints) / 100)
  } else if (taxCode.kind === 'allowance' || taxCode.kind === 'k') {
    const onePeriod = payAdjustmentForOnePeriodPence(taxCode.codeNumber, basis.periodsPerYear, rates)
    payAdjustmentPence = (taxCode.kind === 'k' ? -onePeriod : onePeriod) * basis.n
    taxablePounds = Math.max(0, Math.floor((payPence - payAdjustmentPence) / 100))
    taxDuePence = taxOnTaxablePayPence(taxablePounds, basis.n, basis.periodsPerYear, regime)
  }

  let taxPence = basis.cumulative ? taxDuePence - input.taxPaidToDatePence : taxDuePence
  const limitPence = Math.max(
    0,
    Math.floor((input.taxablePayPence * rates.overridingLimitBasisPoints) / 10000),
  )
  const overridingLimitApplied = taxPence > limitPence
  if (overridingLimitApplied) taxPence = limitPence
  return {
    taxPence,
    taxToDatePence: input.taxPaidToDatePence + taxPence,
    basis,
    payAdjustmentPence,
    taxablePounds,
    taxDuePence,
    overridingLimitApplied,
  }
}
