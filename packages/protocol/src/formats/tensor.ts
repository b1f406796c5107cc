/**
 * Tensors as Souk moves them between requesters, nodes, providers and ONNX Runtime: an ONNX element type, dims, and
 * the elements in row-major (C) order; the dtype tables, and the conversions to and from little-endian bytes (the
 * layout of the result hash, of `.npy` files and of the base64 `data` of a canonical tensors result). Plain
 * `Uint8Array`/`DataView` code without Node built-ins: the provider and the web app run the same functions.
 *
 * Every element type the onnxruntime-node binding converts is supported (its `dataTypeStrings` table, ONNX
 * `TensorProto.DataType` 1–13): `float16`, `float32`, `float64`, `int8`, `int16`, `int32`, `int64`, `uint8`, `uint16`,
 * `uint32`, `uint64`, `bool` and `string`. Not supported, because the binding has no JavaScript form for them:
 * `bfloat16`, the `float8` types, `complex64`/`complex128`; nor `int4`/`uint4` (packed nibbles, which no `.npy` dtype
 * can carry), see {@link UNSUPPORTED_DTYPES}.
 *
 * `float16` elements are held as their IEEE 754 binary16 bit patterns in a `Uint16Array` (the typed array
 * onnxruntime-common accepts besides `Float16Array`, which TypeScript's ES2023 library does not know); `bool` as one
 * byte per element, 0 or 1; `string` as a JavaScript array of strings.
 */
import { FormatError } from './errors.ts';

/** Element types Souk's tensors have, in ONNX Runtime's spelling. */
export type TensorDtype =
  | 'float16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

/** Element types with a fixed size in bytes (every dtype but `string`). */
export type FixedDtype = Exclude<TensorDtype, 'string'>;

/** The container of each dtype's elements. */
export type TensorDataMap = {
  /** IEEE 754 binary16 bit patterns. */
  float16: Uint16Array;
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  /** One byte per element, 0 or 1. */
  bool: Uint8Array;
  string: string[];
};

/** The typed array (or, for `string`, the array) that holds a tensor's elements. */
export type TensorData = TensorDataMap[TensorDtype];

/**
 * A dense tensor.
 *
 * @example
 * ```ts
 * import type { Tensor } from '@souk/protocol';
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

/** Bytes per element of each fixed-size dtype. */
export const DTYPE_BYTES: Readonly<Record<FixedDtype, number>> = {
  float16: 2,
  float32: 4,
  float64: 8,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  bool: 1,
};

/**
 * ONNX element types the generic pipeline refuses, with the reason (shown to the buyer when a model declares one).
 */
export const UNSUPPORTED_DTYPES: Readonly<Record<string, string>> = {
  bfloat16: 'onnxruntime-node has no JavaScript tensor type for bfloat16',
  float8e4m3fn: 'onnxruntime-node has no JavaScript tensor type for float8',
  float8e4m3fnuz: 'onnxruntime-node has no JavaScript tensor type for float8',
  float8e5m2: 'onnxruntime-node has no JavaScript tensor type for float8',
  float8e5m2fnuz: 'onnxruntime-node has no JavaScript tensor type for float8',
  complex64: 'onnxruntime-node has no JavaScript tensor type for complex numbers',
  complex128: 'onnxruntime-node has no JavaScript tensor type for complex numbers',
  int4: 'packed 4-bit tensors have no .npy or JSON form in Souk yet',
  uint4: 'packed 4-bit tensors have no .npy or JSON form in Souk yet',
};

type TypedCtor = { new (length: number): ArrayBufferView & ArrayLike<number | bigint> };
const CTORS: Readonly<Record<FixedDtype, TypedCtor>> = {
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

/** Whether this machine stores multi-byte numbers little-endian (the typed arrays use the host's byte order). */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Whether `value` is one of Souk's tensor dtypes.
 * @param value - Any value.
 * @returns `true` for the thirteen dtypes of {@link TensorDtype}.
 */
export function isTensorDtype(value: unknown): value is TensorDtype {
  return value === 'string' || (typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value));
}

/**
 * An empty container for `count` elements of a dtype.
 * @param dtype - Element type.
 * @param count - Number of elements.
 * @returns A zero-filled typed array (or an array of empty strings).
 */
export function allocateTensorData<D extends TensorDtype>(dtype: D, count: number): TensorDataMap[D] {
  if (dtype === 'string') return new Array<string>(count).fill('') as TensorDataMap[D];
  return new CTORS[dtype as FixedDtype](count) as unknown as TensorDataMap[D];
}

/**
 * Number of elements of a tensor with these dims (1 for a scalar).
 * @param dims - Dimensions, integers ≥ 0.
 * @returns The product of `dims`.
 * @throws {FormatError} When a dimension is not a non-negative safe integer, or the product is not safe.
 */
export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (const dim of dims) {
    if (!Number.isSafeInteger(dim) || dim < 0) throw new FormatError(`Invalid dimension ${dim}.`);
    count *= dim;
  }
  if (!Number.isSafeInteger(count)) throw new FormatError(`Dims [${dims}] hold too many elements.`);
  return count;
}

/**
 * Checks that a tensor's data has the container and length its dtype and dims require.
 * @param tensor - The tensor to check.
 * @param name - Its name, for the error message.
 * @throws {FormatError} When it does not (or, for `bool`, an element is not 0/1; for `string`, not a string).
 */
export function assertTensor(tensor: Tensor, name = 'tensor'): void {
  if (tensor === null || typeof tensor !== 'object') throw new FormatError(`Tensor "${name}" is not an object.`);
  if (!isTensorDtype(tensor.dtype)) {
    throw new FormatError(`Tensor "${name}" has unsupported dtype ${String(tensor.dtype)}.`, {
      details: UNSUPPORTED_DTYPES[String(tensor.dtype)],
    });
  }
  if (!Array.isArray(tensor.dims)) throw new FormatError(`Tensor "${name}" needs array "dims".`);
  const expected = elementCount(tensor.dims);
  const { dtype, data } = tensor;
  const ok =
    dtype === 'string'
      ? Array.isArray(data) && data.every((s) => typeof s === 'string')
      : data instanceof CTORS[dtype] &&
        // Uint8Array also backs uint8; Uint16Array also backs uint16: the constructor alone decides.
        data.constructor === CTORS[dtype];
  if (!ok) throw new FormatError(`Tensor "${name}" holds the wrong container for ${dtype}.`);
  if (data.length !== expected) {
    throw new FormatError(`Tensor "${name}" has ${data.length} elements; dims [${tensor.dims}] need ${expected}.`);
  }
  if (dtype === 'bool') {
    for (const v of data as Uint8Array) {
      if (v > 1) throw new FormatError(`Tensor "${name}" has a bool element ${v}, not 0 or 1.`);
    }
  }
}

/**
 * The number a binary16 bit pattern stands for (IEEE 754 binary16: 1 sign bit, 5 exponent bits biased by 15, 10
 * fraction bits), decoded with plain arithmetic, so it needs neither `DataView.prototype.getFloat16` nor
 * `Float16Array` (ES2025), which older browsers lack.
 * @param bits - IEEE 754 binary16 bits, 0..65535.
 * @returns The value (NaN for every NaN pattern, ±Infinity, −0 for 0x8000, subnormals included).
 * @example
 * ```ts
 * import { float16ToNumber } from '@souk/protocol';
 * float16ToNumber(0x3e00); // 1.5
 * ```
 */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * The element at flat index `i` as a JavaScript value: a number for numeric dtypes (`float16` decoded from its
 * bits), a `bigint` for `int64`/`uint64`, a boolean for `bool`, a string for `string`.
 * @param tensor - The tensor.
 * @param i - Row-major element index.
 * @returns The element.
 */
export function tensorElement(tensor: Tensor, i: number): number | bigint | boolean | string {
  const v = tensor.data[i];
  if (tensor.dtype === 'float16') return float16ToNumber(v as number);
  if (tensor.dtype === 'bool') return v === 1;
  return v as number | bigint | string;
}

/**
 * The tensor's elements as little-endian bytes (whatever the host byte order), the layout the result hash and `.npy`
 * files use; floats are copied bit for bit (NaN payloads included).
 * @param tensor - A tensor of a fixed-size dtype.
 * @returns A fresh byte array of `elementCount(dims) × DTYPE_BYTES[dtype]` bytes.
 * @throws {FormatError} For a `string` tensor, which has no fixed-size layout.
 */
export function tensorToBytesLE(tensor: Tensor): Uint8Array {
  if (tensor.dtype === 'string') throw new FormatError('A string tensor has no fixed-size byte layout.');
  const data = tensor.data as Exclude<TensorData, string[]>;
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const size = DTYPE_BYTES[tensor.dtype];
  if (LITTLE_ENDIAN_HOST || size === 1) return raw.slice();
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += size) for (let b = 0; b < size; b++) out[i + b] = raw[i + size - 1 - b];
  return out;
}

/**
 * Builds a tensor from the bytes of its elements.
 * @param dtype - Element type (fixed-size).
 * @param dims - Dimensions.
 * @param bytes - Exactly `elementCount(dims) × DTYPE_BYTES[dtype]` bytes.
 * @param littleEndian - `false` when the bytes are big-endian. @default true
 * @returns The tensor, with its own copy of the data.
 * @throws {FormatError} When the byte length does not match, or a `bool` byte is not 0 or 1.
 */
export function tensorFromBytes(dtype: FixedDtype, dims: number[], bytes: Uint8Array, littleEndian = true): Tensor {
  const count = elementCount(dims);
  const size = DTYPE_BYTES[dtype];
  if (bytes.length !== count * size) {
    throw new FormatError(`Expected ${count * size} bytes of ${dtype} for dims [${dims}], got ${bytes.length}.`);
  }
  const data = allocateTensorData(dtype, count) as Exclude<TensorData, string[]>;
  const target = new Uint8Array(data.buffer);
  if (littleEndian === LITTLE_ENDIAN_HOST || size === 1) target.set(bytes);
  else
    for (let i = 0; i < bytes.length; i += size) for (let b = 0; b < size; b++) target[i + b] = bytes[i + size - 1 - b];
  const tensor = { dtype, dims, data } as Tensor;
  if (dtype === 'bool') assertTensor(tensor, 'bool');
  return tensor;
}
