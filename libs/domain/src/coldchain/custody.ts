import { DomainError } from '../errors';
import { seriesExposure, sourceKey, type ConditionSource, type ExcursionOptions, type PackInterval, type Range, type Reading } from './excursion';

/**
 * One change in where a record (a pack or a container) was, as its history says:
 * - `pack` / `unpack`: put into / taken out of `container` (an aggregation event's parentID);
 * - `ship`: left with `shipment` (and left the location it was at);
 * - `receive`: arrived at the end of the shipment it was with (every shipment still open ends);
 * - `arrive`: at `location` (SGLN) from then, until it is shipped, arrives elsewhere or leaves;
 * - `leave`: out of the supply chain (dispensed, decommissioned, destroyed): out of its location and container.
 */
export type CustodyStep =
  | { readonly kind: 'pack' | 'unpack'; readonly subject: string; readonly atMs: number; readonly container: string }
  | { readonly kind: 'ship'; readonly subject: string; readonly atMs: number; readonly shipment: string }
  | { readonly kind: 'receive'; readonly subject: string; readonly atMs: number }
  | { readonly kind: 'arrive'; readonly subject: string; readonly atMs: number; readonly location: string }
  | { readonly kind: 'leave'; readonly subject: string; readonly atMs: number };

/** How deep containers may nest (pack, case, pallet, …): deeper is a broken history, not a supply chain. */
const MAX_NESTING = 16;

/**
 * Where a pack was, and when: every container, shipment and location it was in (directly or in a
 * container that was), as intervals [from, to). A container's own intervals count for the pack only
 * while the pack was inside it: a case's shipment is the pack's shipment from when the pack was packed
 * (or the case shipped, whichever is later) to when it was unpacked (or the case received). What is
 * still open at `untilMs` ends there. The same source's intervals that touch or overlap are merged.
 * Steps may come in any order; steps at the same instant apply in the order given.
 * @throws DomainError CUSTODY_HISTORY_INVALID when containers nest into themselves or deeper than 16.
 */
export function custodyIntervals(epc: string, steps: readonly CustodyStep[] | CustodySteps, untilMs: number): PackInterval[] {
  const bySubject: CustodySteps = steps instanceof Map ? steps : custodySteps(steps as readonly CustodyStep[]);
  const out: PackInterval[] = [];
  const visit = (subject: string, fromMs: number, toMs: number, path: readonly string[]): void => {
    if (path.includes(subject)) throw cycle(`container ${subject} is inside itself`, [...path, subject]);
    if (path.length >= MAX_NESTING) throw cycle(`containers nest deeper than ${MAX_NESTING}`, [...path, subject]);
    for (const iv of directIntervals((bySubject.get(subject) ?? []).filter((s) => s.atMs <= untilMs), untilMs)) {
      const from = Math.max(iv.fromMs, fromMs);
      const to = Math.min(iv.toMs, toMs);
      if (!(to > from)) continue;
      out.push({ source: iv.source, fromMs: from, toMs: to });
      if (iv.source.kind === 'container') visit(iv.source.id, from, to, [...path, subject]);
    }
  };
  visit(epc, Number.NEGATIVE_INFINITY, untilMs, []);
  return mergeBySource(out);
}

/** Steps by subject, each in time order (stable): built once for a load, read for each of its packs. */
export type CustodySteps = ReadonlyMap<string, readonly CustodyStep[]>;

export function custodySteps(steps: readonly CustodyStep[]): CustodySteps {
  const bySubject = new Map<string, CustodyStep[]>();
  for (const s of steps) {
    const list = bySubject.get(s.subject) ?? [];
    list.push(s);
    bySubject.set(s.subject, list);
  }
  for (const list of bySubject.values()) list.sort((a, b) => a.atMs - b.atMs);
  return bySubject;
}

/** The intervals a record's own steps open and close. */
function directIntervals(steps: readonly CustodyStep[], untilMs: number): PackInterval[] {
  const out: PackInterval[] = [];
  let container: { id: string; fromMs: number } | undefined;
  let location: { id: string; fromMs: number } | undefined;
  const shipments = new Map<string, number>();
  const closeContainer = (atMs: number) => {
    if (container) out.push({ source: { kind: 'container', id: container.id }, fromMs: container.fromMs, toMs: atMs });
    container = undefined;
  };
  const closeLocation = (atMs: number) => {
    if (location) out.push({ source: { kind: 'location', id: location.id }, fromMs: location.fromMs, toMs: atMs });
    location = undefined;
  };
  const closeShipments = (atMs: number) => {
    for (const [id, fromMs] of shipments) out.push({ source: { kind: 'shipment', id }, fromMs, toMs: atMs });
    shipments.clear();
  };
  for (const s of steps) {
    switch (s.kind) {
      case 'pack':
        // A record is in one container at a time: packing it elsewhere takes it out of the last.
        closeContainer(s.atMs);
        container = { id: s.container, fromMs: s.atMs };
        break;
      case 'unpack':
        if (container?.id === s.container) closeContainer(s.atMs);
        break;
      case 'ship':
        closeLocation(s.atMs);
        if (!shipments.has(s.shipment)) shipments.set(s.shipment, s.atMs);
        break;
      case 'receive':
        closeShipments(s.atMs);
        break;
      case 'arrive':
        closeLocation(s.atMs);
        location = { id: s.location, fromMs: s.atMs };
        break;
      case 'leave':
        closeLocation(s.atMs);
        closeContainer(s.atMs);
        break;
    }
  }
  closeContainer(untilMs);
  closeLocation(untilMs);
  closeShipments(untilMs);
  return out;
}

/** One interval per stretch of a source: a pack shipped on its own and in its case is with the shipment once. */
function mergeBySource(intervals: readonly PackInterval[]): PackInterval[] {
  const groups = new Map<string, PackInterval[]>();
  for (const iv of intervals) {
    const list = groups.get(sourceKey(iv.source)) ?? [];
    list.push(iv);
    groups.set(sourceKey(iv.source), list);
  }
  const merged: PackInterval[] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => a.fromMs - b.fromMs);
    let open: { source: ConditionSource; fromMs: number; toMs: number } | undefined;
    for (const iv of list) {
      if (open && iv.fromMs <= open.toMs) open.toMs = Math.max(open.toMs, iv.toMs);
      else {
        if (open) merged.push(open);
        open = { ...iv };
      }
    }
    if (open) merged.push(open);
  }
  return merged.sort((a, b) => a.fromMs - b.fromMs || sourceKey(a.source).localeCompare(sourceKey(b.source)));
}

const cycle = (message: string, path: readonly string[]) => new DomainError('CUSTODY_HISTORY_INVALID', `the pack's custody history is broken: ${message}`, { path });

/** One custody leg's conditions as its own source's logger recorded them (the pack's trace timeline). */
export interface LegConditions {
  readonly source: ConditionSource;
  readonly fromMs: number;
  readonly toMs: number;
  /** The leg's own source has readings over some of it; false is "no logger". */
  readonly covered: boolean;
  readonly monitoredMinutes: number;
  readonly minutesOutOfRange: number;
  readonly mktCelsius: number | null;
  readonly highestCelsius: number | null;
  readonly lowestCelsius: number | null;
}

/**
 * Each custody interval with what its own source's readings say over it (min, max, minutes out of
 * range, MKT), in time order. Unlike packExposure, legs are not arbitrated: a case leg without a
 * case logger is "no logger" even where the truck's logger covered the pack.
 */
export function legConditions(intervals: readonly PackInterval[], readingsOf: (source: ConditionSource) => readonly Reading[] | undefined, range: Range, options: ExcursionOptions = {}): LegConditions[] {
  return [...intervals].sort((a, b) => a.fromMs - b.fromMs || sourceKey(a.source).localeCompare(sourceKey(b.source))).map((iv) => {
    const readings = readingsOf(iv.source) ?? [];
    const x = readings.length >= 2 ? seriesExposure(readings, range, options, { fromMs: iv.fromMs, toMs: iv.toMs }) : undefined;
    const covered = !!x && x.monitoredMinutes + x.gapMinutes > 0;
    return {
      source: iv.source, fromMs: iv.fromMs, toMs: iv.toMs, covered,
      monitoredMinutes: covered ? x.monitoredMinutes : 0, minutesOutOfRange: covered ? x.minutesOutOfRange : 0, mktCelsius: covered ? x.mktCelsius : null,
      highestCelsius: covered ? x.highest : null, lowestCelsius: covered ? x.lowest : null,
    };
  });
}
