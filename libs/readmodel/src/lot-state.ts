import type { PackRecord } from '@pedigree/domain';
import type { EntityManager } from 'typeorm';

/**
 * A lot's ledger state as the read model keeps it (table `lots`). A recall and an expiry extension
 * are one lot-level record each on the ledger, with no per-pack write, so a pack's own record does
 * not show them until the pack is next written; every read of a pack applies its lot's state.
 */
export interface LotState {
  readonly gtin: string;
  readonly lot: string;
  readonly recallId: string | null;
  /** ISO 8601 timestamp of the recall transaction. */
  readonly recalledAt: string | null;
  /** ISO date. */
  readonly expiryExtendedTo: string | null;
  /** Block of the lot's last change: which of a pack's own extension and the lot's is newer. */
  readonly blockNumber: string;
}

/**
 * The pack as its lot makes it: recalled when the lot is (a recall is never lifted), and with the
 * lot's expiry extension unless the pack's own record was written after it (chaincode writes of
 * a pack in an extended lot carry the extension themselves). `packBlock` is the block of the pack
 * record's last write.
 */
export function withLotState(pack: PackRecord, lot: LotState | undefined, packBlock: bigint): PackRecord {
  if (!lot) return pack;
  const recall = pack.recall ?? (lot.recallId ? { recallId: lot.recallId, since: lot.recalledAt ?? '' } : undefined);
  const lotIsNewer = BigInt(lot.blockNumber) > packBlock;
  const expiryExtendedTo = lot.expiryExtendedTo && (lotIsNewer || !pack.expiryExtendedTo) ? lot.expiryExtendedTo : pack.expiryExtendedTo;
  return {
    ...pack,
    ...(recall ? { recall } : {}),
    ...(expiryExtendedTo ? { expiryExtendedTo } : {}),
  };
}

export function lotKey(gtin: string, lot: string): string {
  return `${gtin}\u0000${lot}`;
}

/** Lot states of the given (gtin, lot) pairs, keyed by {@link lotKey}; one query. */
export async function lotStates(m: Pick<EntityManager, 'query'>, lots: ReadonlyArray<{ gtin: string; lot: string }>): Promise<Map<string, LotState>> {
  const out = new Map<string, LotState>();
  if (!lots.length) return out;
  const rows: LotState[] = await m.query(
    `SELECT l.gtin, l.lot, l."recallId", ${isoTimestampSql('l."recalledAt"')} AS "recalledAt", to_char(l."expiryExtendedTo", 'YYYY-MM-DD') AS "expiryExtendedTo",
            l."blockNumber"::text AS "blockNumber"
     FROM lots l JOIN jsonb_to_recordset($1::jsonb) AS x(gtin text, lot text) ON l.gtin = x.gtin AND l.lot = x.lot`,
    [JSON.stringify(lots.map((l) => ({ gtin: l.gtin, lot: l.lot })))],
  );
  for (const r of rows) out.set(lotKey(r.gtin, r.lot), r);
  return out;
}

/** Every lot state (reconcile). */
export async function allLotStates(m: Pick<EntityManager, 'query'>): Promise<Map<string, LotState>> {
  const rows: LotState[] = await m.query(
    `SELECT gtin, lot, "recallId", ${isoTimestampSql('"recalledAt"')} AS "recalledAt", to_char("expiryExtendedTo", 'YYYY-MM-DD') AS "expiryExtendedTo",
            "blockNumber"::text AS "blockNumber" FROM lots`);
  return new Map(rows.map((r) => [lotKey(r.gtin, r.lot), r]));
}

/** A timestamptz as the ledger writes times (ISO 8601, milliseconds, UTC), whatever the session's time zone. */
export function isoTimestampSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * For a query over `packs p`: the join and the columns that {@link packRecordOfRow} needs to give
 * each pack its lot's state. `SELECT p.record, ${PACK_LOT_COLUMNS} FROM packs p ${PACK_LOT_JOIN}`.
 */
export const PACK_LOT_JOIN = `LEFT JOIN lots lot_state ON lot_state.gtin = p.gtin AND lot_state.lot = p.lot`;
export const PACK_LOT_COLUMNS = `p."blockNumber"::text AS "packBlock", lot_state."recallId" AS "lotRecallId", ${isoTimestampSql('lot_state."recalledAt"')} AS "lotRecalledAt",
  to_char(lot_state."expiryExtendedTo", 'YYYY-MM-DD') AS "lotExpiryExtendedTo", lot_state."blockNumber"::text AS "lotBlock"`;

export interface PackRowWithLot {
  readonly record: PackRecord;
  readonly packBlock: string;
  readonly lotRecallId: string | null;
  readonly lotRecalledAt: string | null;
  readonly lotExpiryExtendedTo: string | null;
  readonly lotBlock: string | null;
}

/** A pack row read with {@link PACK_LOT_COLUMNS}: its record as its lot makes it (what every read shows). */
export function packRecordOfRow(row: PackRowWithLot): PackRecord {
  const lot: LotState | undefined = row.lotBlock === null || row.lotBlock === undefined ? undefined : {
    gtin: row.record.gtin, lot: row.record.lot, recallId: row.lotRecallId, recalledAt: row.lotRecalledAt, expiryExtendedTo: row.lotExpiryExtendedTo, blockNumber: row.lotBlock,
  };
  return withLotState(row.record, lot, BigInt(row.packBlock));
}
