// Suppliers: who the organisation pays. Identity (Companies House and VAT numbers) and bank
// details are checked before anything is stored; every problem names its field.
import { randomUUID } from 'node:crypto'
import type { Tx } from '../../platform/db/index.ts'
import { BusinessRuleError, type FieldError, NotFoundError, ValidationError } from '../../platform/errors.ts'
import { validateCompanyNumber } from '../banking/company-number.ts'
import { normaliseIban, validateBic, validateIban } from '../banking/iban.ts'
import { checkUkBankAccount } from '../banking/modulus.ts'
import { validateUkVatNumber } from '../banking/vat-number.ts'

export interface SupplierInput {
  name: string
  companyNumber?: string | undefined
  vatNumber?: string | undefined
  sortCode?: string | undefined
  accountNumber?: string | undefined
  iban?: string | undefined
  bic?: string | undefined
  /** Peppol participant id as scheme:value, e.g. "0088:7300010000001". */
  peppolEndpoint?: string | undefined
  sme?: boolean | undefined
  /** The expense account e-invoice lines go to unless they name one. */
  defaultAccountCode?: string | undefined
}

export interface Supplier {
  id: string
  name: string
  companyNumber: string | null
  vatNumber: string | null
  sortCode: string | null
  accountNumber: string | null
  iban: string | null
  bic: string | null
  peppolEndpoint: string | null
  sme: boolean
  defaultAccountCode: string
}

/** The most suppliers one list returns. */
export const SUPPLIERS_PER_PAGE_MAX = 500

type SupplierRow = {
  id: string
  name: string
  company_number: string | null
  vat_number: string | null
  sort_code: string | null
  account_number: string | null
  iban: string | null
  bic: string | null
  peppol_endpoint: string | null
  sme: boolean
  default_account_code: string
}

function toSupplier(row: SupplierRow): Supplier {
  return {
    id: row.id,
    name: row.name,
    companyNumber: row.company_number,
    vatNumber: row.vat_number,
    sortCode: row.sort_code,
    accountNumber: row.account_number,
    iban: row.iban,
    bic: row.bic,
    peppolEndpoint: row.peppol_endpoint,
    sme: row.sme,
    defaultAccountCode: row.default_account_code,
  }
}

const blank = (value: string | undefined) => value === undefined || value.trim() === ''

/** Normalises and checks a supplier's details; throws ValidationError naming every bad field. */
export function checkSupplierInput(input: SupplierInput): Omit<Supplier, 'id'> {
  const problems: FieldError[] = []
  const name = input.name?.trim() ?? ''
  if (!name) problems.push({ field: '/name', message: 'Enter the supplier’s name' })
  else if (name.length > 200)
    problems.push({ field: '/name', message: 'Name must be 200 characters or fewer' })

  let companyNumber: string | null = null
  if (!blank(input.companyNumber)) {
    const check = validateCompanyNumber(input.companyNumber!)
    if (check.ok) companyNumber = check.companyNumber
    else problems.push({ field: '/companyNumber', message: check.reason })
  }
  let vatNumber: string | null = null
  if (!blank(input.vatNumber)) {
    const check = validateUkVatNumber(input.vatNumber!)
    if (check.ok) vatNumber = check.formatted
    else problems.push({ field: '/vatNumber', message: check.reason })
  }

  let sortCode: string | null = null
  let accountNumber: string | null = null
  const hasUk = !blank(input.sortCode) || !blank(input.accountNumber)
  if (hasUk) {
    if (blank(input.sortCode)) problems.push({ field: '/sortCode', message: 'Enter the sort code' })
    else if (blank(input.accountNumber))
      problems.push({ field: '/accountNumber', message: 'Enter the account number' })
    else {
      const check = checkUkBankAccount(input.sortCode!, input.accountNumber!)
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
  }
  let iban: string | null = null
  if (!blank(input.iban)) {
    const check = validateIban(input.iban!)
    if (!check.ok) problems.push({ field: '/iban', message: check.reason })
    else if (check.uk && !check.uk.modulus.ok)
      problems.push({
        field: '/iban',
        message: `The UK account in this IBAN fails the modulus check: ${check.uk.modulus.reason}`,
      })
    else iban = normaliseIban(check.iban)
  }
  let bic: string | null = null
  if (!blank(input.bic)) {
    const check = validateBic(input.bic!)
    if (check.ok) bic = input.bic!.replace(/\s/g, '').toUpperCase()
    else problems.push({ field: '/bic', message: check.reason })
  }
  let peppolEndpoint: string | null = null
  if (!blank(input.peppolEndpoint)) {
    const value = input.peppolEndpoint!.trim()
    if (/^\d{4}:\S{1,200}$/.test(value)) peppolEndpoint = value
    else
      problems.push({
        field: '/peppolEndpoint',
        message: 'Enter the Peppol id as scheme and value, like 0088:7300010000001',
      })
  }
  if (!hasUk && blank(input.iban))
    problems.push({
      field: '/sortCode',
      message: 'Enter a UK sort code and account number, or an IBAN, so the supplier can be paid',
    })
  const defaultAccountCode = input.defaultAccountCode ?? '52600000'
  if (!/^\d{8}$/.test(defaultAccountCode))
    problems.push({ field: '/defaultAccountCode', message: 'Account code must be 8 digits' })

  if (problems.length)
    throw new ValidationError(
      problems.length === 1
        ? problems[0]!.message
        : `${problems.length} problems with the supplier’s details`,
      problems,
    )
  return {
    name,
    companyNumber,
    vatNumber,
    sortCode,
    accountNumber,
    iban,
    bic,
    peppolEndpoint,
    sme: input.sme ?? false,
    defaultAccountCode,
  }
}

export class SupplierService {
  /**
   * Adds a supplier. Errors: ValidationError (a field is wrong, each named), BusinessRuleError
   * (another supplier of the organisation already has this VAT or Companies House number).
   */
  async create(trx: Tx, orgId: string, input: SupplierInput, createdBy: string | null): Promise<Supplier> {
    const details = checkSupplierInput(input)
    const account = await trx
      .selectFrom('accounts')
      .select('code')
      .where('org_id', '=', orgId)
      .where('code', '=', details.defaultAccountCode)
      .executeTakeFirst()
    if (!account)
      throw new ValidationError(`There is no account ${details.defaultAccountCode}`, [
        { field: '/defaultAccountCode', message: `There is no account ${details.defaultAccountCode}` },
      ])
    await this.#refuseDuplicate(trx, orgId, details)
    const id = randomUUID()
    const row = await trx
      .insertInto('suppliers')
      .values({
        org_id: orgId,
        id,
        name: details.name,
        company_number: details.companyNumber,
        vat_number: details.vatNumber,
        sort_code: details.sortCode,
        account_number: details.accountNumber,
        iban: details.iban,
        bic: details.bic,
        peppol_endpoint: details.peppolEndpoint,
        sme: details.sme,
        default_account_code: details.defaultAccountCode,
        created_by: createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toSupplier(row)
  }

  async #refuseDuplicate(trx: Tx, orgId: string, details: Omit<Supplier, 'id'>): Promise<void> {
    const problems: FieldError[] = []
    if (details.vatNumber) {
      const same = await this.#findBy(trx, orgId, 'vat_number', details.vatNumber)
      if (same)
        problems.push({
          field: '/vatNumber',
          message: `Supplier ${same.name} already has VAT number ${details.vatNumber}`,
        })
    }
    if (details.companyNumber) {
      const same = await this.#findBy(trx, orgId, 'company_number', details.companyNumber)
      if (same)
        problems.push({
          field: '/companyNumber',
          message: `Supplier ${same.name} already has Companies House number ${details.companyNumber}`,
        })
    }
    if (details.peppolEndpoint) {
      const same = await this.#findBy(trx, orgId, 'peppol_endpoint', details.peppolEndpoint)
      if (same)
        problems.push({
          field: '/peppolEndpoint',
          message: `Supplier ${same.name} already has Peppol id ${details.peppolEndpoint}`,
        })
    }
    if (problems.length) throw new BusinessRuleError(problems[0]!.message, problems)
  }

  #findBy(
    trx: Tx,
    orgId: string,
    column: 'vat_number' | 'company_number' | 'peppol_endpoint',
    value: string,
  ) {
    return trx
      .selectFrom('suppliers')
      .select(['id', 'name'])
      .where('org_id', '=', orgId)
      .where(column, '=', value)
      .executeTakeFirst()
  }

  async list(trx: Tx, orgId: string, limit = SUPPLIERS_PER_PAGE_MAX): Promise<Supplier[]> {
    const rows = await trx
      .selectFrom('suppliers')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('name')
      .orderBy('id')
      .limit(Math.min(limit, SUPPLIERS_PER_PAGE_MAX))
      .execute()
    return rows.map(toSupplier)
  }

  /** Errors: NotFoundError. */
  async get(trx: Tx, orgId: string, id: string): Promise<Supplier> {
    const row = await trx
      .selectFrom('suppliers')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such supplier')
    return toSupplier(row)
  }

  /**
   * The supplier an e-invoice's seller is: by VAT number first, then Companies House number, then
   * Peppol endpoint.
   * Returns undefined when neither matches.
   */
  async matchSeller(
    trx: Tx,
    orgId: string,
    seller: {
      vatId?: string | undefined
      legalRegistration?: { value: string } | undefined
      endpoint?: { value: string; scheme?: string | undefined } | undefined
    },
  ): Promise<Supplier | undefined> {
    if (seller.vatId) {
      const vat = validateUkVatNumber(seller.vatId)
      const value = vat.ok ? vat.formatted : seller.vatId.replace(/\s/g, '').toUpperCase()
      const found = await this.#findBy(trx, orgId, 'vat_number', value)
      if (found) return this.get(trx, orgId, found.id)
    }
    if (seller.legalRegistration) {
      const company = validateCompanyNumber(seller.legalRegistration.value)
      if (company.ok) {
        const found = await this.#findBy(trx, orgId, 'company_number', company.companyNumber)
        if (found) return this.get(trx, orgId, found.id)
      }
    }
    if (seller.endpoint?.scheme) {
      const found = await this.#findBy(
        trx,
        orgId,
        'peppol_endpoint',
        `${seller.endpoint.scheme}:${seller.endpoint.value}`,
      )
      if (found) return this.get(trx, orgId, found.id)
    }
    return undefined
  }
}
