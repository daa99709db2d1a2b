// Quantities are decimals with up to three places, held as exact thousandths (bigint) in code and
// numeric(14,3) in the database: never binary floats, so a line's net is exact to the penny.

/** The largest quantity a line may carry (numeric(14,3) holds 11 integer digits). */
export const QUANTITY_MAX_THOUSANDTHS = 99_999_999_999_999n

/** "2.5" → 2500n; undefined when it is not a positive decimal of at most three places. */
export function parseQuantity(value: string | number | undefined | null): bigint | undefined {
  if (value === undefined || value === null) return undefined
  const text = String(value).trim()
  const match = /^(\d{1,11})(?:\.(\d{1,3}))?$/.exec(text)
  if (!match) return undefined
  const thousandths = BigInt(match[1]!) * 1000n + BigInt((match[2] ?? '').padEnd(3, '0'))
  return thousandths > 0n && thousandths <= QUANTITY_MAX_THOUSANDTHS ? thousandths : undefined
}

/** 2500n → "2.5" (trailing zeros dropped). */
export function formatQuantity(thousandths: bigint): string {
  const whole = thousandths / 1000n
  const fraction = (thousandths % 1000n).toString().padStart(3, '0').replace(/0+$/, '')
  return fraction ? `${whole}.${fraction}` : `${whole}`
}

/** Normalises the database's numeric text ("2.500") for display and comparison. */
export function quantityText(value: string | number): string {
  const parsed = parseQuantity(String(value)) ?? 0n
  return formatQuantity(parsed)
}

/** Divides, rounding half away from zero (all operands here are non-negative). */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n)
}

/** Net of a line: quantity × unit price, rounded half up to the penny. */
export function lineNetPence(quantityThousandths: bigint, unitPricePence: number): number {
  return Number(divideRounded(quantityThousandths * BigInt(unitPricePence), 1000n))
}

/** VAT on a net at a rate given as text with up to two places ("20", "5", "12.5"), half up. */
export function vatPence(netPence: number, ratePercent: string): number {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(ratePercent)
  if (!match) throw new RangeError(`Not a VAT rate: ${ratePercent}`)
  const hundredths = BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'))
  return Number(divideRounded(BigInt(netPence) * hundredths, 10_000n))
}

export function isVatRate(value: string): boolean {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(value)
  return match !== null && Number(value) <= 100
}
