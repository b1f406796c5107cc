/**
 * Tensors as the provider moves them between the caller, the worker thread and ONNX Runtime: an ONNX element type,
 * dims, and the elements in row-major (C) order in a typed array.
 */
import { InvalidInputError } from '../errors.ts';

/** Element types the provider accepts and returns, in ONNX Runtime's spelling. */
export type TensorDtype = 'float32' | 'int64' | 'int32' | 'uint8' | 'bool';

/** The typed array that holds each dtype's elements (`bool` is one byte per element, 0 or 1). */
export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

/**
 * A dense tensor.
 *
 * @example
 * ```ts
 * import type { Tensor } from '@souk/provider';
 * const t: Tensor = { dtype: 'float32', dims: [1, 2], data: new Float32Array([0.5, 1]) };
 * ```
 */
export type Tensor = {
  /** Element type. */
  dtype: TensorDtype;
  /** Dimensions, each an integer ≥ 0; `[]` is a scalar. */
  dims: number[];
  /** Elements in row-major order; its length is the product of `dims`. */
  data: TensorData;
};

/**
 * A tensor written as JSON: elements as numbers (`bool` as `0`/`1` or `false`/`true`; `int64` as safe integers).
 *
 * @example
 * ```ts
 * import type { JsonTensor } from '@souk/provider';
 * const t: JsonTensor = { dtype: 'int64', dims: [2], data: [1, 2] };
 * ```
 */
export type JsonTensor = {
  /** Element type. */
  dtype: TensorDtype;
  /** Dimensions, each an integer ≥ 0. */
  dims: number[];
  /** Elements in row-major order. */
  data: (number | boolean)[];
};

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<TensorDtype, number>> = { float32: 4, int64: 8, int32: 4, uint8: 1, bool: 1 };

/**
 * Whether `value` is a dtype the provider supports.
 * @param value - Any value.
 * @returns `true` for `float32`, `int64`, `int32`, `uint8` and `bool`.
 */
export function isTensorDtype(value: unknown): value is TensorDtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);
}

/**
 * Number of elements of a tensor with these dims (1 for a scalar).
 * @param dims - Dimensions, integers ≥ 0.
 * @returns The product of `dims`.
 * @throws {InvalidInputError} When a dimension is not a non-negative safe integer.
 */
export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (const dim of dims) {
    if (!Number.isSafeInteger(dim) || dim < 0) throw new InvalidInputError(`Invalid dimension ${dim}.`);
    count *= dim;
  }
  return count;
}

/**
 * Checks that a tensor's data has the type and length its dtype and dims require.
 * @param tensor - The tensor to check.
 * @param name - Its name, for the error message.
 * @throws {InvalidInputError} When it does not.
 */
export function assertTensor(tensor: Tensor, name = 'tensor'): void {
  if (!isTensorDtype(tensor.dtype)) throw new InvalidInputError(`Tensor "${name}" has an unsupported dtype.`);
  const expected = elementCount(tensor.dims);
  const ok =
    (tensor.dtype === 'float32' && tensor.data instanceof Float32Array) ||
    (tensor.dtype === 'int64' && tensor.data instanceof BigInt64Array) ||
    (tensor.dtype === 'int32' && tensor.data instanceof Int32Array) ||
    ((tensor.dtype === 'uint8' || tensor.dtype === 'bool') && tensor.data instanceof Uint8Array);
  if (!ok) throw new InvalidInputError(`Tensor "${name}" holds the wrong typed array for ${tensor.dtype}.`);
  if (tensor.data.length !== expected) {
    throw new InvalidInputError(
      `Tensor "${name}" has ${tensor.data.length} elements; dims [${tensor.dims}] need ${expected}.`,
    );
  }
}

/**
 * Converts a JSON tensor to a typed one.
 * @param json - The JSON tensor.
 * @param name - Its name, for error messages.
 * @returns The tensor, its data in a fresh typed array.
 * @throws {InvalidInputError} On an unknown dtype, a length mismatch, a non-integer for an integer dtype, or an
 * `int64` element outside ±(2⁵³−1).
 * @example
 * ```ts
 * import { tensorFromJson } from '@souk/provider';
 * tensorFromJson({ dtype: 'float32', dims: [2], data: [1, 2] }).data; // Float32Array [1, 2]
 * ```
 */
export function tensorFromJson(json: JsonTensor, name = 'tensor'): Tensor {
  if (json === null || typeof json !== 'object') throw new InvalidInputError(`Tensor "${name}" is not an object.`);
  const { dtype, dims, data } = json;
  if (!isTensorDtype(dtype)) throw new InvalidInputError(`Tensor "${name}" has unsupported dtype ${String(dtype)}.`);
  if (!Array.isArray(dims) || !Array.isArray(data)) {
    throw new InvalidInputError(`Tensor "${name}" needs array "dims" and "data".`);
  }
  const count = elementCount(dims);
  if (data.length !== count) {
    throw new InvalidInputError(`Tensor "${name}" has ${data.length} elements; dims [${dims}] need ${count}.`);
  }
  const numbers = data.map((value, i) => {
    const n = typeof value === 'boolean' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      if (dtype === 'float32' && typeof n === 'number') return n;
      throw new InvalidInputError(`Tensor "${name}" element ${i} is not a finite number.`);
    }
    if (dtype !== 'float32' && !Number.isSafeInteger(n)) {
      throw new InvalidInputError(`Tensor "${name}" element ${i} is not an integer ${dtype}.`);
    }
    return n;
  });
  switch (dtype) {
    case 'float32':
      return { dtype, dims: [...dims], data: Float32Array.from(numbers) };
    case 'int64':
      return { dtype, dims: [...dims], data: BigInt64Array.from(numbers, (n) => BigInt(n)) };
    case 'int32':
      return { dtype, dims: [...dims], data: checkedInts(Int32Array, numbers, -(2 ** 31), 2 ** 31 - 1, name, dtype) };
    case 'uint8':
      return { dtype, dims: [...dims], data: checkedInts(Uint8Array, numbers, 0, 255, name, dtype) };
    case 'bool':
      return { dtype, dims: [...dims], data: checkedInts(Uint8Array, numbers, 0, 1, name, dtype) };
  }
}

function checkedInts<T extends Int32Array | Uint8Array>(
  Ctor: { from(values: number[]): T },
  values: number[],
  min: number,
  max: number,
  name: string,
  dtype: string,
): T {
  for (const value of values) {
    if (value < min || value > max)
      throw new InvalidInputError(`Tensor "${name}" element ${value} is out of ${dtype} range.`);
  }
  return Ctor.from(values);
}

/**
 * The tensor's elements as little-endian bytes (whatever the host byte order), the layout the result hash and `.npy`
 * files use.
 * @param tensor - The tensor.
 * @returns A fresh byte array of `elementCount(dims) × DTYPE_BYTES[dtype]` bytes.
 */
export function tensorToBytesLE(tensor: Tensor): Uint8Array {
  const size = DTYPE_BYTES[tensor.dtype];
  const out = new Uint8Array(tensor.data.length * size);
  const view = new DataView(out.buffer);
  const data = tensor.data;
  if (data instanceof Float32Array) for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  else if (data instanceof BigInt64Array) for (let i = 0; i < data.length; i++) view.setBigInt64(i * 8, data[i], true);
  else if (data instanceof Int32Array) for (let i = 0; i < data.length; i++) view.setInt32(i * 4, data[i], true);
  else out.set(data);
  return out;
}

/**
 * Builds a tensor from little-endian bytes.
 * @param dtype - Element type.
 * @param dims - Dimensions.
 * @param bytes - Exactly `elementCount(dims) × DTYPE_BYTES[dtype]` bytes, little-endian.
 * @param littleEndian - `false` when the bytes are big-endian. @default true
 * @returns The tensor, with its own copy of the data.
 * @throws {InvalidInputError} When the byte length does not match.
 */
export function tensorFromBytes(dtype: TensorDtype, dims: number[], bytes: Uint8Array, littleEndian = true): Tensor {
  const count = elementCount(dims);
  const size = DTYPE_BYTES[dtype];
  if (bytes.length !== count * size) {
    throw new InvalidInputError(`Expected ${count * size} bytes of ${dtype} for dims [${dims}], got ${bytes.length}.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float32': {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, littleEndian);
      return { dtype, dims, data };
    }
    case 'int64': {
      const data = new BigInt64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getBigInt64(i * 8, littleEndian);
      return { dtype, dims, data };
    }
    case 'int32': {
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(i * 4, littleEndian);
      return { dtype, dims, data };
    }
    case 'uint8':
      return { dtype, dims, data: bytes.slice() };
    case 'bool': {
      const data = bytes.slice();
      for (const v of data) if (v > 1) throw new InvalidInputError(`A bool element is ${v}, not 0 or 1.`);
      return { dtype, dims, data };
    }
  }
}
