// The procurement part of the demo world. Every organisation gets procurement limits (the same
// three levels as payables), suppliers, a catalogue and a pipeline; every department an order
// through its whole life (received, invoiced, matched, released into payables); Cabinet Office a
// month-by-month year of them and one of each state a buyer, approver and clerk meet: awaiting approval,
// escalated, amended, cancelled, partly received, an invoice in the exceptions queue, contracts
// with expiry and spend alerts and one over £5m with its KPIs.
//
// Every other organisation gets a year too (a monthly order received, invoiced and matched, and two
// contracts) written set-based: about fifteen statements whatever the number of organisations.
// Speed: orders through the services are about 60 statements each, so only Cabinet Office's go
// that way. The set-based year (58 organisations, ~700 orders with their versions, receipts and
// invoices, each row audited) took 11 s of a 100 s PGlite seed at load average 17; the seed
// without it took 82 s at the same load.

import { sql } from 'kysely'
import type { DemoExtension } from '../demo/seed.ts'
import { fiscalPeriodOf } from '../finance/chart.ts'
import { demoFiscalYears } from '../finance/demo.ts'
import { LedgerService } from '../finance/ledger.ts'
import { addDays, InvoiceService, todayIso } from '../finance/payables/invoices.ts'
import { SupplierService } from '../finance/payables/suppliers.ts'
import type { Tx } from '../platform/db/index.ts'
import { uuidFromName } from '../platform/ids.ts'
import { addMonths, ContractService } from './contracts.ts'
import { MatchingService } from './matching.ts'
import { OrderService } from './orders.ts'

const ledger = new LedgerService()
const payablesSuppliers = new SupplierService()
const invoices = new InvoiceService(ledger, payablesSuppliers)
const orders = new OrderService()
const matching = new MatchingService(invoices)
const contracts = new ContractService()

const OFFICER = uuidFromName('user:procurement.officer@gss.example')
const APPROVER = uuidFromName('user:finance.approver@gss.example')
const ADMIN = uuidFromName('user:platform.admin@gss.example')
const CLERK = uuidFromName('user:finance.clerk@gss.example')

export const PROCUREMENT_DEMO_LEVELS = [
  { level: 1, title: 'Budget holder', limitPence: 10_000_00 },
  { level: 2, title: 'Director', limitPence: 100_000_00 },
  { level: 3, title: 'Accounting officer', limitPence: 1_000_000_00 },
]

const CATALOGUE = [
  {
    code: 'LAPTOP-STD',
    description: 'Standard laptop',
    cpv: '30213100-6',
    price: 650_00,
    account: '52100000',
  },
  {
    code: 'MONITOR-24',
    description: '24-inch monitor',
    cpv: '30231300-0',
    price: 140_00,
    account: '52100000',
  },
  {
    code: 'PAPER-A4',
    description: 'A4 paper, box of 5 reams',
    cpv: '30197630-1',
    price: 18_50,
    account: '52600000',
  },
]

const PIPELINE = [
  { title: 'Managed print services', cpv: '79800000-2', value: 1_500_000_00, monthsAhead: 3 },
  { title: 'End-user devices framework call-off', cpv: '30213000-5', value: 4_200_000_00, monthsAhead: 5 },
  {
    title: 'Replacement finance and HR system integration',
    cpv: '72000000-5',
    value: 12_000_000_00,
    monthsAhead: 9,
  },
]

/**
 * Limits, approvers, suppliers, catalogues and pipelines for every organisation in a handful of
 * set-based statements (the services check one at a time; these values are known to be valid).
 */
async function setUpOrganisations(trx: Tx, orgs: Array<{ id: string; code: string }>, today: string) {
  const ids = orgs.map((org) => org.id)
  await sql`
    insert into payables_approval_limits (org_id, spend_type, level, title, limit_pence)
    select o.id, 'procurement', l.level, l.title, l.limit_pence
    from unnest(${ids}::uuid[]) as o(id)
    cross join (values (1, 'Budget holder', ${PROCUREMENT_DEMO_LEVELS[0]!.limitPence}::bigint),
      (2, 'Director', ${PROCUREMENT_DEMO_LEVELS[1]!.limitPence}::bigint),
      (3, 'Accounting officer', ${PROCUREMENT_DEMO_LEVELS[2]!.limitPence}::bigint)) as l(level, title, limit_pence)
    on conflict do nothing`.execute(trx)
  await sql`
    insert into payables_approvers (org_id, user_id, level)
    select o.id, ${ADMIN}::uuid, 3 from unnest(${ids}::uuid[]) as o(id)
    on conflict do nothing`.execute(trx)
  // Cabinet Office's suppliers come from the payables demo; the others get their own two.
  const withSuppliers = new Set(
    (await trx.selectFrom('suppliers').select('org_id').distinct().execute()).map((row) => row.org_id),
  )
  const bare = orgs.filter((org) => !withSuppliers.has(org.id))
  if (bare.length)
    await trx
      .insertInto('suppliers')
      .values(
        bare.flatMap((org) => [
          {
            org_id: org.id,
            id: uuidFromName(`supplier:${org.code}:northgate`),
            name: 'Northgate Office Supplies Ltd',
            company_number: '09876543',
            vat_number: null,
            sort_code: '089999',
            account_number: '66374958',
            iban: null,
            bic: null,
            peppol_endpoint: null,
            sme: true,
            default_account_code: '52600000',
            created_by: ADMIN,
          },
          {
            org_id: org.id,
            id: uuidFromName(`supplier:${org.code}:bright-futures`),
            name: 'Bright Futures Community Interest Company',
            company_number: null,
            vat_number: null,
            sort_code: '107999',
            account_number: '88837491',
            iban: null,
            bic: null,
            peppol_endpoint: null,
            sme: true,
            default_account_code: '52600000',
            created_by: ADMIN,
          },
        ]),
      )
      .execute()
  await sql`update suppliers set vcse = true,
      cdp_identifier = 'GB-PPON:PDEM-' || upper(substr(md5(org_id::text), 1, 4)) || '-0001'
    where name = 'Bright Futures Community Interest Company' and org_id = any(${ids}::uuid[])`.execute(trx)
  const firstSupplier = new Map<string, string>()
  for (const row of await trx
    .selectFrom('suppliers')
    .select(['org_id', 'id', 'name'])
    .where('org_id', 'in', ids)
    .orderBy('name')
    .execute())
    if (!firstSupplier.has(row.org_id)) firstSupplier.set(row.org_id, row.id)
  await trx
    .insertInto('catalogue_items')
    .values(
      orgs.flatMap((org) =>
        CATALOGUE.map((item) => ({
          org_id: org.id,
          id: uuidFromName(`catalogue:${org.code}:${item.code}`),
          code: item.code,
          description: item.description,
          cpv_code: item.cpv,
          unit_price_pence: item.price,
          vat_rate_percent: 20,
          supplier_id: firstSupplier.get(org.id)!,
          account_code: item.account,
        })),
      ),
    )
    .execute()
  await trx
    .insertInto('pipeline_procurements')
    .values(
      orgs.flatMap((org) =>
        PIPELINE.map((item, index) => ({
          org_id: org.id,
          id: uuidFromName(`pipeline:${org.code}:${index}`),
          reference: `${org.code.slice(0, 6).toUpperCase()}-P${index + 1}`,
          title: item.title,
          cpv_code: item.cpv,
          estimated_value_pence: item.value,
          // Staggered by organisation so a cluster shows both overlaps and clear windows.
          go_to_market_date: addMonths(today, item.monthsAhead + (org.code.length % 4)),
          award_date: null,
          replaces_contract_id: null,
          // One of Cabinet Office's is already out to tender, so every OCDS stage has a release.
          status:
            org.code === 'cabinet-office' && index === 0 ? ('in-market' as const) : ('planned' as const),
          created_by: ADMIN,
        })),
      ),
    )
    .execute()
  return {
    supplierOf: (orgId: string) => firstSupplier.get(orgId)!,
    catalogueOf: (code: string) => CATALOGUE.map((item) => uuidFromName(`catalogue:${code}:${item.code}`)),
  }
}

/**
 * A year of procurement for every organisation but Cabinet Office (which gets its year through
 * the services, above), set-based: a fixed number of statements whatever the number of
 * organisations. Per organisation: two contracts (one expiring within a year, so it alerts), and
 * for each month an order called off the first contract, raised as a requisition, approved and
 * issued (its versions and commitment), received in full, and invoiced by the supplier for what
 * was received at the order's price, so each invoice is matched and waits to be released into
 * payables. (Running MatchingService per organisation cost about a second each on PGlite.)
 */
async function yearOfProcurement(
  trx: Tx,
  orgs: Array<{ id: string; code: string }>,
  supplierOf: (orgId: string) => string,
  from: string,
  today: string,
) {
  if (orgs.length === 0) return
  const months = [...Array(12).keys()]
    .map((m) => ({ m, date: addMonths(from, m) }))
    .filter(({ date }) => date <= addDays(today, -14))
  if (months.length === 0) return
  const contractRows = orgs.flatMap((org) => [
    {
      org_id: org.id,
      id: uuidFromName(`contract:${org.code}:supplies`),
      reference: `${org.code.slice(0, 6).toUpperCase()}-C-0001`,
      title: 'Office and IT equipment call-off contract',
      supplier_id: supplierOf(org.id),
      cpv_code: '30200000-1',
      value_pence: 250_000_00,
      start_date: from,
      end_date: addMonths(from, 36),
      extension_options_total: 2,
      extension_options_used: 0,
      extension_months: 12,
      owner_name: 'Head of Commercial',
      created_by: ADMIN,
    },
    {
      org_id: org.id,
      id: uuidFromName(`contract:${org.code}:facilities`),
      reference: `${org.code.slice(0, 6).toUpperCase()}-C-0002`,
      title: 'Facilities management services',
      supplier_id: supplierOf(org.id),
      cpv_code: '79993000-1',
      value_pence: 1_200_000_00,
      start_date: addMonths(from, -36),
      // Within 12 months of expiry, with one extension option used and none left: it alerts.
      end_date: addMonths(today, 10),
      extension_options_total: 1,
      extension_options_used: 1,
      extension_months: 12,
      owner_name: 'Estates Director',
      created_by: ADMIN,
    },
  ])
  await trx
    .insertInto('contracts')
    .values(contractRows)
    .onConflict((c) => c.doNothing())
    .execute()
  const keys = orgs.flatMap((org) =>
    months.map(({ m, date }) => ({
      org: org.id,
      m,
      date,
      supplier: supplierOf(org.id),
      item: uuidFromName(`catalogue:${org.code}:${CATALOGUE[m % CATALOGUE.length]!.code}`),
      contract: uuidFromName(`contract:${org.code}:supplies`),
      order: uuidFromName(`demo-order:${org.code}:${m}`),
      receipt: uuidFromName(`demo-receipt:${org.code}:${m}`),
      invoice: uuidFromName(`demo-invoice:${org.code}:${m}`),
      fiscalYear: fiscalPeriodOf(date).fiscalYear,
    })),
  )
  const column = <K extends keyof (typeof keys)[number]>(key: K) => keys.map((k) => k[key])
  await sql`create temporary table gss_demo_orders on commit drop as
    select k.*, 2 + k.m % 5 as quantity, c.unit_price_pence, c.description, c.cpv_code, c.account_code,
      (2 + k.m % 5) * c.unit_price_pence as net_pence, (2 + k.m % 5) * c.unit_price_pence / 5 as vat_pence
    from unnest(${column('org')}::uuid[], ${column('m')}::int[], ${column('date')}::date[], ${column('supplier')}::uuid[],
      ${column('item')}::uuid[], ${column('contract')}::uuid[], ${column('order')}::uuid[], ${column('receipt')}::uuid[],
      ${column('invoice')}::uuid[], ${column('fiscalYear')}::int[])
      as k(org_id, m, order_date, supplier_id, item_id, contract_id, order_id, receipt_id, invoice_id, fiscal_year)
    join catalogue_items c on c.org_id = k.org_id and c.id = k.item_id`.execute(trx)
  await sql`insert into purchase_orders (org_id, id, order_number, title, supplier_id, contract_id, cpv_code, status,
      net_pence, vat_pence, total_pence, approved_total_pence, requested_by, requested_at, approved_by, approved_at, issued_on)
    select d.org_id, d.order_id, 'PO-' || lpad(nextval('procurement_order_numbers')::text, 6, '0'),
      'Equipment for the team (' || to_char(d.order_date, 'YYYY-MM') || ')', d.supplier_id, d.contract_id, d.cpv_code,
      'issued', d.net_pence, d.vat_pence, d.net_pence + d.vat_pence, d.net_pence + d.vat_pence,
      ${OFFICER}::uuid, d.order_date, ${ADMIN}::uuid, d.order_date, d.order_date
    from gss_demo_orders d order by d.org_id, d.m`.execute(trx)
  await sql`insert into purchase_order_lines (org_id, order_id, line_no, catalogue_item_id, description, cpv_code,
      account_code, cost_centre_code, quantity, unit_price_pence, net_pence, vat_rate_percent, vat_pence, quantity_received)
    select d.org_id, d.order_id, 1, d.item_id, d.description, d.cpv_code, d.account_code, 'CORP', d.quantity,
      d.unit_price_pence, d.net_pence, 20, d.vat_pence, d.quantity
    from gss_demo_orders d`.execute(trx)
  await sql`insert into purchase_order_versions (org_id, order_id, version, seq, change, total_pence, lines, changed_by, changed_at)
    select d.org_id, d.order_id, 1, v.seq, v.change, d.net_pence + d.vat_pence,
      jsonb_build_array(jsonb_build_object('lineNo', 1, 'description', d.description, 'quantity', d.quantity,
        'unitPricePence', d.unit_price_pence, 'netPence', d.net_pence, 'vatPence', d.vat_pence,
        'accountCode', d.account_code, 'costCentreCode', 'CORP', 'cpvCode', d.cpv_code)),
      v.changed_by, d.order_date
    from gss_demo_orders d
    cross join (values (1, 'requested', ${OFFICER}::uuid), (2, 'approved', ${ADMIN}::uuid)) as v(seq, change, changed_by)`.execute(
    trx,
  )
  await sql`insert into procurement_commitments (org_id, order_id, line_no, account_code, cost_centre_code, fiscal_year, movement, amount_pence)
    select d.org_id, d.order_id, 1, d.account_code, 'CORP', d.fiscal_year, 'reserve', d.net_pence
    from gss_demo_orders d`.execute(trx)
  await sql`insert into goods_receipts (org_id, id, order_id, kind, received_on, received_by)
    select d.org_id, d.receipt_id, d.order_id, 'goods', d.order_date + 7, ${OFFICER}::uuid from gss_demo_orders d`.execute(
    trx,
  )
  await sql`insert into goods_receipt_lines (org_id, receipt_id, order_id, order_line_no, quantity)
    select d.org_id, d.receipt_id, d.order_id, 1, d.quantity from gss_demo_orders d`.execute(trx)
  await sql`insert into supplier_invoices (org_id, id, supplier_id, kind, supplier_reference, issue_date, receipt_date,
      due_date, net_pence, vat_pence, gross_pence, spend_type, status, source, captured_by)
    select d.org_id, d.invoice_id, d.supplier_id, 'invoice', 'INV-' || to_char(d.order_date, 'YYYYMMDD') || '-' || d.m,
      d.order_date + 10, d.order_date + 11, d.order_date + 41, d.net_pence, d.vat_pence, d.net_pence + d.vat_pence,
      'procurement', 'received', 'demo', ${CLERK}::uuid
    from gss_demo_orders d`.execute(trx)
  await sql`insert into supplier_invoice_lines (org_id, invoice_id, line_no, description, account_code, cost_centre_code, net_pence, vat_pence)
    select d.org_id, d.invoice_id, 1, d.description, d.account_code, 'CORP', d.net_pence, d.vat_pence
    from gss_demo_orders d`.execute(trx)
  // Each invoice is for what was ordered and received at the order's price, so it is matched
  // (the three-way match of these rows by MatchingService gives the same: a test checks it).
  await sql`insert into procurement_invoices (org_id, invoice_id, order_id, match_status, matched_at)
    select d.org_id, d.invoice_id, d.order_id, 'matched', d.order_date + 12 from gss_demo_orders d`.execute(
    trx,
  )
  await sql`insert into procurement_invoice_lines (org_id, invoice_id, line_no, order_id, order_line_no, quantity, unit_price_pence, net_pence)
    select d.org_id, d.invoice_id, 1, d.order_id, 1, d.quantity, d.unit_price_pence, d.net_pence
    from gss_demo_orders d`.execute(trx)
  await sql`drop table gss_demo_orders`.execute(trx)
}

/** One order through its life: raised, approved, received, invoiced, matched, released. */
async function fullCycle(
  trx: Tx,
  orgId: string,
  supplierId: string,
  catalogueId: string,
  date: string,
  n: number,
  options: { invoice: boolean; requester: string; approver: string },
) {
  const order = await orders.requisition(
    trx,
    orgId,
    {
      title: `Equipment for the team (${date.slice(0, 7)})`,
      supplierId,
      lines: [{ catalogueItemId: catalogueId, costCentreCode: 'CORP', quantity: String(2 + (n % 5)) }],
    },
    options.requester,
  )
  await orders.approve(trx, orgId, order.id, options.approver, date)
  await matching.receive(
    trx,
    orgId,
    order.id,
    { lines: [{ lineNo: 1, quantity: order.lines[0]!.quantity }], receivedOn: addDays(date, 7) },
    options.requester,
    addDays(date, 7),
  )
  if (!options.invoice) return order
  const invoice = await matching.captureInvoice(
    trx,
    orgId,
    {
      orderId: order.id,
      supplierReference: `INV-${date.replaceAll('-', '')}-${n}`,
      issueDate: addDays(date, 10),
      receiptDate: addDays(date, 11),
      lines: [
        {
          orderLineNo: 1,
          quantity: order.lines[0]!.quantity,
          unitPricePence: order.lines[0]!.unitPricePence,
        },
      ],
    },
    CLERK,
  )
  await matching.match(trx, orgId, [invoice.id])
  await matching.release(trx, orgId, invoice.id, ADMIN, addDays(date, 12))
  return order
}

export const procurementDemo: DemoExtension = {
  name: 'procurement',
  async seed(trx: Tx) {
    const today = todayIso()
    const [firstYear] = demoFiscalYears()
    const yearStart = `${firstYear}-04-01`
    // A year back from today, but never before the first open period.
    const from = addMonths(today, -12) < yearStart ? yearStart : addMonths(today, -12)
    const orgs = await trx
      .selectFrom('organisations')
      .select(['id', 'code', 'kind'])
      .orderBy('code')
      .execute()
    const setUp = await setUpOrganisations(trx, orgs, today)
    for (const org of orgs) {
      const supplierId = setUp.supplierOf(org.id)
      const catalogueIds = setUp.catalogueOf(org.code)
      const cabinetOffice = org.code === 'cabinet-office'
      // Cabinet Office orders monthly; other departments once, six months ago; arm's-length
      // bodies start with suppliers, a catalogue and a pipeline (seeding stays fast).
      const months = cabinetOffice
        ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        : org.kind.endsWith('department')
          ? [6]
          : []
      let n = 0
      for (const month of months) {
        const date = addMonths(from, month)
        if (date > addDays(today, -14)) break
        await fullCycle(trx, org.id, supplierId, catalogueIds[n % catalogueIds.length]!, date, n, {
          invoice: true,
          requester: OFFICER,
          approver: cabinetOffice ? APPROVER : ADMIN,
        })
        n++
      }
      if (cabinetOffice) await cabinetOfficeStates(trx, org.id, supplierId, catalogueIds, today)
    }
    await yearOfProcurement(
      trx,
      orgs.filter((org) => org.code !== 'cabinet-office'),
      setUp.supplierOf,
      from,
      today,
    )
  },
}

/** Cabinet Office: one of each state the journeys meet. */
async function cabinetOfficeStates(
  trx: Tx,
  orgId: string,
  supplierId: string,
  catalogueIds: string[],
  today: string,
) {
  const line = (quantity: string, extra: object = {}) => ({
    catalogueItemId: catalogueIds[0]!,
    costCentreCode: 'CORP',
    quantity,
    ...extra,
  })
  // Awaiting approval, within a budget holder's limit.
  await orders.requisition(
    trx,
    orgId,
    {
      title: 'Monitors for the policy team',
      supplierId,
      lines: [{ catalogueItemId: catalogueIds[1]!, costCentreCode: 'CORP', quantity: '6' }],
    },
    OFFICER,
  )
  // Escalated: above the finance approver's £10,000 limit, waiting for a director.
  const big = await orders.requisition(
    trx,
    orgId,
    { title: 'Laptops for the new digital team', supplierId, lines: [line('40')] },
    OFFICER,
  )
  await orders.approve(trx, orgId, big.id, APPROVER, today)
  // Issued and partly received; then amended down.
  const partly = await orders.requisition(
    trx,
    orgId,
    { title: 'Laptops for apprentices', supplierId, lines: [line('8')] },
    OFFICER,
  )
  await orders.approve(trx, orgId, partly.id, APPROVER, addDays(today, -20))
  await matching.receive(
    trx,
    orgId,
    partly.id,
    { lines: [{ lineNo: 1, quantity: '5' }], receivedOn: addDays(today, -10) },
    OFFICER,
    today,
  )
  await orders.amend(
    trx,
    orgId,
    partly.id,
    { reason: 'Two apprentices deferred to next intake', lines: [{ lineNo: 1, quantity: '6' }] },
    OFFICER,
    today,
  )
  // An invoice for more than was received: in the exceptions queue with its reason.
  const invoice = await matching.captureInvoice(
    trx,
    orgId,
    {
      orderId: partly.id,
      supplierReference: 'NDS-7781',
      issueDate: addDays(today, -3),
      receiptDate: addDays(today, -2),
      lines: [{ orderLineNo: 1, quantity: '6', unitPricePence: 650_00 }],
    },
    CLERK,
  )
  await matching.match(trx, orgId, [invoice.id])
  // Cancelled before anything arrived.
  const cancelled = await orders.requisition(
    trx,
    orgId,
    {
      title: 'Paper for the print room',
      supplierId,
      lines: [{ catalogueItemId: catalogueIds[2]!, costCentreCode: 'CORP', quantity: '20' }],
    },
    OFFICER,
  )
  await orders.approve(trx, orgId, cancelled.id, APPROVER, addDays(today, -30))
  await orders.cancel(trx, orgId, cancelled.id, OFFICER, 'Print room closed: moved to managed print', today)

  // Contracts: one expiring within 6 months with spend near its value, one over £5m with KPIs.
  const supply = await contracts.create(
    trx,
    orgId,
    {
      reference: 'CO-C-0001',
      title: 'Office equipment supply',
      supplierId,
      cpvCode: '30200000-1',
      valuePence: 60_000_00,
      startDate: addMonths(today, -20),
      endDate: addMonths(today, 4),
      extensionOptionsTotal: 2,
      extensionOptionsUsed: 1,
      extensionMonths: 12,
      ownerName: 'Pat Buyer',
    },
    OFFICER,
  )
  await trx
    .updateTable('purchase_orders')
    .set({ contract_id: supply.id })
    .where('org_id', '=', orgId)
    .where('supplier_id', '=', supplierId)
    .execute()
  // Value the contract so that its spend to date is near it (about 87%): the spend alert shows.
  const spent = (await contracts.get(trx, orgId, supply.id, today)).spendToDatePence
  if (spent > 0)
    await trx
      .updateTable('contracts')
      .set({ value_pence: Math.round(spent * 1.15) })
      .where('org_id', '=', orgId)
      .where('id', '=', supply.id)
      .execute()
  await contracts.create(
    trx,
    orgId,
    {
      reference: 'CO-C-0002',
      title: 'Shared services platform implementation partner',
      supplierId,
      cpvCode: '72000000-5',
      valuePence: 18_500_000_00,
      startDate: addMonths(today, -6),
      endDate: addMonths(today, 16),
      extensionOptionsTotal: 1,
      extensionMonths: 12,
      ownerName: 'Director of Shared Services',
      pipelineId: uuidFromName('pipeline:cabinet-office:2'),
      kpis: [
        {
          name: 'Organisations migrated to the platform on schedule',
          target: '95% of the plan each quarter',
        },
        { name: 'Critical defects open after go-live', target: 'None older than 5 working days' },
        { name: 'Knowledge transfer to civil servants', target: '20 staff accredited by contract end' },
      ],
    },
    OFFICER,
  )
}
