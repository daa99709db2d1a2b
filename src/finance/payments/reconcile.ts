// Automatic reconciliation of bank statement lines against the payments GSS issued. Three rules,
// strongest first, each one-to-one:
//   1. end-to-end id (it travels with the payment and comes back on the statement), with equal
//      amount and currency;
//   2. exact amount, currency and creditor account, with the booking date in a window around the
//      requested execution date;
//   3. exact amount and currency, with one of the payment's references (an invoice number) in the
//      statement line's remittance text.
// Rules 2 and 3 match only when the pairing is unambiguous both ways (this line has exactly one
// candidate payment and that payment has exactly one candidate line); anything else is left for a
// person with the reason. A wrong automatic match is worse than none: it hides a missing payment.

import type { CamtStatement, CreditDebit } from './camt053.ts'
import { daysBetween } from './dates.ts'
import type { PaymentRun } from './pain001.ts'

export type IssuedPayment = {
  readonly paymentId: string
  readonly endToEndId: string
  readonly amountMinor: number
  readonly currency: string
  /** IBAN, or UK sort code + account number (14 digits, separators allowed). */
  readonly creditorAccount: string
  /** YYYY-MM-DD: the requested execution date. */
  readonly executionDate: string
  /** Invoice numbers and other references sent as remittance information. */
  readonly references: readonly string[]
}

export type StatementLine = {
  readonly lineId: string
  readonly amountMinor: number
  readonly currency: string
  readonly creditDebit: CreditDebit
  readonly status: string
  readonly reversal: boolean
  /** Booking date, else value date. */
  readonly date: string | null
  readonly endToEndId: string | null
  readonly counterpartyAccount: string | null
  readonly remittance: readonly string[]
}

export type MatchRule = 'end-to-end-id' | 'amount-account-date' | 'amount-reference'

export type Reconciliation = {
  readonly matches: readonly {
    readonly paymentId: string
    readonly lineId: string
    readonly rule: MatchRule
  }[]
  readonly unmatchedLines: readonly { readonly lineId: string; readonly reason: string }[]
  readonly unmatchedPayments: readonly { readonly paymentId: string; readonly reason: string }[]
}

export type ReconcileOptions = {
  /** Days before the requested execution date a booking may fall (banks book early on holidays). */
  readonly daysBefore?: number
  /** Days after: Bacs takes three working days, so five calendar days covers a weekend. */
  readonly daysAfter?: number
}

/** Sizes GSS reconciles in one go; a day's statement for a shared service centre is far smaller. */
export const RECONCILE_ITEMS_MAX = 200_000

/** Statement lines from a camt.053 statement: one per transaction of a batch entry, else one per entry. */
export function statementLines(statement: CamtStatement): StatementLine[] {
  const lines: StatementLine[] = []
  for (const [entryIndex, entry] of statement.entries.entries()) {
    const base = {
      currency: entry.currency,
      creditDebit: entry.creditDebit,
      status: entry.status,
      reversal: entry.reversal,
      date: entry.bookingDate ?? entry.valueDate,
    }
    const details = entry.details
    const itemised =
      details.length > 1 &&
      details.every((detail) => detail.amountMinor !== null && detail.currency === entry.currency) &&
      details.reduce((sum, detail) => sum + (detail.amountMinor ?? 0), 0) === entry.amountMinor
    if (itemised) {
      for (const [detailIndex, detail] of details.entries()) {
        lines.push({
          ...base,
          lineId: `${statement.statementId}#${entryIndex + 1}.${detailIndex + 1}`,
          amountMinor: detail.amountMinor!,
          endToEndId: detail.endToEndId,
          counterpartyAccount: detail.counterparty?.account ?? null,
          remittance: detail.remittance,
        })
      }
      continue
    }
    const only = details.length === 1 ? details[0]! : null
    lines.push({
      ...base,
      lineId: `${statement.statementId}#${entryIndex + 1}`,
      amountMinor: entry.amountMinor,
      endToEndId: only?.endToEndId ?? null,
      counterpartyAccount: only?.counterparty?.account ?? null,
      remittance: [
        ...details.flatMap((detail) => detail.remittance),
        ...(entry.additionalInformation ? [entry.additionalInformation] : []),
      ],
    })
  }
  return lines
}

/** The payments of a pain.001 run, as reconciliation needs them (payment id = end-to-end id). */
export function issuedPaymentsFromRun(run: PaymentRun): IssuedPayment[] {
  return run.payments.map((payment) => ({
    paymentId: payment.endToEndId,
    endToEndId: payment.endToEndId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    creditorAccount:
      'iban' in payment.creditorAccount
        ? payment.creditorAccount.iban
        : payment.creditorAccount.sortCode + payment.creditorAccount.accountNumber,
    executionDate: run.requestedExecutionDate,
    references: payment.remittanceReferences ?? [],
  }))
}

/**
 * One key for an account however it is written: a GB IBAN and the same sort code + account number
 * as 14 digits compare equal (statements often show one where the payment used the other).
 */
export function accountKey(account: string): string {
  const compact = account.replace(/[\s-]/g, '').toUpperCase()
  const gbIban = /^GB\d{2}[A-Z]{4}(\d{14})$/.exec(compact)
  if (gbIban) return `UK:${gbIban[1]}`
  if (/^\d{14}$/.test(compact)) return `UK:${compact}`
  return compact
}

const NO_END_TO_END_ID = new Set(['', 'NOTPROVIDED', 'NONREF'])

export function reconcile(
  payments: readonly IssuedPayment[],
  lines: readonly StatementLine[],
  options: ReconcileOptions = {},
): Reconciliation {
  if (payments.length > RECONCILE_ITEMS_MAX || lines.length > RECONCILE_ITEMS_MAX) {
    throw new RangeError(`Reconcile at most ${RECONCILE_ITEMS_MAX} payments and lines at a time`)
  }
  for (const [what, ids] of [
    ['payment', payments.map((payment) => payment.paymentId)],
    ['statement line', lines.map((line) => line.lineId)],
  ] as const) {
    if (new Set(ids).size !== ids.length) throw new RangeError(`Each ${what} id must be unique`)
  }
  const daysBefore = options.daysBefore ?? 1
  const daysAfter = options.daysAfter ?? 5
  const matches: { paymentId: string; lineId: string; rule: MatchRule }[] = []
  const paymentOfLine = new Map<string, IssuedPayment>()
  const lineOfPayment = new Map<string, StatementLine>()
  const lineNotes = new Map<string, string>()
  const paymentNotes = new Map<string, string>()
  const note = (notes: Map<string, string>, id: string, reason: string) => {
    if (!notes.has(id)) notes.set(id, reason)
  }
  const match = (payment: IssuedPayment, line: StatementLine, rule: MatchRule) => {
    paymentOfLine.set(line.lineId, payment)
    lineOfPayment.set(payment.paymentId, line)
    matches.push({ paymentId: payment.paymentId, lineId: line.lineId, rule })
  }

  // Only booked outgoing payments can be ours; everything else goes to a person at once.
  const eligible: StatementLine[] = []
  for (const line of lines) {
    if (line.creditDebit !== 'debit')
      note(lineNotes, line.lineId, 'A credit: money in, not a payment GSS issued')
    else if (line.reversal) note(lineNotes, line.lineId, 'A reversal: check whether a payment was returned')
    else if (line.status !== 'BOOK') note(lineNotes, line.lineId, `Not booked yet (status ${line.status})`)
    else eligible.push(line)
  }

  // Rule 1: end-to-end id.
  const byEndToEndId = new Map<string, IssuedPayment[]>()
  for (const payment of payments) {
    const key = normaliseId(payment.endToEndId)
    if (NO_END_TO_END_ID.has(key)) continue
    byEndToEndId.set(key, [...(byEndToEndId.get(key) ?? []), payment])
  }
  for (const line of eligible) {
    const key = normaliseId(line.endToEndId ?? '')
    if (NO_END_TO_END_ID.has(key)) continue
    const found = byEndToEndId.get(key)
    if (!found) continue
    if (found.length > 1) {
      note(lineNotes, line.lineId, `End-to-end id ${line.endToEndId} was used by ${found.length} payments`)
      continue
    }
    const payment = found[0]!
    const matched = lineOfPayment.get(payment.paymentId)
    if (matched) {
      note(
        lineNotes,
        line.lineId,
        `End-to-end id of payment ${payment.paymentId}, already matched to ${matched.lineId}: a duplicate debit?`,
      )
    } else if (payment.amountMinor !== line.amountMinor || payment.currency !== line.currency) {
      const reason = `End-to-end id ${payment.endToEndId} matches, but the amounts differ: line ${line.amountMinor} ${line.currency}, payment ${payment.amountMinor} ${payment.currency}`
      note(lineNotes, line.lineId, reason)
      note(paymentNotes, payment.paymentId, `${reason} (line ${line.lineId})`)
    } else {
      match(payment, line, 'end-to-end-id')
    }
  }

  // Rules 2 and 3: unambiguous pairs only, repeated while new matches make others unambiguous.
  const amountKey = (amountMinor: number, currency: string) => `${currency} ${amountMinor}`
  const paymentsByAmount = new Map<string, IssuedPayment[]>()
  for (const payment of payments) {
    const key = amountKey(payment.amountMinor, payment.currency)
    paymentsByAmount.set(key, [...(paymentsByAmount.get(key) ?? []), payment])
  }
  const inWindow = (payment: IssuedPayment, line: StatementLine) => {
    if (line.date === null) return false
    const days = daysBetween(payment.executionDate, line.date)
    return days >= -daysBefore && days <= daysAfter
  }
  const referencePatterns = new Map<string, RegExp[]>()
  const patternsFor = (payment: IssuedPayment) => {
    let patterns = referencePatterns.get(payment.paymentId)
    if (!patterns) {
      patterns = payment.references
        .map((reference) => reference.trim().toUpperCase())
        .filter((reference) => reference.length >= 3)
        // A reference must stand alone: INV-1 is not found inside INV-10.
        .map((reference) => new RegExp(`(?<![A-Z0-9])${escapeRegExp(reference)}(?![A-Z0-9])`))
      referencePatterns.set(payment.paymentId, patterns)
    }
    return patterns
  }
  const rules: {
    rule: MatchRule
    fits: (payment: IssuedPayment, line: StatementLine) => boolean
    describe: string
  }[] = [
    {
      rule: 'amount-account-date',
      describe: 'amount, account and date',
      fits: (payment, line) =>
        line.counterpartyAccount !== null &&
        accountKey(line.counterpartyAccount) === accountKey(payment.creditorAccount) &&
        inWindow(payment, line),
    },
    {
      rule: 'amount-reference',
      describe: 'amount and reference',
      fits: (payment, line) => {
        const text = line.remittance.join(' ').toUpperCase()
        return text.length > 0 && patternsFor(payment).some((pattern) => pattern.test(text))
      },
    },
  ]
  for (const { rule, fits, describe } of rules) {
    for (let round = 0; round <= payments.length; round++) {
      const candidatesOfLine = new Map<string, IssuedPayment[]>()
      const candidatesOfPayment = new Map<string, StatementLine[]>()
      for (const line of eligible) {
        if (paymentOfLine.has(line.lineId)) continue
        for (const payment of paymentsByAmount.get(amountKey(line.amountMinor, line.currency)) ?? []) {
          if (lineOfPayment.has(payment.paymentId) || !fits(payment, line)) continue
          candidatesOfLine.set(line.lineId, [...(candidatesOfLine.get(line.lineId) ?? []), payment])
          candidatesOfPayment.set(payment.paymentId, [
            ...(candidatesOfPayment.get(payment.paymentId) ?? []),
            line,
          ])
        }
      }
      let matchedThisRound = 0
      for (const line of eligible) {
        const candidates = candidatesOfLine.get(line.lineId)
        if (!candidates) continue
        const payment = candidates[0]!
        const reverse = candidatesOfPayment.get(payment.paymentId)!
        if (candidates.length === 1 && reverse.length === 1) {
          match(payment, line, rule)
          matchedThisRound++
        } else if (candidates.length > 1) {
          note(
            lineNotes,
            line.lineId,
            `${candidates.length} payments match by ${describe}: a person must choose`,
          )
        } else {
          note(
            paymentNotes,
            payment.paymentId,
            `${reverse.length} statement lines match by ${describe}: a person must choose`,
          )
          note(
            lineNotes,
            line.lineId,
            `Matches payment ${payment.paymentId} by ${describe}, but so do other lines`,
          )
        }
      }
      if (matchedThisRound === 0) break
      // Notes of ambiguity written this round may be stale once others matched; the final pass rewrites them.
      for (const [id] of lineNotes) if (paymentOfLine.has(id)) lineNotes.delete(id)
    }
  }

  assertOneToOne(matches, payments, lines)
  return {
    matches,
    unmatchedLines: lines
      .filter((line) => !paymentOfLine.has(line.lineId))
      .map((line) => ({
        lineId: line.lineId,
        reason:
          lineNotes.get(line.lineId) ??
          'No issued payment has its end-to-end id, or its amount with the same account or reference',
      })),
    unmatchedPayments: payments
      .filter((payment) => !lineOfPayment.has(payment.paymentId))
      .map((payment) => ({
        paymentId: payment.paymentId,
        reason:
          paymentNotes.get(payment.paymentId) ??
          'Not on the statement: no line with its end-to-end id, or its amount with its account or reference',
      })),
  }
}

function normaliseId(value: string): string {
  return value.trim().toUpperCase()
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** An assertion, not a business rule: a failure here is a bug in reconcile, so it stops everything. */
function assertOneToOne(
  matches: readonly { paymentId: string; lineId: string }[],
  payments: readonly IssuedPayment[],
  lines: readonly StatementLine[],
): void {
  const paymentIds = new Set(matches.map((item) => item.paymentId))
  const lineIds = new Set(matches.map((item) => item.lineId))
  if (paymentIds.size !== matches.length || lineIds.size !== matches.length) {
    throw new Error('reconcile: a payment or a statement line was matched twice')
  }
  const paymentsById = new Map(payments.map((payment) => [payment.paymentId, payment]))
  const linesById = new Map(lines.map((line) => [line.lineId, line]))
  for (const { paymentId, lineId } of matches) {
    const payment = paymentsById.get(paymentId)
    const line = linesById.get(lineId)
    if (!payment || !line || payment.amountMinor !== line.amountMinor || payment.currency !== line.currency) {
      throw new Error(`reconcile: match of ${paymentId} and ${lineId} does not agree on the amount`)
    }
  }
}
