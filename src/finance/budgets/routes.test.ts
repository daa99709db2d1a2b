// Budgets through the API, as a finance approver loads them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Role } from '../../platform/auth/permissions.ts'
import { uuidFromName } from '../../platform/ids.ts'
import { apiToken, signIn } from '../../platform/testing.ts'
import { demoFiscalYears } from '../demo.ts'
import { createReportsTestApp, type ReportsTestApp } from '../reports/test-app.ts'

let t: ReportsTestApp
let approverToken: string
let clerkToken: string
const [, THIS_YEAR] = demoFiscalYears() as [number, number]

async function token(email: string, role: Role) {
  return (await apiToken(t, email, 'cabinet-office', [role])).token
}

beforeAll(async () => {
  t = await createReportsTestApp()
  approverToken = await token('finance.approver@gss.example', 'finance_approver')
  clerkToken = await token('finance.clerk@gss.example', 'finance_clerk')
})
afterAll(async () => t?.close())

const BASE = '/api/v1/orgs/cabinet-office/budgets'
const adjustment = {
  fiscalYear: THIS_YEAR,
  period: 3,
  accountCode: '52500000',
  costCentreCode: 'CORP',
  spendClass: 'admin',
  amountPence: 12_000_00,
  reason: 'Training budget moved from IT',
}

describe('budgets API', () => {
  test('an approver adds a batch; it shows in the current budget with who and why', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `${BASE}/adjustments`,
      headers: { authorization: `Bearer ${approverToken}`, 'idempotency-key': 'budget-1' },
      payload: { adjustments: [adjustment, { ...adjustment, amountPence: -2_000_00, reason: 'Trimmed' }] },
    })
    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({ adjustmentCount: 2, netPence: 10_000_00 })
    const current = await t.app.inject({
      method: 'GET',
      url: `${BASE}?fiscalYear=${THIS_YEAR}&kind=budget`,
      headers: { authorization: `Bearer ${clerkToken}` },
    })
    expect(current.statusCode).toBe(200)
    const training = current
      .json()
      .items.find((line: { accountCode: string }) => line.accountCode === '52500000')
    expect(training).toMatchObject({ fullYearPence: 10_000_00, adjustmentCount: 2, spendClass: 'admin' })
    const history = await t.app.inject({
      method: 'GET',
      url: `${BASE}/adjustments?fiscalYear=${THIS_YEAR}&accountCode=52500000`,
      headers: { authorization: `Bearer ${clerkToken}` },
    })
    expect(
      history
        .json()
        .items.map((row: { reason: string }) => row.reason)
        .sort(),
    ).toEqual(['Training budget moved from IT', 'Trimmed'])
    expect(history.json().items[0].createdBy).toBe(uuidFromName('user:finance.approver@gss.example'))
  })

  test('a clerk may read budgets but not change them', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `${BASE}/adjustments`,
      headers: { authorization: `Bearer ${clerkToken}` },
      payload: { adjustments: [adjustment] },
    })
    expect(response.statusCode).toBe(403)
  })

  test('an unknown field or an unknown account is refused, naming it', async () => {
    const unknownField = await t.app.inject({
      method: 'POST',
      url: `${BASE}/adjustments`,
      headers: { authorization: `Bearer ${approverToken}` },
      payload: { adjustments: [{ ...adjustment, total: 5 }] },
    })
    expect(unknownField.statusCode).toBe(400)
    const unknownAccount = await t.app.inject({
      method: 'POST',
      url: `${BASE}/adjustments`,
      headers: { authorization: `Bearer ${approverToken}` },
      payload: { adjustments: [adjustment, { ...adjustment, accountCode: '52500099' }] },
    })
    expect(unknownAccount.statusCode).toBe(400)
    expect(unknownAccount.json().errors).toEqual([
      { field: '/adjustments/1/accountCode', message: 'There is no account 52500099' },
    ])
  })

  test('a CSV load names every bad line, loads nothing, then loads once clean', async () => {
    const header = 'kind,fiscal_year,period,account,cost_centre,amount,reason'
    const bad = `${header}\nbudget,${THIS_YEAR},1,52600000,CORP,100.00,Stationery\nbudget,${THIS_YEAR},1,52600000,NOWHERE,x,\n`
    const refused = await t.app.inject({
      method: 'POST',
      url: `${BASE}/import`,
      headers: { authorization: `Bearer ${approverToken}`, 'content-type': 'text/csv' },
      payload: bad,
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().errors.map((e: { field: string }) => e.field)).toEqual([
      '/line/3/amount',
      '/line/3/reason',
    ])
    const loaded = await t.app.inject({
      method: 'POST',
      url: `${BASE}/import`,
      headers: { authorization: `Bearer ${approverToken}`, 'content-type': 'text/csv' },
      payload: `${header}\nforecast,${THIS_YEAR},,52600000,CORP,"1,200.00",Stationery forecast\n`,
    })
    expect(loaded.statusCode).toBe(201)
    expect(loaded.json()).toMatchObject({ adjustmentCount: 12, netPence: 1_200_00 })
  })
})

describe('budgets page', () => {
  const page = '/orgs/cabinet-office/finance/budgets'
  const header = 'kind,fiscal_year,period,account,cost_centre,amount,reason'

  test('an approver pastes adjustments: every bad line is listed and kept, then a clean load succeeds', async () => {
    const approver = await signIn(t.app, 'finance.approver@gss.example')
    const form = await t.app.inject({ method: 'GET', url: page, headers: { cookie: approver.cookie } })
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('name="_csrf"')
    const bad = `${header}\nbudget,${THIS_YEAR},2,52300000,CORP,abc,Rent\nbudget,${THIS_YEAR},2,52300000,CORP,5.00,`
    const refused = await t.app.inject({
      method: 'POST',
      url: `${page}/load`,
      headers: { cookie: approver.cookie },
      payload: { _csrf: approver.csrfToken, csv: bad },
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('There is a problem')
    expect(refused.body).toContain('Line 2, amount: &quot;abc&quot; is not a signed amount like -1250.00')
    expect(refused.body).toContain('Line 3, reason: enter the reason for the adjustment')
    expect(refused.body).toContain('CORP,abc,Rent')
    const loaded = await t.app.inject({
      method: 'POST',
      url: `${page}/load`,
      headers: { cookie: approver.cookie },
      payload: {
        _csrf: approver.csrfToken,
        csv: `${header}\nbudget,${THIS_YEAR},2,52300000,CORP,500.00,Rent review`,
      },
    })
    expect(loaded.statusCode).toBe(303)
    expect(loaded.headers.location).toBe(`${page}?loaded=1`)
    const after = await t.app.inject({
      method: 'GET',
      url: loaded.headers.location,
      headers: { cookie: approver.cookie },
    })
    expect(after.body).toContain('1 adjustments loaded')
    expect(after.body).toContain('Rent review')
  })

  test('without the form’s token, or without budgets:manage, nothing loads', async () => {
    const approver = await signIn(t.app, 'finance.approver@gss.example')
    const noToken = await t.app.inject({
      method: 'POST',
      url: `${page}/load`,
      headers: { cookie: approver.cookie },
      payload: { csv: `${header}\nbudget,${THIS_YEAR},2,52300000,CORP,1.00,x` },
    })
    expect(noToken.statusCode).toBe(403)
    const clerk = await signIn(t.app, 'finance.clerk@gss.example')
    const view = await t.app.inject({ method: 'GET', url: page, headers: { cookie: clerk.cookie } })
    expect(view.statusCode).toBe(200)
    expect(view.body).not.toContain('Load adjustments')
    const post = await t.app.inject({
      method: 'POST',
      url: `${page}/load`,
      headers: { cookie: clerk.cookie },
      payload: { _csrf: clerk.csrfToken, csv: `${header}\nbudget,${THIS_YEAR},2,52300000,CORP,1.00,x` },
    })
    expect(post.statusCode).toBe(403)
  })
})
