// The self-service API (/api/v1/self-service/...): the signed-in employee's own details, leave and
// expense claims, and a line manager's decisions on their team's requests and claims. No path
// names an organisation or a person: everything starts from the caller (people.user_id).
import type { App } from '../../platform/http/app.ts'
import { IdempotencyKeyHeader } from '../../platform/http/schemas.ts'
import { todayIso } from '../absence/dates.ts'
import { RECEIPT_BYTES_MAX } from '../expenses/service.ts'
import {
  ClaimBody,
  ClaimParams,
  DecisionBody,
  LeaveRequestBody,
  ReceiptParams,
  ReceiptQuery,
  RequestParams,
} from './schema.ts'
import type { SelfService } from './service.ts'

const api = (summary: string) => ({ tags: ['self-service'], summary })
const read = { permission: 'self:read' as const, kind: 'api' as const }
const submit = { permission: 'self:submit' as const, kind: 'api' as const }
export const RECEIPT_CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png']

export async function selfServiceApi(app: App, self: SelfService): Promise<void> {
  const user = (request: { principal: { userId: string } | null }) => request.principal!.userId

  app.get(
    '/api/v1/self-service/me',
    { config: read, schema: api('Your own details and employments') },
    async (request) => request.withTx((trx) => self.me(trx, user(request), todayIso())),
  )

  app.get(
    '/api/v1/self-service/leave',
    { config: read, schema: api('Your annual leave balance in each current post, and your leave requests') },
    async (request) => request.withTx((trx) => self.leave(trx, user(request), todayIso())),
  )
  app.post(
    '/api/v1/self-service/leave-requests',
    {
      config: submit,
      schema: {
        ...api(
          'Ask for leave: working days are counted without weekends and bank holidays; your line manager decides',
        ),
        headers: IdempotencyKeyHeader,
        body: LeaveRequestBody,
      },
    },
    async (request, reply) => {
      const created = await request.withTx((trx) =>
        self.requestLeave(trx, user(request), todayIso(), request.body),
      )
      return reply.code(201).send(created)
    },
  )
  app.get(
    '/api/v1/self-service/leave-requests/:requestId',
    {
      config: read,
      schema: { ...api('One of your leave requests, or one of your team’s'), params: RequestParams },
    },
    async (request) =>
      request.withTx((trx) => self.leaveRequest(trx, user(request), todayIso(), request.params.requestId)),
  )
  app.post(
    '/api/v1/self-service/leave-requests/:requestId/cancellation',
    {
      config: submit,
      schema: {
        ...api('Cancel your pending request, or approved leave not yet started'),
        headers: IdempotencyKeyHeader,
        params: RequestParams,
      },
    },
    async (request) =>
      request.withTx((trx) => self.cancelLeave(trx, user(request), todayIso(), request.params.requestId)),
  )

  app.get(
    '/api/v1/self-service/team',
    {
      config: read,
      schema: api('The people you manage today, with their leave requests and claims waiting for you'),
    },
    async (request) => request.withTx((trx) => self.team(trx, user(request), todayIso())),
  )
  app.post(
    '/api/v1/self-service/team/leave-requests/:requestId/decision',
    {
      config: submit,
      schema: {
        ...api('Approve or reject a leave request of someone you manage (never your own)'),
        headers: IdempotencyKeyHeader,
        params: RequestParams,
        body: DecisionBody,
      },
    },
    async (request) =>
      request.withTx((trx) =>
        self.decideLeave(
          trx,
          user(request),
          todayIso(),
          request.params.requestId,
          request.body.decision,
          request.body.note,
        ),
      ),
  )

  app.get(
    '/api/v1/self-service/expense-claims',
    { config: read, schema: api('Your expense claims, newest first') },
    async (request) => ({
      items: await request.withTx((trx) => self.claims(trx, user(request), todayIso())),
    }),
  )
  app.post(
    '/api/v1/self-service/expense-claims',
    {
      config: submit,
      schema: {
        ...api(
          'Start an expense claim (a draft): mileage is priced at HMRC’s approved rates, lines are checked against policy limits',
        ),
        headers: IdempotencyKeyHeader,
        body: ClaimBody,
      },
    },
    async (request, reply) => {
      const claim = await request.withTx((trx) =>
        self.createClaim(trx, user(request), todayIso(), request.body),
      )
      return reply.code(201).send(claim)
    },
  )
  app.get(
    '/api/v1/self-service/expense-claims/:claimId',
    { config: read, schema: { ...api('One of your claims, or one of your team’s'), params: ClaimParams } },
    async (request) =>
      request.withTx((trx) => self.claim(trx, user(request), todayIso(), request.params.claimId)),
  )

  // Receipts arrive as the raw file (PDF, JPEG or PNG); the service checks the bytes themselves.
  for (const type of RECEIPT_CONTENT_TYPES) {
    if (!app.hasContentTypeParser(type))
      app.addContentTypeParser(
        type,
        { parseAs: 'buffer', bodyLimit: RECEIPT_BYTES_MAX },
        (_request, body, done) => done(null, body),
      )
  }
  app.post(
    '/api/v1/self-service/expense-claims/:claimId/receipts',
    {
      config: submit,
      bodyLimit: RECEIPT_BYTES_MAX,
      schema: {
        ...api(
          'Attach a receipt to your draft claim: send the file as application/pdf, image/jpeg or image/png (at most 5 MB)',
        ),
        headers: IdempotencyKeyHeader,
        params: ClaimParams,
        querystring: ReceiptQuery,
        consumes: RECEIPT_CONTENT_TYPES,
      },
    },
    async (request, reply) => {
      const receipt = await request.withTx((trx) =>
        self.addReceipt(trx, user(request), todayIso(), request.params.claimId, {
          fileName: request.query.fileName ?? 'receipt',
          contentType: String(request.headers['content-type'] ?? ''),
          content: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          lineNo: request.query.lineNo,
        }),
      )
      return reply.code(201).send(receipt)
    },
  )
  app.get(
    '/api/v1/self-service/expense-claims/:claimId/receipts/:receiptId',
    {
      config: read,
      schema: { ...api('Download a receipt of your claim, or of your team’s'), params: ReceiptParams },
    },
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
    '/api/v1/self-service/expense-claims/:claimId/submission',
    {
      config: submit,
      schema: {
        ...api(
          'Submit your draft claim to your line manager (each line over the receipt threshold needs its receipt)',
        ),
        headers: IdempotencyKeyHeader,
        params: ClaimParams,
      },
    },
    async (request) =>
      request.withTx((trx) => self.submitClaim(trx, user(request), todayIso(), request.params.claimId)),
  )
  app.post(
    '/api/v1/self-service/team/expense-claims/:claimId/decision',
    {
      config: submit,
      schema: {
        ...api(
          'Approve (posting it to the ledger on the claimant’s cost centre) or reject a claim of someone you manage',
        ),
        headers: IdempotencyKeyHeader,
        params: ClaimParams,
        body: DecisionBody,
      },
    },
    async (request) =>
      request.withTx((trx) =>
        self.decideClaim(
          trx,
          user(request),
          todayIso(),
          request.params.claimId,
          request.body.decision,
          request.body.note,
        ),
      ),
  )
}
