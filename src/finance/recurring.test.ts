import { afterAll, beforeAll, expect, test } from 'vitest'
import '../platform/tables.ts'
import './tables.ts'
import { orgId } from '../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { LedgerService } from './ledger.ts'
import { firstRunOn, RecurringJournals } from './recurring.ts'

let t: TestDatabase
const ledger = new LedgerService()
const recurring = new RecurringJournals(ledger)
const ORG = orgId('dmo')
const context = { userId: null, orgIds: [ORG], actingOrgId: ORG, requestId: 'recurring-test' }
const rent = {
  description: 'Monthly rent',
  dayOfMonth: 15,
  startsOn: '2026-04-01',
  endsOn: '2026-07-31',
  lines: [
    { accountCode: '52300000', costCentreCode: 'CORP', amountMinor: 1_250_000 },
    { accountCode: '21100000', amountMinor: -1_250_000 },
  ],
}

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  await t.db.transaction(context, (trx) => ledger.setUpOrganisation(trx, ORG, [2026]))
})
afterAll(async () => t?.close())

test('the first run date is the next occurrence of the day', () => {
  expect(firstRunOn('2026-04-01', 15)).toBe('2026-04-15')
  expect(firstRunOn('2026-04-20', 15)).toBe('2026-05-15')
  expect(firstRunOn('2026-12-20', 1)).toBe('2027-01-01')
})

test('posts each month once, up to the end date, and then stops', async () => {
  await t.db.transaction(context, (trx) => recurring.create(trx, ORG, rent, null))
  const first = await t.db.transaction(context, (trx) => recurring.runDue(trx, ORG, '2026-06-20', null))
  expect(first.map((j) => j.date)).toEqual(['2026-04-15', '2026-05-15', '2026-06-15'])
  const again = await t.db.transaction(context, (trx) => recurring.runDue(trx, ORG, '2026-06-20', null))
  expect(again).toEqual([])
  const rest = await t.db.transaction(context, (trx) => recurring.runDue(trx, ORG, '2026-12-31', null))
  expect(rest.map((j) => j.date)).toEqual(['2026-07-15'])
  const template = await t.db.admin
    .selectFrom('recurring_journals')
    .selectAll()
    .where('org_id', '=', ORG)
    .executeTakeFirstOrThrow()
  expect(template.active).toBe(false)
  const tb = await t.db.transaction(context, (trx) => ledger.trialBalance(trx, ORG, 2026, 12))
  expect(tb.rows.find((r) => r.accountCode === '52300000')!.debitPence).toBe(4 * 1_250_000)
})

test('a due instance in a closed period stops the run and posts nothing', async () => {
  await t.db.transaction(context, (trx) =>
    recurring.create(
      trx,
      ORG,
      { ...rent, description: 'Service charge', startsOn: '2026-08-01', endsOn: undefined },
      null,
    ),
  )
  await t.db.transaction(context, (trx) => ledger.setPeriodStatus(trx, ORG, 2026, 5, 'closed'))
  await expect(
    t.db.transaction(context, (trx) => recurring.runDue(trx, ORG, '2026-09-30', null)),
  ).rejects.toThrow(/Period 5 of 2026-27 is closed/)
  const runs = await t.db.admin
    .selectFrom('recurring_journal_runs')
    .select('run_on')
    .where('org_id', '=', ORG)
    .execute()
  expect(runs).toHaveLength(4) // only the rent above
})

test('an unbalanced template is refused', async () => {
  await expect(
    t.db.transaction(context, (trx) =>
      recurring.create(
        trx,
        ORG,
        { ...rent, lines: [rent.lines[0]!, { accountCode: '21100000', amountMinor: -1 }] },
        null,
      ),
    ),
  ).rejects.toThrow(/does not balance/)
})
