-- Programme oversight (issue 7): quarterly returns (computed from the platform's own data or
-- submitted by bodies not yet on it), and the programme's registers: benefits, costs, funding,
-- running costs, legacy systems, risks and delivery confidence. Every figure here is an aggregate;
-- nothing personal is stored, so programme analysts may read all of it within their scope.
--
-- Who sees what (decision 0500): two tenant settings written by Database.enterTenant from the
-- principal's grants, each 'all' or a comma-separated list of organisation ids:
--   gss.programme_read    organisations where the caller holds programme:read
--   gss.programme_manage  organisations where the caller holds programme:manage
-- A cluster-level row is visible when one of the listed organisations is in that cluster;
-- a programme-wide row (cluster_id null) is readable by any programme reader and changed only by
-- platform-wide managers. Returns are also visible and writable for organisations the caller may
-- act for (a body's own returns_submitter submits its own return).

create function gss_programme_setting(p_manage boolean) returns text
  language sql stable
  as $$ select coalesce(current_setting(case when p_manage then 'gss.programme_manage' else 'gss.programme_read' end, true), '') $$;

create function gss_programme_orgs(p_manage boolean) returns uuid[]
  language sql stable
  as $$ select case when gss_programme_setting(p_manage) in ('', 'all') then '{}'::uuid[]
    else string_to_array(gss_programme_setting(p_manage), ',')::uuid[] end $$;

-- May the caller see (p_manage false) or change (true) a row of this cluster (null: programme-wide)?
create function gss_programme_can(p_cluster uuid, p_manage boolean) returns boolean
  language sql stable
  as $$
  select gss_all_orgs() or gss_programme_setting(p_manage) = 'all'
    or (p_cluster is null and not p_manage and gss_programme_setting(false) <> '')
    or (p_cluster is not null and exists (
      select 1 from organisations o where o.cluster_id = p_cluster and o.id = any (gss_programme_orgs(p_manage))))
  $$;

-- May the caller see or change an organisation's return?
create function gss_programme_can_org(p_org uuid, p_manage boolean) returns boolean
  language sql stable
  as $$
  select gss_all_orgs() or gss_programme_setting(p_manage) = 'all'
    or p_org = any (gss_programme_orgs(p_manage)) or p_org = any (gss_org_ids())
  $$;

create function gss_programme_scoped(tbl regclass) returns void
  language plpgsql
  as $$
begin
  execute format('alter table %s enable row level security', tbl);
  execute format('create policy programme_read on %s for select using (gss_programme_can(cluster_id, false))', tbl);
  execute format('create policy programme_insert on %s for insert with check (gss_programme_can(cluster_id, true))', tbl);
  execute format('create policy programme_update on %s for update using (gss_programme_can(cluster_id, true)) '
    'with check (gss_programme_can(cluster_id, true))', tbl);
  execute format('create policy programme_delete on %s for delete using (gss_programme_can(cluster_id, true))', tbl);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Quarterly returns. A quarter is named by the fiscal year it starts in: '2026-Q1' is April to
-- June 2026 (fiscal year 2026-27), '2026-Q4' is January to March 2027. The return is due 30 days
-- after the quarter ends (src/programme/quarters.ts).
-- ---------------------------------------------------------------------------------------------

-- The latest version of each organisation's return, with its scores: what dashboards read.
create table programme_returns (
  org_id uuid not null references organisations (id),
  quarter text not null check (quarter ~ '^[0-9]{4}-Q[1-4]$'),
  -- The organisation's cluster when the return was received (denormalised for cluster views).
  cluster_id uuid references clusters (id),
  current_version integer not null check (current_version >= 1),
  -- computed: generated from the platform's data; submitted: sent by the body (API, upload, hub push).
  provenance text not null check (provenance in ('computed', 'submitted')),
  source text not null check (source in ('computed', 'api', 'csv', 'xlsx', 'cluster-push')),
  valid boolean not null,
  received_at timestamptz not null,
  due_on date not null,
  late boolean not null,
  -- Data-quality scores, 0-100 with one decimal (method: docs/decisions/0500).
  dq_completeness numeric(4, 1) not null check (dq_completeness between 0 and 100),
  dq_timeliness numeric(4, 1) not null check (dq_timeliness between 0 and 100),
  dq_validity numeric(4, 1) not null check (dq_validity between 0 and 100),
  dq_consistency numeric(4, 1) not null check (dq_consistency between 0 and 100),
  dq_overall numeric(4, 1) not null check (dq_overall between 0 and 100),
  primary key (org_id, quarter)
);
create index programme_returns_quarter on programme_returns (quarter, cluster_id);
alter table programme_returns enable row level security;
create policy programme_read on programme_returns for select using (gss_programme_can_org(org_id, false));
create policy programme_insert on programme_returns for insert with check (gss_programme_can_org(org_id, true));
create policy programme_update on programme_returns for update
  using (gss_programme_can_org(org_id, true)) with check (gss_programme_can_org(org_id, true));
grant select, insert, update on programme_returns to gss_app;
select gss_audited('programme_returns');

-- Every version ever received or generated: a resubmission adds a version, never overwrites.
create table programme_return_versions (
  org_id uuid not null references organisations (id),
  quarter text not null check (quarter ~ '^[0-9]{4}-Q[1-4]$'),
  version integer not null check (version >= 1),
  cluster_id uuid references clusters (id),
  source text not null check (source in ('computed', 'api', 'csv', 'xlsx', 'cluster-push')),
  -- The return as the published JSON Schema describes it (src/programme/return-schema.ts).
  figures jsonb not null,
  -- Per figure: 'computed' | 'submitted' | 'estimated' (keys as in figures, dotted for nested).
  provenance jsonb not null default '{}',
  valid boolean not null,
  -- [{ field, rule, message }] that made the version invalid; warnings do not.
  errors jsonb not null default '[]',
  warnings jsonb not null default '[]',
  -- { field: text } written explanations for large swings against the previous quarter.
  explanations jsonb not null default '{}',
  dq jsonb not null default '{}',
  received_at timestamptz not null default now(),
  received_by uuid,
  -- For uploads: the file's name and SHA-256, so a version can be traced to what was sent.
  file_name text,
  file_sha256 text,
  primary key (org_id, quarter, version),
  foreign key (org_id, quarter) references programme_returns (org_id, quarter) deferrable initially deferred
);
alter table programme_return_versions enable row level security;
create policy programme_read on programme_return_versions for select using (gss_programme_can_org(org_id, false));
create policy programme_insert on programme_return_versions for insert with check (gss_programme_can_org(org_id, true));
grant select, insert on programme_return_versions to gss_app;
select gss_audited('programme_return_versions');

-- A cluster deployment's pushes of its returns to the hub, and the hub's answers.
create table programme_hub_pushes (
  id uuid primary key default gen_random_uuid(),
  cluster_id uuid references clusters (id),
  quarter text not null check (quarter ~ '^[0-9]{4}-Q[1-4]$'),
  hub_url text not null,
  pushed_at timestamptz not null default now(),
  pushed_by uuid,
  organisations integer not null,
  outcome text not null check (outcome in ('accepted', 'rejected', 'failed')),
  http_status integer,
  detail text not null default ''
);
select gss_programme_scoped('programme_hub_pushes');
grant select, insert on programme_hub_pushes to gss_app;
select gss_audited('programme_hub_pushes');

-- ---------------------------------------------------------------------------------------------
-- Money: benefits, programme costs, funding, running costs (value for money of joining).
-- ---------------------------------------------------------------------------------------------
create table programme_benefits (
  id uuid primary key,
  cluster_id uuid references clusters (id),
  reference text not null unique check (reference ~ '^[A-Z0-9][A-Z0-9-]{1,30}$'),
  title text not null check (length(title) between 3 and 200),
  kind text not null check (kind in ('cashable', 'non_cashable')),
  description text not null default '',
  owner text not null,
  baseline_pence bigint not null default 0 check (baseline_pence >= 0),
  demo boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
select gss_programme_scoped('programme_benefits');
grant select, insert, update on programme_benefits to gss_app;
select gss_audited('programme_benefits');

-- The forecast profile by fiscal year, and what was realised with its evidence.
create table programme_benefit_years (
  benefit_id uuid not null references programme_benefits (id),
  fiscal_year integer not null check (fiscal_year between 2000 and 2100),
  cluster_id uuid references clusters (id),
  forecast_pence bigint not null default 0 check (forecast_pence >= 0),
  realised_pence bigint check (realised_pence >= 0),
  evidence text not null default '',
  primary key (benefit_id, fiscal_year),
  constraint realised_needs_evidence check (realised_pence is null or realised_pence = 0 or length(evidence) >= 10)
);
select gss_programme_scoped('programme_benefit_years');
grant select, insert, update, delete on programme_benefit_years to gss_app;
select gss_audited('programme_benefit_years');

-- Programme cost lines: a budget per fiscal year, spend to date either from the ledger (an
-- organisation on the platform and a cost centre there) or recorded by hand with its provenance.
create table programme_costs (
  id uuid primary key,
  cluster_id uuid references clusters (id),
  fiscal_year integer not null check (fiscal_year between 2000 and 2100),
  title text not null check (length(title) between 3 and 200),
  category text not null check (category in ('implementation', 'running', 'programme_team', 'other')),
  budget_pence bigint not null check (budget_pence >= 0),
  spend_source text not null check (spend_source in ('ledger', 'manual')),
  ledger_org_id uuid references organisations (id),
  ledger_cost_centre text,
  manual_spend_pence bigint check (manual_spend_pence >= 0),
  demo boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint spend_source_fields check (
    (spend_source = 'ledger' and ledger_org_id is not null and ledger_cost_centre is not null and manual_spend_pence is null)
    or (spend_source = 'manual' and ledger_org_id is null and manual_spend_pence is not null))
);
select gss_programme_scoped('programme_costs');
grant select, insert, update on programme_costs to gss_app;
select gss_audited('programme_costs');

-- Funding requested against approved, per spending review period.
create table programme_funding (
  id uuid primary key,
  cluster_id uuid references clusters (id),
  spending_review text not null check (length(spending_review) between 2 and 40),
  period_label text not null check (length(period_label) between 4 and 40),
  requested_low_pence bigint not null check (requested_low_pence >= 0),
  requested_high_pence bigint not null check (requested_high_pence >= requested_low_pence),
  approved_pence bigint check (approved_pence >= 0),
  decision text not null default 'pending' check (decision in ('pending', 'approved', 'part_approved', 'rejected')),
  notes text not null default '',
  demo boolean not null default false,
  created_at timestamptz not null default now()
);
select gss_programme_scoped('programme_funding');
grant select, insert, update on programme_funding to gss_app;
select gss_audited('programme_funding');

-- A department's current back-office running cost, for value for money of joining its cluster
-- (its share of the cluster's cost is computed by headcount share).
create table programme_running_costs (
  org_id uuid not null references organisations (id),
  fiscal_year integer not null check (fiscal_year between 2000 and 2100),
  cluster_id uuid references clusters (id),
  running_cost_pence bigint not null check (running_cost_pence >= 0),
  provenance text not null check (provenance in ('computed', 'submitted', 'estimated')),
  notes text not null default '',
  demo boolean not null default false,
  primary key (org_id, fiscal_year)
);
select gss_programme_scoped('programme_running_costs');
grant select, insert, update on programme_running_costs to gss_app;
select gss_audited('programme_running_costs');

-- ---------------------------------------------------------------------------------------------
-- Legacy systems and their contracts.
-- ---------------------------------------------------------------------------------------------
create table programme_legacy_systems (
  id uuid primary key,
  cluster_id uuid references clusters (id),
  org_id uuid references organisations (id),
  name text not null check (length(name) between 2 and 200),
  functions text[] not null check (functions <@ array['hr', 'payroll', 'finance', 'procurement']::text[] and cardinality(functions) >= 1),
  supplier text not null default '',
  contract_expires_on date not null,
  support_ends_on date,
  -- Extension options left on the contract, in months.
  extension_headroom_months integer not null default 0 check (extension_headroom_months >= 0),
  replacement_due_on date,
  -- When the replacement procurement goes to market (for the stagger timeline).
  procurement_starts_on date,
  notes text not null default '',
  demo boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
select gss_programme_scoped('programme_legacy_systems');
grant select, insert, update on programme_legacy_systems to gss_app;
select gss_audited('programme_legacy_systems');

-- ---------------------------------------------------------------------------------------------
-- Risks (HM Treasury Orange Book) and delivery confidence (IPA five-point scale).
-- ---------------------------------------------------------------------------------------------
create table programme_risks (
  id uuid primary key,
  cluster_id uuid references clusters (id),
  org_id uuid references organisations (id),
  reference text not null unique check (reference ~ '^[A-Z0-9][A-Z0-9-]{1,30}$'),
  title text not null check (length(title) between 3 and 200),
  cause text not null check (length(cause) >= 3),
  event text not null check (length(event) >= 3),
  effect text not null check (length(effect) >= 3),
  category text not null default 'operational',
  owner text not null check (length(owner) >= 2),
  inherent_likelihood integer not null check (inherent_likelihood between 1 and 5),
  inherent_impact integer not null check (inherent_impact between 1 and 5),
  residual_likelihood integer not null check (residual_likelihood between 1 and 5),
  residual_impact integer not null check (residual_impact between 1 and 5),
  -- Orange Book risk appetite levels.
  appetite text not null check (appetite in ('averse', 'minimal', 'cautious', 'open', 'eager')),
  -- Where the risk is managed now: escalation moves it up the governance line.
  level text not null check (level in ('organisation', 'cluster', 'programme')),
  status text not null default 'open' check (status in ('open', 'closed')),
  -- Raised automatically from a legacy system whose contract ends before its replacement.
  legacy_system_id uuid references programme_legacy_systems (id),
  demo boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
select gss_programme_scoped('programme_risks');
grant select, insert, update on programme_risks to gss_app;
select gss_audited('programme_risks');

create table programme_risk_mitigations (
  id uuid primary key,
  risk_id uuid not null references programme_risks (id),
  cluster_id uuid references clusters (id),
  action text not null check (length(action) >= 3),
  owner text not null check (length(owner) >= 2),
  due_on date not null,
  status text not null default 'planned' check (status in ('planned', 'in_progress', 'done')),
  created_at timestamptz not null default now()
);
select gss_programme_scoped('programme_risk_mitigations');
grant select, insert, update on programme_risk_mitigations to gss_app;
select gss_audited('programme_risk_mitigations');

-- Each escalation (or de-escalation) of a risk, with who and why.
create table programme_risk_escalations (
  id uuid primary key default gen_random_uuid(),
  risk_id uuid not null references programme_risks (id),
  cluster_id uuid references clusters (id),
  from_level text not null,
  to_level text not null check (to_level in ('organisation', 'cluster', 'programme')),
  reason text not null check (length(reason) >= 3),
  escalated_at timestamptz not null default now(),
  escalated_by uuid
);
select gss_programme_scoped('programme_risk_escalations');
grant select, insert on programme_risk_escalations to gss_app;
select gss_audited('programme_risk_escalations');

-- Delivery confidence per cluster: every assessment is kept; the latest is the current rating.
create table programme_delivery_confidence (
  id uuid primary key default gen_random_uuid(),
  cluster_id uuid not null references clusters (id),
  assessed_on date not null,
  rating text not null check (rating in ('red', 'amber_red', 'amber', 'amber_green', 'green')),
  rationale text not null check (length(rationale) >= 3),
  assessed_by uuid,
  demo boolean not null default false,
  created_at timestamptz not null default now()
);
create index programme_delivery_confidence_cluster on programme_delivery_confidence (cluster_id, assessed_on desc);
select gss_programme_scoped('programme_delivery_confidence');
grant select, insert on programme_delivery_confidence to gss_app;
select gss_audited('programme_delivery_confidence');
