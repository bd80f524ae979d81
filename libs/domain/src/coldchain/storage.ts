import { DomainError } from '../errors';

/**
 * A product's labelled storage conditions, as master data its manufacturer registers with the
 * product (RegisterProduct): the range the label gives (e.g. "Store at 2 °C to 8 °C") and the
 * excursion budget the manufacturer's stability data allows. The range is inclusive: 8.0 °C is in
 * range, 8.01 °C is not.
 */
export interface StorageConditions {
  readonly minCelsius: number;
  readonly maxCelsius: number;
  /** Relative humidity the label requires, in percent; checked only where a logger reports it. */
  readonly humidity?: HumidityConditions;
  readonly budget: ExcursionBudget;
}

export interface HumidityConditions {
  readonly minPercent: number;
  readonly maxPercent: number;
  /**
   * Cumulative minutes outside the humidity range the product may spend over its life. Without it
   * humidity excursions are reported but break no budget (the label names a range, the manufacturer
   * no tolerance).
   */
  readonly maxMinutesOutOfRange?: number;
}

export interface ExcursionBudget {
  /** Cumulative minutes out of the labelled range the product may spend over its whole life. */
  readonly maxMinutesOutOfRange: number;
  /** Mean kinetic temperature the product's monitored time may not exceed (°C). */
  readonly mktLimitCelsius?: number;
  /** Activation energy ΔH for the MKT (kJ/mol); USP <1160> and ICH use 83.144 when the product's own is unknown. */
  readonly activationEnergyKjPerMol?: number;
}

/** The ΔH of USP <1160> / Haynes (83.144 kJ/mol, so ΔH/R = 10,000 K). */
export const DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL = 83.144;

/** Outside these no pharmaceutical label or logger operates; a value there is a typo (K for °C, °F for °C). */
const PLAUSIBLE_CELSIUS = { min: -90, max: 70 } as const;
/** A budget beyond a year out of range is not a budget. */
const MAX_BUDGET_MINUTES = 366 * 24 * 60;

function invalid(field: string, reason: string, message: string): DomainError {
  return new DomainError('STORAGE_CONDITIONS_INVALID', `${field} ${message}`, { field, reason });
}

function celsius(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, `${field} not a number`, 'must be a number of °C');
  if (value < PLAUSIBLE_CELSIUS.min || value > PLAUSIBLE_CELSIUS.max) throw invalid(field, `${field} implausible`, `must lie between ${PLAUSIBLE_CELSIUS.min} and ${PLAUSIBLE_CELSIUS.max} °C`);
  return value + 0; // -0 would not survive JSON (the ledger's canonical form)
}

function objectWith(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(field, `${field} not an object`, 'must be an object');
  const extra = Object.keys(value).find((k) => !keys.includes(k));
  if (extra) throw invalid(`${field}.${extra}`, 'unknown field', `is not a field (fields: ${keys.join(', ')})`);
  return value as Record<string, unknown>;
}

function budgetMinutes(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_BUDGET_MINUTES) {
    throw invalid(field, 'budget out of bounds', `must be a number of minutes from 0 to ${MAX_BUDGET_MINUTES}`);
  }
  return value + 0;
}

/**
 * Reads storage conditions from plain JSON (a command field, a GraphQL input).
 * @throws DomainError STORAGE_CONDITIONS_INVALID naming the field: an unknown field, a range whose
 *   minimum is not below its maximum, an implausible temperature, a negative or unbounded budget.
 */
export function parseStorageConditions(value: unknown, field = 'storage'): StorageConditions {
  const v = objectWith(value, field, ['minCelsius', 'maxCelsius', 'humidity', 'budget']);
  const minCelsius = celsius(v.minCelsius, `${field}.minCelsius`);
  const maxCelsius = celsius(v.maxCelsius, `${field}.maxCelsius`);
  if (minCelsius >= maxCelsius) throw invalid(`${field}.maxCelsius`, 'empty range', `(${maxCelsius}) must be above minCelsius (${minCelsius})`);
  let humidity: StorageConditions['humidity'];
  if (v.humidity !== undefined) {
    const h = objectWith(v.humidity, `${field}.humidity`, ['minPercent', 'maxPercent', 'maxMinutesOutOfRange']);
    const percent = (x: unknown, f: string) => {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > 100) throw invalid(f, `${f} not a percentage`, 'must be a number from 0 to 100');
      return x + 0;
    };
    const minPercent = percent(h.minPercent, `${field}.humidity.minPercent`);
    const maxPercent = percent(h.maxPercent, `${field}.humidity.maxPercent`);
    if (minPercent >= maxPercent) throw invalid(`${field}.humidity.maxPercent`, 'empty range', `(${maxPercent}) must be above minPercent (${minPercent})`);
    humidity = {
      minPercent, maxPercent,
      ...(h.maxMinutesOutOfRange === undefined ? {} : { maxMinutesOutOfRange: budgetMinutes(h.maxMinutesOutOfRange, `${field}.humidity.maxMinutesOutOfRange`) }),
    };
  }
  const b = objectWith(v.budget, `${field}.budget`, ['maxMinutesOutOfRange', 'mktLimitCelsius', 'activationEnergyKjPerMol']);
  const minutes = budgetMinutes(b.maxMinutesOutOfRange, `${field}.budget.maxMinutesOutOfRange`);
  const mktLimitCelsius = b.mktLimitCelsius === undefined ? undefined : celsius(b.mktLimitCelsius, `${field}.budget.mktLimitCelsius`);
  if (mktLimitCelsius !== undefined && mktLimitCelsius < minCelsius) {
    throw invalid(`${field}.budget.mktLimitCelsius`, 'MKT limit below range', `(${mktLimitCelsius}) must not be below minCelsius (${minCelsius})`);
  }
  const dh = b.activationEnergyKjPerMol;
  if (dh !== undefined && (typeof dh !== 'number' || !Number.isFinite(dh) || dh < 10 || dh > 500)) {
    throw invalid(`${field}.budget.activationEnergyKjPerMol`, 'activation energy implausible', 'must be a number of kJ/mol from 10 to 500');
  }
  return {
    minCelsius,
    maxCelsius,
    ...(humidity ? { humidity } : {}),
    budget: {
      maxMinutesOutOfRange: minutes,
      ...(mktLimitCelsius === undefined ? {} : { mktLimitCelsius }),
      ...(dh === undefined ? {} : { activationEnergyKjPerMol: dh as number }),
    },
  };
}

/** "30–60 % RH": the label's humidity range as screens print it. */
export function formatHumidityRange(h: Pick<HumidityConditions, 'minPercent' | 'maxPercent'>): string {
  return `${h.minPercent}–${h.maxPercent} % RH`;
}

/** "2–8 °C": the label's range as screens print it. */
export function formatStorageRange(s: Pick<StorageConditions, 'minCelsius' | 'maxCelsius'>): string {
  return `${s.minCelsius}–${s.maxCelsius} °C`;
}
