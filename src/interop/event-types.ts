// The event types GSS publishes, each with a versioned JSON Schema for its payload (the data
// contract receivers code against) and the permission a reader needs to see it. Adding an
// optional field is compatible; renaming, removing or retyping one is a new version, published
// beside the old one. The schemas are served at /api/v1/schemas/events/<type>/v<version>.
import { type TSchema, Type } from 'typebox'
import type { Permission } from '../platform/auth/permissions.ts'

const Uuid = Type.String({ format: 'uuid' })
const IsoDate = Type.String({ format: 'date' })
const Pence = Type.Integer({ description: 'Amount in pence' })
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/** invoice.approved and payment.made carry the same invoice figures (migration 0601). */
const SupplierInvoicePayload = Type.Object(
  {
    invoiceId: Uuid,
    supplierId: Uuid,
    kind: Type.Enum(['invoice', 'credit-note']),
    supplierReference: Type.String(),
    issueDate: IsoDate,
    receiptDate: IsoDate,
    dueDate: IsoDate,
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    netPence: Pence,
    vatPence: Pence,
    grossPence: Pence,
    spendType: Type.String(),
  },
  { additionalProperties: false },
)

export interface EventType {
  type: string
  version: number
  title: string
  /** A reader needs this permission on the event's organisation to see it. */
  permission: Permission
  /** Payload about a person: withheld from aggregate-only roles. */
  personal: boolean
  payload: TSchema
}

export const EVENT_TYPES: readonly EventType[] = [
  {
    type: 'journal.posted',
    version: 1,
    title: 'A journal was posted to the ledger',
    permission: 'finance:read',
    personal: false,
    payload: Type.Object(
      {
        journalId: Uuid,
        journalDate: IsoDate,
        fiscalYear: Type.Integer(),
        period: Type.Integer({ minimum: 1, maximum: 12 }),
        description: Type.String(),
        source: Type.String(),
        reference: Nullable(Type.String()),
        reversesJournalId: Nullable(Uuid),
        lineCount: Type.Integer({ minimum: 2 }),
        totalDebitPence: Pence,
      },
      { additionalProperties: false },
    ),
  },
  {
    type: 'invoice.approved',
    version: 1,
    title: 'A supplier invoice or credit note was approved for payment',
    permission: 'finance:read',
    personal: false,
    payload: SupplierInvoicePayload,
  },
  {
    type: 'payment.made',
    version: 1,
    title: 'A supplier invoice was paid',
    permission: 'finance:read',
    personal: false,
    payload: SupplierInvoicePayload,
  },
  {
    type: 'employee.joined',
    version: 1,
    title: 'An employment started',
    permission: 'hr:read',
    personal: true,
    payload: Type.Object(
      {
        employmentId: Uuid,
        personId: Uuid,
        employeeNumber: Type.String(),
        contractType: Type.String(),
        startDate: IsoDate,
        lentByOrgId: Nullable(Uuid),
      },
      { additionalProperties: false },
    ),
  },
  {
    type: 'employee.moved',
    version: 1,
    title: 'An employment’s position, grade, hours or cost centre changed from a date',
    permission: 'hr:read',
    personal: true,
    payload: Type.Object(
      {
        employmentId: Uuid,
        effectiveFrom: IsoDate,
        positionId: Uuid,
        gradeCode: Type.String(),
        costCentreCode: Type.String(),
        fte: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
        hoursPerWeek: Type.Number({ exclusiveMinimum: 0 }),
        reason: Type.String(),
      },
      { additionalProperties: false },
    ),
  },
  {
    type: 'employee.left',
    version: 1,
    title: 'An employment ended',
    permission: 'hr:read',
    personal: true,
    payload: Type.Object(
      {
        employmentId: Uuid,
        personId: Uuid,
        employeeNumber: Type.String(),
        endDate: IsoDate,
        leavingReason: Nullable(Type.String()),
      },
      { additionalProperties: false },
    ),
  },
  {
    type: 'payrun.approved',
    version: 1,
    title: 'A pay run was approved (totals only; no employee’s pay)',
    permission: 'payroll:read',
    personal: false,
    payload: Type.Object(
      {
        payRunId: Uuid,
        payFrequency: Type.Enum(['weekly', 'fortnightly', 'four-weekly', 'monthly']),
        taxYear: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$' }),
        period: Type.Integer({ minimum: 1, maximum: 53 }),
        payDate: IsoDate,
        employeeCount: Type.Integer({ minimum: 0 }),
        exceptionCount: Type.Integer({ minimum: 0 }),
        grossPence: Pence,
        taxPence: Pence,
        employeeNiPence: Pence,
        employerNiPence: Pence,
        netPence: Pence,
      },
      { additionalProperties: false },
    ),
  },
  {
    type: 'contract.awarded',
    version: 1,
    title: 'A contract was awarded and entered in the contracts register',
    permission: 'procurement:read',
    personal: false,
    payload: Type.Object(
      {
        contractId: Uuid,
        reference: Type.String(),
        title: Type.String(),
        supplierId: Uuid,
        cpvCode: Type.String({ pattern: '^[0-9]{8}-[0-9]$' }),
        valuePence: Pence,
        startDate: IsoDate,
        endDate: IsoDate,
      },
      { additionalProperties: false },
    ),
  },
  {
    type: 'return.submitted',
    version: 1,
    title: 'A version of an organisation’s quarterly return was generated or received',
    permission: 'programme:read',
    personal: false,
    payload: Type.Object(
      {
        organisation: Type.String(),
        quarter: Type.String({ pattern: '^[0-9]{4}-Q[1-4]$' }),
        version: Type.Integer({ minimum: 1 }),
        source: Type.Enum(['computed', 'api', 'csv', 'xlsx', 'cluster-push']),
        valid: Type.Boolean(),
        errorCount: Type.Integer({ minimum: 0 }),
        receivedAt: Type.String({ format: 'date-time' }),
        figures: Type.Object(
          {},
          { additionalProperties: true, description: 'The return: /api/v1/schemas/records/return/v1' },
        ),
      },
      { additionalProperties: false },
    ),
  },
]

const BY_TYPE = new Map(EVENT_TYPES.map((eventType) => [eventType.type, eventType]))

export function eventType(type: string): EventType | undefined {
  return BY_TYPE.get(type)
}

/** The JSON Schema document for one event type's payload, with its identity. */
export function eventSchemaDocument(eventType: EventType, baseUrl: string): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${baseUrl}/api/v1/schemas/events/${eventType.type}/v${eventType.version}`,
    title: eventType.title,
    ...(eventType.payload as unknown as Record<string, unknown>),
  }
}
