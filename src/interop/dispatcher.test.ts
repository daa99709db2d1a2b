// Webhook delivery end to end: a journal posted in a transaction becomes an event, the dispatcher
// signs and delivers it to a real HTTP receiver, a receiver that is down gets everything in order
// once it is back, and a replay delivers again.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import '../finance/tables.ts'
import './tables.ts'
import { fiscalPeriodOf } from '../finance/chart.ts'
import { LedgerService } from '../finance/ledger.ts'
import type { TenantContext } from '../platform/db/index.ts'
import { orgId } from '../platform/ids.ts'
import { asOwner, createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { Dispatcher } from './dispatcher.ts'
import { readEvents } from './events.ts'
import { verifySignature, WebhooksService } from './webhooks.ts'

const CO = orgId('cabinet-office')
const DSIT = orgId('dsit')
const as = (org: string): TenantContext => ({
  userId: null,
  orgIds: [org],
  actingOrgId: org,
  requestId: 'test',
})
const ledger = new LedgerService()
const webhooks = new WebhooksService({ allowPlainHttp: true })

interface Received {
  id: string
  type: string
  entityId: string
  signed: boolean
  body: Record<string, unknown>
}

let t: TestDatabase
let server: http.Server
let url: string
let received: Received[] = []
/** How the receiver answers: 'up' stores and says 204; 'down' says 503. */
let mode: 'up' | 'down' = 'up'
let secret = ''

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (mode === 'down') {
        response.writeHead(503).end()
        return
      }
      const body = Buffer.concat(chunks).toString('utf8')
      const parsed = JSON.parse(body) as Record<string, unknown>
      received.push({
        id: String(request.headers['gss-event-id']),
        type: String(request.headers['gss-event-type']),
        entityId: String((parsed.entity as { id: string }).id),
        signed: verifySignature(secret, String(request.headers['gss-signature']), body),
        body: parsed,
      })
      response.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
}, 120_000)
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await t?.close()
})
beforeEach(() => {
  received = []
  mode = 'up'
})

function journal(description: string) {
  const date = new Date().toISOString().slice(0, 10)
  expect(fiscalPeriodOf(date).period).toBeGreaterThan(0)
  return {
    date,
    description,
    lines: [
      { accountCode: '52100000', costCentreCode: 'CORP', amountMinor: 12_345 },
      { accountCode: '21100000', amountMinor: -12_345 },
    ],
  }
}

async function post(org: string, ...descriptions: string[]) {
  return t.db.transaction(as(org), (trx) => ledger.postJournals(trx, org, descriptions.map(journal), null))
}

function dispatcher(overrides = {}) {
  return new Dispatcher(t.db, { nodeId: 'test', backoffBaseMs: 5, backoffMaxMs: 20, ...overrides })
}

async function drain(d: Dispatcher, rounds = 20) {
  for (let i = 0; i < rounds; i++) {
    const result = await d.runOnce()
    if (result.delivered + result.failed === 0 && result.subscriptions === 0) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      const again = await d.runOnce()
      if (again.delivered + again.failed === 0) return
    }
  }
}

describe('the outbox', () => {
  test('a posted journal writes its event in the same transaction, and a rolled-back one writes none', async () => {
    const [posted] = await post(CO, 'Outbox check')
    await expect(
      t.db.transaction(as(CO), async (trx) => {
        await ledger.postJournals(trx, CO, [journal('Rolled back')], null)
        throw new Error('abandon')
      }),
    ).rejects.toThrow('abandon')
    const events = await t.db.transaction(as(CO), (trx) =>
      readEvents(trx, {
        after: 0,
        visibility: new Map([['journal.posted', 'all']]),
        limit: 1000,
      }),
    )
    const mine = events.filter((event) => event.entityId === posted!.id)
    expect(mine).toHaveLength(1)
    expect(mine[0]!.payload).toMatchObject({
      description: 'Outbox check',
      lineCount: 2,
      totalDebitPence: 12_345,
    })
    expect(events.some((event) => event.payload.description === 'Rolled back')).toBe(false)
  })

  test('the demo world’s approved pay run and awarded contracts wrote their events', async () => {
    const events = await t.db.transaction(as(CO), (trx) =>
      readEvents(trx, {
        after: 0,
        visibility: new Map([
          ['payrun.approved', 'all'],
          ['contract.awarded', 'all'],
        ]),
        limit: 1000,
      }),
    )
    const payRuns = events.filter((event) => event.type === 'payrun.approved')
    expect(payRuns.length).toBeGreaterThan(0)
    expect(payRuns[0]!.payload).toMatchObject({ payFrequency: 'monthly' })
    expect(payRuns[0]!.payload).not.toHaveProperty('employees')
    expect(events.some((event) => event.type === 'contract.awarded')).toBe(true)
  })

  test('row-level security keeps one organisation’s events from another', async () => {
    await post(DSIT, 'DSIT only')
    const seenByCo = await t.db.transaction(as(CO), (trx) =>
      readEvents(trx, {
        after: 0,
        visibility: new Map([['journal.posted', 'all']]),
        limit: 10_000,
      }),
    )
    expect(seenByCo.every((event) => event.orgId === CO)).toBe(true)
  })
})

describe('webhook delivery', () => {
  test('delivers signed events; a receiver that was down gets everything in order; replay redelivers', async () => {
    const { subscription, secret: issued } = await t.db.transaction(as(CO), (trx) =>
      webhooks.create(trx, CO, { url, eventTypes: ['journal.posted'] }, null),
    )
    secret = issued
    const d = dispatcher()
    const first = await post(CO, 'Webhook one', 'Webhook two')
    await drain(d)
    // Different records travel in parallel: only the order within one record is promised.
    expect(received.map((r) => r.entityId).sort()).toEqual(first.map((j) => j.id).sort())
    expect(received.every((r) => r.signed && r.type === 'journal.posted')).toBe(true)
    expect(received[0]!.body).toMatchObject({
      organisation: { code: 'cabinet-office' },
      data: { lineCount: 2 },
    })

    // Down: nothing is lost and the cursor waits.
    mode = 'down'
    const second = await post(CO, 'While down 1', 'While down 2', 'While down 3')
    await d.runOnce()
    const failing = await t.db.transaction(as(CO), (trx) => webhooks.get(trx, CO, subscription.id))
    expect(failing.delivery.attempts).toBe(1)
    expect(failing.delivery.lastError).toBe('The endpoint answered 503')
    mode = 'up'
    received = []
    await new Promise((resolve) => setTimeout(resolve, 30))
    await drain(d)
    expect(received.map((r) => r.entityId).sort()).toEqual(second.map((j) => j.id).sort())

    const log = await t.db.transaction(as(CO), (trx) => webhooks.deliveries(trx, CO, subscription.id))
    expect(log.filter((entry) => entry.outcome === 'failed').length).toBeGreaterThan(0)
    expect(log.filter((entry) => entry.outcome === 'delivered')).toHaveLength(5)

    // Replay from the beginning: every event again, same ids (receivers de-duplicate on them).
    received = []
    await t.db.transaction(as(CO), (trx) => webhooks.replay(trx, CO, subscription.id, 'beginning'))
    await drain(d)
    const ids = received.map((r) => r.entityId)
    for (const posted of [...first, ...second]) expect(ids).toContain(posted.id)

    await t.db.transaction(as(CO), (trx) => webhooks.setStatus(trx, CO, subscription.id, 'paused'))
  })

  test('events of one record arrive in the order they happened, even after failures', async () => {
    const { subscription, secret: issued } = await t.db.transaction(as(CO), (trx) =>
      webhooks.create(
        trx,
        CO,
        { url, eventTypes: ['employee.joined', 'employee.moved', 'employee.left'] },
        null,
      ),
    )
    secret = issued
    const employment = crypto.randomUUID()
    const person = crypto.randomUUID()
    const position = crypto.randomUUID()
    const unit = crypto.randomUUID()
    const steps = [
      `insert into grades (org_id, code, name, standard_grade, rank) values ('${CO}', 'EVT-EO', 'EO', 'EO', 3)`,
      `insert into org_units (org_id, id, code, name, opened_on) values ('${CO}', '${unit}', 'EVT', 'Events', '2020-01-01')`,
      `insert into positions (org_id, id, code, title, unit_id, grade_code, established_on) values ('${CO}', '${position}', 'EVT-1', 'Officer', '${unit}', 'EVT-EO', '2020-01-01')`,
      `insert into people (id, org_id, forenames, surname, date_of_birth) values ('${person}', '${CO}', 'Eve', 'Vent', '1990-01-01')`,
      `insert into employments (org_id, id, person_id, employee_number, contract_type, start_date, continuous_service_date) values ('${CO}', '${employment}', '${person}', 'EVT-1', 'permanent', '2024-04-01', '2024-04-01')`,
      `insert into employment_terms (org_id, employment_id, valid_from, valid_to, position_id, grade_code, cost_centre_code, fte, hours_per_week, annual_salary_pence, change_reason) values ('${CO}', '${employment}', '2024-04-01', '2025-04-01', '${position}', 'EVT-EO', 'CORP', 1, 37, 3000000, 'Joined')`,
      `insert into employment_terms (org_id, employment_id, valid_from, position_id, grade_code, cost_centre_code, fte, hours_per_week, annual_salary_pence, change_reason) values ('${CO}', '${employment}', '2025-04-01', '${position}', 'EVT-EO', 'CORP', 0.8, 29.6, 3100000, 'Went part time')`,
      `update employments set end_date = '2026-03-31', leaving_reason = 'Resigned' where org_id = '${CO}' and id = '${employment}'`,
    ]
    for (const step of steps) await asOwner(t.db, step)
    mode = 'down'
    const d = dispatcher()
    await d.runOnce()
    mode = 'up'
    await new Promise((resolve) => setTimeout(resolve, 30))
    await drain(d)
    const forEmployment = received.filter((r) => r.entityId === employment).map((r) => r.type)
    expect(forEmployment).toEqual(['employee.joined', 'employee.moved', 'employee.left'])
    await t.db.transaction(as(CO), (trx) => webhooks.setStatus(trx, CO, subscription.id, 'paused'))
  })

  test('a rotated secret signs alongside the old one, and a forged signature fails', async () => {
    const { subscription, secret: old } = await t.db.transaction(as(CO), (trx) =>
      webhooks.create(trx, CO, { url, eventTypes: ['journal.posted'] }, null),
    )
    const { secret: fresh } = await t.db.transaction(as(CO), (trx) =>
      webhooks.rotateSecret(trx, CO, subscription.id),
    )
    secret = old
    await post(CO, 'After rotation')
    await drain(dispatcher())
    expect(received.length).toBeGreaterThan(0)
    expect(received.every((r) => r.signed)).toBe(true)
    const body = JSON.stringify(received[0]!.body)
    expect(verifySignature(fresh, `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`, body)).toBe(
      false,
    )
    expect(
      verifySignature(fresh, `t=${Math.floor(Date.now() / 1000) - 3600},v1=${'0'.repeat(64)}`, body),
    ).toBe(false)
    await t.db.transaction(as(CO), (trx) => webhooks.setStatus(trx, CO, subscription.id, 'paused'))
  })

  test('refuses an unknown event type or a bad address, naming the field', async () => {
    await expect(
      t.db.transaction(as(CO), (trx) =>
        webhooks.create(trx, CO, { url: 'not a url', eventTypes: ['journal.posted', 'made.up'] }, null),
      ),
    ).rejects.toMatchObject({
      fieldErrors: [
        { field: '/url', message: expect.stringContaining('full address') },
        { field: '/eventTypes/1', message: 'made.up is not an event type GSS publishes' },
      ],
    })
  })
})
