// Budgets and forecasts: the public face of src/finance/budgets for the composition root.

import { budgetsRoutes as routesOver } from './routes.ts'
import { BudgetsService } from './service.ts'

export { budgetsDemo } from './demo.ts'
export { BudgetImportError, importBudgetCsv, readBudgetCsv } from './import.ts'
export { budgetsPaths } from './routes.ts'
export { type BudgetAdjustmentInput, type BudgetLine, BudgetsService } from './service.ts'

/** The budgets routes; `services.budgets` is used when the composition root provides one. */
export function budgetsRoutes(services: { budgets?: BudgetsService } & Record<string, unknown> = {}) {
  return routesOver(services.budgets ?? new BudgetsService())
}
