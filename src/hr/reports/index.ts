// Headcount and FTE reports: the public face of src/hr/reports for the composition root.
import { hrReportsRoutes } from './routes.ts'
import { HeadcountService } from './service.ts'

export { headcountPaths, headcountTable } from './routes.ts'
export { type HeadcountReport, type HeadcountRow, HeadcountService } from './service.ts'

/** The headcount routes (API, page, cluster view); `services.headcount` is used when provided. */
export function hrHeadcountRoutes(services: { headcount?: HeadcountService } & Record<string, unknown> = {}) {
  return hrReportsRoutes(services.headcount ?? new HeadcountService())
}
