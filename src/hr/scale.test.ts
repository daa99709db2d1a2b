import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { growDemo } from '../demo/seed.ts'
import { verifyAudit } from '../platform/audit.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { growHrWorld, SCALE_DATA_AS_AT, syntheticId, syntheticNiNumber } from './scale.ts'
import { checkNiNumber } from './validation.ts'

let a: TestDatabase
let b: TestDatabase
beforeAll(async () => {
  ;[a, b] = await Promise.all([createTestDatabase({ seed: true }), createTestDatabase({ seed: true })])
}, 300_000)
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()])
})

/** Every synthetic row (less timestamps) in a stable order, as one comparable value. */
async function fingerprint(t: TestDatabase) {
  const { rows } = await sql<{ table: string; rows: string }>`
    select 'people' as table, string_agg(concat_ws('|', id, org_id, forenames, surname, date_of_birth,
      ni_number, email, town, postcode, user_id), ',' order by id) as rows
      from people where ni_number like 'ZX%'
    union all
    select 'employments', string_agg(concat_ws('|', org_id, id, person_id, employee_number, contract_type,
      start_date, expected_end_date, end_date, leaving_reason), ',' order by id)
      from employments where employee_number like 'SYN%'
    union all
    select 'terms', string_agg(concat_ws('|', t.employment_id, t.valid_from, t.valid_to, t.position_id,
      t.grade_code, t.cost_centre_code, t.fte, t.hours_per_week, t.annual_salary_pence), ','
      order by t.employment_id, t.valid_from)
      from employment_terms t join employments e on e.org_id = t.org_id and e.id = t.employment_id
      where e.employee_number like 'SYN%'
    union all
    select 'users', string_agg(concat_ws('|', u.id, u.email, m.org_id, m.role), ',' order by u.id)
      from users u join memberships m on m.user_id = u.id where u.email like 'synthetic.%'`.execute(
    t.db.admin,
  )
  return rows
}

test('grows N employees with every record payroll needs, spread across the organisations', async () => {
  expect(await growDemo(a.db, 300)).toBe(300)
  const { rows } = await sql<Record<string, number>>`
    select
      (select count(*)::int from users where email like 'synthetic.%') as users,
      (select count(*)::int from memberships m join users u on u.id = m.user_id
        where u.email like 'synthetic.%' and m.role = 'employee') as memberships,
      (select count(*)::int from people where ni_number like 'ZX%' and user_id is not null) as people,
      (select count(*)::int from employments where employee_number like 'SYN%') as employments,
      (select count(distinct org_id)::int from employments where employee_number like 'SYN%') as orgs,
      (select count(*)::int from payroll_details p join employments e on e.org_id = p.org_id
        and e.id = p.employment_id where e.employee_number like 'SYN%') as payroll,
      (select count(*)::int from tax_codes x join employments e on e.org_id = x.org_id
        and e.id = x.employment_id where e.employee_number like 'SYN%') as tax_codes,
      (select count(distinct e.id)::int from employments e join employment_terms t
        on t.org_id = e.org_id and t.employment_id = e.id where e.employee_number like 'SYN%') as with_terms`.execute(
    a.db.admin,
  )
  expect(rows[0]).toEqual({
    users: 300,
    memberships: 300,
    people: 300,
    employments: 300,
    orgs: 59,
    payroll: 300,
    tax_codes: 300,
    with_terms: 300,
  })
  // Departments weigh more than arm's-length bodies.
  const { rows: spread } = await sql<{ kind: string; per_org: number }>`
    select case when o.kind like '%department' then 'department' else 'alb' end as kind,
      count(e.*)::float / count(distinct o.id) as per_org
    from organisations o left join employments e on e.org_id = o.id and e.employee_number like 'SYN%'
    group by 1`.execute(a.db.admin)
  const perOrg = Object.fromEntries(spread.map((row) => [row.kind, row.per_org]))
  expect(perOrg.department!).toBeGreaterThan(perOrg.alb! * 5)
})

test('the synthetic data is realistic and passes the field rules', async () => {
  const people = await a.db.admin
    .selectFrom('people')
    .select(['ni_number', 'date_of_birth'])
    .where('ni_number', 'like', 'ZX%')
    .execute()
  expect(people.every((p) => checkNiNumber(p.ni_number!).ok)).toBe(true)
  expect(new Set(people.map((p) => p.ni_number)).size).toBe(people.length)
  expect(syntheticNiNumber(42)).toBe('ZX000042A')
  expect(people.map((p) => p.ni_number)).toContain(syntheticNiNumber(42))
  // Salaries inside the pay scale of the grade; some part-time; some leavers and promotions.
  const { rows } = await sql<Record<string, number>>`
    select
      count(*) filter (where t.annual_salary_pence < s.minimum_pence or t.annual_salary_pence > s.maximum_pence)::int as outside,
      count(*) filter (where t.fte < 1)::int as part_time,
      count(*) filter (where t.change_reason = 'Promotion')::int as promotions,
      count(distinct t.grade_code)::int as grades,
      count(distinct t.cost_centre_code)::int as cost_centres
    from employment_terms t
    join employments e on e.org_id = t.org_id and e.id = t.employment_id and e.employee_number like 'SYN%'
    join pay_scales s on s.org_id = t.org_id and s.grade_code = t.grade_code and s.location = 'national'
      and s.valid_from <= ${SCALE_DATA_AS_AT}::date and (s.valid_to is null or s.valid_to > ${SCALE_DATA_AS_AT}::date)`.execute(
    a.db.admin,
  )
  expect(rows[0]!.outside).toBe(0)
  expect(rows[0]!.part_time).toBeGreaterThan(20)
  expect(rows[0]!.promotions).toBeGreaterThan(5)
  expect(rows[0]!.grades).toBeGreaterThanOrEqual(7)
  expect(rows[0]!.cost_centres).toBe(6)
  const { rows: leavers } = await sql<{ n: number }>`
    select count(*)::int as n from employments where employee_number like 'SYN%' and end_date is not null
      and end_date <= ${SCALE_DATA_AS_AT}::date and leaving_reason is not null`.execute(a.db.admin)
  expect(leavers[0]!.n).toBeGreaterThan(0)
  expect(leavers[0]!.n).toBeLessThan(30)
  // Each person is linked to their own sign-in account.
  const person = await a.db.admin
    .selectFrom('people')
    .select('user_id')
    .where('id', '=', syntheticId('person', 7))
    .executeTakeFirstOrThrow()
  expect(person.user_id).toBe(syntheticId('user', 7))
})

test('the audit chains stay whole: one entry per organisation and table records the load', async () => {
  const result = await verifyAudit(a.db.admin)
  expect(result.ok).toBe(true)
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from audit_log where entity_id like 'demo-scale:%' and table_name = 'people'`.execute(
    a.db.admin,
  )
  expect(rows[0]!.n).toBe(59)
})

test('deterministic: the same N gives the same world, and growing twice equals growing once', async () => {
  expect(await growDemo(b.db, 200)).toBe(200)
  expect(await growDemo(b.db, 100)).toBe(100)
  expect(await fingerprint(b)).toEqual(await fingerprint(a))
})

test('refuses a nonsense size or a world past the limit, changing nothing', async () => {
  await expect(growHrWorld(a.db, 0)).rejects.toThrow(/1 or more/)
  await expect(growHrWorld(a.db, 1_000_000)).rejects.toThrow(/already holds 300 synthetic employees/)
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from employments where employee_number like 'SYN%'`.execute(a.db.admin)
  expect(rows[0]!.n).toBe(300)
})

test('refuses before the demo world is seeded', async () => {
  const empty = await createTestDatabase()
  try {
    await expect(growHrWorld(empty.db, 5)).rejects.toThrow(/Seed the demo world first/)
  } finally {
    await empty.close()
  }
}, 60_000)
