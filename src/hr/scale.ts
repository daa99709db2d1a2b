// `gss demo --scale N`: a synthetic HR world of N employees across the organisations, generated
// in bulk inside the database (set-based INSERT ... SELECT over generate_series), never one insert
// at a time. Each synthetic employee gets a sign-in account (employee role on their organisation),
// a person record linked to it, an employment, one or two versions of employment terms (about one
// in ten was promoted part-way), payroll details and a tax code. The grades, pay scales, units,
// cost centres and positions they need are created per organisation if missing (insert ... on
// conflict do nothing), so this works whether or not the named HR demo seeded its own.
//
// Deterministic: every attribute of employee n is a function of n alone (a hash of n for the spread,
// the same weighted stride as before for the organisation), so the same N gives the same world on
// every machine, and growing by 100 then 50 gives exactly the world of growing by 150 at once.
//
// The sums (decision 0201): 500,000 employees are about 3.6 million rows (users, memberships,
// people, employments, ~550,000 terms, payroll details, tax codes), ~1 KB each with indexes, so
// ~3.5 GB of writes. Row-by-row triggers would cost more than the inserts themselves: the audit
// trigger (a plpgsql call, a sha256 and a chain-head update per row, serialised per organisation)
// and the interop triggers (an employee.joined event per employment). So, inside the transaction,
// the bulk tables' user triggers are switched off (ALTER TABLE ... DISABLE TRIGGER USER, which
// also locks them against every other writer until commit), one audit entry per organisation and
// table records the whole load instead (the hash chains stay whole; `gss audit verify` passes),
// and synthetic staff raise no change events (webhook subscribers are not flooded with demo
// data). Foreign keys are set aside and validated set-based after the load (below); checks,
// unique and exclusion constraints stay on throughout.
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Database, Tx } from '../platform/db/index.ts'
import '../platform/tables.ts'
import '../orgs/tables.ts'
import './tables.ts'

/** The most synthetic employees a world may hold (NI numbers and employee numbers are sized for it). */
export const SCALE_EMPLOYEES_MAX = 1_000_000

/** The synthetic world's data is "as at" this date: start and leaving dates fall before it. */
export const SCALE_DATA_AS_AT = '2026-03-31'

/** Synthetic grades: the civil service structure with a realistic spread and national pay ranges. */
export const SCALE_GRADES = [
  { code: 'AA', rank: 1, per1000: 20, minimumPence: 22_000_00, maximumPence: 23_500_00, leaveDays: 25 },
  { code: 'AO', rank: 2, per1000: 180, minimumPence: 23_500_00, maximumPence: 25_500_00, leaveDays: 25 },
  { code: 'EO', rank: 3, per1000: 250, minimumPence: 28_000_00, maximumPence: 31_500_00, leaveDays: 25 },
  { code: 'HEO', rank: 4, per1000: 200, minimumPence: 34_000_00, maximumPence: 38_500_00, leaveDays: 25 },
  { code: 'SEO', rank: 5, per1000: 130, minimumPence: 41_000_00, maximumPence: 46_000_00, leaveDays: 25 },
  { code: 'G7', rank: 6, per1000: 140, minimumPence: 52_000_00, maximumPence: 62_000_00, leaveDays: 25 },
  { code: 'G6', rank: 7, per1000: 50, minimumPence: 64_000_00, maximumPence: 76_000_00, leaveDays: 25 },
  { code: 'SCS1', rank: 8, per1000: 25, minimumPence: 75_000_00, maximumPence: 117_800_00, leaveDays: 30 },
  { code: 'SCS2', rank: 9, per1000: 5, minimumPence: 98_000_00, maximumPence: 162_500_00, leaveDays: 30 },
] as const

/** Synthetic units, each with a cost centre of the same code (CORP is the one finance seeds). */
export const SCALE_UNITS = [
  { code: 'CORP', name: 'Corporate services' },
  { code: 'POL', name: 'Policy' },
  { code: 'OPS', name: 'Operations' },
  { code: 'DIG', name: 'Digital and data' },
  { code: 'FIN', name: 'Finance and commercial' },
  { code: 'PPL', name: 'People' },
] as const

// biome-ignore format: a list of names, kept compact
const FORENAMES = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Ivy', 'Lily', 'Isabella', 'Rosie', 'Sophia', 'Grace',
  'Freya', 'Aisha', 'Zara', 'Priya', 'Chloe', 'Hannah', 'Niamh', 'Siobhan', 'Megan', 'Fatima',
  'Ewa', 'Chiamaka', 'Mei', 'Noah', 'Oliver', 'George', 'Arthur', 'Muhammad', 'Leo', 'Harry',
  'Oscar', 'Archie', 'Henry', 'Theodore', 'Jack', 'Charlie', 'Thomas', 'Rhys', 'Callum', 'Ewan',
  'Dylan', 'Kwame', 'Arjun', 'Tomasz', 'Jamal', 'Hiroshi', 'Declan',
]
// biome-ignore format: a list of names, kept compact
const SURNAMES = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson',
  'Roberts', 'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green',
  'Hall', 'Lewis', 'Harris', 'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper',
  'Hill', 'Ward', 'Morris', 'Moore', 'Clark', 'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen',
  'Khan', 'Ahmed', 'Singh', 'Okafor', 'Nowak', 'Campbell', 'Murphy', 'Kelly',
]
// biome-ignore format: a list of names, kept compact
const TOWNS: ReadonlyArray<readonly [string, string]> = [
  ['London', 'SW1A 2AS'], ['Leeds', 'LS1 4AP'], ['Manchester', 'M1 3BN'], ['Glasgow', 'G2 8LU'],
  ['Cardiff', 'CF10 3NQ'], ['Birmingham', 'B1 1BD'], ['Newcastle upon Tyne', 'NE1 7RU'],
  ['Bristol', 'BS1 5TR'], ['Sheffield', 'S1 2HE'], ['Belfast', 'BT1 5GS'], ['Darlington', 'DL1 5QT'],
  ['Swansea', 'SA1 8AJ'], ['Nottingham', 'NG1 6BQ'], ['Croydon', 'CR0 2EU'], ['York', 'YO1 7HH'],
  ['Edinburgh', 'EH1 3DG'],
]

export type SyntheticKind = 'user' | 'person' | 'employment' | 'membership'
const KIND_NUMBER: Record<SyntheticKind, number> = { user: 1, person: 2, employment: 3, membership: 4 }

/**
 * The id of employee n's record of a kind: a recognisable synthetic UUID carrying the kind and n,
 * behind 8 hex digits of md5(n) (person 42 is 2b6e8a59-5e1f-2000-8000-00000000002a). The hash
 * prefix scatters the ids: the exclusion constraints' GiST indexes degrade badly when keys arrive
 * in order (measured: a GiST build over 500,000 ascending ids took ten minutes), and n keeps every
 * id unique without trusting a hash.
 */
export function syntheticId(kind: SyntheticKind, n: number): string {
  const prefix = createHash('md5').update(`gss:synthetic:${n}`).digest('hex').slice(0, 8)
  return `${prefix}-5e1f-${KIND_NUMBER[kind]}000-8000-${n.toString(16).padStart(12, '0')}`
}

/** The same id in SQL, given the expressions for n and for md5('gss:synthetic:' || n). */
function syntheticIdSql(kind: SyntheticKind, n: string, digest: string): string {
  return `(substr(${digest}, 1, 8) || '-5e1f-${KIND_NUMBER[kind]}000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`
}

/**
 * Synthetic National Insurance number of employee n: prefix ZX (a valid, allocatable prefix that
 * the named demo people do not use), six digits and a suffix, unique for n below 4 million.
 */
export function syntheticNiNumber(n: number): string {
  return `ZX${String(n % 1_000_000).padStart(6, '0')}${'ABCD'[Math.floor(n / 1_000_000) % 4]}`
}

/** The low 60 bits: a non-negative bigint to take remainders of. */
const HASH_MASK = '1152921504606846975'

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`

const textArray = (values: readonly string[]) =>
  `array[${values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ')}]::text[]`

/** The bulk tables: their row triggers are off during the load; one audit entry per organisation instead. */
const BULK_TABLES = [
  'users',
  'memberships',
  'people',
  'employments',
  'employment_terms',
  'payroll_details',
  'tax_codes',
] as const

export interface GrowOptions {
  /** Progress lines (each step and its time). */
  log?: (line: string) => void
}

/** How many synthetic employees the world holds (numbering continues from here). */
export async function syntheticCount(trx: Tx | Database['admin']): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from users where email like 'synthetic.%'`.execute(trx)
  return rows[0]!.n
}

/**
 * Adds `employees` synthetic employees, numbered on from those already there, in one owner
 * transaction (all or nothing). Refuses beyond SCALE_EMPLOYEES_MAX in all, or before the demo
 * organisations exist. Returns the numbers of the first and last employee added.
 */
export async function growHrWorld(
  db: Database,
  employees: number,
  options: GrowOptions = {},
): Promise<{ first: number; last: number }> {
  if (!Number.isInteger(employees) || employees < 1)
    throw new RangeError('The number of employees to add must be a whole number of 1 or more')
  const log = options.log ?? (() => {})
  return db.adminTransaction(async (trx) => {
    // Serialise growers: a second `gss demo --scale` waits rather than numbering the same people.
    await sql`lock table people in share row exclusive mode`.execute(trx)
    // Sorting half a million rows into key order (fewer page splits) wants more than the default 4 MB.
    await sql`set local work_mem = '256MB'`.execute(trx)
    const orgs = await trx
      .selectFrom('organisations')
      .select(['id', 'code', 'kind'])
      .orderBy('code')
      .execute()
    if (orgs.length === 0) throw new Error('Seed the demo world first (gss demo)')
    const start = await syntheticCount(trx)
    if (start + employees > SCALE_EMPLOYEES_MAX) {
      throw new RangeError(
        `The world already holds ${start.toLocaleString('en-GB')} synthetic employees; adding ${employees.toLocaleString('en-GB')} would pass the limit of ${SCALE_EMPLOYEES_MAX.toLocaleString('en-GB')}`,
      )
    }
    const first = start
    const last = start + employees - 1
    let previous = performance.now()
    const step = async (name: string, statement: string) => {
      await sql.raw(statement).execute(trx)
      const now = performance.now()
      log(`${name}: ${Math.round(now - previous)} ms`)
      previous = now
    }

    // Departments weigh ten times an arm's-length body; employee n goes to the organisation its
    // slot (n x 7919 mod total weight, a stride coprime to the total) falls in.
    let lo = 0
    const weighted = orgs.map((org) => {
      const weight = org.kind.endsWith('department') ? 10 : 1
      const row = `('${org.id}'::uuid, '${org.code.replace(/'/g, "''")}', ${lo}, ${lo + weight})`
      lo += weight
      return row
    })
    const totalWeight = lo
    await step(
      'reference data',
      `
      create temporary table syn_orgs (org_id uuid, code text, lo int, hi int) on commit drop;
      insert into syn_orgs values ${weighted.join(', ')};
      -- Equality joins (hash joins) rather than range conditions per employee.
      create temporary table syn_slots on commit drop as
        select s.slot, o.org_id, o.code from syn_orgs o cross join generate_series(o.lo, o.hi - 1) s(slot);
      create temporary table syn_grades (code text, rank int, lo int, hi int, minimum_pence bigint,
        maximum_pence bigint, leave_days int) on commit drop;
      insert into syn_grades values ${(() => {
        let from = 0
        return SCALE_GRADES.map((grade) => {
          const row = `('${grade.code}', ${grade.rank}, ${from}, ${from + grade.per1000}, ${grade.minimumPence}, ${grade.maximumPence}, ${grade.leaveDays})`
          from += grade.per1000
          return row
        }).join(', ')
      })()};
      insert into cost_centres (org_id, code, name)
        select o.org_id, u.code, u.name from syn_orgs o
        cross join (values ${SCALE_UNITS.map((unit) => `('${unit.code}', '${unit.name}')`).join(', ')}) u(code, name)
        on conflict do nothing;
      insert into grades (org_id, code, name, standard_grade, rank, annual_leave_days)
        select o.org_id, g.code, g.code, g.code, g.rank, g.leave_days from syn_orgs o cross join syn_grades g
        on conflict do nothing;
      -- An exclusion constraint also counts as a conflict: a scale the organisation already has stays.
      insert into pay_scales (org_id, grade_code, valid_from, minimum_pence, maximum_pence)
        select o.org_id, g.code, date '2000-04-01', g.minimum_pence, g.maximum_pence
        from syn_orgs o cross join syn_grades g
        on conflict do nothing;
      insert into org_units (org_id, id, code, name, cost_centre_code, opened_on)
        select o.org_id, md5('gss:synthetic:unit:' || o.org_id || ':' || u.code)::uuid, 'SYN-' || u.code,
          u.name, u.code, date '1990-04-01'
        from syn_orgs o
        cross join (values ${SCALE_UNITS.map((unit) => `('${unit.code}', '${unit.name}')`).join(', ')}) u(code, name)
        on conflict do nothing;
      -- One generic post per unit and grade (a pool of identical posts, as casework teams have),
      -- each reporting to the post a grade up in the same unit; the top one to the unit head's.
      insert into positions (org_id, id, code, title, unit_id, grade_code, cost_centre_code, established_on)
        select o.org_id, md5('gss:synthetic:position:' || o.org_id || ':' || u.code || ':' || g.code)::uuid,
          'SYN-' || u.code || '-' || g.code, u.name || ' (' || g.code || ')', ou.id, g.code, u.code,
          date '1990-04-01'
        from syn_orgs o cross join syn_grades g
        cross join (values ${SCALE_UNITS.map((unit) => `('${unit.code}', '${unit.name}')`).join(', ')}) u(code, name)
        join org_units ou on ou.org_id = o.org_id and ou.code = 'SYN-' || u.code
        on conflict do nothing;
      update positions p set reports_to_id = up.id
        from syn_grades g, syn_grades gu, positions up
        where p.code like 'SYN-%' and p.reports_to_id is null and g.code = p.grade_code
          and gu.rank = g.rank + 1 and up.org_id = p.org_id and up.unit_id = p.unit_id
          and up.grade_code = gu.code and up.code like 'SYN-%'
          and p.org_id in (select org_id from syn_orgs);
      -- The national scale in force at the data date, whoever created it.
      create temporary table syn_scales on commit drop as
        select distinct on (s.org_id, s.grade_code) s.org_id, s.grade_code, s.minimum_pence, s.maximum_pence
        from pay_scales s join syn_orgs o on o.org_id = s.org_id
        where s.location = 'national' and s.valid_from <= date '${SCALE_DATA_AS_AT}'
          and (s.valid_to is null or s.valid_to > date '${SCALE_DATA_AS_AT}')
        order by s.org_id, s.grade_code, s.valid_from desc;
      create unique index on syn_scales (org_id, grade_code);
      -- The synthetic posts, as a small analysed table: the tables just written in this
      -- transaction have no statistics yet, and a planner that thinks positions is empty picks a
      -- nested loop over it for every one of half a million terms.
      create temporary table syn_positions on commit drop as
        select p.org_id, p.code, p.id from positions p join syn_orgs o on o.org_id = p.org_id
        where p.code like 'SYN-%';
      create temporary table syn_grade_picks on commit drop as
        select p.pick, g.code, g.rank, (select l.code from syn_grades l where l.rank = g.rank - 1) as lower_grade_code
        from syn_grades g cross join generate_series(g.lo, g.hi - 1) p(pick);
      analyze syn_orgs; analyze syn_slots; analyze syn_grades; analyze syn_grade_picks; analyze syn_scales;
      analyze syn_positions;`,
    )

    // Every attribute of employee n from two 60-bit hashes of n (PostgreSQL's hashtextextended, the
    // stable hash that hash partitioning relies on): independent of each other, and of n alone.
    await step(
      'employees planned',
      `
      create temporary table syn on commit drop as
      select y.*,
        case when fte_pick < 80 then 1 when fte_pick < 88 then 0.8 when fte_pick < 94 then 0.6
          when fte_pick < 97 then 0.5 else 0.4 end::numeric(5, 4) as fte,
        case when fte_pick < 80 then 37 when fte_pick < 88 then 29.6 when fte_pick < 94 then 22.2
          when fte_pick < 97 then 18.5 else 14.8 end::numeric(5, 2) as hours,
        case when fte_pick < 80 then 5 when fte_pick < 88 then 4 when fte_pick < 94 then 3
          when fte_pick < 97 then 2.5 else 2 end::numeric(3, 1) as days,
        case when promotion_pick < 10 and lower_grade_code is not null
          and coalesce(end_date, date '${SCALE_DATA_AS_AT}') - start_date > 400
          then start_date + (coalesce(end_date, date '${SCALE_DATA_AS_AT}') - start_date) / 2 end as promoted_on
      from (
      select x.*,
        case when x.contract_pick < 6 then 'fixed-term' else 'permanent' end as contract_type,
        case when x.leaver_pick < 20 then x.start_date + (x.hb / 5000 % greatest(date '${SCALE_DATA_AS_AT}' - x.start_date, 1))::int end as end_date,
        g.code as grade_code, g.rank as grade_rank, g.lower_grade_code
      from (
        select h.n, o.org_id, o.code as org_code,
          ${['user', 'person', 'employment', 'membership']
            .map((kind) => `${syntheticIdSql(kind as SyntheticKind, 'h.n', 'h.digest')} as ${kind}_id`)
            .join(',\n          ')},
          h.ha, h.hb,
          h.ha % 1000 as grade_pick,
          (${textArray(SCALE_UNITS.map((unit) => unit.code))})[1 + (h.ha / 1000 % ${SCALE_UNITS.length})::int] as unit_code,
          (h.ha / 6000 % 100)::int as fte_pick,
          date '1996-04-01' + (h.ha / 600000 % 10957)::int as start_date,
          (6575 + h.ha / 6574900000 % 15000)::int as age_days_at_start,
          (${textArray(FORENAMES)})[1 + (h.hb % ${FORENAMES.length})::int] as forenames,
          (${textArray(SURNAMES)})[1 + (h.hb / ${FORENAMES.length} % ${SURNAMES.length})::int] as surname,
          (h.hb / 2304 % 1000)::int as leaver_pick,
          (h.hb / 2304000 % 100)::int as promotion_pick,
          (h.hb / 230400000 % 10001)::int as salary_point,
          (h.hb / 2304100000000 % 100)::int as contract_pick,
          (h.ha / 98623500000000 % ${TOWNS.length})::int as town_index
        -- offset 0 keeps the hashes computed once per employee, not once per use.
        from (select g.n, md5('gss:synthetic:' || g.n) as digest,
            hashtextextended('gss:synthetic:' || g.n, 1) & ${HASH_MASK} as ha,
            hashtextextended('gss:synthetic:' || g.n, 2) & ${HASH_MASK} as hb
          from generate_series(${first}::bigint, ${last}::bigint) g(n) offset 0) h
        join syn_slots o on o.slot = (h.n * 7919) % ${totalWeight}
      ) x
      join syn_grade_picks g on g.pick = x.grade_pick
      ) y;
      analyze syn;`,
    )

    // Foreign keys are checked once per table, set-based, rather than once per row: a row-by-row
    // check takes a FOR KEY SHARE lock on the referenced row, which rewrites (and WAL-logs) every
    // person and employment just inserted a second time. Each bulk table's foreign keys are
    // dropped here and added back, with the same names and definitions, after the load; adding
    // one back validates every row in one join, and any failure rolls the whole load back.
    const { rows: foreignKeys } = await sql<{ table: string; name: string; definition: string }>`
      select c.conrelid::regclass::text as table, c.conname as name, pg_get_constraintdef(c.oid) as definition
      from pg_constraint c
      where c.contype = 'f' and c.conrelid = any (${BULK_TABLES.map((table) => `public.${table}`)}::regclass[])
      order by c.conrelid::regclass::text, c.conname`.execute(trx)
    for (const key of foreignKeys)
      await sql.raw(`alter table ${key.table} drop constraint ${quoteIdent(key.name)}`).execute(trx)
    log(`foreign keys set aside: ${foreignKeys.length}`)
    for (const table of BULK_TABLES) await sql.raw(`alter table ${table} disable trigger user`).execute(trx)
    await step(
      'users and memberships',
      `
      insert into users (id, email, display_name, password_hash, oidc_subject)
        select user_id, 'synthetic.' || n || '@' || org_code || '.gss.example',
          forenames || ' ' || surname, null, null from syn order by n;
      insert into memberships (id, user_id, role, org_id, cluster_id)
        select membership_id, user_id, 'employee', org_id, null from syn order by n;`,
    )
    await step(
      'people',
      `
      insert into people (id, org_id, forenames, surname, date_of_birth, ni_number, email, town, postcode, user_id)
        select person_id, org_id, forenames, surname, start_date - age_days_at_start,
          'ZX' || lpad((n % 1000000)::text, 6, '0') || substr('ABCD', 1 + ((n / 1000000) % 4)::int, 1),
          lower(forenames) || '.' || lower(surname) || '.' || n || '@' || org_code || '.gss.example',
          (${textArray(TOWNS.map((town) => town[0]))})[1 + town_index],
          (${textArray(TOWNS.map((town) => town[1]))})[1 + town_index],
          user_id
        from syn order by n;`,
    )
    await step(
      'employments',
      `
      insert into employments (org_id, id, person_id, employee_number, contract_type, start_date,
          expected_end_date, end_date, leaving_reason, continuous_service_date)
        select org_id, employment_id, person_id, 'SYN' || lpad(n::text, 7, '0'), contract_type, start_date,
          case when contract_type = 'fixed-term' then start_date + 730 end,
          end_date,
          case when end_date is null then null when leaver_pick < 8 then 'Resignation'
            when leaver_pick < 14 then 'Retirement' when leaver_pick < 18 then 'End of fixed-term contract'
            else 'Transfer out of the civil service' end,
          start_date
        from syn order by org_id, n;`,
    )
    await step(
      'employment terms',
      `
      insert into employment_terms (org_id, employment_id, valid_from, valid_to, position_id, grade_code,
          cost_centre_code, fte, hours_per_week, days_per_week, annual_salary_pence, pay_frequency, change_reason)
        select s.org_id, s.employment_id, v.valid_from, v.valid_to, p.id, v.grade_code, s.unit_code,
          s.fte, s.hours, s.days,
          sc.minimum_pence + (sc.maximum_pence - sc.minimum_pence) * s.salary_point / 10000,
          'monthly', v.reason
        from syn s
        cross join lateral (values
          (s.start_date, coalesce(s.promoted_on, s.end_date + 1), case when s.promoted_on is not null then s.lower_grade_code else s.grade_code end, 'Joined'),
          (s.promoted_on, s.end_date + 1, s.grade_code, 'Promotion')) v(valid_from, valid_to, grade_code, reason)
        join syn_positions p on p.org_id = s.org_id and p.code = 'SYN-' || s.unit_code || '-' || v.grade_code
        join syn_scales sc on sc.org_id = s.org_id and sc.grade_code = v.grade_code
        where v.valid_from is not null
        order by s.org_id, s.employment_id, v.valid_from;`,
    )
    await step(
      'payroll details and tax codes',
      `
      insert into payroll_details (org_id, employment_id, starter_declaration, ni_category,
          student_loan_plans, postgraduate_loan, pension_scheme)
        select org_id, employment_id,
          case when contract_pick % 10 < 7 then 'A' when contract_pick % 10 < 9 then 'B' else 'C' end,
          'A',
          case when salary_point % 10 = 0 then '{2}'::text[] when salary_point % 10 = 1 then '{1}'::text[]
            else '{}'::text[] end,
          salary_point % 25 = 0,
          case when leaver_pick % 20 = 0 then 'none' else 'alpha' end
        from syn order by org_id, employment_id;
      insert into tax_codes (org_id, employment_id, valid_from, tax_code, source)
        select org_id, employment_id, start_date,
          case when contract_pick % 10 = 9 then 'BR' else '1257L' end, 'starter'
        from syn order by org_id, employment_id;`,
    )
    for (const table of BULK_TABLES) await sql.raw(`alter table ${table} enable trigger user`).execute(trx)
    for (const key of foreignKeys)
      await sql
        .raw(`alter table ${key.table} add constraint ${quoteIdent(key.name)} ${key.definition}`)
        .execute(trx)
    log(`foreign keys validated: ${Math.round(performance.now() - previous)} ms`)
    previous = performance.now()
    // One audit entry per organisation and table for the whole load, on each organisation's chain
    // (users on the platform chain), so the log says what happened and the chains stay whole.
    await step(
      'audit',
      `
      select gss_audit_append(null, 'users', 'demo-scale:${first}-${last}', 'insert', null,
        jsonb_build_object('rows', ${employees}, 'firstEmployee', ${first}, 'lastEmployee', ${last}));
      select gss_audit_append(s.org_id, t.name, 'demo-scale:${first}-${last}', 'insert', null,
          jsonb_build_object('rows', count(*) + case when t.name = 'employment_terms' then count(s.promoted_on) else 0 end,
            'firstEmployee', min(s.n), 'lastEmployee', max(s.n)))
        from syn s cross join (values ('memberships'), ('people'), ('employments'),
          ('employment_terms'), ('payroll_details'), ('tax_codes')) t(name)
        group by s.org_id, t.name order by s.org_id, t.name;`,
    )
    await step(
      'statistics',
      `analyze users; analyze memberships; analyze people; analyze employments; analyze employment_terms;
       analyze payroll_details; analyze tax_codes;`,
    )
    return { first, last }
  }, 'demo:scale')
}
