// Small helpers the receivables services share: dates as ISO text, blank form values, and the
// customer row lock every change to a customer's balance takes first.
import type { Tx } from '../../platform/db/index.ts'
import { NotFoundError } from '../../platform/errors.ts'

export function todayIso(now = new Date()): string {
  return now.toISOString().slice(0, 10)
}

export function isRealDate(value: string | undefined): value is string {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

export const blank = (value: string | undefined | null): boolean => value == null || value.trim() === ''

export const poundsText = (pence: number): string =>
  `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`

/**
 * Locks the customer's row for the rest of the transaction. Issuing, crediting, recording and
 * allocating all take it first, so two of them never check a customer's balances at once (no
 * over-allocation, no credit limit passed by two invoices racing). Errors: NotFoundError.
 */
export async function lockCustomer(trx: Tx, orgId: string, customerId: string) {
  const row = await trx
    .selectFrom('customers')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', customerId)
    .forUpdate()
    .executeTakeFirst()
  if (!row) throw new NotFoundError('There is no such customer')
  return row
}
