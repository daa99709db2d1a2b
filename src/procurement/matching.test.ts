// Source to pay end to end at the service level: requisition → approval within delegated
// authority → order → receipts (over-receipt refused, even when two race) → invoice → three-way
// match within tolerances → released into payables (approved, so the payment run picks it up).
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addDays, todayIso } from '../finance/payables/invoices.ts'
import { BusinessRuleError, ForbiddenError, ValidationError } from '../platform/errors.ts'
import { orgId } from '../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import {
  ADMIN,
  APPROVER,
  asUser,
  CLERK,
  CO,
  OFFICER,
  PROCUREMENT_LEVELS,
  procurementServices,
} from './testing.ts'

let t: TestDatabase
const s = procurementServices()
let supplierId: string
const today = todayIso()

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  supplierId = await asUser(t, ADMIN, async (trx) => {
    for (const level of PROCUREMENT_LEVELS)
      await s.invoices.setApprovalLimit(trx, CO, { spendType: 'procurement', ...level })
    const supplier = await s.suppliers.create(
      trx,
      CO,
      {
        name: 'Stationery Direct Ltd',
        sortCode: '089999',
        accountNumber: '66374958',
        sme: true,
        vcse: false,
        confirmNotDuplicate: true,
      },
      ADMIN,
    )
    return supplier.id
  })
})
afterAll(async () => t?.close())

const requisition = (quantity = '10', unitPricePence = 500_00) =>
  asUser(t, OFFICER, (trx) =>
    s.orders.requisition(
      trx,
      CO,
      {
        title: 'Laptops for new starters',
        supplierId,
        lines: [
          {
            description: 'Laptop',
            cpvCode: '30213100-6',
            accountCode: '52100000',
            costCentreCode: 'CORP',
            quantity,
            unitPricePence,
          },
        ],
      },
      OFFICER,
    ),
  )

describe('requisition to order', () => {
  test('the requester cannot approve their own requisition', async () => {
    const req = await requisition('1', 100_00)
    await expect(asUser(t, OFFICER, (trx) => s.orders.approve(trx, CO, req.id, OFFICER))).rejects.toThrow(
      BusinessRuleError,
    )
  })

  test('an approver without delegated authority is refused', async () => {
    const req = await requisition('1', 100_00)
    await expect(asUser(t, CLERK, (trx) => s.orders.approve(trx, CO, req.id, CLERK))).rejects.toThrow(
      ForbiddenError,
    )
  })

  test('above the approver’s limit the order escalates and is not issued; the right level issues it', async () => {
    // 10 × £500 + 20% VAT = £6,000: inside £10k. 30 × £500 = £18,000 with VAT: above it.
    const req = await requisition('30', 500_00)
    expect(req.totalPence).toBe(18_000_00)
    const escalated = await asUser(t, APPROVER, (trx) => s.orders.approve(trx, CO, req.id, APPROVER))
    expect(escalated.outcome).toBe('escalated')
    expect(escalated.order.status).toBe('awaiting-approval')
    expect(escalated.order.orderNumber).toBeNull()
    expect(escalated.order.awaitingLevel).toBe(2)
    const approved = await asUser(t, ADMIN, (trx) => s.orders.approve(trx, CO, req.id, ADMIN))
    expect(approved.outcome).toBe('approved')
    expect(approved.order.status).toBe('issued')
    expect(approved.order.orderNumber).toMatch(/^PO-\d{6}$/)
    expect(approved.order.outstandingCommitmentPence).toBe(15_000_00)
  })

  test('amending above the approved value sends it back for approval; history keeps every version', async () => {
    const req = await requisition('2', 500_00)
    await asUser(t, APPROVER, (trx) => s.orders.approve(trx, CO, req.id, APPROVER))
    const amended = await asUser(t, OFFICER, (trx) =>
      s.orders.amend(
        trx,
        CO,
        req.id,
        { reason: 'Two more starters', lines: [{ lineNo: 1, quantity: '4' }] },
        OFFICER,
      ),
    )
    expect(amended.status).toBe('awaiting-approval')
    expect(amended.outstandingCommitmentPence).toBe(1_000_00)
    const again = await asUser(t, APPROVER, (trx) => s.orders.approve(trx, CO, req.id, APPROVER))
    expect(again.outcome).toBe('approved')
    expect(again.order.outstandingCommitmentPence).toBe(2_000_00)
    expect(again.order.versions.map((v) => v.change)).toEqual([
      'requested',
      'approved',
      'amended',
      'approved',
    ])
    const cancelled = await asUser(t, OFFICER, (trx) =>
      s.orders.cancel(trx, CO, req.id, OFFICER, 'No longer needed'),
    )
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.outstandingCommitmentPence).toBe(0)
    expect(cancelled.versions.at(-1)).toMatchObject({ change: 'cancelled', reason: 'No longer needed' })
  })
})

describe('receipt and match', () => {
  let orderId: string
  beforeAll(async () => {
    const req = await requisition('10', 500_00)
    orderId = req.id
    await asUser(t, APPROVER, (trx) => s.orders.approve(trx, CO, req.id, APPROVER))
  })

  test('partial receipts are allowed and over-receipt is refused', async () => {
    await asUser(t, OFFICER, (trx) =>
      s.matching.receive(trx, CO, orderId, { lines: [{ lineNo: 1, quantity: '4' }] }, OFFICER),
    )
    await expect(
      asUser(t, OFFICER, (trx) =>
        s.matching.receive(trx, CO, orderId, { lines: [{ lineNo: 1, quantity: '7' }] }, OFFICER),
      ),
    ).rejects.toThrow(/more than the 10 ordered/)
  })

  test('two receipts posted at the same moment never over-receive', async () => {
    const req = await requisition('10', 100_00)
    await asUser(t, APPROVER, (trx) => s.orders.approve(trx, CO, req.id, APPROVER))
    const results = await Promise.allSettled(
      [0, 1].map(() =>
        asUser(t, OFFICER, (trx) =>
          s.matching.receive(trx, CO, req.id, { lines: [{ lineNo: 1, quantity: '6' }] }, OFFICER),
        ),
      ),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(failure.reason).toBeInstanceOf(ValidationError)
    const order = await asUser(t, OFFICER, (trx) => s.orders.get(trx, CO, req.id))
    expect(order.lines[0]!.quantityReceived).toBe('6')
  })

  test('an invoice within tolerance matches and is released into payables; one beyond it is an exception', async () => {
    const good = await asUser(t, CLERK, (trx) =>
      s.matching.captureInvoice(
        trx,
        CO,
        {
          orderId,
          supplierReference: 'SD-1',
          issueDate: addDays(today, -2),
          lines: [{ orderLineNo: 1, quantity: '4', unitPricePence: 505_00 }],
        },
        CLERK,
      ),
    )
    // 6 more invoiced than received (4): a quantity exception, and a price 10% over: a price one.
    const bad = await asUser(t, CLERK, (trx) =>
      s.matching.captureInvoice(
        trx,
        CO,
        {
          orderId,
          supplierReference: 'SD-2',
          issueDate: addDays(today, -1),
          lines: [{ orderLineNo: 1, quantity: '6', unitPricePence: 550_00 }],
        },
        CLERK,
      ),
    )
    const summary = await asUser(t, CLERK, (trx) => s.matching.match(trx, CO, [good.id, bad.id]))
    expect(summary).toEqual({ considered: 2, matched: 1, exceptions: 1 })
    const badStatus = await asUser(t, CLERK, (trx) => s.matching.matchStatus(trx, CO, bad.id))
    expect(badStatus.status).toBe('exception')
    expect(badStatus.reasons.map((r) => r.code)).toEqual(['price'])
    const queue = await asUser(t, CLERK, (trx) => s.matching.exceptions(trx, CO))
    expect(queue.find((item) => item.invoiceId === bad.id)?.reasons[0]?.reason).toMatch(/unit price/)
    // The demo's unmatched payables invoices have no PO: no PO, no pay.
    expect(
      queue.some((item) => item.status === 'no-po' && /no PO, no pay/.test(item.reasons[0]!.reason)),
    ).toBe(true)

    const order = await asUser(t, OFFICER, (trx) => s.orders.get(trx, CO, orderId))
    expect(order.lines[0]!.quantityInvoiced).toBe('4')
    expect(order.outstandingCommitmentPence).toBe(5_000_00 - 4 * 505_00)

    // The clerk captured it, so the clerk cannot release it (segregation of duties in payables).
    const released = await asUser(t, APPROVER, (trx) => s.matching.release(trx, CO, good.id, APPROVER))
    expect(released.outcome).toBe('approved')
    const invoice = await asUser(t, APPROVER, (trx) => s.invoices.get(trx, CO, good.id))
    expect(invoice.status).toBe('approved')
    expect(invoice.approvalJournalId).not.toBeNull()
    await expect(asUser(t, APPROVER, (trx) => s.matching.release(trx, CO, bad.id, APPROVER))).rejects.toThrow(
      BusinessRuleError,
    )
  })

  test('quantity tolerance is configurable per organisation', async () => {
    await asUser(t, ADMIN, (trx) => s.matching.setSettings(trx, CO, { quantityTolerancePercent: '50' }))
    const invoice = await asUser(t, CLERK, (trx) =>
      s.matching.captureInvoice(
        trx,
        CO,
        {
          orderId,
          supplierReference: 'SD-3',
          issueDate: addDays(today, -1),
          lines: [{ orderLineNo: 1, quantity: '2', unitPricePence: 500_00 }],
        },
        CLERK,
      ),
    )
    // 4 invoiced already + 2 = 6 against 4 received: within 50%.
    const summary = await asUser(t, CLERK, (trx) => s.matching.match(trx, CO, [invoice.id]))
    expect(summary.matched).toBe(1)
    await asUser(t, ADMIN, (trx) => s.matching.setSettings(trx, CO, { quantityTolerancePercent: '0' }))
  })
})

describe('no PO, no pay, enforced when payables approves', () => {
  const noPoInvoice = (reference: string) =>
    asUser(t, CLERK, (trx) =>
      s.invoices.capture(
        trx,
        CO,
        {
          supplierId,
          supplierReference: reference,
          issueDate: addDays(today, -1),
          spendType: 'procurement',
          lines: [
            {
              description: 'Toner',
              accountCode: '52100000',
              costCentreCode: 'CORP',
              netPence: 100_00,
              vatPence: 20_00,
            },
          ],
        },
        CLERK,
      ),
    )
  const setPolicy = (noPoPolicy: 'not-adopted' | 'exceptions-allowed' | 'strict') =>
    asUser(t, ADMIN, (trx) => s.matching.setSettings(trx, CO, { noPoPolicy }))

  test('an organisation that has not adopted the policy approves an invoice without an order', async () => {
    expect((await asUser(t, ADMIN, (trx) => s.matching.settings(trx, CO))).noPoPolicy).toBe('not-adopted')
    const invoice = await noPoInvoice('NOPO-1')
    const outcome = await asUser(t, APPROVER, (trx) => s.invoices.approve(trx, CO, invoice.id, APPROVER))
    expect(outcome.outcome).toBe('approved')
  })

  test('with exceptions allowed, an invoice without an order is refused until an exception is recorded with a reason', async () => {
    await setPolicy('exceptions-allowed')
    try {
      const invoice = await noPoInvoice('NOPO-2')
      await expect(
        asUser(t, APPROVER, (trx) => s.invoices.approve(trx, CO, invoice.id, APPROVER)),
      ).rejects.toThrow(/has no purchase order: no PO, no pay.*record an exception/)
      expect((await asUser(t, APPROVER, (trx) => s.invoices.get(trx, CO, invoice.id))).status).toBe(
        'received',
      )
      // A reason is required; nothing is recorded without one.
      const blank = asUser(t, APPROVER, (trx) =>
        s.matching.allowException(trx, CO, invoice.id, '  ', APPROVER),
      )
      await expect(blank).rejects.toBeInstanceOf(ValidationError)
      expect(((await blank.catch((e) => e)) as ValidationError).fieldErrors[0]?.field).toBe('/reason')
      await asUser(t, APPROVER, (trx) =>
        s.matching.allowException(
          trx,
          CO,
          invoice.id,
          'Utility bill: no order is raised for utilities',
          APPROVER,
        ),
      )
      const queued = (await asUser(t, APPROVER, (trx) => s.matching.exceptions(trx, CO))).find(
        (item) => item.invoiceId === invoice.id,
      )
      expect(queued?.exceptionAllowed?.reason).toBe('Utility bill: no order is raised for utilities')
      await expect(
        asUser(t, APPROVER, (trx) => s.matching.allowException(trx, CO, invoice.id, 'Again', APPROVER)),
      ).rejects.toThrow(/already recorded/)
      const outcome = await asUser(t, APPROVER, (trx) => s.invoices.approve(trx, CO, invoice.id, APPROVER))
      expect(outcome.outcome).toBe('approved')
    } finally {
      await setPolicy('not-adopted')
    }
  })

  test('strict: no exception can be recorded; an invoice failing its match is refused, a matched one released', async () => {
    await setPolicy('strict')
    try {
      const invoice = await noPoInvoice('NOPO-3')
      await expect(
        asUser(t, APPROVER, (trx) => s.matching.allowException(trx, CO, invoice.id, 'Urgent', APPROVER)),
      ).rejects.toThrow(/allows no exceptions/)
      await expect(
        asUser(t, APPROVER, (trx) => s.invoices.approve(trx, CO, invoice.id, APPROVER)),
      ).rejects.toThrow(/no PO, no pay.*allows no exceptions/)
      // A matched invoice still goes through payables' approval.
      const order = await requisition('2', 100_00)
      await asUser(t, APPROVER, (trx) => s.orders.approve(trx, CO, order.id, APPROVER))
      await asUser(t, OFFICER, (trx) =>
        s.matching.receive(trx, CO, order.id, { lines: [{ lineNo: 1, quantity: '2' }] }, OFFICER),
      )
      const capture = (reference: string, unitPricePence: number) =>
        asUser(t, CLERK, (trx) =>
          s.matching.captureInvoice(
            trx,
            CO,
            {
              orderId: order.id,
              supplierReference: reference,
              issueDate: addDays(today, -1),
              lines: [{ orderLineNo: 1, quantity: '1', unitPricePence }],
            },
            CLERK,
          ),
        )
      const good = await capture('PO-OK-1', 100_00)
      const overpriced = await capture('PO-BAD-1', 150_00)
      await asUser(t, CLERK, (trx) => s.matching.match(trx, CO, [good.id, overpriced.id]))
      await expect(
        asUser(t, APPROVER, (trx) => s.invoices.approve(trx, CO, overpriced.id, APPROVER)),
      ).rejects.toThrow(/has not been matched to its purchase order/)
      expect(
        (await asUser(t, APPROVER, (trx) => s.matching.release(trx, CO, good.id, APPROVER))).outcome,
      ).toBe('approved')
    } finally {
      await setPolicy('not-adopted')
    }
  })
})

describe('the demo world', () => {
  test('every organisation has a year of orders, receipts, matched invoices, contracts and a pipeline', async () => {
    const { rows } = await t.db.adminTransaction((trx) =>
      sql<{
        code: string
        orders: number
        receipts: number
        matched: number
        contracts: number
        pipeline: number
      }>`
        select o.code,
          (select count(*) from purchase_orders p where p.org_id = o.id and p.status = 'issued')::int as orders,
          (select count(*) from goods_receipts g where g.org_id = o.id)::int as receipts,
          (select count(*) from procurement_invoices p where p.org_id = o.id and p.match_status in ('matched', 'released'))::int as matched,
          (select count(*) from contracts c where c.org_id = o.id)::int as contracts,
          (select count(*) from pipeline_procurements c where c.org_id = o.id)::int as pipeline
        from organisations o`.execute(trx),
    )
    expect(rows.length).toBeGreaterThan(1)
    for (const row of rows) {
      expect(row.orders, row.code).toBeGreaterThanOrEqual(11)
      expect(row.receipts, row.code).toBeGreaterThanOrEqual(11)
      expect(row.matched, row.code).toBeGreaterThanOrEqual(11)
      expect(row.contracts, row.code).toBeGreaterThanOrEqual(2)
      expect(row.pipeline, row.code).toBeGreaterThanOrEqual(1)
    }
  })

  test('the demo’s set-based invoices pass the real three-way match', async () => {
    const hmt = orgId('hm-treasury')
    const ids = await t.db.adminTransaction(async (trx) => {
      const linked = await trx
        .selectFrom('procurement_invoices')
        .select('invoice_id')
        .where('org_id', '=', hmt)
        .where('match_status', '=', 'matched')
        .execute()
      await trx
        .updateTable('procurement_invoices')
        .set({ match_status: 'unmatched', matched_at: null })
        .where('org_id', '=', hmt)
        .where('match_status', '=', 'matched')
        .execute()
      return linked.map((row) => row.invoice_id)
    })
    expect(ids.length).toBeGreaterThanOrEqual(11)
    const summary = await t.db.transaction(
      { userId: CLERK, orgIds: [hmt], actingOrgId: hmt, requestId: 'test' },
      (trx) => s.matching.match(trx, hmt, ids),
    )
    expect(summary).toEqual({ considered: ids.length, matched: ids.length, exceptions: 0 })
  })
})
