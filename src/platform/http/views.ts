// Server-rendered pages: Nunjucks with GOV.UK Frontend's macros. Templates are found under src/
// (each domain's views/ folder) and govuk-frontend's dist folder.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import nunjucks from 'nunjucks'
import * as sass from 'sass'
import { formatGbp } from '../money.ts'

const SRC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const require = createRequire(import.meta.url)
export const GOVUK_DIST = path.resolve(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist')

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
})
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
})

export function createViews(options: { watch?: boolean } = {}): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([SRC_DIR, GOVUK_DIST], { watch: options.watch ?? false }),
    {
      autoescape: true,
      throwOnUndefined: false,
    },
  )
  /** "2026-04-01" or a Date → "1 April 2026". */
  env.addFilter('govukDate', (value: unknown) => {
    if (value === null || value === undefined || value === '') return ''
    const date = value instanceof Date ? value : new Date(`${String(value)}T00:00:00Z`)
    return Number.isNaN(date.getTime()) ? String(value) : dateFormat.format(date)
  })
  env.addFilter('govukDateTime', (value: unknown) =>
    value instanceof Date || typeof value === 'string' ? dateTimeFormat.format(new Date(value)) : '',
  )
  /** Integer pence → "£1,234.56". */
  env.addFilter('gbp', (value: unknown) => (typeof value === 'number' ? formatGbp(value) : ''))
  env.addFilter('numberFormat', (value: unknown) =>
    typeof value === 'number' ? value.toLocaleString('en-GB') : String(value ?? ''),
  )
  return env
}

let cssCache: string | undefined
/**
 * The stylesheet, compiled from src/platform/assets/app.scss once per version of its inputs and
 * kept in the system's temporary directory, so restarts and test files do not pay ~1-3 s of Sass.
 */
export function stylesheet(): string {
  if (cssCache !== undefined) return cssCache
  const source = path.join(SRC_DIR, 'platform/assets/app.scss')
  const key = createHash('sha256')
    .update(fs.readFileSync(source))
    .update(require('govuk-frontend/package.json').version)
    .update(sass.info)
    .digest('hex')
    .slice(0, 16)
  const cached = path.join(os.tmpdir(), `gss-app-${key}.css`)
  try {
    cssCache = fs.readFileSync(cached, 'utf8')
    return cssCache
  } catch {
    // Not compiled yet on this machine.
  }
  cssCache = sass.compile(source, {
    loadPaths: [path.resolve(GOVUK_DIST, '../..')],
    style: 'compressed',
    quietDeps: true,
  }).css
  try {
    const partial = `${cached}.${process.pid}`
    fs.writeFileSync(partial, cssCache)
    fs.renameSync(partial, cached)
  } catch {
    // A read-only temporary directory only costs the next start a recompile.
  }
  return cssCache
}

/** Turns field errors into the shapes GOV.UK's error summary and fields expect. */
export function formErrors(
  errors: Array<{ field: string; message: string }>,
  fieldIds: Record<string, string> = {},
) {
  const byField: Record<string, { text: string }> = {}
  const summary: Array<{ text: string; href: string }> = []
  for (const error of errors) {
    const name = error.field.replace(/^\//, '').split('/')[0] ?? ''
    if (byField[name]) continue
    byField[name] = { text: error.message }
    summary.push({ text: error.message, href: `#${fieldIds[name] ?? name}` })
  }
  return { summary, byField }
}
