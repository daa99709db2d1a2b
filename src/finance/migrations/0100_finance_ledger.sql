-- The general ledger: chart of accounts, periods, journals and their lines, balances.
-- Journals are append-only and always balance: the database refuses an unbalanced statement,
-- a posting into a period that is not open, and any UPDATE or DELETE of a posted line.

-- Reference data shared by every organisation ---------------------------------------------------

-- The standard chart: 8-digit codes whose last two digits are 00 (what is reported to HM Treasury).
create table standard_accounts (
  code text primary key check (code ~ '^[0-9]{6}00$'),
  name text not null,
  kind text not null check (kind in ('asset', 'liability', 'reserve', 'income', 'expenditure')),
  created_at timestamptz not null default now()
);

create table currencies (
  code text primary key check (code ~ '^[A-Z]{3}$'),
  name text not null,
  minor_units smallint not null check (minor_units between 0 and 4)
);

-- Dated exchange rates: how many units of the currency one pound buys on that date.
create table exchange_rates (
  currency text not null references currencies (code),
  rate_date date not null,
  units_per_gbp numeric(20, 10) not null check (units_per_gbp > 0),
  source text not null default 'manual',
  primary key (currency, rate_date)
);

alter table standard_accounts enable row level security;
create policy read_all on standard_accounts for select using (true);
alter table currencies enable row level security;
create policy read_all on currencies for select using (true);
alter table exchange_rates enable row level security;
create policy read_all on exchange_rates for select using (true);
create policy platform_write on exchange_rates for insert with check ((select gss_all_orgs()));
grant select on standard_accounts, currencies to gss_app;
grant select, insert on exchange_rates to gss_app;
select gss_audited('standard_accounts');
select gss_audited('currencies');
select gss_audited('exchange_rates');

-- Per organisation ------------------------------------------------------------------------------

-- Every account maps to a standard code: the standard code itself (last two digits 00) or a local
-- child of it (same first six digits, last two free for the organisation's own analysis).
create table accounts (
  org_id uuid not null references organisations (id),
  code text not null check (code ~ '^[0-9]{8}$'),
  name text not null check (length(name) between 1 and 200),
  standard_code text not null references standard_accounts (code),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (org_id, code),
  constraint maps_to_standard check (left(code, 6) = left(standard_code, 6))
);

create table cost_centres (
  org_id uuid not null references organisations (id),
  code text not null check (code ~ '^[A-Z0-9-]{1,20}$'),
  name text not null,
  active boolean not null default true,
  primary key (org_id, code)
);

create table projects (
  org_id uuid not null references organisations (id),
  code text not null check (code ~ '^[A-Z0-9-]{1,20}$'),
  name text not null,
  active boolean not null default true,
  primary key (org_id, code)
);

-- Financial years run April to March; fiscal_year 2026 is 2026-27, period 1 is April.
create table financial_periods (
  org_id uuid not null references organisations (id),
  fiscal_year smallint not null check (fiscal_year between 2000 and 2200),
  period smallint not null check (period between 1 and 12),
  starts_on date not null,
  ends_on date not null,
  status text not null default 'open' check (status in ('open', 'closed', 'locked')),
  status_changed_at timestamptz,
  primary key (org_id, fiscal_year, period),
  check (ends_on >= starts_on)
);

create sequence journal_numbers;

create table journals (
  org_id uuid not null references organisations (id),
  id uuid not null,
  number bigint not null default nextval('journal_numbers'),
  fiscal_year smallint not null,
  period smallint not null,
  journal_date date not null,
  description text not null check (length(description) between 1 and 500),
  source text not null check (source in ('manual', 'import', 'recurring', 'reversal', 'year-end', 'payables',
    'receivables', 'payroll', 'procurement', 'api')),
  reference text,
  reverses_journal_id uuid,
  posted_by uuid,
  posted_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, fiscal_year, period) references financial_periods (org_id, fiscal_year, period),
  foreign key (org_id, reverses_journal_id) references journals (org_id, id)
);
-- A journal is reversed at most once.
create unique index journals_reversed_once on journals (org_id, reverses_journal_id) where reverses_journal_id is not null;
create index journals_period on journals (org_id, fiscal_year, period);

create table journal_lines (
  org_id uuid not null,
  journal_id uuid not null,
  line_no integer not null check (line_no >= 1),
  account_code text not null,
  cost_centre_code text,
  project_code text,
  -- Budget type: DEL or AME; resource or capital; administration or programme.
  control_total text not null default 'DEL' check (control_total in ('DEL', 'AME')),
  budget_class text not null default 'resource' check (budget_class in ('resource', 'capital')),
  spend_class text not null default 'programme' check (spend_class in ('admin', 'programme')),
  currency text not null default 'GBP' references currencies (code),
  -- Signed, in the currency's minor units: debits positive, credits negative.
  amount_minor bigint not null check (amount_minor <> 0),
  units_per_gbp numeric(20, 10) not null default 1,
  -- The sterling equivalent in pence, signed likewise; these balance within a journal.
  amount_pence bigint not null,
  description text,
  primary key (org_id, journal_id, line_no),
  foreign key (org_id, journal_id) references journals (org_id, id),
  foreign key (org_id, account_code) references accounts (org_id, code),
  foreign key (org_id, cost_centre_code) references cost_centres (org_id, code),
  foreign key (org_id, project_code) references projects (org_id, code)
);
create index journal_lines_account on journal_lines (org_id, account_code);

-- Running balances per period, account and cost centre, kept by the posting trigger so that a
-- trial balance reads a few thousand rows rather than every line.
create table ledger_balances (
  org_id uuid not null,
  fiscal_year smallint not null,
  period smallint not null,
  account_code text not null,
  cost_centre_code text not null default '',
  debit_pence bigint not null default 0,
  credit_pence bigint not null default 0,
  line_count bigint not null default 0,
  primary key (org_id, fiscal_year, period, account_code, cost_centre_code),
  foreign key (org_id, account_code) references accounts (org_id, code)
);

select gss_org_scoped('accounts');
select gss_org_scoped('cost_centres');
select gss_org_scoped('projects');
select gss_org_scoped('financial_periods');
select gss_org_scoped('journals');
select gss_org_scoped('journal_lines');
select gss_org_scoped('ledger_balances');
select gss_audited('accounts');
select gss_audited('cost_centres');
select gss_audited('projects');
select gss_audited('financial_periods');

grant select, insert, update on accounts, cost_centres, projects to gss_app;
grant select, insert, update on financial_periods to gss_app;
-- Posted journals are never changed: the application may only add them.
grant select, insert on journals, journal_lines to gss_app;
grant select on ledger_balances to gss_app;
grant usage on sequence journal_numbers to gss_app;

-- Posting rules enforced by the database ------------------------------------------------------

-- A journal may only be posted into an open period, on a date inside that period. Checked once per
-- statement over every journal it adds (a batch of thousands costs one query, not thousands).
create function gss_journals_period_open() returns trigger
  language plpgsql
  as $$
declare
  v_bad record;
begin
  select n.id, n.fiscal_year, n.period, n.journal_date, p.status, p.starts_on, p.ends_on
    into v_bad
    from new_journals n
    left join financial_periods p
      on p.org_id = n.org_id and p.fiscal_year = n.fiscal_year and p.period = n.period
    where p.status is distinct from 'open' or n.journal_date not between p.starts_on and p.ends_on
    limit 1;
  if not found then return null; end if;
  if v_bad.status is null then
    raise exception 'Period % of % does not exist', v_bad.period, v_bad.fiscal_year using errcode = 'P0001';
  end if;
  if v_bad.status <> 'open' then
    raise exception 'Period % of %-% is %: nothing can be posted into it', v_bad.period, v_bad.fiscal_year,
      lpad(((v_bad.fiscal_year + 1) % 100)::text, 2, '0'), v_bad.status using errcode = 'P0001';
  end if;
  raise exception 'Journal date % is outside period % of % (% to %)', v_bad.journal_date, v_bad.period,
    v_bad.fiscal_year, v_bad.starts_on, v_bad.ends_on using errcode = 'P0001';
end
$$;
create trigger period_open after insert on journals referencing new table as new_journals
  for each statement execute function gss_journals_period_open();

-- Every statement that adds lines must leave each journal it touched balanced in sterling, with at
-- least two lines; it also rolls the lines into ledger_balances (in key order, so concurrent
-- postings to the same accounts lock rows in the same order and cannot deadlock) and writes the
-- audit log: one entry per organisation and statement, holding every journal header it posted
-- with its lines (journals themselves carry no row trigger: a posting is one business event).
create function gss_journal_lines_posted() returns trigger
  language plpgsql security definer set search_path = public, pg_temp
  as $$
declare
  v_bad record;
  v_journal record;
begin
  select j.org_id, j.journal_id, sum(l.amount_pence) as total, count(*) as lines
    into v_bad
    from (select distinct org_id, journal_id from new_lines) j
    join journal_lines l on l.org_id = j.org_id and l.journal_id = j.journal_id
    group by j.org_id, j.journal_id
    having sum(l.amount_pence) <> 0 or count(*) < 2
    limit 1;
  if found then
    raise exception 'Journal % does not balance: its lines total % pence over % line(s)',
      v_bad.journal_id, v_bad.total, v_bad.lines using errcode = '23514';
  end if;
  insert into ledger_balances as b (org_id, fiscal_year, period, account_code, cost_centre_code, debit_pence,
      credit_pence, line_count)
    select n.org_id, j.fiscal_year, j.period, n.account_code, coalesce(n.cost_centre_code, ''),
      sum(greatest(n.amount_pence, 0)), sum(greatest(-n.amount_pence, 0)), count(*)
    from new_lines n join journals j on j.org_id = n.org_id and j.id = n.journal_id
    group by n.org_id, j.fiscal_year, j.period, n.account_code, coalesce(n.cost_centre_code, '')
    order by 1, 2, 3, 4, 5
    on conflict (org_id, fiscal_year, period, account_code, cost_centre_code) do update
      set debit_pence = b.debit_pence + excluded.debit_pence,
          credit_pence = b.credit_pence + excluded.credit_pence,
          line_count = b.line_count + excluded.line_count;
  for v_journal in
    select n.org_id, jsonb_agg(jsonb_build_object('journal', to_jsonb(j) - 'org_id', 'lines', n.lines)
      order by j.number) as journals, min(n.journal_id::text) as first_id, count(*) as journal_count
    from (
      select org_id, journal_id, jsonb_agg(to_jsonb(l) - 'org_id' - 'journal_id' order by line_no) as lines
      from new_lines l group by org_id, journal_id
    ) n
    join journals j on j.org_id = n.org_id and j.id = n.journal_id
    group by n.org_id
  loop
    perform gss_audit_append(v_journal.org_id, 'journals',
      case when v_journal.journal_count = 1 then v_journal.first_id end, 'insert', null,
      jsonb_build_object('journals', v_journal.journals));
  end loop;
  return null;
end
$$;
create trigger audit after insert on journal_lines referencing new table as new_lines
  for each statement execute function gss_journal_lines_posted();

-- A posted journal is never changed or removed, not even by the owner: corrections are reversals.
create trigger append_only before update or delete on journals for each row execute function gss_append_only();
create trigger append_only before update or delete on journal_lines for each row execute function gss_append_only();

-- A journal header without lines is refused at commit.
create function gss_journal_has_lines() returns trigger
  language plpgsql
  as $$
begin
  if not exists (select 1 from journal_lines where org_id = new.org_id and journal_id = new.id) then
    raise exception 'Journal % has no lines', new.id using errcode = '23514';
  end if;
  return null;
end
$$;
create constraint trigger has_lines after insert on journals deferrable initially deferred
  for each row execute function gss_journal_has_lines();
