import type { Context } from 'fabric-contract-api';
import type { LedgerKey } from '@pedigree/domain';

/**
 * World-state key layout. LevelDB offers no rich queries, so every lookup the chaincode needs is a
 * composite key: records under their own object type, and `lot` as an index from (gtin, lot) to the
 * packs of a lot, which is what a lot trace iterates.
 */
export const KeyType = {
  /** pack~{gtin14}~{serial}. */
  pack: 'pack',
  container: 'container',
  product: 'product',
  partner: 'partner',
  shipment: 'shipment',
  /** Idempotency receipt: event~{eventId}~{submitter MSP}, so one organisation's IDs never collide with another's. */
  event: 'event',
  /** Index: lot~gtin~lot~sgtin -> sgtin. */
  lot: 'lot',
  /** The manufacturer's decisions for a whole lot (recall, expiry extension): lotStatus~{gtin}~{lot}. */
  lotStatus: 'lotStatus',
  /** Private collection key of a shipment's Transaction Information. */
  ti: 'ti',
  /** Governance: the member list (one key), proposals, GS1 company prefixes. */
  consortium: 'consortium',
  proposal: 'proposal',
  prefix: 'prefix',
  /** Receiving exceptions: exception~{receiver}~{id}, and the index exceptionOfShipment~{receiver}~{shipment}~{id} -> id. */
  exception: 'exception',
  exceptionOfShipment: 'exceptionOfShipment',
  /** Cold chain: readingsAnchor~{source kind}~{source id}~{batch SHA-256}. */
  readingsAnchor: 'readingsAnchor',
  /** Cold chain: the manufacturer's decision on an excursion, excursionDecision~{receiver}~{exceptionId}. */
  excursionDecision: 'excursionDecision',
  /** Suspect-product investigations: investigation~{investigator}~{id}. */
  investigation: 'investigation',
  /** The open investigations holding a lot (or packs of it): investigationHold~{gtin}~{lot}. */
  investigationHold: 'investigationHold',
  /** Tracing requests: tracingRequest~{requester}~{id}; the TI released, private to the requester: tracingRelease~{id}~{respondent}~{shipment}. */
  tracingRequest: 'tracingRequest',
  tracingRelease: 'tracingRelease',
} as const satisfies Record<string, LedgerKey>;
export type KeyType = (typeof KeyType)[keyof typeof KeyType];

export function stateKey(ctx: Context, type: KeyType, ...parts: string[]): string {
  return ctx.stub.createCompositeKey(type, parts);
}
