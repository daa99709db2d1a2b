-- Joiners, movers and leavers as requests with approval, and what a leaver hands to payroll.
--
-- A request is raised by one person and decided by another (a constraint, not only code). When it
-- is approved it is applied in the same transaction: the effective-dated records it creates start
-- on its effective date, so a future-dated change is simply approved now and takes effect then.

create table hr_requests (
  org_id uuid not null references organisations (id),
  id uuid not null,
  -- joiner: a new employment (and person, unless the person is already on the platform);
  -- mover: new terms from a date; leaver: the end of an employment;
  -- loan: an employment in another organisation while the home employment continues;
  -- transfer: the employment here ends and one starts in the other organisation, the person's
  -- home organisation moving with it. Loans and transfers are raised in the sending organisation.
  kind text not null check (kind in ('joiner', 'mover', 'leaver', 'loan', 'transfer')),
  status text not null default 'submitted'
    check (status in ('submitted', 'rejected', 'applied', 'withdrawn')),
  effective_date date not null,
  -- The employment a mover, leaver, loan or transfer is about (null for a joiner until applied).
  employment_id uuid,
  -- The person the request is about, once known (a joiner's person is created on approval).
  person_id uuid references people (id),
  -- For a loan or transfer: the receiving organisation.
  target_org_id uuid references organisations (id),
  -- A one-line description for queues ("Joiner: Ada Lovelace, HEO, from 2026-04-01").
  summary text not null check (length(summary) between 1 and 300),
  -- The journey's answers, as checked when submitted (see src/hr/jml.ts for each kind's shape).
  payload jsonb not null,
  requested_by uuid not null references users (id),
  requested_at timestamptz not null default now(),
  decided_by uuid references users (id),
  decided_at timestamptz,
  decision_note text check (length(decision_note) between 1 and 1000),
  -- What approval created: the employment (joiner, loan, transfer) in its organisation.
  result_employment_id uuid,
  primary key (org_id, id),
  foreign key (org_id, employment_id) references employments (org_id, id),
  -- Four eyes: whoever decides is never whoever asked.
  check (decided_by is null or decided_by <> requested_by),
  check ((status = 'submitted') = (decided_at is null)),
  check (status in ('submitted', 'withdrawn') or decided_by is not null),
  check ((kind in ('loan', 'transfer')) = (target_org_id is not null)),
  check (kind = 'joiner' or employment_id is not null)
);
create index hr_requests_status on hr_requests (org_id, status, requested_at);
create index hr_requests_employment on hr_requests (org_id, employment_id);

-- What payroll needs for a leaver's final pay and P45: one row per ended employment, written when
-- the leaver (or transfer out) is applied. Payroll (src/payroll/) reads it; HR never changes it
-- after the fact except to correct it (audited).
--   last_working_day      the employment's end date (inclusive): pay up to and including it
--   untaken_leave_days    annual leave entitlement to date less leave taken and booked up to the
--                         last working day; negative when more was taken than accrued
--   daily_rate_pence      annual salary x FTE / 260 working days, rounded to the penny
--   pay_in_lieu_pence     untaken_leave_days x daily_rate_pence, rounded half away from zero
--                         (negative: a deduction from final pay)
--   leave_basis           'absence' when the balance came from recorded absence (hr absence),
--                         'grade-pro-rata' when computed from the grade's annual leave days
--   p45_required          true unless the person stays on the same PAYE scheme
create table hr_leavers (
  org_id uuid not null references organisations (id),
  employment_id uuid not null,
  request_id uuid,
  last_working_day date not null,
  leaving_reason text not null check (length(leaving_reason) between 1 and 100),
  untaken_leave_days numeric(6, 2) not null,
  daily_rate_pence bigint not null check (daily_rate_pence >= 0),
  pay_in_lieu_pence bigint not null,
  leave_basis text not null check (leave_basis in ('absence', 'grade-pro-rata')),
  p45_required boolean not null default true,
  -- Set by payroll when the final pay has been made and the P45 issued.
  final_pay_processed_at timestamptz,
  recorded_by uuid references users (id),
  recorded_at timestamptz not null default now(),
  primary key (org_id, employment_id),
  foreign key (org_id, employment_id) references employments (org_id, id),
  foreign key (org_id, request_id) references hr_requests (org_id, id)
);

select gss_org_scoped('hr_requests');
select gss_org_scoped('hr_leavers');
select gss_audited('hr_requests');
select gss_audited('hr_leavers');

grant select, insert, update on hr_requests, hr_leavers to gss_app;
