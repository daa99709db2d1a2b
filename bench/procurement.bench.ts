// Procurement (issue 6's target): three-way matching of 100,000 invoices against their orders and
// receipts as one batch, under 10 s on PostgreSQL. In-process: the work measured is the match
// itself (MatchingService.match inside one application-role transaction, RLS on), not HTTP.
//
// Data: 100,000 issued orders of one line, each received in full and invoiced once; 1% of the
// invoices are priced 10% over the order (price exceptions) and 1% claim more than was received
// (quantity exceptions). It is bulk-loaded by the table owner with triggers off (the load is
// setting, not measurement); the match runs with every trigger, the audit included.
//
// Rough sums before measuring: the match is 8 statements; the heavy ones join 100k invoice lines
// to 100k order lines by primary key (hash joins, ~100k × 100 bytes each side) and update 100k
// procurement_invoices rows, audited as one entry per organisation per statement. Expect seconds,
// dominated by the update and its index maintenance; per-invoice round trips (100k × ~0.3 ms)
// would be 30 s before any work.
import { sql } from 'kysely'
import { orgId, uuidFromName } from '../src/platform/ids.ts'
import type { TestDatabase } from '../src/platform/testing.ts'
import type { BenchContext, EngineTarget, ResultRow } from './lib/types.ts'

export const description =
  'Procurement: three-way match of 100,000 invoices against their orders and receipts in one batch (target < 10 s on PostgreSQL)'

const BENCHMARK = 'procurement'
const CO = orgId('cabinet-office')
const CLERK = uuidFromName('user:finance.clerk@gss.example')

async function openDatabase(target: EngineTarget): Promise<TestDatabase> {
  if (target.engine === 'postgres') process.env.DATABASE_URL = target.serverUrl
  else delete process.env.DATABASE_URL
  const { createTestDatabase } = await import('../src/platform/testing.ts')
  return createTestDatabase({ seed: true })
}

/** Loads `count` orders, receipts and invoices as the owner, triggers off. */
async function load(db: TestDatabase['db'], count: number, tag: string): Promise<void> {
  await db.adminTransaction(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx)
    const supplier = await trx
      .selectFrom('suppliers')
      .select('id')
      .where('org_id', '=', CO)
      .orderBy('name')
      .executeTakeFirstOrThrow()
    await sql`create temporary table bench_keys on commit drop as
      select g as n, gen_random_uuid() as order_id, gen_random_uuid() as receipt_id, gen_random_uuid() as invoice_id
      from generate_series(1, ${count}::int) g`.execute(trx)
    await sql`insert into purchase_orders (org_id, id, order_number, title, supplier_id, cpv_code, status, net_pence,
        vat_pence, total_pence, approved_total_pence, requested_by, approved_by, approved_at, issued_on)
      select ${CO}::uuid, k.order_id, ${`B${tag}-`} || k.n, 'Bench order ' || k.n, ${supplier.id}::uuid, '30213100-6', 'issued',
        5000, 1000, 6000, 6000, ${CLERK}::uuid, ${CLERK}::uuid, now(), current_date
      from bench_keys k`.execute(trx)
    await sql`insert into purchase_order_lines (org_id, order_id, line_no, description, cpv_code, account_code,
        cost_centre_code, quantity, unit_price_pence, net_pence, vat_rate_percent, vat_pence, quantity_received)
      select ${CO}::uuid, k.order_id, 1, 'Item', '30213100-6', '52100000', 'CORP', 10, 500, 5000, 20, 1000, 10
      from bench_keys k`.execute(trx)
    await sql`insert into goods_receipts (org_id, id, order_id, kind, received_on, received_by)
      select ${CO}::uuid, k.receipt_id, k.order_id, 'goods', current_date, ${CLERK}::uuid from bench_keys k`.execute(
      trx,
    )
    await sql`insert into goods_receipt_lines (org_id, receipt_id, order_id, order_line_no, quantity)
      select ${CO}::uuid, k.receipt_id, k.order_id, 1, 10 from bench_keys k`.execute(trx)
    // Every 100th invoice is priced 10% over; every 100th (offset 50) claims 12 of 10 received.
    await sql`insert into supplier_invoices (org_id, id, supplier_id, kind, supplier_reference, issue_date, receipt_date,
        due_date, net_pence, vat_pence, gross_pence, spend_type, status, source, captured_by)
      select ${CO}::uuid, k.invoice_id, ${supplier.id}::uuid, 'invoice', ${`BINV${tag}-`} || k.n, current_date, current_date,
        current_date + 30, x.net, x.net / 5, x.net + x.net / 5, 'procurement', 'received', 'demo', ${CLERK}::uuid
      from bench_keys k
      cross join lateral (select case when k.n % 100 = 0 then 5500 when k.n % 100 = 50 then 6000 else 5000 end as net) x`.execute(
      trx,
    )
    await sql`insert into supplier_invoice_lines (org_id, invoice_id, line_no, description, account_code, cost_centre_code, net_pence, vat_pence)
      select i.org_id, i.id, 1, 'Item', '52100000', 'CORP', i.net_pence, i.vat_pence
      from supplier_invoices i join bench_keys k on i.org_id = ${CO} and i.id = k.invoice_id`.execute(trx)
    await sql`insert into procurement_invoices (org_id, invoice_id, order_id)
      select ${CO}::uuid, k.invoice_id, k.order_id from bench_keys k`.execute(trx)
    await sql`insert into procurement_invoice_lines (org_id, invoice_id, line_no, order_id, order_line_no, quantity, unit_price_pence, net_pence)
      select ${CO}::uuid, k.invoice_id, 1, k.order_id, 1,
        case when k.n % 100 = 50 then 12 else 10 end,
        case when k.n % 100 = 0 then 550 else 500 end,
        case when k.n % 100 = 0 then 5500 when k.n % 100 = 50 then 6000 else 5000 end
      from bench_keys k`.execute(trx)
  }, 'bench:procurement')
  await sql`analyze`.execute(db.admin)
}

export default async function procurement(context: BenchContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = []
  const { MatchingService } = await import('../src/procurement/matching.ts')
  const { InvoiceService } = await import('../src/finance/payables/invoices.ts')
  const { LedgerService } = await import('../src/finance/ledger.ts')
  const { SupplierService } = await import('../src/finance/payables/suppliers.ts')
  const matching = new MatchingService(new InvoiceService(new LedgerService(), new SupplierService()))
  for (const target of context.engines) {
    // The target is set for PostgreSQL; PGlite (one process, single connection) runs a tenth.
    const count = context.quick ? 10_000 : target.engine === 'postgres' ? 100_000 : 10_000
    const rounds = context.quick ? 1 : 3
    context.log(`procurement: ${target.engine}: seeding`)
    const t = await openDatabase(target)
    try {
      const seconds: number[] = []
      for (let round = 0; round < rounds; round++) {
        context.log(
          `procurement: ${target.engine}: loading ${count} orders, receipts and invoices (round ${round + 1})`,
        )
        // Earlier rounds' exceptions (and the demo's) leave the batch, as if rejected.
        await t.db.adminTransaction(async (trx) => {
          await sql`set local session_replication_role = replica`.execute(trx)
          await sql`update supplier_invoices i set status = 'rejected' from procurement_invoices p
            where p.org_id = i.org_id and p.invoice_id = i.id and p.match_status in ('unmatched', 'exception')`.execute(
            trx,
          )
        })
        await load(t.db, count, `${round}`)
        const started = performance.now()
        const summary = await t.db.transaction(
          { userId: CLERK, orgIds: [CO], actingOrgId: CO, requestId: 'bench:match' },
          (trx) => matching.match(trx, CO),
        )
        const elapsed = (performance.now() - started) / 1000
        const expectedExceptions = Math.floor(count / 100) * 2
        if (summary.considered !== count || summary.exceptions !== expectedExceptions)
          throw new Error(
            `match result ${JSON.stringify(summary)}: expected ${count} considered, ${expectedExceptions} exceptions`,
          )
        context.log(`procurement: ${target.engine}: matched ${count} in ${elapsed.toFixed(2)} s`)
        seconds.push(elapsed)
      }
      seconds.sort((a, b) => a - b)
      const median = seconds[Math.floor(seconds.length / 2)]!
      const scenario = `three-way match, ${count.toLocaleString('en-GB')} invoices`
      rows.push(
        {
          benchmark: BENCHMARK,
          scenario,
          engine: target.engine,
          metric: 'batch time (median)',
          value: Number(median.toFixed(2)),
          unit: 's',
        },
        {
          benchmark: BENCHMARK,
          scenario,
          engine: target.engine,
          metric: 'invoices matched',
          value: Math.round(count / median),
          unit: '/s',
        },
      )
      context.meta[`procurement_${target.engine}`] = {
        invoices: count,
        rounds: seconds.map((s) => Number(s.toFixed(2))),
      }
    } finally {
      await t.close()
    }
  }
  return rows
}
