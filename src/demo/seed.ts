// The demo world: the five clusters with their departments and real ALBs, and one demo user per
// role. Deterministic: the same ids, names and accounts on every machine. Later domains extend it
// by adding a DemoExtension to the list below (their ledgers, people, pay runs, orders).
import { sql } from 'kysely'
import { budgetsDemo } from '../finance/budgets/index.ts'
import { financeDemo } from '../finance/demo.ts'
import { payablesDemo } from '../finance/payables/index.ts'
import { CLUSTERS, ORGANISATIONS } from '../orgs/reference-data.ts'
import type { Role } from '../platform/auth/permissions.ts'
import { hashPassword } from '../platform/auth/service.ts'
import type { Database, Tx } from '../platform/db/index.ts'
import { clusterId, orgId, uuidFromName } from '../platform/ids.ts'

export const DEMO_PASSWORD = 'demo-password'

export interface DemoUser {
  email: string
  displayName: string
  role: Role
  /** Organisation codes, a cluster code, or the whole platform. */
  scope: { orgs: string[] } | { cluster: string } | 'platform'
}

/** One demo account per role; the finance clerk works for two organisations to show switching. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    email: 'platform.admin@gss.example',
    displayName: 'Priya Admin',
    role: 'platform_admin',
    scope: 'platform',
  },
  {
    email: 'cluster.admin@gss.example',
    displayName: 'Colin Cluster',
    role: 'cluster_admin',
    scope: { cluster: 'matrix' },
  },
  {
    email: 'org.admin@gss.example',
    displayName: 'Olu Orgadmin',
    role: 'org_admin',
    scope: { orgs: ['cabinet-office'] },
  },
  {
    email: 'finance.clerk@gss.example',
    displayName: 'Fran Clerk',
    role: 'finance_clerk',
    scope: { orgs: ['cabinet-office', 'dsit', 'crown-commercial-service'] },
  },
  {
    email: 'finance.approver@gss.example',
    displayName: 'Femi Approver',
    role: 'finance_approver',
    scope: { orgs: ['cabinet-office'] },
  },
  {
    email: 'procurement.officer@gss.example',
    displayName: 'Pat Buyer',
    role: 'procurement_officer',
    scope: { orgs: ['cabinet-office'] },
  },
  {
    email: 'hr.officer@gss.example',
    displayName: 'Hana People',
    role: 'hr_officer',
    scope: { orgs: ['cabinet-office'] },
  },
  {
    email: 'payroll.officer@gss.example',
    displayName: 'Paul Payroll',
    role: 'payroll_officer',
    scope: { orgs: ['cabinet-office'] },
  },
  {
    email: 'payroll.approver@gss.example',
    displayName: 'Pam Signoff',
    role: 'payroll_approver',
    scope: { orgs: ['cabinet-office'] },
  },
  {
    email: 'programme.analyst@gss.example',
    displayName: 'Ana Lyst',
    role: 'programme_analyst',
    scope: 'platform',
  },
  {
    email: 'auditor@gss.example',
    displayName: 'Audrey Auditor',
    role: 'auditor',
    scope: { cluster: 'matrix' },
  },
  {
    email: 'employee@gss.example',
    displayName: 'Emma Employee',
    role: 'employee',
    scope: { orgs: ['cabinet-office'] },
  },
]

/** What a later domain adds to the demo world; run in order after the organisations and users. */
export interface DemoExtension {
  name: string
  seed(trx: Tx): Promise<void>
  /** Grows the synthetic world for `gss demo --scale N`. */
  grow?(trx: Tx, employees: Array<{ userId: string; orgId: string }>): Promise<void>
}

/** Each domain's part of the demo world, in the order they build on each other. */
const extensions: DemoExtension[] = [financeDemo, budgetsDemo, payablesDemo]

export async function isEmpty(db: Database): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from organisations`.execute(db.admin)
  return rows[0]!.n === 0
}

/** Seeds the demo world into an empty database in one transaction. Returns false if not empty. */
export async function seedDemo(db: Database): Promise<boolean> {
  if (!(await isEmpty(db))) return false
  const passwordHash = await hashPassword(DEMO_PASSWORD)
  await db.adminTransaction(async (trx) => {
    await trx
      .insertInto('clusters')
      .values(
        CLUSTERS.map((cluster) => ({
          id: clusterId(cluster.code),
          code: cluster.code,
          name: cluster.name,
          platform_product: cluster.platformProduct,
          description: cluster.description,
        })),
      )
      .execute()
    await trx
      .insertInto('organisations')
      .values(
        ORGANISATIONS.map((org) => ({
          id: orgId(org.code),
          code: org.code,
          name: org.name,
          abbreviation: org.abbreviation ?? null,
          kind: org.kind,
          sponsor_id: org.sponsor ? orgId(org.sponsor) : null,
          cluster_id: clusterId(org.cluster),
          onboarding_status: org.onboarding,
          onboarding_planned_date: org.plannedDate ?? null,
          onboarding_live_date: org.liveDate ?? null,
        })),
      )
      .execute()
    for (const cluster of CLUSTERS) {
      await trx
        .updateTable('clusters')
        .set({ lead_org_id: orgId(cluster.leadCode) })
        .where('code', '=', cluster.code)
        .execute()
    }
    for (const user of DEMO_USERS) {
      const id = uuidFromName(`user:${user.email}`)
      await trx
        .insertInto('users')
        .values({
          id,
          email: user.email,
          display_name: user.displayName,
          password_hash: passwordHash,
          oidc_subject: null,
        })
        .execute()
      const scopes =
        user.scope === 'platform'
          ? [{ org_id: null, cluster_id: null }]
          : 'cluster' in user.scope
            ? [{ org_id: null, cluster_id: clusterId(user.scope.cluster) }]
            : user.scope.orgs.map((code) => ({ org_id: orgId(code), cluster_id: null }))
      await trx
        .insertInto('memberships')
        .values(scopes.map((scope) => ({ user_id: id, role: user.role, ...scope })))
        .execute()
    }
    for (const extension of extensions) await extension.seed(trx)
  }, 'demo:seed')
  return true
}

/**
 * Grows a synthetic world: N employees spread across the organisations in proportion to a fixed
 * weighting (departments larger than ALBs), each with a sign-in account holding the employee role.
 * Synthetic accounts have no password (they exist to give later domains volume).
 */
export async function growDemo(db: Database, employees: number, batchSize = 1000): Promise<number> {
  const orgs = await db.admin
    .selectFrom('organisations')
    .select(['id', 'code', 'kind'])
    .orderBy('code')
    .execute()
  if (orgs.length === 0) throw new Error('Seed the demo world first (gss demo)')
  const weights = orgs.map((org) => (org.kind.endsWith('department') ? 10 : 1))
  const totalWeight = weights.reduce((a, b) => a + b, 0)
  const { rows } = await sql<{
    n: number
  }>`select count(*)::int as n from users where email like 'synthetic.%'`.execute(db.admin)
  const start = rows[0]!.n
  let created = 0
  while (created < employees) {
    const size = Math.min(batchSize, employees - created)
    const batch: Array<{ userId: string; orgId: string; email: string; name: string }> = []
    for (let i = 0; i < size; i++) {
      const n = start + created + i
      // Deterministic spread: walk the weighted list by a stride coprime to the total.
      let slot = (n * 7919) % totalWeight
      let index = 0
      while (slot >= weights[index]!) slot -= weights[index++]!
      const org = orgs[index]!
      batch.push({
        userId: uuidFromName(`synthetic:${n}`),
        orgId: org.id,
        email: `synthetic.${n}@${org.code}.gss.example`,
        name: `Synthetic Employee ${n}`,
      })
    }
    await db.adminTransaction(async (trx) => {
      await trx
        .insertInto('users')
        .values(
          batch.map((b) => ({
            id: b.userId,
            email: b.email,
            display_name: b.name,
            password_hash: null,
            oidc_subject: null,
          })),
        )
        .execute()
      await trx
        .insertInto('memberships')
        .values(
          batch.map((b) => ({
            user_id: b.userId,
            role: 'employee' as const,
            org_id: b.orgId,
            cluster_id: null,
          })),
        )
        .execute()
      for (const extension of extensions) await extension.grow?.(trx, batch)
    }, 'demo:grow')
    created += size
  }
  return created
}
