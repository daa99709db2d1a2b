// CPU time used by the processes under test, from /proc (Linux). CPU per request is much steadier
// than requests a second on a shared machine: other work slows the clock, not the work per request.
import pg from 'pg'
import { processCpuMs } from './stats.ts'

/** CPU ms used so far by each process measured, by pid; undefined where /proc cannot tell. */
export type CpuReading = Map<number, number> | undefined

export interface CpuMeter {
  read(): Promise<CpuReading>
  close(): Promise<void>
}

/** CPU ms used between two readings (a process that appeared in between counts in full). */
export function cpuBetween(before: CpuReading, after: CpuReading): number | undefined {
  if (!before || !after) return undefined
  let total = 0
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0)
  return total
}

/** One process, e.g. the server. */
export function processMeter(pid: number): CpuMeter {
  return {
    read: async () => {
      const ms = processCpuMs(pid)
      return ms === undefined ? undefined : new Map([[pid, ms]])
    },
    close: async () => {},
  }
}

/**
 * The PostgreSQL backends serving one database, found through pg_stat_activity from a connection
 * to another database (so the meter's own backend is not counted). Only when the server runs on
 * this machine; otherwise read() gives undefined.
 */
export async function postgresMeter(serverUrl: string, database: string): Promise<CpuMeter> {
  const host = new URL(serverUrl).hostname
  const local = ['127.0.0.1', 'localhost', '[::1]', '::1', ''].includes(host)
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  return {
    read: async () => {
      if (!local) return undefined
      const { rows } = await client.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = $1',
        [database],
      )
      const reading = new Map<number, number>()
      for (const { pid } of rows) {
        const ms = processCpuMs(pid)
        if (ms === undefined) return undefined
        reading.set(pid, ms)
      }
      return reading
    },
    close: () => client.end(),
  }
}
