-- Feed readers (every long poll and server-sent-events client, every 250 ms) ran the sequencer
-- with a waiting lock, so they queued behind each other and behind the dispatcher. A reader does
-- not need to wait: if a sequencer is already running, the events it numbers show on the next
-- read (positions are only ever given above every committed one, so nothing is skipped). Only a
-- caller that must see everything committed before it ("subscribe from now", replay from a time)
-- waits.
create function gss_sequence_events(p_wait boolean) returns integer
  language plpgsql security definer set search_path = public, pg_temp
  as $$
begin
  if not p_wait and not pg_try_advisory_xact_lock(hashtext('gss_sequence_events')) then
    return 0;
  end if;
  return gss_sequence_events();
end
$$;
revoke all on function gss_sequence_events(boolean) from public;
grant execute on function gss_sequence_events(boolean) to gss_app;
