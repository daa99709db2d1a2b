// The ledger through its API and pages, as a finance clerk and approver use it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { orgId, uuidFromName } from '../platform/ids.ts'
import { createTestApp, type SignedIn, signIn, type TestApp } from '../platform/testing.ts'
import { periodDates } from './chart.ts'
import { demoFiscalYears } from './demo.ts'

let t: TestApp
let clerkToken: string
let approverToken: string
let clerk: SignedIn
const [LAST_YEAR, THIS_YEAR] = demoFiscalYears() as [number, number]
const date = periodDates(THIS_YEAR, 1).startsOn

async function token(email: string, role: 'finance_clerk' | 'finance_approver') {
  const userId = uuidFromName(`user:${email}`)
  const org = orgId('cabinet-office')
  return (
    await t.services.auth.createToken(
      { userId, orgIds: [org], actingOrgId: org, requestId: 'test' },
      { userId, orgId: org, roles: [role], name: 'test', expiresAt: new Date(Date.now() + 86_400_000) },
    )
  ).token
}

beforeAll(async () => {
  t = await createTestApp()
  clerkToken = await token('finance.clerk@gss.example', 'finance_clerk')
  approverToken = await token('finance.approver@gss.example', 'finance_approver')
  clerk = await signIn(t.app, 'finance.clerk@gss.example')
})
afterAll(async () => t?.close())

const api = (method: 'GET' | 'POST' | 'PUT', url: string, tokenValue: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokenValue}` },
    payload: payload as object,
  })

describe('ledger API', () => {
  test('the demo world gives Cabinet Office a year of activity that balances', async () => {
    const tb = await api(
      'GET',
      `/api/v1/orgs/cabinet-office/trial-balance?fiscalYear=${LAST_YEAR}`,
      clerkToken,
    )
    expect(tb.statusCode).toBe(200)
    const body = tb.json()
    expect(body.totalDebitPence).toBe(body.totalCreditPence)
    expect(
      body.rows.find((row: { accountCode: string }) => row.accountCode === '51100000').debitPence,
    ).toBeGreaterThan(0)
  })

  test('a batch posts all or nothing, and can be replayed safely', async () => {
    const batch = {
      journals: [
        {
          date,
          description: 'Accrual',
          lines: [
            { accountCode: '52200000', amountMinor: 5000 },
            { accountCode: '21300000', amountMinor: -5000 },
          ],
        },
        {
          date,
          description: 'Rent',
          lines: [
            { accountCode: '52300000', amountMinor: 10000, costCentreCode: 'CORP' },
            { accountCode: '21100000', amountMinor: -10000 },
          ],
        },
      ],
    }
    const headers = { authorization: `Bearer ${clerkToken}`, 'idempotency-key': 'batch-1' }
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/journals',
      headers,
      payload: batch,
    })
    expect(first.statusCode).toBe(201)
    expect(first.json().journals).toHaveLength(2)
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/journals',
      headers,
      payload: batch,
    })
    expect(again.json()).toEqual(first.json())
    const bad = await api('POST', '/api/v1/orgs/cabinet-office/journals', clerkToken, {
      journals: [
        batch.journals[0],
        {
          date,
          description: 'Off',
          lines: [
            { accountCode: '52200000', amountMinor: 1 },
            { accountCode: '21300000', amountMinor: -2 },
          ],
        },
      ],
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors).toEqual([
      { field: '/journals/1/lines', message: expect.stringContaining('does not balance') },
    ])
  })

  test('a CSV import names every bad line, then posts once clean', async () => {
    const header = 'journal,date,description,account,debit,credit'
    const send = (csv: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs/cabinet-office/journals/import',
        headers: { authorization: `Bearer ${clerkToken}`, 'content-type': 'text/csv' },
        payload: csv,
      })
    const bad = await send(
      [header, `A,${date},Fees,41100000,,99.00`, `A,${date},Fees,13100000,abc,`].join('\n'),
    )
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toContain('application/problem+json')
    expect(bad.json().errors).toEqual([
      { field: '/line/3/debit', message: 'Line 3, debit: "abc" is not an amount like 1250.00' },
    ])
    const good = await send(
      [header, `A,${date},Fees,41100000,,99.00`, `A,${date},Fees,13100000,99.00,`].join('\n'),
    )
    expect(good.statusCode).toBe(201)
    expect(good.json().journals[0].totalPence).toBe(9900)
  })

  test('a recurring journal is set up and run through the API', async () => {
    const created = await api('POST', '/api/v1/orgs/cabinet-office/recurring-journals', clerkToken, {
      description: 'Licence fee',
      dayOfMonth: 3,
      startsOn: date,
      lines: [
        { accountCode: '52100000', amountMinor: 999 },
        { accountCode: '21100000', amountMinor: -999 },
      ],
    })
    expect(created.statusCode).toBe(201)
    const run = await api('POST', '/api/v1/orgs/cabinet-office/recurring-journals/run', clerkToken, {
      asOf: periodDates(THIS_YEAR, 1).endsOn,
    })
    expect(run.statusCode).toBe(200)
    expect(run.json().journals.map((j: { totalPence: number }) => j.totalPence)).toEqual([999])
  })

  test('a recharge raised through the API waits in the other organisation’s unmatched list', async () => {
    const raised = await api('POST', '/api/v1/orgs/cabinet-office/recharges', clerkToken, {
      counterpartyCode: 'dsit',
      description: 'Shared office space',
      amountPence: 120_000,
      date,
    })
    expect(raised.statusCode).toBe(201)
    const mine = await api('GET', '/api/v1/orgs/cabinet-office/recharges?unmatched=true', clerkToken)
    expect(mine.json().items).toEqual([
      expect.objectContaining({ id: raised.json().id, direction: 'receivable', status: 'proposed' }),
    ])
    // The Cabinet Office approver cannot agree on DSIT's behalf.
    const agree = await api(
      'POST',
      `/api/v1/orgs/cabinet-office/recharges/${raised.json().id}/agree`,
      approverToken,
      { date },
    )
    expect(agree.statusCode).toBe(404)
  })

  test('an unknown field in a line is refused, naming it', async () => {
    const response = await api('POST', '/api/v1/orgs/cabinet-office/journals', clerkToken, {
      journals: [
        {
          date,
          description: 'x',
          lines: [
            { accountCode: '52200000', amountMinor: 1, vat: 1 },
            { accountCode: '21300000', amountMinor: -1 },
          ],
        },
      ],
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().errors[0].field).toBe('/journals/0/lines/0/vat')
  })

  test('only an approver closes a period; then nothing posts into it', async () => {
    const url = `/api/v1/orgs/cabinet-office/periods/${THIS_YEAR}/2`
    expect((await api('PUT', url, clerkToken, { status: 'closed' })).statusCode).toBe(403)
    expect((await api('PUT', url, approverToken, { status: 'closed' })).statusCode).toBe(204)
    const refused = await api('POST', '/api/v1/orgs/cabinet-office/journals', clerkToken, {
      journals: [
        {
          date: periodDates(THIS_YEAR, 2).startsOn,
          description: 'Late',
          lines: [
            { accountCode: '52200000', amountMinor: 1 },
            { accountCode: '21300000', amountMinor: -1 },
          ],
        },
      ],
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().errors[0].message).toMatch(/Period 2 of .* is closed/)
  })

  test('a clerk of one organisation cannot post to another', async () => {
    const response = await api('POST', '/api/v1/orgs/hmrc/journals', clerkToken, {
      journals: [
        {
          date,
          description: 'x',
          lines: [
            { accountCode: '52200000', amountMinor: 1 },
            { accountCode: '21300000', amountMinor: -1 },
          ],
        },
      ],
    })
    expect(response.statusCode).toBe(403)
  })
})

describe('ledger pages', () => {
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: clerk.cookie } })

  test('/finance leads to the acting organisation’s finance home', async () => {
    const response = await get('/finance')
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toMatch(/^\/orgs\/[a-z-]+\/finance$/)
  })

  test('the trial balance page and its CSV agree', async () => {
    const page = await get(`/orgs/cabinet-office/finance/trial-balance?fiscalYear=${LAST_YEAR}&period=12`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Staff costs: salaries and wages')
    const csv = await get(
      `/orgs/cabinet-office/finance/trial-balance?fiscalYear=${LAST_YEAR}&period=12&format=csv`,
    )
    expect(csv.headers['content-type']).toContain('text/csv')
    expect(csv.body.split('\r\n')[0]).toBe('Account,Name,Standard code,Debit,Credit,Balance')
    expect(csv.body).toContain('51100000,Staff costs: salaries and wages,51100000,')
  })

  test('a journal posted through the form appears, and can be reversed', async () => {
    const form = (fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/orgs/cabinet-office/finance/journals/new',
        headers: { cookie: clerk.cookie },
        payload: { _csrf: clerk.csrfToken, date, description: 'Stationery', ...fields },
      })
    const wrong = await form({
      'line-0-account': '52600000',
      'line-0-debit': '12.50',
      'line-1-account': '21100000',
      'line-1-credit': '12.00',
    })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.body).toContain('govuk-error-summary')
    expect(wrong.body).toContain('does not balance')
    expect(wrong.body).toContain('value="12.50"')
    const bad = await form({
      'line-0-account': '52600000',
      'line-0-debit': 'twelve',
      'line-1-account': '21100000',
      'line-1-credit': '12.50',
    })
    expect(bad.body).toContain('Line 1: enter an amount in pounds and pence')
    const ok = await form({
      'line-0-account': '52600000',
      'line-0-debit': '12.50',
      'line-1-account': '21100000',
      'line-1-credit': '12.50',
    })
    expect(ok.statusCode).toBe(303)
    const detail = await get(String(ok.headers.location))
    expect(detail.body).toContain('posted')
    expect(detail.body).toContain('£12.50')
    const journalUrl = String(ok.headers.location).replace('?posted=1', '')
    const reverse = await t.app.inject({
      method: 'POST',
      url: `${journalUrl}/reverse`,
      headers: { cookie: clerk.cookie },
      payload: { _csrf: clerk.csrfToken, date },
    })
    expect(reverse.statusCode).toBe(303)
    expect((await get(journalUrl)).body).toContain('Reversed by')
    const list = await get('/orgs/cabinet-office/finance/journals')
    expect(list.body).toContain('Reversal of journal')
  })
})
