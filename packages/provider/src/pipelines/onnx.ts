/**
 * The generic ONNX pipeline (`runtime.pipeline` absent or `onnx`): named tensors in, every graph output out, no
 * pre/post-processing. Inputs are JSON tensors, typed tensors, or `.npy` files, per graph input name.
 */
import { InvalidInputError } from '../errors.ts';
import type { RunOptions, RunResult, Runtime } from '../runtime/createRuntime.ts';
import type { Job, PipelineContext } from '../runtime/types.ts';
import { type FileSource, loadModel } from './modelSource.ts';
import { parseNpy } from './npy.ts';
import { assertTensor, type JsonTensor, type Tensor, tensorFromJson } from './tensor.ts';

/** Version of the generic pipeline; recorded in `RuntimeRecord.pipelineVersion`. */
export const ONNX_PIPELINE_VERSION = '1.0.0';

/**
 * Input of the generic pipeline: one entry per graph input, as a JSON tensor, a typed tensor, or the bytes of a `.npy`
 * file. The whole object may also be given as UTF-8 JSON bytes (JSON tensors only).
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

/**
 * Decodes the generic pipeline's input into typed tensors.
 * @param input - See {@link OnnxInput}.
 * @returns Tensors by name.
 * @throws {InvalidInputError} On malformed JSON, tensors or `.npy` files.
 */
export function decodeOnnxInput(input: OnnxInput): Record<string, Tensor> {
  let value: unknown = input;
  if (input instanceof Uint8Array) {
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(input));
    } catch (error) {
      throw new InvalidInputError('The input is not UTF-8 JSON.', { details: (error as Error).message });
    }
  }
  const tensors = (value as { tensors?: unknown } | null)?.tensors;
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors)) {
    throw new InvalidInputError('The input needs a "tensors" object.');
  }
  const out: Record<string, Tensor> = {};
  for (const [name, entry] of Object.entries(tensors as Record<string, unknown>)) {
    if (entry instanceof Uint8Array) {
      out[name] = parseNpy(entry);
    } else if (entry !== null && typeof entry === 'object' && ArrayBuffer.isView((entry as { data?: unknown }).data)) {
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
 * @throws {InvalidInputError} When an input is missing, unknown or malformed.
 */
export async function runOnnx(context: PipelineContext, input: unknown): Promise<OnnxOutput> {
  const feeds = decodeOnnxInput(input as OnnxInput);
  const model = await context.model('model');
  const missing = model.inputNames.filter((name) => !(name in feeds));
  const unknown = Object.keys(feeds).filter((name) => !model.inputNames.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    throw new InvalidInputError('The input tensors do not match the graph inputs.', {
      details: `graph inputs: ${model.inputNames.join(', ')}; missing: ${missing.join(', ') || '-'}; unknown: ${unknown.join(', ') || '-'}`,
    });
  }
  return { tensors: await model.run(feeds) };
}
