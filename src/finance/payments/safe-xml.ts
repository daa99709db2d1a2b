// Parsing XML that arrives from outside (bank statements, returned files). Bank messages never
// need a DTD, so any DOCTYPE or ENTITY declaration is refused before parsing: that closes entity
// expansion ("billion laughs") and external entities. Size is capped, malformed or truncated input
// is reported with its line and column, and values stay text so amounts never pass through floats.

import { XMLParser, XMLValidator } from 'fast-xml-parser'

/** Thrown when input is refused or is not well-formed XML; the message says why and where. */
export class XmlInputError extends Error {}

/** 50 MiB: a year of daily statements for a busy account is well under this. */
export const XML_INPUT_BYTES_MAX = 50 * 1024 * 1024
/** ISO 20022 messages nest about 15 deep; anything far deeper is not one. */
const NESTING_DEPTH_MAX = 64

export type XmlNode = { readonly [key: string]: XmlValue }
export type XmlValue = string | XmlNode | readonly XmlValue[]

export function parseXmlSafely(
  text: string,
  options: { arrayElements: ReadonlySet<string>; bytesMax?: number; what: string },
): XmlNode {
  const bytesMax = options.bytesMax ?? XML_INPUT_BYTES_MAX
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > bytesMax) {
    throw new XmlInputError(`The ${options.what} is ${bytes} bytes; the limit is ${bytesMax}`)
  }
  const body = text.replace(/^\uFEFF/, '')
  if (body.trim() === '') throw new XmlInputError(`The ${options.what} is empty`)
  if (/<!DOCTYPE/i.test(body) || /<!ENTITY/i.test(body)) {
    throw new XmlInputError(
      `The ${options.what} declares a DOCTYPE or ENTITY; bank messages never need one, so it is refused`,
    )
  }
  const validation = XMLValidator.validate(body)
  if (validation !== true) {
    const { msg, line, col } = validation.err
    throw new XmlInputError(
      `The ${options.what} is not well-formed XML (line ${line}, column ${col}): ${msg}. Was the file cut short?`,
    )
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: true,
    htmlEntities: false,
    maxNestedTags: NESTING_DEPTH_MAX,
    isArray: (name, _path, _isLeaf, isAttribute) => !isAttribute && options.arrayElements.has(name),
  })
  try {
    return parser.parse(body) as XmlNode
  } catch (error) {
    throw new XmlInputError(`The ${options.what} could not be read: ${(error as Error).message}`)
  }
}

// Small typed accessors over the parsed tree: a missing element is undefined, never a crash.

export function child(node: XmlValue | undefined, name: string): XmlNode | undefined {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined
  const value = (node as XmlNode)[name]
  if (value === undefined || typeof value === 'string' || Array.isArray(value)) return undefined
  return value as XmlNode
}

export function children(node: XmlValue | undefined, name: string): readonly XmlNode[] {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return []
  const value = (node as XmlNode)[name]
  if (value === undefined) return []
  const list = Array.isArray(value) ? value : [value]
  return list.filter((item): item is XmlNode => typeof item === 'object' && !Array.isArray(item))
}

/** Text of an element; for an element with attributes the text is under "#text". */
export function text(node: XmlValue | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined
  const value = (node as XmlNode)[name]
  if (typeof value === 'string') return value
  if (value && !Array.isArray(value) && typeof value === 'object') {
    const inner = (value as XmlNode)['#text']
    if (typeof inner === 'string') return inner
  }
  return undefined
}

export function texts(node: XmlValue | undefined, name: string): string[] {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return []
  const value = (node as XmlNode)[name]
  if (value === undefined) return []
  const list = Array.isArray(value) ? value : [value]
  return list.flatMap((item) => {
    if (typeof item === 'string') return [item]
    const inner =
      item && typeof item === 'object' && !Array.isArray(item) ? (item as XmlNode)['#text'] : undefined
    return typeof inner === 'string' ? [inner] : []
  })
}

export function attribute(node: XmlValue | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined
  const value = (node as XmlNode)[`@${name}`]
  return typeof value === 'string' ? value : undefined
}

/** Follows a path of single elements: path(doc, 'Document', 'BkToCstmrStmt'). */
export function path(node: XmlValue | undefined, ...names: string[]): XmlNode | undefined {
  let current: XmlNode | undefined = node as XmlNode | undefined
  for (const name of names) current = child(current, name)
  return current
}
