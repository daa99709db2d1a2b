// Payroll through its pages and API: a monthly run from draft to locked, by an officer and a
// different approver; exceptions shown before review; FPS, Bacs and PDF payslips; and
// self-service payslips that show the signed-in person only their own.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createServices, DOMAINS } from '../app.ts'
import { validateWithXsd, xmllintAvailable } from '../finance/payments/testing.ts'
import { financeRoutes } from '../finance/routes.ts'
import type { Role } from '../platform/auth/permissions.ts'
import { buildShell } from '../platform/http/app.ts'
import { platformRoutes } from '../platform/http/routes.ts'
import { orgId, uuidFromName } from '../platform/ids.ts'
import { createTestDatabase, type SignedIn, signIn, type TestDatabase } from '../platform/testing.ts'
import { addPayrollFixture, fixturePersonId } from './fixtures.ts'
import { payrollRoutes } from './routes.ts'

const FPS_XSD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fps-layout.xsd')

const CO = orgId('cabinet-office')
let t: TestDatabase
let app: Awaited<ReturnType<typeof buildShell>>
const tokens: Record<string, string> = {}
let officer: SignedIn
let approver: SignedIn
let employee: SignedIn
const employeeUser = uuidFromName('user:employee@gss.example')

async function token(email: string, role: Role) {
  const userId = uuidFromName(`user:${email}`)
  return (
    await createServices(t.db, t.config).auth.createToken(
      { userId, orgIds: [CO], actingOrgId: CO, requestId: 'test' },
      { userId, orgId: CO, roles: [role], name: 'test', expiresAt: new Date(Date.now() + 86_400_000) },
    )
  ).token
}
const bearer = (name: string, key?: string) => ({
  authorization: `Bearer ${tokens[name]}`,
  ...(key ? { 'idempotency-key': key } : {}),
})

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  await t.db.transaction({ userId: null, orgIds: [CO], actingOrgId: CO, requestId: 'test' }, async (trx) => {
    await addPayrollFixture(trx, CO, { prefix: 'RT', count: 12 })
    // Employee 5 has no tax code: an exception.
    await sql`delete from tax_codes where employment_id = (select id from employments where employee_number = 'RT5')`.execute(
      trx,
    )
    // The FPS needs the gender HMRC holds for everyone paid, the seeded HR people included.
    await sql`insert into payroll_person_details (org_id, person_id, hmrc_gender)
      select ${CO}, id, 'F' from people where org_id = ${CO} on conflict do nothing`.execute(trx)
    // Employee 12 leaves on 17 April 2026 (HR's leaver record, as the leaver journey writes it).
    await sql`update employments set end_date = '2026-04-17' where employee_number = 'RT12'`.execute(trx)
    await sql`insert into hr_leavers (org_id, employment_id, last_working_day, leaving_reason, untaken_leave_days,
        daily_rate_pence, pay_in_lieu_pence, leave_basis)
      select org_id, id, '2026-04-17', 'Resignation', 2.5, 10000, 25000, 'grade-pro-rata'
      from employments where employee_number = 'RT12'`.execute(trx)
  })
  // The demo employee is the person behind fixture employee RT1 (unless the HR demo already links one).
  const linked = await t.db.admin
    .selectFrom('people')
    .select('id')
    .where('user_id', '=', employeeUser)
    .executeTakeFirst()
  if (!linked)
    await sql`update people set user_id = ${employeeUser}::uuid where id = ${fixturePersonId('RT', 1)}::uuid`.execute(
      t.db.admin,
    )
  const services = createServices(t.db, t.config)
  app = await buildShell({
    config: t.config,
    db: t.db,
    auth: services.auth,
    navigation: [],
    modules: [
      platformRoutes({ config: t.config, db: t.db, auth: services.auth, oidc: undefined, domains: DOMAINS }),
      financeRoutes(services.ledger),
      payrollRoutes({ db: t.db, ledger: services.ledger }),
    ],
  })
  await app.ready()
  tokens.officer = await token('payroll.officer@gss.example', 'payroll_officer')
  tokens.approver = await token('payroll.approver@gss.example', 'payroll_approver')
  officer = await signIn(app, 'payroll.officer@gss.example')
  approver = await signIn(app, 'payroll.approver@gss.example')
  employee = await signIn(app, 'employee@gss.example')
}, 120_000)
afterAll(async () => {
  await app?.close()
  await t?.close()
})

const form = (who: SignedIn, url: string, payload: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie },
    payload: { _csrf: who.csrfToken, ...payload },
  })
const page = (who: SignedIn, url: string) =>
  app.inject({ method: 'GET', url, headers: { cookie: who.cookie } })

async function waitForStatus(runId: string, status: string) {
  for (let i = 0; i < 400; i++) {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/cabinet-office/payroll/runs/${runId}`,
      headers: bearer('officer'),
    })
    if (response.json().status === status) return response.json()
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`run ${runId} never became ${status}`)
}

describe('a pay run through the pages', () => {
  let runUrl: string
  let runId: string

  test('the form refuses a bad date and shows the error summary with what was typed', async () => {
    const response = await form(officer, '/orgs/cabinet-office/payroll/runs/new', {
      payFrequency: 'monthly',
      payDate: '2026-02-30',
    })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('govuk-error-summary')
    expect(response.body).toContain('Enter a real pay date')
    expect(response.body).toContain('value="2026-02-30"')
  })

  test('an officer creates and calculates a run; the page shows progress, then every exception', async () => {
    const created = await form(officer, '/orgs/cabinet-office/payroll/runs/new', {
      payFrequency: 'monthly',
      payDate: '2026-04-24',
    })
    expect(created.statusCode).toBe(303)
    runUrl = created.headers.location as string
    runId = runUrl.split('/').at(-1)!
    const draft = await page(officer, runUrl)
    expect(draft.body).toContain('Monthly pay run, period 1 of 2026-27')
    const calculate = await form(officer, `${runUrl}/calculate`)
    expect(calculate.statusCode).toBe(303)
    await waitForStatus(runId, 'calculated')
    const calculated = await page(officer, runUrl)
    expect(calculated.body).toContain('Employees in error')
    expect(calculated.body).toMatch(
      /RT5 Test5 Person<\/td><td class="govuk-table__cell">No tax code is in force on the pay date/,
    )
  })

  test('review needs the exceptions acknowledged', async () => {
    const refused = await form(officer, `${runUrl}/review`)
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('govuk-error-summary')
    expect(refused.body).toContain('Confirm you have checked all')
    const reviewed = await form(officer, `${runUrl}/review`, { acknowledgedExceptions: 'yes' })
    expect(reviewed.statusCode).toBe(303)
  })

  test('the officer cannot approve; the approver can, and the journal is posted', async () => {
    expect((await form(officer, `${runUrl}/approve`)).statusCode).toBe(403)
    const approved = await form(approver, `${runUrl}/approve`)
    expect(approved.statusCode).toBe(303)
    const run = await waitForStatus(runId, 'approved')
    expect(run.journalId).toMatch(/^[0-9a-f-]{36}$/)
  })

  test('files: FPS, Bacs and PDF payslips; nobody in error is paid', async () => {
    const settings = await app.inject({
      method: 'PUT',
      url: '/api/v1/orgs/cabinet-office/payroll/settings',
      headers: bearer('approver', 'settings-1'),
      payload: {
        employerPayeReference: '123/AB45678',
        accountsOfficeReference: '123PA00012345',
        bacsServiceUserNumber: '123456',
        bacsServiceUserName: 'CABINET OFFICE',
        sortCode: '089999',
        accountNumber: '66374958',
        accountName: 'CO PAYROLL',
      },
    })
    expect(settings.statusCode).toBe(204)
    const xml = (
      await app.inject({
        method: 'GET',
        url: `/api/v1/orgs/cabinet-office/payroll/runs/${runId}/fps`,
        headers: bearer('approver'),
      })
    ).body
    expect(xml).toContain('FullPaymentSubmission/26-27/1')
    expect(xml).toContain('<PayId>RT1</PayId>')
    expect(xml).not.toContain('<PayId>RT5</PayId>')
    expect(xml).toMatch(/<FiguresToDate><TaxablePay>|<FiguresToDate>\n<TaxablePay>/)
    expect(xml).toMatch(/<BirthDate>[0-9-]{10}<\/BirthDate>\n?<Gender>[MF]<\/Gender>/)
    if (xmllintAvailable) {
      const [result] = validateWithXsd(FPS_XSD, [{ name: 'fps', xml }])
      expect(result!.errors).toEqual([])
      expect(result!.valid).toBe(true)
    }
    // Without the gender HMRC holds for someone paid, the FPS is refused, naming them.
    await sql`delete from payroll_person_details where person_id = ${fixturePersonId('RT', 2)}::uuid`.execute(
      t.db.admin,
    )
    const refused = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/cabinet-office/payroll/runs/${runId}/fps`,
      headers: bearer('approver'),
    })
    expect(refused.statusCode).toBe(422)
    expect(refused.json().detail).toMatch(/record it for 1 employee: RT2$/)
    const genderUrl = `/api/v1/orgs/cabinet-office/payroll/people/${fixturePersonId('RT', 2)}/hmrc-gender`
    const bad = await app.inject({
      method: 'PUT',
      url: genderUrl,
      headers: bearer('officer', 'gender-bad'),
      payload: { gender: 'X' },
    })
    expect(bad.statusCode).toBe(400)
    const unknown = await app.inject({
      method: 'PUT',
      url: `/api/v1/orgs/cabinet-office/payroll/people/${uuidFromName('nobody')}/hmrc-gender`,
      headers: bearer('officer', 'gender-unknown'),
      payload: { gender: 'F' },
    })
    expect(unknown.statusCode).toBe(404)
    const recorded = await app.inject({
      method: 'PUT',
      url: genderUrl,
      headers: bearer('officer', 'gender-1'),
      payload: { gender: 'F' },
    })
    expect(recorded.statusCode).toBe(204)
    const again = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/cabinet-office/payroll/runs/${runId}/fps`,
      headers: bearer('approver'),
    })
    expect(again.statusCode).toBe(200)
    const bacs = await app.inject({
      method: 'GET',
      url: `${runUrl}/bacs.txt`,
      headers: { cookie: approver.cookie },
    })
    expect(bacs.statusCode).toBe(200)
    expect(bacs.body.startsWith('VOL1')).toBe(true)
    expect(bacs.body).toContain('SALARY RT1')
    expect(bacs.body).not.toContain('SALARY RT5 ')
    const pdf = await app.inject({
      method: 'GET',
      url: `${runUrl}/payslip.pdf?employee=RT2`,
      headers: { cookie: officer.cookie },
    })
    expect(pdf.headers['content-type']).toBe('application/pdf')
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-')
  })

  test('paid, then locked', async () => {
    expect((await form(approver, `${runUrl}/pay`)).statusCode).toBe(303)
    expect((await form(approver, `${runUrl}/lock`)).statusCode).toBe(303)
    await waitForStatus(runId, 'locked')
    const variance = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/cabinet-office/payroll/runs/${runId}/variance`,
      headers: bearer('officer'),
    })
    expect(variance.json().previous).toBeNull()
    const p60 = await app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/payroll/p60?taxYear=2026-27',
      headers: bearer('officer'),
    })
    expect(
      p60.json().items.find((row: { employeeNumber: string }) => row.employeeNumber === 'RT1'),
    ).toMatchObject({ finalTaxCode: '1257L' })
  })

  test("P45 figures come from HR's leaver record and the approved payslips", async () => {
    const slip = await t.db.admin
      .selectFrom('payslips')
      .select(['employment_id', 'taxable_pence', 'tax_pence', 'days_paid'])
      .where('run_id', '=', runId)
      .where('employee_number', '=', 'RT12')
      .executeTakeFirstOrThrow()
    expect(slip.days_paid).toBe(17)
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/payroll/p45?taxYear=2026-27',
      headers: bearer('officer'),
    })
    expect(list.statusCode).toBe(200)
    const expected = {
      employmentId: slip.employment_id,
      employeeNumber: 'RT12',
      leavingDate: '2026-04-17',
      leavingReason: 'Resignation',
      p45Required: true,
      taxCode: '1257L',
      taxablePayToDatePence: Number(slip.taxable_pence),
      taxToDatePence: Number(slip.tax_pence),
      payInLieuOfLeavePence: 250_00,
      lastPayDate: '2026-04-24',
      finalPayIncluded: true,
      finalPayProcessed: true,
    }
    // The seeded HR demo has leavers of its own, without payslips in this run.
    const items = list.json().items as Array<{ employeeNumber: string; finalPayIncluded: boolean }>
    expect(items.find((row) => row.employeeNumber === 'RT12')).toMatchObject(expected)
    expect(items.filter((row) => row.employeeNumber !== 'RT12').every((row) => !row.finalPayIncluded)).toBe(
      true,
    )
    const one = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/cabinet-office/payroll/p45/${slip.employment_id}`,
      headers: bearer('officer'),
    })
    expect(one.json()).toMatchObject(expected)
    const missing = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/cabinet-office/payroll/p45/${uuidFromName('nobody')}`,
      headers: bearer('officer'),
    })
    expect(missing.statusCode).toBe(404)
    const yearEnd = await page(officer, '/orgs/cabinet-office/payroll/year-end?taxYear=2026-27')
    expect(yearEnd.body).toContain(`/orgs/cabinet-office/payroll/year-end/p45/${slip.employment_id}`)
    const p45Page = await page(officer, `/orgs/cabinet-office/payroll/year-end/p45/${slip.employment_id}`)
    expect(p45Page.statusCode).toBe(200)
    expect(p45Page.body).toContain('Resignation')
    expect(p45Page.body).toContain('17 April 2026')
    expect(p45Page.body).not.toContain('these figures are not final')
  })

  test('self-service shows the signed-in person their own payslips and no one else’s', async () => {
    const person = await t.db.admin
      .selectFrom('people')
      .select(['id', 'forenames'])
      .where('user_id', '=', employeeUser)
      .executeTakeFirstOrThrow()
    const mine = await app.inject({
      method: 'GET',
      url: '/api/v1/me/payslips',
      headers: { cookie: employee.cookie },
    })
    const items = mine.json().items as Array<{ name: string; runId: string }>
    const expected = await sql<{
      n: number
    }>`select count(*)::int as n from payslips p join pay_runs r on r.id = p.run_id
      where p.person_id = ${person.id}::uuid and p.status = 'ok' and r.status in ('approved', 'paid', 'locked')`.execute(
      t.db.admin,
    )
    expect(items.length).toBe(expected.rows[0]!.n)
    expect(items.every((item) => item.name.startsWith(person.forenames))).toBe(true)
    const list = await page(employee, '/self-service/payslips')
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain('Test2 Person')
    if (person.id === fixturePersonId('RT', 1)) {
      expect(items).toHaveLength(1)
      const one = await page(employee, `/self-service/payslips/${runId}`)
      expect(one.body).toContain('Test1 Person')
      const pdf = await app.inject({
        method: 'GET',
        url: `/self-service/payslips/${runId}/pdf`,
        headers: { cookie: employee.cookie },
      })
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-')
    }
    // Payroll staff pages are not open to an employee.
    expect((await page(employee, runUrl)).statusCode).toBe(403)
    // A run with no payslip of theirs is not found.
    const other = await page(employee, '/self-service/payslips/00000000-0000-0000-0000-000000000001')
    expect(other.statusCode).toBe(404)
  })
})

describe('the API', () => {
  test('creates runs with validation, and refuses a second run for the same period', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/payroll/runs',
      headers: bearer('officer', 'bad-1'),
      payload: { payFrequency: 'monthly', payDate: '2031-04-24' },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].message).toContain('2031-32')
    const dup = await app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/payroll/runs',
      headers: bearer('officer', 'dup-1'),
      payload: { payFrequency: 'monthly', payDate: '2026-04-30' },
    })
    expect(dup.statusCode).toBe(409)
  })

  test('pay elements are validated and stored', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/payroll/pay-items',
      headers: bearer('officer', 'item-1'),
      payload: {
        employeeNumber: 'NOPE',
        kind: 'allowance',
        description: 'x',
        amountPence: 100,
        paidFrom: '2026-05-01',
      },
    })
    expect(bad.statusCode).toBe(400)
    const good = await app.inject({
      method: 'POST',
      url: '/api/v1/orgs/cabinet-office/payroll/pay-items',
      headers: bearer('officer', 'item-2'),
      payload: {
        employeeNumber: 'RT2',
        kind: 'overtime',
        description: 'Weekend cover',
        amountPence: 12_345,
        paidFrom: '2026-05-01',
        paidTo: '2026-05-31',
      },
    })
    expect(good.statusCode).toBe(201)
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/orgs/cabinet-office/payroll/pay-items',
      headers: bearer('officer'),
    })
    expect(list.json().items).toContainEqual(
      expect.objectContaining({ employee_number: 'RT2', amount_pence: 12_345 }),
    )
  })
})
