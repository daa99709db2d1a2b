import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CreditTransfer, Pain001Version, PaymentRun } from './pain001.ts'
import { buildPain001, Pain001Error, readPain001 } from './pain001.ts'
import { ISO20022_DIR, validateWithXsd, xmllintAvailable, xmllintRequired, xsdPath } from './testing.ts'

// UK accounts that pass modulus checking (from the specification's test cases) and IBANs from
// the SWIFT registry's examples, to pay generated suppliers.
const UK_ACCOUNTS = [
  { sortCode: '08-99-99', accountNumber: '66374958' },
  { sortCode: '107999', accountNumber: '88837491' },
  { sortCode: '202959', accountNumber: '63748472' },
  { sortCode: '820000', accountNumber: '73688637' },
  { sortCode: '772798', accountNumber: '99345694' },
]
const DEBTOR = { sortCode: '601613', accountNumber: '31926819' }

function ukPayment(index: number, overrides: Partial<CreditTransfer> = {}): CreditTransfer {
  return {
    endToEndId: `GSS-2611-${String(index).padStart(5, '0')}`,
    instructionId: `I${index}`,
    creditorName: `Supplier ${index} Ltd`,
    creditorAccount: UK_ACCOUNTS[index % UK_ACCOUNTS.length]!,
    amountMinor: 10_000 + index,
    currency: 'GBP',
    remittanceReferences: [`INV-${index}`],
    ...overrides,
  }
}

function run(payments: readonly CreditTransfer[], overrides: Partial<PaymentRun> = {}): PaymentRun {
  return {
    messageId: 'GSS-RUN-20261123-01',
    createdAt: '2026-11-23T09:30:00',
    debtorName: 'Department for Example',
    debtorAccount: DEBTOR,
    requestedExecutionDate: '2026-11-25',
    batchBooking: false,
    payments,
    ...overrides,
  }
}

const RUNS: Record<string, PaymentRun> = {
  'one payment': run([ukPayment(1)]),
  '500 payments, batch booked': run(
    Array.from({ length: 500 }, (_, index) => ukPayment(index + 1)),
    { batchBooking: true },
  ),
  'several currencies (Overseas cluster)': run(
    [
      ukPayment(1),
      ukPayment(2, {
        creditorAccount: { iban: 'DE89370400440532013000' },
        currency: 'EUR',
        amountMinor: 123_45,
      }),
      ukPayment(3, {
        creditorAccount: { iban: 'FR1420041010050500013M02606' },
        creditorBic: 'BNPAFRPP',
        currency: 'EUR',
        chargeBearer: 'SLEV',
      }),
      ukPayment(4, {
        creditorAccount: { iban: 'SA0380000000608010167519' },
        currency: 'USD',
        amountMinor: 99,
      }),
      ukPayment(5, {
        creditorAccount: { iban: 'AE070331234567890123456' },
        currency: 'JPY',
        amountMinor: 1_000_000,
      }),
      ukPayment(6, {
        creditorAccount: { iban: 'CH9300762011623852957' },
        currency: 'KWD',
        amountMinor: 1_234,
      }),
    ],
    { debtorAccount: { iban: 'GB29NWBK60161331926819' }, debtorBic: 'NWBKGB2L' },
  ),
  'long, accented and awkward names': run([
    ukPayment(1, { creditorName: 'Ä'.repeat(140) }),
    ukPayment(2, { creditorName: 'Société Générale d’Électricité & Fils' }),
    ukPayment(3, { creditorName: "O'Brien & Daughters <Plumbing>".replace(/[<>]/g, '') }),
    ukPayment(4, {
      creditorName: 'Straße Ølstue Łódź',
      remittanceReferences: ['Rechnung Nr. 42; Lieferung „März“'],
    }),
  ]),
  'smallest and largest amounts': run([
    ukPayment(1, { amountMinor: 1 }),
    ukPayment(2, { amountMinor: 99_999_999_999 }),
  ]),
}

const VERSIONS: readonly [Pain001Version, string][] = [
  ['pain.001.001.03', 'pain.001.001.03.xsd'],
  ['pain.001.001.09', 'pain.001.001.09.xsd'],
]

describe('pain.001 generation', () => {
  it('writes the header counts and an exact control sum', () => {
    const file = buildPain001(RUNS['smallest and largest amounts']!, { version: 'pain.001.001.03' })
    expect(file.numberOfTransactions).toBe(2)
    expect(file.controlSum).toBe('1000000000.00')
    expect(file.xml).toContain('<NbOfTxs>2</NbOfTxs>')
    expect(file.xml).toContain('<CtrlSum>1000000000.00</CtrlSum>')
    expect(file.xml).toContain('<InstdAmt Ccy="GBP">0.01</InstdAmt>')
    expect(file.xml).toContain('<InstdAmt Ccy="GBP">999999999.99</InstdAmt>')
  })

  it('adds amounts of different currencies exactly, one payment-information block per currency', () => {
    const file = buildPain001(RUNS['several currencies (Overseas cluster)']!, { version: 'pain.001.001.09' })
    // 100.01 + 123.45 + 100.03 + 0.99 + 1000000 (JPY) + 1.234 (KWD)
    expect(file.controlSum).toBe('1000325.714')
    expect(file.paymentInformationIds).toEqual([
      'GSS-RUN-20261123-01-0001',
      'GSS-RUN-20261123-01-0002',
      'GSS-RUN-20261123-01-0003',
      'GSS-RUN-20261123-01-0004',
      'GSS-RUN-20261123-01-0005',
    ])
    expect(file.xml).toContain('<InstdAmt Ccy="JPY">1000000</InstdAmt>')
    expect(file.xml).toContain('<InstdAmt Ccy="KWD">1.234</InstdAmt>')
    expect(file.xml).toContain('<BICFI>NWBKGB2L</BICFI>')
  })

  it('identifies UK accounts by sort code, under the UK clearing system', () => {
    const file = buildPain001(RUNS['one payment']!, { version: 'pain.001.001.03' })
    expect(file.xml).toContain('<Id>10799988837491</Id>')
    expect(file.xml).toContain('<Cd>GBDSC</Cd>')
    expect(file.xml).toContain('<MmbId>107999</MmbId>')
    expect(file.xml).toContain('<ReqdExctnDt>2026-11-25</ReqdExctnDt>')
    const v09 = buildPain001(RUNS['one payment']!, { version: 'pain.001.001.09' })
    expect(v09.xml).toContain('<ReqdExctnDt>\n        <Dt>2026-11-25</Dt>')
  })

  it('transliterates names to the ISO 20022 character set and escapes XML', () => {
    const { xml } = buildPain001(RUNS['long, accented and awkward names']!, { version: 'pain.001.001.03' })
    expect(xml).toContain(`<Nm>${'A'.repeat(140)}</Nm>`)
    expect(xml).toContain('<Nm>Societe Generale d&apos;Electricite and Fils</Nm>')
    expect(xml).toContain('<Nm>O&apos;Brien and Daughters Plumbing</Nm>')
    expect(xml).toContain('<Nm>Strasse Olstue Lodz</Nm>')
    expect(xml).toContain('<Ustrd>Rechnung Nr. 42, Lieferung &apos;Marz&apos;</Ustrd>')
  })

  it('refuses what a bank would reject, listing every problem', () => {
    const bad = run([
      ukPayment(1, { creditorName: '北京供应商' }),
      ukPayment(2, { creditorName: 'B'.repeat(141) }),
      ukPayment(3, { endToEndId: 'GSS-2611-00001' }),
      ukPayment(4, { creditorAccount: { sortCode: '089999', accountNumber: '66374959' } }),
      ukPayment(5, { currency: 'EUR' }),
      ukPayment(6, { amountMinor: 0 }),
      ukPayment(7, { currency: 'XYZ' }),
      ukPayment(8, { remittanceReferences: Array.from({ length: 30 }, (_, index) => `INVOICE-${index}`) }),
      ukPayment(9, { endToEndId: 'has spaces' }),
      ukPayment(10, { creditorAccount: { iban: 'GB28NWBK60161331926819' } }),
    ])
    let error: Pain001Error | undefined
    try {
      buildPain001(bad, { version: 'pain.001.001.03' })
    } catch (caught) {
      error = caught as Pain001Error
    }
    expect(error).toBeInstanceOf(Pain001Error)
    const problems = error!.problems
    expect(problems).toHaveLength(10)
    expect(problems[0]).toMatch(/creditor name "北京供应商" has characters banks will not accept/)
    expect(problems[1]).toMatch(/141 characters; ISO 20022 allows 140/)
    expect(problems[2]).toMatch(/used twice/)
    expect(problems[3]).toMatch(
      /sort code 089999 and account number 66374959 fail UK modulus checking \(The MOD10 check failed\)/,
    )
    expect(problems[4]).toMatch(/only be paid in GBP/)
    expect(problems[5]).toMatch(/above zero/)
    expect(problems[6]).toMatch(/XYZ/)
    expect(problems[7]).toMatch(/the limit is 140/)
    expect(problems[8]).toMatch(/no spaces/)
    expect(problems[9]).toMatch(/check digits are wrong/)
  })

  it('refuses a bad header', () => {
    expect(() =>
      buildPain001(
        run([ukPayment(1)], { messageId: '', createdAt: '23/11/2026', requestedExecutionDate: '2026-02-30' }),
        {
          version: 'pain.001.001.03',
        },
      ),
    ).toThrow(/Message id.*\n.*Created at.*\n.*Requested execution date/)
    expect(() => buildPain001(run([]), { version: 'pain.001.001.03' })).toThrow(/no payments/)
  })

  it('reads its own files back to the same payments', () => {
    for (const [version] of VERSIONS) {
      const original = RUNS['several currencies (Overseas cluster)']!
      const summary = readPain001(buildPain001(original, { version }).xml)
      expect(summary.version).toBe(version)
      expect(summary.inconsistencies).toEqual([])
      expect(
        summary.payments.map((payment) => [payment.endToEndId, payment.amountMinor, payment.currency]),
      ).toEqual(
        original.payments.map((payment) => [payment.endToEndId, payment.amountMinor, payment.currency]),
      )
      expect(summary.payments[0]).toMatchObject({ creditorAccount: '10799988837491', remittance: ['INV-1'] })
    }
  })
})

describe('pain.001 samples from other systems', () => {
  const sample = (file: string) => readFileSync(path.join(ISO20022_DIR, 'samples', file), 'utf8')

  it('reads the generic pain.001.001.03 sample: three payments in three currencies', () => {
    const summary = readPain001(sample('gistfile1.xml'))
    expect(summary).toMatchObject({
      version: 'pain.001.001.03',
      messageId: 'ABC/090928/CCT001',
      numberOfTransactions: 3,
      controlSum: '11500000',
      inconsistencies: [],
    })
    expect(
      summary.payments.map((payment) => [payment.endToEndId, payment.amountMinor, payment.currency]),
    ).toEqual([
      ['ABC/4562/2009-09-08', 10_000_000, 'JPY'],
      ['ABC/ABC-13679/2009-09-15', 500_000_00, 'EUR'],
      ['ABC/987-AC/2009-09-27', 1_000_000_00, 'USD'],
    ])
    expect(summary.payments[1]).toMatchObject({
      creditorAccount: 'BE30001216371411',
      remittance: ['ABC-13679'],
    })
  })

  it('reads the Lithuanian bank samples and finds their headers consistent', () => {
    for (const file of [
      'International_payment_USD_naujas_1.xml',
      'International_payment_RUB_naujas_1.xml',
      'sepa_payment_naujas_1.xml',
    ]) {
      const summary = readPain001(sample(file))
      expect(summary.inconsistencies).toEqual([])
      expect(summary.payments.length).toBe(summary.numberOfTransactions)
    }
    expect(readPain001(sample('International_payment_USD_naujas_1.xml')).payments[0]).toMatchObject({
      amountMinor: 11_111,
      currency: 'USD',
      remittance: ['Payment details'],
    })
  })

  it('reports a header that disagrees with the payments', () => {
    const tampered = sample('gistfile1.xml').replace(
      '<CtrlSum>11500000</CtrlSum>',
      '<CtrlSum>11500001</CtrlSum>',
    )
    expect(readPain001(tampered).inconsistencies).toEqual([
      'The header control sum 11500001 is not the sum of the amounts, 11500000.00',
    ])
  })
})

describe.skipIf(!xmllintAvailable && !xmllintRequired)(
  'pain.001 against the ISO 20022 schemas (xmllint)',
  () => {
    it.each(VERSIONS)('every generated %s file is valid against %s', (version, xsd) => {
      const documents = Object.entries(RUNS).map(([name, paymentRun]) => ({
        name,
        xml: buildPain001(paymentRun, { version }).xml,
      }))
      const results = validateWithXsd(xsdPath(xsd), documents)
      expect(results.filter((result) => !result.valid)).toEqual([])
      expect(results).toHaveLength(5)
    })

    it('would notice an invalid file (the check is not vacuous)', () => {
      const { xml } = buildPain001(RUNS['one payment']!, { version: 'pain.001.001.03' })
      const broken = xml.replace('<PmtMtd>TRF</PmtMtd>', '<PmtMtd>XXX</PmtMtd>')
      const [result] = validateWithXsd(xsdPath('pain.001.001.03.xsd'), [{ name: 'broken', xml: broken }])
      expect(result!.valid).toBe(false)
      expect(result!.errors.join('\n')).toMatch(/PmtMtd/)
    })

    it('agrees that the shared pain.001.001.03 samples are valid', () => {
      const files = ['gistfile1.xml', 'International_payment_USD_naujas_1.xml', 'sepa_payment_naujas_1.xml']
      const results = validateWithXsd(
        xsdPath('pain.001.001.03.xsd'),
        files.map((file) => ({
          name: file,
          xml: readFileSync(path.join(ISO20022_DIR, 'samples', file), 'utf8'),
        })),
      )
      expect(results.every((result) => result.valid)).toBe(true)
    })
  },
)
