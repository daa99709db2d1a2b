// Exact decimal arithmetic for e-invoice amounts, quantities and prices. UBL carries them as
// xs:decimal text ("1234.56", "0.0125", "-3"); a binary float would turn 0.1 + 0.2 into
// 0.30000000000000004 and break the EN 16931 sum checks, so every value is a BigInt count of
// 10^-scale units. Nothing here ever converts to a JS number except toMinorUnits, which is exact.

/** value = units × 10^-scale. scale ≥ 0. Not normalised: 1.50 is { units: 150n, scale: 2 }. */
export interface Decimal {
  readonly units: bigint
  readonly scale: number
}

/** The most digits GSS accepts in one number: far beyond any real amount, and a cap on BigInt work. */
export const MAX_DECIMAL_DIGITS = 40

// xs:decimal lexical form: optional sign, digits with an optional fraction. No exponent, no
// thousands separators. Leading/trailing whitespace is collapsed by the schema, so it is allowed.
const DECIMAL_PATTERN = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/

/** Parses xs:decimal text exactly; undefined for anything else ("1e3", "12,50", "", "."). */
export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL_PATTERN.exec(text)
  if (match === null) return undefined
  const whole = match[2] ?? ''
  const fraction = match[3] ?? ''
  if (whole.length === 0 && fraction.length === 0) return undefined
  if (whole.length + fraction.length > MAX_DECIMAL_DIGITS) return undefined
  const magnitude = BigInt(`${whole}${fraction}` || '0')
  return { units: match[1] === '-' ? -magnitude : magnitude, scale: fraction.length }
}

/** The number of digits after the decimal point as written ("1.50" → 2, "3" → 0). */
export function fractionDigits(text: string): number {
  const trimmed = text.trim()
  const dot = trimmed.indexOf('.')
  return dot < 0 ? 0 : trimmed.length - dot - 1
}

export function decimal(units: bigint | number, scale = 0): Decimal {
  return { units: BigInt(units), scale }
}

export const ZERO: Decimal = { units: 0n, scale: 0 }

const POWERS: bigint[] = []
function pow10(exponent: number): bigint {
  let power = POWERS[exponent]
  if (power === undefined) {
    power = 10n ** BigInt(exponent)
    POWERS[exponent] = power
  }
  return power
}

/** The same value at a larger scale (never loses precision). */
function rescale(value: Decimal, scale: number): bigint {
  return value.units * pow10(scale - value.scale)
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale)
  return { units: rescale(a, scale) + rescale(b, scale), scale }
}

export function sub(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale)
  return { units: rescale(a, scale) - rescale(b, scale), scale }
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale }
}

export function neg(a: Decimal): Decimal {
  return { units: -a.units, scale: a.scale }
}

export function abs(a: Decimal): Decimal {
  return a.units < 0n ? neg(a) : a
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO
  for (const value of values) total = add(total, value)
  return total
}

/** -1, 0 or 1. */
export function compare(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale)
  const left = rescale(a, scale)
  const right = rescale(b, scale)
  return left < right ? -1 : left > right ? 1 : 0
}

export function equals(a: Decimal, b: Decimal): boolean {
  return compare(a, b) === 0
}

export function sign(a: Decimal): number {
  return a.units < 0n ? -1 : a.units > 0n ? 1 : 0
}

/** True when |a − b| ≤ tolerance. */
export function within(a: Decimal, b: Decimal, tolerance: Decimal): boolean {
  return compare(abs(sub(a, b)), tolerance) <= 0
}

/**
 * Rounds to `places` decimals the way XPath's fn:round does (half towards positive infinity:
 * 2.345 → 2.35, −2.345 → −2.34). The EN 16931 Schematron computes every expected total as
 * round(x × 100) div 100, so matching its verdicts means rounding exactly like it.
 */
export function roundHalfUp(value: Decimal, places: number): Decimal {
  if (value.scale <= places) return value
  const divisor = pow10(value.scale - places)
  // Floor division that also works for negatives: add half, then floor.
  const shifted = value.units * 2n + divisor
  const twice = divisor * 2n
  let quotient = shifted / twice
  if (shifted % twice !== 0n && shifted < 0n) quotient -= 1n
  return { units: quotient, scale: places }
}

/** a ÷ b rounded (half up) to `places` decimals; b must not be zero. */
export function divide(a: Decimal, b: Decimal, places: number): Decimal {
  if (b.units === 0n) throw new RangeError('Division by zero')
  // a/b = (a.units × 10^-a.scale) / (b.units × 10^-b.scale); compute at places + 1 then round.
  const extra = places + 1
  const numerator = a.units * pow10(b.scale + extra)
  const denominator = b.units * pow10(a.scale)
  let quotient = numerator / denominator
  // Truncation towards zero loses the sign of the remainder; keep it for the half-up step.
  if (numerator % denominator !== 0n && numerator < 0n !== denominator < 0n) quotient -= 1n
  return roundHalfUp({ units: quotient, scale: extra }, places)
}

/** The value in hundredths as a JS integer, or undefined if it has finer precision or is too big. */
export function toMinorUnits(value: Decimal): number | undefined {
  if (value.scale > 2) {
    const divisor = pow10(value.scale - 2)
    if (value.units % divisor !== 0n) return undefined
    return safeNumber(value.units / divisor)
  }
  return safeNumber(value.units * pow10(2 - value.scale))
}

function safeNumber(units: bigint): number | undefined {
  const result = Number(units)
  return Number.isSafeInteger(result) ? result : undefined
}

/** Plain decimal text without exponent: { units: -5n, scale: 2 } → "-0.05". */
export function formatDecimal(value: Decimal): string {
  const negative = value.units < 0n
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0')
  const whole = digits.slice(0, digits.length - value.scale)
  const fraction = digits.slice(digits.length - value.scale)
  return `${negative ? '-' : ''}${whole}${value.scale > 0 ? `.${fraction}` : ''}`
}

/** Formats with at least two decimals, as amounts are shown in messages ("100" → "100.00"). */
export function formatAmount(value: Decimal): string {
  return formatDecimal(value.scale >= 2 ? value : { units: rescale(value, 2), scale: 2 })
}
