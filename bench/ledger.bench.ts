// The ledger under load (issue 3's targets), on each engine, against the real server in its own
// process (bench/lib/server.ts: the app from buildApp over the seeded demo world), driven over
// HTTP from this process:
// - batch posting through POST /api/v1/orgs/:orgCode/journals (lines a second, with an
//   Idempotency-Key as a real client sends), against a raw COPY of the same rows (headers and
//   lines) into unconstrained tables on the same database in the same round (PostgreSQL only);
// - many concurrent clients posting to the same control account: every request answers 201, the
//   database records no deadlock, and afterwards every balance equals the sum of its lines;
// - trial balance time as the ledger grows to millions of lines (bulk-loaded straight into the
//   tables with their balances, PostgreSQL), or as far as the posting above took it (PGlite).
// See docs/PERFORMANCE.md.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { periodDates } from '../src/finance/chart.ts'
import { demoFiscalYears } from '../src/finance/demo.ts'
import { orgId } from '../src/platform/ids.ts'
import { cpuBetween, postgresMeter, processMeter } from './lib/cpu.ts'
import { type RunningServer, startServer } from './lib/processes.ts'
import { summarise } from './lib/stats.ts'
import type { BenchContext, EngineTarget, ResultRow } from './lib/types.ts'

export const description =
  'Ledger over HTTP: batch posting (lines/s, against a raw COPY of the same rows), 100 concurrent clients on one control account (no deadlock, no lost update), trial balance as the ledger grows to 10M+ lines'

const BENCHMARK = 'ledger'
const ORG_CODE = 'cabinet-office'
const ORG = orgId(ORG_CODE)
/** The token is the finance clerk's (finance:post), not the default organisation admin's. */
const SERVER_USER = { GSS_BENCH_USER: 'finance.clerk@gss.example', GSS_BENCH_ROLE: 'finance_clerk' }
const LINES_PER_JOURNAL = 4
const CONTROL_ACCOUNT = '21100000'
/** Default trial-balance sizes on PostgreSQL (lines); --ledger-lines chooses others, e.g. 1m,10m,50m. */
export const DEFAULT_LEDGER_LINES = [1_000_000, 10_000_000]
const QUICK_LEDGER_LINES = [100_000]

interface BatchJournal {
  date: string
  description: string
  lines: Array<{ accountCode: string; costCentreCode?: string; amountMinor: number }>
}

function batch(date: string, seed: string, journals: number): { journals: BatchJournal[] } {
  return {
    journals: Array.from({ length: journals }, (_, i) => ({
      date,
      description: `Bench ${seed}-${i}`,
      lines: [
        { accountCode: '52100000', amountMinor: 1000 + i, costCentreCode: 'CORP' },
        { accountCode: '52200000', amountMinor: 500 },
        { accountCode: CONTROL_ACCOUNT, amountMinor: -(1000 + i) },
        { accountCode: '21300000', amountMinor: -500 },
      ],
    })),
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
const range = (values: number[], digits = 3): [number, number] => [
  Number(Math.min(...values).toFixed(digits)),
  Number(Math.max(...values).toFixed(digits)),
]

/** A client of the server's own PostgreSQL database, as the superuser (to load data and check). */
async function databaseClient(target: EngineTarget, server: RunningServer): Promise<pg.Client | undefined> {
  if (target.engine !== 'postgres') return undefined
  const url = new URL(target.serverUrl)
  url.pathname = `/${server.database}`
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  return client
}

async function post(
  server: RunningServer,
  body: string,
): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now()
  const response = await fetch(`${server.url}/api/v1/orgs/${ORG_CODE}/journals`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.token}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body,
  })
  const text = await response.text()
  return { status: response.status, text, ms: performance.now() - started }
}

/** CSV of the rows the API writes for these journals (headers, then lines), for the raw COPY. */
function csvOf(
  journals: BatchJournal[],
  fiscalYear: number,
  period: number,
): { headers: string; lines: string } {
  const headers: string[] = []
  const lines: string[] = []
  let number = 1
  for (const journal of journals) {
    const id = randomUUID()
    headers.push(
      `${ORG},${id},${number++},${fiscalYear},${period},${journal.date},${journal.description},api,,,,${new Date().toISOString()}`,
    )
    journal.lines.forEach((line, index) => {
      lines.push(
        `${ORG},${id},${index + 1},${line.accountCode},${line.costCentreCode ?? ''},,DEL,resource,programme,GBP,${line.amountMinor},1,${line.amountMinor},`,
      )
    })
  }
  return { headers: `${headers.join('\n')}\n`, lines: `${lines.join('\n')}\n` }
}

/**
 * The floor: the same rows COPYed into tables of the same columns with no keys, checks or triggers,
 * in one transaction, on the same database. Lines a second.
 */
async function rawCopy(client: pg.Client, csv: { headers: string; lines: string }, lineCount: number) {
  await client.query(`create temporary table if not exists raw_journals (like journals);
    create temporary table if not exists raw_lines (like journal_lines); truncate raw_journals, raw_lines`)
  const copy = (statement: string, rows: string) =>
    new Promise<void>((resolve, reject) => {
      const stream = client.query(copyFrom(statement))
      stream.on('finish', () => resolve())
      stream.on('error', reject)
      stream.end(rows)
    })
  const started = performance.now()
  await client.query('begin')
  await copy(
    `copy raw_journals (org_id, id, number, fiscal_year, period, journal_date, description, source, reference,
      reverses_journal_id, posted_by, posted_at) from stdin with (format csv)`,
    csv.headers,
  )
  await copy(
    `copy raw_lines (org_id, journal_id, line_no, account_code, cost_centre_code, project_code, control_total,
      budget_class, spend_class, currency, amount_minor, units_per_gbp, amount_pence, description)
      from stdin with (format csv)`,
    csv.lines,
  )
  await client.query('commit')
  return lineCount / ((performance.now() - started) / 1000)
}

/** Every balance equals the sum of its lines; returns the number of balance rows that do not. */
async function balancesOffBy(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ wrong: string }>(
    `with lines as (
       select l.org_id, j.fiscal_year, j.period, l.account_code, coalesce(l.cost_centre_code, '') as cost_centre_code,
         sum(greatest(l.amount_pence, 0)) as debit, sum(greatest(-l.amount_pence, 0)) as credit, count(*) as n
       from journal_lines l join journals j on j.org_id = l.org_id and j.id = l.journal_id
       where l.org_id = $1 group by 1, 2, 3, 4, 5)
     select count(*) as wrong from lines full join (select * from ledger_balances where org_id = $1) b
       using (org_id, fiscal_year, period, account_code, cost_centre_code)
     where b.debit_pence is distinct from lines.debit or b.credit_pence is distinct from lines.credit
       or b.line_count is distinct from lines.n`,
    [ORG],
  )
  return Number(rows[0]!.wrong)
}

async function deadlocks(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ deadlocks: string }>(
    'select deadlocks from pg_stat_database where datname = current_database()',
  )
  return Number(rows[0]!.deadlocks)
}

/** Trial balance over the API; checks it balances and returns its time and size. */
async function trialBalance(server: RunningServer, fiscalYear: number) {
  const started = performance.now()
  const response = await fetch(
    `${server.url}/api/v1/orgs/${ORG_CODE}/trial-balance?fiscalYear=${fiscalYear}`,
    {
      headers: { authorization: `Bearer ${server.token}` },
    },
  )
  const body = (await response.json()) as {
    totalDebitPence: number
    totalCreditPence: number
    rows: Array<{ accountCode: string; creditPence: number; debitPence: number }>
  }
  const ms = performance.now() - started
  if (response.status !== 200)
    throw new Error(`trial balance failed: ${response.status} ${JSON.stringify(body)}`)
  if (body.totalDebitPence !== body.totalCreditPence) throw new Error('the trial balance does not balance')
  return { ms, body }
}

/**
 * Grows the organisation's ledger to `target` lines straight in the tables, as the superuser with
 * triggers off (the benchmark's shortcut, not an application path), a million lines a transaction:
 * balanced four-line journals spread over the year's twelve periods, 40 accounts and the
 * organisation's cost centres, each chunk's balances added to ledger_balances as the posting
 * trigger would. Journal ids are sequential (the application's are random) so the load is quick.
 */
async function growLedger(
  client: pg.Client,
  fiscalYear: number,
  from: number,
  target: number,
  bulkJournalsSoFar: number,
): Promise<number> {
  const { rows: accounts } = await client.query<{ code: string }>(
    `select code from accounts where org_id = $1 and active order by code`,
    [ORG],
  )
  const { rows: centres } = await client.query<{ code: string }>(
    `select code from cost_centres where org_id = $1 and active order by code`,
    [ORG],
  )
  const spread = accounts.map((row) => row.code).filter((code) => code !== CONTROL_ACCOUNT)
  const picked = Array.from({ length: 40 }, (_, i) => spread[Math.floor((i * spread.length) / 40)]!)
  const chunk = 1_000_000
  let journals = bulkJournalsSoFar
  for (let done = from; done < target; done += chunk) {
    const lines = Math.min(chunk, target - done)
    const first = journals + 1
    const last = journals + Math.ceil(lines / LINES_PER_JOURNAL)
    journals = last
    await client.query('begin')
    await client.query('set local session_replication_role = replica')
    await client.query(
      `insert into journals (org_id, id, fiscal_year, period, journal_date, description, source)
       select $1, ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, $2::smallint, 1 + n % 12,
         (select starts_on from financial_periods where org_id = $1 and fiscal_year = $2 and period = 1 + n % 12),
         'Bulk ' || n, 'import'
       from generate_series($3::bigint, $4::bigint) n`,
      [ORG, fiscalYear, first, last],
    )
    await client.query(
      `create temporary table bulk_lines on commit drop as
       select $1::uuid as org_id, ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid as journal_id,
         (1 + n % 12)::smallint as period, l.line_no, l.account_code, l.cost_centre_code, l.amount
       from generate_series($2::bigint, $3::bigint) n
       cross join lateral (values
         (1, ($4::text[])[1 + n % 40], ($5::text[])[1 + n % $6], 1000 + n % 997),
         (2, ($4::text[])[1 + (n * 7 + 3) % 40], ($5::text[])[1 + (n / 3) % $6], 500 + n % 89),
         (3, $7, null, -(1000 + n % 997)),
         (4, '21300000', null, -(500 + n % 89))) as l(line_no, account_code, cost_centre_code, amount)`,
      [ORG, first, last, picked, centres.map((row) => row.code), centres.length, CONTROL_ACCOUNT],
    )
    await client.query(
      `insert into journal_lines (org_id, journal_id, line_no, account_code, cost_centre_code, amount_minor, amount_pence)
       select org_id, journal_id, line_no, account_code, cost_centre_code, amount, amount from bulk_lines`,
    )
    await client.query(
      `insert into ledger_balances as b (org_id, fiscal_year, period, account_code, cost_centre_code, debit_pence,
         credit_pence, line_count)
       select org_id, $1::smallint, period, account_code, coalesce(cost_centre_code, ''), sum(greatest(amount, 0)),
         sum(greatest(-amount, 0)), count(*)
       from bulk_lines group by 1, 2, 3, 4, 5
       on conflict (org_id, fiscal_year, period, account_code, cost_centre_code) do update
         set debit_pence = b.debit_pence + excluded.debit_pence, credit_pence = b.credit_pence + excluded.credit_pence,
           line_count = b.line_count + excluded.line_count`,
      [fiscalYear],
    )
    await client.query('commit')
  }
  await client.query('analyze journals; analyze journal_lines; analyze ledger_balances')
  return journals
}

export default async function ledger(context: BenchContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = []
  const quick = context.quick
  const rounds = quick ? 1 : Math.max(3, context.rounds)
  const journalsPerBatch = 5_000
  const linesPerBatch = journalsPerBatch * LINES_PER_JOURNAL
  const fiscalYear = demoFiscalYears()[1]!
  const date = periodDates(fiscalYear, 1).startsOn
  const row = (
    scenario: string,
    engine: ResultRow['engine'],
    metric: string,
    value: number,
    unit: string,
  ) => {
    const result: ResultRow = { benchmark: BENCHMARK, scenario, engine, metric, value, unit }
    rows.push(result)
    return result
  }

  for (const target of context.engines) {
    const engine = target.engine
    context.log(`ledger: ${engine}: starting the server`)
    const server = await startServer(target, SERVER_USER)
    const client = await databaseClient(target, server)
    const serverCpu = processMeter(server.pid)
    const databaseCpu =
      engine === 'postgres' ? await postgresMeter(target.serverUrl, server.database) : undefined
    try {
      // 1. Batch posting over HTTP, and a raw COPY of the same rows, round by round.
      if (!quick) {
        context.log(`ledger: ${engine}: warming up`)
        const warm = await post(server, JSON.stringify(batch(date, 'warm-up', journalsPerBatch)))
        if (warm.status !== 201) throw new Error(`posting failed: ${warm.status} ${warm.text.slice(0, 300)}`)
      }
      const ours: number[] = []
      const copies: number[] = []
      const cpuPerKiloLine: number[] = []
      const serverCpuPerKiloLine: number[] = []
      for (let round = 0; round < rounds; round++) {
        context.log(`ledger: ${engine}: posting round ${round + 1} of ${rounds}`)
        const body = batch(date, `r${round}`, journalsPerBatch)
        const payload = JSON.stringify(body)
        const [serverBefore, databaseBefore] = [await serverCpu.read(), await databaseCpu?.read()]
        const response = await post(server, payload)
        const [serverAfter, databaseAfter] = [await serverCpu.read(), await databaseCpu?.read()]
        if (response.status !== 201)
          throw new Error(`posting failed: ${response.status} ${response.text.slice(0, 300)}`)
        const posted = (JSON.parse(response.text) as { journals: unknown[] }).journals.length
        if (posted !== journalsPerBatch) throw new Error(`posted ${posted} journals, not ${journalsPerBatch}`)
        ours.push(linesPerBatch / (response.ms / 1000))
        const cpu =
          (cpuBetween(serverBefore, serverAfter) ?? NaN) + (cpuBetween(databaseBefore, databaseAfter) ?? 0)
        cpuPerKiloLine.push((cpu / linesPerBatch) * 1000)
        serverCpuPerKiloLine.push(((cpuBetween(serverBefore, serverAfter) ?? NaN) / linesPerBatch) * 1000)
        if (client) copies.push(await rawCopy(client, csvOf(body.journals, fiscalYear, 1), linesPerBatch))
      }
      const ratios = copies.map((copy, index) => ours[index]! / copy)
      const posting = row(
        `post ${journalsPerBatch.toLocaleString('en-GB')} journals x ${LINES_PER_JOURNAL} lines over HTTP`,
        engine,
        'lines/s',
        Math.round(median(ours)),
        'lines/s',
      )
      if (copies.length > 0) {
        posting.ratio = Number(median(ratios).toFixed(4))
        posting.ratioRange = range(ratios, 4)
        posting.ratioOf = 'raw COPY of the same rows into unconstrained tables, lines/s'
        row('raw COPY of the same rows', engine, 'lines/s', Math.round(median(copies)), 'lines/s')
      }
      row('posting: slowest round', engine, 'lines/s', Math.round(Math.min(...ours)), 'lines/s')
      row('posting: fastest round', engine, 'lines/s', Math.round(Math.max(...ours)), 'lines/s')
      if (cpuPerKiloLine.every(Number.isFinite))
        row(
          `posting: CPU per 1,000 lines (server${engine === 'postgres' ? ' + PostgreSQL' : ''})`,
          engine,
          'CPU ms',
          Number(median(cpuPerKiloLine).toFixed(1)),
          'ms',
        )

      context.meta[`${engine}:posting`] = {
        linesPerSecond: ours.map(Math.round),
        rawCopyLinesPerSecond: copies.map(Math.round),
        cpuMsPer1000Lines: cpuPerKiloLine.map((ms) => Number(ms.toFixed(1))),
        serverCpuMsPer1000Lines: serverCpuPerKiloLine.map((ms) => Number(ms.toFixed(1))),
      }

      // 2. Concurrent clients posting to the same control account, each journal also touching two
      //    of four expense accounts in an order that differs between clients.
      const clients = quick ? 20 : 100
      const perClient = quick ? 2 : 10
      context.log(`ledger: ${engine}: ${clients} concurrent clients`)
      const expense = ['52100000', '52200000', '52300000', '52400000']
      const controlCredit = async () =>
        (await trialBalance(server, fiscalYear)).body.rows.find((r) => r.accountCode === CONTROL_ACCOUNT)
          ?.creditPence ?? 0
      const creditBefore = await controlCredit()
      const deadlocksBefore = client ? await deadlocks(client) : 0
      const latencies: number[] = []
      const started = performance.now()
      const statuses = await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          const seen: number[] = []
          for (let n = 0; n < perClient; n++) {
            const [first, second] =
              c % 2 === 0
                ? [expense[c % 4]!, expense[(c + 1) % 4]!]
                : [expense[(c + 1) % 4]!, expense[c % 4]!]
            const response = await post(
              server,
              JSON.stringify({
                journals: [
                  {
                    date,
                    description: `Concurrent ${c}-${n}`,
                    lines: [
                      { accountCode: first, amountMinor: 60 },
                      { accountCode: second, amountMinor: 40 },
                      { accountCode: CONTROL_ACCOUNT, amountMinor: -100 },
                    ],
                  },
                ],
              }),
            )
            latencies.push(response.ms)
            seen.push(response.status)
            if (response.status !== 201)
              context.log(
                `ledger: ${engine}: client ${c} got ${response.status}: ${response.text.slice(0, 300)}`,
              )
          }
          return seen
        }),
      )
      const seconds = (performance.now() - started) / 1000
      const failures = statuses.flat().filter((status) => status !== 201).length
      const moved = (await controlCredit()) - creditBefore
      const expected = clients * perClient * 100
      const newDeadlocks = client ? (await deadlocks(client)) - deadlocksBefore : 0
      const wrong = client ? await balancesOffBy(client) : 0
      if (failures > 0 || moved !== expected || newDeadlocks > 0 || wrong > 0) {
        throw new Error(
          `concurrent posting: ${failures} failed requests, ${newDeadlocks} deadlocks, control account moved ${moved} (expected ${expected}), ${wrong} balances differ from their lines`,
        )
      }
      const latency = summarise(latencies)
      row(
        `${clients} concurrent clients, one control account`,
        engine,
        'journals/s',
        Math.round((clients * perClient) / seconds),
        'journals/s',
      )
      row(`${clients} concurrent clients: latency p50`, engine, 'ms', Number(latency.p50.toFixed(1)), 'ms')
      row(`${clients} concurrent clients: latency p99`, engine, 'ms', Number(latency.p99.toFixed(1)), 'ms')
      context.meta[`${engine}:concurrency`] = {
        clients,
        journalsPerClient: perClient,
        failures,
        deadlocks: newDeadlocks,
        controlAccountMovedPence: moved,
        balancesDifferingFromLines: client ? wrong : 'not checked on PGlite (the server holds the database)',
      }

      // 3. Trial balance as the ledger grows.
      const sizes = client
        ? quick
          ? QUICK_LEDGER_LINES
          : (context.ledgerLines ?? DEFAULT_LEDGER_LINES)
        : [0]
      let loaded = 0
      let bulkJournals = 0
      if (client) {
        const { rows: count } = await client.query<{ n: string }>(
          'select count(*) as n from journal_lines where org_id = $1',
          [ORG],
        )
        loaded = Number(count[0]!.n)
      }
      for (const size of sizes) {
        if (client && size > loaded) {
          context.log(`ledger: ${engine}: growing the ledger to ${size.toLocaleString('en-GB')} lines`)
          const loadStarted = performance.now()
          bulkJournals = await growLedger(client, fiscalYear, loaded, size, bulkJournals)
          const loadSeconds = (performance.now() - loadStarted) / 1000
          context.meta[`${engine}:load to ${size} lines`] = {
            seconds: Math.round(loadSeconds),
            linesPerSecond: Math.round((size - loaded) / loadSeconds),
          }
          loaded = size
        }
        let lines = loaded
        let balanceRows: number | undefined
        if (client) {
          const { rows: count } = await client.query<{ n: string; b: string }>(
            `select (select count(*) from journal_lines where org_id = $1) as n,
               (select count(*) from ledger_balances where org_id = $1) as b`,
            [ORG],
          )
          lines = Number(count[0]!.n)
          balanceRows = Number(count[0]!.b)
        }
        await trialBalance(server, fiscalYear) // warm
        const timings: number[] = []
        let accounts = 0
        for (let i = 0; i < (quick ? 3 : 9); i++) {
          const { ms, body } = await trialBalance(server, fiscalYear)
          timings.push(ms)
          accounts = body.rows.length
        }
        if (!client) {
          // PGlite: the demo's lines plus what the rounds and the clients above posted.
          lines = ((quick ? 0 : 1) + rounds) * linesPerBatch + clients * perClient * 3
        }
        const label = `${client ? '' : 'about '}${(lines / 1_000_000).toFixed(lines < 1_000_000 ? 2 : 1)}M lines`
        row(`trial balance at ${label}`, engine, 'median ms', Number(median(timings).toFixed(1)), 'ms')
        context.meta[`${engine}:trial balance at ${lines} lines`] = {
          lines,
          balanceRows,
          accountsInTrialBalance: accounts,
          ms: timings.map((ms) => Number(ms.toFixed(1))),
        }
      }
    } finally {
      await serverCpu.close()
      await databaseCpu?.close()
      await client?.end()
      await server.stop()
    }
  }
  return rows
}
