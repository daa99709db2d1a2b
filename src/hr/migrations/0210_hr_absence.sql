-- Absence: the organisation's leave policy, annual leave adjustments and requests, sickness
-- absence and family leave. Annual leave entitlement itself is not stored: it is computed from the
-- grade (grades.annual_leave_days), length of continuous service and the employment terms in force
-- (src/hr/absence/entitlement.ts), so a mover's or leaver's entitlement is always current.
-- Bank holidays are dated data in code (src/hr/absence/bank-holidays.ts), like payroll's rates.
--
-- HOW PAYROLL READS THESE TABLES (statutory sick pay and statutory family pay):
--  * sickness_absences: one row per period of sickness of one employment. start_date and end_date
--    are calendar dates, inclusive (end_date null = still off sick). qualifying_days holds the ISO
--    weekdays (1 = Monday ... 7 = Sunday) that are SSP qualifying days for the employee (by default
--    their working days). Periods of incapacity for work (4+ consecutive calendar days) and linking
--    (gaps of 8 weeks or less) are payroll's to work out from these rows; notified_on is when the
--    employee told the employer, fit_note_* is the medical evidence (needed after 7 days).
--    Read with: select * from sickness_absences where org_id = $1 and employment_id = $2
--      and start_date <= $periodEnd and (end_date is null or end_date >= $linkingStart)
--  * family_leaves: one row per statutory family leave. leave_type decides the statutory pay:
--    maternity (SMP), paternity (SPP), adoption (SAP), shared-parental (ShPP),
--    parental-bereavement (SPBP). expected_week_start is the Sunday starting the expected week of
--    childbirth (EWC) for birth cases; matched_on/placement_on are the adoption dates; child_born_on
--    is the actual birth; start_date/end_date are the leave (end_date inclusive). Qualifying week
--    (15th week before the EWC, or the week of matching) and average weekly earnings are payroll's.
--    statutory_pay_weeks is the number of weeks of statutory pay claimed in this leave (SMP/SAP up
--    to 39, SPP 2, ShPP up to 37 weeks less those used, SPBP 2), evidence_received_on the MATB1 or
--    matching certificate date (no statutory pay is due without evidence).
--  * Days off for annual leave are in leave_requests with status 'approved' (days = working days).
-- Payroll never writes these tables.

-- ---------------------------------------------------------------------------------------------
-- The organisation's leave policy. Absent row = the defaults below (April-March leave year, one
-- extra day per complete year of continuous service up to five, England and Wales bank holidays).
create table leave_policies (
  org_id uuid not null references organisations (id),
  -- First day of the leave year: month and day (1 April by default).
  leave_year_start_month smallint not null default 4 check (leave_year_start_month between 1 and 12),
  leave_year_start_day smallint not null default 1 check (leave_year_start_day between 1 and 28),
  -- Extra days per complete year of continuous service, and the most they add up to.
  service_days_per_year numeric(4, 2) not null default 1 check (service_days_per_year between 0 and 5),
  service_days_max numeric(4, 2) not null default 5 check (service_days_max between 0 and 20),
  -- Days that may be carried into the next leave year by an adjustment (checked by the service).
  carry_over_days_max numeric(4, 2) not null default 5 check (carry_over_days_max between 0 and 60),
  bank_holiday_division text not null default 'england-and-wales'
    check (bank_holiday_division in ('england-and-wales', 'scotland', 'northern-ireland')),
  primary key (org_id)
);

-- Signed changes to a leave year's entitlement: carry-over, bought or sold days, corrections.
create table leave_adjustments (
  org_id uuid not null references organisations (id),
  id uuid not null,
  employment_id uuid not null,
  -- The first day of the leave year the adjustment belongs to.
  leave_year_start date not null,
  days numeric(5, 2) not null check (days <> 0 and days between -60 and 60),
  reason text not null check (reason in ('carry-over', 'purchase', 'sale', 'correction')),
  note text check (length(note) between 1 and 500),
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, employment_id) references employments (org_id, id)
);
create index leave_adjustments_employment on leave_adjustments (org_id, employment_id, leave_year_start);

-- Requests for leave, approved by the employee's line manager (never by the employee: the check
-- below refuses it even if the code forgot). Pending and approved requests of one employment
-- cannot overlap (exclusion constraint).
create table leave_requests (
  org_id uuid not null references organisations (id),
  id uuid not null,
  employment_id uuid not null,
  leave_type text not null default 'annual' check (leave_type in ('annual', 'special', 'unpaid')),
  start_date date not null,
  end_date date not null,
  -- Working days taken (weekends and bank holidays excluded; halves allowed).
  days numeric(5, 2) not null check (days > 0 and days <= 366 and days * 2 = trunc(days * 2)),
  status text not null default 'pending'
    check (status in ('pending', 'approved', 'rejected', 'cancelled')),
  note text check (length(note) between 1 and 500),
  requested_by uuid not null,
  requested_at timestamptz not null default now(),
  decided_by uuid,
  decided_at timestamptz,
  decision_note text check (length(decision_note) between 1 and 500),
  primary key (org_id, id),
  foreign key (org_id, employment_id) references employments (org_id, id),
  check (end_date >= start_date),
  check (decided_by is null or decided_by <> requested_by),
  check ((status in ('approved', 'rejected')) = (decided_by is not null)),
  exclude using gist (org_id with =, employment_id with =, daterange(start_date, end_date, '[]') with &&)
    where (status in ('pending', 'approved'))
);
create index leave_requests_employment on leave_requests (org_id, employment_id, start_date);

-- Sickness absence, with what statutory sick pay needs (see the comment at the top).
create table sickness_absences (
  org_id uuid not null references organisations (id),
  id uuid not null,
  employment_id uuid not null,
  start_date date not null,
  -- Last day of sickness, inclusive; null while the employee is still off.
  end_date date,
  reason text not null check (length(reason) between 1 and 200),
  -- Broad category for absence reporting (HR data standard).
  category text not null default 'other' check (category in ('musculoskeletal', 'mental-health',
    'respiratory', 'gastrointestinal', 'injury', 'infectious-disease', 'other')),
  -- ISO weekdays (1 Monday .. 7 Sunday) that are SSP qualifying days.
  qualifying_days smallint[] not null default '{1,2,3,4,5}'
    check (cardinality(qualifying_days) between 1 and 7 and qualifying_days <@ '{1,2,3,4,5,6,7}'::smallint[]),
  notified_on date not null,
  work_related boolean not null default false,
  fit_note_from date,
  fit_note_to date,
  fit_note_received_on date,
  recorded_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, employment_id) references employments (org_id, id),
  check (end_date is null or end_date >= start_date),
  check (fit_note_to is null or (fit_note_from is not null and fit_note_to >= fit_note_from)),
  exclude using gist (org_id with =, employment_id with =, daterange(start_date, end_date, '[]') with &&)
);

-- Statutory family leave (see the comment at the top for what payroll reads).
create table family_leaves (
  org_id uuid not null references organisations (id),
  id uuid not null,
  employment_id uuid not null,
  leave_type text not null check (leave_type in ('maternity', 'paternity', 'adoption', 'shared-parental',
    'parental-bereavement')),
  -- Sunday that starts the expected week of childbirth (birth cases).
  expected_week_start date check (extract(isodow from expected_week_start) = 7),
  child_born_on date,
  -- Adoption: the date the employee was told of the match, and the placement date.
  matched_on date,
  placement_on date,
  start_date date not null,
  end_date date not null,
  statutory_pay_weeks smallint not null default 0 check (statutory_pay_weeks between 0 and 39),
  notice_given_on date,
  evidence_type text check (evidence_type in ('matb1', 'matching-certificate', 'declaration', 'other')),
  evidence_received_on date,
  recorded_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, employment_id) references employments (org_id, id),
  check (end_date >= start_date),
  check (leave_type not in ('maternity', 'paternity') or expected_week_start is not null),
  check (leave_type <> 'adoption' or matched_on is not null),
  exclude using gist (org_id with =, employment_id with =, daterange(start_date, end_date, '[]') with &&)
);

select gss_org_scoped('leave_policies');
select gss_org_scoped('leave_adjustments');
select gss_org_scoped('leave_requests');
select gss_org_scoped('sickness_absences');
select gss_org_scoped('family_leaves');
select gss_audited('leave_policies');
select gss_audited('leave_adjustments');
select gss_audited('leave_requests');
-- Health information: the reason in words stays out of the audit log.
select gss_audited('sickness_absences', 'reason');
select gss_audited('family_leaves');

-- Requests are cancelled, not deleted; records are corrected in place (audited).
grant select, insert, update on leave_policies, leave_adjustments, leave_requests, sickness_absences,
  family_leaves to gss_app;
