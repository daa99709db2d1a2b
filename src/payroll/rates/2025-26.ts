import type { TaxYearRates } from './types.ts'

// 6 April 2025 to 5 April 2026. Verified against HMRC's 2025-26 PAYE, NIC and directors' NIC test
// data (see hmrc-conformance.test.ts); student loan figures are checked by hand-worked examples.

export const rates2025to26: TaxYearRates = {
  taxYear: '2025-26',
  offeredByCalculator: true,
  sources: [
    'HMRC, Rates and thresholds for employers 2025 to 2026 (GOV.UK)',
    'Scottish Income Tax 2025 to 2026 rates and bands (Scottish Government / GOV.UK)',
    'HMRC PAYE tax test data 2025-26 v1.0; NICs test data v1.1 incl. Freeports and Investment Zones; Directors NICs test data v1.0',
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
        { name: 'starter', upToPounds: 2827, rateBasisPoints: 1900 },
        { name: 'basic', upToPounds: 14921, rateBasisPoints: 2000 },
        { name: 'intermediate', upToPounds: 31092, rateBasisPoints: 2100 },
        { name: 'higher', upToPounds: 62430, rateBasisPoints: 4200 },
        { name: 'advanced', upToPounds: 125140, rateBasisPoints: 4500 },
        { name: 'top', upToPounds: null, rateBasisPoints: 4800 },
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
          LEL: { weeklyPounds: 125, monthlyPounds: 542, annualPounds: 6500 },
          PT: { weeklyPounds: 242, monthlyPounds: 1048, annualPounds: 12570 },
          ST: { weeklyPounds: 96, monthlyPounds: 417, annualPounds: 5000 },
          UEL: { weeklyPounds: 967, monthlyPounds: 4189, annualPounds: 50270 },
          UST: { weeklyPounds: 967, monthlyPounds: 4189, annualPounds: 50270 },
          AUST: { weeklyPounds: 967, monthlyPounds: 4189, annualPounds: 50270 },
          VUST: { weeklyPounds: 967, monthlyPounds: 4189, annualPounds: 50270 },
          FUST: { weeklyPounds: 481, monthlyPounds: 2083, annualPounds: 25000 },
          IZUST: { weeklyPounds: 481, monthlyPounds: 2083, annualPounds: 25000 },
        },
        // [from, to, rate in basis points]; each band is rounded separately.
        categories: {
          // Standard
          A: {
            employee: [
              ['PT', 'UEL', 800],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          // Married women and widows with a reduced-rate election
          B: {
            employee: [
              ['PT', 'UEL', 185],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          // Over State Pension age
          C: {
            employee: [],
            employer: [
              ['ST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          // Apprentice under 25
          H: {
            employee: [
              ['PT', 'UEL', 800],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'AUST', 0],
              ['AUST', null, 1500],
            ],
          },
          // Deferment
          J: {
            employee: [
              ['PT', 'UEL', 200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          // Under 21
          M: {
            employee: [
              ['PT', 'UEL', 800],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'UST', 0],
              ['UST', null, 1500],
            ],
          },
          // Armed forces veteran (first civilian employment)
          V: {
            employee: [
              ['PT', 'UEL', 800],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'VUST', 0],
              ['VUST', null, 1500],
            ],
          },
          // Under 21, deferment
          Z: {
            employee: [
              ['PT', 'UEL', 200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'UST', 0],
              ['UST', null, 1500],
            ],
          },
          // Freeport: standard, reduced rate (married women), deferment, over State Pension age
          F: {
            employee: [
              ['PT', 'UEL', 800],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'FUST', 0],
              ['FUST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          I: {
            employee: [
              ['PT', 'UEL', 185],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'FUST', 0],
              ['FUST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          L: {
            employee: [
              ['PT', 'UEL', 200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'FUST', 0],
              ['FUST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          S: {
            employee: [],
            employer: [
              ['ST', 'FUST', 0],
              ['FUST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          // Investment zone: standard, reduced rate (married women), deferment, over State Pension age
          N: {
            employee: [
              ['PT', 'UEL', 800],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'IZUST', 0],
              ['IZUST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          E: {
            employee: [
              ['PT', 'UEL', 185],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'IZUST', 0],
              ['IZUST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          D: {
            employee: [
              ['PT', 'UEL', 200],
              ['UEL', null, 200],
            ],
            employer: [
              ['ST', 'IZUST', 0],
              ['IZUST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          K: {
            employee: [],
            employer: [
              ['ST', 'IZUST', 0],
              ['IZUST', 'UEL', 1500],
              ['UEL', null, 1500],
            ],
          },
          // No NI liability (for example under 16)
          X: { employee: [], employer: [] },
        },
      },
    ],
  },
  studentLoans: {
    plans: {
      '1': { annualThresholdPounds: 26065, rateBasisPoints: 900 },
      '2': { annualThresholdPounds: 28470, rateBasisPoints: 900 },
      '4': { annualThresholdPounds: 32745, rateBasisPoints: 900 },
    },
    postgraduate: { annualThresholdPounds: 21000, rateBasisPoints: 600 },
  },
}
