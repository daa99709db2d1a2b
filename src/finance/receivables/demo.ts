// The receivables part of the demo world: for Cabinet Office, DSIT and DWP, invoicing details,
// customers (other public bodies and companies), and a year of monthly sales invoices with their
// receipts. Most are paid on time, some late, some part-paid, a few not at all, one credited and
// one payment sits on account, so aged debt and statements have something to show. Repeatable: the
// amounts come from a fixed pseudo-random sequence, the dates from today.
import type { DemoExtension } from '../../demo/seed.ts'
import type { Tx } from '../../platform/db/index.ts'
import { uuidFromName } from '../../platform/ids.ts'
import { LedgerService } from '../ledger.ts'
import { addDays, todayIso } from './common.ts'
import { type CustomerInput, CustomerService } from './customers.ts'
import { SalesInvoiceService } from './invoices.ts'
import { ReceiptService } from './receipts.ts'
import { type SellerSettingsInput, SettingsService } from './settings.ts'

const ledger = new LedgerService()
const settings = new SettingsService()
const customers = new CustomerService()
const invoices = new SalesInvoiceService(ledger, settings)
const receipts = new ReceiptService(ledger)

interface DemoOrg {
  code: string
  seller: Omit<SellerSettingsInput, 'legalName'>
  customers: CustomerInput[]
}

const publicBody = (name: string, addressLine1: string, postcode: string, peppol: string): CustomerInput => ({
  name,
  addressLine1,
  city: 'London',
  postcode,
  peppolEndpoint: peppol,
  publicBody: true,
  paymentTermsDays: 30,
})

const DEMO_ORGS: DemoOrg[] = [
  {
    code: 'cabinet-office',
    seller: {
      addressLine1: '70 Whitehall',
      city: 'London',
      postcode: 'SW1A 2AS',
      vatNumber: 'GB100000034',
      contactEmail: 'receivables@cabinet-office.gss.example',
      bankAccountName: 'Cabinet Office receipts',
      sortCode: '202959',
      accountNumber: '63748472',
      invoicePrefix: 'CO',
      creditNotePrefix: 'COCR',
    },
    customers: [
      publicBody(
        'Department for Science, Innovation and Technology',
        '22 Whitehall',
        'SW1A 2EG',
        '0088:5060000000014',
      ),
      publicBody(
        'Department for Work and Pensions',
        'Caxton House, Tothill Street',
        'SW1H 9NA',
        '0088:5060000000021',
      ),
      {
        name: 'Civic Events Ltd',
        addressLine1: '4 Market Street',
        city: 'Leeds',
        postcode: 'LS1 6DT',
        vatNumber: 'GB179193719',
        companyNumber: '09876543',
        contactEmail: 'accounts@civic-events.example',
        paymentTermsDays: 14,
        creditLimitPence: 50_000_00,
      },
      {
        name: 'Northgate Training Partnership',
        addressLine1: '1 Northgate',
        city: 'Newcastle upon Tyne',
        postcode: 'NE1 4XF',
        vatNumber: 'GB258387419',
        paymentTermsDays: 30,
      },
    ],
  },
  {
    code: 'dsit',
    seller: {
      addressLine1: '22 Whitehall',
      city: 'London',
      postcode: 'SW1A 2EG',
      vatNumber: 'GB337581145',
      bankAccountName: 'DSIT receipts',
      sortCode: '089999',
      accountNumber: '66374958',
      invoicePrefix: 'DSIT',
      creditNotePrefix: 'DSITCR',
    },
    customers: [
      publicBody('Cabinet Office', '70 Whitehall', 'SW1A 2AS', '9932:GB100000034'),
      {
        name: 'Quantum Spectrum Licensing Ltd',
        addressLine1: '10 Science Park',
        city: 'Cambridge',
        postcode: 'CB4 0WS',
        vatNumber: 'GB416774828',
        companyNumber: '11223344',
        paymentTermsDays: 30,
      },
      {
        name: 'Open Data Institute Services',
        addressLine1: '3 Kings Cross Road',
        city: 'London',
        postcode: 'N1 9DY',
        vatNumber: 'GB495968508',
        paymentTermsDays: 30,
      },
    ],
  },
  {
    code: 'dwp',
    seller: {
      addressLine1: 'Caxton House, Tothill Street',
      city: 'London',
      postcode: 'SW1H 9NA',
      vatNumber: 'GB575162236',
      bankAccountName: 'DWP receipts',
      sortCode: '107999',
      accountNumber: '88837491',
      invoicePrefix: 'DWP',
      creditNotePrefix: 'DWPCR',
    },
    customers: [
      publicBody('Home Office', '2 Marsham Street', 'SW1P 4DF', '0088:5060000000038'),
      {
        name: 'Pathways Employment Services Ltd',
        addressLine1: '20 Canal Street',
        city: 'Manchester',
        postcode: 'M1 3HE',
        vatNumber: 'GB654355919',
        paymentTermsDays: 30,
      },
      {
        name: 'Harbour Facilities Management plc',
        addressLine1: '8 Quay Side',
        city: 'Bristol',
        postcode: 'BS1 4DJ',
        vatNumber: 'GB733549619',
        paymentTermsDays: 45,
      },
    ],
  },
]

/** What each organisation sells, with its income account and VAT rate. */
const SERVICES = [
  {
    description: 'Shared service recharge: finance processing',
    accountCode: '41200000',
    vatRate: 'standard' as const,
  },
  { description: 'Training course places', accountCode: '41100000', vatRate: 'exempt' as const },
  { description: 'Conference venue hire', accountCode: '41100000', vatRate: 'standard' as const },
  { description: 'Data licence', accountCode: '41900000', vatRate: 'standard' as const },
  { description: 'Printed guidance', accountCode: '41100000', vatRate: 'zero' as const },
]

/** A small linear congruential generator: the same demo every time. */
function sequence(seed: number) {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

export const receivablesDemo: DemoExtension = {
  name: 'receivables',
  async seed(trx: Tx) {
    const clerk = uuidFromName('user:finance.clerk@gss.example')
    const today = todayIso()
    const random = sequence(20_260_401)
    for (const demo of DEMO_ORGS) {
      const org = await trx
        .selectFrom('organisations')
        .select(['id', 'name'])
        .where('code', '=', demo.code)
        .executeTakeFirst()
      if (!org) continue
      await settings.set(trx, org.id, { legalName: org.name, ...demo.seller })
      const made = []
      for (const input of demo.customers) made.push(await customers.create(trx, org.id, input, clerk))
      // A year of invoices: each customer every other month, in date order across customers.
      const plan: Array<{ customerIndex: number; issueDate: string }> = []
      for (let month = 12; month >= 0; month -= 1)
        made.forEach((_, customerIndex) => {
          if ((month + customerIndex) % 2 === 0)
            plan.push({ customerIndex, issueDate: addDays(today, -month * 30 - customerIndex - 1) })
        })
      plan.sort((a, b) => a.issueDate.localeCompare(b.issueDate))
      let count = 0
      for (const { customerIndex, issueDate } of plan) {
        const customer = made[customerIndex]!
        const service = SERVICES[(count + customerIndex) % SERVICES.length]!
        const quantity = String(1 + Math.floor(random() * 12))
        const unitPrice = (250 + Math.floor(random() * 4_000)).toFixed(2)
        count += 1
        let invoice: Awaited<ReturnType<typeof invoices.issueInvoice>>
        try {
          invoice = await invoices.issueInvoice(
            trx,
            org.id,
            {
              customerId: customer.id,
              issueDate,
              buyerReference: customer.publicBody ? `PO-${4500000 + count}` : undefined,
              lines: [{ ...service, costCentreCode: 'CORP', quantity, unitPrice }],
            },
            clerk,
            today,
          )
        } catch {
          // Over a demo customer's credit limit: that month's order was declined.
          continue
        }
        const due = invoice.dueDate
        const roll = random()
        // Most pay a few days either side of the due date; recent ones are still open.
        const paidOn = addDays(due, Math.floor(roll * 40) - 10)
        if (paidOn > today) continue
        if (roll > 0.9) continue // never paid: aged debt
        if (count % 11 === 0) {
          await invoices.issueCreditNote(
            trx,
            org.id,
            invoice.id,
            { issueDate: addDays(issueDate, 7), reason: 'Service cancelled by agreement' },
            clerk,
            today,
          )
          continue
        }
        const part = roll > 0.8 ? Math.floor(invoice.grossPence / 2) : invoice.grossPence
        await receipts.record(
          trx,
          org.id,
          {
            customerId: customer.id,
            receivedOn: paidOn,
            amountPence: part,
            reference: invoice.number,
            allocations: [{ invoiceId: invoice.id, amountPence: part }],
          },
          clerk,
        )
      }
      // One payment with no remittance: it waits on account for someone to allocate it.
      const first = made[0]!
      await receipts.record(
        trx,
        org.id,
        {
          customerId: first.id,
          receivedOn: addDays(today, -3),
          amountPence: 1_250_00,
          reference: 'BACS PAYMENT',
        },
        clerk,
      )
    }
  },
}
