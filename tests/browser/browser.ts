// Shared set-up for the browser tests: the app on a real port over a fresh seeded database, one
// headless Chromium per test file (Debian's, never a downloaded one), and axe-core checks.
import fs from 'node:fs'
import path from 'node:path'
import { AxeBuilder } from '@axe-core/playwright'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { describe, expect } from 'vitest'
import { createTestApp, type TestApp } from '../../src/platform/testing.ts'

export const CHROMIUM_PATH = process.env.GSS_CHROMIUM_PATH || '/usr/bin/chromium'
export const chromiumAvailable = fs.existsSync(CHROMIUM_PATH)

/** Where screenshots of every checked page go, when GSS_SCREENSHOTS names a folder. */
const SHOTS_DIR = process.env.GSS_SCREENSHOTS || ''

if (!chromiumAvailable) {
  const message =
    `Browser tests need Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set GSS_CHROMIUM_PATH). ` +
    'They never download a browser.'
  // On CI a missing browser is a broken build, not a reason to pass quietly.
  if (process.env.CI) throw new Error(message)
  console.warn(`\n⚠️  SKIPPING BROWSER TESTS: ${message}\n`)
}

/** `describe` that skips, visibly, when there is no Chromium on this machine (never on CI). */
export const browserDescribe = describe.skipIf(!chromiumAvailable)

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface BrowserHarness {
  t: TestApp
  browser: Browser
  baseUrl: string
  /** A fresh context (cookie jar); `javaScriptEnabled: false` for the progressive-enhancement runs. */
  newPage(options?: {
    javaScriptEnabled?: boolean
    viewport?: { width: number; height: number }
  }): Promise<Page>
  close(): Promise<void>
}

/** Starts the app on an ephemeral port and launches one headless Chromium for the test file. */
export async function startHarness(): Promise<BrowserHarness> {
  const [t, browser] = await Promise.all([
    createTestApp(),
    chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: LAUNCH_ARGS }),
  ])
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  const address = t.app.server.address()
  if (!address || typeof address === 'string') throw new Error('The app is not listening on a TCP port')
  const baseUrl = `http://127.0.0.1:${address.port}`
  const contexts: BrowserContext[] = []
  return {
    t,
    browser,
    baseUrl,
    async newPage(options = {}) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        javaScriptEnabled: options.javaScriptEnabled ?? true,
        viewport: options.viewport ?? { width: 1280, height: 800 },
      })
      // Generous for a busy two-core machine; every wait is on an event or element, never a sleep.
      context.setDefaultTimeout(15_000)
      contexts.push(context)
      if (options.javaScriptEnabled === false) withoutJavaScript.add(context)
      const page = await context.newPage()
      watchForPageErrors(page)
      return page
    },
    async close() {
      await Promise.allSettled(contexts.map((context) => context.close()))
      await browser.close().catch(() => {})
      await t.close()
    },
  }
}

/**
 * Collects script errors and console errors (a CSP refusal shows up as one) so a test can assert
 * the page ran cleanly.
 */
const pageErrors = new WeakMap<Page, string[]>()
function watchForPageErrors(page: Page) {
  const errors: string[] = []
  pageErrors.set(page, errors)
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    const text = message.text()
    // The browser logs the status of 4xx responses we navigate to on purpose (404 and 403 pages).
    if (/^Failed to load resource: the server responded with a status of (400|401|403|404)/.test(text)) return
    errors.push(`console: ${text}`)
  })
}

export function consoleErrors(page: Page): string[] {
  return pageErrors.get(page) ?? []
}

/**
 * axe runs in the page and needs timers, which a context without JavaScript never fires. So a
 * page from such a context is checked as a snapshot: its HTML, scripts removed (so the DOM stays
 * exactly as a browser without JavaScript shows it), served at the same address in a tab that
 * runs scripts, with the same stylesheets.
 */
const withoutJavaScript = new WeakSet<BrowserContext>()
const checkers = new WeakMap<Browser, Promise<Page>>()
async function snapshotForAxe(page: Page): Promise<Page> {
  const browser = page.context().browser()
  if (!browser) throw new Error('The page has no browser')
  let checker = checkers.get(browser)
  if (!checker) {
    checker = browser.newContext({ viewport: page.viewportSize() }).then((context) => context.newPage())
    checkers.set(browser, checker)
  }
  const tab = await checker
  const viewport = page.viewportSize()
  if (viewport) await tab.setViewportSize(viewport)
  const url = page.url()
  const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '')
  const isThePage = (address: URL) => address.href === url
  await tab.route(isThePage, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
  )
  try {
    await tab.goto(url)
  } finally {
    await tab.unroute(isThePage)
  }
  // Never check some other page by mistake (a redirect to sign-in, say).
  if (tab.url() !== url || (await tab.content()).length < html.length / 2) {
    throw new Error(`The snapshot of ${url} did not load (${tab.url()})`)
  }
  return tab
}

/** WCAG 2.0, 2.1 and 2.2 A and AA, plus axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice']

/** A readable account of axe's findings, for the assertion message. */
function describeViolations(violations: Awaited<ReturnType<AxeBuilder['analyze']>>['violations']): string {
  return violations
    .map((violation) => {
      const nodes = violation.nodes
        .slice(0, 5)
        .map(
          (node) =>
            `    ${node.target.join(' ')}\n      ${node.failureSummary?.replace(/\n/g, '\n      ') ?? ''}`,
        )
        .join('\n')
      return `  [${violation.impact}] ${violation.id}: ${violation.help} (${violation.nodes.length} nodes)\n${nodes}`
    })
    .join('\n')
}

/**
 * Runs axe over the page (all impacts, WCAG 2.2 AA and best practice) and returns a description
 * of the violations, empty when there are none. Saves a screenshot when GSS_SCREENSHOTS is set.
 */
export async function accessibilityReport(page: Page, name: string): Promise<string> {
  if (SHOTS_DIR) await saveScreenshots(page, name)
  const target = withoutJavaScript.has(page.context()) ? await snapshotForAxe(page) : page
  // Legacy mode runs axe.run() in the page itself; the default opens a blank tab per check to merge
  // results from cross-origin frames, which GSS pages never have, and costs most of the time.
  const results = await new AxeBuilder({ page: target })
    .withTags(AXE_TAGS)
    .options({ resultTypes: ['violations'] })
    .setLegacyMode(true)
    .analyze()
  if (results.violations.length === 0) return ''
  return `axe found ${results.violations.length} violation(s) on ${name} (${page.url()}):\n${describeViolations(results.violations)}`
}

/** Saves the page as 1200-pixel-high slices (name.png, name-2.png, ...) that are easy to look at. */
async function saveScreenshots(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS_DIR, { recursive: true })
  const viewport = page.viewportSize() ?? { width: 1280, height: 800 }
  const height = await page.evaluate(() => document.documentElement.scrollHeight)
  const sliceHeight = 1200
  for (let y = 0, slice = 1; y < height && slice <= 6; y += sliceHeight, slice++) {
    await page.screenshot({
      path: path.join(SHOTS_DIR, `${name}${slice === 1 ? '' : `-${slice}`}.png`),
      fullPage: true,
      clip: { x: 0, y, width: viewport.width, height: Math.min(sliceHeight, height - y) },
    })
  }
}

/**
 * GSS is not on GOV.UK: no crown, no GOV.UK logotype or crest, no GDS Transport; Arial throughout,
 * with the generic header naming GSS.
 */
export async function expectGssBranding(page: Page, name: string): Promise<void> {
  const govukBranding = page.locator(
    '.govuk-header, [class*="crown"], [class*="logotype"], [class*="crest"], .govuk-footer__copyright-logo',
  )
  expect(await govukBranding.count(), `GOV.UK branding on ${name}`).toBe(0)
  expect((await page.locator('.govuk-generic-header__homepage-link').textContent())?.trim()).toMatch(/^GSS\b/)
  const notArial = await page.locator('body').evaluate((body) => {
    const found = new Set<string>()
    for (const element of [body, ...body.querySelectorAll('*')]) {
      const hasText = [...element.childNodes].some((node) => node.nodeType === 3 && node.textContent?.trim())
      if (!hasText || element.closest('code, pre, script, style, [hidden]')) continue
      const font = getComputedStyle(element).fontFamily.toLowerCase()
      if (!font.startsWith('arial'))
        found.add(`${element.tagName.toLowerCase()}.${element.className}: ${font}`)
    }
    return [...found]
  })
  expect(notArial, `text not in Arial on ${name}`).toEqual([])
  expect(await page.locator('body').textContent()).not.toContain('GOV.UK')
}

/** Asserts axe finds nothing on the page; the failure message lists every violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const report = await accessibilityReport(page, name)
  expect(report, `accessibility of ${name}`).toBe('')
  expect(consoleErrors(page), `script or CSP errors on ${name}`).toEqual([])
  await expectGssBranding(page, name)
}
