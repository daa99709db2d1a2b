// The programme dashboard in a real browser, with and without JavaScript: the programme analyst
// opens the programme page (every chart an SVG with its data table beside it, the demo tagged),
// filters to a cluster and another quarter through the GET form, sees the cluster's organisations
// with their returns, and the download links answer. axe checks every page, SVG charts included.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type BrowserHarness, browserDescribe, expectAccessible, startHarness } from './browser.ts'
import { GssPage, navigating, SignInPage } from './pages.ts'

const JOURNEY_TIMEOUT = 240_000

browserDescribe('programme dashboard', () => {
  let h: BrowserHarness
  beforeAll(async () => {
    h = await startHarness()
  }, 600_000)
  afterAll(async () => h?.close())

  describe.each([
    { label: 'with JavaScript', javaScriptEnabled: true, mode: 'js' },
    { label: 'without JavaScript', javaScriptEnabled: false, mode: 'no-js' },
  ])('$label', ({ javaScriptEnabled, mode }) => {
    test(
      'the analyst reads the programme, filters to a cluster and a quarter, and downloads the figures',
      async () => {
        const signIn = new SignInPage(await h.newPage({ javaScriptEnabled }))
        await signIn.openSignIn()
        await signIn.signIn('programme.analyst@gss.example')
        const page = new GssPage(signIn.page)
        const main = page.page.getByRole('main')

        expect(await page.open('/programme?quarter=2026-Q2')).toBe(200)
        expect(await page.heading.textContent()).toBe('Programme dashboard')
        const charts = await main.locator('svg[role="img"]').count()
        expect(charts).toBeGreaterThanOrEqual(12)
        // Every chart has a heading and a data table beside it.
        expect(await main.locator('section h2').count()).toBe(charts)
        expect(await main.locator('section table caption').count()).toBe(charts)
        expect(await main.getByText('Demo data').count()).toBeGreaterThan(0)
        expect(await main.getByText(/Provenance:/).count()).toBeGreaterThan(0)
        await expectAccessible(page.page, `${mode}-programme-dashboard`)

        // The filters: a GET form, so it works without script.
        await main.getByRole('combobox', { name: 'Cluster', exact: true }).selectOption({ label: 'Defence' })
        await main.getByRole('combobox', { name: 'Quarter', exact: true }).selectOption('2026-Q1')
        await navigating(page.page, () => main.getByRole('button', { name: 'Show' }).click())
        expect(new URL(page.page.url()).pathname).toBe('/programme/clusters/defence')
        expect(new URL(page.page.url()).searchParams.get('quarter')).toBe('2026-Q1')
        expect(await page.heading.textContent()).toBe('Defence cluster')
        expect(await main.locator('tr[data-org="mod"]').count()).toBe(1)
        await expectAccessible(page.page, `${mode}-programme-dashboard-cluster`)

        // The latest quarter: the MOD's return was late.
        expect(await page.open('/programme/clusters/defence?quarter=2026-Q2')).toBe(200)
        expect(await main.locator('tr[data-org="mod"]').getAttribute('data-status')).toBe('late')

        // The downloads answer with the files.
        const csv = await page.page.request.get('/programme/clusters/defence?quarter=2026-Q2&format=csv')
        expect(csv.status()).toBe(200)
        expect(csv.headers()['content-type']).toMatch(/^text\/csv/)
        const xlsx = await page.page.request.get('/programme?quarter=2026-Q2&format=xlsx')
        expect(xlsx.status()).toBe(200)
        expect((await xlsx.body()).subarray(0, 2).toString()).toBe('PK')
      },
      JOURNEY_TIMEOUT,
    )
  })
})
