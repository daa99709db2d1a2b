// Annual leave entitlement. The rule (an organisation policy setting, leave_policies):
//   full-time days = grade's annual_leave_days
//                  + min(service_days_max, service_days_per_year x complete years of continuous
//                    service at the start of the leave year)
//   entitlement    = sum over each version of the employment terms in force during the leave year
//                    (and within the employment) of full-time days x FTE x days covered / days in
//                    the leave year, rounded UP to the next half day (never to the employee's loss).
// So part-time staff get FTE (contracted hours over full-time hours) of the full-time days and
// joiners and leavers get the share of the year they are employed. Arithmetic is exact (integers
// in hundredths of a day and ten-thousandths of FTE); no binary floats.
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { NotFoundError } from '../../platform/errors.ts'
import { addDays, completeYears, daysBetween, maxDate, minDate } from './dates.ts'
import type { BankHolidayDivision } from './tables.ts'

export interface LeavePolicy {
  leaveYearStartMonth: number
  leaveYearStartDay: number
  serviceDaysPerYear: string
  serviceDaysMax: string
  carryOverDaysMax: string
  bankHolidayDivision: BankHolidayDivision
}

export const DEFAULT_LEAVE_POLICY: LeavePolicy = {
  leaveYearStartMonth: 4,
  leaveYearStartDay: 1,
  serviceDaysPerYear: '1.00',
  serviceDaysMax: '5.00',
  carryOverDaysMax: '5.00',
  bankHolidayDivision: 'england-and-wales',
}

export async function leavePolicy(trx: Tx, orgId: string): Promise<LeavePolicy> {
  const row = await trx
    .selectFrom('leave_policies')
    .selectAll()
    .where('org_id', '=', orgId)
    .executeTakeFirst()
  if (!row) return DEFAULT_LEAVE_POLICY
  return {
    leaveYearStartMonth: row.leave_year_start_month,
    leaveYearStartDay: row.leave_year_start_day,
    serviceDaysPerYear: row.service_days_per_year,
    serviceDaysMax: row.service_days_max,
    carryOverDaysMax: row.carry_over_days_max,
    bankHolidayDivision: row.bank_holiday_division,
  }
}

/** The leave year containing `date`: its first and last days (inclusive). */
export function leaveYearOf(date: string, policy: LeavePolicy): { start: string; end: string } {
  const mmdd = `${String(policy.leaveYearStartMonth).padStart(2, '0')}-${String(policy.leaveYearStartDay).padStart(2, '0')}`
  const year = Number(date.slice(0, 4))
  const startYear = date.slice(5) >= mmdd ? year : year - 1
  const start = `${startYear}-${mmdd}`
  const end = addDays(`${startYear + 1}-${mmdd}`, -1)
  return { start, end }
}

/** "12.5" or "12.50" to hundredths (1250). Accepts at most two decimals. */
export function toHundredths(value: string | number): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(String(value).trim())
  if (!match) throw new Error(`not a decimal: ${value}`)
  const fraction = (match[3] ?? '').padEnd(4, '0')
  // Round half up on the third decimal (inputs here have two; FTE-like values are not passed).
  const tenThousandths = BigInt(match[2]!) * 10_000n + BigInt(fraction)
  const hundredths = (tenThousandths + 50n) / 100n
  return match[1] === '-' ? -hundredths : hundredths
}

/** Hundredths back to a decimal string with two places ("27.50"). */
export function fromHundredths(value: bigint): string {
  const negative = value < 0n
  const abs = negative ? -value : value
  return `${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`
}

/** FTE "0.6000" to ten-thousandths (6000). */
function fteUnits(fte: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,4}))?$/.exec(fte)
  if (!match) throw new Error(`not an FTE: ${fte}`)
  return BigInt(match[1]!) * 10_000n + BigInt((match[2] ?? '').padEnd(4, '0'))
}

export interface EntitlementSegment {
  from: string
  to: string
  gradeCode: string
  fte: string
  fullTimeDays: string
}

export interface Entitlement {
  leaveYearStart: string
  leaveYearEnd: string
  /** Full-time days for the grade plus service days, before pro-rating (of the first segment). */
  serviceDays: string
  /** Pro-rated and rounded up to a half day; adjustments not included. */
  days: string
  segments: EntitlementSegment[]
}

/** Pure: the pro-rated entitlement from the leave year, the service days and the terms segments. */
export function proRate(
  year: { start: string; end: string },
  segments: Array<{ from: string; to: string; fullTimeDaysHundredths: bigint; fte: string }>,
): bigint {
  const yearDays = BigInt(daysBetween(year.start, year.end) + 1)
  let numerator = 0n
  for (const segment of segments) {
    const from = maxDate(segment.from, year.start)
    const to = minDate(segment.to, year.end)
    if (to < from) continue
    numerator += segment.fullTimeDaysHundredths * fteUnits(segment.fte) * BigInt(daysBetween(from, to) + 1)
  }
  const denominator = yearDays * 10_000n
  // Round up to the next half day (50 hundredths).
  const halfDays = (numerator + denominator * 50n - 1n) / (denominator * 50n)
  return halfDays * 50n
}

/** Service days for complete years of continuous service at `asAt`, under the policy's cap. */
export function serviceDays(continuousServiceDate: string, asAt: string, policy: LeavePolicy): bigint {
  const years = BigInt(completeYears(continuousServiceDate, asAt))
  const perYear = toHundredths(policy.serviceDaysPerYear)
  const max = toHundredths(policy.serviceDaysMax)
  const days = perYear * years
  return days > max ? max : days
}

/** The annual leave entitlement of one employment for the leave year containing `date`. */
export async function annualEntitlement(
  trx: Tx,
  orgId: string,
  employmentId: string,
  date: string,
  policy?: LeavePolicy,
): Promise<Entitlement> {
  const chosen = policy ?? (await leavePolicy(trx, orgId))
  const year = leaveYearOf(date, chosen)
  const employment = await trx
    .selectFrom('employments')
    .select(['start_date', 'end_date', 'continuous_service_date'])
    .where('org_id', '=', orgId)
    .where('id', '=', employmentId)
    .executeTakeFirst()
  if (!employment) throw new NotFoundError('There is no such employment')
  const { rows } = await sql<{
    valid_from: string
    valid_to: string | null
    grade_code: string
    fte: string
    annual_leave_days: string
  }>`
    select t.valid_from, t.valid_to, t.grade_code, t.fte::text as fte, g.annual_leave_days::text as annual_leave_days
    from employment_terms t
    join grades g on g.org_id = t.org_id and g.code = t.grade_code
    where t.org_id = ${orgId} and t.employment_id = ${employmentId}
      and t.valid_from <= ${year.end} and (t.valid_to is null or t.valid_to > ${year.start})
    order by t.valid_from`.execute(trx)
  const employedFrom = maxDate(employment.start_date, year.start)
  const employedTo = employment.end_date ? minDate(employment.end_date, year.end) : year.end
  const service = serviceDays(
    employment.continuous_service_date,
    maxDate(year.start, employment.start_date),
    chosen,
  )
  const segments = rows
    .map((row) => ({
      from: maxDate(row.valid_from, employedFrom),
      to: minDate(row.valid_to ? addDays(row.valid_to, -1) : year.end, employedTo),
      gradeCode: row.grade_code,
      fte: row.fte,
      fullTimeDaysHundredths: toHundredths(row.annual_leave_days) + service,
    }))
    .filter((segment) => segment.from <= segment.to)
  const days = proRate(year, segments)
  return {
    leaveYearStart: year.start,
    leaveYearEnd: year.end,
    serviceDays: fromHundredths(service),
    days: fromHundredths(days),
    segments: segments.map((segment) => ({
      from: segment.from,
      to: segment.to,
      gradeCode: segment.gradeCode,
      fte: segment.fte,
      fullTimeDays: fromHundredths(segment.fullTimeDaysHundredths),
    })),
  }
}
