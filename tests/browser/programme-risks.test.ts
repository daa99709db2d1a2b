// Programme risks, legacy systems and delivery confidence in a real browser, with and without
// JavaScript: the programme manager adds a risk (a mistake first), mitigates and escalates it,
// adds a legacy system whose contract ends before its replacement (its risk is raised), records a
// delivery-confidence assessment (a mistake first); the programme analyst reads every page and
// gets no forms. axe checks every page, including the error states and the SVG charts.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { GssPage, navigating, SignInPage } from './pages.ts'

const JOURNEY_TIMEOUT = 240_000

browserDescribe('programme risks, legacy systems and delivery confidence', () => {
  let h: BrowserHarness
  beforeAll(async () => {
    h = await startHarness()
  }, 600_000)
  afterAll(async () => h?.close())

  describe.each([
    {
      label: 'with JavaScript',
      javaScriptEnabled: true,
      mode: 'js',
      ref: 'RISK-JS',
      system: 'Payroll bureau (JS)',
    },
    {
      label: 'without JavaScript',
      javaScriptEnabled: false,
      mode: 'no-js',
      ref: 'RISK-NOJS',
      system: 'Payroll bureau (no JS)',
    },
  ])('$label', ({ javaScriptEnabled, mode, ref, system }) => {
    const session = async (email: string) => {
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
      'the manager keeps the registers; the analyst reads them',
      async () => {
        const m = await session('programme.manager@gss.example')

        // --- Risks: a mistake first (residual above inherent, no owner), then right.
        expect(await m.page.open('/programme/risks')).toBe(200)
        expect(await m.main.locator('svg[role="img"]').count()).toBe(2)
        await expectAccessible(m.page.page, `${mode}-programme-risks`)
        await m.click('Add a risk', 'button')
        await expectAccessible(m.page.page, `${mode}-programme-risk-new`)
        await m.main.getByLabel('Reference').fill(ref)
        await m.main.getByLabel('Title').fill('Cut-over clashes with year end')
        await m.main.getByLabel('Cause').fill('Because the cut-over is planned for March')
        await m.main.getByLabel('Event').fill('There is a risk that year-end close slips')
        await m.main.getByLabel('Effect').fill('Which would lead to late accounts')
        await m.main.getByLabel('Inherent likelihood').selectOption('3')
        await m.main.getByLabel('Inherent impact').selectOption('4')
        await m.main.getByLabel('Residual likelihood').selectOption('4')
        await m.main.getByLabel('Residual impact').selectOption('4')
        await m.main.getByRole('radio', { name: /^Minimal/ }).check()
        // Managed at: cluster (the default).
        expect(await m.main.getByRole('radio', { name: 'Cluster' }).isChecked()).toBe(true)
        await m.main.getByRole('combobox', { name: 'Cluster' }).selectOption({ index: 1 })
        await m.click('Add risk', 'button')
        const summary = await m.page.errorSummary.textContent()
        expect(summary).toContain('Enter the risk owner')
        expect(summary).toContain('residual likelihood (4) cannot be above the inherent likelihood (3)')
        expect(await m.page.page.title()).toMatch(/^Error: /)
        await expectAccessible(m.page.page, `${mode}-programme-risk-new-errors`)
        await m.main.getByLabel('Risk owner').fill('Finance director')
        await m.main.getByLabel('Residual likelihood').selectOption('3')
        await m.click('Add risk', 'button')
        expect(await m.page.heading.textContent()).toBe('Cut-over clashes with year end')
        expect(await m.main.getByText('Above appetite').count()).toBeGreaterThan(0)
        await expectAccessible(m.page.page, `${mode}-programme-risk`)

        // Mitigate, then escalate: without a reason first.
        await m.main.getByLabel('Action', { exact: true }).fill('Move cut-over to May')
        await m.main.getByLabel('Action owner').fill('Cluster programme lead')
        await m.main.getByLabel('Due date').fill('2027-01-31')
        await m.click('Add mitigation', 'button')
        expect(await m.main.getByRole('rowheader', { name: 'Move cut-over to May' }).count()).toBe(1)
        await m.main.getByLabel('Programme', { exact: true }).check()
        await m.click('Escalate', 'button')
        expect(await m.page.errorSummary.textContent()).toContain('Give the reason for the escalation')
        await expectAccessible(m.page.page, `${mode}-programme-risk-escalate-errors`)
        await m.main.getByLabel('Programme', { exact: true }).check()
        await m.main.getByRole('textbox', { name: 'Reason' }).first().fill('Affects every cluster’s year end')
        await m.click('Escalate', 'button')
        expect(await m.main.getByRole('cell', { name: 'Affects every cluster’s year end' }).count()).toBe(1)

        // Filtered register: programme level shows it.
        expect(await m.page.open('/programme/risks?level=programme')).toBe(200)
        expect(await m.main.locator(`tr[data-reference="${ref}"]`).count()).toBe(1)

        // --- Legacy systems: a flagged system raises its risk.
        expect(await m.page.open('/programme/legacy-systems')).toBe(200)
        expect(await m.main.locator('svg[role="img"]').count()).toBe(1)
        await expectAccessible(m.page.page, `${mode}-programme-legacy`)
        await m.click('Add a legacy system', 'button')
        await m.main.getByLabel('System name').fill(system)
        await m.main.getByLabel('Payroll').check()
        await m.main.getByLabel('Contract expiry date').fill('2027-31-03')
        await m.click('Add system', 'button')
        const legacyErrors = await m.page.errorSummary.textContent()
        expect(legacyErrors).toContain('Select the cluster the system belongs to')
        expect(legacyErrors).toContain('contract expiry date must be a real date')
        await expectAccessible(m.page.page, `${mode}-programme-legacy-new-errors`)
        await m.main.getByLabel('Cluster').selectOption({ index: 1 })
        await m.main.getByLabel('Contract expiry date').fill('2027-03-31')
        await m.main.getByLabel('Extension headroom, in months').fill('3')
        await m.main.getByLabel(/procurement start date/).fill('2026-09-01')
        await m.main.getByLabel(/Replacement due date/).fill('2028-04-01')
        await m.click('Add system', 'button')
        const row = m.main.locator(`tr[data-system="${system}"]`)
        expect(await row.textContent()).toContain('Contract ends')
        expect(await row.getByRole('link', { name: /^Risk LEG-/ }).count()).toBe(1)

        // --- Delivery confidence: a mistake first.
        expect(await m.page.open('/programme/delivery-confidence')).toBe(200)
        await expectAccessible(m.page.page, `${mode}-programme-confidence`)
        await m.main.getByLabel('Cluster assessed').selectOption({ index: 1 })
        await m.main.getByLabel('Assessment date').fill('2026-11-01')
        await m.click('Record assessment', 'button')
        const confidenceErrors = await m.page.errorSummary.textContent()
        expect(confidenceErrors).toContain('Select the delivery confidence rating')
        expect(confidenceErrors).toContain('Enter the rationale')
        await expectAccessible(m.page.page, `${mode}-programme-confidence-errors`)
        await m.main.getByRole('radio', { name: 'Amber/Green', exact: true }).check()
        await m.main.getByLabel('Rationale').fill(`Assessed in the ${mode} browser test`)
        await m.click('Record assessment', 'button')
        expect(
          await m.main.getByRole('cell', { name: `Assessed in the ${mode} browser test` }).count(),
        ).toBeGreaterThan(0)

        // --- The analyst reads every page and gets no forms.
        const a = await session('programme.analyst@gss.example')
        for (const path of [
          '/programme/risks',
          '/programme/legacy-systems',
          '/programme/delivery-confidence',
        ]) {
          expect(await a.page.open(path)).toBe(200)
          expect(await a.main.locator('form[method="post"]').count()).toBe(0)
        }
        await expectAccessible(a.page.page, `${mode}-programme-confidence-analyst`)
        expect(await a.page.open('/programme/risks/new')).toBe(403)
      },
      JOURNEY_TIMEOUT,
    )
  })
})
