// What the platform adds to Fastify's request and route options.
import type { RoutePermission } from '../auth/permissions.ts'
import type { SessionInfo } from '../auth/service.ts'
import type { TenantContext, Tx } from '../db/index.ts'
import type { Principal } from '../tenancy.ts'

export interface ActingOrg {
  id: string
  code: string
  name: string
  clusterId: string | null
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission the route needs: every route declares one (a test enforces it). */
    permission?: RoutePermission
    /** Page routes answer errors with HTML; API routes (the default under /api) with problem+json. */
    kind?: 'page' | 'api' | 'asset'
  }
  interface FastifyRequest {
    principal: Principal | null
    session: SessionInfo | null
    /** The organisation named in the path (/orgs/:orgCode/...), checked against the principal. */
    org: ActingOrg | null
    tenant: TenantContext
    /** Runs fn in one transaction as this request's tenant. */
    withTx<T>(fn: (trx: Tx) => Promise<T>): Promise<T>
  }
}
