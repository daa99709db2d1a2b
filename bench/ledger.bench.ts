// The ledger under load (issue 3's targets), on each engine:
// - posting through the API's batch endpoint (lines a second), against a raw COPY of the same rows
//   into an unconstrained table on the same database in the same run (PostgreSQL only);
// - trial balance time as the ledger grows (lines bulk-loaded by the owner, balances rebuilt);
// - many concurrent clients posting to the same control account: no deadlock, no lost update.
// Runs in-process through app.inject: the work measured is the server's (JSON, validation,
// service, database); the directory benchmark covers HTTP with a separate load generator.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { periodDates } from '../src/finance/chart.ts'
import { demoFiscalYears } from '../src/finance/demo.ts'
import { orgId, uuidFromName } from '../src/platform/ids.ts'
import type { TestApp } from '../src/platform/testing.ts'
import type { BenchContext, EngineTarget, ResultRow } from './lib/types.ts'

export const description =
  'Ledger: batch posting (lines/s, against raw COPY), trial balance as lines grow, concurrent posting to one control account'

const BATCH_JOURNALS = 5_000
const LINES_PER_JOURNAL = 4
const BATCH_LINES = BATCH_JOURNALS * LINES_PER_JOURNAL
const ORG = orgId('cabinet-office')
const CLERK = uuidFromName('user:finance.clerk@gss.example')

function batch(date: string, seed: number) {
  return {
    journals: Array.from({ length: BATCH_JOURNALS }, (_, i) => ({
      date,
      description: `Bench ${seed}-${i}`,
      lines: [
        { accountCode: '52100000', amountMinor: 1000 + i, costCentreCode: 'CORP' },
        { accountCode: '52200000', amountMinor: 500 },
        { accountCode: '21100000', amountMinor: -(1000 + i) },
        { accountCode: '21300000', amountMinor: -500 },
      ],
    })),
  }
}

async function openApp(target: EngineTarget): Promise<TestApp> {
  // createTestApp makes (and on close drops) its own database on the server in DATABASE_URL.
  if (target.engine === 'postgres') process.env.DATABASE_URL = target.serverUrl
  else delete process.env.DATABASE_URL
  const { createTestApp } = await import('../src/platform/testing.ts')
  return createTestApp({ rateLimitPerMinute: 10_000_000 })
}

async function rawCopyLinesPerSecond(serverUrl: string, databaseName: string, rows: string): Promise<number> {
  const url = new URL(serverUrl)
  url.pathname = `/${databaseName}`
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    await client.query(`create temporary table raw_lines (org_id uuid, journal_id uuid, line_no int, account_code text,
      cost_centre_code text, amount_minor bigint, amount_pence bigint)`)
    const started = performance.now()
    await client.query('begin')
    await new Promise<void>((resolve, reject) => {
      const stream = client.query(copyFrom('copy raw_lines from stdin with (format csv)'))
      stream.on('finish', () => resolve())
      stream.on('error', reject)
      stream.end(rows)
    })
    await client.query('commit')
    return BATCH_LINES / ((performance.now() - started) / 1000)
  } finally {
    await client.end()
  }
}

function csvOf(journals: ReturnType<typeof batch>['journals']): string {
  const out: string[] = []
  for (const journal of journals) {
    const id = randomUUID()
    journal.lines.forEach((line, index) => {
      out.push(
        `${ORG},${id},${index + 1},${line.accountCode},${line.costCentreCode ?? ''},${line.amountMinor},${line.amountMinor}`,
      )
    })
  }
  return `${out.join('\n')}\n`
}

export default async function ledger(context: BenchContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = []
  const rounds = context.quick ? 1 : 3
  const date = periodDates(demoFiscalYears()[1]!, 1).startsOn
  for (const target of context.engines) {
    const engine = target.engine
    context.log(`ledger: ${engine}: setting up`)
    const t = await openApp(target)
    try {
      const { token } = await t.services.auth.createToken(
        { userId: CLERK, orgIds: [ORG], actingOrgId: ORG, requestId: 'bench' },
        {
          userId: CLERK,
          orgId: ORG,
          roles: ['finance_clerk'],
          name: 'bench',
          expiresAt: new Date(Date.now() + 86_400_000),
        },
      )
      const post = (payload: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/orgs/cabinet-office/journals',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload,
        })

      // 1. Batch posting, and raw COPY of the same rows, interleaved round by round.
      const ours: number[] = []
      const copies: number[] = []
      for (let round = 0; round < rounds; round++) {
        const body = batch(date, round)
        const payload = JSON.stringify(body)
        const started = performance.now()
        const response = await post(payload)
        if (response.statusCode !== 201)
          throw new Error(`posting failed: ${response.statusCode} ${response.body.slice(0, 300)}`)
        ours.push(BATCH_LINES / ((performance.now() - started) / 1000))
        if (target.engine === 'postgres') {
          const { rows: dbRows } = await sql<{ name: string }>`select current_database() as name`.execute(
            t.db.admin,
          )
          copies.push(await rawCopyLinesPerSecond(target.serverUrl, dbRows[0]!.name, csvOf(body.journals)))
        }
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
      const ourMedian = median(ours)
      const ratios = copies.map((copy, index) => ours[index]! / copy)
      rows.push({
        benchmark: 'ledger',
        scenario: `post ${BATCH_JOURNALS} journals x ${LINES_PER_JOURNAL} lines`,
        engine,
        metric: 'lines/s',
        value: Math.round(ourMedian),
        unit: 'lines/s',
        ...(copies.length > 0
          ? {
              ratio: Number(median(ratios).toFixed(3)),
              ratioRange: [
                Number(Math.min(...ratios).toFixed(3)),
                Number(Math.max(...ratios).toFixed(3)),
              ] as [number, number],
              ratioOf: 'raw COPY of the same rows, lines/s',
            }
          : {}),
      })
      if (copies.length > 0) {
        rows.push({
          benchmark: 'ledger',
          scenario: 'raw COPY of the same rows',
          engine,
          metric: 'lines/s',
          value: Math.round(median(copies)),
          unit: 'lines/s',
        })
      }

      // 2. Concurrent clients posting to the same control account.
      const clients = context.quick ? 20 : 100
      const perClient = context.quick ? 2 : 5
      const balanceOf = async () => {
        const { rows: b } = await sql<{ credit: number }>`
          select coalesce(sum(credit_pence), 0)::bigint as credit from ledger_balances
          where org_id = ${ORG} and account_code = '21100000'`.execute(t.db.admin)
        return Number(b[0]!.credit)
      }
      const creditBefore = await balanceOf()
      const started = performance.now()
      const results = await Promise.all(
        Array.from({ length: clients }, async (_, client) => {
          const statuses: number[] = []
          for (let n = 0; n < perClient; n++) {
            const response = await post(
              JSON.stringify({
                journals: [
                  {
                    date,
                    description: `Concurrent ${client}-${n}`,
                    lines: [
                      { accountCode: '52600000', amountMinor: 100 },
                      { accountCode: '21100000', amountMinor: -100 },
                    ],
                  },
                ],
              }),
            )
            statuses.push(response.statusCode)
          }
          return statuses
        }),
      )
      const seconds = (performance.now() - started) / 1000
      const failures = results.flat().filter((status) => status !== 201).length
      const creditAfter = await balanceOf()
      const expected = clients * perClient * 100
      if (failures > 0 || creditAfter - creditBefore !== expected) {
        throw new Error(
          `concurrent posting lost updates or failed: ${failures} failures; control account moved ${creditAfter - creditBefore}, expected ${expected}`,
        )
      }
      rows.push({
        benchmark: 'ledger',
        scenario: `${clients} concurrent clients, one control account`,
        engine,
        metric: 'journals/s',
        value: Math.round((clients * perClient) / seconds),
        unit: 'journals/s',
      })

      // 3. Trial balance as the ledger grows: bulk-load lines as the owner (triggers off), rebuild
      //    the balances the posting trigger would have kept, then time the trial balance.
      const sizes = context.quick ? [100_000] : engine === 'postgres' ? [1_000_000, 3_000_000] : [200_000]
      let loaded = 0
      for (const size of sizes) {
        const add = size - loaded
        const journals = Math.ceil(add / LINES_PER_JOURNAL)
        context.log(`ledger: ${engine}: growing the ledger to ${size.toLocaleString('en-GB')} lines`)
        await sql
          .raw(`
          alter table journals disable trigger user;
          alter table journal_lines disable trigger user;
          create temporary table bulk_ids as
            select gen_random_uuid() as id, g as n from generate_series(1, ${journals}) g;
          insert into journals (org_id, id, fiscal_year, period, journal_date, description, source)
            select '${ORG}', id, ${demoFiscalYears()[1]}, 1 + (n % 12),
              (date '${periodDates(demoFiscalYears()[1]!, 1).startsOn}' + ((n % 12) || ' months')::interval)::date,
              'bulk', 'import' from bulk_ids;
          insert into journal_lines (org_id, journal_id, line_no, account_code, cost_centre_code, amount_minor, amount_pence)
            select '${ORG}', b.id, l.line_no, l.account_code, l.cc, l.amount, l.amount
            from bulk_ids b cross join lateral (values
              (1, '52100000', 'CORP', 1000 + (b.n % 97)), (2, '52200000', null, 500),
              (3, '21100000', null, -(1000 + (b.n % 97))), (4, '21300000', null, -500)) as l(line_no, account_code, cc, amount);
          drop table bulk_ids;
          alter table journals enable trigger user;
          alter table journal_lines enable trigger user;
          delete from ledger_balances where org_id = '${ORG}';
          insert into ledger_balances (org_id, fiscal_year, period, account_code, cost_centre_code, debit_pence, credit_pence, line_count)
            select l.org_id, j.fiscal_year, j.period, l.account_code, coalesce(l.cost_centre_code, ''),
              sum(greatest(l.amount_pence, 0)), sum(greatest(-l.amount_pence, 0)), count(*)
            from journal_lines l join journals j on j.org_id = l.org_id and j.id = l.journal_id
            where l.org_id = '${ORG}' group by 1, 2, 3, 4, 5;
          analyze journal_lines; analyze ledger_balances;`)
          .execute(t.db.admin)
        loaded = size
        const { rows: count } = await sql<{
          n: number
        }>`select count(*)::bigint as n from journal_lines where org_id = ${ORG}`.execute(t.db.admin)
        const timings: number[] = []
        for (let i = 0; i < 5; i++) {
          const started = performance.now()
          const response = await t.app.inject({
            method: 'GET',
            url: `/api/v1/orgs/cabinet-office/trial-balance?fiscalYear=${demoFiscalYears()[1]}`,
            headers: { authorization: `Bearer ${token}` },
          })
          if (response.statusCode !== 200) throw new Error(`trial balance failed: ${response.statusCode}`)
          const body = response.json() as { totalDebitPence: number; totalCreditPence: number }
          if (body.totalDebitPence !== body.totalCreditPence)
            throw new Error('trial balance does not balance')
          timings.push(performance.now() - started)
        }
        rows.push({
          benchmark: 'ledger',
          scenario: `trial balance at ${Number(count[0]!.n).toLocaleString('en-GB')} lines`,
          engine,
          metric: 'median ms',
          value: Number(median(timings).toFixed(1)),
          unit: 'ms',
        })
      }
    } finally {
      await t.close()
    }
  }
  return rows
}
