// Request schemas of the payables API: strict (unknown fields refused), validated once at the edge.
import { Type } from 'typebox'

export const OrgParams = Type.Object({ orgCode: Type.String({ maxLength: 60 }) })
export const SupplierParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  supplierId: Type.String({ format: 'uuid' }),
})
export const InvoiceParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  invoiceId: Type.String({ format: 'uuid' }),
})
export const RunParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  runId: Type.String({ format: 'uuid' }),
})

const Text = (maxLength: number) => Type.Optional(Type.String({ maxLength }))

export const SupplierBody = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    companyNumber: Text(20),
    vatNumber: Text(20),
    sortCode: Text(20),
    accountNumber: Text(20),
    iban: Text(50),
    bic: Text(20),
    peppolEndpoint: Text(210),
    sme: Type.Optional(Type.Boolean()),
    defaultAccountCode: Type.Optional(Type.String({ pattern: '^[0-9]{8}$' })),
  },
  { additionalProperties: false },
)

export const InvoiceLineBody = Type.Object(
  {
    description: Type.String({ maxLength: 500 }),
    accountCode: Type.String({ maxLength: 8 }),
    costCentreCode: Text(20),
    netPence: Type.Integer({ description: 'Net amount in pence (positive; a credit note is positive too)' }),
    vatPence: Type.Integer({ minimum: 0 }),
    vatRatePercent: Text(10),
  },
  { additionalProperties: false },
)

export const InvoiceBody = Type.Object(
  {
    supplierId: Type.String({ format: 'uuid' }),
    kind: Type.Optional(Type.Enum(['invoice', 'credit-note'])),
    supplierReference: Type.String({ maxLength: 100 }),
    issueDate: Type.String({ maxLength: 10 }),
    receiptDate: Type.Optional(
      Type.String({
        maxLength: 10,
        description: 'When it arrived; defaults to today (starts the prompt-payment clock)',
      }),
    ),
    dueDate: Type.Optional(Type.String({ maxLength: 10 })),
    spendType: Type.Optional(Type.String({ maxLength: 40 })),
    description: Text(500),
    novelOrContentious: Type.Optional(Type.Boolean()),
    lines: Type.Array(InvoiceLineBody, { minItems: 1, maxItems: 1_000 }),
  },
  { additionalProperties: false },
)

export const EInvoiceQuery = Type.Object(
  {
    receiptDate: Type.Optional(Type.String({ format: 'date' })),
    spendType: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
)

export const InvoiceListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(['received', 'approved', 'scheduled', 'paid', 'rejected'])),
    supplierId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
)

export const RejectionBody = Type.Object(
  { reason: Type.String({ maxLength: 500 }) },
  { additionalProperties: false },
)
export const ConsentBody = Type.Object(
  { reference: Type.String({ maxLength: 100 }) },
  { additionalProperties: false },
)

export const ApprovalLimitBody = Type.Object(
  {
    spendType: Type.String({ maxLength: 40 }),
    level: Type.Integer({ minimum: 1, maximum: 20 }),
    title: Type.String({ maxLength: 100 }),
    limitPence: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
)

export const ApproverBody = Type.Object(
  { userId: Type.String({ format: 'uuid' }), level: Type.Integer({ minimum: 1, maximum: 20 }) },
  { additionalProperties: false },
)

export const PaymentSettingsBody = Type.Object(
  {
    debtorName: Type.String({ maxLength: 140 }),
    sortCode: Type.String({ maxLength: 20 }),
    accountNumber: Type.String({ maxLength: 20 }),
    bic: Text(20),
    bacsServiceUserNumber: Type.String({ maxLength: 6 }),
    bacsServiceUserName: Type.String({ maxLength: 18 }),
  },
  { additionalProperties: false },
)

export const PaymentRunBody = Type.Object(
  {
    dueBy: Type.String({ format: 'date', description: 'Pay approved invoices due on or before this date' }),
    payDate: Type.String({ format: 'date', description: 'Bacs processing day and requested execution date' }),
  },
  { additionalProperties: false },
)

export const IdempotencyRequired = Type.Object({
  'idempotency-key': Type.String({
    minLength: 1,
    maxLength: 255,
    description: 'Required: a retried payment run with the same key returns the same run and files.',
  }),
})
