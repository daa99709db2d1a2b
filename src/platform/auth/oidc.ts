// Sign-in through an OpenID Connect issuer (a department's identity provider) for real
// deployments: authorisation code flow with PKCE, state and nonce. An OIDC identity signs in to an
// existing GSS account (matched on subject, or on verified email the first time); accounts and
// their roles are still granted by administrators, never created by the identity provider.
import * as client from 'openid-client'
import type { Config } from '../config.ts'
import { type Database, SYSTEM_CONTEXT } from '../db/index.ts'
import { UnauthenticatedError } from '../errors.ts'
import { type AuthService, type SessionInfo, safeEqual } from './service.ts'

const PENDING_LIFETIME_MINUTES = 10

export class OidcService {
  readonly #config: NonNullable<Config['oidc']>
  readonly #db: Database
  readonly #auth: AuthService
  #discovered: Promise<client.Configuration> | undefined

  constructor(config: NonNullable<Config['oidc']>, db: Database, auth: AuthService) {
    this.#config = config
    this.#db = db
    this.#auth = auth
  }

  get label(): string {
    return this.#config.label
  }

  #issuer(): Promise<client.Configuration> {
    this.#discovered ??= client
      .discovery(
        new URL(this.#config.issuer),
        this.#config.clientId,
        this.#config.clientSecret,
        // A public client (no secret) authenticates by PKCE alone.
        this.#config.clientSecret ? undefined : client.None(),
        // Plain http is only for an issuer on this machine (development and tests).
        new URL(this.#config.issuer).protocol === 'http:'
          ? { execute: [client.allowInsecureRequests] }
          : undefined,
      )
      .catch((error: unknown) => {
        this.#discovered = undefined
        throw new UnauthenticatedError(
          `Single sign-on is unavailable: the issuer at OIDC_ISSUER could not be reached (${(error as Error).message})`,
        )
      })
    return this.#discovered
  }

  /**
   * Starts sign-in: remembers state, PKCE verifier and nonce, and returns the issuer's URL and the
   * state, which the caller binds to the browser (a cookie) so that only this browser can finish.
   */
  async start(returnTo: string): Promise<{ url: string; state: string }> {
    const issuer = await this.#issuer()
    const codeVerifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    await this.#db.transaction(SYSTEM_CONTEXT, async (trx) => {
      await trx
        .deleteFrom('oidc_pending')
        .where('created_at', '<', new Date(Date.now() - PENDING_LIFETIME_MINUTES * 60_000))
        .execute()
      await trx
        .insertInto('oidc_pending')
        .values({ state, code_verifier: codeVerifier, nonce, return_to: returnTo })
        .execute()
    })
    const url = client
      .buildAuthorizationUrl(issuer, {
        redirect_uri: this.#config.redirectUri,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      })
      .toString()
    return { url, state }
  }

  /** Completes sign-in from the issuer's redirect; returns a new session for the matched account. */
  async finish(
    callbackUrl: URL,
    browserState: string | undefined,
  ): Promise<{ cookieValue: string; session: SessionInfo; returnTo: string }> {
    const state = callbackUrl.searchParams.get('state')
    if (!state) throw new UnauthenticatedError('The sign-in response had no state; start signing in again')
    // A response to a sign-in this browser did not start (login CSRF) is refused before it is used.
    if (!browserState || !safeEqual(browserState, state)) {
      throw new UnauthenticatedError(
        'The sign-in response does not belong to this browser; start signing in again',
      )
    }
    const pending = await this.#db.transaction(SYSTEM_CONTEXT, async (trx) =>
      trx.deleteFrom('oidc_pending').where('state', '=', state).returningAll().executeTakeFirst(),
    )
    if (!pending || Date.now() - new Date(pending.created_at).getTime() > PENDING_LIFETIME_MINUTES * 60_000) {
      throw new UnauthenticatedError('The sign-in attempt has expired; start signing in again')
    }
    const issuer = await this.#issuer()
    let claims: { sub: string; email?: unknown; email_verified?: unknown } | undefined
    try {
      const tokens = await client.authorizationCodeGrant(issuer, callbackUrl, {
        pkceCodeVerifier: pending.code_verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
      })
      claims = tokens.claims()
      // In the code flow a conforming issuer (GOV.UK One Login among them) puts only the subject in
      // the ID token; the email address and whether it is verified come from the UserInfo endpoint.
      if (claims && typeof claims.email !== 'string') {
        claims = { ...(await client.fetchUserInfo(issuer, tokens.access_token, claims.sub)), sub: claims.sub }
      }
    } catch (error) {
      throw new UnauthenticatedError(`Single sign-on failed: ${(error as Error).message}`)
    }
    if (!claims) throw new UnauthenticatedError('Single sign-on returned no identity')
    const subject = `${this.#config.issuer}#${claims.sub}`
    const email =
      typeof claims.email === 'string' && claims.email_verified === true
        ? claims.email.toLowerCase()
        : undefined
    const result = await this.#db.transaction(SYSTEM_CONTEXT, async (trx) => {
      let user = await trx
        .selectFrom('users')
        .select(['id', 'status'])
        .where('oidc_subject', '=', subject)
        .executeTakeFirst()
      if (!user && email) {
        user = await trx
          .selectFrom('users')
          .select(['id', 'status'])
          .where('email', '=', email)
          .where('oidc_subject', 'is', null)
          .executeTakeFirst()
        if (user)
          await trx.updateTable('users').set({ oidc_subject: subject }).where('id', '=', user.id).execute()
      }
      if (!user) {
        throw new UnauthenticatedError(
          `There is no GSS account for ${email ?? 'this identity'}. Ask your organisation’s administrator to add you.`,
        )
      }
      if (user.status !== 'active') throw new UnauthenticatedError('Your GSS account is disabled')
      await trx.updateTable('users').set({ last_sign_in_at: new Date() }).where('id', '=', user.id).execute()
      return this.#auth.createSession(trx, user.id)
    })
    return { ...result, returnTo: pending.return_to }
  }
}
