-- Recharges between organisations on the platform. The raising organisation owns the row (and
-- its receivable journal); the counterparty sees it too and agrees or disputes it, posting the
-- payable in its own ledger. The counterparty's journal is referenced without a foreign key: the
-- two ledgers may live on different shards of a distributed deployment.
create table recharges (
  org_id uuid not null references organisations (id),
  id uuid not null default gen_random_uuid(),
  counterparty_org_id uuid not null references organisations (id),
  description text not null check (length(description) between 1 and 500),
  amount_pence bigint not null check (amount_pence > 0),
  raised_on date not null,
  raised_journal_id uuid not null,
  status text not null default 'proposed' check (status in ('proposed', 'agreed', 'disputed')),
  counterparty_journal_id uuid,
  dispute_reason text,
  decided_at timestamptz,
  decided_by uuid,
  primary key (org_id, id),
  foreign key (org_id, raised_journal_id) references journals (org_id, id),
  check (counterparty_org_id <> org_id),
  check ((status = 'agreed') = (counterparty_journal_id is not null))
);
create index recharges_counterparty on recharges (counterparty_org_id, status);

-- Both parties see a recharge; only the raising side creates it; either side may update it (the
-- service lets only the counterparty agree or dispute).
alter table recharges enable row level security;
create policy both_parties on recharges
  using ((select gss_all_orgs()) or org_id = any ((select gss_org_ids())::uuid[])
    or counterparty_org_id = any ((select gss_org_ids())::uuid[]))
  with check ((select gss_all_orgs()) or org_id = any ((select gss_org_ids())::uuid[])
    or counterparty_org_id = any ((select gss_org_ids())::uuid[]));
select gss_audited('recharges');
grant select, insert, update on recharges to gss_app;
