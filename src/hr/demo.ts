// The named HR demo world: standard civil service grades and national pay ranges in every
// organisation, and in the Cabinet Office (and a few in DSIT) a small structure of units and posts
// with about twenty synthetic people, their employments, payroll details and tax codes. The demo
// employee (employee@gss.example) is a person whose line manager is the demo line manager
// (line.manager@gss.example). Built through the same services the journeys use, so the demo data
// passes every rule. Deterministic ids (uuidFromName), so tests can refer to them.

import { sql } from 'kysely'
import type { DemoExtension } from '../demo/seed.ts'
import { checkUkBankAccount } from '../finance/banking/modulus.ts'
import type { Tx } from '../platform/db/index.ts'
import { orgId, uuidFromName } from '../platform/ids.ts'
import { payInLieu } from './jml.ts'
import {
  changeTermsFrom,
  createEmployment,
  createPerson,
  createPosition,
  createUnit,
  setDiversity,
  setPayrollDetails,
  setTaxCodeFrom,
} from './records.ts'
import type { ContractType, StandardGrade } from './tables.ts'

/** Standard grades with a plausible base annual leave and 2025-26 national pay ranges. */
export const DEMO_GRADES: ReadonlyArray<{
  code: StandardGrade
  name: string
  leaveDays: number
  minimumPence: number
  maximumPence: number
}> = [
  {
    code: 'AA',
    name: 'Administrative Assistant',
    leaveDays: 25,
    minimumPence: 22_000_00,
    maximumPence: 23_500_00,
  },
  {
    code: 'AO',
    name: 'Administrative Officer',
    leaveDays: 25,
    minimumPence: 23_500_00,
    maximumPence: 25_500_00,
  },
  { code: 'EO', name: 'Executive Officer', leaveDays: 25, minimumPence: 28_000_00, maximumPence: 31_500_00 },
  {
    code: 'HEO',
    name: 'Higher Executive Officer',
    leaveDays: 26,
    minimumPence: 34_000_00,
    maximumPence: 38_500_00,
  },
  {
    code: 'SEO',
    name: 'Senior Executive Officer',
    leaveDays: 26,
    minimumPence: 41_000_00,
    maximumPence: 46_000_00,
  },
  { code: 'G7', name: 'Grade 7', leaveDays: 27, minimumPence: 52_000_00, maximumPence: 62_000_00 },
  { code: 'G6', name: 'Grade 6', leaveDays: 28, minimumPence: 64_000_00, maximumPence: 76_000_00 },
  {
    code: 'SCS1',
    name: 'Deputy Director (SCS1)',
    leaveDays: 30,
    minimumPence: 75_000_00,
    maximumPence: 117_800_00,
  },
  { code: 'SCS2', name: 'Director (SCS2)', leaveDays: 30, minimumPence: 98_000_00, maximumPence: 162_500_00 },
  {
    code: 'SCS3',
    name: 'Director General (SCS3)',
    leaveDays: 30,
    minimumPence: 125_000_00,
    maximumPence: 208_100_00,
  },
  {
    code: 'SCS4',
    name: 'Permanent Secretary (SCS4)',
    leaveDays: 30,
    minimumPence: 150_000_00,
    maximumPence: 250_000_00,
  },
]

export const DEMO_PAY_SCALES_FROM = '2025-04-01'

/** Deterministic ids of the demo records. */
export const hrDemoIds = {
  person: (key: string) => uuidFromName(`hr:person:${key}`),
  employment: (org: string, key: string) => uuidFromName(`hr:employment:${org}:${key}`),
  position: (org: string, code: string) => uuidFromName(`hr:position:${org}:${code}`),
  unit: (org: string, code: string) => uuidFromName(`hr:unit:${org}:${code}`),
}

interface DemoUnit {
  code: string
  name: string
  parent?: string
  costCentre: string
  costCentreName: string
}
interface DemoPost {
  code: string
  title: string
  unit: string
  grade: StandardGrade
  reportsTo?: string
}
interface DemoPerson {
  key: string
  forenames: string
  surname: string
  dateOfBirth: string
  ni: string
  post: string
  start: string
  salaryPence: number
  fte?: string
  contract?: ContractType
  expectedEnd?: string
  user?: string
  taxCode?: string
  town?: string
  postcode?: string
}

const CO_UNITS: DemoUnit[] = [
  { code: 'CO-EXEC', name: 'Permanent Secretary’s Office', costCentre: 'CORP', costCentreName: 'Corporate' },
  {
    code: 'CO-PEOPLE',
    name: 'People and Operations',
    parent: 'CO-EXEC',
    costCentre: 'CO-PEOPLE',
    costCentreName: 'People and Operations',
  },
  {
    code: 'CO-DIGITAL',
    name: 'Digital',
    parent: 'CO-EXEC',
    costCentre: 'CO-DIGITAL',
    costCentreName: 'Digital',
  },
  { code: 'CO-POLICY', name: 'Policy', parent: 'CO-EXEC', costCentre: 'CO-POLICY', costCentreName: 'Policy' },
]

const CO_POSTS: DemoPost[] = [
  { code: 'P0001', title: 'Permanent Secretary', unit: 'CO-EXEC', grade: 'SCS4' },
  {
    code: 'P0002',
    title: 'Director of People and Operations',
    unit: 'CO-PEOPLE',
    grade: 'SCS2',
    reportsTo: 'P0001',
  },
  { code: 'P0003', title: 'Director of Digital', unit: 'CO-DIGITAL', grade: 'SCS2', reportsTo: 'P0001' },
  { code: 'P0004', title: 'Director of Policy', unit: 'CO-POLICY', grade: 'SCS2', reportsTo: 'P0001' },
  { code: 'P0010', title: 'Head of HR Operations', unit: 'CO-PEOPLE', grade: 'G6', reportsTo: 'P0002' },
  { code: 'P0011', title: 'HR Business Partner', unit: 'CO-PEOPLE', grade: 'G7', reportsTo: 'P0010' },
  { code: 'P0012', title: 'HR Adviser', unit: 'CO-PEOPLE', grade: 'HEO', reportsTo: 'P0011' },
  { code: 'P0013', title: 'HR Administrator', unit: 'CO-PEOPLE', grade: 'EO', reportsTo: 'P0011' },
  { code: 'P0014', title: 'HR Assistant', unit: 'CO-PEOPLE', grade: 'AO', reportsTo: 'P0013' },
  { code: 'P0020', title: 'Head of Service Delivery', unit: 'CO-DIGITAL', grade: 'G7', reportsTo: 'P0003' },
  { code: 'P0021', title: 'Service Designer', unit: 'CO-DIGITAL', grade: 'SEO', reportsTo: 'P0020' },
  { code: 'P0022', title: 'Senior Developer', unit: 'CO-DIGITAL', grade: 'SEO', reportsTo: 'P0020' },
  { code: 'P0023', title: 'Developer', unit: 'CO-DIGITAL', grade: 'HEO', reportsTo: 'P0022' },
  { code: 'P0024', title: 'Delivery Manager', unit: 'CO-DIGITAL', grade: 'SEO', reportsTo: 'P0020' },
  { code: 'P0025', title: 'Apprentice Developer', unit: 'CO-DIGITAL', grade: 'AA', reportsTo: 'P0022' },
  { code: 'P0030', title: 'Deputy Director, Policy', unit: 'CO-POLICY', grade: 'SCS1', reportsTo: 'P0004' },
  { code: 'P0031', title: 'Policy Lead', unit: 'CO-POLICY', grade: 'G7', reportsTo: 'P0030' },
  { code: 'P0032', title: 'Senior Policy Adviser', unit: 'CO-POLICY', grade: 'SEO', reportsTo: 'P0031' },
  { code: 'P0033', title: 'Policy Adviser', unit: 'CO-POLICY', grade: 'HEO', reportsTo: 'P0031' },
  { code: 'P0034', title: 'Policy Officer', unit: 'CO-POLICY', grade: 'EO', reportsTo: 'P0031' },
  { code: 'P0035', title: 'Policy Officer', unit: 'CO-POLICY', grade: 'EO', reportsTo: 'P0031' },
  { code: 'P0040', title: 'Private Secretary', unit: 'CO-EXEC', grade: 'G7', reportsTo: 'P0001' },
  { code: 'P0041', title: 'Executive Assistant', unit: 'CO-EXEC', grade: 'EO', reportsTo: 'P0001' },
]

const CO_PEOPLE: DemoPerson[] = [
  {
    key: 'co-permsec',
    forenames: 'Margaret',
    surname: 'Ashworth',
    dateOfBirth: '1968-03-14',
    ni: 'JA102938B',
    post: 'P0001',
    start: '2015-09-01',
    salaryPence: 185_000_00,
    town: 'London',
    postcode: 'SW1A 2AS',
  },
  {
    key: 'co-dir-people',
    forenames: 'Rajesh',
    surname: 'Banerjee',
    dateOfBirth: '1974-07-02',
    ni: 'JB203948C',
    post: 'P0002',
    start: '2017-01-09',
    salaryPence: 120_000_00,
  },
  {
    key: 'co-dir-digital',
    forenames: 'Siobhan',
    surname: 'Kelly',
    dateOfBirth: '1979-11-23',
    ni: 'JC304958A',
    post: 'P0003',
    start: '2018-04-03',
    salaryPence: 125_000_00,
  },
  {
    key: 'co-dir-policy',
    forenames: 'David',
    surname: 'Okafor',
    dateOfBirth: '1971-05-30',
    ni: 'JE405968D',
    post: 'P0004',
    start: '2016-06-20',
    salaryPence: 118_000_00,
  },
  {
    key: 'co-head-hr',
    forenames: 'Claire',
    surname: 'Fenwick',
    dateOfBirth: '1982-02-11',
    ni: 'JG506978B',
    post: 'P0010',
    start: '2019-03-04',
    salaryPence: 70_000_00,
  },
  {
    key: 'co-hrbp',
    forenames: 'Tom',
    surname: 'Hargreaves',
    dateOfBirth: '1985-09-17',
    ni: 'JH607988C',
    post: 'P0011',
    start: '2020-07-13',
    salaryPence: 56_500_00,
  },
  {
    key: 'co-hr-adviser',
    forenames: 'Aisha',
    surname: 'Rahman',
    dateOfBirth: '1992-12-05',
    ni: 'JJ708998A',
    post: 'P0012',
    start: '2021-10-04',
    salaryPence: 36_000_00,
  },
  {
    key: 'co-hr-admin',
    forenames: 'Gareth',
    surname: 'Pryce',
    dateOfBirth: '1995-04-28',
    ni: 'JK809108D',
    post: 'P0013',
    start: '2022-02-14',
    salaryPence: 29_500_00,
    fte: '0.6',
    taxCode: 'BR',
  },
  {
    key: 'co-line-manager',
    forenames: 'Lina',
    surname: 'Manager',
    dateOfBirth: '1984-08-08',
    ni: 'JL910218B',
    post: 'P0020',
    start: '2019-11-18',
    salaryPence: 58_000_00,
    user: 'line.manager@gss.example',
  },
  {
    key: 'co-employee',
    forenames: 'Emma',
    surname: 'Employee',
    dateOfBirth: '1990-01-19',
    ni: 'JM011328C',
    post: 'P0021',
    start: '2021-05-10',
    salaryPence: 43_000_00,
    user: 'employee@gss.example',
    town: 'London',
    postcode: 'SE1 7PB',
  },
  {
    key: 'co-senior-dev',
    forenames: 'Oliver',
    surname: 'Nowak',
    dateOfBirth: '1988-06-25',
    ni: 'JN112438A',
    post: 'P0022',
    start: '2020-01-06',
    salaryPence: 44_500_00,
  },
  {
    key: 'co-dev',
    forenames: 'Priya',
    surname: 'Chandra',
    dateOfBirth: '1996-10-09',
    ni: 'JP213548D',
    post: 'P0023',
    start: '2023-09-04',
    salaryPence: 35_000_00,
  },
  {
    key: 'co-delivery',
    forenames: 'Hannah',
    surname: 'Lewis',
    dateOfBirth: '1987-03-03',
    ni: 'JR314658B',
    post: 'P0024',
    start: '2022-06-06',
    salaryPence: 42_000_00,
    fte: '0.8',
  },
  {
    key: 'co-apprentice',
    forenames: 'Kwame',
    surname: 'Mensah',
    dateOfBirth: '2005-07-21',
    ni: 'JS415768C',
    post: 'P0025',
    start: '2025-09-01',
    salaryPence: 22_000_00,
    contract: 'fixed-term',
    expectedEnd: '2027-08-31',
  },
  {
    key: 'co-dd-policy',
    forenames: 'Fiona',
    surname: 'MacLeod',
    dateOfBirth: '1976-12-12',
    ni: 'JT516878A',
    post: 'P0030',
    start: '2018-09-10',
    salaryPence: 90_000_00,
    taxCode: 'S1257L',
  },
  {
    key: 'co-policy-lead',
    forenames: 'Samuel',
    surname: 'Adeyemi',
    dateOfBirth: '1983-05-16',
    ni: 'JW617988D',
    post: 'P0031',
    start: '2020-04-01',
    salaryPence: 57_000_00,
  },
  {
    key: 'co-spa',
    forenames: 'Rachel',
    surname: 'Goldberg',
    dateOfBirth: '1989-08-30',
    ni: 'JX718098B',
    post: 'P0032',
    start: '2021-01-04',
    salaryPence: 43_500_00,
  },
  {
    key: 'co-pa',
    forenames: 'Ben',
    surname: 'Whitaker',
    dateOfBirth: '1994-02-22',
    ni: 'JY819108C',
    post: 'P0033',
    start: '2022-09-05',
    salaryPence: 35_500_00,
  },
  {
    key: 'co-po',
    forenames: 'Zara',
    surname: 'Hussain',
    dateOfBirth: '1998-11-01',
    ni: 'JZ910218A',
    post: 'P0034',
    start: '2024-02-05',
    salaryPence: 28_500_00,
  },
  {
    key: 'co-private-sec',
    forenames: 'Edward',
    surname: 'Thornton',
    dateOfBirth: '1986-04-07',
    ni: 'KA011328D',
    post: 'P0040',
    start: '2023-01-09',
    salaryPence: 55_000_00,
  },
  {
    key: 'co-exec-assistant',
    forenames: 'Grace',
    surname: 'Obi',
    dateOfBirth: '1991-09-14',
    ni: 'KB112438B',
    post: 'P0041',
    start: '2019-05-20',
    salaryPence: 30_000_00,
  },
]

const DSIT_UNITS: DemoUnit[] = [
  { code: 'DSIT-SCI', name: 'Science and Research', costCentre: 'CORP', costCentreName: 'Corporate' },
]
const DSIT_POSTS: DemoPost[] = [
  { code: 'D0001', title: 'Director of Science', unit: 'DSIT-SCI', grade: 'SCS2' },
  { code: 'D0002', title: 'Research Lead', unit: 'DSIT-SCI', grade: 'G7', reportsTo: 'D0001' },
  { code: 'D0003', title: 'Research Analyst', unit: 'DSIT-SCI', grade: 'SEO', reportsTo: 'D0002' },
  { code: 'D0004', title: 'Research Analyst', unit: 'DSIT-SCI', grade: 'HEO', reportsTo: 'D0002' },
  { code: 'D0005', title: 'Policy Adviser (loan)', unit: 'DSIT-SCI', grade: 'HEO', reportsTo: 'D0002' },
]
const DSIT_PEOPLE: DemoPerson[] = [
  {
    key: 'dsit-director',
    forenames: 'Helen',
    surname: 'Armitage',
    dateOfBirth: '1972-01-26',
    ni: 'KC213548A',
    post: 'D0001',
    start: '2017-10-02',
    salaryPence: 130_000_00,
  },
  {
    key: 'dsit-lead',
    forenames: 'Marcus',
    surname: 'Greene',
    dateOfBirth: '1985-06-18',
    ni: 'KE314658D',
    post: 'D0002',
    start: '2021-03-01',
    salaryPence: 59_000_00,
  },
  {
    key: 'dsit-analyst',
    forenames: 'Yusuf',
    surname: 'Ali',
    dateOfBirth: '1993-10-04',
    ni: 'KG415768B',
    post: 'D0003',
    start: '2022-11-07',
    salaryPence: 42_500_00,
  },
  {
    key: 'dsit-analyst-2',
    forenames: 'Chloe',
    surname: 'Dubois',
    dateOfBirth: '1997-03-29',
    ni: 'KH516878C',
    post: 'D0004',
    start: '2024-05-13',
    salaryPence: 34_500_00,
  },
]

async function seedGrades(trx: Tx): Promise<void> {
  const orgs = await trx.selectFrom('organisations').select('id').execute()
  const grades = orgs.flatMap((org) =>
    DEMO_GRADES.map((grade, index) => ({
      org_id: org.id,
      code: grade.code,
      name: grade.name,
      standard_grade: grade.code,
      rank: index + 1,
      annual_leave_days: grade.leaveDays,
    })),
  )
  const scales = orgs.flatMap((org) =>
    DEMO_GRADES.map((grade) => ({
      org_id: org.id,
      grade_code: grade.code,
      valid_from: DEMO_PAY_SCALES_FROM,
      valid_to: null,
      minimum_pence: grade.minimumPence,
      maximum_pence: grade.maximumPence,
    })),
  )
  await trx.insertInto('grades').values(grades).execute()
  await trx.insertInto('pay_scales').values(scales).execute()
}

async function seedStructure(trx: Tx, orgCode: string, units: DemoUnit[], posts: DemoPost[]): Promise<void> {
  const org = orgId(orgCode)
  for (const unit of units) {
    await trx
      .insertInto('cost_centres')
      .values({ org_id: org, code: unit.costCentre, name: unit.costCentreName })
      .onConflict((oc) => oc.doNothing())
      .execute()
    await createUnit(
      trx,
      org,
      {
        code: unit.code,
        name: unit.name,
        parentCode: unit.parent,
        costCentreCode: unit.costCentre,
        openedOn: '2015-04-01',
      },
      hrDemoIds.unit(orgCode, unit.code),
    )
  }
  for (const post of posts)
    await createPosition(
      trx,
      org,
      {
        code: post.code,
        title: post.title,
        unitCode: post.unit,
        gradeCode: post.grade,
        reportsToCode: post.reportsTo,
        establishedOn: '2015-04-01',
      },
      hrDemoIds.position(orgCode, post.code),
    )
}

async function seedPeople(trx: Tx, orgCode: string, people: DemoPerson[]): Promise<void> {
  const org = orgId(orgCode)
  let n = 0
  for (const each of people) {
    n++
    const userId = each.user ? uuidFromName(`user:${each.user}`) : null
    const person = await createPerson(
      trx,
      org,
      {
        forenames: each.forenames,
        surname: each.surname,
        dateOfBirth: each.dateOfBirth,
        niNumber: each.ni,
        email: `${each.forenames}.${each.surname}@${orgCode}.gss.example`.toLowerCase(),
        town: each.town,
        postcode: each.postcode,
      },
      { id: hrDemoIds.person(each.key), userId },
    )
    const fte = each.fte ?? '1'
    const employment = await createEmployment(
      trx,
      org,
      {
        personId: person.id,
        employeeNumber: `E${String(n).padStart(6, '0')}`,
        contractType: each.contract ?? 'permanent',
        startDate: each.start,
        expectedEndDate: each.expectedEnd,
        terms: {
          positionId: hrDemoIds.position(orgCode, each.post),
          fte,
          hoursPerWeek: (37 * Number(fte)).toFixed(2),
          daysPerWeek: fte === '1' ? '5' : String(Math.round(5 * Number(fte) * 10) / 10),
          annualSalaryPence: each.salaryPence,
        },
      },
      null,
      { id: hrDemoIds.employment(orgCode, each.key) },
    )
    await setPayrollDetails(trx, org, employment.id, {
      starterDeclaration: each.taxCode === 'BR' ? 'C' : 'A',
      bankAccountName: `${each.forenames[0]} ${each.surname}`.toUpperCase().slice(0, 18),
      bankSortCode: '309430',
      bankAccountNumber: demoAccountNumber(n),
      studentLoanPlans: Number(each.dateOfBirth.slice(0, 4)) >= 1990 ? ['2'] : [],
    })
    await setTaxCodeFrom(trx, org, employment.id, {
      validFrom: each.start,
      taxCode: each.taxCode ?? '1257L',
      source: 'starter',
    })
  }
}

export const hrDemo: DemoExtension = {
  name: 'hr',
  async seed(trx) {
    await seedGrades(trx)
    await seedStructure(trx, 'cabinet-office', CO_UNITS, CO_POSTS)
    await seedStructure(trx, 'dsit', DSIT_UNITS, DSIT_POSTS)
    await seedPeople(trx, 'cabinet-office', CO_PEOPLE)
    await seedPeople(trx, 'dsit', DSIT_PEOPLE)
    const co = orgId('cabinet-office')
    const dsit = orgId('dsit')

    // A pay award already in force, and a promotion recorded for the future (effective dating).
    await changeTermsFrom(
      trx,
      co,
      hrDemoIds.employment('cabinet-office', 'co-employee'),
      '2026-04-01',
      { annualSalaryPence: 44_300_00 },
      'Pay award 2026',
      null,
    )
    await changeTermsFrom(
      trx,
      co,
      hrDemoIds.employment('cabinet-office', 'co-dev'),
      '2027-04-01',
      { annualSalaryPence: 36_500_00 },
      'Pay progression',
      null,
    )

    // A loan between organisations: Ben Whitaker stays a Cabinet Office employee and is on loan
    // to DSIT; one person record, visible to both.
    await createEmployment(
      trx,
      dsit,
      {
        personId: hrDemoIds.person('co-pa'),
        employeeNumber: 'L000001',
        contractType: 'loan',
        lentByOrgId: co,
        startDate: '2026-09-01',
        expectedEndDate: '2027-08-31',
        terms: {
          positionId: hrDemoIds.position('dsit', 'D0005'),
          fte: '0.4',
          hoursPerWeek: '14.80',
          daysPerWeek: '2',
          annualSalaryPence: 35_500_00,
        },
      },
      null,
      { id: hrDemoIds.employment('dsit', 'co-pa-loan'), changeReason: 'Loan in' },
    )

    // A leaver: the HR assistant post is vacant since its holder left.
    const leaver = await createPerson(
      trx,
      co,
      { forenames: 'Jack', surname: 'Turner', dateOfBirth: '1999-06-06', niNumber: 'KJ617988A' },
      { id: hrDemoIds.person('co-leaver') },
    )
    const employmentId = hrDemoIds.employment('cabinet-office', 'co-leaver')
    await createEmployment(
      trx,
      co,
      {
        personId: leaver.id,
        employeeNumber: 'E000099',
        contractType: 'permanent',
        startDate: '2023-04-03',
        terms: {
          positionId: hrDemoIds.position('cabinet-office', 'P0014'),
          fte: '1',
          hoursPerWeek: '37',
          annualSalaryPence: 24_000_00,
        },
      },
      null,
      { id: employmentId },
    )
    await setPayrollDetails(trx, co, employmentId, { starterDeclaration: 'A' })
    await setTaxCodeFrom(trx, co, employmentId, {
      validFrom: '2023-04-03',
      taxCode: '1257L',
      source: 'starter',
    })
    await sql`update employment_terms set valid_to = '2026-07-01' where org_id = ${co} and employment_id = ${employmentId}`.execute(
      trx,
    )
    await sql`update tax_codes set valid_to = '2026-07-01' where org_id = ${co} and employment_id = ${employmentId}`.execute(
      trx,
    )
    await sql`update employments set end_date = '2026-06-30', leaving_reason = 'Resignation'
      where org_id = ${co} and id = ${employmentId}`.execute(trx)
    const money = payInLieu(24_000_00, '1', 350)
    await trx
      .insertInto('hr_leavers')
      .values({
        org_id: co,
        employment_id: employmentId,
        request_id: null,
        last_working_day: '2026-06-30',
        leaving_reason: 'Resignation',
        untaken_leave_days: '3.50',
        daily_rate_pence: money.dailyRatePence,
        pay_in_lieu_pence: money.payInLieuPence,
        leave_basis: 'absence',
        p45_required: true,
        recorded_by: null,
      })
      .execute()

    // Diversity answers for a few (visible only with hr:diversity:read).
    await setDiversity(trx, co, hrDemoIds.person('co-employee'), {
      sex: 'female',
      ethnicity: 'White British',
      disability: 'no',
      caringResponsibility: 'prefer-not-to-say',
    })
    await setDiversity(trx, co, hrDemoIds.person('co-dev'), {
      sex: 'female',
      ethnicity: 'Indian',
      disability: 'no',
    })
  },
}

/**
 * A made-up account number at the demo sort code that passes UK modulus checking, so payroll can
 * pay everyone (the first candidates from n that fail are skipped).
 */
export function demoAccountNumber(n: number): string {
  for (let candidate = 10_000_000 + n * 7_919; ; candidate += 1) {
    const accountNumber = String(candidate).slice(0, 8)
    if (checkUkBankAccount('309430', accountNumber).ok) return accountNumber
  }
}
