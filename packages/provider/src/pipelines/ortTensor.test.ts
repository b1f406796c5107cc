import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type * as ort from 'onnxruntime-node';
import { InvalidInputError } from '../errors.ts';
import { assertTensorOutputs, fromOrtTensor, type SessionMetadata, toOrtFeeds, toOrtTensor } from './ortTensor.ts';

const tensorMeta = (name: string) => ({ name, isTensor: true as const, type: 'float32' as const, shape: [1] });
const session = (inputs: ort.InferenceSession.ValueMetadata[], outputs: ort.InferenceSession.ValueMetadata[]) =>
  ({ inputMetadata: inputs, outputMetadata: outputs }) as SessionMetadata;

describe('ortTensor', () => {
  test('hands float16 bits to the binding as a Uint16Array labelled float16 (microsoft/onnxruntime#26791)', () => {
    const bits = new Uint16Array([0x3c00, 0x4000]);
    const t = toOrtTensor({ dtype: 'float16', dims: [2], data: bits });
    assert.equal(t.type, 'float16');
    assert.ok(t.data instanceof Uint16Array, 'not converted to a Float16Array');
    assert.equal(t.data, bits);
  });

  test('copies outputs out of ONNX Runtime, float16 as bits and strings as an array', () => {
    const f16 = new (globalThis as unknown as { Float16Array: new (v: number[]) => ArrayBufferView }).Float16Array([
      1.5,
    ]);
    const out = fromOrtTensor('y', { type: 'float16', dims: [1], data: f16 } as unknown as ort.OnnxValue);
    assert.deepEqual(out, { dtype: 'float16', dims: [1], data: new Uint16Array([0x3e00]) });
    const data = new Int8Array([-1]);
    const copy = fromOrtTensor('z', { type: 'int8', dims: [1], data } as unknown as ort.OnnxValue);
    data[0] = 5;
    assert.deepEqual([...(copy.data as Int8Array)], [-1]);
    assert.deepEqual(fromOrtTensor('s', { type: 'string', dims: [1], data: ['a'] } as unknown as ort.OnnxValue).data, [
      'a',
    ]);
    assert.throws(() => fromOrtTensor('q', { type: 'int4', dims: [1], data: new Uint8Array(1) } as never), /int4/);
  });

  test('refuses a model with a non-tensor output before it runs', () => {
    assert.throws(
      () => assertTensorOutputs(session([tensorMeta('x')], [tensorMeta('y'), { name: 'seq', isTensor: false }])),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        /output \(a sequence, map or optional value\): seq/.test(error.shortMessage),
    );
    assertTensorOutputs(session([], [tensorMeta('y')]));
  });

  test('names missing and unknown feeds, and why a non-tensor input cannot be left out', () => {
    const s = session([tensorMeta('x'), { name: 'opt', isTensor: false }], []);
    assert.throws(
      () => toOrtFeeds(s, { y: { dtype: 'float32', dims: [1], data: new Float32Array(1) } }),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        /missing: x, opt; unknown: y; opt take a sequence or optional value/.test(String(error.details)),
    );
    const feeds = toOrtFeeds(s, {
      x: { dtype: 'float32', dims: [1], data: new Float32Array(1) },
      opt: { dtype: 'int32', dims: [], data: new Int32Array(1) },
    });
    assert.deepEqual(Object.keys(feeds), ['x', 'opt']);
  });
});
