// Procurement, the public face of the folder: the composition root wires procurementRoutes into
// the app and procurementDemo into the demo world. Importing this also declares the tables.
import './tables.ts'

export { procurementDemo } from './demo.ts'
export { procurementPaths } from './pages.ts'
export { createProcurementServices, type ProcurementServices, procurementRoutes } from './routes.ts'
