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
      balancePence: -123456,
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
    const { rows } = await sql<{
      table_name: string
      after: { journals: Array<{ journal: { id: string }; lines: unknown[] }> }
    }>`
      select table_name, after from audit_log where org_id = ${CO} and entity_id = ${posted!.id} order by seq`.execute(
      t.db.admin,
    )
    expect(rows.map((row) => row.table_name)).toEqual(['journals'])
    expect(rows[0]!.after.journals[0]!.journal.id).toBe(posted!.id)
    expect(rows[0]!.after.journals[0]!.lines).toHaveLength(2)
    // A batch is one entry too, listing every journal.
    await t.db.transaction(as(CO), (trx) =>
      ledger.postJournals(
        trx,
        CO,
        [gbp('2026-04-17', '52400000', '21100000', 1), gbp('2026-04-17', '52400000', '21100000', 2)],
        clerk,
      ),
    )
    const last = await sql<{ after: { journals: unknown[] } }>`
      select after from audit_log where org_id = ${CO} and table_name = 'journals' order by seq desc limit 1`.execute(
      t.db.admin,
    )
    expect(last.rows[0]!.after.journals).toHaveLength(2)
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
    const closing = await t.db.transaction(as(org), (trx) => ledger.closeYear(trx, org, 2025, clerk))
    expect(closing).toMatchObject({ period: 12, date: '2026-03-31' })
    const tb = await t.db.transaction(as(org), (trx) => ledger.trialBalance(trx, org, 2025, 12))
    const balance = (code: string) => tb.rows.find((row) => row.accountCode === code)?.balancePence ?? 0
    // Income and expenditure are cleared; the net expenditure of £2,000 reduces the general fund.
    expect(balance('52100000')).toBe(0)
    expect(balance('41100000')).toBe(0)
    expect(balance('31100000')).toBe(200000)
    expect(balance('12200000')).toBe(50000) // balance-sheet accounts are untouched
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
