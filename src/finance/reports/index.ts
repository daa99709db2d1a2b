// Financial reports: the public face of src/finance/reports for the composition root.
import type { LedgerService } from '../ledger.ts'
import { reportsRoutesOver } from './routes.ts'
import { ReportsService } from './service.ts'

export { type ReportTable, toCsv, toXlsx } from './export.ts'
export { REPORTS, reportsPaths } from './routes.ts'
export { ReportsService } from './service.ts'

/**
 * The reports routes (API, pages and the cluster view), in the shape of financeRoutes. Takes the
 * composition root's services; `services.reports` is used when it provides one.
 */
export function reportsRoutes(
  services: { reports?: ReportsService; ledger?: LedgerService } & Record<string, unknown> = {},
) {
  return reportsRoutesOver(services.reports ?? new ReportsService(), services.ledger)
}
