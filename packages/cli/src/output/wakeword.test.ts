/**
 * The wake-word formatter on a real result: openWakeWord (the pipeline, on ONNX Runtime, with the four heads of the
 * catalogue) over an eSpeak NG recording of "Hey Jarvis", an ordinary sentence and "Alexa", its canonical result read
 * back as `souk run` receives it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  canonicalResult,
  createRuntime,
  createWakewordPipeline,
  type Runtime,
  type WakewordOutput,
} from '@souk/provider';
import { OPENWAKEWORD_MODELS, type Span, wakewordRecording } from '@souk/provider/test-utils/speech';
import { formatOutput, outputKind, saveOutput } from './result.ts';
import { isVadOutput } from './vad.ts';
import { formatWakeword, isWakewordOutput } from './wakeword.ts';

const HEADS = ['alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy'];

describe('formatWakeword on openWakeWord over eSpeak NG speech', () => {
  let dir: string;
  let runtime: Runtime;
  let output: WakewordOutput;
  let said: { keyword: string; span: Span }[];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'souk-cli-wakeword-'));
    const recording = await wakewordRecording();
    said = recording.truth.flatMap(({ keyword, span }) => (keyword ? [{ keyword, span }] : []));
    runtime = createRuntime({ threads: 1 });
    const model = (file: string) => path.join(OPENWAKEWORD_MODELS, file);
    const wakeword = await createWakewordPipeline({
      melspectrogramModel: model('melspectrogram.onnx'),
      embeddingModel: model('embedding_model.onnx'),
      keywordModels: Object.fromEntries(HEADS.map((name) => [name, model(`${name}_v0.1.onnx`)])),
    });
    const { output: raw } = await wakeword.run(runtime, recording.wav);
    output = JSON.parse(new TextDecoder().decode(canonicalResult(raw)));
  });
  after(async () => {
    await runtime?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('is recognised as a wake-word result, not as speech segments', () => {
    assert.ok(isWakewordOutput(output));
    assert.ok(!isVadOutput(output));
    assert.equal(outputKind(output), 'wakeword');
    assert.deepEqual(formatOutput(output), formatWakeword(output));
  });

  test('prints one line per wake word said, with when it was heard and its score', () => {
    const lines = formatWakeword(output);
    assert.equal(lines[0], `Wake words  ${said.length} detected in ${output.duration.toFixed(2)} s`);
    const rows = lines.slice(1, -1);
    assert.equal(rows.length, said.length, lines.join('\n'));
    for (const [i, row] of rows.entries()) {
      const match = /^ {2}([a-z_]+) +at (\d+\.\d{2}) s {2}\(score (0\.\d{2}|1\.00)\)$/.exec(row);
      assert.ok(match, row);
      assert.equal(match[1], said[i].keyword, row);
      // openWakeWord has heard a wake word shortly after it ends (docs/provider.md).
      const time = Number(match[2]);
      assert.ok(
        time >= said[i].span.start && time <= said[i].span.end + 1.2,
        `${row}: said ${JSON.stringify(said[i])}`,
      );
      assert.ok(Number(match[3]) >= 0.5, row);
    }
    assert.equal(rows[0].indexOf(' at '), rows[1].indexOf(' at '), 'the times line up');
  });

  test('ends with every wake word listened for and its highest score', () => {
    const last = formatWakeword(output).at(-1) ?? '';
    const match = /^ {2}highest scores: (.+)$/.exec(last);
    assert.ok(match, last);
    const scores = match[1].split(', ').map((part) => part.split(' '));
    assert.deepEqual(
      scores.map(([keyword]) => keyword),
      HEADS,
    );
    for (const [keyword, score] of scores) {
      const heard = said.some((s) => s.keyword === keyword);
      assert.ok(heard ? Number(score) >= 0.5 : Number(score) < 0.5, `${keyword} ${score}`);
    }
  });

  test('saveOutput writes only result.json, the canonical bytes', async () => {
    const { files } = await saveOutput(output, dir);
    assert.deepEqual(
      files.map((f) => path.basename(f.file)),
      ['result.json'],
    );
    assert.deepEqual(new Uint8Array(readFileSync(files[0].file)), canonicalResult(output));
  });

  test('says "none detected" when no wake word was heard', () => {
    assert.deepEqual(
      formatWakeword({ duration: 2.5, keywords: [{ keyword: 'alexa', maxScore: 0.0123 }], detections: [] }),
      ['Wake words  0 detected in 2.50 s', '  none detected', '  highest scores: alexa 0.0123'],
    );
  });

  test('tells speech segments and wake words apart by their fields', () => {
    assert.equal(outputKind({ duration: 3, segments: [] }), 'vad');
    assert.equal(outputKind({ duration: 3, keywords: [], detections: [] }), 'wakeword');
    assert.ok(!isWakewordOutput({ duration: 3, segments: [] }));
    assert.ok(!isWakewordOutput({ duration: 3, detections: [] }), 'detections without keywords');
    assert.ok(!isWakewordOutput({ duration: 3, keywords: [], detections: [{ keyword: 'alexa', time: '1' }] }));
  });
});
