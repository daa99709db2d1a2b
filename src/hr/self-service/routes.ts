// Self-service over HTTP: the API and the pages, from the same SelfService.
import type { LedgerService } from '../../finance/ledger.ts'
import type { App } from '../../platform/http/app.ts'
import '../absence/tables.ts'
import '../expenses/tables.ts'
import { selfServiceApi } from './api.ts'
import { selfServicePages } from './pages.ts'
import { SelfService } from './service.ts'

export function selfServiceRoutes(services: { ledger: LedgerService }) {
  const self = new SelfService(services.ledger)
  return async (app: App) => {
    await selfServiceApi(app, self)
    await selfServicePages(app, self)
  }
}
