import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * VRS in full: what a requester attested on a request this responder answered (context,
 * ctrlPossessAtt, contact, ATP credential), and this organisation's own requests to other
 * manufacturers' responders (`vrs_requests`), answered or failed.
 */
export class VrsRequests1764350000000 implements MigrationInterface {
  name = 'VrsRequests1764350000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "verifications" ADD COLUMN "context" text, ADD COLUMN "attestation" jsonb`);
    await q.query(`CREATE TABLE "vrs_requests" (
      "id" bigserial PRIMARY KEY,
      "corrUUID" text NOT NULL,
      "gtin" text NOT NULL,
      "serial" text NOT NULL,
      "lot" text NOT NULL,
      "expiry" date,
      "context" text,
      "reqGLN" text NOT NULL,
      "responder" text NOT NULL,
      "responderGLN" text,
      "status" text NOT NULL CHECK ("status" IN ('answered', 'failed')),
      "verified" boolean,
      "failureReason" text,
      "additionalInfo" text,
      "errorCode" text,
      "errorMessage" text,
      "httpStatus" integer,
      "attempts" integer NOT NULL,
      "requester" text NOT NULL,
      "atpPresented" boolean NOT NULL DEFAULT false,
      "requestedAt" timestamptz NOT NULL,
      "answeredAt" timestamptz,
      "verificationTimestamp" timestamptz
    )`);
    await q.query(`CREATE UNIQUE INDEX "vrs_requests_corr_uuid" ON "vrs_requests" ("corrUUID")`);
    await q.query(`CREATE INDEX "vrs_requests_gtin_serial" ON "vrs_requests" ("gtin", "serial", "requestedAt" DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "vrs_requests"`);
    await q.query(`ALTER TABLE "verifications" DROP COLUMN IF EXISTS "context", DROP COLUMN IF EXISTS "attestation"`);
  }
}
