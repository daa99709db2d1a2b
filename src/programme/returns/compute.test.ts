// Computed returns (decision 0501): exact figures on a body whose records the test writes
// (compute-fixture.ts), figures on the demo world against independent queries, and what an
// RLS-limited caller gets.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TenantContext } from '../../platform/db/index.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { createTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { quarterOf } from '../quarters.ts'
import { computeReturns } from './compute.ts'
import { CODE, HR_OFFICER, ORG, platform, QUARTER, seedBody } from './compute-fixture.ts'

let t: TestDatabase

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  await t.db.adminTransaction(seedBody)
}, 600_000)
afterAll(async () => t?.close())

const computeFor = (context: TenantContext, orgIds?: string[]) =>
  t.db.transaction(context, (trx) => computeReturns(trx, QUARTER, orgIds))

describe('computeReturns', () => {
  it('computes every figure exactly from the records', async () => {
    const [body] = await computeFor(platform, [ORG])
    expect(body!.figures).toEqual({
      schemaVersion: '1.0',
      organisation: CODE,
      quarter: QUARTER,
      migrationStatus: 'live',
      // ada 1 + ben 0.5 + dan 0.6 (moved) + eve 0.8; cat left on 15 September, fay starts in October.
      workforce: { headcount: 4, fte: 2.9, joiners: 1, leavers: 1 },
      // July's and August's runs (August's employee in error is in no total); September's is not paid.
      payroll: { payslips: 5, grossPayPence: 254_000 + 254_001 + 254_002 + 255_000 + 255_001 },
      finance: {
        invoicesProcessed: 4,
        // Paid in the quarter: 3, 26, 45 and 14 days after receipt.
        paidWithin5DaysPercent: 25,
        paidWithin30DaysPercent: 75,
        // Salaries on CORP and supplies on FIN; not OPS, not income, not June.
        backOfficeCostPence: 1_200_000,
        costPerTransactionPence: Math.round(1_200_000 / 9),
      },
      convergence: {
        commonChartOfAccountsPercent: 100,
        invoicesWithPurchaseOrderPercent: 75,
        // ben's joining and dan's move through requests; cat's leaving was not.
        jmlThroughStandardProcessPercent: 66.7,
        // town 3/4, diversity 4/12, expected end 1/2 (ben yes, eve's loan no), lent by 1/1: 9/19.
        hrDataStandardCompletenessPercent: 47.4,
        straightThroughInvoicesPercent: 25,
        standardPayElementsPercent: 50,
      },
    })
    expect(body!.provenance['workforce.headcount']).toBe('computed')
    expect(body!.provenance['finance.backOfficeCostPence']).toBe('estimated')
  })

  it('writes null where the platform holds no records, and zero only where zero is true', async () => {
    const [previous] = await t.db.transaction(platform, (trx) => computeReturns(trx, '2024-Q1', [ORG]))
    // Employments existed (ada, cat, dan; eve joined on loan): counts are real; nothing was
    // posted, paid or invoiced, and eve's joining went through no request.
    expect(previous!.figures.workforce).toEqual({ headcount: 4, fte: 3.8, joiners: 1, leavers: 0 })
    expect(previous!.figures.convergence.jmlThroughStandardProcessPercent).toBe(0)
    expect(previous!.figures.payroll).toEqual({ payslips: 0, grossPayPence: 0 })
    expect(previous!.figures.finance.invoicesProcessed).toBe(0)
    expect(previous!.figures.finance.paidWithin5DaysPercent).toBeNull()
    expect(previous!.figures.finance.backOfficeCostPence).toBeNull()
    expect(previous!.figures.finance.costPerTransactionPence).toBeNull()
    expect(previous!.figures.convergence.standardPayElementsPercent).toBeNull()

    // A body on the platform with no records there yet: every figure null, none zero.
    const bare = orgId('h1-bare-body')
    await t.db.adminTransaction((trx) =>
      trx
        .insertInto('organisations')
        .values({
          id: bare,
          code: 'h1-bare-body',
          name: 'H1 Bare Body',
          kind: 'non_ministerial_department',
          onboarding_status: 'migrating',
        })
        .execute(),
    )
    const [empty] = await computeFor(platform, [bare])
    const { workforce, payroll, finance, convergence } = empty!.figures
    for (const value of [
      ...Object.values(workforce),
      ...Object.values(payroll),
      ...Object.values(finance),
      ...Object.values(convergence),
    ])
      expect(value).toBeNull()
    expect(empty!.figures.migrationStatus).toBe('migrating')
  })

  it('agrees with independent queries on the demo world', async () => {
    // The demo's paid pay run is last month's (Cabinet Office); its ledger is last financial year.
    const today = new Date()
    const lastMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 15))
    const payQuarter = quarterOf(lastMonth.toISOString().slice(0, 10))
    const co = orgId('cabinet-office')
    const [computed] = await t.db.transaction(platform, (trx) => computeReturns(trx, payQuarter.code, [co]))
    const { rows } = await sql<{ n: number; gross: string }>`
      select count(*)::int as n, coalesce(sum(s.gross_pence), 0)::text as gross from payslips s
      join pay_runs r on r.org_id = s.org_id and r.id = s.run_id
      where s.org_id = ${co} and s.status = 'ok' and r.status in ('paid', 'locked')
        and r.pay_date between ${payQuarter.startsOn}::date and ${payQuarter.endsOn}::date`.execute(
      t.db.admin,
    )
    expect(rows[0]!.n).toBeGreaterThan(0)
    expect(computed!.figures.payroll).toEqual({ payslips: rows[0]!.n, grossPayPence: Number(rows[0]!.gross) })

    const { rows: people } = await sql<{ n: number }>`
      select count(distinct e.person_id)::int as n from employments e
      join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id
        and t.valid_from <= ${payQuarter.endsOn}::date and (t.valid_to is null or t.valid_to > ${payQuarter.endsOn}::date)
      where e.org_id = ${co} and e.start_date <= ${payQuarter.endsOn}::date
        and (e.end_date is null or e.end_date >= ${payQuarter.endsOn}::date)`.execute(t.db.admin)
    expect(computed!.figures.workforce.headcount).toBe(people[0]!.n)

    // Last financial year's first quarter: every demo body posted there; back office = CORP, FIN, PPL.
    const fiscalYear = payQuarter.fiscalYear - 1
    const all = await t.db.transaction(platform, (trx) => computeReturns(trx, `${fiscalYear}-Q1`))
    const { rows: onPlatform } = await sql<{ id: string }>`
      select id from organisations where onboarding_status in ('live', 'migrating') order by code`.execute(
      t.db.admin,
    )
    expect(all.map((item) => item.orgId).sort()).toEqual(onPlatform.map((row) => row.id).sort())
    expect(all.map((item) => item.orgCode)).toEqual(
      expect.arrayContaining(['cabinet-office', 'dsit', 'fcdo']),
    )
    const { rows: cost } = await sql<{ org_id: string; pence: string }>`
      select l.org_id, sum(l.amount_pence)::text as pence from journal_lines l
      join journals j on j.org_id = l.org_id and j.id = l.journal_id
      join accounts a on a.org_id = l.org_id and a.code = l.account_code
      join standard_accounts s on s.code = a.standard_code
      where j.fiscal_year = ${fiscalYear} and j.period between 1 and 3 and s.kind = 'expenditure'
        and l.cost_centre_code in ('CORP', 'FIN', 'PPL')
      group by l.org_id`.execute(t.db.admin)
    const costOf = new Map(cost.map((row) => [row.org_id, Number(row.pence)]))
    for (const item of all) {
      if (!costOf.has(item.orgId)) continue
      expect(item.figures.finance.backOfficeCostPence, item.orgCode).toBe(costOf.get(item.orgId))
    }
    expect(costOf.get(co)).toBeGreaterThan(0)
  })

  it('shows an RLS-limited caller nothing it could not read already', async () => {
    // An organisation's own staff computing another body's return: RLS hides the rows, all null.
    const coStaff: TenantContext = {
      userId: HR_OFFICER,
      orgIds: [orgId('cabinet-office')],
      actingOrgId: orgId('cabinet-office'),
      requestId: 'test',
    }
    const [hidden] = await computeFor(coStaff, [ORG])
    expect(hidden!.figures.workforce).toEqual({ headcount: null, fte: null, joiners: null, leavers: null })
    expect(hidden!.figures.payroll.payslips).toBeNull()
    expect(hidden!.figures.finance.invoicesProcessed).toBeNull()
    // A programme analyst reads every aggregate but no personal record, so computing directly in
    // the analyst's own transaction gives nothing; the generator's transaction is the platform's.
    const analyst: TenantContext = {
      userId: uuidFromName('user:programme.analyst@gss.example'),
      orgIds: [],
      actingOrgId: null,
      requestId: 'test',
      programmeRead: 'all',
      programmeManage: [],
    }
    const [asAnalyst] = await computeFor(analyst, [ORG])
    expect(asAnalyst!.figures.workforce.headcount).toBeNull()
    const rows = await t.db.transaction(analyst, (trx) =>
      trx.selectFrom('employments').select('id').where('org_id', '=', ORG).execute(),
    )
    expect(rows).toEqual([])
  })
})
