// Every URL is defined once; views and redirects build URLs from here.
const segment = (value: string) => encodeURIComponent(value)

export const paths = {
  home: '/',
  health: '/health',
  assets: '/assets',
  signIn: '/sign-in',
  signOut: '/sign-out',
  oidcStart: '/sign-in/oidc',
  oidcCallback: '/sign-in/oidc/callback',
  switchOrganisation: '/switch-organisation',
  clusters: '/clusters',
  cluster: (code: string) => `/clusters/${segment(code)}`,
  organisations: '/organisations',
  organisation: (code: string) => `/organisations/${segment(code)}`,
  organisationOnboarding: (code: string) => `/organisations/${segment(code)}/onboarding`,
  domain: (name: string) => `/${segment(name)}`,
  api: {
    root: '/api/v1',
    openapi: '/api/v1/openapi.json',
    me: '/api/v1/me',
    clusters: '/api/v1/clusters',
    cluster: (code: string) => `/api/v1/clusters/${segment(code)}`,
    organisations: '/api/v1/organisations',
    organisation: (code: string) => `/api/v1/organisations/${segment(code)}`,
    organisationOnboarding: (code: string) => `/api/v1/organisations/${segment(code)}/onboarding`,
    tokens: '/api/v1/tokens',
    token: (id: string) => `/api/v1/tokens/${segment(id)}`,
  },
} as const

/** Only same-site paths may be returned to after sign-in. */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\'))
    return paths.home
  return value
}
