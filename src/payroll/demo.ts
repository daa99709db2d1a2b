// The payroll part of the demo world, for Cabinet Office: the employer's PAYE reference and
// payroll bank account, last month's monthly pay run calculated by the payroll officer, approved
// by the payroll approver (journal posted) and paid, so employees see a payslip in self-service;
// and this month's run calculated and waiting for review. It pays the people the HR demo created;
// with none, it adds nothing.
import { sql } from 'kysely'
import type { DemoExtension } from '../demo/seed.ts'
import { LedgerService } from '../finance/ledger.ts'
import type { Tx } from '../platform/db/index.ts'
import { uuidFromName } from '../platform/ids.ts'
import { dayNumber, isoFromDayNumber } from './pay.ts'
import { PayrollService } from './service.ts'

const payroll = new PayrollService(new LedgerService())

/** The last weekday on or before the 24th of the month that `isoDate` is in. */
export function demoPayDate(year: number, month: number): string {
  let day = dayNumber(`${year}-${String(month).padStart(2, '0')}-24`)
  while ([0, 6].includes(new Date(day * 86_400_000).getUTCDay())) day -= 1
  return isoFromDayNumber(day)
}

export const payrollDemo: DemoExtension = {
  name: 'payroll',
  async seed(trx: Tx) {
    const org = await trx
      .selectFrom('organisations')
      .select('id')
      .where('code', '=', 'cabinet-office')
      .executeTakeFirst()
    if (!org) return
    const { rows } = await sql<{
      n: number
    }>`select count(*)::int as n from employments where org_id = ${org.id}`.execute(trx)
    if (rows[0]!.n === 0) return
    const officer = uuidFromName('user:payroll.officer@gss.example')
    const approver = uuidFromName('user:payroll.approver@gss.example')
    await payroll.setSettings(trx, org.id, {
      employerPayeReference: '123/CO12345',
      accountsOfficeReference: '123PA00012345',
      bacsServiceUserNumber: '123456',
      bacsServiceUserName: 'CABINET OFFICE',
      sortCode: '089999',
      accountNumber: '66374958',
      accountName: 'CO PAYROLL',
    })
    // The gender HMRC holds, which the FPS needs: made up for the demo's synthetic people
    // (never taken from HR's voluntary diversity data).
    await sql`insert into payroll_person_details (org_id, person_id, hmrc_gender)
      select ${org.id}, p.id, case when get_byte(decode(md5(p.id::text), 'hex'), 0) % 2 = 0 then 'F' else 'M' end
      from people p where p.org_id = ${org.id}
      on conflict do nothing`.execute(trx)
    const today = new Date()
    const lastMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1))
    const last = await payroll.runs.create(
      trx,
      org.id,
      {
        payFrequency: 'monthly',
        payDate: demoPayDate(lastMonth.getUTCFullYear(), lastMonth.getUTCMonth() + 1),
      },
      officer,
    )
    const calculated = await payroll.runs.calculateWithin(trx, org.id, last.id, officer)
    if (calculated.employeeCount > 0) {
      await payroll.runs.review(trx, org.id, last.id, officer, calculated.exceptionCount)
      await payroll.runs.approve(trx, org.id, last.id, approver)
      await payroll.runs.markPaid(trx, org.id, last.id, approver)
    }
    const current = await payroll.runs.create(
      trx,
      org.id,
      { payFrequency: 'monthly', payDate: demoPayDate(today.getUTCFullYear(), today.getUTCMonth() + 1) },
      officer,
    )
    await payroll.runs.calculateWithin(trx, org.id, current.id, officer)
  },
}
