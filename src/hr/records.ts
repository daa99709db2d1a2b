// HR records: people, their diversity data, grades and pay scales, the organisation structure
// (units and positions), employments with effective-dated terms, payroll details and tax codes.
//
// Every function takes the caller's transaction: RLS decides what it sees, and anything thrown
// rolls the whole request back, so a bad NI number, date or grade saves nothing. Every problem is
// reported at once, each naming its field (a JSON pointer) and the rule it breaks.
//
// Effective dating (see migrations/0200_hr_core.sql): a version holds [valid_from, valid_to). A
// change from D closes the version in force on D and inserts the new one from D to where the old
// one ended, so a later (future) version already recorded stays in place; the database's
// exclusion constraint refuses any overlap whatever the code does. A future change not yet in
// force can be cancelled: it is deleted and the version before it runs on again.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Tx } from '../platform/db/index.ts'
import {
  BusinessRuleError,
  ConflictError,
  type FieldError,
  NotFoundError,
  ValidationError,
} from '../platform/errors.ts'
import { formatGbp } from '../platform/money.ts'
import { todayIso } from './dates.ts'
import type { ContractType, PayFrequency, PensionScheme, StandardGrade, TaxCodeSource } from './tables.ts'
import { STANDARD_GRADES } from './tables.ts'
import './jml-tables.ts'
import '../finance/tables.ts'
import {
  checkDate,
  checkDateOfBirth,
  checkFte,
  checkNiNumber,
  checkPostcode,
  checkStandardGrade,
} from './validation.ts'

export const CONTRACT_TYPES: readonly ContractType[] = [
  'permanent',
  'fixed-term',
  'secondment',
  'loan',
  'casual',
]
export const PAY_FREQUENCIES: readonly PayFrequency[] = ['weekly', 'fortnightly', 'four-weekly', 'monthly']
export const PENSION_SCHEMES: readonly PensionScheme[] = ['alpha', 'auto-enrolment', 'none']

/** The most rows one list returns. */
export const LIST_LIMIT_MAX = 500

const blank = (value: string | null | undefined) =>
  value === undefined || value === null || value.trim() === ''

/** Collects field problems; throws them all at once. */
class Problems {
  readonly list: FieldError[] = []
  add(field: string, message: string): void {
    this.list.push({ field, message })
  }
  throwIfAny(message = 'Check the highlighted answers'): void {
    if (this.list.length > 0) throw new ValidationError(message, this.list)
  }
}

/** Translates a constraint violation into the error a user understands; anything else is rethrown. */
export function translateDbError(error: unknown, overlapField = '/validFrom'): never {
  const code = (error as { code?: string }).code
  if (code === '23P01')
    throw new ConflictError('The dates overlap a version already recorded', [
      { field: overlapField, message: 'Another version is already in force on some of these dates' },
    ])
  if (code === '23505') {
    const detail = String((error as { detail?: string; constraint?: string }).constraint ?? '')
    if (detail.includes('ni_number'))
      throw new ConflictError('Another person already has this National Insurance number', [
        { field: '/niNumber', message: 'Another person already has this National Insurance number' },
      ])
    if (detail.includes('employee_number'))
      throw new ConflictError('That employee number is already in use', [
        { field: '/employeeNumber', message: 'That employee number is already in use in this organisation' },
      ])
    if (detail.includes('user_id'))
      throw new ConflictError('That sign-in account is already linked to another person', [
        { field: '/userId', message: 'That sign-in account is already linked to another person' },
      ])
    throw new ConflictError('A record with the same code already exists', [
      { field: '/code', message: 'That code is already in use' },
    ])
  }
  throw error
}

// ---------------------------------------------------------------------------------------------
// People

export interface PersonInput {
  forenames: string
  surname: string
  preferredName?: string | undefined
  dateOfBirth: string
  niNumber?: string | undefined
  email?: string | undefined
  phone?: string | undefined
  addressLine1?: string | undefined
  addressLine2?: string | undefined
  town?: string | undefined
  postcode?: string | undefined
}

export interface Person {
  id: string
  homeOrgId: string
  forenames: string
  surname: string
  preferredName: string | null
  dateOfBirth: string
  niNumber: string | null
  email: string | null
  phone: string | null
  addressLine1: string | null
  addressLine2: string | null
  town: string | null
  postcode: string | null
  userId: string | null
}

type PersonRow = {
  id: string
  org_id: string
  forenames: string
  surname: string
  preferred_name: string | null
  date_of_birth: string
  ni_number: string | null
  email: string | null
  phone: string | null
  address_line1: string | null
  address_line2: string | null
  town: string | null
  postcode: string | null
  user_id: string | null
}

function toPerson(row: PersonRow): Person {
  return {
    id: row.id,
    homeOrgId: row.org_id,
    forenames: row.forenames,
    surname: row.surname,
    preferredName: row.preferred_name,
    dateOfBirth: row.date_of_birth,
    niNumber: row.ni_number,
    email: row.email,
    phone: row.phone,
    addressLine1: row.address_line1,
    addressLine2: row.address_line2,
    town: row.town,
    postcode: row.postcode,
    userId: row.user_id,
  }
}

const PERSON_COLUMNS = [
  'id',
  'org_id',
  'forenames',
  'surname',
  'preferred_name',
  'date_of_birth',
  'ni_number',
  'email',
  'phone',
  'address_line1',
  'address_line2',
  'town',
  'postcode',
  'user_id',
] as const

function text(
  problems: Problems,
  field: string,
  value: string | undefined,
  label: string,
  max: number,
  required: boolean,
) {
  const trimmed = value?.trim() ?? ''
  if (!trimmed) {
    if (required) problems.add(field, `Enter the ${label}`)
    return null
  }
  if (trimmed.length > max)
    problems.add(field, `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`)
  return trimmed
}

/** Checks and normalises a person's details; `prefix` is the JSON pointer of the person object. */
export function checkPerson(
  input: PersonInput,
  problems: Problems,
  prefix = '',
  asAt = todayIso(),
): Omit<PersonRow, 'id' | 'org_id' | 'user_id'> {
  const forenames = text(problems, `${prefix}/forenames`, input.forenames, 'first names', 100, true)
  const surname = text(problems, `${prefix}/surname`, input.surname, 'last name', 100, true)
  const preferredName = text(
    problems,
    `${prefix}/preferredName`,
    input.preferredName,
    'preferred name',
    100,
    false,
  )
  let dateOfBirth = ''
  if (blank(input.dateOfBirth)) problems.add(`${prefix}/dateOfBirth`, 'Enter the date of birth')
  else {
    const checked = checkDateOfBirth(input.dateOfBirth, asAt)
    if (checked.ok) dateOfBirth = checked.value
    else problems.add(`${prefix}/dateOfBirth`, checked.message)
  }
  let niNumber: string | null = null
  if (!blank(input.niNumber)) {
    const checked = checkNiNumber(input.niNumber!)
    if (checked.ok) niNumber = checked.value
    else problems.add(`${prefix}/niNumber`, checked.message)
  }
  const email = text(problems, `${prefix}/email`, input.email, 'email address', 200, false)
  if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
    problems.add(`${prefix}/email`, 'Enter an email address in the correct format, like name@example.gov.uk')
  const phone = text(problems, `${prefix}/phone`, input.phone, 'phone number', 40, false)
  const addressLine1 = text(
    problems,
    `${prefix}/addressLine1`,
    input.addressLine1,
    'address line 1',
    200,
    false,
  )
  const addressLine2 = text(
    problems,
    `${prefix}/addressLine2`,
    input.addressLine2,
    'address line 2',
    200,
    false,
  )
  const town = text(problems, `${prefix}/town`, input.town, 'town or city', 100, false)
  let postcode: string | null = null
  if (!blank(input.postcode)) {
    const checked = checkPostcode(input.postcode!)
    if (checked.ok) postcode = checked.value
    else problems.add(`${prefix}/postcode`, checked.message)
  }
  return {
    forenames: forenames ?? '',
    surname: surname ?? '',
    preferred_name: preferredName,
    date_of_birth: dateOfBirth,
    ni_number: niNumber,
    email,
    phone,
    address_line1: addressLine1,
    address_line2: addressLine2,
    town,
    postcode,
  }
}

export function newProblems(): Problems {
  return new Problems()
}
export type { Problems }

/** Creates a person whose home is `orgId`. Errors: ValidationError (each field), ConflictError (NI number). */
export async function createPerson(
  trx: Tx,
  orgId: string,
  input: PersonInput,
  options: { id?: string; userId?: string | null } = {},
): Promise<Person> {
  const problems = new Problems()
  const clean = checkPerson(input, problems)
  problems.throwIfAny()
  await assertNiNumberFree(trx, clean.ni_number, null, '/niNumber')
  const row = { id: options.id ?? randomUUID(), org_id: orgId, user_id: options.userId ?? null, ...clean }
  try {
    await trx.insertInto('people').values(row).execute()
  } catch (error) {
    translateDbError(error)
  }
  return toPerson(row)
}

/**
 * The NI number is unique across the platform, but RLS hides people of other organisations, so
 * a clash with someone invisible surfaces only as the unique index's error; this check gives the
 * friendlier message for the visible ones and the index stays the guarantee.
 */
async function assertNiNumberFree(
  trx: Tx,
  niNumber: string | null,
  exceptPersonId: string | null,
  field: string,
) {
  if (!niNumber) return
  let query = trx.selectFrom('people').select('id').where('ni_number', '=', niNumber)
  if (exceptPersonId) query = query.where('id', '<>', exceptPersonId)
  if (await query.executeTakeFirst())
    throw new ConflictError('Another person already has this National Insurance number', [
      { field, message: 'Another person already has this National Insurance number' },
    ])
}

/** Corrects a person's details (home organisation only). Errors: ValidationError, NotFoundError. */
export async function updatePerson(
  trx: Tx,
  orgId: string,
  personId: string,
  input: PersonInput,
): Promise<Person> {
  const existing = await getPerson(trx, personId)
  if (existing.homeOrgId !== orgId)
    throw new BusinessRuleError('Only the person’s home organisation can change their personal details')
  const problems = new Problems()
  const clean = checkPerson(input, problems)
  problems.throwIfAny()
  await assertNiNumberFree(trx, clean.ni_number, personId, '/niNumber')
  try {
    await trx.updateTable('people').set(clean).where('id', '=', personId).execute()
  } catch (error) {
    translateDbError(error)
  }
  return getPerson(trx, personId)
}

/** One person, if visible to the caller (home organisation or an employing one). */
export async function getPerson(trx: Tx, personId: string): Promise<Person> {
  if (!isUuid(personId)) throw new NotFoundError('No such person')
  const row = await trx
    .selectFrom('people')
    .select(PERSON_COLUMNS)
    .where('id', '=', personId)
    .executeTakeFirst()
  if (!row) throw new NotFoundError('No such person')
  return toPerson(row)
}

export const isUuid = (value: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)

export interface PersonListItem {
  id: string
  forenames: string
  surname: string
  niNumber: string | null
  homeOrgId: string
  /** The employment in this organisation in force on the date, if any. */
  employmentId: string | null
  employeeNumber: string | null
  positionTitle: string | null
  gradeCode: string | null
  status: 'employed' | 'future' | 'left' | 'none'
}

/**
 * The people of an organisation: whose home it is or who hold an employment in it, with their
 * employment as at `asAt`. `search` matches names, NI number or employee number.
 */
export async function listPeople(
  trx: Tx,
  orgId: string,
  options: { search?: string | undefined; asAt?: string | undefined; limit?: number | undefined } = {},
): Promise<PersonListItem[]> {
  const asAt = options.asAt ?? todayIso()
  const limit = Math.min(options.limit ?? 200, LIST_LIMIT_MAX)
  const search = options.search?.trim() ?? ''
  const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  const compact = search.replace(/\s+/g, '').toUpperCase()
  const { rows } = await sql<{
    id: string
    forenames: string
    surname: string
    ni_number: string | null
    org_id: string
    employment_id: string | null
    employee_number: string | null
    start_date: string | null
    end_date: string | null
    position_title: string | null
    grade_code: string | null
  }>`
    select p.id, p.forenames, p.surname, p.ni_number, p.org_id, e.id as employment_id,
      e.employee_number, e.start_date, e.end_date, pos.title as position_title, t.grade_code
    from (select p.id from people p where p.org_id = ${orgId}
          union select e.person_id from employments e where e.org_id = ${orgId}) candidates
    join people p on p.id = candidates.id
    left join lateral (
      select e.* from employments e where e.org_id = ${orgId} and e.person_id = p.id
      order by (e.start_date <= ${asAt}::date and (e.end_date is null or e.end_date >= ${asAt}::date)) desc,
        e.start_date desc
      limit 1) e on true
    left join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id
      and t.valid_from <= greatest(${asAt}::date, e.start_date)
      and (t.valid_to is null or t.valid_to > greatest(${asAt}::date, e.start_date))
    left join positions pos on pos.org_id = t.org_id and pos.id = t.position_id
    where (${search} = '' or p.forenames ilike ${like} or p.surname ilike ${like}
        or (p.forenames || ' ' || p.surname) ilike ${like} or p.ni_number = ${compact}
        or e.employee_number = ${compact})
    order by p.surname, p.forenames, p.id
    limit ${limit}`.execute(trx)
  return rows.map((row) => ({
    id: row.id,
    forenames: row.forenames,
    surname: row.surname,
    niNumber: row.ni_number,
    homeOrgId: row.org_id,
    employmentId: row.employment_id,
    employeeNumber: row.employee_number,
    positionTitle: row.position_title,
    gradeCode: row.grade_code,
    status: !row.employment_id
      ? 'none'
      : row.start_date! > asAt
        ? 'future'
        : row.end_date !== null && row.end_date < asAt
          ? 'left'
          : 'employed',
  }))
}

/** Links a person to a sign-in account (for self-service); null unlinks. */
export async function linkUser(trx: Tx, personId: string, userId: string | null): Promise<void> {
  try {
    const result = await trx
      .updateTable('people')
      .set({ user_id: userId })
      .where('id', '=', personId)
      .executeTakeFirst()
    if (result.numUpdatedRows === 0n) throw new NotFoundError('No such person')
  } catch (error) {
    if (error instanceof NotFoundError) throw error
    translateDbError(error)
  }
}

// ---------------------------------------------------------------------------------------------
// Diversity data: separate, tighter access. RLS shows rows only where the caller holds
// hr:diversity:read; routes check the permission too, so the absence of rows is never mistaken
// for "never asked" by someone who may not see them.

export interface DiversityInput {
  sex?: string | undefined
  genderSameAsBirth?: string | undefined
  ethnicity?: string | undefined
  disability?: string | undefined
  sexualOrientation?: string | undefined
  religion?: string | undefined
  caringResponsibility?: string | undefined
  socioEconomicBackground?: string | undefined
}

export const DIVERSITY_CHOICES = {
  sex: ['female', 'male', 'prefer-not-to-say'],
  genderSameAsBirth: ['yes', 'no', 'prefer-not-to-say'],
  disability: ['yes', 'no', 'prefer-not-to-say'],
  caringResponsibility: ['yes', 'no', 'prefer-not-to-say'],
} as const

export interface Diversity extends Required<{ [K in keyof DiversityInput]: string | null }> {
  recordedOn: string
}

export async function getDiversity(trx: Tx, orgId: string, personId: string): Promise<Diversity | null> {
  const row = await trx
    .selectFrom('person_diversity')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('person_id', '=', personId)
    .executeTakeFirst()
  if (!row) return null
  return {
    sex: row.sex,
    genderSameAsBirth: row.gender_same_as_birth,
    ethnicity: row.ethnicity,
    disability: row.disability,
    sexualOrientation: row.sexual_orientation,
    religion: row.religion,
    caringResponsibility: row.caring_responsibility,
    socioEconomicBackground: row.socio_economic_background,
    recordedOn: row.recorded_on,
  }
}

/** Records (or replaces) a person's diversity answers in this organisation. */
export async function setDiversity(
  trx: Tx,
  orgId: string,
  personId: string,
  input: DiversityInput,
): Promise<Diversity> {
  await getPerson(trx, personId)
  const problems = new Problems()
  for (const [field, choices] of Object.entries(DIVERSITY_CHOICES)) {
    const value = input[field as keyof DiversityInput]
    if (!blank(value) && !(choices as readonly string[]).includes(value!))
      problems.add(`/${field}`, `Choose one of ${choices.join(', ')}`)
  }
  const free = (field: keyof DiversityInput, label: string) =>
    text(problems, `/${field}`, input[field], label, 100, false)
  const row = {
    org_id: orgId,
    person_id: personId,
    sex: blank(input.sex) ? null : input.sex!,
    gender_same_as_birth: blank(input.genderSameAsBirth) ? null : input.genderSameAsBirth!,
    ethnicity: free('ethnicity', 'ethnicity'),
    disability: blank(input.disability) ? null : input.disability!,
    sexual_orientation: free('sexualOrientation', 'sexual orientation'),
    religion: free('religion', 'religion or belief'),
    caring_responsibility: blank(input.caringResponsibility) ? null : input.caringResponsibility!,
    socio_economic_background: free('socioEconomicBackground', 'socio-economic background'),
    recorded_on: todayIso(),
  }
  problems.throwIfAny()
  await trx
    .insertInto('person_diversity')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'person_id']).doUpdateSet({ ...row }))
    .execute()
  return (await getDiversity(trx, orgId, personId))!
}

// ---------------------------------------------------------------------------------------------
// Grades and pay scales

export interface Grade {
  code: string
  name: string
  standardGrade: StandardGrade
  rank: number
  annualLeaveDays: string
}

export async function listGrades(trx: Tx, orgId: string): Promise<Grade[]> {
  const rows = await trx
    .selectFrom('grades')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('rank')
    .orderBy('code')
    .execute()
  return rows.map((row) => ({
    code: row.code,
    name: row.name,
    standardGrade: row.standard_grade,
    rank: row.rank,
    annualLeaveDays: String(row.annual_leave_days),
  }))
}

export interface GradeInput {
  code: string
  name: string
  standardGrade: string
  annualLeaveDays?: string | undefined
}

export async function createGrade(trx: Tx, orgId: string, input: GradeInput): Promise<Grade> {
  const problems = new Problems()
  const code = input.code?.trim().toUpperCase() ?? ''
  if (!/^[A-Z0-9][A-Z0-9-]{0,15}$/.test(code))
    problems.add(
      '/code',
      'Grade code must be 1 to 16 letters, digits or hyphens, starting with a letter or digit',
    )
  const name = text(problems, '/name', input.name, 'grade name', 100, true)
  const standard = checkStandardGrade(input.standardGrade ?? '')
  if (!standard.ok) problems.add('/standardGrade', standard.message)
  const leave = input.annualLeaveDays?.trim() || '25'
  if (!/^\d{1,2}(\.\d{1,2})?$/.test(leave) || Number(leave) > 60)
    problems.add(
      '/annualLeaveDays',
      'Annual leave must be a number of days from 0 to 60, with up to 2 decimal places',
    )
  problems.throwIfAny()
  const rank = STANDARD_GRADES.indexOf((standard as { value: StandardGrade }).value) + 1
  try {
    await trx
      .insertInto('grades')
      .values({
        org_id: orgId,
        code,
        name: name!,
        standard_grade: (standard as { value: StandardGrade }).value,
        rank,
        annual_leave_days: leave,
      })
      .execute()
  } catch (error) {
    translateDbError(error)
  }
  return {
    code,
    name: name!,
    standardGrade: (standard as { value: StandardGrade }).value,
    rank,
    annualLeaveDays: leave,
  }
}

export interface PayScale {
  gradeCode: string
  location: string
  validFrom: string
  validTo: string | null
  minimumPence: number
  maximumPence: number
}

export async function listPayScales(trx: Tx, orgId: string, asAt = todayIso()): Promise<PayScale[]> {
  const rows = await trx
    .selectFrom('pay_scales')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('valid_from', '<=', asAt)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', asAt)]))
    .orderBy('grade_code')
    .orderBy('location')
    .execute()
  return rows.map((row) => ({
    gradeCode: row.grade_code,
    location: row.location,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    minimumPence: Number(row.minimum_pence),
    maximumPence: Number(row.maximum_pence),
  }))
}

/** A new pay range for a grade from a date (closing the one in force then). */
export async function setPayScaleFrom(
  trx: Tx,
  orgId: string,
  input: {
    gradeCode: string
    location?: string
    validFrom: string
    minimumPence: number
    maximumPence: number
  },
): Promise<PayScale> {
  const problems = new Problems()
  const from = checkDate(input.validFrom ?? '')
  if (!from.ok) problems.add('/validFrom', from.message)
  if (!Number.isSafeInteger(input.minimumPence) || input.minimumPence <= 0)
    problems.add('/minimumPence', 'Minimum must be a whole number of pence above 0')
  if (!Number.isSafeInteger(input.maximumPence) || input.maximumPence < input.minimumPence)
    problems.add('/maximumPence', 'Maximum must be a whole number of pence, at least the minimum')
  await checkGrade(trx, orgId, input.gradeCode, problems, '/gradeCode')
  problems.throwIfAny()
  const location = input.location ?? 'national'
  const validFrom = (from as { value: string }).value
  const current = await trx
    .selectFrom('pay_scales')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('grade_code', '=', input.gradeCode)
    .where('location', '=', location)
    .where('valid_from', '<=', validFrom)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', validFrom)]))
    .executeTakeFirst()
  try {
    let validTo: string | null = null
    if (current) {
      validTo = current.valid_to
      if (current.valid_from === validFrom) {
        await trx
          .deleteFrom('pay_scales')
          .where('org_id', '=', orgId)
          .where('grade_code', '=', input.gradeCode)
          .where('location', '=', location)
          .where('valid_from', '=', validFrom)
          .execute()
      } else {
        await trx
          .updateTable('pay_scales')
          .set({ valid_to: validFrom })
          .where('org_id', '=', orgId)
          .where('grade_code', '=', input.gradeCode)
          .where('location', '=', location)
          .where('valid_from', '=', current.valid_from)
          .execute()
      }
    }
    await trx
      .insertInto('pay_scales')
      .values({
        org_id: orgId,
        grade_code: input.gradeCode,
        location,
        valid_from: validFrom,
        valid_to: validTo,
        minimum_pence: input.minimumPence,
        maximum_pence: input.maximumPence,
      })
      .execute()
    return {
      gradeCode: input.gradeCode,
      location,
      validFrom,
      validTo,
      minimumPence: input.minimumPence,
      maximumPence: input.maximumPence,
    }
  } catch (error) {
    translateDbError(error)
  }
}

async function checkGrade(
  trx: Tx,
  orgId: string,
  gradeCode: string | undefined,
  problems: Problems,
  field: string,
) {
  const code = gradeCode?.trim().toUpperCase() ?? ''
  if (!code) {
    problems.add(field, 'Choose a grade')
    return null
  }
  const grade = await trx
    .selectFrom('grades')
    .select(['code', 'annual_leave_days'])
    .where('org_id', '=', orgId)
    .where('code', '=', code)
    .executeTakeFirst()
  if (!grade) {
    const known = await trx
      .selectFrom('grades')
      .select('code')
      .where('org_id', '=', orgId)
      .orderBy('rank')
      .execute()
    problems.add(
      field,
      known.length > 0
        ? `Grade ${code} does not exist in this organisation: choose one of ${known.map((g) => g.code).join(', ')}`
        : `Grade ${code} does not exist in this organisation: add its grades first`,
    )
    return null
  }
  return grade.code
}

// ---------------------------------------------------------------------------------------------
// Organisation structure

export interface OrgUnit {
  id: string
  code: string
  name: string
  parentId: string | null
  costCentreCode: string | null
  openedOn: string
  closedOn: string | null
}

export async function listUnits(trx: Tx, orgId: string): Promise<OrgUnit[]> {
  const rows = await trx
    .selectFrom('org_units')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('code')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    code: row.code,
    name: row.name,
    parentId: row.parent_id,
    costCentreCode: row.cost_centre_code,
    openedOn: row.opened_on,
    closedOn: row.closed_on,
  }))
}

export interface UnitInput {
  code: string
  name: string
  parentCode?: string | undefined
  costCentreCode?: string | undefined
  openedOn: string
}

async function checkCostCentre(
  trx: Tx,
  orgId: string,
  code: string | undefined,
  problems: Problems,
  field: string,
  required: boolean,
) {
  const value = code?.trim().toUpperCase() ?? ''
  if (!value) {
    if (required) problems.add(field, 'Choose a cost centre')
    return null
  }
  const found = await trx
    .selectFrom('cost_centres')
    .select(['code', 'active'])
    .where('org_id', '=', orgId)
    .where('code', '=', value)
    .executeTakeFirst()
  if (!found) problems.add(field, `Cost centre ${value} does not exist in this organisation`)
  else if (!found.active) problems.add(field, `Cost centre ${value} is closed`)
  return found ? value : null
}

export async function createUnit(
  trx: Tx,
  orgId: string,
  input: UnitInput,
  id: string = randomUUID(),
): Promise<OrgUnit> {
  const problems = new Problems()
  const code = input.code?.trim().toUpperCase() ?? ''
  if (!/^[A-Z0-9][A-Z0-9-]{0,19}$/.test(code))
    problems.add(
      '/code',
      'Unit code must be 1 to 20 letters, digits or hyphens, starting with a letter or digit',
    )
  const name = text(problems, '/name', input.name, 'unit name', 200, true)
  const opened = checkDate(input.openedOn ?? '')
  if (!opened.ok) problems.add('/openedOn', opened.message)
  let parentId: string | null = null
  if (!blank(input.parentCode)) {
    const parent = await trx
      .selectFrom('org_units')
      .select('id')
      .where('org_id', '=', orgId)
      .where('code', '=', input.parentCode!.trim().toUpperCase())
      .executeTakeFirst()
    if (!parent) problems.add('/parentCode', `Unit ${input.parentCode} does not exist in this organisation`)
    else parentId = parent.id
  }
  const costCentre = await checkCostCentre(
    trx,
    orgId,
    input.costCentreCode,
    problems,
    '/costCentreCode',
    false,
  )
  problems.throwIfAny()
  const row = {
    org_id: orgId,
    id,
    code,
    name: name!,
    parent_id: parentId,
    cost_centre_code: costCentre,
    opened_on: (opened as { value: string }).value,
    closed_on: null,
  }
  try {
    await trx.insertInto('org_units').values(row).execute()
  } catch (error) {
    translateDbError(error)
  }
  return {
    id,
    code,
    name: name!,
    parentId,
    costCentreCode: costCentre,
    openedOn: row.opened_on,
    closedOn: null,
  }
}

export interface Position {
  id: string
  code: string
  title: string
  unitId: string
  unitName: string
  gradeCode: string
  reportsToId: string | null
  reportsToTitle: string | null
  costCentreCode: string | null
  fte: string
  establishedOn: string
  abolishedOn: string | null
  /** Holders on the date asked for (names), for the structure page. */
  holders: string[]
}

export async function listPositions(trx: Tx, orgId: string, asAt = todayIso()): Promise<Position[]> {
  const { rows } = await sql<{
    id: string
    code: string
    title: string
    unit_id: string
    unit_name: string
    grade_code: string
    reports_to_id: string | null
    reports_to_title: string | null
    cost_centre_code: string | null
    fte: string
    established_on: string
    abolished_on: string | null
    holders: string[] | null
  }>`
    select pos.id, pos.code, pos.title, pos.unit_id, u.name as unit_name, pos.grade_code, pos.reports_to_id,
      boss.title as reports_to_title, pos.cost_centre_code, pos.fte::text as fte, pos.established_on,
      pos.abolished_on,
      (select array_agg(p.forenames || ' ' || p.surname order by p.surname)
         from employment_terms t
         join employments e on e.org_id = t.org_id and e.id = t.employment_id
         join people p on p.id = e.person_id
        where t.org_id = pos.org_id and t.position_id = pos.id
          and t.valid_from <= ${asAt}::date and (t.valid_to is null or t.valid_to > ${asAt}::date)
          and e.start_date <= ${asAt}::date and (e.end_date is null or e.end_date >= ${asAt}::date)) as holders
    from positions pos
    join org_units u on u.org_id = pos.org_id and u.id = pos.unit_id
    left join positions boss on boss.org_id = pos.org_id and boss.id = pos.reports_to_id
    where pos.org_id = ${orgId}
    order by u.code, pos.code
    limit ${LIST_LIMIT_MAX * 10}`.execute(trx)
  return rows.map((row) => ({
    id: row.id,
    code: row.code,
    title: row.title,
    unitId: row.unit_id,
    unitName: row.unit_name,
    gradeCode: row.grade_code,
    reportsToId: row.reports_to_id,
    reportsToTitle: row.reports_to_title,
    costCentreCode: row.cost_centre_code,
    fte: row.fte,
    establishedOn: row.established_on,
    abolishedOn: row.abolished_on,
    holders: row.holders ?? [],
  }))
}

export interface PositionInput {
  code: string
  title: string
  unitCode: string
  gradeCode: string
  reportsToCode?: string | undefined
  costCentreCode?: string | undefined
  fte?: string | undefined
  establishedOn: string
}

export async function createPosition(
  trx: Tx,
  orgId: string,
  input: PositionInput,
  id: string = randomUUID(),
): Promise<{ id: string; code: string }> {
  const problems = new Problems()
  const code = input.code?.trim().toUpperCase() ?? ''
  if (!/^[A-Z0-9][A-Z0-9-]{0,19}$/.test(code))
    problems.add(
      '/code',
      'Post number must be 1 to 20 letters, digits or hyphens, starting with a letter or digit',
    )
  const title = text(problems, '/title', input.title, 'job title', 200, true)
  const unit = blank(input.unitCode)
    ? undefined
    : await trx
        .selectFrom('org_units')
        .select('id')
        .where('org_id', '=', orgId)
        .where('code', '=', input.unitCode.trim().toUpperCase())
        .executeTakeFirst()
  if (!unit)
    problems.add(
      '/unitCode',
      blank(input.unitCode) ? 'Choose a unit' : `Unit ${input.unitCode} does not exist in this organisation`,
    )
  const grade = await checkGrade(trx, orgId, input.gradeCode, problems, '/gradeCode')
  let reportsToId: string | null = null
  if (!blank(input.reportsToCode)) {
    const boss = await trx
      .selectFrom('positions')
      .select('id')
      .where('org_id', '=', orgId)
      .where('code', '=', input.reportsToCode!.trim().toUpperCase())
      .executeTakeFirst()
    if (!boss)
      problems.add('/reportsToCode', `Post ${input.reportsToCode} does not exist in this organisation`)
    else reportsToId = boss.id
  }
  const costCentre = await checkCostCentre(
    trx,
    orgId,
    input.costCentreCode,
    problems,
    '/costCentreCode',
    false,
  )
  let fte = '1'
  if (!blank(input.fte)) {
    const checked = checkFte(input.fte!)
    if (checked.ok) fte = checked.value
    else problems.add('/fte', checked.message)
  }
  const established = checkDate(input.establishedOn ?? '')
  if (!established.ok) problems.add('/establishedOn', established.message)
  problems.throwIfAny()
  try {
    await trx
      .insertInto('positions')
      .values({
        org_id: orgId,
        id,
        code,
        title: title!,
        unit_id: unit!.id,
        grade_code: grade!,
        reports_to_id: reportsToId,
        cost_centre_code: costCentre,
        fte,
        established_on: (established as { value: string }).value,
        abolished_on: null,
      })
      .execute()
  } catch (error) {
    translateDbError(error)
  }
  return { id, code }
}

export async function listCostCentres(
  trx: Tx,
  orgId: string,
): Promise<Array<{ code: string; name: string }>> {
  return trx
    .selectFrom('cost_centres')
    .select(['code', 'name'])
    .where('org_id', '=', orgId)
    .where('active', '=', true)
    .orderBy('code')
    .execute()
}

// ---------------------------------------------------------------------------------------------
// Employments and their effective-dated terms

export interface TermsInput {
  positionId: string
  gradeCode?: string | undefined
  costCentreCode?: string | undefined
  fte: string
  hoursPerWeek: string
  daysPerWeek?: string | undefined
  annualSalaryPence: number
  payFrequency?: PayFrequency | undefined
}

export interface CleanTerms {
  position_id: string
  grade_code: string
  cost_centre_code: string
  fte: string
  hours_per_week: string
  days_per_week: string
  annual_salary_pence: number
  pay_frequency: PayFrequency
}

/**
 * Checks a set of terms against the organisation's structure on `date`: the post exists and is
 * open, the grade exists (defaulting to the post's), the cost centre is open (defaulting to the
 * post's, then its unit's), FTE and hours are in range, and the salary lies in the grade's pay
 * range when one is recorded. Field names are under `prefix`.
 */
export async function checkTerms(
  trx: Tx,
  orgId: string,
  input: Partial<TermsInput>,
  date: string,
  problems: Problems,
  prefix = '',
): Promise<CleanTerms | null> {
  const before = problems.list.length
  let position:
    | {
        id: string
        grade_code: string
        cost_centre_code: string | null
        unit_cc: string | null
        established_on: string
        abolished_on: string | null
      }
    | undefined
  if (blank(input.positionId)) problems.add(`${prefix}/positionId`, 'Choose a post')
  else if (!isUuid(input.positionId!)) problems.add(`${prefix}/positionId`, 'Choose a post from the list')
  else {
    position = await trx
      .selectFrom('positions as p')
      .innerJoin('org_units as u', (join) =>
        join.onRef('u.org_id', '=', 'p.org_id').onRef('u.id', '=', 'p.unit_id'),
      )
      .select([
        'p.id',
        'p.grade_code',
        'p.cost_centre_code',
        'u.cost_centre_code as unit_cc',
        'p.established_on',
        'p.abolished_on',
      ])
      .where('p.org_id', '=', orgId)
      .where('p.id', '=', input.positionId!)
      .executeTakeFirst()
    if (!position) problems.add(`${prefix}/positionId`, 'That post does not exist in this organisation')
    else if (
      position.established_on > date ||
      (position.abolished_on !== null && position.abolished_on <= date)
    )
      problems.add(`${prefix}/positionId`, `That post is not open on ${date}`)
  }
  const grade = await checkGrade(
    trx,
    orgId,
    input.gradeCode ?? position?.grade_code,
    problems,
    `${prefix}/gradeCode`,
  )
  const costCentre = await checkCostCentre(
    trx,
    orgId,
    input.costCentreCode || position?.cost_centre_code || position?.unit_cc || undefined,
    problems,
    `${prefix}/costCentreCode`,
    true,
  )
  let fte = ''
  const fteChecked = checkFte(String(input.fte ?? ''))
  if (fteChecked.ok) fte = fteChecked.value
  else problems.add(`${prefix}/fte`, fteChecked.message)
  const hours = String(input.hoursPerWeek ?? '').trim()
  if (!/^\d{1,2}(\.\d{1,2})?$/.test(hours) || Number(hours) <= 0 || Number(hours) > 60)
    problems.add(
      `${prefix}/hoursPerWeek`,
      'Hours per week must be a number above 0 and at most 60, with up to 2 decimal places',
    )
  const days = String(input.daysPerWeek ?? '5').trim() || '5'
  if (!/^\d(\.\d)?$/.test(days) || Number(days) <= 0 || Number(days) > 7)
    problems.add(
      `${prefix}/daysPerWeek`,
      'Days per week must be a number above 0 and at most 7, with up to 1 decimal place',
    )
  const salary = input.annualSalaryPence
  if (salary === undefined || !Number.isSafeInteger(salary) || salary < 0)
    problems.add(`${prefix}/annualSalaryPence`, 'Enter the full-time annual salary in pounds and pence')
  else if (grade) {
    const scale = await trx
      .selectFrom('pay_scales')
      .select(['minimum_pence', 'maximum_pence'])
      .where('org_id', '=', orgId)
      .where('grade_code', '=', grade)
      .where('location', '=', 'national')
      .where('valid_from', '<=', date)
      .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', date)]))
      .executeTakeFirst()
    if (scale && (salary < Number(scale.minimum_pence) || salary > Number(scale.maximum_pence)))
      problems.add(
        `${prefix}/annualSalaryPence`,
        `Salary must be within the pay range for grade ${grade} on ${date}: ${formatGbp(Number(scale.minimum_pence))} to ${formatGbp(Number(scale.maximum_pence))}`,
      )
  }
  const frequency = input.payFrequency ?? 'monthly'
  if (!PAY_FREQUENCIES.includes(frequency))
    problems.add(`${prefix}/payFrequency`, `Pay frequency must be one of ${PAY_FREQUENCIES.join(', ')}`)
  if (problems.list.length > before) return null
  return {
    position_id: position!.id,
    grade_code: grade!,
    cost_centre_code: costCentre!,
    fte,
    hours_per_week: hours,
    days_per_week: days,
    annual_salary_pence: salary!,
    pay_frequency: frequency,
  }
}

export interface EmploymentInput {
  personId: string
  employeeNumber?: string | undefined
  contractType: ContractType
  lentByOrgId?: string | null | undefined
  startDate: string
  expectedEndDate?: string | undefined
  continuousServiceDate?: string | undefined
  terms: TermsInput
}

export interface Employment {
  id: string
  orgId: string
  personId: string
  employeeNumber: string
  contractType: ContractType
  lentByOrgId: string | null
  startDate: string
  expectedEndDate: string | null
  endDate: string | null
  leavingReason: string | null
  continuousServiceDate: string
}

export interface TermsVersion {
  validFrom: string
  validTo: string | null
  positionId: string
  positionCode: string
  positionTitle: string
  gradeCode: string
  costCentreCode: string
  fte: string
  hoursPerWeek: string
  daysPerWeek: string
  annualSalaryPence: number
  payFrequency: PayFrequency
  changeReason: string
}

/** The checks on an employment's own fields (not its terms); returns the clean row parts. */
export async function checkEmployment(
  trx: Tx,
  orgId: string,
  input: Omit<EmploymentInput, 'personId' | 'terms'>,
  problems: Problems,
  prefix = '',
) {
  let employeeNumber: string | null = null
  if (!blank(input.employeeNumber)) {
    employeeNumber = input.employeeNumber!.trim().toUpperCase()
    if (!/^[A-Z0-9][A-Z0-9-]{0,34}$/.test(employeeNumber))
      problems.add(`${prefix}/employeeNumber`, 'Employee number must be 1 to 35 letters, digits or hyphens')
    else {
      const taken = await trx
        .selectFrom('employments')
        .select('id')
        .where('org_id', '=', orgId)
        .where('employee_number', '=', employeeNumber)
        .executeTakeFirst()
      if (taken)
        problems.add(
          `${prefix}/employeeNumber`,
          'That employee number is already in use in this organisation',
        )
    }
  }
  if (!CONTRACT_TYPES.includes(input.contractType))
    problems.add(`${prefix}/contractType`, `Contract type must be one of ${CONTRACT_TYPES.join(', ')}`)
  const start = checkDate(input.startDate ?? '')
  if (!start.ok) problems.add(`${prefix}/startDate`, start.message)
  let expectedEnd: string | null = null
  if (!blank(input.expectedEndDate)) {
    const checked = checkDate(input.expectedEndDate!)
    if (!checked.ok) problems.add(`${prefix}/expectedEndDate`, checked.message)
    else if (start.ok && checked.value < start.value)
      problems.add(`${prefix}/expectedEndDate`, 'Expected end date must be on or after the start date')
    else expectedEnd = checked.value
  } else if (['fixed-term', 'loan', 'secondment'].includes(input.contractType))
    problems.add(
      `${prefix}/expectedEndDate`,
      `Enter the expected end date of the ${input.contractType} contract`,
    )
  let continuous: string | null = start.ok ? start.value : null
  if (!blank(input.continuousServiceDate)) {
    const checked = checkDate(input.continuousServiceDate!)
    if (!checked.ok) problems.add(`${prefix}/continuousServiceDate`, checked.message)
    else if (start.ok && checked.value > start.value)
      problems.add(
        `${prefix}/continuousServiceDate`,
        'Continuous service cannot start after the employment starts',
      )
    else continuous = checked.value
  }
  return {
    employeeNumber,
    startDate: start.ok ? start.value : '',
    expectedEndDate: expectedEnd,
    continuousServiceDate: continuous ?? '',
  }
}

/** The next free employee number of the organisation: E000001, E000002, ... */
export async function nextEmployeeNumber(trx: Tx, orgId: string): Promise<string> {
  const { rows } = await sql<{ n: number | null }>`
    select max(substr(employee_number, 2)::int) as n from employments
    where org_id = ${orgId} and employee_number ~ '^E[0-9]{6}$'`.execute(trx)
  return `E${String((rows[0]?.n ?? 0) + 1).padStart(6, '0')}`
}

/**
 * Creates an employment with its first terms from its start date. Errors: ValidationError naming
 * each field, NotFoundError for an invisible person.
 */
export async function createEmployment(
  trx: Tx,
  orgId: string,
  input: EmploymentInput,
  userId: string | null,
  options: { id?: string; prefix?: string; changeReason?: string } = {},
): Promise<Employment> {
  const prefix = options.prefix ?? ''
  const problems = new Problems()
  const person = await getPerson(trx, input.personId)
  const clean = await checkEmployment(trx, orgId, input, problems, prefix)
  if (input.contractType === 'loan' || input.contractType === 'secondment') {
    if (input.lentByOrgId && input.lentByOrgId === orgId)
      problems.add(`${prefix}/lentByOrgId`, 'A loan or secondment comes from another organisation')
  } else if (input.lentByOrgId)
    problems.add(`${prefix}/lentByOrgId`, 'Only a loan or secondment has a lending organisation')
  const terms = clean.startDate
    ? await checkTerms(trx, orgId, input.terms, clean.startDate, problems, `${prefix}/terms`)
    : null
  if (clean.startDate && person.dateOfBirth) {
    const sixteenth = `${Number(person.dateOfBirth.slice(0, 4)) + 16}${person.dateOfBirth.slice(4)}`
    if (sixteenth > clean.startDate)
      problems.add(`${prefix}/startDate`, 'The person must be at least 16 years old on the start date')
  }
  problems.throwIfAny()
  const id = options.id ?? randomUUID()
  const employeeNumber = clean.employeeNumber ?? (await nextEmployeeNumber(trx, orgId))
  const row = {
    org_id: orgId,
    id,
    person_id: person.id,
    employee_number: employeeNumber,
    contract_type: input.contractType,
    lent_by_org_id: input.lentByOrgId ?? null,
    start_date: clean.startDate,
    expected_end_date: clean.expectedEndDate,
    end_date: null,
    leaving_reason: null,
    continuous_service_date: clean.continuousServiceDate,
  }
  try {
    await trx.insertInto('employments').values(row).execute()
    await trx
      .insertInto('employment_terms')
      .values({
        org_id: orgId,
        employment_id: id,
        valid_from: clean.startDate,
        valid_to: null,
        ...terms!,
        change_reason: options.changeReason ?? 'Joined',
        created_by: userId,
      })
      .execute()
  } catch (error) {
    translateDbError(error, `${prefix}/startDate`)
  }
  return toEmployment(row)
}

function toEmployment(row: {
  id: string
  org_id: string
  person_id: string
  employee_number: string
  contract_type: ContractType
  lent_by_org_id: string | null
  start_date: string
  expected_end_date: string | null
  end_date: string | null
  leaving_reason: string | null
  continuous_service_date: string
}): Employment {
  return {
    id: row.id,
    orgId: row.org_id,
    personId: row.person_id,
    employeeNumber: row.employee_number,
    contractType: row.contract_type,
    lentByOrgId: row.lent_by_org_id,
    startDate: row.start_date,
    expectedEndDate: row.expected_end_date,
    endDate: row.end_date,
    leavingReason: row.leaving_reason,
    continuousServiceDate: row.continuous_service_date,
  }
}

export async function getEmployment(trx: Tx, orgId: string, employmentId: string): Promise<Employment> {
  if (!isUuid(employmentId)) throw new NotFoundError('No such employment')
  const row = await trx
    .selectFrom('employments')
    .select([
      'id',
      'org_id',
      'person_id',
      'employee_number',
      'contract_type',
      'lent_by_org_id',
      'start_date',
      'expected_end_date',
      'end_date',
      'leaving_reason',
      'continuous_service_date',
    ])
    .where('org_id', '=', orgId)
    .where('id', '=', employmentId)
    .executeTakeFirst()
  if (!row) throw new NotFoundError('No such employment')
  return toEmployment(row)
}

/** A person's employments visible to the caller (this and other organisations employing them). */
export async function employmentsOfPerson(trx: Tx, personId: string): Promise<Employment[]> {
  const rows = await trx
    .selectFrom('employments')
    .select([
      'id',
      'org_id',
      'person_id',
      'employee_number',
      'contract_type',
      'lent_by_org_id',
      'start_date',
      'expected_end_date',
      'end_date',
      'leaving_reason',
      'continuous_service_date',
    ])
    .where('person_id', '=', personId)
    .orderBy('start_date')
    .execute()
  return rows.map(toEmployment)
}

/** Every version of an employment's terms, oldest first. */
export async function termsHistory(trx: Tx, orgId: string, employmentId: string): Promise<TermsVersion[]> {
  const { rows } = await sql<{
    valid_from: string
    valid_to: string | null
    position_id: string
    position_code: string
    position_title: string
    grade_code: string
    cost_centre_code: string
    fte: string
    hours_per_week: string
    days_per_week: string
    annual_salary_pence: number
    pay_frequency: PayFrequency
    change_reason: string
  }>`
    select t.valid_from, t.valid_to, t.position_id, pos.code as position_code, pos.title as position_title,
      t.grade_code, t.cost_centre_code, t.fte::text as fte, t.hours_per_week::text as hours_per_week,
      t.days_per_week::text as days_per_week, t.annual_salary_pence, t.pay_frequency, t.change_reason
    from employment_terms t
    join positions pos on pos.org_id = t.org_id and pos.id = t.position_id
    where t.org_id = ${orgId} and t.employment_id = ${employmentId}
    order by t.valid_from`.execute(trx)
  return rows.map((row) => ({
    validFrom: row.valid_from,
    validTo: row.valid_to,
    positionId: row.position_id,
    positionCode: row.position_code,
    positionTitle: row.position_title,
    gradeCode: row.grade_code,
    costCentreCode: row.cost_centre_code,
    fte: row.fte,
    hoursPerWeek: row.hours_per_week,
    daysPerWeek: row.days_per_week,
    annualSalaryPence: Number(row.annual_salary_pence),
    payFrequency: row.pay_frequency,
    changeReason: row.change_reason,
  }))
}

/** The terms in force on `date`, or null. */
export async function termsAsAt(
  trx: Tx,
  orgId: string,
  employmentId: string,
  date: string,
): Promise<TermsVersion | null> {
  const history = await termsHistory(trx, orgId, employmentId)
  return history.find((v) => v.validFrom <= date && (v.validTo === null || v.validTo > date)) ?? null
}

export type TermsChange = Partial<TermsInput>

/**
 * Changes an employment's terms from `from`: the version in force on that day is closed and a new
 * one, the old terms with `changes` applied, runs from `from` to where the old one ended. A change
 * from the very day a version starts replaces that version. Errors: ValidationError (fields under
 * `prefix`), BusinessRuleError (no terms in force then: before the start or after the end).
 */
export async function changeTermsFrom(
  trx: Tx,
  orgId: string,
  employmentId: string,
  from: string,
  changes: TermsChange,
  reason: string,
  userId: string | null,
  prefix = '',
): Promise<TermsVersion> {
  const employment = await getEmployment(trx, orgId, employmentId)
  const problems = new Problems()
  const date = checkDate(from ?? '')
  if (!date.ok) problems.add(`${prefix}/effectiveDate`, date.message)
  const why = text(problems, `${prefix}/reason`, reason, 'reason for the change', 200, true)
  problems.throwIfAny()
  const validFrom = (date as { value: string }).value
  if (employment.endDate !== null && validFrom > employment.endDate)
    throw new BusinessRuleError(`The employment ended on ${employment.endDate}`, [
      {
        field: `${prefix}/effectiveDate`,
        message: `The employment ended on ${employment.endDate}: choose an earlier date`,
      },
    ])
  const current = await trx
    .selectFrom('employment_terms')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('employment_id', '=', employmentId)
    .where('valid_from', '<=', validFrom)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', validFrom)]))
    .forUpdate()
    .executeTakeFirst()
  if (!current)
    throw new BusinessRuleError(`No terms are in force on ${validFrom}`, [
      {
        field: `${prefix}/effectiveDate`,
        message: `The employment starts on ${employment.startDate}: choose a date on or after it`,
      },
    ])
  // A change of post brings the post's grade and cost centre unless the change names them.
  const positionChanged = changes.positionId !== undefined && changes.positionId !== current.position_id
  const merged: Partial<TermsInput> = {
    positionId: changes.positionId ?? current.position_id,
    gradeCode: changes.gradeCode ?? (positionChanged ? undefined : current.grade_code),
    costCentreCode: changes.costCentreCode ?? (positionChanged ? undefined : current.cost_centre_code),
    fte: changes.fte ?? String(current.fte),
    hoursPerWeek: changes.hoursPerWeek ?? String(current.hours_per_week),
    daysPerWeek: changes.daysPerWeek ?? String(current.days_per_week),
    annualSalaryPence: changes.annualSalaryPence ?? Number(current.annual_salary_pence),
    payFrequency: changes.payFrequency ?? current.pay_frequency,
  }
  const terms = await checkTerms(trx, orgId, merged, validFrom, problems, prefix)
  problems.throwIfAny()
  try {
    if (current.valid_from === validFrom) {
      await trx
        .deleteFrom('employment_terms')
        .where('org_id', '=', orgId)
        .where('employment_id', '=', employmentId)
        .where('valid_from', '=', validFrom)
        .execute()
    } else {
      await trx
        .updateTable('employment_terms')
        .set({ valid_to: validFrom })
        .where('org_id', '=', orgId)
        .where('employment_id', '=', employmentId)
        .where('valid_from', '=', current.valid_from)
        .execute()
    }
    await trx
      .insertInto('employment_terms')
      .values({
        org_id: orgId,
        employment_id: employmentId,
        valid_from: validFrom,
        valid_to: current.valid_to,
        ...terms!,
        change_reason: why!,
        created_by: userId,
      })
      .execute()
  } catch (error) {
    translateDbError(error, `${prefix}/effectiveDate`)
  }
  return (await termsAsAt(trx, orgId, employmentId, validFrom))!
}

/**
 * Cancels a change that has not yet taken effect: the version starting on `validFrom` (after
 * `today`) is deleted and the version before it runs on to where the cancelled one ended.
 * Errors: NotFoundError (no such version), BusinessRuleError (already in force, or the first).
 */
export async function cancelFutureTerms(
  trx: Tx,
  orgId: string,
  employmentId: string,
  validFrom: string,
  today = todayIso(),
): Promise<void> {
  await getEmployment(trx, orgId, employmentId)
  const history = await termsHistory(trx, orgId, employmentId)
  const index = history.findIndex((v) => v.validFrom === validFrom)
  if (index < 0) throw new NotFoundError(`No change from ${validFrom} is recorded`)
  if (validFrom <= today)
    throw new BusinessRuleError(
      `The change from ${validFrom} has already taken effect; record a new change instead`,
    )
  if (index === 0)
    throw new BusinessRuleError(
      'The first terms of an employment cannot be cancelled; withdraw the joiner instead',
    )
  const cancelled = history[index]!
  const previous = history[index - 1]!
  // Delete first: the exclusion constraint is checked per statement, and extending first would overlap.
  await trx
    .deleteFrom('employment_terms')
    .where('org_id', '=', orgId)
    .where('employment_id', '=', employmentId)
    .where('valid_from', '=', validFrom)
    .execute()
  if (previous.validTo === validFrom)
    await trx
      .updateTable('employment_terms')
      .set({ valid_to: cancelled.validTo })
      .where('org_id', '=', orgId)
      .where('employment_id', '=', employmentId)
      .where('valid_from', '=', previous.validFrom)
      .execute()
}

/**
 * Ends an employment on `lastDay` (inclusive): the terms stop the day after, and any change
 * recorded for a later date is removed, as is any later tax code.
 */
export async function endEmployment(
  trx: Tx,
  orgId: string,
  employmentId: string,
  lastDay: string,
  reason: string,
): Promise<Employment> {
  const employment = await getEmployment(trx, orgId, employmentId)
  if (employment.endDate !== null)
    throw new BusinessRuleError(`The employment already ended on ${employment.endDate}`)
  if (lastDay < employment.startDate)
    throw new BusinessRuleError('The last day cannot be before the employment started', [
      { field: '/lastWorkingDay', message: `The employment started on ${employment.startDate}` },
    ])
  const dayAfter = sql<string>`(${lastDay}::date + 1)`
  for (const table of ['employment_terms', 'tax_codes'] as const) {
    await trx
      .deleteFrom(table)
      .where('org_id', '=', orgId)
      .where('employment_id', '=', employmentId)
      .where('valid_from', '>', lastDay)
      .execute()
    await trx
      .updateTable(table)
      .set({ valid_to: dayAfter })
      .where('org_id', '=', orgId)
      .where('employment_id', '=', employmentId)
      .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', dayAfter)]))
      .execute()
  }
  await trx
    .updateTable('employments')
    .set({ end_date: lastDay, leaving_reason: reason })
    .where('org_id', '=', orgId)
    .where('id', '=', employmentId)
    .execute()
  return getEmployment(trx, orgId, employmentId)
}

// ---------------------------------------------------------------------------------------------
// Payroll details and tax codes

export interface PayrollDetailsInput {
  starterDeclaration?: 'A' | 'B' | 'C' | undefined
  niCategory?: string | undefined
  studentLoanPlans?: string[] | undefined
  postgraduateLoan?: boolean | undefined
  pensionScheme?: PensionScheme | undefined
  bankAccountName?: string | undefined
  bankSortCode?: string | undefined
  bankAccountNumber?: string | undefined
}

export interface PayrollDetails {
  starterDeclaration: 'A' | 'B' | 'C' | null
  niCategory: string
  studentLoanPlans: string[]
  postgraduateLoan: boolean
  pensionScheme: PensionScheme
  bankAccountName: string | null
  bankSortCode: string | null
  bankAccountNumber: string | null
}

export function checkPayrollDetails(input: PayrollDetailsInput, problems: Problems, prefix = '') {
  if (input.starterDeclaration !== undefined && !['A', 'B', 'C'].includes(input.starterDeclaration))
    problems.add(`${prefix}/starterDeclaration`, 'Starter declaration must be A, B or C')
  const niCategory = (input.niCategory ?? 'A').trim().toUpperCase()
  if (!/^[A-Z]$/.test(niCategory))
    problems.add(`${prefix}/niCategory`, 'NI category must be one letter, like A')
  const plans = input.studentLoanPlans ?? []
  for (const plan of plans)
    if (!['1', '2', '4', '5'].includes(plan))
      problems.add(`${prefix}/studentLoanPlans`, 'Student loan plans are 1, 2, 4 or 5')
  const pension = input.pensionScheme ?? 'alpha'
  if (!PENSION_SCHEMES.includes(pension))
    problems.add(`${prefix}/pensionScheme`, `Pension scheme must be one of ${PENSION_SCHEMES.join(', ')}`)
  const sortCode = blank(input.bankSortCode) ? null : input.bankSortCode!.replace(/[\s-]/g, '')
  const accountNumber = blank(input.bankAccountNumber) ? null : input.bankAccountNumber!.replace(/\s/g, '')
  if (sortCode !== null && !/^\d{6}$/.test(sortCode))
    problems.add(`${prefix}/bankSortCode`, 'Sort code must be 6 digits, like 309430')
  if (accountNumber !== null && !/^\d{8}$/.test(accountNumber))
    problems.add(`${prefix}/bankAccountNumber`, 'Account number must be 8 digits')
  if ((sortCode === null) !== (accountNumber === null))
    problems.add(
      `${prefix}/${sortCode === null ? 'bankSortCode' : 'bankAccountNumber'}`,
      'Enter both the sort code and the account number',
    )
  const accountName = blank(input.bankAccountName) ? null : input.bankAccountName!.trim()
  if (accountName && accountName.length > 18)
    problems.add(`${prefix}/bankAccountName`, 'Account name must be 18 characters or fewer (the Bacs limit)')
  return {
    starter_declaration: input.starterDeclaration ?? null,
    ni_category: niCategory,
    student_loan_plans: [...new Set(plans)].sort(),
    postgraduate_loan: input.postgraduateLoan ?? false,
    pension_scheme: pension,
    bank_account_name: accountName,
    bank_sort_code: sortCode,
    bank_account_number: accountNumber,
  }
}

export async function setPayrollDetails(
  trx: Tx,
  orgId: string,
  employmentId: string,
  input: PayrollDetailsInput,
  prefix = '',
): Promise<PayrollDetails> {
  await getEmployment(trx, orgId, employmentId)
  const problems = new Problems()
  const clean = checkPayrollDetails(input, problems, prefix)
  problems.throwIfAny()
  await trx
    .insertInto('payroll_details')
    .values({ org_id: orgId, employment_id: employmentId, ...clean })
    .onConflict((oc) => oc.columns(['org_id', 'employment_id']).doUpdateSet(clean))
    .execute()
  return (await getPayrollDetails(trx, orgId, employmentId))!
}

export async function getPayrollDetails(
  trx: Tx,
  orgId: string,
  employmentId: string,
): Promise<PayrollDetails | null> {
  const row = await trx
    .selectFrom('payroll_details')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('employment_id', '=', employmentId)
    .executeTakeFirst()
  if (!row) return null
  return {
    starterDeclaration: row.starter_declaration,
    niCategory: row.ni_category,
    studentLoanPlans: row.student_loan_plans,
    postgraduateLoan: row.postgraduate_loan,
    pensionScheme: row.pension_scheme,
    bankAccountName: row.bank_account_name,
    bankSortCode: row.bank_sort_code,
    bankAccountNumber: row.bank_account_number,
  }
}

export interface TaxCode {
  validFrom: string
  validTo: string | null
  taxCode: string
  week1Month1: boolean
  source: TaxCodeSource
}

export const TAX_CODE_PATTERN = /^[SC]?(\d{1,6}[LMNT]|K\d{1,6}|BR|D0|D1|D2|NT|0T)$/

/** The tax code HMRC's starter checklist implies when no P45 is given. */
export function starterTaxCode(declaration: 'A' | 'B' | 'C'): { taxCode: string; week1Month1: boolean } {
  if (declaration === 'A') return { taxCode: '1257L', week1Month1: false }
  if (declaration === 'B') return { taxCode: '1257L', week1Month1: true }
  return { taxCode: 'BR', week1Month1: false }
}

export function checkTaxCode(input: string, problems: Problems, field: string): string | null {
  const value = input.replace(/\s+/g, '').toUpperCase()
  if (!TAX_CODE_PATTERN.test(value)) {
    problems.add(field, 'Enter a tax code HMRC issues, like 1257L, BR, 0T, K475 or S1257L')
    return null
  }
  return value
}

/** A tax code from a date (closing the one in force then). Errors: ValidationError, BusinessRuleError. */
export async function setTaxCodeFrom(
  trx: Tx,
  orgId: string,
  employmentId: string,
  input: { validFrom: string; taxCode: string; week1Month1?: boolean; source: TaxCodeSource },
  prefix = '',
): Promise<TaxCode> {
  const employment = await getEmployment(trx, orgId, employmentId)
  const problems = new Problems()
  const from = checkDate(input.validFrom ?? '')
  if (!from.ok) problems.add(`${prefix}/validFrom`, from.message)
  const code = checkTaxCode(input.taxCode ?? '', problems, `${prefix}/taxCode`)
  if (!['starter', 'p45', 'p6', 'p9', 'manual'].includes(input.source))
    problems.add(`${prefix}/source`, 'Source must be one of starter, p45, p6, p9, manual')
  problems.throwIfAny()
  const validFrom = (from as { value: string }).value
  if (employment.endDate !== null && validFrom > employment.endDate)
    throw new BusinessRuleError(`The employment ended on ${employment.endDate}`, [
      { field: `${prefix}/validFrom`, message: `The employment ended on ${employment.endDate}` },
    ])
  const current = await trx
    .selectFrom('tax_codes')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('employment_id', '=', employmentId)
    .where('valid_from', '<=', validFrom)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', validFrom)]))
    .executeTakeFirst()
  const next = await trx
    .selectFrom('tax_codes')
    .select('valid_from')
    .where('org_id', '=', orgId)
    .where('employment_id', '=', employmentId)
    .where('valid_from', '>', validFrom)
    .orderBy('valid_from')
    .executeTakeFirst()
  const validTo = current ? current.valid_to : (next?.valid_from ?? null)
  try {
    if (current) {
      if (current.valid_from === validFrom)
        await trx
          .deleteFrom('tax_codes')
          .where('org_id', '=', orgId)
          .where('employment_id', '=', employmentId)
          .where('valid_from', '=', validFrom)
          .execute()
      else
        await trx
          .updateTable('tax_codes')
          .set({ valid_to: validFrom })
          .where('org_id', '=', orgId)
          .where('employment_id', '=', employmentId)
          .where('valid_from', '=', current.valid_from)
          .execute()
    }
    await trx
      .insertInto('tax_codes')
      .values({
        org_id: orgId,
        employment_id: employmentId,
        valid_from: validFrom,
        valid_to: validTo,
        tax_code: code!,
        week1_month1: input.week1Month1 ?? false,
        source: input.source,
      })
      .execute()
  } catch (error) {
    translateDbError(error, `${prefix}/validFrom`)
  }
  return { validFrom, validTo, taxCode: code!, week1Month1: input.week1Month1 ?? false, source: input.source }
}

export async function listTaxCodes(trx: Tx, orgId: string, employmentId: string): Promise<TaxCode[]> {
  const rows = await trx
    .selectFrom('tax_codes')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('employment_id', '=', employmentId)
    .orderBy('valid_from')
    .execute()
  return rows.map((row) => ({
    validFrom: row.valid_from,
    validTo: row.valid_to,
    taxCode: row.tax_code,
    week1Month1: row.week1_month1,
    source: row.source,
  }))
}
