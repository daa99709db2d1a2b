// The organisation's expenses policy: settings (receipts, time limit, accounts, payment route) and
// limits per category. Absent rows mean the defaults below and no limits.
import type { Tx } from '../../platform/db/index.ts'
import type { LimitCategory, PaymentRoute } from './tables.ts'

export interface ExpenseSettings {
  receiptRequiredOverPence: number
  claimWithinDays: number
  expenseAccountCode: string
  payableAccountCode: string
  defaultPaymentRoute: PaymentRoute
}

/**
 * Travel and subsistence expenditure (52400000) and a local child of Accruals (21300000) for what
 * is owed to employees, created on first approval if the organisation lacks it.
 */
export const DEFAULT_EXPENSE_SETTINGS: ExpenseSettings = {
  receiptRequiredOverPence: 0,
  claimWithinDays: 90,
  expenseAccountCode: '52400000',
  payableAccountCode: '21300010',
  defaultPaymentRoute: 'payroll',
}
export const EXPENSES_PAYABLE_ACCOUNT_NAME = 'Accruals: employee expenses payable'

export interface PolicyLimit {
  category: LimitCategory
  limitPence: number
  per: 'day' | 'night' | 'item'
}

export async function expenseSettings(trx: Tx, orgId: string): Promise<ExpenseSettings> {
  const row = await trx
    .selectFrom('expense_settings')
    .selectAll()
    .where('org_id', '=', orgId)
    .executeTakeFirst()
  if (!row) return DEFAULT_EXPENSE_SETTINGS
  return {
    receiptRequiredOverPence: row.receipt_required_over_pence,
    claimWithinDays: row.claim_within_days,
    expenseAccountCode: row.expense_account_code,
    payableAccountCode: row.payable_account_code,
    defaultPaymentRoute: row.default_payment_route,
  }
}

export async function setExpenseSettings(trx: Tx, orgId: string, settings: ExpenseSettings): Promise<void> {
  const values = {
    receipt_required_over_pence: settings.receiptRequiredOverPence,
    claim_within_days: settings.claimWithinDays,
    expense_account_code: settings.expenseAccountCode,
    payable_account_code: settings.payableAccountCode,
    default_payment_route: settings.defaultPaymentRoute,
  }
  await trx
    .insertInto('expense_settings')
    .values({ org_id: orgId, ...values })
    .onConflict((conflict) => conflict.column('org_id').doUpdateSet(values))
    .execute()
}

export async function policyLimits(trx: Tx, orgId: string): Promise<PolicyLimit[]> {
  const rows = await trx
    .selectFrom('expense_policy_limits')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('category')
    .execute()
  return rows.map((row) => ({ category: row.category, limitPence: row.limit_pence, per: row.per }))
}

/** The unit each category's limit applies to. */
export const LIMIT_UNITS: Record<LimitCategory, 'day' | 'night' | 'item'> = {
  subsistence: 'day',
  'hotel-london': 'night',
  'hotel-elsewhere': 'night',
  travel: 'item',
}

export async function setPolicyLimit(
  trx: Tx,
  orgId: string,
  category: LimitCategory,
  limitPence: number | null,
) {
  if (limitPence === null) {
    await trx
      .deleteFrom('expense_policy_limits')
      .where('org_id', '=', orgId)
      .where('category', '=', category)
      .execute()
    return
  }
  await trx
    .insertInto('expense_policy_limits')
    .values({ org_id: orgId, category, limit_pence: limitPence, per: LIMIT_UNITS[category] })
    .onConflict((conflict) =>
      conflict.columns(['org_id', 'category']).doUpdateSet({ limit_pence: limitPence }),
    )
    .execute()
}
