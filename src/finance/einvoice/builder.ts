// Test support: builds a Peppol BIS Billing 3.0 invoice whose every total is computed exactly from
// its lines, so that it passes every rule. Used by the property tests; also handy for anyone who
// needs a valid e-invoice in a test (payables matching, say).

import {
  add,
  type Decimal,
  divide,
  formatAmount,
  formatDecimal,
  mul,
  parseDecimal,
  roundHalfUp,
  sub,
  sum,
  ZERO,
} from './decimal.ts'
import { PEPPOL_CUSTOMIZATION_ID } from './rules.ts'

export interface BuilderLine {
  /** Decimal text, may have up to 4 decimals. */
  quantity: string
  /** Net price, decimal text, up to 4 decimals. */
  price: string
  /** 'S' at `rate`, or 'Z' (rate 0). */
  category: 'S' | 'Z'
  rate: string
}

export interface BuilderAllowanceCharge {
  isCharge: boolean
  /** Decimal text with at most 2 decimals. */
  amount: string
  category: 'S' | 'Z'
  rate: string
}

export interface BuilderSpec {
  id: string
  currency: string
  lines: BuilderLine[]
  allowanceCharges: BuilderAllowanceCharge[]
  /** Decimal text with at most 2 decimals. */
  prepaid?: string
}

export interface BuiltInvoice {
  xml: string
  totals: {
    lineExtension: string
    allowanceTotal: string
    chargeTotal: string
    taxExclusive: string
    vatTotal: string
    taxInclusive: string
    payable: string
  }
}

const d = (text: string): Decimal => parseDecimal(text)!
const HUNDRED: Decimal = { units: 100n, scale: 0 }

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

export function buildInvoice(spec: BuilderSpec): BuiltInvoice {
  const c = escapeXml(spec.currency)
  const lineNets = spec.lines.map((line) => roundHalfUp(mul(d(line.quantity), d(line.price)), 2))
  const lineExtension = sum(lineNets)
  const allowances = spec.allowanceCharges.filter((ac) => !ac.isCharge)
  const charges = spec.allowanceCharges.filter((ac) => ac.isCharge)
  const allowanceTotal = sum(allowances.map((ac) => d(ac.amount)))
  const chargeTotal = sum(charges.map((ac) => d(ac.amount)))
  const taxExclusive = add(sub(lineExtension, allowanceTotal), chargeTotal)
  // One VAT breakdown per category and rate, as BR-S-08 and BR-Z-08 require.
  const groups = new Map<string, { category: string; rate: string; taxable: Decimal }>()
  const group = (category: string, rate: string) => {
    const key = `${category}:${formatDecimal(d(rate))}`
    let entry = groups.get(key)
    if (entry === undefined) {
      entry = { category, rate, taxable: ZERO }
      groups.set(key, entry)
    }
    return entry
  }
  spec.lines.forEach((line, index) => {
    const entry = group(line.category, line.rate)
    entry.taxable = add(entry.taxable, lineNets[index]!)
  })
  for (const ac of spec.allowanceCharges) {
    const entry = group(ac.category, ac.rate)
    entry.taxable = ac.isCharge ? add(entry.taxable, d(ac.amount)) : sub(entry.taxable, d(ac.amount))
  }
  const breakdown = [...groups.values()].map((entry) => ({
    ...entry,
    tax: roundHalfUp(mul(entry.taxable, divide(d(entry.rate), HUNDRED, 6)), 2),
  }))
  const vatTotal = sum(breakdown.map((entry) => entry.tax))
  const taxInclusive = add(taxExclusive, vatTotal)
  const prepaid = spec.prepaid === undefined ? undefined : d(spec.prepaid)
  const payable = prepaid === undefined ? taxInclusive : sub(taxInclusive, prepaid)
  const amount = (name: string, value: Decimal) =>
    `<cbc:${name} currencyID="${c}">${formatAmount(value)}</cbc:${name}>`
  const taxCategory = (element: string, category: string, rate: string) =>
    `<cac:${element}><cbc:ID>${category}</cbc:ID><cbc:Percent>${rate}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:${element}>`
  const party = (role: string, name: string, vatId: string, street: string) => `<cac:${role}><cac:Party>
    <cbc:EndpointID schemeID="9932">${vatId}</cbc:EndpointID>
    <cac:PostalAddress><cbc:StreetName>${street}</cbc:StreetName><cbc:CityName>London</cbc:CityName><cbc:PostalZone>SW1A 2AA</cbc:PostalZone><cac:Country><cbc:IdentificationCode>GB</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>${vatId}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>${name}</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:${role}>`
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>${PEPPOL_CUSTOMIZATION_ID}</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>${escapeXml(spec.id)}</cbc:ID>
  <cbc:IssueDate>2026-04-01</cbc:IssueDate>
  <cbc:DueDate>2026-05-01</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>${c}</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>PO-4500012345</cbc:BuyerReference>
  ${party('AccountingSupplierParty', 'Acme Supplies Ltd', 'GB123456789', '1 High Street')}
  ${party('AccountingCustomerParty', 'Department for Shared Services', 'GB987654321', '2 Marsham Street')}
  <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>GB29NWBK60161331926819</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
  ${spec.allowanceCharges
    .map(
      (ac) =>
        `<cac:AllowanceCharge><cbc:ChargeIndicator>${ac.isCharge}</cbc:ChargeIndicator>${
          ac.isCharge
            ? '<cbc:AllowanceChargeReasonCode>FC</cbc:AllowanceChargeReasonCode>'
            : '<cbc:AllowanceChargeReasonCode>95</cbc:AllowanceChargeReasonCode>'
        }${amount('Amount', d(ac.amount))}${taxCategory('TaxCategory', ac.category, ac.rate)}</cac:AllowanceCharge>`,
    )
    .join('\n  ')}
  <cac:TaxTotal>${amount('TaxAmount', vatTotal)}${breakdown
    .map(
      (entry) =>
        `<cac:TaxSubtotal>${amount('TaxableAmount', entry.taxable)}${amount('TaxAmount', entry.tax)}${taxCategory('TaxCategory', entry.category, entry.rate)}</cac:TaxSubtotal>`,
    )
    .join('')}</cac:TaxTotal>
  <cac:LegalMonetaryTotal>${amount('LineExtensionAmount', lineExtension)}${amount('TaxExclusiveAmount', taxExclusive)}${amount(
    'TaxInclusiveAmount',
    taxInclusive,
  )}${allowances.length > 0 ? amount('AllowanceTotalAmount', allowanceTotal) : ''}${charges.length > 0 ? amount('ChargeTotalAmount', chargeTotal) : ''}${
    prepaid === undefined ? '' : amount('PrepaidAmount', prepaid)
  }${amount('PayableAmount', payable)}</cac:LegalMonetaryTotal>
  ${spec.lines
    .map(
      (line, index) =>
        `<cac:InvoiceLine><cbc:ID>${index + 1}</cbc:ID><cbc:InvoicedQuantity unitCode="C62">${line.quantity}</cbc:InvoicedQuantity>${amount(
          'LineExtensionAmount',
          lineNets[index]!,
        )}<cac:Item><cbc:Name>Item ${index + 1}</cbc:Name>${taxCategory('ClassifiedTaxCategory', line.category, line.rate)}</cac:Item><cac:Price><cbc:PriceAmount currencyID="${c}">${line.price}</cbc:PriceAmount></cac:Price></cac:InvoiceLine>`,
    )
    .join('\n  ')}
</Invoice>`
  return {
    xml,
    totals: {
      lineExtension: formatAmount(lineExtension),
      allowanceTotal: formatAmount(allowanceTotal),
      chargeTotal: formatAmount(chargeTotal),
      taxExclusive: formatAmount(taxExclusive),
      vatTotal: formatAmount(vatTotal),
      taxInclusive: formatAmount(taxInclusive),
      payable: formatAmount(payable),
    },
  }
}
