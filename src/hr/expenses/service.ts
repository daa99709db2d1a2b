// Expense claims, the converged process: an employee claims travel, subsistence, hotels and mileage
// (at HMRC's approved rates) with receipts; the claim is checked against the organisation's policy
// limits; the claimant's line manager (never the claimant) approves it, which posts it to the
// ledger against the claimant's cost centre (Dr travel and subsistence, Cr employee expenses
// payable); it is then paid through payroll (payroll.ts: payroll reads approved claims and marks
// them paid) or by a payables payment (Dr employee expenses payable, Cr bank).
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { SYSTEM_ACCOUNTS } from '../../finance/chart.ts'
import type { LedgerService } from '../../finance/ledger.ts'
import type { Tx } from '../../platform/db/index.ts'
import {
  BusinessRuleError,
  type FieldError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../platform/errors.ts'
import { formatGbp } from '../../platform/money.ts'
import { addDays } from '../absence/dates.ts'
import { employmentAsAt } from '../people.ts'
import { isLineManager, personForUser } from '../self-service/team.ts'
import { checkDate } from '../validation.ts'
import { mileageAllowance, milesToTenths, taxYearOf } from './mileage.ts'
import {
  DEFAULT_EXPENSE_SETTINGS,
  EXPENSES_PAYABLE_ACCOUNT_NAME,
  expenseSettings,
  type PolicyLimit,
  policyLimits,
} from './policy.ts'
import type { ClaimStatus, ExpenseCategory, PaymentRoute, ReceiptContentType, Vehicle } from './tables.ts'
import { EXPENSE_CATEGORIES, VEHICLES } from './tables.ts'

/** Limits on everything: lines per claim, receipt size, receipts per claim. */
export const LINES_PER_CLAIM_MAX = 50
export const RECEIPT_BYTES_MAX = 5 * 1024 * 1024
export const RECEIPTS_PER_CLAIM_MAX = 20

export interface ExpenseLineInput {
  expenseDate: string
  category: ExpenseCategory
  description: string
  /** Pence; computed for mileage (ignored if given). */
  amountPence?: number | undefined
  nights?: number | undefined
  london?: boolean | undefined
  vehicle?: Vehicle | undefined
  /** Business miles, to one decimal place. */
  miles?: string | undefined
}

export interface ClaimInput {
  purpose: string
  paymentRoute?: PaymentRoute | undefined
  lines: ExpenseLineInput[]
}

export interface ExpenseLine {
  lineNo: number
  expenseDate: string
  category: ExpenseCategory
  description: string
  amountPence: number
  nights: number | null
  london: boolean
  vehicle: Vehicle | null
  miles: string | null
}

export interface ReceiptSummary {
  id: string
  lineNo: number | null
  fileName: string
  contentType: ReceiptContentType
  sizeBytes: number
}

export interface Claim {
  id: string
  number: number
  reference: string
  employmentId: string
  purpose: string
  status: ClaimStatus
  paymentRoute: PaymentRoute
  totalPence: number
  createdBy: string
  createdAt: string
  submittedAt: string | null
  decidedBy: string | null
  decidedAt: string | null
  decisionNote: string | null
  costCentreCode: string | null
  journalId: string | null
  paidOn: string | null
  payRunId: string | null
  lines: ExpenseLine[]
  receipts: ReceiptSummary[]
}

export interface ReceiptInput {
  fileName: string
  contentType: string
  content: Buffer
  lineNo?: number | undefined
}

/** The file's first bytes must match its declared type: nothing else is accepted or served. */
function sniffContentType(content: Buffer): ReceiptContentType | undefined {
  if (content.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf'
  if (
    content.length >= 8 &&
    content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'image/png'
  if (content.length >= 3 && content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff)
    return 'image/jpeg'
  return undefined
}

export const claimReference = (number: number) => `EXP-${String(number).padStart(6, '0')}`

/**
 * Checks lines against the policy limits. `otherSubsistence` is what other live claims of the same
 * employment already hold for subsistence per date (so a day's cap cannot be beaten by splitting).
 * Pure; returns every problem, naming the line.
 */
export function checkPolicy(
  lines: Array<Pick<ExpenseLine, 'expenseDate' | 'category' | 'amountPence' | 'nights' | 'london'>>,
  limits: PolicyLimit[],
  otherSubsistence: ReadonlyMap<string, number> = new Map(),
): FieldError[] {
  const limit = new Map(limits.map((entry) => [entry.category, entry.limitPence]))
  const problems: FieldError[] = []
  const subsistenceByDate = new Map<string, number>(otherSubsistence)
  lines.forEach((line, index) => {
    const at = `/lines/${index}/amountPence`
    if (line.category === 'travel') {
      const cap = limit.get('travel')
      if (cap !== undefined && line.amountPence > cap)
        problems.push({
          field: at,
          message: `Line ${index + 1}: a journey may cost at most ${formatGbp(cap)}`,
        })
    } else if (line.category === 'hotel') {
      const category = line.london ? 'hotel-london' : 'hotel-elsewhere'
      const cap = limit.get(category)
      const nights = line.nights ?? 1
      if (cap !== undefined && line.amountPence > cap * nights)
        problems.push({
          field: at,
          message: `Line ${index + 1}: a hotel ${line.london ? 'in London' : 'outside London'} may cost at most ${formatGbp(cap)} a night (${formatGbp(cap * nights)} for ${nights} night${nights === 1 ? '' : 's'})`,
        })
    } else if (line.category === 'subsistence') {
      const total = (subsistenceByDate.get(line.expenseDate) ?? 0) + line.amountPence
      subsistenceByDate.set(line.expenseDate, total)
      const cap = limit.get('subsistence')
      if (cap !== undefined && total > cap)
        problems.push({
          field: at,
          message: `Line ${index + 1}: subsistence on ${line.expenseDate} comes to ${formatGbp(total)}, over the ${formatGbp(cap)} a day limit`,
        })
    }
  })
  return problems
}

type ClaimRow = {
  id: string
  number: number
  employment_id: string
  purpose: string
  status: ClaimStatus
  payment_route: PaymentRoute
  total_pence: number
  created_by: string
  created_at: Date
  submitted_at: Date | null
  decided_by: string | null
  decided_at: Date | null
  decision_note: string | null
  cost_centre_code: string | null
  journal_id: string | null
  paid_on: string | null
  pay_run_id: string | null
}

export class ExpenseService {
  readonly #ledger: LedgerService
  constructor(ledger: LedgerService) {
    this.#ledger = ledger
  }

  /** Validates the lines' shape (not the policy) and returns every problem. */
  #checkLines(lines: ExpenseLineInput[], today: string, claimWithinDays: number): FieldError[] {
    const problems: FieldError[] = []
    if (lines.length === 0) problems.push({ field: '/lines', message: 'Add at least one expense' })
    if (lines.length > LINES_PER_CLAIM_MAX)
      problems.push({ field: '/lines', message: `A claim may have at most ${LINES_PER_CLAIM_MAX} lines` })
    const earliest = addDays(today, -claimWithinDays)
    lines.forEach((line, index) => {
      const at = (field: string) => `/lines/${index}/${field}`
      const n = index + 1
      const date = checkDate(line.expenseDate ?? '')
      if (!date.ok) problems.push({ field: at('expenseDate'), message: `Line ${n}: ${date.message}` })
      else if (line.expenseDate > today)
        problems.push({ field: at('expenseDate'), message: `Line ${n}: the date cannot be in the future` })
      else if (line.expenseDate < earliest)
        problems.push({
          field: at('expenseDate'),
          message: `Line ${n}: expenses must be claimed within ${claimWithinDays} days (on or after ${earliest})`,
        })
      if (!EXPENSE_CATEGORIES.includes(line.category))
        problems.push({
          field: at('category'),
          message: `Line ${n}: choose travel, subsistence, hotel or mileage`,
        })
      const description = line.description?.trim() ?? ''
      if (!description || description.length > 200)
        problems.push({
          field: at('description'),
          message: `Line ${n}: enter a description (200 characters or fewer)`,
        })
      if (line.category === 'mileage') {
        if (!line.vehicle || !VEHICLES.includes(line.vehicle))
          problems.push({
            field: at('vehicle'),
            message: `Line ${n}: choose car or van, motorcycle, or bicycle`,
          })
        if (
          !line.miles ||
          !/^\d{1,5}(\.\d)?$/.test(line.miles) ||
          milesToTenths(line.miles) === 0 ||
          milesToTenths(line.miles) > 100_000
        )
          problems.push({
            field: at('miles'),
            message: `Line ${n}: enter the business miles, more than 0 and at most 10,000, like 42 or 42.5`,
          })
      } else {
        if (!Number.isSafeInteger(line.amountPence) || (line.amountPence ?? 0) <= 0)
          problems.push({
            field: at('amountPence'),
            message: `Line ${n}: enter the amount in pounds and pence, more than 0`,
          })
        if (
          line.category === 'hotel' &&
          (!Number.isInteger(line.nights) || line.nights! < 1 || line.nights! > 60)
        )
          problems.push({ field: at('nights'), message: `Line ${n}: enter the number of nights, 1 to 60` })
      }
    })
    return problems
  }

  /**
   * Prices mileage lines at HMRC's rates given the car miles already claimed in the tax year by
   * other live claims of the employment (and earlier lines of this claim), in date order.
   */
  async #price(
    trx: Tx,
    orgId: string,
    employmentId: string,
    claimId: string | null,
    lines: ExpenseLineInput[],
  ) {
    const priced: Array<Omit<ExpenseLine, 'lineNo'>> = []
    const priorByYear = new Map<string, number>()
    const order = lines
      .map((line, index) => ({ line, index }))
      .sort((a, b) =>
        a.line.expenseDate === b.line.expenseDate
          ? a.index - b.index
          : a.line.expenseDate < b.line.expenseDate
            ? -1
            : 1,
      )
    const results = new Array<Omit<ExpenseLine, 'lineNo'>>(lines.length)
    for (const { line, index } of order) {
      let amountPence = line.amountPence ?? 0
      if (line.category === 'mileage') {
        const year = taxYearOf(line.expenseDate)
        const vehicle = line.vehicle!
        // Only cars and vans have a second band; their miles add up across claims.
        const key = `${vehicle}:${year.start}`
        if (!priorByYear.has(key)) {
          const { rows } = await sql<{ tenths: string }>`
            select coalesce(sum(l.miles * 10), 0)::bigint::text as tenths
            from expense_lines l
            join expense_claims c on c.org_id = l.org_id and c.id = l.claim_id
            where l.org_id = ${orgId} and c.employment_id = ${employmentId}
              and c.status in ('submitted', 'approved', 'paid')
              and (${claimId}::uuid is null or c.id <> ${claimId}::uuid)
              and l.category = 'mileage' and l.vehicle = ${vehicle}
              and l.expense_date between ${year.start} and ${year.end}`.execute(trx)
          priorByYear.set(key, Number(rows[0]!.tenths))
        }
        const prior = priorByYear.get(key)!
        const allowance = mileageAllowance(
          vehicle,
          line.miles!,
          `${Math.floor(prior / 10)}.${prior % 10}`,
          line.expenseDate,
        )
        amountPence = allowance.amountPence
        priorByYear.set(key, prior + milesToTenths(line.miles!))
      }
      results[index] = {
        expenseDate: line.expenseDate,
        category: line.category,
        description: line.description.trim(),
        amountPence,
        nights: line.category === 'hotel' ? (line.nights ?? null) : null,
        london: line.category === 'hotel' ? Boolean(line.london) : false,
        vehicle: line.category === 'mileage' ? line.vehicle! : null,
        miles: line.category === 'mileage' ? line.miles! : null,
      }
    }
    priced.push(...results)
    return priced
  }

  /** Subsistence already claimed per date by the employment's other live claims. */
  async #otherSubsistence(trx: Tx, orgId: string, employmentId: string, claimId: string | null) {
    const rows = await trx
      .selectFrom('expense_lines as l')
      .innerJoin('expense_claims as c', (join) =>
        join.onRef('c.org_id', '=', 'l.org_id').onRef('c.id', '=', 'l.claim_id'),
      )
      .select(['l.expense_date', sql<string>`sum(l.amount_pence)::text`.as('total')])
      .where('l.org_id', '=', orgId)
      .where('c.employment_id', '=', employmentId)
      .where('c.status', 'in', ['submitted', 'approved', 'paid'])
      .$if(claimId !== null, (query) => query.where('c.id', '<>', claimId!))
      .where('l.category', '=', 'subsistence')
      .groupBy('l.expense_date')
      .execute()
    return new Map(rows.map((row) => [row.expense_date, Number(row.total)]))
  }

  /**
   * Creates a draft claim with its lines: shape, time limit and policy limits are checked, mileage is
   * priced. Receipts are attached next; then the claim is submitted.
   */
  async createClaim(
    trx: Tx,
    orgId: string,
    employmentId: string,
    input: ClaimInput,
    userId: string,
    today: string,
  ): Promise<Claim> {
    const settings = await expenseSettings(trx, orgId)
    const problems = this.#checkLines(input.lines ?? [], today, settings.claimWithinDays)
    const purpose = input.purpose?.trim() ?? ''
    if (!purpose || purpose.length > 200)
      problems.unshift({
        field: '/purpose',
        message: 'Enter what the expenses were for (200 characters or fewer)',
      })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    const employment = await trx
      .selectFrom('employments')
      .select(['start_date', 'end_date'])
      .where('org_id', '=', orgId)
      .where('id', '=', employmentId)
      .executeTakeFirst()
    if (!employment) throw new NotFoundError('There is no such employment')
    const lines = await this.#price(trx, orgId, employmentId, null, input.lines)
    const policyProblems = checkPolicy(
      lines,
      await policyLimits(trx, orgId),
      await this.#otherSubsistence(trx, orgId, employmentId, null),
    )
    if (policyProblems.length)
      throw new BusinessRuleError('The claim is over the organisation’s policy limits', policyProblems)
    const id = randomUUID()
    await trx
      .insertInto('expense_claims')
      .values({
        org_id: orgId,
        id,
        employment_id: employmentId,
        purpose,
        payment_route: input.paymentRoute ?? settings.defaultPaymentRoute,
        total_pence: lines.reduce((sum, line) => sum + line.amountPence, 0),
        created_by: userId,
      })
      .execute()
    await trx
      .insertInto('expense_lines')
      .values(
        lines.map((line, index) => ({
          org_id: orgId,
          claim_id: id,
          line_no: index + 1,
          expense_date: line.expenseDate,
          category: line.category,
          description: line.description,
          amount_pence: line.amountPence,
          nights: line.nights,
          london: line.london,
          vehicle: line.vehicle,
          miles: line.miles,
        })),
      )
      .execute()
    return this.getClaim(trx, orgId, id)
  }

  async getClaim(trx: Tx, orgId: string, claimId: string): Promise<Claim> {
    const row = await trx
      .selectFrom('expense_claims')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', claimId)
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such expense claim')
    const [lines, receipts] = await Promise.all([
      trx
        .selectFrom('expense_lines')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('claim_id', '=', claimId)
        .orderBy('line_no')
        .execute(),
      trx
        .selectFrom('expense_receipts')
        .select(['id', 'line_no', 'file_name', 'content_type', 'size_bytes'])
        .where('org_id', '=', orgId)
        .where('claim_id', '=', claimId)
        .orderBy('uploaded_at')
        .execute(),
    ])
    return {
      ...this.#summary(row),
      lines: lines.map((line) => ({
        lineNo: line.line_no,
        expenseDate: line.expense_date,
        category: line.category,
        description: line.description,
        amountPence: line.amount_pence,
        nights: line.nights,
        london: line.london,
        vehicle: line.vehicle,
        miles: line.miles === null ? null : String(Number(line.miles)),
      })),
      receipts: receipts.map((receipt) => ({
        id: receipt.id,
        lineNo: receipt.line_no,
        fileName: receipt.file_name,
        contentType: receipt.content_type,
        sizeBytes: receipt.size_bytes,
      })),
    }
  }

  #summary(row: ClaimRow): Omit<Claim, 'lines' | 'receipts'> {
    return {
      id: row.id,
      number: row.number,
      reference: claimReference(row.number),
      employmentId: row.employment_id,
      purpose: row.purpose,
      status: row.status,
      paymentRoute: row.payment_route,
      totalPence: row.total_pence,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      submittedAt: row.submitted_at?.toISOString() ?? null,
      decidedBy: row.decided_by,
      decidedAt: row.decided_at?.toISOString() ?? null,
      decisionNote: row.decision_note,
      costCentreCode: row.cost_centre_code,
      journalId: row.journal_id,
      paidOn: row.paid_on,
      payRunId: row.pay_run_id,
    }
  }

  async listClaims(
    trx: Tx,
    orgId: string,
    filter: { employmentIds?: string[]; status?: ClaimStatus } = {},
    limit = 200,
  ): Promise<Array<Omit<Claim, 'lines' | 'receipts'>>> {
    if (filter.employmentIds && filter.employmentIds.length === 0) return []
    const rows = await trx
      .selectFrom('expense_claims')
      .selectAll()
      .where('org_id', '=', orgId)
      .$if(filter.employmentIds !== undefined, (query) =>
        query.where('employment_id', 'in', filter.employmentIds!),
      )
      .$if(filter.status !== undefined, (query) => query.where('status', '=', filter.status!))
      .orderBy('created_at', 'desc')
      .limit(Math.min(limit, 1000))
      .execute()
    return rows.map((row) => this.#summary(row))
  }

  /** Attaches a receipt (PDF, JPEG or PNG, at most 5 MB, its type checked from its bytes). */
  async addReceipt(
    trx: Tx,
    orgId: string,
    claimId: string,
    input: ReceiptInput,
    userId: string,
  ): Promise<ReceiptSummary> {
    const claim = await this.getClaim(trx, orgId, claimId)
    if (claim.status !== 'draft')
      throw new BusinessRuleError('Receipts can only be added to a claim that has not been submitted')
    const problems: FieldError[] = []
    if (input.content.length === 0) problems.push({ field: '/receipt', message: 'Choose a file to upload' })
    else if (input.content.length > RECEIPT_BYTES_MAX)
      problems.push({ field: '/receipt', message: 'The receipt must be smaller than 5 MB' })
    const sniffed = input.content.length ? sniffContentType(input.content) : undefined
    if (input.content.length && input.content.length <= RECEIPT_BYTES_MAX && !sniffed)
      problems.push({ field: '/receipt', message: 'The receipt must be a PDF, JPG or PNG' })
    if (input.lineNo !== undefined && !claim.lines.some((line) => line.lineNo === input.lineNo))
      problems.push({ field: '/lineNo', message: 'Choose an expense on this claim' })
    if (claim.receipts.length >= RECEIPTS_PER_CLAIM_MAX)
      problems.push({
        field: '/receipt',
        message: `A claim may have at most ${RECEIPTS_PER_CLAIM_MAX} receipts`,
      })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    const fileName = (input.fileName || 'receipt').replace(/[^\w .()-]/g, '_').slice(0, 200)
    const id = randomUUID()
    await trx
      .insertInto('expense_receipts')
      .values({
        org_id: orgId,
        id,
        claim_id: claimId,
        line_no: input.lineNo ?? null,
        file_name: fileName,
        content_type: sniffed!,
        size_bytes: input.content.length,
        content: input.content,
        uploaded_by: userId,
      })
      .execute()
    return {
      id,
      lineNo: input.lineNo ?? null,
      fileName,
      contentType: sniffed!,
      sizeBytes: input.content.length,
    }
  }

  async getReceipt(trx: Tx, orgId: string, claimId: string, receiptId: string) {
    const row = await trx
      .selectFrom('expense_receipts')
      .select(['file_name', 'content_type', 'content'])
      .where('org_id', '=', orgId)
      .where('claim_id', '=', claimId)
      .where('id', '=', receiptId)
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such receipt')
    return { fileName: row.file_name, contentType: row.content_type, content: Buffer.from(row.content) }
  }

  /**
   * Submits a draft for approval: mileage is priced again against the miles claimed since, the
   * policy is checked again, and every line over the receipt threshold must have its receipt.
   */
  async submitClaim(trx: Tx, orgId: string, claimId: string, today: string): Promise<Claim> {
    const claim = await this.getClaim(trx, orgId, claimId)
    if (claim.status !== 'draft') throw new BusinessRuleError(`This claim is ${claim.status}, not a draft`)
    const settings = await expenseSettings(trx, orgId)
    const lines = await this.#price(
      trx,
      orgId,
      claim.employmentId,
      claimId,
      claim.lines.map((line) => ({
        ...line,
        nights: line.nights ?? undefined,
        vehicle: line.vehicle ?? undefined,
        miles: line.miles ?? undefined,
      })),
    )
    const problems = checkPolicy(
      lines,
      await policyLimits(trx, orgId),
      await this.#otherSubsistence(trx, orgId, claim.employmentId, claimId),
    )
    const earliest = addDays(today, -settings.claimWithinDays)
    claim.lines.forEach((line, index) => {
      if (line.expenseDate < earliest)
        problems.push({
          field: `/lines/${index}/expenseDate`,
          message: `Line ${index + 1}: expenses must be claimed within ${settings.claimWithinDays} days (on or after ${earliest})`,
        })
      if (line.category === 'mileage' || line.amountPence <= settings.receiptRequiredOverPence) return
      if (!claim.receipts.some((receipt) => receipt.lineNo === line.lineNo))
        problems.push({
          field: `/lines/${index}/receipt`,
          message: `Line ${index + 1}: attach the receipt for ${line.description}`,
        })
    })
    if (problems.length) throw new BusinessRuleError('The claim cannot be submitted yet', problems)
    for (const [index, line] of lines.entries()) {
      if (line.amountPence === claim.lines[index]!.amountPence) continue
      await trx
        .updateTable('expense_lines')
        .set({ amount_pence: line.amountPence })
        .where('org_id', '=', orgId)
        .where('claim_id', '=', claimId)
        .where('line_no', '=', index + 1)
        .execute()
    }
    await trx
      .updateTable('expense_claims')
      .set({
        status: 'submitted',
        submitted_at: new Date(),
        total_pence: lines.reduce((sum, line) => sum + line.amountPence, 0),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', claimId)
      .execute()
    return this.getClaim(trx, orgId, claimId)
  }

  /**
   * Approves or rejects a submitted claim. Only the claimant's line manager may; never the
   * claimant (also a database check). Approval posts the claim to the ledger on the claimant's cost
   * centre in force that day: Dr the expense account, Cr employee expenses payable.
   */
  async decideClaim(
    trx: Tx,
    orgId: string,
    claimId: string,
    decision: 'approve' | 'reject',
    deciderUserId: string,
    note: string | undefined,
    today: string,
  ): Promise<Claim> {
    const locked = await trx
      .selectFrom('expense_claims')
      .select(['status', 'created_by', 'employment_id'])
      .where('org_id', '=', orgId)
      .where('id', '=', claimId)
      .forUpdate()
      .executeTakeFirst()
    if (!locked) throw new NotFoundError('There is no such expense claim')
    const claim = await this.getClaim(trx, orgId, claimId)
    const decider = await personForUser(trx, deciderUserId)
    const owner = await trx
      .selectFrom('employments')
      .select('person_id')
      .where('org_id', '=', orgId)
      .where('id', '=', claim.employmentId)
      .executeTakeFirstOrThrow()
    if (claim.createdBy === deciderUserId || decider?.id === owner.person_id)
      throw new ForbiddenError('You cannot approve or reject your own expense claim')
    if (!decider || !(await isLineManager(trx, orgId, claim.employmentId, decider.id, today)))
      throw new ForbiddenError('Only the claimant’s line manager can approve or reject their claim')
    if (claim.status !== 'submitted')
      throw new BusinessRuleError(`This claim is ${claim.status}, not waiting for a decision`)
    const decisionNote = note?.trim() || null
    if (decision === 'reject') {
      if (!decisionNote)
        throw new ValidationError('Give a reason for rejecting the claim', [
          { field: '/note', message: 'Give a reason for rejecting the claim' },
        ])
      await trx
        .updateTable('expense_claims')
        .set({
          status: 'rejected',
          decided_by: deciderUserId,
          decided_at: new Date(),
          decision_note: decisionNote,
        })
        .where('org_id', '=', orgId)
        .where('id', '=', claimId)
        .execute()
      return this.getClaim(trx, orgId, claimId)
    }
    const settings = await expenseSettings(trx, orgId)
    // The cost centre in force today, or on the last day of an employment that has since ended.
    const lastDate = claim.lines.reduce(
      (latest, line) => (line.expenseDate > latest ? line.expenseDate : latest),
      '',
    )
    const employment =
      (await employmentAsAt(trx, orgId, claim.employmentId, today)) ??
      (await employmentAsAt(trx, orgId, claim.employmentId, lastDate))
    if (!employment)
      throw new BusinessRuleError(
        'The claimant has no employment terms to charge the claim to (no cost centre)',
      )
    await this.#ensurePayableAccount(trx, orgId, settings.payableAccountCode)
    const reference = claimReference(claim.number)
    const [journal] = await this.#ledger.postJournals(
      trx,
      orgId,
      [
        {
          date: today,
          description: `Expenses ${reference}: ${claim.purpose}`.slice(0, 500),
          reference,
          source: 'payables',
          lines: [
            ...claim.lines.map((line) => ({
              accountCode: settings.expenseAccountCode,
              costCentreCode: employment.costCentreCode,
              spendClass: 'admin' as const,
              amountMinor: line.amountPence,
              description: `${line.category}: ${line.description}`.slice(0, 200),
            })),
            {
              accountCode: settings.payableAccountCode,
              amountMinor: -claim.totalPence,
              description: `Owed to employee ${employment.employeeNumber}`,
            },
          ],
        },
      ],
      deciderUserId,
    )
    await trx
      .updateTable('expense_claims')
      .set({
        status: 'approved',
        decided_by: deciderUserId,
        decided_at: new Date(),
        decision_note: decisionNote,
        cost_centre_code: employment.costCentreCode,
        journal_id: journal!.id,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', claimId)
      .execute()
    return this.getClaim(trx, orgId, claimId)
  }

  async #ensurePayableAccount(trx: Tx, orgId: string, code: string) {
    const exists = await trx
      .selectFrom('accounts')
      .select('code')
      .where('org_id', '=', orgId)
      .where('code', '=', code)
      .executeTakeFirst()
    if (exists) return
    if (code !== DEFAULT_EXPENSE_SETTINGS.payableAccountCode)
      throw new BusinessRuleError(`The expenses payable account ${code} does not exist in the chart`)
    await this.#ledger.addLocalAccount(trx, orgId, code, EXPENSES_PAYABLE_ACCOUNT_NAME)
  }

  /**
   * Pays approved claims on the payables route: one journal (Dr employee expenses payable, Cr bank)
   * and the claims marked paid. All or nothing: a claim not approved for payables refuses the lot.
   */
  async payByPayables(trx: Tx, orgId: string, claimIds: string[], paidOn: string, userId: string) {
    if (claimIds.length === 0 || claimIds.length > 1000)
      throw new ValidationError('Choose between 1 and 1,000 claims', [
        { field: '/claimIds', message: 'Choose between 1 and 1,000 claims' },
      ])
    const rows = await trx
      .selectFrom('expense_claims')
      .select(['id', 'number', 'status', 'payment_route', 'total_pence'])
      .where('org_id', '=', orgId)
      .where('id', 'in', claimIds)
      .forUpdate()
      .execute()
    const problems: FieldError[] = []
    claimIds.forEach((id, index) => {
      const row = rows.find((candidate) => candidate.id === id)
      if (!row) problems.push({ field: `/claimIds/${index}`, message: 'There is no such claim' })
      else if (row.status !== 'approved' || row.payment_route !== 'payables')
        problems.push({
          field: `/claimIds/${index}`,
          message: `${claimReference(row.number)} is not an approved claim to pay through payables`,
        })
    })
    if (problems.length) throw new BusinessRuleError('Some claims cannot be paid', problems)
    const settings = await expenseSettings(trx, orgId)
    const total = rows.reduce((sum, row) => sum + row.total_pence, 0)
    const [journal] = await this.#ledger.postJournals(
      trx,
      orgId,
      [
        {
          date: paidOn,
          description: `Employee expenses paid: ${rows.length} claim${rows.length === 1 ? '' : 's'}`,
          source: 'payables',
          lines: [
            { accountCode: settings.payableAccountCode, amountMinor: total },
            { accountCode: SYSTEM_ACCOUNTS.bank, amountMinor: -total },
          ],
        },
      ],
      userId,
    )
    await trx
      .updateTable('expense_claims')
      .set({ status: 'paid', paid_on: paidOn, payment_journal_id: journal!.id })
      .where('org_id', '=', orgId)
      .where('id', 'in', claimIds)
      .execute()
    return { journalId: journal!.id, claims: rows.length, totalPence: total }
  }
}
