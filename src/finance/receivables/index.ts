// Receivables, the public face of the folder: the composition root wires receivablesRoutes into
// the app and receivablesDemo into the demo world. Importing this also declares the tables to Kysely.
import './tables.ts'

export { agedDebtors, customerStatement } from './aged.ts'
export { CustomerService } from './customers.ts'
export { receivablesDemo } from './demo.ts'
export { SalesInvoiceService } from './invoices.ts'
export { receivablesPaths } from './pages.ts'
export { ReceiptService } from './receipts.ts'
export { createReceivablesServices, type ReceivablesServices, receivablesRoutes } from './routes.ts'
export { SettingsService } from './settings.ts'
