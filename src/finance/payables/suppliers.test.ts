// Suppliers: field-level validation, duplicate refusal, and isolation between organisations.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TenantContext } from '../../platform/db/index.ts'
import { BusinessRuleError, ValidationError } from '../../platform/errors.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { checkSupplierInput, SupplierService } from './suppliers.ts'

// Not Cabinet Office: the demo world gives it payables data of its own.
const ORG_A = orgId('dsit')
const ORG_B = orgId('crown-commercial-service')
const CLERK = uuidFromName('user:finance.clerk@gss.example')
const as = (org: string): TenantContext => ({
  userId: CLERK,
  orgIds: [org],
  actingOrgId: org,
  requestId: 'test',
})

let t: TestDatabase
const suppliers = new SupplierService()
beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
})
afterAll(async () => t?.close())

const GOOD = {
  name: 'Acme Stationery Ltd',
  companyNumber: '12345678',
  vatNumber: 'GB 831 4958 16',
  sortCode: '08-99-99',
  accountNumber: '66374958',
  sme: true,
}

describe('checking supplier details', () => {
  test('normalises good details', () => {
    expect(checkSupplierInput(GOOD)).toMatchObject({
      companyNumber: '12345678',
      vatNumber: 'GB831495816',
      sortCode: '089999',
      accountNumber: '66374958',
      sme: true,
    })
  })

  test('names every bad field', () => {
    let caught: unknown
    try {
      checkSupplierInput({
        name: ' ',
        companyNumber: '0',
        vatNumber: 'GB123456788',
        sortCode: '08-99-99',
        accountNumber: '66374959',
      })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ValidationError)
    expect((caught as ValidationError).fieldErrors.map((error) => error.field)).toEqual([
      '/name',
      '/companyNumber',
      '/vatNumber',
      '/accountNumber',
    ])
    expect((caught as ValidationError).fieldErrors[3]!.message).toContain('modulus check')
  })

  test('needs a way to pay the supplier, and accepts an IBAN instead of UK details', () => {
    expect(() => checkSupplierInput({ name: 'No Bank' })).toThrow(/sort code and account number, or an IBAN/)
    expect(checkSupplierInput({ name: 'Euro GmbH', iban: 'de89 3704 0044 0532 0130 00' }).iban).toBe(
      'DE89370400440532013000',
    )
    expect(() => checkSupplierInput({ name: 'Bad IBAN', iban: 'DE89370400440532013001' })).toThrow(
      ValidationError,
    )
  })
})

describe('the supplier register', () => {
  test('adds a supplier and refuses another with the same VAT or Companies House number', async () => {
    const created = await t.db.transaction(as(ORG_A), (trx) => suppliers.create(trx, ORG_A, GOOD, CLERK))
    expect(created).toMatchObject({ name: 'Acme Stationery Ltd', vatNumber: 'GB831495816' })
    const again = t.db.transaction(as(ORG_A), (trx) =>
      suppliers.create(trx, ORG_A, { ...GOOD, name: 'Acme Again', companyNumber: undefined }, CLERK),
    )
    await expect(again).rejects.toThrow(BusinessRuleError)
    await expect(again).rejects.toThrow('Supplier Acme Stationery Ltd already has VAT number GB831495816')
    const byCompany = t.db.transaction(as(ORG_A), (trx) =>
      suppliers.create(trx, ORG_A, { ...GOOD, vatNumber: undefined, companyNumber: '12 345 678' }, CLERK),
    )
    await expect(byCompany).rejects.toThrow('already has Companies House number 12345678')
  })

  test('another organisation may register the same supplier, and neither sees the other’s', async () => {
    await t.db.transaction(as(ORG_B), (trx) =>
      suppliers.create(trx, ORG_B, { ...GOOD, name: 'Acme for CCS' }, CLERK),
    )
    const seenByA = await t.db.transaction(as(ORG_A), (trx) => suppliers.list(trx, ORG_A))
    const namesA = seenByA.map((supplier) => supplier.name)
    expect(namesA).toContain('Acme Stationery Ltd')
    expect(namesA).not.toContain('Acme for CCS')
    // Even asking for org B's rows while acting for org A returns nothing: RLS, not the WHERE clause.
    const leaked = await t.db.transaction(as(ORG_A), (trx) => suppliers.list(trx, ORG_B))
    expect(leaked).toEqual([])
  })

  test('matches an e-invoice seller by VAT number, Companies House number or Peppol id', async () => {
    await t.db.transaction(as(ORG_A), (trx) =>
      suppliers.create(
        trx,
        ORG_A,
        {
          name: 'Peppol Seller',
          peppolEndpoint: '0088:7300010000001',
          sortCode: '107999',
          accountNumber: '88837491',
        },
        CLERK,
      ),
    )
    const match = (seller: Parameters<SupplierService['matchSeller']>[2]) =>
      t.db.transaction(as(ORG_A), (trx) => suppliers.matchSeller(trx, ORG_A, seller))
    expect((await match({ vatId: 'GB831495816' }))?.name).toBe('Acme Stationery Ltd')
    expect((await match({ legalRegistration: { value: '12345678' } }))?.name).toBe('Acme Stationery Ltd')
    expect((await match({ endpoint: { scheme: '0088', value: '7300010000001' } }))?.name).toBe(
      'Peppol Seller',
    )
    expect(await match({ vatId: 'GB999999973' })).toBeUndefined()
  })
})
