// The demo world's absence and expenses, and the demo journey: employee@gss.example asks for
// leave and line.manager@gss.example approves it; HR records are readable through the HR API.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestApp, signIn, type TestApp } from '../../platform/testing.ts'
import { addDays, isoWeekday, todayIso } from './dates.ts'

let t: TestApp
const co = orgId('cabinet-office')
const emma = uuidFromName('hr:employment:cabinet-office:co-employee')

beforeAll(async () => {
  t = await createTestApp()
}, 600_000)
afterAll(async () => t?.close())

test('the demo holds leave, sickness, maternity leave and expense claims', async () => {
  const counts = await t.db.adminTransaction(async (trx) => ({
    sickness: (await trx.selectFrom('sickness_absences').select('id').where('org_id', '=', co).execute())
      .length,
    maternity: (
      await trx
        .selectFrom('family_leaves')
        .select('id')
        .where('org_id', '=', co)
        .where('leave_type', '=', 'maternity')
        .execute()
    ).length,
    claims: await trx
      .selectFrom('expense_claims')
      .select(['status', 'journal_id'])
      .where('employment_id', '=', emma)
      .orderBy('number')
      .execute(),
  }))
  expect(counts.sickness).toBe(1)
  expect(counts.maternity).toBe(1)
  expect(counts.claims.map((c) => c.status)).toEqual(['approved', 'submitted'])
  expect(counts.claims[0]!.journal_id).not.toBeNull()
})

test('employee@gss.example asks for leave and line.manager@gss.example approves it', async () => {
  const employee = await signIn(t.app, 'employee@gss.example')
  const manager = await signIn(t.app, 'line.manager@gss.example')
  // A Tuesday about ten weeks ahead, clear of the demo's own bookings.
  let day = addDays(todayIso(), 70)
  while (isoWeekday(day) !== 2) day = addDays(day, 1)
  const asked = await t.app.inject({
    method: 'POST',
    url: '/api/v1/self-service/leave-requests',
    headers: { cookie: employee.cookie, 'x-csrf-token': employee.csrfToken },
    payload: { startDate: day, endDate: day, note: 'Dentist' },
  })
  expect(asked.statusCode, asked.body).toBe(201)
  const team = await t.app.inject({
    method: 'GET',
    url: '/self-service/team',
    headers: { cookie: manager.cookie },
  })
  expect(team.body).toContain('Emma Employee')
  const decided = await t.app.inject({
    method: 'POST',
    url: `/api/v1/self-service/team/leave-requests/${asked.json().id}/decision`,
    headers: { cookie: manager.cookie, 'x-csrf-token': manager.csrfToken },
    payload: { decision: 'approve' },
  })
  expect(decided.statusCode, decided.body).toBe(200)
  expect(decided.json().status).toBe('approved')
})

test('HR officers read balances and record absence through the org API and pages', async () => {
  const hr = await signIn(t.app, 'hr.officer@gss.example')
  const balance = await t.app.inject({
    method: 'GET',
    url: `/api/v1/orgs/cabinet-office/hr/absence/employments/${emma}/balance`,
    headers: { cookie: hr.cookie },
  })
  expect(balance.statusCode, balance.body).toBe(200)
  expect(Number(balance.json().entitlementDays)).toBeGreaterThan(0)
  const page = await t.app.inject({
    method: 'GET',
    url: '/orgs/cabinet-office/hr/absence',
    headers: { cookie: hr.cookie },
  })
  expect(page.statusCode).toBe(200)
  expect(page.body).toContain('Maternity')
  const bad = await t.app.inject({
    method: 'POST',
    url: '/orgs/cabinet-office/hr/absence/sickness/new',
    headers: { cookie: hr.cookie },
    payload: {
      _csrf: hr.csrfToken,
      employeeNumber: 'NOPE',
      startDate: '2026-11-02',
      reason: 'Back pain',
      notifiedOn: '2026-11-02',
    },
  })
  expect(bad.statusCode).toBe(400)
  expect(bad.body).toContain('There is no employee number NOPE')
  const recorded = await t.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/cabinet-office/hr/absence/employments/${emma}/sickness`,
    headers: { cookie: hr.cookie, 'x-csrf-token': hr.csrfToken, 'idempotency-key': 'sick-1' },
    payload: {
      startDate: '2026-10-05',
      endDate: '2026-10-16',
      reason: 'Back pain',
      category: 'musculoskeletal',
      notifiedOn: '2026-10-05',
      fitNoteFrom: '2026-10-12',
      fitNoteTo: '2026-10-16',
      fitNoteReceivedOn: '2026-10-13',
    },
  })
  expect(recorded.statusCode, recorded.body).toBe(201)
  expect(recorded.json()).toMatchObject({ calendarDays: 12, qualifyingDays: [1, 2, 3, 4, 5] })
  const overlapping = await t.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/cabinet-office/hr/absence/employments/${emma}/sickness`,
    headers: { cookie: hr.cookie, 'x-csrf-token': hr.csrfToken },
    payload: { startDate: '2026-10-14', reason: 'Again', notifiedOn: '2026-10-14' },
  })
  expect(overlapping.statusCode).toBe(422)
  const paternity = await t.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/cabinet-office/hr/absence/employments/${emma}/family-leave`,
    headers: { cookie: hr.cookie, 'x-csrf-token': hr.csrfToken },
    payload: {
      leaveType: 'paternity',
      expectedWeekStart: '2026-11-02',
      startDate: '2026-11-02',
      endDate: '2026-11-15',
      statutoryPayWeeks: 3,
    },
  })
  // 2 November 2026 is a Monday, not the Sunday that starts a week; and paternity pay is 2 weeks at most.
  expect(paternity.statusCode).toBe(400)
  expect(
    paternity
      .json()
      .errors.map((e: { field: string }) => e.field)
      .sort(),
  ).toEqual(['/expectedWeekStart', '/statutoryPayWeeks'])
})
