// Request schemas of the self-service, absence and expenses APIs: strict (unknown fields refused).
import { Type } from 'typebox'

const Uuid = Type.String({ format: 'uuid' })
const IsoDate = Type.String({ format: 'date' })
const Text = (maxLength: number) => Type.Optional(Type.String({ maxLength }))

export const RequestParams = Type.Object({ requestId: Uuid })
export const ClaimParams = Type.Object({ claimId: Uuid })
export const ReceiptParams = Type.Object({ claimId: Uuid, receiptId: Uuid })
export const OrgParams = Type.Object({ orgCode: Type.String({ maxLength: 60 }) })
export const OrgEmploymentParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  employmentId: Uuid,
})
export const OrgSicknessParams = Type.Object({ orgCode: Type.String({ maxLength: 60 }), sicknessId: Uuid })

export const LeaveRequestBody = Type.Object(
  {
    employmentId: Type.Optional(Uuid),
    leaveType: Type.Optional(Type.Enum(['annual', 'special', 'unpaid'])),
    startDate: IsoDate,
    endDate: IsoDate,
    days: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,3}(\\.[05]0?)?$', description: 'Working days, whole or half' }),
    ),
    note: Text(500),
  },
  { additionalProperties: false },
)

export const DecisionBody = Type.Object(
  { decision: Type.Enum(['approve', 'reject']), note: Text(500) },
  { additionalProperties: false },
)

export const ExpenseLineBody = Type.Object(
  {
    expenseDate: IsoDate,
    category: Type.Enum(['travel', 'subsistence', 'hotel', 'mileage']),
    description: Type.String({ maxLength: 200 }),
    amountPence: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
    nights: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    london: Type.Optional(Type.Boolean()),
    vehicle: Type.Optional(Type.Enum(['car', 'motorcycle', 'bicycle'])),
    miles: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}(\\.[0-9])?$' })),
  },
  { additionalProperties: false },
)

export const ClaimBody = Type.Object(
  {
    employmentId: Type.Optional(Uuid),
    purpose: Type.String({ maxLength: 200 }),
    paymentRoute: Type.Optional(Type.Enum(['payroll', 'payables'])),
    lines: Type.Array(ExpenseLineBody, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
)

export const ReceiptQuery = Type.Object(
  {
    fileName: Type.Optional(Type.String({ maxLength: 200 })),
    lineNo: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
  },
  { additionalProperties: false },
)

export const AsAtQuery = Type.Object({ date: Type.Optional(IsoDate) }, { additionalProperties: false })

export const SicknessBody = Type.Object(
  {
    startDate: IsoDate,
    endDate: Type.Optional(IsoDate),
    reason: Type.String({ maxLength: 200 }),
    category: Type.Optional(
      Type.Enum([
        'musculoskeletal',
        'mental-health',
        'respiratory',
        'gastrointestinal',
        'injury',
        'infectious-disease',
        'other',
      ]),
    ),
    qualifyingDays: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7 }),
    ),
    notifiedOn: IsoDate,
    workRelated: Type.Optional(Type.Boolean()),
    fitNoteFrom: Type.Optional(IsoDate),
    fitNoteTo: Type.Optional(IsoDate),
    fitNoteReceivedOn: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
)

export const SicknessEndBody = Type.Object({ endDate: IsoDate }, { additionalProperties: false })

export const FamilyLeaveBody = Type.Object(
  {
    leaveType: Type.Enum(['maternity', 'paternity', 'adoption', 'shared-parental', 'parental-bereavement']),
    expectedWeekStart: Type.Optional(IsoDate),
    childBornOn: Type.Optional(IsoDate),
    matchedOn: Type.Optional(IsoDate),
    placementOn: Type.Optional(IsoDate),
    startDate: IsoDate,
    endDate: IsoDate,
    statutoryPayWeeks: Type.Optional(Type.Integer({ minimum: 0, maximum: 39 })),
    noticeGivenOn: Type.Optional(IsoDate),
    evidenceType: Type.Optional(Type.Enum(['matb1', 'matching-certificate', 'declaration', 'other'])),
    evidenceReceivedOn: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
)

export const AdjustmentBody = Type.Object(
  {
    date: IsoDate,
    days: Type.String({ pattern: '^-?[0-9]{1,2}(\\.[0-9]{1,2})?$' }),
    reason: Type.Enum(['carry-over', 'purchase', 'sale', 'correction']),
    note: Text(500),
  },
  { additionalProperties: false },
)

export const LeavePolicyBody = Type.Object(
  {
    leaveYearStartMonth: Type.Integer({ minimum: 1, maximum: 12 }),
    leaveYearStartDay: Type.Integer({ minimum: 1, maximum: 28 }),
    serviceDaysPerYear: Type.String({ pattern: '^[0-5](\\.[0-9]{1,2})?$' }),
    serviceDaysMax: Type.String({ pattern: '^[0-9]{1,2}(\\.[0-9]{1,2})?$' }),
    carryOverDaysMax: Type.String({ pattern: '^[0-9]{1,2}(\\.[0-9]{1,2})?$' }),
    bankHolidayDivision: Type.Enum(['england-and-wales', 'scotland', 'northern-ireland']),
  },
  { additionalProperties: false },
)

export const PolicyLimitsBody = Type.Object(
  {
    limits: Type.Array(
      Type.Object(
        {
          category: Type.Enum(['travel', 'subsistence', 'hotel-london', 'hotel-elsewhere']),
          limitPence: Type.Union([Type.Integer({ minimum: 1, maximum: 100_000_000 }), Type.Null()]),
        },
        { additionalProperties: false },
      ),
      { maxItems: 4 },
    ),
  },
  { additionalProperties: false },
)

export const ExpensePaymentBody = Type.Object(
  { claimIds: Type.Array(Uuid, { minItems: 1, maxItems: 1000 }), paidOn: IsoDate },
  { additionalProperties: false },
)
