// Payment runs: pay the approved invoices due by a date, one payment per supplier, in one
// pain.001.001.03 file and (for UK accounts) one Bacs Standard 18 file, and post the payment
// journal (debit trade payables, credit bank).
//
// Idempotency: a run is keyed by the caller's Idempotency-Key within the organisation. A
// transaction-scoped advisory lock on (organisation, key) serialises concurrent retries; the
// second finds the first's run and returns it, so one key is always one file and one set of
// payments. Invoices are locked FOR UPDATE and must still be approved, so two runs with different
// keys can never pay the same invoice.
import { createHash, randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import {
  assert,
  BusinessRuleError,
  type FieldError,
  IdempotencyMismatchError,
  NotFoundError,
  ValidationError,
} from '../../platform/errors.ts'
import { validateIban } from '../banking/iban.ts'
import { checkUkBankAccount } from '../banking/modulus.ts'
import { SYSTEM_ACCOUNTS } from '../chart.ts'
import type { LedgerService } from '../ledger.ts'
import { BacsFileError, buildBacsStandard18 } from '../payments/bacs.ts'
import {
  type AccountIdentifier,
  buildPain001,
  type CreditTransfer,
  Pain001Error,
} from '../payments/pain001.ts'
import { addDays, todayIso } from './invoices.ts'

/** The most invoices one run pays: a bank file's limits are in the tens of thousands of payments. */
export const INVOICES_PER_RUN_MAX = 10_000

export interface PaymentSettings {
  debtorName: string
  sortCode: string
  accountNumber: string
  bic?: string | undefined
  bacsServiceUserNumber: string
  bacsServiceUserName: string
}

export interface PaymentRunRequest {
  /** Approved invoices due on or before this date are paid. */
  dueBy: string
  /** The Bacs processing day and the pain.001 requested execution date; a weekday. */
  payDate: string
  idempotencyKey: string
}

export interface PaymentRunPayment {
  lineNo: number
  supplierId: string
  endToEndId: string
  amountPence: number
  remittance: string | null
}

export interface PaymentRun {
  id: string
  number: number
  dueBy: string
  payDate: string
  paymentCount: number
  totalPence: number
  pain001MessageId: string
  journalId: string
  hasBacsFile: boolean
  invoiceIds: string[]
  payments: PaymentRunPayment[]
}

export interface PaymentRunPreview {
  dueBy: string
  payments: Array<{
    supplierId: string
    supplierName: string
    invoiceCount: number
    creditNoteCount: number
    references: string[]
    amountPence: number
  }>
  totalPence: number
}

export interface PaymentRunSummary {
  id: string
  number: number
  dueBy: string
  payDate: string
  paymentCount: number
  totalPence: number
  hasBacsFile: boolean
}

function isRealDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
}

/** The most remittance text one pain.001 payment carries (unstructured, ISO 20022). */
const REMITTANCE_CHARS_MAX = 140

/**
 * The invoice references a payment settles, as remittance text within 140 characters: as many as
 * fit, then "and N more" (a supplier with many invoices in one run is still paid; the full list is
 * on the run's invoices).
 */
export function remittanceText(references: readonly string[]): string {
  let text = ''
  for (let index = 0; index < references.length; index++) {
    const next = text ? `${text} ${references[index]}` : references[index]!
    const rest = references.length - index - 1
    const tail = rest > 0 ? ` and ${rest} more` : ''
    if (next.length + tail.length > REMITTANCE_CHARS_MAX) {
      const more = ` and ${references.length - index} more`
      return `${text}${more}`.trim().slice(0, REMITTANCE_CHARS_MAX)
    }
    text = next
  }
  return text
}

/** Bacs references are 6-18 characters of its restricted set. */
function bacsReference(endToEndId: string): string {
  return endToEndId
    .replace(/[^A-Z0-9 .&/-]/gi, '')
    .toUpperCase()
    .padEnd(6, ' ')
    .slice(0, 18)
}

export class PaymentRunService {
  readonly #ledger: LedgerService
  constructor(ledger: LedgerService) {
    this.#ledger = ledger
  }

  /** Sets the account payments leave from. Errors: ValidationError (each bad field named). */
  async setPaymentSettings(trx: Tx, orgId: string, settings: PaymentSettings): Promise<void> {
    const problems: FieldError[] = []
    if (!settings.debtorName?.trim())
      problems.push({ field: '/debtorName', message: 'Enter the account name' })
    const account = checkUkBankAccount(settings.sortCode ?? '', settings.accountNumber ?? '')
    if ('field' in account) problems.push({ field: `/${account.field}`, message: account.reason })
    else if (!account.ok)
      problems.push({
        field: '/accountNumber',
        message: `The account fails the modulus check: ${account.reason}`,
      })
    if (!/^\d{6}$/.test(settings.bacsServiceUserNumber ?? ''))
      problems.push({
        field: '/bacsServiceUserNumber',
        message: 'The Bacs service user number must be 6 digits',
      })
    const name = settings.bacsServiceUserName?.trim() ?? ''
    if (!name || name.length > 18)
      problems.push({
        field: '/bacsServiceUserName',
        message: 'The Bacs service user name must be 1 to 18 characters',
      })
    if (problems.length)
      throw new ValidationError(
        problems.length === 1
          ? problems[0]!.message
          : `${problems.length} problems with the payment settings`,
        problems,
      )
    assert(!('field' in account), 'account checked above')
    const values = {
      debtor_name: settings.debtorName.trim(),
      sort_code: account.sortCode,
      account_number: account.accountNumber,
      bic: settings.bic?.replace(/\s/g, '').toUpperCase() || null,
      bacs_service_user_number: settings.bacsServiceUserNumber,
      bacs_service_user_name: name,
    }
    await trx
      .insertInto('payables_payment_settings')
      .values({ org_id: orgId, ...values })
      .onConflict((conflict) => conflict.column('org_id').doUpdateSet(values))
      .execute()
  }

  /**
   * Creates a payment run, or returns the run already made under the same key. Errors:
   * ValidationError (bad dates), IdempotencyMismatchError (the key was used for a different
   * request), BusinessRuleError (no payment settings, nothing due, a supplier cannot be paid, the
   * bank files cannot be made), and the ledger's errors for the payment journal.
   */
  async create(
    trx: Tx,
    orgId: string,
    request: PaymentRunRequest,
    userId: string | null,
    now = new Date(),
  ): Promise<{ run: PaymentRun; created: boolean }> {
    const problems: FieldError[] = []
    if (!isRealDate(request.dueBy))
      problems.push({ field: '/dueBy', message: 'Enter a real date, like 2026-05-31' })
    const today = todayIso(now)
    if (!isRealDate(request.payDate))
      problems.push({ field: '/payDate', message: 'Enter a real date, like 2026-05-31' })
    else if (request.payDate < today)
      problems.push({ field: '/payDate', message: 'The pay date cannot be in the past' })
    if (!request.idempotencyKey || request.idempotencyKey.length > 255)
      problems.push({
        field: '/headers/idempotency-key',
        message: 'Send an Idempotency-Key of 1 to 255 characters',
      })
    if (problems.length)
      throw new ValidationError(
        problems.length === 1 ? problems[0]!.message : `${problems.length} problems with the payment run`,
        problems,
      )

    const requestHash = createHash('sha256')
      .update(JSON.stringify([request.dueBy, request.payDate]))
      .digest('hex')
    await sql`select pg_advisory_xact_lock(hashtext(${`payment-run:${orgId}:${request.idempotencyKey}`}))`.execute(
      trx,
    )
    const existing = await trx
      .selectFrom('payment_runs')
      .select(['id', 'request_sha256'])
      .where('org_id', '=', orgId)
      .where('idempotency_key', '=', request.idempotencyKey)
      .executeTakeFirst()
    if (existing) {
      if (existing.request_sha256 !== requestHash)
        throw new IdempotencyMismatchError(
          `Idempotency-Key ${request.idempotencyKey} was used for a payment run with different dates`,
        )
      return { run: await this.get(trx, orgId, existing.id), created: false }
    }

    const settings = await trx
      .selectFrom('payables_payment_settings')
      .selectAll()
      .where('org_id', '=', orgId)
      .executeTakeFirst()
    if (!settings)
      throw new BusinessRuleError('Set the account payments leave from before making a payment run')

    // Step: take the approved invoices due, and every approved credit note of the same suppliers.
    const payable = await this.#payable(trx, orgId, request.dueBy, true)
    if (payable.length === 0)
      throw new BusinessRuleError(`No approved invoices are due on or before ${request.dueBy}`)

    const suppliers = new Map(
      (
        await trx
          .selectFrom('suppliers')
          .select(['id', 'name', 'sort_code', 'account_number', 'iban', 'bic'])
          .where('org_id', '=', orgId)
          .where(
            'id',
            'in',
            payable.map((entry) => entry.supplierId),
          )
          .execute()
      ).map((row) => [row.id, row]),
    )

    const [{ number }] = (
      await sql<{ number: string }>`select nextval('payment_run_numbers')::text as number`.execute(trx)
    ).rows as [{ number: string }]
    const runNumber = Number(number)
    const runId = randomUUID()
    const messageId = `GSS-PR-${runNumber}`
    const payments = payable.map((entry, index) => {
      const supplier = suppliers.get(entry.supplierId)
      assert(supplier, 'every invoice has its supplier')
      const uk =
        supplier.sort_code && supplier.account_number
          ? { sortCode: supplier.sort_code, accountNumber: supplier.account_number }
          : supplier.iban
            ? (() => {
                const check = validateIban(supplier.iban)
                return check.ok && check.uk
                  ? { sortCode: check.uk.sortCode, accountNumber: check.uk.accountNumber }
                  : null
              })()
            : null
      const references = entry.items.map((item) => item.supplier_reference)
      return {
        lineNo: index + 1,
        supplier,
        endToEndId: `${messageId}-${index + 1}`,
        amountPence: entry.amountPence,
        uk,
        remittance: remittanceText(references),
        items: entry.items,
      }
    })
    const totalPence = payments.reduce((sum, payment) => sum + payment.amountPence, 0)

    // Step: the files. Both are checked whole before anything is stored.
    let pain001Xml: string
    try {
      pain001Xml = buildPain001(
        {
          messageId,
          createdAt: now.toISOString().slice(0, 19),
          debtorName: settings.debtor_name,
          debtorAccount: { sortCode: settings.sort_code, accountNumber: settings.account_number },
          ...(settings.bic ? { debtorBic: settings.bic } : {}),
          requestedExecutionDate: request.payDate,
          batchBooking: false,
          payments: payments.map(
            (payment): CreditTransfer => ({
              endToEndId: payment.endToEndId,
              creditorName: payment.supplier.name,
              creditorAccount: (payment.supplier.iban && !payment.supplier.sort_code
                ? { iban: payment.supplier.iban }
                : {
                    sortCode: payment.supplier.sort_code!,
                    accountNumber: payment.supplier.account_number!,
                  }) as AccountIdentifier,
              ...(payment.supplier.bic ? { creditorBic: payment.supplier.bic } : {}),
              amountMinor: payment.amountPence,
              currency: 'GBP',
              remittanceReferences: [payment.remittance],
            }),
          ),
        },
        { version: 'pain.001.001.03' },
      ).xml
    } catch (error) {
      if (error instanceof Pain001Error) throw new BusinessRuleError(error.message)
      throw error
    }
    const bacsCredits = payments.filter((payment) => payment.uk)
    let bacsText: string | null = null
    if (bacsCredits.length > 0) {
      try {
        bacsText = buildBacsStandard18({
          serviceUserNumber: settings.bacs_service_user_number,
          serviceUserName: settings.bacs_service_user_name,
          originatingSortCode: settings.sort_code,
          originatingAccountNumber: settings.account_number,
          originatingAccountName: settings.debtor_name.slice(0, 18),
          submissionSerialNumber: (runNumber % 36 ** 6).toString(36).toUpperCase().padStart(6, '0'),
          creationDate: today,
          processingDate: request.payDate,
          contraNarrative: messageId,
          credits: bacsCredits.map((payment) => ({
            destinationSortCode: payment.uk!.sortCode,
            destinationAccountNumber: payment.uk!.accountNumber,
            destinationAccountName: payment.supplier.name,
            amountPence: payment.amountPence,
            reference: bacsReference(payment.endToEndId),
          })),
        }).text
      } catch (error) {
        if (error instanceof BacsFileError) throw new BusinessRuleError(error.message)
        throw error
      }
    }

    // Step: the payment journal, one line per supplier against the bank.
    const [journal] = await this.#ledger.postJournals(
      trx,
      orgId,
      [
        {
          date: request.payDate,
          description: `Payment run ${runNumber}: ${payments.length} supplier payment${payments.length === 1 ? '' : 's'}`,
          reference: messageId,
          source: 'payables',
          lines: [
            ...payments.map((payment) => ({
              accountCode: SYSTEM_ACCOUNTS.tradePayables,
              amountMinor: payment.amountPence,
              description: `${payment.supplier.name} ${payment.endToEndId}`.slice(0, 500),
            })),
            { accountCode: SYSTEM_ACCOUNTS.bank, amountMinor: -totalPence, description: messageId },
          ],
        },
      ],
      userId,
    )
    assert(journal, 'the ledger returns the journal it posted')

    // Step: store the run and its payments, and mark the invoices paid by it.
    await trx
      .insertInto('payment_runs')
      .values({
        org_id: orgId,
        id: runId,
        number: runNumber,
        idempotency_key: request.idempotencyKey,
        request_sha256: requestHash,
        due_by: request.dueBy,
        pay_date: request.payDate,
        payment_count: payments.length,
        total_pence: totalPence,
        pain001_message_id: messageId,
        pain001_xml: pain001Xml,
        bacs_text: bacsText,
        journal_id: journal.id,
        created_by: userId,
      })
      .execute()
    await trx
      .insertInto('payment_run_payments')
      .values(
        payments.map((payment) => ({
          org_id: orgId,
          run_id: runId,
          line_no: payment.lineNo,
          supplier_id: payment.supplier.id,
          end_to_end_id: payment.endToEndId,
          amount_pence: payment.amountPence,
          sort_code: payment.supplier.sort_code,
          account_number: payment.supplier.account_number,
          iban: payment.supplier.iban,
          remittance: payment.remittance,
        })),
      )
      .execute()
    const invoiceIds = payments.flatMap((payment) => payment.items.map((item) => item.id))
    const updated = await trx
      .updateTable('supplier_invoices')
      .set({ status: 'paid', payment_run_id: runId })
      .where('org_id', '=', orgId)
      .where('id', 'in', invoiceIds)
      .where('status', '=', 'approved')
      .executeTakeFirst()
    assert(
      Number(updated.numUpdatedRows) === invoiceIds.length,
      'every invoice in the run was still approved',
    )
    return { run: await this.get(trx, orgId, runId), created: true }
  }

  /**
   * What a run would pay: per supplier, the approved invoices due by the date and every approved
   * credit note, for suppliers owed more than their credits. `lock` takes the invoices FOR UPDATE.
   */
  async #payable(trx: Tx, orgId: string, dueBy: string, lock: boolean) {
    let query = trx
      .selectFrom('supplier_invoices')
      .select(['id', 'supplier_id', 'kind', 'gross_pence', 'supplier_reference', 'due_date'])
      .where('org_id', '=', orgId)
      .where('status', '=', 'approved')
      .where((eb) => eb.or([eb('due_date', '<=', dueBy), eb('kind', '=', 'credit-note')]))
      .orderBy('supplier_id')
      .orderBy('due_date')
      .orderBy('id')
      .limit(INVOICES_PER_RUN_MAX + 1)
    if (lock) query = query.forUpdate()
    const due = await query.execute()
    if (due.length > INVOICES_PER_RUN_MAX)
      throw new BusinessRuleError(
        `More than ${INVOICES_PER_RUN_MAX} invoices are due: choose an earlier due-by date`,
      )
    const bySupplier = new Map<string, typeof due>()
    for (const invoice of due)
      bySupplier.set(invoice.supplier_id, [...(bySupplier.get(invoice.supplier_id) ?? []), invoice])
    return (
      [...bySupplier.entries()]
        .map(([supplierId, items]) => ({
          supplierId,
          items,
          amountPence: items.reduce(
            (sum, item) => sum + (item.kind === 'invoice' ? item.gross_pence : -item.gross_pence),
            0,
          ),
        }))
        // A supplier is paid only when it has an invoice due and is owed more than its credits.
        .filter((entry) => entry.items.some((item) => item.kind === 'invoice') && entry.amountPence > 0)
    )
  }

  /**
   * What a run paying the approved invoices due by a date would pay, for a person to check before
   * making it. Errors: ValidationError (not a real date), BusinessRuleError (too many invoices).
   */
  async preview(trx: Tx, orgId: string, dueBy: string): Promise<PaymentRunPreview> {
    if (!isRealDate(dueBy))
      throw new ValidationError('Enter a real date, like 2026-05-31', [
        { field: '/dueBy', message: 'Enter a real date, like 2026-05-31' },
      ])
    const payable = await this.#payable(trx, orgId, dueBy, false)
    const names = new Map(
      payable.length === 0
        ? []
        : (
            await trx
              .selectFrom('suppliers')
              .select(['id', 'name'])
              .where('org_id', '=', orgId)
              .where(
                'id',
                'in',
                payable.map((entry) => entry.supplierId),
              )
              .execute()
          ).map((row) => [row.id, row.name]),
    )
    const payments = payable
      .map((entry) => ({
        supplierId: entry.supplierId,
        supplierName: names.get(entry.supplierId) ?? '',
        invoiceCount: entry.items.filter((item) => item.kind === 'invoice').length,
        creditNoteCount: entry.items.filter((item) => item.kind === 'credit-note').length,
        references: entry.items.map((item) => item.supplier_reference),
        amountPence: entry.amountPence,
      }))
      .sort((a, b) => a.supplierName.localeCompare(b.supplierName))
    return {
      dueBy,
      payments,
      totalPence: payments.reduce((sum, payment) => sum + payment.amountPence, 0),
    }
  }

  /** The organisation's payment runs, newest first. */
  async list(trx: Tx, orgId: string, limit = 50): Promise<PaymentRunSummary[]> {
    const rows = await trx
      .selectFrom('payment_runs')
      .select([
        'id',
        'number',
        'due_by',
        'pay_date',
        'payment_count',
        'total_pence',
        sql<boolean>`bacs_text is not null`.as('has_bacs'),
      ])
      .where('org_id', '=', orgId)
      .orderBy('number', 'desc')
      .limit(Math.min(limit, 200))
      .execute()
    return rows.map((row) => ({
      id: row.id,
      number: Number(row.number),
      dueBy: row.due_by,
      payDate: row.pay_date,
      paymentCount: row.payment_count,
      totalPence: Number(row.total_pence),
      hasBacsFile: row.has_bacs,
    }))
  }

  /** The account payments leave from, if set. */
  async paymentSettings(trx: Tx, orgId: string): Promise<PaymentSettings | undefined> {
    const row = await trx
      .selectFrom('payables_payment_settings')
      .selectAll()
      .where('org_id', '=', orgId)
      .executeTakeFirst()
    return (
      row && {
        debtorName: row.debtor_name,
        sortCode: row.sort_code,
        accountNumber: row.account_number,
        bic: row.bic ?? undefined,
        bacsServiceUserNumber: row.bacs_service_user_number,
        bacsServiceUserName: row.bacs_service_user_name,
      }
    )
  }

  /** Errors: NotFoundError. */
  async get(trx: Tx, orgId: string, id: string): Promise<PaymentRun> {
    const row = await trx
      .selectFrom('payment_runs')
      .select([
        'id',
        'number',
        'due_by',
        'pay_date',
        'payment_count',
        'total_pence',
        'pain001_message_id',
        'journal_id',
        sql<boolean>`bacs_text is not null`.as('has_bacs'),
      ])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such payment run')
    const [payments, invoices] = await Promise.all([
      trx
        .selectFrom('payment_run_payments')
        .select(['line_no', 'supplier_id', 'end_to_end_id', 'amount_pence', 'remittance'])
        .where('org_id', '=', orgId)
        .where('run_id', '=', id)
        .orderBy('line_no')
        .execute(),
      trx
        .selectFrom('supplier_invoices')
        .select('id')
        .where('org_id', '=', orgId)
        .where('payment_run_id', '=', id)
        .orderBy('id')
        .execute(),
    ])
    return {
      id: row.id,
      number: Number(row.number),
      dueBy: row.due_by,
      payDate: row.pay_date,
      paymentCount: row.payment_count,
      totalPence: row.total_pence,
      pain001MessageId: row.pain001_message_id,
      journalId: row.journal_id,
      hasBacsFile: row.has_bacs,
      invoiceIds: invoices.map((invoice) => invoice.id),
      payments: payments.map((payment) => ({
        lineNo: payment.line_no,
        supplierId: payment.supplier_id,
        endToEndId: payment.end_to_end_id,
        amountPence: payment.amount_pence,
        remittance: payment.remittance,
      })),
    }
  }

  /** The run's files. Errors: NotFoundError (no run, or a run with no Bacs file asked for one). */
  async file(trx: Tx, orgId: string, id: string, kind: 'pain001' | 'bacs'): Promise<string> {
    const row = await trx
      .selectFrom('payment_runs')
      .select(['pain001_xml', 'bacs_text'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such payment run')
    const text = kind === 'pain001' ? row.pain001_xml : row.bacs_text
    if (text === null)
      throw new NotFoundError('This payment run has no Bacs file: none of its suppliers has a UK account')
    return text
  }
}

/** The next weekday on or after a date: a default pay date that Bacs will accept. */
export function nextWeekday(isoDate: string): string {
  let date = isoDate
  for (let step = 0; step < 7; step++) {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay()
    if (weekday !== 0 && weekday !== 6) return date
    date = addDays(date, 1)
  }
  return date
}
