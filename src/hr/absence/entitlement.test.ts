import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Tx } from '../../platform/db/index.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { leaveBalanceAt } from './balance.ts'
import { isBankHoliday, workingDays } from './bank-holidays.ts'
import { completeYears } from './dates.ts'
import {
  annualEntitlement,
  DEFAULT_LEAVE_POLICY,
  fromHundredths,
  leaveYearOf,
  proRate,
  serviceDays,
  toHundredths,
} from './entitlement.ts'
import { createTeam, type Team } from './test-fixtures.ts'

const YEAR = { start: '2026-04-01', end: '2027-03-31' }

describe('pro-rating (pure)', () => {
  const full = (days: string, fte = '1', from = YEAR.start, to = YEAR.end) => ({
    from,
    to,
    fte,
    fullTimeDaysHundredths: toHundredths(days),
  })
  test('a full year full-time is the full-time days', () => {
    expect(fromHundredths(proRate(YEAR, [full('30')]))).toBe('30.00')
  })
  test('part-time is pro-rated by FTE', () => {
    expect(fromHundredths(proRate(YEAR, [full('30', '0.6')]))).toBe('18.00')
    // 25 x 0.8 = 20; 27 x 0.7 = 18.9 rounds up to 19
    expect(fromHundredths(proRate(YEAR, [full('27', '0.7')]))).toBe('19.00')
  })
  test('a joiner part way through the year gets the share of the year, rounded up to a half day', () => {
    // 1 October to 31 March is 182 of 365 days: 25 x 182 / 365 = 12.47 -> 12.5
    expect(fromHundredths(proRate(YEAR, [full('25', '1', '2026-10-01')]))).toBe('12.50')
  })
  test('a leaver at the end of June gets 91/365 of the year', () => {
    // 30 x 91 / 365 = 7.48 -> 7.5
    expect(fromHundredths(proRate(YEAR, [full('30', '1', YEAR.start, '2026-06-30')]))).toBe('7.50')
  })
  test('a change of hours mid-year weighs each part by its days', () => {
    // 30 x (183 x 1 + 182 x 0.5) / 365 = 22.52 -> 23
    const days = proRate(YEAR, [full('30', '1', YEAR.start, '2026-09-30'), full('30', '0.5', '2026-10-01')])
    expect(fromHundredths(days)).toBe('23.00')
  })
  test('a leap year has 366 days', () => {
    const leap = { start: '2027-04-01', end: '2028-03-31' }
    // 25 x 183/366 = 12.5 exactly
    expect(fromHundredths(proRate(leap, [full('25', '1', '2027-10-01', leap.end)]))).toBe('12.50')
  })
})

describe('service days and leave years', () => {
  test('one day per complete year of continuous service, at most five', () => {
    expect(fromHundredths(serviceDays('2024-04-02', '2026-04-01', DEFAULT_LEAVE_POLICY))).toBe('1.00')
    expect(fromHundredths(serviceDays('2024-04-01', '2026-04-01', DEFAULT_LEAVE_POLICY))).toBe('2.00')
    expect(fromHundredths(serviceDays('2001-01-01', '2026-04-01', DEFAULT_LEAVE_POLICY))).toBe('5.00')
    expect(completeYears('2020-02-29', '2021-02-28')).toBe(1)
  })
  test('the leave year runs April to March unless configured', () => {
    expect(leaveYearOf('2026-03-31', DEFAULT_LEAVE_POLICY)).toEqual({
      start: '2025-04-01',
      end: '2026-03-31',
    })
    expect(leaveYearOf('2026-04-01', DEFAULT_LEAVE_POLICY)).toEqual({
      start: '2026-04-01',
      end: '2027-03-31',
    })
    const calendar = { ...DEFAULT_LEAVE_POLICY, leaveYearStartMonth: 1 }
    expect(leaveYearOf('2026-11-23', calendar)).toEqual({ start: '2026-01-01', end: '2026-12-31' })
  })
})

describe('working days', () => {
  test('weekends and England and Wales bank holidays are not working days', () => {
    // Christmas 2026: 25 Dec (Fri) and the Boxing Day substitute 28 Dec (Mon), New Year's Day.
    expect(workingDays('2026-12-21', '2027-01-01')).toBe(7)
    // Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    expect(workingDays('2026-03-30', '2026-04-10')).toBe(8)
    expect(workingDays('2026-11-23', '2026-11-27')).toBe(5)
    expect(workingDays('2026-11-28', '2026-11-29')).toBe(0)
    expect(isBankHoliday('2027-12-28')).toBe(true)
  })
  test('a year whose bank holidays are not held is refused, not guessed', () => {
    expect(() => workingDays('2030-01-01', '2030-01-10')).toThrow(/2030/)
  })
})

describe('entitlement and balance from the database', () => {
  let t: TestDatabase
  let team: Team
  const tx = <T>(fn: (trx: Tx) => Promise<T>) => t.db.adminTransaction(fn)
  beforeAll(async () => {
    t = await createTestDatabase({ seed: true })
    team = await createTeam(t.db, { startDate: '2020-01-06' })
  }, 600_000)
  afterAll(async () => t?.close())

  test('full-time with six years of service: 25 + 5 days', async () => {
    const entitlement = await tx((trx) =>
      annualEntitlement(trx, team.orgId, team.employee.employmentId, '2026-11-23'),
    )
    expect(entitlement.leaveYearStart).toBe('2026-04-01')
    expect(entitlement.serviceDays).toBe('5.00')
    expect(entitlement.days).toBe('30.00')
  })

  test('part-time at 0.6 FTE: 18 days', async () => {
    const entitlement = await tx((trx) =>
      annualEntitlement(trx, team.orgId, team.partTimer.employmentId, '2026-11-23'),
    )
    expect(entitlement.days).toBe('18.00')
  })

  test('the balance counts approved leave taken and booked, and a leaver is pro-rated', async () => {
    await tx(async (trx) => {
      await trx
        .insertInto('leave_requests')
        .values([
          {
            org_id: team.orgId,
            id: crypto.randomUUID(),
            employment_id: team.outsider.employmentId,
            start_date: '2026-05-11',
            end_date: '2026-05-15',
            days: 5,
            status: 'approved',
            requested_by: team.outsider.userId,
            decided_by: team.manager.userId,
            decided_at: new Date(),
          },
          {
            org_id: team.orgId,
            id: crypto.randomUUID(),
            employment_id: team.outsider.employmentId,
            start_date: '2026-12-21',
            end_date: '2026-12-24',
            days: 4,
            status: 'pending',
            requested_by: team.outsider.userId,
          },
          {
            org_id: team.orgId,
            id: crypto.randomUUID(),
            employment_id: team.outsider.employmentId,
            start_date: '2026-06-01',
            end_date: '2026-06-01',
            days: 1,
            status: 'rejected',
            requested_by: team.outsider.userId,
            decided_by: team.manager.userId,
            decided_at: new Date(),
          },
        ])
        .execute()
      await trx
        .insertInto('leave_adjustments')
        .values({
          org_id: team.orgId,
          id: crypto.randomUUID(),
          employment_id: team.outsider.employmentId,
          leave_year_start: '2026-04-01',
          days: '2.5',
          reason: 'carry-over',
        })
        .execute()
    })
    const balance = await tx((trx) =>
      leaveBalanceAt(trx, team.orgId, team.outsider.employmentId, '2026-11-23'),
    )
    expect(balance).toEqual({
      entitlementDays: '32.50',
      takenDays: '5.00',
      bookedDays: '4.00',
      remainingDays: '23.50',
    })
    // The leaver journey: end the employment on 30 June, then ask for the balance on that day.
    await tx((trx) =>
      trx
        .updateTable('employments')
        .set({ end_date: '2026-06-30' })
        .where('org_id', '=', team.orgId)
        .where('id', '=', team.outsider.employmentId)
        .execute(),
    )
    const leaving = await tx((trx) =>
      leaveBalanceAt(trx, team.orgId, team.outsider.employmentId, '2026-06-30'),
    )
    // 30 x 91/365 = 7.48 -> 7.5, plus 2.5 carried over; 5 taken; the December request is still booked.
    expect(leaving).toEqual({
      entitlementDays: '10.00',
      takenDays: '5.00',
      bookedDays: '4.00',
      remainingDays: '1.00',
    })
  })
})
