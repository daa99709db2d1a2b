// Recording quarterly returns (decision 0500). Every return received or generated becomes a new
// row of programme_return_versions (append-only: a resubmission never overwrites). The summary
// row in programme_returns is what dashboards read, and it points at:
//   - the latest VALID version when the quarter has one: a later invalid resubmission is kept in
//     the history (and shown as "a later version was refused") but never replaces good figures;
//   - otherwise the latest version, marked valid = false (the hub shows the return as invalid).
// A return is late when the first valid version (else the first version) was received after the
// end of the due day, UK time: a correction sent after the deadline does not make an on-time
// return late. Returns computed from the platform's own data are never late.
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { NotFoundError } from '../../platform/errors.ts'
import { previousQuarter, quarter as quarterInfo } from '../quarters.ts'
import { FIGURE_FIELDS, type Provenance } from '../return-schema.ts'
import type { ReturnProblem, ReturnSource } from '../tables.ts'
import { type DqScores, daysLate, scoreReturn } from './dq.ts'
import { validateReturn } from './validation.ts'

export interface ReturnSubmission {
  orgId: string
  quarter: string
  source: ReturnSource
  figures: unknown
  /** Per figure (dotted names); figures not listed are 'computed' for computed returns, else 'submitted'. */
  provenance?: Record<string, Provenance>
  receivedBy: string | null
  receivedAt?: Date
  fileName?: string
  fileSha256?: string
}

export interface RecordedReturn {
  orgId: string
  quarter: string
  version: number
  valid: boolean
  errors: ReturnProblem[]
  warnings: ReturnProblem[]
  dq: DqScores
  late: boolean
}

const PROVENANCE_KEYS: readonly string[] = ['migrationStatus', ...FIGURE_FIELDS]

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The provenance of every figure, defaults filled in; keys that are not figures are dropped. */
export function provenanceFor(
  source: ReturnSource,
  given: Record<string, Provenance> | undefined,
): Record<string, Provenance> {
  const fallback: Provenance = source === 'computed' ? 'computed' : 'submitted'
  const out: Record<string, Provenance> = {}
  for (const key of PROVENANCE_KEYS) {
    const value = given?.[key]
    out[key] = value === 'computed' || value === 'submitted' || value === 'estimated' ? value : fallback
  }
  return out
}

/**
 * Validates, scores and records one return as a new version, and updates the summary row.
 * Runs in the caller's transaction under its tenant context: RLS lets programme managers of the
 * organisation and those who act for it (its returns submitter) write. Throws NotFoundError for
 * an unknown organisation; an invalid return is recorded, not thrown (the caller answers 422).
 */
export async function recordReturn(trx: Tx, submission: ReturnSubmission): Promise<RecordedReturn> {
  const org = await trx
    .selectFrom('organisations')
    .select(['id', 'code', 'cluster_id'])
    .where('id', '=', submission.orgId)
    .executeTakeFirst()
  if (!org) throw new NotFoundError(`No organisation with id ${submission.orgId}`)
  const { dueOn } = quarterInfo(submission.quarter)
  const receivedAt = submission.receivedAt ?? new Date()

  // Serialise submissions for the same return: the summary row is locked while we add a version.
  const current = await trx
    .selectFrom('programme_returns')
    .select(['current_version', 'valid'])
    .where('org_id', '=', org.id)
    .where('quarter', '=', submission.quarter)
    .forUpdate()
    .executeTakeFirst()
  const history = await trx
    .selectFrom('programme_return_versions')
    .select(['version', 'valid', 'received_at'])
    .where('org_id', '=', org.id)
    .where('quarter', '=', submission.quarter)
    .orderBy('version')
    .execute()
  const version = (history.at(-1)?.version ?? 0) + 1

  const previous = await sql<{ figures: Record<string, unknown> }>`
    select v.figures from programme_returns r
    join programme_return_versions v on v.org_id = r.org_id and v.quarter = r.quarter and v.version = r.current_version
    where r.org_id = ${org.id} and r.quarter = ${previousQuarter(submission.quarter).code} and r.valid`.execute(
    trx,
  )

  const validation = validateReturn(submission.figures, {
    orgCode: org.code,
    quarter: submission.quarter,
    receivedAt,
    previous: previous.rows[0]?.figures ?? null,
  })
  const valid = validation.errors.length === 0

  // Lateness is judged on the first valid receipt (else the first receipt) of the quarter.
  const firstValid = history.find((row) => row.valid)
  const stampedAt = firstValid?.received_at ?? (valid ? receivedAt : (history[0]?.received_at ?? receivedAt))
  const late = submission.source !== 'computed' && daysLate(new Date(stampedAt), dueOn) > 0
  const dq = scoreReturn({
    figures: submission.figures,
    validation,
    daysLate: submission.source === 'computed' ? 0 : daysLate(new Date(stampedAt), dueOn),
  })

  const body = isRecord(submission.figures) ? submission.figures : {}
  const explanations = isRecord(body.explanations) ? body.explanations : {}
  await trx
    .insertInto('programme_return_versions')
    .values({
      org_id: org.id,
      quarter: submission.quarter,
      version,
      cluster_id: org.cluster_id,
      source: submission.source,
      figures: JSON.stringify(submission.figures ?? null),
      provenance: JSON.stringify(provenanceFor(submission.source, submission.provenance)),
      valid,
      errors: JSON.stringify(validation.errors),
      warnings: JSON.stringify(validation.warnings),
      explanations: JSON.stringify(explanations),
      dq: JSON.stringify(dq),
      received_at: receivedAt,
      received_by: submission.receivedBy,
      file_name: submission.fileName ?? null,
      file_sha256: submission.fileSha256 ?? null,
    })
    .execute()

  // A new version becomes current unless it is invalid and a valid version is already current.
  const becomesCurrent = valid || !current?.valid
  if (becomesCurrent) {
    const summary = {
      cluster_id: org.cluster_id,
      current_version: version,
      provenance: submission.source === 'computed' ? ('computed' as const) : ('submitted' as const),
      source: submission.source,
      valid,
      received_at: receivedAt,
      due_on: dueOn,
      late,
      dq_completeness: dq.completeness,
      dq_timeliness: dq.timeliness,
      dq_validity: dq.validity,
      dq_consistency: dq.consistency,
      dq_overall: dq.overall,
    }
    if (current)
      await trx
        .updateTable('programme_returns')
        .set(summary)
        .where('org_id', '=', org.id)
        .where('quarter', '=', submission.quarter)
        .execute()
    else
      await trx
        .insertInto('programme_returns')
        .values({ org_id: org.id, quarter: submission.quarter, ...summary })
        .execute()
  }
  return {
    orgId: org.id,
    quarter: submission.quarter,
    version,
    valid,
    errors: validation.errors,
    warnings: validation.warnings,
    dq,
    late,
  }
}

export interface ReturnVersion {
  version: number
  source: ReturnSource
  figures: unknown
  provenance: Record<string, Provenance>
  valid: boolean
  errors: ReturnProblem[]
  warnings: ReturnProblem[]
  explanations: Record<string, string>
  dq: Partial<DqScores>
  receivedAt: Date
  receivedBy: string | null
  fileName: string | null
  fileSha256: string | null
}

export interface ReturnRecord {
  orgId: string
  quarter: string
  clusterId: string | null
  currentVersion: number
  provenance: 'computed' | 'submitted'
  source: ReturnSource
  valid: boolean
  receivedAt: Date
  dueOn: string
  late: boolean
  dq: DqScores
  /** A version later than the current one exists: it was refused (invalid). */
  laterInvalidVersion: boolean
  /** Every version, newest first. */
  versions: ReturnVersion[]
}

/** One organisation's return for a quarter with every version, or null when none was received. */
export async function findReturn(trx: Tx, orgId: string, quarter: string): Promise<ReturnRecord | null> {
  const row = await trx
    .selectFrom('programme_returns')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('quarter', '=', quarter)
    .executeTakeFirst()
  if (!row) return null
  const versions = await trx
    .selectFrom('programme_return_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('quarter', '=', quarter)
    .orderBy('version', 'desc')
    .execute()
  return {
    orgId: row.org_id,
    quarter: row.quarter,
    clusterId: row.cluster_id,
    currentVersion: row.current_version,
    provenance: row.provenance,
    source: row.source,
    valid: row.valid,
    receivedAt: new Date(row.received_at),
    dueOn: String(row.due_on).slice(0, 10),
    late: row.late,
    dq: {
      completeness: Number(row.dq_completeness),
      timeliness: Number(row.dq_timeliness),
      validity: Number(row.dq_validity),
      consistency: Number(row.dq_consistency),
      overall: Number(row.dq_overall),
    },
    laterInvalidVersion: (versions[0]?.version ?? 0) > row.current_version,
    versions: versions.map((version) => ({
      version: version.version,
      source: version.source,
      figures: version.figures,
      provenance: version.provenance,
      valid: version.valid,
      errors: version.errors,
      warnings: version.warnings,
      explanations: version.explanations,
      dq: version.dq as Partial<DqScores>,
      receivedAt: new Date(version.received_at),
      receivedBy: version.received_by,
      fileName: version.file_name,
      fileSha256: version.file_sha256,
    })),
  }
}
