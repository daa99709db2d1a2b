// Request schemas of the HR records and JML API: strict (unknown fields refused), validated once
// at the edge. The field rules themselves (NI number, dates, grades, FTE) are the service's, so the
// API, the pages and imports give the same message for the same mistake.
import { Type } from 'typebox'

const OrgCode = Type.String({ maxLength: 60 })
const Uuid = Type.String({ format: 'uuid' })
const Text = (maxLength: number, description?: string) =>
  Type.Optional(Type.String({ maxLength, ...(description ? { description } : {}) }))
const DateText = (description: string) => Type.String({ maxLength: 10, description })
const Decimal = (description: string) => Type.String({ maxLength: 10, description })

export const OrgParams = Type.Object({ orgCode: OrgCode })
export const PersonParams = Type.Object({ orgCode: OrgCode, personId: Uuid })
export const EmploymentParams = Type.Object({ orgCode: OrgCode, employmentId: Uuid })
export const TermsVersionParams = Type.Object({
  orgCode: OrgCode,
  employmentId: Uuid,
  validFrom: Type.String({ format: 'date' }),
})
export const RequestParams = Type.Object({ orgCode: OrgCode, requestId: Uuid })

export const AsAtQuery = Type.Object(
  {
    asAt: Type.Optional(Type.String({ format: 'date', description: 'Read as at this date (default today)' })),
  },
  { additionalProperties: false },
)
export const DateQuery = Type.Object(
  { date: Type.Optional(Type.String({ format: 'date', description: 'As at this date (default today)' })) },
  { additionalProperties: false },
)
export const PeopleQuery = Type.Object(
  {
    search: Text(100, 'Part of a name, an NI number or an employee number'),
    asAt: Type.Optional(Type.String({ format: 'date' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
)
export const RequestListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(['submitted', 'rejected', 'applied', 'withdrawn'])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
)
export const LeaverListQuery = Type.Object(
  { since: Type.Optional(Type.String({ format: 'date', description: 'Last working day on or after' })) },
  { additionalProperties: false },
)

export const PersonBody = Type.Object(
  {
    forenames: Type.String({ maxLength: 200 }),
    surname: Type.String({ maxLength: 200 }),
    preferredName: Text(200),
    dateOfBirth: DateText('YYYY-MM-DD; the person must be at least 16'),
    niNumber: Text(20, 'National Insurance number, e.g. QQ 12 34 56 C (spaces ignored)'),
    email: Text(200),
    phone: Text(40),
    addressLine1: Text(200),
    addressLine2: Text(200),
    town: Text(100),
    postcode: Text(10),
  },
  { additionalProperties: false },
)

export const DiversityBody = Type.Object(
  {
    sex: Text(20),
    genderSameAsBirth: Text(20),
    ethnicity: Text(100),
    disability: Text(20),
    sexualOrientation: Text(100),
    religion: Text(100),
    caringResponsibility: Text(20),
    socioEconomicBackground: Text(100),
  },
  { additionalProperties: false },
)

export const GradeBody = Type.Object(
  {
    code: Type.String({ maxLength: 16 }),
    name: Type.String({ maxLength: 100 }),
    standardGrade: Type.String({ maxLength: 4, description: 'AA, AO, EO, HEO, SEO, G7, G6, SCS1-SCS4' }),
    annualLeaveDays: Type.Optional(Decimal('Base annual leave in days, e.g. "25"')),
  },
  { additionalProperties: false },
)

export const PayScaleBody = Type.Object(
  {
    gradeCode: Type.String({ maxLength: 16 }),
    location: Type.Optional(Type.String({ pattern: '^[a-z][a-z-]{0,39}$' })),
    validFrom: DateText('The range applies from this date (the range in force then is closed)'),
    minimumPence: Type.Integer({ minimum: 1 }),
    maximumPence: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
)

export const UnitBody = Type.Object(
  {
    code: Type.String({ maxLength: 20 }),
    name: Type.String({ maxLength: 200 }),
    parentCode: Text(20),
    costCentreCode: Text(20),
    openedOn: DateText('YYYY-MM-DD'),
  },
  { additionalProperties: false },
)

export const PositionBody = Type.Object(
  {
    code: Type.String({ maxLength: 20, description: 'Post number, unique in the organisation' }),
    title: Type.String({ maxLength: 200 }),
    unitCode: Type.String({ maxLength: 20 }),
    gradeCode: Type.String({ maxLength: 16 }),
    reportsToCode: Text(20, 'The post this post reports to (its holder is the line manager)'),
    costCentreCode: Text(20),
    fte: Type.Optional(Decimal('Funded FTE, above 0 and at most 1')),
    establishedOn: DateText('YYYY-MM-DD'),
  },
  { additionalProperties: false },
)

const PayFrequency = Type.Enum(['weekly', 'fortnightly', 'four-weekly', 'monthly'])

export const TermsBody = Type.Object(
  {
    positionId: Uuid,
    gradeCode: Text(16, 'Defaults to the post’s grade'),
    costCentreCode: Text(20, 'Defaults to the post’s, then its unit’s, cost centre'),
    fte: Decimal('Full-time equivalent, above 0 and at most 1, e.g. "0.6"'),
    hoursPerWeek: Decimal('Contracted hours a week, e.g. "37"'),
    daysPerWeek: Type.Optional(Decimal('Working days a week, default "5"')),
    annualSalaryPence: Type.Integer({ minimum: 0, description: 'Full-time annual salary in pence' }),
    payFrequency: Type.Optional(PayFrequency),
  },
  { additionalProperties: false },
)

export const PayrollDetailsBody = Type.Object(
  {
    starterDeclaration: Type.Optional(Type.Enum(['A', 'B', 'C'])),
    niCategory: Text(1),
    studentLoanPlans: Type.Optional(Type.Array(Type.Enum(['1', '2', '4', '5']), { maxItems: 4 })),
    postgraduateLoan: Type.Optional(Type.Boolean()),
    pensionScheme: Type.Optional(Type.Enum(['alpha', 'auto-enrolment', 'none'])),
    bankAccountName: Text(18),
    bankSortCode: Text(8),
    bankAccountNumber: Text(10),
  },
  { additionalProperties: false },
)

export const TaxCodeBody = Type.Object(
  {
    validFrom: DateText('The code applies from this date'),
    taxCode: Type.String({ maxLength: 12, description: 'e.g. 1257L, BR, 0T, K475, S1257L' }),
    week1Month1: Type.Optional(Type.Boolean()),
    source: Type.Enum(['starter', 'p45', 'p6', 'p9', 'manual']),
  },
  { additionalProperties: false },
)

const JoinerPayload = Type.Object(
  {
    personId: Type.Optional(Type.String({ format: 'uuid', description: 'A person already on the platform' })),
    person: Type.Optional(PersonBody),
    employment: Type.Object(
      {
        employeeNumber: Text(35, 'Default: the next E000000 number'),
        contractType: Type.Enum(['permanent', 'fixed-term', 'secondment', 'loan', 'casual']),
        startDate: DateText('First day of employment'),
        expectedEndDate: Type.Optional(DateText('Required for fixed-term, loan and secondment')),
        continuousServiceDate: Type.Optional(DateText('Default: the start date')),
      },
      { additionalProperties: false },
    ),
    terms: TermsBody,
    payroll: Type.Object(
      {
        ...PayrollDetailsBody.properties,
        taxCode: Text(12, 'From the P45; otherwise implied by the starter declaration'),
        week1Month1: Type.Optional(Type.Boolean()),
        taxCodeSource: Type.Optional(Type.Enum(['starter', 'p45'])),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

const MoverPayload = Type.Object(
  {
    employmentId: Uuid,
    effectiveDate: DateText('The new terms apply from this date (may be in the future)'),
    reason: Type.String({ maxLength: 200 }),
    positionId: Type.Optional(Uuid),
    gradeCode: Text(16),
    costCentreCode: Text(20),
    fte: Type.Optional(Decimal('Full-time equivalent')),
    hoursPerWeek: Type.Optional(Decimal('Hours a week')),
    daysPerWeek: Type.Optional(Decimal('Days a week')),
    annualSalaryPence: Type.Optional(Type.Integer({ minimum: 0 })),
    payFrequency: Type.Optional(PayFrequency),
  },
  { additionalProperties: false },
)

const LeaverPayload = Type.Object(
  {
    employmentId: Uuid,
    lastWorkingDay: DateText('The last day of employment (inclusive)'),
    reason: Type.String({ maxLength: 100 }),
    p45Required: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

const MovementPayload = Type.Object(
  {
    employmentId: Uuid,
    targetOrgCode: Type.String({ maxLength: 60, description: 'The receiving organisation' }),
    startDate: DateText('First day in the receiving organisation'),
    expectedEndDate: Type.Optional(DateText('End of a loan')),
    employeeNumber: Text(35),
    terms: TermsBody,
  },
  { additionalProperties: false },
)

export const RequestBody = Type.Union([
  Type.Object({ kind: Type.Literal('joiner'), payload: JoinerPayload }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('mover'), payload: MoverPayload }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('leaver'), payload: LeaverPayload }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('loan'), payload: MovementPayload }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('transfer'), payload: MovementPayload }, { additionalProperties: false }),
])

export const RejectionBody = Type.Object(
  { reason: Type.String({ maxLength: 1000 }) },
  { additionalProperties: false },
)
