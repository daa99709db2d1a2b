import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import '../finance/tables.ts'
import '../hr/tables.ts'
import './tables.ts'
import { LedgerService } from '../finance/ledger.ts'
import type { TenantContext } from '../platform/db/index.ts'
import { orgId, uuidFromName } from '../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { addPayrollFixture, fixtureEmploymentId } from './fixtures.ts'
import { PayRunService } from './runs.ts'

let t: TestDatabase
const org = orgId('cabinet-office')
const officer = uuidFromName('user:payroll.officer@gss.example')
const approver = uuidFromName('user:payroll.approver@gss.example')
const as = (userId: string | null): TenantContext => ({
  userId,
  orgIds: [org],
  actingOrgId: org,
  requestId: 'test',
})
const runs = new PayRunService(new LedgerService())

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  await t.db.transaction(as(officer), async (trx) => {
    await addPayrollFixture(trx, org, { prefix: 'TA', count: 40 })
    // Exceptions: a bad tax code, an NI letter that does not exist, no bank details.
    await sql`update tax_codes set tax_code = 'XYZ' where employment_id = ${fixtureEmploymentId('TA', 3)}::uuid`.execute(
      trx,
    )
    await sql`update payroll_details set ni_category = 'Q' where employment_id = ${fixtureEmploymentId('TA', 4)}::uuid`.execute(
      trx,
    )
    await sql`update payroll_details set bank_sort_code = null, bank_account_number = null
      where employment_id = ${fixtureEmploymentId('TA', 6)}::uuid`.execute(trx)
    // A starter on 16 April: 15 of 30 days.
    const starter = fixtureEmploymentId('TA', 8)
    await sql`update employments set start_date = '2026-04-16', continuous_service_date = '2026-04-16' where id = ${starter}::uuid`.execute(
      trx,
    )
    await sql`update employment_terms set valid_from = '2026-04-16', annual_salary_pence = 3600000, fte = 1 where employment_id = ${starter}::uuid`.execute(
      trx,
    )
    await sql`update tax_codes set valid_from = '2026-04-16' where employment_id = ${starter}::uuid`.execute(
      trx,
    )
    // An allowance and a one-off for employee 9.
    await sql`insert into pay_items (org_id, id, employment_id, kind, description, amount_pence, pensionable, paid_from, paid_to)
      values (${org}, gen_random_uuid(), ${fixtureEmploymentId('TA', 9)}::uuid, 'allowance', 'London weighting', 25000, true, '2026-04-01', null),
             (${org}, gen_random_uuid(), ${fixtureEmploymentId('TA', 9)}::uuid, 'one-off', 'Bonus', 50000, false, '2026-04-15', '2026-04-15')`.execute(
      trx,
    )
  })
}, 120_000)
afterAll(async () => t?.close())

describe('a monthly pay run', () => {
  let runId: string

  test('is created for the tax month of its pay day', async () => {
    const run = await t.db.transaction(as(officer), (trx) =>
      runs.create(trx, org, { payFrequency: 'monthly', payDate: '2026-04-24' }, officer),
    )
    expect(run).toMatchObject({
      taxYear: '2026-27',
      period: 1,
      periodStart: '2026-04-01',
      periodEnd: '2026-04-30',
      status: 'draft',
    })
    runId = run.id
    await expect(
      t.db.transaction(as(officer), (trx) =>
        runs.create(trx, org, { payFrequency: 'monthly', payDate: '2026-04-28' }, officer),
      ),
    ).rejects.toThrow(/already a monthly pay run/)
  })

  test('a calculation killed after its first chunk resumes without doubling anything', async () => {
    const progress: number[] = []
    await expect(
      runs.calculate(t.db, as(officer), org, runId, {
        chunkSize: 7,
        onProgress: (done) => {
          progress.push(done)
          throw new Error('killed')
        },
      }),
    ).rejects.toThrow('killed')
    const half = await t.db.transaction(as(officer), (trx) => runs.get(trx, org, runId))
    expect(half).toMatchObject({ status: 'calculating', progressDone: 7 })
    const run = await runs.calculate(t.db, as(officer), org, runId, {
      chunkSize: 7,
      onProgress: (done) => progress.push(done),
    })
    // 40 fixture employments plus whatever the demo world holds for the organisation, in chunks of 7.
    expect(progress[0]).toBe(7)
    for (let i = 1; i < progress.length - 1; i++) expect(progress[i]! - progress[i - 1]!).toBe(7)
    expect(progress.at(-1)).toBe(run.progressTotal)
    expect(run.progressTotal).toBeGreaterThanOrEqual(40)
    expect(run.status).toBe('calculated')
    expect(run.progressDone).toBe(run.progressTotal)
    const counts = await t.db.transaction(as(officer), async (trx) => {
      const { rows } = await sql<{ n: number; distinct_n: number }>`select count(*)::int as n,
        count(distinct employment_id)::int as distinct_n from payslips where run_id = ${runId}::uuid`.execute(
        trx,
      )
      return rows[0]!
    })
    expect(counts.n).toBe(run.progressTotal)
    expect(counts.distinct_n).toBe(counts.n)
  })

  test('every employee in error is reported with a clear reason and gets no pay', async () => {
    const exceptions = await t.db.transaction(as(officer), async (trx) => {
      const { rows } = await sql<{ employee_number: string; error: string; net_pence: number }>`
        select employee_number, error, net_pence from payslips where run_id = ${runId}::uuid and status = 'error' and employee_number like 'TA%'
        order by employee_number`.execute(trx)
      return rows
    })
    expect(exceptions).toEqual([
      { employee_number: 'TA3', error: expect.stringContaining('"XYZ" is not a tax code'), net_pence: 0 },
      { employee_number: 'TA4', error: expect.stringContaining('NI category letter "Q"'), net_pence: 0 },
      { employee_number: 'TA6', error: 'No bank details: net pay cannot be paid', net_pence: 0 },
    ])
  })

  test('a starter is paid for the days employed, and elements are included', async () => {
    const slips = await t.db.transaction(as(officer), async (trx) => {
      const { rows } = await sql<{
        employee_number: string
        basic_pence: number
        gross_pence: number
        days_paid: number
      }>`
        select employee_number, basic_pence, gross_pence, days_paid from payslips
        where run_id = ${runId}::uuid and employee_number in ('TA8', 'TA9') order by employee_number`.execute(
        trx,
      )
      return rows
    })
    // £36,000 / 12 = £3,000 x 15/30 days.
    expect(slips[0]).toMatchObject({ employee_number: 'TA8', basic_pence: 150_000, days_paid: 15 })
    expect(slips[1]!.gross_pence - slips[1]!.basic_pence).toBe(75_000)
  })

  test('approval needs review first, and someone other than the calculator', async () => {
    await expect(
      t.db.transaction(as(approver), (trx) => runs.approve(trx, org, runId, approver)),
    ).rejects.toThrow(/Only a reviewed pay run/)
    const calculated = await t.db.transaction(as(officer), (trx) => runs.get(trx, org, runId))
    await expect(
      t.db.transaction(as(officer), (trx) => runs.review(trx, org, runId, officer, 0)),
    ).rejects.toThrow(/Confirm you have checked all/)
    await t.db.transaction(as(officer), (trx) =>
      runs.review(trx, org, runId, officer, calculated.exceptionCount),
    )
    await expect(
      t.db.transaction(as(officer), (trx) => runs.approve(trx, org, runId, officer)),
    ).rejects.toThrow(/someone other than the person who calculated/)
    const run = await t.db.transaction(as(approver), (trx) => runs.approve(trx, org, runId, approver))
    expect(run.status).toBe('approved')
    expect(run.journalId).toBeTruthy()
    const lines = await t.db.transaction(as(approver), async (trx) => {
      const { rows } = await sql<{ account_code: string; total: number }>`
        select account_code, sum(amount_pence)::bigint as total from journal_lines
        where journal_id = ${run.journalId}::uuid group by account_code order by account_code`.execute(trx)
      return rows
    })
    const byAccount = Object.fromEntries(lines.map((row) => [row.account_code, Number(row.total)]))
    expect(Object.values(byAccount).reduce((a, b) => a + b, 0)).toBe(0)
    expect(byAccount['51100000']).toBe(run.grossPence)
    expect(byAccount['22300000']).toBe(-run.netPence)
    // Approved payslips are final, even for the table owner.
    await expect(sql`delete from payslips where run_id = ${runId}::uuid`.execute(t.db.admin)).rejects.toThrow(
      /approved pay run/,
    )
  })

  test('paid then locked; nothing moves backwards', async () => {
    await expect(t.db.transaction(as(officer), (trx) => runs.lock(trx, org, runId))).rejects.toThrow(
      /Only a paid/,
    )
    await t.db.transaction(as(approver), (trx) => runs.markPaid(trx, org, runId, approver))
    const run = await t.db.transaction(as(approver), (trx) => runs.lock(trx, org, runId))
    expect(run.status).toBe('locked')
    await expect(runs.calculate(t.db, as(officer), org, runId)).rejects.toThrow(
      /locked: it can no longer be calculated/,
    )
  })

  test('the next month uses the year to date of the locked run', async () => {
    const next = await t.db.transaction(as(officer), (trx) =>
      runs.create(trx, org, { payFrequency: 'monthly', payDate: '2026-05-29' }, officer),
    )
    await runs.calculate(t.db, as(officer), org, next.id)
    const rows = await t.db.transaction(as(officer), async (trx) => {
      const { rows } = await sql<{
        run_id: string
        taxable_pence: number
        taxable_to_date_pence: number
        tax_to_date_pence: number
        tax_pence: number
      }>`
        select run_id, taxable_pence, taxable_to_date_pence, tax_to_date_pence, tax_pence from payslips
        where employment_id = ${fixtureEmploymentId('TA', 1)}::uuid order by taxable_to_date_pence`.execute(
        trx,
      )
      return rows
    })
    expect(rows).toHaveLength(2)
    expect(rows[1]!.taxable_to_date_pence).toBe(rows[0]!.taxable_pence + rows[1]!.taxable_pence)
    expect(rows[1]!.tax_to_date_pence).toBe(rows[0]!.tax_pence + rows[1]!.tax_pence)
  })
})
