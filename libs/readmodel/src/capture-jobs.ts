import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import type { CaptureErrorBehaviour, CaptureJobState, CaptureProblem } from '@pedigree/domain';

export const captureProblemsOf = (row: CaptureJobRow): CaptureProblem[] => row.errors as CaptureProblem[];

/** One POST /capture of the EPCIS 2.0 REST binding: the service's own record, kept across rebuilds. */
@Entity('capture_jobs')
export class CaptureJobRow {
  @PrimaryColumn({ type: 'text' }) captureID!: string;
  /** Listing order (newest first) and the keyset GET /capture pages by. */
  @Column({ type: 'bigint', insert: false, update: false }) seq!: string;
  @Column({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @Column({ type: 'boolean' }) running!: boolean;
  @Column({ type: 'boolean' }) success!: boolean;
  @Column({ type: 'text' }) captureErrorBehaviour!: CaptureErrorBehaviour;
  @Column({ type: 'integer' }) eventCount!: number;
  @Column({ type: 'integer', default: 0 }) recordedCount!: number;
  /** The ledger event IDs of the document's events (its eventIDs, else their CBV 2.0 hashes). */
  @Column({ type: 'text', array: true, default: '{}' }) eventIds!: string[];
  /** Those of eventIds the job recorded on the ledger. */
  @Column({ type: 'text', array: true, default: '{}' }) recordedEventIds!: string[];
  /** CaptureProblem objects (typed loosely for TypeORM's deep-partial types). */
  @Column({ type: 'jsonb', default: '[]' }) errors!: object[];
  /** The person who posted it (the authenticated user). */
  @Column({ type: 'text', nullable: true }) submittedBy!: string | null;
}

export interface NewCaptureJob {
  readonly captureID: string;
  readonly state: CaptureJobState;
  readonly eventIds: readonly string[];
  readonly submittedBy?: string;
}

/** A serialisation point for "is this eventID captured already?" and "take it": two identical posts at once give one job. */
const CAPTURE_LOCK = 0x45504353; // 'EPCS'

/**
 * The only way to capture_jobs. `org` is this service's organisation: an eventID counts as
 * captured when a transaction this organisation signed recorded it (projected_transactions) or a
 * job of this service is recording it now.
 */
export class CaptureJobRepository {
  constructor(private readonly dataSource: DataSource, private readonly org: string) {}

  /**
   * The job, or the document's event IDs already captured (nothing is created then): recorded by a
   * job of this service, being recorded by a running one, or the ledger event ID of a transaction
   * this organisation signed — a single command's, or a Capture's (`captureIds`: the IDs a capture
   * of the whole document or of one of its events would have had).
   */
  async createUnlessCaptured(job: NewCaptureJob, captureIds: ReadonlyMap<string, readonly string[]> = new Map(), now = new Date()): Promise<{ job: CaptureJobRow } | { duplicates: string[] }> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [CAPTURE_LOCK]);
      const ids = [...job.eventIds];
      const ledgerIds = [...ids, ...captureIds.keys()];
      const seen: Array<{ id: string }> = ids.length ? await m.query(
        `SELECT DISTINCT p."eventId" AS id FROM projected_transactions p WHERE p."eventId" = ANY($2) AND p."creatorMspId" = $3 AND p.outcome = 'projected'
         UNION SELECT DISTINCT x AS id FROM capture_jobs c, unnest(c."eventIds") x WHERE c.running AND c."eventIds" && $1::text[] AND x = ANY($1)
         UNION SELECT DISTINCT x AS id FROM capture_jobs c, unnest(c."recordedEventIds") x WHERE c."recordedEventIds" && $1::text[] AND x = ANY($1)`,
        [ids, ledgerIds, this.org]) : [];
      if (seen.length) return { duplicates: [...new Set(seen.flatMap((r) => captureIds.get(r.id) ?? [r.id]))].sort() };
      const row = m.create(CaptureJobRow, {
        captureID: job.captureID, createdAt: now, finishedAt: job.state.running ? null : now, running: job.state.running, success: job.state.success,
        captureErrorBehaviour: job.state.behaviour, eventCount: job.state.eventCount, recordedCount: job.state.recorded, eventIds: ids,
        errors: [...job.state.errors], submittedBy: job.submittedBy ?? null,
      });
      await m.insert(CaptureJobRow, row);
      return { job: (await m.findOneByOrFail(CaptureJobRow, { captureID: job.captureID })) };
    });
  }

  /** Persists a step's outcome; finishedAt is set when the job stops running. */
  async save(captureID: string, state: CaptureJobState, recordedEventIds: readonly string[] = [], now = new Date()): Promise<void> {
    await this.dataSource.getRepository(CaptureJobRow).update({ captureID }, {
      running: state.running, success: state.success, recordedCount: state.recorded, recordedEventIds: [...recordedEventIds], errors: [...state.errors], ...(state.running ? {} : { finishedAt: now }),
    });
  }

  get(captureID: string): Promise<CaptureJobRow | null> {
    return this.dataSource.getRepository(CaptureJobRow).findOneBy({ captureID });
  }

  /** Newest first; `before` is the seq of the last job of the previous page. */
  async list(limit: number, before?: string): Promise<CaptureJobRow[]> {
    const q = this.dataSource.getRepository(CaptureJobRow).createQueryBuilder('j').orderBy('j.seq', 'DESC').limit(limit);
    if (before !== undefined) q.where('j.seq < :before', { before });
    return q.getMany();
  }

  /**
   * Jobs a previous run of the service left running (it stopped mid-job): they can no longer
   * finish, since the document was not kept. Each gets `problem` and stops; returns how many.
   */
  async interruptRunning(problem: CaptureProblem, now = new Date()): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE capture_jobs SET running = false, success = false, "finishedAt" = $2, errors = errors || $1::jsonb WHERE running RETURNING "captureID"`,
      [JSON.stringify([problem]), now]);
    return (rows[0] as unknown[] | undefined)?.length ?? 0;
  }
}
