// Annual leave balance of one employment in the leave year containing a date. H1's leaver journey
// calls leaveBalanceAt for untaken leave: set the employment's end_date first (in the same
// transaction), so the entitlement is pro-rated to the leaving date, and cancel requests after it.
//   entitlementDays = pro-rated entitlement (entitlement.ts) + adjustments for the leave year
//   takenDays       = approved annual leave starting on or before the date
//   bookedDays      = approved or pending annual leave starting after the date
//   remainingDays   = entitlement - taken - booked
// All four are decimal strings with two places ("27.50").
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import {
  annualEntitlement,
  fromHundredths,
  type LeavePolicy,
  leavePolicy,
  toHundredths,
} from './entitlement.ts'

export interface LeaveBalance {
  entitlementDays: string
  takenDays: string
  bookedDays: string
  remainingDays: string
}

export interface LeaveBalanceDetail extends LeaveBalance {
  leaveYearStart: string
  leaveYearEnd: string
  baseEntitlementDays: string
  adjustmentDays: string
  pendingDays: string
}

export async function leaveBalanceDetail(
  trx: Tx,
  orgId: string,
  employmentId: string,
  date: string,
  policy?: LeavePolicy,
): Promise<LeaveBalanceDetail> {
  const chosen = policy ?? (await leavePolicy(trx, orgId))
  const entitlement = await annualEntitlement(trx, orgId, employmentId, date, chosen)
  const { rows } = await sql<{ adjustments: string; taken: string; booked: string; pending: string }>`
    select
      coalesce((select sum(days) from leave_adjustments
        where org_id = ${orgId} and employment_id = ${employmentId}
          and leave_year_start = ${entitlement.leaveYearStart}), 0)::text as adjustments,
      coalesce(sum(days) filter (where status = 'approved' and start_date <= ${date}), 0)::text as taken,
      coalesce(sum(days) filter (where status in ('approved', 'pending') and start_date > ${date}), 0)::text as booked,
      coalesce(sum(days) filter (where status = 'pending'), 0)::text as pending
    from leave_requests
    where org_id = ${orgId} and employment_id = ${employmentId} and leave_type = 'annual'
      and start_date between ${entitlement.leaveYearStart} and ${entitlement.leaveYearEnd}`.execute(trx)
  const row = rows[0]!
  const base = toHundredths(entitlement.days)
  const adjustments = toHundredths(row.adjustments)
  const taken = toHundredths(row.taken)
  const booked = toHundredths(row.booked)
  const total = base + adjustments
  return {
    leaveYearStart: entitlement.leaveYearStart,
    leaveYearEnd: entitlement.leaveYearEnd,
    baseEntitlementDays: fromHundredths(base),
    adjustmentDays: fromHundredths(adjustments),
    entitlementDays: fromHundredths(total),
    takenDays: fromHundredths(taken),
    bookedDays: fromHundredths(booked),
    pendingDays: fromHundredths(toHundredths(row.pending)),
    remainingDays: fromHundredths(total - taken - booked),
  }
}

/** The contract H1's leaver journey uses: see the comment at the top. */
export async function leaveBalanceAt(
  trx: Tx,
  orgId: string,
  employmentId: string,
  date: string,
): Promise<LeaveBalance> {
  const detail = await leaveBalanceDetail(trx, orgId, employmentId, date)
  return {
    entitlementDays: detail.entitlementDays,
    takenDays: detail.takenDays,
    bookedDays: detail.bookedDays,
    remainingDays: detail.remainingDays,
  }
}
