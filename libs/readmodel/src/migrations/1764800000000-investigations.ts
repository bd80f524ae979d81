import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Suspect-product investigations (issue 14): one row per investigation the organisation opened,
 * holds stock for, or was notified of, keyed as on the ledger (investigator, id). `record` is the
 * ledger's record as written; the arrays are there to filter by party in SQL.
 */
export class Investigations1764800000000 implements MigrationInterface {
  name = 'Investigations1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "investigations" (
      "investigator" text NOT NULL, "id" text NOT NULL, "state" text NOT NULL,
      "packs" text[] NOT NULL DEFAULT '{}', "holders" text[] NOT NULL DEFAULT '{}', "notified" text[] NOT NULL DEFAULT '{}',
      "openedAt" timestamptz NOT NULL, "updatedAt" timestamptz NOT NULL, "notificationsDueAt" timestamptz, "version" integer NOT NULL, "record" jsonb NOT NULL,
      "blockNumber" bigint NOT NULL, "transactionId" text NOT NULL,
      CONSTRAINT "PK_investigations" PRIMARY KEY ("investigator", "id"))`);
    await q.query(`CREATE INDEX "IDX_investigations_holders" ON "investigations" USING gin ("holders")`);
    await q.query(`CREATE INDEX "IDX_investigations_notified" ON "investigations" USING gin ("notified")`);
    await q.query(`CREATE INDEX "IDX_investigations_packs" ON "investigations" USING gin ("packs")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "investigations"`);
  }
}
