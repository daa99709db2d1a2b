// The payables pages: suppliers (list, add), invoices (list, capture, detail with approve and
// reject). GOV.UK patterns; every form works without JavaScript, posts its _csrf token, re-renders
// with the error summary and the values typed when it fails, and redirects when it succeeds.
import type { FastifyRequest } from 'fastify'
import { AppError, ValidationError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { formErrors } from '../../platform/http/views.ts'
import { parseMoney } from '../../platform/money.ts'
import { can } from '../../platform/tenancy.ts'
import { accountItems, openAccounts } from '../options.ts'
import type { InvoiceLineInput } from './invoices.ts'
import type { PayablesServices } from './routes.ts'
import { InvoiceParams, OrgParams } from './schema.ts'

/** Lines offered on the capture form (it works without JavaScript, so the rows are fixed). */
const FORM_LINES = 4

export const payablesPaths = {
  suppliers: (org: string) => `/orgs/${encodeURIComponent(org)}/finance/suppliers`,
  newSupplier: (org: string) => `/orgs/${encodeURIComponent(org)}/finance/suppliers/new`,
  invoices: (org: string) => `/orgs/${encodeURIComponent(org)}/finance/invoices`,
  newInvoice: (org: string) => `/orgs/${encodeURIComponent(org)}/finance/invoices/new`,
  invoice: (org: string, id: string) =>
    `/orgs/${encodeURIComponent(org)}/finance/invoices/${encodeURIComponent(id)}`,
  approve: (org: string, id: string) =>
    `/orgs/${encodeURIComponent(org)}/finance/invoices/${encodeURIComponent(id)}/approve`,
  reject: (org: string, id: string) =>
    `/orgs/${encodeURIComponent(org)}/finance/invoices/${encodeURIComponent(id)}/reject`,
}

const STATUS_TAGS: Record<string, string> = {
  received: 'govuk-tag--blue',
  approved: 'govuk-tag--green',
  scheduled: 'govuk-tag--turquoise',
  paid: 'govuk-tag--grey',
  rejected: 'govuk-tag--red',
}

function formText(request: FastifyRequest) {
  const body = (request.body ?? {}) as Record<string, unknown>
  return (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
}

export async function payablesPages(app: App, services: PayablesServices): Promise<void> {
  const { suppliers, invoices } = services
  const read = { permission: 'finance:read' as const, kind: 'page' as const }
  const capture = { permission: 'payables:capture' as const, kind: 'page' as const }
  const approve = { permission: 'payables:approve' as const, kind: 'page' as const }
  const crumbs = (orgCode: string, orgName: string) => [
    { text: 'Home', href: '/' },
    { text: `Finance – ${orgName}`, href: `/orgs/${encodeURIComponent(orgCode)}/finance` },
  ]

  // --- Suppliers --------------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/finance/suppliers',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const list = await request.withTx((trx) => suppliers.list(trx, org.id))
      return reply.page('finance/payables/views/suppliers.njk', {
        pageTitle: `Suppliers – ${org.name}`,
        org,
        suppliers: list,
        added: (request.query as Record<string, string>).added === '1',
        canCapture: can(request.principal!, 'payables:capture', org.id),
        breadcrumbs: crumbs(org.code, org.name),
        paths: payablesPaths,
      })
    },
  )

  const supplierForm = (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    return {
      pageTitle: `Add a supplier – ${org.name}`,
      org,
      values,
      errors,
      breadcrumbs: [
        ...crumbs(org.code, org.name),
        { text: 'Suppliers', href: payablesPaths.suppliers(org.code) },
      ],
      paths: payablesPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/finance/suppliers/new',
    { config: capture, schema: { hide: true, params: OrgParams } },
    async (request, reply) =>
      reply.page('finance/payables/views/new-supplier.njk', supplierForm(request, {})),
  )
  app.post(
    '/orgs/:orgCode/finance/suppliers/new',
    { config: capture, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = {
        name: text('name'),
        companyNumber: text('companyNumber'),
        vatNumber: text('vatNumber'),
        sortCode: text('sortCode'),
        accountNumber: text('accountNumber'),
        iban: text('iban'),
        sme: text('sme') === 'yes',
      }
      try {
        await request.withTx((trx) => suppliers.create(trx, org.id, values, request.principal!.userId))
        return reply.redirect(`${payablesPaths.suppliers(org.code)}?added=1`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.fieldErrors.length === 0) throw error
        reply.code(error.status)
        return reply.page(
          'finance/payables/views/new-supplier.njk',
          supplierForm(request, values, formErrors(error.fieldErrors)),
        )
      }
    },
  )

  // --- Invoices ---------------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/finance/invoices',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const list = await request.withTx((trx) => invoices.list(trx, org.id, {}, 200))
      return reply.page('finance/payables/views/invoices.njk', {
        pageTitle: `Supplier invoices – ${org.name}`,
        org,
        invoices: list.map((invoice) => ({ ...invoice, tag: STATUS_TAGS[invoice.status] })),
        canCapture: can(request.principal!, 'payables:capture', org.id),
        breadcrumbs: crumbs(org.code, org.name),
        paths: payablesPaths,
      })
    },
  )

  const invoiceForm = async (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const [supplierList, accounts] = await request.withTx(async (trx) => [
      await suppliers.list(trx, org.id),
      // Expenditure accounts only: an invoice line is a cost.
      await openAccounts(trx, org.id, '50000000'),
    ])
    const lines = (values.lines as Array<Record<string, string>> | undefined) ?? []
    return {
      pageTitle: `Capture a supplier invoice – ${org.name}`,
      org,
      values,
      errors,
      supplierItems: [
        { value: '', text: 'Choose a supplier' },
        ...supplierList.map((s) => ({ value: s.id, text: s.name, selected: s.id === values.supplierId })),
      ],
      rows: Array.from({ length: FORM_LINES }, (_, index) => {
        const line = lines[index] ?? {}
        return {
          index,
          description: line.description ?? '',
          net: line.net ?? '',
          vat: line.vat ?? '',
          accountItems: accountItems(accounts, line.account),
        }
      }),
      breadcrumbs: [
        ...crumbs(org.code, org.name),
        { text: 'Supplier invoices', href: payablesPaths.invoices(org.code) },
      ],
      paths: payablesPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/finance/invoices/new',
    { config: capture, schema: { hide: true, params: OrgParams } },
    async (request, reply) =>
      reply.page(
        'finance/payables/views/new-invoice.njk',
        await invoiceForm(request, { receiptDate: new Date().toISOString().slice(0, 10) }),
      ),
  )
  app.post(
    '/orgs/:orgCode/finance/invoices/new',
    { config: capture, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const lines = Array.from({ length: FORM_LINES }, (_, index) => ({
        description: text(`line-${index}-description`),
        account: text(`line-${index}-account`),
        net: text(`line-${index}-net`),
        vat: text(`line-${index}-vat`),
      }))
      const values = {
        supplierId: text('supplierId'),
        kind: text('kind') === 'credit-note' ? 'credit-note' : 'invoice',
        supplierReference: text('supplierReference'),
        issueDate: text('issueDate'),
        receiptDate: text('receiptDate'),
        dueDate: text('dueDate'),
        description: text('description'),
        novelOrContentious: text('novelOrContentious') === 'yes',
        lines,
      }
      const problems: Array<{ field: string; message: string }> = []
      if (!values.supplierId) problems.push({ field: '/supplierId', message: 'Choose the supplier' })
      const inputLines: InvoiceLineInput[] = []
      const used: number[] = []
      lines.forEach((line, index) => {
        if (!line.description && !line.account && !line.net && !line.vat) return
        used.push(index)
        const money = (value: string, name: 'net' | 'vat') => {
          try {
            return parseMoney(value || '0', { allowSeparators: true })
          } catch {
            problems.push({
              field: `/line-${index}-${name}`,
              message: `Line ${index + 1}: enter the ${name === 'net' ? 'net amount' : 'VAT'} in pounds and pence, like 1250.00`,
            })
            return 0
          }
        }
        inputLines.push({
          description: line.description,
          accountCode: line.account,
          netPence: money(line.net, 'net'),
          vatPence: money(line.vat, 'vat'),
        })
      })
      try {
        if (problems.length > 0) throw new ValidationError('The invoice has errors', problems)
        const invoice = await request.withTx((trx) =>
          invoices.capture(
            trx,
            org.id,
            {
              supplierId: values.supplierId,
              kind: values.kind as 'invoice' | 'credit-note',
              supplierReference: values.supplierReference,
              issueDate: values.issueDate,
              receiptDate: values.receiptDate || undefined,
              dueDate: values.dueDate || undefined,
              description: values.description || undefined,
              novelOrContentious: values.novelOrContentious,
              lines: inputLines,
            },
            request.principal!.userId,
          ),
        )
        return reply.redirect(`${payablesPaths.invoice(org.code, invoice.id)}?captured=1`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.fieldErrors.length === 0) throw error
        // Map the service's JSON pointers (/lines/n/field) onto the form's field ids.
        const names: Record<string, string> = {
          description: 'description',
          accountCode: 'account',
          netPence: 'net',
          vatPence: 'vat',
        }
        const fields = error.fieldErrors.map((problem) => {
          const line = /^\/lines\/(\d+)\/(\w+)$/.exec(problem.field)
          if (!line)
            return problem.field === '/lines'
              ? { field: '/line-0-description', message: problem.message }
              : problem
          const row = used[Number(line[1])] ?? 0
          return {
            field: `/line-${row}-${names[line[2]!] ?? 'description'}`,
            message: `Line ${row + 1}: ${problem.message}`,
          }
        })
        reply.code(error.status)
        return reply.page(
          'finance/payables/views/new-invoice.njk',
          await invoiceForm(request, values, formErrors(fields)),
        )
      }
    },
  )

  const invoicePage = async (
    request: FastifyRequest,
    invoiceId: string,
    extra: Record<string, unknown> = {},
  ) => {
    const org = request.org!
    const invoice = await request.withTx((trx) => invoices.get(trx, org.id, invoiceId))
    const query = request.query as Record<string, string>
    return {
      pageTitle: `Invoice ${invoice.supplierReference} from ${invoice.supplierName} – ${org.name}`,
      org,
      invoice: { ...invoice, tag: STATUS_TAGS[invoice.status] },
      captured: query.captured === '1',
      approved: query.approved === '1',
      escalated: query.escalated,
      canDecide:
        invoice.status === 'received' &&
        can(request.principal!, 'payables:approve', org.id) &&
        invoice.capturedBy !== request.principal!.userId,
      breadcrumbs: [
        ...crumbs(org.code, org.name),
        { text: 'Supplier invoices', href: payablesPaths.invoices(org.code) },
      ],
      paths: payablesPaths,
      ...extra,
    }
  }
  app.get(
    '/orgs/:orgCode/finance/invoices/:invoiceId',
    { config: read, schema: { hide: true, params: InvoiceParams } },
    async (request, reply) =>
      reply.page('finance/payables/views/invoice.njk', await invoicePage(request, request.params.invoiceId)),
  )
  app.post(
    '/orgs/:orgCode/finance/invoices/:invoiceId/approve',
    { config: approve, schema: { hide: true, params: InvoiceParams } },
    async (request, reply) => {
      const org = request.org!
      try {
        const result = await request.withTx((trx) =>
          invoices.approve(trx, org.id, request.params.invoiceId, request.principal!.userId),
        )
        const outcome = result.outcome === 'approved' ? 'approved=1' : `escalated=${result.requiredLevel}`
        return reply.redirect(`${payablesPaths.invoice(org.code, request.params.invoiceId)}?${outcome}`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error
        reply.code(error.status)
        return reply.page(
          'finance/payables/views/invoice.njk',
          await invoicePage(request, request.params.invoiceId, {
            errors: { summary: [{ text: error.message, href: '#decision' }], byField: {} },
          }),
        )
      }
    },
  )
  app.post(
    '/orgs/:orgCode/finance/invoices/:invoiceId/reject',
    { config: approve, schema: { hide: true, params: InvoiceParams } },
    async (request, reply) => {
      const org = request.org!
      const reason = formText(request)('reason')
      try {
        await request.withTx((trx) =>
          invoices.reject(trx, org.id, request.params.invoiceId, request.principal!.userId, reason),
        )
        return reply.redirect(payablesPaths.invoice(org.code, request.params.invoiceId), 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error
        reply.code(error.status)
        const fields = error.fieldErrors.length
          ? error.fieldErrors
          : [{ field: '/reason', message: error.message }]
        return reply.page(
          'finance/payables/views/invoice.njk',
          await invoicePage(request, request.params.invoiceId, { errors: formErrors(fields), reason }),
        )
      }
    },
  )
}
