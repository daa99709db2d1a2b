// Request schemas of the payroll API: strict (unknown fields refused), validated once at the edge.
import { Type } from 'typebox'

export const OrgParams = Type.Object({ orgCode: Type.String({ maxLength: 60 }) })
export const RunParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  runId: Type.String({ format: 'uuid' }),
})
export const LeaverParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  employmentId: Type.String({ format: 'uuid' }),
})
export const PersonParams = Type.Object({
  orgCode: Type.String({ maxLength: 60 }),
  personId: Type.String({ format: 'uuid' }),
})
export const HmrcGenderBody = Type.Object(
  {
    gender: Type.Enum(['M', 'F'], {
      description: 'The gender HMRC holds for the employee (FPS EmployeeDetails/Gender): M or F',
    }),
  },
  { additionalProperties: false },
)
export const SelfRunParams = Type.Object({ runId: Type.String({ format: 'uuid' }) })

const Frequency = Type.Enum(['weekly', 'fortnightly', 'four-weekly', 'monthly'])
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' })

export const NewRunBody = Type.Object(
  {
    payFrequency: Frequency,
    payDate: IsoDate,
    periodStart: Type.Optional(IsoDate),
    periodEnd: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
)

export const ReviewBody = Type.Object(
  {
    acknowledgedExceptions: Type.Integer({
      minimum: 0,
      description:
        'How many employees in error the reviewer has checked: must equal the run’s exception count',
    }),
  },
  { additionalProperties: false },
)

export const PageQuery = Type.Object(
  {
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
)

export const EmployeeQuery = Type.Object(
  { employee: Type.String({ minLength: 1, maxLength: 35 }) },
  { additionalProperties: false },
)

export const TaxYearQuery = Type.Object(
  { taxYear: Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'e.g. 2026-27' }) },
  { additionalProperties: false },
)

export const SettingsBody = Type.Object(
  {
    employerPayeReference: Type.String({ maxLength: 20 }),
    accountsOfficeReference: Type.String({ maxLength: 20 }),
    bacsServiceUserNumber: Type.String({ maxLength: 10 }),
    bacsServiceUserName: Type.String({ maxLength: 40 }),
    sortCode: Type.String({ maxLength: 10 }),
    accountNumber: Type.String({ maxLength: 10 }),
    accountName: Type.String({ maxLength: 40 }),
  },
  { additionalProperties: false },
)

export const PayItemBody = Type.Object(
  {
    employeeNumber: Type.String({ maxLength: 35 }),
    kind: Type.Enum([
      'allowance',
      'overtime',
      'one-off',
      'back-pay',
      'deduction',
      'salary-sacrifice',
      'ssp',
      'smp',
      'unpaid-leave',
    ]),
    description: Type.String({ maxLength: 100 }),
    amountPence: Type.Integer({ minimum: 0, description: 'Per pay period, in pence (0 for unpaid leave)' }),
    days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 366, description: 'Unpaid leave: calendar days' }),
    ),
    pensionable: Type.Optional(Type.Boolean()),
    paidFrom: IsoDate,
    paidTo: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
)
