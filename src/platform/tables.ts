// Kysely row types for the platform's own tables (see migrations/). Domains declare theirs the
// same way, so every query is checked against the schema it runs on.
import type { ColumnType, Generated } from 'kysely'
import type { Role } from './auth/permissions.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export interface UserTable {
  id: Generated<string>
  email: string
  display_name: string
  password_hash: string | null
  oidc_subject: string | null
  status: Generated<'active' | 'disabled'>
  created_at: Timestamp
  last_sign_in_at: Date | null
}

export interface MembershipTable {
  id: Generated<string>
  user_id: string
  role: Role
  org_id: string | null
  cluster_id: string | null
  granted_at: Timestamp
}

export interface SessionTable {
  id: string
  user_id: string
  acting_org_id: string | null
  csrf_token: string
  created_at: Timestamp
  last_seen_at: Timestamp
  expires_at: Date
}

export interface ApiTokenTable {
  id: Generated<string>
  token_hash: string
  name: string
  user_id: string
  org_id: string
  roles: Role[]
  created_at: Timestamp
  expires_at: Date
  revoked_at: Date | null
  last_used_at: Date | null
}

export interface SignInAttemptTable {
  id: Generated<number>
  email: string
  ip: string
  at: Timestamp
  succeeded: boolean
}

export interface IdempotencyKeyTable {
  principal: string
  key: string
  method: string
  path: string
  request_hash: string
  state: Generated<'pending' | 'done'>
  status_code: number | null
  content_type: string | null
  response_body: string | null
  created_at: Timestamp
}

export interface OidcPendingTable {
  state: string
  code_verifier: string
  nonce: string
  return_to: string
  created_at: Timestamp
}

export interface AuditLogTable {
  org_id: string
  seq: number
  at: Date
  actor_user_id: string | null
  acting_org_id: string | null
  request_id: string | null
  action: 'insert' | 'update' | 'delete'
  table_name: string
  entity_id: string | null
  before: unknown
  after: unknown
  prev_hash: string
  hash: string
}

declare module './db/index.ts' {
  interface Tables {
    users: UserTable
    memberships: MembershipTable
    sessions: SessionTable
    api_tokens: ApiTokenTable
    sign_in_attempts: SignInAttemptTable
    idempotency_keys: IdempotencyKeyTable
    oidc_pending: OidcPendingTable
    audit_log: AuditLogTable
  }
}
