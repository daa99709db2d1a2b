// The pages behind payments: payment runs (choose the dates, check what will be paid, approve and
// make the run, download its pain.001 and Bacs files), the account payments leave from, bank
// statements (camt.053 pasted in, reconciled, with what is left for a person), and delegated
// authority (limits per spend type and level, and who holds each level). GOV.UK patterns; every
// form works without JavaScript, posts its _csrf token, re-renders with the error summary and the
// values typed when it fails, and redirects when it succeeds.
import { randomUUID } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ROLE_DEFINITIONS, type Role } from '../../platform/auth/permissions.ts'
import { AppError, ValidationError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { formErrors } from '../../platform/http/views.ts'
import { parseMoney } from '../../platform/money.ts'
import { can } from '../../platform/tenancy.ts'
import { addDays, todayIso } from './invoices.ts'
import { nextWeekday } from './payment-runs.ts'
import type { PayablesServices } from './routes.ts'
import { OrgParams, RunParams } from './schema.ts'

const org = (code: string) => `/orgs/${encodeURIComponent(code)}/finance`
export const paymentPaths = {
  runs: (code: string) => `${org(code)}/payment-runs`,
  newRun: (code: string) => `${org(code)}/payment-runs/new`,
  checkRun: (code: string) => `${org(code)}/payment-runs/check`,
  run: (code: string, id: string) => `${org(code)}/payment-runs/${encodeURIComponent(id)}`,
  runFile: (code: string, id: string, kind: 'pain001' | 'bacs') =>
    `${org(code)}/payment-runs/${encodeURIComponent(id)}/${kind}`,
  settings: (code: string) => `${org(code)}/payment-settings`,
  statements: (code: string) => `${org(code)}/bank-statements`,
  statement: (code: string, id: string) => `${org(code)}/bank-statements/${encodeURIComponent(id)}`,
  approvalLimits: (code: string) => `${org(code)}/approval-limits`,
  approvers: (code: string) => `${org(code)}/approval-limits/approvers`,
}

/** The largest camt.053 a person pastes in; bigger statements go through the API. */
const PASTED_STATEMENT_CHARS_MAX = 2_000_000

const ImportParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  statementImportId: Type.String({ format: 'uuid' }),
})

function formText(request: FastifyRequest) {
  const body = (request.body ?? {}) as Record<string, unknown>
  return (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
}

/** A GOV.UK date input's three fields as YYYY-MM-DD (or what was typed, for the service to refuse). */
function typedDate(read: (name: string) => string, prefix: string): string {
  const day = read(`${prefix}-day`)
  const month = read(`${prefix}-month`)
  const year = read(`${prefix}-year`)
  if (!day && !month && !year) return ''
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
}

/** YYYY-MM-DD as the three items of a GOV.UK date input. */
function dateItems(iso: string, prefix: string, error: boolean) {
  const [year = '', month = '', day = ''] = iso.split('-')
  const strip = (text: string) => (/^\d+$/.test(text) ? String(Number(text)) : text)
  const classes = (width: number) => `govuk-input--width-${width}${error ? ' govuk-input--error' : ''}`
  return [
    { name: 'day', classes: classes(2), value: strip(day), id: `${prefix}-day` },
    { name: 'month', classes: classes(2), value: strip(month), id: `${prefix}-month` },
    { name: 'year', classes: classes(4), value: year, id: `${prefix}-year` },
  ]
}

function isRealDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
}

/** Field ids of the date inputs: the error summary links to the day field. */
const DATE_FIELD_IDS = { dueBy: 'dueBy-day', payDate: 'payDate-day' }

/** Roles that may approve supplier invoices: the people who can hold delegated authority. */
const APPROVING_ROLES = (Object.keys(ROLE_DEFINITIONS) as Role[]).filter((role) =>
  ROLE_DEFINITIONS[role].permissions.includes('payables:approve'),
)

export async function paymentPages(app: App, services: PayablesServices): Promise<void> {
  const { invoices, paymentRuns, statements } = services
  const read = { permission: 'finance:read' as const, kind: 'page' as const }
  const approve = { permission: 'payables:approve' as const, kind: 'page' as const }
  const manage = { permission: 'finance:approve' as const, kind: 'page' as const }
  const post = { permission: 'finance:post' as const, kind: 'page' as const }
  const crumbs = (request: FastifyRequest, ...more: Array<{ text: string; href: string }>) => [
    { text: 'Home', href: '/' },
    { text: `Finance – ${request.org!.name}`, href: org(request.org!.code) },
    ...more,
  ]

  // --- Payment runs -----------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/finance/payment-runs',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const current = request.org!
      const [runs, settings] = await request.withTx(async (trx) => [
        await paymentRuns.list(trx, current.id),
        await paymentRuns.paymentSettings(trx, current.id),
      ])
      return reply.page('finance/payables/views/payment-runs.njk', {
        pageTitle: `Payment runs – ${current.name}`,
        org: current,
        runs,
        settings,
        settingsSaved: (request.query as Record<string, string>).settings === '1',
        canApprove: can(request.principal!, 'payables:approve', current.id),
        canManage: can(request.principal!, 'finance:approve', current.id),
        breadcrumbs: crumbs(request),
        paths: paymentPaths,
      })
    },
  )

  const newRunPage = (
    request: FastifyRequest,
    values: { dueBy: string; payDate: string },
    errors?: ReturnType<typeof formErrors>,
  ) => ({
    pageTitle: `Make a payment run – ${request.org!.name}`,
    org: request.org!,
    dueByItems: dateItems(values.dueBy, 'dueBy', Boolean(errors?.byField.dueBy)),
    payDateItems: dateItems(values.payDate, 'payDate', Boolean(errors?.byField.payDate)),
    errors,
    breadcrumbs: crumbs(request, { text: 'Payment runs', href: paymentPaths.runs(request.org!.code) }),
    paths: paymentPaths,
  })
  app.get(
    '/orgs/:orgCode/finance/payment-runs/new',
    { config: approve, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const today = todayIso()
      return reply.page(
        'finance/payables/views/new-payment-run.njk',
        newRunPage(request, { dueBy: addDays(today, 7), payDate: nextWeekday(addDays(today, 1)) }),
      )
    },
  )
  /** The dates of a run, checked as the service will check them, so the check page can trust them. */
  const checkDates = (values: { dueBy: string; payDate: string }) => {
    const problems: Array<{ field: string; message: string }> = []
    if (!isRealDate(values.dueBy))
      problems.push({ field: '/dueBy', message: 'Enter the date invoices must be due by, like 31 5 2027' })
    if (!isRealDate(values.payDate))
      problems.push({ field: '/payDate', message: 'Enter the pay date, like 31 5 2027' })
    else if (values.payDate < todayIso())
      problems.push({ field: '/payDate', message: 'The pay date cannot be in the past' })
    return problems
  }
  app.post(
    '/orgs/:orgCode/finance/payment-runs/new',
    { config: approve, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const text = formText(request)
      const values = { dueBy: typedDate(text, 'dueBy'), payDate: typedDate(text, 'payDate') }
      const problems = checkDates(values)
      if (problems.length > 0) {
        reply.code(400)
        return reply.page(
          'finance/payables/views/new-payment-run.njk',
          newRunPage(request, values, formErrors(problems, DATE_FIELD_IDS)),
        )
      }
      const query = new URLSearchParams(values).toString()
      return reply.redirect(`${paymentPaths.checkRun(request.org!.code)}?${query}`, 303)
    },
  )

  const checkPage = async (
    request: FastifyRequest,
    values: { dueBy: string; payDate: string; key?: string },
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const current = request.org!
    const [preview, settings] = await request.withTx(async (trx) => [
      await paymentRuns.preview(trx, current.id, values.dueBy),
      await paymentRuns.paymentSettings(trx, current.id),
    ])
    return {
      pageTitle: `Check the payment run – ${current.name}`,
      org: current,
      values,
      preview,
      settings,
      // A new key each time the page is drawn: submitting this form twice makes one run.
      idempotencyKey: values.key || `page-${randomUUID()}`,
      errors,
      breadcrumbs: crumbs(request, { text: 'Payment runs', href: paymentPaths.runs(current.code) }),
      paths: paymentPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/finance/payment-runs/check',
    { config: approve, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const query = request.query as Record<string, string | undefined>
      const values = { dueBy: query.dueBy ?? '', payDate: query.payDate ?? '' }
      if (checkDates(values).length > 0) return reply.redirect(paymentPaths.newRun(request.org!.code), 303)
      return reply.page('finance/payables/views/check-payment-run.njk', await checkPage(request, values))
    },
  )
  app.post(
    '/orgs/:orgCode/finance/payment-runs/check',
    { config: approve, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const current = request.org!
      const text = formText(request)
      const values = { dueBy: text('dueBy'), payDate: text('payDate'), key: text('idempotencyKey') }
      try {
        const { run } = await request.withTx((trx) =>
          paymentRuns.create(
            trx,
            current.id,
            { dueBy: values.dueBy, payDate: values.payDate, idempotencyKey: values.key },
            request.principal!.userId,
          ),
        )
        return reply.redirect(`${paymentPaths.run(current.code, run.id)}?created=1`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error
        reply.code(error.status)
        const problems = error.fieldErrors.length
          ? error.fieldErrors.map((problem) =>
              problem.field.startsWith('/headers') ? { ...problem, field: '/confirm' } : problem,
            )
          : [{ field: '/confirm', message: error.message }]
        return reply.page(
          'finance/payables/views/check-payment-run.njk',
          await checkPage(
            request,
            { ...values, key: '' },
            formErrors(problems, { dueBy: 'confirm', payDate: 'confirm' }),
          ),
        )
      }
    },
  )

  app.get(
    '/orgs/:orgCode/finance/payment-runs/:runId',
    { config: read, schema: { hide: true, params: RunParams } },
    async (request, reply) => {
      const current = request.org!
      const { run, names } = await request.withTx(async (trx) => {
        const run = await paymentRuns.get(trx, current.id, request.params.runId)
        const suppliers = await services.suppliers.list(trx, current.id)
        return { run, names: new Map(suppliers.map((supplier) => [supplier.id, supplier.name])) }
      })
      return reply.page('finance/payables/views/payment-run.njk', {
        pageTitle: `Payment run ${run.number} – ${current.name}`,
        org: current,
        run,
        payments: run.payments.map((payment) => ({
          ...payment,
          supplierName: names.get(payment.supplierId) ?? payment.supplierId,
        })),
        created: (request.query as Record<string, string>).created === '1',
        canDownload: can(request.principal!, 'payables:approve', current.id),
        breadcrumbs: crumbs(request, { text: 'Payment runs', href: paymentPaths.runs(current.code) }),
        paths: paymentPaths,
      })
    },
  )
  for (const kind of ['pain001', 'bacs'] as const) {
    app.get(
      `/orgs/:orgCode/finance/payment-runs/:runId/${kind}`,
      { config: approve, schema: { hide: true, params: RunParams } },
      async (request, reply) => {
        const current = request.org!
        const { text, number } = await request.withTx(async (trx) => ({
          text: await paymentRuns.file(trx, current.id, request.params.runId, kind),
          number: (await paymentRuns.get(trx, current.id, request.params.runId)).number,
        }))
        const name = `payment-run-${current.code}-${number}${kind === 'pain001' ? '.xml' : '.txt'}`
        return reply
          .type(kind === 'pain001' ? 'application/xml; charset=utf-8' : 'text/plain; charset=us-ascii')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(text)
      },
    )
  }

  // --- The account payments leave from ------------------------------------------------------
  const settingsPage = (
    request: FastifyRequest,
    values: Record<string, string>,
    errors?: ReturnType<typeof formErrors>,
  ) => ({
    pageTitle: `Account payments leave from – ${request.org!.name}`,
    org: request.org!,
    values,
    errors,
    breadcrumbs: crumbs(request, { text: 'Payment runs', href: paymentPaths.runs(request.org!.code) }),
    paths: paymentPaths,
  })
  app.get(
    '/orgs/:orgCode/finance/payment-settings',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const settings = await request.withTx((trx) => paymentRuns.paymentSettings(trx, request.org!.id))
      return reply.page(
        'finance/payables/views/payment-settings.njk',
        settingsPage(request, {
          debtorName: settings?.debtorName ?? request.org!.name,
          sortCode: settings?.sortCode ?? '',
          accountNumber: settings?.accountNumber ?? '',
          bacsServiceUserNumber: settings?.bacsServiceUserNumber ?? '',
          bacsServiceUserName: settings?.bacsServiceUserName ?? '',
        }),
      )
    },
  )
  app.post(
    '/orgs/:orgCode/finance/payment-settings',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const text = formText(request)
      const values = {
        debtorName: text('debtorName'),
        sortCode: text('sortCode'),
        accountNumber: text('accountNumber'),
        bacsServiceUserNumber: text('bacsServiceUserNumber'),
        bacsServiceUserName: text('bacsServiceUserName'),
      }
      try {
        await request.withTx((trx) => paymentRuns.setPaymentSettings(trx, request.org!.id, values))
        return reply.redirect(`${paymentPaths.runs(request.org!.code)}?settings=1`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.fieldErrors.length === 0) throw error
        reply.code(error.status)
        return reply.page(
          'finance/payables/views/payment-settings.njk',
          settingsPage(request, values, formErrors(error.fieldErrors)),
        )
      }
    },
  )

  // --- Bank statements ----------------------------------------------------------------------
  const statementsPage = async (
    request: FastifyRequest,
    values: { statement: string },
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const current = request.org!
    const [imports, outstanding] = await request.withTx(async (trx) => [
      await statements.listImports(trx, current.id),
      await statements.outstandingPayments(trx, current.id),
    ])
    return {
      pageTitle: `Bank statements – ${current.name}`,
      org: current,
      imports,
      outstanding,
      values,
      errors,
      canImport: can(request.principal!, 'finance:post', current.id),
      breadcrumbs: crumbs(request),
      paths: paymentPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/finance/bank-statements',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) =>
      reply.page(
        'finance/payables/views/bank-statements.njk',
        await statementsPage(request, { statement: '' }),
      ),
  )
  // Pasting the XML into a text area imports a statement without JavaScript or multipart uploads
  // (as budgets load CSV); a file too large to paste goes through the API.
  app.post(
    '/orgs/:orgCode/finance/bank-statements',
    { config: post, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const current = request.org!
      const body = (request.body ?? {}) as Record<string, unknown>
      const statement = typeof body.statement === 'string' ? body.statement.trim() : ''
      try {
        if (!statement)
          throw new ValidationError('Paste the camt.053 statement', [
            {
              field: '/statement',
              message: 'Paste the camt.053 statement, from <?xml or <Document to the end',
            },
          ])
        if (statement.length > PASTED_STATEMENT_CHARS_MAX)
          throw new ValidationError('The statement is too long to paste', [
            { field: '/statement', message: 'The statement is too long to paste: send it through the API' },
          ])
        const result = await request.withTx((trx) =>
          statements.importStatement(trx, current.id, statement, request.principal!.userId),
        )
        return reply.redirect(paymentPaths.statement(current.code, result.id), 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error
        reply.code(error.status)
        // Every problem points at the one text area.
        const problems = (
          error.fieldErrors.length ? error.fieldErrors : [{ field: '/', message: error.message }]
        ).map((problem) => ({ field: '/statement', message: problem.message }))
        const errors = {
          summary: problems.map((problem) => ({ text: problem.message, href: '#statement' })),
          byField: { statement: { text: problems[0]!.message } },
        }
        return reply.page(
          'finance/payables/views/bank-statements.njk',
          await statementsPage(
            request,
            { statement: statement.slice(0, PASTED_STATEMENT_CHARS_MAX) },
            errors,
          ),
        )
      }
    },
  )
  app.get(
    '/orgs/:orgCode/finance/bank-statements/:statementImportId',
    { config: read, schema: { hide: true, params: ImportParams } },
    async (request, reply) => {
      const current = request.org!
      const result = await request.withTx((trx) =>
        statements.getImport(trx, current.id, request.params.statementImportId),
      )
      return reply.page('finance/payables/views/bank-statement.njk', {
        pageTitle: `Bank statement ${result.messageId} – ${current.name}`,
        org: current,
        result,
        breadcrumbs: crumbs(request, {
          text: 'Bank statements',
          href: paymentPaths.statements(current.code),
        }),
        paths: paymentPaths,
      })
    },
  )

  // --- Delegated authority ------------------------------------------------------------------
  const limitsPage = async (
    request: FastifyRequest,
    extra: {
      limitValues?: Record<string, string>
      approverValues?: Record<string, string>
      errors?: ReturnType<typeof formErrors>
    } = {},
  ) => {
    const current = request.org!
    const { limits, approvers, candidates } = await request.withTx(async (trx) => {
      const limits = await invoices.approvalLimits(trx, current.id)
      const approvers = await trx
        .selectFrom('payables_approvers as a')
        .innerJoin('users as u', 'u.id', 'a.user_id')
        .select(['u.id', 'u.display_name as name', 'u.email', 'a.level'])
        .where('a.org_id', '=', current.id)
        .orderBy('a.level', 'desc')
        .orderBy('u.display_name')
        .execute()
      // Anyone whose role lets them approve invoices here: on the organisation, its cluster, or everywhere.
      const cluster = await trx
        .selectFrom('organisations')
        .select('cluster_id')
        .where('id', '=', current.id)
        .executeTakeFirst()
      const candidates = await trx
        .selectFrom('memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.id', 'u.display_name as name', 'u.email'])
        .distinct()
        .where('m.role', 'in', APPROVING_ROLES)
        .where((eb) =>
          eb.or([
            eb('m.org_id', '=', current.id),
            ...(cluster?.cluster_id ? [eb('m.cluster_id', '=', cluster.cluster_id)] : []),
            eb.and([eb('m.org_id', 'is', null), eb('m.cluster_id', 'is', null)]),
          ]),
        )
        .orderBy('u.display_name')
        .limit(500)
        .execute()
      return { limits, approvers, candidates }
    })
    const levelTitles = new Map<number, string>()
    for (const limit of limits) if (!levelTitles.has(limit.level)) levelTitles.set(limit.level, limit.title)
    const approverValues = extra.approverValues ?? {}
    return {
      pageTitle: `Delegated authority – ${current.name}`,
      org: current,
      limits: limits.map((limit) => ({ ...limit, limitPence: Number(limit.limitPence) })),
      approvers: approvers.map((approver) => ({
        ...approver,
        title: levelTitles.get(approver.level) ?? `Level ${approver.level}`,
      })),
      userItems: [
        { value: '', text: 'Choose a person' },
        ...candidates
          .filter((candidate) => candidate.id !== request.principal!.userId)
          .map((candidate) => ({
            value: candidate.id,
            text: `${candidate.name} (${candidate.email})`,
            selected: candidate.id === approverValues.userId,
          })),
      ],
      limitValues: extra.limitValues ?? { spendType: 'general' },
      approverValues,
      errors: extra.errors,
      saved: (request.query as Record<string, string>).saved,
      canManage: can(request.principal!, 'finance:approve', current.id),
      breadcrumbs: crumbs(request),
      paths: paymentPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/finance/approval-limits',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) =>
      reply.page('finance/payables/views/approval-limits.njk', await limitsPage(request)),
  )
  app.post(
    '/orgs/:orgCode/finance/approval-limits',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const current = request.org!
      const text = formText(request)
      const values = {
        spendType: text('spendType'),
        level: text('level'),
        title: text('title'),
        limit: text('limit'),
      }
      try {
        const problems: Array<{ field: string; message: string }> = []
        let limitPence = 0
        try {
          limitPence = parseMoney(values.limit, { allowSeparators: true })
        } catch {
          problems.push({ field: '/limit', message: 'Enter the limit in pounds, like 10000 or 10,000.00' })
        }
        if (!/^\d{1,2}$/.test(values.level))
          problems.push({ field: '/level', message: 'Enter the level as a whole number from 1 to 20' })
        if (problems.length > 0) throw new ValidationError(problems[0]!.message, problems)
        await request.withTx((trx) =>
          invoices.setApprovalLimit(trx, current.id, {
            spendType: values.spendType,
            level: Number(values.level),
            title: values.title,
            limitPence,
          }),
        )
        return reply.redirect(`${paymentPaths.approvalLimits(current.code)}?saved=limit`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.fieldErrors.length === 0) throw error
        reply.code(error.status)
        const problems = error.fieldErrors.map((problem) =>
          problem.field === '/limitPence' ? { ...problem, field: '/limit' } : problem,
        )
        return reply.page(
          'finance/payables/views/approval-limits.njk',
          await limitsPage(request, { limitValues: values, errors: formErrors(problems) }),
        )
      }
    },
  )
  app.post(
    '/orgs/:orgCode/finance/approval-limits/approvers',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const current = request.org!
      const text = formText(request)
      const values = { userId: text('userId'), approverLevel: text('approverLevel') }
      try {
        const problems: Array<{ field: string; message: string }> = []
        if (!/^[0-9a-f-]{36}$/.test(values.userId))
          problems.push({ field: '/userId', message: 'Choose the person' })
        if (!/^\d{1,2}$/.test(values.approverLevel))
          problems.push({
            field: '/approverLevel',
            message: 'Enter the level as a whole number from 1 to 20',
          })
        if (problems.length > 0) throw new ValidationError(problems[0]!.message, problems)
        await request.withTx(async (trx) => {
          const person = await trx
            .selectFrom('users')
            .select('id')
            .where('id', '=', values.userId)
            .executeTakeFirst()
          if (!person)
            throw new ValidationError('Choose the person', [
              { field: '/userId', message: 'Choose the person' },
            ])
          await invoices.setApproverLevel(
            trx,
            current.id,
            values.userId,
            Number(values.approverLevel),
            request.principal!.userId,
          )
        })
        return reply.redirect(`${paymentPaths.approvalLimits(current.code)}?saved=approver`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error
        reply.code(error.status)
        const problems = (
          error.fieldErrors.length ? error.fieldErrors : [{ field: '/userId', message: error.message }]
        ).map((problem) => (problem.field === '/level' ? { ...problem, field: '/approverLevel' } : problem))
        return reply.page(
          'finance/payables/views/approval-limits.njk',
          await limitsPage(request, { approverValues: values, errors: formErrors(problems) }),
        )
      }
    },
  )
}
