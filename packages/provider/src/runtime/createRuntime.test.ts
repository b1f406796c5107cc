import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { JobCancelledError, JobDeadlineError, RuntimeClosedError } from '../errors.ts';
import { createOnnxPipeline, type OnnxPipeline } from '../pipelines/onnx.ts';
import { OCR_MODELS } from '../test/models.ts';
import { createRuntime, type Runtime } from './createRuntime.ts';

// The DB detector on a large zero input takes about a second on one thread: long enough to cancel mid-run.
const longInput = () => ({
  tensors: { x: { dtype: 'float32' as const, dims: [1, 3, 1600, 1600], data: new Float32Array(3 * 1600 * 1600) } },
});
const shortInput = () => ({
  tensors: { x: { dtype: 'float32' as const, dims: [1, 3, 32, 32], data: new Float32Array(3 * 32 * 32) } },
});

describe('createRuntime', () => {
  let detector: OnnxPipeline;
  let runtime: Runtime;
  before(async () => {
    detector = await createOnnxPipeline({ model: OCR_MODELS.detectionModel });
    runtime = createRuntime();
    await detector.run(runtime, shortInput()); // session created
  });
  after(() => runtime.close());

  test('rejects a running job with JobCancelledError as soon as it is aborted, and stays usable', async () => {
    const controller = new AbortController();
    const running = detector.run(runtime, longInput(), { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const abortedAt = performance.now();
    controller.abort(new Error('requester went away'));
    await assert.rejects(running, (error: unknown) => {
      assert.ok(error instanceof JobCancelledError);
      assert.equal((error.reason as Error).message, 'requester went away');
      return true;
    });
    assert.ok(performance.now() - abortedAt < 100, 'rejected without waiting for the inference');
    const { output } = await detector.run(runtime, shortInput());
    assert.deepEqual(output.tensors['sigmoid_0.tmp_0'].dims, [1, 1, 32, 32]);
  });

  test('rejects a job past its deadline with JobDeadlineError, and stays usable', async () => {
    const started = performance.now();
    await assert.rejects(detector.run(runtime, longInput(), { deadlineMs: 200 }), (error: unknown) => {
      assert.ok(error instanceof JobDeadlineError);
      assert.equal(error.deadlineMs, 200);
      return true;
    });
    assert.ok(performance.now() - started < 400);
    const { output } = await detector.run(runtime, shortInput(), { deadlineMs: 30_000 });
    assert.deepEqual(output.tensors['sigmoid_0.tmp_0'].dims, [1, 1, 32, 32]);
  });

  test('cancels a queued job without disturbing the running one', async () => {
    const controller = new AbortController();
    const first = detector.run(runtime, shortInput());
    const second = detector.run(runtime, shortInput(), { signal: controller.signal });
    controller.abort();
    await assert.rejects(second, JobCancelledError);
    assert.deepEqual((await first).output.tensors['sigmoid_0.tmp_0'].dims, [1, 1, 32, 32]);
  });

  test('rejects at once when the signal is already aborted', async () => {
    await assert.rejects(detector.run(runtime, shortInput(), { signal: AbortSignal.abort() }), JobCancelledError);
  });

  test('runs jobs in order and reports their duration', async () => {
    const results = await Promise.all([1, 2, 3].map(() => detector.run(runtime, shortInput())));
    for (const result of results) assert.ok(result.durationMs > 0);
  });

  test('close() cancels pending jobs, then refuses new ones with RuntimeClosedError', async () => {
    const own = createRuntime();
    const running = detector.run(own, longInput());
    const queued = detector.run(own, shortInput());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const rejected = Promise.all([
      assert.rejects(running, JobCancelledError),
      assert.rejects(queued, JobCancelledError),
    ]);
    await own.close();
    await rejected;
    await assert.rejects(detector.run(own, shortInput()), RuntimeClosedError);
    await own.close(); // idempotent
  });

  test('records the thread count and falls back to the CPU, with a reason, when CUDA is unavailable', async () => {
    const own = createRuntime({ threads: 2, executionProvider: 'cuda' });
    try {
      const { runtimeRecord } = await detector.run(own, shortInput());
      assert.equal(runtimeRecord.intraOpNumThreads, 2);
      assert.equal(runtimeRecord.interOpNumThreads, 1);
      if (runtimeRecord.executionProvider === 'cpu')
        assert.match(String(runtimeRecord.executionProviderFallback), /CUDA/);
    } finally {
      await own.close();
    }
  });

  test('records the graph optimisation level; levels fuse differently, so the same input gives different floats', async () => {
    // A seeded, non-constant input (a zero image is too uniform to show rounding differences).
    let state = 7;
    const data = Float32Array.from({ length: 3 * 64 * 64 }, () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state / 2 ** 32) * 2 - 1;
    });
    const input = () => ({ tensors: { x: { dtype: 'float32' as const, dims: [1, 3, 64, 64], data } } });
    const plain = createRuntime({ graphOptimizationLevel: 'disabled' });
    try {
      const fused = await detector.run(runtime, input());
      const unfused = await detector.run(plain, input());
      assert.equal(fused.runtimeRecord.graphOptimizationLevel, 'all');
      assert.equal(unfused.runtimeRecord.graphOptimizationLevel, 'disabled');
      const a = fused.output.tensors['sigmoid_0.tmp_0']?.data as Float32Array;
      const b = unfused.output.tensors['sigmoid_0.tmp_0']?.data as Float32Array;
      let differ = 0;
      let max = 0;
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) differ++;
        max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
      }
      assert.ok(differ > 0, 'some elements differ in their last bits');
      assert.ok(max < 1e-5, `but by little (${max})`);
    } finally {
      await plain.close();
    }
  });

  test('refuses invalid settings', () => {
    assert.throws(() => createRuntime({ threads: 0 }), RangeError);
    assert.throws(() => createRuntime({ threads: 1.5 }), RangeError);
    assert.throws(() => createRuntime({ executionProvider: 'tpu' as 'cpu' }), RangeError);
    assert.throws(() => createRuntime({ graphOptimizationLevel: 'fast' as 'all' }), RangeError);
  });
});
