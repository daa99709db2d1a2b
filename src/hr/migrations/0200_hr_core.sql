-- HR core: people, the organisation structure (units, positions, grades, pay scales), employments
-- and their effective-dated terms, and the payroll details a joiner creates.
--
-- Effective dating: every dated record holds [valid_from, valid_to) with valid_to null for "until
-- further notice". An exclusion constraint (btree_gist) makes overlapping versions of the same
-- record impossible, whatever the code does. Reading "as at D" is
--   valid_from <= D and (valid_to is null or valid_to > D).
-- A change from date D closes the version in force on D (valid_to = D) and inserts a new one from
-- D; a future-dated change is simply a version whose valid_from is still to come.
create extension if not exists btree_gist;

-- ---------------------------------------------------------------------------------------------
-- People. One record per human being across the platform: a loan or transfer between
-- organisations keeps it. The record belongs to a home organisation (org_id: whose audit chain it
-- is written to, and who may change it); it is visible to the home organisation and to every
-- organisation where the person holds an employment (see the policy after employments).
create table people (
  id uuid primary key,
  org_id uuid not null references organisations (id),
  forenames text not null check (length(forenames) between 1 and 100),
  surname text not null check (length(surname) between 1 and 100),
  preferred_name text check (length(preferred_name) between 1 and 100),
  date_of_birth date not null check (date_of_birth > date '1900-01-01'),
  -- HMRC's format: two prefix letters (not D, F, I, Q, U or V; second not O; not BG, GB, KN, NK,
  -- NT, TN or ZZ), six digits, suffix A-D. Held without spaces. Null until one is issued.
  ni_number text check (
    ni_number ~ '^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$'
    and substr(ni_number, 1, 2) not in ('BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ')),
  email text check (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  phone text check (length(phone) between 1 and 40),
  address_line1 text check (length(address_line1) between 1 and 200),
  address_line2 text check (length(address_line2) between 1 and 200),
  town text check (length(town) between 1 and 100),
  postcode text check (postcode ~ '^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$'),
  -- The sign-in account of the person, for self-service (at most one person per account).
  user_id uuid unique references users (id),
  created_at timestamptz not null default now()
);
create unique index people_ni_number on people (ni_number) where ni_number is not null;
create index people_org on people (org_id);

-- Diversity data, held apart from the person record with tighter access: the policy below lets
-- through only organisations where the principal holds hr:diversity:read. Every answer may be
-- 'prefer-not-to-say'; absent means never asked. Values are redacted from the audit log.
create table person_diversity (
  org_id uuid not null references organisations (id),
  person_id uuid not null references people (id),
  sex text check (sex in ('female', 'male', 'prefer-not-to-say')),
  gender_same_as_birth text check (gender_same_as_birth in ('yes', 'no', 'prefer-not-to-say')),
  ethnicity text check (length(ethnicity) between 1 and 100),
  disability text check (disability in ('yes', 'no', 'prefer-not-to-say')),
  sexual_orientation text check (length(sexual_orientation) between 1 and 100),
  religion text check (length(religion) between 1 and 100),
  caring_responsibility text check (caring_responsibility in ('yes', 'no', 'prefer-not-to-say')),
  socio_economic_background text check (length(socio_economic_background) between 1 and 100),
  recorded_on date not null default current_date,
  primary key (org_id, person_id)
);

-- ---------------------------------------------------------------------------------------------
-- Grades and pay scales. Grades follow the civil service structure (standard_grade) so figures
-- add up across organisations; an ALB may name its own grades and map them.
create table grades (
  org_id uuid not null references organisations (id),
  code text not null check (code ~ '^[A-Z0-9][A-Z0-9-]{0,15}$'),
  name text not null check (length(name) between 1 and 100),
  standard_grade text not null
    check (standard_grade in ('AA', 'AO', 'EO', 'HEO', 'SEO', 'G7', 'G6', 'SCS1', 'SCS2', 'SCS3', 'SCS4')),
  -- Seniority for ordering (AA = 1 ... SCS4 = 11 for the standard grades).
  rank smallint not null check (rank between 1 and 50),
  -- Base annual leave in days for a full-time employee on this grade.
  annual_leave_days numeric(5, 2) not null default 25 check (annual_leave_days between 0 and 60),
  primary key (org_id, code)
);

create table pay_scales (
  org_id uuid not null references organisations (id),
  grade_code text not null,
  valid_from date not null,
  valid_to date,
  minimum_pence bigint not null check (minimum_pence > 0),
  maximum_pence bigint not null,
  -- London and national ranges differ; 'national' unless the organisation pays a location rate.
  location text not null default 'national' check (location ~ '^[a-z][a-z-]{0,39}$'),
  primary key (org_id, grade_code, location, valid_from),
  foreign key (org_id, grade_code) references grades (org_id, code),
  check (maximum_pence >= minimum_pence),
  check (valid_to is null or valid_to > valid_from),
  exclude using gist (org_id with =, grade_code with =, location with =,
    daterange(valid_from, valid_to) with &&)
);

-- ---------------------------------------------------------------------------------------------
-- Organisation structure: units (directorates, teams) and positions (posts) within them.
create table org_units (
  org_id uuid not null references organisations (id),
  id uuid not null,
  code text not null check (code ~ '^[A-Z0-9][A-Z0-9-]{0,19}$'),
  name text not null check (length(name) between 1 and 200),
  parent_id uuid,
  cost_centre_code text,
  opened_on date not null,
  closed_on date,
  primary key (org_id, id),
  unique (org_id, code),
  foreign key (org_id, parent_id) references org_units (org_id, id),
  foreign key (org_id, cost_centre_code) references cost_centres (org_id, code),
  check (closed_on is null or closed_on > opened_on),
  check (parent_id is distinct from id)
);

create table positions (
  org_id uuid not null references organisations (id),
  id uuid not null,
  -- The post number, unique in the organisation.
  code text not null check (code ~ '^[A-Z0-9][A-Z0-9-]{0,19}$'),
  title text not null check (length(title) between 1 and 200),
  unit_id uuid not null,
  grade_code text not null,
  -- Reporting line: the post this post reports to; its holder manages this post's holder.
  reports_to_id uuid,
  cost_centre_code text,
  -- Funded full-time equivalent of the post.
  fte numeric(5, 4) not null default 1 check (fte > 0 and fte <= 1),
  established_on date not null,
  abolished_on date,
  primary key (org_id, id),
  unique (org_id, code),
  foreign key (org_id, unit_id) references org_units (org_id, id),
  foreign key (org_id, grade_code) references grades (org_id, code),
  foreign key (org_id, reports_to_id) references positions (org_id, id),
  foreign key (org_id, cost_centre_code) references cost_centres (org_id, code),
  check (abolished_on is null or abolished_on > established_on),
  check (reports_to_id is distinct from id)
);

-- ---------------------------------------------------------------------------------------------
-- Employments: a person's contract with one organisation. A person may hold several, in one or
-- more organisations (a second part-time post; a loan to another department alongside the
-- substantive post at home).
create table employments (
  org_id uuid not null references organisations (id),
  id uuid not null,
  person_id uuid not null references people (id),
  -- The employee number, unique in the organisation; it is also the payroll id sent to HMRC.
  employee_number text not null check (employee_number ~ '^[A-Z0-9][A-Z0-9-]{0,34}$'),
  contract_type text not null
    check (contract_type in ('permanent', 'fixed-term', 'secondment', 'loan', 'casual')),
  -- For a loan or secondment in: the organisation that lends the person (their home employer).
  lent_by_org_id uuid references organisations (id),
  start_date date not null,
  -- Planned end of a fixed-term contract, loan or secondment.
  expected_end_date date,
  -- Last day of employment, set when the leaver is processed (inclusive).
  end_date date,
  leaving_reason text check (length(leaving_reason) between 1 and 100),
  -- Start of continuous service (for leave by length of service); defaults to start_date.
  continuous_service_date date not null,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  unique (org_id, employee_number),
  check (end_date is null or end_date >= start_date),
  check (expected_end_date is null or expected_end_date >= start_date),
  check ((contract_type in ('loan', 'secondment')) or lent_by_org_id is null),
  check (continuous_service_date <= start_date)
);
create index employments_person on employments (person_id);

-- The terms of an employment over time: where the person sits, on what grade, hours and pay, and
-- which cost centre bears the cost. One version in force on any day (exclusion constraint).
create table employment_terms (
  org_id uuid not null references organisations (id),
  employment_id uuid not null,
  valid_from date not null,
  valid_to date,
  position_id uuid not null,
  grade_code text not null,
  cost_centre_code text not null,
  -- Full-time equivalent (contracted hours over the full-time hours of the organisation).
  fte numeric(5, 4) not null check (fte > 0 and fte <= 1),
  hours_per_week numeric(5, 2) not null check (hours_per_week > 0 and hours_per_week <= 60),
  days_per_week numeric(3, 1) not null default 5 check (days_per_week > 0 and days_per_week <= 7),
  -- Full-time equivalent annual salary; pay is salary x fte.
  annual_salary_pence bigint not null check (annual_salary_pence >= 0),
  pay_frequency text not null default 'monthly'
    check (pay_frequency in ('weekly', 'fortnightly', 'four-weekly', 'monthly')),
  change_reason text not null check (length(change_reason) between 1 and 200),
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, employment_id, valid_from),
  foreign key (org_id, employment_id) references employments (org_id, id),
  foreign key (org_id, position_id) references positions (org_id, id),
  foreign key (org_id, grade_code) references grades (org_id, code),
  foreign key (org_id, cost_centre_code) references cost_centres (org_id, code),
  check (valid_to is null or valid_to > valid_from),
  exclude using gist (org_id with =, employment_id with =, daterange(valid_from, valid_to) with &&)
);
create index employment_terms_position on employment_terms (org_id, position_id);

-- ---------------------------------------------------------------------------------------------
-- What payroll needs from HR for each employment. A joiner creates it; tax codes change from a
-- date (starter declaration, P45, HMRC's P6/P9 notices), so they are effective-dated.
create table payroll_details (
  org_id uuid not null references organisations (id),
  employment_id uuid not null,
  -- HMRC starter declaration: A first job since 6 April, B only job now, C another job or pension.
  starter_declaration text check (starter_declaration in ('A', 'B', 'C')),
  ni_category text not null default 'A' check (ni_category ~ '^[A-Z]$'),
  student_loan_plans text[] not null default '{}'
    check (student_loan_plans <@ array['1', '2', '4', '5']::text[]),
  postgraduate_loan boolean not null default false,
  pension_scheme text not null default 'alpha'
    check (pension_scheme in ('alpha', 'auto-enrolment', 'none')),
  bank_account_name text check (length(bank_account_name) between 1 and 18),
  bank_sort_code text check (bank_sort_code ~ '^[0-9]{6}$'),
  bank_account_number text check (bank_account_number ~ '^[0-9]{8}$'),
  primary key (org_id, employment_id),
  foreign key (org_id, employment_id) references employments (org_id, id),
  check ((bank_sort_code is null) = (bank_account_number is null))
);

create table tax_codes (
  org_id uuid not null references organisations (id),
  employment_id uuid not null,
  valid_from date not null,
  valid_to date,
  tax_code text not null check (tax_code ~ '^[A-Z0-9]{1,10}$'),
  week1_month1 boolean not null default false,
  source text not null check (source in ('starter', 'p45', 'p6', 'p9', 'manual')),
  primary key (org_id, employment_id, valid_from),
  foreign key (org_id, employment_id) references employments (org_id, id),
  check (valid_to is null or valid_to > valid_from),
  exclude using gist (org_id with =, employment_id with =, daterange(valid_from, valid_to) with &&)
);

-- ---------------------------------------------------------------------------------------------
-- Row-level security.
select gss_org_scoped('person_diversity');
select gss_org_scoped('grades');
select gss_org_scoped('pay_scales');
select gss_org_scoped('org_units');
select gss_org_scoped('positions');
select gss_org_scoped('employments');
select gss_org_scoped('employment_terms');
select gss_org_scoped('payroll_details');
select gss_org_scoped('tax_codes');

-- Diversity data needs, on top of the organisation, the organisation to be in gss.diversity_org_ids,
-- which the application fills only with organisations where the principal holds hr:diversity:read.
-- (Policies of one command are OR-ed, so the tighter rule is a restrictive policy, AND-ed with
-- org_isolation.)
create function gss_diversity_org_ids() returns uuid[]
  language sql stable parallel safe
  as $$ select coalesce(string_to_array(nullif(current_setting('gss.diversity_org_ids', true), ''), ',')::uuid[], '{}'::uuid[]) $$;
create policy diversity_access on person_diversity as restrictive
  using ((select gss_all_orgs()) or org_id = any ((select gss_diversity_org_ids())::uuid[]))
  with check ((select gss_all_orgs()) or org_id = any ((select gss_diversity_org_ids())::uuid[]));

-- People: visible to the home organisation and to every organisation holding an employment of
-- theirs; changed only by the home organisation. (The employments sub-select is itself filtered
-- by the employments policy, so it only ever finds the caller's organisations' employments.)
alter table people enable row level security;
create policy people_visible on people for select using (
  (select gss_all_orgs())
  or org_id = any ((select gss_org_ids())::uuid[])
  or id in (select e.person_id from employments e where e.org_id = any ((select gss_org_ids())::uuid[])));
create policy people_insert on people for insert
  with check ((select gss_all_orgs()) or org_id = any ((select gss_org_ids())::uuid[]));
create policy people_update on people for update
  using ((select gss_all_orgs()) or org_id = any ((select gss_org_ids())::uuid[]))
  with check ((select gss_all_orgs()) or org_id = any ((select gss_org_ids())::uuid[]));

-- ---------------------------------------------------------------------------------------------
-- Audit: every change to business data. Diversity answers are redacted from the log.
select gss_audited('people');
select gss_audited('person_diversity', 'sex', 'gender_same_as_birth', 'ethnicity', 'disability',
  'sexual_orientation', 'religion', 'caring_responsibility', 'socio_economic_background');
select gss_audited('grades');
select gss_audited('pay_scales');
select gss_audited('org_units');
select gss_audited('positions');
select gss_audited('employments');
select gss_audited('employment_terms');
select gss_audited('payroll_details');
select gss_audited('tax_codes');

-- HR records are corrected in place (audited), but never deleted: a leaver is ended, not removed.
-- Effective-dated versions may be deleted only while still in the future (a cancelled change);
-- the service enforces that, the grant allows it.
grant select, insert, update on people, person_diversity, grades, pay_scales, org_units, positions,
  employments, payroll_details to gss_app;
grant select, insert, update, delete on employment_terms, tax_codes to gss_app;
