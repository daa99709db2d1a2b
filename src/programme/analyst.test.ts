// Reliability (issue 7): a programme analyst sees every aggregate and no personal record. The test
// signs in as the demo analyst, walks every programme page and API it can reach from the programme
// home, the returns hub and the dashboard API, and looks in every answer for the demo world's real
// personal data (people's names, NI numbers, email addresses, postcodes), read from the database.
// It then tries the other domains' personal-data endpoints (HR people, payslips, pay runs,
// employee records exchange, events), which must refuse; and finally, as the analyst's own tenant
// context in the database, reads the personal tables directly: row-level security returns nothing.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uuidFromName } from '../platform/ids.ts'
import { loadGrants, type Principal, tenantContext } from '../platform/tenancy.ts'
import { asOwner, createTestApp, type SignedIn, signIn, type TestApp } from '../platform/testing.ts'
import { DEMO_LAST_QUARTER } from './demo.ts'

const ANALYST = 'programme.analyst@gss.example'
/** Pages and APIs the walk visits at most: a limit, so a link loop cannot run away. */
const VISITS_MAX = 250

let t: TestApp
let analyst: SignedIn
/** Personal values that must never appear in anything the analyst is shown. */
let personal: string[]

beforeAll(async () => {
  t = await createTestApp()
  analyst = await signIn(t.app, ANALYST)
  const people = await asOwner<{
    name: string
    ni: string | null
    email: string | null
    postcode: string | null
  }>(
    t.db,
    `select forenames || ' ' || surname as name, ni_number as ni, email, postcode from people
     where user_id is distinct from '${uuidFromName(`user:${ANALYST}`)}'`,
  )
  personal = [
    ...new Set(
      people
        .flatMap((p) => [p.name, p.ni, p.email, p.postcode])
        .filter((v): v is string => !!v && v.length >= 6),
    ),
  ]
}, 300_000)
afterAll(async () => {
  await t?.close()
})

function leaks(body: string): string[] {
  return personal.filter((value) => body.includes(value))
}

/** Programme links in a page or JSON answer: pages under /programme and /orgs/x/programme, and the programme API. */
function programmeLinks(body: string): string[] {
  const found = new Set<string>()
  for (const match of body.matchAll(/(?:href="|"self":\s*")([^"#]+)/g)) {
    const href = match[1]!.replace(/&amp;/g, '&')
    if (/^\/(programme|api\/v1\/programme|orgs\/[a-z0-9-]+\/programme)(\/|\?|$)/.test(href)) found.add(href)
  }
  return [...found]
}

describe('a programme analyst', () => {
  it('the test has personal data to look for', () => {
    expect(personal.length).toBeGreaterThan(20)
  })

  it('sees every programme page and API, with aggregates and no personal record', {
    timeout: 900_000,
  }, async () => {
    const start = [
      '/programme',
      `/programme?quarter=${DEMO_LAST_QUARTER}`,
      ...['synergy', 'matrix', 'unity', 'defence', 'overseas'].map(
        (c) => `/programme/clusters/${c}?quarter=${DEMO_LAST_QUARTER}`,
      ),
      `/programme/returns?quarter=${DEMO_LAST_QUARTER}`,
      `/api/v1/programme/dashboard?quarter=${DEMO_LAST_QUARTER}`,
      `/api/v1/programme/dashboard?quarter=${DEMO_LAST_QUARTER}&format=csv`,
      `/api/v1/programme/returns?quarter=${DEMO_LAST_QUARTER}`,
      '/api/v1/programme/returns/schema',
    ]
    const queue = [...start]
    const seen = new Set<string>()
    const visited: Array<{ url: string; status: number }> = []
    while (queue.length && seen.size < VISITS_MAX) {
      const url = queue.shift()!
      if (seen.has(url)) continue
      seen.add(url)
      // Downloads are followed as the pages offer them; POST forms are not submitted.
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: analyst.cookie } })
      visited.push({ url, status: res.statusCode })
      const body = res.rawPayload.subarray(0, 2).toString() === 'PK' ? '' : res.body
      expect(leaks(body), `${url} shows personal data`).toEqual([])
      if (res.statusCode === 200)
        for (const link of programmeLinks(body)) if (!seen.has(link)) queue.push(link)
    }
    // The starting points all answer; nothing on the programme side errors.
    for (const url of start) expect(visited.find((v) => v.url === url)?.status, url).toBe(200)
    const errors = visited.filter((v) => v.status >= 500)
    expect(errors).toEqual([])
    // Each cluster page and the whole programme were seen, with their figures.
    const home = await t.app.inject({
      method: 'GET',
      url: `/programme?quarter=${DEMO_LAST_QUARTER}`,
      headers: { cookie: analyst.cookie },
    })
    expect(home.body).toMatch(/Returns for 2026-Q2: \d+ received on time, \d+ late, \d+ invalid, \d+ missing/)
    expect(visited.length).toBeGreaterThan(start.length)
  })

  it('is refused the other domains’ personal data', async () => {
    const personId = (
      await asOwner<{ id: string }>(
        t.db,
        `select id from people where org_id = (select id from organisations where code = 'cabinet-office') limit 1`,
      )
    )[0]!.id
    const runId =
      (await asOwner<{ id: string }>(t.db, 'select id from pay_runs limit 1'))[0]?.id ??
      '00000000-0000-0000-0000-000000000000'
    const urls = [
      '/api/v1/orgs/cabinet-office/hr/people',
      `/api/v1/orgs/cabinet-office/hr/people/${personId}`,
      `/api/v1/orgs/cabinet-office/hr/people/${personId}/diversity`,
      '/orgs/cabinet-office/hr/people',
      `/orgs/cabinet-office/hr/people/${personId}`,
      '/api/v1/orgs/cabinet-office/hr/standard/core-employee-profile',
      '/api/v1/orgs/cabinet-office/hr/standard/diversity',
      '/api/v1/orgs/cabinet-office/payroll/runs',
      `/api/v1/orgs/cabinet-office/payroll/runs/${runId}/payslips`,
      `/api/v1/orgs/cabinet-office/payroll/runs/${runId}/payslip.pdf`,
      '/api/v1/orgs/cabinet-office/payroll/p60',
      '/api/v1/orgs/cabinet-office/exchange/employee',
      '/api/v1/me/payslips',
      '/api/v1/self-service/me',
      '/api/v1/events',
      '/api/v1/events?types=employee.joined',
      '/api/v1/events/counts',
    ]
    for (const url of urls) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: analyst.cookie } })
      // Refused (403), or not there for this user (404); never the data.
      if (url.startsWith('/api/v1/events') && res.statusCode === 200) {
        // The event feed is scoped by permission: the analyst may follow the programme's own
        // (aggregate) events, never a personal one.
        const body = res.json() as { items?: Array<{ type: string }>; counts?: Record<string, number> }
        const types = [...(body.items ?? []).map((item) => item.type), ...Object.keys(body.counts ?? {})]
        expect(
          types.filter((type) => type.startsWith('employee.')),
          url,
        ).toEqual([])
      } else expect([401, 403, 404], `${url} answered ${res.statusCode}`).toContain(res.statusCode)
      expect(leaks(res.body), `${url} shows personal data`).toEqual([])
    }
  })

  it('reads no personal rows from the database under its own tenant context', async () => {
    const userId = uuidFromName(`user:${ANALYST}`)
    const grants = await t.db.adminTransaction((trx) => loadGrants(trx, userId))
    const principal: Principal = {
      userId,
      email: ANALYST,
      displayName: 'Ana Lyst',
      via: 'session',
      ...grants,
    }
    const context = tenantContext(principal, 'analyst-test', null)
    expect(context.orgIds).toEqual([])
    expect(context.programmeRead).toBe('all')
    const tables = [
      'people',
      'employments',
      'employment_terms',
      'payroll_details',
      'payslips',
      'person_diversity',
      'tax_codes',
    ]
    // The tables hold rows (else the test proves nothing)...
    for (const table of tables.slice(0, 5)) {
      const n = (await asOwner<{ n: number }>(t.db, `select count(*)::int as n from ${table}`))[0]!.n
      expect(n, `${table} has demo rows`).toBeGreaterThan(0)
    }
    // ...and the analyst's transaction sees none of them, but does see the programme's aggregates.
    const counts = await t.db.transaction(context, async (trx) => {
      const out: Record<string, number> = {}
      for (const table of [...tables, 'programme_returns', 'programme_benefits']) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(
          trx,
        )
        out[table] = rows[0]!.n
      }
      return out
    })
    for (const table of tables) expect(counts[table], table).toBe(0)
    expect(counts.programme_returns).toBeGreaterThan(0)
    expect(counts.programme_benefits).toBeGreaterThan(0)
  })
})
