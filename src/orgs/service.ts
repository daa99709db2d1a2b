// The organisations domain's public API: the directory of clusters and organisations, and the
// changes an administrator makes to an organisation's onboarding.
import { sql } from 'kysely'
import type { Tx } from '../platform/db/index.ts'
import { BusinessRuleError, ConflictError, NotFoundError, ValidationError } from '../platform/errors.ts'
import {
  isDepartment,
  ONBOARDING_STATUSES,
  type OnboardingStatus,
  ORGANISATION_KINDS,
  type OrganisationKind,
} from './tables.ts'

export interface ClusterSummary {
  id: string
  code: string
  name: string
  platformProduct: string | null
  description: string
  lead: { code: string; name: string } | null
  departmentCount: number
  albCount: number
  liveCount: number
}

export interface OrganisationSummary {
  id: string
  code: string
  name: string
  abbreviation: string | null
  kind: OrganisationKind
  cluster: { code: string; name: string } | null
  sponsor: { code: string; name: string } | null
  onboardingStatus: OnboardingStatus
  onboardingPlannedDate: string | null
  onboardingLiveDate: string | null
}

export interface OrganisationDetail extends OrganisationSummary {
  clusterDivergenceReason: string | null
  sponsoredBodies: OrganisationSummary[]
  updatedAt: Date
}

export interface DirectoryFilter {
  cluster?: string | undefined
  kind?: OrganisationKind | 'department' | 'alb' | undefined
  onboarding?: OnboardingStatus | undefined
  sponsor?: string | undefined
  q?: string | undefined
  limit?: number | undefined
  offset?: number | undefined
}

export const DIRECTORY_PAGE_SIZE_MAX = 500

export interface OnboardingChange {
  /** Why the plan changed, kept with the history. */
  note?: string | undefined
  onboardingStatus?: OnboardingStatus | undefined
  onboardingPlannedDate?: string | null | undefined
  onboardingLiveDate?: string | null | undefined
}

export interface NewOrganisation {
  code: string
  name: string
  abbreviation?: string | undefined
  kind: OrganisationKind
  sponsorCode?: string | undefined
  clusterCode?: string | undefined
  clusterDivergenceReason?: string | undefined
}

interface OrganisationRow {
  id: string
  code: string
  name: string
  abbreviation: string | null
  kind: OrganisationKind
  onboarding_status: OnboardingStatus
  onboarding_planned_date: string | null
  onboarding_live_date: string | null
  cluster_divergence_reason: string | null
  updated_at: Date
  cluster_code: string | null
  cluster_name: string | null
  sponsor_code: string | null
  sponsor_name: string | null
}

function summary(row: OrganisationRow): OrganisationSummary {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    abbreviation: row.abbreviation,
    kind: row.kind,
    cluster: row.cluster_code ? { code: row.cluster_code, name: row.cluster_name! } : null,
    sponsor: row.sponsor_code ? { code: row.sponsor_code, name: row.sponsor_name! } : null,
    onboardingStatus: row.onboarding_status,
    onboardingPlannedDate: row.onboarding_planned_date,
    onboardingLiveDate: row.onboarding_live_date,
  }
}

function organisations(trx: Tx) {
  return trx
    .selectFrom('organisations as o')
    .leftJoin('clusters as c', 'c.id', 'o.cluster_id')
    .leftJoin('organisations as s', 's.id', 'o.sponsor_id')
    .select([
      'o.id',
      'o.code',
      'o.name',
      'o.abbreviation',
      'o.kind',
      'o.onboarding_status',
      'o.onboarding_planned_date',
      'o.onboarding_live_date',
      'o.cluster_divergence_reason',
      'o.updated_at',
      'c.code as cluster_code',
      'c.name as cluster_name',
      's.code as sponsor_code',
      's.name as sponsor_name',
    ])
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/
function checkDate(value: string | null | undefined, field: string, label: string): void {
  if (value === null || value === undefined) return
  const parsed = new Date(`${value}T00:00:00Z`)
  if (
    !ISO_DATE.test(value) ||
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 10) !== value
  ) {
    throw new ValidationError(`${label} must be a real date`, [
      { field, message: `${label} must be a real date` },
    ])
  }
}

export class OrgsService {
  async listClusters(trx: Tx): Promise<ClusterSummary[]> {
    const { rows } = await sql<{
      id: string
      code: string
      name: string
      platform_product: string | null
      description: string
      lead_code: string | null
      lead_name: string | null
      department_count: number
      alb_count: number
      live_count: number
    }>`
      select c.id, c.code, c.name, c.platform_product, c.description, l.code as lead_code, l.name as lead_name,
        count(o.id) filter (where o.kind in ('ministerial_department', 'non_ministerial_department'))::int as department_count,
        count(o.id) filter (where o.kind not in ('ministerial_department', 'non_ministerial_department'))::int as alb_count,
        count(o.id) filter (where o.onboarding_status = 'live')::int as live_count
      from clusters c
      left join organisations l on l.id = c.lead_org_id
      left join organisations o on o.cluster_id = c.id
      group by c.id, l.code, l.name
      order by c.name`.execute(trx)
    return rows.map((row) => ({
      id: row.id,
      code: row.code,
      name: row.name,
      platformProduct: row.platform_product,
      description: row.description,
      lead: row.lead_code ? { code: row.lead_code, name: row.lead_name! } : null,
      departmentCount: row.department_count,
      albCount: row.alb_count,
      liveCount: row.live_count,
    }))
  }

  async getCluster(
    trx: Tx,
    code: string,
  ): Promise<ClusterSummary & { organisations: OrganisationSummary[] }> {
    const cluster = (await this.listClusters(trx)).find((candidate) => candidate.code === code)
    if (!cluster) throw new NotFoundError(`There is no cluster with the code ${code}`)
    const members = await this.listOrganisations(trx, { cluster: code, limit: DIRECTORY_PAGE_SIZE_MAX })
    return { ...cluster, organisations: members.items }
  }

  async listOrganisations(
    trx: Tx,
    filter: DirectoryFilter = {},
  ): Promise<{ items: OrganisationSummary[]; total: number }> {
    let query = organisations(trx)
    if (filter.cluster) query = query.where('c.code', '=', filter.cluster)
    if (filter.kind === 'department')
      query = query.where('o.kind', 'in', ['ministerial_department', 'non_ministerial_department'])
    else if (filter.kind === 'alb')
      query = query.where('o.kind', 'not in', ['ministerial_department', 'non_ministerial_department'])
    else if (filter.kind) query = query.where('o.kind', '=', filter.kind)
    if (filter.onboarding) query = query.where('o.onboarding_status', '=', filter.onboarding)
    if (filter.sponsor) query = query.where('s.code', '=', filter.sponsor)
    if (filter.q) {
      const pattern = `%${filter.q.replace(/[\\%_]/g, (match) => `\\${match}`)}%`
      query = query.where((eb) =>
        eb.or([
          eb('o.name', 'ilike', pattern),
          eb('o.abbreviation', 'ilike', pattern),
          eb('o.code', 'ilike', pattern),
        ]),
      )
    }
    const limit = Math.min(filter.limit ?? 100, DIRECTORY_PAGE_SIZE_MAX)
    const rows = await query
      .select(sql<number>`count(*) over ()::int`.as('total'))
      // Departments first, each followed by nothing else: sort by cluster, then name.
      .orderBy('c.name')
      .orderBy(sql`o.sponsor_id is not null`)
      .orderBy('o.name')
      .limit(limit)
      .offset(filter.offset ?? 0)
      .execute()
    return { items: rows.map(summary), total: rows[0]?.total ?? 0 }
  }

  async getOrganisation(trx: Tx, code: string): Promise<OrganisationDetail> {
    const row = await organisations(trx).where('o.code', '=', code).executeTakeFirst()
    if (!row) throw new NotFoundError(`There is no organisation with the code ${code}`)
    const sponsored = await this.listOrganisations(trx, { sponsor: code, limit: DIRECTORY_PAGE_SIZE_MAX })
    return {
      ...summary(row),
      clusterDivergenceReason: row.cluster_divergence_reason,
      sponsoredBodies: sponsored.items,
      updatedAt: row.updated_at,
    }
  }

  /** The recorded history of an organisation's onboarding, newest first. */
  async onboardingHistory(trx: Tx, orgId: string) {
    return trx
      .selectFrom('onboarding_events as e')
      .leftJoin('users as u', 'u.id', 'e.recorded_by')
      .select([
        'e.recorded_at',
        'e.onboarding_status',
        'e.onboarding_planned_date',
        'e.onboarding_live_date',
        'e.note',
        'u.display_name as recorded_by_name',
      ])
      .where('e.org_id', '=', orgId)
      .orderBy('e.recorded_at', 'desc')
      .limit(50)
      .execute()
  }

  async idForCode(trx: Tx, code: string): Promise<{ id: string; clusterId: string | null } | undefined> {
    const row = await trx
      .selectFrom('organisations')
      .select(['id', 'cluster_id'])
      .where('code', '=', code)
      .executeTakeFirst()
    return row ? { id: row.id, clusterId: row.cluster_id } : undefined
  }

  /** Records a change in an organisation's migration onto the platform. */
  async changeOnboarding(trx: Tx, code: string, change: OnboardingChange): Promise<OrganisationDetail> {
    const current = await this.getOrganisation(trx, code)
    if (change.onboardingStatus !== undefined && !ONBOARDING_STATUSES.includes(change.onboardingStatus)) {
      throw new ValidationError('Select an onboarding status', [
        { field: '/onboardingStatus', message: 'Select an onboarding status' },
      ])
    }
    checkDate(change.onboardingPlannedDate, '/onboardingPlannedDate', 'Planned migration date')
    checkDate(change.onboardingLiveDate, '/onboardingLiveDate', 'Go-live date')
    const status = change.onboardingStatus ?? current.onboardingStatus
    const liveDate =
      change.onboardingLiveDate === undefined ? current.onboardingLiveDate : change.onboardingLiveDate
    if (status === 'live' && !liveDate) {
      throw new ValidationError('Enter the go-live date for an organisation that is live', [
        { field: '/onboardingLiveDate', message: 'Enter the go-live date for an organisation that is live' },
      ])
    }
    const result = await trx
      .updateTable('organisations')
      .set({
        onboarding_status: status,
        ...(change.onboardingPlannedDate !== undefined
          ? { onboarding_planned_date: change.onboardingPlannedDate }
          : {}),
        ...(change.onboardingLiveDate !== undefined
          ? { onboarding_live_date: change.onboardingLiveDate }
          : {}),
        updated_at: new Date(),
      })
      .where('code', '=', code)
      .executeTakeFirst()
    // Row-level security hides organisations the caller cannot act for: nothing is updated.
    if (result.numUpdatedRows === 0n) throw new NotFoundError(`You cannot change the organisation ${code}`)
    const updated = await this.getOrganisation(trx, code)
    await trx
      .insertInto('onboarding_events')
      .values({
        org_id: updated.id,
        recorded_by: sql<string>`gss_current_user_id()`,
        onboarding_status: updated.onboardingStatus,
        onboarding_planned_date: updated.onboardingPlannedDate,
        onboarding_live_date: updated.onboardingLiveDate,
        note: change.note?.trim() ?? '',
      })
      .execute()
    return updated
  }

  /** Adds an organisation; an ALB joins its sponsor's cluster unless a divergence is recorded. */
  async createOrganisation(
    trx: Tx,
    input: NewOrganisation,
    id: string = crypto.randomUUID(),
  ): Promise<OrganisationDetail> {
    if (!ORGANISATION_KINDS.includes(input.kind)) {
      throw new ValidationError('Select the kind of organisation', [
        { field: '/kind', message: 'Select the kind of organisation' },
      ])
    }
    if (await this.idForCode(trx, input.code))
      throw new ConflictError(`An organisation with the code ${input.code} already exists`)
    let sponsor: { id: string; clusterId: string | null } | undefined
    if (isDepartment(input.kind)) {
      if (input.sponsorCode)
        throw new ValidationError('A department has no sponsor', [
          { field: '/sponsorCode', message: 'A department has no sponsor' },
        ])
    } else {
      if (!input.sponsorCode) {
        throw new ValidationError('An arm’s-length body needs a sponsor department', [
          { field: '/sponsorCode', message: 'An arm’s-length body needs a sponsor department' },
        ])
      }
      sponsor = await this.idForCode(trx, input.sponsorCode)
      if (!sponsor)
        throw new ValidationError(`There is no organisation with the code ${input.sponsorCode}`, [
          { field: '/sponsorCode', message: `There is no organisation with the code ${input.sponsorCode}` },
        ])
    }
    let clusterId = sponsor?.clusterId ?? null
    if (input.clusterCode) {
      const cluster = await trx
        .selectFrom('clusters')
        .select('id')
        .where('code', '=', input.clusterCode)
        .executeTakeFirst()
      if (!cluster)
        throw new ValidationError(`There is no cluster with the code ${input.clusterCode}`, [
          { field: '/clusterCode', message: `There is no cluster with the code ${input.clusterCode}` },
        ])
      clusterId = cluster.id
    }
    const diverges = sponsor !== undefined && clusterId !== sponsor.clusterId
    if (diverges && !input.clusterDivergenceReason?.trim()) {
      throw new BusinessRuleError(
        'An arm’s-length body in a different cluster from its sponsor needs the agreed divergence recorded',
        [
          {
            field: '/clusterDivergenceReason',
            message: 'Record the agreed reason for joining a different cluster from the sponsor',
          },
        ],
      )
    }
    await trx
      .insertInto('organisations')
      .values({
        id,
        code: input.code,
        name: input.name,
        abbreviation: input.abbreviation ?? null,
        kind: input.kind,
        sponsor_id: sponsor?.id ?? null,
        cluster_id: clusterId,
        cluster_divergence_reason: diverges ? input.clusterDivergenceReason!.trim() : null,
      })
      .execute()
    return this.getOrganisation(trx, input.code)
  }
}
