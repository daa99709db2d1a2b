import { rates2022to23 } from './2022-23.ts'
import { rates2023to24 } from './2023-24.ts'
import { rates2025to26 } from './2025-26.ts'
import { rates2026to27 } from './2026-27.ts'
import { NI_THRESHOLD_NAMES, STUDENT_LOAN_PLANS, type TaxYearRates } from './types.ts'

// The registry of tax years. Adding a year is a data change: write rates/YYYY-YY.ts (copy the
// latest year and change the figures) and list it here. No engine code changes.
const ALL_YEARS: readonly TaxYearRates[] = [rates2022to23, rates2023to24, rates2025to26, rates2026to27]

/**
 * Consistency checks on one year's data, so a mistyped new year fails loudly at start-up rather
 * than giving wrong pay. Returns the problems found (empty when the data is usable).
 */
export function checkTaxYearRates(rates: TaxYearRates): string[] {
  const problems: string[] = []
  const where = rates.taxYear
  if (!/^\d{4}-\d{2}$/.test(rates.taxYear)) problems.push(`${where}: taxYear must look like 2025-26`)
  const blocks = rates.incomeTax.freePayPer500Block
  if (!Number.isInteger(blocks.weeklyPence) || !Number.isInteger(blocks.monthlyPence)) {
    problems.push(`${where}: freePayPer500Block must be integer pence`)
  }
  for (const regimeName of ['restOfUk', 'scotland', 'wales'] as const) {
    const regime = rates.incomeTax[regimeName]
    let previous = 0
    regime.bands.forEach((band, index) => {
      const last = index === regime.bands.length - 1
      if (!Number.isInteger(band.rateBasisPoints) || band.rateBasisPoints < 0) {
        problems.push(`${where} ${regimeName} ${band.name}: rate must be whole basis points`)
      }
      if (last !== (band.upToPounds === null)) {
        problems.push(`${where} ${regimeName}: only the last band has no upper limit`)
      }
      if (band.upToPounds !== null) {
        if (!Number.isInteger(band.upToPounds) || band.upToPounds <= previous) {
          problems.push(`${where} ${regimeName} ${band.name}: limits must be whole pounds, rising`)
        }
        previous = band.upToPounds
      }
    })
    if (!regime.bands.some((band) => band.name === regime.basicRateBand)) {
      problems.push(`${where} ${regimeName}: basicRateBand ${regime.basicRateBand} is not a band`)
    }
  }
  const segments = rates.nationalInsurance.segments
  if (segments[0]?.fromTaxWeek !== 1 || segments[0]?.fromTaxMonth !== 1) {
    problems.push(`${where}: the first NI segment must start at week 1 / month 1`)
  }
  segments.forEach((segment, index) => {
    const before = segments[index - 1]
    if (
      before &&
      (segment.fromTaxWeek <= before.fromTaxWeek || segment.fromTaxMonth <= before.fromTaxMonth)
    ) {
      problems.push(`${where}: NI segments must be in order of start week and month`)
    }
    for (const name of NI_THRESHOLD_NAMES) {
      const threshold = segment.thresholds[name]
      const values = [threshold.weeklyPounds, threshold.monthlyPounds, threshold.annualPounds]
      if (!values.every((value) => Number.isInteger(value) && value >= 0)) {
        problems.push(`${where}: NI threshold ${name} must be whole pounds`)
      }
    }
    for (const [letter, category] of Object.entries(segment.categories)) {
      if (!/^[A-Z]$/.test(letter))
        problems.push(`${where}: NI category "${letter}" must be one capital letter`)
      for (const band of [...category.employee, ...category.employer]) {
        if (!Number.isInteger(band[2]) || band[2] < 0) {
          problems.push(`${where}: NI category ${letter} rates must be whole basis points`)
        }
      }
    }
  })
  for (const plan of STUDENT_LOAN_PLANS) {
    const loan = rates.studentLoans.plans[plan]
    if (loan && (!Number.isInteger(loan.annualThresholdPounds) || !Number.isInteger(loan.rateBasisPoints))) {
      problems.push(`${where}: student loan plan ${plan} must be whole pounds and basis points`)
    }
  }
  return problems
}

const byYear = new Map<string, TaxYearRates>()
for (const year of ALL_YEARS) {
  const problems = checkTaxYearRates(year)
  if (problems.length > 0) throw new Error(`Bad payroll rates data: ${problems.join('; ')}`)
  if (byYear.has(year.taxYear)) throw new Error(`Bad payroll rates data: ${year.taxYear} is listed twice`)
  byYear.set(year.taxYear, year)
}

/** Every tax year the engine holds, oldest first. */
export const ALL_TAX_YEARS: readonly string[] = ALL_YEARS.map((year) => year.taxYear)

/** The tax years `gss payroll calc` accepts, oldest first. */
export const CALCULATOR_TAX_YEARS: readonly string[] = ALL_YEARS.filter(
  (year) => year.offeredByCalculator,
).map((year) => year.taxYear)

export function getTaxYearRates(taxYear: string): TaxYearRates | undefined {
  return byYear.get(taxYear)
}

/** For tests and tools: the rates for a year that must exist. */
export function requireTaxYearRates(taxYear: string): TaxYearRates {
  const rates = byYear.get(taxYear)
  if (rates === undefined) throw new Error(`No payroll rates for tax year ${taxYear}`)
  return rates
}
