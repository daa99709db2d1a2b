// Test support: the EN 16931 / Peppol conformance material in ../shared/testdata/einvoice (read in
// place, never copied into the repository). See that folder's README and PROVENANCE files.

import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type UblDocument, ublDocument } from './parse.ts'
import { parseXml, type XmlElement } from './xml.ts'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const TESTDATA = path.resolve(repoRoot, '../shared/testdata/einvoice')

/** Folders of complete documents, and which of them are expected to be valid (see parse.test.ts). */
export const DOCUMENT_FOLDERS = [
  'en16931/ubl-examples',
  'en16931/testfiles',
  'peppol-bis3/examples',
  'peppol-bis3/snippets',
  'peppol-bis3/national-examples/GR',
  'peppol-bis3/national-examples/NO',
]

export interface TestDocument {
  /** Path relative to TESTDATA. */
  name: string
  bytes: Buffer
}

export function documents(): TestDocument[] {
  return DOCUMENT_FOLDERS.flatMap((folder) =>
    readdirSync(path.join(TESTDATA, folder))
      .filter((file) => /\.xml$/i.test(file))
      .sort()
      .map((file) => ({ name: `${folder}/${file}`, bytes: readFileSync(path.join(TESTDATA, folder, file)) })),
  )
}

export const UNIT_TEST_FOLDERS = [
  'en16931/unit-UBL-Invoice',
  'en16931/unit-UBL-CreditNote',
  'peppol-bis3/unit-UBL-PEPPOL',
  'peppol-bis3/unit-UBL-DE',
  'peppol-bis3/unit-UBL-DK',
  'peppol-bis3/unit-UBL-GR',
  'peppol-bis3/unit-UBL-IT',
  'peppol-bis3/unit-UBL-NL',
  'peppol-bis3/unit-UBL-NO',
  'peppol-bis3/unit-UBL-SE',
]

export interface UnitTestCase {
  file: string
  index: number
  description: string
  /** Every rule the case names, with the outcome expected for it. */
  expectations: { rule: string; outcome: 'success' | 'error' | 'warning' }[]
  profile: 'en16931' | 'peppol'
  document: UblDocument
}

const VEFA = 'http://difi.no/xsd/vefa/validator/1.0'

/**
 * Every <test> in the Schematron unit-test files. Format (vefa validator testSet): a top-level
 * <assert><scope>RULE</scope></assert>, then <test> elements, each an <assert> holding
 * <description> and <success>/<error>/<warning> rule ids, followed by a partial UBL document.
 * PEPPOL-COMMON-R048.xm (sic) has every test commented out, so it contributes none.
 */
export function unitTestCases(): UnitTestCase[] {
  const cases: UnitTestCase[] = []
  for (const folder of UNIT_TEST_FOLDERS) {
    const files = readdirSync(path.join(TESTDATA, folder)).filter(
      (file) => /\.xml?$/.test(file) && !file.startsWith('PROVENANCE'),
    )
    for (const file of files.sort()) {
      const root = parseXml(readFileSync(path.join(TESTDATA, folder, file)))
      const tests = root.children.filter((child) => child.ns === VEFA && child.name === 'test')
      tests.forEach((test, index) => {
        const assert = test.children.find((child) => child.ns === VEFA && child.name === 'assert')
        const document = test.children.find((child) => child.ns !== VEFA) as XmlElement
        const expectations = (assert?.children ?? [])
          .filter((child) => ['success', 'error', 'warning'].includes(child.name))
          .map((child) => ({
            rule: child.text.trim(),
            outcome: child.name as 'success' | 'error' | 'warning',
          }))
        const description = assert?.children.find((child) => child.name === 'description')?.text.trim() ?? ''
        cases.push({
          file: `${folder}/${file}`,
          index,
          description: description.replace(/\s+/g, ' '),
          expectations,
          profile: folder.startsWith('en16931') ? 'en16931' : 'peppol',
          document: ublDocument(document),
        })
      })
    }
  }
  return cases
}
