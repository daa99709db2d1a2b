-- Recurring journals: a template posted monthly on a day of the month between two dates. Each
-- posting is recorded once per template and date, so running twice (or on two nodes) posts once.
create table recurring_journals (
  org_id uuid not null references organisations (id),
  id uuid not null default gen_random_uuid(),
  description text not null check (length(description) between 1 and 500),
  day_of_month smallint not null check (day_of_month between 1 and 28),
  starts_on date not null,
  ends_on date,
  next_run_on date not null,
  lines jsonb not null check (jsonb_typeof(lines) = 'array' and jsonb_array_length(lines) >= 2),
  active boolean not null default true,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  check (ends_on is null or ends_on >= starts_on)
);

create table recurring_journal_runs (
  org_id uuid not null,
  recurring_id uuid not null,
  run_on date not null,
  journal_id uuid not null,
  primary key (org_id, recurring_id, run_on),
  foreign key (org_id, recurring_id) references recurring_journals (org_id, id),
  foreign key (org_id, journal_id) references journals (org_id, id)
);

select gss_org_scoped('recurring_journals');
select gss_org_scoped('recurring_journal_runs');
select gss_audited('recurring_journals');
select gss_audited('recurring_journal_runs');
grant select, insert, update on recurring_journals to gss_app;
grant select, insert on recurring_journal_runs to gss_app;
