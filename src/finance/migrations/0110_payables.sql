-- Payables: suppliers, their invoices and credit notes, delegated authority, payment runs.
-- Amounts are integer pence, positive on credit notes too (kind says which way they go), as UBL
-- writes them. Every table is org-scoped (org_id leads every key) and audited.

create table suppliers (
  org_id uuid not null references organisations (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 200),
  -- Companies House number, normalised to 8 characters ("SC012345").
  company_number text check (company_number ~ '^[A-Z0-9]{8}$'),
  -- UK VAT number, canonical ("GB123456789").
  vat_number text check (vat_number ~ '^(GB|XI)[A-Z0-9]{5,12}$'),
  sort_code text check (sort_code ~ '^[0-9]{6}$'),
  account_number text check (account_number ~ '^[0-9]{8}$'),
  iban text check (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$'),
  bic text check (bic ~ '^[A-Z0-9]{8}([A-Z0-9]{3})?$'),
  -- Peppol participant id as scheme:value ("0088:7300010000001"): how e-invoices find the supplier
  -- when they carry no UK VAT or Companies House number the supplier record holds.
  peppol_endpoint text check (peppol_endpoint ~ '^[0-9]{4}:[^[:space:]]{1,200}$'),
  sme boolean not null default false,
  default_account_code text not null default '52600000',
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  check ((sort_code is null) = (account_number is null)),
  check (sort_code is not null or iban is not null)
);
-- The service refuses duplicates with a clear message; these indexes make the refusal race-proof.
create unique index suppliers_vat_number on suppliers (org_id, vat_number) where vat_number is not null;
create unique index suppliers_company_number on suppliers (org_id, company_number) where company_number is not null;
create unique index suppliers_peppol_endpoint on suppliers (org_id, peppol_endpoint) where peppol_endpoint is not null;

-- Delegated authority: per organisation and spend type, the most each level may approve.
-- Level 1 is the lowest; an invoice above an approver's limit escalates to the lowest level whose
-- limit covers it, and above every level it needs HM Treasury consent.
create table payables_approval_limits (
  org_id uuid not null references organisations (id),
  spend_type text not null check (spend_type ~ '^[a-z][a-z0-9-]{0,39}$'),
  level smallint not null check (level between 1 and 20),
  title text not null check (length(title) between 1 and 100),
  limit_pence bigint not null check (limit_pence >= 0),
  primary key (org_id, spend_type, level)
);

-- Which level of delegated authority each approver holds in the organisation.
create table payables_approvers (
  org_id uuid not null references organisations (id),
  user_id uuid not null references users (id),
  level smallint not null check (level between 1 and 20),
  primary key (org_id, user_id)
);

create table supplier_invoices (
  org_id uuid not null references organisations (id),
  id uuid not null,
  supplier_id uuid not null,
  kind text not null check (kind in ('invoice', 'credit-note')),
  supplier_reference text not null check (length(supplier_reference) between 1 and 100),
  issue_date date not null,
  -- The prompt-payment clock starts here, not at the issue date.
  receipt_date date not null,
  due_date date not null,
  currency text not null default 'GBP' check (currency = 'GBP'),
  net_pence bigint not null check (net_pence >= 0),
  vat_pence bigint not null check (vat_pence >= 0),
  gross_pence bigint not null check (gross_pence = net_pence + vat_pence),
  spend_type text not null default 'general',
  description text,
  status text not null default 'received'
    check (status in ('received', 'approved', 'scheduled', 'paid', 'rejected')),
  duplicate_of_id uuid,
  duplicate_reason text,
  -- Novel or contentious spend is never delegated: it waits for HM Treasury consent.
  needs_treasury_consent boolean not null default false,
  treasury_consent_reference text,
  treasury_consent_recorded_by uuid,
  -- Set when an approver's limit was too low: the level that must approve next.
  awaiting_level smallint,
  escalated_by uuid,
  source text not null check (source in ('api', 'e-invoice', 'demo')),
  original_xml text,
  original_xml_sha256 text check (original_xml_sha256 ~ '^[0-9a-f]{64}$'),
  captured_by uuid,
  captured_at timestamptz not null default now(),
  approved_by uuid,
  approved_at timestamptz,
  approval_journal_id uuid,
  rejected_by uuid,
  rejected_reason text,
  primary key (org_id, id),
  foreign key (org_id, supplier_id) references suppliers (org_id, id),
  foreign key (org_id, duplicate_of_id) references supplier_invoices (org_id, id),
  foreign key (org_id, approval_journal_id) references journals (org_id, id),
  check ((original_xml is null) = (original_xml_sha256 is null))
);
create index supplier_invoices_supplier on supplier_invoices (org_id, supplier_id, supplier_reference);
create index supplier_invoices_status on supplier_invoices (org_id, status, due_date);

create table supplier_invoice_lines (
  org_id uuid not null references organisations (id),
  invoice_id uuid not null,
  line_no integer not null check (line_no between 1 and 10000),
  description text not null check (length(description) between 1 and 500),
  account_code text not null,
  cost_centre_code text,
  net_pence bigint not null,
  -- Null on e-invoice lines: UBL itemises VAT in the document's breakdown, not per line.
  vat_pence bigint check (vat_pence >= 0),
  vat_category text,
  vat_rate_percent text,
  primary key (org_id, invoice_id, line_no),
  foreign key (org_id, invoice_id) references supplier_invoices (org_id, id),
  foreign key (org_id, account_code) references accounts (org_id, code)
);

select gss_org_scoped('suppliers');
select gss_org_scoped('payables_approval_limits');
select gss_org_scoped('payables_approvers');
select gss_org_scoped('supplier_invoices');
select gss_org_scoped('supplier_invoice_lines');
select gss_audited('suppliers');
select gss_audited('payables_approval_limits');
select gss_audited('payables_approvers');
select gss_audited('supplier_invoices', 'original_xml');
select gss_audited('supplier_invoice_lines');

grant select, insert, update on suppliers, supplier_invoices to gss_app;
grant select, insert, update, delete on payables_approval_limits, payables_approvers to gss_app;
-- Lines are written once with their invoice.
grant select, insert on supplier_invoice_lines to gss_app;
