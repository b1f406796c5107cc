/**
 * The training formatter on a real result: the provider's `train` pipeline run on digits rendered by ImageMagick,
 * its canonical result read back as `souk run` receives it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createJobExecutor, createRuntime, packBundle, type Runtime, type TrainOutput } from '@souk/provider';
import { GLYPH_SIZE, packGlyphs, renderGlyphs } from '@souk/provider/test-utils/glyphs';
import { writeLabelledDataset } from '@souk/provider/training';
import * as ort from 'onnxruntime-node';
import { formatOutput, outputKind, saveOutput } from './result.ts';

describe('formatTraining on a model trained by the train pipeline', () => {
  let dir: string;
  let runtime: Runtime;
  let output: TrainOutput;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'souk-cli-training-'));
    runtime = createRuntime({ threads: 1 });
    const recipe = {
      template: { kind: 'mlp', hidden: [16] },
      hyperparameters: { epochs: 12, batchSize: 32, learningRate: 0.01, seed: 1 },
      classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    };
    const { samples, labels } = packGlyphs(renderGlyphs([13]).filter((g) => g.label < 10));
    const executed = await createJobExecutor({ runtime }).execute({
      pipeline: 'train',
      bundle: packBundle({ 'recipe.json': new TextEncoder().encode(JSON.stringify(recipe)) }),
      input: writeLabelledDataset(samples, [GLYPH_SIZE, GLYPH_SIZE], labels),
    });
    output = JSON.parse(new TextDecoder().decode(executed.result)) as TrainOutput;
  });
  after(async () => {
    await runtime?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('prints the weights hash, the shape and a curve of at most 11 epochs', () => {
    assert.equal(outputKind(output), 'training');
    const lines = formatOutput(output);
    assert.match(
      lines[0] ?? '',
      /^Trained model {2}256 features → 10 classes \(0, 1, 2, 3, 4, …\), 210 samples, 12 epochs$/,
    );
    assert.equal(lines[1], `  weights hash ${output.training.weightsHash}`);
    const epochs = lines.filter((l) => l.startsWith('  epoch'));
    assert.ok(epochs.length >= 2 && epochs.length <= 11, epochs.join('\n'));
    assert.match(epochs.at(-1) ?? '', /^ {2}epoch {2}12 {2}loss \d+\.\d{4} {2}accuracy \d+\.\d %$/);
    assert.ok(!lines.join('\n').includes(output.training.model.slice(0, 40)), 'the base64 model is not printed');
  });

  test('--output-dir saves model.onnx, which ONNX Runtime loads', async () => {
    const { files } = await saveOutput(output, dir);
    assert.deepEqual(
      files.map((f) => path.basename(f.file)),
      ['result.json', 'model.onnx'],
    );
    const session = await ort.InferenceSession.create(readFileSync(path.join(dir, 'model.onnx')));
    assert.deepEqual([...session.outputNames], ['probabilities']);
    await session.release();
  });
});
