// Test support: a fresh, migrated database per test file (in-memory PGlite by default; a new
// database on the PostgreSQL server named by DATABASE_URL when it is set), and an app over it.
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import pg from 'pg'
import { buildApp, type Services } from '../app.ts'
import { seedDemo } from '../demo/seed.ts'
import type { Role } from './auth/permissions.ts'
import { AuthService } from './auth/service.ts'
import { type Config, loadConfig } from './config.ts'
import { Database } from './db/index.ts'
import { migrate } from './db/migrate.ts'
import type { App } from './http/app.ts'
import { orgId, uuidFromName } from './ids.ts'

/**
 * Creates an empty database on the PostgreSQL server at `serverUrl`, for one test file or one CLI
 * run, and returns its URL and how to drop it.
 */
export async function createServerDatabase(
  serverUrl: string,
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
    },
  }
}

export interface TestDatabase {
  db: Database
  config: Config
  close(): Promise<void>
}

export const engineUnderTest = process.env.DATABASE_URL ? 'postgres' : 'pglite'

/** A fresh database for one test file. With DATABASE_URL it creates (and later drops) its own. */
export async function createTestDatabase(
  options: { migrate?: boolean; seed?: boolean } = {},
): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL
  let db: Database
  let config: Config
  let drop = async () => {}
  if (serverUrl) {
    const fresh = await createServerDatabase(serverUrl, 'gss_test')
    config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: fresh.url })
    db = await Database.open(config)
    drop = fresh.drop
  } else {
    config = loadConfig({ NODE_ENV: 'test' }, { dataDir: undefined })
    db = await Database.openEmbedded(undefined)
  }
  if (options.migrate !== false) await migrate(db)
  if (options.seed) await seedDemo(db)
  return {
    db,
    config,
    close: async () => {
      await db.close()
      await drop()
    },
  }
}

export interface TestApp extends TestDatabase {
  app: App
  services: Services
}

/** The whole application over a fresh database seeded with the demo world. */
export async function createTestApp(overrides: Partial<Config> = {}, seed = true): Promise<TestApp> {
  const testDb = await createTestDatabase({ seed })
  const config = { ...testDb.config, ...overrides }
  const { app, services } = await buildApp(config, testDb.db)
  await app.ready()
  return {
    ...testDb,
    config,
    app,
    services,
    close: async () => {
      await app.close()
      await testDb.close()
    },
  }
}

export interface SignedIn {
  cookie: string
  csrfToken: string
}

/** Signs in through the real sign-in form and returns the session cookie and its CSRF token. */
export async function signIn(app: App, email: string, password = 'demo-password'): Promise<SignedIn> {
  const form = await app.inject({ method: 'GET', url: '/sign-in' })
  const preCookie = form.cookies.find((c) => c.name === 'gss_csrf')!
  const preToken = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
  const response = await app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { cookie: `gss_csrf=${preCookie.value}` },
    payload: { email, password, _csrf: preToken, returnTo: '/' },
  })
  if (response.statusCode !== 303) throw new Error(`sign-in as ${email} failed with ${response.statusCode}`)
  const session = response.cookies.find((c) => c.name === 'gss_session')!
  const cookie = `gss_session=${session.value}`
  const home = await app.inject({ method: 'GET', url: '/', headers: { cookie } })
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(home.body)![1]!
  return { cookie, csrfToken }
}

/** Runs SQL as the table owner, outside the application role: for tests that tamper. */
export async function asOwner<T>(db: Database, query: string): Promise<T[]> {
  const result = await sql.raw<T>(query).execute(db.admin)
  return result.rows
}

/**
 * An API token for a demo user on one organisation (by code) with some of the roles they hold
 * there: `token` for the raw value, `headers` ready for app.inject.
 */
export async function apiToken(
  t: Pick<TestDatabase, 'db' | 'config'>,
  email: string,
  orgCode: string,
  roles: Role[],
  days = 1,
): Promise<{ id: string; token: string; headers: { authorization: string } }> {
  const userId = uuidFromName(`user:${email}`)
  const org = orgId(orgCode)
  const created = await new AuthService(t.db, t.config).createToken(
    { userId, orgIds: [org], actingOrgId: org, requestId: 'test' },
    { userId, orgId: org, roles, name: 'test', expiresAt: new Date(Date.now() + days * 86_400_000) },
  )
  return { ...created, headers: { authorization: `Bearer ${created.token}` } }
}
