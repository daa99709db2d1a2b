// Roles and the permissions they grant. Every route declares one permission (or 'public' /
// 'authenticated'); a test walks every registered route and fails if one declares none.

export const PERMISSIONS = [
  'orgs:read',
  'orgs:manage',
  'orgs:create',
  'users:manage',
  'audit:read',
  'finance:read',
  'finance:post',
  'finance:approve',
  'payables:capture',
  'payables:approve',
  'receivables:manage',
  'budgets:manage',
  'procurement:read',
  'procurement:requisition',
  'procurement:manage',
  'procurement:approve',
  'hr:read',
  'hr:manage',
  'hr:diversity:read',
  'payroll:read',
  'payroll:run',
  'payroll:approve',
  'programme:read',
  'programme:manage',
  'programme:submit',
  'interop:manage',
  'self:read',
  'self:submit',
  'platform:admin',
] as const
export type Permission = (typeof PERMISSIONS)[number]

/** Each permission in words, for the sentence "You do not have permission to …". */
export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  'orgs:read': 'see the directory of organisations',
  'orgs:manage': 'change this organisation’s details',
  'orgs:create': 'add organisations',
  'users:manage': 'manage users',
  'audit:read': 'see the audit log',
  'finance:read': 'see finance records',
  'finance:post': 'post journals',
  'finance:approve': 'approve finance transactions or close periods',
  'payables:capture': 'capture supplier invoices',
  'payables:approve': 'approve supplier invoices and payments',
  'receivables:manage': 'manage sales invoices and receipts',
  'budgets:manage': 'manage budgets',
  'procurement:read': 'see procurement records',
  'procurement:requisition': 'raise requisitions',
  'procurement:manage': 'manage orders and contracts',
  'procurement:approve': 'approve requisitions and orders',
  'hr:read': 'see HR records',
  'hr:manage': 'change HR records',
  'hr:diversity:read': 'see diversity data',
  'payroll:read': 'see payroll records',
  'payroll:run': 'prepare pay runs',
  'payroll:approve': 'approve pay runs',
  'programme:read': 'see programme oversight figures',
  'programme:manage': 'manage programme oversight records',
  'programme:submit': 'submit quarterly returns',
  'interop:manage': 'manage integrations',
  'self:read': 'see self-service pages',
  'self:submit': 'submit self-service requests',
  'platform:admin': 'administer the platform',
}

/** What a route may declare: a permission, or one of two explicit non-permissions. */
export type RoutePermission = Permission | 'public' | 'authenticated'

export const ROLES = [
  'platform_admin',
  'cluster_admin',
  'org_admin',
  'finance_clerk',
  'finance_approver',
  'procurement_officer',
  'hr_officer',
  'payroll_officer',
  'payroll_approver',
  'programme_analyst',
  'programme_manager',
  'returns_submitter',
  'auditor',
  'employee',
] as const
export type Role = (typeof ROLES)[number]

/** Where a role may be granted: on one organisation, a whole cluster, or the whole platform. */
export type Scope = 'org' | 'cluster' | 'platform'

interface RoleDefinition {
  label: string
  description: string
  scopes: readonly Scope[]
  permissions: readonly Permission[]
  /**
   * Aggregate-only roles never widen row-level visibility: their figures come from aggregate
   * queries, so no personal data reaches them even through a careless query.
   */
  aggregateOnly?: boolean
}

const READ_EVERYTHING = PERMISSIONS.filter((p) => p.endsWith(':read'))

export const ROLE_DEFINITIONS: Record<Role, RoleDefinition> = {
  platform_admin: {
    label: 'Platform admin',
    description: 'Runs the platform: every organisation, user and setting.',
    scopes: ['platform'],
    permissions: PERMISSIONS,
  },
  cluster_admin: {
    label: 'Cluster admin',
    description: 'Administers the organisations and users of a cluster.',
    scopes: ['cluster', 'platform'],
    permissions: ['orgs:read', 'orgs:manage', 'users:manage', 'audit:read', 'interop:manage'],
  },
  org_admin: {
    label: 'Organisation admin',
    description: 'Administers one organisation: its details, users and integrations.',
    scopes: ['org'],
    permissions: ['orgs:read', 'orgs:manage', 'users:manage', 'audit:read', 'interop:manage'],
  },
  finance_clerk: {
    label: 'Finance clerk',
    description: 'Posts journals, captures invoices (matching them to purchase orders), manages receivables.',
    scopes: ['org', 'cluster'],
    permissions: [
      'orgs:read',
      'finance:read',
      'finance:post',
      'payables:capture',
      'receivables:manage',
      // An invoice is captured against its purchase order, so the clerk must see the order.
      'procurement:read',
    ],
  },
  finance_approver: {
    label: 'Finance approver',
    description: 'Approves journals, invoices, payment runs and purchase orders within delegated limits.',
    scopes: ['org', 'cluster'],
    permissions: [
      'orgs:read',
      'finance:read',
      'finance:approve',
      'payables:approve',
      'budgets:manage',
      'procurement:read',
      'procurement:approve',
    ],
  },
  procurement_officer: {
    label: 'Procurement officer',
    description: 'Runs requisitions, orders, contracts and the commercial pipeline.',
    scopes: ['org', 'cluster'],
    permissions: [
      'orgs:read',
      'procurement:read',
      'procurement:requisition',
      'procurement:manage',
      'finance:read',
    ],
  },
  hr_officer: {
    label: 'HR officer',
    description: 'Manages people, positions, joiners, movers, leavers and absence.',
    scopes: ['org', 'cluster'],
    permissions: ['orgs:read', 'hr:read', 'hr:manage', 'hr:diversity:read'],
  },
  payroll_officer: {
    label: 'Payroll officer',
    description: 'Prepares pay runs and submissions to HMRC.',
    scopes: ['org', 'cluster'],
    permissions: ['orgs:read', 'payroll:read', 'payroll:run', 'hr:read'],
  },
  payroll_approver: {
    label: 'Payroll approver',
    description: 'Approves pay runs prepared by someone else.',
    scopes: ['org', 'cluster'],
    permissions: ['orgs:read', 'payroll:read', 'payroll:approve'],
  },
  programme_analyst: {
    label: 'Programme analyst',
    description: 'Sees aggregate figures across organisations, never personal data.',
    scopes: ['cluster', 'platform'],
    permissions: ['orgs:read', 'programme:read'],
    aggregateOnly: true,
  },
  programme_manager: {
    label: 'Programme manager',
    description:
      'Keeps the programme’s registers (benefits, costs, funding, legacy systems, risks, delivery confidence) and generates returns.',
    scopes: ['cluster', 'platform'],
    permissions: ['orgs:read', 'programme:read', 'programme:manage'],
    aggregateOnly: true,
  },
  returns_submitter: {
    label: 'Returns submitter',
    description:
      'Submits the quarterly return for an organisation not yet on the platform, or pushes a cluster’s returns to the hub.',
    scopes: ['org', 'cluster'],
    permissions: ['orgs:read', 'programme:read', 'programme:submit'],
  },
  auditor: {
    label: 'Auditor',
    description: 'Reads everything in scope, changes nothing.',
    scopes: ['org', 'cluster', 'platform'],
    permissions: [...READ_EVERYTHING, 'audit:read'],
  },
  employee: {
    label: 'Employee',
    description: 'Self-service: own details, payslips, leave and expenses.',
    scopes: ['org'],
    permissions: ['orgs:read', 'self:read', 'self:submit'],
  },
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value)
}

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value)
}

export function permissionsOf(roles: Iterable<Role>): Set<Permission> {
  const granted = new Set<Permission>()
  for (const role of roles)
    for (const permission of ROLE_DEFINITIONS[role].permissions) granted.add(permission)
  return granted
}
