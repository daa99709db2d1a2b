// Self-service: what an employee and a line manager see and do, over the absence and expenses
// services. Every method starts from the signed-in user (selfContext) and reaches only their own
// records or, for decisions, those of people they manage today.
import type { LedgerService } from '../../finance/ledger.ts'
import type { Tx } from '../../platform/db/index.ts'
import { leaveBalanceDetail } from '../absence/balance.ts'
import { AbsenceService, type LeaveRequestInput } from '../absence/service.ts'
import { type ClaimInput, ExpenseService, type ReceiptInput } from '../expenses/service.ts'
import {
  currentEmployments,
  locateClaim,
  locateLeaveRequest,
  ownEmployment,
  type SelfContext,
  selfContext,
} from './access.ts'
import { reportsOfPerson } from './team.ts'

export class SelfService {
  readonly absence: AbsenceService
  readonly expenses: ExpenseService
  constructor(ledger: LedgerService) {
    this.absence = new AbsenceService()
    this.expenses = new ExpenseService(ledger)
  }

  context(trx: Tx, userId: string, today: string): Promise<SelfContext> {
    return selfContext(trx, userId, today)
  }

  /** The caller's own details and employments. */
  async me(trx: Tx, userId: string, today: string) {
    const context = await selfContext(trx, userId, today)
    const person = await trx
      .selectFrom('people')
      .select([
        'forenames',
        'surname',
        'preferred_name',
        'date_of_birth',
        'ni_number',
        'email',
        'phone',
        'address_line1',
        'address_line2',
        'town',
        'postcode',
      ])
      .where('id', '=', context.person.id)
      .executeTakeFirstOrThrow()
    return {
      personId: context.person.id,
      forenames: person.forenames,
      surname: person.surname,
      preferredName: person.preferred_name,
      dateOfBirth: person.date_of_birth,
      niNumber: person.ni_number,
      email: person.email,
      phone: person.phone,
      address:
        [person.address_line1, person.address_line2, person.town, person.postcode]
          .filter(Boolean)
          .join(', ') || null,
      employments: context.employments,
    }
  }

  /** Balances for each current employment, and the caller's requests (newest first). */
  async leave(trx: Tx, userId: string, today: string) {
    const context = await selfContext(trx, userId, today)
    const balances = []
    for (const employment of currentEmployments(context)) {
      balances.push({
        employmentId: employment.employmentId,
        orgName: employment.orgName,
        positionTitle: employment.positionTitle,
        ...(await leaveBalanceDetail(trx, employment.orgId, employment.employmentId, today)),
      })
    }
    const requests = []
    for (const orgId of new Set(context.employments.map((employment) => employment.orgId))) {
      const ids = context.employments.filter((e) => e.orgId === orgId).map((e) => e.employmentId)
      requests.push(...(await this.absence.listRequests(trx, orgId, { employmentIds: ids })))
    }
    requests.sort((a, b) => (a.startDate < b.startDate ? 1 : -1))
    return { balances, requests }
  }

  async requestLeave(
    trx: Tx,
    userId: string,
    today: string,
    input: LeaveRequestInput & { employmentId?: string | undefined },
  ) {
    const context = await selfContext(trx, userId, today)
    const employment = ownEmployment(context, input.employmentId)
    return this.absence.requestLeave(trx, employment.orgId, employment.employmentId, input, userId)
  }

  async cancelLeave(trx: Tx, userId: string, today: string, requestId: string) {
    const context = await selfContext(trx, userId, today)
    const located = await locateLeaveRequest(trx, context, requestId, false)
    return this.absence.cancelLeave(trx, located.orgId, requestId, [located.employmentId], today)
  }

  /** A request of the caller's or of someone they manage, with whose it is. */
  async leaveRequest(trx: Tx, userId: string, today: string, requestId: string) {
    const context = await selfContext(trx, userId, today)
    const located = await locateLeaveRequest(trx, context, requestId, true)
    const request = await this.absence.getRequest(trx, located.orgId, requestId)
    const owner = await trx
      .selectFrom('employments as e')
      .innerJoin('people as p', 'p.id', 'e.person_id')
      .select(['p.forenames', 'p.surname', 'p.preferred_name'])
      .where('e.org_id', '=', located.orgId)
      .where('e.id', '=', located.employmentId)
      .executeTakeFirstOrThrow()
    const balance = await leaveBalanceDetail(trx, located.orgId, located.employmentId, request.startDate)
    return {
      request,
      mine: located.mine,
      canDecide: !located.mine && request.status === 'pending',
      employeeName: `${owner.preferred_name ?? owner.forenames} ${owner.surname}`,
      balance,
    }
  }

  async decideLeave(
    trx: Tx,
    userId: string,
    today: string,
    requestId: string,
    decision: 'approve' | 'reject',
    note?: string,
  ) {
    const context = await selfContext(trx, userId, today)
    // Refuses the caller's own request with a clear message; someone else's unrelated request is not found.
    const row = await trx
      .selectFrom('leave_requests')
      .select(['org_id', 'employment_id'])
      .where('id', '=', requestId)
      .executeTakeFirst()
    const orgId =
      row && context.employments.some((e) => e.employmentId === row.employment_id)
        ? row.org_id
        : (await locateLeaveRequest(trx, context, requestId, true)).orgId
    return this.absence.decideLeave(trx, orgId, requestId, decision, userId, note, today)
  }

  /** The caller's team today, with their pending leave requests and claims. */
  async team(trx: Tx, userId: string, today: string) {
    const context = await selfContext(trx, userId, today)
    const members = await reportsOfPerson(trx, context.person.id, today)
    const pendingLeave = []
    const pendingClaims = []
    for (const orgId of new Set(members.map((member) => member.orgId))) {
      const ids = members.filter((m) => m.orgId === orgId).map((m) => m.employmentId)
      pendingLeave.push(
        ...(await this.absence.listRequests(trx, orgId, { employmentIds: ids, status: 'pending' })),
      )
      pendingClaims.push(
        ...(await this.expenses.listClaims(trx, orgId, { employmentIds: ids, status: 'submitted' })),
      )
    }
    const nameOf = (employmentId: string) => members.find((m) => m.employmentId === employmentId)?.name ?? ''
    return {
      members,
      pendingLeave: pendingLeave.map((request) => ({
        ...request,
        employeeName: nameOf(request.employmentId),
      })),
      pendingClaims: pendingClaims.map((claim) => ({ ...claim, employeeName: nameOf(claim.employmentId) })),
    }
  }

  async claims(trx: Tx, userId: string, today: string) {
    const context = await selfContext(trx, userId, today)
    const claims = []
    for (const orgId of new Set(context.employments.map((employment) => employment.orgId))) {
      const ids = context.employments.filter((e) => e.orgId === orgId).map((e) => e.employmentId)
      claims.push(...(await this.expenses.listClaims(trx, orgId, { employmentIds: ids })))
    }
    return claims
  }

  async createClaim(
    trx: Tx,
    userId: string,
    today: string,
    input: ClaimInput & { employmentId?: string | undefined },
  ) {
    const context = await selfContext(trx, userId, today)
    const employment = ownEmployment(context, input.employmentId)
    return this.expenses.createClaim(trx, employment.orgId, employment.employmentId, input, userId, today)
  }

  async claim(trx: Tx, userId: string, today: string, claimId: string) {
    const context = await selfContext(trx, userId, today)
    const located = await locateClaim(trx, context, claimId, true)
    const claim = await this.expenses.getClaim(trx, located.orgId, claimId)
    const owner = await trx
      .selectFrom('employments as e')
      .innerJoin('people as p', 'p.id', 'e.person_id')
      .select(['p.forenames', 'p.surname', 'p.preferred_name'])
      .where('e.org_id', '=', located.orgId)
      .where('e.id', '=', located.employmentId)
      .executeTakeFirstOrThrow()
    return {
      claim,
      mine: located.mine,
      canDecide: !located.mine && claim.status === 'submitted',
      employeeName: `${owner.preferred_name ?? owner.forenames} ${owner.surname}`,
    }
  }

  async addReceipt(trx: Tx, userId: string, today: string, claimId: string, input: ReceiptInput) {
    const context = await selfContext(trx, userId, today)
    const located = await locateClaim(trx, context, claimId, false)
    return this.expenses.addReceipt(trx, located.orgId, claimId, input, userId)
  }

  async receipt(trx: Tx, userId: string, today: string, claimId: string, receiptId: string) {
    const context = await selfContext(trx, userId, today)
    const located = await locateClaim(trx, context, claimId, true)
    return this.expenses.getReceipt(trx, located.orgId, claimId, receiptId)
  }

  async submitClaim(trx: Tx, userId: string, today: string, claimId: string) {
    const context = await selfContext(trx, userId, today)
    const located = await locateClaim(trx, context, claimId, false)
    return this.expenses.submitClaim(trx, located.orgId, claimId, today)
  }

  async decideClaim(
    trx: Tx,
    userId: string,
    today: string,
    claimId: string,
    decision: 'approve' | 'reject',
    note?: string,
  ) {
    const context = await selfContext(trx, userId, today)
    const row = await trx
      .selectFrom('expense_claims')
      .select(['org_id', 'employment_id'])
      .where('id', '=', claimId)
      .executeTakeFirst()
    const orgId =
      row && context.employments.some((e) => e.employmentId === row.employment_id)
        ? row.org_id
        : (await locateClaim(trx, context, claimId, true)).orgId
    return this.expenses.decideClaim(trx, orgId, claimId, decision, userId, note, today)
  }
}
