// Generating returns (decision 0501): each return recorded once through the store, regenerating
// unchanged figures adds no version, a change in the records does, and every on-platform body of
// the demo world gets a valid return.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { computeReturns } from './compute.ts'
import { CODE, employ, ORG, platform, QUARTER, seedBody } from './compute-fixture.ts'
import { canonicalJson, generateReturns } from './generate.ts'
import { findReturn } from './store.ts'

let t: TestDatabase

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  await t.db.adminTransaction(seedBody)
}, 600_000)
afterAll(async () => t?.close())

const computeFor = (orgIds: string[]) =>
  t.db.transaction(platform, (trx) => computeReturns(trx, QUARTER, orgIds))

describe('generateReturns', () => {
  it('records each return once, and regenerating unchanged figures adds no version', async () => {
    const userId = uuidFromName('user:programme.manager@gss.example')
    const now = new Date('2025-10-05T10:00:00Z')
    const first = await generateReturns(t.db, QUARTER, { userId, orgIds: [ORG, orgId('met-office')], now })
    expect(first.returns).toEqual([
      expect.objectContaining({ orgCode: CODE, version: 1, changed: true, valid: true }),
    ])
    expect(first.skipped).toEqual([expect.objectContaining({ orgCode: 'met-office' })])

    const again = await generateReturns(t.db, QUARTER, { userId, orgIds: [ORG], now })
    expect(again.returns).toEqual([expect.objectContaining({ orgCode: CODE, version: 1, changed: false })])

    const stored = await t.db.transaction(platform, (trx) => findReturn(trx, ORG, QUARTER))
    expect(stored).toMatchObject({
      currentVersion: 1,
      source: 'computed',
      provenance: 'computed',
      valid: true,
    })
    expect(stored!.versions).toHaveLength(1)
    expect(stored!.versions[0]!.receivedBy).toBe(userId)
    expect(stored!.versions[0]!.provenance['finance.backOfficeCostPence']).toBe('estimated')
    const [computed] = await computeFor([ORG])
    expect(canonicalJson(stored!.versions[0]!.figures)).toBe(canonicalJson(computed!.figures))

    // A change in the records is a new version.
    await t.db.adminTransaction((trx) =>
      employ(trx, 'gus', { start: '2025-09-01', town: 'Ayr', terms: [{ from: '2025-09-01', fte: '1' }] }),
    )
    const changed = await generateReturns(t.db, QUARTER, { userId, orgIds: [ORG], now })
    expect(changed.returns).toEqual([expect.objectContaining({ version: 2, changed: true, valid: true })])
    const after = await t.db.transaction(platform, (trx) => findReturn(trx, ORG, QUARTER))
    expect(after!.versions[0]!.figures).toMatchObject({ workforce: { headcount: 5, joiners: 2 } })
  })

  it('generates every on-platform body of the demo world with valid returns', async () => {
    const result = await generateReturns(t.db, '2025-Q1', { userId: null })
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from organisations where onboarding_status in ('live', 'migrating')`.execute(
      t.db.admin,
    )
    expect(result.returns).toHaveLength(rows[0]!.n)
    expect(result.returns.filter((item) => !item.valid)).toEqual([])
  })

  it('refuses what is not a quarter, or one that has not started', async () => {
    await expect(generateReturns(t.db, '2025-Q5', { userId: null })).rejects.toThrow(/not a quarter/)
    await expect(generateReturns(t.db, '2099-Q1', { userId: null })).rejects.toThrow(/has not started/)
  })
})
