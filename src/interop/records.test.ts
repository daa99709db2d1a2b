// Bulk exchange of canonical records through the real app: export as JSON Lines and CSV, import
// that reports every bad record by line and field and keeps nothing until all are good, a journal
// carried from one organisation to another, and the record schemas published and in OpenAPI.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Role } from '../platform/auth/permissions.ts'
import { apiToken, createTestApp, type TestApp } from '../platform/testing.ts'

let t: TestApp
let clerkCo: Record<string, string>
let clerkDsit: Record<string, string>

async function tokenFor(email: string, org: string, roles: Role[]) {
  return (await apiToken(t, email, org, roles)).headers
}

beforeAll(async () => {
  t = await createTestApp()
  clerkCo = await tokenFor('finance.clerk@gss.example', 'cabinet-office', ['finance_clerk'])
  clerkDsit = await tokenFor('finance.clerk@gss.example', 'dsit', ['finance_clerk'])
}, 180_000)
afterAll(async () => t?.close())

const ndjson = (records: unknown[]) => records.map((record) => JSON.stringify(record)).join('\n')

describe('export', () => {
  test('suppliers as JSON Lines and as CSV', async () => {
    const jsonl = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/exchange/supplier',
      headers: clerkCo,
    })
    expect(jsonl.statusCode).toBe(200)
    expect(jsonl.headers['content-type']).toContain('application/x-ndjson')
    const lines = jsonl.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string })
    expect(lines.length).toBeGreaterThan(0)
    const csv = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/exchange/supplier?format=csv',
      headers: clerkCo,
    })
    expect(csv.body.split('\n')[0]).toBe(
      'name,companyNumber,vatNumber,sortCode,accountNumber,iban,bic,peppolEndpoint,sme,defaultAccountCode',
    )
    expect(csv.body).toContain(lines[0]!.name)
  })

  test('a record needs its domain’s permission: no employees for a finance clerk', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/exchange/employee',
      headers: clerkCo,
    })
    expect(response.statusCode).toBe(403)
    const journals = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/exchange/journal?format=csv',
      headers: clerkCo,
    })
    expect(journals.statusCode).toBe(400)
    expect(journals.body).toContain('JSON Lines only')
  })
})

describe('import', () => {
  test('every bad record is reported by line and field, and nothing is imported', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/dsit/exchange/supplier',
      headers: { ...clerkDsit, 'idempotency-key': 'imp-1', 'content-type': 'application/x-ndjson' },
      payload: [
        JSON.stringify({ name: 'Good Supplies Ltd', sortCode: '400530', accountNumber: '71584685' }),
        '{ not json',
        JSON.stringify({
          name: 'Extra Field Ltd',
          colour: 'blue',
          sortCode: '400530',
          accountNumber: '71584685',
        }),
        JSON.stringify({ name: 'No Bank Ltd', vatNumber: 'GB999' }),
      ].join('\n'),
    })
    expect(response.statusCode).toBe(400)
    const problem = response.json() as { errors: Array<{ field: string; message: string }> }
    const messages = problem.errors.map((error) => error.message)
    expect(messages).toContain('Line 2, record: is not valid JSON')
    expect(messages).toContain('Line 3, colour: is not a field of this record')
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/dsit/exchange/supplier',
      headers: clerkDsit,
    })
    expect(after.body).not.toContain('Good Supplies Ltd')
  })

  test('records the domain refuses are reported too, and the clean file imports', async () => {
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/dsit/exchange/supplier',
      headers: { ...clerkDsit, 'idempotency-key': 'imp-2', 'content-type': 'application/x-ndjson' },
      payload: ndjson([
        { name: 'Fine Ltd', sortCode: '400530', accountNumber: '71584685' },
        { name: 'Bad Bank Ltd', sortCode: '400530', accountNumber: '71584686' },
      ]),
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('Line 2')
    const csv = 'name,sortCode,accountNumber,sme\nFine Ltd,400530,71584685,true\n'
    const imported = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/dsit/exchange/supplier',
      headers: { ...clerkDsit, 'idempotency-key': 'imp-3', 'content-type': 'text/csv' },
      payload: csv,
    })
    expect(imported.statusCode, imported.body).toBe(201)
    expect(imported.json()).toEqual({ imported: 1 })
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/dsit/exchange/supplier',
      headers: clerkDsit,
    })
    expect(after.body).toContain('"name":"Fine Ltd"')
    expect(after.body).toContain('"sme":true')
  })

  test('a journal exported from one organisation posts in another', async () => {
    const date = new Date().toISOString().slice(0, 10)
    const journal = {
      date,
      description: 'Carried across',
      lines: [
        { accountCode: '52100000', costCentreCode: 'CORP', amountMinor: 4200 },
        { accountCode: '21100000', amountMinor: -4200 },
      ],
    }
    const posted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/dsit/exchange/journal',
      headers: { ...clerkDsit, 'idempotency-key': 'imp-4', 'content-type': 'application/x-ndjson' },
      payload: ndjson([journal]),
    })
    expect(posted.statusCode, posted.body).toBe(201)
    const exported = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/dsit/exchange/journal',
      headers: clerkDsit,
    })
    const carried = exported.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { description: string; source: string; lines: unknown[] })
      .find((record) => record.description === 'Carried across')
    expect(carried).toMatchObject({
      source: 'import',
      lines: [{ amountMinor: 4200 }, { amountMinor: -4200 }],
    })
  })
})

describe('procurement and HR records', () => {
  test('purchase orders export with their lines; a contract carries over with its KPIs', async () => {
    const buyer = await tokenFor('procurement.officer@gss.example', 'cabinet-office', ['procurement_officer'])
    const orders = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/exchange/purchase-order',
      headers: buyer,
    })
    expect(orders.statusCode, orders.body).toBe(200)
    const order = JSON.parse(orders.body.trim().split('\n')[0]!) as {
      totalPence: number
      netPence: number
      lines: Array<{ netPence: number; vatPence: number }>
    }
    expect(order.lines.length).toBeGreaterThan(0)
    expect(order.lines.reduce((sum, line) => sum + line.netPence, 0)).toBe(order.netPence)

    const exported = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/exchange/contract',
      headers: buyer,
    })
    const contract = JSON.parse(exported.body.trim().split('\n')[0]!) as Record<string, unknown>
    const copy = {
      ...contract,
      reference: 'CARRIED-1',
      valuePence: 6_000_000_00,
      kpis: [
        { name: 'Availability', target: '99.9%' },
        { name: 'Tickets resolved in a day', target: '95%' },
        { name: 'User satisfaction', target: '80%' },
      ],
    }
    const bad = { ...copy, reference: 'CARRIED-2', supplierName: 'Nobody Ltd' }
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/exchange/contract',
      headers: { ...buyer, 'idempotency-key': 'contract-1', 'content-type': 'application/x-ndjson' },
      payload: ndjson([copy, bad]),
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('Nobody Ltd')
    const imported = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/exchange/contract',
      headers: { ...buyer, 'idempotency-key': 'contract-2', 'content-type': 'application/x-ndjson' },
      payload: ndjson([copy]),
    })
    expect(imported.statusCode, imported.body).toBe(201)
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/exchange/contract',
      headers: buyer,
    })
    expect(after.body).toContain('"reference":"CARRIED-1"')
    expect(after.body).not.toContain('CARRIED-2')
    expect(after.body).toContain('Tickets resolved in a day')
  })

  test('a position imports through HR’s rules', async () => {
    const hr = await tokenFor('hr.officer@gss.example', 'cabinet-office', ['hr_officer'])
    const exported = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/exchange/position',
      headers: hr,
    })
    const position = JSON.parse(exported.body.trim().split('\n')[0]!) as Record<string, unknown>
    const copy = { ...position, code: 'IMPORTED-1', title: 'Imported post', abolishedOn: null }
    const wrong = { ...copy, code: 'IMPORTED-2', gradeCode: 'NOPE' }
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/exchange/position',
      headers: { ...hr, 'idempotency-key': 'position-1', 'content-type': 'application/x-ndjson' },
      payload: ndjson([copy, wrong]),
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('Line 2')
    expect(refused.body).toContain('gradeCode')
    const imported = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/exchange/position',
      headers: { ...hr, 'idempotency-key': 'position-2', 'content-type': 'application/x-ndjson' },
      payload: ndjson([copy]),
    })
    expect(imported.statusCode, imported.body).toBe(201)
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/exchange/position?format=csv',
      headers: hr,
    })
    expect(after.body).toContain('IMPORTED-1')
    expect(after.body).not.toContain('IMPORTED-2')
  })
})

test('record schemas are published and referenced from the OpenAPI document', async () => {
  const list = await t.app.inject({ method: 'GET', url: '/api/v1/schemas/records' })
  const names = (list.json().items as Array<{ record: string }>).map((item) => item.record)
  expect(names).toEqual([
    'organisation',
    'supplier',
    'account',
    'journal',
    'invoice',
    'employee',
    'position',
    'purchase-order',
    'contract',
    'return',
  ])
  const schema = await t.app.inject({ method: 'GET', url: '/api/v1/schemas/records/supplier/v1' })
  expect(schema.json()).toMatchObject({ type: 'object', required: ['name'] })
  const openapi = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
  expect(openapi.body).toContain('record.supplier.v1')
})
