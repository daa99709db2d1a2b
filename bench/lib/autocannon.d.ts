// The part of autocannon's API the load worker uses (autocannon ships no type declarations).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  export interface AutocannonRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
    /** Our own tag, read back from the client when its response arrives. */
    label?: string
  }

  export interface AutocannonOptions {
    url: string
    connections?: number
    pipelining?: number
    /** Seconds. */
    duration?: number
    /** Seconds before a request is counted as timed out. */
    timeout?: number
    headers?: Record<string, string>
    requests?: AutocannonRequest[]
  }

  export interface AutocannonResult {
    /** Seconds, to 10 ms. */
    duration: number
    errors: number
    timeouts: number
    mismatches: number
    non2xx: number
    resets: number
    '2xx': number
    statusCodeStats: Record<string, { count: number }>
    requests: { total: number; sent: number; average: number }
    throughput: { total: number }
  }

  /** The connection a response arrived on; its iterator still points at the request answered. */
  export interface AutocannonClient {
    requestIterator: { currentRequest: AutocannonRequest }
  }

  export interface AutocannonInstance extends EventEmitter {
    stop(): void
  }

  export default function autocannon(
    options: AutocannonOptions,
    callback: (error: Error | null, result: AutocannonResult) => void,
  ): AutocannonInstance
}
