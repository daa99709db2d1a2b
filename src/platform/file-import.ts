// What every file import reports when a file is not clean: each problem with its line number
// (the header is line 1; 0 means the file as a whole), the field, and the reason. Nothing is
// changed until the whole file is clean, and the message says so.
import { parse } from 'csv-parse/sync'
import { ValidationError } from './errors.ts'

export interface ImportProblem {
  line: number
  field: string
  message: string
}

/** Thrown when an uploaded file has problems; lists every one. */
export class FileImportError extends ValidationError {
  readonly problems: ImportProblem[]
  constructor(problems: ImportProblem[], nothingDone = 'nothing was imported') {
    const first = problems[0]
    super(
      problems.length === 1 && first
        ? `${first.line > 0 ? `Line ${first.line}, ${first.field}: ` : 'The file: '}${first.message}; ${nothingDone}`
        : `The file has ${problems.length} problems; ${nothingDone}`,
      problems.map((p) => ({
        field: `/line/${p.line}/${p.field}`,
        message: `Line ${p.line}, ${p.field}: ${p.message}`,
      })),
    )
    this.problems = problems
  }
}

export interface CsvTableSpec {
  /** Every column the file may have (lower case); any other header cell is a problem. */
  columns: readonly string[]
  /** Columns the header must include. */
  required: readonly string[]
  maxBytes: number
  maxRows: number
}

export interface CsvRow {
  /** Line number in the file (the header is line 1). */
  line: number
  /** The trimmed cell under a column, or '' when the row has no such cell. */
  cell(column: string): string
}

/**
 * Reads an uploaded CSV strictly: UTF-8 only, within size and row limits, a header naming known
 * columns. File-level faults throw at once (through `fail`); row-level faults found here (a row
 * longer than the header) come back in `problems` for the caller to add its own to. Blank rows
 * are skipped.
 */
export function readCsvTable(
  content: Buffer | string,
  spec: CsvTableSpec,
  fail: (problems: ImportProblem[]) => Error,
): { rows: CsvRow[]; problems: ImportProblem[] } {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  if (bytes.length > spec.maxBytes) {
    throw fail([
      { line: 0, field: 'file', message: `the file is larger than ${spec.maxBytes / 1024 / 1024} MB` },
    ])
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  if (text.includes('\uFFFD')) {
    throw fail([
      { line: 0, field: 'file', message: 'the file is not UTF-8 text; save it as CSV UTF-8 and try again' },
    ])
  }
  let records: string[][]
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: false,
      trim: true,
      max_record_size: 64 * 1024,
    })
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0
    throw fail([{ line, field: 'file', message: `the file is not valid CSV (${(error as Error).message})` }])
  }
  if (records.length === 0) throw fail([{ line: 1, field: 'file', message: 'the file is empty' }])
  if (records.length - 1 > spec.maxRows) {
    throw fail([{ line: 0, field: 'file', message: `the file has more than ${spec.maxRows} rows; split it` }])
  }
  const header = records[0]!.map((cell) => cell.toLowerCase())
  const problems: ImportProblem[] = []
  for (const column of spec.required) {
    if (!header.includes(column))
      problems.push({ line: 1, field: column, message: 'this column is missing from the header' })
  }
  for (const column of header) {
    if (!spec.columns.includes(column)) {
      problems.push({
        line: 1,
        field: column || '(blank)',
        message: `is not a recognised column; expected ${spec.columns.join(', ')}`,
      })
    }
  }
  if (problems.length > 0) throw fail(problems)
  const index = new Map(header.map((name, i) => [name, i]))
  const rows: CsvRow[] = []
  records.slice(1).forEach((cells, offset) => {
    const line = offset + 2
    if (cells.every((value) => value.trim() === '')) return
    if (cells.length > header.length) {
      problems.push({
        line,
        field: 'row',
        message: `has ${cells.length} cells but the header has ${header.length}`,
      })
    }
    rows.push({ line, cell: (column) => cells[index.get(column) ?? -1]?.trim() ?? '' })
  })
  return { rows, problems }
}
