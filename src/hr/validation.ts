// The field rules of HR records, in one place, so the journeys, the API and the CSV import give
// the same message for the same mistake. Each check returns the clean value or a message that
// names the rule broken; callers attach the field (a JSON pointer or a CSV column).
import { STANDARD_GRADES, type StandardGrade } from './tables.ts'

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string }

const ok = <T>(value: T): Checked<T> => ({ ok: true, value })
const fail = <T>(message: string): Checked<T> => ({ ok: false, message })

// HMRC's National Insurance number format (National Insurance Manual NIM39110): prefix letters
// D, F, I, Q, U and V are never used, O is never the second letter, and the prefixes BG, GB, KN,
// NK, NT, TN and ZZ are not allocated; then six digits and a suffix A, B, C or D.
const NI_FIRST = /^[A-CEGHJ-PR-TW-Z]$/
const NI_SECOND = /^[A-CEGHJ-NPR-TW-Z]$/
const NI_UNALLOCATED = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'])

/** A National Insurance number, upper-cased with spaces removed ("QQ 12 34 56 C" → "QQ123456C"). */
export function checkNiNumber(input: string): Checked<string> {
  const value = input.replace(/\s+/g, '').toUpperCase()
  if (!/^[A-Z]{2}[0-9]{6}[A-Z]$/.test(value))
    return fail(
      'Enter a National Insurance number in the format QQ 12 34 56 C: 2 letters, 6 numbers, then A, B, C or D',
    )
  const prefix = value.slice(0, 2)
  if (!NI_FIRST.test(value[0]!)) return fail(`National Insurance numbers never start with ${value[0]}`)
  if (!NI_SECOND.test(value[1]!))
    return fail(`The second letter of a National Insurance number cannot be ${value[1]}`)
  if (NI_UNALLOCATED.has(prefix))
    return fail(`${prefix} is not a National Insurance number prefix HMRC allocates`)
  if (!/[A-D]$/.test(value))
    return fail('The last letter of a National Insurance number must be A, B, C or D')
  return ok(value)
}

/** A calendar date as YYYY-MM-DD that really exists (no 31 April). */
export function checkDate(input: string): Checked<string> {
  const value = input.trim()
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!match) return fail('Enter a date in the format YYYY-MM-DD, for example 2026-04-01')
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return fail(`${value} is not a real date`)
  return ok(value)
}

/** A date of birth: a real date, in the past, and making the person at least 16 on `asAt`. */
export function checkDateOfBirth(input: string, asAt: string): Checked<string> {
  const date = checkDate(input)
  if (!date.ok) return date
  if (date.value >= asAt) return fail('Date of birth must be in the past')
  if (date.value < '1900-01-01') return fail('Date of birth must be after 1900-01-01')
  const sixteenth = `${Number(date.value.slice(0, 4)) + 16}${date.value.slice(4)}`
  if (sixteenth > asAt) return fail('The person must be at least 16 years old to be employed')
  return ok(date.value)
}

/** One of the civil service grades (AA, AO, EO, HEO, SEO, G7, G6, SCS1-SCS4). */
export function checkStandardGrade(input: string): Checked<StandardGrade> {
  const value = input.trim().toUpperCase()
  if ((STANDARD_GRADES as readonly string[]).includes(value)) return ok(value as StandardGrade)
  return fail(`Grade must be one of ${STANDARD_GRADES.join(', ')}`)
}

/** Full-time equivalent: a decimal above 0 and at most 1, to 4 places ("0.6", "1"). */
export function checkFte(input: string): Checked<string> {
  const value = input.trim()
  if (!/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/.test(value) || Number(value) === 0)
    return fail('Full-time equivalent must be a number above 0 and at most 1, with up to 4 decimal places')
  return ok(value)
}

/** A UK postcode, normalised to upper case with one space before the inward code. */
export function checkPostcode(input: string): Checked<string> {
  const compact = input.replace(/\s+/g, '').toUpperCase()
  if (!/^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/.test(compact))
    return fail('Enter a real postcode, for example SW1A 2AS')
  return ok(`${compact.slice(0, -3)} ${compact.slice(-3)}`)
}
