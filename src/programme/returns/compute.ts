// Quarterly returns computed from the platform's own records (decision 0501). Set-based: one
// aggregate statement per family of figures, grouped by organisation, over every organisation
// asked for at once, so 300 organisations cost the same seven statements as one. Nothing personal
// leaves this module: each statement returns one row of counts and sums per organisation.
//
// Rough sums (the bench's world: 10 million ledger lines, 500,000 employees, 300 organisations):
// - the ledger figures read ledger_balances (the posting trigger's running totals per period,
//   account and cost centre), never journal_lines: tens of thousands of rows, not ten million;
// - the workforce figures scan employments and their terms once each (~500k + ~550k rows, two
//   hash joins), the HR data standard adds people (~500k); JML the quarter's changes only;
// - payslips and gross pay read the pay runs' totals (a run's totals equal its payslips: the run
//   asserts it when it finishes, decision 0300): a few rows per organisation a month rather than
//   1.5 million payslips a quarter.
//
// Null means "the platform holds no such records for the organisation" (not zero): an
// organisation without employments has null workforce figures; zero is written only where the
// records exist and the count truly is zero. Percentages are null when their denominator is 0.
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { quarter as quarterInfo } from '../quarters.ts'
import { RETURN_SCHEMA_VERSION, type ReturnFigures } from '../return-schema.ts'
import {
  BACK_OFFICE_COST_CENTRES,
  ON_PLATFORM_STATUSES,
  PROMPT_PAYMENT_DAYS,
  percentOf,
  STANDARD_PAY_ELEMENT_KINDS,
} from './indicators.ts'
import '../../orgs/tables.ts'

export type ComputedProvenance = 'computed' | 'estimated'

export interface ComputedReturn {
  orgId: string
  orgCode: string
  figures: ReturnFigures
  /** Per figure, dotted names (as programme_return_versions.provenance). */
  provenance: Record<string, ComputedProvenance>
}

/** Statements run per computation (one per family): a limit the tests hold us to. */
export const COMPUTE_STATEMENTS = 7

type Count = number | string | null
const num = (value: Count): number => Number(value ?? 0)

interface Workforce {
  org_id: string
  headcount: Count
  fte: string | null
  joiners: Count
  leavers: Count
}
interface Payroll {
  org_id: string
  payslips: Count
  gross_pence: Count
  items: Count
  standard_items: Count
}
interface Invoices {
  org_id: string
  received: Count
  with_order: Count
  straight_through: Count
  paid: Count
  within5: Count
  within30: Count
}
interface Ledger {
  org_id: string
  lines: Count
  standard_lines: Count
  back_office_pence: Count
}
interface Standard {
  org_id: string
  filled: Count
  applicable: Count
}
interface Jml {
  org_id: string
  changes: Count
  standard: Count
}

const byOrg = <T extends { org_id: string }>(rows: T[]) => new Map(rows.map((row) => [row.org_id, row]))

/**
 * The returns of the given organisations (default: every organisation on the platform, status
 * live or migrating) for a quarter 'YYYY-Qn'. Reads whatever rows the transaction can see: the
 * generator (generate.ts) runs it in a platform-wide transaction; under a narrower tenant RLS
 * simply hides the other organisations' rows and their figures come out null.
 */
export async function computeReturns(
  trx: Tx,
  quarterCode: string,
  orgIds?: string[],
  /** Filled with the milliseconds each family of figures took (the bench reports them). */
  timings?: Record<string, number>,
): Promise<ComputedReturn[]> {
  let mark = performance.now()
  const lap = (name: string) => {
    const now = performance.now()
    if (timings) timings[name] = now - mark
    mark = now
  }
  const q = quarterInfo(quarterCode)
  if (orgIds && orgIds.length === 0) return []
  const orgs = await trx
    .selectFrom('organisations')
    .select(['id', 'code', 'onboarding_status'])
    .$if(orgIds === undefined, (query) => query.where('onboarding_status', 'in', [...ON_PLATFORM_STATUSES]))
    .$if(orgIds !== undefined, (query) => query.where('id', 'in', orgIds!))
    .orderBy('code')
    .execute()
  lap('organisations')
  if (orgs.length === 0) return []
  const ids = orgs.map((org) => org.id)
  const start = q.startsOn
  const end = q.endsOn
  const firstPeriod = (q.quarter - 1) * 3 + 1
  const [days5, days30] = PROMPT_PAYMENT_DAYS

  // 1. Workforce: headcount and FTE as at the last day (src/hr/people.ts's convention), joiners
  //    and leavers in the quarter. Organisations with no employment at all are absent (null).
  //    Kept apart from the HR data standard's statement (6): merged, the count(distinct) sorts
  //    the wide rows of people and diversity too, which measured slower (docs/PERFORMANCE.md).
  const workforce = await sql<Workforce>`
    with in_force as (
      select e.org_id, count(distinct e.person_id) as headcount, round(sum(t.fte), 2)::text as fte
      from employments e
      join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id
        and t.valid_from <= ${end}::date and (t.valid_to is null or t.valid_to > ${end}::date)
      where e.org_id = any (${ids}::uuid[])
        and e.start_date <= ${end}::date and (e.end_date is null or e.end_date >= ${end}::date)
      group by e.org_id),
    flows as (
      select org_id,
        count(*) filter (where start_date between ${start}::date and ${end}::date) as joiners,
        count(*) filter (where end_date between ${start}::date and ${end}::date) as leavers
      from employments where org_id = any (${ids}::uuid[]) group by org_id)
    select f.org_id, coalesce(i.headcount, 0) as headcount, coalesce(i.fte, '0') as fte, f.joiners, f.leavers
    from flows f left join in_force i on i.org_id = f.org_id`.execute(trx)
  lap('workforce')
  // 2. Payroll: payslips and gross pay of the runs paid in the quarter (pay date in it, status
  //    paid or locked), and the pay elements in force in it. Absent: no pay run ever (null).
  const payroll = await sql<Payroll>`
    with runs as (
      select org_id,
        sum(employee_count) filter (where status in ('paid', 'locked')
          and pay_date between ${start}::date and ${end}::date) as payslips,
        sum(gross_pence) filter (where status in ('paid', 'locked')
          and pay_date between ${start}::date and ${end}::date) as gross_pence
      from pay_runs where org_id = any (${ids}::uuid[]) group by org_id),
    items as (
      select org_id, count(*) as items,
        count(*) filter (where kind = any (${[...STANDARD_PAY_ELEMENT_KINDS]}::text[])) as standard_items
      from pay_items
      where org_id = any (${ids}::uuid[]) and paid_from <= ${end}::date
        and (paid_to is null or paid_to >= ${start}::date)
      group by org_id)
    select r.org_id, coalesce(r.payslips, 0) as payslips, coalesce(r.gross_pence, 0) as gross_pence,
      coalesce(i.items, 0) as items, coalesce(i.standard_items, 0) as standard_items
    from runs r left join items i on i.org_id = r.org_id`.execute(trx)

  lap('payroll')
  // 3. Supplier invoices (not credit notes): received in the quarter; of those, with a purchase
  //    order and straight through; and prompt payment of those paid in the quarter, from receipt.
  //    Absent: no supplier invoice ever (null).
  const invoices = await sql<Invoices>`
    with excepted as (
      select distinct org_id, invoice_id from procurement_match_exceptions where org_id = any (${ids}::uuid[])),
    rows as (
      select i.org_id,
        i.kind = 'invoice' and i.receipt_date between ${start}::date and ${end}::date as received,
        p.order_id is not null as with_order,
        p.match_status = 'matched' and p.released_by is null and x.invoice_id is null
          and i.status in ('approved', 'scheduled', 'paid') and i.escalated_by is null
          and i.duplicate_of_id is null and not i.needs_treasury_consent as straight,
        case when i.kind = 'invoice' and i.status = 'paid' and r.pay_date between ${start}::date and ${end}::date
          then r.pay_date - i.receipt_date end as days_to_pay
      from supplier_invoices i
      left join procurement_invoices p on p.org_id = i.org_id and p.invoice_id = i.id
      left join excepted x on x.org_id = p.org_id and x.invoice_id = p.invoice_id
      left join payment_runs r on r.org_id = i.org_id and r.id = i.payment_run_id
      where i.org_id = any (${ids}::uuid[]))
    select org_id,
      count(*) filter (where received) as received,
      count(*) filter (where received and with_order) as with_order,
      count(*) filter (where received and straight) as straight_through,
      count(days_to_pay) as paid,
      count(*) filter (where days_to_pay <= ${days5}) as within5,
      count(*) filter (where days_to_pay <= ${days30}) as within30
    from rows group by org_id`.execute(trx)
  lap('invoices')
  // 4. Ledger: lines posted in the quarter's three periods, those on accounts mapped to the common
  //    chart, and net expenditure on back-office cost centres. Absent: nothing posted (null).
  const ledger = await sql<Ledger>`
    select b.org_id, sum(b.line_count) as lines,
      coalesce(sum(b.line_count) filter (where s.code is not null), 0) as standard_lines,
      coalesce(sum(b.debit_pence - b.credit_pence) filter (where s.kind = 'expenditure'
        and b.cost_centre_code = any (${[...BACK_OFFICE_COST_CENTRES]}::text[])), 0) as back_office_pence
    from ledger_balances b
    join accounts a on a.org_id = b.org_id and a.code = b.account_code
    left join standard_accounts s on s.code = a.standard_code
    where b.org_id = any (${ids}::uuid[]) and b.fiscal_year = ${q.fiscalYear}
      and b.period between ${firstPeriod} and ${firstPeriod + 2}
    group by b.org_id
    having sum(b.line_count) > 0`.execute(trx)

  lap('ledger')
  // 5. Joiners, movers and leavers through the standard process: each change of the quarter
  //    (an employment starting, one ending, a later terms version starting) and whether an
  //    applied HR request made it. Absent: no change in the quarter (null).
  const jml = await sql<Jml>`
    with joined as (
      select distinct case when kind = 'joiner' then org_id else target_org_id end as org_id,
        case when kind = 'joiner' then employment_id else result_employment_id end as employment_id
      from hr_requests where status = 'applied' and kind in ('joiner', 'loan', 'transfer')),
    left_by as (
      select distinct org_id, employment_id from hr_requests
      where status = 'applied' and kind in ('leaver', 'transfer')),
    moved as (
      select distinct org_id, employment_id, effective_date from hr_requests
      where status = 'applied' and kind = 'mover'),
    changes as (
      select e.org_id, j.employment_id is not null as standard
      from employments e left join joined j on j.org_id = e.org_id and j.employment_id = e.id
      where e.org_id = any (${ids}::uuid[]) and e.start_date between ${start}::date and ${end}::date
      union all
      select e.org_id, l.employment_id is not null
      from employments e left join left_by l on l.org_id = e.org_id and l.employment_id = e.id
      where e.org_id = any (${ids}::uuid[]) and e.end_date between ${start}::date and ${end}::date
      union all
      select t.org_id, m.employment_id is not null
      from employment_terms t
      join employments e on e.org_id = t.org_id and e.id = t.employment_id and t.valid_from > e.start_date
      left join moved m on m.org_id = t.org_id and m.employment_id = t.employment_id
        and m.effective_date = t.valid_from
      where t.org_id = any (${ids}::uuid[]) and t.valid_from between ${start}::date and ${end}::date)
    select org_id, count(*) as changes, count(*) filter (where standard) as standard
    from changes group by org_id`.execute(trx)

  lap('jml')
  // 6. HR data standard completeness over the employments in force on the last day
  //    (indicators.ts HR_STANDARD_FIELDS). Absent: nobody employed on the day (null).
  const standard = await sql<Standard>`
    select e.org_id,
      count(p.town) + count(d.sex) + count(d.ethnicity) + count(d.disability)
        + count(*) filter (where e.contract_type in ('fixed-term', 'secondment', 'loan') and e.expected_end_date is not null)
        + count(*) filter (where e.contract_type in ('secondment', 'loan') and e.lent_by_org_id is not null) as filled,
      count(*) * 4
        + count(*) filter (where e.contract_type in ('fixed-term', 'secondment', 'loan'))
        + count(*) filter (where e.contract_type in ('secondment', 'loan')) as applicable
    from employments e
    join people p on p.id = e.person_id
    left join person_diversity d on d.org_id = e.org_id and d.person_id = e.person_id
    where e.org_id = any (${ids}::uuid[])
      and e.start_date <= ${end}::date and (e.end_date is null or e.end_date >= ${end}::date)
    group by e.org_id`.execute(trx)
  lap('hrStandard')

  const workforceOf = byOrg(workforce.rows)
  const payrollOf = byOrg(payroll.rows)
  const invoicesOf = byOrg(invoices.rows)
  const ledgerOf = byOrg(ledger.rows)
  const jmlOf = byOrg(jml.rows)
  const standardOf = byOrg(standard.rows)

  return orgs.map((org) => {
    const w = workforceOf.get(org.id)
    const p = payrollOf.get(org.id)
    const i = invoicesOf.get(org.id)
    const l = ledgerOf.get(org.id)
    const j = jmlOf.get(org.id)
    const s = standardOf.get(org.id)

    const payslips = p ? num(p.payslips) : null
    const invoicesProcessed = i ? num(i.received) : null
    const rawCost = l ? num(l.back_office_pence) : null
    // Net credits on back-office cost centres (a reversed accrual) are not a running cost.
    const backOfficeCostPence = rawCost !== null && rawCost >= 0 ? rawCost : null
    const transactions = payslips !== null && invoicesProcessed !== null ? payslips + invoicesProcessed : null
    const costPerTransactionPence =
      backOfficeCostPence !== null && transactions ? Math.round(backOfficeCostPence / transactions) : null
    const paid = i ? num(i.paid) : 0

    const figures: ReturnFigures = {
      schemaVersion: RETURN_SCHEMA_VERSION,
      organisation: org.code,
      quarter: q.code,
      migrationStatus: org.onboarding_status,
      workforce: {
        headcount: w ? num(w.headcount) : null,
        fte: w ? Number(w.fte ?? 0) : null,
        joiners: w ? num(w.joiners) : null,
        leavers: w ? num(w.leavers) : null,
      },
      payroll: { payslips, grossPayPence: p ? num(p.gross_pence) : null },
      finance: {
        invoicesProcessed,
        paidWithin5DaysPercent: i ? percentOf(num(i.within5), paid) : null,
        paidWithin30DaysPercent: i ? percentOf(num(i.within30), paid) : null,
        backOfficeCostPence,
        costPerTransactionPence,
      },
      convergence: {
        commonChartOfAccountsPercent: l ? percentOf(num(l.standard_lines), num(l.lines)) : null,
        invoicesWithPurchaseOrderPercent: i ? percentOf(num(i.with_order), num(i.received)) : null,
        jmlThroughStandardProcessPercent: j ? percentOf(num(j.standard), num(j.changes)) : null,
        hrDataStandardCompletenessPercent: s ? percentOf(num(s.filled), num(s.applicable)) : null,
        straightThroughInvoicesPercent: i ? percentOf(num(i.straight_through), num(i.received)) : null,
        // Paid with no pay element beyond basic salary: every element paid was standard.
        standardPayElementsPercent:
          p && num(p.payslips) > 0
            ? num(p.items) === 0
              ? 100
              : percentOf(num(p.standard_items), num(p.items))
            : null,
      },
    }
    const provenance: Record<string, ComputedProvenance> = {
      migrationStatus: 'computed',
      'workforce.headcount': 'computed',
      'workforce.fte': 'computed',
      'workforce.joiners': 'computed',
      'workforce.leavers': 'computed',
      'payroll.payslips': 'computed',
      'payroll.grossPayPence': 'computed',
      'finance.invoicesProcessed': 'computed',
      'finance.paidWithin5DaysPercent': 'computed',
      'finance.paidWithin30DaysPercent': 'computed',
      // Which cost centres are back office is a convention (indicators.ts), not a recorded fact.
      'finance.backOfficeCostPence': 'estimated',
      'finance.costPerTransactionPence': 'estimated',
      'convergence.commonChartOfAccountsPercent': 'computed',
      'convergence.invoicesWithPurchaseOrderPercent': 'computed',
      'convergence.jmlThroughStandardProcessPercent': 'computed',
      'convergence.hrDataStandardCompletenessPercent': 'computed',
      'convergence.straightThroughInvoicesPercent': 'computed',
      'convergence.standardPayElementsPercent': 'computed',
    }
    return { orgId: org.id, orgCode: org.code, figures, provenance }
  })
}
