// The self-service pages (/self-service): your details, leave (balance, requests, asking for leave,
// cancelling), expenses (claims with receipts, submitting), and for line managers the team with
// decisions on leave and claims. GOV.UK patterns, no JavaScript needed: forms post _csrf, failures
// re-render with the error summary and the values typed, success redirects (post/redirect/get).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type FieldError, NotFoundError, ValidationError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { formErrors } from '../../platform/http/views.ts'
import { MoneyFormatError, parseMoney } from '../../platform/money.ts'
import { todayIso } from '../absence/dates.ts'
import {
  MultipartError,
  multipartBoundary,
  parseMultipart,
  type UploadedFile,
} from '../expenses/multipart.ts'
import type { ExpenseLineInput } from '../expenses/service.ts'
import { RECEIPT_BYTES_MAX } from '../expenses/service.ts'
import type { ExpenseCategory, Vehicle } from '../expenses/tables.ts'
import { NOT_LINKED } from './access.ts'
import { ClaimParams, ReceiptParams, RequestParams } from './schema.ts'
import type { SelfService } from './service.ts'

/** Lines offered on the claim form (it works without JavaScript, so the rows are fixed). */
const FORM_LINES = 4

export const selfServicePaths = {
  home: '/self-service',
  newLeave: '/self-service/leave/new',
  leaveRequest: (id: string) => `/self-service/leave/${encodeURIComponent(id)}`,
  cancelLeave: (id: string) => `/self-service/leave/${encodeURIComponent(id)}/cancel`,
  decideLeave: (id: string) => `/self-service/leave/${encodeURIComponent(id)}/decision`,
  team: '/self-service/team',
  claims: '/self-service/expenses',
  newClaim: '/self-service/expenses/new',
  claim: (id: string) => `/self-service/expenses/${encodeURIComponent(id)}`,
  addReceipt: (id: string) => `/self-service/expenses/${encodeURIComponent(id)}/receipts`,
  receipt: (claimId: string, receiptId: string) =>
    `/self-service/expenses/${encodeURIComponent(claimId)}/receipts/${encodeURIComponent(receiptId)}`,
  submitClaim: (id: string) => `/self-service/expenses/${encodeURIComponent(id)}/submit`,
  decideClaim: (id: string) => `/self-service/expenses/${encodeURIComponent(id)}/decision`,
}

const STATUS_TAGS: Record<string, string> = {
  pending: 'govuk-tag--blue',
  draft: 'govuk-tag--grey',
  submitted: 'govuk-tag--blue',
  approved: 'govuk-tag--green',
  paid: 'govuk-tag--turquoise',
  rejected: 'govuk-tag--red',
  cancelled: 'govuk-tag--grey',
}

type Body = Record<string, unknown> & { _files?: UploadedFile[] }

function formText(request: FastifyRequest) {
  const body = (request.body ?? {}) as Body
  return (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
}

function uploaded(request: FastifyRequest, field: string): UploadedFile | undefined {
  return ((request.body ?? {}) as Body)._files?.find((file) => file.field === field)
}

const crumbs = (extra: Array<{ text: string; href: string }> = []) => [
  { text: 'Home', href: '/' },
  { text: 'My details', href: selfServicePaths.home },
  ...extra,
]

/** Field errors from a failed action, or undefined if the error is not one a form can show. */
function pageErrors(error: unknown, remap: (field: string) => string = (field) => field) {
  if (!(error instanceof AppError) || error instanceof NotFoundError) return undefined
  if (error.status === 403 && error.slug !== 'forbidden') return undefined
  const fields: FieldError[] = error.fieldErrors.length
    ? error.fieldErrors.map((entry) => ({ field: remap(entry.field), message: entry.message }))
    : [{ field: '/form', message: error.message }]
  return formErrors(fields)
}

/** The expense form's line fields, named line-N-field, from the service's /lines/N/field. */
const claimFieldRemap = (field: string) => {
  const match = /^\/lines\/(\d+)\/(\w+)$/.exec(field)
  if (!match) return field
  const name = { amountPence: 'amount', expenseDate: 'date' }[match[2]!] ?? match[2]
  return `/line-${match[1]}-${name}`
}

export async function selfServicePages(app: App, self: SelfService): Promise<void> {
  const read = { permission: 'self:read' as const, kind: 'page' as const }
  const submit = { permission: 'self:submit' as const, kind: 'page' as const }
  const user = (request: FastifyRequest) => request.principal!.userId

  // Receipt uploads: multipart/form-data, read whole under a limit and parsed strictly. The fields
  // become the body (so the CSRF check finds _csrf) with the files under _files.
  if (!app.hasContentTypeParser('multipart/form-data'))
    app.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: RECEIPT_BYTES_MAX * FORM_LINES + 100_000 },
      (request, body, done) => {
        const boundary = multipartBoundary(request.headers['content-type'])
        if (!boundary) return done(new ValidationError('The form data has no boundary'), undefined)
        try {
          const parsed = parseMultipart(body as Buffer, boundary)
          done(null, { ...parsed.fields, _files: parsed.files })
        } catch (error) {
          done(
            error instanceof MultipartError ? new ValidationError(error.message) : (error as Error),
            undefined,
          )
        }
      },
    )

  /** Renders the page, or the "not linked" page when the user has no HR record. */
  const linkedOr = async (reply: FastifyReply, fn: () => Promise<FastifyReply>) => {
    try {
      return await fn()
    } catch (error) {
      if (error instanceof NotFoundError && error.message === NOT_LINKED)
        return reply.page('hr/self-service/views/not-linked.njk', {
          pageTitle: 'My details',
          message: NOT_LINKED,
        })
      throw error
    }
  }

  // --- Home: details, employments, leave balance and requests -------------------------------
  app.get('/self-service', { config: read, schema: { hide: true } }, async (request, reply) =>
    linkedOr(reply, async () => {
      const today = todayIso()
      const [me, leave, team, claims] = await request.withTx(async (trx) => [
        await self.me(trx, user(request), today),
        await self.leave(trx, user(request), today),
        await self.team(trx, user(request), today),
        await self.claims(trx, user(request), today),
      ])
      const query = request.query as Record<string, string>
      return reply.page('hr/self-service/views/home.njk', {
        pageTitle: 'My details',
        me,
        balances: leave.balances,
        requests: leave.requests.map((r) => ({
          ...r,
          tag: STATUS_TAGS[r.status],
          cancellable: r.status === 'pending' || (r.status === 'approved' && r.startDate > today),
        })),
        claims: claims.slice(0, 5).map((c) => ({ ...c, tag: STATUS_TAGS[c.status] })),
        teamSize: team.members.length,
        // Payroll adds /self-service/payslips; the link shows once that page exists.
        payslipsHref: app.hasRoute({ method: 'GET', url: '/self-service/payslips' })
          ? '/self-service/payslips'
          : undefined,
        waiting: team.pendingLeave.length + team.pendingClaims.length,
        requested: query.requested === '1',
        cancelled: query.cancelled === '1',
        breadcrumbs: [{ text: 'Home', href: '/' }],
        paths: selfServicePaths,
      })
    }),
  )

  // --- Asking for leave ---------------------------------------------------------------------
  const leaveForm = async (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const me = await request.withTx((trx) => self.me(trx, user(request), todayIso()))
    const today = todayIso()
    const current = me.employments.filter((e) => e.startDate <= today && (!e.endDate || e.endDate >= today))
    return {
      pageTitle: 'Ask for leave',
      values,
      errors,
      employmentItems:
        current.length > 1
          ? current.map((e) => ({
              value: e.employmentId,
              text: `${e.positionTitle ?? 'Post'} – ${e.orgName}`,
              selected: e.employmentId === values.employmentId,
            }))
          : null,
      breadcrumbs: crumbs(),
      paths: selfServicePaths,
    }
  }
  app.get('/self-service/leave/new', { config: submit, schema: { hide: true } }, async (request, reply) =>
    linkedOr(reply, async () =>
      reply.page('hr/self-service/views/leave-new.njk', await leaveForm(request, { leaveType: 'annual' })),
    ),
  )
  app.post('/self-service/leave/new', { config: submit, schema: { hide: true } }, async (request, reply) => {
    const text = formText(request)
    const values = {
      employmentId: text('employmentId'),
      leaveType: (['annual', 'special', 'unpaid'].includes(text('leaveType'))
        ? text('leaveType')
        : 'annual') as 'annual',
      startDate: text('startDate'),
      endDate: text('endDate'),
      days: text('days'),
      note: text('note'),
    }
    try {
      await request.withTx((trx) =>
        self.requestLeave(trx, user(request), todayIso(), {
          employmentId: values.employmentId || undefined,
          leaveType: values.leaveType,
          startDate: values.startDate,
          endDate: values.endDate,
          days: values.days || undefined,
          note: values.note || undefined,
        }),
      )
      return reply.redirect(`${selfServicePaths.home}?requested=1`, 303)
    } catch (error) {
      const errors = pageErrors(error)
      if (!errors) throw error
      reply.code((error as AppError).status)
      return reply.page('hr/self-service/views/leave-new.njk', await leaveForm(request, values, errors))
    }
  })

  const leavePage = async (
    request: FastifyRequest,
    requestId: string,
    extra: Record<string, unknown> = {},
  ) => {
    const detail = await request.withTx((trx) => self.leaveRequest(trx, user(request), todayIso(), requestId))
    return {
      pageTitle: detail.mine ? 'Your leave request' : `Leave request from ${detail.employeeName}`,
      ...detail,
      tag: STATUS_TAGS[detail.request.status],
      breadcrumbs: crumbs(detail.mine ? [] : [{ text: 'My team', href: selfServicePaths.team }]),
      paths: selfServicePaths,
      ...extra,
    }
  }
  app.get(
    '/self-service/leave/:requestId',
    { config: read, schema: { hide: true, params: RequestParams } },
    async (request, reply) =>
      linkedOr(reply, async () => {
        const query = request.query as Record<string, string>
        return reply.page(
          'hr/self-service/views/leave-request.njk',
          await leavePage(request, request.params.requestId, { decided: query.decided }),
        )
      }),
  )
  app.post(
    '/self-service/leave/:requestId/cancel',
    { config: submit, schema: { hide: true, params: RequestParams } },
    async (request, reply) => {
      try {
        await request.withTx((trx) =>
          self.cancelLeave(trx, user(request), todayIso(), request.params.requestId),
        )
        return reply.redirect(`${selfServicePaths.home}?cancelled=1`, 303)
      } catch (error) {
        const errors = pageErrors(error)
        if (!errors) throw error
        reply.code((error as AppError).status)
        return reply.page(
          'hr/self-service/views/leave-request.njk',
          await leavePage(request, request.params.requestId, { errors }),
        )
      }
    },
  )
  app.post(
    '/self-service/leave/:requestId/decision',
    { config: submit, schema: { hide: true, params: RequestParams } },
    async (request, reply) => {
      const text = formText(request)
      const decision = text('decision')
      const note = text('note')
      try {
        if (decision !== 'approve' && decision !== 'reject')
          throw new ValidationError('Choose whether to approve or reject the request', [
            { field: '/decision', message: 'Choose whether to approve or reject the request' },
          ])
        await request.withTx((trx) =>
          self.decideLeave(
            trx,
            user(request),
            todayIso(),
            request.params.requestId,
            decision,
            note || undefined,
          ),
        )
        return reply.redirect(
          `${selfServicePaths.team}?decided=${decision === 'approve' ? 'approved' : 'rejected'}`,
          303,
        )
      } catch (error) {
        const errors = pageErrors(error)
        if (!errors) throw error
        reply.code((error as AppError).status)
        return reply.page(
          'hr/self-service/views/leave-request.njk',
          await leavePage(request, request.params.requestId, { errors, values: { decision, note } }),
        )
      }
    },
  )

  // --- The team (line managers) -------------------------------------------------------------
  app.get('/self-service/team', { config: read, schema: { hide: true } }, async (request, reply) =>
    linkedOr(reply, async () => {
      const team = await request.withTx((trx) => self.team(trx, user(request), todayIso()))
      const query = request.query as Record<string, string>
      return reply.page('hr/self-service/views/team.njk', {
        pageTitle: 'My team',
        ...team,
        decided: ['approved', 'rejected'].includes(query.decided ?? '') ? query.decided : undefined,
        breadcrumbs: crumbs(),
        paths: selfServicePaths,
      })
    }),
  )

  // --- Expenses -----------------------------------------------------------------------------
  app.get('/self-service/expenses', { config: read, schema: { hide: true } }, async (request, reply) =>
    linkedOr(reply, async () => {
      const claims = await request.withTx((trx) => self.claims(trx, user(request), todayIso()))
      return reply.page('hr/self-service/views/claims.njk', {
        pageTitle: 'My expense claims',
        claims: claims.map((c) => ({ ...c, tag: STATUS_TAGS[c.status] })),
        breadcrumbs: crumbs(),
        paths: selfServicePaths,
      })
    }),
  )

  const claimForm = async (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const me = await request.withTx((trx) => self.me(trx, user(request), todayIso()))
    const today = todayIso()
    const current = me.employments.filter((e) => e.startDate <= today && (!e.endDate || e.endDate >= today))
    const lines = (values.lines as Array<Record<string, string>> | undefined) ?? []
    return {
      pageTitle: 'Claim expenses',
      values,
      errors,
      employmentItems:
        current.length > 1
          ? current.map((e) => ({
              value: e.employmentId,
              text: `${e.positionTitle ?? 'Post'} – ${e.orgName}`,
              selected: e.employmentId === values.employmentId,
            }))
          : null,
      rows: Array.from({ length: FORM_LINES }, (_, index) => {
        const line = lines[index] ?? {}
        return {
          index,
          ...line,
          categoryItems: [
            { value: '', text: 'Choose a type' },
            ...[
              ['travel', 'Travel (fares, parking, taxis)'],
              ['subsistence', 'Subsistence (meals)'],
              ['hotel', 'Hotel'],
              ['mileage', 'Mileage in your own vehicle'],
            ].map(([value, text]) => ({ value, text, selected: line.category === value })),
          ],
          vehicleItems: [
            { value: '', text: 'Not mileage' },
            ...[
              ['car', 'Car or van'],
              ['motorcycle', 'Motorcycle'],
              ['bicycle', 'Bicycle'],
            ].map(([value, text]) => ({ value, text, selected: line.vehicle === value })),
          ],
        }
      }),
      breadcrumbs: crumbs([{ text: 'Expenses', href: selfServicePaths.claims }]),
      paths: selfServicePaths,
    }
  }
  app.get('/self-service/expenses/new', { config: submit, schema: { hide: true } }, async (request, reply) =>
    linkedOr(reply, async () =>
      reply.page('hr/self-service/views/claim-new.njk', await claimForm(request, {})),
    ),
  )
  app.post(
    '/self-service/expenses/new',
    { config: submit, bodyLimit: RECEIPT_BYTES_MAX * FORM_LINES + 100_000, schema: { hide: true } },
    async (request, reply) => {
      const text = formText(request)
      const rawLines = Array.from({ length: FORM_LINES }, (_, index) => ({
        date: text(`line-${index}-date`),
        category: text(`line-${index}-category`),
        description: text(`line-${index}-description`),
        amount: text(`line-${index}-amount`),
        nights: text(`line-${index}-nights`),
        london: text(`line-${index}-london`),
        vehicle: text(`line-${index}-vehicle`),
        miles: text(`line-${index}-miles`),
      }))
      const values = { employmentId: text('employmentId'), purpose: text('purpose'), lines: rawLines }
      const problems: FieldError[] = []
      const inputs: ExpenseLineInput[] = []
      const used: number[] = []
      rawLines.forEach((line, index) => {
        if (!line.date && !line.category && !line.description && !line.amount && !line.miles) return
        used.push(index)
        let amountPence: number | undefined
        if (line.category !== 'mileage') {
          try {
            amountPence = parseMoney(line.amount || '0', { allowSeparators: true })
          } catch (error) {
            if (!(error instanceof MoneyFormatError)) throw error
            problems.push({
              field: `/line-${index}-amount`,
              message: `Line ${index + 1}: enter the amount in pounds and pence, like 12.50`,
            })
          }
        }
        inputs.push({
          expenseDate: line.date,
          category: line.category as ExpenseCategory,
          description: line.description,
          amountPence,
          nights: line.category === 'hotel' ? Number(line.nights || 'NaN') : undefined,
          london: line.london === 'yes',
          vehicle:
            line.category === 'mileage' ? ((line.vehicle || undefined) as Vehicle | undefined) : undefined,
          miles: line.category === 'mileage' ? line.miles : undefined,
        })
      })
      // Service errors name /lines/N (N counts used rows only): map back to the form's row.
      const remap = (field: string) => {
        const match = /^\/lines\/(\d+)\/(.+)$/.exec(field)
        return match ? claimFieldRemap(`/lines/${used[Number(match[1])] ?? 0}/${match[2]}`) : field
      }
      try {
        if (problems.length) throw new ValidationError(problems[0]!.message, problems)
        const claim = await request.withTx(async (trx) => {
          const created = await self.createClaim(trx, user(request), todayIso(), {
            employmentId: values.employmentId || undefined,
            purpose: values.purpose,
            lines: inputs,
          })
          // Receipts chosen on the form go with their lines, in the same transaction.
          for (const [position, index] of used.entries()) {
            const file = uploaded(request, `line-${index}-receipt`)
            if (!file) continue
            try {
              await self.addReceipt(trx, user(request), todayIso(), created.id, {
                fileName: file.fileName,
                contentType: file.contentType,
                content: file.content,
                lineNo: position + 1,
              })
            } catch (error) {
              if (error instanceof AppError && error.fieldErrors.length)
                throw new ValidationError(error.message, [
                  {
                    field: `/line-${index}-receipt`,
                    message: `Line ${index + 1}: ${error.fieldErrors[0]!.message}`,
                  },
                ])
              throw error
            }
          }
          return created
        })
        return reply.redirect(`${selfServicePaths.claim(claim.id)}?created=1`, 303)
      } catch (error) {
        const errors = pageErrors(error, remap)
        if (!errors) throw error
        reply.code((error as AppError).status)
        return reply.page('hr/self-service/views/claim-new.njk', await claimForm(request, values, errors))
      }
    },
  )

  const claimPage = async (request: FastifyRequest, claimId: string, extra: Record<string, unknown> = {}) => {
    const detail = await request.withTx((trx) => self.claim(trx, user(request), todayIso(), claimId))
    return {
      pageTitle: `Expense claim ${detail.claim.reference}`,
      ...detail,
      tag: STATUS_TAGS[detail.claim.status],
      lineItems: detail.claim.lines.map((line) => ({
        value: String(line.lineNo),
        text: `Line ${line.lineNo}: ${line.description}`,
      })),
      receiptsByLine: Object.fromEntries(
        detail.claim.lines.map((line) => [
          line.lineNo,
          detail.claim.receipts.filter((r) => r.lineNo === line.lineNo),
        ]),
      ),
      breadcrumbs: crumbs(
        detail.mine
          ? [{ text: 'Expenses', href: selfServicePaths.claims }]
          : [{ text: 'My team', href: selfServicePaths.team }],
      ),
      paths: selfServicePaths,
      ...extra,
    }
  }
  app.get(
    '/self-service/expenses/:claimId',
    { config: read, schema: { hide: true, params: ClaimParams } },
    async (request, reply) =>
      linkedOr(reply, async () => {
        const query = request.query as Record<string, string>
        return reply.page(
          'hr/self-service/views/claim.njk',
          await claimPage(request, request.params.claimId, {
            created: query.created === '1',
            submitted: query.submitted === '1',
            attached: query.attached === '1',
            decided: query.decided,
          }),
        )
      }),
  )
  app.post(
    '/self-service/expenses/:claimId/receipts',
    { config: submit, bodyLimit: RECEIPT_BYTES_MAX + 100_000, schema: { hide: true, params: ClaimParams } },
    async (request, reply) => {
      const text = formText(request)
      const file = uploaded(request, 'receipt')
      try {
        const lineNo = Number(text('lineNo'))
        await request.withTx((trx) =>
          self.addReceipt(trx, user(request), todayIso(), request.params.claimId, {
            fileName: file?.fileName ?? '',
            contentType: file?.contentType ?? '',
            content: file?.content ?? Buffer.alloc(0),
            lineNo: Number.isInteger(lineNo) && lineNo > 0 ? lineNo : undefined,
          }),
        )
        return reply.redirect(`${selfServicePaths.claim(request.params.claimId)}?attached=1`, 303)
      } catch (error) {
        const errors = pageErrors(error)
        if (!errors) throw error
        reply.code((error as AppError).status)
        return reply.page(
          'hr/self-service/views/claim.njk',
          await claimPage(request, request.params.claimId, { errors }),
        )
      }
    },
  )
  app.get(
    '/self-service/expenses/:claimId/receipts/:receiptId',
    { config: read, schema: { hide: true, params: ReceiptParams } },
    async (request, reply) => {
      const file = await request.withTx((trx) =>
        self.receipt(trx, user(request), todayIso(), request.params.claimId, request.params.receiptId),
      )
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="${file.fileName.replace(/"/g, '')}"`)
        .header('x-content-type-options', 'nosniff')
        .send(file.content)
    },
  )
  app.post(
    '/self-service/expenses/:claimId/submit',
    { config: submit, schema: { hide: true, params: ClaimParams } },
    async (request, reply) => {
      try {
        await request.withTx((trx) =>
          self.submitClaim(trx, user(request), todayIso(), request.params.claimId),
        )
        return reply.redirect(`${selfServicePaths.claim(request.params.claimId)}?submitted=1`, 303)
      } catch (error) {
        const errors = pageErrors(error, (field) => (field.startsWith('/lines/') ? '/receipt' : field))
        if (!errors) throw error
        reply.code((error as AppError).status)
        return reply.page(
          'hr/self-service/views/claim.njk',
          await claimPage(request, request.params.claimId, { errors }),
        )
      }
    },
  )
  app.post(
    '/self-service/expenses/:claimId/decision',
    { config: submit, schema: { hide: true, params: ClaimParams } },
    async (request, reply) => {
      const text = formText(request)
      const decision = text('decision')
      const note = text('note')
      try {
        if (decision !== 'approve' && decision !== 'reject')
          throw new ValidationError('Choose whether to approve or reject the claim', [
            { field: '/decision', message: 'Choose whether to approve or reject the claim' },
          ])
        await request.withTx((trx) =>
          self.decideClaim(
            trx,
            user(request),
            todayIso(),
            request.params.claimId,
            decision,
            note || undefined,
          ),
        )
        return reply.redirect(
          `${selfServicePaths.team}?decided=${decision === 'approve' ? 'approved' : 'rejected'}`,
          303,
        )
      } catch (error) {
        const errors = pageErrors(error)
        if (!errors) throw error
        reply.code((error as AppError).status)
        return reply.page(
          'hr/self-service/views/claim.njk',
          await claimPage(request, request.params.claimId, { errors, values: { decision, note } }),
        )
      }
    },
  )
}
