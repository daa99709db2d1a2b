// Payroll over HTTP: the API (/api/v1/orgs/:orgCode/payroll/...) and the pages a payroll officer,
// an approver and an employee (self-service payslips) use. Pages follow GOV.UK patterns and work
// without JavaScript: a calculating run's page refreshes itself (HTTP Refresh header) and has a
// reload link.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { LedgerService } from '../finance/ledger.ts'
import type { Database } from '../platform/db/index.ts'
import { AppError, NotFoundError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { IdempotencyKeyHeader } from '../platform/http/schemas.ts'
import { formErrors } from '../platform/http/views.ts'
import { parseMoney } from '../platform/money.ts'
import { can } from '../platform/tenancy.ts'
import { taxYearOf } from './pay.ts'
import {
  EmployeeQuery,
  HmrcGenderBody,
  LeaverParams,
  NewRunBody,
  OrgParams,
  PageQuery,
  PayItemBody,
  PersonParams,
  ReviewBody,
  RunParams,
  SelfRunParams,
  SettingsBody,
  TaxYearQuery,
} from './schema.ts'
import { type PayItemInput, PayrollService } from './service.ts'
import type { PayItemKind } from './tables.ts'

export const payrollPaths = {
  home: (org: string) => `/orgs/${encodeURIComponent(org)}/payroll`,
  newRun: (org: string) => `/orgs/${encodeURIComponent(org)}/payroll/runs/new`,
  run: (org: string, id: string) => `/orgs/${encodeURIComponent(org)}/payroll/runs/${id}`,
  action: (org: string, id: string, action: string) =>
    `/orgs/${encodeURIComponent(org)}/payroll/runs/${id}/${action}`,
  items: (org: string) => `/orgs/${encodeURIComponent(org)}/payroll/pay-items`,
  settings: (org: string) => `/orgs/${encodeURIComponent(org)}/payroll/settings`,
  yearEnd: (org: string) => `/orgs/${encodeURIComponent(org)}/payroll/year-end`,
  p45: (org: string, employmentId: string) =>
    `/orgs/${encodeURIComponent(org)}/payroll/year-end/p45/${employmentId}`,
  myPayslips: '/self-service/payslips',
  myPayslip: (runId: string) => `/self-service/payslips/${runId}`,
}

const api = (summary: string) => ({ tags: ['payroll'], summary })

const STATUS_TAGS: Record<string, string> = {
  draft: 'govuk-tag--grey',
  calculating: 'govuk-tag--yellow',
  calculated: 'govuk-tag--blue',
  reviewed: 'govuk-tag--light-blue',
  approved: 'govuk-tag--green',
  paid: 'govuk-tag--turquoise',
  locked: 'govuk-tag--grey',
}

function formText(request: FastifyRequest) {
  const body = (request.body ?? {}) as Record<string, unknown>
  return (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
}

export function payrollRoutes(deps: { db: Database; ledger: LedgerService }) {
  const payroll = new PayrollService(deps.ledger)
  const { runs, outputs } = payroll
  const { db } = deps
  return async (app: App) => {
    type Config = { permission: 'payroll:read' | 'payroll:run' | 'payroll:approve'; kind: 'api' | 'page' }
    const read: Config = { permission: 'payroll:read', kind: 'api' }
    const run: Config = { permission: 'payroll:run', kind: 'api' }
    const approve: Config = { permission: 'payroll:approve', kind: 'api' }

    // --- API --------------------------------------------------------------------------------
    app.get(
      '/api/v1/orgs/:orgCode/payroll/runs',
      { config: read, schema: { ...api('Pay runs, latest first'), params: OrgParams } },
      async (request) => ({
        items: await request.withTx((trx) => runs.list(trx, request.org!.id)),
      }),
    )
    app.post(
      '/api/v1/orgs/:orgCode/payroll/runs',
      {
        config: run,
        schema: {
          ...api('Create a draft pay run for a pay date (one per frequency and tax period)'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: NewRunBody,
        },
      },
      async (request, reply) => {
        const created = await request.withTx((trx) =>
          runs.create(trx, request.org!.id, request.body, request.principal!.userId),
        )
        return reply.code(201).send(created)
      },
    )
    app.get(
      '/api/v1/orgs/:orgCode/payroll/runs/:runId',
      { config: read, schema: { ...api('One pay run, with its progress'), params: RunParams } },
      async (request) => request.withTx((trx) => runs.get(trx, request.org!.id, request.params.runId)),
    )
    app.post(
      '/api/v1/orgs/:orgCode/payroll/runs/:runId/calculate',
      {
        config: run,
        schema: {
          ...api('Calculate (or resume) the run in the background; poll the run for progress'),
          headers: IdempotencyKeyHeader,
          params: RunParams,
        },
      },
      async (request, reply) => {
        const started = await runs.start(db, request.tenant, request.org!.id, request.params.runId)
        started.finished.catch((error: unknown) =>
          request.log.error({ err: error }, 'pay run calculation stopped'),
        )
        return reply.code(202).send(started.run)
      },
    )
    const transition = (
      path: string,
      permission: Config,
      summary: string,
      act: (request: FastifyRequest<{ Params: { orgCode: string; runId: string } }>) => Promise<unknown>,
      body?: typeof ReviewBody,
    ) =>
      app.post(
        `/api/v1/orgs/:orgCode/payroll/runs/:runId/${path}`,
        {
          config: permission,
          schema: {
            ...api(summary),
            headers: IdempotencyKeyHeader,
            params: RunParams,
            ...(body ? { body } : {}),
          },
        },
        async (request) => act(request as never),
      )
    transition(
      'review',
      run,
      'Mark a calculated run reviewed, confirming every employee in error has been checked',
      (request) =>
        request.withTx((trx) =>
          runs.review(
            trx,
            request.org!.id,
            request.params.runId,
            request.principal!.userId,
            (request.body as { acknowledgedExceptions: number }).acknowledgedExceptions,
          ),
        ),
      ReviewBody,
    )
    transition(
      'approve',
      approve,
      'Approve a reviewed run (not by who calculated it) and post its journal',
      (request) =>
        request.withTx((trx) =>
          runs.approve(trx, request.org!.id, request.params.runId, request.principal!.userId),
        ),
    )
    transition('pay', approve, 'Record an approved run as paid (its Bacs file was sent)', (request) =>
      request.withTx((trx) =>
        runs.markPaid(trx, request.org!.id, request.params.runId, request.principal!.userId),
      ),
    )
    transition('lock', approve, 'Lock a paid run', (request) =>
      request.withTx((trx) => runs.lock(trx, request.org!.id, request.params.runId)),
    )
    app.get(
      '/api/v1/orgs/:orgCode/payroll/runs/:runId/exceptions',
      { config: read, schema: { ...api('Every employee in error, with the reasons'), params: RunParams } },
      async (request) => ({
        items: await request.withTx((trx) => outputs.exceptions(trx, request.org!.id, request.params.runId)),
      }),
    )
    app.get(
      '/api/v1/orgs/:orgCode/payroll/runs/:runId/payslips',
      {
        config: read,
        schema: { ...api('A page of the run’s payslips'), params: RunParams, querystring: PageQuery },
      },
      async (request) => ({
        items: await request.withTx((trx) =>
          outputs.payslips(
            trx,
            request.org!.id,
            request.params.runId,
            request.query.offset ?? 0,
            request.query.limit ?? 50,
          ),
        ),
      }),
    )
    app.get(
      '/api/v1/orgs/:orgCode/payroll/runs/:runId/variance',
      { config: read, schema: { ...api('Biggest movements against the previous run'), params: RunParams } },
      async (request) =>
        request.withTx((trx) => outputs.variance(trx, request.org!.id, request.params.runId)),
    )
    app.get(
      '/api/v1/orgs/:orgCode/payroll/runs/:runId/payslip.pdf',
      {
        config: read,
        schema: { ...api('One employee’s payslip as PDF'), params: RunParams, querystring: EmployeeQuery },
      },
      async (request, reply) => sendPayslipPdf(request, reply, request.params.runId, request.query.employee),
    )
    app.get(
      '/api/v1/orgs/:orgCode/payroll/runs/:runId/fps',
      { config: approve, schema: { ...api('The RTI Full Payment Submission (XML)'), params: RunParams } },
      async (request, reply) => {
        const xml = await request.withTx((trx) => outputs.fps(trx, request.org!.id, request.params.runId))
        return reply.type('application/xml; charset=utf-8').send(xml)
      },
    )
    app.get(
      '/api/v1/orgs/:orgCode/payroll/runs/:runId/bacs',
      { config: approve, schema: { ...api('The Bacs Standard 18 file paying net pay'), params: RunParams } },
      async (request, reply) => {
        const text = await request.withTx((trx) => outputs.bacs(trx, request.org!.id, request.params.runId))
        return reply.type('text/plain; charset=us-ascii').send(text)
      },
    )
    app.get(
      '/api/v1/orgs/:orgCode/payroll/p60',
      {
        config: read,
        schema: {
          ...api('P60 figures per employee for a tax year'),
          params: OrgParams,
          querystring: TaxYearQuery,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) => outputs.p60(trx, request.org!.id, request.query.taxYear)),
      }),
    )
    app.get(
      '/api/v1/orgs/:orgCode/payroll/p45',
      {
        config: read,
        schema: {
          ...api('P45 figures for leavers in a tax year'),
          params: OrgParams,
          querystring: TaxYearQuery,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) => outputs.p45(trx, request.org!.id, request.query.taxYear)),
      }),
    )
    app.get(
      '/api/v1/orgs/:orgCode/payroll/p45/:employmentId',
      {
        config: read,
        schema: {
          ...api("One leaver's P45 figures: leaving date, pay and tax to date in this employment"),
          params: LeaverParams,
        },
      },
      async (request) =>
        request.withTx((trx) => outputs.p45ForLeaver(trx, request.org!.id, request.params.employmentId)),
    )
    app.put(
      '/api/v1/orgs/:orgCode/payroll/settings',
      {
        config: approve,
        schema: {
          ...api('Set the employer’s PAYE reference and the account net pay leaves from'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: SettingsBody,
        },
      },
      async (request, reply) => {
        await request.withTx((trx) => payroll.setSettings(trx, request.org!.id, request.body))
        return reply.code(204).send(null)
      },
    )
    app.put(
      '/api/v1/orgs/:orgCode/payroll/people/:personId/hmrc-gender',
      {
        config: run,
        schema: {
          ...api('Record the gender HMRC holds for an employee, which the FPS must give'),
          headers: IdempotencyKeyHeader,
          params: PersonParams,
          body: HmrcGenderBody,
        },
      },
      async (request, reply) => {
        const orgId = request.org!.id
        const { personId } = request.params
        await request.withTx(async (trx) => {
          const employed = await trx
            .selectFrom('employments')
            .select('id')
            .where('org_id', '=', orgId)
            .where('person_id', '=', personId)
            .executeTakeFirst()
          if (!employed) throw new NotFoundError('There is no employee with that person id here')
          await trx
            .insertInto('payroll_person_details')
            .values({
              org_id: orgId,
              person_id: personId,
              hmrc_gender: request.body.gender as 'M' | 'F',
              updated_by: request.principal?.userId ?? null,
            })
            .onConflict((oc) =>
              oc.columns(['org_id', 'person_id']).doUpdateSet({
                hmrc_gender: request.body.gender as 'M' | 'F',
                updated_by: request.principal?.userId ?? null,
                updated_at: new Date(),
              }),
            )
            .execute()
        })
        return reply.code(204).send(null)
      },
    )
    app.get(
      '/api/v1/orgs/:orgCode/payroll/pay-items',
      { config: read, schema: { ...api('Pay elements'), params: OrgParams } },
      async (request) => ({
        items: await request.withTx((trx) => payroll.listItems(trx, request.org!.id)),
      }),
    )
    app.post(
      '/api/v1/orgs/:orgCode/payroll/pay-items',
      {
        config: run,
        schema: {
          ...api('Add a pay element (allowance, overtime, deduction, unpaid leave...) to an employment'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: PayItemBody,
        },
      },
      async (request, reply) => {
        const item = await request.withTx((trx) =>
          payroll.addItem(trx, request.org!.id, request.body as PayItemInput, request.principal!.userId),
        )
        return reply.code(201).send(item)
      },
    )
    app.get(
      '/api/v1/me/payslips',
      { config: { permission: 'self:read', kind: 'api' }, schema: { ...api('Your own payslips') } },
      async (request) => ({
        items: await request.withTx((trx) => outputs.myPayslips(trx, request.principal!.userId)),
      }),
    )

    async function sendPayslipPdf(
      request: FastifyRequest,
      reply: FastifyReply,
      runId: string,
      employee: string,
    ) {
      const org = request.org!
      const slip = await request.withTx((trx) => outputs.payslip(trx, org.id, runId, employee))
      const pdf = await outputsPdf(slip, org.name)
      return reply
        .type('application/pdf')
        .header(
          'content-disposition',
          `inline; filename="payslip-${slip.payDate}-${slip.employeeNumber}.pdf"`,
        )
        .send(pdf)
    }
    const outputsPdf = async (slip: Parameters<typeof import('./outputs.ts').payslipPdf>[0], name: string) =>
      (await import('./outputs.ts')).payslipPdf(slip, name)

    // --- Pages ------------------------------------------------------------------------------
    const readPage: Config = { permission: 'payroll:read', kind: 'page' }
    const runPage: Config = { permission: 'payroll:run', kind: 'page' }
    const approvePage: Config = { permission: 'payroll:approve', kind: 'page' }
    const crumbs = (orgCode: string, orgName: string) => [
      { text: 'Home', href: '/' },
      { text: `Payroll – ${orgName}`, href: payrollPaths.home(orgCode) },
    ]

    app.get('/payroll', { config: readPage, schema: { hide: true } }, async (request, reply) => {
      const acting = request.tenant.actingOrgId
      const org = acting
        ? await request.withTx((trx) =>
            trx.selectFrom('organisations').select('code').where('id', '=', acting).executeTakeFirst(),
          )
        : undefined
      if (org && can(request.principal!, 'payroll:read', acting!))
        return reply.redirect(payrollPaths.home(org.code))
      return reply.page('payroll/views/choose.njk', { pageTitle: 'Payroll' })
    })

    app.get(
      '/orgs/:orgCode/payroll',
      { config: readPage, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        const [list, settings] = await request.withTx((trx) =>
          Promise.all([runs.list(trx, org.id), payroll.getSettings(trx, org.id)]),
        )
        return reply.page('payroll/views/home.njk', {
          pageTitle: `Payroll – ${org.name}`,
          org,
          runs: list,
          settings,
          statusTags: STATUS_TAGS,
          canRun: can(request.principal!, 'payroll:run', org.id),
          canApprove: can(request.principal!, 'payroll:approve', org.id),
          paths: payrollPaths,
          breadcrumbs: [{ text: 'Home', href: '/' }],
        })
      },
    )

    const newRunForm = (
      request: FastifyRequest,
      values: Record<string, string>,
      errors?: ReturnType<typeof formErrors>,
    ) => {
      const org = request.org!
      return {
        pageTitle: `Start a pay run – ${org.name}`,
        org,
        values,
        errors,
        paths: payrollPaths,
        breadcrumbs: crumbs(org.code, org.name),
      }
    }
    app.get(
      '/orgs/:orgCode/payroll/runs/new',
      { config: runPage, schema: { hide: true, params: OrgParams } },
      async (request, reply) =>
        reply.page('payroll/views/new-run.njk', newRunForm(request, { payFrequency: 'monthly' })),
    )
    app.post(
      '/orgs/:orgCode/payroll/runs/new',
      { config: runPage, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        const text = formText(request)
        const values = { payFrequency: text('payFrequency') || 'monthly', payDate: text('payDate') }
        try {
          const created = await request.withTx((trx) =>
            runs.create(
              trx,
              org.id,
              { payFrequency: values.payFrequency as 'monthly', payDate: values.payDate },
              request.principal!.userId,
            ),
          )
          return reply.redirect(payrollPaths.run(org.code, created.id), 303)
        } catch (error) {
          if (!(error instanceof AppError)) throw error
          reply.code(error.status)
          const fieldErrors = error.fieldErrors.length
            ? error.fieldErrors
            : [{ field: '/payDate', message: error.message }]
          return reply.page('payroll/views/new-run.njk', newRunForm(request, values, formErrors(fieldErrors)))
        }
      },
    )

    async function renderRun(
      request: FastifyRequest,
      reply: FastifyReply,
      runId: string,
      errors?: ReturnType<typeof formErrors>,
    ) {
      const org = request.org!
      const data = await request.withTx(async (trx) => {
        const current = await runs.get(trx, org.id, runId)
        const settled = !['draft', 'calculating'].includes(current.status)
        return {
          run: current,
          exceptions: settled ? await outputs.exceptions(trx, org.id, runId) : [],
          variance: settled ? await outputs.variance(trx, org.id, runId) : null,
          payslips: settled ? await outputs.payslips(trx, org.id, runId, 0, 50) : [],
        }
      })
      if (data.run.status === 'calculating') reply.header('refresh', '3')
      const percent = data.run.progressTotal
        ? Math.floor((data.run.progressDone * 100) / data.run.progressTotal)
        : 0
      return reply.page('payroll/views/run.njk', {
        pageTitle: `Pay run ${data.run.payFrequency} period ${data.run.period} of ${data.run.taxYear} – ${org.name}`,
        org,
        ...data,
        percent,
        errors,
        statusTags: STATUS_TAGS,
        userId: request.principal!.userId,
        canRun: can(request.principal!, 'payroll:run', org.id),
        canApprove: can(request.principal!, 'payroll:approve', org.id),
        paths: payrollPaths,
        breadcrumbs: crumbs(org.code, org.name),
      })
    }
    app.get(
      '/orgs/:orgCode/payroll/runs/:runId',
      { config: readPage, schema: { hide: true, params: RunParams } },
      async (request, reply) => renderRun(request, reply, request.params.runId),
    )
    const pageAction = (
      action: string,
      config: Config,
      act: (request: FastifyRequest<{ Params: { orgCode: string; runId: string } }>) => Promise<unknown>,
    ) =>
      app.post(
        `/orgs/:orgCode/payroll/runs/:runId/${action}`,
        { config, schema: { hide: true, params: RunParams } },
        async (request, reply) => {
          try {
            await act(request)
            return reply.redirect(payrollPaths.run(request.org!.code, request.params.runId), 303)
          } catch (error) {
            if (!(error instanceof AppError)) throw error
            reply.code(error.status)
            const fieldErrors = error.fieldErrors.length
              ? error.fieldErrors
              : [{ field: `/${action}`, message: error.message }]
            return renderRun(
              request,
              reply,
              request.params.runId,
              formErrors(fieldErrors, { [action]: action, acknowledgedExceptions: 'acknowledgedExceptions' }),
            )
          }
        },
      )
    pageAction('calculate', runPage, async (request) => {
      const started = await runs.start(db, request.tenant, request.org!.id, request.params.runId)
      started.finished.catch((error: unknown) =>
        request.log.error({ err: error }, 'pay run calculation stopped'),
      )
    })
    pageAction('review', runPage, async (request) => {
      const text = formText(request)
      const run = await request.withTx((trx) => runs.get(trx, request.org!.id, request.params.runId))
      const acknowledged =
        text('acknowledgedExceptions') === 'yes' ? run.exceptionCount : run.exceptionCount === 0 ? 0 : -1
      await request.withTx((trx) =>
        runs.review(trx, request.org!.id, request.params.runId, request.principal!.userId, acknowledged),
      )
    })
    pageAction('approve', approvePage, (request) =>
      request.withTx((trx) =>
        runs.approve(trx, request.org!.id, request.params.runId, request.principal!.userId),
      ),
    )
    pageAction('pay', approvePage, (request) =>
      request.withTx((trx) =>
        runs.markPaid(trx, request.org!.id, request.params.runId, request.principal!.userId),
      ),
    )
    pageAction('lock', approvePage, (request) =>
      request.withTx((trx) => runs.lock(trx, request.org!.id, request.params.runId)),
    )

    app.get(
      '/orgs/:orgCode/payroll/runs/:runId/payslip.pdf',
      { config: readPage, schema: { hide: true, params: RunParams, querystring: EmployeeQuery } },
      async (request, reply) => sendPayslipPdf(request, reply, request.params.runId, request.query.employee),
    )
    app.get(
      '/orgs/:orgCode/payroll/runs/:runId/fps.xml',
      { config: approvePage, schema: { hide: true, params: RunParams } },
      async (request, reply) => {
        const xml = await request.withTx((trx) => outputs.fps(trx, request.org!.id, request.params.runId))
        return reply
          .type('application/xml; charset=utf-8')
          .header('content-disposition', 'attachment; filename="fps.xml"')
          .send(xml)
      },
    )
    app.get(
      '/orgs/:orgCode/payroll/runs/:runId/bacs.txt',
      { config: approvePage, schema: { hide: true, params: RunParams } },
      async (request, reply) => {
        const text = await request.withTx((trx) => outputs.bacs(trx, request.org!.id, request.params.runId))
        return reply
          .type('text/plain; charset=us-ascii')
          .header('content-disposition', 'attachment; filename="bacs.txt"')
          .send(text)
      },
    )

    // Pay elements.
    const itemsPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      values: Record<string, string>,
      errors?: ReturnType<typeof formErrors>,
    ) => {
      const org = request.org!
      const items = await request.withTx((trx) => payroll.listItems(trx, org.id))
      return reply.page('payroll/views/pay-items.njk', {
        pageTitle: `Pay elements – ${org.name}`,
        org,
        items,
        values,
        errors,
        canRun: can(request.principal!, 'payroll:run', org.id),
        paths: payrollPaths,
        breadcrumbs: crumbs(org.code, org.name),
      })
    }
    app.get(
      '/orgs/:orgCode/payroll/pay-items',
      { config: readPage, schema: { hide: true, params: OrgParams } },
      async (request, reply) => itemsPage(request, reply, { kind: 'allowance' }),
    )
    app.post(
      '/orgs/:orgCode/payroll/pay-items',
      { config: runPage, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const text = formText(request)
        const values = {
          employeeNumber: text('employeeNumber'),
          kind: text('kind'),
          description: text('description'),
          amount: text('amount'),
          days: text('days'),
          paidFrom: text('paidFrom'),
          paidTo: text('paidTo'),
          pensionable: text('pensionable'),
        }
        try {
          let amountPence = 0
          if (values.kind !== 'unpaid-leave') {
            try {
              amountPence = parseMoney(values.amount)
            } catch {
              amountPence = -1
            }
          }
          await request.withTx((trx) =>
            payroll.addItem(
              trx,
              request.org!.id,
              {
                employeeNumber: values.employeeNumber,
                kind: values.kind as PayItemKind,
                description: values.description,
                amountPence,
                days: values.days ? Number(values.days) : undefined,
                pensionable: values.pensionable === 'yes',
                paidFrom: values.paidFrom,
                paidTo: values.paidTo || undefined,
              },
              request.principal!.userId,
            ),
          )
          return reply.redirect(`${payrollPaths.items(request.org!.code)}?added=1`, 303)
        } catch (error) {
          if (!(error instanceof AppError) || error.fieldErrors.length === 0) throw error
          reply.code(error.status)
          return itemsPage(request, reply, values, formErrors(error.fieldErrors))
        }
      },
    )

    // Settings.
    const settingsPage = (
      request: FastifyRequest,
      values: Record<string, string>,
      errors?: ReturnType<typeof formErrors>,
    ) => {
      const org = request.org!
      return {
        pageTitle: `Payroll settings – ${org.name}`,
        org,
        values,
        errors,
        paths: payrollPaths,
        breadcrumbs: crumbs(org.code, org.name),
      }
    }
    app.get(
      '/orgs/:orgCode/payroll/settings',
      { config: approvePage, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const current = await request.withTx((trx) => payroll.getSettings(trx, request.org!.id))
        const values: Record<string, string> = current
          ? {
              employerPayeReference: current.employer_paye_reference,
              accountsOfficeReference: current.accounts_office_reference,
              bacsServiceUserNumber: current.bacs_service_user_number,
              bacsServiceUserName: current.bacs_service_user_name,
              sortCode: current.sort_code,
              accountNumber: current.account_number,
              accountName: current.account_name,
            }
          : {}
        return reply.page('payroll/views/settings.njk', settingsPage(request, values))
      },
    )
    app.post(
      '/orgs/:orgCode/payroll/settings',
      { config: approvePage, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const text = formText(request)
        const values = Object.fromEntries(
          [
            'employerPayeReference',
            'accountsOfficeReference',
            'bacsServiceUserNumber',
            'bacsServiceUserName',
            'sortCode',
            'accountNumber',
            'accountName',
          ].map((name) => [name, text(name)]),
        )
        try {
          await request.withTx((trx) => payroll.setSettings(trx, request.org!.id, values as never))
          return reply.redirect(`${payrollPaths.home(request.org!.code)}?saved=1`, 303)
        } catch (error) {
          if (!(error instanceof AppError) || error.fieldErrors.length === 0) throw error
          reply.code(error.status)
          return reply.page(
            'payroll/views/settings.njk',
            settingsPage(request, values, formErrors(error.fieldErrors)),
          )
        }
      },
    )

    // Year end: P60 and P45 figures.
    app.get(
      '/orgs/:orgCode/payroll/year-end',
      {
        config: readPage,
        schema: {
          hide: true,
          params: OrgParams,
          querystring: Type.Object({ taxYear: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}$' })) }),
        },
      },
      async (request, reply) => {
        const org = request.org!
        const taxYear = request.query.taxYear ?? taxYearOf(new Date().toISOString().slice(0, 10))
        const [p60, p45] = await request.withTx((trx) =>
          Promise.all([outputs.p60(trx, org.id, taxYear), outputs.p45(trx, org.id, taxYear)]),
        )
        return reply.page('payroll/views/year-end.njk', {
          pageTitle: `Year end ${taxYear} – ${org.name}`,
          org,
          taxYear,
          p60: p60.slice(0, 200),
          p60Count: p60.length,
          p45,
          paths: payrollPaths,
          breadcrumbs: crumbs(org.code, org.name),
        })
      },
    )

    app.get(
      '/orgs/:orgCode/payroll/year-end/p45/:employmentId',
      { config: readPage, schema: { hide: true, params: LeaverParams } },
      async (request, reply) => {
        const org = request.org!
        const p45 = await request.withTx((trx) =>
          outputs.p45ForLeaver(trx, org.id, request.params.employmentId),
        )
        const taxYear = taxYearOf(p45.leavingDate)
        return reply.page('payroll/views/p45.njk', {
          pageTitle: `P45: ${p45.name} – ${org.name}`,
          org,
          p45,
          taxYear,
          paths: payrollPaths,
          breadcrumbs: [
            ...crumbs(org.code, org.name),
            { text: `Year end ${taxYear}`, href: `${payrollPaths.yearEnd(org.code)}?taxYear=${taxYear}` },
          ],
        })
      },
    )

    // --- Self-service payslips: only the signed-in person's own ------------------------------
    const selfPage = { permission: 'self:read' as const, kind: 'page' as const }
    app.get(
      '/self-service/payslips',
      { config: selfPage, schema: { hide: true } },
      async (request, reply) => {
        const slips = await request.withTx((trx) => outputs.myPayslips(trx, request.principal!.userId))
        return reply.page('payroll/views/my-payslips.njk', {
          pageTitle: 'Your payslips',
          slips,
          paths: payrollPaths,
          breadcrumbs: [{ text: 'Home', href: '/' }],
        })
      },
    )
    app.get(
      '/self-service/payslips/:runId',
      { config: selfPage, schema: { hide: true, params: SelfRunParams } },
      async (request, reply) => {
        const slip = await request.withTx((trx) =>
          outputs.myPayslip(trx, request.principal!.userId, request.params.runId),
        )
        return reply.page('payroll/views/my-payslip.njk', {
          pageTitle: `Payslip ${slip.payDate}`,
          slip,
          paths: payrollPaths,
          breadcrumbs: [
            { text: 'Home', href: '/' },
            { text: 'Your payslips', href: payrollPaths.myPayslips },
          ],
        })
      },
    )
    app.get(
      '/self-service/payslips/:runId/pdf',
      { config: selfPage, schema: { hide: true, params: SelfRunParams } },
      async (request, reply) => {
        const { slip, employer } = await request.withTx(async (trx) => {
          const slip = await outputs.myPayslip(trx, request.principal!.userId, request.params.runId)
          const run = await trx
            .selectFrom('pay_runs')
            .select('org_id')
            .where('id', '=', slip.runId)
            .executeTakeFirstOrThrow()
          const org = await trx
            .selectFrom('organisations')
            .select('name')
            .where('id', '=', run.org_id)
            .executeTakeFirst()
          return { slip, employer: org?.name ?? 'Employer' }
        })
        const pdf = await outputsPdf(slip, employer)
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="payslip-${slip.payDate}.pdf"`)
          .send(pdf)
      },
    )
  }
}
