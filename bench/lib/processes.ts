// Starting and stopping the processes a benchmark needs: the server under test (bench/lib/server.ts)
// on a fresh database, and the load generator (bench/lib/load.ts). Everything started here is
// stopped by stopAll(), which the harness also calls on Ctrl-C, so no server or database is left.
import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import type { LoadFailure, LoadRequest, LoadResult } from './load.ts'
import type { ServerReady } from './server.ts'
import { SERVER_ENV } from './settings.ts'
import type { EngineTarget } from './types.ts'

const LIB_DIR = path.dirname(fileURLToPath(import.meta.url))
export const ROOT_DIR = path.resolve(LIB_DIR, '../..')

const cleanups = new Set<() => Promise<void>>()

/** Stops every server and load generator still running and drops their databases. */
export async function stopAll(): Promise<void> {
  const pending = [...cleanups]
  cleanups.clear()
  await Promise.allSettled(pending.map((cleanup) => cleanup()))
}

/** Keeps the last part of a child's output, to show when it fails. */
function captureOutput(child: ChildProcess): () => string {
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  return () => output.trim()
}

async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  if (child.connected) child.disconnect()
  else child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/** The environment for a child: ours, without any GSS, OIDC or database settings of the caller's. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(GSS_|OIDC_|DATABASE_)/.test(name) || name === 'PORT' || name === 'HOST' || name === 'NODE_ENV')
      continue
    env[name] = value
  }
  return { ...env, ...extra }
}

/** Checks a PostgreSQL server URL can be reached; returns its version or the reason it cannot. */
export async function probePostgres(
  serverUrl: string,
): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    const { rows } = await client.query<{ server_version: string }>('show server_version')
    return { ok: true, version: rows[0]!.server_version }
  } catch (error) {
    return { ok: false, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message }
  } finally {
    await client.end().catch(() => {})
  }
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

export interface RunningServer extends ServerReady {
  /** Where its data lives: a temporary directory or a database name. */
  database: string
  output(): string
  stop(): Promise<void>
}

/**
 * Starts the real app on a fresh, seeded database of the given engine, in its own process.
 * `extraEnv` adds to the server's environment, e.g. GSS_BENCH_USER and GSS_BENCH_ROLE to make the
 * token for another demo user and role (bench/lib/server.ts).
 */
export async function startServer(
  target: EngineTarget,
  extraEnv: Record<string, string> = {},
): Promise<RunningServer> {
  let database: string
  let env: NodeJS.ProcessEnv
  let dispose: () => Promise<void>
  if (target.engine === 'postgres') {
    database = `gss_bench_${process.pid}_${randomBytes(4).toString('hex')}`
    await onServer(target.serverUrl, `create database ${database}`)
    const url = new URL(target.serverUrl)
    url.pathname = `/${database}`
    env = childEnv({ ...SERVER_ENV, ...extraEnv, DATABASE_URL: url.toString() })
    dispose = () => onServer(target.serverUrl, `drop database if exists ${database} with (force)`)
  } else {
    database = fs.mkdtempSync(path.join(os.tmpdir(), 'gss-bench-'))
    env = childEnv({ ...SERVER_ENV, ...extraEnv, GSS_DATA_DIR: database })
    dispose = async () => fs.rmSync(database, { recursive: true, force: true })
  }

  const child = fork(path.join(LIB_DIR, 'server.ts'), [], {
    cwd: ROOT_DIR,
    env,
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  const output = captureOutput(child)
  const stop = async () => {
    cleanups.delete(stop)
    await stopChild(child)
    await dispose()
  }
  cleanups.add(stop)

  try {
    const ready = await new Promise<ServerReady>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server did not start within 120 s')), 120_000)
      child.once('message', (message: ServerReady) => {
        clearTimeout(timer)
        resolve(message)
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`the server exited during start-up (${signal ?? `exit code ${code}`})`))
      })
    })
    return { ...ready, database, output, stop }
  } catch (error) {
    await stop()
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output()}`)
  }
}

export interface LoadGenerator {
  run(request: Omit<LoadRequest, 'type'>): Promise<LoadResult>
  stop(): Promise<void>
}

/** Starts a load-generator process; each run() is one autocannon run in it. */
export function startLoadGenerator(): LoadGenerator {
  const child = fork(path.join(LIB_DIR, 'load.ts'), [], {
    cwd: ROOT_DIR,
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  const output = captureOutput(child)
  const stop = async () => {
    cleanups.delete(stop)
    await stopChild(child, 5000)
  }
  cleanups.add(stop)
  return {
    stop,
    run: (request) =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null) =>
          reject(new Error(`the load generator exited (code ${code})\n${output()}`))
        child.once('exit', onExit)
        child.once('message', (message: LoadResult | LoadFailure) => {
          child.off('exit', onExit)
          if (message.type === 'error') reject(new Error(`the load generator failed: ${message.message}`))
          else resolve(message)
        })
        child.send({ type: 'run', ...request } satisfies LoadRequest)
      }),
  }
}
