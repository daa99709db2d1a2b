// UBL 2.1 Invoice / CreditNote: find the document in safe XML (parseUbl) and read it into the
// normalised model (readEInvoice). Elements are matched by namespace URI and local name, never by
// prefix, so `<cbc:ID>`, `<b:ID xmlns:b="...CommonBasicComponents-2">` and a default-namespace
// `<ID>` are the same element.
//
// readEInvoice is meant to run after validation (rules.ts): it assumes the mandatory business
// terms are present and amounts have at most two decimals, and asserts it (a failure is a bug).

import { assert } from '../../platform/errors.ts'
import { parseDecimal, toMinorUnits } from './decimal.ts'
import type {
  AllowanceCharge,
  DocumentKind,
  EInvoice,
  Identifier,
  Line,
  Money,
  Party,
  PaymentMeans,
  Period,
  PostalAddress,
  VatBreakdown,
  VatCategory,
} from './model.ts'
import { NotAnEInvoiceError, parseXml, type XmlElement, type XmlLimits } from './xml.ts'

export const NS = {
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  ext: 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2',
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  creditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
} as const

/** A UBL document found in parsed XML. */
export interface UblDocument {
  kind: DocumentKind
  root: XmlElement
}

/** Parses untrusted bytes or text to a UBL document; throws an EInvoiceInputError otherwise. */
export function parseUbl(input: string | Uint8Array, limits: Partial<XmlLimits> = {}): UblDocument {
  return ublDocument(parseXml(input, limits))
}

/** Checks that parsed XML is a UBL 2.1 Invoice or CreditNote. */
export function ublDocument(root: XmlElement): UblDocument {
  if (root.ns === NS.invoice && root.name === 'Invoice') return { kind: 'invoice', root }
  if (root.ns === NS.creditNote && root.name === 'CreditNote') return { kind: 'credit-note', root }
  throw new NotAnEInvoiceError(describeWrongRoot(root))
}

function describeWrongRoot(root: XmlElement): string {
  const found = `<${root.name}>${root.ns ? ` in namespace ${root.ns}` : ' with no namespace'}`
  let guess = ''
  if (root.ns.startsWith('urn:iso:std:iso:20022:tech:xsd:pain.'))
    guess = ' It looks like an ISO 20022 payment message.'
  else if (root.ns.startsWith('urn:iso:std:iso:20022')) guess = ' It looks like an ISO 20022 message.'
  else if (root.name === 'CrossIndustryInvoice')
    guess = ' It looks like a UN/CEFACT CII invoice, which GSS does not import.'
  else if (root.name === 'Invoice' || root.name === 'CreditNote')
    guess = ' The element name is right but the namespace is not UBL 2.1.'
  else if (root.name === 'testSet') guess = ' It looks like a Schematron unit-test file, not a document.'
  return `The document is ${found}, not a UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0).${guess}`
}

// ---------------------------------------------------------------------------------------------
// Path queries. A path is "cac:Party/cbc:Name": steps separated by "/", each a prefix from NS and
// a local name, or "*" for any element. Compiled once per distinct path string.

interface Step {
  ns: string | undefined
  name: string | undefined
}
const compiled = new Map<string, Step[]>()

function steps(path: string): Step[] {
  let result = compiled.get(path)
  if (result === undefined) {
    result = path.split('/').map((step) => {
      if (step === '*') return { ns: undefined, name: undefined }
      const colon = step.indexOf(':')
      const prefix = step.slice(0, colon) as keyof typeof NS
      assert(colon > 0 && NS[prefix] !== undefined, `Unknown step "${step}" in path "${path}"`)
      return { ns: NS[prefix], name: step.slice(colon + 1) }
    })
    compiled.set(path, result)
  }
  return result
}

function matches(element: XmlElement, step: Step): boolean {
  return (
    (step.ns === undefined || element.ns === step.ns) &&
    (step.name === undefined || element.name === step.name)
  )
}

/** Every element reached by `path` from `from`, in document order. */
export function all(from: XmlElement | undefined, path: string): XmlElement[] {
  if (from === undefined) return []
  let current: XmlElement[] = [from]
  for (const step of steps(path)) {
    const next: XmlElement[] = []
    for (const element of current) {
      for (const child of element.children) if (matches(child, step)) next.push(child)
    }
    current = next
    if (current.length === 0) break
  }
  return current
}

export function first(from: XmlElement | undefined, path: string): XmlElement | undefined {
  return all(from, path)[0]
}

export function has(from: XmlElement | undefined, path: string): boolean {
  return first(from, path) !== undefined
}

/** The trimmed text of the first element on `path`, or undefined if there is none. */
export function text(from: XmlElement | undefined, path: string): string | undefined {
  const element = first(from, path)
  return element === undefined ? undefined : element.text.trim()
}

/** Like text(), but an empty element counts as absent. */
export function value(from: XmlElement | undefined, path: string): string | undefined {
  const found = text(from, path)
  return found === undefined || found === '' ? undefined : found
}

/** Every element with this name at any depth below `from` (XPath //). */
export function descendants(from: XmlElement, qname: string): XmlElement[] {
  const [step] = steps(qname)
  const found: XmlElement[] = []
  const stack: XmlElement[] = [...from.children].reverse()
  while (stack.length > 0) {
    const element = stack.pop()!
    if (matches(element, step!)) found.push(element)
    for (let i = element.children.length - 1; i >= 0; i--) stack.push(element.children[i]!)
  }
  return found
}

/** Invoice lines or credit note lines, whichever the document has. */
export function lines(root: XmlElement): XmlElement[] {
  return [...all(root, 'cac:InvoiceLine'), ...all(root, 'cac:CreditNoteLine')]
}

/** The VAT scheme test used throughout the EN 16931 rules: TaxScheme/ID is "VAT" (any case). */
export function isVatScheme(taxCategory: XmlElement): boolean {
  return all(taxCategory, 'cac:TaxScheme/cbc:ID').some((id) => id.text.trim().toUpperCase() === 'VAT')
}

// ---------------------------------------------------------------------------------------------
// Reading the normalised model.

/** Reads a validated UBL document into the normalised model. */
export function readEInvoice(document: UblDocument): EInvoice {
  const { root, kind } = document
  const currency = required(root, 'cbc:DocumentCurrencyCode')
  const vatAccountingCurrency = value(root, 'cbc:TaxCurrencyCode')
  const totals = first(root, 'cac:LegalMonetaryTotal')
  const taxTotals = all(root, 'cac:TaxTotal')
  const mainTaxTotal = taxTotals.find((total) => has(total, 'cac:TaxSubtotal')) ?? taxTotals[0]
  const accountingTaxTotal =
    vatAccountingCurrency === undefined
      ? undefined
      : taxTotals.find((total) => first(total, 'cbc:TaxAmount')?.attrs.currencyID === vatAccountingCurrency)
  const invoicePeriod = first(root, 'cac:InvoicePeriod')
  const delivery = first(root, 'cac:Delivery')
  const payee = first(root, 'cac:PayeeParty')
  const taxRepresentative = first(root, 'cac:TaxRepresentativeParty')
  const paymentTerms = all(root, 'cac:PaymentTerms/cbc:Note')
    .map((note) => note.text.trim())
    .filter((note) => note !== '')
  return {
    kind,
    customizationId: required(root, 'cbc:CustomizationID'),
    ...optional('profileId', value(root, 'cbc:ProfileID')),
    id: required(root, 'cbc:ID'),
    issueDate: required(root, 'cbc:IssueDate'),
    ...optional('dueDate', value(root, 'cbc:DueDate') ?? value(root, 'cac:PaymentMeans/cbc:PaymentDueDate')),
    typeCode: required(root, kind === 'invoice' ? 'cbc:InvoiceTypeCode' : 'cbc:CreditNoteTypeCode'),
    currency,
    ...optional('vatAccountingCurrency', vatAccountingCurrency),
    ...optional('taxPointDate', value(root, 'cbc:TaxPointDate')),
    notes: all(root, 'cbc:Note')
      .map((note) => note.text.trim())
      .filter((note) => note !== ''),
    ...optional('buyerReference', value(root, 'cbc:BuyerReference')),
    ...optional('orderReference', value(root, 'cac:OrderReference/cbc:ID')),
    ...optional('salesOrderReference', value(root, 'cac:OrderReference/cbc:SalesOrderID')),
    ...optional('contractReference', value(root, 'cac:ContractDocumentReference/cbc:ID')),
    ...optional(
      'projectReference',
      value(root, 'cac:ProjectReference/cbc:ID') ??
        all(root, 'cac:AdditionalDocumentReference')
          .filter((reference) => text(reference, 'cbc:DocumentTypeCode') === '50')
          .map((reference) => value(reference, 'cbc:ID'))[0],
    ),
    ...optional('accountingCost', value(root, 'cbc:AccountingCost')),
    ...optional('invoicePeriod', invoicePeriod && readPeriod(invoicePeriod)),
    precedingInvoices: all(root, 'cac:BillingReference/cac:InvoiceDocumentReference').map((reference) => ({
      id: required(reference, 'cbc:ID'),
      ...optional('issueDate', value(reference, 'cbc:IssueDate')),
    })),
    seller: readParty(present(first(root, 'cac:AccountingSupplierParty/cac:Party'), 'seller')),
    buyer: readParty(present(first(root, 'cac:AccountingCustomerParty/cac:Party'), 'buyer')),
    ...optional(
      'payee',
      payee && {
        name: value(payee, 'cac:PartyName/cbc:Name') ?? '',
        identifiers: all(payee, 'cac:PartyIdentification/cbc:ID').map(readIdentifier),
        ...optional(
          'legalRegistration',
          mapOptional(first(payee, 'cac:PartyLegalEntity/cbc:CompanyID'), readIdentifier),
        ),
      },
    ),
    ...optional(
      'taxRepresentative',
      taxRepresentative && {
        name: value(taxRepresentative, 'cac:PartyName/cbc:Name') ?? '',
        ...optional('vatId', vatId(taxRepresentative)),
        address: readAddress(first(taxRepresentative, 'cac:PostalAddress')),
      },
    ),
    ...optional('delivery', delivery && readDelivery(delivery)),
    paymentMeans: all(root, 'cac:PaymentMeans').map(readPaymentMeans),
    ...optional('paymentTerms', paymentTerms.length > 0 ? paymentTerms.join('\n') : undefined),
    allowanceCharges: all(root, 'cac:AllowanceCharge').map((element) => readAllowanceCharge(element, true)),
    lines: lines(root).map((line) => readLine(line, kind)),
    vatBreakdown: all(mainTaxTotal, 'cac:TaxSubtotal').map(readVatBreakdown),
    totals: {
      lineExtension: money(first(totals, 'cbc:LineExtensionAmount')),
      taxExclusive: money(first(totals, 'cbc:TaxExclusiveAmount')),
      taxInclusive: money(first(totals, 'cbc:TaxInclusiveAmount')),
      ...optional('allowanceTotal', optionalMoney(first(totals, 'cbc:AllowanceTotalAmount'))),
      ...optional('chargeTotal', optionalMoney(first(totals, 'cbc:ChargeTotalAmount'))),
      ...optional('prepaid', optionalMoney(first(totals, 'cbc:PrepaidAmount'))),
      ...optional('rounding', optionalMoney(first(totals, 'cbc:PayableRoundingAmount'))),
      payable: money(first(totals, 'cbc:PayableAmount')),
      vatTotal: optionalMoney(first(mainTaxTotal, 'cbc:TaxAmount')) ?? { amountMinor: 0, currency },
      ...optional('vatTotalInAccountingCurrency', optionalMoney(first(accountingTaxTotal, 'cbc:TaxAmount'))),
    },
  }
}

/** `{ key: value }` when value is defined, `{}` otherwise: keeps absent fields absent. */
function optional<K extends string, V>(key: K, found: V | undefined): { [P in K]?: V } {
  return (found === undefined ? {} : { [key]: found }) as { [P in K]?: V }
}

function mapOptional<T, R>(found: T | undefined, map: (found: T) => R): R | undefined {
  return found === undefined ? undefined : map(found)
}

function required(from: XmlElement, path: string): string {
  const found = value(from, path)
  assert(found !== undefined, `A validated e-invoice lacks ${path}`)
  return found
}

function present<T>(found: T | undefined, what: string): T {
  assert(found !== undefined, `A validated e-invoice lacks the ${what}`)
  return found
}

function money(element: XmlElement | undefined): Money {
  const found = optionalMoney(element)
  assert(found !== undefined, 'A validated e-invoice lacks a mandatory amount')
  return found
}

function optionalMoney(element: XmlElement | undefined): Money | undefined {
  if (element === undefined) return undefined
  const parsed = parseDecimal(element.text)
  const amountMinor = parsed === undefined ? undefined : toMinorUnits(parsed)
  assert(
    amountMinor !== undefined,
    `A validated e-invoice has the amount "${element.text}" in ${element.name}`,
  )
  return { amountMinor, currency: element.attrs.currencyID ?? '' }
}

function decimalText(element: XmlElement | undefined): string | undefined {
  if (element === undefined) return undefined
  const trimmed = element.text.trim()
  return trimmed === '' ? undefined : trimmed
}

function readIdentifier(element: XmlElement): Identifier {
  const scheme = element.attrs.schemeID?.trim()
  return { value: element.text.trim(), ...optional('scheme', scheme || undefined) }
}

function vatId(party: XmlElement): string | undefined {
  const scheme = all(party, 'cac:PartyTaxScheme').find((taxScheme) =>
    all(taxScheme, 'cac:TaxScheme/cbc:ID').some((id) => id.text.trim().toUpperCase() === 'VAT'),
  )
  return value(scheme, 'cbc:CompanyID')
}

function readParty(party: XmlElement): Party {
  const taxRegistration = all(party, 'cac:PartyTaxScheme').find(
    (taxScheme) =>
      !all(taxScheme, 'cac:TaxScheme/cbc:ID').some((id) => id.text.trim().toUpperCase() === 'VAT'),
  )
  const contact = first(party, 'cac:Contact')
  return {
    name: value(party, 'cac:PartyLegalEntity/cbc:RegistrationName') ?? '',
    ...optional('tradingName', value(party, 'cac:PartyName/cbc:Name')),
    ...optional('endpoint', mapOptional(first(party, 'cbc:EndpointID'), readIdentifier)),
    identifiers: all(party, 'cac:PartyIdentification/cbc:ID').map(readIdentifier),
    ...optional(
      'legalRegistration',
      mapOptional(first(party, 'cac:PartyLegalEntity/cbc:CompanyID'), readIdentifier),
    ),
    ...optional('legalForm', value(party, 'cac:PartyLegalEntity/cbc:CompanyLegalForm')),
    ...optional('vatId', vatId(party)),
    ...optional('taxRegistrationId', value(taxRegistration, 'cbc:CompanyID')),
    address: readAddress(first(party, 'cac:PostalAddress')),
    ...optional(
      'contact',
      contact && {
        ...optional('name', value(contact, 'cbc:Name')),
        ...optional('telephone', value(contact, 'cbc:Telephone')),
        ...optional('email', value(contact, 'cbc:ElectronicMail')),
      },
    ),
  }
}

function readAddress(address: XmlElement | undefined): PostalAddress {
  return {
    ...optional('streetName', value(address, 'cbc:StreetName')),
    ...optional('additionalStreetName', value(address, 'cbc:AdditionalStreetName')),
    ...optional('addressLine', value(address, 'cac:AddressLine/cbc:Line')),
    ...optional('cityName', value(address, 'cbc:CityName')),
    ...optional('postalZone', value(address, 'cbc:PostalZone')),
    ...optional('countrySubentity', value(address, 'cbc:CountrySubentity')),
    ...optional('countryCode', value(address, 'cac:Country/cbc:IdentificationCode')),
  }
}

function readDelivery(delivery: XmlElement): NonNullable<EInvoice['delivery']> {
  const address = first(delivery, 'cac:DeliveryLocation/cac:Address')
  return {
    ...optional('date', value(delivery, 'cbc:ActualDeliveryDate')),
    ...optional('locationId', mapOptional(first(delivery, 'cac:DeliveryLocation/cbc:ID'), readIdentifier)),
    ...optional('partyName', value(delivery, 'cac:DeliveryParty/cac:PartyName/cbc:Name')),
    ...optional('address', address && readAddress(address)),
  }
}

function readPeriod(period: XmlElement): Period {
  return {
    ...optional('startDate', value(period, 'cbc:StartDate')),
    ...optional('endDate', value(period, 'cbc:EndDate')),
    ...optional('descriptionCode', value(period, 'cbc:DescriptionCode')),
  }
}

function readPaymentMeans(means: XmlElement): PaymentMeans {
  const account = first(means, 'cac:PayeeFinancialAccount')
  const card = first(means, 'cac:CardAccount')
  const mandate = first(means, 'cac:PaymentMandate')
  const accountId = value(account, 'cbc:ID')
  return {
    code: value(means, 'cbc:PaymentMeansCode') ?? '',
    ...optional('text', first(means, 'cbc:PaymentMeansCode')?.attrs.name?.trim() || undefined),
    ...optional('paymentId', value(means, 'cbc:PaymentID')),
    ...optional(
      'account',
      accountId === undefined
        ? undefined
        : {
            id: accountId,
            ...optional('name', value(account, 'cbc:Name')),
            ...optional('servicerId', value(account, 'cac:FinancialInstitutionBranch/cbc:ID')),
          },
    ),
    ...optional(
      'card',
      card && {
        accountNumberTail: value(card, 'cbc:PrimaryAccountNumberID') ?? '',
        ...optional('holderName', value(card, 'cbc:HolderName')),
      },
    ),
    ...optional(
      'mandate',
      mandate && {
        ...optional('id', value(mandate, 'cbc:ID')),
        ...optional('debitedAccountId', value(mandate, 'cac:PayerFinancialAccount/cbc:ID')),
      },
    ),
  }
}

function readVatCategory(category: XmlElement | undefined): VatCategory {
  return {
    category: value(category, 'cbc:ID') ?? '',
    ...optional('ratePercent', decimalText(first(category, 'cbc:Percent'))),
  }
}

function readAllowanceCharge(element: XmlElement, documentLevel: boolean): AllowanceCharge {
  return {
    isCharge: text(element, 'cbc:ChargeIndicator') === 'true',
    amount: money(first(element, 'cbc:Amount')),
    ...optional('baseAmount', optionalMoney(first(element, 'cbc:BaseAmount'))),
    ...optional('percent', decimalText(first(element, 'cbc:MultiplierFactorNumeric'))),
    ...optional('reason', value(element, 'cbc:AllowanceChargeReason')),
    ...optional('reasonCode', value(element, 'cbc:AllowanceChargeReasonCode')),
    ...optional('vat', documentLevel ? readVatCategory(first(element, 'cac:TaxCategory')) : undefined),
  }
}

function readLine(line: XmlElement, kind: DocumentKind): Line {
  const quantity = first(line, kind === 'invoice' ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity')
  const item = first(line, 'cac:Item')
  const price = first(line, 'cac:Price')
  const baseQuantity = first(price, 'cbc:BaseQuantity')
  const priceDiscount = first(price, 'cac:AllowanceCharge')
  const period = first(line, 'cac:InvoicePeriod')
  return {
    id: required(line, 'cbc:ID'),
    ...optional('note', value(line, 'cbc:Note')),
    quantity: present(decimalText(quantity), 'line quantity'),
    unitCode: present(quantity?.attrs.unitCode, 'line unit code'),
    netAmount: money(first(line, 'cbc:LineExtensionAmount')),
    ...optional('accountingCost', value(line, 'cbc:AccountingCost')),
    ...optional('orderLineReference', value(line, 'cac:OrderLineReference/cbc:LineID')),
    ...optional('period', period && readPeriod(period)),
    allowanceCharges: all(line, 'cac:AllowanceCharge').map((element) => readAllowanceCharge(element, false)),
    item: {
      name: value(item, 'cbc:Name') ?? '',
      ...optional('description', value(item, 'cbc:Description')),
      ...optional('sellerItemId', value(item, 'cac:SellersItemIdentification/cbc:ID')),
      ...optional('buyerItemId', value(item, 'cac:BuyersItemIdentification/cbc:ID')),
      ...optional(
        'standardItemId',
        mapOptional(first(item, 'cac:StandardItemIdentification/cbc:ID'), readIdentifier),
      ),
      classifications: all(item, 'cac:CommodityClassification/cbc:ItemClassificationCode').map((code) => ({
        code: code.text.trim(),
        ...optional('listId', code.attrs.listID),
        ...optional('listVersionId', code.attrs.listVersionID),
      })),
      ...optional('originCountry', value(item, 'cac:OriginCountry/cbc:IdentificationCode')),
      attributes: all(item, 'cac:AdditionalItemProperty').map((property) => ({
        name: value(property, 'cbc:Name') ?? '',
        value: value(property, 'cbc:Value') ?? '',
      })),
    },
    price: {
      amount: present(decimalText(first(price, 'cbc:PriceAmount')), 'line price'),
      ...optional('baseQuantity', decimalText(baseQuantity)),
      ...optional('baseQuantityUnitCode', baseQuantity?.attrs.unitCode),
      ...optional('discount', decimalText(first(priceDiscount, 'cbc:Amount'))),
      ...optional('grossAmount', decimalText(first(priceDiscount, 'cbc:BaseAmount'))),
    },
    vat: readVatCategory(first(item, 'cac:ClassifiedTaxCategory')),
  }
}

function readVatBreakdown(subtotal: XmlElement): VatBreakdown {
  const category = first(subtotal, 'cac:TaxCategory')
  return {
    ...readVatCategory(category),
    taxableAmount: money(first(subtotal, 'cbc:TaxableAmount')),
    taxAmount: money(first(subtotal, 'cbc:TaxAmount')),
    ...optional('exemptionReason', value(category, 'cbc:TaxExemptionReason')),
    ...optional('exemptionReasonCode', value(category, 'cbc:TaxExemptionReasonCode')),
  }
}
