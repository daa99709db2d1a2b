// Kysely row types for the receivables tables (../migrations/0130_receivables.sql).
import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
/** A date column: read as YYYY-MM-DD text (the database layer returns dates as strings). */
type DateText = ColumnType<string, string, string>

export type SalesDocumentKind = 'invoice' | 'credit-note'
export type VatCategoryCode = 'S' | 'Z' | 'E'

export interface ReceivablesSettingsTable {
  org_id: string
  legal_name: string
  address_line_1: string
  address_line_2: string | null
  city: string
  postcode: string
  country_code: Generated<string>
  vat_number: string
  company_number: string | null
  peppol_endpoint: string
  contact_email: string | null
  bank_account_name: string
  sort_code: string
  account_number: string
  iban: string | null
  invoice_prefix: Generated<string>
  credit_note_prefix: Generated<string>
}

export interface ReceivablesSequenceTable {
  org_id: string
  series: SalesDocumentKind
  next_number: Generated<number>
}

export interface CustomerTable {
  org_id: string
  id: string
  name: string
  address_line_1: string
  address_line_2: string | null
  city: string
  postcode: string | null
  country_code: Generated<string>
  vat_number: string | null
  company_number: string | null
  peppol_endpoint: string | null
  contact_email: string | null
  payment_terms_days: Generated<number>
  credit_limit_pence: number | null
  public_body: Generated<boolean>
  control_account_code: string
  created_by: string | null
  created_at: Generated<Timestamp>
}

export interface SalesInvoiceTable {
  org_id: string
  id: string
  customer_id: string
  kind: SalesDocumentKind
  sequence_number: number
  number: string
  issue_date: DateText
  due_date: DateText
  currency: Generated<string>
  buyer_reference: string
  note: string | null
  credited_invoice_id: string | null
  net_pence: number
  vat_pence: number
  gross_pence: number
  journal_id: string
  issued_by: string | null
  issued_at: Generated<Timestamp>
}

export interface SalesInvoiceLineTable {
  org_id: string
  invoice_id: string
  line_no: number
  description: string
  account_code: string
  cost_centre_code: string | null
  quantity: string
  unit_price: string
  net_pence: number
  vat_category: VatCategoryCode
  vat_rate_percent: string
}

export interface ReceiptTable {
  org_id: string
  id: string
  customer_id: string
  received_on: DateText
  amount_pence: number
  reference: string
  bank_entry_reference: ColumnType<string | null, string | null | undefined, string | null>
  journal_id: string
  recorded_by: string | null
  recorded_at: Generated<Timestamp>
}

export interface ReceiptAllocationTable {
  org_id: string
  id: string
  receipt_id: string
  invoice_id: string
  amount_pence: number
  allocated_by: string | null
  allocated_at: Generated<Timestamp>
}

declare module '../../platform/db/index.ts' {
  interface Tables {
    receivables_settings: ReceivablesSettingsTable
    receivables_sequences: ReceivablesSequenceTable
    customers: CustomerTable
    sales_invoices: SalesInvoiceTable
    sales_invoice_lines: SalesInvoiceLineTable
    receipts: ReceiptTable
    receipt_allocations: ReceiptAllocationTable
  }
}
