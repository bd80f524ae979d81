import { DomainError } from '../errors';
import { parseTimestamp, type IsoDate, type IsoTimestamp } from '../time';
import type { ProductRecord } from '../lifecycle/ledger-records';
import type { OrgId } from '../lifecycle/records';
import { illegitimateNotificationDue, suspectSampleSize } from '../lifecycle/verification';

/**
 * A suspect-product investigation (DSCSA §582, domain.md §3 and case 18): opened on a lot or on
 * packs, it holds them at every holder; it asks for the product identifiers of at least 3 packages
 * or 10 %, whichever is greater (all when fewer than 3) to be verified; it records findings; it closes
 * as cleared (the stock is released) or illegitimate. An illegitimate determination starts a 24-hour
 * clock for FDA Form 3911 and for the notices to the immediate trading partners; FDA's incident
 * number is recorded once filed; a termination request, quoting it, ends the case. Pure steps from
 * record to record; a step the state or the party does not allow changes nothing
 * (INVESTIGATION_TRANSITION, INVESTIGATION_PARTY, INVESTIGATION_INVALID).
 */
export const INVESTIGATION_STATES = ['open', 'cleared', 'illegitimate', 'terminated'] as const;
export type InvestigationState = (typeof INVESTIGATION_STATES)[number];

export type InvestigationScope =
  | { readonly kind: 'lot'; readonly gtin: string; readonly lot: string }
  | { readonly kind: 'packs'; readonly packs: readonly string[] };

/** FDA Form 3911's classification of an illegitimate product. */
export const ILLEGITIMATE_CLASSIFICATIONS = ['counterfeit', 'diverted', 'stolen', 'intentionally_adulterated', 'unfit_for_distribution', 'fraudulent_transaction'] as const;
export type IllegitimateClassification = (typeof ILLEGITIMATE_CLASSIFICATIONS)[number];

export interface Verification {
  readonly pack: string;
  readonly at: IsoTimestamp;
  readonly by: OrgId;
  /** The product identifier checked against the manufacturer (VRS or the ledger) and the package itself. */
  readonly outcome: 'genuine' | 'not_genuine' | 'inconclusive';
  readonly note?: string;
}

export interface InvestigationStep {
  readonly at: IsoTimestamp;
  readonly by: OrgId;
  readonly action: InvestigationAction['type'] | 'open';
  readonly from: InvestigationState | null;
  readonly to: InvestigationState;
}

export interface InvestigationRecord {
  readonly docType: 'investigation';
  readonly id: string;
  /** The organisation that investigates (and files with FDA). */
  readonly investigator: OrgId;
  readonly scope: InvestigationScope;
  readonly summary: string;
  /** The packs in scope when it was opened (a lot's packs as the ledger knew them). */
  readonly packs: readonly string[];
  /** Who held them (each holder quarantines its own stock and sees the investigation for it). */
  readonly holders: readonly OrgId[];
  /** What each holder had in scope when it was opened (what is held where). */
  readonly holdings?: ReadonlyArray<{ readonly holder: OrgId; readonly packs: readonly string[] }>;
  readonly requiredVerifications: number;
  readonly verifications: readonly Verification[];
  readonly findings: ReadonlyArray<{ readonly at: IsoTimestamp; readonly by: OrgId; readonly text: string }>;
  readonly state: InvestigationState;
  readonly determination?: { readonly outcome: 'cleared' | 'illegitimate'; readonly at: IsoTimestamp; readonly by: OrgId; readonly classification?: IllegitimateClassification };
  /** Illegitimate: when FDA and the immediate trading partners must have been told (24 h). */
  readonly notificationsDueAt?: IsoTimestamp;
  readonly fda?: { readonly incidentNumber: string; readonly filedAt: IsoTimestamp };
  /** Immediate trading partners told of the illegitimate determination, and when. */
  readonly notices: ReadonlyArray<{ readonly to: OrgId; readonly at: IsoTimestamp }>;
  readonly termination?: { readonly at: IsoTimestamp; readonly by: OrgId; readonly incidentNumber: string };
  readonly openedAt: IsoTimestamp;
  readonly updatedAt: IsoTimestamp;
  readonly history: readonly InvestigationStep[];
  readonly version: number;
}

export interface OpenInvestigationInput {
  readonly id: string;
  readonly scope: InvestigationScope;
  readonly summary: string;
  /** The packs in scope and who holds each, as the ledger shows them now. */
  readonly holdings: ReadonlyArray<{ readonly pack: string; readonly holder: OrgId }>;
}

export type InvestigationAction =
  | { readonly type: 'verify'; readonly pack: string; readonly outcome: Verification['outcome']; readonly note?: string }
  | { readonly type: 'finding'; readonly text: string }
  | { readonly type: 'clear' }
  | { readonly type: 'declare_illegitimate'; readonly classification: IllegitimateClassification }
  | { readonly type: 'record_filing'; readonly incidentNumber: string }
  | { readonly type: 'notify'; readonly partners: readonly OrgId[] }
  | { readonly type: 'request_termination' };

export function openInvestigation(input: OpenInvestigationInput, actor: OrgId, at: IsoTimestamp): InvestigationRecord {
  parseTimestamp(at, 'at');
  if (!input.id || typeof input.id !== 'string') throw invalid('an investigation needs an id', 'id');
  const scope = input.scope;
  if (scope?.kind === 'lot' ? !scope.gtin || !scope.lot : scope?.kind !== 'packs' || !scope.packs.length) throw invalid('scope: a lot { gtin, lot } or packs [...]', 'scope');
  if (typeof input.summary !== 'string' || !input.summary || input.summary.length > 2000) throw invalid('an investigation says why (a summary of at most 2000 characters)', 'summary');
  const packs = [...new Set(input.holdings.map((h) => h.pack))].sort();
  if (!packs.length) throw invalid('nothing in scope is on the ledger: no pack to hold', 'scope');
  const holders = [...new Set(input.holdings.map((h) => h.holder))].sort();
  const holdings = holders.map((holder) => ({ holder, packs: [...new Set(input.holdings.filter((h) => h.holder === holder).map((h) => h.pack))].sort() }));
  return {
    docType: 'investigation', id: input.id, investigator: actor, scope, summary: input.summary, packs,
    holders, holdings, requiredVerifications: suspectSampleSize(packs.length),
    verifications: [], findings: [], state: 'open', notices: [], openedAt: at, updatedAt: at,
    history: [{ at, by: actor, action: 'open', from: null, to: 'open' }], version: 1,
  };
}

/** Verifications that count towards the sample: one per pack, the latest conclusive one. */
export function verifiedPacks(record: Pick<InvestigationRecord, 'verifications'>): Map<string, Verification['outcome']> {
  const done = new Map<string, Verification['outcome']>();
  for (const v of record.verifications) if (v.outcome !== 'inconclusive') done.set(v.pack, v.outcome);
  return done;
}

export function actOnInvestigation(record: InvestigationRecord, action: InvestigationAction, actor: OrgId, at: IsoTimestamp): InvestigationRecord {
  parseTimestamp(at, 'at');
  // Holders verify and add findings about their own stock; every determination is the investigator's.
  const holderMay = action.type === 'verify' || action.type === 'finding';
  if (actor !== record.investigator && !(holderMay && record.holders.includes(actor))) {
    throw new DomainError('INVESTIGATION_PARTY', `${action.type} on investigation ${record.id} is for ${holderMay ? 'the investigator or a holder' : 'the investigator'} (${record.investigator}), not ${actor}`, { id: record.id, action: action.type, actor });
  }
  const step = (to: InvestigationState, extra: Partial<InvestigationRecord> = {}): InvestigationRecord => ({
    ...record, ...extra, state: to, updatedAt: at, version: record.version + 1,
    history: [...record.history, { at, by: actor, action: action.type, from: record.state, to }],
  });
  const need = (...states: InvestigationState[]) => {
    if (!states.includes(record.state)) throw illegal(record, action.type);
  };
  switch (action.type) {
    case 'verify': {
      need('open');
      if (!record.packs.includes(action.pack)) throw invalid(`${action.pack} is not in the scope of investigation ${record.id}`, 'pack');
      if (!['genuine', 'not_genuine', 'inconclusive'].includes(action.outcome)) throw invalid('outcome: genuine, not_genuine or inconclusive', 'outcome');
      if (action.note !== undefined && (typeof action.note !== 'string' || action.note.length > 2000)) throw invalid('note: at most 2000 characters', 'note');
      const v: Verification = { pack: action.pack, at, by: actor, outcome: action.outcome, ...(action.note !== undefined ? { note: action.note } : {}) };
      return step('open', { verifications: [...record.verifications, v] });
    }
    case 'finding':
      need('open', 'illegitimate');
      if (typeof action.text !== 'string' || !action.text || action.text.length > 2000) throw invalid('a finding is 1-2000 characters', 'text');
      return step(record.state, { findings: [...record.findings, { at, by: actor, text: action.text }] });
    case 'clear': {
      need('open');
      const done = verifiedPacks(record);
      if (done.size < record.requiredVerifications) {
        throw new DomainError('INVESTIGATION_TRANSITION', `investigation ${record.id}: ${done.size} of ${record.requiredVerifications} required verifications done`, { id: record.id, action: 'clear', reason: 'sample', done: done.size, required: record.requiredVerifications });
      }
      if ([...done.values()].includes('not_genuine')) {
        throw new DomainError('INVESTIGATION_TRANSITION', `investigation ${record.id}: a package was found not genuine; it cannot be cleared`, { id: record.id, action: 'clear', reason: 'not genuine' });
      }
      return step('cleared', { determination: { outcome: 'cleared', at, by: actor } });
    }
    case 'declare_illegitimate':
      need('open');
      if (!(ILLEGITIMATE_CLASSIFICATIONS as readonly string[]).includes(action.classification)) throw invalid(`classification: one of ${ILLEGITIMATE_CLASSIFICATIONS.join(', ')}`, 'classification');
      return step('illegitimate', { determination: { outcome: 'illegitimate', at, by: actor, classification: action.classification }, notificationsDueAt: illegitimateNotificationDue(at) });
    case 'record_filing':
      need('illegitimate');
      if (record.fda) throw new DomainError('INVESTIGATION_TRANSITION', `investigation ${record.id}: FDA incident ${record.fda.incidentNumber} is recorded`, { id: record.id, action: 'record_filing', reason: 'already filed' });
      if (typeof action.incidentNumber !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(action.incidentNumber)) throw invalid('incidentNumber: 1-64 letters, digits or dashes, as FDA gave it', 'incidentNumber');
      return step('illegitimate', { fda: { incidentNumber: action.incidentNumber, filedAt: at } });
    case 'notify': {
      need('illegitimate');
      if (!Array.isArray(action.partners) || !action.partners.length || action.partners.some((p) => typeof p !== 'string' || !p)) throw invalid('notify names the trading partners told', 'partners');
      const told = new Set(record.notices.map((n) => n.to));
      const fresh = [...new Set(action.partners)].filter((p) => !told.has(p) && p !== record.investigator).sort();
      return step('illegitimate', { notices: [...record.notices, ...fresh.map((to) => ({ to, at }))] });
    }
    case 'request_termination':
      need('illegitimate');
      if (!record.fda) throw new DomainError('INVESTIGATION_TRANSITION', `investigation ${record.id}: a termination request quotes FDA's incident number; record the filing first`, { id: record.id, action: 'request_termination', reason: 'not filed' });
      return step('terminated', { termination: { at, by: actor, incidentNumber: record.fda.incidentNumber } });
    default:
      throw invalid(`unknown investigation action ${JSON.stringify((action as { type?: unknown }).type)}`, 'action');
  }
}

/** Whether the 24-hour notices are late at `now`: FDA not filed, or a holder other than the investigator not told. */
export function noticesOverdue(record: InvestigationRecord, now: IsoTimestamp): { fda: boolean; partners: OrgId[] } {
  if (!record.notificationsDueAt || parseTimestamp(now, 'now').epochMs < parseTimestamp(record.notificationsDueAt, 'due').epochMs) return { fda: false, partners: [] };
  const told = new Set(record.notices.map((n) => n.to));
  return { fda: !record.fda, partners: record.holders.filter((h) => h !== record.investigator && !told.has(h)) };
}

/** The fields of FDA Form 3911 (Drug Notification) for an illegitimate-product notification, ready to file. */
export interface Form3911 {
  readonly notificationType: 'illegitimate_product' | 'request_for_termination';
  readonly incidentNumber: string | null;
  readonly dateOfInitialNotification: IsoDate | null;
  readonly dateCompanyDeterminedIllegitimate: IsoDate;
  readonly classification: IllegitimateClassification;
  readonly productName: string;
  readonly ndc: string | null;
  readonly dosageForm: string;
  readonly strength: string;
  readonly packageSize: string;
  readonly lotNumbers: readonly string[];
  readonly expirationDates: readonly IsoDate[];
  readonly serialNumbers: readonly string[];
  readonly quantity: number;
  readonly descriptionOfEvent: string;
  readonly reportingCompany: OrgId;
  readonly tradingPartnersNotified: readonly OrgId[];
}

/**
 * Form 3911 from an illegitimate (or terminated) investigation and the product master data of the
 * packs in scope. Once terminated it is the termination request, quoting the incident number.
 */
export function form3911(record: InvestigationRecord, product: Pick<ProductRecord, 'name' | 'ndc' | 'dosageForm' | 'strength' | 'packSize'>, packs: ReadonlyArray<{ readonly id: string; readonly serial: string; readonly lot: string; readonly expiry: IsoDate }>): Form3911 {
  if (record.determination?.outcome !== 'illegitimate') throw illegal(record, 'form3911');
  const inScope = packs.filter((p) => record.packs.includes(p.id));
  return {
    notificationType: record.state === 'terminated' ? 'request_for_termination' : 'illegitimate_product',
    incidentNumber: record.fda?.incidentNumber ?? null,
    dateOfInitialNotification: record.fda ? record.fda.filedAt.slice(0, 10) : null,
    dateCompanyDeterminedIllegitimate: record.determination.at.slice(0, 10),
    classification: record.determination.classification as IllegitimateClassification,
    productName: product.name, ndc: product.ndc ?? null, dosageForm: product.dosageForm, strength: product.strength, packageSize: product.packSize,
    lotNumbers: [...new Set(inScope.map((p) => p.lot))].sort(), expirationDates: [...new Set(inScope.map((p) => p.expiry))].sort(),
    serialNumbers: inScope.map((p) => p.serial).sort(), quantity: record.packs.length,
    descriptionOfEvent: [record.summary, ...record.findings.map((f) => f.text)].join('\n'),
    reportingCompany: record.investigator, tradingPartnersNotified: record.notices.map((n) => n.to),
  };
}

function illegal(record: InvestigationRecord, action: string): DomainError {
  return new DomainError('INVESTIGATION_TRANSITION', `investigation ${record.id} is ${record.state}: ${action} is not allowed`, { id: record.id, from: record.state, action });
}

function invalid(message: string, reason: string): DomainError {
  return new DomainError('INVESTIGATION_INVALID', message, { reason });
}
