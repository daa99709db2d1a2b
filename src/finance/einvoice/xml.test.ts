// Hostile and broken input: each is refused quickly, with a typed error and a clear sentence, and
// no external entity is ever resolved.

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { importEInvoice } from './import.ts'
import { parseUbl } from './parse.ts'
import { TESTDATA } from './testdata.ts'
import {
  NotAnEInvoiceError,
  parseXml,
  XmlDoctypeError,
  XmlEncodingError,
  XmlLimitError,
  XmlMalformedError,
  XmlTooLargeError,
} from './xml.ts'

const base = readFileSync(path.join(TESTDATA, 'peppol-bis3/examples/base-example.xml'))
const baseText = base.toString('utf8')

/** Runs `action`, expecting it to throw `type` within `msMax` (generous: CI machines are shared); returns the error. */
function refused<T extends Error>(action: () => unknown, type: new (...args: never[]) => T, msMax = 5000): T {
  const started = performance.now()
  let caught: unknown
  try {
    action()
  } catch (error) {
    caught = error
  }
  expect(performance.now() - started).toBeLessThan(msMax)
  expect(caught).toBeInstanceOf(type)
  return caught as T
}

describe('hostile input', () => {
  it('refuses a DOCTYPE with an external entity (XXE) without reading the file', () => {
    const xxe = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE Invoice [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>`
    const error = refused(() => parseUbl(xxe), XmlDoctypeError)
    expect(error.message).toMatch(/DOCTYPE declaration at line 2, column 1/)
    expect(error.message).toMatch(/XXE/)
    expect(error.message).not.toContain('root:')
    const result = importEInvoice(xxe)
    expect(result).toEqual({
      ok: false,
      errors: [expect.objectContaining({ rule: 'GSS-XML-DOCTYPE', severity: 'fatal' })],
    })
  })

  it('refuses billion laughs before expanding anything', () => {
    const entities = Array.from({ length: 10 }, (_, i) =>
      i === 0 ? '<!ENTITY lol0 "lol">' : `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`,
    ).join('\n')
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${entities}\n]>\n<lolz>&lol9;</lolz>`
    refused(() => parseXml(bomb), XmlDoctypeError, 500)
  })

  it('refuses an undeclared entity reference (no DTD means no entities beyond the five)', () => {
    const error = refused(() => parseXml('<a>\n  <b>&nbsp;</b>\n</a>'), XmlMalformedError)
    expect(error.message).toMatch(/&nbsp;.*not defined.*line 2, column 6/)
  })

  it('decodes the five predefined entities and character references', () => {
    const root = parseXml('<a x="&quot;1&quot; &amp; 2">&lt;&#65;&#x20AC;&gt;<![CDATA[&amp;]]></a>')
    expect(root.attrs.x).toBe('"1" & 2')
    expect(root.text).toBe('<A€>&amp;')
  })

  it('refuses a truncated document, saying so, with line and column', () => {
    const truncated = baseText.slice(0, Math.floor(baseText.length / 2))
    const error = refused(() => parseUbl(truncated), XmlMalformedError)
    expect(error.message).toMatch(
      /ends before elements? .*<Invoice>.* closed: it looks truncated \(line \d+, column \d+\)/,
    )
    expect(error.line).toBeGreaterThan(1)
  })

  it('refuses mismatched tags with the parser line and column', () => {
    const error = refused(() => parseXml('<a>\n<b></c>\n</a>'), XmlMalformedError)
    expect(error.message).toMatch(/not well-formed XML: .*line 2, column/)
  })

  it('refuses UTF-16 bytes (with and without a byte order mark)', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(baseText, 'utf16le')])
    expect(refused(() => parseUbl(utf16), XmlEncodingError).message).toMatch(
      /UTF-16 \(little-endian, with a byte order mark\).*UTF-8 only/,
    )
    refused(() => parseUbl(Buffer.from(baseText, 'utf16le')), XmlEncodingError)
  })

  it('refuses Latin-1 bytes under a UTF-8 declaration, naming the offending byte', () => {
    const latin1 = Buffer.from(baseText.replace('SupplierOfficialName Ltd', 'Société Générale'), 'latin1')
    const error = refused(() => parseUbl(latin1), XmlEncodingError)
    expect(error.message).toMatch(/not valid UTF-8: byte 0xe9 at offset \d+/)
  })

  it('refuses a declared encoding other than UTF-8', () => {
    const declared = baseText.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    expect(refused(() => parseUbl(declared), XmlEncodingError).message).toMatch(
      /declares encoding "ISO-8859-1"/,
    )
  })

  it('refuses a 50 MB document before parsing it', () => {
    const huge = Buffer.alloc(50 * 1024 * 1024, 0x20)
    huge.write(baseText)
    expect(refused(() => parseUbl(huge), XmlTooLargeError, 1000).message).toMatch(/larger than 20 MB/)
    expect(importEInvoice(huge).ok).toBe(false)
  })

  it('honours a configured size limit', () => {
    refused(() => parseUbl(base, { maxBytes: 1000 }), XmlTooLargeError)
  })

  it('refuses deeply nested elements', () => {
    const deep = `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`
    expect(refused(() => parseXml(deep), XmlLimitError, 3000).message).toMatch(/more than 64 deep/)
  })

  it('refuses too many elements before parsing them', () => {
    const many = `<a>${'<b/>'.repeat(600_000)}</a>`
    expect(refused(() => parseXml(many), XmlLimitError, 3000).message).toMatch(/more than 500,000 elements/)
  })

  it('refuses something that is not an invoice at all (an ISO 20022 pain.001)', () => {
    const pain = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn><GrpHdr><MsgId>1</MsgId></GrpHdr></CstmrCdtTrfInitn></Document>`
    const error = refused(() => parseUbl(pain), NotAnEInvoiceError)
    expect(error.message).toMatch(
      /<Document> in namespace urn:iso:std:iso:20022:tech:xsd:pain\.001\.001\.09, not a UBL 2\.1 Invoice.*ISO 20022 payment/,
    )
    expect(importEInvoice(pain)).toEqual({
      ok: false,
      errors: [expect.objectContaining({ rule: 'GSS-NOT-UBL' })],
    })
  })

  it('refuses an Invoice element in the wrong namespace', () => {
    expect(refused(() => parseUbl('<Invoice><ID>1</ID></Invoice>'), NotAnEInvoiceError).message).toMatch(
      /namespace is not UBL 2\.1/,
    )
  })

  it('refuses empty input, two roots, text after the root and control characters', () => {
    expect(refused(() => parseXml(''), XmlMalformedError).message).toMatch(/empty|no root/)
    expect(refused(() => parseXml('<a/><b/>'), XmlMalformedError).message).toMatch(/2 root elements/)
    expect(refused(() => parseXml('<a/>trailing'), XmlMalformedError).message).toMatch(
      /text outside its root/,
    )
    expect(refused(() => parseXml('<a>\u0001</a>'), XmlMalformedError).message).toMatch(
      /control character U\+0001/,
    )
  })

  it('refuses an undeclared namespace prefix', () => {
    expect(refused(() => parseXml('<x:a/>'), XmlMalformedError).message).toMatch(/prefix "x"/)
  })

  it('accepts a UTF-8 byte order mark', () => {
    expect(importEInvoice(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), base])).ok).toBe(true)
  })
})
