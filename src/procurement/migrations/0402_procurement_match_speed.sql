-- Three-way match speed (issue 6: 100,000 invoices in under 10 s on PostgreSQL). Profiling the
-- benchmark showed the one status UPDATE of procurement_invoices at about 60% of the batch, split
-- between writing 100,000 new row versions into the heap and three indexes, and the statement's
-- audit entry (a 15 MB jsonb of one object per invoice, hashed, compressed and logged).
--
-- 1. HOT updates. match_status was indexed (org_id, match_status), so every status change wrote a
--    new entry into every index. Without that index no column a match or a release changes is
--    indexed, and with half of each page left free (fillfactor 50: each narrow row is updated about
--    twice in its life, matched then released) the new version goes on the same page and the
--    indexes are not touched. The queries that filtered by status read the organisation's rows by
--    the primary key instead (a scan of one organisation's links, a few MB per 100,000 invoices).
drop index procurement_invoices_status;
alter table procurement_invoices set (fillfactor = 50);

-- 2. A compact audit entry. Still one entry per organisation per statement, still every changed
--    invoice and its new state, but grouped by the state a statement sets (status, matched_at,
--    released_by, released_at) with each invoice as an [invoice_id, order_id] pair: about a third
--    of the size, so a third of the hashing, compression and log volume.
create or replace function gss_procurement_invoices_matched() returns trigger
  language plpgsql security definer set search_path = public, pg_temp
  as $$
declare
  v record;
begin
  for v in
    select g.org_id, sum(g.changed) as changed, min(g.first_id) as first_id,
      jsonb_agg(jsonb_build_object('match_status', g.match_status, 'matched_at', g.matched_at,
        'released_by', g.released_by, 'released_at', g.released_at, 'invoices', g.invoices)
        order by g.match_status, g.matched_at, g.released_at) as changes
    from (
      select n.org_id, n.match_status, n.matched_at, n.released_by, n.released_at, count(*) as changed,
        min(n.invoice_id::text) as first_id,
        jsonb_agg(jsonb_build_array(n.invoice_id, n.order_id) order by n.invoice_id) as invoices
      from new_rows n
      group by n.org_id, n.match_status, n.matched_at, n.released_by, n.released_at
    ) g
    group by g.org_id
  loop
    perform gss_audit_append(v.org_id, 'procurement_invoices',
      case when v.changed = 1 then v.first_id end, 'update', null,
      jsonb_build_object('format', 'grouped', 'groups', v.changes));
  end loop;
  return null;
end
$$;
revoke all on function gss_procurement_invoices_matched() from public;
