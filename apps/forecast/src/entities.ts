import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The forecast service's own state. Live dispenses are never copied here: they are read from the
 * dispenser's read model at query time, so the two cannot drift apart.
 */

/** Demand imported from CSV (or seeded as demo history): one row per product, location and period. */
@Entity('imported_demand')
@Index(['gtin', 'location', 'periodStart', 'source'], { unique: true })
export class ImportedDemandRow {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) gtin!: string;
  @Column({ type: 'text' }) location!: string;
  @Column({ type: 'date' }) periodStart!: string;
  /** 'day' or 'month': how much time the quantity covers. */
  @Column({ type: 'text' }) covers!: 'day' | 'month';
  @Column({ type: 'double precision' }) quantity!: number;
  /** 'csv-import' or 'demo-history': where a planner's history came from, never hidden. */
  @Column({ type: 'text' }) source!: string;
  @Column({ type: 'text' }) importId!: string;
  @Column({ type: 'timestamptz' }) importedAt!: Date;
}

/** A trained global model: the model store's artifacts, JSON parts as jsonb and the weights as bytea. */
@Entity('model_versions')
export class ModelVersionRow {
  @PrimaryColumn({ type: 'text' }) version!: string;
  @Column({ type: 'jsonb' }) modelTopology!: object;
  @Column({ type: 'jsonb' }) weightSpecs!: object[];
  @Column({ type: 'bytea' }) weightData!: Buffer;
  @Column({ type: 'jsonb' }) metadata!: Record<string, unknown>;
  @Column({ type: 'text', nullable: true }) trainingJobId!: string | null;
  @Index() @Column({ type: 'timestamptz' }) createdAt!: Date;
}

@Entity('training_jobs')
export class TrainingJobRow {
  @PrimaryColumn({ type: 'text' }) id!: string;
  /** queued, running, succeeded, failed. */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text' }) phase!: string;
  @Column({ type: 'double precision' }) percent!: number;
  @Column({ type: 'text', nullable: true }) message!: string | null;
  @Column({ type: 'text', nullable: true }) modelVersion!: string | null;
  @Column({ type: 'integer', default: 0 }) forecastsPublished!: number;
  @Column({ type: 'text' }) requestedBy!: string;
  @Index() @Column({ type: 'timestamptz' }) startedAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}

/** A forecast as published: its canonical document, digest and ledger anchor. */
@Entity('published_forecasts')
@Index(['gtin', 'location', 'publishedAt'])
export class PublishedForecastRow {
  @PrimaryColumn({ type: 'text' }) digest!: string;
  @Column({ type: 'text' }) gtin!: string;
  @Column({ type: 'text' }) location!: string;
  @Column({ type: 'text' }) granularity!: string;
  @Column({ type: 'text' }) modelVersion!: string;
  @Column({ type: 'text' }) method!: string;
  @Column({ type: 'jsonb' }) document!: Record<string, unknown>;
  @Column({ type: 'timestamptz' }) publishedAt!: Date;
  /** pending, anchored, failed: a forecast is published even when the ledger is briefly unavailable. */
  @Column({ type: 'text' }) anchorStatus!: string;
  @Column({ type: 'text', nullable: true }) anchorTransactionId!: string | null;
  @Column({ type: 'text', nullable: true }) anchorError!: string | null;
}

export const FORECAST_ENTITIES = [ImportedDemandRow, ModelVersionRow, TrainingJobRow, PublishedForecastRow];
