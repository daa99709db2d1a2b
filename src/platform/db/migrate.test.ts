// Migrations on the engine under test (PGlite, or PostgreSQL when DATABASE_URL is set): each runs
// once, in order, and a failed one leaves the schema as it was.
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, engineUnderTest, type TestDatabase } from '../testing.ts'
import { appliedMigrations, discoverMigrations, type Migration, MigrationError, migrate } from './migrate.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase({ migrate: false })
})
afterAll(async () => t?.close())

const fake = (id: string, script: string): Migration => ({
  id,
  file: `test/migrations/${id}.sql`,
  script,
  checksum: createHash('sha256').update(script).digest('hex'),
})

async function tableExists(name: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select to_regclass(${name}) is not null as found`.execute(
    t.db.admin,
  )
  return rows[0]!.found
}

test(`every migration applies once on ${engineUnderTest}`, async () => {
  const all = discoverMigrations()
  expect(all.map((m) => m.id)).toEqual([...all.map((m) => m.id)].sort())
  expect(await migrate(t.db)).toEqual(all.map((m) => m.id))
  expect(await migrate(t.db)).toEqual([])
  expect([...(await appliedMigrations(t.db.admin)).keys()].sort()).toEqual(all.map((m) => m.id))
})

test('a failing migration rolls back completely and is not recorded', async () => {
  const broken = fake(
    '9990_broken',
    'create table half_done (id int); insert into half_done values (1); select 1/0;',
  )
  await expect(migrate(t.db, [broken])).rejects.toThrow(MigrationError)
  await expect(migrate(t.db, [broken])).rejects.toThrow(
    /9990_broken\.sql failed and was rolled back: division by zero/,
  )
  expect(await tableExists('half_done')).toBe(false)
  expect((await appliedMigrations(t.db.admin)).has('9990_broken')).toBe(false)
})

test('migrations run in order and stop at the first failure', async () => {
  const good = fake('9991_good', 'create table good_one (id int);')
  const bad = fake('9992_bad', 'create table bad_one (id int); select no_such_function();')
  const later = fake('9993_later', 'create table later_one (id int);')
  await expect(migrate(t.db, [good, bad, later])).rejects.toThrow(/9992_bad/)
  expect(await tableExists('good_one')).toBe(true)
  expect(await tableExists('bad_one')).toBe(false)
  expect(await tableExists('later_one')).toBe(false)
})

test('a migration changed after it was applied is refused', async () => {
  const original = fake('9994_once', 'create table once (id int);')
  await migrate(t.db, [original])
  const edited = { ...fake('9994_once', 'create table once (id int, extra text);') }
  await expect(migrate(t.db, [edited])).rejects.toThrow(/was changed after it was applied/)
})

test('two concurrent runs apply each migration once', async () => {
  const m = fake('9995_concurrent', 'create table concurrent_one (id int);')
  const results = await Promise.allSettled([migrate(t.db, [m]), migrate(t.db, [m])])
  const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []))
  expect(applied).toEqual(['9995_concurrent'])
})

test('migration files must be named and numbered uniquely', () => {
  for (const migration of discoverMigrations()) expect(migration.id).toMatch(/^\d{4}_[a-z0-9_]+$/)
})
