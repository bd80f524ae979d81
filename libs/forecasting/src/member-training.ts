import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from './seeded-random';

/**
 * Training of one ensemble member, written to run the same in the main thread or in a worker thread (members are
 * independent, so on a multi-core machine they train in parallel; see member-pool.ts). Everything a member needs
 * travels as plain numbers and typed arrays, and the result is its weights, so any thread gives identical output.
 */
export interface MemberTask {
  readonly member: number;
  /** Seeds the member's initialisers and its shuffles. */
  readonly seed: number;
  readonly hiddenUnits: number;
  readonly levels: readonly number[];
  readonly maxEpochs: number;
  readonly patience: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

export interface TrainingArrays {
  readonly width: number;
  readonly horizon: number;
  readonly xTrain: Float32Array;
  readonly yTrain: Float32Array;
  readonly xValid: Float32Array;
  readonly yValid: Float32Array;
}

export interface MemberOutcome {
  readonly member: number;
  /** kernel and bias of each dense layer in order: hidden1, hidden2, quantiles. */
  readonly weights: Float32Array[];
  readonly epochs: number;
  readonly loss: number;
}

/** Layer names of a member inside the serving ensemble, in training order. */
export const MEMBER_LAYERS = ['hidden1', 'hidden2', 'quantiles'] as const;

/** Turns raw network outputs [batch, levels * horizon] into ordered quantiles [batch, levels, horizon]. */
export function orderedQuantiles(raw: tf.Tensor, levels: readonly number[], horizon: number): tf.Tensor3D {
  const parts = tf.split(raw as tf.Tensor2D, levels.length, 1);
  const anchor = levels.indexOf(0.5);
  const q: tf.Tensor[] = new Array<tf.Tensor>(levels.length);
  q[anchor] = parts[anchor];
  for (let i = anchor - 1; i >= 0; i--) q[i] = q[i + 1].sub(tf.softplus(parts[i]));
  for (let i = anchor + 1; i < levels.length; i++) q[i] = q[i - 1].add(tf.softplus(parts[i]));
  return tf.stack(q, 1).reshape([-1, levels.length, horizon]) as tf.Tensor3D;
}

export function pinballLoss(raw: tf.Tensor, target: tf.Tensor, levels: readonly number[], horizon: number): tf.Scalar {
  const q = orderedQuantiles(raw, levels, horizon);
  const e = target.expandDims(1).sub(q);
  const tau = tf.tensor3d([...levels], [1, levels.length, 1]);
  return tf.maximum(e.mul(tau), e.mul(tau.sub(1))).mean() as tf.Scalar;
}

/**
 * x.matMul(w) + b with a hand-written gradient. tfjs's own gradient uses transposed matmuls, which the wasm
 * backend runs on a slow generic path (measured ~7x slower than transposing first); transposing explicitly made
 * training about three times faster. The math is that of a Dense layer, so the weights serve through Dense layers.
 */
const fastDense = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const d = dy as tf.Tensor2D;
      return [tf.matMul(d, tf.transpose(ws)), tf.matMul(tf.transpose(xs), d), tf.sum(d, 0)];
    },
  };
});

function forward(variables: readonly tf.Variable[], x: tf.Tensor): tf.Tensor {
  let h = x;
  for (let i = 0; i < variables.length; i += 2) {
    const z = fastDense(h, variables[i], variables[i + 1]);
    h = i + 2 < variables.length ? tf.relu(z) : z;
  }
  return h;
}

/** Layer shapes [inputs, outputs] of a member. */
export function memberShapes(width: number, hidden: number, outputs: number): [number, number][] {
  return [
    [width, hidden],
    [hidden, hidden],
    [hidden, outputs],
  ];
}

/**
 * Trains one member with Adam on seeded shuffles, keeping the weights of its best validation epoch (early stopping
 * with patience). Runs on whatever TensorFlow.js backend the calling thread has selected.
 */
/** One member's training progress, as data: the epoch, its validation loss and the best so far. */
export interface MemberProgress {
  readonly epoch: number;
  readonly loss: number;
  readonly best: number;
  /** True once, when the member stops (early stopping or the epoch limit). */
  readonly stopped: boolean;
  readonly message: string;
}

export async function trainMember(task: MemberTask, data: TrainingArrays, log: (event: MemberProgress) => void): Promise<MemberOutcome> {
  const H = data.horizon;
  const trainRows = data.yTrain.length / H;
  const validRows = data.yValid.length / H;
  const variables: tf.Variable[] = [];
  memberShapes(data.width, task.hiddenUnits, task.levels.length * H).forEach(([fanIn, fanOut], layer) => {
    const kernel = tf.initializers.glorotUniform({ seed: task.seed * 1000 + task.member * 10 + layer + 1 }).apply([fanIn, fanOut]);
    variables.push(tf.variable(kernel, true));
    variables.push(tf.variable(tf.zeros([fanOut]), true));
    kernel.dispose();
  });
  const xTrain = tf.tensor2d(data.xTrain, [trainRows, data.width]);
  const yTrain = tf.tensor2d(data.yTrain, [trainRows, H]);
  const xValid = tf.tensor2d(data.xValid, [validRows, data.width]);
  const yValid = tf.tensor2d(data.yValid, [validRows, H]);
  const random = new SeededRandom(task.seed * 1000 + task.member);
  const optimizer = tf.train.adam(task.learningRate);
  let best = Infinity;
  let bestWeights: tf.Tensor[] | undefined;
  let stale = 0;
  let epoch = 0;
  try {
    for (epoch = 1; epoch <= task.maxEpochs; epoch++) {
      const order = random.permutation(trainRows);
      for (let b = 0; b < trainRows; b += task.batchSize) {
        tf.tidy(() => {
          const index = tf.tensor1d(order.subarray(b, Math.min(trainRows, b + task.batchSize)), 'int32');
          const xb = tf.gather(xTrain, index);
          const yb = tf.gather(yTrain, index);
          optimizer.minimize(() => pinballLoss(forward(variables, xb), yb, task.levels, H), false, variables);
        });
      }
      const loss = tf.tidy(() => pinballLoss(forward(variables, xValid), yValid, task.levels, H).dataSync()[0]);
      if (loss < best - 1e-6) {
        best = loss;
        tf.dispose(bestWeights);
        bestWeights = variables.map((v) => v.clone());
        stale = 0;
      } else stale++;
      if (epoch % 5 === 0) log({ epoch, loss, best, stopped: false, message: `epoch ${epoch}, validation loss ${loss.toFixed(4)} (best ${best.toFixed(4)})` });
      if (stale >= task.patience) break;
      // Yield so a server's event loop is not blocked for the whole training.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const epochs = Math.min(epoch, task.maxEpochs);
    log({ epoch: epochs, loss: best, best, stopped: true, message: `stopped after ${epochs} epochs, best validation loss ${best.toFixed(4)}` });
    const weights = (bestWeights ?? variables).map((t) => t.dataSync() as Float32Array);
    return { member: task.member, weights: weights.map((w) => Float32Array.from(w)), epochs, loss: best };
  } finally {
    tf.dispose([xTrain, yTrain, xValid, yValid, ...variables]);
    tf.dispose(bestWeights);
    optimizer.dispose();
  }
}
