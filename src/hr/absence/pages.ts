// Absence pages for HR officers: the organisation's open and recent sickness, family leave and
// leave requests, and forms to record sickness and family leave (the employee named by employee
// number). GOV.UK patterns, no JavaScript; failed posts re-render with the errors and values.
import type { FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import { AppError, NotFoundError, ValidationError } from '../../platform/errors.ts'
import type { App } from '../../platform/http/app.ts'
import { formErrors } from '../../platform/http/views.ts'
import { can } from '../../platform/tenancy.ts'
import { OrgParams } from '../self-service/schema.ts'
import type { AbsenceService } from './service.ts'
import {
  FAMILY_LEAVE_TYPES,
  type FamilyLeaveType,
  SICKNESS_CATEGORIES,
  type SicknessCategory,
} from './tables.ts'

export const absencePaths = {
  overview: (org: string) => `/orgs/${encodeURIComponent(org)}/hr/absence`,
  newSickness: (org: string) => `/orgs/${encodeURIComponent(org)}/hr/absence/sickness/new`,
  newFamilyLeave: (org: string) => `/orgs/${encodeURIComponent(org)}/hr/absence/family-leave/new`,
}

function formText(request: FastifyRequest) {
  const body = (request.body ?? {}) as Record<string, unknown>
  return (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
}

const label = (value: string) => value.charAt(0).toUpperCase() + value.slice(1).replaceAll('-', ' ')

export async function absencePages(app: App, absence: AbsenceService): Promise<void> {
  const read = { permission: 'hr:read' as const, kind: 'page' as const }
  const manage = { permission: 'hr:manage' as const, kind: 'page' as const }
  const crumbs = (orgCode: string, orgName: string, extra: Array<{ text: string; href: string }> = []) => [
    { text: 'Home', href: '/' },
    { text: `HR – ${orgName}`, href: `/orgs/${encodeURIComponent(orgCode)}/hr` },
    ...extra,
  ]

  /** The employment with this employee number, named in the error when there is none. */
  const employmentByNumber = async (request: FastifyRequest, employeeNumber: string) => {
    const row = await request.withTx((trx) =>
      trx
        .selectFrom('employments')
        .select('id')
        .where('org_id', '=', request.org!.id)
        .where('employee_number', '=', employeeNumber.toUpperCase())
        .executeTakeFirst(),
    )
    if (!row)
      throw new ValidationError('There is no employee with that number', [
        {
          field: '/employeeNumber',
          message: employeeNumber
            ? `There is no employee number ${employeeNumber} in this organisation`
            : 'Enter the employee number',
        },
      ])
    return row.id
  }

  app.get(
    '/orgs/:orgCode/hr/absence',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const data = await request.withTx(async (trx) => {
        const name = sql<string>`coalesce(p.preferred_name, p.forenames) || ' ' || p.surname`
        const sickness = await trx
          .selectFrom('sickness_absences as s')
          .innerJoin('employments as e', (join) =>
            join.onRef('e.org_id', '=', 's.org_id').onRef('e.id', '=', 's.employment_id'),
          )
          .innerJoin('people as p', 'p.id', 'e.person_id')
          .select([
            's.start_date',
            's.end_date',
            's.category',
            's.fit_note_to',
            'e.employee_number',
            name.as('name'),
          ])
          .where('s.org_id', '=', org.id)
          .orderBy('s.start_date', 'desc')
          .limit(100)
          .execute()
        const family = await trx
          .selectFrom('family_leaves as f')
          .innerJoin('employments as e', (join) =>
            join.onRef('e.org_id', '=', 'f.org_id').onRef('e.id', '=', 'f.employment_id'),
          )
          .innerJoin('people as p', 'p.id', 'e.person_id')
          .select([
            'f.leave_type',
            'f.start_date',
            'f.end_date',
            'f.statutory_pay_weeks',
            'e.employee_number',
            name.as('name'),
          ])
          .where('f.org_id', '=', org.id)
          .orderBy('f.start_date', 'desc')
          .limit(100)
          .execute()
        const pending = await absence.listRequests(trx, org.id, { status: 'pending' }, 100)
        return { sickness, family, pendingCount: pending.length }
      })
      const query = request.query as Record<string, string>
      return reply.page('hr/absence/views/overview.njk', {
        pageTitle: `Absence – ${org.name}`,
        org,
        ...data,
        sickness: data.sickness.map((row) => ({ ...row, category: label(row.category) })),
        family: data.family.map((row) => ({ ...row, leave_type: label(row.leave_type) })),
        recorded: query.recorded,
        canManage: can(request.principal!, 'hr:manage', org.id),
        breadcrumbs: crumbs(org.code, org.name),
        paths: absencePaths,
      })
    },
  )

  const sicknessForm = (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    return {
      pageTitle: `Record sickness absence – ${org.name}`,
      org,
      values,
      errors,
      categoryItems: SICKNESS_CATEGORIES.map((value) => ({
        value,
        text: label(value),
        selected: values.category === value,
      })),
      breadcrumbs: crumbs(org.code, org.name, [{ text: 'Absence', href: absencePaths.overview(org.code) }]),
      paths: absencePaths,
    }
  }
  app.get(
    '/orgs/:orgCode/hr/absence/sickness/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) =>
      reply.page(
        'hr/absence/views/sickness-new.njk',
        sicknessForm(request, { category: 'other', qualifyingDays: ['1', '2', '3', '4', '5'] }),
      ),
  )
  app.post(
    '/orgs/:orgCode/hr/absence/sickness/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const body = (request.body ?? {}) as Record<string, unknown>
      const qualifying = ([] as unknown[])
        .concat(body.qualifyingDays ?? [])
        .filter((v): v is string => typeof v === 'string')
      const values = {
        employeeNumber: text('employeeNumber'),
        startDate: text('startDate'),
        endDate: text('endDate'),
        reason: text('reason'),
        category: text('category'),
        notifiedOn: text('notifiedOn'),
        workRelated: text('workRelated') === 'yes',
        fitNoteFrom: text('fitNoteFrom'),
        fitNoteTo: text('fitNoteTo'),
        fitNoteReceivedOn: text('fitNoteReceivedOn'),
        qualifyingDays: qualifying,
      }
      try {
        const employmentId = await employmentByNumber(request, values.employeeNumber)
        await request.withTx((trx) =>
          absence.recordSickness(
            trx,
            org.id,
            employmentId,
            {
              startDate: values.startDate,
              endDate: values.endDate || undefined,
              reason: values.reason,
              category: (SICKNESS_CATEGORIES as readonly string[]).includes(values.category)
                ? (values.category as SicknessCategory)
                : 'other',
              notifiedOn: values.notifiedOn,
              workRelated: values.workRelated,
              fitNoteFrom: values.fitNoteFrom || undefined,
              fitNoteTo: values.fitNoteTo || undefined,
              fitNoteReceivedOn: values.fitNoteReceivedOn || undefined,
              qualifyingDays: qualifying.length ? qualifying.map(Number) : [],
            },
            request.principal!.userId,
          ),
        )
        return reply.redirect(`${absencePaths.overview(org.code)}?recorded=sickness`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error instanceof NotFoundError) throw error
        reply.code(error.status)
        const fields = error.fieldErrors.length
          ? error.fieldErrors
          : [{ field: '/employeeNumber', message: error.message }]
        return reply.page(
          'hr/absence/views/sickness-new.njk',
          sicknessForm(request, values, formErrors(fields)),
        )
      }
    },
  )

  const familyForm = (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    return {
      pageTitle: `Record family leave – ${org.name}`,
      org,
      values,
      errors,
      typeItems: FAMILY_LEAVE_TYPES.map((value) => ({
        value,
        text: label(value),
        checked: values.leaveType === value,
      })),
      breadcrumbs: crumbs(org.code, org.name, [{ text: 'Absence', href: absencePaths.overview(org.code) }]),
      paths: absencePaths,
    }
  }
  app.get(
    '/orgs/:orgCode/hr/absence/family-leave/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => reply.page('hr/absence/views/family-leave-new.njk', familyForm(request, {})),
  )
  app.post(
    '/orgs/:orgCode/hr/absence/family-leave/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = {
        employeeNumber: text('employeeNumber'),
        leaveType: text('leaveType'),
        expectedWeekStart: text('expectedWeekStart'),
        childBornOn: text('childBornOn'),
        matchedOn: text('matchedOn'),
        placementOn: text('placementOn'),
        startDate: text('startDate'),
        endDate: text('endDate'),
        statutoryPayWeeks: text('statutoryPayWeeks'),
        noticeGivenOn: text('noticeGivenOn'),
        evidenceReceivedOn: text('evidenceReceivedOn'),
      }
      try {
        if (!(FAMILY_LEAVE_TYPES as readonly string[]).includes(values.leaveType))
          throw new ValidationError('Choose the type of leave', [
            { field: '/leaveType', message: 'Choose the type of leave' },
          ])
        const weeks = values.statutoryPayWeeks === '' ? 0 : Number(values.statutoryPayWeeks)
        const employmentId = await employmentByNumber(request, values.employeeNumber)
        await request.withTx((trx) =>
          absence.recordFamilyLeave(
            trx,
            org.id,
            employmentId,
            {
              leaveType: values.leaveType as FamilyLeaveType,
              expectedWeekStart: values.expectedWeekStart || undefined,
              childBornOn: values.childBornOn || undefined,
              matchedOn: values.matchedOn || undefined,
              placementOn: values.placementOn || undefined,
              startDate: values.startDate,
              endDate: values.endDate,
              statutoryPayWeeks: Number.isInteger(weeks) ? weeks : -1,
              noticeGivenOn: values.noticeGivenOn || undefined,
              evidenceReceivedOn: values.evidenceReceivedOn || undefined,
            },
            request.principal!.userId,
          ),
        )
        return reply.redirect(`${absencePaths.overview(org.code)}?recorded=family`, 303)
      } catch (error) {
        if (!(error instanceof AppError) || error instanceof NotFoundError) throw error
        reply.code(error.status)
        const fields = error.fieldErrors.length
          ? error.fieldErrors
          : [{ field: '/employeeNumber', message: error.message }]
        return reply.page(
          'hr/absence/views/family-leave-new.njk',
          familyForm(request, values, formErrors(fields)),
        )
      }
    },
  )
}
