// Quarters of the fiscal year (April to March). A quarter is named by the fiscal year it starts
// in: '2026-Q1' is April to June 2026, '2026-Q4' is January to March 2027. A return is due 30 days
// after its quarter ends.
import { fiscalYearLabel } from '../finance/chart.ts'

export const QUARTER_PATTERN = /^([0-9]{4})-Q([1-4])$/
export const RETURN_DUE_DAYS = 30

export interface Quarter {
  code: string
  fiscalYear: number
  quarter: 1 | 2 | 3 | 4
  /** First and last day, ISO dates. */
  startsOn: string
  endsOn: string
  dueOn: string
  /** For people: 'April to June 2026 (2026-27 Q1)'. */
  label: string
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const

const iso = (date: Date) => date.toISOString().slice(0, 10)

export function isQuarterCode(value: string): boolean {
  return QUARTER_PATTERN.test(value)
}

/** Throws on anything but 'YYYY-Qn': callers validate user input with isQuarterCode first. */
export function quarter(code: string): Quarter {
  const match = QUARTER_PATTERN.exec(code)
  if (!match) throw new Error(`"${code}" is not a quarter (for example 2026-Q1)`)
  const fiscalYear = Number(match[1])
  const q = Number(match[2]) as 1 | 2 | 3 | 4
  // Month index (0-11) of the quarter's first month: April, July, October, January.
  const firstMonth = (3 + (q - 1) * 3) % 12
  const year = q === 4 ? fiscalYear + 1 : fiscalYear
  const start = new Date(Date.UTC(year, firstMonth, 1))
  const end = new Date(Date.UTC(year, firstMonth + 3, 0))
  const due = new Date(end.getTime() + RETURN_DUE_DAYS * 86_400_000)
  const fy = fiscalYearLabel(fiscalYear)
  return {
    code,
    fiscalYear,
    quarter: q,
    startsOn: iso(start),
    endsOn: iso(end),
    dueOn: iso(due),
    label: `${MONTHS[firstMonth]} to ${MONTHS[(firstMonth + 2) % 12]} ${year} (${fy} Q${q})`,
  }
}

/** The quarter a date (ISO) falls in. */
export function quarterOf(isoDate: string): Quarter {
  const [y, m] = isoDate.split('-').map(Number) as [number, number]
  const fiscalYear = m >= 4 ? y : y - 1
  const q = m >= 4 ? Math.floor((m - 4) / 3) + 1 : 4
  return quarter(`${fiscalYear}-Q${q}`)
}

export function previousQuarter(code: string): Quarter {
  const { fiscalYear, quarter: q } = quarter(code)
  return quarter(q === 1 ? `${fiscalYear - 1}-Q4` : `${fiscalYear}-Q${q - 1}`)
}

/** The last `count` quarters ending with `code`, oldest first. */
export function quartersEnding(code: string, count: number): Quarter[] {
  const list = [quarter(code)]
  while (list.length < count) list.unshift(previousQuarter(list[0]!.code))
  return list
}

/** The last quarter that has ended (its return is due or overdue): 2026-11-23 gives 2026-Q2. */
export function lastCompleteQuarter(today = new Date()): string {
  return previousQuarter(quarterOf(today.toISOString().slice(0, 10)).code).code
}

/** The fiscal year (April to March) today falls in, named by its starting year. */
export function currentFiscalYear(today = new Date()): number {
  return quarterOf(today.toISOString().slice(0, 10)).fiscalYear
}
