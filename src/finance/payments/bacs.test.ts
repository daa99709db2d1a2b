import { describe, expect, it } from 'vitest'
import type { BacsCredit, BacsFileInput } from './bacs.ts'
import { BacsFileError, bacsDate, buildBacsStandard18, toBacsText } from './bacs.ts'

const CREDITS: readonly BacsCredit[] = [
  {
    destinationSortCode: '08-99-99',
    destinationAccountNumber: '66374958',
    destinationAccountName: 'Acme Supplies Ltd',
    amountPence: 123_456,
    reference: 'INV 2026 0001',
  },
  {
    destinationSortCode: '107999',
    destinationAccountNumber: '88837491',
    destinationAccountName: 'Ólafsson & Söhne GmbH und Co KG',
    amountPence: 1,
    reference: 'gss-ref-000002',
  },
  {
    destinationSortCode: '202959',
    destinationAccountNumber: '63748472',
    destinationAccountName: "O'Brien, Plumbing",
    amountPence: 9_999_999_999,
    reference: 'PO/4500012345',
  },
]

function input(overrides: Partial<BacsFileInput> = {}): BacsFileInput {
  return {
    serviceUserNumber: '123456',
    serviceUserName: 'Dept for Example',
    originatingSortCode: '60-16-13',
    originatingAccountNumber: '31926819',
    originatingAccountName: 'Dept for Example',
    submissionSerialNumber: 'GSS001',
    creationDate: '2026-11-23',
    processingDate: '2026-11-24',
    contraNarrative: 'GSS PAYMENT RUN 42',
    credits: CREDITS,
    ...overrides,
  }
}

/** Characters at the 1-based, inclusive positions the layout documents. */
const at = (record: string, from: number, to: number) => record.slice(from - 1, to)

describe('Bacs Standard 18 file', () => {
  const file = buildBacsStandard18(input())
  const [vol1, hdr1, hdr2, uhl1, credit1, credit2, credit3, contra, eof1, eof2, utl1] =
    file.records as string[]

  it('has the records in order, labels of 80 characters and data records of 100', () => {
    expect(file.records.map((record) => record.slice(0, 4))).toEqual([
      'VOL1',
      'HDR1',
      'HDR2',
      'UHL1',
      '0899',
      '1079',
      '2029',
      '6016',
      'EOF1',
      'EOF2',
      'UTL1',
    ])
    expect(file.records.map((record) => record.length)).toEqual([
      80, 80, 80, 80, 100, 100, 100, 100, 80, 80, 80,
    ])
    expect(file.text).toBe(`${file.records.join('\n')}\n`)
  })

  it('writes the volume and file header labels', () => {
    expect(vol1).toBe(`VOL1GSS001 ${' '.repeat(30)}123456${' '.repeat(32)}1`)
    expect(at(vol1!, 5, 10)).toBe('GSS001')
    expect(at(vol1!, 42, 47)).toBe('123456')
    expect(at(vol1!, 80, 80)).toBe('1')
    expect(hdr1).toBe(
      `HDR1A123456S  1123456GSS00100010001${' '.repeat(6)} 26327 26327 000000${' '.repeat(20)}`,
    )
    expect(at(hdr1!, 5, 21)).toBe('A123456S  1123456')
    expect(at(hdr1!, 22, 27)).toBe('GSS001')
    expect(at(hdr1!, 42, 47)).toBe(' 26327')
    expect(hdr2).toBe(`HDR2F0200000100${' '.repeat(35)}00${' '.repeat(28)}`)
    expect(eof1).toBe(`EOF1${hdr1!.slice(4)}`)
    expect(eof2).toBe(`EOF2${hdr2!.slice(4)}`)
  })

  it('writes the processing day in the user header label', () => {
    expect(uhl1).toBe(`UHL1 26328999999    000000001 DAILY  001${' '.repeat(40)}`)
    expect(at(uhl1!, 5, 10)).toBe(' 26328')
    expect(at(uhl1!, 29, 37)).toBe('1 DAILY  ')
    expect(at(uhl1!, 38, 40)).toBe('001')
  })

  it('writes each credit field at its position', () => {
    expect(credit1).toBe(
      '089999' +
        '66374958' +
        '0' +
        '99' +
        '601613' +
        '31926819' +
        '    ' +
        '00000123456' +
        'DEPT FOR EXAMPLE  ' +
        'INV 2026 0001     ' +
        'ACME SUPPLIES LTD ',
    )
    expect(at(credit2!, 16, 17)).toBe('99')
    expect(at(credit2!, 36, 46)).toBe('00000000001')
    expect(at(credit2!, 65, 82)).toBe('GSS-REF-000002    ')
    expect(at(credit2!, 83, 100)).toBe('OLAFSSON & SOHNE G')
    expect(at(credit3!, 36, 46)).toBe('09999999999')
    expect(at(credit3!, 65, 82)).toBe('PO/4500012345     ')
    expect(at(credit3!, 83, 100)).toBe('OBRIEN PLUMBING   ')
  })

  it('balances the credits with one contra debit to the originating account', () => {
    expect(contra).toBe(
      '601613' +
        '31926819' +
        '0' +
        '17' +
        '601613' +
        '31926819' +
        '    ' +
        '10000123456' +
        'GSS PAYMENT RUN 42' +
        'CONTRA            ' +
        'DEPT FOR EXAMPLE  ',
    )
    expect(file.creditTotalPence).toBe(123_456 + 1 + 9_999_999_999)
    expect(file.creditCount).toBe(3)
  })

  it('totals the file in the user trailer label', () => {
    expect(utl1).toBe(`UTL1${'0010000123456'}${'0010000123456'}00000010000003${' '.repeat(36)}`)
    expect(at(utl1!, 5, 17)).toBe('0010000123456')
    expect(at(utl1!, 31, 37)).toBe('0000001')
    expect(at(utl1!, 38, 44)).toBe('0000003')
  })

  it('says which names it shortened', () => {
    expect(file.warnings).toEqual([
      'Credit 2: account name "OLAFSSON & SOHNE GMBH UND CO KG" was shortened to "OLAFSSON & SOHNE G"',
    ])
  })

  it('can end lines with CR LF', () => {
    expect(buildBacsStandard18(input({ lineEnding: '\r\n' })).text.split('\r\n')).toHaveLength(12)
  })
})

describe('Bacs validation', () => {
  const problemsFor = (overrides: Partial<BacsFileInput>): readonly string[] => {
    try {
      buildBacsStandard18(input(overrides))
    } catch (error) {
      if (error instanceof BacsFileError) return error.problems
      throw error
    }
    return []
  }
  const credit = (overrides: Partial<BacsCredit>): BacsCredit => ({ ...CREDITS[0]!, ...overrides })

  it('applies the reference rules', () => {
    expect(problemsFor({ credits: [credit({ reference: 'ABC12' })] })).toEqual([
      'Credit 1: reference "ABC12" must be 6 to 18 characters',
    ])
    expect(problemsFor({ credits: [credit({ reference: 'A'.repeat(19) })] })[0]).toMatch(/6 to 18/)
    expect(problemsFor({ credits: [credit({ reference: 'AB - / - CD' })] })[0]).toMatch(
      /at least 6 letters or digits/,
    )
    expect(problemsFor({ credits: [credit({ reference: 'AAAAAAA' })] })[0]).toMatch(/one character repeated/)
    expect(problemsFor({ credits: [credit({ reference: 'DDIC123456' })] })[0]).toMatch(/DDIC/)
    expect(problemsFor({ credits: [credit({ reference: 'Счёт 123456' })] })[0]).toMatch(
      /characters Bacs cannot carry/,
    )
  })

  it('limits amounts to more than nothing and at most £99,999,999.99', () => {
    expect(problemsFor({ credits: [credit({ amountPence: 0 })] })[0]).toMatch(/above zero/)
    expect(problemsFor({ credits: [credit({ amountPence: 10_000_000_000 })] })[0]).toMatch(/99,999,999.99/)
    expect(problemsFor({ credits: [credit({ amountPence: 1.5 })] })[0]).toMatch(/whole number/)
  })

  it('modulus checks every account', () => {
    expect(problemsFor({ credits: [credit({ destinationAccountNumber: '66374959' })] })[0]).toMatch(
      /fail UK modulus checking/,
    )
    expect(problemsFor({ originatingAccountNumber: '31926818' })[0]).toMatch(/Originating account/)
  })

  it('refuses processing days Bacs does not run on', () => {
    expect(problemsFor({ processingDate: '2026-11-28' })).toEqual(['Processing date 2026-11-28 is a weekend'])
    expect(
      problemsFor({
        creationDate: '2026-12-21',
        processingDate: '2026-12-25',
        nonProcessingDates: ['2026-12-25'],
      }),
    ).toEqual(['Processing date 2026-12-25 is a bank holiday'])
    expect(problemsFor({ processingDate: '2026-11-20' })).toEqual([
      'Processing date 2026-11-20 is before the creation date',
    ])
    expect(problemsFor({ processingDate: '2027-01-04' })[0]).toMatch(/more than 31 days/)
    expect(problemsFor({ processingDate: '2026-11-31' })[0]).toMatch(/not a date/)
  })

  it('checks the originator details', () => {
    const problems = problemsFor({
      serviceUserNumber: '12345',
      submissionSerialNumber: '000000',
      fileNumber: 0,
      credits: [],
    })
    expect(problems).toEqual([
      'The service user number must be 6 digits',
      'The submission serial number must be 6 capital letters or digits, not all zeros',
      'The file number must be 1 to 999',
      'There are no credits',
    ])
  })
})

describe('Bacs text and dates', () => {
  it('converts to the Bacs character set', () => {
    expect(toBacsText("Müller & O'Neil (UK), Ltd.")).toEqual({ ok: true, text: 'MULLER & ONEIL UK LTD.' })
    expect(toBacsText('Straße 1/2-3')).toEqual({ ok: true, text: 'STRASSE 1/2-3' })
    expect(toBacsText('東京')).toMatchObject({ ok: false })
  })

  it('writes dates as a space, the year and the day of the year', () => {
    expect(bacsDate('2026-01-01')).toBe(' 26001')
    expect(bacsDate('2026-11-23')).toBe(' 26327')
    expect(bacsDate('2028-12-31')).toBe(' 28366')
  })
})
