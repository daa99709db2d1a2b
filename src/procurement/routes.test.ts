// Procurement through its API and pages on the whole app (src/app.ts) over the demo world.

import ExcelJS from 'exceljs'
import { XMLParser } from 'fast-xml-parser'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addDays, todayIso } from '../finance/payables/invoices.ts'
import type { Role } from '../platform/auth/permissions.ts'
import { orgId, uuidFromName } from '../platform/ids.ts'
import { createTestApp, type SignedIn, signIn, type TestApp } from '../platform/testing.ts'
import { loadOcdsValidator } from './ocds-schema.ts'

const CO = orgId('cabinet-office')
const ADMIN = uuidFromName('user:platform.admin@gss.example')
const base = '/api/v1/orgs/cabinet-office/procurement'
let t: TestApp
const tokens: Record<string, string> = {}
let supplierId: string

async function token(email: string, role: Role) {
  const userId = uuidFromName(`user:${email}`)
  return (
    await t.services.auth.createToken(
      { userId, orgIds: [CO], actingOrgId: CO, requestId: 'test' },
      { userId, orgId: CO, roles: [role], name: 'test', expiresAt: new Date(Date.now() + 86_400_000) },
    )
  ).token
}
const as = (who: string, key?: string) => ({
  authorization: `Bearer ${tokens[who]}`,
  ...(key ? { 'idempotency-key': key } : {}),
})

beforeAll(async () => {
  t = await createTestApp()
  tokens.officer = await token('procurement.officer@gss.example', 'procurement_officer')
  tokens.approver = await token('finance.approver@gss.example', 'finance_approver')
  tokens.clerk = await token('finance.clerk@gss.example', 'finance_clerk')
  tokens.admin = await token('platform.admin@gss.example', 'platform_admin')
  const suppliers = await t.app.inject({ method: 'GET', url: `${base}/suppliers`, headers: as('officer') })
  supplierId = suppliers.json().items.find((s: { name: string }) => s.name === 'Acme Digital Services Ltd').id
})
afterAll(async () => t?.close())

const requisition = (quantity: string, key: string) =>
  t.app.inject({
    method: 'POST',
    url: `${base}/requisitions`,
    headers: as('officer', key),
    payload: {
      title: 'Laptops',
      supplierId,
      lines: [
        {
          description: 'Laptop',
          cpvCode: '30213100-6',
          accountCode: '52100000',
          costCentreCode: 'CORP',
          quantity,
          unitPricePence: 500_00,
        },
      ],
    },
  })

describe('requisition to order through the API', () => {
  test('an order cannot be approved past the approver’s limit, even calling the API directly', async () => {
    const raised = await requisition('30', 'req-limit')
    expect(raised.statusCode).toBe(201)
    const order = raised.json()
    expect(order.totalPence).toBe(18_000_00)
    // The finance approver (procurement:approve, a budget holder's £10,000): escalated, not issued.
    const overLimit = await t.app.inject({
      method: 'POST',
      url: `${base}/orders/${order.id}/approval`,
      headers: as('approver', 'a1'),
    })
    expect(overLimit.statusCode).toBe(202)
    expect(overLimit.json()).toMatchObject({ outcome: 'escalated', order: { status: 'awaiting-approval' } })
    // A procurement officer holds no procurement:approve permission at all.
    const forbidden = await t.app.inject({
      method: 'POST',
      url: `${base}/orders/${order.id}/approval`,
      headers: as('officer', 'a0'),
    })
    expect(forbidden.statusCode).toBe(403)
    // The platform admin with only a budget holder's authority (£10,000): escalated, not issued.
    await sql`update payables_approvers set level = 1 where org_id = ${CO} and user_id = ${ADMIN}`.execute(
      t.db.admin,
    )
    const escalated = await t.app.inject({
      method: 'POST',
      url: `${base}/orders/${order.id}/approval`,
      headers: as('admin', 'a2'),
    })
    expect(escalated.statusCode).toBe(202)
    expect(escalated.json()).toMatchObject({
      outcome: 'escalated',
      requiredLevel: 2,
      order: { status: 'awaiting-approval', orderNumber: null },
    })
    await sql`update payables_approvers set level = 3 where org_id = ${CO} and user_id = ${ADMIN}`.execute(
      t.db.admin,
    )
    const approved = await t.app.inject({
      method: 'POST',
      url: `${base}/orders/${order.id}/approval`,
      headers: as('admin', 'a3'),
    })
    expect(approved.statusCode).toBe(200)
    expect(approved.json().order).toMatchObject({
      status: 'issued',
      orderNumber: expect.stringMatching(/^PO-/),
    })
  })

  test('a write repeated with the same Idempotency-Key returns the first response', async () => {
    const first = await requisition('1', 'req-idem')
    const again = await requisition('1', 'req-idem')
    expect(again.json().id).toBe(first.json().id)
    const changed = await requisition('2', 'req-idem')
    expect(changed.statusCode).toBe(422)
  })

  test('bad lines are refused naming each field, and nothing is stored', async () => {
    const before = await t.app.inject({ method: 'GET', url: `${base}/orders`, headers: as('officer') })
    const bad = await t.app.inject({
      method: 'POST',
      url: `${base}/requisitions`,
      headers: as('officer'),
      payload: {
        title: 'x',
        supplierId,
        lines: [
          {
            description: 'y',
            cpvCode: '123',
            accountCode: '99999999',
            costCentreCode: 'NOPE',
            quantity: '0',
            unitPricePence: 1,
          },
        ],
      },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining([
        '/lines/0/cpvCode',
        '/lines/0/accountCode',
        '/lines/0/costCentreCode',
        '/lines/0/quantity',
      ]),
    )
    const after = await t.app.inject({ method: 'GET', url: `${base}/orders`, headers: as('officer') })
    expect(after.json().items.length).toBe(before.json().items.length)
  })

  test('the issued order is a PDF and a UBL 2.1 Order', async () => {
    const raised = (await requisition('2', 'req-docs')).json()
    await t.app.inject({
      method: 'POST',
      url: `${base}/orders/${raised.id}/approval`,
      headers: as('admin', 'docs-approve'),
    })
    const pdf = await t.app.inject({
      method: 'GET',
      url: `${base}/orders/${raised.id}/pdf`,
      headers: as('officer'),
    })
    expect(pdf.headers['content-type']).toBe('application/pdf')
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-')
    const ubl = await t.app.inject({
      method: 'GET',
      url: `${base}/orders/${raised.id}/ubl`,
      headers: as('officer'),
    })
    const xml = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true }).parse(ubl.body)
    expect(xml.Order.UBLVersionID).toBe(2.1)
    expect(String(xml.Order.ID)).toMatch(/^PO-\d{6}$/)
    expect(xml.Order.AnticipatedMonetaryTotal.PayableAmount['#text']).toBe(1200)
    expect(ubl.body).toContain('<cbc:PayableAmount currencyID="GBP">1200.00</cbc:PayableAmount>')
    expect(xml.Order.OrderLine.LineItem.Item.CommodityClassification.ItemClassificationCode['#text']).toBe(
      30213100,
    )
  })
})

describe('receipt, match and payables', () => {
  test('receive, invoice, match and release: the invoice is approved in payables', async () => {
    const order = (await requisition('4', 'req-flow')).json()
    await t.app.inject({
      method: 'POST',
      url: `${base}/orders/${order.id}/approval`,
      headers: as('admin', 'flow-approve'),
    })
    const over = await t.app.inject({
      method: 'POST',
      url: `${base}/orders/${order.id}/receipts`,
      headers: as('officer', 'flow-over'),
      payload: { lines: [{ lineNo: 1, quantity: '5' }] },
    })
    expect(over.statusCode).toBe(400)
    expect(over.json().errors[0].field).toBe('/lines/0/quantity')
    const receipt = await t.app.inject({
      method: 'POST',
      url: `${base}/orders/${order.id}/receipts`,
      headers: as('officer', 'flow-receipt'),
      payload: { lines: [{ lineNo: 1, quantity: '4' }] },
    })
    expect(receipt.statusCode).toBe(201)
    const invoice = await t.app.inject({
      method: 'POST',
      url: `${base}/invoices`,
      headers: as('clerk', 'flow-invoice'),
      payload: {
        orderId: order.id,
        supplierReference: 'ACME-FLOW-1',
        issueDate: addDays(todayIso(), -1),
        lines: [{ orderLineNo: 1, quantity: '4', unitPricePence: 500_00 }],
      },
    })
    expect(invoice.statusCode).toBe(201)
    const invoiceId = invoice.json().id
    const match = await t.app.inject({
      method: 'POST',
      url: `${base}/matching`,
      headers: as('clerk', 'flow-match'),
      payload: { invoiceIds: [invoiceId] },
    })
    expect(match.json()).toEqual({ considered: 1, matched: 1, exceptions: 0 })
    const release = await t.app.inject({
      method: 'POST',
      url: `${base}/invoices/${invoiceId}/release`,
      headers: as('admin', 'flow-release'),
    })
    expect(release.statusCode).toBe(200)
    const payables = await t.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/cabinet-office/supplier-invoices/${invoiceId}`,
      headers: as('approver'),
    })
    expect(payables.json().status).toBe('approved')
  })

  test('the exceptions queue gives the reason for each exception, including no PO', async () => {
    const queue = await t.app.inject({ method: 'GET', url: `${base}/exceptions`, headers: as('officer') })
    const items = queue.json().items as Array<{ status: string; reasons: Array<{ code: string }> }>
    expect(items.some((i) => i.status === 'no-po' && i.reasons[0]!.code === 'no-po')).toBe(true)
    expect(
      items.some(
        (i) => i.status === 'exception' && i.reasons.some((r) => r.code === 'quantity-not-received'),
      ),
    ).toBe(true)
  })
})

describe('no PO, no pay through the API', () => {
  const capture = async (reference: string) => {
    const captured = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/supplier-invoices',
      headers: as('clerk', `capture-${reference}`),
      payload: {
        supplierId,
        supplierReference: reference,
        issueDate: addDays(todayIso(), -1),
        lines: [{ description: 'Catering', accountCode: '52100000', netPence: 50_00, vatPence: 10_00 }],
      },
    })
    expect(captured.statusCode).toBe(201)
    return captured.json().id as string
  }
  const approve = (invoiceId: string, key: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/cabinet-office/supplier-invoices/${invoiceId}/approval`,
      headers: as('approver', key),
    })
  const setPolicy = async (noPoPolicy: string, key: string) => {
    const response = await t.app.inject({
      method: 'PUT',
      url: `${base}/settings`,
      headers: as('admin', key),
      payload: { noPoPolicy },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json().noPoPolicy).toBe(noPoPolicy)
  }

  test('payables refuses to approve an invoice without an order, with problem+json, until an exception is recorded', async () => {
    await setPolicy('exceptions-allowed', 'policy-on')
    try {
      const invoiceId = await capture('NOPO-API-1')
      const refused = await approve(invoiceId, 'approve-nopo-1')
      expect(refused.statusCode).toBe(422)
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(refused.json()).toMatchObject({ type: expect.stringMatching(/business-rule$/), status: 422 })
      expect(refused.json().detail).toMatch(
        /has no purchase order: no PO, no pay\. To approve it, match it to its order, or record an exception/,
      )
      const invoice = await t.app.inject({
        method: 'GET',
        url: `/api/v1/orgs/cabinet-office/supplier-invoices/${invoiceId}`,
        headers: as('approver'),
      })
      expect(invoice.json().status).toBe('received')

      const noReason = await t.app.inject({
        method: 'POST',
        url: `${base}/exceptions/${invoiceId}`,
        headers: as('approver', 'except-blank'),
        payload: { reason: '' },
      })
      expect(noReason.statusCode).toBe(400)
      expect(noReason.json().errors).toEqual([
        { field: '/reason', message: 'Enter the reason for the exception' },
      ])
      // Only someone who may approve invoices records an exception.
      const officer = await t.app.inject({
        method: 'POST',
        url: `${base}/exceptions/${invoiceId}`,
        headers: as('officer', 'except-officer'),
        payload: { reason: 'Hospitality for a visiting minister' },
      })
      expect(officer.statusCode).toBe(403)
      const allowed = await t.app.inject({
        method: 'POST',
        url: `${base}/exceptions/${invoiceId}`,
        headers: as('approver', 'except-ok'),
        payload: { reason: 'Hospitality for a visiting minister' },
      })
      expect(allowed.statusCode).toBe(201)
      const queue = await t.app.inject({ method: 'GET', url: `${base}/exceptions`, headers: as('officer') })
      expect(
        queue.json().items.find((i: { invoiceId: string }) => i.invoiceId === invoiceId)?.exceptionAllowed
          ?.reason,
      ).toBe('Hospitality for a visiting minister')
      const approved = await approve(invoiceId, 'approve-nopo-2')
      expect(approved.statusCode).toBe(200)
      expect(approved.json().outcome).toBe('approved')
    } finally {
      await setPolicy('not-adopted', 'policy-off')
    }
  })

  test('strict: no exception is accepted and the approval is refused', async () => {
    await setPolicy('strict', 'policy-strict')
    try {
      const invoiceId = await capture('NOPO-API-2')
      const excepted = await t.app.inject({
        method: 'POST',
        url: `${base}/exceptions/${invoiceId}`,
        headers: as('approver', 'except-strict'),
        payload: { reason: 'Urgent' },
      })
      expect(excepted.statusCode).toBe(422)
      expect(excepted.json().detail).toMatch(/allows no exceptions/)
      const refused = await approve(invoiceId, 'approve-strict')
      expect(refused.statusCode).toBe(422)
      expect(refused.json().detail).toMatch(/no PO, no pay.*allows no exceptions/)
    } finally {
      await setPolicy('not-adopted', 'policy-off-2')
    }
  })

  test('an organisation that has not adopted the policy approves an invoice without an order', async () => {
    const invoiceId = await capture('NOPO-API-3')
    const approved = await approve(invoiceId, 'approve-off')
    expect(approved.statusCode).toBe(200)
  })
})

describe('contracts, pipeline, publication and analytics', () => {
  test('the register shows alerts; a contract over £5m without its KPIs is refused', async () => {
    const list = await t.app.inject({ method: 'GET', url: `${base}/contracts`, headers: as('officer') })
    const supply = list.json().items.find((c: { reference: string }) => c.reference === 'CO-C-0001')
    expect(supply.alerts.map((a: { kind: string; months?: number }) => a.months ?? a.kind)).toEqual([
      6,
      'spend',
    ])
    const refused = await t.app.inject({
      method: 'POST',
      url: `${base}/contracts`,
      headers: as('officer', 'c-big'),
      payload: {
        reference: 'BIG-1',
        title: 'Big',
        supplierId,
        cpvCode: '72000000-5',
        valuePence: 6_000_000_00,
        startDate: '2026-01-01',
        endDate: '2028-01-01',
        ownerName: 'Someone',
      },
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().errors[0].field).toBe('/kpis')
  })

  test('the pipeline flags notices and £10m activity; the cluster view finds overlapping windows', async () => {
    const pipeline = await t.app.inject({ method: 'GET', url: `${base}/pipeline`, headers: as('officer') })
    const items = pipeline.json().items as Array<{
      estimatedValuePence: number
      pipelineNoticeNeeded: boolean
      spendControl: boolean
    }>
    expect(items.find((i) => i.estimatedValuePence === 12_000_000_00)).toMatchObject({
      pipelineNoticeNeeded: true,
      spendControl: true,
    })
    expect(items.find((i) => i.estimatedValuePence === 1_500_000_00)).toMatchObject({
      pipelineNoticeNeeded: false,
      spendControl: false,
    })
    const cluster = await t.app.inject({
      method: 'GET',
      url: '/api/v1/procurement/clusters/matrix/pipeline',
      headers: as('admin'),
    })
    expect(cluster.statusCode).toBe(200)
    const body = cluster.json()
    expect(body.overlaps.length).toBeGreaterThan(0)
    expect(
      body.overlaps.every((o: { organisations: string[] }) => o.organisations[0] !== o.organisations[1]),
    ).toBe(true)
  })

  test('every stage publishes a release package that validates against OCDS 1.1.5 and the UK extension', async () => {
    const validator = loadOcdsValidator('/work/shared/testdata/ocds')
    for (const stage of ['planning', 'tender', 'award', 'contract']) {
      const response = await t.app.inject({
        method: 'GET',
        url: `${base}/ocds/${stage}`,
        headers: as('officer'),
      })
      const pkg = response.json()
      expect(pkg.releases.length).toBeGreaterThan(0)
      expect(validator.validatePackage(pkg)).toEqual({ ok: true, errors: [] })
      const again = await t.app.inject({
        method: 'GET',
        url: `${base}/ocds/${stage}`,
        headers: as('officer'),
      })
      expect(again.json().releases.map((r: { id: string }) => r.id)).toEqual(
        pkg.releases.map((r: { id: string }) => r.id),
      )
    }
  })

  test('analytics: SME share, invoices with an order, CSV and XLSX', async () => {
    const json = (
      await t.app.inject({ method: 'GET', url: `${base}/analytics`, headers: as('officer') })
    ).json()
    expect(json.invoiceCount).toBeGreaterThan(0)
    expect(json.invoicesWithOrder).toBeLessThanOrEqual(json.invoiceCount)
    expect(json.smeSharePercent).toBeGreaterThan(0)
    const csv = await t.app.inject({
      method: 'GET',
      url: `${base}/analytics?table=supplier&format=csv`,
      headers: as('officer'),
    })
    expect(csv.headers['content-type']).toContain('text/csv')
    expect(csv.body.split('\r\n')[0]).toBe('Supplier,SME,VCSE,Spend (£),Invoices')
    const xlsx = await t.app.inject({
      method: 'GET',
      url: `${base}/analytics?table=summary&format=xlsx`,
      headers: as('officer'),
    })
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    expect(workbook.worksheets[0]!.getRow(1).getCell(1).value).toBe('Measure')
  })
})

describe('pages', () => {
  let officer: SignedIn
  beforeAll(async () => {
    officer = await signIn(t.app, 'procurement.officer@gss.example')
  })
  const get = (url: string, who = officer) =>
    t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } })

  test('every page renders for the procurement officer', async () => {
    for (const path of [
      '',
      '/suppliers',
      '/suppliers/new',
      '/orders',
      '/requisitions/new',
      '/invoices',
      '/contracts',
      '/contracts/new',
      '/pipeline',
      '/pipeline/new',
      '/budget',
      '/analytics',
      '/publication',
    ]) {
      const response = await get(`/orgs/cabinet-office/procurement${path}`)
      expect(response.statusCode, path).toBe(200)
    }
    expect((await get('/procurement/clusters/matrix/pipeline')).statusCode).toBe(200)
  })

  test('raising a requisition by form: errors re-render with the values typed; success redirects to it', async () => {
    const form = {
      _csrf: officer.csrfToken,
      title: 'Chairs',
      supplierId,
      'lines[0][description]': 'Office chair',
      'lines[0][cpvCode]': '39112000-0',
      'lines[0][accountCode]': '52600000',
      'lines[0][costCentreCode]': 'CORP',
      'lines[0][quantity]': 'two',
      'lines[0][unitPrice]': '120.00',
    }
    const failed = await t.app.inject({
      method: 'POST',
      url: '/orgs/cabinet-office/procurement/requisitions/new',
      headers: { cookie: officer.cookie },
      payload: form,
    })
    expect(failed.statusCode).toBe(400)
    expect(failed.body).toContain('govuk-error-summary')
    expect(failed.body).toContain('href="#lines-0-quantity"')
    expect(failed.body).toContain('value="Office chair"')
    const ok = await t.app.inject({
      method: 'POST',
      url: '/orgs/cabinet-office/procurement/requisitions/new',
      headers: { cookie: officer.cookie },
      payload: { ...form, 'lines[0][quantity]': '2' },
    })
    expect(ok.statusCode).toBe(303)
    const page = await get(String(ok.headers.location))
    expect(page.body).toContain('Requisition raised')
    expect(page.body).toContain('£288.00')
    // The requester sees no approve button on their own requisition.
    expect(page.body).not.toContain('Approve and issue the order')
  })
})
