/**
 * Generic ONNX models: the JSON input a model's manifest asks for, and output tensors decoded for display
 * (`{ tensors: { name: { dtype, dims, data: base64 } } }`, little-endian, row-major; a `string` tensor's `data` is the
 * array of its strings; docs/provider.md, "Canonical results").
 */
import { DTYPE_BYTES, encodeNpy, float16ToNumber, isTensorDtype } from '@souk/protocol';
import type { TensorSpec } from '@souk/sdk';

/** An output tensor as the canonical result stores it. */
export type EncodedTensor = { dtype: string; dims: number[]; data: string | string[] };

/** Whether a result is a tensors result. */
export function isTensorOutput(output: unknown): output is { tensors: Record<string, EncodedTensor> } {
  const tensors = (output as { tensors?: unknown } | null)?.tensors;
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors)) return false;
  return Object.values(tensors).every((t) => {
    const e = t as EncodedTensor | null;
    return (
      typeof e?.dtype === 'string' && Array.isArray(e.dims) && (typeof e.data === 'string' || Array.isArray(e.data))
    );
  });
}

/**
 * Largest element count of a pre-filled example tensor: 131,072 zeros are about 256 KiB of JSON, well inside the
 * 1 MiB an order carries inline. A larger shape gets this many zeros, which the user has to complete (the node refuses
 * data that does not fill the dims).
 */
const MAX_EXAMPLE_ELEMENTS = 131_072;

/**
 * A JSON input template for the model's inputs: each declared input with its dtype and shape, symbolic dimensions
 * (`"batch"`, `"sequence"`) set to 1, and zeros as data (`false` for `bool`, `""` for `string`). One line per tensor,
 * so a large one stays editable.
 * @param inputs - The manifest's `inputs`.
 * @returns `{"tensors": {...}}` JSON, `{"tensors": {}}` for a model without declared inputs.
 * @example
 * ```ts
 * exampleInput([{ name: 'x', dtype: 'float32', shape: ['batch', 2] }])
 * // '{\n  "tensors": {\n    "x": {"dtype": "float32", "dims": [1,2], "data": [0,0]}\n  }\n}'
 * ```
 */
export function exampleInput(inputs: TensorSpec[] | undefined): string {
  const lines = (inputs ?? []).map((spec) => {
    const dims = spec.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
    const size = dims.reduce((a, b) => a * b, 1);
    const zero = spec.dtype === 'bool' ? false : spec.dtype === 'string' ? '' : 0;
    const data = new Array(Math.min(size, MAX_EXAMPLE_ELEMENTS)).fill(zero);
    return `    ${JSON.stringify(spec.name)}: {"dtype": ${JSON.stringify(spec.dtype)}, "dims": ${JSON.stringify(dims)}, "data": ${JSON.stringify(data)}}`;
  });
  return lines.length === 0 ? '{\n  "tensors": {}\n}' : `{\n  "tensors": {\n${lines.join(',\n')}\n  }\n}`;
}

/**
 * The raw bytes of an encoded tensor (its base64 `data`).
 * @throws {Error} For a `string` tensor (its data is strings) or data that is not base64.
 */
export function tensorBytes(tensor: EncodedTensor): Uint8Array {
  if (typeof tensor.data !== 'string') throw new Error('A string tensor has no bytes.');
  return Uint8Array.from(atob(tensor.data), (c) => c.charCodeAt(0));
}

/** Bytes per element of a fixed-size dtype (`@souk/protocol`'s `DTYPE_BYTES`); 1 for a dtype it does not know. */
function elementWidth(dtype: string): number {
  return isTensorDtype(dtype) && dtype !== 'string' ? DTYPE_BYTES[dtype] : 1;
}

/** One element: a number, or (`int64`/`uint64` past ±(2⁵³−1)) a decimal string, or a string tensor's string. */
export type TensorValue = number | string;

function readElement(view: DataView, dtype: string, at: number): TensorValue {
  switch (dtype) {
    case 'float16':
      return float16ToNumber(view.getUint16(at, true));
    case 'float32':
      return view.getFloat32(at, true);
    case 'float64':
      return view.getFloat64(at, true);
    case 'int8':
      return view.getInt8(at);
    case 'int16':
      return view.getInt16(at, true);
    case 'int32':
      return view.getInt32(at, true);
    case 'uint16':
      return view.getUint16(at, true);
    case 'uint32':
      return view.getUint32(at, true);
    case 'int64':
    case 'uint64': {
      const v = dtype === 'int64' ? view.getBigInt64(at, true) : view.getBigUint64(at, true);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : String(v);
    }
    case 'bool':
      return view.getUint8(at) ? 1 : 0;
    default:
      return view.getUint8(at);
  }
}

/**
 * The elements of an encoded tensor (at most `limit`), as numbers (`int64`/`uint64` as decimal strings past 2^53,
 * `bool` as 0/1), or a string tensor's strings.
 * @returns The values and the total element count.
 */
export function decodeTensor(tensor: EncodedTensor, limit = 64): { values: TensorValue[]; count: number } {
  if (typeof tensor.data !== 'string') return { values: tensor.data.slice(0, limit), count: tensor.data.length };
  const bytes = tensorBytes(tensor);
  const view = new DataView(bytes.buffer);
  const width = elementWidth(tensor.dtype);
  const count = Math.floor(bytes.length / width);
  const values: TensorValue[] = [];
  for (let i = 0; i < Math.min(count, limit); i++) values.push(readElement(view, tensor.dtype, i * width));
  return { values, count };
}

/** What {@link summarizeTensor} tells about a tensor (as `@souk/provider`'s `summarizeTensor`, for the browser). */
export type TensorSummary = {
  /** Number of elements. */
  count: number;
  /** Smallest finite element (`int64`/`uint64` past 2^53 as decimal strings); absent when none. */
  min?: TensorValue | undefined;
  /** Largest finite element, as `min`. */
  max?: TensorValue | undefined;
  /** Mean of the finite elements (binary64 sum); absent when none. */
  mean?: number | undefined;
  /** NaN elements. */
  nan: number;
  /** ±Infinity elements. */
  infinite: number;
  /** The first elements (at most `preview`). */
  head: TensorValue[];
};

/**
 * Summarises an encoded tensor: value range, mean over the finite elements, NaN/∞ counts and its first elements.
 * A string tensor gets its count and first strings only.
 * @param tensor - The tensor as the canonical result holds it.
 * @param options - `preview`: how many leading elements to keep. @default 8
 * @returns The summary.
 * @example
 * ```ts
 * summarizeTensor({ dtype: 'float32', dims: [2], data: 'AACAPgAAQD8=' }) // { count: 2, min: 0.25, max: 0.75, mean: 0.5, nan: 0, infinite: 0, head: [0.25, 0.75] }
 * ```
 */
export function summarizeTensor(tensor: EncodedTensor, { preview = 8 } = {}): TensorSummary {
  if (typeof tensor.data !== 'string') {
    return { count: tensor.data.length, nan: 0, infinite: 0, head: tensor.data.slice(0, preview) };
  }
  const bytes = tensorBytes(tensor);
  const view = new DataView(bytes.buffer);
  const width = elementWidth(tensor.dtype);
  const count = Math.floor(bytes.length / width);
  const summary: TensorSummary = { count, nan: 0, infinite: 0, head: [] };
  const big = tensor.dtype === 'int64' || tensor.dtype === 'uint64';
  let min: number | bigint | undefined;
  let max: number | bigint | undefined;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < count; i++) {
    const at = i * width;
    if (i < preview) summary.head.push(readElement(view, tensor.dtype, at));
    if (big) {
      const v = tensor.dtype === 'int64' ? view.getBigInt64(at, true) : view.getBigUint64(at, true);
      if (min === undefined || v < min) min = v;
      if (max === undefined || v > max) max = v;
      sum += Number(v);
      finite++;
      continue;
    }
    const v = Number(readElement(view, tensor.dtype, at));
    if (Number.isNaN(v)) summary.nan++;
    else if (!Number.isFinite(v)) summary.infinite++;
    else {
      finite++;
      sum += v;
      if (min === undefined || v < min) min = v;
      if (max === undefined || v > max) max = v;
    }
  }
  if (finite === 0) return summary;
  const json = (v: number | bigint) =>
    typeof v === 'bigint'
      ? v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v)
        : String(v)
      : v;
  return { ...summary, min: json(min as number | bigint), max: json(max as number | bigint), mean: sum / finite };
}

/**
 * A number as a short label: 4 significant digits, exponent form for large and small magnitudes.
 * @example formatNumber(0.123456) // '0.1235'
 */
export function formatNumber(v: TensorValue): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return String(v);
  const p = v.toPrecision(4);
  return p.includes('e') ? p.replace(/\.?0+e/, 'e') : String(Number(p));
}

/**
 * An encoded tensor as a `.npy` file (what `numpy.load` reads back with the same dtype, shape and elements).
 * @throws {FormatError} (`@souk/protocol`) For a dtype `.npy` cannot hold, or data that does not fill the dims.
 */
export function tensorToNpy(tensor: EncodedTensor): Uint8Array {
  return encodeNpy({
    dtype: tensor.dtype,
    dims: tensor.dims,
    data: typeof tensor.data === 'string' ? tensorBytes(tensor) : tensor.data,
  });
}
