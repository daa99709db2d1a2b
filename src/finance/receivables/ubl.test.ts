// Our UBL through our own EN 16931 + Peppol validator (no rule broken, warnings included), and
// through the OASIS UBL 2.1 schemas in ../shared/testdata/einvoice when xmllint is installed.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { BusinessRuleError } from '../../platform/errors.ts'
import { importEInvoice } from '../einvoice/import.ts'
import { TESTDATA } from '../einvoice/testdata.ts'
import type { Customer } from './customers.ts'
import type { SalesDocument } from './invoices.ts'
import type { SellerSettings } from './settings.ts'
import { salesDocumentUbl, writeUbl } from './ubl.ts'
import { documentTotals, lineNetPence, VAT_RATES, type VatRateName } from './vat.ts'

const SELLER: SellerSettings = {
  legalName: 'Cabinet Office',
  addressLine1: '70 Whitehall',
  addressLine2: null,
  city: 'London',
  postcode: 'SW1A 2AS',
  countryCode: 'GB',
  vatNumber: 'GB888850212',
  companyNumber: null,
  peppolEndpoint: '9932:GB888850212',
  contactEmail: 'receivables@cabinetoffice.example',
  bankAccountName: 'Cabinet Office receipts',
  sortCode: '202959',
  accountNumber: '63748472',
  iban: null,
  invoicePrefix: 'INV',
  creditNotePrefix: 'CRN',
}

const CUSTOMER: Customer = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Department for Transport & Co <test>',
  addressLine1: 'Great Minster House',
  addressLine2: '33 Horseferry Road',
  city: 'London',
  postcode: 'SW1P 4DR',
  countryCode: 'GB',
  vatNumber: 'GB123456782',
  companyNumber: null,
  peppolEndpoint: '0088:5060012349998',
  contactEmail: 'ap@dft.example',
  paymentTermsDays: 30,
  creditLimitPence: null,
  publicBody: true,
  controlAccountCode: '13200000',
}

function sampleDocument(
  kind: 'invoice' | 'credit-note',
  lines: Array<{ quantity: string; unitPrice: string; vatRate: VatRateName }>,
): SalesDocument {
  const built = lines.map((line, index) => ({
    lineNo: index + 1,
    description: `Service ${index + 1}`,
    accountCode: '41100000',
    costCentreCode: 'CORP',
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    netPence: lineNetPence(line.quantity, line.unitPrice)!,
    vatCategory: VAT_RATES[line.vatRate].category,
    vatRatePercent: VAT_RATES[line.vatRate].ratePercent,
    vatRate: line.vatRate,
  }))
  const totals = documentTotals(
    built.map((l) => ({ netPence: l.netPence, category: l.vatCategory, ratePercent: l.vatRatePercent })),
  )
  return {
    id: '00000000-0000-4000-8000-000000000002',
    kind,
    number: kind === 'invoice' ? 'INV-000001' : 'CRN-000001',
    sequenceNumber: 1,
    customerId: CUSTOMER.id,
    customerName: CUSTOMER.name,
    issueDate: '2026-05-01',
    dueDate: kind === 'invoice' ? '2026-05-31' : '2026-05-01',
    buyerReference: 'PO-123',
    netPence: totals.netPence,
    vatPence: totals.vatPence,
    grossPence: totals.grossPence,
    allocatedPence: 0,
    creditedPence: 0,
    outstandingPence: kind === 'invoice' ? totals.grossPence : 0,
    status: kind === 'invoice' ? 'open' : 'credit-note',
    currency: 'GBP',
    note: kind === 'invoice' ? null : 'Service not delivered',
    creditedInvoice: kind === 'invoice' ? null : { id: 'x', number: 'INV-000001', issueDate: '2026-05-01' },
    journalId: 'j',
    lines: built,
    vatBreakdown: totals.breakdown,
    allocations: [],
    creditNotes: [],
  }
}

const MIXED = [
  { quantity: '3', unitPrice: '33.3333', vatRate: 'standard' as const },
  { quantity: '1.5', unitPrice: '10.01', vatRate: 'standard' as const },
  { quantity: '7', unitPrice: '0.99', vatRate: 'reduced' as const },
  { quantity: '2', unitPrice: '12.50', vatRate: 'zero' as const },
  { quantity: '1', unitPrice: '250', vatRate: 'exempt' as const },
]

const xsd = (root: string) => path.join(TESTDATA, `ubl-2.1-xsd/maindoc/UBL-${root}-2.1.xsd`)
const hasXmllint = (() => {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

describe('UBL round trip through our own validator', () => {
  for (const kind of ['invoice', 'credit-note'] as const) {
    test(`a ${kind} with every VAT rate passes every EN 16931 and Peppol rule and reads back the same`, () => {
      const doc = sampleDocument(kind, MIXED)
      const xml = salesDocumentUbl(doc, SELLER, CUSTOMER)
      const result = importEInvoice(xml, { profile: 'peppol' })
      if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2))
      // No warnings either: nothing a receiver's validator would grumble about.
      expect(result.warnings).toEqual([])
      const read = result.invoice
      expect(read.kind).toBe(kind)
      expect(read.id).toBe(doc.number)
      expect(read.seller.vatId).toBe('GB888850212')
      expect(read.buyer.name).toBe(CUSTOMER.name)
      expect(read.buyer.endpoint).toEqual({ scheme: '0088', value: '5060012349998' })
      expect(read.lines).toHaveLength(5)
      expect(read.totals.lineExtension.amountMinor).toBe(doc.netPence)
      expect(read.totals.vatTotal.amountMinor).toBe(doc.vatPence)
      expect(read.totals.payable.amountMinor).toBe(doc.grossPence)
      expect(
        read.vatBreakdown.map((b) => [
          b.category,
          b.ratePercent,
          b.taxableAmount.amountMinor,
          b.taxAmount.amountMinor,
        ]),
      ).toEqual(doc.vatBreakdown.map((b) => [b.category, b.ratePercent, b.taxablePence, b.vatPence]))
      if (kind === 'credit-note')
        expect(read.precedingInvoices).toEqual([{ id: 'INV-000001', issueDate: '2026-05-01' }])
      else expect(read.paymentMeans[0]?.paymentId).toBe('INV-000001')
    })

    test.skipIf(!hasXmllint || !existsSync(xsd('Invoice')))(
      `a ${kind} is valid against the OASIS UBL 2.1 schema`,
      () => {
        const doc = sampleDocument(kind, MIXED)
        const dir = mkdtempSync(path.join(tmpdir(), 'gss-ubl-'))
        const file = path.join(dir, `${kind}.xml`)
        writeFileSync(file, salesDocumentUbl(doc, SELLER, CUSTOMER))
        const root = kind === 'invoice' ? 'Invoice' : 'CreditNote'
        // Throws (non-zero exit) with xmllint's complaint when the document breaks the schema.
        execFileSync('xmllint', ['--noout', '--nonet', '--schema', xsd(root), file], { stdio: 'pipe' })
      },
    )
  }

  test('a customer without a Peppol id or VAT number cannot be addressed: the broken rule is named', () => {
    const doc = sampleDocument('invoice', MIXED)
    const nowhere = { ...CUSTOMER, peppolEndpoint: null, vatNumber: null }
    expect(() => salesDocumentUbl(doc, SELLER, nowhere)).toThrow(BusinessRuleError)
    expect(() => salesDocumentUbl(doc, SELLER, nowhere)).toThrow(/Buyer electronic address/)
    // Without its own Peppol id, the VAT number under scheme 9932 addresses it.
    const byVat = importEInvoice(writeUbl(doc, SELLER, { ...CUSTOMER, peppolEndpoint: null }), {
      profile: 'peppol',
    })
    expect(byVat.ok && byVat.invoice.buyer.endpoint).toEqual({ scheme: '9932', value: 'GB123456782' })
  })
})
