// EN 16931 business rules and Peppol BIS Billing 3.0 rules, checked on the parsed UBL tree.
//
// Each rule follows the official Schematron's test (the EN 16931 UBL validation artefacts and the
// Peppol BIS 3 rules), including its XPath quirks, because those artefacts are what senders test
// against: a document they pass must pass here, and one they fail must fail here for the same
// rule. Their unit tests (../shared/testdata/einvoice) are run against this file in
// rules.test.ts. Where a rule compares amounts we use exact decimals (decimal.ts) and XPath's
// rounding, never floats.
//
// Rules are grouped: EN 16931 core (BR-*, BR-CO-*, BR-DEC-*, BR-CL-*, VAT categories, UBL-*)
// always apply; Peppol rules (PEPPOL-*) apply when the document claims Peppol BIS Billing 3.0, or
// when asked for. National Peppol rules (DE-, DK-, GR-, IT-, NL-, NO-, SE-) are not implemented.

import * as codes from './codes.ts'
import {
  abs,
  add,
  compare,
  type Decimal,
  divide,
  equals,
  formatAmount,
  formatDecimal,
  fractionDigits,
  mul,
  parseDecimal,
  roundHalfUp,
  sign,
  sub,
  sum,
  ZERO,
} from './decimal.ts'
import { all, descendants, first, has, isVatScheme, lines, NS, type UblDocument } from './parse.ts'
import type { XmlElement } from './xml.ts'

export type Severity = 'fatal' | 'warning'

export interface Violation {
  /** The rule's official identifier, e.g. "BR-CO-10" or "PEPPOL-EN16931-R120". */
  rule: string
  severity: Severity
  /** "<rule>: <what the rule requires>; <what this document has>". */
  message: string
  /** XPath-like location of the offending element, e.g. "/Invoice/cac:InvoiceLine[2]/cac:Price". */
  path: string
}

export interface ValidationOptions {
  /**
   * Which rule sets to apply. 'auto' (the default) applies the Peppol rules only when the
   * specification identifier (BT-24) names Peppol BIS Billing 3.0; 'peppol' always does;
   * 'en16931' never does.
   */
  profile?: 'auto' | 'peppol' | 'en16931'
}

export const PEPPOL_CUSTOMIZATION_ID =
  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'

/** Validates a UBL document; returns every violation, fatal and warning, in document order. */
export function validate(document: UblDocument, options: ValidationOptions = {}): Violation[] {
  const context = new Context(document)
  for (const check of EN16931_CHECKS) check(context)
  const profile = options.profile ?? 'auto'
  const customization = (first(document.root, 'cbc:CustomizationID')?.text ?? '').trim()
  if (profile === 'peppol' || (profile === 'auto' && customization.startsWith(PEPPOL_CUSTOMIZATION_ID))) {
    for (const check of PEPPOL_CHECKS) check(context)
  }
  return context.violations
}

// ---------------------------------------------------------------------------------------------
// The rules' own words (abridged from the specifications), and their severity.

interface RuleDefinition {
  severity: Severity
  text: string
}

const W = (text: string): RuleDefinition => ({ severity: 'warning', text })
const F = (text: string): RuleDefinition => ({ severity: 'fatal', text })

const DEFINITIONS: Record<string, RuleDefinition> = {
  'BR-01': F('An Invoice shall have a Specification identifier (BT-24)'),
  'BR-02': F('An Invoice shall have an Invoice number (BT-1)'),
  'BR-03': F('An Invoice shall have an Invoice issue date (BT-2)'),
  'BR-04': F('An Invoice shall have an Invoice type code (BT-3)'),
  'BR-05': F('An Invoice shall have an Invoice currency code (BT-5)'),
  'BR-06': F('An Invoice shall contain the Seller name (BT-27)'),
  'BR-07': F('An Invoice shall contain the Buyer name (BT-44)'),
  'BR-08': F('An Invoice shall contain the Seller postal address (BG-5)'),
  'BR-09': F('The Seller postal address (BG-5) shall contain a Seller country code (BT-40)'),
  'BR-10': F('An Invoice shall contain the Buyer postal address (BG-8)'),
  'BR-11': F('The Buyer postal address shall contain a Buyer country code (BT-55)'),
  'BR-12': F('An Invoice shall have the Sum of Invoice line net amount (BT-106)'),
  'BR-13': F('An Invoice shall have the Invoice total amount without VAT (BT-109)'),
  'BR-14': F('An Invoice shall have the Invoice total amount with VAT (BT-112)'),
  'BR-15': F('An Invoice shall have the Amount due for payment (BT-115)'),
  'BR-16': F('An Invoice shall have at least one Invoice line (BG-25)'),
  'BR-17': F(
    'The Payee name (BT-59) shall be provided in the Invoice, if the Payee (BG-10) is different from the Seller (BG-4)',
  ),
  'BR-18': F(
    'The Seller tax representative name (BT-62) shall be provided if the Seller has a tax representative (BG-11)',
  ),
  'BR-19': F(
    'The Seller tax representative postal address (BG-12) shall be provided if the Seller has a tax representative (BG-11)',
  ),
  'BR-20': F(
    'The Seller tax representative postal address (BG-12) shall contain a Tax representative country code (BT-69)',
  ),
  'BR-21': F('Each Invoice line (BG-25) shall have an Invoice line identifier (BT-126)'),
  'BR-22': F('Each Invoice line (BG-25) shall have an Invoiced quantity (BT-129)'),
  'BR-23': F('An Invoice line (BG-25) shall have an Invoiced quantity unit of measure code (BT-130)'),
  'BR-24': F('Each Invoice line (BG-25) shall have an Invoice line net amount (BT-131)'),
  'BR-25': F('Each Invoice line (BG-25) shall contain the Item name (BT-153)'),
  'BR-26': F('Each Invoice line (BG-25) shall contain the Item net price (BT-146)'),
  'BR-27': F('The Item net price (BT-146) shall NOT be negative'),
  'BR-28': F('The Item gross price (BT-148) shall NOT be negative'),
  'BR-29': F(
    'If both Invoicing period start date (BT-73) and end date (BT-74) are given, the end date shall be later or equal to the start date',
  ),
  'BR-30': F(
    'If both Invoice line period start date (BT-134) and end date (BT-135) are given, the end date shall be later or equal to the start date',
  ),
  'BR-31': F('Each Document level allowance (BG-20) shall have a Document level allowance amount (BT-92)'),
  'BR-32': F(
    'Each Document level allowance (BG-20) shall have a Document level allowance VAT category code (BT-95)',
  ),
  'BR-33': F(
    'Each Document level allowance (BG-20) shall have a Document level allowance reason (BT-97) or reason code (BT-98)',
  ),
  'BR-36': F('Each Document level charge (BG-21) shall have a Document level charge amount (BT-99)'),
  'BR-37': F(
    'Each Document level charge (BG-21) shall have a Document level charge VAT category code (BT-102)',
  ),
  'BR-38': F(
    'Each Document level charge (BG-21) shall have a Document level charge reason (BT-104) or reason code (BT-105)',
  ),
  'BR-41': F('Each Invoice line allowance (BG-27) shall have an Invoice line allowance amount (BT-136)'),
  'BR-42': F(
    'Each Invoice line allowance (BG-27) shall have an Invoice line allowance reason (BT-139) or reason code (BT-140)',
  ),
  'BR-43': F('Each Invoice line charge (BG-28) shall have an Invoice line charge amount (BT-141)'),
  'BR-44': F(
    'Each Invoice line charge (BG-28) shall have an Invoice line charge reason (BT-144) or reason code (BT-145)',
  ),
  'BR-45': F('Each VAT breakdown (BG-23) shall have a VAT category taxable amount (BT-116)'),
  'BR-46': F('Each VAT breakdown (BG-23) shall have a VAT category tax amount (BT-117)'),
  'BR-47': F('Each VAT breakdown (BG-23) shall be defined through a VAT category code (BT-118)'),
  'BR-48': F(
    'Each VAT breakdown (BG-23) shall have a VAT category rate (BT-119), except if the Invoice is not subject to VAT',
  ),
  'BR-49': F('A Payment instruction (BG-16) shall specify the Payment means type code (BT-81)'),
  'BR-50': F(
    'A Payment account identifier (BT-84) shall be present if Credit transfer (BG-17) information is provided',
  ),
  'BR-51': W(
    'An invoice should never include a full card primary account number (BT-87): at most the first 6 and last 4 digits',
  ),
  'BR-52': F(
    'Each Additional supporting document (BG-24) shall contain a Supporting document reference (BT-122)',
  ),
  'BR-53': F(
    'If the VAT accounting currency code (BT-6) is present, the Invoice total VAT amount in accounting currency (BT-111) shall be provided',
  ),
  'BR-54': F('Each Item attribute (BG-32) shall contain an Item attribute name (BT-160) and value (BT-161)'),
  'BR-55': F('Each Preceding Invoice reference (BG-3) shall contain a Preceding Invoice reference (BT-25)'),
  'BR-56': F(
    'Each Seller tax representative party (BG-11) shall have a Seller tax representative VAT identifier (BT-63)',
  ),
  'BR-57': F('Each Deliver to address (BG-15) shall contain a Deliver to country code (BT-80)'),
  'BR-61': F(
    'If the Payment means type code (BT-81) means credit transfer (30 or 58), the Payment account identifier (BT-84) shall be present',
  ),
  'BR-62': F('The Seller electronic address (BT-34) shall have a Scheme identifier'),
  'BR-63': F('The Buyer electronic address (BT-49) shall have a Scheme identifier'),
  'BR-64': F('The Item standard identifier (BT-157) shall have a Scheme identifier'),
  'BR-65': F('The Item classification identifier (BT-158) shall have a Scheme identifier'),
  'BR-CO-03': F(
    'Value added tax point date (BT-7) and Value added tax point date code (BT-8) are mutually exclusive',
  ),
  'BR-CO-04': F(
    'Each Invoice line (BG-25) shall be categorized with an Invoiced item VAT category code (BT-151)',
  ),
  'BR-CO-09': F(
    'The Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) shall have an ISO 3166-1 alpha-2 country prefix (Greece may use EL)',
  ),
  'BR-CO-10': F('Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131)'),
  'BR-CO-11': F('Sum of allowances on document level (BT-107) = Σ Document level allowance amount (BT-92)'),
  'BR-CO-12': F('Sum of charges on document level (BT-108) = Σ Document level charge amount (BT-99)'),
  'BR-CO-13': F(
    'Invoice total amount without VAT (BT-109) = Σ Invoice line net amount (BT-131) - Sum of allowances on document level (BT-107) + Sum of charges on document level (BT-108)',
  ),
  'BR-CO-14': F('Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117)'),
  'BR-CO-15': F(
    'Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice total VAT amount (BT-110)',
  ),
  'BR-CO-16': F(
    'Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) - Paid amount (BT-113) + Rounding amount (BT-114)',
  ),
  'BR-CO-17': F(
    'VAT category tax amount (BT-117) = VAT category taxable amount (BT-116) x (VAT category rate (BT-119) / 100), rounded to two decimals',
  ),
  'BR-CO-18': F('An Invoice shall at least have one VAT breakdown group (BG-23)'),
  'BR-CO-19': F(
    'If Invoicing period (BG-14) is used, the Invoicing period start date (BT-73) or end date (BT-74) shall be filled, or both',
  ),
  'BR-CO-20': F(
    'If Invoice line period (BG-26) is used, the Invoice line period start date (BT-134) or end date (BT-135) shall be filled, or both',
  ),
  'BR-CO-21': F(
    'Each Document level allowance (BG-20) shall contain a reason (BT-97) or a reason code (BT-98), or both',
  ),
  'BR-CO-22': F(
    'Each Document level charge (BG-21) shall contain a reason (BT-104) or a reason code (BT-105), or both',
  ),
  'BR-CO-23': F(
    'Each Invoice line allowance (BG-27) shall contain a reason (BT-139) or a reason code (BT-140), or both',
  ),
  'BR-CO-24': F(
    'Each Invoice line charge (BG-28) shall contain a reason (BT-144) or a reason code (BT-145), or both',
  ),
  'BR-CO-25': F(
    'In case the Amount due for payment (BT-115) is positive, either the Payment due date (BT-9) or the Payment terms (BT-20) shall be present',
  ),
  'BR-CO-26': F(
    'The Seller identifier (BT-29), the Seller legal registration identifier (BT-30) and/or the Seller VAT identifier (BT-31) shall be present',
  ),
  'BR-DEC-01': F('The Document level allowance amount (BT-92) has at most 2 decimals'),
  'BR-DEC-02': F('The Document level allowance base amount (BT-93) has at most 2 decimals'),
  'BR-DEC-05': F('The Document level charge amount (BT-99) has at most 2 decimals'),
  'BR-DEC-06': F('The Document level charge base amount (BT-100) has at most 2 decimals'),
  'BR-DEC-09': F('The Sum of Invoice line net amount (BT-106) has at most 2 decimals'),
  'BR-DEC-10': F('The Sum of allowances on document level (BT-107) has at most 2 decimals'),
  'BR-DEC-11': F('The Sum of charges on document level (BT-108) has at most 2 decimals'),
  'BR-DEC-12': F('The Invoice total amount without VAT (BT-109) has at most 2 decimals'),
  'BR-DEC-13': F('The Invoice total VAT amount (BT-110) has at most 2 decimals'),
  'BR-DEC-14': F('The Invoice total amount with VAT (BT-112) has at most 2 decimals'),
  'BR-DEC-15': F('The Invoice total VAT amount in accounting currency (BT-111) has at most 2 decimals'),
  'BR-DEC-16': F('The Paid amount (BT-113) has at most 2 decimals'),
  'BR-DEC-17': F('The Rounding amount (BT-114) has at most 2 decimals'),
  'BR-DEC-18': F('The Amount due for payment (BT-115) has at most 2 decimals'),
  'BR-DEC-19': F('The VAT category taxable amount (BT-116) has at most 2 decimals'),
  'BR-DEC-20': F('The VAT category tax amount (BT-117) has at most 2 decimals'),
  'BR-DEC-23': F('The Invoice line net amount (BT-131) has at most 2 decimals'),
  'BR-DEC-24': F('The Invoice line allowance amount (BT-136) has at most 2 decimals'),
  'BR-DEC-25': F('The Invoice line allowance base amount (BT-137) has at most 2 decimals'),
  'BR-DEC-27': F('The Invoice line charge amount (BT-141) has at most 2 decimals'),
  'BR-DEC-28': F('The Invoice line charge base amount (BT-142) has at most 2 decimals'),
  'BR-CL-01': F(
    'The document type code (BT-3) MUST be coded by the invoice and credit note related code lists of UNTDID 1001',
  ),
  'BR-CL-03': F('currencyID MUST be coded using ISO code list 4217 alpha-3'),
  'BR-CL-04': F('Invoice currency code (BT-5) MUST be coded using ISO code list 4217 alpha-3'),
  'BR-CL-05': F('Tax currency code (BT-6) MUST be coded using ISO code list 4217 alpha-3'),
  'BR-CL-06': F('Value added tax point date code (BT-8) MUST be coded using a restriction of UNTDID 2005'),
  'BR-CL-07': F(
    'Object identifier identification scheme identifier MUST be coded using a restriction of UNTDID 1153',
  ),
  'BR-CL-10': F(
    'Any identifier identification scheme identifier MUST be coded using one of the ISO 6523 ICD list',
  ),
  'BR-CL-11': F(
    'Any registration identifier identification scheme identifier MUST be coded using one of the ISO 6523 ICD list',
  ),
  'BR-CL-13': F(
    'Item classification identifier identification scheme identifier MUST be coded using one of the UNTDID 7143 list',
  ),
  'BR-CL-14': F('Country codes in an invoice MUST be coded using ISO code list 3166-1'),
  'BR-CL-15': F('Country codes in an invoice MUST be coded using ISO code list 3166-1'),
  'BR-CL-16': F('Payment means in an invoice MUST be coded using UNCL4461 code list'),
  'BR-CL-17': F('Invoice tax categories MUST be coded using UNCL5305 code list'),
  'BR-CL-18': F('Invoice tax categories MUST be coded using UNCL5305 code list'),
  'BR-CL-19': F('Coded allowance reasons MUST belong to the UNCL 5189 code list'),
  'BR-CL-20': F('Coded charge reasons MUST belong to the UNCL 7161 code list'),
  'BR-CL-21': F('Item standard identifier scheme identifier MUST belong to the ISO 6523 ICD code list'),
  'BR-CL-22': F(
    'Tax exemption reason code identifier scheme identifier MUST belong to the CEF VATEX code list',
  ),
  'BR-CL-23': F('Unit code MUST be coded according to the UN/ECE Recommendation 20 with Rec 21 extension'),
  'BR-CL-24': F('For Mime code in attribute use MIMEMediaType'),
  'BR-CL-25': F('Endpoint identifier scheme identifier MUST belong to the CEF EAS code list'),
  'UBL-DT-01': F('Amounts shall be decimal up to two fraction digits'),
  'UBL-DT-06': F('Binary object elements shall contain the mime code attribute'),
  'UBL-DT-07': F('Binary object elements shall contain the file name attribute'),
  'UBL-SR-12': W('Seller VAT identifier shall occur maximum once'),
  'UBL-SR-18': W('Buyer VAT identifier shall occur maximum once'),
  'UBL-SR-42': W('Party tax scheme shall occur maximum twice in accounting supplier party'),
  'UBL-SR-43': W(
    'Scheme identifier shall only be used for invoiced object (document type code with value 130)',
  ),
  'UBL-SR-44': W('Payment ID shall occur maximum once'),
  'UBL-SR-47': W('When there are more than one payment means code, they shall be equal'),
  'GSS-UBL-DECIMAL': F(
    'Amounts, quantities, percentages and prices shall be decimal numbers (xs:decimal, no exponent)',
  ),
  'PEPPOL-EN16931-R001': F('Business process (BT-23, cbc:ProfileID) MUST be provided'),
  'PEPPOL-EN16931-R002': F('No more than one note is allowed on document level'),
  'PEPPOL-EN16931-R003': F('A buyer reference (BT-10) or purchase order reference (BT-13) MUST be provided'),
  'PEPPOL-EN16931-R004': F(
    `Specification identifier (BT-24) MUST have the value '${PEPPOL_CUSTOMIZATION_ID}'`,
  ),
  'PEPPOL-EN16931-R005': F(
    'VAT accounting currency code (BT-6) MUST be different from invoice currency code (BT-5) when provided',
  ),
  'PEPPOL-EN16931-R007': F(
    "Business process MUST be in the format 'urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0'",
  ),
  'PEPPOL-EN16931-R008': W('Document MUST not contain empty elements'),
  'PEPPOL-EN16931-R010': F('Buyer electronic address (BT-49) MUST be provided'),
  'PEPPOL-EN16931-R020': F('Seller electronic address (BT-34) MUST be provided'),
  'PEPPOL-EN16931-R040': F(
    'Allowance/charge amount must equal base amount * percentage/100 if base amount and percentage exist',
  ),
  'PEPPOL-EN16931-R041': F(
    'Allowance/charge base amount MUST be provided when allowance/charge percentage is provided',
  ),
  'PEPPOL-EN16931-R042': F(
    'Allowance/charge percentage MUST be provided when allowance/charge base amount is provided',
  ),
  'PEPPOL-EN16931-R043': F("Allowance/charge ChargeIndicator value MUST equal 'true' or 'false'"),
  'PEPPOL-EN16931-R044': F("Charge on price level is NOT allowed. Only value 'false' allowed"),
  'PEPPOL-EN16931-R046': F(
    'Item net price (BT-146) MUST equal (Gross price (BT-148) - Allowance amount (BT-147)) when gross price is provided',
  ),
  'PEPPOL-EN16931-R051': F(
    'All currencyID attributes must have the same value as the invoice currency code (BT-5), except for the invoice total VAT amount in accounting currency (BT-111)',
  ),
  'PEPPOL-EN16931-R053': F('Only one tax total with tax subtotals MUST be provided'),
  'PEPPOL-EN16931-R054': F(
    'Only one tax total without tax subtotals MUST be provided when tax currency code is provided',
  ),
  'PEPPOL-EN16931-R055': F(
    'Invoice total VAT amount and Invoice total VAT amount in accounting currency MUST have the same operational sign',
  ),
  'PEPPOL-EN16931-R061': F('Mandate reference MUST be provided for direct debit'),
  'PEPPOL-EN16931-R080': F('Only one project reference is allowed on document level'),
  'PEPPOL-EN16931-R100': F('Only one invoiced object is allowed per line'),
  'PEPPOL-EN16931-R101': F('Element Document reference can only be used for Invoice line object'),
  'PEPPOL-EN16931-R110': F('Start date of line period MUST be within invoice period'),
  'PEPPOL-EN16931-R111': F('End date of line period MUST be within invoice period'),
  'PEPPOL-EN16931-R120': F(
    'Invoice line net amount MUST equal (Invoiced quantity * (Item net price/item price base quantity) + Sum of invoice line charge amount - sum of invoice line allowance amount',
  ),
  'PEPPOL-EN16931-R121': F('Base quantity MUST be a positive number above zero'),
  'PEPPOL-EN16931-R130': F('Unit code of price base quantity MUST be same as invoiced quantity'),
  'PEPPOL-EN16931-CL001': F('Mime code must be according to subset of IANA code list'),
  'PEPPOL-EN16931-CL002': F('Reason code MUST be according to subset of UNCL 5189 D.16B'),
  'PEPPOL-EN16931-CL003': F('Reason code MUST be according to UNCL 7161 D.16B'),
  'PEPPOL-EN16931-CL006': F('Invoice period description code must be according to UNCL 2005 D.16B'),
  'PEPPOL-EN16931-CL007': F('Currency code must be according to ISO 4217:2005'),
  'PEPPOL-EN16931-CL008': F(
    'Electronic address identifier scheme must be from the codelist "Electronic Address Identifier Scheme"',
  ),
  'PEPPOL-EN16931-F001': F('A date MUST be formatted YYYY-MM-DD'),
  'PEPPOL-EN16931-P0100': F('Invoice type code MUST be set according to the profile'),
  'PEPPOL-EN16931-P0101': F('Credit note type code MUST be set according to the profile'),
  'PEPPOL-EN16931-P0104': F('Tax Category G MUST be used when exemption reason code is VATEX-EU-G'),
  'PEPPOL-EN16931-P0105': F('Tax Category O MUST be used when exemption reason code is VATEX-EU-O'),
  'PEPPOL-EN16931-P0106': F('Tax Category K MUST be used when exemption reason code is VATEX-EU-IC'),
  'PEPPOL-EN16931-P0107': F('Tax Category AE MUST be used when exemption reason code is VATEX-EU-AE'),
  'PEPPOL-EN16931-P0108': F('Tax Category E MUST be used when exemption reason code is VATEX-EU-D'),
  'PEPPOL-EN16931-P0109': F('Tax Category E MUST be used when exemption reason code is VATEX-EU-F'),
  'PEPPOL-EN16931-P0110': F('Tax Category E MUST be used when exemption reason code is VATEX-EU-I'),
  'PEPPOL-EN16931-P0111': F('Tax Category E MUST be used when exemption reason code is VATEX-EU-J'),
  'PEPPOL-EN16931-P0112': F(
    'Invoice type code 326 or 384 are only allowed when both buyer and seller are German organizations',
  ),
  'PEPPOL-COMMON-R040': F('GLN must have a valid format according to GS1 rules'),
  'PEPPOL-COMMON-R041': F('Norwegian organization number MUST be stated in the correct format'),
  'PEPPOL-COMMON-R042': F('Danish organization number (CVR) MUST be stated in the correct format'),
  'PEPPOL-COMMON-R043': F('Belgian enterprise number MUST be stated in the correct format'),
  'PEPPOL-COMMON-R044': W(
    'IPA Code (Codice Univoco Unità Organizzativa) must be stated in the correct format',
  ),
  'PEPPOL-COMMON-R045': W('Tax Code (Codice Fiscale) must be stated in the correct format'),
  'PEPPOL-COMMON-R046': W('Tax Code (Codice Fiscale) must be stated in the correct format'),
  'PEPPOL-COMMON-R047': W('Italian VAT Code (Partita Iva) must be stated in the correct format'),
  'PEPPOL-COMMON-R049': F('Swedish organization number MUST be stated in the correct format'),
  'PEPPOL-COMMON-R050': F('Australian Business Number (ABN) MUST be stated in the correct format'),
}

/** The VAT category rules, generated per category below, in the same shape. */
interface VatCategoryRules {
  /** UNCL 5305 code. */
  code: string
  /** Rule-id prefix: BR-S, BR-Z, ... (IGIC and IPSI were renumbered BR-AF and BR-AG in 2024). */
  prefix: string
  label: string
  /** How the breakdown must list the category: exactly once, or at least once (bi-directional). */
  breakdown: 'exactly-one' | 'at-least-one'
  /** Which identifiers the document needs when it uses the category. */
  parties: 'seller-vat' | 'seller-vat-scheme' | 'seller-and-buyer' | 'seller-and-buyer-vat' | 'none-allowed'
  /** Required VAT rate on lines and allowances/charges. */
  rate: 'zero' | 'positive' | 'non-negative' | 'absent'
  /** How the taxable amount is summed: per rate (with the artefacts' tolerance of 1) or whole. */
  taxable: 'per-rate' | 'whole'
  /** Tax amount: rate × taxable (tolerance 1) or zero. */
  tax: 'rate' | 'zero'
  /** Exemption reason: required or forbidden. */
  exemption: 'required' | 'forbidden'
}

const VAT_CATEGORIES: VatCategoryRules[] = [
  {
    code: 'S',
    prefix: 'BR-S',
    label: 'Standard rated',
    breakdown: 'at-least-one',
    parties: 'seller-vat',
    rate: 'positive',
    taxable: 'per-rate',
    tax: 'rate',
    exemption: 'forbidden',
  },
  {
    code: 'Z',
    prefix: 'BR-Z',
    label: 'Zero rated',
    breakdown: 'exactly-one',
    parties: 'seller-vat',
    rate: 'zero',
    taxable: 'whole',
    tax: 'zero',
    exemption: 'forbidden',
  },
  {
    code: 'E',
    prefix: 'BR-E',
    label: 'Exempt from VAT',
    breakdown: 'exactly-one',
    parties: 'seller-vat',
    rate: 'zero',
    taxable: 'whole',
    tax: 'zero',
    exemption: 'required',
  },
  {
    code: 'AE',
    prefix: 'BR-AE',
    label: 'Reverse charge',
    breakdown: 'exactly-one',
    parties: 'seller-and-buyer',
    rate: 'zero',
    taxable: 'whole',
    tax: 'zero',
    exemption: 'required',
  },
  {
    code: 'K',
    prefix: 'BR-IC',
    label: 'Intra-community supply',
    breakdown: 'exactly-one',
    parties: 'seller-and-buyer-vat',
    rate: 'zero',
    taxable: 'whole',
    tax: 'zero',
    exemption: 'required',
  },
  {
    code: 'G',
    prefix: 'BR-G',
    label: 'Export outside the EU',
    breakdown: 'exactly-one',
    parties: 'seller-vat-scheme',
    rate: 'zero',
    taxable: 'whole',
    tax: 'zero',
    exemption: 'required',
  },
  {
    code: 'O',
    prefix: 'BR-O',
    label: 'Not subject to VAT',
    breakdown: 'exactly-one',
    parties: 'none-allowed',
    rate: 'absent',
    taxable: 'whole',
    tax: 'zero',
    exemption: 'required',
  },
  {
    code: 'L',
    prefix: 'BR-AF',
    label: 'IGIC (Canary Islands)',
    breakdown: 'at-least-one',
    parties: 'seller-vat',
    rate: 'non-negative',
    taxable: 'per-rate',
    tax: 'rate',
    exemption: 'forbidden',
  },
  {
    code: 'M',
    prefix: 'BR-AG',
    label: 'IPSI (Ceuta and Melilla)',
    breakdown: 'at-least-one',
    parties: 'seller-vat',
    rate: 'non-negative',
    taxable: 'per-rate',
    tax: 'rate',
    exemption: 'forbidden',
  },
]

for (const category of VAT_CATEGORIES) {
  const l = `"${category.label}" (${category.code})`
  const partiesText = {
    'seller-vat':
      'shall contain the Seller VAT identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)',
    'seller-vat-scheme':
      'shall contain the Seller VAT identifier (BT-31) or the Seller tax representative VAT identifier (BT-63)',
    'seller-and-buyer':
      'shall contain the Seller VAT identifier (BT-31), tax registration identifier (BT-32) and/or tax representative VAT identifier (BT-63), and the Buyer VAT identifier (BT-48) and/or legal registration identifier (BT-47)',
    'seller-and-buyer-vat':
      'shall contain the Seller VAT identifier (BT-31) or the Seller tax representative VAT identifier (BT-63), and the Buyer VAT identifier (BT-48)',
    'none-allowed':
      'shall not contain the Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) or the Buyer VAT identifier (BT-48)',
  }[category.parties]
  const rateText = {
    zero: 'shall be 0 (zero)',
    positive: 'shall be greater than zero',
    'non-negative': 'shall be 0 (zero) or greater than zero',
    absent: 'shall not be present',
  }[category.rate]
  const p = category.prefix
  DEFINITIONS[`${p}-01`] = F(
    `An Invoice with a line, document level allowance or charge whose VAT category code is ${l} shall contain in the VAT breakdown (BG-23) ${category.breakdown === 'exactly-one' ? 'exactly one' : 'at least one'} VAT category code (BT-118) ${l}`,
  )
  DEFINITIONS[`${p}-02`] = F(
    `An Invoice with a line where the Invoiced item VAT category code (BT-151) is ${l} ${partiesText}`,
  )
  DEFINITIONS[`${p}-03`] = F(
    `An Invoice with a Document level allowance where the VAT category code (BT-95) is ${l} ${partiesText}`,
  )
  DEFINITIONS[`${p}-04`] = F(
    `An Invoice with a Document level charge where the VAT category code (BT-102) is ${l} ${partiesText}`,
  )
  DEFINITIONS[`${p}-05`] = F(
    `In an Invoice line where the Invoiced item VAT category code (BT-151) is ${l} the Invoiced item VAT rate (BT-152) ${rateText}`,
  )
  DEFINITIONS[`${p}-06`] = F(
    `In a Document level allowance where the VAT category code (BT-95) is ${l} the allowance VAT rate (BT-96) ${rateText}`,
  )
  DEFINITIONS[`${p}-07`] = F(
    `In a Document level charge where the VAT category code (BT-102) is ${l} the charge VAT rate (BT-103) ${rateText}`,
  )
  DEFINITIONS[`${p}-08`] = F(
    `In a VAT breakdown (BG-23) with VAT category code ${l}${category.taxable === 'per-rate' ? ', for each VAT rate,' : ''} the taxable amount (BT-116) shall equal Σ Invoice line net amounts (BT-131) + Σ Document level charges (BT-99) - Σ Document level allowances (BT-92) with that category${category.taxable === 'per-rate' ? ' and rate' : ''}`,
  )
  DEFINITIONS[`${p}-09`] = F(
    category.tax === 'zero'
      ? `The VAT category tax amount (BT-117) in a VAT breakdown with VAT category code ${l} shall be 0 (zero)`
      : `The VAT category tax amount (BT-117) in a VAT breakdown with VAT category code ${l} shall equal the taxable amount (BT-116) multiplied by the VAT category rate (BT-119)`,
  )
  DEFINITIONS[`${p}-10`] = F(
    category.exemption === 'required'
      ? `A VAT breakdown with VAT category code ${l} shall have a VAT exemption reason code (BT-121) or text (BT-120)`
      : `A VAT breakdown with VAT category code ${l} shall not have a VAT exemption reason code (BT-121) or text (BT-120)`,
  )
}
DEFINITIONS['BR-IC-11'] = F(
  'In an Invoice with a VAT breakdown (BG-23) where the VAT category code is "Intra-community supply" the Actual delivery date (BT-72) or the Invoicing period (BG-14) shall not be blank',
)
DEFINITIONS['BR-IC-12'] = F(
  'In an Invoice with a VAT breakdown (BG-23) where the VAT category code is "Intra-community supply" the Deliver to country code (BT-80) shall not be blank',
)
DEFINITIONS['BR-O-11'] = F(
  'An Invoice with a VAT breakdown (BG-23) with VAT category code "Not subject to VAT" shall not contain other VAT breakdown groups',
)
DEFINITIONS['BR-O-12'] = F(
  'An Invoice with a VAT breakdown (BG-23) with VAT category code "Not subject to VAT" shall not contain an Invoice line whose VAT category code (BT-151) is not "Not subject to VAT"',
)
DEFINITIONS['BR-O-13'] = F(
  'An Invoice with a VAT breakdown (BG-23) with VAT category code "Not subject to VAT" shall not contain Document level allowances whose VAT category code (BT-95) is not "Not subject to VAT"',
)
DEFINITIONS['BR-O-14'] = F(
  'An Invoice with a VAT breakdown (BG-23) with VAT category code "Not subject to VAT" shall not contain Document level charges whose VAT category code (BT-102) is not "Not subject to VAT"',
)

/** Every rule this validator checks. */
export const IMPLEMENTED_RULES: ReadonlySet<string> = new Set(Object.keys(DEFINITIONS))

export function ruleDefinition(rule: string): RuleDefinition | undefined {
  return DEFINITIONS[rule]
}

// ---------------------------------------------------------------------------------------------
// Evaluation context: the document, element paths for messages, and the violations found.

class Context {
  readonly root: XmlElement
  readonly kind: UblDocument['kind']
  readonly lines: XmlElement[]
  readonly violations: Violation[] = []
  private parents: Map<XmlElement, XmlElement> | undefined

  constructor(document: UblDocument) {
    this.root = document.root
    this.kind = document.kind
    this.lines = lines(document.root)
  }

  fail(rule: string, at: XmlElement, detail?: string): void {
    const definition = DEFINITIONS[rule]
    if (definition === undefined) throw new Error(`Rule ${rule} has no definition`)
    this.violations.push({
      rule,
      severity: definition.severity,
      message: `${rule}: ${definition.text}${detail ? `; ${detail}` : ''}`,
      path: this.path(at),
    })
  }

  check(condition: boolean, rule: string, at: XmlElement, detail?: () => string): void {
    if (!condition) this.fail(rule, at, detail?.())
  }

  parent(element: XmlElement): XmlElement | undefined {
    this.path(this.root)
    return this.parents!.get(element)
  }

  path(element: XmlElement): string {
    if (this.parents === undefined) {
      this.parents = new Map()
      const stack = [this.root]
      while (stack.length > 0) {
        const parent = stack.pop()!
        for (const child of parent.children) {
          this.parents.set(child, parent)
          stack.push(child)
        }
      }
    }
    const steps: string[] = []
    let current: XmlElement | undefined = element
    while (current !== undefined) {
      const parent = this.parents.get(current)
      const name = qualifiedName(current)
      if (parent === undefined) {
        steps.push(name)
      } else {
        const same = parent.children.filter(
          (child) => child.ns === current!.ns && child.name === current!.name,
        )
        steps.push(same.length > 1 ? `${name}[${same.indexOf(current) + 1}]` : name)
      }
      current = parent
    }
    return `/${steps.reverse().join('/')}`
  }
}

function qualifiedName(element: XmlElement): string {
  if (element.ns === NS.cbc) return `cbc:${element.name}`
  if (element.ns === NS.cac) return `cac:${element.name}`
  if (element.ns === NS.ext) return `ext:${element.name}`
  return element.name
}

type Check = (context: Context) => void

// ---------------------------------------------------------------------------------------------
// XPath-like helpers. `sv` is an element's string value; comparisons follow XPath's general
// comparison rules: a test over a missing node is false.

function sv(element: XmlElement): string {
  if (element.children.length === 0) return element.text
  return element.text + element.children.map(sv).join('')
}

/** normalize-space(). */
function ns(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim()
}

/** (path) != '': some element on the path has a non-empty string value. */
function nonEmpty(from: XmlElement | undefined, path: string): boolean {
  return all(from, path).some((element) => sv(element) !== '')
}

function dec(element: XmlElement | undefined): Decimal | undefined {
  return element === undefined ? undefined : parseDecimal(element.text)
}

/** xs:boolean cast of a ChargeIndicator; undefined when missing or not a boolean. */
function indicator(allowanceCharge: XmlElement): boolean | undefined {
  const value = first(allowanceCharge, 'cbc:ChargeIndicator')?.text.trim()
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  return undefined
}

function categoryCode(taxCategory: XmlElement | undefined): string {
  return ns(first(taxCategory, 'cbc:ID')?.text)
}

function vatCategories(element: XmlElement, path: string): XmlElement[] {
  return all(element, path).filter(isVatScheme)
}

function documentAllowanceCharges(context: Context, charge: boolean): XmlElement[] {
  return all(context.root, 'cac:AllowanceCharge').filter((element) => indicator(element) === charge)
}

/** Every cac:AllowanceCharge in the document (document level, line level and price level). */
function anyAllowanceCharges(context: Context, charge: boolean): XmlElement[] {
  return descendants(context.root, 'cac:AllowanceCharge').filter((element) => indicator(element) === charge)
}

function fmt(value: Decimal | undefined): string {
  return value === undefined ? 'nothing' : formatAmount(value)
}

function quote(element: XmlElement | undefined): string {
  return element === undefined ? 'nothing' : `"${element.text.trim()}"`
}

function hasVatCompanyId(party: XmlElement | undefined): boolean {
  return all(party, 'cac:PartyTaxScheme').some(
    (scheme) => isVatScheme(scheme) && has(scheme, 'cbc:CompanyID'),
  )
}

/** round(x × 100) div 100, as the artefacts write every expected amount. */
function round2(value: Decimal): Decimal {
  return roundHalfUp(value, 2)
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

function isDate(text: string): boolean {
  const match = ISO_DATE.exec(text)
  if (match === null) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

// ---------------------------------------------------------------------------------------------
// EN 16931 core rules.

const documentLevel: Check = (c) => {
  const r = c.root
  c.check(nonEmpty(r, 'cbc:CustomizationID'), 'BR-01', r)
  c.check(nonEmpty(r, 'cbc:ID'), 'BR-02', r)
  c.check(nonEmpty(r, 'cbc:IssueDate'), 'BR-03', r)
  c.check(nonEmpty(r, 'cbc:InvoiceTypeCode') || nonEmpty(r, 'cbc:CreditNoteTypeCode'), 'BR-04', r)
  c.check(nonEmpty(r, 'cbc:DocumentCurrencyCode'), 'BR-05', r)
  c.check(
    nonEmpty(r, 'cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName'),
    'BR-06',
    r,
  )
  c.check(
    nonEmpty(r, 'cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName'),
    'BR-07',
    r,
  )
  c.check(has(r, 'cac:AccountingSupplierParty/cac:Party/cac:PostalAddress'), 'BR-08', r)
  c.check(has(r, 'cac:AccountingCustomerParty/cac:Party/cac:PostalAddress'), 'BR-10', r)
  c.check(c.lines.length > 0, 'BR-16', r)
  for (const address of all(r, 'cac:AccountingSupplierParty/cac:Party/cac:PostalAddress')) {
    c.check(nonEmpty(address, 'cac:Country/cbc:IdentificationCode'), 'BR-09', address)
  }
  for (const address of all(r, 'cac:AccountingCustomerParty/cac:Party/cac:PostalAddress')) {
    c.check(nonEmpty(address, 'cac:Country/cbc:IdentificationCode'), 'BR-11', address)
  }
  for (const taxCurrency of all(r, 'cbc:TaxCurrencyCode')) {
    const code = taxCurrency.text
    c.check(
      descendants(r, 'cac:TaxTotal').some((total) =>
        all(total, 'cbc:TaxAmount').some((amount) => amount.attrs.currencyID === code),
      ),
      'BR-53',
      taxCurrency,
      () => `no TaxTotal/TaxAmount is in ${code.trim()}`,
    )
  }
  c.check(
    !(has(r, 'cbc:TaxPointDate') && has(r, 'cac:InvoicePeriod/cbc:DescriptionCode')),
    'BR-CO-03',
    r,
    () => 'both are present',
  )
  c.check(has(r, 'cac:TaxTotal/cac:TaxSubtotal'), 'BR-CO-18', r)
  for (const supplier of all(r, 'cac:AccountingSupplierParty')) {
    c.check(
      hasVatCompanyId(first(supplier, 'cac:Party')) ||
        has(supplier, 'cac:Party/cac:PartyIdentification/cbc:ID') ||
        has(supplier, 'cac:Party/cac:PartyLegalEntity/cbc:CompanyID'),
      'BR-CO-26',
      supplier,
    )
  }
  for (const endpoint of all(r, 'cac:AccountingSupplierParty/cac:Party/cbc:EndpointID')) {
    c.check(endpoint.attrs.schemeID !== undefined, 'BR-62', endpoint)
  }
  for (const endpoint of all(r, 'cac:AccountingCustomerParty/cac:Party/cbc:EndpointID')) {
    c.check(endpoint.attrs.schemeID !== undefined, 'BR-63', endpoint)
  }
  for (const reference of descendants(r, 'cac:AdditionalDocumentReference')) {
    c.check(nonEmpty(reference, 'cbc:ID'), 'BR-52', reference)
  }
  for (const reference of descendants(r, 'cac:BillingReference')) {
    c.check(has(reference, 'cac:InvoiceDocumentReference/cbc:ID'), 'BR-55', reference)
  }
  for (const address of all(r, 'cac:Delivery/cac:DeliveryLocation/cac:Address')) {
    c.check(has(address, 'cac:Country/cbc:IdentificationCode'), 'BR-57', address)
  }
  for (const property of descendants(r, 'cac:AdditionalItemProperty')) {
    c.check(has(property, 'cbc:Name') && has(property, 'cbc:Value'), 'BR-54', property)
  }
  for (const period of all(r, 'cac:InvoicePeriod')) checkPeriod(c, period, 'BR-29', 'BR-CO-19')
  const payable = first(r, 'cac:LegalMonetaryTotal/cbc:PayableAmount')
  const payableValue = dec(payable)
  if (c.kind === 'invoice' && payable !== undefined && payableValue !== undefined && sign(payableValue) > 0) {
    c.check(
      descendants(r, 'cbc:DueDate').length > 0 ||
        descendants(r, 'cbc:PaymentDueDate').length > 0 ||
        has(r, 'cac:PaymentTerms/cbc:Note'),
      'BR-CO-25',
      payable,
      () => `the amount due is ${fmt(payableValue)} but there is neither a due date nor payment terms`,
    )
  }
}

function checkPeriod(c: Context, period: XmlElement, orderRule: string, presenceRule: string): void {
  const start = first(period, 'cbc:StartDate')
  const end = first(period, 'cbc:EndDate')
  // A document-level period may carry only the VAT point date code (BT-8).
  const code = presenceRule === 'BR-CO-19' && has(period, 'cbc:DescriptionCode')
  c.check(start !== undefined || end !== undefined || code, presenceRule, period)
  if (start !== undefined && end !== undefined && isDate(start.text.trim()) && isDate(end.text.trim())) {
    c.check(
      end.text.trim() >= start.text.trim(),
      orderRule,
      period,
      () => `the period runs from ${start.text.trim()} to ${end.text.trim()}`,
    )
  }
}

const parties: Check = (c) => {
  const r = c.root
  const supplierParty = first(r, 'cac:AccountingSupplierParty/cac:Party')
  const supplierNames = new Set(all(supplierParty, 'cac:PartyName/cbc:Name').map(sv))
  const supplierIds = new Set(all(supplierParty, 'cac:PartyIdentification/cbc:ID').map(sv))
  const supplierLegalNames = new Set(all(supplierParty, 'cac:PartyLegalEntity/cbc:RegistrationName').map(sv))
  for (const payee of all(r, 'cac:PayeeParty')) {
    c.check(
      has(payee, 'cac:PartyName/cbc:Name') &&
        !all(payee, 'cac:PartyName/cbc:Name').some((name) => supplierNames.has(sv(name))) &&
        !all(payee, 'cac:PartyIdentification/cbc:ID').some((id) => supplierIds.has(sv(id))) &&
        !all(payee, 'cac:PartyLegalEntity/cbc:RegistrationName').some((name) =>
          supplierLegalNames.has(sv(name)),
        ),
      'BR-17',
      payee,
    )
  }
  for (const representative of all(r, 'cac:TaxRepresentativeParty')) {
    c.check(nonEmpty(representative, 'cac:PartyName/cbc:Name'), 'BR-18', representative)
    c.check(has(representative, 'cac:PostalAddress'), 'BR-19', representative)
    c.check(hasVatCompanyId(representative), 'BR-56', representative)
    for (const address of all(representative, 'cac:PostalAddress')) {
      c.check(nonEmpty(address, 'cac:Country/cbc:IdentificationCode'), 'BR-20', address)
    }
  }
  for (const scheme of descendants(r, 'cac:PartyTaxScheme').filter(isVatScheme)) {
    const id = first(scheme, 'cbc:CompanyID')
    const prefix = (id?.text ?? '').slice(0, 2)
    c.check(
      id === undefined || codes.VAT_PREFIXES.has(prefix),
      'BR-CO-09',
      id ?? scheme,
      () => `the VAT identifier ${quote(id)} starts with "${prefix}"`,
    )
  }
  const supplier = first(r, 'cac:AccountingSupplierParty/cac:Party')
  const customer = first(r, 'cac:AccountingCustomerParty/cac:Party')
  if (supplier !== undefined) {
    c.check(
      all(supplier, 'cac:PartyTaxScheme')
        .filter((s) => isVatScheme(s))
        .flatMap((s) => all(s, 'cbc:CompanyID')).length <= 1,
      'UBL-SR-12',
      supplier,
    )
    c.check(all(supplier, 'cac:PartyTaxScheme').length <= 2, 'UBL-SR-42', supplier)
  }
  if (customer !== undefined) {
    c.check(
      all(customer, 'cac:PartyTaxScheme')
        .filter((s) => isVatScheme(s))
        .flatMap((s) => all(s, 'cbc:CompanyID')).length <= 1,
      'UBL-SR-18',
      customer,
    )
  }
}

const totals: Check = (c) => {
  const r = c.root
  for (const total of descendants(r, 'cac:LegalMonetaryTotal')) {
    const get = (name: string) => first(total, `cbc:${name}`)
    c.check(get('LineExtensionAmount') !== undefined, 'BR-12', total)
    c.check(get('TaxExclusiveAmount') !== undefined, 'BR-13', total)
    c.check(get('TaxInclusiveAmount') !== undefined, 'BR-14', total)
    c.check(get('PayableAmount') !== undefined, 'BR-15', total)
    const lineExtension = dec(get('LineExtensionAmount'))
    const lineAmounts = c.lines.map((line) => dec(first(line, 'cbc:LineExtensionAmount')))
    const lineSum = round2(sum(lineAmounts.filter((amount) => amount !== undefined)))
    c.check(
      lineExtension !== undefined && equals(lineExtension, lineSum),
      'BR-CO-10',
      get('LineExtensionAmount') ?? total,
      () => `document says ${fmt(lineExtension)}, lines sum to ${fmt(lineSum)}`,
    )
    const allowanceSum = round2(
      sum(documentAllowanceCharges(c, false).map((e) => dec(first(e, 'cbc:Amount')) ?? ZERO)),
    )
    const chargeSum = round2(
      sum(documentAllowanceCharges(c, true).map((e) => dec(first(e, 'cbc:Amount')) ?? ZERO)),
    )
    const allowanceTotal = dec(get('AllowanceTotalAmount'))
    const chargeTotal = dec(get('ChargeTotalAmount'))
    if (get('AllowanceTotalAmount') !== undefined || documentAllowanceCharges(c, false).length > 0) {
      c.check(
        allowanceTotal !== undefined && equals(allowanceTotal, allowanceSum),
        'BR-CO-11',
        get('AllowanceTotalAmount') ?? total,
        () => `document says ${fmt(allowanceTotal)}, allowances sum to ${fmt(allowanceSum)}`,
      )
    }
    if (get('ChargeTotalAmount') !== undefined || documentAllowanceCharges(c, true).length > 0) {
      c.check(
        chargeTotal !== undefined && equals(chargeTotal, chargeSum),
        'BR-CO-12',
        get('ChargeTotalAmount') ?? total,
        () => `document says ${fmt(chargeTotal)}, charges sum to ${fmt(chargeSum)}`,
      )
    }
    const taxExclusive = dec(get('TaxExclusiveAmount'))
    if (lineExtension !== undefined) {
      let expected = lineExtension
      if (get('ChargeTotalAmount') !== undefined)
        expected = chargeTotal === undefined ? expected : add(expected, chargeTotal)
      if (get('AllowanceTotalAmount') !== undefined)
        expected = allowanceTotal === undefined ? expected : sub(expected, allowanceTotal)
      expected = round2(expected)
      c.check(
        taxExclusive !== undefined && equals(taxExclusive, expected),
        'BR-CO-13',
        get('TaxExclusiveAmount') ?? total,
        () => `document says ${fmt(taxExclusive)}, expected ${fmt(expected)}`,
      )
    } else {
      c.fail('BR-CO-13', total, 'there is no Sum of Invoice line net amount (BT-106)')
    }
    const taxInclusive = dec(get('TaxInclusiveAmount'))
    const payable = dec(get('PayableAmount'))
    const prepaid = dec(get('PrepaidAmount'))
    const rounding = dec(get('PayableRoundingAmount'))
    // The artefacts test xs:decimal(x) as a boolean: a zero PrepaidAmount counts as absent.
    const prepaidGiven = prepaid !== undefined && sign(prepaid) !== 0
    const roundingGiven = rounding !== undefined && sign(rounding) !== 0
    if (taxInclusive !== undefined && payable !== undefined) {
      const expected = round2(sub(taxInclusive, prepaidGiven ? prepaid : ZERO))
      const actual = roundingGiven ? round2(sub(payable, rounding)) : payable
      c.check(
        equals(actual, expected),
        'BR-CO-16',
        get('PayableAmount')!,
        () =>
          `document says ${fmt(payable)}, expected ${fmt(add(expected, roundingGiven ? rounding : ZERO))}`,
      )
    } else {
      c.fail(
        'BR-CO-16',
        total,
        'the total with VAT (BT-112) or the amount due (BT-115) is missing or not a number',
      )
    }
    const decimals: [string, string][] = [
      ['LineExtensionAmount', 'BR-DEC-09'],
      ['AllowanceTotalAmount', 'BR-DEC-10'],
      ['ChargeTotalAmount', 'BR-DEC-11'],
      ['TaxExclusiveAmount', 'BR-DEC-12'],
      ['TaxInclusiveAmount', 'BR-DEC-14'],
      ['PrepaidAmount', 'BR-DEC-16'],
      ['PayableRoundingAmount', 'BR-DEC-17'],
      ['PayableAmount', 'BR-DEC-18'],
    ]
    for (const [name, rule] of decimals) checkDecimals(c, get(name), rule)
  }
  // BR-CO-15: with VAT = without VAT + the VAT total in the document currency.
  const currency = first(r, 'cbc:DocumentCurrencyCode')?.text
  const taxExclusive = dec(first(r, 'cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount'))
  const taxInclusive = dec(first(r, 'cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount'))
  if (currency !== undefined) {
    const vatTotals = all(r, 'cac:TaxTotal/cbc:TaxAmount').filter(
      (amount) => amount.attrs.currencyID === currency,
    )
    const vatTotal = vatTotals.length === 1 ? dec(vatTotals[0]) : undefined
    const expected =
      taxExclusive !== undefined && vatTotal !== undefined ? round2(add(taxExclusive, vatTotal)) : undefined
    c.check(
      taxInclusive !== undefined && expected !== undefined && equals(taxInclusive, expected),
      'BR-CO-15',
      first(r, 'cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount') ?? r,
      () =>
        vatTotals.length > 1
          ? `there are ${vatTotals.length} Invoice total VAT amounts in ${currency.trim()}`
          : vatTotals.length === 0
            ? `there is no Invoice total VAT amount (BT-110) in ${currency.trim()}`
            : `document says ${fmt(taxInclusive)}, ${fmt(taxExclusive)} + ${fmt(vatTotal)} = ${fmt(expected)}`,
    )
  }
  for (const taxTotal of all(r, 'cac:TaxTotal')) {
    const subtotals = all(taxTotal, 'cac:TaxSubtotal')
    if (subtotals.length === 0) continue
    const amount = dec(first(taxTotal, 'cbc:TaxAmount'))
    const expected = round2(sum(subtotals.map((subtotal) => dec(first(subtotal, 'cbc:TaxAmount')) ?? ZERO)))
    c.check(
      amount !== undefined && equals(amount, expected),
      'BR-CO-14',
      first(taxTotal, 'cbc:TaxAmount') ?? taxTotal,
      () => `document says ${fmt(amount)}, the VAT breakdown sums to ${fmt(expected)}`,
    )
  }
  const taxCurrency = first(r, 'cbc:TaxCurrencyCode')?.text
  for (const amount of all(r, 'cac:TaxTotal/cbc:TaxAmount')) {
    if (currency !== undefined && amount.attrs.currencyID === currency) checkDecimals(c, amount, 'BR-DEC-13')
    else if (taxCurrency !== undefined && amount.attrs.currencyID === taxCurrency)
      checkDecimals(c, amount, 'BR-DEC-15')
  }
}

function checkDecimals(c: Context, element: XmlElement | undefined, rule: string): void {
  if (element === undefined) return
  const digits = fractionDigits(element.text)
  c.check(digits <= 2, rule, element, () => `"${element.text.trim()}" has ${digits} decimals`)
}

const vatBreakdown: Check = (c) => {
  for (const subtotal of all(c.root, 'cac:TaxTotal/cac:TaxSubtotal')) {
    const taxable = first(subtotal, 'cbc:TaxableAmount')
    const tax = first(subtotal, 'cbc:TaxAmount')
    const categories = vatCategories(subtotal, 'cac:TaxCategory')
    c.check(taxable !== undefined, 'BR-45', subtotal)
    c.check(tax !== undefined, 'BR-46', subtotal)
    c.check(
      categories.some((category) => has(category, 'cbc:ID')),
      'BR-47',
      subtotal,
    )
    c.check(
      categories.some((category) => has(category, 'cbc:Percent')) ||
        categories.some((category) => categoryCode(category) === 'O'),
      'BR-48',
      subtotal,
    )
    const rate = dec(first(categories[0], 'cbc:Percent'))
    const taxValue = dec(tax)
    const taxableValue = dec(taxable)
    if (taxValue !== undefined) {
      let ok: boolean
      let expected: Decimal | undefined
      if (rate !== undefined && roundHalfUp(rate, 0).units !== 0n) {
        expected =
          taxableValue === undefined
            ? undefined
            : round2(mul(abs(taxableValue), divide(rate, { units: 100n, scale: 0 }, rate.scale + 2)))
        // The artefacts allow the tax to differ from the computed figure by less than 1.
        ok = expected !== undefined && compare(abs(sub(abs(taxValue), expected)), { units: 1n, scale: 0 }) < 0
      } else {
        expected = ZERO
        ok = roundHalfUp(taxValue, 0).units === 0n
      }
      c.check(
        ok,
        'BR-CO-17',
        tax ?? subtotal,
        () =>
          `document says ${fmt(taxValue)}, ${fmt(taxableValue)} × ${rate === undefined ? '0' : formatDecimal(rate)}% = ${fmt(expected)}`,
      )
    }
    checkDecimals(c, taxable, 'BR-DEC-19')
    checkDecimals(c, tax, 'BR-DEC-20')
  }
}

const lineRules: Check = (c) => {
  for (const line of c.lines) {
    const quantity =
      first(line, c.kind === 'invoice' ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity') ??
      first(line, 'cbc:InvoicedQuantity') ??
      first(line, 'cbc:CreditedQuantity')
    c.check(nonEmpty(line, 'cbc:ID'), 'BR-21', line)
    c.check(quantity !== undefined, 'BR-22', line)
    c.check(quantity?.attrs.unitCode !== undefined, 'BR-23', line)
    c.check(has(line, 'cbc:LineExtensionAmount'), 'BR-24', line)
    c.check(nonEmpty(line, 'cac:Item/cbc:Name'), 'BR-25', line)
    c.check(has(line, 'cac:Price/cbc:PriceAmount'), 'BR-26', line)
    const prices = all(line, 'cac:Price/cbc:PriceAmount')
    c.check(
      prices.some((price) => {
        const value = dec(price)
        return value !== undefined && sign(value) >= 0
      }),
      'BR-27',
      first(line, 'cac:Price') ?? line,
      () => `the net price is ${quote(prices[0])}`,
    )
    const grossPrices = all(line, 'cac:Price/cac:AllowanceCharge/cbc:BaseAmount')
    c.check(
      grossPrices.length === 0 ||
        grossPrices.some((price) => {
          const value = dec(price)
          return value !== undefined && sign(value) >= 0
        }),
      'BR-28',
      first(line, 'cac:Price') ?? line,
      () => `the gross price is ${quote(grossPrices[0])}`,
    )
    c.check(
      vatCategories(line, 'cac:Item/cac:ClassifiedTaxCategory').some((category) => has(category, 'cbc:ID')),
      'BR-CO-04',
      line,
    )
    checkDecimals(c, first(line, 'cbc:LineExtensionAmount'), 'BR-DEC-23')
    for (const period of all(line, 'cac:InvoicePeriod')) checkPeriod(c, period, 'BR-30', 'BR-CO-20')
    for (const id of all(line, 'cac:Item/cac:StandardItemIdentification/cbc:ID')) {
      c.check(id.attrs.schemeID !== undefined, 'BR-64', id)
    }
    for (const code of all(line, 'cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode')) {
      c.check(code.attrs.listID !== undefined, 'BR-65', code)
    }
    for (const allowanceCharge of all(line, 'cac:AllowanceCharge')) {
      const charge = indicator(allowanceCharge)
      if (charge === undefined) continue
      const reason =
        has(allowanceCharge, 'cbc:AllowanceChargeReason') ||
        has(allowanceCharge, 'cbc:AllowanceChargeReasonCode')
      c.check(has(allowanceCharge, 'cbc:Amount'), charge ? 'BR-43' : 'BR-41', allowanceCharge)
      c.check(reason, charge ? 'BR-44' : 'BR-42', allowanceCharge)
      c.check(reason, charge ? 'BR-CO-24' : 'BR-CO-23', allowanceCharge)
      checkDecimals(c, first(allowanceCharge, 'cbc:Amount'), charge ? 'BR-DEC-27' : 'BR-DEC-24')
      checkDecimals(c, first(allowanceCharge, 'cbc:BaseAmount'), charge ? 'BR-DEC-28' : 'BR-DEC-25')
    }
  }
}

const documentAllowancesAndCharges: Check = (c) => {
  for (const allowanceCharge of all(c.root, 'cac:AllowanceCharge')) {
    const charge = indicator(allowanceCharge)
    if (charge === undefined) continue
    const reason =
      has(allowanceCharge, 'cbc:AllowanceChargeReason') ||
      has(allowanceCharge, 'cbc:AllowanceChargeReasonCode')
    c.check(has(allowanceCharge, 'cbc:Amount'), charge ? 'BR-36' : 'BR-31', allowanceCharge)
    c.check(
      vatCategories(allowanceCharge, 'cac:TaxCategory').some((category) => has(category, 'cbc:ID')),
      charge ? 'BR-37' : 'BR-32',
      allowanceCharge,
    )
    c.check(reason, charge ? 'BR-38' : 'BR-33', allowanceCharge)
    c.check(reason, charge ? 'BR-CO-22' : 'BR-CO-21', allowanceCharge)
    checkDecimals(c, first(allowanceCharge, 'cbc:Amount'), charge ? 'BR-DEC-05' : 'BR-DEC-01')
    checkDecimals(c, first(allowanceCharge, 'cbc:BaseAmount'), charge ? 'BR-DEC-06' : 'BR-DEC-02')
  }
}

const payment: Check = (c) => {
  for (const means of descendants(c.root, 'cac:PaymentMeans')) {
    const code = ns(first(means, 'cbc:PaymentMeansCode')?.text)
    c.check(has(means, 'cbc:PaymentMeansCode'), 'BR-49', means)
    const transfer = code === '30' || code === '58'
    c.check(
      !transfer || has(means, 'cac:PayeeFinancialAccount/cbc:ID'),
      'BR-61',
      means,
      () => `payment means ${code} has no account`,
    )
    if (all(means, 'cbc:PaymentMeansCode').some((element) => ['30', '58'].includes(element.text))) {
      for (const account of all(means, 'cac:PayeeFinancialAccount'))
        c.check(nonEmpty(account, 'cbc:ID'), 'BR-50', account)
    }
    for (const card of all(means, 'cac:CardAccount')) {
      const number = first(card, 'cbc:PrimaryAccountNumberID')?.text.trim() ?? ''
      c.check(
        number.replace(/\D/g, '').length <= 10,
        'BR-51',
        card,
        () => `the card number has ${number.length} characters`,
      )
    }
  }
  const allMeans = all(c.root, 'cac:PaymentMeans')
  const paymentIds = new Set(allMeans.flatMap((means) => all(means, 'cbc:PaymentID')).map(sv))
  c.check(
    paymentIds.size <= 1,
    'UBL-SR-44',
    c.root,
    () => `the payment IDs are ${[...paymentIds].join(', ')}`,
  )
  const meansCodes = new Set(allMeans.flatMap((means) => all(means, 'cbc:PaymentMeansCode')).map(sv))
  c.check(meansCodes.size <= 1, 'UBL-SR-47', c.root, () => `the codes are ${[...meansCodes].join(', ')}`)
}

const syntax: Check = (c) => {
  const r = c.root
  // UBL-DT-01 and the decimal format of every number (the XSD's job, which GSS does not run).
  // Price allowances (BT-147, BT-148) may have more decimals, like the price itself.
  const stack: [XmlElement, boolean, boolean][] = [[r, false, false]]
  while (stack.length > 0) {
    const [element, parentIsPrice, underPriceAllowance] = stack.pop()!
    const name = element.name
    if (element.ns === NS.cbc) {
      if (name.endsWith('Amount') && !name.endsWith('PriceAmount') && !underPriceAllowance) {
        c.check(
          fractionDigits(element.text) <= 2,
          'UBL-DT-01',
          element,
          () => `"${element.text.trim()}" has ${fractionDigits(element.text)} decimals`,
        )
      }
      if (
        name.endsWith('Amount') ||
        name.endsWith('Quantity') ||
        name === 'Percent' ||
        name === 'MultiplierFactorNumeric'
      ) {
        c.check(
          parseDecimal(element.text) !== undefined,
          'GSS-UBL-DECIMAL',
          element,
          () => `${quote(element)} is not a decimal number`,
        )
      }
      if (name.endsWith('BinaryObject')) {
        c.check(element.attrs.mimeCode !== undefined, 'UBL-DT-06', element)
        c.check(element.attrs.filename !== undefined, 'UBL-DT-07', element)
      }
    }
    const isPrice = element.ns === NS.cac && name === 'Price'
    const isPriceAllowance = parentIsPrice && element.ns === NS.cac && name === 'AllowanceCharge'
    for (const child of element.children)
      stack.push([child, isPrice, underPriceAllowance || isPriceAllowance])
  }
  for (const reference of all(r, 'cac:AdditionalDocumentReference')) {
    const typeCode = first(reference, 'cbc:DocumentTypeCode')?.text
    c.check(
      typeCode === '130' ||
        (c.kind === 'credit-note' && typeCode === '50') ||
        (!all(reference, 'cbc:ID').some((id) => id.attrs.scheme !== undefined) && typeCode === undefined),
      'UBL-SR-43',
      reference,
    )
  }
}

const codeLists: Check = (c) => {
  const r = c.root
  const inList = (list: ReadonlySet<string>, value: string | undefined) =>
    value !== undefined && !/\s/.test(ns(value)) && list.has(ns(value))
  for (const code of all(r, 'cbc:InvoiceTypeCode')) {
    c.check(inList(codes.INVOICE_TYPE_CODES, code.text), 'BR-CL-01', code, () => `the code is ${quote(code)}`)
  }
  for (const code of all(r, 'cbc:CreditNoteTypeCode')) {
    c.check(
      inList(codes.CREDIT_NOTE_TYPE_CODES, code.text),
      'BR-CL-01',
      code,
      () => `the code is ${quote(code)}`,
    )
  }
  const amountNames = new Set([
    'Amount',
    'BaseAmount',
    'PriceAmount',
    'TaxAmount',
    'TaxableAmount',
    'LineExtensionAmount',
    'TaxExclusiveAmount',
    'TaxInclusiveAmount',
    'AllowanceTotalAmount',
    'ChargeTotalAmount',
    'PrepaidAmount',
    'PayableRoundingAmount',
    'PayableAmount',
  ])
  walk(r, (element) => {
    if (element.ns !== NS.cbc) return
    if (amountNames.has(element.name)) {
      c.check(
        inList(codes.CURRENCY_CODES, element.attrs.currencyID),
        'BR-CL-03',
        element,
        () => `currencyID is "${element.attrs.currencyID ?? ''}"`,
      )
    }
    if (element.name === 'EndpointID' && element.attrs.schemeID !== undefined) {
      c.check(
        inList(codes.EAS_CODES, element.attrs.schemeID),
        'BR-CL-25',
        element,
        () => `schemeID is "${element.attrs.schemeID}"`,
      )
    }
    if (element.name === 'EmbeddedDocumentBinaryObject' && element.attrs.mimeCode !== undefined) {
      c.check(
        codes.MIME_CODES.has(element.attrs.mimeCode),
        'BR-CL-24',
        element,
        () => `mimeCode is "${element.attrs.mimeCode}"`,
      )
    }
    if (
      (element.name === 'InvoicedQuantity' ||
        element.name === 'BaseQuantity' ||
        element.name === 'CreditedQuantity') &&
      element.attrs.unitCode !== undefined
    ) {
      c.check(
        inList(codes.UNIT_CODES, element.attrs.unitCode),
        'BR-CL-23',
        element,
        () => `unitCode is "${element.attrs.unitCode}"`,
      )
    }
    if (element.name === 'TaxExemptionReasonCode') {
      c.check(
        codes.VATEX_CODES.has(ns(element.text).toUpperCase()),
        'BR-CL-22',
        element,
        () => `the code is ${quote(element)}`,
      )
    }
  })
  for (const code of all(r, 'cbc:DocumentCurrencyCode'))
    c.check(inList(codes.CURRENCY_CODES, code.text), 'BR-CL-04', code, () => `the code is ${quote(code)}`)
  for (const code of all(r, 'cbc:TaxCurrencyCode'))
    c.check(inList(codes.CURRENCY_CODES, code.text), 'BR-CL-05', code, () => `the code is ${quote(code)}`)
  for (const code of descendants(r, 'cac:InvoicePeriod').flatMap((period) =>
    all(period, 'cbc:DescriptionCode'),
  )) {
    c.check(inList(codes.VAT_DATE_CODES, code.text), 'BR-CL-06', code, () => `the code is ${quote(code)}`)
  }
  for (const reference of [
    ...all(r, 'cac:AdditionalDocumentReference'),
    ...descendants(r, 'cac:DocumentReference'),
  ]) {
    if (!all(reference, 'cbc:DocumentTypeCode').some((code) => code.text === '130')) continue
    for (const id of all(reference, 'cbc:ID')) {
      const scheme = id.attrs.schemeID
      if (scheme !== undefined)
        c.check(inList(codes.REFERENCE_QUALIFIERS, scheme), 'BR-CL-07', id, () => `schemeID is "${scheme}"`)
    }
  }
  for (const id of descendants(r, 'cac:PartyIdentification').flatMap((p) => all(p, 'cbc:ID'))) {
    const scheme = id.attrs.schemeID
    if (scheme === undefined) continue
    const sepaAllowed =
      ns(scheme) === 'SEPA' && (isInside(c, id, 'AccountingSupplierParty') || isInside(c, id, 'PayeeParty'))
    c.check(inList(codes.ICD_CODES, scheme) || sepaAllowed, 'BR-CL-10', id, () => `schemeID is "${scheme}"`)
  }
  for (const id of descendants(r, 'cac:PartyLegalEntity').flatMap((p) => all(p, 'cbc:CompanyID'))) {
    const scheme = id.attrs.schemeID
    if (scheme !== undefined)
      c.check(inList(codes.ICD_CODES, scheme), 'BR-CL-11', id, () => `schemeID is "${scheme}"`)
  }
  for (const code of descendants(r, 'cac:CommodityClassification').flatMap((p) =>
    all(p, 'cbc:ItemClassificationCode'),
  )) {
    const list = code.attrs.listID
    if (list !== undefined)
      c.check(inList(codes.ITEM_CLASSIFICATION_SCHEMES, list), 'BR-CL-13', code, () => `listID is "${list}"`)
  }
  for (const country of descendants(r, 'cac:Country').flatMap((p) => all(p, 'cbc:IdentificationCode'))) {
    c.check(
      inList(codes.COUNTRY_CODES, country.text),
      'BR-CL-14',
      country,
      () => `the code is ${quote(country)}`,
    )
  }
  for (const country of descendants(r, 'cac:OriginCountry').flatMap((p) =>
    all(p, 'cbc:IdentificationCode'),
  )) {
    c.check(
      inList(codes.COUNTRY_CODES, country.text),
      'BR-CL-15',
      country,
      () => `the code is ${quote(country)}`,
    )
  }
  for (const code of descendants(r, 'cac:PaymentMeans').flatMap((p) => all(p, 'cbc:PaymentMeansCode'))) {
    c.check(
      inList(codes.PAYMENT_MEANS_CODES, code.text),
      'BR-CL-16',
      code,
      () => `the code is ${quote(code)}`,
    )
  }
  for (const id of descendants(r, 'cac:TaxCategory').flatMap((p) => all(p, 'cbc:ID'))) {
    c.check(inList(codes.VAT_CATEGORY_CODES, id.text), 'BR-CL-17', id, () => `the code is ${quote(id)}`)
  }
  for (const id of descendants(r, 'cac:ClassifiedTaxCategory').flatMap((p) => all(p, 'cbc:ID'))) {
    c.check(inList(codes.VAT_CATEGORY_CODES, id.text), 'BR-CL-18', id, () => `the code is ${quote(id)}`)
  }
  for (const allowanceCharge of descendants(r, 'cac:AllowanceCharge')) {
    const charge = indicator(allowanceCharge)
    if (charge === undefined) continue
    for (const code of all(allowanceCharge, 'cbc:AllowanceChargeReasonCode')) {
      c.check(
        inList(charge ? codes.CHARGE_REASON_CODES : codes.ALLOWANCE_REASON_CODES, code.text),
        charge ? 'BR-CL-20' : 'BR-CL-19',
        code,
        () => `the code is ${quote(code)}`,
      )
    }
  }
  for (const id of descendants(r, 'cac:StandardItemIdentification').flatMap((p) => all(p, 'cbc:ID'))) {
    const scheme = id.attrs.schemeID
    if (scheme !== undefined)
      c.check(inList(codes.ICD_CODES, scheme), 'BR-CL-21', id, () => `schemeID is "${scheme}"`)
  }
}

function walk(element: XmlElement, visit: (element: XmlElement) => void): void {
  const stack = [element]
  while (stack.length > 0) {
    const current = stack.pop()!
    visit(current)
    for (const child of current.children) stack.push(child)
  }
}

function isInside(c: Context, element: XmlElement, ancestorName: string): boolean {
  const path = c.path(element)
  return path.includes(`cac:${ancestorName}/`) || path.includes(`cac:${ancestorName}[`)
}

const vatCategoryRules: Check = (c) => {
  const r = c.root
  const supplier = first(r, 'cac:AccountingSupplierParty/cac:Party')
  const customer = first(r, 'cac:AccountingCustomerParty/cac:Party')
  const representative = first(r, 'cac:TaxRepresentativeParty')
  const sellerAnyTaxId = all(supplier, 'cac:PartyTaxScheme/cbc:CompanyID').length > 0
  const sellerVat = hasVatCompanyId(supplier)
  const representativeVat = hasVatCompanyId(representative)
  const buyerVat = hasVatCompanyId(customer)
  const buyerLegal = has(customer, 'cac:PartyLegalEntity/cbc:CompanyID')
  const breakdownCategories = all(r, 'cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory').filter(isVatScheme)
  const lineCategories = c.lines.flatMap((line) => vatCategories(line, 'cac:Item/cac:ClassifiedTaxCategory'))
  const allClassified = descendants(r, 'cac:ClassifiedTaxCategory').filter(isVatScheme)
  const allTaxCategories = descendants(r, 'cac:TaxCategory').filter(isVatScheme)

  for (const category of VAT_CATEGORIES) {
    const p = category.prefix
    const code = category.code
    const isCode = (element: XmlElement) => categoryCode(element) === code
    const allowanceCategories = anyAllowanceCharges(c, false)
      .flatMap((ac) => vatCategories(ac, 'cac:TaxCategory'))
      .filter(isCode)
    const chargeCategories = anyAllowanceCharges(c, true)
      .flatMap((ac) => vatCategories(ac, 'cac:TaxCategory'))
      .filter(isCode)
    const inBreakdown = breakdownCategories.filter(isCode)
    // -01: the breakdown lists the category when anything uses it.
    if (category.breakdown === 'exactly-one') {
      const used = allTaxCategories.some(isCode) || allClassified.some(isCode)
      c.check(
        !used || inBreakdown.length === 1,
        `${p}-01`,
        r,
        () => `the VAT breakdown lists it ${inBreakdown.length} times`,
      )
    } else {
      const used =
        allowanceCategories.length + chargeCategories.length + allClassified.filter(isCode).length > 0
      c.check(used === inBreakdown.length > 0, `${p}-01`, r, () =>
        used
          ? 'the VAT breakdown does not list it'
          : 'the VAT breakdown lists it but no line, allowance or charge uses it',
      )
    }
    // -02..-04: identifiers the parties must (or must not) have.
    const partiesOk = (() => {
      switch (category.parties) {
        case 'seller-vat':
          return sellerAnyTaxId || representativeVat
        case 'seller-vat-scheme':
          return sellerVat || representativeVat
        case 'seller-and-buyer':
          return (sellerAnyTaxId || representativeVat) && (buyerVat || buyerLegal)
        case 'seller-and-buyer-vat':
          return (sellerVat || representativeVat) && buyerVat
        case 'none-allowed':
          return !sellerVat && !representativeVat && !buyerVat
      }
    })()
    const documentAllowances = documentAllowanceCharges(c, false)
      .flatMap((ac) => vatCategories(ac, 'cac:TaxCategory'))
      .filter(isCode)
    const documentCharges = documentAllowanceCharges(c, true)
      .flatMap((ac) => vatCategories(ac, 'cac:TaxCategory'))
      .filter(isCode)
    const relevantAllowances = category.parties === 'none-allowed' ? documentAllowances : allowanceCategories
    const relevantCharges = category.parties === 'none-allowed' ? documentCharges : chargeCategories
    if (allClassified.some(isCode)) c.check(partiesOk, `${p}-02`, r)
    if (relevantAllowances.length > 0) c.check(partiesOk, `${p}-03`, r)
    if (relevantCharges.length > 0) c.check(partiesOk, `${p}-04`, r)
    // -05..-07: the rate on lines, allowances and charges.
    const rateOk = (element: XmlElement): boolean => {
      const percents = all(element, 'cbc:Percent')
      if (category.rate === 'absent') return percents.length === 0
      return percents.some((percent) => {
        const value = dec(percent)
        if (value === undefined) return false
        return category.rate === 'zero'
          ? sign(value) === 0
          : category.rate === 'positive'
            ? sign(value) > 0
            : sign(value) >= 0
      })
    }
    const rateDetail = (element: XmlElement) => () => `the rate is ${quote(first(element, 'cbc:Percent'))}`
    for (const element of lineCategories.filter(isCode))
      c.check(rateOk(element), `${p}-05`, element, rateDetail(element))
    for (const element of allowanceCategories)
      c.check(rateOk(element), `${p}-06`, element, rateDetail(element))
    for (const element of chargeCategories) c.check(rateOk(element), `${p}-07`, element, rateDetail(element))
    // -08..-10: each breakdown of the category.
    for (const element of inBreakdown) {
      const subtotal = parentOf(c, element)
      const taxable = dec(first(subtotal, 'cbc:TaxableAmount'))
      const tax = dec(first(subtotal, 'cbc:TaxAmount'))
      const rate = dec(first(element, 'cbc:Percent'))
      const matchesRate = (categoryElement: XmlElement | undefined) => {
        if (category.taxable === 'whole') return true
        const other = dec(first(categoryElement, 'cbc:Percent'))
        return (
          rate !== undefined && other !== undefined && equals(roundHalfUp(rate, 0), roundHalfUp(other, 0))
        )
      }
      const lineSum = sum(
        c.lines
          .filter((line) => {
            const lineCategory = first(line, 'cac:Item/cac:ClassifiedTaxCategory')
            return categoryCode(lineCategory) === code && matchesRate(lineCategory)
          })
          .map((line) => dec(first(line, 'cbc:LineExtensionAmount')) ?? ZERO),
      )
      const acSum = (charge: boolean) =>
        sum(
          documentAllowanceCharges(c, charge)
            .filter((ac) => {
              const acCategory = first(ac, 'cac:TaxCategory')
              return categoryCode(acCategory) === code && matchesRate(acCategory)
            })
            .map((ac) => dec(first(ac, 'cbc:Amount')) ?? ZERO),
        )
      const expected = sub(add(lineSum, acSum(true)), acSum(false))
      if (category.taxable === 'per-rate') {
        const used =
          c.lines.some((line) => {
            const lineCategory = first(line, 'cac:Item/cac:ClassifiedTaxCategory')
            return categoryCode(lineCategory) === code && matchesRate(lineCategory)
          }) ||
          descendants(r, 'cac:AllowanceCharge').some(
            (ac) =>
              categoryCode(first(ac, 'cac:TaxCategory')) === code &&
              matchesRate(first(ac, 'cac:TaxCategory')),
          )
        c.check(
          used && taxable !== undefined && compare(abs(sub(taxable, expected)), { units: 1n, scale: 0 }) < 0,
          `${p}-08`,
          element,
          () =>
            `the breakdown at ${rate === undefined ? 'no rate' : `${formatDecimal(rate)}%`} says ${fmt(taxable)}, the lines, allowances and charges come to ${fmt(expected)}`,
        )
      } else {
        c.check(
          c.lines.length > 0 && taxable !== undefined && equals(taxable, expected),
          `${p}-08`,
          element,
          () =>
            `the breakdown says ${fmt(taxable)}, the lines, allowances and charges come to ${fmt(expected)}`,
        )
      }
      if (category.tax === 'zero') {
        c.check(
          tax !== undefined && sign(tax) === 0,
          `${p}-09`,
          element,
          () => `the tax amount is ${fmt(tax)}`,
        )
      } else {
        const computed =
          taxable === undefined || rate === undefined
            ? undefined
            : round2(mul(abs(taxable), divide(rate, { units: 100n, scale: 0 }, rate.scale + 2)))
        c.check(
          tax !== undefined &&
            computed !== undefined &&
            compare(abs(sub(abs(tax), computed)), { units: 1n, scale: 0 }) < 0,
          `${p}-09`,
          element,
          () =>
            `the tax amount is ${fmt(tax)}, ${fmt(taxable)} × ${rate === undefined ? '?' : formatDecimal(rate)}% = ${fmt(computed)}`,
        )
      }
      const hasReason = has(element, 'cbc:TaxExemptionReason') || has(element, 'cbc:TaxExemptionReasonCode')
      c.check(category.exemption === 'required' ? hasReason : !hasReason, `${p}-10`, element)
    }
  }
  // Intra-community supply: delivery date or period, and the deliver-to country.
  if (breakdownCategories.some((element) => categoryCode(element) === 'K')) {
    c.check(
      (first(r, 'cac:Delivery/cbc:ActualDeliveryDate')?.text.length ?? 0) > 1 ||
        all(r, 'cac:InvoicePeriod').some((period) => period.children.length > 0),
      'BR-IC-11',
      r,
    )
    c.check(
      (first(r, 'cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode')?.text
        .length ?? 0) > 1,
      'BR-IC-12',
      r,
    )
  }
  // Not subject to VAT excludes every other category.
  if (breakdownCategories.some((element) => categoryCode(element) === 'O')) {
    c.check(
      breakdownCategories.every((element) => categoryCode(element) === 'O'),
      'BR-O-11',
      r,
    )
    c.check(
      allClassified.every((element) => categoryCode(element) === 'O'),
      'BR-O-12',
      r,
    )
    c.check(
      anyAllowanceCharges(c, false)
        .flatMap((ac) => vatCategories(ac, 'cac:TaxCategory'))
        .every((e) => categoryCode(e) === 'O'),
      'BR-O-13',
      r,
    )
    c.check(
      anyAllowanceCharges(c, true)
        .flatMap((ac) => vatCategories(ac, 'cac:TaxCategory'))
        .every((e) => categoryCode(e) === 'O'),
      'BR-O-14',
      r,
    )
  }
}

function parentOf(c: Context, element: XmlElement): XmlElement | undefined {
  return c.parent(element)
}

const EN16931_CHECKS: Check[] = [
  documentLevel,
  parties,
  totals,
  vatBreakdown,
  lineRules,
  documentAllowancesAndCharges,
  payment,
  syntax,
  codeLists,
  vatCategoryRules,
]

// ---------------------------------------------------------------------------------------------
// Peppol BIS Billing 3.0 rules.

const PROFILE = /^urn:fdc:peppol\.eu:2017:poacc:billing:(\d{2}):1\.0/

const peppolDocument: Check = (c) => {
  const r = c.root
  const profileId = ns(first(r, 'cbc:ProfileID')?.text)
  const profile = PROFILE.exec(profileId)?.[1]
  c.check(has(r, 'cbc:ProfileID'), 'PEPPOL-EN16931-R001', r)
  c.check(
    profile !== undefined,
    'PEPPOL-EN16931-R007',
    first(r, 'cbc:ProfileID') ?? r,
    () => `the business process is "${profileId}"`,
  )
  c.check(
    all(r, 'cbc:Note').length <= 1,
    'PEPPOL-EN16931-R002',
    r,
    () => `there are ${all(r, 'cbc:Note').length} notes`,
  )
  c.check(has(r, 'cbc:BuyerReference') || has(r, 'cac:OrderReference/cbc:ID'), 'PEPPOL-EN16931-R003', r)
  const customization = ns(first(r, 'cbc:CustomizationID')?.text)
  c.check(
    customization.startsWith(PEPPOL_CUSTOMIZATION_ID),
    'PEPPOL-EN16931-R004',
    first(r, 'cbc:CustomizationID') ?? r,
    () => `it is "${customization}"`,
  )
  const taxTotals = all(r, 'cac:TaxTotal')
  const withSubtotals = taxTotals.filter((total) => has(total, 'cac:TaxSubtotal'))
  c.check(withSubtotals.length === 1, 'PEPPOL-EN16931-R053', r, () => `there are ${withSubtotals.length}`)
  const taxCurrency = first(r, 'cbc:TaxCurrencyCode')
  c.check(
    taxTotals.length - withSubtotals.length === (taxCurrency !== undefined ? 1 : 0),
    'PEPPOL-EN16931-R054',
    r,
    () => `there are ${taxTotals.length - withSubtotals.length} tax totals without subtotals`,
  )
  const documentCurrency = first(r, 'cbc:DocumentCurrencyCode')
  if (taxCurrency !== undefined) {
    c.check(ns(taxCurrency.text) !== ns(documentCurrency?.text), 'PEPPOL-EN16931-R005', taxCurrency)
    const amountsIn = (currency: string) =>
      all(r, 'cac:TaxTotal/cbc:TaxAmount')
        .filter((amount) => amount.attrs.currencyID === currency)
        .map((amount) => dec(amount))
    const accounting = amountsIn(ns(taxCurrency.text))
    const main = amountsIn(ns(documentCurrency?.text))
    const allSign = (values: (Decimal | undefined)[], test: (s: number) => boolean) =>
      values.some((value) => value !== undefined && test(sign(value)))
    c.check(
      (allSign(accounting, (s) => s <= 0) && allSign(main, (s) => s <= 0)) ||
        (allSign(accounting, (s) => s >= 0) && allSign(main, (s) => s >= 0)),
      'PEPPOL-EN16931-R055',
      r,
    )
  }
  if (c.kind === 'credit-note') {
    c.check(
      all(r, 'cac:AdditionalDocumentReference').filter((reference) =>
        all(reference, 'cbc:DocumentTypeCode').some((code) => code.text === '50'),
      ).length <= 1,
      'PEPPOL-EN16931-R080',
      r,
    )
  }
  for (const party of all(r, 'cac:AccountingCustomerParty/cac:Party'))
    c.check(has(party, 'cbc:EndpointID'), 'PEPPOL-EN16931-R010', party)
  for (const party of all(r, 'cac:AccountingSupplierParty/cac:Party'))
    c.check(has(party, 'cbc:EndpointID'), 'PEPPOL-EN16931-R020', party)
  for (const means of descendants(r, 'cac:PaymentMeans')) {
    const code = ns(first(means, 'cbc:PaymentMeansCode')?.text)
    if (code === '49' || code === '59')
      c.check(has(means, 'cac:PaymentMandate/cbc:ID'), 'PEPPOL-EN16931-R061', means)
  }
  // Currency of every amount.
  const currency = documentCurrency?.text
  const currencyNames = new Set([
    'Amount',
    'BaseAmount',
    'PriceAmount',
    'TaxableAmount',
    'LineExtensionAmount',
    'TaxExclusiveAmount',
    'TaxInclusiveAmount',
    'AllowanceTotalAmount',
    'ChargeTotalAmount',
    'PrepaidAmount',
    'PayableRoundingAmount',
    'PayableAmount',
  ])
  walk(r, (element) => {
    if (element.ns !== NS.cbc) return
    const isAmount = currencyNames.has(element.name) || element.name === 'TaxAmount'
    if (!isAmount) return
    c.check(
      element.attrs.currencyID !== undefined && codes.CURRENCY_CODES.has(element.attrs.currencyID),
      'PEPPOL-EN16931-CL007',
      element,
      () => `currencyID is "${element.attrs.currencyID ?? ''}"`,
    )
  })
  const mainTaxTotalAmounts = withSubtotals.flatMap((total) => [
    ...all(total, 'cbc:TaxAmount'),
    ...all(total, 'cac:TaxSubtotal/cbc:TaxAmount'),
  ])
  walk(r, (element) => {
    if (element.ns !== NS.cbc) return
    const applies = currencyNames.has(element.name) || mainTaxTotalAmounts.includes(element)
    if (applies) {
      c.check(
        element.attrs.currencyID === currency,
        'PEPPOL-EN16931-R051',
        element,
        () => `currencyID is "${element.attrs.currencyID ?? ''}", the invoice currency is "${ns(currency)}"`,
      )
    }
  })
  // Empty elements (the artefacts still report this as a warning).
  walk(r, (element) => {
    if (element.children.length === 0 && element.text.trim() === '') c.fail('PEPPOL-EN16931-R008', element)
  })
  // Dates.
  walk(r, (element) => {
    if (element.ns !== NS.cbc) return
    if (
      ['IssueDate', 'DueDate', 'TaxPointDate', 'StartDate', 'EndDate', 'ActualDeliveryDate'].includes(
        element.name,
      )
    ) {
      c.check(isDate(element.text), 'PEPPOL-EN16931-F001', element, () => `the date is ${quote(element)}`)
    }
  })
  // Type codes for profile 01, and 326/384 for German trade only.
  for (const code of all(r, 'cbc:InvoiceTypeCode')) {
    c.check(
      profile !== '01' || codes.PEPPOL_INVOICE_TYPE_CODES.has(ns(code.text)),
      'PEPPOL-EN16931-P0100',
      code,
      () => `the code is ${quote(code)}`,
    )
  }
  for (const code of all(r, 'cbc:CreditNoteTypeCode')) {
    c.check(
      profile !== '01' || codes.PEPPOL_CREDIT_NOTE_TYPE_CODES.has(ns(code.text)),
      'PEPPOL-EN16931-P0101',
      code,
      () => `the code is ${quote(code)}`,
    )
  }
  const typeCode = ns(first(r, 'cbc:InvoiceTypeCode')?.text ?? first(r, 'cbc:CreditNoteTypeCode')?.text)
  if (typeCode === '326' || typeCode === '384') {
    const country = (path: string) =>
      ns(first(r, `${path}/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode`)?.text)
    c.check(
      country('cac:AccountingSupplierParty') === 'DE' && country('cac:AccountingCustomerParty') === 'DE',
      'PEPPOL-EN16931-P0112',
      first(r, 'cbc:InvoiceTypeCode') ?? r,
    )
  }
  // Exemption reason codes that imply a category.
  const implied: [string, string, string][] = [
    ['VATEX-EU-G', 'G', 'P0104'],
    ['VATEX-EU-O', 'O', 'P0105'],
    ['VATEX-EU-IC', 'K', 'P0106'],
    ['VATEX-EU-AE', 'AE', 'P0107'],
    ['VATEX-EU-D', 'E', 'P0108'],
    ['VATEX-EU-F', 'E', 'P0109'],
    ['VATEX-EU-I', 'E', 'P0110'],
    ['VATEX-EU-J', 'E', 'P0111'],
  ]
  for (const taxCategory of descendants(r, 'cac:TaxCategory')) {
    const reason = (first(taxCategory, 'cbc:TaxExemptionReasonCode')?.text ?? '').toUpperCase()
    for (const [code, category, rule] of implied) {
      if (reason === code) {
        c.check(
          categoryCode(taxCategory) === category,
          `PEPPOL-EN16931-${rule}`,
          taxCategory,
          () => `the category is "${categoryCode(taxCategory)}"`,
        )
      }
    }
  }
  // Code lists.
  walk(r, (element) => {
    if (element.ns !== NS.cbc) return
    if (element.name === 'EmbeddedDocumentBinaryObject' && element.attrs.mimeCode !== undefined) {
      c.check(
        codes.MIME_CODES.has(element.attrs.mimeCode),
        'PEPPOL-EN16931-CL001',
        element,
        () => `mimeCode is "${element.attrs.mimeCode}"`,
      )
    }
    if (element.name === 'EndpointID' && element.attrs.schemeID !== undefined) {
      c.check(
        codes.PEPPOL_EAS_CODES.has(element.attrs.schemeID),
        'PEPPOL-EN16931-CL008',
        element,
        () => `schemeID is "${element.attrs.schemeID}"`,
      )
    }
  })
  for (const allowanceCharge of descendants(r, 'cac:AllowanceCharge')) {
    const chargeText = first(allowanceCharge, 'cbc:ChargeIndicator')?.text
    for (const code of all(allowanceCharge, 'cbc:AllowanceChargeReasonCode')) {
      if (chargeText === 'false')
        c.check(
          codes.ALLOWANCE_REASON_CODES.has(ns(code.text)),
          'PEPPOL-EN16931-CL002',
          code,
          () => `the code is ${quote(code)}`,
        )
      if (chargeText === 'true')
        c.check(
          codes.CHARGE_REASON_CODES.has(ns(code.text)),
          'PEPPOL-EN16931-CL003',
          code,
          () => `the code is ${quote(code)}`,
        )
    }
  }
  for (const code of descendants(r, 'cac:InvoicePeriod').flatMap((period) =>
    all(period, 'cbc:DescriptionCode'),
  )) {
    c.check(
      codes.VAT_DATE_CODES.has(ns(code.text)),
      'PEPPOL-EN16931-CL006',
      code,
      () => `the code is ${quote(code)}`,
    )
  }
}

const peppolAllowancesAndCharges: Check = (c) => {
  const documentLevelAndLine = [
    ...all(c.root, 'cac:AllowanceCharge'),
    ...c.lines.flatMap((line) => all(line, 'cac:AllowanceCharge')),
  ]
  for (const allowanceCharge of documentLevelAndLine) {
    const percent = dec(first(allowanceCharge, 'cbc:MultiplierFactorNumeric'))
    const hasPercent = has(allowanceCharge, 'cbc:MultiplierFactorNumeric')
    const base = dec(first(allowanceCharge, 'cbc:BaseAmount'))
    const hasBase = has(allowanceCharge, 'cbc:BaseAmount')
    c.check(!(hasPercent && !hasBase), 'PEPPOL-EN16931-R041', allowanceCharge)
    c.check(!(!hasPercent && hasBase), 'PEPPOL-EN16931-R042', allowanceCharge)
    if (hasPercent && hasBase) {
      const amount = dec(first(allowanceCharge, 'cbc:Amount')) ?? ZERO
      const expected =
        base !== undefined && percent !== undefined
          ? divide(mul(base, percent), { units: 100n, scale: 0 }, base.scale + percent.scale + 2)
          : undefined
      c.check(
        expected !== undefined && compare(abs(sub(amount, expected)), { units: 2n, scale: 2 }) <= 0,
        'PEPPOL-EN16931-R040',
        allowanceCharge,
        () =>
          `the amount is ${fmt(amount)}, ${fmt(base)} × ${percent === undefined ? '?' : formatDecimal(percent)}% = ${fmt(expected)}`,
      )
    }
    const indicatorText = ns(first(allowanceCharge, 'cbc:ChargeIndicator')?.text)
    c.check(
      indicatorText === 'true' || indicatorText === 'false',
      'PEPPOL-EN16931-R043',
      allowanceCharge,
      () => `ChargeIndicator is "${indicatorText}"`,
    )
  }
}

const peppolLines: Check = (c) => {
  const r = c.root
  const invoiceStart = first(r, 'cac:InvoicePeriod/cbc:StartDate')?.text.trim()
  const invoiceEnd = first(r, 'cac:InvoicePeriod/cbc:EndDate')?.text.trim()
  for (const line of c.lines) {
    const quantityElement = first(
      line,
      c.kind === 'invoice' ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity',
    )
    const lineAmount = dec(first(line, 'cbc:LineExtensionAmount')) ?? ZERO
    const quantity = quantityElement === undefined ? { units: 1n, scale: 0 } : dec(quantityElement)
    const price = has(line, 'cac:Price/cbc:PriceAmount')
      ? dec(first(line, 'cac:Price/cbc:PriceAmount'))
      : ZERO
    const baseElement = first(line, 'cac:Price/cbc:BaseQuantity')
    const baseValue = dec(baseElement)
    const baseQuantity =
      baseValue !== undefined && sign(baseValue) !== 0 ? baseValue : { units: 1n, scale: 0 }
    const lineAllowances = all(line, 'cac:AllowanceCharge').filter(
      (ac) => ns(first(ac, 'cbc:ChargeIndicator')?.text) === 'false',
    )
    const lineCharges = all(line, 'cac:AllowanceCharge').filter(
      (ac) => ns(first(ac, 'cbc:ChargeIndicator')?.text) === 'true',
    )
    const allowances = round2(
      sum(lineAllowances.flatMap((ac) => all(ac, 'cbc:Amount')).map((a) => dec(a) ?? ZERO)),
    )
    const charges = round2(sum(lineCharges.flatMap((ac) => all(ac, 'cbc:Amount')).map((a) => dec(a) ?? ZERO)))
    if (quantity !== undefined && price !== undefined) {
      // |amount - (q × p / b + charges - allowances)| ≤ 0.02, cross-multiplied by b > 0 to stay exact.
      const b = abs(baseQuantity)
      const left = mul(sub(add(lineAmount, allowances), charges), b)
      const right = mul(
        quantity,
        sign(baseQuantity) < 0 ? { units: -price.units, scale: price.scale } : price,
      )
      const ok = compare(abs(sub(left, right)), mul({ units: 2n, scale: 2 }, b)) <= 0
      c.check(ok, 'PEPPOL-EN16931-R120', first(line, 'cbc:LineExtensionAmount') ?? line, () => {
        const expected = add(sub(divide(mul(quantity, price), baseQuantity, 4), allowances), charges)
        return `the line says ${fmt(lineAmount)}, ${formatDecimal(quantity)} × ${formatDecimal(price)}${equals(baseQuantity, { units: 1n, scale: 0 }) ? '' : ` / ${formatDecimal(baseQuantity)}`}${sign(charges) ? ` + ${fmt(charges)}` : ''}${sign(allowances) ? ` - ${fmt(allowances)}` : ''} = ${formatAmount(roundHalfUp(expected, 2))}`
      })
    } else {
      c.fail('PEPPOL-EN16931-R120', line, 'the quantity or price is not a number')
    }
    c.check(
      baseElement === undefined || (baseValue !== undefined && sign(baseValue) > 0),
      'PEPPOL-EN16931-R121',
      baseElement ?? line,
      () => `the base quantity is ${quote(baseElement)}`,
    )
    const references = all(line, 'cac:DocumentReference')
    c.check(references.length <= 1, 'PEPPOL-EN16931-R100', line)
    c.check(
      references.length === 0 ||
        references.some((ref) => all(ref, 'cbc:DocumentTypeCode').some((code) => code.text === '130')),
      'PEPPOL-EN16931-R101',
      line,
    )
    for (const start of all(line, 'cac:InvoicePeriod/cbc:StartDate')) {
      if (invoiceStart !== undefined && isDate(invoiceStart) && isDate(start.text.trim())) {
        c.check(
          start.text.trim() >= invoiceStart,
          'PEPPOL-EN16931-R110',
          start,
          () => `the line starts ${start.text.trim()}, the invoice period ${invoiceStart}`,
        )
      }
    }
    for (const end of all(line, 'cac:InvoicePeriod/cbc:EndDate')) {
      if (invoiceEnd !== undefined && isDate(invoiceEnd) && isDate(end.text.trim())) {
        c.check(
          end.text.trim() <= invoiceEnd,
          'PEPPOL-EN16931-R111',
          end,
          () => `the line ends ${end.text.trim()}, the invoice period ${invoiceEnd}`,
        )
      }
    }
    for (const priceAllowance of all(line, 'cac:Price/cac:AllowanceCharge')) {
      c.check(
        ns(first(priceAllowance, 'cbc:ChargeIndicator')?.text) === 'false',
        'PEPPOL-EN16931-R044',
        priceAllowance,
      )
      const gross = dec(first(priceAllowance, 'cbc:BaseAmount'))
      if (has(priceAllowance, 'cbc:BaseAmount')) {
        const discount = dec(first(priceAllowance, 'cbc:Amount'))
        const net = dec(first(line, 'cac:Price/cbc:PriceAmount'))
        c.check(
          gross !== undefined &&
            discount !== undefined &&
            net !== undefined &&
            equals(net, sub(gross, discount)),
          'PEPPOL-EN16931-R046',
          priceAllowance,
          () =>
            `the net price is ${fmt(net)}, ${fmt(gross)} - ${fmt(discount)} = ${gross && discount ? fmt(sub(gross, discount)) : '?'}`,
        )
      }
    }
    if (baseElement?.attrs.unitCode !== undefined && quantityElement !== undefined) {
      c.check(
        baseElement.attrs.unitCode === quantityElement.attrs.unitCode,
        'PEPPOL-EN16931-R130',
        baseElement,
        () => `"${baseElement.attrs.unitCode}" against "${quantityElement.attrs.unitCode ?? ''}"`,
      )
    }
  }
}

const peppolIdentifiers: Check = (c) => {
  walk(c.root, (element) => {
    if (element.ns !== NS.cbc) return
    const isEndpoint = element.name === 'EndpointID'
    const isCompany = element.name === 'CompanyID'
    const isPartyId = element.name === 'ID' && c.path(element).endsWith('cac:PartyIdentification/cbc:ID')
    if (!isEndpoint && !isCompany && !isPartyId) return
    const scheme = element.attrs.schemeID
    const value = ns(element.text)
    const raw = element.text
    switch (scheme) {
      case '0088':
        c.check(
          /^[0-9]+$/.test(value) && gln(value),
          'PEPPOL-COMMON-R040',
          element,
          () => `"${value}" is not a valid GLN`,
        )
        break
      case '0192':
        c.check(/^[0-9]{9}$/.test(value) && mod11(value), 'PEPPOL-COMMON-R041', element, () => `"${value}"`)
        break
      case '0184':
        c.check(/^(DK)?[0-9]{8}$/.test(raw), 'PEPPOL-COMMON-R042', element, () => `"${raw}"`)
        break
      case '0208':
        c.check(
          /^[0-9]{10}$/.test(value) && 97 - (Number(value.slice(0, 8)) % 97) === Number(value.slice(8, 10)),
          'PEPPOL-COMMON-R043',
          element,
          () => `"${value}"`,
        )
        break
      case '0201':
        c.check(/^[A-Za-z0-9]{6}$/.test(value), 'PEPPOL-COMMON-R044', element, () => `"${value}"`)
        break
      case '0210':
        c.check(codiceFiscale(value), 'PEPPOL-COMMON-R045', element, () => `"${value}"`)
        break
      case '9907':
        if (isEndpoint) c.check(codiceFiscale(value), 'PEPPOL-COMMON-R046', element, () => `"${value}"`)
        break
      case '0211':
        c.check(partitaIva(value), 'PEPPOL-COMMON-R047', element, () => `"${value}"`)
        break
      case '0007':
        c.check(
          value.length === 10 && /^[0-9]+$/.test(value) && luhn(value),
          'PEPPOL-COMMON-R049',
          element,
          () => `"${value}"`,
        )
        break
      case '0151':
        c.check(/^[0-9]{11}$/.test(value) && abn(value), 'PEPPOL-COMMON-R050', element, () => `"${value}"`)
        break
    }
  })
}

/** GS1 check digit. */
function gln(value: string): boolean {
  const digits = [...value.slice(0, -1)].reverse().map(Number)
  const weighted = digits.reduce((total, digit, index) => total + digit * (index % 2 === 0 ? 3 : 1), 0)
  return (10 - (weighted % 10)) % 10 === Number(value.at(-1))
}

/** Norwegian organisation number check digit (weights 2..7 from the right). */
function mod11(value: string): boolean {
  const digits = [...value.slice(0, -1)].reverse().map(Number)
  const weighted = digits.reduce((total, digit, index) => total + digit * ((index % 6) + 2), 0)
  return Number(value) > 0 && (11 - (weighted % 11)) % 11 === Number(value.at(-1))
}

/** Swedish organisation number: Luhn over the first nine digits. */
function luhn(value: string): boolean {
  const main = value.slice(0, 9)
  let total = 0
  for (let position = 1; position <= main.length; position++) {
    const digit = Number(main[main.length - position])
    if (position % 2 === 1) total += ((digit * 2) % 10) + Math.floor((digit * 2) / 10)
    else total += digit
  }
  return (10 - (total % 10)) % 10 === Number(value[9])
}

/** Australian Business Number. */
function abn(value: string): boolean {
  const weights = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19]
  const digits = [...value].map(Number)
  digits[0] = digits[0]! - 1
  return digits.reduce((total, digit, index) => total + digit * weights[index]!, 0) % 89 === 0
}

/** Italian fiscal code: 16 characters in the personal pattern, or an 11-digit number. */
function codiceFiscale(value: string): boolean {
  if (value.length === 11) return /^[0-9]+$/.test(value)
  if (value.length !== 16) return false
  return /^[A-Za-z]{6}[0-9]{2}[A-Za-z][0-9]{2}.{3}[0-9][A-Za-z]$/.test(value)
}

/** Italian VAT number (partita IVA): IT + 11 digits with a Luhn-style check; other countries pass. */
function partitaIva(value: string): boolean {
  const country = value.slice(0, 2)
  if (country !== 'IT' && country !== 'it') return true
  const code = value.slice(2)
  if (!/^[0-9]{11}$/.test(code)) return false
  let total = 0
  for (let index = 0; index < 11; index++) {
    const digit = Number(code[index])
    total += index % 2 === 1 ? Number('0246813579'[digit]) : digit
  }
  return total % 10 === 0
}

const PEPPOL_CHECKS: Check[] = [peppolDocument, peppolAllowancesAndCharges, peppolLines, peppolIdentifiers]
