import { DomainError } from '../errors';
import { DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL, type StorageConditions } from './storage';

/**
 * Excursion arithmetic over logger readings: time out of the labelled range, mean kinetic
 * temperature, and a pack's exposure from every container, shipment and location it was in.
 *
 * Between two readings the value is taken to move linearly (a logger samples a continuous
 * temperature), so a segment from 7 °C to 9 °C over ten minutes spends five minutes above 8 °C.
 * A segment longer than `maxGapMinutes` is a gap (a logger that stopped, a battery swap): nothing
 * is interpolated across it; it counts as out of range, whole, when either reading at its ends is
 * out of range (without data, assume the worst the data allows) and as unmonitored otherwise. Gaps
 * never enter the MKT.
 */

export interface Reading {
  /** Milliseconds since the epoch (UTC). */
  readonly atMs: number;
  /** °C for temperature, percent for relative humidity. */
  readonly value: number;
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface ExcursionOptions {
  /** Longest time between two readings that is still interpolated (default 60 minutes). */
  readonly maxGapMinutes?: number;
  /** ΔH for the MKT in kJ/mol (default 83.144). */
  readonly activationEnergyKjPerMol?: number;
}

export const DEFAULT_MAX_GAP_MINUTES = 60;

/** One continuous stretch out of range. */
export interface Excursion {
  readonly startMs: number;
  readonly endMs: number;
  readonly minutes: number;
  /** The highest and lowest values seen during it (a reading or where it crossed the range). */
  readonly highest: number;
  readonly lowest: number;
  /** True when part of it is a gap counted out of range rather than measured. */
  readonly inferredFromGap: boolean;
  /** Where the pack was (packExposure); absent for a bare series. */
  readonly source?: ConditionSource;
}

export interface SeriesExposure {
  /** Time covered by interpolated readings. */
  readonly monitoredMinutes: number;
  /** Time inside gaps (longer than maxGapMinutes between readings). */
  readonly gapMinutes: number;
  /** Measured plus gap time out of range. */
  readonly minutesOutOfRange: number;
  /** Mean kinetic temperature over the monitored time; null without any (fewer than two readings). */
  readonly mktCelsius: number | null;
  readonly highest: number | null;
  readonly lowest: number | null;
  readonly excursions: readonly Excursion[];
}

/** The gas constant USP <1160> uses (J/mol/K): with ΔH 83.144 kJ/mol, ΔH/R is 10,000 K. */
const GAS_CONSTANT = 8.3144;
const KELVIN = 273.15;
const MINUTE_MS = 60_000;

function invalid(reason: string, message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError('READINGS_INVALID', message, { reason, ...details });
}

/** Refuses what the arithmetic cannot mean: unordered or repeated times, non-finite values. */
export function assertReadings(readings: readonly Reading[]): void {
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i] as Reading;
    if (!Number.isFinite(r.atMs) || !Number.isFinite(r.value)) throw invalid('not finite', `reading ${i} has a non-finite time or value`, { index: i });
    if (i > 0 && r.atMs <= (readings[i - 1] as Reading).atMs) throw invalid('not ascending', `reading ${i} is not after reading ${i - 1}; readings must be in strictly ascending time`, { index: i });
  }
}

/** Accumulates one series' segments, clipped to a window; the pieces packExposure joins (opaque outside this file). */
export class Accumulator {
  monitoredMs = 0;
  gapMs = 0;
  arrhenius = 0;
  highest = -Infinity;
  lowest = Infinity;
  readonly out: Array<{ startMs: number; endMs: number; highest: number; lowest: number; inferredFromGap: boolean }> = [];

  constructor(private readonly range: Range, private readonly k: number) {}

  private see(v: number): void {
    if (v > this.highest) this.highest = v;
    if (v < this.lowest) this.lowest = v;
  }

  private mark(startMs: number, endMs: number, a: number, b: number, inferredFromGap: boolean): void {
    if (endMs <= startMs) return;
    const last = this.out[this.out.length - 1];
    const hi = Math.max(a, b);
    const lo = Math.min(a, b);
    if (last && last.endMs === startMs) {
      last.endMs = endMs;
      last.highest = Math.max(last.highest, hi);
      last.lowest = Math.min(last.lowest, lo);
      last.inferredFromGap ||= inferredFromGap;
    } else this.out.push({ startMs, endMs, highest: hi, lowest: lo, inferredFromGap });
  }

  /** A gap [t0, t1] whose original end readings were v0 and v1. */
  gap(t0: number, t1: number, v0: number, v1: number): void {
    this.gapMs += t1 - t0;
    this.markGap(t0, t1, v0, v1);
  }

  /** The gap's time out of range alone (its sums already counted). */
  markGap(t0: number, t1: number, v0: number, v1: number): void {
    const { min, max } = this.range;
    if (v0 < min || v0 > max || v1 < min || v1 > max) this.mark(t0, t1, v0, v1, true);
  }

  /** An interpolated segment from (t0, v0) to (t1, v1). */
  segment(t0: number, v0: number, t1: number, v1: number): void {
    const dt = t1 - t0;
    if (dt <= 0) return;
    this.monitoredMs += dt;
    this.arrhenius += (dt * (Math.exp(-this.k / (v0 + KELVIN)) + Math.exp(-this.k / (v1 + KELVIN)))) / 2;
    this.see(v0);
    this.see(v1);
    this.markSegment(t0, v0, t1, v1);
  }

  /** The segment's time out of range alone (its sums already counted). */
  markSegment(t0: number, v0: number, t1: number, v1: number): void {
    const dt = t1 - t0;
    if (dt <= 0) return;
    const { min, max } = this.range;
    const at = (v: number) => t0 + ((v - v0) / (v1 - v0)) * dt;
    // The parts above max and below min, in time order (a segment can cross the whole range).
    const above = v0 > max && v1 > max ? [t0, t1] : v0 > max ? [t0, at(max)] : v1 > max ? [at(max), t1] : undefined;
    const below = v0 < min && v1 < min ? [t0, t1] : v0 < min ? [t0, at(min)] : v1 < min ? [at(min), t1] : undefined;
    const parts = [above && { s: above[0] as number, e: above[1] as number, edge: max }, below && { s: below[0] as number, e: below[1] as number, edge: min }]
      .filter((p): p is { s: number; e: number; edge: number } => !!p)
      .sort((x, y) => x.s - y.s);
    for (const p of parts) {
      const vs = p.s === t0 ? v0 : p.edge;
      const ve = p.e === t1 ? v1 : p.edge;
      this.mark(p.s, p.e, vs, ve, false);
    }
  }
}

function boltzmannK(options: ExcursionOptions): number {
  return ((options.activationEnergyKjPerMol ?? DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL) * 1000) / GAS_CONSTANT;
}

/** Value at time t on the segment (t0, v0)–(t1, v1). */
function lerp(t0: number, v0: number, t1: number, v1: number, t: number): number {
  return t1 === t0 ? v0 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
}

/** Index of the last reading at or before t (-1 if none). */
function lastAtOrBefore(readings: readonly Reading[], t: number): number {
  let lo = 0;
  let hi = readings.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((readings[mid] as Reading).atMs <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Feeds the part of the series inside [fromMs, toMs] into the accumulator. */
function accumulate(acc: Accumulator, readings: readonly Reading[], fromMs: number, toMs: number, maxGapMs: number): void {
  if (readings.length === 0) return;
  if (readings.length === 1) {
    const only = readings[0] as Reading;
    if (only.atMs >= fromMs && only.atMs <= toMs) acc.segment(only.atMs, only.value, only.atMs, only.value);
    return;
  }
  const first = Math.max(0, lastAtOrBefore(readings, fromMs));
  for (let i = first; i < readings.length - 1; i++) {
    const a = readings[i] as Reading;
    const b = readings[i + 1] as Reading;
    if (a.atMs >= toMs) break;
    const t0 = Math.max(a.atMs, fromMs);
    const t1 = Math.min(b.atMs, toMs);
    if (t1 <= t0) continue;
    if (b.atMs - a.atMs > maxGapMs) acc.gap(t0, t1, a.value, b.value);
    else acc.segment(t0, lerp(a.atMs, a.value, b.atMs, b.value, t0), t1, lerp(a.atMs, a.value, b.atMs, b.value, t1));
  }
}

/** Segments per block of the index's highest and lowest: a leg's extremes cost its blocks plus two blocks' ends. */
const BLOCK = 128;
/** Below this many whole segments a leg is walked directly: the index would save nothing. */
const DIRECT_SEGMENTS = 2 * BLOCK;

/**
 * One series' running sums against one range, so that any window of it costs two edge segments, a
 * subtraction and its own stretches out of range, not a walk of its readings: a pallet's 10,000
 * packs entered its logger's trace at 60 different times, and each leg was a walk of 30 days.
 * Segment i runs from reading i to reading i+1; its values are those the walk would interpolate
 * (so highest, lowest and the excursions are the walk's to the bit; the MKT's sum differs only in
 * the order of its additions).
 */
export class SeriesIndex {
  private readonly monitored: Float64Array;
  private readonly gaps: Float64Array;
  private readonly arrhenius: Float64Array;
  private readonly blockHigh: Float64Array;
  private readonly blockLow: Float64Array;
  private readonly segHigh: Float64Array;
  private readonly segLow: Float64Array;
  /** Segments with time out of range (measured or a gap counted out), ascending. */
  private readonly outside: Int32Array;

  constructor(private readonly readings: readonly Reading[], private readonly range: Range, private readonly k: number, private readonly maxGapMs: number) {
    const n = Math.max(0, readings.length - 1);
    this.monitored = new Float64Array(n + 1);
    this.gaps = new Float64Array(n + 1);
    this.arrhenius = new Float64Array(n + 1);
    this.segHigh = new Float64Array(n).fill(-Infinity);
    this.segLow = new Float64Array(n).fill(Infinity);
    this.blockHigh = new Float64Array(Math.ceil(n / BLOCK)).fill(-Infinity);
    this.blockLow = new Float64Array(Math.ceil(n / BLOCK)).fill(Infinity);
    const outside: number[] = [];
    const { min, max } = range;
    const out = (v: number) => v < min || v > max;
    for (let i = 0; i < n; i++) {
      const a = readings[i] as Reading;
      const b = readings[i + 1] as Reading;
      const dt = b.atMs - a.atMs;
      let mon = 0, gap = 0, arr = 0;
      if (dt > maxGapMs) {
        gap = dt;
        if (out(a.value) || out(b.value)) outside.push(i);
      } else {
        const v1 = lerp(a.atMs, a.value, b.atMs, b.value, b.atMs);
        mon = dt;
        arr = (dt * (Math.exp(-k / (a.value + KELVIN)) + Math.exp(-k / (v1 + KELVIN)))) / 2;
        this.segHigh[i] = Math.max(a.value, v1);
        this.segLow[i] = Math.min(a.value, v1);
        const block = (i / BLOCK) | 0;
        if (this.segHigh[i]! > this.blockHigh[block]!) this.blockHigh[block] = this.segHigh[i]!;
        if (this.segLow[i]! < this.blockLow[block]!) this.blockLow[block] = this.segLow[i]!;
        if (out(a.value) || out(v1)) outside.push(i);
      }
      this.monitored[i + 1] = this.monitored[i]! + mon;
      this.gaps[i + 1] = this.gaps[i]! + gap;
      this.arrhenius[i + 1] = this.arrhenius[i]! + arr;
    }
    this.outside = Int32Array.from(outside);
  }

  /** Index of the first reading at or after t (readings.length if none). */
  private firstAtOrAfter(t: number): number {
    const i = lastAtOrBefore(this.readings, t);
    return i >= 0 && (this.readings[i] as Reading).atMs === t ? i : i + 1;
  }

  private extremes(from: number, to: number): [number, number] {
    let hi = -Infinity, lo = Infinity;
    let i = from;
    while (i < to) {
      if (i % BLOCK === 0 && i + BLOCK <= to) {
        const block = i / BLOCK;
        if (this.blockHigh[block]! > hi) hi = this.blockHigh[block]!;
        if (this.blockLow[block]! < lo) lo = this.blockLow[block]!;
        i += BLOCK;
      } else {
        if (this.segHigh[i]! > hi) hi = this.segHigh[i]!;
        if (this.segLow[i]! < lo) lo = this.segLow[i]!;
        i++;
      }
    }
    return [hi, lo];
  }

  /** Feeds the part of the series inside [fromMs, toMs] into the accumulator, as the walk would. */
  accumulate(acc: Accumulator, fromMs: number, toMs: number): void {
    const r = this.readings;
    // Whole segments: from the first reading at or after fromMs to the last at or before toMs.
    const first = this.firstAtOrAfter(fromMs);
    const last = lastAtOrBefore(r, toMs);
    if (last - first < DIRECT_SEGMENTS) return accumulate(acc, r, fromMs, toMs, this.maxGapMs);
    accumulate(acc, r, fromMs, (r[first] as Reading).atMs, this.maxGapMs);
    acc.monitoredMs += this.monitored[last]! - this.monitored[first]!;
    acc.gapMs += this.gaps[last]! - this.gaps[first]!;
    acc.arrhenius += this.arrhenius[last]! - this.arrhenius[first]!;
    const [hi, lo] = this.extremes(first, last);
    if (hi > acc.highest) acc.highest = hi;
    if (lo < acc.lowest) acc.lowest = lo;
    let j = lowerBound(this.outside, first);
    for (; j < this.outside.length && (this.outside[j] as number) < last; j++) {
      const i = this.outside[j] as number;
      const a = r[i] as Reading;
      const b = r[i + 1] as Reading;
      if (b.atMs - a.atMs > this.maxGapMs) acc.markGap(a.atMs, b.atMs, a.value, b.value);
      else acc.markSegment(a.atMs, a.value, b.atMs, lerp(a.atMs, a.value, b.atMs, b.value, b.atMs));
    }
    accumulate(acc, r, (r[last] as Reading).atMs, toMs, this.maxGapMs);
  }
}

function lowerBound(sorted: Int32Array, x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function mktOf(acc: { arrhenius: number; monitoredMs: number }, k: number): number | null {
  if (acc.monitoredMs <= 0) return null;
  return k / -Math.log(acc.arrhenius / acc.monitoredMs) - KELVIN;
}

function finish(acc: Accumulator, k: number, source?: ConditionSource): SeriesExposure {
  const excursions = acc.out.map((x) => ({ ...x, minutes: (x.endMs - x.startMs) / MINUTE_MS, ...(source ? { source } : {}) }));
  return {
    monitoredMinutes: acc.monitoredMs / MINUTE_MS,
    gapMinutes: acc.gapMs / MINUTE_MS,
    minutesOutOfRange: excursions.reduce((s, x) => s + x.minutes, 0),
    mktCelsius: mktOf(acc, k),
    highest: Number.isFinite(acc.highest) ? acc.highest : null,
    lowest: Number.isFinite(acc.lowest) ? acc.lowest : null,
    excursions,
  };
}

/**
 * Exposure of one logger's series (optionally only its part inside [fromMs, toMs]) against a range.
 * @throws DomainError READINGS_INVALID when the readings are not in strictly ascending time or not finite.
 */
export function seriesExposure(readings: readonly Reading[], range: Range, options: ExcursionOptions = {}, window?: { fromMs: number; toMs: number }): SeriesExposure {
  assertReadings(readings);
  const k = boltzmannK(options);
  const acc = new Accumulator(range, k);
  accumulate(acc, readings, window?.fromMs ?? -Infinity, window?.toMs ?? Infinity, (options.maxGapMinutes ?? DEFAULT_MAX_GAP_MINUTES) * MINUTE_MS);
  return finish(acc, k);
}

/**
 * Mean kinetic temperature (Haynes): ΔH/R over −ln of the time-weighted mean of e^(−ΔH/RT), T in
 * kelvin, back in °C. Each interpolated segment weighs its duration (the Arrhenius term averaged at
 * its two ends); with readings at a fixed interval this is Haynes' formula over the readings with
 * the first and last at half weight.
 */
export function meanKineticTemperature(readings: readonly Reading[], options: ExcursionOptions = {}): number | null {
  return seriesExposure(readings, { min: -Infinity, max: Infinity }, options).mktCelsius;
}

// --- a pack's exposure ---------------------------------------------------------------------------

/** Where a logger was: on a container (SSCC), with a shipment, or at a storage location (SGLN). */
export type ConditionSourceKind = 'container' | 'shipment' | 'location';

export interface ConditionSource {
  readonly kind: ConditionSourceKind;
  readonly id: string;
}

/** The pack was in (or with) `source` from `fromMs` until `toMs` (custody and aggregation say so). */
export interface PackInterval {
  readonly source: ConditionSource;
  readonly fromMs: number;
  readonly toMs: number;
}

/** The closer a logger sits to the pack, the better it speaks for it: a case's logger over the truck's, the truck's over the warehouse's. */
const SPECIFICITY: Record<ConditionSourceKind, number> = { container: 3, shipment: 2, location: 1 };

export interface PackExposure extends SeriesExposure {
  /** Time the pack's intervals span that no source's readings cover. */
  readonly unmonitoredMinutes: number;
  /** Which source spoke for which part of the pack's time, in order. */
  readonly legs: ReadonlyArray<{ readonly source: ConditionSource; readonly fromMs: number; readonly toMs: number }>;
}

/**
 * Legs already computed, for packs that travelled together (a pallet's 10,000 packs share its
 * logger's legs): one per range and options, never across them.
 */
export interface ExposureCache {
  readonly legs: Map<string, Accumulator>;
  /** Series already checked (assertReadings), by identity: a pallet's logger is checked once, not per pack. */
  readonly checked: WeakSet<readonly Reading[]>;
  /** Each series' running sums, by identity and then by range and options: legs that differ still share one pass. */
  readonly indexes: WeakMap<readonly Reading[], Map<string, SeriesIndex>>;
  /** Each cached leg's excursions, built once: a pallet's packs then only join them. */
  readonly finished: WeakMap<Accumulator, readonly Excursion[]>;
}

export function exposureCache(): ExposureCache {
  return { legs: new Map(), checked: new WeakSet(), indexes: new WeakMap(), finished: new WeakMap() };
}

function seriesIndex(cache: ExposureCache, readings: readonly Reading[], range: Range, k: number, maxGapMs: number): SeriesIndex {
  let byRange = cache.indexes.get(readings);
  if (!byRange) cache.indexes.set(readings, (byRange = new Map()));
  const key = `${range.min}|${range.max}|${k}|${maxGapMs}`;
  let index = byRange.get(key);
  if (!index) byRange.set(key, (index = new SeriesIndex(readings, range, k, maxGapMs)));
  return index;
}

export const sourceKey = (s: ConditionSource): string => `${s.kind}:${s.id}`;

/**
 * A pack's exposure from the readings of every source it was in while it was there. Where
 * intervals overlap (a case inside a shipment), the most specific source with readings at that
 * time speaks for the pack (container, then shipment, then location; between equals the one whose
 * interval started last, the innermost); time no source covers is unmonitored. Excursions that
 * touch across legs are one excursion (named by the leg where it began).
 * @throws DomainError READINGS_INVALID for a malformed series or an interval that ends before it starts.
 */
export function packExposure(
  intervals: readonly PackInterval[],
  readingsOf: (source: ConditionSource) => readonly Reading[] | undefined,
  range: Range,
  options: ExcursionOptions = {},
  cache?: ExposureCache,
): PackExposure {
  const k = boltzmannK(options);
  const maxGapMs = (options.maxGapMinutes ?? DEFAULT_MAX_GAP_MINUTES) * MINUTE_MS;
  const series = new Map<string, readonly Reading[]>();
  for (const iv of intervals) {
    if (!(iv.toMs >= iv.fromMs)) throw invalid('interval reversed', `the pack's interval in ${sourceKey(iv.source)} ends before it starts`, { source: iv.source });
    const key = sourceKey(iv.source);
    if (!series.has(key)) {
      const r = readingsOf(iv.source) ?? [];
      if (!cache?.checked.has(r)) {
        assertReadings(r);
        cache?.checked.add(r);
      }
      series.set(key, r);
    }
  }
  const covers = (iv: PackInterval, t0: number, t1: number) => {
    const r = series.get(sourceKey(iv.source)) as readonly Reading[];
    return r.length > 0 && iv.fromMs <= t0 && iv.toMs >= t1 && (r[0] as Reading).atMs <= t0 && (r[r.length - 1] as Reading).atMs >= t1;
  };
  // Elementary spans: between every interval edge and every series' first and last reading.
  const edges = new Set<number>();
  for (const iv of intervals) {
    edges.add(iv.fromMs);
    edges.add(iv.toMs);
    const r = series.get(sourceKey(iv.source)) as readonly Reading[];
    if (r.length) {
      for (const t of [(r[0] as Reading).atMs, (r[r.length - 1] as Reading).atMs]) if (t > iv.fromMs && t < iv.toMs) edges.add(t);
    }
  }
  const points = [...edges].sort((a, b) => a - b);
  const legs: Array<{ source: ConditionSource; fromMs: number; toMs: number }> = [];
  let unmonitoredMs = 0;
  for (let i = 0; i < points.length - 1; i++) {
    const t0 = points[i] as number;
    const t1 = points[i + 1] as number;
    const inside = intervals.filter((iv) => iv.fromMs <= t0 && iv.toMs >= t1);
    if (!inside.length) continue;
    const best = inside
      .filter((iv) => covers(iv, t0, t1))
      .sort((a, b) => SPECIFICITY[b.source.kind] - SPECIFICITY[a.source.kind] || b.fromMs - a.fromMs)[0];
    if (!best) {
      unmonitoredMs += t1 - t0;
      continue;
    }
    const last = legs[legs.length - 1];
    if (last && last.toMs === t0 && sourceKey(last.source) === sourceKey(best.source)) last.toMs = t1;
    else legs.push({ source: best.source, fromMs: t0, toMs: t1 });
  }
  let monitoredMs = 0;
  let gapMs = 0;
  let arrhenius = 0;
  let highest = -Infinity;
  let lowest = Infinity;
  const excursions: Excursion[] = [];
  for (const leg of legs) {
    const legKey = `${sourceKey(leg.source)}|${leg.fromMs}|${leg.toMs}`;
    let acc = cache?.legs.get(legKey);
    if (!acc) {
      acc = new Accumulator(range, k);
      const readings = series.get(sourceKey(leg.source)) as readonly Reading[];
      if (cache && readings.length >= 2) seriesIndex(cache, readings, range, k, maxGapMs).accumulate(acc, leg.fromMs, leg.toMs);
      else accumulate(acc, readings, leg.fromMs, leg.toMs, maxGapMs);
      cache?.legs.set(legKey, acc);
    }
    monitoredMs += acc.monitoredMs;
    gapMs += acc.gapMs;
    arrhenius += acc.arrhenius;
    highest = Math.max(highest, acc.highest);
    lowest = Math.min(lowest, acc.lowest);
    let legExcursions = cache?.finished.get(acc);
    if (!legExcursions) {
      legExcursions = finish(acc, k, leg.source).excursions;
      cache?.finished.set(acc, legExcursions);
    }
    for (const x of legExcursions) {
      const prev = excursions[excursions.length - 1];
      if (prev && prev.endMs === x.startMs) {
        excursions[excursions.length - 1] = {
          ...prev, endMs: x.endMs, minutes: (x.endMs - prev.startMs) / MINUTE_MS, highest: Math.max(prev.highest, x.highest), lowest: Math.min(prev.lowest, x.lowest), inferredFromGap: prev.inferredFromGap || x.inferredFromGap,
        };
      } else excursions.push(x);
    }
  }
  return {
    monitoredMinutes: monitoredMs / MINUTE_MS,
    gapMinutes: gapMs / MINUTE_MS,
    unmonitoredMinutes: unmonitoredMs / MINUTE_MS,
    minutesOutOfRange: excursions.reduce((s, x) => s + x.minutes, 0),
    mktCelsius: mktOf({ arrhenius, monitoredMs }, k),
    highest: Number.isFinite(highest) ? highest : null,
    lowest: Number.isFinite(lowest) ? lowest : null,
    excursions,
    legs,
  };
}

// --- against the budget ---------------------------------------------------------------------------

export type BudgetBreach = 'minutes_out_of_range' | 'mkt_above_limit' | 'humidity_minutes_out_of_range';

export interface ExcursionVerdict {
  readonly withinBudget: boolean;
  readonly breaches: readonly BudgetBreach[];
  /** Minutes of the budget left (negative once spent). */
  readonly minutesLeft: number;
}

/**
 * Whether an exposure stays within the product's excursion budget: its temperature, and its
 * humidity (the same arithmetic over the humidity readings) where the product has a humidity budget.
 */
export function assessExposure(exposure: Pick<SeriesExposure, 'minutesOutOfRange' | 'mktCelsius'>, storage: StorageConditions, humidity?: Pick<SeriesExposure, 'minutesOutOfRange'>): ExcursionVerdict {
  const breaches: BudgetBreach[] = [];
  if (exposure.minutesOutOfRange > storage.budget.maxMinutesOutOfRange) breaches.push('minutes_out_of_range');
  const limit = storage.budget.mktLimitCelsius;
  if (limit !== undefined && exposure.mktCelsius !== null && exposure.mktCelsius > limit) breaches.push('mkt_above_limit');
  const humidityBudget = storage.humidity?.maxMinutesOutOfRange;
  if (humidity && humidityBudget !== undefined && humidity.minutesOutOfRange > humidityBudget) breaches.push('humidity_minutes_out_of_range');
  return { withinBudget: breaches.length === 0, breaches, minutesLeft: storage.budget.maxMinutesOutOfRange - exposure.minutesOutOfRange };
}

/** The options the product's storage conditions imply (its ΔH). */
export function storageOptions(storage: StorageConditions, options: ExcursionOptions = {}): ExcursionOptions {
  return { ...options, ...(storage.budget.activationEnergyKjPerMol === undefined ? {} : { activationEnergyKjPerMol: storage.budget.activationEnergyKjPerMol }) };
}

export const temperatureRange = (storage: StorageConditions): Range => ({ min: storage.minCelsius, max: storage.maxCelsius });

/** The product's humidity range in percent, when its label gives one. */
export const humidityRange = (storage: StorageConditions): Range | undefined => (storage.humidity ? { min: storage.humidity.minPercent, max: storage.humidity.maxPercent } : undefined);
