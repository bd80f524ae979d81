import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * EPCIS events stored once per transaction. A trace row used to carry a copy of its transaction's
 * EPCIS event, so a commissioning batch of n serials stored n copies of an event listing n EPCs —
 * n² in size (a 2,000-serial batch: 2,000 copies of ~120 kB), which made replaying a
 * 100,000-pack lot take longer than ten minutes. Rows now point at the event by index; rows
 * projected before this migration keep their inline copy (reads take either).
 */
export class EpcisEventsOnce1764100000000 implements MigrationInterface {
  name = 'EpcisEventsOnce1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "epcis_events" ("transactionId" text NOT NULL, "idx" smallint NOT NULL, "event" jsonb NOT NULL, PRIMARY KEY ("transactionId", "idx"))`);
    await q.query(`ALTER TABLE "trace_events" ADD COLUMN "epcisIndex" smallint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "trace_events" DROP COLUMN IF EXISTS "epcisIndex"`);
    await q.query(`DROP TABLE IF EXISTS "epcis_events"`);
  }
}
