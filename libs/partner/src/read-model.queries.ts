import type { DataSource } from 'typeorm';
import { DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL, formatStorageRange, isSellable, packOverlays, TERMINAL_STATUSES, type PackRecord, type ContainerRecord, type ProductRecord, type StorageConditions } from '@pedigree/domain';
import { ServiceError } from '@pedigree/platform';
import { LotState, lotKey, lotStates, PACK_LOT_COLUMNS, PACK_LOT_JOIN, packRecordOfRow, VISIBLE_HISTORY_SUBJECT, type PackRowWithLot } from '@pedigree/readmodel';
import type { Container, InventoryLine, Pack, Page, PackFilter, Product, Shipment, TraceEntry } from './graphql-types';
import type { StorageConditionsView } from './cold-chain-types';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 200;

/** Opaque Relay cursor: the sort key of the last row, base64url. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}
export function decodeCursor(cursor: string | null | undefined): string | null {
  if (!cursor) return null;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!key) throw new ServiceError('BAD_INPUT', 'CURSOR_INVALID', 'the cursor is not one this API issued');
  return key;
}

export function pageSize(first: number | null | undefined): number {
  const n = first ?? DEFAULT_PAGE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw new ServiceError('BAD_INPUT', 'PAGE_SIZE_INVALID', `first must be 1-${MAX_PAGE}`);
  return n;
}

/** Fetches one more row than asked to know whether a next page exists. */
export function toPage<R, T>(rows: R[], size: number, key: (r: R) => string, node: (r: R) => T): Page<T> {
  const slice = rows.slice(0, size);
  const edges = slice.map((r) => ({ cursor: encodeCursor(key(r)), node: node(r) }));
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.length ? edges[edges.length - 1].cursor : null } };
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function packView(record: PackRecord, productName: string | null = null, at = nowIso()): Pack {
  const overlays = packOverlays(record, at);
  return {
    epc: record.id, gtin: record.gtin, serial: record.serial, lot: record.lot, expiry: record.expiry, expiryExtendedTo: record.expiryExtendedTo ?? null,
    status: record.status, overlays, sellable: isSellable(record, at), manufacturer: record.manufacturer, owner: record.owner, custodian: record.custodian,
    owners: [...record.owners], location: record.site ?? null, container: record.parent ?? null, productName, version: record.version,
  };
}

export function containerView(c: ContainerRecord): Container {
  return { epc: c.id, sscc: c.sscc, children: [...c.children], parent: c.parent ?? null, sealed: c.sealed, status: c.status, owner: c.owner, custodian: c.custodian, location: c.site ?? null };
}

interface ShipmentRowShape {
  id: string; sender: string; receiver: string; purpose: string; status: string; epcs: string[]; shippedAt: Date; receivedAt: Date | null; tiHash: string | null; tsHash: string | null;
}

function shipmentView(r: ShipmentRowShape): Shipment {
  return {
    id: r.id, sender: r.sender, receiver: r.receiver, purpose: r.purpose, status: r.status, epcs: r.epcs, shippedAt: new Date(r.shippedAt).toISOString(),
    receivedAt: r.receivedAt ? new Date(r.receivedAt).toISOString() : null, transactionInformationHash: r.tiHash, statementAffirmed: r.tsHash === 'affirmed',
  };
}

/** Read-model queries: every list is keyset-paginated on its primary key (stable under inserts). */
export class ReadModelQueries {
  constructor(private readonly dataSource: DataSource) {}

  async products(first?: number | null, after?: string | null): Promise<Page<Product>> {
    const size = pageSize(first);
    const rows: Array<{ gtin: string; record: ProductRecord }> = await this.dataSource.query(
      `SELECT gtin, record FROM products WHERE ($1::text IS NULL OR gtin > $1) ORDER BY gtin LIMIT $2`, [decodeCursor(after), size + 1]);
    return toPage(rows, size, (r) => r.gtin, (r) => productView(r.record));
  }

  async product(gtin: string): Promise<Product | null> {
    const [row] = await this.dataSource.query(`SELECT record FROM products WHERE gtin = $1`, [gtin]);
    return row ? productView(row.record) : null;
  }

  async packs(filter: PackFilter = {}, first?: number | null, after?: string | null): Promise<Page<Pack>> {
    const size = pageSize(first);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => { params.push(v); where.push(sql.replace('?', `$${params.length}`)); };
    if (filter.gtin) add('p.gtin = ?', filter.gtin);
    if (filter.lot) add('p.lot = ?', filter.lot);
    if (filter.status) add('p.status = ?', filter.status);
    if (filter.location) add('p.location = ?', filter.location);
    if (filter.custodian) add('p.custodian = ?', filter.custodian);
    if (filter.overlay) add('? = ANY(p.overlays)', filter.overlay);
    const cursor = decodeCursor(after);
    if (cursor) add('p.id > ?', cursor);
    params.push(size + 1);
    const rows: Array<PackRowWithLot & { id: string; name: string | null }> = await this.dataSource.query(
      `SELECT p.id, p.record, pr.name, ${PACK_LOT_COLUMNS} FROM packs p LEFT JOIN products pr ON pr.gtin = p.gtin ${PACK_LOT_JOIN}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.id LIMIT $${params.length}`, params);
    const at = nowIso();
    return toPage(rows, size, (r) => r.id, (r) => packView(packRecordOfRow(r), r.name, at));
  }

  async pack(epc: string): Promise<Pack | null> {
    const [row] = await this.dataSource.query(`SELECT p.record, pr.name, ${PACK_LOT_COLUMNS} FROM packs p LEFT JOIN products pr ON pr.gtin = p.gtin ${PACK_LOT_JOIN} WHERE p.id = $1`, [epc]);
    return row ? packView(packRecordOfRow(row), row.name) : null;
  }

  /** The pack as its lot makes it: a lot-level recall or expiry extension shows on every pack of the lot. */
  async packRecordByIdentifier(gtin: string, serial: string): Promise<{ record: PackRecord; productName: string | null } | null> {
    const [row] = await this.dataSource.query(
      `SELECT p.record, pr.name, ${PACK_LOT_COLUMNS} FROM packs p LEFT JOIN products pr ON pr.gtin = p.gtin ${PACK_LOT_JOIN} WHERE p.gtin = $1 AND p.serial = $2`, [gtin, serial]);
    return row ? { record: packRecordOfRow(row), productName: row.name } : null;
  }

  /** A lot's recall and expiry extension as projected, if it has either. */
  async lotState(gtin: string, lot: string): Promise<LotState | undefined> {
    return (await lotStates(this.dataSource, [{ gtin, lot }])).get(lotKey(gtin, lot));
  }

  async containers(owner: string | null, first?: number | null, after?: string | null): Promise<Page<Container>> {
    const size = pageSize(first);
    const rows: Array<{ id: string; record: ContainerRecord }> = await this.dataSource.query(
      `SELECT id, record FROM containers WHERE ($1::text IS NULL OR owner = $1) AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`,
      [owner, decodeCursor(after), size + 1]);
    return toPage(rows, size, (r) => r.id, (r) => containerView(r.record));
  }

  async container(epc: string): Promise<Container | null> {
    const [row] = await this.dataSource.query(`SELECT record FROM containers WHERE id = $1`, [epc]);
    return row ? containerView(row.record) : null;
  }

  /** Every pack inside a container at any depth (recursive over the read model's aggregation). */
  async containerContents(epc: string, first?: number | null, after?: string | null): Promise<Page<Pack>> {
    const size = pageSize(first);
    const rows: Array<PackRowWithLot & { id: string; name: string | null }> = await this.dataSource.query(
      `WITH RECURSIVE tree(id) AS (SELECT $1::text UNION SELECT c.id FROM containers c JOIN tree t ON c.parent = t.id)
       SELECT p.id, p.record, pr.name, ${PACK_LOT_COLUMNS} FROM packs p LEFT JOIN products pr ON pr.gtin = p.gtin ${PACK_LOT_JOIN}
       WHERE p.container IN (SELECT id FROM tree) AND ($2::text IS NULL OR p.id > $2) ORDER BY p.id LIMIT $3`,
      [epc, decodeCursor(after), size + 1]);
    const at = nowIso();
    return toPage(rows, size, (r) => r.id, (r) => packView(packRecordOfRow(r), r.name, at));
  }

  async shipments(org: string, direction: 'INBOUND' | 'OUTBOUND', first?: number | null, after?: string | null): Promise<Page<Shipment>> {
    const size = pageSize(first);
    const column = direction === 'INBOUND' ? 'receiver' : 'sender';
    const rows: ShipmentRowShape[] = await this.dataSource.query(
      `SELECT * FROM shipments WHERE ${column} = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`, [org, decodeCursor(after), size + 1]);
    return toPage(rows, size, (r) => r.id, shipmentView);
  }

  async shipment(id: string): Promise<(Shipment & { raw: ShipmentRowShape & { transactionInformation: unknown; transactionStatement: unknown } }) | null> {
    const [row] = await this.dataSource.query(`SELECT * FROM shipments WHERE id = $1`, [id]);
    return row ? { ...shipmentView(row), raw: row } : null;
  }

  async cacheTransactionInformation(id: string, ti: unknown): Promise<void> {
    await this.dataSource.query(`UPDATE shipments SET "transactionInformation" = $2 WHERE id = $1`, [id, ti]);
  }

  /**
   * Sellable stock this organisation holds, by product and lot: at rest (commissioned, packed,
   * received), no hold (quarantined, recalled, returned) and not past its (possibly extended) expiry.
   */
  async inventory(org: string, gtin: string | null, first?: number | null, after?: string | null): Promise<Page<InventoryLine>> {
    const size = pageSize(first);
    const rows: Array<{ gtin: string; lot: string; expiry: string; name: string | null; quantity: string }> = await this.dataSource.query(
      `SELECT p.gtin, p.lot, to_char(min(coalesce(p."expiryExtendedTo", p.expiry)), 'YYYY-MM-DD') AS expiry, pr.name, count(*) AS quantity
       FROM packs p LEFT JOIN products pr ON pr.gtin = p.gtin
       WHERE p.custodian = $1 AND p."sellableAtRest"
         AND coalesce(p."expiryExtendedTo", p.expiry) >= current_date AND ($2::text IS NULL OR p.gtin = $2)
         AND ($3::text IS NULL OR p.gtin || '|' || p.lot > $3)
       GROUP BY p.gtin, p.lot, pr.name ORDER BY p.gtin, p.lot LIMIT $4`,
      [org, gtin, decodeCursor(after), size + 1]);
    return toPage(rows, size, (r) => `${r.gtin}|${r.lot}`, (r) => ({ gtin: r.gtin, lot: r.lot, expiry: r.expiry, productName: r.name, quantity: Number(r.quantity) }));
  }

  /** A record's history (pack, container, shipment, `lot:<gtin>:<lot>`), oldest first. */
  async trace(subjects: string[], first?: number | null, after?: string | null, options: TraceOptions = {}): Promise<Page<TraceEntry>> {
    const size = pageSize(first);
    const rows: Array<TraceRowShape> = await this.dataSource.query(
      `SELECT ${traceColumns(options)} FROM trace_events t WHERE subject = ANY($1) AND ${VISIBLE_SUBJECT} AND ($2::bigint IS NULL OR seq > $2) ORDER BY seq LIMIT $3`, [subjects, decodeCursor(after), size + 1]);
    return toPage(rows, size, (r) => String(r.seq), traceView);
  }

  /** Everything that happened to a lot: its packs' histories and lot-level events (recall). */
  async lotTrace(gtin: string, lot: string, first?: number | null, after?: string | null, options: TraceOptions = {}): Promise<Page<TraceEntry>> {
    const size = pageSize(first);
    const rows: Array<TraceRowShape> = await this.dataSource.query(
      `SELECT ${traceColumns(options)} FROM trace_events t WHERE gtin = $1 AND lot = $2 AND ${VISIBLE_SUBJECT} AND ($3::bigint IS NULL OR seq > $3) ORDER BY seq LIMIT $4`, [gtin, lot, decodeCursor(after), size + 1]);
    return toPage(rows, size, (r) => String(r.seq), traceView);
  }

  async epcisEvents(subjects: string[]): Promise<unknown[]> {
    const rows: Array<{ epcisEvent: unknown; transactionId: string }> = await this.dataSource.query(
      // One row per EPCIS event: a Capture transaction carries several, told apart by their index.
      `SELECT DISTINCT ON (t."transactionId", t."epcisIndex") ${EPCIS_OF_ROW} AS "epcisEvent", t."transactionId", t.seq FROM trace_events t
       WHERE t.subject = ANY($1) AND ${VISIBLE_SUBJECT} AND (t."epcisEvent" IS NOT NULL OR t."epcisIndex" IS NOT NULL) ORDER BY t."transactionId", t."epcisIndex", t.seq`, [subjects]);
    return rows.map((r) => r.epcisEvent);
  }

  /**
   * Everything a shipment carried as its aggregation stands in this read model: its top-level EPCs
   * and, through the containers' children, every case and pack inside them.
   */
  async shipmentContents(topLevel: readonly string[]): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `WITH RECURSIVE tree(id) AS (SELECT unnest($1::text[]) UNION SELECT unnest(c.children) FROM containers c JOIN tree t ON c.id = t.id)
       SELECT id FROM tree`, [topLevel]);
    return rows.map((r) => r.id);
  }

  async packsHeldOfLot(org: string, gtin: string, lot: string): Promise<number> {
    // Held: not past the end of its traceable life (the domain's terminal statuses).
    const [row] = await this.dataSource.query(`SELECT count(*) AS n FROM packs WHERE custodian = $1 AND gtin = $2 AND lot = $3 AND status <> ALL($4::text[])`, [org, gtin, lot, TERMINAL_STATUSES]);
    return Number(row.n);
  }
}

/** See VISIBLE_HISTORY_SUBJECT: history answered only for what this read model holds. */
const VISIBLE_SUBJECT = VISIBLE_HISTORY_SUBJECT;

export interface TraceOptions {
  /** Load each entry's EPCIS event JSON (the bulk of a row); false when the client did not ask for it. */
  readonly withEpcis?: boolean;
}

/** A trace row's EPCIS event: its inline copy (rows projected before epcis_events), else the one it points at. */
const EPCIS_OF_ROW = `coalesce(t."epcisEvent", (SELECT e.event FROM epcis_events e WHERE e."transactionId" = t."transactionId" AND e.idx = t."epcisIndex"))`;

function traceColumns(options: TraceOptions): string {
  const epcis = options.withEpcis === false ? 'NULL AS "epcisEvent"' : `${EPCIS_OF_ROW} AS "epcisEvent"`;
  return `seq, subject, step, actor, status, owner, custodian, "occurredAt", "transactionId", "blockNumber", "submittedBy", signer, ${epcis}`;
}

interface TraceRowShape {
  seq: string; subject: string; step: string; actor: string | null; status: string | null; owner: string | null; custodian: string | null;
  occurredAt: Date; transactionId: string; blockNumber: string; submittedBy: string | null; signer: string | null; epcisEvent: unknown;
}

function traceView(r: TraceRowShape): TraceEntry {
  return {
    subject: r.subject, step: r.step, actor: r.actor, status: r.status, owner: r.owner, custodian: r.custodian,
    occurredAt: new Date(r.occurredAt).toISOString(), transactionId: r.transactionId, blockNumber: String(r.blockNumber),
    submittedBy: r.submittedBy ?? null, signer: r.signer ?? null, epcisEvent: r.epcisEvent,
  };
}

function productView(r: ProductRecord): Product {
  return {
    gtin: r.gtin, name: r.name, ndc: r.ndc ?? null, manufacturer: r.manufacturer, strength: r.strength ?? null, dosageForm: r.dosageForm ?? null, packSize: r.packSize ?? null,
    storage: r.storage ? storageView(r.storage) : null,
  };
}

function storageView(s: StorageConditions): StorageConditionsView {
  return {
    minCelsius: s.minCelsius, maxCelsius: s.maxCelsius, label: formatStorageRange(s), humidity: s.humidity ?? null,
    budget: { maxMinutesOutOfRange: s.budget.maxMinutesOutOfRange, mktLimitCelsius: s.budget.mktLimitCelsius ?? null, activationEnergyKjPerMol: s.budget.activationEnergyKjPerMol ?? DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL },
  };
}
