/**
 * What a job's input is, as media types (RFC 6838 `type/subtype`): the manifest's `runtime.inputMediaTypes`
 * (docs/manifest.md), written by whoever publishes a model whose pipeline decodes a medium (the node's catalogue
 * writes {@link PIPELINE_INPUT_MEDIA_TYPES}), and read by clients to ask for the right file. Manifests written before
 * the field existed name only their pipeline; {@link inputMediaTypesOf} answers for them from the same table.
 */

/**
 * A media type as the manifest holds it: `type/subtype` in lower case, no parameters (RFC 6838 §4.2 restricted-name
 * characters, at most 127 each). A JSON Schema `pattern`.
 */
export const MEDIA_TYPE_PATTERN = '^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$';

/** Most media types one manifest may declare. */
export const MAX_INPUT_MEDIA_TYPES = 32;

const IMAGES = ['image/png', 'image/jpeg', 'image/webp'] as const;
const RECORDINGS = [
  'audio/wav',
  'audio/flac',
  'audio/mpeg',
  'audio/ogg',
  'audio/mp4',
  'audio/webm',
  'audio/aiff',
] as const;

/**
 * The media types each of the provider's media pipelines takes as a job input (what its decoder reads: sharp for
 * images, `audio-decode` for recordings), by `runtime.pipeline`. The generic `onnx` pipeline takes tensors (JSON,
 * `.npy`, `.npz`) and has no entry.
 */
export const PIPELINE_INPUT_MEDIA_TYPES: Readonly<Record<string, readonly string[]>> = {
  ocr: IMAGES,
  isnet: IMAGES,
  vad: RECORDINGS,
  wakeword: RECORDINGS,
};

/**
 * The media types a model's job input may have.
 * @param runtime - The manifest's `runtime` (absent for an asset that does not run).
 * @returns `runtime.inputMediaTypes` when the manifest declares them; else, for a manifest written before the field
 * existed, the types of its pipeline in {@link PIPELINE_INPUT_MEDIA_TYPES}; else `undefined` (tensors, or bytes as
 * the pipeline reads them).
 * @example
 * ```ts
 * import { inputMediaTypesOf } from '@souk/protocol'
 * inputMediaTypesOf({ pipeline: 'vad' }) // ['audio/wav', 'audio/flac', …] (an older manifest)
 * inputMediaTypesOf({ pipeline: 'whisper', inputMediaTypes: ['audio/wav'] }) // ['audio/wav']
 * ```
 */
export function inputMediaTypesOf(
  runtime: { pipeline?: string | undefined; inputMediaTypes?: readonly string[] | undefined } | undefined,
): readonly string[] | undefined {
  if (runtime?.inputMediaTypes && runtime.inputMediaTypes.length > 0) return runtime.inputMediaTypes;
  const pipeline = runtime?.pipeline;
  return pipeline !== undefined && Object.hasOwn(PIPELINE_INPUT_MEDIA_TYPES, pipeline)
    ? PIPELINE_INPUT_MEDIA_TYPES[pipeline]
    : undefined;
}
