// Event retention: old events go, but never one an active subscription has still to receive, and
// the application role can never delete an event itself.
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import './tables.ts'
import { orgId } from '../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { pruneEvents } from './retention.ts'

let t: TestDatabase
const CO = orgId('cabinet-office')

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  await sql`select gss_sequence_events()`.execute(t.db.admin)
}, 180_000)
afterAll(async () => t?.close())

const count = async () =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from events where position is not null`.execute(
        t.db.admin,
      )
    ).rows[0]!.n,
  )

test('the application role cannot delete events', async () => {
  await expect(
    t.db.transaction({ userId: null, orgIds: 'all', actingOrgId: null, requestId: 'test' }, (trx) =>
      sql`delete from events`.execute(trx),
    ),
  ).rejects.toThrow(/permission denied|append-only/)
})

test('an active subscription keeps what it has not received; the rest of the old events go', async () => {
  const total = await count()
  expect(total).toBeGreaterThan(10)
  const { rows } = await sql<{ position: string }>`
    select position from events where position is not null order by position offset 5 limit 1`.execute(
    t.db.admin,
  )
  const delivered = Number(rows[0]!.position)
  await sql`insert into webhook_subscriptions (org_id, id, url, event_types, secret)
    values (${CO}, gen_random_uuid(), 'https://receiver.example/hook', '{journal.posted}', 'secret-secret-secret-secret-secret-secret')`.execute(
    t.db.admin,
  )
  await sql`insert into webhook_cursors (org_id, subscription_id, position)
    select org_id, id, ${delivered} from webhook_subscriptions where org_id = ${CO}`.execute(t.db.admin)

  // Nothing is older than a year yet.
  expect(await pruneEvents(t.db.admin, 365)).toBe(0)
  // Ten days from now, everything is older than a day: only what the subscription has received goes.
  const later = new Date(Date.now() + 10 * 86_400_000)
  const deleted = await pruneEvents(t.db.admin, 1, later)
  expect(deleted).toBe(6)
  expect(await count()).toBe(total - 6)
  const { rows: left } = await sql<{ min: string }>`select min(position) as min from events`.execute(
    t.db.admin,
  )
  expect(Number(left[0]!.min)).toBeGreaterThan(delivered)

  // Paused, the subscription no longer holds events back.
  await sql`update webhook_subscriptions set status = 'paused' where org_id = ${CO}`.execute(t.db.admin)
  expect(await pruneEvents(t.db.admin, 1, later)).toBe(total - 6)
})

test('refuses a retention period that is not a whole number of days', async () => {
  await expect(pruneEvents(t.db.admin, 0)).rejects.toThrow(/at least 1/)
})
