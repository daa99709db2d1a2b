// HR records and JML through the API and the pages, on an app built the way src/app.ts builds it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createServices, DOMAINS } from '../app.ts'
import type { Role } from '../platform/auth/permissions.ts'
import { buildShell } from '../platform/http/app.ts'
import { platformRoutes } from '../platform/http/routes.ts'
import { orgId, uuidFromName } from '../platform/ids.ts'
import { asOwner, createTestDatabase, type SignedIn, signIn, type TestDatabase } from '../platform/testing.ts'
import { hrDemoIds } from './demo.ts'
import { hrRoutes } from './routes.ts'

const CO = orgId('cabinet-office')
let t: TestDatabase
let app: Awaited<ReturnType<typeof buildShell>>
const tokens: Record<string, string> = {}

async function token(email: string, role: Role, org = CO) {
  const userId = uuidFromName(`user:${email}`)
  return (
    await createServices(t.db, t.config).auth.createToken(
      { userId, orgIds: [org], actingOrgId: org, requestId: 'test' },
      { userId, orgId: org, roles: [role], name: 'test', expiresAt: new Date(Date.now() + 86_400_000) },
    )
  ).token
}

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  const services = createServices(t.db, t.config)
  app = await buildShell({
    config: t.config,
    db: t.db,
    auth: services.auth,
    navigation: [],
    modules: [
      platformRoutes({ config: t.config, db: t.db, auth: services.auth, oidc: undefined, domains: DOMAINS }),
      hrRoutes(),
    ],
  })
  await app.ready()
  tokens.hr = await token('hr.officer@gss.example', 'hr_officer')
  tokens.admin = await token('platform.admin@gss.example', 'platform_admin')
  tokens.payroll = await token('payroll.officer@gss.example', 'payroll_officer')
  tokens.employee = await token('employee@gss.example', 'employee')
})
afterAll(async () => {
  await app?.close()
  await t?.close()
})

const call = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  who: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[who]}`, ...headers },
    ...(payload === undefined ? {} : { payload: payload as string }),
  })
const API = '/api/v1/orgs/cabinet-office/hr'

const joinerBody = (niNumber: string, surname = 'Quinn') => ({
  kind: 'joiner',
  payload: {
    person: { forenames: 'Nadia', surname, dateOfBirth: '1993-04-12', niNumber },
    employment: { contractType: 'permanent', startDate: '2026-12-01' },
    terms: {
      positionId: hrDemoIds.position('cabinet-office', 'P0035'),
      fte: '1',
      hoursPerWeek: '37',
      annualSalaryPence: 29_000_00,
    },
    payroll: { starterDeclaration: 'A' },
  },
})

describe('API', () => {
  test('people, employments as at a date and the line manager', async () => {
    const people = await call('GET', `${API}/people?search=emma&asAt=2026-06-01`, 'hr')
    expect(people.statusCode).toBe(200)
    expect(people.json().items).toHaveLength(1)
    const emma = hrDemoIds.employment('cabinet-office', 'co-employee')
    const employment = await call('GET', `${API}/employments/${emma}?asAt=2026-03-31`, 'hr')
    expect(employment.json()).toMatchObject({
      employeeNumber: 'E000010',
      termsAsAt: { annualSalaryPence: 43_000_00 },
      payrollDetails: { starterDeclaration: 'A' },
    })
    expect(employment.json().history).toHaveLength(2)
    const manager = await call('GET', `${API}/employments/${emma}/manager?date=2026-06-01`, 'hr')
    expect(manager.json().manager).toMatchObject({ forenames: 'Lina', surname: 'Manager' })
    const all = await call('GET', `${API}/employments?asAt=2026-06-01`, 'payroll')
    expect(all.json().items.length).toBe(22)
  })

  test('a joiner with a bad NI number is refused naming the field; nothing is saved', async () => {
    const response = await call('POST', `${API}/requests`, 'hr', joinerBody('DQ123456A'))
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toContain('application/problem+json')
    expect(response.json().errors).toEqual([
      { field: '/person/niNumber', message: 'National Insurance numbers never start with D' },
    ])
    const requests = await call('GET', `${API}/requests`, 'hr')
    expect(requests.json().items).toEqual([])
  })

  test('a joiner is submitted once per Idempotency-Key and approved only by someone else', async () => {
    const headers = { 'idempotency-key': 'joiner-nadia-1' }
    const first = await call('POST', `${API}/requests`, 'hr', joinerBody('PC123456A'), headers)
    expect(first.statusCode).toBe(201)
    const again = await call('POST', `${API}/requests`, 'hr', joinerBody('PC123456A'), headers)
    expect(again.json().id).toBe(first.json().id)
    const id = first.json().id
    const own = await call('POST', `${API}/requests/${id}/approval`, 'hr')
    expect(own.statusCode).toBe(403)
    const approved = await call('POST', `${API}/requests/${id}/approval`, 'admin')
    expect(approved.statusCode).toBe(200)
    expect(approved.json()).toMatchObject({ status: 'applied' })
    const employment = await call(
      'GET',
      `${API}/employments/${approved.json().resultEmploymentId}?asAt=2026-12-01`,
      'hr',
    )
    expect(employment.json()).toMatchObject({
      termsAsAt: { forenames: 'Nadia', positionCode: 'P0035', gradeCode: 'EO' },
      taxCodes: [{ taxCode: '1257L', source: 'starter', week1Month1: false }],
    })
  })

  test('diversity data needs hr:diversity:read; payroll sees leavers but not diversity', async () => {
    const person = hrDemoIds.person('co-employee')
    expect((await call('GET', `${API}/people/${person}/diversity`, 'hr')).json()).toMatchObject({
      recorded: true,
      answers: { sex: 'female' },
    })
    expect((await call('GET', `${API}/people/${person}/diversity`, 'payroll')).statusCode).toBe(403)
    const leavers = await call('GET', `${API}/leavers`, 'payroll')
    expect(leavers.json().items[0]).toMatchObject({
      surname: 'Turner',
      lastWorkingDay: '2026-06-30',
      untakenLeaveDays: '3.50',
      p45Required: true,
      taxCode: '1257L',
    })
  })

  test('an employee without HR rights and another organisation are refused', async () => {
    expect((await call('GET', `${API}/people`, 'employee')).statusCode).toBe(403)
    const dsit = await token('hr.officer@gss.example', 'hr_officer', orgId('dsit')).catch(() => null)
    // The demo HR officer works for the Cabinet Office only: no token for DSIT can be made.
    expect(dsit).toBeNull()
  })

  test('structure: grades, pay ranges, units and posts', async () => {
    const grades = await call('GET', `${API}/grades`, 'hr')
    expect(grades.json().items.map((g: { code: string }) => g.code)).toEqual([
      'AA',
      'AO',
      'EO',
      'HEO',
      'SEO',
      'G7',
      'G6',
      'SCS1',
      'SCS2',
      'SCS3',
      'SCS4',
    ])
    const unit = await call('POST', `${API}/units`, 'hr', {
      code: 'co-data',
      name: 'Data',
      parentCode: 'CO-DIGITAL',
      costCentreCode: 'CORP',
      openedOn: '2026-11-01',
    })
    expect(unit.statusCode).toBe(201)
    const post = await call('POST', `${API}/positions`, 'hr', {
      code: 'P0050',
      title: 'Data Scientist',
      unitCode: 'CO-DATA',
      gradeCode: 'G8',
      reportsToCode: 'P0020',
      establishedOn: '2026-11-01',
    })
    expect(post.statusCode).toBe(400)
    expect(post.json().errors[0]).toMatchObject({ field: '/gradeCode' })
    const scale = await call('POST', `${API}/pay-scales`, 'hr', {
      gradeCode: 'EO',
      validFrom: '2027-04-01',
      minimumPence: 29_000_00,
      maximumPence: 32_500_00,
    })
    expect(scale.statusCode).toBe(201)
    const scales = await call('GET', `${API}/pay-scales?asAt=2027-04-01`, 'hr')
    expect(scales.json().items.find((s: { gradeCode: string }) => s.gradeCode === 'EO')).toMatchObject({
      minimumPence: 29_000_00,
    })
  })

  test('a future change of terms is cancelled through the API', async () => {
    const priya = hrDemoIds.employment('cabinet-office', 'co-dev')
    const cancelled = await call('DELETE', `${API}/employments/${priya}/terms/2027-04-01`, 'hr')
    expect(cancelled.statusCode).toBe(204)
    const after = await call('GET', `${API}/employments/${priya}?asAt=2027-05-01`, 'hr')
    expect(after.json().termsAsAt.annualSalaryPence).toBe(35_000_00)
  })
})

describe('pages', () => {
  let hr: SignedIn
  let admin: SignedIn
  beforeAll(async () => {
    hr = await signIn(app, 'hr.officer@gss.example')
    admin = await signIn(app, 'platform.admin@gss.example')
  })
  const get = (url: string, who: SignedIn) =>
    app.inject({ method: 'GET', url, headers: { cookie: who.cookie } })
  const post = (url: string, who: SignedIn, form: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie },
      payload: { ...form, _csrf: who.csrfToken },
    })

  test('/hr leads to the HR home of the organisation acted for', async () => {
    const response = await get('/hr', hr)
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe('/orgs/cabinet-office/hr')
    const home = await get('/orgs/cabinet-office/hr', hr)
    expect(home.statusCode).toBe(200)
    expect(home.body).toContain('Headcount today')
  })

  test('people search and a person’s record as at a date', async () => {
    const list = await get('/orgs/cabinet-office/hr/people?search=Employee', hr)
    expect(list.body).toContain('Employee, Emma')
    const person = await get(
      `/orgs/cabinet-office/hr/people/${hrDemoIds.person('co-employee')}?asAt=2026-03-31`,
      hr,
    )
    expect(person.statusCode).toBe(200)
    expect(person.body).toContain('£43,000.00')
    expect(person.body).toContain('Pay award 2026')
    expect(person.body).toContain('Lina Manager, Head of Service Delivery')
    expect(person.body).toContain('White British')
    // Another organisation's person is not found here.
    const other = await get(`/orgs/cabinet-office/hr/people/${hrDemoIds.person('dsit-lead')}`, hr)
    expect(other.statusCode).toBe(404)
  })

  test('the joiner form re-renders with the errors and the values typed; a good one goes for approval', async () => {
    const form = {
      forenames: 'Ola',
      surname: 'Bello',
      dateOfBirth: '1995-02-30',
      niNumber: 'PC 65 43 21 B',
      contractType: 'permanent',
      startDate: '2026-12-07',
      positionId: hrDemoIds.position('cabinet-office', 'P0014'),
      fte: '1',
      hoursPerWeek: '37',
      daysPerWeek: '5',
      salary: '24,500',
      starterDeclaration: 'A',
    }
    const bad = await post('/orgs/cabinet-office/hr/joiners/new', hr, form)
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('There is a problem')
    expect(bad.body).toContain('1995-02-30 is not a real date')
    expect(bad.body).toContain('value="PC 65 43 21 B"')
    const good = await post('/orgs/cabinet-office/hr/joiners/new', hr, { ...form, dateOfBirth: '1995-02-28' })
    expect(good.statusCode).toBe(303)
    const requestUrl = String(good.headers.location).replace('?submitted=1', '')
    const own = await get(requestUrl, hr)
    expect(own.body).toContain('another HR officer must approve it')
    expect(own.body).not.toContain('data-testid="approve"')
    const refused = await post(`${requestUrl}/approve`, hr, {})
    expect(refused.statusCode).toBe(403)
    expect(refused.body).toContain('You cannot approve a request you made')
    const approved = await post(`${requestUrl}/approve`, admin, {})
    expect(approved.statusCode).toBe(303)
    const done = await get(requestUrl, hr)
    expect(done.body).toContain('data-testid="request-status">Applied')
    const list = await get('/orgs/cabinet-office/hr/people?search=Bello&asAt=2026-12-07', hr)
    expect(list.body).toContain('Bello, Ola')
  })

  test('mover and leaver forms', async () => {
    const ben = hrDemoIds.employment('cabinet-office', 'co-pa')
    const moveForm = await get(`/orgs/cabinet-office/hr/employments/${ben}/move`, hr)
    expect(moveForm.statusCode).toBe(200)
    const badMove = await post(`/orgs/cabinet-office/hr/employments/${ben}/move`, hr, {
      effectiveDate: '2027-01-01',
      gradeCode: 'G9',
      reason: '',
    })
    expect(badMove.statusCode).toBe(400)
    expect(badMove.body).toContain('Enter the reason for the change')
    const move = await post(`/orgs/cabinet-office/hr/employments/${ben}/move`, hr, {
      effectiveDate: '2027-01-01',
      salary: '37000',
      reason: 'Pay progression',
    })
    expect(move.statusCode).toBe(303)
    const leave = await post(`/orgs/cabinet-office/hr/employments/${ben}/leave`, hr, {
      lastWorkingDay: '2027-03-31',
      reason: 'Retirement',
      p45Required: 'yes',
    })
    expect(leave.statusCode).toBe(303)
    const queue = await get('/orgs/cabinet-office/hr/requests', hr)
    expect(queue.body).toContain('Change: Ben Whitaker')
    expect(queue.body).toContain('Leaver: Ben Whitaker')
    const reject = await post(`${String(leave.headers.location).replace('?submitted=1', '')}/reject`, admin, {
      reason: '',
    })
    expect(reject.statusCode).toBe(400)
    expect(reject.body).toContain('Enter the reason for rejecting the request')
  })

  test('a loan to another organisation needs HR rights in both, and keeps one person', async () => {
    const rachel = hrDemoIds.employment('cabinet-office', 'co-spa')
    const loan = {
      kind: 'loan',
      targetOrgCode: 'dsit',
      targetPostCode: 'D0003',
      startDate: '2027-01-04',
      expectedEndDate: '2027-06-30',
      fte: '1',
      hoursPerWeek: '37',
      salary: '43,500',
    }
    // With HR rights in the Cabinet Office only, DSIT is not offered and the API refuses.
    const apiLoan = await call('POST', `${API}/requests`, 'hr', {
      kind: 'loan',
      payload: {
        employmentId: rachel,
        targetOrgCode: 'dsit',
        startDate: '2027-01-04',
        expectedEndDate: '2027-06-30',
        terms: {
          positionId: hrDemoIds.position('dsit', 'D0003'),
          fte: '1',
          hoursPerWeek: '37',
          annualSalaryPence: 43_500_00,
        },
      },
    })
    expect(apiLoan.statusCode).toBe(403)
    const narrow = await get(`/orgs/cabinet-office/hr/employments/${rachel}/loan-or-transfer`, hr)
    expect(narrow.body).not.toContain('value="dsit"')

    // Cluster HR: the officer is given the HR role in DSIT as well.
    await asOwner(
      t.db,
      `insert into memberships (user_id, role, org_id) values ('${uuidFromName('user:hr.officer@gss.example')}', 'hr_officer', '${orgId('dsit')}')`,
    )
    const both = await signIn(app, 'hr.officer@gss.example')
    const form = await get(`/orgs/cabinet-office/hr/employments/${rachel}/loan-or-transfer`, both)
    expect(form.body).toContain('value="dsit"')
    const bad = await post(`/orgs/cabinet-office/hr/employments/${rachel}/loan-or-transfer`, both, {
      ...loan,
      salary: '10',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Salary must be within the pay range for grade SEO')
    const submitted = await post(`/orgs/cabinet-office/hr/employments/${rachel}/loan-or-transfer`, both, loan)
    expect(submitted.statusCode).toBe(303)
    const requestUrl = String(submitted.headers.location).replace('?submitted=1', '')
    const approved = await post(`${requestUrl}/approve`, admin, {})
    expect(approved.statusCode).toBe(303)
    const dsitPeople = await get('/orgs/dsit/hr/people?search=Goldberg&asAt=2027-02-01', both)
    expect(dsitPeople.body).toContain('Goldberg, Rachel')
    const count = await asOwner<{ n: number }>(
      t.db,
      `select count(*)::int as n from people where surname = 'Goldberg'`,
    )
    expect(count[0]!.n).toBe(1)
  })

  test('a new tax code from a P6 notice', async () => {
    const grace = hrDemoIds.employment('cabinet-office', 'co-exec-assistant')
    const url = `/orgs/cabinet-office/hr/employments/${grace}/tax-code`
    expect((await get(url, hr)).statusCode).toBe(200)
    const bad = await post(url, hr, { taxCode: '1257X', validFrom: '2026-12-06', source: 'p6' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Enter a tax code HMRC issues')
    expect(bad.body).toContain('value="1257X"')
    const good = await post(url, hr, { taxCode: '1100L', validFrom: '2026-12-06', source: 'p6' })
    expect(good.statusCode).toBe(303)
    const codes = await call('GET', `${API}/employments/${grace}`, 'hr')
    expect(codes.json().taxCodes.map((c: { taxCode: string }) => c.taxCode)).toEqual(['1257L', '1100L'])
  })

  test('correcting personal details and diversity answers', async () => {
    const gareth = hrDemoIds.person('co-hr-admin')
    const url = `/orgs/cabinet-office/hr/people/${gareth}/edit`
    const form = await get(url, hr)
    expect(form.body).toContain('value="JK809108D"')
    const bad = await post(url, hr, {
      forenames: 'Gareth',
      surname: 'Pryce',
      dateOfBirth: '1995-04-28',
      niNumber: 'GB123456A',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('GB is not a National Insurance number prefix HMRC allocates')
    const good = await post(url, hr, {
      forenames: 'Gareth',
      surname: 'Pryce-Jones',
      dateOfBirth: '1995-04-28',
      niNumber: 'JK809108D',
      postcode: 'cf10 1aa',
    })
    expect(good.statusCode).toBe(303)
    const person = await call('GET', `${API}/people/${gareth}`, 'hr')
    expect(person.json()).toMatchObject({ surname: 'Pryce-Jones', postcode: 'CF10 1AA' })
    const diversity = await post(`/orgs/cabinet-office/hr/people/${gareth}/diversity`, hr, {
      sex: 'male',
      disability: 'prefer-not-to-say',
      ethnicity: 'Welsh',
    })
    expect(diversity.statusCode).toBe(303)
    const page = await get(`/orgs/cabinet-office/hr/people/${gareth}`, hr)
    expect(page.body).toContain('Welsh')
  })

  test('adding a unit and a post', async () => {
    const badUnit = await post('/orgs/cabinet-office/hr/structure/units/new', hr, {
      code: 'co ops',
      name: '',
      openedOn: '2026-11-01',
    })
    expect(badUnit.statusCode).toBe(400)
    expect(badUnit.body).toContain('Enter the unit name')
    const unit = await post('/orgs/cabinet-office/hr/structure/units/new', hr, {
      code: 'CO-OPS',
      name: 'Operations',
      parentCode: 'CO-EXEC',
      costCentreCode: 'CORP',
      openedOn: '2026-11-01',
    })
    expect(unit.statusCode).toBe(303)
    const postPage = await post('/orgs/cabinet-office/hr/structure/posts/new', hr, {
      code: 'P0060',
      title: 'Operations Manager',
      unitCode: 'CO-OPS',
      gradeCode: 'SEO',
      reportsToCode: 'P0002',
      fte: '1',
      establishedOn: '2026-11-01',
    })
    expect(postPage.statusCode).toBe(303)
    const structure = await get('/orgs/cabinet-office/hr/structure', hr)
    expect(structure.body).toContain('P0060 Operations Manager')
  })

  test('the structure page shows posts and holders', async () => {
    const page = await get('/orgs/cabinet-office/hr/structure?asAt=2026-06-01', hr)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('P0020 Head of Service Delivery')
    expect(page.body).toContain('Lina Manager')
    expect(page.body).toContain('Vacant')
  })
})
