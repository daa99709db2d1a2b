// The five areas of the HR data reporting standard (GovS 003), as the columns GSS exports for each,
// and the JSON Schema of each area's JSON document generated from those same columns (so the CSV,
// the JSON and the documented schema cannot drift apart). docs/hr-data-standard.md describes them.
//
// Columns the standard asks for that GSS holds no data for (profession, performance, talent) are
// exported empty and marked `noSource`: an honest gap rather than an invented value.

export const STANDARD_AREAS = [
  'core-employee-profile',
  'diversity',
  'profession-talent-performance',
  'joining-and-leaving',
  'absence',
] as const
export type StandardArea = (typeof STANDARD_AREAS)[number]

export type StandardColumnType = 'string' | 'date' | 'integer' | 'decimal' | 'money'

export interface StandardColumn {
  name: string
  type: StandardColumnType
  description: string
  /** The values allowed, when the column is a code list. */
  values?: readonly string[]
  /** GSS holds no data for this column yet: always empty (null in JSON). */
  noSource?: boolean
  /** Always present (never empty). */
  required?: boolean
}

export interface StandardAreaDefinition {
  area: StandardArea
  title: string
  /** One sentence: what a row is and which rows are in the file for a date. */
  rows: string
  /** Needs hr:diversity:read as well as hr:read. */
  diversity?: boolean
  columns: readonly StandardColumn[]
}

const GRADES = ['AA', 'AO', 'EO', 'HEO', 'SEO', 'G7', 'G6', 'SCS1', 'SCS2', 'SCS3', 'SCS4'] as const
const ANSWER = ['yes', 'no', 'prefer-not-to-say'] as const

const employmentKey: readonly StandardColumn[] = [
  {
    name: 'organisation_code',
    type: 'string',
    required: true,
    description: 'The employing organisation (GSS code)',
  },
  {
    name: 'employee_number',
    type: 'string',
    required: true,
    description: 'Employee number, unique in the organisation (also the payroll id)',
  },
  {
    name: 'person_id',
    type: 'string',
    required: true,
    description: 'The person (one id per human across every organisation on the platform)',
  },
]

export const AREA_DEFINITIONS: Record<StandardArea, StandardAreaDefinition> = {
  'core-employee-profile': {
    area: 'core-employee-profile',
    title: 'Core employee profile',
    rows: 'One row per employment in force on the date, on the terms in force that day.',
    columns: [
      ...employmentKey,
      { name: 'forenames', type: 'string', required: true, description: 'Forenames' },
      { name: 'surname', type: 'string', required: true, description: 'Surname' },
      { name: 'date_of_birth', type: 'date', required: true, description: 'Date of birth' },
      {
        name: 'contract_type',
        type: 'string',
        required: true,
        description: 'Type of contract',
        values: ['permanent', 'fixed-term', 'secondment', 'loan', 'casual'],
      },
      {
        name: 'lent_by_organisation_code',
        type: 'string',
        description: 'For a loan or secondment in: the home organisation',
      },
      { name: 'start_date', type: 'date', required: true, description: 'First day of this employment' },
      {
        name: 'continuous_service_date',
        type: 'date',
        required: true,
        description: 'Start of continuous service',
      },
      {
        name: 'expected_end_date',
        type: 'date',
        description: 'Planned end of a fixed-term contract, loan or secondment',
      },
      { name: 'grade_code', type: 'string', required: true, description: 'The organisation’s grade' },
      {
        name: 'standard_grade',
        type: 'string',
        required: true,
        description: 'The civil service grade it maps to',
        values: GRADES,
      },
      { name: 'position_code', type: 'string', required: true, description: 'Post number' },
      { name: 'position_title', type: 'string', required: true, description: 'Post title' },
      {
        name: 'unit_code',
        type: 'string',
        required: true,
        description: 'Unit (directorate or team) of the post',
      },
      { name: 'unit_name', type: 'string', required: true, description: 'Unit name' },
      {
        name: 'cost_centre_code',
        type: 'string',
        required: true,
        description: 'Cost centre bearing the cost',
      },
      {
        name: 'fte',
        type: 'decimal',
        required: true,
        description: 'Full-time equivalent, above 0 and at most 1',
      },
      { name: 'hours_per_week', type: 'decimal', required: true, description: 'Contracted hours a week' },
      {
        name: 'annual_salary',
        type: 'money',
        required: true,
        description: 'Full-time equivalent annual salary in pounds (pay is salary × FTE)',
      },
      {
        name: 'pay_frequency',
        type: 'string',
        required: true,
        description: 'How often paid',
        values: ['weekly', 'fortnightly', 'four-weekly', 'monthly'],
      },
      {
        name: 'work_town',
        type: 'string',
        description: 'Town of the person’s address (GSS holds no work location yet)',
      },
    ],
  },
  diversity: {
    area: 'diversity',
    title: 'Diversity',
    rows: 'One row per employment in force on the date; the answers empty where never asked.',
    diversity: true,
    columns: [
      ...employmentKey,
      { name: 'sex', type: 'string', description: 'Sex', values: ['female', 'male', 'prefer-not-to-say'] },
      {
        name: 'gender_same_as_birth',
        type: 'string',
        description: 'Gender identity the same as sex registered at birth',
        values: ANSWER,
      },
      { name: 'ethnicity', type: 'string', description: 'Ethnic group (as answered)' },
      { name: 'disability', type: 'string', description: 'Disability', values: ANSWER },
      { name: 'sexual_orientation', type: 'string', description: 'Sexual orientation (as answered)' },
      { name: 'religion', type: 'string', description: 'Religion or belief (as answered)' },
      { name: 'caring_responsibility', type: 'string', description: 'Caring responsibility', values: ANSWER },
      {
        name: 'socio_economic_background',
        type: 'string',
        description: 'Socio-economic background (as answered)',
      },
      { name: 'recorded_on', type: 'date', description: 'When the answers were recorded' },
    ],
  },
  'profession-talent-performance': {
    area: 'profession-talent-performance',
    title: 'Profession, talent and performance',
    rows: 'One row per employment in force on the date.',
    columns: [
      ...employmentKey,
      { name: 'grade_code', type: 'string', required: true, description: 'The organisation’s grade' },
      {
        name: 'standard_grade',
        type: 'string',
        required: true,
        description: 'The civil service grade',
        values: GRADES,
      },
      {
        name: 'in_grade_since',
        type: 'date',
        required: true,
        description: 'Earliest start of the employment’s terms on this grade',
      },
      {
        name: 'profession',
        type: 'string',
        noSource: true,
        description: 'Civil service profession (not held by GSS yet)',
      },
      {
        name: 'function',
        type: 'string',
        noSource: true,
        description: 'Government function (not held by GSS yet)',
      },
      {
        name: 'performance_rating',
        type: 'string',
        noSource: true,
        description: 'Latest performance rating (not held by GSS yet)',
      },
      {
        name: 'performance_year',
        type: 'string',
        noSource: true,
        description: 'Reporting year of that rating (not held by GSS yet)',
      },
      {
        name: 'talent_scheme',
        type: 'string',
        noSource: true,
        description: 'Talent or development scheme (not held by GSS yet)',
      },
    ],
  },
  'joining-and-leaving': {
    area: 'joining-and-leaving',
    title: 'Joining and leaving',
    rows: 'One row per joiner (start date) and per leaver (last day) in the twelve months up to and including the date.',
    columns: [
      ...employmentKey,
      {
        name: 'event',
        type: 'string',
        required: true,
        description: 'Joined or left',
        values: ['joiner', 'leaver'],
      },
      {
        name: 'event_date',
        type: 'date',
        required: true,
        description: 'Start date (joiner) or last day (leaver)',
      },
      {
        name: 'contract_type',
        type: 'string',
        required: true,
        description: 'Type of contract',
        values: ['permanent', 'fixed-term', 'secondment', 'loan', 'casual'],
      },
      {
        name: 'lent_by_organisation_code',
        type: 'string',
        description: 'For a loan or secondment in: the home organisation',
      },
      { name: 'grade_code', type: 'string', description: 'Grade on the event date' },
      { name: 'standard_grade', type: 'string', description: 'The civil service grade', values: GRADES },
      { name: 'fte', type: 'decimal', description: 'Full-time equivalent on the event date' },
      { name: 'leaving_reason', type: 'string', description: 'Why the person left (leavers)' },
    ],
  },
  absence: {
    area: 'absence',
    title: 'Absence',
    rows: 'One row per sickness absence or statutory family leave overlapping the twelve months up to and including the date.',
    columns: [
      ...employmentKey,
      {
        name: 'absence_type',
        type: 'string',
        required: true,
        description: 'Sickness or the kind of family leave',
        values: ['sickness', 'maternity', 'paternity', 'adoption', 'shared-parental', 'parental-bereavement'],
      },
      {
        name: 'category',
        type: 'string',
        description: 'Sickness category',
        values: [
          'musculoskeletal',
          'mental-health',
          'respiratory',
          'gastrointestinal',
          'injury',
          'infectious-disease',
          'other',
        ],
      },
      { name: 'start_date', type: 'date', required: true, description: 'First day of absence' },
      { name: 'end_date', type: 'date', description: 'Last day (empty while still absent)' },
      {
        name: 'calendar_days_in_period',
        type: 'integer',
        required: true,
        description: 'Calendar days of the absence within the twelve months',
      },
      { name: 'work_related', type: 'string', description: 'Sickness caused by work', values: ['yes', 'no'] },
    ],
  },
}

const jsonType = (column: StandardColumn) => {
  const base =
    column.type === 'integer'
      ? { type: 'integer' }
      : column.type === 'date'
        ? { type: 'string', format: 'date' }
        : column.type === 'decimal'
          ? { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' }
          : column.type === 'money'
            ? { type: 'string', pattern: '^-?[0-9]+\\.[0-9]{2}$' }
            : { type: 'string' }
  const withValues = column.values ? { ...base, enum: [...column.values] } : base
  if (column.noSource) return { type: 'null', description: column.description }
  return column.required
    ? { ...withValues, description: column.description }
    : { anyOf: [withValues, { type: 'null' }], description: column.description }
}

/** The JSON Schema (2020-12) of an area's JSON export. */
export function areaJsonSchema(area: StandardArea): Record<string, unknown> {
  const definition = AREA_DEFINITIONS[area]
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://gss.example/schemas/hr-standard/${area}.json`,
    title: `HR data standard: ${definition.title}`,
    description: definition.rows,
    type: 'object',
    additionalProperties: false,
    required: ['area', 'organisationCode', 'asAt', 'items'],
    properties: {
      area: { const: area },
      organisationCode: { type: 'string' },
      asAt: { type: 'string', format: 'date' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: definition.columns.map((column) => column.name),
          properties: Object.fromEntries(definition.columns.map((column) => [column.name, jsonType(column)])),
        },
      },
    },
  }
}
