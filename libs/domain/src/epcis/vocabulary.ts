import { DomainError } from '../errors';

/**
 * CBV 2.0 standard vocabularies. EPCIS 2.0 JSON-LD uses bare terms (`shipping`), EPCIS 1.2 XML and
 * GS1 US guideline files use URNs (`urn:epcglobal:cbv:bizstep:shipping`), and the hash algorithm and
 * RDF tooling use Web URIs (`https://ref.gs1.org/cbv/BizStep-shipping`). We store bare terms and
 * convert at the edges.
 */

export const BIZ_STEPS = [
  'accepting', 'arriving', 'assembling', 'collecting', 'commissioning', 'consigning', 'creating_class_instance',
  'cycle_counting', 'decommissioning', 'departing', 'destroying', 'disassembling', 'dispensing', 'encoding',
  'entering_exiting', 'holding', 'inspecting', 'installing', 'killing', 'loading', 'other', 'packing', 'picking',
  'receiving', 'removing', 'repackaging', 'repairing', 'replacing', 'reserving', 'retail_selling', 'sampling',
  'sensor_reporting', 'shipping', 'staging_outbound', 'stock_taking', 'stocking', 'storing', 'transporting',
  'unloading', 'unpacking', 'void_shipping',
] as const;
export type BizStep = (typeof BIZ_STEPS)[number];

export const DISPOSITIONS = [
  'active', 'available', 'completeness_inferred', 'completeness_verified', 'conformant', 'container_closed',
  'container_open', 'damaged', 'destroyed', 'dispensed', 'disposed', 'encoded', 'expired', 'in_progress',
  'in_transit', 'inactive', 'mismatch_class', 'mismatch_instance', 'mismatch_quantity', 'needs_replacement',
  'no_pedigree_match', 'non_conformant', 'non_sellable_other', 'partially_dispensed', 'recalled', 'reserved',
  'retail_sold', 'returned', 'sellable_accessible', 'sellable_not_accessible', 'stolen', 'unavailable', 'unknown',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const BIZ_TRANSACTION_TYPES = ['bol', 'cert', 'desadv', 'inv', 'pedigree', 'po', 'poc', 'prodorder', 'recadv', 'rma', 'testprd', 'testres', 'upevt'] as const;
export type BizTransactionType = (typeof BIZ_TRANSACTION_TYPES)[number];

export const SOURCE_DESTINATION_TYPES = ['owning_party', 'possessing_party', 'location'] as const;
export type SourceDestinationType = (typeof SOURCE_DESTINATION_TYPES)[number];

export const ERROR_REASONS = ['did_not_occur', 'incorrect_data'] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

export type VocabularyKind = 'bizStep' | 'disposition' | 'bizTransactionType' | 'sourceDestinationType' | 'errorReason';

interface VocabularySpec {
  readonly terms: ReadonlySet<string>;
  readonly urn: string;
  readonly web: string;
}

const SPECS: Readonly<Record<VocabularyKind, VocabularySpec>> = {
  bizStep: { terms: new Set(BIZ_STEPS), urn: 'urn:epcglobal:cbv:bizstep:', web: 'BizStep-' },
  disposition: { terms: new Set(DISPOSITIONS), urn: 'urn:epcglobal:cbv:disp:', web: 'Disp-' },
  bizTransactionType: { terms: new Set(BIZ_TRANSACTION_TYPES), urn: 'urn:epcglobal:cbv:btt:', web: 'BTT-' },
  sourceDestinationType: { terms: new Set(SOURCE_DESTINATION_TYPES), urn: 'urn:epcglobal:cbv:sdt:', web: 'SDT-' },
  errorReason: { terms: new Set(ERROR_REASONS), urn: 'urn:epcglobal:cbv:er:', web: 'ER-' },
};

const WEB_BASE = 'https://ref.gs1.org/cbv/';

/**
 * Any of the three spellings (or the `cbv:` CURIE) -> the bare CBV term. A URI that is not a CBV
 * form is a legitimate user vocabulary and is returned unchanged; a bare word, URN or Web URI that
 * claims to be CBV but names no CBV term is rejected.
 */
export function normaliseVocabulary(kind: VocabularyKind, value: string): string {
  const spec = SPECS[kind];
  const v = value.trim();
  let term: string | undefined;
  if (v.toLowerCase().startsWith(spec.urn)) term = v.slice(spec.urn.length);
  else if (v.startsWith(WEB_BASE + spec.web)) term = v.slice(WEB_BASE.length + spec.web.length);
  else if (v.startsWith('cbv:' + spec.web)) term = v.slice(4 + spec.web.length);
  else if (!v.includes(':')) term = v;
  if (term === undefined) return v;
  if (!spec.terms.has(term)) {
    throw new DomainError('VOCABULARY_UNKNOWN', `${JSON.stringify(value)} is not a CBV ${kind}`, { reason: `unknown ${kind}`, value });
  }
  return term;
}

export function isStandardTerm(kind: VocabularyKind, value: string): boolean {
  return SPECS[kind].terms.has(value);
}

/** Bare CBV term -> GS1 Web URI (used by the event hash); user URIs pass through. */
export function toWebVocabulary(kind: VocabularyKind, value: string): string {
  const term = normaliseVocabulary(kind, value);
  return SPECS[kind].terms.has(term) ? WEB_BASE + SPECS[kind].web + term : term;
}

/** Bare CBV term -> EPCIS 1.2 URN form, for the XML boundary. */
export function toUrnVocabulary(kind: VocabularyKind, value: string): string {
  const term = normaliseVocabulary(kind, value);
  return SPECS[kind].terms.has(term) ? SPECS[kind].urn + term : term;
}
