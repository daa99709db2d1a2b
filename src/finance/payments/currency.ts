// Amounts in payment files are held as integers in each currency's minor unit (pence for GBP,
// cents for EUR, yen for JPY, fils for KWD). ISO 4217 fixes how many decimal places each has;
// converting to and from decimal text happens here, exactly, without floats.

import { MAX_AMOUNT_PENCE } from '../../platform/money.ts'

/** ISO 4217 minor-unit exponents for the currencies GSS pays or is paid in. Unlisted → refused. */
const MINOR_UNIT_EXPONENTS: Readonly<Record<string, number>> = {
  GBP: 2,
  EUR: 2,
  USD: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  HUF: 2,
  RON: 2,
  BGN: 2,
  ISK: 0,
  TRY: 2,
  CAD: 2,
  AUD: 2,
  NZD: 2,
  JPY: 0,
  CNY: 2,
  HKD: 2,
  SGD: 2,
  INR: 2,
  PKR: 2,
  BDT: 2,
  LKR: 2,
  ZAR: 2,
  KES: 2,
  NGN: 2,
  GHS: 2,
  UGX: 0,
  TZS: 2,
  EGP: 2,
  MAD: 2,
  AED: 2,
  SAR: 2,
  QAR: 2,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
  LYD: 3,
  IQD: 3,
  ILS: 2,
  RUB: 2,
  UAH: 2,
  GEL: 2,
  KZT: 2,
  BRL: 2,
  MXN: 2,
  ARS: 2,
  CLP: 0,
  COP: 2,
  PEN: 2,
  KRW: 0,
  THB: 2,
  MYR: 2,
  IDR: 2,
  PHP: 2,
  VND: 0,
  XOF: 0,
  XAF: 0,
}

/** Thrown when an amount or currency cannot be represented exactly. */
export class CurrencyAmountError extends Error {}

export function minorUnitExponent(currency: string): number | undefined {
  return MINOR_UNIT_EXPONENTS[currency]
}

export function isKnownCurrency(currency: string): boolean {
  return currency in MINOR_UNIT_EXPONENTS
}

/** 1 GBP-minor → "0.01"; 1000 JPY → "1000"; 1 KWD-minor → "0.001". */
export function formatMinorUnits(amountMinor: number, currency: string): string {
  const exponent = requireExponent(currency)
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new CurrencyAmountError(`${amountMinor} is not a whole, non-negative number of minor units`)
  }
  if (exponent === 0) return String(amountMinor)
  const text = String(amountMinor).padStart(exponent + 1, '0')
  return `${text.slice(0, -exponent)}.${text.slice(-exponent)}`
}

/**
 * "1234.5" GBP → 123450. Refuses signs, exponents, separators and more decimal places than the
 * currency has (trailing zeros beyond them are fine: "10.000" GBP is 1000).
 */
export function parseMinorUnits(text: string, currency: string): number {
  const exponent = requireExponent(currency)
  const match = /^(\d{1,18})(?:\.(\d{1,5}))?$/.exec(text.trim())
  if (!match) throw new CurrencyAmountError(`"${text}" is not a plain decimal amount`)
  const fraction = (match[2] ?? '').replace(/0+$/, '')
  if (fraction.length > exponent) {
    throw new CurrencyAmountError(`"${text}" has more decimal places than ${currency} has (${exponent})`)
  }
  const amount = BigInt(match[1]!) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0')
  if (amount > BigInt(MAX_AMOUNT_PENCE)) throw new CurrencyAmountError(`"${text}" is larger than GSS accepts`)
  return Number(amount)
}

/**
 * Adds amounts in possibly different currencies as ISO 20022 control sums do ("the sum of all
 * individual amounts, irrespective of currency"), exactly, as decimal text.
 */
export function decimalSum(amounts: Iterable<{ amountMinor: number; currency: string }>): string {
  const scale = 3 // the largest exponent in the table
  let total = 0n
  let places = 0
  for (const { amountMinor, currency } of amounts) {
    const exponent = requireExponent(currency)
    places = Math.max(places, exponent)
    total += BigInt(amountMinor) * 10n ** BigInt(scale - exponent)
  }
  const text = total.toString().padStart(scale + 1, '0')
  const whole = text.slice(0, -scale)
  const fraction = text.slice(-scale).slice(0, places)
  return places === 0 ? whole : `${whole}.${fraction}`
}

function requireExponent(currency: string): number {
  const exponent = MINOR_UNIT_EXPONENTS[currency]
  if (exponent === undefined) throw new CurrencyAmountError(`GSS does not know the currency "${currency}"`)
  return exponent
}
