// UK VAT registration numbers, checked by HMRC's published check-digit rules. A pass means the
// number could have been issued; only HMRC's "check a UK VAT number" service says it is live.
//
// Forms: 9 digits (standard), 12 digits (9 + a 3-digit branch identifier), GD + 3 digits 000-499
// (government departments), HA + 3 digits 500-999 (health authorities). Prefix GB, or XI for
// Northern Ireland traders under the Windsor Framework; a number with no prefix is read as GB.
//
// Check digits (the last two of the 9): weigh the first seven digits by 8, 7, 6, 5, 4, 3, 2 and
// add the check digits as a two-digit number. "Modulus 97" numbers make that total a multiple of
// 97; "modulus 9755" numbers (issued since 2010) make it a multiple of 97 once 55 is added.

export type VatNumberKind = 'standard' | 'branch' | 'government-department' | 'health-authority'

export type VatNumberCheck =
  | {
      readonly ok: true
      readonly prefix: 'GB' | 'XI'
      readonly kind: VatNumberKind
      /** The 9 digits, or GD/HA + 3 digits. */
      readonly number: string
      readonly branch: string | null
      readonly checkDigitRule: 'modulus-97' | 'modulus-9755' | null
      /** Canonical form, e.g. "GB123456789", "GB123456789001", "GBGD001", "XI123456789". */
      readonly formatted: string
    }
  | { readonly ok: false; readonly reason: string }

const WEIGHTS = [8, 7, 6, 5, 4, 3, 2]

/** Which check-digit rule a 9-digit number satisfies, if any. */
export function vatCheckDigitRule(nineDigits: string): 'modulus-97' | 'modulus-9755' | null {
  if (!/^\d{9}$/.test(nineDigits)) return null
  let total = Number(nineDigits.slice(7))
  for (const [index, weight] of WEIGHTS.entries()) total += Number(nineDigits[index]) * weight
  if (total % 97 === 0) return 'modulus-97'
  if ((total + 55) % 97 === 0) return 'modulus-9755'
  return null
}

export function validateUkVatNumber(input: string): VatNumberCheck {
  const cleaned = input.replace(/[\s.-]/g, '').toUpperCase()
  const prefixMatch = /^(GB|XI)?(.*)$/.exec(cleaned)!
  const prefix = (prefixMatch[1] ?? 'GB') as 'GB' | 'XI'
  const body = prefixMatch[2]!
  const special = /^(GD|HA)(\d{3})$/.exec(body)
  if (special) {
    const [, kindCode, digits] = special as unknown as [string, 'GD' | 'HA', string]
    const value = Number(digits)
    if (kindCode === 'GD' && value >= 500) {
      return { ok: false, reason: `GD numbers run from GD000 to GD499; ${body} is not one` }
    }
    if (kindCode === 'HA' && value < 500) {
      return { ok: false, reason: `HA numbers run from HA500 to HA999; ${body} is not one` }
    }
    return {
      ok: true,
      prefix,
      kind: kindCode === 'GD' ? 'government-department' : 'health-authority',
      number: body,
      branch: null,
      checkDigitRule: null,
      formatted: `${prefix}${body}`,
    }
  }
  if (!/^\d{9}(\d{3})?$/.test(body)) {
    return {
      ok: false,
      reason: `"${input}" is not a UK VAT number: expected 9 or 12 digits (or GD/HA and 3 digits), optionally after GB or XI`,
    }
  }
  const number = body.slice(0, 9)
  if (/^0+$/.test(number)) return { ok: false, reason: 'A VAT number cannot be all zeros' }
  const checkDigitRule = vatCheckDigitRule(number)
  if (checkDigitRule === null) {
    return { ok: false, reason: `The check digits of ${number} are wrong: a digit is probably mistyped` }
  }
  const branch = body.length === 12 ? body.slice(9) : null
  return {
    ok: true,
    prefix,
    kind: branch === null ? 'standard' : 'branch',
    number,
    branch,
    checkDigitRule,
    formatted: `${prefix}${body}`,
  }
}
