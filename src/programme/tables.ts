// Kysely row types for the programme tables (migrations/0500_programme.sql).
import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type DateText = ColumnType<string, string, string>
type NullableDate = ColumnType<string | null, string | null | undefined, string | null>
/** numeric columns: read as text, written as text or number. */
type Decimal = ColumnType<string, string | number, string | number>
/** jsonb: read as parsed JSON, written as a JSON string. */
type Json<T> = ColumnType<T, string | undefined, string>
type Demo = ColumnType<boolean, boolean | undefined, boolean>

export type ReturnSource = 'computed' | 'api' | 'csv' | 'xlsx' | 'cluster-push'

export interface ReturnProblem {
  field: string
  rule: string
  message: string
}

export interface ProgrammeReturnTable {
  org_id: string
  quarter: string
  cluster_id: string | null
  current_version: number
  provenance: 'computed' | 'submitted'
  source: ReturnSource
  valid: boolean
  received_at: Timestamp
  due_on: DateText
  late: boolean
  dq_completeness: Decimal
  dq_timeliness: Decimal
  dq_validity: Decimal
  dq_consistency: Decimal
  dq_overall: Decimal
}

export interface ProgrammeReturnVersionTable {
  org_id: string
  quarter: string
  version: number
  cluster_id: string | null
  source: ReturnSource
  figures: Json<Record<string, unknown>>
  provenance: Json<Record<string, 'computed' | 'submitted' | 'estimated'>>
  valid: boolean
  errors: Json<ReturnProblem[]>
  warnings: Json<ReturnProblem[]>
  explanations: Json<Record<string, string>>
  dq: Json<Record<string, number>>
  received_at: Timestamp
  received_by: string | null
  file_name: string | null
  file_sha256: string | null
}

export interface ProgrammeHubPushTable {
  id: Generated<string>
  cluster_id: string | null
  quarter: string
  hub_url: string
  pushed_at: Timestamp
  pushed_by: string | null
  organisations: number
  outcome: 'accepted' | 'rejected' | 'failed'
  http_status: number | null
  detail: ColumnType<string, string | undefined, string>
}

export interface ProgrammeBenefitTable {
  id: string
  cluster_id: string | null
  reference: string
  title: string
  kind: 'cashable' | 'non_cashable'
  description: ColumnType<string, string | undefined, string>
  owner: string
  baseline_pence: ColumnType<number, number | undefined, number>
  demo: Demo
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ProgrammeBenefitYearTable {
  benefit_id: string
  fiscal_year: number
  cluster_id: string | null
  forecast_pence: ColumnType<number, number | undefined, number>
  realised_pence: number | null
  evidence: ColumnType<string, string | undefined, string>
}

export interface ProgrammeCostTable {
  id: string
  cluster_id: string | null
  fiscal_year: number
  title: string
  category: 'implementation' | 'running' | 'programme_team' | 'other'
  budget_pence: number
  spend_source: 'ledger' | 'manual'
  ledger_org_id: string | null
  ledger_cost_centre: string | null
  manual_spend_pence: number | null
  demo: Demo
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ProgrammeFundingTable {
  id: string
  cluster_id: string | null
  spending_review: string
  period_label: string
  requested_low_pence: number
  requested_high_pence: number
  approved_pence: number | null
  decision: ColumnType<
    'pending' | 'approved' | 'part_approved' | 'rejected',
    'pending' | 'approved' | 'part_approved' | 'rejected' | undefined,
    'pending' | 'approved' | 'part_approved' | 'rejected'
  >
  notes: ColumnType<string, string | undefined, string>
  demo: Demo
  created_at: Timestamp
}

export interface ProgrammeRunningCostTable {
  org_id: string
  fiscal_year: number
  cluster_id: string | null
  running_cost_pence: number
  provenance: 'computed' | 'submitted' | 'estimated'
  notes: ColumnType<string, string | undefined, string>
  demo: Demo
}

export type BusinessFunction = 'hr' | 'payroll' | 'finance' | 'procurement'

export interface ProgrammeLegacySystemTable {
  id: string
  cluster_id: string | null
  org_id: string | null
  name: string
  functions: BusinessFunction[]
  supplier: ColumnType<string, string | undefined, string>
  contract_expires_on: DateText
  support_ends_on: NullableDate
  extension_headroom_months: ColumnType<number, number | undefined, number>
  replacement_due_on: NullableDate
  procurement_starts_on: NullableDate
  notes: ColumnType<string, string | undefined, string>
  demo: Demo
  created_at: Timestamp
  updated_at: Timestamp
}

export type RiskLevel = 'organisation' | 'cluster' | 'programme'
export type RiskAppetite = 'averse' | 'minimal' | 'cautious' | 'open' | 'eager'

export interface ProgrammeRiskTable {
  id: string
  cluster_id: string | null
  org_id: string | null
  reference: string
  title: string
  cause: string
  event: string
  effect: string
  category: ColumnType<string, string | undefined, string>
  owner: string
  inherent_likelihood: number
  inherent_impact: number
  residual_likelihood: number
  residual_impact: number
  appetite: RiskAppetite
  level: RiskLevel
  status: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>
  legacy_system_id: string | null
  demo: Demo
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ProgrammeRiskMitigationTable {
  id: string
  risk_id: string
  cluster_id: string | null
  action: string
  owner: string
  due_on: DateText
  status: ColumnType<
    'planned' | 'in_progress' | 'done',
    'planned' | 'in_progress' | 'done' | undefined,
    'planned' | 'in_progress' | 'done'
  >
  created_at: Timestamp
}

export interface ProgrammeRiskEscalationTable {
  id: Generated<string>
  risk_id: string
  cluster_id: string | null
  from_level: string
  to_level: RiskLevel
  reason: string
  escalated_at: Timestamp
  escalated_by: string | null
}

/** The IPA five-point delivery confidence scale. */
export type DeliveryConfidence = 'red' | 'amber_red' | 'amber' | 'amber_green' | 'green'

export interface ProgrammeDeliveryConfidenceTable {
  id: Generated<string>
  cluster_id: string
  assessed_on: DateText
  rating: DeliveryConfidence
  rationale: string
  assessed_by: string | null
  demo: Demo
  created_at: Timestamp
}

declare module '../platform/db/index.ts' {
  interface Tables {
    programme_returns: ProgrammeReturnTable
    programme_return_versions: ProgrammeReturnVersionTable
    programme_hub_pushes: ProgrammeHubPushTable
    programme_benefits: ProgrammeBenefitTable
    programme_benefit_years: ProgrammeBenefitYearTable
    programme_costs: ProgrammeCostTable
    programme_funding: ProgrammeFundingTable
    programme_running_costs: ProgrammeRunningCostTable
    programme_legacy_systems: ProgrammeLegacySystemTable
    programme_risks: ProgrammeRiskTable
    programme_risk_mitigations: ProgrammeRiskMitigationTable
    programme_risk_escalations: ProgrammeRiskEscalationTable
    programme_delivery_confidence: ProgrammeDeliveryConfidenceTable
  }
}
