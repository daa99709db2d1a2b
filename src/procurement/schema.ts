// Request schemas of the procurement API: strict (unknown fields refused), validated at the edge.
import { Type } from 'typebox'

const Org = { orgCode: Type.String({ maxLength: 60 }) }
export const OrgParams = Type.Object(Org)
export const OrderParams = Type.Object({ ...Org, orderId: Type.String({ format: 'uuid' }) })
export const InvoiceParams = Type.Object({ ...Org, invoiceId: Type.String({ format: 'uuid' }) })
export const SupplierParams = Type.Object({ ...Org, supplierId: Type.String({ format: 'uuid' }) })
export const ContractParams = Type.Object({ ...Org, contractId: Type.String({ format: 'uuid' }) })
export const ClusterParams = Type.Object({ code: Type.String({ maxLength: 60 }) })
export const StageParams = Type.Object({
  ...Org,
  stage: Type.Enum(['planning', 'tender', 'award', 'contract']),
})

const Text = (maxLength: number) => Type.Optional(Type.String({ maxLength }))
const Quantity = Type.Union([Type.String({ maxLength: 20 }), Type.Number()], {
  description: 'A positive decimal with at most 3 places, as text ("2.5") or a number',
})
const Pence = (description: string) => Type.Integer({ minimum: 0, description })

export const ContactBody = Type.Object(
  { name: Type.String({ maxLength: 200 }), role: Text(100), email: Text(200), phone: Text(40) },
  { additionalProperties: false },
)

export const ProcurementSupplierBody = Type.Object(
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
    vcse: Type.Optional(Type.Boolean()),
    cdpIdentifier: Type.Optional(
      Type.String({ maxLength: 80, description: 'Central Digital Platform id, e.g. GB-PPON:PABC-1234-DEFG' }),
    ),
    defaultAccountCode: Type.Optional(Type.String({ pattern: '^[0-9]{8}$' })),
    contacts: Type.Optional(Type.Array(ContactBody, { maxItems: 20 })),
    confirmNotDuplicate: Type.Optional(
      Type.Boolean({ description: 'Set after checking a possible duplicate by name' }),
    ),
  },
  { additionalProperties: false },
)

export const SupplierFlagsBody = Type.Object(
  {
    sme: Type.Optional(Type.Boolean()),
    vcse: Type.Optional(Type.Boolean()),
    cdpIdentifier: Type.Optional(Type.Union([Type.String({ maxLength: 80 }), Type.Null()])),
  },
  { additionalProperties: false },
)

export const DuplicatesQuery = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)

export const SettingsBody = Type.Object(
  {
    priceTolerancePercent: Type.Optional(Type.String({ maxLength: 6 })),
    priceTolerancePence: Type.Optional(Pence('Absolute unit-price tolerance in pence')),
    quantityTolerancePercent: Type.Optional(Type.String({ maxLength: 6 })),
    ocidPrefix: Type.Optional(
      Type.String({ maxLength: 11, description: 'ocds- and the 6 characters assigned by OCDS' }),
    ),
    noPoPolicy: Type.Optional(
      Type.Union([Type.Literal('not-adopted'), Type.Literal('exceptions-allowed'), Type.Literal('strict')], {
        description:
          'No PO, no pay: not-adopted (invoices approved without an order), exceptions-allowed (only matched invoices, or those with a recorded exception), strict (only matched invoices)',
      }),
    ),
  },
  { additionalProperties: false },
)

const LineBody = Type.Object(
  {
    catalogueItemId: Type.Optional(Type.String({ format: 'uuid' })),
    description: Text(500),
    cpvCode: Text(10),
    accountCode: Text(8),
    costCentreCode: Type.String({ maxLength: 20 }),
    unit: Text(20),
    quantity: Quantity,
    unitPricePence: Type.Optional(Pence('Unit price in pence (defaults to the catalogue price)')),
    vatRatePercent: Text(6),
  },
  { additionalProperties: false },
)

export const RequisitionBody = Type.Object(
  {
    title: Type.String({ maxLength: 300 }),
    supplierId: Type.String({ format: 'uuid' }),
    contractId: Type.Optional(Type.String({ format: 'uuid' })),
    neededBy: Text(10),
    lines: Type.Array(LineBody, { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
)

export const AmendmentBody = Type.Object(
  {
    reason: Type.String({ maxLength: 500 }),
    lines: Type.Array(
      Type.Object(
        {
          lineNo: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          catalogueItemId: Type.Optional(Type.String({ format: 'uuid' })),
          description: Text(500),
          cpvCode: Text(10),
          accountCode: Text(8),
          costCentreCode: Text(20),
          unit: Text(20),
          quantity: Type.Optional(Quantity),
          unitPricePence: Type.Optional(Pence('Unit price in pence')),
          vatRatePercent: Text(6),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
)

export const ReasonBody = Type.Object(
  { reason: Type.String({ maxLength: 500 }) },
  { additionalProperties: false },
)

export const OrderListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(['awaiting-approval', 'issued', 'rejected', 'cancelled', 'closed'])),
    supplierId: Type.Optional(Type.String({ format: 'uuid' })),
    contractId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
)

export const ReceiptBody = Type.Object(
  {
    kind: Type.Optional(Type.Enum(['goods', 'services'])),
    receivedOn: Text(10),
    note: Text(500),
    lines: Type.Array(
      Type.Object(
        { lineNo: Type.Integer({ minimum: 1, maximum: 1000 }), quantity: Quantity },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
)

const InvoiceLineBody = Type.Object(
  {
    orderLineNo: Type.Integer({ minimum: 1, maximum: 1000 }),
    quantity: Quantity,
    unitPricePence: Pence('Unit price invoiced, in pence'),
    vatPence: Type.Optional(Pence('VAT on the line in pence (defaults to the order line’s rate)')),
  },
  { additionalProperties: false },
)

export const OrderInvoiceBody = Type.Object(
  {
    orderId: Type.String({ format: 'uuid' }),
    supplierReference: Type.String({ maxLength: 100 }),
    issueDate: Type.String({ maxLength: 10 }),
    receiptDate: Text(10),
    dueDate: Text(10),
    lines: Type.Array(InvoiceLineBody, { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
)

export const LinkBody = Type.Object(
  {
    orderId: Type.String({ format: 'uuid' }),
    lines: Type.Array(
      Type.Object(
        {
          orderLineNo: Type.Integer({ minimum: 1, maximum: 1000 }),
          quantity: Quantity,
          unitPricePence: Pence('Unit price invoiced'),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
)

export const MatchBody = Type.Object(
  { invoiceIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 10_000 })) },
  { additionalProperties: false },
)

export const FiscalYearQuery = Type.Object(
  {
    fiscalYear: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2200, description: '2026 is 2026-27' })),
  },
  { additionalProperties: false },
)

export const AnalyticsQuery = Type.Object(
  {
    fiscalYear: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2200 })),
    table: Type.Optional(Type.Enum(['category', 'supplier', 'organisation', 'cluster', 'buyer', 'summary'])),
    format: Type.Optional(Type.Enum(['json', 'csv', 'xlsx'])),
  },
  { additionalProperties: false },
)

export const ContractBody = Type.Object(
  {
    reference: Type.String({ maxLength: 50 }),
    title: Type.String({ maxLength: 300 }),
    supplierId: Type.String({ format: 'uuid' }),
    cpvCode: Type.String({ maxLength: 10 }),
    valuePence: Type.Integer({ minimum: 1 }),
    startDate: Type.String({ maxLength: 10 }),
    endDate: Type.String({ maxLength: 10 }),
    extensionOptionsTotal: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    extensionOptionsUsed: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    extensionMonths: Type.Optional(Type.Integer({ minimum: 0, maximum: 120 })),
    ownerName: Type.String({ maxLength: 200 }),
    pipelineId: Type.Optional(Type.String({ format: 'uuid' })),
    kpis: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String({ maxLength: 200 }), target: Type.String({ maxLength: 200 }) },
          { additionalProperties: false },
        ),
        {
          maxItems: 3,
        },
      ),
    ),
  },
  { additionalProperties: false },
)

export const PipelineBody = Type.Object(
  {
    reference: Type.String({ maxLength: 50 }),
    title: Type.String({ maxLength: 300 }),
    cpvCode: Type.String({ maxLength: 10 }),
    estimatedValuePence: Type.Integer({ minimum: 1 }),
    goToMarketDate: Type.String({ maxLength: 10 }),
    awardDate: Text(10),
    replacesContractId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
)

export const ExceptionBody = Type.Object(
  {
    reason: Type.String({
      maxLength: 500,
      description: 'Why the invoice may be paid without a matched order',
    }),
  },
  { additionalProperties: false },
)
