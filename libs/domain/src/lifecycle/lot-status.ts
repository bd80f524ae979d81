import { DomainError } from '../errors';
import { assertIsoDate, parseTimestamp, type IsoDate, type IsoTimestamp } from '../time';
import { assertSerialOrLot, normaliseGtin } from '../gs1/gtin';
import type { OrgId, PackRecord } from './records';

/**
 * What a manufacturer decides for a whole lot: a recall and an FDA-sanctioned expiry extension.
 * One record per (GTIN, lot) instead of one write per pack, so a 100,000-pack lot is recalled in one
 * small transaction that needs no holder's peer, and packs commissioned into the lot later inherit
 * it. Every command, read and verification sees a pack through `withLotStatus`.
 */
export interface LotStatusRecord {
  readonly docType: 'lotStatus';
  readonly gtin: string;
  readonly lot: string;
  readonly manufacturer: OrgId;
  readonly recall?: { readonly recallId: string; readonly since: IsoTimestamp };
  readonly expiryExtendedTo?: IsoDate;
  readonly updatedAt: IsoTimestamp;
  readonly version: number;
}

export interface RecallLotDecision {
  readonly gtin: string;
  readonly lot: string;
  readonly recallId: string;
}

export interface ExtendLotExpiryDecision {
  readonly gtin: string;
  readonly lot: string;
  readonly until: IsoDate;
}

/** The pack as the lot's decisions make it: recalled, and judged by the extended expiry when later. */
export function withLotStatus(pack: PackRecord, lot: LotStatusRecord | undefined): PackRecord {
  if (!lot) return pack;
  let next = pack;
  if (lot.recall && !pack.recall) next = { ...next, recall: lot.recall };
  if (lot.expiryExtendedTo && lot.expiryExtendedTo > pack.expiry && (!pack.expiryExtendedTo || lot.expiryExtendedTo > pack.expiryExtendedTo)) {
    next = { ...next, expiryExtendedTo: lot.expiryExtendedTo };
  }
  return next;
}

/** Recalls a lot. Only the GTIN's manufacturer; once per lot; never dated before the lot's last decision. */
export function recallLot(current: LotStatusRecord | undefined, decision: RecallLotDecision, actor: OrgId, manufacturer: OrgId, at: IsoTimestamp): LotStatusRecord {
  if (!decision.recallId || typeof decision.recallId !== 'string') throw new DomainError('COMMAND_INVALID', 'recall: recallId is required', { command: 'recall', reason: 'recallId missing' });
  const base = lotBase(current, decision, actor, manufacturer, at, 'recall');
  if (current?.recall) {
    throw new DomainError('ILLEGAL_TRANSITION', `lot ${decision.lot} of ${base.gtin} is already recalled (${current.recall.recallId})`, { command: 'recall', reason: 'already recalled' });
  }
  return { ...base, recall: { recallId: decision.recallId, since: at } };
}

/** Extends a lot's expiry. Only the manufacturer; each extension later than the one before. */
export function extendLotExpiry(current: LotStatusRecord | undefined, decision: ExtendLotExpiryDecision, actor: OrgId, manufacturer: OrgId, at: IsoTimestamp): LotStatusRecord {
  const until = assertIsoDate(decision.until, 'until');
  const base = lotBase(current, decision, actor, manufacturer, at, 'extendExpiry');
  if (current?.expiryExtendedTo && until <= current.expiryExtendedTo) {
    throw new DomainError('ILLEGAL_TRANSITION', `lot ${decision.lot} is already extended to ${current.expiryExtendedTo}; ${until} is not later`, { command: 'extendExpiry', reason: 'not later' });
  }
  return { ...base, expiryExtendedTo: until };
}

function lotBase(current: LotStatusRecord | undefined, d: { gtin: string; lot: string }, actor: OrgId, manufacturer: OrgId, at: IsoTimestamp, command: string): LotStatusRecord {
  parseTimestamp(at, 'at');
  const gtin = normaliseGtin(d.gtin);
  const lot = assertSerialOrLot(d.lot, '10');
  if (actor !== manufacturer) {
    throw new DomainError('NOT_MANUFACTURER', `${command} of lot ${lot} of ${gtin} needs its manufacturer (${manufacturer}); ${actor} is not`, { command, role: 'manufacturer', actor, expected: manufacturer });
  }
  assertNotBackdated(current, at, `lot ${lot} of ${gtin}`);
  return current
    ? { ...current, updatedAt: at, version: current.version + 1 }
    : { docType: 'lotStatus', gtin, lot, manufacturer, updatedAt: at, version: 1 };
}

/**
 * A change dated before the record's last change is refused: with the endorsers' clock bound this
 * stops a client from backdating a transaction past a licence lapse, an expiry or a recall.
 */
export function assertNotBackdated(record: { readonly updatedAt: IsoTimestamp } | undefined, at: IsoTimestamp, what: string): void {
  if (record && parseTimestamp(at, 'at').epochMs < parseTimestamp(record.updatedAt, 'updatedAt').epochMs) {
    throw new DomainError('BACKDATED', `${what} last changed at ${record.updatedAt}; a change dated ${at} is earlier`, { reason: 'dated before the last change', at, updatedAt: record.updatedAt });
  }
}
