// Prompt payment and aged creditors from real captured, approved and paid invoices.
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Tx } from '../../platform/db/index.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { fiscalPeriodOf } from '../chart.ts'
import { LedgerService } from '../ledger.ts'
import { addDays, InvoiceService, todayIso } from './invoices.ts'
import { nextWeekday, PaymentRunService } from './payment-runs.ts'
import { agedCreditors, promptPayment } from './performance.ts'
import { SupplierService } from './suppliers.ts'

const ORG = orgId('ukri')
const CLERK = uuidFromName('user:finance.clerk@gss.example')
const APPROVER = uuidFromName('user:finance.approver@gss.example')
let t: TestDatabase
const ledger = new LedgerService()
const suppliers = new SupplierService()
const invoices = new InvoiceService(ledger, suppliers)
const runs = new PaymentRunService(ledger)
const today = todayIso()
const payDate = nextWeekday(addDays(today, 1))
const as = <T>(userId: string, fn: (trx: Tx) => Promise<T>) =>
  t.db.transaction({ userId, orgIds: [ORG], actingOrgId: ORG, requestId: 'test' }, fn)

let supplierId: string
async function invoice(
  reference: string,
  receivedDaysAgo: number,
  dueInDays: number,
  netPence: number,
  approve = true,
  kind = 'invoice',
) {
  const captured = await as(CLERK, (trx) =>
    invoices.capture(
      trx,
      ORG,
      {
        supplierId,
        supplierReference: reference,
        issueDate: addDays(today, -receivedDaysAgo - 2),
        receiptDate: addDays(today, -receivedDaysAgo),
        dueDate: addDays(today, dueInDays),
        lines: [{ description: 'Services', accountCode: '52100000', netPence, vatPence: 0 }],
        ...(kind === 'credit-note' ? { kind: 'credit-note' as const } : {}),
      },
      CLERK,
    ),
  )
  if (approve) await as(APPROVER, (trx) => invoices.approve(trx, ORG, captured.id, APPROVER))
  return captured.id
}

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  await as(CLERK, async (trx) => {
    await ledger.setUpOrganisation(trx, ORG, [
      fiscalPeriodOf(today).fiscalYear - 1,
      fiscalPeriodOf(today).fiscalYear,
      fiscalPeriodOf(today).fiscalYear + 1,
    ])
    supplierId = (
      await suppliers.create(
        trx,
        ORG,
        { name: 'Acme IT Ltd', sortCode: '089999', accountNumber: '66374958' },
        CLERK,
      )
    ).id
    await invoices.setApprovalLimit(trx, ORG, {
      spendType: 'general',
      level: 1,
      title: 'Budget holder',
      limitPence: 1_000_000_00,
    })
    await invoices.setApproverLevel(trx, ORG, APPROVER, 1)
  })
  await as(APPROVER, (trx) =>
    runs.setPaymentSettings(trx, ORG, {
      debtorName: 'UK Research and Innovation',
      sortCode: '107999',
      accountNumber: '88837491',
      bacsServiceUserNumber: '123456',
      bacsServiceUserName: 'UKRI',
    }),
  )
  // Paid by the run below: received 1 day ago (paid within 5 days), 20 days ago (within 30), 40 days ago (late).
  await invoice('FAST', 1, -1, 100_00)
  await invoice('MEDIUM', 20, -1, 200_00)
  await invoice('SLOW', 40, -1, 300_00)
  await as(APPROVER, (trx) =>
    runs.create(trx, ORG, { dueBy: today, payDate, idempotencyKey: 'pp-run' }, APPROVER),
  )
  // Still owed afterwards: one not yet due, one 45 days overdue, one 100 days overdue, and a credit note.
  await invoice('NOT-DUE', 5, 10, 1_000_00)
  await invoice('OVERDUE-45', 80, -45, 2_000_00, false)
  await invoice('OVERDUE-100', 130, -100, 4_000_00)
  await invoice('CREDIT', 3, 10, 50_00, true, 'credit-note')
})
afterAll(async () => t?.close())

test('prompt payment counts days from receipt to payment, by quarter', async () => {
  const { fiscalYear, period } = fiscalPeriodOf(payDate)
  const quarters = await as(CLERK, (trx) => promptPayment(trx, ORG, fiscalYear))
  const quarter = quarters[Math.ceil(period / 3) - 1]!
  expect(quarter).toMatchObject({
    invoicesPaid: 3,
    paidWithin5Days: 1,
    paidWithin30Days: 2,
    percentWithin5Days: '33.3',
    percentWithin30Days: '66.7',
  })
  expect(
    quarters.filter((q) => q !== quarter).every((q) => q.invoicesPaid === 0 && q.percentWithin5Days === null),
  ).toBe(true)
})

test('aged creditors buckets what is still owed by days past due, net of credit notes', async () => {
  const aged = await as(CLERK, (trx) => agedCreditors(trx, ORG, today))
  // The demo world gives every organisation a year of procurement, so other suppliers may be owed too.
  expect(aged.rows.filter((row) => row.supplierName === 'Acme IT Ltd')).toEqual([
    expect.objectContaining({
      supplierName: 'Acme IT Ltd',
      notDue: 950_00,
      days31to60: 2_000_00,
      over90: 4_000_00,
      totalPence: 6_950_00,
    }),
  ])
  expect(aged.totals.totalPence).toBe(aged.rows.reduce((sum, row) => sum + row.totalPence, 0))
  await expect(as(CLERK, (trx) => agedCreditors(trx, ORG, 'tomorrow'))).rejects.toThrow(/Enter the date/)
})
