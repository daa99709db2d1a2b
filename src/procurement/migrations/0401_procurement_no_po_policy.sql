-- "No PO, no pay" as a per-organisation policy, enforced where invoices are approved (payables'
-- InvoiceService.approve), with the exceptions an organisation allows recorded with a reason.
--
--   not-adopted         (default) invoices without an order are approved as before, so an
--                       organisation that has not adopted the policy keeps working
--   exceptions-allowed  an invoice is approved only once matched to its order, or when someone
--                       has recorded an exception for it with a reason (the exceptions queue)
--   strict              an invoice is approved only once matched to its order
--
-- Credit notes are outside the policy: they reduce what is owed.
alter table procurement_settings add column no_po_policy text not null default 'not-adopted'
  check (no_po_policy in ('not-adopted', 'exceptions-allowed', 'strict'));

create table procurement_no_po_exceptions (
  org_id uuid not null references organisations (id),
  invoice_id uuid not null,
  reason text not null check (length(reason) between 1 and 500),
  granted_by uuid not null,
  granted_at timestamptz not null default now(),
  primary key (org_id, invoice_id),
  foreign key (org_id, invoice_id) references supplier_invoices (org_id, id)
);
select gss_org_scoped('procurement_no_po_exceptions');
select gss_audited('procurement_no_po_exceptions');
-- An exception is a record of a decision: written once, never changed.
grant select, insert on procurement_no_po_exceptions to gss_app;
create trigger append_only before update or delete on procurement_no_po_exceptions
  for each row execute function gss_append_only();

-- Procurement's published answer to payables: why the policy refuses to approve an invoice now
-- ('no-po': no order linked; 'not-matched': linked but not matched), or no row / null refusal
-- when it may be approved. Payables reads this function, never procurement's tables, so the
-- rule of what counts as "matched" stays in one domain. Security invoker: row-level security
-- applies as to any other read of the caller's.
create function procurement_no_po_refusal(p_org_id uuid, p_invoice_id uuid)
  returns table (refusal text, policy text)
  language sql stable
  set search_path = public, pg_temp
  as $$
  select case
      when s.no_po_policy is null or s.no_po_policy = 'not-adopted' then null
      when p.match_status in ('matched', 'released') then null
      when s.no_po_policy = 'exceptions-allowed' and e.invoice_id is not null then null
      when p.order_id is null then 'no-po'
      else 'not-matched'
    end,
    coalesce(s.no_po_policy, 'not-adopted')
  from (select 1) as one
  left join procurement_settings s on s.org_id = p_org_id
  left join procurement_invoices p on p.org_id = p_org_id and p.invoice_id = p_invoice_id
  left join procurement_no_po_exceptions e on e.org_id = p_org_id and e.invoice_id = p_invoice_id
$$;
grant execute on function procurement_no_po_refusal(uuid, uuid) to gss_app;
