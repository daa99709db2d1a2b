// The platform's own routes: health, sign-in and sign-out, the home page, the organisation
// switcher, the API's description of the caller, and API token management.
import { sql } from 'kysely'
import { Type } from 'typebox'
import type { OidcService } from '../auth/oidc.ts'
import { ROLE_DEFINITIONS, ROLES, type Role } from '../auth/permissions.ts'
import { type AuthService, SESSION_COOKIE } from '../auth/service.ts'
import type { Config } from '../config.ts'
import type { Database } from '../db/index.ts'
import { NotFoundError, TooManyRequestsError, UnauthenticatedError, ValidationError } from '../errors.ts'
import { can, rolesOn } from '../tenancy.ts'
import type { App } from './app.ts'
import { paths, safeReturnPath } from './paths.ts'
import { Problem } from './schemas.ts'
import { formErrors } from './views.ts'

/** Binds a single sign-on in flight to the browser that started it. */
const OIDC_STATE_COOKIE = 'gss_oidc_state'

export interface DomainPage {
  name: string
  title: string
  permission: import('../auth/permissions.ts').Permission
  summary: string
  /** What the domain offers: each line a capability, present tense once it is built. */
  capabilities: string[]
  available: boolean
}

export function platformRoutes(deps: {
  config: Config
  db: Database
  auth: AuthService
  oidc: OidcService | undefined
  domains: DomainPage[]
}) {
  const { config, db, auth, oidc, domains } = deps
  return async (app: App) => {
    const cookieOptions = {
      path: '/',
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: config.cookieSecure,
    }

    app.get(
      paths.health,
      {
        config: { permission: 'public', kind: 'api' },
        schema: {
          hide: true,
          response: {
            200: Type.Object({
              status: Type.String(),
              live: Type.Boolean(),
              ready: Type.Boolean(),
              engine: Type.String(),
              database: Type.Object({
                ok: Type.Boolean(),
                latencyMs: Type.Number(),
                error: Type.Optional(Type.String()),
              }),
            }),
            503: Type.Any(),
          },
        },
      },
      async (_request, reply) => {
        const started = performance.now()
        try {
          await sql`select 1`.execute(db.admin)
          return {
            status: 'ok',
            live: true,
            ready: true,
            engine: db.engine,
            database: { ok: true, latencyMs: Math.round(performance.now() - started) },
          }
        } catch (error) {
          return reply.code(503).send({
            status: 'unavailable',
            live: true,
            ready: false,
            engine: db.engine,
            database: {
              ok: false,
              latencyMs: Math.round(performance.now() - started),
              error: (error as Error).message,
            },
          })
        }
      },
    )

    // --- Sign in and out -------------------------------------------------------------------
    const signInPage = (
      returnTo: string,
      values: Record<string, string> = {},
      errors?: ReturnType<typeof formErrors>,
    ) => ({
      pageTitle: 'Sign in',
      returnTo,
      values,
      errors,
      oidcLabel: oidc?.label,
    })

    app.get(
      paths.signIn,
      { config: { permission: 'public', kind: 'page' }, schema: { hide: true } },
      async (request, reply) => {
        const returnTo = safeReturnPath((request.query as Record<string, unknown>).returnTo)
        if (request.principal) return reply.redirect(returnTo)
        return reply.page('platform/views/sign-in.njk', signInPage(returnTo))
      },
    )

    app.post(
      paths.signIn,
      { config: { permission: 'public', kind: 'page' }, schema: { hide: true } },
      async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>
        const email = typeof body.email === 'string' ? body.email.trim() : ''
        const password = typeof body.password === 'string' ? body.password : ''
        const returnTo = safeReturnPath(body.returnTo)
        const problems: Array<{ field: string; message: string }> = []
        if (!email) problems.push({ field: '/email', message: 'Enter your email address' })
        if (!password) problems.push({ field: '/password', message: 'Enter your password' })
        if (problems.length === 0) {
          try {
            const { cookieValue } = await auth.signIn(email, password, request.ip)
            reply.setCookie(SESSION_COOKIE, cookieValue, cookieOptions)
            return reply.redirect(returnTo, 303)
          } catch (error) {
            if (error instanceof UnauthenticatedError || error instanceof TooManyRequestsError) {
              problems.push({ field: '/email', message: error.message })
              if (error instanceof TooManyRequestsError)
                reply.code(429).header('retry-after', String(error.retryAfterSeconds))
              else reply.code(401)
            } else throw error
          }
        } else reply.code(400)
        return reply.page('platform/views/sign-in.njk', signInPage(returnTo, { email }, formErrors(problems)))
      },
    )

    app.post(
      paths.signOut,
      { config: { permission: 'authenticated', kind: 'page' }, schema: { hide: true } },
      async (request, reply) => {
        if (request.session) await auth.signOut(request.session.id)
        reply.clearCookie(SESSION_COOKIE, { path: '/' })
        return reply.redirect(`${paths.signIn}?signedOut=1`, 303)
      },
    )

    const oidcStateCookie = { ...cookieOptions, path: paths.oidcCallback }

    app.get(
      paths.oidcStart,
      { config: { permission: 'public', kind: 'page' }, schema: { hide: true } },
      async (request, reply) => {
        if (!oidc) throw new NotFoundError('Single sign-on is not configured on this deployment')
        const returnTo = safeReturnPath((request.query as Record<string, unknown>).returnTo)
        try {
          const { url, state } = await oidc.start(returnTo)
          reply.setCookie(OIDC_STATE_COOKIE, state, { ...oidcStateCookie, maxAge: 10 * 60 })
          return reply.redirect(url)
        } catch (error) {
          // The issuer cannot be reached: say so on the sign-in page rather than loop back to it.
          if (!(error instanceof UnauthenticatedError)) throw error
          reply.code(503)
          return reply.page(
            'platform/views/sign-in.njk',
            signInPage(returnTo, {}, formErrors([{ field: '/email', message: error.message }])),
          )
        }
      },
    )

    app.get(
      paths.oidcCallback,
      { config: { permission: 'public', kind: 'page' }, schema: { hide: true } },
      async (request, reply) => {
        if (!oidc) throw new NotFoundError('Single sign-on is not configured on this deployment')
        try {
          const browserState = request.cookies[OIDC_STATE_COOKIE]
          reply.clearCookie(OIDC_STATE_COOKIE, oidcStateCookie)
          const { cookieValue, returnTo } = await oidc.finish(
            new URL(request.url, config.baseUrl),
            browserState,
          )
          reply.setCookie(SESSION_COOKIE, cookieValue, cookieOptions)
          return reply.redirect(returnTo, 303)
        } catch (error) {
          if (!(error instanceof UnauthenticatedError)) throw error
          reply.code(401)
          return reply.page(
            'platform/views/sign-in.njk',
            signInPage('/', {}, formErrors([{ field: '/email', message: error.message }])),
          )
        }
      },
    )

    // --- Home and the organisation switcher -----------------------------------------------
    app.get(
      paths.home,
      { config: { permission: 'authenticated', kind: 'page' }, schema: { hide: true } },
      async (request, reply) => {
        const principal = request.principal!
        const roles = request.tenant.actingOrgId
          ? [...rolesOn(principal, request.tenant.actingOrgId)]
          : [...principal.platformRoles]
        return reply.page('platform/views/home.njk', {
          pageTitle: 'Home',
          domains: domains.filter((domain) => can(principal, domain.permission)),
          roles: roles.map((role) => ROLE_DEFINITIONS[role]),
        })
      },
    )

    app.post(
      paths.switchOrganisation,
      { config: { permission: 'authenticated', kind: 'page' }, schema: { hide: true } },
      async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>
        const orgId = typeof body.orgId === 'string' ? body.orgId : ''
        if (!request.session) throw new UnauthenticatedError('Sign in to switch organisation')
        if (!/^[0-9a-f-]{36}$/.test(orgId))
          throw new ValidationError('Select an organisation', [
            { field: '/orgId', message: 'Select an organisation' },
          ])
        await auth.switchOrg(request.principal!, request.session.id, orgId)
        return reply.redirect(safeReturnPath(body.returnTo), 303)
      },
    )

    // Domains that are built register their own front door at /<name>.
    for (const domain of domains.filter((d) => !d.available)) {
      app.get(
        paths.domain(domain.name),
        { config: { permission: domain.permission, kind: 'page' }, schema: { hide: true } },
        async (_request, reply) =>
          reply.page('platform/views/domain.njk', { pageTitle: domain.title, domain }),
      )
    }

    // --- API: who am I, and API tokens ------------------------------------------------------
    const Me = Type.Object({
      userId: Type.String({ format: 'uuid' }),
      email: Type.String(),
      displayName: Type.String(),
      via: Type.Union([Type.Literal('session'), Type.Literal('token')]),
      actingOrgId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
      roles: Type.Array(
        Type.Object({ role: Type.String(), orgId: Type.Union([Type.String(), Type.Null()]) }),
      ),
    })
    app.get(
      paths.api.me,
      {
        config: { permission: 'authenticated', kind: 'api' },
        schema: {
          tags: ['platform'],
          summary: 'The caller and the roles it holds',
          response: { 200: Me, 401: Problem },
        },
      },
      async (request) => {
        const principal = request.principal!
        const scope = principal.tokenScope
        const roles = scope
          ? [...rolesOn(principal, scope.orgId)].map((role) => ({
              role,
              orgId: scope.orgId as string | null,
            }))
          : [
              ...principal.platformRoles.map((role) => ({ role, orgId: null })),
              ...principal.grants.map((grant) => ({ role: grant.role, orgId: grant.orgId as string | null })),
            ]
        return {
          userId: principal.userId,
          email: principal.email,
          displayName: principal.displayName,
          via: principal.via,
          actingOrgId: request.tenant.actingOrgId,
          roles,
        }
      },
    )

    const TokenRequest = Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 100 }),
        orgId: Type.String({ format: 'uuid' }),
        roles: Type.Array(Type.Enum(ROLES), { minItems: 1, uniqueItems: true }),
        expiresInDays: Type.Integer({ minimum: 1, maximum: 366 }),
      },
      { additionalProperties: false },
    )
    app.post(
      paths.api.tokens,
      {
        config: { permission: 'authenticated', kind: 'api' },
        schema: {
          tags: ['platform'],
          summary:
            'Create an API token for yourself, scoped to one organisation and some of your roles there',
          body: TokenRequest,
          response: {
            201: Type.Object({
              id: Type.String(),
              token: Type.String(),
              expiresAt: Type.String({ format: 'date-time' }),
            }),
            400: Problem,
            422: Problem,
          },
        },
      },
      async (request, reply) => {
        const body = request.body
        const expiresAt = new Date(Date.now() + body.expiresInDays * 86_400_000)
        const created = await auth.createToken(request.tenant, {
          userId: request.principal!.userId,
          orgId: body.orgId,
          roles: body.roles as Role[],
          name: body.name,
          expiresAt,
        })
        return reply.code(201).send({ ...created, expiresAt: expiresAt.toISOString() })
      },
    )
    app.delete(
      '/api/v1/tokens/:tokenId',
      {
        config: { permission: 'authenticated', kind: 'api' },
        schema: {
          tags: ['platform'],
          summary: 'Revoke one of your API tokens',
          params: Type.Object({ tokenId: Type.String({ format: 'uuid' }) }),
          response: { 204: Type.Null(), 404: Problem },
        },
      },
      async (request, reply) => {
        const owned = await request.withTx((trx) =>
          trx
            .selectFrom('api_tokens')
            .select('id')
            .where('id', '=', request.params.tokenId)
            .where('user_id', '=', request.principal!.userId)
            .executeTakeFirst(),
        )
        if (!owned) throw new NotFoundError(`You have no token with id ${request.params.tokenId}`)
        await auth.revokeToken(request.tenant, request.params.tokenId)
        return reply.code(204).send(null)
      },
    )

    app.get(
      paths.api.openapi,
      { config: { permission: 'public', kind: 'api' }, schema: { hide: true } },
      async () => app.swagger(),
    )
  }
}
