// Bad configuration stops start-up with one clear sentence naming the setting.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
import { loadConfig } from './config.ts'
import { Database } from './db/index.ts'
import { ConfigError } from './errors.ts'

test('defaults suit a laptop', () => {
  const config = loadConfig({})
  expect(config).toMatchObject({
    engine: 'pglite',
    port: 3000,
    demoOnEmpty: true,
    baseUrl: 'http://localhost:3000',
  })
  expect(config.dataDir).toBe(path.resolve('./data'))
})

test('DATABASE_URL selects the PostgreSQL engine', () => {
  expect(loadConfig({ DATABASE_URL: 'postgres://app@db:5432/gss' }).engine).toBe('postgres')
})

test.each([
  [{ PORT: 'eighty' }, /^PORT must be a whole number/],
  [{ PORT: '70000' }, /^PORT must be between 0 and 65535/],
  [{ DATABASE_URL: 'mysql://x@y/z' }, /^DATABASE_URL must start with postgres:\/\//],
  [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL is not a valid URL/],
  [{ GSS_DEMO: 'maybe' }, /^GSS_DEMO must be true or false/],
  [{ OIDC_ISSUER: 'https://idp.example' }, /^OIDC_CLIENT_ID must be set/],
  [{ NODE_ENV: 'production' }, /^GSS_DATA_DIR must be set in production/],
])('%j is refused', (env, message) => {
  expect(() => loadConfig(env)).toThrow(ConfigError)
  expect(() => loadConfig(env)).toThrow(message)
})

test('production turns demo seeding off', () => {
  expect(loadConfig({ NODE_ENV: 'production', GSS_DATA_DIR: '/tmp/x' }).demoOnEmpty).toBe(false)
})

test('an unreachable DATABASE_URL names the setting in one sentence', async () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/gss' })
  const error = await Database.open(config).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  expect((error as Error).message).toMatch(
    /^DATABASE_URL names a PostgreSQL server that could not be reached \(127\.0\.0\.1:1\/gss: ECONNREFUSED\)\.$/,
  )
})

test('an unwritable data directory names GSS_DATA_DIR in one sentence', async () => {
  // A path beneath a regular file can never be a directory, even for root.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gss-config-')), 'a-file')
  fs.writeFileSync(file, '')
  const config = loadConfig({ GSS_DATA_DIR: path.join(file, 'data') })
  const error = await Database.open(config).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  expect((error as Error).message).toMatch(/^GSS_DATA_DIR \(.+\) is not a writable directory \(ENOTDIR\)\.$/)
})
