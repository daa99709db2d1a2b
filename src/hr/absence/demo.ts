// The absence and expenses part of the demo world, for the Cabinet Office people of the HR demo
// (hrDemo, which must run first): expenses policy limits; for Emma Employee leave taken and leave
// waiting for her line manager, an approved expense claim (posted to the ledger) and one waiting
// for a decision; a sickness absence; and a maternity leave. Dates are relative to today, so the
// demo always shows a current picture; anything whose dates fall outside the bank holidays held
// is skipped. Does nothing when the HR demo people are not there.
import type { DemoExtension } from '../../demo/seed.ts'
import { LedgerService } from '../../finance/ledger.ts'
import type { Tx } from '../../platform/db/index.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { setPolicyLimit } from '../expenses/policy.ts'
import { ExpenseService } from '../expenses/service.ts'
import { BANK_HOLIDAY_YEARS } from './bank-holidays.ts'
import { addDays, isoWeekday, todayIso } from './dates.ts'
import { DEFAULT_LEAVE_POLICY, leaveYearOf } from './entitlement.ts'
import { AbsenceService } from './service.ts'

const absence = new AbsenceService()
const expenses = new ExpenseService(new LedgerService())
/** A valid 1x1 PNG, standing in for a scanned receipt. */
const RECEIPT_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

const employment = (key: string) => uuidFromName(`hr:employment:cabinet-office:${key}`)
const user = (email: string) => uuidFromName(`user:${email}`)

/** The Monday on or before a date. */
function monday(date: string): string {
  return addDays(date, 1 - isoWeekday(date))
}

function held(...dates: string[]): boolean {
  return dates.every((date) => BANK_HOLIDAY_YEARS['england-and-wales'].includes(Number(date.slice(0, 4))))
}

export const absenceDemo: DemoExtension = {
  name: 'absence-expenses',
  async seed(trx: Tx) {
    const co = orgId('cabinet-office')
    const emma = employment('co-employee')
    const found = await trx
      .selectFrom('employments')
      .select('id')
      .where('org_id', '=', co)
      .where('id', '=', emma)
      .executeTakeFirst()
    if (!found) return
    const today = todayIso()
    const emmaUser = user('employee@gss.example')
    const managerUser = user('line.manager@gss.example')

    await setPolicyLimit(trx, co, 'subsistence', 25_00)
    await setPolicyLimit(trx, co, 'hotel-london', 150_00)
    await setPolicyLimit(trx, co, 'hotel-elsewhere', 100_00)
    await setPolicyLimit(trx, co, 'travel', 500_00)

    // Leave: a week taken (approved) and a week ahead waiting for the line manager, both in the
    // current leave year.
    const year = leaveYearOf(today, DEFAULT_LEAVE_POLICY)
    const takenStart = monday(addDays(today, -42))
    const bookedStart = monday(addDays(today, 28))
    if (takenStart >= year.start && held(takenStart)) {
      const taken = await absence.requestLeave(
        trx,
        co,
        emma,
        { startDate: takenStart, endDate: addDays(takenStart, 4), note: 'Family holiday' },
        emmaUser,
      )
      await absence.decideLeave(trx, co, taken.id, 'approve', managerUser, undefined, today)
    }
    if (addDays(bookedStart, 4) <= year.end && held(bookedStart, addDays(bookedStart, 4)))
      await absence.requestLeave(
        trx,
        co,
        emma,
        { startDate: bookedStart, endDate: addDays(bookedStart, 4) },
        emmaUser,
      )

    // Sickness: three days off three weeks ago, self-certified.
    const sickStart = monday(addDays(today, -21))
    await absence.recordSickness(
      trx,
      co,
      employment('co-senior-dev'),
      {
        startDate: sickStart,
        endDate: addDays(sickStart, 2),
        reason: 'Flu',
        category: 'respiratory',
        notifiedOn: sickStart,
      },
      null,
    )

    // Maternity leave: the expected week of childbirth began on the Sunday about two months ago;
    // leave from two weeks before it, for 52 weeks, 39 of them with statutory maternity pay.
    const ewc = addDays(monday(addDays(today, -56)), -1)
    const maternityStart = addDays(ewc, -14)
    await absence.recordFamilyLeave(
      trx,
      co,
      employment('co-delivery'),
      {
        leaveType: 'maternity',
        expectedWeekStart: ewc,
        childBornOn: addDays(ewc, 3),
        startDate: maternityStart,
        endDate: addDays(maternityStart, 52 * 7 - 1),
        statutoryPayWeeks: 39,
        noticeGivenOn: addDays(ewc, -15 * 7),
        evidenceType: 'matb1',
        evidenceReceivedOn: addDays(ewc, -14 * 7),
      },
      null,
    )

    // Expenses: one claim approved (and so posted to the ledger), one waiting for the manager.
    const claimed = async (
      purpose: string,
      daysAgo: number,
      lines: Parameters<ExpenseService['createClaim']>[3]['lines'],
    ) => {
      const claim = await expenses.createClaim(
        trx,
        co,
        emma,
        { purpose, lines: lines.map((line) => ({ ...line, expenseDate: addDays(today, -daysAgo) })) },
        emmaUser,
        today,
      )
      for (const line of claim.lines)
        if (line.category !== 'mileage')
          await expenses.addReceipt(
            trx,
            co,
            claim.id,
            {
              fileName: `receipt-${line.lineNo}.png`,
              contentType: 'image/png',
              content: RECEIPT_PNG,
              lineNo: line.lineNo,
            },
            emmaUser,
          )
      return expenses.submitClaim(trx, co, claim.id, today)
    }
    const visit = await claimed('Visit to the Darlington Economic Campus', 20, [
      {
        expenseDate: '',
        category: 'travel',
        description: 'Return rail ticket London to Darlington',
        amountPence: 142_60,
      },
      { expenseDate: '', category: 'hotel', description: 'Hotel, one night', amountPence: 89_00, nights: 1 },
      { expenseDate: '', category: 'subsistence', description: 'Evening meal', amountPence: 18_50 },
    ])
    await expenses.decideClaim(trx, co, visit.id, 'approve', managerUser, undefined, today)
    await claimed('Stakeholder workshop in Reading', 6, [
      {
        expenseDate: '',
        category: 'mileage',
        description: 'Drive to Reading and back',
        vehicle: 'car',
        miles: '84',
      },
      { expenseDate: '', category: 'subsistence', description: 'Lunch', amountPence: 7_95 },
    ])
  },
}
