import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { JobFailedError } from '../errors.ts';
import { resultHash } from '../result.ts';
import { createRuntime, type Runtime } from '../runtime/createRuntime.ts';
import { OCR_MODELS } from '../test/models.ts';
import { writeNpy } from './npy.ts';
import { createOnnxPipeline, type OnnxPipeline } from './onnx.ts';

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

  test('gives the same result for JSON, UTF-8 JSON bytes, typed and .npy inputs', async () => {
    const data = Float32Array.from({ length: 2 * COUNT }, (_, i) => ((i * 7919) % 255) / 255 - 0.5);
    const dims = [2, 3, 48, 192];
    const json = { tensors: { x: { dtype: 'float32' as const, dims, data: [...data] } } };
    const hashes = [];
    for (const input of [
      json,
      new TextEncoder().encode(JSON.stringify(json)),
      { tensors: { x: { dtype: 'float32' as const, dims, data } } },
      { tensors: { x: writeNpy({ dtype: 'float32', dims, data }) } },
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
});
