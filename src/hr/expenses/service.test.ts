import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { LedgerService } from '../../finance/ledger.ts'
import type { Tx } from '../../platform/db/index.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { addDays, todayIso } from '../absence/dates.ts'
import { createTeam, type Team } from '../absence/test-fixtures.ts'
import { mileageAllowance, taxYearOf } from './mileage.ts'
import { approvedExpensesForPayroll, markExpensesPaid } from './payroll.ts'
import { setPolicyLimit } from './policy.ts'
import { checkPolicy, ExpenseService } from './service.ts'

describe('HMRC approved mileage rates (pure)', () => {
  test('cars: 45p a mile up to 10,000 business miles in the tax year, 25p after', () => {
    expect(mileageAllowance('car', '100', '0', '2026-06-01').amountPence).toBe(4500)
    expect(mileageAllowance('car', '100', '10000', '2026-06-01').amountPence).toBe(2500)
    // A journey crossing the mark is split: 40 miles at 45p and 60 at 25p.
    const crossing = mileageAllowance('car', '100', '9960', '2026-06-01')
    expect(crossing.amountPence).toBe(40 * 45 + 60 * 25)
    expect(crossing.explanation).toBe('40 miles at 45p and 60 miles at 25p')
    // Tenths of a mile, rounded half up to the penny: 12.5 x 45 = 562.5p -> 563p
    expect(mileageAllowance('car', '12.5', '0', '2026-06-01').amountPence).toBe(563)
  })
  test('motorcycles 24p and bicycles 20p a mile, without a threshold', () => {
    expect(mileageAllowance('motorcycle', '100', '20000', '2026-06-01').amountPence).toBe(2400)
    expect(mileageAllowance('bicycle', '10', '0', '2026-06-01').amountPence).toBe(200)
  })
  test('the tax year runs from 6 April', () => {
    expect(taxYearOf('2026-04-05')).toEqual({ start: '2025-04-06', end: '2026-04-05' })
    expect(taxYearOf('2026-04-06')).toEqual({ start: '2026-04-06', end: '2027-04-05' })
  })
})

describe('policy limits (pure)', () => {
  const limits = [
    { category: 'subsistence' as const, limitPence: 2500, per: 'day' as const },
    { category: 'hotel-london' as const, limitPence: 15000, per: 'night' as const },
    { category: 'hotel-elsewhere' as const, limitPence: 10000, per: 'night' as const },
    { category: 'travel' as const, limitPence: 50000, per: 'item' as const },
  ]
  const line = (
    category: 'travel' | 'subsistence' | 'hotel',
    amountPence: number,
    extra: { nights?: number; london?: boolean; expenseDate?: string } = {},
  ) => ({
    expenseDate: extra.expenseDate ?? '2026-11-02',
    category,
    amountPence,
    nights: extra.nights ?? null,
    london: extra.london ?? false,
  })
  test('subsistence is capped per day across lines and other claims', () => {
    expect(checkPolicy([line('subsistence', 1500), line('subsistence', 1000)], limits)).toEqual([])
    const over = checkPolicy([line('subsistence', 1500), line('subsistence', 1001)], limits)
    expect(over).toHaveLength(1)
    expect(over[0]!.field).toBe('/lines/1/amountPence')
    expect(checkPolicy([line('subsistence', 1000)], limits, new Map([['2026-11-02', 2000]]))).toHaveLength(1)
    expect(
      checkPolicy(
        [line('subsistence', 1000, { expenseDate: '2026-11-03' })],
        limits,
        new Map([['2026-11-02', 2000]]),
      ),
    ).toEqual([])
  })
  test('hotels are capped per night, higher in London', () => {
    expect(checkPolicy([line('hotel', 30000, { nights: 2, london: true })], limits)).toEqual([])
    expect(checkPolicy([line('hotel', 30000, { nights: 2 })], limits)[0]!.message).toMatch(/£100.00 a night/)
  })
  test('a journey is capped per item', () => {
    expect(checkPolicy([line('travel', 50001)], limits)).toHaveLength(1)
  })
})

describe('claims in the database', () => {
  let t: TestDatabase
  let team: Team
  const ledger = new LedgerService()
  const expenses = new ExpenseService(ledger)
  const tx = <T>(fn: (trx: Tx) => Promise<T>) => t.db.adminTransaction(fn)
  const today = todayIso()
  const recent = addDays(today, -5)

  beforeAll(async () => {
    t = await createTestDatabase({ seed: true })
    team = await createTeam(t.db)
    await tx(async (trx) => {
      await setPolicyLimit(trx, team.orgId, 'subsistence', 2500)
      await setPolicyLimit(trx, team.orgId, 'hotel-elsewhere', 10000)
    })
  }, 600_000)
  afterAll(async () => t?.close())

  const submitted = async (
    lines: Parameters<ExpenseService['createClaim']>[3]['lines'],
    route: 'payroll' | 'payables' = 'payroll',
  ) =>
    tx(async (trx) => {
      const claim = await expenses.createClaim(
        trx,
        team.orgId,
        team.employee.employmentId,
        { purpose: 'Site visit', paymentRoute: route, lines },
        team.employee.userId,
        today,
      )
      for (const line of claim.lines)
        if (line.category !== 'mileage')
          await expenses.addReceipt(
            trx,
            team.orgId,
            claim.id,
            {
              fileName: 'r.png',
              contentType: 'image/png',
              content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]),
              lineNo: line.lineNo,
            },
            team.employee.userId,
          )
      return expenses.submitClaim(trx, team.orgId, claim.id, today)
    })

  test('car mileage switches to 25p once the tax year’s 10,000 miles are used, across claims', async () => {
    const first = await submitted([
      {
        expenseDate: recent,
        category: 'mileage',
        description: 'Regional visits',
        vehicle: 'car',
        miles: '9990',
      },
    ])
    expect(first.totalPence).toBe(9990 * 45)
    const second = await submitted([
      { expenseDate: recent, category: 'mileage', description: 'More visits', vehicle: 'car', miles: '30' },
      {
        expenseDate: recent,
        category: 'mileage',
        description: 'Bike to station',
        vehicle: 'bicycle',
        miles: '4',
      },
    ])
    // 10 miles at 45p, 20 at 25p; the bicycle has its own rate.
    expect(second.lines.map((l) => l.amountPence)).toEqual([10 * 45 + 20 * 25, 80])
  })

  test('over-policy lines are refused, naming the line, and nothing is saved', async () => {
    const before = await tx((trx) => trx.selectFrom('expense_claims').select('id').execute())
    await expect(
      tx((trx) =>
        expenses.createClaim(
          trx,
          team.orgId,
          team.employee.employmentId,
          {
            purpose: 'Conference',
            lines: [
              {
                expenseDate: recent,
                category: 'hotel',
                description: 'Hotel in Leeds',
                amountPence: 25000,
                nights: 2,
              },
              { expenseDate: recent, category: 'subsistence', description: 'Dinner', amountPence: 2600 },
            ],
          },
          team.employee.userId,
          today,
        ),
      ),
    ).rejects.toMatchObject({
      status: 422,
      fieldErrors: [{ field: '/lines/0/amountPence' }, { field: '/lines/1/amountPence' }],
    })
    const after = await tx((trx) => trx.selectFrom('expense_claims').select('id').execute())
    expect(after).toHaveLength(before.length)
  })

  test('a receipt is needed for each non-mileage line, and must really be a PDF, JPEG or PNG', async () => {
    const claim = await tx((trx) =>
      expenses.createClaim(
        trx,
        team.orgId,
        team.employee.employmentId,
        {
          purpose: 'Meeting',
          lines: [{ expenseDate: recent, category: 'travel', description: 'Taxi', amountPence: 1800 }],
        },
        team.employee.userId,
        today,
      ),
    )
    await expect(tx((trx) => expenses.submitClaim(trx, team.orgId, claim.id, today))).rejects.toMatchObject({
      fieldErrors: [{ field: '/lines/0/receipt' }],
    })
    await expect(
      tx((trx) =>
        expenses.addReceipt(
          trx,
          team.orgId,
          claim.id,
          { fileName: 'x.pdf', contentType: 'application/pdf', content: Buffer.from('<html>'), lineNo: 1 },
          team.employee.userId,
        ),
      ),
    ).rejects.toMatchObject({ fieldErrors: [{ field: '/receipt' }] })
    await expect(
      tx((trx) =>
        expenses.addReceipt(
          trx,
          team.orgId,
          claim.id,
          {
            fileName: 'big.pdf',
            contentType: 'application/pdf',
            content: Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(5 * 1024 * 1024)]),
            lineNo: 1,
          },
          team.employee.userId,
        ),
      ),
    ).rejects.toMatchObject({
      fieldErrors: [{ field: '/receipt', message: 'The receipt must be smaller than 5 MB' }],
    })
  })

  test('approval: never by the claimant; by the manager it posts a balanced journal on the claimant’s cost centre', async () => {
    const claim = await submitted([
      { expenseDate: recent, category: 'travel', description: 'Train', amountPence: 4500 },
      { expenseDate: recent, category: 'subsistence', description: 'Lunch', amountPence: 850 },
    ])
    await expect(
      tx((trx) =>
        expenses.decideClaim(trx, team.orgId, claim.id, 'approve', team.employee.userId, undefined, today),
      ),
    ).rejects.toMatchObject({ status: 403 })
    await expect(
      tx((trx) =>
        expenses.decideClaim(trx, team.orgId, claim.id, 'approve', team.outsider.userId, undefined, today),
      ),
    ).rejects.toMatchObject({ status: 403 })
    // The database refuses it too, even if the code forgot.
    await expect(
      tx((trx) =>
        trx
          .updateTable('expense_claims')
          .set({ status: 'rejected', decided_by: team.employee.userId, decision_note: 'x' })
          .where('id', '=', claim.id)
          .execute(),
      ),
    ).rejects.toThrow()
    const approved = await tx((trx) =>
      expenses.decideClaim(trx, team.orgId, claim.id, 'approve', team.manager.userId, undefined, today),
    )
    expect(approved).toMatchObject({ status: 'approved', costCentreCode: team.costCentreCode })
    const lines = await tx((trx) =>
      trx
        .selectFrom('journal_lines')
        .selectAll()
        .where('org_id', '=', team.orgId)
        .where('journal_id', '=', approved.journalId!)
        .orderBy('line_no')
        .execute(),
    )
    expect(lines.reduce((sum, line) => sum + line.amount_pence, 0)).toBe(0)
    expect(
      lines
        .filter((l) => l.amount_pence > 0)
        .map((l) => [l.account_code, l.cost_centre_code, l.amount_pence]),
    ).toEqual([
      ['52400000', team.costCentreCode, 4500],
      ['52400000', team.costCentreCode, 850],
    ])
    expect(lines.filter((l) => l.amount_pence < 0).map((l) => [l.account_code, l.amount_pence])).toEqual([
      ['21300010', -5350],
    ])
  })

  test('payroll reads approved claims and marks them paid by a pay run; payables pays the others', async () => {
    const payroll = await submitted(
      [{ expenseDate: recent, category: 'travel', description: 'Bus', amountPence: 300 }],
      'payroll',
    )
    const payables = await submitted(
      [{ expenseDate: recent, category: 'travel', description: 'Ferry', amountPence: 2200 }],
      'payables',
    )
    await tx(async (trx) => {
      await expenses.decideClaim(
        trx,
        team.orgId,
        payroll.id,
        'approve',
        team.manager.userId,
        undefined,
        today,
      )
      await expenses.decideClaim(
        trx,
        team.orgId,
        payables.id,
        'approve',
        team.manager.userId,
        undefined,
        today,
      )
    })
    const due = await tx((trx) => approvedExpensesForPayroll(trx, team.orgId, addDays(today, 30)))
    expect(due.map((d) => d.claimId)).toContain(payroll.id)
    expect(due.map((d) => d.claimId)).not.toContain(payables.id)
    expect(await tx((trx) => approvedExpensesForPayroll(trx, team.orgId, addDays(today, -1)))).toEqual([])
    const payRunId = crypto.randomUUID()
    await expect(
      tx((trx) => markExpensesPaid(trx, team.orgId, [payroll.id, payables.id], payRunId, today)),
    ).rejects.toMatchObject({
      fieldErrors: [{ field: '/claimIds/1' }],
    })
    expect(await tx((trx) => markExpensesPaid(trx, team.orgId, [payroll.id], payRunId, today))).toBe(1)
    // A retry of the same pay run is harmless.
    expect(await tx((trx) => markExpensesPaid(trx, team.orgId, [payroll.id], payRunId, today))).toBe(0)
    const paid = await tx((trx) =>
      expenses.payByPayables(trx, team.orgId, [payables.id], today, team.manager.userId),
    )
    expect(paid.totalPence).toBe(2200)
    const claim = await tx((trx) => expenses.getClaim(trx, team.orgId, payables.id))
    expect(claim).toMatchObject({ status: 'paid', paidOn: today })
  })
})
