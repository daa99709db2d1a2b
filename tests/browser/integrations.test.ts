// The integrations journey in a real browser, without JavaScript (every form is plain HTML): an
// organisation admin adds a webhook (meeting the error summary first), copies the secret, opens
// the webhook, pauses it and replays it. axe checks every page.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { GssPage, navigating, SignInPage } from './pages.ts'

browserDescribe('integrations', () => {
  let h: BrowserHarness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(async () => h?.close())

  test('an organisation admin adds, inspects, pauses and replays a webhook', async () => {
    const signIn = new SignInPage(await h.newPage({ javaScriptEnabled: false }))
    const page = new GssPage(signIn.page)
    await signIn.openSignIn()
    await signIn.signIn('org.admin@gss.example')

    await page.open('/integrations')
    await expect(page.heading.textContent()).resolves.toBe('Integrations')
    await expectAccessible(page.page, 'integrations')

    await navigating(page.page, () => page.page.getByRole('link', { name: 'Add a webhook' }).click())
    await expectAccessible(page.page, 'integrations-new')
    await page.page.getByLabel('Endpoint address').fill('https://receiver.example.org/gss')
    await navigating(page.page, () => page.page.getByRole('button', { name: 'Add webhook' }).click())
    expect(await page.errorSummary.textContent()).toContain('Choose at least one event type')
    expect(await page.page.title()).toMatch(/^Error: /)
    await expectAccessible(page.page, 'integrations-new-error')

    await page.page.getByLabel('journal.posted').check()
    await navigating(page.page, () => page.page.getByRole('button', { name: 'Add webhook' }).click())
    await expect(page.page.locator('code').first().textContent()).resolves.toMatch(/^whsec_/)
    await expectAccessible(page.page, 'integrations-created')

    await navigating(page.page, () =>
      page.page.getByRole('link', { name: 'See the webhook and its deliveries' }).click(),
    )
    await expectAccessible(page.page, 'integrations-subscription')
    await navigating(page.page, () => page.page.getByRole('button', { name: 'Pause deliveries' }).click())
    expect(await page.page.getByRole('button', { name: 'Resume deliveries' }).count()).toBe(1)
    await navigating(page.page, () => page.page.getByRole('button', { name: 'Resume deliveries' }).click())
    await navigating(page.page, () => page.page.getByRole('button', { name: 'Replay events' }).click())
    expect(await page.page.getByText('Replay started').count()).toBe(1)
    await expectAccessible(page.page, 'integrations-replayed')
  }, 120_000)
})
