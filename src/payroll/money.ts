// Money is integer pence held in a JS number. Every value the engine produces is a safe integer:
// inputs are capped (MAX_MONEY_PENCE) so that the widest intermediate product (pay x rate in basis
// points x periods per year) stays far below Number.MAX_SAFE_INTEGER.

/** The largest amount accepted: £999,999,999.99. */
export const MAX_MONEY_PENCE = 99_999_999_999

const MONEY_PATTERN = /^(-?)(\d{1,9})\.(\d{2})$/

/**
 * Parses a decimal string with exactly two places ("1234.56", "-0.50") to integer pence without
 * going through a binary float. Returns undefined for anything else ("1234.5", "1e3", " 1.00").
 */
export function parsePence(text: string): number | undefined {
  const match = MONEY_PATTERN.exec(text)
  if (match === null) return undefined
  const pence = Number(match[2]) * 100 + Number(match[3])
  return match[1] === '-' && pence !== 0 ? -pence : pence
}

/** Formats integer pence as a two-place decimal string: 123456 -> "1234.56", -5 -> "-0.05". */
export function formatPence(pence: number): string {
  const negative = pence < 0
  const abs = negative ? -pence : pence
  const pounds = Math.floor(abs / 100)
  const rem = abs - pounds * 100
  return `${negative ? '-' : ''}${pounds}.${rem < 10 ? '0' : ''}${rem}`
}

/** Integer division rounding up, for non-negative numerator and positive denominator. */
export function ceilDiv(numerator: number, denominator: number): number {
  return Math.floor((numerator + denominator - 1) / denominator)
}

/** Whole pounds in an amount of pence, rounded down (towards minus infinity). */
export function floorToPounds(pence: number): number {
  return Math.floor(pence / 100)
}

/**
 * HMRC's National Insurance rounding of `amountPence x rateBasisPoints / 10000`: look only at the
 * third decimal place of the pounds figure (tenths of a penny, anything beyond it ignored) and
 * round down when it is 5 or less, up when it is 6 or more. Verified on HMRC's NI data: £0.0056
 * rounds to £0.00, £0.0064 to £0.01, £0.0256 to £0.02. Amount must be >= 0.
 */
export function niRoundPence(amountPence: number, rateBasisPoints: number): number {
  const tenthsOfPenny = Math.floor((amountPence * rateBasisPoints) / 1000)
  const pence = Math.floor(tenthsOfPenny / 10)
  return tenthsOfPenny - pence * 10 >= 6 ? pence + 1 : pence
}
