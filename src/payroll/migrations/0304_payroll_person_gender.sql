-- The gender HMRC holds for an employee, which every RTI Full Payment Submission must state
-- (EmployeeDetails/Gender, M or F: the legal gender on the person's HMRC record). HR's person
-- record does not hold it: HR's sex field is voluntary diversity data (person_diversity), held
-- apart under tighter access and never to be reused for payroll. Payroll keeps this one fact, per
-- organisation and person; the FPS is refused, naming the employees, while any paid employee has none.
create table payroll_person_details (
  org_id uuid not null references organisations (id),
  person_id uuid not null references people (id),
  hmrc_gender text not null check (hmrc_gender in ('M', 'F')),
  updated_by uuid,
  updated_at timestamptz not null default now(),
  primary key (org_id, person_id)
);

select gss_org_scoped('payroll_person_details');
select gss_audited('payroll_person_details');
grant select, insert, update on payroll_person_details to gss_app;
