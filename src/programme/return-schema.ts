// The quarterly return: one shape for every organisation, whether GSS computes it from the
// platform's own data or a body not yet on the platform submits it (API, CSV or XLSX upload, or a
// cluster deployment pushing to the hub). Published as JSON Schema at
// /api/v1/programme/returns/schema (and as the canonical record 'return'); the CSV/XLSX template
// is the same fields flattened to dotted names (see FLAT_FIELDS).
//
// Every figure may be null (not known): that lowers the completeness score but is not invalid.
// Percentages are 0-100 with at most one decimal place; money is integer pence.
import { type Static, Type } from 'typebox'

export const RETURN_SCHEMA_VERSION = '1.0'

const Count = Type.Union([Type.Integer({ minimum: 0, maximum: 100_000_000 }), Type.Null()])
const Pence = Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000_000_000_00 }), Type.Null()])
const Percent = Type.Union([Type.Number({ minimum: 0, maximum: 100, multipleOf: 0.1 }), Type.Null()])
const Fte = Type.Union([Type.Number({ minimum: 0, maximum: 100_000_000, multipleOf: 0.01 }), Type.Null()])

export const ReturnFigures = Type.Object(
  {
    schemaVersion: Type.Literal(RETURN_SCHEMA_VERSION),
    /** The organisation's code in the platform directory. */
    organisation: Type.String({ pattern: '^[a-z0-9-]{2,60}$' }),
    quarter: Type.String({ pattern: '^[0-9]{4}-Q[1-4]$' }),
    migrationStatus: Type.Union([
      Type.Literal('not_planned'),
      Type.Literal('planned'),
      Type.Literal('migrating'),
      Type.Literal('live'),
    ]),
    workforce: Type.Object(
      {
        /** People employed on the last day of the quarter. */
        headcount: Count,
        /** Full-time equivalent on the last day of the quarter. */
        fte: Fte,
        joiners: Count,
        leavers: Count,
      },
      { additionalProperties: false },
    ),
    payroll: Type.Object(
      {
        /** Payslips paid in the quarter. */
        payslips: Count,
        grossPayPence: Pence,
      },
      { additionalProperties: false },
    ),
    finance: Type.Object(
      {
        /** Supplier invoices received in the quarter. */
        invoicesProcessed: Count,
        /** Of undisputed valid invoices paid in the quarter: paid within 5 and within 30 days of receipt. */
        paidWithin5DaysPercent: Percent,
        paidWithin30DaysPercent: Percent,
        /** Back-office running cost in the quarter (HR, payroll, finance and procurement operations). */
        backOfficeCostPence: Pence,
        /** backOfficeCostPence / (payslips + invoicesProcessed), rounded to the penny. */
        costPerTransactionPence: Pence,
      },
      { additionalProperties: false },
    ),
    convergence: Type.Object(
      {
        /** 100 when every account posted to is on the common chart of accounts, else the share of lines that are. */
        commonChartOfAccountsPercent: Percent,
        invoicesWithPurchaseOrderPercent: Percent,
        jmlThroughStandardProcessPercent: Percent,
        hrDataStandardCompletenessPercent: Percent,
        straightThroughInvoicesPercent: Percent,
        standardPayElementsPercent: Percent,
      },
      { additionalProperties: false },
    ),
    /** Written explanations, keyed by dotted field name, for large swings against the previous quarter. */
    explanations: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-zA-Z.]+$' }), Type.String({ minLength: 10, maxLength: 2000 })),
    ),
  },
  { additionalProperties: false },
)
export type ReturnFigures = Static<typeof ReturnFigures>

export type Provenance = 'computed' | 'submitted' | 'estimated'

/** The figures as dotted names: the CSV/XLSX template's columns after organisation and quarter. */
export const FIGURE_FIELDS = [
  'workforce.headcount',
  'workforce.fte',
  'workforce.joiners',
  'workforce.leavers',
  'payroll.payslips',
  'payroll.grossPayPence',
  'finance.invoicesProcessed',
  'finance.paidWithin5DaysPercent',
  'finance.paidWithin30DaysPercent',
  'finance.backOfficeCostPence',
  'finance.costPerTransactionPence',
  'convergence.commonChartOfAccountsPercent',
  'convergence.invoicesWithPurchaseOrderPercent',
  'convergence.jmlThroughStandardProcessPercent',
  'convergence.hrDataStandardCompletenessPercent',
  'convergence.straightThroughInvoicesPercent',
  'convergence.standardPayElementsPercent',
] as const
export type FigureField = (typeof FIGURE_FIELDS)[number]

/** The template's columns, in order. */
export const FLAT_FIELDS = ['organisation', 'quarter', 'migrationStatus', ...FIGURE_FIELDS] as const

/** Reads a dotted figure from a return. */
export function figure(figures: ReturnFigures, field: FigureField): number | null {
  const [group, name] = field.split('.') as [keyof ReturnFigures, string]
  const value = (figures[group] as Record<string, number | null>)[name]
  return value ?? null
}
