// A pay run reads HR's sickness and family leave records and pays SSP and SMP on the payslip.
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
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
const as: TenantContext = { userId: officer, orgIds: [org], actingOrgId: org, requestId: 'test' }
const runs = new PayRunService(new LedgerService())
const sickId = fixtureEmploymentId('SX', 10)
const motherId = fixtureEmploymentId('SX', 12)
const lateId = fixtureEmploymentId('SX', 2)

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  await t.db.transaction(as, async (trx) => {
    await addPayrollFixture(trx, org, { prefix: 'SX', count: 12 })
    // Employee 10: off sick Monday 6 to Friday 10 April 2026 (no waiting days from April 2026).
    await sql`insert into sickness_absences (org_id, id, employment_id, start_date, end_date, reason, notified_on)
      values (${org}, gen_random_uuid(), ${sickId}::uuid, '2026-04-06', '2026-04-10', 'Flu', '2026-04-06')`.execute(
      trx,
    )
    // Employee 12: maternity leave from Sunday 19 April 2026, EWC Sunday 3 May 2026, MATB1 received.
    await sql`insert into family_leaves (org_id, id, employment_id, leave_type, expected_week_start, start_date,
        end_date, statutory_pay_weeks, evidence_type, evidence_received_on)
      values (${org}, gen_random_uuid(), ${motherId}::uuid, 'maternity', '2026-05-03', '2026-04-19', '2027-01-16', 39,
        'matb1', '2026-02-01')`.execute(trx)
    // Employee 2: paternity leave but no evidence yet: nothing paid, the payslip says why.
    await sql`insert into family_leaves (org_id, id, employment_id, leave_type, expected_week_start, start_date,
        end_date, statutory_pay_weeks)
      values (${org}, gen_random_uuid(), ${lateId}::uuid, 'paternity', '2026-04-19', '2026-04-20', '2026-05-03', 2)`.execute(
      trx,
    )
  })
}, 120_000)
afterAll(async () => t?.close())

test('SSP and SMP from HR records are pay elements on the payslip, inside occupational pay', async () => {
  const run = await t.db.transaction(as, (trx) =>
    runs.create(trx, org, { payFrequency: 'monthly', payDate: '2026-04-24' }, officer),
  )
  await runs.calculate(t.db, as, org, run.id)
  const slips = await t.db.transaction(as, async (trx) => {
    const { rows } = await sql<{
      employment_id: string
      basic_pence: string
      statutory_pence: string
      gross_pence: string
      lines: Array<{ kind: string; description: string; amountPence: number }>
    }>`select employment_id, basic_pence, statutory_pence, gross_pence, lines from payslips
      where run_id = ${run.id}::uuid and employment_id in (${sickId}::uuid, ${motherId}::uuid, ${lateId}::uuid)`.execute(
      trx,
    )
    return new Map(rows.map((row) => [row.employment_id, row]))
  })
  // Employee 10: £18,791.90 a year; 5 qualifying days at £123.25 a week.
  const sick = slips.get(sickId)!
  expect(Number(sick.statutory_pence)).toBe(123_25)
  expect(Number(sick.gross_pence)).toBe(Math.round(1_879_190 / 12))
  expect(Number(sick.basic_pence)).toBe(Math.round(1_879_190 / 12) - 123_25)
  expect(sick.lines).toContainEqual({
    kind: 'ssp',
    description: 'Statutory sick pay: 5 qualifying days at £123.25 a week',
    amountPence: 123_25,
  })
  // Employee 12: £18,950.28 a year, no earlier payslips, so AWE from contractual pay: £364.428..;
  // 90% = £327.99 (rounded up). April: week 1 (19-25) and 5 days of week 2 (26-30).
  const mother = slips.get(motherId)!
  expect(Number(mother.statutory_pence)).toBe(327_99 + 234_28)
  expect(mother.lines).toContainEqual({
    kind: 'smp',
    description: 'Statutory maternity pay, weeks 1 to 2 of 39 (average earnings from contractual pay)',
    amountPence: 327_99 + 234_28,
  })
  const father = slips.get(lateId)!
  expect(Number(father.statutory_pence)).toBe(0)
  expect(father.lines).toContainEqual(
    expect.objectContaining({
      kind: 'spp',
      amountPence: 0,
      description: expect.stringMatching(/no evidence/),
    }),
  )
}, 120_000)
