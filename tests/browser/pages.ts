// Page objects: what a person sees and does on GSS pages, in their words (labels, link text,
// headings), so the tests read as journeys and survive markup changes.
import type { Locator, Page } from 'playwright-core'

/** Waits for the next document to load in the tab after an action (a link, a form post). */
export async function navigating(page: Page, action: () => Promise<unknown>): Promise<void> {
  const loaded = page.waitForEvent('load')
  await action()
  await loaded
}

/** The parts every GSS page shares: header, service navigation, organisation switcher, footer. */
export class GssPage {
  readonly page: Page

  constructor(page: Page) {
    this.page = page
  }

  /** Opens a path and returns the HTTP status of the page. */
  async open(path: string): Promise<number> {
    const response = await this.page.goto(path)
    return response?.status() ?? 0
  }

  get heading(): Locator {
    return this.page.locator('main h1')
  }

  get header(): Locator {
    return this.page.getByRole('banner')
  }

  get serviceNavigation(): Locator {
    return this.page.getByRole('navigation', { name: 'Menu' })
  }

  get errorSummary(): Locator {
    return this.page.locator('.govuk-error-summary')
  }

  get successBanner(): Locator {
    return this.page.locator('.govuk-notification-banner--success')
  }

  /** The "Acting for" select, shown to people who work for more than one organisation. */
  get actingForSelect(): Locator {
    return this.page.getByLabel('Acting for', { exact: true })
  }

  /** The organisation the person is acting for, as the page shows it. */
  async actingFor(): Promise<string> {
    if ((await this.actingForSelect.count()) > 0) {
      return (await this.actingForSelect.locator('option:checked').textContent())?.trim() ?? ''
    }
    return (await this.page.getByTestId('acting-org-name').textContent())?.trim() ?? ''
  }

  async switchOrganisation(name: string): Promise<void> {
    await this.actingForSelect.selectOption({ label: name })
    await navigating(this.page, () => this.page.getByRole('button', { name: 'Switch organisation' }).click())
  }

  /** Follows a link in the service navigation. */
  async navigateTo(name: string): Promise<void> {
    await navigating(this.page, () => this.serviceNavigation.getByRole('link', { name, exact: true }).click())
  }

  /** Follows a link in the page's main content. */
  async follow(name: string | RegExp, within?: Locator): Promise<void> {
    const scope = within ?? this.page.getByRole('main')
    await navigating(this.page, () =>
      scope
        .getByRole('link', { name, exact: typeof name === 'string' })
        .first()
        .click(),
    )
  }

  /** The value beside a key in a summary list. */
  summaryValue(key: string): Locator {
    const exactly = new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`)
    return this.page
      .locator('.govuk-summary-list__row', { has: this.page.locator('dt', { hasText: exactly }) })
      .locator('dd')
  }

  /** A table found by its caption. */
  table(caption: string): Locator {
    return this.page.getByRole('table', { name: caption })
  }

  async signOut(): Promise<void> {
    await navigating(this.page, () => this.header.getByRole('button', { name: 'Sign out' }).click())
  }
}

export class SignInPage extends GssPage {
  async openSignIn(): Promise<number> {
    return this.open('/sign-in')
  }

  async signIn(email: string, password = 'demo-password'): Promise<void> {
    await this.page.getByLabel('Email address').fill(email)
    await this.page.getByLabel('Password', { exact: true }).fill(password)
    await navigating(this.page, () =>
      this.page.getByRole('main').getByRole('button', { name: 'Sign in' }).click(),
    )
  }
}

export interface DirectoryFilter {
  cluster?: string
  kind?: string
  onboarding?: string
  nameContains?: string
}

export class OrganisationsPage extends GssPage {
  async filter(filter: DirectoryFilter): Promise<void> {
    const form = this.page.getByRole('search')
    if (filter.cluster) await form.getByLabel('Cluster').selectOption({ label: filter.cluster })
    if (filter.kind) await form.getByLabel('Kind').selectOption({ label: filter.kind })
    if (filter.onboarding) await form.getByLabel('Onboarding').selectOption({ label: filter.onboarding })
    if (filter.nameContains !== undefined) await form.getByLabel('Name contains').fill(filter.nameContains)
    await navigating(this.page, () => form.getByRole('button', { name: 'Apply filters' }).click())
  }

  async resultCount(): Promise<number> {
    const text = (await this.page.getByTestId('result-count').textContent()) ?? ''
    return Number(/\d+/.exec(text)?.[0] ?? Number.NaN)
  }

  /** The cells of one column of the results table, by the column's heading. */
  async column(heading: string): Promise<string[]> {
    const table = this.table('Matching organisations')
    const headings = (await table.locator('thead th').allTextContents()).map((text) => text.trim())
    const index = headings.indexOf(heading)
    if (index < 0) throw new Error(`No column "${heading}" in ${headings.join(', ')}`)
    return (await table.locator(`tbody tr > :nth-child(${index + 1})`).allTextContents()).map((text) =>
      text.trim(),
    )
  }
}

export class OnboardingPage extends GssPage {
  dateField(legend: string): Locator {
    return this.page.getByRole('group', { name: legend })
  }

  async setDate(legend: string, date: { day: string; month: string; year: string }): Promise<void> {
    const group = this.dateField(legend)
    await group.getByLabel('Day').fill(date.day)
    await group.getByLabel('Month').fill(date.month)
    await group.getByLabel('Year').fill(date.year)
  }

  async save(): Promise<void> {
    await navigating(this.page, () => this.page.getByRole('button', { name: 'Save changes' }).click())
  }
}
