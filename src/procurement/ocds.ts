// Publication as OCDS 1.1 release packages (with the UK extension's fields where they apply):
// planning and tender from the commercial pipeline, award and contract from the contracts
// register. One contracting process is one ocid: `<prefix>-<id of the pipeline item>` (or of the
// contract when it was never in the pipeline); the prefix is the organisation's setting (the
// ocds-xxxxxx OCDS assigned to the publisher; decision 0400).
//
// Release ids are deterministic: `<ocid>-<stage>-<first 12 hex of the SHA-256 of the release's
// content>`, so publishing again without a change gives the same id, a change gives a new one,
// and no two stages share one. Dates come from the records, never the clock, for the same reason.
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Tx } from '../platform/db/index.ts'
import { NotFoundError } from '../platform/errors.ts'
import { toDecimal } from '../platform/money.ts'
import type { Contract, ContractService, PipelineItem, PipelineService } from './contracts.ts'
import { KPI_THRESHOLD_PENCE } from './contracts.ts'
import type { MatchingService } from './matching.ts'
import './tables.ts'

export type OcdsStage = 'planning' | 'tender' | 'award' | 'contract'
export const OCDS_STAGES: readonly OcdsStage[] = ['planning', 'tender', 'award', 'contract']
export const UK_EXTENSION_URL =
  'https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type OcdsRelease = { [key: string]: Json }

/** OCDS amounts are numbers in major units: pence as an exact decimal. */
const amount = (pence: number) => ({ amount: Number(toDecimal(pence)), currency: 'GBP' })
const dateTime = (isoDate: string) => (isoDate.length === 10 ? `${isoDate}T00:00:00Z` : isoDate)

/** Canonical JSON (keys sorted) so the content hash does not depend on key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  return JSON.stringify(value)
}

export function releaseId(ocid: string, stage: OcdsStage, content: OcdsRelease): string {
  const { id: _omit, ...rest } = content
  return `${ocid}-${stage}-${createHash('sha256').update(canonical(rest)).digest('hex').slice(0, 12)}`
}

interface Buyer {
  id: string
  name: string
  code: string
}

function buyerParty(buyer: Buyer) {
  return {
    id: `GB-GSS-${buyer.code}`,
    name: buyer.name,
    identifier: { scheme: 'GB-GSS', id: buyer.code, legalName: buyer.name },
    roles: ['buyer', 'procuringEntity'],
  }
}

/** Builds the release of one stage of a contracting process; pure. */
export function buildRelease(
  stage: OcdsStage,
  ocid: string,
  buyer: Buyer,
  pipeline: PipelineItem | null,
  contract:
    | (Contract & {
        supplier: {
          name: string
          companyNumber: string | null
          cdpIdentifier: string | null
          sme: boolean
          vcse: boolean
        }
      })
    | null,
): OcdsRelease {
  const buyerRef = { id: `GB-GSS-${buyer.code}`, name: buyer.name }
  const base = {
    ocid,
    initiationType: 'tender',
    language: 'en',
    buyer: buyerRef,
  }
  const title = contract?.title ?? pipeline?.title ?? ''
  const cpv = contract?.cpvCode ?? pipeline?.cpvCode ?? ''
  const item = {
    id: '1',
    description: title,
    classification: { scheme: 'CPV', id: cpv.slice(0, 8), description: title },
  }
  let release: OcdsRelease
  if (stage === 'planning' || stage === 'tender') {
    if (!pipeline) throw new NotFoundError(`The ${stage} stage needs a planned procurement`)
    const tender = {
      id: pipeline.reference,
      title: pipeline.title,
      status: stage === 'planning' ? 'planned' : 'active',
      value: amount(pipeline.estimatedValuePence),
      procuringEntity: buyerRef,
      items: [item],
      tenderPeriod: { startDate: dateTime(pipeline.goToMarketDate) },
      ...(pipeline.awardDate ? { awardPeriod: { startDate: dateTime(pipeline.awardDate) } } : {}),
      aboveThreshold: pipeline.estimatedValuePence >= 2_000_000_00,
    }
    release = {
      ...base,
      id: '',
      date: dateTime(stage === 'planning' ? pipeline.createdAt : pipeline.goToMarketDate),
      tag: [stage],
      parties: [buyerParty(buyer)],
      planning: {
        rationale: pipeline.title,
        budget: { description: 'Estimated value', amount: amount(pipeline.estimatedValuePence) },
      },
      tender,
    } as OcdsRelease
  } else {
    if (!contract) throw new NotFoundError(`The ${stage} stage needs a contract`)
    const supplierId =
      contract.supplier.cdpIdentifier ??
      (contract.supplier.companyNumber
        ? `GB-COH-${contract.supplier.companyNumber}`
        : `GB-GSS-SUPPLIER-${contract.supplierId}`)
    const supplierParty = {
      id: supplierId,
      name: contract.supplier.name,
      ...(contract.supplier.companyNumber
        ? {
            identifier: {
              scheme: 'GB-COH',
              id: contract.supplier.companyNumber,
              legalName: contract.supplier.name,
            },
          }
        : {}),
      roles: ['supplier'],
      details: { scale: contract.supplier.sme ? 'sme' : 'large', vcse: contract.supplier.vcse },
    }
    const period = { startDate: dateTime(contract.startDate), endDate: dateTime(contract.endDate) }
    const award = {
      id: `${contract.reference}-award`,
      title: contract.title,
      status: 'active',
      date: dateTime(contract.createdAt),
      value: amount(contract.valuePence),
      suppliers: [{ id: supplierId, name: contract.supplier.name }],
      items: [item],
      contractPeriod: period,
      aboveThreshold: contract.valuePence >= 2_000_000_00,
    }
    const kpis =
      contract.valuePence > KPI_THRESHOLD_PENCE && contract.kpis.length
        ? ` Key performance indicators: ${contract.kpis.map((k) => `${k.rank}. ${k.name} (target: ${k.target})`).join('; ')}.`
        : ''
    const parties = [buyerParty(buyer), supplierParty]
    release =
      stage === 'award'
        ? ({
            ...base,
            id: '',
            date: dateTime(contract.createdAt),
            tag: ['award'],
            parties,
            awards: [award],
          } as OcdsRelease)
        : ({
            ...base,
            id: '',
            date: dateTime(contract.updatedAt),
            tag: ['contract'],
            parties,
            awards: [award],
            contracts: [
              {
                id: contract.reference,
                awardID: award.id,
                title: contract.title,
                description: `${contract.title}. Extension options: ${contract.extensionOptionsUsed} used of ${contract.extensionOptionsTotal}.${kpis}`,
                status:
                  contract.endDate < new Date(contract.updatedAt).toISOString().slice(0, 10)
                    ? 'terminated'
                    : 'active',
                period,
                value: amount(contract.valuePence),
                items: [item],
                dateSigned: dateTime(contract.startDate),
                aboveThreshold: contract.valuePence >= 2_000_000_00,
              },
            ],
          } as OcdsRelease)
  }
  release.id = releaseId(ocid, stage, release)
  return release
}

export class OcdsService {
  readonly #contracts: ContractService
  readonly #pipeline: PipelineService
  readonly #matching: MatchingService
  constructor(contracts: ContractService, pipeline: PipelineService, matching: MatchingService) {
    this.#contracts = contracts
    this.#pipeline = pipeline
    this.#matching = matching
  }

  /**
   * The release package of every contracting process of the organisation at `stage`: planning and
   * tender for pipeline items, award and contract for contracts.
   */
  async releasePackage(
    trx: Tx,
    org: { id: string; code: string; name: string },
    stage: OcdsStage,
    baseUrl = 'https://gss.example',
  ) {
    const { ocidPrefix } = await this.#matching.settings(trx, org.id)
    const buyer = { id: org.id, name: org.name, code: org.code }
    const releases: OcdsRelease[] = []
    if (stage === 'planning' || stage === 'tender') {
      for (const item of await this.#pipeline.list(trx, org.id)) {
        if (stage === 'tender' && item.status === 'planned') continue
        releases.push(buildRelease(stage, `${ocidPrefix}-${item.id}`, buyer, item, null))
      }
    } else {
      const suppliers = await trx
        .selectFrom('suppliers')
        .select(['id', 'name', 'company_number', 'sme'])
        .where('org_id', '=', org.id)
        .execute()
      const extra = await this.#supplierExtras(trx, org.id)
      for (const contract of await this.#contracts.list(trx, org.id)) {
        const supplier = suppliers.find((s) => s.id === contract.supplierId)!
        releases.push(
          buildRelease(stage, `${ocidPrefix}-${contract.pipelineId ?? contract.id}`, buyer, null, {
            ...contract,
            supplier: {
              name: supplier.name,
              companyNumber: supplier.company_number,
              sme: supplier.sme,
              vcse: extra.get(supplier.id)?.vcse ?? false,
              cdpIdentifier: extra.get(supplier.id)?.cdp ?? null,
            },
          }),
        )
      }
    }
    const publishedDate =
      releases
        .map((r) => String(r.date))
        .sort()
        .at(-1) ?? '2000-01-01T00:00:00Z'
    return {
      uri: `${baseUrl}/api/v1/orgs/${encodeURIComponent(org.code)}/procurement/ocds/${stage}`,
      version: '1.1',
      extensions: [UK_EXTENSION_URL],
      publishedDate,
      publisher: { name: org.name, scheme: 'GB-GSS', uid: org.code },
      releases,
    }
  }

  async #supplierExtras(trx: Tx, orgId: string) {
    const { rows } = await sql<{ id: string; vcse: boolean; cdp_identifier: string | null }>`
      select id, vcse, cdp_identifier from suppliers where org_id = ${orgId}`.execute(trx)
    return new Map(rows.map((row) => [row.id, { vcse: row.vcse, cdp: row.cdp_identifier }]))
  }
}

/** RFC 7386 JSON Merge Patch: how an OCDS extension's release-schema.json patches the core schema. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch
  const result: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {}
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}
