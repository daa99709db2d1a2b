// Calendar arithmetic on ISO dates (YYYY-MM-DD), in UTC so no time zone or daylight saving shifts
// a day. Pure functions.

const DAY_MS = 86_400_000

export function toUtc(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)))
}

export function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

export function addDays(date: string, days: number): string {
  return fromUtc(toUtc(date) + days * DAY_MS)
}

/** Days from a to b (b - a); 0 when equal. */
export function daysBetween(a: string, b: string): number {
  return Math.round((toUtc(b) - toUtc(a)) / DAY_MS)
}

/** ISO weekday: 1 Monday .. 7 Sunday. */
export function isoWeekday(date: string): number {
  const day = new Date(toUtc(date)).getUTCDay()
  return day === 0 ? 7 : day
}

export function maxDate(a: string, b: string): string {
  return a > b ? a : b
}

export function minDate(a: string, b: string): string {
  return a < b ? a : b
}

/** Complete years from `from` to `to` (an anniversary on 29 February counts on 28 February). */
export function completeYears(from: string, to: string): number {
  if (to < from) return 0
  let years = Number(to.slice(0, 4)) - Number(from.slice(0, 4))
  if (to.slice(5) < from.slice(5) && !(from.slice(5) === '02-29' && to.slice(5) === '02-28')) years -= 1
  return Math.max(0, years)
}

export function todayIso(): string {
  return new Date().toISOString().slice(0, 10)
}
