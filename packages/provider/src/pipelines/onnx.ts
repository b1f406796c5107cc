/**
 * The generic ONNX pipeline (`runtime.pipeline` absent or `onnx`): named tensors in, every graph output out, no
 * pre/post-processing. Every tensor type onnxruntime-node converts is taken and returned (`tensor.ts`).
 *
 * The input, as the market carries it (bytes), is one of:
 *
 * | bytes start with | meaning |
 * | --- | --- |
 * | `PK\x03\x04` (a zip) | a `.npz` (`numpy.savez` / `savez_compressed`): one `<input name>.npy` entry per graph input |
 * | `\x93NUMPY` | one `.npy` file: the tensor of a model's only input |
 * | anything else | UTF-8 JSON `{"tensors": {"<input name>": {"dtype", "dims", "data"}}}` (`JsonTensor`) |
 *
 * In memory (`pipeline.run`) the `tensors` object may also hold typed tensors and `.npy` bytes per name.
 *
 * Not expressible, because onnxruntime-node converts only tensors (`ortTensor.ts`): sequence and map values, and an
 * absent optional value. A JSON array or `null` in place of a tensor is refused with that reason; an `optional(tensor)`
 * graph input takes a tensor.
 */
import { InvalidInputError } from '../errors.ts';
import type { RunOptions, RunResult, Runtime } from '../runtime/createRuntime.ts';
import type { Job, PipelineContext } from '../runtime/types.ts';
import { type FileSource, loadModel } from './modelSource.ts';
import { isNpy, parseNpy } from './npy.ts';
import { isZip, parseNpz } from './npz.ts';
import { NON_TENSOR_REASON } from './ortTensor.ts';
import { assertTensor, type JsonTensor, type Tensor, tensorFromJson } from './tensor.ts';

/** Version of the generic pipeline; recorded in `RuntimeRecord.pipelineVersion`. */
export const ONNX_PIPELINE_VERSION = '1.1.0';

/**
 * Input of the generic pipeline: one entry per graph input, as a JSON tensor, a typed tensor, or the bytes of a `.npy`
 * file; or the whole input as bytes: a `.npz`, a `.npy` (single-input models) or UTF-8 JSON (see the file header).
 */
export type OnnxInput = { tensors: Record<string, JsonTensor | Tensor | Uint8Array> } | Uint8Array;

/** Output of the generic pipeline: every graph output, by name. */
export type OnnxOutput = { tensors: Record<string, Tensor> };

export type CreateOnnxPipelineParameters = {
  /** The ONNX model: bytes or a file path. */
  model: FileSource;
};

/** A generic ONNX pipeline bound to one model. */
export type OnnxPipeline = {
  /** `onnx`. */
  name: 'onnx';
  /** {@link ONNX_PIPELINE_VERSION}. */
  version: string;
  /** SHA-256 of the model file (hex). */
  models: { model: string };
  /**
   * A job for `runtime.run`.
   * @param input - Tensors by graph input name.
   */
  job(input: OnnxInput): Job<OnnxOutput>;
  /**
   * Runs the model on a runtime (`runtime.run(pipeline.job(input), options)`).
   * @param runtime - From `createRuntime`.
   * @param input - Tensors by graph input name.
   * @param options - Cancellation signal and deadline.
   */
  run(runtime: Runtime, input: OnnxInput, options?: RunOptions): Promise<RunResult<OnnxOutput>>;
};

/**
 * Creates a generic ONNX pipeline.
 * @param parameters - The model.
 * @returns The pipeline.
 * @throws {InvalidInputError} When the model cannot be read.
 * @example
 * ```ts
 * import { createOnnxPipeline, createRuntime } from '@souk/provider';
 * const runtime = createRuntime();
 * const pipeline = await createOnnxPipeline({ model: '/models/cls.onnx' });
 * const { output } = await pipeline.run(runtime, {
 *   tensors: { x: { dtype: 'float32', dims: [1, 3, 48, 192], data: new Array(27648).fill(0) } },
 * });
 * output.tensors; // { 'softmax_0.tmp_0': { dtype: 'float32', dims: [1, 2], data: Float32Array } }
 * ```
 */
export async function createOnnxPipeline({ model }: CreateOnnxPipelineParameters): Promise<OnnxPipeline> {
  const ref = await loadModel(model, 'ONNX model');
  const job = (input: OnnxInput): Job<OnnxOutput> => ({
    pipeline: 'onnx',
    pipelineVersion: ONNX_PIPELINE_VERSION,
    models: { model: ref },
    input,
  });
  return {
    name: 'onnx',
    version: ONNX_PIPELINE_VERSION,
    models: { model: ref.sha256 },
    job,
    run: (runtime, input, options) => runtime.run(job(input), options),
  };
}

/** Options of {@link decodeOnnxInput}. */
export type DecodeOnnxInputOptions = {
  /**
   * The model's input names, in graph order. A bare `.npy` input is given to the only one; without the names (or with
   * more than one) a bare `.npy` is refused.
   */
  inputNames?: readonly string[] | undefined;
};

/**
 * Decodes the generic pipeline's input into typed tensors.
 * @param input - See {@link OnnxInput} and the file header.
 * @param options - The model's input names (needed for a bare `.npy`).
 * @returns Tensors by name.
 * @throws {InvalidInputError} On malformed JSON, tensors, `.npy` or `.npz` files; on a sequence (JSON array) or an
 * absent optional value (`null`), which onnxruntime-node cannot feed; on a bare `.npy` for a model that has not
 * exactly one input.
 * @example
 * ```ts
 * import { decodeOnnxInput, writeNpy } from '@souk/provider';
 * decodeOnnxInput(writeNpy({ dtype: 'float64', dims: [1], data: new Float64Array([0.5]) }), { inputNames: ['x'] });
 * // { x: { dtype: 'float64', dims: [1], data: Float64Array [0.5] } }
 * ```
 */
export function decodeOnnxInput(input: OnnxInput, { inputNames }: DecodeOnnxInputOptions = {}): Record<string, Tensor> {
  let value: unknown = input;
  if (input instanceof Uint8Array) {
    if (isZip(input)) return parseNpz(input);
    if (isNpy(input)) {
      if (inputNames?.length !== 1) {
        throw new InvalidInputError('A bare .npy input fits only a model with exactly one input.', {
          details: inputNames
            ? `this model takes ${inputNames.length} inputs (${inputNames.join(', ')}): send a .npz with one <name>.npy entry each`
            : 'send a .npz whose entry is named <input name>.npy',
        });
      }
      return { [inputNames[0]]: parseNpy(input) };
    }
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(input));
    } catch (error) {
      throw new InvalidInputError('The input is not UTF-8 JSON, a .npz or a .npy file.', {
        details: (error as Error).message,
      });
    }
  }
  const tensors = (value as { tensors?: unknown } | null)?.tensors;
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors)) {
    throw new InvalidInputError('The input needs a "tensors" object.');
  }
  const out: Record<string, Tensor> = {};
  for (const [name, entry] of Object.entries(tensors as Record<string, unknown>)) {
    if (entry === null || Array.isArray(entry)) {
      throw new InvalidInputError(
        `Input "${name}" is ${entry === null ? 'an absent optional value (null)' : 'a sequence (an array)'}, not a tensor.`,
        { details: NON_TENSOR_REASON },
      );
    }
    if (entry instanceof Uint8Array) {
      out[name] = parseNpy(entry);
    } else if (
      typeof entry === 'object' &&
      (ArrayBuffer.isView((entry as { data?: unknown }).data) || (entry as Tensor).dtype === 'string')
    ) {
      assertTensor(entry as Tensor, name);
      out[name] = entry as Tensor;
    } else {
      out[name] = tensorFromJson(entry as JsonTensor, name);
    }
  }
  return out;
}

/**
 * Runs the generic pipeline inside the worker: checks that the input names are exactly the graph's inputs, runs the
 * model, and returns every graph output.
 * @param context - From the worker.
 * @param input - See {@link OnnxInput}.
 * @returns Every graph output by name.
 * @throws {InvalidInputError} When an input is missing, unknown or malformed, or the model has a non-tensor output.
 */
export async function runOnnx(context: PipelineContext, input: unknown): Promise<OnnxOutput> {
  const model = await context.model('model');
  const feeds = decodeOnnxInput(input as OnnxInput, { inputNames: model.inputNames });
  const missing = model.inputNames.filter((name) => !(name in feeds));
  const unknown = Object.keys(feeds).filter((name) => !model.inputNames.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    throw new InvalidInputError('The input tensors do not match the graph inputs.', {
      details: `graph inputs: ${model.inputNames.join(', ')}; missing: ${missing.join(', ') || '-'}; unknown: ${unknown.join(', ') || '-'}`,
    });
  }
  return { tensors: await model.run(feeds) };
}
