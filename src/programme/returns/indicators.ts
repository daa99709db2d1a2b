// The definitions behind a computed quarterly return (decision 0501): which organisations get one,
// what counts as back-office cost, which pay elements are standard, and which HR data standard
// fields are counted for completeness. Kept apart from the SQL (compute.ts) so the decision record,
// the tests and the computation name the same lists.

/** Organisations whose return GSS computes: those whose back office runs on the platform. */
export const ON_PLATFORM_STATUSES = ['live', 'migrating'] as const

/**
 * Cost centres that hold back-office running cost (HR, payroll, finance and procurement
 * operations): the platform's standard codes for corporate services (CORP), finance and
 * commercial (FIN) and people (PPL), as the finance demo and `gss demo --scale` create them.
 * There is no back-office flag on a cost centre yet; an organisation that books its back office
 * elsewhere shows a back-office cost of 0 (see decision 0501, "what the figures do not say").
 */
export const BACK_OFFICE_COST_CENTRES = ['CORP', 'FIN', 'PPL'] as const

/**
 * Pay element kinds on the standard element list. Every kind the platform holds has one meaning
 * across organisations except 'one-off', the free-text catch-all for a local payment that has no
 * standard element: converging pay means paying through the standard kinds instead.
 */
export const STANDARD_PAY_ELEMENT_KINDS = [
  'allowance',
  'overtime',
  'back-pay',
  'deduction',
  'salary-sacrifice',
  'ssp',
  'smp',
  'unpaid-leave',
] as const

/**
 * The HR data standard (GovS 003) fields counted for completeness, for each employment in force on
 * the quarter's last day. The standard's "always present" columns are enforced by the database
 * (NOT NULL), so counting them would only dilute the figure; these are the ones GSS holds but does
 * not force. Conditional fields count only where they apply.
 */
export const HR_STANDARD_FIELDS = [
  { field: 'work_town', area: 'core-employee-profile', appliesTo: 'every employment' },
  {
    field: 'expected_end_date',
    area: 'core-employee-profile',
    appliesTo: 'fixed-term contracts, secondments and loans',
  },
  {
    field: 'lent_by_organisation_code',
    area: 'core-employee-profile',
    appliesTo: 'secondments and loans in',
  },
  { field: 'sex', area: 'diversity', appliesTo: 'every employment (prefer-not-to-say is an answer)' },
  { field: 'ethnicity', area: 'diversity', appliesTo: 'every employment' },
  { field: 'disability', area: 'diversity', appliesTo: 'every employment' },
] as const

/** Days from receipt within which an invoice counts as paid promptly (domain guide). */
export const PROMPT_PAYMENT_DAYS = [5, 30] as const

/** part ÷ whole as a percentage to one decimal place, rounded half up in integer arithmetic. */
export function percentOf(part: number, whole: number): number | null {
  if (whole === 0) return null
  const tenths = Math.floor((part * 1000 * 2 + whole) / (whole * 2))
  return tenths / 10
}
