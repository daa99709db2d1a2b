// `gss payroll run`: loaded only when the command runs (the database drivers and the ledger are
// heavy). Progress goes to standard error as a cli-progress bar; the summary to standard output.
import cliProgress from 'cli-progress'
import '../platform/tables.ts'
import '../orgs/tables.ts'
import '../finance/tables.ts'
import '../hr/tables.ts'
import './tables.ts'
import { LedgerService } from '../finance/ledger.ts'
import { loadConfig } from '../platform/config.ts'
import { Database, type TenantContext } from '../platform/db/index.ts'
import { migrate } from '../platform/db/migrate.ts'
import { AppError } from '../platform/errors.ts'
import { taxPeriodOf, taxYearOf } from './pay.ts'
import { PAY_FREQUENCIES, type PayFrequency } from './rates/types.ts'
import { PayRunService } from './runs.ts'

export async function runPayrollCommand(options: {
  org: string
  payDate: string
  frequency: string
  chunkSize: string
  progress: boolean
}): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`gss: ${message}\n`)
    return 2
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.payDate))
    return fail(`--pay-date must be a date like 2026-04-24, not "${options.payDate}".`)
  if (!PAY_FREQUENCIES.includes(options.frequency as PayFrequency))
    return fail(`--frequency must be one of ${PAY_FREQUENCIES.join(', ')}.`)
  const chunkSize = Number(options.chunkSize)
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    return fail('--chunk-size must be a whole number of 1 or more.')
  const frequency = options.frequency as PayFrequency
  const db = await Database.open(loadConfig())
  try {
    await migrate(db)
    const org = await db.admin
      .selectFrom('organisations')
      .select(['id', 'code'])
      .where('code', '=', options.org)
      .executeTakeFirst()
    if (!org) return fail(`There is no organisation "${options.org}".`)
    const context: TenantContext = {
      userId: null,
      orgIds: [org.id],
      actingOrgId: org.id,
      requestId: 'cli:payroll-run',
    }
    const runs = new PayRunService(new LedgerService())
    const run = await db.transaction(context, async (trx) => {
      const existing = await trx
        .selectFrom('pay_runs')
        .select('id')
        .where('org_id', '=', org.id)
        .where('pay_frequency', '=', frequency)
        .where('tax_year', '=', taxYearOf(options.payDate))
        .where('period', '=', taxPeriodOf(frequency, options.payDate))
        .executeTakeFirst()
      return existing
        ? runs.get(trx, org.id, existing.id)
        : runs.create(trx, org.id, { payFrequency: frequency, payDate: options.payDate }, null)
    })
    if (run.status === 'calculating')
      process.stderr.write(`Resuming pay run ${run.id} at ${run.progressDone} of ${run.progressTotal}\n`)
    const bar =
      options.progress && run.status !== 'calculated'
        ? new cliProgress.SingleBar(
            {
              format: 'Calculating {bar} {percentage}% | {value}/{total} employees | {eta_formatted} left',
              noTTYOutput: true,
              notTTYSchedule: 1000,
              stream: process.stderr,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined
    bar?.start(Math.max(run.progressTotal, 1), run.progressDone)
    const result = await runs.calculate(db, context, org.id, run.id, {
      chunkSize,
      onProgress: (done, total) => {
        bar?.setTotal(Math.max(total, 1))
        bar?.update(done)
      },
    })
    bar?.stop()
    process.stdout.write(
      `Pay run ${result.id}: ${result.status}, ${result.employeeCount} paid, ${result.exceptionCount} in error, gross £${(result.grossPence / 100).toFixed(2)}, net £${(result.netPence / 100).toFixed(2)}\n`,
    )
    return 0
  } catch (error) {
    if (error instanceof AppError) return fail(error.message)
    throw error
  } finally {
    await db.close()
  }
}
