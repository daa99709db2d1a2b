// The recharge pages: raise a recharge to another organisation on the platform, see what has been
// charged both ways with what is not yet agreed (the unmatched balances, for both sides), and agree
// or dispute a recharge received. GOV.UK patterns, no JavaScript needed, post/redirect/get.
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AppError, ValidationError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { formErrors } from '../platform/http/views.ts'
import { parseMoney } from '../platform/money.ts'
import { can } from '../platform/tenancy.ts'
import type { Recharges, RechargeView } from './recharges.ts'
import { OrgParams } from './schema.ts'

const base = (code: string) => `/orgs/${encodeURIComponent(code)}/finance/recharges`
export const rechargePaths = {
  list: base,
  unmatched: (code: string) => `${base(code)}?show=unmatched`,
  raise: (code: string) => `${base(code)}/new`,
  recharge: (code: string, id: string) => `${base(code)}/${encodeURIComponent(id)}`,
  agree: (code: string, id: string) => `${base(code)}/${encodeURIComponent(id)}/agree`,
  dispute: (code: string, id: string) => `${base(code)}/${encodeURIComponent(id)}/dispute`,
}

const RechargeParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  rechargeId: Type.String({ format: 'uuid' }),
})

const STATUS_TAGS: Record<string, string> = {
  proposed: 'govuk-tag--blue',
  agreed: 'govuk-tag--green',
  disputed: 'govuk-tag--red',
}

function formText(request: FastifyRequest) {
  const body = (request.body ?? {}) as Record<string, unknown>
  return (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
}

function typedDate(read: (name: string) => string, prefix: string): string {
  const day = read(`${prefix}-day`)
  const month = read(`${prefix}-month`)
  const year = read(`${prefix}-year`)
  if (!day && !month && !year) return ''
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
}

function isRealDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
}

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

const NOTICES: Record<string, string> = {
  raised: 'Recharge raised: the receivable is posted',
  agreed: 'Recharge agreed: the payable is posted',
  disputed: 'Recharge disputed',
}

const todayIso = () => new Date().toISOString().slice(0, 10)

/** Not yet agreed, summed per other organisation: what each side still has to settle. */
function unmatchedBalances(list: RechargeView[]) {
  const byOrg = new Map<
    string,
    { code: string; name: string; receivablePence: number; payablePence: number }
  >()
  for (const recharge of list) {
    if (recharge.status === 'agreed') continue
    const other = recharge.direction === 'receivable' ? recharge.counterparty : recharge.raisingOrg
    const entry = byOrg.get(other.code) ?? {
      code: other.code,
      name: other.name,
      receivablePence: 0,
      payablePence: 0,
    }
    if (recharge.direction === 'receivable') entry.receivablePence += recharge.amountPence
    else entry.payablePence += recharge.amountPence
    byOrg.set(other.code, entry)
  }
  return [...byOrg.values()].sort((a, b) => a.name.localeCompare(b.name))
}

export async function rechargePages(app: App, recharges: Recharges): Promise<void> {
  const read = { permission: 'finance:read' as const, kind: 'page' as const }
  const post = { permission: 'finance:post' as const, kind: 'page' as const }
  const approve = { permission: 'finance:approve' as const, kind: 'page' as const }
  const crumbs = (request: FastifyRequest, more = false) => [
    { text: 'Home', href: '/' },
    {
      text: `Finance – ${request.org!.name}`,
      href: `/orgs/${encodeURIComponent(request.org!.code)}/finance`,
    },
    ...(more ? [{ text: 'Recharges', href: rechargePaths.list(request.org!.code) }] : []),
  ]

  app.get(
    '/orgs/:orgCode/finance/recharges',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const current = request.org!
      const query = request.query as Record<string, string>
      const unmatchedOnly = query.show === 'unmatched'
      const all = await request.withTx((trx) => recharges.list(trx, current.id))
      const shown = (unmatchedOnly ? all.filter((recharge) => recharge.status !== 'agreed') : all).map(
        (recharge) => ({ ...recharge, tag: STATUS_TAGS[recharge.status] }),
      )
      return reply.page('finance/views/recharges.njk', {
        pageTitle: `Recharges – ${current.name}`,
        org: current,
        unmatchedOnly,
        raised: shown.filter((recharge) => recharge.direction === 'receivable'),
        received: shown.filter((recharge) => recharge.direction === 'payable'),
        balances: unmatchedBalances(all),
        notice: NOTICES[query.done ?? ''],
        canRaise: can(request.principal!, 'finance:post', current.id),
        breadcrumbs: crumbs(request),
        paths: rechargePaths,
      })
    },
  )

  const raisePage = async (
    request: FastifyRequest,
    values: Record<string, string>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const current = request.org!
    const organisations = await request.withTx((trx) =>
      trx
        .selectFrom('organisations')
        .select(['code', 'name'])
        .where('id', '<>', current.id)
        .orderBy('name')
        .limit(1000)
        .execute(),
    )
    return {
      pageTitle: `Raise a recharge – ${current.name}`,
      org: current,
      values,
      errors,
      organisationItems: [
        { value: '', text: 'Choose an organisation' },
        ...organisations.map((other) => ({
          value: other.code,
          text: other.name,
          selected: other.code === values.counterpartyCode,
        })),
      ],
      dateItems: dateItems(values.date ?? '', 'date', Boolean(errors?.byField.date)),
      breadcrumbs: crumbs(request, true),
      paths: rechargePaths,
    }
  }
  app.get(
    '/orgs/:orgCode/finance/recharges/new',
    { config: post, schema: { hide: true, params: OrgParams } },
    async (request, reply) =>
      reply.page('finance/views/new-recharge.njk', await raisePage(request, { date: todayIso() })),
  )
  app.post(
    '/orgs/:orgCode/finance/recharges/new',
    { config: post, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const current = request.org!
      const text = formText(request)
      const values = {
        counterpartyCode: text('counterpartyCode'),
        description: text('description'),
        amount: text('amount'),
        date: typedDate(text, 'date'),
        costCentreCode: text('costCentreCode'),
      }
      try {
        const problems: Array<{ field: string; message: string }> = []
        if (!values.counterpartyCode)
          problems.push({ field: '/counterpartyCode', message: 'Choose the organisation to recharge' })
        if (!values.description)
          problems.push({ field: '/description', message: 'Enter what the recharge is for' })
        else if (values.description.length > 500)
          problems.push({ field: '/description', message: 'The description must be 500 characters or fewer' })
        let amountPence = 0
        try {
          amountPence = parseMoney(values.amount, { allowSeparators: true })
          if (amountPence <= 0) throw new Error('not positive')
        } catch {
          problems.push({ field: '/amount', message: 'Enter the amount in pounds and pence, like 1250.00' })
        }
        if (!isRealDate(values.date))
          problems.push({ field: '/date', message: 'Enter the date of the recharge, like 30 4 2027' })
        if (problems.length > 0) throw new ValidationError(problems[0]!.message, problems)
        await request.withTx((trx) =>
          recharges.raise(
            trx,
            current.id,
            {
              counterpartyCode: values.counterpartyCode,
              description: values.description,
              amountPence,
              date: values.date,
              ...(values.costCentreCode ? { costCentreCode: values.costCentreCode } : {}),
            },
            request.principal!.userId,
          ),
        )
        return reply.redirect(`${rechargePaths.list(current.code)}?done=raised`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error
        reply.code(error.status)
        // The ledger names journal fields (/0/date, /0/lines/1/costCentreCode): point them at the form's.
        const problems = (
          error.fieldErrors.length ? error.fieldErrors : [{ field: '/date', message: error.message }]
        ).map((problem) =>
          /costCentre/.test(problem.field)
            ? { field: '/costCentreCode', message: problem.message }
            : /date|period/i.test(problem.field) || /^\/\d+$/.test(problem.field)
              ? { field: '/date', message: problem.message }
              : problem.field === '/amountPence'
                ? { field: '/amount', message: problem.message }
                : problem,
        )
        return reply.page(
          'finance/views/new-recharge.njk',
          await raisePage(request, values, formErrors(problems, { date: 'date-day' })),
        )
      }
    },
  )

  const rechargePage = async (
    request: FastifyRequest,
    id: string,
    extra: { date?: string; reason?: string; errors?: ReturnType<typeof formErrors> } = {},
  ) => {
    const current = request.org!
    const recharge = await request.withTx((trx) => recharges.get(trx, current.id, id))
    return {
      pageTitle: `Recharge: ${recharge.description} – ${current.name}`,
      org: current,
      recharge: { ...recharge, tag: STATUS_TAGS[recharge.status] },
      canDecide:
        recharge.direction === 'payable' &&
        recharge.status === 'proposed' &&
        can(request.principal!, 'finance:approve', current.id),
      dateItems: dateItems(extra.date ?? todayIso(), 'date', Boolean(extra.errors?.byField.date)),
      reason: extra.reason ?? '',
      errors: extra.errors,
      breadcrumbs: crumbs(request, true),
      paths: rechargePaths,
    }
  }
  app.get(
    '/orgs/:orgCode/finance/recharges/:rechargeId',
    { config: read, schema: { hide: true, params: RechargeParams } },
    async (request, reply) =>
      reply.page('finance/views/recharge.njk', await rechargePage(request, request.params.rechargeId)),
  )
  app.post(
    '/orgs/:orgCode/finance/recharges/:rechargeId/agree',
    { config: approve, schema: { hide: true, params: RechargeParams } },
    async (request, reply) => {
      const current = request.org!
      const date = typedDate(formText(request), 'date')
      try {
        if (!isRealDate(date))
          throw new ValidationError('Enter the date to post the payable', [
            { field: '/date', message: 'Enter the date to post the payable, like 30 4 2027' },
          ])
        await request.withTx((trx) =>
          recharges.agree(trx, current.id, request.params.rechargeId, date, request.principal!.userId),
        )
        return reply.redirect(`${rechargePaths.list(current.code)}?done=agreed`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error
        reply.code(error.status)
        return reply.page(
          'finance/views/recharge.njk',
          await rechargePage(request, request.params.rechargeId, {
            date,
            errors: formErrors(
              [{ field: '/date', message: error.fieldErrors[0]?.message ?? error.message }],
              {
                date: 'date-day',
              },
            ),
          }),
        )
      }
    },
  )
  app.post(
    '/orgs/:orgCode/finance/recharges/:rechargeId/dispute',
    { config: approve, schema: { hide: true, params: RechargeParams } },
    async (request, reply) => {
      const current = request.org!
      const reason = formText(request)('reason')
      try {
        if (reason.length > 2000)
          throw new ValidationError('The reason must be 2,000 characters or fewer', [
            { field: '/reason', message: 'The reason must be 2,000 characters or fewer' },
          ])
        await request.withTx((trx) =>
          recharges.dispute(trx, current.id, request.params.rechargeId, reason, request.principal!.userId),
        )
        return reply.redirect(`${rechargePaths.list(current.code)}?done=disputed`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error
        reply.code(error.status)
        return reply.page(
          'finance/views/recharge.njk',
          await rechargePage(request, request.params.rechargeId, {
            reason,
            errors: formErrors([
              { field: '/reason', message: error.fieldErrors[0]?.message ?? error.message },
            ]),
          }),
        )
      }
    },
  )
}
