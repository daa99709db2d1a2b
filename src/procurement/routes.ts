// Procurement over HTTP: the API under /api/v1/orgs/:orgCode/procurement (and the cluster pipeline
// under /api/v1/procurement/clusters/:code), and the pages (pages.ts). Every write accepts an
// Idempotency-Key and runs in one transaction.
import { Type } from 'typebox'
import { fiscalPeriodOf } from '../finance/chart.ts'
import { LedgerService } from '../finance/ledger.ts'
import { InvoiceService, todayIso } from '../finance/payables/invoices.ts'
import { SupplierService } from '../finance/payables/suppliers.ts'
import { toCsv, toXlsx, XLSX_CONTENT_TYPE } from '../finance/reports/export.ts'
import type { Tx } from '../platform/db/index.ts'
import { NotFoundError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { IdempotencyKeyHeader } from '../platform/http/schemas.ts'
import { analyticsTable, procurementAnalytics } from './analytics.ts'
import { ContractService, PipelineService } from './contracts.ts'
import { orderPdf, orderUbl } from './documents.ts'
import { MatchingService } from './matching.ts'
import { OcdsService } from './ocds.ts'
import { OrderService } from './orders.ts'
import { procurementPages } from './pages.ts'
import {
  AmendmentBody,
  AnalyticsQuery,
  ClusterParams,
  ContactBody,
  ContractBody,
  ContractParams,
  DuplicatesQuery,
  ExceptionBody,
  FiscalYearQuery,
  InvoiceParams,
  LinkBody,
  MatchBody,
  OrderInvoiceBody,
  OrderListQuery,
  OrderParams,
  OrgParams,
  PipelineBody,
  ProcurementSupplierBody,
  ReasonBody,
  ReceiptBody,
  RequisitionBody,
  SettingsBody,
  StageParams,
  SupplierFlagsBody,
  SupplierParams,
} from './schema.ts'
import { ProcurementSupplierService } from './suppliers.ts'

export function createProcurementServices() {
  const ledger = new LedgerService()
  const payablesSuppliers = new SupplierService()
  const invoices = new InvoiceService(ledger, payablesSuppliers)
  const matching = new MatchingService(invoices)
  const contracts = new ContractService()
  const pipeline = new PipelineService()
  return {
    invoices,
    suppliers: new ProcurementSupplierService(payablesSuppliers),
    orders: new OrderService(),
    matching,
    contracts,
    pipeline,
    ocds: new OcdsService(contracts, pipeline, matching),
  }
}
export type ProcurementServices = ReturnType<typeof createProcurementServices>

/** The buyer and supplier as the order documents name them. */
export async function orderParties(
  trx: Tx,
  org: { name: string; code: string },
  supplierId: string,
  orgId: string,
) {
  const supplier = await trx
    .selectFrom('suppliers')
    .select(['name', 'company_number', 'vat_number'])
    .where('org_id', '=', orgId)
    .where('id', '=', supplierId)
    .executeTakeFirstOrThrow()
  return {
    buyer: { name: org.name, code: org.code },
    supplier: { name: supplier.name, companyNumber: supplier.company_number, vatNumber: supplier.vat_number },
  }
}

const api = (summary: string) => ({ tags: ['procurement'], summary })
const base = '/api/v1/orgs/:orgCode/procurement'

export function procurementRoutes(
  services: { procurement?: ProcurementServices } & Record<string, unknown> = {},
) {
  const p = services.procurement ?? createProcurementServices()
  return async (app: App) => {
    const read = { permission: 'procurement:read' as const, kind: 'api' as const }
    const manage = { permission: 'procurement:manage' as const, kind: 'api' as const }

    // --- Suppliers ---------------------------------------------------------------------------
    app.get(
      `${base}/suppliers`,
      {
        config: read,
        schema: {
          ...api('Suppliers with SME/VCSE flags, Central Digital Platform ids and contacts'),
          params: OrgParams,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) => p.suppliers.list(trx, request.org!.id)),
      }),
    )
    app.get(
      `${base}/suppliers/duplicates`,
      {
        config: read,
        schema: {
          ...api('Existing suppliers whose names normalise to the same words'),
          params: OrgParams,
          querystring: DuplicatesQuery,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) =>
          p.suppliers.possibleDuplicates(trx, request.org!.id, request.query.name),
        ),
      }),
    )
    app.post(
      `${base}/suppliers`,
      {
        config: manage,
        schema: {
          ...api('Add a supplier shared with finance (duplicates refused; a similar name must be confirmed)'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: ProcurementSupplierBody,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await request.withTx((trx) =>
              p.suppliers.create(trx, request.org!.id, request.body, request.principal!.userId),
            ),
          ),
    )
    app.patch(
      `${base}/suppliers/:supplierId`,
      {
        config: manage,
        schema: {
          ...api('Set a supplier’s SME and VCSE flags and Central Digital Platform id'),
          headers: IdempotencyKeyHeader,
          params: SupplierParams,
          body: SupplierFlagsBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          p.suppliers.setFlags(trx, request.org!.id, request.params.supplierId, request.body),
        ),
    )
    app.post(
      `${base}/suppliers/:supplierId/contacts`,
      {
        config: manage,
        schema: {
          ...api('Add a contact to a supplier'),
          headers: IdempotencyKeyHeader,
          params: SupplierParams,
          body: ContactBody,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await request.withTx((trx) =>
              p.suppliers.addContact(trx, request.org!.id, request.params.supplierId, request.body),
            ),
          ),
    )

    // --- Settings ----------------------------------------------------------------------------
    app.get(
      `${base}/settings`,
      { config: read, schema: { ...api('Match tolerances and OCDS ocid prefix'), params: OrgParams } },
      async (request) => request.withTx((trx) => p.matching.settings(trx, request.org!.id)),
    )
    app.put(
      `${base}/settings`,
      {
        config: manage,
        schema: {
          ...api('Set match tolerances and the OCDS ocid prefix'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: SettingsBody,
        },
      },
      async (request) => request.withTx((trx) => p.matching.setSettings(trx, request.org!.id, request.body)),
    )

    // --- Requisitions and orders -------------------------------------------------------------
    app.post(
      `${base}/requisitions`,
      {
        config: { permission: 'procurement:requisition', kind: 'api' },
        schema: {
          ...api('Raise a requisition (catalogue items or free text, CPV and cost coding)'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: RequisitionBody,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await request.withTx((trx) =>
              p.orders.requisition(trx, request.org!.id, request.body, request.principal!.userId),
            ),
          ),
    )
    app.get(
      `${base}/orders`,
      {
        config: read,
        schema: {
          ...api('Requisitions and orders, newest first'),
          params: OrgParams,
          querystring: OrderListQuery,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) => p.orders.list(trx, request.org!.id, request.query)),
      }),
    )
    app.get(
      `${base}/orders/:orderId`,
      {
        config: read,
        schema: { ...api('One requisition or order with lines and every version'), params: OrderParams },
      },
      async (request) => request.withTx((trx) => p.orders.get(trx, request.org!.id, request.params.orderId)),
    )
    app.post(
      `${base}/orders/:orderId/approval`,
      {
        config: { permission: 'procurement:approve', kind: 'api' },
        schema: {
          ...api('Approve within your delegated authority (issues the order), or escalate; never your own'),
          headers: IdempotencyKeyHeader,
          params: OrderParams,
        },
      },
      async (request, reply) => {
        const result = await request.withTx((trx) =>
          p.orders.approve(trx, request.org!.id, request.params.orderId, request.principal!.userId),
        )
        return reply.code(result.outcome === 'approved' ? 200 : 202).send(result)
      },
    )
    app.post(
      `${base}/orders/:orderId/rejection`,
      {
        config: { permission: 'procurement:approve', kind: 'api' },
        schema: {
          ...api('Reject a requisition'),
          headers: IdempotencyKeyHeader,
          params: OrderParams,
          body: ReasonBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          p.orders.reject(
            trx,
            request.org!.id,
            request.params.orderId,
            request.principal!.userId,
            request.body.reason,
          ),
        ),
    )
    app.post(
      `${base}/orders/:orderId/amendments`,
      {
        config: manage,
        schema: {
          ...api('Amend an order (a new version; above the approved value it needs approval again)'),
          headers: IdempotencyKeyHeader,
          params: OrderParams,
          body: AmendmentBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          p.orders.amend(
            trx,
            request.org!.id,
            request.params.orderId,
            request.body,
            request.principal!.userId,
          ),
        ),
    )
    app.post(
      `${base}/orders/:orderId/cancellation`,
      {
        config: manage,
        schema: {
          ...api('Cancel an order with nothing received or invoiced (commitments released)'),
          headers: IdempotencyKeyHeader,
          params: OrderParams,
          body: ReasonBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          p.orders.cancel(
            trx,
            request.org!.id,
            request.params.orderId,
            request.principal!.userId,
            request.body.reason,
          ),
        ),
    )
    app.get(
      `${base}/orders/:orderId/pdf`,
      { config: read, schema: { ...api('The purchase order as PDF'), params: OrderParams } },
      async (request, reply) => {
        const org = request.org!
        const { order, parties } = await request.withTx(async (trx) => {
          const order = await p.orders.get(trx, org.id, request.params.orderId)
          return { order, parties: await orderParties(trx, org, order.supplierId, org.id) }
        })
        if (!order.orderNumber)
          throw new NotFoundError('The requisition has not been approved: there is no order document yet')
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${order.orderNumber}.pdf"`)
          .send(await orderPdf(order, parties))
      },
    )
    app.get(
      `${base}/orders/:orderId/ubl`,
      {
        config: read,
        schema: {
          ...api('The purchase order as UBL 2.1 Order XML (Peppol BIS Ordering 3)'),
          params: OrderParams,
        },
      },
      async (request, reply) => {
        const org = request.org!
        const { order, parties } = await request.withTx(async (trx) => {
          const order = await p.orders.get(trx, org.id, request.params.orderId)
          return { order, parties: await orderParties(trx, org, order.supplierId, org.id) }
        })
        if (!order.orderNumber)
          throw new NotFoundError('The requisition has not been approved: there is no order document yet')
        return reply
          .type('application/xml; charset=utf-8')
          .header('content-disposition', `attachment; filename="${order.orderNumber}.xml"`)
          .send(orderUbl(order, parties))
      },
    )
    app.get(
      `${base}/budget-position`,
      {
        config: read,
        schema: {
          ...api('Budget, commitments and actuals by account and cost centre'),
          params: OrgParams,
          querystring: FiscalYearQuery,
        },
      },
      async (request) => {
        const fiscalYear = request.query.fiscalYear ?? fiscalPeriodOf(todayIso()).fiscalYear
        return {
          fiscalYear,
          lines: await request.withTx((trx) => p.orders.budgetPosition(trx, request.org!.id, fiscalYear)),
        }
      },
    )

    // --- Receipts ----------------------------------------------------------------------------
    app.post(
      `${base}/orders/:orderId/receipts`,
      {
        config: manage,
        schema: {
          ...api('Receive goods or services against order lines (partial allowed, over-receipt refused)'),
          headers: IdempotencyKeyHeader,
          params: OrderParams,
          body: ReceiptBody,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await request.withTx((trx) =>
              p.matching.receive(
                trx,
                request.org!.id,
                request.params.orderId,
                request.body,
                request.principal!.userId,
              ),
            ),
          ),
    )
    app.get(
      `${base}/orders/:orderId/receipts`,
      { config: read, schema: { ...api('Receipts against an order'), params: OrderParams } },
      async (request) => ({
        items: await request.withTx((trx) =>
          p.matching.receipts(trx, request.org!.id, request.params.orderId),
        ),
      }),
    )

    // --- Invoices and matching ---------------------------------------------------------------
    app.post(
      `${base}/invoices`,
      {
        config: { permission: 'payables:capture', kind: 'api' },
        schema: {
          ...api('Capture a supplier invoice against an order (into payables, linked for matching)'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: OrderInvoiceBody,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await request.withTx((trx) =>
              p.matching.captureInvoice(trx, request.org!.id, request.body, request.principal!.userId),
            ),
          ),
    )
    app.post(
      `${base}/invoices/:invoiceId/link`,
      {
        config: { permission: 'payables:capture', kind: 'api' },
        schema: {
          ...api('Link an invoice captured in payables to its order'),
          headers: IdempotencyKeyHeader,
          params: InvoiceParams,
          body: LinkBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          p.matching.linkInvoice(
            trx,
            request.org!.id,
            request.params.invoiceId,
            request.body.orderId,
            request.body.lines,
          ),
        ),
    )
    app.post(
      `${base}/matching`,
      {
        config: { permission: 'payables:capture', kind: 'api' },
        schema: {
          ...api('Three-way match the unmatched invoices (or those named) in one batch'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: MatchBody,
        },
      },
      async (request) =>
        request.withTx((trx) => p.matching.match(trx, request.org!.id, request.body.invoiceIds)),
    )
    app.get(
      `${base}/invoices/:invoiceId/match`,
      {
        config: read,
        schema: {
          ...api('An invoice’s match status and the reason for each exception'),
          params: InvoiceParams,
        },
      },
      async (request) =>
        request.withTx((trx) => p.matching.matchStatus(trx, request.org!.id, request.params.invoiceId)),
    )
    app.post(
      `${base}/invoices/:invoiceId/release`,
      {
        config: { permission: 'payables:approve', kind: 'api' },
        schema: {
          ...api('Release a matched invoice into payables for payment (approved within your authority)'),
          headers: IdempotencyKeyHeader,
          params: InvoiceParams,
        },
      },
      async (request, reply) => {
        const result = await request.withTx((trx) =>
          p.matching.release(trx, request.org!.id, request.params.invoiceId, request.principal!.userId),
        )
        return reply.code(result.outcome === 'approved' ? 200 : 202).send(result)
      },
    )
    app.post(
      `${base}/exceptions/:invoiceId`,
      {
        config: { permission: 'payables:approve', kind: 'api' },
        schema: {
          ...api(
            'No PO, no pay: record an exception for an invoice, with the reason, so payables may approve it without a matched order',
          ),
          headers: IdempotencyKeyHeader,
          params: InvoiceParams,
          body: ExceptionBody,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await request.withTx((trx) =>
              p.matching.allowException(
                trx,
                request.org!.id,
                request.params.invoiceId,
                request.body.reason,
                request.principal!.userId,
              ),
            ),
          ),
    )
    app.get(
      `${base}/exceptions`,
      {
        config: read,
        schema: {
          ...api('No PO, no pay: invoices without an order or failing the match, with reasons'),
          params: OrgParams,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) => p.matching.exceptions(trx, request.org!.id)),
      }),
    )

    // --- Contracts and pipeline ----------------------------------------------------------------
    app.get(
      `${base}/contracts`,
      {
        config: read,
        schema: { ...api('The contracts register with spend to date and alerts'), params: OrgParams },
      },
      async (request) => ({
        items: await request.withTx((trx) => p.contracts.list(trx, request.org!.id)),
      }),
    )
    app.get(
      `${base}/contracts/:contractId`,
      { config: read, schema: { ...api('One contract'), params: ContractParams } },
      async (request) =>
        request.withTx((trx) => p.contracts.get(trx, request.org!.id, request.params.contractId)),
    )
    app.post(
      `${base}/contracts`,
      {
        config: manage,
        schema: {
          ...api('Add a contract (over £5m: its three most material KPIs)'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: ContractBody,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await request.withTx((trx) =>
              p.contracts.create(trx, request.org!.id, request.body, request.principal!.userId),
            ),
          ),
    )
    app.post(
      `${base}/contracts/:contractId/extension`,
      {
        config: manage,
        schema: { ...api('Use one extension option'), headers: IdempotencyKeyHeader, params: ContractParams },
      },
      async (request) =>
        request.withTx((trx) => p.contracts.extend(trx, request.org!.id, request.params.contractId)),
    )
    app.get(
      `${base}/pipeline`,
      {
        config: read,
        schema: {
          ...api('The commercial pipeline, with pipeline-notice and spend-control flags'),
          params: OrgParams,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) => p.pipeline.list(trx, request.org!.id)),
      }),
    )
    app.post(
      `${base}/pipeline`,
      {
        config: manage,
        schema: {
          ...api('Add a planned procurement (up to 18 months ahead)'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: PipelineBody,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await request.withTx((trx) =>
              p.pipeline.create(trx, request.org!.id, request.body, request.principal!.userId),
            ),
          ),
    )
    app.get(
      '/api/v1/procurement/clusters/:code/pipeline',
      {
        config: read,
        schema: {
          ...api('A cluster’s pipeline and go-to-market windows that overlap across its organisations'),
          params: ClusterParams,
        },
      },
      async (request) => {
        const result = await request.withTx(async (trx) => {
          const cluster = await trx
            .selectFrom('clusters')
            .select(['id', 'name'])
            .where('code', '=', request.params.code)
            .executeTakeFirst()
          if (!cluster) throw new NotFoundError('There is no such cluster')
          return { cluster: cluster.name, ...(await p.pipeline.clusterView(trx, cluster.id)) }
        })
        return {
          cluster: result.cluster,
          items: result.items,
          overlaps: result.overlaps.map((o) => ({
            a: o.a.id,
            b: o.b.id,
            organisations: [o.a.orgName, o.b.orgName],
            from: o.from,
            to: o.to,
            sameCategory: o.sameCategory,
          })),
        }
      },
    )

    // --- Publication and analytics ---------------------------------------------------------------
    app.get(
      `${base}/ocds/:stage`,
      {
        config: read,
        schema: { ...api('OCDS 1.1 release package (UK extension) for a stage'), params: StageParams },
      },
      async (request, reply) => {
        const org = request.org!
        const pkg = await request.withTx((trx) => p.ocds.releasePackage(trx, org, request.params.stage))
        return reply.type('application/json').send(pkg)
      },
    )
    app.get(
      `${base}/analytics`,
      {
        config: read,
        schema: {
          ...api('Spend analytics (JSON, or one table as CSV or XLSX)'),
          params: OrgParams,
          querystring: AnalyticsQuery,
        },
      },
      async (request, reply) => {
        const fiscalYear = request.query.fiscalYear ?? fiscalPeriodOf(todayIso()).fiscalYear
        const analytics = await request.withTx((trx) =>
          procurementAnalytics(trx, [request.org!.id], fiscalYear),
        )
        const format = request.query.format ?? 'json'
        if (format === 'json') return analytics
        const table = analyticsTable(analytics, request.query.table ?? 'summary')
        const name = `procurement-${request.query.table ?? 'summary'}-${fiscalYear}`
        if (format === 'csv')
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${name}.csv"`)
            .send(toCsv(table))
        return reply
          .type(XLSX_CONTENT_TYPE)
          .header('content-disposition', `attachment; filename="${name}.xlsx"`)
          .send(await toXlsx(table))
      },
    )
    app.get(
      '/api/v1/procurement/analytics',
      {
        config: read,
        schema: {
          ...api('Spend analytics across every organisation you may see, by organisation and cluster'),
          querystring: Type.Object(
            { fiscalYear: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2200 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const fiscalYear = request.query.fiscalYear ?? fiscalPeriodOf(todayIso()).fiscalYear
        return request.withTx(async (trx) => {
          const orgs = await trx.selectFrom('organisations').select('id').execute()
          return procurementAnalytics(
            trx,
            orgs.map((o) => o.id),
            fiscalYear,
          )
        })
      },
    )

    await procurementPages(app, p)
  }
}
