// The finance part of the demo world: every organisation gets the standard chart, a corporate
// cost centre and the periods of last and this financial year, and a year of plausible activity
// last year: monthly pay and its payment, supplier invoices paid the month after, quarter-end
// accruals, funding drawn (supply for departments, grant in aid for arm's-length bodies), fees
// income for arm's-length bodies, and a few recharges between organisations of a cluster.
// Cabinet Office keeps its own simpler year (the reports' tests and the payables demo read it).
//
// Rough sums: 58 organisations × 12 months × about 6 journals × 3.5 lines ≈ 15,000 lines, posted
// with one LedgerService.postJournals call per organisation (one statement per batch), so the
// demo's first run stays a few seconds longer at most (measured: see the lead's report).
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { DemoExtension } from '../demo/seed.ts'
import type { Tx } from '../platform/db/index.ts'
import { fiscalPeriodOf, periodDates, SYSTEM_ACCOUNTS } from './chart.ts'
import { type JournalInput, LedgerService } from './ledger.ts'
import { Recharges } from './recharges.ts'

const ledger = new LedgerService()
const recharges = new Recharges(ledger)

/** A deterministic number in [0, 1) from a name: the same demo world on every machine. */
function unit(name: string): number {
  return createHash('sha256').update(name).digest().readUInt32BE(0) / 2 ** 32
}

/** Whole pounds near `pounds`, varied by up to ±spread, as pence. */
function around(pounds: number, spread: number, name: string): number {
  return Math.round(pounds * (1 + spread * (2 * unit(name) - 1))) * 100
}

const SUPPLIERS = [
  {
    account: '52100000',
    payee: 'Crown Hosting Data Centres Ltd',
    what: 'Hosting and cloud services',
    vat: true,
  },
  { account: '52300000', payee: 'Government Property Agency', what: 'Accommodation charge', vat: false },
  { account: '52200000', payee: 'Whitehall Analytics LLP', what: 'Analytical support', vat: true },
  { account: '52600000', payee: 'Office Supplies Direct Ltd', what: 'Office supplies', vat: true },
  { account: '52400000', payee: 'Civil Service Travel Ltd', what: 'Travel and accommodation', vat: false },
  { account: '52500000', payee: 'Learning Partners Ltd', what: 'Training courses', vat: true },
] as const

/**
 * A year of an organisation's activity as balanced journals, from its size (monthly salaries in
 * pounds). About six journals a month: each journal costs the ledger a little more than a line, so
 * the month's cash movements share one journal (pay, and the payments of last month's invoices,
 * tax and pension contributions); supplier invoices stay one journal each, as the transparency
 * report reads them.
 */
export function yearOfActivity(
  code: string,
  fiscalYear: number,
  salariesPounds: number,
  alb: boolean,
): JournalInput[] {
  const journals: JournalInput[] = []
  const corp = { costCentreCode: 'CORP' }
  let unpaidInvoicesPence = 0
  let deductionsOwedPence = 0
  let pensionOwedPence = 0
  let feesOwedPence = 0
  for (let period = 1; period <= 12; period++) {
    const { startsOn, endsOn } = periodDates(fiscalYear, period)
    const month = startsOn.slice(0, 7)
    const day = (d: number) => `${month}-${String(d).padStart(2, '0')}`
    const key = `${code}:${fiscalYear}:${period}`

    // Pay: salaries with employer NI and pension; net pay leaves the bank on the day, tax, NI and
    // pension contributions are owed until the next month's payments.
    const salaries = around(salariesPounds, 0.02, `${key}:pay`)
    const ni = Math.round(salaries * 0.138)
    const pension = Math.round(salaries * 0.27)
    const net = Math.round(salaries * 0.7)
    const deductions = salaries - net + ni
    journals.push({
      date: day(28),
      description: `Payroll for ${month}`,
      source: 'payroll',
      lines: [
        { accountCode: '51100000', amountMinor: salaries, spendClass: 'admin', ...corp },
        { accountCode: '51200000', amountMinor: ni, spendClass: 'admin', ...corp },
        { accountCode: '51300000', amountMinor: pension, spendClass: 'admin', ...corp },
        { accountCode: SYSTEM_ACCOUNTS.bank, amountMinor: -net },
        { accountCode: '22100000', amountMinor: -deductions },
        { accountCode: '22200000', amountMinor: -pension },
      ],
    })

    // Early in the month: last month's supplier invoices, tax and NI, and pension contributions paid;
    // for an arm's-length body, last month's fees received.
    const paid = unpaidInvoicesPence + deductionsOwedPence + pensionOwedPence
    const received = alb ? feesOwedPence : 0
    if (paid > 0 || received > 0)
      journals.push({
        date: day(5),
        description: `Payments and receipts, ${month}`,
        source: 'payables',
        lines: [
          ...(unpaidInvoicesPence > 0
            ? [{ accountCode: SYSTEM_ACCOUNTS.tradePayables, amountMinor: unpaidInvoicesPence }]
            : []),
          ...(deductionsOwedPence > 0 ? [{ accountCode: '22100000', amountMinor: deductionsOwedPence }] : []),
          ...(pensionOwedPence > 0 ? [{ accountCode: '22200000', amountMinor: pensionOwedPence }] : []),
          ...(received > 0
            ? [{ accountCode: SYSTEM_ACCOUNTS.tradeReceivables, amountMinor: -received }]
            : []),
          { accountCode: SYSTEM_ACCOUNTS.bank, amountMinor: received - paid },
        ],
      })
    // Cash drawn to cover the month: supply for departments, grant in aid for arm's-length bodies.
    const drawn = net + paid - received
    if (drawn > 0)
      journals.push({
        date: day(1),
        description: alb ? `Grant in aid received for ${month}` : `Supply drawn for ${month}`,
        source: 'manual',
        lines: [
          { accountCode: SYSTEM_ACCOUNTS.bank, amountMinor: drawn },
          { accountCode: SYSTEM_ACCOUNTS.generalFund, amountMinor: -drawn },
        ],
      })
    unpaidInvoicesPence = 0
    deductionsOwedPence = deductions
    pensionOwedPence = pension

    // Two supplier invoices a month; spend scales with the pay bill.
    for (let n = 0; n < 2; n++) {
      const supplier = SUPPLIERS[Math.floor(unit(`${key}:supplier:${n}`) * SUPPLIERS.length)]!
      const netPence = around(salariesPounds * 0.08, 0.5, `${key}:invoice:${n}`)
      const vatPence = supplier.vat ? Math.round(netPence / 5) : 0
      journals.push({
        date: day(12 + 6 * n),
        description: `${supplier.what}, ${month}`,
        reference: supplier.payee,
        source: 'payables',
        lines: [
          { accountCode: supplier.account, amountMinor: netPence, ...corp },
          ...(vatPence > 0 ? [{ accountCode: SYSTEM_ACCOUNTS.vatRecoverable, amountMinor: vatPence }] : []),
          { accountCode: SYSTEM_ACCOUNTS.tradePayables, amountMinor: -(netPence + vatPence) },
        ],
      })
      unpaidInvoicesPence += netPence + vatPence
    }

    // Arm's-length bodies charge fees, received the month after.
    if (alb) {
      feesOwedPence = around(salariesPounds * 0.25, 0.3, `${key}:fees`)
      journals.push({
        date: day(20),
        description: `Fees and charges invoiced, ${month}`,
        source: 'receivables',
        lines: [
          { accountCode: SYSTEM_ACCOUNTS.tradeReceivables, amountMinor: feesOwedPence },
          { accountCode: '41100000', amountMinor: -feesOwedPence, ...corp },
        ],
      })
    }

    // Quarter ends: facilities used but not yet invoiced, reversed on the first day of the next
    // quarter (the year-end accrual stays, reversed in the new year).
    if (period % 3 === 0) {
      const accrual = around(salariesPounds * 0.03, 0.3, `${key}:accrual`)
      journals.push({
        date: endsOn,
        description: `Accrual: facilities services not yet invoiced, quarter ${period / 3}`,
        source: 'manual',
        lines: [
          { accountCode: '52600000', amountMinor: accrual, ...corp },
          { accountCode: '21300000', amountMinor: -accrual },
        ],
      })
      if (period < 12)
        journals.push({
          date: periodDates(fiscalYear, period + 1).startsOn,
          description: `Reversal of the quarter ${period / 3} facilities accrual`,
          source: 'manual',
          lines: [
            { accountCode: '52600000', amountMinor: -accrual, ...corp },
            { accountCode: '21300000', amountMinor: accrual },
          ],
        })
    }
  }
  return journals
}

/** Recharges between organisations of one cluster: agreed ones (eliminated on consolidation) and one still open. */
const DEMO_RECHARGES = [
  {
    from: 'dsit',
    to: 'desnz',
    description: 'Shared digital service, first half',
    pounds: 84_000,
    agree: true,
  },
  { from: 'hm-treasury', to: 'dcms', description: 'Spending review secondees', pounds: 46_500, agree: true },
  { from: 'dbt', to: 'dsit', description: 'Export support programme costs', pounds: 12_750, agree: false },
] as const

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

    // Everyone else: a year of activity sized to the kind of body.
    const kinds = new Map(
      (await trx.selectFrom('organisations').select(['id', 'kind']).execute()).map((row) => [
        row.id,
        row.kind,
      ]),
    )
    for (const org of orgs) {
      if (org.id === cabinetOffice.id) continue
      const kind = kinds.get(org.id) ?? ''
      const alb = !kind.endsWith('department')
      const salariesPounds = alb
        ? 150_000 + Math.round(unit(`${org.code}:size`) * 1_850_000)
        : 2_000_000 + Math.round(unit(`${org.code}:size`) * 18_000_000)
      await ledger.postJournals(trx, org.id, yearOfActivity(org.code, years[0]!, salariesPounds, alb), null)
    }

    const byCode = new Map(orgs.map((org) => [org.code, org.id]))
    for (const recharge of DEMO_RECHARGES) {
      const from = byCode.get(recharge.from)
      const to = byCode.get(recharge.to)
      if (!from || !to) continue
      const date = periodDates(years[0]!, 6).endsOn
      const id = await recharges.raise(
        trx,
        from,
        {
          counterpartyCode: recharge.to,
          description: recharge.description,
          amountPence: recharge.pounds * 100,
          date,
        },
        null,
      )
      if (recharge.agree) await recharges.agree(trx, to, id, date, null)
    }
  },
}
