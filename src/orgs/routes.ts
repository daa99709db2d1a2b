// The directory of clusters and organisations: API endpoints and pages over OrgsService.
import { Type } from 'typebox'
import { ValidationError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { paths } from '../platform/http/paths.ts'
import { IdempotencyKeyHeader, Problem } from '../platform/http/schemas.ts'
import { formErrors } from '../platform/http/views.ts'
import { can } from '../platform/tenancy.ts'
import {
  ClusterDetail,
  ClusterSummary,
  DirectoryQuery,
  NewOrganisation,
  OnboardingChange,
  OrganisationDetail,
  OrganisationPage,
} from './schema.ts'
import type { OrganisationDetail as Detail, DirectoryFilter, OrgsService } from './service.ts'
import {
  KIND_LABELS,
  ONBOARDING_LABELS,
  ONBOARDING_STATUSES,
  type OnboardingStatus,
  ORGANISATION_KINDS,
  type OrganisationKind,
} from './tables.ts'

const CodeParams = Type.Object({ code: Type.String({ maxLength: 60 }) })
const OrgParams = Type.Object({ orgCode: Type.String({ maxLength: 60 }) })

function serialise(detail: Detail) {
  return { ...detail, updatedAt: detail.updatedAt.toISOString() }
}

/** Reads a GOV.UK date input (day, month, year fields) into an ISO date, or an error message. */
function dateFromParts(
  body: Record<string, unknown>,
  prefix: string,
  label: string,
): { value: string | null } | { error: string } {
  const part = (name: string) =>
    typeof body[`${prefix}-${name}`] === 'string' ? String(body[`${prefix}-${name}`]).trim() : ''
  const [day, month, year] = [part('day'), part('month'), part('year')]
  if (!day && !month && !year) return { value: null }
  if (!day || !month || !year) {
    // GOV.UK's pattern: name exactly what is missing ("must include a month").
    const missing = [!day && 'day', !month && 'month', !year && 'year'].filter(Boolean) as string[]
    return { error: `${label} must include a ${missing.join(' and a ')}` }
  }
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year))
    return { error: `${label} must be a real date` }
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
  const date = new Date(`${iso}T00:00:00Z`)
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso)
    return { error: `${label} must be a real date` }
  return { value: iso }
}

function dateParts(iso: string | null) {
  if (!iso) return { day: '', month: '', year: '' }
  const [year, month, day] = iso.split('-')
  return { day: String(Number(day)), month: String(Number(month)), year: year ?? '' }
}

export function orgsRoutes(orgs: OrgsService) {
  return async (app: App) => {
    // --- API ------------------------------------------------------------------------------
    app.get(
      paths.api.clusters,
      {
        config: { permission: 'orgs:read', kind: 'api' },
        schema: {
          tags: ['directory'],
          summary: 'The clusters',
          response: { 200: Type.Array(ClusterSummary) },
        },
      },
      async (request) => request.withTx((trx) => orgs.listClusters(trx)),
    )
    app.get(
      '/api/v1/clusters/:code',
      {
        config: { permission: 'orgs:read', kind: 'api' },
        schema: {
          tags: ['directory'],
          summary: 'A cluster and its organisations',
          params: CodeParams,
          response: { 200: ClusterDetail, 404: Problem },
        },
      },
      async (request) => request.withTx((trx) => orgs.getCluster(trx, request.params.code)),
    )
    app.get(
      paths.api.organisations,
      {
        config: { permission: 'orgs:read', kind: 'api' },
        schema: {
          tags: ['directory'],
          summary: 'Organisations, filtered and paged',
          querystring: DirectoryQuery,
          response: { 200: OrganisationPage, 400: Problem },
        },
      },
      async (request) => request.withTx((trx) => orgs.listOrganisations(trx, request.query)),
    )
    app.get(
      '/api/v1/organisations/:code',
      {
        config: { permission: 'orgs:read', kind: 'api' },
        schema: {
          tags: ['directory'],
          summary: 'An organisation with its sponsored bodies',
          params: CodeParams,
          response: { 200: OrganisationDetail, 404: Problem },
        },
      },
      async (request) =>
        serialise(await request.withTx((trx) => orgs.getOrganisation(trx, request.params.code))),
    )
    app.post(
      paths.api.organisations,
      {
        config: { permission: 'orgs:create', kind: 'api' },
        schema: {
          tags: ['directory'],
          summary: 'Add an organisation (platform admin)',
          headers: IdempotencyKeyHeader,
          body: NewOrganisation,
          response: { 201: OrganisationDetail, 400: Problem, 409: Problem, 422: Problem },
        },
      },
      async (request, reply) => {
        const created = await request.withTx((trx) => orgs.createOrganisation(trx, request.body))
        return reply
          .code(201)
          .header('location', paths.api.organisation(created.code))
          .send(serialise(created))
      },
    )
    app.patch(
      '/api/v1/organisations/:orgCode/onboarding',
      {
        config: { permission: 'orgs:manage', kind: 'api' },
        schema: {
          tags: ['directory'],
          summary: 'Record a change in an organisation’s migration onto the platform',
          headers: IdempotencyKeyHeader,
          params: OrgParams,
          body: OnboardingChange,
          response: { 200: OrganisationDetail, 400: Problem, 403: Problem, 404: Problem, 422: Problem },
        },
      },
      async (request) =>
        serialise(
          await request.withTx((trx) => orgs.changeOnboarding(trx, request.params.orgCode, request.body)),
        ),
    )

    // --- Pages ----------------------------------------------------------------------------
    const pageConfig = { permission: 'orgs:read' as const, kind: 'page' as const }
    const labels = { kindLabels: KIND_LABELS, onboardingLabels: ONBOARDING_LABELS }

    app.get(paths.clusters, { config: pageConfig, schema: { hide: true } }, async (request, reply) => {
      const clusters = await request.withTx((trx) => orgs.listClusters(trx))
      return reply.page('orgs/views/clusters.njk', { pageTitle: 'Clusters', clusters, ...labels })
    })

    app.get(
      '/clusters/:code',
      { config: pageConfig, schema: { hide: true, params: CodeParams } },
      async (request, reply) => {
        const cluster = await request.withTx((trx) => orgs.getCluster(trx, request.params.code))
        return reply.page('orgs/views/cluster.njk', {
          pageTitle: `${cluster.name} cluster`,
          cluster,
          departments: cluster.organisations.filter((org) => !org.sponsor),
          albs: cluster.organisations.filter((org) => org.sponsor),
          breadcrumbs: [
            { text: 'Home', href: paths.home },
            { text: 'Clusters', href: paths.clusters },
          ],
          ...labels,
        })
      },
    )

    app.get(paths.organisations, { config: pageConfig, schema: { hide: true } }, async (request, reply) => {
      const query = request.query as Record<string, unknown>
      const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string).trim() : '')
      const filter: DirectoryFilter = { limit: 500 }
      const kind = text('kind')
      const onboarding = text('onboarding')
      if (text('cluster')) filter.cluster = text('cluster')
      if (
        kind === 'department' ||
        kind === 'alb' ||
        (ORGANISATION_KINDS as readonly string[]).includes(kind)
      ) {
        filter.kind = kind as OrganisationKind | 'department' | 'alb'
      }
      if ((ONBOARDING_STATUSES as readonly string[]).includes(onboarding))
        filter.onboarding = onboarding as OnboardingStatus
      if (text('q')) filter.q = text('q').slice(0, 100)
      const [clusters, result] = await request.withTx(
        async (trx) => [await orgs.listClusters(trx), await orgs.listOrganisations(trx, filter)] as const,
      )
      const option = (value: string, label: string, selected: string) => ({
        value,
        text: label,
        selected: value === selected,
      })
      return reply.page('orgs/views/organisations.njk', {
        pageTitle: 'Organisations',
        result,
        filters: { cluster: text('cluster'), kind, onboarding, q: text('q') },
        clusterOptions: [
          option('', 'All clusters', text('cluster')),
          ...clusters.map((c) => option(c.code, c.name, text('cluster'))),
        ],
        kindOptions: [
          option('', 'All kinds', kind),
          option('department', 'Departments', kind),
          option('alb', 'Arm’s-length bodies', kind),
          ...ORGANISATION_KINDS.map((k) => option(k, KIND_LABELS[k], kind)),
        ],
        onboardingOptions: [
          option('', 'Any status', onboarding),
          ...ONBOARDING_STATUSES.map((s) => option(s, ONBOARDING_LABELS[s], onboarding)),
        ],
        breadcrumbs: [{ text: 'Home', href: paths.home }],
        ...labels,
      })
    })

    app.get(
      '/organisations/:code',
      { config: pageConfig, schema: { hide: true, params: CodeParams } },
      async (request, reply) => {
        const org = await request.withTx((trx) => orgs.getOrganisation(trx, request.params.code))
        return reply.page('orgs/views/organisation.njk', {
          pageTitle: org.name,
          org,
          canManage: can(request.principal!, 'orgs:manage', org.id),
          breadcrumbs: [
            { text: 'Home', href: paths.home },
            { text: 'Organisations', href: paths.organisations },
          ],
          ...labels,
        })
      },
    )

    const onboardingForm = (
      org: Detail,
      values: Record<string, unknown>,
      errors?: ReturnType<typeof formErrors>,
    ) => ({
      pageTitle: `Change onboarding – ${org.name}`,
      org,
      values,
      errors,
      statusItems: ONBOARDING_STATUSES.map((status) => ({
        value: status,
        text: ONBOARDING_LABELS[status],
        checked: values.onboardingStatus === status,
      })),
      breadcrumbs: [
        { text: 'Home', href: paths.home },
        { text: 'Organisations', href: paths.organisations },
        { text: org.name, href: paths.organisation(org.code) },
      ],
    })

    const manageConfig = { permission: 'orgs:manage' as const, kind: 'page' as const }
    app.get(
      '/organisations/:orgCode/onboarding',
      { config: manageConfig, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const org = await request.withTx((trx) => orgs.getOrganisation(trx, request.params.orgCode))
        return reply.page(
          'orgs/views/onboarding.njk',
          onboardingForm(org, {
            onboardingStatus: org.onboardingStatus,
            planned: dateParts(org.onboardingPlannedDate),
            live: dateParts(org.onboardingLiveDate),
          }),
        )
      },
    )

    app.post(
      '/organisations/:orgCode/onboarding',
      { config: manageConfig, schema: { hide: true, params: OrgParams } },
      async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>
        const status = typeof body.onboardingStatus === 'string' ? body.onboardingStatus : ''
        const planned = dateFromParts(body, 'planned', 'Planned migration date')
        const live = dateFromParts(body, 'live', 'Go-live date')
        const problems: Array<{ field: string; message: string }> = []
        if (!(ONBOARDING_STATUSES as readonly string[]).includes(status))
          problems.push({ field: '/onboardingStatus', message: 'Select an onboarding status' })
        if ('error' in planned) problems.push({ field: '/planned', message: planned.error })
        if ('error' in live) problems.push({ field: '/live', message: live.error })
        const values = {
          onboardingStatus: status,
          planned: { day: body['planned-day'], month: body['planned-month'], year: body['planned-year'] },
          live: { day: body['live-day'], month: body['live-month'], year: body['live-year'] },
        }
        try {
          if (problems.length > 0) throw new ValidationError('The form has errors', problems)
          await request.withTx((trx) =>
            orgs.changeOnboarding(trx, request.params.orgCode, {
              onboardingStatus: status as OnboardingStatus,
              onboardingPlannedDate: 'value' in planned ? planned.value : undefined,
              onboardingLiveDate: 'value' in live ? live.value : undefined,
            }),
          )
          return reply.redirect(`${paths.organisation(request.params.orgCode)}?updated=1`, 303)
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          const org = await request.withTx((trx) => orgs.getOrganisation(trx, request.params.orgCode))
          const fields = error.fieldErrors.map((e) => ({
            ...e,
            field:
              e.field === '/onboardingPlannedDate'
                ? '/planned'
                : e.field === '/onboardingLiveDate'
                  ? '/live'
                  : e.field,
          }))
          reply.code(400)
          return reply.page(
            'orgs/views/onboarding.njk',
            onboardingForm(
              org,
              values,
              formErrors(fields, {
                onboardingStatus: 'onboardingStatus',
                planned: 'planned-day',
                live: 'live-day',
              }),
            ),
          )
        }
      },
    )
  }
}
