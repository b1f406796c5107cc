/**
 * Reading an ONNX model's signature (its input and output tensors) for the manifest, with onnxruntime-node (the
 * runtime providers run it with, so what loads here is what a provider can load).
 */
import type { TensorSpec } from '@souk/sdk';

/** The tensors a model takes and returns, in graph order. */
export type OnnxSignature = { inputs: TensorSpec[]; outputs: TensorSpec[] };

/** The most characters the node accepts in a symbolic dimension's name (publish schema `tensor.shape`). */
const MAX_DIM_NAME = 64;

type ValueMetadata = { name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> };

/**
 * One tensor spec from ORT's metadata: the element type as ORT spells it (`float32`, `int64`…), each dimension a
 * size or a name; an unnamed dynamic dimension (ORT reports a negative size or an empty name) becomes
 * `<tensor>_<index>`, and a name longer than the node accepts is cut to 64 characters.
 */
function toSpec(value: ValueMetadata): TensorSpec {
  if (!value.isTensor || value.type === undefined) {
    throw new Error(`"${value.name}" is not a tensor (sequences and maps cannot be described in a manifest).`);
  }
  const shape = (value.shape ?? []).map((dim, i) =>
    typeof dim === 'number' && dim >= 0
      ? dim
      : typeof dim === 'string' && dim.length > 0
        ? dim.slice(0, MAX_DIM_NAME)
        : `${value.name}_${i}`.slice(0, MAX_DIM_NAME),
  );
  return { name: value.name, dtype: value.type, shape };
}

/**
 * Loads an ONNX model (a file is read by onnxruntime from disk, not held in JS memory) and reads its inputs and
 * outputs.
 * @param model - The path of a bare `.onnx` file, or the model's bytes (e.g. a bundle's entry model).
 * @returns Names, element types and shapes (sizes, or names of symbolic dimensions) of the graph's inputs and outputs.
 * @throws {Error} when onnxruntime cannot load the file (not an ONNX model, or an opset it does not support), or a
 * value is not a tensor.
 * @example
 * ```ts
 * const { inputs, outputs } = await readOnnxSignature('./model.onnx')
 * // inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3, 48, 192] }]
 * ```
 */
export async function readOnnxSignature(model: string | Uint8Array): Promise<OnnxSignature> {
  const { InferenceSession } = (await import('onnxruntime-node')).default;
  const session =
    typeof model === 'string' ? await InferenceSession.create(model) : await InferenceSession.create(model);
  try {
    return {
      inputs: session.inputMetadata.map((v) => toSpec(v as ValueMetadata)),
      outputs: session.outputMetadata.map((v) => toSpec(v as ValueMetadata)),
    };
  } finally {
    await session.release();
  }
}

/** Whether the file's first bytes are a tar archive (a bundle) rather than a bare model: `ustar` at offset 257. */
export function isTarHeader(head: Uint8Array): boolean {
  return head.length >= 262 && new TextDecoder().decode(head.subarray(257, 262)) === 'ustar';
}
