import { AT_REST, type InvestigationRecord, type OrgId } from '@pedigree/domain';
import type { EntityManager } from 'typeorm';
import type { TraceabilityEvent } from './traceability-event';

/** Whether an investigation belongs in the viewer's read model: it investigates, holds stock in scope, or was told. */
export function investigationConcerns(x: InvestigationRecord, viewer: OrgId | undefined): boolean {
  return viewer === undefined || x.investigator === viewer || x.holders.includes(viewer) || x.notices.some((n) => n.to === viewer);
}

/**
 * Investigations and their holds (issue 14). The chaincode never rewrites a holder's packs for an
 * investigation (the hold is a lot-level overlay on the ledger), so the read model applies it
 * here: opening marks the packs in scope that this read model has as held, as the ledger's reads
 * would show them; clearing lifts it from those no other unresolved investigation still holds. A
 * later version of the record wins; a repeat changes nothing.
 */
export async function projectInvestigations(m: EntityManager, e: TraceabilityEvent, viewer: OrgId | undefined, block: string, txId: string): Promise<void> {
  const investigations = (e.investigations ?? []).filter((x) => investigationConcerns(x, viewer));
  for (const x of investigations) {
    const [row]: Array<{ version: number }> = await m.query(
      `INSERT INTO investigations (investigator, id, state, packs, holders, notified, "openedAt", "updatedAt", "notificationsDueAt", version, record, "blockNumber", "transactionId")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (investigator, id) DO UPDATE SET state = EXCLUDED.state, notified = EXCLUDED.notified, "updatedAt" = EXCLUDED."updatedAt",
            "notificationsDueAt" = EXCLUDED."notificationsDueAt", version = EXCLUDED.version, record = EXCLUDED.record,
            "blockNumber" = EXCLUDED."blockNumber", "transactionId" = EXCLUDED."transactionId"
       WHERE investigations.version < EXCLUDED.version
       RETURNING version`,
      [x.investigator, x.id, x.state, x.packs, x.holders, x.notices.map((n) => n.to), x.openedAt, x.updatedAt, x.notificationsDueAt ?? null, x.version, x, block, txId]);
    if (!row) continue;
    if (e.type === 'investigationOpened') await holdPacks(m, x);
    if (e.type === 'investigationCleared') await releasePacks(m, x);
  }
}

async function holdPacks(m: EntityManager, x: InvestigationRecord): Promise<void> {
  await m.query(
    `UPDATE packs SET record = jsonb_set(record, '{investigation}', $2::jsonb), "sellableAtRest" = false,
            overlays = CASE WHEN 'quarantined' = ANY(overlays) THEN overlays ELSE array_append(overlays, 'quarantined') END
     WHERE id = ANY($1::text[]) AND NOT (record ? 'investigation')`,
    [x.packs, JSON.stringify({ investigator: x.investigator, id: x.id, since: x.openedAt })]);
}

async function releasePacks(m: EntityManager, x: InvestigationRecord): Promise<void> {
  // A pack another unresolved investigation covers stays held; its own quarantine keeps the overlay.
  await m.query(
    `UPDATE packs p SET record = p.record - 'investigation',
            overlays = CASE WHEN p.record ? 'quarantine' THEN p.overlays ELSE array_remove(p.overlays, 'quarantined') END,
            "sellableAtRest" = p.status = ANY($4::text[]) AND cardinality(CASE WHEN p.record ? 'quarantine' THEN p.overlays ELSE array_remove(p.overlays, 'quarantined') END) = 0
     WHERE p.id = ANY($1::text[]) AND p.record->'investigation'->>'investigator' = $2 AND p.record->'investigation'->>'id' = $3
       AND NOT EXISTS (SELECT 1 FROM investigations i WHERE i.state <> 'cleared' AND p.id = ANY(i.packs) AND NOT (i.investigator = $2 AND i.id = $3))`,
    [x.packs, x.investigator, x.id, AT_REST]);
}
