import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestApp, signIn, type TestApp } from './testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => t?.close())

test('health reports the database ready', async () => {
  const response = await t.app.inject({ method: 'GET', url: '/health' })
  expect(response.statusCode).toBe(200)
  expect(response.json()).toMatchObject({ status: 'ok', ready: true })
})

test('a demo user signs in and sees the directory', async () => {
  const { cookie } = await signIn(t.app, 'finance.clerk@gss.example')
  const page = await t.app.inject({ method: 'GET', url: '/organisations', headers: { cookie } })
  expect(page.statusCode).toBe(200)
  expect(page.body).toContain('Cabinet Office')
})
