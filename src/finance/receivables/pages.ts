// The receivables pages: invoicing details, customers (list, add, statement), sales invoices (list,
// raise, detail with UBL and PDF downloads, credit note), receipts (list, record, allocate) and
// aged debtors (page, CSV, Excel). GOV.UK patterns; every form works without JavaScript, posts its
// _csrf token, re-renders with the error summary and the values typed when it fails, and redirects
// when it succeeds.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type FieldError, ValidationError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { formErrors } from '../../platform/http/views.ts'
import { formatGbp, parseMoney } from '../../platform/money.ts'
import { can } from '../../platform/tenancy.ts'
import { accountItems, openAccounts } from '../options.ts'
import { AGE_BUCKETS, agedDebtors, agedDebtorsTable, customerStatement } from './aged.ts'
import { addDays, isRealDate, todayIso } from './common.ts'
import { checkCustomerInput } from './customers.ts'
import type { SalesLineInput } from './invoices.ts'
import type { ReceivablesServices } from './routes.ts'
import { documentParts, sendPdf, sendTable, sendUbl } from './routes.ts'
import { CustomerParams, OrgParams, ReceiptParams, SalesInvoiceParams } from './schema.ts'
import { VAT_RATE_NAMES, VAT_RATES, type VatRateName } from './vat.ts'

/**
 * A failed form post re-renders with 400 whatever the rule broken (the API says 422 for business
 * rules): to the person it is one thing, a form to correct, and browsers log 422 as an error.
 */
const FORM_ERROR_STATUS = 400

/** Lines offered on the invoice form (it works without JavaScript, so the rows are fixed). */
const FORM_LINES = 4

const base = (org: string) => `/orgs/${encodeURIComponent(org)}/finance/receivables`
export const receivablesPaths = {
  index: base,
  settings: (org: string) => `${base(org)}/settings`,
  customers: (org: string) => `${base(org)}/customers`,
  newCustomer: (org: string) => `${base(org)}/customers/new`,
  customer: (org: string, id: string) => `${base(org)}/customers/${encodeURIComponent(id)}`,
  invoices: (org: string) => `${base(org)}/invoices`,
  newInvoice: (org: string) => `${base(org)}/invoices/new`,
  invoice: (org: string, id: string) => `${base(org)}/invoices/${encodeURIComponent(id)}`,
  ubl: (org: string, id: string) => `${base(org)}/invoices/${encodeURIComponent(id)}/ubl`,
  pdf: (org: string, id: string) => `${base(org)}/invoices/${encodeURIComponent(id)}/pdf`,
  creditNote: (org: string, id: string) => `${base(org)}/invoices/${encodeURIComponent(id)}/credit-note`,
  receipts: (org: string) => `${base(org)}/receipts`,
  newReceipt: (org: string) => `${base(org)}/receipts/new`,
  receipt: (org: string, id: string) => `${base(org)}/receipts/${encodeURIComponent(id)}`,
  allocate: (org: string, id: string) => `${base(org)}/receipts/${encodeURIComponent(id)}/allocate`,
  agedDebtors: (org: string) => `${base(org)}/aged-debtors`,
}

export const STATUS_TAGS: Record<string, { text: string; classes: string }> = {
  open: { text: 'Open', classes: 'govuk-tag--blue' },
  overdue: { text: 'Overdue', classes: 'govuk-tag--red' },
  'part-paid': { text: 'Part paid', classes: 'govuk-tag--yellow' },
  paid: { text: 'Paid', classes: 'govuk-tag--green' },
  credited: { text: 'Credited', classes: 'govuk-tag--grey' },
  'credit-note': { text: 'Credit note', classes: 'govuk-tag--grey' },
}

const VAT_LABELS = Object.fromEntries(VAT_RATE_NAMES.map((name) => [name, VAT_RATES[name].label]))

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

const govukDate = (iso: string) =>
  new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  })

function formText(request: FastifyRequest) {
  const body = (request.body ?? {}) as Record<string, unknown>
  return (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
}

/** Pounds typed on a form to pence; pushes a problem (and returns undefined) when it is not money. */
function pence(text: string, field: string, what: string, problems: FieldError[]): number | undefined {
  try {
    return parseMoney(text, { allowSeparators: true })
  } catch {
    problems.push({ field, message: `Enter ${what} in pounds and pence, like 1250.00` })
    return undefined
  }
}

/** A failed form post: re-render with the error summary, or rethrow what is not the user's to fix. */
function fieldProblems(error: unknown, fallbackField: string): FieldError[] {
  if (!(error instanceof AppError) || error.status === 404 || error.status === 403) throw error
  return error.fieldErrors.length ? error.fieldErrors : [{ field: fallbackField, message: error.message }]
}

export async function receivablesPages(app: App, services: ReceivablesServices): Promise<void> {
  const { settings, customers, invoices, receipts } = services
  const read = { permission: 'finance:read' as const, kind: 'page' as const }
  const manage = { permission: 'receivables:manage' as const, kind: 'page' as const }
  const crumbs = (request: FastifyRequest, ...more: Array<{ text: string; href: string }>) => {
    const org = request.org!
    return [
      { text: 'Home', href: '/' },
      { text: `Finance – ${org.name}`, href: `/orgs/${encodeURIComponent(org.code)}/finance` },
      ...more,
    ]
  }
  const receivablesCrumb = (request: FastifyRequest) => ({
    text: 'Receivables',
    href: receivablesPaths.index(request.org!.code),
  })
  const common = (request: FastifyRequest) => ({
    org: request.org!,
    paths: receivablesPaths,
    canManage: can(request.principal!, 'receivables:manage', request.org!.id),
    statusTags: STATUS_TAGS,
  })
  const render = (reply: FastifyReply, view: string, context: Record<string, unknown>) =>
    reply.page(`finance/receivables/views/${view}.njk`, context)

  // --- Landing page -----------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/finance/receivables',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const [report, seller] = await request.withTx(async (trx) => [
        await agedDebtors(trx, org.id, todayIso()),
        await settings.find(trx, org.id),
      ])
      return render(reply, 'index', {
        ...common(request),
        pageTitle: `Receivables – ${org.name}`,
        totals: report.totals,
        debtors: report.rows.length,
        hasSettings: seller !== undefined,
        breadcrumbs: crumbs(request),
      })
    },
  )

  // --- Invoicing details ------------------------------------------------------------------
  const settingsFields = [
    'legalName',
    'addressLine1',
    'addressLine2',
    'city',
    'postcode',
    'vatNumber',
    'companyNumber',
    'peppolEndpoint',
    'contactEmail',
    'bankAccountName',
    'sortCode',
    'accountNumber',
    'iban',
    'invoicePrefix',
    'creditNotePrefix',
  ] as const
  app.get(
    '/orgs/:orgCode/finance/receivables/settings',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const current = await request.withTx((trx) => settings.find(trx, org.id))
      return render(reply, 'settings', {
        ...common(request),
        pageTitle: `Invoicing details – ${org.name}`,
        values: current ?? { legalName: org.name, invoicePrefix: 'INV', creditNotePrefix: 'CRN' },
        saved: (request.query as Record<string, string>).saved === '1',
        breadcrumbs: crumbs(request, receivablesCrumb(request)),
      })
    },
  )
  app.post(
    '/orgs/:orgCode/finance/receivables/settings',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = Object.fromEntries(settingsFields.map((name) => [name, text(name)])) as Record<
        (typeof settingsFields)[number],
        string
      >
      try {
        await request.withTx((trx) => settings.set(trx, org.id, values))
        return reply.redirect(`${receivablesPaths.settings(org.code)}?saved=1`, 303)
      } catch (error) {
        const problems = fieldProblems(error, '/legalName')
        reply.code(FORM_ERROR_STATUS)
        return render(reply, 'settings', {
          ...common(request),
          pageTitle: `Invoicing details – ${org.name}`,
          values,
          errors: formErrors(problems),
          breadcrumbs: crumbs(request, receivablesCrumb(request)),
        })
      }
    },
  )

  // --- Customers --------------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/finance/receivables/customers',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const list = await request.withTx((trx) => customers.list(trx, org.id))
      return render(reply, 'customers', {
        ...common(request),
        pageTitle: `Customers – ${org.name}`,
        customers: list,
        added: (request.query as Record<string, string>).added === '1',
        breadcrumbs: crumbs(request, receivablesCrumb(request)),
      })
    },
  )
  const customerForm = (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => ({
    ...common(request),
    pageTitle: `Add a customer – ${request.org!.name}`,
    values,
    errors,
    breadcrumbs: crumbs(request, receivablesCrumb(request), {
      text: 'Customers',
      href: receivablesPaths.customers(request.org!.code),
    }),
  })
  app.get(
    '/orgs/:orgCode/finance/receivables/customers/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) =>
      render(reply, 'new-customer', customerForm(request, { countryCode: 'GB', paymentTermsDays: '30' })),
  )
  app.post(
    '/orgs/:orgCode/finance/receivables/customers/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = {
        name: text('name'),
        addressLine1: text('addressLine1'),
        addressLine2: text('addressLine2'),
        city: text('city'),
        postcode: text('postcode'),
        countryCode: text('countryCode'),
        vatNumber: text('vatNumber'),
        companyNumber: text('companyNumber'),
        peppolEndpoint: text('peppolEndpoint'),
        contactEmail: text('contactEmail'),
        paymentTermsDays: text('paymentTermsDays'),
        creditLimit: text('creditLimit'),
        publicBody: text('publicBody') === 'yes',
      }
      const problems: FieldError[] = []
      const terms = values.paymentTermsDays === '' ? undefined : Number(values.paymentTermsDays)
      if (terms !== undefined && (!/^\d{1,3}$/.test(values.paymentTermsDays) || terms > 365))
        problems.push({
          field: '/paymentTermsDays',
          message: 'Enter payment terms as a whole number of days, 0 to 365',
        })
      const creditLimitPence =
        values.creditLimit === ''
          ? null
          : (pence(values.creditLimit, '/creditLimit', 'the credit limit', problems) ?? null)
      try {
        if (problems.length) {
          // Report the service's problems with the other fields in the same summary.
          try {
            checkCustomerInput({ ...values, paymentTermsDays: undefined, creditLimitPence: undefined })
          } catch (error) {
            if (error instanceof ValidationError) problems.push(...error.fieldErrors)
          }
          throw new ValidationError(problems[0]!.message, problems)
        }
        const customer = await request.withTx((trx) =>
          customers.create(
            trx,
            org.id,
            { ...values, paymentTermsDays: terms, creditLimitPence },
            request.principal!.userId,
          ),
        )
        return reply.redirect(`${receivablesPaths.customer(org.code, customer.id)}?added=1`, 303)
      } catch (error) {
        const fields = fieldProblems(error, '/name').map((p) =>
          p.field === '/creditLimitPence' ? { ...p, field: '/creditLimit' } : p,
        )
        reply.code(FORM_ERROR_STATUS)
        return render(reply, 'new-customer', customerForm(request, values, formErrors(fields)))
      }
    },
  )
  app.get(
    '/orgs/:orgCode/finance/receivables/customers/:customerId',
    { config: read, schema: { hide: true, params: CustomerParams } },
    async (request, reply) => {
      const org = request.org!
      const query = request.query as Record<string, string>
      const to = isRealDate(query.to) ? query.to : todayIso()
      const from = isRealDate(query.from) && query.from <= to ? query.from : addDays(to, -365)
      const [customer, statement] = await request.withTx(async (trx) => [
        await customers.get(trx, org.id, request.params.customerId),
        await customerStatement(trx, org.id, request.params.customerId, from, to),
      ])
      return render(reply, 'customer', {
        ...common(request),
        pageTitle: `${customer.name} – ${org.name}`,
        customer,
        statement,
        buckets: AGE_BUCKETS,
        added: query.added === '1',
        breadcrumbs: crumbs(request, receivablesCrumb(request), {
          text: 'Customers',
          href: receivablesPaths.customers(org.code),
        }),
      })
    },
  )

  // --- Invoices ---------------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/finance/receivables/invoices',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const list = await request.withTx((trx) => invoices.list(trx, org.id, {}, 200))
      return render(reply, 'invoices', {
        ...common(request),
        pageTitle: `Sales invoices – ${org.name}`,
        invoices: list,
        breadcrumbs: crumbs(request, receivablesCrumb(request)),
      })
    },
  )

  const invoiceForm = async (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const [customerList, accounts, costCentres] = await request.withTx(async (trx) => [
      await customers.list(trx, org.id),
      // Income accounts only: a sales line is income.
      (await openAccounts(trx, org.id, '40000000')).filter((a) => a.code.startsWith('4')),
      await trx
        .selectFrom('cost_centres')
        .select(['code', 'name'])
        .where('org_id', '=', org.id)
        .where('active', '=', true)
        .orderBy('code')
        .execute(),
    ])
    const lines = (values.lines as Array<Record<string, string>> | undefined) ?? []
    return {
      ...common(request),
      pageTitle: `Raise an invoice – ${org.name}`,
      values,
      errors,
      customerItems: [
        { value: '', text: 'Choose a customer' },
        ...customerList.map((c) => ({ value: c.id, text: c.name, selected: c.id === values.customerId })),
      ],
      rows: Array.from({ length: FORM_LINES }, (_, index) => {
        const line = lines[index] ?? {}
        return {
          index,
          description: line.description ?? '',
          quantity: line.quantity ?? '',
          unitPrice: line.unitPrice ?? '',
          accountItems: accountItems(accounts, line.account),
          costCentreItems: [
            { value: '', text: 'None' },
            ...costCentres.map((c) => ({
              value: c.code,
              text: `${c.code} ${c.name}`,
              selected: c.code === (line.costCentre ?? ''),
            })),
          ],
          vatItems: VAT_RATE_NAMES.map((name) => ({
            value: name,
            text: VAT_RATES[name].label,
            selected: name === (line.vatRate || 'standard'),
          })),
        }
      }),
      breadcrumbs: crumbs(request, receivablesCrumb(request), {
        text: 'Sales invoices',
        href: receivablesPaths.invoices(org.code),
      }),
    }
  }
  app.get(
    '/orgs/:orgCode/finance/receivables/invoices/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const query = request.query as Record<string, string>
      return render(
        reply,
        'new-invoice',
        await invoiceForm(request, { issueDate: todayIso(), customerId: query.customerId ?? '' }),
      )
    },
  )
  app.post(
    '/orgs/:orgCode/finance/receivables/invoices/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const lines = Array.from({ length: FORM_LINES }, (_, index) => ({
        description: text(`line-${index}-description`),
        account: text(`line-${index}-account`),
        costCentre: text(`line-${index}-costCentre`),
        quantity: text(`line-${index}-quantity`),
        unitPrice: text(`line-${index}-unitPrice`),
        vatRate: text(`line-${index}-vatRate`),
      }))
      const values = {
        customerId: text('customerId'),
        issueDate: text('issueDate'),
        dueDate: text('dueDate'),
        buyerReference: text('buyerReference'),
        note: text('note'),
        lines,
      }
      const problems: FieldError[] = []
      if (!values.customerId) problems.push({ field: '/customerId', message: 'Choose the customer' })
      const used: number[] = []
      const inputLines: SalesLineInput[] = []
      lines.forEach((line, index) => {
        // A row with nothing but its defaults (cost centre, VAT rate) is an unused row.
        if (!line.description && !line.account && !line.quantity && !line.unitPrice) return
        used.push(index)
        inputLines.push({
          description: line.description,
          accountCode: line.account,
          costCentreCode: line.costCentre || undefined,
          quantity: line.quantity,
          unitPrice: line.unitPrice,
          vatRate: (VAT_RATE_NAMES.includes(line.vatRate as VatRateName)
            ? line.vatRate
            : 'standard') as VatRateName,
        })
      })
      if (inputLines.length === 0)
        problems.push({ field: '/line-0-description', message: 'Add at least one line' })
      try {
        if (problems.length) throw new ValidationError(problems[0]!.message, problems)
        const invoice = await request.withTx((trx) =>
          invoices.issueInvoice(
            trx,
            org.id,
            {
              customerId: values.customerId,
              issueDate: values.issueDate || undefined,
              dueDate: values.dueDate || undefined,
              buyerReference: values.buyerReference || undefined,
              note: values.note || undefined,
              lines: inputLines,
            },
            request.principal!.userId,
          ),
        )
        return reply.redirect(`${receivablesPaths.invoice(org.code, invoice.id)}?issued=1`, 303)
      } catch (error) {
        // Map the service's JSON pointers (/lines/n/field) onto the form's field ids.
        const names: Record<string, string> = {
          description: 'description',
          accountCode: 'account',
          costCentreCode: 'costCentre',
          quantity: 'quantity',
          unitPrice: 'unitPrice',
          vatRate: 'vatRate',
        }
        const fields = fieldProblems(error, '/customerId').map((problem) => {
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
        reply.code(FORM_ERROR_STATUS)
        return render(reply, 'new-invoice', await invoiceForm(request, values, formErrors(fields)))
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
    const label = invoice.kind === 'invoice' ? 'Invoice' : 'Credit note'
    const row = (key: string, value: { text: string } | { html: string }) => ({ key: { text: key }, value })
    const link = (href: string, text: string) => ({
      html: `<a class="govuk-link" href="${escapeHtml(href)}">${escapeHtml(text)}</a>`,
    })
    const isInvoice = invoice.kind === 'invoice'
    const summaryRows = [
      row('Customer', link(receivablesPaths.customer(org.code, invoice.customerId), invoice.customerName)),
      row('Date', { text: govukDate(invoice.issueDate) }),
      ...(isInvoice ? [row('Due date', { text: govukDate(invoice.dueDate) })] : []),
      ...(invoice.creditedInvoice
        ? [
            row(
              'Credits invoice',
              link(
                receivablesPaths.invoice(org.code, invoice.creditedInvoice.id),
                invoice.creditedInvoice.number,
              ),
            ),
          ]
        : []),
      row('Customer’s reference', { text: invoice.buyerReference }),
      row('Net', { text: formatGbp(invoice.netPence) }),
      row('VAT', { text: formatGbp(invoice.vatPence) }),
      row('Total', { text: formatGbp(invoice.grossPence) }),
      ...(isInvoice
        ? [
            row('Paid', { text: formatGbp(invoice.allocatedPence) }),
            row('Credited', { text: formatGbp(invoice.creditedPence) }),
            row('Outstanding', { text: formatGbp(invoice.outstandingPence) }),
          ]
        : []),
      ...(invoice.note ? [row(isInvoice ? 'Note' : 'Reason', { text: invoice.note })] : []),
    ]
    return {
      summaryRows,
      ...common(request),
      pageTitle: `${label} ${invoice.number} – ${org.name}`,
      label,
      invoice,
      vatLabels: VAT_LABELS,
      issued: query.issued === '1',
      today: todayIso(),
      breadcrumbs: crumbs(request, receivablesCrumb(request), {
        text: 'Sales invoices',
        href: receivablesPaths.invoices(org.code),
      }),
      ...extra,
    }
  }
  app.get(
    '/orgs/:orgCode/finance/receivables/invoices/:invoiceId',
    { config: read, schema: { hide: true, params: SalesInvoiceParams } },
    async (request, reply) => render(reply, 'invoice', await invoicePage(request, request.params.invoiceId)),
  )
  app.get(
    '/orgs/:orgCode/finance/receivables/invoices/:invoiceId/ubl',
    { config: read, schema: { hide: true, params: SalesInvoiceParams } },
    async (request, reply) =>
      sendUbl(
        reply,
        await request.withTx((trx) =>
          documentParts(services, trx, request.org!.id, request.params.invoiceId),
        ),
      ),
  )
  app.get(
    '/orgs/:orgCode/finance/receivables/invoices/:invoiceId/pdf',
    { config: read, schema: { hide: true, params: SalesInvoiceParams } },
    async (request, reply) =>
      sendPdf(
        reply,
        await request.withTx((trx) =>
          documentParts(services, trx, request.org!.id, request.params.invoiceId),
        ),
      ),
  )
  app.post(
    '/orgs/:orgCode/finance/receivables/invoices/:invoiceId/credit-note',
    { config: manage, schema: { hide: true, params: SalesInvoiceParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = { reason: text('reason'), creditDate: text('creditDate') }
      try {
        const note = await request.withTx((trx) =>
          invoices.issueCreditNote(
            trx,
            org.id,
            request.params.invoiceId,
            { reason: values.reason, issueDate: values.creditDate || undefined },
            request.principal!.userId,
          ),
        )
        return reply.redirect(`${receivablesPaths.invoice(org.code, note.id)}?issued=1`, 303)
      } catch (error) {
        const fields = fieldProblems(error, '/reason').map((p) =>
          p.field === '/issueDate'
            ? { ...p, field: '/creditDate' }
            : p.field.startsWith('/lines')
              ? { ...p, field: '/reason' }
              : p,
        )
        reply.code(FORM_ERROR_STATUS)
        return render(
          reply,
          'invoice',
          await invoicePage(request, request.params.invoiceId, { errors: formErrors(fields), values }),
        )
      }
    },
  )

  // --- Receipts ---------------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/finance/receivables/receipts',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const list = await request.withTx((trx) => receipts.list(trx, org.id, {}, 200))
      return render(reply, 'receipts', {
        ...common(request),
        pageTitle: `Receipts – ${org.name}`,
        receipts: list,
        breadcrumbs: crumbs(request, receivablesCrumb(request)),
      })
    },
  )
  const receiptForm = async (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const customerList = await request.withTx((trx) => customers.list(trx, org.id))
    return {
      ...common(request),
      pageTitle: `Record a receipt – ${org.name}`,
      values,
      errors,
      customerItems: [
        { value: '', text: 'Choose a customer' },
        ...customerList.map((c) => ({ value: c.id, text: c.name, selected: c.id === values.customerId })),
      ],
      breadcrumbs: crumbs(request, receivablesCrumb(request), {
        text: 'Receipts',
        href: receivablesPaths.receipts(org.code),
      }),
    }
  }
  app.get(
    '/orgs/:orgCode/finance/receivables/receipts/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const query = request.query as Record<string, string>
      return render(
        reply,
        'new-receipt',
        await receiptForm(request, {
          receivedOn: todayIso(),
          customerId: query.customerId ?? '',
          matchReference: true,
        }),
      )
    },
  )
  app.post(
    '/orgs/:orgCode/finance/receivables/receipts/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = {
        customerId: text('customerId'),
        receivedOn: text('receivedOn'),
        amount: text('amount'),
        reference: text('reference'),
        matchReference: text('matchReference') === 'yes',
      }
      const problems: FieldError[] = []
      if (!values.customerId) problems.push({ field: '/customerId', message: 'Choose the customer who paid' })
      const amountPence = values.amount
        ? pence(values.amount, '/amount', 'the amount received', problems)
        : undefined
      if (!values.amount) problems.push({ field: '/amount', message: 'Enter the amount received' })
      try {
        if (problems.length) throw new ValidationError(problems[0]!.message, problems)
        const receipt = await request.withTx(async (trx) => {
          const allocations = values.matchReference
            ? await receipts.allocationsByReference(
                trx,
                org.id,
                values.customerId,
                values.reference,
                amountPence!,
              )
            : []
          return receipts.record(
            trx,
            org.id,
            {
              customerId: values.customerId,
              receivedOn: values.receivedOn,
              amountPence: amountPence!,
              reference: values.reference,
              allocations,
            },
            request.principal!.userId,
          )
        })
        return reply.redirect(`${receivablesPaths.receipt(org.code, receipt.id)}?recorded=1`, 303)
      } catch (error) {
        const fields = fieldProblems(error, '/amount').map((p) =>
          p.field === '/amountPence' ? { ...p, field: '/amount' } : p,
        )
        reply.code(FORM_ERROR_STATUS)
        return render(reply, 'new-receipt', await receiptForm(request, values, formErrors(fields)))
      }
    },
  )
  const receiptPage = async (
    request: FastifyRequest,
    receiptId: string,
    extra: Record<string, unknown> = {},
  ) => {
    const org = request.org!
    const [receipt, open] = await request.withTx(async (trx) => {
      const found = await receipts.get(trx, org.id, receiptId)
      return [
        found,
        await invoices.list(trx, org.id, { customerId: found.customerId, openOnly: true }),
      ] as const
    })
    const query = request.query as Record<string, string>
    return {
      ...common(request),
      pageTitle: `Receipt ${receipt.reference} – ${org.name}`,
      receipt,
      openInvoices: [...open].reverse(),
      recorded: query.recorded === '1',
      allocated: query.allocated === '1',
      values: {},
      breadcrumbs: crumbs(request, receivablesCrumb(request), {
        text: 'Receipts',
        href: receivablesPaths.receipts(org.code),
      }),
      ...extra,
    }
  }
  app.get(
    '/orgs/:orgCode/finance/receivables/receipts/:receiptId',
    { config: read, schema: { hide: true, params: ReceiptParams } },
    async (request, reply) => render(reply, 'receipt', await receiptPage(request, request.params.receiptId)),
  )
  app.post(
    '/orgs/:orgCode/finance/receivables/receipts/:receiptId/allocate',
    { config: manage, schema: { hide: true, params: ReceiptParams } },
    async (request, reply) => {
      const org = request.org!
      const body = (request.body ?? {}) as Record<string, unknown>
      const problems: FieldError[] = []
      const values: Record<string, string> = {}
      const allocations: Array<{ invoiceId: string; amountPence: number }> = []
      const fieldOf: string[] = []
      for (const [name, raw] of Object.entries(body)) {
        const match = /^amount-([0-9a-f-]{36})$/.exec(name)
        if (!match || typeof raw !== 'string' || raw.trim() === '') continue
        values[name] = raw.trim()
        const amount = pence(raw, `/${name}`, 'the amount to allocate', problems)
        if (amount !== undefined && amount !== 0) {
          allocations.push({ invoiceId: match[1]!, amountPence: amount })
          fieldOf.push(name)
        }
      }
      if (!problems.length && allocations.length === 0)
        problems.push({ field: '/allocations', message: 'Enter an amount against at least one invoice' })
      try {
        if (problems.length) throw new ValidationError(problems[0]!.message, problems)
        await request.withTx((trx) =>
          receipts.allocate(trx, org.id, request.params.receiptId, allocations, request.principal!.userId),
        )
        return reply.redirect(
          `${receivablesPaths.receipt(org.code, request.params.receiptId)}?allocated=1`,
          303,
        )
      } catch (error) {
        const fields = fieldProblems(error, '/allocations').map((p) => {
          const at = /^\/allocations\/(\d+)\//.exec(p.field)
          if (at && fieldOf[Number(at[1])]) return { ...p, field: `/${fieldOf[Number(at[1])]}` }
          return p.field === '/allocations' ? { ...p, field: `/${fieldOf[0] ?? 'allocations'}` } : p
        })
        reply.code(FORM_ERROR_STATUS)
        return render(
          reply,
          'receipt',
          await receiptPage(request, request.params.receiptId, { errors: formErrors(fields), values }),
        )
      }
    },
  )

  // --- Aged debtors -----------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/finance/receivables/aged-debtors',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const query = request.query as Record<string, string>
      const problems: FieldError[] = []
      let asOf = todayIso()
      if (query.asOf !== undefined && query.asOf !== '') {
        if (isRealDate(query.asOf)) asOf = query.asOf
        else problems.push({ field: '/asOf', message: 'Enter a real date, like 2026-03-31' })
      }
      const report = await request.withTx((trx) => agedDebtors(trx, org.id, asOf))
      if (!problems.length && (query.format === 'csv' || query.format === 'xlsx'))
        return sendTable(reply, query.format, agedDebtorsTable(report), `${org.code}-aged-debtors-${asOf}`)
      if (problems.length) reply.code(400)
      return render(reply, 'aged-debtors', {
        ...common(request),
        pageTitle: `Aged debtors – ${org.name}`,
        report,
        buckets: AGE_BUCKETS,
        asOfTyped: query.asOf ?? asOf,
        errors: problems.length ? formErrors(problems) : undefined,
        csvHref: `${receivablesPaths.agedDebtors(org.code)}?asOf=${asOf}&format=csv`,
        xlsxHref: `${receivablesPaths.agedDebtors(org.code)}?asOf=${asOf}&format=xlsx`,
        breadcrumbs: crumbs(request, receivablesCrumb(request)),
      })
    },
  )
}
