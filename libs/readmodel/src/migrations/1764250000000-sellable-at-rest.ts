import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a pack is sellable but for the clock (at rest, no hold), as the domain's
 * isSellableAtRest computed it when the pack was projected: stock queries read this column and add
 * only the expiry comparison for their day, instead of restating the sellable rule in SQL. Rows
 * projected before are filled once by the rule as it stood (at rest: commissioned, packed,
 * received; no overlay); a rebuild of the read model recomputes them from the ledger.
 */
export class SellableAtRest1764250000000 implements MigrationInterface {
  name = 'SellableAtRest1764250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "packs" ADD COLUMN "sellableAtRest" boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE "packs" SET "sellableAtRest" = (status IN ('commissioned', 'packed', 'received') AND cardinality(overlays) = 0)`);
    await q.query(`CREATE INDEX "packs_sellable_stock" ON "packs" (custodian, gtin, lot) WHERE "sellableAtRest"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "packs_sellable_stock"`);
    await q.query(`ALTER TABLE "packs" DROP COLUMN IF EXISTS "sellableAtRest"`);
  }
}
