// Payment runs: one payment per supplier (credit notes netted), pain.001 and Bacs files, the
// payment journal, and idempotency: a retried run is the same run, file and payments.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TenantContext, Tx } from '../../platform/db/index.ts'
import { BusinessRuleError, IdempotencyMismatchError, ValidationError } from '../../platform/errors.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { buildGbIban } from '../banking/iban.ts'
import { LedgerService } from '../ledger.ts'
import { readPain001 } from '../payments/pain001.ts'
import { camt053v08 } from '../payments/testing.ts'
import { addDays, InvoiceService, todayIso } from './invoices.ts'
import { nextWeekday, PaymentRunService, remittanceText } from './payment-runs.ts'
import { StatementService } from './statements.ts'
import { SupplierService } from './suppliers.ts'

// Not Cabinet Office: the demo world gives it payables data of its own.
// An organisation with no payables activity in the demo world, so the run holds only this test's invoices.
const ORG = orgId('companies-house')
const CLERK = uuidFromName('user:finance.clerk@gss.example')
const APPROVER = uuidFromName('user:finance.approver@gss.example')
const context = (userId: string): TenantContext => ({
  userId,
  orgIds: [ORG],
  actingOrgId: ORG,
  requestId: 'test',
})

let t: TestDatabase
const ledger = new LedgerService()
const suppliers = new SupplierService()
const invoices = new InvoiceService(ledger, suppliers)
const runs = new PaymentRunService(ledger)
const statements = new StatementService()
const today = todayIso()
const payDate = nextWeekday(addDays(today, 1))
const as = <T>(userId: string, fn: (trx: Tx) => Promise<T>) => t.db.transaction(context(userId), fn)

async function approvedInvoice(supplierId: string, reference: string, netPence: number, extra: object = {}) {
  const captured = await as(CLERK, (trx) =>
    invoices.capture(
      trx,
      ORG,
      {
        supplierId,
        supplierReference: reference,
        issueDate: addDays(today, -10),
        receiptDate: addDays(today, -10),
        dueDate: addDays(today, -1),
        lines: [{ description: 'Services', accountCode: '52100000', netPence, vatPence: netPence / 5 }],
        ...extra,
      },
      CLERK,
    ),
  )
  const result = await as(APPROVER, (trx) => invoices.approve(trx, ORG, captured.id, APPROVER))
  expect(result.outcome).toBe('approved')
  return captured.id
}

let ukSupplier: string
let euroSupplier: string
let notDueId: string

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  await as(CLERK, async (trx) => {
    ukSupplier = (
      await suppliers.create(
        trx,
        ORG,
        { name: 'Acme IT Ltd', sortCode: '089999', accountNumber: '66374958' },
        CLERK,
      )
    ).id
    euroSupplier = (
      await suppliers.create(
        trx,
        ORG,
        { name: 'Beispiel GmbH', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
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
  await approvedInvoice(ukSupplier, 'UK-1', 1_000_00)
  await approvedInvoice(ukSupplier, 'UK-2', 500_00)
  await approvedInvoice(ukSupplier, 'UK-CN-1', 100_00, { kind: 'credit-note' })
  await approvedInvoice(euroSupplier, 'DE-1', 2_000_00)
  notDueId = await approvedInvoice(euroSupplier, 'DE-LATER', 50_00, { dueDate: addDays(today, 60) })
})
afterAll(async () => t?.close())

describe('payment runs', () => {
  test('refuses to run before the organisation has said which account pays', async () => {
    await expect(
      as(APPROVER, (trx) =>
        runs.create(trx, ORG, { dueBy: today, payDate, idempotencyKey: 'early' }, APPROVER),
      ),
    ).rejects.toThrow('Set the account payments leave from before making a payment run')
  })

  test('checks the settings field by field', async () => {
    const attempt = as(APPROVER, (trx) =>
      runs.setPaymentSettings(trx, ORG, {
        debtorName: '',
        sortCode: '08-99-99',
        accountNumber: '66374959',
        bacsServiceUserNumber: '12',
        bacsServiceUserName: 'CABINET OFFICE',
      }),
    )
    await expect(attempt).rejects.toBeInstanceOf(ValidationError)
    const error = (await attempt.catch((caught) => caught)) as ValidationError
    expect(error.fieldErrors.map((problem) => problem.field)).toEqual([
      '/debtorName',
      '/accountNumber',
      '/bacsServiceUserNumber',
    ])
  })

  test('pays each supplier once, nets credit notes, writes both files and posts the journal', async () => {
    await as(APPROVER, (trx) =>
      runs.setPaymentSettings(trx, ORG, {
        debtorName: 'Cabinet Office',
        sortCode: '107999',
        accountNumber: '88837491',
        bacsServiceUserNumber: '123456',
        bacsServiceUserName: 'CABINET OFFICE',
      }),
    )
    const { run, created } = await as(APPROVER, (trx) =>
      runs.create(trx, ORG, { dueBy: today, payDate, idempotencyKey: 'run-1' }, APPROVER),
    )
    expect(created).toBe(true)
    // UK: 1,200 + 600 - 120 = 1,680; Germany: 2,400 (the invoice not yet due waits).
    expect(run.payments.map((payment) => [payment.supplierId, payment.amountPence])).toEqual(
      expect.arrayContaining([
        [ukSupplier, 1_680_00],
        [euroSupplier, 2_400_00],
      ]),
    )
    expect(run).toMatchObject({ paymentCount: 2, totalPence: 4_080_00, payDate, hasBacsFile: true })
    expect(run.invoiceIds).toHaveLength(4)
    expect(run.invoiceIds).not.toContain(notDueId)

    const pain = await as(APPROVER, (trx) => runs.file(trx, ORG, run.id, 'pain001'))
    const summary = readPain001(pain)
    expect(summary).toMatchObject({
      messageId: run.pain001MessageId,
      numberOfTransactions: 2,
      controlSum: '4080.00',
    })
    const bacs = await as(APPROVER, (trx) => runs.file(trx, ORG, run.id, 'bacs'))
    // Only the UK account travels by Bacs: one credit and the contra.
    expect(bacs.split('\n').filter((record) => record.length === 100)).toHaveLength(2)

    const journal = await as(APPROVER, (trx) =>
      trx
        .selectFrom('journal_lines')
        .select(['account_code', 'amount_pence'])
        .where('org_id', '=', ORG)
        .where('journal_id', '=', run.journalId)
        .orderBy('line_no')
        .execute(),
    )
    expect(journal.at(-1)).toEqual({ account_code: '14100000', amount_pence: -4_080_00 })
    expect(
      journal
        .filter((line) => line.account_code === '21100000')
        .reduce((sum, line) => sum + line.amount_pence, 0),
    ).toBe(4_080_00)
    const statuses = await as(APPROVER, (trx) => invoices.list(trx, ORG, { status: 'paid' }))
    expect(statuses).toHaveLength(4)
  })

  test('a retry with the same key returns the same run, file and payments; nothing is paid twice', async () => {
    const first = await as(APPROVER, (trx) =>
      runs.create(trx, ORG, { dueBy: today, payDate, idempotencyKey: 'run-1' }, APPROVER),
    )
    expect(first.created).toBe(false)
    const again = await as(CLERK, (trx) =>
      runs.create(trx, ORG, { dueBy: today, payDate, idempotencyKey: 'run-1' }, CLERK),
    )
    expect(again.run).toEqual(first.run)
    const count = await as(APPROVER, (trx) =>
      trx
        .selectFrom('payment_runs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('org_id', '=', ORG)
        .executeTakeFirstOrThrow(),
    )
    expect(Number(count.n)).toBe(1)
    await expect(
      as(APPROVER, (trx) =>
        runs.create(trx, ORG, { dueBy: addDays(today, 90), payDate, idempotencyKey: 'run-1' }, APPROVER),
      ),
    ).rejects.toBeInstanceOf(IdempotencyMismatchError)
  })

  test('a new run finds nothing left due', async () => {
    await expect(
      as(APPROVER, (trx) =>
        runs.create(trx, ORG, { dueBy: today, payDate, idempotencyKey: 'run-2' }, APPROVER),
      ),
    ).rejects.toBeInstanceOf(BusinessRuleError)
  })

  test('concurrent retries under one key make one run; concurrent runs under two keys never pay an invoice twice', async () => {
    await approvedInvoice(ukSupplier, 'UK-RACE-1', 300_00)
    const request = { dueBy: today, payDate, idempotencyKey: 'race' }
    const [a, b] = await Promise.all([
      as(APPROVER, (trx) => runs.create(trx, ORG, request, APPROVER)),
      as(APPROVER, (trx) => runs.create(trx, ORG, request, APPROVER)),
    ])
    expect(a.run.id).toBe(b.run.id)
    expect([a.created, b.created].sort()).toEqual([false, true])

    await approvedInvoice(ukSupplier, 'UK-RACE-2', 400_00)
    const outcomes = await Promise.allSettled([
      as(APPROVER, (trx) =>
        runs.create(trx, ORG, { dueBy: today, payDate, idempotencyKey: 'race-a' }, APPROVER),
      ),
      as(APPROVER, (trx) =>
        runs.create(trx, ORG, { dueBy: today, payDate, idempotencyKey: 'race-b' }, APPROVER),
      ),
    ])
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult
    expect(refused.reason).toBeInstanceOf(BusinessRuleError)
  })

  test('a camt.053 statement reconciles the run’s payments, once', async () => {
    const run = (
      await as(APPROVER, (trx) =>
        runs.create(trx, ORG, { dueBy: today, payDate, idempotencyKey: 'run-1' }, APPROVER),
      )
    ).run
    const uk = run.payments.find((payment) => payment.supplierId === ukSupplier)!
    const euro = run.payments.find((payment) => payment.supplierId === euroSupplier)!
    const statement = (iban: string) =>
      camt053v08({
        messageId: 'STMT-1',
        statementId: 'S1',
        iban,
        currency: 'GBP',
        opening: { amount: '10000.00', creditDebit: 'CRDT', date: payDate },
        closing: { amount: '5920.00', creditDebit: 'CRDT', date: payDate },
        entries: [
          // The bank kept the end-to-end id of one, and only the account of the other.
          {
            amount: '1680.00',
            currency: 'GBP',
            creditDebit: 'DBIT',
            bookingDate: payDate,
            endToEndId: uk.endToEndId,
          },
          {
            amount: '2400.00',
            currency: 'GBP',
            creditDebit: 'DBIT',
            bookingDate: payDate,
            counterpartyIban: 'DE89370400440532013000',
          },
          { amount: '99.00', currency: 'GBP', creditDebit: 'CRDT', bookingDate: payDate },
        ],
      })
    const ours = buildGbIban('NWBK', '107999', '88837491')
    const result = await as(CLERK, (trx) => statements.importStatement(trx, ORG, statement(ours), CLERK))
    expect(result.matched).toEqual(
      expect.arrayContaining([
        { endToEndId: uk.endToEndId, statementLineId: 'S1#1', rule: 'end-to-end-id' },
        { endToEndId: euro.endToEndId, statementLineId: 'S1#2', rule: 'amount-account-date' },
      ]),
    )
    expect(result.unmatchedLines).toEqual([{ lineId: 'S1#3', reason: expect.stringContaining('A credit') }])
    const again = await as(CLERK, (trx) => statements.importStatement(trx, ORG, statement(ours), CLERK))
    expect(again.matched).toEqual([])
    expect(again.alreadyReconciledLines.sort()).toEqual(['S1#1', 'S1#2'])
    await expect(
      as(CLERK, (trx) => statements.importStatement(trx, ORG, statement('GB29NWBK60161331926819'), CLERK)),
    ).rejects.toThrow('is for account GB29NWBK60161331926819, not the account supplier payments leave from')
    await expect(
      as(CLERK, (trx) => statements.importStatement(trx, ORG, '<Document/>', CLERK)),
    ).rejects.toBeInstanceOf(ValidationError)
  })
})

test('remittance text keeps within 140 characters, saying how many references it leaves out', () => {
  expect(remittanceText(['INV-1', 'INV-2'])).toBe('INV-1 INV-2')
  const many = Array.from({ length: 30 }, (_, i) => `INVOICE-${1000 + i}`)
  const text = remittanceText(many)
  expect(text.length).toBeLessThanOrEqual(140)
  const shown = text.split(' and ')[0]!.split(' ')
  expect(text).toBe(`${shown.join(' ')} and ${30 - shown.length} more`)
  expect(shown).toEqual(many.slice(0, shown.length))
})
