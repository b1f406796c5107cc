/**
 * A reader and writer for NumPy `.npy` files, format versions 1.0, 2.0 and 3.0, after the NumPy format specification
 * (`numpy/lib/format.py`, NEP 1 "A simple file format for NumPy arrays"):
 *
 * - magic `\x93NUMPY`, one byte major version, one byte minor version;
 * - header length, little-endian `uint16` (1.0) or `uint32` (2.0, 3.0);
 * - the header, a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` in ASCII (1.0,
 *   2.0) or UTF-8 (3.0), padded with spaces and ended by `\n` so the data starts at a multiple of 64 bytes;
 * - the elements, C (row-major) or Fortran (column-major) order.
 *
 * Supported element types, either byte order: `float16` (`f2`), `float32` (`f4`), `float64` (`f8`), `int8`…`int64`
 * (`i1`…`i8`), `uint8`…`uint64` (`u1`…`u8`), `bool` (`b1`), and `string` as NumPy's fixed-width Unicode (`U<n>`,
 * UTF-32 code points, NUL-padded) or bytes (`S<n>`, read as UTF-8). As in NumPy, trailing NULs of a fixed-width string
 * are padding, so a string cannot end with U+0000. Fortran-ordered arrays are read and reordered to row-major. Object
 * arrays (pickles), complex, datetime and structured dtypes are refused.
 */
import { InvalidInputError } from '../errors.ts';
import {
  allocateTensorData,
  elementCount,
  type FixedDtype,
  type Tensor,
  tensorFromBytes,
  tensorToBytesLE,
} from './tensor.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

const DESCR_TO_DTYPE: Readonly<Record<string, FixedDtype>> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  b1: 'bool',
};
const DTYPE_TO_DESCR: Readonly<Record<FixedDtype, string>> = {
  float16: '<f2',
  float32: '<f4',
  float64: '<f8',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  uint16: '<u2',
  uint32: '<u4',
  uint64: '<u8',
  bool: '|b1',
};
/** Why a NumPy kind the reader does not take is refused. */
const REFUSED_KINDS: Readonly<Record<string, string>> = {
  O: 'object arrays are Python pickles, which Souk never unpickles',
  c: 'ONNX Runtime has no JavaScript complex tensors',
  M: 'datetime arrays have no ONNX tensor type',
  m: 'timedelta arrays have no ONNX tensor type',
  V: 'structured and void arrays have no ONNX tensor type',
};

/**
 * Reads a `.npy` file.
 * @param bytes - The whole file.
 * @returns The array as a row-major tensor; `dims` is the file's `shape` (`[]` for a 0-d array).
 * @throws {InvalidInputError} On a bad magic, an unknown version, a malformed header, an unsupported `descr`, or a data
 * length that does not match the shape.
 * @example
 * ```ts
 * import { parseNpy, writeNpy } from '@souk/provider';
 * const t = parseNpy(writeNpy({ dtype: 'int32', dims: [2], data: new Int32Array([7, 8]) }));
 * t.data; // Int32Array [7, 8]
 * ```
 */
export function parseNpy(bytes: Uint8Array): Tensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new InvalidInputError('Not a .npy file (bad magic).');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new InvalidInputError('Truncated .npy header.');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new InvalidInputError(`Unsupported .npy format version ${major}.${bytes[7]}.`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new InvalidInputError('Truncated .npy header.');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new InvalidInputError('Malformed .npy header.', { details: header.trim() });
  }
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) throw new InvalidInputError(`Bad .npy shape (${shapeText}).`);
      return n;
    });
  const match = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!match) throw new InvalidInputError(`Unsupported .npy dtype '${descr}'.`);
  const [, order, kind, width] = match;
  const littleEndian = order !== '>';
  const count = elementCount(dims);
  const data = bytes.subarray(dataStart);
  let tensor: Tensor;
  if (kind === 'U' || kind === 'S') {
    const chars = Number(width);
    const unit = kind === 'U' ? 4 : 1;
    if (!Number.isSafeInteger(chars) || chars < 1) throw new InvalidInputError(`Unsupported .npy dtype '${descr}'.`);
    checkLength(data.length, count * chars * unit, dims, descr);
    tensor = { dtype: 'string', dims, data: readStrings(data, count, chars, kind, littleEndian) };
  } else {
    const dtype = DESCR_TO_DTYPE[`${kind}${width}`];
    if (dtype === undefined) {
      throw new InvalidInputError(`Unsupported .npy dtype '${descr}'.`, {
        details: REFUSED_KINDS[kind] ?? `supported: ${Object.keys(DESCR_TO_DTYPE).join(', ')}, U<n>, S<n>`,
      });
    }
    checkLength(data.length, count * Number(width), dims, descr);
    tensor = tensorFromBytes(dtype, dims, data, littleEndian);
  }
  return fortran === 'True' && dims.length > 1 ? fortranToC(tensor) : tensor;
}

function checkLength(actual: number, expected: number, dims: number[], descr: string): void {
  if (actual !== expected) {
    throw new InvalidInputError(`The .npy data holds ${actual} bytes; shape (${dims}) of ${descr} needs ${expected}.`);
  }
}

/** Fixed-width NumPy strings: `U` is UTF-32 code units, `S` bytes (read as UTF-8); trailing NULs are padding. */
function readStrings(data: Uint8Array, count: number, chars: number, kind: 'U' | 'S', littleEndian: boolean): string[] {
  const out = new Array<string>(count);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < count; i++) {
    if (kind === 'U') {
      const points: number[] = [];
      for (let c = 0; c < chars; c++) points.push(view.getUint32((i * chars + c) * 4, littleEndian));
      while (points.length > 0 && points[points.length - 1] === 0) points.pop();
      try {
        out[i] = String.fromCodePoint(...points);
      } catch {
        throw new InvalidInputError(`The .npy string ${i} holds a code point beyond U+10FFFF.`);
      }
    } else {
      let end = (i + 1) * chars;
      while (end > i * chars && data[end - 1] === 0) end--;
      try {
        out[i] = utf8.decode(data.subarray(i * chars, end));
      } catch {
        throw new InvalidInputError(`The .npy bytes string ${i} is not UTF-8.`);
      }
    }
  }
  return out;
}

/** Reorders a column-major tensor's elements to row-major. */
function fortranToC(tensor: Tensor): Tensor {
  const { dims } = tensor;
  const count = tensor.data.length;
  const out = allocateTensorData(tensor.dtype, count) as unknown as unknown[];
  const source = tensor.data as unknown as unknown[];
  const fStrides = dims.map((_, k) => dims.slice(0, k).reduce((a, b) => a * b, 1));
  const index = new Array<number>(dims.length).fill(0);
  for (let c = 0; c < count; c++) {
    let f = 0;
    for (let k = 0; k < dims.length; k++) f += index[k] * fStrides[k];
    out[c] = source[f];
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++index[k] < dims[k]) break;
      index[k] = 0;
    }
  }
  return { dtype: tensor.dtype, dims, data: out } as Tensor;
}

/**
 * Writes a tensor as a `.npy` file: format 1.0 (2.0 when the header exceeds 65,535 bytes), little-endian, C order,
 * data aligned to 64 bytes, byte-identical to what `numpy.save` writes for the same array. A `string` tensor is
 * written as `<U<n>`, `n` the most code points of any element (at least 1), as `numpy.array(list_of_str)` makes it.
 * @param tensor - The tensor.
 * @returns The file's bytes.
 * @example
 * ```ts
 * import { writeNpy } from '@souk/provider';
 * const bytes = writeNpy({ dtype: 'float32', dims: [1, 3], data: new Float32Array([1, 2, 3]) });
 * ```
 */
export function writeNpy(tensor: Tensor): Uint8Array {
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let descr: string;
  let data: Uint8Array;
  if (tensor.dtype === 'string') {
    const points = (tensor.data as string[]).map((s) => Array.from(s, (c) => c.codePointAt(0) as number));
    const chars = points.reduce((most, p) => Math.max(most, p.length), 1);
    descr = `<U${chars}`;
    data = new Uint8Array(points.length * chars * 4);
    const view = new DataView(data.buffer);
    for (let i = 0; i < points.length; i++) {
      for (let c = 0; c < points[i].length; c++) view.setUint32((i * chars + c) * 4, points[i][c], true);
    }
  } else {
    descr = DTYPE_TO_DESCR[tensor.dtype];
    data = tensorToBytesLE(tensor);
  }
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  let major = 1;
  let prefix = 10;
  let padded = pad(dict, prefix);
  if (padded.length > 0xffff) {
    major = 2;
    prefix = 12;
    padded = pad(dict, prefix);
  }
  const header = new TextEncoder().encode(padded);
  const out = new Uint8Array(prefix + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, prefix);
  out.set(data, prefix + header.length);
  return out;
}

function pad(dict: string, prefix: number): string {
  const total = prefix + dict.length + 1;
  return `${dict}${' '.repeat((ALIGN - (total % ALIGN)) % ALIGN)}\n`;
}

/** Whether bytes start with the `.npy` magic `\x93NUMPY`. */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}
