import { DataSource } from 'typeorm';
import { DemandSources } from '@pedigree/forecasting';
import { DemandStore, SeriesKey } from './demand-store';
import { forecastConfigFromEnv } from './forecast-config';
import { Forecasts } from './forecasts';
import { ServingModels } from './serving-models';

// The platform package pulls in NestJS, which this unit project does not load; the job only needs its error type.
jest.mock('@pedigree/platform', () => ({
  ServiceError: class ServiceError extends Error {
    constructor(readonly kind: string, readonly serviceCode: string, message: string) {
      super(message);
    }
  },
}));

/** 60 imported months (2021-01 .. 2025-12), then live dispensing with a stock-out from 2026-02-10 to the end of the month. */
function sources(): DemandSources {
  const imported = Array.from({ length: 60 }, (_, i) => {
    const y = 2021 + Math.floor(i / 12);
    const m = (i % 12) + 1;
    return { date: `${y}-${String(m).padStart(2, '0')}-01`, covers: 'month' as const, quantity: 100 + 20 * Math.sin((2 * Math.PI * i) / 12) };
  });
  const dispensed = new Map<string, number>();
  const stock = new Map<string, number>([['2026-01-02', 200]]);
  for (let d = 3; d <= 31; d++) dispensed.set(`2026-01-${String(d).padStart(2, '0')}`, 4);
  for (let d = 1; d <= 9; d++) dispensed.set(`2026-02-${String(d).padStart(2, '0')}`, 4);
  // Everything on hand sold by February 9th: 116 + 36 = 152, then the rest shipped back to the wholesaler.
  stock.set('2026-01-31', -116);
  stock.set('2026-02-09', -84);
  stock.set('2026-03-01', 120);
  return { imported, dispensed, stock };
}

describe('Forecasts (the service\'s forecasting job)', () => {
  const demand = { sources: async () => sources(), productKnown: async () => true } as unknown as DemandStore;
  const models = new ServingModels(undefined as unknown as DataSource);
  const forecasts = new Forecasts(demand, models, forecastConfigFromEnv({}), () => new Date('2026-03-15T12:00:00Z'));
  const key: SeriesKey = { gtin: '00312345678906', location: 'DispenserMSP' };

  it('censors the months the read model shows out of stock, instead of taking their sales as demand', async () => {
    const { history, through } = await forecasts.monthlyDemand(key);
    expect(through).toBe('2026-02');
    expect(history.values.slice(-2)).toEqual([116, 36]);
    expect(history.censored?.slice(-2)).toEqual([false, true]);
    expect(forecasts.stockOutDays(sources()).filter((d) => d.startsWith('2026-02'))).toHaveLength(19);
    const served = await forecasts.forecast(key, 3, 'MONTH');
    expect(served.document.notes.join(' ')).toMatch(/1 stock-out month\(s\) treated as censored/);
    expect(served.document.modelVersion).toBe('baselines');
  }, 60000);
});
