-- More event sources, now that payroll and procurement exist: a pay run approved (aggregate
-- figures only, no employee in it) and a contract awarded (entered in the contracts register).
create function gss_events_pay_run() returns trigger
  language plpgsql
  as $$
begin
  if new.status = old.status or new.status <> 'approved' then return null; end if;
  insert into events (org_id, type, entity_type, entity_id, payload)
  values (new.org_id, 'payrun.approved', 'pay-run', new.id::text,
    jsonb_build_object('payRunId', new.id, 'payFrequency', new.pay_frequency, 'taxYear', new.tax_year,
      'period', new.period, 'payDate', new.pay_date, 'employeeCount', new.employee_count,
      'exceptionCount', new.exception_count, 'grossPence', new.gross_pence, 'taxPence', new.tax_pence,
      'employeeNiPence', new.employee_ni_pence, 'employerNiPence', new.employer_ni_pence,
      'netPence', new.net_pence));
  return null;
end
$$;
create trigger events_pay_run after update of status on pay_runs
  for each row execute function gss_events_pay_run();

create function gss_events_contract_awarded() returns trigger
  language plpgsql
  as $$
begin
  insert into events (org_id, type, entity_type, entity_id, payload)
  values (new.org_id, 'contract.awarded', 'contract', new.id::text,
    jsonb_build_object('contractId', new.id, 'reference', new.reference, 'title', new.title,
      'supplierId', new.supplier_id, 'cpvCode', new.cpv_code, 'valuePence', new.value_pence,
      'startDate', new.start_date, 'endDate', new.end_date));
  return null;
end
$$;
create trigger events_contract_awarded after insert on contracts
  for each row execute function gss_events_contract_awarded();
