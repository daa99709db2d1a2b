// Reports through the API and pages, as finance staff and cluster staff use them.
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Role } from '../../platform/auth/permissions.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { type SignedIn, signIn } from '../../platform/testing.ts'
import { demoFiscalYears } from '../demo.ts'
import { createReportsTestApp, type ReportsTestApp } from './test-app.ts'

let t: ReportsTestApp
let clerkToken: string
let clerk: SignedIn
const [LAST_YEAR] = demoFiscalYears() as [number, number]

async function token(email: string, role: Role, org = 'cabinet-office') {
  const userId = uuidFromName(`user:${email}`)
  const id = orgId(org)
  return (
    await t.auth.createToken(
      { userId, orgIds: [id], actingOrgId: id, requestId: 'test' },
      { userId, orgId: id, roles: [role], name: 'test', expiresAt: new Date(Date.now() + 86_400_000) },
    )
  ).token
}
const get = (url: string, auth: string | SignedIn) =>
  t.app.inject({
    method: 'GET',
    url,
    headers: typeof auth === 'string' ? { authorization: `Bearer ${auth}` } : { cookie: auth.cookie },
  })

beforeAll(async () => {
  t = await createReportsTestApp()
  clerkToken = await token('finance.clerk@gss.example', 'finance_clerk')
  clerk = await signIn(t.app, 'finance.clerk@gss.example')
})
afterAll(async () => t?.close())

describe('reports API', () => {
  test('income and expenditure of the demo year, as JSON, CSV and Excel that agree', async () => {
    const url = `/api/v1/orgs/cabinet-office/reports/income-expenditure?fiscalYear=${LAST_YEAR}`
    const json = await get(url, clerkToken)
    expect(json.statusCode).toBe(200)
    const ie = json.json()
    expect(ie.totalIncomePence).toBe(0)
    expect(ie.surplusPence).toBe(-ie.totalExpenditurePence)
    expect(ie.expenditure.map((line: { standardCode: string }) => line.standardCode)).toEqual([
      '51100000',
      '51200000',
      '52100000',
    ])
    const csv = await get(`${url}&format=csv`, clerkToken)
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(csv.headers['content-disposition']).toBe(
      `attachment; filename="income-expenditure-cabinet-office-${LAST_YEAR}-p1-12.csv"`,
    )
    const lines = csv.body.trim().split('\r\n')
    expect(lines[0]).toBe('Section,Standard account,Name,Amount')
    expect(lines.at(-1)).toBe(`Deficit,,,${(ie.surplusPence / 100).toFixed(2)}`)
    const xlsx = await get(`${url}&format=xlsx`, clerkToken)
    expect(xlsx.headers['content-type']).toContain('spreadsheetml')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    const sheet = workbook.worksheets[0]!
    expect(sheet.getCell(`D${sheet.rowCount}`).value).toBe(ie.surplusPence / 100)
  })

  test('the balance sheet at the year end balances and carries the year’s deficit in reserves', async () => {
    const response = await get(
      `/api/v1/orgs/cabinet-office/reports/balance-sheet?fiscalYear=${LAST_YEAR}&period=12`,
      clerkToken,
    )
    expect(response.statusCode).toBe(200)
    const bs = response.json()
    expect(bs.netAssetsPence).toBe(bs.totalReservesPence)
    const ie = (
      await get(`/api/v1/orgs/cabinet-office/reports/income-expenditure?fiscalYear=${LAST_YEAR}`, clerkToken)
    ).json()
    expect(bs.totalReservesPence).toBe(ie.surplusPence)
  })

  test('budget variance sets the demo budgets against the demo actuals', async () => {
    const response = await get(
      `/api/v1/orgs/cabinet-office/reports/budget-variance?fiscalYear=${LAST_YEAR}&period=6`,
      clerkToken,
    )
    expect(response.statusCode).toBe(200)
    const it = response.json().lines.find((line: { accountCode: string }) => line.accountCode === '52100000')
    expect(it).toMatchObject({
      costCentreCode: 'CORP',
      budgetToDatePence: 2_400_000_00,
      actualToDatePence: 6 * 380_000_00,
      varianceToDatePence: 2_400_000_00 - 6 * 380_000_00,
      budgetFullYearPence: 4_500_000_00,
      forecastFullYearPence: 4_560_000_00,
      varianceFullYearPence: -60_000_00,
    })
  })

  test('the transparency file is in the published layout; payroll is left out', async () => {
    const response = await get(
      `/api/v1/orgs/cabinet-office/reports/transparency?fiscalYear=${LAST_YEAR}&period=1&format=csv`,
      clerkToken,
    )
    expect(response.statusCode).toBe(200)
    const [header, ...rows] = response.body.trim().split('\r\n')
    expect(header).toBe('Date,Expense type,Expense area,Payee,Transaction number,Amount,Description')
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatch(
      new RegExp(
        `^28/04/${LAST_YEAR},IT services and software,Corporate,IT services invoice ${LAST_YEAR}-04,\\d+,380000.00,IT services invoice ${LAST_YEAR}-04$`,
      ),
    )
  })

  test('a bad query is refused with the field named, and another organisation is out of reach', async () => {
    const bad = await get(
      '/api/v1/orgs/cabinet-office/reports/income-expenditure?fiscalYear=2026&fromPeriod=13',
      clerkToken,
    )
    expect(bad.statusCode).toBe(400)
    const backwards = await get(
      '/api/v1/orgs/cabinet-office/reports/income-expenditure?fiscalYear=2026&fromPeriod=6&toPeriod=2',
      clerkToken,
    )
    expect(backwards.statusCode).toBe(400)
    expect(backwards.json().errors).toEqual([
      { field: '/toPeriod', message: 'The last period must not be before the first' },
    ])
    const other = await get('/api/v1/orgs/dwp/reports/balance-sheet?fiscalYear=2026', clerkToken)
    expect(other.statusCode).toBe(403)
  })
})

describe('report pages', () => {
  test('each report renders with its downloads, and the page’s CSV is the API’s', async () => {
    const index = await get('/orgs/cabinet-office/finance/reports', clerk)
    expect(index.statusCode).toBe(200)
    for (const slug of ['income-expenditure', 'balance-sheet', 'budget-variance', 'transparency']) {
      expect(index.body).toContain(`/orgs/cabinet-office/finance/reports/${slug}`)
      const page = await get(
        `/orgs/cabinet-office/finance/reports/${slug}?fiscalYear=${LAST_YEAR}&toPeriod=1`,
        clerk,
      )
      expect(page.statusCode, slug).toBe(200)
      expect(page.body).toContain('format=csv')
      expect(page.body).toContain('format=xlsx')
    }
    const page = await get(
      `/orgs/cabinet-office/finance/reports/balance-sheet?fiscalYear=${LAST_YEAR}&toPeriod=12`,
      clerk,
    )
    expect(page.body).toContain('Total reserves')
    const fromPage = await get(
      `/orgs/cabinet-office/finance/reports/transparency?fiscalYear=${LAST_YEAR}&toPeriod=1&format=csv`,
      clerk,
    )
    const fromApi = await get(
      `/api/v1/orgs/cabinet-office/reports/transparency?fiscalYear=${LAST_YEAR}&period=1&format=csv`,
      clerkToken,
    )
    expect(fromPage.body).toBe(fromApi.body)
  })

  test('the budgets page shows the demo budget and its adjustments', async () => {
    const page = await get(`/orgs/cabinet-office/finance/budgets?fiscalYear=${LAST_YEAR}`, clerk)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Supplementary Estimate: IT savings surrendered')
    expect(page.body).toContain('£4,500,000.00')
  })
})

describe('cluster view', () => {
  test('cluster admins and auditors of the cluster see its organisations summed by standard code', async () => {
    for (const email of ['cluster.admin@gss.example', 'auditor@gss.example']) {
      const session = await signIn(t.app, email)
      const response = await get(
        `/api/v1/clusters/matrix/reports/trial-balance?fiscalYear=${LAST_YEAR}`,
        session,
      )
      expect(response.statusCode, email).toBe(200)
      const tb = response.json()
      expect(tb.totalDebitPence).toBe(tb.totalCreditPence)
      expect(tb.organisations.map((org: { code: string }) => org.code)).toContain('cabinet-office')
      expect(
        tb.lines.find((line: { standardCode: string }) => line.standardCode === '52100000'),
      ).toMatchObject({
        debitPence: 12 * 380_000_00,
        organisationCount: 1,
      })
      const page = await get(`/clusters/matrix/reports/trial-balance?fiscalYear=${LAST_YEAR}`, session)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('Consolidated trial balance')
      const ie = await get(
        `/api/v1/clusters/matrix/reports/income-expenditure?fiscalYear=${LAST_YEAR}`,
        session,
      )
      expect(ie.statusCode).toBe(200)
      expect(ie.json().totalExpenditurePence).toBe(
        tb.lines
          .filter((line: { kind: string }) => line.kind === 'expenditure')
          .reduce((sum: number, line: { balancePence: number }) => sum + line.balancePence, 0),
      )
      const iePage = await get(
        `/clusters/matrix/reports/income-expenditure?fiscalYear=${LAST_YEAR}&format=csv`,
        session,
      )
      expect(iePage.statusCode).toBe(200)
      expect(iePage.body.split('\r\n')[0]).toBe('Section,Standard account,Name,Amount')
    }
  })

  test('others are refused: another cluster, organisation staff, and tokens', async () => {
    const admin = await signIn(t.app, 'cluster.admin@gss.example')
    expect(
      (await get('/api/v1/clusters/synergy/reports/trial-balance?fiscalYear=2026', admin)).statusCode,
    ).toBe(403)
    expect(
      (await get('/api/v1/clusters/matrix/reports/trial-balance?fiscalYear=2026', clerk)).statusCode,
    ).toBe(403)
    expect(
      (await get('/api/v1/clusters/matrix/reports/trial-balance?fiscalYear=2026', clerkToken)).statusCode,
    ).toBe(403)
    expect(
      (await get('/api/v1/clusters/nowhere/reports/trial-balance?fiscalYear=2026', admin)).statusCode,
    ).toBe(404)
  })
})
