// Programme money and onboarding over HTTP on the whole app: pages (forms without JavaScript, the
// error summary, CSV) and the API (problem+json naming fields), as a programme manager and analyst.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { asOwner, createTestApp, type SignedIn, signIn, type TestApp } from '../platform/testing.ts'
import { programmeMoneyPaths as paths } from './money-routes.ts'

let t: TestApp
let manager: SignedIn
let analyst: SignedIn

beforeAll(async () => {
  t = await createTestApp()
  // Count from empty registers: the demo world may hold demo rows in them.
  for (const table of [
    'programme_benefit_years',
    'programme_benefits',
    'programme_costs',
    'programme_funding',
    'programme_running_costs',
  ])
    await asOwner(t.db, `delete from ${table}`)
  manager = await signIn(t.app, 'programme.manager@gss.example')
  analyst = await signIn(t.app, 'programme.analyst@gss.example')
}, 300_000)
afterAll(async () => t?.close())

const get = (url: string, who: SignedIn) =>
  t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } })
const form = (url: string, who: SignedIn, payload: Record<string, string>) =>
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

describe('pages on empty registers', () => {
  test('every page renders for an analyst, says there is nothing yet, and offers no changes', async () => {
    for (const [url, empty] of [
      [paths.benefits, 'No benefits recorded yet'],
      [paths.costs, 'No cost lines recorded yet'],
      [paths.funding, 'No funding requests recorded yet'],
      [paths.valueForMoney, 'No running costs recorded'],
    ] as const) {
      const page = await get(url, analyst)
      expect(page.statusCode, url).toBe(200)
      expect(page.body).toContain(empty)
      expect(page.body).not.toMatch(/class="govuk-button" href="\/programme\/[a-z-]+\/new"/)
    }
    const onboarding = await get(paths.onboarding, analyst)
    expect(onboarding.statusCode).toBe(200)
    expect(onboarding.body).toContain('Foreign, Commonwealth and Development Office')
    expect(onboarding.body).not.toContain('>Schedule<')
    expect((await get(paths.divergences, analyst)).statusCode).toBe(200)
    expect((await get(paths.plan, analyst)).statusCode).toBe(200)
    // Forms are for managers only.
    expect((await get(paths.newBenefit, analyst)).statusCode).toBe(403)
  })
})

describe('benefits', () => {
  let id: string

  test('the add form re-renders with the error summary and the values typed, then saves', async () => {
    const bad = await form(paths.newBenefit, manager, {
      reference: 'BEN-1',
      title: 'Fewer ledgers',
      kind: 'cashable',
      owner: '',
      baseline: '12.345',
      cluster: 'matrix',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('There is a problem')
    expect(bad.body).toContain('href="#baseline"')
    expect(bad.body).toContain('Enter the baseline as an amount of money')
    expect(bad.body).toContain('value="Fewer ledgers"')
    const noOwner = await form(paths.newBenefit, manager, {
      reference: 'BEN-1',
      title: 'Fewer ledgers',
      kind: 'cashable',
      owner: '',
      baseline: '1,000,000',
      cluster: 'matrix',
    })
    expect(noOwner.statusCode).toBe(400)
    expect(noOwner.body).toContain('href="#owner"')
    const saved = await form(paths.newBenefit, manager, {
      reference: 'BEN-1',
      title: 'Fewer ledgers',
      kind: 'cashable',
      owner: 'Matrix SRO',
      baseline: '£1,000,000',
      cluster: 'matrix',
    })
    expect(saved.statusCode).toBe(303)
    id = saved.headers.location!.split('/').pop()!
    const page = await get(saved.headers.location!, manager)
    expect(page.body).toContain('BEN-1: Fewer ledgers')
    expect(page.body).toContain('£1,000,000.00')
  })

  test('a realised year without evidence is refused on the page and the API, naming the field', async () => {
    const page = await form(paths.benefitYears(id), manager, {
      fiscalYear: '2025',
      forecast: '500000',
      realised: '250000',
      evidence: '',
    })
    expect(page.statusCode).toBe(400)
    expect(page.body).toContain('href="#evidence"')
    const api = await send('PUT', `${paths.api.benefits}/${id}/years/2025`, manager, {
      forecastPence: 500_000_00,
      realisedPence: 250_000_00,
    })
    expect(api.statusCode).toBe(400)
    expect(api.headers['content-type']).toMatch(/problem\+json/)
    expect(api.json().errors).toEqual([{ field: '/evidence', message: expect.stringMatching(/evidence/) }])
    const ok = await form(paths.benefitYears(id), manager, {
      fiscalYear: '2025',
      forecast: '500000',
      realised: '250000',
      evidence: 'Two legacy ledgers switched off, contract exit letters on file',
    })
    expect(ok.statusCode).toBe(303)
    const list = await get(`${paths.api.benefits}?cluster=matrix`, analyst)
    expect(list.json().summary).toMatchObject({
      benefits: 1,
      cashableForecastPence: 500_000_00,
      cashableRealisedPence: 250_000_00,
    })
    const csv = await get(`${paths.benefits}?format=csv`, analyst)
    expect(csv.headers['content-type']).toMatch(/text\/csv/)
    expect(csv.body.split('\r\n')[0]).toBe(
      'Reference,Title,Cluster,Kind,Owner,Baseline (£),Fiscal year,Forecast (£),Realised (£),Evidence,Demo data',
    )
    expect(csv.body).toContain(
      'BEN-1,Fewer ledgers,Matrix,Cashable,Matrix SRO,1000000.00,2025-26,500000.00,250000.00',
    )
  })

  test('an analyst cannot write through the API or the pages', async () => {
    const api = await send('POST', paths.api.benefits, analyst, {
      reference: 'BEN-2',
      title: 'Analyst',
      kind: 'cashable',
      owner: 'A B',
    })
    expect(api.statusCode).toBe(403)
    const page = await form(paths.newBenefit, analyst, {
      reference: 'BEN-2',
      title: 'x',
      kind: 'cashable',
      owner: 'A',
    })
    expect(page.statusCode).toBe(403)
    const unknown = await send('POST', paths.api.benefits, manager, {
      reference: 'BEN-3',
      title: 'Strict',
      kind: 'cashable',
      owner: 'A B',
      colour: 'blue',
    })
    expect(unknown.statusCode).toBe(400)
  })
})

describe('costs, funding and value for money', () => {
  test('a ledger cost line shows the ledger’s spend; a manual one says it was recorded by hand', async () => {
    const ledger = await send('POST', paths.api.costs, manager, {
      cluster: 'matrix',
      fiscalYear: 2026,
      title: 'Matrix service centre',
      category: 'running',
      budgetPence: 10_000_000_00,
      spendSource: 'ledger',
      ledgerOrg: 'cabinet-office',
      ledgerCostCentre: 'CORP',
    })
    expect(ledger.statusCode).toBe(201)
    expect(ledger.json().provenance).toMatch(/From the ledger: Cabinet Office, cost centre CORP/)
    const badForm = await form(paths.newCost, manager, {
      cluster: 'matrix',
      fiscalYear: '2026',
      title: 'Wrong org',
      category: 'other',
      budget: '100',
      spendSource: 'ledger',
      ledgerOrg: 'hmrc',
      ledgerCostCentre: 'CORP',
    })
    expect(badForm.statusCode).toBe(400)
    expect(badForm.body).toContain('href="#ledgerOrg"')
    const manual = await form(paths.newCost, manager, {
      cluster: '',
      fiscalYear: '2026',
      title: 'Programme team',
      category: 'programme_team',
      budget: '2,000,000',
      spendSource: 'manual',
      manualSpend: '750000',
    })
    expect(manual.statusCode).toBe(303)
    const page = await get(`${paths.costs}?fiscalYear=2026`, analyst)
    expect(page.body).toContain('Recorded by hand')
    expect(page.body).toContain('Programme total')
    const api = await get(`${paths.api.costs}?fiscalYear=2026`, analyst)
    expect(api.json().summary).toMatchObject({
      lines: 2,
      budgetPence: 12_000_000_00,
      manualSpendPence: 750_000_00,
      spendToDatePence: 750_000_00 + ledger.json().spendToDatePence,
    })
  })

  test('funding: the public figures, and a decision rule refused on the form', async () => {
    const saved = await form(paths.newFunding, manager, {
      cluster: '',
      spendingReview: 'SR21',
      periodLabel: '2022-25',
      requestedLow: '382000000',
      requestedHigh: '403000000',
      decision: 'part_approved',
      approved: '300000000',
    })
    expect(saved.statusCode).toBe(303)
    const page = await get(paths.funding, analyst)
    expect(page.body).toContain('SR21: 2022-25')
    expect(page.body).toContain('£382,000,000.00 to £403,000,000.00')
    expect(page.body).toContain('£300,000,000.00')
    const bad = await form(paths.newFunding, manager, {
      spendingReview: 'SR25',
      periodLabel: '2026-29',
      requestedLow: '10',
      requestedHigh: '5',
      decision: 'approved',
      approved: '',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#requestedHigh"')
    expect(bad.body).toContain('href="#approved"')
    const summary = await get(`${paths.api.summary}`, analyst)
    expect(summary.json().funding).toMatchObject({ requests: 1, approvedPence: 300_000_000_00 })
  })

  test('value for money: a running cost recorded on the page appears, with an unknown share without a return', async () => {
    const saved = await form(paths.newRunningCost, manager, {
      org: 'dfe',
      fiscalYear: '2026',
      runningCost: '45000000',
      provenance: 'estimated',
    })
    expect(saved.statusCode).toBe(303)
    const page = await get(`${paths.valueForMoney}?fiscalYear=2026`, analyst)
    expect(page.body).toContain('Department for Education')
    expect(page.body).toContain('£45,000,000.00')
    const api = await get(`${paths.api.valueForMoney}?fiscalYear=2026&cluster=matrix`, analyst)
    expect(api.json().items[0]).toMatchObject({ org: { code: 'dfe' }, runningCostPence: 45_000_000_00 })
  })
})

describe('onboarding', () => {
  test('a manager schedules an ALB on the page; it leaves the plan and the history shows it', async () => {
    const plan = await get(`${paths.api.onboarding}/plan?cluster=matrix`, analyst)
    const body = plan.json().groups[0].bodies[0]
    const bad = await form(paths.schedule(body.code), manager, {
      status: 'planned',
      plannedDate: '2027-13-01',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#plannedDate"')
    const saved = await form(paths.schedule(body.code), manager, {
      status: 'planned',
      plannedDate: '2027-11-01',
      note: 'Wave 4 with its sponsor',
    })
    expect(saved.statusCode).toBe(303)
    const after = await get(`${paths.api.onboarding}/plan?cluster=matrix`, analyst)
    const codes = after
      .json()
      .groups.flatMap((g: { bodies: Array<{ code: string }> }) => g.bodies.map((b) => b.code))
    expect(codes).not.toContain(body.code)
    const history = await get(paths.schedule(body.code), manager)
    expect(history.body).toContain('Wave 4 with its sponsor')
    const list = await get(`${paths.api.onboarding}?cluster=matrix&kind=alb`, analyst)
    expect(list.json().items.find((row: { code: string }) => row.code === body.code)).toMatchObject({
      status: 'planned',
      plannedDate: '2027-11-01',
    })
  })

  test('the API schedules for managers only; CSV of the list', async () => {
    const refused = await send('POST', `${paths.api.onboarding}/dsit/schedule`, analyst, {
      status: 'planned',
      plannedDate: '2027-01-01',
    })
    expect(refused.statusCode).toBe(403)
    const late = await get(`${paths.api.onboarding}?late=true`, analyst)
    for (const row of late.json().items) expect(row.late).toBe(true)
    const openapi = await get('/api/v1/openapi.json', analyst)
    expect(openapi.statusCode).toBe(200)
    for (const path of [
      paths.api.benefits,
      paths.api.costs,
      paths.api.funding,
      paths.api.valueForMoney,
      paths.api.onboarding,
      paths.api.summary,
    ])
      expect(Object.keys(openapi.json().paths)).toContain(path)
    const csv = await get(`${paths.onboarding}?format=csv&cluster=unity`, analyst)
    expect(csv.headers['content-type']).toMatch(/text\/csv/)
    expect(csv.body).toContain('HM Revenue and Customs')
    expect(csv.body).not.toContain('Cabinet Office')
  })
})
