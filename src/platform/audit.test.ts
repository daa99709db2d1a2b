// The audit log is a hash chain per organisation: edits and deletions made behind the
// application's back are found and named by verifyAudit (what `gss audit verify` runs).
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { OrgsService } from '../orgs/service.ts'
import { PLATFORM_CHAIN, verifyAudit } from './audit.ts'
import { orgId, uuidFromName } from './ids.ts'
import { createTestDatabase, type TestDatabase } from './testing.ts'

let t: TestDatabase
const CABINET_OFFICE = orgId('cabinet-office')

/** Tampering as the owner: the append-only trigger must be switched off first, as an attacker would. */
async function tamper(statement: string) {
  await sql
    .raw(
      `alter table audit_log disable trigger append_only; ${statement}; alter table audit_log enable trigger append_only;`,
    )
    .execute(t.db.admin)
}

beforeEach(async () => {
  t = await createTestDatabase({ seed: true })
  const orgs = new OrgsService()
  const admin = uuidFromName('user:org.admin@gss.example')
  const context = {
    userId: admin,
    orgIds: [CABINET_OFFICE],
    actingOrgId: CABINET_OFFICE,
    requestId: 'req-audit-test',
  }
  await t.db.transaction(context, (trx) =>
    orgs.changeOnboarding(trx, 'cabinet-office', { onboardingPlannedDate: '2027-01-01' }),
  )
  await t.db.transaction(context, (trx) =>
    orgs.changeOnboarding(trx, 'cabinet-office', { onboardingPlannedDate: '2027-02-01' }),
  )
})
afterEach(async () => t?.close())

describe('what the audit log records', () => {
  test('who, acting for which organisation, what, when, before and after, and the request id', async () => {
    const { rows } = await sql<{
      actor_user_id: string
      acting_org_id: string
      request_id: string
      action: string
      table_name: string
      before: { onboarding_planned_date: string }
      after: { onboarding_planned_date: string }
      at: Date
    }>`select * from audit_log where org_id = ${CABINET_OFFICE} and table_name = 'organisations' and action = 'update' order by seq`.execute(
      t.db.admin,
    )
    expect(rows).toHaveLength(2)
    expect(rows[1]).toMatchObject({
      actor_user_id: uuidFromName('user:org.admin@gss.example'),
      acting_org_id: CABINET_OFFICE,
      request_id: 'req-audit-test',
      action: 'update',
      before: { onboarding_planned_date: '2027-01-01' },
      after: { onboarding_planned_date: '2027-02-01' },
    })
    expect(rows[1]!.at).toBeInstanceOf(Date)
  })

  test('secrets never reach the log', async () => {
    const { rows } = await sql<{
      after: Record<string, unknown>
    }>`select after from audit_log where table_name = 'users' limit 1`.execute(t.db.admin)
    expect(rows[0]!.after).toHaveProperty('email')
    expect(rows[0]!.after).not.toHaveProperty('password_hash')
  })

  test('the log refuses updates and deletes even from the owner', async () => {
    await expect(sql`update audit_log set action = 'insert'`.execute(t.db.admin)).rejects.toThrow(
      /append-only/,
    )
    await expect(sql`delete from audit_log`.execute(t.db.admin)).rejects.toThrow(/append-only/)
  })
})

describe('verifyAudit', () => {
  test('an untouched log verifies', async () => {
    const result = await verifyAudit(t.db.admin)
    expect(result.ok).toBe(true)
    expect(result.broken).toEqual([])
    expect(result.entries).toBeGreaterThan(90)
    expect(result.chains).toBeGreaterThan(50)
  })

  test('an edited entry is named', async () => {
    await tamper(`update audit_log set after = jsonb_set(after, '{onboarding_planned_date}', '"2030-01-01"')
      where org_id = '${CABINET_OFFICE}' and seq = 2`)
    const result = await verifyAudit(t.db.admin)
    expect(result.ok).toBe(false)
    expect(result.broken).toEqual([
      expect.objectContaining({
        orgId: CABINET_OFFICE,
        seq: 2,
        problem: 'edited',
        detail: expect.stringContaining('changed'),
      }),
    ])
  })

  test('an edit that recomputes its own hash is still caught by the next link', async () => {
    await tamper(`update audit_log set after = jsonb_set(after, '{onboarding_planned_date}', '"2030-01-01"'),
        hash = gss_audit_hash(prev_hash, org_id, seq, at, actor_user_id, acting_org_id, request_id, action, table_name, entity_id, before,
          jsonb_set(after, '{onboarding_planned_date}', '"2030-01-01"'))
      where org_id = '${CABINET_OFFICE}' and seq = 2`)
    const result = await verifyAudit(t.db.admin)
    expect(result.broken).toEqual([
      expect.objectContaining({ orgId: CABINET_OFFICE, seq: 3, problem: 'edited' }),
    ])
  })

  test('a deleted entry in the middle is named', async () => {
    await tamper(`delete from audit_log where org_id = '${CABINET_OFFICE}' and seq = 2`)
    const result = await verifyAudit(t.db.admin)
    expect(result.broken).toEqual([
      expect.objectContaining({
        orgId: CABINET_OFFICE,
        seq: 2,
        problem: 'missing',
        detail: expect.stringContaining('deleted'),
      }),
    ])
  })

  test('deleted latest entries are caught against the chain head', async () => {
    await tamper(`delete from audit_log where org_id = '${CABINET_OFFICE}' and seq >= 3`)
    const result = await verifyAudit(t.db.admin)
    expect(result.broken).toEqual([
      expect.objectContaining({ orgId: CABINET_OFFICE, seq: 3, problem: 'missing' }),
    ])
  })

  test('a whole deleted chain is caught, and each broken chain is reported once', async () => {
    await tamper(`delete from audit_log where org_id = '${orgId('hmrc')}'`)
    await tamper(`update audit_log set request_id = 'forged' where org_id = '${PLATFORM_CHAIN}' and seq = 5`)
    await tamper(`update audit_log set request_id = 'forged' where org_id = '${PLATFORM_CHAIN}' and seq = 7`)
    const result = await verifyAudit(t.db.admin)
    expect(result.broken, JSON.stringify(result.broken)).toHaveLength(2)
    expect(result.broken).toContainEqual(
      expect.objectContaining({ orgId: orgId('hmrc'), seq: 1, problem: 'missing' }),
    )
    expect(result.broken).toContainEqual(
      expect.objectContaining({ orgId: PLATFORM_CHAIN, seq: 5, problem: 'edited' }),
    )
  })
})
