// The general ledger: the finance domain's public API for charts, periods, journals and balances.
// Journals are posted in batches (one statement for headers, one for lines), so the database's
// statement-level checks see every journal whole: balanced, in an open period, never changed.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Tx } from '../platform/db/index.ts'
import {
  assert,
  BusinessRuleError,
  type FieldError,
  NotFoundError,
  ValidationError,
} from '../platform/errors.ts'
import { multiplyRatio } from '../platform/money.ts'
import {
  fiscalPeriodOf,
  fiscalYearLabel,
  ledgerMinorUnits,
  periodDates,
  STANDARD_ACCOUNTS,
  SYSTEM_ACCOUNTS,
} from './chart.ts'
import type {
  AccountKind,
  BudgetClass,
  ControlTotal,
  JournalSource,
  PeriodStatus,
  SpendClass,
} from './tables.ts'

/** The most journals and lines one call may post: bounds memory and statement size. */
export const MAX_JOURNALS_PER_BATCH = 10_000
export const MAX_LINES_PER_BATCH = 100_000
export const MAX_LINES_PER_JOURNAL = 10_000

export interface JournalLineInput {
  accountCode: string
  costCentreCode?: string | undefined
  projectCode?: string | undefined
  controlTotal?: ControlTotal | undefined
  budgetClass?: BudgetClass | undefined
  spendClass?: SpendClass | undefined
  /** ISO 4217; default GBP. */
  currency?: string | undefined
  /** Signed, in the currency's minor units: debits positive, credits negative. */
  amountMinor: number
  description?: string | undefined
}

export interface JournalInput {
  /** ISO date; decides the period. */
  date: string
  description: string
  reference?: string | undefined
  source?: JournalSource | undefined
  /** Set only by reverseJournal: the journal this one reverses. */
  reversesJournalId?: string | undefined
  lines: JournalLineInput[]
}

export interface PostedJournal {
  id: string
  number: number
  fiscalYear: number
  period: number
  date: string
  lineCount: number
  /** Sum of the debit lines in pence (equal to the credits). */
  totalPence: number
}

export interface TrialBalanceRow {
  accountCode: string
  accountName: string
  standardCode: string
  kind: AccountKind
  debitPence: number
  creditPence: number
  /** Debit minus credit. */
  balancePence: number
}

export interface TrialBalance {
  fiscalYear: number
  period: number
  rows: TrialBalanceRow[]
  totalDebitPence: number
  totalCreditPence: number
}

const RATE_SCALE = 10n ** 10n

/** Parses a decimal rate ("1.1734") to an integer scaled by 10^10, exactly. */
function scaledRate(rate: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,10}))?$/.exec(rate)
  assert(match, `exchange rate ${rate} is not a plain decimal`)
  return BigInt(match[1]!) * RATE_SCALE + BigInt((match[2] ?? '').padEnd(10, '0'))
}

/** Converts an amount in a currency's minor units to pence at units-per-pound `rate`. */
export function toPence(amountMinor: number, currency: string, rate: string): number {
  if (currency === 'GBP') return amountMinor
  const minorUnits = ledgerMinorUnits(currency)
  assert(minorUnits !== undefined, `unknown currency ${currency}`)
  // pence = amount / 10^minor / rate * 100
  return multiplyRatio(amountMinor, 100n * RATE_SCALE, 10n ** BigInt(minorUnits) * scaledRate(rate))
}

export class LedgerService {
  /**
   * Gives an organisation the standard chart, a default cost centre and the periods of the given
   * financial years. Safe to run again: it adds only what is missing.
   */
  async setUpOrganisation(trx: Tx, orgId: string, fiscalYears: number[]): Promise<void> {
    await trx
      .insertInto('accounts')
      .values(
        STANDARD_ACCOUNTS.map((account) => ({
          org_id: orgId,
          code: account.code,
          name: account.name,
          standard_code: account.code,
        })),
      )
      .onConflict((conflict) => conflict.columns(['org_id', 'code']).doNothing())
      .execute()
    await trx
      .insertInto('cost_centres')
      .values({ org_id: orgId, code: 'CORP', name: 'Corporate' })
      .onConflict((conflict) => conflict.columns(['org_id', 'code']).doNothing())
      .execute()
    for (const fiscalYear of fiscalYears) {
      await trx
        .insertInto('financial_periods')
        .values(
          Array.from({ length: 12 }, (_, index) => {
            const { startsOn, endsOn } = periodDates(fiscalYear, index + 1)
            return {
              org_id: orgId,
              fiscal_year: fiscalYear,
              period: index + 1,
              starts_on: startsOn,
              ends_on: endsOn,
            }
          }),
        )
        .onConflict((conflict) => conflict.columns(['org_id', 'fiscal_year', 'period']).doNothing())
        .execute()
    }
  }

  /** Adds a local account: a child of a standard code, sharing its first six digits. */
  async addLocalAccount(trx: Tx, orgId: string, code: string, name: string): Promise<void> {
    const problems: FieldError[] = []
    if (!/^\d{8}$/.test(code)) problems.push({ field: '/code', message: 'Account code must be 8 digits' })
    else if (code.endsWith('00'))
      problems.push({
        field: '/code',
        message: 'Codes ending 00 are the standard chart; use 01 to 99 for a local account',
      })
    if (!name.trim()) problems.push({ field: '/name', message: 'Enter the account name' })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    const standardCode = `${code.slice(0, 6)}00`
    const standard = await trx
      .selectFrom('standard_accounts')
      .select('code')
      .where('code', '=', standardCode)
      .executeTakeFirst()
    if (!standard) {
      throw new ValidationError(`There is no standard account ${standardCode} for ${code} to belong to`, [
        {
          field: '/code',
          message: `There is no standard account ${standardCode}: a local account must be a child of one`,
        },
      ])
    }
    const exists = await trx
      .selectFrom('accounts')
      .select('code')
      .where('org_id', '=', orgId)
      .where('code', '=', code)
      .executeTakeFirst()
    if (exists)
      throw new BusinessRuleError(`Account ${code} already exists`, [
        { field: '/code', message: `Account ${code} already exists` },
      ])
    await trx
      .insertInto('accounts')
      .values({ org_id: orgId, code, name: name.trim(), standard_code: standardCode })
      .execute()
  }

  async listPeriods(trx: Tx, orgId: string, fiscalYear: number) {
    return trx
      .selectFrom('financial_periods')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('fiscal_year', '=', fiscalYear)
      .orderBy('period')
      .execute()
  }

  /**
   * Moves a period between open, closed and locked. Closed periods can be reopened; locked ones
   * cannot, and a period can only be locked once closed.
   */
  async setPeriodStatus(
    trx: Tx,
    orgId: string,
    fiscalYear: number,
    period: number,
    status: PeriodStatus,
  ): Promise<void> {
    const current = await trx
      .selectFrom('financial_periods')
      .select('status')
      .where('org_id', '=', orgId)
      .where('fiscal_year', '=', fiscalYear)
      .where('period', '=', period)
      .forUpdate()
      .executeTakeFirst()
    const label = `period ${period} of ${fiscalYearLabel(fiscalYear)}`
    if (!current) throw new NotFoundError(`There is no ${label}`)
    if (current.status === status) return
    if (current.status === 'locked')
      throw new BusinessRuleError(`${capitalise(label)} is locked and cannot be reopened or changed`)
    if (status === 'locked' && current.status !== 'closed')
      throw new BusinessRuleError(`Close ${label} before locking it`)
    await trx
      .updateTable('financial_periods')
      .set({ status, status_changed_at: new Date() })
      .where('org_id', '=', orgId)
      .where('fiscal_year', '=', fiscalYear)
      .where('period', '=', period)
      .execute()
  }

  /**
   * Validates and posts journals in one go. Every problem in every journal is reported (with a
   * JSON pointer to the journal, line and field) and nothing is posted unless all are clean.
   */
  async postJournals(
    trx: Tx,
    orgId: string,
    inputs: JournalInput[],
    postedBy: string | null,
  ): Promise<PostedJournal[]> {
    if (inputs.length === 0)
      throw new ValidationError('There are no journals to post', [
        { field: '/journals', message: 'must contain at least one journal' },
      ])
    if (inputs.length > MAX_JOURNALS_PER_BATCH) {
      throw new ValidationError(`At most ${MAX_JOURNALS_PER_BATCH} journals can be posted at once`, [
        { field: '/journals', message: `must contain at most ${MAX_JOURNALS_PER_BATCH} journals` },
      ])
    }
    const lineTotal = inputs.reduce((sum, journal) => sum + journal.lines.length, 0)
    if (lineTotal > MAX_LINES_PER_BATCH) {
      throw new ValidationError(`At most ${MAX_LINES_PER_BATCH} lines can be posted at once`, [
        { field: '/journals', message: `must contain at most ${MAX_LINES_PER_BATCH} lines in all` },
      ])
    }
    const [accounts, costCentres, projects, periods] = await Promise.all([
      trx.selectFrom('accounts').select(['code', 'active']).where('org_id', '=', orgId).execute(),
      trx.selectFrom('cost_centres').select(['code', 'active']).where('org_id', '=', orgId).execute(),
      trx.selectFrom('projects').select(['code', 'active']).where('org_id', '=', orgId).execute(),
      trx
        .selectFrom('financial_periods')
        .select(['fiscal_year', 'period', 'status'])
        .where('org_id', '=', orgId)
        .execute(),
    ])
    const accountActive = new Map(accounts.map((row) => [row.code, row.active]))
    const costCentreActive = new Map(costCentres.map((row) => [row.code, row.active]))
    const projectActive = new Map(projects.map((row) => [row.code, row.active]))
    const periodStatus = new Map(periods.map((row) => [`${row.fiscal_year}/${row.period}`, row.status]))
    const rates = await this.#ratesFor(trx, inputs)

    const problems: FieldError[] = []
    const prepared: Array<{
      input: JournalInput
      fiscalYear: number
      period: number
      pence: number[]
      rates: string[]
      rounding: number
    }> = []
    inputs.forEach((journal, j) => {
      const at = (field: string) => `/journals/${j}${field}`
      const before = problems.length
      const validDate =
        /^\d{4}-\d{2}-\d{2}$/.test(journal.date) &&
        !Number.isNaN(Date.parse(`${journal.date}T00:00:00Z`)) &&
        new Date(`${journal.date}T00:00:00Z`).toISOString().slice(0, 10) === journal.date
      if (!validDate) problems.push({ field: at('/date'), message: 'Enter a real date, like 2026-04-30' })
      if (!journal.description?.trim())
        problems.push({ field: at('/description'), message: 'Enter a description' })
      if (journal.lines.length < 2)
        problems.push({ field: at('/lines'), message: 'A journal needs at least two lines' })
      if (journal.lines.length > MAX_LINES_PER_JOURNAL)
        problems.push({
          field: at('/lines'),
          message: `A journal can have at most ${MAX_LINES_PER_JOURNAL} lines`,
        })
      const { fiscalYear, period } = validDate ? fiscalPeriodOf(journal.date) : { fiscalYear: 0, period: 0 }
      if (validDate) {
        const status = periodStatus.get(`${fiscalYear}/${period}`)
        if (!status)
          problems.push({
            field: at('/date'),
            message: `Period ${period} of ${fiscalYearLabel(fiscalYear)} is not set up for this organisation`,
          })
        else if (status !== 'open')
          problems.push({
            field: at('/date'),
            message: `Period ${period} of ${fiscalYearLabel(fiscalYear)} is ${status}: nothing can be posted into it`,
          })
      }
      const pence: number[] = []
      const lineRates: string[] = []
      journal.lines.forEach((line, l) => {
        const field = (name: string) => at(`/lines/${l}/${name}`)
        const active = accountActive.get(line.accountCode)
        if (active === undefined)
          problems.push({ field: field('accountCode'), message: `There is no account ${line.accountCode}` })
        else if (!active)
          problems.push({
            field: field('accountCode'),
            message: `Account ${line.accountCode} is closed to postings`,
          })
        if (line.costCentreCode !== undefined && !costCentreActive.get(line.costCentreCode)) {
          problems.push({
            field: field('costCentreCode'),
            message: `There is no open cost centre ${line.costCentreCode}`,
          })
        }
        if (line.projectCode !== undefined && !projectActive.get(line.projectCode)) {
          problems.push({
            field: field('projectCode'),
            message: `There is no open project ${line.projectCode}`,
          })
        }
        if (!Number.isSafeInteger(line.amountMinor) || line.amountMinor === 0) {
          problems.push({
            field: field('amountMinor'),
            message: 'Enter a whole, non-zero amount in minor units (debits positive, credits negative)',
          })
        }
        const currency = line.currency ?? 'GBP'
        if (ledgerMinorUnits(currency) === undefined) {
          problems.push({
            field: field('currency'),
            message: `${currency} is not a currency this ledger holds`,
          })
          return
        }
        const rate =
          currency === 'GBP' ? '1' : validDate ? rates.get(`${currency}/${journal.date}`) : undefined
        if (rate === undefined) {
          if (validDate)
            problems.push({
              field: field('currency'),
              message: `There is no ${currency} exchange rate on or before ${journal.date}`,
            })
          return
        }
        lineRates.push(rate)
        pence.push(Number.isSafeInteger(line.amountMinor) ? toPence(line.amountMinor, currency, rate) : 0)
      })
      if (problems.length > before) return
      // Each currency must balance on its own when the journal is in one currency; the sterling
      // equivalents must balance always, up to a penny of rounding per line, which goes to the
      // exchange differences account.
      const currencies = new Set(journal.lines.map((line) => line.currency ?? 'GBP'))
      const transactionTotal = journal.lines.reduce((sum, line) => sum + line.amountMinor, 0)
      if (currencies.size === 1 && transactionTotal !== 0) {
        problems.push({
          field: at('/lines'),
          message: `The journal does not balance: debits and credits differ by ${transactionTotal} ${[...currencies][0]} minor units`,
        })
        return
      }
      const sterlingTotal = pence.reduce((sum, value) => sum + value, 0)
      const allSterling = currencies.size === 1 && currencies.has('GBP')
      if (sterlingTotal !== 0 && (allSterling || Math.abs(sterlingTotal) > journal.lines.length)) {
        problems.push({
          field: at('/lines'),
          message: `The journal does not balance in sterling: it is out by ${sterlingTotal} pence`,
        })
        return
      }
      prepared.push({ input: journal, fiscalYear, period, pence, rates: lineRates, rounding: -sterlingTotal })
    })
    if (problems.length > 0) {
      throw new ValidationError(
        problems.length === 1
          ? problems[0]!.message
          : `${problems.length} problems stop these journals being posted`,
        problems,
      )
    }

    // Build both statements' columns; lines go in as arrays, so a batch of any size is one statement.
    const headers = {
      id: [] as string[],
      fiscalYear: [] as number[],
      period: [] as number[],
      date: [] as string[],
      description: [] as string[],
      source: [] as string[],
      reference: [] as Array<string | null>,
      reverses: [] as Array<string | null>,
    }
    const lines = {
      journalId: [] as string[],
      lineNo: [] as number[],
      account: [] as string[],
      costCentre: [] as Array<string | null>,
      project: [] as Array<string | null>,
      controlTotal: [] as string[],
      budgetClass: [] as string[],
      spendClass: [] as string[],
      currency: [] as string[],
      amountMinor: [] as number[],
      rate: [] as string[],
      amountPence: [] as number[],
      description: [] as Array<string | null>,
    }
    const posted: PostedJournal[] = []
    for (const journal of prepared) {
      const id = randomUUID()
      headers.id.push(id)
      headers.fiscalYear.push(journal.fiscalYear)
      headers.period.push(journal.period)
      headers.date.push(journal.input.date)
      headers.description.push(journal.input.description.trim())
      headers.source.push(journal.input.source ?? 'manual')
      headers.reference.push(journal.input.reference ?? null)
      headers.reverses.push(journal.input.reversesJournalId ?? null)
      const all = [...journal.input.lines]
      const pence = [...journal.pence]
      const rates = [...journal.rates]
      if (journal.rounding !== 0) {
        all.push({
          accountCode: SYSTEM_ACCOUNTS.exchangeDifferences,
          amountMinor: journal.rounding,
          description: 'Exchange rounding',
        })
        pence.push(journal.rounding)
        rates.push('1')
      }
      all.forEach((line, index) => {
        lines.journalId.push(id)
        lines.lineNo.push(index + 1)
        lines.account.push(line.accountCode)
        lines.costCentre.push(line.costCentreCode ?? null)
        lines.project.push(line.projectCode ?? null)
        lines.controlTotal.push(line.controlTotal ?? 'DEL')
        lines.budgetClass.push(line.budgetClass ?? 'resource')
        lines.spendClass.push(line.spendClass ?? 'programme')
        lines.currency.push(line.currency ?? 'GBP')
        lines.amountMinor.push(line.amountMinor)
        lines.rate.push(rates[index]!)
        lines.amountPence.push(pence[index]!)
        lines.description.push(line.description ?? null)
      })
      posted.push({
        id,
        number: 0,
        fiscalYear: journal.fiscalYear,
        period: journal.period,
        date: journal.input.date,
        lineCount: all.length,
        totalPence: pence.filter((value) => value > 0).reduce((sum, value) => sum + value, 0),
      })
    }
    const numbers = await sql<{ id: string; number: number }>`
      insert into journals (org_id, id, fiscal_year, period, journal_date, description, source, reference,
        reverses_journal_id, posted_by)
      select ${orgId}::uuid, h.id, h.fiscal_year, h.period, h.journal_date, h.description, h.source, h.reference,
        h.reverses, ${postedBy}::uuid
      from unnest(${headers.id}::uuid[], ${headers.fiscalYear}::smallint[], ${headers.period}::smallint[],
        ${headers.date}::date[], ${headers.description}::text[], ${headers.source}::text[], ${headers.reference}::text[],
        ${headers.reverses}::uuid[])
        as h(id, fiscal_year, period, journal_date, description, source, reference, reverses)
      returning id, number`.execute(trx)
    await sql`
      insert into journal_lines (org_id, journal_id, line_no, account_code, cost_centre_code, project_code, control_total,
        budget_class, spend_class, currency, amount_minor, units_per_gbp, amount_pence, description)
      select ${orgId}::uuid, l.*
      from unnest(${lines.journalId}::uuid[], ${lines.lineNo}::int[], ${lines.account}::text[], ${lines.costCentre}::text[],
        ${lines.project}::text[], ${lines.controlTotal}::text[], ${lines.budgetClass}::text[], ${lines.spendClass}::text[],
        ${lines.currency}::text[], ${lines.amountMinor}::bigint[], ${lines.rate}::numeric[], ${lines.amountPence}::bigint[],
        ${lines.description}::text[]) as l`.execute(trx)
    const numberById = new Map(numbers.rows.map((row) => [row.id, Number(row.number)]))
    for (const journal of posted) journal.number = numberById.get(journal.id)!
    return posted
  }

  /** Latest rate on or before each journal date, for every foreign currency the batch uses. */
  async #ratesFor(trx: Tx, inputs: JournalInput[]): Promise<Map<string, string>> {
    const wanted = new Map<string, { currency: string; date: string }>()
    for (const journal of inputs) {
      for (const line of journal.lines) {
        const currency = line.currency ?? 'GBP'
        if (currency !== 'GBP') wanted.set(`${currency}/${journal.date}`, { currency, date: journal.date })
      }
    }
    const rates = new Map<string, string>()
    if (wanted.size === 0) return rates
    const keys = [...wanted.values()].filter((key) => /^\d{4}-\d{2}-\d{2}$/.test(key.date))
    const { rows } = await sql<{ currency: string; on_date: string; units_per_gbp: string }>`
      select w.currency, w.on_date::text as on_date, r.units_per_gbp::text as units_per_gbp
      from unnest(${keys.map((k) => k.currency)}::text[], ${keys.map((k) => k.date)}::date[]) as w(currency, on_date)
      cross join lateral (
        select units_per_gbp from exchange_rates e
        where e.currency = w.currency and e.rate_date <= w.on_date
        order by e.rate_date desc limit 1
      ) r`.execute(trx)
    for (const row of rows) rates.set(`${row.currency}/${row.on_date}`, row.units_per_gbp)
    return rates
  }

  /** Posts the exact opposite of a journal, dated `date`; a journal can be reversed once. */
  async reverseJournal(
    trx: Tx,
    orgId: string,
    journalId: string,
    date: string,
    postedBy: string | null,
  ): Promise<PostedJournal> {
    const original = await trx
      .selectFrom('journals')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', journalId)
      .executeTakeFirst()
    if (!original) throw new NotFoundError(`There is no journal ${journalId}`)
    if (original.reverses_journal_id)
      throw new BusinessRuleError(
        `Journal ${original.number} is itself a reversal; post a new journal instead`,
      )
    const already = await trx
      .selectFrom('journals')
      .select('number')
      .where('org_id', '=', orgId)
      .where('reverses_journal_id', '=', journalId)
      .executeTakeFirst()
    if (already)
      throw new BusinessRuleError(
        `Journal ${original.number} was already reversed by journal ${already.number}`,
      )
    const lines = await trx
      .selectFrom('journal_lines')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('journal_id', '=', journalId)
      .orderBy('line_no')
      .execute()
    // Reverse the sterling amounts exactly (at the original rates), not re-converted at today's.
    const [posted] = await this.postJournals(
      trx,
      orgId,
      [
        {
          date,
          description: `Reversal of journal ${original.number}: ${original.description}`.slice(0, 500),
          reference: original.reference ?? undefined,
          source: 'reversal',
          reversesJournalId: journalId,
          lines: lines.map((line) => ({
            accountCode: line.account_code,
            costCentreCode: line.cost_centre_code ?? undefined,
            projectCode: line.project_code ?? undefined,
            controlTotal: line.control_total,
            budgetClass: line.budget_class,
            spendClass: line.spend_class,
            amountMinor: -line.amount_pence,
            description: line.description ?? undefined,
          })),
        },
      ],
      postedBy,
    )
    return posted!
  }

  /**
   * Year-end close: every income and expenditure balance of the year (per account and cost
   * centre) is carried into the general fund by one journal dated the last day of period 12,
   * then every period of the year is closed and locked. Needs periods 1 to 11 closed first, so
   * nothing can land behind the closing journal; period 12 must still be open to take it.
   */
  async closeYear(
    trx: Tx,
    orgId: string,
    fiscalYear: number,
    postedBy: string | null,
  ): Promise<PostedJournal | null> {
    const periods = await this.listPeriods(trx, orgId, fiscalYear)
    if (periods.length !== 12)
      throw new NotFoundError(`${fiscalYearLabel(fiscalYear)} is not set up for this organisation`)
    const stillOpen = periods.filter((p) => p.period < 12 && p.status === 'open').map((p) => p.period)
    if (stillOpen.length > 0) {
      throw new BusinessRuleError(
        `Close periods ${stillOpen.join(', ')} of ${fiscalYearLabel(fiscalYear)} before closing the year`,
      )
    }
    const last = periods[11]!
    if (last.status !== 'open') {
      throw new BusinessRuleError(
        `Period 12 of ${fiscalYearLabel(fiscalYear)} is ${last.status}: the year has already been closed`,
      )
    }
    const { rows } = await sql<{ account_code: string; cost_centre_code: string; balance: number }>`
      select b.account_code, b.cost_centre_code, sum(b.debit_pence - b.credit_pence)::bigint as balance
      from ledger_balances b
      join accounts a on a.org_id = b.org_id and a.code = b.account_code
      join standard_accounts s on s.code = a.standard_code
      where b.org_id = ${orgId} and b.fiscal_year = ${fiscalYear} and s.kind in ('income', 'expenditure')
      group by b.account_code, b.cost_centre_code
      having sum(b.debit_pence - b.credit_pence) <> 0
      order by b.account_code, b.cost_centre_code`.execute(trx)
    let posted: PostedJournal | null = null
    if (rows.length > 0) {
      const lines: JournalLineInput[] = rows.map((row) => ({
        accountCode: row.account_code,
        costCentreCode: row.cost_centre_code || undefined,
        amountMinor: -Number(row.balance),
        description: 'Year-end transfer to the general fund',
      }))
      const net = rows.reduce((sum, row) => sum + Number(row.balance), 0)
      // Net expenditure (a debit balance) reduces the general fund; a surplus adds to it.
      if (net !== 0)
        lines.push({
          accountCode: SYSTEM_ACCOUNTS.generalFund,
          amountMinor: net,
          description: 'Net result for the year',
        })
      const closing = await this.postJournals(
        trx,
        orgId,
        [
          {
            date: last.ends_on,
            description: `Year-end close of ${fiscalYearLabel(fiscalYear)}`,
            source: 'year-end',
            lines,
          },
        ],
        postedBy,
      )
      posted = closing[0] ?? null
    }
    for (const period of periods) {
      if (period.status === 'open')
        await this.setPeriodStatus(trx, orgId, fiscalYear, period.period, 'closed')
      if (period.status !== 'locked')
        await this.setPeriodStatus(trx, orgId, fiscalYear, period.period, 'locked')
    }
    return posted ?? null
  }

  /** Trial balance to the end of a period of a financial year (periods 1..period). */
  async trialBalance(trx: Tx, orgId: string, fiscalYear: number, period = 12): Promise<TrialBalance> {
    const { rows } = await sql<{
      account_code: string
      account_name: string
      standard_code: string
      kind: AccountKind
      debit_pence: number
      credit_pence: number
    }>`
      select b.account_code, a.name as account_name, a.standard_code, s.kind,
        sum(b.debit_pence)::bigint as debit_pence, sum(b.credit_pence)::bigint as credit_pence
      from ledger_balances b
      join accounts a on a.org_id = b.org_id and a.code = b.account_code
      join standard_accounts s on s.code = a.standard_code
      where b.org_id = ${orgId} and b.fiscal_year = ${fiscalYear} and b.period <= ${period}
      group by b.account_code, a.name, a.standard_code, s.kind
      order by b.account_code`.execute(trx)
    const result: TrialBalance = { fiscalYear, period, rows: [], totalDebitPence: 0, totalCreditPence: 0 }
    for (const row of rows) {
      const debit = Number(row.debit_pence)
      const credit = Number(row.credit_pence)
      result.rows.push({
        accountCode: row.account_code,
        accountName: row.account_name,
        standardCode: row.standard_code,
        kind: row.kind,
        debitPence: debit,
        creditPence: credit,
        balancePence: debit - credit,
      })
      result.totalDebitPence += debit
      result.totalCreditPence += credit
    }
    assert(result.totalDebitPence === result.totalCreditPence, `trial balance of ${orgId} does not balance`)
    return result
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
