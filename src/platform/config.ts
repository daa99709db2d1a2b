// One module reads every environment variable the platform uses. Defaults suit a laptop; in
// production (NODE_ENV=production) a missing required setting stops start-up with one sentence.
import path from 'node:path'
import { ConfigError } from './errors.ts'

export type Engine = 'pglite' | 'postgres'

export interface Config {
  env: 'development' | 'test' | 'production'
  engine: Engine
  /** PostgreSQL server connection used by the application, when set. */
  databaseUrl: string | undefined
  /** Connection used to run migrations (table owner); defaults to databaseUrl. */
  databaseAdminUrl: string | undefined
  /** Directory holding the embedded database; undefined means in memory (tests). */
  dataDir: string | undefined
  host: string
  port: number
  baseUrl: string
  logLevel: string
  /** Seed the demo world when the database is empty at start-up. */
  demoOnEmpty: boolean
  /** Run the webhook dispatcher in this process (every app node may; leases keep them apart). */
  webhooks: boolean
  cookieSecure: boolean
  sessionIdleMinutes: number
  /** Requests per minute per client before 429 (API and pages). */
  rateLimitPerMinute: number
  signIn: { maxFailures: number; windowMinutes: number; lockMinutes: number }
  oidc:
    | {
        issuer: string
        clientId: string
        clientSecret: string | undefined
        redirectUri: string
        label: string
      }
    | undefined
  /** Identifies this deployment to a central hub (cluster deployments report upward). */
  deploymentName: string
}

type Env = Record<string, string | undefined>

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, but it is "${raw}".`)
  const value = Number(raw)
  if (value < min || value > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, but it is ${raw}.`)
  return value
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false
  throw new ConfigError(`${name} must be true or false, but it is "${raw}".`)
}

function postgresUrl(env: Env, name: string): string | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(`${name} is not a valid URL; expected postgres://user@host:5432/database.`)
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      `${name} must start with postgres:// or postgresql://, but it starts with ${url.protocol}//.`,
    )
  }
  return raw
}

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const nodeEnv =
    env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development'
  const databaseUrl = postgresUrl(env, 'DATABASE_URL')
  const port = integer(env, 'PORT', 3000, 0, 65535)
  const host = env.HOST || '0.0.0.0'
  const baseUrl = env.GSS_BASE_URL || `http://localhost:${port}`
  const oidcIssuer = env.OIDC_ISSUER
  let oidc: Config['oidc']
  if (oidcIssuer) {
    const clientId = env.OIDC_CLIENT_ID
    if (!clientId) throw new ConfigError('OIDC_CLIENT_ID must be set when OIDC_ISSUER is set.')
    oidc = {
      issuer: oidcIssuer,
      clientId,
      clientSecret: env.OIDC_CLIENT_SECRET || undefined,
      redirectUri: env.OIDC_REDIRECT_URI || `${baseUrl}/sign-in/oidc/callback`,
      label: env.OIDC_LABEL || 'your organisation’s account',
    }
  }
  const config: Config = {
    env: nodeEnv,
    engine: databaseUrl ? 'postgres' : 'pglite',
    databaseUrl,
    databaseAdminUrl: postgresUrl(env, 'DATABASE_ADMIN_URL') ?? databaseUrl,
    dataDir: path.resolve(env.GSS_DATA_DIR || './data'),
    host,
    port,
    baseUrl,
    logLevel: env.GSS_LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info'),
    demoOnEmpty: boolean(env, 'GSS_DEMO', nodeEnv !== 'production'),
    webhooks: boolean(env, 'GSS_WEBHOOKS', nodeEnv !== 'test'),
    cookieSecure: boolean(env, 'GSS_COOKIE_SECURE', baseUrl.startsWith('https://')),
    sessionIdleMinutes: integer(env, 'GSS_SESSION_IDLE_MINUTES', 60, 1, 24 * 60),
    rateLimitPerMinute: integer(env, 'GSS_RATE_LIMIT_PER_MINUTE', 1200, 1, 10_000_000),
    signIn: {
      maxFailures: integer(env, 'GSS_SIGN_IN_MAX_FAILURES', 5, 1, 100),
      windowMinutes: integer(env, 'GSS_SIGN_IN_WINDOW_MINUTES', 15, 1, 24 * 60),
      lockMinutes: integer(env, 'GSS_SIGN_IN_LOCK_MINUTES', 15, 1, 24 * 60),
    },
    oidc,
    deploymentName: env.GSS_DEPLOYMENT_NAME || 'local',
    ...overrides,
  }
  if (config.env === 'production' && config.engine === 'pglite' && !env.GSS_DATA_DIR) {
    throw new ConfigError('GSS_DATA_DIR must be set in production when DATABASE_URL is not set.')
  }
  return config
}

/** Every environment variable, for the README and `gss --help`. */
export const ENVIRONMENT_VARIABLES: ReadonlyArray<[name: string, meaning: string]> = [
  ['DATABASE_URL', 'PostgreSQL server to use (postgres://user@host:5432/db). Unset: the embedded database.'],
  ['DATABASE_ADMIN_URL', 'Connection that owns the tables and runs migrations. Default: DATABASE_URL.'],
  ['GSS_DATA_DIR', 'Directory for the embedded database. Default: ./data.'],
  ['PORT', 'Port to listen on. Default: 3000.'],
  ['HOST', 'Interface to listen on. Default: 0.0.0.0.'],
  ['GSS_BASE_URL', 'Public URL of this deployment. Default: http://localhost:PORT.'],
  ['GSS_LOG_LEVEL', 'pino log level (fatal, error, warn, info, debug, trace, silent). Default: info.'],
  ['GSS_DEMO', 'Seed the demo world into an empty database at start-up. Default: true, false in production.'],
  [
    'GSS_WEBHOOKS',
    'Deliver webhooks from this process (any number of nodes may). Default: true, false in tests.',
  ],
  ['GSS_COOKIE_SECURE', 'Mark cookies Secure (HTTPS only). Default: true when GSS_BASE_URL is https.'],
  ['GSS_SESSION_IDLE_MINUTES', 'Minutes of inactivity before a session ends. Default: 60.'],
  ['GSS_RATE_LIMIT_PER_MINUTE', 'Requests a client may make per minute. Default: 1200.'],
  ['GSS_SIGN_IN_MAX_FAILURES', 'Failed sign-ins before an account or address is locked. Default: 5.'],
  ['GSS_SIGN_IN_WINDOW_MINUTES', 'Window in which failures are counted. Default: 15.'],
  ['GSS_SIGN_IN_LOCK_MINUTES', 'How long a lock-out lasts. Default: 15.'],
  ['OIDC_ISSUER', 'OpenID Connect issuer URL for single sign-on. Unset: local accounts only.'],
  ['OIDC_CLIENT_ID', 'OIDC client id (required with OIDC_ISSUER).'],
  ['OIDC_CLIENT_SECRET', 'OIDC client secret (omit for a public client).'],
  ['OIDC_REDIRECT_URI', 'OIDC redirect URI. Default: GSS_BASE_URL/sign-in/oidc/callback.'],
  ['OIDC_LABEL', 'Words on the sign-in button, e.g. "your department account".'],
  ['GSS_DEPLOYMENT_NAME', 'Name of this deployment when it reports to a central hub. Default: local.'],
  ['NODE_ENV', 'production turns off demo seeding and requires explicit settings.'],
]
