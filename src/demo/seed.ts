// The demo world: the five clusters with their departments and real ALBs, and one demo user per
// role. Deterministic: the same ids, names and accounts on every machine. Later domains extend it
// by adding a DemoExtension to the list below (their ledgers, people, pay runs, orders).
import { sql } from 'kysely'
import { budgetsDemo } from '../finance/budgets/index.ts'
import { financeDemo } from '../finance/demo.ts'
import { payablesDemo } from '../finance/payables/index.ts'
import { receivablesDemo } from '../finance/receivables/index.ts'
import { absenceDemo } from '../hr/absence/demo.ts'
import { hrDemo } from '../hr/demo.ts'
import { CLUSTERS, ORGANISATIONS } from '../orgs/reference-data.ts'
import { payrollDemo } from '../payroll/demo.ts'
import type { Role } from '../platform/auth/permissions.ts'
import { hashPassword } from '../platform/auth/service.ts'
import type { Database, Tx } from '../platform/db/index.ts'
import { clusterId, orgId, uuidFromName } from '../platform/ids.ts'
import { procurementDemo } from '../procurement/index.ts'
import { programmeDemo } from '../programme/demo.ts'

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
    email: 'programme.manager@gss.example',
    displayName: 'Morgan Portfolio',
    role: 'programme_manager',
    scope: 'platform',
  },
  {
    email: 'returns.submitter@gss.example',
    displayName: 'Rory Returns',
    role: 'returns_submitter',
    // The Met Office is not yet on the platform: it submits its quarterly return.
    scope: { orgs: ['met-office'] },
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
  {
    email: 'line.manager@gss.example',
    displayName: 'Lina Manager',
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
const extensions: DemoExtension[] = [
  financeDemo,
  budgetsDemo,
  payablesDemo,
  hrDemo,
  absenceDemo,
  procurementDemo,
  receivablesDemo,
  payrollDemo,
  // Last: its returns are computed from everything the domains above seeded.
  programmeDemo,
]

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
 * weighting (departments ten times an arm's-length body), each with a sign-in account holding the
 * employee role, a person record, an employment with effective-dated terms, payroll details and a
 * tax code (src/hr/scale.ts), generated in bulk in one transaction. Deterministic, and growing
 * again continues the numbering. Synthetic accounts have no password. Extensions with a `grow`
 * hook then get the new employees in batches of `batchSize`.
 */
export async function growDemo(
  db: Database,
  employees: number,
  batchSize = 10_000,
  log?: (line: string) => void,
): Promise<number> {
  const { growHrWorld, syntheticId } = await import('../hr/scale.ts')
  const { first, last } = await growHrWorld(db, employees, log ? { log } : {})
  const growers = extensions.filter((extension) => extension.grow)
  for (let from = first; growers.length > 0 && from <= last; from += batchSize) {
    const ids = Array.from({ length: Math.min(batchSize, last - from + 1) }, (_, i) =>
      syntheticId('user', from + i),
    )
    const batch = await db.admin
      .selectFrom('memberships')
      .select(['user_id as userId', 'org_id as orgId'])
      .where('user_id', 'in', ids)
      .where('role', '=', 'employee')
      .execute()
    await db.adminTransaction(async (trx) => {
      for (const extension of growers)
        await extension.grow?.(
          trx,
          batch.map((b) => ({ userId: b.userId, orgId: b.orgId! })),
        )
    }, 'demo:grow')
  }
  return last - first + 1
}
