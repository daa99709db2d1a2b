// HR records and JML over HTTP: /api/v1/orgs/:orgCode/hr/... (people, diversity, structure,
// employments as at a date, payroll details and tax codes, requests with approval, leavers for
// payroll), and the pages (pages.ts). Every write takes an Idempotency-Key.
import type { FastifyRequest } from 'fastify'
import type { Tx } from '../platform/db/index.ts'
import { ForbiddenError, NotFoundError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { IdempotencyKeyHeader } from '../platform/http/schemas.ts'
import { can } from '../platform/tenancy.ts'
import { todayIso } from './dates.ts'
import {
  approveRequest,
  getLeaver,
  getRequest,
  listLeavers,
  listRequests,
  type RequestInput,
  rejectRequest,
  submitRequest,
  widenTenant,
  withdrawRequest,
} from './jml.ts'
import { hrPages } from './pages.ts'
import { employmentAsAt, employmentsAsAt, managerOf, reportsOf } from './people.ts'
import {
  cancelFutureTerms,
  createGrade,
  createPerson,
  createPosition,
  createUnit,
  employmentsOfPerson,
  getDiversity,
  getEmployment,
  getPayrollDetails,
  getPerson,
  listGrades,
  listPayScales,
  listPeople,
  listPositions,
  listTaxCodes,
  listUnits,
  setDiversity,
  setPayrollDetails,
  setPayScaleFrom,
  setTaxCodeFrom,
  termsHistory,
  updatePerson,
} from './records.ts'
import {
  AsAtQuery,
  DateQuery,
  DiversityBody,
  EmploymentParams,
  GradeBody,
  LeaverListQuery,
  OrgParams,
  PayrollDetailsBody,
  PayScaleBody,
  PeopleQuery,
  PersonBody,
  PersonParams,
  PositionBody,
  RejectionBody,
  RequestBody,
  RequestListQuery,
  RequestParams,
  TaxCodeBody,
  TermsVersionParams,
  UnitBody,
} from './schema.ts'

const api = (summary: string) => ({ tags: ['hr'], summary })
const read = { permission: 'hr:read' as const, kind: 'api' as const }
const manage = { permission: 'hr:manage' as const, kind: 'api' as const }
const base = '/api/v1/orgs/:orgCode/hr'

/** The organisation id of a code, if the caller may see it. */
export async function orgIdOf(trx: Tx, code: string): Promise<string> {
  const row = await trx.selectFrom('organisations').select('id').where('code', '=', code).executeTakeFirst()
  if (!row) throw new NotFoundError(`No organisation ${code}`)
  return row.id
}

/**
 * Runs a request's JML work: a loan or transfer widens the transaction to the receiving
 * organisation too, once the principal is known to hold hr:manage there (widenTenant).
 */
export async function withRequestScope<T>(
  request: FastifyRequest,
  trx: Tx,
  targetOrgId: string | null,
  fn: () => Promise<T>,
): Promise<T> {
  if (targetOrgId) await widenTenant(trx, request.principal!, request.tenant, [request.org!.id, targetOrgId])
  return fn()
}

/** The body of POST .../requests in the service's terms (receiving organisation by id). */
export async function toRequestInput(
  trx: Tx,
  body: { kind: string; payload: Record<string, unknown> },
): Promise<{ input: RequestInput; targetOrgId: string | null }> {
  if (body.kind === 'loan' || body.kind === 'transfer') {
    const { targetOrgCode, ...rest } = body.payload as { targetOrgCode: string }
    // The receiving organisation's id: the directory is visible to everyone signed in.
    const targetOrgId = await orgIdOf(trx, targetOrgCode)
    return { input: { kind: body.kind, payload: { ...rest, targetOrgId } } as RequestInput, targetOrgId }
  }
  return { input: body as unknown as RequestInput, targetOrgId: null }
}

export function hrRoutes() {
  return async (app: App) => {
    // --- People ---------------------------------------------------------------------------
    app.get(
      `${base}/people`,
      {
        config: read,
        schema: {
          ...api('People of the organisation, with their employment as at a date'),
          params: OrgParams,
          querystring: PeopleQuery,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) => listPeople(trx, request.org!.id, request.query)),
      }),
    )
    app.post(
      `${base}/people`,
      {
        config: manage,
        schema: {
          ...api('Add a person whose home is this organisation (a joiner request also does this)'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: PersonBody,
        },
      },
      async (request, reply) =>
        reply.code(201).send(await request.withTx((trx) => createPerson(trx, request.org!.id, request.body))),
    )
    app.get(
      `${base}/people/:personId`,
      {
        config: read,
        schema: { ...api('One person and their employments visible to the caller'), params: PersonParams },
      },
      async (request) =>
        request.withTx(async (trx) => ({
          ...(await getPerson(trx, request.params.personId)),
          employments: await employmentsOfPerson(trx, request.params.personId),
        })),
    )
    app.put(
      `${base}/people/:personId`,
      {
        config: manage,
        schema: {
          ...api('Correct a person’s details (their home organisation only)'),
          headers: IdempotencyKeyHeader,
          params: PersonParams,
          body: PersonBody,
        },
      },
      async (request) =>
        request.withTx((trx) => updatePerson(trx, request.org!.id, request.params.personId, request.body)),
    )
    app.get(
      `${base}/people/:personId/diversity`,
      {
        config: { permission: 'hr:diversity:read', kind: 'api' },
        schema: { ...api('Diversity answers (held apart, tighter access)'), params: PersonParams },
      },
      async (request) => {
        const answers = await request.withTx(async (trx) => {
          await getPerson(trx, request.params.personId)
          return getDiversity(trx, request.org!.id, request.params.personId)
        })
        return { recorded: answers !== null, answers }
      },
    )
    app.put(
      `${base}/people/:personId/diversity`,
      {
        config: { permission: 'hr:diversity:read', kind: 'api' },
        schema: {
          ...api('Record diversity answers (needs hr:manage as well)'),
          headers: IdempotencyKeyHeader,
          params: PersonParams,
          body: DiversityBody,
        },
      },
      async (request) => {
        if (!can(request.principal!, 'hr:manage', request.org!.id))
          throw new ForbiddenError('You do not have permission to change HR records')
        return request.withTx((trx) =>
          setDiversity(trx, request.org!.id, request.params.personId, request.body),
        )
      },
    )
    app.get(
      `${base}/people/:personId/reports`,
      {
        config: read,
        schema: {
          ...api('The people this person line-manages on a date'),
          params: PersonParams,
          querystring: DateQuery,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) =>
          reportsOf(trx, request.org!.id, request.params.personId, request.query.date ?? todayIso()),
        ),
      }),
    )

    // --- Structure ------------------------------------------------------------------------
    app.get(
      `${base}/grades`,
      { config: read, schema: { ...api('Grades'), params: OrgParams } },
      async (request) => ({
        items: await request.withTx((trx) => listGrades(trx, request.org!.id)),
      }),
    )
    app.post(
      `${base}/grades`,
      {
        config: manage,
        schema: {
          ...api('Add a grade mapped to a civil service grade'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: GradeBody,
        },
      },
      async (request, reply) =>
        reply.code(201).send(await request.withTx((trx) => createGrade(trx, request.org!.id, request.body))),
    )
    app.get(
      `${base}/pay-scales`,
      {
        config: read,
        schema: { ...api('Pay ranges in force on a date'), params: OrgParams, querystring: AsAtQuery },
      },
      async (request) => ({
        items: await request.withTx((trx) =>
          listPayScales(trx, request.org!.id, request.query.asAt ?? todayIso()),
        ),
      }),
    )
    app.post(
      `${base}/pay-scales`,
      {
        config: manage,
        schema: {
          ...api('A grade’s pay range from a date'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: PayScaleBody,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await request.withTx((trx) => setPayScaleFrom(trx, request.org!.id, request.body))),
    )
    app.get(
      `${base}/units`,
      { config: read, schema: { ...api('Organisation units'), params: OrgParams } },
      async (request) => ({
        items: await request.withTx((trx) => listUnits(trx, request.org!.id)),
      }),
    )
    app.post(
      `${base}/units`,
      {
        config: manage,
        schema: { ...api('Add a unit'), headers: IdempotencyKeyHeader, params: OrgParams, body: UnitBody },
      },
      async (request, reply) =>
        reply.code(201).send(await request.withTx((trx) => createUnit(trx, request.org!.id, request.body))),
    )
    app.get(
      `${base}/positions`,
      {
        config: read,
        schema: {
          ...api('Posts with reporting lines and their holders on a date'),
          params: OrgParams,
          querystring: AsAtQuery,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) =>
          listPositions(trx, request.org!.id, request.query.asAt ?? todayIso()),
        ),
      }),
    )
    app.post(
      `${base}/positions`,
      {
        config: manage,
        schema: {
          ...api('Add a post'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: PositionBody,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await request.withTx((trx) => createPosition(trx, request.org!.id, request.body))),
    )

    // --- Employments ----------------------------------------------------------------------
    app.get(
      `${base}/employments`,
      {
        config: read,
        schema: {
          ...api('Employments in force on a date, with the terms in force that day'),
          params: OrgParams,
          querystring: AsAtQuery,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) =>
          employmentsAsAt(trx, request.org!.id, request.query.asAt ?? todayIso()),
        ),
      }),
    )
    app.get(
      `${base}/employments/:employmentId`,
      {
        config: read,
        schema: {
          ...api('One employment: its terms as at a date and their history, payroll details, tax codes'),
          params: EmploymentParams,
          querystring: AsAtQuery,
        },
      },
      async (request) =>
        request.withTx(async (trx) => {
          const orgId = request.org!.id
          const id = request.params.employmentId
          const asAt = request.query.asAt ?? todayIso()
          return {
            ...(await getEmployment(trx, orgId, id)),
            asAt,
            termsAsAt: await employmentAsAt(trx, orgId, id, asAt),
            history: await termsHistory(trx, orgId, id),
            payrollDetails: await getPayrollDetails(trx, orgId, id),
            taxCodes: await listTaxCodes(trx, orgId, id),
            leaver: await getLeaver(trx, orgId, id),
          }
        }),
    )
    app.get(
      `${base}/employments/:employmentId/manager`,
      {
        config: read,
        schema: { ...api('The line manager on a date'), params: EmploymentParams, querystring: DateQuery },
      },
      async (request) => {
        const manager = await request.withTx(async (trx) => {
          await getEmployment(trx, request.org!.id, request.params.employmentId)
          return managerOf(
            trx,
            request.org!.id,
            request.params.employmentId,
            request.query.date ?? todayIso(),
          )
        })
        return { manager }
      },
    )
    app.delete(
      `${base}/employments/:employmentId/terms/:validFrom`,
      {
        config: manage,
        schema: {
          ...api('Cancel a change of terms that has not yet taken effect'),
          headers: IdempotencyKeyHeader,
          params: TermsVersionParams,
        },
      },
      async (request, reply) => {
        await request.withTx((trx) =>
          cancelFutureTerms(trx, request.org!.id, request.params.employmentId, request.params.validFrom),
        )
        return reply.code(204).send()
      },
    )
    app.put(
      `${base}/employments/:employmentId/payroll-details`,
      {
        config: manage,
        schema: {
          ...api('Payroll details: starter declaration, NI category, loans, pension, bank'),
          headers: IdempotencyKeyHeader,
          params: EmploymentParams,
          body: PayrollDetailsBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          setPayrollDetails(trx, request.org!.id, request.params.employmentId, request.body),
        ),
    )
    app.post(
      `${base}/employments/:employmentId/tax-codes`,
      {
        config: manage,
        schema: {
          ...api('A tax code from a date (P45, P6, P9 or manual)'),
          headers: IdempotencyKeyHeader,
          params: EmploymentParams,
          body: TaxCodeBody,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await request.withTx((trx) =>
              setTaxCodeFrom(trx, request.org!.id, request.params.employmentId, request.body),
            ),
          ),
    )
    app.get(
      `${base}/leavers`,
      {
        config: read,
        schema: {
          ...api('Leavers with what payroll needs for final pay and the P45'),
          params: OrgParams,
          querystring: LeaverListQuery,
        },
      },
      async (request) => ({
        items: await request.withTx((trx) => listLeavers(trx, request.org!.id, request.query.since)),
      }),
    )

    // --- Joiners, movers, leavers, loans and transfers --------------------------------------
    app.get(
      `${base}/requests`,
      {
        config: read,
        schema: { ...api('JML requests, newest first'), params: OrgParams, querystring: RequestListQuery },
      },
      async (request) => ({
        items: await request.withTx((trx) => listRequests(trx, request.org!.id, request.query)),
      }),
    )
    app.get(
      `${base}/requests/:requestId`,
      { config: read, schema: { ...api('One JML request'), params: RequestParams } },
      async (request) => request.withTx((trx) => getRequest(trx, request.org!.id, request.params.requestId)),
    )
    app.post(
      `${base}/requests`,
      {
        config: manage,
        schema: {
          ...api(
            'Submit a joiner, mover, leaver, loan or transfer: checked now (every problem named), applied when someone else approves it. Loans and transfers need hr:manage in both organisations.',
          ),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: RequestBody,
        },
      },
      async (request, reply) => {
        const created = await request.withTx(async (trx) => {
          const { input, targetOrgId } = await toRequestInput(trx, request.body as never)
          return withRequestScope(request, trx, targetOrgId, () =>
            submitRequest(trx, request.org!.id, input, request.principal!.userId),
          )
        })
        return reply.code(201).send(created)
      },
    )
    app.post(
      `${base}/requests/:requestId/approval`,
      {
        config: manage,
        schema: {
          ...api('Approve and apply a request (never your own, nor one about yourself)'),
          headers: IdempotencyKeyHeader,
          params: RequestParams,
        },
      },
      async (request) =>
        request.withTx(async (trx) => {
          const found = await getRequest(trx, request.org!.id, request.params.requestId)
          return withRequestScope(request, trx, found.targetOrgId, () =>
            approveRequest(trx, request.org!.id, found.id, request.principal!.userId),
          )
        }),
    )
    app.post(
      `${base}/requests/:requestId/rejection`,
      {
        config: manage,
        schema: {
          ...api('Reject a request, with the reason'),
          headers: IdempotencyKeyHeader,
          params: RequestParams,
          body: RejectionBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          rejectRequest(
            trx,
            request.org!.id,
            request.params.requestId,
            request.principal!.userId,
            request.body.reason,
          ),
        ),
    )
    app.post(
      `${base}/requests/:requestId/withdrawal`,
      {
        config: manage,
        schema: {
          ...api('Withdraw your own request before it is decided'),
          headers: IdempotencyKeyHeader,
          params: RequestParams,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          withdrawRequest(trx, request.org!.id, request.params.requestId, request.principal!.userId),
        ),
    )

    await hrPages(app)
  }
}
