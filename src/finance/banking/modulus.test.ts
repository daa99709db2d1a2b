import { describe, expect, it } from 'vitest'
import { checkUkBankAccount, normaliseSortCode } from './modulus.ts'
import {
  bundledModulusWeightTable,
  loadModulusWeightTable,
  ModulusTableFormatError,
  parseSortCodeSubstitutions,
  parseValacdos,
  VALACDOS_VERSION,
} from './modulus-weights.ts'

// The specification's appendix of worked test cases ("Validating account numbers", Vocalink /
// Pay.UK): sort code, account number, expected result and what each exercises.
const SPECIFICATION_CASES: readonly [string, string, boolean, string][] = [
  ['089999', '66374958', true, 'pass modulus 10 check'],
  ['107999', '88837491', true, 'pass modulus 11 check'],
  ['202959', '63748472', true, 'pass modulus 11 and double alternate checks'],
  ['871427', '46238510', true, 'exception 10 & 11: first check passes, second fails'],
  ['872427', '46238510', true, 'exception 10 & 11: first check fails, second passes'],
  ['871427', '09123496', true, 'exception 10: ab = 09 and g = 9; first passes, second fails'],
  ['871427', '99123496', true, 'exception 10: ab = 99 and g = 9; first passes, second fails'],
  ['820000', '73688637', true, 'exception 3: start of range, c = 6 so the second check is ignored'],
  ['827999', '73988638', true, 'exception 3: end of range, c = 9 so the second check is ignored'],
  ['827101', '28748352', true, 'exception 3: c is not 6 or 9, both checks pass'],
  ['134020', '63849203', true, 'exception 4: the remainder equals the check digits'],
  ['118765', '64371389', true, 'exception 1: 27 added, passes double alternate'],
  ['200915', '41011166', true, 'exception 6: fails the standard check but is a foreign currency account'],
  ['938611', '07806039', true, 'exception 5: the check passes'],
  ['938600', '42368003', true, 'exception 5: passes with substitution'],
  ['938063', '55065200', true, 'exception 5: both checks give remainder 0 and pass'],
  ['772798', '99345694', true, 'exception 7: passes but would fail the standard check'],
  ['086090', '06774744', true, 'exception 8: the check passes'],
  ['309070', '02355688', true, 'exception 2 & 9: the first check passes'],
  ['309070', '12345668', true, 'exception 2 & 9: first fails, second passes with substitution'],
  ['309070', '12345677', true, 'exception 2 & 9: a ≠ 0 and g ≠ 9, passes'],
  ['309070', '99345694', true, 'exception 2 & 9: a ≠ 0 and g = 9, passes'],
  ['938063', '15764273', false, 'exception 5: first check digit right, second wrong'],
  ['938063', '15764264', false, 'exception 5: first check digit wrong, second right'],
  ['938063', '15763217', false, 'exception 5: first check digit wrong with remainder 1'],
  ['118765', '64371388', false, 'exception 1: fails double alternate'],
  ['203099', '66831036', false, 'passes modulus 11, fails double alternate'],
  ['203099', '58716970', false, 'fails modulus 11, passes double alternate'],
  ['089999', '66374959', false, 'fails modulus 10'],
  ['107999', '88837493', false, 'fails modulus 11'],
  ['074456', '12345112', true, 'exception 12/13: passes modulus 11 (modulus 10 not needed)'],
  ['070116', '34012583', true, 'exception 12/13: passes modulus 11 (modulus 10 also passes)'],
  ['074456', '11104102', true, 'exception 12/13: fails modulus 11, passes modulus 10'],
  ['180002', '00000190', true, 'exception 14: first check fails, second passes'],
]

describe('UK modulus checking: the specification test cases', () => {
  it.each(SPECIFICATION_CASES)('%s %s → %s (%s)', (sortCode, accountNumber, expected) => {
    const result = checkUkBankAccount(sortCode, accountNumber)
    expect(result.ok).toBe(expected)
    expect(result.outcome).not.toBe('malformed')
  })

  it('explains which check failed, with the arithmetic', () => {
    const result = checkUkBankAccount('089999', '66374959')
    expect(result).toMatchObject({ outcome: 'fail', reason: 'The MOD10 check failed' })
    if (result.outcome !== 'fail') throw new Error('unreachable')
    expect(result.checks).toHaveLength(1)
    expect(result.checks[0]).toMatchObject({ method: 'MOD10', passed: false, remainder: 1 })
  })

  it('reports exception 6 accounts as not checkable (valid by the specification)', () => {
    expect(checkUkBankAccount('200915', '41011166')).toMatchObject({ outcome: 'not-checkable', ok: true })
  })

  it('uses the exception 5 substitute sort code', () => {
    const result = checkUkBankAccount('938600', '42368003')
    if (result.outcome !== 'pass') throw new Error(result.reason)
    expect(result.checks.map((check) => check.sortCodeUsed)).toEqual(['938611', '938611'])
  })
})

describe('sort codes the table does not cover', () => {
  it('are "not checkable", which the specification treats as valid', () => {
    const result = checkUkBankAccount('999999', '12345678')
    expect(result).toMatchObject({ outcome: 'not-checkable', ok: true })
    expect(result.reason).toContain(`version ${VALACDOS_VERSION}`)
  })
})

describe('input normalisation and standardisation', () => {
  it('accepts spaces and hyphens', () => {
    expect(normaliseSortCode('08-99-99')).toBe('089999')
    expect(normaliseSortCode(' 08 99 99 ')).toBe('089999')
    expect(checkUkBankAccount('08-99-99', '6637 4958')).toMatchObject({ ok: true, accountNumber: '66374958' })
  })

  it('refuses what is not a sort code or an account number', () => {
    expect(checkUkBankAccount('08999', '66374958')).toMatchObject({ outcome: 'malformed', field: 'sortCode' })
    expect(checkUkBankAccount('0899AB', '66374958')).toMatchObject({
      outcome: 'malformed',
      field: 'sortCode',
    })
    expect(checkUkBankAccount('089999', '6637495X')).toMatchObject({
      outcome: 'malformed',
      field: 'accountNumber',
    })
    expect(checkUkBankAccount('089999', '12345')).toMatchObject({ outcome: 'malformed' })
    expect(checkUkBankAccount('089999', '12345678901')).toMatchObject({ outcome: 'malformed' })
  })

  it('pads 6- and 7-digit account numbers with leading zeros', () => {
    expect(checkUkBankAccount('999999', '1234567')).toMatchObject({
      accountNumber: '01234567',
      standardisation: 'seven-digit',
    })
    expect(checkUkBankAccount('999999', '123456')).toMatchObject({
      accountNumber: '00123456',
      standardisation: 'six-digit',
    })
  })

  it('moves the first digit of a 9-digit (Santander) account number into the sort code', () => {
    expect(checkUkBankAccount('090120', '312345678')).toMatchObject({
      sortCode: '090123',
      accountNumber: '12345678',
      standardisation: 'nine-digit-santander',
    })
  })

  it('needs to know the bank for 10-digit account numbers', () => {
    expect(checkUkBankAccount('600000', '1234567890')).toMatchObject({ outcome: 'unsupported' })
    expect(checkUkBankAccount('600000', '1234567890', { tenDigitAccountBank: 'natwest' })).toMatchObject({
      accountNumber: '34567890',
    })
    expect(checkUkBankAccount('089999', '6637495812', { tenDigitAccountBank: 'co-operative' })).toMatchObject(
      {
        accountNumber: '66374958',
        ok: true,
      },
    )
  })
})

describe('the weight table', () => {
  it('is the full published table, parsed', () => {
    const table = bundledModulusWeightTable()
    expect(table.version).toBe('9.00')
    expect(table.rows).toHaveLength(1166)
    expect(table.substitutions.size).toBe(21)
    expect(table.rows.every((row) => row.weights.length === 14)).toBe(true)
    // Two rows for one range are always adjacent: the checks are run in file order.
    expect(table.rows.filter((row) => row.exception === 2).length).toBe(
      table.rows.filter((row) => row.exception === 9).length,
    )
  })

  it("parses Vocalink's own space-separated layout as well as commas", () => {
    const rows = parseValacdos(
      '010004 016715 MOD11    0    0    0    0    0    0    8    7    6    5    4    3    2    1\n' +
        '938000 938696 MOD11    7    6    5    4    3    2    7    6    5    4    3    2    0    0  5\n',
    )
    expect(rows).toEqual([
      {
        sortCodeStart: 10004,
        sortCodeEnd: 16715,
        method: 'MOD11',
        weights: [0, 0, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1],
        exception: null,
      },
      {
        sortCodeStart: 938000,
        sortCodeEnd: 938696,
        method: 'MOD11',
        weights: [7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 0, 0],
        exception: 5,
      },
    ])
    expect(parseSortCodeSubstitutions('938173 938017\n938289 938068\n').get('938289')).toBe('938068')
  })

  it('refuses text that is not a weight table, saying where', () => {
    expect(() => parseValacdos('010004 016715 MOD12 0 0 0 0 0 0 8 7 6 5 4 3 2 1')).toThrow(
      ModulusTableFormatError,
    )
    expect(() => parseValacdos('hello')).toThrow(/line 1/)
    expect(() => parseValacdos('')).toThrow(/no rows/)
    expect(() => parseSortCodeSubstitutions('938173')).toThrow(/line 1/)
  })

  it('can be replaced by a newer table at run time', () => {
    const table = loadModulusWeightTable({
      version: 'test',
      effectiveDate: '2030-01-01',
      valacdosText: '089000 089999 MOD10 0 0 0 0 0 0 7 1 3 7 1 3 7 1',
      scsubtabText: '',
    })
    expect(checkUkBankAccount('089999', '66374958', { table }).ok).toBe(true)
    expect(checkUkBankAccount('107999', '88837493', { table }).outcome).toBe('not-checkable')
  })
})
