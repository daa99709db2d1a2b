-- Platform core: the application role, tenant settings read by row-level security, and the
-- tamper-evident audit log that every business table writes to through one trigger.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'gss_app') then
    -- The application acts as this role: it owns nothing and cannot bypass row-level security.
    -- Roles belong to the whole server, so two databases migrating at once may race to create it.
    begin
      create role gss_app nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls;
    exception when duplicate_object or unique_violation then null;
    end;
  end if;
end
$$;

grant usage on schema public to gss_app;

-- Organisations the current transaction may act for, as set by Database.enterTenant().
create function gss_org_ids() returns uuid[]
  language sql stable parallel safe
  as $$ select coalesce(string_to_array(nullif(current_setting('gss.org_ids', true), ''), ',')::uuid[], '{}'::uuid[]) $$;

-- True for platform-wide staff (platform admin), whose transactions see every organisation.
create function gss_all_orgs() returns boolean
  language sql stable parallel safe
  as $$ select coalesce(current_setting('gss.all_orgs', true), 'off') = 'on' $$;

create function gss_current_user_id() returns uuid
  language sql stable parallel safe
  as $$ select nullif(current_setting('gss.user_id', true), '')::uuid $$;

-- Makes a table org-scoped: row-level security keyed on org_id for reads and writes. Policies use
-- sub-selects so the settings are read once per statement, not once per row.
create function gss_org_scoped(tbl regclass) returns void
  language plpgsql
  as $$
begin
  execute format('alter table %s enable row level security', tbl);
  execute format(
    'create policy org_isolation on %s using ((select gss_all_orgs()) or org_id = any ((select gss_org_ids())::uuid[])) '
    'with check ((select gss_all_orgs()) or org_id = any ((select gss_org_ids())::uuid[]))', tbl);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Audit log. One hash chain per organisation (platform-level changes use the nil uuid), so writes
-- for different organisations never wait for each other and the log distributes by org_id.
-- ---------------------------------------------------------------------------------------------
create table audit_log (
  org_id uuid not null,
  seq bigint not null,
  at timestamptz not null,
  actor_user_id uuid,
  acting_org_id uuid,
  request_id text,
  action text not null check (action in ('insert', 'update', 'delete')),
  table_name text not null,
  entity_id text,
  before jsonb,
  after jsonb,
  prev_hash text not null,
  hash text not null,
  primary key (org_id, seq)
);
create index audit_log_entity on audit_log (org_id, table_name, entity_id);

create table audit_heads (
  org_id uuid primary key,
  seq bigint not null,
  hash text not null
);

-- The hash of one entry: sha256 over its content and the previous entry's hash. Used by the
-- trigger that writes entries and by `gss audit verify`, so both agree by construction.
create function gss_audit_hash(
  prev_hash text, org_id uuid, seq bigint, at timestamptz, actor_user_id uuid, acting_org_id uuid,
  request_id text, action text, table_name text, entity_id text, before jsonb, after jsonb
) returns text
  language sql immutable parallel safe
  as $$
  select encode(sha256(convert_to(concat_ws('|',
    prev_hash, org_id::text, seq::text, ((extract(epoch from at) * 1000000)::bigint)::text,
    coalesce(actor_user_id::text, ''), coalesce(acting_org_id::text, ''), coalesce(request_id, ''),
    action, table_name, coalesce(entity_id, ''), coalesce(before::text, ''), coalesce(after::text, '')
  ), 'UTF8')), 'hex')
  $$;

-- Appends one entry to an organisation's chain. Used by the row trigger below and by domains'
-- statement-level triggers that record a whole business event (a journal and its lines) as one
-- entry. SECURITY DEFINER: the application role cannot write the log or the chain heads itself.
create function gss_audit_append(p_org uuid, p_table text, p_entity text, p_action text, p_before jsonb, p_after jsonb)
  returns void
  language plpgsql security definer set search_path = public, pg_temp
  as $$
declare
  v_org uuid := coalesce(p_org, '00000000-0000-0000-0000-000000000000');
  v_seq bigint;
  v_prev text;
  v_hash text;
  v_at timestamptz := clock_timestamp();
  v_actor uuid := nullif(current_setting('gss.user_id', true), '')::uuid;
  v_acting uuid := nullif(current_setting('gss.acting_org_id', true), '')::uuid;
  v_request text := nullif(current_setting('gss.request_id', true), '');
begin
  insert into audit_heads (org_id, seq, hash) values (v_org, 0, '') on conflict (org_id) do nothing;
  select seq, hash into v_seq, v_prev from audit_heads where org_id = v_org for update;
  v_seq := v_seq + 1;
  v_hash := gss_audit_hash(v_prev, v_org, v_seq, v_at, v_actor, v_acting, v_request, p_action,
    p_table, p_entity, p_before, p_after);
  insert into audit_log (org_id, seq, at, actor_user_id, acting_org_id, request_id, action, table_name,
      entity_id, before, after, prev_hash, hash)
    values (v_org, v_seq, v_at, v_actor, v_acting, v_request, p_action, p_table, p_entity, p_before, p_after,
      v_prev, v_hash);
  update audit_heads set seq = v_seq, hash = v_hash where org_id = v_org;
end
$$;
revoke all on function gss_audit_append(uuid, text, text, text, jsonb, jsonb) from public;

-- Row trigger: appends one audit entry per changed row. Arguments name columns never to copy into
-- the log (secrets such as password hashes).
create function gss_audit_row() returns trigger
  language plpgsql security definer set search_path = public, pg_temp
  as $$
declare
  v_before jsonb;
  v_after jsonb;
begin
  if tg_op in ('UPDATE', 'DELETE') then v_before := to_jsonb(old) - coalesce(tg_argv, '{}'); end if;
  if tg_op in ('INSERT', 'UPDATE') then v_after := to_jsonb(new) - coalesce(tg_argv, '{}'); end if;
  if tg_op = 'UPDATE' and v_before = v_after then return new; end if;
  -- An organisation's own record belongs to its chain; other rows to the chain of their org_id.
  perform gss_audit_append(
    coalesce((coalesce(v_after, v_before) ->> 'org_id')::uuid,
      case when tg_table_name = 'organisations' then (coalesce(v_after, v_before) ->> 'id')::uuid end),
    tg_table_name, coalesce(v_after, v_before) ->> 'id', lower(tg_op), v_before, v_after);
  return coalesce(new, old);
end
$$;

-- Attaches the audit trigger to a business table; extra arguments are columns to leave out.
create function gss_audited(tbl regclass, variadic redacted text[] default '{}') returns void
  language plpgsql
  as $$
begin
  execute format(
    'create trigger audit after insert or update or delete on %s for each row execute function gss_audit_row(%s)',
    tbl, (select string_agg(quote_literal(r), ', ') from unnest(redacted) as r));
end
$$;

-- The log is append-only, even for the owner: an UPDATE or DELETE raises. (A superuser can still
-- disable the trigger; that is what the hash chain is for.)
create function gss_append_only() returns trigger
  language plpgsql
  as $$
begin
  raise exception '% is append-only: % refused', tg_table_name, tg_op;
end
$$;
create trigger append_only before update or delete on audit_log
  for each row execute function gss_append_only();

alter table audit_log enable row level security;
create policy audit_visible on audit_log for select
  using ((select gss_all_orgs()) or org_id = any ((select gss_org_ids())::uuid[]));
grant select on audit_log to gss_app;
revoke all on function gss_audit_row() from public;
