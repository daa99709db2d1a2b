// Customers: who the organisation invoices, other public bodies included. Identity numbers are
// checked (Companies House, VAT) before anything is stored; every problem names its field.
import { randomUUID } from 'node:crypto'
import type { Selectable } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { BusinessRuleError, type FieldError, NotFoundError, ValidationError } from '../../platform/errors.ts'
import { validateCompanyNumber } from '../banking/company-number.ts'
import { validateUkVatNumber } from '../banking/vat-number.ts'
import { SYSTEM_ACCOUNTS } from '../chart.ts'
import { COUNTRY_CODES } from '../einvoice/codes.ts'
import { blank } from './common.ts'
import type { CustomerTable } from './tables.ts'

/** Receivables from other government bodies: kept apart so they can be eliminated on consolidation. */
export const GOVERNMENT_RECEIVABLES_ACCOUNT = '13200000'
export const DEFAULT_PAYMENT_TERMS_DAYS = 30
export const CUSTOMERS_PER_PAGE_MAX = 500

export interface CustomerInput {
  name: string
  addressLine1: string
  addressLine2?: string | undefined
  city: string
  postcode?: string | undefined
  /** ISO 3166-1 alpha-2; default GB. */
  countryCode?: string | undefined
  vatNumber?: string | undefined
  companyNumber?: string | undefined
  /** Peppol participant id as scheme:value, e.g. "0088:5060012349998" or "9932:GB123456789". */
  peppolEndpoint?: string | undefined
  contactEmail?: string | undefined
  paymentTermsDays?: number | undefined
  creditLimitPence?: number | null | undefined
  /** Another public body: its debt is held as a receivable from government (13200000). */
  publicBody?: boolean | undefined
}

export interface Customer {
  id: string
  name: string
  addressLine1: string
  addressLine2: string | null
  city: string
  postcode: string | null
  countryCode: string
  vatNumber: string | null
  companyNumber: string | null
  peppolEndpoint: string | null
  contactEmail: string | null
  paymentTermsDays: number
  creditLimitPence: number | null
  publicBody: boolean
  controlAccountCode: string
}

export function toCustomer(row: Selectable<CustomerTable>): Customer {
  return {
    id: row.id,
    name: row.name,
    addressLine1: row.address_line_1,
    addressLine2: row.address_line_2,
    city: row.city,
    postcode: row.postcode,
    countryCode: row.country_code,
    vatNumber: row.vat_number,
    companyNumber: row.company_number,
    peppolEndpoint: row.peppol_endpoint,
    contactEmail: row.contact_email,
    paymentTermsDays: row.payment_terms_days,
    creditLimitPence: row.credit_limit_pence,
    publicBody: row.public_body,
    controlAccountCode: row.control_account_code,
  }
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/
const PEPPOL_ID = /^\d{4}:\S{1,200}$/

/** Checks and normalises a Peppol participant id; pushes a problem and returns null when wrong. */
export function checkPeppolEndpoint(
  value: string | undefined,
  problems: FieldError[],
  field = '/peppolEndpoint',
) {
  if (blank(value)) return null
  const trimmed = value!.trim()
  if (PEPPOL_ID.test(trimmed)) return trimmed
  problems.push({ field, message: 'Enter the Peppol id as scheme and value, like 0088:5060012349998' })
  return null
}

export function checkEmail(value: string | undefined, problems: FieldError[], field = '/contactEmail') {
  if (blank(value)) return null
  const trimmed = value!.trim()
  if (EMAIL.test(trimmed) && trimmed.length <= 254) return trimmed
  problems.push({ field, message: 'Enter an email address in the correct format, like name@example.gov.uk' })
  return null
}

/** Normalises and checks a customer's details; throws ValidationError naming every bad field. */
export function checkCustomerInput(input: CustomerInput): Omit<Customer, 'id'> {
  const problems: FieldError[] = []
  const text = (value: string | undefined, field: string, what: string, max: number, required: boolean) => {
    const trimmed = value?.trim() ?? ''
    if (!trimmed) {
      if (required) problems.push({ field, message: `Enter the ${what}` })
      return null
    }
    if (trimmed.length > max)
      problems.push({ field, message: `The ${what} must be ${max} characters or fewer` })
    return trimmed
  }
  const name = text(input.name, '/name', 'customer’s name', 200, true)
  const addressLine1 = text(input.addressLine1, '/addressLine1', 'first line of the address', 200, true)
  const addressLine2 = text(input.addressLine2, '/addressLine2', 'second line of the address', 200, false)
  const city = text(input.city, '/city', 'town or city', 100, true)
  const postcode = text(input.postcode, '/postcode', 'postcode', 20, false)
  const countryCode = (input.countryCode?.trim() || 'GB').toUpperCase()
  if (!COUNTRY_CODES.has(countryCode))
    problems.push({ field: '/countryCode', message: 'Enter a 2-letter country code, like GB' })
  if (countryCode === 'GB' && !postcode) problems.push({ field: '/postcode', message: 'Enter the postcode' })

  let vatNumber: string | null = null
  if (!blank(input.vatNumber)) {
    const check = validateUkVatNumber(input.vatNumber!)
    if (check.ok) vatNumber = check.formatted
    else problems.push({ field: '/vatNumber', message: check.reason })
  }
  let companyNumber: string | null = null
  if (!blank(input.companyNumber)) {
    const check = validateCompanyNumber(input.companyNumber!)
    if (check.ok) companyNumber = check.companyNumber
    else problems.push({ field: '/companyNumber', message: check.reason })
  }
  const peppolEndpoint = checkPeppolEndpoint(input.peppolEndpoint, problems)
  const contactEmail = checkEmail(input.contactEmail, problems)
  const paymentTermsDays = input.paymentTermsDays ?? DEFAULT_PAYMENT_TERMS_DAYS
  if (!Number.isInteger(paymentTermsDays) || paymentTermsDays < 0 || paymentTermsDays > 365)
    problems.push({
      field: '/paymentTermsDays',
      message: 'Payment terms must be a whole number of days, 0 to 365',
    })
  const creditLimitPence = input.creditLimitPence ?? null
  if (creditLimitPence !== null && (!Number.isSafeInteger(creditLimitPence) || creditLimitPence < 0))
    problems.push({ field: '/creditLimitPence', message: 'The credit limit must be an amount of £0 or more' })

  if (problems.length)
    throw new ValidationError(
      problems.length === 1
        ? problems[0]!.message
        : `${problems.length} problems with the customer’s details`,
      problems,
    )
  const publicBody = input.publicBody ?? false
  return {
    name: name!,
    addressLine1: addressLine1!,
    addressLine2,
    city: city!,
    postcode,
    countryCode,
    vatNumber,
    companyNumber,
    peppolEndpoint,
    contactEmail,
    paymentTermsDays,
    creditLimitPence,
    publicBody,
    controlAccountCode: publicBody ? GOVERNMENT_RECEIVABLES_ACCOUNT : SYSTEM_ACCOUNTS.tradeReceivables,
  }
}

export class CustomerService {
  /**
   * Adds a customer. Errors: ValidationError (a field is wrong, each named), BusinessRuleError
   * (another customer already has this VAT or Companies House number).
   */
  async create(trx: Tx, orgId: string, input: CustomerInput, createdBy: string | null): Promise<Customer> {
    const details = checkCustomerInput(input)
    const problems: FieldError[] = []
    for (const [column, field, label] of [
      ['vat_number', '/vatNumber', 'VAT number'],
      ['company_number', '/companyNumber', 'Companies House number'],
    ] as const) {
      const value = column === 'vat_number' ? details.vatNumber : details.companyNumber
      if (!value) continue
      const same = await trx
        .selectFrom('customers')
        .select('name')
        .where('org_id', '=', orgId)
        .where(column, '=', value)
        .executeTakeFirst()
      if (same) problems.push({ field, message: `Customer ${same.name} already has ${label} ${value}` })
    }
    if (problems.length) throw new BusinessRuleError(problems[0]!.message, problems)
    const row = await trx
      .insertInto('customers')
      .values({
        org_id: orgId,
        id: randomUUID(),
        name: details.name,
        address_line_1: details.addressLine1,
        address_line_2: details.addressLine2,
        city: details.city,
        postcode: details.postcode,
        country_code: details.countryCode,
        vat_number: details.vatNumber,
        company_number: details.companyNumber,
        peppol_endpoint: details.peppolEndpoint,
        contact_email: details.contactEmail,
        payment_terms_days: details.paymentTermsDays,
        credit_limit_pence: details.creditLimitPence,
        public_body: details.publicBody,
        control_account_code: details.controlAccountCode,
        created_by: createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toCustomer(row)
  }

  async list(trx: Tx, orgId: string, limit = CUSTOMERS_PER_PAGE_MAX): Promise<Customer[]> {
    const rows = await trx
      .selectFrom('customers')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('name')
      .orderBy('id')
      .limit(Math.min(limit, CUSTOMERS_PER_PAGE_MAX))
      .execute()
    return rows.map(toCustomer)
  }

  /** Errors: NotFoundError. */
  async get(trx: Tx, orgId: string, id: string): Promise<Customer> {
    const row = await trx
      .selectFrom('customers')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such customer')
    return toCustomer(row)
  }
}
