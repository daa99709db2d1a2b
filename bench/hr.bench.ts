// HR at scale (issue 4's targets), on each engine:
// - `gss demo --scale N`: on PostgreSQL the real command (a child process, as an operator runs it)
//   on a freshly seeded database, timed end to end; and, in the same run, a raw COPY of the same
//   rows (every row the command wrote, copied out to files, then COPY'd into unconstrained,
//   unindexed tables of the same columns), so the ratio says what the constraints, indexes and
//   generation cost over the floor. On PGlite the generation runs in-process (an in-memory
//   database cannot be shared with a child process) at a smaller N.
// - headcount and FTE as at a date across every employment of the world (all organisations),
//   through HeadcountService in an application transaction (row-level security on).
//
// N: GSS_BENCH_HR_EMPLOYEES, else 500,000 on PostgreSQL and 50,000 on PGlite; --quick uses 1,000.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { sql } from 'kysely'
import pg from 'pg'
import { from as copyFrom, to as copyTo } from 'pg-copy-streams'
import { ROOT_DIR } from './lib/processes.ts'
import type { BenchContext, EngineTarget, ResultRow } from './lib/types.ts'

export const description =
  'HR: gss demo --scale N (against raw COPY of the same rows), headcount and FTE as at a date across every employment'

/** The tables `gss demo --scale` fills, in the order it fills them. */
const TABLES = [
  'users',
  'memberships',
  'people',
  'employments',
  'employment_terms',
  'payroll_details',
  'tax_codes',
] as const

function employeesFor(context: BenchContext, target: EngineTarget): number {
  const fromEnv = Number(process.env.GSS_BENCH_HR_EMPLOYEES)
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv
  if (context.quick) return 1_000
  return target.engine === 'postgres' ? 500_000 : 50_000
}

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ ms: number; stdout: string; stderr: string }> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/gss.js', ...args],
      { cwd: ROOT_DIR, env: { ...process.env, ...env }, timeout: 30 * 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`gss ${args.join(' ')} failed: ${stderr || error.message}`))
        else resolve({ ms: performance.now() - started, stdout, stderr })
      },
    )
  })
}

/** Copies every synthetic row out to files, then times COPY into bare tables of the same columns. */
async function rawCopySeconds(databaseUrl: string, log: (line: string) => void): Promise<number> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'gss-bench-hr-'))
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    for (const table of TABLES) {
      await pipeline(
        client.query(copyTo(`copy ${table} to stdout with (format csv)`)),
        fs.createWriteStream(path.join(directory, `${table}.csv`)),
      )
      // LIKE copies the columns and their types only: no keys, indexes, checks or triggers.
      await client.query(`create table raw_${table} (like ${table})`)
    }
    const started = performance.now()
    await client.query('begin')
    for (const table of TABLES) {
      await pipeline(
        fs.createReadStream(path.join(directory, `${table}.csv`)),
        client.query(copyFrom(`copy raw_${table} from stdin with (format csv)`)),
      )
    }
    await client.query('commit')
    const seconds = (performance.now() - started) / 1000
    for (const table of TABLES) await client.query(`drop table raw_${table}`)
    log(`hr: raw COPY of the same rows: ${seconds.toFixed(1)} s`)
    return seconds
  } finally {
    await client.end()
    fs.rmSync(directory, { recursive: true, force: true })
  }
}

export default async function hr(context: BenchContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = []
  for (const target of context.engines) {
    const engine = target.engine
    const employees = employeesFor(context, target)
    if (target.engine === 'postgres') process.env.DATABASE_URL = target.serverUrl
    else delete process.env.DATABASE_URL
    const { createTestDatabase } = await import('../src/platform/testing.ts')
    const { growDemo } = await import('../src/demo/seed.ts')
    const { HeadcountService } = await import('../src/hr/reports/service.ts')
    context.log(`hr: ${engine}: seeding the demo world`)
    const t = await createTestDatabase({ seed: true })
    try {
      // 1. gss demo --scale N.
      context.log(`hr: ${engine}: gss demo --scale ${employees.toLocaleString('en-GB')}`)
      let scaleSeconds: number
      let growSeconds: number
      if (target.engine === 'postgres') {
        const url = t.config.databaseUrl!
        const { ms, stdout, stderr } = await runCli(['demo', '--scale', String(employees)], {
          DATABASE_URL: url,
          NODE_ENV: 'production',
          GSS_LOG_LEVEL: 'warn',
        })
        scaleSeconds = ms / 1000
        // The command's progress (each step and its time) goes to stderr.
        for (const line of stderr.split('\n').filter((l) => l.trim()))
          context.log(`hr: ${engine}: ${line.trim()}`)
        const reported = /Added (\d+) synthetic employees in (\d+) ms/.exec(stdout)
        if (!reported || Number(reported[1]) !== employees)
          throw new Error(`gss demo --scale did not report adding ${employees}: ${stdout.slice(0, 300)}`)
        growSeconds = Number(reported[2]) / 1000
      } else {
        const started = performance.now()
        await growDemo(t.db, employees)
        scaleSeconds = growSeconds = (performance.now() - started) / 1000
      }
      const allRows = sql.raw(TABLES.map((table) => `(select count(*) from ${table})`).join(' + '))
      const { rows: counts } = await sql<{ employments: number; rows: number }>`
        select (select count(*)::int from employments where employee_number like 'SYN%') as employments,
          (${allRows})::bigint as rows`.execute(t.db.admin)
      if (counts[0]!.employments !== employees)
        throw new Error(`expected ${employees} synthetic employments, found ${counts[0]!.employments}`)
      context.meta.hrEmployees = { ...(context.meta.hrEmployees as object), [engine]: employees }
      context.meta.hrRowsWritten = {
        ...(context.meta.hrRowsWritten as object),
        [engine]: Number(counts[0]!.rows),
      }

      const copySeconds =
        target.engine === 'postgres' ? await rawCopySeconds(t.config.databaseUrl!, context.log) : undefined
      rows.push({
        benchmark: 'hr',
        scenario: `gss demo --scale ${employees.toLocaleString('en-GB')}${target.engine === 'postgres' ? ' (command, end to end)' : ' (in-process)'}`,
        engine,
        metric: 'seconds',
        value: Number(scaleSeconds.toFixed(1)),
        unit: 's',
        ...(copySeconds
          ? {
              ratio: Number((scaleSeconds / copySeconds).toFixed(2)),
              ratioOf: 'raw COPY of the same rows, seconds',
            }
          : {}),
      })
      if (target.engine === 'postgres') {
        rows.push({
          benchmark: 'hr',
          scenario: 'of which generating the world (reported by the command)',
          engine,
          metric: 'seconds',
          value: Number(growSeconds.toFixed(1)),
          unit: 's',
        })
        rows.push({
          benchmark: 'hr',
          scenario: 'raw COPY of the same rows',
          engine,
          metric: 'seconds',
          value: Number(copySeconds!.toFixed(1)),
          unit: 's',
        })
      }

      // 2. Headcount as at a date across every employment (all organisations).
      const orgIds = (await t.db.admin.selectFrom('organisations').select('id').execute()).map(
        (org) => org.id,
      )
      const headcount = new HeadcountService()
      const timings: number[] = []
      let counted = 0
      for (let i = 0; i < (context.quick ? 2 : 6); i++) {
        const started = performance.now()
        const report = await t.db.transaction(
          { userId: null, orgIds: 'all', actingOrgId: null, requestId: 'bench' },
          (trx) => headcount.report(trx, orgIds, '2026-03-31'),
        )
        if (i > 0) timings.push(performance.now() - started) // the first run warms the caches
        counted = report.total.headcount
      }
      if (counted < employees * 0.9) throw new Error(`headcount ${counted} is far below ${employees}`)
      const median = [...timings].sort((a, b) => a - b)[Math.floor(timings.length / 2)]!
      rows.push({
        benchmark: 'hr',
        scenario: `headcount and FTE as at a date, ${employees.toLocaleString('en-GB')} employments`,
        engine,
        metric: 'median ms',
        value: Number(median.toFixed(1)),
        unit: 'ms',
      })
    } finally {
      await t.close()
    }
  }
  return rows
}
