import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ForecastError } from './forecast-error';
import { GlobalModelMetadata, GlobalQuantileModel } from './global-model';
import type { ServingModel } from './served-forecast';

/**
 * Saving and loading without tfjs-node (whose file:// handler is absent here): everything goes through tfjs's
 * passthrough IO handlers, so the same artifacts can land in files or in any byte store (a Postgres row: the JSON
 * parts in jsonb, weightData in bytea).
 */
export interface StoredModelArtifacts {
  readonly modelTopology: object;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: Buffer;
  readonly metadata: GlobalModelMetadata;
}

const METADATA_KEY = 'pedigreeForecasting';

function standalone(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

export async function modelToArtifacts(model: GlobalQuantileModel): Promise<StoredModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.network.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured?.modelTopology || !captured.weightSpecs || !captured.weightData) {
    throw new ForecastError('INCOMPATIBLE_MODEL', 'the network produced incomplete artifacts');
  }
  return {
    modelTopology: captured.modelTopology as object,
    weightSpecs: captured.weightSpecs,
    weightData: Buffer.from(tf.io.CompositeArrayBuffer.join(captured.weightData)),
    metadata: model.metadata,
  };
}

export async function modelFromArtifacts(artifacts: StoredModelArtifacts): Promise<GlobalQuantileModel> {
  const network = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: artifacts.modelTopology,
      weightSpecs: artifacts.weightSpecs,
      weightData: standalone(artifacts.weightData),
    }),
  );
  return GlobalQuantileModel.restore(network, artifacts.metadata);
}

/** What a model.json of this layout holds (the layout tfjs-node's file:// handler writes, plus our metadata). */
interface ModelJson {
  readonly format: string;
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly modelTopology: object;
  readonly weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  readonly userDefinedMetadata: { [METADATA_KEY]: GlobalModelMetadata };
}

/**
 * Writes model.json + weights.bin into `directory` (created if needed). Files are written under temporary names
 * and renamed, so a reader never sees a model.json whose weights are half written.
 */
export async function saveModelToDirectory(model: GlobalQuantileModel, directory: string): Promise<void> {
  const artifacts = await modelToArtifacts(model);
  await mkdir(directory, { recursive: true });
  const json: ModelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    userDefinedMetadata: { [METADATA_KEY]: artifacts.metadata },
  };
  const weightsPath = path.join(directory, 'weights.bin');
  const jsonPath = path.join(directory, 'model.json');
  await writeFile(`${weightsPath}.tmp`, artifacts.weightData);
  await writeFile(`${jsonPath}.tmp`, JSON.stringify(json));
  await rename(`${weightsPath}.tmp`, weightsPath);
  await rename(`${jsonPath}.tmp`, jsonPath);
}

export async function loadModelFromDirectory(directory: string): Promise<GlobalQuantileModel> {
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(path.join(directory, 'model.json'), 'utf8')) as ModelJson;
  } catch (error) {
    throw new ForecastError('INCOMPATIBLE_MODEL', `cannot read ${path.join(directory, 'model.json')}: ${(error as Error).message}`);
  }
  const metadata = json.userDefinedMetadata?.[METADATA_KEY];
  if (!metadata || !Array.isArray(json.weightsManifest)) {
    throw new ForecastError('INCOMPATIBLE_MODEL', `${directory} does not hold a forecasting model`);
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const parts = await Promise.all(
    json.weightsManifest.flatMap((group) => group.paths).map((file) => readFile(path.join(directory, file))),
  );
  return modelFromArtifacts({ modelTopology: json.modelTopology, weightSpecs, weightData: Buffer.concat(parts), metadata });
}

/**
 * The served forecaster in one artifact: the network's weights plus the serving policy (weights, calibration,
 * calendar coefficient) in the metadata, so a stored model always comes back with what was measured with it.
 */
export async function servingToArtifacts(serving: ServingModel): Promise<StoredModelArtifacts> {
  if (!serving.model) throw new ForecastError('INCOMPATIBLE_MODEL', 'a serving model without a global network has no network artifacts; store its policy alone');
  const artifacts = await modelToArtifacts(serving.model);
  return { ...artifacts, metadata: { ...artifacts.metadata, servingPolicy: serving.policy } };
}

export async function servingFromArtifacts(artifacts: StoredModelArtifacts): Promise<ServingModel> {
  const policy = artifacts.metadata.servingPolicy;
  if (policy?.format !== 'pedigree-serving-policy') {
    throw new ForecastError('INCOMPATIBLE_MODEL', `model ${artifacts.metadata.version} carries no serving policy (trained before policies were stored): retrain it`);
  }
  return { model: await modelFromArtifacts(artifacts), policy };
}

export async function saveServingToDirectory(serving: ServingModel, directory: string): Promise<void> {
  if (!serving.model) throw new ForecastError('INCOMPATIBLE_MODEL', 'a serving model without a global network cannot be saved as a model directory');
  const withPolicy = serving.model.withMetadata({ ...serving.model.metadata, servingPolicy: serving.policy });
  await saveModelToDirectory(withPolicy, directory);
}

export async function loadServingFromDirectory(directory: string): Promise<ServingModel> {
  const model = await loadModelFromDirectory(directory);
  const policy = model.metadata.servingPolicy;
  if (policy?.format !== 'pedigree-serving-policy') throw new ForecastError('INCOMPATIBLE_MODEL', `${directory} carries no serving policy`);
  return { model, policy };
}
