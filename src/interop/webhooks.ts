// Webhook subscriptions and their signatures. A delivery is an HTTP POST of one event as JSON with
//   GSS-Event-Id: <uuid>          the receiver's de-duplication key (deliveries are at least once)
//   GSS-Event-Type: journal.posted
//   GSS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">[,v1=<with previous secret>]
// A receiver recomputes the HMAC with its secret over the timestamp and the raw body, compares in
// constant time, and refuses timestamps more than five minutes from its clock (replay).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { sql } from 'kysely'
import type { Tx } from '../platform/db/index.ts'
import { BusinessRuleError, NotFoundError, ValidationError } from '../platform/errors.ts'
import { eventType } from './event-types.ts'
import { type Cursor, cursorBefore, latestCursor, START } from './events.ts'

export const SIGNATURE_TOLERANCE_SECONDS = 300
/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_HOURS = 24

export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`
}

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

/** The GSS-Signature header for a body, signed with every secret given (current first). */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${hmac(secret, timestamp, body)}`)].join(',')
}

/** What a receiver does: true if any v1 signature matches and the timestamp is fresh. */
export function verifySignature(
  secret: string,
  header: string,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const parts = header.split(',').map((part) => part.split('=', 2) as [string, string])
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1])
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > SIGNATURE_TOLERANCE_SECONDS)
    return false
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex')
  return parts.some(([key, value]) => {
    if (key !== 'v1' || !/^[0-9a-f]{64}$/.test(value)) return false
    return timingSafeEqual(Buffer.from(value, 'hex'), expected)
  })
}

export interface SubscriptionInput {
  url: string
  description?: string
  eventTypes: string[]
  scope?: 'org' | 'cluster'
  /** Where delivery starts: 'now' (default) or 'beginning' (every event still in the outbox). */
  from?: 'now' | 'beginning'
}

export interface SubscriptionView {
  id: string
  url: string
  description: string | null
  eventTypes: string[]
  scope: 'org' | 'cluster'
  status: 'active' | 'paused'
  createdAt: string
  delivery: {
    cursor: string
    attempts: number
    nextAttemptAt: string | null
    lastError: string | null
  }
}

function checkInput(input: SubscriptionInput, allowProduction: boolean): void {
  const errors = []
  let url: URL | undefined
  try {
    url = new URL(input.url)
  } catch {
    errors.push({ field: '/url', message: 'Enter the full address of the endpoint, starting https://' })
  }
  if (url && url.protocol !== 'https:' && !(url.protocol === 'http:' && !allowProduction))
    errors.push({ field: '/url', message: 'The endpoint must use https://' })
  if (input.eventTypes.length === 0)
    errors.push({ field: '/eventTypes', message: 'Choose at least one event type' })
  for (const [index, type] of input.eventTypes.entries())
    if (!eventType(type))
      errors.push({ field: `/eventTypes/${index}`, message: `${type} is not an event type GSS publishes` })
  if (errors.length > 0) throw new ValidationError('The subscription has errors', errors)
}

export class WebhooksService {
  readonly #allowPlainHttp: boolean

  /** Plain http:// endpoints are allowed outside production (local receivers, tests). */
  constructor(options: { allowPlainHttp: boolean }) {
    this.#allowPlainHttp = options.allowPlainHttp
  }

  async create(
    trx: Tx,
    orgId: string,
    input: SubscriptionInput,
    userId: string | null,
  ): Promise<{ subscription: SubscriptionView; secret: string }> {
    checkInput(input, !this.#allowPlainHttp)
    const id = crypto.randomUUID()
    const secret = newSecret()
    await trx
      .insertInto('webhook_subscriptions')
      .values({
        org_id: orgId,
        id,
        url: input.url,
        description: input.description?.trim() || null,
        event_types: [...new Set(input.eventTypes)],
        scope: input.scope ?? 'org',
        secret,
        created_by: userId,
      })
      .execute()
    const from: Cursor = input.from === 'beginning' ? START : await latestCursor(trx)
    await trx
      .insertInto('webhook_cursors')
      .values({ org_id: orgId, subscription_id: id, position: from })
      .execute()
    return { subscription: await this.get(trx, orgId, id), secret }
  }

  async list(trx: Tx, orgId: string): Promise<SubscriptionView[]> {
    const rows = await this.#query(trx, orgId).orderBy('s.created_at').execute()
    return rows.map(toView)
  }

  async get(trx: Tx, orgId: string, id: string): Promise<SubscriptionView> {
    const row = await this.#query(trx, orgId).where('s.id', '=', id).executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such webhook subscription')
    return toView(row)
  }

  #query(trx: Tx, orgId: string) {
    return trx
      .selectFrom('webhook_subscriptions as s')
      .innerJoin('webhook_cursors as c', (join) =>
        join.onRef('c.org_id', '=', 's.org_id').onRef('c.subscription_id', '=', 's.id'),
      )
      .select([
        's.id',
        's.url',
        's.description',
        's.event_types',
        's.scope',
        's.status',
        's.created_at',
        sql<string>`c.position::text`.as('cursor'),
        'c.attempts',
        'c.next_attempt_at',
        'c.last_error',
      ])
      .where('s.org_id', '=', orgId)
  }

  async setStatus(
    trx: Tx,
    orgId: string,
    id: string,
    status: 'active' | 'paused',
  ): Promise<SubscriptionView> {
    await this.get(trx, orgId, id)
    await trx
      .updateTable('webhook_subscriptions')
      .set({ status })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute()
    if (status === 'active')
      await trx
        .updateTable('webhook_cursors')
        .set({ next_attempt_at: null, attempts: 0 })
        .where('org_id', '=', orgId)
        .where('subscription_id', '=', id)
        .execute()
    return this.get(trx, orgId, id)
  }

  /** A new secret; the old one keeps signing alongside it for ROTATION_OVERLAP_HOURS. */
  async rotateSecret(
    trx: Tx,
    orgId: string,
    id: string,
  ): Promise<{ secret: string; previousValidUntil: string }> {
    const current = await trx
      .selectFrom('webhook_subscriptions')
      .select('secret')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!current) throw new NotFoundError('There is no such webhook subscription')
    const secret = newSecret()
    const until = new Date(Date.now() + ROTATION_OVERLAP_HOURS * 3600_000)
    await trx
      .updateTable('webhook_subscriptions')
      .set({ secret, previous_secret: current.secret, previous_secret_expires_at: until })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute()
    return { secret, previousValidUntil: until.toISOString() }
  }

  /** Delivers again every event from a moment (or from the beginning): receivers de-duplicate. */
  async replay(trx: Tx, orgId: string, id: string, from: Date | 'beginning'): Promise<SubscriptionView> {
    const subscription = await this.get(trx, orgId, id)
    if (subscription.status === 'paused')
      throw new BusinessRuleError('Resume the subscription before replaying its events')
    const cursor = from === 'beginning' ? START : await cursorBefore(trx, from)
    await trx
      .updateTable('webhook_cursors')
      .set({
        position: cursor,
        attempts: 0,
        next_attempt_at: null,
        last_error: null,
      })
      .where('org_id', '=', orgId)
      .where('subscription_id', '=', id)
      .execute()
    return this.get(trx, orgId, id)
  }

  async deliveries(trx: Tx, orgId: string, id: string, limit = 100) {
    await this.get(trx, orgId, id)
    const rows = await trx
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('subscription_id', '=', id)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.map((row) => ({
      eventId: row.event_id,
      attempt: row.attempt,
      attemptedAt: new Date(row.attempted_at).toISOString(),
      durationMs: row.duration_ms,
      statusCode: row.status_code,
      outcome: row.outcome,
      error: row.error,
    }))
  }
}

function toView(row: {
  id: string
  url: string
  description: string | null
  event_types: string[]
  scope: 'org' | 'cluster'
  status: 'active' | 'paused'
  created_at: Date
  cursor: string
  attempts: number
  next_attempt_at: Date | null
  last_error: string | null
}): SubscriptionView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    scope: row.scope,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    delivery: {
      cursor: row.cursor,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at ? new Date(row.next_attempt_at).toISOString() : null,
      lastError: row.last_error,
    },
  }
}
