import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import '../platform/tables.ts'
import './tables.ts'
import { orgId } from '../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { periodDates } from './chart.ts'
import { demoFiscalYears } from './demo.ts'
import { ImportError, importJournalCsv, readJournalCsv } from './journal-import.ts'
import { LedgerService } from './ledger.ts'

let t: TestDatabase
const ledger = new LedgerService()
const ORG = orgId('dsit')
const context = { userId: null, orgIds: [ORG], actingOrgId: ORG, requestId: 'import-test' }
const [, YEAR] = demoFiscalYears() as [number, number]
const D = periodDates(YEAR, 1).startsOn

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
})
afterAll(async () => t?.close())

const HEADER = 'journal,date,description,account,cost_centre,project,debit,credit,currency,line_description'

async function problemsOf(csv: string) {
  const error = await t.db
    .transaction(context, (trx) => importJournalCsv(trx, ledger, ORG, csv, null))
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ImportError)
  return (error as ImportError).problems
}

describe('journal CSV import', () => {
  test('a clean file posts every journal', async () => {
    const csv = [
      HEADER,
      `J1,${D},Accrual,52200000,CORP,,1500.00,,,Consultancy April`,
      `J1,${D},Accrual,21300000,,,,1500.00,,`,
      `J2,${D},Rent,52300000,CORP,,"2,000.00",,,`,
      `J2,${D},Rent,21100000,,,,2000.00,,`,
    ].join('\n')
    // Thousands separators are refused: amounts are plain decimals.
    expect((await problemsOf(csv)).map((p) => [p.line, p.field])).toEqual([[4, 'debit']])
    const posted = await t.db.transaction(context, (trx) =>
      importJournalCsv(trx, ledger, ORG, csv.replace('"2,000.00"', '2000.00'), null),
    )
    expect(posted.map((j) => j.totalPence)).toEqual([150000, 200000])
  })

  test('every bad row is reported with its line, field and reason, and nothing is posted', async () => {
    const before = await t.db.admin
      .selectFrom('journals')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', ORG)
      .executeTakeFirstOrThrow()
    const csv = [
      HEADER,
      `J1,${D},Fine,52200000,,,10.00,,,`,
      `J1,${D},Fine,21300000,,,,10.00,,`,
      `J2,2026-13-01,Bad date,52200000,,,10.00,,,`,
      `J2,${D},Bad account,5220,,,,10.00,,`,
      `J3,${D},Both sides,52200000,,,10.00,10.00,,`,
      `J3,${D},No amount,21300000,,,,,,`,
      `J4,${D},Letters,52200000,,,ten,,,`,
      `J4,${D},Letters,21300000,,,,10.00,XX1,`,
    ].join('\n')
    const problems = await problemsOf(csv)
    expect(problems).toEqual([
      { line: 4, field: 'date', message: '"2026-13-01" is not a date in the form 2026-04-30' },
      { line: 5, field: 'account', message: '"5220" is not an 8-digit account code' },
      { line: 5, field: 'date', message: expect.stringContaining('differs from line 4') },
      { line: 6, field: 'debit', message: 'enter a debit or a credit, not both' },
      { line: 7, field: 'debit', message: 'enter a debit or a credit amount' },
      { line: 8, field: 'debit', message: '"ten" is not an amount like 1250.00' },
      { line: 9, field: 'currency', message: '"XX1" is not a currency code like GBP' },
    ])
    const after = await t.db.admin
      .selectFrom('journals')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', ORG)
      .executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
  })

  test('the ledger’s objections come back as file lines', async () => {
    const csv = [
      HEADER,
      `J1,${D},Unbalanced,52200000,,,10.00,,,`,
      `J1,${D},Unbalanced,99999999,,,,9.00,,`,
    ].join('\n')
    const problems = await problemsOf(csv)
    expect(problems).toContainEqual({ line: 3, field: 'account', message: 'There is no account 99999999' })
  })

  test('a broken header, a missing column and a hostile file are refused clearly', () => {
    expect(() => readJournalCsv('journal,date,amount\n')).toThrow(ImportError)
    try {
      readJournalCsv('journal,date,amount\n')
    } catch (error) {
      expect((error as ImportError).problems).toContainEqual({
        line: 1,
        field: 'amount',
        message: expect.stringContaining('not a recognised column'),
      })
      expect((error as ImportError).problems).toContainEqual({
        line: 1,
        field: 'account',
        message: 'this column is missing from the header',
      })
    }
    expect(() => readJournalCsv(Buffer.from([0xff, 0xfe, 0x00, 0x41]))).toThrow(/not UTF-8/)
    expect(() => readJournalCsv(`${HEADER}\nJ1,"unterminated`)).toThrow(/not valid CSV/)
    expect(() => readJournalCsv('')).toThrow(/empty/)
  })
})
