// The programme's part of the demo world (issue 7), every register row marked demo = true and the
// pages tagged "Demo data". Published figures (../shared/guide/domain.md) where there are any:
//   - funding: the clusters asked £382m-£403m for 2022-25 and HM Treasury approved £300m; the three
//     2021 spending review bids (£759m in total) were rejected. How each total splits between
//     clusters or bids is illustrative.
//   - benefits: £1.8bn over 15 years (the 2023 estimate), profiled by year; the split by cluster and
//     between cashable and non-cashable is illustrative.
//   - running costs: the major departments' back-office running cost, about £525m a year, split
//     across the departments by an illustrative weighting (provenance 'estimated').
// Everything else (costs, legacy systems, risks, delivery confidence, submitted returns) is
// illustrative. Returns cover the eight quarters 2024-Q3 to 2026-Q2: computed from the platform's
// own data for organisations on it (compute.ts, recorded through the returns store), and submitted
// over the API (source 'api') by a selection of bodies that are not, one late, one invalid and
// some missing, so the dashboard and the hub show each case.
//
// Fast (about 1.5 s on PGlite on a busy machine, most of it computing the returns): register rows
// go in one multi-row insert per table, and the returns (about 120) are validated and scored as the
// returns store does, then inserted in one statement per table (recordFirstVersions).

import { sql } from 'kysely'
import type { DemoExtension } from '../demo/seed.ts'
import type { Tx } from '../platform/db/index.ts'
import { clusterId, orgId, uuidFromName } from '../platform/ids.ts'
import { quarter as quarterInfo, quarterOf, quartersEnding } from './quarters.ts'
import type { Provenance, ReturnFigures } from './return-schema.ts'
import { computeReturns } from './returns/compute.ts'
import { daysLate, scoreReturn } from './returns/dq.ts'
import { SWING_EXPLANATION } from './returns/generate.ts'
import { provenanceFor } from './returns/store.ts'
import { validateReturn } from './returns/validation.ts'
import type { DeliveryConfidence, ReturnSource } from './tables.ts'

/** The demo's returns: eight quarters ending with this one. */
export const DEMO_LAST_QUARTER = '2026-Q2'
export const DEMO_QUARTERS = quartersEnding(DEMO_LAST_QUARTER, 8).map((q) => q.code)

const CLUSTER_CODES = ['synergy', 'matrix', 'unity', 'defence', 'overseas'] as const
type ClusterCode = (typeof CLUSTER_CODES)[number]

const POUND = 100
const MILLION = 1_000_000 * POUND

/** Splits `total` by `weights` into integers that add up to it exactly. */
function split(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  const parts = weights.map((w) => Math.floor((total * w) / sum))
  parts[parts.length - 1]! += total - parts.reduce((a, b) => a + b, 0)
  return parts
}

const PROGRAMME_MANAGER = uuidFromName('user:programme.manager@gss.example')
const RETURNS_SUBMITTER = uuidFromName('user:returns.submitter@gss.example')

// ---- benefits ---------------------------------------------------------------------------------
/** Share of the £1.8bn by cluster (illustrative, roughly by size). */
const BENEFIT_SHARES: Record<ClusterCode, number> = {
  synergy: 34,
  matrix: 24,
  unity: 20,
  defence: 14,
  overseas: 8,
}
/** The 15 years 2023-24 to 2037-38, ramping up as organisations migrate. */
const BENEFIT_YEARS = Array.from({ length: 15 }, (_, i) => 2023 + i)
const BENEFIT_PROFILE = [1, 2, 3, 5, 6, 8, 9, 10, 10, 10, 10, 9, 9, 9, 9]

async function seedBenefits(trx: Tx): Promise<void> {
  const total = 1_800 * MILLION
  const byCluster = split(
    total,
    CLUSTER_CODES.map((c) => BENEFIT_SHARES[c]),
  )
  const benefits: Array<Record<string, unknown>> = []
  const years: Array<Record<string, unknown>> = []
  CLUSTER_CODES.forEach((code, index) => {
    // About 40% cashable (lower running costs), 60% non-cashable (time released, better data).
    const [cashable, nonCashable] = split(byCluster[index]!, [40, 60]) as [number, number]
    for (const [kind, amount] of [
      ['cashable', cashable],
      ['non_cashable', nonCashable],
    ] as const) {
      const id = uuidFromName(`programme:benefit:${code}:${kind}`)
      benefits.push({
        id,
        cluster_id: clusterId(code),
        reference: `BEN-${code.toUpperCase()}-${kind === 'cashable' ? 'C' : 'N'}`,
        title:
          kind === 'cashable'
            ? `Lower back-office running cost in ${code[0]!.toUpperCase()}${code.slice(1)}`
            : `Time released and better data in ${code[0]!.toUpperCase()}${code.slice(1)}`,
        kind,
        description:
          'Demo data: the share of the programme’s £1.8bn 15-year benefits estimate (2023) assigned to this cluster is illustrative.',
        owner: `${code[0]!.toUpperCase()}${code.slice(1)} cluster benefits lead`,
        baseline_pence: 0,
        demo: true,
      })
      split(amount, BENEFIT_PROFILE).forEach((forecast, y) => {
        const fiscalYear = BENEFIT_YEARS[y]!
        // Realised so far: Overseas (live since 2022) evidences most of its early forecast; Synergy
        // and Matrix a part; Unity and Defence nothing yet (a risk: benefits not evidenced).
        const realisedShare =
          fiscalYear > 2025
            ? 0
            : code === 'overseas'
              ? 0.9
              : code === 'synergy' || code === 'matrix'
                ? 0.5
                : 0
        const realised = kind === 'cashable' ? Math.round(forecast * realisedShare) : 0
        years.push({
          benefit_id: id,
          fiscal_year: fiscalYear,
          cluster_id: clusterId(code),
          forecast_pence: forecast,
          realised_pence: realised > 0 ? realised : null,
          evidence:
            realised > 0
              ? `Demo data: running cost reduction shown in the ${fiscalYear}-${String((fiscalYear + 1) % 100).padStart(2, '0')} accounts`
              : '',
        })
      })
    }
  })
  await trx
    .insertInto('programme_benefits')
    .values(benefits as never)
    .execute()
  await trx
    .insertInto('programme_benefit_years')
    .values(years as never)
    .execute()
}

// ---- costs ------------------------------------------------------------------------------------
/** Implementation budget per cluster per year 2022-25 (£m): adds up to the £300m approved. */
const COST_BUDGETS: Record<ClusterCode, [number, number, number]> = {
  synergy: [30, 36, 36],
  matrix: [22, 28, 28],
  unity: [14, 18, 18],
  defence: [8, 12, 12],
  overseas: [10, 14, 14],
}
/** Spend against budget (illustrative): most clusters underspend early, Matrix overspends. */
const COST_SPEND: Record<ClusterCode, number> = {
  synergy: 0.92,
  matrix: 1.08,
  unity: 0.85,
  defence: 0.7,
  overseas: 0.97,
}

async function seedCosts(trx: Tx, ledgerYear: number): Promise<void> {
  const rows: Array<Record<string, unknown>> = []
  for (const code of CLUSTER_CODES) {
    COST_BUDGETS[code].forEach((budgetMillions, i) => {
      const fiscalYear = 2022 + i
      rows.push({
        id: uuidFromName(`programme:cost:${code}:${fiscalYear}`),
        cluster_id: clusterId(code),
        fiscal_year: fiscalYear,
        title: `Implementation ${fiscalYear}-${String((fiscalYear + 1) % 100).padStart(2, '0')} (demo)`,
        category: 'implementation',
        budget_pence: budgetMillions * MILLION,
        spend_source: 'manual',
        ledger_org_id: null,
        ledger_cost_centre: null,
        manual_spend_pence: Math.round(budgetMillions * COST_SPEND[code] * 100) * (MILLION / 100),
        demo: true,
      })
    })
  }
  // Matrix's service centre team is on the platform: its spend to date is read from DSIT's ledger
  // (the corporate cost centre of the demo's ledger year).
  const { rows: spent } = await sql<{ spend: string | null }>`
    select sum(l.amount_pence)::text as spend from journal_lines l
    join journals j on j.org_id = l.org_id and j.id = l.journal_id
    where l.org_id = ${orgId('dsit')}::uuid and l.cost_centre_code = 'CORP' and j.fiscal_year = ${ledgerYear}`.execute(
    trx,
  )
  const ledgerSpend = Math.max(0, Number(spent[0]?.spend ?? 0))
  rows.push({
    id: uuidFromName('programme:cost:matrix:ledger'),
    cluster_id: clusterId('matrix'),
    fiscal_year: ledgerYear,
    title: 'Matrix service centre team (DSIT ledger, cost centre CORP)',
    category: 'programme_team',
    // Budget set a little above what the demo ledger holds, rounded to £100,000.
    budget_pence: Math.max(1, Math.ceil((ledgerSpend * 1.1) / (100_000 * POUND))) * 100_000 * POUND,
    spend_source: 'ledger',
    ledger_org_id: orgId('dsit'),
    ledger_cost_centre: 'CORP',
    manual_spend_pence: null,
    demo: true,
  })
  await trx
    .insertInto('programme_costs')
    .values(rows as never)
    .execute()
}

// ---- funding ----------------------------------------------------------------------------------
async function seedFunding(trx: Tx): Promise<void> {
  // The clusters' asks for 2022-25 (£382m-£403m in total) against the £300m approved.
  const weights = [30, 26, 18, 12, 14]
  const low = split(382 * MILLION, weights)
  const high = split(403 * MILLION, weights)
  const approved = split(300 * MILLION, weights)
  const rows: Array<Record<string, unknown>> = CLUSTER_CODES.map((code, i) => ({
    id: uuidFromName(`programme:funding:sr21:${code}`),
    cluster_id: clusterId(code),
    spending_review: 'SR21 settlement',
    period_label: '2022-25',
    requested_low_pence: low[i]!,
    requested_high_pence: high[i]!,
    approved_pence: approved[i]!,
    decision: 'part_approved',
    notes:
      'Demo data: the clusters asked £382m-£403m for 2022-25 and HM Treasury approved £300m (published); the split by cluster is illustrative.',
    demo: true,
  }))
  // The three 2021 spending review bids, £759m in total, all rejected (published; the split is not).
  split(759 * MILLION, [1, 1, 1]).forEach((amount, i) => {
    rows.push({
      id: uuidFromName(`programme:funding:sr21-bid:${i + 1}`),
      cluster_id: null,
      spending_review: 'SR21 bids',
      period_label: `Bid ${i + 1}`,
      requested_low_pence: amount,
      requested_high_pence: amount,
      approved_pence: 0,
      decision: 'rejected',
      notes:
        'Demo data: all three 2021 spending review bids (£759m in total) were rejected; the split between bids is illustrative.',
      demo: true,
    })
  })
  await trx
    .insertInto('programme_funding')
    .values(rows as never)
    .execute()
}

// ---- running costs ----------------------------------------------------------------------------
/** Illustrative weights for splitting the major departments' ~£525m a year. */
const RUNNING_COST_WEIGHTS: Record<string, number> = {
  dwp: 90,
  'home-office': 45,
  moj: 55,
  defra: 20,
  'cabinet-office': 12,
  dsit: 8,
  desnz: 6,
  dcms: 4,
  dbt: 6,
  ago: 1,
  dfe: 10,
  dhsc: 10,
  'hm-treasury': 3,
  hmrc: 60,
  dft: 12,
  mhclg: 5,
  mod: 110,
  fcdo: 28,
}

async function seedRunningCosts(trx: Tx, fiscalYear: number): Promise<void> {
  const codes = Object.keys(RUNNING_COST_WEIGHTS)
  const { rows: orgs } = await sql<{ id: string; code: string; cluster_id: string | null }>`
    select id, code, cluster_id from organisations where code = any (${codes}::text[])`.execute(trx)
  const present = codes.filter((code) => orgs.some((o) => o.code === code))
  const amounts = split(
    525 * MILLION,
    present.map((code) => RUNNING_COST_WEIGHTS[code]!),
  )
  const values = present.map((code, i) => {
    const org = orgs.find((o) => o.code === code)!
    return {
      org_id: org.id,
      fiscal_year: fiscalYear,
      cluster_id: org.cluster_id,
      running_cost_pence: amounts[i]!,
      provenance: 'estimated' as const,
      notes:
        'Demo data: about £525m a year for the major departments in total (published); the split is illustrative.',
      demo: true,
    }
  })
  if (values.length) await trx.insertInto('programme_running_costs').values(values).execute()
}

// ---- legacy systems, risks, delivery confidence ------------------------------------------------
interface LegacySeed {
  key: string
  cluster: ClusterCode
  org: string
  name: string
  functions: Array<'hr' | 'payroll' | 'finance' | 'procurement'>
  supplier: string
  expires: string
  supportEnds: string | null
  headroom: number
  replacement: string | null
  procurementStarts: string | null
}

const LEGACY: LegacySeed[] = [
  {
    key: 'synergy-erp',
    cluster: 'synergy',
    org: 'dwp',
    name: 'DWP resource management system',
    functions: ['finance', 'procurement'],
    supplier: 'Legacy ERP Ltd',
    expires: '2027-03-31',
    supportEnds: '2027-12-31',
    headroom: 12,
    replacement: '2027-10-01',
    procurementStarts: '2024-04-01',
  },
  {
    key: 'synergy-hr',
    cluster: 'synergy',
    org: 'moj',
    name: 'MoJ HR and payroll service',
    functions: ['hr', 'payroll'],
    supplier: 'Payroll Bureau plc',
    expires: '2026-09-30',
    supportEnds: '2026-12-31',
    headroom: 6,
    replacement: '2027-10-01',
    procurementStarts: '2025-01-01',
  },
  {
    key: 'matrix-finance',
    cluster: 'matrix',
    org: 'cabinet-office',
    name: 'Cabinet Office finance system',
    functions: ['finance'],
    supplier: 'Ledger Systems Ltd',
    expires: '2027-06-30',
    supportEnds: null,
    headroom: 12,
    replacement: '2026-10-01',
    procurementStarts: '2024-10-01',
  },
  {
    key: 'matrix-hr',
    cluster: 'matrix',
    org: 'dfe',
    name: 'DfE people system',
    functions: ['hr'],
    supplier: 'HR Cloud Ltd',
    expires: '2027-03-31',
    supportEnds: '2027-03-31',
    headroom: 0,
    replacement: '2027-10-01',
    procurementStarts: '2025-07-01',
  },
  {
    key: 'unity-sap',
    cluster: 'unity',
    org: 'hmrc',
    name: 'HMRC back-office ERP',
    functions: ['finance', 'hr', 'payroll', 'procurement'],
    supplier: 'ERP Partners Ltd',
    expires: '2028-03-31',
    supportEnds: '2028-12-31',
    headroom: 12,
    replacement: '2027-04-01',
    procurementStarts: '2025-04-01',
  },
  {
    key: 'unity-dft',
    cluster: 'unity',
    org: 'dft',
    name: 'DfT shared services centre contract',
    functions: ['finance', 'hr', 'payroll'],
    supplier: 'Shared Services Co Ltd',
    expires: '2026-12-31',
    supportEnds: '2026-12-31',
    headroom: 12,
    replacement: '2027-10-01',
    procurementStarts: '2025-10-01',
  },
  {
    key: 'defence-pay',
    cluster: 'defence',
    org: 'mod',
    name: 'MOD civilian payroll',
    functions: ['payroll'],
    supplier: 'Defence Pay Services Ltd',
    expires: '2027-01-31',
    supportEnds: '2027-06-30',
    headroom: 3,
    replacement: '2027-04-01',
    procurementStarts: '2026-01-01',
  },
  {
    key: 'overseas-legacy',
    cluster: 'overseas',
    org: 'fcdo',
    name: 'Former DFID finance system',
    functions: ['finance'],
    supplier: 'Legacy ERP Ltd',
    expires: '2023-03-31',
    supportEnds: '2023-03-31',
    headroom: 0,
    replacement: '2022-04-01',
    procurementStarts: '2019-04-01',
  },
]

interface RiskSeed {
  ref: string
  cluster: ClusterCode | null
  title: string
  cause: string
  event: string
  effect: string
  category: string
  owner: string
  inherent: [number, number]
  residual: [number, number]
  appetite: 'averse' | 'minimal' | 'cautious' | 'open' | 'eager'
  level: 'organisation' | 'cluster' | 'programme'
  legacy?: string
  mitigations: Array<{
    action: string
    owner: string
    due: string
    status: 'planned' | 'in_progress' | 'done'
  }>
}

const RISKS: RiskSeed[] = [
  {
    ref: 'RISK-SYN-01',
    cluster: 'synergy',
    title: 'Legacy contract expires before replacement: MoJ HR and payroll service',
    cause: 'The MoJ HR and payroll contract ends in September 2026 with six months of extensions left',
    event: 'The contract expires before the Synergy platform can take MoJ’s payroll in October 2027',
    effect: 'MoJ staff pay at risk, or an unplanned direct award at a premium',
    category: 'commercial',
    owner: 'Synergy commercial director',
    inherent: [4, 5],
    residual: [4, 4],
    appetite: 'averse',
    level: 'programme',
    legacy: 'synergy-hr',
    mitigations: [
      {
        action: 'Negotiate a 12-month bridging extension',
        owner: 'MoJ commercial lead',
        due: '2026-06-30',
        status: 'in_progress',
      },
      {
        action: 'Bring MoJ payroll forward in the migration plan',
        owner: 'Synergy programme director',
        due: '2026-12-31',
        status: 'planned',
      },
    ],
  },
  {
    ref: 'RISK-UNI-01',
    cluster: 'unity',
    title: 'Legacy contract expires before replacement: DfT shared services centre',
    cause: 'The DfT shared services contract ends in December 2026',
    event: 'Unity’s SAP platform is not ready for DfT until October 2027',
    effect: 'Extension costs and a compressed migration window',
    category: 'commercial',
    owner: 'Unity commercial director',
    inherent: [4, 4],
    residual: [3, 4],
    appetite: 'cautious',
    level: 'cluster',
    legacy: 'unity-dft',
    mitigations: [
      {
        action: 'Take up the 12-month extension option',
        owner: 'DfT commercial lead',
        due: '2026-09-30',
        status: 'planned',
      },
    ],
  },
  {
    ref: 'RISK-MAT-01',
    cluster: 'matrix',
    title: 'ALB onboarding unplanned',
    cause: 'Most Matrix arm’s-length bodies have no migration date',
    event: 'ALBs stay on ageing systems after their sponsors move',
    effect: 'Two operating models to run, benefits delayed, legacy costs continue',
    category: 'delivery',
    owner: 'Matrix cluster director',
    inherent: [5, 3],
    residual: [4, 3],
    appetite: 'cautious',
    level: 'cluster',
    mitigations: [
      {
        action: 'Publish an ALB onboarding plan with every body scheduled',
        owner: 'Matrix onboarding lead',
        due: '2026-03-31',
        status: 'in_progress',
      },
      {
        action: 'Record divergences for ALBs not following their sponsor',
        owner: 'Programme design authority',
        due: '2026-06-30',
        status: 'planned',
      },
    ],
  },
  {
    ref: 'RISK-PRG-01',
    cluster: null,
    title: 'Benefits not evidenced',
    cause: 'Benefits are forecast but realisation is not measured from the platform’s data',
    event: 'The programme cannot show savings against its £1.8bn estimate',
    effect: 'Loss of confidence from HM Treasury and departments; funding at risk',
    category: 'financial',
    owner: 'Programme SRO',
    inherent: [4, 4],
    residual: [3, 4],
    appetite: 'minimal',
    level: 'programme',
    mitigations: [
      {
        action: 'Realised benefits recorded only with evidence, reviewed quarterly',
        owner: 'Programme benefits manager',
        due: '2026-03-31',
        status: 'done',
      },
    ],
  },
  {
    ref: 'RISK-PRG-02',
    cluster: null,
    title: 'Quarterly returns late or of poor quality',
    cause: 'Bodies not on the platform compile their returns by hand',
    event: 'Returns arrive late, incomplete or inconsistent',
    effect: 'The dashboard misstates progress',
    category: 'information',
    owner: 'Programme PMO lead',
    inherent: [4, 3],
    residual: [2, 3],
    appetite: 'cautious',
    level: 'programme',
    mitigations: [
      {
        action: 'Validate returns on arrival and score data quality',
        owner: 'Programme PMO lead',
        due: '2025-09-30',
        status: 'done',
      },
    ],
  },
  {
    ref: 'RISK-DEF-01',
    cluster: 'defence',
    title: 'Defence payroll migration slips',
    cause: 'Complex allowances not yet mapped to standard pay elements',
    event: 'MOD civilian payroll cannot move before its contract ends',
    effect: 'Extension costs and a delayed benefits start',
    category: 'delivery',
    owner: 'Defence cluster director',
    inherent: [3, 5],
    residual: [3, 4],
    appetite: 'averse',
    level: 'cluster',
    legacy: 'defence-pay',
    mitigations: [
      {
        action: 'Map allowances to the standard pay elements',
        owner: 'MOD payroll lead',
        due: '2026-09-30',
        status: 'in_progress',
      },
    ],
  },
  {
    ref: 'RISK-OVS-01',
    cluster: 'overseas',
    title: 'Multi-currency payments fail at a post',
    cause: 'Local banking arrangements differ by country',
    event: 'A post cannot pay local suppliers on time',
    effect: 'Prompt payment falls and suppliers are harmed',
    category: 'operational',
    owner: 'Overseas service director',
    inherent: [3, 3],
    residual: [2, 2],
    appetite: 'cautious',
    level: 'organisation',
    mitigations: [
      {
        action: 'Fallback payment routes for every post',
        owner: 'FCDO treasury lead',
        due: '2025-12-31',
        status: 'done',
      },
    ],
  },
]

const CONFIDENCE: Record<ClusterCode, Array<[string, DeliveryConfidence, string]>> = {
  synergy: [
    [
      '2024-09-30',
      'amber_red',
      'Demo data: design authority not yet in place; DWP migration dates uncertain.',
    ],
    ['2025-06-30', 'amber', 'Demo data: DWP migration under way; MoJ contract gap identified.'],
    ['2026-03-31', 'amber', 'Demo data: steady progress; MoJ bridging extension still to agree.'],
  ],
  matrix: [
    ['2024-09-30', 'amber', 'Demo data: Workday design complete; ALB plan missing.'],
    ['2025-09-30', 'amber_red', 'Demo data: overspend against the implementation budget.'],
    ['2026-06-30', 'amber', 'Demo data: Cabinet Office and DSIT migrating; costs back under control.'],
  ],
  unity: [
    ['2024-12-31', 'amber_red', 'Demo data: SAP programme replanned.'],
    ['2025-12-31', 'amber_red', 'Demo data: DfT contract gap; no benefits evidenced yet.'],
  ],
  defence: [
    ['2024-06-30', 'red', 'Demo data: payroll allowances unmapped; plan not baselined.'],
    ['2025-06-30', 'amber_red', 'Demo data: plan baselined; payroll still the critical path.'],
    ['2026-06-30', 'amber_red', 'Demo data: payroll mapping under way.'],
  ],
  overseas: [
    ['2024-03-31', 'green', 'Demo data: live since 2022; benefits evidenced.'],
    ['2025-03-31', 'amber_green', 'Demo data: multi-currency issues at some posts.'],
    ['2026-03-31', 'green', 'Demo data: issues resolved; decommissioning complete.'],
  ],
}

async function seedRegisters(trx: Tx): Promise<void> {
  await trx
    .insertInto('programme_legacy_systems')
    .values(
      LEGACY.map((l) => ({
        id: uuidFromName(`programme:legacy:${l.key}`),
        cluster_id: clusterId(l.cluster),
        org_id: orgId(l.org),
        name: l.name,
        functions: l.functions,
        supplier: l.supplier,
        contract_expires_on: l.expires,
        support_ends_on: l.supportEnds,
        extension_headroom_months: l.headroom,
        replacement_due_on: l.replacement,
        procurement_starts_on: l.procurementStarts,
        notes: 'Demo data: illustrative.',
        demo: true,
      })),
    )
    .execute()
  await trx
    .insertInto('programme_risks')
    .values(
      RISKS.map((r) => ({
        id: uuidFromName(`programme:risk:${r.ref}`),
        cluster_id: r.cluster ? clusterId(r.cluster) : null,
        org_id: null,
        reference: r.ref,
        title: r.title,
        cause: r.cause,
        event: r.event,
        effect: r.effect,
        category: r.category,
        owner: r.owner,
        inherent_likelihood: r.inherent[0],
        inherent_impact: r.inherent[1],
        residual_likelihood: r.residual[0],
        residual_impact: r.residual[1],
        appetite: r.appetite,
        level: r.level,
        legacy_system_id: r.legacy ? uuidFromName(`programme:legacy:${r.legacy}`) : null,
        demo: true,
      })),
    )
    .execute()
  await trx
    .insertInto('programme_risk_mitigations')
    .values(
      RISKS.flatMap((r) =>
        r.mitigations.map((m, i) => ({
          id: uuidFromName(`programme:risk:${r.ref}:mitigation:${i}`),
          risk_id: uuidFromName(`programme:risk:${r.ref}`),
          cluster_id: r.cluster ? clusterId(r.cluster) : null,
          action: m.action,
          owner: m.owner,
          due_on: m.due,
          status: m.status,
        })),
      ),
    )
    .execute()
  await trx
    .insertInto('programme_delivery_confidence')
    .values(
      CLUSTER_CODES.flatMap((code) =>
        CONFIDENCE[code].map(([assessedOn, rating, rationale]) => ({
          id: uuidFromName(`programme:confidence:${code}:${assessedOn}`),
          cluster_id: clusterId(code),
          assessed_on: assessedOn,
          rating,
          rationale,
          assessed_by: PROGRAMME_MANAGER,
          demo: true,
        })),
      ),
    )
    .execute()
}

// ---- returns ----------------------------------------------------------------------------------
/**
 * Bodies not on the platform that submit their returns in the demo, with a size (headcount) and
 * a maturity (0-1, how converged their processes are). The Met Office and HMRC are left alone:
 * the returns tests and the returns submitter's demo journey start from them with no returns.
 */
const SUBMITTERS: Array<{ code: string; headcount: number; maturity: number }> = [
  { code: 'home-office', headcount: 38_000, maturity: 0.45 },
  { code: 'moj', headcount: 24_000, maturity: 0.4 },
  { code: 'hmcts', headcount: 19_000, maturity: 0.35 },
  { code: 'environment-agency', headcount: 12_000, maturity: 0.5 },
  { code: 'desnz', headcount: 3_200, maturity: 0.55 },
  { code: 'dcms', headcount: 1_400, maturity: 0.5 },
  { code: 'ukri', headcount: 8_000, maturity: 0.3 },
  { code: 'dft', headcount: 3_000, maturity: 0.6 },
  { code: 'dvla', headcount: 6_000, maturity: 0.65 },
  { code: 'mod', headcount: 60_000, maturity: 0.35 },
  { code: 'dstl', headcount: 4_800, maturity: 0.4 },
  { code: 'british-council', headcount: 9_000, maturity: 0.45 },
]

/** A body's return for the i-th demo quarter: steady growth in convergence, small drift in size. */
function submittedFigures(body: (typeof SUBMITTERS)[number], quarterCode: string, i: number): ReturnFigures {
  const drift = 1 + 0.005 * i
  const headcount = Math.round(body.headcount * drift)
  const payslips = headcount * 3
  const invoicesProcessed = Math.round(headcount * 0.9)
  // About £150 a transaction, falling as processes converge.
  const backOfficeCostPence = Math.round((payslips + invoicesProcessed) * (16_000 - 300 * i))
  const conv = (base: number) => Math.min(100, Math.round((base + body.maturity * 40 + 2 * i) * 10) / 10)
  return {
    schemaVersion: '1.0',
    organisation: body.code,
    quarter: quarterCode,
    migrationStatus: 'planned',
    workforce: {
      headcount,
      fte: Math.round(headcount * 0.93 * 100) / 100,
      joiners: Math.round(headcount * 0.025),
      leavers: Math.round(headcount * 0.022),
    },
    payroll: { payslips, grossPayPence: headcount * 3 * 290_000 },
    finance: {
      invoicesProcessed,
      paidWithin5DaysPercent: Math.round((70 + body.maturity * 15 + i * 0.5) * 10) / 10,
      paidWithin30DaysPercent: Math.round((94 + body.maturity * 4 + i * 0.2) * 10) / 10,
      backOfficeCostPence,
      costPerTransactionPence: Math.round(backOfficeCostPence / (payslips + invoicesProcessed)),
    },
    convergence: {
      commonChartOfAccountsPercent: conv(40),
      invoicesWithPurchaseOrderPercent: conv(30),
      jmlThroughStandardProcessPercent: conv(15),
      hrDataStandardCompletenessPercent: conv(45),
      straightThroughInvoicesPercent: conv(10),
      standardPayElementsPercent: conv(35),
    },
  }
}

const DAY_MS = 86_400_000

interface DemoReturn {
  orgId: string
  orgCode: string
  clusterId: string | null
  quarter: string
  source: ReturnSource
  figures: ReturnFigures
  provenance: Record<string, Provenance>
  receivedAt: Date
  receivedBy: string
}

/**
 * Records the demo's returns, each the first and only version of its quarter, in two statements.
 * The same validation (against the previous quarter's valid return), lateness and data-quality
 * scoring as the returns store (returns/store.ts recordReturn), which for a first version comes
 * to exactly this; one statement per table instead of five per return keeps the seed fast.
 * A computed figure that swings beyond the validation limits is explained as computed, as the
 * generator (returns/generate.ts) does.
 */
async function recordFirstVersions(trx: Tx, items: DemoReturn[]): Promise<void> {
  const byQuarter = [...items].sort((a, b) => a.quarter.localeCompare(b.quarter))
  const validFigures = new Map<string, { quarter: string; figures: ReturnFigures }>()
  const versions: Array<Record<string, unknown>> = []
  const summaries: Array<Record<string, unknown>> = []
  for (const item of byQuarter) {
    const q = quarterInfo(item.quarter)
    const previousCode = quartersEnding(item.quarter, 2)[0]!.code
    const before = validFigures.get(item.orgId)
    const previous = before && before.quarter === previousCode ? before.figures : null
    const context = { orgCode: item.orgCode, quarter: item.quarter, receivedAt: item.receivedAt, previous }
    let validation = validateReturn(item.figures, context)
    if (item.source === 'computed') {
      const swings = validation.errors.filter((problem) => problem.rule === 'swing-needs-explanation')
      if (swings.length) {
        item.figures.explanations = Object.fromEntries(
          swings.map((problem) => [problem.field, SWING_EXPLANATION]),
        )
        validation = validateReturn(item.figures, context)
      }
    }
    const valid = validation.errors.length === 0
    const lateDays = item.source === 'computed' ? 0 : daysLate(item.receivedAt, q.dueOn)
    const dq = scoreReturn({ figures: item.figures, validation, daysLate: lateDays })
    if (valid) validFigures.set(item.orgId, { quarter: item.quarter, figures: item.figures })
    versions.push({
      org_id: item.orgId,
      quarter: item.quarter,
      version: 1,
      cluster_id: item.clusterId,
      source: item.source,
      figures: JSON.stringify(item.figures),
      provenance: JSON.stringify(provenanceFor(item.source, item.provenance)),
      valid,
      errors: JSON.stringify(validation.errors),
      warnings: JSON.stringify(validation.warnings),
      explanations: JSON.stringify(item.figures.explanations ?? {}),
      dq: JSON.stringify(dq),
      received_at: item.receivedAt,
      received_by: item.receivedBy,
    })
    summaries.push({
      org_id: item.orgId,
      quarter: item.quarter,
      cluster_id: item.clusterId,
      current_version: 1,
      provenance: item.source === 'computed' ? 'computed' : 'submitted',
      source: item.source,
      valid,
      received_at: item.receivedAt,
      due_on: q.dueOn,
      late: lateDays > 0,
      dq_completeness: dq.completeness,
      dq_timeliness: dq.timeliness,
      dq_validity: dq.validity,
      dq_consistency: dq.consistency,
      dq_overall: dq.overall,
    })
  }
  if (!versions.length) return
  await trx
    .insertInto('programme_return_versions')
    .values(versions as never)
    .execute()
  await trx
    .insertInto('programme_returns')
    .values(summaries as never)
    .execute()
}

async function submittedReturns(trx: Tx): Promise<DemoReturn[]> {
  const orgs = new Map(
    (
      await trx
        .selectFrom('organisations')
        .select(['id', 'code', 'cluster_id'])
        .where(
          'code',
          'in',
          SUBMITTERS.map((s) => s.code),
        )
        .execute()
    ).map((o) => [o.code, o]),
  )
  const out: DemoReturn[] = []
  for (const [b, body] of SUBMITTERS.entries()) {
    const org = orgs.get(body.code)
    if (!org) continue
    for (const [i, code] of DEMO_QUARTERS.entries()) {
      // Some missing: each body skips a quarter now and then; two have not sent the latest.
      if ((b + i) % 9 === 4) continue
      if (i === DEMO_QUARTERS.length - 1 && (body.code === 'ukri' || body.code === 'dstl')) continue
      const q = quarterInfo(code)
      const due = Date.parse(`${q.dueOn}T12:00:00Z`)
      // On time: a week before the deadline. Late: the MOD's latest return, 12 days after it.
      const late = body.code === 'mod' && i === DEMO_QUARTERS.length - 1
      const figures = submittedFigures(body, code, i)
      // Invalid: the DCMS's latest return says more invoices were paid within 5 days than within 30.
      if (body.code === 'dcms' && i === DEMO_QUARTERS.length - 1)
        figures.finance.paidWithin5DaysPercent = 99.5
      out.push({
        orgId: org.id,
        orgCode: org.code,
        clusterId: org.cluster_id,
        quarter: code,
        source: 'api',
        figures,
        // Smaller bodies estimate their back-office cost.
        provenance:
          body.headcount < 5_000
            ? { 'finance.backOfficeCostPence': 'estimated', 'finance.costPerTransactionPence': 'estimated' }
            : {},
        receivedAt: new Date(late ? due + 12 * DAY_MS : due - 7 * DAY_MS),
        receivedBy: RETURNS_SUBMITTER,
      })
    }
  }
  return out
}

/** Computed returns for the organisations on the platform (returns/compute.ts), every demo quarter. */
async function computedReturns(trx: Tx): Promise<DemoReturn[]> {
  const clusters = new Map(
    (await trx.selectFrom('organisations').select(['id', 'cluster_id']).execute()).map((o) => [
      o.id,
      o.cluster_id,
    ]),
  )
  const out: DemoReturn[] = []
  for (const code of DEMO_QUARTERS) {
    const q = quarterInfo(code)
    // Stamped the day after the quarter ends: computed returns are never late.
    const receivedAt = new Date(Date.parse(`${q.endsOn}T06:00:00Z`) + DAY_MS)
    for (const item of await computeReturns(trx, code))
      out.push({
        orgId: item.orgId,
        orgCode: item.orgCode,
        clusterId: clusters.get(item.orgId) ?? null,
        quarter: code,
        source: 'computed',
        figures: { ...item.figures },
        provenance: item.provenance,
        receivedAt,
        receivedBy: PROGRAMME_MANAGER,
      })
  }
  return out
}

export const programmeDemo: DemoExtension = {
  name: 'programme',
  async seed(trx) {
    const today = new Date().toISOString().slice(0, 10)
    // The finance demo's full year of activity is the last complete fiscal year.
    const ledgerYear = quarterOf(today).fiscalYear - 1
    await seedBenefits(trx)
    await seedCosts(trx, ledgerYear)
    await seedFunding(trx)
    await seedRunningCosts(trx, ledgerYear)
    await seedRegisters(trx)
    await recordFirstVersions(trx, [...(await computedReturns(trx)), ...(await submittedReturns(trx))])
  },
}
