// Calendar-date arithmetic on ISO strings (YYYY-MM-DD), in UTC so no time zone shifts a day.

/** Today's date in the UK (where GSS's organisations are), as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now)
}

const toUtc = (iso: string) =>
  Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)))
const DAY_MS = 86_400_000

export function addDays(iso: string, days: number): string {
  return new Date(toUtc(iso) + days * DAY_MS).toISOString().slice(0, 10)
}

/** Days from `from` to `to` (to - from); inclusive counts add one. */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS)
}

/** The start of the leave year (1 April) that contains `date`. */
export function leaveYearStart(date: string): string {
  const year = Number(date.slice(0, 4))
  return date.slice(5) >= '04-01' ? `${year}-04-01` : `${year - 1}-04-01`
}

/** "2026-04-01" → "1 April 2026", for pages. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return ''
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(toUtc(iso)))
}
