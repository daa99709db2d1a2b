// Procurement analytics over a financial year: spend by category (CPV division), supplier,
// organisation and cluster; the share of spend with SMEs; the share of invoices with an order
// ("no PO, no pay" compliance); orders and invoices per buyer. Spend is the net of supplier
// invoices dated in the year that are not rejected. Every figure is one aggregate query: row-level
// security limits it to the organisations the caller may see.
import { sql } from 'kysely'
import { periodDates } from '../finance/chart.ts'
import type { ReportTable } from '../finance/reports/export.ts'
import type { Tx } from '../platform/db/index.ts'
import { toDecimal } from '../platform/money.ts'
import './tables.ts'

export interface ProcurementAnalytics {
  fiscalYear: number
  totalSpendPence: number
  smeSpendPence: number
  smeSharePercent: number
  invoiceCount: number
  invoicesWithOrder: number
  withOrderSharePercent: number
  byCategory: Array<{ division: string; spendPence: number; invoiceLines: number }>
  bySupplier: Array<{
    supplierName: string
    sme: boolean
    vcse: boolean
    spendPence: number
    invoices: number
  }>
  byOrganisation: Array<{ orgName: string; clusterName: string; spendPence: number; invoices: number }>
  byCluster: Array<{ clusterName: string; spendPence: number; invoices: number }>
  byBuyer: Array<{ buyerName: string; orders: number; orderValuePence: number; invoices: number }>
}

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part * 1000) / whole) / 10 : 0)

/** `orgIds`: the organisations to cover (one for an organisation's page; all visible for a cluster view). */
export async function procurementAnalytics(
  trx: Tx,
  orgIds: readonly string[],
  fiscalYear: number,
): Promise<ProcurementAnalytics> {
  const from = periodDates(fiscalYear, 1).startsOn
  const to = periodDates(fiscalYear, 12).endsOn
  const ids = [...orgIds]
  const invoices = sql`
    select i.org_id, i.id, i.supplier_id, i.net_pence, (p.order_id is not null) as with_order
    from supplier_invoices i
    left join procurement_invoices p on p.org_id = i.org_id and p.invoice_id = i.id
    where i.org_id = any(${ids}::uuid[]) and i.kind = 'invoice' and i.status <> 'rejected'
      and i.issue_date between ${from} and ${to}`
  const [totals, category, supplier, organisation, buyer] = await Promise.all([
    sql<{ total: string; sme: string; n: number; with_order: number }>`
      with inv as (${invoices})
      select coalesce(sum(inv.net_pence), 0)::text as total,
        coalesce(sum(inv.net_pence) filter (where s.sme), 0)::text as sme,
        count(*)::int as n, count(*) filter (where inv.with_order)::int as with_order
      from inv join suppliers s on s.org_id = inv.org_id and s.id = inv.supplier_id`.execute(trx),
    sql<{ division: string; spend: string; lines: number }>`
      with inv as (${invoices})
      select coalesce(left(ol.cpv_code, 2) || '000000', 'no order') as division,
        sum(coalesce(l.net_pence, inv.net_pence))::text as spend, count(*)::int as lines
      from inv
      left join procurement_invoice_lines l on l.org_id = inv.org_id and l.invoice_id = inv.id
      left join purchase_order_lines ol on ol.org_id = l.org_id and ol.order_id = l.order_id and ol.line_no = l.order_line_no
      group by 1 order by sum(coalesce(l.net_pence, inv.net_pence)) desc limit 100`.execute(trx),
    sql<{ name: string; sme: boolean; vcse: boolean; spend: string; n: number }>`
      with inv as (${invoices})
      select s.name, s.sme, s.vcse, sum(inv.net_pence)::text as spend, count(*)::int as n
      from inv join suppliers s on s.org_id = inv.org_id and s.id = inv.supplier_id
      group by s.org_id, s.id, s.name, s.sme, s.vcse order by sum(inv.net_pence) desc limit 100`.execute(trx),
    sql<{ org_name: string; cluster_name: string; spend: string; n: number }>`
      with inv as (${invoices})
      select o.name as org_name, c.name as cluster_name, sum(inv.net_pence)::text as spend, count(*)::int as n
      from inv join organisations o on o.id = inv.org_id join clusters c on c.id = o.cluster_id
      group by o.name, c.name order by c.name, sum(inv.net_pence) desc`.execute(trx),
    sql<{ name: string; orders: number; value: string; invoices: number }>`
      select coalesce(u.display_name, 'Unknown') as name, count(*)::int as orders,
        sum(x.total_pence)::text as value, sum(x.invoices)::int as invoices
      from (
        select o.requested_by, o.total_pence,
          (select count(*) from procurement_invoices p where p.org_id = o.org_id and p.order_id = o.id) as invoices
        from purchase_orders o
        where o.org_id = any(${ids}::uuid[]) and o.order_number is not null
          and o.issued_on between ${from} and ${to}
      ) x left join users u on u.id = x.requested_by
      group by 1 order by 2 desc limit 100`.execute(trx),
  ])
  const t = totals.rows[0]!
  const byOrganisation = organisation.rows.map((row) => ({
    orgName: row.org_name,
    clusterName: row.cluster_name,
    spendPence: Number(row.spend),
    invoices: row.n,
  }))
  const clusters = new Map<string, { spendPence: number; invoices: number }>()
  for (const row of byOrganisation) {
    const entry = clusters.get(row.clusterName) ?? { spendPence: 0, invoices: 0 }
    entry.spendPence += row.spendPence
    entry.invoices += row.invoices
    clusters.set(row.clusterName, entry)
  }
  return {
    fiscalYear,
    totalSpendPence: Number(t.total),
    smeSpendPence: Number(t.sme),
    smeSharePercent: percent(Number(t.sme), Number(t.total)),
    invoiceCount: t.n,
    invoicesWithOrder: t.with_order,
    withOrderSharePercent: percent(t.with_order, t.n),
    byCategory: category.rows.map((row) => ({
      division: row.division,
      spendPence: Number(row.spend),
      invoiceLines: row.lines,
    })),
    bySupplier: supplier.rows.map((row) => ({
      supplierName: row.name,
      sme: row.sme,
      vcse: row.vcse,
      spendPence: Number(row.spend),
      invoices: row.n,
    })),
    byOrganisation,
    byCluster: [...clusters].map(([clusterName, entry]) => ({ clusterName, ...entry })),
    byBuyer: buyer.rows.map((row) => ({
      buyerName: row.name,
      orders: row.orders,
      orderValuePence: Number(row.value),
      invoices: row.invoices,
    })),
  }
}

export const ANALYTICS_TABLES = [
  'category',
  'supplier',
  'organisation',
  'cluster',
  'buyer',
  'summary',
] as const
export type AnalyticsTable = (typeof ANALYTICS_TABLES)[number]

/** One part of the analytics as a table for CSV or XLSX export. */
export function analyticsTable(analytics: ProcurementAnalytics, table: AnalyticsTable): ReportTable {
  const year = `${analytics.fiscalYear}-${String((analytics.fiscalYear + 1) % 100).padStart(2, '0')}`
  switch (table) {
    case 'category':
      return {
        title: `Spend by category ${year}`,
        columns: [
          { key: 'division', heading: 'CPV division' },
          { key: 'spend', heading: 'Spend (£)', type: 'money' },
          { key: 'lines', heading: 'Invoice lines', type: 'integer' },
        ],
        rows: analytics.byCategory.map((r) => ({
          division: r.division,
          spend: r.spendPence,
          lines: r.invoiceLines,
        })),
      }
    case 'supplier':
      return {
        title: `Spend by supplier ${year}`,
        columns: [
          { key: 'supplier', heading: 'Supplier' },
          { key: 'sme', heading: 'SME' },
          { key: 'vcse', heading: 'VCSE' },
          { key: 'spend', heading: 'Spend (£)', type: 'money' },
          { key: 'invoices', heading: 'Invoices', type: 'integer' },
        ],
        rows: analytics.bySupplier.map((r) => ({
          supplier: r.supplierName,
          sme: r.sme ? 'Yes' : 'No',
          vcse: r.vcse ? 'Yes' : 'No',
          spend: r.spendPence,
          invoices: r.invoices,
        })),
      }
    case 'organisation':
      return {
        title: `Spend by organisation ${year}`,
        columns: [
          { key: 'organisation', heading: 'Organisation' },
          { key: 'cluster', heading: 'Cluster' },
          { key: 'spend', heading: 'Spend (£)', type: 'money' },
          { key: 'invoices', heading: 'Invoices', type: 'integer' },
        ],
        rows: analytics.byOrganisation.map((r) => ({
          organisation: r.orgName,
          cluster: r.clusterName,
          spend: r.spendPence,
          invoices: r.invoices,
        })),
      }
    case 'cluster':
      return {
        title: `Spend by cluster ${year}`,
        columns: [
          { key: 'cluster', heading: 'Cluster' },
          { key: 'spend', heading: 'Spend (£)', type: 'money' },
          { key: 'invoices', heading: 'Invoices', type: 'integer' },
        ],
        rows: analytics.byCluster.map((r) => ({
          cluster: r.clusterName,
          spend: r.spendPence,
          invoices: r.invoices,
        })),
      }
    case 'buyer':
      return {
        title: `Orders and invoices per buyer ${year}`,
        columns: [
          { key: 'buyer', heading: 'Buyer' },
          { key: 'orders', heading: 'Orders', type: 'integer' },
          { key: 'value', heading: 'Order value (£)', type: 'money' },
          { key: 'invoices', heading: 'Invoices', type: 'integer' },
        ],
        rows: analytics.byBuyer.map((r) => ({
          buyer: r.buyerName,
          orders: r.orders,
          value: r.orderValuePence,
          invoices: r.invoices,
        })),
      }
    case 'summary':
      return {
        title: `Procurement summary ${year}`,
        columns: [
          { key: 'measure', heading: 'Measure' },
          { key: 'value', heading: 'Value' },
        ],
        rows: [
          { measure: 'Spend (£)', value: toDecimal(analytics.totalSpendPence) },
          { measure: 'Spend with SMEs (£)', value: toDecimal(analytics.smeSpendPence) },
          { measure: 'Share of spend with SMEs (%)', value: analytics.smeSharePercent.toFixed(1) },
          { measure: 'Invoices', value: analytics.invoiceCount },
          { measure: 'Invoices with an order', value: analytics.invoicesWithOrder },
          {
            measure: 'Share of invoices with an order (%)',
            value: analytics.withOrderSharePercent.toFixed(1),
          },
        ],
      }
  }
}
