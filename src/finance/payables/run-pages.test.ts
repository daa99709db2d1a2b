// The payment pages as an approver and a clerk use them: delegated authority, the account
// payments leave from, a payment run from dates to files (and a resubmitted form making one run),
// and a bank statement pasted in and reconciled, with what is left for a person.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { uuidFromName } from '../../platform/ids.ts'
import { createTestApp, type SignedIn, signIn, type TestApp } from '../../platform/testing.ts'
import { buildGbIban } from '../banking/iban.ts'
import { camt053v08 } from '../payments/testing.ts'
import { addDays, todayIso } from './invoices.ts'
import { nextWeekday } from './payment-runs.ts'

let t: TestApp
let clerk: SignedIn
let approver: SignedIn
let admin: SignedIn
const BASE = '/orgs/cabinet-office/finance'

beforeAll(async () => {
  t = await createTestApp()
  clerk = await signIn(t.app, 'finance.clerk@gss.example')
  approver = await signIn(t.app, 'finance.approver@gss.example')
  admin = await signIn(t.app, 'platform.admin@gss.example')
})
afterAll(async () => t?.close())

const page = (url: string, who: SignedIn) =>
  t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } })
const form = (url: string, who: SignedIn, fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: who.csrfToken, ...fields }).toString(),
  })
const dateFields = (prefix: string, iso: string) => {
  const [year, month, day] = iso.split('-')
  return { [`${prefix}-day`]: day!, [`${prefix}-month`]: month!, [`${prefix}-year`]: year! }
}

describe('delegated authority', () => {
  test('the limits and approvers of the demo, and a limit set through the form', async () => {
    const view = await page(`${BASE}/approval-limits`, clerk)
    expect(view.statusCode).toBe(200)
    expect(view.body).toContain('Accounting officer')
    expect(view.body).toContain('Femi Approver')
    // A clerk sees the limits but not the forms that change them.
    expect(view.body).not.toContain('Save limit')

    const bad = await form(`${BASE}/approval-limits`, approver, {
      spendType: 'Estates',
      level: '1',
      title: '',
      limit: 'ten pounds',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('govuk-error-summary')
    expect(bad.body).toContain('href="#limit"')
    expect(bad.body).toContain('value="Estates"')

    const good = await form(`${BASE}/approval-limits`, approver, {
      spendType: 'estates',
      level: '1',
      title: 'Estates manager',
      limit: '25,000.00',
    })
    expect(good.statusCode).toBe(303)
    expect(good.headers.location).toBe(`${BASE}/approval-limits?saved=limit`)
    const after = await page(good.headers.location!, approver)
    expect(after.body).toContain('Estates manager')
    expect(after.body).toContain('£25,000.00')
  })

  test('an approver gives someone a level, never themselves', async () => {
    const clerkId = uuidFromName('user:finance.clerk@gss.example')
    const approverId = uuidFromName('user:finance.approver@gss.example')
    const own = await form(`${BASE}/approval-limits/approvers`, approver, {
      userId: approverId,
      approverLevel: '3',
    })
    expect(own.statusCode).toBe(422)
    expect(own.body).toContain('You cannot set your own delegated authority')
    const missing = await form(`${BASE}/approval-limits/approvers`, approver, {
      userId: '',
      approverLevel: 'x',
    })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('href="#approverLevel"')
    const given = await form(`${BASE}/approval-limits/approvers`, admin, {
      userId: clerkId,
      approverLevel: '1',
    })
    expect(given.statusCode).toBe(303)
    const rows = await t.db.admin
      .selectFrom('payables_approvers')
      .select('level')
      .where('user_id', '=', clerkId)
      .execute()
    expect(rows).toEqual([{ level: 1 }])
  })
})

describe('payment runs', () => {
  test('bad payment settings are re-shown with their errors', async () => {
    const bad = await form(`${BASE}/payment-settings`, approver, {
      debtorName: 'Cabinet Office',
      sortCode: '20295',
      accountNumber: '63748472',
      bacsServiceUserNumber: '12345',
      bacsServiceUserName: 'CABINET OFFICE',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#bacsServiceUserNumber"')
    expect(bad.body).toContain('value="20295"')
  })

  test('dates, check, approve: one run however often the form is sent; files and a statement', async () => {
    const newPage = await page(`${BASE}/payment-runs/new`, approver)
    expect(newPage.statusCode).toBe(200)
    const refused = await form(`${BASE}/payment-runs/new`, approver, {
      ...dateFields('dueBy', '2026-02-30'),
      ...dateFields('payDate', '2001-01-01'),
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('href="#dueBy-day"')
    expect(refused.body).toContain('The pay date cannot be in the past')

    const payDate = nextWeekday(addDays(todayIso(), 1))
    const chosen = await form(`${BASE}/payment-runs/new`, approver, {
      ...dateFields('dueBy', addDays(todayIso(), 60)),
      ...dateFields('payDate', payDate),
    })
    expect(chosen.statusCode).toBe(303)
    const check = await page(chosen.headers.location!, approver)
    expect(check.statusCode).toBe(200)
    // The demo's approved invoice ADS-1001 from Acme is among those due.
    expect(check.body).toContain('Acme Digital Services Ltd')
    const fields = Object.fromEntries(
      [
        ...check.body.matchAll(
          /<input type="hidden" name="(dueBy|payDate|idempotencyKey)" value="([^"]*)">/g,
        ),
      ].map((match) => [match[1]!, match[2]!]),
    )
    expect(Object.keys(fields).sort()).toEqual(['dueBy', 'idempotencyKey', 'payDate'])
    const made = await form(`${BASE}/payment-runs/check`, approver, fields)
    expect(made.statusCode).toBe(303)
    expect(made.headers.location).toMatch(/\/payment-runs\/[0-9a-f-]{36}\?created=1$/)
    // Sent again (a double click, a refresh): the same run, not a second one.
    const again = await form(`${BASE}/payment-runs/check`, approver, fields)
    expect(again.statusCode).toBe(303)
    expect(again.headers.location).toBe(made.headers.location)
    const runs = await t.db.admin.selectFrom('payment_runs').select(['id']).execute()
    expect(runs).toHaveLength(1)

    const runPage = await page(made.headers.location!, clerk)
    expect(runPage.statusCode).toBe(200)
    expect(runPage.body).toContain('Acme Digital Services Ltd')
    // A clerk cannot download the bank files; the approver can.
    expect(runPage.body).not.toContain('pain.001.001.03 file')
    const runPath = made.headers.location!.replace(/\?.*$/, '')
    expect((await page(`${runPath}/pain001`, clerk)).statusCode).toBe(403)
    const pain = await page(`${runPath}/pain001`, approver)
    expect(pain.statusCode).toBe(200)
    expect(pain.headers['content-disposition']).toMatch(
      /attachment; filename="payment-run-cabinet-office-\d+\.xml"/,
    )
    expect(pain.body).toContain('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03')
    const bacs = await page(`${runPath}/bacs`, approver)
    expect(bacs.body.startsWith('VOL1')).toBe(true)
    const list = await page(`${BASE}/payment-runs`, clerk)
    expect(list.body).toContain(runPath)

    // The bank's statement: the payment and one line nobody can match, left for a person.
    const run = await t.db.admin
      .selectFrom('payment_run_payments')
      .select(['end_to_end_id', 'amount_pence'])
      .execute()
    const statement = camt053v08({
      messageId: 'STMT-PAGE',
      statementId: 'PAGE1',
      iban: buildGbIban('NWBK', '202959', '63748472'),
      currency: 'GBP',
      opening: { amount: '100000.00', creditDebit: 'CRDT', date: payDate },
      closing: { amount: '0.00', creditDebit: 'CRDT', date: payDate },
      entries: [
        ...run.map((payment) => ({
          amount: (payment.amount_pence / 100).toFixed(2),
          currency: 'GBP',
          creditDebit: 'DBIT' as const,
          bookingDate: payDate,
          endToEndId: payment.end_to_end_id,
        })),
        { amount: '12.34', currency: 'GBP', creditDebit: 'DBIT' as const, bookingDate: payDate },
      ],
    })
    const statements = await page(`${BASE}/bank-statements`, clerk)
    expect(statements.body).toContain(run[0]!.end_to_end_id)
    const empty = await form(`${BASE}/bank-statements`, clerk, { statement: '' })
    expect(empty.statusCode).toBe(400)
    expect(empty.body).toContain('href="#statement"')
    const hostile = await form(`${BASE}/bank-statements`, clerk, {
      statement:
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>',
    })
    expect(hostile.statusCode).toBe(400)
    expect(hostile.body).toContain('govuk-error-summary')
    const imported = await form(`${BASE}/bank-statements`, clerk, { statement })
    expect(imported.statusCode).toBe(303)
    const result = await page(imported.headers.location!, clerk)
    expect(result.statusCode).toBe(200)
    expect(result.body).toContain('end-to-end-id')
    expect(result.body).toContain('Statement lines left for a person')
    expect(result.body).not.toContain('Every new line on this statement was matched')
    const after = await page(`${BASE}/bank-statements`, clerk)
    expect(after.body).toContain('STMT-PAGE')
    expect(after.body).toContain('Every payment has been seen on a statement')
  })
})
