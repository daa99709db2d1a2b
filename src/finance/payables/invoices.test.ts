// Supplier invoices: capture (JSON and UBL), duplicates, delegated approval, segregation of
// duties, HM Treasury consent, posting, and isolation between organisations.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TenantContext, Tx } from '../../platform/db/index.ts'
import { BusinessRuleError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { LedgerService } from '../ledger.ts'
import { addDays, InvoiceService, todayIso } from './invoices.ts'
import { SupplierService } from './suppliers.ts'

// Not Cabinet Office: the demo world gives it payables data of its own.
const ORG_A = orgId('dsit')
const ORG_B = orgId('crown-commercial-service')
const CLERK = uuidFromName('user:finance.clerk@gss.example')
const APPROVER = uuidFromName('user:finance.approver@gss.example')
const DIRECTOR = uuidFromName('user:org.admin@gss.example')
const EINVOICES = '/work/shared/testdata/einvoice/peppol-bis3/examples'
const ubl = (name: string) => readFileSync(path.join(EINVOICES, name))
const as = (org: string, userId = CLERK): TenantContext => ({
  userId,
  orgIds: [org],
  actingOrgId: org,
  requestId: 'test',
})

let t: TestDatabase
const ledger = new LedgerService()
const suppliers = new SupplierService()
const invoices = new InvoiceService(ledger, suppliers)
let supplierId: string
let peppolSupplierId: string
const today = todayIso()

const inA = <T>(fn: (trx: Tx) => Promise<T>, userId = CLERK) => t.db.transaction(as(ORG_A, userId), fn)

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  await t.db.transaction(as(ORG_A), async (trx) => {
    supplierId = (
      await suppliers.create(
        trx,
        ORG_A,
        {
          name: 'Acme Stationery Ltd',
          vatNumber: 'GB831495816',
          sortCode: '089999',
          accountNumber: '66374958',
        },
        CLERK,
      )
    ).id
    // The Peppol examples' seller: its VAT number fails the UK check digits, so it is known by Peppol id.
    peppolSupplierId = (
      await suppliers.create(
        trx,
        ORG_A,
        {
          name: 'The Sellercompany Incorporated',
          peppolEndpoint: '0088:7300010000001',
          iban: 'GB29NWBK60161331926819',
          defaultAccountCode: '52100000',
        },
        CLERK,
      )
    ).id
    await invoices.setApprovalLimit(trx, ORG_A, {
      spendType: 'general',
      level: 1,
      title: 'Budget holder',
      limitPence: 10_000_00,
    })
    await invoices.setApprovalLimit(trx, ORG_A, {
      spendType: 'general',
      level: 2,
      title: 'Director',
      limitPence: 100_000_00,
    })
    await invoices.setApproverLevel(trx, ORG_A, APPROVER, 1)
    await invoices.setApproverLevel(trx, ORG_A, DIRECTOR, 2)
  })
})
afterAll(async () => t?.close())

const invoice = (reference: string, netPence: number, extra: object = {}) => ({
  supplierId,
  supplierReference: reference,
  issueDate: addDays(today, -3),
  lines: [
    {
      description: 'Paper',
      accountCode: '52600000',
      costCentreCode: 'CORP',
      netPence,
      vatPence: netPence / 5,
    },
  ],
  ...extra,
})

describe('capture', () => {
  test('computes totals, records the receipt date (today by default) and a 30-day due date', async () => {
    const captured = await inA((trx) => invoices.capture(trx, ORG_A, invoice('INV-001', 1_000_00), CLERK))
    expect(captured).toMatchObject({
      status: 'received',
      netPence: 1_000_00,
      vatPence: 200_00,
      grossPence: 1_200_00,
      receiptDate: today,
      dueDate: addDays(today, 30),
      duplicateOfId: null,
      capturedBy: CLERK,
    })
    expect(captured.lines).toHaveLength(1)
  })

  test('names each bad field by JSON pointer', async () => {
    const attempt = inA((trx) =>
      invoices.capture(
        trx,
        ORG_A,
        {
          supplierId,
          supplierReference: '',
          issueDate: '2026-02-30',
          receiptDate: addDays(today, 1),
          lines: [{ description: 'x', accountCode: '5260', netPence: 0, vatPence: -1 }],
        },
        CLERK,
      ),
    )
    await expect(attempt).rejects.toBeInstanceOf(ValidationError)
    const error = (await attempt.catch((caught) => caught)) as ValidationError
    expect(error.fieldErrors.map((problem) => problem.field)).toEqual([
      '/supplierReference',
      '/issueDate',
      '/receiptDate',
      '/lines/0/accountCode',
      '/lines/0/netPence',
      '/lines/0/vatPence',
    ])
  })

  test('flags a possible duplicate: same invoice number, or same amount and date', async () => {
    const again = await inA((trx) => invoices.capture(trx, ORG_A, invoice('INV-001', 5_00), CLERK))
    expect(again.duplicateOfId).not.toBeNull()
    expect(again.duplicateReason).toContain('INV-001 has been captured before')
    const sameAmount = await inA((trx) => invoices.capture(trx, ORG_A, invoice('INV-001-B', 1_000_00), CLERK))
    expect(sameAmount.duplicateReason).toContain('for £1,200.00 dated')
    const different = await inA((trx) => invoices.capture(trx, ORG_A, invoice('INV-002', 999_00), CLERK))
    expect(different.duplicateOfId).toBeNull()
  })

  test('an unknown supplier is not found', async () => {
    await expect(
      inA((trx) => invoices.capture(trx, ORG_A, { ...invoice('X', 1_00), supplierId: ORG_B }, CLERK)),
    ).rejects.toBeInstanceOf(NotFoundError)
  })
})

describe('UBL e-invoices', () => {
  test('imports a Peppol invoice, matched to its supplier, keeping the original and its hash', async () => {
    const captured = await inA((trx) =>
      invoices.captureEInvoice(
        trx,
        ORG_A,
        ubl('vat-category-Z.xml'),
        { receiptDate: addDays(today, -1) },
        CLERK,
      ),
    )
    expect(captured).toMatchObject({
      supplierId: peppolSupplierId,
      supplierReference: 'Vat-Z',
      kind: 'invoice',
      source: 'e-invoice',
      netPence: 1_200_00,
      vatPence: 0,
      grossPence: 1_200_00,
      receiptDate: addDays(today, -1),
      issueDate: '2018-08-30',
      duplicateOfId: null,
    })
    expect(captured.originalXmlSha256).toMatch(/^[0-9a-f]{64}$/)
    expect(captured.lines.every((line) => line.accountCode === '52100000')).toBe(true)
  })

  test('a second document with the same invoice number from the same seller is flagged', async () => {
    const captured = await inA((trx) =>
      invoices.captureEInvoice(trx, ORG_A, ubl('vat-category-E.xml'), {}, CLERK),
    )
    expect(captured.duplicateOfId).not.toBeNull()
    expect(captured.receiptDate).toBe(today)
  })

  test('refuses a seller who is not a supplier, naming it, and a document not in sterling', async () => {
    const elsewhere = t.db.transaction(as(ORG_B), (trx) =>
      invoices.captureEInvoice(trx, ORG_B, ubl('vat-category-Z.xml'), {}, CLERK),
    )
    await expect(elsewhere).rejects.toThrow(
      'The seller The Sellercompany Incorporated (VAT number GB928741974) is not one of this organisation’s suppliers',
    )
    await expect(
      inA((trx) => invoices.captureEInvoice(trx, ORG_A, ubl('base-example.xml'), {}, CLERK)),
    ).rejects.toThrow(
      'The seller SupplierOfficialName Ltd (VAT number GB1232434, registration GB983294) is not',
    )
    const inEuro = ubl('vat-category-Z.xml').toString('utf8').replaceAll('GBP', 'EUR')
    await expect(
      inA((trx) => invoices.captureEInvoice(trx, ORG_A, Buffer.from(inEuro), {}, CLERK)),
    ).rejects.toThrow(
      'Invoice Vat-Z is in EUR; only invoices in pounds sterling (GBP) can be captured so far',
    )
  })

  test('refuses a document that breaks a rule, naming the rule', async () => {
    const broken = ubl('vat-category-Z.xml')
      .toString('utf8')
      .replace('<cbc:PayableAmount currencyID="GBP">1200.00', '<cbc:PayableAmount currencyID="GBP">1100.00')
    const attempt = inA((trx) => invoices.captureEInvoice(trx, ORG_A, Buffer.from(broken), {}, CLERK))
    await expect(attempt).rejects.toBeInstanceOf(ValidationError)
    const error = (await attempt.catch((caught) => caught)) as ValidationError
    expect(error.fieldErrors.some((problem) => /^BR-CO-16/.test(problem.message))).toBe(true)
  })
})

describe('approval', () => {
  test('whoever captured an invoice cannot approve it (segregation of duties)', async () => {
    const captured = await inA(
      (trx) => invoices.capture(trx, ORG_A, invoice('SOD-1', 100_00), APPROVER),
      APPROVER,
    )
    const attempt = inA((trx) => invoices.approve(trx, ORG_A, captured.id, APPROVER), APPROVER)
    await expect(attempt).rejects.toBeInstanceOf(BusinessRuleError)
    await expect(attempt).rejects.toThrow(
      'You captured invoice SOD-1 from Acme Stationery Ltd, so you cannot approve it: someone else must (segregation of duties)',
    )
  })

  test('approval posts the invoice: expense and VAT debited, trade payables credited', async () => {
    const captured = await inA((trx) => invoices.capture(trx, ORG_A, invoice('POST-1', 2_500_00), CLERK))
    const result = await inA((trx) => invoices.approve(trx, ORG_A, captured.id, APPROVER), APPROVER)
    expect(result.outcome).toBe('approved')
    if (result.outcome !== 'approved') return
    expect(result.invoice).toMatchObject({ status: 'approved', approvedBy: APPROVER })
    const lines = await inA((trx) =>
      trx
        .selectFrom('journal_lines')
        .select(['account_code', 'amount_pence'])
        .where('org_id', '=', ORG_A)
        .where('journal_id', '=', result.journalId)
        .orderBy('line_no')
        .execute(),
    )
    expect(lines).toEqual([
      { account_code: '52600000', amount_pence: 2_500_00 },
      { account_code: '13400000', amount_pence: 500_00 },
      { account_code: '21100000', amount_pence: -3_000_00 },
    ])
    await expect(inA((trx) => invoices.approve(trx, ORG_A, captured.id, DIRECTOR), DIRECTOR)).rejects.toThrow(
      'is approved, not awaiting approval',
    )
  })

  test('a credit note posts the other way round', async () => {
    const captured = await inA((trx) =>
      invoices.capture(trx, ORG_A, invoice('CN-1', 100_00, { kind: 'credit-note' }), CLERK),
    )
    const result = await inA((trx) => invoices.approve(trx, ORG_A, captured.id, APPROVER), APPROVER)
    if (result.outcome !== 'approved') throw new Error('expected approval')
    const lines = await inA((trx) =>
      trx
        .selectFrom('journal_lines')
        .select(['account_code', 'amount_pence'])
        .where('org_id', '=', ORG_A)
        .where('journal_id', '=', result.journalId)
        .orderBy('line_no')
        .execute(),
    )
    expect(lines.map((line) => line.amount_pence)).toEqual([-100_00, -20_00, 120_00])
  })

  test('above the approver’s limit the invoice escalates to the level that covers it', async () => {
    const captured = await inA((trx) => invoices.capture(trx, ORG_A, invoice('BIG-1', 20_000_00), CLERK))
    const first = await inA((trx) => invoices.approve(trx, ORG_A, captured.id, APPROVER), APPROVER)
    expect(first).toMatchObject({ outcome: 'escalated', requiredLevel: 2, requiredTitle: 'Director' })
    if (first.outcome !== 'escalated') return
    expect(first.message).toBe(
      'Invoice BIG-1 from Acme Stationery Ltd for £24,000.00 is above your limit of £10,000.00: it has been passed to a Director (level 2) to approve',
    )
    expect(first.invoice).toMatchObject({ status: 'received', awaitingLevel: 2 })
    const second = await inA((trx) => invoices.approve(trx, ORG_A, captured.id, DIRECTOR), DIRECTOR)
    expect(second.outcome).toBe('approved')
    expect(second.invoice.awaitingLevel).toBeNull()
  })

  test('above every delegated limit, approval needs HM Treasury consent', async () => {
    const captured = await inA((trx) => invoices.capture(trx, ORG_A, invoice('HUGE-1', 1_000_000_00), CLERK))
    await expect(inA((trx) => invoices.approve(trx, ORG_A, captured.id, DIRECTOR), DIRECTOR)).rejects.toThrow(
      'is above every delegated limit for general spend: it needs HM Treasury consent',
    )
    await inA(
      (trx) => invoices.recordTreasuryConsent(trx, ORG_A, captured.id, DIRECTOR, 'HMT-2026-17'),
      DIRECTOR,
    )
    const approved = await inA((trx) => invoices.approve(trx, ORG_A, captured.id, DIRECTOR), DIRECTOR)
    expect(approved.outcome).toBe('approved')
  })

  test('novel or contentious spend waits for HM Treasury consent, whatever its size', async () => {
    const captured = await inA((trx) =>
      invoices.capture(trx, ORG_A, invoice('NOVEL-1', 10_00, { novelOrContentious: true }), CLERK),
    )
    await expect(inA((trx) => invoices.approve(trx, ORG_A, captured.id, APPROVER), APPROVER)).rejects.toThrow(
      'is novel or contentious spend: record HM Treasury’s consent before approving it',
    )
    await inA(
      (trx) => invoices.recordTreasuryConsent(trx, ORG_A, captured.id, DIRECTOR, 'HMT-NC-1'),
      DIRECTOR,
    )
    expect((await inA((trx) => invoices.approve(trx, ORG_A, captured.id, APPROVER), APPROVER)).outcome).toBe(
      'approved',
    )
  })

  test('someone without delegated authority cannot approve; a rejected invoice is closed', async () => {
    const captured = await inA((trx) => invoices.capture(trx, ORG_A, invoice('REJ-1', 10_00), CLERK))
    const stranger = uuidFromName('user:auditor@gss.example')
    await expect(
      inA((trx) => invoices.approve(trx, ORG_A, captured.id, stranger), stranger),
    ).rejects.toBeInstanceOf(ForbiddenError)
    const rejected = await inA(
      (trx) => invoices.reject(trx, ORG_A, captured.id, APPROVER, 'Not ordered'),
      APPROVER,
    )
    expect(rejected).toMatchObject({ status: 'rejected', rejectedReason: 'Not ordered' })
  })
})

describe('isolation', () => {
  test('organisation B sees none of organisation A’s invoices, even by id', async () => {
    const [first] = await inA((trx) => invoices.list(trx, ORG_A))
    expect(first).toBeDefined()
    const seenByB = await t.db.transaction(as(ORG_B), (trx) => invoices.list(trx, ORG_A))
    expect(seenByB).toEqual([])
    await expect(
      t.db.transaction(as(ORG_B), (trx) => invoices.get(trx, ORG_A, first!.id)),
    ).rejects.toBeInstanceOf(NotFoundError)
  })
})
