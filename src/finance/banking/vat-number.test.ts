import { describe, expect, it } from 'vitest'
import { validateUkVatNumber, vatCheckDigitRule } from './vat-number.ts'

describe('UK VAT numbers', () => {
  it('accepts published worked examples of the modulus 97 rule', () => {
    // 831 4958 16: 8×8 + 3×7 + 1×6 + 4×5 + 9×4 + 5×3 + 8×2 = 178; 178 + 16 = 194 = 2 × 97.
    expect(vatCheckDigitRule('831495816')).toBe('modulus-97')
    // 339 0727 47: total 147; 147 + 47 = 194.
    expect(vatCheckDigitRule('339072747')).toBe('modulus-97')
    // 782 2375 17: total 177; 177 + 17 = 194.
    expect(vatCheckDigitRule('782237517')).toBe('modulus-97')
  })

  it('accepts the modulus 9755 rule', () => {
    // 123 4567 __: total 112; 112 + 55 = 167 ≡ 70 (mod 97), so the check digits are 97 − 70 = 27.
    expect(vatCheckDigitRule('123456727')).toBe('modulus-9755')
    expect(validateUkVatNumber('GB 123 4567 27')).toMatchObject({ ok: true, checkDigitRule: 'modulus-9755' })
  })

  it('refuses numbers whose check digits fail both rules', () => {
    // The form HMRC prints in its guidance, 123 4567 89, is not a valid number.
    expect(validateUkVatNumber('GB123456789')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('check digits'),
    })
    expect(validateUkVatNumber('831495817')).toMatchObject({ ok: false })
    expect(validateUkVatNumber('000000000')).toMatchObject({ ok: false })
  })

  it('normalises prefixes, spaces and punctuation', () => {
    expect(validateUkVatNumber('gb 831 4958 16')).toEqual({
      ok: true,
      prefix: 'GB',
      kind: 'standard',
      number: '831495816',
      branch: null,
      checkDigitRule: 'modulus-97',
      formatted: 'GB831495816',
    })
    expect(validateUkVatNumber('831-4958-16')).toMatchObject({ ok: true, formatted: 'GB831495816' })
    expect(validateUkVatNumber('XI 831 4958 16')).toMatchObject({
      ok: true,
      prefix: 'XI',
      formatted: 'XI831495816',
    })
  })

  it('accepts 12-digit branch numbers, checking the first nine', () => {
    expect(validateUkVatNumber('GB831495816001')).toMatchObject({ ok: true, kind: 'branch', branch: '001' })
    expect(validateUkVatNumber('GB831495817001')).toMatchObject({ ok: false })
  })

  it('accepts government department and health authority numbers in their ranges', () => {
    expect(validateUkVatNumber('GBGD001')).toMatchObject({ ok: true, kind: 'government-department' })
    expect(validateUkVatNumber('GD499')).toMatchObject({ ok: true, formatted: 'GBGD499' })
    expect(validateUkVatNumber('GBGD500')).toMatchObject({ ok: false })
    expect(validateUkVatNumber('GBHA500')).toMatchObject({ ok: true, kind: 'health-authority' })
    expect(validateUkVatNumber('GBHA499')).toMatchObject({ ok: false })
  })

  it('refuses other shapes', () => {
    for (const input of ['', 'GB', 'GB12345678', 'GB1234567890', 'DE123456789', 'GBGD01', 'GB83149581X']) {
      expect(validateUkVatNumber(input).ok).toBe(false)
    }
  })
})
