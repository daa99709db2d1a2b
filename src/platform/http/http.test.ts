// The HTTP shell's guarantees, driven through the real app: permissions on every route,
// problem+json errors, idempotency, CSRF, sign-in throttling, tokens, headers and rate limits.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Role } from '../auth/permissions.ts'
import { PERMISSIONS } from '../auth/permissions.ts'
import { orgId, uuidFromName } from '../ids.ts'
import { createTestApp, signIn, type TestApp } from '../testing.ts'

let t: TestApp
let adminToken: string
let clerkToken: string

async function tokenFor(email: string, org: string, roles: Role[], days = 1) {
  const userId = uuidFromName(`user:${email}`)
  const created = await t.services.auth.createToken(
    { userId, orgIds: [orgId(org)], actingOrgId: orgId(org), requestId: 'test' },
    { userId, orgId: orgId(org), roles, name: 'test', expiresAt: new Date(Date.now() + days * 86_400_000) },
  )
  return created
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

beforeAll(async () => {
  t = await createTestApp()
  adminToken = (await tokenFor('platform.admin@gss.example', 'cabinet-office', ['platform_admin'])).token
  clerkToken = (await tokenFor('finance.clerk@gss.example', 'cabinet-office', ['finance_clerk'])).token
})
afterAll(async () => t?.close())

describe('permissions', () => {
  test('every registered route declares a known permission', () => {
    const allowed = new Set<string>([...PERMISSIONS, 'public', 'authenticated'])
    expect(t.app.routeCatalog.length).toBeGreaterThan(20)
    const undeclared = t.app.routeCatalog.filter(
      (route) => !route.permission || !allowed.has(route.permission),
    )
    expect(undeclared).toEqual([])
  })

  test('every non-public route refuses an anonymous caller', async () => {
    const failures: string[] = []
    for (const route of t.app.routeCatalog) {
      if (route.permission === 'public') continue
      const url = route.url
        .replace(':orgCode', 'cabinet-office')
        .replace(':code', 'cabinet-office')
        .replace(':tokenId', '00000000-0000-0000-0000-000000000001')
        .replace(':journalId', '00000000-0000-0000-0000-000000000001')
        .replace(':rechargeId', '00000000-0000-0000-0000-000000000001')
        .replace(':fiscalYear', '2026')
        .replace(':period', '1')
        .replace('*', 'x')
      const response = await t.app.inject({
        method: route.method as 'GET',
        url,
        payload: route.method === 'GET' ? undefined : {},
      })
      const refused =
        response.statusCode === 401 ||
        (response.statusCode === 302 && String(response.headers.location).startsWith('/sign-in')) ||
        // A form post without a session fails CSRF before anything else can happen.
        response.statusCode === 403
      if (!refused) failures.push(`${route.method} ${route.url} → ${response.statusCode}`)
    }
    expect(failures).toEqual([])
  })

  test('a role without the permission is refused with 403 problem+json', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: bearer(clerkToken),
      payload: { code: 'new-body', name: 'New Body', kind: 'ndpb', sponsorCode: 'cabinet-office' },
    })
    expect(response.statusCode).toBe(403)
    expect(response.headers['content-type']).toContain('application/problem+json')
    expect(response.json()).toMatchObject({
      type: '/problems/forbidden',
      status: 403,
      detail: 'You do not have permission to add organisations',
    })
  })

  test('an org-scoped route checks the organisation named in the path', async () => {
    const orgAdmin = (await tokenFor('org.admin@gss.example', 'cabinet-office', ['org_admin'])).token
    const own = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/organisations/cabinet-office/onboarding',
      headers: bearer(orgAdmin),
      payload: { onboardingPlannedDate: '2027-06-01', note: 'Moved after testing' },
    })
    expect(own.statusCode).toBe(200)
    expect(own.json()).toMatchObject({ code: 'cabinet-office', onboardingPlannedDate: '2027-06-01' })
    const other = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/organisations/hmrc/onboarding',
      headers: bearer(orgAdmin),
      payload: { onboardingPlannedDate: '2027-06-01' },
    })
    expect(other.statusCode).toBe(403)
  })
})

describe('problem+json', () => {
  test('an unknown field is refused, naming it', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: bearer(adminToken),
      payload: { code: 'x-body', name: 'X Body', kind: 'ndpb', sponsorCode: 'dwp', colour: 'blue' },
    })
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(response.json()).toMatchObject({
      type: '/problems/validation',
      title: 'Your request has errors',
      status: 400,
      instance: '/api/v1/organisations',
      errors: [{ field: '/colour', message: 'colour is not a recognised field' }],
    })
  })

  test('a wrong type is refused, naming the field, without coercion', async () => {
    const response = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/organisations/cabinet-office/onboarding',
      headers: bearer(adminToken),
      payload: { onboardingStatus: 7, onboardingPlannedDate: 20270101 },
    })
    expect(response.statusCode).toBe(400)
    const fields = response.json().errors.map((e: { field: string }) => e.field)
    expect(fields).toContain('/onboardingStatus')
    expect(fields).toContain('/onboardingPlannedDate')
  })

  test('a bad query parameter names the parameter', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/organisations?limit=lots',
      headers: bearer(clerkToken),
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().errors[0].field).toBe('/querystring/limit')
  })

  test('a business rule is a 422 naming the field', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: bearer(adminToken),
      payload: {
        code: 'diverging-body',
        name: 'Diverging Body',
        kind: 'ndpb',
        sponsorCode: 'dwp',
        clusterCode: 'matrix',
      },
    })
    expect(response.statusCode).toBe(422)
    expect(response.json().errors[0].field).toBe('/clusterDivergenceReason')
  })

  test('unknown API paths are problem+json 404s', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/nothing-here',
      headers: bearer(clerkToken),
    })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({ type: '/problems/not-found', status: 404 })
  })
})

describe('Idempotency-Key', () => {
  const body = { code: 'idempotent-body', name: 'Idempotent Body', kind: 'ndpb', sponsorCode: 'dwp' }

  test('the same key and body returns the first response again, and acts once', async () => {
    const headers = { ...bearer(adminToken), 'idempotency-key': 'create-idempotent-body-1' }
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/organisations', headers, payload: body })
    expect(first.statusCode).toBe(201)
    const second = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers,
      payload: { ...body },
    })
    expect(second.statusCode).toBe(201)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(second.json()).toEqual(first.json())
    const { rows } = await sql<{
      n: number
    }>`select count(*)::int as n from organisations where code = 'idempotent-body'`.execute(t.db.admin)
    expect(rows[0]!.n).toBe(1)
  })

  test('the same key with a different body is refused with 422', async () => {
    const headers = { ...bearer(adminToken), 'idempotency-key': 'create-idempotent-body-1' }
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers,
      payload: { ...body, name: 'Changed' },
    })
    expect(response.statusCode).toBe(422)
    expect(response.json()).toMatchObject({ type: '/problems/idempotency-key-reused' })
  })

  test('a replayed failure is the same failure', async () => {
    const headers = { ...bearer(adminToken), 'idempotency-key': 'dup-code' }
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/organisations', headers, payload: body })
    expect(first.statusCode).toBe(409)
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/organisations', headers, payload: body })
    expect(again.statusCode).toBe(409)
    expect(again.headers['idempotent-replayed']).toBe('true')
  })

  test('keys belong to their caller', async () => {
    const orgAdmin = (await tokenFor('org.admin@gss.example', 'cabinet-office', ['org_admin'])).token
    const payload = { onboardingPlannedDate: '2027-07-01' }
    const mine = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/organisations/cabinet-office/onboarding',
      headers: { ...bearer(orgAdmin), 'idempotency-key': 'shared-key' },
      payload,
    })
    const theirs = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/organisations/cabinet-office/onboarding',
      headers: { ...bearer(adminToken), 'idempotency-key': 'shared-key' },
      payload,
    })
    expect(mine.statusCode).toBe(200)
    expect(theirs.statusCode).toBe(200)
    expect(theirs.headers['idempotent-replayed']).toBeUndefined()
  })
})

describe('CSRF', () => {
  test('a form post without the session’s token is refused', async () => {
    const { cookie } = await signIn(t.app, 'finance.clerk@gss.example')
    const response = await t.app.inject({
      method: 'POST',
      url: '/switch-organisation',
      headers: { cookie },
      payload: { orgId: orgId('dsit'), returnTo: '/' },
    })
    expect(response.statusCode).toBe(403)
    expect(response.body).toContain('Your form has expired')
  })

  test('a token from another session is refused; the right one works', async () => {
    const mine = await signIn(t.app, 'finance.clerk@gss.example')
    const other = await signIn(t.app, 'org.admin@gss.example')
    const forged = await t.app.inject({
      method: 'POST',
      url: '/switch-organisation',
      headers: { cookie: mine.cookie },
      payload: { orgId: orgId('dsit'), _csrf: other.csrfToken },
    })
    expect(forged.statusCode).toBe(403)
    const real = await t.app.inject({
      method: 'POST',
      url: '/switch-organisation',
      headers: { cookie: mine.cookie },
      payload: { orgId: orgId('dsit'), _csrf: mine.csrfToken, returnTo: '/organisations' },
    })
    expect(real.statusCode).toBe(303)
    expect(real.headers.location).toBe('/organisations')
  })

  test('the sign-in form needs its pre-session token', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      payload: { email: 'finance.clerk@gss.example', password: 'demo-password' },
    })
    expect(response.statusCode).toBe(403)
  })

  test('an API call riding on a session cookie needs the X-CSRF-Token header', async () => {
    const { cookie, csrfToken } = await signIn(t.app, 'platform.admin@gss.example')
    const payload = { onboardingPlannedDate: '2027-08-01' }
    const url = '/api/v1/organisations/dwp/onboarding'
    expect((await t.app.inject({ method: 'PATCH', url, headers: { cookie }, payload })).statusCode).toBe(403)
    expect(
      (await t.app.inject({ method: 'PATCH', url, headers: { cookie, 'x-csrf-token': csrfToken }, payload }))
        .statusCode,
    ).toBe(200)
  })
})

describe('sign-in', () => {
  async function attempt(email: string, password: string) {
    const form = await t.app.inject({ method: 'GET', url: '/sign-in' })
    const cookie = form.cookies.find((c) => c.name === 'gss_csrf')!
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
    return t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { cookie: `gss_csrf=${cookie.value}` },
      payload: { email, password, _csrf: token },
    })
  }

  test('a wrong password shows the error summary without saying which part was wrong', async () => {
    const response = await attempt('hr.officer@gss.example', 'wrong-password')
    expect(response.statusCode).toBe(401)
    expect(response.body).toContain('govuk-error-summary')
    expect(response.body).toContain('Enter a correct email address and password')
  })

  test('repeated failures lock the account, even against the right password', async () => {
    for (let i = 0; i < 5; i++)
      expect((await attempt('payroll.approver@gss.example', `wrong-${i}`)).statusCode).toBe(401)
    const locked = await attempt('payroll.approver@gss.example', 'demo-password')
    expect(locked.statusCode).toBe(429)
    expect(locked.headers['retry-after']).toMatch(/^\d+$/)
    expect(locked.body).toContain('Too many failed sign-in attempts')
    // Other accounts are unaffected.
    expect((await attempt('auditor@gss.example', 'demo-password')).statusCode).toBe(303)
  })

  test('the lock lifts after the lock-out period', async () => {
    for (let i = 0; i < 5; i++) await attempt('procurement.officer@gss.example', `wrong-${i}`)
    expect((await attempt('procurement.officer@gss.example', 'demo-password')).statusCode).toBe(429)
    await sql`update sign_in_attempts set at = at - interval '1 hour' where email = 'procurement.officer@gss.example'`.execute(
      t.db.admin,
    )
    expect((await attempt('procurement.officer@gss.example', 'demo-password')).statusCode).toBe(303)
  })

  test('passwords are stored as argon2id hashes', async () => {
    const { rows } = await sql<{
      password_hash: string
    }>`select password_hash from users where email = 'employee@gss.example'`.execute(t.db.admin)
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  })

  test('sign-out ends the session', async () => {
    const { cookie, csrfToken } = await signIn(t.app, 'employee@gss.example')
    expect((await t.app.inject({ method: 'GET', url: '/', headers: { cookie } })).statusCode).toBe(200)
    const out = await t.app.inject({
      method: 'POST',
      url: '/sign-out',
      headers: { cookie },
      payload: { _csrf: csrfToken },
    })
    expect(out.statusCode).toBe(303)
    const after = await t.app.inject({ method: 'GET', url: '/', headers: { cookie } })
    expect(after.statusCode).toBe(302)
    expect(after.headers.location).toBe('/sign-in?returnTo=%2F')
  })

  test('the session cookie is HttpOnly and SameSite', async () => {
    const form = await t.app.inject({ method: 'GET', url: '/sign-in' })
    const pre = form.cookies.find((c) => c.name === 'gss_csrf')!
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
    const response = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { cookie: `gss_csrf=${pre.value}` },
      payload: { email: 'employee@gss.example', password: 'demo-password', _csrf: token },
    })
    const session = response.cookies.find((c) => c.name === 'gss_session')!
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
  })
})

describe('API tokens', () => {
  test('a valid token authenticates; an expired one is refused with the reason', async () => {
    const { id, token } = await tokenFor('finance.clerk@gss.example', 'cabinet-office', ['finance_clerk'])
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).json(),
    ).toMatchObject({
      email: 'finance.clerk@gss.example',
      via: 'token',
      roles: [{ role: 'finance_clerk', orgId: orgId('cabinet-office') }],
    })
    await sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${id}`.execute(
      t.db.admin,
    )
    const expired = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })
    expect(expired.statusCode).toBe(401)
    expect(expired.json().detail).toBe('The bearer token has expired')
  })

  test('a revoked token is refused', async () => {
    const { id, token } = await tokenFor('finance.clerk@gss.example', 'cabinet-office', ['finance_clerk'])
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${id}`,
      headers: bearer(token),
    })
    expect(revoke.statusCode).toBe(204)
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })
    expect(after.statusCode).toBe(401)
    expect(after.json().detail).toBe('The bearer token has been revoked')
  })

  test('tokens are stored hashed, and an unknown token is refused', async () => {
    const { id, token } = await tokenFor('finance.clerk@gss.example', 'cabinet-office', ['finance_clerk'])
    const { rows } = await sql<{
      token_hash: string
    }>`select token_hash from api_tokens where id = ${id}`.execute(t.db.admin)
    expect(rows[0]!.token_hash).not.toContain(token.slice(4))
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/)
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(`${token}x`) })
    expect(unknown.statusCode).toBe(401)
    expect(unknown.headers['www-authenticate']).toContain('Bearer')
  })

  test('a token cannot carry a role its user does not hold', async () => {
    await expect(
      tokenFor('finance.clerk@gss.example', 'cabinet-office', ['payroll_approver']),
    ).rejects.toThrow(/does not hold/)
    await expect(tokenFor('finance.clerk@gss.example', 'hmrc', ['finance_clerk'])).rejects.toThrow(
      /does not hold/,
    )
  })

  test('a user creates and revokes their own token through the API', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(clerkToken),
      payload: {
        name: 'reporting',
        orgId: orgId('cabinet-office'),
        roles: ['finance_clerk'],
        expiresInDays: 7,
      },
    })
    expect(created.statusCode).toBe(201)
    const { id, token } = created.json()
    expect(token).toMatch(/^gss_/)
    // Another user cannot revoke it.
    const other = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${id}`,
      headers: bearer(adminToken),
    })
    expect(other.statusCode).toBe(404)
  })
})

describe('headers, request ids and rate limits', () => {
  test('each page gets its own CSP nonce, used by its scripts', async () => {
    const a = await t.app.inject({ method: 'GET', url: '/sign-in' })
    const b = await t.app.inject({ method: 'GET', url: '/sign-in' })
    const nonce = (csp: unknown) => /script-src 'self' 'nonce-([^']+)'/.exec(String(csp))![1]
    expect(nonce(a.headers['content-security-policy'])).not.toBe(nonce(b.headers['content-security-policy']))
    expect(a.body).toContain(`nonce="${nonce(a.headers['content-security-policy'])}"`)
    expect(a.headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(a.headers['x-content-type-options']).toBe('nosniff')
  })

  test('health answers whatever credentials come with the probe', async () => {
    const stale = await t.app.inject({
      method: 'GET',
      url: '/health?probe=1',
      headers: { authorization: 'Basic abc' },
    })
    expect(stale.statusCode).toBe(200)
  })

  test('every response carries a request id, and a supplied one is kept', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'trace-12345678' },
    })
    expect(response.headers['x-request-id']).toBe('trace-12345678')
    const problem = await t.app.inject({ method: 'GET', url: '/api/v1/me' })
    expect(problem.json().requestId).toBe(problem.headers['x-request-id'])
  })

  test('a client over its rate gets 429 problem+json', async () => {
    const limited = await createTestApp({ rateLimitPerMinute: 3 }, false)
    try {
      const statuses: number[] = []
      for (let i = 0; i < 5; i++)
        statuses.push((await limited.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).statusCode)
      expect(statuses).toEqual([200, 200, 200, 429, 429])
      const response = await limited.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
      expect(response.headers['content-type']).toContain('application/problem+json')
      expect(response.json().type).toBe('/problems/too-many-requests')
    } finally {
      await limited.close()
    }
  })
})

describe('OpenAPI', () => {
  test('the document is OpenAPI 3.1 and describes the API from the validating schemas', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths).every((p: string) => p.startsWith('/api/v1'))).toBe(true)
    const create = doc.paths['/api/v1/organisations'].post
    expect(create.requestBody.content['application/json'].schema).toMatchObject({
      additionalProperties: false,
      required: expect.arrayContaining(['code', 'name', 'kind']),
    })
    expect(create.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'idempotency-key' }),
    )
    expect(doc.paths['/api/v1/organisations/{orgCode}/onboarding'].patch).toBeDefined()
  })
})
