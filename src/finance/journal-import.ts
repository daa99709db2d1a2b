// Journal import from CSV: every bad row is reported with its line number, field and reason, and
// nothing is posted until the whole file is clean.
import type { Tx } from '../platform/db/index.ts'
import { ValidationError } from '../platform/errors.ts'
import { FileImportError, type ImportProblem, readCsvTable } from '../platform/file-import.ts'
import { MoneyFormatError, parseMoney } from '../platform/money.ts'
import { ledgerMinorUnits } from './chart.ts'
import type { JournalInput, LedgerService, PostedJournal } from './ledger.ts'

/** The columns of a journal import file, in the published template's order. */
export const IMPORT_COLUMNS = [
  'journal',
  'date',
  'description',
  'account',
  'cost_centre',
  'project',
  'debit',
  'credit',
  'currency',
  'line_description',
] as const
const REQUIRED = ['journal', 'date', 'description', 'account'] as const
/** Bounds what one upload can ask of the server. */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024
export const IMPORT_MAX_ROWS = 100_000

export type { ImportProblem }

/** Thrown when a journal file has problems; lists every one, and nothing has been posted. */
export class ImportError extends FileImportError {
  constructor(problems: ImportProblem[]) {
    super(problems, 'nothing was posted')
  }
}

/** Reads the file into journals, or throws ImportError listing every problem found. */
export function readJournalCsv(content: Buffer | string): { journals: JournalInput[]; lineOf: number[][] } {
  const { rows, problems } = readCsvTable(
    content,
    { columns: IMPORT_COLUMNS, required: REQUIRED, maxBytes: IMPORT_MAX_BYTES, maxRows: IMPORT_MAX_ROWS },
    (found) => new ImportError(found),
  )
  const journals = new Map<string, { journal: JournalInput; lines: number[]; firstLine: number }>()
  for (const row of rows) {
    const { line } = row
    const cell = (name: string) => row.cell(name)
    const reference = cell('journal')
    if (!reference)
      problems.push({ line, field: 'journal', message: 'enter the journal reference that groups its lines' })
    const date = cell('date')
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
      problems.push({ line, field: 'date', message: `"${date}" is not a date in the form 2026-04-30` })
    }
    const account = cell('account')
    if (!/^\d{8}$/.test(account))
      problems.push({ line, field: 'account', message: `"${account}" is not an 8-digit account code` })
    const debit = cell('debit')
    const credit = cell('credit')
    let amount = 0
    if (debit && credit)
      problems.push({ line, field: 'debit', message: 'enter a debit or a credit, not both' })
    else if (!debit && !credit)
      problems.push({ line, field: 'debit', message: 'enter a debit or a credit amount' })
    else {
      const field = debit ? 'debit' : 'credit'
      try {
        const value = parseMoney(debit || credit)
        if (value <= 0)
          problems.push({
            line,
            field,
            message: 'must be more than zero (use the other column for the opposite side)',
          })
        amount = debit ? value : -value
      } catch (error) {
        if (!(error instanceof MoneyFormatError)) throw error
        problems.push({ line, field, message: `"${debit || credit}" is not an amount like 1250.00` })
      }
    }
    const currency = cell('currency').toUpperCase() || 'GBP'
    if (!/^[A-Z]{3}$/.test(currency))
      problems.push({ line, field: 'currency', message: `"${currency}" is not a currency code like GBP` })
    if (!reference) continue
    let entry = journals.get(reference)
    if (!entry) {
      entry = {
        journal: { date, description: cell('description'), reference, source: 'import', lines: [] },
        lines: [],
        firstLine: line,
      }
      journals.set(reference, entry)
    } else if (entry.journal.date !== date) {
      problems.push({
        line,
        field: 'date',
        message: `differs from line ${entry.firstLine}, where journal ${reference} has ${entry.journal.date}`,
      })
    }
    // Amounts are written in major units ("1250.00"); the ledger takes the currency's minor units.
    const minorUnits = ledgerMinorUnits(currency)
    if (!/^[A-Z]{3}$/.test(currency)) {
      // Already reported above.
    } else if (minorUnits === undefined) {
      problems.push({ line, field: 'currency', message: `${currency} is not a currency this ledger holds` })
    } else if (minorUnits < 2 && amount % 10 ** (2 - minorUnits) !== 0) {
      problems.push({
        line,
        field: debit ? 'debit' : 'credit',
        message: `${currency} amounts have ${minorUnits} decimal places`,
      })
    } else {
      amount = minorUnits >= 2 ? amount * 10 ** (minorUnits - 2) : amount / 10 ** (2 - minorUnits)
    }
    entry.journal.lines.push({
      accountCode: account,
      costCentreCode: cell('cost_centre') || undefined,
      projectCode: cell('project') || undefined,
      currency,
      amountMinor: amount,
      description: cell('line_description') || undefined,
    })
    entry.lines.push(line)
  }
  if (problems.length > 0) throw new ImportError(problems)
  if (journals.size === 0)
    throw new ImportError([{ line: 2, field: 'file', message: 'the file has a header but no rows' }])
  const entries = [...journals.values()]
  return { journals: entries.map((entry) => entry.journal), lineOf: entries.map((entry) => entry.lines) }
}

/** Imports a journal CSV in one transaction; maps the ledger's objections back to file lines. */
export async function importJournalCsv(
  trx: Tx,
  ledger: LedgerService,
  orgId: string,
  content: Buffer | string,
  postedBy: string | null,
): Promise<PostedJournal[]> {
  const { journals, lineOf } = readJournalCsv(content)
  try {
    return await ledger.postJournals(trx, orgId, journals, postedBy)
  } catch (error) {
    if (!(error instanceof ValidationError) || error instanceof ImportError) throw error
    const problems = error.fieldErrors.map((problem) => {
      const match = /^\/journals\/(\d+)(?:\/lines\/(\d+))?(?:\/(\w+))?/.exec(problem.field)
      const journal = match ? Number(match[1]) : 0
      const lines = lineOf[journal] ?? [0]
      const line = match?.[2] !== undefined ? lines[Number(match[2])]! : lines[0]!
      const field = FIELD_NAMES[match?.[3] ?? ''] ?? 'journal'
      return { line, field, message: problem.message }
    })
    throw new ImportError(problems)
  }
}

const FIELD_NAMES: Record<string, string> = {
  accountCode: 'account',
  costCentreCode: 'cost_centre',
  projectCode: 'project',
  amountMinor: 'debit',
  currency: 'currency',
  date: 'date',
  description: 'description',
  lines: 'journal',
}
