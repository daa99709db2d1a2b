// The `gss` command line as a user runs it: the real bin/gss.js in child processes, against a
// database of this file's own (an embedded one in a temporary GSS_DATA_DIR, or a fresh database on
// the server named by DATABASE_URL when that is set). The commands build on each other (migrate,
// seed, add a user, issue a token, check the audit log), so the tests run in order. An embedded
// data directory can be opened by one process at a time: the test opens it only between commands.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DEMO_USERS } from '../demo/seed.ts'
import { AuthService } from '../platform/auth/service.ts'
import { loadConfig } from '../platform/config.ts'
import { Database } from '../platform/db/index.ts'
import { createServerDatabase } from '../platform/testing.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const serverUrl = process.env.DATABASE_URL

let scratch: string
/** Where this file's database is, as the CLI is told it. */
let databaseEnv: Record<string, string>
let dropDatabase = async () => {}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gss-cli-'))
  if (serverUrl) {
    const fresh = await createServerDatabase(serverUrl, 'gss_cli')
    databaseEnv = { DATABASE_URL: fresh.url }
    dropDatabase = fresh.drop
  } else {
    databaseEnv = { GSS_DATA_DIR: path.join(scratch, 'data') }
  }
})

afterAll(async () => {
  await dropDatabase()
  fs.rmSync(scratch, { recursive: true, force: true })
})

/** `--name value` pairs, in order. */
const flags = (values: Record<string, string>) =>
  Object.entries(values).flatMap(([name, value]) => [`--${name}`, value])
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * The environment a user's shell would give: nothing from this test process (its DATABASE_URL
 * names the server's maintenance database), only PATH, HOME and the settings given.
 */
function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), NO_COLOR: '1', ...env }
}

/** Commands still running, stopped (by process id) if a test gives up on them. */
const running = new Set<ChildProcess>()
afterAll(() => {
  for (const child of running) child.kill('SIGKILL')
})

function start(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['bin/gss.js', ...args], { cwd: ROOT, env: environment(env) })
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

/** Collects a command's output until it exits; a command that hangs is killed and says so. */
function finished(child: ChildProcess, input?: string, timeoutMs = 45_000): Promise<Run> {
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdin!.end(input)
  const timer = setTimeout(() => {
    stderr += `[test: still running after ${timeoutMs} ms, killed]`
    child.kill('SIGKILL')
  }, timeoutMs)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Runs `gss <args>` against this file's database (or the settings given) and waits for it. */
function gss(
  args: string[],
  options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<Run> {
  return finished(start(args, options.env ?? databaseEnv), options.input, options.timeoutMs)
}

/** Opens this file's database in the test process; only between CLI commands. */
async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open(loadConfig({ NODE_ENV: 'test', ...databaseEnv }))
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}

/** A refusal as a user should see it: exit 1 and one line on stderr (so no stack trace). */
function expectOneSentence(run: Run, ...phrases: string[]) {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1)
  const message = run.stderr.trim()
  expect(message.split('\n')).toHaveLength(1)
  expect(message).toMatch(/^gss: \S/)
  expect(message).not.toMatch(/Error:|node:internal/)
  for (const phrase of phrases) expect(message).toContain(phrase)
  return message
}

describe('usage (no database is opened)', { timeout: 60_000 }, () => {
  // These run side by side: none of them gets as far as opening a database (the checks at the end
  // prove it), so they cannot disturb each other or the database the later tests use.
  const untouched = () => ({ GSS_DATA_DIR: path.join(scratch, 'never-created') })
  /** These fail fast or not at all (a hang is reported after this long). */
  const timeoutMs = 30_000

  test('--help on the root and on every command exits 0 and lists its options', async () => {
    const expected: Record<string, string[]> = {
      '': [
        'Usage: gss',
        'serve',
        'migrate',
        'demo',
        'users',
        'token',
        'audit',
        'DATABASE_URL',
        'GSS_DATA_DIR',
      ],
      serve: ['Usage: gss serve', '-h, --help', 'listens on PORT'],
      migrate: ['Usage: gss migrate', '-h, --help'],
      demo: ['Usage: gss demo', '--scale <employees>'],
      'users add': [
        'Usage: gss users add',
        '--email <email>',
        '--name <name>',
        '--role <role...>',
        '--org <code>',
        '--cluster <code>',
        '--platform',
        '--password-stdin',
        '"hr_officer"',
      ],
      'token create': [
        'Usage: gss token create',
        '--user <email>',
        '--org <code>',
        '--role <role...>',
        '--expires-in-days',
      ],
      'token revoke': ['Usage: gss token revoke [options] <id>', 'the token id printed when it was created'],
      'audit verify': ['Usage: gss audit verify', '-h, --help'],
    }
    const commands = Object.keys(expected)
    const runs = await Promise.all(
      commands.map((command) =>
        gss([...command.split(' ').filter(Boolean), '--help'], { env: untouched(), timeoutMs }),
      ),
    )
    for (const [index, run] of runs.entries()) {
      const command = `gss ${commands[index]} --help`
      expect(run.code, `${command}: ${run.stderr}`).toBe(0)
      expect(run.stderr, command).toBe('')
      for (const text of expected[commands[index]!]!) expect(run.stdout, command).toContain(text)
    }
    expect(fs.existsSync(path.join(scratch, 'never-created'))).toBe(false)
  })

  test('wrong usage exits non-zero with a clear message on stderr', async () => {
    const cases: Array<[command: string, message: string]> = [
      ['frobnicate', "error: unknown command 'frobnicate'"],
      ['users add --email a.person@gss.example', "error: required option '--name <name>' not specified"],
      [
        'users add --email a@gss.example --name A --role wizard --org dsit',
        "error: option '--role <role...>' argument 'wizard' is invalid. Allowed choices are platform_admin,",
      ],
      [
        'demo --scale abc',
        "error: option '--scale <employees>' argument 'abc' is invalid. must be a whole number of 1 or more",
      ],
      // Refusals the commands make themselves, still before opening a database.
      [
        'users add --email a@gss.example --name A --role auditor --org dsit --platform',
        'gss: Give exactly one of',
      ],
      ['token revoke not-a-uuid', 'gss: "not-a-uuid" is not a token id (a UUID).'],
    ]
    const runs = await Promise.all(
      cases.map(([command]) => gss(command.split(' '), { env: untouched(), timeoutMs })),
    )
    for (const [index, run] of runs.entries()) {
      const [command, message] = cases[index]!
      expect(run.code, `gss ${command}`).toBe(1)
      expect(run.stdout, `gss ${command}`).toBe('')
      expect(run.stderr.split('\n')[0], `gss ${command}`).toContain(message)
      expect(run.stderr, `gss ${command}`).not.toMatch(/\n\s+at /)
    }
    expect(runs[2]!.stderr).toContain('employee')
    expect(fs.existsSync(path.join(scratch, 'never-created'))).toBe(false)
  })

  test('bad configuration stops with one sentence naming the setting, without a stack trace', async () => {
    const file = path.join(scratch, 'a-regular-file')
    fs.writeFileSync(file, '')
    const unreachable = { DATABASE_URL: 'postgres://127.0.0.1:1/x' }
    const [noServer, underFile, inProc, serveNoServer] = await Promise.all([
      gss(['migrate'], { env: unreachable, timeoutMs }),
      gss(['migrate'], { env: { GSS_DATA_DIR: path.join(file, 'data') }, timeoutMs }),
      gss(['migrate'], { env: { GSS_DATA_DIR: '/proc/forbidden' }, timeoutMs }),
      gss(['serve'], { env: { ...unreachable, PORT: '0' }, timeoutMs }),
    ])
    expectOneSentence(
      noServer,
      'gss: DATABASE_URL names a PostgreSQL server that could not be reached',
      '127.0.0.1:1/x',
    )
    expectOneSentence(underFile, `gss: GSS_DATA_DIR (${path.join(file, 'data')}) is not a writable directory`)
    expectOneSentence(inProc, 'gss: GSS_DATA_DIR (/proc/forbidden) is not a writable directory')
    expectOneSentence(serveNoServer, 'gss: DATABASE_URL names a PostgreSQL server that could not be reached')
    expect(serveNoServer.stdout).toBe('')
  })
})

describe('commands against a database', { timeout: 90_000 }, () => {
  let userId: string
  let tokenId: string
  let token: string

  test('migrate applies every migration, and the second time says the database is up to date', async () => {
    const first = await gss(['migrate'])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/^Applied \d+ migration\(s\): 0001_platform_core, .*0003_platform_auth/)
    const second = await gss(['migrate'])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toBe('The database is up to date.\n')
  })

  test('demo seeds the demo world and prints the demo accounts; --scale 50 adds 50 synthetic employees', async () => {
    const demo = await gss(['demo'])
    expect(demo.code, demo.stderr).toBe(0)
    expect(demo.stdout).toContain('Seeded the demo world.')
    expect(demo.stdout).toContain('Demo sign-ins (password for all: demo-password):')
    for (const user of DEMO_USERS) {
      expect(demo.stdout).toMatch(new RegExp(`${user.role}\\s+${escapeRegExp(user.email)}`))
    }

    const scaled = await gss(['demo', '--scale', '50'])
    expect(scaled.code, scaled.stderr).toBe(0)
    expect(scaled.stdout).toContain('The demo world is already seeded.')
    expect(scaled.stdout).toMatch(/Added 50 synthetic employees in \d+ ms\./)
    await withDb(async (db) => {
      const { rows } = await sql<{ users: number; employees: number; orgs: number }>`
        select count(*)::int as users,
          (select count(*)::int from memberships m join users u on u.id = m.user_id
             where u.email like 'synthetic.%' and m.role = 'employee' and m.org_id is not null) as employees,
          (select count(distinct m.org_id)::int from memberships m join users u on u.id = m.user_id
             where u.email like 'synthetic.%') as orgs
        from users where email like 'synthetic.%'`.execute(db.admin)
      expect(rows[0]).toMatchObject({ users: 50, employees: 50 })
      expect(rows[0]!.orgs).toBeGreaterThan(1)
    })
  })

  test('users add creates an account whose password, read from stdin, signs in', async () => {
    const password = 'a long enough passphrase'
    const added = await gss(
      [
        ...['users', 'add', '--password-stdin'],
        ...flags({
          email: 'New.Officer@gss.example',
          name: 'Nia Officer',
          role: 'hr_officer',
          org: 'cabinet-office',
        }),
      ],
      { input: `${password}\n` },
    )
    expect(added.code, added.stderr).toBe(0)
    const match = /^Added user New\.Officer@gss\.example \(([0-9a-f-]{36})\) with hr_officer\.\n$/.exec(
      added.stdout,
    )
    expect(match, added.stdout).not.toBeNull()
    userId = match![1]!

    const badOrg = await gss([
      ...['users', 'add'],
      ...flags({ email: 'other@gss.example', name: 'Other', role: 'employee', org: 'no-such-org' }),
    ])
    expectOneSentence(badOrg, 'There is no organisation with the code no-such-org.')

    await withDb(async (db) => {
      const user = await db.admin
        .selectFrom('users')
        .select(['id', 'email', 'display_name', 'password_hash', 'status'])
        .where('email', '=', 'new.officer@gss.example')
        .executeTakeFirstOrThrow()
      expect(user).toMatchObject({ id: userId, display_name: 'Nia Officer', status: 'active' })
      expect(user.password_hash).toMatch(/^\$argon2id\$/)
      const memberships = await db.admin
        .selectFrom('memberships')
        .innerJoin('organisations', 'organisations.id', 'memberships.org_id')
        .select(['memberships.role', 'organisations.code'])
        .where('memberships.user_id', '=', userId)
        .execute()
      expect(memberships).toEqual([{ role: 'hr_officer', code: 'cabinet-office' }])
      // The change is audited as the command that made it.
      const audit = await db.admin
        .selectFrom('audit_log')
        .select(['action', 'request_id'])
        .where('table_name', '=', 'users')
        .where('entity_id', '=', userId)
        .execute()
      expect(audit).toEqual([{ action: 'insert', request_id: 'cli:users-add' }])
      expect(
        await db.admin
          .selectFrom('users')
          .select('id')
          .where('email', '=', 'other@gss.example')
          .executeTakeFirst(),
      ).toBeUndefined()

      // The password (without the newline that ended it) signs in through the real sign-in service.
      const auth = new AuthService(db, loadConfig({ NODE_ENV: 'test', ...databaseEnv }))
      const { session } = await auth.signIn('new.officer@gss.example', password, '127.0.0.1')
      expect(session.userId).toBe(userId)
      await expect(auth.signIn('new.officer@gss.example', `${password}\n`, '127.0.0.1')).rejects.toThrow(
        'Enter a correct email address and password',
      )
    })
  })

  test('token create prints a gss_ token for a role the user holds, and refuses one they do not', async () => {
    const clerk = { user: 'finance.clerk@gss.example', org: 'cabinet-office' }
    const created = await gss(['token', 'create', ...flags({ ...clerk, role: 'finance_clerk' })])
    expect(created.code, created.stderr).toBe(0)
    expect(created.stdout).toMatch(/^gss_[A-Za-z0-9_-]{43}\n$/)
    token = created.stdout.trim()
    const id = /^Token ([0-9a-f-]{36}) expires (\S+)\. It is shown once; store it safely\.\n$/.exec(
      created.stderr,
    )
    expect(id, created.stderr).not.toBeNull()
    tokenId = id![1]!
    const expires = new Date(id![2]!).getTime()
    expect(Math.abs(expires - (Date.now() + 90 * 86_400_000))).toBeLessThan(5 * 60_000)

    const refused = await gss(['token', 'create', ...flags({ ...clerk, role: 'hr_officer' })])
    expect(refused.stdout).toBe('')
    expectOneSentence(refused, 'does not hold hr_officer')
  })

  test('token revoke revokes a token by its id, and an unknown id fails', async () => {
    const revoked = await gss(['token', 'revoke', tokenId])
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(revoked.stdout).toBe(`Revoked token ${tokenId}.\n`)

    const unknownId = randomUUID()
    const unknown = await gss(['token', 'revoke', unknownId])
    expectOneSentence(unknown, `There is no token with the id ${unknownId}.`)

    await withDb(async (db) => {
      const row = await db.admin
        .selectFrom('api_tokens')
        .selectAll()
        .where('id', '=', tokenId)
        .executeTakeFirstOrThrow()
      expect(row.roles).toEqual(['finance_clerk'])
      expect(row.revoked_at).not.toBeNull()
      // The printed token is the one stored (by its hash), and it no longer works.
      const auth = new AuthService(db, loadConfig({ NODE_ENV: 'test', ...databaseEnv }))
      await expect(auth.resolveToken(token)).rejects.toThrow('The bearer token has been revoked')
    })
  })

  test('audit verify reports an intact log, then names the entry edited behind its back', async () => {
    const clean = await gss(['audit', 'verify'])
    expect(clean.code, clean.stderr).toBe(0)
    expect(clean.stdout).toMatch(/^Audit log intact: \d+ entries in \d+ chains\.\n$/)

    // As the table owner, with the append-only trigger switched off, rewrite history: the new
    // user's audit entry now says someone else was added.
    const edited = await withDb(async (db) => {
      const entry = await db.admin
        .selectFrom('audit_log')
        .select(['org_id', 'seq'])
        .where('table_name', '=', 'users')
        .where('entity_id', '=', userId)
        .executeTakeFirstOrThrow()
      await sql`alter table audit_log disable trigger append_only`.execute(db.admin)
      await sql`update audit_log set after = jsonb_set(after, '{display_name}', '"Someone Else"')
        where org_id = ${entry.org_id} and seq = ${entry.seq}`.execute(db.admin)
      await sql`alter table audit_log enable trigger append_only`.execute(db.admin)
      return entry
    })
    const broken = await gss(['audit', 'verify'])
    expect(broken.code).toBe(1)
    expect(broken.stdout).toContain(
      `BROKEN chain ${edited.org_id} at entry ${edited.seq}: entry ${edited.seq} (users ${userId}) was changed after it was written`,
    )
    expect(broken.stdout.trim().split('\n')).toHaveLength(1)
  })
})

describe('serve', () => {
  test('starts on PORT, answers, loses nothing another command writes meanwhile, and stops on SIGTERM', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo
        probe.close(() => resolve(port))
      })
    })
    const env = { ...databaseEnv, PORT: String(port), HOST: '127.0.0.1', GSS_LOG_LEVEL: 'warn' }
    const child = start(['serve'], env)
    const run = finished(child, undefined, 60_000)
    let stdout = ''
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: string) => {
        stdout += chunk
        if (stdout.includes('Demo sign-ins')) resolve()
      })
      child.once('close', () => reject(new Error(`serve stopped before it was ready:\n${stdout}`)))
    })
    expect(stdout).toContain(`GSS is running at http://localhost:${port} (`)
    const health = await fetch(`http://127.0.0.1:${port}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({
      status: 'ok',
      ready: true,
      engine: serverUrl ? 'postgres' : 'pglite',
    })
    const signIn = await fetch(`http://127.0.0.1:${port}/sign-in`)
    expect(await signIn.text()).toContain('Sign in to GSS')

    // Meanwhile an administrator adds someone from another shell. A PostgreSQL server takes it; an
    // embedded database is the server's alone, so the command must refuse rather than report a
    // change that is then lost.
    const meanwhile = await gss(
      [
        ...['users', 'add', '--password-stdin'],
        ...flags({ email: 'late.joiner@gss.example', name: 'Late Joiner', role: 'employee', org: 'dsit' }),
      ],
      { input: 'another long passphrase\n' },
    )
    if (serverUrl) expect(meanwhile.code, meanwhile.stderr).toBe(0)
    else expectOneSentence(meanwhile, 'GSS_DATA_DIR', 'in use')

    child.kill('SIGTERM')
    const stopped = await run
    expect(stopped.code, stopped.stderr).toBe(0)
    expect(stopped.stdout).toContain('Received SIGTERM; stopping.')
    expect(stopped.stderr).toBe('')

    const added = await withDb((db) =>
      db.admin
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'late.joiner@gss.example')
        .executeTakeFirst(),
    )
    if (meanwhile.code === 0) expect(added, 'gss users add said it added the user').toBeDefined()
    else expect(added).toBeUndefined()
  }, 90_000)
})
