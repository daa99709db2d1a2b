// A sales invoice or credit note as a Peppol BIS Billing 3.0 (EN 16931) UBL 2.1 document. Elements
// are written in the order the UBL 2.1 schema requires. Every document is checked by GSS's own
// EN 16931 + Peppol validator before it leaves (einvoice/import.ts): one that breaks a rule is
// refused, naming the rule, rather than sent to a customer who would reject it.
import { BusinessRuleError } from '../../platform/errors.ts'
import { toDecimal } from '../../platform/money.ts'
import { importEInvoice } from '../einvoice/import.ts'
import { PEPPOL_CUSTOMIZATION_ID } from '../einvoice/rules.ts'
import type { Customer } from './customers.ts'
import type { SalesDocument } from './invoices.ts'
import type { SellerSettings } from './settings.ts'
import { EXEMPTION_REASON } from './vat.ts'

export const PEPPOL_BILLING_PROFILE = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0'
/** UN/ECE Recommendation 20 "one": GSS invoices items and services by the unit. */
const UNIT_CODE = 'C62'
/** UNCL 4461: credit transfer. */
const CREDIT_TRANSFER = '30'

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

const el = (name: string, value: string | null | undefined, attributes = '') =>
  value === null || value === undefined || value === ''
    ? ''
    : `<${name}${attributes}>${escapeXml(value)}</${name}>`
const amount = (name: string, pence: number) =>
  `<cbc:${name} currencyID="GBP">${toDecimal(pence)}</cbc:${name}>`

function endpoint(id: string | null | undefined): string {
  if (!id) return ''
  const [scheme, ...rest] = id.split(':')
  return el('cbc:EndpointID', rest.join(':'), ` schemeID="${escapeXml(scheme!)}"`)
}

function address(parts: {
  addressLine1: string
  addressLine2: string | null
  city: string
  postcode: string | null
  countryCode: string
}): string {
  return `<cac:PostalAddress>${el('cbc:StreetName', parts.addressLine1)}${el('cbc:AdditionalStreetName', parts.addressLine2)}${el(
    'cbc:CityName',
    parts.city,
  )}${el('cbc:PostalZone', parts.postcode)}<cac:Country>${el('cbc:IdentificationCode', parts.countryCode)}</cac:Country></cac:PostalAddress>`
}

const vatScheme = (vatNumber: string | null) =>
  vatNumber
    ? `<cac:PartyTaxScheme>${el('cbc:CompanyID', vatNumber)}<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>`
    : ''

function taxCategory(element: string, category: string, ratePercent: string, withReason: boolean) {
  const reason = withReason && category === 'E' ? el('cbc:TaxExemptionReason', EXEMPTION_REASON) : ''
  return `<cac:${element}>${el('cbc:ID', category)}${el('cbc:Percent', ratePercent)}${reason}<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:${element}>`
}

/** The buyer's Peppol id: their own, else their UK VAT number under scheme 9932. */
export function buyerEndpoint(customer: Customer): string | null {
  return customer.peppolEndpoint ?? (customer.vatNumber ? `9932:${customer.vatNumber}` : null)
}

/** Writes the document's UBL 2.1 XML (Invoice or CreditNote); does not validate it. */
export function writeUbl(doc: SalesDocument, seller: SellerSettings, customer: Customer): string {
  const isInvoice = doc.kind === 'invoice'
  const root = isInvoice ? 'Invoice' : 'CreditNote'
  const sellerParty = `<cac:AccountingSupplierParty><cac:Party>${endpoint(seller.peppolEndpoint)}<cac:PartyName>${el(
    'cbc:Name',
    seller.legalName,
  )}</cac:PartyName>${address({ ...seller })}${vatScheme(seller.vatNumber)}<cac:PartyLegalEntity>${el(
    'cbc:RegistrationName',
    seller.legalName,
  )}${el('cbc:CompanyID', seller.companyNumber)}</cac:PartyLegalEntity>${
    seller.contactEmail ? `<cac:Contact>${el('cbc:ElectronicMail', seller.contactEmail)}</cac:Contact>` : ''
  }</cac:Party></cac:AccountingSupplierParty>`
  const buyerParty = `<cac:AccountingCustomerParty><cac:Party>${endpoint(buyerEndpoint(customer))}<cac:PartyName>${el(
    'cbc:Name',
    customer.name,
  )}</cac:PartyName>${address(customer)}${vatScheme(customer.vatNumber)}<cac:PartyLegalEntity>${el(
    'cbc:RegistrationName',
    customer.name,
  )}${el('cbc:CompanyID', customer.companyNumber)}</cac:PartyLegalEntity>${
    customer.contactEmail
      ? `<cac:Contact>${el('cbc:ElectronicMail', customer.contactEmail)}</cac:Contact>`
      : ''
  }</cac:Party></cac:AccountingCustomerParty>`
  // Payment means only on an invoice: a credit note is not paid by the customer.
  const paymentMeans = isInvoice
    ? `<cac:PaymentMeans><cbc:PaymentMeansCode>${CREDIT_TRANSFER}</cbc:PaymentMeansCode>${el(
        'cbc:PaymentID',
        doc.number,
      )}<cac:PayeeFinancialAccount>${el('cbc:ID', seller.iban ?? seller.accountNumber)}${el(
        'cbc:Name',
        seller.bankAccountName,
      )}<cac:FinancialInstitutionBranch>${el('cbc:ID', seller.sortCode)}</cac:FinancialInstitutionBranch></cac:PayeeFinancialAccount></cac:PaymentMeans>`
    : ''
  const terms = isInvoice
    ? `Payment due by ${doc.dueDate}, quoting ${doc.number}`
    : `Credit against invoice ${doc.creditedInvoice?.number ?? ''}`
  const taxTotal = `<cac:TaxTotal>${amount('TaxAmount', doc.vatPence)}${doc.vatBreakdown
    .map(
      (row) =>
        `<cac:TaxSubtotal>${amount('TaxableAmount', row.taxablePence)}${amount('TaxAmount', row.vatPence)}${taxCategory(
          'TaxCategory',
          row.category,
          row.ratePercent,
          true,
        )}</cac:TaxSubtotal>`,
    )
    .join('')}</cac:TaxTotal>`
  const totals = `<cac:LegalMonetaryTotal>${amount('LineExtensionAmount', doc.netPence)}${amount(
    'TaxExclusiveAmount',
    doc.netPence,
  )}${amount('TaxInclusiveAmount', doc.grossPence)}${amount('PayableAmount', doc.grossPence)}</cac:LegalMonetaryTotal>`
  const lineElement = isInvoice ? 'InvoiceLine' : 'CreditNoteLine'
  const quantityElement = isInvoice ? 'InvoicedQuantity' : 'CreditedQuantity'
  const lines = doc.lines
    .map(
      (line) =>
        `<cac:${lineElement}>${el('cbc:ID', String(line.lineNo))}${el(`cbc:${quantityElement}`, line.quantity, ` unitCode="${UNIT_CODE}"`)}${amount(
          'LineExtensionAmount',
          line.netPence,
        )}${el('cbc:AccountingCost', line.costCentreCode)}<cac:Item>${el('cbc:Name', line.description.slice(0, 200))}${taxCategory(
          'ClassifiedTaxCategory',
          line.vatCategory,
          line.vatRatePercent,
          false,
        )}</cac:Item><cac:Price><cbc:PriceAmount currencyID="GBP">${escapeXml(line.unitPrice)}</cbc:PriceAmount></cac:Price></cac:${lineElement}>`,
    )
    .join('\n  ')
  const billingReference = doc.creditedInvoice
    ? `<cac:BillingReference><cac:InvoiceDocumentReference>${el('cbc:ID', doc.creditedInvoice.number)}${el(
        'cbc:IssueDate',
        doc.creditedInvoice.issueDate,
      )}</cac:InvoiceDocumentReference></cac:BillingReference>`
    : ''
  return `<?xml version="1.0" encoding="UTF-8"?>
<${root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:${root}-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>${PEPPOL_CUSTOMIZATION_ID}</cbc:CustomizationID>
  <cbc:ProfileID>${PEPPOL_BILLING_PROFILE}</cbc:ProfileID>
  ${el('cbc:ID', doc.number)}
  ${el('cbc:IssueDate', doc.issueDate)}
  ${isInvoice ? `${el('cbc:DueDate', doc.dueDate)}<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>` : '<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>'}
  ${el('cbc:Note', doc.note)}
  <cbc:DocumentCurrencyCode>GBP</cbc:DocumentCurrencyCode>
  ${el('cbc:BuyerReference', doc.buyerReference)}
  ${billingReference}
  ${sellerParty}
  ${buyerParty}
  ${paymentMeans}
  <cac:PaymentTerms>${el('cbc:Note', terms)}</cac:PaymentTerms>
  ${taxTotal}
  ${totals}
  ${lines}
</${root}>
`
}

/**
 * The document's UBL, checked by GSS's own EN 16931 and Peppol BIS 3 validator. Errors:
 * BusinessRuleError naming every broken rule (for example PEPPOL-EN16931-R010 when the customer
 * has neither a Peppol id nor a VAT number to address the e-invoice to).
 */
export function salesDocumentUbl(doc: SalesDocument, seller: SellerSettings, customer: Customer): string {
  const xml = writeUbl(doc, seller, customer)
  const result = importEInvoice(xml, { profile: 'peppol' })
  if (!result.ok) {
    const fatal = result.errors.filter((violation) => violation.severity === 'fatal')
    throw new BusinessRuleError(
      `${doc.number} cannot be sent as a Peppol e-invoice: ${fatal.map((v) => v.message).join('; ')}`,
      fatal.map((v) => ({ field: v.path, message: v.message })),
    )
  }
  return xml
}
