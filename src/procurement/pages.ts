// The procurement pages: GOV.UK patterns, every journey without JavaScript. Forms post their _csrf
// token; a failed post re-renders with the error summary and the values typed; success redirects.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { fiscalPeriodOf, fiscalYearLabel } from '../finance/chart.ts'
import { todayIso } from '../finance/payables/invoices.ts'
import type { Permission } from '../platform/auth/permissions.ts'
import { AppError, NotFoundError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { formErrors } from '../platform/http/views.ts'
import { parseMoney } from '../platform/money.ts'
import { can } from '../platform/tenancy.ts'
import { procurementAnalytics } from './analytics.ts'
import type { ProcurementServices } from './routes.ts'
import { OrderParams, OrgParams } from './schema.ts'

const enc = encodeURIComponent
const root = (org: string) => `/orgs/${enc(org)}/procurement`
export const procurementPaths = {
  home: root,
  suppliers: (org: string) => `${root(org)}/suppliers`,
  newSupplier: (org: string) => `${root(org)}/suppliers/new`,
  orders: (org: string) => `${root(org)}/orders`,
  newRequisition: (org: string) => `${root(org)}/requisitions/new`,
  order: (org: string, id: string) => `${root(org)}/orders/${enc(id)}`,
  approve: (org: string, id: string) => `${root(org)}/orders/${enc(id)}/approve`,
  reject: (org: string, id: string) => `${root(org)}/orders/${enc(id)}/reject`,
  amend: (org: string, id: string) => `${root(org)}/orders/${enc(id)}/amend`,
  cancel: (org: string, id: string) => `${root(org)}/orders/${enc(id)}/cancel`,
  receive: (org: string, id: string) => `${root(org)}/orders/${enc(id)}/receive`,
  invoice: (org: string, id: string) => `${root(org)}/orders/${enc(id)}/invoice`,
  pdf: (org: string, id: string) => `/api/v1/orgs/${enc(org)}/procurement/orders/${enc(id)}/pdf`,
  ubl: (org: string, id: string) => `/api/v1/orgs/${enc(org)}/procurement/orders/${enc(id)}/ubl`,
  exceptions: (org: string) => `${root(org)}/invoices`,
  match: (org: string) => `${root(org)}/invoices/match`,
  release: (org: string) => `${root(org)}/invoices/release`,
  allowException: (org: string) => `${root(org)}/invoices/exception`,
  contracts: (org: string) => `${root(org)}/contracts`,
  newContract: (org: string) => `${root(org)}/contracts/new`,
  pipeline: (org: string) => `${root(org)}/pipeline`,
  newPipeline: (org: string) => `${root(org)}/pipeline/new`,
  clusterPipeline: (cluster: string) => `/procurement/clusters/${enc(cluster)}/pipeline`,
  budget: (org: string) => `${root(org)}/budget`,
  analytics: (org: string) => `${root(org)}/analytics`,
  publication: (org: string) => `${root(org)}/publication`,
  ocds: (org: string, stage: string) => `/api/v1/orgs/${enc(org)}/procurement/ocds/${stage}`,
}

const STATUS_TAGS: Record<string, string> = {
  'awaiting-approval': 'govuk-tag--blue',
  issued: 'govuk-tag--green',
  rejected: 'govuk-tag--red',
  cancelled: 'govuk-tag--grey',
  closed: 'govuk-tag--grey',
}

/** Lines offered on the requisition form (it works without JavaScript, so the rows are fixed). */
const FORM_LINES = 3

function formText(request: FastifyRequest) {
  const body = (request.body ?? {}) as Record<string, unknown>
  return (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
}

/** Pounds typed on a form → pence; undefined when blank, NaN when not money. */
function pence(text: string): number | undefined {
  if (!text) return undefined
  const parsed = parseMoney(text.replace(/^£/, '').replace(/,/g, ''))
  return typeof parsed === 'number' ? parsed : Number.NaN
}

export async function procurementPages(app: App, p: ProcurementServices): Promise<void> {
  const page = (permission: Permission) => ({ permission, kind: 'page' as const })
  const read = page('procurement:read')
  const crumbs = (org: { code: string; name: string }, ...more: Array<{ text: string; href: string }>) => [
    { text: 'Home', href: '/' },
    { text: `Procurement – ${org.name}`, href: procurementPaths.home(org.code) },
    ...more,
  ]
  const view = (name: string) => `procurement/views/${name}.njk`
  const common = (request: FastifyRequest) => ({ org: request.org!, paths: procurementPaths })

  /** Runs a form's action; on a user-facing error with fields, re-renders the form with them. */
  async function submit(
    _request: FastifyRequest,
    reply: FastifyReply,
    action: () => Promise<string>,
    rerender: (
      errors: ReturnType<typeof formErrors>,
      fields: Array<{ field: string; message: string }>,
    ) => Promise<{ template: string; context: Record<string, unknown> }>,
  ) {
    try {
      return reply.redirect(await action(), 303)
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      const fields = error.fieldErrors.length
        ? error.fieldErrors
        : [{ field: '/form', message: error.message }]
      reply.code(error.status)
      const { template, context } = await rerender(formErrors(fields), fields)
      return reply.page(template, context)
    }
  }

  app.get('/procurement', { config: read, schema: { hide: true } }, async (request, reply) => {
    const acting = request.tenant.actingOrgId
    const org = acting
      ? await request.withTx((trx) =>
          trx.selectFrom('organisations').select('code').where('id', '=', acting).executeTakeFirst(),
        )
      : undefined
    if (org && can(request.principal!, 'procurement:read', acting!))
      return reply.redirect(procurementPaths.home(org.code))
    return reply.page(view('choose'), { pageTitle: 'Procurement' })
  })

  app.get(
    '/orgs/:orgCode/procurement',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const [awaiting, exceptions, contracts, cluster] = await request.withTx(
        async (trx) =>
          [
            await p.orders.list(trx, org.id, { status: 'awaiting-approval' }, 500),
            await p.matching.exceptions(trx, org.id),
            await p.contracts.list(trx, org.id),
            await trx
              .selectFrom('organisations as o')
              .innerJoin('clusters as c', 'c.id', 'o.cluster_id')
              .select(['c.code', 'c.name'])
              .where('o.id', '=', org.id)
              .executeTakeFirst(),
          ] as const,
      )
      return reply.page(view('home'), {
        ...common(request),
        pageTitle: `Procurement – ${org.name}`,
        awaitingCount: awaiting.length,
        exceptionCount: exceptions.length,
        alertCount: contracts.filter((c) => c.alerts.length).length,
        cluster,
        canRequisition: can(request.principal!, 'procurement:requisition', org.id),
        breadcrumbs: [{ text: 'Home', href: '/' }],
      })
    },
  )

  // --- Suppliers ---------------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/procurement/suppliers',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const suppliers = await request.withTx((trx) => p.suppliers.list(trx, org.id))
      return reply.page(view('suppliers'), {
        ...common(request),
        pageTitle: `Suppliers – ${org.name}`,
        suppliers,
        added: (request.query as Record<string, string>).added === '1',
        canManage: can(request.principal!, 'procurement:manage', org.id),
        breadcrumbs: crumbs(org),
      })
    },
  )
  const supplierForm = async (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const duplicates =
      errors && values.name
        ? await request.withTx((trx) => p.suppliers.possibleDuplicates(trx, org.id, String(values.name)))
        : []
    return {
      template: view('new-supplier'),
      context: {
        ...common(request),
        pageTitle: `Add a supplier – ${org.name}`,
        values,
        errors,
        duplicates,
        breadcrumbs: crumbs(org, { text: 'Suppliers', href: procurementPaths.suppliers(org.code) }),
      },
    }
  }
  app.get(
    '/orgs/:orgCode/procurement/suppliers/new',
    { config: page('procurement:manage'), schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const { template, context } = await supplierForm(request, {})
      return reply.page(template, context)
    },
  )
  app.post(
    '/orgs/:orgCode/procurement/suppliers/new',
    { config: page('procurement:manage'), schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = {
        name: text('name'),
        companyNumber: text('companyNumber'),
        vatNumber: text('vatNumber'),
        cdpIdentifier: text('cdpIdentifier'),
        sortCode: text('sortCode'),
        accountNumber: text('accountNumber'),
        iban: text('iban'),
        sme: text('sme') === 'yes',
        vcse: text('vcse') === 'yes',
        confirmNotDuplicate: text('confirmNotDuplicate') === 'yes',
        contactName: text('contactName'),
        contactEmail: text('contactEmail'),
        contactPhone: text('contactPhone'),
      }
      return submit(
        request,
        reply,
        async () => {
          await request.withTx((trx) =>
            p.suppliers.create(
              trx,
              org.id,
              {
                ...values,
                contacts: values.contactName
                  ? [{ name: values.contactName, email: values.contactEmail, phone: values.contactPhone }]
                  : [],
              },
              request.principal!.userId,
            ),
          )
          return `${procurementPaths.suppliers(org.code)}?added=1`
        },
        (errors) => supplierForm(request, values, errors),
      )
    },
  )

  // --- Requisitions and orders ---------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/procurement/orders',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const status = (request.query as Record<string, string>).status
      const valid = ['awaiting-approval', 'issued', 'rejected', 'cancelled', 'closed'].includes(status ?? '')
        ? (status as 'issued')
        : undefined
      const orders = await request.withTx((trx) => p.orders.list(trx, org.id, { status: valid }, 200))
      return reply.page(view('orders'), {
        ...common(request),
        pageTitle: `Requisitions and orders – ${org.name}`,
        orders: orders.map((o) => ({ ...o, tag: STATUS_TAGS[o.status] })),
        status: valid,
        canRequisition: can(request.principal!, 'procurement:requisition', org.id),
        breadcrumbs: crumbs(org),
      })
    },
  )

  const requisitionForm = async (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const [suppliers, accounts, costCentres, catalogue] = await request.withTx(
      async (trx) =>
        [
          await trx
            .selectFrom('suppliers')
            .select(['id', 'name'])
            .where('org_id', '=', org.id)
            .orderBy('name')
            .execute(),
          await trx
            .selectFrom('accounts')
            .select(['code', 'name'])
            .where('org_id', '=', org.id)
            .where('active', '=', true)
            .where('code', 'like', '5%')
            .orderBy('code')
            .execute(),
          await trx
            .selectFrom('cost_centres')
            .select(['code', 'name'])
            .where('org_id', '=', org.id)
            .where('active', '=', true)
            .orderBy('code')
            .execute(),
          await trx
            .selectFrom('catalogue_items')
            .select(['id', 'code', 'description', 'unit_price_pence'])
            .where('org_id', '=', org.id)
            .orderBy('code')
            .execute(),
        ] as const,
    )
    return {
      template: view('new-requisition'),
      context: {
        ...common(request),
        pageTitle: `Raise a requisition – ${org.name}`,
        values,
        errors,
        lineNumbers: Array.from({ length: FORM_LINES }, (_, i) => i),
        supplierItems: [
          { value: '', text: 'Choose a supplier' },
          ...suppliers.map((s) => ({ value: s.id, text: s.name, selected: values.supplierId === s.id })),
        ],
        accountItems: (selected: unknown) => [
          { value: '', text: 'Choose an account' },
          ...accounts.map((a) => ({
            value: a.code,
            text: `${a.code} ${a.name}`,
            selected: selected === a.code,
          })),
        ],
        costCentreItems: (selected: unknown) => [
          { value: '', text: 'Choose a cost centre' },
          ...costCentres.map((c) => ({
            value: c.code,
            text: `${c.code} ${c.name}`,
            selected: selected === c.code,
          })),
        ],
        catalogueItems: (selected: unknown) => [
          { value: '', text: 'Free text (describe below)' },
          ...catalogue.map((c) => ({
            value: c.id,
            text: `${c.code} ${c.description}`,
            selected: selected === c.id,
          })),
        ],
        breadcrumbs: crumbs(org, {
          text: 'Requisitions and orders',
          href: procurementPaths.orders(org.code),
        }),
      },
    }
  }
  app.get(
    '/orgs/:orgCode/procurement/requisitions/new',
    { config: page('procurement:requisition'), schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const { template, context } = await requisitionForm(request, { lines: [{ costCentreCode: 'CORP' }] })
      return reply.page(template, context)
    },
  )
  app.post(
    '/orgs/:orgCode/procurement/requisitions/new',
    { config: page('procurement:requisition'), schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const lines = Array.from({ length: FORM_LINES }, (_, i) => ({
        catalogueItemId: text(`lines[${i}][catalogueItemId]`),
        description: text(`lines[${i}][description]`),
        cpvCode: text(`lines[${i}][cpvCode]`),
        accountCode: text(`lines[${i}][accountCode]`),
        costCentreCode: text(`lines[${i}][costCentreCode]`),
        quantity: text(`lines[${i}][quantity]`),
        unitPrice: text(`lines[${i}][unitPrice]`),
      }))
      const values = {
        title: text('title'),
        supplierId: text('supplierId'),
        neededBy: text('neededBy'),
        lines,
      }
      const used = lines
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => line.catalogueItemId || line.description || line.quantity || line.unitPrice)
      return submit(
        request,
        reply,
        async () => {
          const order = await request.withTx((trx) =>
            p.orders.requisition(
              trx,
              org.id,
              {
                title: values.title,
                supplierId: values.supplierId,
                neededBy: values.neededBy || undefined,
                lines: used.map(({ line }) => ({
                  catalogueItemId: line.catalogueItemId || undefined,
                  description: line.description || undefined,
                  cpvCode: line.cpvCode || undefined,
                  accountCode: line.accountCode || undefined,
                  costCentreCode: line.costCentreCode,
                  quantity: line.quantity,
                  unitPricePence: pence(line.unitPrice),
                })),
              },
              request.principal!.userId,
            ),
          )
          return `${procurementPaths.order(org.code, order.id)}?raised=1`
        },
        async (errors, fields) => {
          // Errors on the lines name them by position among the rows used: map back to form rows.
          const lineErrors: Record<string, string> = {}
          const summary = fields.map((error) => {
            const match = /^\/lines\/(\d+)\/(\w+)$/.exec(error.field)
            if (!match)
              return {
                text: error.message,
                href: `#${error.field.replace(/^\//, '').split('/')[0] || 'title'}`,
              }
            const row = used[Number(match[1])]?.index ?? 0
            const field = match[2] === 'unitPricePence' ? 'unitPrice' : match[2]!
            lineErrors[`${row}-${field}`] ??= error.message
            return { text: error.message, href: `#lines-${row}-${field}` }
          })
          return requisitionForm(request, { ...values, lineErrors }, { summary, byField: errors.byField })
        },
      )
    },
  )

  app.get(
    '/orgs/:orgCode/procurement/orders/:orderId',
    { config: read, schema: { hide: true, params: OrderParams } },
    async (request, reply) => {
      const query = request.query as Record<string, string>
      return reply.page(view('order'), await orderContext(request, query))
    },
  )

  async function orderContext(
    request: FastifyRequest,
    flags: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) {
    const org = request.org!
    const { orderId } = request.params as { orderId: string }
    const [order, receipts, invoices] = await request.withTx(
      async (trx) =>
        [
          await p.orders.get(trx, org.id, orderId),
          await p.matching.receipts(trx, org.id, orderId),
          await p.matching.invoicesForOrder(trx, org.id, orderId),
        ] as const,
    )
    const principal = request.principal!
    return {
      ...common(request),
      pageTitle: `${order.orderNumber ?? order.requisitionNumber} – ${org.name}`,
      order: { ...order, tag: STATUS_TAGS[order.status] },
      receipts,
      invoices,
      flags,
      errors,
      canApprove:
        order.status === 'awaiting-approval' &&
        can(principal, 'procurement:approve', org.id) &&
        principal.userId !== order.requestedBy,
      canManage:
        can(principal, 'procurement:manage', org.id) &&
        ['issued', 'awaiting-approval'].includes(order.status),
      canReceive: order.status === 'issued' && can(principal, 'procurement:manage', org.id),
      canInvoice: !!order.orderNumber && can(principal, 'payables:capture', org.id),
      breadcrumbs: crumbs(org, { text: 'Requisitions and orders', href: procurementPaths.orders(org.code) }),
    }
  }

  const orderAction = (
    path: string,
    permission: Permission,
    action: (
      request: FastifyRequest,
      orgId: string,
      orderId: string,
      text: (name: string) => string,
    ) => Promise<string | undefined>,
    fieldIds: Record<string, string> = {},
  ) =>
    app.post(
      path,
      { config: page(permission), schema: { hide: true, params: OrderParams } },
      async (request, reply) => {
        const org = request.org!
        const { orderId } = request.params as { orderId: string }
        const text = formText(request)
        return submit(
          request,
          reply,
          async () => {
            const flag = await action(request, org.id, orderId, text)
            return `${procurementPaths.order(org.code, orderId)}${flag ? `?${flag}` : ''}`
          },
          async (_errors, fields) => ({
            template: view('order'),
            context: await orderContext(
              request,
              {
                typed: Object.fromEntries(
                  Object.keys((request.body ?? {}) as object).map((k) => [k, text(k)]),
                ),
              },
              formErrors(fields, fieldIds),
            ),
          }),
        )
      },
    )

  orderAction(
    '/orgs/:orgCode/procurement/orders/:orderId/approve',
    'procurement:approve',
    async (request, orgId, orderId) => {
      const result = await request.withTx((trx) =>
        p.orders.approve(trx, orgId, orderId, request.principal!.userId),
      )
      return result.outcome === 'approved' ? 'approved=1' : `escalated=${result.requiredLevel}`
    },
  )
  orderAction(
    '/orgs/:orgCode/procurement/orders/:orderId/reject',
    'procurement:approve',
    async (request, orgId, orderId, text) => {
      await request.withTx((trx) =>
        p.orders.reject(trx, orgId, orderId, request.principal!.userId, text('reason')),
      )
      return 'rejected=1'
    },
  )
  orderAction(
    '/orgs/:orgCode/procurement/orders/:orderId/cancel',
    'procurement:manage',
    async (request, orgId, orderId, text) => {
      await request.withTx((trx) =>
        p.orders.cancel(trx, orgId, orderId, request.principal!.userId, text('cancelReason')),
      )
      return 'cancelled=1'
    },
    { reason: 'cancelReason' },
  )
  orderAction(
    '/orgs/:orgCode/procurement/orders/:orderId/amend',
    'procurement:manage',
    async (request, orgId, orderId, text) => {
      const order = await request.withTx((trx) => p.orders.get(trx, orgId, orderId))
      const lines = order.lines
        .map((line) => ({
          lineNo: line.lineNo,
          quantity: text(`quantity-${line.lineNo}`),
          price: text(`price-${line.lineNo}`),
        }))
        .filter((line) => line.quantity || line.price)
        .map((line) => ({
          lineNo: line.lineNo,
          quantity: line.quantity || undefined,
          unitPricePence: pence(line.price),
        }))
      const amended = await request.withTx((trx) =>
        p.orders.amend(
          trx,
          orgId,
          orderId,
          { reason: text('amendReason'), lines },
          request.principal!.userId,
        ),
      )
      return amended.status === 'awaiting-approval' ? 'amended=approval' : 'amended=1'
    },
    { reason: 'amendReason', lines: 'quantity-1' },
  )
  orderAction(
    '/orgs/:orgCode/procurement/orders/:orderId/receive',
    'procurement:manage',
    async (request, orgId, orderId, text) => {
      const order = await request.withTx((trx) => p.orders.get(trx, orgId, orderId))
      const lines = order.lines
        .map((line) => ({ lineNo: line.lineNo, quantity: text(`receive-${line.lineNo}`) }))
        .filter((line) => line.quantity)
      await request.withTx((trx) =>
        p.matching.receive(
          trx,
          orgId,
          orderId,
          {
            kind: text('kind') === 'services' ? 'services' : 'goods',
            receivedOn: text('receivedOn') || undefined,
            lines,
          },
          request.principal!.userId,
        ),
      )
      return 'received=1'
    },
    { lines: 'receive-1' },
  )
  orderAction(
    '/orgs/:orgCode/procurement/orders/:orderId/invoice',
    'payables:capture',
    async (request, orgId, orderId, text) => {
      const order = await request.withTx((trx) => p.orders.get(trx, orgId, orderId))
      const lines = order.lines
        .map((line) => ({
          orderLineNo: line.lineNo,
          quantity: text(`invoiceQuantity-${line.lineNo}`),
          price: text(`invoicePrice-${line.lineNo}`),
        }))
        .filter((line) => line.quantity)
        .map((line) => ({
          orderLineNo: line.orderLineNo,
          quantity: line.quantity,
          unitPricePence: pence(line.price) ?? order.lines[line.orderLineNo - 1]!.unitPricePence,
        }))
      await request.withTx(async (trx) => {
        const invoice = await p.matching.captureInvoice(
          trx,
          orgId,
          { orderId, supplierReference: text('supplierReference'), issueDate: text('issueDate'), lines },
          request.principal!.userId,
        )
        await p.matching.match(trx, orgId, [invoice.id])
      })
      return 'invoiced=1'
    },
    { lines: 'invoiceQuantity-1' },
  )

  // --- Invoices: matching, exceptions, release -------------------------------------------------
  const invoicesContext = async (
    request: FastifyRequest,
    flags: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const [exceptions, matched, settings] = await request.withTx(
      async (trx) =>
        [
          await p.matching.exceptions(trx, org.id),
          await p.matching.matched(trx, org.id),
          await p.matching.settings(trx, org.id),
        ] as const,
    )
    return {
      ...common(request),
      pageTitle: `Invoice matching – ${org.name}`,
      exceptions,
      matched,
      noPoPolicy: settings.noPoPolicy,
      flags,
      errors,
      canMatch: can(request.principal!, 'payables:capture', org.id),
      canRelease: can(request.principal!, 'payables:approve', org.id),
      breadcrumbs: crumbs(org),
    }
  }
  app.get(
    '/orgs/:orgCode/procurement/invoices',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) =>
      reply.page(view('invoices'), await invoicesContext(request, request.query as Record<string, string>)),
  )
  app.post(
    '/orgs/:orgCode/procurement/invoices/match',
    { config: page('payables:capture'), schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const result = await request.withTx((trx) => p.matching.match(trx, org.id))
      return reply.redirect(
        `${procurementPaths.exceptions(org.code)}?matched=${result.matched}&failed=${result.exceptions}`,
        303,
      )
    },
  )
  app.post(
    '/orgs/:orgCode/procurement/invoices/release',
    { config: page('payables:approve'), schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const invoiceId = formText(request)('invoiceId')
      return submit(
        request,
        reply,
        async () => {
          if (!/^[0-9a-f-]{36}$/.test(invoiceId)) throw new NotFoundError('There is no such invoice')
          const result = await request.withTx((trx) =>
            p.matching.release(trx, org.id, invoiceId, request.principal!.userId),
          )
          return `${procurementPaths.exceptions(org.code)}?${result.outcome === 'approved' ? 'released=1' : `escalated=${result.requiredLevel}`}`
        },
        async (errors) => ({
          template: view('invoices'),
          context: await invoicesContext(request, {}, errors),
        }),
      )
    },
  )

  app.post(
    '/orgs/:orgCode/procurement/invoices/exception',
    { config: page('payables:approve'), schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const field = formText(request)
      const invoiceId = field('invoiceId')
      return submit(
        request,
        reply,
        async () => {
          if (!/^[0-9a-f-]{36}$/.test(invoiceId)) throw new NotFoundError('There is no such invoice')
          await request.withTx((trx) =>
            p.matching.allowException(trx, org.id, invoiceId, field('reason'), request.principal!.userId),
          )
          return `${procurementPaths.exceptions(org.code)}?excepted=1`
        },
        async (errors) => ({
          template: view('invoices'),
          context: await invoicesContext(request, { exceptionFor: invoiceId }, errors),
        }),
      )
    },
  )

  // --- Contracts ---------------------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/procurement/contracts',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const contracts = await request.withTx((trx) => p.contracts.list(trx, org.id))
      return reply.page(view('contracts'), {
        ...common(request),
        pageTitle: `Contracts register – ${org.name}`,
        contracts: contracts.map((contract) => ({
          ...contract,
          alerts: contract.alerts.map((alert) => ({
            ...alert,
            tag:
              alert.kind === 'expired' || alert.months === 6
                ? 'govuk-tag--red'
                : alert.kind === 'spend' || alert.months === 12
                  ? 'govuk-tag--orange'
                  : 'govuk-tag--yellow',
          })),
        })),
        added: (request.query as Record<string, string>).added === '1',
        canManage: can(request.principal!, 'procurement:manage', org.id),
        breadcrumbs: crumbs(org),
      })
    },
  )
  const contractForm = async (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const suppliers = await request.withTx((trx) =>
      trx
        .selectFrom('suppliers')
        .select(['id', 'name'])
        .where('org_id', '=', org.id)
        .orderBy('name')
        .execute(),
    )
    return {
      template: view('new-contract'),
      context: {
        ...common(request),
        pageTitle: `Add a contract – ${org.name}`,
        values,
        errors,
        supplierItems: [
          { value: '', text: 'Choose a supplier' },
          ...suppliers.map((s) => ({ value: s.id, text: s.name, selected: values.supplierId === s.id })),
        ],
        breadcrumbs: crumbs(org, { text: 'Contracts register', href: procurementPaths.contracts(org.code) }),
      },
    }
  }
  app.get(
    '/orgs/:orgCode/procurement/contracts/new',
    { config: page('procurement:manage'), schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const { template, context } = await contractForm(request, {})
      return reply.page(template, context)
    },
  )
  app.post(
    '/orgs/:orgCode/procurement/contracts/new',
    { config: page('procurement:manage'), schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = {
        reference: text('reference'),
        title: text('title'),
        supplierId: text('supplierId'),
        cpvCode: text('cpvCode'),
        value: text('value'),
        startDate: text('startDate'),
        endDate: text('endDate'),
        extensionOptionsTotal: text('extensionOptionsTotal'),
        extensionMonths: text('extensionMonths'),
        ownerName: text('ownerName'),
        kpis: [0, 1, 2].map((i) => ({ name: text(`kpi${i}Name`), target: text(`kpi${i}Target`) })),
      }
      return submit(
        request,
        reply,
        async () => {
          await request.withTx((trx) =>
            p.contracts.create(
              trx,
              org.id,
              {
                ...values,
                valuePence: pence(values.value) ?? 0,
                extensionOptionsTotal: values.extensionOptionsTotal
                  ? Number(values.extensionOptionsTotal)
                  : 0,
                extensionMonths: values.extensionMonths ? Number(values.extensionMonths) : 0,
              },
              request.principal!.userId,
            ),
          )
          return `${procurementPaths.contracts(org.code)}?added=1`
        },
        (errors) =>
          contractForm(request, values, {
            ...errors,
            byField: { ...errors.byField, value: (errors.byField.valuePence ?? errors.byField.value)! },
          }),
      )
    },
  )

  // --- Pipeline ----------------------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/procurement/pipeline',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const [items, cluster] = await request.withTx(
        async (trx) =>
          [
            await p.pipeline.list(trx, org.id),
            await trx
              .selectFrom('organisations as o')
              .innerJoin('clusters as c', 'c.id', 'o.cluster_id')
              .select(['c.code', 'c.name'])
              .where('o.id', '=', org.id)
              .executeTakeFirst(),
          ] as const,
      )
      return reply.page(view('pipeline'), {
        ...common(request),
        pageTitle: `Commercial pipeline – ${org.name}`,
        items,
        cluster,
        added: (request.query as Record<string, string>).added === '1',
        canManage: can(request.principal!, 'procurement:manage', org.id),
        breadcrumbs: crumbs(org),
      })
    },
  )
  const pipelineForm = (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    return {
      template: view('new-pipeline'),
      context: {
        ...common(request),
        pageTitle: `Add a planned procurement – ${org.name}`,
        values,
        errors,
        breadcrumbs: crumbs(org, { text: 'Commercial pipeline', href: procurementPaths.pipeline(org.code) }),
      },
    }
  }
  app.get(
    '/orgs/:orgCode/procurement/pipeline/new',
    { config: page('procurement:manage'), schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const { template, context } = pipelineForm(request, {})
      return reply.page(template, context)
    },
  )
  app.post(
    '/orgs/:orgCode/procurement/pipeline/new',
    { config: page('procurement:manage'), schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = {
        reference: text('reference'),
        title: text('title'),
        cpvCode: text('cpvCode'),
        value: text('value'),
        goToMarketDate: text('goToMarketDate'),
        awardDate: text('awardDate'),
      }
      return submit(
        request,
        reply,
        async () => {
          await request.withTx((trx) =>
            p.pipeline.create(
              trx,
              org.id,
              {
                ...values,
                estimatedValuePence: pence(values.value) ?? 0,
                awardDate: values.awardDate || undefined,
              },
              request.principal!.userId,
            ),
          )
          return `${procurementPaths.pipeline(org.code)}?added=1`
        },
        async (errors) =>
          pipelineForm(request, values, {
            ...errors,
            byField: {
              ...errors.byField,
              value: (errors.byField.estimatedValuePence ?? errors.byField.value)!,
            },
          }),
      )
    },
  )
  app.get(
    '/procurement/clusters/:code/pipeline',
    { config: read, schema: { hide: true } },
    async (request, reply) => {
      const { code } = request.params as { code: string }
      const result = await request.withTx(async (trx) => {
        const cluster = await trx
          .selectFrom('clusters')
          .select(['id', 'name', 'code'])
          .where('code', '=', code)
          .executeTakeFirst()
        if (!cluster) throw new NotFoundError('There is no such cluster')
        return { cluster, ...(await p.pipeline.clusterView(trx, cluster.id)) }
      })
      return reply.page(view('cluster-pipeline'), {
        pageTitle: `Pipeline across ${result.cluster.name}`,
        paths: procurementPaths,
        ...result,
        breadcrumbs: [{ text: 'Home', href: '/' }],
      })
    },
  )

  // --- Budget, analytics, publication ----------------------------------------------------------
  const yearOf = (request: FastifyRequest) => {
    const query = request.query as Record<string, string | undefined>
    return /^\d{4}$/.test(query.fiscalYear ?? '')
      ? Number(query.fiscalYear)
      : fiscalPeriodOf(todayIso()).fiscalYear
  }
  app.get(
    '/orgs/:orgCode/procurement/budget',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const fiscalYear = yearOf(request)
      const lines = await request.withTx((trx) => p.orders.budgetPosition(trx, org.id, fiscalYear))
      return reply.page(view('budget'), {
        ...common(request),
        pageTitle: `Budget and commitments – ${org.name}`,
        lines,
        fiscalYearLabel: fiscalYearLabel(fiscalYear),
        breadcrumbs: crumbs(org),
      })
    },
  )
  app.get(
    '/orgs/:orgCode/procurement/analytics',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const fiscalYear = yearOf(request)
      const analytics = await request.withTx((trx) => procurementAnalytics(trx, [org.id], fiscalYear))
      return reply.page(view('analytics'), {
        ...common(request),
        pageTitle: `Procurement analytics – ${org.name}`,
        analytics,
        fiscalYear,
        fiscalYearLabel: fiscalYearLabel(fiscalYear),
        tables: ['summary', 'category', 'supplier', 'buyer'],
        breadcrumbs: crumbs(org),
      })
    },
  )
  app.get(
    '/orgs/:orgCode/procurement/publication',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const settings = await request.withTx((trx) => p.matching.settings(trx, org.id))
      return reply.page(view('publication'), {
        ...common(request),
        pageTitle: `Publication – ${org.name}`,
        settings,
        stages: ['planning', 'tender', 'award', 'contract'],
        breadcrumbs: crumbs(org),
      })
    },
  )
}
