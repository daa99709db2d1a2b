// Suppliers as procurement sees them: the payables supplier (identity and bank details checked by
// finance's SupplierService) plus the SME and VCSE flags, the Central Digital Platform identifier
// and contacts. De-duplication: payables refuses a second supplier with the same VAT, Companies
// House or Peppol id; here a name that normalises to an existing supplier's is refused unless the
// caller confirms it is a different organisation.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { SupplierInput, SupplierService } from '../finance/payables/suppliers.ts'
import type { Tx } from '../platform/db/index.ts'
import { BusinessRuleError, type FieldError, NotFoundError, ValidationError } from '../platform/errors.ts'
import './tables.ts'

export const CONTACTS_PER_SUPPLIER_MAX = 20
const CDP_PATTERN = /^[A-Z]{2}-[A-Z]{2,10}:[A-Za-z0-9-]{1,60}$/

export interface ContactInput {
  name: string
  role?: string | undefined
  email?: string | undefined
  phone?: string | undefined
}

export interface ProcurementSupplierInput extends SupplierInput {
  vcse?: boolean | undefined
  /** Central Digital Platform organisation identifier, e.g. "GB-PPON:PABC-1234-DEFG". */
  cdpIdentifier?: string | undefined
  contacts?: ContactInput[] | undefined
  /** Set when a possible duplicate by name has been checked and is a different organisation. */
  confirmNotDuplicate?: boolean | undefined
}

export interface ProcurementSupplier {
  id: string
  name: string
  companyNumber: string | null
  vatNumber: string | null
  sme: boolean
  vcse: boolean
  cdpIdentifier: string | null
  contacts: Array<{
    id: string
    name: string
    role: string | null
    email: string | null
    phone: string | null
  }>
}

/** Words that do not tell two organisations apart: legal forms, "the", "and" and punctuation. */
const NOISE = new Set([
  'the',
  'ltd',
  'limited',
  'plc',
  'llp',
  'lp',
  'inc',
  'co',
  'company',
  'and',
  'uk',
  'group',
])

/** "The Acme Digital Services Ltd." → "acme digital services". */
export function normaliseSupplierName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((word) => word && !NOISE.has(word))
    .join(' ')
}

export class ProcurementSupplierService {
  readonly #suppliers: SupplierService
  constructor(suppliers: SupplierService) {
    this.#suppliers = suppliers
  }

  /** Suppliers whose names normalise to the same words as `name`. */
  async possibleDuplicates(trx: Tx, orgId: string, name: string, exceptId?: string) {
    const wanted = normaliseSupplierName(name)
    if (!wanted) return []
    const rows = await trx
      .selectFrom('suppliers')
      .select(['id', 'name', 'company_number', 'vat_number'])
      .where('org_id', '=', orgId)
      .execute()
    return rows
      .filter((row) => row.id !== exceptId && normaliseSupplierName(row.name) === wanted)
      .map((row) => ({
        id: row.id,
        name: row.name,
        companyNumber: row.company_number,
        vatNumber: row.vat_number,
      }))
  }

  /**
   * Adds a supplier shared with finance. Errors: ValidationError (each bad field), BusinessRuleError
   * (same VAT/Companies House/Peppol/CDP id as another supplier, or a possible duplicate by name
   * not confirmed).
   */
  async create(
    trx: Tx,
    orgId: string,
    input: ProcurementSupplierInput,
    createdBy: string | null,
  ): Promise<ProcurementSupplier> {
    const problems: FieldError[] = []
    const cdpIdentifier = input.cdpIdentifier?.trim() || null
    if (cdpIdentifier && !CDP_PATTERN.test(cdpIdentifier))
      problems.push({
        field: '/cdpIdentifier',
        message:
          'Enter the Central Digital Platform identifier as scheme and value, like GB-PPON:PABC-1234-DEFG',
      })
    const contacts = input.contacts ?? []
    if (contacts.length > CONTACTS_PER_SUPPLIER_MAX)
      problems.push({
        field: '/contacts',
        message: `A supplier can have at most ${CONTACTS_PER_SUPPLIER_MAX} contacts`,
      })
    contacts.forEach((contact, index) => {
      problems.push(...contactProblems(contact, `/contacts/${index}`))
    })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    if (cdpIdentifier) {
      const { rows } = await sql<{ name: string }>`
        select name from suppliers where org_id = ${orgId} and cdp_identifier = ${cdpIdentifier}`.execute(trx)
      if (rows[0])
        throw new BusinessRuleError(`Supplier ${rows[0].name} already has identifier ${cdpIdentifier}`, [
          {
            field: '/cdpIdentifier',
            message: `Supplier ${rows[0].name} already has identifier ${cdpIdentifier}`,
          },
        ])
    }
    if (!input.confirmNotDuplicate) {
      const duplicates = await this.possibleDuplicates(trx, orgId, input.name ?? '')
      if (duplicates.length) {
        const message = `${duplicates.map((d) => d.name).join(', ')} may be the same supplier: check, then confirm it is a different organisation`
        throw new BusinessRuleError(message, [{ field: '/name', message }])
      }
    }
    const supplier = await this.#suppliers.create(trx, orgId, input, createdBy)
    await sql`update suppliers set vcse = ${input.vcse ?? false}, cdp_identifier = ${cdpIdentifier}
      where org_id = ${orgId} and id = ${supplier.id}`.execute(trx)
    for (const contact of contacts) await this.#insertContact(trx, orgId, supplier.id, contact)
    return this.get(trx, orgId, supplier.id)
  }

  /** Errors: ValidationError, NotFoundError, BusinessRuleError (too many contacts). */
  async addContact(trx: Tx, orgId: string, supplierId: string, contact: ContactInput) {
    const problems = contactProblems(contact, '')
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    await this.get(trx, orgId, supplierId)
    const count = await trx
      .selectFrom('supplier_contacts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('org_id', '=', orgId)
      .where('supplier_id', '=', supplierId)
      .executeTakeFirstOrThrow()
    if (Number(count.n) >= CONTACTS_PER_SUPPLIER_MAX)
      throw new BusinessRuleError(`A supplier can have at most ${CONTACTS_PER_SUPPLIER_MAX} contacts`)
    await this.#insertContact(trx, orgId, supplierId, contact)
    return this.get(trx, orgId, supplierId)
  }

  /** Sets the procurement flags of an existing supplier. Errors: ValidationError, NotFoundError. */
  async setFlags(
    trx: Tx,
    orgId: string,
    supplierId: string,
    flags: {
      sme?: boolean | undefined
      vcse?: boolean | undefined
      cdpIdentifier?: string | null | undefined
    },
  ) {
    const current = await this.get(trx, orgId, supplierId)
    const cdp =
      flags.cdpIdentifier === undefined ? current.cdpIdentifier : flags.cdpIdentifier?.trim() || null
    if (cdp && !CDP_PATTERN.test(cdp))
      throw new ValidationError('Enter the identifier like GB-PPON:PABC-1234-DEFG', [
        { field: '/cdpIdentifier', message: 'Enter the identifier like GB-PPON:PABC-1234-DEFG' },
      ])
    await sql`update suppliers set sme = ${flags.sme ?? current.sme}, vcse = ${flags.vcse ?? current.vcse},
      cdp_identifier = ${cdp} where org_id = ${orgId} and id = ${supplierId}`.execute(trx)
    return this.get(trx, orgId, supplierId)
  }

  async #insertContact(trx: Tx, orgId: string, supplierId: string, contact: ContactInput) {
    await trx
      .insertInto('supplier_contacts')
      .values({
        org_id: orgId,
        id: randomUUID(),
        supplier_id: supplierId,
        name: contact.name.trim(),
        role: contact.role?.trim() || null,
        email: contact.email?.trim() || null,
        phone: contact.phone?.trim() || null,
      })
      .execute()
  }

  async list(trx: Tx, orgId: string): Promise<ProcurementSupplier[]> {
    const { rows } = await sql<SupplierRow>`
      select id, name, company_number, vat_number, sme, vcse, cdp_identifier from suppliers
      where org_id = ${orgId} order by name, id limit 500`.execute(trx)
    const contacts = await trx
      .selectFrom('supplier_contacts')
      .select(['id', 'supplier_id', 'name', 'role', 'email', 'phone'])
      .where('org_id', '=', orgId)
      .orderBy('name')
      .execute()
    return rows.map((row) =>
      toSupplier(
        row,
        contacts.filter((c) => c.supplier_id === row.id),
      ),
    )
  }

  /** Errors: NotFoundError. */
  async get(trx: Tx, orgId: string, supplierId: string): Promise<ProcurementSupplier> {
    const { rows } = await sql<SupplierRow>`
      select id, name, company_number, vat_number, sme, vcse, cdp_identifier from suppliers
      where org_id = ${orgId} and id = ${supplierId}`.execute(trx)
    if (!rows[0]) throw new NotFoundError('There is no such supplier')
    const contacts = await trx
      .selectFrom('supplier_contacts')
      .select(['id', 'supplier_id', 'name', 'role', 'email', 'phone'])
      .where('org_id', '=', orgId)
      .where('supplier_id', '=', supplierId)
      .orderBy('name')
      .execute()
    return toSupplier(rows[0], contacts)
  }
}

type SupplierRow = {
  id: string
  name: string
  company_number: string | null
  vat_number: string | null
  sme: boolean
  vcse: boolean
  cdp_identifier: string | null
}

function toSupplier(
  row: SupplierRow,
  contacts: Array<{
    id: string
    name: string
    role: string | null
    email: string | null
    phone: string | null
  }>,
): ProcurementSupplier {
  return {
    id: row.id,
    name: row.name,
    companyNumber: row.company_number,
    vatNumber: row.vat_number,
    sme: row.sme,
    vcse: row.vcse,
    cdpIdentifier: row.cdp_identifier,
    contacts: contacts.map(({ id, name, role, email, phone }) => ({ id, name, role, email, phone })),
  }
}

function contactProblems(contact: ContactInput, at: string): FieldError[] {
  const problems: FieldError[] = []
  if (!contact.name?.trim()) problems.push({ field: `${at}/name`, message: 'Enter the contact’s name' })
  else if (contact.name.trim().length > 200)
    problems.push({ field: `${at}/name`, message: 'Name must be 200 characters or fewer' })
  if (contact.email?.trim() && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(contact.email.trim()))
    problems.push({ field: `${at}/email`, message: 'Enter an email address like name@example.com' })
  if (contact.phone && contact.phone.trim().length > 40)
    problems.push({ field: `${at}/phone`, message: 'Phone number must be 40 characters or fewer' })
  return problems
}
