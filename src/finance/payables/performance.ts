// Payables performance: prompt payment (the share of invoices paid within 5 and within 30 days of
// receipt, by quarter, as departments publish it) and aged creditors (what is owed, by how long
// past due). The prompt-payment clock starts at the receipt date, never the invoice date.
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { ValidationError } from '../../platform/errors.ts'
import { fiscalPeriodOf, fiscalYearLabel, periodDates } from '../chart.ts'

export interface PromptPaymentQuarter {
  fiscalYear: number
  quarter: number
  /** "2026-27 Q1" */
  label: string
  invoicesPaid: number
  paidWithin5Days: number
  paidWithin30Days: number
  /** One decimal place, e.g. "85.7"; null when nothing was paid in the quarter. */
  percentWithin5Days: string | null
  percentWithin30Days: string | null
}

/** part ÷ whole as a percentage to one decimal place, rounded half up, in integer arithmetic. */
function percent(part: number, whole: number): string | null {
  if (whole === 0) return null
  const tenths = Math.floor((part * 1000 * 2 + whole) / (whole * 2))
  return `${Math.floor(tenths / 10)}.${tenths % 10}`
}

/** One organisation, or several (a cluster's consolidated view sums them). */
type Orgs = string | readonly string[]
const orgList = (orgs: Orgs): string[] => (typeof orgs === 'string' ? [orgs] : [...orgs])

/**
 * Prompt payment for each quarter of a financial year, counting invoices (not credit notes) paid
 * in it, for one organisation or summed over several.
 */
export async function promptPayment(
  trx: Tx,
  orgs: Orgs,
  fiscalYear: number,
): Promise<PromptPaymentQuarter[]> {
  const from = periodDates(fiscalYear, 1).startsOn
  const to = periodDates(fiscalYear, 12).endsOn
  const { rows } = await sql<{ pay_date: string; days: number }>`
    select r.pay_date::text as pay_date, (r.pay_date - i.receipt_date)::int as days
    from supplier_invoices i
    join payment_runs r on r.org_id = i.org_id and r.id = i.payment_run_id
    where i.org_id = any (${orgList(orgs)}::uuid[]) and i.kind = 'invoice' and i.status = 'paid'
      and r.pay_date between ${from}::date and ${to}::date`.execute(trx)
  const quarters = [1, 2, 3, 4].map((quarter) => ({ quarter, paid: 0, within5: 0, within30: 0 }))
  for (const row of rows) {
    const { period } = fiscalPeriodOf(row.pay_date)
    const bucket = quarters[Math.ceil(period / 3) - 1]!
    bucket.paid++
    if (row.days <= 5) bucket.within5++
    if (row.days <= 30) bucket.within30++
  }
  return quarters.map((q) => ({
    fiscalYear,
    quarter: q.quarter,
    label: `${fiscalYearLabel(fiscalYear)} Q${q.quarter}`,
    invoicesPaid: q.paid,
    paidWithin5Days: q.within5,
    paidWithin30Days: q.within30,
    percentWithin5Days: percent(q.within5, q.paid),
    percentWithin30Days: percent(q.within30, q.paid),
  }))
}

export const AGE_BUCKETS = ['notDue', 'days1to30', 'days31to60', 'days61to90', 'over90'] as const
export type AgeBucket = (typeof AGE_BUCKETS)[number]

export interface AgedCreditorRow extends Record<AgeBucket, number> {
  /** The organisation that owes (a cluster's view lists several). */
  orgCode: string
  supplierId: string
  supplierName: string
  totalPence: number
}

export interface AgedCreditors {
  asOf: string
  rows: AgedCreditorRow[]
  totals: Record<AgeBucket, number> & { totalPence: number }
}

function bucketOf(daysPastDue: number): AgeBucket {
  if (daysPastDue <= 0) return 'notDue'
  if (daysPastDue <= 30) return 'days1to30'
  if (daysPastDue <= 60) return 'days31to60'
  if (daysPastDue <= 90) return 'days61to90'
  return 'over90'
}

/**
 * What is owed to each supplier on a date, by days past the due date: invoices received but not
 * yet paid (rejected ones excluded), credit notes reducing what is owed. Amounts in pence, gross.
 * For several organisations (a cluster), each owes its own suppliers: rows are per organisation.
 */
export async function agedCreditors(trx: Tx, orgs: Orgs, asOf: string): Promise<AgedCreditors> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`))) {
    throw new ValidationError('Enter the date to age the debts to, like 2026-04-30', [
      { field: '/asOf', message: 'Enter a date like 2026-04-30' },
    ])
  }
  const { rows } = await sql<{
    org_code: string
    supplier_id: string
    supplier_name: string
    days: number
    amount: number
  }>`
    select o.code as org_code, i.supplier_id, s.name as supplier_name, (${asOf}::date - i.due_date)::int as days,
      case when i.kind = 'credit-note' then -i.gross_pence else i.gross_pence end as amount
    from supplier_invoices i
    join suppliers s on s.org_id = i.org_id and s.id = i.supplier_id
    join organisations o on o.id = i.org_id
    where i.org_id = any (${orgList(orgs)}::uuid[]) and i.status in ('received', 'approved', 'scheduled')
      and i.receipt_date <= ${asOf}::date
    order by o.code, s.name, i.supplier_id`.execute(trx)
  const empty = () => ({ notDue: 0, days1to30: 0, days31to60: 0, days61to90: 0, over90: 0 })
  const bySupplier = new Map<string, AgedCreditorRow>()
  const totals = { ...empty(), totalPence: 0 }
  for (const row of rows) {
    const key = `${row.org_code}/${row.supplier_id}`
    let entry = bySupplier.get(key)
    if (!entry) {
      entry = {
        orgCode: row.org_code,
        supplierId: row.supplier_id,
        supplierName: row.supplier_name,
        ...empty(),
        totalPence: 0,
      }
      bySupplier.set(key, entry)
    }
    const bucket = bucketOf(row.days)
    const amount = Number(row.amount)
    entry[bucket] += amount
    entry.totalPence += amount
    totals[bucket] += amount
    totals.totalPence += amount
  }
  return { asOf, rows: [...bySupplier.values()], totals }
}
