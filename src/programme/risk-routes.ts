// Programme risks, legacy systems and delivery confidence over HTTP (issue 7, deliverables 5, 6):
// the JSON API under /api/v1/programme/... and the GOV.UK pages under /programme/... Reads need
// programme:read, writes programme:manage; row-level security scopes both to the caller's
// clusters. Every chart is server-side SVG (charts.ts) with its data table beside it; every form
// works without JavaScript (post, then redirect; errors re-render with the error summary).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AppError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { IdempotencyKeyHeader } from '../platform/http/schemas.ts'
import { formErrors } from '../platform/http/views.ts'
import { can } from '../platform/tenancy.ts'
import {
  type ChartTable,
  heatMap,
  heatMapTable,
  lineChart,
  seriesTable,
  timeline,
  timelineTable,
} from './charts.ts'
import {
  BUSINESS_FUNCTIONS,
  createLegacySystem,
  FUNCTION_LABELS,
  getLegacySystem,
  type LegacyInput,
  type LegacySystem,
  legacySummary,
  listLegacySystems,
  type ProcurementWindow,
  procurementStagger,
  raiseLegacyRisks,
  updateLegacySystem,
} from './legacy.ts'
import {
  APPETITE_LABELS,
  APPETITE_MAX_SCORE,
  type Assessment,
  addMitigation,
  assessmentHistory,
  BAND_LABELS,
  bandColour,
  createRisk,
  DELIVERY_RATINGS,
  deliveryConfidenceSummary,
  escalateRisk,
  getRisk,
  heatCounts,
  IMPACT_LABELS,
  LEVEL_LABELS,
  LIKELIHOOD_LABELS,
  listRisks,
  MITIGATION_STATUS_LABELS,
  MITIGATION_STATUSES,
  RATING_LABELS,
  RATING_MEANINGS,
  RISK_APPETITES,
  RISK_LEVELS,
  type Risk,
  type RiskFilter,
  type RiskInput,
  recordAssessment,
  riskSummary,
  setRiskStatus,
  updateMitigation,
  updateRisk,
} from './risks.ts'
import type { BusinessFunction, DeliveryConfidence, RiskLevel } from './tables.ts'

const enc = encodeURIComponent
export const riskPaths = {
  risks: '/programme/risks',
  newRisk: '/programme/risks/new',
  risk: (id: string) => `/programme/risks/${enc(id)}`,
  editRisk: (id: string) => `/programme/risks/${enc(id)}/edit`,
  mitigations: (id: string) => `/programme/risks/${enc(id)}/mitigations`,
  mitigation: (id: string, mid: string) => `/programme/risks/${enc(id)}/mitigations/${enc(mid)}`,
  escalate: (id: string) => `/programme/risks/${enc(id)}/escalate`,
  status: (id: string) => `/programme/risks/${enc(id)}/status`,
  legacy: '/programme/legacy-systems',
  newLegacy: '/programme/legacy-systems/new',
  editLegacy: (id: string) => `/programme/legacy-systems/${enc(id)}/edit`,
  raiseRisks: '/programme/legacy-systems/raise-risks',
  confidence: '/programme/delivery-confidence',
}

const api = (summary: string) => ({ tags: ['programme'], summary })
const base = '/api/v1/programme'
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const MitigationParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  mitigationId: Type.String({ format: 'uuid' }),
})
const ClusterCode = Type.String({ pattern: '^[a-z0-9-]{2,60}$', description: 'A cluster code' })
const RiskQuery = Type.Object(
  {
    cluster: Type.Optional(ClusterCode),
    level: Type.Optional(Type.Union(RISK_LEVELS.map((l) => Type.Literal(l)))),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
    aboveAppetite: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
const ClusterQuery = Type.Object({ cluster: Type.Optional(ClusterCode) }, { additionalProperties: false })
/** Bodies are typed loosely here: the services check ranges and rules and name each field. */
const Str = (description?: string) =>
  Type.String({ maxLength: 4000, ...(description ? { description } : {}) })
const NullableStr = (description?: string) =>
  Type.Union([Type.String({ maxLength: 4000 }), Type.Null()], description ? { description } : {})
const RiskBody = Type.Object(
  {
    reference: Str('2 to 31 letters, digits or hyphens, unique'),
    title: Str(),
    cause: Str('Because of…'),
    event: Str('There is a risk that…'),
    effect: Str('Which would lead to…'),
    category: Type.Optional(Str()),
    owner: Str(),
    inherentLikelihood: Type.Integer({ description: '1 (rare) to 5 (almost certain)' }),
    inherentImpact: Type.Integer({ description: '1 (minimal) to 5 (severe)' }),
    residualLikelihood: Type.Integer({ description: 'After controls; not above inherent' }),
    residualImpact: Type.Integer({ description: 'After controls; not above inherent' }),
    appetite: Str('averse, minimal, cautious, open or eager'),
    level: Type.Optional(Str('On creation only: organisation, cluster or programme')),
    cluster: Type.Optional(NullableStr('Cluster code; null for programme-wide')),
    organisation: Type.Optional(NullableStr('Organisation code, for organisation-level risks')),
  },
  { additionalProperties: false },
)
const MitigationBody = Type.Object(
  {
    action: Str(),
    owner: Str(),
    dueOn: Str('YYYY-MM-DD'),
    status: Type.Optional(Str('planned, in_progress or done')),
  },
  { additionalProperties: false },
)
const EscalationBody = Type.Object(
  { toLevel: Str('organisation, cluster or programme'), reason: Str('At least 10 characters') },
  { additionalProperties: false },
)
const StatusBody = Type.Object(
  {
    status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
    reason: Str('At least 10 characters'),
  },
  { additionalProperties: false },
)
const LegacyBody = Type.Object(
  {
    name: Str(),
    cluster: Type.Optional(NullableStr('Cluster code')),
    organisation: Type.Optional(NullableStr('Organisation code')),
    functions: Type.Array(Type.String({ maxLength: 20 }), {
      maxItems: 4,
      description: 'hr, payroll, finance, procurement',
    }),
    supplier: Type.Optional(Str()),
    contractExpiresOn: Str('YYYY-MM-DD'),
    supportEndsOn: Type.Optional(NullableStr('YYYY-MM-DD')),
    extensionHeadroomMonths: Type.Optional(
      Type.Integer({ description: 'Extension options left, in months' }),
    ),
    replacementDueOn: Type.Optional(NullableStr('YYYY-MM-DD')),
    procurementStartsOn: Type.Optional(NullableStr('YYYY-MM-DD')),
    notes: Type.Optional(Str()),
  },
  { additionalProperties: false },
)
const AssessmentBody = Type.Object(
  {
    cluster: ClusterCode,
    assessedOn: Str('YYYY-MM-DD, not in the future'),
    rating: Str('red, amber_red, amber, amber_green or green'),
    rationale: Str('At least 10 characters'),
  },
  { additionalProperties: false },
)

// ---------------------------------------------------------------------------------------------
// Charts with their tables (same data for both)
// ---------------------------------------------------------------------------------------------

export interface ChartWithTable {
  svg: string
  table: ChartTable
}

export function riskHeatMaps(risks: Risk[]): { inherent: ChartWithTable; residual: ChartWithTable } {
  const make = (which: 'inherent' | 'residual'): ChartWithTable => {
    const input = {
      title: `${which === 'inherent' ? 'Inherent' : 'Residual'} risk: open risks by likelihood and impact`,
      xLabels: ['1', '2', '3', '4', '5'],
      yLabels: ['1', '2', '3', '4', '5'],
      xName: 'Impact',
      yName: 'Likelihood',
      counts: heatCounts(
        risks.filter((r) => r.status === 'open'),
        which,
      ),
      cellColour: bandColour,
    }
    return { svg: heatMap(input), table: heatMapTable(input) }
  }
  return { inherent: make('inherent'), residual: make('residual') }
}

export function staggerChart(windows: ProcurementWindow[]): ChartWithTable {
  const input = {
    title: 'Replacement procurements by cluster (red: overlaps another cluster’s procurement)',
    highlightLabel: 'Overlaps another cluster',
    items: windows.map((w) => ({
      lane: w.cluster,
      label: w.name,
      start: w.start,
      end: w.end,
      highlight: w.overlapsWith.length > 0,
    })),
  }
  return { svg: timeline(input), table: timelineTable(input, 'Cluster') }
}

/** A step chart of each cluster's rating over time: the rating holds until the next assessment. */
export function confidenceChart(history: Assessment[]): ChartWithTable {
  const dates = [...new Set(history.map((a) => a.assessedOn))].sort()
  const clusters = [...new Map(history.map((a) => [a.cluster.id, a.cluster.name])).entries()].sort((a, b) =>
    a[1].localeCompare(b[1]),
  )
  const series = clusters.map(([id, name]) => {
    let last: number | null = null
    const values = dates.map((d) => {
      // The latest assessment on that date (history is newest first).
      const on = history.find((a) => a.cluster.id === id && a.assessedOn === d)
      if (on) last = DELIVERY_RATINGS.indexOf(on.rating)
      return last
    })
    return { name, values }
  })
  const input = {
    title: 'Delivery confidence by cluster over time (IPA scale)',
    categories: dates,
    series,
    yLabels: DELIVERY_RATINGS.map((r) => RATING_LABELS[r]),
    step: true,
  }
  return { svg: lineChart(input), table: seriesTable({ ...input, categoryHeading: 'Assessed on' }) }
}

// ---------------------------------------------------------------------------------------------
// Form helpers
// ---------------------------------------------------------------------------------------------

type Body = Record<string, unknown>
function formText(request: FastifyRequest) {
  const body = (request.body ?? {}) as Body
  return (name: string) => {
    const v = body[name]
    return typeof v === 'string'
      ? v.trim()
      : Array.isArray(v) && typeof v[0] === 'string'
        ? String(v[0]).trim()
        : ''
  }
}
function formList(request: FastifyRequest, name: string): string[] {
  const v = ((request.body ?? {}) as Body)[name]
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string')
  return typeof v === 'string' && v ? [v] : []
}
/** A whole number typed on a form; NaN when not one (the service names the rule). */
function intOf(text: string): number {
  return /^-?\d+$/.test(text) ? Number(text) : Number.NaN
}

async function clusterOptions(request: FastifyRequest) {
  return request.withTx(async (trx) =>
    trx.selectFrom('clusters').select(['id', 'code', 'name']).orderBy('name').execute(),
  )
}

function apiRisk(r: Risk) {
  return {
    ...r,
    cluster: r.cluster?.code ?? null,
    clusterName: r.cluster?.name ?? null,
    organisation: r.organisation?.code ?? null,
    links: { self: `${base}/risks/${r.id}`, page: riskPaths.risk(r.id) },
  }
}

function apiLegacy(s: LegacySystem) {
  return {
    ...s,
    cluster: s.cluster?.code ?? null,
    clusterName: s.cluster?.name ?? null,
    organisation: s.organisation?.code ?? null,
    links: { self: `${base}/legacy-systems/${s.id}` },
  }
}

function riskInputFromForm(request: FastifyRequest): RiskInput & Record<string, unknown> {
  const text = formText(request)
  return {
    reference: text('reference'),
    title: text('title'),
    cause: text('cause'),
    event: text('event'),
    effect: text('effect'),
    category: text('category'),
    owner: text('owner'),
    inherentLikelihood: intOf(text('inherentLikelihood')),
    inherentImpact: intOf(text('inherentImpact')),
    residualLikelihood: intOf(text('residualLikelihood')),
    residualImpact: intOf(text('residualImpact')),
    appetite: text('appetite') as RiskInput['appetite'],
    level: (text('level') || undefined) as RiskLevel | undefined,
    cluster: text('cluster') || null,
    organisation: text('organisation') || null,
  }
}

function legacyInputFromForm(request: FastifyRequest): LegacyInput {
  const text = formText(request)
  const headroom = text('extensionHeadroomMonths')
  return {
    name: text('name'),
    cluster: text('cluster') || null,
    organisation: text('organisation') || null,
    functions: formList(request, 'functions') as BusinessFunction[],
    supplier: text('supplier'),
    contractExpiresOn: text('contractExpiresOn'),
    supportEndsOn: text('supportEndsOn') || null,
    extensionHeadroomMonths: headroom === '' ? 0 : intOf(headroom),
    replacementDueOn: text('replacementDueOn') || null,
    procurementStartsOn: text('procurementStartsOn') || null,
    notes: text('notes'),
  }
}

/** Items for a govukSelect of clusters, the first one blank (all clusters, or none). */
function clusterItems(clusters: Array<{ code: string; name: string }>, selected: unknown, blank: string) {
  return [
    { value: '', text: blank, selected: !selected },
    ...clusters.map((c) => ({ value: c.code, text: c.name, selected: selected === c.code })),
  ]
}

const scaleItems = (labels: string[], selected: unknown) =>
  labels.map((label, i) => ({
    value: String(i + 1),
    text: `${i + 1} – ${label}`,
    selected: String(selected) === String(i + 1),
  }))

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

export function programmeRiskRoutes(_services?: unknown) {
  return async (app: App) => {
    const readApi = { permission: 'programme:read' as const, kind: 'api' as const }
    const manageApi = { permission: 'programme:manage' as const, kind: 'api' as const }
    const readPage = { permission: 'programme:read' as const, kind: 'page' as const }
    const managePage = { permission: 'programme:manage' as const, kind: 'page' as const }
    const view = (name: string) => `programme/views/${name}.njk`
    const mayManage = (request: FastifyRequest) => can(request.principal!, 'programme:manage')
    const crumbs = (...more: Array<{ text: string; href: string }>) => [{ text: 'Home', href: '/' }, ...more]

    async function clusterIdOf(
      request: FastifyRequest,
      code: string | undefined,
    ): Promise<string | undefined | null> {
      if (!code) return undefined
      const row = await request.withTx((trx) =>
        trx.selectFrom('clusters').select('id').where('code', '=', code).executeTakeFirst(),
      )
      return row?.id ?? null
    }

    /** Runs a form's action; on a user-facing error re-renders the form with the error summary. */
    async function submit(
      reply: FastifyReply,
      action: () => Promise<string>,
      rerender: (
        errors: ReturnType<typeof formErrors>,
      ) => Promise<{ template: string; context: Record<string, unknown> }>,
    ) {
      try {
        return reply.redirect(await action(), 303)
      } catch (error) {
        if (!(error instanceof AppError)) throw error
        const fields = error.fieldErrors.length
          ? error.fieldErrors
          : [{ field: '/form', message: error.message }]
        reply.code(error.status)
        const { template, context } = await rerender(formErrors(fields))
        return reply.page(template, context)
      }
    }

    // --- Risks: API ------------------------------------------------------------------------------
    app.get(
      `${base}/risks`,
      {
        config: readApi,
        schema: { ...api('The risk register (Orange Book), above appetite first'), querystring: RiskQuery },
      },
      async (request, reply) => {
        const q = request.query as {
          cluster?: string
          level?: RiskLevel
          status?: 'open' | 'closed'
          aboveAppetite?: boolean
        }
        const clusterId = await clusterIdOf(request, q.cluster)
        if (clusterId === null) return reply.code(200).send({ items: [] })
        const items = await request.withTx((trx) =>
          listRisks(trx, { clusterId, level: q.level, status: q.status, aboveAppetiteOnly: q.aboveAppetite }),
        )
        return { items: items.map(apiRisk) }
      },
    )
    app.get(
      `${base}/risks/summary`,
      {
        config: readApi,
        schema: {
          ...api('Risk counts and the 5x5 heat maps (counts[likelihood-1][impact-1])'),
          querystring: ClusterQuery,
        },
      },
      async (request, reply) => {
        const clusterId = await clusterIdOf(request, (request.query as { cluster?: string }).cluster)
        if (clusterId === null)
          return reply
            .code(404)
            .send({ type: '/problems/not-found', title: 'There is no such cluster', status: 404 })
        return request.withTx((trx) => riskSummary(trx, { clusterId }))
      },
    )
    app.post(
      `${base}/risks`,
      {
        config: manageApi,
        schema: { ...api('Add a risk to the register'), body: RiskBody, headers: IdempotencyKeyHeader },
      },
      async (request, reply) => {
        const risk = await request.withTx((trx) => createRisk(trx, request.body as RiskInput))
        return reply.code(201).header('location', `${base}/risks/${risk.id}`).send(apiRisk(risk))
      },
    )
    app.get(
      `${base}/risks/:id`,
      {
        config: readApi,
        schema: { ...api('A risk with its mitigations and escalation history'), params: IdParams },
      },
      async (request) => {
        const risk = await request.withTx((trx) => getRisk(trx, (request.params as { id: string }).id))
        return apiRisk(risk)
      },
    )
    app.put(
      `${base}/risks/:id`,
      {
        config: manageApi,
        schema: {
          ...api('Reassess a risk (its level changes by escalation)'),
          params: IdParams,
          body: RiskBody,
          headers: IdempotencyKeyHeader,
        },
      },
      async (request) =>
        apiRisk(
          await request.withTx((trx) =>
            updateRisk(trx, (request.params as { id: string }).id, request.body as RiskInput),
          ),
        ),
    )
    app.post(
      `${base}/risks/:id/mitigations`,
      {
        config: manageApi,
        schema: {
          ...api('Add a mitigation with its owner and due date'),
          params: IdParams,
          body: MitigationBody,
          headers: IdempotencyKeyHeader,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            apiRisk(
              await request.withTx((trx) =>
                addMitigation(trx, (request.params as { id: string }).id, request.body as never),
              ),
            ),
          ),
    )
    app.put(
      `${base}/risks/:id/mitigations/:mitigationId`,
      {
        config: manageApi,
        schema: {
          ...api('Change a mitigation (e.g. its status)'),
          params: MitigationParams,
          body: MitigationBody,
          headers: IdempotencyKeyHeader,
        },
      },
      async (request) => {
        const { id, mitigationId } = request.params as { id: string; mitigationId: string }
        return apiRisk(
          await request.withTx((trx) => updateMitigation(trx, id, mitigationId, request.body as never)),
        )
      },
    )
    app.post(
      `${base}/risks/:id/escalations`,
      {
        config: manageApi,
        schema: {
          ...api('Escalate or de-escalate a risk, with a reason'),
          params: IdParams,
          body: EscalationBody,
          headers: IdempotencyKeyHeader,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            apiRisk(
              await request.withTx((trx) =>
                escalateRisk(
                  trx,
                  (request.params as { id: string }).id,
                  request.body as never,
                  request.principal!.userId,
                ),
              ),
            ),
          ),
    )
    app.post(
      `${base}/risks/:id/status`,
      {
        config: manageApi,
        schema: {
          ...api('Close or reopen a risk, with a reason'),
          params: IdParams,
          body: StatusBody,
          headers: IdempotencyKeyHeader,
        },
      },
      async (request) => {
        const body = request.body as { status: 'open' | 'closed'; reason: string }
        return apiRisk(
          await request.withTx((trx) =>
            setRiskStatus(
              trx,
              (request.params as { id: string }).id,
              body.status,
              body.reason,
              request.principal!.userId,
            ),
          ),
        )
      },
    )

    // --- Legacy systems: API -----------------------------------------------------------------------
    app.get(
      `${base}/legacy-systems`,
      {
        config: readApi,
        schema: {
          ...api('Legacy systems with their contract flags and the procurement stagger'),
          querystring: ClusterQuery,
        },
      },
      async (request) => {
        const clusterId = await clusterIdOf(request, (request.query as { cluster?: string }).cluster)
        if (clusterId === null) return { items: [], procurementStagger: [] }
        const items = await request.withTx((trx) => listLegacySystems(trx, { clusterId }))
        return { items: items.map(apiLegacy), procurementStagger: procurementStagger(items) }
      },
    )
    app.get(
      `${base}/legacy-systems/summary`,
      {
        config: readApi,
        schema: { ...api('Counts of the legacy register for the dashboard'), querystring: ClusterQuery },
      },
      async (request, reply) => {
        const clusterId = await clusterIdOf(request, (request.query as { cluster?: string }).cluster)
        if (clusterId === null)
          return reply
            .code(404)
            .send({ type: '/problems/not-found', title: 'There is no such cluster', status: 404 })
        return request.withTx((trx) => legacySummary(trx, { clusterId }))
      },
    )
    app.post(
      `${base}/legacy-systems`,
      {
        config: manageApi,
        schema: {
          ...api('Add a legacy system (raises its risk if the contract ends before the replacement)'),
          body: LegacyBody,
          headers: IdempotencyKeyHeader,
        },
      },
      async (request, reply) => {
        const system = await request.withTx((trx) => createLegacySystem(trx, request.body as LegacyInput))
        return reply
          .code(201)
          .header('location', `${base}/legacy-systems/${system.id}`)
          .send(apiLegacy(system))
      },
    )
    app.get(
      `${base}/legacy-systems/:id`,
      { config: readApi, schema: { ...api('A legacy system'), params: IdParams } },
      async (request) =>
        apiLegacy(await request.withTx((trx) => getLegacySystem(trx, (request.params as { id: string }).id))),
    )
    app.put(
      `${base}/legacy-systems/:id`,
      {
        config: manageApi,
        schema: {
          ...api('Change a legacy system'),
          params: IdParams,
          body: LegacyBody,
          headers: IdempotencyKeyHeader,
        },
      },
      async (request) =>
        apiLegacy(
          await request.withTx((trx) =>
            updateLegacySystem(trx, (request.params as { id: string }).id, request.body as LegacyInput),
          ),
        ),
    )
    app.post(
      `${base}/legacy-systems/raise-risks`,
      {
        config: manageApi,
        schema: {
          ...api('Raise the risk of every flagged system that has none (idempotent)'),
          querystring: ClusterQuery,
          headers: IdempotencyKeyHeader,
        },
      },
      async (request) => {
        const clusterId = await clusterIdOf(request, (request.query as { cluster?: string }).cluster)
        if (clusterId === null) return { raised: [] }
        return { raised: await request.withTx((trx) => raiseLegacyRisks(trx, { clusterId })) }
      },
    )

    // --- Delivery confidence: API ------------------------------------------------------------------
    app.get(
      `${base}/delivery-confidence`,
      {
        config: readApi,
        schema: {
          ...api('The current IPA delivery confidence per cluster, and the history'),
          querystring: ClusterQuery,
        },
      },
      async (request) => {
        const clusterId = await clusterIdOf(request, (request.query as { cluster?: string }).cluster)
        if (clusterId === null) return { clusters: [], history: [] }
        return request.withTx(async (trx) => ({
          clusters: (await deliveryConfidenceSummary(trx)).filter(
            (c) => !clusterId || c.cluster.id === clusterId,
          ),
          history: await assessmentHistory(trx, { clusterId }),
        }))
      },
    )
    app.post(
      `${base}/delivery-confidence`,
      {
        config: manageApi,
        schema: {
          ...api('Record a delivery confidence assessment for a cluster'),
          body: AssessmentBody,
          headers: IdempotencyKeyHeader,
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await request.withTx((trx) =>
              recordAssessment(trx, request.body as never, request.principal!.userId),
            ),
          ),
    )

    // --- Risks: pages ------------------------------------------------------------------------------
    app.get(riskPaths.risks, { config: readPage, schema: { hide: true } }, async (request, reply) => {
      const q = request.query as Record<string, string | undefined>
      const level = RISK_LEVELS.includes(q.level as RiskLevel) ? (q.level as RiskLevel) : undefined
      const status = q.status === 'closed' || q.status === 'all' ? q.status : 'open'
      const clusters = await clusterOptions(request)
      const cluster = clusters.find((c) => c.code === q.cluster)
      const filter: RiskFilter = {
        clusterId: cluster?.id,
        level,
        status: status === 'all' ? undefined : status,
      }
      const risks = await request.withTx((trx) => listRisks(trx, filter))
      const maps = riskHeatMaps(risks)
      return reply.page(view('risks/index'), {
        pageTitle: 'Programme risks',
        risks,
        maps,
        clusterItems: clusterItems(clusters, cluster?.code, 'All clusters'),
        filter: { cluster: cluster?.code ?? '', level: level ?? '', status },
        counts: {
          open: risks.filter((r) => r.status === 'open').length,
          above: risks.filter((r) => r.aboveAppetite).length,
        },
        labels: { level: LEVEL_LABELS, appetite: APPETITE_LABELS, band: BAND_LABELS },
        appetiteMax: APPETITE_MAX_SCORE,
        canManage: mayManage(request),
        paths: riskPaths,
        added: q.added === '1',
        breadcrumbs: crumbs(),
      })
    })

    const riskForm = async (
      request: FastifyRequest,
      values: Record<string, unknown>,
      errors?: ReturnType<typeof formErrors>,
      riskId?: string,
    ) => ({
      template: view('risks/form'),
      context: {
        pageTitle: riskId ? 'Reassess a risk' : 'Add a risk',
        values,
        errors,
        riskId,
        clusterItems: clusterItems(
          await clusterOptions(request),
          values.cluster,
          'None (programme-wide, or the organisation’s cluster)',
        ),
        likelihoodItems: (name: string) => scaleItems(LIKELIHOOD_LABELS, values[name]),
        impactItems: (name: string) => scaleItems(IMPACT_LABELS, values[name]),
        appetites: RISK_APPETITES.map((a) => ({
          value: a,
          text: `${APPETITE_LABELS[a]} (accepts a residual score up to ${APPETITE_MAX_SCORE[a]})`,
          checked: values.appetite === a,
        })),
        levels: RISK_LEVELS.map((l) => ({ value: l, text: LEVEL_LABELS[l], checked: values.level === l })),
        paths: riskPaths,
        breadcrumbs: crumbs({ text: 'Programme risks', href: riskPaths.risks }),
      },
    })
    app.get(riskPaths.newRisk, { config: managePage, schema: { hide: true } }, async (request, reply) => {
      const { template, context } = await riskForm(request, { level: 'cluster', appetite: 'cautious' })
      return reply.page(template, context)
    })
    app.post(riskPaths.newRisk, { config: managePage, schema: { hide: true } }, async (request, reply) => {
      const values = riskInputFromForm(request)
      const raw = formText(request)
      const shown = {
        ...values,
        inherentLikelihood: raw('inherentLikelihood'),
        inherentImpact: raw('inherentImpact'),
        residualLikelihood: raw('residualLikelihood'),
        residualImpact: raw('residualImpact'),
      }
      return submit(
        reply,
        async () => riskPaths.risk((await request.withTx((trx) => createRisk(trx, values))).id),
        (errors) => riskForm(request, shown, errors),
      )
    })
    app.get(
      '/programme/risks/:id/edit',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const { id } = request.params as { id: string }
        const r = await request.withTx((trx) => getRisk(trx, id))
        const { template, context } = await riskForm(
          request,
          {
            reference: r.reference,
            title: r.title,
            cause: r.cause,
            event: r.event,
            effect: r.effect,
            category: r.category,
            owner: r.owner,
            inherentLikelihood: r.inherent.likelihood,
            inherentImpact: r.inherent.impact,
            residualLikelihood: r.residual.likelihood,
            residualImpact: r.residual.impact,
            appetite: r.appetite,
            cluster: r.cluster?.code ?? '',
            organisation: r.organisation?.code ?? '',
          },
          undefined,
          id,
        )
        return reply.page(template, context)
      },
    )
    app.post(
      '/programme/risks/:id/edit',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const { id } = request.params as { id: string }
        const values = riskInputFromForm(request)
        const raw = formText(request)
        const shown = {
          ...values,
          inherentLikelihood: raw('inherentLikelihood'),
          inherentImpact: raw('inherentImpact'),
          residualLikelihood: raw('residualLikelihood'),
          residualImpact: raw('residualImpact'),
        }
        return submit(
          reply,
          async () => {
            await request.withTx((trx) => updateRisk(trx, id, values))
            return riskPaths.risk(id)
          },
          (errors) => riskForm(request, shown, errors, id),
        )
      },
    )

    const riskPage = async (
      request: FastifyRequest,
      id: string,
      form?: string,
      values: Record<string, unknown> = {},
      errors?: ReturnType<typeof formErrors>,
    ) => {
      const risk = await request.withTx((trx) => getRisk(trx, id))
      return {
        template: view('risks/show'),
        context: {
          pageTitle: `${risk.reference}: ${risk.title}`,
          risk,
          form,
          values,
          errors,
          labels: {
            level: LEVEL_LABELS,
            appetite: APPETITE_LABELS,
            band: BAND_LABELS,
            mitigation: MITIGATION_STATUS_LABELS,
            likelihood: LIKELIHOOD_LABELS,
            impact: IMPACT_LABELS,
          },
          levelItems: RISK_LEVELS.filter((l) => l !== risk.level).map((l) => ({
            value: l,
            text: LEVEL_LABELS[l],
            checked: values.toLevel === l,
          })),
          mitigationStatuses: MITIGATION_STATUSES.map((s) => ({
            value: s,
            text: MITIGATION_STATUS_LABELS[s],
          })),
          canManage: mayManage(request),
          paths: riskPaths,
          breadcrumbs: crumbs({ text: 'Programme risks', href: riskPaths.risks }),
        },
      }
    }
    app.get(
      '/programme/risks/:id',
      { config: readPage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const { template, context } = await riskPage(request, (request.params as { id: string }).id)
        return reply.page(template, context)
      },
    )
    app.post(
      '/programme/risks/:id/mitigations',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const { id } = request.params as { id: string }
        const text = formText(request)
        const values = {
          action: text('action'),
          owner: text('mitigationOwner'),
          dueOn: text('dueOn'),
          status: (text('status') || 'planned') as 'planned',
        }
        return submit(
          reply,
          async () => {
            await request.withTx((trx) => addMitigation(trx, id, values))
            return `${riskPaths.risk(id)}#mitigations`
          },
          async (errors) => {
            // The form names its owner field mitigationOwner (the page has one owner field per form).
            if (errors.byField.owner) {
              errors.byField.mitigationOwner = errors.byField.owner
              for (const s of errors.summary) if (s.href === '#owner') s.href = '#mitigationOwner'
            }
            return riskPage(request, id, 'mitigation', { ...values, mitigationOwner: values.owner }, errors)
          },
        )
      },
    )
    app.post(
      '/programme/risks/:id/mitigations/:mitigationId',
      { config: managePage, schema: { hide: true, params: MitigationParams } },
      async (request, reply) => {
        const { id, mitigationId } = request.params as { id: string; mitigationId: string }
        const text = formText(request)
        return submit(
          reply,
          async () => {
            await request.withTx(async (trx) => {
              const risk = await getRisk(trx, id)
              const m = risk.mitigations.find((x) => x.id === mitigationId)
              await updateMitigation(trx, id, mitigationId, {
                action: m?.action ?? '',
                owner: m?.owner ?? '',
                dueOn: m?.dueOn ?? '',
                status: text('status') as 'planned',
              })
            })
            return `${riskPaths.risk(id)}#mitigations`
          },
          (errors) =>
            riskPage(
              request,
              id,
              'mitigation-status',
              {},
              { ...errors, summary: errors.summary.map((s) => ({ ...s, href: `#status-${mitigationId}` })) },
            ),
        )
      },
    )
    app.post(
      '/programme/risks/:id/escalate',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const { id } = request.params as { id: string }
        const text = formText(request)
        const values = { toLevel: text('toLevel') as RiskLevel, reason: text('reason') }
        return submit(
          reply,
          async () => {
            await request.withTx((trx) => escalateRisk(trx, id, values, request.principal!.userId))
            return `${riskPaths.risk(id)}#escalations`
          },
          (errors) => riskPage(request, id, 'escalate', values, errors),
        )
      },
    )
    app.post(
      '/programme/risks/:id/status',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const { id } = request.params as { id: string }
        const text = formText(request)
        const status = text('status') === 'open' ? 'open' : 'closed'
        const values = { statusReason: text('statusReason') }
        return submit(
          reply,
          async () => {
            await request.withTx((trx) =>
              setRiskStatus(trx, id, status, values.statusReason, request.principal!.userId),
            )
            return riskPaths.risk(id)
          },
          async (errors) => {
            if (errors.byField.reason) {
              errors.byField.statusReason = errors.byField.reason
              for (const s of errors.summary) if (s.href === '#reason') s.href = '#statusReason'
            }
            return riskPage(request, id, 'status', values, errors)
          },
        )
      },
    )

    // --- Legacy systems: pages ---------------------------------------------------------------------
    app.get(riskPaths.legacy, { config: readPage, schema: { hide: true } }, async (request, reply) => {
      const q = request.query as Record<string, string | undefined>
      const clusters = await clusterOptions(request)
      const cluster = clusters.find((c) => c.code === q.cluster)
      const [systems, summary] = await request.withTx(
        async (trx) =>
          [
            await listLegacySystems(trx, { clusterId: cluster?.id }),
            await legacySummary(trx, { clusterId: cluster?.id }),
          ] as const,
      )
      const windows = procurementStagger(systems)
      return reply.page(view('legacy/index'), {
        pageTitle: 'Legacy systems and contracts',
        systems,
        summary,
        windows,
        stagger: staggerChart(windows),
        clusterItems: clusterItems(clusters, cluster?.code, 'All clusters'),
        filter: { cluster: cluster?.code ?? '' },
        functionLabels: FUNCTION_LABELS,
        raised: q.raised,
        canManage: mayManage(request),
        paths: riskPaths,
        breadcrumbs: crumbs(),
      })
    })
    const legacyForm = async (
      request: FastifyRequest,
      values: Record<string, unknown>,
      errors?: ReturnType<typeof formErrors>,
      systemId?: string,
    ) => {
      const selected = Array.isArray(values.functions) ? (values.functions as string[]) : []
      return {
        template: view('legacy/form'),
        context: {
          pageTitle: systemId ? 'Change a legacy system' : 'Add a legacy system',
          values,
          errors,
          systemId,
          clusterItems: clusterItems(
            await clusterOptions(request),
            values.cluster,
            'Select a cluster (or enter the organisation)',
          ),
          functionItems: BUSINESS_FUNCTIONS.map((f) => ({
            value: f,
            text: FUNCTION_LABELS[f],
            checked: selected.includes(f),
          })),
          paths: riskPaths,
          breadcrumbs: crumbs({ text: 'Legacy systems', href: riskPaths.legacy }),
        },
      }
    }
    app.get(riskPaths.newLegacy, { config: managePage, schema: { hide: true } }, async (request, reply) => {
      const { template, context } = await legacyForm(request, { extensionHeadroomMonths: '0' })
      return reply.page(template, context)
    })
    app.post(riskPaths.newLegacy, { config: managePage, schema: { hide: true } }, async (request, reply) => {
      const values = legacyInputFromForm(request)
      const shown = { ...values, extensionHeadroomMonths: formText(request)('extensionHeadroomMonths') }
      return submit(
        reply,
        async () => {
          const s = await request.withTx((trx) => createLegacySystem(trx, values))
          return `${riskPaths.legacy}?added=${enc(s.id)}`
        },
        (errors) => legacyForm(request, shown, errors),
      )
    })
    app.get(
      '/programme/legacy-systems/:id/edit',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const { id } = request.params as { id: string }
        const s = await request.withTx((trx) => getLegacySystem(trx, id))
        const { template, context } = await legacyForm(
          request,
          {
            name: s.name,
            cluster: s.cluster?.code ?? '',
            organisation: s.organisation?.code ?? '',
            functions: s.functions,
            supplier: s.supplier,
            contractExpiresOn: s.contractExpiresOn,
            supportEndsOn: s.supportEndsOn ?? '',
            extensionHeadroomMonths: String(s.extensionHeadroomMonths),
            replacementDueOn: s.replacementDueOn ?? '',
            procurementStartsOn: s.procurementStartsOn ?? '',
            notes: s.notes,
          },
          undefined,
          id,
        )
        return reply.page(template, context)
      },
    )
    app.post(
      '/programme/legacy-systems/:id/edit',
      { config: managePage, schema: { hide: true, params: IdParams } },
      async (request, reply) => {
        const { id } = request.params as { id: string }
        const values = legacyInputFromForm(request)
        const shown = { ...values, extensionHeadroomMonths: formText(request)('extensionHeadroomMonths') }
        return submit(
          reply,
          async () => {
            await request.withTx((trx) => updateLegacySystem(trx, id, values))
            return riskPaths.legacy
          },
          (errors) => legacyForm(request, shown, errors, id),
        )
      },
    )
    app.post(riskPaths.raiseRisks, { config: managePage, schema: { hide: true } }, async (request, reply) => {
      const raised = await request.withTx((trx) => raiseLegacyRisks(trx))
      return reply.redirect(`${riskPaths.legacy}?raised=${raised.length}`, 303)
    })

    // --- Delivery confidence: pages ----------------------------------------------------------------
    const confidencePage = async (
      request: FastifyRequest,
      values: Record<string, unknown> = {},
      errors?: ReturnType<typeof formErrors>,
    ) => {
      const q = request.query as Record<string, string | undefined>
      const clusters = await clusterOptions(request)
      const cluster = clusters.find((c) => c.code === q.cluster)
      const [summary, history] = await request.withTx(
        async (trx) =>
          [
            await deliveryConfidenceSummary(trx),
            await assessmentHistory(trx, { clusterId: cluster?.id }),
          ] as const,
      )
      return {
        template: view('risks/confidence'),
        context: {
          pageTitle: 'Delivery confidence by cluster',
          summary: summary.filter((c) => !cluster || c.cluster.id === cluster.id),
          history,
          chart: confidenceChart(history),
          clusterItems: clusterItems(clusters, cluster?.code, 'All clusters'),
          formClusterItems: clusterItems(
            summary.map((c) => c.cluster),
            values.cluster,
            'Select a cluster',
          ),
          filter: { cluster: cluster?.code ?? '' },
          ratingItems: DELIVERY_RATINGS.map((r) => ({
            value: r,
            text: RATING_LABELS[r],
            hint: { text: RATING_MEANINGS[r] },
            checked: values.rating === r,
          })),
          ratingLabels: RATING_LABELS,
          values,
          errors,
          today: new Date().toISOString().slice(0, 10),
          canManage: mayManage(request),
          paths: riskPaths,
          breadcrumbs: crumbs(),
        },
      }
    }
    app.get(riskPaths.confidence, { config: readPage, schema: { hide: true } }, async (request, reply) => {
      const { template, context } = await confidencePage(request)
      return reply.page(template, context)
    })
    app.post(riskPaths.confidence, { config: managePage, schema: { hide: true } }, async (request, reply) => {
      const text = formText(request)
      const values = {
        cluster: text('cluster'),
        assessedOn: text('assessedOn'),
        rating: text('rating') as DeliveryConfidence,
        rationale: text('rationale'),
      }
      return submit(
        reply,
        async () => {
          await request.withTx((trx) => recordAssessment(trx, values, request.principal!.userId))
          return `${riskPaths.confidence}?recorded=1`
        },
        async (errors) => {
          // The form's cluster select is #cluster-assessed (#cluster is the filter's).
          if (errors.byField.cluster)
            for (const item of errors.summary) if (item.href === '#cluster') item.href = '#cluster-assessed'
          return confidencePage(request, values, errors)
        },
      )
    })
  }
}
