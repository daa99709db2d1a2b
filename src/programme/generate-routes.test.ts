// Generating returns over HTTP: programme managers only, one organisation or all they manage,
// unchanged figures add no version, and a quarter that has not ended is refused by name.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { apiToken, createTestApp, signIn, type TestApp } from '../platform/testing.ts'
import { lastCompleteQuarter, quarterOf } from './quarters.ts'

let t: TestApp
let manager: { authorization: string }
let analyst: { authorization: string }
const QUARTER = lastCompleteQuarter()

beforeAll(async () => {
  t = await createTestApp()
  // Platform-wide roles act for any organisation; the token is scoped to one, as every token is.
  manager = (await apiToken(t, 'programme.manager@gss.example', 'cabinet-office', ['programme_manager']))
    .headers
  analyst = (await apiToken(t, 'programme.analyst@gss.example', 'cabinet-office', ['programme_analyst']))
    .headers
}, 300_000)
afterAll(async () => t?.close())

const post = (headers: Record<string, string>, body: unknown, key: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/programme/returns/generate',
    headers: { ...headers, 'idempotency-key': key },
    payload: body as Record<string, unknown>,
  })

describe('the API', () => {
  test('a manager generates one organisation’s return; again, nothing changes', async () => {
    const first = await post(manager, { quarter: QUARTER, organisation: 'cabinet-office' }, 'gen-1')
    expect(first.statusCode, first.body).toBe(200)
    const body = first.json() as { returns: Array<{ organisation: string; version: number; valid: boolean }> }
    expect(body.returns).toHaveLength(1)
    expect(body.returns[0]).toMatchObject({ organisation: 'cabinet-office', valid: true })
    const again = await post(manager, { quarter: QUARTER, organisation: 'cabinet-office' }, 'gen-2')
    expect(again.json()).toMatchObject({
      generated: 0,
      unchanged: 1,
      returns: [{ organisation: 'cabinet-office', version: body.returns[0]!.version, changed: false }],
    })
  })

  test('every organisation on the platform; bodies not on it are not computed', async () => {
    const response = await post(manager, { quarter: QUARTER }, 'gen-3')
    expect(response.statusCode, response.body).toBe(200)
    const organisations = (response.json().returns as Array<{ organisation: string }>).map(
      (item) => item.organisation,
    )
    expect(organisations).toEqual(expect.arrayContaining(['cabinet-office', 'dsit']))
    expect(organisations).not.toContain('met-office')
    const met = await post(manager, { quarter: QUARTER, organisation: 'met-office' }, 'gen-4')
    expect(met.json()).toMatchObject({ returns: [], skipped: [{ organisation: 'met-office' }] })
  })

  test('refused: an analyst, a quarter that has not ended, an unknown organisation', async () => {
    expect((await post(analyst, { quarter: QUARTER }, 'gen-5')).statusCode).toBe(403)
    const current = quarterOf(new Date().toISOString().slice(0, 10)).code
    const early = await post(manager, { quarter: current }, 'gen-6')
    expect(early.statusCode).toBe(400)
    expect(early.json().errors ?? early.json()).toBeTruthy()
    expect(early.body).toContain('/quarter')
    const unknown = await post(manager, { quarter: QUARTER, organisation: 'no-such-body' }, 'gen-7')
    expect(unknown.statusCode).toBe(400)
    expect(unknown.body).toContain('/organisation')
  })
})

test('the page: a form, its errors, and the outcome per organisation', async () => {
  const session = await signIn(t.app, 'programme.manager@gss.example')
  const form = await t.app.inject({
    method: 'GET',
    url: '/programme/returns/generate',
    headers: { cookie: session.cookie },
  })
  expect(form.statusCode).toBe(200)
  expect(form.body).toContain(QUARTER)
  const bad = await t.app.inject({
    method: 'POST',
    url: '/programme/returns/generate',
    headers: { cookie: session.cookie },
    payload: { _csrf: session.csrfToken, quarter: 'Q9' },
  })
  expect(bad.statusCode).toBe(422)
  expect(bad.body).toContain('govuk-error-summary')
  const done = await t.app.inject({
    method: 'POST',
    url: '/programme/returns/generate',
    headers: { cookie: session.cookie },
    payload: { _csrf: session.csrfToken, quarter: QUARTER, organisation: 'dsit' },
  })
  expect(done.statusCode, done.body).toBe(200)
  expect(done.body).toContain('/orgs/dsit/programme/returns/')
  const hub = await t.app.inject({
    method: 'GET',
    url: '/programme/returns',
    headers: { cookie: session.cookie },
  })
  expect(hub.body).toContain('/programme/returns/generate')
  const analystSession = await signIn(t.app, 'programme.analyst@gss.example')
  const analystHub = await t.app.inject({
    method: 'GET',
    url: '/programme/returns',
    headers: { cookie: analystSession.cookie },
  })
  expect(analystHub.body).not.toContain('/programme/returns/generate')
})
