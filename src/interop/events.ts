// Reading the event outbox: cursors and the feed. Events are written by triggers in the same
// transaction as the change (migrations/0601); this module only reads them, in commit-safe order.
import { sql } from 'kysely'
import type { Db, Tx } from '../platform/db/index.ts'
import { ValidationError } from '../platform/errors.ts'

/** A place in the feed: every event up to and including this position has been seen. */
export type Cursor = number

export const START: Cursor = 0

/** Cursors travel as decimal strings; opaque to callers. */
export function formatCursor(cursor: Cursor): string {
  return String(cursor)
}

/**
 * Gives every committed event without a place in the feed its position (migrations 0600, 0603).
 * With `wait` false (feed readers) it returns at once if another sequencer is running.
 */
export async function sequenceEvents(trx: Db | Tx, wait = true): Promise<number> {
  const { rows } = await sql<{ n: number }>`select gss_sequence_events(${wait}) as n`.execute(trx)
  return Number(rows[0]?.n ?? 0)
}

export function parseCursor(value: string | undefined, field = 'after'): Cursor {
  if (value === undefined || value === '') return START
  if (!/^\d{1,15}$/.test(value))
    throw new ValidationError(`${field} must be a cursor returned by this API`, [
      {
        field: `/${field}`,
        message: 'Use the cursor from a previous response, or leave it out to start at the beginning',
      },
    ])
  return Number(value)
}

export interface EventRow {
  orgId: string
  orgCode: string
  id: string
  type: string
  version: number
  entityType: string
  entityId: string
  occurredAt: string
  personal: boolean
  payload: Record<string, unknown>
  cursor: string
}

/** Which events a reader may see: per event type, the organisations allowed (RLS applies too). */
export type Visibility = Map<string, readonly string[] | 'all'>

/** An events row joined to its organisation's code, as both the feed and the dispatcher read it. */
export interface RawEvent {
  org_id: string
  org_code: string
  id: string
  type: string
  version: number
  entity_type: string
  entity_id: string
  occurred_at: Date | string
  personal: boolean
  payload: Record<string, unknown> | string
  position: number
}

export function toEventRow(row: RawEvent): EventRow {
  return {
    orgId: row.org_id,
    orgCode: row.org_code,
    id: row.id,
    type: row.type,
    version: row.version,
    entityType: row.entity_type,
    entityId: row.entity_id,
    occurredAt: new Date(row.occurred_at).toISOString(),
    personal: row.personal,
    payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
    cursor: formatCursor(Number(row.position)),
  }
}

/**
 * Events after the cursor that the reader may see, in feed order. Positions are given only to
 * committed events, in order (see the migration), so reading again from the last cursor never
 * misses an event that committed late.
 */
export async function readEvents(
  trx: Tx,
  options: { after: Cursor; visibility: Visibility; limit: number; orgIds?: readonly string[] },
): Promise<EventRow[]> {
  const clauses = [...options.visibility].map(([type, orgs]) =>
    orgs === 'all'
      ? sql`e.type = ${type}`
      : sql`(e.type = ${type} and e.org_id = any(${sql.val(orgs)}::uuid[]))`,
  )
  if (clauses.length === 0) return []
  await sequenceEvents(trx, false)
  const orgFilter = options.orgIds ? sql`and e.org_id = any(${sql.val(options.orgIds)}::uuid[])` : sql``
  const { rows } = await sql<RawEvent>`
    select e.org_id, o.code as org_code, e.id, e.type, e.version, e.entity_type, e.entity_id,
      e.occurred_at, e.personal, e.payload, e.position
    from events e join organisations o on o.id = e.org_id
    where e.position > ${options.after}
      and (${sql.join(clauses, sql` or `)}) ${orgFilter}
    order by e.position
    limit ${options.limit}`.execute(trx)
  return rows.map(toEventRow)
}

/** The newest cursor in the feed (for "start from now" subscriptions and replays). */
export async function latestCursor(trx: Tx): Promise<Cursor> {
  await sequenceEvents(trx)
  const { rows } = await sql<{
    position: number | null
  }>`select max(position) as position from events`.execute(trx)
  return Number(rows[0]?.position ?? START)
}

/** The cursor just before the first event at or after a moment: a replay starts there. */
export async function cursorBefore(trx: Tx, at: Date): Promise<Cursor> {
  await sequenceEvents(trx)
  const { rows } = await sql<{ position: number | null }>`
    select min(position) - 1 as position from events where occurred_at >= ${at}`.execute(trx)
  if (rows[0]?.position !== null && rows[0]?.position !== undefined) return Number(rows[0].position)
  return latestCursor(trx)
}

export interface EventCount {
  orgId: string
  type: string
  minute: string
  events: number
}

/** Counts per organisation, type and minute: the live view for aggregate-only roles. */
export async function eventCounts(trx: Tx, since: Date, until: Date): Promise<EventCount[]> {
  const { rows } = await sql<{ org_id: string; type: string; minute: Date | string; events: number }>`
    select org_id, type, minute, events from gss_event_counts(${since}, ${until})
    order by minute, org_id, type`.execute(trx)
  return rows.map((row) => ({
    orgId: row.org_id,
    type: row.type,
    minute: new Date(row.minute).toISOString(),
    events: Number(row.events),
  }))
}
