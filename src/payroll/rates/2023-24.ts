import type { NiThreshold, TaxYearRates } from './types.ts'

// 6 April 2023 to 5 April 2024. A regression year: not offered by `gss payroll calc`; kept so the
// engine runs HMRC's 2023-24 PAYE, NIC and directors' NIC test data. Those workbooks predate the
// cut in the main employee rate from 12% to 10% on 6 January 2024, and every row in them (the
// directors' annual rows included) uses 12%, so the cut is deliberately NOT modelled here: this
// file describes the year as HMRC's conformance data does. Student loan thresholds are as
// published and not exercised by any test data.

const UEL: NiThreshold = { weeklyPounds: 967, monthlyPounds: 4189, annualPounds: 50270 }
const FUST: NiThreshold = { weeklyPounds: 481, monthlyPounds: 2083, annualPounds: 25000 }

export const rates2023to24: TaxYearRates = {
  taxYear: '2023-24',
  offeredByCalculator: false,
  sources: [
    'HMRC, Rates and thresholds for employers 2023 to 2024 (GOV.UK), as first published (before the January 2024 change)',
    'HMRC PAYE, NIC and directors NIC test data 2023-24 (Payetools-ts transcription)',
  ],
  incomeTax: {
    freePayPer500Block: { weeklyPence: 9616, monthlyPence: 41667 },
    overridingLimitBasisPoints: 5000,
    restOfUk: {
      bands: [
        { name: 'basic', upToPounds: 37700, rateBasisPoints: 2000 },
        { name: 'higher', upToPounds: 125140, rateBasisPoints: 4000 },
        { name: 'additional', upToPounds: null, rateBasisPoints: 4500 },
      ],
      basicRateBand: 'basic',
    },
    scotland: {
      bands: [
        { name: 'starter', upToPounds: 2162, rateBasisPoints: 1900 },
        { name: 'basic', upToPounds: 13118, rateBasisPoints: 2000 },
        { name: 'intermediate', upToPounds: 31092, rateBasisPoints: 2100 },
        { name: 'higher', upToPounds: 125140, rateBasisPoints: 4200 },
        { name: 'top', upToPounds: null, rateBasisPoints: 4700 },
      ],
      basicRateBand: 'basic',
    },
    wales: {
      bands: [
        { name: 'basic', upToPounds: 37700, rateBasisPoints: 2000 },
        { name: 'higher', upToPounds: 125140, rateBasisPoints: 4000 },
        { name: 'additional', upToPounds: null, rateBasisPoints: 4500 },
      ],
      basicRateBand: 'basic',
    },
  },
  nationalInsurance: {
    segments: [
      {
        fromTaxWeek: 1,
        fromTaxMonth: 1,
        thresholds: {
          LEL: { weeklyPounds: 123, monthlyPounds: 533, annualPounds: 6396 },
          PT: { weeklyPounds: 242, monthlyPounds: 1048, annualPounds: 12570 },
          ST: { weeklyPounds: 175, monthlyPounds: 758, annualPounds: 9100 },
          UEL,
          UST: UEL,
          AUST: UEL,
          VUST: UEL,
          FUST,
          // Investment zone categories are not in HMRC's 2023-24 data; present to complete the table.
          IZUST: FUST,
        },
        categories: {
          A: {
            employee: [
              ['PT', 'UEL', 1200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'UEL', 1380],
              ['UEL', null, 1380],
            ],
          },
          B: {
            employee: [
              ['PT', 'UEL', 585],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'UEL', 1380],
              ['UEL', null, 1380],
            ],
          },
          C: {
            employee: [],
            employer: [
              ['ST', 'UEL', 1380],
              ['UEL', null, 1380],
            ],
          },
          H: {
            employee: [
              ['PT', 'UEL', 1200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'AUST', 0],
              ['AUST', null, 1380],
            ],
          },
          J: {
            employee: [
              ['PT', 'UEL', 200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'UEL', 1380],
              ['UEL', null, 1380],
            ],
          },
          M: {
            employee: [
              ['PT', 'UEL', 1200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'UST', 0],
              ['UST', null, 1380],
            ],
          },
          V: {
            employee: [
              ['PT', 'UEL', 1200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'VUST', 0],
              ['VUST', null, 1380],
            ],
          },
          Z: {
            employee: [
              ['PT', 'UEL', 200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'UST', 0],
              ['UST', null, 1380],
            ],
          },
          F: {
            employee: [
              ['PT', 'UEL', 1200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'FUST', 0],
              ['FUST', 'UEL', 1380],
              ['UEL', null, 1380],
            ],
          },
          I: {
            employee: [
              ['PT', 'UEL', 585],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'FUST', 0],
              ['FUST', 'UEL', 1380],
              ['UEL', null, 1380],
            ],
          },
          L: {
            employee: [
              ['PT', 'UEL', 200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'FUST', 0],
              ['FUST', 'UEL', 1380],
              ['UEL', null, 1380],
            ],
          },
          S: {
            employee: [],
            employer: [
              ['ST', 'FUST', 0],
              ['FUST', 'UEL', 1380],
              ['UEL', null, 1380],
            ],
          },
          X: { employee: [], employer: [] },
        },
      },
    ],
  },
  studentLoans: {
    plans: {
      '1': { annualThresholdPounds: 22015, rateBasisPoints: 900 },
      '2': { annualThresholdPounds: 27295, rateBasisPoints: 900 },
      '4': { annualThresholdPounds: 27660, rateBasisPoints: 900 },
    },
    postgraduate: { annualThresholdPounds: 21000, rateBasisPoints: 600 },
  },
}
