import type { DataSource } from 'typeorm';
import type { ConditionSource, LoggerReading, ReadingsBatch } from '@pedigree/domain';

export type ReadingsFormat = 'csv' | 'epcis-json' | 'epcis-xml';

/** A stored batch's header (`reading_batches`); its id is the salted digest the ledger anchors. */
export interface StoredReadingsBatch {
  readonly id: string;
  readonly source: ConditionSource;
  readonly deviceId: string | null;
  readonly salt: string;
  readonly readingCount: number;
  readonly firstAtMs: number;
  readonly lastAtMs: number;
  readonly format: ReadingsFormat;
  readonly anchorTxId: string | null;
  readonly uploadedBy: string | null;
  readonly uploadedAt: string;
}

interface BatchRow {
  id: string; sourceKind: ConditionSource['kind']; sourceId: string; deviceId: string | null; salt: string; readingCount: number;
  firstAtMs: string; lastAtMs: string; format: ReadingsFormat; anchorTxId: string | null; uploadedBy: string | null; uploadedAt: Date | string;
}

const batchOf = (r: BatchRow): StoredReadingsBatch => ({
  id: r.id, source: { kind: r.sourceKind, id: r.sourceId }, deviceId: r.deviceId, salt: r.salt, readingCount: Number(r.readingCount),
  firstAtMs: Number(r.firstAtMs), lastAtMs: Number(r.lastAtMs), format: r.format, anchorTxId: r.anchorTxId, uploadedBy: r.uploadedBy,
  uploadedAt: r.uploadedAt instanceof Date ? r.uploadedAt.toISOString() : String(r.uploadedAt),
});

/** Rows per INSERT: keeps each statement's parameter JSON a few MB. */
const INSERT_CHUNK = 20_000;

/**
 * This organisation's own store of logger readings (off the ledger): batches as uploaded, their
 * salts, and the readings; what the excursion computation and the anchor check read.
 */
export class ConditionReadings {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a batch once under its digest (a re-upload of the same batch with the same salt is the same row). */
  async save(id: string, batch: ReadingsBatch, salt: string, format: ReadingsFormat, uploadedBy: string | null): Promise<StoredReadingsBatch> {
    await this.dataSource.transaction(async (m) => {
      const first = batch.readings[0] as LoggerReading;
      const last = batch.readings[batch.readings.length - 1] as LoggerReading;
      const inserted: unknown[] = await m.query(
        `INSERT INTO reading_batches (id, "sourceKind", "sourceId", "deviceId", salt, "readingCount", "firstAtMs", "lastAtMs", format, "uploadedBy")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [id, batch.source.kind, batch.source.id, batch.deviceId ?? null, salt, batch.readings.length, first.atMs, last.atMs, format, uploadedBy],
      );
      if (!inserted.length) return;
      for (let i = 0; i < batch.readings.length; i += INSERT_CHUNK) {
        const rows = batch.readings.slice(i, i + INSERT_CHUNK).map((r) => ({ a: r.atMs, c: r.celsius, h: r.humidityPercent ?? null }));
        await m.query(
          `INSERT INTO condition_readings ("batchId", "atMs", celsius, "humidityPercent")
           SELECT $1, x.a, x.c, x.h FROM jsonb_to_recordset($2::jsonb) AS x(a bigint, c double precision, h double precision)`,
          [id, JSON.stringify(rows)],
        );
      }
    });
    return (await this.batch(id)) as StoredReadingsBatch;
  }

  async markAnchored(id: string, txId: string): Promise<void> {
    await this.dataSource.query(`UPDATE reading_batches SET "anchorTxId" = $2 WHERE id = $1`, [id, txId]);
  }

  async batch(id: string): Promise<StoredReadingsBatch | undefined> {
    const [row] = (await this.dataSource.query(`SELECT * FROM reading_batches WHERE id = $1`, [id])) as BatchRow[];
    return row ? batchOf(row) : undefined;
  }

  async batchesOf(source: ConditionSource): Promise<StoredReadingsBatch[]> {
    const rows = (await this.dataSource.query(`SELECT * FROM reading_batches WHERE "sourceKind" = $1 AND "sourceId" = $2 ORDER BY "firstAtMs", id`, [source.kind, source.id])) as BatchRow[];
    return rows.map(batchOf);
  }

  /** The readings of one batch as stored, in time order. */
  async readingsOfBatch(id: string): Promise<LoggerReading[]> {
    return this.readingRows(`WHERE "batchId" = $1`, [id]);
  }

  /**
   * Every stored reading of a source, in time order; where batches overlap (a logger read out twice),
   * one reading per instant (from the batch whose digest sorts first: overlapping read-outs of one logger agree).
   */
  async readingsOf(source: ConditionSource, fromMs = Number.MIN_SAFE_INTEGER, toMs = Number.MAX_SAFE_INTEGER): Promise<LoggerReading[]> {
    return this.readingRows(
      `JOIN reading_batches b ON b.id = r."batchId" WHERE b."sourceKind" = $1 AND b."sourceId" = $2 AND r."atMs" BETWEEN $3 AND $4`,
      [source.kind, source.id, fromMs, toMs],
      true,
    );
  }

  private async readingRows(where: string, params: unknown[], distinct = false): Promise<LoggerReading[]> {
    const rows: Array<{ atMs: string; celsius: number; humidityPercent: number | null }> = await this.dataSource.query(
      `SELECT ${distinct ? 'DISTINCT ON (r."atMs")' : ''} r."atMs", r.celsius, r."humidityPercent" FROM condition_readings r ${where}
       ORDER BY r."atMs"${distinct ? ', r."batchId"' : ''}`,
      params,
    );
    return rows.map((r) => ({ atMs: Number(r.atMs), celsius: r.celsius, ...(r.humidityPercent === null ? {} : { humidityPercent: r.humidityPercent }) }));
  }
}
