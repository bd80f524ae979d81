import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Receiving exceptions (issue 14): one row per exception the organisation raised or had raised
 * against its shipments, keyed as on the ledger (receiver, id). The inbox filters by state, rule and
 * partner and pages on (openedAt, receiver, id); `record` is the ledger's record as written.
 */
export class ReceivingExceptions1764300000000 implements MigrationInterface {
  name = 'ReceivingExceptions1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "receiving_exceptions" (
      "receiver" text NOT NULL, "id" text NOT NULL, "seller" text NOT NULL, "shipmentId" text NOT NULL, "rule" text NOT NULL, "state" text NOT NULL,
      "subjects" text[] NOT NULL DEFAULT '{}', "held" text[] NOT NULL DEFAULT '{}',
      "openedAt" timestamptz NOT NULL, "updatedAt" timestamptz NOT NULL, "closedAt" timestamptz, "version" integer NOT NULL, "record" jsonb NOT NULL,
      "blockNumber" bigint NOT NULL, "transactionId" text NOT NULL,
      CONSTRAINT "PK_receiving_exceptions" PRIMARY KEY ("receiver", "id"))`);
    await q.query(`CREATE INDEX "IDX_receiving_exceptions_receiver_state" ON "receiving_exceptions" ("receiver", "state", "openedAt")`);
    await q.query(`CREATE INDEX "IDX_receiving_exceptions_seller_state" ON "receiving_exceptions" ("seller", "state", "openedAt")`);
    await q.query(`CREATE INDEX "IDX_receiving_exceptions_shipment" ON "receiving_exceptions" ("shipmentId")`);
    await q.query(`CREATE INDEX "IDX_receiving_exceptions_held" ON "receiving_exceptions" USING gin ("held")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "receiving_exceptions"`);
  }
}
