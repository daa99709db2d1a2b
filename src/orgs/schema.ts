// Request and response schemas of the organisations API: they validate requests and generate the
// OpenAPI document, so the two cannot disagree.
import { Type } from 'typebox'
import { ONBOARDING_STATUSES, ORGANISATION_KINDS } from './tables.ts'

const IsoDate = Type.String({ format: 'date', description: 'ISO 8601 date, e.g. 2027-04-01' })
const Ref = Type.Object({ code: Type.String(), name: Type.String() })

export const Kind = Type.Enum(ORGANISATION_KINDS)
export const Onboarding = Type.Enum(ONBOARDING_STATUSES)

export const OrganisationSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.String(),
  name: Type.String(),
  abbreviation: Type.Union([Type.String(), Type.Null()]),
  kind: Kind,
  cluster: Type.Union([Ref, Type.Null()]),
  sponsor: Type.Union([Ref, Type.Null()]),
  onboardingStatus: Onboarding,
  onboardingPlannedDate: Type.Union([IsoDate, Type.Null()]),
  onboardingLiveDate: Type.Union([IsoDate, Type.Null()]),
})

export const OrganisationDetail = Type.Object({
  ...OrganisationSummary.properties,
  clusterDivergenceReason: Type.Union([Type.String(), Type.Null()]),
  sponsoredBodies: Type.Array(OrganisationSummary),
  updatedAt: Type.String({ format: 'date-time' }),
})

export const ClusterSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.String(),
  name: Type.String(),
  platformProduct: Type.Union([Type.String(), Type.Null()]),
  description: Type.String(),
  lead: Type.Union([Ref, Type.Null()]),
  departmentCount: Type.Integer(),
  albCount: Type.Integer(),
  liveCount: Type.Integer(),
})

export const ClusterDetail = Type.Object({
  ...ClusterSummary.properties,
  organisations: Type.Array(OrganisationSummary),
})

export const DirectoryQuery = Type.Object(
  {
    cluster: Type.Optional(Type.String({ maxLength: 40 })),
    kind: Type.Optional(Type.Enum([...ORGANISATION_KINDS, 'department', 'alb'])),
    onboarding: Type.Optional(Onboarding),
    sponsor: Type.Optional(Type.String({ maxLength: 60 })),
    q: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
)

export const OrganisationPage = Type.Object({ items: Type.Array(OrganisationSummary), total: Type.Integer() })

export const OnboardingChange = Type.Object(
  {
    note: Type.Optional(Type.String({ maxLength: 2000, description: 'Why the plan changed' })),
    onboardingStatus: Type.Optional(Onboarding),
    onboardingPlannedDate: Type.Optional(Type.Union([IsoDate, Type.Null()])),
    onboardingLiveDate: Type.Optional(Type.Union([IsoDate, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const NewOrganisation = Type.Object(
  {
    code: Type.String({
      pattern: '^[a-z0-9-]{2,60}$',
      description: 'Lower-case letters, digits and hyphens',
    }),
    name: Type.String({ minLength: 2, maxLength: 200 }),
    abbreviation: Type.Optional(Type.String({ maxLength: 20 })),
    kind: Kind,
    sponsorCode: Type.Optional(Type.String()),
    clusterCode: Type.Optional(Type.String()),
    clusterDivergenceReason: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
)
