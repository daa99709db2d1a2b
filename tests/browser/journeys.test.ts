// The journeys people make through GSS, run twice over one app and one browser: with JavaScript
// (GOV.UK Frontend's enhancements running under the CSP), and without it (progressive
// enhancement: every journey works on server-rendered HTML and forms alone). axe checks each page.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { GssPage, OnboardingPage, OrganisationsPage, SignInPage } from './pages.ts'

const CABINET_OFFICE = 'Cabinet Office'
const DSIT = 'Department for Science, Innovation and Technology'
const CCS = 'Crown Commercial Service'

/** Checks the page really is running (or really is not running) GOV.UK Frontend's JavaScript. */
async function expectJavaScript(page: GssPage, enabled: boolean) {
  const enhanced = page.page.locator('body.govuk-frontend-supported [data-govuk-service-navigation-init]')
  if (enabled) await enhanced.waitFor({ state: 'attached' })
  else expect(await page.page.locator('body.js-enabled').count()).toBe(0)
}

/** A journey visits many pages; on a busy two-core machine it needs more than the default 30 s. */
const JOURNEY_TIMEOUT = 90_000

browserDescribe('journeys', () => {
  let h: BrowserHarness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(async () => h?.close())

  describe.each([
    {
      label: 'with JavaScript',
      javaScriptEnabled: true,
      mode: 'js',
      newPlannedDate: { day: '1', month: '4', year: '2027' },
      shown: '1 April 2027',
    },
    {
      label: 'without JavaScript',
      javaScriptEnabled: false,
      mode: 'no-js',
      newPlannedDate: { day: '1', month: '10', year: '2027' },
      shown: '1 October 2027',
    },
  ])('$label', ({ javaScriptEnabled, mode, newPlannedDate, shown }) => {
    test(
      'a finance clerk signs in, switches organisation, browses the directory and signs out',
      async () => {
        const signIn = new SignInPage(await h.newPage({ javaScriptEnabled }))
        const page = new GssPage(signIn.page)

        // Sign in: a wrong password first, then the right one.
        await signIn.openSignIn()
        await expectAccessible(page.page, `${mode}-sign-in`)
        await signIn.signIn('finance.clerk@gss.example', 'wrong-password')
        expect(await page.errorSummary.getByRole('link').textContent()).toContain(
          'Enter a correct email address and password',
        )
        expect(await page.page.title()).toMatch(/^Error: /)
        await expectAccessible(page.page, `${mode}-sign-in-error`)
        await signIn.signIn('finance.clerk@gss.example')
        expect(new URL(page.page.url()).pathname).toBe('/')
        await expectJavaScript(page, javaScriptEnabled)
        expect(await page.header.textContent()).toContain('Fran Clerk')
        await expectAccessible(page.page, `${mode}-home`)

        // Switch organisation: the clerk works for three.
        const options = (await page.actingForSelect.locator('option').allTextContents()).map((text) =>
          text.trim(),
        )
        expect(options.sort()).toEqual([CABINET_OFFICE, CCS, DSIT].sort())
        const before = await page.actingFor()
        const target = before === DSIT ? CCS : DSIT
        await page.switchOrganisation(target)
        expect(new URL(page.page.url()).pathname).toBe('/')
        expect(await page.actingFor()).toBe(target)
        expect(await page.page.getByRole('main').textContent()).toContain(`You are acting for ${target}`)

        // Browse: clusters, a cluster, a department, one of its arm's-length bodies, and back to the sponsor.
        await page.navigateTo('Clusters')
        expect(await page.heading.textContent()).toBe('Clusters')
        expect(await page.actingFor()).toBe(target) // the choice persists from page to page
        expect(await page.serviceNavigation.locator('[aria-current]').textContent()).toContain('Clusters')
        await expectAccessible(page.page, `${mode}-clusters`)

        await page.follow('Matrix', page.table('The five clusters'))
        expect(await page.heading.textContent()).toBe('Matrix')
        await expectAccessible(page.page, `${mode}-cluster`)

        await page.follow(CABINET_OFFICE, page.table('Departments'))
        expect(await page.heading.textContent()).toBe('Cabinet Office (CO)')
        expect(await page.summaryValue('Cluster').textContent()).toContain('Matrix')
        const sponsored = page.table('Arm’s-length bodies it sponsors')
        expect(await sponsored.locator('tbody tr').count()).toBeGreaterThan(0)
        await expectAccessible(page.page, `${mode}-department`)

        await page.follow(CCS, sponsored)
        expect(await page.heading.textContent()).toBe('Crown Commercial Service (CCS)')
        expect((await page.summaryValue('Sponsor department').textContent())?.trim()).toBe(CABINET_OFFICE)
        await expectAccessible(page.page, `${mode}-alb`)

        await page.follow(CABINET_OFFICE, page.summaryValue('Sponsor department'))
        expect(await page.heading.textContent()).toBe('Cabinet Office (CO)')
        expect(await page.actingFor()).toBe(target)

        // Filter the organisation list.
        await page.navigateTo('Organisations')
        const list = new OrganisationsPage(page.page)
        const everything = await list.resultCount()
        expect(everything).toBeGreaterThan(50)
        await list.filter({ cluster: 'Matrix', kind: 'Arm’s-length bodies' })
        const matrixAlbs = await list.resultCount()
        expect(matrixAlbs).toBeGreaterThan(0)
        expect(matrixAlbs).toBeLessThan(everything)
        expect(new Set(await list.column('Cluster'))).toEqual(new Set(['Matrix']))
        expect(await list.column('Sponsor')).not.toContain('None')
        expect(await page.page.getByLabel('Cluster').locator('option:checked').textContent()).toBe('Matrix')
        await expectAccessible(page.page, `${mode}-organisations-filtered`)
        await list.filter({ nameContains: 'met office' })
        expect(await list.column('Organisation')).toEqual(['Met Office'])
        await page.follow('Clear filters')
        expect(await list.resultCount()).toBe(everything)

        // Sign out: the pages are closed again.
        await page.signOut()
        expect(new URL(page.page.url()).pathname).toBe('/sign-in')
        expect(await page.successBanner.textContent()).toContain('You have signed out')
        await expectAccessible(page.page, `${mode}-signed-out`)
        await page.open('/clusters')
        expect(page.page.url()).toContain('/sign-in?returnTo=%2Fclusters')
      },
      JOURNEY_TIMEOUT,
    )

    test(
      'an organisation admin changes the planned migration date, and is told when a date is wrong',
      async () => {
        const signIn = new SignInPage(await h.newPage({ javaScriptEnabled }))
        const page = new OnboardingPage(signIn.page)

        // Signing in from a bookmarked page comes back to it.
        await page.open('/organisations/cabinet-office')
        expect(new URL(page.page.url()).pathname).toBe('/sign-in')
        await signIn.signIn('org.admin@gss.example')
        expect(new URL(page.page.url()).pathname).toBe('/organisations/cabinet-office')
        expect(await page.actingFor()).toBe(CABINET_OFFICE) // one organisation: no switcher, just its name
        expect(await page.actingForSelect.count()).toBe(0)

        await page.follow(/^Change onboarding details/)
        expect(await page.heading.textContent()).toBe('Change onboarding details')
        expect(await page.dateField('Planned migration date').getByLabel('Year').inputValue()).toMatch(
          /^20\d\d$/,
        )

        // A date that does not exist: the error summary names it and links to the field.
        await page.setDate('Planned migration date', { day: '31', month: '2', year: '2027' })
        await page.save()
        expect(await page.page.title()).toMatch(/^Error: /)
        const link = page.errorSummary.getByRole('link', {
          name: 'Planned migration date must be a real date',
        })
        expect(await link.getAttribute('href')).toBe('#planned-day')
        expect(
          await page.dateField('Planned migration date').locator('.govuk-error-message').textContent(),
        ).toContain('Planned migration date must be a real date')
        expect(await page.dateField('Planned migration date').getByLabel('Day').inputValue()).toBe('31')
        await expectAccessible(page.page, `${mode}-onboarding-error`)
        if (javaScriptEnabled) {
          // GOV.UK Frontend moves focus to the summary, and its links to the field itself.
          await expect
            .poll(() => page.errorSummary.evaluate((element) => element.contains(document.activeElement)))
            .toBe(true)
          await link.click()
          await expect.poll(() => page.page.evaluate(() => document.activeElement?.id)).toBe('planned-day')
        } else {
          await link.click()
          await page.page.waitForURL(/#planned-day$/)
          expect(await page.page.locator('#planned-day:target').count()).toBe(1)
        }

        // A good date: saved, confirmed, and shown on the organisation's page.
        await page.setDate('Planned migration date', newPlannedDate)
        await page.save()
        expect(new URL(page.page.url()).pathname).toBe('/organisations/cabinet-office')
        expect(await page.successBanner.textContent()).toContain('Onboarding details updated')
        expect(await page.summaryValue('Planned migration').textContent()).toContain(shown)
        await expectAccessible(page.page, `${mode}-onboarding-saved`)

        // Another organisation's form is not theirs to change.
        expect(await page.open('/organisations/dsit/onboarding')).toBe(403)
        await expectAccessible(page.page, `${mode}-forbidden`)

        await page.signOut()
        expect(new URL(page.page.url()).pathname).toBe('/sign-in')
      },
      JOURNEY_TIMEOUT,
    )
  })
})
