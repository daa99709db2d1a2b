import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { CLUSTERS, ORGANISATIONS } from '../orgs/reference-data.ts'
import { ROLES } from '../platform/auth/permissions.ts'
import { orgId } from '../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { DEMO_USERS, growDemo, seedDemo } from './seed.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => t?.close())

test('seeds the five clusters, their departments as published, and ALBs under their sponsors', async () => {
  expect(await seedDemo(t.db)).toBe(true)
  expect(await seedDemo(t.db)).toBe(false) // only into an empty database
  const clusters = await t.db.admin.selectFrom('clusters').select('code').orderBy('code').execute()
  expect(clusters.map((c) => c.code)).toEqual(['defence', 'matrix', 'overseas', 'synergy', 'unity'])
  const { rows } = await sql<{ cluster: string; departments: string[] }>`
    select c.code as cluster, array_agg(o.code::text order by o.code) as departments
    from organisations o join clusters c on c.id = o.cluster_id
    where o.sponsor_id is null group by c.code order by c.code`.execute(t.db.admin)
  expect(Object.fromEntries(rows.map((r) => [r.cluster, r.departments]))).toEqual({
    defence: ['mod'],
    matrix: ['ago', 'cabinet-office', 'dbt', 'dcms', 'desnz', 'dfe', 'dhsc', 'dsit', 'hm-treasury'],
    overseas: ['fcdo'],
    synergy: ['defra', 'dwp', 'home-office', 'moj'],
    unity: ['dft', 'hmrc', 'mhclg'],
  })
  const albs = ORGANISATIONS.filter((o) => o.sponsor)
  expect(albs.length).toBeGreaterThanOrEqual(30)
  // Every ALB sits in its sponsor's cluster (no divergence recorded in the demo world).
  const diverging = await sql<{ code: string }>`
    select o.code from organisations o join organisations s on s.id = o.sponsor_id
    where o.cluster_id is distinct from s.cluster_id`.execute(t.db.admin)
  expect(diverging.rows).toEqual([])
  expect(CLUSTERS.every((c) => ORGANISATIONS.some((o) => o.code === c.leadCode))).toBe(true)
})

test('seeds a demo user for every role (two employees: one is the other’s line manager), with deterministic ids', async () => {
  expect(new Set(DEMO_USERS.map((u) => u.role))).toEqual(new Set(ROLES))
  const { rows } = await sql<{
    role: string
    n: number
  }>`select role, count(distinct user_id)::int as n from memberships group by role`.execute(t.db.admin)
  expect(rows.every((r) => r.n === (r.role === 'employee' ? 2 : 1))).toBe(true)
  const hmrc = await t.db.admin
    .selectFrom('organisations')
    .select('id')
    .where('code', '=', 'hmrc')
    .executeTakeFirstOrThrow()
  expect(hmrc.id).toBe(orgId('hmrc'))
})

test('grows a synthetic world of employees spread across the organisations', async () => {
  expect(await growDemo(t.db, 250, 100)).toBe(250)
  const { rows } = await sql<{ users: number; orgs: number }>`
    select count(*)::int as users, count(distinct m.org_id)::int as orgs
    from users u join memberships m on m.user_id = u.id where u.email like 'synthetic.%'`.execute(t.db.admin)
  expect(rows[0]).toEqual({ users: 250, orgs: 59 })
  // Growing again continues the numbering rather than colliding.
  expect(await growDemo(t.db, 10)).toBe(10)
})
