import type { ColumnType } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export const ORGANISATION_KINDS = [
  'ministerial_department',
  'non_ministerial_department',
  'executive_agency',
  'ndpb',
  'other_alb',
] as const
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number]

export const KIND_LABELS: Record<OrganisationKind, string> = {
  ministerial_department: 'Ministerial department',
  non_ministerial_department: 'Non-ministerial department',
  executive_agency: 'Executive agency',
  ndpb: 'Non-departmental public body',
  other_alb: 'Other arm’s-length body',
}

export const ONBOARDING_STATUSES = ['not_planned', 'planned', 'migrating', 'live'] as const
export type OnboardingStatus = (typeof ONBOARDING_STATUSES)[number]

export const ONBOARDING_LABELS: Record<OnboardingStatus, string> = {
  not_planned: 'Not yet planned',
  planned: 'Planned',
  migrating: 'Migrating',
  live: 'Live',
}

export function isDepartment(kind: OrganisationKind): boolean {
  return kind === 'ministerial_department' || kind === 'non_ministerial_department'
}

export interface ClusterTable {
  id: string
  code: string
  name: string
  lead_org_id: string | null
  platform_product: string | null
  description: ColumnType<string, string | undefined, string>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface OrganisationTable {
  id: string
  code: string
  name: string
  abbreviation: string | null
  kind: OrganisationKind
  sponsor_id: string | null
  cluster_id: string | null
  cluster_divergence_reason: string | null
  onboarding_status: ColumnType<OnboardingStatus, OnboardingStatus | undefined, OnboardingStatus>
  onboarding_planned_date: string | null
  onboarding_live_date: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface OnboardingEventTable {
  org_id: string
  id: ColumnType<string, string | undefined, never>
  recorded_at: Timestamp
  recorded_by: string | null
  onboarding_status: OnboardingStatus
  onboarding_planned_date: string | null
  onboarding_live_date: string | null
  note: ColumnType<string, string | undefined, string>
}

declare module '../platform/db/index.ts' {
  interface Tables {
    clusters: ClusterTable
    organisations: OrganisationTable
    onboarding_events: OnboardingEventTable
  }
}
