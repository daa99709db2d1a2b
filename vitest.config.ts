import { defineConfig } from 'vitest/config'

// One suite, run on PGlite by default and on PostgreSQL when DATABASE_URL is set (each test file
// makes its own database). Two workers: the machines have two cores.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts', 'bench/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Generous: seeding the demo world for a test file takes tens of seconds on a busy two-core machine.
    testTimeout: 60_000,
    hookTimeout: 300_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
})
