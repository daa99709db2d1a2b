// Idempotency-Key on every API write: the same key with the same request returns the first
// response again; the same key with a different request is refused with 422. The key is reserved
// before the handler runs, so two concurrent retries cannot both act (the second gets 409).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import { sha256 } from '../auth/service.ts'
import { type Database, SYSTEM_CONTEXT } from '../db/index.ts'
import { ConflictError, IdempotencyMismatchError, ValidationError } from '../errors.ts'

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/
/** How long a key is remembered. */
const KEY_LIFETIME_HOURS = 24

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { principal: string; key: string }
  }
}

/** JSON with sorted keys, so {a,b} and {b,a} are the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

export function registerIdempotency(app: FastifyInstance, db: Database): void {
  app.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers['idempotency-key']
    if (header === undefined || !UNSAFE.has(request.method) || !request.principal) return
    const key = Array.isArray(header) ? header[0]! : header
    if (!KEY_FORMAT.test(key)) {
      throw new ValidationError('Idempotency-Key must be 1 to 255 visible ASCII characters', [
        { field: '/headers/idempotency-key', message: 'must be 1 to 255 visible ASCII characters' },
      ])
    }
    const principal = `user:${request.principal.userId}`
    const path = request.url
    const requestHash = sha256(`${request.method} ${path}\n${canonical(request.body ?? null)}`)
    const existing = await db.transaction(SYSTEM_CONTEXT, async (trx) => {
      await trx
        .deleteFrom('idempotency_keys')
        .where('principal', '=', principal)
        .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${KEY_LIFETIME_HOURS})`)
        .execute()
      const inserted = await trx
        .insertInto('idempotency_keys')
        .values({ principal, key, method: request.method, path, request_hash: requestHash })
        .onConflict((conflict) => conflict.columns(['principal', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst()
      if (inserted) return undefined
      return trx
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('principal', '=', principal)
        .where('key', '=', key)
        .executeTakeFirstOrThrow()
    })
    if (!existing) {
      request.idempotency = { principal, key }
      return
    }
    if (existing.request_hash !== requestHash) {
      throw new IdempotencyMismatchError(
        `The Idempotency-Key ${key} was first used for a different request (${existing.method} ${existing.path}); use a new key for a new request`,
      )
    }
    if (existing.state === 'pending') {
      throw new ConflictError(
        `A request with the Idempotency-Key ${key} is still being processed; retry shortly`,
      )
    }
    reply
      .code(existing.status_code!)
      .header('idempotent-replayed', 'true')
      .type(existing.content_type ?? 'application/json')
    return reply.send(existing.response_body ?? '')
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const idempotency = request.idempotency
    if (!idempotency) return payload
    request.idempotency = undefined
    await db.transaction(SYSTEM_CONTEXT, async (trx) => {
      // A server error is not an answer: forget the key so that a retry runs the request again.
      if (reply.statusCode >= 500) {
        await trx
          .deleteFrom('idempotency_keys')
          .where('principal', '=', idempotency.principal)
          .where('key', '=', idempotency.key)
          .execute()
        return
      }
      await trx
        .updateTable('idempotency_keys')
        .set({
          state: 'done',
          status_code: reply.statusCode,
          content_type: String(reply.getHeader('content-type') ?? 'application/json'),
          response_body: typeof payload === 'string' ? payload : payload === null ? '' : String(payload),
        })
        .where('principal', '=', idempotency.principal)
        .where('key', '=', idempotency.key)
        .execute()
    })
    return payload
  })
}
