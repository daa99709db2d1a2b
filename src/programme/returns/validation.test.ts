import { describe, expect, it } from 'vitest'
import { FIGURE_FIELDS } from '../return-schema.ts'
import { daysLate, scoreReturn } from './dq.ts'
import { sampleReturn } from './testing.ts'
import { type ValidationContext, validateReturn } from './validation.ts'

const context: ValidationContext = {
  orgCode: 'met-office',
  quarter: '2026-Q1',
  receivedAt: new Date('2026-07-20T10:00:00Z'),
  previous: null,
}

/** Every rule has a case that breaks it, and the error names the field and the rule. */
function problems(figures: unknown, overrides: Partial<ValidationContext> = {}) {
  return validateReturn(figures, { ...context, ...overrides }).errors.map((e) => `${e.field}:${e.rule}`)
}

/** A return as loose JSON, to break on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: the tests write wrong types into the return on purpose
type Loose = Record<string, any>

function mutate(change: (figures: Loose) => void) {
  const figures = structuredClone(sampleReturn('met-office', '2026-Q1')) as Loose
  change(figures)
  return figures
}

describe('validateReturn', () => {
  it('accepts a complete, consistent return', () => {
    const result = validateReturn(sampleReturn('met-office', '2026-Q1'), context)
    expect(result.errors).toEqual([])
    expect(result.checks.every((check) => check.passed)).toBe(true)
  })

  it('names the field and rule for each schema failure, all at once', () => {
    expect(problems('not an object')).toEqual(['(return):type'])
    const errors = problems(
      mutate((f) => {
        delete f.workforce.headcount
        f.workforce.leavers = -1
        f.workforce.joiners = 2.5
        f.payroll.payslips = 'many'
        f.finance.paidWithin5DaysPercent = 101
        f.finance.paidWithin30DaysPercent = 50.25
        f.migrationStatus = 'soon'
        f.schemaVersion = '0.9'
        f.extra = 1
        f.convergence.other = 1
        f.explanations = { 'workforce.headcount': 'short' }
      }),
    )
    expect(errors).toEqual(
      expect.arrayContaining([
        'workforce.headcount:required',
        'workforce.leavers:minimum',
        'workforce.joiners:type',
        'payroll.payslips:type',
        'finance.paidWithin5DaysPercent:maximum',
        'finance.paidWithin30DaysPercent:multipleOf',
        'migrationStatus:enum',
        'schemaVersion:const',
        'extra:unknown-field',
        'convergence.other:unknown-field',
        'explanations.workforce.headcount:minLength',
      ]),
    )
    // One message per mistake: no 'must be null' noise from the nullable unions.
    expect(errors.filter((e) => e.startsWith('workforce.leavers'))).toHaveLength(1)
  })

  it('allows null figures (completeness, not validity)', () => {
    const figures = mutate((f) => {
      for (const field of FIGURE_FIELDS) {
        const [group, name] = field.split('.') as [string, string]
        f[group][name] = null
      }
    })
    expect(problems(figures)).toEqual([])
    const scores = scoreReturn({ figures, validation: validateReturn(figures, context), daysLate: 0 })
    expect(scores.completeness).toBe(0)
    expect(scores.validity).toBe(100)
  })

  it('requires the organisation and quarter the return was sent for', () => {
    expect(problems(sampleReturn('hmrc', '2026-Q1'))).toEqual(['organisation:matches-organisation'])
    expect(problems(sampleReturn('met-office', '2025-Q4'))).toEqual(['quarter:matches-quarter'])
  })

  it('refuses a quarter that has not started, warns on one not yet ended', () => {
    const future = sampleReturn('met-office', '2026-Q3')
    expect(problems(future, { quarter: '2026-Q3' })).toEqual(['quarter:not-future'])
    const current = validateReturn(sampleReturn('met-office', '2026-Q2'), {
      ...context,
      quarter: '2026-Q2',
      receivedAt: new Date('2026-08-01T00:00:00Z'),
    })
    expect(current.errors).toEqual([])
    expect(current.warnings.map((w) => w.rule)).toEqual(['quarter-not-ended'])
  })

  it('checks internal consistency', () => {
    expect(problems(mutate((f) => (f.workforce.fte = 1000.5)))).toEqual([
      'workforce.fte:fte-within-headcount',
    ])
    expect(problems(mutate((f) => (f.finance.paidWithin5DaysPercent = 98)))).toEqual([
      'finance.paidWithin5DaysPercent:within-5-days-within-30',
    ])
    // 50,000,000p / 5,000 transactions = 10,000p; 1p out is rounding, 2p is wrong.
    expect(problems(mutate((f) => (f.finance.costPerTransactionPence = 10_001)))).toEqual([])
    expect(problems(mutate((f) => (f.finance.costPerTransactionPence = 10_002)))).toEqual([
      'finance.costPerTransactionPence:cost-per-transaction',
    ])
    expect(
      problems(
        mutate((f) => {
          f.payroll.payslips = 0
          f.finance.invoicesProcessed = 0
        }),
      ),
    ).toEqual(['finance.costPerTransactionPence:cost-per-transaction'])
  })

  it('needs a written explanation for a large swing against the previous quarter', () => {
    const previous = sampleReturn('met-office', '2025-Q4')
    const swung = mutate((f) => {
      f.workforce.headcount = 1300 // +30%
      f.convergence.straightThroughInvoicesPercent = 56 // +16 points
      f.workforce.joiners = 35 // +17%: no swing
      f.workforce.leavers = 33 // +32% but only 8 people: under the floor
    })
    expect(problems(swung, { previous })).toEqual([
      'workforce.headcount:swing-needs-explanation',
      'convergence.straightThroughInvoicesPercent:swing-needs-explanation',
    ])
    swung.explanations = {
      'workforce.headcount': 'Transfer of the observations team from DSIT on 1 April.',
      'convergence.straightThroughInvoicesPercent': 'New matching rules went live in May.',
    }
    const result = validateReturn(swung, { ...context, previous })
    expect(result.errors).toEqual([])
    expect(result.checks.filter((check) => check.rule === 'swing-explained').every((c) => c.passed)).toBe(
      true,
    )
    swung.explanations = { 'workforce.headcont': 'A typo in the field name here.' }
    expect(problems(swung, { previous })).toContain('explanations.workforce.headcont:unknown-field')
  })
})

describe('data-quality scores', () => {
  it('scores timeliness by days late and validity by errors', () => {
    expect(daysLate(new Date('2026-07-30T22:30:00Z'), '2026-07-30')).toBe(0)
    // 23:30 UTC on 30 July is 00:30 on 31 July in London (BST): one day late.
    expect(daysLate(new Date('2026-07-30T23:30:00Z'), '2026-07-30')).toBe(1)
    expect(daysLate(new Date('2026-08-14T09:00:00Z'), '2026-07-30')).toBe(15)
    const figures = mutate((f) => {
      f.workforce.fte = 2000
      f.finance.paidWithin5DaysPercent = 99
    })
    const scores = scoreReturn({ figures, validation: validateReturn(figures, context), daysLate: 15 })
    expect(scores).toEqual({
      completeness: 100,
      timeliness: 50,
      validity: 60,
      // three internal checks made, one passed
      consistency: 33.3,
      overall: Math.round((100 * 0.3 + 50 * 0.2 + 60 * 0.3 + 33.3 * 0.2) * 10) / 10,
    })
  })
})
