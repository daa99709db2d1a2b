// Test support for budgets and reports: the application shell with the platform, ledger, budgets
// and reports routes over a fresh demo world (with the budgets demo), built here because the
// composition root (src/app.ts) does not wire these modules in yet.

import { createServices } from '../../app.ts'
import type { AuthService } from '../../platform/auth/service.ts'
import { type App, buildShell } from '../../platform/http/app.ts'
import { platformRoutes } from '../../platform/http/routes.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { budgetsDemo, budgetsRoutes } from '../budgets/index.ts'
import { financeRoutes } from '../routes.ts'
import { reportsRoutes } from './index.ts'

export interface ReportsTestApp extends TestDatabase {
  app: App
  auth: AuthService
}

export async function createReportsTestApp(): Promise<ReportsTestApp> {
  const testDb = await createTestDatabase({ seed: true })
  // Once src/demo/seed.ts lists budgetsDemo, the demo world already has its budgets.
  const seeded = await testDb.db.admin.selectFrom('budget_batches').select('id').limit(1).execute()
  if (seeded.length === 0) await testDb.db.adminTransaction((trx) => budgetsDemo.seed(trx), 'demo:budgets')
  // The composition root's own services, passed the way src/app.ts will pass them.
  const services = createServices(testDb.db, testDb.config)
  const auth = services.auth
  const app = await buildShell({
    config: testDb.config,
    db: testDb.db,
    auth,
    navigation: [],
    modules: [
      platformRoutes({ config: testDb.config, db: testDb.db, auth, oidc: undefined, domains: [] }),
      financeRoutes(services.ledger),
      budgetsRoutes(services),
      reportsRoutes(services),
    ],
  })
  await app.ready()
  return {
    ...testDb,
    app,
    auth,
    close: async () => {
      await app.close()
      await testDb.close()
    },
  }
}
