// The payables part of the demo world, for Cabinet Office: three suppliers, delegated authority
// (budget holder, director, accounting officer), the account payments leave from, and invoices in
// each state a clerk and approver meet: awaiting approval, a possible duplicate, novel spend
// waiting for HM Treasury consent, and one approved and posted.
import type { DemoExtension } from '../../demo/seed.ts'
import type { Tx } from '../../platform/db/index.ts'
import { uuidFromName } from '../../platform/ids.ts'
import { LedgerService } from '../ledger.ts'
import { addDays, InvoiceService, todayIso } from './invoices.ts'
import { PaymentRunService } from './payment-runs.ts'
import { SupplierService } from './suppliers.ts'

const ledger = new LedgerService()
const suppliers = new SupplierService()
const invoices = new InvoiceService(ledger, suppliers)
const paymentRuns = new PaymentRunService(ledger)

export const payablesDemo: DemoExtension = {
  name: 'payables',
  async seed(trx: Tx) {
    const org = await trx
      .selectFrom('organisations')
      .select('id')
      .where('code', '=', 'cabinet-office')
      .executeTakeFirst()
    if (!org) return
    const clerk = uuidFromName('user:finance.clerk@gss.example')
    const approver = uuidFromName('user:finance.approver@gss.example')
    const admin = uuidFromName('user:platform.admin@gss.example')
    const today = todayIso()

    const acme = await suppliers.create(
      trx,
      org.id,
      {
        name: 'Acme Digital Services Ltd',
        companyNumber: '12345678',
        vatNumber: 'GB831495816',
        sortCode: '08-99-99',
        accountNumber: '66374958',
        sme: true,
        defaultAccountCode: '52100000',
      },
      clerk,
    )
    const consultancy = await suppliers.create(
      trx,
      org.id,
      {
        name: 'Whitehall Advisory LLP',
        companyNumber: 'OC123456',
        sortCode: '107999',
        accountNumber: '88837491',
        defaultAccountCode: '52200000',
      },
      clerk,
    )
    // The seller of the Peppol BIS 3 examples, so they can be uploaded as they are.
    await suppliers.create(
      trx,
      org.id,
      {
        name: 'The Sellercompany Incorporated',
        peppolEndpoint: '0088:7300010000001',
        iban: 'GB29NWBK60161331926819',
      },
      clerk,
    )

    const levels = [
      { level: 1, title: 'Budget holder', limitPence: 10_000_00 },
      { level: 2, title: 'Director', limitPence: 100_000_00 },
      { level: 3, title: 'Accounting officer', limitPence: 1_000_000_00 },
    ]
    for (const spendType of ['general', 'consultancy'])
      for (const level of levels) await invoices.setApprovalLimit(trx, org.id, { spendType, ...level })
    await invoices.setApproverLevel(trx, org.id, approver, 1)
    await invoices.setApproverLevel(trx, org.id, admin, 3)
    await paymentRuns.setPaymentSettings(trx, org.id, {
      debtorName: 'Cabinet Office',
      sortCode: '202959',
      accountNumber: '63748472',
      bacsServiceUserNumber: '123456',
      bacsServiceUserName: 'CABINET OFFICE',
    })

    const line = (description: string, accountCode: string, netPence: number) => ({
      description,
      accountCode,
      costCentreCode: 'CORP',
      netPence,
      vatPence: Math.round(netPence / 5),
    })
    const capture = (
      reference: string,
      supplierId: string,
      lines: ReturnType<typeof line>[],
      extra: object = {},
    ) =>
      invoices.capture(
        trx,
        org.id,
        {
          supplierId,
          supplierReference: reference,
          issueDate: addDays(today, -12),
          receiptDate: addDays(today, -10),
          lines,
          ...extra,
        },
        clerk,
      )
    const hosting = await capture('ADS-1001', acme.id, [
      line('Cloud hosting, last month', '52100000', 4_250_00),
    ])
    await invoices.approve(trx, org.id, hosting.id, approver)
    await capture('ADS-1002', acme.id, [line('Service desk support', '52100000', 2_100_00)])
    // Keyed twice by mistake: flagged as a possible duplicate of ADS-1002.
    await capture('ADS-1002', acme.id, [line('Service desk support', '52100000', 2_100_00)], {
      receiptDate: addDays(today, -9),
    })
    // Above a budget holder's limit: escalates to a director.
    await capture('WA-77', consultancy.id, [line('Spending review modelling', '52200000', 48_000_00)], {
      spendType: 'consultancy',
    })
    await capture('WA-78', consultancy.id, [line('Novel funding model design', '52200000', 9_000_00)], {
      spendType: 'consultancy',
      novelOrContentious: true,
    })
  },
}
