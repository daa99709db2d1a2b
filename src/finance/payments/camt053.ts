// ISO 20022 bank-to-customer statements (camt.053), the end-of-day statement a bank returns:
// balances, and an entry for every booking with whatever references the bank kept (end-to-end id,
// instruction id, remittance text, the other party). Versions 001.02 and 001.04 (what most banks
// still send) and 001.08 are read; the differences are where a few elements sit.
//
// Input is untrusted: parsing goes through parseXmlSafely (no DTDs, size cap, clear errors).
// Amounts become integers in the currency's minor unit, never floats.

import { parseMinorUnits } from './currency.ts'
import type { XmlNode } from './safe-xml.ts'
import { child, children, parseXmlSafely, path, text, texts, XmlInputError } from './safe-xml.ts'

export type CreditDebit = 'credit' | 'debit'

export type CamtBalance = {
  /** ISO balance type code: OPBD (opening booked), CLBD (closing booked), OPAV, CLAV, PRCD, FWAV… */
  readonly type: string
  readonly amountMinor: number
  /** Credit balances positive, debit (overdrawn) negative. */
  readonly signedAmountMinor: number
  readonly currency: string
  readonly date: string
}

export type CamtParty = { readonly name: string | null; readonly account: string | null }

export type CamtTransactionDetails = {
  readonly messageId: string | null
  readonly paymentInformationId: string | null
  readonly instructionId: string | null
  readonly endToEndId: string | null
  readonly transactionId: string | null
  readonly accountServicerReference: string | null
  readonly amountMinor: number | null
  readonly currency: string | null
  /** The other side: the creditor for a debit entry, the debtor for a credit entry. */
  readonly counterparty: CamtParty | null
  readonly remittance: readonly string[]
}

export type CamtEntry = {
  readonly entryReference: string | null
  readonly amountMinor: number
  readonly currency: string
  readonly creditDebit: CreditDebit
  /** True for a reversal; CdtDbtInd then names the original direction, so the effect is opposite. */
  readonly reversal: boolean
  /** Effect on the balance: credits up, debits down, reversals the other way. */
  readonly signedAmountMinor: number
  /** BOOK (booked), PDNG (pending) or INFO. */
  readonly status: string
  readonly bookingDate: string | null
  readonly valueDate: string | null
  /** The bank's own reference for the entry (AcctSvcrRef). */
  readonly bankReference: string | null
  readonly additionalInformation: string | null
  readonly batch: {
    readonly messageId: string | null
    readonly paymentInformationId: string | null
    readonly numberOfTransactions: number | null
  } | null
  readonly details: readonly CamtTransactionDetails[]
}

export type CamtStatement = {
  readonly statementId: string
  readonly electronicSequenceNumber: string | null
  readonly createdAt: string | null
  readonly account: {
    readonly iban: string | null
    readonly other: string | null
    readonly currency: string | null
    readonly ownerName: string | null
  }
  readonly balances: readonly CamtBalance[]
  /** OPBD, else PRCD (previous day's closing), else OPAV; null when the statement has none. */
  readonly openingBalance: CamtBalance | null
  /** CLBD, else CLAV. */
  readonly closingBalance: CamtBalance | null
  readonly entries: readonly CamtEntry[]
}

export type Camt053Document = {
  readonly version: string
  readonly messageId: string
  readonly createdAt: string
  readonly statements: readonly CamtStatement[]
}

/** Thrown when a document is not a camt.053 statement GSS can read; the message says why. */
export class Camt053Error extends Error {}

const ARRAYS: ReadonlySet<string> = new Set([
  'Stmt',
  'Bal',
  'Ntry',
  'NtryDtls',
  'TxDtls',
  'Ustrd',
  'Strd',
  'RfrdDocInf',
  'CdtrRefInf',
  'AdrLine',
])
const SUPPORTED_VERSIONS: ReadonlySet<string> = new Set([
  'camt.053.001.02',
  'camt.053.001.04',
  'camt.053.001.08',
])
const OPENING_TYPES = ['OPBD', 'PRCD', 'OPAV'] as const
const CLOSING_TYPES = ['CLBD', 'CLAV'] as const

export function parseCamt053(xml: string, options: { bytesMax?: number } = {}): Camt053Document {
  const namespace = /xmlns(?::\w+)?="urn:iso:std:iso:20022:tech:xsd:(camt\.\d{3}\.\d{3}\.\d{2})[^"]*"/.exec(
    xml,
  )?.[1]
  const document = parseXmlSafely(xml, {
    arrayElements: ARRAYS,
    bytesMax: options.bytesMax,
    what: 'bank statement',
  })
  if (!namespace?.startsWith('camt.053.')) {
    throw new Camt053Error(
      `This is not a camt.053 bank statement (its namespace is ${namespace ?? 'missing'})`,
    )
  }
  if (!SUPPORTED_VERSIONS.has(namespace)) {
    throw new Camt053Error(`GSS reads camt.053 versions 001.02, 001.04 and 001.08, not ${namespace}`)
  }
  const root = path(document, 'Document', 'BkToCstmrStmt')
  if (!root) throw new Camt053Error('The statement has no BkToCstmrStmt element')
  const header = child(root, 'GrpHdr')
  try {
    return {
      version: namespace,
      messageId: required(text(header, 'MsgId'), 'GrpHdr/MsgId'),
      createdAt: required(text(header, 'CreDtTm'), 'GrpHdr/CreDtTm'),
      statements: children(root, 'Stmt').map(readStatement),
    }
  } catch (error) {
    if (error instanceof Camt053Error || error instanceof XmlInputError) throw error
    throw new Camt053Error(`The statement could not be read: ${(error as Error).message}`)
  }
}

function readStatement(statement: XmlNode): CamtStatement {
  const account = child(statement, 'Acct')
  const balances = children(statement, 'Bal').map(readBalance)
  const find = (types: readonly string[]) =>
    types.map((type) => balances.find((balance) => balance.type === type)).find((balance) => balance) ?? null
  return {
    statementId: required(text(statement, 'Id'), 'Stmt/Id'),
    electronicSequenceNumber: text(statement, 'ElctrncSeqNb') ?? null,
    createdAt: text(statement, 'CreDtTm') ?? null,
    account: {
      iban: text(path(account, 'Id'), 'IBAN') ?? null,
      other: text(path(account, 'Id', 'Othr'), 'Id') ?? null,
      currency: text(account, 'Ccy') ?? null,
      ownerName: text(path(account, 'Ownr'), 'Nm') ?? text(path(account, 'Ownr', 'Pty'), 'Nm') ?? null,
    },
    balances,
    openingBalance: find(OPENING_TYPES),
    closingBalance: find(CLOSING_TYPES),
    entries: children(statement, 'Ntry').map(readEntry),
  }
}

function readBalance(balance: XmlNode): CamtBalance {
  const type = path(balance, 'Tp', 'CdOrPrtry')
  const { amountMinor, currency } = readAmount(balance, 'Bal/Amt')
  const creditDebit = readCreditDebit(text(balance, 'CdtDbtInd'), 'Bal/CdtDbtInd')
  return {
    type: text(type, 'Cd') ?? text(type, 'Prtry') ?? 'UNKNOWN',
    amountMinor,
    signedAmountMinor: creditDebit === 'credit' ? amountMinor : -amountMinor,
    currency,
    date: required(readDate(child(balance, 'Dt')) ?? undefined, 'Bal/Dt'),
  }
}

function readEntry(entry: XmlNode): CamtEntry {
  const { amountMinor, currency } = readAmount(entry, 'Ntry/Amt')
  const creditDebit = readCreditDebit(text(entry, 'CdtDbtInd'), 'Ntry/CdtDbtInd')
  const reversal = text(entry, 'RvslInd') === 'true'
  // 001.02/.04: <Sts>BOOK</Sts>; 001.08: <Sts><Cd>BOOK</Cd></Sts>.
  const status =
    text(entry, 'Sts') ?? text(child(entry, 'Sts'), 'Cd') ?? text(child(entry, 'Sts'), 'Prtry') ?? 'UNKNOWN'
  const entryDetails = children(entry, 'NtryDtls')
  const batch = entryDetails.map((details) => child(details, 'Btch')).find((found) => found)
  const direction = creditDebit === 'credit' ? 1 : -1
  return {
    entryReference: text(entry, 'NtryRef') ?? null,
    amountMinor,
    currency,
    creditDebit,
    reversal,
    signedAmountMinor: direction * (reversal ? -1 : 1) * amountMinor,
    status,
    bookingDate: readDate(child(entry, 'BookgDt')),
    valueDate: readDate(child(entry, 'ValDt')),
    bankReference: text(entry, 'AcctSvcrRef') ?? null,
    additionalInformation: text(entry, 'AddtlNtryInf') ?? null,
    batch: batch
      ? {
          messageId: text(batch, 'MsgId') ?? null,
          paymentInformationId: text(batch, 'PmtInfId') ?? null,
          numberOfTransactions: text(batch, 'NbOfTxs') ? Number(text(batch, 'NbOfTxs')) : null,
        }
      : null,
    details: entryDetails.flatMap((details) =>
      children(details, 'TxDtls').map((transaction) => readTransaction(transaction, creditDebit)),
    ),
  }
}

function readTransaction(transaction: XmlNode, entryDirection: CreditDebit): CamtTransactionDetails {
  const references = child(transaction, 'Refs')
  // The amount of this transaction: 001.08 and some banks put it at TxDtls/Amt, others in AmtDtls.
  const amountHolder = child(transaction, 'Amt')
    ? transaction
    : (path(transaction, 'AmtDtls', 'TxAmt') ?? path(transaction, 'AmtDtls', 'InstdAmt'))
  const amount = amountHolder && child(amountHolder, 'Amt') ? readAmount(amountHolder, 'TxDtls amount') : null
  const parties = child(transaction, 'RltdPties')
  const side = entryDirection === 'debit' ? 'Cdtr' : 'Dbtr'
  const party = child(parties, side)
  const partyName =
    text(party, 'Nm') ?? text(child(party, 'Pty'), 'Nm') ?? text(path(party, 'Agt', 'FinInstnId'), 'Nm')
  const partyAccount = path(parties, `${side}Acct`, 'Id')
  const accountId = text(partyAccount, 'IBAN') ?? text(child(partyAccount, 'Othr'), 'Id')
  const remittance = child(transaction, 'RmtInf')
  return {
    messageId: text(references, 'MsgId') ?? null,
    paymentInformationId: text(references, 'PmtInfId') ?? null,
    instructionId: text(references, 'InstrId') ?? null,
    endToEndId: text(references, 'EndToEndId') ?? null,
    transactionId: text(references, 'TxId') ?? null,
    accountServicerReference: text(references, 'AcctSvcrRef') ?? null,
    amountMinor: amount?.amountMinor ?? null,
    currency: amount?.currency ?? null,
    counterparty:
      partyName !== undefined || accountId !== undefined
        ? { name: partyName ?? null, account: accountId ?? null }
        : null,
    remittance: [
      ...texts(remittance, 'Ustrd'),
      ...children(remittance, 'Strd').flatMap((structured) => [
        ...children(structured, 'RfrdDocInf').flatMap((document) => texts(document, 'Nb')),
        ...children(structured, 'CdtrRefInf').flatMap((reference) => texts(reference, 'Ref')),
        ...texts(structured, 'AddtlRmtInf'),
      ]),
    ],
  }
}

function readAmount(holder: XmlNode, where: string): { amountMinor: number; currency: string } {
  const element = child(holder, 'Amt')
  const value = text(holder, 'Amt')
  const currency = element ? (element['@Ccy'] as string | undefined) : undefined
  if (value === undefined || currency === undefined)
    throw new Camt053Error(`${where} is missing or has no currency`)
  try {
    return { amountMinor: parseMinorUnits(value, currency), currency }
  } catch (error) {
    throw new Camt053Error(`${where}: ${(error as Error).message}`)
  }
}

function readCreditDebit(value: string | undefined, where: string): CreditDebit {
  if (value === 'CRDT') return 'credit'
  if (value === 'DBIT') return 'debit'
  throw new Camt053Error(`${where} must be CRDT or DBIT, not ${value ?? 'missing'}`)
}

/** <Dt>2026-11-23</Dt> or <DtTm>2026-11-23T10:00:00</DtTm> inside a date choice → the date. */
function readDate(choice: XmlNode | undefined): string | null {
  const value = text(choice, 'Dt') ?? text(choice, 'DtTm')
  return value ? value.slice(0, 10) : null
}

function required(value: string | undefined, where: string): string {
  if (value === undefined || value === '') throw new Camt053Error(`The statement has no ${where}`)
  return value
}

export type BalanceCheck =
  | {
      readonly status: 'agrees' | 'differs'
      readonly openingType: string
      readonly closingType: string
      readonly openingMinor: number
      readonly bookedEntriesMinor: number
      readonly closingMinor: number
      /** Stated closing minus (opening + booked entries). */
      readonly differenceMinor: number
      readonly reason: string
    }
  | { readonly status: 'not-possible'; readonly reason: string }

/** Does opening + Σ booked entries = closing? A difference means entries are missing or misread. */
export function checkStatementBalances(statement: CamtStatement): BalanceCheck {
  const { openingBalance: opening, closingBalance: closing } = statement
  if (!opening || !closing) {
    return {
      status: 'not-possible',
      reason: 'The statement does not give both an opening and a closing balance',
    }
  }
  const booked = statement.entries.filter((entry) => entry.status === 'BOOK')
  const currencies = new Set([opening.currency, closing.currency, ...booked.map((entry) => entry.currency)])
  if (currencies.size > 1) {
    return { status: 'not-possible', reason: `The statement mixes currencies: ${[...currencies].join(', ')}` }
  }
  const bookedEntriesMinor = booked.reduce((total, entry) => total + entry.signedAmountMinor, 0)
  const differenceMinor = closing.signedAmountMinor - (opening.signedAmountMinor + bookedEntriesMinor)
  return {
    status: differenceMinor === 0 ? 'agrees' : 'differs',
    openingType: opening.type,
    closingType: closing.type,
    openingMinor: opening.signedAmountMinor,
    bookedEntriesMinor,
    closingMinor: closing.signedAmountMinor,
    differenceMinor,
    reason:
      differenceMinor === 0
        ? `${opening.type} + ${booked.length} booked entries = ${closing.type}`
        : `${opening.type} + ${booked.length} booked entries differs from ${closing.type} by ${differenceMinor} minor units`,
  }
}
