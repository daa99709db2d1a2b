// Runs the real command in a child process: `node src/payroll/calc-main.ts payroll calc`.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const main = path.join(repoRoot, 'src/payroll/calc-main.ts')

function run(input: string, args: string[] = ['payroll', 'calc']) {
  const result = spawnSync(process.execPath, [main, ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
    timeout: 20_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({
    id: 'a',
    taxYear: '2025-26',
    payFrequency: 'weekly',
    period: 1,
    taxCode: '1257L',
    week1Month1: false,
    taxablePay: '267.07',
    taxablePayToDate: '267.07',
    taxPaidToDate: '0.00',
    ...fields,
  })

describe('gss payroll calc (child process)', () => {
  test('good lines: one output line each, in order, exit status 0', () => {
    const input = [
      line({ id: 'w1' }),
      line({ id: 'w2', period: 2, taxablePay: '266.08', taxablePayToDate: '533.15', taxPaidToDate: '5.00' }),
      line({
        id: 'ni',
        niCategory: 'A',
        taxablePay: '1000.00',
        taxablePayToDate: '1000.00',
        studentLoanPlans: ['2'],
        postgraduateLoan: true,
      }),
    ].join('\n')
    const { status, stdout, stderr } = run(`${input}\n`)
    expect(stderr).toBe('')
    expect(status).toBe(0)
    expect(stdout.split('\n')).toEqual([
      '{"id":"w1","tax":"5.00","taxToDate":"5.00"}',
      '{"id":"w2","tax":"4.80","taxToDate":"9.80"}',
      '{"id":"ni","tax":"158.20","taxToDate":"158.20","employeeNi":"58.66","employerNi":"135.60","studentLoan":"40.00","postgraduateLoan":"35.00"}',
      '',
    ])
  })

  test('bad lines get error lines naming the field, good lines still succeed, exit status 1', () => {
    const input = [
      line({ id: 1 }),
      '{"id": 2, "taxYear": ',
      '',
      line({ id: 3, taxablePay: '267.1' }),
      line({ id: 4, colour: 'blue' }),
      line({ id: 5, taxCode: 'ZZ9' }),
      line({ id: 6, payFrequency: 'monthly', period: 13 }),
      line({ id: 7 }),
    ].join('\n')
    const { status, stdout } = run(input)
    expect(status).toBe(1)
    const out = stdout
      .trimEnd()
      .split('\n')
      .map((text) => JSON.parse(text))
    expect(out.map((o) => o.id)).toEqual([1, null, 3, 4, 5, 6, 7])
    expect(out[0]).toEqual({ id: 1, tax: '5.00', taxToDate: '5.00' })
    expect(out[1].error).toMatch(/^line 2: not valid JSON/)
    expect(out[2].error).toMatch(/^taxablePay: "267.1" is not an amount with two decimal places/)
    expect(out[3].error).toBe('unknown field "colour"')
    expect(out[4].error).toMatch(/^taxCode: "ZZ9" is not a tax code/)
    expect(out[5].error).toMatch(/^period: must be from 1 to 12 for monthly pay/)
    expect(out[6]).toEqual({ id: 7, tax: '5.00', taxToDate: '5.00' })
  })

  test('empty input: no output, exit status 0', () => {
    expect(run('')).toMatchObject({ status: 0, stdout: '' })
  })

  test('--help documents the contract', () => {
    const { status, stdout } = run('', ['payroll', 'calc', '--help'])
    expect(status).toBe(0)
    for (const text of [
      'taxablePayToDate',
      'week1Month1',
      'studentLoanPlans',
      'Exit status 0',
      'Blank lines are skipped',
    ]) {
      expect(stdout).toContain(text)
    }
  })
})
