// The payroll domain's public API: settings, pay elements, pay runs and what they produce.
import { randomUUID } from 'node:crypto'
import { checkUkBankAccount } from '../finance/banking/modulus.ts'
import type { LedgerService } from '../finance/ledger.ts'
import type { Tx } from '../platform/db/index.ts'
import { type FieldError, NotFoundError, ValidationError } from '../platform/errors.ts'
import { PayrollOutputs } from './outputs.ts'
import { PayRunService } from './runs.ts'
import { PAY_ITEM_KINDS, type PayItemKind } from './tables.ts'

export interface PayrollSettingsInput {
  employerPayeReference: string
  accountsOfficeReference: string
  bacsServiceUserNumber: string
  bacsServiceUserName: string
  sortCode: string
  accountNumber: string
  accountName: string
}

export interface PayItemInput {
  employeeNumber: string
  kind: PayItemKind
  description: string
  /** Per pay period, pence (0 for unpaid leave). */
  amountPence: number
  days?: number | undefined
  pensionable?: boolean | undefined
  paidFrom: string
  paidTo?: string | undefined
}

const isDate = (value: string | undefined) =>
  value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))

export class PayrollService {
  readonly runs: PayRunService
  readonly outputs: PayrollOutputs
  constructor(ledger: LedgerService) {
    this.runs = new PayRunService(ledger)
    this.outputs = new PayrollOutputs(this.runs)
  }

  async getSettings(trx: Tx, orgId: string) {
    return (
      (await trx.selectFrom('payroll_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst()) ??
      null
    )
  }

  /** Errors: ValidationError (every bad field). */
  async setSettings(trx: Tx, orgId: string, input: PayrollSettingsInput): Promise<void> {
    const problems: FieldError[] = []
    const reference = (input.employerPayeReference ?? '').trim().toUpperCase()
    if (!/^[0-9]{3}\/[A-Z0-9]{1,10}$/.test(reference))
      problems.push({
        field: '/employerPayeReference',
        message: 'Enter the employer PAYE reference, like 123/AB45678',
      })
    const accountsOffice = (input.accountsOfficeReference ?? '').trim().toUpperCase()
    if (!/^[0-9]{3}P[A-Z][0-9]{7}[0-9X]$/.test(accountsOffice))
      problems.push({
        field: '/accountsOfficeReference',
        message: 'Enter the Accounts Office reference, like 123PA00012345',
      })
    if (!/^\d{6}$/.test(input.bacsServiceUserNumber ?? ''))
      problems.push({
        field: '/bacsServiceUserNumber',
        message: 'The Bacs service user number must be 6 digits',
      })
    const userName = (input.bacsServiceUserName ?? '').trim()
    if (!userName || userName.length > 18)
      problems.push({
        field: '/bacsServiceUserName',
        message: 'The Bacs service user name must be 1 to 18 characters',
      })
    const accountName = (input.accountName ?? '').trim()
    if (!accountName || accountName.length > 18)
      problems.push({ field: '/accountName', message: 'The account name must be 1 to 18 characters' })
    const account = checkUkBankAccount(input.sortCode ?? '', input.accountNumber ?? '')
    if ('field' in account) problems.push({ field: `/${account.field}`, message: account.reason })
    else if (!account.ok)
      problems.push({
        field: '/accountNumber',
        message: `The account fails the modulus check: ${account.reason}`,
      })
    if (problems.length || 'field' in account)
      throw new ValidationError(
        problems.length === 1
          ? problems[0]!.message
          : `${problems.length} problems with the payroll settings`,
        problems,
      )
    const values = {
      employer_paye_reference: reference,
      accounts_office_reference: accountsOffice,
      bacs_service_user_number: input.bacsServiceUserNumber,
      bacs_service_user_name: userName,
      sort_code: account.sortCode,
      account_number: account.accountNumber,
      account_name: accountName,
    }
    await trx
      .insertInto('payroll_settings')
      .values({ org_id: orgId, ...values })
      .onConflict((conflict) => conflict.column('org_id').doUpdateSet(values))
      .execute()
  }

  /** Adds a pay element to an employment. Errors: ValidationError, NotFoundError (no such employee). */
  async addItem(trx: Tx, orgId: string, input: PayItemInput, userId: string | null): Promise<{ id: string }> {
    const problems: FieldError[] = []
    if (!PAY_ITEM_KINDS.includes(input.kind))
      problems.push({ field: '/kind', message: 'Choose the kind of pay element' })
    const description = (input.description ?? '').trim()
    if (!description || description.length > 100)
      problems.push({ field: '/description', message: 'Enter a description of up to 100 characters' })
    if (!Number.isSafeInteger(input.amountPence) || input.amountPence < 0)
      problems.push({ field: '/amount', message: 'Enter an amount in pounds and pence, like 125.50' })
    if (
      input.kind === 'unpaid-leave' &&
      !(Number.isInteger(input.days) && input.days! >= 1 && input.days! <= 366)
    )
      problems.push({ field: '/days', message: 'Enter the number of calendar days of unpaid leave' })
    if (!isDate(input.paidFrom))
      problems.push({ field: '/paidFrom', message: 'Enter a real date, like 2026-04-01' })
    if (input.paidTo && !isDate(input.paidTo))
      problems.push({ field: '/paidTo', message: 'Enter a real date, like 2026-04-30' })
    else if (input.paidTo && isDate(input.paidFrom) && input.paidTo < input.paidFrom)
      problems.push({ field: '/paidTo', message: 'The end date must be on or after the start date' })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    const employment = await trx
      .selectFrom('employments')
      .select('id')
      .where('org_id', '=', orgId)
      .where('employee_number', '=', input.employeeNumber.trim().toUpperCase())
      .executeTakeFirst()
    if (!employment)
      throw new ValidationError(`There is no employee ${input.employeeNumber}`, [
        { field: '/employeeNumber', message: `There is no employee with number ${input.employeeNumber}` },
      ])
    const id = randomUUID()
    await trx
      .insertInto('pay_items')
      .values({
        org_id: orgId,
        id,
        employment_id: employment.id,
        kind: input.kind,
        description,
        amount_pence: input.kind === 'unpaid-leave' ? 0 : input.amountPence,
        days: input.kind === 'unpaid-leave' ? input.days! : null,
        pensionable: input.pensionable ?? false,
        paid_from: input.paidFrom,
        paid_to: input.paidTo || null,
        created_by: userId,
      })
      .execute()
    return { id }
  }

  async listItems(trx: Tx, orgId: string) {
    const rows = await trx
      .selectFrom('pay_items as i')
      .innerJoin('employments as e', (join) =>
        join.onRef('e.org_id', '=', 'i.org_id').onRef('e.id', '=', 'i.employment_id'),
      )
      .select([
        'i.id',
        'e.employee_number',
        'i.kind',
        'i.description',
        'i.amount_pence',
        'i.days',
        'i.paid_from',
        'i.paid_to',
      ])
      .where('i.org_id', '=', orgId)
      .orderBy('i.paid_from', 'desc')
      .limit(500)
      .execute()
    return rows
  }

  /** Errors: NotFoundError. */
  async removeItem(trx: Tx, orgId: string, id: string): Promise<void> {
    const result = await trx
      .deleteFrom('pay_items')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError('There is no such pay element')
  }
}
