// Single sign-on end to end: a real OpenID Connect issuer (oidc-provider) and the GSS app, each on
// its own local port, driven with plain HTTP the way a browser would: GSS redirects to the issuer,
// the issuer's interaction signs an account in and grants consent, the issuer redirects back to
// GSS's callback, and GSS either starts a session or explains on the sign-in page why it cannot.
import { generateKeyPairSync } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
// @ts-expect-error oidc-provider ships no type declarations; the part used here is described below.
import OidcProvider from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildApp } from '../../app.ts'
import type { App } from '../http/app.ts'
import { createTestApp, type TestApp } from '../testing.ts'

// --- The identity provider -------------------------------------------------------------------

interface Interaction {
  uid: string
  prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[] } }
  params: { client_id: string }
  session?: { accountId: string }
  grantId?: string
}
interface Grant {
  addOIDCScope(scope: string): void
  addOIDCClaims(claims: string[]): void
  save(): Promise<string>
}
interface Provider {
  callback(): http.RequestListener
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<Interaction>
  interactionFinished(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>
  Grant: (new (properties: {
    accountId: string
    clientId: string
  }) => Grant) & { find(id: string): Promise<Grant | undefined> }
  on(event: 'server_error', listener: (ctx: unknown, error: Error) => void): void
}
const Provider = OidcProvider as new (issuer: string, configuration: Record<string, unknown>) => Provider

/** The people the identity provider knows, by subject. */
const IDP_ACCOUNTS: Record<string, { email?: string; email_verified?: boolean; name: string }> = {
  // A demo user; the identity provider spells the address with capitals.
  'idp-fran': { email: 'Finance.Clerk@gss.example', email_verified: true, name: 'Fran Clerk' },
  // Someone with no GSS account.
  'idp-stranger': { email: 'stranger@elsewhere.example', email_verified: true, name: 'Sam Stranger' },
  // A demo user's address that the identity provider says it has not verified...
  'idp-unverified': { email: 'hr.officer@gss.example', email_verified: false, name: 'Hana People' },
  // ...and one it does not say it has verified.
  'idp-unsure': { email: 'payroll.officer@gss.example', name: 'Paul Payroll' },
  // A second identity claiming the address of an account already linked to idp-fran.
  'idp-impostor': { email: 'finance.clerk@gss.example', email_verified: true, name: 'Not Fran' },
  // An identity that shares no email address at all.
  'idp-no-email': { name: 'Nobody' },
  // A demo user whose account an administrator disables.
  'idp-emma': { email: 'employee@gss.example', email_verified: true, name: 'Emma Employee' },
}

/** The provider's storage: in memory, as its default, but declared so it does not warn about it. */
class MemoryAdapter {
  static readonly entries = new Map<string, Record<string, unknown>>()
  readonly #model: string
  constructor(model: string) {
    this.#model = model
  }
  #all() {
    return [...MemoryAdapter.entries].filter(([key]) => key.startsWith(`${this.#model}:`))
  }
  async upsert(id: string, payload: Record<string, unknown>) {
    MemoryAdapter.entries.set(`${this.#model}:${id}`, payload)
  }
  async find(id: string) {
    return MemoryAdapter.entries.get(`${this.#model}:${id}`)
  }
  async findByUid(uid: string) {
    return this.#all().find(([, payload]) => payload.uid === uid)?.[1]
  }
  async findByUserCode(userCode: string) {
    return this.#all().find(([, payload]) => payload.userCode === userCode)?.[1]
  }
  async consume(id: string) {
    const payload = await this.find(id)
    if (payload) payload.consumed = Math.floor(Date.now() / 1000)
  }
  async destroy(id: string) {
    MemoryAdapter.entries.delete(`${this.#model}:${id}`)
  }
  async revokeByGrantId(grantId: string) {
    for (const [key, payload] of this.#all()) {
      if (payload.grantId === grantId) MemoryAdapter.entries.delete(key)
    }
  }
}

/** The cookie that binds a sign-in in flight to the browser that started it. */
const STATE_COOKIE = 'gss_oidc_state'
const CLIENT_ID = 'gss-test'
const CLIENT_SECRET = 'a-client-secret-long-enough-for-hs256-signing-0123456789'

/** An HTTP server on a free local port whose handler is given later, once its URL is known. */
async function lateBoundServer() {
  let listener: http.RequestListener | undefined
  const server = http.createServer((req, res) => {
    if (listener) listener(req, res)
    else res.writeHead(503).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handle(handler: http.RequestListener) {
      listener = handler
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

// --- A browser: follows redirects by hand and keeps each site's cookies ------------------------

interface Hop {
  url: URL
  status: number
  location: URL | undefined
  setCookies: string[]
  body: string
}

class Browser {
  readonly #jar = new Map<string, Map<string, string>>()

  cookieHeader(url: URL): string {
    return [...(this.#jar.get(url.origin) ?? new Map<string, string>())]
      .map(([name, value]) => `${name}=${value}`)
      .join('; ')
  }

  cookie(origin: string, name: string): string | undefined {
    return this.#jar.get(origin)?.get(name)
  }

  setCookie(origin: string, name: string, value: string): void {
    const jar = this.#jar.get(origin) ?? new Map<string, string>()
    this.#jar.set(origin, jar)
    jar.set(name, value)
  }

  async get(url: URL): Promise<Hop> {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: this.cookieHeader(url) } })
    const setCookies = response.headers.getSetCookie()
    const jar = this.#jar.get(url.origin) ?? new Map<string, string>()
    this.#jar.set(url.origin, jar)
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const name = pair.slice(0, pair.indexOf('='))
      const value = pair.slice(pair.indexOf('=') + 1)
      const expired = attributes.some(
        (attribute) =>
          /^max-age=0$/i.test(attribute) ||
          (/^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) <= Date.now()),
      )
      if (expired || value === '') jar.delete(name)
      else jar.set(name, value)
    }
    const location = response.headers.get('location')
    return {
      url,
      status: response.status,
      location: location === null ? undefined : new URL(location, url),
      setCookies,
      body: await response.text(),
    }
  }

  /** Follows redirects from url until a page (or the stop condition) is reached. */
  async follow(url: URL, stopBefore?: (url: URL) => boolean): Promise<Hop[]> {
    const hops: Hop[] = []
    let next: URL | undefined = url
    while (next && !stopBefore?.(next)) {
      if (hops.length > 15) {
        throw new Error(`too many redirects: ${hops.map((hop) => hop.url.href).join(' -> ')}`)
      }
      const hop: Hop = await this.get(next)
      hops.push(hop)
      next = hop.status >= 300 && hop.status < 400 ? hop.location : undefined
    }
    return hops
  }
}

// --- The two applications under test ---------------------------------------------------------

let t: TestApp
/** The same deployment without single sign-on, and with an issuer that is not there. */
let plain: App
let unreachable: App
let provider: Provider
let issuer: string
let gssUrl: string
const closers: Array<() => Promise<void>> = []
/** What the person at the identity provider does next: sign in as this subject, or cancel. */
let nextAtIdp: { account: string } | 'cancel' = { account: 'idp-fran' }
const providerErrors: Error[] = []

/** The issuer's login and consent screens, answered as nextAtIdp says. */
async function interact(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const interaction = await provider.interactionDetails(req, res)
  if (nextAtIdp === 'cancel') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user cancelled signing in' },
      { mergeWithLastSubmission: false },
    )
  } else if (interaction.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: nextAtIdp.account } })
  } else if (interaction.prompt.name === 'consent') {
    const grant =
      (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ??
      new provider.Grant({
        accountId: interaction.session!.accountId,
        clientId: interaction.params.client_id,
      })
    const { missingOIDCScope = [], missingOIDCClaims = [] } = interaction.prompt.details
    if (missingOIDCScope.length > 0) grant.addOIDCScope(missingOIDCScope.join(' '))
    if (missingOIDCClaims.length > 0) grant.addOIDCClaims(missingOIDCClaims)
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId: await grant.save() } },
      { mergeWithLastSubmission: true },
    )
  } else {
    res.writeHead(501).end(`prompt ${interaction.prompt.name} is not implemented by this test`)
  }
}

beforeAll(async () => {
  const [gssServer, idpServer] = await Promise.all([lateBoundServer(), lateBoundServer()])
  closers.push(gssServer.close, idpServer.close)
  gssUrl = gssServer.url
  issuer = idpServer.url
  const redirectUri = `${gssUrl}/sign-in/oidc/callback`

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['test-cookie-signing-key'] },
    adapter: MemoryAdapter,
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    // As the specification says (and GOV.UK One Login does): in the code flow the ID token carries
    // only the subject; email and email_verified come from the UserInfo endpoint.
    conformIdTokenClaims: true,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(_ctx: unknown, sub: string) {
      const account = IDP_ACCOUNTS[sub]
      if (!account) return undefined
      return { accountId: sub, claims: async () => ({ sub, ...account }) }
    },
  })
  provider.on('server_error', (_ctx, error) => providerErrors.push(error))
  const providerCallback = provider.callback()
  idpServer.handle((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((error: Error) => {
        providerErrors.push(error)
        if (!res.headersSent) res.writeHead(500).end(error.message)
      })
    } else providerCallback(req, res)
  })

  const oidc = { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri, label: 'Test IdP' }
  t = await createTestApp({ baseUrl: gssUrl, oidc })
  closers.push(t.close)
  gssServer.handle((req, res) => t.app.routing(req, res))
  // Port 9 (discard) on this machine: nothing answers there.
  ;[plain, unreachable] = await Promise.all([
    buildApp({ ...t.config, oidc: undefined }, t.db).then(({ app }) => app),
    buildApp({ ...t.config, oidc: { ...oidc, issuer: 'http://127.0.0.1:9' } }, t.db).then(({ app }) => app),
  ])
  closers.push(
    () => plain.close(),
    () => unreachable.close(),
  )
})

afterAll(async () => {
  for (const close of closers.reverse()) await close()
})

const isCallback = (url: URL) => url.origin === gssUrl && url.pathname === '/sign-in/oidc/callback'

/** A fresh browser signs in through the identity provider as `account` (or cancels there). */
async function signInThroughIdp(who: typeof nextAtIdp, returnTo = '/') {
  nextAtIdp = who
  const browser = new Browser()
  const toIdp = await browser.follow(
    new URL(`/sign-in/oidc?returnTo=${encodeURIComponent(returnTo)}`, gssUrl),
    isCallback,
  )
  const start = toIdp[0]!
  const callbackUrl = toIdp.at(-1)!.location!
  expect(isCallback(callbackUrl)).toBe(true)
  const afterIdp = await browser.follow(callbackUrl)
  const callback = afterIdp[0]!
  return {
    browser,
    start,
    callbackUrl,
    callback,
    final: afterIdp.at(-1)!,
    session: browser.cookie(gssUrl, 'gss_session'),
  }
}

async function userRow(email: string) {
  return t.db.admin
    .selectFrom('users')
    .select(['id', 'oidc_subject', 'last_sign_in_at'])
    .where('email', '=', email)
    .executeTakeFirst()
}

// --- The tests -------------------------------------------------------------------------------

describe('the sign-in page', () => {
  test('offers "Sign in with Test IdP" only when single sign-on is configured', async () => {
    const withOidc = await fetch(new URL('/sign-in?returnTo=/organisations', gssUrl))
    expect(withOidc.status).toBe(200)
    const page = await withOidc.text()
    expect(page).toContain('Sign in with Test IdP')
    expect(page).toContain('href="/sign-in/oidc?returnTo=%2Forganisations"')

    const without = await plain.inject({ method: 'GET', url: '/sign-in' })
    expect(without.statusCode).toBe(200)
    expect(without.body).toContain('Sign in to GSS')
    expect(without.body).not.toContain('single sign-on')
    expect(without.body).not.toContain('Sign in with Test IdP')
    expect(without.body).not.toContain('/sign-in/oidc')
    expect((await plain.inject({ method: 'GET', url: '/sign-in/oidc' })).statusCode).toBe(404)
    expect(
      (await plain.inject({ method: 'GET', url: '/sign-in/oidc/callback?state=x&code=y' })).statusCode,
    ).toBe(404)
  })

  test('says so when the identity provider cannot be reached, rather than loop back to itself', async () => {
    const response = await unreachable.inject({ method: 'GET', url: '/sign-in/oidc?returnTo=/organisations' })
    expect(response.headers.location).toBeUndefined()
    expect(response.statusCode).toBe(503)
    expect(response.body).toContain('Sign in to GSS')
    expect(response.body).toContain(
      'Single sign-on is unavailable: the issuer at OIDC_ISSUER could not be reached',
    )
  })
})

describe('signing in through the identity provider', () => {
  let firstCallback: URL
  let firstBrowser: Browser

  test('a known, verified email gets a GSS session, returns where it was going and links the subject', async () => {
    expect((await userRow('finance.clerk@gss.example'))!.oidc_subject).toBeNull()
    const flow = await signInThroughIdp({ account: 'idp-fran' }, '/organisations')
    firstCallback = flow.callbackUrl
    firstBrowser = flow.browser

    // GSS sent the browser to the issuer with the authorisation code flow, PKCE, state and nonce.
    expect(flow.start.status).toBe(302)
    const authorize = flow.start.location!
    expect(authorize.origin).toBe(issuer)
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID)
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${gssUrl}/sign-in/oidc/callback`)
    expect(authorize.searchParams.get('response_type')).toBe('code')
    expect(authorize.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['openid', 'email']),
    )
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/)
    expect(authorize.searchParams.get('state')).toBeTruthy()
    expect(authorize.searchParams.get('nonce')).toBeTruthy()
    expect(flow.callbackUrl.searchParams.get('state')).toBe(authorize.searchParams.get('state'))
    expect(flow.callbackUrl.searchParams.get('code')).toBeTruthy()

    // The callback started a session and went back to where the user was going.
    expect(flow.callback.status).toBe(303)
    expect(flow.callback.location?.href).toBe(`${gssUrl}/organisations`)
    expect(flow.callback.setCookies.find((line) => line.startsWith('gss_session='))).toMatch(/HttpOnly/i)
    expect(flow.session).toBeTruthy()
    expect(flow.final.status).toBe(200)
    expect(flow.final.body).toContain('Fran Clerk')
    expect(flow.final.body).toContain('Cabinet Office')

    const home = await flow.browser.get(new URL('/', gssUrl))
    expect(home.status).toBe(200)
    expect(home.body).toContain('Fran Clerk')

    const user = (await userRow('finance.clerk@gss.example'))!
    expect(user.oidc_subject).toBe(`${issuer}#idp-fran`)
    expect(user.last_sign_in_at).not.toBeNull()
    const pending = await t.db.admin.selectFrom('oidc_pending').select('state').execute()
    expect(pending.map((row) => row.state)).not.toContain(flow.callbackUrl.searchParams.get('state'))
    expect(providerErrors).toEqual([])
  })

  test('the linked subject signs in again, but another identity claiming the same email cannot', async () => {
    const again = await signInThroughIdp({ account: 'idp-fran' })
    expect(again.callback.status).toBe(303)
    expect(again.final.status).toBe(200)
    expect(again.final.body).toContain('Fran Clerk')

    const impostor = await signInThroughIdp({ account: 'idp-impostor' })
    expect(impostor.callback.status).toBe(401)
    expect(impostor.session).toBeUndefined()
    expect(impostor.callback.body).toContain('There is no GSS account for finance.clerk@gss.example.')
    expect((await userRow('finance.clerk@gss.example'))!.oidc_subject).toBe(`${issuer}#idp-fran`)
  })

  test('an unknown identity is refused with a clear message on the sign-in page', async () => {
    const flow = await signInThroughIdp({ account: 'idp-stranger' })
    expect(flow.callback.status).toBe(401)
    expect(flow.session).toBeUndefined()
    expect(flow.callback.setCookies.some((line) => line.startsWith('gss_session='))).toBe(false)
    expect(flow.callback.body).toContain('Sign in to GSS')
    expect(flow.callback.body).toContain('govuk-error-summary')
    expect(flow.callback.body).toContain(
      'There is no GSS account for stranger@elsewhere.example. Ask your organisation’s administrator to add you.',
    )
    expect(flow.callback.body).toContain('Sign in with Test IdP')
    // The identity provider never creates accounts.
    expect(await userRow('stranger@elsewhere.example')).toBeUndefined()

    const noEmail = await signInThroughIdp({ account: 'idp-no-email' })
    expect(noEmail.callback.status).toBe(401)
    expect(noEmail.callback.body).toContain('There is no GSS account for this identity.')
  })

  test('a disabled account cannot sign in through the identity provider', async () => {
    const first = await signInThroughIdp({ account: 'idp-emma' })
    expect(first.callback.status).toBe(303)
    await t.db.admin
      .updateTable('users')
      .set({ status: 'disabled' })
      .where('email', '=', 'employee@gss.example')
      .execute()
    try {
      const refused = await signInThroughIdp({ account: 'idp-emma' })
      expect(refused.callback.status).toBe(401)
      expect(refused.session).toBeUndefined()
      expect(refused.callback.body).toContain('Your GSS account is disabled')
      // The session started before the account was disabled no longer works either.
      const home = await first.browser.get(new URL('/', gssUrl))
      expect(home.status).not.toBe(200)
    } finally {
      await t.db.admin
        .updateTable('users')
        .set({ status: 'active' })
        .where('email', '=', 'employee@gss.example')
        .execute()
    }
  })

  test('an email the identity provider has not verified does not link an account', async () => {
    const flow = await signInThroughIdp({ account: 'idp-unverified' })
    expect(flow.callback.status).toBe(401)
    expect(flow.session).toBeUndefined()
    expect(flow.callback.body).toContain('There is no GSS account for this identity.')
    expect((await userRow('hr.officer@gss.example'))!.oidc_subject).toBeNull()

    // Without email_verified the address may be one anyone could type in at the identity provider.
    const unsure = await signInThroughIdp({ account: 'idp-unsure' })
    expect(unsure.callback.status).toBe(401)
    expect(unsure.session).toBeUndefined()
    expect((await userRow('payroll.officer@gss.example'))!.oidc_subject).toBeNull()
  })

  test('cancelling at the identity provider is refused on the sign-in page', async () => {
    const flow = await signInThroughIdp('cancel')
    expect(flow.callbackUrl.searchParams.get('error')).toBe('access_denied')
    expect(flow.callback.status).toBe(401)
    expect(flow.session).toBeUndefined()
    expect(flow.callback.body).toContain('Single sign-on failed')
  })

  test('a replayed, unknown, missing or expired state is refused at the callback', async () => {
    // The first sign-in's callback replayed, even with the cookie that bound its state to the
    // browser (as someone holding both might): the state was used up.
    const browser = new Browser()
    browser.setCookie(gssUrl, STATE_COOKIE, firstCallback.searchParams.get('state')!)
    const replay = await browser.get(firstCallback)
    expect(replay.status).toBe(401)
    expect(replay.body).toContain('Sign in to GSS')
    expect(replay.body).toContain('The sign-in attempt has expired; start signing in again')
    expect(replay.setCookies.some((line) => line.startsWith('gss_session='))).toBe(false)
    // In the browser that completed it, too.
    const again = await firstBrowser.get(firstCallback)
    expect(again.status).toBe(401)
    expect(again.body).toContain('start signing in again')
    expect(again.setCookies.some((line) => line.startsWith('gss_session='))).toBe(false)

    browser.setCookie(gssUrl, STATE_COOKIE, 'not-a-state-gss-issued')
    const unknown = await browser.get(
      new URL('/sign-in/oidc/callback?code=abc&state=not-a-state-gss-issued', gssUrl),
    )
    expect(unknown.status).toBe(401)
    expect(unknown.body).toContain('The sign-in attempt has expired; start signing in again')

    const missing = await browser.get(new URL('/sign-in/oidc/callback?code=abc', gssUrl))
    expect(missing.status).toBe(401)
    expect(missing.body).toContain('The sign-in response had no state; start signing in again')

    // A genuine response from the issuer, but the attempt was started more than ten minutes ago.
    nextAtIdp = { account: 'idp-fran' }
    const slow = new Browser()
    const hops = await slow.follow(new URL('/sign-in/oidc', gssUrl), isCallback)
    const callbackUrl = hops.at(-1)!.location!
    await t.db.admin
      .updateTable('oidc_pending')
      .set({ created_at: new Date(Date.now() - 11 * 60_000) })
      .where('state', '=', callbackUrl.searchParams.get('state')!)
      .execute()
    const late = await slow.get(callbackUrl)
    expect(late.status).toBe(401)
    expect(late.body).toContain('The sign-in attempt has expired; start signing in again')
    expect(slow.cookie(gssUrl, 'gss_session')).toBeUndefined()
    expect(providerErrors).toEqual([])
  })

  test('a callback that belongs to another browser is refused (no login CSRF)', async () => {
    // An attacker signs in at the identity provider as themselves, stops before the callback and
    // sends the link to a victim: the victim must not end up signed in as the attacker.
    nextAtIdp = { account: 'idp-fran' }
    const attacker = new Browser()
    const hops = await attacker.follow(new URL('/sign-in/oidc', gssUrl), isCallback)
    const callbackUrl = hops.at(-1)!.location!
    const victim = new Browser()
    const forced = await victim.get(callbackUrl)
    expect(forced.status).toBe(401)
    expect(forced.body).toContain(
      'The sign-in response does not belong to this browser; start signing in again',
    )
    expect(victim.cookie(gssUrl, 'gss_session')).toBeUndefined()
    // The browser that started signing in can still finish.
    const own = await attacker.follow(callbackUrl)
    expect(own[0]!.status).toBe(303)
    expect(attacker.cookie(gssUrl, 'gss_session')).toBeTruthy()
  })
})
