// A child process for src/finance/reliability.test.ts: it starts a large journal import or a payment
// run against DATABASE_URL inside one transaction, says how far it got on stdout, and waits to be
// killed (kill -9) before it can commit. Not used by the application.
import '../../platform/tables.ts'
import '../tables.ts'
import '../payables/tables.ts'
import { loadConfig } from '../../platform/config.ts'
import { Database } from '../../platform/db/index.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { importJournalCsv } from '../journal-import.ts'
import { LedgerService } from '../ledger.ts'
import { PaymentRunService } from '../payables/payment-runs.ts'

const [mode, date, payDate] = process.argv.slice(2) as ['import' | 'payment-run', string, string]
const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: process.env.DATABASE_URL })
const db = await Database.open(config)
const ledger = new LedgerService()
const CO = orgId('cabinet-office')
const context = (email: string) => ({
  userId: uuidFromName(`user:${email}`),
  orgIds: [CO],
  actingOrgId: CO,
  requestId: `kill-child-${mode}`,
})

/** n journals of two lines each, as the import's CSV (columns: journal, date, description, account, …). */
function csv(from: number, count: number): string {
  const rows = ['journal,date,description,account,cost_centre,debit,credit']
  for (let n = from; n < from + count; n++) {
    rows.push(`K${n},${date},KILLTEST import ${n},52100000,CORP,${(n % 997) + 1}.00,`)
    rows.push(`K${n},${date},KILLTEST import ${n},21100000,,,${(n % 997) + 1}.00`)
  }
  return `${rows.join('\n')}\n`
}

await db.transaction(
  context(mode === 'import' ? 'finance.clerk@gss.example' : 'finance.approver@gss.example'),
  async (trx) => {
    if (mode === 'import') {
      const first = await importJournalCsv(trx, ledger, CO, csv(0, 5_000), null)
      process.stdout.write(`written ${first.length}\n`)
      // The second half never finishes: the parent kills the process while it runs.
      await importJournalCsv(trx, ledger, CO, csv(5_000, 40_000), null)
    } else {
      const { run } = await new PaymentRunService(ledger).create(
        trx,
        CO,
        { dueBy: payDate, payDate, idempotencyKey: 'kill-run' },
        uuidFromName('user:finance.approver@gss.example'),
      )
      process.stdout.write(`written ${run.paymentCount}\n`)
    }
    // Everything is written but not committed: wait here to be killed.
    await new Promise(() => {})
  },
)
