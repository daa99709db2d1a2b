// Hub and clusters (decision 0500). A cluster deployment pushes its organisations' current returns
// for a quarter to a hub deployment: POST /api/v1/programme/clusters/:clusterCode/returns with a
// bearer token the hub made for a returns submitter of the cluster's lead organisation. The hub
// records every return of the push in one transaction, or none (an organisation that is not in
// the cluster refuses the whole push), and shows every cluster and organisation as received,
// late, invalid or missing.
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { Database, type TenantContext, type Tx } from '../../platform/db/index.ts'
import { BusinessRuleError, NotFoundError } from '../../platform/errors.ts'
import { isQuarterCode, quarter as quarterInfo } from '../quarters.ts'
import { type ClusterQuality, clusterQuality } from './dq.ts'
import { type RecordedReturn, recordReturn } from './store.ts'

/** A push carries at most this many returns (the largest cluster has well under 100 bodies). */
export const PUSH_RETURNS_MAX = 500

export interface ClusterPushBody {
  quarter: string
  generatedAt: string
  returns: unknown[]
}

export interface ClusterPushResult {
  cluster: string
  quarter: string
  recorded: Array<
    Pick<RecordedReturn, 'version' | 'valid' | 'late' | 'dq' | 'errors'> & { organisation: string }
  >
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Receives a cluster's push on the hub. The caller has already checked that the principal holds
 * programme:submit on the cluster's lead organisation; this widens the transaction's programme
 * write scope to the cluster's organisations only (the lead's submitter speaks for its cluster)
 * and records every return with source 'cluster-push'.
 */
export async function receiveClusterPush(
  trx: Tx,
  tenant: TenantContext,
  input: { clusterCode: string; body: ClusterPushBody; receivedBy: string | null; receivedAt?: Date },
): Promise<ClusterPushResult> {
  const cluster = await trx
    .selectFrom('clusters')
    .select(['id', 'code', 'lead_org_id'])
    .where('code', '=', input.clusterCode)
    .executeTakeFirst()
  if (!cluster) throw new NotFoundError(`There is no cluster with the code ${input.clusterCode}`)
  const { body } = input
  const members = await trx
    .selectFrom('organisations')
    .select(['id', 'code'])
    .where('cluster_id', '=', cluster.id)
    .execute()
  const byCode = new Map(members.map((member) => [member.code, member.id]))
  const problems: { field: string; message: string }[] = []
  const seen = new Set<string>()
  body.returns.forEach((figures, index) => {
    const code = isRecord(figures) ? figures.organisation : undefined
    if (typeof code !== 'string')
      problems.push({ field: `/returns/${index}/organisation`, message: 'organisation is required' })
    else if (!byCode.has(code))
      problems.push({
        field: `/returns/${index}/organisation`,
        message: `${code} is not an organisation of the ${cluster.code} cluster`,
      })
    else if (seen.has(code))
      problems.push({ field: `/returns/${index}/organisation`, message: `${code} appears twice in the push` })
    else seen.add(code)
    if (isRecord(figures) && figures.quarter !== body.quarter)
      problems.push({
        field: `/returns/${index}/quarter`,
        message: `must be the push's quarter ${body.quarter}`,
      })
  })
  if (problems.length)
    throw new BusinessRuleError(
      `The push was refused and nothing was recorded: ${problems.length === 1 ? problems[0]!.message : `${problems.length} problems`}`,
      problems,
    )
  const memberIds = members.map((member) => member.id)
  const read =
    tenant.programmeRead === 'all' ? 'all' : [...new Set([...(tenant.programmeRead ?? []), ...memberIds])]
  await Database.enterTenant(trx, { ...tenant, programmeRead: read, programmeManage: memberIds })
  const receivedAt = input.receivedAt ?? new Date()
  const recorded: ClusterPushResult['recorded'] = []
  for (const figures of body.returns) {
    const code = (figures as { organisation: string }).organisation
    const result = await recordReturn(trx, {
      orgId: byCode.get(code)!,
      quarter: body.quarter,
      source: 'cluster-push',
      figures,
      receivedBy: input.receivedBy,
      receivedAt,
    })
    recorded.push({
      organisation: code,
      version: result.version,
      valid: result.valid,
      late: result.late,
      dq: result.dq,
      errors: result.errors,
    })
  }
  return { cluster: cluster.code, quarter: body.quarter, recorded }
}

export type ReturnStatus = 'received' | 'late' | 'invalid' | 'missing'

export interface HubOrganisation {
  code: string
  name: string
  status: ReturnStatus
  source: string | null
  receivedAt: Date | null
  version: number | null
  laterInvalidVersion: boolean
  dqOverall: number | null
}

export interface HubCluster {
  code: string
  name: string
  quality: ClusterQuality | null
  counts: Record<ReturnStatus, number>
  lastPushAt: Date | null
  organisations: HubOrganisation[]
}

export interface HubView {
  quarter: string
  label: string
  dueOn: string
  clusters: HubCluster[]
  counts: Record<ReturnStatus, number>
}

/** Every cluster and organisation with its return status for a quarter (programme readers). */
export async function hubStatus(trx: Tx, quarterCode: string): Promise<HubView> {
  const { label, dueOn } = quarterInfo(quarterCode)
  const { rows } = await sql<{
    cluster_code: string | null
    cluster_name: string | null
    code: string
    name: string
    valid: boolean | null
    late: boolean | null
    source: string | null
    received_at: Date | null
    current_version: number | null
    latest_version: number | null
    dq_overall: string | null
  }>`
    select c.code as cluster_code, c.name as cluster_name, o.code, o.name, r.valid, r.late, r.source,
      r.received_at, r.current_version, r.dq_overall,
      (select max(v.version) from programme_return_versions v where v.org_id = o.id and v.quarter = ${quarterCode}) as latest_version
    from organisations o
    left join clusters c on c.id = o.cluster_id
    left join programme_returns r on r.org_id = o.id and r.quarter = ${quarterCode}
    order by c.code nulls last, o.name`.execute(trx)
  const quality = new Map((await clusterQuality(trx, quarterCode)).map((row) => [row.clusterCode, row]))
  const empty = (): Record<ReturnStatus, number> => ({ received: 0, late: 0, invalid: 0, missing: 0 })
  const clusters = new Map<string, HubCluster>()
  const counts = empty()
  for (const row of rows) {
    const key = row.cluster_code ?? ''
    let cluster = clusters.get(key)
    if (!cluster) {
      cluster = {
        code: row.cluster_code ?? '',
        name: row.cluster_name ?? 'Not in a cluster',
        quality: quality.get(key) ?? null,
        counts: empty(),
        lastPushAt: null,
        organisations: [],
      }
      clusters.set(key, cluster)
    }
    const status: ReturnStatus =
      row.valid === null ? 'missing' : !row.valid ? 'invalid' : row.late ? 'late' : 'received'
    cluster.counts[status]++
    counts[status]++
    const receivedAt = row.received_at ? new Date(row.received_at) : null
    if (
      row.source === 'cluster-push' &&
      receivedAt &&
      (!cluster.lastPushAt || receivedAt > cluster.lastPushAt)
    )
      cluster.lastPushAt = receivedAt
    cluster.organisations.push({
      code: row.code,
      name: row.name,
      status,
      source: row.source,
      receivedAt,
      version: row.current_version,
      laterInvalidVersion: (row.latest_version ?? 0) > (row.current_version ?? 0),
      dqOverall: row.dq_overall === null ? null : Number(row.dq_overall),
    })
  }
  return { quarter: quarterCode, label, dueOn, clusters: [...clusters.values()], counts }
}

export interface PushOutcome {
  outcome: 'accepted' | 'rejected' | 'failed'
  httpStatus: number | null
  organisations: number
  detail: string
  response?: unknown
}

/** Operator context for the push command: reads every return and records the push. */
const PUSH_CONTEXT: TenantContext = {
  userId: null,
  orgIds: [],
  actingOrgId: null,
  requestId: 'cli:programme-push',
  programmeRead: 'all',
  programmeManage: 'all',
}

/**
 * On the cluster deployment: pushes the current version of every return of the cluster's
 * organisations for a quarter to the hub, and records the push (accepted, rejected or failed).
 * The Idempotency-Key is derived from the content, so re-running an unchanged push is answered
 * from the hub's record instead of adding versions.
 */
export async function pushClusterReturns(
  db: Database,
  options: {
    clusterCode: string
    quarter: string
    hubUrl: string
    token: string
    pushedBy?: string | null
    fetch?: typeof fetch
    timeoutMs?: number
  },
): Promise<PushOutcome> {
  if (!isQuarterCode(options.quarter))
    throw new Error(`"${options.quarter}" is not a quarter (for example 2026-Q1)`)
  const hub = new URL(options.hubUrl)
  if (hub.protocol !== 'https:' && hub.protocol !== 'http:') throw new Error('the hub URL must be http(s)')
  const { cluster, returns, generatedAt } = await db.transaction(PUSH_CONTEXT, async (trx) => {
    const cluster = await trx
      .selectFrom('clusters')
      .select(['id', 'code'])
      .where('code', '=', options.clusterCode)
      .executeTakeFirst()
    if (!cluster) throw new NotFoundError(`There is no cluster with the code ${options.clusterCode}`)
    const { rows } = await sql<{ figures: unknown; received_at: Date }>`
      select v.figures, v.received_at from programme_returns r
      join organisations o on o.id = r.org_id
      join programme_return_versions v on v.org_id = r.org_id and v.quarter = r.quarter and v.version = r.current_version
      where o.cluster_id = ${cluster.id} and r.quarter = ${options.quarter}
      order by o.code`.execute(trx)
    const latest = rows.reduce((max, row) => Math.max(max, new Date(row.received_at).getTime()), 0)
    return { cluster, returns: rows.map((row) => row.figures), generatedAt: new Date(latest || Date.now()) }
  })
  const body = { quarter: options.quarter, generatedAt: generatedAt.toISOString(), returns }
  const payload = JSON.stringify(body)
  const key = `push-${cluster.code}-${options.quarter}-${createHash('sha256').update(payload).digest('hex').slice(0, 32)}`
  const url = new URL(
    `api/v1/programme/clusters/${encodeURIComponent(cluster.code)}/returns`,
    `${hub.toString().replace(/\/?$/, '/')}`,
  )
  let outcome: PushOutcome
  try {
    const response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.token}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: payload,
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {}
    const detail = isRecord(parsed)
      ? String(
          parsed.detail ?? `${(parsed.recorded as unknown[] | undefined)?.length ?? 0} return(s) recorded`,
        )
      : text.slice(0, 500)
    outcome = {
      outcome: response.ok ? 'accepted' : 'rejected',
      httpStatus: response.status,
      organisations: returns.length,
      detail: detail.slice(0, 2000),
      response: parsed,
    }
  } catch (error) {
    outcome = {
      outcome: 'failed',
      httpStatus: null,
      organisations: returns.length,
      detail: (error as Error).message.slice(0, 2000),
    }
  }
  await db.transaction(PUSH_CONTEXT, (trx) =>
    trx
      .insertInto('programme_hub_pushes')
      .values({
        cluster_id: cluster.id,
        quarter: options.quarter,
        hub_url: hub.origin + hub.pathname,
        pushed_by: options.pushedBy ?? null,
        organisations: outcome.organisations,
        outcome: outcome.outcome,
        http_status: outcome.httpStatus,
        detail: outcome.detail,
      })
      .execute(),
  )
  return outcome
}
