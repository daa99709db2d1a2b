import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { orgId } from '../../platform/ids.ts'
import { createTestApp, signIn, type TestApp } from '../../platform/testing.ts'
import { HeadcountService } from './service.ts'
import { FIXTURE_ORG, fixtureToken, seedHrFixture } from './test-fixture.ts'

let t: TestApp
let hrToken: string
beforeAll(async () => {
  t = await createTestApp()
  await seedHrFixture(t)
  hrToken = await fixtureToken(t, 'hr.officer@gss.example', ['hr_officer'])
}, 300_000)
afterAll(async () => t?.close())

const report = (asAt: string) =>
  t.db.transaction(
    { userId: null, orgIds: [orgId(FIXTURE_ORG)], actingOrgId: null, requestId: 'test' },
    (trx) => new HeadcountService().report(trx, [orgId(FIXTURE_ORG)], asAt),
  )
const figures = (rows: Array<{ code: string; headcount: number; fte: string }>) =>
  Object.fromEntries(rows.map((row) => [row.code, [row.headcount, row.fte]]))

describe('headcount and FTE as at a date', () => {
  test('the day before a move counts the mover on her old grade and unit', async () => {
    const r = await report('2025-05-31')
    expect(r.total).toEqual({ headcount: 2, fte: '2' })
    expect(figures(r.byGrade)).toEqual({ EO: [1, '1'], HEO: [1, '1'] })
    expect(figures(r.byUnit)).toEqual({ FIXA: [1, '1'], FIXB: [1, '1'] })
    expect(r.byOrganisation).toEqual([{ code: 'ago', name: expect.any(String), headcount: 2, fte: '2' }])
  })

  test('on the day of the move, the new terms and the new joiner count', async () => {
    const r = await report('2025-06-01')
    expect(r.total).toEqual({ headcount: 3, fte: '2.1' })
    expect(figures(r.byGrade)).toEqual({ EO: [1, '0.5'], HEO: [2, '1.6'] })
    expect(figures(r.byUnit)).toEqual({ FIXA: [1, '0.5'], FIXB: [2, '1.6'] })
    // Grades come in rank order.
    expect(r.byGrade.map((row) => row.code)).toEqual(['EO', 'HEO'])
  })

  test('a leaver counts on her last day and not the day after', async () => {
    expect((await report('2025-12-31')).total).toEqual({ headcount: 3, fte: '2.1' })
    const after = await report('2026-01-01')
    expect(after.total).toEqual({ headcount: 2, fte: '1.5' })
    expect(figures(after.byUnit)).toEqual({ FIXA: [1, '0.5'], FIXB: [1, '1'] })
  })

  test('a future joiner counts from the start date', async () => {
    expect((await report('2026-04-30')).total.headcount).toBe(2)
    expect((await report('2026-05-01')).total).toEqual({ headcount: 3, fte: '2.5' })
  })
})

describe('over HTTP', () => {
  test('the API answers JSON, CSV and Excel for a date', async () => {
    const url = `/api/v1/orgs/${FIXTURE_ORG}/hr/headcount?asAt=2025-06-01`
    const json = await t.app.inject({ url, headers: { authorization: `Bearer ${hrToken}` } })
    expect(json.statusCode).toBe(200)
    expect(json.json()).toMatchObject({ asAt: '2025-06-01', total: { headcount: 3, fte: '2.1' } })

    const csv = await t.app.inject({
      url: `${url}&format=csv`,
      headers: { authorization: `Bearer ${hrToken}` },
    })
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toContain('text/csv')
    const lines = csv.body.trim().split('\r\n')
    expect(lines[0]).toBe('Breakdown,Code,Name,Headcount,FTE')
    expect(lines).toContain('Grade,HEO,Higher Executive Officer,2,1.6')
    expect(lines.at(-1)).toBe('Total,,As at 2025-06-01,3,2.1')

    const xlsx = await t.app.inject({
      url: `${url}&format=xlsx`,
      headers: { authorization: `Bearer ${hrToken}` },
    })
    expect(xlsx.statusCode).toBe(200)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    const sheet = workbook.worksheets[0]!
    expect(sheet.getRow(1).getCell(4).value).toBe('Headcount')
    expect(sheet.getRow(sheet.rowCount).getCell(4).value).toBe(3)
  })

  test('a bad date is refused with problem+json; another organisation is refused', async () => {
    const bad = await t.app.inject({
      url: `/api/v1/orgs/${FIXTURE_ORG}/hr/headcount?asAt=2025-13-01`,
      headers: { authorization: `Bearer ${hrToken}` },
    })
    expect(bad.statusCode).toBe(400)
    const other = await t.app.inject({
      url: '/api/v1/orgs/hmrc/hr/headcount',
      headers: { authorization: `Bearer ${hrToken}` },
    })
    expect(other.statusCode).toBe(403)
  })

  test('the page shows the figures for the date typed, and an error for an impossible date', async () => {
    const session = await signIn(t.app, 'hr.officer@gss.example')
    const page = await t.app.inject({
      url: `/orgs/${FIXTURE_ORG}/hr/headcount?asAt-day=1&asAt-month=6&asAt-year=2025`,
      headers: { cookie: session.cookie },
    })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Headcount and FTE')
    expect(page.body).toMatch(/By grade[\s\S]*HEO[\s\S]*1\.6/)
    expect(page.body).toContain('href="/orgs/ago/hr/headcount?asAt=2025-06-01&amp;format=csv"')
    const error = await t.app.inject({
      url: `/orgs/${FIXTURE_ORG}/hr/headcount?asAt-day=31&asAt-month=4&asAt-year=2025`,
      headers: { cookie: session.cookie },
    })
    expect(error.statusCode).toBe(400)
    expect(error.body).toContain('govuk-error-summary')
    expect(error.body).toContain('2025-04-31 is not a real date')
  })

  test('the cluster view sums the cluster’s organisations for cluster staff only', async () => {
    const admin = await signIn(t.app, 'cluster.admin@gss.example')
    const page = await t.app.inject({
      url: '/clusters/matrix/hr/headcount?asAt=2025-06-01',
      headers: { cookie: admin.cookie },
    })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('By organisation')
    const csv = await t.app.inject({
      url: '/clusters/matrix/hr/headcount?asAt=2025-06-01&format=csv',
      headers: { cookie: admin.cookie },
    })
    expect(csv.body).toMatch(/Organisation,ago,[^\r\n]*,3,2\.1/)
    const hr = await signIn(t.app, 'hr.officer@gss.example')
    const refused = await t.app.inject({
      url: '/clusters/matrix/hr/headcount',
      headers: { cookie: hr.cookie },
    })
    expect(refused.statusCode).toBe(403)
  })
})
