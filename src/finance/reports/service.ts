// Financial reports read from the ledger (ledger_balances for totals, journal_lines for the
// transparency list) and from budget adjustments. Every query runs inside the caller's transaction,
// so row-level security limits it to the organisations the caller may see. Reporting is always on
// the standard chart: local accounts roll up to their standard (…00) code.
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { assert, ValidationError } from '../../platform/errors.ts'
import '../budgets/tables.ts'
import { periodDates } from '../chart.ts'
import type { AccountKind } from '../tables.ts'

/** Spend above this (in pence, strictly more) is published monthly. */
export const TRANSPARENCY_THRESHOLD_PENCE = 25_000_00
/** Journal sources that are never published line by line: pay is personal, reversals undo. */
export const TRANSPARENCY_EXCLUDED_SOURCES = ['payroll', 'reversal', 'year-end'] as const
/** Bounds the transparency list: far more than any month of one organisation publishes. */
export const TRANSPARENCY_MAX_ROWS = 50_000

export interface StandardLine {
  standardCode: string
  name: string
  kind: AccountKind
  /** In the line's natural sign: income and liabilities and reserves as credits, the rest as debits. */
  amountPence: number
}

export interface IncomeAndExpenditure {
  fiscalYear: number
  fromPeriod: number
  toPeriod: number
  income: StandardLine[]
  expenditure: StandardLine[]
  totalIncomePence: number
  totalExpenditurePence: number
  /** Income less expenditure: negative is a deficit. */
  surplusPence: number
}

export interface BalanceSheet {
  fiscalYear: number
  period: number
  periodEndDate: string
  assets: StandardLine[]
  liabilities: StandardLine[]
  /** Reserve accounts, then the results not yet transferred to them. */
  reserves: StandardLine[]
  totalAssetsPence: number
  totalLiabilitiesPence: number
  netAssetsPence: number
  totalReservesPence: number
}

export interface VarianceLine {
  accountCode: string
  accountName: string
  standardCode: string
  costCentreCode: string
  budgetToDatePence: number
  actualToDatePence: number
  /** Budget less actual: positive is an underspend (for income lines, more income than budgeted). */
  varianceToDatePence: number
  budgetFullYearPence: number
  forecastFullYearPence: number
  /** Budget less forecast for the whole year. */
  varianceFullYearPence: number
}

export interface BudgetVariance {
  fiscalYear: number
  toPeriod: number
  lines: VarianceLine[]
  totals: Omit<VarianceLine, 'accountCode' | 'accountName' | 'standardCode' | 'costCentreCode'>
}

export interface TransparencyRow {
  date: string
  expenseType: string
  expenseArea: string
  payee: string
  transactionNumber: string
  amountPence: number
  description: string
}

export interface ConsolidatedLine {
  standardCode: string
  name: string
  kind: AccountKind
  /** Summed over the organisations, before elimination. */
  debitPence: number
  creditPence: number
  /** Agreed recharges between the cluster's organisations taken out (decision 0114). */
  eliminationPence: number
  /** Debit less credit after elimination: the consolidated figure. */
  balancePence: number
  /** Organisations with a balance on this code. */
  organisationCount: number
}

/** A recharge between two organisations of the cluster that has not been agreed, so is not eliminated. */
export interface UnmatchedRecharge {
  id: string
  raisingOrgCode: string
  counterpartyOrgCode: string
  description: string
  amountPence: number
  raisedOn: string
  status: 'proposed' | 'disputed'
}

export interface ConsolidatedIncomeAndExpenditure extends IncomeAndExpenditure {
  clusterCode: string
  organisations: Array<{ code: string; name: string }>
}

export interface ConsolidatedTrialBalance {
  clusterCode: string
  fiscalYear: number
  fromPeriod: number
  toPeriod: number
  organisations: Array<{ code: string; name: string }>
  lines: ConsolidatedLine[]
  totalDebitPence: number
  totalCreditPence: number
  /** The agreed recharges between the organisations with a journal in the periods reported, and their total. */
  eliminatedRechargeCount: number
  eliminatedRechargePence: number
  /** Recharges between the cluster's organisations raised by the period end and not agreed. */
  unmatchedRecharges: UnmatchedRecharge[]
}

function checkPeriods(fiscalYear: number, fromPeriod: number, toPeriod: number): void {
  const problems = []
  if (!Number.isInteger(fiscalYear) || fiscalYear < 2000 || fiscalYear > 2200)
    problems.push({ field: '/fiscalYear', message: 'Enter a financial year like 2026 (for 2026-27)' })
  if (!Number.isInteger(fromPeriod) || fromPeriod < 1 || fromPeriod > 12)
    problems.push({ field: '/fromPeriod', message: 'Enter a period from 1 to 12' })
  if (!Number.isInteger(toPeriod) || toPeriod < 1 || toPeriod > 12)
    problems.push({ field: '/toPeriod', message: 'Enter a period from 1 to 12' })
  else if (toPeriod < fromPeriod)
    problems.push({ field: '/toPeriod', message: 'The last period must not be before the first' })
  if (problems.length) throw new ValidationError(problems[0]!.message, problems)
}

/** Credits count positive for income, liabilities and reserves; debits for assets and expenditure. */
const naturalSign = (kind: AccountKind) => (kind === 'asset' || kind === 'expenditure' ? 1 : -1)

export class ReportsService {
  /** Income and expenditure by standard account over a range of periods of one year. */
  async incomeAndExpenditure(
    trx: Tx,
    orgId: string,
    fiscalYear: number,
    fromPeriod = 1,
    toPeriod = 12,
  ): Promise<IncomeAndExpenditure> {
    checkPeriods(fiscalYear, fromPeriod, toPeriod)
    const { rows } = await sql<{ code: string; name: string; kind: AccountKind; net: string }>`
      select s.code, s.name, s.kind, sum(b.debit_pence - b.credit_pence)::text as net
      from ledger_balances b
      join accounts a on a.org_id = b.org_id and a.code = b.account_code
      join standard_accounts s on s.code = a.standard_code
      where b.org_id = ${orgId} and b.fiscal_year = ${fiscalYear} and b.period between ${fromPeriod} and ${toPeriod}
        and s.kind in ('income', 'expenditure')
      group by s.code, s.name, s.kind
      having sum(b.debit_pence - b.credit_pence) <> 0
      order by s.code`.execute(trx)
    const lines = rows.map((row) => ({
      standardCode: row.code,
      name: row.name,
      kind: row.kind,
      amountPence: naturalSign(row.kind) * Number(row.net),
    }))
    const income = lines.filter((line) => line.kind === 'income')
    const expenditure = lines.filter((line) => line.kind === 'expenditure')
    const totalIncomePence = income.reduce((sum, line) => sum + line.amountPence, 0)
    const totalExpenditurePence = expenditure.reduce((sum, line) => sum + line.amountPence, 0)
    return {
      fiscalYear,
      fromPeriod,
      toPeriod,
      income,
      expenditure,
      totalIncomePence,
      totalExpenditurePence,
      surplusPence: totalIncomePence - totalExpenditurePence,
    }
  }

  /**
   * Assets, liabilities and reserves at the end of a period: everything posted up to then, in any
   * year. Results of income and expenditure not yet transferred to reserves by a year-end journal
   * show as reserves lines of their own, so net assets always equal reserves.
   */
  async balanceSheet(trx: Tx, orgId: string, fiscalYear: number, period = 12): Promise<BalanceSheet> {
    checkPeriods(fiscalYear, 1, period)
    const { rows } = await sql<{
      code: string
      name: string
      kind: AccountKind
      this_year: boolean
      net: string
    }>`
      select s.code, s.name, s.kind, (b.fiscal_year = ${fiscalYear}) as this_year,
        sum(b.debit_pence - b.credit_pence)::text as net
      from ledger_balances b
      join accounts a on a.org_id = b.org_id and a.code = b.account_code
      join standard_accounts s on s.code = a.standard_code
      where b.org_id = ${orgId}
        and (b.fiscal_year < ${fiscalYear} or (b.fiscal_year = ${fiscalYear} and b.period <= ${period}))
      group by 1, 2, 3, 4
      order by s.code`.execute(trx)
    const byCode = new Map<string, StandardLine>()
    let resultThisYear = 0
    let resultEarlier = 0
    for (const row of rows) {
      const net = Number(row.net)
      if (row.kind === 'income' || row.kind === 'expenditure') {
        if (row.this_year) resultThisYear += net
        else resultEarlier += net
        continue
      }
      const line = byCode.get(row.code) ?? {
        standardCode: row.code,
        name: row.name,
        kind: row.kind,
        amountPence: 0,
      }
      line.amountPence += naturalSign(row.kind) * net
      byCode.set(row.code, line)
    }
    const lines = [...byCode.values()].filter((line) => line.amountPence !== 0)
    const assets = lines.filter((line) => line.kind === 'asset')
    const liabilities = lines.filter((line) => line.kind === 'liability')
    const reserves = lines.filter((line) => line.kind === 'reserve')
    // A debit balance on income and expenditure is a deficit: it reduces reserves.
    if (resultEarlier !== 0)
      reserves.push({
        standardCode: '',
        name: 'Results of earlier years not yet transferred to reserves',
        kind: 'reserve',
        amountPence: -resultEarlier,
      })
    if (resultThisYear !== 0)
      reserves.push({
        standardCode: '',
        name: 'Surplus or deficit for the year to date',
        kind: 'reserve',
        amountPence: -resultThisYear,
      })
    const total = (list: StandardLine[]) => list.reduce((sum, line) => sum + line.amountPence, 0)
    const totalAssetsPence = total(assets)
    const totalLiabilitiesPence = total(liabilities)
    const totalReservesPence = total(reserves)
    const netAssetsPence = totalAssetsPence - totalLiabilitiesPence
    assert(netAssetsPence === totalReservesPence, `balance sheet of ${orgId} does not balance`)
    return {
      fiscalYear,
      period,
      periodEndDate: periodDates(fiscalYear, period).endsOn,
      assets,
      liabilities,
      reserves,
      totalAssetsPence,
      totalLiabilitiesPence,
      netAssetsPence,
      totalReservesPence,
    }
  }

  /**
   * Budget against actual to the end of a period, and budget against forecast for the year, per
   * account and cost centre (every line with a budget, a forecast or an actual on an income or
   * expenditure account). Actuals without a cost centre show against "(none)".
   */
  async budgetVariance(trx: Tx, orgId: string, fiscalYear: number, toPeriod = 12): Promise<BudgetVariance> {
    checkPeriods(fiscalYear, 1, toPeriod)
    const { rows } = await sql<{
      account_code: string
      account_name: string
      standard_code: string
      cost_centre_code: string
      budget_to_date: string
      budget_full_year: string
      forecast_full_year: string
      actual_to_date: string
    }>`
      with plan as (
        select account_code, cost_centre_code,
          coalesce(sum(amount_pence) filter (where kind = 'budget' and period <= ${toPeriod}), 0) as budget_to_date,
          coalesce(sum(amount_pence) filter (where kind = 'budget'), 0) as budget_full_year,
          coalesce(sum(amount_pence) filter (where kind = 'forecast'), 0) as forecast_full_year
        from budget_adjustments
        where org_id = ${orgId} and fiscal_year = ${fiscalYear}
        group by account_code, cost_centre_code
      ), actual as (
        select b.account_code, b.cost_centre_code, sum(b.debit_pence - b.credit_pence) as actual_to_date
        from ledger_balances b
        join accounts a on a.org_id = b.org_id and a.code = b.account_code
        join standard_accounts s on s.code = a.standard_code
        where b.org_id = ${orgId} and b.fiscal_year = ${fiscalYear} and b.period <= ${toPeriod}
          and s.kind in ('income', 'expenditure')
        group by b.account_code, b.cost_centre_code
      )
      select coalesce(p.account_code, x.account_code) as account_code, a.name as account_name, a.standard_code,
        coalesce(p.cost_centre_code, x.cost_centre_code) as cost_centre_code,
        coalesce(p.budget_to_date, 0)::text as budget_to_date,
        coalesce(p.budget_full_year, 0)::text as budget_full_year,
        coalesce(p.forecast_full_year, 0)::text as forecast_full_year,
        coalesce(x.actual_to_date, 0)::text as actual_to_date
      from plan p
      full join actual x on x.account_code = p.account_code and x.cost_centre_code = p.cost_centre_code
      join accounts a on a.org_id = ${orgId} and a.code = coalesce(p.account_code, x.account_code)
      order by 1, 4`.execute(trx)
    const totals = {
      budgetToDatePence: 0,
      actualToDatePence: 0,
      varianceToDatePence: 0,
      budgetFullYearPence: 0,
      forecastFullYearPence: 0,
      varianceFullYearPence: 0,
    }
    const lines = rows.map((row) => {
      const line: VarianceLine = {
        accountCode: row.account_code,
        accountName: row.account_name,
        standardCode: row.standard_code,
        costCentreCode: row.cost_centre_code || '(none)',
        budgetToDatePence: Number(row.budget_to_date),
        actualToDatePence: Number(row.actual_to_date),
        varianceToDatePence: Number(row.budget_to_date) - Number(row.actual_to_date),
        budgetFullYearPence: Number(row.budget_full_year),
        forecastFullYearPence: Number(row.forecast_full_year),
        varianceFullYearPence: Number(row.budget_full_year) - Number(row.forecast_full_year),
      }
      for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += line[key]
      return line
    })
    return { fiscalYear, toPeriod, lines, totals }
  }

  /**
   * The month's spend over £25,000 in the published layout. A transaction is a journal's debits
   * to one expenditure or asset account and cost centre; payroll, reversals and year-end journals
   * are left out. Until payables records suppliers, the payee is the journal's reference, or its
   * description when it has none (decision 0113).
   */
  async transparency(trx: Tx, orgId: string, fiscalYear: number, period: number): Promise<TransparencyRow[]> {
    checkPeriods(fiscalYear, period, period)
    const { rows } = await sql<{
      journal_date: string
      expense_type: string
      expense_area: string
      payee: string
      number: string
      amount: string
      description: string
    }>`
      select j.journal_date::text as journal_date, s.name as expense_type,
        coalesce(c.name, 'Not allocated') as expense_area,
        coalesce(nullif(j.reference, ''), j.description) as payee, j.number::text as number,
        sum(l.amount_pence)::text as amount,
        coalesce(min(l.description), j.description) as description
      from journals j
      join journal_lines l on l.org_id = j.org_id and l.journal_id = j.id
      join accounts a on a.org_id = l.org_id and a.code = l.account_code
      join standard_accounts s on s.code = a.standard_code
      left join cost_centres c on c.org_id = l.org_id and c.code = l.cost_centre_code
      where j.org_id = ${orgId} and j.fiscal_year = ${fiscalYear} and j.period = ${period}
        and j.source <> all (${[...TRANSPARENCY_EXCLUDED_SOURCES]}::text[])
        and s.kind in ('expenditure', 'asset') and s.code not like '13%' and s.code not like '14%'
        and l.amount_pence > 0
      group by j.id, j.journal_date, j.number, j.reference, j.description, s.code, s.name, c.name
      having sum(l.amount_pence) > ${TRANSPARENCY_THRESHOLD_PENCE}
      order by j.journal_date, j.number, s.code
      limit ${TRANSPARENCY_MAX_ROWS}`.execute(trx)
    return rows.map((row) => ({
      date: row.journal_date,
      expenseType: row.expense_type,
      expenseArea: row.expense_area,
      payee: row.payee,
      transactionNumber: row.number,
      amountPence: Number(row.amount),
      description: row.description,
    }))
  }

  /**
   * Trial balance by standard code summed over a cluster's organisations, from periods fromPeriod
   * to toPeriod of a year. Only the organisations the caller's transaction may see are included
   * (row-level security); the caller checks the person may see the cluster at all.
   */
  async clusterTrialBalance(
    trx: Tx,
    clusterId: string,
    clusterCode: string,
    fiscalYear: number,
    fromPeriod = 1,
    toPeriod = 12,
  ): Promise<ConsolidatedTrialBalance> {
    checkPeriods(fiscalYear, fromPeriod, toPeriod)
    const organisations = await trx
      .selectFrom('organisations')
      .select(['id', 'code', 'name'])
      .where('cluster_id', '=', clusterId)
      .orderBy('name')
      .execute()
    const ids = organisations.map((org) => org.id)
    const { rows } =
      ids.length === 0
        ? { rows: [] }
        : await sql<{
            code: string
            name: string
            kind: AccountKind
            debit: string
            credit: string
            orgs: number
          }>`
      select s.code, s.name, s.kind, sum(b.debit_pence)::text as debit, sum(b.credit_pence)::text as credit,
        count(distinct b.org_id)::int as orgs
      from ledger_balances b
      join accounts a on a.org_id = b.org_id and a.code = b.account_code
      join standard_accounts s on s.code = a.standard_code
      where b.org_id = any (${ids}::uuid[]) and b.fiscal_year = ${fiscalYear}
        and b.period between ${fromPeriod} and ${toPeriod}
      group by s.code, s.name, s.kind
      order by s.code`.execute(trx)
    const eliminations = await this.#rechargeEliminations(trx, ids, fiscalYear, fromPeriod, toPeriod)
    const result: ConsolidatedTrialBalance = {
      clusterCode,
      fiscalYear,
      fromPeriod,
      toPeriod,
      organisations: organisations.map((org) => ({ code: org.code, name: org.name })),
      lines: [],
      totalDebitPence: 0,
      totalCreditPence: 0,
      eliminatedRechargeCount: eliminations.count,
      eliminatedRechargePence: eliminations.amountPence,
      unmatchedRecharges: await this.#unmatchedRecharges(trx, ids, periodDates(fiscalYear, toPeriod).endsOn),
    }
    for (const row of rows) {
      const debit = Number(row.debit)
      const credit = Number(row.credit)
      const elimination = eliminations.byCode.get(row.code) ?? 0
      result.lines.push({
        standardCode: row.code,
        name: row.name,
        kind: row.kind,
        debitPence: debit,
        creditPence: credit,
        eliminationPence: elimination,
        balancePence: debit - credit + elimination,
        organisationCount: row.orgs,
      })
      result.totalDebitPence += debit
      result.totalCreditPence += credit
    }
    assert(
      result.totalDebitPence === result.totalCreditPence,
      `cluster ${clusterCode} trial balance does not balance`,
    )
    assert(
      result.lines.reduce((sum, line) => sum + line.eliminationPence, 0) === 0 &&
        [...eliminations.byCode.keys()].every((code) => rows.some((row) => row.code === code)),
      `cluster ${clusterCode} eliminations do not balance`,
    )
    return result
  }

  /**
   * What consolidation takes out: every line of the journals both sides posted for an agreed
   * recharge between two of the organisations (and of any reversal of those journals), in the
   * periods reported, negated. Each journal balances, so the eliminations sum to zero; an agreed
   * recharge's receivable and income on one side and expense and payable on the other all go.
   * (Decision 0114.)
   */
  async #rechargeEliminations(
    trx: Tx,
    ids: string[],
    fiscalYear: number,
    fromPeriod: number,
    toPeriod: number,
  ): Promise<{ byCode: Map<string, number>; count: number; amountPence: number }> {
    const byCode = new Map<string, number>()
    if (ids.length < 2) return { byCode, count: 0, amountPence: 0 }
    const { rows } = await sql<{ code: string; net: string; recharges: number; amount: string }>`
      with agreed as (
        select r.org_id, r.raised_journal_id, r.counterparty_org_id, r.counterparty_journal_id, r.amount_pence
        from recharges r
        where r.status = 'agreed' and r.org_id = any (${ids}::uuid[])
          and r.counterparty_org_id = any (${ids}::uuid[])
      ), sides as (
        select org_id, raised_journal_id as journal_id from agreed
        union all
        select counterparty_org_id, counterparty_journal_id from agreed
      ), eliminated as (
        select j.org_id, j.id
        from sides
        join journals j on j.org_id = sides.org_id
          and (j.id = sides.journal_id or j.reverses_journal_id = sides.journal_id)
        where j.fiscal_year = ${fiscalYear} and j.period between ${fromPeriod} and ${toPeriod}
      )
      select s.code, sum(l.amount_pence)::text as net,
        (select count(*)::int from agreed) as recharges,
        (select coalesce(sum(amount_pence), 0)::text from agreed) as amount
      from eliminated e
      join journal_lines l on l.org_id = e.org_id and l.journal_id = e.id
      join accounts a on a.org_id = l.org_id and a.code = l.account_code
      join standard_accounts s on s.code = a.standard_code
      group by s.code`.execute(trx)
    for (const row of rows) if (Number(row.net) !== 0) byCode.set(row.code, -Number(row.net))
    // The recharges counted are those with a journal in the periods reported.
    const counted = await sql<{ n: number; amount: string }>`
      select count(*)::int as n, coalesce(sum(r.amount_pence), 0)::text as amount
      from recharges r
      where r.status = 'agreed' and r.org_id = any (${ids}::uuid[])
        and r.counterparty_org_id = any (${ids}::uuid[])
        and exists (
          select 1 from journals j
          where ((j.org_id = r.org_id and j.id = r.raised_journal_id)
              or (j.org_id = r.counterparty_org_id and j.id = r.counterparty_journal_id))
            and j.fiscal_year = ${fiscalYear} and j.period between ${fromPeriod} and ${toPeriod})`.execute(
      trx,
    )
    return {
      byCode,
      count: counted.rows[0]?.n ?? 0,
      amountPence: Number(counted.rows[0]?.amount ?? 0),
    }
  }

  /** Recharges between the organisations, raised by a date, that the counterparty has not agreed. */
  async #unmatchedRecharges(trx: Tx, ids: string[], endsOn: string): Promise<UnmatchedRecharge[]> {
    if (ids.length < 2) return []
    const { rows } = await sql<{
      id: string
      raiser: string
      counterparty: string
      description: string
      amount_pence: string
      raised_on: string
      status: 'proposed' | 'disputed'
    }>`
      select r.id, a.code as raiser, b.code as counterparty, r.description, r.amount_pence::text,
        r.raised_on::text as raised_on, r.status
      from recharges r
      join organisations a on a.id = r.org_id
      join organisations b on b.id = r.counterparty_org_id
      where r.status <> 'agreed' and r.org_id = any (${ids}::uuid[])
        and r.counterparty_org_id = any (${ids}::uuid[]) and r.raised_on <= ${endsOn}::date
      order by r.raised_on, a.code, r.id
      limit 1000`.execute(trx)
    return rows.map((row) => ({
      id: row.id,
      raisingOrgCode: row.raiser,
      counterpartyOrgCode: row.counterparty,
      description: row.description,
      amountPence: Number(row.amount_pence),
      raisedOn: row.raised_on,
      status: row.status,
    }))
  }

  /** Income and expenditure by standard code summed over a cluster's organisations (as clusterTrialBalance). */
  async clusterIncomeAndExpenditure(
    trx: Tx,
    clusterId: string,
    clusterCode: string,
    fiscalYear: number,
    fromPeriod = 1,
    toPeriod = 12,
  ): Promise<ConsolidatedIncomeAndExpenditure> {
    const tb = await this.clusterTrialBalance(trx, clusterId, clusterCode, fiscalYear, fromPeriod, toPeriod)
    const lines = tb.lines
      .filter((line) => (line.kind === 'income' || line.kind === 'expenditure') && line.balancePence !== 0)
      .map((line) => ({
        standardCode: line.standardCode,
        name: line.name,
        kind: line.kind,
        amountPence: naturalSign(line.kind) * line.balancePence,
      }))
    const income = lines.filter((line) => line.kind === 'income')
    const expenditure = lines.filter((line) => line.kind === 'expenditure')
    const totalIncomePence = income.reduce((sum, line) => sum + line.amountPence, 0)
    const totalExpenditurePence = expenditure.reduce((sum, line) => sum + line.amountPence, 0)
    return {
      clusterCode,
      organisations: tb.organisations,
      fiscalYear,
      fromPeriod,
      toPeriod,
      income,
      expenditure,
      totalIncomePence,
      totalExpenditurePence,
      surplusPence: totalIncomePence - totalExpenditurePence,
    }
  }
}
