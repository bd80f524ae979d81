import type { DataSource } from 'typeorm';
import { canonicalJson, recordConcerns, type ContainerRecord, type ExceptionRecord, type OrgId, type PackRecord } from '@pedigree/domain';
import { differingFields, LedgerReads, RecordDifference } from './ledger-reads';
import { allLotStates, LotState, lotKey, withLotState } from './lot-state';
import { containerColumns, packColumns } from './projection';

export interface ReconcileReport {
  readonly packs: number;
  readonly containers: number;
  readonly lots: number;
  readonly exceptions: number;
  readonly differences: readonly RecordDifference[];
}

/** The pack columns the projector derives from a record (everything but the record and its block). */
const PACK_COLUMNS = ['gtin', 'serial', 'lot', 'expiry', 'expiryExtendedTo', 'status', 'manufacturer', 'owner', 'custodian', 'overlays', 'sellableAtRest', 'location', 'container', 'version'] as const;
const CONTAINER_COLUMNS = ['sscc', 'children', 'parent', 'sealed', 'status', 'owner', 'custodian', 'location', 'version'] as const;

/** The chaincode contract of receiving exceptions (chaincode/src/exceptions.contract.ts). */
const EXCEPTIONS = 'exceptions';

/** GetLot's page size: the chaincode allows up to 1000; each page reads every pack of it. */
const LOT_PAGE = 500;

interface PackRowShape extends Record<(typeof PACK_COLUMNS)[number], unknown> {
  id: string;
  record: PackRecord;
  blockNumber: string;
}
interface ContainerRowShape extends Record<(typeof CONTAINER_COLUMNS)[number], unknown> {
  id: string;
  record: ContainerRecord;
}

/**
 * Compares the read model with the ledger's current state (evaluate), `concurrency` reads at a
 * time, and reports every difference rather than the first:
 * - every pack and container row: its record JSON and every column the projector derives from the
 *   record (status, overlays, custodian, owner, location, container, version, expiry …), so a row
 *   whose columns were changed behind the projector's back is found even when its JSON is intact;
 * - a row with no ledger record (an extra row) and a ledger record with no row (a deleted row):
 *   every lot the read model knows of (from its packs, its history and its lot table) is listed
 *   on the ledger (GetLot), and every pack or container its history names is looked up;
 * - each lot's recall against the ledger's (GetLot answers with the lot's recall, if any).
 * A lot's recall and expiry extension are applied to both sides alike before comparing, so a
 * ledger that reports packs with or without their lot's state gives the same verdict. With a
 * `viewer`, a ledger pack that does not concern it (recordConcerns) is not missing from its rows.
 */
export async function reconcile(dataSource: DataSource, reads: LedgerReads, concurrency = 16, viewer?: OrgId): Promise<ReconcileReport> {
  const packs: PackRowShape[] = await dataSource.query(
    `SELECT id, gtin, serial, lot, to_char(expiry, 'YYYY-MM-DD') AS expiry, to_char("expiryExtendedTo", 'YYYY-MM-DD') AS "expiryExtendedTo", status, manufacturer,
            owner, custodian, overlays, "sellableAtRest", location, container, version, record, "blockNumber"::text AS "blockNumber" FROM packs ORDER BY id`);
  const containers: ContainerRowShape[] = await dataSource.query(
    `SELECT id, sscc, children, parent, sealed, status, owner, custodian, location, version, record FROM containers ORDER BY id`);
  const lots = await allLotStates(dataSource);
  const knownLots: Array<{ gtin: string; lot: string }> = await dataSource.query(
    `SELECT gtin, lot FROM packs UNION SELECT gtin, lot FROM trace_events WHERE gtin IS NOT NULL AND lot IS NOT NULL UNION SELECT gtin, lot FROM lots`);
  const namedInHistory: Array<{ subject: string }> = await dataSource.query(
    `SELECT DISTINCT subject FROM trace_events WHERE subject LIKE 'urn:epc:id:sgtin:%' OR subject LIKE 'urn:epc:id:sscc:%'`);

  const differences: RecordDifference[] = [];
  const ledgerPacks = new Map<string, PackRecord>();
  const ledgerRecallOfLot = new Map<string, string | null>();

  // 1. Every lot on the ledger: its packs (to find deleted rows) and its recall.
  await pool(knownLots, concurrency, async ({ gtin, lot }) => {
    let bookmark = '';
    for (;;) {
      const page = await reads.lotPage(gtin, lot, LOT_PAGE, bookmark);
      if (!page) return;
      for (const p of page.packs) ledgerPacks.set(p.id, p);
      if (!bookmark) ledgerRecallOfLot.set(lotKey(gtin, lot), page.recall?.recallId ?? page.lot?.recallId ?? null);
      if (!page.bookmark || (page.fetched ?? page.packs.length) < LOT_PAGE) return;
      bookmark = page.bookmark;
    }
  });
  for (const [key, recallId] of ledgerRecallOfLot) {
    const local = lots.get(key)?.recallId ?? null;
    if (recallId !== local) {
      differences.push({ id: key.replace('\u0000', ':'), kind: 'lot', problem: 'differs', fields: ['recallId'] });
    }
  }

  // 2. Every pack row against the ledger's record.
  const packIds = new Set(packs.map((p) => p.id));
  await pool(packs, concurrency, async (row) => {
    const onLedger = ledgerPacks.get(row.id) ?? (await reads.pack(row.id));
    if (!onLedger) {
      differences.push({ id: row.id, kind: 'pack', problem: 'missing-on-ledger', readModelVersion: row.record.version });
      return;
    }
    const block = BigInt(row.blockNumber);
    const lotOf = (r: PackRecord): LotState | undefined => lots.get(lotKey(r.gtin, r.lot));
    const fields = differingFields(withLotState(row.record, lotOf(row.record), block), withLotState(onLedger, lotOf(onLedger), block));
    const expected = packColumns(onLedger, lotOf(onLedger), block) as unknown as Record<string, unknown>;
    const columns = PACK_COLUMNS.filter((c) => !sameColumn(c, row[c], expected[c]));
    if (fields.length || columns.length) {
      differences.push({
        id: row.id, kind: 'pack', problem: 'differs', readModelVersion: row.record.version, ledgerVersion: onLedger.version,
        ...(fields.length ? { fields } : {}), ...(columns.length ? { columns } : {}),
      });
    }
  });

  // 3. Every container row against the ledger's record.
  const containerIds = new Set(containers.map((c) => c.id));
  await pool(containers, concurrency, async (row) => {
    const onLedger = await reads.container(row.id);
    if (!onLedger) {
      differences.push({ id: row.id, kind: 'container', problem: 'missing-on-ledger', readModelVersion: row.record.version });
      return;
    }
    const fields = differingFields(row.record, onLedger);
    const expected = containerColumns(onLedger) as unknown as Record<string, unknown>;
    const columns = CONTAINER_COLUMNS.filter((c) => !sameColumn(c, row[c], expected[c]));
    if (fields.length || columns.length) {
      differences.push({
        id: row.id, kind: 'container', problem: 'differs', readModelVersion: row.record.version, ledgerVersion: onLedger.version,
        ...(fields.length ? { fields } : {}), ...(columns.length ? { columns } : {}),
      });
    }
  });

  // 4. Ledger records whose rows are gone: packs of the listed lots, and whatever the history names.
  for (const [id, p] of ledgerPacks) {
    // A pack that concerns another organisation only is not this read model's to hold.
    if (viewer !== undefined && !recordConcerns(p, viewer)) continue;
    if (!packIds.has(id)) differences.push({ id, kind: 'pack', problem: 'missing-in-read-model', ledgerVersion: p.version });
  }
  const unlisted = namedInHistory.map((r) => r.subject).filter((id) => !packIds.has(id) && !containerIds.has(id) && !ledgerPacks.has(id));
  await pool(unlisted, concurrency, async (id) => {
    const onLedger = id.startsWith('urn:epc:id:sscc:') ? await reads.container(id) : await reads.pack(id);
    if (onLedger && (viewer === undefined || recordConcerns(onLedger, viewer))) differences.push({ id, kind: onLedger.docType, problem: 'missing-in-read-model', ledgerVersion: onLedger.version });
  });

  // 5. Receiving exceptions: every row against the ledger's record, and every one its history names.
  const exceptionRows: Array<{ receiver: string; id: string; state: string; version: number; record: ExceptionRecord }> = await dataSource.query(
    `SELECT receiver, id, state, version, record FROM receiving_exceptions ORDER BY receiver, id`);
  const exceptionKeys = new Set(exceptionRows.map((r) => `${r.receiver}:${r.id}`));
  const ledgerException = (receiver: string, id: string) => reads.optional<ExceptionRecord>('GetException', [receiver, id], EXCEPTIONS);
  await pool(exceptionRows, concurrency, async (row) => {
    const onLedger = await ledgerException(row.receiver, row.id);
    const id = `exception:${row.receiver}:${row.id}`;
    if (!onLedger) {
      differences.push({ id, kind: 'exception', problem: 'missing-on-ledger', readModelVersion: row.version });
      return;
    }
    const fields = Object.keys({ ...onLedger, ...row.record }).filter((k) => canonicalJson((onLedger as unknown as Record<string, unknown>)[k] ?? null) !== canonicalJson((row.record as unknown as Record<string, unknown>)[k] ?? null)).sort();
    const columns = [row.state !== onLedger.state ? 'state' : '', row.version !== onLedger.version ? 'version' : ''].filter(Boolean);
    if (fields.length || columns.length) {
      differences.push({ id, kind: 'exception', problem: 'differs', readModelVersion: row.version, ledgerVersion: onLedger.version, ...(fields.length ? { fields } : {}), ...(columns.length ? { columns } : {}) });
    }
  });
  const exceptionsInHistory: Array<{ subject: string }> = await dataSource.query(`SELECT DISTINCT subject FROM trace_events WHERE subject LIKE 'exception:%'`);
  await pool(exceptionsInHistory.map((r) => r.subject.slice('exception:'.length)).filter((k) => !exceptionKeys.has(k)), concurrency, async (key) => {
    const at = key.indexOf(':');
    const onLedger = await ledgerException(key.slice(0, at), key.slice(at + 1));
    if (onLedger) differences.push({ id: `exception:${key}`, kind: 'exception', problem: 'missing-in-read-model', ledgerVersion: onLedger.version });
  });

  differences.sort((a, b) => a.id.localeCompare(b.id) || a.problem.localeCompare(b.problem));
  return { packs: packs.length, containers: containers.length, lots: knownLots.length, exceptions: exceptionRows.length, differences };
}

/** Column values as pg returns them against the projector's values; overlays are a set. */
function sameColumn(column: string, actual: unknown, expected: unknown): boolean {
  if (column === 'overlays') return canonicalJson([...((actual as string[] | null) ?? [])].sort()) === canonicalJson([...((expected as string[] | null) ?? [])].sort());
  return canonicalJson(actual ?? null) === canonicalJson(expected ?? null);
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
