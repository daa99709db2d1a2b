// The small public API other domains use to ask HR who works where, as at a date: the employments
// in force, a person's line manager and a manager's reports. Absence, self-service, expenses and
// payroll call these; they never read the HR tables' effective dating themselves.
//
// As at D: an employment is in force when start_date <= D and (end_date is null or end_date >= D)
// (end_date is the last day, inclusive); its terms are the version with valid_from <= D and
// (valid_to is null or valid_to > D).
//
// Line management follows positions: the manager of an employee is the holder of the post the
// employee's post reports to. Where that post is vacant on the date, the line goes on up the chain
// to the nearest post that is filled (so nobody is left without a manager while a post is empty);
// where several people hold the manager's post (a job share), the earliest-started holder is the
// manager. reportsOf is the exact inverse: everyone whose managerOf is the given person.
import { sql } from 'kysely'
import type { Tx } from '../platform/db/index.ts'
import './tables.ts'

/** How far up (or down) a reporting line is walked: a limit on everything, and a guard on cycles. */
export const REPORTING_DEPTH_MAX = 30

export interface EmploymentAsAt {
  employmentId: string
  personId: string
  /** The person's sign-in account (self-service), if they have one. */
  userId: string | null
  forenames: string
  surname: string
  employeeNumber: string
  contractType: string
  startDate: string
  endDate: string | null
  positionId: string
  positionCode: string
  positionTitle: string
  unitId: string
  gradeCode: string
  costCentreCode: string
  /** Decimal strings, never floats. */
  fte: string
  hoursPerWeek: string
  daysPerWeek: string
  annualSalaryPence: number
  payFrequency: string
}

/** A person in a line-management relationship, as at a date. */
export interface LinePerson {
  personId: string
  employmentId: string
  userId: string | null
  forenames: string
  surname: string
  employeeNumber: string
  positionId: string
  positionTitle: string
}

type AsAtRow = {
  employment_id: string
  person_id: string
  user_id: string | null
  forenames: string
  surname: string
  employee_number: string
  contract_type: string
  start_date: string
  end_date: string | null
  position_id: string
  position_code: string
  position_title: string
  unit_id: string
  grade_code: string
  cost_centre_code: string
  fte: string
  hours_per_week: string
  days_per_week: string
  annual_salary_pence: number | string
  pay_frequency: string
}

function toEmploymentAsAt(row: AsAtRow): EmploymentAsAt {
  return {
    employmentId: row.employment_id,
    personId: row.person_id,
    userId: row.user_id,
    forenames: row.forenames,
    surname: row.surname,
    employeeNumber: row.employee_number,
    contractType: row.contract_type,
    startDate: row.start_date,
    endDate: row.end_date,
    positionId: row.position_id,
    positionCode: row.position_code,
    positionTitle: row.position_title,
    unitId: row.unit_id,
    gradeCode: row.grade_code,
    costCentreCode: row.cost_centre_code,
    fte: String(row.fte),
    hoursPerWeek: String(row.hours_per_week),
    daysPerWeek: String(row.days_per_week),
    annualSalaryPence: Number(row.annual_salary_pence),
    payFrequency: row.pay_frequency,
  }
}

function asAtQuery(orgId: string, date: string) {
  return sql<AsAtRow>`
    select e.id as employment_id, e.person_id, p.user_id, p.forenames, p.surname, e.employee_number,
      e.contract_type, e.start_date, e.end_date, t.position_id, pos.code as position_code,
      pos.title as position_title, pos.unit_id, t.grade_code, t.cost_centre_code, t.fte::text as fte,
      t.hours_per_week::text as hours_per_week, t.days_per_week::text as days_per_week,
      t.annual_salary_pence, t.pay_frequency
    from employments e
    join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id
      and t.valid_from <= ${date}::date and (t.valid_to is null or t.valid_to > ${date}::date)
    join positions pos on pos.org_id = t.org_id and pos.id = t.position_id
    join people p on p.id = e.person_id
    where e.org_id = ${orgId} and e.start_date <= ${date}::date
      and (e.end_date is null or e.end_date >= ${date}::date)`
}

/** Every employment of the organisation in force on `date`, with the terms in force that day. */
export async function employmentsAsAt(trx: Tx, orgId: string, date: string): Promise<EmploymentAsAt[]> {
  const { rows } =
    await sql<AsAtRow>`${asAtQuery(orgId, date)} order by p.surname, p.forenames, e.employee_number`.execute(
      trx,
    )
  return rows.map(toEmploymentAsAt)
}

/** One employment as at `date`, or null when it is not in force that day (or not visible). */
export async function employmentAsAt(
  trx: Tx,
  orgId: string,
  employmentId: string,
  date: string,
): Promise<EmploymentAsAt | null> {
  const { rows } = await sql<AsAtRow>`${asAtQuery(orgId, date)} and e.id = ${employmentId}`.execute(trx)
  return rows[0] ? toEmploymentAsAt(rows[0]) : null
}

/** The employments in force on `date` of the person linked to a sign-in account (self-service). */
export async function employmentsOfUser(
  trx: Tx,
  orgId: string,
  userId: string,
  date: string,
): Promise<EmploymentAsAt[]> {
  const { rows } = await sql<AsAtRow>`${asAtQuery(orgId, date)} and p.user_id = ${userId}
    order by e.start_date, e.employee_number`.execute(trx)
  return rows.map(toEmploymentAsAt)
}

type LineRow = {
  person_id: string
  employment_id: string
  user_id: string | null
  forenames: string
  surname: string
  employee_number: string
  position_id: string
  position_title: string
}

function toLinePerson(row: LineRow): LinePerson {
  return {
    personId: row.person_id,
    employmentId: row.employment_id,
    userId: row.user_id,
    forenames: row.forenames,
    surname: row.surname,
    employeeNumber: row.employee_number,
    positionId: row.position_id,
    positionTitle: row.position_title,
  }
}

/** The holders of each post on `date` (a CTE body, reused below). */
function holders(orgId: string, date: string) {
  return sql`
    select t.position_id, e.id as employment_id, e.person_id, e.employee_number, e.start_date,
      p.user_id, p.forenames, p.surname
    from employment_terms t
    join employments e on e.org_id = t.org_id and e.id = t.employment_id
    join people p on p.id = e.person_id
    where t.org_id = ${orgId} and t.valid_from <= ${date}::date
      and (t.valid_to is null or t.valid_to > ${date}::date)
      and e.start_date <= ${date}::date and (e.end_date is null or e.end_date >= ${date}::date)`
}

/**
 * The line manager of an employment on `date`: the holder of the post its post reports to, or of
 * the nearest filled post further up. Null when the employment is not in force, reports to no
 * post, or every post above it is vacant.
 */
export async function managerOf(
  trx: Tx,
  orgId: string,
  employmentId: string,
  date: string,
): Promise<LinePerson | null> {
  const { rows } = await sql<LineRow>`
    with recursive held as (${holders(orgId, date)}),
    chain as (
      select pos.reports_to_id as position_id, 1 as depth
      from held h join positions pos on pos.org_id = ${orgId} and pos.id = h.position_id
      where h.employment_id = ${employmentId} and pos.reports_to_id is not null
      union all
      select pos.reports_to_id, c.depth + 1
      from chain c join positions pos on pos.org_id = ${orgId} and pos.id = c.position_id
      where pos.reports_to_id is not null and c.depth < ${REPORTING_DEPTH_MAX}
        and not exists (select 1 from held h where h.position_id = c.position_id)
    )
    select h.person_id, h.employment_id, h.user_id, h.forenames, h.surname, h.employee_number,
      h.position_id, pos.title as position_title
    from chain c
    join held h on h.position_id = c.position_id
    join positions pos on pos.org_id = ${orgId} and pos.id = h.position_id
    where h.employment_id <> ${employmentId}
    order by c.depth, h.start_date, h.employee_number
    limit 1`.execute(trx)
  return rows[0] ? toLinePerson(rows[0]) : null
}

/**
 * The people a person manages on `date` in the organisation: the holders of posts reporting to any
 * post the manager holds, reaching through vacant posts (the inverse of managerOf).
 */
export async function reportsOf(
  trx: Tx,
  orgId: string,
  managerPersonId: string,
  date: string,
): Promise<LinePerson[]> {
  const { rows } = await sql<LineRow>`
    with recursive held as (${holders(orgId, date)}),
    below as (
      select pos.id as position_id, 1 as depth
      from positions pos
      where pos.org_id = ${orgId}
        and pos.reports_to_id in (select h.position_id from held h where h.person_id = ${managerPersonId})
      union all
      select pos.id, b.depth + 1
      from below b join positions pos on pos.org_id = ${orgId} and pos.reports_to_id = b.position_id
      where b.depth < ${REPORTING_DEPTH_MAX}
        and not exists (select 1 from held h where h.position_id = b.position_id)
    )
    select distinct h.person_id, h.employment_id, h.user_id, h.forenames, h.surname, h.employee_number,
      h.position_id, pos.title as position_title
    from below b
    join held h on h.position_id = b.position_id
    join positions pos on pos.org_id = ${orgId} and pos.id = h.position_id
    where h.person_id <> ${managerPersonId}
    order by h.surname, h.forenames, h.employee_number`.execute(trx)
  // A job share: only the earliest-started holder of the manager's post is the manager (as in
  // managerOf), so keep the reports whose managerOf really is this person.
  const reports: LinePerson[] = []
  for (const row of rows) {
    const manager = await managerOf(trx, orgId, row.employment_id, date)
    if (manager?.personId === managerPersonId) reports.push(toLinePerson(row))
  }
  return reports
}

/** The person linked to a sign-in account, if any (self-service). */
export async function personOfUser(
  trx: Tx,
  userId: string,
): Promise<{ personId: string; orgId: string; forenames: string; surname: string } | null> {
  const row = await trx
    .selectFrom('people')
    .select(['id', 'org_id', 'forenames', 'surname'])
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row ? { personId: row.id, orgId: row.org_id, forenames: row.forenames, surname: row.surname } : null
}

/** How many employments are in force on `date`, and their total FTE (a decimal string, 2 places). */
export async function headcountAsAt(
  trx: Tx,
  orgId: string,
  date: string,
): Promise<{ headcount: number; fte: string }> {
  const { rows } = await sql<{ headcount: number; fte: string }>`
    select count(*)::int as headcount, coalesce(sum(t.fte), 0)::numeric(12, 2)::text as fte
    from employments e
    join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id
      and t.valid_from <= ${date}::date and (t.valid_to is null or t.valid_to > ${date}::date)
    where e.org_id = ${orgId} and e.start_date <= ${date}::date
      and (e.end_date is null or e.end_date >= ${date}::date)`.execute(trx)
  return { headcount: Number(rows[0]!.headcount), fte: rows[0]!.fte }
}
