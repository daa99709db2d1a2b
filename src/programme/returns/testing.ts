// Test support: a complete, valid quarterly return to start from.
import type { ReturnFigures } from '../return-schema.ts'

/** A valid return for `organisation` and `quarter`; override sections to make it wrong. */
export function sampleReturn(organisation: string, quarter: string, scale = 1): ReturnFigures {
  const payslips = 3000 * scale
  const invoicesProcessed = 2000 * scale
  const backOfficeCostPence = 50_000_000 * scale
  return {
    schemaVersion: '1.0',
    organisation,
    quarter,
    migrationStatus: 'not_planned',
    workforce: { headcount: 1000 * scale, fte: 950.5 * scale, joiners: 30 * scale, leavers: 25 * scale },
    payroll: { payslips, grossPayPence: 1_000_000_00 * scale },
    finance: {
      invoicesProcessed,
      paidWithin5DaysPercent: 80.5,
      paidWithin30DaysPercent: 97.2,
      backOfficeCostPence,
      costPerTransactionPence: Math.round(backOfficeCostPence / (payslips + invoicesProcessed)),
    },
    convergence: {
      commonChartOfAccountsPercent: 90,
      invoicesWithPurchaseOrderPercent: 75.5,
      jmlThroughStandardProcessPercent: 60,
      hrDataStandardCompletenessPercent: 88.8,
      straightThroughInvoicesPercent: 40,
      standardPayElementsPercent: 95,
    },
  }
}
