// Request schemas of the receivables API: strict (unknown fields refused), validated once at the edge.
import { Type } from 'typebox'
import { VAT_RATE_NAMES } from './vat.ts'

export const OrgParams = Type.Object({ orgCode: Type.String({ maxLength: 60 }) })
export const CustomerParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  customerId: Type.String({ format: 'uuid' }),
})
export const SalesInvoiceParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  invoiceId: Type.String({ format: 'uuid' }),
})
export const ReceiptParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  receiptId: Type.String({ format: 'uuid' }),
})

const Text = (maxLength: number, description?: string) =>
  Type.Optional(Type.String({ maxLength, ...(description ? { description } : {}) }))
const IsoDate = (description: string) => Type.String({ format: 'date', description })

export const SettingsBody = Type.Object(
  {
    legalName: Type.String({ maxLength: 200 }),
    addressLine1: Type.String({ maxLength: 200 }),
    addressLine2: Text(200),
    city: Type.String({ maxLength: 100 }),
    postcode: Type.String({ maxLength: 20 }),
    vatNumber: Type.String({ maxLength: 20 }),
    companyNumber: Text(20),
    peppolEndpoint: Text(210, 'Peppol participant id as scheme:value; default 9932:<VAT number>'),
    contactEmail: Text(254),
    bankAccountName: Type.String({ maxLength: 140 }),
    sortCode: Type.String({ maxLength: 20 }),
    accountNumber: Type.String({ maxLength: 20 }),
    iban: Text(50),
    invoicePrefix: Text(10, 'Invoice numbers are PREFIX-000001, default INV'),
    creditNotePrefix: Text(10, 'Credit note numbers are PREFIX-000001, default CRN'),
  },
  { additionalProperties: false },
)

export const CustomerBody = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    addressLine1: Type.String({ maxLength: 200 }),
    addressLine2: Text(200),
    city: Type.String({ maxLength: 100 }),
    postcode: Text(20),
    countryCode: Text(2, 'ISO 3166-1 alpha-2, default GB'),
    vatNumber: Text(20),
    companyNumber: Text(20),
    peppolEndpoint: Text(210, 'Peppol participant id as scheme:value, e.g. 0088:5060012349998'),
    contactEmail: Text(254),
    paymentTermsDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, description: 'Default 30' })),
    creditLimitPence: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Null or absent: no limit' }),
    ),
    publicBody: Type.Optional(
      Type.Boolean({ description: 'Another public body: its debt is held in 13200000, not 13100000' }),
    ),
  },
  { additionalProperties: false },
)

export const SalesLineBody = Type.Object(
  {
    description: Type.String({ maxLength: 500 }),
    accountCode: Type.String({ maxLength: 8, description: 'An income account (4xxxxxxx)' }),
    costCentreCode: Text(20),
    quantity: Type.String({ maxLength: 20, description: 'Decimal text, up to 4 places, more than 0' }),
    unitPrice: Type.String({
      maxLength: 20,
      description: 'Net unit price in pounds, decimal text, up to 4 places',
    }),
    vatRate: Type.Enum([...VAT_RATE_NAMES], { description: 'standard 20%, reduced 5%, zero, exempt' }),
  },
  { additionalProperties: false },
)

export const SalesInvoiceBody = Type.Object(
  {
    customerId: Type.String({ format: 'uuid' }),
    issueDate: Type.Optional(IsoDate('Default today')),
    dueDate: Type.Optional(IsoDate('Default: issue date plus the customer’s payment terms')),
    buyerReference: Text(100, 'The customer’s purchase order or reference (BT-10)'),
    note: Text(1000),
    lines: Type.Array(SalesLineBody, { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
)

export const CreditNoteBody = Type.Object(
  {
    issueDate: Type.Optional(IsoDate('Default today')),
    reason: Type.String({ maxLength: 1000 }),
    lines: Type.Optional(
      Type.Array(SalesLineBody, {
        minItems: 1,
        maxItems: 200,
        description: 'The lines credited; absent: every line of the invoice',
      }),
    ),
  },
  { additionalProperties: false },
)

export const SalesInvoiceListQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ format: 'uuid' })),
    kind: Type.Optional(Type.Enum(['invoice', 'credit-note'])),
    openOnly: Type.Optional(Type.Boolean({ description: 'Only invoices with something outstanding' })),
  },
  { additionalProperties: false },
)

const AllocationBody = Type.Object(
  { invoiceId: Type.String({ format: 'uuid' }), amountPence: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
)

export const ReceiptBody = Type.Object(
  {
    customerId: Type.String({ format: 'uuid' }),
    receivedOn: IsoDate('When the money arrived'),
    amountPence: Type.Integer({ minimum: 1 }),
    reference: Type.String({ maxLength: 140 }),
    allocations: Type.Optional(Type.Array(AllocationBody, { maxItems: 200 })),
  },
  { additionalProperties: false },
)

export const AllocationsBody = Type.Object(
  { allocations: Type.Array(AllocationBody, { minItems: 1, maxItems: 200 }) },
  { additionalProperties: false },
)

export const ReceiptListQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ format: 'uuid' })),
    unallocatedOnly: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const AgedDebtorsQuery = Type.Object(
  {
    asOf: Type.Optional(IsoDate('Default today')),
    format: Type.Optional(Type.Enum(['json', 'csv', 'xlsx'], { default: 'json' })),
  },
  { additionalProperties: false },
)

export const StatementQuery = Type.Object(
  {
    from: Type.Optional(IsoDate('Default: 1 year before `to`')),
    to: Type.Optional(IsoDate('Default today')),
  },
  { additionalProperties: false },
)
