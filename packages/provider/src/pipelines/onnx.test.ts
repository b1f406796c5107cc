import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InvalidInputError, JobFailedError } from '../errors.ts';
import { resultHash } from '../result.ts';
import { createRuntime, type Runtime } from '../runtime/createRuntime.ts';
import { OCR_MODELS } from '../test/models.ts';
import { writeNpy } from './npy.ts';
import { writeNpz } from './npz.ts';
import { createOnnxPipeline, decodeOnnxInput, type OnnxPipeline } from './onnx.ts';

// The PaddleOCR direction classifier serves as an arbitrary ONNX model: input `x` [N, 3, 48, 192], output
// `softmax_0.tmp_0` [N, 2].
const DIMS = [1, 3, 48, 192];
const COUNT = 3 * 48 * 192;

describe('generic ONNX pipeline', () => {
  let runtime: Runtime;
  let pipeline: OnnxPipeline;
  before(async () => {
    runtime = createRuntime();
    pipeline = await createOnnxPipeline({ model: OCR_MODELS.classifierModel });
  });
  after(() => runtime.close());

  test('runs a JSON zero tensor and returns every graph output with its dims', async () => {
    const { output, runtimeRecord } = await pipeline.run(runtime, {
      tensors: { x: { dtype: 'float32', dims: DIMS, data: new Array(COUNT).fill(0) } },
    });
    assert.deepEqual(Object.keys(output.tensors), ['softmax_0.tmp_0']);
    const y = output.tensors['softmax_0.tmp_0'];
    assert.equal(y.dtype, 'float32');
    assert.deepEqual(y.dims, [1, 2]);
    assert.ok(Math.abs((y.data[0] as number) + (y.data[1] as number) - 1) < 1e-5, 'a softmax sums to 1');
    assert.equal(runtimeRecord.pipeline, 'onnx');
    assert.deepEqual(runtimeRecord.models, { model: pipeline.models.model });
  });

  test('gives the same result for JSON, UTF-8 JSON bytes, typed, .npy, .npz and bare .npy inputs', async () => {
    const data = Float32Array.from({ length: 2 * COUNT }, (_, i) => ((i * 7919) % 255) / 255 - 0.5);
    const dims = [2, 3, 48, 192];
    const json = { tensors: { x: { dtype: 'float32' as const, dims, data: [...data] } } };
    const hashes = [];
    for (const input of [
      json,
      new TextEncoder().encode(JSON.stringify(json)),
      { tensors: { x: { dtype: 'float32' as const, dims, data } } },
      { tensors: { x: writeNpy({ dtype: 'float32', dims, data }) } },
      writeNpz({ x: { dtype: 'float32', dims, data } }),
      writeNpz({ x: { dtype: 'float32', dims, data } }, { compress: true }),
      writeNpy({ dtype: 'float32', dims, data }),
    ]) {
      const { output } = await pipeline.run(runtime, input);
      assert.deepEqual(output.tensors['softmax_0.tmp_0'].dims, [2, 2]);
      hashes.push(resultHash(output));
    }
    assert.equal(new Set(hashes).size, 1);
  });

  test('fails with the graph input names when a tensor is missing or unknown', async () => {
    await assert.rejects(
      pipeline.run(runtime, { tensors: { image: { dtype: 'float32', dims: [1], data: [0] } } }),
      (error: unknown) =>
        error instanceof JobFailedError && /graph inputs: x; missing: x; unknown: image/.test(String(error.details)),
    );
  });

  test('fails when data does not match its dims, or ONNX Runtime rejects the shape', async () => {
    await assert.rejects(
      pipeline.run(runtime, { tensors: { x: { dtype: 'float32', dims: [1, 3, 48, 192], data: [0, 1] } } }),
      (error: unknown) => error instanceof JobFailedError && /need 27648/.test(String(error.details)),
    );
    await assert.rejects(
      pipeline.run(runtime, { tensors: { x: { dtype: 'float32', dims: [1, 2], data: [0, 1] } } }),
      JobFailedError,
    );
  });

  test('refuses a tensor of the wrong dtype through ONNX Runtime, naming it', async () => {
    await assert.rejects(
      pipeline.run(runtime, { tensors: { x: { dtype: 'float64', dims: DIMS, data: new Array(COUNT).fill(0) } } }),
      (error: unknown) => error instanceof JobFailedError && /tensor\(double\)/.test(String(error.details)),
    );
  });
});

describe('decodeOnnxInput', () => {
  test('refuses sequences and absent optional values, which onnxruntime-node cannot feed', () => {
    const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    assert.throws(
      () => decodeOnnxInput(bytes({ tensors: { seq: [{ dtype: 'float32', dims: [1], data: [1] }] } })),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        /"seq" is a sequence/.test(error.shortMessage) &&
        /converts only tensors/.test(String(error.details)),
    );
    assert.throws(() => decodeOnnxInput(bytes({ tensors: { opt: null } })), /"opt" is an absent optional value/);
  });

  test('gives a bare .npy to the only input, and refuses it when the model has several or the names are unknown', () => {
    const npy = writeNpy({ dtype: 'int16', dims: [1], data: new Int16Array([-2]) });
    assert.deepEqual(decodeOnnxInput(npy, { inputNames: ['a'] }).a.data, new Int16Array([-2]));
    assert.throws(() => decodeOnnxInput(npy, { inputNames: ['a', 'b'] }), /takes 2 inputs \(a, b\): send a \.npz/);
    assert.throws(() => decodeOnnxInput(npy), /exactly one input/);
  });

  test('reads JSON with every element form: NaN strings, int64 decimal strings, bools, strings', () => {
    const json = {
      tensors: {
        f: { dtype: 'float64', dims: [2], data: [0.5, 'NaN'] },
        i: { dtype: 'uint64', dims: [1], data: ['18446744073709551615'] },
        b: { dtype: 'bool', dims: [2], data: [true, 0] },
        s: { dtype: 'string', dims: [1], data: ['ok'] },
      },
    };
    const t = decodeOnnxInput(new TextEncoder().encode(JSON.stringify(json)));
    assert.ok(Number.isNaN(t.f.data[1] as number));
    assert.equal(t.i.data[0], 2n ** 64n - 1n);
    assert.deepEqual([...(t.b.data as Uint8Array)], [1, 0]);
    assert.deepEqual(t.s.data, ['ok']);
    assert.throws(() => decodeOnnxInput(new Uint8Array([0xff, 0xfe])), /not UTF-8 JSON, a \.npz or a \.npy file/);
  });
});
