// Payables through its API and pages, on an app built the way src/app.ts builds it, with the
// payables routes and demo data added (as the composition root will once they are wired in).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createServices, DOMAINS } from '../../app.ts'
import type { Role } from '../../platform/auth/permissions.ts'
import { buildShell } from '../../platform/http/app.ts'
import { platformRoutes } from '../../platform/http/routes.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type SignedIn, signIn, type TestDatabase } from '../../platform/testing.ts'
import { buildGbIban } from '../banking/iban.ts'
import { fiscalPeriodOf, fiscalYearLabel } from '../chart.ts'
import { camt053v08 } from '../payments/testing.ts'
import { financeRoutes } from '../routes.ts'
import { payablesDemo, payablesRoutes } from './index.ts'
import { addDays, todayIso } from './invoices.ts'
import { nextWeekday } from './payment-runs.ts'

const EINVOICES = '/work/shared/testdata/einvoice/peppol-bis3/examples'
const CO = orgId('cabinet-office')
let t: TestDatabase
let app: Awaited<ReturnType<typeof buildShell>>
const tokens: Record<string, string> = {}
const today = todayIso()

async function token(email: string, role: Role, org = CO) {
  const userId = uuidFromName(`user:${email}`)
  return (
    await createServices(t.db, t.config).auth.createToken(
      { userId, orgIds: [org], actingOrgId: org, requestId: 'test' },
      { userId, orgId: org, roles: [role], name: 'test', expiresAt: new Date(Date.now() + 86_400_000) },
    )
  ).token
}

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  // Until src/demo/seed.ts lists payablesDemo, add its part of the world here (once).
  const seeded = await t.db.admin.selectFrom('suppliers').select('id').limit(1).execute()
  if (seeded.length === 0) await t.db.adminTransaction((trx) => payablesDemo.seed(trx))
  const services = createServices(t.db, t.config)
  app = await buildShell({
    config: t.config,
    db: t.db,
    auth: services.auth,
    navigation: [],
    modules: [
      platformRoutes({ config: t.config, db: t.db, auth: services.auth, oidc: undefined, domains: DOMAINS }),
      financeRoutes(services.ledger),
      payablesRoutes(services),
    ],
  })
  await app.ready()
  tokens.clerk = await token('finance.clerk@gss.example', 'finance_clerk')
  tokens.approver = await token('finance.approver@gss.example', 'finance_approver')
  tokens.admin = await token('platform.admin@gss.example', 'platform_admin')
  tokens.dsitClerk = await token('finance.clerk@gss.example', 'finance_clerk', orgId('dsit'))
})
afterAll(async () => {
  await app?.close()
  await t?.close()
})

const call = (
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  who: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[who]}`, ...headers },
    ...(payload === undefined ? {} : { payload: payload as string }),
  })

describe('suppliers API', () => {
  test('a clerk adds a supplier; anyone with finance:read lists them', async () => {
    const created = await call('POST', '/api/v1/orgs/cabinet-office/suppliers', 'clerk', {
      name: 'Paper Co Ltd',
      vatNumber: 'GB 123 4567 27',
      sortCode: '202959',
      accountNumber: '63748472',
    })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ name: 'Paper Co Ltd', vatNumber: 'GB123456727', sme: false })
    const list = await call('GET', '/api/v1/orgs/cabinet-office/suppliers', 'approver')
    expect(list.json().items.map((s: { name: string }) => s.name)).toContain('Paper Co Ltd')
  })

  test('bad details are named by field; a duplicate VAT number is refused; approvers cannot add', async () => {
    const bad = await call('POST', '/api/v1/orgs/cabinet-office/suppliers', 'clerk', {
      name: 'Typo Ltd',
      sortCode: '12-34',
      accountNumber: '1',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors).toEqual([
      { field: '/sortCode', message: expect.stringContaining('not a sort code') },
    ])
    const duplicate = await call('POST', '/api/v1/orgs/cabinet-office/suppliers', 'clerk', {
      name: 'Acme Again',
      vatNumber: 'GB831495816',
      iban: 'GB29NWBK60161331926819',
    })
    expect(duplicate.statusCode).toBe(422)
    expect(duplicate.json().errors).toEqual([
      {
        field: '/vatNumber',
        message: 'Supplier Acme Digital Services Ltd already has VAT number GB831495816',
      },
    ])
    const forbidden = await call('POST', '/api/v1/orgs/cabinet-office/suppliers', 'approver', { name: 'X' })
    expect(forbidden.statusCode).toBe(403)
  })

  test('another organisation sees none of Cabinet Office’s suppliers or invoices', async () => {
    const list = await call('GET', '/api/v1/orgs/dsit/suppliers', 'dsitClerk')
    expect(list.statusCode).toBe(200)
    // DSIT has suppliers of its own in the demo world; none of Cabinet Office's may be among them.
    const coSuppliers = (await call('GET', '/api/v1/orgs/cabinet-office/suppliers', 'clerk')).json()
      .items as Array<{
      id: string
    }>
    const dsitIds = new Set((list.json().items as Array<{ id: string }>).map((supplier) => supplier.id))
    expect(coSuppliers.length).toBeGreaterThan(0)
    expect(coSuppliers.filter((supplier) => dsitIds.has(supplier.id))).toEqual([])
    const [coInvoice] = (await call('GET', '/api/v1/orgs/cabinet-office/supplier-invoices', 'clerk')).json()
      .items
    const peek = await call('GET', `/api/v1/orgs/dsit/supplier-invoices/${coInvoice.id}`, 'dsitClerk')
    expect(peek.statusCode).toBe(404)
    const cross = await call('GET', '/api/v1/orgs/cabinet-office/suppliers', 'dsitClerk')
    expect(cross.statusCode).toBe(403)
  })
})

describe('invoices API', () => {
  test('UBL is captured as application/xml; the same document again is flagged', async () => {
    const send = (file: string) =>
      call(
        'POST',
        '/api/v1/orgs/cabinet-office/supplier-invoices/e-invoices',
        'clerk',
        readFileSync(path.join(EINVOICES, file)),
        {
          'content-type': 'application/xml',
        },
      )
    const first = await send('vat-category-Z.xml')
    expect(first.statusCode).toBe(201)
    expect(first.json()).toMatchObject({
      supplierName: 'The Sellercompany Incorporated',
      grossPence: 1_200_00,
      receiptDate: today,
    })
    const second = await send('vat-category-E.xml')
    expect(second.json().duplicateOfId).toBe(first.json().id)
    const stranger = await send('base-example.xml')
    expect(stranger.statusCode).toBe(422)
    expect(stranger.json().detail).toContain('The seller SupplierOfficialName Ltd')
  })

  test('JSON capture, then approval posts it; an invoice above the limit escalates', async () => {
    const suppliers = (await call('GET', '/api/v1/orgs/cabinet-office/suppliers', 'clerk')).json().items
    const acme = suppliers.find((s: { name: string }) => s.name === 'Acme Digital Services Ltd')
    const captured = await call('POST', '/api/v1/orgs/cabinet-office/supplier-invoices', 'clerk', {
      supplierId: acme.id,
      supplierReference: 'API-1',
      issueDate: addDays(today, -2),
      lines: [{ description: 'Licences', accountCode: '52100000', netPence: 500_00, vatPence: 100_00 }],
    })
    expect(captured.statusCode).toBe(201)
    const approved = await call(
      'POST',
      `/api/v1/orgs/cabinet-office/supplier-invoices/${captured.json().id}/approval`,
      'approver',
    )
    expect(approved.statusCode).toBe(200)
    expect(approved.json()).toMatchObject({ outcome: 'approved', invoice: { status: 'approved' } })

    const big = (await call('GET', '/api/v1/orgs/cabinet-office/supplier-invoices', 'clerk'))
      .json()
      .items.find((i: { supplierReference: string }) => i.supplierReference === 'WA-77')
    const escalated = await call(
      'POST',
      `/api/v1/orgs/cabinet-office/supplier-invoices/${big.id}/approval`,
      'approver',
    )
    expect(escalated.statusCode).toBe(202)
    expect(escalated.json()).toMatchObject({
      outcome: 'escalated',
      requiredLevel: 2,
      requiredTitle: 'Director',
    })
  })

  test('the person who captured an invoice cannot approve it, even holding both permissions', async () => {
    const suppliers = (await call('GET', '/api/v1/orgs/cabinet-office/suppliers', 'admin')).json().items
    const captured = await call('POST', '/api/v1/orgs/cabinet-office/supplier-invoices', 'admin', {
      supplierId: suppliers[0].id,
      supplierReference: 'SOD-API',
      issueDate: today,
      lines: [{ description: 'Chairs', accountCode: '52600000', netPence: 10_00, vatPence: 2_00 }],
    })
    const attempt = await call(
      'POST',
      `/api/v1/orgs/cabinet-office/supplier-invoices/${captured.json().id}/approval`,
      'admin',
    )
    expect(attempt.statusCode).toBe(422)
    expect(attempt.json().detail).toBe(
      `You captured invoice SOD-API from ${suppliers[0].name}, so you cannot approve it: someone else must (segregation of duties)`,
    )
  })
})

describe('payment runs API', () => {
  test('needs an Idempotency-Key, and a retry returns the same run and file', async () => {
    const payDate = nextWeekday(addDays(today, 1))
    const body = { dueBy: addDays(today, 60), payDate }
    const missing = await call('POST', '/api/v1/orgs/cabinet-office/payment-runs', 'approver', body)
    expect(missing.statusCode).toBe(400)
    const first = await call('POST', '/api/v1/orgs/cabinet-office/payment-runs', 'approver', body, {
      'idempotency-key': 'pr-1',
    })
    expect(first.statusCode).toBe(201)
    expect(first.json().paymentCount).toBeGreaterThan(0)
    const again = await call('POST', '/api/v1/orgs/cabinet-office/payment-runs', 'approver', body, {
      'idempotency-key': 'pr-1',
    })
    expect(again.json().id).toBe(first.json().id)
    // Another approver retrying the same run (the platform's own key store is per caller) gets it too.
    const other = await call('POST', '/api/v1/orgs/cabinet-office/payment-runs', 'admin', body, {
      'idempotency-key': 'pr-1',
    })
    expect(other.statusCode).toBe(200)
    expect(other.json()).toEqual(first.json())
    const pain = await call(
      'GET',
      `/api/v1/orgs/cabinet-office/payment-runs/${first.json().id}/pain001`,
      'approver',
    )
    expect(pain.headers['content-type']).toContain('application/xml')
    expect(pain.body).toContain('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03')
    const bacs = await call(
      'GET',
      `/api/v1/orgs/cabinet-office/payment-runs/${first.json().id}/bacs`,
      'approver',
    )
    expect(bacs.body.startsWith('VOL1')).toBe(true)

    // The bank's statement comes back: each payment is found by its end-to-end id.
    const statement = camt053v08({
      messageId: 'STMT-API',
      statementId: 'API1',
      iban: buildGbIban('NWBK', '202959', '63748472'),
      currency: 'GBP',
      opening: { amount: '100000.00', creditDebit: 'CRDT', date: payDate },
      closing: { amount: '0.00', creditDebit: 'CRDT', date: payDate },
      entries: first.json().payments.map((payment: { endToEndId: string; amountPence: number }) => ({
        amount: (payment.amountPence / 100).toFixed(2),
        currency: 'GBP',
        creditDebit: 'DBIT',
        bookingDate: payDate,
        endToEndId: payment.endToEndId,
      })),
    })
    const reconciled = await call('POST', '/api/v1/orgs/cabinet-office/bank-statements', 'clerk', statement, {
      'content-type': 'application/xml',
    })
    expect(reconciled.statusCode).toBe(200)
    expect(reconciled.json().matched).toHaveLength(first.json().paymentCount)
    expect(reconciled.json().outstandingPayments).toEqual([])
  })
})

describe('pages', () => {
  let clerk: SignedIn
  let approver: SignedIn
  beforeAll(async () => {
    clerk = await signIn(app, 'finance.clerk@gss.example')
    approver = await signIn(app, 'finance.approver@gss.example')
  })
  const page = (url: string, who: SignedIn) =>
    app.inject({ method: 'GET', url, headers: { cookie: who.cookie } })
  const form = (url: string, who: SignedIn, fields: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: who.csrfToken, ...fields }).toString(),
    })

  test('the supplier list, and the add form re-rendered with its errors', async () => {
    const list = await page('/orgs/cabinet-office/finance/suppliers', clerk)
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain('Acme Digital Services Ltd')
    const bad = await form('/orgs/cabinet-office/finance/suppliers/new', clerk, {
      name: 'Typo Ltd',
      sortCode: '089999',
      accountNumber: '66374959',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('govuk-error-summary')
    expect(bad.body).toContain('href="#accountNumber"')
    expect(bad.body).toContain('value="Typo Ltd"')
    const good = await form('/orgs/cabinet-office/finance/suppliers/new', clerk, {
      name: 'Good Ltd',
      sortCode: '089999',
      accountNumber: '66374958',
      sme: 'yes',
    })
    expect(good.statusCode).toBe(303)
    expect(good.headers.location).toBe('/orgs/cabinet-office/finance/suppliers?added=1')
  })

  test('capture an invoice, then the approver approves it from its page', async () => {
    const newForm = await page('/orgs/cabinet-office/finance/invoices/new', clerk)
    expect(newForm.statusCode).toBe(200)
    const supplierId = /<option value="([0-9a-f-]{36})">Acme Digital Services Ltd<\/option>/.exec(
      newForm.body,
    )![1]!
    const bad = await form('/orgs/cabinet-office/finance/invoices/new', clerk, {
      supplierId,
      supplierReference: 'PAGE-1',
      issueDate: addDays(today, -1),
      'line-0-description': 'Laptops',
      'line-0-account': '52100000',
      'line-0-net': 'lots',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Line 1: enter the net amount in pounds and pence')
    const captured = await form('/orgs/cabinet-office/finance/invoices/new', clerk, {
      supplierId,
      supplierReference: 'PAGE-1',
      issueDate: addDays(today, -1),
      receiptDate: today,
      'line-0-description': 'Laptops',
      'line-0-account': '52100000',
      'line-0-net': '1,000.00',
      'line-0-vat': '200.00',
    })
    expect(captured.statusCode).toBe(303)
    const detailUrl = captured.headers.location!.replace('?captured=1', '')
    const asClerk = await page(detailUrl, clerk)
    expect(asClerk.body).toContain('£1,200.00')
    expect(asClerk.body).not.toContain('Approve invoice')
    const asApprover = await page(detailUrl, approver)
    expect(asApprover.body).toContain('Approve invoice')
    const approved = await form(`${detailUrl}/approve`, approver, {})
    expect(approved.statusCode).toBe(303)
    expect(approved.headers.location).toBe(`${detailUrl}?approved=1`)
    const list = await page('/orgs/cabinet-office/finance/invoices', clerk)
    expect(list.body).toContain('PAGE-1')
    expect(list.body).toContain('Possible duplicate')
  })
})

describe('payables performance API', () => {
  test('prompt payment by quarter and aged creditors for the demo organisation', async () => {
    const year = fiscalPeriodOf(todayIso()).fiscalYear
    const prompt = await call(
      'GET',
      `/api/v1/orgs/cabinet-office/payables/prompt-payment?fiscalYear=${year}`,
      'clerk',
    )
    expect(prompt.statusCode).toBe(200)
    expect(prompt.json().quarters.map((q: { label: string }) => q.label)).toEqual(
      [1, 2, 3, 4].map((q) => `${fiscalYearLabel(year)} Q${q}`),
    )
    const aged = await call(
      'GET',
      `/api/v1/orgs/cabinet-office/payables/aged-creditors?asOf=${todayIso()}`,
      'clerk',
    )
    expect(aged.statusCode).toBe(200)
    const body = aged.json()
    // The demo world leaves Cabinet Office owing its suppliers something; every row adds up.
    expect(body.totals.totalPence).toBeGreaterThan(0)
    for (const row of body.rows) {
      expect(row.notDue + row.days1to30 + row.days31to60 + row.days61to90 + row.over90).toBe(row.totalPence)
    }
    const bad = await call('GET', '/api/v1/orgs/cabinet-office/payables/aged-creditors?asOf=soon', 'clerk')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].field).toBe('/querystring/asOf')
  })
})
