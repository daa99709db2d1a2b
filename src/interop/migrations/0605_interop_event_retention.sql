-- Event retention: events older than the retention period are deleted, but never one that an
-- active webhook subscription has still to receive (its cursor is behind it). The events table
-- stays append-only for the application: only gss_prune_events(), run by the owner from
-- `gss events prune`, may delete, and it marks its own transaction to say so.
create or replace function gss_events_sequence_only() returns trigger
  language plpgsql
  as $$
begin
  if tg_op = 'UPDATE' and old.position is null and new.position is not null
     and (to_jsonb(old) - 'position') = (to_jsonb(new) - 'position') then
    return new;
  end if;
  if tg_op = 'DELETE' and current_setting('gss.pruning_events', true) = 'on'
     and current_user <> 'gss_app' then
    return old;
  end if;
  raise exception 'events is append-only: % refused', tg_op;
end
$$;

create function gss_prune_events(p_before timestamptz) returns bigint
  language plpgsql
  as $$
declare
  v_deleted bigint;
begin
  perform set_config('gss.pruning_events', 'on', true);
  -- Positions are one sequence across every organisation, so one figure covers organisation
  -- and cluster-wide subscriptions alike: the lowest position any active subscription has
  -- received; everything after it is kept whatever its age.
  with kept_after as (
    select coalesce(min(coalesce(c.position, 0)), 9223372036854775807) as delivered_to
    from webhook_subscriptions s
    left join webhook_cursors c on c.org_id = s.org_id and c.subscription_id = s.id
    where s.status = 'active'
  ), gone as (
    delete from events e
    where e.occurred_at < p_before and e.position is not null
      and e.position <= (select delivered_to from kept_after)
    returning 1
  )
  select count(*) into v_deleted from gone;
  perform set_config('gss.pruning_events', 'off', true);
  return v_deleted;
end
$$;
revoke all on function gss_prune_events(timestamptz) from public;
