// The contract between the harness (bench/run.ts) and each benchmark (bench/*.bench.ts).

export type Engine = 'pglite' | 'postgres'

/** An engine the harness found usable, with what a benchmark needs to start a server on it. */
export type EngineTarget = { engine: 'pglite' } | { engine: 'postgres'; serverUrl: string }

/** One measured figure. */
export interface ResultRow {
  /** The benchmark (file name without .bench.ts). */
  benchmark: string
  /** What was measured within it, e.g. a scenario name. */
  scenario: string
  engine: Engine | 'n/a'
  metric: string
  value: number
  unit: string
  /** value divided by a reference figure measured in the same run (see ratioOf). */
  ratio?: number
  /** The lowest and highest ratio over the rounds, when the ratio is a median of rounds. */
  ratioRange?: [number, number]
  /** What the ratio is against, in words, e.g. "health req/s". */
  ratioOf?: string
}

export interface BenchOptions {
  quick: boolean
  /** Seconds measured per scenario per engine (split across rounds). */
  durationSec: number
  /** Seconds of unmeasured load per scenario before measuring. */
  warmupSec: number
  /** Measurements are split into this many interleaved rounds to spread drift evenly. */
  rounds: number
  /** Concurrent HTTP connections of the load generator. */
  connections: number
  /** Ledger sizes (journal lines) at which the ledger benchmark times the trial balance; its default if absent. */
  ledgerLines?: number[]
}

export interface BenchContext extends BenchOptions {
  engines: EngineTarget[]
  /** Progress line on stderr (the table goes to stdout). */
  log(line: string): void
  /** Extra facts worth keeping with the results (server settings, data sizes, versions). */
  meta: Record<string, unknown>
}

/** What a *.bench.ts file exports. */
export interface BenchmarkModule {
  /** One sentence: what it measures. */
  description: string
  default(context: BenchContext): Promise<ResultRow[]>
}
