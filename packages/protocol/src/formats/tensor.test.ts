import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FormatError } from './errors.ts';
import {
  assertTensor,
  DTYPE_BYTES,
  elementCount,
  type FixedDtype,
  float16ToNumber,
  isTensorDtype,
  type Tensor,
  tensorElement,
  tensorFromBytes,
  tensorToBytesLE,
} from './tensor.ts';

describe('tensor bytes', () => {
  test('round-trip every fixed-size dtype through little- and big-endian bytes, NaN payloads kept', () => {
    const cases: Tensor[] = [
      { dtype: 'float16', dims: [3], data: new Uint16Array([0x3c00, 0x7e01, 0xfc00]) },
      { dtype: 'float32', dims: [2], data: new Float32Array(new Uint32Array([0x7fc00001, 0x3f800000]).buffer) },
      { dtype: 'float64', dims: [2], data: new Float64Array([Math.PI, -0]) },
      { dtype: 'int8', dims: [2], data: new Int8Array([-128, 127]) },
      { dtype: 'int16', dims: [2], data: new Int16Array([-32768, 1]) },
      { dtype: 'int32', dims: [1], data: new Int32Array([-5]) },
      { dtype: 'int64', dims: [1], data: new BigInt64Array([-(2n ** 63n)]) },
      { dtype: 'uint8', dims: [1], data: new Uint8Array([255]) },
      { dtype: 'uint16', dims: [1], data: new Uint16Array([65535]) },
      { dtype: 'uint32', dims: [1], data: new Uint32Array([2 ** 32 - 1]) },
      { dtype: 'uint64', dims: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
      { dtype: 'bool', dims: [2], data: new Uint8Array([1, 0]) },
    ];
    for (const tensor of cases) {
      const dtype = tensor.dtype as FixedDtype;
      const le = tensorToBytesLE(tensor);
      assert.equal(le.length, tensor.data.length * DTYPE_BYTES[dtype]);
      const back = tensorFromBytes(dtype, tensor.dims, le);
      assert.deepEqual(tensorToBytesLE(back), le, `${dtype} little-endian`);
      const size = DTYPE_BYTES[dtype];
      const be = new Uint8Array(le.length);
      for (let i = 0; i < le.length; i += size) for (let b = 0; b < size; b++) be[i + b] = le[i + size - 1 - b];
      assert.deepEqual(tensorToBytesLE(tensorFromBytes(dtype, tensor.dims, be, false)), le, `${dtype} big-endian`);
    }
  });

  test('writes the little-endian layout the result hash uses', () => {
    const bytes = tensorToBytesLE({ dtype: 'int16', dims: [2], data: new Int16Array([1, -2]) });
    assert.deepEqual([...bytes], [1, 0, 0xfe, 0xff]);
    assert.throws(() => tensorToBytesLE({ dtype: 'string', dims: [1], data: ['a'] }), /no fixed-size byte layout/);
  });

  test('refuses bytes that do not fill the dims, and bool bytes other than 0 and 1', () => {
    assert.throws(() => tensorFromBytes('int32', [2], new Uint8Array(7)), /Expected 8 bytes of int32 for dims \[2\]/);
    assert.throws(() => tensorFromBytes('bool', [1], new Uint8Array([2])), FormatError);
  });

  test('assertTensor tells containers of the same element size apart', () => {
    assert.throws(
      () => assertTensor({ dtype: 'uint16', dims: [1], data: new Int16Array(1) } as never),
      /wrong container/,
    );
    assert.throws(() => assertTensor({ dtype: 'float64', dims: [1], data: new BigInt64Array(1) } as never), /wrong/);
    assert.throws(() => assertTensor({ dtype: 'bool', dims: [1], data: new Uint8Array([3]) }), /not 0 or 1/);
    assert.throws(() => assertTensor({ dtype: 'int8', dims: [3], data: new Int8Array(2) }), /need 3/);
  });

  test('assertTensor refuses an unsupported dtype with the reason in the details', () => {
    assert.throws(
      () => assertTensor({ dtype: 'bfloat16', dims: [1], data: new Uint16Array(1) } as never),
      (error: unknown) => error instanceof FormatError && /no JavaScript tensor type/.test(String(error.details)),
    );
  });
});

describe('dtype tables', () => {
  test('know the thirteen dtypes and the byte width of each fixed-size one', () => {
    const widths = Object.entries(DTYPE_BYTES).map(([dtype, bytes]) => `${dtype}:${bytes}`);
    assert.equal(
      widths.join(' '),
      'float16:2 float32:4 float64:8 int8:1 int16:2 int32:4 int64:8 uint8:1 uint16:2 uint32:4 uint64:8 bool:1',
    );
    assert.ok(isTensorDtype('string') && isTensorDtype('uint64'));
    assert.ok(!isTensorDtype('bfloat16') && !isTensorDtype('toString') && !isTensorDtype(4));
  });

  test('count the elements of dims, refusing negative, fractional and unsafe sizes', () => {
    assert.equal(elementCount([]), 1);
    assert.equal(elementCount([2, 3, 0]), 0);
    assert.equal(elementCount([2, 3, 4]), 24);
    assert.throws(() => elementCount([-1]), /Invalid dimension -1/);
    assert.throws(() => elementCount([1.5]), FormatError);
    assert.throws(() => elementCount([2 ** 30, 2 ** 30]), /too many elements/);
  });
});

describe('float16ToNumber', () => {
  test('decodes normal, subnormal, signed-zero, infinite and NaN binary16 patterns', () => {
    const cases: [number, number][] = [
      [0x3c00, 1],
      [0x3e00, 1.5],
      [0xc000, -2],
      [0x7bff, 65504],
      [0x0400, 2 ** -14],
      [0x0001, 2 ** -24],
      [0x03ff, 2 ** -14 * (1023 / 1024)],
      [0x0000, 0],
      [0x7c00, Number.POSITIVE_INFINITY],
      [0xfc00, Number.NEGATIVE_INFINITY],
    ];
    for (const [bits, value] of cases) assert.equal(float16ToNumber(bits), value, `0x${bits.toString(16)}`);
    assert.ok(Object.is(float16ToNumber(0x8000), -0));
    assert.ok(Number.isNaN(float16ToNumber(0x7e00)) && Number.isNaN(float16ToNumber(0xfc01)));
  });

  test('tensorElement reads float16 as numbers, bool as booleans and 64-bit integers as bigints', () => {
    assert.equal(tensorElement({ dtype: 'float16', dims: [1], data: new Uint16Array([0x3e00]) }, 0), 1.5);
    assert.equal(tensorElement({ dtype: 'bool', dims: [2], data: new Uint8Array([0, 1]) }, 1), true);
    assert.equal(tensorElement({ dtype: 'int64', dims: [1], data: new BigInt64Array([-3n]) }, 0), -3n);
    assert.equal(tensorElement({ dtype: 'string', dims: [1], data: ['a'] }, 0), 'a');
  });
});
