// Budget and forecast load from CSV: every bad row is reported with its line number, field and
// reason, and nothing is loaded until the whole file is clean (as the journal import does).
import type { Tx } from '../../platform/db/index.ts'
import { ValidationError } from '../../platform/errors.ts'
import { FileImportError, type ImportProblem, readCsvTable } from '../../platform/file-import.ts'
import { MoneyFormatError, parseMoney } from '../../platform/money.ts'
import type { BudgetClass, ControlTotal, SpendClass } from '../tables.ts'
import type { BudgetAdjustmentInput, BudgetBatchResult, BudgetsService } from './service.ts'
import type { BudgetKind } from './tables.ts'

/** The columns of a budget load file, in the published template's order. */
export const BUDGET_IMPORT_COLUMNS = [
  'kind',
  'fiscal_year',
  'period',
  'account',
  'cost_centre',
  'control_total',
  'budget_class',
  'spend_class',
  'amount',
  'reason',
] as const
const REQUIRED = ['fiscal_year', 'account', 'cost_centre', 'amount', 'reason'] as const
export const BUDGET_IMPORT_MAX_BYTES = 10 * 1024 * 1024
export const BUDGET_IMPORT_MAX_ROWS = 50_000

export type BudgetImportProblem = ImportProblem

/** Thrown when a budget file has problems; lists every one, and nothing has been loaded. */
export class BudgetImportError extends FileImportError {
  constructor(problems: BudgetImportProblem[]) {
    super(problems, 'nothing was loaded')
  }
}

const FIELD_NAMES: Record<string, string> = {
  kind: 'kind',
  fiscalYear: 'fiscal_year',
  period: 'period',
  accountCode: 'account',
  costCentreCode: 'cost_centre',
  controlTotal: 'control_total',
  budgetClass: 'budget_class',
  spendClass: 'spend_class',
  amountPence: 'amount',
  reason: 'reason',
}

/** Reads the file into adjustments, or throws BudgetImportError listing every problem found. */
export function readBudgetCsv(content: Buffer | string): {
  adjustments: BudgetAdjustmentInput[]
  lines: number[]
} {
  const { rows, problems } = readCsvTable(
    content,
    {
      columns: BUDGET_IMPORT_COLUMNS,
      required: REQUIRED,
      maxBytes: BUDGET_IMPORT_MAX_BYTES,
      maxRows: BUDGET_IMPORT_MAX_ROWS,
    },
    (found) => new BudgetImportError(found),
  )
  const adjustments: BudgetAdjustmentInput[] = []
  const lines: number[] = []
  for (const row of rows) {
    const { line } = row
    const cell = (name: string) => row.cell(name)
    const kind = cell('kind').toLowerCase() || 'budget'
    if (kind !== 'budget' && kind !== 'forecast')
      problems.push({ line, field: 'kind', message: `"${kind}" is not budget or forecast` })
    const yearText = cell('fiscal_year')
    // "2026" or "2026-27".
    const year = /^(\d{4})(?:-\d{2})?$/.exec(yearText)
    if (!year)
      problems.push({
        line,
        field: 'fiscal_year',
        message: `"${yearText}" is not a year like 2026 or 2026-27`,
      })
    const periodText = cell('period')
    if (periodText && !/^(1[0-2]|[1-9])$/.test(periodText))
      problems.push({ line, field: 'period', message: `"${periodText}" is not a period from 1 to 12` })
    const account = cell('account')
    if (!/^\d{8}$/.test(account))
      problems.push({ line, field: 'account', message: `"${account}" is not an 8-digit account code` })
    const costCentre = cell('cost_centre').toUpperCase()
    if (!costCentre) problems.push({ line, field: 'cost_centre', message: 'enter the cost centre' })
    const controlTotal = cell('control_total').toUpperCase() || 'DEL'
    if (controlTotal !== 'DEL' && controlTotal !== 'AME')
      problems.push({ line, field: 'control_total', message: `"${controlTotal}" is not DEL or AME` })
    const budgetClass = cell('budget_class').toLowerCase() || 'resource'
    if (budgetClass !== 'resource' && budgetClass !== 'capital')
      problems.push({ line, field: 'budget_class', message: `"${budgetClass}" is not resource or capital` })
    const spendClass = cell('spend_class').toLowerCase() || 'programme'
    if (spendClass !== 'admin' && spendClass !== 'programme')
      problems.push({ line, field: 'spend_class', message: `"${spendClass}" is not admin or programme` })
    const amountText = cell('amount')
    let amountPence = 0
    try {
      amountPence = parseMoney(amountText, { allowSeparators: true })
      if (amountPence === 0) problems.push({ line, field: 'amount', message: 'must not be zero' })
    } catch (error) {
      if (!(error instanceof MoneyFormatError)) throw error
      problems.push({
        line,
        field: 'amount',
        message: `"${amountText}" is not a signed amount like -1250.00`,
      })
    }
    const reason = cell('reason')
    if (!reason) problems.push({ line, field: 'reason', message: 'enter the reason for the adjustment' })
    adjustments.push({
      kind: kind as BudgetKind,
      fiscalYear: year ? Number(year[1]) : 0,
      period: periodText ? Number(periodText) : undefined,
      accountCode: account,
      costCentreCode: costCentre,
      controlTotal: controlTotal as ControlTotal,
      budgetClass: budgetClass as BudgetClass,
      spendClass: spendClass as SpendClass,
      amountPence,
      reason,
    })
    lines.push(line)
  }
  if (problems.length > 0) throw new BudgetImportError(problems)
  if (adjustments.length === 0)
    throw new BudgetImportError([{ line: 2, field: 'file', message: 'the file has a header but no rows' }])
  return { adjustments, lines }
}

/** Loads a budget CSV in one transaction; maps the service's objections back to file lines. */
export async function importBudgetCsv(
  trx: Tx,
  budgets: BudgetsService,
  orgId: string,
  content: Buffer | string,
  createdBy: string | null,
): Promise<BudgetBatchResult> {
  const { adjustments, lines } = readBudgetCsv(content)
  try {
    return await budgets.addAdjustments(trx, orgId, adjustments, createdBy, 'import')
  } catch (error) {
    if (!(error instanceof ValidationError) || error instanceof BudgetImportError) throw error
    throw new BudgetImportError(
      error.fieldErrors.map((problem) => {
        const match = /^\/adjustments\/(\d+)\/(\w+)$/.exec(problem.field)
        return {
          line: match ? lines[Number(match[1])]! : 0,
          field: FIELD_NAMES[match?.[2] ?? ''] ?? 'file',
          message: problem.message,
        }
      }),
    )
  }
}
