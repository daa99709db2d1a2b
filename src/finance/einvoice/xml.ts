// Safe XML for e-invoices: bytes from outside GSS become a small, namespace-resolved element tree,
// or are refused with a typed error whose message says what is wrong in one sentence.
//
// Safety, in the order it is applied (each check is linear and runs before the next, costlier one):
// 1. Size: the input is refused above `maxBytes` (20 MB by default) before anything else is done.
// 2. Encoding: UTF-8 only (with or without BOM, declared or not). UTF-16/32 and any other declared
//    encoding are refused by name; bytes that are not valid UTF-8 are refused with their offset.
// 3. No DTD at all: a DOCTYPE or ENTITY declaration is refused outright, so no external entity
//    (XXE: file:///etc/passwd, http://...) can be resolved and no entity can expand ("billion
//    laughs"). The only references honoured are the five predefined entities and character
//    references; any other `&name;` is refused.
// 4. Limits: at most `maxElements` elements and `maxDepth` levels of nesting.
// 5. Well-formedness: fast-xml-parser's validator, whose errors carry line and column; we add the
//    checks it lacks (one root element, nothing after it, no control characters).
// Only then is the text parsed (fast-xml-parser, entity processing off) and namespaces resolved
// by us, so a document may use any prefixes it likes.

import { XMLParser, XMLValidator } from 'fast-xml-parser'

export interface XmlLimits {
  /** Largest document accepted, in bytes of UTF-8. */
  maxBytes: number
  /** Most elements accepted (counted before parsing). */
  maxElements: number
  /** Deepest nesting accepted. UBL invoices nest about 8 deep. */
  maxDepth: number
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxElements: 500_000,
  maxDepth: 64,
}

/** An element with its namespace URI resolved. Attributes without a prefix are keyed by name. */
export interface XmlElement {
  /** Namespace URI ('' for none). */
  readonly ns: string
  /** Local name, without prefix. */
  readonly name: string
  /** Unprefixed attributes by name; namespaced ones as `{uri}local`. xmlns declarations omitted. */
  readonly attrs: Readonly<Record<string, string>>
  readonly children: readonly XmlElement[]
  /** The element's own character data (text and CDATA), entity references decoded, not trimmed. */
  readonly text: string
}

/** The base of every refusal of the input itself (as opposed to a broken business rule). */
export abstract class EInvoiceInputError extends Error {
  /** Stable identifier, used as the rule id when the refusal is reported as a violation. */
  abstract readonly code: string
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** Thrown when the document is larger than the configured limit. */
export class XmlTooLargeError extends EInvoiceInputError {
  readonly code = 'GSS-XML-SIZE'
}

/** Thrown when the bytes are not UTF-8 or the document declares another encoding. */
export class XmlEncodingError extends EInvoiceInputError {
  readonly code = 'GSS-XML-ENCODING'
}

/** Thrown when the document has a DOCTYPE or ENTITY declaration (XXE / entity expansion). */
export class XmlDoctypeError extends EInvoiceInputError {
  readonly code = 'GSS-XML-DOCTYPE'
}

/** Thrown when the document has too many elements or is nested too deeply. */
export class XmlLimitError extends EInvoiceInputError {
  readonly code = 'GSS-XML-LIMIT'
}

/** Thrown when the text is not well-formed XML (truncated, mismatched tags, bad characters). */
export class XmlMalformedError extends EInvoiceInputError {
  readonly code = 'GSS-XML-MALFORMED'
  readonly line: number | undefined
  readonly column: number | undefined
  constructor(message: string, line?: number, column?: number) {
    super(line === undefined ? message : `${message} (line ${line}, column ${column ?? 1})`)
    this.line = line
    this.column = column
  }
}

/** Thrown when well-formed XML is not a UBL 2.1 Invoice or CreditNote. */
export class NotAnEInvoiceError extends EInvoiceInputError {
  readonly code = 'GSS-NOT-UBL'
}

const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii'])

/** Parses untrusted XML into an element tree, or throws an EInvoiceInputError. */
export function parseXml(input: string | Uint8Array, limits: Partial<XmlLimits> = {}): XmlElement {
  const limit = { ...DEFAULT_XML_LIMITS, ...limits }
  const text = decode(input, limit.maxBytes)
  checkDeclaration(text)
  refuseDtd(text)
  countElements(text, limit.maxElements)
  checkCharacters(text)
  const verdict = XMLValidator.validate(text, { allowBooleanAttributes: false })
  if (verdict !== true) throw malformed(verdict.err, text)
  // The validator accepts text after the root element ("<a/>junk"); XML does not.
  if (!/>\s*$/.test(text)) throw new XmlMalformedError('The document has text outside its root element')
  return buildTree(text, limit.maxDepth)
}

function decode(input: string | Uint8Array, maxBytes: number): string {
  if (typeof input === 'string') {
    // Cheap bound first: a string of n UTF-16 code units is at least n and at most 3n bytes.
    if (input.length > maxBytes || Buffer.byteLength(input, 'utf8') > maxBytes) throw tooLarge(maxBytes)
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input
  }
  if (input.byteLength > maxBytes) throw tooLarge(maxBytes)
  const bytes = input
  if (bytes[0] === 0xff && bytes[1] === 0xfe) throw utf16('little-endian, with a byte order mark')
  if (bytes[0] === 0xfe && bytes[1] === 0xff) throw utf16('big-endian, with a byte order mark')
  if (bytes[0] === 0x00 && bytes[1] === 0x3c) throw utf16('big-endian')
  if (bytes[0] === 0x3c && bytes[1] === 0x00) throw utf16('little-endian')
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start))
  } catch {
    const offset = firstInvalidUtf8(bytes, start)
    throw new XmlEncodingError(
      `The document is not valid UTF-8: byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} at offset ${offset} cannot start or continue a UTF-8 character. GSS accepts e-invoices in UTF-8 only; a file saved as Latin-1 or Windows-1252 must be re-encoded.`,
    )
  }
}

function tooLarge(maxBytes: number): XmlTooLargeError {
  return new XmlTooLargeError(
    `The document is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the most GSS accepts for one e-invoice.`,
  )
}

function utf16(detail: string): XmlEncodingError {
  return new XmlEncodingError(
    `The document is encoded as UTF-16 (${detail}). GSS accepts e-invoices in UTF-8 only, as Peppol requires; re-encode the file as UTF-8.`,
  )
}

/** Byte offset of the first byte that breaks UTF-8 (only called once decoding has failed). */
function firstInvalidUtf8(bytes: Uint8Array, start: number): number {
  let index = start
  while (index < bytes.length) {
    const lead = bytes[index]!
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead < 0xe0
          ? 2
          : lead >= 0xe0 && lead < 0xf0
            ? 3
            : lead >= 0xf0 && lead < 0xf5
              ? 4
              : 0
    if (length === 0) return index
    for (let k = 1; k < length; k++) {
      const next = bytes[index + k]
      if (next === undefined || (next & 0xc0) !== 0x80) return index
    }
    index += length
  }
  return Math.max(start, bytes.length - 1)
}

const DECLARATION =
  /^<\?xml\s+version\s*=\s*(["'])1\.\d+\1(?:\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*\?>/

function checkDeclaration(text: string): void {
  if (!text.startsWith('<?xml')) return
  const match = DECLARATION.exec(text)
  if (match === null) throw new XmlMalformedError('The XML declaration (<?xml ... ?>) is malformed', 1, 1)
  const encoding = match[3]
  if (encoding !== undefined && !UTF8_NAMES.has(encoding.toLowerCase())) {
    throw new XmlEncodingError(
      `The document declares encoding "${encoding}". GSS accepts e-invoices in UTF-8 only, as Peppol requires; re-encode the file as UTF-8 and declare encoding="UTF-8".`,
    )
  }
}

function refuseDtd(text: string): void {
  // Refused wherever it appears (even inside a comment): a false refusal of such an odd document
  // costs little, a missed DTD could cost the server.
  for (const marker of ['<!DOCTYPE', '<!ENTITY']) {
    const at = text.indexOf(marker)
    if (at >= 0) {
      const { line, column } = position(text, at)
      throw new XmlDoctypeError(
        `The document contains a ${marker.slice(2)} declaration at line ${line}, column ${column}. GSS refuses document type declarations in e-invoices because they can define entities that read local files or expand without limit (XXE, "billion laughs"); UBL invoices never need one.`,
      )
    }
  }
}

function countElements(text: string, maxElements: number): void {
  // Counts "<" followed by a name-start character: every start tag, plus any such text in comments
  // or CDATA, so the count can only err on the side of refusing.
  let count = 0
  let at = text.indexOf('<')
  while (at >= 0) {
    const next = text.charCodeAt(at + 1)
    if (next !== 0x2f && next !== 0x21 && next !== 0x3f && !Number.isNaN(next)) {
      count++
      if (count > maxElements) {
        throw new XmlLimitError(
          `The document has more than ${maxElements.toLocaleString('en-GB')} elements, the most GSS accepts in one e-invoice.`,
        )
      }
    }
    at = text.indexOf('<', at + 1)
  }
}

// XML 1.0 forbids C0 controls other than tab, newline and carriage return, and U+FFFE/U+FFFF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the forbidden control characters is the point
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/

function checkCharacters(text: string): void {
  const match = FORBIDDEN_CHARACTER.exec(text)
  if (match !== null) {
    const { line, column } = position(text, match.index)
    throw new XmlMalformedError(
      `The document contains the control character U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which XML does not allow`,
      line,
      column,
    )
  }
}

function position(text: string, index: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let at = text.indexOf('\n'); at >= 0 && at < index; at = text.indexOf('\n', at + 1)) {
    line++
    lineStart = at + 1
  }
  return { line, column: index - lineStart + 1 }
}

interface ValidatorError {
  code: string
  msg: string
  line: number
  col: number
}

function malformed(error: ValidatorError, text: string): XmlMalformedError {
  // The validator reports elements still open at the end as "Invalid '[ "a", "b" ]' found."; say
  // what that means instead. It is by far the commonest failure: a truncated upload.
  const unclosed = /^Invalid '\[(.*)\]' found\.$/s.exec(error.msg)
  if (error.code === 'InvalidXml' && unclosed !== null) {
    const names = [...(unclosed[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1])
    const { line, column } = position(text, text.length)
    return new XmlMalformedError(
      `The document ends before ${names.length === 1 ? 'element' : 'elements'} ${names.map((n) => `<${n}>`).join(', ')} ${names.length === 1 ? 'is' : 'are'} closed: it looks truncated`,
      line,
      column,
    )
  }
  if (error.code === 'InvalidXml' && text.trim().length === 0) {
    return new XmlMalformedError('The document is empty')
  }
  return new XmlMalformedError(
    `The document is not well-formed XML: ${error.msg.replace(/\.$/, '')}`,
    error.line,
    error.col,
  )
}

// fast-xml-parser's ordered output: each node is { tagName: children[], ':@': attributes } or a
// text/CDATA node.
type OrderedNode = Record<string, unknown>

const parser = (maxDepth: number) =>
  new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    // Off: we decode the five predefined entities and character references ourselves and refuse
    // anything else. With no DTD allowed there is nothing more to expand.
    processEntities: false,
    htmlEntities: false,
    cdataPropName: '#cdata',
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: maxDepth,
  })

const XML_NS = 'http://www.w3.org/XML/1998/namespace'

function buildTree(text: string, maxDepth: number): XmlElement {
  let ordered: OrderedNode[]
  try {
    ordered = parser(maxDepth).parse(text) as OrderedNode[]
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (/nested/i.test(message)) {
      throw new XmlLimitError(`The document nests elements more than ${maxDepth} deep, the most GSS accepts.`)
    }
    throw new XmlMalformedError(`The document is not well-formed XML: ${message}`)
  }
  const roots = ordered.filter((node) => tagName(node) !== undefined)
  const strayText = ordered.some((node) => typeof node['#text'] === 'string' && node['#text'].trim() !== '')
  if (roots.length === 0) throw new XmlMalformedError('The document has no root element')
  if (roots.length > 1) {
    throw new XmlMalformedError(`The document has ${roots.length} root elements; XML allows exactly one`)
  }
  if (strayText) throw new XmlMalformedError('The document has text outside its root element')
  const scope = new Map<string, string>([['xml', XML_NS]])
  return convert(roots[0]!, scope, text, 1, maxDepth)
}

function tagName(node: OrderedNode): string | undefined {
  for (const key of Object.keys(node)) {
    if (key !== ':@' && key !== '#text' && key !== '#cdata') return key
  }
  return undefined
}

function convert(
  node: OrderedNode,
  parentScope: ReadonlyMap<string, string>,
  source: string,
  depth: number,
  maxDepth: number,
): XmlElement {
  if (depth > maxDepth) {
    throw new XmlLimitError(`The document nests elements more than ${maxDepth} deep, the most GSS accepts.`)
  }
  const qname = tagName(node)!
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>
  let scope = parentScope
  for (const [key, value] of Object.entries(rawAttrs)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope)
      ;(scope as Map<string, string>).set(
        key === 'xmlns' ? '' : key.slice(6),
        decodeReferences(value, source),
      )
    }
  }
  const resolve = (name: string, useDefault: boolean): { ns: string; local: string } => {
    const colon = name.indexOf(':')
    if (colon < 0) return { ns: useDefault ? (scope.get('') ?? '') : '', local: name }
    const prefix = name.slice(0, colon)
    const ns = scope.get(prefix)
    if (ns === undefined)
      throw new XmlMalformedError(`The namespace prefix "${prefix}" (in <${qname}>) is not declared`)
    return { ns, local: name.slice(colon + 1) }
  }
  const { ns, local } = resolve(qname, true)
  const attrs: Record<string, string> = {}
  for (const [key, value] of Object.entries(rawAttrs)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) continue
    const attr = resolve(key, false)
    attrs[attr.ns === '' ? attr.local : `{${attr.ns}}${attr.local}`] = decodeReferences(value, source)
  }
  const children: XmlElement[] = []
  let text = ''
  for (const child of (node[qname] ?? []) as OrderedNode[]) {
    if (typeof child['#text'] === 'string') {
      text += decodeReferences(child['#text'], source)
    } else if (child['#cdata'] !== undefined) {
      for (const part of child['#cdata'] as OrderedNode[]) {
        if (typeof part['#text'] === 'string') text += part['#text']
      }
    } else if (tagName(child) !== undefined) {
      children.push(convert(child, scope, source, depth + 1, maxDepth))
    }
  }
  return { ns, name: local, attrs, children, text }
}

const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));|&/g
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decodeReferences(value: string, source: string): string {
  if (!value.includes('&')) return value
  return value.replace(REFERENCE, (whole, named?: string, decimalCode?: string, hexCode?: string) => {
    if (named !== undefined) return NAMED[named]!
    if (decimalCode !== undefined || hexCode !== undefined) {
      const code = decimalCode !== undefined ? Number(decimalCode) : Number.parseInt(hexCode!, 16)
      const allowed =
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff)
      if (allowed) return String.fromCodePoint(code)
    }
    const end = value.indexOf(';', value.indexOf(whole))
    const reference =
      end > 0 && end - value.indexOf(whole) < 40 ? value.slice(value.indexOf(whole), end + 1) : whole
    const at = source.indexOf(reference)
    const { line, column } = at >= 0 ? position(source, at) : { line: undefined, column: undefined }
    throw new XmlMalformedError(
      `The document uses the entity reference ${reference}, which is not defined; only &lt; &gt; &amp; &quot; &apos; and character references are allowed`,
      line,
      column,
    )
  })
}
