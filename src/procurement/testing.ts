// Test support for procurement: the services over a seeded database, run as the application role
// in Cabinet Office, with procurement limits set (budget holder £10k, director £100k, accounting
// officer £1m) and the demo approvers' levels (finance approver 1, platform admin 3).
import { LedgerService } from '../finance/ledger.ts'
import { InvoiceService } from '../finance/payables/invoices.ts'
import { SupplierService } from '../finance/payables/suppliers.ts'
import type { Tx } from '../platform/db/index.ts'
import { orgId, uuidFromName } from '../platform/ids.ts'
import type { TestDatabase } from '../platform/testing.ts'
import { MatchingService } from './matching.ts'
import { OrderService } from './orders.ts'
import { ProcurementSupplierService } from './suppliers.ts'

export const CO = orgId('cabinet-office')
export const OFFICER = uuidFromName('user:procurement.officer@gss.example')
export const APPROVER = uuidFromName('user:finance.approver@gss.example')
export const ADMIN = uuidFromName('user:platform.admin@gss.example')
export const CLERK = uuidFromName('user:finance.clerk@gss.example')

export function procurementServices() {
  const ledger = new LedgerService()
  const payablesSuppliers = new SupplierService()
  const invoices = new InvoiceService(ledger, payablesSuppliers)
  return {
    invoices,
    payablesSuppliers,
    suppliers: new ProcurementSupplierService(payablesSuppliers),
    orders: new OrderService(),
    matching: new MatchingService(invoices),
  }
}

/** Runs fn as the application role for Cabinet Office (RLS and grants apply). */
export function asUser<T>(t: TestDatabase, userId: string, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return t.db.transaction({ userId, orgIds: [CO], actingOrgId: CO, requestId: 'test' }, fn)
}

export const PROCUREMENT_LEVELS = [
  { level: 1, title: 'Budget holder', limitPence: 10_000_00 },
  { level: 2, title: 'Director', limitPence: 100_000_00 },
  { level: 3, title: 'Accounting officer', limitPence: 1_000_000_00 },
]
