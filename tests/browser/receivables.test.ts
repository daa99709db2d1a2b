// The receivables journey in a real browser, with and without JavaScript: a finance clerk adds a
// customer (a mistake first, then right), raises an invoice, downloads its PDF and its e-invoice,
// records the customer's payment, and reads the aged debtors report; axe checks every page.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { importEInvoice } from '../../src/finance/einvoice/import.ts'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { GssPage, navigating, SignInPage } from './pages.ts'

/** A journey visits many pages; on a busy two-core machine it needs more than the default 30 s. */
const JOURNEY_TIMEOUT = 180_000

browserDescribe('receivables journeys', () => {
  let h: BrowserHarness
  beforeAll(async () => {
    h = await startHarness()
  }, 600_000)
  afterAll(async () => h?.close())

  test(
    'the other receivables pages, and their error states, pass axe',
    async () => {
      const signIn = new SignInPage(await h.newPage())
      await signIn.openSignIn()
      await signIn.signIn('finance.clerk@gss.example')
      const page = new GssPage(signIn.page)
      const main = page.page.getByRole('main')
      const base = '/orgs/cabinet-office/finance/receivables'
      for (const [url, name] of [
        [`${base}/settings`, 'receivables-settings'],
        [`${base}/invoices`, 'sales-invoices'],
        [`${base}/receipts`, 'receipts'],
        [`${base}/aged-debtors?asOf=2026-02-30`, 'aged-debtors-error'],
      ] as const) {
        await page.open(url)
        await expectAccessible(page.page, name)
      }
      // An unpaid demo invoice: its page, and the credit note form refused without a reason.
      await page.open(`${base}/invoices`)
      const open = main.getByRole('row').filter({ hasText: 'Overdue' }).getByRole('link').first()
      await navigating(page.page, () => open.click())
      await expectAccessible(page.page, 'sales-invoice')
      await navigating(page.page, () => main.getByRole('button', { name: 'Issue credit note' }).click())
      expect(await page.errorSummary.textContent()).toContain('Enter the reason for the credit note')
      await expectAccessible(page.page, 'credit-note-errors')
      // The demo payment waiting on account: its allocation form, refused when over-allocated.
      await page.open(`${base}/receipts`)
      await navigating(page.page, () => main.getByRole('link', { name: 'BACS PAYMENT' }).first().click())
      await expectAccessible(page.page, 'receipt-on-account')
      const amount = main.getByRole('textbox').first()
      await amount.fill('999999')
      await navigating(page.page, () => main.getByRole('button', { name: 'Allocate' }).click())
      expect(await page.errorSummary.count()).toBe(1)
      await expectAccessible(page.page, 'receipt-allocation-errors')
    },
    JOURNEY_TIMEOUT,
  )

  describe.each([
    {
      label: 'with JavaScript',
      javaScriptEnabled: true,
      mode: 'js',
      customer: 'Met Office Trading Fund',
      vat: 'GB 812 7433 45',
    },
    {
      label: 'without JavaScript',
      javaScriptEnabled: false,
      mode: 'no-js',
      customer: 'Ordnance Survey Ltd',
      vat: 'GB 891 9370 25',
    },
  ])('$label', ({ javaScriptEnabled, mode, customer, vat }) => {
    test(
      'a clerk adds a customer, raises an invoice, downloads it as PDF and UBL, and records the payment',
      async () => {
        const signIn = new SignInPage(await h.newPage({ javaScriptEnabled }))
        await signIn.openSignIn()
        await signIn.signIn('finance.clerk@gss.example')
        const page = new GssPage(signIn.page)
        const main = page.page.getByRole('main')
        const click = (name: string | RegExp, role: 'link' | 'button' = 'link') =>
          navigating(page.page, () => main.getByRole(role, { name }).first().click())

        // Finance → Receivables.
        expect(await page.open('/orgs/cabinet-office/finance')).toBe(200)
        await click(/^Receivables/)
        expect(await page.heading.textContent()).toBe('Receivables')
        await expectAccessible(page.page, `${mode}-receivables`)

        // Add a customer: the VAT number is wrong first.
        await click('Customers and statements')
        await expectAccessible(page.page, `${mode}-customers`)
        await click('Add a customer')
        await expectAccessible(page.page, `${mode}-new-customer`)
        await main.getByLabel('Name', { exact: true }).fill(customer)
        await main.getByLabel('Address line 1').fill('FitzRoy Road')
        await main.getByLabel('Town or city').fill('Exeter')
        await main.getByLabel('Postcode').fill('EX1 3PB')
        await main.getByLabel('VAT number (optional)').fill('GB123456789')
        await click('Add customer', 'button')
        expect(await page.errorSummary.textContent()).toContain('check digits of 123456789 are wrong')
        expect(await page.page.title()).toMatch(/^Error: /)
        await expectAccessible(page.page, `${mode}-new-customer-errors`)
        await main.getByLabel('VAT number (optional)').fill(vat)
        await click('Add customer', 'button')
        expect(await page.successBanner.textContent()).toContain('Customer added')
        expect(await page.heading.textContent()).toBe(customer)
        await expectAccessible(page.page, `${mode}-customer`)

        // Raise an invoice from the customer's page.
        await click('Raise an invoice')
        await main.getByLabel('Description').first().fill('Weather data licence')
        await main.getByLabel('Income account').first().selectOption('41900000')
        await main.getByLabel('Quantity').first().fill('2')
        await main.getByLabel('Unit price (£)').first().fill('1500')
        await expectAccessible(page.page, `${mode}-new-invoice`)
        await click('Issue invoice', 'button')
        expect(await page.successBanner.textContent()).toContain('issued and posted to the ledger')
        const number = ((await page.heading.textContent()) ?? '').replace(/^Invoice /, '').trim()
        expect(number).toMatch(/^CO-\d{6}$/)
        expect(await main.textContent()).toContain('£3,600.00')
        await expectAccessible(page.page, `${mode}-invoice`)

        // Download the PDF and the e-invoice.
        for (const [link, check] of [
          ['Download PDF', (bytes: Buffer) => expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')],
          [
            'Download e-invoice (UBL)',
            (bytes: Buffer) => {
              const result = importEInvoice(bytes, { profile: 'peppol' })
              expect(result.ok && result.invoice.id).toBe(number)
            },
          ],
        ] as const) {
          const [download] = await Promise.all([
            page.page.waitForEvent('download'),
            main.getByRole('link', { name: new RegExp(`^${link.replace(/[()]/g, '\\$&')}`) }).click(),
          ])
          const chunks: Buffer[] = []
          for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer)
          check(Buffer.concat(chunks))
        }

        // The customer pays part, quoting the invoice number: it is allocated by that reference.
        await navigating(page.page, () => main.getByRole('link', { name: customer }).first().click())
        await click('Record a receipt')
        await expectAccessible(page.page, `${mode}-new-receipt`)
        await main.getByLabel('Amount received (£)').fill('1,000.00')
        await main.getByLabel('Payer’s reference').fill(`${number} part payment`)
        await click('Record receipt', 'button')
        expect(await page.successBanner.textContent()).toContain('Receipt recorded')
        expect(await main.textContent()).toContain(number)
        await expectAccessible(page.page, `${mode}-receipt`)

        // The statement and the aged debtors report show what is left.
        await navigating(page.page, () => main.getByRole('link', { name: customer }).first().click())
        expect(await main.textContent()).toContain('£2,600.00')
        await page.open('/orgs/cabinet-office/finance/receivables/aged-debtors')
        expect(await page.heading.textContent()).toBe('Aged debtors')
        expect(await main.getByRole('row', { name: new RegExp(customer) }).textContent()).toContain(
          '£2,600.00',
        )
        await expectAccessible(page.page, `${mode}-aged-debtors`)
      },
      JOURNEY_TIMEOUT,
    )
  })
})
