// HMRC approved mileage allowance payments (AMAP), held as dated data like payroll's rates: the
// most an employer may pay tax-free per business mile in an employee's own vehicle. Cars and vans:
// 45p a mile for the first 10,000 business miles in the tax year (6 April to 5 April), 25p after;
// motorcycles 24p; bicycles 20p (unchanged since 6 April 2011). Pure functions; no floats: miles
// are handled in tenths and the amount is rounded half up to the penny.
import type { Vehicle } from './tables.ts'

export interface MileageBand {
  /** Business miles already travelled in the tax year from which this band applies. */
  fromMiles: number
  pencePerMile: number
}

export interface MileageRates {
  validFrom: string
  bands: Readonly<Record<Vehicle, readonly MileageBand[]>>
}

export const MILEAGE_RATES: readonly MileageRates[] = [
  {
    validFrom: '2011-04-06',
    bands: {
      car: [
        { fromMiles: 0, pencePerMile: 45 },
        { fromMiles: 10_000, pencePerMile: 25 },
      ],
      motorcycle: [{ fromMiles: 0, pencePerMile: 24 }],
      bicycle: [{ fromMiles: 0, pencePerMile: 20 }],
    },
  },
]

/** The rates in force on a date (the latest valid_from on or before it). */
export function mileageRatesOn(date: string): MileageRates {
  const rates = [...MILEAGE_RATES].reverse().find((candidate) => candidate.validFrom <= date)
  if (!rates) throw new Error(`No mileage rates before ${MILEAGE_RATES[0]!.validFrom}`)
  return rates
}

/** The UK tax year containing a date: 6 April to 5 April. */
export function taxYearOf(date: string): { start: string; end: string } {
  const year = Number(date.slice(0, 4))
  const startYear = date.slice(5) >= '04-06' ? year : year - 1
  return { start: `${startYear}-04-06`, end: `${startYear + 1}-04-05` }
}

/** "12.5" miles to tenths (125). */
export function milesToTenths(miles: string | number): number {
  const match = /^(\d{1,5})(?:\.(\d))?$/.exec(String(miles).trim())
  if (!match) throw new Error(`not a number of miles to one decimal place: ${miles}`)
  return Number(match[1]) * 10 + Number(match[2] ?? 0)
}

export interface MileageAmount {
  amountPence: number
  /** How the amount was reached, for the claim and the approver: "100 miles at 45p". */
  explanation: string
}

/**
 * The allowance for `miles` in a vehicle, given the business miles already claimed in the same tax
 * year (for cars and vans: all cars and vans together). A journey crossing the 10,000-mile mark is
 * split between the bands.
 */
export function mileageAllowance(
  vehicle: Vehicle,
  miles: string | number,
  priorMiles: string | number,
  date: string,
): MileageAmount {
  const bands = mileageRatesOn(date).bands[vehicle]
  const start = milesToTenths(priorMiles)
  const end = start + milesToTenths(miles)
  let tenthPence = 0
  const parts: string[] = []
  bands.forEach((band, index) => {
    const bandStart = band.fromMiles * 10
    const bandEnd = bands[index + 1] ? bands[index + 1]!.fromMiles * 10 : Number.POSITIVE_INFINITY
    const covered = Math.max(0, Math.min(end, bandEnd) - Math.max(start, bandStart))
    if (covered === 0) return
    tenthPence += covered * band.pencePerMile
    parts.push(`${covered / 10} miles at ${band.pencePerMile}p`)
  })
  // tenthPence is pence x 10: round half up to the penny.
  return { amountPence: Math.floor((tenthPence + 5) / 10), explanation: parts.join(' and ') }
}
