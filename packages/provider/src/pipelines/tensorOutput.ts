/**
 * Reading the generic pipeline's results: the canonical result bytes (`result.ts`) back into tensors, and a short,
 * human-readable summary of a tensor (dtype, shape, value range, the first elements) for the CLI and the web app.
 * Saving a tensor as a file is `writeNpy` / `writeNpz`.
 */
import { InvalidInputError } from '../errors.ts';
import { assertTensor, isTensorDtype, type Tensor, tensorElement, tensorFromBytes } from './tensor.ts';

/**
 * Reads a generic-pipeline result back into tensors: the inverse of `canonicalResult` for tensor outputs.
 * @param result - The canonical result bytes (UTF-8 JSON `{"tensors":{…}}`), or that JSON already parsed.
 * @returns Tensors by output name, in the result's (sorted) order.
 * @throws {InvalidInputError} When the result is not a tensor result, or a tensor in it is malformed.
 * @example
 * ```ts
 * import { decodeTensorResult, formatTensorSummary } from '@souk/provider';
 * for (const [name, t] of Object.entries(decodeTensorResult(resultBytes))) console.log(formatTensorSummary(name, t));
 * ```
 */
export function decodeTensorResult(result: Uint8Array | unknown): Record<string, Tensor> {
  let value = result;
  if (result instanceof Uint8Array) {
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(result));
    } catch (error) {
      throw new InvalidInputError('The result is not UTF-8 JSON.', { details: (error as Error).message });
    }
  }
  const tensors = (value as { tensors?: unknown } | null)?.tensors;
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors)) {
    throw new InvalidInputError('The result has no "tensors" object.');
  }
  const out: Record<string, Tensor> = {};
  for (const [name, entry] of Object.entries(tensors as Record<string, unknown>)) {
    const { dtype, dims, data } = (entry ?? {}) as { dtype?: unknown; dims?: unknown; data?: unknown };
    if (!isTensorDtype(dtype) || !Array.isArray(dims)) {
      throw new InvalidInputError(`Result tensor "${name}" needs a known "dtype" and array "dims".`);
    }
    let tensor: Tensor;
    if (dtype === 'string') {
      tensor = { dtype, dims, data: data as string[] };
    } else {
      if (typeof data !== 'string') throw new InvalidInputError(`Result tensor "${name}" needs base64 "data".`);
      tensor = tensorFromBytes(dtype, dims, new Uint8Array(Buffer.from(data, 'base64')));
    }
    assertTensor(tensor, name);
    out[name] = tensor;
  }
  return out;
}

/** What {@link summarizeTensor} tells about a tensor. */
export type TensorSummary = {
  /** Element type. */
  dtype: Tensor['dtype'];
  /** Dimensions. */
  dims: number[];
  /** Number of elements (product of `dims`). */
  count: number;
  /** Smallest element (numbers and `bool` as 0/1; `int64`/`uint64` as decimal strings); absent when none is finite. */
  min?: number | string | undefined;
  /** Largest element, as `min`. */
  max?: number | string | undefined;
  /** Mean of the finite elements (binary64 sum; `int64`/`uint64` converted to numbers); absent when none. */
  mean?: number | undefined;
  /** Elements that are NaN (float dtypes). */
  nan: number;
  /** Elements that are ±Infinity (float dtypes). */
  infinite: number;
  /** The first elements (at most `preview`), as JSON-friendly values (`bigint` as decimal strings). */
  head: (number | string | boolean)[];
};

/**
 * Summarises a tensor: its dtype and shape, value range, mean, NaN/∞ counts and its first elements.
 * @param tensor - The tensor.
 * @param options - `preview`: how many leading elements to keep. @default 8
 * @returns The summary (JSON-serialisable).
 * @example
 * ```ts
 * import { summarizeTensor } from '@souk/provider';
 * summarizeTensor({ dtype: 'float32', dims: [1, 2], data: new Float32Array([0.25, 0.75]) });
 * // { dtype: 'float32', dims: [1, 2], count: 2, min: 0.25, max: 0.75, mean: 0.5, nan: 0, infinite: 0, head: [0.25, 0.75] }
 * ```
 */
export function summarizeTensor(tensor: Tensor, { preview = 8 }: { preview?: number } = {}): TensorSummary {
  const count = tensor.data.length;
  const json = (v: number | bigint | boolean | string) => (typeof v === 'bigint' ? v.toString() : v);
  const head: (number | string | boolean)[] = [];
  for (let i = 0; i < Math.min(count, preview); i++) head.push(json(tensorElement(tensor, i)));
  const summary: TensorSummary = { dtype: tensor.dtype, dims: [...tensor.dims], count, nan: 0, infinite: 0, head };
  if (tensor.dtype === 'string' || count === 0) return summary;
  if (tensor.dtype === 'int64' || tensor.dtype === 'uint64') {
    const data = tensor.data as BigInt64Array | BigUint64Array;
    let min = data[0];
    let max = data[0];
    let sum = 0;
    for (const v of data) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += Number(v);
    }
    return { ...summary, min: min.toString(), max: max.toString(), mean: sum / count };
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < count; i++) {
    const v = Number(tensorElement(tensor, i));
    if (Number.isNaN(v)) summary.nan++;
    else if (!Number.isFinite(v)) summary.infinite++;
    else {
      finite++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (finite === 0) return summary;
  return { ...summary, min, max, mean: sum / finite };
}

/**
 * One line describing a tensor, e.g. `probs float32[1, 2] min 0.25 max 0.75 mean 0.5 [0.25, 0.75]`.
 * @param name - The tensor's name.
 * @param tensor - The tensor.
 * @param options - `preview`: how many leading elements to print. @default 8
 * @returns The line (no trailing newline).
 * @example
 * ```ts
 * import { formatTensorSummary } from '@souk/provider';
 * formatTensorSummary('y', { dtype: 'bool', dims: [3], data: new Uint8Array([1, 0, 1]) });
 * // 'y bool[3] min 0 max 1 mean 0.6667 [true, false, true]'
 * ```
 */
export function formatTensorSummary(name: string, tensor: Tensor, { preview = 8 }: { preview?: number } = {}): string {
  const s = summarizeTensor(tensor, { preview });
  const num = (v: number | string) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return String(v);
    const p = v.toPrecision(4); // 4 significant digits; exponent form kept for large and small magnitudes
    return p.includes('e') ? p.replace(/\.?0+e/, 'e') : String(Number(p));
  };
  const parts = [`${name} ${s.dtype}[${s.dims.join(', ')}]`];
  if (s.min !== undefined && s.max !== undefined) parts.push(`min ${num(s.min)} max ${num(s.max)}`);
  if (s.mean !== undefined) parts.push(`mean ${num(s.mean)}`);
  if (s.nan > 0) parts.push(`${s.nan} NaN`);
  if (s.infinite > 0) parts.push(`${s.infinite} ±Inf`);
  const items = s.head.map((v) => (s.dtype === 'string' ? JSON.stringify(v) : typeof v === 'number' ? num(v) : v));
  parts.push(`[${items.join(', ')}${s.count > s.head.length ? `, … (${s.count} elements)` : ''}]`);
  return parts.join(' ');
}
