// The composition root: builds every service once and hands each domain's routes the services
// they need. `type Services = ReturnType<typeof createServices>`; no container.
import './platform/tables.ts'
import './orgs/tables.ts'
import './finance/tables.ts'
import './finance/budgets/tables.ts'
import './hr/tables.ts'
import './interop/tables.ts'
import './programme/tables.ts'
import { Type } from 'typebox'
import { budgetsRoutes } from './finance/budgets/index.ts'
import { LedgerService } from './finance/ledger.ts'
import { payablesRoutes } from './finance/payables/index.ts'
import { receivablesRoutes } from './finance/receivables/index.ts'
import { reportsRoutes } from './finance/reports/index.ts'
import { financeRoutes } from './finance/routes.ts'
import { absenceRoutes } from './hr/absence/routes.ts'
import { hrHeadcountRoutes } from './hr/reports/index.ts'
import { hrRoutes } from './hr/routes.ts'
import { selfServiceRoutes } from './hr/self-service/routes.ts'
import { hrStandardRoutes } from './hr/standard/index.ts'
import { interopRoutes } from './interop/routes.ts'
import { WebhooksService } from './interop/webhooks.ts'
import { orgsRoutes } from './orgs/routes.ts'
import { procurementRoutes } from './procurement/index.ts'
import { programmeGenerateRoutes } from './programme/generate-routes.ts'
import { programmeMoneyRoutes } from './programme/money-routes.ts'
import { programmeReturnsRoutes } from './programme/returns/submission-routes.ts'
import { programmeRiskRoutes } from './programme/risk-routes.ts'
import { programmeRoutes } from './programme/routes.ts'
import './payroll/tables.ts'
import { OrgsService } from './orgs/service.ts'
import { payrollRoutes } from './payroll/routes.ts'
import { recentAudit } from './platform/audit.ts'
import { OidcService } from './platform/auth/oidc.ts'
import { AuthService } from './platform/auth/service.ts'
import type { Config } from './platform/config.ts'
import type { Database } from './platform/db/index.ts'
import { type App, buildShell, type NavigationItem } from './platform/http/app.ts'
import { type DomainPage, platformRoutes } from './platform/http/routes.ts'

export function createServices(db: Database, config: Config) {
  const auth = new AuthService(db, config)
  return {
    auth,
    oidc: config.oidc ? new OidcService(config.oidc, db, auth) : undefined,
    orgs: new OrgsService(),
    ledger: new LedgerService(),
    webhooks: new WebhooksService({ allowPlainHttp: config.env !== 'production' }),
  }
}
export type Services = ReturnType<typeof createServices>

/** The back-office domains, as the home page and navigation present them. */
export const DOMAINS: DomainPage[] = [
  {
    name: 'finance',
    title: 'Finance',
    permission: 'finance:read',
    summary: 'General ledger on the common chart of accounts, payables, receivables and budgets.',
    capabilities: [
      'Journals on the standard chart of accounts, balanced and immutable once posted, corrected by reversal',
      'Trial balance by period, in pounds and in any currency the organisation pays in',
      'Recurring journals, journal import from CSV, year-end close into the general fund',
      'Budgets and forecasts as signed adjustments; budget variance, income and expenditure, balance sheet',
      'The monthly transparency file of spend over £25,000, and recharges between organisations',
      'Suppliers with checked bank details; invoices by hand or as Peppol e-invoices; approval within delegated limits',
      'Payment runs as ISO 20022 pain.001 and Bacs files; bank statements (camt.053) reconciled automatically',
    ],
    available: true,
  },
  {
    name: 'procurement',
    title: 'Procurement',
    permission: 'procurement:read',
    summary:
      'Source to pay: requisitions, orders, receipts, three-way match, contracts and the commercial pipeline.',
    capabilities: [
      'Requisitions and purchase orders approved within delegated authority',
      'Three-way match of order, receipt and invoice: no PO, no pay',
      'Contracts register with expiry alerts, the commercial pipeline, and OCDS publication',
    ],
    available: true,
  },
  {
    name: 'hr',
    title: 'HR',
    permission: 'hr:read',
    summary: 'People, positions and effective-dated employment: joiners, movers and leavers, and absence.',
    capabilities: [
      'The converged joiners, movers and leavers process with approvals',
      'Annual leave, sickness and family leave feeding payroll',
      'The HR data reporting standard, exported and imported',
    ],
    available: true,
  },
  {
    name: 'payroll',
    title: 'Payroll',
    permission: 'payroll:read',
    summary: 'UK payroll: PAYE, National Insurance, student loans and pensions, and Real Time Information.',
    capabilities: [
      'A statutory engine that matches HMRC’s conformance data to the penny',
      'Pay runs with approval, payslips, and Full Payment Submissions',
    ],
    available: true,
  },
  {
    name: 'programme',
    title: 'Programme oversight',
    permission: 'programme:read',
    summary:
      'The portfolio computed from the platform’s own data: returns, convergence, benefits, costs and risks.',
    capabilities: [
      'A programme dashboard and one page per cluster: charts drawn on the server, each with its data table, by quarter',
      'Returns received, late, invalid and missing, and data-quality scores, per cluster over eight quarters',
      'Headcount, payslips, invoices, cost per transaction, prompt payment and convergence indicators from the returns',
      'Migration against plan, benefits forecast against realised, cost to date against budget, funding requested against approved',
      'Delivery confidence on the IPA scale, a risk heat map and legacy contracts expiring before their replacement',
      'Every figure with its provenance (computed, submitted, estimated), as CSV, Excel and on the API',
    ],
    available: true,
  },
  {
    name: 'self-service',
    title: 'My details',
    permission: 'self:read',
    summary: 'Your own details, payslips, leave and expenses.',
    capabilities: ['Your details and payslips', 'Leave balance and requests', 'Expense claims'],
    available: true,
  },
  {
    name: 'integrations',
    title: 'Integrations',
    permission: 'interop:manage',
    summary: 'Change events, signed webhooks and the live feed that share data with other systems.',
    capabilities: [
      'Webhook subscriptions per event type: signed, retried with backoff, in order per record, replayable',
      'A delivery log of every attempt',
      'A live feed of events since a cursor (long polling or server-sent events), scoped by your roles',
      'Published, versioned JSON Schemas for every event type',
    ],
    available: true,
  },
]

const NAVIGATION: NavigationItem[] = [
  { text: 'Home', href: '/', permission: 'orgs:read' },
  { text: 'Clusters', href: '/clusters', permission: 'orgs:read' },
  { text: 'Organisations', href: '/organisations', permission: 'orgs:read' },
  ...DOMAINS.map((domain) => ({
    text: domain.title,
    href: `/${domain.name}`,
    permission: domain.permission,
  })),
  { text: 'Audit log', href: '/audit', permission: 'audit:read' },
]

function auditRoutes() {
  return async (app: App) => {
    app.get(
      '/audit',
      { config: { permission: 'audit:read', kind: 'page' }, schema: { hide: true } },
      async (request, reply) => {
        const entries = await request.withTx((trx) => recentAudit(trx, 100))
        return reply.page('platform/views/audit.njk', { pageTitle: 'Audit log', entries })
      },
    )
    app.get(
      '/api/v1/audit',
      {
        config: { permission: 'audit:read', kind: 'api' },
        schema: {
          tags: ['platform'],
          summary: 'Recent audit entries in the caller’s scope',
          querystring: Type.Object(
            { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const entries = await request.withTx((trx) => recentAudit(trx, request.query.limit ?? 100))
        return { items: entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })) }
      },
    )
  }
}

export async function buildApp(config: Config, db: Database): Promise<{ app: App; services: Services }> {
  const services = createServices(db, config)
  const app = await buildShell({
    config,
    db,
    auth: services.auth,
    navigation: NAVIGATION,
    modules: [
      platformRoutes({ config, db, auth: services.auth, oidc: services.oidc, domains: DOMAINS }),
      orgsRoutes(services.orgs),
      financeRoutes(services.ledger),
      // After financeRoutes: they reuse the text/csv parser it registers.
      budgetsRoutes(services),
      reportsRoutes(services),
      payablesRoutes(services),
      receivablesRoutes(services),
      procurementRoutes(services),
      interopRoutes(services),
      hrRoutes(),
      hrStandardRoutes(services),
      hrHeadcountRoutes(services),
      selfServiceRoutes(services),
      absenceRoutes(services),
      payrollRoutes({ db, ledger: services.ledger }),
      programmeReturnsRoutes(services),
      programmeGenerateRoutes({ db }),
      programmeMoneyRoutes(services),
      programmeRoutes(services),
      programmeRiskRoutes(services),
      auditRoutes(),
    ],
  })
  return { app, services }
}
