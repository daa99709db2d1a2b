// Receivables through its API and pages, on an app built the way src/app.ts builds it.
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createServices, DOMAINS } from '../../app.ts'
import type { Role } from '../../platform/auth/permissions.ts'
import { buildShell } from '../../platform/http/app.ts'
import { platformRoutes } from '../../platform/http/routes.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type SignedIn, signIn, type TestDatabase } from '../../platform/testing.ts'
import { importEInvoice } from '../einvoice/import.ts'
import { camt053v08 } from '../payments/testing.ts'
import { financeRoutes } from '../routes.ts'
import { todayIso } from './common.ts'
import { receivablesDemo, receivablesPaths, receivablesRoutes } from './index.ts'

const CO = orgId('cabinet-office')
const API = '/api/v1/orgs/cabinet-office/receivables'
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
  // Until src/demo/seed.ts lists receivablesDemo, add its part of the world here (once).
  const seeded = await t.db.admin.selectFrom('receivables_settings').select('org_id').limit(1).execute()
  if (seeded.length === 0) await t.db.adminTransaction((trx) => receivablesDemo.seed(trx))
  const services = createServices(t.db, t.config)
  app = await buildShell({
    config: t.config,
    db: t.db,
    auth: services.auth,
    navigation: [],
    modules: [
      platformRoutes({ config: t.config, db: t.db, auth: services.auth, oidc: undefined, domains: DOMAINS }),
      financeRoutes(services.ledger),
      receivablesRoutes(services),
    ],
  })
  await app.ready()
  tokens.clerk = await token('finance.clerk@gss.example', 'finance_clerk')
  tokens.approver = await token('finance.approver@gss.example', 'finance_approver')
  tokens.dsitClerk = await token('finance.clerk@gss.example', 'finance_clerk', orgId('dsit'))
}, 600_000)
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

describe('API', () => {
  let customerId: string
  let invoiceId: string
  let invoiceNumber: string

  test('the demo world gives Cabinet Office customers, invoices, receipts and aged debt', async () => {
    const report = await call('GET', `${API}/aged-debtors`, 'clerk')
    expect(report.statusCode).toBe(200)
    const body = report.json()
    expect(body.rows.length).toBeGreaterThan(0)
    const overdue =
      body.totals.days1To30Pence +
      body.totals.days31To60Pence +
      body.totals.days61To90Pence +
      body.totals.days91PlusPence
    expect(overdue).toBeGreaterThan(0)
    expect(body.totals.onAccountPence).toBeGreaterThan(0)
    const invoices = (await call('GET', `${API}/invoices`, 'clerk')).json().items
    expect(invoices.length).toBeGreaterThan(10)
    expect(new Set(invoices.map((i: { status: string }) => i.status))).toContain('paid')
  })

  test('a clerk adds a customer and issues an invoice; a retried request with the same key issues nothing new', async () => {
    const created = await call('POST', `${API}/customers`, 'clerk', {
      name: 'Department for Education',
      addressLine1: 'Sanctuary Buildings',
      city: 'London',
      postcode: 'SW1P 3BT',
      peppolEndpoint: '0088:5060012349998',
      publicBody: true,
    })
    expect(created.statusCode).toBe(201)
    customerId = created.json().id
    const body = {
      customerId,
      buyerReference: 'PO-77',
      lines: [
        {
          description: 'Finance processing',
          accountCode: '41200000',
          quantity: '3',
          unitPrice: '1250.00',
          vatRate: 'standard',
        },
        {
          description: 'Course places',
          accountCode: '41100000',
          quantity: '2',
          unitPrice: '99.99',
          vatRate: 'exempt',
        },
      ],
    }
    const key = { 'idempotency-key': 'invoice-dfe-1' }
    const first = await call('POST', `${API}/invoices`, 'clerk', body, key)
    expect(first.statusCode).toBe(201)
    const invoice = first.json()
    expect(invoice).toMatchObject({
      netPence: 3_949_98,
      vatPence: 750_00,
      grossPence: 4_699_98,
      status: 'open',
    })
    expect(invoice.number).toMatch(/^CO-\d{6}$/)
    invoiceId = invoice.id
    invoiceNumber = invoice.number
    const again = await call('POST', `${API}/invoices`, 'clerk', body, key)
    expect(again.statusCode).toBe(201)
    expect(again.json().number).toBe(invoiceNumber)
    const list = (await call('GET', `${API}/invoices?customerId=${customerId}`, 'clerk')).json().items
    expect(list).toHaveLength(1)
  })

  test('the invoice comes as Peppol UBL that our validator accepts, and as a PDF', async () => {
    const ubl = await call('GET', `${API}/invoices/${invoiceId}/ubl`, 'approver')
    expect(ubl.statusCode).toBe(200)
    expect(ubl.headers['content-type']).toMatch(/^application\/xml/)
    const result = importEInvoice(ubl.body, { profile: 'peppol' })
    expect(result.ok && result.warnings).toEqual([])
    expect(result.ok && result.invoice.seller.name).toBe('Cabinet Office')
    expect(result.ok && result.invoice.buyerReference).toBe('PO-77')
    const pdf = await call('GET', `${API}/invoices/${invoiceId}/pdf`, 'approver')
    expect(pdf.statusCode).toBe(200)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdf.rawPayload.toString('latin1')).toContain(invoiceNumber)
  })

  test('a receipt part-pays the invoice; over-allocation is refused as problem+json naming the field', async () => {
    const receipt = await call('POST', `${API}/receipts`, 'clerk', {
      customerId,
      receivedOn: today,
      amountPence: 5_000_00,
      reference: `DFE ${invoiceNumber}`,
      allocations: [{ invoiceId, amountPence: 1_000_00 }],
    })
    expect(receipt.statusCode).toBe(201)
    expect(receipt.json()).toMatchObject({ allocatedPence: 1_000_00, unallocatedPence: 4_000_00 })
    const over = await call('POST', `${API}/receipts/${receipt.json().id}/allocations`, 'clerk', {
      allocations: [{ invoiceId, amountPence: 3_700_00 }],
    })
    expect(over.statusCode).toBe(422)
    expect(over.headers['content-type']).toMatch(/problem\+json/)
    expect(over.json().errors[0]).toMatchObject({ field: '/allocations/0/amountPence' })
    const rest = await call('POST', `${API}/receipts/${receipt.json().id}/allocations`, 'clerk', {
      allocations: [{ invoiceId, amountPence: 3_699_98 }],
    })
    expect(rest.statusCode).toBe(200)
    expect((await call('GET', `${API}/invoices/${invoiceId}`, 'clerk')).json().status).toBe('paid')
    const statement = (await call('GET', `${API}/customers/${customerId}/statement`, 'clerk')).json()
    expect(statement.entries.map((e: { kind: string }) => e.kind)).toEqual(['invoice', 'receipt'])
    expect(statement.closingBalancePence).toBe(-300_02)
  })

  test('a credit note against a paid invoice is refused; the aged debtors report downloads as CSV and Excel', async () => {
    const refused = await call('POST', `${API}/invoices/${invoiceId}/credit-notes`, 'clerk', {
      reason: 'Too late',
    })
    expect(refused.statusCode).toBe(422)
    const csv = await call('GET', `${API}/aged-debtors?asOf=${today}&format=csv`, 'clerk')
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    const [header, ...rows] = csv.body.trim().split('\r\n')
    expect(header).toBe(
      'Customer,Public body,Open invoices,Not yet due,1 to 30 days,31 to 60 days,61 to 90 days,91 days and over,Unallocated receipts,Total owed',
    )
    expect(rows.at(-1)).toMatch(/^Total,/)
    expect(rows.some((row) => row.startsWith('Department for Education,Yes,0,'))).toBe(true)
    const xlsx = await call('GET', `${API}/aged-debtors?asOf=${today}&format=xlsx`, 'clerk')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    expect(workbook.worksheets[0]!.getRow(1).getCell(1).value).toBe('Customer')
  })

  test('a camt.053 statement records the credits that name our invoices, once, and lists the rest', async () => {
    const invoice = (
      await call('POST', `${API}/invoices`, 'clerk', {
        customerId,
        lines: [
          {
            description: 'Audit support',
            accountCode: '41200000',
            quantity: '1',
            unitPrice: '1000',
            vatRate: 'standard',
          },
        ],
      })
    ).json()
    const xml = camt053v08({
      messageId: 'STMT-RCV-1',
      statementId: 'STMT-RCV-1-1',
      iban: 'GB33BUKB20201555555555',
      currency: 'GBP',
      opening: { amount: '0.00', creditDebit: 'CRDT', date: today },
      closing: { amount: '1275.00', creditDebit: 'CRDT', date: today },
      entries: [
        {
          amount: '1200.00',
          currency: 'GBP',
          creditDebit: 'CRDT',
          bookingDate: today,
          bankReference: 'BANK-1',
          remittance: `DFE PAYMENT ${invoice.number}`,
        },
        {
          amount: '75.00',
          currency: 'GBP',
          creditDebit: 'CRDT',
          bookingDate: today,
          bankReference: 'BANK-2',
          remittance: 'DONATION',
        },
        {
          amount: '5.00',
          currency: 'GBP',
          creditDebit: 'DBIT',
          bookingDate: today,
          bankReference: 'BANK-3',
          remittance: 'FEE',
        },
      ],
    })
    const post = () =>
      app.inject({
        method: 'POST',
        url: `${API}/bank-statements`,
        headers: { authorization: `Bearer ${tokens.clerk}`, 'content-type': 'application/xml' },
        payload: xml,
      })
    const first = await post()
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({
      recorded: [
        {
          entryReference: 'BANK-1',
          customerName: 'Department for Education',
          amountPence: 1_200_00,
          allocatedPence: 1_200_00,
        },
      ],
      alreadyRecorded: [],
      unmatched: [
        { entryReference: 'BANK-2', amountPence: 75_00, reason: 'The reference names none of our invoices' },
      ],
    })
    expect((await call('GET', `${API}/invoices/${invoice.id}`, 'clerk')).json().status).toBe('paid')
    const again = await post()
    expect(again.json()).toMatchObject({ recorded: [], alreadyRecorded: ['BANK-1'] })
    const hostile = await app.inject({
      method: 'POST',
      url: `${API}/bank-statements`,
      headers: { authorization: `Bearer ${tokens.clerk}`, 'content-type': 'application/xml' },
      payload:
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Document>&e;</Document>',
    })
    expect(hostile.statusCode).toBe(400)
  })

  test('only receivables:manage writes; another organisation sees nothing of Cabinet Office’s', async () => {
    const forbidden = await call('POST', `${API}/customers`, 'approver', {
      name: 'X',
      addressLine1: 'x',
      city: 'x',
      postcode: 'x',
    })
    expect(forbidden.statusCode).toBe(403)
    expect((await call('GET', `${API}/customers`, 'dsitClerk')).statusCode).toBe(403)
    const dsit = '/api/v1/orgs/dsit/receivables'
    expect((await call('GET', `${dsit}/invoices/${invoiceId}`, 'dsitClerk')).statusCode).toBe(404)
    expect((await call('GET', `${dsit}/invoices/${invoiceId}/ubl`, 'dsitClerk')).statusCode).toBe(404)
    const names = (await call('GET', `${dsit}/customers`, 'dsitClerk'))
      .json()
      .items.map((c: { name: string }) => c.name)
    expect(names).not.toContain('Department for Education')
  })
})

describe('pages', () => {
  let clerk: SignedIn
  let approver: SignedIn
  const page = (url: string, who: SignedIn = clerk) =>
    app.inject({ method: 'GET', url, headers: { cookie: who.cookie } })
  const post = (url: string, payload: Record<string, string>, who: SignedIn = clerk) =>
    app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie },
      payload: { ...payload, _csrf: who.csrfToken },
    })

  beforeAll(async () => {
    clerk = await signIn(app, 'finance.clerk@gss.example')
    approver = await signIn(app, 'finance.approver@gss.example')
  })

  test('every list and report page renders; readers see no buttons to change anything', async () => {
    for (const url of [
      receivablesPaths.index('cabinet-office'),
      receivablesPaths.customers('cabinet-office'),
      receivablesPaths.invoices('cabinet-office'),
      receivablesPaths.receipts('cabinet-office'),
      receivablesPaths.agedDebtors('cabinet-office'),
      receivablesPaths.settings('cabinet-office'),
      receivablesPaths.newCustomer('cabinet-office'),
      receivablesPaths.newInvoice('cabinet-office'),
      receivablesPaths.newReceipt('cabinet-office'),
    ]) {
      const response = await page(url)
      expect(response.statusCode, url).toBe(200)
    }
    const list = await page(receivablesPaths.invoices('cabinet-office'), approver)
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain('Raise an invoice')
    expect((await page(receivablesPaths.newInvoice('cabinet-office'), approver)).statusCode).toBe(403)
    const aged = await page(`${receivablesPaths.agedDebtors('cabinet-office')}?asOf=2026-02-30`)
    expect(aged.statusCode).toBe(400)
    expect(aged.body).toContain('Enter a real date')
    const csv = await page(`${receivablesPaths.agedDebtors('cabinet-office')}?asOf=${today}&format=csv`)
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
  })

  test('add a customer: errors re-render with the summary and what was typed; success redirects', async () => {
    const bad = await post(receivablesPaths.newCustomer('cabinet-office'), {
      name: 'Typo Trading',
      addressLine1: '1 Street',
      city: 'Leeds',
      postcode: 'LS1 1AA',
      vatNumber: 'GB123456789',
      creditLimit: 'lots',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('govuk-error-summary')
    expect(bad.body).toContain('href="#vatNumber"')
    expect(bad.body).toContain('href="#creditLimit"')
    expect(bad.body).toContain('value="Typo Trading"')
    const good = await post(receivablesPaths.newCustomer('cabinet-office'), {
      name: 'Page Customer Ltd',
      addressLine1: '1 Street',
      city: 'Leeds',
      postcode: 'LS1 1AA',
      creditLimit: '5,000.00',
      paymentTermsDays: '14',
    })
    expect(good.statusCode).toBe(303)
    const customerPage = await page(good.headers.location as string)
    expect(customerPage.body).toContain('Customer added')
    expect(customerPage.body).toContain('£5,000.00')
  })

  test('raise an invoice, download it, credit it; record a receipt allocated by its reference', async () => {
    const customers = (await call('GET', `${API}/customers`, 'clerk')).json().items
    const customer = customers.find((c: { name: string }) => c.name === 'Page Customer Ltd')
    const bad = await post(receivablesPaths.newInvoice('cabinet-office'), {
      customerId: customer.id,
      issueDate: today,
      'line-0-description': 'Widgets',
      'line-0-account': '41100000',
      'line-0-quantity': '0',
      'line-0-unitPrice': '10',
      'line-0-vatRate': 'standard',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#line-0-quantity"')
    expect(bad.body).toContain('value="Widgets"')
    const issued = await post(receivablesPaths.newInvoice('cabinet-office'), {
      customerId: customer.id,
      issueDate: today,
      'line-0-description': 'Widgets',
      'line-0-account': '41100000',
      'line-0-costCentre': 'CORP',
      'line-0-quantity': '4',
      'line-0-unitPrice': '25',
      'line-0-vatRate': 'standard',
      'line-1-vatRate': 'standard',
    })
    expect(issued.statusCode).toBe(303)
    const invoicePage = await page(issued.headers.location as string)
    expect(invoicePage.body).toContain('issued and posted to the ledger')
    expect(invoicePage.body).toContain('£120.00')
    const id = /invoices\/([0-9a-f-]{36})/.exec(issued.headers.location as string)![1]!
    const number = /<h1 class="govuk-heading-xl">Invoice ([A-Z0-9-]+)<\/h1>/.exec(invoicePage.body)![1]!
    const pdf = await page(receivablesPaths.pdf('cabinet-office', id))
    expect(pdf.rawPayload.subarray(0, 4).toString()).toBe('%PDF')
    // No Peppol id and no VAT number: the e-invoice cannot be addressed, and the page says which rule.
    const ubl = await page(receivablesPaths.ubl('cabinet-office', id))
    expect(ubl.statusCode).toBe(422)
    expect(ubl.body).toContain('Buyer electronic address')

    const receipt = await post(receivablesPaths.newReceipt('cabinet-office'), {
      customerId: customer.id,
      receivedOn: today,
      amount: '50.00',
      reference: `Paying ${number}`,
      matchReference: 'yes',
    })
    expect(receipt.statusCode).toBe(303)
    const receiptPage = await page(receipt.headers.location as string)
    expect(receiptPage.body).toContain('Receipt recorded')
    expect(receiptPage.body).toContain(number)
    expect((await call('GET', `${API}/invoices/${id}`, 'clerk')).json()).toMatchObject({
      allocatedPence: 50_00,
      outstandingPence: 70_00,
    })

    const noReason = await post(receivablesPaths.creditNote('cabinet-office', id), {
      reason: '',
      creditDate: today,
    })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('href="#reason"')
    // £120 is more than the £70 left.
    const tooMuch = await post(receivablesPaths.creditNote('cabinet-office', id), {
      reason: 'Wrong',
      creditDate: today,
    })
    expect(tooMuch.statusCode).toBe(400)
    expect(tooMuch.body).toContain('Credit at most £70.00')
  })

  test('allocate a receipt on account from its page', async () => {
    const customers = (await call('GET', `${API}/customers`, 'clerk')).json().items
    const customer = customers.find((c: { name: string }) => c.name === 'Page Customer Ltd')
    const receipt = (
      await call('POST', `${API}/receipts`, 'clerk', {
        customerId: customer.id,
        receivedOn: today,
        amountPence: 100_00,
        reference: 'UNKNOWN',
      })
    ).json()
    const receiptPage = await page(receivablesPaths.receipt('cabinet-office', receipt.id))
    const field = /name="(amount-[0-9a-f-]{36})"/.exec(receiptPage.body)![1]!
    const over = await post(receivablesPaths.allocate('cabinet-office', receipt.id), { [field]: '70.01' })
    expect(over.statusCode).toBe(400)
    expect(over.body).toContain(`href="#${field}"`)
    expect(over.body).toContain('value="70.01"')
    const ok = await post(receivablesPaths.allocate('cabinet-office', receipt.id), { [field]: '70.00' })
    expect(ok.statusCode).toBe(303)
    const after = await page(ok.headers.location as string)
    expect(after.body).toContain('Receipt allocated')
    expect(after.body).toContain('£30.00')
  })
})
