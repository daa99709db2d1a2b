// Recharges through the pages, both sides: DSIT raises one to Cabinet Office, Cabinet Office agrees
// one and disputes another; what is not agreed is listed for both; and the cluster's consolidated
// trial balance eliminates the agreed one and lists the disputed one.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createTestApp, type SignedIn, signIn, type TestApp } from '../platform/testing.ts'
import { fiscalPeriodOf } from './chart.ts'

let t: TestApp
let clerk: SignedIn
let approver: SignedIn
let clusterAdmin: SignedIn
const DSIT = '/orgs/dsit/finance/recharges'
const CO = '/orgs/cabinet-office/finance/recharges'
const today = new Date().toISOString().slice(0, 10)
const { fiscalYear } = fiscalPeriodOf(today)

beforeAll(async () => {
  t = await createTestApp()
  clerk = await signIn(t.app, 'finance.clerk@gss.example')
  approver = await signIn(t.app, 'finance.approver@gss.example')
  clusterAdmin = await signIn(t.app, 'cluster.admin@gss.example')
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
const clusterTb = async () => {
  const response = await page(
    `/api/v1/clusters/matrix/reports/trial-balance?fiscalYear=${fiscalYear}`,
    clusterAdmin,
  )
  expect(response.statusCode).toBe(200)
  return response.json() as {
    lines: Array<{
      standardCode: string
      debitPence: number
      creditPence: number
      eliminationPence: number
      balancePence: number
    }>
    totalDebitPence: number
    totalCreditPence: number
    unmatchedRecharges: Array<{ description: string; status: string; amountPence: number }>
    eliminatedRechargeCount: number
  }
}
const line = (tb: Awaited<ReturnType<typeof clusterTb>>, code: string) =>
  tb.lines.find((entry) => entry.standardCode === code) ?? {
    debitPence: 0,
    creditPence: 0,
    eliminationPence: 0,
    balancePence: 0,
  }

describe('recharges between organisations', () => {
  test('raised by one, agreed or disputed by the other, and eliminated on consolidation', async () => {
    const before = await clusterTb()

    const newPage = await page(`${DSIT}/new`, clerk)
    expect(newPage.statusCode).toBe(200)
    expect(newPage.body).toContain('Cabinet Office')
    const bad = await form(`${DSIT}/new`, clerk, {
      counterpartyCode: '',
      description: 'Shared HR service, quarter 1',
      amount: '12,50',
      ...dateFields('date', '2026-02-30'),
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('href="#counterpartyCode"')
    expect(bad.body).toContain('href="#amount"')
    expect(bad.body).toContain('href="#date-day"')
    expect(bad.body).toContain('value="Shared HR service, quarter 1"')

    for (const [description, amount] of [
      ['Shared HR service, quarter 1', '12,500.00'],
      ['Estates recharge, quarter 1', '3,000.00'],
    ] as const) {
      const raised = await form(`${DSIT}/new`, clerk, {
        counterpartyCode: 'cabinet-office',
        description,
        amount,
        ...dateFields('date', today),
      })
      expect(raised.statusCode).toBe(303)
      expect(raised.headers.location).toBe(`${DSIT}?done=raised`)
    }
    const dsitList = await page(`${DSIT}?done=raised`, clerk)
    expect(dsitList.body).toContain('Recharge raised')
    expect(dsitList.body).toContain('£15,500.00')

    // Cabinet Office's side: both wait to be agreed, listed as unmatched.
    const coList = await page(`${CO}?show=unmatched`, approver)
    expect(coList.statusCode).toBe(200)
    expect(coList.body).toContain('Department for Science, Innovation and Technology')
    expect(coList.body).toContain('£15,500.00')
    const ids = [...coList.body.matchAll(/recharges\/([0-9a-f-]{36})">([^<]+)</g)].map((m) => ({
      id: m[1]!,
      text: m[2]!,
    }))
    const hr = ids.find((entry) => entry.text.startsWith('Shared HR'))!.id
    const estates = ids.find((entry) => entry.text.startsWith('Estates'))!.id

    // The raiser cannot agree its own recharge: there is nothing to decide on its side.
    const raiserView = await page(`${DSIT}/${hr}`, clerk)
    expect(raiserView.body).not.toContain('Agree recharge')
    const view = await page(`${CO}/${hr}`, approver)
    expect(view.body).toContain('Agree recharge')
    const noDate = await form(`${CO}/${hr}/agree`, approver, dateFields('date', '2026-13-01'))
    expect(noDate.statusCode).toBe(400)
    expect(noDate.body).toContain('href="#date-day"')
    const agreed = await form(`${CO}/${hr}/agree`, approver, dateFields('date', today))
    expect(agreed.statusCode).toBe(303)
    expect(agreed.headers.location).toBe(`${CO}?done=agreed`)
    const noReason = await form(`${CO}/${estates}/dispute`, approver, { reason: ' ' })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('href="#reason"')
    const disputed = await form(`${CO}/${estates}/dispute`, approver, {
      reason: 'We left that building in March',
    })
    expect(disputed.statusCode).toBe(303)
    const again = await form(`${CO}/${hr}/agree`, approver, dateFields('date', today))
    expect(again.statusCode).toBe(422)
    expect(again.body).toContain('already been agreed')

    const unmatched = await page(`${DSIT}?show=unmatched`, clerk)
    expect(unmatched.body).toContain('Estates recharge, quarter 1')
    expect(unmatched.body).not.toContain('Shared HR service, quarter 1')
    expect(unmatched.body).toContain('£3,000.00')

    // Consolidated: the agreed £12,500 is taken out on all four codes; the disputed one is listed.
    const after = await clusterTb()
    expect(after.totalDebitPence).toBe(after.totalCreditPence)
    expect(after.eliminatedRechargeCount).toBe(before.eliminatedRechargeCount + 1)
    const moved = (code: string) => line(after, code).eliminationPence - line(before, code).eliminationPence
    expect(moved('13200000')).toBe(-12_500_00)
    expect(moved('41200000')).toBe(12_500_00)
    expect(moved('52700000')).toBe(-12_500_00)
    expect(moved('21200000')).toBe(12_500_00)
    // The income line keeps the disputed recharge, which DSIT has booked and Cabinet Office has not.
    expect(line(after, '41200000').balancePence - line(before, '41200000').balancePence).toBe(-3_000_00)
    expect(line(after, '52700000').balancePence).toBe(line(before, '52700000').balancePence)
    expect(after.unmatchedRecharges).toContainEqual(
      expect.objectContaining({
        description: 'Estates recharge, quarter 1',
        status: 'disputed',
        amountPence: 3_000_00,
      }),
    )
    const clusterPage = await page(
      `/clusters/matrix/reports/trial-balance?fiscalYear=${fiscalYear}`,
      clusterAdmin,
    )
    expect(clusterPage.statusCode).toBe(200)
    expect(clusterPage.body).toContain('Recharges eliminated')
    expect(clusterPage.body).toContain('Estates recharge, quarter 1')
    const csv = await page(
      `/clusters/matrix/reports/trial-balance?fiscalYear=${fiscalYear}&format=csv`,
      clusterAdmin,
    )
    expect(csv.body.split('\r\n')[0]).toBe(
      'Standard account,Name,Kind,Organisations,Debit,Credit,Eliminated,Consolidated balance',
    )
  })

  test('only the counterparty’s approvers decide, and other organisations cannot see the pages', async () => {
    expect((await page('/orgs/dwp/finance/recharges', clerk)).statusCode).toBe(403)
    expect((await page(`${CO}/new`, approver)).statusCode).toBe(403)
  })
})
