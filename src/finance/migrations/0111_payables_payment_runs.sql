-- Payment runs: approved supplier invoices paid in one bank file (pain.001 and Bacs Standard 18).
-- A run is created once per idempotency key: a retry returns the same run, files and payments.

-- The account supplier payments leave from, and the organisation's Bacs identity.
create table payables_payment_settings (
  org_id uuid not null references organisations (id),
  debtor_name text not null check (length(debtor_name) between 1 and 140),
  sort_code text not null check (sort_code ~ '^[0-9]{6}$'),
  account_number text not null check (account_number ~ '^[0-9]{8}$'),
  bic text check (bic ~ '^[A-Z0-9]{8}([A-Z0-9]{3})?$'),
  bacs_service_user_number text not null check (bacs_service_user_number ~ '^[0-9]{6}$'),
  bacs_service_user_name text not null check (length(bacs_service_user_name) between 1 and 18),
  primary key (org_id)
);

create sequence payment_run_numbers;

create table payment_runs (
  org_id uuid not null references organisations (id),
  id uuid not null,
  number bigint not null default nextval('payment_run_numbers'),
  idempotency_key text not null check (length(idempotency_key) between 1 and 255),
  -- Hash of the request (due-by and pay dates): the same key with a different request is refused.
  request_sha256 text not null check (request_sha256 ~ '^[0-9a-f]{64}$'),
  due_by date not null,
  pay_date date not null,
  payment_count integer not null check (payment_count > 0),
  total_pence bigint not null check (total_pence > 0),
  pain001_message_id text not null,
  pain001_xml text not null,
  bacs_text text,
  journal_id uuid not null,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  unique (org_id, idempotency_key),
  foreign key (org_id, journal_id) references journals (org_id, id)
);

create table payment_run_payments (
  org_id uuid not null references organisations (id),
  run_id uuid not null,
  line_no integer not null check (line_no between 1 and 10000),
  supplier_id uuid not null,
  -- Travels to the bank and back on the camt.053 statement: how a statement line finds its payment.
  end_to_end_id text not null,
  amount_pence bigint not null check (amount_pence > 0),
  sort_code text,
  account_number text,
  iban text,
  remittance text,
  primary key (org_id, run_id, line_no),
  unique (org_id, end_to_end_id),
  foreign key (org_id, run_id) references payment_runs (org_id, id),
  foreign key (org_id, supplier_id) references suppliers (org_id, id)
);

alter table supplier_invoices add column payment_run_id uuid;
alter table supplier_invoices add constraint supplier_invoices_payment_run
  foreign key (org_id, payment_run_id) references payment_runs (org_id, id);

select gss_org_scoped('payables_payment_settings');
select gss_org_scoped('payment_runs');
select gss_org_scoped('payment_run_payments');
select gss_audited('payables_payment_settings');
select gss_audited('payment_runs', 'pain001_xml', 'bacs_text');
select gss_audited('payment_run_payments');

grant select, insert, update on payables_payment_settings to gss_app;
-- A run and its payments are written once.
grant select, insert on payment_runs, payment_run_payments to gss_app;
grant usage on sequence payment_run_numbers to gss_app;
