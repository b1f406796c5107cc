import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { InferenceSession } from 'onnxruntime-node';
import { InvalidInputError, JobFailedError } from '../errors.ts';
import { packBundle } from '../jobs/bundle.ts';
import { checkJobInput } from '../jobs/checkInput.ts';
import { createJobExecutor } from '../jobs/execute.ts';
import { classifyJobFailure } from '../jobs/failure.ts';
import { canonicalResult } from '../result.ts';
import { createRuntime, type Runtime } from '../runtime/createRuntime.ts';
import {
  encodeWav,
  layOut,
  rawSileroVad,
  SILERO_VAD_MODEL,
  type Span,
  spanIoU,
  speechRecording,
  TEST_PHRASES,
} from '../test/speech.ts';
import {
  checkAudioInput,
  createVadPipeline,
  decodeSpeechAudio,
  speechSegments,
  VAD_WINDOW,
  type VadOutput,
  type VadPipeline,
} from './vad.ts';

/** Spans where raw probabilities are ≥ 0.5, window by window (no hysteresis, no padding). */
function thresholdSpans(probabilities: Float32Array): Span[] {
  const spans: Span[] = [];
  let open = -1;
  for (let i = 0; i <= probabilities.length; i++) {
    const speech = i < probabilities.length && probabilities[i] >= 0.5;
    if (speech && open < 0) open = i;
    if (!speech && open >= 0) {
      spans.push({ start: (open * VAD_WINDOW) / 16_000, end: (i * VAD_WINDOW) / 16_000 });
      open = -1;
    }
  }
  return spans;
}

describe('VAD pipeline on eSpeak speech', () => {
  let runtime: Runtime;
  let vad: VadPipeline;
  let session: InferenceSession | undefined;
  let scene: { samples: Float32Array; sampleRate: number; truth: Span[] };
  let wav: Uint8Array;
  let output: VadOutput;

  before(async () => {
    const recording = await speechRecording(); // 16-bit mono at eSpeak's 22,050 Hz: resampled to 16 kHz
    scene = recording;
    wav = recording.wav;
    runtime = createRuntime({ threads: 1 });
    vad = await createVadPipeline({ model: SILERO_VAD_MODEL });
    output = (await vad.run(runtime, wav)).output;
  });

  after(async () => {
    await runtime?.close();
    await session?.release();
  });

  test('finds one segment per phrase, where the speech is (IoU vs the ground truth ≥ 0.85)', (t) => {
    const duration = scene.samples.length / scene.sampleRate;
    assert.equal(output.duration, Math.round(duration * 1000) / 1000);
    assert.equal(output.segments.length, TEST_PHRASES.length, JSON.stringify(output.segments));
    for (const [i, truth] of scene.truth.entries()) {
      const segment = output.segments[i];
      // Silero's 30 ms padding and 32 ms windows: each edge within 150 ms of where the phrase is audible.
      assert.ok(Math.abs(segment.start - truth.start) < 0.15, `phrase ${i} start ${segment.start} vs ${truth.start}`);
      assert.ok(Math.abs(segment.end - truth.end) < 0.15, `phrase ${i} end ${segment.end} vs ${truth.end}`);
      assert.ok(segment.probability > 0.8 && segment.probability <= 1, `phrase ${i} probability`);
    }
    const iou = spanIoU(output.segments, scene.truth, duration);
    t.diagnostic(`pipeline IoU vs ground truth: ${iou.toFixed(4)}`);
    assert.ok(iou >= 0.85, `IoU ${iou}`);
  });

  test('agrees with the raw model run directly in onnxruntime-node on the same 16 kHz samples', async (t) => {
    const { samples } = await decodeSpeechAudio(wav);
    const raw = await rawSileroVad(samples);
    session = raw.session;
    const duration = samples.length / 16_000;
    // The raw model's own answer, window by window at Silero's threshold, against the ground truth…
    const rawIoU = spanIoU(thresholdSpans(raw.probabilities), scene.truth, duration);
    const pipelineIoU = spanIoU(output.segments, scene.truth, duration);
    t.diagnostic(`IoU vs ground truth: raw windows ${rawIoU.toFixed(4)}, pipeline ${pipelineIoU.toFixed(4)}`);
    assert.ok(pipelineIoU >= rawIoU - 0.03, `pipeline ${pipelineIoU} vs raw ${rawIoU}`);
    // …and Silero's segment decision over the raw probabilities gives the pipeline's segments to the millisecond.
    const fromRaw = speechSegments(raw.probabilities, samples.length).map((s) => ({
      start: Math.round(s.start / 16) / 1000,
      end: Math.round(s.end / 16) / 1000,
    }));
    assert.deepEqual(
      output.segments.map(({ start, end }) => ({ start, end })),
      fromRaw,
    );
  });

  test('reads stereo 32-bit float WAV, and 16 kHz WAV without resampling, alike', async () => {
    const stereo = encodeWav([scene.samples, scene.samples], scene.sampleRate, 'float32');
    const fromStereo = (await vad.run(runtime, stereo)).output;
    assert.equal(fromStereo.segments.length, TEST_PHRASES.length);
    assert.ok(spanIoU(fromStereo.segments, output.segments, output.duration) > 0.97);

    const { samples } = await decodeSpeechAudio(stereo);
    const at16k = (await vad.run(runtime, encodeWav([samples], 16_000, 'float32'))).output;
    assert.deepEqual(at16k, fromStereo); // the same 16 kHz samples, bit for bit
  });

  test('finds no speech in digital silence or in a −50 dBFS noise floor', async () => {
    const silence = (await vad.run(runtime, encodeWav([new Float32Array(3 * 16_000)], 16_000))).output;
    assert.deepEqual(silence, { duration: 3, segments: [] });
    const noise = layOut([], [3], { noise: 0.003, seed: 7 });
    const noisy = (await vad.run(runtime, encodeWav([noise.samples], noise.samples.length / 3))).output;
    assert.deepEqual(noisy.segments, []);
  });

  test('refuses bytes that are not audio, at order time and in the worker, as invalid input', async () => {
    const text = new TextEncoder().encode('RIFF? no: just text, not a recording');
    assert.throws(() => checkAudioInput(text), InvalidInputError);
    await assert.rejects(checkJobInput({ pipeline: 'vad', input: text }), /not a readable audio file/);
    await checkJobInput({ pipeline: 'vad', input: wav });
    await assert.rejects(vad.run(runtime, text), (error: unknown) => {
      assert.ok(error instanceof JobFailedError);
      assert.match(String(error.details), /InvalidInputError: The input is not a readable audio file/);
      const verdict = classifyJobFailure(error);
      assert.ok(verdict.deterministic && verdict.code === 'invalid-input', JSON.stringify(verdict));
      return true;
    });
    const truncated = wav.slice(0, 40); // a WAV header cut before its data chunk
    await assert.rejects(vad.run(runtime, truncated), JobFailedError);
    assert.equal((await vad.run(runtime, wav)).output.segments.length, TEST_PHRASES.length); // still usable
  });

  test('gives the same result hash on two runs through the job executor, on separate runtimes', async () => {
    const bundle = packBundle({ 'model.onnx': new Uint8Array(readFileSync(SILERO_VAD_MODEL)) });
    const other = createRuntime({ threads: 1 });
    try {
      const first = await createJobExecutor({ runtime }).execute({ pipeline: 'vad', bundle, input: wav });
      const second = await createJobExecutor({ runtime: other }).execute({ pipeline: 'vad', bundle, input: wav });
      assert.equal(first.resultHash, second.resultHash);
      assert.deepEqual(first.result, second.result);
      assert.deepEqual(first.output, output);
      assert.equal(first.runtimeRecord.pipeline, 'vad');
      assert.deepEqual(Object.keys(first.runtimeRecord.models), ['model']);
      const text = new TextDecoder().decode(first.result);
      assert.match(text, /^\{"duration":\d+(\.\d{1,3})?,"segments":\[\{"end":[\d.]+,"probability":[\d.]+,"start":/);
      assert.equal(text, new TextDecoder().decode(canonicalResult(output)));
    } finally {
      await other.close();
    }
  });
});

describe('speechSegments (Silero get_speech_timestamps)', () => {
  /** Probabilities from a pattern: one character per 512-sample window, `#` = 0.9, `-` = 0.4, `.` = 0.1. */
  const probs = (pattern: string) => Float32Array.from(pattern, (c) => (c === '#' ? 0.9 : c === '-' ? 0.4 : 0.1));
  const run = (pattern: string) =>
    speechSegments(probs(pattern), pattern.length * VAD_WINDOW).map(({ start, end }) => [start, end]);

  test('opens at the first window ≥ 0.5, closes after 100 ms below 0.35, and pads 30 ms (480 samples) each side', () => {
    // speech in windows 2..11 (10 × 32 ms = 320 ms > 250 ms), then silence
    assert.deepEqual(run('..##########..........'), [[2 * 512 - 480, 12 * 512 + 480]]);
  });

  test('drops segments of 250 ms or less', () => {
    assert.deepEqual(run('..#######.............'), []); // 7 windows = 224 ms
    assert.deepEqual(run('..########............'), [[2 * 512 - 480, 10 * 512 + 480]]); // 8 windows = 256 ms
  });

  test('keeps one segment across a pause shorter than 100 ms, and across probabilities between 0.35 and 0.5', () => {
    assert.deepEqual(run('..#####..#####.........'), [[2 * 512 - 480, 14 * 512 + 480]]); // 64 ms pause
    assert.deepEqual(run('..#####------#####.........'), [[2 * 512 - 480, 18 * 512 + 480]]);
  });

  test('splits where probabilities stay below 0.35 for 100 ms, counted between window starts', () => {
    // 4 silent windows: 96 ms from the first silent window's start to the last's: one segment
    assert.deepEqual(run('..#########....#########.........'), [[2 * 512 - 480, 24 * 512 + 480]]);
    // 5 silent windows (128 ms): two segments; their gap (5 × 512 samples) exceeds 2 × 480, so both are fully padded
    assert.deepEqual(run('..#########.....#########.........'), [
      [2 * 512 - 480, 11 * 512 + 480],
      [16 * 512 - 480, 25 * 512 + 480],
    ]);
  });

  test('shares a gap shorter than twice the padding half and half between two segments', () => {
    const pattern = '..#########.....#########.........';
    const segments = speechSegments(probs(pattern), pattern.length * 512, { speechPadMs: 100 }); // 1,600 samples
    const gap = 5 * 512; // < 2 × 1,600
    assert.deepEqual(
      segments.map(({ start, end }) => [start, end]),
      [
        [0, 11 * 512 + gap / 2],
        [16 * 512 - gap / 2, 25 * 512 + 1600],
      ],
    );
  });

  test('ends a segment still open with the audio, and reports the mean probability of its windows', () => {
    const [segment] = speechSegments(probs('..##########'), 12 * 512 - 100);
    assert.deepEqual([segment.start, segment.end], [2 * 512 - 480, 12 * 512 - 100]);
    assert.ok(Math.abs(segment.probability - 0.9) < 1e-6);
    assert.deepEqual(speechSegments(new Float32Array(0), 0), []);
  });
});
