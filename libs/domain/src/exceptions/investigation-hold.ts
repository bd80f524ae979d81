import { parseTimestamp, type IsoTimestamp } from '../time';
import type { OrgId, PackRecord } from '../lifecycle/records';
import type { InvestigationRecord } from './investigation';

/**
 * How an investigation holds stock it cannot write: the investigator is not the holders' peer, so
 * it never rewrites their packs (each pack key needs its owner's peer). Instead one record per
 * (GTIN, lot) lists the open investigations on that lot — the whole lot, or named packs of it —
 * and every read of a pack sees it through that record, as a recall is seen through the lot's
 * status. Clearing an investigation takes it off the list; an illegitimate one stays until the
 * holders dispose of the product.
 */
export interface InvestigationHoldRecord {
  readonly docType: 'investigationHold';
  readonly gtin: string;
  readonly lot: string;
  readonly open: readonly InvestigationHoldEntry[];
  readonly updatedAt: IsoTimestamp;
  readonly version: number;
}

export interface InvestigationHoldEntry {
  readonly investigator: OrgId;
  readonly id: string;
  readonly since: IsoTimestamp;
  /** The held packs of the lot; absent: the whole lot, packs commissioned later included. */
  readonly packs?: readonly string[];
}

/** What a pack carries while an open investigation holds it (derived on every read, never written by a holder). */
export interface PackInvestigationHold {
  readonly investigator: OrgId;
  readonly id: string;
  readonly since: IsoTimestamp;
}

/** The pack as its lot's investigations make it: held by the earliest open one that covers it, otherwise without a hold. */
export function withInvestigationHold(pack: PackRecord, hold: InvestigationHoldRecord | undefined): PackRecord {
  const entry = hold?.open.find((e) => !e.packs || e.packs.includes(pack.id));
  if (entry) return { ...pack, investigation: { investigator: entry.investigator, id: entry.id, since: entry.since } };
  if (!pack.investigation) return pack;
  const { investigation: _lifted, ...rest } = pack;
  return rest;
}

/** The lots an investigation's packs fall in, each with the packs of it that are held (none listed for a lot scope). */
export function holdsOfInvestigation(record: InvestigationRecord, lotOf: (pack: string) => { gtin: string; lot: string }): Array<{ gtin: string; lot: string; packs?: string[] }> {
  if (record.scope.kind === 'lot') return [{ gtin: record.scope.gtin, lot: record.scope.lot }];
  const byLot = new Map<string, { gtin: string; lot: string; packs: string[] }>();
  for (const p of record.packs) {
    const { gtin, lot } = lotOf(p);
    const key = `${gtin}|${lot}`;
    if (!byLot.has(key)) byLot.set(key, { gtin, lot, packs: [] });
    byLot.get(key)?.packs.push(p);
  }
  return [...byLot.values()].sort((a, b) => (a.gtin + a.lot).localeCompare(b.gtin + b.lot));
}

export function placeInvestigationHold(current: InvestigationHoldRecord | undefined, lot: { gtin: string; lot: string; packs?: readonly string[] }, record: InvestigationRecord, at: IsoTimestamp): InvestigationHoldRecord {
  parseTimestamp(at, 'at');
  const entry: InvestigationHoldEntry = { investigator: record.investigator, id: record.id, since: at, ...(lot.packs ? { packs: [...lot.packs].sort() } : {}) };
  const others = (current?.open ?? []).filter((e) => !(e.investigator === record.investigator && e.id === record.id));
  return { docType: 'investigationHold', gtin: lot.gtin, lot: lot.lot, open: [...others, entry], updatedAt: at, version: (current?.version ?? 0) + 1 };
}

export function liftInvestigationHold(current: InvestigationHoldRecord, record: InvestigationRecord, at: IsoTimestamp): InvestigationHoldRecord {
  parseTimestamp(at, 'at');
  return { ...current, open: current.open.filter((e) => !(e.investigator === record.investigator && e.id === record.id)), updatedAt: at, version: current.version + 1 };
}
