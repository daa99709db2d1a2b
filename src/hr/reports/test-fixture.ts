// Test support for the headcount and HR data standard tests: a small, hand-made HR world in the
// Attorney General's Office (which the named HR demo leaves without people), with a mover, a
// leaver, a part-timer and a future joiner, so as-at dates can be checked around each change.
//
//   Ann  joins 2024-01-01 on EO in unit FIXA (FTE 1); moves on 2025-06-01 to HEO in FIXB at FTE 0.6;
//        her last day is 2025-12-31 (resignation).
//   Bob  joins 2025-06-01 on EO in FIXA at FTE 0.5.
//   Cat  joined 2020-01-01 on HEO in FIXB (FTE 1); has diversity answers.
//   Dan  joins 2026-05-01 on EO in FIXA (FTE 1): a future joiner.
import { sql } from 'kysely'
import type { Role } from '../../platform/auth/permissions.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import type { TestApp } from '../../platform/testing.ts'

export const FIXTURE_ORG = 'ago'
export const fixtureIds = {
  person: (name: string) => uuidFromName(`hr-fixture:person:${name}`),
  employment: (name: string) => uuidFromName(`hr-fixture:employment:${name}`),
  unit: (code: string) => uuidFromName(`hr-fixture:unit:${code}`),
  position: (code: string) => uuidFromName(`hr-fixture:position:${code}`),
}

export async function seedHrFixture(t: TestApp): Promise<void> {
  const org = orgId(FIXTURE_ORG)
  const person = fixtureIds.person
  const employment = fixtureIds.employment
  await sql`
    insert into cost_centres (org_id, code, name) values (${org}, 'FIXA', 'Fixture A'), (${org}, 'FIXB', 'Fixture B')
      on conflict do nothing;
    `.execute(t.db.admin)
  await sql`
    insert into grades (org_id, code, name, standard_grade, rank) values
      (${org}, 'EO', 'Executive Officer', 'EO', 3), (${org}, 'HEO', 'Higher Executive Officer', 'HEO', 4)
      on conflict do nothing`.execute(t.db.admin)
  await sql`
    insert into org_units (org_id, id, code, name, cost_centre_code, opened_on) values
      (${org}, ${fixtureIds.unit('FIXA')}, 'FIXA', 'Casework', 'FIXA', '2000-01-01'),
      (${org}, ${fixtureIds.unit('FIXB')}, 'FIXB', 'Policy', 'FIXB', '2000-01-01')`.execute(t.db.admin)
  await sql`
    insert into positions (org_id, id, code, title, unit_id, grade_code, cost_centre_code, established_on) values
      (${org}, ${fixtureIds.position('PA1')}, 'PA1', 'Caseworker', ${fixtureIds.unit('FIXA')}, 'EO', 'FIXA', '2000-01-01'),
      (${org}, ${fixtureIds.position('PB1')}, 'PB1', 'Policy adviser', ${fixtureIds.unit('FIXB')}, 'HEO', 'FIXB', '2000-01-01')`.execute(
    t.db.admin,
  )
  await sql`
    insert into people (id, org_id, forenames, surname, date_of_birth, ni_number, town) values
      (${person('ann')}, ${org}, 'Ann', 'Archer', '1980-02-03', 'AB123456C', 'Leeds'),
      (${person('bob')}, ${org}, 'Bob', 'Baker', '1990-04-05', 'AB223456C', null),
      (${person('cat')}, ${org}, 'Cat', 'Carter', '1975-06-07', 'AB323456C', 'York'),
      (${person('dan')}, ${org}, 'Dan', 'Dyer', '2000-08-09', null, null)`.execute(t.db.admin)
  await sql`
    insert into employments (org_id, id, person_id, employee_number, contract_type, start_date, end_date,
        leaving_reason, continuous_service_date) values
      (${org}, ${employment('ann')}, ${person('ann')}, 'F001', 'permanent', '2024-01-01', '2025-12-31', 'Resignation', '2024-01-01'),
      (${org}, ${employment('bob')}, ${person('bob')}, 'F002', 'permanent', '2025-06-01', null, null, '2025-06-01'),
      (${org}, ${employment('cat')}, ${person('cat')}, 'F003', 'permanent', '2020-01-01', null, null, '2020-01-01'),
      (${org}, ${employment('dan')}, ${person('dan')}, 'F004', 'fixed-term', '2026-05-01', null, null, '2026-05-01')`.execute(
    t.db.admin,
  )
  await sql`
    insert into employment_terms (org_id, employment_id, valid_from, valid_to, position_id, grade_code,
        cost_centre_code, fte, hours_per_week, annual_salary_pence, change_reason) values
      (${org}, ${employment('ann')}, '2024-01-01', '2025-06-01', ${fixtureIds.position('PA1')}, 'EO', 'FIXA', 1, 37, 3000000, 'Joined'),
      (${org}, ${employment('ann')}, '2025-06-01', null, ${fixtureIds.position('PB1')}, 'HEO', 'FIXB', 0.6, 22.2, 3600000, 'Promotion'),
      (${org}, ${employment('bob')}, '2025-06-01', null, ${fixtureIds.position('PA1')}, 'EO', 'FIXA', 0.5, 18.5, 2900000, 'Joined'),
      (${org}, ${employment('cat')}, '2020-01-01', null, ${fixtureIds.position('PB1')}, 'HEO', 'FIXB', 1, 37, 3700000, 'Joined'),
      (${org}, ${employment('dan')}, '2026-05-01', null, ${fixtureIds.position('PA1')}, 'EO', 'FIXA', 1, 37, 3000000, 'Joined')`.execute(
    t.db.admin,
  )
  await sql`
    insert into person_diversity (org_id, person_id, sex, ethnicity, disability, recorded_on) values
      (${org}, ${person('cat')}, 'female', 'White British', 'no', '2024-03-01')`.execute(t.db.admin)
  // HR officer and payroll officer (hr:read without hr:diversity:read) on the fixture organisation.
  await sql`
    insert into memberships (user_id, role, org_id) values
      (${uuidFromName('user:hr.officer@gss.example')}, 'hr_officer', ${org}),
      (${uuidFromName('user:payroll.officer@gss.example')}, 'payroll_officer', ${org})
      on conflict do nothing`.execute(t.db.admin)
}

/** An API token for a demo user holding `roles` on the fixture organisation. */
export async function fixtureToken(t: TestApp, email: string, roles: Role[]): Promise<string> {
  const userId = uuidFromName(`user:${email}`)
  const org = orgId(FIXTURE_ORG)
  const created = await t.services.auth.createToken(
    { userId, orgIds: [org], actingOrgId: org, requestId: 'test' },
    { userId, orgId: org, roles, name: 'test', expiresAt: new Date(Date.now() + 86_400_000) },
  )
  return created.token
}
