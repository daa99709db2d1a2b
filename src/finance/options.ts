// Choices for the account select on finance forms (journals, supplier invoices): one place that
// reads the open accounts and words the options.
import type { Tx } from '../platform/db/index.ts'

export interface AccountChoice {
  code: string
  name: string
}

/** The organisation's open accounts, in code order; `fromCode` limits them (e.g. expenditure). */
export function openAccounts(trx: Tx, orgId: string, fromCode = '00000000'): Promise<AccountChoice[]> {
  return trx
    .selectFrom('accounts')
    .select(['code', 'name'])
    .where('org_id', '=', orgId)
    .where('active', '=', true)
    .where('code', '>=', fromCode)
    .orderBy('code')
    .execute()
}

/** GOV.UK select items: a prompt, then "code name" for each account, the chosen one selected. */
export function accountItems(accounts: readonly AccountChoice[], selected: string | undefined) {
  return [
    { value: '', text: 'Choose an account' },
    ...accounts.map((a) => ({ value: a.code, text: `${a.code} ${a.name}`, selected: a.code === selected })),
  ]
}
