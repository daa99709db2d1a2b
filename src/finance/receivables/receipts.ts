// Receipts: money in from a customer, posted when recorded (Dr bank, Cr the customer's control
// account), then allocated to one or more of the customer's invoices. A receipt may part-pay an
// invoice; what is not allocated stays on the customer's account. Allocation takes the customer's
// row lock first, so two allocations never both see the same money free.
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
import { MAX_AMOUNT_PENCE } from '../../platform/money.ts'
import { SYSTEM_ACCOUNTS } from '../chart.ts'
import type { LedgerService } from '../ledger.ts'
import { isRealDate, lockCustomer, poundsText, todayIso } from './common.ts'

export const RECEIPTS_PER_PAGE_MAX = 500
export const ALLOCATIONS_PER_CALL_MAX = 200

export interface AllocationInput {
  invoiceId: string
  amountPence: number
}

export interface ReceiptInput {
  customerId: string
  receivedOn: string
  amountPence: number
  /** The payer's reference as the bank shows it (often the invoice number). */
  reference: string
  /** Allocate at once; anything left stays on account. */
  allocations?: AllocationInput[] | undefined
  /** Set when recorded from a bank statement entry (statements.ts): recorded once only. */
  bankEntryReference?: string | undefined
}

export interface Receipt {
  id: string
  customerId: string
  customerName: string
  receivedOn: string
  amountPence: number
  reference: string
  allocatedPence: number
  /** Not yet allocated: held on the customer's account. */
  unallocatedPence: number
  journalId: string
  allocations: Array<{ invoiceId: string; invoiceNumber: string; amountPence: number }>
}

const allocatedSql = sql<number>`(select coalesce(sum(a.amount_pence), 0)::bigint from receipt_allocations a
  where a.org_id = r.org_id and a.receipt_id = r.id)`

export class ReceiptService {
  readonly #ledger: LedgerService

  constructor(ledger: LedgerService) {
    this.#ledger = ledger
  }

  /**
   * Records a receipt and posts it; allocates it too when asked. Errors: ValidationError (bad
   * fields; a closed period), NotFoundError (no such customer), BusinessRuleError (an allocation
   * breaks a rule: see allocate).
   */
  async record(trx: Tx, orgId: string, input: ReceiptInput, recordedBy: string | null): Promise<Receipt> {
    const problems: FieldError[] = []
    if (!isRealDate(input.receivedOn))
      problems.push({ field: '/receivedOn', message: 'Enter the real date the money arrived' })
    else if (input.receivedOn > todayIso())
      problems.push({ field: '/receivedOn', message: 'The date received cannot be in the future' })
    if (
      !Number.isSafeInteger(input.amountPence) ||
      input.amountPence <= 0 ||
      input.amountPence > MAX_AMOUNT_PENCE
    )
      problems.push({ field: '/amountPence', message: 'Enter an amount more than £0' })
    const reference = input.reference?.trim() ?? ''
    if (!reference) problems.push({ field: '/reference', message: 'Enter the payer’s reference' })
    else if (reference.length > 140)
      problems.push({ field: '/reference', message: 'The reference must be 140 characters or fewer' })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    const customer = await lockCustomer(trx, orgId, input.customerId)
    let journalId: string
    try {
      const [journal] = await this.#ledger.postJournals(
        trx,
        orgId,
        [
          {
            date: input.receivedOn,
            description: `Receipt from ${customer.name}: ${reference}`.slice(0, 500),
            reference: reference.slice(0, 100),
            source: 'receivables',
            lines: [
              { accountCode: SYSTEM_ACCOUNTS.bank, amountMinor: input.amountPence, description: reference },
              {
                accountCode: customer.control_account_code,
                amountMinor: -input.amountPence,
                description: `${customer.name} ${reference}`.slice(0, 500),
              },
            ],
          },
        ],
        recordedBy,
      )
      assert(journal, 'the ledger returns the journal it posted')
      journalId = journal.id
    } catch (error) {
      if (error instanceof ValidationError)
        throw new ValidationError(
          error.message,
          error.fieldErrors.map((p) =>
            p.field === '/journals/0/date' ? { field: '/receivedOn', message: p.message } : p,
          ),
        )
      throw error
    }
    const id = randomUUID()
    await trx
      .insertInto('receipts')
      .values({
        org_id: orgId,
        id,
        customer_id: customer.id,
        received_on: input.receivedOn,
        amount_pence: input.amountPence,
        reference,
        bank_entry_reference: input.bankEntryReference ?? null,
        journal_id: journalId,
        recorded_by: recordedBy,
      })
      .execute()
    if (input.allocations?.length) return this.#allocateLocked(trx, orgId, id, input.allocations, recordedBy)
    return this.get(trx, orgId, id)
  }

  /**
   * Allocates a receipt to invoices of the same customer. Errors: NotFoundError (no such receipt
   * in this organisation), ValidationError (bad amounts), BusinessRuleError (an invoice of
   * another customer, a credit note, more than the invoice has outstanding, more than the
   * receipt has left).
   */
  async allocate(
    trx: Tx,
    orgId: string,
    receiptId: string,
    allocations: AllocationInput[],
    allocatedBy: string | null,
  ): Promise<Receipt> {
    const receipt = await trx
      .selectFrom('receipts')
      .select(['customer_id'])
      .where('org_id', '=', orgId)
      .where('id', '=', receiptId)
      .executeTakeFirst()
    if (!receipt) throw new NotFoundError('There is no such receipt')
    await lockCustomer(trx, orgId, receipt.customer_id)
    return this.#allocateLocked(trx, orgId, receiptId, allocations, allocatedBy)
  }

  /** The caller holds the customer's lock. */
  async #allocateLocked(
    trx: Tx,
    orgId: string,
    receiptId: string,
    allocations: AllocationInput[],
    allocatedBy: string | null,
  ): Promise<Receipt> {
    const problems: FieldError[] = []
    if (allocations.length === 0)
      problems.push({ field: '/allocations', message: 'Allocate to at least one invoice' })
    if (allocations.length > ALLOCATIONS_PER_CALL_MAX)
      problems.push({
        field: '/allocations',
        message: `At most ${ALLOCATIONS_PER_CALL_MAX} allocations at once`,
      })
    const seen = new Set<string>()
    allocations.forEach((allocation, index) => {
      if (!Number.isSafeInteger(allocation.amountPence) || allocation.amountPence <= 0)
        problems.push({ field: `/allocations/${index}/amountPence`, message: 'Enter an amount more than £0' })
      if (seen.has(allocation.invoiceId))
        problems.push({ field: `/allocations/${index}/invoiceId`, message: 'Allocate to each invoice once' })
      seen.add(allocation.invoiceId)
    })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)

    const receipt = await this.get(trx, orgId, receiptId)
    const invoices = await trx
      .selectFrom('sales_invoices as i')
      .select([
        'i.id',
        'i.kind',
        'i.number',
        'i.customer_id',
        'i.gross_pence',
        sql<number>`i.gross_pence
          - (select coalesce(sum(a.amount_pence), 0)::bigint from receipt_allocations a where a.org_id = i.org_id and a.invoice_id = i.id)
          - (select coalesce(sum(c.gross_pence), 0)::bigint from sales_invoices c where c.org_id = i.org_id and c.credited_invoice_id = i.id)`.as(
          'outstanding_pence',
        ),
      ])
      .where('i.org_id', '=', orgId)
      .where(
        'i.id',
        'in',
        allocations.map((a) => a.invoiceId),
      )
      .execute()
    const byId = new Map(invoices.map((invoice) => [invoice.id, invoice]))
    let total = 0
    allocations.forEach((allocation, index) => {
      const field = `/allocations/${index}`
      const invoice = byId.get(allocation.invoiceId)
      if (!invoice) {
        problems.push({ field: `${field}/invoiceId`, message: 'There is no such invoice' })
        return
      }
      if (invoice.kind !== 'invoice')
        problems.push({
          field: `${field}/invoiceId`,
          message: `${invoice.number} is a credit note, not an invoice`,
        })
      else if (invoice.customer_id !== receipt.customerId)
        problems.push({
          field: `${field}/invoiceId`,
          message: `${invoice.number} is another customer’s invoice`,
        })
      else if (allocation.amountPence > Number(invoice.outstanding_pence))
        problems.push({
          field: `${field}/amountPence`,
          message: `${invoice.number} has ${poundsText(Number(invoice.outstanding_pence))} outstanding: allocate no more than that`,
        })
      total += allocation.amountPence
    })
    if (!problems.length && total > receipt.unallocatedPence)
      problems.push({
        field: '/allocations',
        message: `The receipt has ${poundsText(receipt.unallocatedPence)} left to allocate, not ${poundsText(total)}`,
      })
    if (problems.length) throw new BusinessRuleError(problems[0]!.message, problems)
    await trx
      .insertInto('receipt_allocations')
      .values(
        allocations.map((allocation) => ({
          org_id: orgId,
          id: randomUUID(),
          receipt_id: receiptId,
          invoice_id: allocation.invoiceId,
          amount_pence: allocation.amountPence,
          allocated_by: allocatedBy,
        })),
      )
      .execute()
    return this.get(trx, orgId, receiptId)
  }

  /**
   * The allocations a payer's reference asks for: each open invoice of the customer whose number
   * appears in the reference (oldest due first), up to what it has outstanding and what the
   * amount leaves. Suggestions only: the caller records them through record or allocate, which
   * check them again under the customer's lock.
   */
  async allocationsByReference(
    trx: Tx,
    orgId: string,
    customerId: string,
    reference: string,
    amountPence: number,
  ): Promise<AllocationInput[]> {
    const tokens = new Set(
      reference
        .toUpperCase()
        .split(/[^A-Z0-9-]+/)
        .filter(Boolean),
    )
    if (tokens.size === 0 || !Number.isSafeInteger(amountPence) || amountPence <= 0) return []
    const { rows } = await sql<{ id: string; number: string; outstanding_pence: number }>`
      select * from (
        select i.id, i.number, i.due_date,
          i.gross_pence
          - (select coalesce(sum(a.amount_pence), 0)::bigint from receipt_allocations a where a.org_id = i.org_id and a.invoice_id = i.id)
          - (select coalesce(sum(c.gross_pence), 0)::bigint from sales_invoices c where c.org_id = i.org_id and c.credited_invoice_id = i.id)
          as outstanding_pence
        from sales_invoices i
        where i.org_id = ${orgId} and i.customer_id = ${customerId} and i.kind = 'invoice'
          and upper(i.number) = any(${[...tokens]}::text[])
      ) open where outstanding_pence > 0
      order by due_date, number`.execute(trx)
    let left = amountPence
    const allocations: AllocationInput[] = []
    for (const row of rows) {
      if (left === 0) break
      const amount = Math.min(left, Number(row.outstanding_pence))
      allocations.push({ invoiceId: row.id, amountPence: amount })
      left -= amount
    }
    return allocations
  }

  /** Errors: NotFoundError. */
  async get(trx: Tx, orgId: string, id: string): Promise<Receipt> {
    const [receipt] = await this.list(trx, orgId, { ids: [id] })
    if (!receipt) throw new NotFoundError('There is no such receipt')
    const allocations = await trx
      .selectFrom('receipt_allocations as a')
      .innerJoin('sales_invoices as i', (join) =>
        join.onRef('i.org_id', '=', 'a.org_id').onRef('i.id', '=', 'a.invoice_id'),
      )
      .select(['a.invoice_id', 'i.number', 'a.amount_pence'])
      .where('a.org_id', '=', orgId)
      .where('a.receipt_id', '=', id)
      .orderBy('a.allocated_at')
      .orderBy('i.number')
      .execute()
    return {
      ...receipt,
      allocations: allocations.map((a) => ({
        invoiceId: a.invoice_id,
        invoiceNumber: a.number,
        amountPence: a.amount_pence,
      })),
    }
  }

  /** Receipts, newest first, without their allocations. */
  async list(
    trx: Tx,
    orgId: string,
    filter: {
      ids?: string[] | undefined
      customerId?: string | undefined
      unallocatedOnly?: boolean | undefined
    } = {},
    limit = RECEIPTS_PER_PAGE_MAX,
  ): Promise<Receipt[]> {
    let query = trx
      .selectFrom('receipts as r')
      .innerJoin('customers as c', (join) =>
        join.onRef('c.org_id', '=', 'r.org_id').onRef('c.id', '=', 'r.customer_id'),
      )
      .select([
        'r.id',
        'r.customer_id',
        'c.name as customer_name',
        'r.received_on',
        'r.amount_pence',
        'r.reference',
        'r.journal_id',
        allocatedSql.as('allocated_pence'),
      ])
      .where('r.org_id', '=', orgId)
    if (filter.ids) query = query.where('r.id', 'in', filter.ids)
    if (filter.customerId) query = query.where('r.customer_id', '=', filter.customerId)
    if (filter.unallocatedOnly) query = query.where(sql<boolean>`r.amount_pence > ${allocatedSql}`)
    const rows = await query
      .orderBy('r.received_on', 'desc')
      .orderBy('r.recorded_at', 'desc')
      .limit(Math.min(limit, RECEIPTS_PER_PAGE_MAX))
      .execute()
    return rows.map((row) => {
      const allocated = Number(row.allocated_pence)
      return {
        id: row.id,
        customerId: row.customer_id,
        customerName: row.customer_name,
        receivedOn: row.received_on,
        amountPence: row.amount_pence,
        reference: row.reference,
        allocatedPence: allocated,
        unallocatedPence: row.amount_pence - allocated,
        journalId: row.journal_id,
        allocations: [],
      }
    })
  }
}
