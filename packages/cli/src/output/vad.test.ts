/**
 * The VAD formatter on a real result: Silero VAD (the pipeline, on ONNX Runtime) over an eSpeak NG recording of
 * phrases between known silences, its canonical result read back as `souk run` receives it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canonicalResult, createRuntime, createVadPipeline, type Runtime } from '@souk/provider';
import { SILERO_VAD_MODEL, type Span, speechRecording } from '@souk/provider/test-utils/speech';
import { formatOutput, outputKind } from './result.ts';
import { formatVad, isVadOutput, type VadResult } from './vad.ts';

describe('formatVad on Silero VAD over eSpeak NG speech', () => {
  let runtime: Runtime;
  let output: VadResult;
  let truth: Span[];

  before(async () => {
    runtime = createRuntime();
    const recording = await speechRecording();
    truth = recording.truth;
    const vad = await createVadPipeline({ model: SILERO_VAD_MODEL });
    const { output: raw } = await vad.run(runtime, recording.wav);
    output = JSON.parse(new TextDecoder().decode(canonicalResult(raw)));
  });
  after(() => runtime?.close());

  test('is recognised as a VAD result', () => {
    assert.ok(isVadOutput(output));
    assert.equal(outputKind(output), 'vad');
    assert.deepEqual(formatOutput(output), formatVad(output));
  });

  test('prints one line per spoken phrase, in seconds with the probability, where the phrase is', () => {
    const lines = formatVad(output);
    assert.equal(lines[0], `Speech  ${truth.length} segments in ${output.duration.toFixed(2)} s`);
    const rows = lines.slice(1, -1);
    assert.equal(rows.length, truth.length);
    for (const [i, row] of rows.entries()) {
      const match = /^ {2}(\d+\.\d{2}) s – (\d+\.\d{2}) s {2}\(p (0\.\d{2}|1\.00)\)$/.exec(row);
      assert.ok(match, row);
      assert.ok(Math.abs(Number(match[1]) - truth[i].start) < 0.3, `${row} starts near ${truth[i].start}`);
      assert.ok(Math.abs(Number(match[2]) - truth[i].end) < 0.3, `${row} ends near ${truth[i].end}`);
      assert.ok(Number(match[3]) >= 0.5, row);
    }
  });

  test('ends with the total speech: the sum of the segments and its share of the recording', () => {
    const total = output.segments.reduce((sum, s) => sum + (s.end - s.start), 0);
    const spoken = truth.reduce((sum, s) => sum + (s.end - s.start), 0);
    assert.ok(Math.abs(total - spoken) < 0.2 * truth.length, `${total} s of speech, ${spoken} s spoken`);
    assert.equal(
      formatVad(output).at(-1),
      `  total speech ${total.toFixed(2)} s (${((total / output.duration) * 100).toFixed(1)} %)`,
    );
  });

  test('says so when there is no speech', () => {
    assert.deepEqual(formatVad({ duration: 2.5, segments: [] }), ['Speech  0 segments in 2.50 s', '  no speech found']);
  });
});
