// Absence for HR officers (/api/v1/orgs/:orgCode/hr/absence/...): balances, leave requests,
// sickness and family leave records, adjustments and the leave policy; plus the organisation's
// expenses API (expenses/routes.ts). Employees and managers use the self-service API instead.

import { Type } from 'typebox'
import type { LedgerService } from '../../finance/ledger.ts'
import type { App } from '../../platform/http/app.ts'
import { IdempotencyKeyHeader } from '../../platform/http/schemas.ts'
import { expensesAdminApi } from '../expenses/routes.ts'
import {
  AdjustmentBody,
  AsAtQuery,
  FamilyLeaveBody,
  LeavePolicyBody,
  OrgEmploymentParams,
  OrgParams,
  OrgSicknessParams,
  SicknessBody,
  SicknessEndBody,
} from '../self-service/schema.ts'
import { leaveBalanceDetail } from './balance.ts'
import { todayIso } from './dates.ts'
import { leavePolicy } from './entitlement.ts'
import { absencePages } from './pages.ts'
import { policyPages } from './policy-pages.ts'
import { AbsenceService } from './service.ts'
import './tables.ts'

const api = (summary: string) => ({ tags: ['absence'], summary })
const read = { permission: 'hr:read' as const, kind: 'api' as const }
const manage = { permission: 'hr:manage' as const, kind: 'api' as const }

export function absenceRoutes(services: { ledger: LedgerService }) {
  const absence = new AbsenceService()
  return async (app: App) => {
    app.get(
      '/api/v1/orgs/:orgCode/hr/absence/employments/:employmentId/balance',
      {
        config: read,
        schema: {
          ...api('Annual leave balance as at a date (default today)'),
          params: OrgEmploymentParams,
          querystring: AsAtQuery,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          leaveBalanceDetail(
            trx,
            request.org!.id,
            request.params.employmentId,
            request.query.date ?? todayIso(),
          ),
        ),
    )
    app.get(
      '/api/v1/orgs/:orgCode/hr/absence/leave-requests',
      {
        config: read,
        schema: {
          ...api('Leave requests of the organisation, latest first'),
          params: OrgParams,
          querystring: Type.Object(
            { status: Type.Optional(Type.Enum(['pending', 'approved', 'rejected', 'cancelled'])) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => ({
        items: await request.withTx((trx) =>
          absence.listRequests(trx, request.org!.id, { status: request.query.status }, 1000),
        ),
      }),
    )
    app.get(
      '/api/v1/orgs/:orgCode/hr/absence/employments/:employmentId/sickness',
      { config: read, schema: { ...api('Sickness absences of an employment'), params: OrgEmploymentParams } },
      async (request) => ({
        items: await request.withTx((trx) =>
          absence.listSickness(trx, request.org!.id, [request.params.employmentId]),
        ),
      }),
    )
    app.post(
      '/api/v1/orgs/:orgCode/hr/absence/employments/:employmentId/sickness',
      {
        config: manage,
        schema: {
          ...api(
            'Record sickness absence with what statutory sick pay needs (qualifying days, notification, fit note)',
          ),
          headers: IdempotencyKeyHeader,
          params: OrgEmploymentParams,
          body: SicknessBody,
        },
      },
      async (request, reply) => {
        const created = await request.withTx((trx) =>
          absence.recordSickness(
            trx,
            request.org!.id,
            request.params.employmentId,
            request.body,
            request.principal!.userId,
          ),
        )
        return reply.code(201).send(created)
      },
    )
    app.post(
      '/api/v1/orgs/:orgCode/hr/absence/sickness/:sicknessId/end',
      {
        config: manage,
        schema: {
          ...api('Record the last day of an open sickness absence'),
          headers: IdempotencyKeyHeader,
          params: OrgSicknessParams,
          body: SicknessEndBody,
        },
      },
      async (request) =>
        request.withTx((trx) =>
          absence.endSickness(trx, request.org!.id, request.params.sicknessId, request.body.endDate),
        ),
    )
    app.get(
      '/api/v1/orgs/:orgCode/hr/absence/employments/:employmentId/family-leave',
      {
        config: read,
        schema: { ...api('Statutory family leave of an employment'), params: OrgEmploymentParams },
      },
      async (request) => ({
        items: await request.withTx((trx) =>
          absence.listFamilyLeave(trx, request.org!.id, [request.params.employmentId]),
        ),
      }),
    )
    app.post(
      '/api/v1/orgs/:orgCode/hr/absence/employments/:employmentId/family-leave',
      {
        config: manage,
        schema: {
          ...api(
            'Record maternity, paternity, adoption, shared parental or parental bereavement leave (drives statutory pay)',
          ),
          headers: IdempotencyKeyHeader,
          params: OrgEmploymentParams,
          body: FamilyLeaveBody,
        },
      },
      async (request, reply) => {
        const created = await request.withTx((trx) =>
          absence.recordFamilyLeave(
            trx,
            request.org!.id,
            request.params.employmentId,
            request.body,
            request.principal!.userId,
          ),
        )
        return reply.code(201).send(created)
      },
    )
    app.post(
      '/api/v1/orgs/:orgCode/hr/absence/employments/:employmentId/adjustments',
      {
        config: manage,
        schema: {
          ...api(
            'Adjust a leave year’s entitlement: carry-over (within the policy), bought or sold days, corrections',
          ),
          headers: IdempotencyKeyHeader,
          params: OrgEmploymentParams,
          body: AdjustmentBody,
        },
      },
      async (request, reply) => {
        const created = await request.withTx((trx) =>
          absence.addAdjustment(
            trx,
            request.org!.id,
            request.params.employmentId,
            request.body,
            request.principal!.userId,
          ),
        )
        return reply.code(201).send(created)
      },
    )
    app.get(
      '/api/v1/orgs/:orgCode/hr/absence/policy',
      {
        config: read,
        schema: {
          ...api('The leave policy: leave year, service days, carry-over, bank holidays'),
          params: OrgParams,
        },
      },
      async (request) => request.withTx((trx) => leavePolicy(trx, request.org!.id)),
    )
    app.put(
      '/api/v1/orgs/:orgCode/hr/absence/policy',
      {
        config: manage,
        schema: {
          ...api('Set the leave policy'),
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: LeavePolicyBody,
        },
      },
      async (request) => request.withTx((trx) => absence.setPolicy(trx, request.org!.id, request.body)),
    )
    await expensesAdminApi(app, services.ledger)
    await absencePages(app, absence)
    await policyPages(app)
  }
}
