/**
 * Generic ONNX jobs: the JSON input a model's manifest asks for, and output tensors decoded for display
 * (`{ tensors: { name: { dtype, dims, data: base64 } } }`, little-endian, row-major; docs/provider.md).
 */
import type { TensorSpec } from '@souk/sdk';

/** An output tensor as the canonical result stores it. */
export type EncodedTensor = { dtype: string; dims: number[]; data: string };

/** Whether a job's output is a tensors result. */
export function isTensorOutput(output: unknown): output is { tensors: Record<string, EncodedTensor> } {
  const tensors = (output as { tensors?: unknown } | null)?.tensors;
  return typeof tensors === 'object' && tensors !== null;
}

/**
 * A JSON input template for the model's inputs: zeros of the declared shape (dynamic dimensions become 1).
 * @example
 * ```ts
 * exampleInput([{ name: 'x', dtype: 'float32', shape: ['batch', 2] }]) // '{"tensors":{"x":{"dtype":"float32","dims":[1,2],"data":[0,0]}}}'
 * ```
 */
export function exampleInput(inputs: TensorSpec[] | undefined): string {
  const tensors: Record<string, { dtype: string; dims: number[]; data: number[] }> = {};
  for (const spec of inputs ?? []) {
    const dims = spec.shape.map((d) => (typeof d === 'number' ? d : 1));
    const size = dims.reduce((a, b) => a * b, 1);
    tensors[spec.name] = { dtype: spec.dtype, dims, data: new Array(Math.min(size, 4096)).fill(0) };
  }
  return JSON.stringify({ tensors }, null, 2);
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, int64: 8, uint8: 1, bool: 1, float64: 8 };

/**
 * The elements of an encoded tensor (at most `limit`), as numbers (int64 as decimal strings past 2^53).
 * @returns The values and the total element count.
 */
export function decodeTensor(tensor: EncodedTensor, limit = 64): { values: Array<number | string>; count: number } {
  const binary = atob(tensor.data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const width = BYTES[tensor.dtype] ?? 1;
  const count = Math.floor(bytes.length / width);
  const values: Array<number | string> = [];
  for (let i = 0; i < Math.min(count, limit); i++) {
    const at = i * width;
    switch (tensor.dtype) {
      case 'float32':
        values.push(view.getFloat32(at, true));
        break;
      case 'float64':
        values.push(view.getFloat64(at, true));
        break;
      case 'int32':
        values.push(view.getInt32(at, true));
        break;
      case 'int64': {
        const v = view.getBigInt64(at, true);
        values.push(
          v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : String(v),
        );
        break;
      }
      case 'bool':
        values.push(bytes[at] ? 1 : 0);
        break;
      default:
        values.push(bytes[at] ?? 0);
    }
  }
  return { values, count };
}
