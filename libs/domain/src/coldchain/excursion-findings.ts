import type { Finding, FindingEvidence } from '../exceptions/receiving-checks';
import type { OrgId } from '../lifecycle/records';
import { toUtcIsoString, type IsoTimestamp } from '../time';
import {
  assessExposure, exposureCache, humidityRange, packExposure, storageOptions, temperatureRange, type BudgetBreach, type ConditionSource, type ExcursionOptions, type PackExposure, type PackInterval, type Reading,
} from './excursion';
import { formatHumidityRange, formatStorageRange, type StorageConditions } from './storage';

/** One excursion as screens and exception evidence show it: when, where, how long, how far. */
export interface ExcursionSummary {
  readonly startAt: IsoTimestamp;
  readonly endAt: IsoTimestamp;
  readonly minutes: number;
  readonly highestCelsius: number;
  readonly lowestCelsius: number;
  readonly source: ConditionSource | null;
  readonly inferredFromGap: boolean;
}

/** One stretch outside the humidity range, as evidence shows it. */
export interface HumidityExcursionSummary {
  readonly startAt: IsoTimestamp;
  readonly endAt: IsoTimestamp;
  readonly minutes: number;
  readonly highestPercent: number;
  readonly lowestPercent: number;
  readonly source: ConditionSource | null;
  readonly inferredFromGap: boolean;
}

/** The evidence a temperature_excursion exception carries beside its summary. */
export interface ExcursionEvidence extends FindingEvidence {
  readonly range: string;
  readonly budgetMinutes: number;
  readonly minutesOutOfRange: number;
  readonly mktCelsius: number | null;
  readonly breaches: readonly BudgetBreach[];
  readonly excursions: readonly ExcursionSummary[];
  /** The worst pack's humidity, where the product has a humidity range and a logger reported it. */
  readonly humidity?: {
    readonly range: string;
    readonly budgetMinutes: number | null;
    readonly minutesOutOfRange: number;
    readonly excursions: readonly HumidityExcursionSummary[];
  };
}

/** A shipment's packs with their product, and the legs the receiver's store has readings for. */
export interface ShipmentConditionsInput {
  readonly shipmentId: string;
  readonly seller: OrgId;
  readonly receiver: OrgId;
  /** Each pack with its GTIN and the legs it travelled (shipment, its containers). */
  readonly packs: ReadonlyArray<{ readonly epc: string; readonly gtin: string; readonly legs: readonly PackInterval[] }>;
  readonly storageOf: (gtin: string) => StorageConditions | undefined;
  readonly readingsOf: (source: ConditionSource) => readonly Reading[] | undefined;
  /** Each source's humidity readings (percent); without it humidity is not checked. */
  readonly humidityOf?: (source: ConditionSource) => readonly Reading[] | undefined;
  readonly options?: ExcursionOptions;
}

export interface PackConditions {
  readonly epc: string;
  readonly gtin: string;
  readonly exposure: PackExposure;
  /** The same over the humidity readings, against the product's humidity range (when it has one). */
  readonly humidity?: PackExposure;
  readonly withinBudget: boolean;
  readonly breaches: readonly BudgetBreach[];
}

export const summariseExcursions = (exposure: Pick<PackExposure, 'excursions'>): ExcursionSummary[] =>
  exposure.excursions.map((x) => ({
    startAt: toUtcIsoString(x.startMs), endAt: toUtcIsoString(x.endMs), minutes: Math.round(x.minutes * 10) / 10, highestCelsius: x.highest, lowestCelsius: x.lowest,
    source: x.source ?? null, inferredFromGap: x.inferredFromGap,
  }));

/**
 * The cold-chain receiving check: every pack of a shipment whose product has storage conditions,
 * against its budget over the legs the receiver has readings for; one temperature_excursion
 * finding per product with packs beyond budget (packs of one case share one computation).
 */
export function checkShipmentConditions(input: ShipmentConditionsInput): { packs: PackConditions[]; findings: Finding[] } {
  // One cache per product and quantity: a cached leg is one range's.
  const caches = new Map<string, ReturnType<typeof exposureCache>>();
  const cacheOf = (key: string) => caches.get(key) ?? caches.set(key, exposureCache()).get(key) as ReturnType<typeof exposureCache>;
  const packs: PackConditions[] = [];
  for (const pack of input.packs) {
    const storage = input.storageOf(pack.gtin);
    if (!storage) continue;
    const options = storageOptions(storage, input.options);
    const exposure = packExposure(pack.legs, input.readingsOf, temperatureRange(storage), options, cacheOf(`t|${pack.gtin}`));
    const range = humidityRange(storage);
    const humidity = range && input.humidityOf ? packExposure(pack.legs, input.humidityOf, range, options, cacheOf(`h|${pack.gtin}`)) : undefined;
    const verdict = assessExposure(exposure, storage, humidity);
    packs.push({ epc: pack.epc, gtin: pack.gtin, exposure, ...(humidity ? { humidity } : {}), withinBudget: verdict.withinBudget, breaches: verdict.breaches });
  }
  const findings: Finding[] = [];
  for (const gtin of [...new Set(packs.filter((p) => !p.withinBudget).map((p) => p.gtin))].sort()) {
    const beyond = packs.filter((p) => p.gtin === gtin && !p.withinBudget);
    const storage = input.storageOf(gtin) as StorageConditions;
    // The worst pack speaks for the product: the one with the most time out of range.
    const worst = beyond.reduce((a, b) => (b.exposure.minutesOutOfRange > a.exposure.minutesOutOfRange ? b : a));
    const excursions = summariseExcursions(worst.exposure);
    const first = excursions[0];
    const humid = beyond.filter((p) => p.breaches.includes('humidity_minutes_out_of_range'));
    // Where temperature held and only humidity broke the budget, the worst pack is the most humid one.
    const wettest = humid.reduce<PackConditions | undefined>((a, b) => (!a || (b.humidity?.minutesOutOfRange ?? 0) > (a.humidity?.minutesOutOfRange ?? 0) ? b : a), undefined);
    const temperatureBroken = beyond.some((p) => p.breaches.some((b) => b !== 'humidity_minutes_out_of_range'));
    const humidityText = wettest?.humidity && storage.humidity
      ? `humidity excursion: ${humid.length} pack(s) of ${gtin} spent ${Math.round(wettest.humidity.minutesOutOfRange)} min outside ${formatHumidityRange(storage.humidity)} (budget ${storage.humidity.maxMinutesOutOfRange} min)`
      : '';
    const temperatureText = `temperature excursion: ${beyond.length} pack(s) of ${gtin} spent ${Math.round(worst.exposure.minutesOutOfRange)} min outside ${formatStorageRange(storage)}`
      + ` (budget ${storage.budget.maxMinutesOutOfRange} min${worst.exposure.mktCelsius !== null ? `, MKT ${worst.exposure.mktCelsius.toFixed(1)} °C` : ''})`
      + (first ? `, from ${first.startAt}${first.source ? ` on ${first.source.kind} ${first.source.id}` : ''}` : '');
    const worstHumidity = (wettest ?? worst).humidity;
    const evidence: ExcursionEvidence = {
      summary: temperatureBroken ? (humidityText ? `${temperatureText}; ${humidityText}` : temperatureText) : humidityText,
      gtin, packs: beyond.map((p) => p.epc), range: formatStorageRange(storage), budgetMinutes: storage.budget.maxMinutesOutOfRange,
      minutesOutOfRange: Math.round(worst.exposure.minutesOutOfRange * 10) / 10, mktCelsius: worst.exposure.mktCelsius === null ? null : Math.round(worst.exposure.mktCelsius * 100) / 100,
      breaches: [...new Set(beyond.flatMap((p) => p.breaches))], excursions,
      ...(worstHumidity && storage.humidity ? {
        humidity: {
          range: formatHumidityRange(storage.humidity), budgetMinutes: storage.humidity.maxMinutesOutOfRange ?? null, minutesOutOfRange: Math.round(worstHumidity.minutesOutOfRange * 10) / 10,
          excursions: summariseExcursions(worstHumidity).map(({ highestCelsius, lowestCelsius, ...x }) => ({ ...x, highestPercent: highestCelsius, lowestPercent: lowestCelsius })),
        },
      } : {}),
    };
    const epcs = beyond.map((p) => p.epc).sort();
    findings.push({ rule: 'temperature_excursion', shipmentId: input.shipmentId, seller: input.seller, receiver: input.receiver, subjects: epcs, hold: epcs, evidence });
  }
  return { packs, findings };
}

/** What the counter says about the open excursion exceptions holding a pack: why, and each stretch out of range. */
export interface ExcursionHold {
  /** TEMPERATURE_EXCURSION and/or HUMIDITY_EXCURSION, by which budget the hold broke. */
  readonly reasons: ReadonlyArray<'TEMPERATURE_EXCURSION' | 'HUMIDITY_EXCURSION'>;
  readonly temperatureExcursions: readonly ExcursionSummary[];
  readonly humidityExcursions: readonly HumidityExcursionSummary[];
}

/**
 * The counter's reading of the evidence of open temperature_excursion exceptions. A hold that broke
 * only the humidity budget is a humidity excursion: calling it a temperature one would send the
 * pharmacist to the wrong logger. Evidence recorded before breaches were kept is a temperature excursion.
 */
export function excursionHold(evidence: ReadonlyArray<Partial<ExcursionEvidence>>): ExcursionHold {
  const breaches = (e: Partial<ExcursionEvidence>): readonly BudgetBreach[] => e.breaches ?? ['minutes_out_of_range'];
  const temperature = evidence.some((e) => breaches(e).some((b) => b !== 'humidity_minutes_out_of_range'));
  const humidity = evidence.some((e) => breaches(e).includes('humidity_minutes_out_of_range'));
  return {
    reasons: [...(temperature ? ['TEMPERATURE_EXCURSION' as const] : []), ...(humidity ? ['HUMIDITY_EXCURSION' as const] : [])],
    temperatureExcursions: evidence.flatMap((e) => e.excursions ?? []),
    humidityExcursions: evidence.flatMap((e) => e.humidity?.excursions ?? []),
  };
}
