// The organisation as a seller: the name, address, VAT number and Peppol id printed on its
// invoices and written into its e-invoices, and the account customers pay into.
import type { Tx } from '../../platform/db/index.ts'
import { BusinessRuleError, type FieldError, ValidationError } from '../../platform/errors.ts'
import { validateCompanyNumber } from '../banking/company-number.ts'
import { normaliseIban, validateIban } from '../banking/iban.ts'
import { checkUkBankAccount } from '../banking/modulus.ts'
import { validateUkVatNumber } from '../banking/vat-number.ts'
import { blank } from './common.ts'
import { checkEmail, checkPeppolEndpoint } from './customers.ts'

export interface SellerSettingsInput {
  legalName: string
  addressLine1: string
  addressLine2?: string | undefined
  city: string
  postcode: string
  vatNumber: string
  companyNumber?: string | undefined
  /** Defaults to the VAT number under scheme 9932 (UK VAT). */
  peppolEndpoint?: string | undefined
  contactEmail?: string | undefined
  bankAccountName: string
  sortCode: string
  accountNumber: string
  iban?: string | undefined
  invoicePrefix?: string | undefined
  creditNotePrefix?: string | undefined
}

export interface SellerSettings {
  legalName: string
  addressLine1: string
  addressLine2: string | null
  city: string
  postcode: string
  countryCode: string
  vatNumber: string
  companyNumber: string | null
  peppolEndpoint: string
  contactEmail: string | null
  bankAccountName: string
  sortCode: string
  accountNumber: string
  iban: string | null
  invoicePrefix: string
  creditNotePrefix: string
}

const PREFIX = /^[A-Z0-9-]{1,10}$/

export function checkSettingsInput(input: SellerSettingsInput): SellerSettings {
  const problems: FieldError[] = []
  const text = (value: string | undefined, field: string, what: string, max: number, required = true) => {
    const trimmed = value?.trim() ?? ''
    if (!trimmed) {
      if (required) problems.push({ field, message: `Enter the ${what}` })
      return ''
    }
    if (trimmed.length > max)
      problems.push({ field, message: `The ${what} must be ${max} characters or fewer` })
    return trimmed
  }
  const legalName = text(input.legalName, '/legalName', 'organisation’s legal name', 200)
  const addressLine1 = text(input.addressLine1, '/addressLine1', 'first line of the address', 200)
  const addressLine2 =
    text(input.addressLine2, '/addressLine2', 'second line of the address', 200, false) || null
  const city = text(input.city, '/city', 'town or city', 100)
  const postcode = text(input.postcode, '/postcode', 'postcode', 20)
  let vatNumber = ''
  if (blank(input.vatNumber)) problems.push({ field: '/vatNumber', message: 'Enter the VAT number' })
  else {
    const check = validateUkVatNumber(input.vatNumber)
    if (check.ok) vatNumber = check.formatted
    else problems.push({ field: '/vatNumber', message: check.reason })
  }
  let companyNumber: string | null = null
  if (!blank(input.companyNumber)) {
    const check = validateCompanyNumber(input.companyNumber!)
    if (check.ok) companyNumber = check.companyNumber
    else problems.push({ field: '/companyNumber', message: check.reason })
  }
  const peppolEndpoint =
    checkPeppolEndpoint(input.peppolEndpoint, problems) ?? (vatNumber ? `9932:${vatNumber}` : '')
  const contactEmail = checkEmail(input.contactEmail, problems)
  const bankAccountName = text(input.bankAccountName, '/bankAccountName', 'name on the bank account', 140)
  let sortCode = ''
  let accountNumber = ''
  if (blank(input.sortCode)) problems.push({ field: '/sortCode', message: 'Enter the sort code' })
  else if (blank(input.accountNumber))
    problems.push({ field: '/accountNumber', message: 'Enter the account number' })
  else {
    const check = checkUkBankAccount(input.sortCode, input.accountNumber)
    if ('field' in check) problems.push({ field: `/${check.field}`, message: check.reason })
    else if (!check.ok)
      problems.push({
        field: '/accountNumber',
        message: `Sort code ${check.sortCode} and account number ${check.accountNumber} fail the modulus check: ${check.reason}`,
      })
    else {
      sortCode = check.sortCode
      accountNumber = check.accountNumber
    }
  }
  let iban: string | null = null
  if (!blank(input.iban)) {
    const check = validateIban(input.iban!)
    if (check.ok) iban = normaliseIban(check.iban)
    else problems.push({ field: '/iban', message: check.reason })
  }
  const prefix = (value: string | undefined, fallback: string, field: string) => {
    const chosen = (value?.trim() || fallback).toUpperCase()
    if (!PREFIX.test(chosen))
      problems.push({ field, message: 'A number prefix is 1 to 10 capital letters, digits or hyphens' })
    return chosen
  }
  const invoicePrefix = prefix(input.invoicePrefix, 'INV', '/invoicePrefix')
  const creditNotePrefix = prefix(input.creditNotePrefix, 'CRN', '/creditNotePrefix')
  if (!problems.length && invoicePrefix === creditNotePrefix)
    problems.push({
      field: '/creditNotePrefix',
      message: 'Credit notes need a different prefix from invoices',
    })
  if (problems.length)
    throw new ValidationError(
      problems.length === 1 ? problems[0]!.message : `${problems.length} problems with the invoicing details`,
      problems,
    )
  return {
    legalName,
    addressLine1,
    addressLine2,
    city,
    postcode,
    countryCode: 'GB',
    vatNumber,
    companyNumber,
    peppolEndpoint,
    contactEmail,
    bankAccountName,
    sortCode,
    accountNumber,
    iban,
    invoicePrefix,
    creditNotePrefix,
  }
}

export class SettingsService {
  /** The seller's details, or undefined before they are set. */
  async find(trx: Tx, orgId: string): Promise<SellerSettings | undefined> {
    const row = await trx
      .selectFrom('receivables_settings')
      .selectAll()
      .where('org_id', '=', orgId)
      .executeTakeFirst()
    if (!row) return undefined
    return {
      legalName: row.legal_name,
      addressLine1: row.address_line_1,
      addressLine2: row.address_line_2,
      city: row.city,
      postcode: row.postcode,
      countryCode: row.country_code,
      vatNumber: row.vat_number,
      companyNumber: row.company_number,
      peppolEndpoint: row.peppol_endpoint,
      contactEmail: row.contact_email,
      bankAccountName: row.bank_account_name,
      sortCode: row.sort_code,
      accountNumber: row.account_number,
      iban: row.iban,
      invoicePrefix: row.invoice_prefix,
      creditNotePrefix: row.credit_note_prefix,
    }
  }

  /** Errors: BusinessRuleError when the organisation has not set its invoicing details. */
  async get(trx: Tx, orgId: string): Promise<SellerSettings> {
    const settings = await this.find(trx, orgId)
    if (!settings)
      throw new BusinessRuleError(
        'Set up the organisation’s invoicing details (address, VAT number, bank account) before issuing invoices',
      )
    return settings
  }

  /** Sets (or replaces) the invoicing details. Errors: ValidationError naming every bad field. */
  async set(trx: Tx, orgId: string, input: SellerSettingsInput): Promise<SellerSettings> {
    const s = checkSettingsInput(input)
    const values = {
      legal_name: s.legalName,
      address_line_1: s.addressLine1,
      address_line_2: s.addressLine2,
      city: s.city,
      postcode: s.postcode,
      country_code: s.countryCode,
      vat_number: s.vatNumber,
      company_number: s.companyNumber,
      peppol_endpoint: s.peppolEndpoint,
      contact_email: s.contactEmail,
      bank_account_name: s.bankAccountName,
      sort_code: s.sortCode,
      account_number: s.accountNumber,
      iban: s.iban,
      invoice_prefix: s.invoicePrefix,
      credit_note_prefix: s.creditNotePrefix,
    }
    await trx
      .insertInto('receivables_settings')
      .values({ org_id: orgId, ...values })
      .onConflict((conflict) => conflict.column('org_id').doUpdateSet(values))
      .execute()
    return s
  }
}
