// Absence: annual leave requests and their approval by the line manager (never by the employee),
// adjustments to a leave year, sickness absence and statutory family leave. Every method takes the
// caller's transaction; business failures are AppErrors naming the field.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import {
  BusinessRuleError,
  type FieldError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../platform/errors.ts'
import { isLineManager, personForUser } from '../self-service/team.ts'
import { checkDate } from '../validation.ts'
import { leaveBalanceDetail } from './balance.ts'
import { workingDays } from './bank-holidays.ts'
import { daysBetween } from './dates.ts'
import { fromHundredths, leavePolicy, leaveYearOf, toHundredths } from './entitlement.ts'
import type { AdjustmentReason, FamilyLeaveType, LeaveStatus, LeaveType, SicknessCategory } from './tables.ts'

export interface LeaveRequestInput {
  leaveType?: LeaveType | undefined
  startDate: string
  endDate: string
  /** Working days taken; defaults to the working days in the range (set lower for half days). */
  days?: string | undefined
  note?: string | undefined
}

export interface LeaveRequest {
  id: string
  employmentId: string
  leaveType: LeaveType
  startDate: string
  endDate: string
  days: string
  status: LeaveStatus
  note: string | null
  requestedBy: string
  requestedAt: string
  decidedBy: string | null
  decidedAt: string | null
  decisionNote: string | null
}

export interface SicknessInput {
  startDate: string
  endDate?: string | undefined
  reason: string
  category?: SicknessCategory | undefined
  qualifyingDays?: number[] | undefined
  notifiedOn: string
  workRelated?: boolean | undefined
  fitNoteFrom?: string | undefined
  fitNoteTo?: string | undefined
  fitNoteReceivedOn?: string | undefined
}

export interface FamilyLeaveInput {
  leaveType: FamilyLeaveType
  expectedWeekStart?: string | undefined
  childBornOn?: string | undefined
  matchedOn?: string | undefined
  placementOn?: string | undefined
  startDate: string
  endDate: string
  statutoryPayWeeks?: number | undefined
  noticeGivenOn?: string | undefined
  evidenceType?: 'matb1' | 'matching-certificate' | 'declaration' | 'other' | undefined
  evidenceReceivedOn?: string | undefined
}

/** Most statutory pay weeks per type of family leave. */
const STATUTORY_WEEKS_MAX: Record<FamilyLeaveType, number> = {
  maternity: 39,
  adoption: 39,
  paternity: 2,
  'shared-parental': 37,
  'parental-bereavement': 2,
}

function dateProblem(problems: FieldError[], field: string, value: string | undefined, label: string) {
  if (value === undefined || value === '') return
  const checked = checkDate(value)
  if (!checked.ok) problems.push({ field: `/${field}`, message: `${label}: ${checked.message}` })
}

function requireDate(problems: FieldError[], field: string, value: string | undefined, label: string) {
  if (!value) problems.push({ field: `/${field}`, message: `Enter the ${label.toLowerCase()}` })
  else dateProblem(problems, field, value, label)
}

function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null
}

type RequestRow = {
  id: string
  employment_id: string
  leave_type: LeaveType
  start_date: string
  end_date: string
  days: string
  status: LeaveStatus
  note: string | null
  requested_by: string
  requested_at: Date
  decided_by: string | null
  decided_at: Date | null
  decision_note: string | null
}

function toRequest(row: RequestRow): LeaveRequest {
  return {
    id: row.id,
    employmentId: row.employment_id,
    leaveType: row.leave_type,
    startDate: row.start_date,
    endDate: row.end_date,
    days: fromHundredths(toHundredths(row.days)),
    status: row.status,
    note: row.note,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at.toISOString(),
    decidedBy: row.decided_by,
    decidedAt: iso(row.decided_at),
    decisionNote: row.decision_note,
  }
}

export class AbsenceService {
  async #employment(trx: Tx, orgId: string, employmentId: string) {
    const employment = await trx
      .selectFrom('employments')
      .select(['id', 'person_id', 'start_date', 'end_date'])
      .where('org_id', '=', orgId)
      .where('id', '=', employmentId)
      .executeTakeFirst()
    if (!employment) throw new NotFoundError('There is no such employment')
    return employment
  }

  /** Working days between two dates under the organisation's bank holidays. */
  async workingDays(trx: Tx, orgId: string, startDate: string, endDate: string): Promise<number> {
    const policy = await leavePolicy(trx, orgId)
    return workingDays(startDate, endDate, policy.bankHolidayDivision)
  }

  /**
   * Requests leave for an employment. Refused: dates outside the employment, a range spanning two
   * leave years, no working days, overlapping another pending or approved request, or annual leave
   * beyond what remains in the leave year.
   */
  async requestLeave(
    trx: Tx,
    orgId: string,
    employmentId: string,
    input: LeaveRequestInput,
    requestedBy: string,
  ): Promise<LeaveRequest> {
    const problems: FieldError[] = []
    requireDate(problems, 'startDate', input.startDate, 'First day of leave')
    requireDate(problems, 'endDate', input.endDate, 'Last day of leave')
    if (problems.length === 0 && input.endDate < input.startDate)
      problems.push({ field: '/endDate', message: 'The last day of leave must be on or after the first day' })
    let requestedHundredths: bigint | undefined
    if (input.days !== undefined && input.days !== '') {
      if (!/^\d{1,3}(\.(0|00|5|50))?$/.test(input.days) || toHundredths(input.days) <= 0n)
        problems.push({ field: '/days', message: 'Enter the days as a whole or half number, like 2 or 2.5' })
      else requestedHundredths = toHundredths(input.days)
    }
    const note = input.note?.trim() || null
    if (note && note.length > 500)
      problems.push({ field: '/note', message: 'The note must be 500 characters or fewer' })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)

    const employment = await this.#employment(trx, orgId, employmentId)
    if (
      input.startDate < employment.start_date ||
      (employment.end_date && input.endDate > employment.end_date)
    )
      throw new BusinessRuleError('Leave must fall within the employment', [
        { field: '/startDate', message: 'Leave must fall within your employment' },
      ])
    const policy = await leavePolicy(trx, orgId)
    const year = leaveYearOf(input.startDate, policy)
    if (input.endDate > year.end)
      throw new BusinessRuleError('Leave cannot span two leave years', [
        {
          field: '/endDate',
          message: `The leave year ends on ${year.end}: make one request up to then and another from the day after`,
        },
      ])
    const counted = workingDays(input.startDate, input.endDate, policy.bankHolidayDivision)
    if (counted === 0)
      throw new BusinessRuleError('There are no working days in those dates', [
        {
          field: '/startDate',
          message: 'There are no working days between those dates (weekends and bank holidays)',
        },
      ])
    const countedHundredths = BigInt(counted) * 100n
    if (requestedHundredths !== undefined && requestedHundredths > countedHundredths)
      throw new BusinessRuleError('More days than working days', [
        { field: '/days', message: `There are only ${counted} working days between those dates` },
      ])
    const days = requestedHundredths ?? countedHundredths

    const overlapping = await trx
      .selectFrom('leave_requests')
      .select(['start_date', 'end_date'])
      .where('org_id', '=', orgId)
      .where('employment_id', '=', employmentId)
      .where('status', 'in', ['pending', 'approved'])
      .where('start_date', '<=', input.endDate)
      .where('end_date', '>=', input.startDate)
      .executeTakeFirst()
    if (overlapping)
      throw new BusinessRuleError('The leave overlaps another request', [
        {
          field: '/startDate',
          message: `You have already asked for leave from ${overlapping.start_date} to ${overlapping.end_date}`,
        },
      ])
    const leaveType = input.leaveType ?? 'annual'
    if (leaveType === 'annual') {
      const balance = await leaveBalanceDetail(trx, orgId, employmentId, input.startDate, policy)
      const remaining = toHundredths(balance.remainingDays)
      if (days > remaining)
        throw new BusinessRuleError('Not enough annual leave left', [
          {
            field: '/days',
            message: `This needs ${fromHundredths(days)} days but only ${fromHundredths(remaining)} days are left in the leave year`,
          },
        ])
    }
    const row = await trx
      .insertInto('leave_requests')
      .values({
        org_id: orgId,
        id: randomUUID(),
        employment_id: employmentId,
        leave_type: leaveType,
        start_date: input.startDate,
        end_date: input.endDate,
        days: fromHundredths(days),
        note,
        requested_by: requestedBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toRequest(row)
  }

  async getRequest(trx: Tx, orgId: string, requestId: string): Promise<LeaveRequest> {
    const row = await trx
      .selectFrom('leave_requests')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', requestId)
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such leave request')
    return toRequest(row)
  }

  async listRequests(
    trx: Tx,
    orgId: string,
    filter: { employmentIds?: string[]; status?: LeaveStatus } = {},
    limit = 200,
  ): Promise<LeaveRequest[]> {
    if (filter.employmentIds && filter.employmentIds.length === 0) return []
    let query = trx.selectFrom('leave_requests').selectAll().where('org_id', '=', orgId)
    if (filter.employmentIds) query = query.where('employment_id', 'in', filter.employmentIds)
    if (filter.status) query = query.where('status', '=', filter.status)
    const rows = await query.orderBy('start_date', 'desc').limit(Math.min(limit, 1000)).execute()
    return rows.map(toRequest)
  }

  /**
   * Approves or rejects a pending request. Only the employee's line manager on the day of the
   * decision may; the employee never may (also refused by a database check).
   */
  async decideLeave(
    trx: Tx,
    orgId: string,
    requestId: string,
    decision: 'approve' | 'reject',
    deciderUserId: string,
    note: string | undefined,
    today: string,
  ): Promise<LeaveRequest> {
    const request = await trx
      .selectFrom('leave_requests')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', requestId)
      .forUpdate()
      .executeTakeFirst()
    if (!request) throw new NotFoundError('There is no such leave request')
    const decider = await personForUser(trx, deciderUserId)
    const employment = await this.#employment(trx, orgId, request.employment_id)
    if (request.requested_by === deciderUserId || decider?.id === employment.person_id)
      throw new ForbiddenError('You cannot approve or reject your own leave')
    if (!decider || !(await isLineManager(trx, orgId, request.employment_id, decider.id, today)))
      throw new ForbiddenError('Only the employee’s line manager can approve or reject their leave')
    if (request.status !== 'pending')
      throw new BusinessRuleError(`This request is ${request.status}, not waiting for a decision`)
    const decisionNote = note?.trim() || null
    if (decision === 'reject' && !decisionNote)
      throw new ValidationError('Give a reason for rejecting the request', [
        { field: '/note', message: 'Give a reason for rejecting the request' },
      ])
    const row = await trx
      .updateTable('leave_requests')
      .set({
        status: decision === 'approve' ? 'approved' : 'rejected',
        decided_by: deciderUserId,
        decided_at: new Date(),
        decision_note: decisionNote,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', requestId)
      .returningAll()
      .executeTakeFirstOrThrow()
    return toRequest(row)
  }

  /** The employee cancels a pending request, or an approved one that has not started. */
  async cancelLeave(trx: Tx, orgId: string, requestId: string, employmentIds: string[], today: string) {
    const request = await this.getRequest(trx, orgId, requestId)
    if (!employmentIds.includes(request.employmentId))
      throw new NotFoundError('There is no such leave request')
    if (!(request.status === 'pending' || (request.status === 'approved' && request.startDate > today)))
      throw new BusinessRuleError(
        'Only pending requests, or approved leave not yet started, can be cancelled',
      )
    await trx
      .updateTable('leave_requests')
      .set({ status: 'cancelled' })
      .where('org_id', '=', orgId)
      .where('id', '=', requestId)
      .execute()
    return { ...request, status: 'cancelled' as const }
  }

  /** A signed change to a leave year's entitlement (carry-over within the policy's limit). */
  async addAdjustment(
    trx: Tx,
    orgId: string,
    employmentId: string,
    input: { date: string; days: string; reason: AdjustmentReason; note?: string | undefined },
    userId: string,
  ) {
    const problems: FieldError[] = []
    requireDate(problems, 'date', input.date, 'Date in the leave year')
    if (!/^-?\d{1,2}(\.\d{1,2})?$/.test(input.days) || toHundredths(input.days) === 0n)
      problems.push({ field: '/days', message: 'Enter the days, like 3 or -1.5' })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    await this.#employment(trx, orgId, employmentId)
    const policy = await leavePolicy(trx, orgId)
    const year = leaveYearOf(input.date, policy)
    if (input.reason === 'carry-over') {
      const existing = await trx
        .selectFrom('leave_adjustments')
        .select(sql<string>`coalesce(sum(days), 0)::text`.as('total'))
        .where('org_id', '=', orgId)
        .where('employment_id', '=', employmentId)
        .where('leave_year_start', '=', year.start)
        .where('reason', '=', 'carry-over')
        .executeTakeFirstOrThrow()
      if (toHundredths(existing.total) + toHundredths(input.days) > toHundredths(policy.carryOverDaysMax))
        throw new BusinessRuleError('Carry-over beyond the policy limit', [
          { field: '/days', message: `At most ${policy.carryOverDaysMax} days may be carried over` },
        ])
    }
    const id = randomUUID()
    await trx
      .insertInto('leave_adjustments')
      .values({
        org_id: orgId,
        id,
        employment_id: employmentId,
        leave_year_start: year.start,
        days: input.days,
        reason: input.reason,
        note: input.note?.trim() || null,
        created_by: userId,
      })
      .execute()
    return {
      id,
      leaveYearStart: year.start,
      days: fromHundredths(toHundredths(input.days)),
      reason: input.reason,
    }
  }

  /** Records sickness absence with what statutory sick pay needs. */
  async recordSickness(
    trx: Tx,
    orgId: string,
    employmentId: string,
    input: SicknessInput,
    userId: string | null,
  ) {
    const problems: FieldError[] = []
    requireDate(problems, 'startDate', input.startDate, 'First day of sickness')
    dateProblem(problems, 'endDate', input.endDate, 'Last day of sickness')
    requireDate(problems, 'notifiedOn', input.notifiedOn, 'Date the employee told you')
    dateProblem(problems, 'fitNoteFrom', input.fitNoteFrom, 'Fit note from')
    dateProblem(problems, 'fitNoteTo', input.fitNoteTo, 'Fit note to')
    dateProblem(problems, 'fitNoteReceivedOn', input.fitNoteReceivedOn, 'Fit note received')
    const reason = input.reason?.trim() ?? ''
    if (!reason || reason.length > 200)
      problems.push({ field: '/reason', message: 'Enter the reason for absence (200 characters or fewer)' })
    const qualifying = input.qualifyingDays ?? [1, 2, 3, 4, 5]
    if (qualifying.length === 0 || qualifying.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
      problems.push({
        field: '/qualifyingDays',
        message: 'Qualifying days are weekdays 1 (Monday) to 7 (Sunday)',
      })
    if (problems.length === 0 && input.endDate && input.endDate < input.startDate)
      problems.push({ field: '/endDate', message: 'The last day must be on or after the first day' })
    if (
      problems.length === 0 &&
      input.fitNoteTo &&
      (!input.fitNoteFrom || input.fitNoteTo < input.fitNoteFrom)
    )
      problems.push({ field: '/fitNoteTo', message: 'The fit note must end on or after it starts' })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    const employment = await this.#employment(trx, orgId, employmentId)
    if (input.startDate < employment.start_date)
      throw new BusinessRuleError('Sickness before the employment started', [
        { field: '/startDate', message: `The employment started on ${employment.start_date}` },
      ])
    const overlapping = await trx
      .selectFrom('sickness_absences')
      .select('start_date')
      .where('org_id', '=', orgId)
      .where('employment_id', '=', employmentId)
      .where('start_date', '<=', input.endDate ?? '9999-12-31')
      .where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', input.startDate)]))
      .executeTakeFirst()
    if (overlapping)
      throw new BusinessRuleError('Overlaps another sickness absence', [
        {
          field: '/startDate',
          message: `There is already a sickness absence from ${overlapping.start_date}`,
        },
      ])
    const id = randomUUID()
    await trx
      .insertInto('sickness_absences')
      .values({
        org_id: orgId,
        id,
        employment_id: employmentId,
        start_date: input.startDate,
        end_date: input.endDate || null,
        reason,
        category: input.category ?? 'other',
        qualifying_days: [...new Set(qualifying)].sort(),
        notified_on: input.notifiedOn,
        work_related: input.workRelated ?? false,
        fit_note_from: input.fitNoteFrom || null,
        fit_note_to: input.fitNoteTo || null,
        fit_note_received_on: input.fitNoteReceivedOn || null,
        recorded_by: userId,
      })
      .execute()
    return this.getSickness(trx, orgId, id)
  }

  async getSickness(trx: Tx, orgId: string, id: string) {
    const row = await trx
      .selectFrom('sickness_absences')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such sickness absence')
    return {
      id: row.id,
      employmentId: row.employment_id,
      startDate: row.start_date,
      endDate: row.end_date,
      reason: row.reason,
      category: row.category,
      qualifyingDays: row.qualifying_days.map(Number),
      notifiedOn: row.notified_on,
      workRelated: row.work_related,
      fitNoteFrom: row.fit_note_from,
      fitNoteTo: row.fit_note_to,
      fitNoteReceivedOn: row.fit_note_received_on,
      calendarDays: row.end_date ? daysBetween(row.start_date, row.end_date) + 1 : null,
    }
  }

  async listSickness(trx: Tx, orgId: string, employmentIds?: string[]) {
    if (employmentIds && employmentIds.length === 0) return []
    let query = trx.selectFrom('sickness_absences').select('id').where('org_id', '=', orgId)
    if (employmentIds) query = query.where('employment_id', 'in', employmentIds)
    const rows = await query.orderBy('start_date', 'desc').limit(500).execute()
    return Promise.all(rows.map((row) => this.getSickness(trx, orgId, row.id)))
  }

  /** Ends an open sickness absence (the employee is back). */
  async endSickness(trx: Tx, orgId: string, id: string, endDate: string) {
    const existing = await this.getSickness(trx, orgId, id)
    const checked = checkDate(endDate)
    if (!checked.ok)
      throw new ValidationError(checked.message, [{ field: '/endDate', message: checked.message }])
    if (endDate < existing.startDate)
      throw new ValidationError('The last day must be on or after the first day', [
        { field: '/endDate', message: 'The last day must be on or after the first day' },
      ])
    await trx
      .updateTable('sickness_absences')
      .set({ end_date: endDate })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute()
    return this.getSickness(trx, orgId, id)
  }

  /** Records statutory family leave with what statutory family pay needs. */
  async recordFamilyLeave(
    trx: Tx,
    orgId: string,
    employmentId: string,
    input: FamilyLeaveInput,
    userId: string | null,
  ) {
    const problems: FieldError[] = []
    requireDate(problems, 'startDate', input.startDate, 'First day of leave')
    requireDate(problems, 'endDate', input.endDate, 'Last day of leave')
    for (const [field, label] of [
      ['expectedWeekStart', 'Expected week of childbirth'],
      ['childBornOn', 'Date of birth'],
      ['matchedOn', 'Date of matching'],
      ['placementOn', 'Date of placement'],
      ['noticeGivenOn', 'Date notice was given'],
      ['evidenceReceivedOn', 'Date evidence was received'],
    ] as const)
      dateProblem(problems, field, input[field], label)
    if (problems.length === 0 && input.endDate < input.startDate)
      problems.push({ field: '/endDate', message: 'The last day must be on or after the first day' })
    if ((input.leaveType === 'maternity' || input.leaveType === 'paternity') && !input.expectedWeekStart)
      problems.push({
        field: '/expectedWeekStart',
        message: 'Enter the Sunday that starts the expected week of childbirth',
      })
    if (
      input.expectedWeekStart &&
      checkDate(input.expectedWeekStart).ok &&
      new Date(`${input.expectedWeekStart}T00:00:00Z`).getUTCDay() !== 0
    )
      problems.push({
        field: '/expectedWeekStart',
        message: 'The expected week of childbirth starts on a Sunday',
      })
    if (input.leaveType === 'adoption' && !input.matchedOn)
      problems.push({ field: '/matchedOn', message: 'Enter the date the employee was told of the match' })
    const weeks = input.statutoryPayWeeks ?? 0
    if (!Number.isInteger(weeks) || weeks < 0 || weeks > STATUTORY_WEEKS_MAX[input.leaveType])
      problems.push({
        field: '/statutoryPayWeeks',
        message: `Statutory pay for ${input.leaveType.replace('-', ' ')} leave is at most ${STATUTORY_WEEKS_MAX[input.leaveType]} weeks`,
      })
    if (problems.length) throw new ValidationError(problems[0]!.message, problems)
    await this.#employment(trx, orgId, employmentId)
    const overlapping = await trx
      .selectFrom('family_leaves')
      .select('start_date')
      .where('org_id', '=', orgId)
      .where('employment_id', '=', employmentId)
      .where('start_date', '<=', input.endDate)
      .where('end_date', '>=', input.startDate)
      .executeTakeFirst()
    if (overlapping)
      throw new BusinessRuleError('Overlaps other family leave', [
        { field: '/startDate', message: `There is already family leave from ${overlapping.start_date}` },
      ])
    const id = randomUUID()
    await trx
      .insertInto('family_leaves')
      .values({
        org_id: orgId,
        id,
        employment_id: employmentId,
        leave_type: input.leaveType,
        expected_week_start: input.expectedWeekStart || null,
        child_born_on: input.childBornOn || null,
        matched_on: input.matchedOn || null,
        placement_on: input.placementOn || null,
        start_date: input.startDate,
        end_date: input.endDate,
        statutory_pay_weeks: weeks,
        notice_given_on: input.noticeGivenOn || null,
        evidence_type: input.evidenceType ?? null,
        evidence_received_on: input.evidenceReceivedOn || null,
        recorded_by: userId,
      })
      .execute()
    return this.getFamilyLeave(trx, orgId, id)
  }

  async getFamilyLeave(trx: Tx, orgId: string, id: string) {
    const row = await trx
      .selectFrom('family_leaves')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such family leave')
    return {
      id: row.id,
      employmentId: row.employment_id,
      leaveType: row.leave_type,
      expectedWeekStart: row.expected_week_start,
      childBornOn: row.child_born_on,
      matchedOn: row.matched_on,
      placementOn: row.placement_on,
      startDate: row.start_date,
      endDate: row.end_date,
      statutoryPayWeeks: row.statutory_pay_weeks,
      noticeGivenOn: row.notice_given_on,
      evidenceType: row.evidence_type,
      evidenceReceivedOn: row.evidence_received_on,
    }
  }

  async listFamilyLeave(trx: Tx, orgId: string, employmentIds?: string[]) {
    if (employmentIds && employmentIds.length === 0) return []
    let query = trx.selectFrom('family_leaves').select('id').where('org_id', '=', orgId)
    if (employmentIds) query = query.where('employment_id', 'in', employmentIds)
    const rows = await query.orderBy('start_date', 'desc').limit(500).execute()
    return Promise.all(rows.map((row) => this.getFamilyLeave(trx, orgId, row.id)))
  }

  /** Sets the organisation's leave policy (leave year, service days, carry-over, bank holidays). */
  async setPolicy(
    trx: Tx,
    orgId: string,
    input: {
      leaveYearStartMonth: number
      leaveYearStartDay: number
      serviceDaysPerYear: string
      serviceDaysMax: string
      carryOverDaysMax: string
      bankHolidayDivision: 'england-and-wales' | 'scotland' | 'northern-ireland'
    },
  ) {
    const values = {
      leave_year_start_month: input.leaveYearStartMonth,
      leave_year_start_day: input.leaveYearStartDay,
      service_days_per_year: input.serviceDaysPerYear,
      service_days_max: input.serviceDaysMax,
      carry_over_days_max: input.carryOverDaysMax,
      bank_holiday_division: input.bankHolidayDivision,
    }
    await trx
      .insertInto('leave_policies')
      .values({ org_id: orgId, ...values })
      .onConflict((conflict) => conflict.column('org_id').doUpdateSet(values))
      .execute()
    return leavePolicy(trx, orgId)
  }
}
