-- Receivables: customers, sales invoices and credit notes, receipts and their allocation.
-- Amounts are integer pence, positive on credit notes too (kind says which way they go), as UBL
-- writes them. Every table is org-scoped (org_id leads every key) and audited.

-- What an organisation prints on its invoices (the seller, BG-4) and how it wants to be paid.
create table receivables_settings (
  org_id uuid not null references organisations (id),
  legal_name text not null check (length(legal_name) between 1 and 200),
  address_line_1 text not null check (length(address_line_1) between 1 and 200),
  address_line_2 text check (length(address_line_2) <= 200),
  city text not null check (length(city) between 1 and 100),
  postcode text not null check (length(postcode) between 1 and 20),
  country_code text not null default 'GB' check (country_code ~ '^[A-Z]{2}$'),
  -- Required: EN 16931 needs the seller's VAT identifier on every S, Z and E invoice.
  vat_number text not null check (vat_number ~ '^(GB|XI)[A-Z0-9]{5,12}$'),
  company_number text check (company_number ~ '^[A-Z0-9]{8}$'),
  -- The seller's Peppol participant id (scheme:value), BT-34.
  peppol_endpoint text not null check (peppol_endpoint ~ '^[0-9]{4}:[^[:space:]]{1,200}$'),
  contact_email text check (contact_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  -- Where customers pay: a UK account, as printed on the invoice and in UBL's PaymentMeans.
  bank_account_name text not null check (length(bank_account_name) between 1 and 140),
  sort_code text not null check (sort_code ~ '^[0-9]{6}$'),
  account_number text not null check (account_number ~ '^[0-9]{8}$'),
  iban text check (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$'),
  invoice_prefix text not null default 'INV' check (invoice_prefix ~ '^[A-Z0-9-]{1,10}$'),
  credit_note_prefix text not null default 'CRN' check (credit_note_prefix ~ '^[A-Z0-9-]{1,10}$'),
  primary key (org_id)
);

-- The next number of each series. Issuing takes the row lock (update ... returning) in the same
-- transaction that stores the document and posts its journal, so numbers are gapless: a rolled
-- back issue rolls its number back too, and concurrent issuers queue on the lock.
create table receivables_sequences (
  org_id uuid not null references organisations (id),
  series text not null check (series in ('invoice', 'credit-note')),
  next_number bigint not null default 1 check (next_number >= 1),
  primary key (org_id, series)
);

create table customers (
  org_id uuid not null references organisations (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 200),
  address_line_1 text not null check (length(address_line_1) between 1 and 200),
  address_line_2 text check (length(address_line_2) <= 200),
  city text not null check (length(city) between 1 and 100),
  postcode text check (length(postcode) <= 20),
  country_code text not null default 'GB' check (country_code ~ '^[A-Z]{2}$'),
  vat_number text check (vat_number ~ '^(GB|XI)[A-Z0-9]{5,12}$'),
  company_number text check (company_number ~ '^[A-Z0-9]{8}$'),
  peppol_endpoint text check (peppol_endpoint ~ '^[0-9]{4}:[^[:space:]]{1,200}$'),
  contact_email text check (contact_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  payment_terms_days integer not null default 30 check (payment_terms_days between 0 and 365),
  -- Null: no limit (usual for other public bodies).
  credit_limit_pence bigint check (credit_limit_pence >= 0),
  public_body boolean not null default false,
  -- Fixed when the customer is added (13100000 trade, 13200000 other government bodies), so every
  -- invoice and receipt of the customer posts to the same control account.
  control_account_code text not null,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, control_account_code) references accounts (org_id, code)
);
create unique index customers_vat_number on customers (org_id, vat_number) where vat_number is not null;
create unique index customers_company_number on customers (org_id, company_number) where company_number is not null;
create index customers_name on customers (org_id, name);

-- Invoices and credit notes, issued (numbered and posted) when they are created: there are no
-- drafts, so a number is never taken by a document that does not exist.
create table sales_invoices (
  org_id uuid not null references organisations (id),
  id uuid not null,
  customer_id uuid not null,
  kind text not null check (kind in ('invoice', 'credit-note')),
  sequence_number bigint not null check (sequence_number >= 1),
  number text not null check (length(number) between 1 and 30),
  issue_date date not null,
  due_date date not null check (due_date >= issue_date),
  currency text not null default 'GBP' check (currency = 'GBP'),
  -- BT-10: the buyer's reference (often their purchase order).
  buyer_reference text not null check (length(buyer_reference) between 1 and 100),
  note text check (length(note) <= 1000),
  -- A credit note credits exactly one invoice of the same customer.
  credited_invoice_id uuid,
  net_pence bigint not null check (net_pence >= 0),
  vat_pence bigint not null check (vat_pence >= 0),
  gross_pence bigint not null check (gross_pence = net_pence + vat_pence),
  journal_id uuid not null,
  issued_by uuid,
  issued_at timestamptz not null default now(),
  primary key (org_id, id),
  unique (org_id, kind, sequence_number),
  unique (org_id, number),
  foreign key (org_id, customer_id) references customers (org_id, id),
  foreign key (org_id, credited_invoice_id) references sales_invoices (org_id, id),
  foreign key (org_id, journal_id) references journals (org_id, id),
  check ((kind = 'credit-note') = (credited_invoice_id is not null))
);
create index sales_invoices_customer on sales_invoices (org_id, customer_id, issue_date);
create index sales_invoices_credited on sales_invoices (org_id, credited_invoice_id) where credited_invoice_id is not null;

create table sales_invoice_lines (
  org_id uuid not null references organisations (id),
  invoice_id uuid not null,
  line_no integer not null check (line_no between 1 and 1000),
  description text not null check (length(description) between 1 and 500),
  account_code text not null,
  cost_centre_code text,
  -- Exact decimals as text: quantity up to 4 places, unit price up to 4 places (EN 16931 allows
  -- more precision on prices than on amounts).
  quantity text not null check (quantity ~ '^[0-9]{1,9}(\.[0-9]{1,4})?$'),
  unit_price text not null check (unit_price ~ '^[0-9]{1,13}(\.[0-9]{1,4})?$'),
  -- quantity x unit price, rounded half up to the penny (BT-131).
  net_pence bigint not null check (net_pence >= 0),
  vat_category text not null check (vat_category in ('S', 'Z', 'E')),
  vat_rate_percent text not null check (vat_rate_percent in ('20', '5', '0')),
  primary key (org_id, invoice_id, line_no),
  foreign key (org_id, invoice_id) references sales_invoices (org_id, id),
  foreign key (org_id, account_code) references accounts (org_id, code),
  foreign key (org_id, cost_centre_code) references cost_centres (org_id, code)
);

create table receipts (
  org_id uuid not null references organisations (id),
  id uuid not null,
  customer_id uuid not null,
  received_on date not null,
  amount_pence bigint not null check (amount_pence > 0),
  reference text not null check (length(reference) between 1 and 140),
  -- The bank's reference for the camt.053 entry the receipt was recorded from: a statement
  -- imported twice records each credit once.
  bank_entry_reference text check (length(bank_entry_reference) between 1 and 200),
  journal_id uuid not null,
  recorded_by uuid,
  recorded_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, customer_id) references customers (org_id, id),
  foreign key (org_id, journal_id) references journals (org_id, id)
);
create index receipts_customer on receipts (org_id, customer_id, received_on);
create unique index receipts_bank_entry on receipts (org_id, bank_entry_reference) where bank_entry_reference is not null;

-- Which invoices a receipt pays. The service locks the receipt and the invoices before checking
-- that neither is over-allocated; what is left of a receipt stays on account.
create table receipt_allocations (
  org_id uuid not null references organisations (id),
  id uuid not null,
  receipt_id uuid not null,
  invoice_id uuid not null,
  amount_pence bigint not null check (amount_pence > 0),
  allocated_by uuid,
  allocated_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, receipt_id) references receipts (org_id, id),
  foreign key (org_id, invoice_id) references sales_invoices (org_id, id)
);
create index receipt_allocations_receipt on receipt_allocations (org_id, receipt_id);
create index receipt_allocations_invoice on receipt_allocations (org_id, invoice_id);

select gss_org_scoped('receivables_settings');
select gss_org_scoped('receivables_sequences');
select gss_org_scoped('customers');
select gss_org_scoped('sales_invoices');
select gss_org_scoped('sales_invoice_lines');
select gss_org_scoped('receipts');
select gss_org_scoped('receipt_allocations');
select gss_audited('receivables_settings');
select gss_audited('receivables_sequences');
select gss_audited('customers');
select gss_audited('sales_invoices');
select gss_audited('sales_invoice_lines');
select gss_audited('receipts');
select gss_audited('receipt_allocations');

grant select, insert, update on receivables_settings, receivables_sequences, customers to gss_app;
-- Issued documents, their lines, receipts and allocations are written once and never changed.
grant select, insert on sales_invoices, sales_invoice_lines, receipts, receipt_allocations to gss_app;
