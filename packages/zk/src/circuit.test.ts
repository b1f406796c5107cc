import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportMlpToOnnx } from '@souk/provider/training';
import { circuitInput, generateCircuit } from './circuit.ts';
import { modelCommitment } from './commitment.ts';
import { QuantizationError } from './errors.ts';
import { readOnnxMlp } from './onnxMlp.ts';
import { quantizeMlp } from './quantize.ts';
import { randomInputs, randomLayers } from './test/fixtures.ts';

const quantized = (sizes: number[], seed = 1) =>
  quantizeMlp(readOnnxMlp(exportMlpToOnnx(randomLayers(sizes, seed))), randomInputs(32, sizes[0] as number, 2));

describe('circuit generation', () => {
  it('names the public signals, pins the model commitment and lays out the private inputs', async () => {
    const q = quantized([16, 8, 4]);
    const c = await generateCircuit(q);
    assert.deepEqual(c.publicSignals, [
      'modelCommitment',
      'inputCommitment',
      'class',
      'logits[0]',
      'logits[1]',
      'logits[2]',
      'logits[3]',
    ]);
    assert.equal(c.modelCommitment, await modelCommitment(q));
    assert.match(c.source, new RegExp(`modelCommitment === ${c.modelCommitment};`));
    assert.match(c.source, /signal input model\[172\];/);
    assert.match(c.source, /component main = SoukMlp\(\);/);
    const input = circuitInput(q, new Int8Array(16).fill(-3));
    assert.equal(input.model.length, 172);
    assert.deepEqual(input.x, new Array(16).fill('-3'));
    assert.throws(() => circuitInput(q, [1]), QuantizationError);
  });

  it('keeps the logits private on request', async () => {
    const c = await generateCircuit(quantized([16, 8, 4]), { publicLogits: false });
    assert.deepEqual(c.publicSignals, ['modelCommitment', 'inputCommitment', 'class']);
    assert.match(c.source, /^ {4}signal logits\[4\];$/m);
    assert.doesNotMatch(c.source, /signal output logits/);
  });

  it('a different model gives a different circuit hash; the same model the same source', async () => {
    const a = await generateCircuit(quantized([16, 8, 4], 1));
    assert.equal((await generateCircuit(quantized([16, 8, 4], 1))).hash, a.hash);
    assert.notEqual((await generateCircuit(quantized([16, 8, 4], 5))).hash, a.hash);
  });

  it('refuses a one-class model', async () => {
    await assert.rejects(generateCircuit(quantized([4, 1])), QuantizationError);
  });
});
