import { describe, expect, it } from 'vitest'
import {
  buildGbIban,
  formatIbanForPeople,
  IBAN_COUNTRIES,
  ibanLengthFor,
  isCountryCode,
  validateBic,
  validateIban,
} from './iban.ts'

// Example IBANs as printed in the SWIFT IBAN Registry (one per country), and the statement
// accounts of the camt.053 samples in the shared test data.
const REGISTRY_EXAMPLES = [
  'GB29NWBK60161331926819',
  'DE89370400440532013000',
  'FR1420041010050500013M02606',
  'NL91ABNA0417164300',
  'BE68539007547034',
  'CH9300762011623852957',
  'IE29AIBK93115212345678',
  'ES9121000418450200051332',
  'IT60X0542811101000000123456',
  'AT611904300234573201',
  'PL61109010140000071219812874',
  'SE4550000000058398257466',
  'NO9386011117947',
  'FI2112345600000785',
  'DK5000400440116243',
  'LU280019400644750000',
  'PT50000201231234567890154',
  'MT84MALT011000012345MTLCAST001S',
  'GR1601101250000000012300695',
  'CY17002001280000001200527600',
  'HU42117730161111101800000000',
  'SA0380000000608010167519',
  'AE070331234567890123456',
  'FI7433010001222090',
  'CH2909000000250094239',
]

describe('validateIban', () => {
  it.each(REGISTRY_EXAMPLES)('accepts %s', (iban) => {
    expect(validateIban(iban)).toMatchObject({ ok: true, iban })
  })

  it('accepts the printed form with spaces and lower case', () => {
    expect(validateIban('gb29 nwbk 6016 1331 9268 19')).toMatchObject({
      ok: true,
      iban: 'GB29NWBK60161331926819',
    })
    expect(formatIbanForPeople('GB29NWBK60161331926819')).toBe('GB29 NWBK 6016 1331 9268 19')
  })

  it('modulus checks the sort code and account number inside a GB IBAN', () => {
    const result = validateIban('GB29NWBK60161331926819')
    if (!result.ok) throw new Error(result.reason)
    expect(result.uk).toMatchObject({ bankCode: 'NWBK', sortCode: '601613', accountNumber: '31926819' })
    expect(result.uk?.modulus.outcome).toBe('pass')
    // Right IBAN check digits around an account number that fails the modulus check.
    const wrongAccount = buildGbIban('NWBK', '601613', '31926818')
    expect(validateIban(wrongAccount)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('modulus'),
    })
  })

  it('builds GB IBANs whose check digits verify', () => {
    expect(buildGbIban('NWBK', '601613', '31926819')).toBe('GB29NWBK60161331926819')
    expect(() => buildGbIban('NW', '601613', '31926819')).toThrow(RangeError)
  })

  it('refuses wrong check digits, lengths, formats and unknown countries with a reason', () => {
    expect(validateIban('GB28NWBK60161331926819')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('check digits'),
    })
    expect(validateIban('GB29NWBK6016133192681')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('22 characters'),
    })
    expect(validateIban('GB29NWB160161331926819')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('format'),
    })
    expect(validateIban('US12345678901234')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('US'),
    })
    expect(validateIban('not an iban')).toMatchObject({ ok: false })
    // The Lithuanian sample statement's account: check digits 00 can never verify.
    expect(validateIban('LT007180000000000000')).toMatchObject({ ok: false })
  })

  it('has a consistent length for every country it knows', () => {
    expect(IBAN_COUNTRIES.length).toBeGreaterThanOrEqual(70)
    expect(ibanLengthFor('GB')).toBe(22)
    expect(ibanLengthFor('DE')).toBe(22)
    expect(ibanLengthFor('FR')).toBe(27)
    expect(ibanLengthFor('NO')).toBe(15)
    expect(ibanLengthFor('LC')).toBe(32)
    for (const country of IBAN_COUNTRIES) expect(isCountryCode(country)).toBe(true)
  })
})

describe('validateBic', () => {
  it('accepts 8 and 11 character BICs', () => {
    expect(validateBic('NWBKGB2L')).toMatchObject({
      ok: true,
      countryCode: 'GB',
      branchCode: null,
      isTestBic: false,
    })
    expect(validateBic('deutdeff500')).toMatchObject({ ok: true, bic: 'DEUTDEFF500', branchCode: '500' })
    expect(validateBic('CBSBLT26XXX')).toMatchObject({ ok: true, countryCode: 'LT' })
  })

  it('flags test BICs', () => {
    expect(validateBic('NWBKGB20')).toMatchObject({ ok: true, isTestBic: true })
  })

  it('refuses malformed BICs with a reason', () => {
    expect(validateBic('NWBKGB2')).toMatchObject({ ok: false })
    expect(validateBic('NWBKGB2LX')).toMatchObject({ ok: false })
    expect(validateBic('NWBKQQ2L')).toMatchObject({ ok: false, reason: expect.stringContaining('country') })
    expect(validateBic('NWBKGB1L')).toMatchObject({ ok: false, reason: expect.stringContaining('location') })
    expect(validateBic('NWBKGB2O')).toMatchObject({ ok: false })
  })

  it('knows every ISO 3166 country code', () => {
    expect(['GB', 'IE', 'US', 'JP', 'XK', 'ZW'].every(isCountryCode)).toBe(true)
    expect(['UK', 'EU', 'QQ'].some(isCountryCode)).toBe(false)
  })
})
