import { describe, expect, test } from 'vitest'
import {
  checkDate,
  checkDateOfBirth,
  checkFte,
  checkNiNumber,
  checkPostcode,
  checkStandardGrade,
} from './validation.ts'

describe('National Insurance numbers', () => {
  test('accepts and normalises valid numbers', () => {
    expect(checkNiNumber('ab 12 34 56 c')).toEqual({ ok: true, value: 'AB123456C' })
    // HMRC's own example prefix QQ is never allocated: Q is not a first letter.
    expect(checkNiNumber('QQ123456C').ok).toBe(false)
    expect(checkNiNumber('AB123456D')).toEqual({ ok: true, value: 'AB123456D' })
  })
  test.each([
    ['Q123456C', 'format'],
    ['DA123456', 'format'],
    ['DA123456A', 'never start with D'],
    ['AO123456A', 'second letter'],
    ['GB123456A', 'GB is not'],
    ['ZZ123456A', 'ZZ is not'],
    ['AB123456E', 'must be A, B, C or D'],
  ])('refuses %s naming the rule (%s)', (input, rule) => {
    const result = checkNiNumber(input)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.message).toContain(rule === 'format' ? 'format' : rule)
  })
})

describe('dates', () => {
  test('real dates only', () => {
    expect(checkDate('2026-04-30')).toEqual({ ok: true, value: '2026-04-30' })
    expect(checkDate('2026-04-31')).toEqual({ ok: false, message: '2026-04-31 is not a real date' })
    expect(checkDate('30/04/2026').ok).toBe(false)
  })
  test('dates of birth make the person at least 16', () => {
    expect(checkDateOfBirth('2010-11-23', '2026-11-23').ok).toBe(true)
    expect(checkDateOfBirth('2010-11-24', '2026-11-23')).toEqual({
      ok: false,
      message: 'The person must be at least 16 years old to be employed',
    })
    expect(checkDateOfBirth('2027-01-01', '2026-11-23').ok).toBe(false)
  })
})

test('grades, FTE and postcodes', () => {
  expect(checkStandardGrade('heo')).toEqual({ ok: true, value: 'HEO' })
  expect(checkStandardGrade('G5').ok).toBe(false)
  expect(checkFte('0.6')).toEqual({ ok: true, value: '0.6' })
  expect(checkFte('1.0')).toEqual({ ok: true, value: '1.0' })
  for (const bad of ['0', '1.5', '-0.5', 'x', '0.12345']) expect(checkFte(bad).ok).toBe(false)
  expect(checkPostcode('sw1a2as')).toEqual({ ok: true, value: 'SW1A 2AS' })
  expect(checkPostcode('12345').ok).toBe(false)
})
