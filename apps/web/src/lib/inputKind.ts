/**
 * Which input a model takes, read from its manifest: the media types an order's input may have
 * (`runtime.inputMediaTypes`, or for a manifest written before that field the pipeline's, both through
 * `@souk/protocol`'s `inputMediaTypesOf`) make it an image or a recording; the generic `onnx` pipeline takes tensors
 * (JSON, `.npy` or `.npz`) named as the manifest's `inputs`. A pipeline with neither takes a file as it is, or tensors
 * when the manifest declares inputs and names no pipeline.
 */
import { inputMediaTypesOf } from '@souk/protocol';
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

/**
 * How people name a media type, and the file extensions it comes with (for a picked file the browser gives no type,
 * or another spelling of, e.g. `audio/x-wav`). A type not listed is shown by its subtype and matched by type only.
 */
const FORMATS: Readonly<Record<string, { label: string; extensions: readonly string[] }>> = {
  'image/png': { label: 'PNG', extensions: ['.png'] },
  'image/jpeg': { label: 'JPEG', extensions: ['.jpg', '.jpeg'] },
  'image/webp': { label: 'WebP', extensions: ['.webp'] },
  'audio/wav': { label: 'WAV', extensions: ['.wav'] },
  'audio/flac': { label: 'FLAC', extensions: ['.flac'] },
  'audio/mpeg': { label: 'MP3', extensions: ['.mp3'] },
  'audio/ogg': { label: 'Ogg', extensions: ['.ogg', '.oga', '.opus'] },
  'audio/mp4': { label: 'M4A', extensions: ['.m4a', '.mp4'] },
  'audio/webm': { label: 'WebM', extensions: ['.webm'] },
  'audio/aiff': { label: 'AIFF', extensions: ['.aif', '.aiff'] },
};

/** What the known pipelines' inputs show, the first words of the picker's hint. */
const SUBJECTS: Readonly<Record<string, string>> = {
  ocr: 'A photo or scan with printed text',
  isnet: 'A photo with one main object',
  vad: 'A recording with speech',
  wakeword: 'A recording that may say a wake word',
};

/** What the known pipelines give, for the model's page. */
const OUTPUTS: Readonly<Record<string, string>> = {
  ocr: 'text lines with confidences and boxes',
  isnet: 'foreground mask (COCO RLE) with its box, area and coverage',
  vad: 'speech segments (start, end, probability)',
  wakeword: 'wake-word detections (keyword, time, score)',
};

const labelOf = (type: string) => FORMATS[type]?.label ?? (type.split('/')[1] ?? type).toUpperCase();

/** An image or recording input for these media types, all of one top-level type (`image/…` or `audio/…`). */
function mediaInput(kind: 'image' | 'audio', types: readonly string[], pipeline: string | undefined): InputKind {
  const extensions = types.flatMap((type) => FORMATS[type]?.extensions ?? []);
  const subject = (pipeline !== undefined && SUBJECTS[pipeline]) || (kind === 'image' ? 'An image' : 'A recording');
  return {
    kind,
    accept: [...types, ...extensions].join(','),
    hint: `${subject} (${types.map(labelOf).join(', ')}), at most 1 MiB.`,
    matches: (file) => types.includes(file.type) || extensions.some((ext) => file.name.toLowerCase().endsWith(ext)),
  };
}

/** `image` or `audio` when every media type is of that top-level type. */
function mediaKindOf(types: readonly string[] | undefined): 'image' | 'audio' | undefined {
  if (!types || types.length === 0) return undefined;
  if (types.every((t) => t.startsWith('image/'))) return 'image';
  if (types.every((t) => t.startsWith('audio/'))) return 'audio';
  return undefined;
}

/**
 * The input a model takes.
 * @param manifest - The asset's manifest.
 * @returns An image or audio file when the model's input media types (declared, or its pipeline's in an older
 * manifest) are all images or all recordings; tensors for `onnx` (or no pipeline with declared inputs); otherwise a
 * file sent as it is.
 * @example
 * ```ts
 * inputKindOf({ runtime: { engine: 'onnxruntime', pipeline: 'vad' } }).kind // 'audio' (by pipeline: older manifest)
 * inputKindOf({ runtime: { engine: 'onnxruntime', pipeline: 'whisper', inputMediaTypes: ['audio/wav'] } }).kind // 'audio'
 * ```
 */
export function inputKindOf(manifest: Pick<AssetManifest, 'runtime' | 'inputs'>): InputKind {
  const pipeline = manifest.runtime?.pipeline;
  const types = inputMediaTypesOf(manifest.runtime);
  const media = mediaKindOf(types);
  if (media && types) return mediaInput(media, types, pipeline);
  if (pipeline === 'onnx') return { kind: 'tensors' };
  if (pipeline !== undefined) return { kind: 'file' };
  return (manifest.inputs?.length ?? 0) > 0 ? { kind: 'tensors' } : { kind: 'file' };
}

/**
 * One sentence saying what a model takes and gives, for its page: the medium and its formats (from its media types),
 * or tensors, then what the pipeline returns.
 * @param manifest - The asset's manifest.
 * @example
 * ```ts
 * pipelineSummary({ runtime: { engine: 'onnxruntime', pipeline: 'ocr' } })
 * // 'image (PNG, JPEG, WebP) → text lines with confidences and boxes'
 * ```
 */
export function pipelineSummary(manifest: Pick<AssetManifest, 'runtime' | 'inputs'>): string {
  const pipeline = manifest.runtime?.pipeline;
  const types = inputMediaTypesOf(manifest.runtime);
  const media = mediaKindOf(types);
  const gives = (pipeline !== undefined && OUTPUTS[pipeline]) || 'the pipeline’s output';
  if (media && types) return `${media} (${types.map(labelOf).join(', ')}) → ${gives}`;
  if (pipeline === 'onnx' || pipeline === undefined) {
    return 'tensors named as the inputs below (JSON, .npy or .npz) → every output tensor';
  }
  return 'bytes as the provider’s pipeline reads them';
}
