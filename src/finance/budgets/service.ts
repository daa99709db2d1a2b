// Budgets and forecasts as signed adjustments: the finance domain's public API for loading them
// (in batches, all or nothing) and reading the current position (the sum of the adjustments).
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { type FieldError, ValidationError } from '../../platform/errors.ts'
import { allocate, MAX_AMOUNT_PENCE } from '../../platform/money.ts'
import type { BudgetClass, ControlTotal, SpendClass } from '../tables.ts'
import './tables.ts'
import type { BudgetBatchSource, BudgetKind } from './tables.ts'

/** The most adjustments one call may add (after spreading annual amounts over 12 periods). */
export const MAX_ADJUSTMENTS_PER_BATCH = 50_000

export interface BudgetAdjustmentInput {
  /** 'budget' (default) or 'forecast'. */
  kind?: BudgetKind | undefined
  fiscalYear: number
  /** 1 to 12; left out, the amount is spread evenly over the 12 periods of the year. */
  period?: number | undefined
  accountCode: string
  costCentreCode: string
  controlTotal?: ControlTotal | undefined
  budgetClass?: BudgetClass | undefined
  spendClass?: SpendClass | undefined
  /** Signed pence, like the ledger: expenditure positive, income negative; a reduction is the opposite sign. */
  amountPence: number
  reason: string
}

export interface BudgetBatchResult {
  batchId: string
  /** Rows stored: an unphased input becomes up to 12. */
  adjustmentCount: number
  /** Net change the batch made, in pence. */
  netPence: number
}

export interface BudgetLine {
  kind: BudgetKind
  fiscalYear: number
  accountCode: string
  accountName: string
  standardCode: string
  costCentreCode: string
  controlTotal: ControlTotal
  budgetClass: BudgetClass
  spendClass: SpendClass
  /** Sum of the adjustments for the whole year. */
  fullYearPence: number
  /** Sum of the adjustments for periods 1 to the period asked for. */
  toDatePence: number
  adjustmentCount: number
}

export interface BudgetAdjustmentRow {
  batchId: string
  lineNo: number
  kind: BudgetKind
  fiscalYear: number
  period: number
  accountCode: string
  costCentreCode: string
  controlTotal: ControlTotal
  budgetClass: BudgetClass
  spendClass: SpendClass
  amountPence: number
  reason: string
  createdBy: string | null
  createdAt: string
}

const KINDS: readonly string[] = ['budget', 'forecast']
const CONTROL_TOTALS: readonly string[] = ['DEL', 'AME']
const BUDGET_CLASSES: readonly string[] = ['resource', 'capital']
const SPEND_CLASSES: readonly string[] = ['admin', 'programme']

export class BudgetsService {
  /**
   * Validates and stores a batch of adjustments in one go. Every problem is reported with a JSON
   * pointer (/adjustments/i/field) and nothing is stored unless all are clean.
   * Errors: ValidationError.
   */
  async addAdjustments(
    trx: Tx,
    orgId: string,
    inputs: BudgetAdjustmentInput[],
    createdBy: string | null,
    source: BudgetBatchSource = 'api',
  ): Promise<BudgetBatchResult> {
    if (inputs.length === 0)
      throw new ValidationError('There are no adjustments to load', [
        { field: '/adjustments', message: 'must contain at least one adjustment' },
      ])
    if (inputs.length > MAX_ADJUSTMENTS_PER_BATCH)
      throw new ValidationError(`At most ${MAX_ADJUSTMENTS_PER_BATCH} adjustments can be loaded at once`, [
        { field: '/adjustments', message: `must contain at most ${MAX_ADJUSTMENTS_PER_BATCH} adjustments` },
      ])
    const [accounts, costCentres] = await Promise.all([
      trx.selectFrom('accounts').select(['code', 'active']).where('org_id', '=', orgId).execute(),
      trx.selectFrom('cost_centres').select(['code', 'active']).where('org_id', '=', orgId).execute(),
    ])
    const accountActive = new Map(accounts.map((row) => [row.code, row.active]))
    const costCentreActive = new Map(costCentres.map((row) => [row.code, row.active]))
    const problems: FieldError[] = []
    const rows: Array<{
      kind: string
      fiscalYear: number
      period: number
      account: string
      costCentre: string
      controlTotal: string
      budgetClass: string
      spendClass: string
      pence: number
      reason: string
    }> = []
    inputs.forEach((input, i) => {
      const field = (name: string) => `/adjustments/${i}/${name}`
      const before = problems.length
      const kind = input.kind ?? 'budget'
      if (!KINDS.includes(kind))
        problems.push({ field: field('kind'), message: `"${kind}" is not a kind; use budget or forecast` })
      if (!Number.isInteger(input.fiscalYear) || input.fiscalYear < 2000 || input.fiscalYear > 2200)
        problems.push({
          field: field('fiscalYear'),
          message: 'Enter the financial year as its starting year, like 2026 for 2026-27',
        })
      if (
        input.period !== undefined &&
        (!Number.isInteger(input.period) || input.period < 1 || input.period > 12)
      )
        problems.push({ field: field('period'), message: 'Enter a period from 1 (April) to 12 (March)' })
      const active = accountActive.get(input.accountCode)
      if (active === undefined)
        problems.push({ field: field('accountCode'), message: `There is no account ${input.accountCode}` })
      else if (!active)
        problems.push({ field: field('accountCode'), message: `Account ${input.accountCode} is closed` })
      if (!costCentreActive.get(input.costCentreCode))
        problems.push({
          field: field('costCentreCode'),
          message: `There is no open cost centre ${input.costCentreCode}`,
        })
      const controlTotal = input.controlTotal ?? 'DEL'
      if (!CONTROL_TOTALS.includes(controlTotal))
        problems.push({ field: field('controlTotal'), message: 'Choose DEL or AME' })
      const budgetClass = input.budgetClass ?? 'resource'
      if (!BUDGET_CLASSES.includes(budgetClass))
        problems.push({ field: field('budgetClass'), message: 'Choose resource or capital' })
      const spendClass = input.spendClass ?? 'programme'
      if (!SPEND_CLASSES.includes(spendClass))
        problems.push({ field: field('spendClass'), message: 'Choose admin or programme' })
      if (
        !Number.isSafeInteger(input.amountPence) ||
        input.amountPence === 0 ||
        Math.abs(input.amountPence) > MAX_AMOUNT_PENCE
      )
        problems.push({
          field: field('amountPence'),
          message: 'Enter a whole, non-zero amount in pence (a reduction is negative for expenditure)',
        })
      const reason = input.reason?.trim() ?? ''
      if (!reason) problems.push({ field: field('reason'), message: 'Enter the reason for the adjustment' })
      else if (reason.length > 500)
        problems.push({ field: field('reason'), message: 'The reason must be 500 characters or fewer' })
      if (problems.length > before) return
      const base = {
        kind,
        fiscalYear: input.fiscalYear,
        account: input.accountCode,
        costCentre: input.costCentreCode,
        controlTotal,
        budgetClass,
        spendClass,
        reason,
      }
      if (input.period !== undefined) rows.push({ ...base, period: input.period, pence: input.amountPence })
      else {
        // Phasing an annual amount evenly keeps the parts adding up to it exactly.
        allocate(input.amountPence, Array(12).fill(1)).forEach((pence, index) => {
          if (pence !== 0) rows.push({ ...base, period: index + 1, pence })
        })
      }
    })
    if (problems.length > 0)
      throw new ValidationError(
        problems.length === 1
          ? problems[0]!.message
          : `${problems.length} problems stop these adjustments being loaded`,
        problems,
      )
    if (rows.length > MAX_ADJUSTMENTS_PER_BATCH)
      throw new ValidationError(
        `Spread over periods, the batch has more than ${MAX_ADJUSTMENTS_PER_BATCH} rows`,
        [{ field: '/adjustments', message: 'split the batch, or give periods' }],
      )
    const batchId = randomUUID()
    await trx
      .insertInto('budget_batches')
      .values({ org_id: orgId, id: batchId, source, adjustment_count: rows.length, created_by: createdBy })
      .execute()
    // One statement for the whole batch, whatever its size.
    await sql`
      insert into budget_adjustments (org_id, batch_id, line_no, kind, fiscal_year, period, account_code,
        cost_centre_code, control_total, budget_class, spend_class, amount_pence, reason, created_by)
      select ${orgId}::uuid, ${batchId}::uuid, r.line_no, r.kind, r.fiscal_year, r.period, r.account_code,
        r.cost_centre_code, r.control_total, r.budget_class, r.spend_class, r.amount_pence, r.reason, ${createdBy}::uuid
      from unnest(${rows.map((_, index) => index + 1)}::int[], ${rows.map((r) => r.kind)}::text[],
        ${rows.map((r) => r.fiscalYear)}::smallint[], ${rows.map((r) => r.period)}::smallint[],
        ${rows.map((r) => r.account)}::text[], ${rows.map((r) => r.costCentre)}::text[],
        ${rows.map((r) => r.controlTotal)}::text[], ${rows.map((r) => r.budgetClass)}::text[],
        ${rows.map((r) => r.spendClass)}::text[], ${rows.map((r) => r.pence)}::bigint[],
        ${rows.map((r) => r.reason)}::text[])
        as r(line_no, kind, fiscal_year, period, account_code, cost_centre_code, control_total, budget_class,
          spend_class, amount_pence, reason)`.execute(trx)
    return {
      batchId,
      adjustmentCount: rows.length,
      netPence: rows.reduce((sum, row) => sum + row.pence, 0),
    }
  }

  /**
   * The current budget (or forecast) of each line of a year: the sum of its adjustments, for the
   * whole year and for periods 1 to `toPeriod`. Lines whose adjustments net to zero are kept, so a
   * withdrawn budget still shows.
   */
  async currentBudget(
    trx: Tx,
    orgId: string,
    fiscalYear: number,
    options: { kind?: BudgetKind; toPeriod?: number } = {},
  ): Promise<BudgetLine[]> {
    const toPeriod = options.toPeriod ?? 12
    const { rows } = await sql<{
      kind: BudgetKind
      account_code: string
      account_name: string
      standard_code: string
      cost_centre_code: string
      control_total: ControlTotal
      budget_class: BudgetClass
      spend_class: SpendClass
      full_year: string
      to_date: string
      adjustments: number
    }>`
      select b.kind, b.account_code, a.name as account_name, a.standard_code, b.cost_centre_code,
        b.control_total, b.budget_class, b.spend_class,
        sum(b.amount_pence)::text as full_year,
        coalesce(sum(b.amount_pence) filter (where b.period <= ${toPeriod}), 0)::text as to_date,
        count(*)::int as adjustments
      from budget_adjustments b
      join accounts a on a.org_id = b.org_id and a.code = b.account_code
      where b.org_id = ${orgId} and b.fiscal_year = ${fiscalYear}
        and (${options.kind ?? null}::text is null or b.kind = ${options.kind ?? null}::text)
      group by b.kind, b.account_code, a.name, a.standard_code, b.cost_centre_code, b.control_total,
        b.budget_class, b.spend_class
      order by b.kind, b.account_code, b.cost_centre_code, b.control_total, b.budget_class, b.spend_class`.execute(
      trx,
    )
    return rows.map((row) => ({
      kind: row.kind,
      fiscalYear,
      accountCode: row.account_code,
      accountName: row.account_name,
      standardCode: row.standard_code,
      costCentreCode: row.cost_centre_code,
      controlTotal: row.control_total,
      budgetClass: row.budget_class,
      spendClass: row.spend_class,
      fullYearPence: Number(row.full_year),
      toDatePence: Number(row.to_date),
      adjustmentCount: Number(row.adjustments),
    }))
  }

  /** The adjustments of a year, newest first: the audit trail behind each figure. */
  async listAdjustments(
    trx: Tx,
    orgId: string,
    fiscalYear: number,
    options: { accountCode?: string; costCentreCode?: string; limit?: number } = {},
  ): Promise<BudgetAdjustmentRow[]> {
    let query = trx
      .selectFrom('budget_adjustments')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('fiscal_year', '=', fiscalYear)
    if (options.accountCode) query = query.where('account_code', '=', options.accountCode)
    if (options.costCentreCode) query = query.where('cost_centre_code', '=', options.costCentreCode)
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('batch_id')
      .orderBy('line_no')
      .limit(Math.min(options.limit ?? 500, 5_000))
      .execute()
    return rows.map((row) => ({
      batchId: row.batch_id,
      lineNo: row.line_no,
      kind: row.kind,
      fiscalYear: row.fiscal_year,
      period: row.period,
      accountCode: row.account_code,
      costCentreCode: row.cost_centre_code,
      controlTotal: row.control_total,
      budgetClass: row.budget_class,
      spendClass: row.spend_class,
      amountPence: Number(row.amount_pence),
      reason: row.reason,
      createdBy: row.created_by,
      createdAt: new Date(row.created_at).toISOString(),
    }))
  }
}
