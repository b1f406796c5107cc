import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../errors.ts';
import {
  assertTensor,
  DTYPE_BYTES,
  elementCount,
  type FixedDtype,
  float16ToNumber,
  tensorElement,
  tensorFromBytes,
  tensorFromJson,
  tensorToBytesLE,
} from './tensor.ts';

describe('tensorFromJson', () => {
  test('builds each numeric dtype in its typed array, at the edges of its range', () => {
    const cases: [FixedDtype, (number | string | boolean)[], unknown[]][] = [
      ['float64', [0.1, -1e300, 'NaN', 'Infinity', '-Infinity'], [0.1, -1e300, Number.NaN, Infinity, -Infinity]],
      ['float32', [0.5, 'NaN'], [0.5, Number.NaN]],
      ['int8', [-128, 127], [-128, 127]],
      ['int16', [-32768, 32767], [-32768, 32767]],
      ['int32', [-(2 ** 31), 2 ** 31 - 1], [-(2 ** 31), 2 ** 31 - 1]],
      [
        'int64',
        [-(2 ** 53 - 1), '-9223372036854775808', '9223372036854775807'],
        [-(2n ** 53n - 1n), -(2n ** 63n), 2n ** 63n - 1n],
      ],
      ['uint8', [0, 255], [0, 255]],
      ['uint16', [0, 65535], [0, 65535]],
      ['uint32', [0, 2 ** 32 - 1], [0, 2 ** 32 - 1]],
      ['uint64', [0, '18446744073709551615'], [0n, 2n ** 64n - 1n]],
      ['bool', [true, false, 1, 0], [1, 0, 1, 0]],
    ];
    for (const [dtype, data, expected] of cases) {
      const t = tensorFromJson({ dtype, dims: [data.length], data });
      assertTensor(t);
      assert.deepEqual(Array.from(t.data as ArrayLike<unknown>), expected, dtype);
    }
  });

  test('rounds float16 values to the nearest binary16, ties to even', () => {
    const t = tensorFromJson({ dtype: 'float16', dims: [5], data: [1.5, 65504, 1 + 2 ** -11, 'Infinity', 1e-8] });
    assert.ok(t.data instanceof Uint16Array);
    // 1.5 = 0x3e00; 65504 = max = 0x7bff; 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even → 1 = 0x3c00
    assert.deepEqual([...t.data], [0x3e00, 0x7bff, 0x3c00, 0x7c00, 0x0000]);
    assert.equal(float16ToNumber(0x3e00), 1.5);
    assert.equal(tensorElement(t, 1), 65504);
  });

  test('keeps string tensors as arrays of strings', () => {
    const t = tensorFromJson({ dtype: 'string', dims: [2, 1], data: ['naïve', ''] });
    assert.deepEqual(t.data, ['naïve', '']);
    assert.throws(() => tensorFromJson({ dtype: 'string', dims: [1], data: [1] }), /element 0 \(1\) is not a string/);
  });

  test('refuses out-of-range, non-integer and mistyped elements with the element index', () => {
    const refuse = (dtype: FixedDtype, value: number | string | boolean, pattern: RegExp) =>
      assert.throws(() => tensorFromJson({ dtype, dims: [1], data: [value] }), pattern);
    refuse('int8', 128, /element 0 \(128\) is not in int8 range/);
    refuse('uint16', -1, /not in uint16 range/);
    refuse('int32', 1.5, /not an int32/);
    refuse('uint64', '-1', /not in uint64 range/);
    refuse('int64', 2 ** 53, /not an int64 \(a safe integer or a decimal string\)/);
    refuse('bool', 2, /not in bool range/);
    refuse('float32', 'nan', /not a float32 number/);
  });

  test('refuses unsupported dtypes with the reason', () => {
    assert.throws(
      () => tensorFromJson({ dtype: 'bfloat16' as 'float32', dims: [1], data: [1] }),
      (error: unknown) => error instanceof InvalidInputError && /no JavaScript tensor type/.test(String(error.details)),
    );
  });
});

describe('the protocol tensor functions in the provider', () => {
  // Their behaviour is tested in @souk/protocol (formats/tensor.test.ts); here, that a bad tensor is the provider's
  // InvalidInputError (a job failing as invalid-input), with the same message and details.
  test('report malformed tensors as InvalidInputError', () => {
    const invalid = (pattern: RegExp) => (error: unknown) =>
      error instanceof InvalidInputError && pattern.test(error.message);
    assert.throws(() => tensorFromBytes('int32', [2], new Uint8Array(7)), invalid(/Expected 8 bytes of int32/));
    assert.throws(() => tensorFromBytes('bool', [1], new Uint8Array([2])), invalid(/not 0 or 1/));
    assert.throws(() => assertTensor({ dtype: 'int8', dims: [3], data: new Int8Array(2) }), invalid(/need 3/));
    assert.throws(
      () => assertTensor({ dtype: 'bfloat16', dims: [1], data: new Uint16Array(1) } as never),
      (error: unknown) => error instanceof InvalidInputError && /no JavaScript tensor type/.test(String(error.details)),
    );
    assert.throws(() => tensorToBytesLE({ dtype: 'string', dims: [1], data: ['a'] }), invalid(/no fixed-size/));
    assert.throws(() => elementCount([-1]), invalid(/Invalid dimension -1/));
    assert.deepEqual(
      [...tensorToBytesLE({ dtype: 'int16', dims: [2], data: new Int16Array([1, -2]) })],
      [1, 0, 0xfe, 0xff],
    );
    assert.equal(DTYPE_BYTES.float16, 2);
  });
});
