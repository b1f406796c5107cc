/**
 * Conversion between the provider's {@link Tensor} and onnxruntime-node's `Tensor`, and the limits of the Node binding
 * (onnxruntime-node 1.30), checked before a run so that a job is refused with a reason instead of failing — or
 * crashing the process — inside the native call:
 *
 * - **Non-tensor outputs** (sequences, maps, optional values): the binding's `OrtValueToNapiValue` handles tensors
 *   only ("Non tensor type is temporarily not supported"); an `optional(sequence)` output was seen to end the process
 *   with a segmentation fault. A model with such an output is refused before it runs.
 * - **Non-tensor inputs**: an `optional(tensor)` input takes a tensor (ONNX Runtime unwraps it); a sequence or map input
 *   cannot be fed at all, and an absent optional value cannot be expressed (the binding has no "None" value).
 * - **float16 inputs on Node ≥ 23**: onnxruntime-common turns `float16` data into a `Float16Array`, whose byte length the
 *   binding reads as 0 ("not enough space: expected 24, got 0"; microsoft/onnxruntime#26791, fix pending in #32323).
 *   The binding itself accepts a `Uint16Array` of binary16 bits, so the tensor is built as `uint16` and relabelled
 *   `float16`.
 */
import * as ort from 'onnxruntime-node';
import { InvalidInputError } from '../errors.ts';
import { isTensorDtype, type Tensor, type TensorData, UNSUPPORTED_DTYPES } from './tensor.ts';

/** Why the Node binding cannot feed or return non-tensor values (shown in refusals). */
export const NON_TENSOR_REASON =
  'onnxruntime-node converts only tensors between JavaScript and ONNX Runtime; sequences, maps and absent optional values cannot cross its binding';

/**
 * An onnxruntime-node tensor holding a provider tensor's elements (shared, not copied).
 * @param tensor - A tensor that passed `assertTensor`.
 * @returns The ORT tensor.
 */
export function toOrtTensor(tensor: Tensor): ort.Tensor {
  if (tensor.dtype === 'float16') {
    // See the file header: a Uint16Array reaches the binding intact only under another type name.
    const bits = new ort.Tensor('uint16', tensor.data as Uint16Array, tensor.dims);
    Object.defineProperty(bits, 'type', { value: 'float16', enumerable: true });
    return bits;
  }
  return new ort.Tensor(tensor.dtype, tensor.data as ort.Tensor.DataTypeMap[typeof tensor.dtype], tensor.dims);
}

/**
 * A provider tensor with its own copy of an onnxruntime-node output's elements (`float16` as binary16 bits).
 * @param name - The output's name, for the error message.
 * @param value - The value ONNX Runtime returned.
 * @returns The tensor.
 * @throws {InvalidInputError} When the value is not a tensor or has a type the provider does not carry.
 */
export function fromOrtTensor(name: string, value: ort.OnnxValue): Tensor {
  const tensor = value as ort.Tensor;
  if (!tensor || typeof tensor !== 'object' || !('type' in tensor)) {
    throw new InvalidInputError(`Output "${name}" is not a tensor.`, { details: NON_TENSOR_REASON });
  }
  if (!isTensorDtype(tensor.type)) {
    throw new InvalidInputError(`Output "${name}" has unsupported type ${tensor.type}.`, {
      details: UNSUPPORTED_DTYPES[tensor.type],
    });
  }
  const dims = [...tensor.dims];
  if (tensor.type === 'string') return { dtype: 'string', dims, data: [...(tensor.data as string[])] };
  const data = tensor.data as ArrayBufferView;
  if (tensor.type === 'float16') {
    return { dtype: 'float16', dims, data: new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2).slice() };
  }
  return { dtype: tensor.type, dims, data: (data as unknown as { slice(): TensorData }).slice() } as Tensor;
}

/** What a check needs of a session: its input and output metadata (`InferenceSession.inputMetadata`). */
export type SessionMetadata = Pick<ort.InferenceSession, 'inputMetadata' | 'outputMetadata'>;

/**
 * Refuses a model whose outputs the Node binding cannot return (sequences, maps, optional values), before it runs.
 * @param session - The session's metadata.
 * @throws {InvalidInputError} Naming the non-tensor outputs.
 */
export function assertTensorOutputs(session: SessionMetadata): void {
  const bad = session.outputMetadata.filter((m) => !m.isTensor).map((m) => m.name);
  if (bad.length > 0) {
    throw new InvalidInputError(
      `The model has non-tensor output${bad.length > 1 ? 's' : ''} (a sequence, map or optional value): ${bad.join(', ')}.`,
      { details: NON_TENSOR_REASON },
    );
  }
}

/**
 * Checks feeds against a session's inputs and converts them: every graph input must be fed a tensor (an
 * `optional(tensor)` input included); a name the graph does not have is refused.
 * @param session - The session's metadata.
 * @param feeds - Tensors by input name.
 * @returns ORT tensors by input name.
 * @throws {InvalidInputError} Naming missing (with why a non-tensor input cannot be left out) and unknown inputs.
 */
export function toOrtFeeds(session: SessionMetadata, feeds: Record<string, Tensor>): Record<string, ort.Tensor> {
  const names = session.inputMetadata.map((m) => m.name);
  const missing = session.inputMetadata.filter((m) => !(m.name in feeds));
  const unknown = Object.keys(feeds).filter((name) => !names.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    const nonTensor = missing.filter((m) => !m.isTensor).map((m) => m.name);
    throw new InvalidInputError('The input tensors do not match the graph inputs.', {
      details: `graph inputs: ${names.join(', ')}; missing: ${missing.map((m) => m.name).join(', ') || '-'}; unknown: ${unknown.join(', ') || '-'}${
        nonTensor.length > 0 ? `; ${nonTensor.join(', ')} take a sequence or optional value: ${NON_TENSOR_REASON}` : ''
      }`,
    });
  }
  const out: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(feeds)) out[name] = toOrtTensor(tensor);
  return out;
}
