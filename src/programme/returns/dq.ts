// Data-quality scores for a return and for a cluster (method: docs/decisions/0500, kept in step
// with the constants here). Every score is 0-100 with one decimal place.
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { FIGURE_FIELDS } from '../return-schema.ts'
import type { ValidationResult } from './validation.ts'
import { numberAt } from './validation.ts'

export interface DqScores {
  completeness: number
  timeliness: number
  validity: number
  consistency: number
  overall: number
}

/** Weights of the overall score; they add up to 1. */
export const DQ_WEIGHTS = { completeness: 0.3, timeliness: 0.2, validity: 0.3, consistency: 0.2 } as const
/** Each error takes this many points off validity. */
export const VALIDITY_POINTS_PER_ERROR = 20
/** Timeliness falls linearly to 0 over this many days after the due date. */
export const TIMELINESS_DAYS_TO_ZERO = 30

const round1 = (value: number) => Math.round(value * 10) / 10
const clamp = (value: number) => Math.min(100, Math.max(0, value))

/** Whole days (started) by which `receivedAt` is after the end of the due day (UK time). */
export function daysLate(receivedAt: Date, dueOn: string): number {
  const receivedOn = receivedAt.toLocaleDateString('en-CA', { timeZone: 'Europe/London' })
  if (receivedOn <= dueOn) return 0
  return Math.round((Date.parse(receivedOn) - Date.parse(dueOn)) / 86_400_000)
}

export function scoreReturn(input: {
  figures: unknown
  validation: ValidationResult
  /** Days after the due date the return counts as received (0: on time). */
  daysLate: number
}): DqScores {
  const present = FIGURE_FIELDS.filter((field) => numberAt(input.figures, field) !== null).length
  const completeness = (present / FIGURE_FIELDS.length) * 100
  const timeliness = 100 - (100 * input.daysLate) / TIMELINESS_DAYS_TO_ZERO
  const validity = 100 - VALIDITY_POINTS_PER_ERROR * input.validation.errors.length
  const { checks } = input.validation
  const consistency = checks.length
    ? (checks.filter((check) => check.passed).length / checks.length) * 100
    : 100
  const scores = {
    completeness: round1(clamp(completeness)),
    timeliness: round1(clamp(timeliness)),
    validity: round1(clamp(validity)),
    consistency: round1(clamp(consistency)),
  }
  const overall =
    scores.completeness * DQ_WEIGHTS.completeness +
    scores.timeliness * DQ_WEIGHTS.timeliness +
    scores.validity * DQ_WEIGHTS.validity +
    scores.consistency * DQ_WEIGHTS.consistency
  return { ...scores, overall: round1(clamp(overall)) }
}

export interface ClusterQuality extends DqScores {
  clusterId: string
  clusterCode: string
  clusterName: string
  /** Organisations in the cluster now. */
  members: number
  /** Of them, those with a return (valid or not) for the quarter. */
  received: number
  missing: number
}

/**
 * Each cluster's data quality for a quarter: the mean of its member organisations' current
 * return scores, a member with no return counting 0 on every dimension. Members are the
 * organisations in the cluster now. Reads programme_returns under the caller's RLS: call it for a
 * programme reader of the clusters (a member hidden by RLS would count as missing).
 */
export async function clusterQuality(trx: Tx, quarter: string): Promise<ClusterQuality[]> {
  const { rows } = await sql<{
    cluster_id: string
    code: string
    name: string
    members: string | number
    received: string | number
    completeness: string | null
    timeliness: string | null
    validity: string | null
    consistency: string | null
    overall: string | null
  }>`
    select c.id as cluster_id, c.code, c.name, count(o.id) as members, count(r.org_id) as received,
      sum(coalesce(r.dq_completeness, 0)) / nullif(count(o.id), 0) as completeness,
      sum(coalesce(r.dq_timeliness, 0)) / nullif(count(o.id), 0) as timeliness,
      sum(coalesce(r.dq_validity, 0)) / nullif(count(o.id), 0) as validity,
      sum(coalesce(r.dq_consistency, 0)) / nullif(count(o.id), 0) as consistency,
      sum(coalesce(r.dq_overall, 0)) / nullif(count(o.id), 0) as overall
    from clusters c
    left join organisations o on o.cluster_id = c.id
    left join programme_returns r on r.org_id = o.id and r.quarter = ${quarter}
    group by c.id, c.code, c.name
    order by c.code`.execute(trx)
  return rows.map((row) => {
    const score = (value: string | null) => round1(Number(value ?? 0))
    return {
      clusterId: row.cluster_id,
      clusterCode: row.code,
      clusterName: row.name,
      members: Number(row.members),
      received: Number(row.received),
      missing: Number(row.members) - Number(row.received),
      completeness: score(row.completeness),
      timeliness: score(row.timeliness),
      validity: score(row.validity),
      consistency: score(row.consistency),
      overall: score(row.overall),
    }
  })
}
