// GSS's starter standard chart, shaped like HM Treasury's Common Chart of Accounts: 8-digit codes,
// the last two digits free for an organisation's own analysis and reported as 00. These codes are
// GSS's own demonstration set grouped by the first digit (1 assets, 2 liabilities, 3 reserves,
// 4 income, 5 expenditure); they are not HM Treasury's codes. A deployment loads the published
// Common Chart of Accounts (about 4,000 codes) into standard_accounts in their place.
import { minorUnitExponent } from './payments/currency.ts'
import type { AccountKind } from './tables.ts'

export interface StandardAccount {
  code: string
  name: string
  kind: AccountKind
}

const a = (code: string, name: string, kind: AccountKind): StandardAccount => ({ code, name, kind })

export const STANDARD_ACCOUNTS: readonly StandardAccount[] = [
  a('11100000', 'Intangible assets: software', 'asset'),
  a('12100000', 'Property, plant and equipment: buildings', 'asset'),
  a('12200000', 'Property, plant and equipment: IT hardware', 'asset'),
  a('12900000', 'Accumulated depreciation', 'asset'),
  a('13100000', 'Trade receivables', 'asset'),
  a('13200000', 'Receivables from other government bodies', 'asset'),
  a('13300000', 'Prepayments and accrued income', 'asset'),
  a('13400000', 'VAT recoverable', 'asset'),
  a('14100000', 'Cash at bank: Government Banking Service', 'asset'),
  a('14200000', 'Cash at bank: overseas accounts', 'asset'),
  a('21100000', 'Trade payables', 'liability'),
  a('21200000', 'Payables to other government bodies', 'liability'),
  a('21300000', 'Accruals and deferred income', 'liability'),
  a('21400000', 'VAT payable', 'liability'),
  a('22100000', 'PAYE and National Insurance payable', 'liability'),
  a('22200000', 'Pension contributions payable', 'liability'),
  a('22300000', 'Net pay control', 'liability'),
  a('22400000', 'Other payroll deductions payable', 'liability'),
  a('23100000', 'Provisions', 'liability'),
  a('29900000', 'Suspense', 'liability'),
  a('31100000', 'General fund', 'reserve'),
  a('31200000', 'Revaluation reserve', 'reserve'),
  a('41100000', 'Fees and charges income', 'income'),
  a('41200000', 'Recharges to other government bodies', 'income'),
  a('41300000', 'Grant income', 'income'),
  a('41900000', 'Other operating income', 'income'),
  a('51100000', 'Staff costs: salaries and wages', 'expenditure'),
  a('51200000', 'Staff costs: employer National Insurance', 'expenditure'),
  a('51300000', 'Staff costs: employer pension contributions', 'expenditure'),
  a('51400000', 'Staff costs: agency and contractors', 'expenditure'),
  a('52100000', 'IT services and software', 'expenditure'),
  a('52200000', 'Consultancy', 'expenditure'),
  a('52300000', 'Accommodation: rent and rates', 'expenditure'),
  a('52400000', 'Travel and subsistence', 'expenditure'),
  a('52500000', 'Training and development', 'expenditure'),
  a('52600000', 'Office supplies and services', 'expenditure'),
  a('52700000', 'Recharges from other government bodies', 'expenditure'),
  a('53100000', 'Grants paid', 'expenditure'),
  a('54100000', 'Depreciation and amortisation', 'expenditure'),
  a('55100000', 'Exchange rate gains and losses', 'expenditure'),
]

/** Accounts the ledger itself posts to. */
export const SYSTEM_ACCOUNTS = {
  generalFund: '31100000',
  exchangeDifferences: '55100000',
  tradePayables: '21100000',
  tradeReceivables: '13100000',
  bank: '14100000',
  vatRecoverable: '13400000',
  vatPayable: '21400000',
} as const

export interface Currency {
  code: string
  name: string
  minorUnits: number
}

/** The currencies the ledger holds (the Overseas cluster pays in many); minor units per ISO 4217. */
export const CURRENCIES: readonly Currency[] = (
  [
    ['GBP', 'Pound sterling'],
    ['EUR', 'Euro'],
    ['USD', 'US dollar'],
    ['CHF', 'Swiss franc'],
    ['JPY', 'Japanese yen'],
    ['CAD', 'Canadian dollar'],
    ['AUD', 'Australian dollar'],
    ['INR', 'Indian rupee'],
    ['KES', 'Kenyan shilling'],
    ['NGN', 'Nigerian naira'],
    ['ZAR', 'South African rand'],
    ['AED', 'UAE dirham'],
    ['CNY', 'Chinese yuan'],
    ['KWD', 'Kuwaiti dinar'],
    ['BHD', 'Bahraini dinar'],
    ['PKR', 'Pakistani rupee'],
  ] as const
).map(([code, name]) => {
  const minorUnits = minorUnitExponent(code)
  if (minorUnits === undefined) throw new Error(`No ISO 4217 minor units for ${code}`)
  return { code, name, minorUnits }
})

const LEDGER_MINOR_UNITS = new Map(CURRENCIES.map((currency) => [currency.code, currency.minorUnits]))
/** Minor units of a currency the ledger holds, or undefined for one it does not. */
export function ledgerMinorUnits(currency: string): number | undefined {
  return LEDGER_MINOR_UNITS.get(currency)
}

/** The financial year (April to March) a date falls in, as its starting year, and its period. */
export function fiscalPeriodOf(isoDate: string): { fiscalYear: number; period: number } {
  const year = Number(isoDate.slice(0, 4))
  const month = Number(isoDate.slice(5, 7))
  return month >= 4 ? { fiscalYear: year, period: month - 3 } : { fiscalYear: year - 1, period: month + 9 }
}

/** "2026-27" for fiscal year 2026. */
export function fiscalYearLabel(fiscalYear: number): string {
  return `${fiscalYear}-${String((fiscalYear + 1) % 100).padStart(2, '0')}`
}

/** The first and last day of a period. */
export function periodDates(fiscalYear: number, period: number): { startsOn: string; endsOn: string } {
  const monthIndex = (period + 2) % 12 // April = 3
  const year = period <= 9 ? fiscalYear : fiscalYear + 1
  const start = new Date(Date.UTC(year, monthIndex, 1))
  const end = new Date(Date.UTC(year, monthIndex + 1, 0))
  return { startsOn: start.toISOString().slice(0, 10), endsOn: end.toISOString().slice(0, 10) }
}
