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
 *
 * The writer produces what `numpy.save` writes: version 1.0 (2.0 only for a header past 65,535 bytes),
 * little-endian, C order, strings as `<U<n>`. Plain `Uint8Array`/`DataView` code: the provider reads job inputs with
 * it, the web app reads the header of a picked file and writes result tensors for download.
 */
import { FormatError } from './errors.ts';
import {
  allocateTensorData,
  DTYPE_BYTES,
  elementCount,
  type FixedDtype,
  type Tensor,
  type TensorDtype,
  tensorFromBytes,
  tensorToBytesLE,
} from './tensor.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

/** The NumPy `descr` `writeNpy` / `encodeNpy` write for each fixed-size dtype (`string` is written as `<U<n>`). */
export const NPY_DESCR: Readonly<Record<FixedDtype, string>> = {
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

/** NumPy kind and width (`f4`, without the byte order) → dtype. */
const DESCR_TO_DTYPE: Readonly<Record<string, FixedDtype>> = Object.fromEntries(
  Object.entries(NPY_DESCR).map(([dtype, descr]) => [descr.slice(1), dtype as FixedDtype]),
);

/** Why a NumPy kind the reader does not take is refused. */
const REFUSED_KINDS: Readonly<Record<string, string>> = {
  O: 'object arrays are Python pickles, which Souk never unpickles',
  c: 'ONNX Runtime has no JavaScript complex tensors',
  M: 'datetime arrays have no ONNX tensor type',
  m: 'timedelta arrays have no ONNX tensor type',
  V: 'structured and void arrays have no ONNX tensor type',
};

/** What a `.npy` file holds, as its header says. */
export type NpyHeader = {
  /** Element type (ONNX spelling); `string` for NumPy's `U<n>` and `S<n>` arrays. */
  dtype: TensorDtype;
  /** The array's shape (`[]` for a 0-d array). */
  dims: number[];
  /** Whether the elements are stored column-major. */
  fortranOrder: boolean;
  /** Offset of the first element in the file, bytes (a multiple of 64 in files `numpy.save` writes). */
  dataOffset: number;
  /** The NumPy `descr` as written, e.g. `<f4`, `>i8`, `<U5`. */
  descr: string;
};

/** A parsed `descr`: byte order, NumPy kind letter and width (bytes, or characters for `U`/`S`). */
type Descr = { littleEndian: boolean; kind: string; width: number };

function parseDescr(descr: string): Descr & { dtype: TensorDtype } {
  const match = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!match) throw new FormatError(`Unsupported .npy dtype '${descr}'.`);
  const [, order, kind, width] = match;
  const littleEndian = order !== '>';
  if (kind === 'U' || kind === 'S') {
    const chars = Number(width);
    if (!Number.isSafeInteger(chars) || chars < 1) throw new FormatError(`Unsupported .npy dtype '${descr}'.`);
    return { dtype: 'string', littleEndian, kind, width: chars };
  }
  const dtype = DESCR_TO_DTYPE[`${kind}${width}`];
  if (dtype === undefined) {
    throw new FormatError(`Unsupported .npy dtype '${descr}': ONNX has no tensor of NumPy type ${descr}.`, {
      details: REFUSED_KINDS[kind] ?? `supported: ${Object.keys(DESCR_TO_DTYPE).join(', ')}, U<n>, S<n>`,
    });
  }
  return { dtype, littleEndian, kind, width: Number(width) };
}

/**
 * Reads the header of a `.npy` file: its element type, shape and order, e.g. to show what a picked file holds before
 * sending it.
 * @param bytes - At least the file's header (the first `dataOffset` bytes).
 * @returns The header.
 * @throws {FormatError} On a bad magic, an unknown version, a header cut short or malformed (it needs `descr`,
 * `fortran_order` and `shape`), a bad shape, or a `descr` no ONNX tensor has (the reason in `details`).
 * @example
 * ```ts
 * import { readNpyHeader, writeNpy } from '@souk/protocol';
 * readNpyHeader(writeNpy({ dtype: 'int32', dims: [2], data: new Int32Array(2) }));
 * // { dtype: 'int32', dims: [2], fortranOrder: false, dataOffset: 128, descr: '<i4' }
 * ```
 */
export function readNpyHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10 || !isNpy(bytes)) throw new FormatError('Not a .npy file (no \\x93NUMPY magic).');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new FormatError('Truncated .npy header.');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new FormatError(`Unsupported .npy format version ${major}.${bytes[7]}.`);
  }
  const dataOffset = headerStart + headerLength;
  if (dataOffset > bytes.length) throw new FormatError('Truncated .npy header.');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataOffset));
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new FormatError('Malformed .npy header (needs descr, fortran_order and shape).', { details: header.trim() });
  }
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) throw new FormatError(`Bad .npy shape (${shapeText}).`);
      return n;
    });
  const { dtype } = parseDescr(descr);
  return { dtype, dims, fortranOrder: fortran === 'True', dataOffset, descr };
}

/**
 * Reads a `.npy` file.
 * @param bytes - The whole file.
 * @returns The array as a row-major tensor; `dims` is the file's `shape` (`[]` for a 0-d array).
 * @throws {FormatError} As {@link readNpyHeader}; and on a data length that does not match the shape, a `bool`
 * byte that is not 0 or 1, or a string that is not UTF-8 (`S`) or not Unicode (`U`).
 * @example
 * ```ts
 * import { parseNpy, writeNpy } from '@souk/protocol';
 * const t = parseNpy(writeNpy({ dtype: 'int32', dims: [2], data: new Int32Array([7, 8]) }));
 * t.data; // Int32Array [7, 8]
 * ```
 */
export function parseNpy(bytes: Uint8Array): Tensor {
  const { dims, fortranOrder, dataOffset, descr } = readNpyHeader(bytes);
  const { dtype, littleEndian, kind, width } = parseDescr(descr);
  const count = elementCount(dims);
  const data = bytes.subarray(dataOffset);
  let tensor: Tensor;
  if (dtype === 'string') {
    checkLength(data.length, count * width * (kind === 'U' ? 4 : 1), dims, descr);
    tensor = { dtype, dims, data: readStrings(data, count, width, kind as 'U' | 'S', littleEndian) };
  } else {
    checkLength(data.length, count * width, dims, descr);
    tensor = tensorFromBytes(dtype, dims, data, littleEndian);
  }
  return fortranOrder && dims.length > 1 ? fortranToC(tensor) : tensor;
}

function checkLength(actual: number, expected: number, dims: number[], descr: string): void {
  if (actual !== expected) {
    throw new FormatError(`The .npy data holds ${actual} bytes; shape (${dims}) of ${descr} needs ${expected}.`);
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
        throw new FormatError(`The .npy string ${i} holds a code point beyond U+10FFFF.`);
      }
    } else {
      let end = (i + 1) * chars;
      while (end > i * chars && data[end - 1] === 0) end--;
      try {
        out[i] = utf8.decode(data.subarray(i * chars, end));
      } catch {
        throw new FormatError(`The .npy bytes string ${i} is not UTF-8.`);
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

/** A tensor given by the bytes of its elements, as {@link encodeNpy} takes it. */
export type NpyEncodeInput = {
  /** Element type, ONNX spelling (any string: one `.npy` cannot hold is refused). */
  dtype: string;
  /** Dimensions, integers ≥ 0. */
  dims: number[];
  /**
   * The elements' little-endian bytes in row-major order (`bool` one byte 0/1, `float16` its binary16 bits), or, for
   * `string`, the strings.
   */
  data: Uint8Array | string[];
};

/**
 * Writes a tensor given by its elements' bytes as a `.npy` file: byte-identical to what `numpy.save` writes for the
 * same array (format 1.0, 2.0 when the header exceeds 65,535 bytes; little-endian; C order; data aligned to 64 bytes).
 * A `string` tensor is written as `<U<n>`, `n` the most code points of any element (at least 1), as
 * `numpy.array(list_of_str)` makes it.
 * @param tensor - Element type, dims and data (see {@link NpyEncodeInput}); e.g. a canonical result tensor's decoded
 * base64 `data`.
 * @returns The file's bytes.
 * @throws {FormatError} On a dtype `.npy` cannot hold, bytes that do not fill the dims, or strings for a numeric
 * dtype (and bytes for `string`).
 * @example
 * ```ts
 * import { encodeNpy } from '@souk/protocol';
 * const file = encodeNpy({ dtype: 'float32', dims: [2], data: new Uint8Array(new Float32Array([1, 2]).buffer) });
 * ```
 */
export function encodeNpy(tensor: NpyEncodeInput): Uint8Array {
  const count = elementCount(tensor.dims);
  let descr: string;
  let data: Uint8Array;
  if (tensor.dtype === 'string') {
    if (!Array.isArray(tensor.data)) throw new FormatError('A string tensor needs its strings.');
    if (tensor.data.length !== count) {
      throw new FormatError(`${tensor.data.length} strings do not fill the shape [${tensor.dims}].`);
    }
    const points = tensor.data.map((s) => Array.from(s, (c) => c.codePointAt(0) as number));
    const chars = points.reduce((most, p) => Math.max(most, p.length), 1);
    descr = `<U${chars}`;
    data = new Uint8Array(points.length * chars * 4);
    const view = new DataView(data.buffer);
    for (let i = 0; i < points.length; i++) {
      for (let c = 0; c < points[i].length; c++) view.setUint32((i * chars + c) * 4, points[i][c], true);
    }
  } else {
    if (!Object.hasOwn(NPY_DESCR, tensor.dtype))
      throw new FormatError(`A .npy file cannot hold ${tensor.dtype} elements.`);
    if (!(tensor.data instanceof Uint8Array)) throw new FormatError(`A ${tensor.dtype} tensor needs its bytes.`);
    const dtype = tensor.dtype as FixedDtype;
    if (tensor.data.length !== count * DTYPE_BYTES[dtype]) {
      throw new FormatError(`${tensor.data.length} bytes do not hold ${count} ${dtype} elements.`);
    }
    descr = NPY_DESCR[dtype];
    data = tensor.data;
  }
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
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

/**
 * Writes a tensor as a `.npy` file, as {@link encodeNpy} does from its bytes (`numpy.save`'s bytes).
 * @param tensor - The tensor, its data in the container its dtype has (`Tensor`).
 * @returns The file's bytes.
 * @throws {FormatError} When the data does not fill the dims.
 * @example
 * ```ts
 * import { writeNpy } from '@souk/protocol';
 * const bytes = writeNpy({ dtype: 'float32', dims: [1, 3], data: new Float32Array([1, 2, 3]) });
 * ```
 */
export function writeNpy(tensor: Tensor): Uint8Array {
  const data = tensor.dtype === 'string' ? (tensor.data as string[]) : tensorToBytesLE(tensor);
  return encodeNpy({ dtype: tensor.dtype, dims: tensor.dims, data });
}

function pad(dict: string, prefix: number): string {
  const total = prefix + dict.length + 1;
  return `${dict}${' '.repeat((ALIGN - (total % ALIGN)) % ALIGN)}\n`;
}

/**
 * Whether bytes start with the `.npy` magic `\x93NUMPY`.
 * @param bytes - At least the file's first 6 bytes.
 */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Whether bytes start like a zip archive, as a `.npz` (a zip of `.npy` files, one per tensor) does: a local file
 * header `PK\x03\x04`, or the end record `PK\x05\x06` of an empty archive.
 * @param bytes - At least the file's first 4 bytes.
 */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}
