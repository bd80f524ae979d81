import type { OrgId } from '@pedigree/domain';
import type { EntityManager } from 'typeorm';
import type { TraceabilityEvent } from './traceability-event';

/** Tracing requests: kept by the requester's and the respondents' read models; a later version wins. */
export async function projectTracingRequests(m: EntityManager, e: TraceabilityEvent, viewer: OrgId | undefined, block: string, txId: string): Promise<void> {
  const requests = (e.tracingRequests ?? []).filter((x) => viewer === undefined || x.requester === viewer || x.respondents.some((r) => r.org === viewer));
  for (const x of requests) {
    await m.query(
      `INSERT INTO tracing_requests (requester, id, epc, respondents, answered, "requestedAt", version, record, "blockNumber", "transactionId")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (requester, id) DO UPDATE SET answered = EXCLUDED.answered, version = EXCLUDED.version, record = EXCLUDED.record,
            "blockNumber" = EXCLUDED."blockNumber", "transactionId" = EXCLUDED."transactionId"
       WHERE tracing_requests.version < EXCLUDED.version`,
      [x.requester, x.id, x.epc, x.respondents.map((r) => r.org), x.releases.map((r) => r.by), x.requestedAt, x.version, x, block, txId]);
  }
}
