// Submitted returns: the JSON API body, the CSV/XLSX template and uploads (decision 0500).
// An upload is read strictly before anything is recorded: a file that is the wrong type, too big,
// a zip that would expand too far, a sheet with formulas, extra columns or more than one data row
// is refused with the reason and changes nothing. A file that reads cleanly becomes a version like
// any API submission, valid or not (its problems are listed per field).
import { createHash } from 'node:crypto'
import { stringify } from 'csv-stringify/sync'
import ExcelJS from 'exceljs'
import type { Tx } from '../../platform/db/index.ts'
import { AppError } from '../../platform/errors.ts'
import { type ImportProblem, readCsvTable } from '../../platform/file-import.ts'
import { isQuarterCode } from '../quarters.ts'
import { FIGURE_FIELDS, FLAT_FIELDS, type Provenance, RETURN_SCHEMA_VERSION } from '../return-schema.ts'
import type { ReturnSource } from '../tables.ts'
import { type RecordedReturn, recordReturn } from './store.ts'

/** Upload limits: a return is one row of 20 cells; these are generous and still small. */
export const UPLOAD_BYTES_MAX = 1024 * 1024
/** An XLSX's parts may expand to at most this many bytes in total (zip bombs). */
export const XLSX_UNCOMPRESSED_BYTES_MAX = 2 * 1024 * 1024
export const XLSX_ENTRIES_MAX = 100
/** Any one part may expand at most this many times (a template's sheet compresses ~10×). */
export const XLSX_RATIO_MAX = 100
/** Rows and columns an uploaded sheet may have: the header and one return, and a little slack. */
export const SHEET_ROWS_MAX = 20
export const SHEET_COLUMNS_MAX = FLAT_FIELDS.length + FIGURE_FIELDS.length

/** Thrown when an uploaded file cannot be read as a return; nothing was recorded. */
export class UploadRefusedError extends AppError {
  readonly status = 422
  readonly slug = 'upload-refused'
  readonly title = 'The file was refused'
  readonly problems: ImportProblem[]
  constructor(problems: ImportProblem[]) {
    const first = problems[0]!
    super(
      `${problems.length === 1 ? `${first.line > 0 ? `Line ${first.line}, ${first.field}: ` : ''}${first.message}` : `The file has ${problems.length} problems`}; nothing was recorded`,
      problems.map((p) => ({
        field: p.line > 0 ? `/line/${p.line}/${p.field}` : `/${p.field}`,
        message: p.line > 0 ? `Line ${p.line}, ${p.field}: ${p.message}` : p.message,
      })),
    )
    this.problems = problems
  }
}

const refuse = (message: string, field = 'file', line = 0) =>
  new UploadRefusedError([{ line, field, message }])

/** Optional columns: a written explanation for a swing in a figure. */
const EXPLANATION_COLUMNS = FIGURE_FIELDS.map((field) => `explanations.${field}`)
const KNOWN_COLUMNS: readonly string[] = [...FLAT_FIELDS, ...EXPLANATION_COLUMNS]
const BY_LOWER = new Map(KNOWN_COLUMNS.map((column) => [column.toLowerCase(), column]))

/**
 * A cell a spreadsheet would run as a formula (=, +, @, tab, carriage return; '-' followed by
 * something other than a number): refused, so a file that went round a spreadsheet cannot
 * smuggle a formula into someone else's export (CSV injection).
 */
export function isFormulaLike(cell: string): boolean {
  return /^[=+@\t\r]/.test(cell) || /^-(?![0-9.]+$)/.test(cell)
}

/** A cell as the return's JSON: '' → null; digits → number; anything else kept as text for the schema to name. */
function cellValue(cell: string): string | number | null {
  if (cell === '') return null
  if (/^[0-9]+(\.[0-9]+)?$/.test(cell) && cell.length <= 20) return Number(cell)
  return cell
}

/** Builds the return's JSON from the template's columns and one row of cells. */
export function figuresFromRow(
  columns: readonly string[],
  cells: readonly string[],
): Record<string, unknown> {
  const figures: Record<string, unknown> = { schemaVersion: RETURN_SCHEMA_VERSION }
  const explanations: Record<string, string> = {}
  columns.forEach((column, index) => {
    const cell = (cells[index] ?? '').trim()
    if (column.startsWith('explanations.')) {
      if (cell !== '') explanations[column.slice('explanations.'.length)] = cell
    } else if (column.includes('.')) {
      const [group, name] = column.split('.') as [string, string]
      const section = (figures[group] ?? {}) as Record<string, unknown>
      section[name] = cellValue(cell)
      figures[group] = section
    } else figures[column] = cell === '' ? null : cell
  })
  if (Object.keys(explanations).length) figures.explanations = explanations
  return figures
}

/** Column names in the file mapped to the template's (case does not matter); unknown and missing refused. */
function templateColumns(header: readonly string[], line = 1): string[] {
  const problems: ImportProblem[] = []
  const columns = header.map((cell) => {
    const column = BY_LOWER.get(cell.trim().toLowerCase())
    if (!column)
      problems.push({
        line,
        field: cell.trim() || '(blank)',
        message: 'is not a column of the return template (extra columns are refused)',
      })
    return column ?? ''
  })
  for (const column of FLAT_FIELDS)
    if (!columns.includes(column)) problems.push({ line, field: column, message: 'this column is missing' })
  const seen = new Set<string>()
  for (const column of columns) {
    if (column && seen.has(column))
      problems.push({ line, field: column, message: 'this column appears twice' })
    seen.add(column)
  }
  if (problems.length) throw new UploadRefusedError(problems)
  return columns
}

function checkCells(rows: { line: number; cells: string[] }[], columns: readonly string[]): void {
  const problems: ImportProblem[] = []
  for (const row of rows)
    row.cells.forEach((cell, index) => {
      if (isFormulaLike(cell.trim()))
        problems.push({
          line: row.line,
          field: columns[index] ?? `column ${index + 1}`,
          message: 'starts like a formula (=, +, -, @); formulas are refused',
        })
    })
  if (problems.length) throw new UploadRefusedError(problems)
}

export function parseCsvReturn(content: Buffer): Record<string, unknown> {
  const { rows, problems } = readCsvTable(
    content,
    {
      columns: KNOWN_COLUMNS.map((column) => column.toLowerCase()),
      required: FLAT_FIELDS.map((column) => column.toLowerCase()),
      maxBytes: UPLOAD_BYTES_MAX,
      maxRows: SHEET_ROWS_MAX,
    },
    (found) => new UploadRefusedError(found),
  )
  if (problems.length) throw new UploadRefusedError(problems)
  // readCsvTable has refused unknown and missing columns; an optional explanation column that is
  // absent reads as '' (no explanation).
  const columns = KNOWN_COLUMNS
  const matrix = rows.map((row) => ({
    line: row.line,
    cells: columns.map((column) => row.cell(column.toLowerCase())),
  }))
  if (matrix.length === 0) throw refuse('the file has a header but no return under it', 'file', 2)
  if (matrix.length > 1)
    throw refuse(
      `the file has ${matrix.length} returns; upload one return (one row under the header) per organisation and quarter`,
    )
  checkCells(matrix, columns)
  return figuresFromRow(columns, matrix[0]!.cells)
}

/**
 * Reads a zip's central directory without expanding anything: entry count, declared sizes and
 * compression ratios. A file that is not a zip, uses zip64, or would expand too far is refused.
 */
export function inspectZip(content: Buffer): { entries: number; uncompressedBytes: number } {
  if (content.length < 22 || content.readUInt32LE(0) !== 0x04034b50)
    throw refuse('the file is not an XLSX workbook (it is not a zip file); save it as Excel Workbook (.xlsx)')
  let eocd = -1
  for (let i = content.length - 22; i >= Math.max(0, content.length - 22 - 65_535); i--)
    if (content.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  if (eocd < 0) throw refuse('the file is not a complete XLSX workbook (the zip has no directory)')
  const entries = content.readUInt16LE(eocd + 10)
  const directoryOffset = content.readUInt32LE(eocd + 16)
  if (entries === 0xffff || directoryOffset === 0xffffffff)
    throw refuse('the workbook is too large (zip64 is not accepted)')
  if (entries > XLSX_ENTRIES_MAX) throw refuse(`the workbook has more than ${XLSX_ENTRIES_MAX} parts`)
  let position = directoryOffset
  let uncompressedBytes = 0
  for (let n = 0; n < entries; n++) {
    if (position + 46 > content.length || content.readUInt32LE(position) !== 0x02014b50)
      throw refuse('the file is not a valid XLSX workbook (its zip directory is damaged)')
    const compressed = content.readUInt32LE(position + 20)
    const uncompressed = content.readUInt32LE(position + 24)
    if (compressed === 0xffffffff || uncompressed === 0xffffffff)
      throw refuse('the workbook is too large (zip64 is not accepted)')
    uncompressedBytes += uncompressed
    if (uncompressed > 64 * 1024 && uncompressed > compressed * XLSX_RATIO_MAX)
      throw refuse('the workbook expands far more than a spreadsheet should (a zip bomb?)')
    position +=
      46 +
      content.readUInt16LE(position + 28) +
      content.readUInt16LE(position + 30) +
      content.readUInt16LE(position + 32)
  }
  if (uncompressedBytes > XLSX_UNCOMPRESSED_BYTES_MAX)
    throw refuse(
      `the workbook would expand to more than ${XLSX_UNCOMPRESSED_BYTES_MAX / 1024 / 1024} MB; a return is one row`,
    )
  return { entries, uncompressedBytes }
}

/** The text of a cell as a person typed it; formulas and anything but text and numbers are refused. */
function xlsxCell(cell: ExcelJS.Cell, line: number, field: string): string {
  if (cell.type === ExcelJS.ValueType.Formula)
    throw refuse('is a formula; type the value instead (formulas are refused)', field, line)
  const value = cell.value
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (typeof value === 'string') return value
  if (typeof value === 'object' && 'formula' in value)
    throw refuse('is a formula; type the value instead (formulas are refused)', field, line)
  if (typeof value === 'object' && 'sharedFormula' in value)
    throw refuse('is a formula; type the value instead (formulas are refused)', field, line)
  if (typeof value === 'object' && 'richText' in value)
    return (value as ExcelJS.CellRichTextValue).richText.map((part) => part.text).join('')
  throw refuse('is not text or a number', field, line)
}

export async function parseXlsxReturn(content: Buffer): Promise<Record<string, unknown>> {
  if (content.length > UPLOAD_BYTES_MAX)
    throw refuse(`the file is larger than ${UPLOAD_BYTES_MAX / 1024 / 1024} MB`)
  inspectZip(content)
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer)
  } catch (error) {
    throw refuse(`the file is not a readable XLSX workbook (${(error as Error).message.slice(0, 200)})`)
  }
  const sheet = workbook.worksheets[0]
  if (!sheet) throw refuse('the workbook has no sheet')
  if (sheet.actualRowCount > SHEET_ROWS_MAX || sheet.rowCount > 10_000)
    throw refuse(`the sheet has ${sheet.actualRowCount} rows; a return is the header and one row`)
  if (sheet.actualColumnCount > SHEET_COLUMNS_MAX)
    throw refuse(`the sheet has ${sheet.actualColumnCount} columns; extra columns are refused`)
  const rows: { line: number; cells: string[] }[] = []
  let header: string[] | null = null
  const width = sheet.actualColumnCount
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = []
    for (let c = 1; c <= width; c++)
      cells.push(xlsxCell(row.getCell(c), line, header?.[c - 1] ?? `column ${c}`).trim())
    while (cells.length && cells.at(-1) === '') cells.pop()
    if (!cells.length) return
    if (!header) header = cells
    else rows.push({ line, cells })
  })
  if (!header) throw refuse('the sheet is empty')
  const columns = templateColumns(header)
  if (rows.length === 0) throw refuse('the sheet has a header but no return under it', 'file', 2)
  if (rows.length > 1)
    throw refuse(
      `the sheet has ${rows.length} returns; upload one return (one row under the header) per organisation and quarter`,
    )
  for (const row of rows)
    if (row.cells.length > columns.length)
      throw refuse(`has ${row.cells.length} cells but the header has ${columns.length}`, 'row', row.line)
  checkCells(rows, columns)
  return figuresFromRow(columns, rows[0]!.cells)
}

export interface UploadedReturnFile {
  fileName: string
  contentType: string
  content: Buffer
}

/** Reads an upload as CSV or XLSX, by its name and its bytes (the browser's type is not trusted). */
export async function parseUpload(
  file: UploadedReturnFile,
): Promise<{ source: 'csv' | 'xlsx'; figures: Record<string, unknown>; sha256: string }> {
  if (file.content.length === 0) throw refuse('the file is empty')
  if (file.content.length > UPLOAD_BYTES_MAX)
    throw refuse(`the file is larger than ${UPLOAD_BYTES_MAX / 1024 / 1024} MB`)
  const sha256 = createHash('sha256').update(file.content).digest('hex')
  const name = file.fileName.toLowerCase()
  const isZip = file.content.length >= 4 && file.content.readUInt32LE(0) === 0x04034b50
  if (name.endsWith('.xlsx')) return { source: 'xlsx', figures: await parseXlsxReturn(file.content), sha256 }
  if (name.endsWith('.csv')) {
    if (isZip || file.content.includes(0)) throw refuse('the file is not CSV text')
    return { source: 'csv', figures: parseCsvReturn(file.content), sha256 }
  }
  throw refuse('the file must be a CSV (.csv) or Excel workbook (.xlsx) made from the return template')
}

/** The template as CSV: the header (FLAT_FIELDS) and one row with the organisation and quarter filled in. */
export function templateCsv(orgCode = '', quarterCode = ''): string {
  const row = FLAT_FIELDS.map((column) =>
    column === 'organisation' ? orgCode : column === 'quarter' ? quarterCode : '',
  )
  return stringify([[...FLAT_FIELDS], row])
}

export async function templateXlsx(orgCode = '', quarterCode = ''): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('Return')
  sheet.addRow([...FLAT_FIELDS]).font = { bold: true }
  sheet.addRow(
    FLAT_FIELDS.map((column) =>
      column === 'organisation' ? orgCode : column === 'quarter' ? quarterCode : null,
    ),
  )
  sheet.columns.forEach((column) => {
    column.width = 24
  })
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

/** Figures marked as estimates by the submitter (dotted names), the rest submitted. */
export function provenanceWithEstimates(estimated: readonly string[]): Record<string, Provenance> {
  const out: Record<string, Provenance> = {}
  for (const field of estimated)
    if ((FIGURE_FIELDS as readonly string[]).includes(field)) out[field] = 'estimated'
  return out
}

/** Records a submission for an organisation; the quarter is the one named in the URL or the body. */
export async function submitReturn(
  trx: Tx,
  input: {
    orgId: string
    quarter: string
    source: ReturnSource
    figures: unknown
    estimated?: readonly string[]
    receivedBy: string | null
    receivedAt?: Date
    fileName?: string
    fileSha256?: string
  },
): Promise<RecordedReturn> {
  if (!isQuarterCode(input.quarter)) throw new Error('submitReturn: quarter must be checked by the caller')
  return recordReturn(trx, {
    orgId: input.orgId,
    quarter: input.quarter,
    source: input.source,
    figures: input.figures,
    provenance: provenanceWithEstimates(input.estimated ?? []),
    receivedBy: input.receivedBy,
    receivedAt: input.receivedAt,
    fileName: input.fileName,
    fileSha256: input.fileSha256,
  })
}
