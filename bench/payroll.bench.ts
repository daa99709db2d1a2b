// A monthly pay run of N employees on PostgreSQL, end to end: create the run, calculate every
// employee (PAYE, NI, student loans, pensions) in committed chunks, store the payslips, review,
// approve and post the run's journal. Against it, in the same run on the same database: a raw
// COPY of the very same payslip rows into a bare copy of the table (no keys, indexes or
// triggers). Peak memory is the benchmark process's resident set size, sampled every 50 ms while
// the pay run works (the pay run runs in this process).
//
// Employments are made set-based (src/payroll/fixtures.ts) in one organisation, with the row
// triggers (audit, change events) switched off while loading, as `gss demo --scale` does.
// Sizes: 10,000, 100,000 and 500,000 (GSS_BENCH_PAYROLL_SIZES=10k,100k to choose; --quick 10k).
import { PassThrough } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { sql } from 'kysely'
import pg from 'pg'
import { from as copyFrom, to as copyTo } from 'pg-copy-streams'
import { seedDemo } from '../src/demo/seed.ts'
import { LedgerService } from '../src/finance/ledger.ts'
import { loadConfig } from '../src/platform/config.ts'
import { Database, type TenantContext } from '../src/platform/db/index.ts'
import { migrate } from '../src/platform/db/migrate.ts'
import { orgId, uuidFromName } from '../src/platform/ids.ts'
import { createServerDatabase } from '../src/platform/testing.ts'
import '../src/hr/tables.ts'
import '../src/payroll/tables.ts'
import { addPayrollFixture } from '../src/payroll/fixtures.ts'
import { PayRunService } from '../src/payroll/runs.ts'
import type { BenchContext, ResultRow } from './lib/types.ts'

export const description =
  'Monthly pay run of 10k, 100k and 500k employees on PostgreSQL (calculated, payslips stored, journal posted): seconds end to end, peak memory, and the ratio to a raw COPY of the same payslip rows'

const ORG = orgId('cabinet-office')
const OFFICER = uuidFromName('user:payroll.officer@gss.example')
const APPROVER = uuidFromName('user:payroll.approver@gss.example')
const BULK_TABLES = [
  'people',
  'employments',
  'employment_terms',
  'payroll_details',
  'tax_codes',
  'payroll_person_details',
]

function sizes(quick: boolean): number[] {
  const text = process.env.GSS_BENCH_PAYROLL_SIZES
  if (!text) return quick ? [10_000] : [10_000, 100_000, 500_000]
  return text.split(',').map((part) => {
    const match = /^(\d+)([km]?)$/i.exec(part.trim())
    if (!match) throw new Error(`GSS_BENCH_PAYROLL_SIZES: "${part}" is not a size like 10k`)
    return Number(match[1]) * ({ k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase()] ?? 1)
  })
}

async function loadEmployees(db: Database, count: number): Promise<void> {
  await db.adminTransaction(async (trx) => {
    for (const table of BULK_TABLES) await sql.raw(`alter table ${table} disable trigger user`).execute(trx)
    for (let start = 0; start < count; start += 250_000) {
      // Two-letter NI prefixes keep the numbers unique across batches.
      const prefix = ['JA', 'JB', 'JC', 'JE', 'JG', 'JH', 'JJ', 'JK'][start / 250_000]!
      await addPayrollFixture(trx, ORG, { prefix, count: Math.min(250_000, count - start) })
    }
    for (const table of BULK_TABLES) await sql.raw(`alter table ${table} enable trigger user`).execute(trx)
  })
  for (const table of [...BULK_TABLES, 'people']) await sql.raw(`analyze ${table}`).execute(db.admin)
}

async function oneSize(serverUrl: string, count: number, context: BenchContext): Promise<ResultRow[]> {
  const fresh = await createServerDatabase(serverUrl, 'gss_bench_payroll')
  const db = await Database.open(loadConfig({ NODE_ENV: 'test', DATABASE_URL: fresh.url }))
  try {
    await migrate(db)
    await seedDemo(db)
    const loadStart = performance.now()
    await loadEmployees(db, count)
    context.log(
      `payroll ${count}: ${count} employments loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`,
    )
    const runs = new PayRunService(new LedgerService())
    const as = (userId: string): TenantContext => ({
      userId,
      orgIds: [ORG],
      actingOrgId: ORG,
      requestId: 'bench',
    })

    let peakRss = process.memoryUsage().rss
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }, 50)
    const started = performance.now()
    const run = await db.transaction(as(OFFICER), (trx) =>
      runs.create(trx, ORG, { payFrequency: 'monthly', payDate: '2026-04-24' }, OFFICER),
    )
    const calculated = await runs.calculate(db, as(OFFICER), ORG, run.id)
    const calculatedAt = performance.now()
    await db.transaction(as(OFFICER), (trx) =>
      runs.review(trx, ORG, run.id, OFFICER, calculated.exceptionCount),
    )
    const approved = await db.transaction(as(APPROVER), (trx) => runs.approve(trx, ORG, run.id, APPROVER))
    const seconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
    if (!approved.journalId || approved.progressDone < count) throw new Error('the pay run did not finish')

    // The same payslip rows, copied raw into a bare table in the same database.
    const client = new pg.Client({ connectionString: fresh.url })
    await client.connect()
    let copySeconds: number
    try {
      await client.query('create table payslips_raw (like payslips)')
      const buffer: Buffer[] = []
      const out = client.query(copyTo(`copy (select * from payslips where run_id = '${run.id}') to stdout`))
      const sink = new PassThrough()
      sink.on('data', (chunk: Buffer) => buffer.push(chunk))
      await pipeline(out, sink)
      const copyStart = performance.now()
      const input = client.query(copyFrom('copy payslips_raw from stdin'))
      const source = new PassThrough()
      const done = pipeline(source, input)
      for (const chunk of buffer)
        if (!source.write(chunk)) await new Promise((resolve) => source.once('drain', resolve))
      source.end()
      await done
      copySeconds = (performance.now() - copyStart) / 1000
    } finally {
      await client.end()
    }
    const scenario = `monthly run, ${count.toLocaleString('en-GB')} employees`
    context.log(
      `payroll ${count}: ${seconds.toFixed(1)} s end to end (calculation ${((calculatedAt - started) / 1000).toFixed(1)} s), raw COPY ${copySeconds.toFixed(1)} s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
    )
    return [
      {
        benchmark: 'payroll',
        scenario,
        engine: 'postgres',
        metric: 'end to end',
        value: seconds,
        unit: 's',
        ratio: seconds / copySeconds,
        ratioOf: 'raw COPY of the payslip rows',
      },
      {
        benchmark: 'payroll',
        scenario,
        engine: 'postgres',
        metric: 'calculation',
        value: (calculatedAt - started) / 1000,
        unit: 's',
      },
      {
        benchmark: 'payroll',
        scenario,
        engine: 'postgres',
        metric: 'raw COPY of the payslips',
        value: copySeconds,
        unit: 's',
      },
      {
        benchmark: 'payroll',
        scenario,
        engine: 'postgres',
        metric: 'payslips a second',
        value: count / seconds,
        unit: '/s',
      },
      {
        benchmark: 'payroll',
        scenario,
        engine: 'postgres',
        metric: 'peak memory (RSS)',
        value: peakRss / 2 ** 20,
        unit: 'MiB',
      },
    ]
  } finally {
    await db.close()
    await fresh.drop()
  }
}

export default async function payrollBench(context: BenchContext): Promise<ResultRow[]> {
  const target = context.engines.find((engine) => engine.engine === 'postgres')
  if (target?.engine !== 'postgres') {
    context.log('payroll: skipped (the target is PostgreSQL; no server)')
    return []
  }
  const rows: ResultRow[] = []
  for (const count of sizes(context.quick)) rows.push(...(await oneSize(target.serverUrl, count, context)))
  context.meta.payroll = { sizes: sizes(context.quick), chunkSize: 5000, payDate: '2026-04-24' }
  return rows
}
