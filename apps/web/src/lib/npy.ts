/**
 * NumPy `.npy` files in the browser (no Node built-ins): writing a result tensor for download, and reading the header
 * of a file the user picks as a job input. The format is NumPy's (`numpy/lib/format.py`, NEP 1): magic `\x93NUMPY`,
 * version, little-endian header length (`uint16` in 1.0, `uint32` in 2.0/3.0), a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and ended by `\n` so the data
 * starts at a multiple of 64 bytes, then the elements. The writer produces what `numpy.save` writes (version 1.0,
 * little-endian, C order; version 2.0 only for a header past 65535 bytes; strings as `<U<n>` UTF-32), which is also
 * what `@souk/provider`'s `writeNpy` writes — that one needs Node, this one does not.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const ALIGN = 64;

/** NumPy `descr` of each ONNX element type a `.npy` can hold (`string` is written as `<U<n>`). */
export const NPY_DESCR: Readonly<Record<string, string>> = {
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

/** What a `.npy` file holds, as its header says. */
export type NpyHeader = {
  /** ONNX element type (`float32`…), or `string` for `U`/`S` arrays. */
  dtype: string;
  /** The array's shape (`[]` for a 0-d array). */
  dims: number[];
  /** Whether the data is column-major. */
  fortranOrder: boolean;
  /** Offset of the first element, bytes. */
  dataOffset: number;
};

/** A `.npy` file the reader does not take, with the reason. */
export class NpyError extends Error {
  override name = 'NpyError' as const;
}

/**
 * Writes a tensor as a `.npy` file.
 * @param tensor - Element type (ONNX spelling), dims, and either the elements' little-endian bytes in row-major order
 * (every dtype of {@link NPY_DESCR}; `bool` one byte 0/1, `float16` its binary16 bits) or, for `string`, the strings.
 * @returns The file's bytes.
 * @throws {NpyError} On a dtype `.npy` cannot hold, or bytes that do not match the dims.
 * @example
 * ```ts
 * import { encodeNpy } from './npy.ts';
 * const file = encodeNpy({ dtype: 'float32', dims: [2], data: new Uint8Array(new Float32Array([1, 2]).buffer) });
 * ```
 */
export function encodeNpy(tensor: { dtype: string; dims: number[]; data: Uint8Array | string[] }): Uint8Array {
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  let descr: string;
  let data: Uint8Array;
  if (tensor.dtype === 'string') {
    if (!Array.isArray(tensor.data)) throw new NpyError('A string tensor needs its strings.');
    const points = tensor.data.map((s) => Array.from(s, (c) => c.codePointAt(0) as number));
    const chars = points.reduce((most, p) => Math.max(most, p.length), 1);
    descr = `<U${chars}`;
    data = new Uint8Array(points.length * chars * 4);
    const view = new DataView(data.buffer);
    points.forEach((p, i) => {
      p.forEach((point, c) => {
        view.setUint32((i * chars + c) * 4, point, true);
      });
    });
  } else {
    const d = NPY_DESCR[tensor.dtype];
    if (!d) throw new NpyError(`A .npy file cannot hold ${tensor.dtype} elements.`);
    if (!(tensor.data instanceof Uint8Array)) throw new NpyError(`A ${tensor.dtype} tensor needs its bytes.`);
    descr = d;
    data = tensor.data;
  }
  const width = tensor.dtype === 'string' ? 0 : Number(descr.slice(2));
  if (width > 0 && data.length !== count * width) {
    throw new NpyError(`${data.length} bytes do not hold ${count} ${tensor.dtype} elements.`);
  }
  if (tensor.dtype === 'string' && (tensor.data as string[]).length !== count) {
    throw new NpyError(`${(tensor.data as string[]).length} strings do not fill the shape [${tensor.dims}].`);
  }
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  let prefix = 10;
  let header = pad(dict, prefix);
  if (header.length > 0xffff) {
    prefix = 12;
    header = pad(dict, prefix);
  }
  const out = new Uint8Array(prefix + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = prefix === 10 ? 1 : 2;
  const view = new DataView(out.buffer);
  if (prefix === 10) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
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

/** Whether bytes start like a zip (`PK\x03\x04`), as a `.npz` does. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * Reads the header of a `.npy` file (its element type and shape), e.g. to show what a picked file holds.
 * @param bytes - At least the file's header.
 * @returns The header.
 * @throws {NpyError} On a bad magic or version, a malformed header, or an element type ONNX has no tensor of.
 */
export function readNpyHeader(bytes: Uint8Array): NpyHeader {
  if (!isNpy(bytes)) throw new NpyError('Not a .npy file (no \\x93NUMPY magic).');
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) throw new NpyError(`Unknown .npy version ${major}.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) throw new NpyError('The .npy header is cut short.');
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < prefix + length) throw new NpyError('The .npy header is cut short.');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(prefix, prefix + length));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw new NpyError('Malformed .npy header (needs descr, fortran_order and shape).');
  }
  const dims = shape
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new NpyError(`Bad .npy shape (${shape}).`);
  const kind = descr.slice(1);
  const dtype = /^[US]\d+$/.test(kind)
    ? 'string'
    : Object.keys(NPY_DESCR).find((t) => (NPY_DESCR[t] as string).slice(1) === kind);
  if (!dtype) throw new NpyError(`ONNX has no tensor of NumPy type ${descr}.`);
  return { dtype, dims, fortranOrder: fortran === 'True', dataOffset: prefix + length };
}
