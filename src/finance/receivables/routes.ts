// Receivables over HTTP: settings, customers, sales invoices and credit notes (JSON, UBL and PDF),
// receipts and allocation, aged debtors (JSON, CSV, Excel) and statements; and the pages.
import type { FastifyReply } from 'fastify'
import type { Tx } from '../../platform/db/index.ts'
import type { App } from '../../platform/http/app.ts'
import { IdempotencyKeyHeader } from '../../platform/http/schemas.ts'
import type { LedgerService } from '../ledger.ts'
import { type ReportTable, toCsv, toXlsx, XLSX_CONTENT_TYPE } from '../reports/export.ts'
import { agedDebtors, agedDebtorsTable, customerStatement } from './aged.ts'
import { addDays, todayIso } from './common.ts'
import { CustomerService } from './customers.ts'
import { SalesInvoiceService } from './invoices.ts'
import { receivablesPages } from './pages.ts'
import { salesDocumentPdf } from './pdf.ts'
import { ReceiptService } from './receipts.ts'
import {
  AgedDebtorsQuery,
  AllocationsBody,
  CreditNoteBody,
  CustomerBody,
  CustomerParams,
  OrgParams,
  ReceiptBody,
  ReceiptListQuery,
  ReceiptParams,
  SalesInvoiceBody,
  SalesInvoiceListQuery,
  SalesInvoiceParams,
  SettingsBody,
  StatementQuery,
} from './schema.ts'
import { SettingsService } from './settings.ts'
import { receiptsFromStatement, STATEMENT_BYTES_MAX } from './statements.ts'
import { salesDocumentUbl } from './ubl.ts'

export interface ReceivablesServices {
  settings: SettingsService
  customers: CustomerService
  invoices: SalesInvoiceService
  receipts: ReceiptService
}

/** The receivables services over the ledger; stateless, so built once by the composition root. */
export function createReceivablesServices(ledger: LedgerService): ReceivablesServices {
  const settings = new SettingsService()
  return {
    settings,
    customers: new CustomerService(),
    invoices: new SalesInvoiceService(ledger, settings),
    receipts: new ReceiptService(ledger),
  }
}

/** Loads what a document's UBL or PDF is made of. Errors: NotFoundError, BusinessRuleError (no settings). */
export async function documentParts(
  services: ReceivablesServices,
  trx: Tx,
  orgId: string,
  invoiceId: string,
) {
  const doc = await services.invoices.get(trx, orgId, invoiceId)
  const seller = await services.settings.get(trx, orgId)
  const customer = await services.customers.get(trx, orgId, doc.customerId)
  return { doc, seller, customer }
}

export async function sendUbl(reply: FastifyReply, parts: Awaited<ReturnType<typeof documentParts>>) {
  const xml = salesDocumentUbl(parts.doc, parts.seller, parts.customer)
  return reply
    .type('application/xml; charset=utf-8')
    .header('content-disposition', `attachment; filename="${parts.doc.number}.xml"`)
    .send(xml)
}

export async function sendPdf(reply: FastifyReply, parts: Awaited<ReturnType<typeof documentParts>>) {
  const pdf = await salesDocumentPdf(parts.doc, parts.seller, parts.customer)
  return reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${parts.doc.number}.pdf"`)
    .send(pdf)
}

export async function sendTable(
  reply: FastifyReply,
  format: 'csv' | 'xlsx',
  table: ReportTable,
  filename: string,
) {
  if (format === 'csv')
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}.csv"`)
      .send(toCsv(table))
  return reply
    .type(XLSX_CONTENT_TYPE)
    .header('content-disposition', `attachment; filename="${filename}.xlsx"`)
    .send(await toXlsx(table))
}

const api = (summary: string) => ({ tags: ['receivables'], summary })
const BASE = '/api/v1/orgs/:orgCode/receivables'

/** The routes, in the shape of payablesRoutes: give it the composition root's services. */
export function receivablesRoutes(services: {
  ledger: LedgerService
  receivables?: ReceivablesServices | undefined
}) {
  const receivables = services.receivables ?? createReceivablesServices(services.ledger)
  const { settings, customers, invoices, receipts } = receivables
  const read = { permission: 'finance:read' as const, kind: 'api' as const }
  const manage = { permission: 'receivables:manage' as const, kind: 'api' as const }
  return async (app: App) => {
    // --- Settings -------------------------------------------------------------------------
    app.get(
      `${BASE}/settings`,
      {
        config: read,
        schema: { ...api('The organisation’s invoicing details (null until set)'), params: OrgParams },
      },
      async (request) => ({
        settings: (await request.withTx((trx) => settings.find(trx, request.org!.id))) ?? null,
      }),
    )
    app.put(
      `${BASE}/settings`,
      {
        config: manage,
        schema: {
          ...api('Set the invoicing details: seller name, address, VAT number, Peppol id, bank account'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: SettingsBody,
        },
      },
      async (request) => request.withTx((trx) => settings.set(trx, request.org!.id, request.body)),
    )

    // --- Customers ------------------------------------------------------------------------
    app.get(
      `${BASE}/customers`,
      { config: read, schema: { ...api('List customers'), params: OrgParams } },
      async (request) => ({ items: await request.withTx((trx) => customers.list(trx, request.org!.id)) }),
    )
    app.post(
      `${BASE}/customers`,
      {
        config: manage,
        schema: {
          ...api('Add a customer (VAT and Companies House numbers checked; duplicates refused)'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: CustomerBody,
        },
      },
      async (request, reply) => {
        const customer = await request.withTx((trx) =>
          customers.create(trx, request.org!.id, request.body, request.principal!.userId),
        )
        return reply.code(201).send(customer)
      },
    )
    app.get(
      `${BASE}/customers/:customerId`,
      { config: read, schema: { ...api('One customer and what they owe'), params: CustomerParams } },
      async (request) =>
        request.withTx(async (trx) => ({
          ...(await customers.get(trx, request.org!.id, request.params.customerId)),
          balancePence: await invoices.balancePence(trx, request.org!.id, request.params.customerId),
        })),
    )
    app.get(
      `${BASE}/customers/:customerId/statement`,
      {
        config: read,
        schema: {
          ...api(
            'A customer’s statement: opening balance, documents and receipts, closing balance, open invoices',
          ),
          params: CustomerParams,
          querystring: StatementQuery,
        },
      },
      async (request) => {
        const to = request.query.to ?? todayIso()
        const from = request.query.from ?? addDays(to, -365)
        return request.withTx((trx) =>
          customerStatement(trx, request.org!.id, request.params.customerId, from, to),
        )
      },
    )

    // --- Invoices and credit notes --------------------------------------------------------
    app.get(
      `${BASE}/invoices`,
      {
        config: read,
        schema: {
          ...api('List sales invoices and credit notes, newest first'),
          params: OrgParams,
          querystring: SalesInvoiceListQuery,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) => invoices.list(trx, request.org!.id, request.query)),
      }),
    )
    app.post(
      `${BASE}/invoices`,
      {
        config: manage,
        schema: {
          ...api(
            'Issue a sales invoice: numbered in the organisation’s gapless series and posted (Dr receivables, Cr income and VAT) in one transaction',
          ),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: SalesInvoiceBody,
        },
      },
      async (request, reply) => {
        const invoice = await request.withTx((trx) =>
          invoices.issueInvoice(trx, request.org!.id, request.body, request.principal!.userId),
        )
        return reply.code(201).send(invoice)
      },
    )
    app.get(
      `${BASE}/invoices/:invoiceId`,
      {
        config: read,
        schema: {
          ...api('One invoice or credit note: lines, VAT breakdown, receipts, credit notes'),
          params: SalesInvoiceParams,
        },
      },
      async (request) =>
        request.withTx((trx) => invoices.get(trx, request.org!.id, request.params.invoiceId)),
    )
    app.get(
      `${BASE}/invoices/:invoiceId/ubl`,
      {
        config: read,
        schema: {
          ...api(
            'The document as Peppol BIS Billing 3.0 UBL 2.1 XML (Invoice or CreditNote), checked against EN 16931',
          ),
          params: SalesInvoiceParams,
          produces: ['application/xml'],
        },
      },
      async (request, reply) =>
        sendUbl(
          reply,
          await request.withTx((trx) =>
            documentParts(receivables, trx, request.org!.id, request.params.invoiceId),
          ),
        ),
    )
    app.get(
      `${BASE}/invoices/:invoiceId/pdf`,
      {
        config: read,
        schema: {
          ...api('The document as a PDF'),
          params: SalesInvoiceParams,
          produces: ['application/pdf'],
        },
      },
      async (request, reply) =>
        sendPdf(
          reply,
          await request.withTx((trx) =>
            documentParts(receivables, trx, request.org!.id, request.params.invoiceId),
          ),
        ),
    )
    app.post(
      `${BASE}/invoices/:invoiceId/credit-notes`,
      {
        config: manage,
        schema: {
          ...api(
            'Issue a credit note against an invoice (all its lines, or those given), posting the reverse',
          ),
          headers: IdempotencyKeyHeader,
          params: SalesInvoiceParams,
          body: CreditNoteBody,
        },
      },
      async (request, reply) => {
        const note = await request.withTx((trx) =>
          invoices.issueCreditNote(
            trx,
            request.org!.id,
            request.params.invoiceId,
            request.body,
            request.principal!.userId,
          ),
        )
        return reply.code(201).send(note)
      },
    )

    // --- Receipts -------------------------------------------------------------------------
    app.get(
      `${BASE}/receipts`,
      {
        config: read,
        schema: { ...api('List receipts, newest first'), params: OrgParams, querystring: ReceiptListQuery },
      },
      async (request) => ({
        items: await request.withTx((trx) => receipts.list(trx, request.org!.id, request.query)),
      }),
    )
    app.post(
      `${BASE}/receipts`,
      {
        config: manage,
        schema: {
          ...api('Record money received (Dr bank, Cr receivables), optionally allocating it to invoices'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: ReceiptBody,
        },
      },
      async (request, reply) => {
        const receipt = await request.withTx((trx) =>
          receipts.record(trx, request.org!.id, request.body, request.principal!.userId),
        )
        return reply.code(201).send(receipt)
      },
    )
    app.get(
      `${BASE}/receipts/:receiptId`,
      { config: read, schema: { ...api('One receipt and its allocations'), params: ReceiptParams } },
      async (request) =>
        request.withTx((trx) => receipts.get(trx, request.org!.id, request.params.receiptId)),
    )
    app.post(
      `${BASE}/receipts/:receiptId/allocations`,
      {
        config: manage,
        schema: {
          ...api('Allocate a receipt to the same customer’s invoices; never more than either has left'),
          headers: IdempotencyKeyHeader,
          params: ReceiptParams,
          body: AllocationsBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          receipts.allocate(
            trx,
            request.org!.id,
            request.params.receiptId,
            request.body.allocations,
            request.principal!.userId,
          ),
        ),
    )

    // camt.053 arrives as raw bytes: the parser checks encoding, size and safety itself. Payables
    // registers the same parser when it is in the app; register it here when it is not.
    if (!app.hasContentTypeParser('application/xml'))
      app.addContentTypeParser(
        ['application/xml', 'text/xml'],
        { parseAs: 'buffer', bodyLimit: STATEMENT_BYTES_MAX },
        (_request, body, done) => done(null, body),
      )
    app.post(
      `${BASE}/bank-statements`,
      {
        config: { permission: 'receivables:manage', kind: 'api' },
        schema: {
          ...api(
            'Import a camt.053 statement (application/xml): credits naming our invoice numbers become receipts, allocated to those invoices; the rest is listed with the reason',
          ),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          consumes: ['application/xml'],
        },
      },
      async (request) =>
        request.withTx((trx) =>
          receiptsFromStatement(
            trx,
            request.org!.id,
            receipts,
            new TextDecoder().decode(request.body as Buffer),
            request.principal!.userId,
          ),
        ),
    )

    // --- Aged debt ------------------------------------------------------------------------
    app.get(
      `${BASE}/aged-debtors`,
      {
        config: read,
        schema: {
          ...api(
            'Aged debtors as at a date: per customer, not yet due, 1-30, 31-60, 61-90 and 91+ days overdue',
          ),
          params: OrgParams,
          querystring: AgedDebtorsQuery,
          produces: ['application/json', 'text/csv', XLSX_CONTENT_TYPE],
        },
      },
      async (request, reply) => {
        const asOf = request.query.asOf ?? todayIso()
        const report = await request.withTx((trx) => agedDebtors(trx, request.org!.id, asOf))
        const format = request.query.format ?? 'json'
        if (format === 'json') return reply.send(report)
        return sendTable(reply, format, agedDebtorsTable(report), `${request.org!.code}-aged-debtors-${asOf}`)
      },
    )

    await receivablesPages(app, receivables)
  }
}
