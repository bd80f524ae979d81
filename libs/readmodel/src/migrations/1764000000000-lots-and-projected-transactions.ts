import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lot-level state and the projection log.
 *
 * `lots`: a recall or an expiry extension is one lot-level record on the ledger (no per-pack
 * writes), so the read model keeps it once per lot and applies it to every pack of the lot, those
 * projected before it (one UPDATE) and those projected after (on insert, from this table).
 *
 * `projected_transactions`: one row per transaction the projector applied or refused. Deliberately
 * without a unique index on the transaction ID: the row tables' upserts and ON CONFLICT DO NOTHING
 * make a second projection of one transaction invisible there, and this log is where a double
 * shows (tests count its rows per transaction against the ledger's writes).
 */
export class LotsAndProjectedTransactions1764000000000 implements MigrationInterface {
  name = 'LotsAndProjectedTransactions1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "lots" ("gtin" text NOT NULL, "lot" text NOT NULL, "recallId" text, "recalledAt" timestamptz,
      "expiryExtendedTo" date, "blockNumber" bigint NOT NULL, "transactionId" text NOT NULL, PRIMARY KEY ("gtin", "lot"))`);
    await q.query(`CREATE TABLE "projected_transactions" ("seq" bigserial PRIMARY KEY, "blockNumber" bigint NOT NULL, "transactionId" text NOT NULL,
      "creatorMspId" text NOT NULL, "eventName" text NOT NULL, "eventType" text, "eventId" text, "outcome" text NOT NULL, "reason" text,
      "projectedAt" timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX "projected_transactions_tx" ON "projected_transactions" ("transactionId")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "projected_transactions"`);
    await q.query(`DROP TABLE IF EXISTS "lots"`);
  }
}
