// OCDS publication: each stage's release validates against OCDS 1.1.5 with the UK extension (read
// from ../shared/testdata/ocds, never copied), and release ids are unique and stable.
import { describe, expect, test } from 'vitest'
import type { Contract, PipelineItem } from './contracts.ts'
import { buildRelease, mergePatch, OCDS_STAGES } from './ocds.ts'
import { loadOcdsValidator } from './ocds-schema.ts'

const OCDS = '/work/shared/testdata/ocds'
const validator = loadOcdsValidator(OCDS)
const buyer = { id: '00000000-0000-0000-0000-000000000001', name: 'Cabinet Office', code: 'cabinet-office' }
const pipeline: PipelineItem = {
  id: 'p1',
  orgId: buyer.id,
  orgName: buyer.name,
  reference: 'CO-P1',
  title: 'Replacement finance system integration',
  cpvCode: '72000000-5',
  estimatedValuePence: 12_000_000_00,
  goToMarketDate: '2027-01-15',
  awardDate: '2027-06-30',
  windowEndDate: '2027-06-30',
  status: 'in-market',
  replacesContractId: null,
  pipelineNoticeNeeded: true,
  spendControl: true,
  createdAt: '2026-05-01T09:00:00.000Z',
}
const contract: Contract & {
  supplier: {
    name: string
    companyNumber: string | null
    cdpIdentifier: string | null
    sme: boolean
    vcse: boolean
  }
} = {
  id: 'c1',
  reference: 'CO-C-0002',
  title: 'Implementation partner',
  supplierId: 's1',
  supplierName: 'Acme Digital Services Ltd',
  cpvCode: '72000000-5',
  valuePence: 18_500_000_00,
  startDate: '2026-07-01',
  endDate: '2028-06-30',
  extensionOptionsTotal: 1,
  extensionOptionsUsed: 0,
  extensionOptionsLeft: 1,
  extensionMonths: 12,
  ownerName: 'Director of Shared Services',
  pipelineId: 'p1',
  orderCount: 0,
  spendToDatePence: 0,
  spendPercent: 0,
  kpis: [
    { rank: 1, name: 'Migrations on schedule', target: '95%' },
    { rank: 2, name: 'Critical defects', target: 'None over 5 days' },
    { rank: 3, name: 'Staff accredited', target: '20' },
  ],
  alerts: [],
  updatedAt: '2026-07-01T10:00:00.000Z',
  createdAt: '2026-06-20T10:00:00.000Z',
  supplier: {
    name: 'Acme Digital Services Ltd',
    companyNumber: '12345678',
    cdpIdentifier: 'GB-PPON:PABC-1234-DEFG',
    sme: true,
    vcse: false,
  },
}

const releaseOf = (stage: (typeof OCDS_STAGES)[number]) =>
  buildRelease(
    stage,
    'ocds-gss000-p1',
    buyer,
    stage === 'planning' || stage === 'tender' ? pipeline : null,
    stage === 'award' || stage === 'contract' ? contract : null,
  )

describe('OCDS releases', () => {
  test.each(OCDS_STAGES)('the %s release validates against OCDS 1.1.5 with the UK extension', (stage) => {
    const release = releaseOf(stage)
    const result = validator.validateRelease(release)
    expect(result.errors).toEqual([])
    const pkg = {
      uri: `https://gss.example/api/v1/orgs/cabinet-office/procurement/ocds/${stage}`,
      version: '1.1',
      extensions: ['https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json'],
      publishedDate: release.date,
      publisher: { name: 'Cabinet Office' },
      releases: [release],
    }
    expect(validator.validatePackage(pkg)).toEqual({ ok: true, errors: [] })
  })

  test('the validator is not a rubber stamp: a release breaking the UK extension or the core schema fails', () => {
    // biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
    const release = releaseOf('award') as Record<string, any>
    expect(
      validator.validateRelease({ ...release, awards: [{ ...release.awards[0], aboveThreshold: 'yes' }] }).ok,
    ).toBe(false)
    const { ocid: _ocid, ...noOcid } = release
    expect(validator.validateRelease(noOcid).ok).toBe(false)
    const badParty = { ...release, parties: [{ ...release.parties[1], details: { vcse: 'no' } }] }
    expect(validator.validateRelease(badParty).ok).toBe(false)
  })

  test('release ids are stable for the same content, differ by stage, and change when the record does', () => {
    const ids = OCDS_STAGES.map((stage) => String(releaseOf(stage).id))
    expect(new Set(ids).size).toBe(4)
    expect(ids.map((id) => id.startsWith('ocds-gss000-p1-'))).toEqual([true, true, true, true])
    expect(String(releaseOf('contract').id)).toBe(ids[3])
    const extended = buildRelease('contract', 'ocds-gss000-p1', buyer, null, {
      ...contract,
      extensionOptionsUsed: 1,
      endDate: '2029-06-30',
    })
    expect(extended.id).not.toBe(ids[3])
  })

  test('a contract over £5m publishes its three KPIs', () => {
    // biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
    const release = releaseOf('contract') as Record<string, any>
    expect(release.contracts[0].description).toContain('Migrations on schedule (target: 95%)')
  })

  test('JSON Merge Patch follows RFC 7386', () => {
    expect(mergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({
      a: 'z',
      c: { d: 'e' },
    })
    expect(mergePatch({ a: [1] }, { a: [2, 3] })).toEqual({ a: [2, 3] })
  })
})
