// A crash between commit and delivery loses no event: `gss serve` (the real process, with its
// dispatcher) is killed with SIGKILL while a receiver is down and events are waiting; started
// again, it delivers every one of them. On the PostgreSQL server only: the embedded database
// belongs to the one process that opened it, so this test could not write to it meanwhile.
import { type ChildProcess, spawn } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import '../finance/tables.ts'
import './tables.ts'
import { LedgerService } from '../finance/ledger.ts'
import { Database, type TenantContext } from '../platform/db/index.ts'
import { orgId } from '../platform/ids.ts'
import { createServerDatabase } from '../platform/testing.ts'
import { WebhooksService } from './webhooks.ts'

const serverUrl = process.env.DATABASE_URL
const CO = orgId('cabinet-office')
const AS_CO: TenantContext = { userId: null, orgIds: [CO], actingOrgId: CO, requestId: 'test' }
const BIN = path.resolve(import.meta.dirname, '../../bin/gss.js')

let fresh: Awaited<ReturnType<typeof createServerDatabase>> | undefined
let db: Database | undefined
let receiver: http.Server
let receiverUrl = ''
let up = false
const received = new Set<string>()

function startGss(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: fresh!.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      GSS_WEBHOOKS: 'true',
      GSS_DEMO: 'true',
      GSS_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (output.includes('GSS is running')) resolve(child)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`gss serve exited with ${code}: ${output}`)))
    setTimeout(() => reject(new Error(`gss serve did not start: ${output}`)), 90_000)
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

beforeAll(async () => {
  if (!serverUrl) return
  fresh = await createServerDatabase(serverUrl, 'gss_test_crash')
  receiver = http.createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      if (!up) return void response.writeHead(503).end()
      received.add(String(request.headers['gss-event-id']))
      response.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
}, 120_000)

afterAll(async () => {
  await db?.close()
  await fresh?.drop()
  receiver?.close()
})

test.skipIf(!serverUrl)(
  'events committed before a SIGKILL are delivered after the restart, none lost',
  async () => {
    const port = 20000 + Math.floor(Math.random() * 20000)
    const first = await startGss(port)
    let child: ChildProcess | undefined = first
    try {
      db = await Database.open({
        engine: 'postgres',
        databaseUrl: fresh!.url,
        databaseAdminUrl: undefined,
        dataDir: '',
      })
      const webhooks = new WebhooksService({ allowPlainHttp: true })
      await db.transaction(AS_CO, (trx) =>
        webhooks.create(trx, CO, { url: receiverUrl, eventTypes: ['journal.posted'] }, null),
      )
      const date = new Date().toISOString().slice(0, 10)
      const posted = await db.transaction(AS_CO, (trx) =>
        new LedgerService().postJournals(
          trx,
          CO,
          Array.from({ length: 20 }, (_, i) => ({
            date,
            description: `Crash test ${i}`,
            lines: [
              { accountCode: '52100000', costCentreCode: 'CORP', amountMinor: 100 + i },
              { accountCode: '21100000', amountMinor: -(100 + i) },
            ],
          })),
          null,
        ),
      )
      // Wait until the running dispatcher has tried and failed (the receiver is down), then kill it.
      for (let i = 0; i < 200; i++) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from webhook_deliveries`.execute(
          db.admin,
        )
        if (rows[0]!.n > 0) break
        await sleep(50)
      }
      first.kill('SIGKILL')
      await new Promise((resolve) => first.once('exit', resolve))
      child = undefined
      expect(received.size).toBe(0)

      up = true
      child = await startGss(port)
      const ids = await sql<{
        id: string
      }>`select id from events where type = 'journal.posted' and entity_id = any(${posted.map((j) => j.id)})`.execute(
        db.admin,
      )
      expect(ids.rows).toHaveLength(20)
      for (let i = 0; i < 300 && received.size < 20; i++) await sleep(100)
      // Subscribed "from now": the demo world's earlier journals are not sent, only these 20.
      expect(received.size).toBe(20)
      for (const row of ids.rows) expect(received.has(row.id)).toBe(true)
    } finally {
      child?.kill('SIGKILL')
    }
  },
  180_000,
)
