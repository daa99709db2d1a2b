// Request and response schemas of the ledger API.
import { Type } from 'typebox'

export const OrgParams = Type.Object({ orgCode: Type.String({ maxLength: 60 }) })

export const JournalLineSchema = Type.Object(
  {
    accountCode: Type.String({ pattern: '^[0-9]{8}$' }),
    costCentreCode: Type.Optional(Type.String({ maxLength: 20 })),
    projectCode: Type.Optional(Type.String({ maxLength: 20 })),
    controlTotal: Type.Optional(Type.Enum(['DEL', 'AME'])),
    budgetClass: Type.Optional(Type.Enum(['resource', 'capital'])),
    spendClass: Type.Optional(Type.Enum(['admin', 'programme'])),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    amountMinor: Type.Integer({
      description:
        'Signed amount in the currency’s minor units (pence for GBP): debits positive, credits negative',
    }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)

export const JournalSchema = Type.Object(
  {
    date: Type.String({ format: 'date' }),
    description: Type.String({ minLength: 1, maxLength: 500 }),
    reference: Type.Optional(Type.String({ maxLength: 100 })),
    lines: Type.Array(JournalLineSchema, { minItems: 2, maxItems: 10_000 }),
  },
  { additionalProperties: false },
)

export const JournalBatch = Type.Object(
  { journals: Type.Array(JournalSchema, { minItems: 1, maxItems: 10_000 }) },
  { additionalProperties: false },
)

export const PostedJournalSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.Integer(),
  fiscalYear: Type.Integer(),
  period: Type.Integer(),
  date: Type.String({ format: 'date' }),
  lineCount: Type.Integer(),
  totalPence: Type.Integer(),
})

export const PeriodQuery = Type.Object(
  {
    fiscalYear: Type.Integer({ minimum: 2000, maximum: 2200, description: 'Starting year: 2026 is 2026-27' }),
    period: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, default: 12 })),
  },
  { additionalProperties: false },
)

export const TrialBalanceSchema = Type.Object({
  fiscalYear: Type.Integer(),
  period: Type.Integer(),
  totalDebitPence: Type.Integer(),
  totalCreditPence: Type.Integer(),
  rows: Type.Array(
    Type.Object({
      accountCode: Type.String(),
      accountName: Type.String(),
      standardCode: Type.String(),
      kind: Type.String(),
      debitPence: Type.Integer(),
      creditPence: Type.Integer(),
      balancePence: Type.Integer(),
    }),
  ),
})

export const ReversalRequest = Type.Object(
  { date: Type.String({ format: 'date' }) },
  { additionalProperties: false },
)

export const PeriodChange = Type.Object(
  { status: Type.Enum(['open', 'closed', 'locked']) },
  { additionalProperties: false },
)

export const RecurringJournalSchema = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: 500 }),
    dayOfMonth: Type.Integer({ minimum: 1, maximum: 28 }),
    startsOn: Type.String({ format: 'date' }),
    endsOn: Type.Optional(Type.String({ format: 'date' })),
    lines: Type.Array(JournalLineSchema, { minItems: 2, maxItems: 1000 }),
  },
  { additionalProperties: false },
)
