// Kysely row types for the procurement tables (migrations/0400_procurement.sql).
import type { ColumnType, Generated } from 'kysely'
import '../finance/payables/tables.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type UpdatableTimestamp = ColumnType<Date, Date | string | undefined, Date | string>
type DateText = ColumnType<string, string, string>
/** numeric columns: read as text, written as text or number. */
type Decimal = ColumnType<string, string | number, string | number>

export type OrderStatus = 'awaiting-approval' | 'issued' | 'rejected' | 'cancelled' | 'closed'
export type MatchStatus = 'unmatched' | 'matched' | 'exception' | 'released'

export interface SupplierContactTable {
  org_id: string
  id: string
  supplier_id: string
  name: string
  role: string | null
  email: string | null
  phone: string | null
  created_at: Generated<Timestamp>
}

export interface ProcurementSettingsTable {
  org_id: string
  price_tolerance_percent: ColumnType<string, string | number | undefined, string | number>
  price_tolerance_pence: Generated<number>
  quantity_tolerance_percent: ColumnType<string, string | number | undefined, string | number>
  ocid_prefix: Generated<string>
  no_po_policy: Generated<string>
}

/** 0401: an exception to "no PO, no pay" for one invoice, with its reason (written once). */
export interface NoPoExceptionTable {
  org_id: string
  invoice_id: string
  reason: string
  granted_by: string
  granted_at: Generated<Date>
}

export interface CatalogueItemTable {
  org_id: string
  id: string
  code: string
  description: string
  cpv_code: string
  unit: Generated<string>
  unit_price_pence: number
  vat_rate_percent: ColumnType<string, string | number | undefined, string | number>
  supplier_id: string
  account_code: string
}

export interface ContractTable {
  org_id: string
  id: string
  reference: string
  title: string
  supplier_id: string
  cpv_code: string
  value_pence: number
  start_date: DateText
  end_date: DateText
  extension_options_total: Generated<number>
  extension_options_used: Generated<number>
  extension_months: Generated<number>
  owner_name: string
  pipeline_id: string | null
  created_by: string | null
  created_at: Generated<Timestamp>
  updated_at: UpdatableTimestamp
}

export interface ContractKpiTable {
  org_id: string
  contract_id: string
  rank: number
  name: string
  target: string
}

export interface PurchaseOrderTable {
  org_id: string
  id: string
  requisition_number: Generated<number>
  order_number: string | null
  title: string
  supplier_id: string
  contract_id: string | null
  cpv_code: string
  status: Generated<OrderStatus>
  version: Generated<number>
  net_pence: number
  vat_pence: number
  total_pence: number
  approved_total_pence: Generated<number>
  needed_by: DateText | null
  requested_by: string
  requested_at: Generated<Timestamp>
  awaiting_level: number | null
  approved_by: string | null
  approved_at: Timestamp | null
  issued_on: DateText | null
  rejected_by: string | null
  rejected_reason: string | null
  cancelled_reason: string | null
}

export interface PurchaseOrderLineTable {
  org_id: string
  order_id: string
  line_no: number
  catalogue_item_id: string | null
  description: string
  cpv_code: string
  account_code: string
  cost_centre_code: string
  unit: Generated<string>
  quantity: Decimal
  unit_price_pence: number
  net_pence: number
  vat_rate_percent: Decimal
  vat_pence: number
  quantity_received: ColumnType<string, string | number | undefined, string | number>
}

export interface PurchaseOrderVersionTable {
  org_id: string
  order_id: string
  version: number
  seq: number
  change: 'requested' | 'approved' | 'rejected' | 'amended' | 'cancelled' | 'closed'
  reason: string | null
  total_pence: number
  lines: ColumnType<unknown, string, string>
  changed_by: string | null
  changed_at: Generated<Timestamp>
}

export interface CommitmentTable {
  org_id: string
  id: Generated<string>
  order_id: string
  line_no: number
  account_code: string
  cost_centre_code: string
  fiscal_year: number
  movement: 'reserve' | 'amend' | 'cancel' | 'close'
  amount_pence: number
  created_at: Generated<Timestamp>
}

export interface GoodsReceiptTable {
  org_id: string
  id: string
  number: Generated<number>
  order_id: string
  kind: 'goods' | 'services'
  received_on: DateText
  note: string | null
  received_by: string | null
  created_at: Generated<Timestamp>
}

export interface GoodsReceiptLineTable {
  org_id: string
  receipt_id: string
  order_id: string
  order_line_no: number
  quantity: Decimal
}

export interface ProcurementInvoiceTable {
  org_id: string
  invoice_id: string
  order_id: string | null
  match_status: Generated<MatchStatus>
  matched_at: Timestamp | null
  released_by: string | null
  released_at: Timestamp | null
}

export interface ProcurementInvoiceLineTable {
  org_id: string
  invoice_id: string
  line_no: number
  order_id: string
  order_line_no: number
  quantity: Decimal
  unit_price_pence: number
  net_pence: number
}

export interface MatchExceptionTable {
  org_id: string
  invoice_id: string
  seq: number
  line_no: number | null
  reason_code: string
  reason: string
  created_at: Generated<Timestamp>
}

export interface PipelineProcurementTable {
  org_id: string
  id: string
  reference: string
  title: string
  cpv_code: string
  estimated_value_pence: number
  go_to_market_date: DateText
  award_date: DateText | null
  replaces_contract_id: string | null
  status: Generated<'planned' | 'in-market' | 'awarded' | 'withdrawn'>
  created_by: string | null
  created_at: Generated<Timestamp>
}

/** The columns procurement adds to the payables suppliers table. */
export interface SupplierProcurementColumns {
  vcse: Generated<boolean>
  cdp_identifier: string | null
}

/** A view: what matched invoices have claimed against each order line. */
export interface InvoicedLineView {
  org_id: string
  order_id: string
  order_line_no: number
  quantity: string
  net_pence: string
}

declare module '../platform/db/index.ts' {
  interface Tables {
    procurement_invoiced_lines: InvoicedLineView
    supplier_contacts: SupplierContactTable
    procurement_settings: ProcurementSettingsTable
    procurement_no_po_exceptions: NoPoExceptionTable
    catalogue_items: CatalogueItemTable
    contracts: ContractTable
    contract_kpis: ContractKpiTable
    purchase_orders: PurchaseOrderTable
    purchase_order_lines: PurchaseOrderLineTable
    purchase_order_versions: PurchaseOrderVersionTable
    procurement_commitments: CommitmentTable
    goods_receipts: GoodsReceiptTable
    goods_receipt_lines: GoodsReceiptLineTable
    procurement_invoices: ProcurementInvoiceTable
    procurement_invoice_lines: ProcurementInvoiceLineTable
    procurement_match_exceptions: MatchExceptionTable
    pipeline_procurements: PipelineProcurementTable
  }
}
