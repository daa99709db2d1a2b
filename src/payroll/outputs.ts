// What a pay run produces: exceptions and variance for the reviewer, payslips (data and PDF), the
// RTI Full Payment Submission, the Bacs file for net pay, and year-end (P60) and leaver (P45)
// figures. All read the stored payslips; nothing here changes a run.

import { sql } from 'kysely'
import PDFDocument from 'pdfkit'
import { BacsFileError, buildBacsStandard18 } from '../finance/payments/bacs.ts'
import type { Tx } from '../platform/db/index.ts'
import { BusinessRuleError, NotFoundError } from '../platform/errors.ts'
import { formatGbp } from '../platform/money.ts'
import { dayNumber, isoFromDayNumber, taxYearOf } from './pay.ts'
import type { PayRunService, PayRunSummary } from './runs.ts'

export interface PayslipView {
  runId: string
  employmentId: string
  employeeNumber: string
  name: string
  status: 'ok' | 'error'
  error: string | null
  costCentreCode: string
  taxCode: string | null
  niCategory: string | null
  grossPence: number
  taxablePence: number
  taxPence: number
  employeeNiPence: number
  employerNiPence: number
  employeePensionPence: number
  employerPensionPence: number
  studentLoanPence: number
  postgraduateLoanPence: number
  deductionsPence: number
  salarySacrificePence: number
  netPence: number
  taxableToDatePence: number
  taxToDatePence: number
  lines: Array<{ kind: string; description: string; amountPence: number }>
  payDate: string
  taxYear: string
  period: number
}

const SLIP_COLUMNS = sql`p.run_id, p.employment_id, p.employee_number, pe.forenames || ' ' || pe.surname as name,
  p.status, p.error, p.cost_centre_code, p.tax_code, p.ni_category, p.gross_pence, p.taxable_pence, p.tax_pence,
  p.employee_ni_pence, p.employer_ni_pence, p.employee_pension_pence, p.employer_pension_pence,
  p.student_loan_pence, p.postgraduate_loan_pence, p.deductions_pence, p.salary_sacrifice_pence, p.net_pence,
  p.taxable_to_date_pence, p.tax_to_date_pence, p.basic_pence, p.lines, r.pay_date, r.tax_year, r.period`

type SlipRow = Record<string, unknown>

function toView(row: SlipRow): PayslipView {
  const n = (key: string) => Number(row[key] ?? 0)
  let lines = (typeof row.lines === 'string' ? JSON.parse(row.lines) : row.lines) as
    | PayslipView['lines']
    | null
  // A payslip of a whole period's basic pay alone is stored without lines (runs.ts): put it back.
  if (row.status === 'ok' && (lines ?? []).length === 0 && n('basic_pence') > 0)
    lines = [{ kind: 'basic', description: 'Basic pay', amountPence: n('basic_pence') }]
  return {
    runId: row.run_id as string,
    employmentId: row.employment_id as string,
    employeeNumber: row.employee_number as string,
    name: row.name as string,
    status: row.status as 'ok' | 'error',
    error: row.error as string | null,
    costCentreCode: row.cost_centre_code as string,
    taxCode: row.tax_code as string | null,
    niCategory: row.ni_category as string | null,
    grossPence: n('gross_pence'),
    taxablePence: n('taxable_pence'),
    taxPence: n('tax_pence'),
    employeeNiPence: n('employee_ni_pence'),
    employerNiPence: n('employer_ni_pence'),
    employeePensionPence: n('employee_pension_pence'),
    employerPensionPence: n('employer_pension_pence'),
    studentLoanPence: n('student_loan_pence'),
    postgraduateLoanPence: n('postgraduate_loan_pence'),
    deductionsPence: n('deductions_pence'),
    salarySacrificePence: n('salary_sacrifice_pence'),
    netPence: n('net_pence'),
    taxableToDatePence: n('taxable_to_date_pence'),
    taxToDatePence: n('tax_to_date_pence'),
    lines: (lines ?? []) as PayslipView['lines'],
    payDate: row.pay_date as string,
    taxYear: row.tax_year as string,
    period: Number(row.period),
  }
}

export const PAGE_SIZE_MAX = 500

export class PayrollOutputs {
  readonly #runs: PayRunService
  constructor(runs: PayRunService) {
    this.#runs = runs
  }

  /** Every employee in error in a run: what the reviewer must see before approving. */
  async exceptions(trx: Tx, orgId: string, runId: string): Promise<PayslipView[]> {
    await this.#runs.get(trx, orgId, runId)
    const { rows } = await sql<SlipRow>`select ${SLIP_COLUMNS} from payslips p
      join pay_runs r on r.org_id = p.org_id and r.id = p.run_id
      join people pe on pe.id = p.person_id
      where p.org_id = ${orgId} and p.run_id = ${runId}::uuid and p.status = 'error'
      order by p.employee_number limit 10000`.execute(trx)
    return rows.map(toView)
  }

  /** A page of a run's payslips, by employee number. */
  async payslips(trx: Tx, orgId: string, runId: string, offset = 0, limit = 50): Promise<PayslipView[]> {
    await this.#runs.get(trx, orgId, runId)
    const { rows } = await sql<SlipRow>`select ${SLIP_COLUMNS} from payslips p
      join pay_runs r on r.org_id = p.org_id and r.id = p.run_id
      join people pe on pe.id = p.person_id
      where p.org_id = ${orgId} and p.run_id = ${runId}::uuid
      order by p.employee_number offset ${offset} limit ${Math.min(limit, PAGE_SIZE_MAX)}`.execute(trx)
    return rows.map(toView)
  }

  /**
   * The biggest movements in gross pay against the previous run of the same frequency, and the
   * totals of both. Joiners and leavers show with 0 on the side they are missing from.
   */
  async variance(trx: Tx, orgId: string, runId: string, limit = 20) {
    const run = await this.#runs.get(trx, orgId, runId)
    const previous = await trx
      .selectFrom('pay_runs')
      .select(['id', 'pay_date', 'period', 'tax_year', 'gross_pence', 'net_pence', 'employee_count'])
      .where('org_id', '=', orgId)
      .where('pay_frequency', '=', run.payFrequency)
      .where('pay_date', '<', run.payDate)
      .where('status', 'in', ['calculated', 'reviewed', 'approved', 'paid', 'locked'])
      .orderBy('pay_date', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (!previous) return { run, previous: null, movements: [] }
    const { rows } = await sql<{
      employee_number: string
      name: string
      previous_gross: number
      current_gross: number
      previous_net: number
      current_net: number
    }>`
      select coalesce(c.employee_number, p.employee_number) as employee_number,
        pe.forenames || ' ' || pe.surname as name,
        coalesce(p.gross_pence, 0) as previous_gross, coalesce(c.gross_pence, 0) as current_gross,
        coalesce(p.net_pence, 0) as previous_net, coalesce(c.net_pence, 0) as current_net
      from (select * from payslips where org_id = ${orgId} and run_id = ${runId}::uuid and status = 'ok') c
      full join (select * from payslips where org_id = ${orgId} and run_id = ${previous.id}::uuid and status = 'ok') p
        on p.employment_id = c.employment_id
      join people pe on pe.id = coalesce(c.person_id, p.person_id)
      where coalesce(p.gross_pence, 0) <> coalesce(c.gross_pence, 0)
      order by abs(coalesce(c.gross_pence, 0) - coalesce(p.gross_pence, 0)) desc, 1
      limit ${limit}`.execute(trx)
    return {
      run,
      previous: {
        id: previous.id,
        payDate: previous.pay_date,
        period: previous.period,
        taxYear: previous.tax_year,
        grossPence: Number(previous.gross_pence),
        netPence: Number(previous.net_pence),
        employeeCount: Number(previous.employee_count),
      },
      movements: rows.map((row) => ({
        employeeNumber: row.employee_number,
        name: row.name,
        previousGrossPence: Number(row.previous_gross),
        currentGrossPence: Number(row.current_gross),
        changePence: Number(row.current_gross) - Number(row.previous_gross),
        previousNetPence: Number(row.previous_net),
        currentNetPence: Number(row.current_net),
      })),
    }
  }

  /** The signed-in person's own payslips from approved runs (self-service). */
  async myPayslips(trx: Tx, userId: string): Promise<PayslipView[]> {
    const { rows } = await sql<SlipRow>`select ${SLIP_COLUMNS} from people pe
      join employments e on e.person_id = pe.id
      join payslips p on p.org_id = e.org_id and p.employment_id = e.id
      join pay_runs r on r.org_id = p.org_id and r.id = p.run_id
      where pe.user_id = ${userId}::uuid and p.status = 'ok' and r.status in ('approved', 'paid', 'locked')
      order by r.pay_date desc limit 200`.execute(trx)
    return rows.map(toView)
  }

  /** One payslip of the signed-in person. Errors: NotFoundError (not theirs, or not approved). */
  async myPayslip(trx: Tx, userId: string, runId: string): Promise<PayslipView> {
    if (!/^[0-9a-f-]{36}$/i.test(runId)) throw new NotFoundError('There is no such payslip')
    const { rows } = await sql<SlipRow>`select ${SLIP_COLUMNS} from people pe
      join employments e on e.person_id = pe.id
      join payslips p on p.org_id = e.org_id and p.employment_id = e.id
      join pay_runs r on r.org_id = p.org_id and r.id = p.run_id
      where pe.user_id = ${userId}::uuid and p.run_id = ${runId}::uuid and p.status = 'ok'
        and r.status in ('approved', 'paid', 'locked')
      limit 1`.execute(trx)
    if (!rows[0]) throw new NotFoundError('There is no such payslip')
    return toView(rows[0])
  }

  /** One employee's payslip in a run (payroll staff). Errors: NotFoundError. */
  async payslip(trx: Tx, orgId: string, runId: string, employeeNumber: string): Promise<PayslipView> {
    await this.#runs.get(trx, orgId, runId)
    const { rows } = await sql<SlipRow>`select ${SLIP_COLUMNS} from payslips p
      join pay_runs r on r.org_id = p.org_id and r.id = p.run_id
      join people pe on pe.id = p.person_id
      where p.org_id = ${orgId} and p.run_id = ${runId}::uuid and p.employee_number = ${employeeNumber}`.execute(
      trx,
    )
    if (!rows[0]) throw new NotFoundError(`There is no payslip for ${employeeNumber} in this run`)
    return toView(rows[0])
  }

  /**
   * The Bacs Standard 18 file paying net pay (employees in error are not in it). Errors:
   * BusinessRuleError (run not approved, no payroll settings, or the file cannot be made).
   */
  async bacs(trx: Tx, orgId: string, runId: string): Promise<string> {
    const run = await this.#runs.get(trx, orgId, runId)
    if (!['approved', 'paid', 'locked'].includes(run.status))
      throw new BusinessRuleError('The Bacs file is made once the pay run is approved')
    const settings = await this.#settings(trx, orgId)
    const { rows } = await sql<{
      bank_sort_code: string
      bank_account_number: string
      bank_account_name: string | null
      surname: string
      net_pence: number
      employee_number: string
    }>`select d.bank_sort_code, d.bank_account_number, d.bank_account_name, pe.surname, p.net_pence, p.employee_number
      from payslips p join payroll_details d on d.org_id = p.org_id and d.employment_id = p.employment_id
      join people pe on pe.id = p.person_id
      where p.org_id = ${orgId} and p.run_id = ${runId}::uuid and p.status = 'ok' and p.net_pence > 0
      order by p.employee_number`.execute(trx)
    const processingDate = workingDaysBefore(run.payDate, 2)
    try {
      return buildBacsStandard18({
        serviceUserNumber: settings.bacs_service_user_number,
        serviceUserName: settings.bacs_service_user_name,
        originatingSortCode: settings.sort_code,
        originatingAccountNumber: settings.account_number,
        originatingAccountName: settings.account_name,
        submissionSerialNumber: `P${run.id.replace(/-/g, '').slice(0, 5).toUpperCase()}`,
        creationDate: processingDate,
        processingDate,
        contraNarrative: 'SALARIES',
        credits: rows.map((row) => ({
          destinationSortCode: row.bank_sort_code,
          destinationAccountNumber: row.bank_account_number,
          destinationAccountName: (row.bank_account_name ?? row.surname).toUpperCase().slice(0, 18),
          amountPence: Number(row.net_pence),
          reference: `SALARY ${row.employee_number}`.slice(0, 18),
        })),
      }).text
    } catch (error) {
      if (error instanceof BacsFileError) throw new BusinessRuleError(error.message)
      throw error
    }
  }

  async #settings(trx: Tx, orgId: string) {
    const settings = await trx
      .selectFrom('payroll_settings')
      .selectAll()
      .where('org_id', '=', orgId)
      .executeTakeFirst()
    if (!settings)
      throw new BusinessRuleError(
        'Set the payroll settings (PAYE reference, Bacs service user, bank account) before making payment files',
      )
    return settings
  }

  /**
   * The RTI Full Payment Submission for the run, in HMRC's FPS layout for the tax year (not
   * validated against HMRC's schema: see decision 0300). Errors: BusinessRuleError.
   */
  async fps(trx: Tx, orgId: string, runId: string): Promise<string> {
    const run = await this.#runs.get(trx, orgId, runId)
    if (!['approved', 'paid', 'locked'].includes(run.status))
      throw new BusinessRuleError('The Full Payment Submission is made once the pay run is approved')
    const settings = await this.#settings(trx, orgId)
    const { rows } = await sql<Record<string, unknown>>`
      select p.*, pe.forenames, pe.surname, pe.date_of_birth, pe.ni_number, pe.address_line1, pe.address_line2,
        pe.town, pe.postcode, g.hmrc_gender, e.start_date, e.end_date, d.student_loan_plans, d.postgraduate_loan,
        (select t.hours_per_week::text from employment_terms t where t.org_id = p.org_id and t.employment_id = p.employment_id
          and t.valid_from <= ${run.periodEnd}::date order by t.valid_from desc limit 1) as hours_per_week,
        y.gross_ni_ytd, y.at_lel_ytd, y.lel_to_pt_ytd, y.pt_to_uel_ytd, y.employee_ni_ytd, y.employer_ni_ytd,
        y.student_loan_ytd, y.postgraduate_loan_ytd, y.employee_pension_ytd
      from payslips p
      join people pe on pe.id = p.person_id
      left join payroll_person_details g on g.org_id = p.org_id and g.person_id = p.person_id
      join employments e on e.org_id = p.org_id and e.id = p.employment_id
      left join payroll_details d on d.org_id = p.org_id and d.employment_id = p.employment_id
      join lateral (
        select sum(q.niable_pence) as gross_ni_ytd, sum(q.at_lel_pence) as at_lel_ytd,
          sum(q.lel_to_pt_pence) as lel_to_pt_ytd, sum(q.pt_to_uel_pence) as pt_to_uel_ytd,
          sum(q.employee_ni_pence) as employee_ni_ytd, sum(q.employer_ni_pence) as employer_ni_ytd,
          sum(q.student_loan_pence) as student_loan_ytd, sum(q.postgraduate_loan_pence) as postgraduate_loan_ytd,
          sum(q.employee_pension_pence) as employee_pension_ytd
        from payslips q join pay_runs s on s.org_id = q.org_id and s.id = q.run_id
        where q.org_id = p.org_id and q.employment_id = p.employment_id and q.status = 'ok'
          and s.tax_year = ${run.taxYear} and s.pay_date <= ${run.payDate}::date
          and (s.id = ${runId}::uuid or s.status in ('approved', 'paid', 'locked'))) y on true
      where p.org_id = ${orgId} and p.run_id = ${runId}::uuid and p.status = 'ok'
      order by p.employee_number`.execute(trx)
    const noGender = rows.filter((row) => !row.hmrc_gender).map((row) => String(row.employee_number))
    if (noGender.length > 0)
      throw new BusinessRuleError(
        `The FPS must give each employee's gender as HMRC holds it; record it for ${noGender.length} employee${noGender.length === 1 ? '' : 's'}: ${noGender.slice(0, 10).join(', ')}${noGender.length > 10 ? ' and others' : ''}`,
      )
    return buildFps(run, settings, rows)
  }

  /** P60 figures: each employee's pay and deductions for a tax year, from approved runs. */
  async p60(trx: Tx, orgId: string, taxYear: string) {
    const { rows } = await sql<Record<string, unknown>>`
      select p.employment_id, max(p.employee_number) as employee_number, max(pe.forenames || ' ' || pe.surname) as name,
        max(pe.ni_number) as ni_number, sum(p.taxable_pence)::bigint as taxable_pence, sum(p.tax_pence)::bigint as tax_pence,
        sum(p.employee_ni_pence)::bigint as employee_ni_pence, sum(p.student_loan_pence)::bigint as student_loan_pence,
        sum(p.postgraduate_loan_pence)::bigint as postgraduate_loan_pence,
        (array_agg(p.tax_code order by r.pay_date desc))[1] as final_tax_code
      from payslips p join pay_runs r on r.org_id = p.org_id and r.id = p.run_id
      join people pe on pe.id = p.person_id
      where p.org_id = ${orgId} and r.tax_year = ${taxYear} and p.status = 'ok'
        and r.status in ('approved', 'paid', 'locked')
      group by p.employment_id order by 2 limit 100000`.execute(trx)
    return rows.map((row) => ({
      employmentId: row.employment_id as string,
      employeeNumber: row.employee_number as string,
      name: row.name as string,
      niNumber: row.ni_number as string | null,
      finalTaxCode: row.final_tax_code as string,
      taxablePayPence: Number(row.taxable_pence),
      taxPence: Number(row.tax_pence),
      employeeNiPence: Number(row.employee_ni_pence),
      studentLoanPence: Number(row.student_loan_pence),
      postgraduateLoanPence: Number(row.postgraduate_loan_pence),
    }))
  }

  /** One leaver's P45 figures (the tax year of their last working day). Errors: NotFoundError. */
  async p45ForLeaver(trx: Tx, orgId: string, employmentId: string) {
    const { rows } = await sql<{ last_working_day: unknown }>`select last_working_day from hr_leavers
      where org_id = ${orgId} and employment_id = ${employmentId}::uuid`.execute(trx)
    const leaver = rows[0]
    const [row] = leaver
      ? await this.p45(trx, orgId, taxYearOf(dateText(leaver.last_working_day)), employmentId)
      : []
    if (!row) throw new NotFoundError('There is no leaver record for that employment')
    return row
  }

  /**
   * P45 figures for HR's leavers (hr_leavers, written by the leaver journey) whose last working day
   * is in the tax year: the leaving date, and pay and tax to date in this employment from approved
   * runs of that year. `finalPayIncluded` says whether an approved run has paid up to the leaving
   * date (before then the figures are not yet final). One leaver when `employmentId` is given.
   */
  async p45(trx: Tx, orgId: string, taxYear: string, employmentId?: string) {
    const start = `${taxYear.slice(0, 4)}-04-06`
    const end = `${Number(taxYear.slice(0, 4)) + 1}-04-05`
    if (employmentId !== undefined && !/^[0-9a-f-]{36}$/i.test(employmentId)) return []
    const { rows } = await sql<Record<string, unknown>>`
      select l.employment_id, e.employee_number, pe.forenames || ' ' || pe.surname as name, pe.ni_number,
        l.last_working_day, l.leaving_reason, l.p45_required, l.pay_in_lieu_pence,
        l.final_pay_processed_at is not null as final_pay_processed,
        coalesce(y.taxable, 0)::bigint as taxable_pence, coalesce(y.tax, 0)::bigint as tax_pence,
        coalesce(y.student_loan, 0)::bigint as student_loan_pence, coalesce(y.postgraduate_loan, 0)::bigint as postgraduate_loan_pence,
        coalesce(y.tax_code, hc.tax_code) as tax_code, coalesce(y.week1_month1, hc.week1_month1, false) as week1_month1,
        coalesce(y.last_period_end >= l.last_working_day, false) as final_pay_included, y.last_pay_date,
        coalesce(cardinality(d.student_loan_plans) > 0, false) as student_loan, coalesce(d.postgraduate_loan, false) as postgraduate_loan
      from hr_leavers l
      join employments e on e.org_id = l.org_id and e.id = l.employment_id
      join people pe on pe.id = e.person_id
      left join payroll_details d on d.org_id = l.org_id and d.employment_id = l.employment_id
      left join tax_codes hc on hc.org_id = l.org_id and hc.employment_id = l.employment_id
        and hc.valid_from <= l.last_working_day and (hc.valid_to is null or hc.valid_to > l.last_working_day)
      left join lateral (
        select sum(p.taxable_pence) as taxable, sum(p.tax_pence) as tax, sum(p.student_loan_pence) as student_loan,
          sum(p.postgraduate_loan_pence) as postgraduate_loan,
          (array_agg(p.tax_code order by r.pay_date desc))[1] as tax_code,
          (array_agg(p.week1_month1 order by r.pay_date desc))[1] as week1_month1,
          max(r.period_end) as last_period_end, max(r.pay_date) as last_pay_date
        from payslips p join pay_runs r on r.org_id = p.org_id and r.id = p.run_id
        where p.org_id = l.org_id and p.employment_id = l.employment_id and p.status = 'ok'
          and r.tax_year = ${taxYear} and r.status in ('approved', 'paid', 'locked')) y on true
      where l.org_id = ${orgId} and l.last_working_day between ${start}::date and ${end}::date
        ${employmentId === undefined ? sql`` : sql`and l.employment_id = ${employmentId}::uuid`}
      order by e.employee_number limit 10000`.execute(trx)
    return rows.map((row) => ({
      employmentId: row.employment_id as string,
      employeeNumber: row.employee_number as string,
      name: row.name as string,
      niNumber: row.ni_number as string | null,
      leavingDate: dateText(row.last_working_day),
      leavingReason: row.leaving_reason as string,
      p45Required: Boolean(row.p45_required),
      taxCode: row.tax_code as string | null,
      week1Month1: Boolean(row.week1_month1),
      studentLoanDeductionsContinue: Boolean(row.student_loan),
      postgraduateLoanDeductionsContinue: Boolean(row.postgraduate_loan),
      taxablePayToDatePence: Number(row.taxable_pence),
      taxToDatePence: Number(row.tax_pence),
      studentLoanToDatePence: Number(row.student_loan_pence),
      postgraduateLoanToDatePence: Number(row.postgraduate_loan_pence),
      payInLieuOfLeavePence: Number(row.pay_in_lieu_pence),
      lastPayDate: row.last_pay_date ? dateText(row.last_pay_date) : null,
      finalPayIncluded: Boolean(row.final_pay_included),
      finalPayProcessed: Boolean(row.final_pay_processed),
    }))
  }
}

function dateText(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10)
}

/** The day `days` working days (Monday to Friday) before a date. */
export function workingDaysBefore(isoDate: string, days: number): string {
  let day = dayNumber(isoDate)
  let left = days
  while (left > 0) {
    day -= 1
    const weekday = new Date(day * 86_400_000).getUTCDay()
    if (weekday !== 0 && weekday !== 6) left -= 1
  }
  // A pay day at a weekend is processed as if paid the Friday before.
  while ([0, 6].includes(new Date(day * 86_400_000).getUTCDay())) day -= 1
  return isoFromDayNumber(day)
}

const xmlEscape = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  )
const money = (pence: unknown) => (Number(pence ?? 0) / 100).toFixed(2)
const PAY_FREQ: Record<string, string> = {
  weekly: 'W1',
  fortnightly: 'W2',
  'four-weekly': 'W4',
  monthly: 'M1',
}

function dateOnly(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10)
}

/** FPS normal hours worked band: A under 16, B 16 to 23.99, C 24 to 29.99, D 30 or more, E other. */
export function hoursBand(hoursPerWeek: unknown): string {
  if (hoursPerWeek === null || hoursPerWeek === undefined) return 'E'
  const hours = Number(hoursPerWeek)
  if (!Number.isFinite(hours)) return 'E'
  return hours < 16 ? 'A' : hours < 24 ? 'B' : hours < 30 ? 'C' : 'D'
}

/**
 * HMRC's FPS layout (the RTI FullPaymentSubmission message for the tax year). Element order and
 * mandatory elements are checked by fps.test.ts against fps-layout.xsd, a structural schema written
 * from HMRC's published FPS message layout (HMRC's own XSD is not in ../shared/testdata).
 */
export function buildFps(
  run: PayRunSummary,
  settings: { employer_paye_reference: string; accounts_office_reference: string },
  rows: Array<Record<string, unknown>>,
): string {
  const [officeNumber, payeReference] = settings.employer_paye_reference.split('/') as [string, string]
  const yy = `${run.taxYear.slice(2, 4)}-${run.taxYear.slice(5, 7)}`
  const namespace = `http://www.govtalk.gov.uk/taxation/PAYE/RTI/FullPaymentSubmission/${yy}/1`
  const out: string[] = []
  const tag = (name: string, value: string, attrs = '') => `<${name}${attrs}>${xmlEscape(value)}</${name}>`
  out.push('<?xml version="1.0" encoding="UTF-8"?>')
  out.push(`<IRenvelope xmlns="${namespace}">`)
  out.push('<IRheader><Keys>')
  out.push(
    tag('Key', officeNumber, ' Type="TaxOfficeNumber"') +
      tag('Key', payeReference, ' Type="TaxOfficeReference"'),
  )
  out.push(
    `</Keys>${tag('PeriodEnd', `${Number(run.taxYear.slice(0, 4)) + 1}-04-05`)}${tag('DefaultCurrency', 'GBP')}`,
  )
  out.push(`${tag('Sender', 'Employer')}</IRheader>`)
  out.push('<FullPaymentSubmission>')
  out.push(
    `<EmpRefs>${tag('OfficeNo', officeNumber)}${tag('PayeRef', payeReference)}${tag('AORef', settings.accounts_office_reference)}</EmpRefs>`,
  )
  out.push(tag('RelatedTaxYear', yy))
  for (const row of rows) {
    const taxCode = String(row.tax_code ?? '')
    const regime = /^S/.test(taxCode) ? ' TaxRegime="S"' : /^C/.test(taxCode) ? ' TaxRegime="C"' : ''
    const plainCode = regime ? taxCode.slice(1) : taxCode
    out.push('<Employee><EmployeeDetails>')
    if (row.ni_number) out.push(tag('NINO', String(row.ni_number)))
    // HMRC: forename and surname up to 35 characters each.
    out.push(
      `<Name>${tag('Fore', String(row.forenames).slice(0, 35))}${tag('Sur', String(row.surname).slice(0, 35))}</Name>`,
    )
    // An address has 2 to 4 lines of up to 35 characters, then the postcode.
    const addressLines = [row.address_line1, row.address_line2, row.town]
      .filter(Boolean)
      .map((line) => String(line).slice(0, 35))
    if (addressLines.length >= 2) {
      out.push('<Address>')
      for (const line of addressLines) out.push(tag('Line', line))
      if (row.postcode) out.push(tag('UKPostcode', String(row.postcode)))
      out.push('</Address>')
    }
    out.push(tag('BirthDate', dateOnly(row.date_of_birth)))
    out.push(`${tag('Gender', String(row.hmrc_gender ?? ''))}</EmployeeDetails>`)
    out.push('<Employment>')
    const start = dateOnly(row.start_date)
    if (start >= run.periodStart && start <= run.periodEnd)
      out.push(`<Starter>${tag('StartDate', start)}</Starter>`)
    out.push(tag('PayId', String(row.employee_number)))
    const end = row.end_date ? dateOnly(row.end_date) : null
    if (end && end <= run.periodEnd) out.push(tag('LeavingDate', end))
    out.push('<FiguresToDate>')
    out.push(
      tag('TaxablePay', money(row.taxable_to_date_pence)) + tag('TotalTax', money(row.tax_to_date_pence)),
    )
    if (Number(row.student_loan_ytd ?? 0) > 0)
      out.push(tag('StudentLoansTD', money(row.student_loan_ytd).split('.')[0]!))
    if (Number(row.postgraduate_loan_ytd ?? 0) > 0)
      out.push(tag('PostgradLoansTD', money(row.postgraduate_loan_ytd).split('.')[0]!))
    if (Number(row.employee_pension_ytd ?? 0) > 0)
      out.push(tag('EmpeePenContribnsPaidYTD', money(row.employee_pension_ytd)))
    out.push('</FiguresToDate>')
    out.push('<Payment>')
    out.push(tag('PayFreq', PAY_FREQ[run.payFrequency]!) + tag('PmtDate', run.payDate))
    out.push(tag(run.payFrequency === 'monthly' ? 'MonthNo' : 'WeekNo', String(run.period)))
    out.push(tag('PeriodsCovered', '1') + tag('HoursWorked', hoursBand(row.hours_per_week)))
    out.push(tag('TaxCode', plainCode, `${row.week1_month1 ? ' BasisNonCumulative="yes"' : ''}${regime}`))
    out.push(tag('TaxablePay', money(row.taxable_pence)))
    out.push(tag('PayAfterStatDedns', money(Number(row.net_pence) + Number(row.deductions_pence))))
    if (Number(row.employee_pension_pence) > 0)
      out.push(tag('EmpeePenContribnsPaid', money(row.employee_pension_pence)))
    if (Number(row.student_loan_pence) > 0) {
      const plans = (row.student_loan_plans as string[] | null) ?? []
      out.push(
        tag(
          'StudentLoanRecovered',
          money(row.student_loan_pence).split('.')[0]!,
          plans[0] ? ` PlanType="0${plans[0]}"` : '',
        ),
      )
    }
    if (Number(row.postgraduate_loan_pence) > 0)
      out.push(tag('PostgradLoanRecovered', money(row.postgraduate_loan_pence).split('.')[0]!))
    out.push(tag('TaxDeductedOrRefunded', money(row.tax_pence)))
    out.push('</Payment>')
    out.push('<NIlettersAndValues>')
    out.push(tag('NIletter', String(row.ni_category)))
    out.push(
      tag('GrossEarningsForNICsInPd', money(row.niable_pence)) +
        tag('GrossEarningsForNICsYTD', money(row.gross_ni_ytd)),
    )
    out.push(
      tag('AtLELYTD', money(row.at_lel_ytd).split('.')[0]!) +
        tag('LELtoPTYTD', money(row.lel_to_pt_ytd).split('.')[0]!),
    )
    out.push(tag('PTtoUELYTD', money(row.pt_to_uel_ytd).split('.')[0]!))
    out.push(tag('TotalEmpNICInPd', money(Number(row.employee_ni_pence) + Number(row.employer_ni_pence))))
    out.push(tag('TotalEmpNICYTD', money(Number(row.employee_ni_ytd) + Number(row.employer_ni_ytd))))
    out.push(
      tag('EmpeeContribnsInPd', money(row.employee_ni_pence)) +
        tag('EmpeeContribnsYTD', money(row.employee_ni_ytd)),
    )
    out.push('</NIlettersAndValues>')
    out.push('</Employment></Employee>')
  }
  out.push('</FullPaymentSubmission></IRenvelope>')
  return `${out.join('\n')}\n`
}

/** A payslip as a PDF; the same payslip renders the same bytes. */
export function payslipPdf(slip: PayslipView, employerName: string): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `Payslip ${slip.payDate} ${slip.employeeNumber}`,
      Author: employerName,
      Creator: 'GSS',
      CreationDate: new Date(`${slip.payDate}T00:00:00Z`),
    },
  })
  const chunks: Buffer[] = []
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)))
    pdf.on('error', reject)
  })
  pdf.font('Helvetica-Bold').fontSize(16).text(employerName)
  pdf.font('Helvetica').fontSize(11).text(`Payslip for ${slip.name} (${slip.employeeNumber})`)
  pdf.text(`Paid on ${slip.payDate}; tax year ${slip.taxYear}, period ${slip.period}`)
  pdf.text(`Tax code ${slip.taxCode ?? '-'}   NI category ${slip.niCategory ?? '-'}`)
  pdf.moveDown()
  const row = (label: string, pence: number) => pdf.text(`${label.padEnd(40, ' ')} ${formatGbp(pence)}`)
  pdf.font('Helvetica-Bold').text('Payments and deductions')
  pdf.font('Helvetica')
  for (const line of slip.lines) row(line.description, line.amountPence)
  row('Gross pay', slip.grossPence)
  row('Pension (employee)', -slip.employeePensionPence)
  row('Income tax', -slip.taxPence)
  row('National Insurance', -slip.employeeNiPence)
  if (slip.studentLoanPence) row('Student loan', -slip.studentLoanPence)
  if (slip.postgraduateLoanPence) row('Postgraduate loan', -slip.postgraduateLoanPence)
  pdf.moveDown()
  pdf.font('Helvetica-Bold')
  row('Net pay', slip.netPence)
  pdf.font('Helvetica')
  pdf.moveDown()
  row('Taxable pay this year', slip.taxableToDatePence)
  row('Tax paid this year', slip.taxToDatePence)
  row('Employer pension contribution', slip.employerPensionPence)
  pdf.end()
  return done
}
