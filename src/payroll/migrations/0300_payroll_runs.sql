-- Payroll: the employer's settings, pay elements (per-employment pay items), pay runs and their
-- payslips. A payslip row is the whole result for one employment in one run, or the reason it
-- could not be calculated (status 'error'); the run's totals, journal, Bacs and FPS are built from
-- them. See docs/decisions/0300-pay-runs.md.

-- The employer as HMRC and the bank know it.
create table payroll_settings (
  org_id uuid not null references organisations (id),
  -- HMRC employer PAYE reference: tax office number / reference, e.g. 123/AB45678.
  employer_paye_reference text not null check (employer_paye_reference ~ '^[0-9]{3}/[A-Z0-9]{1,10}$'),
  -- Accounts Office reference, e.g. 123PA00012345.
  accounts_office_reference text not null check (accounts_office_reference ~ '^[0-9]{3}P[A-Z][0-9]{7}[0-9X]$'),
  bacs_service_user_number text not null check (bacs_service_user_number ~ '^[0-9]{6}$'),
  bacs_service_user_name text not null check (length(bacs_service_user_name) between 1 and 18),
  sort_code text not null check (sort_code ~ '^[0-9]{6}$'),
  account_number text not null check (account_number ~ '^[0-9]{8}$'),
  account_name text not null check (length(account_name) between 1 and 18),
  primary key (org_id)
);

-- Pay elements: what an employment is paid or has deducted on top of salary, from a date to a
-- date (a one-off has paid_to = paid_from). An item is in every run whose pay period overlaps it.
create table pay_items (
  org_id uuid not null references organisations (id),
  id uuid not null,
  employment_id uuid not null,
  kind text not null check (kind in ('allowance', 'overtime', 'one-off', 'back-pay', 'deduction',
    'salary-sacrifice', 'ssp', 'smp', 'unpaid-leave')),
  description text not null check (length(description) between 1 and 100),
  -- Per pay period; for unpaid leave, the number of calendar days unpaid goes in days instead.
  amount_pence bigint not null check (amount_pence >= 0),
  days integer check (days between 1 and 366),
  pensionable boolean not null default false,
  paid_from date not null,
  paid_to date,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, employment_id) references employments (org_id, id),
  check (paid_to is null or paid_to >= paid_from),
  check ((kind = 'unpaid-leave') = (days is not null))
);
create index pay_items_employment on pay_items (org_id, employment_id, paid_from);

create table pay_runs (
  org_id uuid not null references organisations (id),
  id uuid not null,
  pay_frequency text not null check (pay_frequency in ('weekly', 'fortnightly', 'four-weekly', 'monthly')),
  tax_year text not null check (tax_year ~ '^[0-9]{4}-[0-9]{2}$'),
  -- Tax month (monthly) or tax week of the pay day (weekly-based pay).
  period integer not null check (period between 1 and 53),
  period_start date not null,
  period_end date not null,
  pay_date date not null,
  status text not null default 'draft' check (status in ('draft', 'calculating', 'calculated', 'reviewed',
    'approved', 'paid', 'locked')),
  -- Progress of the calculation: employments done of the employments in scope, committed with
  -- each chunk of payslips, so a page or a second process sees the truth.
  progress_done integer not null default 0,
  progress_total integer not null default 0,
  -- The employment id the last committed chunk ended at: a killed calculation resumes after it.
  resume_after uuid,
  employee_count integer not null default 0,
  exception_count integer not null default 0,
  gross_pence bigint not null default 0,
  tax_pence bigint not null default 0,
  employee_ni_pence bigint not null default 0,
  employer_ni_pence bigint not null default 0,
  net_pence bigint not null default 0,
  created_by uuid,
  created_at timestamptz not null default now(),
  calculated_by uuid,
  calculated_at timestamptz,
  reviewed_by uuid,
  reviewed_at timestamptz,
  approved_by uuid,
  approved_at timestamptz,
  paid_by uuid,
  paid_at timestamptz,
  locked_at timestamptz,
  journal_id uuid,
  primary key (org_id, id),
  unique (org_id, pay_frequency, tax_year, period),
  check (period_end >= period_start),
  check (approved_by is null or approved_by is distinct from calculated_by)
);

-- One row per employment per run. Money in pence; to-date figures are for the tax year including
-- this run (what the FPS and P60 report).
create table payslips (
  org_id uuid not null references organisations (id),
  run_id uuid not null,
  employment_id uuid not null,
  person_id uuid not null,
  employee_number text not null,
  status text not null check (status in ('ok', 'error')),
  -- Every reason the employment could not be paid, for the reviewer.
  error text,
  cost_centre_code text not null,
  tax_code text,
  week1_month1 boolean not null default false,
  ni_category text,
  pension_scheme text not null,
  days_paid integer not null default 0,
  basic_pence bigint not null default 0,
  additions_pence bigint not null default 0,
  statutory_pence bigint not null default 0,
  salary_sacrifice_pence bigint not null default 0,
  gross_pence bigint not null default 0,
  pensionable_pence bigint not null default 0,
  employee_pension_pence bigint not null default 0,
  employer_pension_pence bigint not null default 0,
  taxable_pence bigint not null default 0,
  niable_pence bigint not null default 0,
  tax_pence bigint not null default 0,
  employee_ni_pence bigint not null default 0,
  employer_ni_pence bigint not null default 0,
  student_loan_pence bigint not null default 0,
  postgraduate_loan_pence bigint not null default 0,
  deductions_pence bigint not null default 0,
  net_pence bigint not null default 0,
  taxable_to_date_pence bigint not null default 0,
  tax_to_date_pence bigint not null default 0,
  -- NI earnings bands this period (FPS): at LEL, LEL to PT, PT to UEL.
  at_lel_pence bigint not null default 0,
  lel_to_pt_pence bigint not null default 0,
  pt_to_uel_pence bigint not null default 0,
  -- The pay elements: [{kind, description, amountPence}], as the payslip shows them.
  lines jsonb not null default '[]',
  primary key (org_id, run_id, employment_id),
  -- No foreign keys: payslips are written only by the pay run, for the run whose row it holds
  -- locked and for employments it has just read, in statements of thousands of rows; a per-row
  -- check would be half the cost of writing them (decision 0300). Deleting a run or an employment
  -- is never granted. Self-service finds payslips through employments.
  check (status = 'ok' or error is not null)
);
create index payslips_employment on payslips (org_id, employment_id);

select gss_org_scoped('payroll_settings');
select gss_org_scoped('pay_items');
select gss_org_scoped('pay_runs');
select gss_org_scoped('payslips');
select gss_audited('payroll_settings', 'account_number');
select gss_audited('pay_items');
select gss_audited('pay_runs');

-- Payslips are written in chunks of thousands; one audit entry per organisation and statement
-- records the chunk (run, how many, their totals) rather than one hash-chained entry per row,
-- which would cost more than the calculation itself.
create function gss_payslips_audit() returns trigger
  language plpgsql security definer set search_path = public, pg_temp
  as $$
declare
  v record;
begin
  if tg_op = 'INSERT' then
    for v in select org_id, run_id, count(*) as n, sum(gross_pence) as gross, sum(net_pence) as net
      from new_rows group by org_id, run_id
    loop
      perform gss_audit_append(v.org_id, 'payslips', v.run_id::text, 'insert', null,
        jsonb_build_object('run_id', v.run_id, 'payslips', v.n, 'gross_pence', v.gross, 'net_pence', v.net));
    end loop;
  else
    for v in select org_id, run_id, count(*) as n, sum(gross_pence) as gross, sum(net_pence) as net
      from old_rows group by org_id, run_id
    loop
      perform gss_audit_append(v.org_id, 'payslips', v.run_id::text, 'delete',
        jsonb_build_object('run_id', v.run_id, 'payslips', v.n, 'gross_pence', v.gross, 'net_pence', v.net), null);
    end loop;
  end if;
  return null;
end
$$;
create trigger audit after insert on payslips referencing new table as new_rows
  for each statement execute function gss_payslips_audit();
create trigger audit_delete after delete on payslips referencing old table as old_rows
  for each statement execute function gss_payslips_audit();

-- Payslips of a run that has been approved are final: refused even to the owner.
create function gss_payslips_final() returns trigger
  language plpgsql
  as $$
begin
  if exists (select 1 from pay_runs r where r.org_id = old.org_id and r.id = old.run_id
      and r.status in ('approved', 'paid', 'locked')) then
    raise exception 'Payslips of an approved pay run cannot be changed' using errcode = 'P0001';
  end if;
  return old;
end
$$;
create trigger payslips_final before update or delete on payslips
  for each row execute function gss_payslips_final();

grant select, insert, update on payroll_settings, pay_runs to gss_app;
grant select, insert, update, delete on pay_items to gss_app;
grant select, insert, delete on payslips to gss_app;
