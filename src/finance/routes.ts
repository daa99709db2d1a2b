// The ledger over HTTP: a batch posting API, trial balance, reversals and period control, and the
// pages a finance clerk and approver use. The organisation is in the path (/orgs/:orgCode/...).
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { NotFoundError, ValidationError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { IdempotencyKeyHeader, Problem } from '../platform/http/schemas.ts'
import { formErrors } from '../platform/http/views.ts'
import { parseMoney } from '../platform/money.ts'
import { can } from '../platform/tenancy.ts'
import { fiscalPeriodOf, fiscalYearLabel } from './chart.ts'
import { IMPORT_COLUMNS, IMPORT_MAX_BYTES, importJournalCsv } from './journal-import.ts'
import type { JournalInput, LedgerService } from './ledger.ts'
import { accountItems, openAccounts } from './options.ts'
import { rechargePages } from './recharge-pages.ts'
import { Recharges } from './recharges.ts'
import { RecurringJournals } from './recurring.ts'
import { toCsv, toXlsx, XLSX_CONTENT_TYPE } from './reports/export.ts'
import { trialBalanceTable } from './reports/tables.ts'
import {
  JournalBatch,
  OrgParams,
  PeriodChange,
  PeriodQuery,
  PostedJournalSchema,
  RecurringJournalSchema,
  ReversalRequest,
  TrialBalanceSchema,
} from './schema.ts'
import type { PeriodStatus } from './tables.ts'

/** Lines offered on the new-journal form (it works without JavaScript, so the rows are fixed). */
const FORM_LINES = 6

export const financePaths = {
  home: (org: string) => `/orgs/${encodeURIComponent(org)}/finance`,
  trialBalance: (org: string) => `/orgs/${encodeURIComponent(org)}/finance/trial-balance`,
  journals: (org: string) => `/orgs/${encodeURIComponent(org)}/finance/journals`,
  newJournal: (org: string) => `/orgs/${encodeURIComponent(org)}/finance/journals/new`,
  journal: (org: string, id: string) =>
    `/orgs/${encodeURIComponent(org)}/finance/journals/${encodeURIComponent(id)}`,
}

function currentFiscalYear(): number {
  return fiscalPeriodOf(new Date().toISOString().slice(0, 10)).fiscalYear
}

export function financeRoutes(ledger: LedgerService) {
  const recurring = new RecurringJournals(ledger)
  const recharges = new Recharges(ledger)
  return async (app: App) => {
    // --- API ------------------------------------------------------------------------------
    app.post(
      '/api/v1/orgs/:orgCode/journals',
      {
        config: { permission: 'finance:post', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary: 'Post a batch of balanced journals (all or nothing)',
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: JournalBatch,
          response: {
            201: Type.Object({ journals: Type.Array(PostedJournalSchema) }),
            400: Problem,
            403: Problem,
          },
        },
      },
      async (request, reply) => {
        const journals = await request.withTx((trx) =>
          ledger.postJournals(
            trx,
            request.org!.id,
            request.body.journals.map((journal) => ({ ...journal, source: 'api' as const })),
            request.principal!.userId,
          ),
        )
        return reply.code(201).send({ journals })
      },
    )

    // CSV arrives as raw bytes: the importer decodes and reports encoding problems itself.
    app.addContentTypeParser(
      'text/csv',
      { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES },
      (_request, body, done) => done(null, body),
    )
    app.post(
      '/api/v1/orgs/:orgCode/journals/import',
      {
        config: { permission: 'finance:post', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary: `Import journals from CSV (columns: ${IMPORT_COLUMNS.join(', ')}); every bad row is reported and nothing posts until the file is clean`,
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          consumes: ['text/csv'],
          response: { 201: Type.Object({ journals: Type.Array(PostedJournalSchema) }), 400: Problem },
        },
      },
      async (request, reply) => {
        const journals = await request.withTx((trx) =>
          importJournalCsv(trx, ledger, request.org!.id, request.body as Buffer, request.principal!.userId),
        )
        return reply.code(201).send({ journals })
      },
    )

    app.get(
      '/api/v1/orgs/:orgCode/trial-balance',
      {
        config: { permission: 'finance:read', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary: 'Trial balance to the end of a period',
          params: OrgParams,
          querystring: PeriodQuery,
          response: { 200: TrialBalanceSchema, 400: Problem },
        },
      },
      async (request) =>
        request.withTx((trx) =>
          ledger.trialBalance(trx, request.org!.id, request.query.fiscalYear, request.query.period ?? 12),
        ),
    )

    app.post(
      '/api/v1/orgs/:orgCode/journals/:journalId/reversal',
      {
        config: { permission: 'finance:post', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary: 'Reverse a posted journal (once)',
          headers: IdempotencyKeyHeader,
          params: Type.Object({ orgCode: Type.String(), journalId: Type.String({ format: 'uuid' }) }),
          body: ReversalRequest,
          response: { 201: PostedJournalSchema, 404: Problem, 422: Problem },
        },
      },
      async (request, reply) => {
        const reversal = await request.withTx((trx) =>
          ledger.reverseJournal(
            trx,
            request.org!.id,
            request.params.journalId,
            request.body.date,
            request.principal!.userId,
          ),
        )
        return reply.code(201).send(reversal)
      },
    )

    app.put(
      '/api/v1/orgs/:orgCode/periods/:fiscalYear/:period',
      {
        config: { permission: 'finance:approve', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary: 'Open, close or lock a period',
          headers: IdempotencyKeyHeader,
          params: Type.Object({
            orgCode: Type.String(),
            fiscalYear: Type.Integer({ minimum: 2000, maximum: 2200 }),
            period: Type.Integer({ minimum: 1, maximum: 12 }),
          }),
          body: PeriodChange,
          response: { 204: Type.Null(), 404: Problem, 422: Problem },
        },
      },
      async (request, reply) => {
        await request.withTx((trx) =>
          ledger.setPeriodStatus(
            trx,
            request.org!.id,
            request.params.fiscalYear,
            request.params.period,
            request.body.status as PeriodStatus,
          ),
        )
        return reply.code(204).send(null)
      },
    )

    app.post(
      '/api/v1/orgs/:orgCode/years/:fiscalYear/close',
      {
        config: { permission: 'finance:approve', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary:
            'Close a financial year: carry income and expenditure into the general fund, then lock every period',
          headers: IdempotencyKeyHeader,
          params: Type.Object({
            orgCode: Type.String(),
            fiscalYear: Type.Integer({ minimum: 2000, maximum: 2200 }),
          }),
          response: {
            200: Type.Object({ closingJournal: Type.Union([PostedJournalSchema, Type.Null()]) }),
            404: Problem,
            422: Problem,
          },
        },
      },
      async (request) => ({
        closingJournal: await request.withTx((trx) =>
          ledger.closeYear(trx, request.org!.id, request.params.fiscalYear, request.principal!.userId),
        ),
      }),
    )

    app.post(
      '/api/v1/orgs/:orgCode/recurring-journals',
      {
        config: { permission: 'finance:post', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary: 'Set up a journal that posts every month on a day of the month',
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: RecurringJournalSchema,
          response: { 201: Type.Object({ id: Type.String({ format: 'uuid' }) }), 400: Problem },
        },
      },
      async (request, reply) => {
        const id = await request.withTx((trx) =>
          recurring.create(trx, request.org!.id, request.body, request.principal!.userId),
        )
        return reply.code(201).send({ id })
      },
    )
    app.post(
      '/api/v1/orgs/:orgCode/recurring-journals/run',
      {
        config: { permission: 'finance:post', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary: 'Post every recurring journal instance due on or before a date (each posts once)',
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: Type.Object({ asOf: Type.String({ format: 'date' }) }, { additionalProperties: false }),
          response: {
            200: Type.Object({ journals: Type.Array(PostedJournalSchema) }),
            400: Problem,
            422: Problem,
          },
        },
      },
      async (request) => ({
        journals: await request.withTx((trx) =>
          recurring.runDue(trx, request.org!.id, request.body.asOf, request.principal!.userId),
        ),
      }),
    )

    const RechargeParams = Type.Object({
      orgCode: Type.String(),
      rechargeId: Type.String({ format: 'uuid' }),
    })
    app.post(
      '/api/v1/orgs/:orgCode/recharges',
      {
        config: { permission: 'finance:post', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary: 'Recharge another organisation on the platform (posts the receivable here)',
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: Type.Object(
            {
              counterpartyCode: Type.String({ maxLength: 60 }),
              description: Type.String({ minLength: 1, maxLength: 500 }),
              amountPence: Type.Integer({ minimum: 1 }),
              date: Type.String({ format: 'date' }),
              costCentreCode: Type.Optional(Type.String({ maxLength: 20 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ id: Type.String({ format: 'uuid' }) }), 400: Problem },
        },
      },
      async (request, reply) => {
        const id = await request.withTx((trx) =>
          recharges.raise(trx, request.org!.id, request.body, request.principal!.userId),
        )
        return reply.code(201).send({ id })
      },
    )
    app.get(
      '/api/v1/orgs/:orgCode/recharges',
      {
        config: { permission: 'finance:read', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary: 'Recharges raised and received; unmatched=true lists those not yet agreed',
          params: OrgParams,
          querystring: Type.Object(
            { unmatched: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => ({
        items: await request.withTx((trx) =>
          recharges.list(trx, request.org!.id, request.query.unmatched ?? false),
        ),
      }),
    )
    app.post(
      '/api/v1/orgs/:orgCode/recharges/:rechargeId/agree',
      {
        config: { permission: 'finance:approve', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary: 'Agree a recharge received (posts the payable here)',
          headers: IdempotencyKeyHeader,
          params: RechargeParams,
          body: Type.Object({ date: Type.String({ format: 'date' }) }, { additionalProperties: false }),
          response: { 204: Type.Null(), 404: Problem, 422: Problem },
        },
      },
      async (request, reply) => {
        await request.withTx((trx) =>
          recharges.agree(
            trx,
            request.org!.id,
            request.params.rechargeId,
            request.body.date,
            request.principal!.userId,
          ),
        )
        return reply.code(204).send(null)
      },
    )
    app.post(
      '/api/v1/orgs/:orgCode/recharges/:rechargeId/dispute',
      {
        config: { permission: 'finance:approve', kind: 'api' },
        schema: {
          tags: ['finance'],
          summary: 'Dispute a recharge received, with the reason',
          headers: IdempotencyKeyHeader,
          params: RechargeParams,
          body: Type.Object(
            { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
            { additionalProperties: false },
          ),
          response: { 204: Type.Null(), 404: Problem, 422: Problem },
        },
      },
      async (request, reply) => {
        await request.withTx((trx) =>
          recharges.dispute(
            trx,
            request.org!.id,
            request.params.rechargeId,
            request.body.reason,
            request.principal!.userId,
          ),
        )
        return reply.code(204).send(null)
      },
    )

    // --- Pages ----------------------------------------------------------------------------
    const read = { permission: 'finance:read' as const, kind: 'page' as const }
    const crumbs = (orgCode: string, orgName: string) => [
      { text: 'Home', href: '/' },
      { text: `Finance – ${orgName}`, href: financePaths.home(orgCode) },
    ]

    app.get('/finance', { config: read, schema: { hide: true } }, async (request, reply) => {
      // The domain's front door: the finance home of the organisation being acted for.
      const acting = request.tenant.actingOrgId
      const org = acting
        ? await request.withTx((trx) =>
            trx.selectFrom('organisations').select('code').where('id', '=', acting).executeTakeFirst(),
          )
        : undefined
      if (org && can(request.principal!, 'finance:read', acting!))
        return reply.redirect(financePaths.home(org.code))
      return reply.page('finance/views/choose.njk', { pageTitle: 'Finance' })
    })

    app.get(
      '/orgs/:orgCode/finance',
      { config: read, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        const fiscalYear = currentFiscalYear()
        const periods = await request.withTx((trx) => ledger.listPeriods(trx, org.id, fiscalYear))
        return reply.page('finance/views/home.njk', {
          pageTitle: `Finance – ${org.name}`,
          org,
          fiscalYearLabel: fiscalYearLabel(fiscalYear),
          periods,
          canPost: can(request.principal!, 'finance:post', org.id),
          breadcrumbs: [{ text: 'Home', href: '/' }],
          paths: financePaths,
        })
      },
    )

    app.get(
      '/orgs/:orgCode/finance/trial-balance',
      { config: read, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        const query = request.query as Record<string, string | undefined>
        const fiscalYear = /^\d{4}$/.test(query.fiscalYear ?? '')
          ? Number(query.fiscalYear)
          : currentFiscalYear()
        const period = /^(1[0-2]|[1-9])$/.test(query.period ?? '') ? Number(query.period) : 12
        const tb = await request.withTx((trx) => ledger.trialBalance(trx, org.id, fiscalYear, period))
        if (query.format === 'csv' || query.format === 'xlsx') {
          // The same table and files as the reports module's trial balance.
          const table = trialBalanceTable(tb)
          const name = `trial-balance-${org.code}-${fiscalYear}-p${period}`
          if (query.format === 'csv')
            return reply
              .type('text/csv; charset=utf-8')
              .header('content-disposition', `attachment; filename="${name}.csv"`)
              .send(toCsv(table))
          return reply
            .type(XLSX_CONTENT_TYPE)
            .header('content-disposition', `attachment; filename="${name}.xlsx"`)
            .send(await toXlsx(table))
        }
        return reply.page('finance/views/trial-balance.njk', {
          pageTitle: `Trial balance – ${org.name}`,
          org,
          tb,
          fiscalYearLabel: fiscalYearLabel(fiscalYear),
          periodOptions: Array.from({ length: 12 }, (_, i) => ({
            value: String(i + 1),
            text: `Period ${i + 1}`,
            selected: i + 1 === period,
          })),
          fiscalYear,
          breadcrumbs: crumbs(org.code, org.name),
          paths: financePaths,
        })
      },
    )

    app.get(
      '/orgs/:orgCode/finance/journals',
      { config: read, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        const journals = await request.withTx((trx) =>
          trx
            .selectFrom('journals')
            .select([
              'id',
              'number',
              'journal_date',
              'description',
              'source',
              'reverses_journal_id',
              'fiscal_year',
              'period',
            ])
            .where('org_id', '=', org.id)
            .orderBy('number', 'desc')
            .limit(100)
            .execute(),
        )
        return reply.page('finance/views/journals.njk', {
          pageTitle: `Journals – ${org.name}`,
          org,
          journals,
          canPost: can(request.principal!, 'finance:post', org.id),
          breadcrumbs: crumbs(org.code, org.name),
          paths: financePaths,
        })
      },
    )

    const post = { permission: 'finance:post' as const, kind: 'page' as const }
    const journalForm = async (
      request: FastifyRequest,
      values: Record<string, unknown>,
      errors?: ReturnType<typeof formErrors>,
    ) => {
      const org = request.org!
      const [accounts, costCentres] = await request.withTx(async (trx) => [
        await openAccounts(trx, org.id),
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
        pageTitle: `New journal – ${org.name}`,
        org,
        values,
        errors,
        rows: Array.from({ length: FORM_LINES }, (_, index) => {
          const line = lines[index] ?? {}
          return {
            index,
            debit: line.debit ?? '',
            credit: line.credit ?? '',
            accountItems: accountItems(accounts, line.account),
            costCentreItems: [
              { value: '', text: 'None' },
              ...costCentres.map((c) => ({
                value: c.code,
                text: `${c.code} ${c.name}`,
                selected: c.code === line.costCentre,
              })),
            ],
          }
        }),
        breadcrumbs: crumbs(org.code, org.name),
        paths: financePaths,
      }
    }

    app.get(
      '/orgs/:orgCode/finance/journals/new',
      { config: post, schema: { hide: true, params: OrgParams } },
      async (request, reply) =>
        reply.page(
          'finance/views/new-journal.njk',
          await journalForm(request, { date: new Date().toISOString().slice(0, 10) }),
        ),
    )

    app.post(
      '/orgs/:orgCode/finance/journals/new',
      { config: post, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = request.org!
        const body = (request.body ?? {}) as Record<string, unknown>
        const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
        const lines = Array.from({ length: FORM_LINES }, (_, index) => ({
          account: text(`line-${index}-account`),
          costCentre: text(`line-${index}-costCentre`),
          debit: text(`line-${index}-debit`),
          credit: text(`line-${index}-credit`),
        }))
        const values = {
          date: text('date'),
          description: text('description'),
          reference: text('reference'),
          lines,
        }
        const problems: Array<{ field: string; message: string }> = []
        const journal: JournalInput = {
          date: values.date,
          description: values.description,
          reference: values.reference || undefined,
          lines: [],
        }
        lines.forEach((line, index) => {
          if (!line.account && !line.debit && !line.credit) return
          const field = `/line-${index}`
          if (!line.account)
            problems.push({ field: `${field}-account`, message: `Line ${index + 1}: choose an account` })
          if (line.debit && line.credit)
            problems.push({
              field: `${field}-debit`,
              message: `Line ${index + 1}: enter a debit or a credit, not both`,
            })
          if (!line.debit && !line.credit)
            problems.push({
              field: `${field}-debit`,
              message: `Line ${index + 1}: enter a debit or a credit amount`,
            })
          let pence = 0
          try {
            pence = line.debit
              ? parseMoney(line.debit, { allowSeparators: true })
              : -parseMoney(line.credit || '0', { allowSeparators: true })
            if (pence === 0 && (line.debit || line.credit))
              problems.push({
                field: `${field}-debit`,
                message: `Line ${index + 1}: the amount must not be zero`,
              })
          } catch {
            problems.push({
              field: `${field}-${line.debit ? 'debit' : 'credit'}`,
              message: `Line ${index + 1}: enter an amount in pounds and pence, like 1250.00`,
            })
          }
          if (line.account && pence !== 0) {
            journal.lines.push({
              accountCode: line.account,
              costCentreCode: line.costCentre || undefined,
              amountMinor: pence,
            })
          }
        })
        try {
          if (problems.length > 0) throw new ValidationError('The journal has errors', problems)
          const [posted] = await request.withTx((trx) =>
            ledger.postJournals(trx, org.id, [journal], request.principal!.userId),
          )
          return reply.redirect(`${financePaths.journal(org.code, posted!.id)}?posted=1`, 303)
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          // Map the ledger's JSON pointers onto the form's field ids.
          const fields = error.fieldErrors.map((e) => {
            const line = /^\/journals\/0\/lines\/(\d+)\/(\w+)$/.exec(e.field)
            if (line)
              return {
                field: `/line-${line[1]}-account`,
                message: `Line ${Number(line[1]) + 1}: ${e.message}`,
              }
            const top = /^\/journals\/0\/(\w+)$/.exec(e.field)
            return {
              field: top ? `/${top[1] === 'lines' ? 'line-0-account' : top[1]}` : e.field,
              message: e.message,
            }
          })
          reply.code(400)
          return reply.page(
            'finance/views/new-journal.njk',
            await journalForm(request, values, formErrors(fields)),
          )
        }
      },
    )

    app.get(
      '/orgs/:orgCode/finance/journals/:journalId',
      {
        config: read,
        schema: {
          hide: true,
          params: Type.Object({ orgCode: Type.String(), journalId: Type.String({ format: 'uuid' }) }),
        },
      },
      async (request, reply) => {
        const org = request.org!
        const { journal, lines, reversal } = await request.withTx(async (trx) => ({
          journal: await trx
            .selectFrom('journals')
            .selectAll()
            .where('org_id', '=', org.id)
            .where('id', '=', request.params.journalId)
            .executeTakeFirst(),
          lines: await trx
            .selectFrom('journal_lines as l')
            .innerJoin('accounts as a', (join) =>
              join.onRef('a.org_id', '=', 'l.org_id').onRef('a.code', '=', 'l.account_code'),
            )
            .select([
              'l.line_no',
              'l.account_code',
              'a.name as account_name',
              'l.cost_centre_code',
              'l.currency',
              'l.amount_minor',
              'l.amount_pence',
              'l.description',
            ])
            .where('l.org_id', '=', org.id)
            .where('l.journal_id', '=', request.params.journalId)
            .orderBy('l.line_no')
            .execute(),
          reversal: await trx
            .selectFrom('journals')
            .select(['id', 'number'])
            .where('org_id', '=', org.id)
            .where('reverses_journal_id', '=', request.params.journalId)
            .executeTakeFirst(),
        }))
        if (!journal) throw new NotFoundError('There is no such journal')
        return reply.page('finance/views/journal.njk', {
          pageTitle: `Journal ${journal.number} – ${org.name}`,
          org,
          journal,
          lines,
          reversal,
          posted: (request.query as Record<string, string>).posted === '1',
          canReverse:
            can(request.principal!, 'finance:post', org.id) && !reversal && !journal.reverses_journal_id,
          today: new Date().toISOString().slice(0, 10),
          breadcrumbs: [
            ...crumbs(org.code, org.name),
            { text: 'Journals', href: financePaths.journals(org.code) },
          ],
          paths: financePaths,
        })
      },
    )

    app.post(
      '/orgs/:orgCode/finance/journals/:journalId/reverse',
      {
        config: post,
        schema: {
          hide: true,
          params: Type.Object({ orgCode: Type.String(), journalId: Type.String({ format: 'uuid' }) }),
        },
      },
      async (request, reply) => {
        const org = request.org!
        const body = (request.body ?? {}) as Record<string, unknown>
        const date = typeof body.date === 'string' ? body.date : ''
        const reversal = await request.withTx((trx) =>
          ledger.reverseJournal(trx, org.id, request.params.journalId, date, request.principal!.userId),
        )
        return reply.redirect(`${financePaths.journal(org.code, reversal.id)}?posted=1`, 303)
      },
    )

    await rechargePages(app, recharges)
  }
}
