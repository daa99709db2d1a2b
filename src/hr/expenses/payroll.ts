// What payroll (H4) calls to pay approved expenses through the payroll: the claims approved on the
// payroll route up to a pay period's end, and marking them paid by a pay run. The claim's ledger
// posting on approval credited the employee expenses payable account (settings.payableAccountCode,
// 21300010 by default); the pay run's journal should debit that account when it pays. Expenses at
// or under HMRC's approved mileage rates and reimbursed business expenses are not taxable pay.
import type { Tx } from '../../platform/db/index.ts'
import { BusinessRuleError, type FieldError } from '../../platform/errors.ts'
import { expenseSettings } from './policy.ts'
import { claimReference } from './service.ts'

export interface PayrollExpense {
  claimId: string
  reference: string
  employmentId: string
  totalPence: number
  /** The day the line manager approved it (decides which pay period picks it up). */
  approvedOn: string
  /** The account the approval credited: the pay run's journal debits it. */
  payableAccountCode: string
}

/** Claims approved for payment through payroll, approved on or before the pay period's end. */
export async function approvedExpensesForPayroll(
  trx: Tx,
  orgId: string,
  payPeriodEnd: string,
): Promise<PayrollExpense[]> {
  const settings = await expenseSettings(trx, orgId)
  const rows = await trx
    .selectFrom('expense_claims')
    .select(['id', 'number', 'employment_id', 'total_pence', 'decided_at'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'approved')
    .where('payment_route', '=', 'payroll')
    .where('decided_at', '<', new Date(Date.parse(`${payPeriodEnd}T00:00:00Z`) + 86_400_000))
    .orderBy('employment_id')
    .orderBy('number')
    .execute()
  return rows.map((row) => ({
    claimId: row.id,
    reference: claimReference(row.number),
    employmentId: row.employment_id,
    totalPence: row.total_pence,
    approvedOn: row.decided_at!.toISOString().slice(0, 10),
    payableAccountCode: settings.payableAccountCode,
  }))
}

/**
 * Marks claims paid by a pay run. All or nothing: any claim that is not approved for payroll
 * refuses the lot (a retry of the same pay run for claims it already paid is accepted).
 */
export async function markExpensesPaid(
  trx: Tx,
  orgId: string,
  claimIds: string[],
  payRunId: string,
  paidOn: string,
): Promise<number> {
  if (claimIds.length === 0) return 0
  const rows = await trx
    .selectFrom('expense_claims')
    .select(['id', 'number', 'status', 'payment_route', 'pay_run_id'])
    .where('org_id', '=', orgId)
    .where('id', 'in', claimIds)
    .forUpdate()
    .execute()
  const problems: FieldError[] = []
  claimIds.forEach((id, index) => {
    const row = rows.find((candidate) => candidate.id === id)
    if (!row) problems.push({ field: `/claimIds/${index}`, message: 'There is no such claim' })
    else if (row.status === 'paid' && row.pay_run_id === payRunId) return
    else if (row.status !== 'approved' || row.payment_route !== 'payroll')
      problems.push({
        field: `/claimIds/${index}`,
        message: `${claimReference(row.number)} is not approved for payment through payroll`,
      })
  })
  if (problems.length) throw new BusinessRuleError('Some claims cannot be marked paid', problems)
  const result = await trx
    .updateTable('expense_claims')
    .set({ status: 'paid', paid_on: paidOn, pay_run_id: payRunId })
    .where('org_id', '=', orgId)
    .where('id', 'in', claimIds)
    .where('status', '=', 'approved')
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
