-- Interop: the outbox of business events, webhook subscriptions and their delivery log.
--
-- Events are written in the same transaction as the change they describe (by triggers on the
-- business tables, 0601), so a change without its event, or an event without its change, cannot
-- exist.
--
-- Order and cursors: a sequence number taken at insert is not commit order (a transaction that
-- commits later may hold a lower number than one already read, and a reader's cursor would skip
-- it). So an event gets its place in the feed, position, only once it is committed: the
-- sequencer, gss_sequence_events(), numbers every committed event that has none yet, in insert
-- order, one sequencer at a time. Readers and the dispatcher run it before reading; the feed is
-- everything with a position, in position order, and a cursor is a position.
create table events (
  org_id uuid not null references organisations (id),
  id uuid not null default gen_random_uuid(),
  -- Insert order (within a transaction and between transactions that wait for each other).
  seq bigint generated always as identity,
  -- Feed order: set once, by the sequencer, after commit.
  position bigint unique,
  -- e.g. 'journal.posted'; each type has a versioned JSON Schema in src/interop/event-types.ts.
  type text not null check (type ~ '^[a-z][a-z-]*\.[a-z][a-z-]*$'),
  version smallint not null default 1 check (version >= 1),
  entity_type text not null check (length(entity_type) between 1 and 40),
  entity_id text not null check (length(entity_id) between 1 and 200),
  occurred_at timestamptz not null default now(),
  -- True when the payload is about a person: never shown to aggregate-only roles.
  personal boolean not null default false,
  payload jsonb not null,
  primary key (org_id, id)
);
create index events_unsequenced on events (seq) where position is null;
create index events_org_position on events (org_id, position);

select gss_org_scoped('events');
-- Events are append-only, like the ledger (a correction is a new event): the only change ever
-- made is the sequencer giving an event its position, once.
create function gss_events_sequence_only() returns trigger
  language plpgsql
  as $$
begin
  if tg_op = 'UPDATE' and old.position is null and new.position is not null
     and (to_jsonb(old) - 'position') = (to_jsonb(new) - 'position') then
    return new;
  end if;
  raise exception 'events is append-only: % refused', tg_op;
end
$$;
create trigger append_only before update or delete on events
  for each row execute function gss_events_sequence_only();
grant select, insert on events to gss_app;

-- Numbers the committed events that have no position yet, in insert order. One sequencer at a
-- time: a second caller waits for the first (an advisory lock), so that when it returns every
-- event committed before the call has its position ("subscribe from now" relies on it). Security
-- definer: readers run it as the application role, which cannot update events.
create function gss_sequence_events() returns integer
  language plpgsql security definer set search_path = public, pg_temp
  as $$
declare
  v_base bigint;
  v_count integer;
begin
  perform pg_advisory_xact_lock(hashtext('gss_sequence_events'));
  select coalesce(max(position), 0) into v_base from events;
  update events e set position = v_base + p.n
  from (select org_id, id, row_number() over (order by seq) as n
        from (select org_id, id, seq from events where position is null order by seq limit 50000) u) p
  where e.org_id = p.org_id and e.id = p.id;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
revoke all on function gss_sequence_events() from public;
grant execute on function gss_sequence_events() to gss_app;

-- What an aggregate-only principal (programme analyst) may see of the feed: counts per
-- organisation, type and minute, never a payload or an entity id. Security definer because such
-- principals have no row-level access to events at all.
create function gss_event_counts(p_since timestamptz, p_until timestamptz)
  returns table (org_id uuid, type text, minute timestamptz, events bigint)
  language sql stable security definer set search_path = public, pg_temp
  as $$
    select e.org_id, e.type, date_trunc('minute', e.occurred_at), count(*)
    from events e
    where e.occurred_at >= p_since and e.occurred_at < p_until and e.position is not null
    group by 1, 2, 3
  $$;
revoke all on function gss_event_counts(timestamptz, timestamptz) from public;
grant execute on function gss_event_counts(timestamptz, timestamptz) to gss_app;

-- ---------------------------------------------------------------------------------------------
-- Webhook subscriptions. A subscription belongs to an organisation; with scope 'cluster' (made by
-- cluster staff) it receives the events of every organisation in that organisation's cluster.
create table webhook_subscriptions (
  org_id uuid not null references organisations (id),
  id uuid not null,
  url text not null check (url ~ '^https?://[^[:space:]]+$' and length(url) <= 2000),
  description text check (length(description) between 1 and 200),
  event_types text[] not null check (cardinality(event_types) between 1 and 50),
  scope text not null default 'org' check (scope in ('org', 'cluster')),
  status text not null default 'active' check (status in ('active', 'paused')),
  -- HMAC-SHA256 signing secret. On rotation the previous one stays valid (deliveries carry both
  -- signatures) until previous_secret_expires_at, so a receiver can switch without a gap.
  secret text not null check (length(secret) >= 32),
  previous_secret text,
  previous_secret_expires_at timestamptz,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id)
);
select gss_org_scoped('webhook_subscriptions');
select gss_audited('webhook_subscriptions', 'secret', 'previous_secret');
grant select, insert, update on webhook_subscriptions to gss_app;

-- Delivery state per subscription: operational, changed on every delivery, so not audited (the
-- delivery log below is the record). The dispatcher leases a subscription before delivering, so
-- several app nodes can run dispatchers without delivering the same events twice at once.
create table webhook_cursors (
  org_id uuid not null,
  subscription_id uuid not null,
  -- Everything up to and including this position has been delivered.
  position bigint not null default 0,
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  last_error text,
  leased_by text,
  leased_until timestamptz,
  primary key (org_id, subscription_id),
  foreign key (org_id, subscription_id) references webhook_subscriptions (org_id, id)
);
select gss_org_scoped('webhook_cursors');
grant select, insert, update on webhook_cursors to gss_app;

-- Every delivery attempt, successful or not.
create table webhook_deliveries (
  org_id uuid not null,
  id bigint generated always as identity,
  subscription_id uuid not null,
  event_id uuid not null,
  event_org_id uuid not null,
  attempt integer not null,
  attempted_at timestamptz not null default now(),
  duration_ms integer not null,
  status_code integer,
  outcome text not null check (outcome in ('delivered', 'failed')),
  error text,
  primary key (org_id, id),
  foreign key (org_id, subscription_id) references webhook_subscriptions (org_id, id)
);
create index webhook_deliveries_subscription on webhook_deliveries (org_id, subscription_id, id desc);
select gss_org_scoped('webhook_deliveries');
create trigger append_only before update or delete on webhook_deliveries
  for each row execute function gss_append_only();
grant select, insert on webhook_deliveries to gss_app;
