// Joiners, movers, leavers, loans and transfers: checked when submitted (nothing saved when
// wrong), applied on approval by a different person, with what payroll needs for leavers.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TenantContext, Tx } from '../platform/db/index.ts'
import { ForbiddenError, ValidationError } from '../platform/errors.ts'
import { orgId, uuidFromName } from '../platform/ids.ts'
import { asOwner, createTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { hrDemoIds } from './demo.ts'
import {
  approveRequest,
  getLeaver,
  getRequest,
  type JoinerPayload,
  listRequests,
  payInLieu,
  rejectRequest,
  submitRequest,
  withdrawRequest,
} from './jml.ts'
import { employmentAsAt, managerOf } from './people.ts'
import { employmentsOfPerson, getPayrollDetails, getPerson, listTaxCodes, termsAsAt } from './records.ts'

const CO = orgId('cabinet-office')
const DSIT = orgId('dsit')
const HR = uuidFromName('user:hr.officer@gss.example')
const OTHER = uuidFromName('user:platform.admin@gss.example')
const EMPLOYEE = uuidFromName('user:employee@gss.example')
const as = (orgs: string[], userId = HR): TenantContext => ({
  userId,
  orgIds: orgs,
  actingOrgId: orgs[0] ?? null,
  requestId: 'test',
})

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
})
afterAll(async () => t?.close())

const inCo = <T>(fn: (trx: Tx) => Promise<T>, userId = HR) => t.db.transaction(as([CO], userId), fn)
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

const joiner = (overrides: Partial<JoinerPayload> = {}): JoinerPayload => ({
  person: { forenames: 'Nadia', surname: 'Quinn', dateOfBirth: '1993-04-12', niNumber: 'PC 12 34 56 A' },
  employment: { contractType: 'permanent', startDate: '2026-12-01' },
  terms: {
    positionId: hrDemoIds.position('cabinet-office', 'P0014'),
    fte: '1',
    hoursPerWeek: '37',
    annualSalaryPence: 24_000_00,
  },
  payroll: { starterDeclaration: 'B', bankSortCode: '309430', bankAccountNumber: '12345678' },
  ...overrides,
})

describe('joiners', () => {
  test('a joiner is checked, then applied on approval by someone else', async () => {
    const people = await count('people')
    const request = await inCo((trx) => submitRequest(trx, CO, { kind: 'joiner', payload: joiner() }, HR))
    expect(request).toMatchObject({ kind: 'joiner', status: 'submitted', effectiveDate: '2026-12-01' })
    expect(request.summary).toBe('Joiner: Nadia Quinn, from 2026-12-01')
    // The dry run left nothing behind.
    expect(await count('people')).toBe(people)

    const own = await caught(inCo((trx) => approveRequest(trx, CO, request.id, HR)))
    expect(own).toBeInstanceOf(ForbiddenError)

    const applied = await inCo((trx) => approveRequest(trx, CO, request.id, OTHER), OTHER)
    expect(applied).toMatchObject({ status: 'applied', decidedBy: OTHER })
    const employmentId = applied.resultEmploymentId!
    const result = await inCo(async (trx) => ({
      asAt: await employmentAsAt(trx, CO, employmentId, '2026-12-01'),
      before: await employmentAsAt(trx, CO, employmentId, '2026-11-30'),
      payroll: await getPayrollDetails(trx, CO, employmentId),
      taxCodes: await listTaxCodes(trx, CO, employmentId),
      manager: await managerOf(trx, CO, employmentId, '2026-12-01'),
    }))
    expect(result.before).toBeNull()
    expect(result.asAt).toMatchObject({ forenames: 'Nadia', gradeCode: 'AO', costCentreCode: 'CO-PEOPLE' })
    expect(result.asAt!.employeeNumber).toMatch(/^E\d{6}$/)
    expect(result.payroll).toMatchObject({ starterDeclaration: 'B', bankSortCode: '309430' })
    // Starter declaration B: the emergency code on a week 1 / month 1 basis.
    expect(result.taxCodes).toEqual([
      { validFrom: '2026-12-01', validTo: null, taxCode: '1257L', week1Month1: true, source: 'starter' },
    ])
    expect(result.manager!.forenames).toBe('Gareth')
    expect(await count('people')).toBe(people + 1)
  })

  test('every problem is named at once and nothing is saved', async () => {
    const before = [await count('people'), await count('hr_requests'), await count('employments')]
    const error = await caught(
      inCo((trx) =>
        submitRequest(
          trx,
          CO,
          {
            kind: 'joiner',
            payload: joiner({
              person: { forenames: 'X', surname: 'Y', dateOfBirth: '2020-01-01', niNumber: 'AB123456E' },
              employment: { contractType: 'fixed-term', startDate: '2026-12-01' },
              terms: {
                positionId: hrDemoIds.position('cabinet-office', 'P0014'),
                gradeCode: 'G9',
                fte: '0',
                hoursPerWeek: '37',
                annualSalaryPence: 24_000_00,
              },
              payroll: {},
            }),
          },
          HR,
        ),
      ),
    )
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.fieldErrors!.map((e) => e.field)).toEqual([
      '/payroll/starterDeclaration',
      '/person/dateOfBirth',
      '/person/niNumber',
      '/employment/expectedEndDate',
      '/terms/gradeCode',
      '/terms/fte',
    ])
    expect(error.fieldErrors![2]!.message).toBe(
      'The last letter of a National Insurance number must be A, B, C or D',
    )
    expect([await count('people'), await count('hr_requests'), await count('employments')]).toEqual(before)
  })

  test('the requester may withdraw; someone else rejects with a reason', async () => {
    const one = await inCo((trx) =>
      submitRequest(
        trx,
        CO,
        { kind: 'joiner', payload: joiner({ person: { ...joiner().person!, niNumber: 'PC223344B' } }) },
        HR,
      ),
    )
    expect(await caught(inCo((trx) => withdrawRequest(trx, CO, one.id, OTHER), OTHER))).toBeInstanceOf(
      ForbiddenError,
    )
    expect((await inCo((trx) => withdrawRequest(trx, CO, one.id, HR))).status).toBe('withdrawn')
    const two = await inCo((trx) =>
      submitRequest(
        trx,
        CO,
        { kind: 'joiner', payload: joiner({ person: { ...joiner().person!, niNumber: 'PC334455C' } }) },
        HR,
      ),
    )
    expect(await caught(inCo((trx) => rejectRequest(trx, CO, two.id, OTHER, ' '), OTHER))).toBeInstanceOf(
      ValidationError,
    )
    const rejected = await inCo((trx) => rejectRequest(trx, CO, two.id, OTHER, 'Post not funded'), OTHER)
    expect(rejected).toMatchObject({ status: 'rejected', decisionNote: 'Post not funded' })
    const queue = await inCo((trx) => listRequests(trx, CO, { status: 'submitted' }))
    expect(queue.map((r) => r.id)).not.toContain(two.id)
  })

  test('the database itself refuses a decision by the requester', async () => {
    const request = await inCo((trx) =>
      submitRequest(
        trx,
        CO,
        { kind: 'joiner', payload: joiner({ person: { ...joiner().person!, niNumber: 'PC445566D' } }) },
        HR,
      ),
    )
    const error = await caught(
      inCo((trx) =>
        trx
          .updateTable('hr_requests')
          .set({ status: 'rejected', decided_by: HR, decided_at: new Date(), decision_note: 'x' })
          .where('id', '=', request.id)
          .execute(),
      ),
    )
    expect((error as { code?: string }).code).toBe('23514')
  })
})

describe('movers', () => {
  test('a mover changes post, grade and salary from a future date', async () => {
    const emma = hrDemoIds.employment('cabinet-office', 'co-employee')
    const request = await inCo((trx) =>
      submitRequest(
        trx,
        CO,
        {
          kind: 'mover',
          payload: {
            employmentId: emma,
            effectiveDate: '2027-01-04',
            positionId: hrDemoIds.position('cabinet-office', 'P0031'),
            annualSalaryPence: 53_000_00,
            reason: 'Promotion to Policy Lead',
          },
        },
        HR,
      ),
    )
    expect(request.summary).toBe('Change: Emma Employee (E000010), from 2027-01-04')
    // Emma cannot approve her own move even with HR rights.
    expect(
      await caught(inCo((trx) => approveRequest(trx, CO, request.id, EMPLOYEE), EMPLOYEE)),
    ).toBeInstanceOf(ForbiddenError)
    await inCo((trx) => approveRequest(trx, CO, request.id, OTHER), OTHER)
    const [before, after] = await inCo(async (trx) => [
      await termsAsAt(trx, CO, emma, '2027-01-03'),
      await termsAsAt(trx, CO, emma, '2027-01-04'),
    ])
    expect(before).toMatchObject({ positionCode: 'P0021', gradeCode: 'SEO', costCentreCode: 'CO-DIGITAL' })
    expect(after).toMatchObject({
      positionCode: 'P0031',
      gradeCode: 'G7',
      costCentreCode: 'CO-POLICY',
      annualSalaryPence: 53_000_00,
      changeReason: 'Promotion to Policy Lead',
    })
  })

  test('a mover to a salary outside the grade’s range is refused naming the field', async () => {
    const error = await caught(
      inCo((trx) =>
        submitRequest(
          trx,
          CO,
          {
            kind: 'mover',
            payload: {
              employmentId: hrDemoIds.employment('cabinet-office', 'co-pa'),
              effectiveDate: '2026-12-01',
              annualSalaryPence: 10_00,
              reason: 'Mistake',
            },
          },
          HR,
        ),
      ),
    )
    expect(error.fieldErrors![0]!.field).toBe('/annualSalaryPence')
  })
})

describe('leavers', () => {
  test('a leaver ends the employment and hands payroll final pay and P45 details', async () => {
    const zara = hrDemoIds.employment('cabinet-office', 'co-po')
    const request = await inCo((trx) =>
      submitRequest(
        trx,
        CO,
        {
          kind: 'leaver',
          payload: { employmentId: zara, lastWorkingDay: '2026-12-31', reason: 'Resignation' },
        },
        HR,
      ),
    )
    expect(await inCo((trx) => getLeaver(trx, CO, zara))).toBeNull()
    await inCo((trx) => approveRequest(trx, CO, request.id, OTHER), OTHER)
    const leaver = await inCo((trx) => getLeaver(trx, CO, zara))
    expect(leaver).toMatchObject({ lastWorkingDay: '2026-12-31', p45Required: true, leaveBasis: 'absence' })
    // EO, 25 days (+ service days per the leave policy), pro-rated to 9 months of the leave year.
    expect(Number(leaver!.untakenLeaveDays)).toBeGreaterThan(15)
    expect(leaver!.dailyRatePence).toBe(Math.round(28_500_00 / 260))
    expect(leaver!.payInLieuPence).toBe(
      payInLieu(28_500_00, '1', Math.round(Number(leaver!.untakenLeaveDays) * 100)).payInLieuPence,
    )
    const state = await inCo(async (trx) => ({
      last: await employmentAsAt(trx, CO, zara, '2026-12-31'),
      after: await employmentAsAt(trx, CO, zara, '2027-01-01'),
      request: await getRequest(trx, CO, request.id),
    }))
    expect(state.last).not.toBeNull()
    expect(state.after).toBeNull()
    expect(state.request.status).toBe('applied')
  })

  test('pay in lieu is exact in pence, and negative when leave was overtaken', () => {
    expect(payInLieu(26_000_00, '1', 1050)).toEqual({ dailyRatePence: 100_00, payInLieuPence: 1050_00 })
    expect(payInLieu(26_000_00, '0.5', -250)).toEqual({ dailyRatePence: 50_00, payInLieuPence: -125_00 })
  })
})

describe('between organisations', () => {
  const both = as([CO, DSIT])
  test('a loan keeps one person record, visible to both organisations', async () => {
    const oliver = hrDemoIds.employment('cabinet-office', 'co-senior-dev')
    const request = await t.db.transaction(both, (trx) =>
      submitRequest(
        trx,
        CO,
        {
          kind: 'loan',
          payload: {
            employmentId: oliver,
            targetOrgId: DSIT,
            startDate: '2027-01-04',
            expectedEndDate: '2027-12-31',
            terms: {
              positionId: hrDemoIds.position('dsit', 'D0003'),
              fte: '1',
              hoursPerWeek: '37',
              annualSalaryPence: 44_500_00,
            },
          },
        },
        HR,
      ),
    )
    expect(request.summary).toContain(
      'Loan: Oliver Nowak to Department for Science, Innovation and Technology',
    )
    const applied = await t.db.transaction(as([CO, DSIT], OTHER), (trx) =>
      approveRequest(trx, CO, request.id, OTHER),
    )
    const person = hrDemoIds.person('co-senior-dev')
    const employments = await t.db.transaction(both, (trx) => employmentsOfPerson(trx, person))
    expect(employments.map((e) => [e.orgId, e.contractType, e.lentByOrgId])).toEqual([
      [CO, 'permanent', null],
      [DSIT, 'loan', CO],
    ])
    expect(applied.resultEmploymentId).toBe(employments[1]!.id)
    // DSIT sees the same person; home stays the Cabinet Office.
    const seen = await t.db.transaction(as([DSIT]), (trx) => getPerson(trx, person))
    expect(seen.homeOrgId).toBe(CO)
    const people = await asOwner<{ n: number }>(
      t.db,
      `select count(*)::int as n from people where ni_number = 'JN112438A'`,
    )
    expect(people[0]!.n).toBe(1)
  })

  test('a transfer moves the home organisation, ends the old employment and carries service and payroll', async () => {
    const yusuf = hrDemoIds.employment('dsit', 'dsit-analyst')
    const request = await t.db.transaction(as([DSIT, CO]), (trx) =>
      submitRequest(
        trx,
        DSIT,
        {
          kind: 'transfer',
          payload: {
            employmentId: yusuf,
            targetOrgId: CO,
            startDate: '2027-02-01',
            terms: {
              positionId: hrDemoIds.position('cabinet-office', 'P0032'),
              fte: '1',
              hoursPerWeek: '37',
              annualSalaryPence: 43_000_00,
            },
          },
        },
        HR,
      ),
    )
    await t.db.transaction(as([DSIT, CO], OTHER), (trx) => approveRequest(trx, DSIT, request.id, OTHER))
    const person = hrDemoIds.person('dsit-analyst')
    const result = await t.db.transaction(as([DSIT, CO]), async (trx) => ({
      person: await getPerson(trx, person),
      employments: await employmentsOfPerson(trx, person),
      leaver: await getLeaver(trx, DSIT, yusuf),
    }))
    expect(result.person.homeOrgId).toBe(CO)
    expect(result.employments.map((e) => [e.orgId, e.endDate, e.continuousServiceDate])).toEqual([
      [DSIT, '2027-01-31', '2022-11-07'],
      [CO, null, '2022-11-07'],
    ])
    expect(result.leaver).toMatchObject({
      lastWorkingDay: '2027-01-31',
      leavingReason: expect.stringMatching(/^Transfer to Cabinet Office/),
    })
    const newId = result.employments[1]!.id
    const payroll = await t.db.transaction(as([CO]), async (trx) => ({
      details: await getPayrollDetails(trx, CO, newId),
      codes: await listTaxCodes(trx, CO, newId),
    }))
    expect(payroll.details).toMatchObject({ bankSortCode: '309430' })
    expect(payroll.codes[0]).toMatchObject({ validFrom: '2027-02-01', taxCode: '1257L', source: 'p45' })
    // DSIT still sees the person it employed; another organisation does not.
    const hmrc = await t.db.transaction(as([orgId('hmrc')]), (trx) =>
      trx.selectFrom('people').select('id').where('id', '=', person).execute(),
    )
    expect(hmrc).toEqual([])
  })

  test('a loan is refused without a tenant covering the receiving organisation', async () => {
    const error = await caught(
      inCo((trx) =>
        submitRequest(
          trx,
          CO,
          {
            kind: 'loan',
            payload: {
              employmentId: hrDemoIds.employment('cabinet-office', 'co-spa'),
              targetOrgId: DSIT,
              startDate: '2027-01-04',
              expectedEndDate: '2027-06-30',
              terms: {
                positionId: hrDemoIds.position('dsit', 'D0003'),
                fte: '1',
                hoursPerWeek: '37',
                annualSalaryPence: 43_500_00,
              },
            },
          },
          HR,
        ),
      ),
    )
    expect(error).toBeInstanceOf(ForbiddenError)
  })
})
