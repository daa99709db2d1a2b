// A stand-alone entry point for `payroll calc`, for testing outside the `gss` CLI:
//   node src/payroll/calc-main.ts payroll calc < lines.jsonl
import { Command } from 'commander'
import { registerPayrollCommands } from './cli.ts'

const program = new Command('gss')
registerPayrollCommands(program)
await program.parseAsync(process.argv)
