// Canonical records: the shapes GSS exchanges with other systems, each a versioned JSON Schema
// (published at /api/v1/schemas/records/<record>/v<n> and in the OpenAPI document), exported as
// JSON Lines or CSV, and imported from JSON Lines (flat records also from CSV) so that a body
// moving onto the platform, or between clusters, brings its data with it.
//
// An import validates every record against the schema first and reports every problem by line
// and field; then applies all records in one transaction, each through the owning domain's
// service (so the same rules apply as on its pages and API), collecting every record the service
// refuses; if any was refused, nothing is kept.
import { Ajv, type ErrorObject } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { stringify } from 'csv-stringify/sync'
import { sql } from 'kysely'
import { type Static, type TSchema, Type } from 'typebox'
import { LedgerService } from '../finance/ledger.ts'
import { SupplierService } from '../finance/payables/suppliers.ts'
import { createPosition } from '../hr/records.ts'
import type { Tx } from '../platform/db/index.ts'
import { AppError, ValidationError } from '../platform/errors.ts'
import { FileImportError, type ImportProblem, readCsvTable } from '../platform/file-import.ts'
import { ContractService } from '../procurement/contracts.ts'
import { ReturnFigures } from '../programme/return-schema.ts'

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Uuid = Type.String({ format: 'uuid' })
const IsoDate = Type.String({ format: 'date' })

export const IMPORT_MAX_BYTES = 20 * 1024 * 1024
export const IMPORT_MAX_RECORDS = 100_000

const OrganisationRecord = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    abbreviation: Nullable(Type.String()),
    kind: Type.String(),
    sponsorCode: Nullable(Type.String()),
    clusterCode: Type.String(),
    onboardingStatus: Type.String(),
  },
  { additionalProperties: false },
)

const SupplierRecord = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    companyNumber: Type.Optional(Nullable(Type.String())),
    vatNumber: Type.Optional(Nullable(Type.String())),
    sortCode: Type.Optional(Nullable(Type.String())),
    accountNumber: Type.Optional(Nullable(Type.String())),
    iban: Type.Optional(Nullable(Type.String())),
    bic: Type.Optional(Nullable(Type.String())),
    peppolEndpoint: Type.Optional(Nullable(Type.String())),
    sme: Type.Optional(Type.Boolean()),
    defaultAccountCode: Type.Optional(Type.String({ pattern: '^[0-9]{8}$' })),
  },
  { additionalProperties: false },
)

const AccountRecord = Type.Object(
  {
    code: Type.String({ pattern: '^[0-9]{8}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    standardCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}00$' })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

const JournalRecord = Type.Object(
  {
    id: Type.Optional(Uuid),
    date: IsoDate,
    description: Type.String({ minLength: 1, maxLength: 500 }),
    reference: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    source: Type.Optional(Type.String()),
    lines: Type.Array(
      Type.Object(
        {
          accountCode: Type.String({ pattern: '^[0-9]{8}$' }),
          costCentreCode: Type.Optional(Nullable(Type.String())),
          projectCode: Type.Optional(Nullable(Type.String())),
          controlTotal: Type.Optional(Type.Enum(['DEL', 'AME'])),
          budgetClass: Type.Optional(Type.Enum(['resource', 'capital'])),
          spendClass: Type.Optional(Type.Enum(['admin', 'programme'])),
          currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
          amountMinor: Type.Integer({ description: 'Signed, in minor units: debits positive' }),
          amountPence: Type.Optional(Type.Integer({ description: 'Sterling equivalent (export only)' })),
          description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
        },
        { additionalProperties: false },
      ),
      { minItems: 2 },
    ),
  },
  { additionalProperties: false },
)

const InvoiceRecord = Type.Object(
  {
    id: Uuid,
    supplierId: Uuid,
    kind: Type.Enum(['invoice', 'credit-note']),
    supplierReference: Type.String(),
    issueDate: IsoDate,
    receiptDate: IsoDate,
    dueDate: IsoDate,
    currency: Type.String(),
    netPence: Type.Integer(),
    vatPence: Type.Integer(),
    grossPence: Type.Integer(),
    status: Type.String(),
  },
  { additionalProperties: false },
)

const EmployeeRecord = Type.Object(
  {
    employmentId: Uuid,
    personId: Uuid,
    employeeNumber: Type.String(),
    forenames: Type.String(),
    surname: Type.String(),
    contractType: Type.String(),
    startDate: IsoDate,
    endDate: Nullable(IsoDate),
    positionCode: Nullable(Type.String()),
    gradeCode: Nullable(Type.String()),
    costCentreCode: Nullable(Type.String()),
    fte: Nullable(Type.String({ description: 'Decimal, e.g. "0.8"' })),
  },
  { additionalProperties: false },
)

const PositionRecord = Type.Object(
  {
    code: Type.String(),
    title: Type.String(),
    unitCode: Type.String(),
    gradeCode: Type.String(),
    reportsToCode: Nullable(Type.String()),
    costCentreCode: Nullable(Type.String()),
    fte: Type.String(),
    establishedOn: IsoDate,
    abolishedOn: Nullable(IsoDate),
  },
  { additionalProperties: false },
)

const PurchaseOrderRecord = Type.Object(
  {
    orderNumber: Nullable(Type.String()),
    requisitionNumber: Type.Integer(),
    title: Type.String(),
    supplierName: Type.String(),
    contractReference: Nullable(Type.String()),
    cpvCode: Type.String({ pattern: '^[0-9]{8}-[0-9]$' }),
    status: Type.Enum(['awaiting-approval', 'issued', 'rejected', 'cancelled', 'closed']),
    version: Type.Integer({ minimum: 1 }),
    netPence: Type.Integer(),
    vatPence: Type.Integer(),
    totalPence: Type.Integer(),
    neededBy: Nullable(IsoDate),
    issuedOn: Nullable(IsoDate),
    lines: Type.Array(
      Type.Object(
        {
          lineNo: Type.Integer({ minimum: 1 }),
          description: Type.String(),
          cpvCode: Type.String(),
          accountCode: Type.String(),
          costCentreCode: Type.String(),
          unit: Type.String(),
          quantity: Type.String({ description: 'Decimal, up to three places' }),
          unitPricePence: Type.Integer(),
          netPence: Type.Integer(),
          vatRatePercent: Type.String(),
          vatPence: Type.Integer(),
          quantityReceived: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

const ContractRecord = Type.Object(
  {
    reference: Type.String({ minLength: 1, maxLength: 50 }),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    supplierName: Type.String({ minLength: 1, maxLength: 200 }),
    cpvCode: Type.String({ pattern: '^[0-9]{8}-[0-9]$' }),
    valuePence: Type.Integer({ minimum: 1 }),
    startDate: IsoDate,
    endDate: IsoDate,
    extensionOptionsTotal: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    extensionOptionsUsed: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    extensionMonths: Type.Optional(Type.Integer({ minimum: 0, maximum: 120 })),
    ownerName: Type.String({ minLength: 1, maxLength: 200 }),
    kpis: Type.Optional(
      Type.Array(
        Type.Object({ name: Type.String(), target: Type.String() }, { additionalProperties: false }),
        {
          maxItems: 3,
        },
      ),
    ),
  },
  { additionalProperties: false },
)

interface RecordType<S extends TSchema = TSchema> {
  name: string
  version: number
  title: string
  /** The permission needed to export; importing needs `importPermission`. */
  permission: 'orgs:read' | 'finance:read' | 'hr:read' | 'procurement:read' | 'programme:read'
  importPermission?:
    | 'finance:post'
    | 'payables:capture'
    | 'hr:manage'
    | 'procurement:manage'
    | 'programme:submit'
  schema: S
  /** Columns of the CSV form, for flat records (nested ones are JSON Lines only). */
  csvColumns?: readonly string[]
  export(trx: Tx, orgId: string): Promise<Array<Static<S>>>
  /** Applies one valid record; throws an AppError naming fields when the domain refuses it. */
  import?(trx: Tx, orgId: string, record: Static<S>, userId: string | null): Promise<void>
}

const suppliers = new SupplierService()
const contracts = new ContractService()
const ledger = new LedgerService()

const orNull = <T>(value: T | null | undefined) => value ?? null

export const RECORD_TYPES: readonly RecordType[] = [
  {
    name: 'organisation',
    version: 1,
    title: 'An organisation in the directory (exported; organisations are added by platform admins)',
    permission: 'orgs:read',
    schema: OrganisationRecord,
    csvColumns: ['code', 'name', 'abbreviation', 'kind', 'sponsorCode', 'clusterCode', 'onboardingStatus'],
    async export(trx, orgId) {
      const { rows } = await sql<Static<typeof OrganisationRecord>>`
        select o.code, o.name, o.abbreviation, o.kind, s.code as "sponsorCode", c.code as "clusterCode",
          o.onboarding_status as "onboardingStatus"
        from organisations o join clusters c on c.id = o.cluster_id
        left join organisations s on s.id = o.sponsor_id
        where o.id = ${orgId} or o.sponsor_id = ${orgId}
        order by o.code`.execute(trx)
      return rows
    },
  } satisfies RecordType<typeof OrganisationRecord>,
  {
    name: 'supplier',
    version: 1,
    title: 'A supplier with its identifiers and bank details',
    permission: 'finance:read',
    importPermission: 'payables:capture',
    schema: SupplierRecord,
    csvColumns: [
      'name',
      'companyNumber',
      'vatNumber',
      'sortCode',
      'accountNumber',
      'iban',
      'bic',
      'peppolEndpoint',
      'sme',
      'defaultAccountCode',
    ],
    async export(trx, orgId) {
      const rows = await trx
        .selectFrom('suppliers')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('name')
        .execute()
      return rows.map((row) => ({
        name: row.name,
        companyNumber: row.company_number,
        vatNumber: row.vat_number,
        sortCode: row.sort_code,
        accountNumber: row.account_number,
        iban: row.iban,
        bic: row.bic,
        peppolEndpoint: row.peppol_endpoint,
        sme: row.sme,
        defaultAccountCode: row.default_account_code,
      }))
    },
    async import(trx, orgId, record, userId) {
      await suppliers.create(
        trx,
        orgId,
        {
          name: record.name,
          companyNumber: record.companyNumber ?? undefined,
          vatNumber: record.vatNumber ?? undefined,
          sortCode: record.sortCode ?? undefined,
          accountNumber: record.accountNumber ?? undefined,
          iban: record.iban ?? undefined,
          bic: record.bic ?? undefined,
          peppolEndpoint: record.peppolEndpoint ?? undefined,
          sme: record.sme,
          defaultAccountCode: record.defaultAccountCode,
        },
        userId,
      )
    },
  } satisfies RecordType<typeof SupplierRecord>,
  {
    name: 'account',
    version: 1,
    title: 'An account of the organisation’s chart (local accounts are children of a standard code)',
    permission: 'finance:read',
    importPermission: 'finance:post',
    schema: AccountRecord,
    csvColumns: ['code', 'name', 'standardCode', 'active'],
    async export(trx, orgId) {
      const rows = await trx
        .selectFrom('accounts')
        .select(['code', 'name', 'standard_code', 'active'])
        .where('org_id', '=', orgId)
        .orderBy('code')
        .execute()
      return rows.map((row) => ({
        code: row.code,
        name: row.name,
        standardCode: row.standard_code,
        active: row.active,
      }))
    },
    async import(trx, orgId, record) {
      // Standard accounts arrive with every organisation; an import adds the local ones.
      const existing = await trx
        .selectFrom('accounts')
        .select('name')
        .where('org_id', '=', orgId)
        .where('code', '=', record.code)
        .executeTakeFirst()
      if (existing && record.code.endsWith('00')) return
      await ledger.addLocalAccount(trx, orgId, record.code, record.name)
    },
  } satisfies RecordType<typeof AccountRecord>,
  {
    name: 'journal',
    version: 1,
    title: 'A posted journal with its lines (imported journals are posted anew, into open periods)',
    permission: 'finance:read',
    importPermission: 'finance:post',
    schema: JournalRecord,
    async export(trx, orgId) {
      const journals = await trx
        .selectFrom('journals')
        .select(['id', 'journal_date', 'description', 'reference', 'source'])
        .where('org_id', '=', orgId)
        .orderBy('journal_date')
        .orderBy('id')
        .execute()
      const lines = await trx
        .selectFrom('journal_lines')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('journal_id')
        .orderBy('line_no')
        .execute()
      const byJournal = new Map<string, typeof lines>()
      for (const line of lines) {
        const list = byJournal.get(line.journal_id)
        if (list) list.push(line)
        else byJournal.set(line.journal_id, [line])
      }
      return journals.map((journal) => ({
        id: journal.id,
        date: journal.journal_date,
        description: journal.description,
        reference: journal.reference,
        source: journal.source,
        lines: (byJournal.get(journal.id) ?? []).map((line) => ({
          accountCode: line.account_code,
          costCentreCode: line.cost_centre_code,
          projectCode: line.project_code,
          controlTotal: line.control_total,
          budgetClass: line.budget_class,
          spendClass: line.spend_class,
          currency: line.currency,
          amountMinor: line.amount_minor,
          amountPence: line.amount_pence,
          description: line.description,
        })),
      }))
    },
    async import(trx, orgId, record, userId) {
      await ledger.postJournals(
        trx,
        orgId,
        [
          {
            date: record.date,
            description: record.description,
            reference: record.reference ?? undefined,
            source: 'import',
            lines: record.lines.map((line) => ({
              accountCode: line.accountCode,
              costCentreCode: line.costCentreCode ?? undefined,
              projectCode: line.projectCode ?? undefined,
              controlTotal: line.controlTotal,
              budgetClass: line.budgetClass,
              spendClass: line.spendClass,
              currency: line.currency,
              amountMinor: line.amountMinor,
              description: line.description ?? undefined,
            })),
          },
        ],
        userId,
      )
    },
  } satisfies RecordType<typeof JournalRecord>,
  {
    name: 'invoice',
    version: 1,
    title: 'A supplier invoice or credit note (exported; invoices arrive by hand, CSV or Peppol UBL)',
    permission: 'finance:read',
    schema: InvoiceRecord,
    csvColumns: [
      'id',
      'supplierId',
      'kind',
      'supplierReference',
      'issueDate',
      'receiptDate',
      'dueDate',
      'currency',
      'netPence',
      'vatPence',
      'grossPence',
      'status',
    ],
    async export(trx, orgId) {
      const rows = await trx
        .selectFrom('supplier_invoices')
        .select([
          'id',
          'supplier_id',
          'kind',
          'supplier_reference',
          'issue_date',
          'receipt_date',
          'due_date',
          'currency',
          'net_pence',
          'vat_pence',
          'gross_pence',
          'status',
        ])
        .where('org_id', '=', orgId)
        .orderBy('receipt_date')
        .execute()
      return rows.map((row) => ({
        id: row.id,
        supplierId: row.supplier_id,
        kind: row.kind,
        supplierReference: row.supplier_reference,
        issueDate: row.issue_date,
        receiptDate: row.receipt_date,
        dueDate: row.due_date,
        currency: row.currency,
        netPence: row.net_pence,
        vatPence: row.vat_pence,
        grossPence: row.gross_pence,
        status: row.status,
      }))
    },
  } satisfies RecordType<typeof InvoiceRecord>,
  {
    name: 'employee',
    version: 1,
    title:
      'An employment with its person and the terms in force today (exported; people arrive through HR’s import)',
    permission: 'hr:read',
    schema: EmployeeRecord,
    csvColumns: [
      'employmentId',
      'personId',
      'employeeNumber',
      'forenames',
      'surname',
      'contractType',
      'startDate',
      'endDate',
      'positionCode',
      'gradeCode',
      'costCentreCode',
      'fte',
    ],
    async export(trx, orgId) {
      const { rows } = await sql<Static<typeof EmployeeRecord>>`
        select e.id as "employmentId", p.id as "personId", e.employee_number as "employeeNumber",
          p.forenames, p.surname, e.contract_type as "contractType", e.start_date as "startDate",
          e.end_date as "endDate", pos.code as "positionCode", t.grade_code as "gradeCode",
          t.cost_centre_code as "costCentreCode", t.fte::text as fte
        from employments e
        join people p on p.id = e.person_id
        left join employment_terms t on t.org_id = e.org_id and t.employment_id = e.id
          and t.valid_from <= current_date and (t.valid_to is null or t.valid_to > current_date)
        left join positions pos on pos.org_id = t.org_id and pos.id = t.position_id
        where e.org_id = ${orgId}
        order by e.employee_number`.execute(trx)
      return rows.map((row) => ({ ...row, endDate: orNull(row.endDate) }))
    },
  } satisfies RecordType<typeof EmployeeRecord>,
  {
    name: 'position',
    version: 1,
    title: 'A position (post) in the organisation structure; imported in file order, managers first',
    permission: 'hr:read',
    importPermission: 'hr:manage',
    schema: PositionRecord,
    csvColumns: [
      'code',
      'title',
      'unitCode',
      'gradeCode',
      'reportsToCode',
      'costCentreCode',
      'fte',
      'establishedOn',
      'abolishedOn',
    ],
    async export(trx, orgId) {
      const { rows } = await sql<Static<typeof PositionRecord>>`
        select p.code, p.title, u.code as "unitCode", p.grade_code as "gradeCode", r.code as "reportsToCode",
          p.cost_centre_code as "costCentreCode", p.fte::text as fte, p.established_on as "establishedOn",
          p.abolished_on as "abolishedOn"
        from positions p join org_units u on u.org_id = p.org_id and u.id = p.unit_id
        left join positions r on r.org_id = p.org_id and r.id = p.reports_to_id
        where p.org_id = ${orgId}
        order by p.code`.execute(trx)
      return rows
    },
    async import(trx, orgId, record) {
      // Positions are imported in file order, so a post's manager must come before it.
      await createPosition(trx, orgId, {
        code: record.code,
        title: record.title,
        unitCode: record.unitCode,
        gradeCode: record.gradeCode,
        reportsToCode: record.reportsToCode ?? undefined,
        costCentreCode: record.costCentreCode ?? undefined,
        fte: record.fte,
        establishedOn: record.establishedOn,
      })
    },
  } satisfies RecordType<typeof PositionRecord>,
  {
    name: 'purchase-order',
    version: 1,
    title:
      'A purchase order with its lines (exported; orders are raised and approved within delegated authority, never imported)',
    permission: 'procurement:read',
    schema: PurchaseOrderRecord,
    async export(trx, orgId) {
      const { rows: orders } = await sql<Omit<Static<typeof PurchaseOrderRecord>, 'lines'> & { id: string }>`
        select o.id, o.order_number as "orderNumber", o.requisition_number::int as "requisitionNumber", o.title,
          s.name as "supplierName", c.reference as "contractReference", o.cpv_code as "cpvCode", o.status,
          o.version, o.net_pence::int8 as "netPence", o.vat_pence::int8 as "vatPence",
          o.total_pence::int8 as "totalPence", o.needed_by::text as "neededBy", o.issued_on::text as "issuedOn"
        from purchase_orders o
        join suppliers s on s.org_id = o.org_id and s.id = o.supplier_id
        left join contracts c on c.org_id = o.org_id and c.id = o.contract_id
        where o.org_id = ${orgId}
        order by o.requisition_number`.execute(trx)
      const { rows: lines } = await sql<
        Static<typeof PurchaseOrderRecord>['lines'][number] & { orderId: string }
      >`
        select order_id as "orderId", line_no as "lineNo", description, cpv_code as "cpvCode",
          account_code as "accountCode", cost_centre_code as "costCentreCode", unit, quantity::text as quantity,
          unit_price_pence::int8 as "unitPricePence", net_pence::int8 as "netPence",
          vat_rate_percent::text as "vatRatePercent", vat_pence::int8 as "vatPence",
          quantity_received::text as "quantityReceived"
        from purchase_order_lines where org_id = ${orgId} order by order_id, line_no`.execute(trx)
      const byOrder = new Map<string, Array<Static<typeof PurchaseOrderRecord>['lines'][number]>>()
      for (const { orderId, ...line } of lines) {
        const list = byOrder.get(orderId)
        if (list) list.push(line)
        else byOrder.set(orderId, [line])
      }
      return orders.map(({ id, ...order }) => ({ ...order, lines: byOrder.get(id) ?? [] }))
    },
  } satisfies RecordType<typeof PurchaseOrderRecord>,
  {
    name: 'contract',
    version: 1,
    title: 'A contract in the contracts register (the CSV form leaves out the KPIs; JSON Lines carries them)',
    permission: 'procurement:read',
    importPermission: 'procurement:manage',
    schema: ContractRecord,
    csvColumns: [
      'reference',
      'title',
      'supplierName',
      'cpvCode',
      'valuePence',
      'startDate',
      'endDate',
      'extensionOptionsTotal',
      'extensionOptionsUsed',
      'extensionMonths',
      'ownerName',
    ],
    async export(trx, orgId) {
      const { rows } = await sql<Static<typeof ContractRecord> & { id: string }>`
        select c.id, c.reference, c.title, s.name as "supplierName", c.cpv_code as "cpvCode",
          c.value_pence::int8 as "valuePence", c.start_date::text as "startDate", c.end_date::text as "endDate",
          c.extension_options_total::int as "extensionOptionsTotal",
          c.extension_options_used::int as "extensionOptionsUsed", c.extension_months::int as "extensionMonths",
          c.owner_name as "ownerName"
        from contracts c join suppliers s on s.org_id = c.org_id and s.id = c.supplier_id
        where c.org_id = ${orgId}
        order by c.reference`.execute(trx)
      const kpis = await trx.selectFrom('contract_kpis').selectAll().where('org_id', '=', orgId).execute()
      return rows.map(({ id, ...contract }) => {
        const own = kpis.filter((kpi) => kpi.contract_id === id)
        return own.length > 0
          ? { ...contract, kpis: own.map((kpi) => ({ name: kpi.name, target: kpi.target })) }
          : contract
      })
    },
    async import(trx, orgId, record, userId) {
      const supplier = await trx
        .selectFrom('suppliers')
        .select('id')
        .where('org_id', '=', orgId)
        .where('name', '=', record.supplierName)
        .executeTakeFirst()
      if (!supplier)
        throw new ValidationError('The contract’s supplier is not on file', [
          {
            field: '/supplierName',
            message: `There is no supplier called ${record.supplierName}: import suppliers first`,
          },
        ])
      await contracts.create(
        trx,
        orgId,
        {
          reference: record.reference,
          title: record.title,
          supplierId: supplier.id,
          cpvCode: record.cpvCode,
          valuePence: record.valuePence,
          startDate: record.startDate,
          endDate: record.endDate,
          extensionOptionsTotal: record.extensionOptionsTotal,
          extensionOptionsUsed: record.extensionOptionsUsed,
          extensionMonths: record.extensionMonths,
          ownerName: record.ownerName,
          kpis: record.kpis,
        },
        userId,
      )
    },
  } satisfies RecordType<typeof ContractRecord>,
  {
    name: 'return',
    version: 1,
    title:
      'An organisation’s quarterly return, current version per quarter (the programme’s published return schema)',
    permission: 'programme:read',
    schema: ReturnFigures,
    async export(trx, orgId) {
      const { rows } = await sql<{ figures: Static<typeof ReturnFigures> }>`
        select v.figures from programme_returns r
        join programme_return_versions v on v.org_id = r.org_id and v.quarter = r.quarter and v.version = r.current_version
        where r.org_id = ${orgId}
        order by r.quarter`.execute(trx)
      return rows.map((row) => row.figures)
    },
  } satisfies RecordType<typeof ReturnFigures>,
] as unknown as readonly RecordType[]

export function recordType(name: string): RecordType | undefined {
  return RECORD_TYPES.find((record) => record.name === name)
}

export function recordSchemaDocument(record: RecordType, baseUrl: string): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${baseUrl}/api/v1/schemas/records/${record.name}/v${record.version}`,
    title: record.title,
    ...(record.schema as unknown as Record<string, unknown>),
  }
}

// --- Export -------------------------------------------------------------------------------

export function toJsonLines(records: readonly unknown[]): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + (records.length > 0 ? '\n' : '')
}

export function toCsv(record: RecordType, records: ReadonlyArray<Record<string, unknown>>): string {
  const columns = record.csvColumns ?? []
  return stringify(
    records.map((row) =>
      columns.map((column) => (row[column] === null || row[column] === undefined ? '' : row[column])),
    ),
    { header: true, columns: [...columns], cast: { boolean: (value) => (value ? 'true' : 'false') } },
  )
}

// --- Import -------------------------------------------------------------------------------

const ajv = new Ajv({ allErrors: true, strict: false })
;(addFormatsModule as unknown as (ajv: Ajv) => void)(ajv)
const validators = new Map(RECORD_TYPES.map((record) => [record.name, ajv.compile(record.schema as object)]))

function describe(error: ErrorObject): { field: string; message: string } {
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty
    return {
      field: `${error.instancePath}/${extra}`.slice(1) || extra,
      message: 'is not a field of this record',
    }
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty
    return { field: `${error.instancePath}/${missing}`.slice(1), message: 'is required' }
  }
  return { field: error.instancePath.slice(1) || '(record)', message: error.message ?? 'is not valid' }
}

/** Parses JSON Lines or (for flat records) CSV into records, with every problem by line. */
export function parseRecords(
  record: RecordType,
  body: Buffer,
  format: 'jsonl' | 'csv',
): Array<{ line: number; value: unknown }> {
  const fail = (problems: ImportProblem[]) => new FileImportError(problems)
  if (body.length > IMPORT_MAX_BYTES)
    throw fail([
      { line: 0, field: 'file', message: `the file is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MB` },
    ])
  const problems: ImportProblem[] = []
  const values: Array<{ line: number; value: unknown }> = []
  if (format === 'csv') {
    if (!record.csvColumns)
      throw fail([
        { line: 0, field: 'file', message: `${record.name} records are exchanged as JSON Lines only` },
      ])
    const columns = record.csvColumns.map((column) => column.toLowerCase())
    const { rows, problems: csvProblems } = readCsvTable(
      body,
      { columns, required: [], maxBytes: IMPORT_MAX_BYTES, maxRows: IMPORT_MAX_RECORDS },
      fail,
    )
    problems.push(...csvProblems)
    const properties = (
      record.schema as unknown as { properties: Record<string, { type?: string; anyOf?: unknown[] }> }
    ).properties
    for (const row of rows) {
      const value: Record<string, unknown> = {}
      for (const column of record.csvColumns) {
        const cell = row.cell(column.toLowerCase())
        if (cell === '') continue
        const type = properties[column]?.type
        value[column] =
          type === 'boolean'
            ? ['true', 'yes', '1'].includes(cell.toLowerCase())
            : type === 'integer'
              ? Number(cell)
              : cell
      }
      values.push({ line: row.line, value })
    }
  } else {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(body)
    if (text.includes('\uFFFD'))
      throw fail([{ line: 0, field: 'file', message: 'the file is not UTF-8 text' }])
    const lines = text.split('\n')
    if (lines.length > IMPORT_MAX_RECORDS + 1)
      throw fail([
        { line: 0, field: 'file', message: `the file has more than ${IMPORT_MAX_RECORDS} records; split it` },
      ])
    lines.forEach((raw, index) => {
      if (raw.trim() === '') return
      try {
        values.push({ line: index + 1, value: JSON.parse(raw) })
      } catch {
        problems.push({ line: index + 1, field: 'record', message: 'is not valid JSON' })
      }
    })
  }
  if (values.length === 0 && problems.length === 0)
    problems.push({ line: 0, field: 'file', message: 'the file has no records' })
  const validate = validators.get(record.name)!
  for (const { line, value } of values) {
    if (!validate(value))
      for (const error of validate.errors ?? []) problems.push({ line, ...describe(error) })
  }
  if (problems.length > 0) throw fail(problems)
  return values
}

/** Applies every record through its domain, each in a savepoint; if any is refused, none is kept. */
export async function importRecords(
  trx: Tx,
  record: RecordType,
  orgId: string,
  values: Array<{ line: number; value: unknown }>,
  userId: string | null,
): Promise<{ imported: number }> {
  const apply = record.import
  if (!apply)
    throw new FileImportError([
      { line: 0, field: 'file', message: `${record.name} records cannot be imported here` },
    ])
  const problems: ImportProblem[] = []
  for (const { line, value } of values) {
    await sql`savepoint gss_record`.execute(trx)
    try {
      await apply(trx, orgId, value as never, userId)
      await sql`release savepoint gss_record`.execute(trx)
    } catch (error) {
      await sql`rollback to savepoint gss_record`.execute(trx)
      if (!(error instanceof AppError)) throw error
      const fields =
        error.fieldErrors.length > 0 ? error.fieldErrors : [{ field: '/record', message: error.message }]
      for (const fieldError of fields)
        problems.push({
          line,
          field: fieldError.field.replace(/^\//, '') || 'record',
          message: fieldError.message,
        })
    }
  }
  if (problems.length > 0) throw new FileImportError(problems)
  return { imported: values.length }
}
