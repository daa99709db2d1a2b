-- Clusters and organisations: the tenancy tree. Both are reference data that every signed-in user
-- may read (the directory); only staff who may act for an organisation can change it.

create table clusters (
  id uuid primary key,
  code text not null unique check (code ~ '^[a-z0-9-]{2,40}$'),
  name text not null,
  lead_org_id uuid,
  platform_product text,
  description text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table organisations (
  id uuid primary key,
  code text not null unique check (code ~ '^[a-z0-9-]{2,60}$'),
  name text not null check (length(name) between 2 and 200),
  abbreviation text,
  kind text not null check (kind in (
    'ministerial_department', 'non_ministerial_department', 'executive_agency', 'ndpb', 'other_alb')),
  sponsor_id uuid references organisations (id),
  cluster_id uuid references clusters (id),
  -- An ALB joins its sponsor's cluster; any other choice is an agreed, recorded divergence.
  cluster_divergence_reason text,
  onboarding_status text not null default 'not_planned' check (onboarding_status in (
    'not_planned', 'planned', 'migrating', 'live')),
  onboarding_planned_date date,
  onboarding_live_date date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Departments have no sponsor; every arm's-length body has one.
  constraint sponsor_matches_kind check (
    (kind in ('ministerial_department', 'non_ministerial_department')) = (sponsor_id is null)),
  constraint live_has_date check (onboarding_status <> 'live' or onboarding_live_date is not null)
);
create index organisations_sponsor on organisations (sponsor_id);
create index organisations_cluster on organisations (cluster_id);

alter table clusters add constraint clusters_lead_org foreign key (lead_org_id) references organisations (id);

alter table organisations enable row level security;
create policy directory_read on organisations for select using (true);
create policy org_update on organisations for update
  using ((select gss_all_orgs()) or id = any ((select gss_org_ids())::uuid[]))
  with check ((select gss_all_orgs()) or id = any ((select gss_org_ids())::uuid[]));
create policy org_insert on organisations for insert with check ((select gss_all_orgs()));

alter table clusters enable row level security;
create policy directory_read on clusters for select using (true);
create policy cluster_write on clusters for all using ((select gss_all_orgs())) with check ((select gss_all_orgs()));

grant select, insert, update on organisations, clusters to gss_app;
select gss_audited('clusters');
select gss_audited('organisations');

-- The history of each organisation's migration onto the platform: one row per recorded change,
-- so programme oversight can compare plans made with dates achieved. Org-scoped.
create table onboarding_events (
  org_id uuid not null references organisations (id),
  id uuid not null default gen_random_uuid(),
  recorded_at timestamptz not null default now(),
  recorded_by uuid,
  onboarding_status text not null,
  onboarding_planned_date date,
  onboarding_live_date date,
  note text not null default '',
  primary key (org_id, id)
);
select gss_org_scoped('onboarding_events');
select gss_audited('onboarding_events');
grant select, insert on onboarding_events to gss_app;
