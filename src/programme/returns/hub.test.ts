// Two deployments on localhost: a cluster deployment pushes its returns to a hub deployment over
// HTTP with a token the hub made for the cluster lead's returns submitter.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { TenantContext } from '../../platform/db/index.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { asOwner, createTestApp, engineUnderTest, signIn, type TestApp } from '../../platform/testing.ts'
import { pushClusterReturns } from './hub.ts'
import { recordReturn } from './store.ts'
import { sampleReturn } from './testing.ts'

let cluster: TestApp
let hub: TestApp
let hubUrl: string
let hubToken: string
let matrix: string[]
const QUARTER = '2023-Q3' // October to December 2023, due 2024-01-30
const SUBMITTER = uuidFromName('user:returns.submitter@gss.example')
const manager: TenantContext = {
  userId: uuidFromName('user:programme.manager@gss.example'),
  orgIds: [],
  actingOrgId: null,
  requestId: 'test',
  programmeRead: 'all',
  programmeManage: 'all',
}

async function generate(code: string, change?: (figures: ReturnType<typeof sampleReturn>) => void) {
  const figures = sampleReturn(code, QUARTER)
  change?.(figures)
  return cluster.db.transaction(manager, (trx) =>
    recordReturn(trx, {
      orgId: orgId(code),
      quarter: QUARTER,
      source: 'computed',
      figures,
      receivedBy: null,
    }),
  )
}

async function hubView() {
  const analyst = await signIn(hub.app, 'programme.analyst@gss.example')
  const response = await hub.app.inject({
    method: 'GET',
    url: `/api/v1/programme/returns?quarter=${QUARTER}`,
    headers: { cookie: analyst.cookie },
  })
  expect(response.statusCode).toBe(200)
  const view = response.json() as {
    clusters: Array<{
      code: string
      counts: Record<'received' | 'late' | 'invalid' | 'missing', number>
      organisations: Array<{ code: string; status: string; source: string | null }>
    }>
  }
  const statuses = Object.fromEntries(
    view.clusters.flatMap((c) => c.organisations).map((o) => [o.code, o.status]),
  ) as Record<string, string>
  return { view, statuses }
}

beforeAll(async () => {
  cluster = await createTestApp()
  hub = await createTestApp()
  await hub.app.listen({ port: 0, host: '127.0.0.1' })
  const address = hub.app.server.address() as { port: number }
  hubUrl = `http://127.0.0.1:${address.port}`
  // On the hub: the demo returns submitter also submits for DSIT, the matrix cluster's lead.
  await asOwner(
    hub.db,
    `insert into memberships (user_id, role, org_id) values ('${SUBMITTER}', 'returns_submitter', '${orgId('dsit')}')`,
  )
  hubToken = (
    await hub.services.auth.createToken(
      { userId: SUBMITTER, orgIds: [orgId('dsit')], actingOrgId: orgId('dsit'), requestId: 'test' },
      {
        userId: SUBMITTER,
        orgId: orgId('dsit'),
        roles: ['returns_submitter'],
        name: 'matrix push',
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    )
  ).token
  matrix = (
    await asOwner<{ code: string }>(
      cluster.db,
      `select o.code from organisations o join clusters c on c.id = o.cluster_id where c.code = 'matrix' order by o.code`,
    )
  ).map((row) => row.code)
}, 240_000)
afterAll(async () => {
  vi.useRealTimers()
  await cluster?.close()
  await hub?.close()
})

describe('cluster to hub', () => {
  it('pushes the cluster’s returns; the hub shows the received, the late, the invalid and the missing', async () => {
    expect(matrix).toEqual(
      expect.arrayContaining(['dsit', 'met-office', 'ukri', 'intellectual-property-office']),
    )
    await generate('dsit')
    await generate('met-office')
    await generate('ukri', (figures) => {
      figures.workforce.fte = 99_999 // more than headcount: invalid
    })

    // Pushed ten days before the deadline.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2024-01-20T10:00:00Z'))
    const first = await pushClusterReturns(cluster.db, {
      clusterCode: 'matrix',
      quarter: QUARTER,
      hubUrl,
      token: hubToken,
    })
    expect(first).toMatchObject({ outcome: 'accepted', httpStatus: 201, organisations: 3 })
    // A retry of the same push is answered from the hub's record: no new versions.
    const retry = await pushClusterReturns(cluster.db, {
      clusterCode: 'matrix',
      quarter: QUARTER,
      hubUrl,
      token: hubToken,
    })
    expect(retry.outcome).toBe('accepted')

    // After the deadline the cluster adds a return for IPO and pushes again.
    vi.setSystemTime(new Date('2024-02-10T10:00:00Z'))
    await generate('intellectual-property-office')
    const second = await pushClusterReturns(cluster.db, {
      clusterCode: 'matrix',
      quarter: QUARTER,
      hubUrl,
      token: hubToken,
    })
    expect(second).toMatchObject({ outcome: 'accepted', organisations: 4 })
    vi.useRealTimers()

    const { view, statuses } = await hubView()
    expect(statuses.dsit).toBe('received')
    expect(statuses['met-office']).toBe('received')
    expect(statuses.ukri).toBe('invalid')
    expect(statuses['intellectual-property-office']).toBe('late')
    const matrixView = view.clusters.find((c) => c.code === 'matrix')!
    expect(matrixView.counts.missing).toBe(matrix.length - 4)
    expect(matrixView.organisations.find((o) => o.code === 'dsit')!.source).toBe('cluster-push')
    // Every other cluster sent nothing.
    for (const other of view.clusters.filter((c) => c.code !== 'matrix'))
      expect(other.counts.received + other.counts.late + other.counts.invalid).toBe(0)
    // Versions on the hub: the retry added none; the second push added one per organisation.
    const versions = await asOwner<{ code: string; n: number }>(
      hub.db,
      `select o.code, count(*)::int as n from programme_return_versions v join organisations o on o.id = v.org_id where v.quarter = '${QUARTER}' group by o.code order by o.code`,
    )
    expect(Object.fromEntries(versions.map((row) => [row.code, row.n]))).toEqual({
      dsit: 2,
      'intellectual-property-office': 1,
      'met-office': 2,
      ukri: 2,
    })
    // The hub page shows the same.
    const analyst = await signIn(hub.app, 'programme.analyst@gss.example')
    const page = await hub.app.inject({
      method: 'GET',
      url: `/programme/returns?quarter=${QUARTER}`,
      headers: { cookie: analyst.cookie },
    })
    expect(page.body).toContain('data-org="ukri" data-status="invalid"')
    expect(page.body).toContain('data-org="intellectual-property-office" data-status="late"')
    // The cluster side recorded its pushes.
    const pushes = await asOwner<{ outcome: string; organisations: number }>(
      cluster.db,
      `select outcome, organisations from programme_hub_pushes where quarter = '${QUARTER}' order by pushed_at`,
    )
    expect(pushes.map((p) => `${p.outcome}:${p.organisations}`)).toEqual([
      'accepted:3',
      'accepted:3',
      'accepted:4',
    ])
  }, 120_000)

  it('refuses a push with an organisation outside the cluster, or from anyone but the lead’s submitter, recording nothing', async () => {
    const before = await asOwner<{ n: number }>(
      hub.db,
      'select count(*)::int as n from programme_return_versions',
    )
    const push = (token: string, returns: unknown[]) =>
      fetch(`${hubUrl}/api/v1/programme/clusters/matrix/returns`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ quarter: QUARTER, generatedAt: new Date().toISOString(), returns }),
      })
    const outsider = await push(hubToken, [
      sampleReturn('met-office', QUARTER),
      sampleReturn('hmrc', QUARTER),
    ])
    expect(outsider.status).toBe(422)
    expect(JSON.stringify(await outsider.json())).toContain(
      'hmrc is not an organisation of the matrix cluster',
    )
    const metToken = (
      await hub.services.auth.createToken(
        {
          userId: SUBMITTER,
          orgIds: [orgId('met-office')],
          actingOrgId: orgId('met-office'),
          requestId: 'test',
        },
        {
          userId: SUBMITTER,
          orgId: orgId('met-office'),
          roles: ['returns_submitter'],
          name: 'met',
          expiresAt: new Date(Date.now() + 86_400_000),
        },
      )
    ).token
    const notLead = await push(metToken, [sampleReturn('met-office', QUARTER)])
    expect(notLead.status).toBe(403)
    const after = await asOwner<{ n: number }>(
      hub.db,
      'select count(*)::int as n from programme_return_versions',
    )
    expect(after[0]!.n).toBe(before[0]!.n)
    // A push the hub refuses is recorded on the cluster side as rejected; an unreachable hub as failed.
    const refused = await pushClusterReturns(cluster.db, {
      clusterCode: 'matrix',
      quarter: QUARTER,
      hubUrl,
      token: 'not-a-token',
    })
    expect(refused).toMatchObject({ outcome: 'rejected', httpStatus: 401 })
    const failed = await pushClusterReturns(cluster.db, {
      clusterCode: 'matrix',
      quarter: QUARTER,
      hubUrl: 'http://127.0.0.1:1',
      token: hubToken,
      timeoutMs: 5000,
    })
    expect(failed).toMatchObject({ outcome: 'failed', httpStatus: null })
  }, 60_000)

  // The command line opens the database named by DATABASE_URL: on PostgreSQL the test points it
  // at the cluster's database (PGlite's in-memory database is not reachable from a second open).
  it.runIf(engineUnderTest === 'postgres')(
    '`gss programme push` pushes from the command line',
    async () => {
      const { main } = await import('../../cli/main.ts')
      const saved = { ...process.env }
      const out: string[] = []
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out.push(String(chunk))
        return true
      })
      try {
        process.env.DATABASE_URL = cluster.config.databaseUrl
        process.env.GSS_HUB_URL = hubUrl
        process.env.GSS_HUB_TOKEN = hubToken
        await main(['node', 'gss', 'programme', 'push', '--quarter', QUARTER, '--cluster', 'matrix'])
      } finally {
        write.mockRestore()
        process.env = saved
      }
      expect(out.join('')).toMatch(/Push of 4 return\(s\) for matrix 2023-Q3: accepted \(HTTP 201\)/)
      const pushes = await asOwner<{ n: number }>(
        cluster.db,
        `select count(*)::int as n from programme_hub_pushes where quarter = '${QUARTER}' and outcome = 'accepted'`,
      )
      expect(pushes[0]!.n).toBe(4)
    },
    60_000,
  )
})
