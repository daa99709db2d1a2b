// IBAN (ISO 13616) and BIC (ISO 9362) checks. The structure of each country's IBAN is from the
// SWIFT IBAN Registry (release current at the time of writing); the check digits are ISO 7064
// MOD 97-10. A GB IBAN carries a sort code and account number, which are also modulus checked.

import type { UkBankAccountCheck } from './modulus.ts'
import { checkUkBankAccount } from './modulus.ts'

/**
 * BBAN structure per country in the registry's notation: n = digits, a = upper-case letters,
 * c = letters or digits, each with its count. The IBAN is 4 characters longer (country + check).
 * Covers the UK and Crown dependencies' neighbours, every EU/EEA country, and the countries the
 * Overseas cluster pays most often; a country not listed is refused, not guessed.
 */
const BBAN_FORMATS: Readonly<Record<string, string>> = {
  // UK and Gibraltar
  GB: '4a14n',
  GI: '4a15c',
  // EU
  AT: '16n',
  BE: '12n',
  BG: '4a6n8c',
  HR: '17n',
  CY: '8n16c',
  CZ: '20n',
  DK: '14n',
  EE: '16n',
  FI: '14n',
  FR: '10n11c2n',
  DE: '18n',
  GR: '7n16c',
  HU: '24n',
  IE: '4a14n',
  IT: '1a10n12c',
  LV: '4a13c',
  LT: '16n',
  LU: '3n13c',
  MT: '4a5n18c',
  NL: '4a10n',
  PL: '24n',
  PT: '21n',
  RO: '4a16c',
  SK: '20n',
  SI: '15n',
  ES: '20n',
  SE: '20n',
  // EEA, EFTA and micro-states in the SEPA area
  IS: '22n',
  LI: '5n12c',
  NO: '11n',
  CH: '5n12c',
  MC: '10n11c2n',
  SM: '1a10n12c',
  VA: '18n',
  AD: '8n12c',
  FO: '14n',
  GL: '14n',
  // Wider Europe
  AL: '8n16c',
  BA: '16n',
  BY: '4c4n16c',
  GE: '2a16n',
  MD: '20c',
  ME: '18n',
  MK: '3n10c2n',
  RS: '18n',
  TR: '6n16c',
  UA: '6n19c',
  XK: '16n',
  AZ: '4a20c',
  KZ: '3n13c',
  // Middle East and Africa
  AE: '19n',
  BH: '4a14c',
  EG: '25n',
  IL: '19n',
  IQ: '4a15n',
  JO: '4a4n18c',
  KW: '4a22c',
  LB: '4n20c',
  MR: '23n',
  MU: '4a19n3a',
  PK: '4a16c',
  PS: '4a21c',
  QA: '4a21c',
  SA: '2n18c',
  SC: '4a20n3a',
  TN: '20n',
  // Americas and elsewhere
  BR: '23n1a1c',
  CR: '18n',
  DO: '4c20n',
  GT: '4c20c',
  LC: '4a24c',
  SV: '4a20n',
  TL: '19n',
  VG: '4a16n',
}

const CLASS: Readonly<Record<string, string>> = { n: '[0-9]', a: '[A-Z]', c: '[A-Z0-9]' }

const BBAN_PATTERNS: ReadonlyMap<string, { pattern: RegExp; lengthChars: number }> = new Map(
  Object.entries(BBAN_FORMATS).map(([country, format]) => {
    let source = ''
    let bbanLength = 0
    for (const [, count, kind] of format.matchAll(/(\d+)([nac])/g)) {
      source += `${CLASS[kind!]}{${count}}`
      bbanLength += Number(count)
    }
    return [country, { pattern: new RegExp(`^${source}$`), lengthChars: bbanLength + 4 }]
  }),
)

/** IBAN length for a country, or undefined when GSS does not know the country's IBAN format. */
export function ibanLengthFor(countryCode: string): number | undefined {
  return BBAN_PATTERNS.get(countryCode)?.lengthChars
}

export const IBAN_COUNTRIES: readonly string[] = [...BBAN_PATTERNS.keys()].sort()

export type IbanCheck =
  | {
      readonly ok: true
      /** Electronic form: upper case, no spaces. */
      readonly iban: string
      readonly countryCode: string
      readonly bban: string
      /** For GB IBANs: the embedded UK details and their modulus check. */
      readonly uk?: {
        readonly bankCode: string
        readonly sortCode: string
        readonly accountNumber: string
        readonly modulus: UkBankAccountCheck
      }
    }
  | { readonly ok: false; readonly reason: string }

/** "gb29 nwbk 6016 1331 9268 19" → "GB29NWBK60161331926819" (no checking). */
export function normaliseIban(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase()
}

/** ISO 7064 MOD 97-10 remainder of an IBAN rearranged (country and check digits moved to the end). */
function mod97(rearranged: string): number {
  let remainder = 0
  for (const character of rearranged) {
    const code = character.charCodeAt(0)
    // Digits stand for themselves; letters A-Z for 10-35, so they shift the remainder by 100.
    if (code >= 48 && code <= 57) remainder = (remainder * 10 + (code - 48)) % 97
    else remainder = (remainder * 100 + (code - 55)) % 97
  }
  return remainder
}

/** The two check digits for a country and BBAN. */
export function ibanCheckDigits(countryCode: string, bban: string): string {
  const remainder = mod97(`${bban}${countryCode}00`)
  return String(98 - remainder).padStart(2, '0')
}

export function validateIban(input: string): IbanCheck {
  const iban = normaliseIban(input)
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(iban)) {
    return {
      ok: false,
      reason: `"${input}" is not an IBAN: it must be 2 letters, 2 digits, then letters and digits`,
    }
  }
  const countryCode = iban.slice(0, 2)
  const format = BBAN_PATTERNS.get(countryCode)
  if (!format) return { ok: false, reason: `GSS does not know the IBAN format for country ${countryCode}` }
  if (iban.length !== format.lengthChars) {
    return {
      ok: false,
      reason: `A ${countryCode} IBAN has ${format.lengthChars} characters; this one has ${iban.length}`,
    }
  }
  const bban = iban.slice(4)
  if (!format.pattern.test(bban)) {
    return {
      ok: false,
      reason: `The account part of this ${countryCode} IBAN is not in the ${countryCode} format`,
    }
  }
  if (mod97(bban + iban.slice(0, 4)) !== 1) {
    return { ok: false, reason: 'The IBAN check digits are wrong: a character is probably mistyped' }
  }
  if (countryCode !== 'GB') return { ok: true, iban, countryCode, bban }
  const uk = { bankCode: bban.slice(0, 4), sortCode: bban.slice(4, 10), accountNumber: bban.slice(10) }
  const modulus = checkUkBankAccount(uk.sortCode, uk.accountNumber)
  if (!modulus.ok) {
    return {
      ok: false,
      reason: `The IBAN check digits are right, but its sort code ${uk.sortCode} and account number ${uk.accountNumber} fail UK modulus checking: ${modulus.reason}`,
    }
  }
  return { ok: true, iban, countryCode, bban, uk: { ...uk, modulus } }
}

/** Builds a GB IBAN from the bank code (first 4 letters of the bank's BIC), sort code and account. */
export function buildGbIban(bankCode: string, sortCode: string, accountNumber: string): string {
  const bban = `${bankCode.toUpperCase()}${sortCode}${accountNumber}`
  if (!/^[A-Z]{4}\d{14}$/.test(bban))
    throw new RangeError('A GB IBAN needs a 4-letter bank code, 6 + 8 digits')
  return `GB${ibanCheckDigits('GB', bban)}${bban}`
}

/** Groups of four for people to read: "GB29 NWBK 6016 1331 9268 19". */
export function formatIbanForPeople(iban: string): string {
  return iban.replace(/(.{4})(?=.)/g, '$1 ')
}

// ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which SWIFT uses in BICs and IBANs.
const COUNTRY_CODES: ReadonlySet<string> = new Set(
  `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
  BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
  ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
  IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
  MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
  NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
  SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
  VG VI VN VU WF WS YE YT ZA ZM ZW XK`.split(/\s+/),
)

export function isCountryCode(code: string): boolean {
  return COUNTRY_CODES.has(code)
}

export type BicCheck =
  | {
      readonly ok: true
      readonly bic: string
      readonly institutionCode: string
      readonly countryCode: string
      readonly locationCode: string
      readonly branchCode: string | null
      /** A location code ending in 0 marks a test and training BIC, never a live bank. */
      readonly isTestBic: boolean
    }
  | { readonly ok: false; readonly reason: string }

/** ISO 9362 BIC: 4 institution, 2 country, 2 location and optionally 3 branch characters. */
export function validateBic(input: string): BicCheck {
  const bic = input.replace(/\s/g, '').toUpperCase()
  const match = /^([A-Z0-9]{4})([A-Z]{2})([A-Z0-9]{2})([A-Z0-9]{3})?$/.exec(bic)
  if (!match) {
    return {
      ok: false,
      reason: `"${input}" is not a BIC: it must be 8 or 11 letters and digits, like NWBKGB2L`,
    }
  }
  const [, institutionCode, countryCode, locationCode, branchCode] = match as unknown as [
    string,
    string,
    string,
    string,
    string | undefined,
  ]
  if (!isCountryCode(countryCode))
    return { ok: false, reason: `${countryCode} in "${bic}" is not a country code` }
  // ISO 9362 never issues location codes starting 0 or 1, nor with O as the second character.
  if (!/^[A-Z2-9][A-NP-Z0-9]$/.test(locationCode)) {
    return { ok: false, reason: `The location code ${locationCode} in "${bic}" cannot be issued` }
  }
  return {
    ok: true,
    bic,
    institutionCode,
    countryCode,
    locationCode,
    branchCode: branchCode ?? null,
    isTestBic: locationCode[1] === '0',
  }
}
