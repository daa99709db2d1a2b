// HR records over the demo world: field rules that name the field and save nothing, effective
// dating (as-at reads, future-dated changes, cancelling them, the exclusion constraint refusing
// overlaps), line management, diversity access and visibility between organisations.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TenantContext, Tx } from '../platform/db/index.ts'
import { BusinessRuleError, ConflictError, ValidationError } from '../platform/errors.ts'
import { orgId, uuidFromName } from '../platform/ids.ts'
import { asOwner, createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { hrDemoIds } from './demo.ts'
import { employmentAsAt, employmentsAsAt, employmentsOfUser, managerOf, reportsOf } from './people.ts'
import {
  cancelFutureTerms,
  changeTermsFrom,
  createEmployment,
  createPerson,
  getDiversity,
  getPerson,
  listPeople,
  listPositions,
  setTaxCodeFrom,
  termsAsAt,
  termsHistory,
} from './records.ts'

const CO = orgId('cabinet-office')
const DSIT = orgId('dsit')
const HMRC = orgId('hmrc')
const HR = uuidFromName('user:hr.officer@gss.example')
const as = (orgs: string[], diversity: string[] = []): TenantContext => ({
  userId: HR,
  orgIds: orgs,
  actingOrgId: orgs[0] ?? null,
  requestId: 'test',
  diversityOrgIds: diversity,
})

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
})
afterAll(async () => t?.close())

const inCo = <T>(fn: (trx: Tx) => Promise<T>) => t.db.transaction(as([CO]), fn)
const caught = async (promise: Promise<unknown>) => {
  try {
    await promise
  } catch (error) {
    return error as Error & { fieldErrors?: Array<{ field: string; message: string }> }
  }
  throw new Error('expected an error')
}
const count = async (table: string) =>
  Number((await asOwner<{ n: number }>(t.db, `select count(*)::int as n from ${table}`))[0]!.n)

const GOOD_PERSON = {
  forenames: 'Ada',
  surname: 'Lovelace',
  dateOfBirth: '1990-12-10',
  niNumber: 'AB 12 34 56 C',
}

describe('people', () => {
  test('a good person is saved with the NI number normalised', async () => {
    const person = await inCo((trx) => createPerson(trx, CO, GOOD_PERSON))
    expect(person).toMatchObject({ niNumber: 'AB123456C', homeOrgId: CO })
  })

  test('a wrong NI number, date of birth and postcode are each named with the rule; nothing is saved', async () => {
    const before = await count('people')
    const error = await caught(
      inCo((trx) =>
        createPerson(trx, CO, {
          forenames: 'Bad',
          surname: 'Data',
          dateOfBirth: '1990-02-30',
          niNumber: 'DA123456A',
          postcode: 'NOT A CODE',
        }),
      ),
    )
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.fieldErrors).toEqual([
      { field: '/dateOfBirth', message: '1990-02-30 is not a real date' },
      { field: '/niNumber', message: 'National Insurance numbers never start with D' },
      { field: '/postcode', message: 'Enter a real postcode, for example SW1A 2AS' },
    ])
    expect(await count('people')).toBe(before)
  })

  test('an NI number already held by someone is refused', async () => {
    const error = await caught(
      inCo((trx) => createPerson(trx, CO, { ...GOOD_PERSON, niNumber: 'JM011328C' })),
    )
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.fieldErrors![0]!.field).toBe('/niNumber')
  })

  test('the people list searches by name, NI number and employee number', async () => {
    const byName = await inCo((trx) => listPeople(trx, CO, { search: 'emma', asAt: '2026-06-01' }))
    expect(byName.map((p) => p.surname)).toEqual(['Employee'])
    expect(byName[0]).toMatchObject({
      positionTitle: 'Service Designer',
      gradeCode: 'SEO',
      status: 'employed',
    })
    const byNi = await inCo((trx) => listPeople(trx, CO, { search: 'jm 01 13 28 c' }))
    expect(byNi.map((p) => p.forenames)).toEqual(['Emma'])
    const left = await inCo((trx) => listPeople(trx, CO, { search: 'Turner', asAt: '2026-08-01' }))
    expect(left[0]!.status).toBe('left')
  })
})

describe('employments and effective dating', () => {
  const emma = hrDemoIds.employment('cabinet-office', 'co-employee')
  const priya = hrDemoIds.employment('cabinet-office', 'co-dev')

  test('terms read as at any date', async () => {
    const before = await inCo((trx) => termsAsAt(trx, CO, emma, '2026-03-31'))
    const after = await inCo((trx) => termsAsAt(trx, CO, emma, '2026-04-01'))
    expect(before!.annualSalaryPence).toBe(43_000_00)
    expect(after!.annualSalaryPence).toBe(44_300_00)
    expect(await inCo((trx) => termsAsAt(trx, CO, emma, '2021-05-09'))).toBeNull()
    const row = await inCo((trx) => employmentAsAt(trx, CO, emma, '2026-04-01'))
    expect(row).toMatchObject({
      fte: '1.0000',
      annualSalaryPence: 44_300_00,
      positionTitle: 'Service Designer',
    })
  })

  test('a future-dated change applies on its date, and can be cancelled before it', async () => {
    expect((await inCo((trx) => termsAsAt(trx, CO, priya, '2027-03-31')))!.annualSalaryPence).toBe(35_000_00)
    expect((await inCo((trx) => termsAsAt(trx, CO, priya, '2027-04-01')))!.annualSalaryPence).toBe(36_500_00)
    await inCo((trx) => cancelFutureTerms(trx, CO, priya, '2027-04-01', '2026-11-23'))
    const history = await inCo((trx) => termsHistory(trx, CO, priya))
    expect(history).toHaveLength(1)
    expect(history[0]).toMatchObject({ validTo: null, annualSalaryPence: 35_000_00 })
    // Something already in force cannot be cancelled.
    await inCo((trx) => changeTermsFrom(trx, CO, priya, '2026-10-01', { fte: '0.8' }, 'Part-time', HR))
    expect(
      await caught(inCo((trx) => cancelFutureTerms(trx, CO, priya, '2026-10-01', '2026-11-23'))),
    ).toBeInstanceOf(BusinessRuleError)
  })

  test('a change between two versions runs until the later one', async () => {
    await inCo((trx) =>
      changeTermsFrom(trx, CO, priya, '2027-06-01', { annualSalaryPence: 37_000_00 }, 'Award', HR),
    )
    await inCo((trx) => changeTermsFrom(trx, CO, priya, '2027-01-01', { hoursPerWeek: '30' }, 'Hours', HR))
    const history = await inCo((trx) => termsHistory(trx, CO, priya))
    expect(history.map((v) => [v.validFrom, v.validTo, v.hoursPerWeek, v.annualSalaryPence])).toEqual([
      ['2023-09-04', '2026-10-01', '37.00', 35_000_00],
      ['2026-10-01', '2027-01-01', '37.00', 35_000_00],
      ['2027-01-01', '2027-06-01', '30.00', 35_000_00],
      ['2027-06-01', null, '37.00', 37_000_00],
    ])
  })

  test('the database refuses overlapping versions whatever the code does', async () => {
    const error = await caught(
      t.db.transaction(as([CO]), (trx) =>
        sql`insert into employment_terms (org_id, employment_id, valid_from, valid_to, position_id, grade_code,
          cost_centre_code, fte, hours_per_week, annual_salary_pence, change_reason)
          select org_id, employment_id, '2025-01-01', null, position_id, grade_code, cost_centre_code, fte,
            hours_per_week, annual_salary_pence, 'overlap'
          from employment_terms where org_id = ${CO} and employment_id = ${emma} limit 1`.execute(trx),
      ),
    )
    expect((error as { code?: string }).code).toBe('23P01')
    const tax = await caught(
      t.db.transaction(as([CO]), (trx) =>
        sql`insert into tax_codes (org_id, employment_id, valid_from, tax_code, source)
          values (${CO}, ${emma}, '2025-01-01', 'BR', 'manual')`.execute(trx),
      ),
    )
    expect((tax as { code?: string }).code).toBe('23P01')
  })

  test('a wrong grade, FTE and date are named; nothing is saved', async () => {
    const before = await count('employment_terms')
    const error = await caught(
      inCo((trx) =>
        changeTermsFrom(trx, CO, emma, '2026-12-01', { gradeCode: 'G9', fte: '1.5' }, 'Promotion', HR),
      ),
    )
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.fieldErrors!.map((e) => e.field)).toEqual(['/gradeCode', '/fte'])
    expect(error.fieldErrors![0]!.message).toMatch(
      /^Grade G9 does not exist in this organisation: choose one of AA, AO/,
    )
    const date = await caught(inCo((trx) => changeTermsFrom(trx, CO, emma, '2026-13-01', {}, 'x', HR)))
    expect(date.fieldErrors).toEqual([{ field: '/effectiveDate', message: '2026-13-01 is not a real date' }])
    const salary = await caught(
      inCo((trx) => changeTermsFrom(trx, CO, emma, '2026-12-01', { annualSalaryPence: 90_000_00 }, 'x', HR)),
    )
    expect(salary.fieldErrors![0]).toMatchObject({ field: '/annualSalaryPence' })
    expect(salary.fieldErrors![0]!.message).toContain('£41,000.00 to £46,000.00')
    expect(await count('employment_terms')).toBe(before)
  })

  test('tax codes change from a date', async () => {
    await inCo((trx) =>
      setTaxCodeFrom(trx, CO, emma, { validFrom: '2026-10-06', taxCode: 'k475', source: 'p6' }),
    )
    const codes = await asOwner<{ valid_from: string; valid_to: string | null; tax_code: string }>(
      t.db,
      `select valid_from::text, valid_to::text, tax_code from tax_codes where employment_id = '${emma}' order by valid_from`,
    )
    expect(codes.map((c) => [c.valid_from, c.valid_to, c.tax_code])).toEqual([
      ['2021-05-10', '2026-10-06', '1257L'],
      ['2026-10-06', null, 'K475'],
    ])
  })
})

describe('line management', () => {
  const emma = hrDemoIds.employment('cabinet-office', 'co-employee')
  test('managerOf is the holder of the post the employee’s post reports to', async () => {
    const manager = await inCo((trx) => managerOf(trx, CO, emma, '2026-06-01'))
    expect(manager).toMatchObject({
      forenames: 'Lina',
      surname: 'Manager',
      userId: uuidFromName('user:line.manager@gss.example'),
    })
    const reports = await inCo((trx) => reportsOf(trx, CO, manager!.personId, '2026-06-01'))
    expect(reports.map((r) => r.forenames).sort()).toEqual(['Emma', 'Hannah', 'Oliver'])
  })

  test('a vacant manager post passes the line up to the next filled post', async () => {
    // P0014 (HR assistant) reports to P0013 (Gareth); make P0013 vacant from 2026-12-01 by ending Gareth.
    const gareth = hrDemoIds.employment('cabinet-office', 'co-hr-admin')
    const tom = hrDemoIds.person('co-hrbp')
    await t.db.transaction(as([CO]), (trx) =>
      sql`update employments set end_date = '2026-11-30' where org_id = ${CO} and id = ${gareth}`.execute(
        trx,
      ),
    )
    const aisha = hrDemoIds.employment('cabinet-office', 'co-hr-adviser')
    expect((await inCo((trx) => managerOf(trx, CO, aisha, '2026-12-01')))!.personId).toBe(tom)
    // Jack (P0014) left in June, so nobody reports through the vacant posts; Tom's reports are Aisha only.
    const reports = await inCo((trx) => reportsOf(trx, CO, tom, '2026-12-01'))
    expect(reports.map((r) => r.forenames)).toEqual(['Aisha'])
    const before = await inCo((trx) => reportsOf(trx, CO, tom, '2026-11-01'))
    expect(before.map((r) => r.forenames).sort()).toEqual(['Aisha', 'Gareth'])
  })

  test('employmentsAsAt and the self-service lookup', async () => {
    const all = await inCo((trx) => employmentsAsAt(trx, CO, '2026-06-01'))
    expect(all.length).toBe(22)
    const mine = await inCo((trx) =>
      employmentsOfUser(trx, CO, uuidFromName('user:employee@gss.example'), '2026-06-01'),
    )
    expect(mine.map((e) => e.employmentId)).toEqual([emma])
  })
})

describe('visibility between organisations', () => {
  test('an organisation cannot see another’s people unless it employs them', async () => {
    const hmrcSees = await t.db.transaction(as([HMRC]), (trx) =>
      trx.selectFrom('people').select('id').where('id', '=', hrDemoIds.person('co-employee')).execute(),
    )
    expect(hmrcSees).toEqual([])
    // Ben is on loan from the Cabinet Office to DSIT: DSIT sees him (one record), not his colleagues.
    const dsitSees = await t.db.transaction(as([DSIT]), async (trx) => ({
      ben: await getPerson(trx, hrDemoIds.person('co-pa')),
      emma: await trx
        .selectFrom('people')
        .select('id')
        .where('id', '=', hrDemoIds.person('co-employee'))
        .execute(),
    }))
    expect(dsitSees.ben.homeOrgId).toBe(CO)
    expect(dsitSees.emma).toEqual([])
    const dsitPeople = await t.db.transaction(as([DSIT]), (trx) =>
      listPeople(trx, DSIT, { asAt: '2026-10-01' }),
    )
    expect(dsitPeople.map((p) => p.surname)).toContain('Whitaker')
    // And DSIT cannot change him: his home organisation does.
    const update = await t.db.transaction(as([DSIT]), (trx) =>
      trx
        .updateTable('people')
        .set({ surname: 'Changed' })
        .where('id', '=', hrDemoIds.person('co-pa'))
        .executeTakeFirst(),
    )
    expect(update.numUpdatedRows).toBe(0n)
  })

  test('diversity data is invisible without hr:diversity:read', async () => {
    const person = hrDemoIds.person('co-employee')
    const without = await t.db.transaction(as([CO]), (trx) => getDiversity(trx, CO, person))
    expect(without).toBeNull()
    const withIt = await t.db.transaction(as([CO], [CO]), (trx) => getDiversity(trx, CO, person))
    expect(withIt).toMatchObject({ sex: 'female', ethnicity: 'White British' })
  })

  test('an employment cannot be created in another organisation’s structure', async () => {
    const error = await caught(
      inCo((trx) =>
        createEmployment(
          trx,
          CO,
          {
            personId: hrDemoIds.person('co-employee'),
            contractType: 'permanent',
            startDate: '2026-12-01',
            terms: {
              positionId: hrDemoIds.position('dsit', 'D0003'),
              fte: '1',
              hoursPerWeek: '37',
              annualSalaryPence: 42_000_00,
            },
          },
          HR,
        ),
      ),
    )
    expect(error.fieldErrors![0]).toEqual({
      field: '/terms/positionId',
      message: 'That post does not exist in this organisation',
    })
  })

  test('the structure lists posts with their holders as at a date', async () => {
    const posts = await inCo((trx) => listPositions(trx, CO, '2026-06-01'))
    const p20 = posts.find((p) => p.code === 'P0020')!
    expect(p20).toMatchObject({ holders: ['Lina Manager'], reportsToTitle: 'Director of Digital' })
    expect(posts.find((p) => p.code === 'P0014')!.holders).toEqual(['Jack Turner'])
  })
})
