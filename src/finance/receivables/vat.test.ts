import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { documentTotals, lineNetPence, normaliseQuantity, normaliseUnitPrice, vatOn } from './vat.ts'

describe('line amounts', () => {
  test('quantity × unit price rounds half up to the penny, exactly', () => {
    expect(lineNetPence('3', '33.3333')).toBe(100_00) // 99.9999 → 100.00
    expect(lineNetPence('1', '0.125')).toBe(13) // 0.125 → 0.13 (half up, not to even)
    expect(lineNetPence('1', '0.1249')).toBe(12)
    expect(lineNetPence('0.1', '0.3')).toBe(3)
    expect(lineNetPence('2.5', '10.01')).toBe(25_03) // 25.025 → 25.03
    expect(lineNetPence('999999999', '9999999999999')).toBeUndefined()
  })

  test('quantities must be more than zero; prices may be zero but not negative', () => {
    expect(normaliseQuantity('0')).toBeUndefined()
    expect(normaliseQuantity('-1')).toBeUndefined()
    expect(normaliseQuantity('1.23456')).toBeUndefined()
    expect(normaliseQuantity(' 2.5 ')).toBe('2.5')
    expect(normaliseUnitPrice('£12.50')).toBe('12.50')
    expect(normaliseUnitPrice('0')).toBe('0')
    expect(normaliseUnitPrice('-1')).toBeUndefined()
    expect(normaliseUnitPrice('1e3')).toBeUndefined()
  })
})

describe('VAT per EN 16931', () => {
  test('VAT is computed on each category’s total, not summed per line', () => {
    // Three lines of £0.03 at 20%: per line 0.006 → 0.01 each (0.03), on the total 0.09 → 0.02.
    const totals = documentTotals([
      { netPence: 3, category: 'S', ratePercent: '20' },
      { netPence: 3, category: 'S', ratePercent: '20' },
      { netPence: 3, category: 'S', ratePercent: '20' },
    ])
    expect(totals.breakdown).toEqual([{ category: 'S', ratePercent: '20', taxablePence: 9, vatPence: 2 }])
    expect(totals).toMatchObject({ netPence: 9, vatPence: 2, grossPence: 11 })
  })

  test('standard, reduced, zero and exempt each get a breakdown row; VAT rounds half up', () => {
    const totals = documentTotals([
      { netPence: 10_10, category: 'S', ratePercent: '5' }, // 0.505 → 0.51
      { netPence: 12_345, category: 'S', ratePercent: '20' }, // 24.69
      { netPence: 2_50, category: 'Z', ratePercent: '0' },
      { netPence: 100_00, category: 'E', ratePercent: '0' },
      { netPence: 2_52, category: 'S', ratePercent: '20' }, // with the 123.45: 125.97 → 25.194 → 25.19
    ])
    expect(totals.breakdown).toEqual([
      { category: 'S', ratePercent: '20', taxablePence: 125_97, vatPence: 25_19 },
      { category: 'S', ratePercent: '5', taxablePence: 10_10, vatPence: 51 },
      { category: 'Z', ratePercent: '0', taxablePence: 2_50, vatPence: 0 },
      { category: 'E', ratePercent: '0', taxablePence: 100_00, vatPence: 0 },
    ])
    expect(totals.grossPence).toBe(totals.netPence + totals.vatPence)
    expect(totals.netPence).toBe(238_57)
  })

  test('VAT equals round-half-up of taxable × rate for any amount (checked against BigInt arithmetic)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000_000 }),
        fc.constantFrom('20', '5', '0'),
        (pence, rate) => {
          const exact = BigInt(pence) * BigInt(rate) // hundredths of a penny
          const expected = Number((exact + 50n) / 100n)
          expect(vatOn(pence, rate)).toBe(expected)
        },
      ),
    )
  })
})
