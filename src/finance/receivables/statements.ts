// Money in from a camt.053 bank statement: each booked sterling credit whose remittance names an
// open invoice number is recorded as a receipt from that invoice's customer and allocated to the
// invoices it names (the rest on account). Anything else is listed with the reason, for a person:
// no invoice number, invoices of more than one customer, a reversal or a pending entry. An entry
// is recorded once: its bank reference is kept on the receipt, so a statement imported again
// records nothing twice.
import { sql } from 'kysely'
import type { Tx } from '../../platform/db/index.ts'
import { ValidationError } from '../../platform/errors.ts'
import { Camt053Error, type CamtEntry, parseCamt053 } from '../payments/camt053.ts'
import { XmlInputError } from '../payments/safe-xml.ts'
import { todayIso } from './common.ts'
import type { ReceiptService } from './receipts.ts'

export const STATEMENT_BYTES_MAX = 20 * 1024 * 1024

export interface StatementReceipts {
  messageId: string
  recorded: Array<{
    entryReference: string
    receiptId: string
    customerName: string
    amountPence: number
    allocatedPence: number
  }>
  alreadyRecorded: string[]
  unmatched: Array<{ entryReference: string; amountPence: number; text: string; reason: string }>
}

/** Words of an entry that could be invoice numbers, in capitals. */
function tokens(text: string): string[] {
  return [
    ...new Set(
      text
        .toUpperCase()
        .split(/[^A-Z0-9-]+/)
        .filter((token) => token.length >= 3),
    ),
  ]
}

function entryText(entry: CamtEntry): string {
  return [
    ...entry.details.flatMap((detail) => [...detail.remittance, detail.endToEndId ?? '']),
    entry.additionalInformation ?? '',
  ]
    .filter((part) => part && part !== 'NOTPROVIDED')
    .join(' ')
    .trim()
}

/**
 * Records the receipts a camt.053 statement shows. Errors: ValidationError (not a camt.053
 * statement GSS can read); a receipt's own errors (a closed period, say) refuse the whole import.
 */
export async function receiptsFromStatement(
  trx: Tx,
  orgId: string,
  receipts: ReceiptService,
  xml: string,
  userId: string | null,
): Promise<StatementReceipts> {
  let document: ReturnType<typeof parseCamt053>
  try {
    document = parseCamt053(xml, { bytesMax: STATEMENT_BYTES_MAX })
  } catch (error) {
    if (error instanceof Camt053Error || error instanceof XmlInputError)
      throw new ValidationError(`The bank statement is refused: ${error.message}`, [
        { field: '/', message: error.message },
      ])
    throw error
  }
  const result: StatementReceipts = {
    messageId: document.messageId,
    recorded: [],
    alreadyRecorded: [],
    unmatched: [],
  }
  for (const statement of document.statements) {
    for (const [index, entry] of statement.entries.entries()) {
      if (entry.creditDebit !== 'credit') continue
      const entryReference = (
        entry.bankReference ??
        entry.entryReference ??
        `${statement.statementId}/${index + 1}`
      ).slice(0, 200)
      const text = entryText(entry)
      const unmatched = (reason: string) =>
        result.unmatched.push({ entryReference, amountPence: entry.amountMinor, text, reason })
      if (entry.reversal) {
        unmatched('A reversal: it undoes an earlier entry')
        continue
      }
      if (entry.status !== 'BOOK') {
        unmatched(`Not booked yet (${entry.status})`)
        continue
      }
      if (entry.currency !== 'GBP') {
        unmatched(`In ${entry.currency}: sales invoices are in sterling`)
        continue
      }
      const seen = await trx
        .selectFrom('receipts')
        .select('id')
        .where('org_id', '=', orgId)
        .where('bank_entry_reference', '=', entryReference)
        .executeTakeFirst()
      if (seen) {
        result.alreadyRecorded.push(entryReference)
        continue
      }
      const words = tokens(text)
      const { rows } = words.length
        ? await sql<{ customer_id: string; name: string }>`
            select distinct i.customer_id, c.name from sales_invoices i
            join customers c on c.org_id = i.org_id and c.id = i.customer_id
            where i.org_id = ${orgId} and i.kind = 'invoice' and upper(i.number) = any(${words}::text[])`.execute(
            trx,
          )
        : { rows: [] }
      if (rows.length === 0) {
        unmatched('The reference names none of our invoices')
        continue
      }
      if (rows.length > 1) {
        unmatched(`The reference names invoices of ${rows.length} customers: allocate it by hand`)
        continue
      }
      const customer = rows[0]!
      const receivedOn = entry.bookingDate ?? entry.valueDate ?? todayIso()
      const allocations = await receipts.allocationsByReference(
        trx,
        orgId,
        customer.customer_id,
        text,
        entry.amountMinor,
      )
      const receipt = await receipts.record(
        trx,
        orgId,
        {
          customerId: customer.customer_id,
          receivedOn,
          amountPence: entry.amountMinor,
          reference: text.slice(0, 140),
          allocations,
          bankEntryReference: entryReference,
        },
        userId,
      )
      result.recorded.push({
        entryReference,
        receiptId: receipt.id,
        customerName: customer.name,
        amountPence: receipt.amountPence,
        allocatedPence: receipt.allocatedPence,
      })
    }
  }
  return result
}
