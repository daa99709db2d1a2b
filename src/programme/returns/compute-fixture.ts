// Test support for computed returns: a live body, 'h1-test-body', with known HR, payroll, ledger,
// payables and procurement records in and around 2025-Q2, written as the owner. The figures they
// should give are worked out in compute.test.ts.
import { sql } from 'kysely'
import { LedgerService } from '../../finance/ledger.ts'
import type { TenantContext, Tx } from '../../platform/db/index.ts'
import { clusterId, orgId, uuidFromName } from '../../platform/ids.ts'

export const CODE = 'h1-test-body'
export const ORG = orgId(CODE)
export const QUARTER = '2025-Q2' // July to September 2025: fiscal 2025 periods 4 to 6
export const HR_OFFICER = uuidFromName('user:hr.officer@gss.example')
export const id = (name: string) => uuidFromName(`h1-test:${name}`)

export const platform: TenantContext = {
  userId: null,
  orgIds: 'all',
  actingOrgId: null,
  requestId: 'test',
  programmeRead: 'all',
  programmeManage: 'all',
}

export async function employ(
  trx: Tx,
  name: string,
  e: {
    contract?: string
    start: string
    end?: string
    expectedEnd?: string
    lentBy?: string
    town?: string | null
    terms: Array<{ from: string; to?: string; fte: string }>
  },
) {
  await sql`insert into people (id, org_id, forenames, surname, date_of_birth, town)
    values (${id(`person:${name}`)}, ${ORG}, ${name}, 'Tester', '1980-01-01', ${e.town ?? null})`.execute(trx)
  await sql`insert into employments (org_id, id, person_id, employee_number, contract_type, lent_by_org_id,
      start_date, expected_end_date, end_date, leaving_reason, continuous_service_date)
    values (${ORG}, ${id(`employment:${name}`)}, ${id(`person:${name}`)}, ${name.toUpperCase()},
      ${e.contract ?? 'permanent'}, ${e.lentBy ?? null}, ${e.start}, ${e.expectedEnd ?? null}, ${e.end ?? null},
      ${e.end ? 'Resignation' : null}, ${e.start})`.execute(trx)
  for (const term of e.terms)
    await sql`insert into employment_terms (org_id, employment_id, valid_from, valid_to, position_id, grade_code,
        cost_centre_code, fte, hours_per_week, annual_salary_pence, change_reason)
      values (${ORG}, ${id(`employment:${name}`)}, ${term.from}, ${term.to ?? null}, ${id('position')}, 'HEO',
        'CORP', ${term.fte}, 37, 3000000, 'test')`.execute(trx)
}

export async function request(trx: Tx, name: string, kind: string, effective: string, employment: string) {
  await sql`insert into hr_requests (org_id, id, kind, status, effective_date, employment_id, summary, payload,
      requested_by, decided_by, decided_at)
    values (${ORG}, ${id(`request:${name}`)}, ${kind}, 'applied', ${effective}, ${id(`employment:${employment}`)},
      ${`${kind}: ${employment}`}, '{}', ${HR_OFFICER}, ${uuidFromName('user:org.admin@gss.example')}, now())`.execute(
    trx,
  )
}

/** A live body with known records in and around 2025-Q2. */
export async function seedBody(trx: Tx) {
  await trx
    .insertInto('organisations')
    .values({
      id: ORG,
      code: CODE,
      name: 'H1 Test Body',
      kind: 'ministerial_department',
      cluster_id: clusterId('matrix'),
      onboarding_status: 'live',
      onboarding_live_date: '2025-04-01',
    })
    .execute()

  // Ledger: fiscal 2025 with CORP (from setUp), FIN (back office) and OPS (not back office).
  const ledger = new LedgerService()
  await ledger.setUpOrganisation(trx, ORG, [2025])
  await sql`insert into cost_centres (org_id, code, name) values (${ORG}, 'FIN', 'Finance'), (${ORG}, 'OPS', 'Operations')`.execute(
    trx,
  )
  const posted = await ledger.postJournals(
    trx,
    ORG,
    [
      {
        date: '2025-08-15',
        description: 'Salaries',
        lines: [
          { accountCode: '51100000', costCentreCode: 'CORP', amountMinor: 10_000_00 },
          { accountCode: '22300000', amountMinor: -10_000_00 },
        ],
      },
      {
        date: '2025-08-15',
        description: 'Operations IT',
        lines: [
          { accountCode: '52100000', costCentreCode: 'OPS', amountMinor: 5_000_00 },
          { accountCode: '21100000', amountMinor: -5_000_00 },
        ],
      },
      {
        date: '2025-09-10',
        description: 'Finance supplies',
        lines: [
          { accountCode: '52600000', costCentreCode: 'FIN', amountMinor: 2_000_00 },
          { accountCode: '21100000', amountMinor: -2_000_00 },
        ],
      },
      {
        date: '2025-07-03',
        description: 'Fees (income on a back-office cost centre: not a cost)',
        lines: [
          { accountCode: '41100000', costCentreCode: 'CORP', amountMinor: -300_00 },
          { accountCode: '13100000', amountMinor: 300_00 },
        ],
      },
      {
        date: '2025-06-20',
        description: 'Salaries, previous quarter',
        lines: [
          { accountCode: '51100000', costCentreCode: 'CORP', amountMinor: 999_00 },
          { accountCode: '22300000', amountMinor: -999_00 },
        ],
      },
    ],
    null,
  )
  const journalId = posted[0]!.id

  // HR: a grade, a unit, a post, six employments.
  await sql`insert into grades (org_id, code, name, standard_grade, rank) values (${ORG}, 'HEO', 'Higher Executive Officer', 'HEO', 4)`.execute(
    trx,
  )
  await sql`insert into org_units (org_id, id, code, name, cost_centre_code, opened_on)
    values (${ORG}, ${id('unit')}, 'HQ', 'Headquarters', 'CORP', '2000-01-01')`.execute(trx)
  await sql`insert into positions (org_id, id, code, title, unit_id, grade_code, established_on)
    values (${ORG}, ${id('position')}, 'P1', 'Officer', ${id('unit')}, 'HEO', '2000-01-01')`.execute(trx)
  await employ(trx, 'ada', { start: '2020-01-01', town: 'Leeds', terms: [{ from: '2020-01-01', fte: '1' }] })
  await employ(trx, 'ben', {
    contract: 'fixed-term',
    start: '2025-08-01',
    expectedEnd: '2026-07-31',
    terms: [{ from: '2025-08-01', fte: '0.5' }],
  })
  await employ(trx, 'cat', {
    start: '2019-05-01',
    end: '2025-09-15',
    town: 'Hull',
    terms: [{ from: '2019-05-01', fte: '1' }],
  })
  await employ(trx, 'dan', {
    start: '2018-01-01',
    town: 'York',
    terms: [
      { from: '2018-01-01', to: '2025-08-01', fte: '1' },
      { from: '2025-08-01', fte: '0.6' },
    ],
  })
  await employ(trx, 'eve', {
    contract: 'loan',
    lentBy: orgId('cabinet-office'),
    start: '2024-04-01',
    town: 'Bath',
    terms: [{ from: '2024-04-01', fte: '0.8' }],
  })
  await employ(trx, 'fay', { start: '2025-10-01', town: 'Ely', terms: [{ from: '2025-10-01', fte: '1' }] })
  await request(trx, 'ben-joins', 'joiner', '2025-08-01', 'ben')
  await request(trx, 'dan-moves', 'mover', '2025-08-01', 'dan')
  await sql`insert into person_diversity (org_id, person_id, sex, ethnicity, disability)
    values (${ORG}, ${id('person:ada')}, 'female', 'White British', 'no'),
      (${ORG}, ${id('person:dan')}, 'male', null, null)`.execute(trx)

  // Payroll: runs paid in July (paid) and August (locked); September approved but not paid; June
  // paid (previous quarter). Totals from the payslips, as a run keeps them.
  const runs = [
    ['run-jun', 3, '2025-06-25', 'paid'],
    ['run-jul', 4, '2025-07-25', 'paid'],
    ['run-aug', 5, '2025-08-22', 'locked'],
    ['run-sep', 6, '2025-09-25', 'approved'],
  ] as const
  for (const [name, period, payDate, status] of runs) {
    await sql`insert into pay_runs (org_id, id, pay_frequency, tax_year, period, period_start, period_end, pay_date, status)
      values (${ORG}, ${id(name)}, 'monthly', '2025-26', ${period}, ${`${payDate.slice(0, 8)}01`}, ${payDate}, ${payDate}, ${status})`.execute(
      trx,
    )
    for (const [index, who] of ['ada', 'dan', 'eve'].entries())
      await sql`insert into payslips (org_id, run_id, employment_id, person_id, employee_number, status, error,
          cost_centre_code, pension_scheme, gross_pence)
        values (${ORG}, ${id(name)}, ${id(`employment:${who}`)}, ${id(`person:${who}`)}, ${who.toUpperCase()},
          ${index === 2 && name === 'run-aug' ? 'error' : 'ok'}, ${index === 2 && name === 'run-aug' ? 'No tax code' : null},
          'CORP', 'alpha', ${index === 2 && name === 'run-aug' ? 0 : 250_000 + period * 1000 + index})`.execute(
        trx,
      )
    await sql`update pay_runs r set employee_count = s.n, exception_count = s.e, gross_pence = s.gross
      from (select count(*) filter (where status = 'ok') as n, count(*) filter (where status = 'error') as e,
        sum(gross_pence) filter (where status = 'ok') as gross from payslips where org_id = ${ORG} and run_id = ${id(name)}) s
      where r.org_id = ${ORG} and r.id = ${id(name)}`.execute(trx)
  }
  const item = (name: string, who: string, kind: string, from: string, to: string | null) =>
    sql`insert into pay_items (org_id, id, employment_id, kind, description, amount_pence, paid_from, paid_to)
      values (${ORG}, ${id(name)}, ${id(`employment:${who}`)}, ${kind}, ${name}, 10000, ${from}, ${to})`.execute(
      trx,
    )
  await item('London weighting', 'ada', 'allowance', '2025-04-01', null)
  await item('Local bonus', 'dan', 'one-off', '2025-08-01', '2025-08-01')
  await item('Spring overtime', 'eve', 'overtime', '2025-01-01', '2025-05-31')

  // Payables: five invoices and a credit note; three payment runs.
  await sql`insert into suppliers (org_id, id, name, sort_code, account_number)
    values (${ORG}, ${id('supplier')}, 'Acme Ltd', '123456', '12345678')`.execute(trx)
  await sql`insert into purchase_orders (org_id, id, order_number, title, supplier_id, cpv_code, status, net_pence,
      vat_pence, total_pence, requested_by)
    values (${ORG}, ${id('order')}, 'PO-1', 'Stationery', ${id('supplier')}, '30192000-1', 'issued', 100000, 20000,
      120000, ${HR_OFFICER})`.execute(trx)
  for (const [name, payDate] of [
    ['pay-1', '2025-07-04'],
    ['pay-2', '2025-08-05'],
    ['pay-3', '2025-09-15'],
  ] as const)
    await sql`insert into payment_runs (org_id, id, idempotency_key, request_sha256, due_by, pay_date, payment_count,
        total_pence, pain001_message_id, pain001_xml, journal_id)
      values (${ORG}, ${id(name)}, ${name}, ${'0'.repeat(64)}, ${payDate}, ${payDate}, 1, 100, ${name}, '<x/>', ${journalId})`.execute(
      trx,
    )
  const invoice = (name: string, kind: string, receipt: string, status: string, run: string | null) =>
    sql`insert into supplier_invoices (org_id, id, supplier_id, kind, supplier_reference, issue_date, receipt_date,
        due_date, net_pence, vat_pence, gross_pence, status, source, payment_run_id)
      values (${ORG}, ${id(name)}, ${id('supplier')}, ${kind}, ${name}, ${receipt}, ${receipt}, ${receipt}, 1000, 200,
        1200, ${status}, 'demo', ${run ? id(run) : null})`.execute(trx)
  await invoice('inv-1', 'invoice', '2025-07-01', 'paid', 'pay-1') // 3 days, PO, straight through
  await invoice('inv-2', 'invoice', '2025-07-10', 'paid', 'pay-2') // 26 days, PO with an exception
  await invoice('inv-3', 'invoice', '2025-08-01', 'paid', 'pay-3') // 45 days, no PO
  await invoice('inv-4', 'invoice', '2025-09-20', 'received', null) // PO matched, not yet approved
  await invoice('inv-5', 'invoice', '2025-06-20', 'paid', 'pay-1') // received last quarter, paid in 14 days
  await invoice('cn-1', 'credit-note', '2025-08-10', 'received', null)
  for (const [name, status] of [
    ['inv-1', 'matched'],
    ['inv-2', 'exception'],
    ['inv-4', 'matched'],
  ] as const)
    await sql`insert into procurement_invoices (org_id, invoice_id, order_id, match_status)
      values (${ORG}, ${id(name)}, ${id('order')}, ${status})`.execute(trx)
  await sql`insert into procurement_match_exceptions (org_id, invoice_id, seq, reason_code, reason)
    values (${ORG}, ${id('inv-2')}, 1, 'price', 'Price above the order')`.execute(trx)
}
