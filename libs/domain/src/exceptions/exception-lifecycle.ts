import { DomainError } from '../errors';
import { parseTimestamp, type IsoDate, type IsoTimestamp } from '../time';
import type { OrgId, QuarantineReason } from '../lifecycle/records';
import { isNonMemberParty } from '../lifecycle/inbound';
import { assertClockPolicy, clockOf, startClock, type ClockPolicy, type ExceptionClock } from './exception-clock';
import { isReceivingRule, type Finding, type ReceivingRule, type TiLine } from './receiving-checks';

/**
 * A receiving exception's life between its two parties: the receiver raises it (its packs held),
 * refers it to the seller, the seller answers with corrected data that is re-checked at once, and
 * the receiver resolves (by correction, return or destruction) and closes it. Every step is a pure
 * function from record to record; a step the state or the party does not allow is a DomainError
 * (EXCEPTION_TRANSITION, EXCEPTION_PARTY) and changes nothing.
 */
export const EXCEPTION_STATES = ['open', 'waiting_on_partner', 'resolved_by_correction', 'resolved_by_return', 'resolved_by_destruction', 'closed'] as const;
export type ExceptionState = (typeof EXCEPTION_STATES)[number];
export type ExceptionResolution = 'correction' | 'return' | 'destruction';

/** The seller's corrected data; which part applies depends on the rule. */
export interface Correction {
  /** Corrected aggregation: the children a container really held. */
  readonly contents?: ReadonlyArray<{ readonly container: string; readonly children: readonly string[] }>;
  /** Corrected TI line items. */
  readonly ti?: readonly TiLine[];
  /** Corrected product identifiers (lot, expiry) of packs. */
  readonly packs?: ReadonlyArray<{ readonly id: string; readonly lot: string; readonly expiry: IsoDate }>;
}

/** What the ledger shows now, for rules a data statement cannot fix (the seller must act on the ledger). */
export interface LedgerNow {
  /** EPCs the ledger shows owned by, or in transit to, the receiver. */
  readonly toReceiver: ReadonlySet<string>;
}

export interface ExceptionAnswer {
  readonly at: IsoTimestamp;
  readonly by: OrgId;
  readonly note?: string;
  readonly correction?: Correction;
  /** The re-check of the finding against the correction: clean resolves the exception. */
  readonly recheck: 'clean' | 'still_failing';
  readonly remaining?: string;
}

export interface ExceptionStep {
  readonly at: IsoTimestamp;
  readonly by: OrgId;
  readonly action: ExceptionAction['type'] | 'raise';
  readonly from: ExceptionState | null;
  readonly to: ExceptionState;
}

/** The finding it was raised for (rule, parties, shipment, subjects, evidence), as a ledger record. */
export interface ExceptionRecord extends Pick<Finding, 'rule' | 'shipmentId' | 'seller' | 'receiver' | 'subjects' | 'evidence'> {
  readonly docType: 'exception';
  /** The raise's event ID; unique per receiver. */
  readonly id: string;
  readonly state: ExceptionState;
  /** Packs quarantined for this exception while it is open. */
  readonly held: readonly string[];
  /** SHA-256 of private evidence kept off the ledger (photos, scan logs). */
  readonly evidenceSha256?: string;
  readonly openedAt: IsoTimestamp;
  readonly updatedAt: IsoTimestamp;
  readonly closedAt?: IsoTimestamp;
  readonly resolution?: { readonly kind: ExceptionResolution; readonly at: IsoTimestamp; readonly by: OrgId };
  /** Its business-day clock, fixed when raised (absent on records raised before clocks: the default applies). */
  readonly clock?: ExceptionClock;
  /** The receiver escalated it when its clock ran out (product without data: now suspect product). */
  readonly escalation?: { readonly at: IsoTimestamp; readonly by: OrgId; readonly dueAt: IsoTimestamp; readonly early: boolean };
  readonly answers: readonly ExceptionAnswer[];
  readonly history: readonly ExceptionStep[];
  readonly version: number;
}

export type ExceptionAction =
  | { readonly type: 'refer' }
  | { readonly type: 'answer'; readonly note?: string; readonly correction?: Correction }
  | { readonly type: 'resolve'; readonly resolution: ExceptionResolution }
  | { readonly type: 'close' }
  | { readonly type: 'escalate' };

export interface RaiseInput {
  readonly id: string;
  readonly finding: Finding;
  readonly evidenceSha256?: string;
  /** Refer it to the seller at once (open → waiting_on_partner in the same step). */
  readonly refer?: boolean;
  /** The receiver's clock settings (time zone, grace per rule); the rule's default otherwise. */
  readonly clock?: ClockPolicy;
}

/** Why an exception's packs are held: product that may not be what it claims is suspect; the rest lacks a matching pedigree. */
export function holdReason(rule: ReceivingRule): QuarantineReason {
  if (rule === 'temperature_excursion') return 'damaged';
  return rule === 'seal_broken' || rule === 'product_without_data' || rule === 'aggregation_extra_pack' ? 'suspect' : 'no_pedigree_match';
}

/** The states in which an exception is open: its packs held, its clock running. */
export const OPEN_EXCEPTION_STATES: readonly ExceptionState[] = ['open', 'waiting_on_partner'];

export function isOpenException(state: ExceptionState): boolean {
  return OPEN_EXCEPTION_STATES.includes(state);
}

export function raiseException(input: RaiseInput, actor: OrgId, at: IsoTimestamp): ExceptionRecord {
  parseTimestamp(at, 'at');
  const f = input.finding;
  if (!input.id || typeof input.id !== 'string') throw invalid('an exception needs an id', 'id');
  if (!f || !isReceivingRule(f.rule)) throw invalid(`unknown receiving rule ${JSON.stringify(f?.rule)}`, 'rule');
  if (!isIdList(f.subjects) || f.subjects.length === 0) throw invalid('an exception names at least one subject EPC', 'subjects');
  if (!isIdList(f.hold)) throw invalid('hold must be a list of pack EPCs', 'hold');
  if (!f.evidence || typeof f.evidence.summary !== 'string' || !f.evidence.summary) throw invalid('an exception carries evidence with a summary', 'evidence');
  if (typeof f.seller !== 'string' || !f.seller || typeof f.shipmentId !== 'string' || !f.shipmentId) throw invalid('an exception names the seller and the shipment', 'parties');
  if (input.evidenceSha256 !== undefined && !/^[0-9a-f]{64}$/.test(input.evidenceSha256)) throw invalid('evidenceSha256 must be 64 lower-case hex digits', 'evidenceSha256');
  if (f.receiver !== actor) throw new DomainError('EXCEPTION_PARTY', `only the receiver raises a receiving exception: ${actor} is not ${f.receiver}`, { actor, expected: f.receiver, action: 'raise' });
  if (f.seller === actor) throw invalid('an organisation does not raise an exception against itself', 'parties');
  const clock = startClock(f.rule, at, assertClockPolicy(input.clock ?? {}));
  const opened: ExceptionRecord = {
    docType: 'exception', id: input.id, receiver: actor, seller: f.seller, shipmentId: f.shipmentId, rule: f.rule, state: 'open',
    subjects: [...new Set(f.subjects)].sort(), held: [...new Set(f.hold)].sort(), evidence: f.evidence,
    ...(input.evidenceSha256 ? { evidenceSha256: input.evidenceSha256 } : {}),
    openedAt: at, updatedAt: at, clock, answers: [], history: [{ at, by: actor, action: 'raise', from: null, to: 'open' }], version: 1,
  };
  return input.refer ? { ...actOnException(opened, { type: 'refer' }, actor, at), version: 1 } : opened;
}

/** One step of the lifecycle; `ledgerNow` is what rules needing a ledger change re-check against. */
export function actOnException(record: ExceptionRecord, action: ExceptionAction, actor: OrgId, at: IsoTimestamp, ledgerNow: LedgerNow = { toReceiver: new Set() }): ExceptionRecord {
  parseTimestamp(at, 'at');
  // A seller off the ledger (a non-member, `gln:<GLN>`) has no identity to sign with: its answer
  // reaches the receiver off the ledger (a corrected document, a letter), which records it.
  const party = action.type === 'answer' && !isNonMemberParty(record.seller) ? record.seller : record.receiver;
  if (actor !== party) {
    throw new DomainError('EXCEPTION_PARTY', `${action.type} on exception ${record.id} is for ${party === record.seller ? 'the seller' : 'the receiver'} (${party}), not ${actor}`, { id: record.id, action: action.type, actor, expected: party });
  }
  const step = (to: ExceptionState, extra: Partial<ExceptionRecord> = {}): ExceptionRecord => ({
    ...record, ...extra, state: to, updatedAt: at, version: record.version + 1,
    history: [...record.history, { at, by: actor, action: action.type, from: record.state, to }],
  });
  switch (action.type) {
    case 'refer':
      if (record.state !== 'open') throw illegal(record, action.type);
      return step('waiting_on_partner');
    case 'answer': {
      if (!isOpenException(record.state)) throw illegal(record, action.type);
      if (action.note !== undefined && (typeof action.note !== 'string' || action.note.length > 2000)) throw invalid('note: at most 2000 characters', 'note');
      if (action.correction !== undefined) assertCorrection(action.correction);
      if (action.correction === undefined && action.note === undefined) throw invalid('an answer carries corrected data or a note', 'answer');
      const check = recheck(record, action.correction, ledgerNow);
      const answer: ExceptionAnswer = { at, by: actor, ...(action.note !== undefined ? { note: action.note } : {}), ...(action.correction ? { correction: action.correction } : {}), recheck: check.clean ? 'clean' : 'still_failing', ...(check.remaining ? { remaining: check.remaining } : {}) };
      const answers = [...record.answers, answer];
      return check.clean ? step('resolved_by_correction', { answers, resolution: { kind: 'correction', at, by: actor } }) : step('open', { answers });
    }
    case 'resolve': {
      if (!isOpenException(record.state)) throw illegal(record, action.type);
      if (!['correction', 'return', 'destruction'].includes(action.resolution)) throw invalid(`resolution must be correction, return or destruction`, 'resolution');
      // An excursion is released on the manufacturer's decision (DecideExcursion), not on a seller's correction.
      if (action.resolution === 'correction' && record.answers.length === 0 && record.rule !== 'product_not_in_master_data' && record.rule !== 'temperature_excursion') {
        throw new DomainError('EXCEPTION_TRANSITION', `exception ${record.id}: resolving by correction needs the seller's corrected data first`, { id: record.id, from: record.state, action: 'resolve', reason: 'no correction' });
      }
      return step(`resolved_by_${action.resolution}`, { resolution: { kind: action.resolution, at, by: actor } });
    }
    case 'close':
      if (!record.state.startsWith('resolved_by_')) throw illegal(record, action.type);
      return step('closed', { closedAt: at });
    case 'escalate': {
      // Escalating is the receiver's own judgement about product it holds, so it may come before the
      // clock runs out; the record says whether it did (early) and against which due instant.
      if (!isOpenException(record.state)) throw illegal(record, action.type);
      const clock = clockOf(record);
      if (clock.onExpiry !== 'escalate') throw new DomainError('EXCEPTION_TRANSITION', `exception ${record.id} (${record.rule}) is not escalated when overdue: its clock alerts`, { id: record.id, from: record.state, action: 'escalate', reason: 'rule' });
      if (record.escalation) throw new DomainError('EXCEPTION_TRANSITION', `exception ${record.id} was escalated at ${record.escalation.at}`, { id: record.id, from: record.state, action: 'escalate', reason: 'already escalated' });
      return step(record.state, { escalation: { at, by: actor, dueAt: clock.dueAt, early: parseTimestamp(at).epochMs < parseTimestamp(clock.dueAt).epochMs } });
    }
    default:
      throw invalid(`unknown exception action ${JSON.stringify((action as { type?: unknown }).type)}`, 'action');
  }
}

/**
 * Whether the finding still holds once the correction is taken as the truth. Aggregation, TI and
 * identifier findings are fixed by data; findings about where product is on the ledger (without
 * data, data without product, addressed elsewhere) only by the seller acting on the ledger; a broken
 * seal or a GTIN missing from the receiver's master data by no answer of the seller's.
 */
export function recheck(record: Pick<ExceptionRecord, 'rule' | 'evidence' | 'subjects'>, correction: Correction | undefined, ledgerNow: LedgerNow): { clean: boolean; remaining?: string } {
  const e = record.evidence;
  const fail = (remaining: string) => ({ clean: false, remaining });
  switch (record.rule) {
    case 'aggregation_missing_pack': {
      const fix = correction?.contents?.find((c) => c.container === e.container);
      if (!fix) return fail(`no corrected contents for ${e.container}`);
      const scanned = new Set(e.scanned ?? []);
      const children = new Set(fix.children);
      const unscanned = [...children].filter((c) => !scanned.has(c)).sort();
      const unlisted = [...scanned].filter((c) => !children.has(c)).sort();
      if (unscanned.length || unlisted.length) return fail(`corrected contents still differ from the scan: ${unscanned.length} not scanned, ${unlisted.length} scanned but not listed`);
      return { clean: true };
    }
    case 'aggregation_extra_pack': {
      const listed = new Set((correction?.contents ?? []).flatMap((c) => c.children));
      const left = (e.unexpected ?? []).filter((id) => !listed.has(id) && !ledgerNow.toReceiver.has(id));
      return left.length ? fail(`${left.length} extra pack(s) still belong to no container of the shipment`) : { clean: true };
    }
    case 'quantity_differs_from_ti': {
      const line = correction?.ti?.find((l) => l.gtin === e.gtin && (l.lot ?? undefined) === (e.lot ?? undefined));
      if (!line) return fail(`no corrected TI line for ${e.gtin}${e.lot ? ` lot ${e.lot}` : ''}`);
      return line.quantity === e.shippedQuantity ? { clean: true } : fail(`the corrected TI says ${line.quantity}, the shipment carries ${e.shippedQuantity}`);
    }
    case 'identifier_mismatch': {
      const fixes = new Map((correction?.packs ?? []).map((p) => [p.id, p]));
      const left = (e.identifiers ?? []).filter((i) => {
        const f = fixes.get(i.id);
        return !f || (i.scanned.lot !== undefined && f.lot !== i.scanned.lot) || (i.scanned.expiry !== undefined && f.expiry !== i.scanned.expiry);
      });
      return left.length ? fail(`${left.length} pack(s) still carry identifiers the corrected data does not confirm`) : { clean: true };
    }
    case 'product_without_data': {
      const left = (e.unexpected ?? []).filter((id) => !ledgerNow.toReceiver.has(id));
      return left.length ? fail(`${left.length} identifier(s) still have no shipment to the receiver on the ledger`) : { clean: true };
    }
    case 'addressed_elsewhere': {
      const left = record.subjects.filter((id) => !ledgerNow.toReceiver.has(id));
      return left.length ? fail(`${left.length} EPC(s) are still addressed to another organisation`) : { clean: true };
    }
    case 'data_without_product': {
      const left = (e.missing ?? []).filter((id) => ledgerNow.toReceiver.has(id));
      return left.length ? fail(`${left.length} EPC(s) that never arrived are still shipped to the receiver (void them)`) : { clean: true };
    }
    case 'seal_broken':
      return fail('a broken seal is not corrected by data: resolve by return or destruction, or accept the contents');
    case 'product_not_in_master_data':
      return fail('the receiver adds the GTIN to its master data and resolves by correction');
    case 'temperature_excursion':
      return fail("an excursion is not corrected by data: the product's manufacturer decides (release with stability data, or destroy)");
  }
}

/** Age of an exception at `now`, in whole seconds (an open one ages; a closed one stopped at closing). */
export function exceptionAgeSeconds(record: Pick<ExceptionRecord, 'openedAt' | 'closedAt'>, now: IsoTimestamp): number {
  const end = record.closedAt ?? now;
  return Math.max(0, Math.floor((Date.parse(end) - Date.parse(record.openedAt)) / 1000));
}

function assertCorrection(c: Correction): void {
  if (!c || typeof c !== 'object' || Array.isArray(c)) throw invalid('correction must be an object', 'correction');
  if (c.contents !== undefined && (!Array.isArray(c.contents) || c.contents.some((x) => typeof x?.container !== 'string' || !isIdList(x.children)))) throw invalid('correction.contents: [{container, children[]}]', 'correction.contents');
  if (c.ti !== undefined && (!Array.isArray(c.ti) || c.ti.some((l) => typeof l?.gtin !== 'string' || !Number.isInteger(l.quantity) || l.quantity < 0 || (l.lot !== undefined && typeof l.lot !== 'string')))) throw invalid('correction.ti: [{gtin, lot?, quantity >= 0}]', 'correction.ti');
  if (c.packs !== undefined && (!Array.isArray(c.packs) || c.packs.some((p) => typeof p?.id !== 'string' || typeof p.lot !== 'string' || typeof p.expiry !== 'string'))) throw invalid('correction.packs: [{id, lot, expiry}]', 'correction.packs');
}

function isIdList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0);
}

function illegal(record: ExceptionRecord, action: string): DomainError {
  return new DomainError('EXCEPTION_TRANSITION', `exception ${record.id} is ${record.state}: ${action} is not allowed`, { id: record.id, from: record.state, action });
}

function invalid(message: string, reason: string): DomainError {
  return new DomainError('EXCEPTION_INVALID', message, { reason });
}
