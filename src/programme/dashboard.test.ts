// The programme dashboard over the seeded demo world: the figures (checked against the returns
// and registers read directly), the pages with their charts and tables, the filters, the exports
// and the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM_CONTEXT } from '../platform/db/index.ts'
import { clusterId } from '../platform/ids.ts'
import { asOwner, createTestApp, type SignedIn, signIn, type TestApp } from '../platform/testing.ts'
import { dashboardFigures, TREND_QUARTERS } from './dashboard.ts'
import { DEMO_LAST_QUARTER } from './demo.ts'
import { lastCompleteQuarter } from './quarters.ts'
import { dashboardPanels } from './routes.ts'

let t: TestApp
let analyst: SignedIn
const Q = DEMO_LAST_QUARTER

beforeAll(async () => {
  t = await createTestApp()
  analyst = await signIn(t.app, 'programme.analyst@gss.example')
}, 300_000)
afterAll(async () => {
  await t?.close()
})

async function figures(cluster?: string) {
  return t.db.transaction(
    // As a programme analyst: no organisation's rows, every programme figure.
    { ...SYSTEM_CONTEXT, requestId: 'test', programmeRead: 'all' },
    (trx) => dashboardFigures(trx, { quarter: Q, cluster }),
  )
}

describe('dashboard figures', () => {
  it('counts every organisation’s return once: received, late, invalid, missing', async () => {
    const d = await figures()
    expect(d.quarters.map((q) => q.code)).toHaveLength(TREND_QUARTERS)
    expect(d.quarters.at(-1)!.code).toBe(Q)
    const organisations = (
      await asOwner<{ n: number }>(
        t.db,
        'select count(*)::int as n from organisations where cluster_id is not null',
      )
    )[0]!.n
    const s = d.total.current.status
    expect(s.members).toBe(organisations)
    expect(s.received + s.late + s.invalid + s.missing).toBe(organisations)
    const byStatus = await asOwner<{ late: number; invalid: number; received: number }>(
      t.db,
      `select count(*) filter (where valid and late)::int as late, count(*) filter (where not valid)::int as invalid,
         count(*) filter (where valid and not late)::int as received from programme_returns where quarter = '${Q}'`,
    )
    expect(s.late).toBe(byStatus[0]!.late)
    expect(s.invalid).toBe(byStatus[0]!.invalid)
    expect(s.received).toBe(byStatus[0]!.received)
    // The demo has at least one of each.
    expect(s.late).toBeGreaterThanOrEqual(1)
    expect(s.invalid).toBeGreaterThanOrEqual(1)
    expect(s.missing).toBeGreaterThanOrEqual(1)
    expect(s.received).toBeGreaterThanOrEqual(1)
    // Per cluster, the counts add up to the total.
    expect(d.clusters.reduce((sum, c) => sum + c.current.status.late, 0)).toBe(s.late)
    expect(d.clusters.find((c) => c.cluster.code === 'defence')!.current.status.late).toBe(1)
    expect(
      d.clusters.find((c) => c.cluster.code === 'matrix')!.current.status.invalid,
    ).toBeGreaterThanOrEqual(1)
  })

  it('sums the figures of valid current returns, with exact ratios', async () => {
    const d = await figures()
    const [raw] = await asOwner<{
      headcount: string
      payslips: string
      cost: string
      tx: string
      p5: string
      inv: string
    }>(
      t.db,
      `select sum((v.figures #>> '{workforce,headcount}')::numeric)::text as headcount,
         sum((v.figures #>> '{payroll,payslips}')::numeric)::text as payslips,
         sum((v.figures #>> '{finance,backOfficeCostPence}')::numeric) filter (where v.figures #>> '{payroll,payslips}' is not null and v.figures #>> '{finance,invoicesProcessed}' is not null)::text as cost,
         sum((v.figures #>> '{payroll,payslips}')::numeric + (v.figures #>> '{finance,invoicesProcessed}')::numeric) filter (where v.figures #>> '{finance,backOfficeCostPence}' is not null)::text as tx,
         sum((v.figures #>> '{finance,paidWithin5DaysPercent}')::numeric * (v.figures #>> '{finance,invoicesProcessed}')::numeric) filter (where v.figures #>> '{finance,paidWithin30DaysPercent}' is not null)::text as p5,
         sum((v.figures #>> '{finance,invoicesProcessed}')::numeric) filter (where v.figures #>> '{finance,paidWithin5DaysPercent}' is not null and v.figures #>> '{finance,paidWithin30DaysPercent}' is not null)::text as inv
       from programme_returns r join organisations o on o.id = r.org_id
       join programme_return_versions v on v.org_id = r.org_id and v.quarter = r.quarter and v.version = r.current_version
       where r.quarter = '${Q}' and r.valid and o.cluster_id is not null`,
    )
    const f = d.total.current.figures
    expect(f.headcount).toBe(Number(raw!.headcount))
    expect(f.payslips).toBe(Number(raw!.payslips))
    expect(f.costPerTransactionPence).toBe(Math.round(Number(raw!.cost) / Number(raw!.tx)))
    expect(f.paidWithin5DaysPercent).toBe(Math.round((Number(raw!.p5) / Number(raw!.inv)) * 10) / 10)
    // The invalid return contributes nothing: DCMS's figures are absent from Matrix.
    const matrix = await figures('matrix')
    const dcms = matrix.organisations.find((o) => o.code === 'dcms')!
    expect(dcms.status).toBe('invalid')
    expect(dcms.figures).toBeNull()
    // Provenance: submitted returns with estimates, and computed ones.
    expect(d.provenance.service.figures).toBeGreaterThan(0)
    expect(d.provenance.service.submitted).toBeGreaterThan(0)
    expect(d.provenance.service.estimated).toBeGreaterThan(0)
    expect(
      d.provenance.service.computed + d.provenance.service.submitted + d.provenance.service.estimated,
    ).toBeCloseTo(100, 0)
  })

  it('shows the published figures from the registers', async () => {
    const d = await figures()
    const sr21 = d.funding.find((x) => x.spendingReview === 'SR21 settlement')!
    expect(sr21).toMatchObject({
      periodLabel: '2022-25',
      requestedLowPence: 382_000_000_00,
      requestedHighPence: 403_000_000_00,
      approvedPence: 300_000_000_00,
    })
    const bids = d.funding.filter((x) => x.spendingReview === 'SR21 bids')
    expect(bids.reduce((sum, x) => sum + x.requestedHighPence, 0)).toBe(759_000_000_00)
    expect(bids.every((x) => x.approvedPence === 0 && x.decisions === 'rejected')).toBe(true)
    expect(d.benefits.forecastPence).toBe(1_800_000_000_00)
    expect(d.benefits.byYear).toHaveLength(15)
    expect(d.benefits.cashableForecastPence).toBeGreaterThan(0)
    expect(d.benefits.nonCashableForecastPence).toBeGreaterThan(0)
    expect(d.costs.ledgerSpendPence).not.toBe(0)
    expect(d.risks.open).toBeGreaterThanOrEqual(3)
    expect(d.legacy.expiringBeforeReplacement.map((s) => s.name)).toContain('MoJ HR and payroll service')
    expect(d.legacy.expiringBeforeReplacement.map((s) => s.name)).not.toContain('Former DFID finance system')
    expect(d.clusters.every((c) => c.deliveryConfidence.history.length >= 2)).toBe(true)
    expect(d.demo).toBe(true)
  })

  it('narrows to one cluster, with a row per organisation', async () => {
    const d = await figures('defence')
    expect(d.clusters.map((c) => c.cluster.code)).toEqual(['defence'])
    const n = (
      await asOwner<{ n: number }>(
        t.db,
        `select count(*)::int as n from organisations where cluster_id = '${clusterId('defence')}'`,
      )
    )[0]!.n
    expect(d.organisations).toHaveLength(n)
    expect(d.organisations.find((o) => o.code === 'mod')!.status).toBe('late')
    expect(d.total.current.status.members).toBe(n)
    // Only the cluster's own register rows.
    expect(d.funding.every((x) => x.spendingReview !== 'SR21 bids')).toBe(true)
  })
})

describe('dashboard pages', () => {
  it('renders every chart as inline SVG with a heading, a text alternative and a data table', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/programme?quarter=${Q}`,
      headers: { cookie: analyst.cookie },
    })
    expect(res.statusCode).toBe(200)
    const d = await figures()
    const panels = dashboardPanels(d)
    const svgs = res.body.match(/<svg role="img"/g) ?? []
    expect(svgs.length).toBe(panels.length)
    expect((res.body.match(/<desc id="gss-chart-/g) ?? []).length).toBe(panels.length)
    for (const panel of panels) {
      expect(res.body).toContain(`id="${panel.id}-heading"`)
      expect(res.body).toContain(`Data: ${panel.table.caption.replace(/&/g, '&amp;').replace(/'/g, '&#39;')}`)
    }
    expect(res.body).toContain('Demo data')
    expect(res.body).toContain('data-provenance="workforce"')
    expect(res.body).toMatch(/Computed [0-9.]+%, submitted [0-9.]+%, estimated [0-9.]+%/)
    // No script is needed: the page has no inline script and the filters are a GET form.
    expect(res.body).toMatch(/<form method="get" action="\/programme"/)
  })

  it('defaults to the last complete quarter', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/programme', headers: { cookie: analyst.cookie } })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain(`<option value="${lastCompleteQuarter()}" selected>`)
  })

  it('filters by cluster through the form, and refuses a bad quarter or unknown cluster', async () => {
    const redirect = await t.app.inject({
      method: 'GET',
      url: `/programme?quarter=${Q}&cluster=matrix`,
      headers: { cookie: analyst.cookie },
    })
    expect(redirect.statusCode).toBe(303)
    expect(redirect.headers.location).toBe(`/programme/clusters/matrix?quarter=${Q}`)
    const page = await t.app.inject({
      method: 'GET',
      url: redirect.headers.location as string,
      headers: { cookie: analyst.cookie },
    })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Matrix cluster')
    expect(page.body).toMatch(/data-org="dcms" data-status="invalid"/)
    expect(page.body).toMatch(/data-org="dsit" data-status="(received|late)"/)
    const bad = await t.app.inject({
      method: 'GET',
      url: '/programme?quarter=2026-Q7',
      headers: { cookie: analyst.cookie },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('for example 2026-Q2')
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/programme/clusters/atlantis',
      headers: { cookie: analyst.cookie },
    })
    expect(unknown.statusCode).toBe(404)
  })

  it('exports the figures as CSV and Excel, and serves them on the API', async () => {
    const csv = await t.app.inject({
      method: 'GET',
      url: `/programme?quarter=${Q}&format=csv`,
      headers: { cookie: analyst.cookie },
    })
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    expect(csv.body.split('\r\n')[0]).toBe(
      'Section,Cluster or organisation,Quarter or period,Measure,Value,Unit,Provenance',
    )
    expect(csv.body).toContain('Funding,Programme,SR21 settlement 2022-25,Approved,300000000,£,submitted')
    const xlsx = await t.app.inject({
      method: 'GET',
      url: `/programme/clusters/unity?quarter=${Q}&format=xlsx`,
      headers: { cookie: analyst.cookie },
    })
    expect(xlsx.statusCode).toBe(200)
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK')
    const api = await t.app.inject({
      method: 'GET',
      url: `/api/v1/programme/dashboard?quarter=${Q}&cluster=defence`,
      headers: { cookie: analyst.cookie },
    })
    expect(api.statusCode).toBe(200)
    const body = api.json()
    expect(body).toMatchObject({ quarter: Q, cluster: { code: 'defence' }, demo: true })
    expect(body.clusters).toHaveLength(1)
    expect(body.total.current.status.late).toBe(1)
    const apiCsv = await t.app.inject({
      method: 'GET',
      url: `/api/v1/programme/dashboard?quarter=${Q}&format=csv`,
      headers: { cookie: analyst.cookie },
    })
    expect(apiCsv.body).toBe(csv.body)
    const badApi = await t.app.inject({
      method: 'GET',
      url: '/api/v1/programme/dashboard?quarter=2026-5',
      headers: { cookie: analyst.cookie },
    })
    expect(badApi.statusCode).toBe(400)
  })
})
