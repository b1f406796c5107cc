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
 * | `onnx` | the input decodes as the generic pipeline decodes it (`.npz`, a bare `.npy` for a single-input model, or UTF-8 JSON `{"tensors": {...}}`), with at least one tensor; the names are exactly the model's inputs; each dtype and rank matches (fixed dimensions are ONNX Runtime's to refuse, on the provider: `failure.ts`); the model has no input or output type onnxruntime-node cannot carry (non-tensor outputs; `bfloat16`, `float8`, complex, 4-bit elements) |
 *
 * A non-tensor graph input (ONNX Runtime reports only `isTensor: false`) may be `optional(tensor)`, which takes a
 * tensor, or a sequence or map, which onnxruntime-node cannot feed: the check cannot tell them apart without the
 * graph, so it lets a tensor through and ONNX Runtime refuses a sequence input on the provider.
 */

import { decodeEvaluation, decodeRoundInput, isEvaluation, isRoundInput } from '@souk/protocol';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { InvalidInputError } from '../errors.ts';
import { MAX_IMAGE_PIXELS } from '../pipelines/image.ts';
import { decodeOnnxInput } from '../pipelines/onnx.ts';
import { NON_TENSOR_REASON } from '../pipelines/ortTensor.ts';
import { UNSUPPORTED_DTYPES } from '../pipelines/tensor.ts';
import { TRAIN_MAX_INPUT_BYTES } from '../pipelines/train.ts';
import { checkAudioInput } from '../pipelines/vad.ts';
import { readLabelledDataset } from '../training/dataset.ts';
import { type BundleFiles, bundleFile, unpackBundle } from './bundle.ts';

/** One input (or output) of a model: its name, element type (`float32`, `int64`…) and shape (numbers, or names of free dims). */
export type ModelInputSpec = {
  name: string;
  /** ONNX Runtime's element type, or {@link NON_TENSOR_DTYPE} for a sequence, map or optional value. */
  dtype: string;
  /** Empty when the model does not declare a shape (any rank accepted). */
  shape: ReadonlyArray<number | string>;
};

/** The `dtype` {@link readModelSignature} gives a value that is not a tensor (a sequence, map or optional value). */
export const NON_TENSOR_DTYPE = 'non_tensor';
const isNonTensor = (dtype: string) => dtype === NON_TENSOR_DTYPE || dtype === 'non-tensor';

/** Matches ONNX Runtime's "Unsupported data type: 16" (a session refused for an element type the binding lacks). */
const ONNX_TYPE_NAMES: Readonly<Record<string, string>> = {
  '14': 'complex64',
  '15': 'complex128',
  '16': 'bfloat16',
  '17': 'float8e4m3fn',
  '18': 'float8e4m3fnuz',
  '19': 'float8e5m2',
  '20': 'float8e5m2fnuz',
};

/** A model's inputs and outputs, in graph order. */
export type ModelSignature = { inputs: ModelInputSpec[]; outputs: ModelInputSpec[] };

/**
 * Reads the inputs and outputs of a generic ONNX model, from an ONNX Runtime session's metadata (the session is
 * created on this thread with default options, read, and released).
 * @param bundle - The model bundle (bare `.onnx` or a tar holding `model.onnx`).
 * @returns The model's inputs and outputs, in graph order.
 * @throws {InvalidInputError} When the bundle has no `model.onnx` or ONNX Runtime cannot load it (naming the element
 * type when onnxruntime-node has none for it, e.g. `bfloat16`).
 * @example
 * ```ts
 * import { readModelSignature } from '@souk/provider'
 * await readModelSignature(onnxBytes)
 * // { inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3, 48, 192] }], outputs: [{ name: 'y', … }] }
 * ```
 */
export async function readModelSignature(bundle: Uint8Array | BundleFiles): Promise<ModelSignature> {
  const files = bundle instanceof Uint8Array ? unpackBundle(bundle) : bundle;
  const model = bundleFile(files, 'model.onnx', 'onnx');
  let session: ort.InferenceSession;
  try {
    // Errors only: ORT's warnings (old opsets, skipped optimisers) mean nothing to a node operator.
    session = await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  } catch (error) {
    const message = (error as Error).message;
    const type = ONNX_TYPE_NAMES[/Unsupported data type: (\d+)/.exec(message)?.[1] ?? ''];
    throw new InvalidInputError('ONNX Runtime cannot load the model.', {
      details: type ? `${message} (${type}: ${UNSUPPORTED_DTYPES[type]})` : message,
    });
  }
  const spec = (m: ort.InferenceSession.ValueMetadata): ModelInputSpec =>
    m.isTensor
      ? { name: m.name, dtype: m.type, shape: [...m.shape] }
      : { name: m.name, dtype: NON_TENSOR_DTYPE, shape: [] };
  try {
    return { inputs: session.inputMetadata.map(spec), outputs: session.outputMetadata.map(spec) };
  } finally {
    await session.release().catch(() => {});
  }
}

/**
 * Reads the inputs a generic ONNX model declares ({@link readModelSignature}'s `inputs`).
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
  return (await readModelSignature(bundle)).inputs;
}

/** Parameters of {@link checkJobInput}. */
export type CheckJobInputParameters = {
  /** The manifest's `runtime.pipeline`; absent means `onnx`. */
  pipeline?: string | undefined;
  /** The input bytes, as the job would carry them. */
  input: Uint8Array;
  /** For `onnx`: the model's inputs (from the manifest, or {@link readModelSignature}). */
  inputs?: readonly ModelInputSpec[] | undefined;
  /** For `onnx`: the model's outputs, when known (a non-tensor or unsupported output is refused). */
  outputs?: readonly ModelInputSpec[] | undefined;
};

/**
 * Checks that a model can take an input, before the job is ordered.
 * @param parameters - The pipeline, the input and (for `onnx`) the model's inputs.
 * @throws {InvalidInputError} Naming what is wrong: not an image, not `.npz` / `.npy` / JSON, no tensors, a sequence
 *   or absent optional value, a missing or unknown tensor name, a wrong dtype or rank, a model output
 *   or element type onnxruntime-node cannot carry, or an unknown pipeline.
 * @example
 * ```ts
 * import { checkJobInput } from '@souk/provider'
 * await checkJobInput({ pipeline: 'ocr', input: png })
 * await checkJobInput({ pipeline: 'onnx', input: json, inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3] }] })
 * ```
 */
export async function checkJobInput({
  pipeline = 'onnx',
  input,
  inputs,
  outputs,
}: CheckJobInputParameters): Promise<void> {
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
  if (pipeline === 'onnx' && isEvaluation(input)) {
    readLabelledDataset(decodeEvaluation(input), Number.MAX_SAFE_INTEGER); // the labels' range is the model's
    return;
  }
  if (pipeline === 'train') {
    // The labels' range is the recipe's to check (the provider does, before training); here: the dataset's shape.
    if (input.length > TRAIN_MAX_INPUT_BYTES) {
      throw new InvalidInputError(`A training dataset is at most ${TRAIN_MAX_INPUT_BYTES} bytes.`);
    }
    if (isRoundInput(input)) {
      // A collaboration round: well formed, and its shard a labelled dataset (the weights' size is the recipe's).
      let round: ReturnType<typeof decodeRoundInput>;
      try {
        round = decodeRoundInput(input);
      } catch (error) {
        throw new InvalidInputError((error as Error).message);
      }
      readLabelledDataset(round.dataset, Number.MAX_SAFE_INTEGER);
      return;
    }
    readLabelledDataset(input, Number.MAX_SAFE_INTEGER);
    return;
  }
  if (pipeline !== 'onnx') throw new InvalidInputError(`Unknown pipeline "${pipeline}".`);
  for (const spec of [...(inputs ?? []), ...(outputs ?? [])]) {
    const reason = Object.hasOwn(UNSUPPORTED_DTYPES, spec.dtype) ? UNSUPPORTED_DTYPES[spec.dtype] : undefined;
    if (reason) throw new InvalidInputError(`The model's "${spec.name}" is ${spec.dtype}.`, { details: reason });
  }
  const nonTensorOutputs = (outputs ?? []).filter((o) => isNonTensor(o.dtype)).map((o) => o.name);
  if (nonTensorOutputs.length > 0) {
    throw new InvalidInputError(
      `The model has non-tensor output${nonTensorOutputs.length > 1 ? 's' : ''} (a sequence, map or optional value): ${nonTensorOutputs.join(', ')}.`,
      { details: NON_TENSOR_REASON },
    );
  }
  const tensors = decodeOnnxInput(input, { inputNames: inputs?.map((i) => i.name) });
  const names = Object.keys(tensors);
  if (names.length === 0 && inputs?.length !== 0) {
    // A model without graph inputs (e.g. one Constant node) takes an empty input; any other needs a tensor.
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
    if (isNonTensor(spec.dtype)) continue; // optional(tensor) takes any tensor; see the file header
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
