import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../../platform/auth/permissions.ts'
import { orgId, uuidFromName } from '../../platform/ids.ts'
import { asOwner, createTestApp, signIn, type TestApp } from '../../platform/testing.ts'
import { FLAT_FIELDS } from '../return-schema.ts'
import { SCHEMA_ID } from './submission-routes.ts'
import { sampleReturn } from './testing.ts'

let t: TestApp
let submitterToken: string
const QUARTER = '2023-Q1'
const url = `/api/v1/orgs/met-office/programme/returns`

async function tokenFor(email: string, org: string, roles: Role[]) {
  const userId = uuidFromName(`user:${email}`)
  return (
    await t.services.auth.createToken(
      { userId, orgIds: [orgId(org)], actingOrgId: orgId(org), requestId: 'test' },
      { userId, orgId: orgId(org), roles, name: 'test', expiresAt: new Date(Date.now() + 86_400_000) },
    )
  ).token
}
const bearer = (token: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${token}`,
  ...extra,
})

async function versionCount(quarter = QUARTER): Promise<number> {
  const rows = await asOwner<{ n: number }>(
    t.db,
    `select count(*)::int as n from programme_return_versions where org_id = '${orgId('met-office')}' and quarter = '${quarter}'`,
  )
  return rows[0]!.n
}

function multipart(fileName: string, content: Buffer | string, fields: Record<string, string> = {}) {
  const boundary = '----gsstest7e1d'
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields))
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    )
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  )
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

async function upload(fileName: string, content: Buffer | string, extra: Record<string, string> = {}) {
  const body = multipart(fileName, content)
  return t.app.inject({
    method: 'POST',
    url: `${url}/upload`,
    headers: bearer(submitterToken, { 'content-type': body.contentType, ...extra }),
    payload: body.payload,
  })
}

function csvOf(figures: ReturnType<typeof sampleReturn>, extraHeader = '', extraCell = ''): string {
  const cells = FLAT_FIELDS.map((field) => {
    if (!field.includes('.')) return String((figures as Record<string, unknown>)[field])
    const [group, name] = field.split('.') as [string, string]
    const value = ((figures as Record<string, unknown>)[group] as Record<string, unknown>)[name]
    return value === null ? '' : String(value)
  })
  return `${[...FLAT_FIELDS, ...(extraHeader ? [extraHeader] : [])].join(',')}\n${[...cells, ...(extraHeader ? [extraCell] : [])].join(',')}\n`
}

beforeAll(async () => {
  t = await createTestApp()
  submitterToken = await tokenFor('returns.submitter@gss.example', 'met-office', ['returns_submitter'])
}, 180_000)
afterAll(async () => t?.close())

describe('published schema and template', () => {
  it('publishes the JSON Schema with its $id and the template with the FLAT_FIELDS columns', async () => {
    const schema = await t.app.inject({ method: 'GET', url: '/api/v1/programme/returns/schema' })
    expect(schema.statusCode).toBe(200)
    expect(schema.json()).toMatchObject({ $id: SCHEMA_ID, type: 'object' })
    expect(schema.json().properties.workforce.properties.headcount).toBeDefined()
    const csv = await t.app.inject({
      method: 'GET',
      url: '/api/v1/programme/returns/template.csv?organisation=met-office&quarter=2023-Q1',
    })
    expect(csv.body.split('\n')[0]).toBe(FLAT_FIELDS.join(','))
    expect(csv.body.split('\n')[1]).toMatch(/^met-office,2023-Q1,/)
    const xlsx = await t.app.inject({ method: 'GET', url: '/api/v1/programme/returns/template.xlsx' })
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    expect((workbook.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toEqual([...FLAT_FIELDS])
  })
})

describe('submission API', () => {
  it('records a valid return, answers a retry with the same key from the first answer', async () => {
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: `${url}?estimated=workforce.fte`,
        headers: bearer(submitterToken, { 'idempotency-key': 'met-2023-q1-a' }),
        payload: sampleReturn('met-office', QUARTER),
      })
    const first = await send()
    expect(first.statusCode).toBe(201)
    expect(first.json()).toMatchObject({ version: 1, valid: true, late: true, quarter: QUARTER })
    const again = await send()
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(await versionCount()).toBe(1)
    const got = await t.app.inject({
      method: 'GET',
      url: `${url}/${QUARTER}`,
      headers: bearer(submitterToken),
    })
    expect(got.json()).toMatchObject({ currentVersion: 1, valid: true, dueOn: '2023-07-30' })
    expect(got.json().versions[0].provenance['workforce.fte']).toBe('estimated')
  })

  it('answers 422 problem+json naming every field, keeps the invalid version in the history only', async () => {
    const bad = sampleReturn('met-office', QUARTER) as unknown as {
      workforce: { fte: number }
      finance: { paidWithin5DaysPercent: number }
      payroll: { payslips: unknown }
    }
    bad.workforce.fte = 2000
    bad.finance.paidWithin5DaysPercent = 120
    bad.payroll.payslips = 'lots'
    const response = await t.app.inject({
      method: 'POST',
      url,
      headers: bearer(submitterToken),
      payload: bad,
    })
    expect(response.statusCode).toBe(422)
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/)
    const fields = response.json().errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`)
    expect(fields).toEqual(
      expect.arrayContaining([
        '/workforce.fte:fte-within-headcount',
        '/finance.paidWithin5DaysPercent:maximum',
        '/payroll.payslips:type',
      ]),
    )
    const got = await t.app.inject({
      method: 'GET',
      url: `${url}/${QUARTER}`,
      headers: bearer(submitterToken),
    })
    expect(got.json()).toMatchObject({ currentVersion: 1, valid: true, laterInvalidVersion: true })
    expect(got.json().versions.map((v: { valid: boolean }) => v.valid)).toEqual([false, true])
    // A return for another organisation's code is refused by the organisation rule.
    const other = await t.app.inject({
      method: 'POST',
      url,
      headers: bearer(submitterToken),
      payload: sampleReturn('hmrc', QUARTER),
    })
    expect(other.json().errors.map((e: { rule: string }) => e.rule)).toContain('matches-organisation')
    // No quarter at all: nothing to file it under, nothing recorded.
    const before = await versionCount()
    const none = await t.app.inject({
      method: 'POST',
      url,
      headers: bearer(submitterToken),
      payload: { hello: 1 },
    })
    expect(none.statusCode).toBe(400)
    expect(await versionCount()).toBe(before)
  })

  it('lets the analyst read figures but not submit; a submitter only for their own organisation', async () => {
    const analyst = await signIn(t.app, 'programme.analyst@gss.example')
    const read = await t.app.inject({
      method: 'GET',
      url: `${url}/${QUARTER}`,
      headers: { cookie: analyst.cookie },
    })
    expect(read.statusCode).toBe(200)
    expect(read.json().versions[0].figures).toBeDefined()
    const hub = await t.app.inject({
      method: 'GET',
      url: `/api/v1/programme/returns?quarter=${QUARTER}`,
      headers: { cookie: analyst.cookie },
    })
    expect(hub.statusCode).toBe(200)
    const denied = await t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: analyst.cookie, 'x-csrf-token': analyst.csrfToken },
      payload: sampleReturn('met-office', QUARTER),
    })
    expect(denied.statusCode).toBe(403)
    const submitter = await signIn(t.app, 'returns.submitter@gss.example')
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orgs/hmrc/programme/returns',
      headers: { cookie: submitter.cookie, 'x-csrf-token': submitter.csrfToken },
      payload: sampleReturn('hmrc', QUARTER),
    })
    expect(elsewhere.statusCode).toBe(403)
    const peek = await t.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/hmrc/programme/returns/${QUARTER}`,
      headers: { cookie: submitter.cookie },
    })
    expect(peek.statusCode).toBe(403)
  })
})

describe('uploads', () => {
  it('records a clean CSV and a clean XLSX as new versions with the file’s name and digest', async () => {
    const before = await versionCount('2023-Q2')
    const csv = await upload('met-q2.csv', csvOf(sampleReturn('met-office', '2023-Q2')))
    expect(csv.statusCode).toBe(201)
    expect(csv.json()).toMatchObject({ valid: true, quarter: '2023-Q2' })
    const workbook = new ExcelJS.Workbook()
    const sheet = workbook.addWorksheet('Return')
    const figures = sampleReturn('met-office', '2023-Q2')
    figures.workforce.headcount = 1001
    const rows = csvOf(figures)
      .trim()
      .split('\n')
      .map((line) => line.split(','))
    sheet.addRow(rows[0]!)
    sheet.addRow(rows[1]!.map((cell) => (/^[0-9.]+$/.test(cell) ? Number(cell) : cell)))
    const xlsx = await upload('met-q2.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()))
    expect(xlsx.statusCode).toBe(201)
    expect(await versionCount('2023-Q2')).toBe(before + 2)
    const got = await t.app.inject({ method: 'GET', url: `${url}/2023-Q2`, headers: bearer(submitterToken) })
    expect(got.json().versions[0]).toMatchObject({ source: 'xlsx', fileName: 'met-q2.xlsx' })
    expect(got.json().versions[0].fileSha256).toMatch(/^[0-9a-f]{64}$/)
    expect(got.json().versions[0].figures.workforce.headcount).toBe(1001)
  })

  it('refuses malformed, oversized and hostile files with the reason, changing nothing', async () => {
    const good = csvOf(sampleReturn('met-office', '2023-Q3'))
    const formula = good.replace(
      /\nmet-office,2023-Q3,not_planned,1000,/,
      "\nmet-office,2023-Q3,not_planned,=cmd|' /C calc'!A0,",
    )
    const bigWorkbook = new ExcelJS.Workbook()
    const big = bigWorkbook.addWorksheet('Return')
    big.addRow([...FLAT_FIELDS])
    for (let i = 0; i < 100_000; i++) big.addRow([i])
    const bigXlsx = Buffer.from(await bigWorkbook.xlsx.writeBuffer())
    const formulaBook = new ExcelJS.Workbook()
    const fs = formulaBook.addWorksheet('Return')
    fs.addRow([...FLAT_FIELDS])
    fs.addRow(['met-office', '2023-Q3', 'live', { formula: '1+1', result: 2 }])
    const formulaXlsx = Buffer.from(await formulaBook.xlsx.writeBuffer())
    const lines = good.trim().split('\n')
    const cases: Array<[string, Buffer | string, RegExp]> = [
      ['wrong type', ['%PDF-1.4 not a return'].join(''), /CSV \(\.csv\) or Excel/],
      ['wrong type (txt)', good, /CSV \(\.csv\) or Excel/],
      ['csv injection', formula, /formula/],
      [
        'extra column',
        csvOf(sampleReturn('met-office', '2023-Q3'), 'notes', 'hello'),
        /not a recognised column/,
      ],
      ['two returns', `${good}${lines[1]}\n`, /2 returns/],
      ['xlsx not a zip', 'just,some,text\n', /not a zip/],
      ['xlsx 100k rows', bigXlsx, /expand/],
      ['xlsx formula', formulaXlsx, /formula/],
      ['binary csv', Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), /not CSV/],
    ]
    const names = ['r.pdf', 'r.txt', 'r.csv', 'r.csv', 'r.csv', 'r.xlsx', 'r.xlsx', 'r.xlsx', 'r.csv']
    for (const [index, [label, content, reason]] of cases.entries()) {
      const response = await upload(names[index]!, content)
      expect(response.statusCode, label).toBe(422)
      expect(`${label}: ${response.json().detail} ${response.body}`).toMatch(reason)
    }
    expect(bigXlsx.length).toBeLessThan(1024 * 1024)
    // Over the byte limit: refused before it is parsed.
    const oversized = await upload('r.csv', `${good}${'x'.repeat(1_200_000)}`)
    expect(oversized.statusCode).toBe(413)
    // Two files: refused.
    const two = multipart('a.csv', good)
    const payload = Buffer.concat([
      two.payload.subarray(0, two.payload.length - `--${'----gsstest7e1d'}--\r\n`.length),
      Buffer.from(
        `--${'----gsstest7e1d'}\r\nContent-Disposition: form-data; name="file"; filename="b.csv"\r\n\r\n${good}\r\n--${'----gsstest7e1d'}--\r\n`,
      ),
    ])
    const twoFiles = await t.app.inject({
      method: 'POST',
      url: `${url}/upload`,
      headers: bearer(submitterToken, { 'content-type': two.contentType }),
      payload,
    })
    expect(twoFiles.statusCode).toBe(422)
    expect(await versionCount('2023-Q3')).toBe(0)
  }, 120_000)
})

describe('pages', () => {
  it('submits through the form, shows errors in the summary, and shows every version with provenance', async () => {
    const submitter = await signIn(t.app, 'returns.submitter@gss.example')
    const form = await t.app.inject({
      method: 'GET',
      url: '/orgs/met-office/programme/returns/new',
      headers: { cookie: submitter.cookie },
    })
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('enctype="multipart/form-data"')
    const figures = sampleReturn('met-office', '2023-Q4')
    const fields: Record<string, string> = {
      _csrf: submitter.csrfToken,
      quarter: '2023-Q4',
      migrationStatus: 'planned',
    }
    for (const [group, values] of Object.entries(figures))
      if (values && typeof values === 'object')
        for (const [name, value] of Object.entries(values)) fields[`${group}.${name}`] = String(value ?? '')
    const typo = await t.app.inject({
      method: 'POST',
      url: '/orgs/met-office/programme/returns',
      headers: { cookie: submitter.cookie },
      payload: { ...fields, 'workforce.headcount': 'a thousand' },
    })
    expect(typo.statusCode).toBe(422)
    expect(typo.body).toContain('govuk-error-summary')
    expect(typo.body).toContain('href="#workforce-headcount"')
    expect(await versionCount('2023-Q4')).toBe(0)
    const inconsistent = await t.app.inject({
      method: 'POST',
      url: '/orgs/met-office/programme/returns',
      headers: { cookie: submitter.cookie },
      payload: { ...fields, 'workforce.fte': '1500' },
    })
    expect(inconsistent.statusCode).toBe(422)
    expect(inconsistent.body).toContain('must not be more than workforce.headcount')
    const ok = await t.app.inject({
      method: 'POST',
      url: '/orgs/met-office/programme/returns',
      headers: { cookie: submitter.cookie },
      payload: { ...fields, estimated: 'finance.backOfficeCostPence' },
    })
    expect(ok.statusCode).toBe(303)
    expect(ok.headers.location).toBe('/orgs/met-office/programme/returns/2023-Q4')
    const view = await t.app.inject({
      method: 'GET',
      url: ok.headers.location!,
      headers: { cookie: submitter.cookie },
    })
    expect(view.statusCode).toBe(200)
    expect(view.body).toContain('Version 2 (current)')
    expect(view.body).toContain('Version 1 (invalid)')
    expect(view.body).toContain('(estimated)')
    // An upload refused on the page re-renders the form with the reason.
    const body = multipart('r.txt', 'hello', { _csrf: submitter.csrfToken })
    const refused = await t.app.inject({
      method: 'POST',
      url: '/orgs/met-office/programme/returns/upload',
      headers: { cookie: submitter.cookie, 'content-type': body.contentType },
      payload: body.payload,
    })
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('govuk-error-summary')
    const hub = await t.app.inject({
      method: 'GET',
      url: '/programme/returns?quarter=2023-Q4',
      headers: { cookie: submitter.cookie },
    })
    expect(hub.statusCode).toBe(200)
    expect(hub.body).toMatch(/data-org="met-office" data-status="late"/)
  }, 60_000)
})
