import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialForecast1764000000000 implements MigrationInterface {
  name = 'InitialForecast1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE imported_demand (
      id bigserial PRIMARY KEY, gtin text NOT NULL, location text NOT NULL, "periodStart" date NOT NULL, covers text NOT NULL,
      quantity double precision NOT NULL, source text NOT NULL, "importId" text NOT NULL, "importedAt" timestamptz NOT NULL)`);
    await q.query(`CREATE UNIQUE INDEX imported_demand_key ON imported_demand (gtin, location, "periodStart", source)`);
    await q.query(`CREATE TABLE model_versions (
      version text PRIMARY KEY, "modelTopology" jsonb NOT NULL, "weightSpecs" jsonb NOT NULL, "weightData" bytea NOT NULL,
      metadata jsonb NOT NULL, "trainingJobId" text, "createdAt" timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX model_versions_created ON model_versions ("createdAt")`);
    await q.query(`CREATE TABLE training_jobs (
      id text PRIMARY KEY, status text NOT NULL, phase text NOT NULL, percent double precision NOT NULL, message text, "modelVersion" text,
      "forecastsPublished" integer NOT NULL DEFAULT 0, "requestedBy" text NOT NULL, "startedAt" timestamptz NOT NULL, "finishedAt" timestamptz)`);
    await q.query(`CREATE INDEX training_jobs_started ON training_jobs ("startedAt")`);
    await q.query(`CREATE TABLE published_forecasts (
      digest text PRIMARY KEY, gtin text NOT NULL, location text NOT NULL, granularity text NOT NULL, "modelVersion" text NOT NULL,
      method text NOT NULL, document jsonb NOT NULL, "publishedAt" timestamptz NOT NULL, "anchorStatus" text NOT NULL,
      "anchorTransactionId" text, "anchorError" text)`);
    await q.query(`CREATE INDEX published_forecasts_series ON published_forecasts (gtin, location, "publishedAt")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['published_forecasts', 'training_jobs', 'model_versions', 'imported_demand']) await q.query(`DROP TABLE ${t}`);
  }
}
