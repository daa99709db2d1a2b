// Properties: an invoice built with exact totals always validates and imports with those totals;
// moving any one stated total by any amount always breaks the BR-CO rule that checks it.

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type BuilderSpec, buildInvoice } from './builder.ts'
import { add, formatAmount, parseDecimal, toMinorUnits } from './decimal.ts'
import { importEInvoice } from './import.ts'
import { parseUbl } from './parse.ts'
import { validate } from './rules.ts'

/** Decimal text with `places` decimals between 0 and max (inclusive), never zero when `positive`. */
const decimalText = (max: number, places: number, positive = true) =>
  fc.integer({ min: positive ? 1 : 0, max: max * 10 ** places }).map((units) => {
    const text = String(units).padStart(places + 1, '0')
    return places === 0 ? text : `${text.slice(0, -places)}.${text.slice(-places)}`
  })

const vat = fc.oneof(
  fc.constantFrom(
    { category: 'S' as const, rate: '20' },
    { category: 'S' as const, rate: '5' },
    { category: 'S' as const, rate: '17.5' },
  ),
  fc.constant({ category: 'Z' as const, rate: '0' }),
)

const line = fc.record({
  quantity: fc.oneof(decimalText(500, 0), decimalText(50, 3)),
  price: fc.oneof(decimalText(2000, 2), decimalText(20, 4)),
  vat,
})

const spec: fc.Arbitrary<BuilderSpec> = fc
  .record({
    id: fc.stringMatching(/^[A-Z]{2}-[0-9]{1,8}$/),
    currency: fc.constantFrom('GBP', 'EUR'),
    lines: fc.array(line, { minLength: 1, maxLength: 8 }),
    allowanceCharges: fc.array(fc.record({ isCharge: fc.boolean(), amount: decimalText(5, 2), vat }), {
      maxLength: 3,
    }),
    prepaid: fc.option(decimalText(1, 2), { nil: undefined }),
  })
  .map((raw) => ({
    id: raw.id,
    currency: raw.currency,
    lines: raw.lines.map((l) => ({ quantity: l.quantity, price: l.price, ...l.vat })),
    allowanceCharges: raw.allowanceCharges.map((ac) => ({
      isCharge: ac.isCharge,
      amount: ac.amount,
      ...ac.vat,
    })),
    ...(raw.prepaid === undefined ? {} : { prepaid: raw.prepaid }),
  }))

const minor = (text: string) => toMinorUnits(parseDecimal(text)!)!

describe('generated invoices', () => {
  it('validate without fatal errors and import with exactly the built totals', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const built = buildInvoice(s)
        const fatal = validate(parseUbl(built.xml)).filter((violation) => violation.severity === 'fatal')
        expect(fatal.map((violation) => violation.message)).toEqual([])
        const result = importEInvoice(built.xml)
        if (!result.ok) throw new Error(result.errors.map((error) => error.message).join('\n'))
        const { totals } = result.invoice
        expect(totals.lineExtension.amountMinor).toBe(minor(built.totals.lineExtension))
        expect(totals.taxExclusive.amountMinor).toBe(minor(built.totals.taxExclusive))
        expect(totals.vatTotal.amountMinor).toBe(minor(built.totals.vatTotal))
        expect(totals.taxInclusive.amountMinor).toBe(minor(built.totals.taxInclusive))
        expect(totals.payable.amountMinor).toBe(minor(built.totals.payable))
        expect(result.invoice.lines.map((l) => l.quantity)).toEqual(s.lines.map((l) => l.quantity))
        expect(result.invoice.lines.map((l) => l.price.amount)).toEqual(s.lines.map((l) => l.price))
      }),
      { numRuns: 100 },
    )
  })

  // Which element to move, how to find it in the built XML, and the rule that must catch it.
  const perturbations = [
    { element: 'LineExtensionAmount', rule: 'BR-CO-10', needs: () => true },
    {
      element: 'AllowanceTotalAmount',
      rule: 'BR-CO-11',
      needs: (s: BuilderSpec) => s.allowanceCharges.some((ac) => !ac.isCharge),
    },
    {
      element: 'ChargeTotalAmount',
      rule: 'BR-CO-12',
      needs: (s: BuilderSpec) => s.allowanceCharges.some((ac) => ac.isCharge),
    },
    { element: 'TaxExclusiveAmount', rule: 'BR-CO-13', needs: () => true },
    { element: 'TaxAmount', rule: 'BR-CO-14', needs: () => true },
    { element: 'TaxInclusiveAmount', rule: 'BR-CO-15', needs: () => true },
    { element: 'PayableAmount', rule: 'BR-CO-16', needs: () => true },
  ]

  it.each(perturbations)('moving $element by any amount triggers $rule', ({ element, rule, needs }) => {
    const delta = fc.integer({ min: -100_000, max: 100_000 }).filter((n) => n !== 0)
    fc.assert(
      fc.property(
        spec.filter((s) => needs(s)),
        delta,
        (s, deltaMinor) => {
          const built = buildInvoice(s)
          // The first occurrence is the document total (totals come before the lines).
          const pattern = new RegExp(`(<cbc:${element} currencyID="[A-Z]{3}">)([^<]+)(</cbc:${element}>)`)
          const xml = built.xml.replace(pattern, (_, open: string, value: string, close: string) => {
            const moved = add(parseDecimal(value)!, { units: BigInt(deltaMinor), scale: 2 })
            return `${open}${formatAmount(moved)}${close}`
          })
          expect(xml).not.toBe(built.xml)
          const rules = validate(parseUbl(xml)).map((violation) => violation.rule)
          expect(rules).toContain(rule)
          expect(importEInvoice(xml).ok).toBe(false)
        },
      ),
      { numRuns: 40 },
    )
  })
})
