// Joiners, movers and leavers (the converged JML process), and loans and transfers between
// organisations on the platform, as requests with four-eyes approval.
//
// A request is checked when submitted by applying it for real inside a savepoint and rolling that
// back: the requester sees every problem (field by field) at once, through exactly the code that
// will apply it. Approval, by a different person (a database constraint), applies it in the same
// transaction; the records it creates take effect on its effective date, so a future-dated change
// is approved now and is in force from its date.
//
// Payload shapes (stored in hr_requests.payload as submitted):
//   joiner   { personId? | person, employment: {employeeNumber?, contractType, startDate,
//              expectedEndDate?, continuousServiceDate?}, terms: TermsInput,
//              payroll: PayrollDetailsInput & {taxCode?, week1Month1?, taxCodeSource?} }
//   mover    { employmentId, effectiveDate, reason, positionId?, gradeCode?, costCentreCode?, fte?,
//              hoursPerWeek?, daysPerWeek?, annualSalaryPence?, payFrequency? }
//   leaver   { employmentId, lastWorkingDay, reason, p45Required? }
//   loan     { employmentId, targetOrgId, startDate, expectedEndDate, employeeNumber?, terms }
//   transfer { employmentId, targetOrgId, startDate, employeeNumber?, terms, reason? }
//
// Loans and transfers touch two organisations, so they are raised in the sending organisation and
// both submitting and deciding them needs hr:manage in BOTH (cluster HR staff typically hold it
// across their cluster): the route checks that and runs the work in one transaction whose tenant
// covers both organisations (widenTenant). See docs/decisions/0200-hr-records-and-jml.md.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { Database, type TenantContext, type Tx } from '../platform/db/index.ts'
import {
  AppError,
  BusinessRuleError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../platform/errors.ts'
import { can, type Principal } from '../platform/tenancy.ts'
import { leaveBalanceAt } from './absence/balance.ts'
import { addDays } from './dates.ts'
import type { HrRequestKind, HrRequestStatus } from './jml-tables.ts'
import {
  changeTermsFrom,
  checkEmployment,
  checkPayrollDetails,
  checkTaxCode,
  checkTerms,
  createEmployment,
  createPerson,
  endEmployment,
  getEmployment,
  getPayrollDetails,
  getPerson,
  isUuid,
  listTaxCodes,
  newProblems,
  type PayrollDetailsInput,
  type PersonInput,
  setPayrollDetails,
  setTaxCodeFrom,
  starterTaxCode,
  type TermsChange,
  type TermsInput,
} from './records.ts'
import type { ContractType, TaxCodeSource } from './tables.ts'
import { checkDate } from './validation.ts'

export interface JoinerPayload {
  personId?: string | undefined
  person?: PersonInput | undefined
  employment: {
    employeeNumber?: string | undefined
    contractType: ContractType
    startDate: string
    expectedEndDate?: string | undefined
    continuousServiceDate?: string | undefined
  }
  terms: TermsInput
  payroll: PayrollDetailsInput & {
    taxCode?: string | undefined
    week1Month1?: boolean | undefined
    taxCodeSource?: 'starter' | 'p45' | undefined
  }
}

export interface MoverPayload extends TermsChange {
  employmentId: string
  effectiveDate: string
  reason: string
}

export interface LeaverPayload {
  employmentId: string
  lastWorkingDay: string
  reason: string
  p45Required?: boolean | undefined
}

export interface MovementPayload {
  employmentId: string
  targetOrgId: string
  startDate: string
  expectedEndDate?: string | undefined
  employeeNumber?: string | undefined
  terms: TermsInput
  reason?: string | undefined
}

export type RequestInput =
  | { kind: 'joiner'; payload: JoinerPayload }
  | { kind: 'mover'; payload: MoverPayload }
  | { kind: 'leaver'; payload: LeaverPayload }
  | { kind: 'loan'; payload: MovementPayload }
  | { kind: 'transfer'; payload: MovementPayload }

export interface HrRequest {
  id: string
  orgId: string
  kind: HrRequestKind
  status: HrRequestStatus
  effectiveDate: string
  employmentId: string | null
  personId: string | null
  targetOrgId: string | null
  summary: string
  payload: unknown
  requestedBy: string
  requestedByName: string | null
  requestedAt: string
  decidedBy: string | null
  decidedByName: string | null
  decidedAt: string | null
  decisionNote: string | null
  resultEmploymentId: string | null
}

export interface LeaverRecord {
  employmentId: string
  lastWorkingDay: string
  leavingReason: string
  untakenLeaveDays: string
  dailyRatePence: number
  payInLieuPence: number
  leaveBasis: 'absence' | 'grade-pro-rata'
  p45Required: boolean
}

/** Working days in a year for the daily rate of pay in lieu of leave (52 weeks of 5 days). */
export const WORKING_DAYS_PER_YEAR = 260

/** The most requests a queue shows. */
export const REQUESTS_PER_PAGE_MAX = 200

/**
 * Widens the current transaction's tenant to several organisations, for the work of a loan or
 * transfer, once the principal is known to hold `permission` in every one of them.
 * Errors: ForbiddenError naming the organisation where it is missing.
 */
export async function widenTenant(
  trx: Tx,
  principal: Principal,
  tenant: TenantContext,
  orgIds: readonly string[],
  permission: 'hr:manage' = 'hr:manage',
): Promise<void> {
  for (const orgId of orgIds)
    if (!can(principal, permission, orgId))
      throw new ForbiddenError(
        'A loan or transfer between organisations needs HR rights in both organisations',
      )
  const all = tenant.orgIds === 'all'
  await Database.enterTenant(trx, {
    ...tenant,
    orgIds: all ? 'all' : [...new Set(orgIds)],
    diversityOrgIds: [],
  })
}

// ---------------------------------------------------------------------------------------------

async function personName(trx: Tx, personId: string): Promise<string> {
  const person = await getPerson(trx, personId)
  return `${person.forenames} ${person.surname}`
}

async function orgName(trx: Tx, orgId: string): Promise<string> {
  const row = await trx.selectFrom('organisations').select('name').where('id', '=', orgId).executeTakeFirst()
  if (!row) throw new NotFoundError('No such organisation')
  return row.name
}

/** Applies a request's effect. Used both for the dry run at submission and for approval. */
async function apply(
  trx: Tx,
  orgId: string,
  input: RequestInput,
  actorUserId: string,
  requestId: string | null,
): Promise<{ employmentId: string | null; personId: string | null }> {
  switch (input.kind) {
    case 'joiner':
      return applyJoiner(trx, orgId, input.payload, actorUserId)
    case 'mover': {
      const p = input.payload
      const { employmentId, effectiveDate, reason, ...changes } = p
      await changeTermsFrom(trx, orgId, employmentId, effectiveDate, changes, reason, actorUserId)
      const employment = await getEmployment(trx, orgId, employmentId)
      return { employmentId, personId: employment.personId }
    }
    case 'leaver': {
      const employment = await applyLeaver(trx, orgId, input.payload, actorUserId, requestId)
      return { employmentId: employment, personId: null }
    }
    case 'loan':
    case 'transfer':
      return applyMovement(trx, orgId, input.kind, input.payload, actorUserId, requestId)
  }
}

async function applyJoiner(trx: Tx, orgId: string, payload: JoinerPayload, actorUserId: string) {
  const problems = newProblems()
  // Check the payroll part up front so its problems are reported with the others.
  const payroll = payload.payroll ?? {}
  checkPayrollDetails(payroll, problems, '/payroll')
  let taxCode: string | null = null
  let week1Month1 = payroll.week1Month1 ?? false
  let taxCodeSource: TaxCodeSource = payroll.taxCodeSource ?? 'starter'
  if (payroll.taxCode && payroll.taxCode.trim() !== '')
    taxCode = checkTaxCode(payroll.taxCode, problems, '/payroll/taxCode')
  else if (payroll.starterDeclaration) {
    const implied = starterTaxCode(payroll.starterDeclaration)
    taxCode = implied.taxCode
    week1Month1 = implied.week1Month1
    taxCodeSource = 'starter'
  } else
    problems.add(
      '/payroll/starterDeclaration',
      'Choose the starter declaration (A, B or C), or enter the tax code from the P45',
    )
  if (!payload.personId && !payload.person) problems.add('/person', 'Enter the new starter’s details')
  if (payload.personId && !isUuid(payload.personId)) problems.add('/personId', 'No such person')
  // The person first: their problems come before the employment's on the page.
  let personId = payload.personId ?? null
  if (!personId && payload.person) {
    try {
      personId = (await createPerson(trx, orgId, payload.person)).id
    } catch (error) {
      if (!(error instanceof AppError) || error.fieldErrors.length === 0) throw error
      for (const each of error.fieldErrors) problems.add(`/person${each.field}`, each.message)
    }
  }
  let employmentId: string | null = null
  if (!personId) {
    // No person to employ yet: still check the employment and its terms, to report everything.
    const clean = await checkEmployment(
      trx,
      orgId,
      payload.employment ?? { contractType: 'permanent', startDate: '' },
      problems,
      '/employment',
    )
    if (clean.startDate)
      await checkTerms(trx, orgId, payload.terms ?? {}, clean.startDate, problems, '/terms')
    problems.throwIfAny()
  }
  try {
    const employment = await createEmployment(
      trx,
      orgId,
      { ...payload.employment, personId: personId!, terms: payload.terms },
      actorUserId,
      { prefix: '/employment' },
    )
    employmentId = employment.id
  } catch (error) {
    if (!(error instanceof AppError) || error.fieldErrors.length === 0) throw error
    for (const each of error.fieldErrors)
      problems.add(
        each.field.startsWith('/employment/terms') ? each.field.replace('/employment', '') : each.field,
        each.message,
      )
  }
  problems.throwIfAny()
  await setPayrollDetails(trx, orgId, employmentId!, payroll, '/payroll')
  await setTaxCodeFrom(
    trx,
    orgId,
    employmentId!,
    { validFrom: payload.employment.startDate, taxCode: taxCode!, week1Month1, source: taxCodeSource },
    '/payroll',
  )
  return { employmentId, personId }
}

/** Untaken leave to the last day, from recorded absence (src/hr/absence). */
async function untakenLeave(trx: Tx, orgId: string, employmentId: string, lastDay: string) {
  const balance = await leaveBalanceAt(trx, orgId, employmentId, lastDay)
  // Leave booked after the last day will never be taken: only what was taken counts against it.
  const hundredths =
    Math.round(Number(balance.entitlementDays) * 100) - Math.round(Number(balance.takenDays) * 100)
  return { hundredths, basis: 'absence' as const }
}

/** Pay in lieu: days x (salary x FTE / 260), each step rounded half away from zero to the penny. */
export function payInLieu(annualSalaryPence: number, fte: string, untakenHundredths: number) {
  const fteTenThousandths = Math.round(Number(fte) * 10_000)
  const dailyRatePence = Math.round(
    (annualSalaryPence * fteTenThousandths) / (WORKING_DAYS_PER_YEAR * 10_000),
  )
  const raw = (untakenHundredths * dailyRatePence) / 100
  const payInLieuPence = Math.sign(raw) * Math.round(Math.abs(raw))
  return { dailyRatePence, payInLieuPence: payInLieuPence === 0 ? 0 : payInLieuPence }
}

async function applyLeaver(
  trx: Tx,
  orgId: string,
  payload: LeaverPayload,
  actorUserId: string,
  requestId: string | null,
  p45Default = true,
): Promise<string> {
  const problems = newProblems()
  const last = checkDate(payload.lastWorkingDay ?? '')
  if (!last.ok) problems.add('/lastWorkingDay', last.message)
  const reason = payload.reason?.trim() ?? ''
  if (!reason) problems.add('/reason', 'Enter the reason for leaving')
  else if (reason.length > 100) problems.add('/reason', 'Reason must be 100 characters or fewer')
  problems.throwIfAny()
  const lastDay = (last as { value: string }).value
  // The terms on the last day give the rate for pay in lieu.
  const terms = await trx
    .selectFrom('employment_terms')
    .select(['annual_salary_pence', 'fte'])
    .where('org_id', '=', orgId)
    .where('employment_id', '=', payload.employmentId)
    .where('valid_from', '<=', lastDay)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', lastDay)]))
    .executeTakeFirst()
  await endEmployment(trx, orgId, payload.employmentId, lastDay, reason)
  if (!terms) throw new BusinessRuleError('No terms are in force on the last working day')
  const leave = await untakenLeave(trx, orgId, payload.employmentId, lastDay)
  const money = payInLieu(Number(terms.annual_salary_pence), String(terms.fte), leave.hundredths)
  await trx
    .insertInto('hr_leavers')
    .values({
      org_id: orgId,
      employment_id: payload.employmentId,
      request_id: requestId,
      last_working_day: lastDay,
      leaving_reason: reason,
      untaken_leave_days: (leave.hundredths / 100).toFixed(2),
      daily_rate_pence: money.dailyRatePence,
      pay_in_lieu_pence: money.payInLieuPence,
      leave_basis: leave.basis,
      p45_required: payload.p45Required ?? p45Default,
      recorded_by: actorUserId,
    })
    .execute()
  return payload.employmentId
}

async function applyMovement(
  trx: Tx,
  orgId: string,
  kind: 'loan' | 'transfer',
  payload: MovementPayload,
  actorUserId: string,
  requestId: string | null,
) {
  const problems = newProblems()
  if (!isUuid(payload.targetOrgId ?? '') || payload.targetOrgId === orgId)
    problems.add('/targetOrgId', 'Choose the organisation the person moves to (not this one)')
  const start = checkDate(payload.startDate ?? '')
  if (!start.ok) problems.add('/startDate', start.message)
  problems.throwIfAny()
  const { rows } = await sql<{ covered: boolean }>`
    select (current_user <> 'gss_app' or gss_all_orgs() or ${payload.targetOrgId}::uuid = any (gss_org_ids())) as covered`.execute(
    trx,
  )
  if (!rows[0]?.covered)
    throw new ForbiddenError('A loan or transfer between organisations needs HR rights in both organisations')
  const home = await getEmployment(trx, orgId, payload.employmentId)
  if (home.endDate !== null && home.endDate < payload.startDate)
    throw new BusinessRuleError(`The employment here ended on ${home.endDate}`)
  await orgName(trx, payload.targetOrgId)
  if (kind === 'loan') {
    const employment = await createEmployment(
      trx,
      payload.targetOrgId,
      {
        personId: home.personId,
        employeeNumber: payload.employeeNumber,
        contractType: 'loan',
        lentByOrgId: orgId,
        startDate: payload.startDate,
        expectedEndDate: payload.expectedEndDate,
        terms: payload.terms,
      },
      actorUserId,
      { changeReason: 'Loan in' },
    )
    return { employmentId: employment.id, personId: home.personId }
  }
  // Transfer: the employment here ends the day before; service continues in the new one.
  const employment = await createEmployment(
    trx,
    payload.targetOrgId,
    {
      personId: home.personId,
      employeeNumber: payload.employeeNumber,
      contractType: 'permanent',
      startDate: payload.startDate,
      continuousServiceDate: home.continuousServiceDate,
      terms: payload.terms,
    },
    actorUserId,
    { changeReason: 'Transfer in' },
  )
  const target = await orgName(trx, payload.targetOrgId)
  await applyLeaver(
    trx,
    orgId,
    {
      employmentId: home.id,
      lastWorkingDay: addDays(payload.startDate, -1),
      reason: `Transfer to ${target}`.slice(0, 100),
    },
    actorUserId,
    requestId,
  )
  // Payroll moves with the person: bank details, loans and pension; the tax code as on a P45.
  const details = await getPayrollDetails(trx, orgId, home.id)
  if (details)
    await setPayrollDetails(trx, payload.targetOrgId, employment.id, {
      niCategory: details.niCategory,
      studentLoanPlans: details.studentLoanPlans,
      postgraduateLoan: details.postgraduateLoan,
      pensionScheme: details.pensionScheme,
      bankAccountName: details.bankAccountName ?? undefined,
      bankSortCode: details.bankSortCode ?? undefined,
      bankAccountNumber: details.bankAccountNumber ?? undefined,
    })
  const codes = await listTaxCodes(trx, orgId, home.id)
  const last = codes.at(-1)
  if (last)
    await setTaxCodeFrom(trx, payload.targetOrgId, employment.id, {
      validFrom: payload.startDate,
      taxCode: last.taxCode,
      week1Month1: last.week1Month1,
      source: 'p45',
    })
  await trx
    .updateTable('people')
    .set({ org_id: payload.targetOrgId })
    .where('id', '=', home.personId)
    .execute()
  return { employmentId: employment.id, personId: home.personId }
}

/** Runs `fn` and undoes whatever it did, keeping its result or error (a dry run). */
async function dryRun<T>(trx: Tx, fn: () => Promise<T>): Promise<T> {
  await sql`savepoint hr_dry_run`.execute(trx)
  try {
    return await fn()
  } finally {
    await sql`rollback to savepoint hr_dry_run`.execute(trx)
    await sql`release savepoint hr_dry_run`.execute(trx)
  }
}

function effectiveDateOf(input: RequestInput): string {
  switch (input.kind) {
    case 'joiner':
      return input.payload.employment?.startDate ?? ''
    case 'mover':
      return input.payload.effectiveDate ?? ''
    case 'leaver':
      return input.payload.lastWorkingDay ?? ''
    case 'loan':
    case 'transfer':
      return input.payload.startDate ?? ''
  }
}

async function summarise(
  trx: Tx,
  orgId: string,
  input: RequestInput,
): Promise<{ summary: string; personId: string | null }> {
  const date = effectiveDateOf(input)
  if (input.kind === 'joiner') {
    const p = input.payload
    const name = p.personId
      ? await personName(trx, p.personId)
      : `${p.person?.forenames ?? ''} ${p.person?.surname ?? ''}`.trim()
    const grade = p.terms?.gradeCode ? `, ${p.terms.gradeCode}` : ''
    return { summary: `Joiner: ${name}${grade}, from ${date}`, personId: p.personId ?? null }
  }
  const employment = await getEmployment(trx, orgId, input.payload.employmentId)
  const name = await personName(trx, employment.personId)
  const label =
    input.kind === 'mover'
      ? `Change: ${name} (${employment.employeeNumber}), from ${date}`
      : input.kind === 'leaver'
        ? `Leaver: ${name} (${employment.employeeNumber}), last day ${date}`
        : `${input.kind === 'loan' ? 'Loan' : 'Transfer'}: ${name} to ${await orgName(trx, input.payload.targetOrgId)}, from ${date}`
  return { summary: label.slice(0, 300), personId: employment.personId }
}

/**
 * Submits a request: checks it by applying it in a dry run (every problem reported at once, with
 * its field), then records it for someone else to approve. For a loan or transfer the caller's
 * transaction must already cover both organisations (widenTenant).
 * Errors: ValidationError, BusinessRuleError, NotFoundError.
 */
export async function submitRequest(
  trx: Tx,
  orgId: string,
  input: RequestInput,
  userId: string,
): Promise<HrRequest> {
  if (input.kind !== 'joiner' && !isUuid(input.payload.employmentId ?? ''))
    throw new ValidationError('Choose the employment', [
      { field: '/employmentId', message: 'Choose the employment' },
    ])
  await dryRun(trx, () => apply(trx, orgId, input, userId, null))
  const date = checkDate(effectiveDateOf(input))
  if (!date.ok) throw new ValidationError(date.message)
  const { summary, personId } = await summarise(trx, orgId, input)
  const id = randomUUID()
  await trx
    .insertInto('hr_requests')
    .values({
      org_id: orgId,
      id,
      kind: input.kind,
      effective_date: date.value,
      employment_id: input.kind === 'joiner' ? null : input.payload.employmentId,
      person_id: personId,
      target_org_id: input.kind === 'loan' || input.kind === 'transfer' ? input.payload.targetOrgId : null,
      summary,
      payload: JSON.stringify(input.payload),
      requested_by: userId,
    })
    .execute()
  return getRequest(trx, orgId, id)
}

/**
 * Approves a request and applies it. The approver must not be the requester (also a database
 * constraint) nor the person the request is about. Errors: ForbiddenError, BusinessRuleError
 * (already decided), NotFoundError, and any ValidationError the records raise now.
 */
export async function approveRequest(
  trx: Tx,
  orgId: string,
  requestId: string,
  userId: string,
  note?: string,
): Promise<HrRequest> {
  const request = await lockSubmitted(trx, orgId, requestId)
  if (request.requestedBy === userId)
    throw new ForbiddenError('You cannot approve a request you made: another HR officer must approve it')
  if (request.personId) {
    const subject = await trx
      .selectFrom('people')
      .select('user_id')
      .where('id', '=', request.personId)
      .executeTakeFirst()
    if (subject?.user_id === userId) throw new ForbiddenError('You cannot approve a request about yourself')
  }
  const input = { kind: request.kind, payload: request.payload } as RequestInput
  const result = await apply(trx, orgId, input, userId, requestId)
  await trx
    .updateTable('hr_requests')
    .set({
      status: 'applied',
      decided_by: userId,
      decided_at: new Date(),
      decision_note: note?.trim() || null,
      result_employment_id:
        request.kind === 'mover' || request.kind === 'leaver' ? null : result.employmentId,
      person_id: request.personId ?? result.personId,
      employment_id: request.kind === 'joiner' ? result.employmentId : request.employmentId,
    })
    .where('org_id', '=', orgId)
    .where('id', '=', requestId)
    .execute()
  return getRequest(trx, orgId, requestId)
}

/** Rejects a request, with the reason. Errors: ForbiddenError (own request), BusinessRuleError, ValidationError. */
export async function rejectRequest(
  trx: Tx,
  orgId: string,
  requestId: string,
  userId: string,
  reason: string,
) {
  const request = await lockSubmitted(trx, orgId, requestId)
  if (request.requestedBy === userId)
    throw new ForbiddenError('You cannot reject a request you made: withdraw it instead')
  const why = reason?.trim() ?? ''
  if (!why || why.length > 1000)
    throw new ValidationError('Enter the reason for rejecting the request', [
      { field: '/reason', message: 'Enter the reason for rejecting the request (up to 1000 characters)' },
    ])
  await trx
    .updateTable('hr_requests')
    .set({ status: 'rejected', decided_by: userId, decided_at: new Date(), decision_note: why })
    .where('org_id', '=', orgId)
    .where('id', '=', requestId)
    .execute()
  return getRequest(trx, orgId, requestId)
}

/** The requester withdraws a request not yet decided. Errors: ForbiddenError (someone else's). */
export async function withdrawRequest(trx: Tx, orgId: string, requestId: string, userId: string) {
  const request = await lockSubmitted(trx, orgId, requestId)
  if (request.requestedBy !== userId)
    throw new ForbiddenError('Only the person who made a request can withdraw it')
  await trx
    .updateTable('hr_requests')
    .set({ status: 'withdrawn', decided_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', requestId)
    .execute()
  return getRequest(trx, orgId, requestId)
}

async function lockSubmitted(trx: Tx, orgId: string, requestId: string): Promise<HrRequest> {
  if (!isUuid(requestId)) throw new NotFoundError('No such request')
  await trx
    .selectFrom('hr_requests')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', requestId)
    .forUpdate()
    .executeTakeFirst()
  const request = await getRequest(trx, orgId, requestId)
  if (request.status !== 'submitted')
    throw new BusinessRuleError(`This request has already been ${request.status}`)
  return request
}

type RequestRow = {
  id: string
  org_id: string
  kind: HrRequestKind
  status: HrRequestStatus
  effective_date: string
  employment_id: string | null
  person_id: string | null
  target_org_id: string | null
  summary: string
  payload: unknown
  requested_by: string
  requested_by_name: string | null
  requested_at: Date
  decided_by: string | null
  decided_by_name: string | null
  decided_at: Date | null
  decision_note: string | null
  result_employment_id: string | null
}

function toRequest(row: RequestRow): HrRequest {
  return {
    id: row.id,
    orgId: row.org_id,
    kind: row.kind,
    status: row.status,
    effectiveDate: row.effective_date,
    employmentId: row.employment_id,
    personId: row.person_id,
    targetOrgId: row.target_org_id,
    summary: row.summary,
    payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
    requestedBy: row.requested_by,
    requestedByName: row.requested_by_name,
    requestedAt: new Date(row.requested_at).toISOString(),
    decidedBy: row.decided_by,
    decidedByName: row.decided_by_name,
    decidedAt: row.decided_at ? new Date(row.decided_at).toISOString() : null,
    decisionNote: row.decision_note,
    resultEmploymentId: row.result_employment_id,
  }
}

function requestQuery(orgId: string) {
  return sql<RequestRow>`
    select r.id, r.org_id, r.kind, r.status, r.effective_date, r.employment_id, r.person_id, r.target_org_id,
      r.summary, r.payload, r.requested_by, ru.display_name as requested_by_name, r.requested_at,
      r.decided_by, du.display_name as decided_by_name, r.decided_at, r.decision_note, r.result_employment_id
    from hr_requests r
    left join users ru on ru.id = r.requested_by
    left join users du on du.id = r.decided_by
    where r.org_id = ${orgId}`
}

export async function getRequest(trx: Tx, orgId: string, requestId: string): Promise<HrRequest> {
  if (!isUuid(requestId)) throw new NotFoundError('No such request')
  const { rows } = await sql<RequestRow>`${requestQuery(orgId)} and r.id = ${requestId}`.execute(trx)
  if (!rows[0]) throw new NotFoundError('No such request')
  return toRequest(rows[0])
}

export async function listRequests(
  trx: Tx,
  orgId: string,
  options: {
    status?: HrRequestStatus | undefined
    personId?: string | undefined
    limit?: number | undefined
  } = {},
): Promise<HrRequest[]> {
  const limit = Math.min(options.limit ?? 100, REQUESTS_PER_PAGE_MAX)
  const { rows } = await sql<RequestRow>`${requestQuery(orgId)}
    ${options.status ? sql`and r.status = ${options.status}` : sql``}
    ${options.personId ? sql`and r.person_id = ${options.personId}` : sql``}
    order by r.requested_at desc, r.id limit ${limit}`.execute(trx)
  return rows.map(toRequest)
}

export async function getLeaver(trx: Tx, orgId: string, employmentId: string): Promise<LeaverRecord | null> {
  const row = await trx
    .selectFrom('hr_leavers')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('employment_id', '=', employmentId)
    .executeTakeFirst()
  if (!row) return null
  return {
    employmentId: row.employment_id,
    lastWorkingDay: row.last_working_day,
    leavingReason: row.leaving_reason,
    untakenLeaveDays: String(row.untaken_leave_days),
    dailyRatePence: Number(row.daily_rate_pence),
    payInLieuPence: Number(row.pay_in_lieu_pence),
    leaveBasis: row.leave_basis,
    p45Required: row.p45_required,
  }
}

export interface LeaverListItem extends LeaverRecord {
  personId: string
  forenames: string
  surname: string
  niNumber: string | null
  employeeNumber: string
  /** The tax code in force on the last working day (for the P45). */
  taxCode: string | null
  week1Month1: boolean | null
  finalPayProcessed: boolean
}

/** Leavers whose last day is on or after `since`, for payroll's final pay and P45s. */
export async function listLeavers(trx: Tx, orgId: string, since = '1900-01-01'): Promise<LeaverListItem[]> {
  const { rows } = await sql<{
    employment_id: string
    last_working_day: string
    leaving_reason: string
    untaken_leave_days: string
    daily_rate_pence: number
    pay_in_lieu_pence: number
    leave_basis: 'absence' | 'grade-pro-rata'
    p45_required: boolean
    final_pay_processed_at: Date | null
    person_id: string
    forenames: string
    surname: string
    ni_number: string | null
    employee_number: string
    tax_code: string | null
    week1_month1: boolean | null
  }>`
    select l.employment_id, l.last_working_day, l.leaving_reason, l.untaken_leave_days::text as untaken_leave_days,
      l.daily_rate_pence, l.pay_in_lieu_pence, l.leave_basis, l.p45_required, l.final_pay_processed_at,
      p.id as person_id, p.forenames, p.surname, p.ni_number, e.employee_number, tc.tax_code, tc.week1_month1
    from hr_leavers l
    join employments e on e.org_id = l.org_id and e.id = l.employment_id
    join people p on p.id = e.person_id
    left join tax_codes tc on tc.org_id = l.org_id and tc.employment_id = l.employment_id
      and tc.valid_from <= l.last_working_day and (tc.valid_to is null or tc.valid_to > l.last_working_day)
    where l.org_id = ${orgId} and l.last_working_day >= ${since}::date
    order by l.last_working_day desc, e.employee_number
    limit 1000`.execute(trx)
  return rows.map((row) => ({
    employmentId: row.employment_id,
    lastWorkingDay: row.last_working_day,
    leavingReason: row.leaving_reason,
    untakenLeaveDays: row.untaken_leave_days,
    dailyRatePence: Number(row.daily_rate_pence),
    payInLieuPence: Number(row.pay_in_lieu_pence),
    leaveBasis: row.leave_basis,
    p45Required: row.p45_required,
    personId: row.person_id,
    forenames: row.forenames,
    surname: row.surname,
    niNumber: row.ni_number,
    employeeNumber: row.employee_number,
    taxCode: row.tax_code,
    week1Month1: row.week1_month1,
    finalPayProcessed: row.final_pay_processed_at !== null,
  }))
}
