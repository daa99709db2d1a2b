// Who may act for which organisations. A membership grants a role on one organisation, on every
// organisation of a cluster, or platform-wide; an API token narrows its user to one organisation
// and a subset of the roles the user still holds there.
import { sql } from 'kysely'
import {
  type Permission,
  permissionsOf,
  ROLE_DEFINITIONS,
  type Role,
  type RoutePermission,
} from './auth/permissions.ts'
import type { TenantContext, Tx } from './db/index.ts'

export interface Grant {
  role: Role
  orgId: string
}

export interface Principal {
  userId: string
  email: string
  displayName: string
  via: 'session' | 'token'
  /** Roles held on specific organisations (cluster memberships expanded to their organisations). */
  grants: readonly Grant[]
  /** Roles held platform-wide: they apply to every organisation. */
  platformRoles: readonly Role[]
  /** For API tokens: the one organisation and the roles the token was made for. */
  tokenScope?: { tokenId: string; orgId: string; roles: readonly Role[] }
}

/** Loads a user's role grants, expanding cluster memberships to the organisations in the cluster. */
export async function loadGrants(
  trx: Tx,
  userId: string,
): Promise<Pick<Principal, 'grants' | 'platformRoles'>> {
  const { rows } = await sql<{ role: Role; org_id: string | null; platform: boolean }>`
    select m.role, o.id as org_id, (m.org_id is null and m.cluster_id is null) as platform
    from memberships m
    left join organisations o on o.id = m.org_id or (m.cluster_id is not null and o.cluster_id = m.cluster_id)
    where m.user_id = ${userId}`.execute(trx)
  const grants: Grant[] = []
  const platformRoles = new Set<Role>()
  for (const row of rows) {
    if (row.platform) platformRoles.add(row.role)
    else if (row.org_id) grants.push({ role: row.role, orgId: row.org_id })
  }
  return { grants, platformRoles: [...platformRoles] }
}

/** The roles a principal holds on one organisation. */
export function rolesOn(principal: Principal, orgId: string): Set<Role> {
  const roles = new Set<Role>(principal.platformRoles)
  for (const grant of principal.grants) if (grant.orgId === orgId) roles.add(grant.role)
  const scope = principal.tokenScope
  if (scope) {
    if (scope.orgId !== orgId) return new Set()
    return new Set([...roles].filter((role) => scope.roles.includes(role)))
  }
  return roles
}

/** Every role the principal holds anywhere (for platform-level routes such as the directory). */
export function allRoles(principal: Principal): Set<Role> {
  if (principal.tokenScope) return rolesOn(principal, principal.tokenScope.orgId)
  return new Set([...principal.platformRoles, ...principal.grants.map((grant) => grant.role)])
}

export function can(principal: Principal, permission: RoutePermission, orgId?: string): boolean {
  if (permission === 'public' || permission === 'authenticated') return true
  const roles = orgId === undefined ? allRoles(principal) : rolesOn(principal, orgId)
  return permissionsOf(roles).has(permission as Permission)
}

/**
 * The organisations whose rows the principal's transactions may touch. Aggregate-only roles add
 * nothing here: programme analysts read aggregates, never rows.
 */
export function actableOrgIds(principal: Principal): readonly string[] | 'all' {
  const counts = (role: Role) => !ROLE_DEFINITIONS[role].aggregateOnly
  const scope = principal.tokenScope
  // A platform-wide role reaches every organisation, also through a token that carries it.
  if (principal.platformRoles.some((role) => counts(role) && (!scope || scope.roles.includes(role))))
    return 'all'
  const ids = new Set<string>()
  if (principal.tokenScope) {
    if ([...rolesOn(principal, principal.tokenScope.orgId)].some(counts)) ids.add(principal.tokenScope.orgId)
    return [...ids]
  }
  for (const grant of principal.grants) if (counts(grant.role)) ids.add(grant.orgId)
  return [...ids]
}

/** The tenant context for a request: every organisation the principal may act for. */
export function tenantContext(
  principal: Principal | null,
  requestId: string,
  actingOrgId: string | null,
): TenantContext {
  if (!principal) return { userId: null, orgIds: [], actingOrgId: null, requestId }
  const orgIds = actableOrgIds(principal)
  // Diversity data has its own, tighter policy: only organisations where hr:diversity:read is held.
  const diversityOrgIds =
    orgIds === 'all' ? [] : orgIds.filter((orgId) => can(principal, 'hr:diversity:read', orgId))
  return {
    userId: principal.userId,
    orgIds,
    actingOrgId,
    requestId,
    diversityOrgIds,
    programmeRead: programmeScope(principal, 'programme:read'),
    programmeManage: programmeScope(principal, 'programme:manage'),
  }
}

/**
 * Where a principal holds a programme permission: 'all' through a platform-wide role, else the
 * organisations (a cluster membership is already expanded to its organisations). Programme
 * tables hold aggregates only, so aggregate-only roles count here, unlike actableOrgIds().
 */
export function programmeScope(principal: Principal, permission: Permission): readonly string[] | 'all' {
  const scope = principal.tokenScope
  const platformHolds = principal.platformRoles.some(
    (role) => (!scope || scope.roles.includes(role)) && permissionsOf([role]).has(permission),
  )
  if (platformHolds) return 'all'
  const orgIds = new Set<string>()
  for (const grant of principal.grants) if (can(principal, permission, grant.orgId)) orgIds.add(grant.orgId)
  return [...orgIds]
}

/** Narrows a tenant context to one organisation: org-scoped pages see only that organisation. */
export function narrowTo(context: TenantContext, orgId: string): TenantContext {
  const allowed = context.orgIds === 'all' || context.orgIds.includes(orgId)
  return {
    ...context,
    orgIds: allowed ? [orgId] : [],
    actingOrgId: orgId,
    diversityOrgIds: (context.diversityOrgIds ?? []).filter((id) => id === orgId),
    programmeRead: context.programmeRead,
    programmeManage: context.programmeManage,
  }
}
