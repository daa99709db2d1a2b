// The finance part of the demo world: every organisation gets the standard chart, a corporate
// cost centre and the periods of last and this financial year; Cabinet Office gets some activity.
import { sql } from 'kysely'
import type { DemoExtension } from '../demo/seed.ts'
import type { Tx } from '../platform/db/index.ts'
import { fiscalPeriodOf } from './chart.ts'
import { type JournalInput, LedgerService } from './ledger.ts'

const ledger = new LedgerService()

/** The financial years the demo world has open: last year and this one. */
export function demoFiscalYears(today = new Date()): number[] {
  const { fiscalYear } = fiscalPeriodOf(today.toISOString().slice(0, 10))
  return [fiscalYear - 1, fiscalYear]
}

export const financeDemo: DemoExtension = {
  name: 'finance',
  async seed(trx: Tx) {
    const years = demoFiscalYears()
    const orgs = await trx.selectFrom('organisations').select(['id', 'code']).orderBy('code').execute()
    for (const org of orgs) await ledger.setUpOrganisation(trx, org.id, years)
    await sql`insert into exchange_rates (currency, rate_date, units_per_gbp, source) values
      ('USD', ${`${years[0]}-04-01`}, 1.2700, 'demo'), ('EUR', ${`${years[0]}-04-01`}, 1.1700, 'demo'),
      ('JPY', ${`${years[0]}-04-01`}, 190.0000, 'demo'), ('KES', ${`${years[0]}-04-01`}, 165.0000, 'demo')
      on conflict do nothing`.execute(trx)
    const cabinetOffice = orgs.find((org) => org.code === 'cabinet-office')
    if (!cabinetOffice) return
    // Last year's monthly running costs, so the trial balance and reports have something to show.
    const journals: JournalInput[] = []
    for (let month = 0; month < 12; month++) {
      const date = new Date(Date.UTC(years[0]!, 3 + month, 28)).toISOString().slice(0, 10)
      const salaries = 4_200_000_00 + month * 1_000_00
      journals.push({
        date,
        description: `Payroll for ${date.slice(0, 7)}`,
        source: 'payroll',
        lines: [
          { accountCode: '51100000', costCentreCode: 'CORP', amountMinor: salaries, spendClass: 'admin' },
          {
            accountCode: '51200000',
            costCentreCode: 'CORP',
            amountMinor: Math.round(salaries * 0.13),
            spendClass: 'admin',
          },
          { accountCode: '22300000', amountMinor: -salaries },
          { accountCode: '22100000', amountMinor: -Math.round(salaries * 0.13) },
        ],
      })
      journals.push({
        date,
        description: `IT services invoice ${date.slice(0, 7)}`,
        source: 'payables',
        lines: [
          { accountCode: '52100000', costCentreCode: 'CORP', amountMinor: 380_000_00 },
          { accountCode: '13400000', amountMinor: 76_000_00 },
          { accountCode: '21100000', amountMinor: -456_000_00 },
        ],
      })
    }
    await ledger.postJournals(trx, cabinetOffice.id, journals, null)
  },
}
