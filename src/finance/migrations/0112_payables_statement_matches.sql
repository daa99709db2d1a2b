-- Bank statement reconciliation: which camt.053 statement line paid which payment-run payment.
-- One line pays one payment and one payment is paid by one line; re-importing a statement
-- matches nothing twice.
create table payment_statement_matches (
  org_id uuid not null references organisations (id),
  end_to_end_id text not null,
  statement_line_id text not null check (length(statement_line_id) between 1 and 200),
  rule text not null check (rule in ('end-to-end-id', 'amount-account-date', 'amount-reference')),
  statement_message_id text not null,
  matched_by uuid,
  matched_at timestamptz not null default now(),
  primary key (org_id, end_to_end_id),
  unique (org_id, statement_line_id),
  foreign key (org_id, end_to_end_id) references payment_run_payments (org_id, end_to_end_id)
);

select gss_org_scoped('payment_statement_matches');
select gss_audited('payment_statement_matches');
-- A match is a fact recorded once.
grant select, insert on payment_statement_matches to gss_app;
