import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tracing requests (issue 14): one row per request the organisation made or must answer, keyed as
 * on the ledger (requester, id). The TI released is never here (the requester reads it from its
 * own peer); `record` is the public request with its releases' hashes.
 */
export class TracingRequests1764800000001 implements MigrationInterface {
  name = 'TracingRequests1764800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "tracing_requests" (
      "requester" text NOT NULL, "id" text NOT NULL, "epc" text NOT NULL, "respondents" text[] NOT NULL DEFAULT '{}', "answered" text[] NOT NULL DEFAULT '{}',
      "requestedAt" timestamptz NOT NULL, "version" integer NOT NULL, "record" jsonb NOT NULL, "blockNumber" bigint NOT NULL, "transactionId" text NOT NULL,
      CONSTRAINT "PK_tracing_requests" PRIMARY KEY ("requester", "id"))`);
    await q.query(`CREATE INDEX "IDX_tracing_requests_respondents" ON "tracing_requests" USING gin ("respondents")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "tracing_requests"`);
  }
}
