// The `gss` command line: serve, migrate, demo, users, tokens, audit (and each domain's commands).
// Wrong arguments give a clear message and a non-zero exit; every command has --help.
import os from 'node:os'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { registerPayrollCommands } from '../payroll/cli.ts'
import { isRole, ROLES, type Role } from '../platform/auth/permissions.ts'
import { type Config, ENVIRONMENT_VARIABLES, loadConfig } from '../platform/config.ts'
import type { Database } from '../platform/db/index.ts'
import { MigrationError, migrate } from '../platform/db/migrate.ts'
import { AppError, ConfigError } from '../platform/errors.ts'
import { registerProgrammeGenerateCommand } from '../programme/cli.ts'
import { registerProgrammeCommands } from '../programme/push-cli.ts'
import '../platform/tables.ts'
import '../orgs/tables.ts'

// The application, the database drivers and argon2 load only for the commands that use them, so
// `--help` and argument errors answer at once.
const load = {
  app: () => import('../app.ts'),
  demo: () => import('../demo/seed.ts'),
  db: () => import('../platform/db/index.ts'),
  audit: () => import('../platform/audit.ts'),
  auth: () => import('../platform/auth/service.ts'),
  dispatcher: () => import('../interop/dispatcher.ts'),
}

/** A failure to report as one sentence, without a stack trace. */
class CliError extends Error {}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('must be a whole number of 1 or more')
  return Number(value)
}

async function openDatabase(config: Config): Promise<Database> {
  const { Database } = await load.db()
  const db = await Database.open(config)
  try {
    await migrate(db)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}

async function withDatabase<T>(fn: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const db = await openDatabase(config)
  try {
    return await fn(db, config)
  } finally {
    await db.close()
  }
}

async function printDemoAccounts(log: (line: string) => void): Promise<void> {
  const { DEMO_PASSWORD, DEMO_USERS } = await load.demo()
  log(`Demo sign-ins (password for all: ${DEMO_PASSWORD}):`)
  for (const user of DEMO_USERS) log(`  ${user.role.padEnd(20)} ${user.email}`)
}

async function serve(): Promise<void> {
  const started = performance.now()
  const config = loadConfig()
  const db = await openDatabase(config)
  let seeded = false
  if (config.demoOnEmpty) seeded = await (await load.demo()).seedDemo(db)
  const { app } = await (await load.app()).buildApp(config, db)
  // Webhooks go out from every app node that runs a dispatcher; leases keep nodes apart.
  const dispatcher = config.webhooks
    ? new (await load.dispatcher()).Dispatcher(db, {
        nodeId: `${os.hostname()}:${process.pid}`,
        logger: app.log,
      })
    : undefined
  const close = async (signal: string) => {
    process.stdout.write(`\nReceived ${signal}; stopping.\n`)
    await dispatcher?.stop()
    await app.close()
    await db.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void close('SIGINT'))
  process.once('SIGTERM', () => void close('SIGTERM'))
  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (error) {
    await db.close()
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE')
      throw new ConfigError(`PORT ${config.port} is already in use; set PORT to a free port.`)
    if (code === 'EACCES')
      throw new ConfigError(`PORT ${config.port} needs more privileges; set PORT to 1024 or above.`)
    throw error
  }
  dispatcher?.start()
  const where =
    config.engine === 'pglite'
      ? `embedded database in ${config.dataDir}`
      : 'PostgreSQL server at DATABASE_URL'
  const log = (line: string) => process.stdout.write(`${line}\n`)
  log(
    `GSS is running at ${config.baseUrl} (${where}; ready in ${Math.round(performance.now() - started)} ms).`,
  )
  if (seeded)
    log(
      'Seeded the demo world: five clusters, their departments and arm’s-length bodies, a user for every role, and their staff, money and orders.',
    )
  if (config.demoOnEmpty) await printDemoAccounts(log)
}

export function buildProgram(): Command {
  const program = new Command()
  program
    .name('gss')
    .description('GSS: an open platform for government shared services.')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nConfiguration (environment variables):\n${ENVIRONMENT_VARIABLES.map(([name, meaning]) => `  ${name.padEnd(28)} ${meaning}`).join('\n')}`,
    )

  program
    .command('serve')
    .description(
      'Start the web server (what `npm start` runs): migrates, seeds the demo world if empty, listens on PORT.',
    )
    .action(serve)

  program
    .command('migrate')
    .description('Apply pending database migrations.')
    .action(async () => {
      const config = loadConfig()
      const { Database } = await load.db()
      const db = await Database.open(config)
      try {
        const applied = await migrate(db)
        process.stdout.write(
          applied.length
            ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`
            : 'The database is up to date.\n',
        )
      } finally {
        await db.close()
      }
    })

  program
    .command('demo')
    .description(
      'Seed the demo world into an empty database; with --scale, grow a synthetic world of N employees.',
    )
    .option(
      '--scale <employees>',
      'add this many synthetic employees spread across the organisations',
      positiveInteger,
    )
    .action(async (options: { scale?: number }) => {
      await withDatabase(async (db) => {
        const { growDemo, seedDemo } = await load.demo()
        const seeded = await seedDemo(db)
        process.stdout.write(seeded ? 'Seeded the demo world.\n' : 'The demo world is already seeded.\n')
        if (options.scale) {
          const started = performance.now()
          const added = await growDemo(db, options.scale, undefined, (line) =>
            process.stderr.write(`  ${line}\n`),
          )
          process.stdout.write(
            `Added ${added} synthetic employees in ${Math.round(performance.now() - started)} ms.\n`,
          )
        }
        await printDemoAccounts((line) => process.stdout.write(`${line}\n`))
      })
    })

  const users = program.command('users').description('Manage user accounts.')
  users
    .command('add')
    .description('Add a user with roles on an organisation, a cluster or the whole platform.')
    .requiredOption('--email <email>', 'sign-in email address')
    .requiredOption('--name <name>', 'display name')
    .addOption(new Option('--role <role...>', 'role(s) to grant').choices(ROLES).makeOptionMandatory())
    .option('--org <code>', 'grant the roles on this organisation')
    .option('--cluster <code>', 'grant the roles on every organisation of this cluster')
    .option('--platform', 'grant the roles platform-wide')
    .option(
      '--password-stdin',
      'read the password from standard input (otherwise the account signs in by OIDC only)',
    )
    .action(
      async (options: {
        email: string
        name: string
        role: string[]
        org?: string
        cluster?: string
        platform?: boolean
        passwordStdin?: boolean
      }) => {
        const scopes = [options.org, options.cluster, options.platform].filter(Boolean).length
        if (scopes !== 1) throw new CliError('Give exactly one of --org, --cluster or --platform.')
        let password: string | undefined
        if (options.passwordStdin) {
          const chunks: Buffer[] = []
          for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
          password = Buffer.concat(chunks)
            .toString('utf8')
            .replace(/\r?\n$/, '')
        }
        await withDatabase(async (db, config) => {
          const auth = new (await load.auth()).AuthService(db, config)
          const id = await db.adminTransaction(async (trx) => {
            let orgId: string | undefined
            let clusterId: string | undefined
            if (options.org) {
              orgId = (
                await trx
                  .selectFrom('organisations')
                  .select('id')
                  .where('code', '=', options.org)
                  .executeTakeFirst()
              )?.id
              if (!orgId) throw new CliError(`There is no organisation with the code ${options.org}.`)
            }
            if (options.cluster) {
              clusterId = (
                await trx
                  .selectFrom('clusters')
                  .select('id')
                  .where('code', '=', options.cluster)
                  .executeTakeFirst()
              )?.id
              if (!clusterId) throw new CliError(`There is no cluster with the code ${options.cluster}.`)
            }
            return auth.addUser(trx, {
              email: options.email,
              displayName: options.name,
              password,
              memberships: options.role.filter(isRole).map((role) => ({ role, orgId, clusterId })),
            })
          }, 'cli:users-add')
          process.stdout.write(`Added user ${options.email} (${id}) with ${options.role.join(', ')}.\n`)
        })
      },
    )

  const token = program.command('token').description('Manage API bearer tokens.')
  token
    .command('create')
    .description(
      'Create an API token for a user, scoped to one organisation and some of the roles they hold there.',
    )
    .requiredOption('--user <email>', 'the user the token acts as')
    .requiredOption('--org <code>', 'the organisation the token may act for')
    .addOption(
      new Option('--role <role...>', 'role(s) the token carries (the user must hold them)')
        .choices(ROLES)
        .makeOptionMandatory(),
    )
    .option('--name <name>', 'what the token is for', 'API token')
    .option('--expires-in-days <days>', 'days until the token expires', positiveInteger, 90)
    .action(
      async (options: { user: string; org: string; role: Role[]; name: string; expiresInDays: number }) => {
        await withDatabase(async (db, config) => {
          const user = await db.admin
            .selectFrom('users')
            .select('id')
            .where('email', '=', options.user.toLowerCase())
            .executeTakeFirst()
          if (!user) throw new CliError(`There is no user with the email ${options.user}.`)
          const org = await db.admin
            .selectFrom('organisations')
            .select('id')
            .where('code', '=', options.org)
            .executeTakeFirst()
          if (!org) throw new CliError(`There is no organisation with the code ${options.org}.`)
          const expiresAt = new Date(Date.now() + options.expiresInDays * 86_400_000)
          const { AuthService } = await load.auth()
          const { SYSTEM_CONTEXT } = await load.db()
          const created = await new AuthService(db, config).createToken(
            {
              ...SYSTEM_CONTEXT,
              userId: user.id,
              orgIds: [org.id],
              actingOrgId: org.id,
              requestId: 'cli:token-create',
            },
            { userId: user.id, orgId: org.id, roles: options.role, name: options.name, expiresAt },
          )
          process.stdout.write(`${created.token}\n`)
          process.stderr.write(
            `Token ${created.id} expires ${expiresAt.toISOString()}. It is shown once; store it safely.\n`,
          )
        })
      },
    )
  token
    .command('revoke')
    .description('Revoke an API token by its id.')
    .argument('<id>', 'the token id printed when it was created')
    .action(async (id: string) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(`"${id}" is not a token id (a UUID).`)
      await withDatabase(async (db, config) => {
        const row = await db.admin
          .selectFrom('api_tokens')
          .select(['org_id', 'user_id'])
          .where('id', '=', id)
          .executeTakeFirst()
        if (!row) throw new CliError(`There is no token with the id ${id}.`)
        const { AuthService } = await load.auth()
        await new AuthService(db, config).revokeToken(
          {
            userId: row.user_id,
            orgIds: [row.org_id],
            actingOrgId: row.org_id,
            requestId: 'cli:token-revoke',
          },
          id,
        )
        process.stdout.write(`Revoked token ${id}.\n`)
      })
    })

  const audit = program.command('audit').description('Check the audit log.')
  audit
    .command('verify')
    .description('Recompute every audit hash chain and report the first broken link of each.')
    .action(async () => {
      await withDatabase(async (db) => {
        const result = await (await load.audit()).verifyAudit(db.admin)
        if (result.ok) {
          process.stdout.write(`Audit log intact: ${result.entries} entries in ${result.chains} chains.\n`)
          return
        }
        for (const link of result.broken) {
          process.stdout.write(`BROKEN chain ${link.orgId} at entry ${link.seq}: ${link.detail}\n`)
        }
        process.exitCode = 1
      })
    })

  const finance = program.command('finance').description('Finance tasks to run on a schedule.')
  finance
    .command('run-recurring')
    .description(
      'Post every recurring journal due on or before a date, for every organisation (each instance posts once).',
    )
    .option(
      '--as-of <date>',
      'post instances due on or before this date (YYYY-MM-DD)',
      new Date().toISOString().slice(0, 10),
    )
    .action(async (options: { asOf: string }) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(options.asOf))
        throw new CliError(`--as-of must be a date like 2026-04-30, not "${options.asOf}".`)
      await withDatabase(async (db) => {
        const { LedgerService } = await import('../finance/ledger.ts')
        const { RecurringJournals } = await import('../finance/recurring.ts')
        const recurring = new RecurringJournals(new LedgerService())
        const orgs = await db.admin
          .selectFrom('organisations')
          .select(['id', 'code'])
          .orderBy('code')
          .execute()
        let posted = 0
        const failures: string[] = []
        for (const org of orgs) {
          // One transaction per organisation: one body's closed period does not stop the others.
          try {
            const journals = await db.transaction(
              { userId: null, orgIds: [org.id], actingOrgId: org.id, requestId: 'cli:finance-run-recurring' },
              (trx) => recurring.runDue(trx, org.id, options.asOf, null),
            )
            posted += journals.length
          } catch (error) {
            failures.push(`${org.code}: ${(error as Error).message}`)
          }
        }
        process.stdout.write(`Posted ${posted} recurring journal(s) due by ${options.asOf}.\n`)
        for (const failure of failures) process.stderr.write(`gss: ${failure}\n`)
        if (failures.length > 0) process.exitCode = 1
      })
    })

  const events = program.command('events').description('Maintain the outbox of change events.')
  events
    .command('prune')
    .description(
      'Delete events older than the retention period that every active webhook subscription has received.',
    )
    .option('--older-than-days <days>', 'the retention period in days', positiveInteger, 400)
    .action(async (options: { olderThanDays: number }) => {
      await withDatabase(async (db) => {
        const { pruneEvents } = await import('../interop/retention.ts')
        const deleted = await pruneEvents(db.admin, options.olderThanDays)
        process.stdout.write(`Deleted ${deleted} event(s) older than ${options.olderThanDays} days.\n`)
      })
    })

  registerPayrollCommands(program)
  registerProgrammeCommands(program)
  registerProgrammeGenerateCommand(program)

  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command.exitOverride()
  }
  return program
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode
      return
    }
    if (
      error instanceof ConfigError ||
      error instanceof MigrationError ||
      error instanceof CliError ||
      error instanceof AppError
    ) {
      process.stderr.write(`gss: ${error.message}\n`)
      process.exitCode = 1
      return
    }
    throw error
  }
}
