// Authentication: local accounts (argon2id), server-side sessions, sign-in throttling and
// lock-out, and API bearer tokens. Sessions and tokens are stored as sha256 hashes only.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'
import { sql } from 'kysely'
import type { Config } from '../config.ts'
import { type Database, SYSTEM_CONTEXT, type TenantContext, type Tx } from '../db/index.ts'
import {
  BusinessRuleError,
  NotFoundError,
  TooManyRequestsError,
  UnauthenticatedError,
  ValidationError,
} from '../errors.ts'
import { loadGrants, type Principal, rolesOn } from '../tenancy.ts'
import { isRole, ROLE_DEFINITIONS, type Role } from './permissions.ts'

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. (Argon2id is the library's default
// algorithm; its enum is a const enum that erasable TypeScript cannot import. A test checks the
// stored hashes say $argon2id$.)
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }
/** Verified when an email is unknown, so a wrong email takes as long as a wrong password. */
let decoyHash: Promise<string> | undefined

export const SESSION_COOKIE = 'gss_session'
export const TOKEN_PREFIX = 'gss_'
const PASSWORD_MIN_LENGTH = 12

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2)
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

export interface SessionInfo {
  id: string
  userId: string
  actingOrgId: string | null
  csrfToken: string
}

export interface NewUser {
  email: string
  displayName: string
  password?: string | undefined
  memberships?: Array<{ role: Role; orgId?: string | undefined; clusterId?: string | undefined }>
}

export class AuthService {
  readonly #db: Database
  readonly #config: Config

  constructor(db: Database, config: Config) {
    this.#db = db
    this.#config = config
  }

  /** Checks a new password against the policy; returns the problem or undefined. */
  static passwordProblem(password: string): string | undefined {
    if (password.length < PASSWORD_MIN_LENGTH)
      return `Password must be ${PASSWORD_MIN_LENGTH} characters or more`
    if (password.length > 256) return 'Password must be 256 characters or fewer'
    return undefined
  }

  /** Creates a user with memberships in the caller's transaction (audited with the caller's context). */
  async addUser(trx: Tx, user: NewUser): Promise<string> {
    const email = user.email.trim().toLowerCase()
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      throw new ValidationError('Enter an email address in the correct format, like name@example.gov.uk', [
        {
          field: '/email',
          message: 'Enter an email address in the correct format, like name@example.gov.uk',
        },
      ])
    }
    if (user.password !== undefined) {
      const problem = AuthService.passwordProblem(user.password)
      if (problem) throw new ValidationError(problem, [{ field: '/password', message: problem }])
    }
    const existing = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
    if (existing) throw new BusinessRuleError(`A user with the email address ${email} already exists`)
    const passwordHash = user.password === undefined ? null : await hashPassword(user.password)
    const { id } = await trx
      .insertInto('users')
      .values({ email, display_name: user.displayName, password_hash: passwordHash, oidc_subject: null })
      .returning('id')
      .executeTakeFirstOrThrow()
    for (const membership of user.memberships ?? []) await this.grant(trx, id, membership)
    return id
  }

  /** Grants a role, checking the role may be held at that scope. */
  async grant(
    trx: Tx,
    userId: string,
    membership: { role: Role; orgId?: string | undefined; clusterId?: string | undefined },
  ) {
    if (!isRole(membership.role)) throw new ValidationError(`Unknown role ${membership.role}`)
    const scope = membership.orgId ? 'org' : membership.clusterId ? 'cluster' : 'platform'
    const allowed = ROLE_DEFINITIONS[membership.role].scopes
    if (!allowed.includes(scope)) {
      throw new BusinessRuleError(
        `The ${ROLE_DEFINITIONS[membership.role].label} role can be granted on ${allowed.map((s) => (s === 'org' ? 'an organisation' : s === 'cluster' ? 'a cluster' : 'the whole platform')).join(' or ')}, not on ${scope === 'org' ? 'an organisation' : scope === 'cluster' ? 'a cluster' : 'the whole platform'}`,
      )
    }
    await trx
      .insertInto('memberships')
      .values({
        user_id: userId,
        role: membership.role,
        org_id: membership.orgId ?? null,
        cluster_id: membership.clusterId ?? null,
      })
      .onConflict((conflict) => conflict.constraint('membership_unique').doNothing())
      .execute()
  }

  /**
   * Signs in with email and password. Throttled per account and per address: after too many
   * failures in the window the account is locked for a while, whatever password is tried.
   */
  async signIn(
    emailInput: string,
    password: string,
    ip: string,
  ): Promise<{ cookieValue: string; session: SessionInfo }> {
    const email = emailInput.trim().toLowerCase()
    const { signIn } = this.#config
    const lock = await this.#db.transaction(SYSTEM_CONTEXT, async (trx) => {
      const { rows } = await sql<{ email_failures: number; ip_failures: number; latest: Date | null }>`
        select
          (select count(*)::int from sign_in_attempts a where a.email = ${email} and not a.succeeded
             and a.at > now() - make_interval(mins => ${signIn.windowMinutes})
             and a.at > coalesce((select max(s.at) from sign_in_attempts s where s.email = ${email} and s.succeeded), '-infinity'))
            as email_failures,
          (select count(*)::int from sign_in_attempts a where a.ip = ${ip} and not a.succeeded
             and a.at > now() - make_interval(mins => ${signIn.windowMinutes})) as ip_failures,
          (select max(a.at) from sign_in_attempts a where (a.email = ${email} or a.ip = ${ip}) and not a.succeeded) as latest`.execute(
        trx,
      )
      return rows[0]!
    })
    // An address gets more tries than an account: many people can share one office address.
    if (lock.email_failures >= signIn.maxFailures || lock.ip_failures >= signIn.maxFailures * 4) {
      const until = (lock.latest?.getTime() ?? Date.now()) + signIn.lockMinutes * 60_000
      const seconds = Math.ceil((until - Date.now()) / 1000)
      if (seconds > 0) {
        await this.#recordAttempt(email, ip, false)
        throw new TooManyRequestsError(
          `Too many failed sign-in attempts. Try again in ${Math.ceil(seconds / 60)} minute${seconds > 60 ? 's' : ''}.`,
          seconds,
        )
      }
    }
    const user = await this.#db.transaction(SYSTEM_CONTEXT, (trx) =>
      trx.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),
    )
    decoyHash ??= hashPassword(randomToken())
    const ok = await verify(user?.password_hash ?? (await decoyHash), password).catch(() => false)
    if (!user || !ok || user.status !== 'active' || !user.password_hash) {
      await this.#recordAttempt(email, ip, false)
      throw new UnauthenticatedError('Enter a correct email address and password')
    }
    await this.#recordAttempt(email, ip, true)
    return this.#db.transaction({ ...SYSTEM_CONTEXT, userId: user.id }, (trx) =>
      this.createSession(trx, user.id),
    )
  }

  async #recordAttempt(email: string, ip: string, succeeded: boolean): Promise<void> {
    await this.#db.transaction(SYSTEM_CONTEXT, async (trx) => {
      await trx.insertInto('sign_in_attempts').values({ email, ip, succeeded }).execute()
      if (succeeded) {
        await trx
          .updateTable('users')
          .set({ last_sign_in_at: new Date() })
          .where('email', '=', email)
          .execute()
        // Attempts before a success no longer count; keep only the recent past.
        await trx
          .deleteFrom('sign_in_attempts')
          .where('at', '<', sql<Date>`now() - interval '1 day'`)
          .execute()
      }
    })
  }

  /** Creates a session for a user; the first organisation they may act for becomes current. */
  async createSession(trx: Tx, userId: string): Promise<{ cookieValue: string; session: SessionInfo }> {
    const cookieValue = randomToken()
    const grants = await loadGrants(trx, userId)
    // Staff start acting for the first organisation they hold a role on; platform-wide staff
    // choose one with the switcher.
    const firstOrg = grants.grants[0]?.orgId
    const session: SessionInfo = {
      id: sha256(cookieValue),
      userId,
      actingOrgId: firstOrg ?? null,
      csrfToken: randomToken(),
    }
    await trx
      .insertInto('sessions')
      .values({
        id: session.id,
        user_id: userId,
        acting_org_id: session.actingOrgId,
        csrf_token: session.csrfToken,
        expires_at: new Date(Date.now() + this.#config.sessionIdleMinutes * 60_000),
      })
      .execute()
    return { cookieValue, session }
  }

  /** Resolves a session cookie to its principal, sliding the idle expiry. Null if unknown or expired. */
  async resolveSession(cookieValue: string): Promise<{ principal: Principal; session: SessionInfo } | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(cookieValue)) return null
    const id = sha256(cookieValue)
    return this.#db.transaction(SYSTEM_CONTEXT, async (trx) => {
      const row = await trx
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select([
          'sessions.id',
          'sessions.user_id',
          'sessions.acting_org_id',
          'sessions.csrf_token',
          'sessions.expires_at',
          'sessions.last_seen_at',
          'users.email',
          'users.display_name',
          'users.status',
        ])
        .where('sessions.id', '=', id)
        .executeTakeFirst()
      if (!row || row.expires_at.getTime() <= Date.now() || row.status !== 'active') return null
      // Slide the expiry at most once a minute, not on every request.
      if (Date.now() - new Date(row.last_seen_at).getTime() > 60_000) {
        await trx
          .updateTable('sessions')
          .set({
            last_seen_at: new Date(),
            expires_at: new Date(Date.now() + this.#config.sessionIdleMinutes * 60_000),
          })
          .where('id', '=', id)
          .execute()
      }
      const grants = await loadGrants(trx, row.user_id)
      const principal: Principal = {
        userId: row.user_id,
        email: row.email,
        displayName: row.display_name,
        via: 'session',
        ...grants,
      }
      return {
        principal,
        session: {
          id: row.id,
          userId: row.user_id,
          actingOrgId: row.acting_org_id,
          csrfToken: row.csrf_token,
        },
      }
    })
  }

  async signOut(sessionId: string): Promise<void> {
    await this.#db.transaction(SYSTEM_CONTEXT, (trx) =>
      trx.deleteFrom('sessions').where('id', '=', sessionId).execute(),
    )
  }

  /** Changes the organisation a session acts for; the user must hold a role there. */
  async switchOrg(principal: Principal, sessionId: string, orgId: string): Promise<void> {
    if (rolesOn(principal, orgId).size === 0) throw new NotFoundError('You cannot act for that organisation')
    await this.#db.transaction(SYSTEM_CONTEXT, (trx) =>
      trx.updateTable('sessions').set({ acting_org_id: orgId }).where('id', '=', sessionId).execute(),
    )
  }

  /**
   * Creates an API token for a user, scoped to one organisation and some of the roles the user
   * holds there. Returns the token once; only its hash is kept.
   */
  async createToken(
    context: TenantContext,
    input: { userId: string; orgId: string; roles: Role[]; name: string; expiresAt: Date },
  ): Promise<{ id: string; token: string }> {
    if (input.expiresAt.getTime() <= Date.now()) throw new ValidationError('The expiry must be in the future')
    if (input.roles.length === 0) throw new ValidationError('A token needs at least one role')
    return this.#db.transaction(context, async (trx) => {
      const grants = await loadGrants(trx, input.userId)
      const held = rolesOn(
        { userId: input.userId, email: '', displayName: '', via: 'token', ...grants },
        input.orgId,
      )
      const missing = input.roles.filter((role) => !held.has(role))
      if (missing.length > 0) {
        throw new BusinessRuleError(
          `The user does not hold ${missing.join(', ')} on that organisation, so a token cannot carry it`,
        )
      }
      const token = `${TOKEN_PREFIX}${randomToken()}`
      const row = await trx
        .insertInto('api_tokens')
        .values({
          token_hash: sha256(token),
          name: input.name,
          user_id: input.userId,
          org_id: input.orgId,
          roles: input.roles,
          expires_at: input.expiresAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return { id: row.id, token }
    })
  }

  async revokeToken(context: TenantContext, tokenId: string): Promise<void> {
    await this.#db.transaction(context, async (trx) => {
      const result = await trx
        .updateTable('api_tokens')
        .set({ revoked_at: new Date() })
        .where('id', '=', tokenId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      if (result.numUpdatedRows === 0n) throw new NotFoundError(`No active token with id ${tokenId}`)
    })
  }

  /** Resolves a bearer token; throws with the reason when it is unknown, expired or revoked. */
  async resolveToken(token: string): Promise<Principal> {
    if (!token.startsWith(TOKEN_PREFIX))
      throw new UnauthenticatedError('The bearer token is not a GSS API token')
    return this.#db.transaction(SYSTEM_CONTEXT, async (trx) => {
      const row = await trx
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .select([
          'api_tokens.id',
          'api_tokens.user_id',
          'api_tokens.org_id',
          'api_tokens.roles',
          'api_tokens.expires_at',
          'api_tokens.revoked_at',
          'api_tokens.last_used_at',
          'users.email',
          'users.display_name',
          'users.status',
        ])
        .where('api_tokens.token_hash', '=', sha256(token))
        .executeTakeFirst()
      if (!row) throw new UnauthenticatedError('The bearer token is not recognised')
      if (row.revoked_at) throw new UnauthenticatedError('The bearer token has been revoked')
      if (row.expires_at.getTime() <= Date.now())
        throw new UnauthenticatedError('The bearer token has expired')
      if (row.status !== 'active') throw new UnauthenticatedError('The account behind this token is disabled')
      if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
        await trx
          .updateTable('api_tokens')
          .set({ last_used_at: new Date() })
          .where('id', '=', row.id)
          .execute()
      }
      const grants = await loadGrants(trx, row.user_id)
      return {
        userId: row.user_id,
        email: row.email,
        displayName: row.display_name,
        via: 'token',
        ...grants,
        tokenScope: { tokenId: row.id, orgId: row.org_id, roles: row.roles },
      }
    })
  }
}
