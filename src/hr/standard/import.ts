// Bulk import of people and their employments from CSV (columns in docs/hr-data-standard.md).
// Every bad row is reported with its line number, column and the rule broken (the same messages as
// the journeys: src/hr/validation.ts), and nothing is imported until the whole file is clean. The
// import runs in the caller's transaction, so it is all or nothing.
//
// Each row is one employment. A person is created for it unless a person with the same National
// Insurance number is already visible to the organisation (a second post, or a rehire), in which
// case the employment joins that person: one record per human. Several rows of the file with the
// same NI number are one person with several employments. A person held by another organisation
// (not visible here) is refused: moving someone between organisations is the transfer journey.
import { randomUUID } from 'node:crypto'
import type { Tx } from '../../platform/db/index.ts'
import { FileImportError, type ImportProblem, readCsvTable } from '../../platform/file-import.ts'
import { MoneyFormatError, parseMoney } from '../../platform/money.ts'
import { checkDate, checkDateOfBirth, checkFte, checkNiNumber, checkPostcode } from '../validation.ts'
import '../tables.ts'

export const PEOPLE_IMPORT_COLUMNS = [
  'employee_number',
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
  'contract_type',
  'lent_by_organisation_code',
  'start_date',
  'expected_end_date',
  'continuous_service_date',
  'position_code',
  'grade_code',
  'cost_centre_code',
  'fte',
  'hours_per_week',
  'days_per_week',
  'annual_salary',
  'pay_frequency',
  'starter_declaration',
  'tax_code',
] as const
export const PEOPLE_IMPORT_REQUIRED = [
  'employee_number',
  'forenames',
  'surname',
  'date_of_birth',
  'contract_type',
  'start_date',
  'position_code',
  'fte',
  'hours_per_week',
  'annual_salary',
] as const
export const PEOPLE_IMPORT_MAX_BYTES = 20 * 1024 * 1024
export const PEOPLE_IMPORT_MAX_ROWS = 50_000

const CONTRACT_TYPES = ['permanent', 'fixed-term', 'secondment', 'loan', 'casual'] as const
const PAY_FREQUENCIES = ['weekly', 'fortnightly', 'four-weekly', 'monthly'] as const
/** Inserts per statement: a limit on statement size. */
const INSERT_BATCH = 1_000

export interface PeopleImportResult {
  peopleCreated: number
  employmentsCreated: number
}

interface CleanRow {
  line: number
  niNumber: string | null
  person: {
    forenames: string
    surname: string
    preferred_name: string | null
    date_of_birth: string
    email: string | null
    phone: string | null
    address_line1: string | null
    address_line2: string | null
    town: string | null
    postcode: string | null
  }
  employment: {
    employee_number: string
    contract_type: (typeof CONTRACT_TYPES)[number]
    lent_by_org_id: string | null
    start_date: string
    expected_end_date: string | null
    continuous_service_date: string
  }
  terms: {
    position_id: string
    grade_code: string
    cost_centre_code: string
    fte: string
    hours_per_week: string
    days_per_week: string
    annual_salary_pence: number
    pay_frequency: (typeof PAY_FREQUENCIES)[number]
  }
  starterDeclaration: 'A' | 'B' | 'C' | null
  taxCode: string | null
}

const decimalIn = (value: string, max: number, places: number) =>
  new RegExp(`^\\d{1,3}(\\.\\d{1,${places}})?$`).test(value) && Number(value) > 0 && Number(value) <= max

/** Imports the file into the organisation, or throws FileImportError listing every problem. */
export async function importPeopleCsv(
  trx: Tx,
  orgId: string,
  content: Buffer | string,
  userId: string | null,
): Promise<PeopleImportResult> {
  const fail = (problems: ImportProblem[]) => new FileImportError(problems)
  const { rows, problems } = readCsvTable(
    content,
    {
      columns: PEOPLE_IMPORT_COLUMNS,
      required: PEOPLE_IMPORT_REQUIRED,
      maxBytes: PEOPLE_IMPORT_MAX_BYTES,
      maxRows: PEOPLE_IMPORT_MAX_ROWS,
    },
    fail,
  )
  if (rows.length === 0 && problems.length === 0)
    throw fail([{ line: 0, field: 'file', message: 'the file has a header but no rows' }])

  // What the rows refer to, read once.
  const [positions, grades, costCentres, existingNumbers, organisations, scales] = await Promise.all([
    trx
      .selectFrom('positions as p')
      .leftJoin('org_units as u', (join) =>
        join.onRef('u.org_id', '=', 'p.org_id').onRef('u.id', '=', 'p.unit_id'),
      )
      .select([
        'p.id',
        'p.code',
        'p.grade_code',
        'p.cost_centre_code',
        'u.cost_centre_code as unit_cost_centre',
        'p.abolished_on',
      ])
      .where('p.org_id', '=', orgId)
      .execute(),
    trx.selectFrom('grades').select('code').where('org_id', '=', orgId).execute(),
    trx.selectFrom('cost_centres').select(['code', 'active']).where('org_id', '=', orgId).execute(),
    trx.selectFrom('employments').select('employee_number').where('org_id', '=', orgId).execute(),
    trx.selectFrom('organisations').select(['id', 'code']).execute(),
    trx
      .selectFrom('pay_scales')
      .select(['grade_code', 'valid_from', 'valid_to', 'minimum_pence', 'maximum_pence'])
      .where('org_id', '=', orgId)
      .where('location', '=', 'national')
      .execute(),
  ])
  const positionByCode = new Map(positions.map((p) => [p.code, p]))
  const gradeCodes = new Set(grades.map((g) => g.code))
  const costCentreByCode = new Map(costCentres.map((c) => [c.code, c]))
  const takenNumbers = new Set(existingNumbers.map((e) => e.employee_number))
  const orgByCode = new Map(organisations.map((o) => [o.code, o.id]))
  const today = new Date().toISOString().slice(0, 10)

  const clean: CleanRow[] = []
  const numbersInFile = new Map<string, number>()
  const personByNi = new Map<string, { line: number; key: string }>()
  for (const row of rows) {
    const rowProblems: ImportProblem[] = []
    const problem = (field: string, message: string) => rowProblems.push({ line: row.line, field, message })
    const text = (column: string, max: number) => {
      const value = row.cell(column)
      if (!value) return null
      if (value.length > max) {
        problem(column, `must be ${max} characters or fewer`)
        return null
      }
      return value
    }
    const required = (column: string, max: number) => {
      const value = text(column, max)
      if (value === null && !rowProblems.some((p) => p.field === column)) problem(column, 'is required')
      return value ?? ''
    }

    const employeeNumber = required('employee_number', 35).toUpperCase()
    if (employeeNumber && !/^[A-Z0-9][A-Z0-9-]{0,34}$/.test(employeeNumber))
      problem('employee_number', 'must be letters, digits and hyphens, starting with a letter or digit')
    else if (employeeNumber && takenNumbers.has(employeeNumber))
      problem('employee_number', `${employeeNumber} is already an employee number in this organisation`)
    else if (employeeNumber && numbersInFile.has(employeeNumber))
      problem('employee_number', `${employeeNumber} is also on line ${numbersInFile.get(employeeNumber)}`)
    else if (employeeNumber) numbersInFile.set(employeeNumber, row.line)

    const forenames = required('forenames', 100)
    const surname = required('surname', 100)
    const preferredName = text('preferred_name', 100)

    const startText = required('start_date', 10)
    let startDate = ''
    if (startText) {
      const checked = checkDate(startText)
      if (checked.ok) startDate = checked.value
      else problem('start_date', checked.message)
    }
    const dobText = required('date_of_birth', 10)
    let dateOfBirth = ''
    if (dobText) {
      const checked = checkDateOfBirth(dobText, startDate || today)
      if (checked.ok) dateOfBirth = checked.value
      else problem('date_of_birth', checked.message)
    }

    let niNumber: string | null = null
    const niText = text('ni_number', 20)
    if (niText) {
      const checked = checkNiNumber(niText)
      if (checked.ok) niNumber = checked.value
      else problem('ni_number', checked.message)
    }
    const email = text('email', 254)
    if (email && !/^[^@\s]+@[^@\s]+$/.test(email))
      problem('email', 'Enter an email address in the correct format, like name@example.gov.uk')
    const phone = text('phone', 40)
    const address1 = text('address_line1', 200)
    const address2 = text('address_line2', 200)
    const town = text('town', 100)
    let postcode: string | null = null
    const postcodeText = text('postcode', 10)
    if (postcodeText) {
      const checked = checkPostcode(postcodeText)
      if (checked.ok) postcode = checked.value
      else problem('postcode', checked.message)
    }

    const contractType = required('contract_type', 20).toLowerCase()
    if (contractType && !(CONTRACT_TYPES as readonly string[]).includes(contractType))
      problem('contract_type', `must be one of ${CONTRACT_TYPES.join(', ')}`)
    let lentBy: string | null = null
    const lenderCode = text('lent_by_organisation_code', 60)
    if (lenderCode) {
      if (contractType !== 'loan' && contractType !== 'secondment')
        problem('lent_by_organisation_code', 'is only for a loan or secondment')
      else if (!orgByCode.has(lenderCode.toLowerCase()))
        problem('lent_by_organisation_code', `there is no organisation with the code ${lenderCode}`)
      else lentBy = orgByCode.get(lenderCode.toLowerCase())!
    }
    let expectedEnd: string | null = null
    const expectedText = text('expected_end_date', 10)
    if (expectedText) {
      const checked = checkDate(expectedText)
      if (!checked.ok) problem('expected_end_date', checked.message)
      else if (startDate && checked.value < startDate)
        problem('expected_end_date', 'must be on or after the start date')
      else expectedEnd = checked.value
    }
    let continuous = startDate
    const continuousText = text('continuous_service_date', 10)
    if (continuousText) {
      const checked = checkDate(continuousText)
      if (!checked.ok) problem('continuous_service_date', checked.message)
      else if (startDate && checked.value > startDate)
        problem('continuous_service_date', 'must be on or before the start date')
      else continuous = checked.value
    }

    const positionCode = required('position_code', 20).toUpperCase()
    const position = positionCode ? positionByCode.get(positionCode) : undefined
    if (positionCode && !position)
      problem('position_code', `there is no post ${positionCode} in this organisation`)
    else if (position?.abolished_on && startDate && position.abolished_on <= startDate)
      problem('position_code', `post ${positionCode} was abolished on ${position.abolished_on}`)
    let gradeCode = text('grade_code', 16)?.toUpperCase() ?? position?.grade_code ?? ''
    if (gradeCode && !gradeCodes.has(gradeCode)) {
      problem('grade_code', `there is no grade ${gradeCode} in this organisation`)
      gradeCode = ''
    }
    const costCentreCode =
      text('cost_centre_code', 20)?.toUpperCase() ??
      position?.cost_centre_code ??
      position?.unit_cost_centre ??
      ''
    const costCentre = costCentreByCode.get(costCentreCode)
    if (!costCentreCode && position)
      problem('cost_centre_code', 'is required: the post and its unit have no cost centre')
    else if (costCentreCode && !costCentre)
      problem('cost_centre_code', `there is no cost centre ${costCentreCode} in this organisation`)
    else if (costCentre && !costCentre.active)
      problem('cost_centre_code', `cost centre ${costCentreCode} is closed`)

    const fteText = required('fte', 10)
    let fte = ''
    if (fteText) {
      const checked = checkFte(fteText)
      if (checked.ok) fte = checked.value
      else problem('fte', checked.message)
    }
    const hours = required('hours_per_week', 10)
    if (hours && !decimalIn(hours, 60, 2))
      problem('hours_per_week', 'must be a number of hours above 0 and at most 60, like 37 or 22.5')
    const days = text('days_per_week', 10) ?? '5'
    if (!decimalIn(days, 7, 1))
      problem('days_per_week', 'must be a number of days above 0 and at most 7, like 5 or 2.5')

    const salaryText = required('annual_salary', 20)
    let salaryPence = 0
    if (salaryText) {
      try {
        salaryPence = parseMoney(salaryText, { allowSeparators: true })
        if (salaryPence <= 0) problem('annual_salary', 'must be more than 0')
        const scale = scales.find(
          (s) =>
            s.grade_code === gradeCode &&
            s.valid_from <= (startDate || today) &&
            (s.valid_to === null || s.valid_to > (startDate || today)),
        )
        if (
          scale &&
          salaryPence > 0 &&
          (salaryPence < scale.minimum_pence || salaryPence > scale.maximum_pence)
        )
          problem(
            'annual_salary',
            `must be within the ${gradeCode} pay scale, £${(scale.minimum_pence / 100).toLocaleString('en-GB')} to £${(scale.maximum_pence / 100).toLocaleString('en-GB')}`,
          )
      } catch (error) {
        if (!(error instanceof MoneyFormatError)) throw error
        problem('annual_salary', 'must be an amount in pounds, like 31500 or 31500.00')
      }
    }
    const payFrequency = (text('pay_frequency', 20) ?? 'monthly').toLowerCase()
    if (!(PAY_FREQUENCIES as readonly string[]).includes(payFrequency))
      problem('pay_frequency', `must be one of ${PAY_FREQUENCIES.join(', ')}`)
    const starter = text('starter_declaration', 1)?.toUpperCase() ?? null
    if (starter && !['A', 'B', 'C'].includes(starter))
      problem('starter_declaration', 'must be A, B or C (the HMRC starter checklist statement)')
    const taxCode = text('tax_code', 10)?.toUpperCase().replace(/\s+/g, '') ?? null
    if (taxCode && !/^[A-Z0-9]{1,10}$/.test(taxCode))
      problem('tax_code', 'must be an HMRC tax code, like 1257L or BR')

    // The same person on several rows must be the same person.
    if (niNumber && !rowProblems.length) {
      const key = `${forenames}|${surname}|${dateOfBirth}`.toLowerCase()
      const earlier = personByNi.get(niNumber)
      if (earlier && earlier.key !== key)
        problem('ni_number', `is also on line ${earlier.line} for a different name or date of birth`)
      else if (!earlier) personByNi.set(niNumber, { line: row.line, key })
    }

    if (rowProblems.length > 0) {
      problems.push(...rowProblems)
      continue
    }
    clean.push({
      line: row.line,
      niNumber,
      person: {
        forenames,
        surname,
        preferred_name: preferredName,
        date_of_birth: dateOfBirth,
        email,
        phone,
        address_line1: address1,
        address_line2: address2,
        town,
        postcode,
      },
      employment: {
        employee_number: employeeNumber,
        contract_type: contractType as CleanRow['employment']['contract_type'],
        lent_by_org_id: lentBy,
        start_date: startDate,
        expected_end_date: expectedEnd,
        continuous_service_date: continuous,
      },
      terms: {
        position_id: position!.id,
        grade_code: gradeCode,
        cost_centre_code: costCentreCode,
        fte,
        hours_per_week: hours,
        days_per_week: days,
        annual_salary_pence: salaryPence,
        pay_frequency: payFrequency as CleanRow['terms']['pay_frequency'],
      },
      starterDeclaration: starter as CleanRow['starterDeclaration'],
      taxCode,
    })
  }
  if (problems.length > 0) throw fail(problems.sort((a, b) => a.line - b.line))

  // People already known to this organisation, by NI number, take the new employments.
  const niNumbers = [...new Set(clean.map((row) => row.niNumber).filter((n): n is string => n !== null))]
  const known = new Map<string, string>()
  for (let i = 0; i < niNumbers.length; i += INSERT_BATCH) {
    const found = await trx
      .selectFrom('people')
      .select(['id', 'ni_number'])
      .where('ni_number', 'in', niNumbers.slice(i, i + INSERT_BATCH))
      .execute()
    for (const person of found) known.set(person.ni_number!, person.id)
  }
  const newPeople: Array<Record<string, unknown>> = []
  const personIdOf = (row: CleanRow): string => {
    if (row.niNumber && known.has(row.niNumber)) return known.get(row.niNumber)!
    const id = randomUUID()
    if (row.niNumber) known.set(row.niNumber, id)
    newPeople.push({ id, org_id: orgId, ni_number: row.niNumber, ...row.person })
    return id
  }
  const employments = clean.map((row) => ({
    row,
    personId: personIdOf(row),
    employmentId: randomUUID(),
  }))

  for (let i = 0; i < newPeople.length; i += INSERT_BATCH) {
    const batch = newPeople.slice(i, i + INSERT_BATCH) as Array<{ id: string; ni_number: string | null }>
    // A person another organisation holds is invisible here but still owns the NI number: the
    // insert skips it, and the rows that needed it are reported (the transaction then rolls back).
    const inserted = await trx
      .insertInto('people')
      .values(batch as never)
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .execute()
    if (inserted.length < batch.length) {
      const insertedIds = new Set(inserted.map((p) => p.id))
      const missing = new Set(batch.filter((p) => !insertedIds.has(p.id)).map((p) => p.ni_number))
      throw fail(
        employments
          .filter((e) => e.row.niNumber && missing.has(e.row.niNumber))
          .map((e) => ({
            line: e.row.line,
            field: 'ni_number',
            message:
              'a person with this National Insurance number is held by another organisation; transfer them with the movers journey instead',
          })),
      )
    }
  }
  for (let i = 0; i < employments.length; i += INSERT_BATCH) {
    const batch = employments.slice(i, i + INSERT_BATCH)
    await trx
      .insertInto('employments')
      .values(
        batch.map((e) => ({ org_id: orgId, id: e.employmentId, person_id: e.personId, ...e.row.employment })),
      )
      .execute()
    await trx
      .insertInto('employment_terms')
      .values(
        batch.map((e) => ({
          org_id: orgId,
          employment_id: e.employmentId,
          valid_from: e.row.employment.start_date,
          change_reason: 'Imported',
          created_by: userId,
          ...e.row.terms,
        })),
      )
      .execute()
    await trx
      .insertInto('payroll_details')
      .values(
        batch.map((e) => ({
          org_id: orgId,
          employment_id: e.employmentId,
          starter_declaration: e.row.starterDeclaration,
        })),
      )
      .execute()
    const taxed = batch.filter((e) => e.row.taxCode)
    if (taxed.length > 0)
      await trx
        .insertInto('tax_codes')
        .values(
          taxed.map((e) => ({
            org_id: orgId,
            employment_id: e.employmentId,
            valid_from: e.row.employment.start_date,
            tax_code: e.row.taxCode!,
            source: 'starter' as const,
          })),
        )
        .execute()
  }
  return { peopleCreated: newPeople.length, employmentsCreated: employments.length }
}
