// Companies House registration numbers: always 8 characters, either 8 digits (England and Wales
// companies, zero-padded) or a 2-character prefix naming the register and 6 digits. Companies
// House publishes no check digit, so this checks the form only; the register says whether it exists.

/** Prefixes Companies House uses, with the register each stands for. */
export const COMPANY_NUMBER_PREFIXES: Readonly<Record<string, string>> = {
  SC: 'Scottish company',
  NI: 'Northern Ireland company',
  R0: 'Northern Ireland company registered before partition',
  OC: 'Limited liability partnership, England and Wales',
  SO: 'Limited liability partnership, Scotland',
  NC: 'Limited liability partnership, Northern Ireland',
  LP: 'Limited partnership, England and Wales',
  SL: 'Limited partnership, Scotland',
  NL: 'Limited partnership, Northern Ireland',
  FC: 'Overseas company',
  SF: 'Overseas company registered in Scotland',
  NF: 'Overseas company registered in Northern Ireland',
  BR: 'Overseas company branch',
  GE: 'European Economic Interest Grouping, England and Wales',
  GS: 'European Economic Interest Grouping, Scotland',
  GN: 'European Economic Interest Grouping, Northern Ireland',
  CE: 'Charitable incorporated organisation, England and Wales',
  CS: 'Charitable incorporated organisation, Scotland',
  IC: 'Investment company with variable capital, England and Wales',
  SI: 'Investment company with variable capital, Scotland',
  NV: 'Investment company with variable capital, Northern Ireland',
  IP: 'Industrial and provident society, England and Wales',
  SP: 'Industrial and provident society, Scotland',
  NP: 'Industrial and provident society, Northern Ireland',
  RC: 'Royal charter company, England and Wales',
  SR: 'Royal charter company, Scotland',
  NR: 'Royal charter company, Northern Ireland',
  AC: 'Assurance company, England and Wales',
  SA: 'Assurance company, Scotland',
  NA: 'Assurance company, Northern Ireland',
  ZC: 'Unregistered company, England and Wales',
  SZ: 'Unregistered company, Scotland',
  NZ: 'Unregistered company, Northern Ireland',
  SE: 'European public limited-liability company (SE)',
}

export type CompanyNumberCheck =
  | {
      readonly ok: true
      /** Always 8 characters, e.g. "00000006", "SC012345". */
      readonly companyNumber: string
      readonly prefix: string | null
      readonly register: string
    }
  | { readonly ok: false; readonly reason: string }

/** Normalises ("sc 12345" → "SC012345", "6" → "00000006") and checks the form. */
export function validateCompanyNumber(input: string): CompanyNumberCheck {
  const cleaned = input.replace(/\s/g, '').toUpperCase()
  if (/^\d{1,8}$/.test(cleaned)) {
    if (/^0+$/.test(cleaned)) return { ok: false, reason: 'A company number cannot be all zeros' }
    return {
      ok: true,
      companyNumber: cleaned.padStart(8, '0'),
      prefix: null,
      register: 'Company, England and Wales',
    }
  }
  const match = /^([A-Z][A-Z0-9])(\d{1,6})$/.exec(cleaned)
  if (!match) {
    return {
      ok: false,
      reason: `"${input}" is not a company number: expected up to 8 digits, or 2 letters (like SC) and up to 6 digits`,
    }
  }
  const [, prefix, digits] = match as unknown as [string, string, string]
  const register = COMPANY_NUMBER_PREFIXES[prefix]
  if (!register) return { ok: false, reason: `${prefix} is not a Companies House prefix` }
  if (/^0+$/.test(digits))
    return { ok: false, reason: 'A company number cannot be all zeros after its prefix' }
  return { ok: true, companyNumber: prefix + digits.padStart(6, '0'), prefix, register }
}
