// Validation of OCDS release packages: the OCDS 1.1.5 release package and release schemas (JSON
// Schema draft-04, hence ajv-draft-04) with the UK extension's release-schema.json applied to the
// release schema as a JSON Merge Patch, as OCDS extensions are. The schemas are read from a
// folder given by the caller (tests use ../shared/testdata/ocds; nothing is copied into the repo).
//
// The UK extension assumes nine dependency extensions that are not in that folder; the only
// definition they would add that the UK patch refers to is Location, so it is stubbed as an open
// object (decision 0400). Everything else in the UK patch is checked as published.
import fs from 'node:fs'
import path from 'node:path'
import AjvDraft04, { type ErrorObject } from 'ajv-draft-04'
import { mergePatch } from './ocds.ts'

// A CommonJS module: its default export is the class, which also carries itself as .default.
const Ajv = AjvDraft04.default

export interface OcdsValidator {
  validatePackage(pkg: unknown): { ok: boolean; errors: string[] }
  validateRelease(release: unknown): { ok: boolean; errors: string[] }
}

function missingRefs(schema: Record<string, unknown>): string[] {
  const definitions = (schema.definitions ?? {}) as Record<string, unknown>
  const missing = new Set<string>()
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) {
          const name = value.slice('#/definitions/'.length)
          if (!(name in definitions)) missing.add(name)
        } else walk(value)
      }
  }
  walk(schema)
  return [...missing]
}

/** `dir` holds schema-1.1.5/ and uk-extension/ as in ../shared/testdata/ocds. */
export function loadOcdsValidator(dir: string): OcdsValidator {
  const read = (file: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>
  const core = read('schema-1.1.5/release-schema.json')
  const uk = read('uk-extension/release-schema.json')
  const release = mergePatch(core, uk) as Record<string, unknown>
  const definitions = release.definitions as Record<string, unknown>
  for (const name of missingRefs(release)) definitions[name] = { type: 'object' }
  const packageSchema = read('schema-1.1.5/release-package-schema.json')
  // OCDS schemas carry their own keywords (codelist, openCodelist, mergeStrategy…): not strict.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true })
  ajv.addFormat('uri', {
    validate: (value: string) => {
      try {
        new URL(value)
        return true
      } catch {
        return false
      }
    },
  })
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/)
  ajv.addFormat('email', /^[^@\s]+@[^@\s]+$/)
  ajv.addSchema(release)
  const validatePackage = ajv.compile(packageSchema)
  const validateRelease = ajv.getSchema(String(release.id))!
  const describe = (errors: ErrorObject[] | null | undefined) =>
    (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`.trim())
  return {
    validatePackage: (pkg) => {
      const ok = validatePackage(pkg) as boolean
      return { ok, errors: describe(validatePackage.errors) }
    },
    validateRelease: (value) => {
      const ok = validateRelease(value) as boolean
      return { ok, errors: describe(validateRelease.errors) }
    },
  }
}
