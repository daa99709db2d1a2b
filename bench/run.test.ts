// Keeps the benchmark harness from rotting: `npm run bench -- --quick` end to end (a real server
// process, a real load-generator process) on PGlite, or on the PostgreSQL server when DATABASE_URL
// is set (as for the rest of the suite), then checks the results file is there and sane. The
// figures are not asserted beyond sanity: performance is judged from `npm run bench`, not tests.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { summarise } from './lib/stats.ts'
import type { ResultRow } from './lib/types.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** Node 24 (type stripping): the one running the tests if it can, else the `node` devDependency. */
const NODE = process.features.typescript ? process.execPath : path.join(ROOT, 'node_modules/.bin/node')
const ENGINE = process.env.DATABASE_URL ? 'postgres' : 'pglite'
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gss-bench-test-'))
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }))

function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, ['bench/run.ts', ...args], { cwd: ROOT, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
    })
  })
}

describe('npm run bench', () => {
  // The harness, through the directory benchmark: running every benchmark (ledger, HR, payroll,
  // procurement, webhooks) takes minutes even in --quick mode, which is `npm run bench`'s job.
  test(`--quick runs a benchmark on ${ENGINE} and writes sane results`, async () => {
    const { code, stdout, stderr } = await bench([
      '--quick',
      '--only',
      'directory',
      '--engine',
      ENGINE,
      '--out',
      outDir,
    ])
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/name\s+engine\s+metric\s+value\s+unit\s+ratio/)

    const files = fs.readdirSync(outDir)
    expect(files).toContain('latest.json')
    expect(files.some((file) => /^\d{4}-\d{2}-\d{2}T.*-quick\.json$/.test(file))).toBe(true)
    const summary = JSON.parse(fs.readFileSync(path.join(outDir, 'latest.json'), 'utf8'))
    expect(summary.ok).toBe(true)
    expect(summary.options).toMatchObject({ quick: true, engines: [ENGINE] })
    expect(summary.machine.cores).toBeGreaterThan(0)
    expect(summary.machine.memoryGiB).toBeGreaterThan(0)
    expect(summary.machine.cpuModel).toBeTruthy()
    expect(summary.machine.node).toMatch(/^v\d+/)
    expect(summary.machine.os).toBeTruthy()
    expect(Number.isNaN(Date.parse(summary.date))).toBe(false)
    expect(summary.benchmarks.map((b: { name: string }) => b.name)).toContain('directory')

    const rows = summary.results as ResultRow[]
    const value = (scenario: string, metric: string) => {
      const row = rows.find(
        (r) => r.benchmark === 'directory' && r.scenario === scenario && r.metric === metric,
      )
      expect(row, `${scenario} ${metric}`).toBeDefined()
      return row!
    }
    for (const scenario of ['health', 'me', 'directory', 'clusters']) {
      expect(value(scenario, 'throughput').value).toBeGreaterThan(1)
      expect(value(scenario, 'requests').value).toBeGreaterThan(1)
      expect(value(scenario, 'errors + non-2xx').value).toBe(0)
      const [p50, p90, p99, max] = ['p50', 'p90', 'p99', 'max'].map(
        (p) => value(scenario, `latency ${p}`).value,
      )
      expect(p50).toBeGreaterThan(0)
      expect(p50).toBeLessThanOrEqual(p90!)
      expect(p90).toBeLessThanOrEqual(p99!)
      expect(p99).toBeLessThanOrEqual(max!)
      expect(max).toBeLessThan(10_000)
      expect(rows.every((row) => row.engine === ENGINE)).toBe(true)
    }
    // The directory does real work that /health does not: its ratio must be a fraction.
    const ratio = value('directory', 'throughput').ratio
    expect(ratio).toBeGreaterThan(0)
    expect(ratio).toBeLessThan(1)
    // CPU per request comes from /proc, so only on Linux; a directory request costs more than /health.
    const cpu = rows.find((r) => r.scenario === 'directory' && r.metric === 'CPU per request')
    if (process.platform === 'linux') expect(cpu?.ratio).toBeGreaterThan(1)
    expect(value('directory:list', 'throughput').value).toBeGreaterThan(0)
    expect(value('directory:detail', 'throughput').value).toBeGreaterThan(0)
  }, 90_000)

  test('an unknown benchmark name is refused before anything starts', async () => {
    const { code, stderr } = await bench(['--only', 'no-such-bench', '--out', outDir])
    expect(code).toBe(2)
    expect(stderr).toContain('no benchmark named no-such-bench')
  })
})

describe('summarise', () => {
  test('nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i)
    expect(summarise(values)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 })
    expect(summarise([7])).toMatchObject({ p50: 7, p99: 7, max: 7 })
  })
})
