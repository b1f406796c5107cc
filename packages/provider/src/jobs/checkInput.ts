/**
 * Order-time input checks: the node runs these on a job's input before anything is escrowed, so that most inputs a
 * model cannot take are refused with a reason instead of reaching a provider (and failing there). They check what
 * is cheap and certain — the same decoding the pipelines do, and the model's declared inputs — not the inference
 * itself: an input that passes can still fail at run time (e.g. a fixed dimension that does not match), which the
 * failure path (`failure.ts`) then handles.
 *
 * | pipeline | check |
 * | --- | --- |
 * | `ocr`, `isnet` | the bytes decode as an image header (sharp metadata: a format, width and height) |
 * | `vad`, `wakeword` | the bytes start like an audio file the decoder reads (`checkAudioInput`: WAV, FLAC, MP3, Ogg, …) |
 * | `onnx` | UTF-8 JSON `{"tensors": {...}}` with at least one tensor that parses (JSON or `.npy` entries); the names are exactly the model's inputs; each dtype and rank matches |
 */
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { InvalidInputError } from '../errors.ts';
import { MAX_IMAGE_PIXELS } from '../pipelines/image.ts';
import { decodeOnnxInput } from '../pipelines/onnx.ts';
import { checkAudioInput } from '../pipelines/vad.ts';
import { type BundleFiles, bundleFile, unpackBundle } from './bundle.ts';

/** One input of a model: its name, element type (`float32`, `int64`…) and shape (numbers, or names of free dims). */
export type ModelInputSpec = {
  name: string;
  dtype: string;
  /** Empty when the model does not declare a shape (any rank accepted). */
  shape: ReadonlyArray<number | string>;
};

/**
 * Reads the inputs a generic ONNX model declares, from an ONNX Runtime session's input metadata (the session is
 * created on this thread with default options, read, and released).
 * @param bundle - The model bundle (bare `.onnx` or a tar holding `model.onnx`).
 * @returns The model's inputs, in graph order.
 * @throws {InvalidInputError} When the bundle has no `model.onnx` or ONNX Runtime cannot load it.
 * @example
 * ```ts
 * import { readModelInputs } from '@souk/provider'
 * await readModelInputs(onnxBytes) // [{ name: 'x', dtype: 'float32', shape: ['batch', 3, 48, 192] }]
 * ```
 */
export async function readModelInputs(bundle: Uint8Array | BundleFiles): Promise<ModelInputSpec[]> {
  const files = bundle instanceof Uint8Array ? unpackBundle(bundle) : bundle;
  const model = bundleFile(files, 'model.onnx', 'onnx');
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model);
  } catch (error) {
    throw new InvalidInputError('ONNX Runtime cannot load the model.', { details: (error as Error).message });
  }
  try {
    return session.inputMetadata.map((m) =>
      m.isTensor
        ? { name: m.name, dtype: m.type, shape: [...m.shape] }
        : { name: m.name, dtype: 'non-tensor', shape: [] },
    );
  } finally {
    await session.release().catch(() => {});
  }
}

/** Parameters of {@link checkJobInput}. */
export type CheckJobInputParameters = {
  /** The manifest's `runtime.pipeline`; absent means `onnx`. */
  pipeline?: string | undefined;
  /** The input bytes, as the job would carry them. */
  input: Uint8Array;
  /** For `onnx`: the model's inputs (from the manifest, or {@link readModelInputs}). */
  inputs?: readonly ModelInputSpec[] | undefined;
};

/**
 * Checks that a model can take an input, before the job is ordered.
 * @param parameters - The pipeline, the input and (for `onnx`) the model's inputs.
 * @throws {InvalidInputError} Naming what is wrong: not an image, not JSON / `.npy`, no tensors, a missing or unknown
 *   tensor name, a wrong dtype or rank, or an unknown pipeline.
 * @example
 * ```ts
 * import { checkJobInput } from '@souk/provider'
 * await checkJobInput({ pipeline: 'ocr', input: png })
 * await checkJobInput({ pipeline: 'onnx', input: json, inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3] }] })
 * ```
 */
export async function checkJobInput({ pipeline = 'onnx', input, inputs }: CheckJobInputParameters): Promise<void> {
  if (input.length === 0) throw new InvalidInputError('The input is empty.');
  if (pipeline === 'ocr' || pipeline === 'isnet') {
    const metadata = await sharp(input, { limitInputPixels: MAX_IMAGE_PIXELS })
      .metadata()
      .catch((error: Error) => {
        throw new InvalidInputError('The input is not a readable image.', { details: error.message });
      });
    if (!metadata.width || !metadata.height) {
      throw new InvalidInputError('The input is not a readable image.', { details: 'it has no width or height' });
    }
    if (metadata.width * metadata.height > MAX_IMAGE_PIXELS) {
      throw new InvalidInputError('The image is too large.', {
        details: `${metadata.width} × ${metadata.height} pixels; at most ${MAX_IMAGE_PIXELS}`,
      });
    }
    return;
  }
  if (pipeline === 'vad' || pipeline === 'wakeword') {
    checkAudioInput(input);
    return;
  }
  if (pipeline !== 'onnx') throw new InvalidInputError(`Unknown pipeline "${pipeline}".`);
  const tensors = decodeOnnxInput(input);
  const names = Object.keys(tensors);
  if (names.length === 0) {
    throw new InvalidInputError('The input has no tensors.', {
      details: inputs ? `the model takes: ${describe(inputs)}` : undefined,
    });
  }
  if (!inputs) return;
  const expected = inputs.map((i) => i.name);
  const missing = expected.filter((name) => !names.includes(name));
  const unknown = names.filter((name) => !expected.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    throw new InvalidInputError('The input tensors do not match the model inputs.', {
      details: `the model takes: ${describe(inputs)}; missing: ${missing.join(', ') || '-'}; unknown: ${unknown.join(', ') || '-'}`,
    });
  }
  for (const spec of inputs) {
    const tensor = tensors[spec.name];
    if (tensor.dtype !== spec.dtype) {
      throw new InvalidInputError(`Input "${spec.name}" has dtype ${tensor.dtype}; the model takes ${spec.dtype}.`);
    }
    if (spec.shape.length > 0 && tensor.dims.length !== spec.shape.length) {
      throw new InvalidInputError(
        `Input "${spec.name}" has rank ${tensor.dims.length} ([${tensor.dims.join(', ')}]); the model takes rank ${spec.shape.length} ([${spec.shape.join(', ')}]).`,
      );
    }
  }
}

function describe(inputs: readonly ModelInputSpec[]): string {
  return inputs.map((i) => `${i.name} ${i.dtype}[${i.shape.join(', ')}]`).join(', ');
}
