// Bank holidays, held as dated data in code (like payroll's rates): reviewed and extended each year
// from GOV.UK's published list (https://www.gov.uk/bank-holidays). Only England and Wales is held so
// far; counting working days in a year that is not held is refused rather than guessed.
import { BusinessRuleError } from '../../platform/errors.ts'
import { addDays, isoWeekday } from './dates.ts'
import type { BankHolidayDivision } from './tables.ts'

export const BANK_HOLIDAYS: Readonly<Record<BankHolidayDivision, Readonly<Record<string, string>>>> = {
  'england-and-wales': {
    '2025-01-01': 'New Year’s Day',
    '2025-04-18': 'Good Friday',
    '2025-04-21': 'Easter Monday',
    '2025-05-05': 'Early May bank holiday',
    '2025-05-26': 'Spring bank holiday',
    '2025-08-25': 'Summer bank holiday',
    '2025-12-25': 'Christmas Day',
    '2025-12-26': 'Boxing Day',
    '2026-01-01': 'New Year’s Day',
    '2026-04-03': 'Good Friday',
    '2026-04-06': 'Easter Monday',
    '2026-05-04': 'Early May bank holiday',
    '2026-05-25': 'Spring bank holiday',
    '2026-08-31': 'Summer bank holiday',
    '2026-12-25': 'Christmas Day',
    '2026-12-28': 'Boxing Day (substitute day)',
    '2027-01-01': 'New Year’s Day',
    '2027-03-26': 'Good Friday',
    '2027-03-29': 'Easter Monday',
    '2027-05-03': 'Early May bank holiday',
    '2027-05-31': 'Spring bank holiday',
    '2027-08-30': 'Summer bank holiday',
    '2027-12-27': 'Christmas Day (substitute day)',
    '2027-12-28': 'Boxing Day (substitute day)',
  },
  scotland: {},
  'northern-ireland': {},
}

/** The calendar years whose bank holidays are held, per division. */
export const BANK_HOLIDAY_YEARS: Readonly<Record<BankHolidayDivision, readonly number[]>> = {
  'england-and-wales': [2025, 2026, 2027],
  scotland: [],
  'northern-ireland': [],
}

/** The most days one count may span: bounds the loop. */
const MAX_SPAN_DAYS = 800

export function isBankHoliday(date: string, division: BankHolidayDivision = 'england-and-wales'): boolean {
  return date in BANK_HOLIDAYS[division]
}

/**
 * Working days (Monday to Friday, not bank holidays) from start to end inclusive. Throws a
 * BusinessRuleError naming the year when the range reaches a year whose bank holidays are not held.
 */
export function workingDays(
  start: string,
  end: string,
  division: BankHolidayDivision = 'england-and-wales',
): number {
  if (end < start) return 0
  const held = BANK_HOLIDAY_YEARS[division]
  for (let year = Number(start.slice(0, 4)); year <= Number(end.slice(0, 4)); year++) {
    if (!held.includes(year)) {
      throw new BusinessRuleError(
        `Bank holidays for ${year} in ${division.replaceAll('-', ' ')} are not held yet, so working days cannot be counted`,
        [{ field: '/startDate', message: `Bank holidays for ${year} are not held yet` }],
      )
    }
  }
  let count = 0
  let day = start
  for (let i = 0; day <= end && i < MAX_SPAN_DAYS; i++, day = addDays(day, 1)) {
    if (isoWeekday(day) <= 5 && !isBankHoliday(day, division)) count++
  }
  if (day <= end) throw new BusinessRuleError(`A period of absence may span at most ${MAX_SPAN_DAYS} days`)
  return count
}
