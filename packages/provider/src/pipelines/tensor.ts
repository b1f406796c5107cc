/**
 * Tensors in the provider. The tensor types, the dtype tables and the byte conversions are `@souk/protocol`'s
 * (`formats/tensor.ts`, shared with the web app; its docs say how each dtype is held); this module re-exports them,
 * re-throws their `FormatError` as the provider's {@link InvalidInputError}, and adds what only the provider does:
 * tensors from the JSON form of a job input ({@link tensorFromJson}).
 */
import { endianness } from 'node:os';
import type { FixedDtype, Tensor, TensorData, TensorDtype } from '@souk/protocol';
import * as format from '@souk/protocol';
import { asInvalidInput, InvalidInputError } from '../errors.ts';

export {
  allocateTensorData,
  DTYPE_BYTES,
  type FixedDtype,
  float16ToNumber,
  isTensorDtype,
  type Tensor,
  type TensorData,
  type TensorDataMap,
  type TensorDtype,
  tensorElement,
  UNSUPPORTED_DTYPES,
} from '@souk/protocol';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/**
 * Number of elements of a tensor with these dims (1 for a scalar); `@souk/protocol`'s `elementCount`.
 * @param dims - Dimensions, integers ≥ 0.
 * @returns The product of `dims`.
 * @throws {InvalidInputError} When a dimension is not a non-negative safe integer, or the product is not safe.
 */
export function elementCount(dims: readonly number[]): number {
  return asInvalidInput(() => format.elementCount(dims));
}

/**
 * Checks that a tensor's data has the container and length its dtype and dims require; `@souk/protocol`'s
 * `assertTensor`.
 * @param tensor - The tensor to check.
 * @param name - Its name, for the error message.
 * @throws {InvalidInputError} When it does not (or, for `bool`, an element is not 0/1; for `string`, not a string).
 */
export function assertTensor(tensor: Tensor, name = 'tensor'): void {
  asInvalidInput(() => format.assertTensor(tensor, name));
}

/**
 * The tensor's elements as little-endian bytes (the layout of the result hash and `.npy` files); `@souk/protocol`'s
 * `tensorToBytesLE`.
 * @param tensor - A tensor of a fixed-size dtype.
 * @returns A fresh byte array of `elementCount(dims) × DTYPE_BYTES[dtype]` bytes.
 * @throws {InvalidInputError} For a `string` tensor, which has no fixed-size layout.
 */
export function tensorToBytesLE(tensor: Tensor): Uint8Array {
  return asInvalidInput(() => format.tensorToBytesLE(tensor));
}

/**
 * Builds a tensor from the bytes of its elements; `@souk/protocol`'s `tensorFromBytes`.
 * @param dtype - Element type (fixed-size).
 * @param dims - Dimensions.
 * @param bytes - Exactly `elementCount(dims) × DTYPE_BYTES[dtype]` bytes.
 * @param littleEndian - `false` when the bytes are big-endian. @default true
 * @returns The tensor, with its own copy of the data.
 * @throws {InvalidInputError} When the byte length does not match, or a `bool` byte is not 0 or 1.
 */
export function tensorFromBytes(dtype: FixedDtype, dims: number[], bytes: Uint8Array, littleEndian = true): Tensor {
  return asInvalidInput(() => format.tensorFromBytes(dtype, dims, bytes, littleEndian));
}

/**
 * A tensor written as JSON. Elements by dtype:
 * - floats: numbers, or the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no literal for them); `float16`
 *   values are rounded to the nearest binary16 (ties to even);
 * - integers: integer numbers in the dtype's range; `int64`/`uint64` also as decimal strings (beyond ±(2⁵³−1));
 * - `bool`: `true`/`false` or `1`/`0`;
 * - `string`: strings.
 *
 * @example
 * ```ts
 * import type { JsonTensor } from '@souk/provider';
 * const t: JsonTensor = { dtype: 'int64', dims: [2], data: [1, '9007199254740993'] };
 * ```
 */
export type JsonTensor = {
  /** Element type. */
  dtype: TensorDtype;
  /** Dimensions, each an integer ≥ 0. */
  dims: number[];
  /** Elements in row-major order. */
  data: (number | boolean | string)[];
};

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int8: [-(2 ** 7), 2 ** 7 - 1],
  int16: [-(2 ** 15), 2 ** 15 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 2 ** 8 - 1],
  uint16: [0, 2 ** 16 - 1],
  uint32: [0, 2 ** 32 - 1],
  bool: [0, 1],
};

const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/**
 * Converts a JSON tensor to a typed one.
 * @param json - The JSON tensor (see {@link JsonTensor} for each dtype's element forms).
 * @param name - Its name, for error messages.
 * @returns The tensor, its data in a fresh container.
 * @throws {InvalidInputError} On an unknown dtype, a length mismatch, or an element that is not of its dtype or
 * outside its range.
 * @example
 * ```ts
 * import { tensorFromJson } from '@souk/provider';
 * tensorFromJson({ dtype: 'float32', dims: [2], data: [1, 'NaN'] }).data; // Float32Array [1, NaN]
 * ```
 */
export function tensorFromJson(json: JsonTensor, name = 'tensor'): Tensor {
  if (json === null || typeof json !== 'object') throw new InvalidInputError(`Tensor "${name}" is not an object.`);
  const { dtype, dims, data } = json;
  if (!format.isTensorDtype(dtype)) {
    throw new InvalidInputError(`Tensor "${name}" has unsupported dtype ${String(dtype)}.`, {
      details: format.UNSUPPORTED_DTYPES[String(dtype)],
    });
  }
  if (!Array.isArray(dims) || !Array.isArray(data)) {
    throw new InvalidInputError(`Tensor "${name}" needs array "dims" and "data".`);
  }
  const count = elementCount(dims);
  if (data.length !== count) {
    throw new InvalidInputError(`Tensor "${name}" has ${data.length} elements; dims [${dims}] need ${count}.`);
  }
  const bad = (i: number, what: string) =>
    new InvalidInputError(`Tensor "${name}" element ${i} (${JSON.stringify(data[i])}) is not ${what}.`);
  if (dtype === 'string') {
    return {
      dtype,
      dims: [...dims],
      data: data.map((v, i) => {
        if (typeof v !== 'string') throw bad(i, 'a string');
        return v;
      }),
    };
  }
  const out = format.allocateTensorData(dtype, count);
  if (dtype === 'float16' || dtype === 'float32' || dtype === 'float64') {
    const values = data.map((v, i) => {
      const n = typeof v === 'string' ? NON_FINITE[v] : v;
      if (typeof n !== 'number') throw bad(i, `a ${dtype} number`);
      return n;
    });
    if (dtype === 'float16') {
      const view = new DataView((out as Uint16Array).buffer);
      for (let i = 0; i < count; i++) setFloat16(view, i * 2, values[i]);
    } else {
      (out as Float32Array | Float64Array).set(values);
    }
  } else if (dtype === 'int64' || dtype === 'uint64') {
    const [min, max] = dtype === 'int64' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
    const target = out as BigInt64Array | BigUint64Array;
    for (let i = 0; i < count; i++) {
      const v = data[i];
      let n: bigint;
      if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
      else if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) n = BigInt(v);
      else throw bad(i, `an ${dtype} (a safe integer or a decimal string)`);
      if (n < min || n > max) throw bad(i, `in ${dtype} range`);
      target[i] = n;
    }
  } else {
    const [min, max] = INT_RANGES[dtype];
    const target = out as Exclude<TensorData, BigInt64Array | BigUint64Array | string[]>;
    for (let i = 0; i < count; i++) {
      const v = data[i];
      const n = dtype === 'bool' && typeof v === 'boolean' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw bad(i, dtype === 'bool' ? 'a bool' : `an ${dtype}`);
      if (n < min || n > max) throw bad(i, `in ${dtype} range`);
      target[i] = n;
    }
  }
  return { dtype, dims: [...dims], data: out } as Tensor;
}

/** `DataView.prototype.setFloat16` (ES2025; Node ≥ 24), which TypeScript's ES2023 library lacks. */
type Float16View = DataView & { setFloat16(offset: number, value: number, littleEndian?: boolean): void };

/** Writes `value` rounded to the nearest binary16 (ties to even), as `DataView.prototype.setFloat16` defines it. */
function setFloat16(view: DataView, offset: number, value: number): void {
  (view as Float16View).setFloat16(offset, value, LITTLE_ENDIAN_HOST);
}
