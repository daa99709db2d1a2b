import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Camt053Error, checkStatementBalances, parseCamt053 } from './camt053.ts'
import { XmlInputError } from './safe-xml.ts'
import {
  camt053v08,
  ISO20022_DIR,
  validateWithXsd,
  xmllintAvailable,
  xmllintRequired,
  xsdPath,
} from './testing.ts'

const sample = (file: string) =>
  readFileSync(path.join(ISO20022_DIR, 'samples-no-matching-xsd', file), 'utf8')
const FINNISH = 'FI_camt_053_sample.xml.xml'
const LITHUANIAN = 'statement_1.xml'
const SWISS = 'camt.053_P_CH2909000000250094239_1110092698_0_2020112503071366.xml'

describe('camt.053.001.02: the Finnish banks’ guideline sample', () => {
  const document = parseCamt053(sample(FINNISH))
  const statement = document.statements[0]!

  it('reads the header, account and balances', () => {
    expect(document).toMatchObject({ version: 'camt.053.001.02', messageId: 'BANKFILEID00001' })
    expect(document.statements).toHaveLength(1)
    expect(statement).toMatchObject({
      statementId: 'BANKSTMTID0972009',
      electronicSequenceNumber: '120',
      account: { iban: 'FI7433010001222090', currency: 'EUR', ownerName: 'BANK ACCOUNT OWNER' },
    })
    expect(statement.balances.map((balance) => [balance.type, balance.signedAmountMinor])).toEqual([
      ['OPBD', 1_000_000],
      ['PRCD', 1_000_000],
      ['CLBD', 2_364_483],
      ['CLAV', 3_364_483],
    ])
    expect(statement.openingBalance?.type).toBe('OPBD')
    expect(statement.closingBalance?.type).toBe('CLBD')
  })

  it('reads all ten entries, and they add up from opening to closing', () => {
    expect(statement.entries).toHaveLength(10)
    const credits = statement.entries.filter((entry) => entry.creditDebit === 'credit')
    const debits = statement.entries.filter((entry) => entry.creditDebit === 'debit')
    // The sample's own summary: 6 credits for 23,075.00 and 4 debits for 9,430.17.
    expect([credits.length, credits.reduce((sum, entry) => sum + entry.amountMinor, 0)]).toEqual([
      6, 2_307_500,
    ])
    expect([debits.length, debits.reduce((sum, entry) => sum + entry.amountMinor, 0)]).toEqual([4, 943_017])
    expect(checkStatementBalances(statement)).toMatchObject({
      status: 'agrees',
      openingMinor: 1_000_000,
      bookedEntriesMinor: 1_364_483,
      closingMinor: 2_364_483,
      differenceMinor: 0,
    })
  })

  it('reads a batch entry with its transactions, counterparties and remittance', () => {
    const batch = statement.entries[2]!
    expect(batch).toMatchObject({
      amountMinor: 423_005,
      creditDebit: 'debit',
      status: 'BOOK',
      bookingDate: '2009-10-29',
      valueDate: '2009-10-29',
      bankReference: '091029ACCTSTMTARCH03',
      batch: {
        messageId: 'MSGSCT0100',
        paymentInformationId: 'CustRefForPmtBatch9',
        numberOfTransactions: 3,
      },
    })
    expect(
      batch.details.map((detail) => [
        detail.instructionId,
        detail.amountMinor,
        detail.counterparty,
        detail.remittance,
      ]),
    ).toEqual([
      ['TITOT1106ID01', 200_002, { name: 'Creditor Company', account: '29501800020582' }, ['3900']],
      [
        'TITOT1106ID02',
        100_001,
        { name: 'Creditor Company', account: '29501800020582' },
        ['Invoices 123 and 321'],
      ],
      ['TITOT1106ID03', 123_002, { name: 'Creditor Company', account: '29501800020574' }, ['217827182718']],
    ])
  })

  it('reads end-to-end ids, the debtor of credits, and the transaction amount (not the instructed one)', () => {
    expect(statement.entries[8]!.details[0]).toMatchObject({
      endToEndId: 'EndToEndIdSCT01',
      counterparty: { name: 'DEBTOR', account: null },
      remittance: ['RF98123456789012'],
    })
    // Paid as USD 3,200.00, booked as EUR 2,120.00.
    expect(statement.entries[6]!.details[0]).toMatchObject({ amountMinor: 212_000, currency: 'EUR' })
  })
})

describe('camt.053.001.02: a Lithuanian bank statement', () => {
  const statement = parseCamt053(sample(LITHUANIAN)).statements[0]!

  it('reads four debits, decoding entities and keeping national characters', () => {
    expect(statement.account).toMatchObject({ iban: 'LT007180000000000000', ownerName: 'UAB "TESTAVIMAS"' })
    expect(statement.entries.map((entry) => entry.signedAmountMinor)).toEqual([-164, -273_458, -3_016, -170])
    expect(statement.entries[2]!.details[0]).toMatchObject({
      instructionId: '224881',
      endToEndId: 'NOTPROVIDED',
      transactionId: '516079331',
      counterparty: { name: 'Antstolis Vardenis Pavardenis', account: 'LT007044000000000000' },
      remittance: ['Dalinis nurašymas pagal inkasinį pavedimą'],
    })
  })

  it('balances from the available opening to the available closing balance', () => {
    expect(checkStatementBalances(statement)).toMatchObject({
      status: 'agrees',
      openingType: 'OPAV',
      closingType: 'CLAV',
      openingMinor: 276_808,
      closingMinor: 0,
    })
  })
})

describe('camt.053.001.04: a Swiss PostFinance statement', () => {
  const statement = parseCamt053(sample(SWISS)).statements[0]!

  it('reads five entries in CHF', () => {
    expect(statement.account.iban).toBe('CH2909000000250094239')
    expect(statement.entries.map((entry) => [entry.signedAmountMinor, entry.valueDate])).toEqual([
      [450, '2020-11-24'],
      [-7_770, '2020-11-24'],
      [150_000, '2020-11-24'],
      [153_700, '2020-11-25'],
      [169_222, '2020-11-24'],
    ])
    expect(statement.entries[0]).toMatchObject({ entryReference: '41100000000872849', reversal: false })
    expect(statement.entries[3]!.additionalInformation).toContain('SAMMELGUTSCHRIFT ESR')
  })

  it('reports that its booked closing balance leaves out the entry valued the next day', () => {
    // 211,993.19 + entries = 216,649.21, the forward available balance (FWAV); the booked closing
    // balance, 215,112.21, omits the 1,537.00 credit whose value date is 25 November.
    const check = checkStatementBalances(statement)
    expect(check).toMatchObject({ status: 'differs', differenceMinor: -153_700 })
    const forward = statement.balances.find((balance) => balance.type === 'FWAV')!
    const opening = statement.openingBalance!.signedAmountMinor
    const entries = statement.entries.reduce((sum, entry) => sum + entry.signedAmountMinor, 0)
    expect(opening + entries).toBe(forward.signedAmountMinor)
  })
})

describe('camt.053.001.08', () => {
  const xml = camt053v08({
    messageId: 'STMT-20261125',
    statementId: 'GB29NWBK60161331926819-20261125',
    iban: 'GB29NWBK60161331926819',
    currency: 'GBP',
    opening: { amount: '1000.00', creditDebit: 'CRDT', date: '2026-11-25' },
    closing: { amount: '885.44', creditDebit: 'CRDT', date: '2026-11-25' },
    entries: [
      {
        amount: '124.56',
        currency: 'GBP',
        creditDebit: 'DBIT',
        bookingDate: '2026-11-25',
        bankReference: 'BANKREF1',
        endToEndId: 'GSS-2611-00001',
        instructionId: 'I1',
        counterpartyName: "O'Brien & Daughters",
        counterpartyOther: '08999966374958',
        remittance: 'INV-1',
      },
      {
        amount: '10.00',
        currency: 'GBP',
        creditDebit: 'CRDT',
        bookingDate: '2026-11-25',
        remittance: 'Refund',
      },
      { amount: '10.00', currency: 'GBP', creditDebit: 'DBIT', bookingDate: '2026-11-25', status: 'PDNG' },
    ],
  })

  it.skipIf(!xmllintAvailable && !xmllintRequired)(
    'the test statement is valid against camt.053.001.08.xsd',
    () => {
      const [result] = validateWithXsd(xsdPath('camt.053.001.08.xsd'), [{ name: 'statement', xml }])
      expect(result).toMatchObject({ valid: true, errors: [] })
    },
  )

  it('reads the 001.08 shapes (status code, party under Pty, amount on the transaction)', () => {
    const document = parseCamt053(xml)
    expect(document.version).toBe('camt.053.001.08')
    const statement = document.statements[0]!
    expect(statement.entries.map((entry) => [entry.status, entry.signedAmountMinor])).toEqual([
      ['BOOK', -12_456],
      ['BOOK', 1_000],
      ['PDNG', -1_000],
    ])
    expect(statement.entries[0]!.details[0]).toEqual({
      messageId: null,
      paymentInformationId: null,
      instructionId: 'I1',
      endToEndId: 'GSS-2611-00001',
      transactionId: null,
      accountServicerReference: null,
      amountMinor: 12_456,
      currency: 'GBP',
      counterparty: { name: "O'Brien & Daughters", account: '08999966374958' },
      remittance: ['INV-1'],
    })
    // Pending entries do not move the booked balance.
    expect(checkStatementBalances(statement)).toMatchObject({ status: 'agrees', bookedEntriesMinor: -11_456 })
  })
})

describe('safe parsing', () => {
  it('refuses DTDs and entity declarations (entity expansion, external entities)', () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&lol2;</BkToCstmrStmt></Document>`
    expect(() => parseCamt053(laughs)).toThrow(XmlInputError)
    expect(() => parseCamt053(laughs)).toThrow(/DOCTYPE or ENTITY/)
    const external = sample(FINNISH).replace(
      '<Document',
      '<!DOCTYPE d SYSTEM "file:///etc/passwd">\n<Document',
    )
    expect(() => parseCamt053(external)).toThrow(/DOCTYPE/)
  })

  it('says where a truncated or malformed statement breaks', () => {
    const full = sample(FINNISH)
    expect(() => parseCamt053(full.slice(0, full.length / 2))).toThrow(
      /not well-formed XML \(line \d+, column \d+\).*cut short/,
    )
    expect(() => parseCamt053('<Document><Stmt></Document>')).toThrow(XmlInputError)
    expect(() => parseCamt053('')).toThrow(/empty/)
  })

  it('caps the input size', () => {
    expect(() => parseCamt053(sample(FINNISH), { bytesMax: 10_000 })).toThrow(/the limit is 10000/)
  })

  it('refuses documents that are not camt.053 statements', () => {
    expect(() => parseCamt053(sample('FI_camt_054_sample.xml.xml'))).toThrow(Camt053Error)
    expect(() => parseCamt053(sample('FI_camt_054_sample.xml.xml'))).toThrow(/camt\.054/)
    const pain = readFileSync(path.join(ISO20022_DIR, 'samples', 'gistfile1.xml'), 'utf8')
    expect(() => parseCamt053(pain)).toThrow(/not a camt\.053/)
  })

  it('refuses amounts that are not plain decimals in the currency', () => {
    const badAmount = sample(LITHUANIAN).replace('<Amt Ccy="EUR">1.64</Amt>', '<Amt Ccy="EUR">1,64</Amt>')
    expect(() => parseCamt053(badAmount)).toThrow(/Ntry\/Amt: "1,64" is not a plain decimal amount/)
    const tooPrecise = sample(LITHUANIAN).replace('<Amt Ccy="EUR">1.64</Amt>', '<Amt Ccy="EUR">1.645</Amt>')
    expect(() => parseCamt053(tooPrecise)).toThrow(/more decimal places than EUR has/)
  })
})
