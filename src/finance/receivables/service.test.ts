// Receivables end to end on the database: settings, customers, invoices (VAT, numbering, posting),
// credit notes, receipts and allocation, aged debt, statements, UBL and PDF, and isolation
// between organisations (RLS), on PGlite and on PostgreSQL.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TenantContext, Tx } from '../../platform/db/index.ts'
import { BusinessRuleError, NotFoundError, ValidationError } from '../../platform/errors.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, engineUnderTest, type TestDatabase } from '../../platform/testing.ts'
import { importEInvoice } from '../einvoice/import.ts'
import { LedgerService } from '../ledger.ts'
import { ageBucket, agedDebtors, customerStatement } from './aged.ts'
import { addDays, todayIso } from './common.ts'
import { CustomerService } from './customers.ts'
import { SalesInvoiceService, type SalesLineInput } from './invoices.ts'
import { salesDocumentPdf } from './pdf.ts'
import { ReceiptService } from './receipts.ts'
import { SettingsService } from './settings.ts'
import { salesDocumentUbl } from './ubl.ts'

// Organisations the demo world gives no receivables of their own.
const ORG_A = orgId('crown-commercial-service')
const ORG_B = orgId('hse')
const CLERK = uuidFromName('user:finance.clerk@gss.example')
const as = (org: string): TenantContext => ({
  userId: CLERK,
  orgIds: [org],
  actingOrgId: org,
  requestId: 'test',
})

let t: TestDatabase
const ledger = new LedgerService()
const settings = new SettingsService()
const customers = new CustomerService()
const invoices = new SalesInvoiceService(ledger, settings)
const receipts = new ReceiptService(ledger)
const today = todayIso()
const inA = <T>(fn: (trx: Tx) => Promise<T>) => t.db.transaction(as(ORG_A), fn)
const inB = <T>(fn: (trx: Tx) => Promise<T>) => t.db.transaction(as(ORG_B), fn)

const SELLER = {
  legalName: 'Crown Commercial Service',
  addressLine1: '9th Floor, The Capital',
  city: 'Liverpool',
  postcode: 'L3 9PP',
  vatNumber: 'GB812743345',
  bankAccountName: 'CCS receipts',
  sortCode: '20-29-59',
  accountNumber: '63748472',
  contactEmail: 'receivables@ccs.example',
}
const line = (
  unitPrice: string,
  vatRate: SalesLineInput['vatRate'] = 'standard',
  quantity = '1',
): SalesLineInput => ({
  description: `Service at £${unitPrice}`,
  accountCode: '41100000',
  costCentreCode: 'CORP',
  quantity,
  unitPrice,
  vatRate,
})

let companyId: string
let governmentId: string

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
}, 600_000)
afterAll(async () => t?.close())

async function journalLines(trx: Tx, journalId: string) {
  return trx
    .selectFrom('journal_lines')
    .select(['account_code', 'amount_pence', 'cost_centre_code'])
    .where('journal_id', '=', journalId)
    .orderBy('line_no')
    .execute()
}

describe('settings and customers', () => {
  test('no invoice is issued before the invoicing details are set', async () => {
    const customer = await inA((trx) =>
      customers.create(
        trx,
        ORG_A,
        { name: 'Early Ltd', addressLine1: '1 Road', city: 'York', postcode: 'YO1 7HH' },
        CLERK,
      ),
    )
    await expect(
      inA((trx) =>
        invoices.issueInvoice(trx, ORG_A, { customerId: customer.id, lines: [line('10')] }, CLERK),
      ),
    ).rejects.toThrow(/Set up the organisation’s invoicing details/)
    const settingsError = await inA((trx) =>
      settings.set(trx, ORG_A, { ...SELLER, vatNumber: 'GB123', sortCode: '' }),
    ).catch((error) => error)
    expect(settingsError).toBeInstanceOf(ValidationError)
    expect(settingsError.fieldErrors.map((e: { field: string }) => e.field)).toEqual([
      '/vatNumber',
      '/sortCode',
    ])
    const saved = await inA((trx) => settings.set(trx, ORG_A, SELLER))
    expect(saved).toMatchObject({
      sortCode: '202959',
      peppolEndpoint: '9932:GB812743345',
      invoicePrefix: 'INV',
    })
  })

  test('customers: identity numbers checked, duplicates refused, public bodies held apart', async () => {
    const bad = await inA((trx) =>
      customers.create(
        trx,
        ORG_A,
        {
          name: '',
          addressLine1: '1 Road',
          city: 'York',
          vatNumber: 'GB123456789',
          companyNumber: '!',
          peppolEndpoint: 'x',
        },
        CLERK,
      ),
    ).catch((error) => error)
    expect(bad).toBeInstanceOf(ValidationError)
    expect(bad.fieldErrors.map((e: { field: string }) => e.field)).toEqual([
      '/name',
      '/postcode',
      '/vatNumber',
      '/companyNumber',
      '/peppolEndpoint',
    ])
    const company = await inA((trx) =>
      customers.create(
        trx,
        ORG_A,
        {
          name: 'Buyer Ltd',
          addressLine1: '1 High Street',
          city: 'Leeds',
          postcode: 'LS1 1AA',
          vatNumber: 'GB 100 0000 34',
          companyNumber: '1234567',
          paymentTermsDays: 14,
          creditLimitPence: 10_000_00,
        },
        CLERK,
      ),
    )
    companyId = company.id
    expect(company).toMatchObject({
      vatNumber: 'GB100000034',
      companyNumber: '01234567',
      controlAccountCode: '13100000',
    })
    await expect(
      inA((trx) =>
        customers.create(
          trx,
          ORG_A,
          { name: 'Copy', addressLine1: 'x', city: 'y', postcode: 'z', vatNumber: 'GB100000034' },
          CLERK,
        ),
      ),
    ).rejects.toThrow(BusinessRuleError)
    const government = await inA((trx) =>
      customers.create(
        trx,
        ORG_A,
        {
          name: 'Department for Education',
          addressLine1: 'Sanctuary Buildings',
          city: 'London',
          postcode: 'SW1P 3BT',
          peppolEndpoint: '0088:5060012349998',
          publicBody: true,
        },
        CLERK,
      ),
    )
    governmentId = government.id
    expect(government.controlAccountCode).toBe('13200000')
  })
})

describe('invoices', () => {
  test('VAT per EN 16931, totals, and a balanced posting: Dr receivables, Cr income and VAT output', async () => {
    const invoice = await inA((trx) =>
      invoices.issueInvoice(
        trx,
        ORG_A,
        {
          customerId: companyId,
          issueDate: today,
          buyerReference: 'PO-1',
          lines: [
            line('0.03'),
            line('0.03'),
            line('0.03'),
            line('10.01', 'reduced'),
            line('5', 'zero', '2.5'),
            line('100', 'exempt'),
          ],
        },
        CLERK,
      ),
    )
    expect(invoice.number).toMatch(/^INV-\d{6}$/)
    expect(invoice.dueDate).toBe(addDays(today, 14))
    expect(invoice.vatBreakdown).toEqual([
      { category: 'S', ratePercent: '20', taxablePence: 9, vatPence: 2 },
      { category: 'S', ratePercent: '5', taxablePence: 10_01, vatPence: 50 },
      { category: 'Z', ratePercent: '0', taxablePence: 12_50, vatPence: 0 },
      { category: 'E', ratePercent: '0', taxablePence: 100_00, vatPence: 0 },
    ])
    expect(invoice).toMatchObject({
      netPence: 122_60,
      vatPence: 52,
      grossPence: 123_12,
      outstandingPence: 123_12,
      status: 'open',
    })
    const lines = await inA((trx) => journalLines(trx, invoice.journalId))
    expect(lines.reduce((sum, l) => sum + l.amount_pence, 0)).toBe(0)
    expect(lines[0]).toMatchObject({ account_code: '13100000', amount_pence: 123_12 })
    expect(lines.filter((l) => l.account_code === '41100000').reduce((s, l) => s + l.amount_pence, 0)).toBe(
      -122_60,
    )
    expect(lines.find((l) => l.account_code === '21400000')).toMatchObject({ amount_pence: -52 })
    const journal = await inA((trx) =>
      trx
        .selectFrom('journals')
        .select(['source', 'reference'])
        .where('id', '=', invoice.journalId)
        .executeTakeFirstOrThrow(),
    )
    expect(journal).toEqual({ source: 'receivables', reference: invoice.number })
  })

  test('bad lines are named by field and nothing is numbered or posted', async () => {
    const before = await inA((trx) => invoices.list(trx, ORG_A))
    const error = await inA((trx) =>
      invoices.issueInvoice(
        trx,
        ORG_A,
        {
          customerId: companyId,
          lines: [
            { ...line('10'), accountCode: '52100000' },
            { ...line('10'), quantity: '0' },
            { ...line('-1') },
          ],
        },
        CLERK,
      ),
    ).catch((e) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.fieldErrors.map((e: { field: string }) => e.field)).toEqual([
      '/lines/0/accountCode',
      '/lines/1/quantity',
      '/lines/2/unitPrice',
    ])
    const closed = await inA(async (trx) => {
      const period = await trx
        .selectFrom('financial_periods')
        .select(['fiscal_year', 'period', 'starts_on'])
        .where('org_id', '=', ORG_A)
        .orderBy('starts_on')
        .executeTakeFirstOrThrow()
      await ledger.setPeriodStatus(trx, ORG_A, period.fiscal_year, period.period, 'closed')
      return period
    })
    const intoClosed = await inA((trx) =>
      invoices.issueInvoice(
        trx,
        ORG_A,
        { customerId: companyId, issueDate: closed.starts_on, lines: [line('10')] },
        CLERK,
      ),
    ).catch((e) => e)
    expect(intoClosed).toBeInstanceOf(ValidationError)
    expect(intoClosed.fieldErrors[0].field).toBe('/issueDate')
    expect(await inA((trx) => invoices.list(trx, ORG_A))).toHaveLength(before.length)
  })

  test('the credit limit is enforced against what the customer already owes', async () => {
    const error = await inA((trx) =>
      invoices.issueInvoice(trx, ORG_A, { customerId: companyId, lines: [line('9000')] }, CLERK),
    ).catch((e) => e)
    expect(error).toBeInstanceOf(BusinessRuleError)
    expect(error.message).toMatch(/over their credit limit of £10,000.00/)
  })

  test('numbers are gapless: concurrent issues queue, and a rolled-back issue returns its number', async () => {
    const issue = () =>
      inA((trx) =>
        invoices.issueInvoice(trx, ORG_A, { customerId: governmentId, lines: [line('100')] }, CLERK),
      )
    // A transaction that takes a number and then fails for another reason gives the number back.
    await expect(
      inA(async (trx) => {
        await invoices.issueInvoice(trx, ORG_A, { customerId: governmentId, lines: [line('100')] }, CLERK)
        throw new Error('something later in the same transaction failed')
      }),
    ).rejects.toThrow('something later')
    // Two (and more) transactions at once: on PostgreSQL they really run concurrently and the
    // second waits for the first's lock on the series.
    const issued = await Promise.all([issue(), issue(), issue(), issue()])
    expect(new Set(issued.map((i) => i.number)).size).toBe(4)
    const all = await inA((trx) =>
      trx
        .selectFrom('sales_invoices')
        .select('sequence_number')
        .where('org_id', '=', ORG_A)
        .where('kind', '=', 'invoice')
        .orderBy('sequence_number')
        .execute(),
    )
    expect(all.map((row) => Number(row.sequence_number))).toEqual(all.map((_, index) => index + 1))
  })

  test('a credit note posts the reverse, credits no more than is outstanding, and has its own series', async () => {
    const invoice = await inA((trx) =>
      invoices.issueInvoice(
        trx,
        ORG_A,
        { customerId: governmentId, lines: [line('200'), line('50', 'exempt')] },
        CLERK,
      ),
    )
    expect(invoice.grossPence).toBe(290_00)
    const partial = await inA((trx) =>
      invoices.issueCreditNote(
        trx,
        ORG_A,
        invoice.id,
        { reason: 'Overcharged', lines: [line('100')] },
        CLERK,
      ),
    )
    expect(partial).toMatchObject({
      kind: 'credit-note',
      number: 'CRN-000001',
      grossPence: 120_00,
      status: 'credit-note',
    })
    expect(partial.creditedInvoice).toMatchObject({ id: invoice.id, number: invoice.number })
    const lines = await inA((trx) => journalLines(trx, partial.journalId))
    expect(lines).toEqual([
      { account_code: '13200000', amount_pence: -120_00, cost_centre_code: null },
      { account_code: '41100000', amount_pence: 100_00, cost_centre_code: 'CORP' },
      { account_code: '21400000', amount_pence: 20_00, cost_centre_code: null },
    ])
    // The whole invoice again would be more than the £170 left.
    const tooMuch = await inA((trx) =>
      invoices.issueCreditNote(trx, ORG_A, invoice.id, { reason: 'All of it' }, CLERK),
    ).catch((e) => e)
    expect(tooMuch).toBeInstanceOf(BusinessRuleError)
    expect(tooMuch.message).toMatch(/£170.00 outstanding/)
    const rest = await inA((trx) =>
      invoices.issueCreditNote(
        trx,
        ORG_A,
        invoice.id,
        { reason: 'Rest', lines: [line('100'), line('50', 'exempt')] },
        CLERK,
      ),
    )
    expect(rest.number).toBe('CRN-000002')
    const after = await inA((trx) => invoices.get(trx, ORG_A, invoice.id))
    expect(after).toMatchObject({ outstandingPence: 0, creditedPence: 290_00, status: 'credited' })
    await expect(
      inA((trx) => invoices.issueCreditNote(trx, ORG_A, partial.id, { reason: 'x' }, CLERK)),
    ).rejects.toThrow(/only an invoice can be credited/)
  })

  test('UBL of an issued invoice and credit note passes our EN 16931 + Peppol validator; the PDF is a PDF', async () => {
    const [invoice] = await inA((trx) =>
      invoices.list(trx, ORG_A, { customerId: governmentId, kind: 'invoice' }),
    )
    const [note] = await inA((trx) => invoices.list(trx, ORG_A, { kind: 'credit-note' }))
    for (const summary of [invoice!, note!]) {
      const { doc, seller, customer } = await inA(async (trx) => ({
        doc: await invoices.get(trx, ORG_A, summary.id),
        seller: await settings.get(trx, ORG_A),
        customer: await customers.get(trx, ORG_A, summary.customerId),
      }))
      const result = importEInvoice(salesDocumentUbl(doc, seller, customer), { profile: 'peppol' })
      expect(result.ok && result.warnings).toEqual([])
      if (!result.ok) throw new Error('unreachable')
      expect(result.invoice).toMatchObject({ id: doc.number, kind: doc.kind })
      expect(result.invoice.totals.payable.amountMinor).toBe(doc.grossPence)
      const pdf = await salesDocumentPdf(doc, seller, customer)
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
      expect(pdf.toString('latin1')).toContain(doc.number)
    }
  })
})

describe('receipts and allocation', () => {
  let first: { id: string; grossPence: number }
  let second: { id: string; grossPence: number }
  let receiptId: string

  beforeAll(async () => {
    first = await inA((trx) =>
      invoices.issueInvoice(trx, ORG_A, { customerId: companyId, lines: [line('100')] }, CLERK),
    )
    second = await inA((trx) =>
      invoices.issueInvoice(trx, ORG_A, { customerId: companyId, lines: [line('50')] }, CLERK),
    )
  })

  test('a receipt posts Dr bank, Cr the customer’s control account, and part-pays an invoice', async () => {
    const receipt = await inA((trx) =>
      receipts.record(
        trx,
        ORG_A,
        {
          customerId: companyId,
          receivedOn: today,
          amountPence: 200_00,
          reference: 'BACS 123',
          allocations: [{ invoiceId: first.id, amountPence: 20_00 }],
        },
        CLERK,
      ),
    )
    receiptId = receipt.id
    expect(receipt).toMatchObject({ allocatedPence: 20_00, unallocatedPence: 180_00 })
    const lines = await inA((trx) => journalLines(trx, receipt.journalId))
    expect(lines.map((l) => [l.account_code, l.amount_pence])).toEqual([
      ['14100000', 200_00],
      ['13100000', -200_00],
    ])
    const invoice = await inA((trx) => invoices.get(trx, ORG_A, first.id))
    expect(invoice).toMatchObject({ allocatedPence: 20_00, outstandingPence: 100_00, status: 'part-paid' })
  })

  test('an invoice cannot be over-allocated, nor a receipt, nor another customer’s invoice', async () => {
    const overInvoice = await inA((trx) =>
      receipts.allocate(trx, ORG_A, receiptId, [{ invoiceId: first.id, amountPence: 100_01 }], CLERK),
    ).catch((e) => e)
    expect(overInvoice).toBeInstanceOf(BusinessRuleError)
    expect(overInvoice.fieldErrors[0]).toEqual({
      field: '/allocations/0/amountPence',
      message: expect.stringContaining('has £100.00 outstanding'),
    })
    const small = await inA((trx) =>
      receipts.record(
        trx,
        ORG_A,
        { customerId: companyId, receivedOn: today, amountPence: 10_00, reference: 'small' },
        CLERK,
      ),
    )
    const overReceipt = await inA((trx) =>
      receipts.allocate(trx, ORG_A, small.id, [{ invoiceId: first.id, amountPence: 10_01 }], CLERK),
    ).catch((e) => e)
    expect(overReceipt.message).toMatch(/£10.00 left to allocate/)
    const [government] = await inA((trx) =>
      invoices.list(trx, ORG_A, { customerId: governmentId, kind: 'invoice', openOnly: true }),
    )
    const otherCustomer = await inA((trx) =>
      receipts.allocate(trx, ORG_A, small.id, [{ invoiceId: government!.id, amountPence: 1_00 }], CLERK),
    ).catch((e) => e)
    expect(otherCustomer.message).toMatch(/another customer’s invoice/)
    // Nothing was written by the refusals.
    expect((await inA((trx) => receipts.get(trx, ORG_A, small.id))).allocatedPence).toBe(0)
  })

  test('two allocations racing for the same money: one wins, the other is refused', async () => {
    const receipt = await inA((trx) =>
      receipts.record(
        trx,
        ORG_A,
        { customerId: companyId, receivedOn: today, amountPence: 60_00, reference: 'race' },
        CLERK,
      ),
    )
    const results = await Promise.allSettled([
      inA((trx) =>
        receipts.allocate(trx, ORG_A, receipt.id, [{ invoiceId: second.id, amountPence: 60_00 }], CLERK),
      ),
      inA((trx) =>
        receipts.allocate(trx, ORG_A, receipt.id, [{ invoiceId: first.id, amountPence: 60_00 }], CLERK),
      ),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const after = await inA((trx) => receipts.get(trx, ORG_A, receipt.id))
    expect(after.allocatedPence).toBe(60_00)
  })

  test('a reference naming invoice numbers suggests their allocations, oldest first', async () => {
    const doc = await inA((trx) => invoices.get(trx, ORG_A, first.id))
    const suggested = await inA((trx) =>
      receipts.allocationsByReference(
        trx,
        ORG_A,
        companyId,
        `Payment for ${doc.number.toLowerCase()} thanks`,
        500_00,
      ),
    )
    expect(suggested).toEqual([{ invoiceId: first.id, amountPence: doc.outstandingPence }])
  })

  test('another organisation cannot see or allocate this organisation’s receipts (RLS)', async () => {
    await expect(
      inB((trx) =>
        receipts.allocate(trx, ORG_B, receiptId, [{ invoiceId: first.id, amountPence: 1_00 }], CLERK),
      ),
    ).rejects.toThrow(NotFoundError)
    // Even asking for organisation A's rows by its id, B's tenant sees none of them.
    const seen = await inB(async (trx) => ({
      customers: (
        await sql<{ n: number }>`select count(*)::int as n from customers where org_id = ${ORG_A}`.execute(
          trx,
        )
      ).rows[0]!.n,
      invoices: (await sql<{ n: number }>`select count(*)::int as n from sales_invoices`.execute(trx))
        .rows[0]!.n,
      receipts: (await sql<{ n: number }>`select count(*)::int as n from receipts`.execute(trx)).rows[0]!.n,
      allocations: (await sql<{ n: number }>`select count(*)::int as n from receipt_allocations`.execute(trx))
        .rows[0]!.n,
    }))
    expect(seen).toEqual({ customers: 0, invoices: 0, receipts: 0, allocations: 0 })
    // And cannot write into A.
    await expect(
      inB((trx) =>
        trx
          .insertInto('customers')
          .values({
            org_id: ORG_A,
            id: crypto.randomUUID(),
            name: 'x',
            address_line_1: 'x',
            city: 'x',
            control_account_code: '13100000',
          })
          .execute(),
      ),
    ).rejects.toThrow()
  })
})

describe('aged debt', () => {
  test('buckets at their boundary days', () => {
    expect([-5, 0, 1, 30, 31, 60, 61, 90, 91, 400].map(ageBucket)).toEqual([
      'currentPence',
      'currentPence',
      'days1To30Pence',
      'days1To30Pence',
      'days31To60Pence',
      'days31To60Pence',
      'days61To90Pence',
      'days61To90Pence',
      'days91PlusPence',
      'days91PlusPence',
    ])
  })

  test('the report as at a date puts each invoice in its bucket, nets receipts on account, and matches the ledger', async () => {
    const customer = await inA((trx) =>
      customers.create(
        trx,
        ORG_A,
        { name: 'Aged Ltd', addressLine1: '1 Old Road', city: 'Bath', postcode: 'BA1 1AA' },
        CLERK,
      ),
    )
    const asOf = today
    // One invoice of £1 (no VAT) due on each boundary day, and its amount tells which.
    const overdue = [0, 1, 30, 31, 60, 61, 90, 91]
    for (const [index, days] of overdue.entries())
      await inA((trx) =>
        invoices.issueInvoice(
          trx,
          ORG_A,
          {
            customerId: customer.id,
            issueDate: addDays(asOf, -days - 10),
            dueDate: addDays(asOf, -days),
            lines: [line(String(10 ** index / 100), 'exempt')],
          },
          CLERK,
          asOf,
        ),
      )
    await inA((trx) =>
      receipts.record(
        trx,
        ORG_A,
        { customerId: customer.id, receivedOn: asOf, amountPence: 5, reference: 'on account' },
        CLERK,
      ),
    )
    const report = await inA((trx) => agedDebtors(trx, ORG_A, asOf))
    const row = report.rows.find((r) => r.customerId === customer.id)!
    expect(row).toMatchObject({
      currentPence: 1, // due today: not yet overdue
      days1To30Pence: 10 + 100,
      days31To60Pence: 1_000 + 10_000,
      days61To90Pence: 100_000 + 1_000_000,
      days91PlusPence: 10_000_000,
      onAccountPence: 5,
      totalPence: 11_111_111 - 5,
      openInvoices: 8,
    })
    // As at a date before the later invoices, only what existed then.
    const earlier = await inA((trx) => agedDebtors(trx, ORG_A, addDays(asOf, -80)))
    const then = earlier.rows.find((r) => r.customerId === customer.id)!
    // Only the two invoices issued by then, each 10 and 11 days past due.
    expect(then).toMatchObject({ openInvoices: 2, days1To30Pence: 11_000_000, onAccountPence: 0 })
    // Every customer's total equals what invoices, credit notes and receipts posted to the control
    // accounts (recharges post there too, under the same journal source, so they are left out).
    const ledgerBalance = await inA(async (trx) => {
      const { rows } = await sql<{ balance: number }>`
        select coalesce(sum(l.amount_pence), 0)::bigint as balance from journal_lines l
        join journals j on j.org_id = l.org_id and j.id = l.journal_id
        where l.org_id = ${ORG_A} and l.account_code in ('13100000', '13200000') and j.journal_date <= ${asOf}::date
          and (j.id in (select journal_id from sales_invoices) or j.id in (select journal_id from receipts))`.execute(
        trx,
      )
      return Number(rows[0]!.balance)
    })
    expect(report.totals.totalPence).toBe(ledgerBalance)
  })

  test('a statement runs from an opening balance through each document to the closing balance', async () => {
    const statement = await inA((trx) => customerStatement(trx, ORG_A, companyId, addDays(today, -1), today))
    const owed = await inA((trx) => invoices.balancePence(trx, ORG_A, companyId))
    expect(statement.closingBalancePence).toBe(owed)
    expect(statement.openingBalancePence + statement.entries.reduce((sum, e) => sum + e.amountPence, 0)).toBe(
      owed,
    )
    expect(statement.entries.at(-1)?.balancePence).toBe(owed)
    expect(statement.aged.totalPence).toBe(owed)
  })
})

test('runs on the engine under test', () => {
  expect(['pglite', 'postgres']).toContain(engineUnderTest)
})
