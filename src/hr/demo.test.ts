// The demo's made-up bank details must pass the checks payroll applies before paying anyone.
import { expect, test } from 'vitest'
import { checkUkBankAccount } from '../finance/banking/modulus.ts'
import { demoAccountNumber } from './demo.ts'

test('every demo account number passes UK modulus checking, and they differ', () => {
  const numbers = Array.from({ length: 500 }, (_, n) => demoAccountNumber(n + 1))
  for (const accountNumber of numbers) {
    expect(accountNumber).toMatch(/^\d{8}$/)
    expect(checkUkBankAccount('309430', accountNumber).ok, accountNumber).toBe(true)
  }
  expect(new Set(numbers).size).toBe(numbers.length)
})
