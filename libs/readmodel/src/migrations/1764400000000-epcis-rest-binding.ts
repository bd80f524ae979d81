import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The EPCIS 2.0 REST binding. `capture_jobs`: one row per POST /capture, kept across read-model
 * rebuilds (it is the service's own record, not the ledger's). `epcis_events` gains a record order
 * (`seq`, the keyset GET /events pages by), the time the ledger recorded the event (`recordedAt`,
 * the event's EPCIS recordTime: the block time of its transaction, backfilled from the trace rows),
 * its eventTime as a timestamp (indexed for ranges and ordering)
 * and the indexes its SQL prefilters use. `epcis_queries`: the binding's named queries (POST /queries).
 */
export class EpcisRestBinding1764400000000 implements MigrationInterface {
  name = 'EpcisRestBinding1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "capture_jobs" (
      "captureID" text PRIMARY KEY,
      "seq" bigserial NOT NULL UNIQUE,
      "createdAt" timestamptz NOT NULL,
      "finishedAt" timestamptz,
      "running" boolean NOT NULL,
      "success" boolean NOT NULL,
      "captureErrorBehaviour" text NOT NULL,
      "eventCount" integer NOT NULL,
      "recordedCount" integer NOT NULL DEFAULT 0,
      "eventIds" text[] NOT NULL DEFAULT '{}',
      "recordedEventIds" text[] NOT NULL DEFAULT '{}',
      "errors" jsonb NOT NULL DEFAULT '[]',
      "submittedBy" text
    )`);
    await q.query(`CREATE TABLE "epcis_queries" ("name" text PRIMARY KEY, "seq" bigserial NOT NULL UNIQUE, "query" jsonb NOT NULL, "createdAt" timestamptz NOT NULL, "createdBy" text)`);
    await q.query(`CREATE INDEX "capture_jobs_running_event_ids" ON "capture_jobs" USING gin ("eventIds") WHERE "running"`);
    await q.query(`CREATE INDEX "capture_jobs_recorded_event_ids" ON "capture_jobs" USING gin ("recordedEventIds")`);
    await q.query(`ALTER TABLE "epcis_events" ADD COLUMN "seq" bigserial NOT NULL, ADD COLUMN "recordedAt" timestamptz, ADD COLUMN "eventTime" timestamptz`);
    await q.query(`UPDATE "epcis_events" e SET "recordedAt" = (SELECT min(t."occurredAt") FROM "trace_events" t WHERE t."transactionId" = e."transactionId"),
      "eventTime" = (e.event->>'eventTime')::timestamptz`);
    // Keyset pages compare (key, seq) rows: no NULL keys.
    await q.query(`UPDATE "epcis_events" SET "recordedAt" = 'epoch' WHERE "recordedAt" IS NULL`);
    await q.query(`CREATE UNIQUE INDEX "epcis_events_seq" ON "epcis_events" ("seq")`);
    await q.query(`CREATE INDEX "epcis_events_type" ON "epcis_events" ((event->>'type'), "seq")`);
    // eventTime as a column (a text-to-timestamptz cast cannot be indexed as an expression): ranges and orderBy use it.
    await q.query(`CREATE INDEX "epcis_events_event_time" ON "epcis_events" ("eventTime", "seq")`);
    await q.query(`CREATE INDEX "epcis_events_recorded_at" ON "epcis_events" ("recordedAt", "seq")`);
    await q.query(`CREATE INDEX "epcis_events_event_id" ON "epcis_events" ((event->>'eventID'))`);
    await q.query(`CREATE INDEX "epcis_events_contents" ON "epcis_events" USING gin (event jsonb_path_ops)`);
    await q.query(`CREATE INDEX "projected_transactions_event_id" ON "projected_transactions" ("eventId", "creatorMspId")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "projected_transactions_event_id"`);
    await q.query(`DROP INDEX IF EXISTS "epcis_events_contents"`);
    await q.query(`DROP INDEX IF EXISTS "epcis_events_event_id"`);
    await q.query(`DROP INDEX IF EXISTS "epcis_events_type"`);
    await q.query(`DROP INDEX IF EXISTS "epcis_events_event_time"`);
    await q.query(`DROP INDEX IF EXISTS "epcis_events_recorded_at"`);
    await q.query(`DROP INDEX IF EXISTS "epcis_events_seq"`);
    await q.query(`ALTER TABLE "epcis_events" DROP COLUMN IF EXISTS "eventTime", DROP COLUMN IF EXISTS "recordedAt", DROP COLUMN IF EXISTS "seq"`);
    await q.query(`DROP TABLE IF EXISTS "capture_jobs"`);
    await q.query(`DROP TABLE IF EXISTS "epcis_queries"`);
  }
}
