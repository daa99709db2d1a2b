import type { Command } from 'commander'
import { runCalcStream } from './calc.ts'
import { CALCULATOR_TAX_YEARS } from './rates/index.ts'

const CALC_HELP = `
Reads JSON Lines on standard input and writes one JSON line per input line, in order.
Blank lines are skipped (no output line). Exit status 0 when every line succeeded, 1 when any
line had an error; every non-blank line gets an output line either way.

Input fields (money: decimal strings with exactly two places, e.g. "1234.56"):
  id                 string or number, echoed back
  taxYear            ${CALCULATOR_TAX_YEARS.map((year) => `"${year}"`).join(' | ')}
  payFrequency       "weekly" | "fortnightly" | "four-weekly" | "monthly"
  period             tax week of the pay day (1-53) for weekly, fortnightly and four-weekly
                     pay; tax month (1-12) for monthly pay. Week 53 is taxed on a week 1 basis
                     (HMRC's week 53/54/56 rule).
  taxCode            as issued: 1257L, K585, BR, D0, D1, NT, 0T, S1257L, SBR, SD0-SD3, C45L...
                     A trailing " W1", " M1" or "X" means week 1/month 1.
  week1Month1        true for week 1/month 1 (non-cumulative) operation
  taxablePay         taxable pay this period
  taxablePayToDate   taxable pay this tax year including this period
  taxPaidToDate      tax deducted in earlier periods this year (optional on week 1/month 1
                     lines: default "0.00")
  niCategory         optional NI category letter (A, B, C, D, E, F, H, I, J, K, L, M, N, S, V,
                     X, Z): adds employeeNi and employerNi
  niablePay          optional NI-able pay this period (default taxablePay); also used for
                     student and postgraduate loans
  studentLoanPlans   optional array of "1" | "2" | "4" | "5": adds studentLoan
  postgraduateLoan   optional boolean: when true adds postgraduateLoan
Unknown fields are rejected.

Output: {"id", "tax" (this period; negative is a refund), "taxToDate" (taxPaidToDate + tax),
  "employeeNi", "employerNi", "studentLoan", "postgraduateLoan" (when asked for)}
  or, for an invalid line, {"id" (null if unreadable), "error" (names the bad fields)}.

Example:
  echo '{"id":"e1","taxYear":"2025-26","payFrequency":"monthly","period":1,"taxCode":"1257L",
  "week1Month1":false,"taxablePay":"3000.00","taxablePayToDate":"3000.00","taxPaidToDate":"0.00",
  "niCategory":"A"}' | gss payroll calc
  {"id":"e1","tax":"390.20","taxToDate":"390.20","employeeNi":"156.16","employerNi":"387.45"}
`

/** Adds `payroll calc` (and the `payroll` command group if the program has none yet). */
export function registerPayrollCommands(program: Command): void {
  const payroll =
    program.commands.find((command) => command.name() === 'payroll') ??
    program
      .command('payroll')
      .description('UK payroll: PAYE income tax, National Insurance and student loans')
  payroll
    .command('calc')
    .description('Calculate PAYE tax, NI and student loan deductions for pay lines (JSON Lines on stdin)')
    .addHelpText('after', CALC_HELP)
    .action(async () => {
      // A reader that stops early (e.g. `| head`) closes the pipe: stop quietly, not with a stack trace.
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error
        process.exit(process.exitCode ?? 0)
      })
      const summary = await runCalcStream(process.stdin, process.stdout)
      process.exitCode = summary.errors > 0 ? 1 : 0
    })
  payroll
    .command('run')
    .description(
      'Create (or find) the pay run for a pay date and calculate it, with a progress bar. A run that was killed part-way resumes from its last committed chunk.',
    )
    .requiredOption('--org <code>', 'organisation code, e.g. cabinet-office')
    .requiredOption('--pay-date <date>', 'pay day (YYYY-MM-DD); decides the tax year and period')
    .option('--frequency <frequency>', 'weekly | fortnightly | four-weekly | monthly', 'monthly')
    .option('--chunk-size <n>', 'employments per committed chunk', '5000')
    .option('--no-progress', 'no progress bar (the bar goes to standard error)')
    .action(
      async (options: {
        org: string
        payDate: string
        frequency: string
        chunkSize: string
        progress: boolean
      }) => {
        const { runPayrollCommand } = await import('./run-command.ts')
        process.exitCode = await runPayrollCommand(options)
      },
    )
}
