// Receipt and match. Goods and services are received against order lines (partial receipts
// allowed, over-receipt refused); invoices are captured into payables against an order and matched
// three ways (order, receipt, invoice) within the organisation's price and quantity tolerances;
// matched invoices are released into payables for payment (approved through payables' own
// approval, so the ledger posting and delegated authority stay in one place). "No PO, no pay":
// an invoice without an order, or one that fails the match, waits in the exceptions queue with
// the reason for each exception.
//
// Over-receipt: each receipt locks the order lines it touches (SELECT … FOR UPDATE, in line
// order, so two receipts never deadlock) and re-reads what has been received under the lock; the
// CHECK (quantity_received <= quantity) on the line is the last line of defence.
//
// Matching is set-based: a handful of statements whatever the number of invoices (the benchmark
// matches 100,000 in one batch), never a round trip per invoice.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { type InvoiceService, todayIso } from '../finance/payables/invoices.ts'
import type { Tx } from '../platform/db/index.ts'
import {
  BusinessRuleError,
  ConflictError,
  type FieldError,
  NotFoundError,
  ValidationError,
} from '../platform/errors.ts'
import { formatGbp } from '../platform/money.ts'
import { formatQuantity, lineNetPence, parseQuantity, quantityText, vatPence } from './quantities.ts'
import type { MatchStatus } from './tables.ts'
import './tables.ts'

export const RECEIPT_LINES_MAX = 200
export const EXCEPTIONS_PER_PAGE_MAX = 500

export interface ReceiptInput {
  kind?: 'goods' | 'services' | undefined
  receivedOn?: string | undefined
  note?: string | undefined
  lines: Array<{ lineNo: number; quantity: string | number }>
}

export interface OrderInvoiceInput {
  orderId: string
  supplierReference: string
  issueDate: string
  receiptDate?: string | undefined
  dueDate?: string | undefined
  lines: Array<{
    orderLineNo: number
    quantity: string | number
    unitPricePence: number
    vatPence?: number | undefined
  }>
}

export interface MatchSettings {
  priceTolerancePercent: string
  priceTolerancePence: number
  quantityTolerancePercent: string
  ocidPrefix: string
  /** "No PO, no pay" as payables enforces it when approving (migration 0401). */
  noPoPolicy: NoPoPolicy
}

export const NO_PO_POLICIES = ['not-adopted', 'exceptions-allowed', 'strict'] as const
export type NoPoPolicy = (typeof NO_PO_POLICIES)[number]
export const EXCEPTION_REASON_CHARS_MAX = 500

export interface MatchSummary {
  considered: number
  matched: number
  exceptions: number
}

export interface ExceptionItem {
  invoiceId: string
  supplierName: string
  supplierReference: string
  grossPence: number
  receiptDate: string
  orderId: string | null
  orderNumber: string | null
  status: 'no-po' | MatchStatus
  reasons: Array<{ code: string; lineNo: number | null; reason: string }>
  /** Why an exception to "no PO, no pay" was allowed, once someone has recorded one. */
  exceptionAllowed: { reason: string; grantedBy: string; grantedAt: string } | null
}

function isRealDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
}

export const NO_PO_REASON =
  'No purchase order: no PO, no pay. Link the invoice to its order, or ask the requester to raise a retrospective order'

export class MatchingService {
  readonly #invoices: InvoiceService
  constructor(invoices: InvoiceService) {
    this.#invoices = invoices
  }

  async settings(trx: Tx, orgId: string): Promise<MatchSettings> {
    const row = await trx
      .selectFrom('procurement_settings')
      .selectAll()
      .where('org_id', '=', orgId)
      .executeTakeFirst()
    return {
      priceTolerancePercent: row ? String(Number(row.price_tolerance_percent)) : '2',
      priceTolerancePence: row ? Number(row.price_tolerance_pence) : 0,
      quantityTolerancePercent: row ? String(Number(row.quantity_tolerance_percent)) : '0',
      ocidPrefix: row?.ocid_prefix ?? 'ocds-gss000',
      noPoPolicy: (row?.no_po_policy as NoPoPolicy | undefined) ?? 'not-adopted',
    }
  }

  /** Sets the organisation's tolerances and ocid prefix. Errors: ValidationError. */
  async setSettings(trx: Tx, orgId: string, input: Partial<MatchSettings>): Promise<MatchSettings> {
    const current = await this.settings(trx, orgId)
    const next = {
      ...current,
      ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
    }
    const problems: FieldError[] = []
    const percent = (value: string) => /^\d{1,3}(\.\d{1,2})?$/.test(value) && Number(value) <= 100
    if (!percent(String(next.priceTolerancePercent)))
      problems.push({
        field: '/priceTolerancePercent',
        message: 'Enter a percentage from 0 to 100, like 2.5',
      })
    if (!percent(String(next.quantityTolerancePercent)))
      problems.push({
        field: '/quantityTolerancePercent',
        message: 'Enter a percentage from 0 to 100, like 5',
      })
    if (!Number.isSafeInteger(next.priceTolerancePence) || next.priceTolerancePence < 0)
      problems.push({
        field: '/priceTolerancePence',
        message: 'Enter the tolerance in whole pence, zero or more',
      })
    if (!/^ocds-[a-z0-9]{6}$/.test(next.ocidPrefix))
      problems.push({
        field: '/ocidPrefix',
        message: 'The ocid prefix is "ocds-" and the 6 characters OCDS assigned, like ocds-b5fd17',
      })
    if (!(NO_PO_POLICIES as readonly string[]).includes(next.noPoPolicy))
      problems.push({
        field: '/noPoPolicy',
        message: `Choose the no PO, no pay policy: ${NO_PO_POLICIES.join(', ')}`,
      })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    const values = {
      no_po_policy: next.noPoPolicy,
      price_tolerance_percent: next.priceTolerancePercent,
      price_tolerance_pence: next.priceTolerancePence,
      quantity_tolerance_percent: next.quantityTolerancePercent,
      ocid_prefix: next.ocidPrefix,
    }
    await trx
      .insertInto('procurement_settings')
      .values({ org_id: orgId, ...values })
      .onConflict((conflict) => conflict.column('org_id').doUpdateSet(values))
      .execute()
    return this.settings(trx, orgId)
  }

  /**
   * Records goods or services received against an issued order's lines. Errors: NotFoundError;
   * BusinessRuleError (the order is not issued); ValidationError (a line would be over-received,
   * a bad quantity or date, each named).
   */
  async receive(
    trx: Tx,
    orgId: string,
    orderId: string,
    input: ReceiptInput,
    userId: string,
    today = todayIso(),
  ) {
    const order = await trx
      .selectFrom('purchase_orders')
      .select(['status', 'order_number', 'requisition_number'])
      .where('org_id', '=', orgId)
      .where('id', '=', orderId)
      .forShare()
      .executeTakeFirst()
    if (!order) throw new NotFoundError('There is no such order')
    if (order.status !== 'issued')
      throw new BusinessRuleError(
        `${order.order_number ?? 'The requisition'} is ${order.status.replace('-', ' ')}: only an issued order can be received against`,
      )
    const problems: FieldError[] = []
    const receivedOn = input.receivedOn ?? today
    if (!isRealDate(receivedOn) || receivedOn > today)
      problems.push({
        field: '/receivedOn',
        message: 'Enter the date received as a real date, not in the future',
      })
    if (!input.lines?.length)
      problems.push({ field: '/lines', message: 'Enter a quantity received for at least one line' })
    if ((input.lines?.length ?? 0) > RECEIPT_LINES_MAX)
      problems.push({ field: '/lines', message: `A receipt can have at most ${RECEIPT_LINES_MAX} lines` })
    const wanted = new Map<number, bigint>()
    input.lines?.forEach((line, index) => {
      const quantity = parseQuantity(line.quantity)
      if (quantity === undefined)
        problems.push({
          field: `/lines/${index}/quantity`,
          message: 'Enter a quantity greater than zero, with at most 3 decimal places',
        })
      else if (wanted.has(line.lineNo))
        problems.push({ field: `/lines/${index}/lineNo`, message: `Line ${line.lineNo} appears twice` })
      else wanted.set(line.lineNo, quantity)
    })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    // Lock the lines in line order: concurrent receipts queue here and read each other's results.
    const lines = await trx
      .selectFrom('purchase_order_lines')
      .select(['line_no', 'quantity', 'quantity_received', 'description'])
      .where('org_id', '=', orgId)
      .where('order_id', '=', orderId)
      .where('line_no', 'in', [...wanted.keys()])
      .orderBy('line_no')
      .forUpdate()
      .execute()
    input.lines.forEach((line, index) => {
      const current = lines.find((row) => row.line_no === line.lineNo)
      if (!current) {
        problems.push({ field: `/lines/${index}/lineNo`, message: `The order has no line ${line.lineNo}` })
        return
      }
      const ordered = parseQuantity(current.quantity) ?? 0n
      const received = parseQuantity(current.quantity_received) ?? 0n
      const quantity = wanted.get(line.lineNo)!
      if (received + quantity > ordered)
        problems.push({
          field: `/lines/${index}/quantity`,
          message: `Line ${line.lineNo} (${current.description}): ${formatQuantity(quantity)} would take receipts to ${formatQuantity(received + quantity)}, more than the ${formatQuantity(ordered)} ordered (${formatQuantity(ordered - received)} still to receive)`,
        })
    })
    if (problems.length)
      throw new ValidationError(
        problems.length === 1 ? problems[0]!.message : `${problems.length} problems with the receipt`,
        problems,
      )
    const id = randomUUID()
    const receipt = await trx
      .insertInto('goods_receipts')
      .values({
        org_id: orgId,
        id,
        order_id: orderId,
        kind: input.kind ?? 'goods',
        received_on: receivedOn,
        note: input.note?.trim().slice(0, 500) || null,
        received_by: userId,
      })
      .returning(['number'])
      .executeTakeFirstOrThrow()
    await trx
      .insertInto('goods_receipt_lines')
      .values(
        [...wanted.entries()].map(([lineNo, quantity]) => ({
          org_id: orgId,
          receipt_id: id,
          order_id: orderId,
          order_line_no: lineNo,
          quantity: formatQuantity(quantity),
        })),
      )
      .execute()
    for (const [lineNo, quantity] of wanted)
      await sql`update purchase_order_lines set quantity_received = quantity_received + ${formatQuantity(quantity)}::numeric
        where org_id = ${orgId} and order_id = ${orderId} and line_no = ${lineNo}`.execute(trx)
    return {
      id,
      number: Number(receipt.number),
      orderId,
      receivedOn,
      lines: [...wanted].map(([lineNo, q]) => ({ lineNo, quantity: formatQuantity(q) })),
    }
  }

  async receipts(trx: Tx, orgId: string, orderId: string) {
    const { rows } = await sql<{
      id: string
      number: string
      kind: string
      received_on: string
      note: string | null
      order_line_no: number
      quantity: string
      received_by_name: string | null
    }>`
      select r.id, r.number::text as number, r.kind, r.received_on, r.note, l.order_line_no, l.quantity::text as quantity,
        u.display_name as received_by_name
      from goods_receipts r join goods_receipt_lines l on l.org_id = r.org_id and l.receipt_id = r.id
      left join users u on u.id = r.received_by
      where r.org_id = ${orgId} and r.order_id = ${orderId} order by r.number, l.order_line_no`.execute(trx)
    return rows.map((row) => ({ ...row, quantity: quantityText(row.quantity), number: Number(row.number) }))
  }

  /**
   * Captures a supplier's invoice against an order: into payables (spend type 'procurement',
   * each line coded as its order line) and linked here for matching. Errors: ValidationError
   * (each bad field), NotFoundError (order), and payables' capture errors.
   */
  async captureInvoice(trx: Tx, orgId: string, input: OrderInvoiceInput, userId: string) {
    const order = await trx
      .selectFrom('purchase_orders')
      .select(['id', 'supplier_id', 'order_number', 'status'])
      .where('org_id', '=', orgId)
      .where('id', '=', input.orderId)
      .executeTakeFirst()
    if (!order) throw new NotFoundError('There is no such order')
    if (!order.order_number)
      throw new BusinessRuleError(
        'The requisition has not been approved: there is no order to invoice against yet',
      )
    const orderLines = await trx
      .selectFrom('purchase_order_lines')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('order_id', '=', input.orderId)
      .execute()
    const problems: FieldError[] = []
    if (!input.lines?.length)
      problems.push({ field: '/lines', message: 'An invoice needs at least one line' })
    const prepared = (input.lines ?? []).flatMap((line, index) => {
      const orderLine = orderLines.find((row) => row.line_no === line.orderLineNo)
      const quantity = parseQuantity(line.quantity)
      if (!orderLine)
        problems.push({
          field: `/lines/${index}/orderLineNo`,
          message: `${order.order_number} has no line ${line.orderLineNo}`,
        })
      if (quantity === undefined)
        problems.push({
          field: `/lines/${index}/quantity`,
          message: 'Enter a quantity greater than zero, with at most 3 decimal places',
        })
      if (!Number.isSafeInteger(line.unitPricePence) || line.unitPricePence < 0)
        problems.push({
          field: `/lines/${index}/unitPricePence`,
          message: 'Enter the unit price in whole pence, zero or more',
        })
      if (
        !orderLine ||
        quantity === undefined ||
        !Number.isSafeInteger(line.unitPricePence) ||
        line.unitPricePence < 0
      )
        return []
      const net = lineNetPence(quantity, line.unitPricePence)
      return [
        {
          orderLine,
          quantity,
          unitPricePence: line.unitPricePence,
          netPence: net,
          vatPence: line.vatPence ?? vatPence(net, String(Number(orderLine.vat_rate_percent))),
        },
      ]
    })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    const invoice = await this.#invoices.capture(
      trx,
      orgId,
      {
        supplierId: order.supplier_id,
        supplierReference: input.supplierReference,
        issueDate: input.issueDate,
        receiptDate: input.receiptDate,
        dueDate: input.dueDate,
        spendType: 'procurement',
        description: `Against ${order.order_number}`,
        lines: prepared.map((line) => ({
          description: line.orderLine.description,
          accountCode: line.orderLine.account_code,
          costCentreCode: line.orderLine.cost_centre_code,
          netPence: line.netPence,
          vatPence: line.vatPence,
          vatRatePercent: String(Number(line.orderLine.vat_rate_percent)),
        })),
      },
      userId,
    )
    await this.#attach(
      trx,
      orgId,
      invoice.id,
      input.orderId,
      prepared.map((line) => ({
        orderLineNo: line.orderLine.line_no,
        quantity: line.quantity,
        unitPricePence: line.unitPricePence,
        netPence: line.netPence,
      })),
    )
    return invoice
  }

  /**
   * Links an invoice already captured in payables (by hand or as an e-invoice) to its order, line
   * by line, so it can be matched. Errors: NotFoundError; BusinessRuleError (already linked, not
   * awaiting approval, a different supplier); ValidationError.
   */
  async linkInvoice(
    trx: Tx,
    orgId: string,
    invoiceId: string,
    orderId: string,
    lines: Array<{ orderLineNo: number; quantity: string | number; unitPricePence: number }>,
  ) {
    const invoice = await this.#invoices.get(trx, orgId, invoiceId)
    if (invoice.status !== 'received')
      throw new BusinessRuleError(
        `Invoice ${invoice.supplierReference} is ${invoice.status}: it cannot be linked now`,
      )
    const order = await trx
      .selectFrom('purchase_orders')
      .select(['supplier_id', 'order_number'])
      .where('org_id', '=', orgId)
      .where('id', '=', orderId)
      .executeTakeFirst()
    if (!order?.order_number) throw new NotFoundError('There is no such issued order')
    if (order.supplier_id !== invoice.supplierId)
      throw new BusinessRuleError(
        `Invoice ${invoice.supplierReference} is from ${invoice.supplierName}, not the supplier of ${order.order_number}`,
      )
    const problems: FieldError[] = []
    const prepared = lines.flatMap((line, index) => {
      const quantity = parseQuantity(line.quantity)
      if (quantity === undefined) {
        problems.push({ field: `/lines/${index}/quantity`, message: 'Enter a quantity greater than zero' })
        return []
      }
      return [
        {
          orderLineNo: line.orderLineNo,
          quantity,
          unitPricePence: line.unitPricePence,
          netPence: lineNetPence(quantity, line.unitPricePence),
        },
      ]
    })
    if (!prepared.length) problems.push({ field: '/lines', message: 'Link at least one order line' })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    await this.#attach(trx, orgId, invoiceId, orderId, prepared)
    return this.matchStatus(trx, orgId, invoiceId)
  }

  async #attach(
    trx: Tx,
    orgId: string,
    invoiceId: string,
    orderId: string,
    lines: Array<{ orderLineNo: number; quantity: bigint; unitPricePence: number; netPence: number }>,
  ) {
    const existing = await trx
      .selectFrom('procurement_invoices')
      .select('order_id')
      .where('org_id', '=', orgId)
      .where('invoice_id', '=', invoiceId)
      .executeTakeFirst()
    if (existing?.order_id) throw new BusinessRuleError('The invoice is already linked to an order')
    if (existing)
      await trx
        .updateTable('procurement_invoices')
        .set({ order_id: orderId, match_status: 'unmatched' })
        .where('org_id', '=', orgId)
        .where('invoice_id', '=', invoiceId)
        .execute()
    else
      await trx
        .insertInto('procurement_invoices')
        .values({
          org_id: orgId,
          invoice_id: invoiceId,
          order_id: orderId,
          matched_at: null,
          released_at: null,
          released_by: null,
        })
        .execute()
    await trx
      .insertInto('procurement_invoice_lines')
      .values(
        lines.map((line, index) => ({
          org_id: orgId,
          invoice_id: invoiceId,
          line_no: index + 1,
          order_id: orderId,
          order_line_no: line.orderLineNo,
          quantity: formatQuantity(line.quantity),
          unit_price_pence: line.unitPricePence,
          net_pence: line.netPence,
        })),
      )
      .execute()
  }

  /**
   * Three-way match of every unmatched (or previously failed) invoice of the organisation awaiting
   * approval in payables, or only `invoiceIds`. Set-based: invoices are taken in the order they
   * were captured, each line's quantity counted on top of what invoices already matched and those
   * earlier in this batch (without a price or header exception) claimed. A matched invoice counts
   * against its order lines and so reduces the outstanding commitment (procurement_invoiced_lines).
   */
  async match(trx: Tx, orgId: string, invoiceIds?: readonly string[]): Promise<MatchSummary> {
    const ids = invoiceIds ? [...invoiceIds] : null
    const profile = process.env.GSS_PROFILE_MATCH
      ? (label: string, started: number) =>
          console.error(`match: ${label} ${(performance.now() - started).toFixed(0)} ms`)
      : undefined
    const step = async (label: string, query: { execute(trx: Tx): Promise<unknown> }) => {
      const started = performance.now()
      await query.execute(trx)
      profile?.(label, started)
    }
    // The batch and its lines, copied once into temporary tables (no row-level security to apply
    // again, statistics of their own), then joined by key.
    await step('drop', sql`drop table if exists gss_match_batch, gss_match_lines, gss_match_prior`)
    await step(
      'batch',
      sql`create temporary table gss_match_batch on commit drop as
        select p.invoice_id, p.order_id, i.supplier_id, i.captured_at, true as ok
        from procurement_invoices p
        join supplier_invoices i on i.org_id = p.org_id and i.id = p.invoice_id
        where p.org_id = ${orgId} and p.order_id is not null and p.match_status in ('unmatched', 'exception')
          and i.status = 'received'
          and (${ids}::uuid[] is null or p.invoice_id = any(${ids}::uuid[]))`,
    )
    await step('batch key', sql`alter table gss_match_batch add primary key (invoice_id)`)
    await step(
      'lines',
      sql`create temporary table gss_match_lines on commit drop as
        select l.invoice_id, l.line_no, l.order_id, l.order_line_no, l.quantity, l.unit_price_pence, b.captured_at
        from gss_match_batch b
        join procurement_invoice_lines l on l.org_id = ${orgId} and l.invoice_id = b.invoice_id`,
    )
    // What invoices already matched have claimed against the order lines this batch touches.
    await step(
      'prior',
      sql`create temporary table gss_match_prior on commit drop as
        select l.order_id, l.order_line_no, sum(l.quantity) as quantity
        from procurement_invoice_lines l
        join procurement_invoices p on p.org_id = l.org_id and p.invoice_id = l.invoice_id
        where l.org_id = ${orgId} and p.match_status in ('matched', 'released')
          and (l.order_id, l.order_line_no) in (select order_id, order_line_no from gss_match_lines)
        group by l.order_id, l.order_line_no`,
    )
    await step('analyze', sql`analyze gss_match_batch, gss_match_lines, gss_match_prior`)
    await step(
      'clear',
      sql`delete from procurement_match_exceptions e using gss_match_batch b
        where e.org_id = ${orgId} and e.invoice_id = b.invoice_id`,
    )
    // Header and price exceptions: they do not depend on the other invoices in the batch.
    await step(
      'header and price',
      sql`
      insert into procurement_match_exceptions (org_id, invoice_id, seq, line_no, reason_code, reason)
      select ${orgId}::uuid, x.invoice_id, row_number() over (partition by x.invoice_id order by x.line_no nulls first, x.reason_code),
        x.line_no, x.reason_code, x.reason
      from (
        select b.invoice_id, null::int as line_no, 'order-not-issued' as reason_code,
          'Order ' || coalesce(o.order_number, 'REQ') || ' is ' || replace(o.status, '-', ' ') || ', not issued' as reason
        from gss_match_batch b
        join purchase_orders o on o.org_id = ${orgId} and o.id = b.order_id
        where o.status <> 'issued'
        union all
        select b.invoice_id, null, 'supplier-mismatch', 'The invoice is from a different supplier than order ' || o.order_number
        from gss_match_batch b
        join purchase_orders o on o.org_id = ${orgId} and o.id = b.order_id
        where b.supplier_id <> o.supplier_id
        union all
        select b.invoice_id, null, 'no-lines', 'The invoice has no lines linked to its order'
        from gss_match_batch b
        where not exists (select 1 from gss_match_lines l where l.invoice_id = b.invoice_id)
        union all
        select l.invoice_id, l.line_no, 'price',
          'Line ' || l.line_no || ': unit price ' || l.unit_price_pence || 'p is above the order''s ' || ol.unit_price_pence
            || 'p by more than the tolerance (' || s.price_tolerance_percent::float8 || '% or ' || s.price_tolerance_pence || 'p)'
        from gss_match_lines l
        join purchase_order_lines ol on ol.org_id = ${orgId} and ol.order_id = l.order_id and ol.line_no = l.order_line_no
        cross join (select coalesce(max(price_tolerance_percent), 2) as price_tolerance_percent,
            coalesce(max(price_tolerance_pence), 0) as price_tolerance_pence
          from procurement_settings where org_id = ${orgId}) s
        where l.unit_price_pence > ol.unit_price_pence
          + greatest(floor(ol.unit_price_pence * s.price_tolerance_percent / 100), s.price_tolerance_pence)
      ) x`,
    )
    await step(
      'flag',
      sql`update gss_match_batch b set ok = false
        where exists (select 1 from procurement_match_exceptions e where e.org_id = ${orgId} and e.invoice_id = b.invoice_id)`,
    )
    // Quantity: what earlier invoices claimed plus this one must be within what was received (and
    // ordered), each with the quantity tolerance.
    await step(
      'quantity',
      sql`
      insert into procurement_match_exceptions (org_id, invoice_id, seq, line_no, reason_code, reason)
      select ${orgId}::uuid, q.invoice_id, 100 + row_number() over (partition by q.invoice_id order by q.line_no),
        q.line_no, case when q.claimed > q.ordered_limit then 'over-invoiced' else 'quantity-not-received' end,
        case when q.claimed > q.ordered_limit
          then 'Line ' || q.line_no || ': ' || trim_scale(q.claimed) || ' invoiced in all is more than the ' || trim_scale(q.ordered) || ' ordered'
          else 'Line ' || q.line_no || ': ' || trim_scale(q.claimed) || ' invoiced in all, but only ' || trim_scale(q.received) || ' received'
        end
      from (
        select l.invoice_id, l.line_no, ol.quantity as ordered, ol.quantity_received as received,
          coalesce(v.quantity, 0) + sum(l.quantity) over (
            partition by l.order_id, l.order_line_no order by l.captured_at, l.invoice_id, l.line_no) as claimed,
          ol.quantity_received * (1 + s.qty / 100) as received_limit,
          ol.quantity * (1 + s.qty / 100) as ordered_limit
        from gss_match_lines l
        join gss_match_batch b on b.invoice_id = l.invoice_id
        join purchase_order_lines ol on ol.org_id = ${orgId} and ol.order_id = l.order_id and ol.line_no = l.order_line_no
        left join gss_match_prior v on v.order_id = l.order_id and v.order_line_no = l.order_line_no
        cross join (select coalesce(max(quantity_tolerance_percent), 0) as qty from procurement_settings where org_id = ${orgId}) s
        where b.ok
      ) q
      where q.claimed > q.received_limit or q.claimed > q.ordered_limit`,
    )
    await step(
      'flag',
      sql`update gss_match_batch b set ok = false
        where b.ok and exists (select 1 from procurement_match_exceptions e where e.org_id = ${orgId} and e.invoice_id = b.invoice_id)`,
    )
    await step(
      'status',
      sql`
      update procurement_invoices p set match_status = case when b.ok then 'matched' else 'exception' end,
        matched_at = case when b.ok then now() else null end
      from gss_match_batch b where p.org_id = ${orgId} and p.invoice_id = b.invoice_id`,
    )
    const { rows } = await sql<{ considered: number; matched: number }>`
      select count(*)::int as considered, count(*) filter (where ok)::int as matched from gss_match_batch`.execute(
      trx,
    )
    const considered = rows[0]!.considered
    const matched = rows[0]!.matched
    return { considered, matched, exceptions: considered - matched }
  }

  /**
   * Releases a matched invoice into payables for payment: payables approves it (posting it to the
   * ledger) within the releaser's delegated authority, so it joins the next payment run. Errors:
   * NotFoundError; BusinessRuleError (not matched; and payables' approval errors: captured by the
   * releaser, above every limit); ForbiddenError (no delegated authority).
   */
  async release(trx: Tx, orgId: string, invoiceId: string, userId: string, postingDate = todayIso()) {
    const link = await trx
      .selectFrom('procurement_invoices')
      .select(['match_status'])
      .where('org_id', '=', orgId)
      .where('invoice_id', '=', invoiceId)
      .forUpdate()
      .executeTakeFirst()
    if (!link) throw new NotFoundError('The invoice is not linked to an order')
    if (link.match_status !== 'matched')
      throw new BusinessRuleError(
        `The invoice is ${link.match_status}: only a matched invoice can be released for payment`,
      )
    const outcome = await this.#invoices.approve(trx, orgId, invoiceId, userId, postingDate)
    if (outcome.outcome === 'approved')
      await trx
        .updateTable('procurement_invoices')
        .set({ match_status: 'released', released_by: userId, released_at: new Date() })
        .where('org_id', '=', orgId)
        .where('invoice_id', '=', invoiceId)
        .execute()
    return outcome
  }

  async matchStatus(trx: Tx, orgId: string, invoiceId: string) {
    const link = await trx
      .selectFrom('procurement_invoices')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('invoice_id', '=', invoiceId)
      .executeTakeFirst()
    if (!link)
      return {
        invoiceId,
        status: 'no-po' as const,
        orderId: null,
        reasons: [{ code: 'no-po', lineNo: null, reason: NO_PO_REASON }],
      }
    const reasons = await trx
      .selectFrom('procurement_match_exceptions')
      .select(['reason_code as code', 'line_no as lineNo', 'reason'])
      .where('org_id', '=', orgId)
      .where('invoice_id', '=', invoiceId)
      .orderBy('seq')
      .execute()
    return { invoiceId, status: link.match_status, orderId: link.order_id, reasons }
  }

  /** Invoices on an order, with their match status. */
  async invoicesForOrder(trx: Tx, orgId: string, orderId: string) {
    const { rows } = await sql<{
      invoice_id: string
      supplier_reference: string
      gross_pence: string
      net_pence: string
      match_status: MatchStatus
      status: string
    }>`
      select p.invoice_id, i.supplier_reference, i.gross_pence::text, i.net_pence::text, p.match_status, i.status
      from procurement_invoices p join supplier_invoices i on i.org_id = p.org_id and i.id = p.invoice_id
      where p.org_id = ${orgId} and p.order_id = ${orderId} order by i.captured_at`.execute(trx)
    return rows.map((row) => ({
      ...row,
      grossPence: Number(row.gross_pence),
      netPence: Number(row.net_pence),
    }))
  }

  /**
   * The exceptions queue: invoices awaiting approval in payables that have no order ("no PO, no
   * pay") or failed the match, each with its reasons.
   */
  async exceptions(trx: Tx, orgId: string, limit = EXCEPTIONS_PER_PAGE_MAX): Promise<ExceptionItem[]> {
    const { rows } = await sql<{
      id: string
      supplier_name: string
      supplier_reference: string
      gross_pence: string
      receipt_date: string
      order_id: string | null
      order_number: string | null
      match_status: MatchStatus | null
      reasons: Array<{ code: string; lineNo: number | null; reason: string }> | null
      allowed_reason: string | null
      granted_by: string | null
      granted_at: Date | string | null
    }>`
      select i.id, s.name as supplier_name, i.supplier_reference, i.gross_pence::text, i.receipt_date,
        p.order_id, o.order_number, p.match_status,
        (select jsonb_agg(jsonb_build_object('code', e.reason_code, 'lineNo', e.line_no, 'reason', e.reason) order by e.seq)
          from procurement_match_exceptions e where e.org_id = i.org_id and e.invoice_id = i.id) as reasons,
        x.reason as allowed_reason, x.granted_by, x.granted_at
      from supplier_invoices i
      left join procurement_no_po_exceptions x on x.org_id = i.org_id and x.invoice_id = i.id
      join suppliers s on s.org_id = i.org_id and s.id = i.supplier_id
      left join procurement_invoices p on p.org_id = i.org_id and p.invoice_id = i.id
      left join purchase_orders o on o.org_id = p.org_id and o.id = p.order_id
      where i.org_id = ${orgId} and i.status = 'received' and i.kind = 'invoice'
        and (p.order_id is null or p.match_status = 'exception')
      order by i.receipt_date, i.id
      limit ${Math.min(limit, EXCEPTIONS_PER_PAGE_MAX)}`.execute(trx)
    return rows.map((row) => ({
      invoiceId: row.id,
      supplierName: row.supplier_name,
      supplierReference: row.supplier_reference,
      grossPence: Number(row.gross_pence),
      receiptDate: row.receipt_date,
      orderId: row.order_id,
      orderNumber: row.order_number,
      status: row.order_id ? (row.match_status ?? 'unmatched') : 'no-po',
      reasons: row.order_id ? (row.reasons ?? []) : [{ code: 'no-po', lineNo: null, reason: NO_PO_REASON }],
      exceptionAllowed:
        row.allowed_reason && row.granted_by && row.granted_at
          ? {
              reason: row.allowed_reason,
              grantedBy: row.granted_by,
              grantedAt: new Date(row.granted_at).toISOString(),
            }
          : null,
    }))
  }

  /**
   * Records an exception to "no PO, no pay" for one invoice awaiting approval, with the reason, so
   * payables may approve it without a matched order (where the organisation's policy allows
   * exceptions). Written once; the approval itself stays payables' (delegated authority,
   * segregation of duties). Errors: ValidationError (no reason, or too long); NotFoundError;
   * BusinessRuleError (the policy allows no exceptions, the invoice is not awaiting approval, is a
   * credit note, or is already matched); ConflictError (an exception is already recorded).
   */
  async allowException(trx: Tx, orgId: string, invoiceId: string, reason: string, userId: string) {
    const text = (reason ?? '').trim()
    if (!text)
      throw new ValidationError('Enter the reason for the exception', [
        { field: '/reason', message: 'Enter the reason for the exception' },
      ])
    if (text.length > EXCEPTION_REASON_CHARS_MAX)
      throw new ValidationError(`The reason must be ${EXCEPTION_REASON_CHARS_MAX} characters or fewer`, [
        { field: '/reason', message: `The reason must be ${EXCEPTION_REASON_CHARS_MAX} characters or fewer` },
      ])
    const settings = await this.settings(trx, orgId)
    if (settings.noPoPolicy === 'strict')
      throw new BusinessRuleError(
        'This organisation’s no PO, no pay policy allows no exceptions: match the invoice to its order',
      )
    const invoice = await trx
      .selectFrom('supplier_invoices')
      .select(['status', 'kind', 'supplier_reference'])
      .where('org_id', '=', orgId)
      .where('id', '=', invoiceId)
      .forUpdate()
      .executeTakeFirst()
    if (!invoice) throw new NotFoundError('There is no such invoice')
    if (invoice.kind !== 'invoice')
      throw new BusinessRuleError('Credit notes are outside no PO, no pay: there is nothing to except')
    if (invoice.status !== 'received')
      throw new BusinessRuleError(
        `Invoice ${invoice.supplier_reference} is ${invoice.status}, not awaiting approval: no exception is needed`,
      )
    const link = await this.matchStatus(trx, orgId, invoiceId)
    if (link.status === 'matched' || link.status === 'released')
      throw new BusinessRuleError(
        `Invoice ${invoice.supplier_reference} is matched to its order: no exception is needed`,
      )
    const existing = await trx
      .selectFrom('procurement_no_po_exceptions')
      .select('invoice_id')
      .where('org_id', '=', orgId)
      .where('invoice_id', '=', invoiceId)
      .executeTakeFirst()
    if (existing)
      throw new ConflictError(`An exception is already recorded for invoice ${invoice.supplier_reference}`)
    await trx
      .insertInto('procurement_no_po_exceptions')
      .values({ org_id: orgId, invoice_id: invoiceId, reason: text, granted_by: userId })
      .execute()
    return { invoiceId, reason: text, grantedBy: userId, policy: settings.noPoPolicy }
  }

  /** Matched invoices waiting to be released into payables. */
  async matched(trx: Tx, orgId: string, limit = 200) {
    const { rows } = await sql<{
      invoice_id: string
      supplier_name: string
      supplier_reference: string
      gross_pence: string
      order_number: string
      order_id: string
    }>`
      select p.invoice_id, s.name as supplier_name, i.supplier_reference, i.gross_pence::text, o.order_number, o.id as order_id
      from procurement_invoices p
      join supplier_invoices i on i.org_id = p.org_id and i.id = p.invoice_id
      join suppliers s on s.org_id = i.org_id and s.id = i.supplier_id
      join purchase_orders o on o.org_id = p.org_id and o.id = p.order_id
      where p.org_id = ${orgId} and p.match_status = 'matched' and i.status = 'received'
      order by i.receipt_date, i.id limit ${limit}`.execute(trx)
    return rows.map((row) => ({
      ...row,
      grossPence: Number(row.gross_pence),
      grossText: formatGbp(Number(row.gross_pence)),
    }))
  }
}
