import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCamt053 } from './camt053.ts'
import { formatMinorUnits } from './currency.ts'
import { addDays } from './dates.ts'
import type { PaymentRun } from './pain001.ts'
import { buildPain001 } from './pain001.ts'
import type { IssuedPayment, StatementLine } from './reconcile.ts'
import { accountKey, issuedPaymentsFromRun, reconcile, statementLines } from './reconcile.ts'
import { camt053v08 } from './testing.ts'

const payment = (id: string, overrides: Partial<IssuedPayment> = {}): IssuedPayment => ({
  paymentId: id,
  endToEndId: `E2E-${id}`,
  amountMinor: 10_000,
  currency: 'GBP',
  creditorAccount: '08999966374958',
  executionDate: '2026-11-25',
  references: [`INV-${id}`],
  ...overrides,
})

const line = (id: string, overrides: Partial<StatementLine> = {}): StatementLine => ({
  lineId: id,
  amountMinor: 10_000,
  currency: 'GBP',
  creditDebit: 'debit',
  status: 'BOOK',
  reversal: false,
  date: '2026-11-25',
  endToEndId: null,
  counterpartyAccount: null,
  remittance: [],
  ...overrides,
})

describe('reconcile: the rules in order', () => {
  it('matches by end-to-end id first, whatever else the line says', () => {
    const result = reconcile([payment('P1'), payment('P2')], [line('L1', { endToEndId: 'e2e-p2' })])
    expect(result.matches).toEqual([{ paymentId: 'P2', lineId: 'L1', rule: 'end-to-end-id' }])
  })

  it('does not match an end-to-end id whose amount differs, and says why on both sides', () => {
    const result = reconcile([payment('P1')], [line('L1', { endToEndId: 'E2E-P1', amountMinor: 9_999 })])
    expect(result.matches).toEqual([])
    expect(result.unmatchedLines[0]!.reason).toMatch(/amounts differ: line 9999 GBP, payment 10000 GBP/)
    expect(result.unmatchedPayments[0]!.reason).toMatch(/amounts differ.*\(line L1\)/)
  })

  it('then matches by amount, account and date window', () => {
    const result = reconcile(
      [payment('P1'), payment('P2', { creditorAccount: '10799988837491' })],
      [line('L1', { counterpartyAccount: 'GB67NWBK10799988837491', date: '2026-11-27' })],
    )
    expect(result.matches).toEqual([{ paymentId: 'P2', lineId: 'L1', rule: 'amount-account-date' }])
  })

  it('keeps to the date window', () => {
    const outside = line('L1', { counterpartyAccount: '08999966374958', date: '2026-12-10' })
    expect(reconcile([payment('P1')], [outside]).matches).toEqual([])
    expect(reconcile([payment('P1')], [outside], { daysAfter: 20 }).matches).toHaveLength(1)
  })

  it('then matches by amount and a reference in the remittance text, as a whole word', () => {
    const payments = [payment('1'), payment('10')]
    const result = reconcile(payments, [line('L1', { remittance: ['Payment for inv-10, thanks'] })])
    expect(result.matches).toEqual([{ paymentId: '10', lineId: 'L1', rule: 'amount-reference' }])
  })

  it('leaves ambiguous pairs for a person rather than guess', () => {
    const twins = [payment('P1', { references: [] }), payment('P2', { references: [] })]
    const result = reconcile(twins, [line('L1', { counterpartyAccount: '08999966374958' })])
    expect(result.matches).toEqual([])
    expect(result.unmatchedLines[0]!.reason).toBe(
      '2 payments match by amount, account and date: a person must choose',
    )
    const twoLines = reconcile(
      [payment('P1', { references: [] })],
      [
        line('L1', { counterpartyAccount: '08999966374958' }),
        line('L2', { counterpartyAccount: '08999966374958' }),
      ],
    )
    expect(twoLines.matches).toEqual([])
    expect(twoLines.unmatchedPayments[0]!.reason).toBe(
      '2 statement lines match by amount, account and date: a person must choose',
    )
  })

  it('resolves an ambiguity once a stronger rule has matched one side', () => {
    const result = reconcile(
      [payment('P1', { references: [] }), payment('P2', { references: [] })],
      [
        line('L1', { endToEndId: 'E2E-P1', counterpartyAccount: '08999966374958' }),
        line('L2', { counterpartyAccount: '08999966374958' }),
      ],
    )
    expect(result.matches).toEqual([
      { paymentId: 'P1', lineId: 'L1', rule: 'end-to-end-id' },
      { paymentId: 'P2', lineId: 'L2', rule: 'amount-account-date' },
    ])
  })

  it('never matches a payment twice, and flags a duplicate debit', () => {
    const result = reconcile(
      [payment('P1')],
      [line('L1', { endToEndId: 'E2E-P1' }), line('L2', { endToEndId: 'E2E-P1' })],
    )
    expect(result.matches).toHaveLength(1)
    expect(result.unmatchedLines).toEqual([
      { lineId: 'L2', reason: 'End-to-end id of payment P1, already matched to L1: a duplicate debit?' },
    ])
  })

  it('sets aside credits, reversals and pending entries with the reason', () => {
    const result = reconcile(
      [payment('P1')],
      [
        line('L1', { creditDebit: 'credit', endToEndId: 'E2E-P1' }),
        line('L2', { reversal: true, endToEndId: 'E2E-P1' }),
        line('L3', { status: 'PDNG', endToEndId: 'E2E-P1' }),
      ],
    )
    expect(result.matches).toEqual([])
    expect(result.unmatchedLines.map((item) => item.reason)).toEqual([
      'A credit: money in, not a payment GSS issued',
      'A reversal: check whether a payment was returned',
      'Not booked yet (status PDNG)',
    ])
    expect(result.unmatchedPayments[0]!.reason).toMatch(/^Not on the statement/)
  })

  it('refuses duplicate ids', () => {
    expect(() => reconcile([payment('P1'), payment('P1')], [])).toThrow(/payment id must be unique/)
  })

  it('compares accounts however they are written', () => {
    expect(accountKey('GB29 NWBK 6016 1331 9268 19')).toBe(accountKey('60-16-13 31926819'))
    expect(accountKey('DE89370400440532013000')).toBe('DE89370400440532013000')
  })
})

describe('reconcile: from a payment file to the bank statement', () => {
  it('matches every payment of a pain.001 run to the camt.053 statement the bank returns', () => {
    const run: PaymentRun = {
      messageId: 'GSS-RUN-1',
      createdAt: '2026-11-23T09:30:00Z',
      debtorName: 'Department for Example',
      debtorAccount: { iban: 'GB29NWBK60161331926819' },
      requestedExecutionDate: '2026-11-25',
      batchBooking: false,
      payments: [
        {
          endToEndId: 'GSS-1',
          creditorName: 'A Ltd',
          creditorAccount: { sortCode: '089999', accountNumber: '66374958' },
          amountMinor: 12_345,
          currency: 'GBP',
          remittanceReferences: ['INV-1'],
        },
        {
          endToEndId: 'GSS-2',
          creditorName: 'B Ltd',
          creditorAccount: { sortCode: '107999', accountNumber: '88837491' },
          amountMinor: 500,
          currency: 'GBP',
          remittanceReferences: ['INV-2'],
        },
        {
          endToEndId: 'GSS-3',
          creditorName: 'C Ltd',
          creditorAccount: { sortCode: '202959', accountNumber: '63748472' },
          amountMinor: 500,
          currency: 'GBP',
          remittanceReferences: ['INV-3', 'INV-4'],
        },
      ],
    }
    expect(buildPain001(run, { version: 'pain.001.001.03' }).numberOfTransactions).toBe(3)
    // The bank kept the end-to-end id of the first, the account of the second, the text of the third.
    const statement = parseCamt053(
      camt053v08({
        messageId: 'STMT-1',
        statementId: 'S1',
        iban: 'GB29NWBK60161331926819',
        currency: 'GBP',
        opening: { amount: '1000.00', creditDebit: 'CRDT', date: '2026-11-26' },
        closing: { amount: '866.55', creditDebit: 'CRDT', date: '2026-11-26' },
        entries: [
          {
            amount: '5.00',
            currency: 'GBP',
            creditDebit: 'DBIT',
            bookingDate: '2026-11-26',
            remittance: 'INV-3 INV-4',
          },
          {
            amount: '123.45',
            currency: 'GBP',
            creditDebit: 'DBIT',
            bookingDate: '2026-11-25',
            endToEndId: 'GSS-1',
          },
          {
            amount: '5.00',
            currency: 'GBP',
            creditDebit: 'DBIT',
            bookingDate: '2026-11-26',
            counterpartyIban: 'GB71BARC10799988837491',
          },
        ],
      }),
    ).statements[0]!
    const result = reconcile(issuedPaymentsFromRun(run), statementLines(statement))
    expect(result.matches).toEqual([
      { paymentId: 'GSS-1', lineId: 'S1#2', rule: 'end-to-end-id' },
      { paymentId: 'GSS-2', lineId: 'S1#3', rule: 'amount-account-date' },
      { paymentId: 'GSS-3', lineId: 'S1#1', rule: 'amount-reference' },
    ])
    expect(result.unmatchedLines).toEqual([])
    expect(result.unmatchedPayments).toEqual([])
  })
})

// Property: for payments and a statement made from a random subset of them (each line keeping
// or losing its end-to-end id, account and reference, booked a few days late) plus noise lines,
// every match pairs a line with the payment it came from, nothing is matched twice, and every
// payment and line ends up either matched or explained.
describe('reconcile: properties', () => {
  const ACCOUNTS = ['08999966374958', '10799988837491', '20295963748472']
  const NOISE_ACCOUNTS = ['82000073688637', '77279899345694']
  const DATES = ['2026-11-24', '2026-11-25', '2026-11-30']

  const scenario = fc
    .array(
      fc.record({
        amountPence: fc.constantFrom(100, 250, 999, 10_000),
        currency: fc.constantFrom('GBP', 'GBP', 'EUR'),
        account: fc.constantFrom(...ACCOUNTS),
        executionDate: fc.constantFrom(...DATES),
        onStatement: fc.boolean(),
        keepEndToEndId: fc.boolean(),
        keepAccount: fc.boolean(),
        keepReference: fc.boolean(),
        daysLate: fc.integer({ min: 0, max: 3 }),
      }),
      { maxLength: 40 },
    )
    .chain((specs) =>
      fc.record({
        specs: fc.constant(specs),
        noise: fc.array(
          fc.record({
            amountPence: fc.constantFrom(100, 250, 999, 10_000),
            account: fc.option(fc.constantFrom(...NOISE_ACCOUNTS)),
            credit: fc.boolean(),
            endToEndId: fc.option(fc.constantFrom('NOTPROVIDED', 'BANK-XYZ')),
          }),
          { maxLength: 10 },
        ),
        order: fc.array(fc.integer(), { minLength: specs.length + 10, maxLength: specs.length + 10 }),
      }),
    )

  it('every automatic match is right, and none is made twice', () => {
    fc.assert(
      fc.property(scenario, ({ specs, noise, order }) => {
        const payments: IssuedPayment[] = specs.map((spec, index) => ({
          paymentId: `P${index}`,
          endToEndId: `GSS-${index}`,
          amountMinor: spec.amountPence,
          currency: spec.currency,
          creditorAccount: spec.account,
          executionDate: spec.executionDate,
          references: [`INV-${index}`],
        }))
        const source = new Map<string, string>()
        const lines: StatementLine[] = []
        for (const [index, spec] of specs.entries()) {
          if (!spec.onStatement) continue
          const lineId = `L${index}`
          source.set(lineId, `P${index}`)
          lines.push({
            lineId,
            amountMinor: spec.amountPence,
            currency: spec.currency,
            creditDebit: 'debit',
            status: 'BOOK',
            reversal: false,
            date: addDays(spec.executionDate, spec.daysLate),
            endToEndId: spec.keepEndToEndId ? `GSS-${index}` : 'NOTPROVIDED',
            counterpartyAccount: spec.keepAccount ? spec.account : null,
            remittance: spec.keepReference ? [`Invoice INV-${index}`] : ['Supplier payment'],
          })
        }
        for (const [index, item] of noise.entries()) {
          lines.push({
            lineId: `N${index}`,
            amountMinor: item.amountPence,
            currency: 'GBP',
            creditDebit: item.credit ? 'credit' : 'debit',
            status: 'BOOK',
            reversal: false,
            date: '2026-11-26',
            endToEndId: item.endToEndId,
            counterpartyAccount: item.account,
            remittance: [`Bank charge ref N${index}`],
          })
        }
        const shuffled = lines
          .map((item, index) => ({ item, key: order[index] ?? 0 }))
          .sort((a, b) => a.key - b.key)
          .map(({ item }) => item)

        const result = reconcile(payments, shuffled)

        for (const matched of result.matches) expect(source.get(matched.lineId)).toBe(matched.paymentId)
        expect(new Set(result.matches.map((item) => item.paymentId)).size).toBe(result.matches.length)
        expect(new Set(result.matches.map((item) => item.lineId)).size).toBe(result.matches.length)
        expect(result.matches.length + result.unmatchedPayments.length).toBe(payments.length)
        expect(result.matches.length + result.unmatchedLines.length).toBe(shuffled.length)
        // A line that kept its end-to-end id is always matched, by that id.
        for (const item of shuffled) {
          if (item.endToEndId?.startsWith('GSS-')) {
            expect(result.matches).toContainEqual({
              paymentId: source.get(item.lineId),
              lineId: item.lineId,
              rule: 'end-to-end-id',
            })
          }
        }
      }),
      { numRuns: 300 },
    )
  })

  it('formats amounts for the statement the same way the payment file does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999_999_999 }), (pence) => {
        expect(Number(formatMinorUnits(pence, 'GBP').replace('.', ''))).toBe(pence)
      }),
    )
  })
})
