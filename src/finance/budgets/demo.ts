// The budgets part of the demo world: Cabinet Office gets last year's and this year's budgets as
// an opening load, an in-year reduction and a forecast, so the variance report has something to show.
import type { DemoExtension } from '../../demo/seed.ts'
import type { Tx } from '../../platform/db/index.ts'
import { orgId } from '../../platform/ids.ts'
import { demoFiscalYears } from '../demo.ts'
import { type BudgetAdjustmentInput, BudgetsService } from './service.ts'

const budgets = new BudgetsService()

export const budgetsDemo: DemoExtension = {
  name: 'budgets',
  async seed(trx: Tx) {
    const organisation = await trx
      .selectFrom('organisations')
      .select('id')
      .where('id', '=', orgId('cabinet-office'))
      .executeTakeFirst()
    if (!organisation) return
    for (const fiscalYear of demoFiscalYears()) {
      const opening = (accountCode: string, amountPence: number, spendClass: 'admin' | 'programme') =>
        ({
          fiscalYear,
          accountCode,
          costCentreCode: 'CORP',
          spendClass,
          amountPence,
          reason: 'Opening budget from the Main Estimate',
        }) satisfies BudgetAdjustmentInput
      await budgets.addAdjustments(
        trx,
        organisation.id,
        [
          opening('51100000', 51_000_000_00, 'admin'),
          opening('51200000', 6_600_000_00, 'admin'),
          opening('52100000', 4_800_000_00, 'programme'),
          opening('41100000', -1_200_000_00, 'programme'),
        ],
        null,
        'demo',
      )
      await budgets.addAdjustments(
        trx,
        organisation.id,
        [
          {
            fiscalYear,
            period: 7,
            accountCode: '52100000',
            costCentreCode: 'CORP',
            amountPence: -300_000_00,
            reason: 'Supplementary Estimate: IT savings surrendered',
          },
          {
            kind: 'forecast',
            fiscalYear,
            accountCode: '51100000',
            costCentreCode: 'CORP',
            spendClass: 'admin',
            amountPence: 51_100_000_00,
            reason: 'Quarter 2 forecast',
          },
          {
            kind: 'forecast',
            fiscalYear,
            accountCode: '52100000',
            costCentreCode: 'CORP',
            amountPence: 4_560_000_00,
            reason: 'Quarter 2 forecast',
          },
        ],
        null,
        'demo',
      )
    }
  },
}
