// The HR pages: people (search, a person's record as at any date), the joiner, mover, leaver and
// loan/transfer journeys, the approvals queue, and the organisation structure. GOV.UK patterns;
// every form works without JavaScript, posts its _csrf token, re-renders with the error summary
// and the values typed when it fails, and redirects when it succeeds (post/redirect/get).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { formErrors } from '../platform/http/views.ts'
import { MoneyFormatError, parseMoney } from '../platform/money.ts'
import { can } from '../platform/tenancy.ts'
import { addDays, todayIso } from './dates.ts'
import {
  approveRequest,
  getLeaver,
  getRequest,
  type HrRequest,
  type JoinerPayload,
  listRequests,
  type MoverPayload,
  rejectRequest,
  submitRequest,
  withdrawRequest,
} from './jml.ts'
import { employmentAsAt, headcountAsAt, managerOf } from './people.ts'
import {
  CONTRACT_TYPES,
  cancelFutureTerms,
  createPosition,
  createUnit,
  DIVERSITY_CHOICES,
  employmentsOfPerson,
  getDiversity,
  getEmployment,
  getPayrollDetails,
  getPerson,
  listCostCentres,
  listGrades,
  listPayScales,
  listPeople,
  listPositions,
  listTaxCodes,
  listUnits,
  setDiversity,
  setTaxCodeFrom,
  termsAsAt,
  termsHistory,
  updatePerson,
} from './records.ts'
import { orgIdOf, toRequestInput, withRequestScope } from './routes.ts'
import { EmploymentParams, OrgParams, PersonParams, RequestParams } from './schema.ts'

const enc = encodeURIComponent
export const hrPaths = {
  home: (org: string) => `/orgs/${enc(org)}/hr`,
  people: (org: string) => `/orgs/${enc(org)}/hr/people`,
  person: (org: string, id: string) => `/orgs/${enc(org)}/hr/people/${enc(id)}`,
  joiner: (org: string) => `/orgs/${enc(org)}/hr/joiners/new`,
  move: (org: string, employmentId: string) => `/orgs/${enc(org)}/hr/employments/${enc(employmentId)}/move`,
  leave: (org: string, employmentId: string) => `/orgs/${enc(org)}/hr/employments/${enc(employmentId)}/leave`,
  movement: (org: string, employmentId: string) =>
    `/orgs/${enc(org)}/hr/employments/${enc(employmentId)}/loan-or-transfer`,
  taxCode: (org: string, employmentId: string) =>
    `/orgs/${enc(org)}/hr/employments/${enc(employmentId)}/tax-code`,
  cancelChange: (org: string, employmentId: string) =>
    `/orgs/${enc(org)}/hr/employments/${enc(employmentId)}/cancel-change`,
  requests: (org: string) => `/orgs/${enc(org)}/hr/requests`,
  request: (org: string, id: string) => `/orgs/${enc(org)}/hr/requests/${enc(id)}`,
  approve: (org: string, id: string) => `/orgs/${enc(org)}/hr/requests/${enc(id)}/approve`,
  reject: (org: string, id: string) => `/orgs/${enc(org)}/hr/requests/${enc(id)}/reject`,
  withdraw: (org: string, id: string) => `/orgs/${enc(org)}/hr/requests/${enc(id)}/withdraw`,
  structure: (org: string) => `/orgs/${enc(org)}/hr/structure`,
  newUnit: (org: string) => `/orgs/${enc(org)}/hr/structure/units/new`,
  newPost: (org: string) => `/orgs/${enc(org)}/hr/structure/posts/new`,
  editPerson: (org: string, id: string) => `/orgs/${enc(org)}/hr/people/${enc(id)}/edit`,
  diversity: (org: string, id: string) => `/orgs/${enc(org)}/hr/people/${enc(id)}/diversity`,
}

const STATUS_TAGS: Record<string, string> = {
  submitted: 'govuk-tag--blue',
  applied: 'govuk-tag--green',
  rejected: 'govuk-tag--red',
  withdrawn: 'govuk-tag--grey',
}
const KIND_LABELS: Record<string, string> = {
  joiner: 'Joiner',
  mover: 'Change',
  leaver: 'Leaver',
  loan: 'Loan',
  transfer: 'Transfer',
}

const isDate = (value: unknown): value is string =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)

function formText(request: FastifyRequest) {
  const body = (request.body ?? {}) as Record<string, unknown>
  return (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '')
}

/** Field errors of nested JSON pointers (/person/niNumber) mapped to the form's field names. */
function pageErrors(error: AppError, rename: Record<string, string> = {}) {
  const flat = error.fieldErrors.map((each) => {
    const last = each.field.split('/').filter(Boolean).at(-1) ?? ''
    return { field: `/${rename[last] ?? last}`, message: each.message }
  })
  if (flat.length === 0) flat.push({ field: '/', message: error.message })
  return formErrors(flat)
}

/** A failed form post: field errors re-render the form; anything else is the error page. */
async function refuse(
  error: unknown,
  reply: FastifyReply,
  render: (errors: ReturnType<typeof formErrors>) => Promise<unknown>,
) {
  if (!(error instanceof AppError)) throw error
  if (error.fieldErrors.length === 0 && error.status >= 500) throw error
  reply.code(error.status)
  return render(pageErrors(error, { annualSalaryPence: 'salary' }))
}

/** "43,000" or "43000.50" → pence; blank → undefined; nonsense → NaN (the service names it). */
function poundsToPence(text: string): number | undefined {
  if (!text) return undefined
  try {
    return parseMoney(text, { allowSeparators: true })
  } catch (error) {
    if (error instanceof MoneyFormatError) return Number.NaN
    throw error
  }
}

export async function hrPages(app: App): Promise<void> {
  const read = { permission: 'hr:read' as const, kind: 'page' as const }
  const manage = { permission: 'hr:manage' as const, kind: 'page' as const }
  const crumbs = (org: { code: string; name: string }, ...more: Array<{ text: string; href: string }>) => [
    { text: 'Home', href: '/' },
    { text: `HR – ${org.name}`, href: hrPaths.home(org.code) },
    ...more,
  ]

  app.get('/hr', { config: read, schema: { hide: true } }, async (request, reply) => {
    // The domain's front door: the HR home of the organisation being acted for.
    const acting = request.tenant.actingOrgId
    const org = acting
      ? await request.withTx((trx) =>
          trx.selectFrom('organisations').select('code').where('id', '=', acting).executeTakeFirst(),
        )
      : undefined
    if (org && can(request.principal!, 'hr:read', acting!)) return reply.redirect(hrPaths.home(org.code))
    return reply.page('hr/views/choose.njk', { pageTitle: 'HR' })
  })

  app.get(
    '/orgs/:orgCode/hr',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const today = todayIso()
      const [count, pending] = await request.withTx(async (trx) => [
        await headcountAsAt(trx, org.id, today),
        await listRequests(trx, org.id, { status: 'submitted' }),
      ])
      return reply.page('hr/views/home.njk', {
        pageTitle: `HR – ${org.name}`,
        org,
        today,
        headcount: count.headcount,
        fte: count.fte,
        pending: pending.length,
        canManage: can(request.principal!, 'hr:manage', org.id),
        breadcrumbs: [{ text: 'Home', href: '/' }],
        paths: hrPaths,
      })
    },
  )

  // --- People ---------------------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/hr/people',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const query = request.query as Record<string, string | undefined>
      const search = (query.search ?? '').slice(0, 100)
      const asAt = isDate(query.asAt) ? query.asAt : todayIso()
      const people = await request.withTx((trx) => listPeople(trx, org.id, { search, asAt }))
      return reply.page('hr/views/people.njk', {
        pageTitle: `People – ${org.name}`,
        org,
        search,
        asAt,
        people,
        canManage: can(request.principal!, 'hr:manage', org.id),
        breadcrumbs: crumbs(org),
        paths: hrPaths,
      })
    },
  )

  app.get(
    '/orgs/:orgCode/hr/people/:personId',
    { config: read, schema: { hide: true, params: PersonParams } },
    async (request, reply) => {
      const org = request.org!
      const query = request.query as Record<string, string | undefined>
      const asAt = isDate(query.asAt) ? query.asAt : todayIso()
      const mayDiversity = can(request.principal!, 'hr:diversity:read', org.id)
      const view = await request.withTx(async (trx) => {
        const person = await getPerson(trx, request.params.personId)
        const all = await employmentsOfPerson(trx, person.id)
        const here = all.filter((e) => e.orgId === org.id)
        if (person.homeOrgId !== org.id && here.length === 0) throw new NotFoundError('No such person')
        const employments = []
        for (const employment of here) {
          employments.push({
            ...employment,
            asAt: await termsAsAt(trx, org.id, employment.id, asAt),
            // Shown with the last day of each version (valid_to is the first day of the next).
            history: (await termsHistory(trx, org.id, employment.id)).map((v) => ({
              ...v,
              lastDay: v.validTo ? addDays(v.validTo, -1) : null,
            })),
            payroll: await getPayrollDetails(trx, org.id, employment.id),
            taxCodes: (await listTaxCodes(trx, org.id, employment.id)).map((c) => ({
              ...c,
              lastDay: c.validTo ? addDays(c.validTo, -1) : null,
            })),
            leaver: await getLeaver(trx, org.id, employment.id),
            manager: await managerOf(trx, org.id, employment.id, asAt),
            inForce: (await employmentAsAt(trx, org.id, employment.id, asAt)) !== null,
          })
        }
        const elsewhere = []
        for (const employment of all.filter((e) => e.orgId !== org.id)) {
          const other = await trx
            .selectFrom('organisations')
            .select('name')
            .where('id', '=', employment.orgId)
            .executeTakeFirst()
          elsewhere.push({ ...employment, orgName: other?.name ?? '' })
        }
        return {
          person,
          employments,
          elsewhere,
          diversity: mayDiversity ? await getDiversity(trx, org.id, person.id) : null,
          requests: await listRequests(trx, org.id, { personId: person.id, limit: 20 }),
        }
      })
      return reply.page('hr/views/person.njk', {
        pageTitle: `${view.person.forenames} ${view.person.surname} – ${org.name}`,
        org,
        asAt,
        today: todayIso(),
        ...view,
        requests: view.requests.map((r) => ({
          ...r,
          tag: STATUS_TAGS[r.status],
          kindLabel: KIND_LABELS[r.kind],
        })),
        mayDiversity,
        canManage: can(request.principal!, 'hr:manage', org.id),
        submitted: query.submitted === '1',
        cancelled: query.cancelled === '1',
        changed: query.changed === '1',
        breadcrumbs: crumbs(org, { text: 'People', href: hrPaths.people(org.code) }),
        paths: hrPaths,
      })
    },
  )

  // --- Joiner ---------------------------------------------------------------------------------
  const joinerForm = async (
    request: FastifyRequest,
    values: Record<string, unknown>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const today = todayIso()
    const [positions, costCentres] = await request.withTx(async (trx) => [
      await listPositions(trx, org.id, today),
      await listCostCentres(trx, org.id),
    ])
    return {
      pageTitle: `New joiner – ${org.name}`,
      org,
      values,
      errors,
      positionItems: [
        { value: '', text: 'Choose a post' },
        ...positions
          .filter((p) => p.abolishedOn === null)
          .map((p) => ({
            value: p.id,
            text: `${p.code} ${p.title} (${p.gradeCode}, ${p.unitName})${p.holders.length === 0 ? ' – vacant' : ''}`,
            selected: p.id === values.positionId,
          })),
      ],
      costCentreItems: [
        { value: '', text: 'The post’s cost centre' },
        ...costCentres.map((c) => ({
          value: c.code,
          text: `${c.code} ${c.name}`,
          selected: c.code === values.costCentreCode,
        })),
      ],
      contractItems: CONTRACT_TYPES.map((type) => ({
        value: type,
        text: type[0]!.toUpperCase() + type.slice(1).replace('-', ' '),
        checked: values.contractType === type,
      })),
      breadcrumbs: crumbs(org, { text: 'People', href: hrPaths.people(org.code) }),
      paths: hrPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/hr/joiners/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) =>
      reply.page(
        'hr/views/joiner.njk',
        await joinerForm(request, {
          contractType: 'permanent',
          fte: '1',
          hoursPerWeek: '37',
          daysPerWeek: '5',
        }),
      ),
  )
  app.post(
    '/orgs/:orgCode/hr/joiners/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const names = [
        'forenames',
        'surname',
        'dateOfBirth',
        'niNumber',
        'email',
        'phone',
        'addressLine1',
        'addressLine2',
        'town',
        'postcode',
        'employeeNumber',
        'contractType',
        'startDate',
        'expectedEndDate',
        'positionId',
        'costCentreCode',
        'fte',
        'hoursPerWeek',
        'daysPerWeek',
        'salary',
        'starterDeclaration',
        'taxCode',
        'bankAccountName',
        'bankSortCode',
        'bankAccountNumber',
        'studentLoanPlan',
        'pensionScheme',
      ]
      const values = Object.fromEntries(names.map((name) => [name, text(name)]))
      const salary = poundsToPence(values.salary!)
      const optional = (name: string) => values[name] || undefined
      const payload: JoinerPayload = {
        person: {
          forenames: values.forenames!,
          surname: values.surname!,
          dateOfBirth: values.dateOfBirth!,
          niNumber: optional('niNumber'),
          email: optional('email'),
          phone: optional('phone'),
          addressLine1: optional('addressLine1'),
          addressLine2: optional('addressLine2'),
          town: optional('town'),
          postcode: optional('postcode'),
        },
        employment: {
          employeeNumber: optional('employeeNumber'),
          contractType: (values.contractType || 'permanent') as JoinerPayload['employment']['contractType'],
          startDate: values.startDate!,
          expectedEndDate: optional('expectedEndDate'),
        },
        terms: {
          positionId: values.positionId!,
          costCentreCode: optional('costCentreCode'),
          fte: values.fte!,
          hoursPerWeek: values.hoursPerWeek!,
          daysPerWeek: optional('daysPerWeek'),
          annualSalaryPence: salary ?? Number.NaN,
        },
        payroll: {
          starterDeclaration: optional('starterDeclaration') as 'A' | 'B' | 'C' | undefined,
          taxCode: optional('taxCode'),
          taxCodeSource: values.taxCode ? 'p45' : undefined,
          bankAccountName: optional('bankAccountName'),
          bankSortCode: optional('bankSortCode'),
          bankAccountNumber: optional('bankAccountNumber'),
          studentLoanPlans: values.studentLoanPlan ? [values.studentLoanPlan] : [],
          pensionScheme: (optional('pensionScheme') as 'alpha' | undefined) ?? 'alpha',
        },
      }
      try {
        const created = await request.withTx((trx) =>
          submitRequest(trx, org.id, { kind: 'joiner', payload }, request.principal!.userId),
        )
        return reply.redirect(`${hrPaths.request(org.code, created.id)}?submitted=1`, 303)
      } catch (error) {
        return refuse(error, reply, async (errors) =>
          reply.page('hr/views/joiner.njk', await joinerForm(request, values, errors)),
        )
      }
    },
  )

  // --- Mover and leaver -----------------------------------------------------------------------
  const employmentContext = async (request: FastifyRequest, employmentId: string) => {
    const org = request.org!
    return request.withTx(async (trx) => {
      const employment = await getEmployment(trx, org.id, employmentId)
      const person = await getPerson(trx, employment.personId)
      const current = await termsAsAt(trx, org.id, employmentId, todayIso())
      const positions = await listPositions(trx, org.id, todayIso())
      const grades = await listGrades(trx, org.id)
      const costCentres = await listCostCentres(trx, org.id)
      return { employment, person, current, positions, grades, costCentres }
    })
  }
  const moverForm = async (
    request: FastifyRequest,
    employmentId: string,
    values: Record<string, string>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const context = await employmentContext(request, employmentId)
    return {
      pageTitle: `Change ${context.person.forenames} ${context.person.surname}’s job or pay – ${org.name}`,
      org,
      ...context,
      values,
      errors,
      positionItems: [
        { value: '', text: 'No change of post' },
        ...context.positions
          .filter((p) => p.abolishedOn === null)
          .map((p) => ({
            value: p.id,
            text: `${p.code} ${p.title} (${p.gradeCode}, ${p.unitName})`,
            selected: p.id === values.positionId,
          })),
      ],
      gradeItems: [
        { value: '', text: 'No change (or the new post’s grade)' },
        ...context.grades.map((g) => ({
          value: g.code,
          text: `${g.code} ${g.name}`,
          selected: g.code === values.gradeCode,
        })),
      ],
      costCentreItems: [
        { value: '', text: 'No change (or the new post’s cost centre)' },
        ...context.costCentres.map((c) => ({
          value: c.code,
          text: `${c.code} ${c.name}`,
          selected: c.code === values.costCentreCode,
        })),
      ],
      breadcrumbs: crumbs(
        org,
        { text: 'People', href: hrPaths.people(org.code) },
        {
          text: `${context.person.forenames} ${context.person.surname}`,
          href: hrPaths.person(org.code, context.person.id),
        },
      ),
      paths: hrPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/hr/employments/:employmentId/move',
    { config: manage, schema: { hide: true, params: EmploymentParams } },
    async (request, reply) =>
      reply.page('hr/views/mover.njk', await moverForm(request, request.params.employmentId, {})),
  )
  app.post(
    '/orgs/:orgCode/hr/employments/:employmentId/move',
    { config: manage, schema: { hide: true, params: EmploymentParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const names = [
        'effectiveDate',
        'positionId',
        'gradeCode',
        'costCentreCode',
        'fte',
        'hoursPerWeek',
        'daysPerWeek',
        'salary',
        'reason',
      ]
      const values = Object.fromEntries(names.map((name) => [name, text(name)])) as Record<string, string>
      const payload: MoverPayload = {
        employmentId: request.params.employmentId,
        effectiveDate: values.effectiveDate!,
        reason: values.reason!,
        ...(values.positionId ? { positionId: values.positionId } : {}),
        ...(values.gradeCode ? { gradeCode: values.gradeCode } : {}),
        ...(values.costCentreCode ? { costCentreCode: values.costCentreCode } : {}),
        ...(values.fte ? { fte: values.fte } : {}),
        ...(values.hoursPerWeek ? { hoursPerWeek: values.hoursPerWeek } : {}),
        ...(values.daysPerWeek ? { daysPerWeek: values.daysPerWeek } : {}),
        ...(values.salary ? { annualSalaryPence: poundsToPence(values.salary) ?? Number.NaN } : {}),
      }
      try {
        const created = await request.withTx((trx) =>
          submitRequest(trx, org.id, { kind: 'mover', payload }, request.principal!.userId),
        )
        return reply.redirect(`${hrPaths.request(org.code, created.id)}?submitted=1`, 303)
      } catch (error) {
        return refuse(error, reply, async (errors) =>
          reply.page(
            'hr/views/mover.njk',
            await moverForm(request, request.params.employmentId, values, errors),
          ),
        )
      }
    },
  )

  const leaverForm = async (
    request: FastifyRequest,
    employmentId: string,
    values: Record<string, string>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const context = await employmentContext(request, employmentId)
    return {
      pageTitle: `${context.person.forenames} ${context.person.surname} is leaving – ${org.name}`,
      org,
      ...context,
      values,
      errors,
      breadcrumbs: crumbs(
        org,
        { text: 'People', href: hrPaths.people(org.code) },
        {
          text: `${context.person.forenames} ${context.person.surname}`,
          href: hrPaths.person(org.code, context.person.id),
        },
      ),
      paths: hrPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/hr/employments/:employmentId/leave',
    { config: manage, schema: { hide: true, params: EmploymentParams } },
    async (request, reply) =>
      reply.page(
        'hr/views/leaver.njk',
        await leaverForm(request, request.params.employmentId, { p45Required: 'yes' }),
      ),
  )
  app.post(
    '/orgs/:orgCode/hr/employments/:employmentId/leave',
    { config: manage, schema: { hide: true, params: EmploymentParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = {
        lastWorkingDay: text('lastWorkingDay'),
        reason: text('reason'),
        p45Required: text('p45Required'),
      }
      try {
        const created = await request.withTx((trx) =>
          submitRequest(
            trx,
            org.id,
            {
              kind: 'leaver',
              payload: {
                employmentId: request.params.employmentId,
                lastWorkingDay: values.lastWorkingDay,
                reason: values.reason,
                p45Required: values.p45Required !== 'no',
              },
            },
            request.principal!.userId,
          ),
        )
        return reply.redirect(`${hrPaths.request(org.code, created.id)}?submitted=1`, 303)
      } catch (error) {
        return refuse(error, reply, async (errors) =>
          reply.page(
            'hr/views/leaver.njk',
            await leaverForm(request, request.params.employmentId, values, errors),
          ),
        )
      }
    },
  )

  // --- Loan or transfer to another organisation -------------------------------------------------
  const movementForm = async (
    request: FastifyRequest,
    employmentId: string,
    values: Record<string, string>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const context = await employmentContext(request, employmentId)
    const principal = request.principal!
    // Receiving organisations: those where the user also holds hr:manage.
    const targets = await request.withTx((trx) =>
      trx.selectFrom('organisations').select(['id', 'code', 'name']).orderBy('name').execute(),
    )
    return {
      pageTitle: `Loan or transfer ${context.person.forenames} ${context.person.surname} – ${org.name}`,
      org,
      ...context,
      values,
      errors,
      targetItems: [
        { value: '', text: 'Choose an organisation' },
        ...targets
          .filter((t) => t.id !== org.id && can(principal, 'hr:manage', t.id))
          .map((t) => ({ value: t.code, text: t.name, selected: t.code === values.targetOrgCode })),
      ],
      breadcrumbs: crumbs(
        org,
        { text: 'People', href: hrPaths.people(org.code) },
        {
          text: `${context.person.forenames} ${context.person.surname}`,
          href: hrPaths.person(org.code, context.person.id),
        },
      ),
      paths: hrPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/hr/employments/:employmentId/loan-or-transfer',
    { config: manage, schema: { hide: true, params: EmploymentParams } },
    async (request, reply) =>
      reply.page(
        'hr/views/movement.njk',
        await movementForm(request, request.params.employmentId, {
          kind: 'loan',
          fte: '1',
          hoursPerWeek: '37',
        }),
      ),
  )
  app.post(
    '/orgs/:orgCode/hr/employments/:employmentId/loan-or-transfer',
    { config: manage, schema: { hide: true, params: EmploymentParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const names = [
        'kind',
        'targetOrgCode',
        'targetPostCode',
        'startDate',
        'expectedEndDate',
        'fte',
        'hoursPerWeek',
        'salary',
      ]
      const values = Object.fromEntries(names.map((name) => [name, text(name)])) as Record<string, string>
      try {
        const created = await request.withTx(async (trx) => {
          if (!values.targetOrgCode)
            throw new ValidationError('Choose the organisation', [
              { field: '/targetOrgCode', message: 'Choose the organisation the person moves to' },
            ])
          const targetOrgId = await orgIdOf(trx, values.targetOrgCode)
          return withRequestScope(request, trx, targetOrgId, async () => {
            // The post in the receiving organisation, by its post number.
            const post = await trx
              .selectFrom('positions')
              .select('id')
              .where('org_id', '=', targetOrgId)
              .where('code', '=', values.targetPostCode!.toUpperCase())
              .executeTakeFirst()
            const { input } = await toRequestInput(trx, {
              kind: values.kind === 'transfer' ? 'transfer' : 'loan',
              payload: {
                employmentId: request.params.employmentId,
                targetOrgCode: values.targetOrgCode,
                startDate: values.startDate,
                ...(values.expectedEndDate ? { expectedEndDate: values.expectedEndDate } : {}),
                terms: {
                  positionId: post?.id ?? '',
                  fte: values.fte,
                  hoursPerWeek: values.hoursPerWeek,
                  annualSalaryPence: poundsToPence(values.salary!) ?? Number.NaN,
                },
              },
            })
            return submitRequest(trx, org.id, input, request.principal!.userId)
          })
        })
        return reply.redirect(`${hrPaths.request(org.code, created.id)}?submitted=1`, 303)
      } catch (error) {
        return refuse(error, reply, async (errors) =>
          reply.page(
            'hr/views/movement.njk',
            await movementForm(
              request,
              request.params.employmentId,
              values,
              renameErrors(errors, { positionId: 'targetPostCode' }),
            ),
          ),
        )
      }
    },
  )

  // --- A tax code from a date (HMRC's P6 and P9 notices, or a correction) -----------------------
  const taxCodeForm = async (
    request: FastifyRequest,
    employmentId: string,
    values: Record<string, string>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const { employment, person } = await employmentContext(request, employmentId)
    const codes = await request.withTx((trx) => listTaxCodes(trx, org.id, employmentId))
    return {
      pageTitle: `New tax code for ${person.forenames} ${person.surname} – ${org.name}`,
      org,
      employment,
      person,
      codes,
      values,
      errors,
      breadcrumbs: crumbs(
        org,
        { text: 'People', href: hrPaths.people(org.code) },
        { text: `${person.forenames} ${person.surname}`, href: hrPaths.person(org.code, person.id) },
      ),
      paths: hrPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/hr/employments/:employmentId/tax-code',
    { config: manage, schema: { hide: true, params: EmploymentParams } },
    async (request, reply) =>
      reply.page(
        'hr/views/tax-code.njk',
        await taxCodeForm(request, request.params.employmentId, { source: 'p6' }),
      ),
  )
  app.post(
    '/orgs/:orgCode/hr/employments/:employmentId/tax-code',
    { config: manage, schema: { hide: true, params: EmploymentParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = {
        validFrom: text('validFrom'),
        taxCode: text('taxCode'),
        source: text('source'),
        week1Month1: text('week1Month1'),
      }
      try {
        const employment = await request.withTx(async (trx) => {
          await setTaxCodeFrom(trx, org.id, request.params.employmentId, {
            validFrom: values.validFrom,
            taxCode: values.taxCode,
            week1Month1: values.week1Month1 === 'yes',
            source: (['p6', 'p9', 'p45', 'manual'].includes(values.source)
              ? values.source
              : 'manual') as 'p6',
          })
          return getEmployment(trx, org.id, request.params.employmentId)
        })
        return reply.redirect(hrPaths.person(org.code, employment.personId), 303)
      } catch (error) {
        return refuse(error, reply, async (errors) =>
          reply.page(
            'hr/views/tax-code.njk',
            await taxCodeForm(request, request.params.employmentId, values, errors),
          ),
        )
      }
    },
  )

  app.post(
    '/orgs/:orgCode/hr/employments/:employmentId/cancel-change',
    { config: manage, schema: { hide: true, params: EmploymentParams } },
    async (request, reply) => {
      const org = request.org!
      const validFrom = formText(request)('validFrom')
      const employment = await request.withTx(async (trx) => {
        await cancelFutureTerms(trx, org.id, request.params.employmentId, validFrom)
        return getEmployment(trx, org.id, request.params.employmentId)
      })
      return reply.redirect(`${hrPaths.person(org.code, employment.personId)}?cancelled=1`, 303)
    },
  )

  // --- Correcting personal details and diversity answers ---------------------------------------
  const PERSON_FIELDS = [
    'forenames',
    'surname',
    'preferredName',
    'dateOfBirth',
    'niNumber',
    'email',
    'phone',
    'addressLine1',
    'addressLine2',
    'town',
    'postcode',
  ] as const
  const personForm = async (
    request: FastifyRequest,
    personId: string,
    values: Record<string, string> | null,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const person = await request.withTx((trx) => getPerson(trx, personId))
    const current =
      values ?? Object.fromEntries(PERSON_FIELDS.map((name) => [name, (person[name] as string | null) ?? '']))
    return {
      pageTitle: `Change ${person.forenames} ${person.surname}’s details – ${org.name}`,
      org,
      person,
      values: current,
      errors,
      homeHere: person.homeOrgId === org.id,
      breadcrumbs: crumbs(
        org,
        { text: 'People', href: hrPaths.people(org.code) },
        { text: `${person.forenames} ${person.surname}`, href: hrPaths.person(org.code, person.id) },
      ),
      paths: hrPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/hr/people/:personId/edit',
    { config: manage, schema: { hide: true, params: PersonParams } },
    async (request, reply) =>
      reply.page('hr/views/edit-person.njk', await personForm(request, request.params.personId, null)),
  )
  app.post(
    '/orgs/:orgCode/hr/people/:personId/edit',
    { config: manage, schema: { hide: true, params: PersonParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = Object.fromEntries(PERSON_FIELDS.map((name) => [name, text(name)])) as Record<
        string,
        string
      >
      try {
        await request.withTx((trx) =>
          updatePerson(trx, org.id, request.params.personId, {
            forenames: values.forenames!,
            surname: values.surname!,
            dateOfBirth: values.dateOfBirth!,
            ...Object.fromEntries(
              PERSON_FIELDS.slice(2)
                .filter((name) => name !== 'dateOfBirth' && values[name])
                .map((name) => [name, values[name]]),
            ),
          }),
        )
        return reply.redirect(`${hrPaths.person(org.code, request.params.personId)}?changed=1`, 303)
      } catch (error) {
        return refuse(error, reply, async (errors) =>
          reply.page(
            'hr/views/edit-person.njk',
            await personForm(request, request.params.personId, values, errors),
          ),
        )
      }
    },
  )

  const diversityPermission = { permission: 'hr:diversity:read' as const, kind: 'page' as const }
  const diversityForm = async (
    request: FastifyRequest,
    personId: string,
    values: Record<string, string> | null,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const [person, answers] = await request.withTx(
      async (trx) => [await getPerson(trx, personId), await getDiversity(trx, org.id, personId)] as const,
    )
    const current = values ?? {
      sex: answers?.sex ?? '',
      genderSameAsBirth: answers?.genderSameAsBirth ?? '',
      ethnicity: answers?.ethnicity ?? '',
      disability: answers?.disability ?? '',
      sexualOrientation: answers?.sexualOrientation ?? '',
      religion: answers?.religion ?? '',
      caringResponsibility: answers?.caringResponsibility ?? '',
      socioEconomicBackground: answers?.socioEconomicBackground ?? '',
    }
    const choices = (name: keyof typeof DIVERSITY_CHOICES) =>
      DIVERSITY_CHOICES[name].map((value) => ({
        value,
        text: value === 'prefer-not-to-say' ? 'Prefer not to say' : value[0]!.toUpperCase() + value.slice(1),
        checked: current[name] === value,
      }))
    return {
      pageTitle: `Diversity information for ${person.forenames} ${person.surname} – ${org.name}`,
      org,
      person,
      values: current,
      errors,
      sexItems: choices('sex'),
      genderItems: choices('genderSameAsBirth'),
      disabilityItems: choices('disability'),
      caringItems: choices('caringResponsibility'),
      breadcrumbs: crumbs(
        org,
        { text: 'People', href: hrPaths.people(org.code) },
        { text: `${person.forenames} ${person.surname}`, href: hrPaths.person(org.code, person.id) },
      ),
      paths: hrPaths,
    }
  }
  const requireManage = (request: FastifyRequest) => {
    if (!can(request.principal!, 'hr:manage', request.org!.id))
      throw new ForbiddenError('You do not have permission to change HR records')
  }
  app.get(
    '/orgs/:orgCode/hr/people/:personId/diversity',
    { config: diversityPermission, schema: { hide: true, params: PersonParams } },
    async (request, reply) => {
      requireManage(request)
      return reply.page('hr/views/diversity.njk', await diversityForm(request, request.params.personId, null))
    },
  )
  app.post(
    '/orgs/:orgCode/hr/people/:personId/diversity',
    { config: diversityPermission, schema: { hide: true, params: PersonParams } },
    async (request, reply) => {
      requireManage(request)
      const org = request.org!
      const text = formText(request)
      const names = [
        'sex',
        'genderSameAsBirth',
        'ethnicity',
        'disability',
        'sexualOrientation',
        'religion',
        'caringResponsibility',
        'socioEconomicBackground',
      ]
      const values = Object.fromEntries(names.map((name) => [name, text(name)])) as Record<string, string>
      try {
        await request.withTx((trx) => setDiversity(trx, org.id, request.params.personId, values))
        return reply.redirect(`${hrPaths.person(org.code, request.params.personId)}?changed=1`, 303)
      } catch (error) {
        return refuse(error, reply, async (errors) =>
          reply.page(
            'hr/views/diversity.njk',
            await diversityForm(request, request.params.personId, values, errors),
          ),
        )
      }
    },
  )

  // --- Structure: new units and posts ----------------------------------------------------------
  const unitForm = async (
    request: FastifyRequest,
    values: Record<string, string>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const [units, costCentres] = await request.withTx(
      async (trx) => [await listUnits(trx, org.id), await listCostCentres(trx, org.id)] as const,
    )
    return {
      pageTitle: `Add a unit – ${org.name}`,
      org,
      values,
      errors,
      parentItems: [
        { value: '', text: 'None (top level)' },
        ...units.map((u) => ({
          value: u.code,
          text: `${u.code} ${u.name}`,
          selected: u.code === values.parentCode,
        })),
      ],
      costCentreItems: [
        { value: '', text: 'None' },
        ...costCentres.map((c) => ({
          value: c.code,
          text: `${c.code} ${c.name}`,
          selected: c.code === values.costCentreCode,
        })),
      ],
      breadcrumbs: crumbs(org, { text: 'Organisation structure', href: hrPaths.structure(org.code) }),
      paths: hrPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/hr/structure/units/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) =>
      reply.page('hr/views/new-unit.njk', await unitForm(request, { openedOn: todayIso() })),
  )
  app.post(
    '/orgs/:orgCode/hr/structure/units/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const values = {
        code: text('code'),
        name: text('name'),
        parentCode: text('parentCode'),
        costCentreCode: text('costCentreCode'),
        openedOn: text('openedOn'),
      }
      try {
        await request.withTx((trx) => createUnit(trx, org.id, values))
        return reply.redirect(`${hrPaths.structure(org.code)}?added=unit`, 303)
      } catch (error) {
        return refuse(error, reply, async (errors) =>
          reply.page('hr/views/new-unit.njk', await unitForm(request, values, errors)),
        )
      }
    },
  )
  const postForm = async (
    request: FastifyRequest,
    values: Record<string, string>,
    errors?: ReturnType<typeof formErrors>,
  ) => {
    const org = request.org!
    const [units, positions, grades, costCentres] = await request.withTx(
      async (trx) =>
        [
          await listUnits(trx, org.id),
          await listPositions(trx, org.id, todayIso()),
          await listGrades(trx, org.id),
          await listCostCentres(trx, org.id),
        ] as const,
    )
    return {
      pageTitle: `Add a post – ${org.name}`,
      org,
      values,
      errors,
      unitItems: [
        { value: '', text: 'Choose a unit' },
        ...units.map((u) => ({
          value: u.code,
          text: `${u.code} ${u.name}`,
          selected: u.code === values.unitCode,
        })),
      ],
      gradeItems: [
        { value: '', text: 'Choose a grade' },
        ...grades.map((g) => ({
          value: g.code,
          text: `${g.code} ${g.name}`,
          selected: g.code === values.gradeCode,
        })),
      ],
      reportsToItems: [
        { value: '', text: 'Nobody (top of the structure)' },
        ...positions.map((p) => ({
          value: p.code,
          text: `${p.code} ${p.title}`,
          selected: p.code === values.reportsToCode,
        })),
      ],
      costCentreItems: [
        { value: '', text: 'The unit’s cost centre' },
        ...costCentres.map((c) => ({
          value: c.code,
          text: `${c.code} ${c.name}`,
          selected: c.code === values.costCentreCode,
        })),
      ],
      breadcrumbs: crumbs(org, { text: 'Organisation structure', href: hrPaths.structure(org.code) }),
      paths: hrPaths,
    }
  }
  app.get(
    '/orgs/:orgCode/hr/structure/posts/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) =>
      reply.page('hr/views/new-post.njk', await postForm(request, { fte: '1', establishedOn: todayIso() })),
  )
  app.post(
    '/orgs/:orgCode/hr/structure/posts/new',
    { config: manage, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const text = formText(request)
      const names = [
        'code',
        'title',
        'unitCode',
        'gradeCode',
        'reportsToCode',
        'costCentreCode',
        'fte',
        'establishedOn',
      ]
      const values = Object.fromEntries(names.map((name) => [name, text(name)])) as Record<string, string>
      try {
        await request.withTx((trx) =>
          createPosition(trx, org.id, {
            code: values.code!,
            title: values.title!,
            unitCode: values.unitCode!,
            gradeCode: values.gradeCode!,
            reportsToCode: values.reportsToCode || undefined,
            costCentreCode: values.costCentreCode || undefined,
            fte: values.fte || undefined,
            establishedOn: values.establishedOn!,
          }),
        )
        return reply.redirect(`${hrPaths.structure(org.code)}?added=post`, 303)
      } catch (error) {
        return refuse(error, reply, async (errors) =>
          reply.page('hr/views/new-post.njk', await postForm(request, values, errors)),
        )
      }
    },
  )

  // --- Requests and approvals -----------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/hr/requests',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const [pending, recent] = await request.withTx(async (trx) => [
        await listRequests(trx, org.id, { status: 'submitted' }),
        await listRequests(trx, org.id, { limit: 50 }),
      ])
      const decorate = (r: HrRequest) => ({
        ...r,
        tag: STATUS_TAGS[r.status],
        kindLabel: KIND_LABELS[r.kind],
      })
      return reply.page('hr/views/requests.njk', {
        pageTitle: `Joiners, movers and leavers – ${org.name}`,
        org,
        pending: pending.map(decorate),
        decided: recent.filter((r) => r.status !== 'submitted').map(decorate),
        userId: request.principal!.userId,
        breadcrumbs: crumbs(org),
        paths: hrPaths,
      })
    },
  )

  const requestPage = async (
    request: FastifyRequest,
    requestId: string,
    extra: Record<string, unknown> = {},
  ) => {
    const org = request.org!
    const found = await request.withTx((trx) => getRequest(trx, org.id, requestId))
    const userId = request.principal!.userId
    const manage = can(request.principal!, 'hr:manage', org.id)
    return {
      pageTitle: `${KIND_LABELS[found.kind]} request – ${org.name}`,
      org,
      hrRequest: { ...found, tag: STATUS_TAGS[found.status], kindLabel: KIND_LABELS[found.kind] },
      payloadJson: JSON.stringify(found.payload, null, 2),
      canDecide: manage && found.status === 'submitted' && found.requestedBy !== userId,
      canWithdraw: manage && found.status === 'submitted' && found.requestedBy === userId,
      ownRequest: found.requestedBy === userId,
      breadcrumbs: crumbs(org, { text: 'Joiners, movers and leavers', href: hrPaths.requests(org.code) }),
      paths: hrPaths,
      ...extra,
    }
  }
  app.get(
    '/orgs/:orgCode/hr/requests/:requestId',
    { config: read, schema: { hide: true, params: RequestParams } },
    async (request, reply) => {
      const query = request.query as Record<string, string | undefined>
      return reply.page(
        'hr/views/request.njk',
        await requestPage(request, request.params.requestId, {
          submitted: query.submitted === '1',
          decided: query.decided,
        }),
      )
    },
  )
  const decide =
    (action: 'approve' | 'reject' | 'withdraw') =>
    async (
      request: FastifyRequest<{ Params: { orgCode: string; requestId: string } }>,
      reply: FastifyReply,
    ) => {
      const org = request.org!
      const id = request.params.requestId
      const reason = formText(request)('reason')
      try {
        await request.withTx(async (trx) => {
          const userId = request.principal!.userId
          if (action === 'reject') return rejectRequest(trx, org.id, id, userId, reason)
          if (action === 'withdraw') return withdrawRequest(trx, org.id, id, userId)
          const found = await getRequest(trx, org.id, id)
          return withRequestScope(request, trx, found.targetOrgId, () =>
            approveRequest(trx, org.id, id, userId),
          )
        })
        return reply.redirect(`${hrPaths.request(org.code, id)}?decided=${action}`, 303)
      } catch (error) {
        return refuse(error, reply, async (errors) =>
          reply.page('hr/views/request.njk', await requestPage(request, id, { errors, reason })),
        )
      }
    }
  app.post(
    '/orgs/:orgCode/hr/requests/:requestId/approve',
    { config: manage, schema: { hide: true, params: RequestParams } },
    decide('approve'),
  )
  app.post(
    '/orgs/:orgCode/hr/requests/:requestId/reject',
    { config: manage, schema: { hide: true, params: RequestParams } },
    decide('reject'),
  )
  app.post(
    '/orgs/:orgCode/hr/requests/:requestId/withdraw',
    { config: manage, schema: { hide: true, params: RequestParams } },
    decide('withdraw'),
  )

  // --- Structure ------------------------------------------------------------------------------
  app.get(
    '/orgs/:orgCode/hr/structure',
    { config: read, schema: { hide: true, params: OrgParams } },
    async (request, reply) => {
      const org = request.org!
      const query = request.query as Record<string, string | undefined>
      const asAt = isDate(query.asAt) ? query.asAt : todayIso()
      const [units, positions, grades, scales] = await request.withTx(async (trx) => [
        await listUnits(trx, org.id),
        await listPositions(trx, org.id, asAt),
        await listGrades(trx, org.id),
        await listPayScales(trx, org.id, asAt),
      ])
      const unitName = new Map(units.map((u) => [u.id, u.name]))
      return reply.page('hr/views/structure.njk', {
        pageTitle: `Organisation structure – ${org.name}`,
        org,
        asAt,
        units: units.map((u) => ({ ...u, parentName: u.parentId ? unitName.get(u.parentId) : null })),
        positions,
        grades: grades.map((g) => ({
          ...g,
          scale: scales.find((s) => s.gradeCode === g.code && s.location === 'national'),
        })),
        breadcrumbs: crumbs(org),
        paths: hrPaths,
      })
    },
  )
}

function renameErrors(errors: ReturnType<typeof formErrors>, rename: Record<string, string>) {
  const byField: Record<string, { text: string }> = {}
  for (const [name, value] of Object.entries(errors.byField)) byField[rename[name] ?? name] = value
  return {
    byField,
    summary: errors.summary.map((s) => {
      const name = s.href.slice(1)
      return { ...s, href: `#${rename[name] ?? name}` }
    }),
  }
}
