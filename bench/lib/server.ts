// The server under test, run as its own process (spawned by bench/lib/server-control.ts). It does
// what `gss serve` does (src/cli/main.ts: load config from the environment, open the database,
// migrate, seed the demo world, buildApp, listen) and also makes an API token, then reports over
// IPC. `gss serve` plus `gss token create` is not used because the embedded database is held by one
// process at a time: the token has to be made by the process that serves.
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.ts'
import { seedDemo } from '../../src/demo/seed.ts'
import type { Role } from '../../src/platform/auth/permissions.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { Database, SYSTEM_CONTEXT } from '../../src/platform/db/index.ts'
import { migrate } from '../../src/platform/db/migrate.ts'
import '../../src/platform/tables.ts'
import '../../src/orgs/tables.ts'
import { BENCH_ORG, BENCH_ROLE, BENCH_USER } from './settings.ts'

export interface ServerReady {
  type: 'ready'
  url: string
  token: string
  engine: string
  organisationCodes: string[]
  clusterCodes: string[]
  startupMs: number
  pid: number
}

async function main(): Promise<void> {
  const started = performance.now()
  if (!process.send) throw new Error('bench/lib/server.ts must be started with an IPC channel')
  const config = loadConfig(process.env)
  const db = await Database.open(config)
  await migrate(db)
  await seedDemo(db)
  const { app, services } = await buildApp(config, db)

  // The token's user and role: the organisation admin unless the benchmark asks for another.
  const benchUser = process.env.GSS_BENCH_USER || BENCH_USER
  const benchRole = (process.env.GSS_BENCH_ROLE || BENCH_ROLE) as Role
  const user = await db.admin
    .selectFrom('users')
    .select('id')
    .where('email', '=', benchUser)
    .executeTakeFirstOrThrow()
  const org = await db.admin
    .selectFrom('organisations')
    .select('id')
    .where('code', '=', BENCH_ORG)
    .executeTakeFirstOrThrow()
  const { token } = await services.auth.createToken(
    { ...SYSTEM_CONTEXT, userId: user.id, orgIds: [org.id], actingOrgId: org.id, requestId: 'bench:token' },
    {
      userId: user.id,
      orgId: org.id,
      roles: [benchRole],
      name: 'benchmark',
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  )
  const organisationCodes = (
    await db.admin.selectFrom('organisations').select('code').orderBy('code').execute()
  ).map((r) => r.code)
  const clusterCodes = (await db.admin.selectFrom('clusters').select('code').orderBy('code').execute()).map(
    (r) => r.code,
  )

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await app.close()
    await db.close()
    process.exit(0)
  }
  process.on('disconnect', () => void stop())
  process.on('SIGTERM', () => void stop())
  process.on('SIGINT', () => void stop())

  await app.listen({ port: config.port, host: config.host })
  const { port } = app.server.address() as AddressInfo
  const ready: ServerReady = {
    type: 'ready',
    url: `http://127.0.0.1:${port}`,
    token,
    engine: db.engine,
    organisationCodes,
    clusterCodes,
    startupMs: Math.round(performance.now() - started),
    pid: process.pid,
  }
  process.send(ready)
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench server failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  )
  process.exit(1)
})
