// Test support for absence, self-service and expenses: a small team in an organisation (a manager
// and two reports, one part-time), each person with a sign-in account holding the employee role.
// Written with the admin connection, so tests do not depend on the HR demo data.
import { hashPassword } from '../../platform/auth/service.ts'
import type { Database } from '../../platform/db/index.ts'
import { orgId as orgIdOf, uuidFromName } from '../../platform/ids.ts'

export interface TeamMember {
  userId: string
  email: string
  personId: string
  employmentId: string
}

export interface Team {
  orgId: string
  orgCode: string
  costCentreCode: string
  manager: TeamMember
  employee: TeamMember
  partTimer: TeamMember
  /** Someone in the same organisation outside the team (nobody's report, manages nobody). */
  outsider: TeamMember
}

export const TEAM_PASSWORD = 'team-password'

/** Creates the team in `orgCode` (default cabinet-office), with employments from `startDate`. */
export async function createTeam(
  db: Database,
  options: { orgCode?: string; prefix?: string; startDate?: string } = {},
): Promise<Team> {
  const orgCode = options.orgCode ?? 'cabinet-office'
  const prefix = options.prefix ?? 'team'
  const startDate = options.startDate ?? '2020-01-06'
  const orgId = orgIdOf(orgCode)
  const id = (name: string) => uuidFromName(`${prefix}:${orgCode}:${name}`)
  const costCentreCode = `${prefix.toUpperCase().slice(0, 8)}-CC`
  const passwordHash = await hashPassword(TEAM_PASSWORD)
  const members: Record<string, TeamMember> = {}
  await db.adminTransaction(async (trx) => {
    await trx
      .insertInto('cost_centres')
      .values({ org_id: orgId, code: costCentreCode, name: `${prefix} team` })
      .onConflict((conflict) => conflict.columns(['org_id', 'code']).doNothing())
      .execute()
    await trx
      .insertInto('grades')
      .values([
        {
          org_id: orgId,
          code: `${prefix.toUpperCase().slice(0, 8)}-EO`,
          name: 'Executive Officer',
          standard_grade: 'EO',
          rank: 3,
          annual_leave_days: 25,
        },
        {
          org_id: orgId,
          code: `${prefix.toUpperCase().slice(0, 8)}-G7`,
          name: 'Grade 7',
          standard_grade: 'G7',
          rank: 6,
          annual_leave_days: 25,
        },
      ])
      .onConflict((conflict) => conflict.columns(['org_id', 'code']).doNothing())
      .execute()
    const unitId = id('unit')
    await trx
      .insertInto('org_units')
      .values({
        org_id: orgId,
        id: unitId,
        code: `${prefix.toUpperCase().slice(0, 8)}-UNIT`,
        name: `${prefix} unit`,
        opened_on: '2000-01-01',
      })
      .execute()
    const positions = [
      { key: 'lead', grade: 'G7', reportsTo: null },
      { key: 'officer', grade: 'EO', reportsTo: 'lead' },
      { key: 'part', grade: 'EO', reportsTo: 'lead' },
      { key: 'other', grade: 'EO', reportsTo: null },
    ] as const
    for (const position of positions) {
      await trx
        .insertInto('positions')
        .values({
          org_id: orgId,
          id: id(`position:${position.key}`),
          code: `${prefix.toUpperCase().slice(0, 8)}-${position.key.toUpperCase()}`,
          title: `${position.key} post`,
          unit_id: unitId,
          grade_code: `${prefix.toUpperCase().slice(0, 8)}-${position.grade}`,
          reports_to_id: position.reportsTo ? id(`position:${position.reportsTo}`) : null,
          cost_centre_code: costCentreCode,
          established_on: '2000-01-01',
        })
        .execute()
    }
    const people = [
      {
        key: 'manager',
        forenames: 'Lena',
        surname: 'Lead',
        position: 'lead',
        grade: 'G7',
        fte: '1',
        days: '5',
      },
      {
        key: 'employee',
        forenames: 'Eli',
        surname: 'Officer',
        position: 'officer',
        grade: 'EO',
        fte: '1',
        days: '5',
      },
      {
        key: 'partTimer',
        forenames: 'Pat',
        surname: 'Parttime',
        position: 'part',
        grade: 'EO',
        fte: '0.6',
        days: '3',
      },
      {
        key: 'outsider',
        forenames: 'Olly',
        surname: 'Other',
        position: 'other',
        grade: 'EO',
        fte: '1',
        days: '5',
      },
    ] as const
    for (const [index, person] of people.entries()) {
      const email = `${prefix}.${person.key.toLowerCase()}@${orgCode}.test`
      const member: TeamMember = {
        userId: id(`user:${person.key}`),
        email,
        personId: id(`person:${person.key}`),
        employmentId: id(`employment:${person.key}`),
      }
      members[person.key] = member
      await trx
        .insertInto('users')
        .values({
          id: member.userId,
          email,
          display_name: `${person.forenames} ${person.surname}`,
          password_hash: passwordHash,
          oidc_subject: null,
        })
        .execute()
      await trx
        .insertInto('memberships')
        .values({ user_id: member.userId, role: 'employee', org_id: orgId, cluster_id: null })
        .execute()
      await trx
        .insertInto('people')
        .values({
          id: member.personId,
          org_id: orgId,
          forenames: person.forenames,
          surname: person.surname,
          date_of_birth: '1985-05-05',
          email,
          user_id: member.userId,
        })
        .execute()
      await trx
        .insertInto('employments')
        .values({
          org_id: orgId,
          id: member.employmentId,
          person_id: member.personId,
          employee_number: `${prefix.toUpperCase().slice(0, 8)}-${index + 1}`,
          contract_type: 'permanent',
          start_date: startDate,
          continuous_service_date: startDate,
        })
        .execute()
      await trx
        .insertInto('employment_terms')
        .values({
          org_id: orgId,
          employment_id: member.employmentId,
          valid_from: startDate,
          position_id: id(`position:${person.position}`),
          grade_code: `${prefix.toUpperCase().slice(0, 8)}-${person.grade}`,
          cost_centre_code: costCentreCode,
          fte: person.fte,
          hours_per_week: person.fte === '1' ? '37' : '22.2',
          days_per_week: person.days,
          annual_salary_pence: 3_500_000,
          change_reason: 'Joined',
        })
        .execute()
    }
  }, 'test:team')
  return {
    orgId,
    orgCode,
    costCentreCode,
    manager: members.manager!,
    employee: members.employee!,
    partTimer: members.partTimer!,
    outsider: members.outsider!,
  }
}
