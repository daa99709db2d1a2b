// VAT on sales documents, computed the way EN 16931 says a receiver will check it: each line's net
// amount is quantity × net price rounded half up to the penny (BT-131, PEPPOL-EN16931-R120); the
// taxable amount of a VAT category and rate is the sum of its lines' net amounts (BR-S-08,
// BR-Z-08, BR-E-08); its VAT is that taxable amount × rate ÷ 100 rounded half up to the penny
// (BR-CO-17), never the sum of per-line VAT; the document's VAT is the sum of the categories'
// (BR-CO-14). Pure and exact: decimals as BigInt, money as integer pence.
import { MAX_AMOUNT_PENCE } from '../../platform/money.ts'
import { mul, parseDecimal, roundHalfUp, toMinorUnits } from '../einvoice/decimal.ts'
import type { VatCategoryCode } from './tables.ts'

/** The UK rates a sales line may carry, each as its EN 16931 category and percentage. */
export const VAT_RATES = {
  standard: { category: 'S', ratePercent: '20', label: 'Standard (20%)' },
  reduced: { category: 'S', ratePercent: '5', label: 'Reduced (5%)' },
  zero: { category: 'Z', ratePercent: '0', label: 'Zero-rated (0%)' },
  exempt: { category: 'E', ratePercent: '0', label: 'Exempt' },
} as const satisfies Record<string, { category: VatCategoryCode; ratePercent: string; label: string }>
export type VatRateName = keyof typeof VAT_RATES
export const VAT_RATE_NAMES = Object.keys(VAT_RATES) as VatRateName[]

/** The wording an exempt breakdown carries (BR-E-10 needs a reason). */
export const EXEMPTION_REASON = 'Exempt from VAT'

/** The VAT rate name of a stored category and percentage. */
export function vatRateName(category: string, ratePercent: string): VatRateName {
  const found = VAT_RATE_NAMES.find(
    (name) => VAT_RATES[name].category === category && VAT_RATES[name].ratePercent === ratePercent,
  )
  if (!found) throw new RangeError(`No VAT rate is category ${category} at ${ratePercent}%`)
  return found
}

const QUANTITY = /^\d{1,9}(\.\d{1,4})?$/
const PRICE = /^\d{1,13}(\.\d{1,4})?$/

/** A quantity as GSS stores it (up to 4 decimals, more than zero), or undefined. */
export function normaliseQuantity(text: string): string | undefined {
  const trimmed = text.trim()
  if (!QUANTITY.test(trimmed)) return undefined
  const value = parseDecimal(trimmed)!
  return value.units > 0n ? trimmed : undefined
}

/** A unit price in pounds (up to 4 decimals, not negative: BR-27), or undefined. */
export function normaliseUnitPrice(text: string): string | undefined {
  const trimmed = text.trim().replace(/^£/, '')
  return PRICE.test(trimmed) ? trimmed : undefined
}

/** quantity × unit price, rounded half up to the penny; undefined if too large for GSS. */
export function lineNetPence(quantity: string, unitPrice: string): number | undefined {
  const product = mul(parseDecimal(quantity)!, parseDecimal(unitPrice)!)
  const pence = toMinorUnits(roundHalfUp(product, 2))
  return pence !== undefined && pence <= MAX_AMOUNT_PENCE ? pence : undefined
}

export interface VatLine {
  netPence: number
  category: VatCategoryCode
  ratePercent: string
}

export interface VatBreakdownRow {
  category: VatCategoryCode
  ratePercent: string
  taxablePence: number
  vatPence: number
}

export interface DocumentTotals {
  breakdown: VatBreakdownRow[]
  netPence: number
  vatPence: number
  grossPence: number
}

/** taxable × rate ÷ 100, rounded half up to the penny (taxable is never negative here). */
export function vatOn(taxablePence: number, ratePercent: string): number {
  const rate = parseDecimal(ratePercent)!
  return toMinorUnits(
    roundHalfUp(mul({ units: BigInt(taxablePence), scale: 2 }, { ...rate, scale: rate.scale + 2 }), 2),
  )!
}

const CATEGORY_ORDER: Record<VatCategoryCode, number> = { S: 0, Z: 1, E: 2 }

/** The document's VAT breakdown (one row per category and rate) and its totals. */
export function documentTotals(lines: readonly VatLine[]): DocumentTotals {
  const groups = new Map<string, VatBreakdownRow>()
  for (const line of lines) {
    const key = `${line.category}:${line.ratePercent}`
    const row = groups.get(key) ?? {
      category: line.category,
      ratePercent: line.ratePercent,
      taxablePence: 0,
      vatPence: 0,
    }
    row.taxablePence += line.netPence
    groups.set(key, row)
  }
  const breakdown = [...groups.values()]
    .map((row) => ({ ...row, vatPence: vatOn(row.taxablePence, row.ratePercent) }))
    .sort(
      (a, b) =>
        CATEGORY_ORDER[a.category] - CATEGORY_ORDER[b.category] ||
        Number(b.ratePercent) - Number(a.ratePercent),
    )
  const netPence = breakdown.reduce((total, row) => total + row.taxablePence, 0)
  const vatPence = breakdown.reduce((total, row) => total + row.vatPence, 0)
  return { breakdown, netPence, vatPence, grossPence: netPence + vatPence }
}
