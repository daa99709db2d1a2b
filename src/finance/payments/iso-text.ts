// Text in ISO 20022 payment messages. Banks (and SEPA and CBPR+ rules) accept only the "Latin"
// set: a-z A-Z 0-9 / - ? : ( ) . , ' + and space. GSS transliterates what it safely can (accents,
// typographic quotes and dashes, ß, æ, ø, & → "and") and refuses the rest with the characters named,
// rather than let a bank reject the whole file or silently change a name.

const ALLOWED = /^[A-Za-z0-9/\-?:().,'+ ]*$/
const NOT_ALLOWED = /[^A-Za-z0-9/\-?:().,'+ ]/gu

const REPLACEMENTS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
  ħ: 'h',
  Ħ: 'H',
  ŋ: 'n',
  Ŋ: 'N',
  '&': 'and',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '`': "'",
  '´': "'",
  '"': "'",
  '“': "'",
  '”': "'",
  '„': "'",
  '–': '-',
  '—': '-',
  '‐': '-',
  _: '-',
  ';': ',',
  '!': '.',
  '\t': ' ',
  '\n': ' ',
  '\r': ' ',
  '\u00a0': ' ',
}

export type IsoTextResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string }

/** Transliterates to the ISO 20022 Latin set, collapsing runs of spaces; refuses what it cannot map. */
export function toIsoLatin(input: string): IsoTextResult {
  let text = ''
  for (const character of input.normalize('NFC')) {
    const replacement = REPLACEMENTS[character]
    if (replacement !== undefined) {
      text += character === '&' ? ` ${replacement} ` : replacement
      continue
    }
    // Letters with accents: decompose and drop the combining marks (é → e, Ł has its own entry).
    text += character.normalize('NFD').replace(/\p{M}/gu, '')
  }
  text = text.replace(/ {2,}/g, ' ').trim()
  if (ALLOWED.test(text)) return { ok: true, text }
  const offending = [...new Set(text.match(NOT_ALLOWED) ?? [])].join(' ')
  return {
    ok: false,
    reason: `has characters banks will not accept and GSS cannot transliterate: ${offending}`,
  }
}

/**
 * Identifiers (message, payment and end-to-end ids) are stricter: no spaces, and no leading,
 * trailing or doubled "/" (the SEPA and CBPR+ rule most UK banks apply to all payments).
 */
export function checkIsoIdentifier(value: string, maxLengthChars: number): string | null {
  if (value.length === 0 || value.length > maxLengthChars) return `must be 1 to ${maxLengthChars} characters`
  if (!/^[A-Za-z0-9/\-?:().,'+]+$/.test(value)) {
    return "may only use letters, digits and / - ? : ( ) . , ' + (no spaces)"
  }
  if (value.startsWith('/') || value.endsWith('/') || value.includes('//')) {
    return 'must not start or end with "/" or contain "//"'
  }
  return null
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}

/** Escapes text for XML content or attribute values. */
export function escapeXml(text: string): string {
  // Characters XML 1.0 forbids outright cannot be escaped; they must not reach here.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text)) {
    throw new RangeError('Text contains characters that XML cannot carry')
  }
  return text.replace(/[&<>"']/g, (character) => XML_ESCAPES[character]!)
}
