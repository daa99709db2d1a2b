// `gss programme push`: a cluster deployment pushes its organisations' current returns for a
// quarter to the hub (decision 0500). The hub's URL and token come from the options or from
// GSS_HUB_URL and GSS_HUB_TOKEN (a token is a secret: prefer the environment to the command line).
import type { Command } from 'commander'
import { ValidationError } from '../platform/errors.ts'
import { isQuarterCode } from './quarters.ts'

export function registerProgrammeCommands(program: Command, env: NodeJS.ProcessEnv = process.env): void {
  // The `programme` group may already exist (`programme generate`, src/programme/cli.ts).
  const programme =
    program.commands.find((command) => command.name() === 'programme') ??
    program.command('programme').description('Programme oversight tasks.')
  programme
    .command('push')
    .description(
      "Push this cluster deployment's returns for a quarter to the hub (GSS_HUB_URL, GSS_HUB_TOKEN).",
    )
    .requiredOption('--quarter <quarter>', 'the quarter, for example 2026-Q1')
    .requiredOption('--cluster <code>', 'the cluster whose organisations’ returns are pushed')
    .option('--hub <url>', 'the hub deployment’s base URL (default GSS_HUB_URL)')
    .option('--token <token>', 'a bearer token made on the hub (default GSS_HUB_TOKEN)')
    .action(async (options: { quarter: string; cluster: string; hub?: string; token?: string }) => {
      const hubUrl = options.hub ?? env.GSS_HUB_URL
      const token = options.token ?? env.GSS_HUB_TOKEN
      if (!isQuarterCode(options.quarter))
        throw new ValidationError(`--quarter must be like 2026-Q1, not "${options.quarter}"`)
      if (!hubUrl) throw new ValidationError('Give the hub with --hub or GSS_HUB_URL')
      if (!token) throw new ValidationError('Give the hub token with --token or GSS_HUB_TOKEN')
      // Loaded here so that other commands do not pay for the database and HTTP client.
      const { loadConfig } = await import('../platform/config.ts')
      const { Database } = await import('../platform/db/index.ts')
      const { migrate } = await import('../platform/db/migrate.ts')
      const { pushClusterReturns } = await import('./returns/hub.ts')
      const config = loadConfig()
      const db = await Database.open(config)
      try {
        await migrate(db)
        const outcome = await pushClusterReturns(db, {
          clusterCode: options.cluster,
          quarter: options.quarter,
          hubUrl,
          token,
        })
        process.stdout.write(
          `Push of ${outcome.organisations} return(s) for ${options.cluster} ${options.quarter}: ${outcome.outcome}${outcome.httpStatus ? ` (HTTP ${outcome.httpStatus})` : ''}: ${outcome.detail}\n`,
        )
        if (outcome.outcome !== 'accepted') process.exitCode = 1
      } finally {
        await db.close()
      }
    })
}
