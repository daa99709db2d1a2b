// Self-service access: who the signed-in user is in HR, and whether a leave request or claim is
// theirs or their team's. Row-level security lets an employee's transaction see their whole
// organisation, so these checks are what keep each person to their own data; anything else is
// answered "not found" (never "forbidden", which would confirm the id exists).
import type { Tx } from '../../platform/db/index.ts'
import { NotFoundError } from '../../platform/errors.ts'
import {
  type EmploymentSummary,
  employmentsOfPerson,
  isLineManager,
  personForUser,
  type SelfPerson,
} from './team.ts'

export interface SelfContext {
  userId: string
  person: SelfPerson
  employments: EmploymentSummary[]
  today: string
}

/** Thrown (as NotFoundError) when the sign-in account has no HR record linked to it. */
export const NOT_LINKED = 'Your sign-in is not linked to an HR record: ask your HR team to link it'

export async function selfContext(trx: Tx, userId: string, today: string): Promise<SelfContext> {
  const person = await personForUser(trx, userId)
  if (!person) throw new NotFoundError(NOT_LINKED)
  const employments = await employmentsOfPerson(trx, person.id, today)
  return { userId, person, employments, today }
}

/** The caller's employments in force today (or all, if none is). */
export function currentEmployments(context: SelfContext): EmploymentSummary[] {
  const current = context.employments.filter(
    (employment) =>
      employment.startDate <= context.today && (!employment.endDate || employment.endDate >= context.today),
  )
  return current.length ? current : context.employments
}

/** The caller's own employment named by id, or the only current one when none is named. */
export function ownEmployment(context: SelfContext, employmentId: string | undefined): EmploymentSummary {
  if (employmentId) {
    const found = context.employments.find((employment) => employment.employmentId === employmentId)
    if (!found) throw new NotFoundError('There is no such employment of yours')
    return found
  }
  const current = currentEmployments(context)
  if (current.length === 0) throw new NotFoundError('You have no employment to act on')
  if (current.length > 1) {
    // Several posts at once: the caller must say which (the API names employmentId).
    throw new NotFoundError('You hold more than one post: say which employment this is for (employmentId)')
  }
  return current[0]!
}

type Located = { orgId: string; employmentId: string; mine: boolean }

async function locate(
  trx: Tx,
  context: SelfContext,
  row: { org_id: string; employment_id: string } | undefined,
  what: string,
  allowManager: boolean,
): Promise<Located> {
  if (row) {
    const mine = context.employments.some(
      (employment) => employment.orgId === row.org_id && employment.employmentId === row.employment_id,
    )
    if (mine) return { orgId: row.org_id, employmentId: row.employment_id, mine }
    if (
      allowManager &&
      (await isLineManager(trx, row.org_id, row.employment_id, context.person.id, context.today))
    )
      return { orgId: row.org_id, employmentId: row.employment_id, mine: false }
  }
  throw new NotFoundError(`There is no such ${what}`)
}

/** A leave request of the caller's, or (allowManager) of someone they manage; else not found. */
export async function locateLeaveRequest(
  trx: Tx,
  context: SelfContext,
  requestId: string,
  allowManager: boolean,
) {
  const row = await trx
    .selectFrom('leave_requests')
    .select(['org_id', 'employment_id'])
    .where('id', '=', requestId)
    .executeTakeFirst()
  return locate(trx, context, row, 'leave request', allowManager)
}

/** An expense claim of the caller's, or (allowManager) of someone they manage; else not found. */
export async function locateClaim(trx: Tx, context: SelfContext, claimId: string, allowManager: boolean) {
  const row = await trx
    .selectFrom('expense_claims')
    .select(['org_id', 'employment_id'])
    .where('id', '=', claimId)
    .executeTakeFirst()
  return locate(trx, context, row, 'expense claim', allowManager)
}
