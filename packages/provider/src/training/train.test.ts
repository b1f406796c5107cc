import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { InvalidInputError } from '../errors.ts';
import { writeNpz } from '../pipelines/npz.ts';
import { GLYPH_CLASSES, GLYPH_SIZE, type Glyph, packGlyphs, renderGlyphs } from '../test/glyphs.ts';
import { type LabelledDataset, readLabelledDataset, writeLabelledDataset } from './dataset.ts';
import { classificationMetrics } from './metrics.ts';
import { CLASSIFIER_INPUT, CLASSIFIER_OUTPUT } from './onnxExport.ts';
import { checkTrainingRequest, type TrainingHyperparameters } from './templates.ts';
import { predictClasses, type TrainedClassifier, trainClassifier } from './train.ts';

const FEATURES = GLYPH_SIZE * GLYPH_SIZE;
const CLASSES = GLYPH_CLASSES.length;
const template = { kind: 'mlp' as const, hidden: [96] };
const hyperparameters: TrainingHyperparameters = { epochs: 30, batchSize: 64, learningRate: 0.005, seed: 7 };

/** Every fourth face (by file name) is held out of training: the model is scored on fonts it never saw. */
const heldOut = (g: Glyph, faces: string[]) => faces.indexOf(g.font) % 4 === 3;

describe('deterministic classifier training (TF.js CPU) on rendered glyphs, held-out fonts', () => {
  let trainSet: LabelledDataset;
  let testSet: LabelledDataset;
  let trainNpz: Uint8Array;
  let trained: TrainedClassifier;
  const dir = mkdtempSync(join(tmpdir(), 'souk-train-'));

  before(async () => {
    const glyphs = renderGlyphs();
    const faces = [...new Set(glyphs.map((g) => g.font))];
    assert.ok(faces.length >= 20, `DejaVu faces installed: ${faces.length}`);
    const pack = (gs: Glyph[]) => {
      const { samples, labels } = packGlyphs(gs);
      return writeLabelledDataset(samples, [GLYPH_SIZE, GLYPH_SIZE], labels);
    };
    trainNpz = pack(glyphs.filter((g) => !heldOut(g, faces)));
    trainSet = readLabelledDataset(trainNpz, CLASSES);
    testSet = readLabelledDataset(pack(glyphs.filter((g) => heldOut(g, faces))), CLASSES);
    trained = await trainClassifier({ dataset: trainSet, classes: CLASSES, template, hyperparameters });
  });
  after(() => {
    tf.disposeVariables();
  });

  it('reaches at least 85 % accuracy on held-out fonts, no worse than the same MLP trained with TF.js directly', async () => {
    const ours = classificationMetrics(predictClasses(trained.layers, testSet.x), testSet.y, CLASSES);
    // Baseline: the library used directly, with its own (unseeded) shuffling and defaults for everything else.
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [FEATURES], units: 96, activation: 'relu' }),
        tfl.layers.dense({ units: CLASSES, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(hyperparameters.learningRate), loss: 'categoricalCrossentropy' });
    const xs = tf.tensor2d(trainSet.x, [trainSet.y.length, FEATURES]);
    const ys = tf.cast(tf.oneHot(tf.tensor1d(trainSet.y, 'int32'), CLASSES), 'float32');
    await model.fit(xs, ys, {
      epochs: hyperparameters.epochs,
      batchSize: hyperparameters.batchSize,
      shuffle: true,
      verbose: 0,
    });
    const probabilities = model.predict(tf.tensor2d(testSet.x, [testSet.y.length, FEATURES])) as tf.Tensor;
    const baseline = classificationMetrics(tf.argMax(probabilities, 1).dataSync(), testSet.y, CLASSES);
    model.dispose();
    console.log(
      `held-out fonts (${testSet.y.length} glyphs): accuracy ${(ours.accuracy * 100).toFixed(1)} % (macro F1 ` +
        `${ours.f1.toFixed(3)}); TF.js directly ${(baseline.accuracy * 100).toFixed(1)} %`,
    );
    assert.ok(ours.accuracy >= 0.85, `accuracy ${ours.accuracy}`);
    assert.ok(ours.accuracy >= baseline.accuracy - 0.05, `ours ${ours.accuracy} vs baseline ${baseline.accuracy}`);
    const { loss } = trained.history;
    assert.ok((loss.at(-1) ?? Number.NaN) < (loss[0] ?? Number.NaN), 'the loss falls');
  });

  it('gives the same weights hash in another process (what r = 2 providers compare)', () => {
    const npz = join(dir, 'train.npz');
    writeFileSync(npz, trainNpz);
    const script = `
      import { readFileSync } from 'node:fs';
      import { readLabelledDataset } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'dataset.ts')).href)};
      import { trainClassifier } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'train.ts')).href)};
      const dataset = readLabelledDataset(readFileSync(${JSON.stringify(npz)}), ${CLASSES});
      const { weightsHash } = await trainClassifier({ dataset, classes: ${CLASSES}, template: ${JSON.stringify(template)},
        hyperparameters: ${JSON.stringify(hyperparameters)} });
      process.stdout.write(weightsHash);`;
    const other = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(other, trained.weightsHash);
  });

  it('gives a different hash for another seed (the hash does depend on the training)', async () => {
    const small = readLabelledDataset(trainNpz, CLASSES);
    const other = await trainClassifier({
      dataset: small,
      classes: CLASSES,
      template,
      hyperparameters: { ...hyperparameters, epochs: 2, seed: 8 },
    });
    assert.notEqual(other.weightsHash, trained.weightsHash);
  });

  it('exports to ONNX that ONNX Runtime runs with the same predictions as training', async () => {
    const session = await ort.InferenceSession.create(trained.onnx);
    assert.deepEqual([...session.inputNames], [CLASSIFIER_INPUT]);
    assert.deepEqual([...session.outputNames], [CLASSIFIER_OUTPUT]);
    const n = testSet.y.length;
    const out = await session.run({ [CLASSIFIER_INPUT]: new ort.Tensor('float32', testSet.x, [n, FEATURES]) });
    const p = out[CLASSIFIER_OUTPUT]?.data as Float32Array;
    const fromOnnx = Int32Array.from({ length: n }, (_, r) => {
      let best = 0;
      for (let k = 1; k < CLASSES; k++)
        if ((p[r * CLASSES + k] as number) > (p[r * CLASSES + best] as number)) best = k;
      return best;
    });
    assert.deepEqual(fromOnnx, predictClasses(trained.layers, testSet.x));
    for (let r = 0; r < n; r++) {
      const sum = p.subarray(r * CLASSES, r * CLASSES + CLASSES).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `row ${r} sums to ${sum}`);
    }
    await session.release();
  });
});

describe('training requests and datasets are checked before any work', () => {
  it('refuses hyper-parameters out of range, naming the field', () => {
    const ok = { epochs: 1, batchSize: 1, learningRate: 0.1, seed: 0 };
    assert.throws(() => checkTrainingRequest(template, { ...ok, epochs: 0 }), /epochs/);
    assert.throws(() => checkTrainingRequest(template, { ...ok, batchSize: 1.5 }), /batchSize/);
    assert.throws(() => checkTrainingRequest(template, { ...ok, learningRate: 0 }), /learningRate/);
    assert.throws(() => checkTrainingRequest(template, { ...ok, seed: -1 }), /seed/);
    assert.throws(() => checkTrainingRequest({ kind: 'mlp', hidden: [] }, ok), /hidden layers/);
    assert.throws(() => checkTrainingRequest({ kind: 'mlp', hidden: [2048] }, ok), /units/);
    assert.throws(() => checkTrainingRequest({ kind: 'cnn' } as never, ok), InvalidInputError);
    assert.doesNotThrow(() => checkTrainingRequest(template, ok));
  });

  it('refuses a dataset whose labels exceed the classes or whose lengths differ', () => {
    const npz = writeLabelledDataset(new Uint8Array(8), [4], Int32Array.from([0, 3]));
    assert.throws(() => readLabelledDataset(npz, 3), /Label 3 of sample 1/);
    assert.equal(readLabelledDataset(npz, 4).features, 4);
    const short = writeNpz({
      x: { dtype: 'uint8', dims: [3, 4], data: new Uint8Array(12) },
      y: { dtype: 'int32', dims: [2], data: Int32Array.from([0, 1]) },
    });
    assert.throws(() => readLabelledDataset(short, 4), /"x" holds 3 samples but "y" 2 labels/);
  });
});

describe('classification metrics (scikit-learn macro averages, zero_division = 0)', () => {
  it('computes accuracy, macro precision/recall/F1 and the confusion matrix', () => {
    // actual:    0 0 0 1 1 2
    // predicted: 0 0 1 1 1 1   → class 2 never predicted
    const m = classificationMetrics([0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 2], 3);
    assert.deepEqual(m.confusion, [
      [2, 1, 0],
      [0, 2, 0],
      [0, 1, 0],
    ]);
    assert.equal(m.accuracy, 4 / 6);
    // precision: c0 2/2, c1 2/4, c2 0 → 0.5; recall: c0 2/3, c1 2/2, c2 0/1 → 5/9
    assert.ok(Math.abs(m.precision - 0.5) < 1e-12);
    assert.ok(Math.abs(m.recall - 5 / 9) < 1e-12);
    const f = (p: number, r: number) => (2 * p * r) / (p + r);
    assert.ok(Math.abs(m.f1 - (f(1, 2 / 3) + f(0.5, 1) + 0) / 3) < 1e-12);
  });

  it('refuses mismatched or out-of-range input', () => {
    assert.throws(() => classificationMetrics([0], [0, 1], 2), RangeError);
    assert.throws(() => classificationMetrics([], [], 2), RangeError);
    assert.throws(() => classificationMetrics([2], [0], 2), RangeError);
  });
});
