// Requisition to order. A requisition is raised (catalogue items or free text, each line with a
// CPV code and cost coding), approved within the organisation's delegated authority for
// 'procurement' spend (the payables limits and approvers: one engine for finance and procurement),
// and on approval becomes a purchase order with a PO number. Amendments and cancellations are
// new versions; every version is kept. Commitments reserve budget from issue until invoiced.
//
// Guarantees: the requester (or the last amender) never approves; an approval never exceeds the
// approver's limit, whichever door it comes through (the check is here, in the one transaction
// that locks the order); above the approver's limit the order escalates to the level that can.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { fiscalPeriodOf } from '../finance/chart.ts'
import { delegatedAuthority } from '../finance/payables/authority.ts'
import { todayIso } from '../finance/payables/invoices.ts'
import type { Tx } from '../platform/db/index.ts'
import { BusinessRuleError, type FieldError, NotFoundError, ValidationError } from '../platform/errors.ts'
import { formatGbp } from '../platform/money.ts'
import {
  formatQuantity,
  isVatRate,
  lineNetPence,
  parseQuantity,
  quantityText,
  vatPence,
} from './quantities.ts'
import type { OrderStatus } from './tables.ts'
import './tables.ts'

/** The spend type whose delegated authority limits govern orders (payables_approval_limits). */
export const PROCUREMENT_SPEND_TYPE = 'procurement'
export const LINES_PER_ORDER_MAX = 200
export const ORDERS_PER_PAGE_MAX = 500
export const CPV_PATTERN = /^\d{8}-\d$/

export interface OrderLineInput {
  catalogueItemId?: string | undefined
  description?: string | undefined
  cpvCode?: string | undefined
  accountCode?: string | undefined
  costCentreCode: string
  unit?: string | undefined
  quantity: string | number
  unitPricePence?: number | undefined
  vatRatePercent?: string | undefined
}

export interface RequisitionInput {
  title: string
  supplierId: string
  contractId?: string | undefined
  neededBy?: string | undefined
  lines: OrderLineInput[]
}

export interface AmendmentInput {
  reason: string
  /** Lines with a lineNo change that line (quantity, unit price, description); others are added. */
  lines: Array<Partial<OrderLineInput> & { lineNo?: number | undefined }>
}

export interface OrderLine {
  lineNo: number
  catalogueItemId: string | null
  description: string
  cpvCode: string
  accountCode: string
  costCentreCode: string
  unit: string
  quantity: string
  unitPricePence: number
  netPence: number
  vatRatePercent: string
  vatPence: number
  quantityReceived: string
  quantityInvoiced: string
  netInvoicedPence: number
}

export interface OrderVersion {
  version: number
  seq: number
  change: string
  reason: string | null
  totalPence: number
  changedBy: string | null
  changedByName: string | null
  changedAt: string
  lines: unknown
}

export interface Order {
  id: string
  requisitionNumber: string
  orderNumber: string | null
  title: string
  supplierId: string
  supplierName: string
  contractId: string | null
  cpvCode: string
  status: OrderStatus
  version: number
  netPence: number
  vatPence: number
  totalPence: number
  approvedTotalPence: number
  neededBy: string | null
  requestedBy: string
  requestedByName: string | null
  requestedAt: string
  awaitingLevel: number | null
  approvedBy: string | null
  approvedAt: string | null
  issuedOn: string | null
  rejectedReason: string | null
  cancelledReason: string | null
  outstandingCommitmentPence: number
  lines: OrderLine[]
  versions: OrderVersion[]
}

export type OrderApprovalOutcome =
  | { outcome: 'approved'; order: Order }
  | { outcome: 'escalated'; order: Order; requiredLevel: number; requiredTitle: string; message: string }

export const requisitionLabel = (n: number | string) => `REQ-${String(n).padStart(6, '0')}`
export const orderLabel = (n: number | string) => `PO-${String(n).padStart(6, '0')}`

interface PreparedLine {
  catalogueItemId: string | null
  description: string
  cpvCode: string
  accountCode: string
  costCentreCode: string
  unit: string
  quantity: bigint
  unitPricePence: number
  netPence: number
  vatRatePercent: string
  vatPence: number
}

function isRealDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
}

export class OrderService {
  /**
   * Raises a requisition awaiting approval. Errors: ValidationError (each bad field named by JSON
   * pointer: unknown account, cost centre or catalogue item, CPV code, quantity), NotFoundError
   * (supplier or contract).
   */
  async requisition(trx: Tx, orgId: string, input: RequisitionInput, requestedBy: string): Promise<Order> {
    const problems: FieldError[] = []
    if (!input.title?.trim()) problems.push({ field: '/title', message: 'Enter what the requisition is for' })
    else if (input.title.trim().length > 300)
      problems.push({ field: '/title', message: 'Title must be 300 characters or fewer' })
    if (input.neededBy && !isRealDate(input.neededBy))
      problems.push({ field: '/neededBy', message: 'Enter the date needed as a real date, like 2026-06-30' })
    if (!input.lines?.length)
      problems.push({ field: '/lines', message: 'A requisition needs at least one line' })
    if ((input.lines?.length ?? 0) > LINES_PER_ORDER_MAX)
      problems.push({
        field: '/lines',
        message: `A requisition can have at most ${LINES_PER_ORDER_MAX} lines`,
      })
    const supplier = await trx
      .selectFrom('suppliers')
      .select(['id'])
      .where('org_id', '=', orgId)
      .where('id', '=', input.supplierId)
      .executeTakeFirst()
    if (!supplier)
      problems.push({ field: '/supplierId', message: 'Choose one of the organisation’s suppliers' })
    if (input.contractId) {
      const contract = await trx
        .selectFrom('contracts')
        .select(['supplier_id'])
        .where('org_id', '=', orgId)
        .where('id', '=', input.contractId)
        .executeTakeFirst()
      if (!contract) problems.push({ field: '/contractId', message: 'There is no such contract' })
      else if (contract.supplier_id !== input.supplierId)
        problems.push({ field: '/contractId', message: 'The contract is with a different supplier' })
    }
    const lines = await this.#prepareLines(
      trx,
      orgId,
      input.lines ?? [],
      input.supplierId,
      problems,
      '/lines',
    )
    if (problems.length) throw new ValidationError(summary(problems), problems)
    const totals = totalsOf(lines)
    const id = randomUUID()
    await trx
      .insertInto('purchase_orders')
      .values({
        org_id: orgId,
        id,
        title: input.title.trim(),
        supplier_id: input.supplierId,
        contract_id: input.contractId ?? null,
        cpv_code: lines[0]!.cpvCode,
        net_pence: totals.net,
        vat_pence: totals.vat,
        total_pence: totals.net + totals.vat,
        needed_by: input.neededBy || null,
        requested_by: requestedBy,
        awaiting_level: null,
        approved_by: null,
        approved_at: null,
        issued_on: null,
        rejected_by: null,
        rejected_reason: null,
        cancelled_reason: null,
        order_number: null,
      })
      .execute()
    await this.#insertLines(trx, orgId, id, lines, 1)
    await this.#recordVersion(trx, orgId, id, 'requested', null, requestedBy)
    return this.get(trx, orgId, id)
  }

  async #prepareLines(
    trx: Tx,
    orgId: string,
    inputs: OrderLineInput[],
    supplierId: string,
    problems: FieldError[],
    at: string,
  ): Promise<PreparedLine[]> {
    const [accounts, costCentres, items] = await Promise.all([
      trx
        .selectFrom('accounts')
        .select('code')
        .where('org_id', '=', orgId)
        .where('active', '=', true)
        .execute(),
      trx
        .selectFrom('cost_centres')
        .select('code')
        .where('org_id', '=', orgId)
        .where('active', '=', true)
        .execute(),
      trx.selectFrom('catalogue_items').selectAll().where('org_id', '=', orgId).execute(),
    ])
    const accountCodes = new Set(accounts.map((a) => a.code))
    const costCentreCodes = new Set(costCentres.map((c) => c.code))
    const catalogue = new Map(items.map((item) => [item.id, item]))
    const prepared: PreparedLine[] = []
    inputs.forEach((input, index) => {
      const field = (name: string) => `${at}/${index}/${name}`
      const item = input.catalogueItemId ? catalogue.get(input.catalogueItemId) : undefined
      if (input.catalogueItemId && !item)
        problems.push({ field: field('catalogueItemId'), message: 'There is no such catalogue item' })
      else if (item && item.supplier_id !== supplierId)
        problems.push({
          field: field('catalogueItemId'),
          message: `${item.description} is supplied by another supplier`,
        })
      const description = (input.description?.trim() || item?.description || '').slice(0, 500)
      if (!description)
        problems.push({ field: field('description'), message: 'Enter a description of what is needed' })
      const cpvCode = input.cpvCode?.trim() || item?.cpv_code || ''
      if (!CPV_PATTERN.test(cpvCode))
        problems.push({
          field: field('cpvCode'),
          message: 'Enter the CPV code, 8 digits, a hyphen and a check digit, like 72000000-5',
        })
      const accountCode = input.accountCode?.trim() || item?.account_code || ''
      if (!accountCodes.has(accountCode))
        problems.push({
          field: field('accountCode'),
          message: accountCode ? `There is no open account ${accountCode}` : 'Choose the account',
        })
      const costCentreCode = input.costCentreCode?.trim() ?? ''
      if (!costCentreCodes.has(costCentreCode))
        problems.push({
          field: field('costCentreCode'),
          message: costCentreCode
            ? `There is no open cost centre ${costCentreCode}`
            : 'Choose the cost centre',
        })
      const quantity = parseQuantity(input.quantity)
      if (quantity === undefined)
        problems.push({
          field: field('quantity'),
          message: 'Enter a quantity greater than zero, with at most 3 decimal places',
        })
      const unitPricePence = input.unitPricePence ?? item?.unit_price_pence
      if (unitPricePence === undefined || !Number.isSafeInteger(unitPricePence) || unitPricePence < 0)
        problems.push({
          field: field('unitPricePence'),
          message: 'Enter the unit price in whole pence, zero or more',
        })
      const vatRatePercent = input.vatRatePercent ?? (item ? String(Number(item.vat_rate_percent)) : '20')
      if (!isVatRate(vatRatePercent))
        problems.push({
          field: field('vatRatePercent'),
          message: 'Enter the VAT rate as a percentage, like 20',
        })
      if (
        quantity === undefined ||
        unitPricePence === undefined ||
        !isVatRate(vatRatePercent) ||
        unitPricePence < 0
      )
        return
      const netPence = lineNetPence(quantity, unitPricePence)
      if (!Number.isSafeInteger(netPence) || netPence > 1e15) {
        problems.push({ field: field('quantity'), message: 'The line is too large' })
        return
      }
      prepared.push({
        catalogueItemId: item?.id ?? null,
        description,
        cpvCode,
        accountCode,
        costCentreCode,
        unit: (input.unit?.trim() || item?.unit || 'each').slice(0, 20),
        quantity,
        unitPricePence,
        netPence,
        vatRatePercent,
        vatPence: vatPence(netPence, vatRatePercent),
      })
    })
    return prepared
  }

  async #insertLines(trx: Tx, orgId: string, orderId: string, lines: PreparedLine[], firstLineNo: number) {
    if (lines.length === 0) return
    await trx
      .insertInto('purchase_order_lines')
      .values(
        lines.map((line, index) => ({
          org_id: orgId,
          order_id: orderId,
          line_no: firstLineNo + index,
          catalogue_item_id: line.catalogueItemId,
          description: line.description,
          cpv_code: line.cpvCode,
          account_code: line.accountCode,
          cost_centre_code: line.costCentreCode,
          unit: line.unit,
          quantity: formatQuantity(line.quantity),
          unit_price_pence: line.unitPricePence,
          net_pence: line.netPence,
          vat_rate_percent: line.vatRatePercent,
          vat_pence: line.vatPence,
        })),
      )
      .execute()
  }

  /** Snapshots the order's lines as they now are, as the next entry of its history. */
  async #recordVersion(
    trx: Tx,
    orgId: string,
    orderId: string,
    change: OrderVersion['change'] &
      ('requested' | 'approved' | 'rejected' | 'amended' | 'cancelled' | 'closed'),
    reason: string | null,
    userId: string | null,
  ) {
    await sql`
      insert into purchase_order_versions (org_id, order_id, version, seq, change, reason, total_pence, lines, changed_by)
      select o.org_id, o.id, o.version,
        coalesce((select max(seq) from purchase_order_versions v where v.org_id = o.org_id and v.order_id = o.id), 0) + 1,
        ${change}, ${reason}, o.total_pence,
        coalesce((select jsonb_agg(jsonb_build_object('lineNo', l.line_no, 'description', l.description,
          'quantity', l.quantity, 'unitPricePence', l.unit_price_pence, 'netPence', l.net_pence,
          'vatPence', l.vat_pence, 'accountCode', l.account_code, 'costCentreCode', l.cost_centre_code,
          'cpvCode', l.cpv_code) order by l.line_no)
          from purchase_order_lines l where l.org_id = o.org_id and l.order_id = o.id), '[]'::jsonb),
        ${userId}
      from purchase_orders o where o.org_id = ${orgId} and o.id = ${orderId}`.execute(trx)
  }

  async #lock(trx: Tx, orgId: string, orderId: string) {
    const row = await trx
      .selectFrom('purchase_orders')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', orderId)
      .forUpdate()
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such requisition or order')
    return row
  }

  /**
   * Approves a requisition (or an amendment above the value last approved) within the approver's
   * delegated authority for procurement spend, issuing the order and reserving its commitments.
   * Above the approver's limit it escalates to the lowest level whose limit covers it.
   * Errors: NotFoundError; BusinessRuleError (not awaiting approval, raised or amended by the
   * approver, no limits set, above every limit); ForbiddenError (no delegated authority).
   */
  async approve(
    trx: Tx,
    orgId: string,
    orderId: string,
    approverId: string,
    today = todayIso(),
  ): Promise<OrderApprovalOutcome> {
    const order = await this.#lock(trx, orgId, orderId)
    const label = order.order_number ?? requisitionLabel(order.requisition_number)
    if (order.status !== 'awaiting-approval')
      throw new BusinessRuleError(`${label} is ${order.status.replace('-', ' ')}, not awaiting approval`)
    const lastAmender = await trx
      .selectFrom('purchase_order_versions')
      .select('changed_by')
      .where('org_id', '=', orgId)
      .where('order_id', '=', orderId)
      .where('change', 'in', ['requested', 'amended'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (order.requested_by === approverId || lastAmender?.changed_by === approverId)
      throw new BusinessRuleError(
        `You raised or amended ${label}, so you cannot approve it: someone else must (segregation of duties)`,
      )
    // Payables' delegated authority engine, the one finance approves invoices with (decision 0400).
    const decision = await delegatedAuthority(
      trx,
      orgId,
      approverId,
      PROCUREMENT_SPEND_TYPE,
      order.total_pence,
      'orders',
    )
    if (decision.outcome === 'beyond-every-limit')
      throw new BusinessRuleError(
        `${formatGbp(order.total_pence)} is above every delegated limit for procurement spend: it needs HM Treasury consent`,
      )
    if (decision.outcome === 'escalate') {
      await trx
        .updateTable('purchase_orders')
        .set({ awaiting_level: decision.requiredLevel })
        .where('org_id', '=', orgId)
        .where('id', '=', orderId)
        .execute()
      return {
        outcome: 'escalated',
        order: await this.get(trx, orgId, orderId),
        requiredLevel: decision.requiredLevel,
        requiredTitle: decision.requiredTitle,
        message: `${label} for ${formatGbp(order.total_pence)} is above your limit of ${formatGbp(decision.ownLimitPence)}: it has been passed to a ${decision.requiredTitle} (level ${decision.requiredLevel}) to approve`,
      }
    }
    const firstApproval = order.order_number === null
    let orderNumber = order.order_number
    if (firstApproval) {
      const { rows } = await sql<{
        n: string
      }>`select nextval('procurement_order_numbers')::text as n`.execute(trx)
      orderNumber = orderLabel(rows[0]!.n)
    }
    await trx
      .updateTable('purchase_orders')
      .set({
        status: 'issued',
        order_number: orderNumber,
        approved_total_pence: order.total_pence,
        approved_by: approverId,
        approved_at: new Date(),
        issued_on: order.issued_on ?? today,
        awaiting_level: null,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', orderId)
      .execute()
    await this.#recordVersion(trx, orgId, orderId, 'approved', null, approverId)
    await syncCommitments(trx, orgId, orderId, firstApproval ? 'reserve' : 'amend', today)
    return { outcome: 'approved', order: await this.get(trx, orgId, orderId) }
  }

  /** Errors: NotFoundError; ValidationError (no reason); BusinessRuleError (not a new requisition). */
  async reject(trx: Tx, orgId: string, orderId: string, userId: string, reason: string): Promise<Order> {
    if (!reason?.trim())
      throw new ValidationError('Enter why the requisition is rejected', [
        { field: '/reason', message: 'Enter why the requisition is rejected' },
      ])
    const order = await this.#lock(trx, orgId, orderId)
    if (order.status !== 'awaiting-approval' || order.order_number !== null)
      throw new BusinessRuleError(
        order.order_number !== null
          ? `${order.order_number} has been issued: amend it back or cancel it instead`
          : `${requisitionLabel(order.requisition_number)} is not awaiting approval`,
      )
    await trx
      .updateTable('purchase_orders')
      .set({ status: 'rejected', rejected_by: userId, rejected_reason: reason.trim().slice(0, 500) })
      .where('org_id', '=', orgId)
      .where('id', '=', orderId)
      .execute()
    await this.#recordVersion(trx, orgId, orderId, 'rejected', reason.trim().slice(0, 500), userId)
    return this.get(trx, orgId, orderId)
  }

  /**
   * Amends an order: changed lines and new lines, with a reason, as a new version. An amendment
   * that takes the total above the value last approved sends the order back for approval (its
   * commitments change only once approved). Errors: ValidationError (each bad field; a quantity
   * below what has been received or invoiced), BusinessRuleError (cancelled, rejected or closed).
   */
  async amend(
    trx: Tx,
    orgId: string,
    orderId: string,
    input: AmendmentInput,
    userId: string,
    today = todayIso(),
  ) {
    const order = await this.#lock(trx, orgId, orderId)
    if (order.status !== 'issued' && order.status !== 'awaiting-approval')
      throw new BusinessRuleError(
        `${order.order_number ?? requisitionLabel(order.requisition_number)} is ${order.status}: it cannot be amended`,
      )
    const problems: FieldError[] = []
    if (!input.reason?.trim())
      problems.push({ field: '/reason', message: 'Enter the reason for the amendment' })
    if (!input.lines?.length) problems.push({ field: '/lines', message: 'Change or add at least one line' })
    const existing = await trx
      .selectFrom('purchase_order_lines as l')
      .leftJoin('procurement_invoiced_lines as v', (join) =>
        join
          .onRef('v.org_id', '=', 'l.org_id')
          .onRef('v.order_id', '=', 'l.order_id')
          .onRef('v.order_line_no', '=', 'l.line_no'),
      )
      .selectAll('l')
      .select(['v.quantity as quantity_invoiced'])
      .where('l.org_id', '=', orgId)
      .where('l.order_id', '=', orderId)
      .orderBy('l.line_no')
      .forUpdate('l')
      .execute()
    const added: OrderLineInput[] = []
    const addedAt: number[] = []
    const changes: Array<{
      lineNo: number
      quantity: bigint
      unitPricePence: number
      description: string
      net: number
      vat: number
    }> = []
    ;(input.lines ?? []).forEach((line, index) => {
      const field = (name: string) => `/lines/${index}/${name}`
      if (line.lineNo === undefined) {
        added.push(line as OrderLineInput)
        addedAt.push(index)
        return
      }
      const current = existing.find((row) => row.line_no === line.lineNo)
      if (!current) {
        problems.push({ field: field('lineNo'), message: `The order has no line ${line.lineNo}` })
        return
      }
      const quantity =
        line.quantity === undefined ? parseQuantity(current.quantity) : parseQuantity(line.quantity)
      const floor = [
        parseQuantity(current.quantity_received) ?? 0n,
        parseQuantity(current.quantity_invoiced ?? '0') ?? 0n,
      ]
      if (quantity === undefined)
        problems.push({
          field: field('quantity'),
          message: 'Enter a quantity greater than zero, with at most 3 decimal places',
        })
      else if (quantity < floor[0]! || quantity < floor[1]!)
        problems.push({
          field: field('quantity'),
          message: `Line ${line.lineNo}: the quantity cannot be less than the ${quantityText(current.quantity_received)} received and ${quantityText(current.quantity_invoiced ?? '0')} invoiced`,
        })
      const unitPricePence = line.unitPricePence ?? current.unit_price_pence
      if (!Number.isSafeInteger(unitPricePence) || unitPricePence < 0)
        problems.push({
          field: field('unitPricePence'),
          message: 'Enter the unit price in whole pence, zero or more',
        })
      if (quantity === undefined) return
      const net = lineNetPence(quantity, unitPricePence)
      changes.push({
        lineNo: current.line_no,
        quantity,
        unitPricePence,
        description: line.description?.trim() || current.description,
        net,
        vat: vatPence(net, String(Number(current.vat_rate_percent))),
      })
    })
    const addedProblems: FieldError[] = []
    const newLines = await this.#prepareLines(trx, orgId, added, order.supplier_id, addedProblems, '/lines')
    for (const problem of addedProblems) {
      const match = /^\/lines\/(\d+)\/(.*)$/.exec(problem.field)
      problems.push(
        match
          ? { field: `/lines/${addedAt[Number(match[1])]}/${match[2]}`, message: problem.message }
          : problem,
      )
    }
    if (existing.length + newLines.length > LINES_PER_ORDER_MAX)
      problems.push({ field: '/lines', message: `An order can have at most ${LINES_PER_ORDER_MAX} lines` })
    if (problems.length) throw new ValidationError(summary(problems), problems)
    for (const change of changes)
      await trx
        .updateTable('purchase_order_lines')
        .set({
          quantity: formatQuantity(change.quantity),
          unit_price_pence: change.unitPricePence,
          description: change.description,
          net_pence: change.net,
          vat_pence: change.vat,
        })
        .where('org_id', '=', orgId)
        .where('order_id', '=', orderId)
        .where('line_no', '=', change.lineNo)
        .execute()
    await this.#insertLines(trx, orgId, orderId, newLines, (existing.at(-1)?.line_no ?? 0) + 1)
    const { rows } = await sql<{ net: string; vat: string }>`
      select coalesce(sum(net_pence), 0)::text as net, coalesce(sum(vat_pence), 0)::text as vat
      from purchase_order_lines where org_id = ${orgId} and order_id = ${orderId}`.execute(trx)
    const net = Number(rows[0]!.net)
    const vat = Number(rows[0]!.vat)
    const needsApproval = order.order_number === null || net + vat > order.approved_total_pence
    await trx
      .updateTable('purchase_orders')
      .set({
        version: order.version + 1,
        net_pence: net,
        vat_pence: vat,
        total_pence: net + vat,
        status: needsApproval ? 'awaiting-approval' : 'issued',
        awaiting_level: null,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', orderId)
      .execute()
    await this.#recordVersion(trx, orgId, orderId, 'amended', input.reason.trim().slice(0, 500), userId)
    if (!needsApproval) await syncCommitments(trx, orgId, orderId, 'amend', today)
    return this.get(trx, orgId, orderId)
  }

  /**
   * Cancels a requisition or an order with nothing received or invoiced, releasing its
   * commitments. Errors: ValidationError (no reason), BusinessRuleError (received, invoiced or
   * already closed).
   */
  async cancel(trx: Tx, orgId: string, orderId: string, userId: string, reason: string, today = todayIso()) {
    if (!reason?.trim())
      throw new ValidationError('Enter why the order is cancelled', [
        { field: '/reason', message: 'Enter why the order is cancelled' },
      ])
    const order = await this.#lock(trx, orgId, orderId)
    const label = order.order_number ?? requisitionLabel(order.requisition_number)
    if (!['awaiting-approval', 'issued'].includes(order.status))
      throw new BusinessRuleError(`${label} is ${order.status}: it cannot be cancelled`)
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from purchase_order_lines l
      where l.org_id = ${orgId} and l.order_id = ${orderId} and (l.quantity_received > 0
        or exists (select 1 from procurement_invoice_lines i where i.org_id = l.org_id and i.order_id = l.order_id
          and i.order_line_no = l.line_no))`.execute(trx)
    if (rows[0]!.n > 0)
      throw new BusinessRuleError(
        `${label} has receipts or invoices against it: it cannot be cancelled, only closed`,
      )
    await trx
      .updateTable('purchase_orders')
      .set({ status: 'cancelled', cancelled_reason: reason.trim().slice(0, 500) })
      .where('org_id', '=', orgId)
      .where('id', '=', orderId)
      .execute()
    await this.#recordVersion(trx, orgId, orderId, 'cancelled', reason.trim().slice(0, 500), userId)
    await syncCommitments(trx, orgId, orderId, 'cancel', today)
    return this.get(trx, orgId, orderId)
  }

  /** Errors: NotFoundError. */
  async get(trx: Tx, orgId: string, orderId: string): Promise<Order> {
    const { rows } = await sql<OrderRow>`
      select o.*, s.name as supplier_name, u.display_name as requested_by_name,
        (select coalesce(sum(greatest(c.committed - coalesce(v.net_pence, 0), 0)), 0)::text
          from (select line_no, sum(amount_pence) as committed from procurement_commitments c
            where c.org_id = o.org_id and c.order_id = o.id group by line_no) c
          left join procurement_invoiced_lines v
            on v.org_id = o.org_id and v.order_id = o.id and v.order_line_no = c.line_no) as outstanding_commitment
      from purchase_orders o
      join suppliers s on s.org_id = o.org_id and s.id = o.supplier_id
      left join users u on u.id = o.requested_by
      where o.org_id = ${orgId} and o.id = ${orderId}`.execute(trx)
    const row = rows[0]
    if (!row) throw new NotFoundError('There is no such requisition or order')
    const lines = await trx
      .selectFrom('purchase_order_lines as l')
      .leftJoin('procurement_invoiced_lines as v', (join) =>
        join
          .onRef('v.org_id', '=', 'l.org_id')
          .onRef('v.order_id', '=', 'l.order_id')
          .onRef('v.order_line_no', '=', 'l.line_no'),
      )
      .selectAll('l')
      .select(['v.quantity as quantity_invoiced', 'v.net_pence as net_invoiced_pence'])
      .where('l.org_id', '=', orgId)
      .where('l.order_id', '=', orderId)
      .orderBy('l.line_no')
      .execute()
    const versions = await sql<{
      version: number
      seq: number
      change: string
      reason: string | null
      total_pence: string
      changed_by: string | null
      changed_by_name: string | null
      changed_at: Date
      lines: unknown
    }>`select v.version, v.seq, v.change, v.reason, v.total_pence::text as total_pence, v.changed_by,
        u.display_name as changed_by_name, v.changed_at, v.lines
      from purchase_order_versions v left join users u on u.id = v.changed_by
      where v.org_id = ${orgId} and v.order_id = ${orderId} order by v.seq`.execute(trx)
    return {
      ...toOrder(row),
      lines: lines.map((line) => ({
        lineNo: line.line_no,
        catalogueItemId: line.catalogue_item_id,
        description: line.description,
        cpvCode: line.cpv_code,
        accountCode: line.account_code,
        costCentreCode: line.cost_centre_code,
        unit: line.unit,
        quantity: quantityText(line.quantity),
        unitPricePence: Number(line.unit_price_pence),
        netPence: Number(line.net_pence),
        vatRatePercent: String(Number(line.vat_rate_percent)),
        vatPence: Number(line.vat_pence),
        quantityReceived: quantityText(line.quantity_received),
        quantityInvoiced: quantityText(line.quantity_invoiced ?? '0'),
        netInvoicedPence: Number(line.net_invoiced_pence ?? 0),
      })),
      versions: versions.rows.map((v) => ({
        version: v.version,
        seq: v.seq,
        change: v.change,
        reason: v.reason,
        totalPence: Number(v.total_pence),
        changedBy: v.changed_by,
        changedByName: v.changed_by_name,
        changedAt: new Date(v.changed_at).toISOString(),
        lines: v.lines,
      })),
    }
  }

  /** Newest first, without lines or history. */
  async list(
    trx: Tx,
    orgId: string,
    filter: {
      status?: OrderStatus | undefined
      supplierId?: string | undefined
      contractId?: string | undefined
    } = {},
    limit = ORDERS_PER_PAGE_MAX,
  ): Promise<Array<Omit<Order, 'lines' | 'versions'>>> {
    const { rows } = await sql<OrderRow>`
      select o.*, s.name as supplier_name, u.display_name as requested_by_name,
        (select coalesce(sum(greatest(c.committed - coalesce(v.net_pence, 0), 0)), 0)::text
          from (select line_no, sum(amount_pence) as committed from procurement_commitments c
            where c.org_id = o.org_id and c.order_id = o.id group by line_no) c
          left join procurement_invoiced_lines v
            on v.org_id = o.org_id and v.order_id = o.id and v.order_line_no = c.line_no) as outstanding_commitment
      from purchase_orders o
      join suppliers s on s.org_id = o.org_id and s.id = o.supplier_id
      left join users u on u.id = o.requested_by
      where o.org_id = ${orgId}
        and (${filter.status ?? null}::text is null or o.status = ${filter.status ?? null}::text)
        and (${filter.supplierId ?? null}::uuid is null or o.supplier_id = ${filter.supplierId ?? null}::uuid)
        and (${filter.contractId ?? null}::uuid is null or o.contract_id = ${filter.contractId ?? null}::uuid)
      order by o.requested_at desc, o.requisition_number desc
      limit ${Math.min(limit, ORDERS_PER_PAGE_MAX)}`.execute(trx)
    return rows.map(toOrder)
  }

  /**
   * Budget, commitments and actuals per account and cost centre for a financial year: the budget
   * from finance's budget adjustments, actuals from the ledger's balances, commitments from the
   * open orders' outstanding reservations.
   */
  async budgetPosition(trx: Tx, orgId: string, fiscalYear: number) {
    const { rows } = await sql<{
      account_code: string
      account_name: string
      cost_centre_code: string
      budget: string
      committed: string
      actual: string
    }>`
      with plan as (
        select account_code, cost_centre_code, sum(amount_pence) as budget
        from budget_adjustments
        where org_id = ${orgId} and fiscal_year = ${fiscalYear} and kind = 'budget'
        group by 1, 2
      ), committed as (
        select c.account_code, c.cost_centre_code, sum(greatest(c.committed - coalesce(v.net_pence, 0), 0)) as committed
        from (
          select order_id, line_no, account_code, cost_centre_code, sum(amount_pence) as committed
          from procurement_commitments where org_id = ${orgId} and fiscal_year = ${fiscalYear}
          group by 1, 2, 3, 4
        ) c
        left join procurement_invoiced_lines v on v.org_id = ${orgId} and v.order_id = c.order_id and v.order_line_no = c.line_no
        group by 1, 2
      ), actual as (
        select b.account_code, b.cost_centre_code, sum(b.debit_pence - b.credit_pence) as actual
        from ledger_balances b
        join accounts a on a.org_id = b.org_id and a.code = b.account_code
        join standard_accounts s on s.code = a.standard_code
        where b.org_id = ${orgId} and b.fiscal_year = ${fiscalYear} and s.kind = 'expenditure'
        group by 1, 2
      ), keys as (
        select account_code, cost_centre_code from plan
        union select account_code, cost_centre_code from committed
        union select account_code, cost_centre_code from actual
      )
      select k.account_code, a.name as account_name, k.cost_centre_code,
        coalesce(p.budget, 0)::text as budget, coalesce(c.committed, 0)::text as committed,
        coalesce(x.actual, 0)::text as actual
      from keys k
      join accounts a on a.org_id = ${orgId} and a.code = k.account_code
      left join plan p on p.account_code = k.account_code and p.cost_centre_code = k.cost_centre_code
      left join committed c on c.account_code = k.account_code and c.cost_centre_code = k.cost_centre_code
      left join actual x on x.account_code = k.account_code and x.cost_centre_code = k.cost_centre_code
      order by 1, 3`.execute(trx)
    return rows.map((row) => {
      const budgetPence = Number(row.budget)
      const committedPence = Number(row.committed)
      const actualPence = Number(row.actual)
      return {
        accountCode: row.account_code,
        accountName: row.account_name,
        costCentreCode: row.cost_centre_code || '(none)',
        budgetPence,
        committedPence,
        actualPence,
        remainingPence: budgetPence - committedPence - actualPence,
      }
    })
  }
}

/**
 * Brings each line's committed value to what it should be (its net while the order is issued;
 * nothing once cancelled or closed) with one signed movement per line that changed. What is still
 * outstanding is that less what matched invoices claimed. One statement, whatever the lines.
 */
export async function syncCommitments(
  trx: Tx,
  orgId: string,
  orderId: string,
  movement: 'reserve' | 'amend' | 'cancel' | 'close',
  today: string,
) {
  const { fiscalYear } = fiscalPeriodOf(today)
  await sql`
    insert into procurement_commitments (org_id, order_id, line_no, account_code, cost_centre_code, fiscal_year, movement, amount_pence)
    select l.org_id, l.order_id, l.line_no, l.account_code, l.cost_centre_code,
      coalesce((select min(c.fiscal_year) from procurement_commitments c
        where c.org_id = l.org_id and c.order_id = l.order_id and c.line_no = l.line_no), ${fiscalYear}), ${movement},
      (case when o.status = 'issued' then l.net_pence else 0 end)
        - coalesce((select sum(c.amount_pence) from procurement_commitments c
            where c.org_id = l.org_id and c.order_id = l.order_id and c.line_no = l.line_no), 0)
    from purchase_order_lines l
    join purchase_orders o on o.org_id = l.org_id and o.id = l.order_id
    where l.org_id = ${orgId} and l.order_id = ${orderId}
      and (case when o.status = 'issued' then l.net_pence else 0 end)
        <> coalesce((select sum(c.amount_pence) from procurement_commitments c
            where c.org_id = l.org_id and c.order_id = l.order_id and c.line_no = l.line_no), 0)`.execute(trx)
}

type OrderRow = {
  id: string
  requisition_number: string | number
  order_number: string | null
  title: string
  supplier_id: string
  supplier_name: string
  contract_id: string | null
  cpv_code: string
  status: OrderStatus
  version: number
  net_pence: string | number
  vat_pence: string | number
  total_pence: string | number
  approved_total_pence: string | number
  needed_by: string | null
  requested_by: string
  requested_by_name: string | null
  requested_at: Date
  awaiting_level: number | null
  approved_by: string | null
  approved_at: Date | null
  issued_on: string | null
  rejected_reason: string | null
  cancelled_reason: string | null
  outstanding_commitment: string
}

function toOrder(row: OrderRow): Omit<Order, 'lines' | 'versions'> {
  return {
    id: row.id,
    requisitionNumber: requisitionLabel(row.requisition_number),
    orderNumber: row.order_number,
    title: row.title,
    supplierId: row.supplier_id,
    supplierName: row.supplier_name,
    contractId: row.contract_id,
    cpvCode: row.cpv_code,
    status: row.status,
    version: row.version,
    netPence: Number(row.net_pence),
    vatPence: Number(row.vat_pence),
    totalPence: Number(row.total_pence),
    approvedTotalPence: Number(row.approved_total_pence),
    neededBy: row.needed_by,
    requestedBy: row.requested_by,
    requestedByName: row.requested_by_name,
    requestedAt: new Date(row.requested_at).toISOString(),
    awaitingLevel: row.awaiting_level,
    approvedBy: row.approved_by,
    approvedAt: row.approved_at ? new Date(row.approved_at).toISOString() : null,
    issuedOn: row.issued_on,
    rejectedReason: row.rejected_reason,
    cancelledReason: row.cancelled_reason,
    outstandingCommitmentPence: Number(row.outstanding_commitment),
  }
}

function totalsOf(lines: PreparedLine[]) {
  return {
    net: lines.reduce((sum, line) => sum + line.netPence, 0),
    vat: lines.reduce((sum, line) => sum + line.vatPence, 0),
  }
}

function summary(problems: FieldError[]): string {
  return problems.length === 1 ? problems[0]!.message : `${problems.length} problems with the requisition`
}
