-- return.submitted: every version of a quarterly return received or generated (issue 7) is an
-- event in the same transaction. Figures are aggregates: nothing personal.
-- SECURITY DEFINER: the version row was already admitted by the programme policies (a programme
-- manager or a hub push may write returns for organisations it cannot otherwise act for), and the
-- outbox must record it whatever the org-scoped policy on events would say.
create function gss_events_return_submitted() returns trigger
  language plpgsql security definer set search_path = public, pg_temp
  as $$
begin
  insert into events (org_id, type, entity_type, entity_id, payload)
  values (new.org_id, 'return.submitted', 'return', new.org_id::text || ':' || new.quarter,
    jsonb_build_object('organisation', new.figures ->> 'organisation', 'quarter', new.quarter,
      'version', new.version, 'source', new.source, 'valid', new.valid,
      'errorCount', jsonb_array_length(new.errors), 'receivedAt', new.received_at,
      'figures', new.figures));
  return null;
end
$$;
create trigger events_return_submitted after insert on programme_return_versions
  for each row execute function gss_events_return_submitted();
