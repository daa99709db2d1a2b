// Self-service in a real browser, with and without JavaScript: the demo employee asks for leave (a
// mistake first, then right) and claims expenses with a receipt; the demo line manager approves
// both. axe checks every page on the way.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addDays, isoWeekday, todayIso } from '../../src/hr/absence/dates.ts'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { navigating, SignInPage } from './pages.ts'

/** A journey visits many pages; on a busy two-core machine it needs more than the default 30 s. */
const JOURNEY_TIMEOUT = 150_000
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n')

/** The Tuesday at least `days` from today. */
function tuesdayAfter(days: number): string {
  let day = addDays(todayIso(), days)
  while (isoWeekday(day) !== 2) day = addDays(day, 1)
  return day
}

browserDescribe('self-service journeys', () => {
  let h: BrowserHarness
  beforeAll(async () => {
    h = await startHarness()
  }, 600_000)
  afterAll(async () => h?.close())

  describe.each([
    { label: 'with JavaScript', javaScriptEnabled: true, mode: 'js', weeks: 11, purpose: 'Leeds visit' },
    {
      label: 'without JavaScript',
      javaScriptEnabled: false,
      mode: 'no-js',
      weeks: 13,
      purpose: 'York visit',
    },
  ])('$label', ({ javaScriptEnabled, mode, weeks, purpose }) => {
    test(
      'an employee asks for leave and claims expenses; their line manager approves both',
      async () => {
        const day = tuesdayAfter(weeks * 7)
        const employee = new SignInPage(await h.newPage({ javaScriptEnabled }))
        await employee.openSignIn()
        await employee.signIn('employee@gss.example')
        await employee.navigateTo('My details')
        expect(new URL(employee.page.url()).pathname).toBe('/self-service')
        expect(await employee.heading.textContent()).toContain('Emma')
        await expectAccessible(employee.page, `${mode}-self-service-home`)

        // Ask for leave: the last day before the first, then right.
        // The call to action is a link styled (and announced) as a button.
        await navigating(employee.page, () =>
          employee.page.getByRole('main').getByRole('button', { name: 'Ask for leave' }).click(),
        )
        await expectAccessible(employee.page, `${mode}-self-service-leave-new`)
        const form = employee.page.getByRole('main')
        await form.getByLabel('First day of leave').fill(day)
        await form.getByLabel('Last day of leave').fill(addDays(day, -1))
        await navigating(employee.page, () => form.getByRole('button', { name: 'Ask for leave' }).click())
        expect(await employee.errorSummary.textContent()).toContain('on or after the first day')
        await expectAccessible(employee.page, `${mode}-self-service-leave-error`)
        await form.getByLabel('Last day of leave').fill(addDays(day, 2))
        await navigating(employee.page, () => form.getByRole('button', { name: 'Ask for leave' }).click())
        expect(await employee.successBanner.textContent()).toContain('Leave requested')

        // Claim expenses with a receipt.
        await employee.open('/self-service/expenses/new')
        await expectAccessible(employee.page, `${mode}-self-service-claim-new`)
        await form.getByLabel('What were the expenses for?').fill(purpose)
        const line = employee.page.locator('fieldset').filter({ hasText: 'Expense 1' })
        await line.getByLabel('Date').fill(addDays(todayIso(), -3))
        await line.getByLabel('Type').selectOption('travel')
        await line.getByLabel('Description').fill('Return train')
        await line.getByLabel('Amount (£), not for mileage').fill('58.40')
        await line
          .getByLabel('Receipt')
          .setInputFiles({ name: 'ticket.pdf', mimeType: 'application/pdf', buffer: PDF })
        await navigating(employee.page, () => form.getByRole('button', { name: 'Save claim' }).click())
        expect(await employee.successBanner.textContent()).toContain('Claim saved as a draft')
        expect(await employee.page.getByRole('main').textContent()).toContain('ticket.pdf')
        await expectAccessible(employee.page, `${mode}-self-service-claim`)
        await navigating(employee.page, () => form.getByRole('button', { name: 'Submit claim' }).click())
        expect(await employee.successBanner.textContent()).toContain('Claim submitted')

        // The line manager decides.
        const manager = new SignInPage(await h.newPage({ javaScriptEnabled }))
        await manager.openSignIn()
        await manager.signIn('line.manager@gss.example')
        await manager.open('/self-service/team')
        await expectAccessible(manager.page, `${mode}-self-service-team`)
        await manager.follow(new RegExp(purpose), manager.table('Expense claims waiting for your decision'))
        await expectAccessible(manager.page, `${mode}-self-service-claim-decision`)
        await manager.page.getByRole('radio', { name: /Approve/ }).check()
        await navigating(manager.page, () =>
          manager.page.getByRole('button', { name: 'Save decision' }).click(),
        )
        expect(await manager.successBanner.textContent()).toContain('approved')

        const leaveTable = manager.table('Leave waiting for your decision')
        const link = leaveTable
          .getByRole('row', { name: /Emma Employee/ })
          .filter({ hasText: String(Number(day.slice(8))) })
        await navigating(manager.page, () => link.getByRole('link').first().click())
        await expectAccessible(manager.page, `${mode}-self-service-leave-decision`)
        await manager.page.getByRole('radio', { name: 'Approve', exact: true }).check()
        await navigating(manager.page, () =>
          manager.page.getByRole('button', { name: 'Save decision' }).click(),
        )
        expect(await manager.successBanner.textContent()).toContain('approved')
      },
      JOURNEY_TIMEOUT,
    )
  })
})
