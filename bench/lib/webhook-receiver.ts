// A webhook receiver in its own process for the webhooks benchmark: accepts every delivery with
// 204, de-duplicates on GSS-Event-Id (as receivers must), and records end-to-end latency: the time
// from the event's occurredAt (its transaction's start) to its arrival here. Talks to its parent
// over IPC: sends { ready: port }, answers { report: true } with counts and latencies.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

const seen = new Set<string>()
let latencies: number[] = []
let duplicates = 0
let firstAt = 0
let lastAt = 0

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    const now = Date.now()
    const id = String(request.headers['gss-event-id'])
    if (seen.has(id)) duplicates++
    else {
      seen.add(id)
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { occurredAt: string }
      latencies.push(now - Date.parse(body.occurredAt))
      if (firstAt === 0) firstAt = now
      lastAt = now
    }
    response.writeHead(204).end()
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  process.send?.({ ready: (server.address() as AddressInfo).port })
})

process.on('message', (message: { report?: boolean; reset?: boolean }) => {
  if (message.report) process.send?.({ received: seen.size, duplicates, latencies, firstAt, lastAt })
  if (message.reset) {
    seen.clear()
    latencies = []
    duplicates = 0
    firstAt = 0
    lastAt = 0
    process.send?.({ reset: true })
  }
})
process.on('disconnect', () => server.close(() => process.exit(0)))
