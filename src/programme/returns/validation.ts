// Validation of a quarterly return on arrival (decision 0500): the published JSON Schema first
// (every Ajv finding becomes a problem naming the dotted field and the rule), then the rules the
// schema cannot say: the return is for the organisation and quarter it was sent for, the quarter
// has started, the figures agree with each other, and large swings against the previous quarter
// carry a written explanation. Every problem is reported at once, never only the first.
import { Ajv, type ErrorObject } from 'ajv'
import { quarter as quarterInfo } from '../quarters.ts'
import { FIGURE_FIELDS, type FigureField, ReturnFigures } from '../return-schema.ts'
import type { ReturnProblem } from '../tables.ts'

// multipleOfPrecision: 88.8 is not an exact multiple of 0.1 in binary floating point.
const ajv = new Ajv({ allErrors: true, strict: false, multipleOfPrecision: 9 })
const validateSchema = ajv.compile(ReturnFigures as object)

/** Figures that are counts or money: a swing is a relative change. */
export const COUNT_FIELDS: readonly FigureField[] = FIGURE_FIELDS.filter(
  (field) => !field.endsWith('Percent'),
)
/** Figures that are percentages: a swing is a change in percentage points. */
export const PERCENT_FIELDS: readonly FigureField[] = FIGURE_FIELDS.filter((field) =>
  field.endsWith('Percent'),
)

/** A count or money figure that moves by more than this share of last quarter's value is a swing. */
export const SWING_RELATIVE_MAX = 0.25
/** A percentage that moves by more than this many points is a swing. */
export const SWING_POINTS_MAX = 15
/** Below these absolute changes nothing is a swing (small bodies' joiners go 2 → 5 and that is normal). */
export const SWING_COUNT_FLOOR = 10
export const SWING_PENCE_FLOOR = 100_000
/** costPerTransactionPence may differ from backOfficeCostPence / transactions by this much (rounding). */
export const COST_PER_TRANSACTION_TOLERANCE_PENCE = 1

export interface ValidationContext {
  /** The organisation code the return was sent for (URL, upload form or cluster push). */
  orgCode: string
  /** The quarter the return was sent for. */
  quarter: string
  receivedAt: Date
  /** The previous quarter's current valid figures, if any: swings are judged against them. */
  previous: Record<string, unknown> | null
}

export interface ValidationResult {
  errors: ReturnProblem[]
  warnings: ReturnProblem[]
  /** Checks that could be made and whether each passed: the consistency score counts them. */
  checks: { field: string; rule: string; passed: boolean }[]
}

/** '/workforce/headcount' → 'workforce.headcount' ('' → '(return)'). */
function dotted(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter(Boolean)
  if (extra) parts.push(extra)
  return parts.length ? parts.join('.') : '(return)'
}

function schemaProblem(issue: ErrorObject): ReturnProblem {
  const params = issue.params as Record<string, unknown>
  switch (issue.keyword) {
    case 'required': {
      const field = dotted(issue.instancePath, String(params.missingProperty))
      return { field, rule: 'required', message: `${field} is required` }
    }
    case 'additionalProperties': {
      const field = dotted(issue.instancePath, String(params.additionalProperty))
      return { field, rule: 'unknown-field', message: `${field} is not a field of the return` }
    }
    case 'type':
      return {
        field: dotted(issue.instancePath),
        rule: 'type',
        message: `${dotted(issue.instancePath)} must be ${params.type === 'integer' ? 'a whole number' : `of type ${String(params.type)}`}${issue.instancePath.split('/').length > 2 ? ' or null' : ''}`,
      }
    case 'minimum':
    case 'maximum':
      return {
        field: dotted(issue.instancePath),
        rule: issue.keyword,
        message: `${dotted(issue.instancePath)} must be ${issue.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}`,
      }
    case 'multipleOf':
      return {
        field: dotted(issue.instancePath),
        rule: 'multipleOf',
        message: `${dotted(issue.instancePath)} must have at most ${String(params.multipleOf) === '0.01' ? 'two decimal places' : 'one decimal place'}`,
      }
    case 'const':
      return {
        field: dotted(issue.instancePath),
        rule: 'const',
        message: `${dotted(issue.instancePath)} must be ${JSON.stringify(params.allowedValue)}`,
      }
    case 'pattern':
      return {
        field: dotted(issue.instancePath),
        rule: 'pattern',
        message: `${dotted(issue.instancePath)} is not in the right format`,
      }
    case 'minLength':
    case 'maxLength':
      return {
        field: dotted(issue.instancePath),
        rule: issue.keyword,
        message: `${dotted(issue.instancePath)} must be ${issue.keyword === 'minLength' ? 'at least' : 'at most'} ${String(params.limit)} characters`,
      }
    default:
      return {
        field: dotted(issue.instancePath),
        rule: issue.keyword,
        message: `${dotted(issue.instancePath)} ${issue.message ?? 'is not valid'}`,
      }
  }
}

/**
 * Ajv reports a union (number or null) failing as one finding per branch plus 'anyOf'; keep the
 * most telling one per field and rule so a person sees one message per mistake.
 */
function schemaProblems(issues: ErrorObject[]): ReturnProblem[] {
  const seen = new Map<string, ReturnProblem>()
  const byField = new Map<string, ReturnProblem[]>()
  for (const issue of issues) {
    const problem = schemaProblem(issue)
    if (issue.keyword === 'anyOf') continue
    // 'must be null' is the other branch of a nullable figure, never the useful message.
    if (issue.keyword === 'type' && (issue.params as { type?: string }).type === 'null') continue
    const key = `${problem.field}|${problem.rule}${problem.rule === 'const' ? problem.message : ''}`
    if (seen.has(key)) continue
    seen.set(key, problem)
    byField.set(problem.field, [...(byField.get(problem.field) ?? []), problem])
  }
  // A union of string literals (migrationStatus) fails as several 'const' findings: say it once.
  const out: ReturnProblem[] = []
  for (const [field, problems] of byField) {
    const consts = problems.filter((problem) => problem.rule === 'const')
    if (consts.length > 1) {
      out.push({
        field,
        rule: 'enum',
        message: `${field} must be one of ${consts.map((problem) => problem.message.split(' must be ')[1]).join(', ')}`,
      })
      out.push(...problems.filter((problem) => problem.rule !== 'const'))
    } else out.push(...problems)
  }
  return out
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A figure as a finite number, or null when missing, null or of the wrong type. */
export function numberAt(figures: unknown, field: string): number | null {
  const [group, name] = field.split('.') as [string, string]
  if (!isRecord(figures)) return null
  const section = figures[group]
  if (!isRecord(section)) return null
  const value = section[name]
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/** Validates a return as received. Pure: the caller supplies the previous quarter's figures. */
export function validateReturn(figures: unknown, context: ValidationContext): ValidationResult {
  const errors: ReturnProblem[] = []
  const warnings: ReturnProblem[] = []
  const checks: ValidationResult['checks'] = []

  if (!validateSchema(figures)) errors.push(...schemaProblems(validateSchema.errors ?? []))
  const body = isRecord(figures) ? figures : {}

  // The return must be for the organisation and quarter it was sent for.
  if (typeof body.organisation === 'string' && body.organisation !== context.orgCode)
    errors.push({
      field: 'organisation',
      rule: 'matches-organisation',
      message: `organisation is "${body.organisation}" but the return was sent for "${context.orgCode}"`,
    })
  if (typeof body.quarter === 'string' && body.quarter !== context.quarter)
    errors.push({
      field: 'quarter',
      rule: 'matches-quarter',
      message: `quarter is "${body.quarter}" but the return was sent for ${context.quarter}`,
    })
  if (typeof body.quarter === 'string' && /^[0-9]{4}-Q[1-4]$/.test(body.quarter)) {
    const { startsOn, endsOn } = quarterInfo(body.quarter)
    const receivedOn = context.receivedAt.toISOString().slice(0, 10)
    if (startsOn > receivedOn)
      errors.push({
        field: 'quarter',
        rule: 'not-future',
        message: `quarter ${body.quarter} has not started yet (it starts on ${startsOn})`,
      })
    else if (endsOn >= receivedOn)
      warnings.push({
        field: 'quarter',
        rule: 'quarter-not-ended',
        message: `quarter ${body.quarter} has not ended yet (it ends on ${endsOn}); figures may change`,
      })
  }

  // Internal consistency: made only when the figures it needs are present.
  const value = (field: FigureField) => numberAt(body, field)
  const headcount = value('workforce.headcount')
  const fte = value('workforce.fte')
  if (headcount !== null && fte !== null) {
    const passed = fte <= headcount
    checks.push({ field: 'workforce.fte', rule: 'fte-within-headcount', passed })
    if (!passed)
      errors.push({
        field: 'workforce.fte',
        rule: 'fte-within-headcount',
        message: `workforce.fte (${fte}) must not be more than workforce.headcount (${headcount})`,
      })
  }
  const within5 = value('finance.paidWithin5DaysPercent')
  const within30 = value('finance.paidWithin30DaysPercent')
  if (within5 !== null && within30 !== null) {
    const passed = within5 <= within30
    checks.push({ field: 'finance.paidWithin5DaysPercent', rule: 'within-5-days-within-30', passed })
    if (!passed)
      errors.push({
        field: 'finance.paidWithin5DaysPercent',
        rule: 'within-5-days-within-30',
        message: `finance.paidWithin5DaysPercent (${within5}) must not be more than finance.paidWithin30DaysPercent (${within30}): an invoice paid within 5 days was also paid within 30`,
      })
  }
  const cost = value('finance.backOfficeCostPence')
  const payslips = value('payroll.payslips')
  const invoices = value('finance.invoicesProcessed')
  const perTransaction = value('finance.costPerTransactionPence')
  if (cost !== null && payslips !== null && invoices !== null && perTransaction !== null) {
    const transactions = payslips + invoices
    if (transactions > 0) {
      const expected = Math.round(cost / transactions)
      const passed = Math.abs(perTransaction - expected) <= COST_PER_TRANSACTION_TOLERANCE_PENCE
      checks.push({ field: 'finance.costPerTransactionPence', rule: 'cost-per-transaction', passed })
      if (!passed)
        errors.push({
          field: 'finance.costPerTransactionPence',
          rule: 'cost-per-transaction',
          message: `finance.costPerTransactionPence (${perTransaction}) must equal finance.backOfficeCostPence / (payroll.payslips + finance.invoicesProcessed) = ${expected}, to within 1p`,
        })
    } else if (perTransaction !== 0) {
      checks.push({ field: 'finance.costPerTransactionPence', rule: 'cost-per-transaction', passed: false })
      errors.push({
        field: 'finance.costPerTransactionPence',
        rule: 'cost-per-transaction',
        message: 'finance.costPerTransactionPence must be 0 when there were no payslips or invoices',
      })
    }
  }
  const grossPay = value('payroll.grossPayPence')
  if (payslips === 0 && grossPay !== null && grossPay > 0)
    warnings.push({
      field: 'payroll.grossPayPence',
      rule: 'pay-without-payslips',
      message: 'payroll.grossPayPence is more than 0 but payroll.payslips is 0',
    })

  // Swings against the previous quarter's current valid return need a written explanation.
  const explanations = isRecord(body.explanations) ? body.explanations : {}
  for (const key of Object.keys(explanations))
    if (!(FIGURE_FIELDS as readonly string[]).includes(key))
      errors.push({
        field: `explanations.${key}`,
        rule: 'unknown-field',
        message: `explanations.${key} does not name a figure of the return`,
      })
  if (context.previous) {
    for (const field of FIGURE_FIELDS) {
      const now = value(field)
      const before = numberAt(context.previous, field)
      if (now === null || before === null) continue
      const change = Math.abs(now - before)
      let swing: string | null = null
      if (PERCENT_FIELDS.includes(field)) {
        if (change > SWING_POINTS_MAX)
          swing = `moved ${Number(change.toFixed(1))} points (from ${before} to ${now}); more than ${SWING_POINTS_MAX} points`
      } else {
        const floor = field.endsWith('Pence') ? SWING_PENCE_FLOOR : SWING_COUNT_FLOOR
        if (change >= floor && (before === 0 || change / before > SWING_RELATIVE_MAX))
          swing = `changed by ${before === 0 ? 'more than 100' : Math.round((change / before) * 100)}% (from ${before} to ${now}); more than ${SWING_RELATIVE_MAX * 100}%`
      }
      const explanation = explanations[field]
      const explained = typeof explanation === 'string' && explanation.trim().length >= 10
      checks.push({ field, rule: 'swing-explained', passed: swing === null || explained })
      if (swing && !explained)
        errors.push({
          field,
          rule: 'swing-needs-explanation',
          message: `${field} ${swing} against the previous quarter: give a written explanation in explanations["${field}"]`,
        })
    }
  }
  return { errors, warnings, checks }
}
