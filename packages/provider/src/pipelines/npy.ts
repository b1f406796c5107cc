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
 * Supported element types: `float32` (`f4`), `int64` (`i8`), `int32` (`i4`), `uint8` (`u1`) and `bool` (`b1`), either
 * byte order. Fortran-ordered arrays are read and reordered to row-major. Object arrays (pickles) are refused.
 */
import { InvalidInputError } from '../errors.ts';
import { elementCount, type Tensor, type TensorDtype, tensorFromBytes, tensorToBytesLE } from './tensor.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

const DESCR_TO_DTYPE: Readonly<Record<string, TensorDtype>> = {
  f4: 'float32',
  i8: 'int64',
  i4: 'int32',
  u1: 'uint8',
  b1: 'bool',
};
const DTYPE_TO_DESCR: Readonly<Record<TensorDtype, string>> = {
  float32: '<f4',
  int64: '<i8',
  int32: '<i4',
  uint8: '|u1',
  bool: '|b1',
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
  const match = /^([<>|=])([a-z]\d+)$/.exec(descr);
  const dtype = match ? DESCR_TO_DTYPE[match[2]] : undefined;
  if (!match || dtype === undefined) throw new InvalidInputError(`Unsupported .npy dtype '${descr}'.`);
  const littleEndian = match[1] !== '>';

  const count = elementCount(dims);
  const size = dtype === 'float32' || dtype === 'int32' ? 4 : dtype === 'int64' ? 8 : 1;
  const data = bytes.subarray(dataStart);
  if (data.length !== count * size) {
    throw new InvalidInputError(
      `The .npy data holds ${data.length} bytes; shape (${dims}) of ${descr} needs ${count * size}.`,
    );
  }
  const tensor = tensorFromBytes(dtype, dims, data, littleEndian);
  return fortran === 'True' && dims.length > 1 ? fortranToC(tensor) : tensor;
}

/** Reorders a column-major tensor's elements to row-major. */
function fortranToC(tensor: Tensor): Tensor {
  const { dims } = tensor;
  const count = tensor.data.length;
  const out = new (tensor.data.constructor as new (n: number) => Tensor['data'])(count);
  const fStrides = dims.map((_, k) => dims.slice(0, k).reduce((a, b) => a * b, 1));
  const index = new Array<number>(dims.length).fill(0);
  for (let c = 0; c < count; c++) {
    let f = 0;
    for (let k = 0; k < dims.length; k++) f += index[k] * fStrides[k];
    (out as unknown as unknown[])[c] = (tensor.data as unknown as unknown[])[f];
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++index[k] < dims[k]) break;
      index[k] = 0;
    }
  }
  return { dtype: tensor.dtype, dims, data: out };
}

/**
 * Writes a tensor as a `.npy` file: format 1.0 (2.0 when the header exceeds 65,535 bytes), little-endian, C order,
 * data aligned to 64 bytes, byte-identical to what `numpy.save` writes for the same array.
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
  const dict = `{'descr': '${DTYPE_TO_DESCR[tensor.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  let major = 1;
  let prefix = 10;
  let padded = pad(dict, prefix);
  if (padded.length > 0xffff) {
    major = 2;
    prefix = 12;
    padded = pad(dict, prefix);
  }
  const header = new TextEncoder().encode(padded);
  const data = tensorToBytesLE(tensor);
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
