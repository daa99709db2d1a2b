// The five clusters and their departments as published in the Shared Services Strategy (see
// ../shared/guide/domain.md), and a selection of real arm's-length bodies under their sponsors.
// Onboarding dates other than FCDO's go-live year are illustrative demo values, not published plans.
import type { OnboardingStatus, OrganisationKind } from './tables.ts'

export interface ClusterSeed {
  code: string
  name: string
  leadCode: string
  platformProduct: string
  description: string
}

export interface OrganisationSeed {
  code: string
  name: string
  abbreviation?: string
  kind: OrganisationKind
  cluster: string
  sponsor?: string
  onboarding: OnboardingStatus
  plannedDate?: string
  liveDate?: string
}

export const CLUSTERS: readonly ClusterSeed[] = [
  {
    code: 'synergy',
    name: 'Synergy',
    leadCode: 'dwp',
    platformProduct: 'Oracle',
    description: 'DWP, Home Office, MoJ and Defra: about 250,000 staff.',
  },
  {
    code: 'matrix',
    name: 'Matrix',
    leadCode: 'dsit',
    platformProduct: 'Workday',
    description: 'Cabinet Office, DSIT, DESNZ, DCMS, DBT, AGO, DfE, DHSC and HM Treasury.',
  },
  {
    code: 'unity',
    name: 'Unity',
    leadCode: 'hmrc',
    platformProduct: 'SAP',
    description: 'HMRC, DfT and MHCLG.',
  },
  {
    code: 'defence',
    name: 'Defence',
    leadCode: 'mod',
    platformProduct: 'Oracle',
    description: 'The Ministry of Defence.',
  },
  {
    code: 'overseas',
    name: 'Overseas',
    leadCode: 'fcdo',
    platformProduct: 'Oracle',
    description: 'FCDO, live since 2022 and paying in many currencies.',
  },
]

const dept = (
  code: string,
  name: string,
  abbreviation: string,
  cluster: string,
  onboarding: OnboardingStatus,
  dates: { plannedDate?: string; liveDate?: string } = {},
  kind: OrganisationKind = 'ministerial_department',
): OrganisationSeed => ({ code, name, abbreviation, kind, cluster, onboarding, ...dates })

const alb = (
  code: string,
  name: string,
  kind: OrganisationKind,
  sponsor: string,
  abbreviation?: string,
): OrganisationSeed => ({
  code,
  name,
  kind,
  sponsor,
  cluster: '',
  onboarding: 'not_planned',
  ...(abbreviation ? { abbreviation } : {}),
})

const DEPARTMENTS: OrganisationSeed[] = [
  dept('dwp', 'Department for Work and Pensions', 'DWP', 'synergy', 'migrating', {
    plannedDate: '2026-04-01',
  }),
  dept('home-office', 'Home Office', 'HO', 'synergy', 'planned', { plannedDate: '2027-04-01' }),
  dept('moj', 'Ministry of Justice', 'MoJ', 'synergy', 'planned', { plannedDate: '2027-10-01' }),
  dept('defra', 'Department for Environment, Food and Rural Affairs', 'Defra', 'synergy', 'planned', {
    plannedDate: '2028-04-01',
  }),
  dept('cabinet-office', 'Cabinet Office', 'CO', 'matrix', 'migrating', { plannedDate: '2026-10-01' }),
  dept('dsit', 'Department for Science, Innovation and Technology', 'DSIT', 'matrix', 'migrating', {
    plannedDate: '2026-10-01',
  }),
  dept('desnz', 'Department for Energy Security and Net Zero', 'DESNZ', 'matrix', 'planned', {
    plannedDate: '2027-04-01',
  }),
  dept('dcms', 'Department for Culture, Media and Sport', 'DCMS', 'matrix', 'planned', {
    plannedDate: '2027-04-01',
  }),
  dept('dbt', 'Department for Business and Trade', 'DBT', 'matrix', 'planned', { plannedDate: '2027-04-01' }),
  dept('ago', "Attorney General's Office", 'AGO', 'matrix', 'planned', { plannedDate: '2027-10-01' }),
  dept('dfe', 'Department for Education', 'DfE', 'matrix', 'planned', { plannedDate: '2027-10-01' }),
  dept('dhsc', 'Department of Health and Social Care', 'DHSC', 'matrix', 'planned', {
    plannedDate: '2028-04-01',
  }),
  dept('hm-treasury', 'HM Treasury', 'HMT', 'matrix', 'planned', { plannedDate: '2027-04-01' }),
  dept(
    'hmrc',
    'HM Revenue and Customs',
    'HMRC',
    'unity',
    'planned',
    { plannedDate: '2027-04-01' },
    'non_ministerial_department',
  ),
  dept('dft', 'Department for Transport', 'DfT', 'unity', 'planned', { plannedDate: '2027-10-01' }),
  dept('mhclg', 'Ministry of Housing, Communities and Local Government', 'MHCLG', 'unity', 'planned', {
    plannedDate: '2028-04-01',
  }),
  dept('mod', 'Ministry of Defence', 'MOD', 'defence', 'planned', { plannedDate: '2027-04-01' }),
  dept('fcdo', 'Foreign, Commonwealth and Development Office', 'FCDO', 'overseas', 'live', {
    liveDate: '2022-04-01',
  }),
]

const ALBS: OrganisationSeed[] = [
  alb('hse', 'Health and Safety Executive', 'ndpb', 'dwp', 'HSE'),
  alb('the-pensions-regulator', 'The Pensions Regulator', 'ndpb', 'dwp', 'TPR'),
  alb('money-and-pensions-service', 'Money and Pensions Service', 'ndpb', 'dwp', 'MaPS'),
  alb('iopc', 'Independent Office for Police Conduct', 'ndpb', 'home-office', 'IOPC'),
  alb('security-industry-authority', 'Security Industry Authority', 'ndpb', 'home-office', 'SIA'),
  alb('disclosure-and-barring-service', 'Disclosure and Barring Service', 'ndpb', 'home-office', 'DBS'),
  alb('hmcts', 'HM Courts and Tribunals Service', 'executive_agency', 'moj', 'HMCTS'),
  alb('hmpps', 'HM Prison and Probation Service', 'executive_agency', 'moj', 'HMPPS'),
  alb('legal-aid-agency', 'Legal Aid Agency', 'executive_agency', 'moj', 'LAA'),
  alb('office-of-the-public-guardian', 'Office of the Public Guardian', 'executive_agency', 'moj', 'OPG'),
  alb('environment-agency', 'Environment Agency', 'ndpb', 'defra', 'EA'),
  alb('natural-england', 'Natural England', 'ndpb', 'defra', 'NE'),
  alb('rural-payments-agency', 'Rural Payments Agency', 'executive_agency', 'defra', 'RPA'),
  alb('apha', 'Animal and Plant Health Agency', 'executive_agency', 'defra', 'APHA'),
  alb(
    'government-property-agency',
    'Government Property Agency',
    'executive_agency',
    'cabinet-office',
    'GPA',
  ),
  alb('crown-commercial-service', 'Crown Commercial Service', 'executive_agency', 'cabinet-office', 'CCS'),
  alb('ukri', 'UK Research and Innovation', 'ndpb', 'dsit', 'UKRI'),
  alb('met-office', 'Met Office', 'executive_agency', 'dsit'),
  alb('intellectual-property-office', 'Intellectual Property Office', 'executive_agency', 'dsit', 'IPO'),
  alb('nuclear-decommissioning-authority', 'Nuclear Decommissioning Authority', 'ndpb', 'desnz', 'NDA'),
  alb('arts-council-england', 'Arts Council England', 'ndpb', 'dcms', 'ACE'),
  alb('sport-england', 'Sport England', 'ndpb', 'dcms'),
  alb('british-library', 'British Library', 'ndpb', 'dcms', 'BL'),
  alb('companies-house', 'Companies House', 'executive_agency', 'dbt'),
  alb('insolvency-service', 'The Insolvency Service', 'executive_agency', 'dbt'),
  alb('standards-and-testing-agency', 'Standards and Testing Agency', 'executive_agency', 'dfe', 'STA'),
  alb('ukhsa', 'UK Health Security Agency', 'executive_agency', 'dhsc', 'UKHSA'),
  alb('mhra', 'Medicines and Healthcare products Regulatory Agency', 'executive_agency', 'dhsc', 'MHRA'),
  alb('giaa', 'Government Internal Audit Agency', 'executive_agency', 'hm-treasury', 'GIAA'),
  alb('dmo', 'UK Debt Management Office', 'executive_agency', 'hm-treasury', 'DMO'),
  alb('valuation-office-agency', 'Valuation Office Agency', 'executive_agency', 'hmrc', 'VOA'),
  alb('dvla', 'Driver and Vehicle Licensing Agency', 'executive_agency', 'dft', 'DVLA'),
  alb('dvsa', 'Driver and Vehicle Standards Agency', 'executive_agency', 'dft', 'DVSA'),
  alb('maritime-and-coastguard-agency', 'Maritime and Coastguard Agency', 'executive_agency', 'dft', 'MCA'),
  alb('homes-england', 'Homes England', 'ndpb', 'mhclg'),
  alb('planning-inspectorate', 'The Planning Inspectorate', 'executive_agency', 'mhclg', 'PINS'),
  alb('dstl', 'Defence Science and Technology Laboratory', 'executive_agency', 'mod', 'Dstl'),
  alb('ukho', 'UK Hydrographic Office', 'executive_agency', 'mod', 'UKHO'),
  alb('defence-equipment-and-support', 'Defence Equipment and Support', 'other_alb', 'mod', 'DE&S'),
  alb('british-council', 'British Council', 'ndpb', 'fcdo'),
  alb('wilton-park', 'Wilton Park', 'executive_agency', 'fcdo'),
]

/** Departments first, then ALBs, each ALB in its sponsor's cluster. */
export const ORGANISATIONS: readonly OrganisationSeed[] = [
  ...DEPARTMENTS,
  ...ALBS.map((body) => ({
    ...body,
    cluster: DEPARTMENTS.find((department) => department.code === body.sponsor)!.cluster,
  })),
]
