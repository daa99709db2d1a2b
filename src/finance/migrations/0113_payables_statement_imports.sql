-- Each camt.053 statement imported, with what it reconciled and what it left for a person: the
-- page that shows the result after the upload reads it from here (post/redirect/get), and the
-- audit trail keeps who imported which statement.
create table bank_statement_imports (
  org_id uuid not null references organisations (id),
  id uuid not null default gen_random_uuid(),
  message_id text not null check (length(message_id) between 1 and 200),
  matched_count integer not null check (matched_count >= 0),
  unmatched_count integer not null check (unmatched_count >= 0),
  -- The StatementReconciliation as the service returned it (matched, unmatched, outstanding).
  result jsonb not null,
  imported_by uuid,
  imported_at timestamptz not null default now(),
  primary key (org_id, id)
);
create index bank_statement_imports_recent on bank_statement_imports (org_id, imported_at desc);

select gss_org_scoped('bank_statement_imports');
select gss_audited('bank_statement_imports');
-- An import is a fact recorded once.
grant select, insert on bank_statement_imports to gss_app;
