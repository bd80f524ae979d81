import type { Context } from 'fabric-contract-api';

/**
 * World-state key layout. LevelDB offers no rich queries, so every lookup the chaincode needs is a
 * composite key: records under their own object type, and `lot` as an index from (gtin, lot) to the
 * packs of a lot, which is what a recall and a lot trace iterate.
 */
export const KeyType = {
  pack: 'pack',
  container: 'container',
  product: 'product',
  partner: 'partner',
  shipment: 'shipment',
  /** Idempotency receipt per client event ID. */
  event: 'event',
  /** Index: lot~gtin~lot~sgtin -> sgtin. */
  lot: 'lot',
  /** Lot-level recall notice (gtin, lot). */
  recall: 'recall',
  /** Private collection key of a shipment's Transaction Information. */
  ti: 'ti',
} as const;
export type KeyType = (typeof KeyType)[keyof typeof KeyType];

export function stateKey(ctx: Context, type: KeyType, ...parts: string[]): string {
  return ctx.stub.createCompositeKey(type, parts);
}
