// The data layer: one PostgreSQL schema served by PGlite (embedded) or a PostgreSQL server.
// Business work always runs in a transaction as the role gss_app, which owns no tables and has no
// BYPASSRLS, with the tenant context in transaction-local settings that the RLS policies read.
import fs from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist'
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely'
import pg from 'pg'
import type { Config } from '../config.ts'
import { ConfigError } from '../errors.ts'
import { PGliteDialect } from './pglite-dialect.ts'

/**
 * The table types. Each domain adds its own tables by declaration merging:
 * `declare module '../platform/db/index.ts' { interface Tables { organisations: OrganisationTable } }`
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by each domain.
export interface Tables {}
export type Db = Kysely<Tables>
export type Tx = Transaction<Tables>

/** The role the application acts as; created by the first migration. */
export const APP_ROLE = 'gss_app'

/** Who is acting, for which organisations: read by RLS policies and the audit trigger. */
export interface TenantContext {
  userId: string | null
  /** Organisations whose rows this transaction may see and write; 'all' for platform-wide staff. */
  orgIds: readonly string[] | 'all'
  /** The organisation the user is acting for, recorded in the audit log. */
  actingOrgId: string | null
  requestId: string
  /** Organisations whose diversity data (HR) this transaction may see: hr:diversity:read holders. */
  diversityOrgIds?: readonly string[]
  /** Organisations whose programme figures this transaction may read (programme:read), or 'all'. */
  programmeRead?: readonly string[] | 'all'
  /** Organisations whose programme records this transaction may change (programme:manage), or 'all'. */
  programmeManage?: readonly string[] | 'all'
}

export const SYSTEM_CONTEXT: TenantContext = {
  userId: null,
  orgIds: [],
  actingOrgId: null,
  requestId: 'system',
}

/** 'all', or the organisation ids comma-separated ('' for none): read by gss_programme_can(). */
function programmeSetting(scope: readonly string[] | 'all' | undefined): string {
  return scope === 'all' ? 'all' : (scope ?? []).join(',')
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
/** int8 as a JS number: money is integer pence, safe to £90 trillion; beyond that is a bug. */
function parseInt8(value: string): number {
  const big = BigInt(value)
  if (big > MAX_SAFE || big < -MAX_SAFE) throw new Error(`int8 value ${value} exceeds the safe integer range`)
  return Number(big)
}

/**
 * `mkdir -p` one level at a time. Node's recursive mkdir spins for ever where a directory exists but
 * refuses children with ENOENT (anything under /proc), so GSS_DATA_DIR=/proc/x would hang start-up.
 */
function makeDirectory(dir: string): void {
  const missing: string[] = []
  for (let current = path.resolve(dir); !fs.existsSync(current); current = path.dirname(current)) {
    missing.unshift(current)
    if (path.dirname(current) === current) break
  }
  for (const each of missing) {
    try {
      fs.mkdirSync(each)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
}

/**
 * Claims an embedded data directory for this process. PGlite has no locking of its own: a second
 * process (`gss users add` while `gss serve` runs) would open it too, and one's writes are lost.
 */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'gss.pid')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' })
      return () => fs.rmSync(file, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const pid = Number(fs.readFileSync(file, 'utf8'))
      if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
        throw new ConfigError(
          `GSS_DATA_DIR (${dataDir}) is in use by another gss process (pid ${pid}); stop it first, or set DATABASE_URL to use a PostgreSQL server that many processes can share.`,
        )
      }
      fs.rmSync(file, { force: true }) // left behind by a process that has gone
    }
  }
  throw new ConfigError(
    `GSS_DATA_DIR (${dataDir}) is being opened by another gss process at this moment; try again.`,
  )
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export class Database {
  readonly engine: Config['engine']
  /** Owner connection: migrations, seeding and CLI maintenance only. Not subject to RLS. */
  readonly admin: Db
  /** Application connection: use through transaction(), which sets the role and tenant. */
  readonly #app: Db
  readonly #close: () => Promise<void>

  private constructor(engine: Config['engine'], admin: Db, app: Db, close: () => Promise<void>) {
    this.engine = engine
    this.admin = admin
    this.#app = app
    this.#close = close
  }

  /** Opens the database named by the configuration, failing with one sentence naming the setting. */
  static async open(config: Pick<Config, 'engine' | 'databaseUrl' | 'databaseAdminUrl' | 'dataDir'>) {
    if (config.engine === 'postgres')
      return Database.#openServer(config.databaseUrl!, config.databaseAdminUrl)
    return Database.openEmbedded(config.dataDir)
  }

  /** Embedded PGlite; in memory when dataDir is undefined. */
  static async openEmbedded(dataDir: string | undefined): Promise<Database> {
    let unlock = () => {}
    if (dataDir !== undefined) {
      try {
        makeDirectory(dataDir)
        fs.accessSync(dataDir, fs.constants.W_OK)
        const probe = path.join(dataDir, `.write-test-${process.pid}`)
        fs.writeFileSync(probe, '')
        fs.rmSync(probe)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error'
        throw new ConfigError(`GSS_DATA_DIR (${dataDir}) is not a writable directory (${code}).`)
      }
      unlock = lockDataDir(dataDir)
    }
    const pglite = new PGlite({
      ...(dataDir !== undefined ? { dataDir: path.join(dataDir, 'pglite') } : {}),
      parsers: { 20: parseInt8, 1082: (value: string) => value },
      // btree_gist: exclusion constraints that keep effective-dated HR records from overlapping.
      extensions: { btree_gist },
    })
    try {
      await pglite.waitReady
    } catch (error) {
      unlock()
      throw new ConfigError(
        `GSS_DATA_DIR (${dataDir}) holds a database that could not be opened: ${(error as Error).message}`,
      )
    }
    const kysely = new Kysely<Tables>({ dialect: new PGliteDialect(pglite) })
    return new Database('pglite', kysely, kysely, async () => {
      await kysely.destroy()
      await pglite.close()
      unlock()
    })
  }

  static async #openServer(databaseUrl: string, adminUrl: string | undefined): Promise<Database> {
    pg.types.setTypeParser(20, parseInt8)
    pg.types.setTypeParser(1082, (value: string) => value)
    const makePool = (url: string, name: string) => {
      const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 })
      // An idle client that errors (server restart) must not crash the process.
      pool.on('error', () => {})
      return { pool, name }
    }
    const app = makePool(databaseUrl, 'DATABASE_URL')
    const admin = adminUrl && adminUrl !== databaseUrl ? makePool(adminUrl, 'DATABASE_ADMIN_URL') : app
    for (const { pool, name } of new Set([app, admin])) {
      try {
        const client = await pool.connect()
        client.release()
      } catch (error) {
        await Promise.allSettled([app.pool.end(), admin.pool.end()])
        const url = new URL(name === 'DATABASE_URL' ? databaseUrl : adminUrl!)
        const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
        throw new ConfigError(
          `${name} names a PostgreSQL server that could not be reached (${url.hostname}:${url.port || 5432}/${url.pathname.slice(1)}: ${reason}).`,
        )
      }
    }
    const appDb = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: app.pool }) })
    const adminDb =
      admin === app ? appDb : new Kysely<Tables>({ dialect: new PostgresDialect({ pool: admin.pool }) })
    return new Database('postgres', adminDb, appDb, async () => {
      await appDb.destroy()
      if (adminDb !== appDb) await adminDb.destroy()
    })
  }

  /**
   * Runs fn in one transaction as the application role for the given tenant. Anything thrown rolls
   * the whole transaction back, so bad input changes nothing.
   */
  async transaction<T>(context: TenantContext, fn: (trx: Tx) => Promise<T>): Promise<T> {
    return this.#app.transaction().execute(async (trx) => {
      await Database.enterTenant(trx, context)
      return fn(trx)
    })
  }

  /** Sets the role and tenant settings for the rest of the current transaction. */
  static async enterTenant(trx: Tx, context: TenantContext): Promise<void> {
    const all = context.orgIds === 'all'
    const orgIds = all ? '' : (context.orgIds as readonly string[]).join(',')
    await sql`select set_config('role', ${APP_ROLE}, true),
      set_config('gss.user_id', ${context.userId ?? ''}, true),
      set_config('gss.org_ids', ${orgIds}, true),
      set_config('gss.all_orgs', ${all ? 'on' : 'off'}, true),
      set_config('gss.diversity_org_ids', ${(context.diversityOrgIds ?? []).join(',')}, true),
      set_config('gss.programme_read', ${programmeSetting(context.programmeRead)}, true),
      set_config('gss.programme_manage', ${programmeSetting(context.programmeManage)}, true),
      set_config('gss.acting_org_id', ${context.actingOrgId ?? ''}, true),
      set_config('gss.request_id', ${context.requestId}, true)`.execute(trx)
  }

  /** Owner transaction for maintenance (migrations, seeding). Changes are still audited. */
  async adminTransaction<T>(fn: (trx: Tx) => Promise<T>, requestId = 'system'): Promise<T> {
    return this.admin.transaction().execute(async (trx) => {
      await sql`select set_config('gss.request_id', ${requestId}, true)`.execute(trx)
      return fn(trx)
    })
  }

  async close(): Promise<void> {
    await this.#close()
  }
}
