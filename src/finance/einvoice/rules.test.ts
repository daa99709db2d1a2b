// The official Schematron unit tests (EN 16931 UBL Invoice and CreditNote, Peppol BIS 3): for every
// test case whose rule this validator implements, it must agree with the expected outcome: the
// rule fires on an "error"/"warning" case and does not fire on a "success" case. The fragments
// are partial documents, so other rules fire too; only the rule under test is compared.

import { describe, expect, it } from 'vitest'
import { parseUbl } from './parse.ts'
import { IMPLEMENTED_RULES, validate } from './rules.ts'
import { unitTestCases } from './testdata.ts'

const cases = unitTestCases()

interface Verdict {
  case: string
  rule: string
  expected: string
  fired: boolean
}

const verdicts: Verdict[] = cases.flatMap((testCase) => {
  const violations = validate(testCase.document, { profile: testCase.profile })
  return testCase.expectations.map((expectation) => ({
    case: `${testCase.file}#${testCase.index + 1}${testCase.description ? ` (${testCase.description.slice(0, 80)})` : ''}`,
    rule: expectation.rule,
    expected: expectation.outcome,
    fired: violations.some((violation) => violation.rule === expectation.rule),
  }))
})

const covered = verdicts.filter((verdict) => IMPLEMENTED_RULES.has(verdict.rule))
const agreeing = covered.filter((verdict) =>
  verdict.expected === 'success' ? !verdict.fired : verdict.fired,
)

describe('Schematron unit tests', () => {
  it('are all read: 1674 test cases (915 + 216 EN 16931, 543 Peppol)', () => {
    expect(cases).toHaveLength(1674)
  })

  it('coverage: every expectation on an implemented rule agrees', () => {
    const byFolder = new Map<string, { total: number; covered: number; agree: number }>()
    for (const verdict of verdicts) {
      const folder = verdict.case.split('/').slice(0, 2).join('/')
      const entry = byFolder.get(folder) ?? { total: 0, covered: 0, agree: 0 }
      entry.total++
      if (IMPLEMENTED_RULES.has(verdict.rule)) {
        entry.covered++
        if (verdict.expected === 'success' ? !verdict.fired : verdict.fired) entry.agree++
      }
      byFolder.set(folder, entry)
    }
    // Printed so the figures in docs/decisions/0110-einvoice.md can be checked.
    console.info(
      [
        `Unit-test expectations: ${verdicts.length}; on implemented rules: ${covered.length}; agreeing: ${agreeing.length}`,
        ...[...byFolder].map(
          ([folder, entry]) =>
            `  ${folder}: ${entry.total} expectations, ${entry.covered} covered, ${entry.agree} agree`,
        ),
      ].join('\n'),
    )
    const disagreements = covered.filter((verdict) => !agreeing.includes(verdict))
    expect(
      disagreements.map(
        (verdict) =>
          `${verdict.case}: expected ${verdict.expected} for ${verdict.rule}, fired=${verdict.fired}`,
      ),
    ).toEqual([])
    expect(covered.length).toBeGreaterThanOrEqual(1354)
  })

  it('every EN 16931 and Peppol-wide rule with unit tests is implemented (only national rules are not)', () => {
    const missing = new Set(
      verdicts.filter((verdict) => !IMPLEMENTED_RULES.has(verdict.rule)).map((verdict) => verdict.rule),
    )
    const notNational = [...missing].filter((rule) => !/^(DE|DK|GR|IT|NL|NO|SE)-/.test(rule))
    expect(notNational).toEqual([])
  })
})

describe('messages', () => {
  const xml = (lines: string, total: string) => `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="GBP">${total}</cbc:LineExtensionAmount></cac:LegalMonetaryTotal>
  ${lines}
</Invoice>`

  it('BR-CO-10 says what the document says and what the lines sum to, with the path', () => {
    const lines = ['60.00', '30.00']
      .map(
        (amount, i) =>
          `<cac:InvoiceLine><cbc:ID>${i + 1}</cbc:ID><cbc:LineExtensionAmount currencyID="GBP">${amount}</cbc:LineExtensionAmount></cac:InvoiceLine>`,
      )
      .join('')
    const violation = validate(parseUbl(xml(lines, '100.00'))).find((v) => v.rule === 'BR-CO-10')
    expect(violation).toEqual({
      rule: 'BR-CO-10',
      severity: 'fatal',
      message:
        'BR-CO-10: Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131); document says 100.00, lines sum to 90.00',
      path: '/Invoice/cac:LegalMonetaryTotal/cbc:LineExtensionAmount',
    })
  })

  it('paths index repeated elements', () => {
    const lines = ['<cbc:ID>1</cbc:ID>', '']
      .map(
        (id) =>
          `<cac:InvoiceLine>${id}<cbc:LineExtensionAmount currencyID="GBP">1</cbc:LineExtensionAmount></cac:InvoiceLine>`,
      )
      .join('')
    const violation = validate(parseUbl(xml(lines, '2'))).find((v) => v.rule === 'BR-21')
    expect(violation?.path).toBe('/Invoice/cac:InvoiceLine[2]')
  })

  it('a prefix-free default namespace and odd prefixes read the same', () => {
    const odd = `<inv:Invoice xmlns:inv="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
      xmlns:a="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">
      <a:LegalMonetaryTotal><LineExtensionAmount xmlns="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" currencyID="GBP">5</LineExtensionAmount></a:LegalMonetaryTotal>
    </inv:Invoice>`
    const violation = validate(parseUbl(odd)).find((v) => v.rule === 'BR-CO-10')
    expect(violation?.message).toContain('document says 5.00, lines sum to 0.00')
  })
})
