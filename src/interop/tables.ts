// Kysely row types for the interop tables (migrations/0600_interop_events.sql).
import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export interface EventTable {
  org_id: string
  id: Generated<string>
  seq: Generated<number>
  /** Set by the sequencer after commit (migration 0600). */
  position: ColumnType<number | null, never, number>
  type: string
  version: ColumnType<number, number | undefined, number>
  entity_type: string
  entity_id: string
  occurred_at: Timestamp
  personal: ColumnType<boolean, boolean | undefined, boolean>
  payload: ColumnType<Record<string, unknown>, string, string>
}

export interface WebhookSubscriptionTable {
  org_id: string
  id: string
  url: string
  description: string | null
  event_types: string[]
  scope: ColumnType<'org' | 'cluster', 'org' | 'cluster' | undefined, 'org' | 'cluster'>
  status: ColumnType<'active' | 'paused', 'active' | 'paused' | undefined, 'active' | 'paused'>
  secret: string
  previous_secret: ColumnType<string | null, string | null | undefined, string | null>
  previous_secret_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  created_by: string | null
  created_at: Timestamp
}

export interface WebhookCursorTable {
  org_id: string
  subscription_id: string
  position: ColumnType<number, number | undefined, number>
  attempts: ColumnType<number, number | undefined, number>
  next_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  last_error: ColumnType<string | null, string | null | undefined, string | null>
  leased_by: ColumnType<string | null, string | null | undefined, string | null>
  leased_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

export interface WebhookDeliveryTable {
  org_id: string
  id: Generated<number>
  subscription_id: string
  event_id: string
  event_org_id: string
  attempt: number
  attempted_at: Timestamp
  duration_ms: number
  status_code: number | null
  outcome: 'delivered' | 'failed'
  error: string | null
}

declare module '../platform/db/index.ts' {
  interface Tables {
    events: EventTable
    webhook_subscriptions: WebhookSubscriptionTable
    webhook_cursors: WebhookCursorTable
    webhook_deliveries: WebhookDeliveryTable
  }
}
