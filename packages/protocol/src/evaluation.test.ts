import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEvaluation, encodeEvaluation, isEvaluation, isEvaluationOutput } from './evaluation.ts';

test('an evaluation container is SOUKEVL1 + the dataset, and decodes back to it', () => {
  const dataset = new Uint8Array([0x50, 0x4b, 3, 4, 9]);
  const container = encodeEvaluation(dataset);
  assert.equal(new TextDecoder().decode(container.subarray(0, 8)), 'SOUKEVL1');
  assert.ok(isEvaluation(container));
  assert.deepEqual(decodeEvaluation(container), dataset);
  assert.equal(isEvaluation(dataset), false);
  assert.equal(isEvaluation(new TextEncoder().encode('SOUKEVL')), false);
  assert.throws(() => decodeEvaluation(dataset), RangeError);
});

test('isEvaluationOutput tells an evaluation from other results', () => {
  const evaluation = {
    samples: 2,
    classes: 2,
    accuracy: 1,
    precision: 1,
    recall: 1,
    f1: 1,
    confusion: [
      [1, 0],
      [0, 1],
    ],
  };
  assert.ok(isEvaluationOutput({ evaluation }));
  assert.equal(isEvaluationOutput({ tensors: {} }), false);
  assert.equal(isEvaluationOutput({ evaluation: { samples: 2 } }), false);
  assert.equal(isEvaluationOutput(null), false);
});
