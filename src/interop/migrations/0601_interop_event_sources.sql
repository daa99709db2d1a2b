-- Where events come from: triggers on the business tables write each event in the same
-- transaction (and statement) as the change. Triggers rather than calls in the services, so no
-- code path (API, page, import, CLI, demo) can change the data without its event. Payloads are
-- the v1 schemas in src/interop/event-types.ts; a change to a payload's shape is a new version.

-- journal.posted: one event per journal, once its lines are in (they arrive in one statement).
create function gss_events_journal_posted() returns trigger
  language plpgsql
  as $$
begin
  insert into events (org_id, type, entity_type, entity_id, payload)
  select j.org_id, 'journal.posted', 'journal', j.id::text,
    jsonb_build_object(
      'journalId', j.id, 'journalDate', j.journal_date, 'fiscalYear', j.fiscal_year, 'period', j.period,
      'description', j.description, 'source', j.source, 'reference', j.reference,
      'reversesJournalId', j.reverses_journal_id, 'lineCount', l.line_count, 'totalDebitPence', l.debit_pence)
  from (select org_id, journal_id, count(*) as line_count,
          sum(greatest(amount_pence, 0)) as debit_pence
        from new_lines group by org_id, journal_id) l
  join journals j on j.org_id = l.org_id and j.id = l.journal_id
  order by j.org_id, j.journal_date, j.id;
  return null;
end
$$;
create trigger events_journal_posted after insert on journal_lines
  referencing new table as new_lines
  for each statement execute function gss_events_journal_posted();

-- invoice.approved and payment.made: supplier invoices moving to approved, and to paid.
create function gss_events_supplier_invoice() returns trigger
  language plpgsql
  as $$
begin
  if new.status = old.status or new.status not in ('approved', 'paid') then return null; end if;
  insert into events (org_id, type, entity_type, entity_id, payload)
  values (new.org_id, case new.status when 'approved' then 'invoice.approved' else 'payment.made' end,
    'supplier-invoice', new.id::text,
    jsonb_build_object('invoiceId', new.id, 'supplierId', new.supplier_id, 'kind', new.kind,
      'supplierReference', new.supplier_reference, 'issueDate', new.issue_date,
      'receiptDate', new.receipt_date, 'dueDate', new.due_date, 'currency', new.currency,
      'netPence', new.net_pence, 'vatPence', new.vat_pence, 'grossPence', new.gross_pence,
      'spendType', new.spend_type));
  return null;
end
$$;
create trigger events_supplier_invoice after update of status on supplier_invoices
  for each row execute function gss_events_supplier_invoice();

-- employee.joined, employee.moved, employee.left: the employment record's life. Personal data:
-- the payload names the person by id and employee number only, and is flagged personal.
create function gss_events_employment() returns trigger
  language plpgsql
  as $$
begin
  if tg_op = 'INSERT' then
    insert into events (org_id, type, entity_type, entity_id, personal, payload)
    values (new.org_id, 'employee.joined', 'employment', new.id::text, true,
      jsonb_build_object('employmentId', new.id, 'personId', new.person_id,
        'employeeNumber', new.employee_number, 'contractType', new.contract_type,
        'startDate', new.start_date, 'lentByOrgId', new.lent_by_org_id));
  elsif old.end_date is null and new.end_date is not null then
    insert into events (org_id, type, entity_type, entity_id, personal, payload)
    values (new.org_id, 'employee.left', 'employment', new.id::text, true,
      jsonb_build_object('employmentId', new.id, 'personId', new.person_id,
        'employeeNumber', new.employee_number, 'endDate', new.end_date,
        'leavingReason', new.leaving_reason));
  end if;
  return null;
end
$$;
create trigger events_employment after insert or update of end_date on employments
  for each row execute function gss_events_employment();

create function gss_events_employment_terms() returns trigger
  language plpgsql
  as $$
begin
  -- The first version of an employment's terms is part of joining, not a move.
  if not exists (select 1 from employment_terms t where t.org_id = new.org_id
      and t.employment_id = new.employment_id and t.valid_from < new.valid_from) then
    return null;
  end if;
  insert into events (org_id, type, entity_type, entity_id, personal, payload)
  values (new.org_id, 'employee.moved', 'employment', new.employment_id::text, true,
    jsonb_build_object('employmentId', new.employment_id, 'effectiveFrom', new.valid_from,
      'positionId', new.position_id, 'gradeCode', new.grade_code,
      'costCentreCode', new.cost_centre_code, 'fte', new.fte, 'hoursPerWeek', new.hours_per_week,
      'reason', new.change_reason));
  return null;
end
$$;
create trigger events_employment_terms after insert on employment_terms
  for each row execute function gss_events_employment_terms();
