// Aged debt as at a date, and a customer's statement. As at a date an invoice is owed its gross
// less the credit notes dated on or before it and the receipts allocated to it that had arrived by
// then (an allocation counts from the later of its receipt's date and the invoice's date); what
// had arrived but is not allocated is shown on account. So a customer's total as at a date is
// always invoices less credit notes less receipts to that date, however allocation went.
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { NotFoundError } from '../../platform/errors.ts'
import type { ReportTable } from '../reports/export.ts'
import { daysBetween } from './common.ts'

export const AGE_BUCKETS = [
  { key: 'currentPence', heading: 'Not yet due', fromDays: Number.NEGATIVE_INFINITY, toDays: 0 },
  { key: 'days1To30Pence', heading: '1 to 30 days', fromDays: 1, toDays: 30 },
  { key: 'days31To60Pence', heading: '31 to 60 days', fromDays: 31, toDays: 60 },
  { key: 'days61To90Pence', heading: '61 to 90 days', fromDays: 61, toDays: 90 },
  { key: 'days91PlusPence', heading: '91 days and over', fromDays: 91, toDays: Number.POSITIVE_INFINITY },
] as const
export type AgeBucketKey = (typeof AGE_BUCKETS)[number]['key']

/** Which bucket an invoice falls in, by whole days past its due date as at the report date. */
export function ageBucket(daysOverdue: number): AgeBucketKey {
  return AGE_BUCKETS.find((bucket) => daysOverdue >= bucket.fromDays && daysOverdue <= bucket.toDays)!.key
}

export type AgedAmounts = Record<AgeBucketKey, number> & {
  /** Receipts not yet allocated, held on account (shown as a positive amount, deducted in the total). */
  onAccountPence: number
  /** Buckets less what is on account: what the customer owes. */
  totalPence: number
}

export interface AgedDebtorRow extends AgedAmounts {
  customerId: string
  customerName: string
  publicBody: boolean
  openInvoices: number
}

export interface AgedDebtors {
  asOf: string
  rows: AgedDebtorRow[]
  totals: AgedAmounts
}

const zero = (): AgedAmounts => ({
  currentPence: 0,
  days1To30Pence: 0,
  days31To60Pence: 0,
  days61To90Pence: 0,
  days91PlusPence: 0,
  onAccountPence: 0,
  totalPence: 0,
})

/** Open invoices as at a date, each with what was outstanding on it then. */
async function openInvoicesAsOf(trx: Tx, orgId: string, asOf: string, customerId?: string) {
  const { rows } = await sql<{
    id: string
    number: string
    customer_id: string
    issue_date: string
    due_date: string
    gross_pence: number
    outstanding_pence: number
  }>`
    select * from (
      select i.id, i.number, i.customer_id, i.issue_date, i.due_date, i.gross_pence,
        i.gross_pence
        - (select coalesce(sum(c.gross_pence), 0)::bigint from sales_invoices c
            where c.org_id = i.org_id and c.credited_invoice_id = i.id and c.issue_date <= ${asOf}::date)
        - (select coalesce(sum(a.amount_pence), 0)::bigint from receipt_allocations a
            join receipts r on r.org_id = a.org_id and r.id = a.receipt_id
            where a.org_id = i.org_id and a.invoice_id = i.id and r.received_on <= ${asOf}::date) as outstanding_pence
      from sales_invoices i
      where i.org_id = ${orgId} and i.kind = 'invoice' and i.issue_date <= ${asOf}::date
        and (${customerId ?? null}::uuid is null or i.customer_id = ${customerId ?? null}::uuid)
    ) open where outstanding_pence <> 0
    order by due_date, number`.execute(trx)
  return rows.map((row) => ({
    ...row,
    gross_pence: Number(row.gross_pence),
    outstanding_pence: Number(row.outstanding_pence),
  }))
}

/** Receipts that had arrived by a date less their allocations effective by then, per customer. */
async function onAccountAsOf(trx: Tx, orgId: string, asOf: string) {
  const { rows } = await sql<{ customer_id: string; on_account_pence: number }>`
    select r.customer_id, sum(r.amount_pence - coalesce((
      select sum(a.amount_pence) from receipt_allocations a
      join sales_invoices i on i.org_id = a.org_id and i.id = a.invoice_id
      where a.org_id = r.org_id and a.receipt_id = r.id and i.issue_date <= ${asOf}::date), 0))::bigint as on_account_pence
    from receipts r
    where r.org_id = ${orgId} and r.received_on <= ${asOf}::date
    group by r.customer_id`.execute(trx)
  return new Map(rows.map((row) => [row.customer_id, Number(row.on_account_pence)]))
}

/** The aged debtors report as at a date: per customer, what is owed by days past due. */
export async function agedDebtors(trx: Tx, orgId: string, asOf: string): Promise<AgedDebtors> {
  const [invoices, onAccount, customers] = await Promise.all([
    openInvoicesAsOf(trx, orgId, asOf),
    onAccountAsOf(trx, orgId, asOf),
    trx.selectFrom('customers').select(['id', 'name', 'public_body']).where('org_id', '=', orgId).execute(),
  ])
  const byCustomer = new Map<string, AgedDebtorRow>()
  const rowFor = (customerId: string) => {
    let row = byCustomer.get(customerId)
    if (!row) {
      const customer = customers.find((c) => c.id === customerId)!
      row = {
        customerId,
        customerName: customer.name,
        publicBody: customer.public_body,
        openInvoices: 0,
        ...zero(),
      }
      byCustomer.set(customerId, row)
    }
    return row
  }
  for (const invoice of invoices) {
    const row = rowFor(invoice.customer_id)
    row[ageBucket(daysBetween(invoice.due_date, asOf))] += invoice.outstanding_pence
    row.openInvoices += 1
  }
  for (const [customerId, pence] of onAccount) if (pence !== 0) rowFor(customerId).onAccountPence += pence
  const rows = [...byCustomer.values()].sort((a, b) => a.customerName.localeCompare(b.customerName, 'en-GB'))
  const totals = zero()
  for (const row of rows) {
    row.totalPence = AGE_BUCKETS.reduce((sum, bucket) => sum + row[bucket.key], 0) - row.onAccountPence
    for (const key of [...AGE_BUCKETS.map((b) => b.key), 'onAccountPence', 'totalPence'] as const)
      totals[key] += row[key]
  }
  return { asOf, rows, totals }
}

/** The report as a table for CSV and Excel (reports/export.ts). */
export function agedDebtorsTable(report: AgedDebtors): ReportTable {
  const money = (key: string, heading: string) => ({ key, heading, type: 'money' as const })
  return {
    title: `Aged debtors at ${report.asOf}`,
    columns: [
      { key: 'customerName', heading: 'Customer' },
      { key: 'publicBody', heading: 'Public body' },
      { key: 'openInvoices', heading: 'Open invoices', type: 'integer' },
      ...AGE_BUCKETS.map((bucket) => money(bucket.key, bucket.heading)),
      money('onAccountPence', 'Unallocated receipts'),
      money('totalPence', 'Total owed'),
    ],
    rows: report.rows.map((row) => ({ ...row, publicBody: row.publicBody ? 'Yes' : 'No' })),
    footer: [{ customerName: 'Total', publicBody: '', ...report.totals }],
  }
}

export interface StatementEntry {
  date: string
  kind: 'invoice' | 'credit-note' | 'receipt'
  id: string
  reference: string
  /** What it adds to the balance (invoices) or takes off (credit notes and receipts, negative). */
  amountPence: number
  balancePence: number
  dueDate: string | null
}

export interface CustomerStatement {
  customerId: string
  customerName: string
  from: string
  to: string
  openingBalancePence: number
  entries: StatementEntry[]
  closingBalancePence: number
  openInvoices: Array<{
    id: string
    number: string
    issueDate: string
    dueDate: string
    grossPence: number
    outstandingPence: number
    daysOverdue: number
  }>
  aged: AgedAmounts
}

/** The most entries one statement shows. */
export const STATEMENT_ENTRIES_MAX = 2_000

/** A customer's statement from one date to another: opening balance, each document, closing balance. Errors: NotFoundError. */
export async function customerStatement(
  trx: Tx,
  orgId: string,
  customerId: string,
  from: string,
  to: string,
): Promise<CustomerStatement> {
  const customer = await trx
    .selectFrom('customers')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .where('id', '=', customerId)
    .executeTakeFirst()
  if (!customer) throw new NotFoundError('There is no such customer')
  const { rows } = await sql<{
    date: string
    kind: StatementEntry['kind']
    id: string
    reference: string
    amount_pence: number
    due_date: string | null
  }>`
    select * from (
    select issue_date as date, kind, id, number as reference,
      case when kind = 'invoice' then gross_pence else -gross_pence end as amount_pence,
      case when kind = 'invoice' then due_date end as due_date
    from sales_invoices where org_id = ${orgId} and customer_id = ${customerId} and issue_date <= ${to}::date
    union all
    select received_on, 'receipt', id, reference, -amount_pence, null
    from receipts where org_id = ${orgId} and customer_id = ${customerId} and received_on <= ${to}::date
        ) entries
    order by date, case kind when 'invoice' then 0 when 'credit-note' then 1 else 2 end, reference`.execute(
    trx,
  )
  let opening = 0
  const entries: StatementEntry[] = []
  let balance = 0
  for (const row of rows) {
    const amount = Number(row.amount_pence)
    balance += amount
    if (row.date < from) {
      opening += amount
      continue
    }
    entries.push({
      date: row.date,
      kind: row.kind,
      id: row.id,
      reference: row.reference,
      amountPence: amount,
      balancePence: balance,
      dueDate: row.due_date,
    })
  }
  const open = await openInvoicesAsOf(trx, orgId, to, customerId)
  const report = await agedDebtors(trx, orgId, to)
  const aged = report.rows.find((row) => row.customerId === customerId) ?? { ...zero() }
  return {
    customerId,
    customerName: customer.name,
    from,
    to,
    openingBalancePence: opening,
    entries: entries.slice(-STATEMENT_ENTRIES_MAX),
    closingBalancePence: balance,
    openInvoices: open.map((invoice) => ({
      id: invoice.id,
      number: invoice.number,
      issueDate: invoice.issue_date,
      dueDate: invoice.due_date,
      grossPence: invoice.gross_pence,
      outstandingPence: invoice.outstanding_pence,
      daysOverdue: Math.max(0, daysBetween(invoice.due_date, to)),
    })),
    aged: {
      currentPence: aged.currentPence,
      days1To30Pence: aged.days1To30Pence,
      days31To60Pence: aged.days31To60Pence,
      days61To90Pence: aged.days61To90Pence,
      days91PlusPence: aged.days91PlusPence,
      onAccountPence: aged.onAccountPence,
      totalPence: aged.totalPence,
    },
  }
}
