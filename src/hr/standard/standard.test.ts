import { parse } from 'csv-parse/sync'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { orgId } from '../../platform/ids.ts'
import { createTestApp, signIn, type TestApp } from '../../platform/testing.ts'
import { FIXTURE_ORG, fixtureIds, fixtureToken, seedHrFixture } from '../reports/test-fixture.ts'
import { AREA_DEFINITIONS, areaJsonSchema, STANDARD_AREAS } from './areas.ts'
import { exportArea, periodStart } from './export.ts'
import { importPeopleCsv, PEOPLE_IMPORT_COLUMNS } from './import.ts'

let t: TestApp
let hrToken: string
let payrollToken: string
beforeAll(async () => {
  t = await createTestApp()
  await seedHrFixture(t)
  hrToken = await fixtureToken(t, 'hr.officer@gss.example', ['hr_officer'])
  payrollToken = await fixtureToken(t, 'payroll.officer@gss.example', ['payroll_officer'])
}, 300_000)
afterAll(async () => t?.close())

const ORG = orgId(FIXTURE_ORG)
const get = (url: string, token = hrToken) =>
  t.app.inject({ url, headers: { authorization: `Bearer ${token}` } })
const api = (area: string, query: string) => `/api/v1/orgs/${FIXTURE_ORG}/hr/standard/${area}?${query}`

describe('export of the five areas', () => {
  test('each area’s CSV has exactly its documented columns, and its JSON matches', async () => {
    for (const area of STANDARD_AREAS) {
      const columns = AREA_DEFINITIONS[area].columns.map((column) => column.name)
      const csv = await get(api(area, 'asAt=2025-06-01&format=csv'))
      expect(csv.statusCode, area).toBe(200)
      expect(csv.headers['content-type']).toContain('text/csv')
      const [header] = parse(csv.body) as string[][]
      expect(header, area).toEqual(columns)
      const json = await get(api(area, 'asAt=2025-06-01'))
      expect(json.statusCode).toBe(200)
      const body = json.json() as { area: string; asAt: string; items: Array<Record<string, unknown>> }
      expect(body).toMatchObject({ area, organisationCode: FIXTURE_ORG, asAt: '2025-06-01' })
      for (const item of body.items) expect(Object.keys(item), area).toEqual(columns)
      // The schema names the same columns, all required.
      const schema = areaJsonSchema(area) as { properties: { items: { items: { required: string[] } } } }
      expect(schema.properties.items.items.required).toEqual(columns)
    }
  })

  test('the core profile is as at the date: terms in force, leavers out, future joiners out', async () => {
    const on = async (asAt: string) =>
      (await get(api('core-employee-profile', `asAt=${asAt}`))).json().items as Array<Record<string, string>>
    const before = await on('2025-05-31')
    expect(before.map((row) => row.employee_number)).toEqual(['F001', 'F003'])
    expect(before[0]).toMatchObject({
      grade_code: 'EO',
      unit_code: 'FIXA',
      fte: '1.0000',
      annual_salary: '30000.00',
    })
    const moved = await on('2025-06-01')
    expect(moved.map((row) => row.employee_number)).toEqual(['F001', 'F002', 'F003'])
    expect(moved[0]).toMatchObject({
      person_id: fixtureIds.person('ann'),
      grade_code: 'HEO',
      standard_grade: 'HEO',
      position_code: 'PB1',
      unit_code: 'FIXB',
      cost_centre_code: 'FIXB',
      fte: '0.6000',
      annual_salary: '36000.00',
      date_of_birth: '1980-02-03',
      work_town: 'Leeds',
    })
    expect((await on('2026-01-01')).map((row) => row.employee_number)).toEqual(['F002', 'F003'])
    expect((await on('2026-05-01')).map((row) => row.employee_number)).toEqual(['F002', 'F003', 'F004'])
  })

  test('profession, talent and performance: GSS holds none, so those columns are empty', async () => {
    const items = (await get(api('profession-talent-performance', 'asAt=2025-06-01'))).json().items
    const ann = items.find((row: Record<string, unknown>) => row.employee_number === 'F001')
    expect(ann).toMatchObject({
      grade_code: 'HEO',
      in_grade_since: '2025-06-01',
      profession: null,
      performance_rating: null,
    })
    for (const column of AREA_DEFINITIONS['profession-talent-performance'].columns.filter((c) => c.noSource))
      expect(items.every((row: Record<string, unknown>) => row[column.name] === null)).toBe(true)
  })

  test('joining and leaving covers the twelve months to the date', async () => {
    expect(periodStart('2026-03-31')).toBe('2025-04-01')
    const items = (await get(api('joining-and-leaving', 'asAt=2026-03-31'))).json().items
    expect(
      items.map((row: Record<string, string>) => [row.employee_number, row.event, row.event_date]),
    ).toEqual([
      ['F002', 'joiner', '2025-06-01'],
      ['F001', 'leaver', '2025-12-31'],
    ])
    expect(items[1]).toMatchObject({ leaving_reason: 'Resignation', grade_code: 'HEO', fte: '0.6000' })
  })

  test('absence lists sickness overlapping the twelve months', async () => {
    await sql`
      insert into sickness_absences (org_id, id, employment_id, start_date, end_date, reason, category, notified_on)
      values (${ORG}, gen_random_uuid(), ${fixtureIds.employment('cat')}, '2025-03-30', '2025-04-03', 'Flu',
        'respiratory', '2025-03-30')`.execute(t.db.admin)
    const items = (await get(api('absence', 'asAt=2026-03-31'))).json().items
    expect(items).toEqual([
      expect.objectContaining({
        employee_number: 'F003',
        absence_type: 'sickness',
        category: 'respiratory',
        start_date: '2025-03-30',
        end_date: '2025-04-03',
        calendar_days_in_period: 3,
        work_related: 'no',
      }),
    ])
  })

  test('diversity: exported for hr:diversity:read, refused to others by the route and by the database', async () => {
    const allowed = (await get(api('diversity', 'asAt=2025-06-01'))).json().items
    expect(allowed.find((row: Record<string, unknown>) => row.employee_number === 'F003')).toMatchObject({
      sex: 'female',
      ethnicity: 'White British',
      disability: 'no',
      recorded_on: '2024-03-01',
    })
    const refused = await get(api('diversity', 'asAt=2025-06-01'), payrollToken)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().detail).toBe('You do not have permission to see diversity data')
    // Even past the route, row-level security hides the answers from a context without the permission.
    const rows = await t.db.transaction(
      { userId: null, orgIds: [ORG], actingOrgId: ORG, requestId: 'test', diversityOrgIds: [] },
      (trx) => exportArea(trx, 'diversity', { id: ORG, code: FIXTURE_ORG }, '2025-06-01'),
    )
    expect(rows.items.length).toBe(3)
    expect(rows.items.every((row) => row.sex === null && row.ethnicity === null)).toBe(true)
    // The other areas stay open to hr:read.
    expect((await get(api('core-employee-profile', 'asAt=2025-06-01'), payrollToken)).statusCode).toBe(200)
  })

  test('the schemas are published and the downloads page lists every area', async () => {
    const schemas = await get('/api/v1/hr/standard/schemas')
    expect(schemas.statusCode).toBe(200)
    expect(schemas.json().areas.map((a: { area: string }) => a.area)).toEqual([...STANDARD_AREAS])
    const session = await signIn(t.app, 'payroll.officer@gss.example')
    const page = await t.app.inject({
      url: `/orgs/${FIXTURE_ORG}/hr/standard?asAt=2025-06-01`,
      headers: { cookie: session.cookie },
    })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(
      'href="/orgs/ago/hr/standard/core-employee-profile?asAt=2025-06-01&amp;format=csv"',
    )
    expect(page.body).toContain('Only for people who may see diversity data')
    const download = await t.app.inject({
      url: `/orgs/${FIXTURE_ORG}/hr/standard/joining-and-leaving?asAt=2026-03-31&format=csv`,
      headers: { cookie: session.cookie },
    })
    expect(download.statusCode).toBe(200)
    expect(download.body.split('\r\n')[1]).toMatch(/^ago,F002,/)
  })
})

describe('bulk import of people and employments', () => {
  const header =
    'employee_number,forenames,surname,date_of_birth,ni_number,contract_type,start_date,position_code,fte,hours_per_week,annual_salary,postcode,tax_code'
  const count = async () => {
    const { rows } = await sql<{ people: number; employments: number }>`
      select (select count(*)::int from people where org_id = ${ORG}) as people,
        (select count(*)::int from employments where org_id = ${ORG}) as employments`.execute(t.db.admin)
    return rows[0]!
  }

  test('every bad row is reported with its line and column, and nothing is imported', async () => {
    const before = await count()
    const csv = [
      header,
      'G001,Gina,Good,1985-01-01,AB423456C,permanent,2026-01-05,PA1,1,37,29000,sw1a 2as,1257L',
      'G002,Hal,,1985-02-30,QQ123456C,permanent,2026-01-05,PA1,1,37,29000,,',
      'F001,Ivy,Ink,1990-01-01,,contract,2026-01-05,NOPE,1.5,80,£abc,XYZ,',
      'G001,Jo,Jones,2015-01-01,,permanent,2026-01-05,PA1,1,37,99000,,',
    ].join('\n')
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${FIXTURE_ORG}/hr/import`,
      headers: {
        authorization: `Bearer ${hrToken}`,
        'content-type': 'text/csv',
        'idempotency-key': 'import-bad-1',
      },
      payload: csv,
    })
    expect(response.statusCode).toBe(400)
    const fields = (response.json().errors as Array<{ field: string }>).map((e) => e.field)
    expect(fields).toEqual(
      expect.arrayContaining([
        '/line/3/surname',
        '/line/3/date_of_birth',
        '/line/3/ni_number',
        '/line/4/employee_number',
        '/line/4/contract_type',
        '/line/4/position_code',
        '/line/4/fte',
        '/line/4/hours_per_week',
        '/line/4/annual_salary',
        '/line/4/postcode',
        '/line/5/employee_number',
        '/line/5/date_of_birth',
        '/line/5/annual_salary',
      ]),
    )
    expect(fields.some((field) => field.startsWith('/line/2/'))).toBe(false)
    const messages = (response.json().errors as Array<{ message: string }>).map((e) => e.message)
    expect(messages).toContain('Line 3, date_of_birth: 1985-02-30 is not a real date')
    expect(messages).toContain('Line 3, ni_number: National Insurance numbers never start with Q')
    expect(messages).toContain('Line 5, employee_number: G001 is also on line 2')
    expect(messages).toContain('Line 5, annual_salary: must be within the EO pay scale, £28,000 to £31,500')
    expect(await count()).toEqual(before)
  })

  test('a clean file imports people, employments, terms, payroll details and tax codes', async () => {
    const before = await count()
    const csv = [
      header,
      'G101,Gina,Good,1985-01-01,AB423456C,permanent,2026-01-05,PA1,1,37,29000,sw1a 2as,1257L',
      // The same person (same NI number) with a second post: one person record.
      'G102,Gina,Good,1985-01-01,AB 42 34 56 C,fixed-term,2026-02-01,PB1,0.4,14.8,"35,000",,',
      // An existing person (Cat, by NI number) takes a second employment rather than a new record.
      'G103,Cat,Carter,1975-06-07,AB323456C,casual,2026-03-01,PA1,0.2,7.4,28000,,',
    ].join('\n')
    const result = await t.db.transaction(
      { userId: null, orgIds: [ORG], actingOrgId: ORG, requestId: 'test' },
      (trx) => importPeopleCsv(trx, ORG, csv, null),
    )
    expect(result).toEqual({ peopleCreated: 1, employmentsCreated: 3 })
    expect(await count()).toEqual({ people: before.people + 1, employments: before.employments + 3 })
    const { rows } = await sql<Record<string, unknown>>`
      select e.employee_number, p.ni_number, p.postcode, t.fte::text, t.grade_code, t.cost_centre_code,
        t.annual_salary_pence, x.tax_code, (d.employment_id is not null) as payroll
      from employments e join people p on p.id = e.person_id
      join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id
      left join tax_codes x on x.org_id = e.org_id and x.employment_id = e.id
      left join payroll_details d on d.org_id = e.org_id and d.employment_id = e.id
      where e.org_id = ${ORG} and e.employee_number like 'G1%' order by e.employee_number`.execute(t.db.admin)
    expect(rows).toEqual([
      {
        employee_number: 'G101',
        ni_number: 'AB423456C',
        postcode: 'SW1A 2AS',
        fte: '1.0000',
        grade_code: 'EO',
        cost_centre_code: 'FIXA',
        annual_salary_pence: 2_900_000,
        tax_code: '1257L',
        payroll: true,
      },
      {
        employee_number: 'G102',
        ni_number: 'AB423456C',
        postcode: 'SW1A 2AS',
        fte: '0.4000',
        grade_code: 'HEO',
        cost_centre_code: 'FIXB',
        annual_salary_pence: 3_500_000,
        tax_code: null,
        payroll: true,
      },
      {
        employee_number: 'G103',
        ni_number: 'AB323456C',
        postcode: null,
        fte: '0.2000',
        grade_code: 'EO',
        cost_centre_code: 'FIXA',
        annual_salary_pence: 2_800_000,
        tax_code: null,
        payroll: true,
      },
    ])
  })

  const multipart = (parts: Array<{ name: string; value: string; fileName?: string; type?: string }>) => {
    const boundary = '----gssTestBoundary7MA4YWxkTrZu0gW'
    const body = Buffer.concat([
      ...parts.map((part) =>
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${
            part.fileName !== undefined
              ? `; filename="${part.fileName}"\r\nContent-Type: ${part.type ?? 'text/csv'}`
              : ''
          }\r\n\r\n${part.value}\r\n`,
        ),
      ),
      Buffer.from(`--${boundary}--\r\n`),
    ])
    return { body, contentType: `multipart/form-data; boundary=${boundary}` }
  }

  test('a file uploaded to the API (multipart/form-data): every bad row by line and field, nothing imported', async () => {
    const before = await count()
    const csv = [
      header,
      'U001,Una,Upton,1985-01-01,,permanent,2026-01-05,PA1,1,37,29000,,',
      'U002,Vic,,1985-02-30,,permanent,2026-01-05,PA1,1,37,29000,,',
      'U003,Wyn,West,1990-01-01,,contract,2026-01-05,NOPE,1,37,29000,,',
    ].join('\n')
    const upload = multipart([{ name: 'file', value: csv, fileName: 'people.csv' }])
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${FIXTURE_ORG}/hr/import`,
      headers: {
        authorization: `Bearer ${hrToken}`,
        'content-type': upload.contentType,
        'idempotency-key': 'import-upload-bad-1',
      },
      payload: upload.body,
    })
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    const errors = response.json().errors as Array<{ field: string; message: string }>
    expect(errors.map((e) => e.field)).toEqual(
      expect.arrayContaining([
        '/line/3/surname',
        '/line/3/date_of_birth',
        '/line/4/contract_type',
        '/line/4/position_code',
      ]),
    )
    expect(errors.some((e) => e.field.startsWith('/line/2/'))).toBe(false)
    expect(errors.map((e) => e.message)).toContain('Line 3, date_of_birth: 1985-02-30 is not a real date')
    expect(await count()).toEqual(before)
  })

  test('the API takes one CSV file only', async () => {
    const send = (parts: Parameters<typeof multipart>[0], key: string) => {
      const upload = multipart(parts)
      return t.app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${FIXTURE_ORG}/hr/import`,
        headers: {
          authorization: `Bearer ${hrToken}`,
          'content-type': upload.contentType,
          'idempotency-key': key,
        },
        payload: upload.body,
      })
    }
    const spreadsheet = await send(
      [{ name: 'file', value: 'PK', fileName: 'people.xlsx', type: 'application/zip' }],
      'u-x',
    )
    expect(spreadsheet.statusCode).toBe(400)
    expect(spreadsheet.json().errors[0]).toMatchObject({
      field: '/file',
      message: expect.stringMatching(/must be a CSV/),
    })
    const two = await send(
      [
        { name: 'file', value: header, fileName: 'a.csv' },
        { name: 'file', value: header, fileName: 'b.csv' },
      ],
      'u-two',
    )
    expect(two.statusCode).toBe(400)
    expect(two.json().errors[0].message).toMatch(/Upload one file/)
    const clean = await send(
      [
        {
          name: 'file',
          value: `${header}\nU101,Ada,Ames,1985-01-01,,permanent,2026-01-05,PA1,1,37,29000,,`,
          fileName: 'ok.csv',
        },
      ],
      'u-ok',
    )
    expect(clean.statusCode).toBe(201)
    expect(clean.json()).toEqual({ peopleCreated: 1, employmentsCreated: 1 })
  })

  test('the upload page takes a file: a bad one lists every row in the error summary and imports nothing', async () => {
    const before = await count()
    const session = await signIn(t.app, 'hr.officer@gss.example')
    const form = await t.app.inject({
      url: `/orgs/${FIXTURE_ORG}/hr/import`,
      headers: { cookie: session.cookie },
    })
    expect(form.body).toContain('enctype="multipart/form-data"')
    expect(form.body).toContain('type="file"')
    const bad = multipart([
      { name: '_csrf', value: session.csrfToken },
      {
        name: 'file',
        fileName: 'people.csv',
        value: `${header}\nP201,Kim,,1985-01-01,,permanent,2026-01-05,PA1,1,37,29000,,\nP202,Lee,Lowe,1985-01-01,,permanent,2026-13-05,PA1,1,37,29000,,`,
      },
    ])
    const failed = await t.app.inject({
      method: 'POST',
      url: `/orgs/${FIXTURE_ORG}/hr/import`,
      headers: { cookie: session.cookie, 'content-type': bad.contentType },
      payload: bad.body,
    })
    expect(failed.statusCode).toBe(400)
    expect(failed.body).toContain('govuk-error-summary')
    expect(failed.body).toContain('Line 2, surname: is required')
    expect(failed.body).toContain('Line 3, start_date: 2026-13-05 is not a real date')
    expect(failed.body).toContain('href="#file"')
    expect(await count()).toEqual(before)
    const good = multipart([
      { name: '_csrf', value: session.csrfToken },
      {
        name: 'file',
        fileName: 'people.csv',
        value: `${header}\nP301,Max,Moss,1985-01-01,,permanent,2026-01-05,PA1,1,37,29000,,`,
      },
    ])
    const ok = await t.app.inject({
      method: 'POST',
      url: `/orgs/${FIXTURE_ORG}/hr/import`,
      headers: { cookie: session.cookie, 'content-type': good.contentType },
      payload: good.body,
    })
    expect(ok.statusCode).toBe(303)
    expect(ok.headers.location).toBe(`/orgs/${FIXTURE_ORG}/hr/import?imported=1`)
  })

  test('the upload page re-shows the file with every problem in the error summary', async () => {
    const session = await signIn(t.app, 'hr.officer@gss.example')
    const form = await t.app.inject({
      url: `/orgs/${FIXTURE_ORG}/hr/import`,
      headers: { cookie: session.cookie },
    })
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(PEOPLE_IMPORT_COLUMNS.slice(0, 3).join(','))
    const csv = `${header}\nG201,Kim,,1985-01-01,,permanent,2026-01-05,PA1,1,37,29000,,\nG202,Lee,Lowe,1985-01-01,,permanent,2026-13-05,PA1,1,37,29000,,`
    const failed = await t.app.inject({
      method: 'POST',
      url: `/orgs/${FIXTURE_ORG}/hr/import`,
      headers: { cookie: session.cookie },
      payload: { _csrf: session.csrfToken, csv },
    })
    expect(failed.statusCode).toBe(400)
    expect(failed.body).toContain('govuk-error-summary')
    expect(failed.body).toContain('Line 2, surname: is required')
    expect(failed.body).toContain('Line 3, start_date: 2026-13-05 is not a real date')
    expect(failed.body).toContain('G202,Lee,Lowe') // the text typed is kept
    const ok = await t.app.inject({
      method: 'POST',
      url: `/orgs/${FIXTURE_ORG}/hr/import`,
      headers: { cookie: session.cookie },
      payload: {
        _csrf: session.csrfToken,
        csv: `${header}\nG301,Max,Moss,1985-01-01,,permanent,2026-01-05,PA1,1,37,29000,,`,
      },
    })
    expect(ok.statusCode).toBe(303)
    expect(ok.headers.location).toBe(`/orgs/${FIXTURE_ORG}/hr/import?imported=1`)
  })
})

describe('policy pages', () => {
  test('the leave policy page shows entitlement by grade and years of service', async () => {
    const session = await signIn(t.app, 'hr.officer@gss.example')
    const { rows } = await sql<{ code: string; days: string }>`
      select code, annual_leave_days::text as days from grades where org_id = ${ORG} order by code limit 1`.execute(
      t.db.admin,
    )
    const grade = rows[0]!
    const page = await t.app.inject({
      url: `/orgs/${FIXTURE_ORG}/hr/policies/leave`,
      headers: { cookie: session.cookie },
    })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Annual leave entitlement by grade and years of service')
    // The grade's base days with no service, then one more day a year (the default policy).
    const row = new RegExp(
      `\\(${grade.code}\\)</th>\\s*<td[^>]*>${Number(grade.days)}</td>\\s*<td[^>]*>${Number(grade.days) + 1}</td>`,
    )
    expect(page.body).toMatch(row)
  })

  test('the expenses policy page shows each limit', async () => {
    await t.db.adminTransaction((trx) =>
      sql`insert into expense_policy_limits (org_id, category, limit_pence, per) values (${ORG}, 'hotel-london', 15000, 'night')
        on conflict (org_id, category) do update set limit_pence = 15000`.execute(trx),
    )
    const session = await signIn(t.app, 'hr.officer@gss.example')
    const page = await t.app.inject({
      url: `/orgs/${FIXTURE_ORG}/hr/policies/expenses`,
      headers: { cookie: session.cookie },
    })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Hotel london')
    expect(page.body).toContain('£150.00')
  })
})
