// Every page of the service, in every state a person meets it, passes axe with no violations of
// any impact (WCAG 2.0–2.2 A and AA, and axe's best practices), runs without script or CSP errors,
// and carries GSS's own branding (no GOV.UK crown or logotype, Arial). The journeys check the
// pages they pass through in the same way, with and without JavaScript.
// GSS_SCREENSHOTS=/tmp/shots keeps screenshots of every checked page, in 1200-pixel slices.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { GssPage, OnboardingPage, OrganisationsPage, SignInPage } from './pages.ts'

browserDescribe('every page passes axe (WCAG 2.2 AA and best practice)', () => {
  let h: BrowserHarness
  /** Signed in as the platform admin, who can see every page. */
  let admin: GssPage
  /** Signed in as the finance clerk, who works for three organisations and may not read the audit log. */
  let clerk: GssPage

  async function signedIn(email: string): Promise<GssPage> {
    const signIn = new SignInPage(await h.newPage())
    await signIn.openSignIn()
    await signIn.signIn(email)
    return signIn
  }

  beforeAll(async () => {
    h = await startHarness()
    admin = await signedIn('platform.admin@gss.example')
    clerk = await signedIn('finance.clerk@gss.example')
  })
  afterAll(async () => h?.close())

  test('sign-in page', async () => {
    const signIn = new SignInPage(await h.newPage())
    expect(await signIn.openSignIn()).toBe(200)
    expect(await signIn.heading.textContent()).toBe('Sign in to GSS')
    await expectAccessible(signIn.page, 'sign-in')
  })

  test('sign-in page with the error summary after a wrong password', async () => {
    const signIn = new SignInPage(await h.newPage())
    await signIn.openSignIn()
    await signIn.signIn('finance.clerk@gss.example', 'not-the-password')
    await signIn.errorSummary.waitFor()
    expect(await signIn.errorSummary.getByRole('link').first().getAttribute('href')).toBe('#email')
    await expectAccessible(signIn.page, 'sign-in-error')
  })

  test('home page', async () => {
    expect(await admin.open('/')).toBe(200)
    await expectAccessible(admin.page, 'home')
  })

  test('clusters list', async () => {
    expect(await admin.open('/clusters')).toBe(200)
    await expectAccessible(admin.page, 'clusters')
  })

  test('a cluster', async () => {
    expect(await admin.open('/clusters/matrix')).toBe(200)
    await expectAccessible(admin.page, 'cluster')
  })

  test('organisations list, unfiltered', async () => {
    expect(await admin.open('/organisations')).toBe(200)
    await expectAccessible(admin.page, 'organisations')
  })

  test('organisations list, filtered', async () => {
    const list = new OrganisationsPage(admin.page)
    await list.open('/organisations')
    await list.filter({ cluster: 'Synergy', kind: 'Arm’s-length bodies' })
    expect(await list.resultCount()).toBeGreaterThan(0)
    await expectAccessible(admin.page, 'organisations-filtered')
  })

  test('organisations list, filtered to nothing', async () => {
    const list = new OrganisationsPage(admin.page)
    await list.open('/organisations')
    await list.filter({ nameContains: 'no such organisation' })
    expect(await list.resultCount()).toBe(0)
    await expectAccessible(admin.page, 'organisations-none')
  })

  test('a department with arm’s-length bodies', async () => {
    expect(await admin.open('/organisations/cabinet-office')).toBe(200)
    await expectAccessible(admin.page, 'organisation-department')
  })

  test('an arm’s-length body', async () => {
    expect(await admin.open('/organisations/crown-commercial-service')).toBe(200)
    await expectAccessible(admin.page, 'organisation-alb')
  })

  test('onboarding change form', async () => {
    const form = new OnboardingPage(admin.page)
    expect(await form.open('/organisations/dsit/onboarding')).toBe(200)
    await expectAccessible(admin.page, 'onboarding')
  })

  test('onboarding change form with errors after an invalid date', async () => {
    const form = new OnboardingPage(admin.page)
    await form.open('/organisations/dsit/onboarding')
    await form.setDate('Planned migration date', { day: '31', month: '2', year: '2027' })
    await form.setDate('Go-live date', { day: '1', month: '', year: '2027' })
    await form.save()
    await form.errorSummary.waitFor()
    expect(await form.errorSummary.getByRole('link').count()).toBe(2)
    // A date missing only its month links to, and marks, the month.
    expect(await form.errorSummary.getByRole('link', { name: /^Go-live date/ }).getAttribute('href')).toBe(
      '#live-month',
    )
    expect(
      await form.page.locator('input.govuk-input--error').evaluateAll((inputs) => inputs.map((i) => i.id)),
    ).toEqual(['planned-day', 'planned-month', 'planned-year', 'live-month'])
    await expectAccessible(admin.page, 'onboarding-errors')
  })

  test('audit log', async () => {
    expect(await admin.open('/audit')).toBe(200)
    await expectAccessible(admin.page, 'audit')
  })

  test('finance pages: home, trial balance, journals, a journal, and the journal form with errors', async () => {
    for (const [url, name] of [
      ['/orgs/cabinet-office/finance', 'finance-home'],
      ['/orgs/cabinet-office/finance/trial-balance', 'trial-balance'],
      ['/orgs/cabinet-office/finance/journals', 'journals'],
      ['/orgs/cabinet-office/finance/journals/new', 'new-journal'],
    ] as const) {
      expect(await clerk.open(url)).toBe(200)
      await expectAccessible(clerk.page, name)
    }
    await clerk.open('/orgs/cabinet-office/finance/journals')
    await clerk.page.getByRole('table').getByRole('link').first().click()
    await clerk.page.waitForURL(/\/finance\/journals\/[0-9a-f-]{36}$/)
    await expectAccessible(clerk.page, 'journal')
    await clerk.open('/orgs/cabinet-office/finance/journals/new')
    await clerk.page.getByLabel('Description').fill('Unbalanced')
    await clerk.page.locator('#line-0-account').selectOption('52600000')
    await clerk.page.locator('#line-0-debit').fill('10.00')
    await clerk.page.locator('#line-1-account').selectOption('21100000')
    await clerk.page.locator('#line-1-credit').fill('9.00')
    await Promise.all([
      clerk.page.waitForLoadState('load'),
      clerk.page.getByRole('button', { name: 'Post journal' }).click(),
    ])
    await clerk.page.locator('.govuk-error-summary').waitFor()
    await expectAccessible(clerk.page, 'new-journal-errors')
  })

  test('budgets and reports pages, for an organisation and for a cluster', async () => {
    for (const [url, name] of [
      ['/orgs/cabinet-office/finance/budgets', 'budgets'],
      ['/orgs/cabinet-office/finance/reports', 'reports'],
      ['/orgs/cabinet-office/finance/reports/income-expenditure', 'income-expenditure'],
      ['/orgs/cabinet-office/finance/reports/balance-sheet', 'balance-sheet'],
      ['/orgs/cabinet-office/finance/reports/budget-variance', 'budget-variance'],
      ['/orgs/cabinet-office/finance/reports/transparency', 'transparency'],
      ['/clusters/matrix/reports/trial-balance', 'cluster-trial-balance'],
      ['/clusters/matrix/reports/income-expenditure', 'cluster-income-expenditure'],
    ] as const) {
      expect(await admin.open(url), url).toBe(200)
      await expectAccessible(admin.page, name)
    }
  })

  test('payables pages: suppliers, a new supplier with errors, invoices, capture form and an invoice', async () => {
    for (const [url, name] of [
      ['/orgs/cabinet-office/finance/suppliers', 'suppliers'],
      ['/orgs/cabinet-office/finance/suppliers/new', 'new-supplier'],
      ['/orgs/cabinet-office/finance/invoices', 'invoices'],
      ['/orgs/cabinet-office/finance/invoices/new', 'new-invoice'],
    ] as const) {
      expect(await admin.open(url), url).toBe(200)
      await expectAccessible(admin.page, name)
    }
    await admin.open('/orgs/cabinet-office/finance/suppliers/new')
    await Promise.all([
      admin.page.waitForLoadState('load'),
      admin.page.locator('main form button[type=submit], main form .govuk-button').first().click(),
    ])
    await admin.page.locator('.govuk-error-summary').waitFor()
    await expectAccessible(admin.page, 'new-supplier-errors')
    await admin.open('/orgs/cabinet-office/finance/invoices')
    // The demo world gives Cabinet Office invoices to look at.
    const invoice = admin.page.locator('main table a').first()
    expect(await invoice.count()).toBe(1)
    await Promise.all([admin.page.waitForLoadState('load'), invoice.click()])
    expect(admin.page.url()).toMatch(/\/finance\/invoices\/[0-9a-f-]{36}/)
    await expectAccessible(admin.page, 'invoice')
  })

  test('a domain landing page', async () => {
    expect(await admin.open('/payroll')).toBe(200)
    await expectAccessible(admin.page, 'domain-finance')
  })

  test('page not found', async () => {
    expect(await admin.open('/no-such-page')).toBe(404)
    await expectAccessible(admin.page, 'not-found')
  })

  test('page not found, signed out', async () => {
    const anonymous = new GssPage(await h.newPage())
    expect(await anonymous.open('/no-such-page')).toBe(404)
    await expectAccessible(anonymous.page, 'not-found-signed-out')
  })

  test('forbidden', async () => {
    expect(await clerk.open('/audit')).toBe(403)
    await expectAccessible(clerk.page, 'forbidden')
  })

  test('home and organisations on a small screen', async () => {
    await clerk.page.setViewportSize({ width: 320, height: 640 })
    try {
      await clerk.open('/')
      await expectAccessible(clerk.page, 'home-mobile')
      await clerk.open('/organisations')
      await expectAccessible(clerk.page, 'organisations-mobile')
    } finally {
      await clerk.page.setViewportSize({ width: 1280, height: 800 })
    }
  })
})
