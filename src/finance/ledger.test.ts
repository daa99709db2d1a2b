import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import '../platform/tables.ts'
import './tables.ts'
import type { TenantContext } from '../platform/db/index.ts'
import { ValidationError } from '../platform/errors.ts'
import { orgId, uuidFromName } from '../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { CURRENCIES, fiscalPeriodOf, periodDates, STANDARD_ACCOUNTS } from './chart.ts'
import { type JournalInput, LedgerService, toPence } from './ledger.ts'

let t: TestDatabase
const ledger = new LedgerService()
const CO = orgId('cabinet-office')
const DSIT = orgId('dsit')
const clerk = uuidFromName('user:finance.clerk@gss.example')
const as = (org: string): TenantContext => ({
  userId: clerk,
  orgIds: [org],
  actingOrgId: org,
  requestId: 'ledger-test',
})

const gbp = (
  date: string,
  debit: string,
  credit: string,
  pence: number,
  description = 'Test journal',
): JournalInput => ({
  date,
  description,
  lines: [
    { accountCode: debit, amountMinor: pence, costCentreCode: 'CORP' },
    { accountCode: credit, amountMinor: -pence },
  ],
})

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  for (const org of [CO, DSIT])
    await t.db.transaction(as(org), (trx) => ledger.setUpOrganisation(trx, org, [2025, 2026]))
  await sql`insert into exchange_rates (currency, rate_date, units_per_gbp) values
    ('USD', '2026-04-01', 1.2734), ('USD', '2026-05-01', 1.2500), ('JPY', '2026-04-01', 190.5)`.execute(
    t.db.admin,
  )
})
afterAll(async () => t?.close())

describe('chart and periods', () => {
  test('the database holds the standard chart and currencies of chart.ts', async () => {
    const accounts = await t.db.admin
      .selectFrom('standard_accounts')
      .select(['code', 'name', 'kind'])
      .orderBy('code')
      .execute()
    expect(accounts).toEqual([...STANDARD_ACCOUNTS].sort((a, b) => a.code.localeCompare(b.code)))
    const currencies = await t.db.admin
      .selectFrom('currencies')
      .select(['code', 'name', 'minor_units'])
      .orderBy('code')
      .execute()
    expect(currencies).toEqual(
      [...CURRENCIES]
        .map((c) => ({ code: c.code, name: c.name, minor_units: c.minorUnits }))
        .sort((a, b) => a.code.localeCompare(b.code)),
    )
  })

  test('an organisation gets the standard chart and April-to-March periods', async () => {
    const periods = await t.db.transaction(as(CO), (trx) => ledger.listPeriods(trx, CO, 2026))
    expect(periods).toHaveLength(12)
    expect(periods[0]).toMatchObject({
      period: 1,
      starts_on: '2026-04-01',
      ends_on: '2026-04-30',
      status: 'open',
    })
    expect(periods[10]).toMatchObject({ period: 11, starts_on: '2027-02-01', ends_on: '2027-02-28' })
    expect(fiscalPeriodOf('2027-03-31')).toEqual({ fiscalYear: 2026, period: 12 })
    expect(periodDates(2027, 11)).toEqual({ startsOn: '2028-02-01', endsOn: '2028-02-29' })
  })

  test('local accounts are children of a standard code', async () => {
    await t.db.transaction(as(CO), (trx) => ledger.addLocalAccount(trx, CO, '52100001', 'Cloud hosting'))
    await expect(
      t.db.transaction(as(CO), (trx) => ledger.addLocalAccount(trx, CO, '99999901', 'Nowhere')),
    ).rejects.toThrow(/no standard account 99999900/)
    await expect(
      t.db.transaction(as(CO), (trx) => ledger.addLocalAccount(trx, CO, '52100000', 'Clash')),
    ).rejects.toThrow(/Codes ending 00/)
  })
})

describe('posting journals', () => {
  test('a balanced journal posts and shows in the trial balance', async () => {
    // The demo world may have posted to these accounts already: compare with the balance before.
    const before = await t.db.transaction(as(CO), (trx) => ledger.trialBalance(trx, CO, 2026, 1))
    const control = before.rows.find((row) => row.accountCode === '21100000')?.balancePence ?? 0
    const [posted] = await t.db.transaction(as(CO), (trx) =>
      ledger.postJournals(trx, CO, [gbp('2026-04-15', '52100001', '21100000', 123456)], clerk),
    )
    expect(posted).toMatchObject({ fiscalYear: 2026, period: 1, lineCount: 2, totalPence: 123456 })
    expect(posted!.number).toBeGreaterThan(0)
    const tb = await t.db.transaction(as(CO), (trx) => ledger.trialBalance(trx, CO, 2026, 1))
    expect(tb.totalDebitPence).toBe(tb.totalCreditPence)
    expect(tb.rows.find((row) => row.accountCode === '52100001')).toMatchObject({
      debitPence: 123456,
      standardCode: '52100000',
    })
    expect(tb.rows.find((row) => row.accountCode === '21100000')).toMatchObject({
      balancePence: control - 123456,
      kind: 'liability',
    })
  })

  test('every problem in every journal is reported, and nothing is posted', async () => {
    const before = await t.db.admin
      .selectFrom('journals')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
    const error = await t.db
      .transaction(as(CO), (trx) =>
        ledger.postJournals(
          trx,
          CO,
          [
            gbp('2026-04-15', '52100001', '21100000', 500),
            { date: '2026-04-31', description: '', lines: [{ accountCode: '12345678', amountMinor: 5 }] },
            {
              date: '2026-04-20',
              description: 'Unbalanced',
              lines: [
                { accountCode: '52100000', amountMinor: 100 },
                { accountCode: '21100000', amountMinor: -99 },
              ],
            },
          ],
          clerk,
        ),
      )
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    const fields = (error as ValidationError).fieldErrors.map((e) => e.field)
    expect(fields).toEqual(
      expect.arrayContaining([
        '/journals/1/date',
        '/journals/1/description',
        '/journals/1/lines',
        '/journals/1/lines/0/accountCode',
        '/journals/2/lines',
      ]),
    )
    expect(
      (error as ValidationError).fieldErrors.find((e) => e.field === '/journals/2/lines')!.message,
    ).toMatch(/does not balance/)
    const after = await t.db.admin
      .selectFrom('journals')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toBe(before.n)
  })

  test('the database itself refuses an unbalanced journal, whatever the application does', async () => {
    const id = crypto.randomUUID()
    await expect(
      t.db.transaction(as(CO), async (trx) => {
        await sql`insert into journals (org_id, id, fiscal_year, period, journal_date, description, source)
          values (${CO}, ${id}, 2026, 1, '2026-04-10', 'sneaky', 'manual')`.execute(trx)
        await sql`insert into journal_lines (org_id, journal_id, line_no, account_code, amount_minor, amount_pence)
          values (${CO}, ${id}, 1, '52100000', 100, 100), (${CO}, ${id}, 2, '21100000', -90, -90)`.execute(
          trx,
        )
      }),
    ).rejects.toThrow(/does not balance/)
    await expect(
      t.db.transaction(as(CO), (trx) =>
        sql`insert into journals (org_id, id, fiscal_year, period, journal_date, description, source)
          values (${CO}, ${crypto.randomUUID()}, 2026, 1, '2026-04-10', 'no lines', 'manual')`.execute(trx),
      ),
    ).rejects.toThrow(/has no lines/)
  })

  test('the database checks each journal whole, across statements and within a batch', async () => {
    const header = (id: string) =>
      sql`insert into journals (org_id, id, fiscal_year, period, journal_date, description, source)
        values (${CO}, ${id}, 2026, 1, '2026-04-10', 'by hand', 'manual')`
    // Lines added by a later statement must keep the whole journal balanced...
    const first = crypto.randomUUID()
    await expect(
      t.db.transaction(as(CO), async (trx) => {
        await header(first).execute(trx)
        await sql`insert into journal_lines (org_id, journal_id, line_no, account_code, amount_minor, amount_pence)
          values (${CO}, ${first}, 1, '52100000', 100, 100), (${CO}, ${first}, 2, '21100000', -100, -100)`.execute(
          trx,
        )
        await sql`insert into journal_lines (org_id, journal_id, line_no, account_code, amount_minor, amount_pence)
          values (${CO}, ${first}, 3, '52100000', 25, 25)`.execute(trx)
      }),
    ).rejects.toThrow(`Journal ${first} does not balance: its lines total 25 pence over 3 line(s)`)
    // ...and a line worth nothing in sterling may join a journal that has two lines already...
    const second = crypto.randomUUID()
    await t.db.transaction(as(CO), async (trx) => {
      await header(second).execute(trx)
      await sql`insert into journal_lines (org_id, journal_id, line_no, account_code, amount_minor, amount_pence)
        values (${CO}, ${second}, 1, '52100000', 100, 100), (${CO}, ${second}, 2, '21100000', -100, -100)`.execute(
        trx,
      )
      await sql`insert into journal_lines (org_id, journal_id, line_no, account_code, currency, amount_minor,
          units_per_gbp, amount_pence)
        values (${CO}, ${second}, 3, '52100000', 'JPY', 1, 190.5, 0)`.execute(trx)
    })
    // ...but not make a journal of its own.
    const third = crypto.randomUUID()
    await expect(
      t.db.transaction(as(CO), async (trx) => {
        await header(third).execute(trx)
        await sql`insert into journal_lines (org_id, journal_id, line_no, account_code, currency, amount_minor,
            units_per_gbp, amount_pence)
          values (${CO}, ${third}, 1, '52100000', 'JPY', 1, 190.5, 0)`.execute(trx)
      }),
    ).rejects.toThrow(`Journal ${third} does not balance: its lines total 0 pence over 1 line(s)`)
    // One unbalanced journal in a batch refuses the whole statement, naming it.
    const [good, bad] = [crypto.randomUUID(), crypto.randomUUID()]
    await expect(
      t.db.transaction(as(CO), async (trx) => {
        await header(good).execute(trx)
        await header(bad).execute(trx)
        await sql`insert into journal_lines (org_id, journal_id, line_no, account_code, amount_minor, amount_pence)
          values (${CO}, ${good}, 1, '52100000', 7, 7), (${CO}, ${good}, 2, '21100000', -7, -7),
            (${CO}, ${bad}, 1, '52100000', 7, 7), (${CO}, ${bad}, 2, '21100000', -6, -6)`.execute(trx)
      }),
    ).rejects.toThrow(`Journal ${bad} does not balance: its lines total 1 pence over 2 line(s)`)
    const found = await t.db.admin
      .selectFrom('journals')
      .select('id')
      .where('id', 'in', [first, second, third, good, bad])
      .execute()
    expect(found).toEqual([{ id: second }])
  })

  test('lines refer only to real accounts, cost centres, projects and currencies, which then stay', async () => {
    const post = (line: string) =>
      t.db.transaction(as(CO), async (trx) => {
        const id = crypto.randomUUID()
        await sql`insert into journals (org_id, id, fiscal_year, period, journal_date, description, source)
          values (${CO}, ${id}, 2026, 1, '2026-04-10', 'by hand', 'manual')`.execute(trx)
        await sql`insert into journal_lines (org_id, journal_id, line_no, account_code, cost_centre_code, project_code,
            currency, amount_minor, amount_pence)
          select ${CO}, ${id}, n, l.account, l.centre, l.project, l.currency, l.amount, l.amount
          from (values (1, '52100000', null, null, 'GBP', 5), ${sql.raw(line)}) as l(n, account, centre, project, currency, amount)`.execute(
          trx,
        )
      })
    await expect(post(`(2, '21199999', null, null, 'GBP', -5)`)).rejects.toThrow(
      /refer to account 21199999, which organisation .* does not have/,
    )
    await expect(post(`(2, '21100000', 'NOWHERE', null, 'GBP', -5)`)).rejects.toThrow(
      /refer to cost centre NOWHERE/,
    )
    await expect(post(`(2, '21100000', null, 'NOPROJECT', 'GBP', -5)`)).rejects.toThrow(
      /refer to project NOPROJECT/,
    )
    await expect(post(`(2, '21100000', null, null, 'XXX', -5)`)).rejects.toThrow(/in currency XXX/)
    // Another organisation's cost centre is not this one's.
    await sql`insert into cost_centres (org_id, code, name) values (${DSIT}, 'DSIT-ONLY', 'Elsewhere')`.execute(
      t.db.admin,
    )
    await expect(post(`(2, '21100000', 'DSIT-ONLY', null, 'GBP', -5)`)).rejects.toThrow(
      /refer to cost centre DSIT-ONLY/,
    )
    // With a project and a cost centre of its own, the journal posts; then what it refers to stays.
    await sql`insert into projects (org_id, code, name) values (${CO}, 'P-REF', 'Referenced')`.execute(
      t.db.admin,
    )
    await sql`insert into cost_centres (org_id, code, name) values (${CO}, 'CC-REF', 'Referenced')`.execute(
      t.db.admin,
    )
    await sql`insert into accounts (org_id, code, name, standard_code) values (${CO}, '21100007', 'Referenced', '21100000')`.execute(
      t.db.admin,
    )
    await post(`(2, '21100007', 'CC-REF', 'P-REF', 'GBP', -5)`)
    for (const [statement, message] of [
      [
        sql`delete from projects where org_id = ${CO} and code = 'P-REF'`,
        /projects P-REF is used by journal lines/,
      ],
      [
        sql`update cost_centres set code = 'CC-REF2' where org_id = ${CO} and code = 'CC-REF'`,
        /cost centres CC-REF is used by journal lines: it cannot be re-keyed/,
      ],
      [sql`delete from accounts where org_id = ${CO} and code = '21100007'`, /accounts 21100007 is used/],
      [sql`delete from currencies where code = 'GBP'`, /currencies GBP is used/],
    ] as const) {
      await expect(statement.execute(t.db.admin)).rejects.toThrow(message)
    }
    // Renaming is not re-keying; unused rows can still go.
    await sql`update accounts set name = 'Renamed' where org_id = ${CO} and code = '21100007'`.execute(
      t.db.admin,
    )
    await sql`delete from cost_centres where org_id = ${DSIT} and code = 'DSIT-ONLY'`.execute(t.db.admin)
  })

  test('posted journals can never be changed or removed', async () => {
    await expect(
      t.db.transaction(as(CO), (trx) => sql`update journal_lines set amount_pence = 0`.execute(trx)),
    ).rejects.toThrow(/permission denied/)
    await expect(t.db.transaction(as(CO), (trx) => sql`delete from journals`.execute(trx))).rejects.toThrow(
      /permission denied/,
    )
    await expect(sql`update journal_lines set description = 'x'`.execute(t.db.admin)).rejects.toThrow(
      /append-only/,
    )
    await expect(sql`delete from journals`.execute(t.db.admin)).rejects.toThrow(/append-only/)
  })

  test('a posting is one audit entry holding each journal with its lines', async () => {
    const [posted] = await t.db.transaction(as(CO), (trx) =>
      ledger.postJournals(trx, CO, [gbp('2026-04-16', '52400000', '21100000', 777)], clerk),
    )
    interface Entry {
      journal_columns: string[]
      journals: unknown[][]
      line_columns: string[]
      lines: unknown[][]
    }
    const { rows } = await sql<{ table_name: string; after: Entry }>`
      select table_name, after from audit_log where org_id = ${CO} and entity_id = ${posted!.id} order by seq`.execute(
      t.db.admin,
    )
    expect(rows.map((row) => row.table_name)).toEqual(['journals'])
    // Rows of values under one list of column names: every header and line, in full.
    const entry = rows[0]!.after
    const header = Object.fromEntries(
      entry.journal_columns.map((column, i) => [column, entry.journals[0]![i]]),
    )
    expect(entry.journals).toHaveLength(1)
    expect(header).toMatchObject({ id: posted!.id, number: posted!.number, journal_date: '2026-04-16' })
    const lines = entry.lines.map((line) =>
      Object.fromEntries(entry.line_columns.map((column, i) => [column, line[i]])),
    )
    expect(lines).toHaveLength(2)
    expect(lines.map((line) => [line.journal_id, line.account_code, line.amount_pence])).toEqual([
      [posted!.id, '52400000', 777],
      [posted!.id, '21100000', -777],
    ])
    // A batch is one entry too, listing every journal.
    await t.db.transaction(as(CO), (trx) =>
      ledger.postJournals(
        trx,
        CO,
        [gbp('2026-04-17', '52400000', '21100000', 1), gbp('2026-04-17', '52400000', '21100000', 2)],
        clerk,
      ),
    )
    const last = await sql<{ entity_id: string | null; after: Entry }>`
      select entity_id, after from audit_log where org_id = ${CO} and table_name = 'journals' order by seq desc limit 1`.execute(
      t.db.admin,
    )
    expect(last.rows[0]!.entity_id).toBeNull()
    expect(last.rows[0]!.after.journals).toHaveLength(2)
    expect(last.rows[0]!.after.lines).toHaveLength(4)
  })

  test('another organisation’s ledger is invisible', async () => {
    await t.db.transaction(as(DSIT), (trx) =>
      ledger.postJournals(trx, DSIT, [gbp('2026-04-15', '52200000', '21100000', 999)], clerk),
    )
    const seen = await t.db.transaction(as(CO), (trx) =>
      trx.selectFrom('journal_lines').select('org_id').distinct().execute(),
    )
    expect(seen).toEqual([{ org_id: CO }])
  })
})

describe('periods', () => {
  test('posting into a closed period is refused with a clear error, by the service and the database', async () => {
    await t.db.transaction(as(CO), (trx) => ledger.setPeriodStatus(trx, CO, 2025, 12, 'closed'))
    await expect(
      t.db.transaction(as(CO), (trx) =>
        ledger.postJournals(trx, CO, [gbp('2026-03-20', '52100000', '21100000', 100)], clerk),
      ),
    ).rejects.toThrow('Period 12 of 2025-26 is closed: nothing can be posted into it')
    await expect(
      t.db.transaction(as(CO), (trx) =>
        sql`insert into journals (org_id, id, fiscal_year, period, journal_date, description, source)
          values (${CO}, ${crypto.randomUUID()}, 2025, 12, '2026-03-20', 'sneaky', 'manual')`.execute(trx),
      ),
    ).rejects.toThrow(/Period 12 of 2025-26 is closed/)
  })

  test('a closed period can reopen; a locked one cannot, and only a closed one can be locked', async () => {
    await expect(
      t.db.transaction(as(CO), (trx) => ledger.setPeriodStatus(trx, CO, 2025, 11, 'locked')),
    ).rejects.toThrow(/Close period 11/)
    await t.db.transaction(as(CO), (trx) => ledger.setPeriodStatus(trx, CO, 2025, 12, 'open'))
    await t.db.transaction(as(CO), (trx) => ledger.setPeriodStatus(trx, CO, 2025, 12, 'closed'))
    await t.db.transaction(as(CO), (trx) => ledger.setPeriodStatus(trx, CO, 2025, 12, 'locked'))
    await expect(
      t.db.transaction(as(CO), (trx) => ledger.setPeriodStatus(trx, CO, 2025, 12, 'open')),
    ).rejects.toThrow(/is locked/)
  })
})

describe('corrections and currencies', () => {
  test('a reversal undoes a journal exactly, once', async () => {
    const [original] = await t.db.transaction(as(CO), (trx) =>
      ledger.postJournals(trx, CO, [gbp('2026-05-03', '52300000', '21100000', 250000)], clerk),
    )
    const reversal = await t.db.transaction(as(CO), (trx) =>
      ledger.reverseJournal(trx, CO, original!.id, '2026-05-04', clerk),
    )
    expect(reversal.totalPence).toBe(250000)
    const tb = await t.db.transaction(as(CO), (trx) => ledger.trialBalance(trx, CO, 2026, 2))
    expect(tb.rows.find((row) => row.accountCode === '52300000')!.balancePence).toBe(0)
    await expect(
      t.db.transaction(as(CO), (trx) => ledger.reverseJournal(trx, CO, original!.id, '2026-05-05', clerk)),
    ).rejects.toThrow(/already reversed/)
  })

  test('foreign-currency lines keep both amounts, at the rate in force on the date', async () => {
    expect(toPence(127340, 'USD', '1.2734')).toBe(100000)
    expect(toPence(19050, 'JPY', '190.5')).toBe(10000)
    const [posted] = await t.db.transaction(as(CO), (trx) =>
      ledger.postJournals(
        trx,
        CO,
        [
          {
            date: '2026-04-20',
            description: 'Embassy supplies, Washington',
            lines: [
              { accountCode: '52600000', currency: 'USD', amountMinor: 10001 },
              { accountCode: '52600000', currency: 'USD', amountMinor: 10001 },
              { accountCode: '21100000', currency: 'USD', amountMinor: -20002 },
            ],
          },
        ],
        clerk,
      ),
    )
    const lines = await t.db.admin
      .selectFrom('journal_lines')
      .select(['line_no', 'account_code', 'currency', 'amount_minor', 'amount_pence'])
      .where('journal_id', '=', posted!.id)
      .orderBy('line_no')
      .execute()
    // 100.01 USD at 1.2734 = £78.54 each; 200.02 USD = £157.08: no rounding line needed here.
    expect(lines.map((l) => [l.currency, l.amount_minor, l.amount_pence])).toEqual([
      ['USD', 10001, 7854],
      ['USD', 10001, 7854],
      ['USD', -20002, -15708],
    ])
  })

  test('sterling rounding differences go to exchange differences', async () => {
    const [posted] = await t.db.transaction(as(CO), (trx) =>
      ledger.postJournals(
        trx,
        CO,
        [
          {
            date: '2026-04-21',
            description: 'Three-way split in dollars',
            lines: [
              { accountCode: '52600000', currency: 'USD', amountMinor: 3333 },
              { accountCode: '52600000', currency: 'USD', amountMinor: 3333 },
              { accountCode: '52600000', currency: 'USD', amountMinor: 3334 },
              { accountCode: '21100000', currency: 'USD', amountMinor: -10000 },
            ],
          },
        ],
        clerk,
      ),
    )
    const lines = await t.db.admin
      .selectFrom('journal_lines')
      .selectAll()
      .where('journal_id', '=', posted!.id)
      .orderBy('line_no')
      .execute()
    expect(lines.reduce((sum, l) => sum + l.amount_pence, 0)).toBe(0)
    const rounding = lines.filter((l) => l.account_code === '55100000')
    expect(rounding).toHaveLength(1)
    expect(Math.abs(rounding[0]!.amount_pence)).toBe(1)
  })

  test('a currency with no rate on the date is refused, naming the line', async () => {
    const error = await t.db
      .transaction(as(CO), (trx) =>
        ledger.postJournals(
          trx,
          CO,
          [
            {
              date: '2026-04-21',
              description: 'No rate',
              lines: [
                { accountCode: '52600000', currency: 'INR', amountMinor: 100 },
                { accountCode: '21100000', currency: 'INR', amountMinor: -100 },
              ],
            },
          ],
          clerk,
        ),
      )
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fieldErrors[0]).toEqual({
      field: '/journals/0/lines/0/currency',
      message: 'There is no INR exchange rate on or before 2026-04-21',
    })
  })
})

describe('year-end close', () => {
  test('carries income and expenditure into the general fund and locks the year', async () => {
    const org = orgId('ukho')
    await t.db.transaction(as(org), (trx) => ledger.setUpOrganisation(trx, org, [2025]))
    const incomeAndExpenditure = (rows: Array<{ kind: string; balancePence: number }>) =>
      rows
        .filter((row) => row.kind === 'income' || row.kind === 'expenditure')
        .reduce((sum, row) => sum + row.balancePence, 0)
    const demoNet = incomeAndExpenditure(
      (await t.db.transaction(as(org), (trx) => ledger.trialBalance(trx, org, 2025, 12))).rows,
    )
    await t.db.transaction(as(org), (trx) =>
      ledger.postJournals(
        trx,
        org,
        [
          gbp('2025-05-10', '52100000', '14100000', 300000),
          gbp('2025-06-10', '14100000', '41100000', 100000),
          gbp('2025-07-10', '12200000', '14100000', 50000),
        ],
        clerk,
      ),
    )
    await expect(t.db.transaction(as(org), (trx) => ledger.closeYear(trx, org, 2025, clerk))).rejects.toThrow(
      /Close periods 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 of 2025-26 before closing the year/,
    )
    for (let period = 1; period <= 11; period++) {
      await t.db.transaction(as(org), (trx) => ledger.setPeriodStatus(trx, org, 2025, period, 'closed'))
    }
    // The demo world may have posted in this organisation's year too: what the close does is
    // judged against the trial balance just before it.
    const before = await t.db.transaction(as(org), (trx) => ledger.trialBalance(trx, org, 2025, 12))
    const was = (code: string) => before.rows.find((row) => row.accountCode === code)?.balancePence ?? 0
    const netExpenditure = incomeAndExpenditure(before.rows)
    const closing = await t.db.transaction(as(org), (trx) => ledger.closeYear(trx, org, 2025, clerk))
    expect(closing).toMatchObject({ period: 12, date: '2026-03-31' })
    const tb = await t.db.transaction(as(org), (trx) => ledger.trialBalance(trx, org, 2025, 12))
    const balance = (code: string) => tb.rows.find((row) => row.accountCode === code)?.balancePence ?? 0
    // Income and expenditure are cleared; net expenditure (£2,000 of it ours) reduces the general fund.
    expect(
      tb.rows.filter(
        (row) => (row.kind === 'income' || row.kind === 'expenditure') && row.balancePence !== 0,
      ),
    ).toEqual([])
    expect(balance('52100000')).toBe(0)
    expect(balance('41100000')).toBe(0)
    expect(netExpenditure).toBe(demoNet + 200000)
    expect(balance('31100000')).toBe(was('31100000') + netExpenditure)
    expect(balance('12200000')).toBe(was('12200000')) // balance-sheet accounts are untouched
    const periods = await t.db.transaction(as(org), (trx) => ledger.listPeriods(trx, org, 2025))
    expect(new Set(periods.map((p) => p.status))).toEqual(new Set(['locked']))
    await expect(t.db.transaction(as(org), (trx) => ledger.closeYear(trx, org, 2025, clerk))).rejects.toThrow(
      /already been closed/,
    )
  })
})

describe('properties', () => {
  test('random postings, reversals and period closes keep the trial balance at zero and never post into a closed period', async () => {
    const org = orgId('ukri')
    await t.db.transaction(as(org), (trx) => ledger.setUpOrganisation(trx, org, [2026]))
    const accounts = ['52100000', '52200000', '21100000', '14100000', '41100000']
    const action = fc.oneof(
      fc.record({
        kind: fc.constant('post' as const),
        month: fc.integer({ min: 1, max: 12 }),
        lines: fc.array(
          fc.record({
            account: fc.constantFrom(...accounts),
            pence: fc.integer({ min: 1, max: 10_000_000 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
      }),
      fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('close' as const), month: fc.integer({ min: 1, max: 12 }) }),
    )
    const posted: Array<{ id: string; period: number }> = []
    const closed = new Set<number>()
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 15 }), async (actions) => {
        for (const step of actions) {
          if (step.kind === 'close') {
            await t.db.transaction(as(org), (trx) =>
              ledger.setPeriodStatus(trx, org, 2026, step.month, 'closed'),
            )
            closed.add(step.month)
            continue
          }
          const date = periodDates(2026, step.kind === 'post' ? step.month : 12).startsOn
          const period = fiscalPeriodOf(date).period
          try {
            if (step.kind === 'post') {
              const total = step.lines.reduce((sum, line) => sum + line.pence, 0)
              const lines = [
                ...step.lines.map((line) => ({ accountCode: line.account, amountMinor: line.pence })),
                { accountCode: '29900000', amountMinor: -total },
              ]
              const [journal] = await t.db.transaction(as(org), (trx) =>
                ledger.postJournals(trx, org, [{ date, description: 'Random', lines }], clerk),
              )
              posted.push({ id: journal!.id, period })
            } else if (posted.length > 0) {
              const target = posted.splice(step.pick % posted.length, 1)[0]!
              await t.db.transaction(as(org), (trx) =>
                ledger.reverseJournal(trx, org, target.id, date, clerk),
              )
            }
            expect(closed.has(period)).toBe(false)
          } catch (error) {
            expect(closed.has(period), String(error)).toBe(true)
          }
        }
        const tb = await t.db.transaction(as(org), (trx) => ledger.trialBalance(trx, org, 2026, 12))
        expect(tb.totalDebitPence - tb.totalCreditPence).toBe(0)
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from journals j join financial_periods p
            on p.org_id = j.org_id and p.fiscal_year = j.fiscal_year and p.period = j.period
          where j.org_id = ${org} and p.status <> 'open' and j.posted_at > p.status_changed_at`.execute(
          t.db.admin,
        )
        expect(rows[0]!.n).toBe(0)
      }),
      { numRuns: 15 },
    )
  })
})

// Last, so that it covers every posting above: the trigger-kept balances never drift from the lines.
describe('balances', () => {
  test('the balances always equal the sum of the lines', async () => {
    const { rows } = await sql<{ wrong: number }>`
      with lines as (
        select l.org_id, j.fiscal_year, j.period, l.account_code, coalesce(l.cost_centre_code, '') as cost_centre_code,
          sum(greatest(l.amount_pence, 0)) as debit, sum(greatest(-l.amount_pence, 0)) as credit, count(*) as n
        from journal_lines l join journals j on j.org_id = l.org_id and j.id = l.journal_id
        group by 1, 2, 3, 4, 5)
      select count(*)::int as wrong from lines full join ledger_balances b
        using (org_id, fiscal_year, period, account_code, cost_centre_code)
      where b.debit_pence is distinct from lines.debit or b.credit_pence is distinct from lines.credit
        or b.line_count is distinct from lines.n`.execute(t.db.admin)
    expect(rows[0]!.wrong).toBe(0)
    const { rows: count } = await sql<{ n: number }>`select count(*)::int as n from ledger_balances`.execute(
      t.db.admin,
    )
    expect(count[0]!.n).toBeGreaterThan(0)
  })
})
