import type { DataSource } from 'typeorm';

/** One VRS request this organisation sent to a manufacturer's responder, as recorded. */
export interface VrsRequestRecord {
  readonly corrUUID: string;
  readonly gtin: string;
  readonly serial: string;
  readonly lot: string;
  readonly expiry: string | null;
  readonly context: string | null;
  readonly reqGLN: string;
  readonly responder: string;
  readonly responderGLN: string | null;
  readonly status: 'answered' | 'failed';
  readonly verified: boolean | null;
  readonly failureReason: string | null;
  readonly additionalInfo: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly httpStatus: number | null;
  readonly attempts: number;
  readonly requester: string;
  readonly atpPresented: boolean;
  readonly requestedAt: string;
  readonly answeredAt: string | null;
  readonly verificationTimestamp: string | null;
}

const COLUMNS = ['corrUUID', 'gtin', 'serial', 'lot', 'expiry', 'context', 'reqGLN', 'responder', 'responderGLN', 'status', 'verified', 'failureReason',
  'additionalInfo', 'errorCode', 'errorMessage', 'httpStatus', 'attempts', 'requester', 'atpPresented', 'requestedAt', 'answeredAt', 'verificationTimestamp'] as const;

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v));

/** The requester's log of VRS requests (table `vrs_requests`): one row per corrUUID, written once. */
export class VrsRequestRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(r: VrsRequestRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO vrs_requests (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
      COLUMNS.map((c) => r[c]));
  }

  /** Newest first; by pack when gtin and serial are given. */
  async list(filter: { gtin?: string; serial?: string; limit?: number } = {}): Promise<VrsRequestRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.gtin) where.push(`gtin = $${params.push(filter.gtin)}`);
    if (filter.serial) where.push(`serial = $${params.push(filter.serial)}`);
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const rows = await this.dataSource.query(
      `SELECT *, to_char(expiry, 'YYYY-MM-DD') AS "expiryText" FROM vrs_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY "requestedAt" DESC, id DESC LIMIT ${limit}`, params) as Record<string, unknown>[];
    return rows.map((row) => ({
      ...(Object.fromEntries(COLUMNS.map((c) => [c, row[c]])) as unknown as VrsRequestRecord),
      expiry: (row.expiryText as string | null) ?? null, requestedAt: iso(row.requestedAt) as string, answeredAt: iso(row.answeredAt), verificationTimestamp: iso(row.verificationTimestamp),
    }));
  }
}
