// How the server under test is set up; written into the results and described in docs/PERFORMANCE.md.

/** Environment of the server process (on top of DATABASE_URL or GSS_DATA_DIR). */
export const SERVER_ENV = {
  NODE_ENV: 'production',
  // Errors and warnings only: a 5xx under load still shows in the server output.
  GSS_LOG_LEVEL: 'warn',
  // The per-client limit (default 1200 a minute) would turn a benchmark into a test of 429s: every
  // request comes from 127.0.0.1. The rate limiter still runs; it just never refuses.
  GSS_RATE_LIMIT_PER_MINUTE: '10000000',
  // The server seeds the demo world itself (bench/lib/server.ts).
  GSS_DEMO: 'false',
  HOST: '127.0.0.1',
  PORT: '0',
}

/** The demo account the bench token acts as: an organisation admin, a typical integration user. */
export const BENCH_USER = 'org.admin@gss.example'
export const BENCH_ORG = 'cabinet-office'
export const BENCH_ROLE = 'org_admin'
