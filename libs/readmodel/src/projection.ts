import type { ContainerRecord, EpcisEvent, PackRecord } from '@pedigree/domain';
import type { EntityManager } from 'typeorm';
import type { TraceabilityEvent } from './traceability-event';

/**
 * Writes one traceability event into the read model. Pure SQL over the caller's transaction: the
 * projector commits it together with the checkpoint. Each table gets one statement per event
 * (jsonb_to_recordset), so a batch of thousands of packs costs a handful of round trips. Every write
 * is an upsert or an insert that ignores repeats, so even a re-delivered event changes nothing.
 */
export async function projectEvent(m: EntityManager, e: TraceabilityEvent, blockNumber: bigint): Promise<void> {
  const block = blockNumber.toString();
  const packs = e.records.filter((r): r is PackRecord => r.docType === 'pack');
  const containers = e.records.filter((r): r is ContainerRecord => r.docType === 'container');

  if (packs.length) {
    await m.query(
      `INSERT INTO packs (id, gtin, serial, lot, expiry, "expiryExtendedTo", status, manufacturer, owner, custodian, overlays, location, container, version, record, "blockNumber", "transactionId")
       SELECT x.id, x.gtin, x.serial, x.lot, x.expiry::date, x."expiryExtendedTo"::date, x.status, x.manufacturer, x.owner, x.custodian,
              ARRAY(SELECT jsonb_array_elements_text(x.overlays)), x.location, x.container, x.version, x.record, $2::bigint, $3
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, gtin text, serial text, lot text, expiry text, "expiryExtendedTo" text, status text,
            manufacturer text, owner text, custodian text, overlays jsonb, location text, container text, version int, record jsonb)
       ON CONFLICT (id) DO UPDATE SET lot = EXCLUDED.lot, expiry = EXCLUDED.expiry, "expiryExtendedTo" = EXCLUDED."expiryExtendedTo",
            status = EXCLUDED.status, owner = EXCLUDED.owner, custodian = EXCLUDED.custodian, overlays = EXCLUDED.overlays,
            location = EXCLUDED.location, container = EXCLUDED.container, version = EXCLUDED.version, record = EXCLUDED.record,
            "blockNumber" = EXCLUDED."blockNumber", "transactionId" = EXCLUDED."transactionId"`,
      [JSON.stringify(packs.map(packColumns)), block, e.txId],
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
      [JSON.stringify(containers.map(containerColumns)), block, e.txId],
    );
  }
  if (e.product) {
    const p = e.product;
    await m.query(
      `INSERT INTO products (gtin, name, ndc, manufacturer, record, "blockNumber", "transactionId") VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (gtin) DO UPDATE SET name = EXCLUDED.name, ndc = EXCLUDED.ndc, manufacturer = EXCLUDED.manufacturer, record = EXCLUDED.record,
            "blockNumber" = EXCLUDED."blockNumber", "transactionId" = EXCLUDED."transactionId"`,
      [p.gtin, p.name, p.ndc ?? null, p.manufacturer, p, block, e.txId],
    );
  }
  if (e.shipment) {
    const s = e.shipment;
    await m.query(
      `INSERT INTO shipments (id, sender, receiver, purpose, status, epcs, "shippedAt", "tiHash", "tsHash", "transactionStatement", record, "blockNumber", "transactionId")
       VALUES ($1, $2, $3, $4, 'in_transit', $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (id) DO NOTHING`,
      [s.id, s.from, s.to, s.purpose, s.epcs, s.shippedAt, s.ti?.sha256 ?? null, s.statement ? 'affirmed' : null, s.statement ?? null, s, block, e.txId],
    );
  }
  // A receipt or a void names top-level EPCs; the shipment is the one in transit that carried them.
  const topLevel = e.records.map((r) => r.id);
  if (e.type === 'receive' && topLevel.length) {
    await m.query(
      `UPDATE shipments SET status = 'received', "receivedAt" = $1 WHERE status = 'in_transit' AND receiver = $2 AND epcs && $3::text[]`,
      [e.txTime, e.actor, topLevel],
    );
  }
  if (e.type === 'voidShipping' && topLevel.length) {
    await m.query(`UPDATE shipments SET status = 'voided' WHERE status = 'in_transit' AND sender = $1 AND epcs && $2::text[]`, [e.actor, topLevel]);
  }

  const history = [
    ...e.records.map((r) => ({
      subject: r.id,
      gtin: r.docType === 'pack' ? r.gtin : null,
      lot: r.docType === 'pack' ? r.lot : null,
      status: r.status,
      owner: r.owner,
      custodian: r.custodian,
      epcisEvent: epcisEventFor(e.epcis, r.id) ?? null,
    })),
    ...(e.shipment ? [{ subject: e.shipment.id, gtin: null, lot: null, status: 'in_transit', owner: null, custodian: null, epcisEvent: e.epcis[0] ?? null }] : []),
    ...(e.product ? [{ subject: e.product.gtin, gtin: e.product.gtin, lot: null, status: null, owner: null, custodian: null, epcisEvent: null }] : []),
    ...(e.lot ? [{ subject: `lot:${e.lot.gtin}:${e.lot.lot}`, gtin: e.lot.gtin, lot: e.lot.lot, status: null, owner: null, custodian: null, epcisEvent: e.epcis[0] ?? null }] : []),
  ];
  if (history.length) {
    await m.query(
      `INSERT INTO trace_events (subject, step, gtin, lot, actor, status, owner, custodian, "occurredAt", "epcisEvent", "blockNumber", "transactionId")
       SELECT x.subject, $2, x.gtin, x.lot, $3, x.status, x.owner, x.custodian, $4::timestamptz, x."epcisEvent", $5::bigint, $6
       FROM jsonb_to_recordset($1::jsonb) AS x(subject text, gtin text, lot text, status text, owner text, custodian text, "epcisEvent" jsonb)
       ON CONFLICT ("transactionId", subject, step) DO NOTHING`,
      [JSON.stringify(history), e.type, e.actor, e.txTime, block, e.txId],
    );
  }
}

export function packOverlayNames(p: PackRecord): string[] {
  return [p.quarantine ? 'quarantined' : undefined, p.recall ? 'recalled' : undefined, p.returned ? 'returned' : undefined].filter((o): o is string => !!o);
}

function packColumns(p: PackRecord) {
  return {
    id: p.id, gtin: p.gtin, serial: p.serial, lot: p.lot, expiry: p.expiry, expiryExtendedTo: p.expiryExtendedTo ?? null, status: p.status,
    manufacturer: p.manufacturer, owner: p.owner, custodian: p.custodian, overlays: packOverlayNames(p), location: p.site ?? null,
    container: p.parent ?? null, version: p.version, record: p,
  };
}

function containerColumns(c: ContainerRecord) {
  return {
    id: c.id, sscc: c.sscc, children: c.children, parent: c.parent ?? null, sealed: c.sealed, status: c.status, owner: c.owner,
    custodian: c.custodian, location: c.site ?? null, version: c.version, record: c,
  };
}

/** The EPCIS event of the transaction that names this record, or the first one (inferred contents). */
function epcisEventFor(events: readonly EpcisEvent[], id: string): EpcisEvent | undefined {
  const names = (ev: EpcisEvent): string[] => {
    const v = ev as unknown as { epcList?: string[]; childEPCs?: string[]; parentID?: string; inputEPCList?: string[]; outputEPCList?: string[] };
    return [...(v.epcList ?? []), ...(v.childEPCs ?? []), ...(v.parentID ? [v.parentID] : []), ...(v.inputEPCList ?? []), ...(v.outputEPCList ?? [])];
  };
  return events.find((ev) => names(ev).includes(id)) ?? events[0];
}
