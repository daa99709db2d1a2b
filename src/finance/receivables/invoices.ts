// Sales invoices and credit notes. Issuing is one transaction of named steps: check the lines and
// compute VAT as EN 16931 does, lock the customer (credit limit, what is left to credit), take the
// next number of the series, post the journal, store the document. Any failure rolls the whole
// transaction back, number included, so the series has no gaps and no document lacks its journal.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import {
  assert,
  BusinessRuleError,
  type FieldError,
  NotFoundError,
  ValidationError,
} from '../../platform/errors.ts'
import { SYSTEM_ACCOUNTS } from '../chart.ts'
import type { JournalLineInput, LedgerService } from '../ledger.ts'
import { addDays, isRealDate, lockCustomer, poundsText, todayIso } from './common.ts'
import type { SettingsService } from './settings.ts'
import type { SalesDocumentKind, VatCategoryCode } from './tables.ts'
import {
  documentTotals,
  lineNetPence,
  normaliseQuantity,
  normaliseUnitPrice,
  VAT_RATE_NAMES,
  VAT_RATES,
  type VatBreakdownRow,
  type VatRateName,
  vatRateName,
} from './vat.ts'

export const LINES_PER_DOCUMENT_MAX = 200
export const DOCUMENTS_PER_PAGE_MAX = 500

export interface SalesLineInput {
  description: string
  /** An income account (4xxxxxxx). */
  accountCode: string
  costCentreCode?: string | undefined
  /** Decimal text, up to 4 places, more than zero. */
  quantity: string
  /** Net unit price in pounds, decimal text up to 4 places. */
  unitPrice: string
  vatRate: VatRateName
}

export interface SalesInvoiceInput {
  customerId: string
  /** Defaults to today. */
  issueDate?: string | undefined
  /** Defaults to the issue date plus the customer's payment terms. */
  dueDate?: string | undefined
  /** The customer's purchase order or reference (BT-10); defaults to the invoice number. */
  buyerReference?: string | undefined
  note?: string | undefined
  lines: SalesLineInput[]
}

export interface CreditNoteInput {
  /** Defaults to today. */
  issueDate?: string | undefined
  /** Why the invoice is credited: printed on the credit note. */
  reason: string
  /** The lines credited; when absent, every line of the invoice (a full credit). */
  lines?: SalesLineInput[] | undefined
}

export interface SalesLine {
  lineNo: number
  description: string
  accountCode: string
  costCentreCode: string | null
  quantity: string
  unitPrice: string
  netPence: number
  vatCategory: VatCategoryCode
  vatRatePercent: string
  vatRate: VatRateName
}

export type SalesInvoiceStatus = 'open' | 'overdue' | 'part-paid' | 'paid' | 'credited' | 'credit-note'

export interface SalesDocumentSummary {
  id: string
  kind: SalesDocumentKind
  number: string
  customerId: string
  customerName: string
  issueDate: string
  dueDate: string
  buyerReference: string
  netPence: number
  vatPence: number
  grossPence: number
  /** Receipts allocated to it (invoices; 0 for credit notes). */
  allocatedPence: number
  /** Credit notes issued against it (invoices; 0 for credit notes). */
  creditedPence: number
  /** What the customer still owes on it (invoices; 0 for credit notes). */
  outstandingPence: number
  status: SalesInvoiceStatus
}

export interface SalesDocument extends SalesDocumentSummary {
  sequenceNumber: number
  currency: string
  note: string | null
  creditedInvoice: { id: string; number: string; issueDate: string } | null
  journalId: string
  lines: SalesLine[]
  vatBreakdown: VatBreakdownRow[]
  allocations: Array<{ receiptId: string; reference: string; receivedOn: string; amountPence: number }>
  creditNotes: Array<{ id: string; number: string; issueDate: string; grossPence: number }>
}

interface PreparedLine {
  description: string
  accountCode: string
  costCentreCode: string | null
  quantity: string
  unitPrice: string
  netPence: number
  vatCategory: VatCategoryCode
  vatRatePercent: string
}

/** Checks lines and computes each one's net amount; every problem is named by its JSON pointer. */
export function prepareLines(lines: readonly SalesLineInput[], problems: FieldError[]): PreparedLine[] {
  if (lines.length === 0) problems.push({ field: '/lines', message: 'Add at least one line' })
  if (lines.length > LINES_PER_DOCUMENT_MAX)
    problems.push({ field: '/lines', message: `A document can have at most ${LINES_PER_DOCUMENT_MAX} lines` })
  return lines.map((line, index) => {
    const at = (field: string) => `/lines/${index}/${field}`
    const description = line.description?.trim() ?? ''
    if (!description) problems.push({ field: at('description'), message: 'Enter a description' })
    else if (description.length > 500)
      problems.push({ field: at('description'), message: 'Description must be 500 characters or fewer' })
    const accountCode = line.accountCode?.trim() ?? ''
    if (!/^4\d{7}$/.test(accountCode))
      problems.push({
        field: at('accountCode'),
        message: 'Choose an income account (its code starts with 4)',
      })
    const quantity = normaliseQuantity(line.quantity ?? '')
    if (quantity === undefined)
      problems.push({
        field: at('quantity'),
        message: 'Enter a quantity more than 0, with up to 4 decimal places, like 1 or 2.5',
      })
    const unitPrice = normaliseUnitPrice(line.unitPrice ?? '')
    if (unitPrice === undefined)
      problems.push({
        field: at('unitPrice'),
        message: 'Enter a unit price in pounds, £0 or more, with up to 4 decimal places, like 125.50',
      })
    const rate = VAT_RATES[line.vatRate]
    if (!rate)
      problems.push({ field: at('vatRate'), message: `Choose a VAT rate: ${VAT_RATE_NAMES.join(', ')}` })
    let netPence = 0
    if (quantity !== undefined && unitPrice !== undefined) {
      const net = lineNetPence(quantity, unitPrice)
      if (net === undefined)
        problems.push({ field: at('unitPrice'), message: 'The line’s amount is too large' })
      else netPence = net
    }
    return {
      description,
      accountCode,
      costCentreCode: line.costCentreCode?.trim() || null,
      quantity: quantity ?? '0',
      unitPrice: unitPrice ?? '0',
      netPence,
      vatCategory: rate?.category ?? 'S',
      vatRatePercent: rate?.ratePercent ?? '20',
    }
  })
}

function documentStatus(
  kind: SalesDocumentKind,
  dueDate: string,
  gross: number,
  outstanding: number,
  credited: number,
  today: string,
): SalesInvoiceStatus {
  if (kind === 'credit-note') return 'credit-note'
  if (outstanding === 0) return credited === gross ? 'credited' : 'paid'
  if (dueDate < today) return 'overdue'
  return outstanding < gross ? 'part-paid' : 'open'
}

const allocatedSql = sql<number>`(select coalesce(sum(a.amount_pence), 0)::bigint from receipt_allocations a
  where a.org_id = i.org_id and a.invoice_id = i.id)`
const creditedSql = sql<number>`(select coalesce(sum(c.gross_pence), 0)::bigint from sales_invoices c
  where c.org_id = i.org_id and c.credited_invoice_id = i.id)`

export class SalesInvoiceService {
  readonly #ledger: LedgerService
  readonly #settings: SettingsService

  constructor(ledger: LedgerService, settings: SettingsService) {
    this.#ledger = ledger
    this.#settings = settings
  }

  /**
   * Issues an invoice: numbered, posted (Dr receivables, Cr income and VAT output) and stored in
   * the caller's transaction. Errors: ValidationError (bad fields, each named; a closed period),
   * NotFoundError (no such customer), BusinessRuleError (no invoicing details; over the
   * customer's credit limit).
   */
  async issueInvoice(
    trx: Tx,
    orgId: string,
    input: SalesInvoiceInput,
    issuedBy: string | null,
    today = todayIso(),
  ): Promise<SalesDocument> {
    const problems: FieldError[] = []
    const issueDate = input.issueDate?.trim() || today
    if (!isRealDate(issueDate)) problems.push({ field: '/issueDate', message: 'Enter a real invoice date' })
    const dueDateText = input.dueDate?.trim() || undefined
    if (dueDateText !== undefined && !isRealDate(dueDateText))
      problems.push({ field: '/dueDate', message: 'Enter a real due date' })
    else if (dueDateText !== undefined && isRealDate(issueDate) && dueDateText < issueDate)
      problems.push({ field: '/dueDate', message: 'The due date must be on or after the invoice date' })
    const buyerReference = input.buyerReference?.trim() || undefined
    if (buyerReference && buyerReference.length > 100)
      problems.push({ field: '/buyerReference', message: 'The reference must be 100 characters or fewer' })
    const note = input.note?.trim() || null
    if (note && note.length > 1000)
      problems.push({ field: '/note', message: 'The note must be 1,000 characters or fewer' })
    const lines = prepareLines(input.lines, problems)
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    const totals = documentTotals(
      lines.map((l) => ({ netPence: l.netPence, category: l.vatCategory, ratePercent: l.vatRatePercent })),
    )
    if (totals.grossPence === 0)
      throw new ValidationError('An invoice must be for more than £0', [
        { field: '/lines/0/unitPrice', message: 'An invoice must be for more than £0' },
      ])

    const settings = await this.#settings.get(trx, orgId)
    // Step: lock the customer, then check the credit limit against what is already owed.
    const customer = await lockCustomer(trx, orgId, input.customerId)
    if (customer.credit_limit_pence !== null) {
      const owed = await this.balancePence(trx, orgId, customer.id)
      if (owed + totals.grossPence > customer.credit_limit_pence)
        throw new BusinessRuleError(
          `${customer.name} owes ${poundsText(owed)}; this invoice for ${poundsText(totals.grossPence)} would take them over their credit limit of ${poundsText(customer.credit_limit_pence)}`,
          [
            {
              field: '/customerId',
              message: `This invoice would take ${customer.name} over their credit limit`,
            },
          ],
        )
    }
    const dueDate = dueDateText ?? addDays(issueDate, customer.payment_terms_days)
    return this.#issue(trx, orgId, {
      kind: 'invoice',
      prefix: settings.invoicePrefix,
      customerId: customer.id,
      customerName: customer.name,
      controlAccountCode: customer.control_account_code,
      issueDate,
      dueDate,
      buyerReference,
      note,
      creditedInvoiceId: null,
      lines,
      totals,
      issuedBy,
    })
  }

  /**
   * Issues a credit note against an invoice, posting the reverse of an invoice (Dr income and VAT
   * output, Cr receivables). It may credit no more than the invoice still has outstanding.
   * Errors: NotFoundError (no such invoice), ValidationError, BusinessRuleError (not an invoice;
   * more than is outstanding; no invoicing details).
   */
  async issueCreditNote(
    trx: Tx,
    orgId: string,
    invoiceId: string,
    input: CreditNoteInput,
    issuedBy: string | null,
    today = todayIso(),
  ): Promise<SalesDocument> {
    const original = await trx
      .selectFrom('sales_invoices')
      .select(['id', 'kind', 'customer_id', 'number', 'issue_date', 'buyer_reference'])
      .where('org_id', '=', orgId)
      .where('id', '=', invoiceId)
      .executeTakeFirst()
    if (!original) throw new NotFoundError('There is no such invoice')
    if (original.kind !== 'invoice')
      throw new BusinessRuleError(`${original.number} is a credit note: only an invoice can be credited`)
    const problems: FieldError[] = []
    const issueDate = input.issueDate?.trim() || today
    if (!isRealDate(issueDate)) problems.push({ field: '/issueDate', message: 'Enter a real date' })
    else if (issueDate < original.issue_date)
      problems.push({ field: '/issueDate', message: 'A credit note cannot be dated before its invoice' })
    const reason = input.reason?.trim() ?? ''
    if (!reason) problems.push({ field: '/reason', message: 'Enter the reason for the credit note' })
    else if (reason.length > 1000)
      problems.push({ field: '/reason', message: 'The reason must be 1,000 characters or fewer' })
    const lineInputs =
      input.lines ??
      (await this.#lines(trx, orgId, invoiceId)).map((line) => ({
        description: line.description,
        accountCode: line.accountCode,
        costCentreCode: line.costCentreCode ?? undefined,
        quantity: line.quantity,
        unitPrice: line.unitPrice,
        vatRate: line.vatRate,
      }))
    const lines = prepareLines(lineInputs, problems)
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    const totals = documentTotals(
      lines.map((l) => ({ netPence: l.netPence, category: l.vatCategory, ratePercent: l.vatRatePercent })),
    )
    if (totals.grossPence === 0)
      throw new ValidationError('A credit note must be for more than £0', [
        { field: '/lines/0/unitPrice', message: 'A credit note must be for more than £0' },
      ])
    const settings = await this.#settings.get(trx, orgId)
    const customer = await lockCustomer(trx, orgId, original.customer_id)
    // Under the lock: nothing else can pay or credit the invoice while this is checked.
    const [state] = await this.#summaries(trx, orgId, { ids: [invoiceId] }, today)
    assert(state, 'the invoice read a moment ago still exists')
    if (totals.grossPence > state.outstandingPence)
      throw new BusinessRuleError(
        `${original.number} has ${poundsText(state.outstandingPence)} outstanding: a credit note for ${poundsText(totals.grossPence)} is more than that`,
        [{ field: '/lines', message: `Credit at most ${poundsText(state.outstandingPence)}` }],
      )
    return this.#issue(trx, orgId, {
      kind: 'credit-note',
      prefix: settings.creditNotePrefix,
      customerId: customer.id,
      customerName: customer.name,
      controlAccountCode: customer.control_account_code,
      issueDate,
      dueDate: issueDate,
      buyerReference: original.buyer_reference,
      note: reason,
      creditedInvoiceId: invoiceId,
      lines,
      totals,
      issuedBy,
    })
  }

  async #issue(
    trx: Tx,
    orgId: string,
    doc: {
      kind: SalesDocumentKind
      prefix: string
      customerId: string
      customerName: string
      controlAccountCode: string
      issueDate: string
      dueDate: string
      buyerReference: string | undefined
      note: string | null
      creditedInvoiceId: string | null
      lines: PreparedLine[]
      totals: ReturnType<typeof documentTotals>
      issuedBy: string | null
    },
  ): Promise<SalesDocument> {
    // Step: the next number. The upsert takes the series row's lock until commit; a rollback
    // returns the number, so the sequence never has a gap.
    const { rows } = await sql<{ n: number }>`
      insert into receivables_sequences (org_id, series, next_number) values (${orgId}, ${doc.kind}, 2)
      on conflict (org_id, series) do update set next_number = receivables_sequences.next_number + 1
      returning next_number - 1 as n`.execute(trx)
    const sequenceNumber = Number(rows[0]!.n)
    const number = `${doc.prefix}-${String(sequenceNumber).padStart(6, '0')}`
    const id = randomUUID()

    // Step: the journal. An invoice debits the customer's control account and credits income
    // (each line to its account and cost centre) and VAT output; a credit note the reverse.
    const sign = doc.kind === 'invoice' ? 1 : -1
    const journalLines: JournalLineInput[] = [
      {
        accountCode: doc.controlAccountCode,
        amountMinor: sign * doc.totals.grossPence,
        description: `${doc.customerName} ${number}`.slice(0, 500),
      },
    ]
    for (const line of doc.lines) {
      if (line.netPence === 0) continue
      journalLines.push({
        accountCode: line.accountCode,
        costCentreCode: line.costCentreCode ?? undefined,
        amountMinor: -sign * line.netPence,
        description: line.description.slice(0, 500),
      })
    }
    if (doc.totals.vatPence > 0)
      journalLines.push({
        accountCode: SYSTEM_ACCOUNTS.vatPayable,
        amountMinor: -sign * doc.totals.vatPence,
        description: `VAT output ${number}`,
      })
    let journalId: string
    try {
      const [journal] = await this.#ledger.postJournals(
        trx,
        orgId,
        [
          {
            date: doc.issueDate,
            description:
              `${doc.kind === 'invoice' ? 'Sales invoice' : 'Credit note'} ${number} to ${doc.customerName}`.slice(
                0,
                500,
              ),
            reference: number,
            source: 'receivables',
            lines: journalLines,
          },
        ],
        doc.issuedBy,
      )
      assert(journal, 'the ledger returns the journal it posted')
      journalId = journal.id
    } catch (error) {
      throw remapLedgerError(error, doc.lines)
    }

    // Step: the document and its lines.
    await trx
      .insertInto('sales_invoices')
      .values({
        org_id: orgId,
        id,
        customer_id: doc.customerId,
        kind: doc.kind,
        sequence_number: sequenceNumber,
        number,
        issue_date: doc.issueDate,
        due_date: doc.dueDate,
        buyer_reference: doc.buyerReference ?? number,
        note: doc.note,
        credited_invoice_id: doc.creditedInvoiceId,
        net_pence: doc.totals.netPence,
        vat_pence: doc.totals.vatPence,
        gross_pence: doc.totals.grossPence,
        journal_id: journalId,
        issued_by: doc.issuedBy,
      })
      .execute()
    await trx
      .insertInto('sales_invoice_lines')
      .values(
        doc.lines.map((line, index) => ({
          org_id: orgId,
          invoice_id: id,
          line_no: index + 1,
          description: line.description,
          account_code: line.accountCode,
          cost_centre_code: line.costCentreCode,
          quantity: line.quantity,
          unit_price: line.unitPrice,
          net_pence: line.netPence,
          vat_category: line.vatCategory,
          vat_rate_percent: line.vatRatePercent,
        })),
      )
      .execute()
    return this.get(trx, orgId, id)
  }

  async #lines(trx: Tx, orgId: string, invoiceId: string): Promise<SalesLine[]> {
    const rows = await trx
      .selectFrom('sales_invoice_lines')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('invoice_id', '=', invoiceId)
      .orderBy('line_no')
      .execute()
    return rows.map((row) => ({
      lineNo: row.line_no,
      description: row.description,
      accountCode: row.account_code,
      costCentreCode: row.cost_centre_code,
      quantity: row.quantity,
      unitPrice: row.unit_price,
      netPence: row.net_pence,
      vatCategory: row.vat_category,
      vatRatePercent: row.vat_rate_percent,
      vatRate: vatRateName(row.vat_category, row.vat_rate_percent),
    }))
  }

  async #summaries(
    trx: Tx,
    orgId: string,
    filter: {
      ids?: string[] | undefined
      customerId?: string | undefined
      kind?: SalesDocumentKind | undefined
      openOnly?: boolean | undefined
    },
    today: string,
    limit = DOCUMENTS_PER_PAGE_MAX,
  ): Promise<SalesDocumentSummary[]> {
    let query = trx
      .selectFrom('sales_invoices as i')
      .innerJoin('customers as c', (join) =>
        join.onRef('c.org_id', '=', 'i.org_id').onRef('c.id', '=', 'i.customer_id'),
      )
      .select([
        'i.id',
        'i.kind',
        'i.number',
        'i.customer_id',
        'c.name as customer_name',
        'i.issue_date',
        'i.due_date',
        'i.buyer_reference',
        'i.net_pence',
        'i.vat_pence',
        'i.gross_pence',
        allocatedSql.as('allocated_pence'),
        creditedSql.as('credited_pence'),
      ])
      .where('i.org_id', '=', orgId)
    if (filter.ids) query = query.where('i.id', 'in', filter.ids)
    if (filter.customerId) query = query.where('i.customer_id', '=', filter.customerId)
    if (filter.kind) query = query.where('i.kind', '=', filter.kind)
    if (filter.openOnly)
      query = query
        .where('i.kind', '=', 'invoice')
        .where(sql<boolean>`i.gross_pence > ${allocatedSql} + ${creditedSql}`)
    const rows = await query
      .orderBy('i.issue_date', 'desc')
      .orderBy('i.number', 'desc')
      .limit(Math.min(limit, DOCUMENTS_PER_PAGE_MAX))
      .execute()
    return rows.map((row) => {
      const allocated = Number(row.allocated_pence)
      const credited = Number(row.credited_pence)
      const outstanding = row.kind === 'invoice' ? row.gross_pence - allocated - credited : 0
      return {
        id: row.id,
        kind: row.kind,
        number: row.number,
        customerId: row.customer_id,
        customerName: row.customer_name,
        issueDate: row.issue_date,
        dueDate: row.due_date,
        buyerReference: row.buyer_reference,
        netPence: row.net_pence,
        vatPence: row.vat_pence,
        grossPence: row.gross_pence,
        allocatedPence: allocated,
        creditedPence: credited,
        outstandingPence: outstanding,
        status: documentStatus(row.kind, row.due_date, row.gross_pence, outstanding, credited, today),
      }
    })
  }

  /** Invoices and credit notes, newest first. */
  list(
    trx: Tx,
    orgId: string,
    filter: {
      customerId?: string | undefined
      kind?: SalesDocumentKind | undefined
      openOnly?: boolean | undefined
    } = {},
    limit = DOCUMENTS_PER_PAGE_MAX,
    today = todayIso(),
  ): Promise<SalesDocumentSummary[]> {
    return this.#summaries(trx, orgId, filter, today, limit)
  }

  /** What the customer owes now: invoices less receipts and credit notes (receipts on account too). */
  async balancePence(trx: Tx, orgId: string, customerId: string): Promise<number> {
    const { rows } = await sql<{ balance: number }>`
      select
        (select coalesce(sum(case when kind = 'invoice' then gross_pence else -gross_pence end), 0)::bigint
           from sales_invoices where org_id = ${orgId} and customer_id = ${customerId})
        - (select coalesce(sum(amount_pence), 0)::bigint
           from receipts where org_id = ${orgId} and customer_id = ${customerId}) as balance`.execute(trx)
    return Number(rows[0]!.balance)
  }

  /** One invoice or credit note with its lines, VAT breakdown, receipts and credit notes. Errors: NotFoundError. */
  async get(trx: Tx, orgId: string, id: string, today = todayIso()): Promise<SalesDocument> {
    const [summary] = await this.#summaries(trx, orgId, { ids: [id] }, today)
    if (!summary) throw new NotFoundError('There is no such invoice or credit note')
    const row = await trx
      .selectFrom('sales_invoices')
      .select(['sequence_number', 'currency', 'note', 'credited_invoice_id', 'journal_id'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    const lines = await this.#lines(trx, orgId, id)
    const credited = row.credited_invoice_id
      ? await trx
          .selectFrom('sales_invoices')
          .select(['id', 'number', 'issue_date'])
          .where('org_id', '=', orgId)
          .where('id', '=', row.credited_invoice_id)
          .executeTakeFirstOrThrow()
      : null
    const allocations = await trx
      .selectFrom('receipt_allocations as a')
      .innerJoin('receipts as r', (join) =>
        join.onRef('r.org_id', '=', 'a.org_id').onRef('r.id', '=', 'a.receipt_id'),
      )
      .select(['r.id as receipt_id', 'r.reference', 'r.received_on', 'a.amount_pence'])
      .where('a.org_id', '=', orgId)
      .where('a.invoice_id', '=', id)
      .orderBy('r.received_on')
      .execute()
    const creditNotes = await trx
      .selectFrom('sales_invoices')
      .select(['id', 'number', 'issue_date', 'gross_pence'])
      .where('org_id', '=', orgId)
      .where('credited_invoice_id', '=', id)
      .orderBy('number')
      .execute()
    return {
      ...summary,
      sequenceNumber: Number(row.sequence_number),
      currency: row.currency,
      note: row.note,
      creditedInvoice: credited
        ? { id: credited.id, number: credited.number, issueDate: credited.issue_date }
        : null,
      journalId: row.journal_id,
      lines,
      vatBreakdown: documentTotals(
        lines.map((l) => ({ netPence: l.netPence, category: l.vatCategory, ratePercent: l.vatRatePercent })),
      ).breakdown,
      allocations: allocations.map((a) => ({
        receiptId: a.receipt_id,
        reference: a.reference,
        receivedOn: a.received_on,
        amountPence: a.amount_pence,
      })),
      creditNotes: creditNotes.map((c) => ({
        id: c.id,
        number: c.number,
        issueDate: c.issue_date,
        grossPence: c.gross_pence,
      })),
    }
  }
}

/** Points the ledger's problems (about the journal) at the document's own fields. */
function remapLedgerError(error: unknown, lines: readonly PreparedLine[]): unknown {
  if (!(error instanceof ValidationError)) return error
  const fields = error.fieldErrors.map((problem) => {
    if (problem.field === '/journals/0/date') return { field: '/issueDate', message: problem.message }
    const line = /^\/journals\/0\/lines\/\d+\/(accountCode|costCentreCode)$/.exec(problem.field)
    if (line) {
      const code = /(\S+)$/.exec(problem.message)?.[1]
      const index = lines.findIndex(
        (l) => (line[1] === 'accountCode' ? l.accountCode : l.costCentreCode) === code,
      )
      if (index >= 0) return { field: `/lines/${index}/${line[1]}`, message: problem.message }
    }
    return problem
  })
  return new ValidationError(fields[0]?.message ?? error.message, fields)
}
