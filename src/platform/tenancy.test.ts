// Row-level security: the database itself keeps each organisation's rows from every other's,
// whatever query the application runs.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { orgId, uuidFromName } from './ids.ts'
import { actableOrgIds, can, loadGrants, type Principal, tenantContext } from './tenancy.ts'
import { createTestDatabase, type TestDatabase } from './testing.ts'

let t: TestDatabase
const CABINET_OFFICE = orgId('cabinet-office')
const HMRC = orgId('hmrc')

async function principalFor(email: string): Promise<Principal> {
  const id = uuidFromName(`user:${email}`)
  const grants = await t.db.transaction(
    { userId: null, orgIds: [], actingOrgId: null, requestId: 'test' },
    (trx) => loadGrants(trx, id),
  )
  return { userId: id, email, displayName: email, via: 'session', ...grants }
}

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  // Some org-scoped rows in two organisations, written as the owner.
  await sql`insert into onboarding_events (org_id, onboarding_status, note)
    values (${CABINET_OFFICE}, 'planned', 'co plan'), (${HMRC}, 'planned', 'hmrc plan'), (${HMRC}, 'migrating', 'hmrc go')`.execute(
    t.db.admin,
  )
  // A table made org-scoped by the same helper every domain uses, with every privilege granted, so
  // that only row-level security stands between the application and another organisation's rows.
  await sql
    .raw(`create table rls_probe (org_id uuid not null, id int not null, note text, primary key (org_id, id));
    select gss_org_scoped('rls_probe');
    grant select, insert, update, delete on rls_probe to gss_app;
    insert into rls_probe values ('${CABINET_OFFICE}', 1, 'a'), ('${HMRC}', 1, 'b'), ('${HMRC}', 2, 'c');`)
    .execute(t.db.admin)
})
afterAll(async () => t?.close())

describe('row-level security', () => {
  test('an unfiltered query for a user of org A returns none of org B’s rows', async () => {
    const orgAdmin = await principalFor('org.admin@gss.example') // Cabinet Office only
    const rows = await t.db.transaction(tenantContext(orgAdmin, 'test', CABINET_OFFICE), (trx) =>
      trx.selectFrom('onboarding_events').select(['org_id', 'note']).execute(),
    )
    expect(rows.map((row) => row.note)).toEqual(['co plan'])
    // The same through raw SQL with no WHERE at all.
    const raw = await t.db.transaction(tenantContext(orgAdmin, 'test', CABINET_OFFICE), (trx) =>
      sql<{ n: number }>`select count(*)::int as n from onboarding_events where org_id = ${HMRC}`.execute(
        trx,
      ),
    )
    expect(raw.rows[0]!.n).toBe(0)
  })

  test('a user of org A cannot insert, update or delete org B’s rows', async () => {
    const orgAdmin = await principalFor('org.admin@gss.example')
    const context = tenantContext(orgAdmin, 'test', CABINET_OFFICE)
    await expect(
      t.db.transaction(context, (trx) =>
        trx
          .insertInto('onboarding_events')
          .values({ org_id: HMRC, onboarding_status: 'live', note: 'forged' })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/)
    // Where the application may update and delete, row-level security still hides B's rows.
    const updated = await t.db.transaction(context, (trx) =>
      sql`update rls_probe set note = 'x' where org_id = ${HMRC}`.execute(trx),
    )
    expect(Number(updated.numAffectedRows ?? 0)).toBe(0)
    const deleted = await t.db.transaction(context, (trx) => sql`delete from rls_probe`.execute(trx))
    expect(Number(deleted.numAffectedRows ?? 0)).toBe(1) // only its own row
    await expect(
      t.db.transaction(context, (trx) =>
        sql`insert into rls_probe values (${HMRC}, 3, 'forged')`.execute(trx),
      ),
    ).rejects.toThrow(/row-level security/)
    await expect(
      t.db.transaction(context, (trx) =>
        sql`update rls_probe set org_id = ${HMRC} where id = 1`.execute(trx),
      ),
    ).resolves.toBeDefined() // its own row was deleted above, so there is nothing to move
    const probe = await sql<{
      note: string
    }>`select note from rls_probe where org_id = ${HMRC} order by id`.execute(t.db.admin)
    expect(probe.rows.map((row) => row.note)).toEqual(['b', 'c'])
    // The history table is append-only for the application: no UPDATE or DELETE at all.
    await expect(
      t.db.transaction(context, (trx) =>
        sql`delete from onboarding_events where org_id = ${HMRC}`.execute(trx),
      ),
    ).rejects.toThrow(/permission denied/)
    const orgUpdate = await t.db.transaction(context, (trx) =>
      sql`update organisations set name = 'Forged' where id = ${HMRC}`.execute(trx),
    )
    expect(Number(orgUpdate.numAffectedRows ?? 0)).toBe(0)
    const { rows } = await sql<{
      note: string
    }>`select note from onboarding_events where org_id = ${HMRC} order by note`.execute(t.db.admin)
    expect(rows.map((row) => row.note)).toEqual(['hmrc go', 'hmrc plan'])
    const hmrc = await t.db.admin
      .selectFrom('organisations')
      .select('name')
      .where('id', '=', HMRC)
      .executeTakeFirstOrThrow()
    expect(hmrc.name).toBe('HM Revenue and Customs')
  })

  test('a cluster role reaches every organisation of its cluster and no other', async () => {
    const clusterAdmin = await principalFor('cluster.admin@gss.example') // Matrix
    const orgs = actableOrgIds(clusterAdmin)
    expect(orgs).toContain(CABINET_OFFICE)
    expect(orgs).toContain(orgId('crown-commercial-service')) // an ALB of a Matrix department
    expect(orgs).not.toContain(HMRC)
    const notes = await t.db.transaction(tenantContext(clusterAdmin, 'test', null), (trx) =>
      trx.selectFrom('onboarding_events').select('note').execute(),
    )
    expect(notes.map((row) => row.note)).toEqual(['co plan'])
  })

  test('a user with no organisation sees nothing; a platform admin sees everything', async () => {
    const none = await t.db.transaction(
      { userId: null, orgIds: [], actingOrgId: null, requestId: 'test' },
      (trx) => trx.selectFrom('onboarding_events').select('note').execute(),
    )
    expect(none).toEqual([])
    const admin = await principalFor('platform.admin@gss.example')
    expect(actableOrgIds(admin)).toBe('all')
    const all = await t.db.transaction(tenantContext(admin, 'test', null), (trx) =>
      trx.selectFrom('onboarding_events').select('note').execute(),
    )
    expect(all).toHaveLength(3)
  })

  test('programme analysts get aggregates only: no row visibility from their role', async () => {
    const analyst = await principalFor('programme.analyst@gss.example')
    expect(actableOrgIds(analyst)).toEqual([])
    expect(can(analyst, 'programme:read')).toBe(true)
    expect(can(analyst, 'hr:read')).toBe(false)
    const rows = await t.db.transaction(tenantContext(analyst, 'test', null), (trx) =>
      trx.selectFrom('onboarding_events').select('note').execute(),
    )
    expect(rows).toEqual([])
  })

  test('an API token narrows its user to one organisation and the roles it carries', async () => {
    const clerk = await principalFor('finance.clerk@gss.example')
    const token: Principal = {
      ...clerk,
      via: 'token',
      tokenScope: { tokenId: 't', orgId: orgId('dsit'), roles: ['finance_clerk'] },
    }
    expect(actableOrgIds(token)).toEqual([orgId('dsit')])
    expect(can(token, 'finance:post', orgId('dsit'))).toBe(true)
    expect(can(token, 'finance:post', CABINET_OFFICE)).toBe(false)
  })
})

describe('the application role', () => {
  test('is not a superuser, cannot bypass RLS and owns no tables', async () => {
    const { rows } = await t.db.transaction(
      { userId: null, orgIds: [], actingOrgId: null, requestId: 'test' },
      (trx) =>
        sql<{ who: string; superuser: boolean; bypass: boolean; owned: number }>`
        select current_user as who, r.rolsuper as superuser, r.rolbypassrls as bypass,
          (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
        from pg_roles r where r.rolname = current_user`.execute(trx),
    )
    expect(rows[0]).toEqual({ who: 'gss_app', superuser: false, bypass: false, owned: 0 })
  })

  test('cannot write the audit log or its chain heads directly', async () => {
    const context = { userId: null, orgIds: 'all' as const, actingOrgId: null, requestId: 'test' }
    await expect(t.db.transaction(context, (trx) => sql`delete from audit_log`.execute(trx))).rejects.toThrow(
      /permission denied/,
    )
    await expect(
      t.db.transaction(context, (trx) => sql`update audit_heads set seq = 0`.execute(trx)),
    ).rejects.toThrow(/permission denied/)
  })
})
