import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { readModelInputs, unpackBundle } from '@souk/provider';
import { entry, vadBundle } from './vad.ts';

describe('catalogue: Silero VAD', () => {
  test('packs the model and its MIT licence, and declares the inputs the ONNX graph has', async () => {
    const bundle = await vadBundle();
    const files = unpackBundle(bundle);
    assert.deepEqual(Object.keys(files).sort(), ['LICENSE', 'model.onnx']);
    assert.equal(files['model.onnx'].length, 1_289_603);
    assert.match(new TextDecoder().decode(files.LICENSE), /MIT License[\s\S]*Silero Team/);
    assert.deepEqual(await readModelInputs(files), entry.inputs);
    // the same bytes on every call: the devnet's asset content does not change between starts
    const again = await vadBundle();
    assert.equal(createHash('sha256').update(again).digest('hex'), createHash('sha256').update(bundle).digest('hex'));
  });

  test('names the vad pipeline, an SPDX licence and a runnable example', () => {
    assert.equal(entry.pipeline, 'vad');
    assert.equal(entry.license, 'MIT');
    assert.match(entry.example, /^souk run <id> --input \S+\.wav$/);
    assert.ok(entry.inputMediaTypes.includes('audio/wav'));
    assert.match(entry.modelCard, /@jjhbw\/silero-vad/);
  });
});
