// Risks, legacy systems and delivery confidence over HTTP on the whole app: the API (problem+json
// naming the field and rule, 201 with the record) and the pages (forms without JavaScript, the error
// summary, charts with their tables), as a programme manager and analyst.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { asOwner, createTestApp, type SignedIn, signIn, type TestApp } from '../platform/testing.ts'
import { riskPaths as paths } from './risk-routes.ts'

let t: TestApp
let manager: SignedIn
let analyst: SignedIn

beforeAll(async () => {
  t = await createTestApp()
  manager = await signIn(t.app, 'programme.manager@gss.example')
  analyst = await signIn(t.app, 'programme.analyst@gss.example')
}, 300_000)
afterAll(async () => t?.close())

const get = (url: string, who: SignedIn) =>
  t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } })
const form = (url: string, who: SignedIn, payload: Record<string, string | string[]>) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie },
    payload: { ...payload, _csrf: who.csrfToken },
  })
const send = (method: 'POST' | 'PUT', url: string, who: SignedIn, payload: unknown) =>
  t.app.inject({
    method,
    url,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrfToken, 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  })

const riskBody = {
  reference: 'API-RISK-1',
  title: 'Supplier capacity',
  cause: 'Because three clusters procure at once',
  event: 'There is a risk that suppliers cannot bid for all',
  effect: 'Which would lead to weak competition',
  owner: 'Programme commercial director',
  inherentLikelihood: 4,
  inherentImpact: 4,
  residualLikelihood: 3,
  residualImpact: 4,
  appetite: 'open',
  level: 'programme',
  cluster: null,
}

describe('pages with the demo registers', () => {
  test('each page renders its charts as SVG with a table, and offers an analyst no forms', async () => {
    for (const url of [paths.risks, paths.legacy, paths.confidence]) {
      const page = await get(url, analyst)
      expect(page.statusCode, url).toBe(200)
      expect(page.body).toMatch(/<svg role="img"/)
      expect(page.body).toContain('(table)</caption>')
      expect(page.body).not.toMatch(/<main[\s\S]*<form method="post"/)
    }
    expect((await get(paths.newRisk, analyst)).statusCode).toBe(403)
    expect((await get(paths.newLegacy, analyst)).statusCode).toBe(403)
  })
})

describe('pages and API on empty registers', () => {
  test('pages say there is nothing yet; summaries are zeros', async () => {
    for (const table of [
      'programme_risk_escalations',
      'programme_risk_mitigations',
      'programme_risks',
      'programme_legacy_systems',
      'programme_delivery_confidence',
    ])
      await asOwner(t.db, `delete from ${table}`)
    expect((await get(paths.risks, analyst)).body).toContain('There are no risks to show')
    expect((await get(paths.legacy, analyst)).body).toContain('No legacy systems recorded')
    expect((await get(paths.confidence, analyst)).body).toContain('Not yet assessed')
    expect((await get('/api/v1/programme/risks/summary', analyst)).json()).toMatchObject({
      open: 0,
      aboveAppetite: 0,
    })
    expect((await get('/api/v1/programme/legacy-systems/summary', analyst)).json()).toMatchObject({
      systems: 0,
    })
  })
})

describe('API', () => {
  test('a bad risk is refused naming the field and rule; a good one is created; the analyst cannot write', async () => {
    const bad = await send('POST', '/api/v1/programme/risks', manager, { ...riskBody, residualImpact: 5 })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toMatch(/problem\+json/)
    expect(bad.json().errors[0]).toMatchObject({
      field: '/residualImpact',
      rule: 'residual-not-above-inherent',
      message: expect.stringContaining('cannot be above the inherent impact'),
    })
    const denied = await send('POST', '/api/v1/programme/risks', analyst, riskBody)
    expect(denied.statusCode).toBe(403)
    const created = await send('POST', '/api/v1/programme/risks', manager, riskBody)
    expect(created.statusCode).toBe(201)
    const risk = created.json()
    expect(risk).toMatchObject({
      reference: 'API-RISK-1',
      level: 'programme',
      aboveAppetite: false,
      residual: { score: 12 },
    })
    const noReason = await send('POST', `/api/v1/programme/risks/${risk.id}/escalations`, manager, {
      toLevel: 'programme',
      reason: '',
    })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.json().errors[0].field).toBe('/reason')
    const list = await get('/api/v1/programme/risks?level=programme', analyst)
    expect(list.json().items.map((r: { reference: string }) => r.reference)).toEqual(['API-RISK-1'])
  })

  test('a flagged legacy system raises its risk; the stagger is on the API', async () => {
    const created = await send('POST', '/api/v1/programme/legacy-systems', manager, {
      name: 'Old ledger',
      cluster: 'matrix',
      functions: ['finance'],
      contractExpiresOn: '2027-03-31',
      extensionHeadroomMonths: 0,
      procurementStartsOn: '2026-06-01',
      replacementDueOn: '2027-06-30',
    })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({
      cluster: 'matrix',
      flag: { contractEndsBeforeReplacement: true, gapDays: 91 },
    })
    expect(created.json().risk.reference).toMatch(/^LEG-/)
    const raised = await send('POST', '/api/v1/programme/legacy-systems/raise-risks', manager, {})
    expect(raised.json()).toEqual({ raised: [] })
    const list = await get('/api/v1/programme/legacy-systems', analyst)
    expect(list.json().procurementStagger).toHaveLength(1)
  })

  test('delivery confidence: record, then the current rating and history', async () => {
    const bad = await send('POST', '/api/v1/programme/delivery-confidence', manager, {
      cluster: 'matrix',
      assessedOn: '2026-13-01',
      rating: 'amber',
      rationale: 'Recovering well',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].field).toBe('/assessedOn')
    const ok = await send('POST', '/api/v1/programme/delivery-confidence', manager, {
      cluster: 'matrix',
      assessedOn: '2026-06-30',
      rating: 'amber_green',
      rationale: 'Recovering well after reset',
    })
    expect(ok.statusCode).toBe(201)
    const summary = await get('/api/v1/programme/delivery-confidence?cluster=matrix', analyst)
    expect(summary.json().clusters[0].current).toMatchObject({
      rating: 'amber_green',
      ratingLabel: 'Amber/Green',
    })
    expect(summary.json().history).toHaveLength(1)
  })
})

describe('forms without JavaScript', () => {
  test('the legacy form re-renders with the error summary and the values typed, then saves', async () => {
    const bad = await form(paths.newLegacy, manager, {
      name: 'Payroll bureau',
      functions: ['payroll'],
      contractExpiresOn: '31/03/2027',
      extensionHeadroomMonths: 'six',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('There is a problem')
    expect(bad.body).toContain('href="#contractExpiresOn"')
    expect(bad.body).toContain('href="#extensionHeadroomMonths"')
    expect(bad.body).toContain('href="#cluster"')
    expect(bad.body).toContain('value="Payroll bureau"')
    const ok = await form(paths.newLegacy, manager, {
      name: 'Payroll bureau',
      cluster: 'matrix',
      functions: ['payroll', 'hr'],
      contractExpiresOn: '2027-03-31',
      extensionHeadroomMonths: '6',
      procurementStartsOn: '2026-10-01',
      replacementDueOn: '2027-09-30',
    })
    expect(ok.statusCode).toBe(303)
    const page = await get(paths.legacy, analyst)
    expect(page.body).toContain('Payroll bureau')
    expect(page.body).toMatch(/Procurement stagger/)
  })

  test('the confidence form names the missing rating and rationale', async () => {
    const bad = await form(paths.confidence, manager, { cluster: 'matrix', assessedOn: '2026-05-01' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#rating"')
    expect(bad.body).toContain('href="#rationale"')
  })
})
