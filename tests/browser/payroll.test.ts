// The pay run journey in a real browser, without JavaScript (the pages must work without it; the
// progress page refreshes itself by an HTTP Refresh header): the payroll officer starts a run (a
// bad pay date first), calculates it and watches its progress (including a calculation stopped
// part way and resumed), reviews every exception, and cannot approve their own run; the payroll
// approver (payroll.approver@gss.example) approves and records payment; the officer sees year-end
// figures and an employee sees the payslip in self-service. axe checks every page.
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { demoPayDate } from '../../src/payroll/demo.ts'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { GssPage, navigating, SignInPage } from './pages.ts'

browserDescribe('payroll journey', () => {
  let h: BrowserHarness
  beforeAll(async () => {
    h = await startHarness()
  }, 600_000)
  afterAll(async () => h?.close())

  test('create → calculate (progress) → review exceptions → approve by someone else → paid → payslips', async () => {
    const session = async (email: string) => {
      const signIn = new SignInPage(await h.newPage({ javaScriptEnabled: false }))
      await signIn.openSignIn()
      await signIn.signIn(email)
      const page = new GssPage(signIn.page)
      const main = page.page.getByRole('main')
      const click = (name: string | RegExp, role: 'link' | 'button' = 'link') =>
        navigating(page.page, () => main.getByRole(role, { name }).first().click())
      return { page, main, click }
    }
    const officer = await session('payroll.officer@gss.example')
    expect(await officer.page.open('/orgs/cabinet-office/payroll')).toBe(200)
    await expectAccessible(officer.page.page, 'payroll-home')

    // Start a run for the month after the demo's current one: a date that does not exist first.
    const today = new Date()
    const next = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1))
    const payDate = demoPayDate(next.getUTCFullYear(), next.getUTCMonth() + 1)
    await officer.click('Start a pay run', 'button')
    await expectAccessible(officer.page.page, 'payroll-new-run')
    await officer.main.getByLabel('Monthly').check()
    await officer.main.getByLabel('Pay date').fill('2026-02-30')
    await officer.click('Create the pay run', 'button')
    expect(await officer.page.errorSummary.textContent()).toContain('Enter a real pay date')
    expect(await officer.page.page.title()).toMatch(/^Error: /)
    await expectAccessible(officer.page.page, 'payroll-new-run-errors')
    await officer.main.getByLabel('Pay date').fill(payDate)
    await officer.click('Create the pay run', 'button')
    expect(await officer.page.heading.textContent()).toMatch(/^Monthly pay run, period \d+ of \d{4}-\d{2}$/)
    await expectAccessible(officer.page.page, 'payroll-run-draft')
    const runPath = new URL(officer.page.page.url()).pathname
    const runId = runPath.split('/').at(-1)!

    // A calculation stopped part way (as if the server restarted): the progress page, then resume.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from employments
        where org_id = (select id from organisations where code = 'cabinet-office')`.execute(h.t.db.admin)
    await sql`update pay_runs set status = 'calculating', progress_done = 0, progress_total = ${rows[0]!.n},
          calculated_by = (select id from users where email = 'payroll.officer@gss.example')
        where id = ${runId}::uuid`.execute(h.t.db.admin)
    expect(await officer.page.open(runPath)).toBe(200)
    expect(await officer.main.getByRole('heading', { name: 'Calculating' }).count()).toBe(1)
    expect(await officer.main.locator('#progress').textContent()).toMatch(
      /^0 of \d+ employees calculated \(0%\)\.$/,
    )
    await expectAccessible(officer.page.page, 'payroll-run-progress')
    await officer.click('Resume the calculation', 'button')
    // Without JavaScript the page refreshes itself while calculating (HTTP Refresh); wait for it.
    for (let i = 0; i < 60; i++) {
      if ((await officer.main.getByRole('heading', { name: 'Employees in error' }).count()) > 0) break
      await officer.page.page.waitForTimeout(1_000)
      await officer.page.open(runPath)
    }
    expect(await officer.main.getByRole('heading', { name: 'Employees in error' }).count()).toBe(1)
    await expectAccessible(officer.page.page, 'payroll-run-calculated')

    // Review: every exception must be acknowledged first.
    const exceptions = await officer.main.getByLabel(/I have checked all \d+ employees in error/).count()
    if (exceptions > 0) {
      await officer.click('Mark as reviewed', 'button')
      expect(await officer.page.errorSummary.textContent()).toContain('Confirm you have checked all')
      await expectAccessible(officer.page.page, 'payroll-run-review-errors')
      await officer.main.getByLabel(/I have checked all \d+ employees in error/).check()
    }
    await officer.click('Mark as reviewed', 'button')
    expect(await officer.main.getByText('Reviewed', { exact: true }).count()).toBeGreaterThan(0)
    await expectAccessible(officer.page.page, 'payroll-run-reviewed')
    // The officer who calculated cannot approve (no approve button; the role has no approval).
    expect(await officer.main.getByRole('button', { name: 'Approve the pay run' }).count()).toBe(0)

    // A different person approves, then records payment.
    const approver = await session('payroll.approver@gss.example')
    expect(await approver.page.open(runPath)).toBe(200)
    await expectAccessible(approver.page.page, 'payroll-run-to-approve')
    await approver.click('Approve the pay run', 'button')
    expect(await approver.main.getByText('Approved', { exact: true }).count()).toBeGreaterThan(0)
    expect(await approver.main.getByRole('link', { name: 'Full Payment Submission (RTI XML)' }).count()).toBe(
      1,
    )
    await expectAccessible(approver.page.page, 'payroll-run-approved')
    await approver.click('Record as paid', 'button')
    expect(await approver.main.getByText('Paid', { exact: true }).count()).toBeGreaterThan(0)
    await expectAccessible(approver.page.page, 'payroll-run-paid')

    // Payslips: PDFs from the run page, year-end figures, and self-service.
    const firstSlip = approver.main.getByRole('link', { name: /payslip \(PDF\)/ }).first()
    const href = await firstSlip.getAttribute('href')
    expect(href).toMatch(/payslip\.pdf\?employee=/)
    const pdf = await approver.page.page.request.get(href!)
    expect(pdf.headers()['content-type']).toBe('application/pdf')
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-')
    expect(await officer.page.open('/orgs/cabinet-office/payroll/year-end')).toBe(200)
    await expectAccessible(officer.page.page, 'payroll-year-end')
    const p45Link = officer.main.locator('a[href*="/payroll/year-end/p45/"]').first()
    if ((await p45Link.count()) > 0) {
      await navigating(officer.page.page, () => p45Link.click())
      expect(await officer.page.heading.textContent()).toMatch(/^P45 figures: /)
      await expectAccessible(officer.page.page, 'payroll-p45')
    }
    const employee = await session('employee@gss.example')
    expect(await employee.page.open('/self-service/payslips')).toBe(200)
    await expectAccessible(employee.page.page, 'payroll-my-payslips')
    // The demo pays Emma Employee last month: her payslip is there for her.
    const mine = employee.main.getByRole('link', { name: /\d{4} payslip$/ })
    expect(await mine.count()).toBeGreaterThan(0)
    await navigating(employee.page.page, () => mine.first().click())
    expect(employee.page.page.url()).toMatch(/\/self-service\/payslips\/[0-9a-f-]{36}$/)
    await expectAccessible(employee.page.page, 'payroll-my-payslip')
  }, 300_000)
})
