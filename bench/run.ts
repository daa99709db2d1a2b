// `npm run bench`: runs every benchmark in bench/ (files named *.bench.ts), prints a table and
// writes the results, with a description of the machine, to bench/results/latest.json and a
// timestamped copy. See docs/PERFORMANCE.md.
//
//   npm run bench                      full run (about 10 s measured per scenario per engine)
//   npm run bench -- --quick           smoke run (2 s per scenario): checks the harness, not the numbers
//   npm run bench -- --only directory  only the named benchmark(s), comma-separated
//   npm run bench -- --engine pglite   one engine (pglite, postgres or all; default all)
//   GSS_BENCH_HR_EMPLOYEES=50000 npm run bench -- --only hr
//                                      the HR benchmark at a smaller world (default 500,000 on PostgreSQL)
//   npm run bench -- --only ledger --engine postgres --ledger-lines 1m,10m,50m
//                                      the ledger's trial balance at 1, 10 and 50 million lines
//
// PostgreSQL: the server at GSS_BENCH_DATABASE_URL, else DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres. Each run creates its own database and drops it.
// With --engine all an unreachable server is skipped with a warning; with --engine postgres it fails.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { probePostgres, ROOT_DIR, stopAll } from './lib/processes.ts'
import type { BenchContext, BenchmarkModule, BenchOptions, EngineTarget, ResultRow } from './lib/types.ts'

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

const USAGE = `Usage: npm run bench -- [options]

  --only <names>        run only these benchmarks (comma-separated file names without .bench.ts)
  --quick               short smoke run: 2 s per scenario, no warm-up, one round
  --engine <engine>     pglite, postgres or all (default all; all skips an unreachable PostgreSQL)
  --duration <seconds>  seconds measured per scenario per engine (default 10)
  --warmup <seconds>    seconds of unmeasured load per scenario first (default 3; 0 for none)
  --rounds <n>          split each measurement into n interleaved rounds (default 5)
  --connections <n>     concurrent connections of the load generator (default 10)
  --ledger-lines <list> ledger sizes (journal lines) for the ledger benchmark's trial balance on
                        PostgreSQL, comma-separated, with k or m for thousands or millions
                        (default 1m,10m; --quick 100k; 50m needs about 15 GB of disk)
  --out <dir>           where to write results (default bench/results)
  --help                show this
`

interface Summary {
  schema: 1
  ok: boolean
  date: string
  options: BenchOptions & { only: string[] | null; engines: string[] }
  machine: ReturnType<typeof machineInfo>
  git: { commit: string | null; dirty: boolean | null }
  skipped: Array<{ engine: string; reason: string }>
  benchmarks: Array<{
    name: string
    description: string
    ok: boolean
    seconds: number
    error?: string
    meta: Record<string, unknown>
  }>
  results: ResultRow[]
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`)
  process.exit(2)
}

function positive(value: string | undefined, name: string, fallback: number, zeroAllowed = false): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!Number.isFinite(number) || number < 0 || (number === 0 && !zeroAllowed)) {
    fail(`--${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number, not "${value}"`)
  }
  return number
}

/** "1m,10m,50m" or "100k,1000000": ascending line counts. */
function lineCounts(value: string): number[] {
  const counts = value.split(',').map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$/i.exec(part)
    const count = match
      ? Math.round(Number(match[1]) * ({ k: 1e3, m: 1e6 }[match[2]!.toLowerCase()] ?? 1))
      : NaN
    if (!Number.isSafeInteger(count) || count <= 0)
      fail(`--ledger-lines takes counts like 1m,10m,50m, not "${value}"`)
    return count
  })
  return counts.sort((a, b) => a - b)
}

function machineInfo() {
  let osName = `${os.type()} ${os.release()}`
  try {
    const release = fs.readFileSync('/etc/os-release', 'utf8')
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(release)?.[1]
    if (pretty) osName = `${pretty} (${os.type()} ${os.release()})`
  } catch {
    // not Linux: os.type() and release() will do
  }
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: osName,
    arch: os.arch(),
    /** 1, 5 and 15-minute load averages: above the core count, other work competed with the benchmark. */
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100),
    loadAverageAtEnd: [] as number[],
  }
}

function gitInfo(): Summary['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: ROOT_DIR,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
    const status = execFileSync('git', ['status', '--porcelain'], {
      cwd: ROOT_DIR,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    return { commit, dirty: status.trim().length > 0 }
  } catch {
    return { commit: null, dirty: null }
  }
}

function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value)
  const digits = unit === 'ms' ? 2 : unit === 'MiB' ? 1 : 0
  return value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** Three significant figures: 0.0712, 0.236, 14.1. */
function formatRatio(value: number): string {
  return value.toPrecision(3)
}

function printTable(rows: ResultRow[]): void {
  const header = ['name', 'engine', 'metric', 'value', 'unit', 'ratio']
  const body = rows.map((row) => [
    `${row.benchmark}/${row.scenario}`,
    row.engine,
    row.metric,
    formatValue(row.value, row.unit),
    row.unit,
    row.ratio === undefined
      ? ''
      : row.ratioRange && row.ratioRange[0] !== row.ratioRange[1]
        ? `${formatRatio(row.ratio)} (${formatRatio(row.ratioRange[0])}–${formatRatio(row.ratioRange[1])})`
        : formatRatio(row.ratio),
  ])
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]!.length)),
  )
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 3 || column === 5 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
  const out = [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)]
  const legends = [...new Set(rows.filter((row) => row.ratioOf).map((row) => row.ratioOf))]
  for (const legend of legends) out.push(`ratio: value ÷ ${legend}; in brackets the lowest and highest round`)
  process.stdout.write(`${out.join('\n')}\n`)
}

async function resolveEngines(
  choice: string,
): Promise<{ engines: EngineTarget[]; skipped: Summary['skipped']; postgresVersion?: string }> {
  if (!['pglite', 'postgres', 'all'].includes(choice))
    fail(`--engine must be pglite, postgres or all, not "${choice}"`)
  const engines: EngineTarget[] = []
  const skipped: Summary['skipped'] = []
  let postgresVersion: string | undefined
  if (choice !== 'postgres') engines.push({ engine: 'pglite' })
  if (choice !== 'pglite') {
    const serverUrl = process.env.GSS_BENCH_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_POSTGRES_URL
    const where = new URL(serverUrl)
    const probe = await probePostgres(serverUrl)
    if (probe.ok) {
      engines.push({ engine: 'postgres', serverUrl })
      postgresVersion = probe.version
    } else if (choice === 'postgres') {
      fail(
        `PostgreSQL at ${where.host}${where.pathname} cannot be reached (${probe.reason}); set GSS_BENCH_DATABASE_URL`,
      )
    } else {
      const reason = `PostgreSQL at ${where.host}${where.pathname} cannot be reached (${probe.reason}); set GSS_BENCH_DATABASE_URL`
      process.stderr.write(`bench: WARNING: skipping postgres: ${reason}\n`)
      skipped.push({ engine: 'postgres', reason })
    }
  }
  return { engines, skipped, ...(postgresVersion ? { postgresVersion } : {}) }
}

/** Set on Ctrl-C: the run is abandoned and writes no results (latest.json keeps the last complete run). */
let interrupted = false

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      engine: { type: 'string', default: 'all' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      'ledger-lines': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const quick = values.quick
  const options: BenchOptions = {
    quick,
    durationSec: positive(values.duration, 'duration', quick ? 2 : 10),
    warmupSec: positive(values.warmup, 'warmup', quick ? 0 : 3, true),
    rounds: Math.round(positive(values.rounds, 'rounds', quick ? 1 : 5)),
    connections: Math.round(positive(values.connections, 'connections', 10)),
    ...(values['ledger-lines'] ? { ledgerLines: lineCounts(values['ledger-lines']) } : {}),
  }
  const outDir = path.resolve(values.out ?? path.join(BENCH_DIR, 'results'))

  const available = fs
    .readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.bench.ts'))
    .map((file) => file.replace(/\.bench\.ts$/, ''))
    .sort()
  const only = values.only
    ? values.only
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean)
    : null
  const unknown = (only ?? []).filter((name) => !available.includes(name))
  if (unknown.length > 0) fail(`no benchmark named ${unknown.join(', ')}; there are: ${available.join(', ')}`)
  const selected = only ? available.filter((name) => only.includes(name)) : available

  const log = (line: string) => process.stderr.write(`${line}\n`)
  const { engines, skipped, postgresVersion } = await resolveEngines(values.engine)
  const summary: Summary = {
    schema: 1,
    ok: true,
    date: new Date().toISOString(),
    options: { ...options, only, engines: engines.map((target) => target.engine) },
    machine: machineInfo(),
    git: gitInfo(),
    skipped,
    benchmarks: [],
    results: [],
  }
  log(
    `bench: ${selected.join(', ')} on ${engines.map((target) => target.engine).join(' and ')}` +
      `${quick ? ' (quick)' : ''}: ${options.durationSec} s measured per scenario per engine in ${options.rounds} round(s), ` +
      `${options.warmupSec} s warm-up, ${options.connections} connections`,
  )

  for (const name of selected) {
    const module = (await import(
      pathToFileURL(path.join(BENCH_DIR, `${name}.bench.ts`)).href
    )) as BenchmarkModule
    const meta: Record<string, unknown> = postgresVersion ? { postgresVersion } : {}
    const context: BenchContext = { ...options, engines, log, meta }
    const started = performance.now()
    const record: Summary['benchmarks'][number] = {
      name,
      description: module.description,
      ok: true,
      seconds: 0,
      meta,
    }
    try {
      const rows = await module.default(context)
      summary.results.push(...rows)
    } catch (error) {
      record.ok = false
      record.error = error instanceof Error ? error.message : String(error)
      summary.ok = false
      if (interrupted) break
      process.stderr.write(`\nbench: FAILED ${name}: ${record.error}\n\n`)
    }
    record.seconds = Math.round((performance.now() - started) / 100) / 10
    summary.benchmarks.push(record)
  }

  if (interrupted) return 130
  summary.machine.loadAverageAtEnd = os.loadavg().map((load) => Math.round(load * 100) / 100)
  printTable(summary.results)
  fs.mkdirSync(outDir, { recursive: true })
  const json = `${JSON.stringify(summary, null, 2)}\n`
  const stamped = path.join(outDir, `${summary.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`)
  fs.writeFileSync(stamped, json)
  fs.writeFileSync(path.join(outDir, 'latest.json'), json)
  log(
    `bench: wrote ${path.relative(process.cwd(), path.join(outDir, 'latest.json'))} and ${path.relative(process.cwd(), stamped)}`,
  )
  if (!summary.ok) log('bench: FAILED: see the errors above; the results file records them too.')
  return summary.ok ? 0 : 1
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130)
    interrupted = true
    process.stderr.write(`\nbench: ${signal}: stopping servers and dropping bench databases\n`)
    void stopAll().finally(() => process.exit(130))
  })
}

main()
  .then(async (code) => {
    await stopAll()
    process.exitCode = code
  })
  .catch(async (error: unknown) => {
    await stopAll()
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
    process.exitCode = 1
  })
