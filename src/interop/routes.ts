// Interop over HTTP: the live event feed (JSON long polling and server-sent events), aggregate
// counts for programme analysts, the published event schemas, and webhook subscriptions (API and
// pages).
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Permission } from '../platform/auth/permissions.ts'
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { IdempotencyKeyHeader, Problem } from '../platform/http/schemas.ts'
import { formErrors } from '../platform/http/views.ts'
import { actableOrgIds, can, type Principal } from '../platform/tenancy.ts'
import { EVENT_TYPES, eventSchemaDocument, eventType } from './event-types.ts'
import {
  type EventRow,
  eventCounts,
  formatCursor,
  parseCursor,
  readEvents,
  type Visibility,
} from './events.ts'
import {
  IMPORT_MAX_BYTES,
  importRecords,
  parseRecords,
  RECORD_TYPES,
  recordSchemaDocument,
  recordType,
  toCsv,
  toJsonLines,
} from './records.ts'
import type { WebhooksService } from './webhooks.ts'

export const interopPaths = {
  home: (org: string) => `/orgs/${encodeURIComponent(org)}/integrations`,
  newSubscription: (org: string) => `/orgs/${encodeURIComponent(org)}/integrations/new`,
  subscription: (org: string, id: string) =>
    `/orgs/${encodeURIComponent(org)}/integrations/${encodeURIComponent(id)}`,
  action: (org: string, id: string, action: string) =>
    `/orgs/${encodeURIComponent(org)}/integrations/${encodeURIComponent(id)}/${action}`,
}

const OrgParams = Type.Object({ orgCode: Type.String() })
const SubscriptionParams = Type.Object({
  orgCode: Type.String(),
  subscriptionId: Type.String({ format: 'uuid' }),
})

const FeedQuery = Type.Object(
  {
    after: Type.Optional(
      Type.String({ description: 'The cursor from the previous response; omit to start at the beginning' }),
    ),
    types: Type.Optional(
      Type.String({ description: 'Comma-separated event types; all you may see if omitted' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    wait: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 25,
        description: 'Seconds to wait for new events when there are none (long polling)',
      }),
    ),
  },
  { additionalProperties: false },
)

const EventSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  version: Type.Integer(),
  organisation: Type.Object({ id: Type.String(), code: Type.String() }),
  entity: Type.Object({ type: Type.String(), id: Type.String() }),
  occurredAt: Type.String(),
  cursor: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
})

const SubscriptionBody = Type.Object(
  {
    url: Type.String({ maxLength: 2000 }),
    description: Type.Optional(Type.String({ maxLength: 200 })),
    eventTypes: Type.Array(Type.String(), { minItems: 1, maxItems: 50 }),
    scope: Type.Optional(Type.Enum(['org', 'cluster'])),
    from: Type.Optional(Type.Enum(['now', 'beginning'])),
  },
  { additionalProperties: false },
)

const SubscriptionSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  eventTypes: Type.Array(Type.String()),
  scope: Type.String(),
  status: Type.String(),
  createdAt: Type.String(),
  delivery: Type.Object({
    cursor: Type.String(),
    attempts: Type.Integer(),
    nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
  }),
})

/** For each event type, the organisations whose events of that type the principal may read. */
export function visibilityFor(principal: Principal, types?: readonly string[]): Visibility {
  const visibility: Visibility = new Map()
  const orgs = actableOrgIds(principal)
  for (const definition of EVENT_TYPES) {
    if (types && !types.includes(definition.type)) continue
    const allowed =
      orgs === 'all'
        ? can(principal, definition.permission)
          ? 'all'
          : []
        : orgs.filter((org) => can(principal, definition.permission as Permission, org))
    if (allowed === 'all' || allowed.length > 0) visibility.set(definition.type, allowed)
  }
  return visibility
}

function parseTypes(value: string | undefined): string[] | undefined {
  if (!value) return undefined
  const types = value.split(',').map((type) => type.trim())
  const unknown = types.filter((type) => !eventType(type))
  if (unknown.length > 0)
    throw new ValidationError('Unknown event type', [
      { field: '/types', message: `${unknown.join(', ')} is not an event type GSS publishes` },
    ])
  return types
}

function envelope(event: EventRow) {
  return {
    id: event.id,
    type: event.type,
    version: event.version,
    organisation: { id: event.orgId, code: event.orgCode },
    entity: { type: event.entityType, id: event.entityId },
    occurredAt: event.occurredAt,
    cursor: event.cursor,
    data: event.payload,
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function interopRoutes(services: { webhooks: WebhooksService }) {
  const { webhooks } = services
  return async (app: App) => {
    // --- The live feed --------------------------------------------------------------------
    async function feed(
      request: FastifyRequest,
      after: string | undefined,
      types: string | undefined,
      limit: number,
    ) {
      const visibility = visibilityFor(request.principal!, parseTypes(types))
      return request.withTx((trx) => readEvents(trx, { after: parseCursor(after), visibility, limit }))
    }

    app.get(
      '/api/v1/events',
      {
        config: { permission: 'authenticated', kind: 'api' },
        schema: {
          tags: ['interop'],
          summary:
            'Events since a cursor, oldest first, that your roles let you see (long polling with wait); follow next',
          querystring: FeedQuery,
          response: {
            200: Type.Object({ items: Type.Array(EventSchema), next: Type.String() }),
            400: Problem,
            401: Problem,
          },
        },
      },
      async (request) => {
        const { after, types, limit = 100, wait = 0 } = request.query
        const deadline = Date.now() + wait * 1000
        let items = await feed(request, after, types, limit)
        while (items.length === 0 && Date.now() < deadline) {
          await sleep(250)
          items = await feed(request, after, types, limit)
        }
        return { items: items.map(envelope), next: items.at(-1)?.cursor ?? formatCursor(parseCursor(after)) }
      },
    )

    app.get(
      '/api/v1/events/stream',
      {
        config: { permission: 'authenticated', kind: 'api' },
        schema: {
          tags: ['interop'],
          summary:
            'The same feed as server-sent events; reconnecting with Last-Event-ID resumes after the last event received',
          querystring: Type.Object(
            { after: Type.Optional(Type.String()), types: Type.Optional(Type.String()) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const lastEventId = request.headers['last-event-id']
        let cursor = formatCursor(
          parseCursor(typeof lastEventId === 'string' ? lastEventId : request.query.after),
        )
        const types = request.query.types
        parseTypes(types)
        reply.hijack()
        const raw = reply.raw
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        })
        raw.write('retry: 2000\n\n')
        let open = true
        request.raw.on('close', () => {
          open = false
        })
        let idle = 0
        while (open) {
          const items = await feed(request, cursor, types, 500).catch(() => [])
          for (const event of items) {
            raw.write(
              `id: ${event.cursor}\nevent: ${event.type}\ndata: ${JSON.stringify(envelope(event))}\n\n`,
            )
            cursor = event.cursor
          }
          if (items.length === 0) {
            // A comment every 15 s keeps proxies from closing a quiet stream.
            if (++idle % 60 === 0) raw.write(': keep-alive\n\n')
            await sleep(250)
          } else idle = 0
        }
        raw.end()
      },
    )

    app.get(
      '/api/v1/events/counts',
      {
        config: { permission: 'programme:read', kind: 'api' },
        schema: {
          tags: ['interop'],
          summary:
            'Event counts per organisation, type and minute: the live view for programme analysts (no payloads, no personal data)',
          querystring: Type.Object(
            { since: Type.Optional(Type.String({ format: 'date-time' })) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  orgId: Type.String(),
                  type: Type.String(),
                  minute: Type.String(),
                  events: Type.Integer(),
                }),
              ),
            }),
          },
        },
      },
      async (request) => {
        const since = request.query.since ? new Date(request.query.since) : new Date(Date.now() - 3600_000)
        const items = await request.withTx((trx) => eventCounts(trx, since, new Date()))
        return { items }
      },
    )

    // --- Data contracts: event schemas ------------------------------------------------------
    app.get(
      '/api/v1/schemas/events',
      {
        config: { permission: 'public', kind: 'api' },
        schema: { tags: ['interop'], summary: 'The event types GSS publishes, with their schema versions' },
      },
      async (request) => ({
        items: EVENT_TYPES.map((definition) => ({
          type: definition.type,
          version: definition.version,
          title: definition.title,
          personal: definition.personal,
          schema: `/api/v1/schemas/events/${definition.type}/v${definition.version}`,
        })),
        baseUrl: `${request.protocol}://${request.host}`,
      }),
    )
    app.get(
      '/api/v1/schemas/events/:eventType/:version',
      {
        config: { permission: 'public', kind: 'api' },
        schema: {
          tags: ['interop'],
          summary: 'The JSON Schema of one version of an event type’s payload',
          params: Type.Object({ eventType: Type.String(), version: Type.String({ pattern: '^v[0-9]+$' }) }),
        },
      },
      async (request, reply) => {
        const definition = eventType(request.params.eventType)
        if (!definition || `v${definition.version}` !== request.params.version)
          return reply
            .code(404)
            .type('application/problem+json')
            .send({
              type: '/problems/not-found',
              title: 'Not found',
              status: 404,
              detail: `There is no schema ${request.params.eventType} ${request.params.version}`,
            })
        return reply
          .type('application/schema+json')
          .send(eventSchemaDocument(definition, `${request.protocol}://${request.host}`))
      },
    )

    // --- Canonical records: schemas, export and import ----------------------------------------
    for (const record of RECORD_TYPES)
      app.addSchema({
        $id: `record.${record.name}.v${record.version}`,
        title: record.title,
        ...(record.schema as object),
      })

    app.get(
      '/api/v1/schemas/records',
      {
        config: { permission: 'public', kind: 'api' },
        schema: {
          tags: ['interop'],
          summary: 'The canonical records GSS exchanges, with their schema versions',
        },
      },
      async () => ({
        items: RECORD_TYPES.map((record) => ({
          record: record.name,
          version: record.version,
          title: record.title,
          formats: record.csvColumns ? ['jsonl', 'csv'] : ['jsonl'],
          importable: record.import !== undefined,
          schema: `/api/v1/schemas/records/${record.name}/v${record.version}`,
        })),
      }),
    )
    app.get(
      '/api/v1/schemas/records/:record/:version',
      {
        config: { permission: 'public', kind: 'api' },
        schema: {
          tags: ['interop'],
          summary: 'The JSON Schema of one version of a canonical record',
          params: Type.Object({ record: Type.String(), version: Type.String({ pattern: '^v[0-9]+$' }) }),
        },
      },
      async (request, reply) => {
        const record = recordType(request.params.record)
        if (!record || `v${record.version}` !== request.params.version)
          throw new NotFoundError(`There is no schema ${request.params.record} ${request.params.version}`)
        return reply
          .type('application/schema+json')
          .send(recordSchemaDocument(record, `${request.protocol}://${request.host}`))
      },
    )

    const RecordParams = Type.Object({ orgCode: Type.String(), record: Type.String() })
    const requireRecord = (request: FastifyRequest, name: string, permission: 'export' | 'import') => {
      const record = recordType(name)
      if (!record) throw new NotFoundError(`There is no canonical record called ${name}`)
      const needed = permission === 'export' ? record.permission : record.importPermission
      if (!needed) throw new NotFoundError(`${record.name} records cannot be imported here`)
      if (!can(request.principal!, needed, request.org!.id))
        throw new ForbiddenError(`You do not have permission to ${permission} ${record.name} records`)
      return record
    }
    if (!app.hasContentTypeParser('application/x-ndjson'))
      app.addContentTypeParser(
        'application/x-ndjson',
        { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES },
        (_request, body, done) => done(null, body),
      )
    app.get(
      '/api/v1/orgs/:orgCode/exchange/:record',
      {
        config: { permission: 'orgs:read', kind: 'api' },
        schema: {
          tags: ['interop'],
          summary:
            'Export one canonical record set of the organisation as JSON Lines (default) or CSV; the record schemas are under /api/v1/schemas/records',
          params: RecordParams,
          querystring: Type.Object(
            { format: Type.Optional(Type.Enum(['jsonl', 'csv'])) },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const record = requireRecord(request, request.params.record, 'export')
        const format = request.query.format ?? 'jsonl'
        if (format === 'csv' && !record.csvColumns)
          throw new ValidationError(`${record.name} records are exchanged as JSON Lines only`, [
            { field: '/format', message: 'Choose jsonl for records with nested parts' },
          ])
        const records = await request.withTx((trx) => record.export(trx, request.org!.id))
        const file = `${request.org!.code}-${record.name}-v${record.version}.${format}`
        reply.header('content-disposition', `attachment; filename="${file}"`)
        if (format === 'csv')
          return reply
            .type('text/csv; charset=utf-8')
            .send(toCsv(record, records as Array<Record<string, unknown>>))
        return reply.type('application/x-ndjson; charset=utf-8').send(toJsonLines(records))
      },
    )
    app.post(
      '/api/v1/orgs/:orgCode/exchange/:record',
      {
        config: { permission: 'orgs:read', kind: 'api' },
        bodyLimit: IMPORT_MAX_BYTES,
        schema: {
          tags: ['interop'],
          summary:
            'Import canonical records (application/x-ndjson, or text/csv for flat records): every bad record is reported by line and field, and nothing is imported until all are good',
          headers: IdempotencyKeyHeader,
          params: RecordParams,
          consumes: ['application/x-ndjson', 'text/csv'],
          response: { 201: Type.Object({ imported: Type.Integer() }), 400: Problem, 403: Problem },
        },
      },
      async (request, reply) => {
        const record = requireRecord(request, request.params.record, 'import')
        const body = request.body
        if (!Buffer.isBuffer(body))
          throw new ValidationError('Send the records as application/x-ndjson or text/csv', [
            { field: '/body', message: 'Send a JSON Lines or CSV file' },
          ])
        const format = String(request.headers['content-type']).startsWith('text/csv') ? 'csv' : 'jsonl'
        const values = parseRecords(record, body, format)
        const result = await request.withTx((trx) =>
          importRecords(trx, record, request.org!.id, values, request.principal!.userId),
        )
        return reply.code(201).send(result)
      },
    )

    // --- Webhook subscriptions: API -------------------------------------------------------
    const manage = { permission: 'interop:manage' as const, kind: 'api' as const }
    const assertScope = (request: FastifyRequest, scope: 'org' | 'cluster' | undefined) => {
      if (scope !== 'cluster') return
      // Cluster-wide subscriptions deliver every member organisation's events: cluster staff only.
      const clusterWide = request.principal!.grants.some(
        (grant) => grant.role === 'cluster_admin' && grant.orgId === request.org!.id,
      )
      if (!clusterWide && !request.principal!.platformRoles.includes('platform_admin'))
        throw new ValidationError('Only cluster staff can subscribe to a whole cluster', [
          { field: '/scope', message: 'Choose this organisation only, or ask a cluster admin' },
        ])
    }

    app.get(
      '/api/v1/orgs/:orgCode/webhooks',
      {
        config: manage,
        schema: {
          tags: ['interop'],
          summary: 'Webhook subscriptions of the organisation',
          params: OrgParams,
          response: { 200: Type.Object({ items: Type.Array(SubscriptionSchema) }) },
        },
      },
      async (request) => ({ items: await request.withTx((trx) => webhooks.list(trx, request.org!.id)) }),
    )
    app.post(
      '/api/v1/orgs/:orgCode/webhooks',
      {
        config: manage,
        schema: {
          tags: ['interop'],
          summary: 'Subscribe an endpoint to event types; the signing secret is shown once, in this response',
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: SubscriptionBody,
          response: {
            201: Type.Object({ subscription: SubscriptionSchema, secret: Type.String() }),
            400: Problem,
            403: Problem,
          },
        },
      },
      async (request, reply) => {
        assertScope(request, request.body.scope)
        const created = await request.withTx((trx) =>
          webhooks.create(trx, request.org!.id, request.body, request.principal!.userId),
        )
        return reply.code(201).send(created)
      },
    )
    app.get(
      '/api/v1/orgs/:orgCode/webhooks/:subscriptionId',
      {
        config: manage,
        schema: {
          tags: ['interop'],
          summary: 'One subscription with its delivery state and its latest delivery attempts',
          params: SubscriptionParams,
        },
      },
      async (request) =>
        request.withTx(async (trx) => ({
          subscription: await webhooks.get(trx, request.org!.id, request.params.subscriptionId),
          deliveries: await webhooks.deliveries(trx, request.org!.id, request.params.subscriptionId),
        })),
    )
    app.post(
      '/api/v1/orgs/:orgCode/webhooks/:subscriptionId/rotate-secret',
      {
        config: manage,
        schema: {
          tags: ['interop'],
          summary: `A new signing secret; the old one keeps signing alongside it for a day`,
          headers: IdempotencyKeyHeader,
          params: SubscriptionParams,
        },
      },
      async (request) =>
        request.withTx((trx) => webhooks.rotateSecret(trx, request.org!.id, request.params.subscriptionId)),
    )
    app.post(
      '/api/v1/orgs/:orgCode/webhooks/:subscriptionId/status',
      {
        config: manage,
        schema: {
          tags: ['interop'],
          summary: 'Pause or resume deliveries (a paused subscription keeps its place)',
          headers: IdempotencyKeyHeader,
          params: SubscriptionParams,
          body: Type.Object({ status: Type.Enum(['active', 'paused']) }, { additionalProperties: false }),
        },
      },
      async (request) =>
        request.withTx((trx) =>
          webhooks.setStatus(trx, request.org!.id, request.params.subscriptionId, request.body.status),
        ),
    )
    app.post(
      '/api/v1/orgs/:orgCode/webhooks/:subscriptionId/replay',
      {
        config: manage,
        schema: {
          tags: ['interop'],
          summary: 'Deliver again every event from a moment (or from the beginning)',
          headers: IdempotencyKeyHeader,
          params: SubscriptionParams,
          body: Type.Object(
            { from: Type.Union([Type.Literal('beginning'), Type.String({ format: 'date-time' })]) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) =>
        request.withTx((trx) =>
          webhooks.replay(
            trx,
            request.org!.id,
            request.params.subscriptionId,
            request.body.from === 'beginning' ? 'beginning' : new Date(request.body.from),
          ),
        ),
    )

    // --- Pages ----------------------------------------------------------------------------
    const page = { permission: 'interop:manage' as const, kind: 'page' as const }
    const crumbs = (org: { code: string; name: string }) => [
      { text: 'Home', href: '/' },
      { text: `Integrations – ${org.name}`, href: interopPaths.home(org.code) },
    ]
    const typeItems = (checked: readonly string[]) =>
      EVENT_TYPES.map((definition) => ({
        value: definition.type,
        text: definition.type,
        hint: { text: definition.title + (definition.personal ? ' (contains personal data)' : '') },
        checked: checked.includes(definition.type),
      }))

    app.get('/integrations', { config: page, schema: { hide: true } }, async (request, reply) => {
      const acting = request.tenant.actingOrgId
      const org = acting
        ? await request.withTx((trx) =>
            trx.selectFrom('organisations').select('code').where('id', '=', acting).executeTakeFirst(),
          )
        : undefined
      if (org && can(request.principal!, 'interop:manage', acting!))
        return reply.redirect(interopPaths.home(org.code))
      return reply.page('interop/views/choose.njk', { pageTitle: 'Integrations' })
    })

    app.get(
      '/orgs/:orgCode/integrations',
      { config: page, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        const list = await request.withTx((trx) => webhooks.list(trx, org.id))
        return reply.page('interop/views/home.njk', {
          pageTitle: `Integrations – ${org.name}`,
          org,
          subscriptions: list,
          eventTypes: EVENT_TYPES,
          breadcrumbs: [{ text: 'Home', href: '/' }],
          paths: interopPaths,
        })
      },
    )

    const newForm = (
      request: FastifyRequest,
      values: Record<string, unknown>,
      errors?: ReturnType<typeof formErrors>,
    ) => ({
      pageTitle: `Add a webhook – ${request.org!.name}`,
      org: request.org!,
      values,
      errors,
      typeItems: typeItems((values.eventTypes as string[] | undefined) ?? []),
      breadcrumbs: crumbs(request.org!),
      paths: interopPaths,
    })
    app.get(
      '/orgs/:orgCode/integrations/new',
      { config: page, schema: { hide: true, params: OrgParams } },
      async (request, reply) => reply.page('interop/views/new.njk', newForm(request, { from: 'now' })),
    )
    app.post(
      '/orgs/:orgCode/integrations/new',
      { config: page, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        const body = (request.body ?? {}) as Record<string, unknown>
        const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
        const eventTypes = ([] as unknown[])
          .concat(body.eventTypes ?? [])
          .filter((v): v is string => typeof v === 'string')
        const values = {
          url: text('url'),
          description: text('description'),
          eventTypes,
          from: text('from') === 'beginning' ? ('beginning' as const) : ('now' as const),
        }
        try {
          const { subscription, secret } = await request.withTx((trx) =>
            webhooks.create(trx, org.id, values, request.principal!.userId),
          )
          // The secret is shown once, on this response; it is never shown again.
          return reply.page('interop/views/created.njk', {
            pageTitle: `Webhook added – ${org.name}`,
            org,
            subscription,
            secret,
            breadcrumbs: crumbs(org),
            paths: interopPaths,
          })
        } catch (error) {
          if (!(error instanceof AppError) || error.fieldErrors.length === 0) throw error
          reply.code(error.status)
          return reply.page(
            'interop/views/new.njk',
            newForm(request, values, formErrors(error.fieldErrors, { eventTypes: 'eventTypes' })),
          )
        }
      },
    )

    const showSubscription = async (
      request: FastifyRequest<{ Params: { orgCode: string; subscriptionId: string } }>,
      extra: Record<string, unknown> = {},
    ) => {
      const org = request.org!
      const { subscription, deliveries } = await request.withTx(async (trx) => ({
        subscription: await webhooks.get(trx, org.id, request.params.subscriptionId),
        deliveries: await webhooks.deliveries(trx, org.id, request.params.subscriptionId, 50),
      }))
      return {
        pageTitle: `Webhook – ${org.name}`,
        org,
        subscription,
        deliveries,
        breadcrumbs: crumbs(org),
        paths: interopPaths,
        ...extra,
      }
    }
    app.get(
      '/orgs/:orgCode/integrations/:subscriptionId',
      { config: page, schema: { hide: true, params: SubscriptionParams } },
      async (request, reply) => {
        const done = (request.query as Record<string, string>).done
        return reply.page('interop/views/subscription.njk', await showSubscription(request, { done }))
      },
    )
    app.post(
      '/orgs/:orgCode/integrations/:subscriptionId/:action',
      {
        config: page,
        schema: {
          hide: true,
          params: Type.Object({
            orgCode: Type.String(),
            subscriptionId: Type.String({ format: 'uuid' }),
            action: Type.Enum(['pause', 'resume', 'rotate', 'replay']),
          }),
        },
      },
      async (request, reply) => {
        const org = request.org!
        const id = request.params.subscriptionId
        const body = (request.body ?? {}) as Record<string, string>
        if (request.params.action === 'rotate') {
          const rotated = await request.withTx((trx) => webhooks.rotateSecret(trx, org.id, id))
          return reply.page('interop/views/subscription.njk', await showSubscription(request, { rotated }))
        }
        if (request.params.action === 'replay') {
          const from = (body.from ?? '').trim()
          let start: Date | 'beginning' = 'beginning'
          if (from !== '') {
            start = new Date(`${from}T00:00:00Z`)
            if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || Number.isNaN(start.getTime())) {
              reply.code(400)
              return reply.page(
                'interop/views/subscription.njk',
                await showSubscription(request, {
                  replayFrom: from,
                  errors: formErrors([
                    {
                      field: '/from',
                      message:
                        'Enter the date to replay from as YYYY-MM-DD, or leave it empty for every event',
                    },
                  ]),
                }),
              )
            }
          }
          try {
            await request.withTx((trx) => webhooks.replay(trx, org.id, id, start))
          } catch (error) {
            if (!(error instanceof AppError)) throw error
            reply.code(error.status)
            return reply.page(
              'interop/views/subscription.njk',
              await showSubscription(request, {
                errors: formErrors([{ field: '/from', message: error.message }]),
              }),
            )
          }
          return reply.redirect(`${interopPaths.subscription(org.code, id)}?done=replay`, 303)
        }
        const status = request.params.action === 'pause' ? 'paused' : 'active'
        await request.withTx((trx) => webhooks.setStatus(trx, org.id, id, status))
        return reply.redirect(`${interopPaths.subscription(org.code, id)}?done=${request.params.action}`, 303)
      },
    )
  }
}
