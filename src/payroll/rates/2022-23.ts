import type { NiCategoryRates, NiThreshold, NiThresholdName, TaxYearRates } from './types.ts'

// 6 April 2022 to 5 April 2023. A regression year: not offered by `gss payroll calc`; kept so the
// engine runs HMRC's 2022-23 PAYE, NIC and directors' NIC test data. NI changed twice in-year:
// the primary threshold rose from £190 to £242 a week on 6 July 2022 (tax week 14, month 4) and
// the 1.25% Health and Social Care rise was reversed from 6 November 2022 (month 8; week 32, the
// first tax week to start after it, as HMRC's directors' data has week 31 at the old rates).
// Student loan thresholds are as published and not exercised by any test data.

const UEL: NiThreshold = { weeklyPounds: 967, monthlyPounds: 4189, annualPounds: 50270 }

const thresholdsFromApril: Record<NiThresholdName, NiThreshold> = {
  LEL: { weeklyPounds: 123, monthlyPounds: 533, annualPounds: 6396 },
  PT: { weeklyPounds: 190, monthlyPounds: 823, annualPounds: 9880 },
  ST: { weeklyPounds: 175, monthlyPounds: 758, annualPounds: 9100 },
  UEL,
  UST: UEL,
  AUST: UEL,
  VUST: UEL,
  FUST: { weeklyPounds: 481, monthlyPounds: 2083, annualPounds: 25000 },
  // No investment zone categories existed in 2022-23; present only to complete the table.
  IZUST: { weeklyPounds: 481, monthlyPounds: 2083, annualPounds: 25000 },
}

const thresholdsFromJuly: Record<NiThresholdName, NiThreshold> = {
  ...thresholdsFromApril,
  PT: { weeklyPounds: 242, monthlyPounds: 1048, annualPounds: 12570 },
}

const categoriesTo5November: Record<string, NiCategoryRates> = {
  A: {
    employee: [
      ['PT', 'UEL', 1325],
      ['UEL', null, 325],
    ],
    employer: [
      ['ST', 'UEL', 1505],
      ['UEL', null, 1505],
    ],
  },
  B: {
    employee: [
      ['PT', 'UEL', 710],
      ['UEL', null, 325],
    ],
    employer: [
      ['ST', 'UEL', 1505],
      ['UEL', null, 1505],
    ],
  },
  C: {
    employee: [],
    employer: [
      ['ST', 'UEL', 1505],
      ['UEL', null, 1505],
    ],
  },
  H: {
    employee: [
      ['PT', 'UEL', 1325],
      ['UEL', null, 325],
    ],
    employer: [
      ['ST', 'AUST', 0],
      ['AUST', null, 1505],
    ],
  },
  J: {
    employee: [
      ['PT', 'UEL', 325],
      ['UEL', null, 325],
    ],
    employer: [
      ['ST', 'UEL', 1505],
      ['UEL', null, 1505],
    ],
  },
  M: {
    employee: [
      ['PT', 'UEL', 1325],
      ['UEL', null, 325],
    ],
    employer: [
      ['ST', 'UST', 0],
      ['UST', null, 1505],
    ],
  },
  V: {
    employee: [
      ['PT', 'UEL', 1325],
      ['UEL', null, 325],
    ],
    employer: [
      ['ST', 'VUST', 0],
      ['VUST', null, 1505],
    ],
  },
  Z: {
    employee: [
      ['PT', 'UEL', 325],
      ['UEL', null, 325],
    ],
    employer: [
      ['ST', 'UST', 0],
      ['UST', null, 1505],
    ],
  },
  F: {
    employee: [
      ['PT', 'UEL', 1325],
      ['UEL', null, 325],
    ],
    employer: [
      ['ST', 'FUST', 0],
      ['FUST', 'UEL', 1505],
      ['UEL', null, 1505],
    ],
  },
  I: {
    employee: [
      ['PT', 'UEL', 710],
      ['UEL', null, 325],
    ],
    employer: [
      ['ST', 'FUST', 0],
      ['FUST', 'UEL', 1505],
      ['UEL', null, 1505],
    ],
  },
  L: {
    employee: [
      ['PT', 'UEL', 325],
      ['UEL', null, 325],
    ],
    employer: [
      ['ST', 'FUST', 0],
      ['FUST', 'UEL', 1505],
      ['UEL', null, 1505],
    ],
  },
  S: {
    employee: [],
    employer: [
      ['ST', 'FUST', 0],
      ['FUST', 'UEL', 1505],
      ['UEL', null, 1505],
    ],
  },
  X: { employee: [], employer: [] },
}

const categoriesFrom6November: Record<string, NiCategoryRates> = {
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
}

export const rates2022to23: TaxYearRates = {
  taxYear: '2022-23',
  offeredByCalculator: false,
  sources: [
    'HMRC, Rates and thresholds for employers 2022 to 2023 (GOV.UK), including the July and November 2022 changes',
    'HMRC, Directors NICs 2022-23: blended annual rates 12.73% / 2.73%, employer 14.53%, annual PT £11,908',
    'HMRC PAYE, NIC and directors NIC test data 2022-23 (Payetools-ts transcription)',
  ],
  incomeTax: {
    freePayPer500Block: { weeklyPence: 9616, monthlyPence: 41667 },
    overridingLimitBasisPoints: 5000,
    restOfUk: {
      bands: [
        { name: 'basic', upToPounds: 37700, rateBasisPoints: 2000 },
        { name: 'higher', upToPounds: 150000, rateBasisPoints: 4000 },
        { name: 'additional', upToPounds: null, rateBasisPoints: 4500 },
      ],
      basicRateBand: 'basic',
    },
    scotland: {
      bands: [
        { name: 'starter', upToPounds: 2162, rateBasisPoints: 1900 },
        { name: 'basic', upToPounds: 13118, rateBasisPoints: 2000 },
        { name: 'intermediate', upToPounds: 31092, rateBasisPoints: 2100 },
        { name: 'higher', upToPounds: 150000, rateBasisPoints: 4100 },
        { name: 'top', upToPounds: null, rateBasisPoints: 4600 },
      ],
      basicRateBand: 'basic',
    },
    wales: {
      bands: [
        { name: 'basic', upToPounds: 37700, rateBasisPoints: 2000 },
        { name: 'higher', upToPounds: 150000, rateBasisPoints: 4000 },
        { name: 'additional', upToPounds: null, rateBasisPoints: 4500 },
      ],
      basicRateBand: 'basic',
    },
  },
  nationalInsurance: {
    segments: [
      { fromTaxWeek: 1, fromTaxMonth: 1, thresholds: thresholdsFromApril, categories: categoriesTo5November },
      { fromTaxWeek: 14, fromTaxMonth: 4, thresholds: thresholdsFromJuly, categories: categoriesTo5November },
      {
        fromTaxWeek: 32,
        fromTaxMonth: 8,
        thresholds: thresholdsFromJuly,
        categories: categoriesFrom6November,
      },
    ],
    // HMRC's blended figures for a directors' annual earnings period in 2022-23. Only the
    // categories whose blended rates HMRC's data confirms or that follow from them are listed.
    directorsAnnual: {
      annualThresholdsPounds: {
        LEL: 6396,
        PT: 11908,
        ST: 9100,
        UEL: 50270,
        UST: 50270,
        AUST: 50270,
        VUST: 50270,
        FUST: 25000,
        IZUST: 25000,
      },
      categories: {
        A: {
          employee: [
            ['PT', 'UEL', 1273],
            ['UEL', null, 273],
          ],
          employer: [
            ['ST', 'UEL', 1453],
            ['UEL', null, 1453],
          ],
        },
        C: {
          employee: [],
          employer: [
            ['ST', 'UEL', 1453],
            ['UEL', null, 1453],
          ],
        },
        H: {
          employee: [
            ['PT', 'UEL', 1273],
            ['UEL', null, 273],
          ],
          employer: [
            ['ST', 'AUST', 0],
            ['AUST', null, 1453],
          ],
        },
        J: {
          employee: [
            ['PT', 'UEL', 273],
            ['UEL', null, 273],
          ],
          employer: [
            ['ST', 'UEL', 1453],
            ['UEL', null, 1453],
          ],
        },
        M: {
          employee: [
            ['PT', 'UEL', 1273],
            ['UEL', null, 273],
          ],
          employer: [
            ['ST', 'UST', 0],
            ['UST', null, 1453],
          ],
        },
        V: {
          employee: [
            ['PT', 'UEL', 1273],
            ['UEL', null, 273],
          ],
          employer: [
            ['ST', 'VUST', 0],
            ['VUST', null, 1453],
          ],
        },
        Z: {
          employee: [
            ['PT', 'UEL', 273],
            ['UEL', null, 273],
          ],
          employer: [
            ['ST', 'UST', 0],
            ['UST', null, 1453],
          ],
        },
        X: { employee: [], employer: [] },
      },
    },
  },
  studentLoans: {
    plans: {
      '1': { annualThresholdPounds: 20195, rateBasisPoints: 900 },
      '2': { annualThresholdPounds: 27295, rateBasisPoints: 900 },
      '4': { annualThresholdPounds: 25375, rateBasisPoints: 900 },
    },
    postgraduate: { annualThresholdPounds: 21000, rateBasisPoints: 600 },
  },
}
