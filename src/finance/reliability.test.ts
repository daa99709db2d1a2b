// Reliability of finance writes. A process killed (kill -9) in the middle of a large journal import
// or a payment run leaves nothing half-written, and the payment run retried through the API with
// the same Idempotency-Key makes one run, one file and one set of payments. The kill needs a
// database server the child process can share, so this runs on PostgreSQL (DATABASE_URL) only;
// the retry and a property test of imports run on both engines.
import { spawn } from 'node:child_process'
import path from 'node:path'
import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TenantContext } from '../platform/db/index.ts'
import { orgId, uuidFromName } from '../platform/ids.ts'
import { createTestApp, type TestApp } from '../platform/testing.ts'
import { fiscalPeriodOf, periodDates } from './chart.ts'
import { ImportError, importJournalCsv } from './journal-import.ts'
import { addDays, todayIso } from './payables/invoices.ts'
import { nextWeekday } from './payables/payment-runs.ts'

const CO = orgId('cabinet-office')
const CHILD = path.join(import.meta.dirname, 'testing', 'kill-child.ts')
const today = todayIso()
const { fiscalYear: THIS_YEAR, period: THIS_PERIOD } = fiscalPeriodOf(today)
let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => t?.close())

/** Runs the child until it reports everything written (uncommitted), then kills it with SIGKILL. */
function killMidway(args: string[]): Promise<{ said: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], {
      env: { ...process.env, DATABASE_URL: t.config.databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let said = ''
    let stderr = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the child never reported progress: ${stderr}`))
    }, 120_000)
    child.stdout.on('data', (chunk: Buffer) => {
      said += chunk.toString()
      if (said.includes('written')) child.kill('SIGKILL')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal !== 'SIGKILL') reject(new Error(`the child exited by itself (${code}): ${stderr}`))
      else resolve({ said, signal })
    })
  })
}

const counts = async () => {
  const { rows } = await sql<{
    journals: number
    lines: number
    balance_lines: number
    runs: number
    payments: number
  }>`
    select (select count(*)::int from journals where org_id = ${CO}) as journals,
      (select count(*)::int from journal_lines where org_id = ${CO}) as lines,
      (select coalesce(sum(line_count), 0)::int from ledger_balances where org_id = ${CO}) as balance_lines,
      (select count(*)::int from payment_runs where org_id = ${CO}) as runs,
      (select count(*)::int from payment_run_payments where org_id = ${CO}) as payments`.execute(t.db.admin)
  return rows[0]!
}

describe.skipIf(!process.env.DATABASE_URL)('a process killed mid-way (PostgreSQL)', () => {
  test('a large journal import leaves no journal, line or balance behind', { timeout: 180_000 }, async () => {
    const before = await counts()
    const { said } = await killMidway(['import', today])
    // It had posted 5,000 journals in its transaction before it died.
    expect(said).toContain('written 5000')
    expect(await counts()).toEqual(before)
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from journals where description like 'KILLTEST%'`.execute(t.db.admin)
    expect(rows[0]!.n).toBe(0)
  })

  test('a payment run leaves no run, file, payment or journal, and its invoices still to pay', {
    timeout: 180_000,
  }, async () => {
    const before = await counts()
    const approvedBefore = await t.db.admin
      .selectFrom('supplier_invoices')
      .select('id')
      .where('org_id', '=', CO)
      .where('status', '=', 'approved')
      .execute()
    expect(approvedBefore.length).toBeGreaterThan(0)
    const payDate = nextWeekday(addDays(today, 1))
    const { said } = await killMidway(['payment-run', today, payDate])
    expect(said).toMatch(/written [1-9]/)
    expect(await counts()).toEqual(before)
    const approvedAfter = await t.db.admin
      .selectFrom('supplier_invoices')
      .select('id')
      .where('org_id', '=', CO)
      .where('status', '=', 'approved')
      .execute()
    expect(approvedAfter).toEqual(approvedBefore)
  })
})

describe('a payment run retried through the API', () => {
  test('the same Idempotency-Key gives one run, one file and one set of payments', async () => {
    const userId = uuidFromName('user:finance.approver@gss.example')
    const { token } = await t.services.auth.createToken(
      { userId, orgIds: [CO], actingOrgId: CO, requestId: 'test' },
      {
        userId,
        orgId: CO,
        roles: ['finance_approver'],
        name: 'test',
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    )
    const before = await counts()
    const payDate = nextWeekday(addDays(today, 1))
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs/cabinet-office/payment-runs',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'kill-run' },
        payload: { dueBy: today, payDate },
      })
    // Concurrent retries, as a client that timed out and tried again would send them: each gets
    // the one run back (the platform replays the first response), or 409 while it is in flight.
    const responses = await Promise.all([send(), send(), send()])
    const statuses = responses.map((response) => response.statusCode)
    expect(
      statuses.every((status) => [200, 201, 409].includes(status)),
      String(statuses),
    ).toBe(true)
    const answered = responses.filter((response) => response.statusCode !== 409)
    expect(answered.length).toBeGreaterThan(0)
    expect(new Set(answered.map((response) => response.json().id)).size).toBe(1)
    const run = answered[0]!.json()
    const after = await counts()
    expect(after.runs).toBe(before.runs + 1)
    expect(after.payments).toBe(before.payments + run.paymentCount)
    expect(after.journals).toBe(before.journals + 1)
    const file = () =>
      t.app.inject({
        method: 'GET',
        url: `/api/v1/orgs/cabinet-office/payment-runs/${run.id}/pain001`,
        headers: { authorization: `Bearer ${token}` },
      })
    const [first, second] = [await file(), await file()]
    expect(first.body).toBe(second.body)
    expect(first.body.match(/<CdtTrfTxInf>/g)).toHaveLength(run.paymentCount)
    const later = await send()
    expect([200, 201]).toContain(later.statusCode)
    expect(later.json()).toEqual(run)
    // Another approver's client retrying with the same key (the platform's key store is per caller,
    // so this reaches the service): the service finds the run by its key and returns it.
    const adminId = uuidFromName('user:platform.admin@gss.example')
    const { token: adminToken } = await t.services.auth.createToken(
      { userId: adminId, orgIds: [CO], actingOrgId: CO, requestId: 'test' },
      {
        userId: adminId,
        orgId: CO,
        roles: ['platform_admin'],
        name: 'test',
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    )
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/payment-runs',
      headers: { authorization: `Bearer ${adminToken}`, 'idempotency-key': 'kill-run' },
      payload: { dueBy: today, payDate },
    })
    expect(other.statusCode).toBe(200)
    expect(other.json()).toEqual(run)
    expect(await counts()).toEqual(after)
  })
})

describe('properties', () => {
  test('random imports, bad files and period closes keep the trial balance at zero and post nothing into a closed period', async () => {
    const as: TenantContext = {
      userId: uuidFromName('user:finance.clerk@gss.example'),
      orgIds: [CO],
      actingOrgId: CO,
      requestId: 'property',
    }
    // Periods of this year from the current one on stay open for the other tests; earlier ones may close.
    const closable = Array.from({ length: THIS_PERIOD - 1 }, (_, i) => i + 1)
    const periodOf = (month: number) => ((month - 1) % 12) + 1
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('import' as const),
        journals: fc.array(
          fc.record({
            month: fc.integer({ min: 1, max: 12 }),
            pence: fc.integer({ min: 1, max: 100_000_000 }),
            account: fc.constantFrom('52100000', '52200000', '13400000', '41100000'),
            // Now and then a bad row: the whole file must then post nothing.
            bad: fc.constantFrom(false, false, false, false, true),
          }),
          { minLength: 1, maxLength: 6 },
        ),
      }),
      fc.record({
        kind: fc.constant('close' as const),
        month: fc.constantFrom(...(closable.length ? closable : [0])),
      }),
    )
    const closed = new Set<number>()
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 8 }), async (steps) => {
        for (const item of steps) {
          if (item.kind === 'close') {
            if (item.month === 0 || closed.has(item.month)) continue
            await t.db.transaction(as, (trx) =>
              t.services.ledger.setPeriodStatus(trx, CO, THIS_YEAR, item.month, 'closed'),
            )
            closed.add(item.month)
            continue
          }
          const rows = ['journal,date,description,account,debit,credit']
          item.journals.forEach((journal, n) => {
            const date = periodDates(THIS_YEAR, periodOf(journal.month)).startsOn
            const amount = (journal.pence / 100).toFixed(2)
            rows.push(
              `P${n},${journal.bad ? 'not-a-date' : date},Property import,${journal.account},${amount},`,
            )
            rows.push(`P${n},${journal.bad ? 'not-a-date' : date},Property import,29900000,,${amount}`)
          })
          const counted = await counts()
          const hitsClosed = item.journals.some((journal) => closed.has(periodOf(journal.month)))
          const hasBad = item.journals.some((journal) => journal.bad)
          try {
            await t.db.transaction(as, (trx) =>
              importJournalCsv(trx, t.services.ledger, CO, rows.join('\n'), null),
            )
            expect(hasBad || hitsClosed).toBe(false)
            expect((await counts()).journals).toBe(counted.journals + item.journals.length)
          } catch (error) {
            expect(hasBad || hitsClosed, String(error)).toBe(true)
            if (hasBad) expect(error).toBeInstanceOf(ImportError)
            expect(await counts()).toEqual(counted)
          }
        }
        const tb = await t.db.transaction(as, (trx) => t.services.ledger.trialBalance(trx, CO, THIS_YEAR, 12))
        expect(tb.totalDebitPence).toBe(tb.totalCreditPence)
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from journals j join financial_periods p
            on p.org_id = j.org_id and p.fiscal_year = j.fiscal_year and p.period = j.period
          where j.org_id = ${CO} and p.status <> 'open' and j.posted_at > p.status_changed_at`.execute(
          t.db.admin,
        )
        expect(rows[0]!.n).toBe(0)
      }),
      { numRuns: 12 },
    )
  })
})
