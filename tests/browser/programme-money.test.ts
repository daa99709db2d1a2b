// Programme money and onboarding in a real browser: a programme manager adds a benefit (a mistake
// first), records a realised year with evidence, adds a cost line and a funding request, and
// schedules an ALB from the plan view, without JavaScript; an analyst reads every page with it.
// axe checks every page, including the error summaries.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { GssPage, navigating, SignInPage } from './pages.ts'

const JOURNEY_TIMEOUT = 240_000

browserDescribe('programme money and onboarding', () => {
  let h: BrowserHarness
  beforeAll(async () => {
    h = await startHarness()
  }, 600_000)
  afterAll(async () => h?.close())

  const session = async (email: string, javaScriptEnabled: boolean) => {
    const signIn = new SignInPage(await h.newPage({ javaScriptEnabled }))
    await signIn.openSignIn()
    await signIn.signIn(email)
    const page = new GssPage(signIn.page)
    const main = page.page.getByRole('main')
    const click = (name: string | RegExp, role: 'link' | 'button' = 'link') =>
      navigating(page.page, () => main.getByRole(role, { name }).first().click())
    return { page, main, click }
  }

  test(
    'a programme manager keeps the registers and schedules an ALB, without JavaScript',
    async () => {
      const m = await session('programme.manager@gss.example', false)
      expect(await m.page.open('/programme/benefits')).toBe(200)
      await expectAccessible(m.page.page, 'no-js-benefits')
      await m.click('Add a benefit')
      await expectAccessible(m.page.page, 'no-js-new-benefit')
      await m.main.getByLabel('Reference').fill('BEN-BROWSER')
      await m.main.getByLabel('Title').fill('Legacy payroll switched off')
      await m.main.getByLabel('Cashable', { exact: true }).check()
      await m.main.getByLabel('Cluster').selectOption({ label: 'Matrix' })
      await m.main.getByLabel('Baseline').fill('lots')
      await m.click('Save benefit', 'button')
      expect(await m.page.errorSummary.textContent()).toContain('baseline')
      expect(await m.page.page.title()).toMatch(/^Error: /)
      await expectAccessible(m.page.page, 'no-js-new-benefit-errors')
      await m.main.getByLabel('Baseline').fill('2,500,000')
      await m.main.getByLabel('Owner').fill('Matrix SRO')
      await m.click('Save benefit', 'button')
      expect(await m.page.heading.textContent()).toContain('BEN-BROWSER')
      await expectAccessible(m.page.page, 'no-js-benefit')
      await m.main.getByLabel('Fiscal year').selectOption({ index: 2 })
      await m.main.getByLabel('Forecast').fill('400000')
      await m.main.getByLabel('Realised (leave empty if not yet known)').fill('100000')
      await m.click('Save the year', 'button')
      expect(await m.page.errorSummary.textContent()).toContain('evidence')
      await expectAccessible(m.page.page, 'no-js-benefit-year-errors')
      await m.main.getByLabel('Evidence').fill('Payroll bureau contract ended, final invoice on file')
      await m.click('Save the year', 'button')
      expect(await m.page.successBanner.textContent()).toContain('Benefit saved')

      expect(await m.page.open('/programme/costs/new')).toBe(200)
      await expectAccessible(m.page.page, 'no-js-new-cost')
      await m.main.getByLabel('Title').fill('Programme team')
      await m.main.getByLabel('Budget for the year').fill('1000000')
      await m.main.getByLabel('Recorded by hand').check()
      await m.main.getByLabel('Spend to date').fill('250000')
      await m.click('Save cost line', 'button')
      expect(await m.page.successBanner.textContent()).toContain('Cost line saved')
      await expectAccessible(m.page.page, 'no-js-costs')

      expect(await m.page.open('/programme/funding/new')).toBe(200)
      await expectAccessible(m.page.page, 'no-js-new-funding')
      await m.main.getByLabel('Spending review').fill('SR21')
      await m.main.getByLabel('Period').fill('2022-25')
      await m.main.getByLabel('Requested: lowest amount').fill('382000000')
      await m.main.getByLabel('Requested: highest amount').fill('403000000')
      await m.main.getByLabel('Part approved').check()
      await m.main.getByLabel('Amount approved').fill('300000000')
      await m.click('Save funding request', 'button')
      expect(await m.page.successBanner.textContent()).toContain('Funding request saved')
      await expectAccessible(m.page.page, 'no-js-funding')

      expect(await m.page.open('/programme/value-for-money/running-costs')).toBe(200)
      await expectAccessible(m.page.page, 'no-js-new-running-cost')

      expect(await m.page.open('/programme/onboarding/plan')).toBe(200)
      await expectAccessible(m.page.page, 'no-js-plan')
      await m.click(/^Schedule/)
      await expectAccessible(m.page.page, 'no-js-schedule')
      await m.main.getByLabel('Planned', { exact: true }).check()
      await m.main.getByLabel('Planned migration date').fill('2027-02-30')
      await m.click('Save the schedule', 'button')
      expect(await m.page.errorSummary.textContent()).toContain('real date')
      await expectAccessible(m.page.page, 'no-js-schedule-errors')
      await m.main.getByLabel('Planned migration date').fill('2027-09-01')
      await m.click('Save the schedule', 'button')
      expect(await m.page.successBanner.textContent()).toContain('Migration schedule saved')
      await expectAccessible(m.page.page, 'no-js-onboarding')
    },
    JOURNEY_TIMEOUT,
  )

  test(
    'an analyst reads every page, with JavaScript, and cannot change anything',
    async () => {
      const a = await session('programme.analyst@gss.example', true)
      for (const [path, name] of [
        ['/programme/benefits', 'benefits'],
        ['/programme/costs', 'costs'],
        ['/programme/funding', 'funding'],
        ['/programme/value-for-money', 'value-for-money'],
        ['/programme/onboarding', 'onboarding'],
        ['/programme/onboarding/divergences', 'divergences'],
        ['/programme/onboarding/plan', 'plan'],
      ] as const) {
        expect(await a.page.open(path), path).toBe(200)
        await expectAccessible(a.page.page, `js-analyst-${name}`)
        expect(await a.main.getByRole('link', { name: /^(Add|Record|Schedule)/ }).count()).toBe(0)
      }
      expect(await a.page.open('/programme/benefits/new')).toBe(403)
    },
    JOURNEY_TIMEOUT,
  )
})
