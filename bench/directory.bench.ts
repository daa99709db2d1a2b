// The organisation directory API under load, on each engine: requests a second, latency
// percentiles and CPU per request of the directory (a 1:1 mix of the first page of organisations
// and one organisation's detail, every organisation in turn) and of the cluster list, each beside
// GET /health (the floor) and GET /api/v1/me (the floor plus token resolution) on the same server
// in the same run. The server (the real app from buildApp over the seeded demo world) and the load
// generator (autocannon) run in separate processes; see docs/PERFORMANCE.md.

import { type CpuMeter, cpuBetween, postgresMeter, processMeter } from './lib/cpu.ts'
import type { LoadResult } from './lib/load.ts'
import { type LoadGenerator, type RunningServer, startLoadGenerator, startServer } from './lib/processes.ts'
import { BENCH_ORG, BENCH_ROLE, BENCH_USER, SERVER_ENV } from './lib/settings.ts'
import { processRssMiB, summarise } from './lib/stats.ts'
import type { BenchContext, Engine, EngineTarget, ResultRow } from './lib/types.ts'

export const description =
  'Directory API reads (organisations list + detail mix, clusters) under load: req/s, latency, CPU per request, each relative to GET /health on the same server'

const BENCHMARK = 'directory'
const LIST_PATH = '/api/v1/organisations?limit=100'

interface Scenario {
  name: string
  /** Whether requests carry the bearer token. /health is public: a token there would be resolved for nothing. */
  authenticated: boolean
  requests(server: RunningServer): Array<{ path: string; label: string }>
}

const SCENARIOS: Scenario[] = [
  {
    // The floor: every onRequest hook, helmet, the rate limiter's allow-list, one `select 1`, no auth.
    name: 'health',
    authenticated: false,
    requests: () => [{ path: '/health', label: 'health' }],
  },
  {
    // The floor plus authentication: resolving the bearer token (its own transaction: the token,
    // the user's grants) and answering from the principal, with no query of its own.
    name: 'me',
    authenticated: true,
    requests: () => [{ path: '/api/v1/me', label: 'me' }],
  },
  {
    // What a directory client does: list, open one, list, open the next.
    name: 'directory',
    authenticated: true,
    requests: (server) =>
      server.organisationCodes.flatMap((code) => [
        { path: LIST_PATH, label: 'list' },
        { path: `/api/v1/organisations/${encodeURIComponent(code)}`, label: 'detail' },
      ]),
  },
  {
    name: 'clusters',
    authenticated: true,
    requests: () => [{ path: '/api/v1/clusters', label: 'clusters' }],
  },
]

async function getJson(server: RunningServer, path: string, authenticated = true): Promise<unknown> {
  const response = await fetch(server.url + path, {
    headers: authenticated ? { authorization: `Bearer ${server.token}` } : {},
  })
  const body = await response.text()
  if (response.status !== 200)
    throw new Error(`GET ${path} answered ${response.status} before the load began: ${body.slice(0, 500)}`)
  return JSON.parse(body)
}

/** Checks every URL the load will use answers 200 with the expected data, so a fast error page is never measured. */
async function checkServer(server: RunningServer, engine: Engine): Promise<void> {
  const health = (await getJson(server, '/health', false)) as { status: string; engine: string }
  if (health.status !== 'ok' || health.engine !== engine)
    throw new Error(`/health says ${JSON.stringify(health)}`)
  const me = (await getJson(server, '/api/v1/me')) as { email: string; via: string }
  if (me.email !== BENCH_USER || me.via !== 'token') throw new Error(`/api/v1/me says ${JSON.stringify(me)}`)
  const page = (await getJson(server, LIST_PATH)) as { items: Array<{ code: string }>; total: number }
  const expected = Math.min(100, server.organisationCodes.length)
  if (page.items.length !== expected || page.total !== server.organisationCodes.length) {
    throw new Error(
      `${LIST_PATH} gave ${page.items.length} items of ${page.total}; expected ${expected} of ${server.organisationCodes.length}`,
    )
  }
  for (const code of server.organisationCodes) {
    const detail = (await getJson(server, `/api/v1/organisations/${encodeURIComponent(code)}`)) as {
      code: string
    }
    if (detail.code !== code) throw new Error(`/api/v1/organisations/${code} answered for ${detail.code}`)
  }
  const clusters = (await getJson(server, '/api/v1/clusters')) as unknown[]
  if (clusters.length !== server.clusterCodes.length)
    throw new Error(`/api/v1/clusters gave ${clusters.length} clusters`)
}

/** One measured run of one scenario: a slice of a round. */
interface ScenarioRun {
  result: LoadResult
  serverCpuMs: number | undefined
  databaseCpuMs: number | undefined
  /** Whether the database runs outside the server process (PostgreSQL) and was metered. */
  measuresDatabase: boolean
}

const plus = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a + b

interface Meters {
  server: CpuMeter
  /** PostgreSQL's backends for this server's database; none on PGlite (the database is in the server). */
  database: CpuMeter | undefined
}

async function runScenario(
  load: LoadGenerator,
  server: RunningServer,
  meters: Meters,
  scenario: Scenario,
  context: BenchContext,
  durationSec: number,
): Promise<ScenarioRun> {
  const serverBefore = await meters.server.read()
  const databaseBefore = await meters.database?.read()
  const result = await load.run({
    url: server.url,
    connections: context.connections,
    durationSec,
    headers: scenario.authenticated ? { authorization: `Bearer ${server.token}` } : {},
    requests: scenario.requests(server),
  })
  const serverAfter = await meters.server.read()
  const databaseAfter = await meters.database?.read()
  return {
    result,
    serverCpuMs: cpuBetween(serverBefore, serverAfter),
    databaseCpuMs: cpuBetween(databaseBefore, databaseAfter),
    measuresDatabase: meters.database !== undefined,
  }
}

function failures(run: ScenarioRun): string | undefined {
  const { non2xx, errors, timeouts, statusCodes } = run.result
  if (non2xx + errors + timeouts === 0) return undefined
  return `non-2xx ${non2xx}, connection errors ${errors}, timeouts ${timeouts}, status codes ${JSON.stringify(statusCodes)}`
}

/**
 * Requests a second in the steady state: responses after the first, over the time from the first
 * response to the last. (Counting over the whole run would charge each run one latency of start-up,
 * which is more for slow endpoints than for fast ones.)
 */
function throughput(runs: ScenarioRun[]): number {
  const responses = runs.reduce((sum, run) => sum + run.result.responses - 1, 0)
  const seconds = runs.reduce((sum, run) => sum + run.result.spanMs / 1000, 0)
  return responses / seconds
}

/** CPU ms per response over some runs; undefined when a meter could not read. */
function cpuPerRequest(
  runs: ScenarioRun[],
  which: 'serverCpuMs' | 'databaseCpuMs' | 'total',
): number | undefined {
  let cpu = 0
  for (const run of runs) {
    const ms =
      which === 'total' ? plus(run.serverCpuMs, run.measuresDatabase ? run.databaseCpuMs : 0) : run[which]
    if (ms === undefined) return undefined
    cpu += ms
  }
  return cpu / runs.reduce((sum, run) => sum + run.result.responses, 0)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * A figure relative to the same figure for /health, round by round (each round runs every scenario
 * back to back), then the median over rounds: a slow spell on a shared machine moves both figures of
 * a round together, and one bad round does not move the median.
 */
function relative(
  runs: ScenarioRun[],
  health: ScenarioRun[],
  figure: (runs: ScenarioRun[]) => number | undefined,
): { value: number; range: [number, number] } | undefined {
  const ratios: number[] = []
  for (let round = 0; round < runs.length; round++) {
    const mine = figure([runs[round]!])
    const floor = figure([health[round]!])
    if (mine === undefined || floor === undefined || floor === 0) return undefined
    ratios.push(mine / floor)
  }
  return { value: median(ratios), range: [Math.min(...ratios), Math.max(...ratios)] }
}

async function measureEngine(
  context: BenchContext,
  load: LoadGenerator,
  server: RunningServer,
  target: EngineTarget,
): Promise<ResultRow[]> {
  const engine = target.engine
  await checkServer(server, engine)
  const meters: Meters = {
    server: processMeter(server.pid),
    database:
      target.engine === 'postgres' ? await postgresMeter(target.serverUrl, server.database) : undefined,
  }
  try {
    // Warm-up: JIT, connection pools, PostgreSQL's catalogue caches. Not measured, but errors here
    // still fail the run. (--quick has none: checkServer has already made every request once.)
    for (const scenario of context.warmupSec > 0 ? SCENARIOS : []) {
      context.log(`  ${engine}: warming up ${scenario.name} (${context.warmupSec} s)`)
      const run = await runScenario(load, server, meters, scenario, context, context.warmupSec)
      const failed = failures(run)
      if (failed)
        throw new Error(`${engine} ${scenario.name} failed during warm-up: ${failed}\n${server.output()}`)
    }
    // Measured: interleaved rounds (health, me, directory, clusters, health, ...), so that a slow
    // spell on a shared machine falls on every scenario rather than on one.
    const runs = new Map<string, ScenarioRun[]>(SCENARIOS.map((scenario) => [scenario.name, []]))
    const perRound = context.durationSec / context.rounds
    context.log(`  ${engine}: measuring ${context.rounds} round(s) of ${perRound} s per scenario`)
    for (let round = 1; round <= context.rounds; round++) {
      for (const scenario of SCENARIOS) {
        runs.get(scenario.name)!.push(await runScenario(load, server, meters, scenario, context, perRound))
      }
    }

    const failed = [...runs].flatMap(([name, list]) =>
      list
        .map(failures)
        .filter(Boolean)
        .map((detail) => `${name}: ${detail}`),
    )
    if (failed.length > 0) {
      throw new Error(
        `${engine}: requests failed under load, so the figures would be meaningless.\n${failed.join('\n')}\n--- server output ---\n${server.output()}`,
      )
    }

    const rows: ResultRow[] = []
    const row = (
      scenario: string,
      metric: string,
      value: number,
      unit: string,
      ratio?: { value: number; range: [number, number] } | undefined,
      ratioOf?: string,
    ) =>
      rows.push({
        benchmark: BENCHMARK,
        scenario,
        engine,
        metric,
        value,
        unit,
        ...(ratio && ratioOf ? { ratio: ratio.value, ratioRange: ratio.range, ratioOf } : {}),
      })
    const health = runs.get('health')!
    for (const scenario of SCENARIOS) {
      const list = runs.get(scenario.name)!
      const isHealth = scenario.name === 'health'
      const latencies = (label?: string) =>
        list.flatMap((run) =>
          Object.entries(run.result.latencies)
            .filter(([name]) => label === undefined || name === label)
            .flatMap(([, values]) => values),
        )
      const all = summarise(latencies())
      row(
        scenario.name,
        'throughput',
        throughput(list),
        'req/s',
        isHealth ? undefined : relative(list, health, throughput),
        'health req/s (median of per-round ratios)',
      )
      row(scenario.name, 'latency p50', all.p50, 'ms')
      row(scenario.name, 'latency p90', all.p90, 'ms')
      row(scenario.name, 'latency p99', all.p99, 'ms')
      row(scenario.name, 'latency max', all.max, 'ms')
      row(scenario.name, 'requests', all.count, 'count')
      row(scenario.name, 'errors + non-2xx', 0, 'count')
      const bytes = list.reduce((sum, run) => sum + run.result.bytes, 0)
      row(scenario.name, 'response size incl. headers', bytes / all.count, 'bytes')
      // CPU per response, all of it: the server process (which on PGlite includes the database)
      // plus, on PostgreSQL, the backends serving this database. Other work on the machine slows
      // the clock far more than it changes this, so it is the steadiest figure on a shared machine.
      const cpu = cpuPerRequest(list, 'total')
      if (cpu !== undefined) {
        row(
          scenario.name,
          'CPU per request',
          cpu * 1000,
          'µs',
          isHealth ? undefined : relative(list, health, (some) => cpuPerRequest(some, 'total')),
          'health CPU per request (median of per-round ratios)',
        )
      }
      if (meters.database) {
        const serverCpu = cpuPerRequest(list, 'serverCpuMs')
        const databaseCpu = cpuPerRequest(list, 'databaseCpuMs')
        if (serverCpu !== undefined) row(scenario.name, 'CPU per request: server', serverCpu * 1000, 'µs')
        if (databaseCpu !== undefined)
          row(scenario.name, 'CPU per request: PostgreSQL', databaseCpu * 1000, 'µs')
      }
      const labels = [...new Set(list.flatMap((run) => Object.keys(run.result.latencies)))]
      if (labels.length > 1) {
        const total = throughput(list)
        for (const label of labels) {
          const part = summarise(latencies(label))
          row(`${scenario.name}:${label}`, 'throughput', (total * part.count) / all.count, 'req/s')
          row(`${scenario.name}:${label}`, 'latency p50', part.p50, 'ms')
          row(`${scenario.name}:${label}`, 'latency p99', part.p99, 'ms')
        }
      }
    }
    const rss = processRssMiB(server.pid)
    if (rss !== undefined) row('server', 'RSS after load', rss, 'MiB')
    return rows
  } finally {
    await meters.database?.close()
  }
}

export default async function directory(context: BenchContext): Promise<ResultRow[]> {
  context.meta.server = {
    env: SERVER_ENV,
    token: { user: BENCH_USER, org: BENCH_ORG, roles: [BENCH_ROLE] },
    scenarios: {
      health: 'GET /health without a token',
      me: 'GET /api/v1/me (token resolution, no query of its own)',
      directory: `GET ${LIST_PATH} and GET /api/v1/organisations/<code> alternately, every organisation in turn`,
      clusters: 'GET /api/v1/clusters',
    },
  }
  const startupMs: Record<string, number> = {}
  context.meta.startupMs = startupMs
  const rows: ResultRow[] = []
  // One load generator for every engine; it starts while the first server does.
  const load = startLoadGenerator()
  try {
    for (const target of context.engines) {
      context.log(`${BENCHMARK}: starting the server on ${target.engine}`)
      const server = await startServer(target)
      try {
        context.log(
          `${BENCHMARK}: ${target.engine} server ready in ${server.startupMs} ms (${server.organisationCodes.length} organisations)`,
        )
        startupMs[target.engine] = server.startupMs
        context.meta.organisations = server.organisationCodes.length
        rows.push(...(await measureEngine(context, load, server, target)))
      } finally {
        await server.stop()
      }
    }
  } finally {
    await load.stop()
  }
  return rows
}
