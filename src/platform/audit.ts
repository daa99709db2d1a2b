// The audit log: every change to business data, written by one database trigger (see
// migrations/0001_platform_core.sql) as a hash chain per organisation. verifyAudit() recomputes
// every link with the same SQL function the trigger used, so an edited, deleted or inserted row
// breaks the chain at a place it can name.
import { sql } from 'kysely'
import type { Db, Tx } from './db/index.ts'

export const PLATFORM_CHAIN = '00000000-0000-0000-0000-000000000000'

export interface BrokenLink {
  orgId: string
  seq: number
  problem: 'edited' | 'missing' | 'out-of-order' | 'head-mismatch'
  detail: string
}

export interface VerifyResult {
  ok: boolean
  entries: number
  chains: number
  /** The first broken link of each broken chain, in chain order. */
  broken: BrokenLink[]
}

/** Verifies every chain; reads the log in one pass, ordered by chain and sequence. */
export async function verifyAudit(db: Db): Promise<VerifyResult> {
  const { rows } = await sql<{
    org_id: string
    seq: number
    hash: string
    prev_hash: string
    computed: string
    table_name: string
    entity_id: string | null
  }>`
    select org_id, seq, hash, prev_hash, table_name, entity_id,
      gss_audit_hash(prev_hash, org_id, seq, at, actor_user_id, acting_org_id, request_id, action, table_name,
        entity_id, before, after) as computed
    from audit_log
    order by org_id, seq`.execute(db)
  const heads = await sql<{
    org_id: string
    seq: number
    hash: string
  }>`select org_id, seq, hash from audit_heads`.execute(db)
  const headByOrg = new Map(heads.rows.map((head) => [head.org_id, head]))
  const broken: BrokenLink[] = []
  const brokenChains = new Set<string>()
  let chains = 0
  let previous: { org_id: string; seq: number; hash: string } | undefined
  const report = (link: BrokenLink) => {
    if (brokenChains.has(link.orgId)) return
    brokenChains.add(link.orgId)
    broken.push(link)
  }
  const closeChain = (last: { org_id: string; seq: number; hash: string }) => {
    const head = headByOrg.get(last.org_id)
    headByOrg.delete(last.org_id)
    if (head && (head.seq !== last.seq || head.hash !== last.hash)) {
      report({
        orgId: last.org_id,
        seq: last.seq + 1,
        problem: 'missing',
        detail: `the chain ends at entry ${last.seq} but its head records entry ${head.seq}: later entries were deleted`,
      })
    }
  }
  for (const row of rows) {
    const first = previous?.org_id !== row.org_id
    if (first) {
      if (previous) closeChain(previous)
      chains++
    }
    const expectedSeq = first ? 1 : previous!.seq + 1
    const expectedPrev = first ? '' : previous!.hash
    const where = `entry ${row.seq} (${row.table_name} ${row.entity_id ?? ''})`.replace(' )', ')')
    if (row.seq !== expectedSeq) {
      report({
        orgId: row.org_id,
        seq: expectedSeq,
        problem: row.seq > expectedSeq ? 'missing' : 'out-of-order',
        detail: `expected entry ${expectedSeq} but found entry ${row.seq}: ${row.seq > expectedSeq ? `entries ${expectedSeq} to ${row.seq - 1} were deleted` : 'entries were reordered'}`,
      })
    } else if (row.prev_hash !== expectedPrev) {
      report({
        orgId: row.org_id,
        seq: row.seq,
        problem: 'edited',
        detail: `${where} does not follow the entry before it`,
      })
    } else if (row.computed !== row.hash) {
      report({
        orgId: row.org_id,
        seq: row.seq,
        problem: 'edited',
        detail: `${where} was changed after it was written`,
      })
    }
    previous = row
  }
  if (previous) closeChain(previous)
  for (const head of headByOrg.values()) {
    if (head.seq > 0) {
      report({
        orgId: head.org_id,
        seq: 1,
        problem: 'missing',
        detail: `all ${head.seq} entries of this chain were deleted`,
      })
    }
  }
  return { ok: broken.length === 0, entries: rows.length, chains, broken }
}

export interface AuditEntry {
  orgId: string
  seq: number
  at: Date
  actorUserId: string | null
  actorName: string | null
  actingOrgId: string | null
  requestId: string | null
  action: string
  tableName: string
  entityId: string | null
  before: unknown
  after: unknown
}

/** The most recent entries the caller may see (row-level security limits them to its orgs). */
export async function recentAudit(trx: Tx, limit = 100): Promise<AuditEntry[]> {
  const { rows } = await sql<{
    org_id: string
    seq: number
    at: Date
    actor_user_id: string | null
    actor_name: string | null
    acting_org_id: string | null
    request_id: string | null
    action: string
    table_name: string
    entity_id: string | null
    before: unknown
    after: unknown
  }>`
    select a.org_id, a.seq, a.at, a.actor_user_id, u.display_name as actor_name, a.acting_org_id, a.request_id,
      a.action, a.table_name, a.entity_id, a.before, a.after
    from audit_log a left join users u on u.id = a.actor_user_id
    order by a.at desc, a.seq desc
    limit ${Math.min(limit, 500)}`.execute(trx)
  return rows.map((row) => ({
    orgId: row.org_id,
    seq: row.seq,
    at: row.at,
    actorUserId: row.actor_user_id,
    actorName: row.actor_name,
    actingOrgId: row.acting_org_id,
    requestId: row.request_id,
    action: row.action,
    tableName: row.table_name,
    entityId: row.entity_id,
    before: row.before,
    after: row.after,
  }))
}
