import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import '../platform/tables.ts'
import './tables.ts'
import { orgId } from '../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { periodDates } from './chart.ts'
import { demoFiscalYears } from './demo.ts'
import { LedgerService } from './ledger.ts'
import { RECHARGE_ACCOUNTS, Recharges } from './recharges.ts'

let t: TestDatabase
const ledger = new LedgerService()
const recharges = new Recharges(ledger)
const GIAA = orgId('giaa')
const DFT = orgId('dft')
const HMRC = orgId('hmrc')
const as = (org: string) => ({ userId: null, orgIds: [org], actingOrgId: org, requestId: 'recharge-test' })
const [, YEAR] = demoFiscalYears() as [number, number]
const date = periodDates(YEAR, 1).startsOn

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
})
afterAll(async () => t?.close())

async function balance(org: string, account: string): Promise<number> {
  const tb = await t.db.transaction(as(org), (trx) => ledger.trialBalance(trx, org, YEAR, 12))
  return tb.rows.find((row) => row.accountCode === account)?.balancePence ?? 0
}

describe('recharges between organisations', () => {
  test('raising posts the receivable; agreeing posts the payable in the other ledger', async () => {
    const id = await t.db.transaction(as(GIAA), (trx) =>
      recharges.raise(
        trx,
        GIAA,
        { counterpartyCode: 'dft', description: 'Internal audit Q1', amountPence: 4_500_000, date },
        null,
      ),
    )
    expect(await balance(GIAA, RECHARGE_ACCOUNTS.receivable)).toBe(4_500_000)
    const seenByDft = await t.db.transaction(as(DFT), (trx) => recharges.list(trx, DFT, true))
    expect(seenByDft).toEqual([
      expect.objectContaining({ id, direction: 'payable', status: 'proposed', amountPence: 4_500_000 }),
    ])
    await t.db.transaction(as(DFT), (trx) => recharges.agree(trx, DFT, id, date, null))
    expect(await balance(DFT, RECHARGE_ACCOUNTS.payable)).toBe(-4_500_000)
    expect(await balance(DFT, RECHARGE_ACCOUNTS.expense)).toBe(4_500_000)
    expect(await t.db.transaction(as(GIAA), (trx) => recharges.list(trx, GIAA, true))).toEqual([])
    await expect(
      t.db.transaction(as(DFT), (trx) => recharges.agree(trx, DFT, id, date, null)),
    ).rejects.toThrow(/already been agreed/)
  })

  test('only the counterparty decides; a third organisation sees nothing', async () => {
    const id = await t.db.transaction(as(GIAA), (trx) =>
      recharges.raise(
        trx,
        GIAA,
        { counterpartyCode: 'dft', description: 'Advisory work', amountPence: 100_000, date },
        null,
      ),
    )
    await expect(
      t.db.transaction(as(GIAA), (trx) => recharges.agree(trx, GIAA, id, date, null)),
    ).rejects.toThrow(/no recharge/)
    expect(await t.db.transaction(as(HMRC), (trx) => recharges.list(trx, HMRC))).toEqual([])
    await expect(
      t.db.transaction(as(HMRC), (trx) => recharges.agree(trx, HMRC, id, date, null)),
    ).rejects.toThrow(/no recharge/)
    await t.db.transaction(as(DFT), (trx) => recharges.dispute(trx, DFT, id, 'Not in the agreed scope', null))
    const unmatched = await t.db.transaction(as(GIAA), (trx) => recharges.list(trx, GIAA, true))
    expect(unmatched).toEqual([
      expect.objectContaining({
        id,
        status: 'disputed',
        disputeReason: 'Not in the agreed scope',
        direction: 'receivable',
      }),
    ])
  })

  test('a recharge to oneself or to nobody is refused', async () => {
    await expect(
      t.db.transaction(as(GIAA), (trx) =>
        recharges.raise(
          trx,
          GIAA,
          { counterpartyCode: 'giaa', description: 'x', amountPence: 1, date },
          null,
        ),
      ),
    ).rejects.toThrow(/cannot recharge itself/)
    await expect(
      t.db.transaction(as(GIAA), (trx) =>
        recharges.raise(
          trx,
          GIAA,
          { counterpartyCode: 'nobody', description: 'x', amountPence: 1, date },
          null,
        ),
      ),
    ).rejects.toThrow(/no organisation/)
  })
})
