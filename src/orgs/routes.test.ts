// The directory as people and programs use it: pages over HTTP and the API.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createTestApp, type SignedIn, signIn, type TestApp } from '../platform/testing.ts'

let t: TestApp
let clerk: SignedIn
let orgAdmin: SignedIn

beforeAll(async () => {
  t = await createTestApp()
  clerk = await signIn(t.app, 'finance.clerk@gss.example')
  orgAdmin = await signIn(t.app, 'org.admin@gss.example')
})
afterAll(async () => t?.close())

const get = (url: string, who: SignedIn) =>
  t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } })

describe('directory pages', () => {
  test('the clusters page lists the five clusters with their leads', async () => {
    const page = await get('/clusters', clerk)
    expect(page.statusCode).toBe(200)
    for (const name of ['Synergy', 'Matrix', 'Unity', 'Defence', 'Overseas'])
      expect(page.body).toContain(`>${name}</a>`)
    expect(page.body).toContain('Department for Work and Pensions')
    expect(page.body).toContain('Workday')
  })

  test('a cluster page shows its departments and their arm’s-length bodies', async () => {
    const page = await get('/clusters/unity', clerk)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('HM Revenue and Customs')
    expect(page.body).toContain('Driver and Vehicle Licensing Agency')
    expect(page.body).not.toContain('Home Office')
  })

  test('the organisations list filters by cluster, kind, onboarding and name', async () => {
    const all = await get('/organisations', clerk)
    expect(all.body).toMatch(/data-testid="result-count">59 organisations/)
    const albsInSynergy = await get('/organisations?cluster=synergy&kind=alb', clerk)
    expect(albsInSynergy.body).toContain('HM Courts and Tribunals Service')
    expect(albsInSynergy.body).not.toContain('>Department for Work and Pensions</a></th>')
    const live = await get('/organisations?onboarding=live', clerk)
    expect(live.body).toMatch(/data-testid="result-count">1 organisation</)
    const search = await get('/organisations?q=agency', clerk)
    expect(search.body).toContain('Rural Payments Agency')
    expect(search.body).not.toContain('Natural England')
    const nothing = await get('/organisations?q=zzzz', clerk)
    expect(nothing.body).toContain('No organisations match')
  })

  test('an organisation page shows its sponsor, cluster, onboarding and the bodies it sponsors', async () => {
    const dept = await get('/organisations/defra', clerk)
    expect(dept.body).toContain('Environment Agency')
    expect(dept.body).toContain('Synergy')
    const body = await get('/organisations/environment-agency', clerk)
    expect(body.body).toContain('Non-departmental public body')
    expect(body.body).toContain('href="/organisations/defra"')
    const fcdo = await get('/organisations/fcdo', clerk)
    expect(fcdo.body).toContain('1 April 2022')
  })

  test('an unknown organisation is a helpful 404 page', async () => {
    const page = await get('/organisations/no-such-body', clerk)
    expect(page.statusCode).toBe(404)
    expect(page.body).toContain('There is no organisation with the code no-such-body')
  })

  test('only those who may manage an organisation see the change link', async () => {
    expect((await get('/organisations/cabinet-office', clerk)).body).not.toContain(
      'Change onboarding details',
    )
    expect((await get('/organisations/cabinet-office', orgAdmin)).body).toContain('Change onboarding details')
    expect((await get('/organisations/hmrc', orgAdmin)).body).not.toContain('Change onboarding details')
    const refused = await get('/organisations/hmrc/onboarding', orgAdmin)
    expect(refused.statusCode).toBe(403)
    expect(refused.body).toContain(
      'You do not have permission to change this organisation’s details for HM Revenue and Customs',
    )
  })

  test('a signed-in person’s 404 page keeps their name and navigation', async () => {
    const page = await get('/no/such/page', orgAdmin)
    expect(page.statusCode).toBe(404)
    expect(page.body).toContain('Olu Orgadmin')
    expect(page.body).toContain('href="/organisations"')
  })
})

describe('changing onboarding details', () => {
  const post = (payload: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: '/organisations/cabinet-office/onboarding',
      headers: { cookie: orgAdmin.cookie },
      payload: { _csrf: orgAdmin.csrfToken, ...payload },
    })

  test('a valid change is saved, recorded in the history, and confirmed', async () => {
    const response = await post({
      onboardingStatus: 'planned',
      'planned-day': '1',
      'planned-month': '4',
      'planned-year': '2028',
    })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/organisations/cabinet-office?updated=1')
    const page = await get('/organisations/cabinet-office?updated=1', orgAdmin)
    expect(page.body).toContain('Onboarding details updated')
    expect(page.body).toContain('1 April 2028')
    const history = await t.db.admin.selectFrom('onboarding_events').selectAll().execute()
    expect(history).toContainEqual(
      expect.objectContaining({ onboarding_planned_date: '2028-04-01', onboarding_status: 'planned' }),
    )
  })

  test('a partly entered date names the missing part', async () => {
    const response = await post({ onboardingStatus: 'live', 'live-day': '3', 'live-year': '2027' })
    expect(response.body).toContain('Go-live date must include a month')
  })

  test('an impossible date shows the error summary and keeps what was typed', async () => {
    const response = await post({
      onboardingStatus: 'planned',
      'planned-day': '31',
      'planned-month': '2',
      'planned-year': '2028',
    })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('govuk-error-summary')
    expect(response.body).toContain('href="#planned-day"')
    expect(response.body).toContain('Planned migration date must be a real date')
    expect(response.body).toContain('value="31"')
    expect(response.body).toMatch(/<title>Error: /)
  })

  test('live needs a go-live date', async () => {
    const response = await post({ onboardingStatus: 'live' })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Enter the go-live date for an organisation that is live')
  })

  test('no status chosen is an error, not a crash', async () => {
    const response = await post({})
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Select an onboarding status')
  })
})

describe('directory API', () => {
  test('lists, filters and pages organisations', async () => {
    const { token } = await t.services.auth.createToken(
      { userId: null, orgIds: 'all', actingOrgId: null, requestId: 'test' },
      {
        userId: (
          await t.db.admin
            .selectFrom('users')
            .select('id')
            .where('email', '=', 'auditor@gss.example')
            .executeTakeFirstOrThrow()
        ).id,
        orgId: (
          await t.db.admin
            .selectFrom('organisations')
            .select('id')
            .where('code', '=', 'dsit')
            .executeTakeFirstOrThrow()
        ).id,
        roles: ['auditor'],
        name: 'test',
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    )
    const headers = { authorization: `Bearer ${token}` }
    const page = await t.app.inject({
      method: 'GET',
      url: '/api/v1/organisations?kind=department&limit=5&offset=5',
      headers,
    })
    expect(page.statusCode).toBe(200)
    const body = page.json()
    expect(body.total).toBe(18)
    expect(body.items).toHaveLength(5)
    const clusters = (await t.app.inject({ method: 'GET', url: '/api/v1/clusters', headers })).json()
    expect(clusters.map((c: { code: string }) => c.code).sort()).toEqual([
      'defence',
      'matrix',
      'overseas',
      'synergy',
      'unity',
    ])
    const matrix = (await t.app.inject({ method: 'GET', url: '/api/v1/clusters/matrix', headers })).json()
    expect(matrix.lead).toEqual({ code: 'dsit', name: 'Department for Science, Innovation and Technology' })
    const detail = (await t.app.inject({ method: 'GET', url: '/api/v1/organisations/dft', headers })).json()
    expect(detail.sponsoredBodies.map((b: { code: string }) => b.code)).toContain('dvla')
  })
})
