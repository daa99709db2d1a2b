// Payables, the public face of the folder: the composition root wires payablesRoutes into the app
// and payablesDemo into the demo world. Importing this also declares the payables tables to Kysely.
import './tables.ts'

export { payablesDemo } from './demo.ts'
export { InvoiceService } from './invoices.ts'
export { payablesPaths } from './pages.ts'
export { PaymentRunService } from './payment-runs.ts'
export { createPayablesServices, type PayablesServices, payablesRoutes } from './routes.ts'
export { StatementService } from './statements.ts'
export { SupplierService } from './suppliers.ts'
