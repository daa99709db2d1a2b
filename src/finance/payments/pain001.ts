// ISO 20022 customer credit transfer initiation (pain.001): the file GSS sends a bank to pay a run
// of suppliers. Two versions: pain.001.001.03 (the one UK banks' bulk payment channels take) and
// pain.001.001.09 (CBPR+ and current SEPA). Pure: a payment run in, XML text out; everything that
// would make a bank reject the file is checked first and reported together.

import { validateBic, validateIban } from '../banking/iban.ts'
import { checkUkBankAccount } from '../banking/modulus.ts'
import { decimalSum, formatMinorUnits, isKnownCurrency, parseMinorUnits } from './currency.ts'
import { isCalendarDate } from './dates.ts'
import { checkIsoIdentifier, escapeXml, toIsoLatin } from './iso-text.ts'
import { attribute, children, parseXmlSafely, path, text, texts } from './safe-xml.ts'

export type Pain001Version = 'pain.001.001.03' | 'pain.001.001.09'

/** An account: an IBAN, or a UK sort code and account number. */
export type AccountIdentifier =
  | { readonly iban: string }
  | { readonly sortCode: string; readonly accountNumber: string }

export type ChargeBearer = 'DEBT' | 'CRED' | 'SHAR' | 'SLEV'

export type CreditTransfer = {
  /** Travels to the supplier's bank and back on the statement: unique within the run. */
  readonly endToEndId: string
  readonly instructionId?: string
  readonly creditorName: string
  readonly creditorAccount: AccountIdentifier
  readonly creditorBic?: string
  /** In the currency's minor unit (pence for GBP). */
  readonly amountMinor: number
  readonly currency: string
  /** Invoice numbers and the like; sent as one unstructured line of at most 140 characters. */
  readonly remittanceReferences?: readonly string[]
  /** Defaults to SHAR for non-GBP payments and to none (the bank's default) for GBP. */
  readonly chargeBearer?: ChargeBearer
}

export type PaymentRun = {
  readonly messageId: string
  /** ISO date-time with or without zone, e.g. 2026-11-23T09:30:00Z. Passed in to keep this pure. */
  readonly createdAt: string
  readonly initiatingPartyName?: string
  readonly debtorName: string
  readonly debtorAccount: AccountIdentifier
  readonly debtorBic?: string
  /** YYYY-MM-DD. */
  readonly requestedExecutionDate: string
  readonly batchBooking: boolean
  readonly payments: readonly CreditTransfer[]
}

export type Pain001Options = {
  readonly version: Pain001Version
  /**
   * Scheme name code for UK accounts given as sort code + account number (sent as 14 digits under
   * Othr). BBAN suits most UK banks' guides; check the bank's implementation guide.
   */
  readonly ukAccountSchemeCode?: string
}

export type Pain001File = {
  readonly xml: string
  readonly numberOfTransactions: number
  /** Exact decimal sum of all amounts, irrespective of currency (ISO 20022's definition). */
  readonly controlSum: string
  readonly paymentInformationIds: readonly string[]
}

/** Thrown when a run cannot become a valid file; `problems` lists every reason, one per line. */
export class Pain001Error extends Error {
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`The payment file cannot be made:\n- ${problems.join('\n- ')}`)
    this.problems = problems
  }
}

/** A bank file is one upload; banks' own limits are in the tens of thousands. */
export const PAYMENTS_PER_FILE_MAX = 10_000
const NAME_LENGTH_MAX = 140
const REMITTANCE_LENGTH_MAX = 140
const CONTROL_SUM_DIGITS_MAX = 18
const UK_CLEARING_SYSTEM = 'GBDSC' // ISO external code: UK Domestic Sort Code

const NAMESPACE = (version: Pain001Version) => `urn:iso:std:iso:20022:tech:xsd:${version}`

type ResolvedAccount =
  | { kind: 'iban'; iban: string }
  | { kind: 'uk'; sortCode: string; accountNumber: string }

type Resolved = {
  run: PaymentRun
  debtorName: string
  initiatingPartyName: string
  debtorAccount: ResolvedAccount
  payments: {
    payment: CreditTransfer
    creditorName: string
    account: ResolvedAccount
    remittance: string | null
    chargeBearer: ChargeBearer | null
  }[]
}

export function buildPain001(run: PaymentRun, options: Pain001Options): Pain001File {
  const resolved = resolve(run, options.version)
  const groups = groupByCurrency(resolved.payments)
  const controlSum = decimalSum(run.payments)
  if (controlSum.replace('.', '').replace(/^0+(?=\d)/, '').length > CONTROL_SUM_DIGITS_MAX) {
    throw new Pain001Error([`The control sum ${controlSum} has more than ${CONTROL_SUM_DIGITS_MAX} digits`])
  }
  const scheme = options.ukAccountSchemeCode ?? 'BBAN'
  const v03 = options.version === 'pain.001.001.03'
  const x = new XmlWriter()
  x.raw('<?xml version="1.0" encoding="UTF-8"?>')
  x.open('Document', { xmlns: NAMESPACE(options.version) })
  x.open('CstmrCdtTrfInitn')
  x.open('GrpHdr')
  x.leaf('MsgId', run.messageId)
  x.leaf('CreDtTm', run.createdAt)
  x.leaf('NbOfTxs', String(run.payments.length))
  x.leaf('CtrlSum', controlSum)
  x.open('InitgPty')
  x.leaf('Nm', resolved.initiatingPartyName)
  x.close('InitgPty')
  x.close('GrpHdr')

  const paymentInformationIds: string[] = []
  for (const [index, group] of groups.entries()) {
    const paymentInformationId =
      groups.length === 1
        ? run.messageId
        : `${run.messageId.slice(0, 30)}-${String(index + 1).padStart(4, '0')}`
    paymentInformationIds.push(paymentInformationId)
    x.open('PmtInf')
    x.leaf('PmtInfId', paymentInformationId)
    x.leaf('PmtMtd', 'TRF')
    x.leaf('BtchBookg', run.batchBooking ? 'true' : 'false')
    x.leaf('NbOfTxs', String(group.length))
    x.leaf('CtrlSum', decimalSum(group.map((item) => item.payment)))
    if (v03) x.leaf('ReqdExctnDt', run.requestedExecutionDate)
    else {
      x.open('ReqdExctnDt')
      x.leaf('Dt', run.requestedExecutionDate)
      x.close('ReqdExctnDt')
    }
    x.open('Dbtr')
    x.leaf('Nm', resolved.debtorName)
    x.close('Dbtr')
    writeAccount(x, 'DbtrAcct', resolved.debtorAccount, scheme)
    writeAgent(x, 'DbtrAgt', run.debtorBic, resolved.debtorAccount, v03, true)
    for (const { payment, creditorName, account, remittance, chargeBearer } of group) {
      x.open('CdtTrfTxInf')
      x.open('PmtId')
      if (payment.instructionId) x.leaf('InstrId', payment.instructionId)
      x.leaf('EndToEndId', payment.endToEndId)
      x.close('PmtId')
      x.open('Amt')
      x.leaf('InstdAmt', formatMinorUnits(payment.amountMinor, payment.currency), { Ccy: payment.currency })
      x.close('Amt')
      if (chargeBearer) x.leaf('ChrgBr', chargeBearer)
      writeAgent(x, 'CdtrAgt', payment.creditorBic, account, v03, false)
      x.open('Cdtr')
      x.leaf('Nm', creditorName)
      x.close('Cdtr')
      writeAccount(x, 'CdtrAcct', account, scheme)
      if (remittance) {
        x.open('RmtInf')
        x.leaf('Ustrd', remittance)
        x.close('RmtInf')
      }
      x.close('CdtTrfTxInf')
    }
    x.close('PmtInf')
  }
  x.close('CstmrCdtTrfInitn')
  x.close('Document')
  return { xml: x.toString(), numberOfTransactions: run.payments.length, controlSum, paymentInformationIds }
}

function writeAccount(x: XmlWriter, element: string, account: ResolvedAccount, scheme: string): void {
  x.open(element)
  x.open('Id')
  if (account.kind === 'iban') x.leaf('IBAN', account.iban)
  else {
    x.open('Othr')
    x.leaf('Id', account.sortCode + account.accountNumber)
    x.open('SchmeNm')
    x.leaf('Cd', scheme)
    x.close('SchmeNm')
    x.close('Othr')
  }
  x.close('Id')
  x.close(element)
}

function writeAgent(
  x: XmlWriter,
  element: string,
  bic: string | undefined,
  account: ResolvedAccount,
  v03: boolean,
  mandatory: boolean,
): void {
  // A UK account's bank is named by its sort code; otherwise by BIC, or "not provided" for IBAN-only
  // payments (SEPA's convention), as the debtor agent is mandatory in both versions.
  if (!bic && account.kind === 'iban' && !mandatory) return
  x.open(element)
  x.open('FinInstnId')
  if (bic) x.leaf(v03 ? 'BIC' : 'BICFI', bic)
  if (account.kind === 'uk') {
    x.open('ClrSysMmbId')
    x.open('ClrSysId')
    x.leaf('Cd', UK_CLEARING_SYSTEM)
    x.close('ClrSysId')
    x.leaf('MmbId', account.sortCode)
    x.close('ClrSysMmbId')
  } else if (!bic) {
    x.open('Othr')
    x.leaf('Id', 'NOTPROVIDED')
    x.close('Othr')
  }
  x.close('FinInstnId')
  x.close(element)
}

function groupByCurrency<T extends { payment: CreditTransfer }>(payments: T[]): T[][] {
  const groups = new Map<string, T[]>()
  for (const item of payments) {
    const group = groups.get(item.payment.currency) ?? []
    group.push(item)
    groups.set(item.payment.currency, group)
  }
  return [...groups.values()]
}

const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-](0\d|1[0-4]):[0-5]\d)?$/

function resolve(run: PaymentRun, version: Pain001Version): Resolved {
  const problems: string[] = []
  const problem = (message: string) => {
    // Beyond a few hundred, more of the same helps nobody; the count is enough.
    if (problems.length < 200) problems.push(message)
  }
  const idProblem = checkIsoIdentifier(run.messageId, 35)
  if (idProblem) problem(`Message id "${run.messageId}" ${idProblem}`)
  const dateTime = DATE_TIME.exec(run.createdAt)
  if (!dateTime || !isCalendarDate(dateTime[1]!))
    problem(`Created at "${run.createdAt}" is not an ISO date-time`)
  if (!isCalendarDate(run.requestedExecutionDate)) {
    problem(`Requested execution date "${run.requestedExecutionDate}" is not a date (YYYY-MM-DD)`)
  }
  if (run.payments.length === 0) problem('The run has no payments')
  if (run.payments.length > PAYMENTS_PER_FILE_MAX) {
    problem(`The run has ${run.payments.length} payments; one file takes at most ${PAYMENTS_PER_FILE_MAX}`)
  }
  const debtorName = cleanName(run.debtorName, 'Debtor name', problem)
  const initiatingPartyName = run.initiatingPartyName
    ? cleanName(run.initiatingPartyName, 'Initiating party name', problem)
    : debtorName
  const debtorAccount = resolveAccount(run.debtorAccount, 'Debtor account', problem)
  if (run.debtorBic) checkBic(run.debtorBic, 'Debtor BIC', version, problem)

  const endToEndIds = new Set<string>()
  const payments: Resolved['payments'] = []
  for (const [index, payment] of run.payments.entries()) {
    const label = `Payment ${index + 1} (${payment.endToEndId || 'no end-to-end id'})`
    const e2eProblem = checkIsoIdentifier(payment.endToEndId, 35)
    if (e2eProblem) problem(`${label}: end-to-end id ${e2eProblem}`)
    else if (endToEndIds.has(payment.endToEndId)) {
      problem(`${label}: end-to-end id is used twice; reconciliation needs each to be unique`)
    }
    endToEndIds.add(payment.endToEndId)
    if (payment.instructionId !== undefined) {
      const instructionProblem = checkIsoIdentifier(payment.instructionId, 35)
      if (instructionProblem) problem(`${label}: instruction id ${instructionProblem}`)
    }
    if (!isKnownCurrency(payment.currency))
      problem(`${label}: currency "${payment.currency}" is not one GSS knows`)
    if (!Number.isSafeInteger(payment.amountMinor) || payment.amountMinor <= 0) {
      problem(`${label}: amount must be a whole number of minor units above zero, not ${payment.amountMinor}`)
    } else if (isKnownCurrency(payment.currency)) {
      // Round-trips through the exact parser, which also enforces GSS's largest amount.
      try {
        parseMinorUnits(formatMinorUnits(payment.amountMinor, payment.currency), payment.currency)
      } catch (error) {
        problem(`${label}: ${(error as Error).message}`)
      }
    }
    const creditorName = cleanName(payment.creditorName, `${label}: creditor name`, problem)
    const account = resolveAccount(payment.creditorAccount, `${label}: creditor account`, problem)
    if (account?.kind === 'uk' && payment.currency !== 'GBP' && isKnownCurrency(payment.currency)) {
      problem(
        `${label}: a sort code and account number can only be paid in GBP; give an IBAN for ${payment.currency}`,
      )
    }
    if (payment.creditorBic) checkBic(payment.creditorBic, `${label}: creditor BIC`, version, problem)
    let remittance: string | null = null
    if (payment.remittanceReferences && payment.remittanceReferences.length > 0) {
      const cleaned = toIsoLatin(payment.remittanceReferences.join(' '))
      if (!cleaned.ok) problem(`${label}: remittance information ${cleaned.reason}`)
      else if (cleaned.text.length > REMITTANCE_LENGTH_MAX) {
        problem(
          `${label}: remittance information is ${cleaned.text.length} characters; the limit is ${REMITTANCE_LENGTH_MAX}. Split the payment or send a separate remittance advice`,
        )
      } else if (cleaned.text.length > 0) remittance = cleaned.text
    }
    const chargeBearer = payment.chargeBearer ?? (payment.currency === 'GBP' ? null : 'SHAR')
    payments.push({
      payment,
      creditorName,
      account: account ?? UNUSABLE_ACCOUNT,
      remittance,
      chargeBearer,
    })
  }
  if (problems.length > 0) throw new Pain001Error(problems)
  return { run, debtorName, initiatingPartyName, debtorAccount: debtorAccount!, payments }
}

// Only used when a problem has been recorded, so it never reaches a file.
const UNUSABLE_ACCOUNT: ResolvedAccount = { kind: 'iban', iban: 'XX00' }

function cleanName(value: string, label: string, problem: (message: string) => void): string {
  const cleaned = toIsoLatin(value)
  if (!cleaned.ok) {
    problem(`${label} "${value}" ${cleaned.reason}`)
    return ''
  }
  if (cleaned.text.length === 0) problem(`${label} is empty`)
  if (cleaned.text.length > NAME_LENGTH_MAX) {
    problem(`${label} is ${cleaned.text.length} characters; ISO 20022 allows ${NAME_LENGTH_MAX}`)
  }
  return cleaned.text
}

function resolveAccount(
  account: AccountIdentifier,
  label: string,
  problem: (message: string) => void,
): ResolvedAccount | undefined {
  if ('iban' in account) {
    const result = validateIban(account.iban)
    if (!result.ok) {
      problem(`${label}: ${result.reason}`)
      return undefined
    }
    return { kind: 'iban', iban: result.iban }
  }
  const result = checkUkBankAccount(account.sortCode, account.accountNumber)
  if (result.outcome === 'fail') {
    problem(
      `${label}: sort code ${result.sortCode} and account number ${result.accountNumber} fail UK modulus checking (${result.reason})`,
    )
    return undefined
  }
  if (!result.ok) {
    problem(`${label}: ${result.reason}`)
    return undefined
  }
  return { kind: 'uk', sortCode: result.sortCode, accountNumber: result.accountNumber }
}

function checkBic(
  bic: string,
  label: string,
  version: Pain001Version,
  problem: (message: string) => void,
): void {
  const result = validateBic(bic)
  if (!result.ok) problem(`${label}: ${result.reason}`)
  else if (result.bic !== bic) problem(`${label}: give the BIC in capitals without spaces (${result.bic})`)
  else if (version === 'pain.001.001.03' && !/^[A-Z]{4}/.test(bic)) {
    problem(`${label}: pain.001.001.03 only takes BICs whose first four characters are letters`)
  }
}

/** Minimal XML writer: elements and escaped text only, two-space indentation. */
class XmlWriter {
  private readonly lines: string[] = []
  private depth = 0

  raw(line: string): void {
    this.lines.push(line)
  }

  open(name: string, attributes: Record<string, string> = {}): void {
    this.lines.push(`${'  '.repeat(this.depth)}<${name}${formatAttributes(attributes)}>`)
    this.depth++
  }

  close(name: string): void {
    this.depth--
    this.lines.push(`${'  '.repeat(this.depth)}</${name}>`)
  }

  leaf(name: string, value: string, attributes: Record<string, string> = {}): void {
    this.lines.push(
      `${'  '.repeat(this.depth)}<${name}${formatAttributes(attributes)}>${escapeXml(value)}</${name}>`,
    )
  }

  toString(): string {
    if (this.depth !== 0) throw new Error('XmlWriter: unbalanced elements')
    return `${this.lines.join('\n')}\n`
  }
}

function formatAttributes(attributes: Record<string, string>): string {
  return Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('')
}

// Reading pain.001 back: for checking files GSS made (round trips) and files from other systems.

export type Pain001Summary = {
  readonly version: string
  readonly messageId: string
  readonly createdAt: string
  readonly numberOfTransactions: number
  readonly controlSum: string | null
  readonly payments: readonly {
    readonly paymentInformationId: string
    readonly requestedExecutionDate: string
    readonly endToEndId: string
    readonly instructionId: string | null
    readonly amountMinor: number
    readonly currency: string
    readonly creditorName: string | null
    readonly creditorAccount: string | null
    readonly remittance: readonly string[]
  }[]
  /** Disagreements between header counts or sums and the payments actually present. */
  readonly inconsistencies: readonly string[]
}

const PAIN_ARRAYS: ReadonlySet<string> = new Set(['PmtInf', 'CdtTrfTxInf', 'Ustrd', 'Strd', 'RfrdDocInf'])

export function readPain001(xml: string): Pain001Summary {
  const version = /xmlns(?::\w+)?="urn:iso:std:iso:20022:tech:xsd:(pain\.001\.\d{3}\.\d{2}[^"]*)"/.exec(
    xml,
  )?.[1]
  const root = path(
    parseXmlSafely(xml, { arrayElements: PAIN_ARRAYS, what: 'payment file' }),
    'Document',
    'CstmrCdtTrfInitn',
  )
  if (!version || !root)
    throw new Pain001Error(['This is not a pain.001 customer credit transfer initiation'])
  const header = path(root, 'GrpHdr')
  const payments: Pain001Summary['payments'][number][] = []
  for (const information of children(root, 'PmtInf')) {
    const executionDate =
      text(information, 'ReqdExctnDt') ?? text(path(information, 'ReqdExctnDt'), 'Dt') ?? ''
    for (const transaction of children(information, 'CdtTrfTxInf')) {
      const amount = path(transaction, 'Amt', 'InstdAmt')
      const currency = attribute(amount, 'Ccy') ?? ''
      const account = path(transaction, 'CdtrAcct', 'Id')
      const remittance = path(transaction, 'RmtInf')
      payments.push({
        paymentInformationId: text(information, 'PmtInfId') ?? '',
        requestedExecutionDate: executionDate,
        endToEndId: text(path(transaction, 'PmtId'), 'EndToEndId') ?? '',
        instructionId: text(path(transaction, 'PmtId'), 'InstrId') ?? null,
        amountMinor: parseMinorUnits(text(path(transaction, 'Amt'), 'InstdAmt') ?? '', currency),
        currency,
        creditorName: text(path(transaction, 'Cdtr'), 'Nm') ?? null,
        creditorAccount: text(account, 'IBAN') ?? text(path(account, 'Othr'), 'Id') ?? null,
        remittance: [
          ...texts(remittance, 'Ustrd'),
          ...children(remittance, 'Strd').flatMap((structured) =>
            children(structured, 'RfrdDocInf').flatMap((document) => texts(document, 'Nb')),
          ),
        ],
      })
    }
  }
  const numberOfTransactions = Number(text(header, 'NbOfTxs'))
  const controlSum = text(header, 'CtrlSum') ?? null
  const inconsistencies: string[] = []
  if (numberOfTransactions !== payments.length) {
    inconsistencies.push(
      `The header says ${numberOfTransactions} transactions; the file has ${payments.length}`,
    )
  }
  if (controlSum !== null && !sameDecimal(controlSum, decimalSum(payments))) {
    inconsistencies.push(
      `The header control sum ${controlSum} is not the sum of the amounts, ${decimalSum(payments)}`,
    )
  }
  return {
    version,
    messageId: text(header, 'MsgId') ?? '',
    createdAt: text(header, 'CreDtTm') ?? '',
    numberOfTransactions,
    controlSum,
    payments,
    inconsistencies,
  }
}

function sameDecimal(a: string, b: string): boolean {
  const scale = (value: string) => {
    const [whole, fraction = ''] = value.split('.')
    return BigInt(whole! + fraction.padEnd(5, '0').slice(0, 5))
  }
  return /^\d+(\.\d+)?$/.test(a) && scale(a) === scale(b)
}
