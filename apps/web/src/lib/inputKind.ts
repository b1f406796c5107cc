/**
 * Which input a model takes, read from its manifest: the pipeline (`runtime.pipeline`) decides the medium — the
 * catalogue's pipelines take an encoded image or recording, the generic `onnx` pipeline takes tensors (JSON, `.npy`
 * or `.npz`) named as the manifest's `inputs`. A pipeline this app does not know takes a file as it is, or tensors
 * when the manifest declares inputs and names no pipeline. The media types are the catalogue's
 * (`packages/node/src/compute/catalogue/`): the manifest does not carry them.
 */
import type { AssetManifest } from '@souk/sdk';

/** How the Run page asks for a model's input. */
export type InputKind =
  | {
      kind: 'image' | 'audio';
      /** `accept` of the file input. */
      accept: string;
      /** What to pick, one sentence (the hint under the control). */
      hint: string;
      /** Whether a picked file looks like this medium (type, or extension when the browser gives no type). */
      matches: (file: File) => boolean;
    }
  | { kind: 'tensors' }
  | { kind: 'file' };

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const AUDIO_EXTENSIONS = ['.wav', '.flac', '.mp3', '.ogg', '.opus', '.m4a', '.aac', '.webm', '.aif', '.aiff'];

const image = (hint: string): InputKind => ({
  kind: 'image',
  accept: IMAGE_TYPES.join(','),
  hint,
  matches: (file) => file.type.startsWith('image/') || /\.(png|jpe?g|webp)$/i.test(file.name),
});
const audio = (hint: string): InputKind => ({
  kind: 'audio',
  accept: ['audio/*', ...AUDIO_EXTENSIONS].join(','),
  hint,
  matches: (file) =>
    file.type.startsWith('audio/') || AUDIO_EXTENSIONS.some((ext) => file.name.toLowerCase().endsWith(ext)),
});

/** The pipelines whose input is a medium, by name. */
const MEDIA: Readonly<Record<string, InputKind>> = {
  ocr: image('A photo or scan with printed text (PNG, JPEG, WebP), at most 1 MiB.'),
  isnet: image('A photo with one main object (PNG, JPEG, WebP), at most 1 MiB.'),
  vad: audio('A recording with speech (WAV, FLAC, MP3, Ogg, M4A, WebM, AIFF), at most 1 MiB.'),
  wakeword: audio('A recording (WAV, FLAC, MP3, Ogg, M4A, WebM, AIFF) that may say a wake word, at most 1 MiB.'),
};

/**
 * The input a model takes.
 * @param manifest - The asset's manifest.
 * @returns An image or audio file for a media pipeline, tensors for `onnx` (or no pipeline with declared inputs),
 * otherwise a file sent as it is.
 * @example
 * ```ts
 * inputKindOf({ runtime: { engine: 'onnxruntime', pipeline: 'vad' } }).kind // 'audio'
 * ```
 */
export function inputKindOf(manifest: Pick<AssetManifest, 'runtime' | 'inputs'>): InputKind {
  const pipeline = manifest.runtime?.pipeline;
  if (pipeline !== undefined) {
    const media = MEDIA[pipeline];
    if (media) return media;
    if (pipeline === 'onnx') return { kind: 'tensors' };
    return { kind: 'file' };
  }
  return (manifest.inputs?.length ?? 0) > 0 ? { kind: 'tensors' } : { kind: 'file' };
}

/**
 * One sentence saying what a pipeline takes and gives, for the model's page.
 * @param pipeline - `runtime.pipeline`.
 */
export function pipelineSummary(pipeline: string | undefined): string {
  switch (pipeline) {
    case 'ocr':
      return 'image (PNG, JPEG, WebP) → text lines with confidences and boxes';
    case 'isnet':
      return 'image (PNG, JPEG, WebP) → foreground mask (COCO RLE) with its box, area and coverage';
    case 'vad':
      return 'audio (WAV, FLAC, MP3, Ogg, M4A, WebM, AIFF) → speech segments (start, end, probability)';
    case 'wakeword':
      return 'audio (WAV, FLAC, MP3, Ogg, M4A, WebM, AIFF) → wake-word detections (keyword, time, score)';
    case 'onnx':
    case undefined:
      return 'tensors named as the inputs below (JSON, .npy or .npz) → every output tensor';
    default:
      return 'bytes as the provider’s pipeline reads them';
  }
}
