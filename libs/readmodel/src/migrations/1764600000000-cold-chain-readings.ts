import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cold chain (issue 18): logger readings batches kept off the ledger in this organisation's own
 * store, with the salt their anchored digest was made with (`reading_batches`), and the readings
 * themselves (`condition_readings`, UTC milliseconds as recorded, so the digest recomputes exactly).
 */
export class ColdChainReadings1764600000000 implements MigrationInterface {
  name = 'ColdChainReadings1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "reading_batches" (
      "id" text PRIMARY KEY,
      "sourceKind" text NOT NULL CHECK ("sourceKind" IN ('container', 'shipment', 'location')),
      "sourceId" text NOT NULL,
      "deviceId" text,
      "salt" text NOT NULL,
      "readingCount" integer NOT NULL,
      "firstAtMs" bigint NOT NULL,
      "lastAtMs" bigint NOT NULL,
      "format" text NOT NULL CHECK ("format" IN ('csv', 'epcis-json', 'epcis-xml')),
      "anchorTxId" text,
      "uploadedBy" text,
      "uploadedAt" timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX "reading_batches_source" ON "reading_batches" ("sourceKind", "sourceId", "firstAtMs")`);
    await q.query(`CREATE TABLE "condition_readings" (
      "batchId" text NOT NULL REFERENCES "reading_batches" ("id") ON DELETE CASCADE,
      "atMs" bigint NOT NULL,
      "celsius" double precision NOT NULL,
      "humidityPercent" double precision,
      PRIMARY KEY ("batchId", "atMs")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "condition_readings"`);
    await q.query(`DROP TABLE "reading_batches"`);
  }
}
