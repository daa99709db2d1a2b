// The kill test: `gss payroll run` in a child process against a PostgreSQL server, killed with
// SIGKILL part-way through the calculation, then started again. The run must resume and finish
// with exactly one payslip per employment and totals that agree with the payslips; at the moment
// of the kill the run holds whole committed chunks only. (PostgreSQL server only: an embedded
// PGlite directory belongs to one process at a time.)
import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import '../hr/tables.ts'
import './tables.ts'
import { seedDemo } from '../demo/seed.ts'
import { loadConfig } from '../platform/config.ts'
import { Database } from '../platform/db/index.ts'
import { migrate } from '../platform/db/migrate.ts'
import { orgId } from '../platform/ids.ts'
import { createServerDatabase } from '../platform/testing.ts'
import { addPayrollFixture } from './fixtures.ts'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const serverUrl = process.env.DATABASE_URL
const EMPLOYEES = 6000
const CHUNK = 150

function start(url: string): {
  child: ChildProcess
  done: Promise<{ code: number | null; stdout: string; stderr: string }>
} {
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'bin/gss.js'),
      'payroll',
      'run',
      '--org',
      'cabinet-office',
      '--pay-date',
      '2026-04-24',
      '--chunk-size',
      String(CHUNK),
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk) => (stdout += chunk))
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  )
  return { child, done }
}

describe.skipIf(!serverUrl)('gss payroll run survives kill -9 (PostgreSQL server)', () => {
  let fresh: { url: string; drop: () => Promise<void> }
  let db: Database
  const org = orgId('cabinet-office')

  beforeAll(async () => {
    fresh = await createServerDatabase(serverUrl!, 'gss_kill')
    db = await Database.open(loadConfig({ NODE_ENV: 'test', DATABASE_URL: fresh.url }))
    await migrate(db)
    await seedDemo(db)
    await db.transaction({ userId: null, orgIds: [org], actingOrgId: org, requestId: 'test' }, (trx) =>
      addPayrollFixture(trx, org, { prefix: 'KL', count: EMPLOYEES }),
    )
  }, 240_000)
  afterAll(async () => {
    await db?.close()
    await fresh?.drop()
  })

  const state = async () => {
    const { rows } = await sql<{
      status: string
      progress_done: number
      progress_total: number
      payslips: number
      distinct_payslips: number
      gross: number
      run_gross: number
    }>`
      select r.status, r.progress_done, r.progress_total, r.gross_pence::bigint as run_gross,
        (select count(*)::int from payslips p where p.run_id = r.id) as payslips,
        (select count(distinct employment_id)::int from payslips p where p.run_id = r.id) as distinct_payslips,
        (select coalesce(sum(gross_pence), 0)::bigint from payslips p where p.run_id = r.id) as gross
      from pay_runs r where r.org_id = ${org}`.execute(db.admin)
    return rows[0]
  }

  test('killed mid-run, then run again: resumes and finishes consistently', async () => {
    const first = start(fresh.url)
    // Kill as soon as some, but not all, chunks are committed.
    for (let i = 0; i < 2400; i++) {
      const now = await state()
      if (now && now.progress_done >= CHUNK * 2) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    first.child.kill('SIGKILL')
    const killed = await first.done
    expect(killed.code).toBeNull()
    const after = (await state())!
    expect(after.status).toBe('calculating')
    expect(after.progress_done).toBeGreaterThan(0)
    expect(after.progress_done).toBeLessThan(after.progress_total)
    // Whole chunks only, and the run's figures match its payslips exactly.
    expect(after.payslips).toBe(after.progress_done)
    expect(after.progress_done % CHUNK).toBe(0)
    expect(Number(after.gross)).toBe(Number(after.run_gross))

    const second = start(fresh.url)
    const finished = await second.done
    expect(finished.stderr).toContain('Resuming pay run')
    expect(finished.code).toBe(0)
    expect(finished.stdout).toMatch(/: calculated, \d+ paid/)
    const end = (await state())!
    expect(end.status).toBe('calculated')
    expect(end.payslips).toBe(end.progress_total)
    expect(end.distinct_payslips).toBe(end.payslips)
    expect(end.payslips).toBeGreaterThanOrEqual(EMPLOYEES)
    expect(Number(end.gross)).toBe(Number(end.run_gross))
  }, 240_000)
})
