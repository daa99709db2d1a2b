// Versioned SQL migrations. Each domain keeps its own in src/<domain>/migrations/NNNN_name.sql;
// all run in one sequence ordered by their number. Each runs in its own transaction under an
// advisory lock, so a migration never runs twice (even with several nodes starting at once) and a
// failed one leaves the schema as it was.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import type { Database, Db } from './index.ts'

export interface Migration {
  id: string
  file: string
  script: string
  checksum: string
}

const SRC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const NAME = /^(\d{4})_[a-z0-9_]+\.sql$/
/** Any number: only identifies the lock that migrations take, across every node. */
const MIGRATION_LOCK = 727_001

export class MigrationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MigrationError'
  }
}

/** Every migration under src/, in order; refuses two files with the same number. */
export function discoverMigrations(srcDir = SRC_DIR): Migration[] {
  const found: Migration[] = []
  for (const domain of fs.readdirSync(srcDir, { withFileTypes: true })) {
    if (!domain.isDirectory()) continue
    const dir = path.join(srcDir, domain.name, 'migrations')
    if (!fs.existsSync(dir)) continue
    for (const file of fs.readdirSync(dir)) {
      if (!file.endsWith('.sql')) continue
      if (!NAME.test(file))
        throw new MigrationError(`Migration ${domain.name}/migrations/${file} must be named NNNN_words.sql`)
      const script = fs.readFileSync(path.join(dir, file), 'utf8')
      found.push({
        id: file.replace(/\.sql$/, ''),
        file: path.relative(srcDir, path.join(dir, file)),
        script,
        checksum: createHash('sha256').update(script).digest('hex'),
      })
    }
  }
  found.sort((a, b) => a.id.localeCompare(b.id))
  for (let i = 1; i < found.length; i++) {
    if (found[i]!.id.slice(0, 4) === found[i - 1]!.id.slice(0, 4)) {
      throw new MigrationError(
        `Migrations ${found[i - 1]!.file} and ${found[i]!.file} share the number ${found[i]!.id.slice(0, 4)}`,
      )
    }
  }
  return found
}

async function ensureTable(db: Db): Promise<void> {
  await sql`create table if not exists schema_migrations (
    id text primary key, checksum text not null, applied_at timestamptz not null default now())`.execute(db)
}

export async function appliedMigrations(db: Db): Promise<Map<string, string>> {
  await ensureTable(db)
  const { rows } = await sql<{
    id: string
    checksum: string
  }>`select id, checksum from schema_migrations`.execute(db)
  return new Map(rows.map((row) => [row.id, row.checksum]))
}

/** Applies every pending migration; returns the ids applied. */
export async function migrate(database: Database, migrations = discoverMigrations()): Promise<string[]> {
  const applied: string[] = []
  const done = await appliedMigrations(database.admin)
  for (const migration of migrations) {
    const checksum = done.get(migration.id)
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new MigrationError(
          `Migration ${migration.file} was changed after it was applied; add a new migration instead.`,
        )
      }
      continue
    }
    try {
      await database.adminTransaction(async (trx) => {
        // Nodes starting together queue here; the loser finds the migration applied and skips it.
        await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx)
        const again = await sql<{
          id: string
        }>`select id from schema_migrations where id = ${migration.id}`.execute(trx)
        if (again.rows.length > 0) return
        await sql.raw(migration.script).execute(trx)
        await sql`insert into schema_migrations (id, checksum) values (${migration.id}, ${migration.checksum})`.execute(
          trx,
        )
        applied.push(migration.id)
      }, `migrate:${migration.id}`)
    } catch (error) {
      if (error instanceof MigrationError) throw error
      throw new MigrationError(
        `Migration ${migration.file} failed and was rolled back: ${(error as Error).message}`,
      )
    }
  }
  return applied
}
