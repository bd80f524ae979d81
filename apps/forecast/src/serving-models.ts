import { DataSource } from 'typeorm';
import {
  activeBackend, BackendName, baselineServing, ForecastError, PretrainedStore, ServingModel, servingFromArtifacts, servingToArtifacts, StoredModelArtifacts,
} from '@pedigree/forecasting';

/** Rows that serve: serving models, and models stored before policies existed; not the bare pretrained networks. */
const SERVING_ROWS = `(metadata ? 'servingPolicy' OR NOT (metadata ? 'pretrainedOn'))`;

/** What the anchor names when no global model is loaded and the baselines served the forecast. */
export const BASELINE_MODEL_VERSION = 'baselines';

export interface StoredModelRow {
  readonly metadata: Record<string, unknown>;
  readonly createdAt: Date;
}

/**
 * The model store job: serving models (network + serving policy) kept in `model_versions` (jsonb + bytea), the one
 * being served, and what the API says about it. Before the first training the baselines serve, and say so.
 */
export class ServingModels {
  private serving: ServingModel | undefined;
  private createdAt: Date | undefined;

  constructor(
    private readonly own: DataSource,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  get backend(): BackendName | undefined {
    return activeBackend();
  }

  /** The stored serving model, or (before any training) ETS alone, uncalibrated, saying so. */
  current(): ServingModel {
    return this.serving ?? baselineServing();
  }

  /** The version a forecast served now names. */
  currentVersion(): string {
    return this.serving?.model?.metadata.version ?? BASELINE_MODEL_VERSION;
  }

  trained(): boolean {
    return this.serving?.model !== undefined;
  }

  info() {
    return this.serving?.model ? { metadata: this.serving.model.metadata, createdAt: this.createdAt } : undefined;
  }

  /** Loads the newest stored model, if any: forecasts fall back to the baselines until one is trained. */
  async loadLatest(): Promise<void> {
    const [row] = await this.own.query(`SELECT * FROM model_versions WHERE ${SERVING_ROWS} ORDER BY "createdAt" DESC LIMIT 1`);
    if (!row) return;
    try {
      const loaded = await servingFromArtifacts(artifactsOf(row));
      this.serving?.model?.dispose();
      this.serving = loaded;
    } catch (error) {
      // A model stored before serving policies existed cannot serve what was measured: baselines until a retrain.
      if (!(error instanceof ForecastError)) throw error;
      this.log(`stored model ${row.version} not served: ${error.message}`);
      return;
    }
    this.createdAt = new Date(row.createdAt);
  }

  /** Stores a trained serving model and serves the stored copy (what a restart would load); answers its version. */
  async store(serving: ServingModel, trainingJobId: string): Promise<string> {
    const artifacts = await servingToArtifacts(serving);
    await this.own.query(
      `INSERT INTO model_versions (version, "modelTopology", "weightSpecs", "weightData", metadata, "trainingJobId", "createdAt")
       VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT (version) DO UPDATE SET "createdAt" = now(), "trainingJobId" = EXCLUDED."trainingJobId", metadata = EXCLUDED.metadata`,
      [artifacts.metadata.version, JSON.stringify(artifacts.modelTopology), JSON.stringify(artifacts.weightSpecs), artifacts.weightData, JSON.stringify(artifacts.metadata), trainingJobId]);
    serving.model?.dispose();
    await this.loadLatest();
    return artifacts.metadata.version;
  }

  /**
   * Pretrained networks (no serving policy) kept in the same table under their pretrained name: a small panel's
   * trainings start from the one stored, and only the first pays for pretraining.
   */
  pretrainedStore(): PretrainedStore {
    return {
      load: async (name) => {
        const [row] = await this.own.query(`SELECT * FROM model_versions WHERE version = $1 AND metadata ? 'pretrainedOn' AND NOT (metadata ? 'servingPolicy')`, [name]);
        return row ? artifactsOf(row) : undefined;
      },
      save: async (name, artifacts) => {
        await this.own.query(
          `INSERT INTO model_versions (version, "modelTopology", "weightSpecs", "weightData", metadata, "trainingJobId", "createdAt")
           VALUES ($1, $2, $3, $4, $5, NULL, now()) ON CONFLICT (version) DO NOTHING`,
          [name, JSON.stringify(artifacts.modelTopology), JSON.stringify(artifacts.weightSpecs), artifacts.weightData, JSON.stringify(artifacts.metadata)]);
      },
    };
  }

  /** Stored versions, newest first, before `before` (a creation time), at most `limit`. */
  async page(before: string | null, limit: number): Promise<StoredModelRow[]> {
    return this.own.query(
      `SELECT metadata, "createdAt" FROM model_versions WHERE ${SERVING_ROWS} AND ($1::timestamptz IS NULL OR "createdAt" < $1) ORDER BY "createdAt" DESC LIMIT $2`,
      [before, limit]);
  }
}

export function artifactsOf(row: { modelTopology: object; weightSpecs: unknown; weightData: Buffer; metadata: unknown }): StoredModelArtifacts {
  return { modelTopology: row.modelTopology, weightSpecs: row.weightSpecs as StoredModelArtifacts['weightSpecs'], weightData: row.weightData, metadata: row.metadata as StoredModelArtifacts['metadata'] };
}
