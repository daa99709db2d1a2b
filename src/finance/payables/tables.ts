// Kysely row types for the payables tables (../migrations/0110_payables.sql).
import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
/** A date column: read as YYYY-MM-DD text (the database layer returns dates as strings). */
type DateText = ColumnType<string, string, string>

export type InvoiceKind = 'invoice' | 'credit-note'
export type InvoiceStatus = 'received' | 'approved' | 'scheduled' | 'paid' | 'rejected'
export type InvoiceSource = 'api' | 'e-invoice' | 'demo'

export interface SupplierTable {
  org_id: string
  id: string
  name: string
  company_number: string | null
  vat_number: string | null
  sort_code: string | null
  account_number: string | null
  iban: string | null
  bic: string | null
  peppol_endpoint: string | null
  sme: Generated<boolean>
  default_account_code: Generated<string>
  created_by: string | null
  created_at: Generated<Timestamp>
}

export interface ApprovalLimitTable {
  org_id: string
  spend_type: string
  level: number
  title: string
  limit_pence: number
}

export interface ApproverTable {
  org_id: string
  user_id: string
  level: number
}

export interface SupplierInvoiceTable {
  org_id: string
  id: string
  supplier_id: string
  kind: InvoiceKind
  supplier_reference: string
  issue_date: DateText
  receipt_date: DateText
  due_date: DateText
  currency: Generated<string>
  net_pence: number
  vat_pence: number
  gross_pence: number
  spend_type: Generated<string>
  description: string | null
  status: Generated<InvoiceStatus>
  duplicate_of_id: string | null
  duplicate_reason: string | null
  needs_treasury_consent: Generated<boolean>
  treasury_consent_reference: string | null
  treasury_consent_recorded_by: string | null
  awaiting_level: number | null
  escalated_by: string | null
  source: InvoiceSource
  original_xml: string | null
  original_xml_sha256: string | null
  captured_by: string | null
  captured_at: Generated<Timestamp>
  approved_by: string | null
  approved_at: Timestamp | null
  approval_journal_id: string | null
  rejected_by: string | null
  rejected_reason: string | null
  payment_run_id: ColumnType<string | null, string | null | undefined, string | null>
}

export interface PaymentSettingsTable {
  org_id: string
  debtor_name: string
  sort_code: string
  account_number: string
  bic: string | null
  bacs_service_user_number: string
  bacs_service_user_name: string
}

export interface BankStatementImportTable {
  org_id: string
  id: Generated<string>
  message_id: string
  matched_count: number
  unmatched_count: number
  /** JSON text on the way in; the database layer returns the parsed object. */
  result: ColumnType<unknown, string, never>
  imported_by: string | null
  imported_at: Timestamp
}

export interface PaymentRunTable {
  org_id: string
  id: string
  number: Generated<number>
  idempotency_key: string
  request_sha256: string
  due_by: DateText
  pay_date: DateText
  payment_count: number
  total_pence: number
  pain001_message_id: string
  pain001_xml: string
  bacs_text: string | null
  journal_id: string
  created_by: string | null
  created_at: Generated<Timestamp>
}

export interface PaymentRunPaymentTable {
  org_id: string
  run_id: string
  line_no: number
  supplier_id: string
  end_to_end_id: string
  amount_pence: number
  sort_code: string | null
  account_number: string | null
  iban: string | null
  remittance: string | null
}

export interface SupplierInvoiceLineTable {
  org_id: string
  invoice_id: string
  line_no: number
  description: string
  account_code: string
  cost_centre_code: string | null
  net_pence: number
  vat_pence: number | null
  vat_category: string | null
  vat_rate_percent: string | null
}

export interface PaymentStatementMatchTable {
  org_id: string
  end_to_end_id: string
  statement_line_id: string
  rule: 'end-to-end-id' | 'amount-account-date' | 'amount-reference'
  statement_message_id: string
  matched_by: string | null
  matched_at: Generated<Timestamp>
}

declare module '../../platform/db/index.ts' {
  interface Tables {
    suppliers: SupplierTable
    payables_approval_limits: ApprovalLimitTable
    payables_approvers: ApproverTable
    supplier_invoices: SupplierInvoiceTable
    supplier_invoice_lines: SupplierInvoiceLineTable
    payables_payment_settings: PaymentSettingsTable
    payment_runs: PaymentRunTable
    payment_run_payments: PaymentRunPaymentTable
    payment_statement_matches: PaymentStatementMatchTable
    bank_statement_imports: BankStatementImportTable
  }
}
