// Statutory sick pay and statutory family pay for one pay period, from HR's absence records
// (src/hr/migrations/0210_hr_absence.sql: sickness_absences, family_leaves) and the employee's
// earlier payslips (average weekly earnings). Pure: the pay run loads the rows in bulk and calls
// statutoryPayFor per employment that has any absence touching the period. Rates and the year's
// rules are data (pay-rates.ts, rates/); see docs/decisions/0300-pay-runs.md.
//
// SSP
//  - Sickness rows that touch or overlap merge into spells; a spell of 4+ calendar days is a period
//    of incapacity for work (PIW); PIWs with 8 weeks (56 days) or less between them link into one
//    series. A spell still open counts up to the period end.
//  - Qualifying days are the ISO weekdays HR records for the spell. The first `waitingDays` of
//    them in a series are unpaid (3 until 2025-26, none from 6 April 2026); at most 28 weeks are
//    paid in a series (counted as 1/n of a week per day for n qualifying days a week).
//  - Eligibility: average weekly earnings over the 8 weeks before the series starts at least the
//    lower earnings limit, where the year's rules say so. Each paid day is paid at the rate of the
//    tax year it falls in (weekly rate / qualifying days, or 80% of AWE when the year caps it),
//    the period's days of one rate rounded up to the penny as HMRC's daily tables are.
// Family pay (SMP, SAP: 90% of AWE for 6 weeks, then the lesser of the flat rate and 90%; SPP,
// ShPP, SPBP: the lesser throughout)
//  - Due only with evidence received, statutory_pay_weeks > 0, 26 weeks' employment by the
//    qualifying week (15th week before the expected week of childbirth; the matching week for
//    adoption; the week before the leave for bereavement) and AWE at least the LEL of that year.
//  - Pay weeks run from the leave's first day; a week split across pay periods is shared by days
//    so that the periods add up exactly to the weekly figure.
import { dayNumber, isoFromDayNumber, taxYearOf } from './pay.ts'
import { getPayYearRates, type PayYearRates } from './pay-rates.ts'
import { getTaxYearRates } from './rates/index.ts'

export interface SicknessRecord {
  startDate: string
  /** Inclusive; null while still off sick. */
  endDate: string | null
  /** ISO weekdays, 1 Monday .. 7 Sunday. */
  qualifyingDays: readonly number[]
}

export type FamilyLeaveType =
  | 'maternity'
  | 'paternity'
  | 'adoption'
  | 'shared-parental'
  | 'parental-bereavement'

export interface FamilyLeaveRecord {
  leaveType: FamilyLeaveType
  /** Sunday starting the expected week of childbirth. */
  expectedWeekStart: string | null
  matchedOn: string | null
  startDate: string
  endDate: string
  statutoryPayWeeks: number
  evidenceReceivedOn: string | null
}

/** An earlier payslip, for average weekly earnings: pay day and earnings for NI. */
export interface EarningsRecord {
  payDate: string
  frequency: 'weekly' | 'fortnightly' | 'four-weekly' | 'monthly'
  niablePence: number
}

export interface StatutoryPayContext {
  periodStart: string
  periodEnd: string
  employmentStart: string
  employmentEnd: string | null
  /** Used for AWE only when no earlier payslip falls in the relevant period. */
  annualSalaryPence: number
  /** FTE in ten-thousandths. */
  fte: number
  sickness: readonly SicknessRecord[]
  familyLeaves: readonly FamilyLeaveRecord[]
  earnings: readonly EarningsRecord[]
}

export interface StatutoryLine {
  kind: 'ssp' | 'smp' | 'spp' | 'sap' | 'shpp' | 'spbp'
  description: string
  amountPence: number
}

const KIND: Record<FamilyLeaveType, StatutoryLine['kind']> = {
  maternity: 'smp',
  paternity: 'spp',
  adoption: 'sap',
  'shared-parental': 'shpp',
  'parental-bereavement': 'spbp',
}
const NAME: Record<StatutoryLine['kind'], string> = {
  ssp: 'Statutory sick pay',
  smp: 'Statutory maternity pay',
  spp: 'Statutory paternity pay',
  sap: 'Statutory adoption pay',
  shpp: 'Statutory shared parental pay',
  spbp: 'Statutory parental bereavement pay',
}
const LINK_DAYS = 56
const WEEK_UNITS = 420 // divisible by 1..7: one qualifying day is 420 / n of a week
const money = (pence: number) => `£${(pence / 100).toFixed(2)}`

/** ISO weekday (1 Monday .. 7 Sunday) of a day number. */
function isoWeekday(day: number): number {
  const weekday = new Date(day * 86_400_000).getUTCDay()
  return weekday === 0 ? 7 : weekday
}

function payRatesOn(day: number): PayYearRates | undefined {
  return getPayYearRates(taxYearOf(isoFromDayNumber(day)))
}

/**
 * Family pay rates change for pay weeks beginning on or after the first Sunday in April: the rates
 * of the tax year starting that April apply from then.
 */
function familyRatesForWeek(weekStart: number): PayYearRates | undefined {
  const year = Number(isoFromDayNumber(weekStart).slice(0, 4))
  const april1 = dayNumber(`${year}-04-01`)
  const firstSunday = april1 + ((7 - isoWeekday(april1)) % 7)
  const startYear = weekStart >= firstSunday ? year : year - 1
  return getPayYearRates(`${startYear}-${String((startYear + 1) % 100).padStart(2, '0')}`)
}

/** Weekly lower earnings limit (pence) of the tax year a day is in. */
function lowerEarningsLimitOn(day: number): number | undefined {
  const rates = getTaxYearRates(taxYearOf(isoFromDayNumber(day)))
  const weekly = rates?.nationalInsurance.segments[0]?.thresholds.LEL.weeklyPounds
  return weekly === undefined ? undefined : weekly * 100
}

/**
 * Average weekly earnings (pence, unrounded) over the relevant period: earnings paid after the last
 * normal pay day at least 8 weeks before the last pay day on or before `endDay`, up to and including
 * that pay day. Monthly pay: total x 12 / 52 / months. With no payslip in the period (a new
 * employee, or history from before GSS), contractual pay: annual salary x FTE / 52.
 */
export function averageWeeklyEarnings(
  earnings: readonly EarningsRecord[],
  endDay: number,
  fallback: { annualSalaryPence: number; fte: number },
): { awePence: number; fromPayslips: boolean } {
  const paid = earnings
    .filter((e) => dayNumber(e.payDate) <= endDay)
    .sort((a, b) => (a.payDate < b.payDate ? -1 : 1))
  const last = paid[paid.length - 1]
  if (last) {
    const lastDay = dayNumber(last.payDate)
    const earlier = [...paid].reverse().find((e) => dayNumber(e.payDate) <= lastDay - LINK_DAYS)
    const fromDay = earlier ? dayNumber(earlier.payDate) : Number.NEGATIVE_INFINITY
    const window = paid.filter((e) => dayNumber(e.payDate) > fromDay)
    const total = window.reduce((sum, e) => sum + e.niablePence, 0)
    if (last.frequency === 'monthly')
      return { awePence: (total * 12) / (52 * window.length), fromPayslips: true }
    const weeksEach = last.frequency === 'weekly' ? 1 : last.frequency === 'fortnightly' ? 2 : 4
    const weeks = earlier ? (lastDay - fromDay) / 7 : window.length * weeksEach
    return { awePence: total / weeks, fromPayslips: true }
  }
  return { awePence: (fallback.annualSalaryPence * fallback.fte) / 10_000 / 52, fromPayslips: false }
}

interface Spell {
  start: number
  end: number
  qualifyingDays: readonly number[]
}

/** Statutory sick pay lines for the period (empty when no sick day of a PIW falls in it). */
export function sspFor(ctx: StatutoryPayContext): StatutoryLine[] {
  const periodStart = dayNumber(ctx.periodStart)
  const periodEnd = dayNumber(ctx.periodEnd)
  const lastPaidDay = Math.min(periodEnd, ctx.employmentEnd ? dayNumber(ctx.employmentEnd) : periodEnd)
  const rows = ctx.sickness
    .map((s) => ({
      start: dayNumber(s.startDate),
      end: Math.min(s.endDate ? dayNumber(s.endDate) : periodEnd, periodEnd),
      qualifyingDays: s.qualifyingDays,
    }))
    .filter((s) => s.end >= s.start)
    .sort((a, b) => a.start - b.start)
  // Spells: rows that touch or overlap are one stretch of sickness.
  const spells: Spell[] = []
  for (const row of rows) {
    const previous = spells[spells.length - 1]
    if (previous && row.start <= previous.end + 1) previous.end = Math.max(previous.end, row.end)
    else spells.push({ ...row })
  }
  const piws = spells.filter((s) => s.end - s.start + 1 >= 4)
  // Linked series.
  const series: Spell[][] = []
  for (const piw of piws) {
    const current = series[series.length - 1]
    const previous = current?.[current.length - 1]
    if (current && previous && piw.start - previous.end - 1 <= LINK_DAYS) current.push(piw)
    else series.push([piw])
  }
  const lines: StatutoryLine[] = []
  for (const linked of series) {
    const first = linked[0]!
    const last = linked[linked.length - 1]!
    if (last.end < periodStart || first.start > periodEnd) continue
    const startRates = payRatesOn(first.start)
    if (!startRates) continue
    const awe = averageWeeklyEarnings(ctx.earnings, first.start - 1, ctx)
    const lel = lowerEarningsLimitOn(first.start)
    if (startRates.sspRules.lowerEarningsLimitApplies && lel !== undefined && awe.awePence < lel) {
      lines.push({
        kind: 'ssp',
        description: `SSP not due: average weekly earnings ${money(Math.floor(awe.awePence))} are below the lower earnings limit ${money(lel)} (give form SSP1)`,
        amountPence: 0,
      })
      continue
    }
    // Walk the series day by day: waiting days, then paid days up to 28 weeks.
    let waited = 0
    let units = 0
    // Paid days in this period, grouped by the weekly rate and qualifying days a week.
    const groups = new Map<string, { weeklyPence: number; perWeek: number; days: number }>()
    for (const piw of linked) {
      const perWeek = piw.qualifyingDays.length
      for (let day = piw.start; day <= piw.end; day++) {
        if (!piw.qualifyingDays.includes(isoWeekday(day))) continue
        const rates = payRatesOn(day)
        if (!rates) continue
        if (waited < rates.sspRules.waitingDays) {
          waited += 1
          continue
        }
        const share = WEEK_UNITS / perWeek
        if (units + share > 28 * WEEK_UNITS) break
        units += share
        if (day < periodStart || day > lastPaidDay) continue
        const cap = rates.sspRules.aweCapBasisPoints
        const weeklyPence =
          cap === null
            ? rates.sspWeeklyPence
            : Math.min(rates.sspWeeklyPence, Math.ceil((awe.awePence * cap) / 10_000 - 1e-9))
        const key = `${weeklyPence}/${perWeek}`
        const group = groups.get(key) ?? { weeklyPence, perWeek, days: 0 }
        group.days += 1
        groups.set(key, group)
      }
    }
    for (const group of groups.values()) {
      const amount = Math.ceil((group.weeklyPence * group.days) / group.perWeek)
      if (amount <= 0) continue
      lines.push({
        kind: 'ssp',
        description: `${NAME.ssp}: ${group.days} qualifying day${group.days === 1 ? '' : 's'} at ${money(group.weeklyPence)} a week`,
        amountPence: amount,
      })
    }
  }
  return lines
}

/** The Sunday that starts the qualifying (or matching) week, or null when the record cannot say. */
function qualifyingWeekStart(leave: FamilyLeaveRecord): number | null {
  if (leave.expectedWeekStart) return dayNumber(leave.expectedWeekStart) - 15 * 7
  if (leave.matchedOn) {
    const matched = dayNumber(leave.matchedOn)
    return matched - (isoWeekday(matched) % 7)
  }
  if (leave.leaveType === 'parental-bereavement') {
    const start = dayNumber(leave.startDate)
    return start - (isoWeekday(start) % 7) - 7
  }
  return null
}

const half = (numerator: number, denominator: number) =>
  Math.floor((2 * numerator + denominator) / (2 * denominator))

/** Statutory family pay lines for the period. */
export function familyPayFor(ctx: StatutoryPayContext): StatutoryLine[] {
  const periodStart = dayNumber(ctx.periodStart)
  const periodEnd = Math.min(
    dayNumber(ctx.periodEnd),
    ctx.employmentEnd ? dayNumber(ctx.employmentEnd) : Number.POSITIVE_INFINITY,
  )
  const lines: StatutoryLine[] = []
  for (const leave of ctx.familyLeaves) {
    const kind = KIND[leave.leaveType]
    const leaveStart = dayNumber(leave.startDate)
    const payEnd = Math.min(dayNumber(leave.endDate), leaveStart + leave.statutoryPayWeeks * 7 - 1)
    if (leave.statutoryPayWeeks <= 0 || payEnd < periodStart || leaveStart > periodEnd) continue
    const notDue = (reason: string) =>
      lines.push({ kind, description: `${NAME[kind]} not due: ${reason}`, amountPence: 0 })
    if (!leave.evidenceReceivedOn) {
      notDue('no evidence (MATB1, matching certificate or declaration) has been received')
      continue
    }
    const qwStart = qualifyingWeekStart(leave)
    if (qwStart === null) {
      notDue('the record has no expected week of childbirth or matching date')
      continue
    }
    const qwEnd = qwStart + 6
    // 26 weeks' continuous employment into the qualifying week: started by the Saturday of the
    // week 25 weeks before it.
    if (dayNumber(ctx.employmentStart) > qwStart - 25 * 7 + 6) {
      notDue(
        `employment began after ${isoFromDayNumber(qwStart - 25 * 7 + 6)}, too late for 26 weeks' service by the qualifying week`,
      )
      continue
    }
    const awe = averageWeeklyEarnings(ctx.earnings, qwEnd, ctx)
    const lel = lowerEarningsLimitOn(qwStart)
    if (lel !== undefined && awe.awePence < lel) {
      notDue(
        `average weekly earnings ${money(Math.floor(awe.awePence))} are below the lower earnings limit ${money(lel)}`,
      )
      continue
    }
    const ninety = Math.ceil((awe.awePence * 9) / 10 - 1e-9)
    let total = 0
    const weeksPaid: number[] = []
    for (let week = 1; week <= leave.statutoryPayWeeks; week++) {
      const weekStart = leaveStart + (week - 1) * 7
      const from = Math.max(weekStart, periodStart)
      const to = Math.min(weekStart + 6, payEnd, periodEnd)
      if (to < from) continue
      const rates = familyRatesForWeek(weekStart)
      if (!rates) continue
      const earningsRelated = (kind === 'smp' || kind === 'sap') && week <= 6
      const weekly = earningsRelated ? ninety : Math.min(ninety, rates.smpWeeklyPence)
      // Days into the week at each end, so split weeks add up exactly.
      total += half(weekly * (to - weekStart + 1), 7) - half(weekly * (from - weekStart), 7)
      weeksPaid.push(week)
    }
    if (weeksPaid.length === 0) continue
    const span =
      weeksPaid.length === 1
        ? `week ${weeksPaid[0]}`
        : `weeks ${weeksPaid[0]} to ${weeksPaid[weeksPaid.length - 1]}`
    lines.push({
      kind,
      description: `${NAME[kind]}, ${span} of ${leave.statutoryPayWeeks}${awe.fromPayslips ? '' : ' (average earnings from contractual pay)'}`,
      amountPence: total,
    })
  }
  return lines
}

/** Every statutory payment HR's absence records make due in the period. */
export function statutoryPayFor(ctx: StatutoryPayContext): StatutoryLine[] {
  if (ctx.sickness.length === 0 && ctx.familyLeaves.length === 0) return []
  return [...sspFor(ctx), ...familyPayFor(ctx)]
}
