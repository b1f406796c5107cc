/**
 * Deterministic classifier training with TensorFlow.js (`@tensorflow/tfjs-layers` on the pure-JavaScript CPU backend
 * of `@tensorflow/tfjs-backend-cpu`, versions pinned by the lockfile). Determinism is what lets r providers verify a
 * training job by agreeing on the hash of the weights they trained:
 *
 * - the CPU backend runs every kernel as single-threaded JavaScript loops in a fixed order, so float32 rounding is
 *   the same on every machine with the same library version (no thread count, SIMD or BLAS choice enters);
 * - weights start from Glorot-uniform draws seeded by the job, biases at zero;
 * - each epoch visits the samples in an order shuffled by `seedrandom`'s Alea generator seeded by (seed, epoch);
 * - nothing else draws randomness (no dropout) and every optimiser setting is explicit.
 *
 * The trained weights are hashed in a container-independent form ({@link weightsHash}) and exported to ONNX
 * (`onnxExport.ts`) for inference providers.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import seedrandom from 'seedrandom';
import { InvalidInputError } from '../errors.ts';
import type { LabelledDataset } from './dataset.ts';
import { type DenseLayer, exportMlpToOnnx } from './onnxExport.ts';
import { checkTrainingRequest, type TrainingHyperparameters, type TrainingTemplate } from './templates.ts';

/** What {@link trainClassifier} needs. */
export type TrainClassifierParameters = {
  /** The training samples. */
  dataset: LabelledDataset;
  /** Number of classes (the output layer's size). */
  classes: number;
  template: TrainingTemplate;
  hyperparameters: TrainingHyperparameters;
  /** Recorded in the ONNX model's `producer_name` (e.g. `souk training job 0x…`). @default 'souk' */
  producer?: string | undefined;
  /** Called after each epoch with its mean loss and training accuracy (progress for the job's watchers). */
  onEpoch?: ((epoch: number, loss: number, accuracy: number) => void) | undefined;
  /**
   * Starting weights instead of the seeded initialisation (a collaboration round starting from the previous
   * aggregate): every layer's kernel (row-major `[in, out]`) then bias, input side first, as the template and the
   * dataset's feature count size them. The optimiser starts fresh (Adam's moments at zero) either way.
   */
  initialWeights?: readonly Float32Array[] | undefined;
};

/** A trained classifier. */
export type TrainedClassifier = {
  /** The dense layers, input side first. */
  layers: DenseLayer[];
  /** SHA-256 of the weights ({@link weightsHash}), `0x`-prefixed hex: what verifying providers must agree on. */
  weightsHash: `0x${string}`;
  /** The model as ONNX (`onnxExport.ts`), ready to publish. */
  onnx: Uint8Array;
  /** Per epoch: mean categorical cross-entropy and training accuracy (0…1). */
  history: { loss: number[]; accuracy: number[] };
};

let backendReady: Promise<void> | undefined;

/** Selects the CPU backend once per process; `PROD` silences TF.js's console advice to install tfjs-node. */
function cpuBackend(): Promise<void> {
  backendReady ??= (async () => {
    tf.env().set('PROD', true);
    if (!(await tf.setBackend('cpu'))) throw new Error('The TensorFlow.js CPU backend failed to initialise.');
  })();
  return backendReady;
}

/**
 * The hash verifying providers compare: SHA-256 over every layer's kernel then bias, as little-endian float32, input
 * side first. Independent of the ONNX container, so the model file's metadata can change without changing it.
 * @param layers - Dense layers, input side first.
 */
export function weightsHash(layers: readonly DenseLayer[]): `0x${string}` {
  const hash = createHash('sha256');
  for (const layer of layers) {
    for (const data of [layer.kernel, layer.bias]) {
      const bytes = new Uint8Array(data.length * 4);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i] as number, true);
      hash.update(bytes);
    }
  }
  return `0x${hash.digest('hex')}`;
}

/** A permutation of `0…n−1` from a seeded Alea generator (Fisher–Yates). */
function shuffledOrder(n: number, seed: number, epoch: number): Int32Array {
  const random = seedrandom.alea(`${seed}:${epoch}`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

/**
 * Trains a classifier from a template, deterministically (see the module comment).
 * @returns The layers, their {@link weightsHash}, the ONNX model and the loss/accuracy history.
 * @throws {InvalidInputError} On a template or hyper-parameters out of range (`checkTrainingRequest`), or a dataset
 * that is empty or whose rows do not match `features`.
 * @example
 * ```ts
 * import { readLabelledDataset, trainClassifier } from '@souk/provider/training';
 * const dataset = readLabelledDataset(npzBytes, 10);
 * const { weightsHash, onnx } = await trainClassifier({
 *   dataset, classes: 10, template: { kind: 'mlp', hidden: [64] },
 *   hyperparameters: { epochs: 40, batchSize: 32, learningRate: 0.01, seed: 7 },
 * });
 * ```
 */
export async function trainClassifier({
  dataset,
  classes,
  template,
  hyperparameters,
  producer = 'souk',
  onEpoch,
  initialWeights,
}: TrainClassifierParameters): Promise<TrainedClassifier> {
  checkTrainingRequest(template, hyperparameters);
  const { x, y, features } = dataset;
  const n = y.length;
  if (n === 0 || x.length !== n * features) {
    throw new InvalidInputError('The training set is empty or its rows do not match its feature count.');
  }
  if (!Number.isInteger(classes) || classes < 2) throw new InvalidInputError('A classifier has at least 2 classes.');
  await cpuBackend();
  const { epochs, batchSize, learningRate, seed } = hyperparameters;
  const sizes = [...template.hidden, classes];
  const model = tfl.sequential();
  sizes.forEach((units, i) => {
    model.add(
      tfl.layers.dense({
        ...(i === 0 ? { inputShape: [features] } : {}),
        units,
        activation: i === sizes.length - 1 ? 'softmax' : 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: (seed + i) % 2 ** 32 }),
        biasInitializer: 'zeros',
      }),
    );
  });
  if (initialWeights) {
    const shapes = sizes.flatMap((out, i) => [[i === 0 ? features : (sizes[i - 1] as number), out], [out]]);
    if (
      initialWeights.length !== shapes.length ||
      initialWeights.some((w, i) => w.length !== (shapes[i] as number[]).reduce((a, b) => a * b, 1))
    ) {
      model.dispose();
      throw new InvalidInputError('The starting weights do not fit the template and the dataset’s features.', {
        details: `expected tensors of ${shapes.map((s) => s.join('×')).join(', ')}`,
      });
    }
    const tensors = initialWeights.map((w, i) => tf.tensor(w, shapes[i] as number[], 'float32'));
    model.setWeights(tensors);
    tf.dispose(tensors);
  }
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = { loss: [] as number[], accuracy: [] as number[] };
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = shuffledOrder(n, seed, epoch);
      const rows = new Float32Array(n * features);
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const k = order[i] as number;
        rows.set(x.subarray(k * features, (k + 1) * features), i * features);
        labels[i] = y[k] as number;
      }
      const result = tf.tidy(() => ({
        xs: tf.tensor2d(rows, [n, features]),
        ys: tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32'),
      }));
      try {
        const fitted = await model.fit(result.xs, result.ys, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
        const loss = Number(fitted.history.loss?.[0]);
        const accuracy = Number((fitted.history.acc ?? fitted.history.accuracy)?.[0]);
        history.loss.push(loss);
        history.accuracy.push(accuracy);
        onEpoch?.(epoch, loss, accuracy);
      } finally {
        tf.dispose([result.xs, result.ys]);
      }
    }
    const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
    const layers: DenseLayer[] = sizes.map((out, i) => ({
      in: i === 0 ? features : (sizes[i - 1] as number),
      out,
      kernel: Float32Array.from(weights[2 * i] as Float32Array),
      bias: Float32Array.from(weights[2 * i + 1] as Float32Array),
    }));
    return { layers, weightsHash: weightsHash(layers), onnx: exportMlpToOnnx(layers, producer), history };
  } finally {
    model.dispose();
  }
}

/**
 * Predicts classes with the trained layers in plain float32 JavaScript (the reference the ONNX export is checked
 * against; inference providers run the ONNX model).
 * @param layers - From {@link trainClassifier}.
 * @param x - Row-major `[N, features]`.
 * @returns The most probable class of each row (the first on a tie).
 */
export function predictClasses(layers: readonly DenseLayer[], x: Float32Array): Int32Array {
  const features = layers[0]?.in ?? 0;
  const n = x.length / features;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let a = x.subarray(r * features, (r + 1) * features);
    layers.forEach((layer, li) => {
      const z = new Float32Array(layer.out);
      for (let o = 0; o < layer.out; o++) {
        let sum = layer.bias[o] as number;
        for (let i = 0; i < layer.in; i++) sum += (a[i] as number) * (layer.kernel[i * layer.out + o] as number);
        z[o] = li < layers.length - 1 ? Math.max(0, sum) : sum;
      }
      a = z;
    });
    let best = 0;
    for (let k = 1; k < a.length; k++) if ((a[k] as number) > (a[best] as number)) best = k;
    out[r] = best;
  }
  return out;
}
