// The normalised e-invoice: what GSS keeps from a UBL 2.1 Invoice or CreditNote (Peppol BIS
// Billing 3.0 / EN 16931). Business term numbers (BT-n, BG-n) are EN 16931's.
//
// Money is `amountMinor`: an integer count of hundredths of the currency unit (pence for GBP,
// cents for EUR). EN 16931 allows at most two decimals in every monetary amount (rules BR-DEC-*
// and UBL-DT-01), so the conversion is exact. Prices and quantities may carry more decimals; they
// are kept as exact decimal text ("0.0125"), never as binary floats.
//
// A credit note's amounts are positive, as UBL writes them: `kind` says which way they go.

export type DocumentKind = 'invoice' | 'credit-note'

export interface Money {
  /** Hundredths of the currency unit, as a safe integer. */
  amountMinor: number
  /** ISO 4217 code. */
  currency: string
}

export interface Identifier {
  value: string
  /** ISO 6523 ICD (e.g. "0088" GLN) or, for an endpoint, an EAS code (e.g. "0088", "9932"). */
  scheme?: string
}

export interface PostalAddress {
  streetName?: string
  additionalStreetName?: string
  addressLine?: string
  cityName?: string
  postalZone?: string
  countrySubentity?: string
  /** ISO 3166-1 alpha-2. */
  countryCode?: string
}

export interface Contact {
  name?: string
  telephone?: string
  email?: string
}

/** Seller (BG-4) or buyer (BG-7). */
export interface Party {
  /** BT-27 / BT-44: the registered legal name. */
  name: string
  /** BT-28 / BT-45: trading name, when it differs. */
  tradingName?: string
  /** BT-34 / BT-49: electronic address (Peppol participant id) with its EAS scheme. */
  endpoint?: Identifier
  /** BT-29 / BT-46: other identifiers (GLN, bank creditor reference, ...). */
  identifiers: Identifier[]
  /** BT-30 / BT-47: legal registration, e.g. a UK Companies House number. */
  legalRegistration?: Identifier
  /** BT-33: additional legal information (seller only). */
  legalForm?: string
  /** BT-31 / BT-48: VAT identifier with country prefix (GB123456789). */
  vatId?: string
  /** BT-32: tax registration other than VAT (seller only). */
  taxRegistrationId?: string
  address: PostalAddress
  contact?: Contact
}

/** BG-10. */
export interface Payee {
  name: string
  identifiers: Identifier[]
  legalRegistration?: Identifier
}

/** BG-11. */
export interface TaxRepresentative {
  name: string
  vatId?: string
  address: PostalAddress
}

/** BG-16 with BG-17 (credit transfer), BG-18 (card) and BG-19 (direct debit). */
export interface PaymentMeans {
  /** BT-81, UNCL 4461: 30 credit transfer, 58 SEPA credit transfer, 49/59 direct debit, 48 card... */
  code: string
  /** BT-82. */
  text?: string
  /** BT-83: remittance information the payer should quote. */
  paymentId?: string
  /** BG-17. */
  account?: {
    /** BT-84: IBAN, or a UK account number. */
    id: string
    /** BT-85. */
    name?: string
    /** BT-86: BIC, or a UK sort code. */
    servicerId?: string
  }
  /** BG-18. */
  card?: { accountNumberTail: string; holderName?: string }
  /** BG-19. */
  mandate?: { id?: string; debitedAccountId?: string }
}

export interface VatCategory {
  /** UNCL 5305 subset: S, Z, E, AE, K, G, O, L, M. */
  category: string
  /** Percent as exact decimal text ("20", "12.5"); absent for category O. */
  ratePercent?: string
}

/** BG-20 / BG-21 (document level) or BG-27 / BG-28 (line level). */
export interface AllowanceCharge {
  isCharge: boolean
  amount: Money
  baseAmount?: Money
  /** Percentage as exact decimal text. */
  percent?: string
  reason?: string
  /** UNCL 5189 (allowances) or UNCL 7161 (charges). */
  reasonCode?: string
  /** Document level only. */
  vat?: VatCategory
}

export interface Period {
  /** ISO dates (YYYY-MM-DD). */
  startDate?: string
  endDate?: string
  /** BT-8, UNCL 2005 (document level only). */
  descriptionCode?: string
}

/** BG-25. */
export interface Line {
  /** BT-126. */
  id: string
  note?: string
  /** BT-129: exact decimal text; may be negative. */
  quantity: string
  /** BT-130: UN/ECE Rec 20/21. */
  unitCode: string
  /** BT-131. */
  netAmount: Money
  accountingCost?: string
  /** BT-132: purchase order line. */
  orderLineReference?: string
  period?: Period
  allowanceCharges: AllowanceCharge[]
  item: {
    /** BT-153. */
    name: string
    description?: string
    sellerItemId?: string
    buyerItemId?: string
    standardItemId?: Identifier
    /** BT-158 with its UNTDID 7143 list (e.g. STI = UNSPSC... as the document says). */
    classifications: { code: string; listId?: string; listVersionId?: string }[]
    originCountry?: string
    attributes: { name: string; value: string }[]
  }
  price: {
    /** BT-146: net price, exact decimal text. */
    amount: string
    /** BT-149. */
    baseQuantity?: string
    baseQuantityUnitCode?: string
    /** BT-147: price discount, exact decimal text. */
    discount?: string
    /** BT-148: gross price, exact decimal text. */
    grossAmount?: string
  }
  vat: VatCategory
}

/** BG-23. */
export interface VatBreakdown extends VatCategory {
  taxableAmount: Money
  taxAmount: Money
  exemptionReason?: string
  exemptionReasonCode?: string
}

/** BG-22. */
export interface Totals {
  lineExtension: Money
  taxExclusive: Money
  taxInclusive: Money
  allowanceTotal?: Money
  chargeTotal?: Money
  prepaid?: Money
  rounding?: Money
  payable: Money
  /** BT-110. */
  vatTotal: Money
  /** BT-111, in the VAT accounting currency. */
  vatTotalInAccountingCurrency?: Money
}

export interface EInvoice {
  kind: DocumentKind
  /** BT-24. */
  customizationId: string
  /** BT-23: Peppol business process. */
  profileId?: string
  /** BT-1. */
  id: string
  /** BT-2, ISO date. */
  issueDate: string
  /** BT-9. */
  dueDate?: string
  /** BT-3, UNTDID 1001: 380 commercial invoice, 381 credit note, 384 corrected invoice... */
  typeCode: string
  /** BT-5. */
  currency: string
  /** BT-6: VAT accounting currency, when it differs. */
  vatAccountingCurrency?: string
  /** BT-7. */
  taxPointDate?: string
  notes: string[]
  /** BT-10: the buyer's reference (in the UK public sector, often the PO or a cost-centre code). */
  buyerReference?: string
  /** BT-13. */
  orderReference?: string
  /** BT-14. */
  salesOrderReference?: string
  /** BT-12. */
  contractReference?: string
  /** BT-11. */
  projectReference?: string
  /** BT-19. */
  accountingCost?: string
  /** BG-14. */
  invoicePeriod?: Period
  /** BG-3: the invoices this document corrects or credits. */
  precedingInvoices: { id: string; issueDate?: string }[]
  seller: Party
  buyer: Party
  payee?: Payee
  taxRepresentative?: TaxRepresentative
  delivery?: { date?: string; locationId?: Identifier; partyName?: string; address?: PostalAddress }
  paymentMeans: PaymentMeans[]
  /** BT-20. */
  paymentTerms?: string
  allowanceCharges: AllowanceCharge[]
  lines: Line[]
  vatBreakdown: VatBreakdown[]
  totals: Totals
}
