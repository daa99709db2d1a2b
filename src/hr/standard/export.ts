// Export of the HR data reporting standard's five areas for one organisation as at a date, as
// rows keyed by the columns of areas.ts, and those rows as CSV. Runs inside the caller's
// transaction, so row-level security decides what is visible: the diversity area returns nothing
// to a caller without hr:diversity:read (the routes refuse before that).
//
// As at D: employments with start_date <= D and (end_date is null or end_date >= D), on the terms
// with valid_from <= D and (valid_to is null or valid_to > D). The event areas (joining and
// leaving, absence) cover the twelve months up to and including D.
import { stringify } from 'csv-stringify/sync'
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { BusinessRuleError } from '../../platform/errors.ts'
import { toDecimal } from '../../platform/money.ts'
import { AREA_DEFINITIONS, type StandardArea } from './areas.ts'
import '../tables.ts'

/** A limit on everything: an export larger than this is refused (split by unit is not offered yet). */
export const EXPORT_ROWS_MAX = 250_000

export type StandardRow = Record<string, string | number | null>

export interface StandardExport {
  area: StandardArea
  organisationCode: string
  asAt: string
  items: StandardRow[]
}

/** The first day of the twelve months ending on `asAt` (inclusive): 2026-03-31 → 2025-04-01. */
export function periodStart(asAt: string): string {
  const date = new Date(`${asAt}T00:00:00Z`)
  date.setUTCFullYear(date.getUTCFullYear() - 1)
  date.setUTCDate(date.getUTCDate() + 1)
  return date.toISOString().slice(0, 10)
}

const IN_FORCE = (asAt: string) => sql`
  e.start_date <= ${asAt}::date and (e.end_date is null or e.end_date >= ${asAt}::date)`
const TERMS_ON = (asAt: string) => sql`
  t.valid_from <= ${asAt}::date and (t.valid_to is null or t.valid_to > ${asAt}::date)`

async function query(trx: Tx, area: StandardArea, orgId: string, asAt: string): Promise<StandardRow[]> {
  const limit = EXPORT_ROWS_MAX + 1
  switch (area) {
    case 'core-employee-profile': {
      const { rows } = await sql<StandardRow & { annual_salary_pence: number }>`
        select o.code as organisation_code, e.employee_number, e.person_id::text, p.forenames, p.surname,
          p.date_of_birth::text, e.contract_type, lender.code as lent_by_organisation_code,
          e.start_date::text, e.continuous_service_date::text, e.expected_end_date::text,
          t.grade_code, g.standard_grade, pos.code as position_code, pos.title as position_title,
          u.code as unit_code, u.name as unit_name, t.cost_centre_code, t.fte::text,
          t.hours_per_week::text, t.annual_salary_pence, t.pay_frequency, p.town as work_town
        from employments e
        join organisations o on o.id = e.org_id
        join people p on p.id = e.person_id
        join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id and ${TERMS_ON(asAt)}
        join grades g on g.org_id = t.org_id and g.code = t.grade_code
        join positions pos on pos.org_id = t.org_id and pos.id = t.position_id
        join org_units u on u.org_id = pos.org_id and u.id = pos.unit_id
        left join organisations lender on lender.id = e.lent_by_org_id
        where e.org_id = ${orgId} and ${IN_FORCE(asAt)}
        order by e.employee_number limit ${limit}`.execute(trx)
      return rows.map(({ annual_salary_pence, ...row }) => ({
        ...row,
        annual_salary: toDecimal(Number(annual_salary_pence)),
      }))
    }
    case 'diversity': {
      const { rows } = await sql<StandardRow>`
        select o.code as organisation_code, e.employee_number, e.person_id::text, d.sex,
          d.gender_same_as_birth, d.ethnicity, d.disability, d.sexual_orientation, d.religion,
          d.caring_responsibility, d.socio_economic_background, d.recorded_on::text
        from employments e
        join organisations o on o.id = e.org_id
        left join person_diversity d on d.org_id = e.org_id and d.person_id = e.person_id
        where e.org_id = ${orgId} and ${IN_FORCE(asAt)}
        order by e.employee_number limit ${limit}`.execute(trx)
      return rows
    }
    case 'profession-talent-performance': {
      const { rows } = await sql<StandardRow>`
        select o.code as organisation_code, e.employee_number, e.person_id::text, t.grade_code,
          g.standard_grade,
          (select min(s.valid_from) from employment_terms s
            where s.org_id = t.org_id and s.employment_id = t.employment_id and s.grade_code = t.grade_code
              and s.valid_from <= t.valid_from)::text as in_grade_since,
          null as profession, null as function, null as performance_rating, null as performance_year,
          null as talent_scheme
        from employments e
        join organisations o on o.id = e.org_id
        join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id and ${TERMS_ON(asAt)}
        join grades g on g.org_id = t.org_id and g.code = t.grade_code
        where e.org_id = ${orgId} and ${IN_FORCE(asAt)}
        order by e.employee_number limit ${limit}`.execute(trx)
      return rows
    }
    case 'joining-and-leaving': {
      const from = periodStart(asAt)
      const { rows } = await sql<StandardRow>`
        select o.code as organisation_code, e.employee_number, e.person_id::text, ev.event,
          ev.event_date::text, e.contract_type, lender.code as lent_by_organisation_code, t.grade_code,
          g.standard_grade, t.fte::text,
          case when ev.event = 'leaver' then e.leaving_reason end as leaving_reason
        from employments e
        join organisations o on o.id = e.org_id
        cross join lateral (values ('joiner', e.start_date), ('leaver', e.end_date)) ev(event, event_date)
        left join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id
          and t.valid_from <= ev.event_date and (t.valid_to is null or t.valid_to > ev.event_date)
        left join grades g on g.org_id = t.org_id and g.code = t.grade_code
        left join organisations lender on lender.id = e.lent_by_org_id
        where e.org_id = ${orgId} and ev.event_date between ${from}::date and ${asAt}::date
        order by ev.event_date, e.employee_number, ev.event limit ${limit}`.execute(trx)
      return rows
    }
    case 'absence': {
      const from = periodStart(asAt)
      const absenceTables = await sql<{ n: number }>`
        select count(*)::int as n from pg_class
        where relname in ('sickness_absences', 'family_leaves') and relkind = 'r'`.execute(trx)
      if (absenceTables.rows[0]!.n < 2) return []
      const { rows } = await sql<StandardRow>`
        select o.code as organisation_code, e.employee_number, e.person_id::text, a.absence_type,
          a.category, a.start_date::text, a.end_date::text,
          (least(coalesce(a.end_date, ${asAt}::date), ${asAt}::date)
            - greatest(a.start_date, ${from}::date) + 1)::int as calendar_days_in_period,
          a.work_related
        from (
          select org_id, employment_id, 'sickness' as absence_type, category, start_date, end_date,
            case when work_related then 'yes' else 'no' end as work_related
          from sickness_absences
          union all
          select org_id, employment_id, leave_type, null, start_date, end_date, null
          from family_leaves) a
        join employments e on e.org_id = a.org_id and e.id = a.employment_id
        join organisations o on o.id = e.org_id
        where a.org_id = ${orgId} and a.start_date <= ${asAt}::date
          and (a.end_date is null or a.end_date >= ${from}::date)
        order by a.start_date, e.employee_number limit ${limit}`.execute(trx)
      return rows
    }
  }
}

/** Thrown when an export would pass EXPORT_ROWS_MAX rows. */
export class ExportTooLargeError extends BusinessRuleError {}

/** One area's rows for one organisation as at a date, every column present (null when empty). */
export async function exportArea(
  trx: Tx,
  area: StandardArea,
  org: { id: string; code: string },
  asAt: string,
): Promise<StandardExport> {
  const rows = await query(trx, area, org.id, asAt)
  if (rows.length > EXPORT_ROWS_MAX)
    throw new ExportTooLargeError(
      `The ${AREA_DEFINITIONS[area].title.toLowerCase()} export for ${asAt} has more than ${EXPORT_ROWS_MAX.toLocaleString('en-GB')} rows`,
    )
  const columns = AREA_DEFINITIONS[area].columns
  const items = rows.map((row) =>
    Object.fromEntries(
      columns.map((column) => {
        const value = row[column.name]
        if (value === undefined || value === null) return [column.name, null]
        return [column.name, column.type === 'integer' ? Number(value) : String(value)]
      }),
    ),
  )
  return { area, organisationCode: org.code, asAt, items }
}

/** The export as RFC 4180 CSV: a header of the column names, CRLF line ends, empty for null. */
export function exportCsv(data: StandardExport): string {
  const columns = AREA_DEFINITIONS[data.area].columns.map((column) => column.name)
  return stringify([columns, ...data.items.map((item) => columns.map((column) => item[column] ?? ''))], {
    record_delimiter: '\r\n',
  })
}
