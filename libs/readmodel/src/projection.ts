import { clockOf, isSellableAtRest, packHolds, recordConcerns, type ContainerRecord, type EpcisEvent, type OrgId, type PackRecord } from '@pedigree/domain';
import type { EntityManager } from 'typeorm';
import { exceptionsVisibleTo } from './exception-viewers';
import { projectInvestigations } from './investigation-projection';
import { projectTracingRequests } from './tracing-projection';
import { LotState, lotKey, lotStates, withLotState } from './lot-state';
import type { TraceabilityEvent } from './traceability-event';

/**
 * What the block says about the transaction that set the event: the read model records these, never
 * the payload's own claims (`txId`, `actor`, `txTime`), which are whatever the chaincode wrote.
 */
export interface TransactionOrigin {
  readonly blockNumber: bigint;
  readonly transactionId: string;
  /** MSP ID of the transaction's signer. */
  readonly creatorMspId: string;
  /** The transaction's timestamp (channel header); the payload's txTime when the block has none. */
  readonly timestamp?: string;
}

/**
 * Writes one traceability event into the read model. Pure SQL over the caller's transaction: the
 * projector commits it together with the checkpoint. Each table gets one statement per event
 * (jsonb_to_recordset), so a batch of thousands of packs costs a handful of round trips. Row writes
 * are upserts or inserts that ignore repeats; the projection log (`projected_transactions`, written
 * by the projector) is what would show a transaction applied twice.
 *
 * With a `viewer` (the organisation whose read model this is), the current state it keeps is what
 * concerns it (recordConcerns: what it owns, holds, held or ships and receives; a container it once
 * had), shipments to or from it, and what is public (products, lot recalls): a pharmacy's read
 * model does not list its competitors' stock. The history (trace_events, epcis_events) is the
 * channel's shared record and is kept whole, so a pack that reaches the viewer later has its
 * pedigree from commissioning; the API answers history only for subjects the viewer has a row of.
 */
/**
 * `epcisOffset`: where this event's EPCIS events start among its transaction's — a Capture
 * transaction projects several events, whose EPCIS events share one transaction ID in epcis_events.
 */
export async function projectEvent(m: EntityManager, e: TraceabilityEvent, origin: TransactionOrigin, viewer?: OrgId, epcisOffset = 0): Promise<void> {
  const block = origin.blockNumber.toString();
  const txId = origin.transactionId;
  const actor = origin.creatorMspId;
  const txTime = origin.timestamp ?? e.txTime;
  const records = viewer === undefined ? e.records : await concerning(m, e.records, viewer);
  const packs = records.filter((r): r is PackRecord => r.docType === 'pack');
  const containers = records.filter((r): r is ContainerRecord => r.docType === 'container');
  const shipment = e.shipment && (viewer === undefined || e.shipment.from === viewer || e.shipment.to === viewer) ? e.shipment : undefined;

  // The lot first: packs of this very event are then written with their lot's state.
  if (e.lot && (e.type === 'recall' || e.type === 'extendExpiry')) await projectLot(m, e.type, e.lot, txTime, block, txId);

  if (packs.length) {
    const lots = await lotStates(m, uniqueLots(packs));
    await m.query(
      `INSERT INTO packs (id, gtin, serial, lot, expiry, "expiryExtendedTo", status, manufacturer, owner, custodian, overlays, "sellableAtRest", location, container, version, record, "blockNumber", "transactionId")
       SELECT x.id, x.gtin, x.serial, x.lot, x.expiry::date, x."expiryExtendedTo"::date, x.status, x.manufacturer, x.owner, x.custodian,
              ARRAY(SELECT jsonb_array_elements_text(x.overlays)), x."sellableAtRest", x.location, x.container, x.version, x.record, $2::bigint, $3
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, gtin text, serial text, lot text, expiry text, "expiryExtendedTo" text, status text,
            manufacturer text, owner text, custodian text, overlays jsonb, "sellableAtRest" boolean, location text, container text, version int, record jsonb)
       ON CONFLICT (id) DO UPDATE SET lot = EXCLUDED.lot, expiry = EXCLUDED.expiry, "expiryExtendedTo" = EXCLUDED."expiryExtendedTo",
            status = EXCLUDED.status, owner = EXCLUDED.owner, custodian = EXCLUDED.custodian, overlays = EXCLUDED.overlays, "sellableAtRest" = EXCLUDED."sellableAtRest",
            location = EXCLUDED.location, container = EXCLUDED.container, version = EXCLUDED.version, record = EXCLUDED.record,
            "blockNumber" = EXCLUDED."blockNumber", "transactionId" = EXCLUDED."transactionId"`,
      [JSON.stringify(packs.map((p) => packColumns(p, lots.get(lotKey(p.gtin, p.lot)), origin.blockNumber))), block, txId],
    );
  }
  if (containers.length) {
    await m.query(
      `INSERT INTO containers (id, sscc, children, parent, sealed, status, owner, custodian, location, version, record, "blockNumber", "transactionId")
       SELECT x.id, x.sscc, ARRAY(SELECT jsonb_array_elements_text(x.children)), x.parent, x.sealed, x.status, x.owner, x.custodian, x.location,
              x.version, x.record, $2::bigint, $3
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, sscc text, children jsonb, parent text, sealed boolean, status text, owner text,
            custodian text, location text, version int, record jsonb)
       ON CONFLICT (id) DO UPDATE SET children = EXCLUDED.children, parent = EXCLUDED.parent, sealed = EXCLUDED.sealed, status = EXCLUDED.status,
            owner = EXCLUDED.owner, custodian = EXCLUDED.custodian, location = EXCLUDED.location, version = EXCLUDED.version,
            record = EXCLUDED.record, "blockNumber" = EXCLUDED."blockNumber", "transactionId" = EXCLUDED."transactionId"`,
      [JSON.stringify(containers.map(containerColumns)), block, txId],
    );
  }
  if (e.product) {
    const p = e.product;
    await m.query(
      `INSERT INTO products (gtin, name, ndc, manufacturer, record, "blockNumber", "transactionId") VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (gtin) DO UPDATE SET name = EXCLUDED.name, ndc = EXCLUDED.ndc, manufacturer = EXCLUDED.manufacturer, record = EXCLUDED.record,
            "blockNumber" = EXCLUDED."blockNumber", "transactionId" = EXCLUDED."transactionId"`,
      [p.gtin, p.name, p.ndc ?? null, p.manufacturer, p, block, txId],
    );
  }
  if (shipment) {
    const s = shipment;
    await m.query(
      `INSERT INTO shipments (id, sender, receiver, purpose, status, epcs, "shippedAt", "tiHash", "tsHash", "transactionStatement", record, "blockNumber", "transactionId")
       VALUES ($1, $2, $3, $4, 'in_transit', $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (id) DO NOTHING`,
      [s.id, s.from, s.to, s.purpose, s.epcs, s.shippedAt, s.ti?.sha256 ?? null, s.statement ? 'affirmed' : null, s.statement ?? null, s, block, txId],
    );
  }
  // Receiving exceptions: the receiver's and the seller's read models keep them, and an excursion's
  // manufacturer's (exceptionsVisibleTo); a later version wins.
  const exceptions = await exceptionsVisibleTo(m, e.exceptions ?? [], viewer);
  if (exceptions.length) {
    await m.query(
      `INSERT INTO receiving_exceptions (receiver, id, seller, "shipmentId", rule, state, subjects, held, "openedAt", "updatedAt", "closedAt", "dueAt", "escalatedAt", version, record, "blockNumber", "transactionId")
       SELECT x.receiver, x.id, x.seller, x."shipmentId", x.rule, x.state, ARRAY(SELECT jsonb_array_elements_text(x.subjects)), ARRAY(SELECT jsonb_array_elements_text(x.held)),
              x."openedAt"::timestamptz, x."updatedAt"::timestamptz, x."closedAt"::timestamptz, x."dueAt"::timestamptz, x."escalatedAt"::timestamptz, x.version, x.record, $2::bigint, $3
       FROM jsonb_to_recordset($1::jsonb) AS x(receiver text, id text, seller text, "shipmentId" text, rule text, state text, subjects jsonb, held jsonb,
            "openedAt" text, "updatedAt" text, "closedAt" text, "dueAt" text, "escalatedAt" text, version int, record jsonb)
       ON CONFLICT (receiver, id) DO UPDATE SET state = EXCLUDED.state, held = EXCLUDED.held, "updatedAt" = EXCLUDED."updatedAt", "closedAt" = EXCLUDED."closedAt", "escalatedAt" = EXCLUDED."escalatedAt",
            version = EXCLUDED.version, record = EXCLUDED.record, "blockNumber" = EXCLUDED."blockNumber", "transactionId" = EXCLUDED."transactionId"
       WHERE receiving_exceptions.version < EXCLUDED.version`,
      [JSON.stringify(exceptions.map((x) => ({
        receiver: x.receiver, id: x.id, seller: x.seller, shipmentId: x.shipmentId, rule: x.rule, state: x.state, subjects: x.subjects, held: x.held,
        openedAt: x.openedAt, updatedAt: x.updatedAt, closedAt: x.closedAt ?? null, dueAt: clockOf(x).dueAt, escalatedAt: x.escalation?.at ?? null, version: x.version, record: x,
      }))), block, txId],
    );
  }

  await projectInvestigations(m, e, viewer, block, txId);
  await projectTracingRequests(m, e, viewer, block, txId);

  // A receipt or a void names top-level EPCs; the shipment is the one in transit that carried them.
  const topLevel = records.map((r) => r.id);
  if (e.type === 'receive' && topLevel.length) {
    await m.query(
      `UPDATE shipments SET status = 'received', "receivedAt" = $1 WHERE status = 'in_transit' AND receiver = $2 AND epcs && $3::text[]`,
      [txTime, actor, topLevel],
    );
  }
  if (e.type === 'voidShipping' && topLevel.length) {
    await m.query(`UPDATE shipments SET status = 'voided' WHERE status = 'in_transit' AND sender = $1 AND epcs && $2::text[]`, [actor, topLevel]);
  }

  // Each EPCIS event once per transaction; trace rows point at theirs by index (see the migration
  // EpcisEventsOnce: a copy per row grew with the square of the batch).
  if (e.epcis.length) {
    await m.query(
      `INSERT INTO epcis_events ("transactionId", idx, event, "recordedAt", "eventTime")
       SELECT $2, x.idx, x.event, $3::timestamptz, (x.event->>'eventTime')::timestamptz FROM jsonb_to_recordset($1::jsonb) AS x(idx smallint, event jsonb)
       ON CONFLICT ("transactionId", idx) DO NOTHING`,
      [JSON.stringify(e.epcis.map((event, idx) => ({ idx: epcisOffset + idx, event }))), txId, txTime],
    );
  }
  const localEventOf = epcisIndexOf(e.epcis);
  const eventOf = (id: string): number | null => {
    const i = localEventOf(id);
    return i === null ? null : epcisOffset + i;
  };
  const first = e.epcis.length ? epcisOffset : null;
  const history = [
    ...e.records.map((r) => ({
      subject: r.id,
      gtin: r.docType === 'pack' ? r.gtin : null,
      lot: r.docType === 'pack' ? r.lot : null,
      status: r.status,
      owner: r.owner,
      custodian: r.custodian,
      epcisIndex: eventOf(r.id),
    })),
    ...(e.shipment ? [{ subject: e.shipment.id, gtin: null, lot: null, status: 'in_transit', owner: null, custodian: null, epcisIndex: first }] : []),
    ...(e.product ? [{ subject: e.product.gtin, gtin: e.product.gtin, lot: null, status: null, owner: null, custodian: null, epcisIndex: null }] : []),
    ...exceptions.map((x) => ({ subject: `exception:${x.receiver}:${x.id}`, gtin: null, lot: null, status: x.state, owner: null, custodian: null, epcisIndex: null })),
    ...(e.lot ? [{ subject: `lot:${e.lot.gtin}:${e.lot.lot}`, gtin: e.lot.gtin, lot: e.lot.lot, status: null, owner: null, custodian: null, epcisIndex: first }] : []),
  ];
  if (history.length) {
    await m.query(
      `INSERT INTO trace_events (subject, step, gtin, lot, actor, status, owner, custodian, "occurredAt", "epcisIndex", "blockNumber", "transactionId", "submittedBy", signer)
       SELECT x.subject, $2, x.gtin, x.lot, $3, x.status, x.owner, x.custodian, $4::timestamptz, x."epcisIndex", $5::bigint, $6, $7, $8
       FROM jsonb_to_recordset($1::jsonb) AS x(subject text, gtin text, lot text, status text, owner text, custodian text, "epcisIndex" smallint)
       ON CONFLICT ("transactionId", subject, step) DO NOTHING`,
      [JSON.stringify(history), e.type, actor, txTime, block, txId, e.submittedBy ?? null, e.signer ?? null],
    );
  }
}

/** The records that concern the viewer, and those it already has a row of (a container it once held). */
async function concerning(m: EntityManager, records: TraceabilityEvent['records'], viewer: OrgId): Promise<TraceabilityEvent['records']> {
  const kept = records.filter((r) => recordConcerns(r, viewer));
  const others = records.filter((r) => !recordConcerns(r, viewer)).map((r) => r.id);
  if (!others.length) return kept;
  const rows: Array<{ id: string }> = await m.query(
    `SELECT id FROM packs WHERE id = ANY($1::text[]) UNION ALL SELECT id FROM containers WHERE id = ANY($1::text[])`, [others]);
  if (!rows.length) return kept;
  const known = new Set(rows.map((r) => r.id));
  return records.filter((r) => recordConcerns(r, viewer) || known.has(r.id));
}

/**
 * A lot-level recall or expiry extension: kept once in `lots`, and applied at once to every pack of
 * the lot already projected (one UPDATE, whatever the lot's size). A recall is never lifted, so
 * a later event of the lot keeps the earlier recall.
 */
async function projectLot(m: EntityManager, type: 'recall' | 'extendExpiry', lot: NonNullable<TraceabilityEvent['lot']>, txTime: string, block: string, txId: string): Promise<void> {
  if (type === 'recall') {
    if (!lot.recallId) throw new LotEventInvalid(txId, 'a lot recall without recallId');
    await m.query(
      `INSERT INTO lots (gtin, lot, "recallId", "recalledAt", "blockNumber", "transactionId") VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (gtin, lot) DO UPDATE SET "recallId" = coalesce(lots."recallId", EXCLUDED."recallId"), "recalledAt" = coalesce(lots."recalledAt", EXCLUDED."recalledAt"),
         "blockNumber" = EXCLUDED."blockNumber", "transactionId" = EXCLUDED."transactionId"`,
      [lot.gtin, lot.lot, lot.recallId, txTime, block, txId]);
    await m.query(
      // A recall is a hold (the domain's packHolds): no pack of the lot is sellable any more.
      `UPDATE packs SET overlays = array_append(overlays, 'recalled'), "sellableAtRest" = false WHERE gtin = $1 AND lot = $2 AND NOT ('recalled' = ANY(overlays))`,
      [lot.gtin, lot.lot]);
  } else {
    if (!lot.until) throw new LotEventInvalid(txId, 'a lot expiry extension without until');
    await m.query(
      `INSERT INTO lots (gtin, lot, "expiryExtendedTo", "blockNumber", "transactionId") VALUES ($1, $2, $3::date, $4, $5)
       ON CONFLICT (gtin, lot) DO UPDATE SET "expiryExtendedTo" = EXCLUDED."expiryExtendedTo", "blockNumber" = EXCLUDED."blockNumber",
         "transactionId" = EXCLUDED."transactionId"`,
      [lot.gtin, lot.lot, lot.until, block, txId]);
    await m.query(`UPDATE packs SET "expiryExtendedTo" = $3::date WHERE gtin = $1 AND lot = $2`, [lot.gtin, lot.lot, lot.until]);
  }
}

/** A lot event the projector cannot apply: it stalls on it (and says so) rather than guess. */
export class LotEventInvalid extends Error {
  constructor(readonly transactionId: string, reason: string) {
    super(`transaction ${transactionId}: ${reason}`);
    this.name = 'LotEventInvalid';
  }
}

function uniqueLots(packs: readonly PackRecord[]): Array<{ gtin: string; lot: string }> {
  const seen = new Map<string, { gtin: string; lot: string }>();
  for (const p of packs) seen.set(lotKey(p.gtin, p.lot), { gtin: p.gtin, lot: p.lot });
  return [...seen.values()];
}

/**
 * The columns of a pack row: the pack as its lot makes it (`record` stays the ledger's record as
 * written). Reconcile derives the expected columns from the ledger's record with this same function.
 */
export function packColumns(record: PackRecord, lot: LotState | undefined, packBlock: bigint) {
  const p = withLotState(record, lot, packBlock);
  return {
    id: p.id, gtin: p.gtin, serial: p.serial, lot: p.lot, expiry: p.expiry, expiryExtendedTo: p.expiryExtendedTo ?? null, status: p.status,
    manufacturer: p.manufacturer, owner: p.owner, custodian: p.custodian, overlays: packHolds(p), sellableAtRest: isSellableAtRest(p), location: p.site ?? null,
    container: p.parent ?? null, version: p.version, record,
  };
}

export function containerColumns(c: ContainerRecord) {
  return {
    id: c.id, sscc: c.sscc, children: c.children, parent: c.parent ?? null, sealed: c.sealed, status: c.status, owner: c.owner,
    custodian: c.custodian, location: c.site ?? null, version: c.version, record: c,
  };
}

/**
 * Which of the transaction's EPCIS events names a record (else the first: inferred contents), as a
 * lookup built once per event — a per-record scan of every event's EPC list was quadratic.
 */
function epcisIndexOf(events: readonly EpcisEvent[]): (id: string) => number | null {
  const index = new Map<string, number>();
  events.forEach((ev, i) => {
    const v = ev as unknown as { epcList?: string[]; childEPCs?: string[]; parentID?: string; inputEPCList?: string[]; outputEPCList?: string[] };
    for (const id of [...(v.epcList ?? []), ...(v.childEPCs ?? []), ...(v.parentID ? [v.parentID] : []), ...(v.inputEPCList ?? []), ...(v.outputEPCList ?? [])]) {
      if (!index.has(id)) index.set(id, i);
    }
  });
  return (id) => index.get(id) ?? (events.length ? 0 : null);
}
