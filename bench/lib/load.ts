// The load generator, run as its own process so that it does not share an event loop with the
// server under test. The parent sends { type: 'run', ... } over IPC; this process runs autocannon
// and answers with every response time (ms, fractional: autocannon's own histogram keeps whole
// milliseconds only) grouped by the request's label, when the first and last responses arrived,
// and the error counts.
import autocannon, { type AutocannonClient, type AutocannonRequest } from 'autocannon'

export interface LoadRequest {
  type: 'run'
  url: string
  connections: number
  durationSec: number
  headers: Record<string, string>
  /** Each connection cycles through these in order. */
  requests: Array<{ path: string; label: string }>
}

export interface LoadResult {
  type: 'result'
  durationSec: number
  /** Response times in ms by label, in arrival order. */
  latencies: Record<string, number[]>
  /** All responses, and the span (ms) from the first to the last: the steady-state window. */
  responses: number
  spanMs: number
  statusCodes: Record<string, number>
  non2xx: number
  errors: number
  timeouts: number
  mismatches: number
  resets: number
  bytes: number
}

export interface LoadFailure {
  type: 'error'
  message: string
}

function run(message: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: Record<string, number[]> = {}
    let responses = 0
    let firstAt = 0
    let lastAt = 0
    for (const request of message.requests) latencies[request.label] ??= []
    const requests: AutocannonRequest[] = message.requests.map((request) => ({
      method: 'GET',
      path: request.path,
      headers: message.headers,
      label: request.label,
    }))
    const instance = autocannon(
      {
        url: message.url,
        connections: message.connections,
        duration: message.durationSec,
        timeout: 10,
        requests,
      },
      (error, result) => {
        if (error) return reject(error)
        resolve({
          type: 'result',
          durationSec: result.duration,
          latencies,
          responses,
          spanMs: lastAt - firstAt,
          statusCodes: Object.fromEntries(
            Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
          ),
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          mismatches: result.mismatches,
          resets: result.resets,
          bytes: result.throughput.total,
        })
      },
    )
    instance.on(
      'response',
      (client: AutocannonClient, _status: number, _bytes: number, responseTime: number) => {
        lastAt = performance.now()
        if (responses++ === 0) firstAt = lastAt
        latencies[client.requestIterator.currentRequest.label ?? 'unlabelled']?.push(responseTime)
      },
    )
  })
}

if (!process.send) throw new Error('bench/lib/load.ts must be started with an IPC channel')
process.on('message', (message: LoadRequest) => {
  run(message).then(
    (result) => process.send!(result),
    (error: unknown) => process.send!({ type: 'error', message: String(error) } satisfies LoadFailure),
  )
})
process.on('disconnect', () => process.exit(0))
