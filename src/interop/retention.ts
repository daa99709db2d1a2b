// Event retention: `gss events prune` deletes events older than the retention period that every
// active webhook subscription has already received (migration 0605). Replay reaches back as far
// as the retention period; the decision record (0600) says so.
import { sql } from 'kysely'
import type { Db } from '../platform/db/index.ts'

export const DEFAULT_RETENTION_DAYS = 400

/** Runs as the owner (db.admin): the application role can never delete events. */
export async function pruneEvents(admin: Db, olderThanDays: number, now = new Date()): Promise<number> {
  if (!Number.isInteger(olderThanDays) || olderThanDays < 1)
    throw new Error('The retention period must be a whole number of days, at least 1')
  const before = new Date(now.getTime() - olderThanDays * 86_400_000)
  return admin.transaction().execute(async (trx) => {
    const { rows } = await sql<{ deleted: string }>`select gss_prune_events(${before}) as deleted`.execute(
      trx,
    )
    return Number(rows[0]!.deleted)
  })
}
