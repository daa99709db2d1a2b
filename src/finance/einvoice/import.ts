// importEInvoice: untrusted UBL bytes in, a normalised e-invoice or every broken rule out.
// Pure: no database, no clock, no network. The payables service stores what it returns.

import type { EInvoice } from './model.ts'
import { parseUbl, readEInvoice } from './parse.ts'
import { type ValidationOptions, type Violation, validate } from './rules.ts'
import { EInvoiceInputError, type XmlLimits } from './xml.ts'

export type ImportResult =
  | { ok: true; invoice: EInvoice; warnings: Violation[] }
  | { ok: false; errors: Violation[] }

export interface ImportOptions extends ValidationOptions {
  limits?: Partial<XmlLimits>
}

/**
 * Parses, validates and normalises a UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0 /
 * EN 16931). A document with any fatal violation is refused, and `errors` names every broken rule
 * (fatal and warning). Input that is not safe, well-formed UTF-8 XML, or not UBL at all, is refused
 * with one violation whose rule is the refusal's code (GSS-XML-DOCTYPE, GSS-XML-MALFORMED, ...).
 */
export function importEInvoice(xml: string | Uint8Array, options: ImportOptions = {}): ImportResult {
  let document: ReturnType<typeof parseUbl>
  try {
    document = parseUbl(xml, options.limits)
  } catch (error) {
    if (error instanceof EInvoiceInputError) {
      return {
        ok: false,
        errors: [{ rule: error.code, severity: 'fatal', message: error.message, path: '/' }],
      }
    }
    throw error
  }
  const violations = validate(document, options)
  if (violations.some((violation) => violation.severity === 'fatal')) return { ok: false, errors: violations }
  return { ok: true, invoice: readEInvoice(document), warnings: violations }
}
