-- Users, role memberships, sessions, API tokens, sign-in throttling and idempotency records.
-- These are platform-wide (not org-scoped): a user may act for many organisations.

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null unique check (email = lower(email) and email like '%_@_%'),
  display_name text not null check (length(display_name) between 1 and 200),
  -- argon2id PHC string; null for accounts that only sign in through OIDC.
  password_hash text,
  oidc_subject text unique,
  status text not null default 'active' check (status in ('active', 'disabled')),
  created_at timestamptz not null default now(),
  last_sign_in_at timestamptz
);

-- A role held on one organisation, on every organisation of a cluster, or platform-wide.
create table memberships (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  role text not null,
  org_id uuid references organisations (id),
  cluster_id uuid references clusters (id),
  granted_at timestamptz not null default now(),
  constraint one_scope check (org_id is null or cluster_id is null),
  constraint membership_unique unique nulls not distinct (user_id, role, org_id, cluster_id)
);
create index memberships_user on memberships (user_id);

create table sessions (
  -- sha256 of the cookie value: a stolen copy of this table cannot be replayed as cookies.
  id text primary key,
  user_id uuid not null references users (id) on delete cascade,
  acting_org_id uuid references organisations (id),
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user on sessions (user_id);

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  token_hash text not null unique,
  name text not null,
  user_id uuid not null references users (id) on delete cascade,
  org_id uuid not null references organisations (id),
  roles text[] not null check (cardinality(roles) > 0),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  last_used_at timestamptz
);

create table sign_in_attempts (
  id bigint generated always as identity primary key,
  email text not null,
  ip text not null,
  at timestamptz not null default now(),
  succeeded boolean not null
);
create index sign_in_attempts_email on sign_in_attempts (email, at);
create index sign_in_attempts_ip on sign_in_attempts (ip, at);

-- One row per (caller, Idempotency-Key): the request's hash and the first response.
create table idempotency_keys (
  principal text not null,
  key text not null,
  method text not null,
  path text not null,
  request_hash text not null,
  state text not null default 'pending' check (state in ('pending', 'done')),
  status_code integer,
  content_type text,
  response_body text,
  created_at timestamptz not null default now(),
  primary key (principal, key)
);

grant select, insert, update on users to gss_app;
grant select, insert, update, delete on memberships, sessions to gss_app;
grant select, insert, update on api_tokens to gss_app;
grant select, insert, delete on sign_in_attempts to gss_app;
grant select, insert, update, delete on idempotency_keys to gss_app;

select gss_audited('users', 'password_hash', 'last_sign_in_at');
select gss_audited('memberships');
select gss_audited('api_tokens', 'token_hash', 'last_used_at');

-- Sign-in through OpenID Connect in flight: the state, PKCE verifier and nonce of each redirect.
create table oidc_pending (
  state text primary key,
  code_verifier text not null,
  nonce text not null,
  return_to text not null default '/',
  created_at timestamptz not null default now()
);
grant select, insert, delete on oidc_pending to gss_app;
