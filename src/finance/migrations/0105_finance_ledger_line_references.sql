-- Journal lines' references to accounts, cost centres, projects and currencies, checked once per
-- statement instead of once per line (docs/decisions/0104-ledger-posting-performance.md).
--
-- A foreign key checks each new row on its own: a batch of 20,000 lines ran 80,000 look-ups, a
-- third of the database's work in a posting, to find the same handful of accounts again and again.
-- The posting trigger now looks each distinct reference up once, with the same lock a foreign key
-- takes (FOR KEY SHARE, so the referenced row cannot be deleted or re-keyed until the posting
-- commits), and refuses the statement if any is missing. The other half of a foreign key, that a
-- referenced row cannot be deleted or re-keyed while lines refer to it, is kept by a trigger on each
-- referenced table. The reference to the journal itself stays a foreign key.

alter table journal_lines drop constraint journal_lines_org_id_account_code_fkey;
alter table journal_lines drop constraint journal_lines_org_id_cost_centre_code_fkey;
alter table journal_lines drop constraint journal_lines_org_id_project_code_fkey;
alter table journal_lines drop constraint journal_lines_currency_fkey;

-- The statement trigger on journal_lines (first defined in 0100, made faster in 0104), now also
-- checking references.
create or replace function gss_journal_lines_posted() returns trigger
  language plpgsql security definer set search_path = public, pg_temp
  as $$
declare
  v_bad record;
  v_entry record;
begin
  -- References: each distinct one looked up once and locked as a foreign key would lock it. A
  -- reference is good when its row was found and locked; counting the locked rows against the
  -- distinct references decides, and only a failure looks for which one is missing.
  if (select count(*) from (select a.code from accounts a
        where (a.org_id, a.code) in (select org_id, account_code from new_lines) for key share of a) locked)
     < (select count(*) from (select distinct org_id, account_code from new_lines) wanted) then
    select n.org_id, n.account_code as code into v_bad from new_lines n
      where not exists (select 1 from accounts a where a.org_id = n.org_id and a.code = n.account_code) limit 1;
    raise exception 'Journal lines refer to account %, which organisation % does not have', v_bad.code,
      v_bad.org_id using errcode = '23503';
  end if;
  if (select count(*) from (select c.code from cost_centres c
        where (c.org_id, c.code) in (select org_id, cost_centre_code from new_lines) for key share of c) locked)
     < (select count(*) from (select distinct org_id, cost_centre_code from new_lines
        where cost_centre_code is not null) wanted) then
    select n.org_id, n.cost_centre_code as code into v_bad from new_lines n
      where n.cost_centre_code is not null
        and not exists (select 1 from cost_centres c where c.org_id = n.org_id and c.code = n.cost_centre_code)
      limit 1;
    raise exception 'Journal lines refer to cost centre %, which organisation % does not have', v_bad.code,
      v_bad.org_id using errcode = '23503';
  end if;
  if (select count(*) from (select p.code from projects p
        where (p.org_id, p.code) in (select org_id, project_code from new_lines) for key share of p) locked)
     < (select count(*) from (select distinct org_id, project_code from new_lines
        where project_code is not null) wanted) then
    select n.org_id, n.project_code as code into v_bad from new_lines n
      where n.project_code is not null
        and not exists (select 1 from projects p where p.org_id = n.org_id and p.code = n.project_code)
      limit 1;
    raise exception 'Journal lines refer to project %, which organisation % does not have', v_bad.code,
      v_bad.org_id using errcode = '23503';
  end if;
  if (select count(*) from (select c.code from currencies c
        where c.code in (select currency from new_lines) for key share of c) locked)
     < (select count(distinct currency) from new_lines) then
    select n.currency as code into v_bad from new_lines n
      where not exists (select 1 from currencies c where c.code = n.currency) limit 1;
    raise exception 'Journal lines are in currency %, which the ledger does not hold', v_bad.code
      using errcode = '23503';
  end if;

  -- Each journal balances in sterling with at least two lines (see 0104).
  select n.journal_id, n.total,
      (select count(*) from journal_lines l where l.org_id = n.org_id and l.journal_id = n.journal_id) as lines
    into v_bad
    from (
      select org_id, journal_id, sum(amount_pence) as total, count(*) as lines
      from new_lines
      group by org_id, journal_id
      having sum(amount_pence) <> 0 or count(*) < 2
    ) n
    where n.total <> 0
      or (select count(*) from journal_lines l where l.org_id = n.org_id and l.journal_id = n.journal_id) < 2
    limit 1;
  if found then
    raise exception 'Journal % does not balance: its lines total % pence over % line(s)',
      v_bad.journal_id, v_bad.total, v_bad.lines using errcode = '23514';
  end if;

  -- Balances: one upsert, rows in key order so concurrent postings lock them in the same order.
  insert into ledger_balances as b (org_id, fiscal_year, period, account_code, cost_centre_code, debit_pence,
      credit_pence, line_count)
    select n.org_id, j.fiscal_year, j.period, n.account_code, coalesce(n.cost_centre_code, ''),
      sum(greatest(n.amount_pence, 0)), sum(greatest(-n.amount_pence, 0)), count(*)
    from new_lines n join journals j on j.org_id = n.org_id and j.id = n.journal_id
    group by n.org_id, j.fiscal_year, j.period, n.account_code, coalesce(n.cost_centre_code, '')
    order by 1, 2, 3, 4, 5
    on conflict (org_id, fiscal_year, period, account_code, cost_centre_code) do update
      set debit_pence = b.debit_pence + excluded.debit_pence,
          credit_pence = b.credit_pence + excluded.credit_pence,
          line_count = b.line_count + excluded.line_count;

  -- The audit entry: every journal header and every line the statement posted, per organisation.
  for v_entry in
    with lines as (
      select org_id, jsonb_agg(jsonb_build_array(journal_id, line_no, account_code, cost_centre_code,
          project_code, control_total, budget_class, spend_class, currency, amount_minor, units_per_gbp,
          amount_pence, description)) as rows
      from new_lines
      group by org_id
    ),
    headers as (
      select j.org_id, count(*) as journal_count, min(j.id::text) as first_id,
        jsonb_agg(jsonb_build_array(j.id, j.number, j.fiscal_year, j.period, j.journal_date, j.description,
          j.source, j.reference, j.reverses_journal_id, j.posted_by, j.posted_at) order by j.number) as rows
      from journals j
      where (j.org_id, j.id) in (select distinct org_id, journal_id from new_lines)
      group by j.org_id
    )
    select l.org_id, h.journal_count, h.first_id, h.rows as journals, l.rows as lines
    from lines l join headers h on h.org_id = l.org_id
  loop
    perform gss_audit_append(v_entry.org_id, 'journals',
      case when v_entry.journal_count = 1 then v_entry.first_id end, 'insert', null,
      jsonb_build_object(
        'journal_columns', jsonb_build_array('id', 'number', 'fiscal_year', 'period', 'journal_date',
          'description', 'source', 'reference', 'reverses_journal_id', 'posted_by', 'posted_at'),
        'journals', v_entry.journals,
        'line_columns', jsonb_build_array('journal_id', 'line_no', 'account_code', 'cost_centre_code',
          'project_code', 'control_total', 'budget_class', 'spend_class', 'currency', 'amount_minor',
          'units_per_gbp', 'amount_pence', 'description'),
        'lines', v_entry.lines));
  end loop;
  return null;
end
$$;

-- The other half of those foreign keys: a row that journal lines refer to is never deleted, nor its
-- key changed. The trigger locks the row before it runs, so it waits for any posting that holds the
-- row and then sees that posting's lines.
create function gss_journal_line_reference_kept() returns trigger
  language plpgsql security definer set search_path = public, pg_temp
  as $$
declare
  v_used boolean;
begin
  if tg_table_name = 'accounts' then
    v_used := exists (select 1 from journal_lines where org_id = old.org_id and account_code = old.code);
  elsif tg_table_name = 'cost_centres' then
    v_used := exists (select 1 from journal_lines where org_id = old.org_id and cost_centre_code = old.code);
  elsif tg_table_name = 'projects' then
    v_used := exists (select 1 from journal_lines where org_id = old.org_id and project_code = old.code);
  else
    v_used := exists (select 1 from journal_lines where currency = old.code);
  end if;
  if v_used then
    raise exception '% % is used by journal lines: it cannot be % while they refer to it',
      replace(tg_table_name, '_', ' '), old.code, case tg_op when 'DELETE' then 'removed' else 're-keyed' end
      using errcode = '23503';
  end if;
  return coalesce(new, old);
end
$$;

create trigger journal_lines_refer before delete on accounts
  for each row execute function gss_journal_line_reference_kept();
create trigger journal_lines_refer_key before update of org_id, code on accounts
  for each row when (old.org_id is distinct from new.org_id or old.code is distinct from new.code)
  execute function gss_journal_line_reference_kept();
create trigger journal_lines_refer before delete on cost_centres
  for each row execute function gss_journal_line_reference_kept();
create trigger journal_lines_refer_key before update of org_id, code on cost_centres
  for each row when (old.org_id is distinct from new.org_id or old.code is distinct from new.code)
  execute function gss_journal_line_reference_kept();
create trigger journal_lines_refer before delete on projects
  for each row execute function gss_journal_line_reference_kept();
create trigger journal_lines_refer_key before update of org_id, code on projects
  for each row when (old.org_id is distinct from new.org_id or old.code is distinct from new.code)
  execute function gss_journal_line_reference_kept();
create trigger journal_lines_refer before delete on currencies
  for each row execute function gss_journal_line_reference_kept();
create trigger journal_lines_refer_key before update of code on currencies
  for each row when (old.code is distinct from new.code)
  execute function gss_journal_line_reference_kept();
