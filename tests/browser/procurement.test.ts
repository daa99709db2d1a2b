// The procurement journeys in a real browser, with and without JavaScript: a buyer raises a
// requisition (a mistake first), the platform admin approves it within delegated authority and
// the order is received; a clerk captures the invoice against it and it matches; the buyer reads
// the exceptions queue, the contracts register, the pipeline and its cluster view, analytics and
// publication. axe checks every page.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { GssPage, navigating, SignInPage } from './pages.ts'

const JOURNEY_TIMEOUT = 240_000

browserDescribe('procurement journeys', () => {
  let h: BrowserHarness
  beforeAll(async () => {
    h = await startHarness()
  }, 600_000)
  afterAll(async () => h?.close())

  describe.each([
    { label: 'with JavaScript', javaScriptEnabled: true, mode: 'js', title: 'Chairs for the new office' },
    {
      label: 'without JavaScript',
      javaScriptEnabled: false,
      mode: 'no-js',
      title: 'Desks for the new office',
    },
  ])('$label', ({ javaScriptEnabled, mode, title }) => {
    test(
      'requisition → approval → order → receipt → invoice matched, and the registers',
      async () => {
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

        // The buyer raises a requisition: a bad quantity first.
        const buyer = await session('procurement.officer@gss.example')
        expect(await buyer.page.open('/orgs/cabinet-office/procurement')).toBe(200)
        await expectAccessible(buyer.page.page, `${mode}-procurement-home`)
        await buyer.click('Raise a requisition')
        await expectAccessible(buyer.page.page, `${mode}-new-requisition`)
        await buyer.main.getByLabel('What is it for?').fill(title)
        await buyer.main.getByLabel('Supplier').selectOption({ label: 'Acme Digital Services Ltd' })
        const line = buyer.main.getByRole('group', { name: 'Line 1' })
        await line.getByLabel('Description').fill('Office chair')
        await line.getByLabel('CPV code').fill('39112000-0')
        await line.getByLabel('Account').selectOption('52600000')
        await line.getByLabel('Cost centre').selectOption('CORP')
        await line.getByLabel('Quantity').fill('lots')
        await line.getByLabel('Unit price, excluding VAT').fill('120')
        await buyer.click('Submit for approval', 'button')
        expect(await buyer.page.errorSummary.textContent()).toContain('quantity')
        expect(await buyer.page.page.title()).toMatch(/^Error: /)
        await expectAccessible(buyer.page.page, `${mode}-new-requisition-errors`)
        await line.getByLabel('Quantity').fill('4')
        await buyer.click('Submit for approval', 'button')
        expect(await buyer.page.successBanner.textContent()).toContain('Requisition raised')
        await expectAccessible(buyer.page.page, `${mode}-requisition`)
        const orderUrl = buyer.page.page.url()

        // The platform admin (procurement:approve, accounting officer's authority) approves it.
        const approver = await session('platform.admin@gss.example')
        expect(await approver.page.open(new URL(orderUrl).pathname)).toBe(200)
        await approver.click('Approve and issue the order', 'button')
        expect(await approver.page.successBanner.textContent()).toContain('purchase order is issued')
        expect(await approver.page.heading.textContent()).toMatch(/^PO-\d{6}/)
        await expectAccessible(approver.page.page, `${mode}-order-issued`)

        // The buyer records the receipt.
        expect(await buyer.page.open(new URL(orderUrl).pathname)).toBe(200)
        await buyer.main.getByLabel(/Quantity received now, line 1/).fill('4')
        await buyer.click('Record receipt', 'button')
        expect(await buyer.page.successBanner.textContent()).toContain('Receipt recorded')

        // The clerk captures the invoice against the order: it matches.
        const clerk = await session('finance.clerk@gss.example')
        expect(await clerk.page.open(new URL(orderUrl).pathname)).toBe(200)
        await clerk.main.getByLabel('Supplier’s invoice number').fill(`CH-${mode}`)
        await clerk.main
          .getByLabel('Invoice date')
          .fill(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10))
        await clerk.main.getByLabel('Quantity invoiced, line 1').fill('4')
        await clerk.click('Capture and match', 'button')
        expect(await clerk.page.successBanner.textContent()).toContain('Invoice captured and matched')
        expect(await clerk.main.textContent()).toContain(`CH-${mode}`)
        expect(await clerk.main.textContent()).toContain('match matched')

        // The buyer reads the registers.
        for (const [link, name] of [
          ['Invoice matching and the exceptions queue (no PO, no pay)', 'invoices'],
          ['Contracts register', 'contracts'],
          ['Commercial pipeline', 'pipeline'],
          [/^Pipeline across the/, 'cluster-pipeline'],
          ['Budget, commitments and actuals', 'budget'],
          ['Spend analytics', 'analytics'],
          ['Publication (OCDS)', 'publication'],
          ['Suppliers', 'suppliers'],
        ] as const) {
          expect(await buyer.page.open('/orgs/cabinet-office/procurement')).toBe(200)
          await buyer.click(link)
          await expectAccessible(buyer.page.page, `${mode}-procurement-${name}`)
        }
        await buyer.page.open('/orgs/cabinet-office/procurement/contracts')
        expect(await buyer.main.textContent()).toContain('Expires within 6 months')
      },
      JOURNEY_TIMEOUT,
    )
  })
})
