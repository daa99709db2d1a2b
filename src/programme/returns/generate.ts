// Generating the quarterly returns of the organisations on the platform (decision 0501): compute
// every return set-based (compute.ts), then record each through the returns store (store.ts), all
// in one platform-wide transaction. Only aggregates leave it: the figures of each return.
//
// Returns are computed by the platform, not by the caller: the transaction sees every
// organisation's rows whoever asks (the caller's own permission, programme:manage, is checked by
// the route or the CLI operator's access to the database). userId is recorded as who generated.
//
// Regenerating is idempotent: a return whose computed figures equal the current version's adds
// no version. A figure that swings against the previous quarter beyond the validation limits gets
// a generated explanation saying it was computed from the records, so a real change in the data
// does not make the platform's own return invalid (the rule exists for hand-typed figures).
import { sql } from 'kysely'
import { type Database, SYSTEM_CONTEXT, type Tx } from '../../platform/db/index.ts'
import { ValidationError } from '../../platform/errors.ts'
import { isQuarterCode, previousQuarter, quarter as quarterInfo } from '../quarters.ts'
import type { ReturnProblem } from '../tables.ts'
import { type ComputedReturn, computeReturns } from './compute.ts'
import { ON_PLATFORM_STATUSES } from './indicators.ts'
import { recordReturn } from './store.ts'
import { validateReturn } from './validation.ts'
import '../tables.ts'

export interface GeneratedReturn {
  orgId: string
  orgCode: string
  /** The version recorded, or the current version when the figures were unchanged. */
  version: number
  /** false: the figures equalled the current version's and nothing was written. */
  changed: boolean
  valid: boolean
  errors: ReturnProblem[]
  warnings: ReturnProblem[]
}

export interface GenerateResult {
  quarter: string
  returns: GeneratedReturn[]
  /** Organisations asked for that are not on the platform: their return is submitted, not computed. */
  skipped: Array<{ orgId: string; orgCode: string; reason: string }>
  /** Milliseconds spent computing and recording (for the CLI and the bench). */
  computeMs: number
  recordMs: number
  /** Milliseconds per family of figures (compute.ts). */
  computeTimings: Record<string, number>
}

export interface GenerateOptions {
  userId: string | null
  /** Only these organisations (each must be on the platform); default every one that is. */
  orgIds?: string[]
  /** Called after each return is recorded (the CLI's progress bar). */
  onProgress?: (done: number, total: number) => void
  /** The moment the returns are stamped with (default now). */
  now?: Date
}

/** The most organisations one call generates: a limit on everything (the platform has ~300). */
export const GENERATE_ORGANISATIONS_MAX = 5_000

/** The explanation the generator gives a computed figure that swings against the previous quarter. */
export const SWING_EXPLANATION =
  'Computed by GSS from the organisation’s own records on the platform: the change is in the underlying data, not a typed figure.'

/** JSON with object keys sorted, so jsonb's reordering does not make equal figures differ. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  return JSON.stringify(value)
}

/**
 * Computes and records the returns of a quarter. Errors: ValidationError (not a quarter, a quarter
 * that has not started, too many organisations). An organisation that is not on the platform is
 * skipped and listed, not an error.
 */
export async function generateReturns(
  db: Database,
  quarterCode: string,
  opts: GenerateOptions,
): Promise<GenerateResult> {
  if (!isQuarterCode(quarterCode))
    throw new ValidationError(`"${quarterCode}" is not a quarter: use the form 2026-Q1`, [
      { field: '/quarter', message: 'Enter a quarter like 2026-Q1' },
    ])
  const now = opts.now ?? new Date()
  const q = quarterInfo(quarterCode)
  if (q.startsOn > now.toISOString().slice(0, 10))
    throw new ValidationError(`${quarterCode} has not started yet (it starts on ${q.startsOn})`, [
      { field: '/quarter', message: `${quarterCode} has not started yet` },
    ])
  if (opts.orgIds && opts.orgIds.length > GENERATE_ORGANISATIONS_MAX)
    throw new ValidationError(`At most ${GENERATE_ORGANISATIONS_MAX} organisations at once`, [
      { field: '/orgIds', message: `Choose at most ${GENERATE_ORGANISATIONS_MAX} organisations` },
    ])

  return db.transaction(
    {
      ...SYSTEM_CONTEXT,
      requestId: 'programme:generate-returns',
      userId: opts.userId,
      orgIds: 'all',
      programmeRead: 'all',
      programmeManage: 'all',
    },
    async (trx) => {
      const skipped: GenerateResult['skipped'] = []
      let orgIds: string[] | undefined
      if (opts.orgIds) {
        const asked = await trx
          .selectFrom('organisations')
          .select(['id', 'code', 'onboarding_status'])
          .where('id', 'in', opts.orgIds.length ? opts.orgIds : ['00000000-0000-0000-0000-000000000000'])
          .execute()
        orgIds = []
        for (const org of asked) {
          if ((ON_PLATFORM_STATUSES as readonly string[]).includes(org.onboarding_status)) orgIds.push(org.id)
          else
            skipped.push({
              orgId: org.id,
              orgCode: org.code,
              reason: `not on the platform (${org.onboarding_status.replace('_', ' ')}): its return is submitted`,
            })
        }
      }
      const computeStarted = performance.now()
      const computeTimings: Record<string, number> = {}
      const computed = await computeReturns(trx, quarterCode, orgIds, computeTimings)
      const computeMs = performance.now() - computeStarted

      const recordStarted = performance.now()
      const returns = await recordAll(trx, quarterCode, computed, opts, now)
      const recordMs = performance.now() - recordStarted
      return { quarter: quarterCode, returns, skipped, computeMs, recordMs, computeTimings }
    },
  )
}

/**
 * The computed figures, with SWING_EXPLANATION for each figure that swings against `previous`
 * (the previous quarter's current valid figures) beyond the validation limits.
 */
export function explainSwings(
  item: ComputedReturn,
  quarterCode: string,
  previous: Record<string, unknown> | null,
  receivedAt: Date,
): ComputedReturn['figures'] {
  const figures = { ...item.figures }
  const check = validateReturn(figures, { orgCode: item.orgCode, quarter: quarterCode, receivedAt, previous })
  const swings = check.errors.filter((problem) => problem.rule === 'swing-needs-explanation')
  if (swings.length > 0)
    figures.explanations = Object.fromEntries(swings.map((problem) => [problem.field, SWING_EXPLANATION]))
  return figures
}

async function recordAll(
  trx: Tx,
  quarterCode: string,
  computed: ComputedReturn[],
  opts: GenerateOptions,
  now: Date,
): Promise<GeneratedReturn[]> {
  if (computed.length === 0) return []
  const ids = computed.map((item) => item.orgId)
  // The current version of this quarter's return and the previous quarter's current valid one,
  // for every organisation in two statements.
  const current = await sql<{
    org_id: string
    version: number
    source: string
    valid: boolean
    figures: unknown
  }>`
    select r.org_id, r.current_version as version, v.source, v.valid, v.figures
    from programme_returns r
    join programme_return_versions v on v.org_id = r.org_id and v.quarter = r.quarter and v.version = r.current_version
    where r.quarter = ${quarterCode} and r.org_id = any (${ids}::uuid[])`.execute(trx)
  const previous = await sql<{ org_id: string; figures: Record<string, unknown> }>`
    select r.org_id, v.figures
    from programme_returns r
    join programme_return_versions v on v.org_id = r.org_id and v.quarter = r.quarter and v.version = r.current_version
    where r.quarter = ${previousQuarter(quarterCode).code} and r.valid and r.org_id = any (${ids}::uuid[])`.execute(
    trx,
  )
  const currentOf = new Map(current.rows.map((row) => [row.org_id, row]))
  const previousOf = new Map(previous.rows.map((row) => [row.org_id, row.figures]))

  const out: GeneratedReturn[] = []
  for (const item of computed) {
    const figures = explainSwings(item, quarterCode, previousOf.get(item.orgId) ?? null, now)

    const existing = currentOf.get(item.orgId)
    if (
      existing &&
      existing.source === 'computed' &&
      canonicalJson(existing.figures) === canonicalJson(figures)
    ) {
      out.push({
        orgId: item.orgId,
        orgCode: item.orgCode,
        version: existing.version,
        changed: false,
        valid: existing.valid,
        errors: [],
        warnings: [],
      })
    } else {
      const recorded = await recordReturn(trx, {
        orgId: item.orgId,
        quarter: quarterCode,
        source: 'computed',
        figures,
        provenance: item.provenance,
        receivedBy: opts.userId,
        receivedAt: now,
      })
      out.push({
        orgId: item.orgId,
        orgCode: item.orgCode,
        version: recorded.version,
        changed: true,
        valid: recorded.valid,
        errors: recorded.errors,
        warnings: recorded.warnings,
      })
    }
    opts.onProgress?.(out.length, computed.length)
  }
  return out
}
