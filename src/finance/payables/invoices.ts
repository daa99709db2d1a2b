// Supplier invoices and credit notes: capture (JSON or UBL e-invoice), duplicate flags, delegated
// approval with segregation of duties and HM Treasury consent, and the posting on approval.
//
// Approval is one transaction of named steps: check the rules, post the journal through the
// ledger, mark the invoice approved. Any failure rolls the whole transaction back, so there is
// never an approved invoice without its journal or a journal without its approved invoice.
import { createHash, randomUUID } from 'node:crypto'
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
import { importEInvoice } from '../einvoice/import.ts'
import type { EInvoice } from '../einvoice/model.ts'
import type { LedgerService } from '../ledger.ts'
import { delegatedAuthority } from './authority.ts'
import type { SupplierService } from './suppliers.ts'
import type { InvoiceKind, InvoiceSource, InvoiceStatus } from './tables.ts'

/** Payment terms when the invoice names no due date: all invoices are paid within 30 days. */
export const DEFAULT_PAYMENT_DAYS = 30
export const LINES_PER_INVOICE_MAX = 1_000
export const INVOICES_PER_PAGE_MAX = 500
/** The same cap as the e-invoice importer, enforced at the HTTP edge too. */
export const EINVOICE_BYTES_MAX = 20 * 1024 * 1024
export const DEFAULT_SPEND_TYPE = 'general'

export interface InvoiceLineInput {
  description: string
  accountCode: string
  costCentreCode?: string | undefined
  netPence: number
  vatPence: number
  vatRatePercent?: string | undefined
}

export interface InvoiceInput {
  supplierId: string
  kind?: InvoiceKind | undefined
  supplierReference: string
  issueDate: string
  /** Defaults to today: the prompt-payment clock starts here. */
  receiptDate?: string | undefined
  /** Defaults to the receipt date plus 30 days. */
  dueDate?: string | undefined
  spendType?: string | undefined
  description?: string | undefined
  /** Novel, contentious or repercussive spend: never delegated, needs HM Treasury consent. */
  novelOrContentious?: boolean | undefined
  lines: InvoiceLineInput[]
}

export interface InvoiceLine {
  lineNo: number
  description: string
  accountCode: string
  costCentreCode: string | null
  netPence: number
  vatPence: number | null
  vatCategory: string | null
  vatRatePercent: string | null
}

export interface Invoice {
  id: string
  supplierId: string
  supplierName: string
  kind: InvoiceKind
  supplierReference: string
  issueDate: string
  receiptDate: string
  dueDate: string
  currency: string
  netPence: number
  vatPence: number
  grossPence: number
  spendType: string
  description: string | null
  status: InvoiceStatus
  duplicateOfId: string | null
  duplicateReason: string | null
  needsTreasuryConsent: boolean
  treasuryConsentReference: string | null
  /** The level of delegated authority that must approve next, after an escalation. */
  awaitingLevel: number | null
  source: InvoiceSource
  originalXmlSha256: string | null
  capturedBy: string | null
  approvedBy: string | null
  approvalJournalId: string | null
  rejectedReason: string | null
  lines: InvoiceLine[]
}

export type ApprovalOutcome =
  | { outcome: 'approved'; invoice: Invoice; journalId: string; journalNumber: number }
  | {
      outcome: 'escalated'
      invoice: Invoice
      /** The lowest level whose limit covers the invoice. */
      requiredLevel: number
      requiredTitle: string
      message: string
    }

export function todayIso(now = new Date()): string {
  return now.toISOString().slice(0, 10)
}

function isRealDate(value: string | undefined): value is string {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

const poundsText = (pence: number) =>
  `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`

/** What the store needs to insert one invoice, after every check. */
interface PreparedInvoice {
  supplierId: string
  kind: InvoiceKind
  supplierReference: string
  issueDate: string
  receiptDate: string
  dueDate: string
  netPence: number
  vatPence: number
  spendType: string
  description: string | null
  needsTreasuryConsent: boolean
  source: InvoiceSource
  originalXml: string | null
  lines: Array<Omit<InvoiceLine, 'lineNo'>>
}

/**
 * "No PO, no pay": under an organisation's policy (procurement settings, migration 0401) an
 * invoice is approved only once matched to its purchase order, or, where the policy allows, once
 * an exception has been recorded for it with a reason. Procurement publishes the answer as one SQL
 * function, so what counts as matched is decided in one place. Errors: BusinessRuleError.
 */
async function refuseWithoutPurchaseOrder(trx: Tx, orgId: string, invoiceId: string, label: string) {
  const { rows } = await sql<{ refusal: 'no-po' | 'not-matched' | null; policy: string }>`
    select refusal, policy from procurement_no_po_refusal(${orgId}::uuid, ${invoiceId}::uuid)`.execute(trx)
  const row = rows[0]
  if (!row?.refusal) return
  const problem =
    row.refusal === 'no-po' ? 'has no purchase order' : 'has not been matched to its purchase order'
  const remedy =
    row.policy === 'exceptions-allowed'
      ? 'match it to its order, or record an exception with the reason in the procurement exceptions queue'
      : 'match it to its order first (this organisation allows no exceptions)'
  throw new BusinessRuleError(`${capitalise(label)} ${problem}: no PO, no pay. To approve it, ${remedy}`)
}

export class InvoiceService {
  readonly #ledger: LedgerService
  readonly #suppliers: SupplierService
  constructor(ledger: LedgerService, suppliers: SupplierService) {
    this.#ledger = ledger
    this.#suppliers = suppliers
  }

  /**
   * Captures an invoice or credit note keyed by a person or sent as JSON. Errors: ValidationError
   * (each bad field named by JSON pointer), NotFoundError (no such supplier). A possible duplicate
   * is stored and flagged, not refused: the approver sees the flag.
   */
  async capture(trx: Tx, orgId: string, input: InvoiceInput, capturedBy: string | null, today = todayIso()) {
    const problems: FieldError[] = []
    if (!input.supplierReference?.trim())
      problems.push({ field: '/supplierReference', message: 'Enter the supplier’s invoice number' })
    if (!isRealDate(input.issueDate))
      problems.push({
        field: '/issueDate',
        message: 'Enter the invoice date as a real date, like 2026-04-30',
      })
    const receiptDate = input.receiptDate ?? today
    if (!isRealDate(receiptDate))
      problems.push({
        field: '/receiptDate',
        message: 'Enter the date received as a real date, like 2026-04-30',
      })
    else if (receiptDate > today)
      problems.push({ field: '/receiptDate', message: 'The date received cannot be in the future' })
    else if (isRealDate(input.issueDate) && receiptDate < input.issueDate)
      problems.push({ field: '/receiptDate', message: 'The date received cannot be before the invoice date' })
    if (input.dueDate !== undefined && !isRealDate(input.dueDate))
      problems.push({ field: '/dueDate', message: 'Enter the due date as a real date, like 2026-05-30' })
    if (!input.lines?.length)
      problems.push({ field: '/lines', message: 'An invoice needs at least one line' })
    if ((input.lines?.length ?? 0) > LINES_PER_INVOICE_MAX)
      problems.push({
        field: '/lines',
        message: `An invoice can have at most ${LINES_PER_INVOICE_MAX} lines`,
      })
    const spendType = input.spendType ?? DEFAULT_SPEND_TYPE
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(spendType))
      problems.push({
        field: '/spendType',
        message: 'Spend type must be lower-case letters, digits and hyphens',
      })
    input.lines?.forEach((line, index) => {
      const at = (field: string) => `/lines/${index}/${field}`
      if (!line.description?.trim())
        problems.push({ field: at('description'), message: 'Enter a description' })
      if (!/^\d{8}$/.test(line.accountCode ?? ''))
        problems.push({ field: at('accountCode'), message: 'Account code must be 8 digits' })
      if (!Number.isSafeInteger(line.netPence) || line.netPence === 0)
        problems.push({ field: at('netPence'), message: 'Enter the net amount in whole pence, not zero' })
      if (!Number.isSafeInteger(line.vatPence) || line.vatPence < 0)
        problems.push({ field: at('vatPence'), message: 'Enter the VAT in whole pence, zero or more' })
    })
    const netPence = (input.lines ?? []).reduce((sum, line) => sum + (line.netPence || 0), 0)
    const vatPence = (input.lines ?? []).reduce((sum, line) => sum + (line.vatPence || 0), 0)
    if (problems.length === 0 && netPence <= 0)
      problems.push({ field: '/lines', message: 'The lines must add up to more than zero' })
    if (problems.length) throw new ValidationError(summary(problems, 'invoice'), problems)
    await this.#suppliers.get(trx, orgId, input.supplierId)
    return this.#store(
      trx,
      orgId,
      {
        supplierId: input.supplierId,
        kind: input.kind ?? 'invoice',
        supplierReference: input.supplierReference.trim(),
        issueDate: input.issueDate,
        receiptDate,
        dueDate: input.dueDate ?? addDays(receiptDate, DEFAULT_PAYMENT_DAYS),
        netPence,
        vatPence,
        spendType,
        description: input.description?.trim() || null,
        needsTreasuryConsent: input.novelOrContentious ?? false,
        source: 'api',
        originalXml: null,
        lines: input.lines.map((line) => ({
          description: line.description.trim(),
          accountCode: line.accountCode,
          costCentreCode: line.costCentreCode ?? null,
          netPence: line.netPence,
          vatPence: line.vatPence,
          vatCategory: null,
          vatRatePercent: line.vatRatePercent ?? null,
        })),
      },
      capturedBy,
    )
  }

  /**
   * Captures a UBL 2.1 invoice or credit note (Peppol BIS 3 / EN 16931). Errors: ValidationError
   * (the document breaks a rule: each violation named by rule and path), BusinessRuleError (the
   * seller is not a supplier of the organisation, or the document is not in pounds sterling).
   */
  async captureEInvoice(
    trx: Tx,
    orgId: string,
    xml: Uint8Array,
    options: { receiptDate?: string | undefined; spendType?: string | undefined },
    capturedBy: string | null,
    today = todayIso(),
  ) {
    const result = importEInvoice(xml)
    if (!result.ok) {
      const errors = result.errors.filter((error) => error.severity === 'fatal')
      throw new ValidationError(
        errors.length === 1
          ? `The e-invoice is refused: ${errors[0]!.rule}: ${errors[0]!.message}`
          : `The e-invoice is refused: it breaks ${errors.length} rules`,
        errors.map((error) => ({ field: error.path, message: `${error.rule}: ${error.message}` })),
      )
    }
    const document = result.invoice
    const supplier = await this.#suppliers.matchSeller(trx, orgId, document.seller)
    if (!supplier) {
      const ids = [
        document.seller.vatId && `VAT number ${document.seller.vatId}`,
        document.seller.legalRegistration && `registration ${document.seller.legalRegistration.value}`,
      ].filter(Boolean)
      throw new BusinessRuleError(
        `The seller ${document.seller.name}${ids.length ? ` (${ids.join(', ')})` : ''} is not one of this organisation’s suppliers: add the supplier first`,
        [
          {
            field: '/Invoice/cac:AccountingSupplierParty',
            message: `No supplier matches ${document.seller.name}`,
          },
        ],
      )
    }
    if (document.currency !== 'GBP')
      throw new BusinessRuleError(
        `Invoice ${document.id} is in ${document.currency}; only invoices in pounds sterling (GBP) can be captured so far`,
        [{ field: '/Invoice/cbc:DocumentCurrencyCode', message: `must be GBP, not ${document.currency}` }],
      )
    const receiptDate = options.receiptDate ?? today
    if (!isRealDate(receiptDate) || receiptDate > today)
      throw new ValidationError('Enter the date received as a real date, not in the future', [
        { field: '/receiptDate', message: 'Enter the date received as a real date, not in the future' },
      ])
    const spendType = options.spendType ?? DEFAULT_SPEND_TYPE
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(spendType))
      throw new ValidationError('Spend type must be lower-case letters, digits and hyphens', [
        { field: '/spendType', message: 'must be lower-case letters, digits and hyphens' },
      ])
    const accountCodes = new Set(
      (
        await trx
          .selectFrom('accounts')
          .select('code')
          .where('org_id', '=', orgId)
          .where('active', '=', true)
          .execute()
      ).map((row) => row.code),
    )
    return this.#store(
      trx,
      orgId,
      {
        supplierId: supplier.id,
        kind: document.kind,
        supplierReference: document.id,
        issueDate: document.issueDate,
        receiptDate,
        dueDate: document.dueDate ?? addDays(receiptDate, DEFAULT_PAYMENT_DAYS),
        netPence: document.totals.taxExclusive.amountMinor,
        vatPence: document.totals.vatTotal.amountMinor,
        spendType,
        description: document.notes[0]?.slice(0, 500) ?? null,
        needsTreasuryConsent: false,
        source: 'e-invoice',
        originalXml: typeof xml === 'string' ? xml : new TextDecoder().decode(xml),
        lines: eInvoiceLines(document, supplier.defaultAccountCode, accountCodes),
      },
      capturedBy,
    )
  }

  async #store(
    trx: Tx,
    orgId: string,
    invoice: PreparedInvoice,
    capturedBy: string | null,
  ): Promise<Invoice> {
    assert(
      invoice.lines.reduce((sum, line) => sum + line.netPence, 0) === invoice.netPence,
      'invoice lines add up to its net total',
    )
    const id = randomUUID()
    const duplicate = await this.#possibleDuplicate(trx, orgId, invoice)
    await trx
      .insertInto('supplier_invoices')
      .values({
        org_id: orgId,
        id,
        supplier_id: invoice.supplierId,
        kind: invoice.kind,
        supplier_reference: invoice.supplierReference,
        issue_date: invoice.issueDate,
        receipt_date: invoice.receiptDate,
        due_date: invoice.dueDate,
        net_pence: invoice.netPence,
        vat_pence: invoice.vatPence,
        gross_pence: invoice.netPence + invoice.vatPence,
        spend_type: invoice.spendType,
        description: invoice.description,
        duplicate_of_id: duplicate?.id ?? null,
        duplicate_reason: duplicate?.reason ?? null,
        needs_treasury_consent: invoice.needsTreasuryConsent,
        source: invoice.source,
        original_xml: invoice.originalXml,
        original_xml_sha256:
          invoice.originalXml === null
            ? null
            : createHash('sha256').update(invoice.originalXml).digest('hex'),
        captured_by: capturedBy,
      })
      .execute()
    await trx
      .insertInto('supplier_invoice_lines')
      .values(
        invoice.lines.map((line, index) => ({
          org_id: orgId,
          invoice_id: id,
          line_no: index + 1,
          description: line.description,
          account_code: line.accountCode,
          cost_centre_code: line.costCentreCode,
          net_pence: line.netPence,
          vat_pence: line.vatPence,
          vat_category: line.vatCategory,
          vat_rate_percent: line.vatRatePercent,
        })),
      )
      .execute()
    return this.get(trx, orgId, id)
  }

  /** Same supplier and invoice number, or same supplier, amount and date: flagged, not refused. */
  async #possibleDuplicate(trx: Tx, orgId: string, invoice: PreparedInvoice) {
    const candidates = await trx
      .selectFrom('supplier_invoices')
      .select(['id', 'supplier_reference', 'issue_date', 'gross_pence'])
      .where('org_id', '=', orgId)
      .where('supplier_id', '=', invoice.supplierId)
      .where('kind', '=', invoice.kind)
      .where('status', '!=', 'rejected')
      .where((eb) =>
        eb.or([
          eb('supplier_reference', '=', invoice.supplierReference),
          eb.and([
            eb('gross_pence', '=', invoice.netPence + invoice.vatPence),
            eb('issue_date', '=', invoice.issueDate),
          ]),
        ]),
      )
      .orderBy('captured_at')
      .limit(1)
      .execute()
    const first = candidates[0]
    if (!first) return undefined
    const reason =
      first.supplier_reference === invoice.supplierReference
        ? `The supplier’s invoice number ${invoice.supplierReference} has been captured before`
        : `An invoice from this supplier for ${poundsText(first.gross_pence)} dated ${first.issue_date} (${first.supplier_reference}) has been captured before`
    return { id: first.id, reason }
  }

  /** Errors: NotFoundError. */
  async get(trx: Tx, orgId: string, id: string): Promise<Invoice> {
    const row = await trx
      .selectFrom('supplier_invoices as i')
      .innerJoin('suppliers as s', (join) =>
        join.onRef('s.org_id', '=', 'i.org_id').onRef('s.id', '=', 'i.supplier_id'),
      )
      .selectAll('i')
      .select('s.name as supplier_name')
      .where('i.org_id', '=', orgId)
      .where('i.id', '=', id)
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such supplier invoice')
    const lines = await trx
      .selectFrom('supplier_invoice_lines')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('invoice_id', '=', id)
      .orderBy('line_no')
      .execute()
    return { ...toInvoice(row), lines: lines.map(toLine) }
  }

  /** Newest first, without lines. */
  async list(
    trx: Tx,
    orgId: string,
    filter: { status?: InvoiceStatus | undefined; supplierId?: string | undefined } = {},
    limit = INVOICES_PER_PAGE_MAX,
  ): Promise<Invoice[]> {
    let query = trx
      .selectFrom('supplier_invoices as i')
      .innerJoin('suppliers as s', (join) =>
        join.onRef('s.org_id', '=', 'i.org_id').onRef('s.id', '=', 'i.supplier_id'),
      )
      .selectAll('i')
      .select('s.name as supplier_name')
      .where('i.org_id', '=', orgId)
    if (filter.status) query = query.where('i.status', '=', filter.status)
    if (filter.supplierId) query = query.where('i.supplier_id', '=', filter.supplierId)
    const rows = await query
      .orderBy('i.captured_at', 'desc')
      .orderBy('i.id')
      .limit(Math.min(limit, INVOICES_PER_PAGE_MAX))
      .execute()
    return rows.map((row) => ({ ...toInvoice(row), lines: [] }))
  }

  /** Sets the limit of one level of delegated authority for a spend type. */
  async setApprovalLimit(
    trx: Tx,
    orgId: string,
    limit: { spendType: string; level: number; title: string; limitPence: number },
  ): Promise<void> {
    const problems: FieldError[] = []
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(limit.spendType))
      problems.push({
        field: '/spendType',
        message: 'Spend type must be lower-case letters, digits and hyphens',
      })
    if (!Number.isInteger(limit.level) || limit.level < 1 || limit.level > 20)
      problems.push({ field: '/level', message: 'Level must be a whole number from 1 to 20' })
    if (!limit.title?.trim()) problems.push({ field: '/title', message: 'Enter the title of the level' })
    if (!Number.isSafeInteger(limit.limitPence) || limit.limitPence < 0)
      problems.push({ field: '/limitPence', message: 'Enter the limit in whole pence, zero or more' })
    if (problems.length) throw new ValidationError(summary(problems, 'approval limit'), problems)
    await trx
      .insertInto('payables_approval_limits')
      .values({
        org_id: orgId,
        spend_type: limit.spendType,
        level: limit.level,
        title: limit.title.trim(),
        limit_pence: limit.limitPence,
      })
      .onConflict((conflict) =>
        conflict
          .columns(['org_id', 'spend_type', 'level'])
          .doUpdateSet({ title: limit.title.trim(), limit_pence: limit.limitPence }),
      )
      .execute()
  }

  /**
   * Gives a person a level of delegated authority in the organisation. Errors: ValidationError,
   * BusinessRuleError (nobody may set their own authority).
   */
  async setApproverLevel(
    trx: Tx,
    orgId: string,
    userId: string,
    level: number,
    setBy: string | null = null,
  ): Promise<void> {
    if (setBy !== null && setBy === userId)
      throw new BusinessRuleError('You cannot set your own delegated authority: someone else must')
    if (!Number.isInteger(level) || level < 1 || level > 20)
      throw new ValidationError('Level must be a whole number from 1 to 20', [
        { field: '/level', message: 'Level must be a whole number from 1 to 20' },
      ])
    await trx
      .insertInto('payables_approvers')
      .values({ org_id: orgId, user_id: userId, level })
      .onConflict((conflict) => conflict.columns(['org_id', 'user_id']).doUpdateSet({ level }))
      .execute()
  }

  async approvalLimits(trx: Tx, orgId: string) {
    return trx
      .selectFrom('payables_approval_limits')
      .select(['spend_type as spendType', 'level', 'title', 'limit_pence as limitPence'])
      .where('org_id', '=', orgId)
      .orderBy('spend_type')
      .orderBy('level')
      .execute()
  }

  /**
   * Approves an invoice within the approver's delegated authority, posting it to the ledger
   * (debit expense and VAT recoverable, credit trade payables; the reverse for a credit note).
   * Above the approver's limit the invoice escalates: the outcome names the level that must
   * approve it, and the invoice records it. Errors: NotFoundError; BusinessRuleError (not awaiting
   * approval, captured by the approver, waiting for HM Treasury consent, beyond every delegated
   * limit); ForbiddenError (the approver holds no delegated authority); ValidationError (the
   * ledger refused the posting, e.g. a closed period).
   */
  async approve(
    trx: Tx,
    orgId: string,
    invoiceId: string,
    approverId: string,
    postingDate = todayIso(),
  ): Promise<ApprovalOutcome> {
    const invoice = await this.#lockForDecision(trx, orgId, invoiceId)
    const label = invoiceLabel(invoice)
    if (invoice.capturedBy === approverId)
      throw new BusinessRuleError(
        `You captured ${label}, so you cannot approve it: someone else must (segregation of duties)`,
      )
    if (invoice.needsTreasuryConsent && !invoice.treasuryConsentReference)
      throw new BusinessRuleError(
        `${capitalise(label)} is novel or contentious spend: record HM Treasury’s consent before approving it`,
      )
    if (invoice.kind === 'invoice') await refuseWithoutPurchaseOrder(trx, orgId, invoiceId, label)
    // Credit notes reduce what is owed, so any approver may approve one; the limit is on spend.
    const authority = await delegatedAuthority(
      trx,
      orgId,
      approverId,
      invoice.spendType,
      invoice.kind === 'invoice' ? invoice.grossPence : 0,
      'invoices',
    )
    if (authority.outcome === 'beyond-every-limit' && !invoice.treasuryConsentReference)
      throw new BusinessRuleError(
        `${capitalise(label)} for ${poundsText(invoice.grossPence)} is above every delegated limit for ${invoice.spendType} spend: it needs HM Treasury consent`,
      )
    if (authority.outcome === 'escalate') {
      await trx
        .updateTable('supplier_invoices')
        .set({ awaiting_level: authority.requiredLevel, escalated_by: approverId })
        .where('org_id', '=', orgId)
        .where('id', '=', invoiceId)
        .execute()
      return {
        outcome: 'escalated',
        invoice: await this.get(trx, orgId, invoiceId),
        requiredLevel: authority.requiredLevel,
        requiredTitle: authority.requiredTitle,
        message: `${capitalise(label)} for ${poundsText(invoice.grossPence)} is above your limit of ${poundsText(authority.ownLimitPence)}: it has been passed to a ${authority.requiredTitle} (level ${authority.requiredLevel}) to approve`,
      }
    }
    // Step: post the journal. The ledger validates it whole (accounts, period) or posts nothing.
    const sign = invoice.kind === 'invoice' ? 1 : -1
    const lines = invoice.lines.map((line) => ({
      accountCode: line.accountCode,
      costCentreCode: line.costCentreCode ?? undefined,
      amountMinor: sign * line.netPence,
      description: line.description.slice(0, 500),
    }))
    if (invoice.vatPence > 0)
      lines.push({
        accountCode: SYSTEM_ACCOUNTS.vatRecoverable,
        costCentreCode: undefined,
        amountMinor: sign * invoice.vatPence,
        description: 'VAT recoverable',
      })
    lines.push({
      accountCode: SYSTEM_ACCOUNTS.tradePayables,
      costCentreCode: undefined,
      amountMinor: -sign * invoice.grossPence,
      description: `${invoice.supplierName} ${invoice.supplierReference}`.slice(0, 500),
    })
    const [journal] = await this.#ledger.postJournals(
      trx,
      orgId,
      [
        {
          date: postingDate,
          description:
            `${invoice.kind === 'invoice' ? 'Invoice' : 'Credit note'} ${invoice.supplierReference} from ${invoice.supplierName}`.slice(
              0,
              500,
            ),
          reference: invoice.id,
          source: 'payables',
          lines,
        },
      ],
      approverId,
    )
    assert(journal, 'the ledger returns the journal it posted')
    // Step: mark it approved, pointing at its journal.
    await trx
      .updateTable('supplier_invoices')
      .set({
        status: 'approved',
        approved_by: approverId,
        approved_at: new Date(),
        approval_journal_id: journal.id,
        awaiting_level: null,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', invoiceId)
      .execute()
    return {
      outcome: 'approved',
      invoice: await this.get(trx, orgId, invoiceId),
      journalId: journal.id,
      journalNumber: journal.number,
    }
  }

  /** Errors: NotFoundError; BusinessRuleError (not awaiting approval); ValidationError (no reason). */
  async reject(trx: Tx, orgId: string, invoiceId: string, userId: string, reason: string): Promise<Invoice> {
    if (!reason?.trim())
      throw new ValidationError('Enter why the invoice is rejected', [
        { field: '/reason', message: 'Enter why the invoice is rejected' },
      ])
    await this.#lockForDecision(trx, orgId, invoiceId)
    await trx
      .updateTable('supplier_invoices')
      .set({ status: 'rejected', rejected_by: userId, rejected_reason: reason.trim().slice(0, 500) })
      .where('org_id', '=', orgId)
      .where('id', '=', invoiceId)
      .execute()
    return this.get(trx, orgId, invoiceId)
  }

  /** Marks spend as novel or contentious: approval waits for HM Treasury consent. */
  async flagForTreasuryConsent(trx: Tx, orgId: string, invoiceId: string): Promise<Invoice> {
    await this.#lockForDecision(trx, orgId, invoiceId)
    await trx
      .updateTable('supplier_invoices')
      .set({ needs_treasury_consent: true })
      .where('org_id', '=', orgId)
      .where('id', '=', invoiceId)
      .execute()
    return this.get(trx, orgId, invoiceId)
  }

  /**
   * Records HM Treasury's consent (its reference) so approval can go ahead. Errors: NotFoundError,
   * BusinessRuleError (not awaiting approval), ValidationError (no reference).
   */
  async recordTreasuryConsent(
    trx: Tx,
    orgId: string,
    invoiceId: string,
    userId: string,
    reference: string,
  ): Promise<Invoice> {
    if (!reference?.trim())
      throw new ValidationError('Enter HM Treasury’s consent reference', [
        { field: '/reference', message: 'Enter HM Treasury’s consent reference' },
      ])
    await this.#lockForDecision(trx, orgId, invoiceId)
    await trx
      .updateTable('supplier_invoices')
      .set({
        needs_treasury_consent: true,
        treasury_consent_reference: reference.trim().slice(0, 100),
        treasury_consent_recorded_by: userId,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', invoiceId)
      .execute()
    return this.get(trx, orgId, invoiceId)
  }

  async #lockForDecision(trx: Tx, orgId: string, invoiceId: string): Promise<Invoice> {
    const locked = await trx
      .selectFrom('supplier_invoices')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', invoiceId)
      .forUpdate()
      .executeTakeFirst()
    if (!locked) throw new NotFoundError('There is no such supplier invoice')
    const invoice = await this.get(trx, orgId, invoiceId)
    if (invoice.status !== 'received')
      throw new BusinessRuleError(
        `${capitalise(invoiceLabel(invoice))} is ${invoice.status}, not awaiting approval`,
      )
    return invoice
  }
}

function invoiceLabel(invoice: Pick<Invoice, 'kind' | 'supplierReference' | 'supplierName'>): string {
  return `${invoice.kind === 'invoice' ? 'invoice' : 'credit note'} ${invoice.supplierReference} from ${invoice.supplierName}`
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function summary(problems: FieldError[], what: string): string {
  return problems.length === 1 ? problems[0]!.message : `${problems.length} problems with the ${what}`
}

/**
 * An e-invoice's lines as payables lines. A line's accounting cost (BT-133) names the account when
 * it is one of the organisation's; otherwise the supplier's default account is used. Document-level
 * allowances and charges become one more line, so the lines add up to the net total (BT-109).
 */
function eInvoiceLines(
  document: EInvoice,
  defaultAccountCode: string,
  accountCodes: Set<string>,
): PreparedInvoice['lines'] {
  const lines: PreparedInvoice['lines'] = document.lines.map((line) => ({
    description: (line.item.name || line.note || `Line ${line.id}`).slice(0, 500),
    accountCode:
      line.accountingCost && accountCodes.has(line.accountingCost) ? line.accountingCost : defaultAccountCode,
    costCentreCode: null,
    netPence: line.netAmount.amountMinor,
    vatPence: null,
    vatCategory: line.vat.category,
    vatRatePercent: line.vat.ratePercent ?? null,
  }))
  const linesTotal = lines.reduce((sum, line) => sum + line.netPence, 0)
  const difference = document.totals.taxExclusive.amountMinor - linesTotal
  if (difference !== 0)
    lines.push({
      description: 'Document allowances and charges',
      accountCode: defaultAccountCode,
      costCentreCode: null,
      netPence: difference,
      vatPence: null,
      vatCategory: null,
      vatRatePercent: null,
    })
  return lines
}

type InvoiceRow = {
  id: string
  supplier_id: string
  supplier_name: string
  kind: InvoiceKind
  supplier_reference: string
  issue_date: string
  receipt_date: string
  due_date: string
  currency: string
  net_pence: number
  vat_pence: number
  gross_pence: number
  spend_type: string
  description: string | null
  status: InvoiceStatus
  duplicate_of_id: string | null
  duplicate_reason: string | null
  needs_treasury_consent: boolean
  treasury_consent_reference: string | null
  awaiting_level: number | null
  source: InvoiceSource
  original_xml_sha256: string | null
  captured_by: string | null
  approved_by: string | null
  approval_journal_id: string | null
  rejected_reason: string | null
}

function toInvoice(row: InvoiceRow): Omit<Invoice, 'lines'> {
  return {
    id: row.id,
    supplierId: row.supplier_id,
    supplierName: row.supplier_name,
    kind: row.kind,
    supplierReference: row.supplier_reference,
    issueDate: row.issue_date,
    receiptDate: row.receipt_date,
    dueDate: row.due_date,
    currency: row.currency,
    netPence: row.net_pence,
    vatPence: row.vat_pence,
    grossPence: row.gross_pence,
    spendType: row.spend_type,
    description: row.description,
    status: row.status,
    duplicateOfId: row.duplicate_of_id,
    duplicateReason: row.duplicate_reason,
    needsTreasuryConsent: row.needs_treasury_consent,
    treasuryConsentReference: row.treasury_consent_reference,
    awaitingLevel: row.awaiting_level,
    source: row.source,
    originalXmlSha256: row.original_xml_sha256,
    capturedBy: row.captured_by,
    approvedBy: row.approved_by,
    approvalJournalId: row.approval_journal_id,
    rejectedReason: row.rejected_reason,
  }
}

function toLine(row: {
  line_no: number
  description: string
  account_code: string
  cost_centre_code: string | null
  net_pence: number
  vat_pence: number | null
  vat_category: string | null
  vat_rate_percent: string | null
}): InvoiceLine {
  return {
    lineNo: row.line_no,
    description: row.description,
    accountCode: row.account_code,
    costCentreCode: row.cost_centre_code,
    netPence: row.net_pence,
    vatPence: row.vat_pence,
    vatCategory: row.vat_category,
    vatRatePercent: row.vat_rate_percent,
  }
}
