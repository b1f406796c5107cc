import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  decodeWeights,
  encodeEvaluation,
  encodeRoundInput,
  encodeWeights,
  fedAvg,
  isRoundTrainOutput,
  type RoundTrainOutput,
} from '@souk/protocol';
import * as ort from 'onnxruntime-node';
import { InvalidInputError } from '../errors.ts';
import { packBundle } from '../jobs/bundle.ts';
import { checkJobInput } from '../jobs/checkInput.ts';
import { createJobExecutor } from '../jobs/execute.ts';
import { createRuntime, type Runtime } from '../runtime/createRuntime.ts';
import { GLYPH_SIZE, packGlyphs, renderGlyphs } from '../test/glyphs.ts';
import { readLabelledDataset, writeLabelledDataset } from '../training/dataset.ts';
import { classificationMetrics } from '../training/metrics.ts';
import { CLASSIFIER_INPUT, CLASSIFIER_OUTPUT } from '../training/onnxExport.ts';
import { predictClasses, trainClassifier, weightsHash } from '../training/train.ts';
import { isTrainOutput, type TrainingRecipe, type TrainOutput } from './train.ts';

const recipe: TrainingRecipe = {
  template: { kind: 'mlp', hidden: [32] },
  hyperparameters: { epochs: 8, batchSize: 32, learningRate: 0.01, seed: 3 },
  classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};
const recipeBundle = packBundle({ 'recipe.json': new TextEncoder().encode(JSON.stringify(recipe)) });

describe('the train pipeline: a training job run by the job executor in the runtime worker', () => {
  let runtimes: Runtime[];
  let dataset: Uint8Array;

  before(() => {
    // The digits only, one size: a small real dataset (21 faces × 10 digits).
    const { samples, labels } = packGlyphs(renderGlyphs([13]).filter((g) => g.label < 10));
    dataset = writeLabelledDataset(samples, [GLYPH_SIZE, GLYPH_SIZE], labels);
    runtimes = [createRuntime({ threads: 1 }), createRuntime({ threads: 2 })];
  });
  after(() => Promise.all(runtimes.map((r) => r.close())));

  it('gives the same result hash on two runtimes, and the weights the engine trains directly', async () => {
    const [a, b] = await Promise.all(
      runtimes.map((runtime) =>
        createJobExecutor({ runtime }).execute({ pipeline: 'train', bundle: recipeBundle, input: dataset }),
      ),
    );
    assert.ok(a && b);
    assert.equal(a.resultHash, b.resultHash);
    assert.ok(isTrainOutput(a.output));
    const { training } = a.output as TrainOutput;
    const direct = await trainClassifier({
      dataset: readLabelledDataset(dataset, 10),
      classes: 10,
      template: recipe.template,
      hyperparameters: recipe.hyperparameters,
    });
    assert.equal(training.weightsHash, direct.weightsHash);
    assert.equal(training.samples, 210);
    assert.equal(training.history.loss.length, recipe.hyperparameters.epochs);
    assert.equal(a.runtimeRecord.pipeline, 'train');
    // The returned model is a runnable classifier.
    const session = await ort.InferenceSession.create(Buffer.from(training.model, 'base64'));
    const x = readLabelledDataset(dataset, 10).x.subarray(0, 10 * GLYPH_SIZE * GLYPH_SIZE);
    const out = await session.run({ [CLASSIFIER_INPUT]: new ort.Tensor('float32', x, [10, training.features]) });
    assert.deepEqual(out[CLASSIFIER_OUTPUT]?.dims, [10, 10]);
    await session.release();
  });

  it('a collaboration round trains a shard from the given weights, returns them, and matches the engine', async () => {
    const executor = createJobExecutor({ runtime: runtimes[0] as Runtime });
    const full = readLabelledDataset(dataset, 10);
    const features = full.features;
    // Two shards: the even and the odd samples.
    const shard = (parity: number) => {
      const idx = Array.from({ length: full.y.length }, (_, i) => i).filter((i) => i % 2 === parity);
      const samples = new Uint8Array(idx.length * features);
      idx.forEach((k, j) => {
        samples.set(
          Uint8Array.from(full.x.subarray(k * features, (k + 1) * features), (v) => Math.round(v * 255)),
          j * features,
        );
      });
      return writeLabelledDataset(
        samples,
        [GLYPH_SIZE, GLYPH_SIZE],
        Int32Array.from(idx, (k) => full.y[k] as number),
      );
    };
    const shards = [shard(0), shard(1)];
    // Round 0: from the seeded initialisation; round 1: from the FedAvg of round 0's updates.
    const run = async (round: number, weights?: Uint8Array) =>
      Promise.all(
        shards.map(async (data) => {
          const executed = await executor.execute({
            pipeline: 'train',
            bundle: recipeBundle,
            input: encodeRoundInput({ round, weights, dataset: data }),
          });
          assert.ok(isRoundTrainOutput(executed.output));
          return (executed.output as RoundTrainOutput).training;
        }),
      );
    const round0 = await run(0);
    const aggregate = fedAvg(round0.map((u) => ({ weights: Buffer.from(u.weights, 'base64'), samples: u.samples })));
    const round1 = await run(1, aggregate);
    for (const update of [...round0, ...round1]) {
      const bytes = new Uint8Array(Buffer.from(update.weights, 'base64'));
      const sizes = [features * 32, 32, 32 * 10, 10];
      const tensors = decodeWeights(bytes, sizes);
      const layers = [
        { in: features, out: 32, kernel: tensors[0] as Float32Array, bias: tensors[1] as Float32Array },
        { in: 32, out: 10, kernel: tensors[2] as Float32Array, bias: tensors[3] as Float32Array },
      ];
      assert.equal(weightsHash(layers), update.weightsHash, 'SHA-256 of the returned weights is the weights hash');
    }
    assert.deepEqual(
      round1.map((u) => u.round),
      [1, 1],
    );
    // The engine run directly from the same aggregate on the same shard gives the same weights.
    const direct = await trainClassifier({
      dataset: readLabelledDataset(shards[1] as Uint8Array, 10),
      classes: 10,
      template: recipe.template,
      hyperparameters: recipe.hyperparameters,
      initialWeights: decodeWeights(aggregate, [features * 32, 32, 32 * 10, 10]),
    });
    assert.equal(direct.weightsHash, round1[1]?.weightsHash);
    assert.notEqual(round1[1]?.weightsHash, round0[1]?.weightsHash, 'round 1 starts elsewhere than round 0');
    assert.equal(encodeWeights(direct.layers.flatMap((l) => [l.kernel, l.bias])).length, aggregate.length);
    // Weights that do not fit the template are the input's fault.
    await assert.rejects(
      executor.execute({
        pipeline: 'train',
        bundle: recipeBundle,
        input: encodeRoundInput({ round: 2, weights: new Uint8Array(16), dataset: shards[0] as Uint8Array }),
      }),
      (e: Error & { details?: string }) => /InvalidInputError: The weights hold 4 values/.test(`${e.details}`),
    );
    await checkJobInput({ pipeline: 'train', input: encodeRoundInput({ round: 0, dataset: shards[0] as Uint8Array }) });
    await assert.rejects(
      checkJobInput({ pipeline: 'train', input: encodeRoundInput({ round: 0, dataset: new Uint8Array(5) }) }),
      InvalidInputError,
    );
  });

  it('evaluates the trained model on a labelled dataset (an evaluation container on the onnx pipeline)', async () => {
    const executor = createJobExecutor({ runtime: runtimes[0] as Runtime });
    const trained = await trainClassifier({
      dataset: readLabelledDataset(dataset, 10),
      classes: 10,
      template: recipe.template,
      hyperparameters: recipe.hyperparameters,
    });
    const bundle = packBundle({ 'model.onnx': trained.onnx });
    const { output } = await executor.execute({ pipeline: 'onnx', bundle, input: encodeEvaluation(dataset) });
    const data = readLabelledDataset(dataset, 10);
    const { confusion, accuracy, precision, recall, f1 } = classificationMetrics(
      predictClasses(trained.layers, data.x),
      data.y,
      10,
    );
    assert.deepEqual(output, { evaluation: { samples: 210, classes: 10, accuracy, precision, recall, f1, confusion } });
    await assert.rejects(
      executor.execute({ pipeline: 'ocr', bundle, input: encodeEvaluation(dataset) }),
      /An evaluation runs a generic ONNX classifier/,
    );
    await checkJobInput({ pipeline: 'onnx', input: encodeEvaluation(dataset) });
    await assert.rejects(
      checkJobInput({ pipeline: 'onnx', input: encodeEvaluation(new Uint8Array(9)) }),
      InvalidInputError,
    );
  });

  it('refuses a recipe out of range and a dataset that is not labelled .npz, before training', async () => {
    const executor = createJobExecutor({ runtime: runtimes[0] as Runtime });
    const bad = packBundle({
      'recipe.json': new TextEncoder().encode(
        JSON.stringify({ ...recipe, hyperparameters: { ...recipe.hyperparameters, epochs: 0 } }),
      ),
    });
    await assert.rejects(executor.execute({ pipeline: 'train', bundle: bad, input: dataset }), /epochs/);
    const single = packBundle({
      'recipe.json': new TextEncoder().encode(JSON.stringify({ ...recipe, classes: ['only'] })),
    });
    await assert.rejects(executor.execute({ pipeline: 'train', bundle: single, input: dataset }), /classes/);
    await assert.rejects(
      checkJobInput({ pipeline: 'train', input: new TextEncoder().encode('{}') }),
      InvalidInputError,
    );
    await checkJobInput({ pipeline: 'train', input: dataset });
    // Labels beyond the recipe's classes are refused by the worker, not trained on.
    const wide = writeLabelledDataset(new Uint8Array(4), [2], Int32Array.from([0, 11]));
    await assert.rejects(
      executor.execute({ pipeline: 'train', bundle: recipeBundle, input: wide }),
      /Label 11 of sample 1 is outside 0…9/,
    );
  });
});
