import { defineConfig } from 'vitest/config'

// One suite, run on PGlite by default and on PostgreSQL when DATABASE_URL is set (each test file
// makes its own database). Two workers: the machines have two cores.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts', 'bench/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
})
