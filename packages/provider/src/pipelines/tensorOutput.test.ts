import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalResult, resultHash } from '../result.ts';
import type { Tensor } from './tensor.ts';
import { decodeTensorResult, formatTensorSummary, summarizeTensor } from './tensorOutput.ts';

const every: Record<string, Tensor> = {
  f16: { dtype: 'float16', dims: [2], data: new Uint16Array([0x3e00, 0x7e00]) },
  f32: { dtype: 'float32', dims: [1, 2], data: new Float32Array([0.25, Number.NEGATIVE_INFINITY]) },
  f64: { dtype: 'float64', dims: [1], data: new Float64Array([0.1]) },
  i8: { dtype: 'int8', dims: [1], data: new Int8Array([-3]) },
  i16: { dtype: 'int16', dims: [1], data: new Int16Array([-300]) },
  i32: { dtype: 'int32', dims: [1], data: new Int32Array([7]) },
  i64: { dtype: 'int64', dims: [2], data: new BigInt64Array([-(2n ** 63n), 5n]) },
  u8: { dtype: 'uint8', dims: [1], data: new Uint8Array([200]) },
  u16: { dtype: 'uint16', dims: [1], data: new Uint16Array([60000]) },
  u32: { dtype: 'uint32', dims: [1], data: new Uint32Array([4e9]) },
  u64: { dtype: 'uint64', dims: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
  b: { dtype: 'bool', dims: [3], data: new Uint8Array([1, 0, 1]) },
  s: { dtype: 'string', dims: [2], data: ['"quoted"', 'é'] },
};

describe('tensor results', () => {
  test('decodeTensorResult reads canonical result bytes back into the same tensors, every dtype', () => {
    const bytes = canonicalResult({ tensors: every });
    assert.deepEqual(decodeTensorResult(bytes), every);
    assert.deepEqual(decodeTensorResult(JSON.parse(new TextDecoder().decode(bytes))), every);
  });

  test('the canonical form of new dtypes is pinned: float16 bits in base64, strings as a JSON array', () => {
    const text = new TextDecoder().decode(canonicalResult({ tensors: { h: every.f16, s: every.s } }));
    assert.equal(
      text,
      '{"tensors":{"h":{"data":"AD4Afg==","dims":[2],"dtype":"float16"},"s":{"data":["\\"quoted\\"","é"],"dims":[2],"dtype":"string"}}}',
    );
    // The same output always hashes the same, whatever order the tensors come in.
    const reordered = Object.fromEntries(Object.entries(every).reverse());
    assert.equal(resultHash({ tensors: reordered }), resultHash({ tensors: every }));
  });

  test('decodeTensorResult refuses results that are not tensor results', () => {
    assert.throws(() => decodeTensorResult(new TextEncoder().encode('{"lines":[]}')), /no "tensors" object/);
    assert.throws(() => decodeTensorResult({ tensors: { x: { dtype: 'float8', dims: [1], data: '' } } }), /known/);
    assert.throws(() => decodeTensorResult({ tensors: { x: { dtype: 'int32', dims: [2], data: 'AAAA' } } }), /bytes/);
  });

  test('summarizeTensor gives range, mean and NaN/Inf counts; bigints as decimal strings', () => {
    assert.deepEqual(
      summarizeTensor({ dtype: 'float32', dims: [4], data: new Float32Array([1, 3, Number.NaN, Infinity]) }),
      {
        dtype: 'float32',
        dims: [4],
        count: 4,
        min: 1,
        max: 3,
        mean: 2,
        nan: 1,
        infinite: 1,
        head: [1, 3, Number.NaN, Infinity],
      },
    );
    const big = summarizeTensor(every.u64);
    assert.equal(big.max, '18446744073709551615');
    assert.deepEqual(big.head, ['18446744073709551615']);
    assert.equal(summarizeTensor(every.f16).max, 1.5);
    assert.deepEqual(summarizeTensor(every.s, { preview: 1 }).head, ['"quoted"']);
  });

  test('formatTensorSummary prints one readable line', () => {
    assert.equal(formatTensorSummary('y', every.b), 'y bool[3] min 0 max 1 mean 0.6667 [true, false, true]');
    assert.equal(
      formatTensorSummary(
        'probs',
        { dtype: 'float32', dims: [1, 10], data: new Float32Array(10).fill(0.1) },
        { preview: 2 },
      ),
      'probs float32[1, 10] min 0.1 max 0.1 mean 0.1 [0.1, 0.1, … (10 elements)]',
    );
    assert.equal(
      formatTensorSummary('ids', every.i64),
      'ids int64[2] min -9223372036854775808 max 5 mean -4.612e+18 [-9223372036854775808, 5]',
    );
    assert.equal(formatTensorSummary('s', every.s), 's string[2] ["\\"quoted\\"", "é"]');
  });
});
