import { CalendarRegion, checkRegion } from '@pedigree/forecasting';
/** Planner defaults and service wiring, from the environment (documented in apps/forecast/README.md). */
export interface ForecastConfig {
  /** The organisation whose dispenses and stock are forecast, and whose users may call the API. */
  readonly org: string;
  /** MSP ID whose connection profile (the ledger identity) anchors forecasts. */
  readonly ledgerOrg: string;
  readonly leadTimePeriods: number;
  readonly serviceLevel: number;
  readonly reviewPeriods: number;
  readonly seed: number;
  readonly trainMembers: number;
  readonly trainMaxEpochs: number;
  /** Count the current, unfinished month as history (off: a half month reads as a demand drop). */
  readonly includeCurrentMonth: boolean;
  /** Public holidays and trading days of the demand (date-holidays region: US, AU, or none). */
  readonly calendar: CalendarRegion;
  /** Days a month must open with nothing on hand to count as a stock-out month (censored demand). */
  readonly stockOutDays: number;
  /**
   * 'auto': a panel with too few long series for its own network (libs/forecasting needsPretrainedNetwork) is served
   * through the PBS-pretrained network, trained on first use and kept in `model_versions`; 'off': never.
   */
  readonly pretrained: 'auto' | 'off';
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, valid: (v: number) => boolean): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!valid(v)) throw new Error(`${name}=${raw} is out of range`);
  return v;
}

function pretrainedFrom(raw: string | undefined): 'auto' | 'off' {
  if (raw === undefined || raw === '' || raw === 'auto') return 'auto';
  if (raw === 'off') return 'off';
  throw new Error(`FORECAST_PRETRAINED=${raw} must be auto or off`);
}

export function forecastConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ForecastConfig {
  return {
    org: env.PEDIGREE_ORG ?? 'DispenserMSP',
    ledgerOrg: env.FORECAST_LEDGER_ORG ?? env.PEDIGREE_ORG ?? 'DispenserMSP',
    leadTimePeriods: numberFrom(env, 'FORECAST_LEAD_TIME_PERIODS', 1, (v) => v > 0 && v <= 12),
    serviceLevel: numberFrom(env, 'FORECAST_SERVICE_LEVEL', 0.95, (v) => v > 0 && v < 1),
    reviewPeriods: numberFrom(env, 'FORECAST_REVIEW_PERIODS', 1, (v) => Number.isInteger(v) && v >= 1 && v <= 12),
    seed: numberFrom(env, 'FORECAST_SEED', 42, Number.isInteger),
    trainMembers: numberFrom(env, 'FORECAST_TRAIN_MEMBERS', 3, (v) => Number.isInteger(v) && v >= 1 && v <= 10),
    trainMaxEpochs: numberFrom(env, 'FORECAST_TRAIN_MAX_EPOCHS', 60, (v) => Number.isInteger(v) && v >= 1),
    includeCurrentMonth: env.FORECAST_INCLUDE_CURRENT_MONTH === 'true',
    calendar: checkRegion(env.FORECAST_CALENDAR ?? 'US'),
    stockOutDays: numberFrom(env, 'FORECAST_STOCKOUT_DAYS', 1, (v) => Number.isInteger(v) && v >= 1 && v <= 31),
    pretrained: pretrainedFrom(env.FORECAST_PRETRAINED),
  };
}
