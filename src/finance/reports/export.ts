// Reports as tables, and those tables as CSV and as Excel workbooks. Money is held in pence to
// the last moment: CSV gets exact decimal text, Excel a number in pounds with a money format.
import { stringify } from 'csv-stringify/sync'
import ExcelJS from 'exceljs'
import { toDecimal } from '../../platform/money.ts'

export type ColumnType = 'text' | 'money' | 'integer' | 'date'

export interface ReportColumn {
  key: string
  heading: string
  type?: ColumnType
}

export type ReportCell = string | number | null

export interface ReportTable {
  title: string
  columns: ReportColumn[]
  rows: Array<Record<string, ReportCell>>
  /** What the page says when there are no rows. */
  empty?: string
  /** Rows shown after the body (totals), in the same columns. */
  footer?: Array<Record<string, ReportCell>>
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** "2026-04-30" → "30/04/2026", the form published spend files use. */
export function ukDate(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate)
  return match ? `${match[3]}/${match[2]}/${match[1]}` : isoDate
}

function csvCell(column: ReportColumn, value: ReportCell): string {
  if (value === null || value === undefined) return ''
  if (column.type === 'money' && typeof value === 'number') return toDecimal(value)
  if (column.type === 'date' && typeof value === 'string') return ukDate(value)
  return String(value)
}

/** The table as RFC 4180 CSV with a header row (CRLF line ends, quoted where needed). */
export function toCsv(table: ReportTable): string {
  const rows = [...table.rows, ...(table.footer ?? [])]
  return stringify(
    [
      table.columns.map((column) => column.heading),
      ...rows.map((row) => table.columns.map((column) => csvCell(column, row[column.key] ?? null))),
    ],
    { record_delimiter: '\r\n' },
  )
}

/** The table as an .xlsx workbook of one sheet: a bold header row, then the rows and totals. */
export async function toXlsx(table: ReportTable): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'GSS'
  // Sheet names are at most 31 characters and may not contain []:*?/\
  const sheet = workbook.addWorksheet(table.title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31))
  sheet.columns = table.columns.map((column) => ({
    header: column.heading,
    key: column.key,
    width: column.type === 'money' ? 16 : column.type === 'text' || !column.type ? 40 : 12,
    style:
      column.type === 'money'
        ? { numFmt: '#,##0.00;-#,##0.00' }
        : column.type === 'date'
          ? { numFmt: 'dd/mm/yyyy' }
          : {},
  }))
  sheet.getRow(1).font = { bold: true }
  const cells = (row: Record<string, ReportCell>) =>
    Object.fromEntries(
      table.columns.map((column) => {
        const value = row[column.key] ?? null
        if (column.type === 'money' && typeof value === 'number') return [column.key, value / 100]
        if (column.type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value))
          return [column.key, new Date(`${value}T00:00:00Z`)]
        return [column.key, value]
      }),
    )
  for (const row of table.rows) sheet.addRow(cells(row))
  for (const row of table.footer ?? []) sheet.addRow(cells(row)).font = { bold: true }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}
