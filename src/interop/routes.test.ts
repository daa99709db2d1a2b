// The interop API and pages through the real app: the feed shows each caller only what their
// roles allow, analysts get counts and never payloads, schemas are published, and webhooks can be
// added, inspected, paused and replayed from the pages without JavaScript.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Role } from '../platform/auth/permissions.ts'
import { apiToken, createTestApp, signIn, type TestApp } from '../platform/testing.ts'

let t: TestApp

async function tokenFor(email: string, org: string, roles: Role[]) {
  return (await apiToken(t, email, org, roles)).headers
}

let clerk: Record<string, string>
let hr: Record<string, string>

beforeAll(async () => {
  t = await createTestApp()
  clerk = await tokenFor('finance.clerk@gss.example', 'cabinet-office', ['finance_clerk'])
  hr = await tokenFor('hr.officer@gss.example', 'cabinet-office', ['hr_officer'])
  const posted = await t.app.inject({
    method: 'POST',
    url: '/api/v1/orgs/cabinet-office/journals',
    headers: { ...clerk, 'idempotency-key': 'interop-feed-1' },
    payload: {
      journals: [
        {
          date: new Date().toISOString().slice(0, 10),
          description: 'Feed test journal',
          lines: [
            { accountCode: '52100000', costCentreCode: 'CORP', amountMinor: 1000 },
            { accountCode: '21100000', amountMinor: -1000 },
          ],
        },
      ],
    },
  })
  expect(posted.statusCode, posted.body).toBe(201)
}, 120_000)
afterAll(async () => t?.close())

describe('the live feed', () => {
  test('a finance clerk reads journal events of their organisation and follows the cursor', async () => {
    // Follow the cursor page by page to the end of the feed.
    const items: Array<{ type: string; data: { description: string } }> = []
    let body = { items: [] as typeof items, next: '' }
    do {
      const page = await t.app.inject({
        method: 'GET',
        url: `/api/v1/events?limit=1000${body.next ? `&after=${body.next}` : ''}`,
        headers: clerk,
      })
      expect(page.statusCode).toBe(200)
      body = page.json()
      items.push(...body.items)
    } while (body.items.length > 0)
    expect(items.some((event) => event.data.description === 'Feed test journal')).toBe(true)
    // What a finance clerk may read: finance events, and contracts (procurement:read).
    const clerkTypes = ['journal.posted', 'invoice.approved', 'payment.made', 'contract.awarded']
    expect(items.every((event) => clerkTypes.includes(event.type))).toBe(true)
    expect(items.some((event) => event.type.startsWith('employee.'))).toBe(false)
    const after = await t.app.inject({
      method: 'GET',
      url: `/api/v1/events?after=${body.next}`,
      headers: clerk,
    })
    expect(after.json()).toEqual({ items: [], next: body.next })
  })

  test('an HR officer without finance:read sees no journal events', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events?types=journal.posted',
      headers: hr,
    })
    expect(response.json().items).toEqual([])
  })

  test('an unknown type or a forged cursor is refused naming the field', async () => {
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/events?types=made.up', headers: clerk })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors ?? bad.json().invalidParams ?? bad.body).toBeDefined()
    expect(bad.body).toContain('made.up is not an event type GSS publishes')
    const cursor = await t.app.inject({ method: 'GET', url: '/api/v1/events?after=abc', headers: clerk })
    expect(cursor.statusCode).toBe(400)
    expect(cursor.body).toContain('cursor')
  })

  test('server-sent events deliver the same feed', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const port = (t.app.server.address() as AddressInfo).port
    const text = await new Promise<string>((resolve, reject) => {
      const request = http.get(
        { host: '127.0.0.1', port, path: '/api/v1/events/stream', headers: clerk },
        (response) => {
          expect(response.headers['content-type']).toContain('text/event-stream')
          let data = ''
          response.on('data', (chunk: Buffer) => {
            data += chunk.toString('utf8')
            if (data.includes('Feed test journal')) {
              request.destroy()
              resolve(data)
            }
          })
        },
      )
      request.on('error', reject)
      setTimeout(() => reject(new Error('no event within 10 s')), 10_000)
    })
    expect(text).toMatch(/^id: \d+$/m)
    expect(text).toContain('event: journal.posted')
  })

  test('programme analysts get counts, never payloads', async () => {
    const session = await signIn(t.app, 'programme.analyst@gss.example')
    const counts = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events/counts',
      headers: { cookie: session.cookie },
    })
    expect(counts.statusCode).toBe(200)
    const items = counts.json().items as Array<Record<string, unknown>>
    expect(items.length).toBeGreaterThan(0)
    expect(Object.keys(items[0]!).sort()).toEqual(['events', 'minute', 'orgId', 'type'])
    const feed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events',
      headers: { cookie: session.cookie },
    })
    expect(feed.json().items).toEqual([])
  })
})

test('event schemas are published and versioned', async () => {
  const list = await t.app.inject({ method: 'GET', url: '/api/v1/schemas/events' })
  expect(list.statusCode).toBe(200)
  const types = (list.json().items as Array<{ type: string }>).map((item) => item.type)
  expect(types).toEqual(
    expect.arrayContaining([
      'journal.posted',
      'invoice.approved',
      'payment.made',
      'employee.joined',
      'payrun.approved',
      'contract.awarded',
      'return.submitted',
    ]),
  )
  const schema = await t.app.inject({ method: 'GET', url: '/api/v1/schemas/events/journal.posted/v1' })
  expect(schema.statusCode).toBe(200)
  expect(schema.headers['content-type']).toContain('application/schema+json')
  expect(schema.json()).toMatchObject({ type: 'object', required: expect.arrayContaining(['journalId']) })
  const missing = await t.app.inject({ method: 'GET', url: '/api/v1/schemas/events/journal.posted/v9' })
  expect(missing.statusCode).toBe(404)
})

describe('webhooks', () => {
  test('the API needs interop:manage and an Idempotency-Key, and shows the secret once', async () => {
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/webhooks',
      headers: { ...clerk, 'idempotency-key': 'wh-1' },
      payload: { url: 'https://example.org/hook', eventTypes: ['journal.posted'] },
    })
    expect(refused.statusCode).toBe(403)
    const admin = await tokenFor('org.admin@gss.example', 'cabinet-office', ['org_admin'])
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/webhooks',
      headers: { ...admin, 'idempotency-key': 'wh-1' },
      payload: { url: 'https://example.org/hook', eventTypes: ['journal.posted'] },
    })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json().secret).toMatch(/^whsec_/)
    const id = created.json().subscription.id as string
    const shown = await t.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/cabinet-office/webhooks/${id}`,
      headers: admin,
    })
    expect(shown.body).not.toContain(created.json().secret)
    const cluster = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/webhooks',
      headers: { ...admin, 'idempotency-key': 'wh-2' },
      payload: { url: 'https://example.org/hook', eventTypes: ['journal.posted'], scope: 'cluster' },
    })
    expect(cluster.statusCode).toBe(400)
    expect(cluster.body).toContain('Only cluster staff')
  })

  test('pages: add with errors shown, then the secret, then pause and replay', async () => {
    const session = await signIn(t.app, 'org.admin@gss.example')
    const headers = { cookie: session.cookie }
    const home = await t.app.inject({ method: 'GET', url: '/orgs/cabinet-office/integrations', headers })
    expect(home.statusCode).toBe(200)
    expect(home.body).toContain('Add a webhook')
    const bad = await t.app.inject({
      method: 'POST',
      url: '/orgs/cabinet-office/integrations/new',
      headers,
      payload: { _csrf: session.csrfToken, url: 'nope' },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('govuk-error-summary')
    expect(bad.body).toContain('Choose at least one event type')
    const good = await t.app.inject({
      method: 'POST',
      url: '/orgs/cabinet-office/integrations/new',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(session.csrfToken)}&url=${encodeURIComponent('https://example.org/pages')}&eventTypes=journal.posted&eventTypes=employee.joined&from=now`,
    })
    expect(good.statusCode).toBe(200)
    expect(good.body).toMatch(/whsec_[A-Za-z0-9_-]{20,}/)
    const link = /href="(\/orgs\/cabinet-office\/integrations\/[0-9a-f-]{36})"/.exec(good.body)![1]!
    const pause = await t.app.inject({
      method: 'POST',
      url: `${link}/pause`,
      headers,
      payload: { _csrf: session.csrfToken },
    })
    expect(pause.statusCode).toBe(303)
    const paused = await t.app.inject({ method: 'GET', url: pause.headers.location as string, headers })
    expect(paused.body).toContain('Deliveries paused')
    expect(paused.body).toContain('Resume deliveries')
    const badReplay = await t.app.inject({
      method: 'POST',
      url: `${link}/replay`,
      headers,
      payload: { _csrf: session.csrfToken, from: '2026-13-45' },
    })
    expect(badReplay.statusCode).toBe(400)
    expect(badReplay.body).toContain('YYYY-MM-DD')
  })
})
