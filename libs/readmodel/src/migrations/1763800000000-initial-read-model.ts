import { MigrationInterface, QueryRunner } from 'typeorm';

/** The first read-model schema (products, packs, containers, shipments, trace, verifications, keys, checkpoint). */
export class InitialReadModel1763800000000 implements MigrationInterface {
  name = 'InitialReadModel1763800000000';

  async up(q: QueryRunner): Promise<void> {
    const ledgerColumns = `"record" jsonb NOT NULL, "blockNumber" bigint NOT NULL, "transactionId" text NOT NULL`;
    await q.query(`CREATE TABLE "products" ("gtin" text PRIMARY KEY, "name" text NOT NULL, "ndc" text, "manufacturer" text NOT NULL, ${ledgerColumns})`);
    await q.query(`CREATE TABLE "packs" ("id" text PRIMARY KEY, "gtin" text NOT NULL, "serial" text NOT NULL, "lot" text NOT NULL,
      "expiry" date NOT NULL, "expiryExtendedTo" date, "status" text NOT NULL, "manufacturer" text NOT NULL, "owner" text NOT NULL,
      "custodian" text NOT NULL, "overlays" text array NOT NULL DEFAULT '{}', "location" text, "container" text,
      "version" integer NOT NULL, ${ledgerColumns})`);
    await q.query(`CREATE UNIQUE INDEX "packs_gtin_serial" ON "packs" ("gtin", "serial")`);
    await q.query(`CREATE INDEX "packs_gtin_lot" ON "packs" ("gtin", "lot")`);
    for (const c of ['status', 'owner', 'custodian', 'location', 'container']) await q.query(`CREATE INDEX "packs_${c}" ON "packs" ("${c}")`);
    await q.query(`CREATE TABLE "containers" ("id" text PRIMARY KEY, "sscc" text NOT NULL, "children" text array NOT NULL DEFAULT '{}',
      "parent" text, "sealed" boolean NOT NULL, "status" text NOT NULL, "owner" text NOT NULL, "custodian" text NOT NULL,
      "location" text, "version" integer NOT NULL, ${ledgerColumns})`);
    await q.query(`CREATE INDEX "containers_parent" ON "containers" ("parent")`);
    await q.query(`CREATE INDEX "containers_owner" ON "containers" ("owner")`);
    await q.query(`CREATE TABLE "shipments" ("id" text PRIMARY KEY, "sender" text NOT NULL, "receiver" text NOT NULL, "purpose" text NOT NULL,
      "status" text NOT NULL, "epcs" text array NOT NULL DEFAULT '{}', "shippedAt" timestamptz NOT NULL, "receivedAt" timestamptz,
      "tiHash" text, "tsHash" text, "transactionInformation" jsonb, "transactionStatement" jsonb, ${ledgerColumns})`);
    await q.query(`CREATE INDEX "shipments_sender" ON "shipments" ("sender")`);
    await q.query(`CREATE INDEX "shipments_receiver" ON "shipments" ("receiver")`);
    await q.query(`CREATE TABLE "trace_events" ("seq" bigserial PRIMARY KEY, "subject" text NOT NULL, "step" text NOT NULL, "gtin" text, "lot" text,
      "actor" text, "status" text, "owner" text, "custodian" text, "occurredAt" timestamptz NOT NULL, "epcisEvent" jsonb,
      "blockNumber" bigint NOT NULL, "transactionId" text NOT NULL)`);
    await q.query(`CREATE INDEX "trace_events_subject" ON "trace_events" ("subject", "blockNumber")`);
    await q.query(`CREATE INDEX "trace_events_lot" ON "trace_events" ("gtin", "lot")`);
    // A re-delivered event must never add a second history row (exactly-once, belt and braces).
    await q.query(`CREATE UNIQUE INDEX "trace_events_once" ON "trace_events" ("transactionId", "subject", "step")`);
    await q.query(`CREATE TABLE "verifications" ("id" bigserial PRIMARY KEY, "scan" text NOT NULL, "gtin" text, "serial" text, "lot" text,
      "expiry" date, "verified" boolean NOT NULL, "failureReason" text, "additionalInfo" text, "alerts" text array NOT NULL DEFAULT '{}',
      "requester" text NOT NULL, "site" text, "correlationId" text, "source" text NOT NULL, "verifiedAt" timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX "verifications_pi" ON "verifications" ("gtin", "serial")`);
    await q.query(`CREATE TABLE "idempotency_keys" ("key" text PRIMARY KEY, "operation" text NOT NULL, "requestHash" text NOT NULL,
      "response" jsonb, "createdAt" timestamptz NOT NULL)`);
    await q.query(`CREATE TABLE "projector_checkpoint" ("projector" text PRIMARY KEY, "blockNumber" bigint NOT NULL, "transactionId" text,
      "eventsApplied" bigint NOT NULL DEFAULT 0, "updatedAt" timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['projector_checkpoint', 'idempotency_keys', 'verifications', 'trace_events', 'shipments', 'containers', 'packs', 'products']) {
      await q.query(`DROP TABLE IF EXISTS "${t}"`);
    }
  }
}
