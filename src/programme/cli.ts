// `gss programme generate --quarter 2026-Q2 [--org code]`: computes the quarterly returns of the
// organisations on the platform from their own records and records them (decision 0501). Prints
// one line per return; a progress bar on standard error when there are many.
import type { Command } from 'commander'
import { ValidationError } from '../platform/errors.ts'
import { isQuarterCode } from './quarters.ts'

/** Above this many organisations the command shows a progress bar. */
const PROGRESS_BAR_FROM = 20

/** Adds `programme generate` (and the `programme` group if no one has added it yet). */
export function registerProgrammeGenerateCommand(program: Command): void {
  const programme =
    program.commands.find((command) => command.name() === 'programme') ??
    program.command('programme').description('Programme oversight tasks.')
  programme
    .command('generate')
    .description(
      'Compute the quarterly returns of the organisations on the platform (live or migrating) from their own records, and record each (unchanged figures add no version).',
    )
    .requiredOption('--quarter <quarter>', 'the quarter, for example 2026-Q2 (fiscal: Q1 is April to June)')
    .option('--org <code>', 'only this organisation (by code)')
    .option('--no-progress', 'no progress bar (the bar goes to standard error)')
    .action(async (options: { quarter: string; org?: string; progress: boolean }) => {
      if (!isQuarterCode(options.quarter))
        throw new ValidationError(`--quarter must be like 2026-Q2, not "${options.quarter}"`)
      const [{ loadConfig }, { Database }, { migrate }, { generateReturns }, cliProgress] = await Promise.all(
        [
          import('../platform/config.ts'),
          import('../platform/db/index.ts'),
          import('../platform/db/migrate.ts'),
          import('./returns/generate.ts'),
          import('cli-progress'),
        ],
      )
      const db = await Database.open(loadConfig())
      try {
        await migrate(db)
        let orgIds: string[] | undefined
        if (options.org) {
          const org = await db.admin
            .selectFrom('organisations')
            .select('id')
            .where('code', '=', options.org)
            .executeTakeFirst()
          if (!org) throw new ValidationError(`There is no organisation "${options.org}".`)
          orgIds = [org.id]
        }
        let bar: InstanceType<typeof cliProgress.default.SingleBar> | undefined
        const result = await generateReturns(db, options.quarter, {
          userId: null,
          ...(orgIds ? { orgIds } : {}),
          onProgress: (done, total) => {
            if (!bar && options.progress && total >= PROGRESS_BAR_FROM) {
              bar = new cliProgress.default.SingleBar(
                {
                  format: 'Recording {bar} {percentage}% | {value}/{total} returns | {eta_formatted} left',
                  noTTYOutput: true,
                  notTTYSchedule: 1000,
                  stream: process.stderr,
                },
                cliProgress.default.Presets.shades_classic,
              )
              bar.start(total, 0)
            }
            bar?.update(done)
          },
        })
        bar?.stop()
        const out = (line: string) => process.stdout.write(`${line}\n`)
        for (const item of result.returns) {
          const state = item.changed
            ? `version ${item.version} recorded`
            : `unchanged (version ${item.version})`
          const validity = item.valid ? 'valid' : `INVALID: ${item.errors.map((e) => e.message).join('; ')}`
          out(`${item.orgCode.padEnd(40)} ${state}, ${validity}`)
        }
        for (const item of result.skipped) out(`${item.orgCode.padEnd(40)} skipped: ${item.reason}`)
        const changed = result.returns.filter((item) => item.changed).length
        out(
          `Generated ${result.returns.length} return(s) for ${result.quarter}: ${changed} new version(s), ${result.returns.length - changed} unchanged, ${result.skipped.length} skipped (computed in ${Math.round(result.computeMs)} ms, recorded in ${Math.round(result.recordMs)} ms).`,
        )
        if (result.returns.some((item) => !item.valid)) process.exitCode = 1
      } finally {
        await db.close()
      }
    })
}
