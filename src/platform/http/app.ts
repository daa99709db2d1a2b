// The HTTP shell. Middleware in one readable order: request id and logging, security headers (CSP
// nonce per request), rate limiting, body parsing, static assets, authentication, authorisation,
// CSRF, idempotency, routes, not-found, error handler.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { PERMISSION_DESCRIPTIONS, type Permission } from '../auth/permissions.ts'
import type { AuthService } from '../auth/service.ts'
import { randomToken, SESSION_COOKIE, safeEqual } from '../auth/service.ts'
import type { Config } from '../config.ts'
import type { Database } from '../db/index.ts'
import {
  AssertionFailure,
  CsrfError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  UnauthenticatedError,
} from '../errors.ts'
import { can, narrowTo, rolesOn, tenantContext } from '../tenancy.ts'
import { registerIdempotency } from './idempotency.ts'
import { isApiRequest, problemFor, sendProblem } from './problem.ts'
import { createViews, GOVUK_DIST, stylesheet } from './views.ts'
import './types.ts'
import { paths } from './paths.ts'

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../assets')
/** Double-submit cookie that protects forms posted before there is a session (sign-in). */
const PRE_SESSION_CSRF_COOKIE = 'gss_csrf'
const MIME_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  import('fastify').FastifyBaseLogger,
  TypeBoxTypeProvider
>

export interface NavigationItem {
  text: string
  href: string
  permission: import('../auth/permissions.ts').Permission
}

export interface ShellDeps {
  config: Config
  db: Database
  auth: AuthService
  /** Links in the service navigation, shown to those holding the permission. */
  navigation: NavigationItem[]
  /** Every domain's routes. */
  modules: Array<(app: App) => void | Promise<void>>
}

export interface RouteInfo {
  method: string
  url: string
  permission: import('../auth/permissions.ts').RoutePermission | undefined
  kind: 'page' | 'api' | 'asset' | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    routeCatalog: RouteInfo[]
  }
  interface FastifyReply {
    /** Renders a page inside the GSS layout. */
    page(template: string, data?: Record<string, unknown>): Promise<FastifyReply>
  }
  interface FastifyRequest {
    /** The CSRF token to put in forms on this page. */
    csrfToken(reply: FastifyReply): string
  }
}

function loggerOptions(config: Config) {
  if (config.logLevel === 'silent') return false
  return {
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
  }
}

export async function buildShell(deps: ShellDeps): Promise<App> {
  const { config, db, auth } = deps
  const app = Fastify({
    logger: loggerOptions(config),
    genReqId: (request) => {
      const supplied = request.headers['x-request-id']
      return typeof supplied === 'string' && /^[\w.-]{8,100}$/.test(supplied) ? supplied : randomUUID()
    },
    trustProxy: true,
    bodyLimit: 10 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>()

  // Bodies are validated strictly (no type coercion, no unknown fields); path and query strings
  // arrive as text, so there numbers and booleans are coerced from their string form.
  const bodyAjv = addFormats(
    new Ajv({
      allErrors: true,
      coerceTypes: false,
      useDefaults: true,
      removeAdditional: false,
      strict: false,
    }),
  )
  const textAjv = addFormats(
    new Ajv({
      allErrors: true,
      coerceTypes: 'array',
      useDefaults: true,
      removeAdditional: false,
      strict: false,
    }),
  )
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema),
  )

  // Every route, as registered: a test walks this list and fails if one declares no permission.
  const routeCatalog: RouteInfo[] = []
  app.decorate('routeCatalog', routeCatalog)
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue
      routeCatalog.push({
        method,
        url: route.url,
        permission: route.config?.permission,
        kind: route.config?.kind,
      })
    }
  })

  const views = createViews()

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: config.cookieSecure ? [] : null,
      },
    },
    strictTransportSecurity: config.cookieSecure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  })

  await app.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    allowList: (request) => request.routeOptions.url === paths.health,
    errorResponseBuilder: (_request, context) =>
      new TooManyRequestsError(
        `Too many requests: the limit is ${context.max} a minute. Try again in ${Math.ceil(context.ttl / 1000)} seconds.`,
        Math.ceil(context.ttl / 1000),
      ),
  })

  await app.register(cookie)
  await app.register(formbody)

  // Static assets: our stylesheet (compiled once), GOV.UK Frontend's script, images and fonts.
  const assetConfig = { permission: 'public' as const, kind: 'asset' as const }
  app.get('/assets/app.css', { config: assetConfig, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet()),
  )
  const staticFiles: Record<string, string> = {
    'govuk-frontend.min.js': path.join(GOVUK_DIST, 'govuk/govuk-frontend.min.js'),
    'init.js': path.join(ASSETS_DIR, 'init.js'),
    'favicon.svg': path.join(ASSETS_DIR, 'favicon.svg'),
  }
  const sendAsset = (reply: FastifyReply, file: string | undefined, maxAgeSeconds: number) => {
    if (!file || !fs.existsSync(file)) throw new NotFoundError('There is no such asset')
    const type = MIME_TYPES[path.extname(file)] ?? 'application/octet-stream'
    return reply
      .type(type)
      .header('cache-control', `public, max-age=${maxAgeSeconds}`)
      .send(fs.createReadStream(file))
  }
  app.get('/assets/:file', { config: assetConfig, schema: { hide: true } }, async (request, reply) =>
    sendAsset(reply, staticFiles[(request.params as { file: string }).file], 3600),
  )
  const govukAssets = path.join(GOVUK_DIST, 'govuk/assets')
  app.get('/assets/govuk/*', { config: assetConfig, schema: { hide: true } }, async (request, reply) => {
    const file = path.resolve(govukAssets, (request.params as { '*': string })['*'])
    return sendAsset(reply, file.startsWith(govukAssets + path.sep) ? file : undefined, 86_400)
  })

  // Authentication and authorisation, before the body is read: a request without the right
  // permission learns nothing from validation errors.
  app.decorateRequest('principal', null)
  app.decorateRequest('session', null)
  app.decorateRequest('org', null)
  app.decorateRequest('tenant', null as never)
  app.decorateRequest('withTx', function <
    T,
  >(this: FastifyRequest, fn: (trx: import('../db/index.ts').Tx) => Promise<T>) {
    return db.transaction(this.tenant, fn)
  })
  app.decorateRequest('csrfToken', function (this: FastifyRequest, reply: FastifyReply) {
    if (this.session) return this.session.csrfToken
    let token = this.cookies[PRE_SESSION_CSRF_COOKIE]
    if (!token || !/^[\w-]{20,100}$/.test(token)) {
      token = randomToken()
      reply.setCookie(PRE_SESSION_CSRF_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: config.cookieSecure,
      })
    }
    return token
  })

  app.addHook('onRequest', async (request) => {
    request.tenant = tenantContext(null, String(request.id), null)
    const found = Boolean(request.routeOptions.url)
    const permission = request.routeOptions.config?.permission
    if (found && !permission) {
      throw new AssertionFailure(`Route ${request.method} ${request.routeOptions.url} declares no permission`)
    }
    // Public API endpoints (health, the OpenAPI document) answer without looking at credentials, so
    // a load balancer's probe never costs a database transaction or fails on a stale header.
    if (request.routeOptions.config?.kind === 'asset') return
    if (found && permission === 'public' && request.routeOptions.config?.kind === 'api') return
    // Who is asking is worked out for unknown paths too, so a signed-in person's 404 page keeps
    // their navigation; a bad bearer token on an unknown path is still just a 404.
    const authorization = request.headers.authorization
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization)
      if (!match) {
        if (!found) return
        throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"')
      }
      try {
        request.principal = await auth.resolveToken(match[1]!)
      } catch (error) {
        if (found) throw error
      }
    } else {
      const cookieValue = request.cookies[SESSION_COOKIE]
      const resolved = cookieValue ? await auth.resolveSession(cookieValue) : null
      if (resolved) {
        request.principal = resolved.principal
        request.session = resolved.session
      }
    }
    const principal = request.principal
    let actingOrgId: string | null = null
    if (principal?.tokenScope) actingOrgId = principal.tokenScope.orgId
    else if (
      principal &&
      request.session?.actingOrgId &&
      rolesOn(principal, request.session.actingOrgId).size > 0
    ) {
      actingOrgId = request.session.actingOrgId
    } else if (principal) actingOrgId = principal.grants[0]?.orgId ?? null
    request.tenant = tenantContext(principal, String(request.id), actingOrgId)
    if (!found || permission === 'public') return
    if (!principal) throw new UnauthenticatedError('Sign in to continue')
    const orgCode = (request.params as Record<string, string> | undefined)?.orgCode
    if (orgCode !== undefined) {
      const org = await db.transaction(request.tenant, (trx) =>
        trx
          .selectFrom('organisations')
          .select(['id', 'code', 'name', 'cluster_id'])
          .where('code', '=', orgCode)
          .executeTakeFirst(),
      )
      if (!org) throw new NotFoundError(`There is no organisation with the code ${orgCode}`)
      if (!can(principal, permission!, org.id)) {
        throw new ForbiddenError(
          `You do not have permission to ${PERMISSION_DESCRIPTIONS[permission as Permission] ?? 'do this'} for ${org.name}`,
        )
      }
      request.org = { id: org.id, code: org.code, name: org.name, clusterId: org.cluster_id }
      request.tenant = narrowTo(request.tenant, org.id)
    } else if (!can(principal, permission!)) {
      throw new ForbiddenError(
        `You do not have permission to ${PERMISSION_DESCRIPTIONS[permission as Permission] ?? 'do this'}`,
      )
    }
  })

  // CSRF: every unsafe request that rides on a cookie must carry the matching token, in the form
  // field _csrf or the X-CSRF-Token header. Bearer-token requests carry no ambient credentials.
  app.addHook('preValidation', async (request) => {
    if (!UNSAFE.has(request.method) || !request.routeOptions.url) return
    if (request.principal?.via === 'token') return
    if (
      request.routeOptions.config.kind === 'api' &&
      !request.session &&
      !request.cookies[PRE_SESSION_CSRF_COOKIE]
    )
      return
    const expected = request.session?.csrfToken ?? request.cookies[PRE_SESSION_CSRF_COOKIE]
    const header = request.headers['x-csrf-token']
    const field = (request.body as Record<string, unknown> | undefined)?._csrf
    const supplied = typeof header === 'string' ? header : typeof field === 'string' ? field : undefined
    if (!expected || !supplied || !safeEqual(expected, supplied)) {
      throw new CsrfError(
        'The form has expired or did not come from this service. Go back, reload the page and try again.',
      )
    }
  })

  registerIdempotency(app, db)

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'GSS API',
        version: '1.0.0',
        description:
          'The GSS REST API. Every write accepts an Idempotency-Key header. Errors are RFC 9457 problem+json. ' +
          'Authenticate with a bearer token made by `gss token create`.',
      },
      servers: [{ url: config.baseUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Shared schemas (app.addSchema, e.g. the canonical records) keep their $id as their name
    // under components.schemas, so the document references them by a stable name.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    transform: ({ schema, url }) => {
      const hidden = !url.startsWith(paths.api.root)
      return { schema: hidden ? { ...schema, hide: true } : schema, url } as never
    },
  })

  app.decorateReply(
    'page',
    async function (this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
      const request = this.request
      const principal = request.principal
      let orgChoices: Array<{ value: string; text: string; selected: boolean }> = []
      let actingOrg: { id: string; name: string } | undefined
      if (principal) {
        const orgs = await db.transaction(request.tenant, (trx) =>
          trx.selectFrom('organisations').select(['id', 'name']).orderBy('name').execute(),
        )
        const mine = orgs.filter((org) => rolesOn(principal, org.id).size > 0)
        const chosen = request.session?.actingOrgId ?? request.tenant.actingOrgId
        actingOrg = mine.find((org) => org.id === chosen)
        orgChoices = mine.map((org) => ({
          value: org.id,
          text: org.name,
          // The organisation chosen in the switcher, not one named in the page's address.
          selected: org.id === chosen,
        }))
        if (!actingOrg && orgChoices.length > 1)
          orgChoices.unshift({ value: '', text: 'Choose an organisation', selected: true })
      }
      const navigation = principal
        ? deps.navigation
            .filter((item) => can(principal, item.permission))
            .map((item) => ({
              text: item.text,
              href: item.href,
              active:
                item.href === '/'
                  ? request.url === '/'
                  : request.url === item.href ||
                    (/^[/?]/.test(request.url.slice(item.href.length)) && request.url.startsWith(item.href)),
            }))
        : []
      const html = views.render(template, {
        principal,
        orgChoices,
        actingOrg,
        navigation,
        csrfToken: request.csrfToken(this),
        cspNonce: (this as unknown as { cspNonce?: { script: string } }).cspNonce?.script ?? '',
        currentPath: request.url,
        deploymentName: config.deploymentName,
        ...data,
      })
      return this.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html)
    },
  )

  for (const module of deps.modules) await module(app)

  app.setNotFoundHandler({ preHandler: undefined }, async (request, reply) => {
    const problem = problemFor(new NotFoundError(`There is nothing at ${request.url}`), request)
    if (request.url.startsWith('/api/')) return sendProblem(reply, problem)
    return reply.code(404).page('platform/views/error.njk', { pageTitle: 'Page not found', problem })
  })

  app.setErrorHandler(async (error, request, reply) => {
    const problem = problemFor(error, request)
    // SQLSTATE codes are five characters; Fastify's own codes (FST_...) are expected refusals.
    if (problem.status >= 500 || /^[0-9A-Z]{5}$/.test(String((error as { code?: unknown }).code))) {
      request.log[problem.status >= 500 ? 'error' : 'warn']({ err: error }, 'request failed')
    } else request.log.info({ problem: problem.type, detail: problem.detail }, 'request refused')
    if (isApiRequest(request)) return sendProblem(reply, problem, error)
    if (error instanceof UnauthenticatedError && request.method === 'GET') {
      return reply.redirect(`${paths.signIn}?returnTo=${encodeURIComponent(request.url)}`)
    }
    if (error instanceof TooManyRequestsError) reply.header('retry-after', String(error.retryAfterSeconds))
    return reply.code(problem.status).page('platform/views/error.njk', { pageTitle: problem.title, problem })
  })

  return app
}
