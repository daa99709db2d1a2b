// Request and response schemas of the budgets API.
import { Type } from 'typebox'

export const BudgetAdjustmentSchema = Type.Object(
  {
    kind: Type.Optional(Type.Enum(['budget', 'forecast'], { default: 'budget' })),
    fiscalYear: Type.Integer({ minimum: 2000, maximum: 2200, description: 'Starting year: 2026 is 2026-27' }),
    period: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 12, description: 'Left out: spread evenly over the 12 periods' }),
    ),
    accountCode: Type.String({ pattern: '^[0-9]{8}$' }),
    costCentreCode: Type.String({ minLength: 1, maxLength: 20 }),
    controlTotal: Type.Optional(Type.Enum(['DEL', 'AME'])),
    budgetClass: Type.Optional(Type.Enum(['resource', 'capital'])),
    spendClass: Type.Optional(Type.Enum(['admin', 'programme'])),
    amountPence: Type.Integer({
      description: 'Signed change in pence, like the ledger: expenditure positive, income negative',
    }),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
)

export const BudgetBatchSchema = Type.Object(
  { adjustments: Type.Array(BudgetAdjustmentSchema, { minItems: 1, maxItems: 50_000 }) },
  { additionalProperties: false },
)

export const BudgetBatchResultSchema = Type.Object({
  batchId: Type.String({ format: 'uuid' }),
  adjustmentCount: Type.Integer(),
  netPence: Type.Integer(),
})

export const BudgetQuery = Type.Object(
  {
    fiscalYear: Type.Integer({ minimum: 2000, maximum: 2200 }),
    kind: Type.Optional(Type.Enum(['budget', 'forecast'])),
    toPeriod: Type.Optional(Type.Integer({ minimum: 1, maximum: 12 })),
  },
  { additionalProperties: false },
)

export const BudgetLineSchema = Type.Object({
  kind: Type.String(),
  fiscalYear: Type.Integer(),
  accountCode: Type.String(),
  accountName: Type.String(),
  standardCode: Type.String(),
  costCentreCode: Type.String(),
  controlTotal: Type.String(),
  budgetClass: Type.String(),
  spendClass: Type.String(),
  fullYearPence: Type.Integer(),
  toDatePence: Type.Integer(),
  adjustmentCount: Type.Integer(),
})

export const AdjustmentQuery = Type.Object(
  {
    fiscalYear: Type.Integer({ minimum: 2000, maximum: 2200 }),
    accountCode: Type.Optional(Type.String({ pattern: '^[0-9]{8}$' })),
    costCentreCode: Type.Optional(Type.String({ maxLength: 20 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  },
  { additionalProperties: false },
)

export const AdjustmentRowSchema = Type.Object({
  batchId: Type.String(),
  lineNo: Type.Integer(),
  kind: Type.String(),
  fiscalYear: Type.Integer(),
  period: Type.Integer(),
  accountCode: Type.String(),
  costCentreCode: Type.String(),
  controlTotal: Type.String(),
  budgetClass: Type.String(),
  spendClass: Type.String(),
  amountPence: Type.Integer(),
  reason: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
})
