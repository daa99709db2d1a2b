// The FPS against HMRC's FPS layout. HMRC's XSD is not in ../shared/testdata, so the check is
// fps-layout.xsd: a structural schema written from HMRC's published message layout (element
// order, mandatory elements, value formats), validated with xmllint when it is installed (CI
// requires it), plus direct checks that do not need xmllint.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { validateWithXsd, xmllintAvailable, xmllintRequired } from '../finance/payments/testing.ts'
import { buildFps, hoursBand } from './outputs.ts'
import type { PayRunSummary } from './runs.ts'

const XSD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fps-layout.xsd')

const run = (over: Partial<PayRunSummary> = {}): PayRunSummary => ({
  id: '00000000-0000-4000-8000-000000000001',
  payFrequency: 'monthly',
  taxYear: '2026-27',
  period: 1,
  periodStart: '2026-04-01',
  periodEnd: '2026-04-30',
  payDate: '2026-04-24',
  status: 'approved',
  progressDone: 3,
  progressTotal: 3,
  employeeCount: 3,
  exceptionCount: 0,
  grossPence: 0,
  taxPence: 0,
  employeeNiPence: 0,
  employerNiPence: 0,
  netPence: 0,
  calculatedBy: null,
  reviewedBy: null,
  approvedBy: null,
  journalId: null,
  createdAt: '2026-04-20T00:00:00.000Z',
  ...over,
})
const settings = { employer_paye_reference: '123/AB45678', accounts_office_reference: '123PA00012345' }
const row = (over: Record<string, unknown>) => ({
  employee_number: 'E1',
  ni_number: 'AB123456C',
  forenames: 'Ada',
  surname: 'Lovelace',
  address_line1: '1 High Street',
  address_line2: null,
  town: 'London',
  postcode: 'SW1A 2AA',
  date_of_birth: '1985-12-10',
  hmrc_gender: 'F',
  hours_per_week: '37.00',
  start_date: '2020-01-01',
  end_date: null,
  tax_code: '1257L',
  week1_month1: false,
  ni_category: 'A',
  taxable_pence: 2_500_00,
  taxable_to_date_pence: 2_500_00,
  tax_to_date_pence: 291_80,
  tax_pence: 291_80,
  net_pence: 1_950_00,
  deductions_pence: 0,
  employee_pension_pence: 0,
  student_loan_pence: 0,
  postgraduate_loan_pence: 0,
  student_loan_plans: [],
  niable_pence: 2_500_00,
  gross_ni_ytd: 2_500_00,
  at_lel_ytd: 559_00,
  lel_to_pt_ytd: 489_00,
  pt_to_uel_ytd: 1_452_00,
  employee_ni_pence: 116_16,
  employer_ni_pence: 290_00,
  employee_ni_ytd: 116_16,
  employer_ni_ytd: 290_00,
  student_loan_ytd: 0,
  postgraduate_loan_ytd: 0,
  employee_pension_ytd: 0,
  ...over,
})
const rows = [
  row({}),
  // A Scottish starter this month on week 1/month 1, part time, with loans and a pension.
  row({
    employee_number: 'E2',
    ni_number: null,
    forenames: 'Robert',
    surname: 'Burns',
    hmrc_gender: 'M',
    hours_per_week: '22.20',
    start_date: '2026-04-16',
    tax_code: 'S1257L',
    week1_month1: true,
    student_loan_pence: 45_00,
    student_loan_ytd: 45_00,
    student_loan_plans: ['2'],
    postgraduate_loan_pence: 12_00,
    postgraduate_loan_ytd: 12_00,
    employee_pension_pence: 120_00,
    employee_pension_ytd: 120_00,
  }),
  // A Welsh leaver; no address held.
  row({
    employee_number: 'E3',
    ni_number: 'CE123456D',
    address_line1: null,
    town: null,
    postcode: null,
    end_date: '2026-04-17',
    tax_code: 'C1257L',
  }),
]

/** The child element names of the first `<name>` element, in order (for direct checks). */
function childOrder(xml: string, name: string, nth = 0): string[] {
  const opens = [...xml.matchAll(new RegExp(`<${name}(?:\\s[^>]*)?>`, 'g'))]
  const start = opens[nth]!.index! + opens[nth]![0].length
  const end = xml.indexOf(`</${name}>`, start)
  const inner = xml.slice(start, end)
  const names: string[] = []
  let depth = 0
  for (const match of inner.matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>/g)) {
    if (match[1]) depth -= 1
    else {
      if (depth === 0) names.push(match[2]!)
      if (!match[3]) depth += 1
    }
  }
  return names
}

describe('FPS layout', () => {
  const xml = buildFps(run(), settings, rows)

  test('envelope, employer references and the tax year namespace', () => {
    expect(xml).toContain('xmlns="http://www.govtalk.gov.uk/taxation/PAYE/RTI/FullPaymentSubmission/26-27/1"')
    expect(childOrder(xml, 'IRenvelope')).toEqual(['IRheader', 'FullPaymentSubmission'])
    expect(childOrder(xml, 'IRheader')).toEqual(['Keys', 'PeriodEnd', 'DefaultCurrency', 'Sender'])
    expect(xml).toContain('<PeriodEnd>2027-04-05</PeriodEnd>')
    expect(xml).toContain(
      '<EmpRefs><OfficeNo>123</OfficeNo><PayeRef>AB45678</PayeRef><AORef>123PA00012345</AORef></EmpRefs>',
    )
    expect(xml).toContain('<RelatedTaxYear>26-27</RelatedTaxYear>')
    expect(buildFps(run({ taxYear: '2025-26' }), settings, rows)).toContain('FullPaymentSubmission/25-26/1')
  })

  test('employee details in HMRC order, with the gender HMRC holds', () => {
    expect(childOrder(xml, 'EmployeeDetails', 0)).toEqual(['NINO', 'Name', 'Address', 'BirthDate', 'Gender'])
    expect(childOrder(xml, 'EmployeeDetails', 1)).toEqual(['Name', 'Address', 'BirthDate', 'Gender'])
    // No address held: no Address (an address needs at least two lines).
    expect(childOrder(xml, 'EmployeeDetails', 2)).toEqual(['NINO', 'Name', 'BirthDate', 'Gender'])
    expect(xml).toContain('<Gender>F</Gender>')
    expect(xml).toContain('<Gender>M</Gender>')
  })

  test('employment: Starter before PayId, then LeavingDate, FiguresToDate, Payment, NI', () => {
    expect(childOrder(xml, 'Employment', 0)).toEqual([
      'PayId',
      'FiguresToDate',
      'Payment',
      'NIlettersAndValues',
    ])
    expect(childOrder(xml, 'Employment', 1)).toEqual([
      'Starter',
      'PayId',
      'FiguresToDate',
      'Payment',
      'NIlettersAndValues',
    ])
    expect(childOrder(xml, 'Employment', 2)).toEqual([
      'PayId',
      'LeavingDate',
      'FiguresToDate',
      'Payment',
      'NIlettersAndValues',
    ])
    expect(childOrder(xml, 'Payment', 1)).toEqual([
      'PayFreq',
      'PmtDate',
      'MonthNo',
      'PeriodsCovered',
      'HoursWorked',
      'TaxCode',
      'TaxablePay',
      'PayAfterStatDedns',
      'EmpeePenContribnsPaid',
      'StudentLoanRecovered',
      'PostgradLoanRecovered',
      'TaxDeductedOrRefunded',
    ])
    expect(xml).toContain('<TaxCode BasisNonCumulative="yes" TaxRegime="S">1257L</TaxCode>')
    expect(xml).toContain('<TaxCode TaxRegime="C">1257L</TaxCode>')
    expect(xml).toContain('<StudentLoanRecovered PlanType="02">45</StudentLoanRecovered>')
    expect(xml).toContain('<PostgradLoanRecovered>12</PostgradLoanRecovered>')
  })

  test('normal hours worked bands', () => {
    expect([
      hoursBand('15.99'),
      hoursBand('16'),
      hoursBand('22.2'),
      hoursBand('29.99'),
      hoursBand('37'),
    ]).toEqual(['A', 'B', 'B', 'C', 'D'])
    expect(hoursBand(null)).toBe('E')
    expect(xml).toMatch(/<PayId>E2<\/PayId>[\s\S]*?<HoursWorked>B<\/HoursWorked>/)
  })

  test.skipIf(!xmllintAvailable && !xmllintRequired)(
    'validates against the structural FPS schema (xmllint)',
    () => {
      const weekly = buildFps(run({ payFrequency: 'weekly', period: 3, taxYear: '2025-26' }), settings, rows)
      const [good, older, broken] = validateWithXsd(XSD, [
        { name: 'monthly', xml },
        // Other years' namespaces are mapped onto the schema's once checked above.
        { name: 'weekly 2025-26', xml: weekly.replace('/25-26/1', '/26-27/1') },
        // Without Gender (HMRC rejects it): the schema must say so.
        { name: 'no gender', xml: xml.replace('<Gender>F</Gender>', '') },
      ])
      expect(good!.errors).toEqual([])
      expect(good!.valid).toBe(true)
      expect(older!.valid).toBe(true)
      expect(broken!.valid).toBe(false)
      expect(broken!.errors.join('\n')).toMatch(/Gender/)
    },
  )
})
