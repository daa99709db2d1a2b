-- Procurement: source to pay (requisitions that become purchase orders, receipts, three-way match
-- into payables), the contracts register, the commercial pipeline and OCDS publication.
-- Amounts are integer pence; quantities numeric(14,3). Every table is org-scoped and audited.

-- Suppliers are shared with finance (payables owns the table): procurement adds what the
-- Procurement Act 2023 and the UK OCDS extension need.
alter table suppliers add column vcse boolean not null default false;
-- The organisation's identifier on the Central Digital Platform, as scheme-prefixed text
-- ("GB-PPON:PABC-1234-DEFG").
alter table suppliers add column cdp_identifier text
  check (cdp_identifier ~ '^[A-Z]{2}-[A-Z]{2,10}:[A-Za-z0-9-]{1,60}$');
create unique index suppliers_cdp_identifier on suppliers (org_id, cdp_identifier) where cdp_identifier is not null;

create table supplier_contacts (
  org_id uuid not null references organisations (id),
  id uuid not null,
  supplier_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  role text check (length(role) <= 100),
  email text check (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  phone text check (length(phone) <= 40),
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, supplier_id) references suppliers (org_id, id)
);
create index supplier_contacts_supplier on supplier_contacts (org_id, supplier_id);

-- Per organisation: three-way match tolerances and the OCDS ocid prefix.
create table procurement_settings (
  org_id uuid not null references organisations (id),
  -- An invoice unit price may exceed the order's by this share or by this many pence per unit,
  -- whichever is larger.
  price_tolerance_percent numeric(5, 2) not null default 2 check (price_tolerance_percent between 0 and 100),
  price_tolerance_pence bigint not null default 0 check (price_tolerance_pence >= 0),
  -- The quantity invoiced to date may exceed the quantity received by this share.
  quantity_tolerance_percent numeric(5, 2) not null default 0 check (quantity_tolerance_percent between 0 and 100),
  ocid_prefix text not null default 'ocds-gss000' check (ocid_prefix ~ '^ocds-[a-z0-9]{6}$'),
  primary key (org_id)
);

create table catalogue_items (
  org_id uuid not null references organisations (id),
  id uuid not null,
  code text not null check (code ~ '^[A-Z0-9-]{1,30}$'),
  description text not null check (length(description) between 1 and 300),
  cpv_code text not null check (cpv_code ~ '^[0-9]{8}-[0-9]$'),
  unit text not null default 'each' check (length(unit) between 1 and 20),
  unit_price_pence bigint not null check (unit_price_pence >= 0),
  vat_rate_percent numeric(5, 2) not null default 20,
  supplier_id uuid not null,
  account_code text not null,
  primary key (org_id, id),
  unique (org_id, code),
  foreign key (org_id, supplier_id) references suppliers (org_id, id),
  foreign key (org_id, account_code) references accounts (org_id, code)
);

create table contracts (
  org_id uuid not null references organisations (id),
  id uuid not null,
  reference text not null check (length(reference) between 1 and 50),
  title text not null check (length(title) between 1 and 300),
  supplier_id uuid not null,
  cpv_code text not null check (cpv_code ~ '^[0-9]{8}-[0-9]$'),
  value_pence bigint not null check (value_pence > 0),
  start_date date not null,
  end_date date not null,
  -- Extension options: how many the contract allows, how many have been used, months each.
  extension_options_total smallint not null default 0 check (extension_options_total between 0 and 10),
  extension_options_used smallint not null default 0,
  extension_months smallint not null default 0 check (extension_months between 0 and 120),
  owner_name text not null check (length(owner_name) between 1 and 200),
  pipeline_id uuid,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, id),
  unique (org_id, reference),
  foreign key (org_id, supplier_id) references suppliers (org_id, id),
  check (end_date >= start_date),
  check (extension_options_used between 0 and extension_options_total)
);

-- The three most material KPIs of a contract over £5m (Procurement Act 2023, s.52).
create table contract_kpis (
  org_id uuid not null references organisations (id),
  contract_id uuid not null,
  rank smallint not null check (rank between 1 and 3),
  name text not null check (length(name) between 1 and 200),
  target text not null check (length(target) between 1 and 200),
  primary key (org_id, contract_id, rank),
  foreign key (org_id, contract_id) references contracts (org_id, id)
);

-- Requisitions and purchase orders are one record: a requisition becomes an order when approved
-- (decision 0400), so its history, commitments and receipts all hang off one id.
create sequence procurement_requisition_numbers;
create sequence procurement_order_numbers;

create table purchase_orders (
  org_id uuid not null references organisations (id),
  id uuid not null,
  requisition_number bigint not null default nextval('procurement_requisition_numbers'),
  order_number text,
  title text not null check (length(title) between 1 and 300),
  supplier_id uuid not null,
  contract_id uuid,
  cpv_code text not null check (cpv_code ~ '^[0-9]{8}-[0-9]$'),
  status text not null default 'awaiting-approval'
    check (status in ('awaiting-approval', 'issued', 'rejected', 'cancelled', 'closed')),
  version integer not null default 1 check (version >= 1),
  net_pence bigint not null check (net_pence >= 0),
  vat_pence bigint not null check (vat_pence >= 0),
  total_pence bigint not null check (total_pence = net_pence + vat_pence),
  -- The total the last approval covered: an amendment above it needs approval again.
  approved_total_pence bigint not null default 0,
  needed_by date,
  requested_by uuid not null,
  requested_at timestamptz not null default now(),
  awaiting_level smallint,
  approved_by uuid,
  approved_at timestamptz,
  issued_on date,
  rejected_by uuid,
  rejected_reason text,
  cancelled_reason text,
  primary key (org_id, id),
  unique (org_id, requisition_number),
  unique (org_id, order_number),
  foreign key (org_id, supplier_id) references suppliers (org_id, id),
  foreign key (org_id, contract_id) references contracts (org_id, id),
  check ((status in ('issued', 'closed')) <= (order_number is not null))
);
create index purchase_orders_status on purchase_orders (org_id, status);
create index purchase_orders_supplier on purchase_orders (org_id, supplier_id);
create index purchase_orders_contract on purchase_orders (org_id, contract_id) where contract_id is not null;

create table purchase_order_lines (
  org_id uuid not null references organisations (id),
  order_id uuid not null,
  line_no integer not null check (line_no between 1 and 1000),
  catalogue_item_id uuid,
  description text not null check (length(description) between 1 and 500),
  cpv_code text not null check (cpv_code ~ '^[0-9]{8}-[0-9]$'),
  account_code text not null,
  cost_centre_code text not null,
  unit text not null default 'each',
  quantity numeric(14, 3) not null check (quantity > 0),
  unit_price_pence bigint not null check (unit_price_pence >= 0),
  net_pence bigint not null check (net_pence >= 0),
  vat_rate_percent numeric(5, 2) not null default 20 check (vat_rate_percent between 0 and 100),
  vat_pence bigint not null check (vat_pence >= 0),
  -- Over-receipt is impossible, not merely refused by the service: two receipts racing on one
  -- line serialise on its row lock, and this check stops anything the lock did not.
  quantity_received numeric(14, 3) not null default 0 check (quantity_received >= 0 and quantity_received <= quantity),
  primary key (org_id, order_id, line_no),
  foreign key (org_id, order_id) references purchase_orders (org_id, id),
  foreign key (org_id, catalogue_item_id) references catalogue_items (org_id, id),
  foreign key (org_id, account_code) references accounts (org_id, code),
  foreign key (org_id, cost_centre_code) references cost_centres (org_id, code)
);

-- Every state of an order: created, approved, amended, cancelled. Never changed.
create table purchase_order_versions (
  org_id uuid not null references organisations (id),
  order_id uuid not null,
  version integer not null,
  seq integer not null,
  change text not null check (change in ('requested', 'approved', 'rejected', 'amended', 'cancelled', 'closed')),
  reason text,
  total_pence bigint not null,
  lines jsonb not null,
  changed_by uuid,
  changed_at timestamptz not null default now(),
  primary key (org_id, order_id, seq),
  foreign key (org_id, order_id) references purchase_orders (org_id, id)
);

-- Commitments: signed movements per order line of the value committed by an issued order:
-- reserved on issue, adjusted by amendments, released by cancellation. What is still committed is
-- that less what matched invoices have claimed (procurement_invoiced_lines), never below zero, so
-- matching 100,000 invoices writes no commitment rows (decision 0400).
create table procurement_commitments (
  org_id uuid not null references organisations (id),
  id uuid not null default gen_random_uuid(),
  order_id uuid not null,
  line_no integer not null,
  account_code text not null,
  cost_centre_code text not null,
  fiscal_year smallint not null,
  movement text not null check (movement in ('reserve', 'amend', 'cancel', 'close')),
  amount_pence bigint not null,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, order_id, line_no) references purchase_order_lines (org_id, order_id, line_no)
);
create index procurement_commitments_line on procurement_commitments (org_id, fiscal_year, account_code, cost_centre_code);
create index procurement_commitments_order on procurement_commitments (org_id, order_id, line_no);

create sequence procurement_receipt_numbers;

create table goods_receipts (
  org_id uuid not null references organisations (id),
  id uuid not null,
  number bigint not null default nextval('procurement_receipt_numbers'),
  order_id uuid not null,
  kind text not null check (kind in ('goods', 'services')),
  received_on date not null,
  note text check (length(note) <= 500),
  received_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, order_id) references purchase_orders (org_id, id)
);
create index goods_receipts_order on goods_receipts (org_id, order_id);

create table goods_receipt_lines (
  org_id uuid not null references organisations (id),
  receipt_id uuid not null,
  order_id uuid not null,
  order_line_no integer not null,
  quantity numeric(14, 3) not null check (quantity > 0),
  primary key (org_id, receipt_id, order_line_no),
  foreign key (org_id, receipt_id) references goods_receipts (org_id, id),
  foreign key (org_id, order_id, order_line_no) references purchase_order_lines (org_id, order_id, line_no)
);

-- A payables invoice as procurement sees it: the order it claims against (or none: "no PO, no
-- pay") and the outcome of the three-way match.
create table procurement_invoices (
  org_id uuid not null references organisations (id),
  invoice_id uuid not null,
  order_id uuid,
  match_status text not null default 'unmatched'
    check (match_status in ('unmatched', 'matched', 'exception', 'released')),
  matched_at timestamptz,
  released_by uuid,
  released_at timestamptz,
  primary key (org_id, invoice_id),
  foreign key (org_id, invoice_id) references supplier_invoices (org_id, id),
  foreign key (org_id, order_id) references purchase_orders (org_id, id)
);
create index procurement_invoices_order on procurement_invoices (org_id, order_id);
create index procurement_invoices_status on procurement_invoices (org_id, match_status);

create table procurement_invoice_lines (
  org_id uuid not null references organisations (id),
  invoice_id uuid not null,
  line_no integer not null,
  order_id uuid not null,
  order_line_no integer not null,
  quantity numeric(14, 3) not null check (quantity > 0),
  unit_price_pence bigint not null check (unit_price_pence >= 0),
  net_pence bigint not null,
  primary key (org_id, invoice_id, line_no),
  foreign key (org_id, invoice_id) references procurement_invoices (org_id, invoice_id),
  foreign key (org_id, order_id, order_line_no) references purchase_order_lines (org_id, order_id, line_no)
);
create index procurement_invoice_lines_order_line on procurement_invoice_lines (org_id, order_id, order_line_no);

-- Why a match failed, one row per reason; replaced each time the invoice is matched again.
create table procurement_match_exceptions (
  org_id uuid not null references organisations (id),
  invoice_id uuid not null,
  seq integer not null,
  line_no integer,
  reason_code text not null check (reason_code in
    ('price', 'quantity-not-received', 'over-invoiced', 'order-not-issued', 'supplier-mismatch', 'no-lines')),
  reason text not null,
  created_at timestamptz not null default now(),
  primary key (org_id, invoice_id, seq),
  foreign key (org_id, invoice_id) references procurement_invoices (org_id, invoice_id)
);

-- The commercial pipeline: procurements planned up to 18 months ahead.
create table pipeline_procurements (
  org_id uuid not null references organisations (id),
  id uuid not null,
  reference text not null check (length(reference) between 1 and 50),
  title text not null check (length(title) between 1 and 300),
  cpv_code text not null check (cpv_code ~ '^[0-9]{8}-[0-9]$'),
  estimated_value_pence bigint not null check (estimated_value_pence > 0),
  go_to_market_date date not null,
  award_date date,
  -- The contract it re-procures, if any.
  replaces_contract_id uuid,
  status text not null default 'planned' check (status in ('planned', 'in-market', 'awarded', 'withdrawn')),
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  unique (org_id, reference),
  foreign key (org_id, replaces_contract_id) references contracts (org_id, id)
);
create index pipeline_go_to_market on pipeline_procurements (org_id, go_to_market_date);

alter table contracts add constraint contracts_pipeline
  foreign key (org_id, pipeline_id) references pipeline_procurements (org_id, id);

select gss_org_scoped('supplier_contacts');
select gss_org_scoped('procurement_settings');
select gss_org_scoped('catalogue_items');
select gss_org_scoped('contracts');
select gss_org_scoped('contract_kpis');
select gss_org_scoped('purchase_orders');
select gss_org_scoped('purchase_order_lines');
select gss_org_scoped('purchase_order_versions');
select gss_org_scoped('procurement_commitments');
select gss_org_scoped('goods_receipts');
select gss_org_scoped('goods_receipt_lines');
select gss_org_scoped('procurement_invoices');
select gss_org_scoped('procurement_invoice_lines');
select gss_org_scoped('procurement_match_exceptions');
select gss_org_scoped('pipeline_procurements');
select gss_audited('supplier_contacts');
select gss_audited('procurement_settings');
select gss_audited('catalogue_items');
select gss_audited('contracts');
select gss_audited('contract_kpis');
select gss_audited('purchase_orders');
select gss_audited('purchase_order_lines');
select gss_audited('purchase_order_versions');
select gss_audited('procurement_commitments');
select gss_audited('goods_receipts');
select gss_audited('goods_receipt_lines');
-- Row by row when an invoice is linked; one entry per organisation per statement when a match
-- run changes thousands of statuses at once (as journal_lines are audited per posting).
create trigger audit_row after insert or delete on procurement_invoices
  for each row execute function gss_audit_row();
create function gss_procurement_invoices_matched() returns trigger
  language plpgsql security definer set search_path = public, pg_temp
  as $$
declare
  v record;
begin
  -- The new state of each row; the state before is the previous entry for that invoice. (No join
  -- of old and new transition tables: they have no indexes or statistics to plan one with.)
  for v in
    select n.org_id, count(*) as changed, min(n.invoice_id::text) as first_id,
      jsonb_agg(jsonb_build_object('invoice_id', n.invoice_id, 'match_status', n.match_status,
        'order_id', n.order_id, 'matched_at', n.matched_at, 'released_by', n.released_by,
        'released_at', n.released_at) order by n.invoice_id) as changes
    from new_rows n
    group by n.org_id
  loop
    perform gss_audit_append(v.org_id, 'procurement_invoices',
      case when v.changed = 1 then v.first_id end, 'update', null, jsonb_build_object('invoices', v.changes));
  end loop;
  return null;
end
$$;
revoke all on function gss_procurement_invoices_matched() from public;
create trigger audit after update on procurement_invoices referencing old table as old_rows new table as new_rows
  for each statement execute function gss_procurement_invoices_matched();

-- What matched (or released) invoices have claimed against each order line.
create view procurement_invoiced_lines with (security_invoker = true) as
  select l.org_id, l.order_id, l.order_line_no, sum(l.quantity) as quantity, sum(l.net_pence) as net_pence
  from procurement_invoice_lines l
  join procurement_invoices p on p.org_id = l.org_id and p.invoice_id = l.invoice_id
  where p.match_status in ('matched', 'released')
  group by l.org_id, l.order_id, l.order_line_no;
grant select on procurement_invoiced_lines to gss_app;
select gss_audited('procurement_invoice_lines');
select gss_audited('procurement_match_exceptions');
select gss_audited('pipeline_procurements');

grant select, insert, update on supplier_contacts, procurement_settings, catalogue_items, contracts,
  purchase_orders, purchase_order_lines, procurement_invoices, pipeline_procurements to gss_app;
grant select, insert, update, delete on contract_kpis, procurement_match_exceptions to gss_app;
-- History, commitments and receipts are written once.
grant select, insert on purchase_order_versions, procurement_commitments, goods_receipts, goods_receipt_lines,
  procurement_invoice_lines to gss_app;
grant usage on sequence procurement_requisition_numbers, procurement_order_numbers,
  procurement_receipt_numbers to gss_app;
create trigger append_only before update or delete on purchase_order_versions for each row execute function gss_append_only();
create trigger append_only before update or delete on procurement_commitments for each row execute function gss_append_only();
