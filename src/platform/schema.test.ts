// Invariants every domain's tables must keep, checked against the live catalog so that a new
// table that forgets them fails here rather than in production.
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from './testing.ts'

/** Platform-wide tables: not org-scoped, with the reason each is allowed to be. */
const GLOBAL_TABLES: Record<string, string> = {
  schema_migrations: 'migration bookkeeping',
  clusters: 'reference data: the directory every user may read',
  organisations: 'the tenants themselves; RLS limits writes to those who act for them',
  users: 'a person may act for many organisations',
  memberships: 'grants roles across organisations and clusters',
  sessions: 'per user, not per organisation',
  api_tokens: 'per user; scoped to an organisation by a column',
  sign_in_attempts: 'throttling happens before anyone is known',
  idempotency_keys: 'per caller',
  oidc_pending: 'before anyone is known',
  audit_heads: 'written only by the audit trigger (security definer)',
  standard_accounts: 'reference data: the standard chart every organisation maps to',
  currencies: 'reference data: ISO 4217 currencies',
  exchange_rates: 'market data shared by every organisation',
  people:
    'one record per person across organisations (loans, transfers); its own policy shows it to the home organisation and to those employing the person',
}

/** Tables whose rows are not business data, so need no audit trigger. */
const NOT_AUDITED = new Set([
  'schema_migrations',
  'sessions',
  'sign_in_attempts',
  'idempotency_keys',
  'oidc_pending',
  'audit_log',
  'audit_heads',
  // Derived from journal lines by the posting trigger; the lines themselves are audited.
  'ledger_balances',
  // The outbox: each event is written by the change it describes, which is itself audited.
  'events',
  // Webhook delivery state and the delivery log: operational records of sending, not business data.
  'webhook_cursors',
  'webhook_deliveries',
])

/**
 * Programme registers: aggregates only (no personal data), owned by a cluster or the programme,
 * not by one organisation; RLS by cluster through gss_programme_scoped (migration 0500).
 */
const PROGRAMME_SCOPED = [
  'programme_hub_pushes',
  'programme_benefits',
  'programme_benefit_years',
  'programme_costs',
  'programme_funding',
  'programme_legacy_systems',
  'programme_risks',
  'programme_risk_mitigations',
  'programme_risk_escalations',
  'programme_delivery_confidence',
]
for (const name of PROGRAMME_SCOPED)
  GLOBAL_TABLES[name] = 'programme register: RLS by cluster (gss_programme_scoped)'

/** Tables audited by another table's trigger, as one business event (and why). */
const AUDITED_WITH: Record<string, string> = {
  journals: 'journal_lines: one entry per posting holds each journal header with its lines',
}

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => t?.close())

async function tables() {
  const { rows } = await sql<{
    name: string
    rls: boolean
    pk: string[] | null
    has_org_id: boolean
    audited: boolean
  }>`
    select c.relname as name, c.relrowsecurity as rls,
      (select array_agg(a.attname::text order by k.ordinality)
         from pg_constraint p
         cross join lateral unnest(p.conkey) with ordinality as k(attnum, ordinality)
         join pg_attribute a on a.attrelid = p.conrelid and a.attnum = k.attnum
        where p.conrelid = c.oid and p.contype = 'p') as pk,
      exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped) as has_org_id,
      exists (select 1 from pg_trigger g where g.tgrelid = c.oid and g.tgname = 'audit') as audited
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r'
    order by c.relname`.execute(t.db.admin)
  return rows
}

test('every org-scoped table has row-level security and org_id first in its primary key', async () => {
  const problems: string[] = []
  for (const table of await tables()) {
    if (table.name in GLOBAL_TABLES) continue
    if (!table.rls) problems.push(`${table.name}: row-level security is not enabled (use gss_org_scoped)`)
    if (!table.has_org_id)
      problems.push(`${table.name}: has no org_id column (or add it to GLOBAL_TABLES with a reason)`)
    if (table.pk?.[0] !== 'org_id')
      problems.push(`${table.name}: primary key (${table.pk?.join(', ')}) does not start with org_id`)
  }
  expect(problems).toEqual([])
})

test('every programme register has row-level security by cluster', async () => {
  const all = await tables()
  const problems = PROGRAMME_SCOPED.filter((name) => !all.find((table) => table.name === name)?.rls)
  expect(problems).toEqual([])
})

test('every org-scoped table has a policy on org_id', async () => {
  const { rows } = await sql<{ name: string; policies: number }>`
    select c.relname as name, count(p.polname)::int as policies
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    left join pg_policy p on p.polrelid = c.oid
    where n.nspname = 'public' and c.relkind = 'r' and c.relrowsecurity
    group by c.relname`.execute(t.db.admin)
  expect(rows.filter((row) => row.policies === 0)).toEqual([])
})

test('foreign keys between org-scoped tables lead with org_id (distributable by organisation)', async () => {
  const { rows } = await sql<{ name: string; from_table: string; to_table: string; first_column: string }>`
    select p.conname as name, c.relname as from_table, r.relname as to_table,
      (select a.attname::text from pg_attribute a where a.attrelid = p.conrelid and a.attnum = p.conkey[1]) as first_column
    from pg_constraint p
    join pg_class c on c.oid = p.conrelid
    join pg_class r on r.oid = p.confrelid
    join pg_namespace n on n.oid = c.relnamespace
    where p.contype = 'f' and n.nspname = 'public'`.execute(t.db.admin)
  const scoped = (name: string) => !(name in GLOBAL_TABLES)
  const offenders = rows.filter(
    (fk) => scoped(fk.from_table) && scoped(fk.to_table) && fk.first_column !== 'org_id',
  )
  expect(offenders).toEqual([])
})

test('every business table writes to the audit log', async () => {
  const all = await tables()
  const audited = new Set(all.filter((table) => table.audited).map((table) => table.name))
  const auditedWith = (name: string) =>
    name in AUDITED_WITH && audited.has(AUDITED_WITH[name]!.split(':')[0]!)
  const missing = all
    .filter((table) => !NOT_AUDITED.has(table.name) && !audited.has(table.name) && !auditedWith(table.name))
    .map((table) => table.name)
  expect(missing).toEqual([])
})

test('the application role owns nothing and may not write the audit log', async () => {
  const { rows } = await sql<{ privilege: string }>`
    select privilege_type as privilege from information_schema.role_table_grants
    where grantee = 'gss_app' and table_name = 'audit_log'`.execute(t.db.admin)
  expect(rows.map((row) => row.privilege)).toEqual(['SELECT'])
})
