// The contracts register and the commercial pipeline.
//
// Contracts: supplier, value, start and end, extension options used and left, owner, the three
// most material KPIs for contracts over £5m (Procurement Act 2023), linked orders and spend to
// date against value. Alerts are computed, never stored: 18, 12 and 6 months before expiry, and
// when spend reaches 80% of value.
//
// Pipeline: procurements planned for the next 18 months with estimated value and go-to-market
// date; flags for a pipeline notice (£2m and over) and for spend-control activity (£10m and over);
// and, across a cluster, go-to-market windows that overlap between organisations, so they can be
// staggered.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { addDays, todayIso } from '../finance/payables/invoices.ts'
import type { Tx } from '../platform/db/index.ts'
import { BusinessRuleError, type FieldError, NotFoundError, ValidationError } from '../platform/errors.ts'
import { CPV_PATTERN } from './orders.ts'
import './tables.ts'

export const KPI_THRESHOLD_PENCE = 5_000_000_00
export const PIPELINE_NOTICE_THRESHOLD_PENCE = 2_000_000_00
export const SPEND_CONTROL_THRESHOLD_PENCE = 10_000_000_00
export const SPEND_ALERT_PERCENT = 80
export const EXPIRY_ALERT_MONTHS = [6, 12, 18] as const
export const PIPELINE_MONTHS_AHEAD = 18
/** A go-to-market window without an award date is taken to last this long. */
export const DEFAULT_WINDOW_MONTHS = 3

export interface ContractInput {
  reference: string
  title: string
  supplierId: string
  cpvCode: string
  valuePence: number
  startDate: string
  endDate: string
  extensionOptionsTotal?: number | undefined
  extensionOptionsUsed?: number | undefined
  extensionMonths?: number | undefined
  ownerName: string
  pipelineId?: string | undefined
  kpis?: Array<{ name: string; target: string }> | undefined
}

export interface ContractAlert {
  kind: 'expiry' | 'spend' | 'expired'
  months?: number
  message: string
}

export interface Contract {
  id: string
  reference: string
  title: string
  supplierId: string
  supplierName: string
  cpvCode: string
  valuePence: number
  startDate: string
  endDate: string
  extensionOptionsTotal: number
  extensionOptionsUsed: number
  extensionOptionsLeft: number
  extensionMonths: number
  ownerName: string
  pipelineId: string | null
  orderCount: number
  spendToDatePence: number
  spendPercent: number
  kpis: Array<{ rank: number; name: string; target: string }>
  alerts: ContractAlert[]
  updatedAt: string
  createdAt: string
}

export function isRealDate(value: string | undefined): value is string {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
}

export function addMonths(isoDate: string, months: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`)
  const day = date.getUTCDate()
  date.setUTCDate(1)
  date.setUTCMonth(date.getUTCMonth() + months)
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate()
  date.setUTCDate(Math.min(day, last))
  return date.toISOString().slice(0, 10)
}

/** The alerts a contract raises on `today`: the nearest expiry threshold passed, and spend ≥ 80%. */
export function contractAlerts(
  contract: { endDate: string; valuePence: number; spendToDatePence: number },
  today: string,
): ContractAlert[] {
  const alerts: ContractAlert[] = []
  if (contract.endDate < today) alerts.push({ kind: 'expired', message: `Expired on ${contract.endDate}` })
  else {
    const months = EXPIRY_ALERT_MONTHS.find((m) => contract.endDate <= addMonths(today, m))
    if (months !== undefined)
      alerts.push({
        kind: 'expiry',
        months,
        message: `Expires within ${months} months (${contract.endDate}): plan the re-procurement`,
      })
  }
  const percent = contract.valuePence > 0 ? (contract.spendToDatePence * 100) / contract.valuePence : 0
  if (percent >= SPEND_ALERT_PERCENT)
    alerts.push({
      kind: 'spend',
      message: `Spend to date is ${Math.floor(percent)}% of the contract’s value`,
    })
  return alerts
}

export class ContractService {
  /**
   * Adds a contract. Errors: ValidationError (each bad field; a contract over £5m without its three
   * KPIs), BusinessRuleError (the reference is taken).
   */
  async create(trx: Tx, orgId: string, input: ContractInput, userId: string | null): Promise<Contract> {
    const problems: FieldError[] = []
    if (!input.reference?.trim())
      problems.push({ field: '/reference', message: 'Enter the contract reference' })
    if (!input.title?.trim()) problems.push({ field: '/title', message: 'Enter the contract title' })
    if (!CPV_PATTERN.test(input.cpvCode ?? ''))
      problems.push({ field: '/cpvCode', message: 'Enter the CPV code, like 72000000-5' })
    if (!Number.isSafeInteger(input.valuePence) || input.valuePence <= 0)
      problems.push({
        field: '/valuePence',
        message: 'Enter the contract value in whole pence, more than zero',
      })
    if (!isRealDate(input.startDate))
      problems.push({ field: '/startDate', message: 'Enter the start date as a real date, like 2026-04-01' })
    if (!isRealDate(input.endDate))
      problems.push({ field: '/endDate', message: 'Enter the end date as a real date, like 2028-03-31' })
    else if (isRealDate(input.startDate) && input.endDate < input.startDate)
      problems.push({ field: '/endDate', message: 'The end date must be on or after the start date' })
    const total = input.extensionOptionsTotal ?? 0
    const used = input.extensionOptionsUsed ?? 0
    if (!Number.isInteger(total) || total < 0 || total > 10)
      problems.push({
        field: '/extensionOptionsTotal',
        message: 'Enter the number of extension options, 0 to 10',
      })
    if (!Number.isInteger(used) || used < 0 || used > total)
      problems.push({
        field: '/extensionOptionsUsed',
        message: 'Extension options used cannot be more than those available',
      })
    const months = input.extensionMonths ?? 0
    if (!Number.isInteger(months) || months < 0 || months > 120)
      problems.push({ field: '/extensionMonths', message: 'Enter the months each extension adds, 0 to 120' })
    if (!input.ownerName?.trim()) problems.push({ field: '/ownerName', message: 'Enter the contract owner' })
    const kpis = (input.kpis ?? []).filter((kpi) => kpi.name?.trim() || kpi.target?.trim())
    if (kpis.length > 3)
      problems.push({ field: '/kpis', message: 'Record the three most material KPIs, no more' })
    kpis.forEach((kpi, index) => {
      if (!kpi.name?.trim())
        problems.push({ field: `/kpis/${index}/name`, message: `Enter the name of KPI ${index + 1}` })
      if (!kpi.target?.trim())
        problems.push({ field: `/kpis/${index}/target`, message: `Enter the target of KPI ${index + 1}` })
    })
    if (Number.isSafeInteger(input.valuePence) && input.valuePence > KPI_THRESHOLD_PENCE && kpis.length !== 3)
      problems.push({ field: '/kpis', message: 'A contract over £5m needs its three most material KPIs' })
    const supplier = await trx
      .selectFrom('suppliers')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', input.supplierId)
      .executeTakeFirst()
    if (!supplier)
      problems.push({ field: '/supplierId', message: 'Choose one of the organisation’s suppliers' })
    if (problems.length)
      throw new ValidationError(
        problems.length === 1 ? problems[0]!.message : `${problems.length} problems with the contract`,
        problems,
      )
    const taken = await trx
      .selectFrom('contracts')
      .select('id')
      .where('org_id', '=', orgId)
      .where('reference', '=', input.reference.trim())
      .executeTakeFirst()
    if (taken)
      throw new BusinessRuleError(`There is already a contract ${input.reference.trim()}`, [
        { field: '/reference', message: `There is already a contract ${input.reference.trim()}` },
      ])
    const id = randomUUID()
    await trx
      .insertInto('contracts')
      .values({
        org_id: orgId,
        id,
        reference: input.reference.trim(),
        title: input.title.trim(),
        supplier_id: input.supplierId,
        cpv_code: input.cpvCode,
        value_pence: input.valuePence,
        start_date: input.startDate,
        end_date: input.endDate,
        extension_options_total: total,
        extension_options_used: used,
        extension_months: months,
        owner_name: input.ownerName.trim(),
        pipeline_id: input.pipelineId ?? null,
        created_by: userId,
      })
      .execute()
    if (kpis.length)
      await trx
        .insertInto('contract_kpis')
        .values(
          kpis.map((kpi, index) => ({
            org_id: orgId,
            contract_id: id,
            rank: index + 1,
            name: kpi.name.trim(),
            target: kpi.target.trim(),
          })),
        )
        .execute()
    if (input.pipelineId)
      await trx
        .updateTable('pipeline_procurements')
        .set({ status: 'awarded' })
        .where('org_id', '=', orgId)
        .where('id', '=', input.pipelineId)
        .execute()
    return this.get(trx, orgId, id)
  }

  /** Uses one extension option: the end date moves on. Errors: NotFoundError, BusinessRuleError. */
  async extend(trx: Tx, orgId: string, contractId: string, today = todayIso()): Promise<Contract> {
    const row = await trx
      .selectFrom('contracts')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', contractId)
      .forUpdate()
      .executeTakeFirst()
    if (!row) throw new NotFoundError('There is no such contract')
    if (row.extension_options_used >= row.extension_options_total)
      throw new BusinessRuleError(`Contract ${row.reference} has no extension options left`)
    await trx
      .updateTable('contracts')
      .set({
        extension_options_used: row.extension_options_used + 1,
        end_date: addMonths(row.end_date, row.extension_months),
        updated_at: new Date(),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', contractId)
      .execute()
    return this.get(trx, orgId, contractId, today)
  }

  async list(trx: Tx, orgId: string, today = todayIso()): Promise<Contract[]> {
    return this.#query(trx, orgId, null, today)
  }

  /** Errors: NotFoundError. */
  async get(trx: Tx, orgId: string, contractId: string, today = todayIso()): Promise<Contract> {
    const [contract] = await this.#query(trx, orgId, contractId, today)
    if (!contract) throw new NotFoundError('There is no such contract')
    return contract
  }

  async #query(trx: Tx, orgId: string, contractId: string | null, today: string): Promise<Contract[]> {
    // Spend to date: invoices against the contract's orders that are not rejected.
    const { rows } = await sql<{
      id: string
      reference: string
      title: string
      supplier_id: string
      supplier_name: string
      cpv_code: string
      value_pence: string
      start_date: string
      end_date: string
      extension_options_total: number
      extension_options_used: number
      extension_months: number
      owner_name: string
      pipeline_id: string | null
      order_count: number
      spend: string
      updated_at: Date
      created_at: Date
    }>`
      select c.id, c.reference, c.title, c.supplier_id, s.name as supplier_name, c.cpv_code, c.value_pence::text,
        c.start_date, c.end_date, c.extension_options_total, c.extension_options_used, c.extension_months,
        c.owner_name, c.pipeline_id, c.updated_at, c.created_at,
        (select count(*)::int from purchase_orders o where o.org_id = c.org_id and o.contract_id = c.id) as order_count,
        (select coalesce(sum(i.net_pence), 0)::text from purchase_orders o
          join procurement_invoices p on p.org_id = o.org_id and p.order_id = o.id
          join supplier_invoices i on i.org_id = p.org_id and i.id = p.invoice_id
          where o.org_id = c.org_id and o.contract_id = c.id and i.status <> 'rejected') as spend
      from contracts c join suppliers s on s.org_id = c.org_id and s.id = c.supplier_id
      where c.org_id = ${orgId} and (${contractId}::uuid is null or c.id = ${contractId}::uuid)
      order by c.end_date, c.reference
      limit 1000`.execute(trx)
    const kpis = await trx
      .selectFrom('contract_kpis')
      .select(['contract_id', 'rank', 'name', 'target'])
      .where('org_id', '=', orgId)
      .$if(contractId !== null, (q) => q.where('contract_id', '=', contractId!))
      .orderBy('rank')
      .execute()
    return rows.map((row) => {
      const valuePence = Number(row.value_pence)
      const spendToDatePence = Number(row.spend)
      return {
        id: row.id,
        reference: row.reference,
        title: row.title,
        supplierId: row.supplier_id,
        supplierName: row.supplier_name,
        cpvCode: row.cpv_code,
        valuePence,
        startDate: row.start_date,
        endDate: row.end_date,
        extensionOptionsTotal: row.extension_options_total,
        extensionOptionsUsed: row.extension_options_used,
        extensionOptionsLeft: row.extension_options_total - row.extension_options_used,
        extensionMonths: row.extension_months,
        ownerName: row.owner_name,
        pipelineId: row.pipeline_id,
        orderCount: row.order_count,
        spendToDatePence,
        spendPercent: valuePence > 0 ? Math.floor((spendToDatePence * 100) / valuePence) : 0,
        kpis: kpis
          .filter((kpi) => kpi.contract_id === row.id)
          .map(({ rank, name, target }) => ({ rank, name, target })),
        alerts: contractAlerts({ endDate: row.end_date, valuePence, spendToDatePence }, today),
        updatedAt: new Date(row.updated_at).toISOString(),
        createdAt: new Date(row.created_at).toISOString(),
      }
    })
  }
}

export interface PipelineInput {
  reference: string
  title: string
  cpvCode: string
  estimatedValuePence: number
  goToMarketDate: string
  awardDate?: string | undefined
  replacesContractId?: string | undefined
}

export interface PipelineItem {
  id: string
  orgId: string
  orgName: string
  reference: string
  title: string
  cpvCode: string
  estimatedValuePence: number
  goToMarketDate: string
  awardDate: string | null
  windowEndDate: string
  status: string
  replacesContractId: string | null
  pipelineNoticeNeeded: boolean
  spendControl: boolean
  createdAt: string
}

export class PipelineService {
  /** Errors: ValidationError (each bad field), BusinessRuleError (reference taken). */
  async create(trx: Tx, orgId: string, input: PipelineInput, userId: string | null, today = todayIso()) {
    const problems: FieldError[] = []
    if (!input.reference?.trim()) problems.push({ field: '/reference', message: 'Enter a reference' })
    if (!input.title?.trim()) problems.push({ field: '/title', message: 'Enter what is to be procured' })
    if (!CPV_PATTERN.test(input.cpvCode ?? ''))
      problems.push({ field: '/cpvCode', message: 'Enter the CPV code, like 72000000-5' })
    if (!Number.isSafeInteger(input.estimatedValuePence) || input.estimatedValuePence <= 0)
      problems.push({
        field: '/estimatedValuePence',
        message: 'Enter the estimated value in whole pence, more than zero',
      })
    if (!isRealDate(input.goToMarketDate))
      problems.push({
        field: '/goToMarketDate',
        message: 'Enter the go-to-market date as a real date, like 2027-01-15',
      })
    else if (
      input.goToMarketDate > addMonths(today, PIPELINE_MONTHS_AHEAD) ||
      input.goToMarketDate < addDays(today, -366)
    )
      problems.push({
        field: '/goToMarketDate',
        message: `The go-to-market date must be within the next ${PIPELINE_MONTHS_AHEAD} months`,
      })
    if (input.awardDate !== undefined && input.awardDate !== '') {
      if (!isRealDate(input.awardDate))
        problems.push({ field: '/awardDate', message: 'Enter the award date as a real date' })
      else if (isRealDate(input.goToMarketDate) && input.awardDate < input.goToMarketDate)
        problems.push({ field: '/awardDate', message: 'The award date must be after the go-to-market date' })
    }
    if (problems.length)
      throw new ValidationError(
        problems.length === 1 ? problems[0]!.message : `${problems.length} problems with the procurement`,
        problems,
      )
    const taken = await trx
      .selectFrom('pipeline_procurements')
      .select('id')
      .where('org_id', '=', orgId)
      .where('reference', '=', input.reference.trim())
      .executeTakeFirst()
    if (taken)
      throw new BusinessRuleError(`Reference ${input.reference.trim()} is already in the pipeline`, [
        { field: '/reference', message: 'That reference is already in the pipeline' },
      ])
    const id = randomUUID()
    await trx
      .insertInto('pipeline_procurements')
      .values({
        org_id: orgId,
        id,
        reference: input.reference.trim(),
        title: input.title.trim(),
        cpv_code: input.cpvCode,
        estimated_value_pence: input.estimatedValuePence,
        go_to_market_date: input.goToMarketDate,
        award_date: input.awardDate || null,
        replaces_contract_id: input.replacesContractId ?? null,
        created_by: userId,
      })
      .execute()
    const [item] = await this.#query(trx, [orgId], id)
    return item!
  }

  /** Planned procurements of the organisation going to market from a year ago to 18 months ahead. */
  async list(trx: Tx, orgId: string): Promise<PipelineItem[]> {
    return this.#query(trx, [orgId], null)
  }

  async get(trx: Tx, orgId: string, id: string): Promise<PipelineItem> {
    const [item] = await this.#query(trx, [orgId], id)
    if (!item) throw new NotFoundError('There is no such planned procurement')
    return item
  }

  /**
   * The cluster's planned procurements (those of its organisations the caller may see) and the
   * pairs of them, from different organisations, whose go-to-market windows overlap.
   */
  async clusterView(trx: Tx, clusterId: string, today = todayIso()) {
    const orgs = await trx
      .selectFrom('organisations')
      .select(['id'])
      .where('cluster_id', '=', clusterId)
      .execute()
    const items = (
      await this.#query(
        trx,
        orgs.map((o) => o.id),
        null,
      )
    ).filter(
      (item) =>
        item.windowEndDate >= today &&
        item.goToMarketDate <= addMonths(today, PIPELINE_MONTHS_AHEAD) &&
        item.status !== 'withdrawn',
    )
    const overlaps: Array<{
      a: PipelineItem
      b: PipelineItem
      sameCategory: boolean
      from: string
      to: string
    }> = []
    const sorted = [...items].sort((x, y) => x.goToMarketDate.localeCompare(y.goToMarketDate))
    for (let i = 0; i < sorted.length; i++)
      for (let j = i + 1; j < sorted.length; j++) {
        const a = sorted[i]!
        const b = sorted[j]!
        if (b.goToMarketDate > a.windowEndDate) break
        if (a.orgId === b.orgId) continue
        overlaps.push({
          a,
          b,
          sameCategory: a.cpvCode.slice(0, 2) === b.cpvCode.slice(0, 2),
          from: b.goToMarketDate,
          to: a.windowEndDate < b.windowEndDate ? a.windowEndDate : b.windowEndDate,
        })
      }
    return { items: sorted, overlaps }
  }

  async #query(trx: Tx, orgIds: string[], id: string | null): Promise<PipelineItem[]> {
    if (orgIds.length === 0) return []
    const rows = await trx
      .selectFrom('pipeline_procurements as p')
      .innerJoin('organisations as o', 'o.id', 'p.org_id')
      .select([
        'p.id',
        'p.org_id',
        'o.name as org_name',
        'p.reference',
        'p.title',
        'p.cpv_code',
        'p.estimated_value_pence',
        'p.go_to_market_date',
        'p.award_date',
        'p.status',
        'p.replaces_contract_id',
        'p.created_at',
      ])
      .where('p.org_id', 'in', orgIds)
      .$if(id !== null, (q) => q.where('p.id', '=', id!))
      .orderBy('p.go_to_market_date')
      .orderBy('p.reference')
      .limit(2000)
      .execute()
    return rows.map((row) => {
      const value = Number(row.estimated_value_pence)
      return {
        id: row.id,
        orgId: row.org_id,
        orgName: row.org_name,
        reference: row.reference,
        title: row.title,
        cpvCode: row.cpv_code,
        estimatedValuePence: value,
        goToMarketDate: row.go_to_market_date,
        awardDate: row.award_date,
        windowEndDate: row.award_date ?? addMonths(row.go_to_market_date, DEFAULT_WINDOW_MONTHS),
        status: row.status,
        replacesContractId: row.replaces_contract_id,
        pipelineNoticeNeeded: value >= PIPELINE_NOTICE_THRESHOLD_PENCE,
        spendControl: value >= SPEND_CONTROL_THRESHOLD_PENCE,
        createdAt: new Date(row.created_at as unknown as string).toISOString(),
      }
    })
  }
}
