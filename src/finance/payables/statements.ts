// Bank statements: a camt.053 statement from the bank, reconciled against the payments GSS issued
// in payment runs (by end-to-end id, else amount + account + date, else amount + invoice number;
// see ../payments/reconcile.ts). Matches are recorded once; a statement imported again matches
// nothing twice, and what cannot be matched is listed with the reason, for a person.
import type { Tx } from '../../platform/db/index.ts'
import { BusinessRuleError, NotFoundError, ValidationError } from '../../platform/errors.ts'
import { Camt053Error, parseCamt053 } from '../payments/camt053.ts'
import { accountKey, type IssuedPayment, reconcile, statementLines } from '../payments/reconcile.ts'
import { XmlInputError } from '../payments/safe-xml.ts'

/** A day's statement for a shared service centre is far smaller. */
export const STATEMENT_BYTES_MAX = 20 * 1024 * 1024

export interface StatementReconciliation {
  /** The import, as recorded (the page shows the result from it). */
  id: string
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
      // XmlInputError: empty, too large, not UTF-8, or declaring a DOCTYPE/entity (never resolved).
      if (error instanceof Camt053Error || error instanceof XmlInputError)
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
    const reconciled = reconcile(issued, newLines)
    if (reconciled.matches.length > 0)
      await trx
        .insertInto('payment_statement_matches')
        .values(
          reconciled.matches.map((match) => ({
            org_id: orgId,
            end_to_end_id: match.paymentId,
            statement_line_id: match.lineId,
            rule: match.rule,
            statement_message_id: document.messageId,
            matched_by: userId,
          })),
        )
        .execute()
    const result = {
      messageId: document.messageId,
      statementIds: document.statements.map((statement) => statement.statementId),
      matched: reconciled.matches.map((match) => ({
        endToEndId: match.paymentId,
        statementLineId: match.lineId,
        rule: match.rule,
      })),
      alreadyReconciledLines: [...seen],
      unmatchedLines: [...reconciled.unmatchedLines],
      outstandingPayments: reconciled.unmatchedPayments.map((payment) => ({
        endToEndId: payment.paymentId,
        reason: payment.reason,
      })),
    }
    const recorded = await trx
      .insertInto('bank_statement_imports')
      .values({
        org_id: orgId,
        message_id: document.messageId.slice(0, 200),
        matched_count: result.matched.length,
        unmatched_count: result.unmatchedLines.length,
        result: JSON.stringify(result),
        imported_by: userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return { id: recorded.id, ...result }
  }

  /** One recorded import and its reconciliation. Errors: NotFoundError. */
  async getImport(
    trx: Tx,
    orgId: string,
    id: string,
  ): Promise<StatementReconciliation & { importedAt: Date; importedBy: string | null }> {
    const row = await trx
      .selectFrom('bank_statement_imports')
      .select(['id', 'result', 'imported_at', 'imported_by'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such bank statement import')
    const result = (typeof row.result === 'string' ? JSON.parse(row.result) : row.result) as Omit<
      StatementReconciliation,
      'id'
    >
    return { ...result, id: row.id, importedAt: row.imported_at, importedBy: row.imported_by }
  }

  /** The latest imports, newest first. */
  async listImports(trx: Tx, orgId: string, limit = 20) {
    return trx
      .selectFrom('bank_statement_imports')
      .select([
        'id',
        'message_id as messageId',
        'matched_count as matchedCount',
        'unmatched_count as unmatchedCount',
        'imported_at as importedAt',
      ])
      .where('org_id', '=', orgId)
      .orderBy('imported_at', 'desc')
      .orderBy('id')
      .limit(Math.min(limit, 100))
      .execute()
  }

  /** Payments issued in payment runs that no statement has yet matched, oldest first. */
  async outstandingPayments(trx: Tx, orgId: string, limit = 200) {
    return trx
      .selectFrom('payment_run_payments as p')
      .innerJoin('payment_runs as r', (join) =>
        join.onRef('r.org_id', '=', 'p.org_id').onRef('r.id', '=', 'p.run_id'),
      )
      .innerJoin('suppliers as s', (join) =>
        join.onRef('s.org_id', '=', 'p.org_id').onRef('s.id', '=', 'p.supplier_id'),
      )
      .leftJoin('payment_statement_matches as m', (join) =>
        join.onRef('m.org_id', '=', 'p.org_id').onRef('m.end_to_end_id', '=', 'p.end_to_end_id'),
      )
      .select([
        'p.end_to_end_id as endToEndId',
        's.name as supplierName',
        'p.amount_pence as amountPence',
        'r.pay_date as payDate',
        'r.number as runNumber',
      ])
      .where('p.org_id', '=', orgId)
      .where('m.end_to_end_id', 'is', null)
      .orderBy('r.pay_date')
      .orderBy('p.end_to_end_id')
      .limit(Math.min(limit, 1000))
      .execute()
  }
}
