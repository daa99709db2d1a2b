// Finance journeys in a real browser, with axe on every page: delegated authority, a payment run
// from dates to bank files, a bank statement reconciled, a recharge raised and agreed, and the
// reports and cluster views (aged creditors, prompt payment, eliminations). The payment journey
// runs without JavaScript (every form must work on HTML alone), the recharge journey with it.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { buildGbIban } from '../../src/finance/banking/iban.ts'
import { fiscalPeriodOf } from '../../src/finance/chart.ts'
import { addDays, todayIso } from '../../src/finance/payables/invoices.ts'
import { nextWeekday } from '../../src/finance/payables/payment-runs.ts'
import { camt053v08 } from '../../src/finance/payments/testing.ts'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { GssPage, navigating, SignInPage } from './pages.ts'

/** A journey visits many pages; on a busy two-core machine it needs more than the default 30 s. */
const JOURNEY_TIMEOUT = 180_000
const CO = '/orgs/cabinet-office/finance'

async function signedIn(h: BrowserHarness, email: string, javaScriptEnabled: boolean): Promise<GssPage> {
  const signIn = new SignInPage(await h.newPage({ javaScriptEnabled }))
  await signIn.openSignIn()
  await signIn.signIn(email)
  return new GssPage(signIn.page)
}

async function fillDate(page: GssPage, legend: string, iso: string) {
  const [year, month, day] = iso.split('-')
  const group = page.page.getByRole('group', { name: legend })
  await group.getByLabel('Day').fill(String(Number(day)))
  await group.getByLabel('Month').fill(String(Number(month)))
  await group.getByLabel('Year').fill(year!)
}

const click = (page: GssPage, name: string) =>
  navigating(page.page, () => page.page.getByRole('main').getByRole('button', { name }).click())

browserDescribe('finance pages', () => {
  let h: BrowserHarness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(async () => h?.close())

  test(
    'without JavaScript: delegated authority, a payment run and its files, a bank statement reconciled',
    async () => {
      const page = await signedIn(h, 'finance.approver@gss.example', false)

      // Delegated authority: a mistake first, then a new limit.
      expect(await page.open(`${CO}/approval-limits`)).toBe(200)
      await expectAccessible(page.page, 'no-js-approval-limits')
      await page.page.getByLabel('Spend type').fill('estates')
      await page.page.getByLabel('Level', { exact: true }).first().fill('1')
      await page.page.getByLabel('Title of the level').fill('Estates manager')
      await page.page.getByLabel('May approve up to').fill('lots')
      await click(page, 'Save limit')
      expect(await page.errorSummary.textContent()).toContain('Enter the limit in pounds')
      await expectAccessible(page.page, 'no-js-approval-limits-error')
      await page.page.getByLabel('May approve up to').fill('25000')
      await click(page, 'Save limit')
      expect(await page.successBanner.textContent()).toContain('Limit saved')
      expect(await page.page.getByRole('main').textContent()).toContain('Estates manager')

      // The account payments leave from.
      expect(await page.open(`${CO}/payment-settings`)).toBe(200)
      await expectAccessible(page.page, 'no-js-payment-settings')

      // A payment run: wrong dates, then the check page, then approve.
      expect(await page.open(`${CO}/payment-runs`)).toBe(200)
      await expectAccessible(page.page, 'no-js-payment-runs')
      await navigating(page.page, () => page.page.getByRole('link', { name: 'Make a payment run' }).click())
      await expectAccessible(page.page, 'no-js-new-payment-run')
      await fillDate(page, 'Pay date', '2001-01-01')
      await click(page, 'Continue')
      expect(await page.errorSummary.textContent()).toContain('The pay date cannot be in the past')
      await expectAccessible(page.page, 'no-js-new-payment-run-error')
      const payDate = nextWeekday(addDays(todayIso(), 1))
      await fillDate(page, 'Pay date', payDate)
      await fillDate(page, 'Pay approved invoices due on or before', addDays(todayIso(), 60))
      await click(page, 'Continue')
      expect(await page.heading.textContent()).toBe('Check the payment run')
      expect(await page.page.getByRole('main').textContent()).toContain('Acme Digital Services Ltd')
      await expectAccessible(page.page, 'no-js-check-payment-run')
      await click(page, 'Approve and make the payment run')
      expect(await page.successBanner.textContent()).toContain('download its files for the bank')
      await expectAccessible(page.page, 'no-js-payment-run')
      const painHref = await page.page.getByRole('link', { name: /pain\.001/ }).getAttribute('href')
      const pain = await page.page.request.get(painHref!)
      expect(pain.status()).toBe(200)
      expect(await pain.text()).toContain('pain.001.001.03')
      const endToEndIds = (await page.page.locator('main tbody tr td:first-child').allTextContents()).map(
        (text) => text.trim(),
      )
      const amounts = (await page.page.locator('main tbody tr td:last-child').allTextContents()).map((text) =>
        text.trim().replace(/[£,]/g, ''),
      )
      expect(endToEndIds.length).toBeGreaterThan(0)

      // The bank's statement, pasted in: the payments match and one stray line is left for a person.
      const statement = camt053v08({
        messageId: 'STMT-BROWSER',
        statementId: 'BROWSER1',
        iban: buildGbIban('NWBK', '202959', '63748472'),
        currency: 'GBP',
        opening: { amount: '100000.00', creditDebit: 'CRDT', date: payDate },
        closing: { amount: '0.00', creditDebit: 'CRDT', date: payDate },
        entries: [
          ...endToEndIds.map((endToEndId, index) => ({
            amount: amounts[index]!,
            currency: 'GBP',
            creditDebit: 'DBIT' as const,
            bookingDate: payDate,
            endToEndId,
          })),
          { amount: '12.34', currency: 'GBP', creditDebit: 'DBIT' as const, bookingDate: payDate },
        ],
      })
      // The clerk imports statements.
      const clerk = await signedIn(h, 'finance.clerk@gss.example', false)
      expect(await clerk.open(`${CO}/bank-statements`)).toBe(200)
      await expectAccessible(clerk.page, 'no-js-bank-statements')
      await clerk.page.getByLabel('Paste the statement').fill('<Document>not a statement')
      await click(clerk, 'Import and reconcile')
      expect(await clerk.errorSummary.count()).toBe(1)
      await expectAccessible(clerk.page, 'no-js-bank-statements-error')
      await clerk.page.getByLabel('Paste the statement').fill(statement)
      await click(clerk, 'Import and reconcile')
      expect(await clerk.heading.textContent()).toBe('Bank statement STMT-BROWSER')
      const result = await clerk.page.getByRole('main').textContent()
      expect(result).toContain('end-to-end-id')
      expect(result).toContain('Statement lines left for a person')
      await expectAccessible(clerk.page, 'no-js-bank-statement-result')
    },
    JOURNEY_TIMEOUT,
  )

  test(
    'with JavaScript: a recharge raised by DSIT, agreed by Cabinet Office, eliminated for the cluster; reports',
    async () => {
      const clerk = await signedIn(h, 'finance.clerk@gss.example', true)
      expect(await clerk.open('/orgs/dsit/finance/recharges/new')).toBe(200)
      await expectAccessible(clerk.page, 'js-new-recharge')
      await clerk.page.getByLabel('What the recharge is for').fill('Shared HR service, browser test')
      await click(clerk, 'Raise recharge')
      expect(await clerk.errorSummary.textContent()).toContain('Choose the organisation to recharge')
      await expectAccessible(clerk.page, 'js-new-recharge-error')
      await clerk.page.getByLabel('Organisation to recharge').selectOption({ label: 'Cabinet Office' })
      await clerk.page.getByLabel('Amount').fill('4,321.00')
      await click(clerk, 'Raise recharge')
      expect(await clerk.successBanner.textContent()).toContain('Recharge raised')
      await expectAccessible(clerk.page, 'js-recharges')

      const approver = await signedIn(h, 'finance.approver@gss.example', true)
      expect(await approver.open(`${CO}/recharges?show=unmatched`)).toBe(200)
      expect(await approver.page.getByRole('main').textContent()).toContain('£4,321.00')
      await navigating(approver.page, () =>
        approver.page.getByRole('link', { name: 'Shared HR service, browser test' }).click(),
      )
      await expectAccessible(approver.page, 'js-recharge')
      await click(approver, 'Agree recharge')
      expect(await approver.successBanner.textContent()).toContain('Recharge agreed')

      const admin = await signedIn(h, 'cluster.admin@gss.example', true)
      const { fiscalYear } = fiscalPeriodOf(todayIso())
      expect(await admin.open(`/clusters/matrix/reports/trial-balance?fiscalYear=${fiscalYear}`)).toBe(200)
      const consolidated = await admin.page.getByRole('main').textContent()
      expect(consolidated).toContain('Recharges eliminated')
      expect(consolidated).toContain('Eliminated')
      await expectAccessible(admin.page, 'js-cluster-trial-balance')
      expect(await admin.open(`/clusters/matrix/reports/aged-creditors`)).toBe(200)
      await expectAccessible(admin.page, 'js-cluster-aged-creditors')
      expect(await admin.open(`/clusters/matrix/reports/prompt-payment?fiscalYear=${fiscalYear}`)).toBe(200)
      await expectAccessible(admin.page, 'js-cluster-prompt-payment')

      for (const slug of ['aged-creditors', 'prompt-payment', 'trial-balance']) {
        expect(await clerk.open(`${CO}/reports/${slug}`)).toBe(200)
        await expectAccessible(clerk.page, `js-report-${slug}`)
      }
    },
    JOURNEY_TIMEOUT,
  )
})
