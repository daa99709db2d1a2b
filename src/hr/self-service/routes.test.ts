// Self-service over HTTP: an employee sees and acts on only their own records, whatever ids they
// put in URLs or API calls; a line manager decides their team's leave and claims, never their own.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createTestApp, type SignedIn, signIn, type TestApp } from '../../platform/testing.ts'
import { addDays, todayIso } from '../absence/dates.ts'
import { createTeam, TEAM_PASSWORD, type Team } from '../absence/test-fixtures.ts'

let t: TestApp
let team: Team
let employee: SignedIn
let manager: SignedIn
let outsider: SignedIn

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n')

function api(who: SignedIn, method: 'GET' | 'POST', url: string, payload?: unknown, key?: string) {
  return t.app.inject({
    method,
    url,
    headers: {
      cookie: who.cookie,
      'x-csrf-token': who.csrfToken,
      ...(key ? { 'idempotency-key': key } : {}),
    },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })
}

beforeAll(async () => {
  t = await createTestApp()
  team = await createTeam(t.db)
  employee = await signIn(t.app, team.employee.email, TEAM_PASSWORD)
  manager = await signIn(t.app, team.manager.email, TEAM_PASSWORD)
  outsider = await signIn(t.app, team.outsider.email, TEAM_PASSWORD)
}, 600_000)
afterAll(async () => t?.close())

describe('leave through the API', () => {
  let requestId: string
  test('an employee asks for leave: working days exclude weekends and bank holidays', async () => {
    // 21 Dec 2026 to 1 Jan 2027: Christmas, the Boxing Day substitute and New Year's Day are out.
    const response = await api(
      employee,
      'POST',
      '/api/v1/self-service/leave-requests',
      {
        startDate: '2026-12-21',
        endDate: '2027-01-01',
      },
      'leave-1',
    )
    expect(response.statusCode, response.body).toBe(201)
    expect(response.json()).toMatchObject({
      days: '7.00',
      status: 'pending',
      employmentId: team.employee.employmentId,
    })
    requestId = response.json().id
    const retry = await api(
      employee,
      'POST',
      '/api/v1/self-service/leave-requests',
      {
        startDate: '2026-12-21',
        endDate: '2027-01-01',
      },
      'leave-1',
    )
    expect(retry.json().id).toBe(requestId)
  })

  test('overlapping leave and more days than are left are refused, naming the field', async () => {
    const overlap = await api(employee, 'POST', '/api/v1/self-service/leave-requests', {
      startDate: '2026-12-24',
      endDate: '2026-12-24',
    })
    expect(overlap.statusCode).toBe(422)
    expect(overlap.json().errors[0].field).toBe('/startDate')
    const tooMuch = await api(employee, 'POST', '/api/v1/self-service/leave-requests', {
      startDate: '2027-01-04',
      endDate: '2027-03-05',
    })
    expect(tooMuch.statusCode).toBe(422)
    expect(tooMuch.json().errors[0].field).toBe('/days')
  })

  test('the employee cannot approve their own request', async () => {
    const response = await api(
      employee,
      'POST',
      `/api/v1/self-service/team/leave-requests/${requestId}/decision`,
      { decision: 'approve' },
    )
    expect(response.statusCode).toBe(403)
    expect(response.json().detail).toMatch(/own leave/)
  })

  test('someone who is not the line manager cannot see or decide it', async () => {
    const seen = await api(outsider, 'GET', `/api/v1/self-service/leave-requests/${requestId}`)
    expect(seen.statusCode).toBe(404)
    const decided = await api(
      outsider,
      'POST',
      `/api/v1/self-service/team/leave-requests/${requestId}/decision`,
      { decision: 'approve' },
    )
    expect(decided.statusCode).toBe(404)
  })

  test('the line manager sees it in the team and approves it; the balance moves', async () => {
    const teamView = await api(manager, 'GET', '/api/v1/self-service/team')
    expect(teamView.statusCode).toBe(200)
    expect(
      teamView
        .json()
        .members.map((m: { employmentId: string }) => m.employmentId)
        .sort(),
    ).toEqual([team.employee.employmentId, team.partTimer.employmentId].sort())
    expect(teamView.json().pendingLeave.map((r: { id: string }) => r.id)).toContain(requestId)
    const approved = await api(
      manager,
      'POST',
      `/api/v1/self-service/team/leave-requests/${requestId}/decision`,
      { decision: 'approve' },
      'decide-1',
    )
    expect(approved.statusCode, approved.body).toBe(200)
    expect(approved.json()).toMatchObject({ status: 'approved', decidedBy: team.manager.userId })
    const again = await api(
      manager,
      'POST',
      `/api/v1/self-service/team/leave-requests/${requestId}/decision`,
      { decision: 'reject', note: 'No' },
    )
    expect(again.statusCode).toBe(422)
    const leave = await api(employee, 'GET', '/api/v1/self-service/leave')
    const balance = leave.json().balances[0]
    expect(balance.entitlementDays).toBe('30.00')
    expect(Number(balance.takenDays) + Number(balance.bookedDays)).toBe(7)
  })
})

describe('isolation: nobody else’s data by changing ids', () => {
  test('me and leave show only the caller’s own records', async () => {
    const me = await api(employee, 'GET', '/api/v1/self-service/me')
    expect(me.json().personId).toBe(team.employee.personId)
    expect(me.json().employments.map((e: { employmentId: string }) => e.employmentId)).toEqual([
      team.employee.employmentId,
    ])
    const outsiderLeave = await api(outsider, 'GET', '/api/v1/self-service/leave')
    expect(outsiderLeave.json().requests).toEqual([])
  })

  test('asking for leave on someone else’s employment is refused', async () => {
    const response = await api(outsider, 'POST', '/api/v1/self-service/leave-requests', {
      employmentId: team.employee.employmentId,
      startDate: '2027-02-01',
      endDate: '2027-02-01',
    })
    expect(response.statusCode).toBe(404)
  })

  test('someone else’s claim, its receipts and submission are not found', async () => {
    const claim = await api(employee, 'POST', '/api/v1/self-service/expense-claims', {
      purpose: 'Private claim',
      lines: [
        { expenseDate: addDays(todayIso(), -3), category: 'travel', description: 'Train', amountPence: 2000 },
      ],
    })
    expect(claim.statusCode, claim.body).toBe(201)
    const id = claim.json().id
    const receipt = await t.app.inject({
      method: 'POST',
      url: `/api/v1/self-service/expense-claims/${id}/receipts?fileName=train.pdf&lineNo=1`,
      headers: {
        cookie: employee.cookie,
        'x-csrf-token': employee.csrfToken,
        'content-type': 'application/pdf',
      },
      payload: PDF,
    })
    expect(receipt.statusCode, receipt.body).toBe(201)
    const receiptId = receipt.json().id
    for (const url of [
      `/api/v1/self-service/expense-claims/${id}`,
      `/api/v1/self-service/expense-claims/${id}/receipts/${receiptId}`,
      `/self-service/expenses/${id}`,
      `/self-service/expenses/${id}/receipts/${receiptId}`,
    ]) {
      const response = await api(outsider, 'GET', url)
      expect(response.statusCode, url).toBe(404)
      expect(response.body).not.toContain('Private claim')
    }
    const submitted = await api(outsider, 'POST', `/api/v1/self-service/expense-claims/${id}/submission`)
    expect(submitted.statusCode).toBe(404)
    const attached = await t.app.inject({
      method: 'POST',
      url: `/api/v1/self-service/expense-claims/${id}/receipts`,
      headers: {
        cookie: outsider.cookie,
        'x-csrf-token': outsider.csrfToken,
        'content-type': 'application/pdf',
      },
      payload: PDF,
    })
    expect(attached.statusCode).toBe(404)
    // The owner can download it, byte for byte.
    const own = await api(employee, 'GET', `/api/v1/self-service/expense-claims/${id}/receipts/${receiptId}`)
    expect(own.statusCode).toBe(200)
    expect(own.rawPayload.equals(PDF)).toBe(true)
    const list = await api(outsider, 'GET', '/api/v1/self-service/expense-claims')
    expect(list.json().items).toEqual([])
  })

  test('someone else’s leave request page is not found, and the HR API is not open to employees', async () => {
    const requests = await t.db.adminTransaction((trx) =>
      trx
        .selectFrom('leave_requests')
        .select('id')
        .where('employment_id', '=', team.employee.employmentId)
        .execute(),
    )
    const page = await api(outsider, 'GET', `/self-service/leave/${requests[0]!.id}`)
    expect(page.statusCode).toBe(404)
    const hr = await api(
      employee,
      'GET',
      `/api/v1/orgs/${team.orgCode}/hr/absence/employments/${team.outsider.employmentId}/balance`,
    )
    expect(hr.statusCode).toBe(403)
  })
})

describe('pages', () => {
  test('the home page shows the employee their details, balance and requests', async () => {
    const page = await api(employee, 'GET', '/self-service')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Eli')
    expect(page.body).toContain('30.00 days')
    expect(page.body).not.toContain('Olly')
  })

  test('asking for leave by form: errors re-render with values; success redirects', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/self-service/leave/new',
      headers: { cookie: employee.cookie },
      payload: {
        _csrf: employee.csrfToken,
        leaveType: 'annual',
        startDate: '2027-02-10',
        endDate: '2027-02-01',
      },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('There is a problem')
    expect(bad.body).toContain('value="2027-02-10"')
    const good = await t.app.inject({
      method: 'POST',
      url: '/self-service/leave/new',
      headers: { cookie: employee.cookie },
      payload: {
        _csrf: employee.csrfToken,
        leaveType: 'annual',
        startDate: '2027-02-01',
        endDate: '2027-02-02',
      },
    })
    expect(good.statusCode).toBe(303)
    const teamPage = await api(manager, 'GET', '/self-service/team')
    expect(teamPage.body).toContain('Eli Officer')
  })

  test('a manager rejects by form, with a reason', async () => {
    const pending = await t.db.adminTransaction((trx) =>
      trx
        .selectFrom('leave_requests')
        .select('id')
        .where('employment_id', '=', team.employee.employmentId)
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow(),
    )
    const noReason = await t.app.inject({
      method: 'POST',
      url: `/self-service/leave/${pending.id}/decision`,
      headers: { cookie: manager.cookie },
      payload: { _csrf: manager.csrfToken, decision: 'reject' },
    })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('Give a reason')
    const rejected = await t.app.inject({
      method: 'POST',
      url: `/self-service/leave/${pending.id}/decision`,
      headers: { cookie: manager.cookie },
      payload: { _csrf: manager.csrfToken, decision: 'reject', note: 'Team away day' },
    })
    expect(rejected.statusCode).toBe(303)
  })

  test('a claim with a receipt by multipart form, submitted, then approved by the manager', async () => {
    const boundary = '----gssTestBoundary'
    const date = addDays(todayIso(), -2)
    const fields: Record<string, string> = {
      _csrf: employee.csrfToken,
      purpose: 'Leeds office visit',
      'line-0-date': date,
      'line-0-category': 'travel',
      'line-0-description': 'Return train',
      'line-0-amount': '64.20',
      'line-1-date': date,
      'line-1-category': 'mileage',
      'line-1-description': 'Drive to station',
      'line-1-vehicle': 'car',
      'line-1-miles': '12',
    }
    const parts = Object.entries(fields).map(
      ([name, value]) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    )
    const body = Buffer.concat([
      Buffer.from(parts.join('')),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="line-0-receipt"; filename="ticket.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      PDF,
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="line-1-receipt"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--${boundary}--\r\n`,
      ),
    ])
    const created = await t.app.inject({
      method: 'POST',
      url: '/self-service/expenses/new',
      headers: { cookie: employee.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    })
    expect(created.statusCode, created.body).toBe(303)
    const claimUrl = String(created.headers.location).split('?')[0]!
    const claimId = claimUrl.split('/').pop()!
    const view = await api(employee, 'GET', claimUrl)
    expect(view.body).toContain('ticket.pdf')
    // 12 miles at 45p = £5.40; total £69.60
    expect(view.body).toContain('£5.40')
    expect(view.body).toContain('£69.60')
    const submitted = await t.app.inject({
      method: 'POST',
      url: `${claimUrl}/submit`,
      headers: { cookie: employee.cookie },
      payload: { _csrf: employee.csrfToken },
    })
    expect(submitted.statusCode).toBe(303)
    const selfApprove = await t.app.inject({
      method: 'POST',
      url: `${claimUrl}/decision`,
      headers: { cookie: employee.cookie },
      payload: { _csrf: employee.csrfToken, decision: 'approve' },
    })
    expect(selfApprove.statusCode).toBe(403)
    const decisionPage = await api(manager, 'GET', claimUrl)
    expect(decisionPage.body).toContain('Save decision')
    expect(decisionPage.body).toContain('Eli Officer')
    const approved = await t.app.inject({
      method: 'POST',
      url: `${claimUrl}/decision`,
      headers: { cookie: manager.cookie },
      payload: { _csrf: manager.csrfToken, decision: 'approve' },
    })
    expect(approved.statusCode, approved.body).toBe(303)
    const claim = await api(employee, 'GET', `/api/v1/self-service/expense-claims/${claimId}`)
    expect(claim.json().claim).toMatchObject({
      status: 'approved',
      totalPence: 6960,
      costCentreCode: team.costCentreCode,
    })
  })
})
