-- Budgets and forecasts, held only as signed adjustments (deltas) the way OSCAR loads them: the
-- current budget of a line is the sum of its adjustments, so every change keeps who, when and why.
-- Neither table is ever updated or deleted: a correction is another adjustment.

-- One load: an API call or a CSV file, all or nothing.
create table budget_batches (
  org_id uuid not null references organisations (id),
  id uuid not null,
  source text not null check (source in ('api', 'import', 'form', 'demo')),
  adjustment_count integer not null check (adjustment_count >= 1),
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id)
);

create table budget_adjustments (
  org_id uuid not null,
  batch_id uuid not null,
  line_no integer not null check (line_no >= 1),
  kind text not null check (kind in ('budget', 'forecast')),
  fiscal_year smallint not null check (fiscal_year between 2000 and 2200),
  period smallint not null check (period between 1 and 12),
  account_code text not null,
  cost_centre_code text not null,
  control_total text not null check (control_total in ('DEL', 'AME')),
  budget_class text not null check (budget_class in ('resource', 'capital')),
  spend_class text not null check (spend_class in ('admin', 'programme')),
  -- Signed like the ledger: expenditure budgets positive, income budgets negative.
  amount_pence bigint not null check (amount_pence <> 0),
  reason text not null check (length(reason) between 1 and 500),
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, batch_id, line_no),
  foreign key (org_id, batch_id) references budget_batches (org_id, id),
  foreign key (org_id, account_code) references accounts (org_id, code),
  foreign key (org_id, cost_centre_code) references cost_centres (org_id, code)
);
create index budget_adjustments_line on budget_adjustments (org_id, fiscal_year, kind, account_code, cost_centre_code);

select gss_org_scoped('budget_batches');
select gss_org_scoped('budget_adjustments');
select gss_audited('budget_batches');
select gss_audited('budget_adjustments');

-- Append-only: the application may add adjustments, never change or remove them.
grant select, insert on budget_batches, budget_adjustments to gss_app;
create trigger append_only before update or delete on budget_batches for each row execute function gss_append_only();
create trigger append_only before update or delete on budget_adjustments for each row execute function gss_append_only();
