// The HR data standard (export of its five areas, bulk import of people): the public face of
// src/hr/standard for the composition root.
import { hrStandardRoutes as routes } from './routes.ts'

export { AREA_DEFINITIONS, areaJsonSchema, STANDARD_AREAS, type StandardArea } from './areas.ts'
export { exportArea, exportCsv } from './export.ts'
export { importPeopleCsv, PEOPLE_IMPORT_COLUMNS } from './import.ts'
export { standardPaths } from './routes.ts'

/** The HR data standard routes (API, pages, import). Takes the composition root's services. */
export function hrStandardRoutes(_services: Record<string, unknown> = {}) {
  return routes()
}
