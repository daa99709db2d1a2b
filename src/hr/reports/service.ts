// Headcount and full-time equivalent as at any date, by organisation, grade and unit.
//
// As at D (the convention of src/hr/people.ts): an employment counts when start_date <= D and
// (end_date is null or end_date >= D), on the terms in force on D (valid_from <= D and
// (valid_to is null or valid_to > D)). Headcount counts people: someone holding two employments in
// the same group counts once there (and once in each group they appear in); FTE sums the terms.
//
// One statement computes the total and every breakdown (GROUPING SETS), so the report reads the
// employments once: at 500,000 employments that is one hash join of two ~500k-row scans
// (measured in bench/hr.bench.ts).
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import '../tables.ts'
import '../../orgs/tables.ts'

export interface HeadcountRow {
  /** Organisation code, grade code or unit code. */
  code: string
  name: string
  headcount: number
  /** Decimal string (sum of the FTE of the terms), never a float. */
  fte: string
}

export interface HeadcountReport {
  asAt: string
  total: { headcount: number; fte: string }
  byOrganisation: HeadcountRow[]
  byGrade: HeadcountRow[]
  byUnit: HeadcountRow[]
}

interface Grouped {
  level: 'total' | 'organisation' | 'grade' | 'unit'
  org_id: string | null
  grade_code: string | null
  unit_id: string | null
  headcount: number
  fte: string
}

/** Trailing zeros off a numeric's text: "12.5000" → "12.5", "3.0000" → "3". */
export function decimalText(value: string | null): string {
  if (value === null) return '0'
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value
}

export class HeadcountService {
  /**
   * Headcount and FTE of the given organisations as at a date (each breakdown sorted: grades by
   * rank, units and organisations by name). Row-level security limits what the caller sees.
   */
  async report(trx: Tx, orgIds: readonly string[], asAt: string): Promise<HeadcountReport> {
    if (orgIds.length === 0)
      return { asAt, total: { headcount: 0, fte: '0' }, byOrganisation: [], byGrade: [], byUnit: [] }
    const { rows } = await sql<Grouped>`
      with in_force as (
        select e.org_id, e.person_id, t.grade_code, p.unit_id, t.fte
        from employments e
        join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id
          and t.valid_from <= ${asAt}::date and (t.valid_to is null or t.valid_to > ${asAt}::date)
        join positions p on p.org_id = t.org_id and p.id = t.position_id
        where e.org_id = any (${orgIds}::uuid[])
          and e.start_date <= ${asAt}::date and (e.end_date is null or e.end_date >= ${asAt}::date))
      select
        case grouping(org_id, grade_code, unit_id)
          when 7 then 'total' when 3 then 'organisation' when 1 then 'grade' else 'unit' end as level,
        org_id, grade_code, unit_id,
        count(distinct person_id)::int as headcount, coalesce(sum(fte), 0)::text as fte
      from in_force
      group by grouping sets ((), (org_id), (org_id, grade_code), (org_id, unit_id))`.execute(trx)

    const [orgs, grades, units] = await Promise.all([
      trx
        .selectFrom('organisations')
        .select(['id', 'code', 'name'])
        .where('id', 'in', [...orgIds])
        .execute(),
      trx
        .selectFrom('grades')
        .select(['org_id', 'code', 'name', 'rank'])
        .where('org_id', 'in', [...orgIds])
        .execute(),
      trx
        .selectFrom('org_units')
        .select(['org_id', 'id', 'code', 'name'])
        .where('org_id', 'in', [...orgIds])
        .execute(),
    ])
    const orgById = new Map(orgs.map((org) => [org.id, org]))
    const total = rows.find((row) => row.level === 'total')
    // A grade or unit code means the same across organisations only by convention, so across
    // several organisations each is summed by code (the civil service grades line up; units
    // carry the organisation's code in the name when it is not the only one).
    const single = orgIds.length === 1
    const sumBy = (
      level: 'grade' | 'unit',
      keyOf: (row: Grouped) => { code: string; name: string; order: number | string },
    ): HeadcountRow[] => {
      const merged = new Map<string, HeadcountRow & { order: number | string; people: number }>()
      for (const row of rows.filter((r) => r.level === level)) {
        const key = keyOf(row)
        const existing = merged.get(key.code)
        if (existing) {
          existing.headcount += row.headcount
          existing.fte = addDecimal(existing.fte, row.fte)
        } else merged.set(key.code, { ...key, headcount: row.headcount, fte: row.fte, people: 0 })
      }
      return [...merged.values()]
        .sort((a, b) =>
          typeof a.order === 'number' && typeof b.order === 'number'
            ? a.order - b.order || a.code.localeCompare(b.code)
            : String(a.order).localeCompare(String(b.order)),
        )
        .map(({ code, name, headcount, fte }) => ({ code, name, headcount, fte: decimalText(fte) }))
    }
    const gradeOf = new Map(grades.map((grade) => [`${grade.org_id}:${grade.code}`, grade]))
    const unitOf = new Map(units.map((unit) => [`${unit.org_id}:${unit.id}`, unit]))
    return {
      asAt,
      total: { headcount: total?.headcount ?? 0, fte: decimalText(total?.fte ?? '0') },
      byOrganisation: rows
        .filter((row) => row.level === 'organisation')
        .map((row) => {
          const org = orgById.get(row.org_id!)
          return {
            code: org?.code ?? row.org_id!,
            name: org?.name ?? row.org_id!,
            headcount: row.headcount,
            fte: decimalText(row.fte),
          }
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
      byGrade: sumBy('grade', (row) => {
        const grade = gradeOf.get(`${row.org_id}:${row.grade_code}`)
        return { code: row.grade_code!, name: grade?.name ?? row.grade_code!, order: grade?.rank ?? 99 }
      }),
      byUnit: sumBy('unit', (row) => {
        const unit = unitOf.get(`${row.org_id}:${row.unit_id}`)
        const org = orgById.get(row.org_id!)
        const code = single ? (unit?.code ?? row.unit_id!) : `${org?.code}/${unit?.code ?? row.unit_id}`
        const name = single ? (unit?.name ?? code) : `${unit?.name ?? code} (${org?.name ?? ''})`
        return { code, name, order: name }
      }),
    }
  }
}

/** Adds two non-negative decimal strings exactly (FTE sums). */
export function addDecimal(a: string, b: string): string {
  const [ai = '0', af = ''] = a.split('.')
  const [bi = '0', bf = ''] = b.split('.')
  const places = Math.max(af.length, bf.length)
  const scaled = (i: string, f: string) => BigInt(i + f.padEnd(places, '0'))
  const sum = (scaled(ai, af) + scaled(bi, bf)).toString().padStart(places + 1, '0')
  return places === 0 ? sum : `${sum.slice(0, -places)}.${sum.slice(-places)}`
}
