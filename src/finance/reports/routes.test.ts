// Reports through the API and pages, as finance staff and cluster staff use them.
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Role } from '../../platform/auth/permissions.ts'
import { apiToken, type SignedIn, signIn } from '../../platform/testing.ts'
import { demoFiscalYears } from '../demo.ts'
import { createReportsTestApp, type ReportsTestApp } from './test-app.ts'

let t: ReportsTestApp
let clerkToken: string
let clerk: SignedIn
const [LAST_YEAR] = demoFiscalYears() as [number, number]

async function token(email: string, role: Role, org = 'cabinet-office') {
  return (await apiToken(t, email, org, [role])).token
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
    expect(ie.surplusPence).toBe(ie.totalIncomePence - ie.totalExpenditurePence)
    expect(ie.expenditure.map((line: { standardCode: string }) => line.standardCode)).toEqual(
      expect.arrayContaining(['51100000', '51200000', '52100000']),
    )
    const csv = await get(`${url}&format=csv`, clerkToken)
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(csv.headers['content-disposition']).toBe(
      `attachment; filename="income-expenditure-cabinet-office-${LAST_YEAR}-p1-12.csv"`,
    )
    const lines = csv.body.trim().split('\r\n')
    expect(lines[0]).toBe('Section,Standard account,Name,Amount')
    expect(lines.at(-1)).toBe(
      `${ie.surplusPence >= 0 ? 'Surplus' : 'Deficit'},,,${(ie.surplusPence / 100).toFixed(2)}`,
    )
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

describe('trial balance, aged creditors and prompt payment', () => {
  const xlsxRows = async (url: string, auth: string | SignedIn) => {
    const response = await get(url, auth)
    expect(response.statusCode, url).toBe(200)
    expect(response.headers['content-type']).toContain('spreadsheetml')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer)
    const sheet = workbook.worksheets[0]!
    return Array.from({ length: sheet.rowCount }, (_, i) => sheet.getRow(i + 1).values as unknown[])
  }

  test('the trial balance as JSON, CSV and Excel from the API, and from its page', async () => {
    const url = `/api/v1/orgs/cabinet-office/reports/trial-balance?fiscalYear=${LAST_YEAR}&period=12`
    const tb = (await get(url, clerkToken)).json()
    expect(tb.totalDebitPence).toBe(tb.totalCreditPence)
    expect(tb.totalDebitPence).toBeGreaterThan(0)
    const csv = await get(`${url}&format=csv`, clerkToken)
    expect(csv.headers['content-disposition']).toBe(
      `attachment; filename="trial-balance-cabinet-office-${LAST_YEAR}-p12.csv"`,
    )
    const lines = csv.body.trim().split('\r\n')
    expect(lines[0]).toBe('Account,Name,Standard code,Debit,Credit,Balance')
    expect(lines.at(-1)).toBe(
      `Total,,,${(tb.totalDebitPence / 100).toFixed(2)},${(tb.totalCreditPence / 100).toFixed(2)},0.00`,
    )
    const rows = await xlsxRows(`${url}&format=xlsx`, clerkToken)
    expect(rows.at(-1)?.[4]).toBe(tb.totalDebitPence / 100)
    // The ledger's own trial balance page offers the same files.
    const page = await get(
      `/orgs/cabinet-office/finance/trial-balance?fiscalYear=${LAST_YEAR}&period=12`,
      clerk,
    )
    expect(page.body).toContain('format=xlsx')
    const fromPage = await get(
      `/orgs/cabinet-office/finance/trial-balance?fiscalYear=${LAST_YEAR}&period=12&format=csv`,
      clerk,
    )
    expect(fromPage.body).toBe(csv.body)
    const reportPage = await get(
      `/orgs/cabinet-office/finance/reports/trial-balance?fiscalYear=${LAST_YEAR}&toPeriod=12&format=csv`,
      clerk,
    )
    expect(reportPage.body).toBe(csv.body)
  })

  test('aged creditors and prompt payment: page, CSV, Excel and API agree', async () => {
    const asOf = new Date().toISOString().slice(0, 10)
    const aged = (
      await get(`/api/v1/orgs/cabinet-office/reports/aged-creditors?asOf=${asOf}`, clerkToken)
    ).json()
    // The demo's invoices awaiting approval or payment are owed to its suppliers.
    expect(aged.totals.totalPence).toBeGreaterThan(0)
    const [year, month, day] = asOf.split('-')
    const page = await get(
      `/orgs/cabinet-office/finance/reports/aged-creditors?asOf-day=${Number(day)}&asOf-month=${Number(month)}&asOf-year=${year}`,
      clerk,
    )
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Acme Digital Services Ltd')
    expect(page.body).toContain(`asOf=${asOf}&amp;format=csv`)
    const csv = await get(
      `/orgs/cabinet-office/finance/reports/aged-creditors?asOf=${asOf}&format=csv`,
      clerk,
    )
    expect(csv.headers['content-disposition']).toBe(
      `attachment; filename="aged-creditors-cabinet-office-${asOf}.csv"`,
    )
    const lines = csv.body.trim().split('\r\n')
    expect(lines[0]).toBe('Supplier,Not yet due,1 to 30 days,31 to 60 days,61 to 90 days,Over 90 days,Total')
    expect(lines.at(-1)).toMatch(new RegExp(`^Total,.*,${(aged.totals.totalPence / 100).toFixed(2)}$`))
    const apiCsv = await get(
      `/api/v1/orgs/cabinet-office/reports/aged-creditors?asOf=${asOf}&format=csv`,
      clerkToken,
    )
    expect(apiCsv.body).toBe(csv.body)
    const agedRows = await xlsxRows(
      `/api/v1/orgs/cabinet-office/reports/aged-creditors?asOf=${asOf}&format=xlsx`,
      clerkToken,
    )
    expect(agedRows.at(-1)?.[7]).toBe(aged.totals.totalPence / 100)

    const prompt = (
      await get(`/api/v1/orgs/cabinet-office/reports/prompt-payment?fiscalYear=${LAST_YEAR}`, clerkToken)
    ).json()
    expect(prompt.quarters.map((q: { quarter: number }) => q.quarter)).toEqual([1, 2, 3, 4])
    const promptCsv = await get(
      `/api/v1/orgs/cabinet-office/reports/prompt-payment?fiscalYear=${LAST_YEAR}&format=csv`,
      clerkToken,
    )
    const promptLines = promptCsv.body.trim().split('\r\n')
    expect(promptLines[0]).toBe(
      'Quarter,Invoices paid,Paid within 5 days,Percentage within 5 days,Paid within 30 days,Percentage within 30 days',
    )
    expect(promptLines).toHaveLength(5)
    expect(promptLines.slice(1).map((row) => row.split(',').slice(0, 2))).toEqual(
      prompt.quarters.map((q: { label: string; invoicesPaid: number }) => [q.label, String(q.invoicesPaid)]),
    )
    const promptPage = await get(
      `/orgs/cabinet-office/finance/reports/prompt-payment?fiscalYear=${LAST_YEAR}`,
      clerk,
    )
    expect(promptPage.statusCode).toBe(200)
    expect(promptPage.body).toContain(`${prompt.quarters[0].label}`)
    expect(promptPage.body).not.toContain('id="toPeriod"')
    const promptRows = await xlsxRows(
      `/orgs/cabinet-office/finance/reports/prompt-payment?fiscalYear=${LAST_YEAR}&format=xlsx`,
      clerk,
    )
    expect(promptRows).toHaveLength(5)
    const bad = await get('/api/v1/orgs/cabinet-office/reports/aged-creditors?asOf=2026-02-30', clerkToken)
    expect(bad.statusCode).toBe(400)
  })

  test('the cluster’s staff see prompt payment and aged creditors across its organisations', async () => {
    const admin = await signIn(t.app, 'cluster.admin@gss.example')
    const asOf = new Date().toISOString().slice(0, 10)
    const own = (
      await get(`/api/v1/orgs/cabinet-office/reports/aged-creditors?asOf=${asOf}`, clerkToken)
    ).json()
    const aged = await get(`/api/v1/clusters/matrix/reports/aged-creditors?asOf=${asOf}`, admin)
    expect(aged.statusCode).toBe(200)
    const body = aged.json()
    expect(body.organisations.map((org: { code: string }) => org.code)).toContain('dsit')
    const coTotal = body.rows
      .filter((row: { orgCode: string }) => row.orgCode === 'cabinet-office')
      .reduce((sum: number, row: { totalPence: number }) => sum + row.totalPence, 0)
    expect(coTotal).toBe(own.totals.totalPence)
    const page = await get(`/clusters/matrix/reports/aged-creditors?asOf=${asOf}`, admin)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Aged creditors across the cluster')
    expect(page.body).toContain('Consolidated trial balance')
    const csv = await get(`/clusters/matrix/reports/aged-creditors?asOf=${asOf}&format=csv`, admin)
    expect(csv.body.split('\r\n')[0]).toBe(
      'Organisation,Supplier,Not yet due,1 to 30 days,31 to 60 days,61 to 90 days,Over 90 days,Total',
    )
    const prompt = await get(`/api/v1/clusters/matrix/reports/prompt-payment?fiscalYear=${LAST_YEAR}`, admin)
    expect(prompt.statusCode).toBe(200)
    expect(prompt.json().quarters).toHaveLength(4)
    const xlsx = await get(
      `/clusters/matrix/reports/prompt-payment?fiscalYear=${LAST_YEAR}&format=xlsx`,
      admin,
    )
    expect(xlsx.headers['content-type']).toContain('spreadsheetml')
    const missing = await get('/api/v1/clusters/matrix/reports/prompt-payment', admin)
    expect(missing.statusCode).toBe(400)
    expect((await get(`/api/v1/clusters/matrix/reports/aged-creditors?asOf=${asOf}`, clerk)).statusCode).toBe(
      403,
    )
  })
})

describe('report pages', () => {
  test('each report renders with its downloads, and the page’s CSV is the API’s', async () => {
    const index = await get('/orgs/cabinet-office/finance/reports', clerk)
    expect(index.statusCode).toBe(200)
    for (const slug of [
      'trial-balance',
      'income-expenditure',
      'balance-sheet',
      'budget-variance',
      'aged-creditors',
      'prompt-payment',
      'transparency',
    ]) {
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
      // Cabinet Office's IT spend is in, with the other organisations' (the demo gives each a year).
      const it = tb.lines.find((line: { standardCode: string }) => line.standardCode === '52100000')
      expect(it.debitPence).toBeGreaterThan(12 * 380_000_00)
      expect(it.organisationCount).toBeGreaterThan(1)
      // The demo's agreed recharge between DSIT and DESNZ is eliminated on all four codes.
      expect(tb.eliminatedRechargeCount).toBeGreaterThanOrEqual(1)
      const eliminated = (code: string) =>
        tb.lines.find((line: { standardCode: string }) => line.standardCode === code)?.eliminationPence
      expect(eliminated('41200000')).toBe(-eliminated('13200000'))
      expect(eliminated('52700000')).toBe(-eliminated('21200000'))
      expect(eliminated('41200000')).toBeGreaterThanOrEqual(84_000_00)
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
