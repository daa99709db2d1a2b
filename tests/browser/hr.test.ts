// The HR joiner journey in a real browser, with and without JavaScript: an HR officer finds
// people, submits a new joiner (a mistake first, then right), and someone else approves it; axe
// checks every page on the way.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hrDemoIds } from '../../src/hr/demo.ts'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { GssPage, navigating, SignInPage } from './pages.ts'

/** A journey visits many pages; on a busy two-core machine it needs more than the default 30 s. */
const JOURNEY_TIMEOUT = 120_000

browserDescribe('HR journeys', () => {
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
      surname: 'Okonkwo',
      ni: 'PC 11 22 33 A',
      post: 'P0014',
    },
    {
      label: 'without JavaScript',
      javaScriptEnabled: false,
      mode: 'no-js',
      surname: 'Lindqvist',
      ni: 'PC 44 55 66 B',
      post: 'P0035',
    },
  ])('$label', ({ javaScriptEnabled, mode, surname, ni, post }) => {
    test(
      'an HR officer submits a joiner and another person approves it',
      async () => {
        const signIn = new SignInPage(await h.newPage({ javaScriptEnabled }))
        const page = new GssPage(signIn.page)
        await signIn.openSignIn()
        await signIn.signIn('hr.officer@gss.example')

        // HR from the service navigation lands on the Cabinet Office's HR home.
        await page.navigateTo('HR')
        expect(new URL(page.page.url()).pathname).toBe('/orgs/cabinet-office/hr')
        expect(await page.heading.textContent()).toBe('HR')
        await expectAccessible(page.page, `${mode}-hr-home`)

        // People: search, then a person's record.
        await page.follow('People')
        await page.page.getByLabel('Name, National Insurance number or employee number').fill('Employee')
        await navigating(page.page, () => page.page.getByRole('button', { name: 'Search' }).click())
        await expectAccessible(page.page, `${mode}-hr-people`)
        await page.follow('Employee, Emma')
        expect(await page.heading.textContent()).toBe('Emma Employee')
        expect(await page.page.getByRole('main').textContent()).toContain('Lina Manager')
        await expectAccessible(page.page, `${mode}-hr-person`)

        // A new joiner: a date of birth that does not exist first.
        await page.open('/orgs/cabinet-office/hr/people')
        await page.follow('Add a new joiner')
        expect(await page.heading.textContent()).toBe('New joiner')
        await expectAccessible(page.page, `${mode}-hr-joiner`)
        const form = page.page.getByRole('main')
        await form.getByLabel('First names').fill('Ngozi')
        await form.getByLabel('Last name').fill(surname)
        await form.getByLabel('Date of birth').fill('1994-02-30')
        await form.getByLabel('National Insurance number (optional)').fill(ni)
        await form.getByLabel('Start date').fill('2026-12-07')
        await form
          .getByLabel('Post', { exact: true })
          .selectOption(hrDemoIds.position('cabinet-office', post))
        await form.getByLabel('Full-time equivalent').fill('1')
        await form.getByLabel('Hours a week').fill('37')
        await form.getByLabel('Full-time annual salary').fill(post === 'P0014' ? '24,000' : '29,000')
        await form.getByLabel('B: this is now their only job').check()
        await navigating(page.page, () => form.getByRole('button', { name: 'Submit for approval' }).click())
        expect(await page.errorSummary.textContent()).toContain('1994-02-30 is not a real date')
        expect(await page.page.title()).toMatch(/^Error: /)
        expect(await form.getByLabel('Last name').inputValue()).toBe(surname)
        await expectAccessible(page.page, `${mode}-hr-joiner-error`)
        await form.getByLabel('Date of birth').fill('1994-02-28')
        await navigating(page.page, () => form.getByRole('button', { name: 'Submit for approval' }).click())
        expect(await page.successBanner.textContent()).toContain('another HR officer needs to approve it')
        expect(await page.page.getByTestId('request-status').textContent()).toBe('Submitted')
        expect(await page.page.getByRole('button', { name: 'Approve and apply' }).count()).toBe(0)
        const requestUrl = new URL(page.page.url()).pathname
        await expectAccessible(page.page, `${mode}-hr-request-submitted`)
        await page.signOut()

        // Someone else approves it from the queue.
        await signIn.openSignIn()
        await signIn.signIn('platform.admin@gss.example')
        await page.open('/orgs/cabinet-office/hr/requests')
        await expectAccessible(page.page, `${mode}-hr-requests`)
        await page.follow(new RegExp(`Joiner: Ngozi ${surname}`), page.table('Awaiting approval'))
        expect(new URL(page.page.url()).pathname).toBe(requestUrl)
        await expectAccessible(page.page, `${mode}-hr-request`)
        await navigating(page.page, () =>
          page.page.getByRole('button', { name: 'Approve and apply' }).click(),
        )
        expect(await page.successBanner.textContent()).toContain('Request approved and applied')
        expect(await page.page.getByTestId('request-status').textContent()).toBe('Applied')
        await page.follow('See the person’s record')
        expect(await page.heading.textContent()).toBe(`Ngozi ${surname}`)
        await expectAccessible(page.page, `${mode}-hr-new-person`)

        await page.open('/orgs/cabinet-office/hr/structure')
        expect(await page.heading.textContent()).toBe('Organisation structure')
        await expectAccessible(page.page, `${mode}-hr-structure`)
        const leave = hrDemoIds.employment('cabinet-office', 'co-spa')
        await page.open(`/orgs/cabinet-office/hr/employments/${leave}/leave`)
        await expectAccessible(page.page, `${mode}-hr-leaver`)
        await page.open(`/orgs/cabinet-office/hr/employments/${leave}/move`)
        await expectAccessible(page.page, `${mode}-hr-mover`)
        await page.open(`/orgs/cabinet-office/hr/employments/${leave}/loan-or-transfer`)
        await expectAccessible(page.page, `${mode}-hr-movement`)
        await page.open(`/orgs/cabinet-office/hr/employments/${leave}/tax-code`)
        await expectAccessible(page.page, `${mode}-hr-tax-code`)
        const rachel = hrDemoIds.person('co-spa')
        await page.open(`/orgs/cabinet-office/hr/people/${rachel}/edit`)
        await expectAccessible(page.page, `${mode}-hr-edit-person`)
        await page.open(`/orgs/cabinet-office/hr/people/${rachel}/diversity`)
        await expectAccessible(page.page, `${mode}-hr-diversity`)
        await page.open('/orgs/cabinet-office/hr/structure/units/new')
        await expectAccessible(page.page, `${mode}-hr-new-unit`)
        await page.open('/orgs/cabinet-office/hr/structure/posts/new')
        await navigating(page.page, () => page.page.getByRole('button', { name: 'Add post' }).click())
        expect(await page.errorSummary.textContent()).toContain('Choose a unit')
        await expectAccessible(page.page, `${mode}-hr-new-post-error`)
      },
      JOURNEY_TIMEOUT,
    )
  })
  describe.each([
    { label: 'with JavaScript', javaScriptEnabled: true, mode: 'js' },
    { label: 'without JavaScript', javaScriptEnabled: false, mode: 'no-js' },
  ])('standard data, headcount and policies $label', ({ javaScriptEnabled, mode }) => {
    test(
      'export, a bad file upload, headcount and the policy pages have no axe violations',
      async () => {
        const signIn = new SignInPage(await h.newPage({ javaScriptEnabled }))
        const page = new GssPage(signIn.page)
        await signIn.openSignIn()
        await signIn.signIn('hr.officer@gss.example')

        expect(await page.open('/orgs/cabinet-office/hr/standard')).toBe(200)
        await expectAccessible(page.page, `${mode}-hr-standard-export`)

        expect(await page.open('/orgs/cabinet-office/hr/headcount')).toBe(200)
        await expectAccessible(page.page, `${mode}-hr-headcount`)

        // A file with a bad row: every problem listed with its line and column; nothing imported.
        expect(await page.open('/orgs/cabinet-office/hr/import')).toBe(200)
        await expectAccessible(page.page, `${mode}-hr-import`)
        const header =
          'employee_number,forenames,surname,date_of_birth,ni_number,contract_type,start_date,position_code,fte,hours_per_week,annual_salary,postcode,tax_code'
        await page.page.getByLabel('The CSV file, with the header row').setInputFiles({
          name: 'people.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from(
            `${header}\nB${mode}1,Kim,,1985-01-01,,permanent,2026-01-05,NOPE,1,37,29000,,\nB${mode}2,Lee,Lowe,1985-02-30,,permanent,2026-01-05,NOPE,1,37,29000,,\n`,
          ),
        })
        await navigating(page.page, () =>
          page.page.getByRole('button', { name: 'Upload and import' }).click(),
        )
        const summary = await page.errorSummary.textContent()
        expect(summary).toContain('Line 2, surname: is required')
        expect(summary).toContain('Line 3, date_of_birth: 1985-02-30 is not a real date')
        await expectAccessible(page.page, `${mode}-hr-import-errors`)

        expect(await page.open('/orgs/cabinet-office/hr/policies/leave')).toBe(200)
        expect(await page.heading.textContent()).toBe('Leave policy')
        await expectAccessible(page.page, `${mode}-hr-policy-leave`)
        expect(await page.open('/orgs/cabinet-office/hr/policies/expenses')).toBe(200)
        expect(await page.heading.textContent()).toBe('Expenses policy')
        await expectAccessible(page.page, `${mode}-hr-policy-expenses`)
      },
      JOURNEY_TIMEOUT,
    )
  })
})
