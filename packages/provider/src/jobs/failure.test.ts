/**
 * Which failures end a job as failed (issue "Security and crash safety", item 6): a deterministic failure of the job
 * itself — the real pipelines and ONNX Runtime refusing an input — is told apart from the machine's own trouble
 * (deadline, cancellation, a crashed worker, a refused download), which must never fail a job.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { JobCancelledError, JobDeadlineError, JobFailedError, NodeRequestError } from '../errors.ts';
import { createRuntime, type Runtime } from '../runtime/createRuntime.ts';
import { OCR_MODELS } from '../test/models.ts';
import { packBundle } from './bundle.ts';
import { createJobExecutor, type JobExecutor } from './execute.ts';
import { classifyJobFailure } from './failure.ts';

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const zeros = (dims: number[], dtype = 'float32') => ({
  dtype,
  dims,
  data: new Array(dims.reduce((a, b) => a * b, 1)).fill(0),
});

describe('classifyJobFailure', () => {
  let runtime: Runtime;
  let executor: JobExecutor;
  let onnx: Uint8Array;
  let ocr: Uint8Array;
  before(() => {
    runtime = createRuntime();
    executor = createJobExecutor({ runtime });
    onnx = new Uint8Array(readFileSync(OCR_MODELS.classifierModel));
    ocr = packBundle({
      'detection.onnx': new Uint8Array(readFileSync(OCR_MODELS.detectionModel)),
      'recognition.onnx': new Uint8Array(readFileSync(OCR_MODELS.recognitionModel)),
      'dictionary.txt': new Uint8Array(readFileSync(OCR_MODELS.dictionary)),
    });
  });
  after(() => runtime.close());

  const failureOf = (pipeline: string, bundle: Uint8Array, input: Uint8Array) =>
    executor.execute({ pipeline, bundle, input }).then(
      () => assert.fail('the job ran'),
      (error: unknown) => error,
    );

  const deterministic: Array<[string, () => Promise<unknown>, string, RegExp]> = [
    [
      'a PNG to an onnx model',
      () => failureOf('onnx', onnx, new Uint8Array([0x89, 0x50, 0x4e, 0x47])),
      'invalid-input',
      /not UTF-8 JSON/,
    ],
    [
      'an empty tensor map',
      () => failureOf('onnx', onnx, json({ tensors: {} })),
      'invalid-input',
      /do not match the graph inputs.*missing: x/,
    ],
    [
      'a wrong tensor name',
      () => failureOf('onnx', onnx, json({ tensors: { y: zeros([1, 3, 8, 8]) } })),
      'invalid-input',
      /unknown: y/,
    ],
    [
      'a wrong rank (ONNX Runtime)',
      () => failureOf('onnx', onnx, json({ tensors: { x: zeros([3, 8, 8]) } })),
      'invalid-argument',
      /Invalid rank for input: x/,
    ],
    [
      'a wrong dtype (ONNX Runtime)',
      () => failureOf('onnx', onnx, json({ tensors: { x: zeros([1, 3, 8, 8], 'int32') } })),
      'invalid-argument',
      /Unexpected input data type/,
    ],
    [
      'a wrong fixed dimension (ONNX Runtime)',
      () => failureOf('onnx', onnx, json({ tensors: { x: zeros([1, 4, 8, 8]) } })),
      'invalid-argument',
      /Got invalid dimensions for input: x/,
    ],
    [
      'bytes that are not an image to OCR',
      () => failureOf('ocr', ocr, json({ tensors: {} })),
      'invalid-input',
      /not a readable image/,
    ],
    [
      'an unknown pipeline',
      () => failureOf('training', onnx, json({})),
      'invalid-input',
      /Unknown pipeline "training"/,
    ],
  ];
  for (const [name, run, code, reason] of deterministic) {
    test(`deterministic (${code}): ${name}`, async () => {
      const verdict = classifyJobFailure(await run());
      assert.equal(verdict.deterministic, true, verdict.reason);
      assert.ok(verdict.deterministic && verdict.code === code);
      assert.match(verdict.reason, reason);
      assert.ok(!verdict.reason.includes('\n'), 'one line');
    });
  }

  test('the same bad input fails with the same reason on every run (what the referee compares)', async () => {
    const input = json({ tensors: { x: zeros([1, 4, 8, 8]) } });
    const [a, b] = [
      classifyJobFailure(await failureOf('onnx', onnx, input)),
      classifyJobFailure(await failureOf('onnx', onnx, input)),
    ];
    assert.deepEqual(a, b);
  });

  test('transient: deadline, cancellation, a crashed worker (OOM), a refused download, anything else', () => {
    const transient = [
      new JobDeadlineError({ deadlineMs: 10 }),
      new JobCancelledError({ reason: 'shutdown' }),
      new JobFailedError({ details: 'The worker thread stopped: exit code 134' }),
      new JobFailedError({
        details: 'The worker thread stopped: ERR_WORKER_OUT_OF_MEMORY',
        cause: Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), {
          name: 'Error',
        }),
      }),
      new NodeRequestError('Download of the job input failed.', { details: 'fetch failed: ETIMEDOUT' }),
      new Error('ECONNRESET'),
      new TypeError('Cannot read properties of undefined'),
    ];
    for (const error of transient) {
      assert.equal(classifyJobFailure(error).deterministic, false, `${error.name}: ${error.message}`);
    }
  });
});
