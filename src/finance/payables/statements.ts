// Bank statements: a camt.053 statement from the bank, reconciled against the payments GSS issued
// in payment runs (by end-to-end id, else amount + account + date, else amount + invoice number;
// see ../payments/reconcile.ts). Matches are recorded once; a statement imported again matches
// nothing twice, and what cannot be matched is listed with the reason, for a person.
import type { Tx } from '../../platform/db/index.ts'
import { BusinessRuleError, ValidationError } from '../../platform/errors.ts'
import { Camt053Error, parseCamt053 } from '../payments/camt053.ts'
import { accountKey, type IssuedPayment, reconcile, statementLines } from '../payments/reconcile.ts'

/** A day's statement for a shared service centre is far smaller. */
export const STATEMENT_BYTES_MAX = 20 * 1024 * 1024

export interface StatementReconciliation {
  messageId: string
  statementIds: string[]
  matched: Array<{ endToEndId: string; statementLineId: string; rule: string }>
  alreadyReconciledLines: string[]
  unmatchedLines: Array<{ lineId: string; reason: string }>
  /** Issued payments not yet seen on any statement. */
  outstandingPayments: Array<{ endToEndId: string; reason: string }>
}

export class StatementService {
  /**
   * Imports a camt.053 statement and records each payment it reconciles. Errors: ValidationError
   * (not a camt.053 statement GSS can read), BusinessRuleError (the statement is for another
   * account than the one payments leave from).
   */
  async importStatement(
    trx: Tx,
    orgId: string,
    xml: string,
    userId: string | null,
  ): Promise<StatementReconciliation> {
    let document: ReturnType<typeof parseCamt053>
    try {
      document = parseCamt053(xml, { bytesMax: STATEMENT_BYTES_MAX })
    } catch (error) {
      if (error instanceof Camt053Error)
        throw new ValidationError(`The bank statement is refused: ${error.message}`, [
          { field: '/', message: error.message },
        ])
      throw error
    }
    const settings = await trx
      .selectFrom('payables_payment_settings')
      .select(['sort_code', 'account_number'])
      .where('org_id', '=', orgId)
      .executeTakeFirst()
    if (settings) {
      const ours = accountKey(settings.sort_code + settings.account_number)
      for (const statement of document.statements) {
        const theirs = statement.account.iban ?? statement.account.other
        if (theirs && accountKey(theirs) !== ours)
          throw new BusinessRuleError(
            `Statement ${statement.statementId} is for account ${theirs}, not the account supplier payments leave from`,
          )
      }
    }

    const lines = document.statements.flatMap((statement) => statementLines(statement))
    const seen = new Set(
      lines.length === 0
        ? []
        : (
            await trx
              .selectFrom('payment_statement_matches')
              .select('statement_line_id')
              .where('org_id', '=', orgId)
              .where(
                'statement_line_id',
                'in',
                lines.map((line) => line.lineId),
              )
              .execute()
          ).map((row) => row.statement_line_id),
    )
    const newLines = lines.filter((line) => !seen.has(line.lineId))

    const outstanding = await trx
      .selectFrom('payment_run_payments as p')
      .innerJoin('payment_runs as r', (join) =>
        join.onRef('r.org_id', '=', 'p.org_id').onRef('r.id', '=', 'p.run_id'),
      )
      .leftJoin('payment_statement_matches as m', (join) =>
        join.onRef('m.org_id', '=', 'p.org_id').onRef('m.end_to_end_id', '=', 'p.end_to_end_id'),
      )
      .select([
        'p.run_id',
        'p.supplier_id',
        'p.end_to_end_id',
        'p.amount_pence',
        'p.sort_code',
        'p.account_number',
        'p.iban',
        'r.pay_date',
      ])
      .where('p.org_id', '=', orgId)
      .where('m.end_to_end_id', 'is', null)
      .execute()
    const references = new Map<string, string[]>()
    if (outstanding.length > 0) {
      const invoices = await trx
        .selectFrom('supplier_invoices')
        .select(['payment_run_id', 'supplier_id', 'supplier_reference'])
        .where('org_id', '=', orgId)
        .where('payment_run_id', 'in', [...new Set(outstanding.map((payment) => payment.run_id))])
        .execute()
      for (const invoice of invoices) {
        const key = `${invoice.payment_run_id}/${invoice.supplier_id}`
        references.set(key, [...(references.get(key) ?? []), invoice.supplier_reference])
      }
    }
    const issued: IssuedPayment[] = outstanding.map((payment) => ({
      paymentId: payment.end_to_end_id,
      endToEndId: payment.end_to_end_id,
      amountMinor: payment.amount_pence,
      currency: 'GBP',
      creditorAccount:
        payment.sort_code && payment.account_number
          ? payment.sort_code + payment.account_number
          : (payment.iban ?? ''),
      executionDate: payment.pay_date,
      references: references.get(`${payment.run_id}/${payment.supplier_id}`) ?? [],
    }))
    const result = reconcile(issued, newLines)
    if (result.matches.length > 0)
      await trx
        .insertInto('payment_statement_matches')
        .values(
          result.matches.map((match) => ({
            org_id: orgId,
            end_to_end_id: match.paymentId,
            statement_line_id: match.lineId,
            rule: match.rule,
            statement_message_id: document.messageId,
            matched_by: userId,
          })),
        )
        .execute()
    return {
      messageId: document.messageId,
      statementIds: document.statements.map((statement) => statement.statementId),
      matched: result.matches.map((match) => ({
        endToEndId: match.paymentId,
        statementLineId: match.lineId,
        rule: match.rule,
      })),
      alreadyReconciledLines: [...seen],
      unmatchedLines: [...result.unmatchedLines],
      outstandingPayments: result.unmatchedPayments.map((payment) => ({
        endToEndId: payment.paymentId,
        reason: payment.reason,
      })),
    }
  }
}
