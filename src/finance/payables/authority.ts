// Delegated authority: the one reading of an organisation's limits (payables_approval_limits, by
// spend type and level) and its approvers' levels (payables_approvers). Payables uses it to
// approve invoices and procurement to approve orders, so the two can never drift apart: changing
// a level or a limit changes both (decision 0400).
import type { Tx } from '../../platform/db/index.ts'
import { BusinessRuleError, ForbiddenError } from '../../platform/errors.ts'
import './tables.ts'

export type AuthorityDecision =
  /** Within the approver's own limit. */
  | { outcome: 'approve'; approverLevel: number; ownLimitPence: number }
  /** Above the approver's limit: the lowest level whose limit covers the amount must approve. */
  | {
      outcome: 'escalate'
      approverLevel: number
      ownLimitPence: number
      requiredLevel: number
      requiredTitle: string
    }
  /** Above every delegated limit for the spend type: only HM Treasury consent allows it. */
  | { outcome: 'beyond-every-limit'; approverLevel: number; ownLimitPence: number }

/**
 * What `approverId`'s delegated authority allows for `amountPence` of `spendType` spend in the
 * organisation. `approving` names what is approved in messages ("invoices", "orders"). A zero
 * amount (a credit note) is within any limit. Errors: ForbiddenError (the person holds no
 * delegated authority); BusinessRuleError (no limits are set for the spend type).
 */
export async function delegatedAuthority(
  trx: Tx,
  orgId: string,
  approverId: string,
  spendType: string,
  amountPence: number,
  approving: string,
): Promise<AuthorityDecision> {
  const approver = await trx
    .selectFrom('payables_approvers')
    .select('level')
    .where('org_id', '=', orgId)
    .where('user_id', '=', approverId)
    .executeTakeFirst()
  if (!approver)
    throw new ForbiddenError(`You hold no delegated authority to approve ${approving} for this organisation`)
  const limits = await trx
    .selectFrom('payables_approval_limits')
    .select(['level', 'title', 'limit_pence'])
    .where('org_id', '=', orgId)
    .where('spend_type', '=', spendType)
    .orderBy('level')
    .execute()
  if (limits.length === 0)
    throw new BusinessRuleError(
      `There are no delegated authority limits for ${spendType} spend: set them before approving ${approving}`,
    )
  const approverLevel = approver.level
  const own = limits.filter((limit) => limit.level <= approverLevel).at(-1)
  // bigint columns may arrive as strings from some drivers: compare numbers, always.
  const ownLimitPence = Number(own?.limit_pence ?? 0)
  if (amountPence <= ownLimitPence) return { outcome: 'approve', approverLevel, ownLimitPence }
  const required = limits.find((limit) => Number(limit.limit_pence) >= amountPence)
  if (!required) return { outcome: 'beyond-every-limit', approverLevel, ownLimitPence }
  // A lower level's limit can exceed a higher one's only by mistake; then the approver's own
  // level is high enough and the amount is approved.
  if (required.level <= approverLevel) return { outcome: 'approve', approverLevel, ownLimitPence }
  return {
    outcome: 'escalate',
    approverLevel,
    ownLimitPence,
    requiredLevel: required.level,
    requiredTitle: required.title,
  }
}
