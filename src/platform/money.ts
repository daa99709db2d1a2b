// Money is integer pence (minor units) in a JS number, never a binary fraction. Conversion to and
// from text happens only at the edges (forms, files, API), exactly, without going through floats.
// Amounts are capped so that every intermediate product stays a safe integer.

/** The largest amount accepted anywhere: £9,999,999,999,999.99 (below 2^53 with room for rates). */
export const MAX_AMOUNT_PENCE = 999_999_999_999_999

export type Pence = number

export class MoneyFormatError extends Error {}

const DECIMAL = /^([+-]?)(\d{1,13})(?:\.(\d{1,2}))?$/

/**
 * Parses "1234.56", "-0.5", "12" (and, with `allowSeparators`, "£1,234.56") to pence. Refuses
 * more than two decimal places, exponents and anything that is not a plain amount.
 */
export function parseMoney(
  text: string,
  options: { allowSeparators?: boolean; places?: 'exactly-two' | 'up-to-two' } = {},
): Pence {
  let cleaned = text.trim()
  if (options.allowSeparators) cleaned = cleaned.replace(/^([+-]?)£/, '$1').replace(/,(?=\d{3}(\D|$))/g, '')
  const match = DECIMAL.exec(cleaned)
  if (!match || (options.places === 'exactly-two' && match[3]?.length !== 2)) {
    throw new MoneyFormatError(
      options.places === 'exactly-two'
        ? `"${text}" is not an amount with two decimal places, like 1234.56`
        : `"${text}" is not an amount of money, like 1234.56`,
    )
  }
  const pence = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'))
  if (pence > MAX_AMOUNT_PENCE)
    throw new MoneyFormatError(`"${text}" is larger than the largest amount GSS accepts`)
  return match[1] === '-' && pence !== 0 ? -pence : pence
}

/** 123456 → "1234.56"; -5 → "-0.05". The inverse of parseMoney. */
export function toDecimal(pence: Pence): string {
  assertPence(pence)
  const sign = pence < 0 ? '-' : ''
  const abs = Math.abs(pence)
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

const GBP = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' })
/** 123456 → "£1,234.56" for people to read. */
export function formatGbp(pence: Pence): string {
  assertPence(pence)
  // Intl takes a decimal string exactly (no float rounding) when given one.
  return GBP.format(toDecimal(pence) as unknown as number)
}

export function assertPence(value: number): asserts value is Pence {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a whole number of pence`)
}

/** Sums amounts, refusing anything that is not whole pence. */
export function sumPence(amounts: Iterable<Pence>): Pence {
  let total = 0
  for (const amount of amounts) {
    assertPence(amount)
    total += amount
  }
  assertPence(total)
  return total
}

/**
 * amount × numerator ÷ denominator, rounded half away from zero, in integer arithmetic
 * (BigInt, so no intermediate ever loses precision). Used for VAT, rates and exchange.
 */
export function multiplyRatio(
  amount: Pence,
  numerator: number | bigint,
  denominator: number | bigint,
): Pence {
  assertPence(amount)
  const n = BigInt(amount) * BigInt(numerator)
  const d = BigInt(denominator)
  if (d === 0n) throw new RangeError('Division by zero')
  const negative = n < 0n !== d < 0n
  const absN = n < 0n ? -n : n
  const absD = d < 0n ? -d : d
  const rounded = (absN * 2n + absD) / (absD * 2n)
  const result = Number(negative ? -rounded : rounded)
  assertPence(result)
  return result
}

/**
 * Splits an amount across weights so the parts add up exactly to the amount (largest remainder
 * method): e.g. £100 over three equal cost centres → 33.34, 33.33, 33.33.
 */
export function allocate(amount: Pence, weights: readonly number[]): Pence[] {
  assertPence(amount)
  if (weights.length === 0) throw new RangeError('Allocate needs at least one weight')
  if (weights.some((weight) => !Number.isSafeInteger(weight) || weight < 0)) {
    throw new RangeError('Weights must be whole numbers of 0 or more')
  }
  const total = weights.reduce((a, b) => a + b, 0)
  if (total === 0) throw new RangeError('Weights must not all be zero')
  const sign = amount < 0 ? -1n : 1n
  const abs = BigInt(Math.abs(amount))
  const parts = weights.map((weight) => (abs * BigInt(weight)) / BigInt(total))
  const remainders = weights.map((weight, index) => ({
    index,
    remainder: (abs * BigInt(weight)) % BigInt(total),
  }))
  let left = abs - parts.reduce((a, b) => a + b, 0n)
  remainders.sort((a, b) =>
    b.remainder > a.remainder ? 1 : b.remainder < a.remainder ? -1 : a.index - b.index,
  )
  for (const { index } of remainders) {
    if (left === 0n) break
    parts[index]! += 1n
    left -= 1n
  }
  return parts.map((part) => Number(part * sign))
}
