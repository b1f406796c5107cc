import { parseNpy, writeNpy } from '@souk/provider';
import { describe, expect, test } from 'vitest';
import { encodeNpy, isNpy, NpyError, readNpyHeader } from './npy.ts';
import { type EncodedTensor, summarizeTensor, tensorToNpy } from './tensors.ts';

const le = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

describe('encodeNpy', () => {
  test.each([
    [
      'float32 [2, 3]',
      { dtype: 'float32', dims: [2, 3], data: new Float32Array([0.5, -1, 3.25, 7, Number.NaN, 1e-7]) },
    ],
    ['int64 [3] past 2^53', { dtype: 'int64', dims: [3], data: new BigInt64Array([-1n, 2n ** 60n, 0n]) }],
    ['bool [4]', { dtype: 'bool', dims: [4], data: new Uint8Array([1, 0, 0, 1]) }],
    ['uint8 scalar', { dtype: 'uint8', dims: [], data: new Uint8Array([200]) }],
    ['float16 [2]', { dtype: 'float16', dims: [2], data: new Uint16Array([0x3c00, 0xc000]) }],
    ['float64 [1, 0]', { dtype: 'float64', dims: [1, 0], data: new Float64Array([]) }],
  ] as const)('writes %s byte for byte as numpy.save (the provider writeNpy) does', (_, tensor) => {
    const ours = encodeNpy({ dtype: tensor.dtype, dims: [...tensor.dims], data: le(tensor.data) });
    expect(ours).toEqual(writeNpy(tensor as unknown as Parameters<typeof writeNpy>[0]));
    expect((ours.length - le(tensor.data).length) % 64).toBe(0);
    const back = parseNpy(ours);
    expect(back.dtype).toBe(tensor.dtype);
    expect(back.dims).toEqual([...tensor.dims]);
    expect(le(back.data as ArrayBufferView)).toEqual(le(tensor.data));
  });

  test('writes strings as <U(longest) UTF-32, as numpy.save does', () => {
    const strings = ['a', 'naïve', '🙂x'];
    const ours = encodeNpy({ dtype: 'string', dims: [3], data: strings });
    expect(ours).toEqual(writeNpy({ dtype: 'string', dims: [3], data: strings }));
    expect(parseNpy(ours).data).toEqual(strings);
    expect(readNpyHeader(ours)).toMatchObject({ dtype: 'string', dims: [3] });
  });

  test('refuses bytes that do not fill the shape, and dtypes .npy cannot hold', () => {
    expect(() => encodeNpy({ dtype: 'float32', dims: [3], data: new Uint8Array(8) })).toThrow(NpyError);
    expect(() => encodeNpy({ dtype: 'bfloat16', dims: [1], data: new Uint8Array(2) })).toThrow(/cannot hold bfloat16/);
  });
});

describe('readNpyHeader', () => {
  test("reads the dtype and shape of the provider's files", () => {
    const file = writeNpy({ dtype: 'int32', dims: [1, 3, 2], data: new Int32Array(6) });
    expect(isNpy(file)).toBe(true);
    expect(readNpyHeader(file)).toEqual({ dtype: 'int32', dims: [1, 3, 2], fortranOrder: false, dataOffset: 128 });
  });

  test('refuses a file that is not .npy, or a NumPy type without an ONNX tensor', () => {
    expect(() => readNpyHeader(new TextEncoder().encode('{"tensors":{}}'))).toThrow(/Not a \.npy file/);
    const complex = writeNpy({ dtype: 'float32', dims: [1], data: new Float32Array(1) });
    const header = new TextDecoder().decode(complex.subarray(10, 64)).replace("'<f4'", "'<c8'");
    complex.set(new TextEncoder().encode(header), 10);
    expect(() => readNpyHeader(complex)).toThrow(/NumPy type <c8/);
  });
});

test('a result tensor downloads as a .npy that reads back to the same elements', () => {
  const values = new Float32Array([0.25, 0.75, -3, Number.POSITIVE_INFINITY]);
  const tensor: EncodedTensor = { dtype: 'float32', dims: [2, 2], data: base64(le(values)) };
  const back = parseNpy(tensorToNpy(tensor));
  expect(back.dims).toEqual([2, 2]);
  expect(back.data).toEqual(values);
  expect(summarizeTensor(tensor)).toEqual({
    count: 4,
    min: -3,
    max: 0.75,
    mean: (0.25 + 0.75 - 3) / 3,
    nan: 0,
    infinite: 1,
    head: [0.25, 0.75, -3, Number.POSITIVE_INFINITY],
  });
});
