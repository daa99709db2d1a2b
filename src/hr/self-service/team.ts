// Who someone is, and whom they manage, for self-service. The signed-in user's person is the one
// with people.user_id = the user. A line manager of an employment is whoever holds (by the
// employment terms in force on the date, in an employment not yet ended) the position that the
// employment's position reports to: H1's managerOf/reportsOf (src/hr/people.ts). Everything reads
// through the caller's transaction, so row-level security applies on top of these checks.
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { managerOf, reportsOf } from '../people.ts'

export interface SelfPerson {
  id: string
  orgId: string
  forenames: string
  surname: string
  preferredName: string | null
  email: string | null
}

export async function personForUser(trx: Tx, userId: string): Promise<SelfPerson | undefined> {
  const row = await trx
    .selectFrom('people')
    .select(['id', 'org_id', 'forenames', 'surname', 'preferred_name', 'email'])
    .where('user_id', '=', userId)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    id: row.id,
    orgId: row.org_id,
    forenames: row.forenames,
    surname: row.surname,
    preferredName: row.preferred_name,
    email: row.email,
  }
}

export interface EmploymentSummary {
  orgId: string
  orgName: string
  employmentId: string
  personId: string
  name: string
  employeeNumber: string
  contractType: string
  startDate: string
  endDate: string | null
  positionId: string | null
  positionTitle: string | null
  gradeCode: string | null
  costCentreCode: string | null
  fte: string | null
  daysPerWeek: string | null
}

const SUMMARY = sql`
  select e.org_id as "orgId", o.name as "orgName", e.id as "employmentId", e.person_id as "personId",
    coalesce(p.preferred_name, p.forenames) || ' ' || p.surname as name,
    e.employee_number as "employeeNumber", e.contract_type as "contractType",
    e.start_date as "startDate", e.end_date as "endDate",
    t.position_id as "positionId", pos.title as "positionTitle", t.grade_code as "gradeCode",
    t.cost_centre_code as "costCentreCode", t.fte::text as fte, t.days_per_week::text as "daysPerWeek"
  from employments e
  join organisations o on o.id = e.org_id
  join people p on p.id = e.person_id`

const TERMS_AT = (date: string) => sql`
  left join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id
    and t.valid_from <= ${date} and (t.valid_to is null or t.valid_to > ${date})
  left join positions pos on pos.org_id = t.org_id and pos.id = t.position_id`

/** Every employment of a person (current and past), with the terms in force on `date`. */
export async function employmentsOfPerson(
  trx: Tx,
  personId: string,
  date: string,
): Promise<EmploymentSummary[]> {
  const { rows } = await sql<EmploymentSummary>`${SUMMARY} ${TERMS_AT(date)}
    where e.person_id = ${personId}
    order by (e.end_date is null) desc, e.start_date desc`.execute(trx)
  return rows
}

/** One employment with the terms in force on `date`. */
export async function employmentSummary(
  trx: Tx,
  orgId: string,
  employmentId: string,
  date: string,
): Promise<EmploymentSummary | undefined> {
  const { rows } = await sql<EmploymentSummary>`${SUMMARY} ${TERMS_AT(date)}
    where e.org_id = ${orgId} and e.id = ${employmentId}`.execute(trx)
  return rows[0]
}

/**
 * Whether the person is the line manager of the employment on `date` (H1's managerOf: the holder
 * of the post it reports to, reaching up through vacant posts). Never true of the employment's own
 * person (someone holding two posts, one reporting to the other).
 */
export async function isLineManager(
  trx: Tx,
  orgId: string,
  employmentId: string,
  managerPersonId: string,
  date: string,
): Promise<boolean> {
  const owner = await trx
    .selectFrom('employments')
    .select('person_id')
    .where('org_id', '=', orgId)
    .where('id', '=', employmentId)
    .executeTakeFirst()
  if (!owner || owner.person_id === managerPersonId) return false
  const manager = await managerOf(trx, orgId, employmentId, date)
  return manager?.personId === managerPersonId
}

/** The employments the person manages on `date`, in every organisation where they hold a post. */
export async function reportsOfPerson(trx: Tx, personId: string, date: string): Promise<EmploymentSummary[]> {
  const orgs = await trx
    .selectFrom('employments')
    .select('org_id')
    .distinct()
    .where('person_id', '=', personId)
    .where('start_date', '<=', date)
    .where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', date)]))
    .execute()
  const team: EmploymentSummary[] = []
  for (const { org_id: orgId } of orgs) {
    for (const report of await reportsOf(trx, orgId, personId, date)) {
      const summary = await employmentSummary(trx, orgId, report.employmentId, date)
      if (summary) team.push(summary)
    }
  }
  return team
}
