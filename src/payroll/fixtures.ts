// Synthetic employments for payroll tests, the demo and the benchmark, made with set-based SQL
// (generate_series), so 500,000 cost a few statements. Deterministic: ids are md5 of a prefix and
// the row number, so two runs make the same world.
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Tx } from '../platform/db/index.ts'

export interface PayrollFixtureOptions {
  /** Makes ids and NI numbers unique across calls (2 capital letters, a valid NI prefix pair). */
  prefix: string
  count: number
  startDate?: string
  payFrequency?: 'weekly' | 'fortnightly' | 'four-weekly' | 'monthly'
  costCentreCode?: string
}

/**
 * Adds `count` people, each with one employment, terms, payroll details, bank details and a tax
 * code from the start date. The organisation must already have the cost centre (finance set-up).
 */
export async function addPayrollFixture(
  trx: Tx,
  orgId: string,
  options: PayrollFixtureOptions,
): Promise<void> {
  const { prefix, count } = options
  const startDate = options.startDate ?? '2020-01-01'
  const frequency = options.payFrequency ?? 'monthly'
  const costCentre = options.costCentreCode ?? 'CORP'
  const key = `fixture:${prefix}:`
  await sql`insert into grades (org_id, code, name, standard_grade, rank)
    values (${orgId}, 'FX-EO', 'Executive officer', 'EO', 3) on conflict do nothing`.execute(trx)
  await sql`insert into org_units (org_id, id, code, name, cost_centre_code, opened_on)
    values (${orgId}, md5(${`${key}unit`})::uuid, ${`FX-${prefix}`}, 'Payroll fixture unit', ${costCentre}, '2000-01-01')
    on conflict do nothing`.execute(trx)
  await sql`insert into positions (org_id, id, code, title, unit_id, grade_code, established_on)
    values (${orgId}, md5(${`${key}post`})::uuid, ${`FX-${prefix}-POST`}, 'Officer', md5(${`${key}unit`})::uuid, 'FX-EO', '2000-01-01')
    on conflict do nothing`.execute(trx)
  await sql`insert into people (id, org_id, forenames, surname, date_of_birth, ni_number, address_line1, town, postcode)
    select md5(${key} || 'p' || i)::uuid, ${orgId}, 'Test' || i, 'Person', date '1970-01-01' + (i % 10000),
      ${prefix}::text || lpad((i % 1000000)::text, 6, '0') || chr(65 + (i / 1000000)::int),
      i || ' High Street', 'London', 'SW1A 2AA'
    from generate_series(1, ${count}::int) as i`.execute(trx)
  await sql`insert into employments (org_id, id, person_id, employee_number, contract_type, start_date, continuous_service_date)
    select ${orgId}, md5(${key} || 'e' || i)::uuid, md5(${key} || 'p' || i)::uuid, ${`${prefix}`}::text || i, 'permanent',
      ${startDate}::date, ${startDate}::date
    from generate_series(1, ${count}::int) as i`.execute(trx)
  await sql`insert into employment_terms (org_id, employment_id, valid_from, position_id, grade_code, cost_centre_code,
      fte, hours_per_week, annual_salary_pence, pay_frequency, change_reason)
    select ${orgId}, md5(${key} || 'e' || i)::uuid, ${startDate}::date, md5(${`${key}post`})::uuid, 'FX-EO', ${costCentre},
      case when i % 7 = 0 then 0.6 else 1 end, 37, (1800000 + (i * 7919) % 9000000)::bigint, ${frequency}, 'Fixture'
    from generate_series(1, ${count}::int) as i`.execute(trx)
  await sql`insert into payroll_details (org_id, employment_id, ni_category, student_loan_plans, postgraduate_loan,
      pension_scheme, bank_account_name, bank_sort_code, bank_account_number)
    select ${orgId}, md5(${key} || 'e' || i)::uuid, 'A',
      case when i % 11 = 0 then array['2'] else '{}'::text[] end, i % 23 = 0,
      case when i % 5 = 0 then 'auto-enrolment' when i % 13 = 0 then 'none' else 'alpha' end,
      'TEST PERSON', '089999', '66374958'
    from generate_series(1, ${count}::int) as i`.execute(trx)
  await sql`insert into payroll_person_details (org_id, person_id, hmrc_gender)
    select ${orgId}, md5(${key} || 'p' || i)::uuid, case when i % 2 = 0 then 'F' else 'M' end
    from generate_series(1, ${count}::int) as i`.execute(trx)
  await sql`insert into tax_codes (org_id, employment_id, valid_from, tax_code, source)
    select ${orgId}, md5(${key} || 'e' || i)::uuid, ${startDate}::date,
      case when i % 10 = 0 then 'S1257L' when i % 17 = 0 then 'BR' else '1257L' end, 'starter'
    from generate_series(1, ${count}::int) as i`.execute(trx)
}

/** Employment id of fixture row i (1-based), as the SQL above makes it. */
export function fixtureEmploymentId(prefix: string, index: number): string {
  return md5Uuid(`fixture:${prefix}:e${index}`)
}

export function fixturePersonId(prefix: string, index: number): string {
  return md5Uuid(`fixture:${prefix}:p${index}`)
}

function md5Uuid(text: string): string {
  const hex = createHash('md5').update(text).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
