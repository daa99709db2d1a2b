// Budgets over HTTP: load signed adjustments (JSON batch or CSV), read the current budget and
// forecast and the adjustments behind them, and a page showing them.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ValidationError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { IdempotencyKeyHeader, Problem } from '../../platform/http/schemas.ts'
import type { formErrors } from '../../platform/http/views.ts'
import { can } from '../../platform/tenancy.ts'
import { fiscalPeriodOf, fiscalYearLabel } from '../chart.ts'
import { OrgParams } from '../schema.ts'
import { BUDGET_IMPORT_COLUMNS, BUDGET_IMPORT_MAX_BYTES, importBudgetCsv } from './import.ts'
import {
  AdjustmentQuery,
  AdjustmentRowSchema,
  BudgetBatchResultSchema,
  BudgetBatchSchema,
  BudgetLineSchema,
  BudgetQuery,
} from './schema.ts'
import type { BudgetsService } from './service.ts'

export const budgetsPaths = {
  page: (org: string) => `/orgs/${encodeURIComponent(org)}/finance/budgets`,
  load: (org: string) => `/orgs/${encodeURIComponent(org)}/finance/budgets/load`,
  api: (org: string) => `/api/v1/orgs/${encodeURIComponent(org)}/budgets`,
}

export function budgetsRoutes(budgets: BudgetsService) {
  return async (app: App) => {
    const manage = { permission: 'budgets:manage' as const, kind: 'api' as const }
    const read = { permission: 'finance:read' as const, kind: 'api' as const }

    app.post(
      '/api/v1/orgs/:orgCode/budgets/adjustments',
      {
        config: manage,
        schema: {
          tags: ['finance'],
          summary: 'Add a batch of signed budget or forecast adjustments (all or nothing)',
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: BudgetBatchSchema,
          response: { 201: BudgetBatchResultSchema, 400: Problem, 403: Problem },
        },
      },
      async (request, reply) => {
        const result = await request.withTx((trx) =>
          budgets.addAdjustments(
            trx,
            request.org!.id,
            request.body.adjustments,
            request.principal!.userId,
            'api',
          ),
        )
        return reply.code(201).send(result)
      },
    )

    // The ledger's routes may already read text/csv as raw bytes; the importer decodes it itself.
    if (!app.hasContentTypeParser('text/csv'))
      app.addContentTypeParser(
        'text/csv',
        { parseAs: 'buffer', bodyLimit: BUDGET_IMPORT_MAX_BYTES },
        (_request, body, done) => done(null, body),
      )
    app.post(
      '/api/v1/orgs/:orgCode/budgets/import',
      {
        config: manage,
        bodyLimit: BUDGET_IMPORT_MAX_BYTES,
        schema: {
          tags: ['finance'],
          summary: `Load budget and forecast adjustments from CSV (columns: ${BUDGET_IMPORT_COLUMNS.join(', ')}); every bad row is reported and nothing loads until the file is clean`,
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          consumes: ['text/csv'],
          response: { 201: BudgetBatchResultSchema, 400: Problem, 403: Problem },
        },
      },
      async (request, reply) => {
        const result = await request.withTx((trx) =>
          importBudgetCsv(trx, budgets, request.org!.id, request.body as Buffer, request.principal!.userId),
        )
        return reply.code(201).send(result)
      },
    )

    app.get(
      '/api/v1/orgs/:orgCode/budgets',
      {
        config: read,
        schema: {
          tags: ['finance'],
          summary: 'The current budget and forecast of a year: the sum of the adjustments, per line',
          params: OrgParams,
          querystring: BudgetQuery,
          response: { 200: Type.Object({ items: Type.Array(BudgetLineSchema) }), 400: Problem },
        },
      },
      async (request) => ({
        items: await request.withTx((trx) =>
          budgets.currentBudget(trx, request.org!.id, request.query.fiscalYear, {
            ...(request.query.kind ? { kind: request.query.kind } : {}),
            ...(request.query.toPeriod ? { toPeriod: request.query.toPeriod } : {}),
          }),
        ),
      }),
    )

    app.get(
      '/api/v1/orgs/:orgCode/budgets/adjustments',
      {
        config: read,
        schema: {
          tags: ['finance'],
          summary: 'The adjustments of a year, newest first: who changed what, when and why',
          params: OrgParams,
          querystring: AdjustmentQuery,
          response: { 200: Type.Object({ items: Type.Array(AdjustmentRowSchema) }), 400: Problem },
        },
      },
      async (request) => {
        const { fiscalYear, ...options } = request.query
        return {
          items: await request.withTx((trx) =>
            budgets.listAdjustments(trx, request.org!.id, fiscalYear, options),
          ),
        }
      },
    )

    /** The budgets page; a failed load re-renders it with every problem and the text typed. */
    const budgetsPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      form: { csv?: string; errors?: ReturnType<typeof formErrors> } = {},
    ) => {
      const org = request.org!
      const query = request.query as Record<string, string | undefined>
      const fiscalYear = /^\d{4}$/.test(query.fiscalYear ?? '')
        ? Number(query.fiscalYear)
        : fiscalPeriodOf(new Date().toISOString().slice(0, 10)).fiscalYear
      const { lines, adjustments } = await request.withTx(async (trx) => ({
        lines: await budgets.currentBudget(trx, org.id, fiscalYear),
        adjustments: await budgets.listAdjustments(trx, org.id, fiscalYear, { limit: 50 }),
      }))
      return reply.page('finance/budgets/views/budgets.njk', {
        pageTitle: `Budgets – ${org.name}`,
        org,
        fiscalYear,
        fiscalYearLabel: fiscalYearLabel(fiscalYear),
        budgetLines: lines.filter((line) => line.kind === 'budget'),
        forecastLines: lines.filter((line) => line.kind === 'forecast'),
        adjustments,
        canManage: can(request.principal!, 'budgets:manage', org.id),
        loadAction: budgetsPaths.load(org.code),
        columns: BUDGET_IMPORT_COLUMNS.join(','),
        loaded: /^\d+$/.test(query.loaded ?? '') ? Number(query.loaded) : undefined,
        csv: form.csv ?? '',
        errors: form.errors,
        breadcrumbs: [
          { text: 'Home', href: '/' },
          { text: `Finance – ${org.name}`, href: `/orgs/${encodeURIComponent(org.code)}/finance` },
        ],
      })
    }

    app.get(
      '/orgs/:orgCode/finance/budgets',
      { config: { permission: 'finance:read', kind: 'page' }, schema: { hide: true, params: OrgParams } },
      async (request, reply) => budgetsPage(request, reply),
    )

    // Pasting CSV into a text area loads a file without JavaScript or multipart uploads.
    app.post(
      '/orgs/:orgCode/finance/budgets/load',
      { config: { permission: 'budgets:manage', kind: 'page' }, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        const body = (request.body ?? {}) as Record<string, unknown>
        const csv = typeof body.csv === 'string' ? body.csv : ''
        try {
          if (!csv.trim())
            throw new ValidationError('Paste the adjustments to load', [
              { field: '/csv', message: 'Paste the adjustments to load, with the header row' },
            ])
          const result = await request.withTx((trx) =>
            importBudgetCsv(trx, budgets, org.id, csv, request.principal!.userId),
          )
          return reply.redirect(`${budgetsPaths.page(org.code)}?loaded=${result.adjustmentCount}`, 303)
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          // Every problem goes in the summary, all pointing at the one text area.
          const errors = {
            summary: error.fieldErrors.map((problem) => ({ text: problem.message, href: '#csv' })),
            byField: {
              csv: {
                text:
                  error.fieldErrors.length === 1
                    ? error.fieldErrors[0]!.message
                    : `${error.fieldErrors.length} problems stop these adjustments loading; nothing was loaded`,
              },
            },
          }
          reply.code(400)
          return budgetsPage(request, reply, { csv, errors })
        }
      },
    )
  }
}
