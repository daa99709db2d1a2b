import ExcelJS from 'exceljs'
import { describe, expect, test } from 'vitest'
import { type ReportTable, toCsv, toXlsx, ukDate } from './export.ts'

const table: ReportTable = {
  title: 'Spend over £25,000: April',
  columns: [
    { key: 'date', heading: 'Date', type: 'date' },
    { key: 'payee', heading: 'Payee' },
    { key: 'amount', heading: 'Amount', type: 'money' },
  ],
  rows: [
    { date: '2030-04-15', payee: 'Acme, "Cloud" Ltd', amount: 50_000_01 },
    { date: '2030-04-16', payee: 'Refund', amount: -5 },
  ],
  footer: [{ date: null, payee: 'Total', amount: 49_999_96 }],
}

describe('report export', () => {
  test('CSV has exact decimal money, UK dates and quoting', () => {
    expect(toCsv(table)).toBe(
      'Date,Payee,Amount\r\n15/04/2030,"Acme, ""Cloud"" Ltd",50000.01\r\n16/04/2030,Refund,-0.05\r\n,Total,49999.96\r\n',
    )
    expect(ukDate('2030-01-02')).toBe('02/01/2030')
  })

  test('the workbook reads back with numbers, dates and a valid sheet name', async () => {
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load((await toXlsx(table)) as unknown as ArrayBuffer)
    const sheet = workbook.worksheets[0]!
    expect(sheet.name).toBe('Spend over £25,000  April')
    expect(sheet.getRow(1).values).toEqual([undefined, 'Date', 'Payee', 'Amount'])
    expect(sheet.getCell('A2').value).toEqual(new Date('2030-04-15T00:00:00Z'))
    expect(sheet.getCell('C2').value).toBe(50000.01)
    expect(sheet.getCell('C2').numFmt).toBe('#,##0.00;-#,##0.00')
    expect(sheet.getCell('B4').value).toBe('Total')
    expect(sheet.rowCount).toBe(4)
  })
})
