-- Expenses (a converged process): claims with lines (travel, subsistence, hotel, mileage), receipts
-- held in the database, the organisation's policy limits, approval by the claimant's line manager
-- (never the claimant), posting to the ledger on approval against the claimant's cost centre, and
-- payment through payroll (payroll reads approved claims: src/hr/expenses/payroll.ts) or through a
-- payables payment. HMRC's approved mileage allowance payment rates are dated data in code
-- (src/hr/expenses/mileage.ts).

-- The organisation's settings. Absent row = the defaults (see src/hr/expenses/policy.ts).
create table expense_settings (
  org_id uuid not null references organisations (id),
  -- Lines above this need a receipt (mileage never does: the miles are the evidence).
  receipt_required_over_pence bigint not null default 0 check (receipt_required_over_pence >= 0),
  -- Expenses must be claimed within this many days of being incurred.
  claim_within_days smallint not null default 90 check (claim_within_days between 1 and 730),
  expense_account_code text not null default '52400000',
  payable_account_code text not null default '21300010',
  default_payment_route text not null default 'payroll' check (default_payment_route in ('payroll', 'payables')),
  primary key (org_id)
);

-- Policy limits: the most that may be claimed for one category per unit (a day's subsistence, a
-- night in a hotel, one journey). Absent category = no limit.
create table expense_policy_limits (
  org_id uuid not null references organisations (id),
  category text not null check (category in ('travel', 'subsistence', 'hotel-london', 'hotel-elsewhere')),
  limit_pence bigint not null check (limit_pence > 0),
  per text not null check (per in ('day', 'night', 'item')),
  primary key (org_id, category)
);

create sequence expense_claim_numbers;

create table expense_claims (
  org_id uuid not null references organisations (id),
  id uuid not null,
  number bigint not null default nextval('expense_claim_numbers'),
  employment_id uuid not null,
  purpose text not null check (length(purpose) between 1 and 200),
  status text not null default 'draft'
    check (status in ('draft', 'submitted', 'approved', 'rejected', 'paid')),
  payment_route text not null default 'payroll' check (payment_route in ('payroll', 'payables')),
  total_pence bigint not null default 0 check (total_pence >= 0),
  created_by uuid not null,
  created_at timestamptz not null default now(),
  submitted_at timestamptz,
  decided_by uuid,
  decided_at timestamptz,
  decision_note text check (length(decision_note) between 1 and 500),
  -- Set on approval: the cost centre charged and the journal posted.
  cost_centre_code text,
  journal_id uuid,
  -- Set when paid: the pay run (payroll) or payment journal (payables) that paid it.
  paid_on date,
  pay_run_id uuid,
  payment_journal_id uuid,
  primary key (org_id, id),
  unique (org_id, number),
  foreign key (org_id, employment_id) references employments (org_id, id),
  foreign key (org_id, cost_centre_code) references cost_centres (org_id, code),
  foreign key (org_id, journal_id) references journals (org_id, id),
  foreign key (org_id, payment_journal_id) references journals (org_id, id),
  check (decided_by is null or decided_by <> created_by),
  check ((status in ('approved', 'rejected', 'paid')) = (decided_by is not null)),
  check ((status in ('approved', 'paid')) = (journal_id is not null)),
  check ((status = 'paid') = (paid_on is not null))
);
create index expense_claims_employment on expense_claims (org_id, employment_id, created_at);
create index expense_claims_approved on expense_claims (org_id, payment_route) where status = 'approved';

create table expense_lines (
  org_id uuid not null,
  claim_id uuid not null,
  line_no smallint not null check (line_no between 1 and 50),
  expense_date date not null,
  category text not null check (category in ('travel', 'subsistence', 'hotel', 'mileage')),
  description text not null check (length(description) between 1 and 200),
  amount_pence bigint not null check (amount_pence > 0),
  -- Hotels: the nights and whether in London (the limit differs).
  nights smallint check (nights between 1 and 60),
  london boolean not null default false,
  -- Mileage: vehicle and business miles; amount_pence is computed at HMRC's rates.
  vehicle text check (vehicle in ('car', 'motorcycle', 'bicycle')),
  miles numeric(8, 1) check (miles > 0 and miles <= 10000),
  primary key (org_id, claim_id, line_no),
  foreign key (org_id, claim_id) references expense_claims (org_id, id),
  check ((category = 'mileage') = (vehicle is not null and miles is not null)),
  check ((category = 'hotel') = (nights is not null))
);

-- Receipts: the file itself, limited to 5 MB, in the database so backups and tenancy cover it.
create table expense_receipts (
  org_id uuid not null,
  id uuid not null,
  claim_id uuid not null,
  line_no smallint,
  file_name text not null check (length(file_name) between 1 and 200),
  content_type text not null check (content_type in ('application/pdf', 'image/jpeg', 'image/png')),
  size_bytes integer not null check (size_bytes between 1 and 5242880),
  content bytea not null check (octet_length(content) = size_bytes),
  uploaded_by uuid,
  uploaded_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, claim_id) references expense_claims (org_id, id),
  foreign key (org_id, claim_id, line_no) references expense_lines (org_id, claim_id, line_no)
);
create index expense_receipts_claim on expense_receipts (org_id, claim_id);

select gss_org_scoped('expense_settings');
select gss_org_scoped('expense_policy_limits');
select gss_org_scoped('expense_claims');
select gss_org_scoped('expense_lines');
select gss_org_scoped('expense_receipts');
select gss_audited('expense_settings');
select gss_audited('expense_policy_limits');
select gss_audited('expense_claims');
select gss_audited('expense_lines');
-- The file's bytes stay out of the audit log (its name, type and size are logged).
select gss_audited('expense_receipts', 'content');

grant select, insert, update on expense_settings, expense_policy_limits, expense_claims to gss_app;
grant delete on expense_policy_limits to gss_app;
-- Lines and receipts of a draft may be replaced; the service refuses once submitted.
grant select, insert, update, delete on expense_lines, expense_receipts to gss_app;
grant usage on sequence expense_claim_numbers to gss_app;
