// The organisation's policies as pages: leave (the leave year, entitlement by grade and years of
// continuous service, carry-over) and expenses (claim settings and the limit per category). They
// read the same services the absence and expenses APIs use; changes go through those APIs
// (PUT /api/v1/orgs/:orgCode/hr/absence/policy and /expenses/policy-limits).

import type { App } from '../../platform/http/app.ts'
import { formatGbp } from '../../platform/money.ts'
import { expenseSettings, policyLimits } from '../expenses/policy.ts'
import { OrgParams } from '../self-service/schema.ts'
import { leavePolicy } from './entitlement.ts'

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
/** Years of service shown as columns: service days accrue yearly up to the policy's maximum. */
const SERVICE_YEARS_SHOWN = 6

export const policyPaths = {
  leave: (org: string) => `/orgs/${encodeURIComponent(org)}/hr/policies/leave`,
  expenses: (org: string) => `/orgs/${encodeURIComponent(org)}/hr/policies/expenses`,
}

export async function policyPages(app: App) {
  const read = { permission: 'hr:read' as const, kind: 'page' as const }
  const crumbs = (org: { code: string; name: string }) => [
    { text: 'Home', href: '/' },
    { text: `HR – ${org.name}`, href: `/orgs/${encodeURIComponent(org.code)}/hr` },
  ]

  app.get(
    '/orgs/:orgCode/hr/policies/leave',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const { policy, grades } = await request.withTx(async (trx) => ({
        policy: await leavePolicy(trx, org.id),
        grades: await trx
          .selectFrom('grades')
          .select(['code', 'name', 'annual_leave_days'])
          .where('org_id', '=', org.id)
          .orderBy('code')
          .execute(),
      }))
      const perYear = Number(policy.serviceDaysPerYear)
      const max = Number(policy.serviceDaysMax)
      const years = [...Array(SERVICE_YEARS_SHOWN).keys()]
      return reply.page('hr/absence/views/policy-leave.njk', {
        pageTitle: `Leave policy – ${org.name}`,
        org,
        policy,
        leaveYearStart: `${policy.leaveYearStartDay} ${MONTHS[policy.leaveYearStartMonth - 1]}`,
        years,
        rows: grades.map((grade) => ({
          code: grade.code,
          name: grade.name,
          days: years.map((year) => String(Number(grade.annual_leave_days) + Math.min(year * perYear, max))),
        })),
        breadcrumbs: crumbs(org),
      })
    },
  )

  app.get(
    '/orgs/:orgCode/hr/policies/expenses',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const { settings, limits } = await request.withTx(async (trx) => ({
        settings: await expenseSettings(trx, org.id),
        limits: await policyLimits(trx, org.id),
      }))
      return reply.page('hr/absence/views/policy-expenses.njk', {
        pageTitle: `Expenses policy – ${org.name}`,
        org,
        settings,
        receiptOver: formatGbp(settings.receiptRequiredOverPence),
        limits: limits.map((limit) => ({ ...limit, limitText: formatGbp(limit.limitPence) })),
        breadcrumbs: crumbs(org),
      })
    },
  )
}
