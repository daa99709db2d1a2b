// Bacs Standard 18: the fixed-width file a direct submitter or bureau sends Bacs to make direct
// credits. Labels (VOL1, HDR1, HDR2, UHL1, EOF1, EOF2, UTL1) are 80 characters; payment and contra
// records are 100. This builds a single-day ("1 DAILY") credit file with one contra; the layout,
// field by field, and its sources are in docs/decisions/0111-bank-details-and-payment-files.md.
// Pure: the dates and serial numbers are inputs, and every problem is reported before any text
// is produced.

import type { Pence } from '../../platform/money.ts'
import { checkUkBankAccount } from '../banking/modulus.ts'
import { daysBetween, isCalendarDate } from './dates.ts'

export type BacsCredit = {
  readonly destinationSortCode: string
  readonly destinationAccountNumber: string
  readonly destinationAccountName: string
  readonly amountPence: Pence
  /** What the payee sees on their statement: 6-18 characters. */
  readonly reference: string
}

export type BacsFileInput = {
  /** The Service User Number Bacs issued to the originator: 6 digits. */
  readonly serviceUserNumber: string
  /** Shown to payees as the originator: up to 18 characters. */
  readonly serviceUserName: string
  readonly originatingSortCode: string
  readonly originatingAccountNumber: string
  /** Name of the account debited by the contra: up to 18 characters. */
  readonly originatingAccountName: string
  /** VOL1 serial: 6 letters or digits, unique per submission that day. */
  readonly submissionSerialNumber: string
  /** UHL1 file number, 1-999, when several files go on one processing day. */
  readonly fileNumber?: number
  /** YYYY-MM-DD. */
  readonly creationDate: string
  /** YYYY-MM-DD: the Bacs processing day (payees are paid two working days later). */
  readonly processingDate: string
  /** Bank holidays and other non-processing days, YYYY-MM-DD. Weekends are always refused. */
  readonly nonProcessingDates?: readonly string[]
  /** Narrative on the contra record (the originator's own statement line). */
  readonly contraNarrative?: string
  readonly credits: readonly BacsCredit[]
  readonly lineEnding?: '\n' | '\r\n'
}

export type BacsFile = {
  readonly text: string
  readonly records: readonly string[]
  readonly creditCount: number
  readonly creditTotalPence: Pence
  /** Names longer than 18 characters are cut to 18, as Bacs itself would; each is listed here. */
  readonly warnings: readonly string[]
}

/** Thrown when the file cannot be made; `problems` lists every reason. */
export class BacsFileError extends Error {
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`The Bacs file cannot be made:\n- ${problems.join('\n- ')}`)
    this.problems = problems
  }
}

export const TRANSACTION_CODE_CREDIT = '99'
export const TRANSACTION_CODE_CONTRA_DEBIT = '17'
/** Per-item limit GSS applies: £99,999,999.99. */
export const BACS_AMOUNT_PENCE_MAX = 9_999_999_999
/** The contra amount field is 11 digits. */
const CONTRA_AMOUNT_PENCE_MAX = 99_999_999_999
/** UTL1 counts are 7 digits; banks' own per-file limits are lower. */
export const BACS_CREDITS_PER_FILE_MAX = 100_000
const FIELD_18 = 18
const PROCESSING_DAYS_AHEAD_MAX = 31

const BACS_CHARACTERS = /^[A-Z0-9.&/\- ]*$/
const LETTER_REPLACEMENTS: Readonly<Record<string, string>> = {
  ß: 'SS',
  ẞ: 'SS',
  Æ: 'AE',
  æ: 'AE',
  Œ: 'OE',
  œ: 'OE',
  Ø: 'O',
  ø: 'O',
  Ł: 'L',
  ł: 'L',
  Đ: 'D',
  đ: 'D',
  Ð: 'D',
  ð: 'D',
  Þ: 'TH',
  þ: 'TH',
  ı: 'I',
  Ħ: 'H',
  ħ: 'H',
}

/**
 * To the Bacs character set (A-Z 0-9 . & / - space): upper case, accents dropped, apostrophes
 * removed (O'BRIEN → OBRIEN), other punctuation to spaces. Letters of other scripts are refused.
 */
export function toBacsText(input: string): { ok: true; text: string } | { ok: false; reason: string } {
  let text = ''
  for (const character of input.normalize('NFC')) {
    text += LETTER_REPLACEMENTS[character] ?? character.normalize('NFD').replace(/\p{M}/gu, '')
  }
  text = text
    .toUpperCase()
    .replace(/['’‘`´]/g, '')
    .replace(/[\p{P}\p{S}\s]/gu, (character) => (/[.&/-]/.test(character) ? character : ' '))
    .replace(/ {2,}/g, ' ')
    .trim()
  if (BACS_CHARACTERS.test(text)) return { ok: true, text }
  const offending = [...new Set(text.replace(/[A-Z0-9.&/\- ]/g, ''))].join(' ')
  return { ok: false, reason: `has characters Bacs cannot carry: ${offending}` }
}

/** Bacs dates: a space, the last two digits of the year and the day of the year (" 26327"). */
export function bacsDate(isoDate: string): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number]
  const dayOfYear = (Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000 + 1
  return ` ${String(year % 100).padStart(2, '0')}${String(dayOfYear).padStart(3, '0')}`
}

export function buildBacsStandard18(input: BacsFileInput): BacsFile {
  const problems: string[] = []
  const warnings: string[] = []
  const problem = (message: string) => {
    if (problems.length < 200) problems.push(message)
  }

  if (!/^\d{6}$/.test(input.serviceUserNumber)) problem('The service user number must be 6 digits')
  if (!/^[A-Z0-9]{6}$/.test(input.submissionSerialNumber) || /^0+$/.test(input.submissionSerialNumber)) {
    problem('The submission serial number must be 6 capital letters or digits, not all zeros')
  }
  const fileNumber = input.fileNumber ?? 1
  if (!Number.isInteger(fileNumber) || fileNumber < 1 || fileNumber > 999)
    problem('The file number must be 1 to 999')
  checkDates(input, problem)
  const serviceUserName = bacsName(input.serviceUserName, 'Service user name', problem, warnings)
  const originatingAccountName = bacsName(
    input.originatingAccountName,
    'Originating account name',
    problem,
    warnings,
  )
  const contraNarrative = bacsName(
    input.contraNarrative ?? serviceUserName,
    'Contra narrative',
    problem,
    warnings,
  )
  const originator = checkUkBankAccount(input.originatingSortCode, input.originatingAccountNumber)
  if (!originator.ok) problem(`Originating account: ${originator.reason}`)
  else if (originator.standardisation !== 'none') {
    problem('Originating account: give the 8-digit account number the bank issued for Bacs')
  }
  if (input.credits.length === 0) problem('There are no credits')
  if (input.credits.length > BACS_CREDITS_PER_FILE_MAX) {
    problem(`There are ${input.credits.length} credits; one file takes at most ${BACS_CREDITS_PER_FILE_MAX}`)
  }

  const records: string[] = []
  let totalPence = 0
  for (const [index, credit] of input.credits.entries()) {
    const label = `Credit ${index + 1}`
    const destination = checkUkBankAccount(credit.destinationSortCode, credit.destinationAccountNumber)
    if (!destination.ok) {
      problem(
        destination.outcome === 'fail'
          ? `${label}: sort code ${destination.sortCode} and account number ${destination.accountNumber} fail UK modulus checking (${destination.reason})`
          : `${label}: ${destination.reason}`,
      )
    }
    const name = bacsName(credit.destinationAccountName, `${label}: account name`, problem, warnings)
    const reference = bacsReference(credit.reference, label, problem)
    if (!Number.isSafeInteger(credit.amountPence) || credit.amountPence <= 0) {
      problem(`${label}: the amount must be a whole number of pence above zero, not ${credit.amountPence}`)
    } else if (credit.amountPence > BACS_AMOUNT_PENCE_MAX) {
      problem(`${label}: £${credit.amountPence / 100} is over the £99,999,999.99 a Bacs item may carry`)
    } else totalPence += credit.amountPence
    if (destination.ok && originator.ok) {
      records.push(
        dataRecord({
          destinationSortCode: destination.sortCode,
          destinationAccountNumber: destination.accountNumber,
          transactionCode: TRANSACTION_CODE_CREDIT,
          originatingSortCode: originator.sortCode,
          originatingAccountNumber: originator.accountNumber,
          amountPence: credit.amountPence,
          field47: serviceUserName,
          field65: reference,
          field83: name,
        }),
      )
    }
  }
  if (totalPence > CONTRA_AMOUNT_PENCE_MAX) {
    problem(`The total, £${totalPence / 100}, is more than one contra can carry; split the file`)
  }
  if (problems.length > 0) throw new BacsFileError(problems)
  if (!originator.ok) throw new Error('unreachable: originator checked above')

  const volume = input.submissionSerialNumber
  const sun = input.serviceUserNumber
  const created = bacsDate(input.creationDate)
  const hdr1Body =
    `A${sun}S  1${sun}` + // file identifier (17)
    volume + // set identification: the VOL1 serial
    '0001' + // file section number
    '0001' + // file sequence number
    ' '.repeat(4) + // generation number
    ' '.repeat(2) + // generation version number
    created + // creation date
    created + // expiration date
    ' ' + // accessibility
    '000000' + // block count
    ' '.repeat(13) + // system code
    ' '.repeat(7)
  const hdr2Body = `F0200000100${' '.repeat(35)}00${' '.repeat(28)}`
  const labels = {
    vol1: `VOL1${volume} ${' '.repeat(26)}    ${sun}    ${' '.repeat(28)}1`,
    hdr1: `HDR1${hdr1Body}`,
    hdr2: `HDR2${hdr2Body}`,
    uhl1:
      'UHL1' +
      bacsDate(input.processingDate) +
      '999999    ' + // receiving party identification
      '00' + // currency code: sterling
      '000000' + // country code
      '1 DAILY  ' + // work code: one processing day
      String(fileNumber).padStart(3, '0') +
      ' '.repeat(7) +
      ' '.repeat(7) + // audit print identifier
      ' '.repeat(26),
    eof1: `EOF1${hdr1Body}`,
    eof2: `EOF2${hdr2Body}`,
    utl1:
      'UTL1' +
      String(totalPence).padStart(13, '0') + // debit value total: the contra
      String(totalPence).padStart(13, '0') + // credit value total
      String(1).padStart(7, '0') + // debit item count: the contra
      String(records.length).padStart(7, '0') + // credit item count
      ' '.repeat(36),
  }
  const contra = dataRecord({
    destinationSortCode: originator.sortCode,
    destinationAccountNumber: originator.accountNumber,
    transactionCode: TRANSACTION_CODE_CONTRA_DEBIT,
    originatingSortCode: originator.sortCode,
    originatingAccountNumber: originator.accountNumber,
    amountPence: totalPence,
    field47: contraNarrative,
    field65: 'CONTRA',
    field83: originatingAccountName,
  })
  const all = [
    labels.vol1,
    labels.hdr1,
    labels.hdr2,
    labels.uhl1,
    ...records,
    contra,
    labels.eof1,
    labels.eof2,
    labels.utl1,
  ]
  for (const record of all) {
    const expected = record.startsWith('VOL1') || /^(HDR|UHL|EOF|UTL)/.test(record) ? 80 : 100
    if (record.length !== expected) throw new Error(`Bacs record of ${record.length} characters: ${record}`)
  }
  const lineEnding = input.lineEnding ?? '\n'
  return {
    text: all.join(lineEnding) + lineEnding,
    records: all,
    creditCount: records.length,
    creditTotalPence: totalPence,
    warnings,
  }
}

function dataRecord(fields: {
  destinationSortCode: string
  destinationAccountNumber: string
  transactionCode: string
  originatingSortCode: string
  originatingAccountNumber: string
  amountPence: number
  field47: string
  field65: string
  field83: string
}): string {
  return (
    fields.destinationSortCode + // 1-6
    fields.destinationAccountNumber + // 7-14
    '0' + // 15: destination account type
    fields.transactionCode + // 16-17
    fields.originatingSortCode + // 18-23
    fields.originatingAccountNumber + // 24-31
    '    ' + // 32-35: free format (used for the RTI hash by payroll files)
    String(fields.amountPence).padStart(11, '0') + // 36-46
    fields.field47.padEnd(FIELD_18) + // 47-64: service user name / contra narrative
    fields.field65.padEnd(FIELD_18) + // 65-82: service user's reference / CONTRA
    fields.field83.padEnd(FIELD_18) // 83-100: destination account name
  )
}

function bacsName(
  value: string,
  label: string,
  problem: (message: string) => void,
  warnings: string[],
): string {
  const cleaned = toBacsText(value)
  if (!cleaned.ok) {
    problem(`${label} "${value}" ${cleaned.reason}`)
    return ''
  }
  if (cleaned.text.length === 0) problem(`${label} is empty`)
  if (cleaned.text.length > FIELD_18) {
    warnings.push(`${label} "${cleaned.text}" was shortened to "${cleaned.text.slice(0, FIELD_18).trim()}"`)
    return cleaned.text.slice(0, FIELD_18).trim()
  }
  return cleaned.text
}

/** Bacs reference rules: 6-18 characters, at least 6 letters or digits, not all one character, not DDIC…. */
function bacsReference(value: string, label: string, problem: (message: string) => void): string {
  const cleaned = toBacsText(value)
  if (!cleaned.ok) {
    problem(`${label}: reference "${value}" ${cleaned.reason}`)
    return ''
  }
  const reference = cleaned.text
  const alphanumericCount = reference.replace(/[^A-Z0-9]/g, '').length
  if (reference.length < 6 || reference.length > FIELD_18) {
    problem(`${label}: reference "${reference}" must be 6 to 18 characters`)
  } else if (alphanumericCount < 6) {
    problem(`${label}: reference "${reference}" needs at least 6 letters or digits`)
  } else if (new Set(reference.replace(/ /g, '')).size === 1) {
    problem(`${label}: reference "${reference}" must not be one character repeated`)
  } else if (reference.startsWith('DDIC')) {
    problem(`${label}: reference "${reference}" must not start with DDIC (reserved by Bacs)`)
  }
  return reference
}

function checkDates(input: BacsFileInput, problem: (message: string) => void): void {
  if (!isCalendarDate(input.creationDate)) {
    problem(`Creation date "${input.creationDate}" is not a date (YYYY-MM-DD)`)
    return
  }
  if (!isCalendarDate(input.processingDate)) {
    problem(`Processing date "${input.processingDate}" is not a date (YYYY-MM-DD)`)
    return
  }
  const processing = new Date(`${input.processingDate}T00:00:00Z`)
  const weekday = processing.getUTCDay()
  if (weekday === 0 || weekday === 6) problem(`Processing date ${input.processingDate} is a weekend`)
  if (input.nonProcessingDates?.includes(input.processingDate)) {
    problem(`Processing date ${input.processingDate} is a bank holiday`)
  }
  const daysAhead = daysBetween(input.creationDate, input.processingDate)
  if (daysAhead < 0) problem(`Processing date ${input.processingDate} is before the creation date`)
  if (daysAhead > PROCESSING_DAYS_AHEAD_MAX) {
    problem(`Processing date ${input.processingDate} is more than ${PROCESSING_DAYS_AHEAD_MAX} days ahead`)
  }
}
