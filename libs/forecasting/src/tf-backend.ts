import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The TensorFlow.js backends the library can run on, fastest first. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendOptions {
  /** Skip faster backends, e.g. 'cpu' for bit-for-bit comparisons across machines. */
  readonly prefer?: BackendName;
  readonly log?: (line: string) => void;
}

const ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];
const moduleRequire = createRequire(__filename);
let chosen: Promise<BackendName> | undefined;
let active: BackendName | undefined;

/**
 * tfjs-node is an optional dependency whose install downloads libtensorflow, so on offline machines it is absent
 * or installed without its native library; requiring it must therefore be tried, never assumed. Without it the
 * SIMD wasm backend is several times faster than plain-JS cpu for these models.
 */
async function tryTensorflow(): Promise<string | undefined> {
  try {
    moduleRequire('@tensorflow/tfjs-node');
  } catch (error) {
    return `@tensorflow/tfjs-node unavailable (${(error as Error).message.split('\n')[0]})`;
  }
  try {
    if (await tf.setBackend('tensorflow')) return undefined;
    return '@tensorflow/tfjs-node loaded but its backend did not initialise';
  } catch (error) {
    return `@tensorflow/tfjs-node backend failed (${(error as Error).message.split('\n')[0]})`;
  }
}

async function tryWasm(): Promise<string | undefined> {
  try {
    // The .wasm binaries sit beside the package's main file; setting the path explicitly keeps bundled or
    // relocated builds working.
    setWasmPaths(path.dirname(moduleRequire.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    if (await tf.setBackend('wasm')) return undefined;
    return 'wasm backend did not initialise';
  } catch (error) {
    return `wasm backend failed (${(error as Error).message.split('\n')[0]})`;
  }
}

async function choose(options: BackendOptions): Promise<BackendName> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  tf.enableProdMode();
  const skipped: string[] = [];
  const first = ORDER.indexOf(options.prefer ?? 'tensorflow');
  for (const name of ORDER.slice(first)) {
    const failure = name === 'tensorflow' ? await tryTensorflow() : name === 'wasm' ? await tryWasm() : undefined;
    if (failure) {
      skipped.push(failure);
      continue;
    }
    if (name === 'cpu') await tf.setBackend('cpu');
    await tf.ready();
    active = name;
    log(`[forecasting] TensorFlow.js backend: ${name}${skipped.length ? ` (${skipped.join('; ')})` : ''}`);
    return name;
  }
  throw new Error('unreachable: the cpu backend is always available');
}

/**
 * Selects the fastest working backend once per process (tfjs-node, else wasm, else cpu) and reports which one
 * runs, so the API can show it. Later calls return the first answer.
 */
export function initBackend(options: BackendOptions = {}): Promise<BackendName> {
  chosen ??= choose(options);
  return chosen;
}

/** The backend chosen by initBackend, or undefined before it ran. */
export function activeBackend(): BackendName | undefined {
  return active;
}
