import { describe, expect, test } from 'vitest'
import {
  allocate,
  formatGbp,
  MoneyFormatError,
  multiplyRatio,
  parseMoney,
  sumPence,
  toDecimal,
} from './money.ts'

describe('parseMoney', () => {
  test.each([
    ['1234.56', 123456],
    ['0.1', 10],
    ['-0.05', -5],
    ['12', 1200],
    ['+3.00', 300],
    ['-0.00', 0],
  ])('%s is %i pence', (text, pence) => {
    expect(parseMoney(text)).toBe(pence)
  })

  test.each(['1.234', '1e3', '', 'abc', '1,000.00', '£5', '.50', '0x10', '1 000'])('refuses %j', (text) => {
    expect(() => parseMoney(text)).toThrow(MoneyFormatError)
  })

  test('takes separators and a pound sign only when asked', () => {
    expect(parseMoney('£1,234,567.89', { allowSeparators: true })).toBe(123456789)
    expect(parseMoney('-£1,000', { allowSeparators: true })).toBe(-100000)
  })

  test('demands two places when asked', () => {
    expect(() => parseMoney('1.5', { places: 'exactly-two' })).toThrow(/two decimal places/)
    expect(parseMoney('1.50', { places: 'exactly-two' })).toBe(150)
  })

  test('0.1 + 0.2 is exactly 0.3 in pence', () => {
    expect(sumPence([parseMoney('0.1'), parseMoney('0.2')])).toBe(parseMoney('0.3'))
  })
})

describe('formatting', () => {
  test('toDecimal is the inverse of parseMoney', () => {
    for (const pence of [0, 1, -1, 99, 100, 123456, -987654321, 999_999_999_999_999]) {
      expect(parseMoney(toDecimal(pence))).toBe(pence)
    }
  })
  test('formatGbp reads as people expect', () => {
    expect(formatGbp(123456789)).toBe('£1,234,567.89')
    expect(formatGbp(-5)).toBe('-£0.05')
  })
  test('fractions of a penny are refused', () => {
    expect(() => toDecimal(1.5)).toThrow(RangeError)
    expect(() => sumPence([1, 0.5])).toThrow(RangeError)
  })
})

describe('multiplyRatio', () => {
  test('VAT at 20% rounds half away from zero', () => {
    expect(multiplyRatio(1234, 20, 100)).toBe(247) // 246.8
    expect(multiplyRatio(1225, 20, 100)).toBe(245)
    expect(multiplyRatio(2, 1, 4)).toBe(1) // 0.5 → 1
    expect(multiplyRatio(-2, 1, 4)).toBe(-1)
  })
  test('large amounts keep every penny', () => {
    expect(multiplyRatio(999_999_999_999_999, 3, 3)).toBe(999_999_999_999_999)
  })
})

describe('allocate', () => {
  test('parts add up to the whole', () => {
    expect(allocate(10000, [1, 1, 1])).toEqual([3334, 3333, 3333])
    expect(allocate(-10000, [1, 1, 1])).toEqual([-3334, -3333, -3333])
    expect(allocate(101, [70, 30])).toEqual([71, 30])
    for (const amount of [0, 1, 7, 99999, 123456789]) {
      const parts = allocate(amount, [3, 5, 7, 11])
      expect(parts.reduce((a, b) => a + b, 0)).toBe(amount)
    }
  })
  test('refuses nonsense weights', () => {
    expect(() => allocate(100, [])).toThrow()
    expect(() => allocate(100, [0, 0])).toThrow()
    expect(() => allocate(100, [-1, 2])).toThrow()
  })
})
