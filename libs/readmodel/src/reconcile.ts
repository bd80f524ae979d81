import type { DataSource } from 'typeorm';
import type { TraceRecord } from '@pedigree/domain';
import { differingFields, LedgerReads, RecordDifference } from './ledger-reads';

export interface ReconcileReport {
  readonly packs: number;
  readonly containers: number;
  readonly differences: readonly RecordDifference[];
}

/**
 * Compares every pack and container of the read model with the ledger's current state (evaluate),
 * `concurrency` reads at a time, and reports every difference rather than the first.
 */
export async function reconcile(dataSource: DataSource, reads: LedgerReads, concurrency = 16): Promise<ReconcileReport> {
  const packs: Array<{ id: string; record: TraceRecord }> = await dataSource.query(`SELECT id, record FROM packs ORDER BY id`);
  const containers: Array<{ id: string; record: TraceRecord }> = await dataSource.query(`SELECT id, record FROM containers ORDER BY id`);
  const differences: RecordDifference[] = [];
  const work = [
    ...packs.map((r) => ({ ...r, kind: 'pack' as const })),
    ...containers.map((r) => ({ ...r, kind: 'container' as const })),
  ];
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const item = work[next++];
      const onLedger = item.kind === 'pack' ? await reads.pack(item.id) : await reads.container(item.id);
      if (!onLedger) {
        differences.push({ id: item.id, kind: item.kind, problem: 'missing-on-ledger', readModelVersion: item.record.version });
        continue;
      }
      const fields = differingFields(item.record, onLedger);
      if (fields.length) differences.push({ id: item.id, kind: item.kind, problem: 'differs', readModelVersion: item.record.version, ledgerVersion: onLedger.version, fields });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  differences.sort((a, b) => a.id.localeCompare(b.id));
  return { packs: packs.length, containers: containers.length, differences };
}
