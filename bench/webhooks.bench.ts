// Webhook delivery: sustained delivery of events to a local receiver (its own process) at the
// issue's target rate, with end-to-end latency from the event's transaction to its arrival; and
// whether the outbox keeps up while journals are posted as fast as one connection can post them.
// The dispatcher runs in this process, as it does inside `gss serve`.
import { fork } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import '../src/platform/tables.ts'
import '../src/orgs/tables.ts'
import '../src/finance/tables.ts'
import '../src/interop/tables.ts'
import { seedDemo } from '../src/demo/seed.ts'
import { type JournalInput, LedgerService } from '../src/finance/ledger.ts'
import { Dispatcher } from '../src/interop/dispatcher.ts'
import { WebhooksService } from '../src/interop/webhooks.ts'
import { Database, type TenantContext } from '../src/platform/db/index.ts'
import { migrate } from '../src/platform/db/migrate.ts'
import { orgId } from '../src/platform/ids.ts'
import { createServerDatabase } from '../src/platform/testing.ts'
import { summarise } from './lib/stats.ts'
import type { BenchContext, EngineTarget, ResultRow } from './lib/types.ts'

export const description =
  'Webhooks: sustained delivery at 2,000 events/s to a receiver in another process (throughput, p50/p99 end-to-end latency), and outbox lag while posting journals flat out'

const BENCHMARK = 'webhooks'
const TARGET_RATE = 2000
const ENTITIES = 500
const ORG = orgId('cabinet-office')
const AS_ORG: TenantContext = { userId: null, orgIds: [ORG], actingOrgId: ORG, requestId: 'bench' }

interface ReceiverReport {
  received: number
  duplicates: number
  latencies: number[]
  firstAt: number
  lastAt: number
}

function startReceiver() {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'webhook-receiver.ts')
  const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const next = <T>(predicate: (message: Record<string, unknown>) => boolean) =>
    new Promise<T>((resolve) => {
      const listener = (message: Record<string, unknown>) => {
        if (!predicate(message)) return
        child.off('message', listener)
        resolve(message as T)
      }
      child.on('message', listener)
    })
  const ready = next<{ ready: number }>((message) => 'ready' in message)
  return {
    port: ready.then((message) => message.ready),
    report: () => {
      const answer = next<ReceiverReport>((message) => 'received' in message)
      child.send({ report: true })
      return answer
    },
    reset: () => {
      const answer = next((message) => 'reset' in message)
      child.send({ reset: true })
      return answer
    },
    stop: () => child.disconnect(),
  }
}

async function openDatabase(target: EngineTarget) {
  if (target.engine === 'pglite') return { db: await Database.openEmbedded(undefined), drop: async () => {} }
  const fresh = await createServerDatabase(target.serverUrl, 'gss_bench_webhooks')
  const db = await Database.open({
    engine: 'postgres',
    databaseUrl: fresh.url,
    databaseAdminUrl: undefined,
    dataDir: '',
  })
  return { db, drop: fresh.drop }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(receiver: ReturnType<typeof startReceiver>, count: number, timeoutMs: number) {
  const started = Date.now()
  for (;;) {
    const report = await receiver.report()
    if (report.received >= count || Date.now() - started > timeoutMs) return report
    await sleep(100)
  }
}

export default async function run(context: BenchContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = []
  const seconds = context.quick ? 3 : Math.max(5, context.durationSec)
  for (const target of context.engines) {
    const engine = target.engine
    context.log(`webhooks: ${engine}: migrating and seeding a fresh database`)
    const { db, drop } = await openDatabase(target)
    const receiver = startReceiver()
    const dispatcher = new Dispatcher(db, { nodeId: 'bench', idleMs: 20, batchSize: 1000, concurrency: 32 })
    try {
      await migrate(db)
      await seedDemo(db)
      const port = await receiver.port
      const webhooks = new WebhooksService({ allowPlainHttp: true })
      await db.transaction(AS_ORG, (trx) =>
        webhooks.create(
          trx,
          ORG,
          { url: `http://127.0.0.1:${port}/hook`, eventTypes: ['journal.posted'] },
          null,
        ),
      )
      dispatcher.start()

      // 1. Sustained: TARGET_RATE events a second, in ticks of 100 ms, over ENTITIES entities.
      context.log(`webhooks: ${engine}: producing ${TARGET_RATE} events/s for ${seconds} s`)
      const perTick = TARGET_RATE / 10
      const started = Date.now()
      let produced = 0
      for (let tick = 0; tick < seconds * 10; tick++) {
        await sql`
          insert into events (org_id, type, entity_type, entity_id, payload)
          select ${ORG}, 'journal.posted', 'journal', 'bench-' || ((${produced} + g) % ${ENTITIES}),
            jsonb_build_object('journalId', gen_random_uuid(), 'journalDate', current_date, 'fiscalYear', 2026,
              'period', 8, 'description', 'Benchmark event ' || (${produced} + g), 'source', 'api',
              'reference', null, 'reversesJournalId', null, 'lineCount', 2, 'totalDebitPence', 12345)
          from generate_series(1, ${perTick}) g`.execute(db.admin)
        produced += perTick
        const due = started + (tick + 1) * 100
        if (due > Date.now()) await sleep(due - Date.now())
      }
      const windowEnd = Date.now()
      const atWindowEnd = await receiver.report()
      const final = await waitFor(receiver, produced, 60_000)
      const latency = summarise(final.latencies)
      const windowSeconds = (windowEnd - started) / 1000
      const delivered = atWindowEnd.received / windowSeconds
      context.log(
        `webhooks: ${engine}: produced ${produced} in ${windowSeconds.toFixed(1)} s; delivered ${delivered.toFixed(0)}/s in the window; p99 ${latency.p99} ms; all ${final.received === produced ? 'arrived' : `NOT arrived (${final.received})`}`,
      )
      rows.push(
        {
          benchmark: BENCHMARK,
          scenario: 'sustained',
          engine,
          metric: 'delivered events/s',
          value: Math.round(delivered),
          unit: 'events/s',
          ratio: Number((delivered / TARGET_RATE).toFixed(3)),
          ratioOf: `the ${TARGET_RATE} events/s produced`,
        },
        {
          benchmark: BENCHMARK,
          scenario: 'sustained',
          engine,
          metric: 'latency p50',
          value: latency.p50,
          unit: 'ms',
        },
        {
          benchmark: BENCHMARK,
          scenario: 'sustained',
          engine,
          metric: 'latency p99',
          value: latency.p99,
          unit: 'ms',
        },
        {
          benchmark: BENCHMARK,
          scenario: 'sustained',
          engine,
          metric: 'events lost',
          value: produced - final.received,
          unit: 'events',
        },
      )
      await receiver.reset()

      // 2. Posting flat out (batches of 50 journals of 4 lines) while the dispatcher delivers.
      context.log(`webhooks: ${engine}: posting journals for ${seconds} s with the dispatcher running`)
      const ledger = new LedgerService()
      const date = new Date().toISOString().slice(0, 10)
      const batch: JournalInput[] = Array.from({ length: 50 }, (_, i) => ({
        date,
        description: `Benchmark posting ${i}`,
        source: 'api',
        lines: [
          { accountCode: '52100000', costCentreCode: 'CORP', amountMinor: 10_000 + i },
          { accountCode: '52600000', costCentreCode: 'CORP', amountMinor: 5_000 },
          { accountCode: '13400000', amountMinor: 3_000 },
          { accountCode: '21100000', amountMinor: -(18_000 + i) },
        ],
      }))
      const postStarted = Date.now()
      let journals = 0
      while (Date.now() - postStarted < seconds * 1000) {
        await db.transaction(AS_ORG, (trx) => ledger.postJournals(trx, ORG, batch, null))
        journals += batch.length
      }
      const postSeconds = (Date.now() - postStarted) / 1000
      const atPostEnd = await receiver.report()
      const drainStarted = Date.now()
      const drained = await waitFor(receiver, journals, 120_000)
      const drainSeconds = (Date.now() - drainStarted) / 1000
      const postLatency = summarise(drained.latencies)
      context.log(
        `webhooks: ${engine}: posted ${journals} journals (${((journals * 4) / postSeconds).toFixed(0)} lines/s); lag at the end ${journals - atPostEnd.received} events, drained in ${drainSeconds.toFixed(1)} s; p99 ${postLatency.p99} ms`,
      )
      rows.push(
        {
          benchmark: BENCHMARK,
          scenario: 'while posting',
          engine,
          metric: 'posting lines/s',
          value: Math.round((journals * 4) / postSeconds),
          unit: 'lines/s',
        },
        {
          benchmark: BENCHMARK,
          scenario: 'while posting',
          engine,
          metric: 'events delivered/s',
          value: Math.round(atPostEnd.received / postSeconds),
          unit: 'events/s',
          ratio: Number((atPostEnd.received / journals).toFixed(3)),
          ratioOf: 'events produced by the posting',
        },
        {
          benchmark: BENCHMARK,
          scenario: 'while posting',
          engine,
          metric: 'lag when posting stopped',
          value: journals - atPostEnd.received,
          unit: 'events',
        },
        {
          benchmark: BENCHMARK,
          scenario: 'while posting',
          engine,
          metric: 'drain time',
          value: drainSeconds,
          unit: 's',
        },
        {
          benchmark: BENCHMARK,
          scenario: 'while posting',
          engine,
          metric: 'latency p99',
          value: postLatency.p99,
          unit: 'ms',
        },
      )
      context.meta[`webhooks.${engine}`] = {
        produced,
        entities: ENTITIES,
        journals,
        duplicates: drained.duplicates,
      }
    } finally {
      await dispatcher.stop()
      receiver.stop()
      await db.close()
      await drop()
    }
  }
  return rows
}
