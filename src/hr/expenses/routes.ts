// Expenses for the organisation (HR, finance): the claims, the policy limits, and paying approved
// claims on the payables route. Employees' own claims are in the self-service API.

import { Type } from 'typebox'
import type { LedgerService } from '../../finance/ledger.ts'
import type { App } from '../../platform/http/app.ts'
import { IdempotencyKeyHeader } from '../../platform/http/schemas.ts'
import { ExpensePaymentBody, OrgParams, PolicyLimitsBody } from '../self-service/schema.ts'
import { expenseSettings, policyLimits, setPolicyLimit } from './policy.ts'
import { ExpenseService } from './service.ts'

const api = (summary: string) => ({ tags: ['expenses'], summary })

export async function expensesAdminApi(app: App, ledger: LedgerService): Promise<void> {
  const expenses = new ExpenseService(ledger)
  app.get(
    '/api/v1/orgs/:orgCode/expenses/claims',
    {
      config: { permission: 'hr:read', kind: 'api' },
      schema: {
        ...api('Expense claims of the organisation, newest first'),
        params: OrgParams,
        querystring: Type.Object(
          { status: Type.Optional(Type.Enum(['draft', 'submitted', 'approved', 'rejected', 'paid'])) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => ({
      items: await request.withTx((trx) =>
        expenses.listClaims(trx, request.org!.id, { status: request.query.status }, 1000),
      ),
    }),
  )
  app.get(
    '/api/v1/orgs/:orgCode/expenses/policy',
    {
      config: { permission: 'hr:read', kind: 'api' },
      schema: { ...api('Expense settings and policy limits'), params: OrgParams },
    },
    async (request) =>
      request.withTx(async (trx) => ({
        settings: await expenseSettings(trx, request.org!.id),
        limits: await policyLimits(trx, request.org!.id),
      })),
  )
  app.put(
    '/api/v1/orgs/:orgCode/expenses/policy-limits',
    {
      config: { permission: 'hr:manage', kind: 'api' },
      schema: {
        ...api(
          'Set policy limits (subsistence a day, hotels a night in and outside London, a journey); null removes one',
        ),
        headers: IdempotencyKeyHeader,
        params: OrgParams,
        body: PolicyLimitsBody,
      },
    },
    async (request) =>
      request.withTx(async (trx) => {
        for (const limit of request.body.limits)
          await setPolicyLimit(trx, request.org!.id, limit.category, limit.limitPence)
        return { limits: await policyLimits(trx, request.org!.id) }
      }),
  )
  app.post(
    '/api/v1/orgs/:orgCode/expenses/payments',
    {
      config: { permission: 'payables:approve', kind: 'api' },
      schema: {
        ...api(
          'Pay approved claims on the payables route: Dr employee expenses payable, Cr bank; the claims are marked paid',
        ),
        headers: IdempotencyKeyHeader,
        params: OrgParams,
        body: ExpensePaymentBody,
      },
    },
    async (request, reply) => {
      const result = await request.withTx((trx) =>
        expenses.payByPayables(
          trx,
          request.org!.id,
          request.body.claimIds,
          request.body.paidOn,
          request.principal!.userId,
        ),
      )
      return reply.code(201).send(result)
    },
  )
}
