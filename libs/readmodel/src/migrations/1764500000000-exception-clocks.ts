import { MigrationInterface, QueryRunner } from 'typeorm';
import { clockOf, type ExceptionRecord } from '@pedigree/domain';

/**
 * Exception clocks (issue 14): when each exception is due (its business-day clock, kept on the
 * ledger record) and when it was escalated, as columns, so "overdue" is an indexed SQL filter.
 * Rows raised before clocks were kept get the default clock the domain reads for them.
 */
export class ExceptionClocks1764500000000 implements MigrationInterface {
  name = 'ExceptionClocks1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "receiving_exceptions" ADD COLUMN "dueAt" timestamptz, ADD COLUMN "escalatedAt" timestamptz`);
    const rows: Array<{ receiver: string; id: string; record: ExceptionRecord }> = await q.query(`SELECT receiver, id, record FROM receiving_exceptions`);
    for (const r of rows) {
      await q.query(`UPDATE receiving_exceptions SET "dueAt" = $3::timestamptz, "escalatedAt" = $4::timestamptz WHERE receiver = $1 AND id = $2`,
        [r.receiver, r.id, clockOf(r.record).dueAt, r.record.escalation?.at ?? null]);
    }
    await q.query(`CREATE INDEX "IDX_receiving_exceptions_open_due" ON "receiving_exceptions" ("dueAt") WHERE state IN ('open', 'waiting_on_partner')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "IDX_receiving_exceptions_open_due"`);
    await q.query(`ALTER TABLE "receiving_exceptions" DROP COLUMN IF EXISTS "dueAt", DROP COLUMN IF EXISTS "escalatedAt"`);
  }
}
