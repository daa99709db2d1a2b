// Payables over HTTP: suppliers, supplier invoices (JSON or UBL), approval, HM Treasury consent,
// delegated authority, payment runs and their files; and the pages a clerk and approver use.
import { Type } from 'typebox'
import type { App } from '../../platform/http/app.ts'
import { IdempotencyKeyHeader, Problem } from '../../platform/http/schemas.ts'
import type { LedgerService } from '../ledger.ts'
import { EINVOICE_BYTES_MAX, InvoiceService } from './invoices.ts'
import { payablesPages } from './pages.ts'
import { PaymentRunService } from './payment-runs.ts'
import { agedCreditors, promptPayment } from './performance.ts'
import { paymentPages } from './run-pages.ts'
import {
  ApprovalLimitBody,
  ApproverBody,
  ConsentBody,
  EInvoiceQuery,
  IdempotencyRequired,
  InvoiceBody,
  InvoiceListQuery,
  InvoiceParams,
  OrgParams,
  PaymentRunBody,
  PaymentSettingsBody,
  RejectionBody,
  RunParams,
  SupplierBody,
  SupplierParams,
} from './schema.ts'
import { StatementService } from './statements.ts'
import { SupplierService } from './suppliers.ts'

export interface PayablesServices {
  suppliers: SupplierService
  invoices: InvoiceService
  paymentRuns: PaymentRunService
  statements: StatementService
}

/** The payables services over the ledger; stateless, so built once by the composition root. */
export function createPayablesServices(ledger: LedgerService): PayablesServices {
  const suppliers = new SupplierService()
  return {
    suppliers,
    invoices: new InvoiceService(ledger, suppliers),
    paymentRuns: new PaymentRunService(ledger),
    statements: new StatementService(),
  }
}

const api = (summary: string) => ({ tags: ['payables'], summary })

/** The routes, in the shape of financeRoutes: give it the composition root's services. */
export function payablesRoutes(services: { ledger: LedgerService; payables?: PayablesServices | undefined }) {
  const payables = services.payables ?? createPayablesServices(services.ledger)
  const { suppliers, invoices, paymentRuns, statements } = payables
  return async (app: App) => {
    // --- Performance: prompt payment and aged creditors ------------------------------------
    app.get(
      '/api/v1/orgs/:orgCode/payables/prompt-payment',
      {
        config: { permission: 'finance:read', kind: 'api' },
        schema: {
          ...api(
            'Share of invoices paid within 5 and within 30 days of receipt, by quarter of a financial year',
          ),
          params: OrgParams,
          querystring: Type.Object(
            { fiscalYear: Type.Integer({ minimum: 2000, maximum: 2200, description: '2026 is 2026-27' }) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => ({
        quarters: await request.withTx((trx) =>
          promptPayment(trx, request.org!.id, request.query.fiscalYear),
        ),
      }),
    )
    app.get(
      '/api/v1/orgs/:orgCode/payables/aged-creditors',
      {
        config: { permission: 'finance:read', kind: 'api' },
        schema: {
          ...api('What is owed to each supplier, by days past due'),
          params: OrgParams,
          querystring: Type.Object(
            { asOf: Type.String({ format: 'date' }) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => request.withTx((trx) => agedCreditors(trx, request.org!.id, request.query.asOf)),
    )

    // --- Suppliers ------------------------------------------------------------------------
    app.get(
      '/api/v1/orgs/:orgCode/suppliers',
      {
        config: { permission: 'finance:read', kind: 'api' },
        schema: { ...api('List suppliers'), params: OrgParams },
      },
      async (request) => ({ items: await request.withTx((trx) => suppliers.list(trx, request.org!.id)) }),
    )
    app.get(
      '/api/v1/orgs/:orgCode/suppliers/:supplierId',
      {
        config: { permission: 'finance:read', kind: 'api' },
        schema: { ...api('One supplier'), params: SupplierParams },
      },
      async (request) =>
        request.withTx((trx) => suppliers.get(trx, request.org!.id, request.params.supplierId)),
    )
    app.post(
      '/api/v1/orgs/:orgCode/suppliers',
      {
        config: { permission: 'payables:capture', kind: 'api' },
        schema: {
          ...api(
            'Add a supplier (bank details modulus-checked; duplicate VAT or Companies House numbers refused)',
          ),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: SupplierBody,
        },
      },
      async (request, reply) => {
        const supplier = await request.withTx((trx) =>
          suppliers.create(trx, request.org!.id, request.body, request.principal!.userId),
        )
        return reply.code(201).send(supplier)
      },
    )

    // --- Invoices -------------------------------------------------------------------------
    app.get(
      '/api/v1/orgs/:orgCode/supplier-invoices',
      {
        config: { permission: 'finance:read', kind: 'api' },
        schema: {
          ...api('List supplier invoices, newest first'),
          params: OrgParams,
          querystring: InvoiceListQuery,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) => invoices.list(trx, request.org!.id, request.query)),
      }),
    )
    app.get(
      '/api/v1/orgs/:orgCode/supplier-invoices/:invoiceId',
      {
        config: { permission: 'finance:read', kind: 'api' },
        schema: { ...api('One supplier invoice with its lines'), params: InvoiceParams },
      },
      async (request) =>
        request.withTx((trx) => invoices.get(trx, request.org!.id, request.params.invoiceId)),
    )
    app.post(
      '/api/v1/orgs/:orgCode/supplier-invoices',
      {
        config: { permission: 'payables:capture', kind: 'api' },
        schema: {
          ...api('Capture a supplier invoice or credit note (possible duplicates are flagged)'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: InvoiceBody,
        },
      },
      async (request, reply) => {
        const invoice = await request.withTx((trx) =>
          invoices.capture(trx, request.org!.id, request.body, request.principal!.userId),
        )
        return reply.code(201).send(invoice)
      },
    )

    // UBL arrives as raw bytes: the importer checks encoding, size and safety itself.
    app.addContentTypeParser(
      ['application/xml', 'text/xml'],
      { parseAs: 'buffer', bodyLimit: EINVOICE_BYTES_MAX },
      (_request, body, done) => done(null, body),
    )
    app.post(
      '/api/v1/orgs/:orgCode/supplier-invoices/e-invoices',
      {
        config: { permission: 'payables:capture', kind: 'api' },
        schema: {
          ...api(
            'Capture a UBL 2.1 invoice or credit note (Peppol BIS 3 / EN 16931) sent as application/xml; the seller must be a supplier',
          ),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          querystring: EInvoiceQuery,
          consumes: ['application/xml'],
        },
      },
      async (request, reply) => {
        const invoice = await request.withTx((trx) =>
          invoices.captureEInvoice(
            trx,
            request.org!.id,
            request.body as Buffer,
            request.query,
            request.principal!.userId,
          ),
        )
        return reply.code(201).send(invoice)
      },
    )

    app.post(
      '/api/v1/orgs/:orgCode/supplier-invoices/:invoiceId/approval',
      {
        config: { permission: 'payables:approve', kind: 'api' },
        schema: {
          ...api(
            'Approve within your delegated authority (posts to the ledger), or escalate to the level that can; never your own capture',
          ),
          headers: IdempotencyKeyHeader,
          params: InvoiceParams,
        },
      },
      async (request, reply) => {
        const result = await request.withTx((trx) =>
          invoices.approve(trx, request.org!.id, request.params.invoiceId, request.principal!.userId),
        )
        return reply.code(result.outcome === 'approved' ? 200 : 202).send(result)
      },
    )
    app.post(
      '/api/v1/orgs/:orgCode/supplier-invoices/:invoiceId/rejection',
      {
        config: { permission: 'payables:approve', kind: 'api' },
        schema: {
          ...api('Reject an invoice awaiting approval'),
          headers: IdempotencyKeyHeader,
          params: InvoiceParams,
          body: RejectionBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          invoices.reject(
            trx,
            request.org!.id,
            request.params.invoiceId,
            request.principal!.userId,
            request.body.reason,
          ),
        ),
    )
    app.post(
      '/api/v1/orgs/:orgCode/supplier-invoices/:invoiceId/treasury-consent',
      {
        config: { permission: 'payables:approve', kind: 'api' },
        schema: {
          ...api('Record HM Treasury consent for novel, contentious or over-limit spend'),
          headers: IdempotencyKeyHeader,
          params: InvoiceParams,
          body: ConsentBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          invoices.recordTreasuryConsent(
            trx,
            request.org!.id,
            request.params.invoiceId,
            request.principal!.userId,
            request.body.reference,
          ),
        ),
    )
    app.post(
      '/api/v1/orgs/:orgCode/supplier-invoices/:invoiceId/novel-contentious',
      {
        config: { permission: 'payables:capture', kind: 'api' },
        schema: {
          ...api('Mark spend as novel or contentious: approval then waits for HM Treasury consent'),
          headers: IdempotencyKeyHeader,
          params: InvoiceParams,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          invoices.flagForTreasuryConsent(trx, request.org!.id, request.params.invoiceId),
        ),
    )

    // --- Delegated authority --------------------------------------------------------------
    app.get(
      '/api/v1/orgs/:orgCode/approval-limits',
      {
        config: { permission: 'finance:read', kind: 'api' },
        schema: { ...api('Delegated authority limits by spend type and level'), params: OrgParams },
      },
      async (request) => ({
        items: await request.withTx((trx) => invoices.approvalLimits(trx, request.org!.id)),
      }),
    )
    app.put(
      '/api/v1/orgs/:orgCode/approval-limits',
      {
        config: { permission: 'finance:approve', kind: 'api' },
        schema: {
          ...api('Set the limit of one level of delegated authority for a spend type'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: ApprovalLimitBody,
          response: { 204: Type.Null(), 400: Problem },
        },
      },
      async (request, reply) => {
        await request.withTx((trx) => invoices.setApprovalLimit(trx, request.org!.id, request.body))
        return reply.code(204).send(null)
      },
    )
    app.put(
      '/api/v1/orgs/:orgCode/approvers',
      {
        config: { permission: 'finance:approve', kind: 'api' },
        schema: {
          ...api('Give someone a level of delegated authority (never yourself)'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: ApproverBody,
          response: { 204: Type.Null(), 400: Problem, 422: Problem },
        },
      },
      async (request, reply) => {
        await request.withTx((trx) =>
          invoices.setApproverLevel(
            trx,
            request.org!.id,
            request.body.userId,
            request.body.level,
            request.principal!.userId,
          ),
        )
        return reply.code(204).send(null)
      },
    )

    // --- Payment runs ---------------------------------------------------------------------
    app.put(
      '/api/v1/orgs/:orgCode/payment-settings',
      {
        config: { permission: 'finance:approve', kind: 'api' },
        schema: {
          ...api('Set the account supplier payments leave from, and the Bacs service user'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: PaymentSettingsBody,
          response: { 204: Type.Null(), 400: Problem },
        },
      },
      async (request, reply) => {
        await request.withTx((trx) => paymentRuns.setPaymentSettings(trx, request.org!.id, request.body))
        return reply.code(204).send(null)
      },
    )
    app.post(
      '/api/v1/orgs/:orgCode/payment-runs',
      {
        config: { permission: 'payables:approve', kind: 'api' },
        schema: {
          ...api(
            'Pay the approved invoices due by a date: one pain.001.001.03 file, a Bacs file, the payment journal; a retry with the same Idempotency-Key returns the same run',
          ),
          headers: IdempotencyRequired,
          params: OrgParams,
          body: PaymentRunBody,
        },
      },
      async (request, reply) => {
        const { run, created } = await request.withTx((trx) =>
          paymentRuns.create(
            trx,
            request.org!.id,
            { ...request.body, idempotencyKey: request.headers['idempotency-key'] },
            request.principal!.userId,
          ),
        )
        return reply.code(created ? 201 : 200).send(run)
      },
    )
    app.get(
      '/api/v1/orgs/:orgCode/payment-runs/:runId',
      {
        config: { permission: 'finance:read', kind: 'api' },
        schema: { ...api('One payment run and its payments'), params: RunParams },
      },
      async (request) => request.withTx((trx) => paymentRuns.get(trx, request.org!.id, request.params.runId)),
    )
    app.get(
      '/api/v1/orgs/:orgCode/payment-runs/:runId/pain001',
      {
        config: { permission: 'payables:approve', kind: 'api' },
        schema: { ...api('The run’s pain.001.001.03 file'), params: RunParams },
      },
      async (request, reply) => {
        const xml = await request.withTx((trx) =>
          paymentRuns.file(trx, request.org!.id, request.params.runId, 'pain001'),
        )
        return reply.type('application/xml; charset=utf-8').send(xml)
      },
    )
    app.get(
      '/api/v1/orgs/:orgCode/payment-runs/:runId/bacs',
      {
        config: { permission: 'payables:approve', kind: 'api' },
        schema: { ...api('The run’s Bacs Standard 18 file'), params: RunParams },
      },
      async (request, reply) => {
        const text = await request.withTx((trx) =>
          paymentRuns.file(trx, request.org!.id, request.params.runId, 'bacs'),
        )
        return reply.type('text/plain; charset=us-ascii').send(text)
      },
    )

    app.post(
      '/api/v1/orgs/:orgCode/bank-statements',
      {
        config: { permission: 'finance:post', kind: 'api' },
        schema: {
          ...api(
            'Import a camt.053 bank statement (application/xml) and reconcile it against payment-run payments; nothing is matched twice',
          ),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          consumes: ['application/xml'],
        },
      },
      async (request) =>
        request.withTx((trx) =>
          statements.importStatement(
            trx,
            request.org!.id,
            new TextDecoder().decode(request.body as Buffer),
            request.principal!.userId,
          ),
        ),
    )

    await payablesPages(app, payables)
    await paymentPages(app, payables)
  }
}
