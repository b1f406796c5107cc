import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeEvaluation } from '@souk/protocol';
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
import { predictClasses, trainClassifier } from '../training/train.ts';
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
