import { describe, expect, it } from 'vitest'
import { validateCompanyNumber } from './company-number.ts'

describe('Companies House numbers', () => {
  it('pads England and Wales numbers to 8 digits', () => {
    expect(validateCompanyNumber('6')).toEqual({
      ok: true,
      companyNumber: '00000006',
      prefix: null,
      register: 'Company, England and Wales',
    })
    expect(validateCompanyNumber('00445790')).toMatchObject({ ok: true, companyNumber: '00445790' })
    expect(validateCompanyNumber('4457 90')).toMatchObject({ ok: true, companyNumber: '00445790' })
  })

  it('pads prefixed numbers to 6 digits after the prefix', () => {
    expect(validateCompanyNumber('SC12345')).toMatchObject({
      ok: true,
      companyNumber: 'SC012345',
      prefix: 'SC',
    })
    expect(validateCompanyNumber('sc 012345')).toMatchObject({ ok: true, companyNumber: 'SC012345' })
    expect(validateCompanyNumber('NI012345')).toMatchObject({
      ok: true,
      register: 'Northern Ireland company',
    })
    expect(validateCompanyNumber('OC301234')).toMatchObject({ ok: true, prefix: 'OC' })
    expect(validateCompanyNumber('SO300123')).toMatchObject({ ok: true })
    expect(validateCompanyNumber('NC000123')).toMatchObject({ ok: true })
    expect(validateCompanyNumber('R0000123')).toMatchObject({ ok: true, prefix: 'R0' })
    expect(validateCompanyNumber('R0123')).toMatchObject({ ok: true, companyNumber: 'R0000123' })
  })

  it('refuses unknown prefixes and wrong lengths', () => {
    expect(validateCompanyNumber('XX123456')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('XX'),
    })
    expect(validateCompanyNumber('123456789')).toMatchObject({ ok: false })
    expect(validateCompanyNumber('SC1234567')).toMatchObject({ ok: false })
    expect(validateCompanyNumber('')).toMatchObject({ ok: false })
    expect(validateCompanyNumber('00000000')).toMatchObject({ ok: false })
    expect(validateCompanyNumber('SC000000')).toMatchObject({ ok: false })
  })
})
