import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who caused each history entry (21 CFR Part 11 attribution): the person the submitting
 * organisation's service authenticated (`submittedBy`, as the organisation attests it on the
 * ledger) and the identity that signed the transaction (`signer`). Rows projected before have neither.
 */
export class TraceAttribution1764200000000 implements MigrationInterface {
  name = 'TraceAttribution1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "trace_events" ADD COLUMN "submittedBy" text, ADD COLUMN "signer" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "trace_events" DROP COLUMN IF EXISTS "submittedBy", DROP COLUMN IF EXISTS "signer"`);
  }
}
