import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  decodeRoundInput,
  decodeWeights,
  encodeRoundInput,
  encodeWeights,
  fedAvg,
  isRoundInput,
  RoundFormatError,
} from './rounds.ts';

describe('round inputs (SOUKFED1)', () => {
  test('round-trips the round, the weights and the shard; round 0 carries no weights', () => {
    const weights = encodeWeights([Float32Array.from([1, -2.5]), Float32Array.from([0.125])]);
    const dataset = new Uint8Array([9, 8, 7]);
    const bytes = encodeRoundInput({ round: 3, weights, dataset });
    assert.ok(isRoundInput(bytes));
    const decoded = decodeRoundInput(bytes);
    assert.equal(decoded.round, 3);
    assert.deepEqual([...(decoded.weights ?? [])], [...weights]);
    assert.deepEqual([...decoded.dataset], [9, 8, 7]);
    assert.equal(decodeRoundInput(encodeRoundInput({ round: 0, dataset })).weights, undefined);
    assert.deepEqual(
      decodeWeights(weights, [2, 1]).map((t) => [...t]),
      [[1, -2.5], [0.125]],
    );
  });

  test('refuses malformed inputs with a reason', () => {
    const dataset = new Uint8Array([1]);
    assert.throws(() => encodeRoundInput({ round: -1, dataset }), RoundFormatError);
    assert.throws(() => encodeRoundInput({ round: 0, weights: new Uint8Array(3), dataset }), /multiple of 4/);
    assert.throws(() => encodeRoundInput({ round: 0, dataset: new Uint8Array(0) }), /shard/);
    const good = encodeRoundInput({ round: 1, weights: new Uint8Array(8), dataset });
    assert.throws(() => decodeRoundInput(good.subarray(0, 12)), /truncated/);
    assert.throws(() => decodeRoundInput(good.subarray(0, 16 + 8)), /no shard/);
    assert.throws(() => decodeRoundInput(new TextEncoder().encode('SOUKEVL1xxxx')), /not a round input/);
    assert.throws(() => decodeWeights(new Uint8Array(8), [3]), /template needs 3/);
  });
});

describe('FedAvg', () => {
  test('is the sample-weighted mean, rounded once to float32', () => {
    const a = encodeWeights([Float32Array.from([1, 10])]);
    const b = encodeWeights([Float32Array.from([4, -2])]);
    const avg = decodeWeights(
      fedAvg([
        { weights: a, samples: 1 },
        { weights: b, samples: 2 },
      ]),
      [2],
    )[0];
    assert.deepEqual([...(avg ?? [])], [3, 2]);
    const third = decodeWeights(fedAvg([{ weights: encodeWeights([Float32Array.from([1])]), samples: 3 }]), [1]);
    assert.equal(third[0]?.[0], 1);
    const odd = fedAvg([
      { weights: encodeWeights([Float32Array.from([0.1])]), samples: 1 },
      { weights: encodeWeights([Float32Array.from([0.2])]), samples: 2 },
    ]);
    assert.equal(decodeWeights(odd, [1])[0]?.[0], Math.fround((Math.fround(0.1) + 2 * Math.fround(0.2)) / 3));
  });

  test('is deterministic to the bit for the same updates in the same order', () => {
    const updates = Array.from({ length: 3 }, (_, k) => ({
      weights: encodeWeights([Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * (k + 1)))]),
      samples: 100 + k * 7,
    }));
    const hash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    assert.equal(hash(fedAvg(updates)), hash(fedAvg(updates.map((u) => ({ ...u, weights: u.weights.slice() })))));
  });

  test('refuses updates it cannot average', () => {
    assert.throws(() => fedAvg([]), /at least one/);
    assert.throws(
      () =>
        fedAvg([
          { weights: new Uint8Array(4), samples: 1 },
          { weights: new Uint8Array(8), samples: 1 },
        ]),
      /different sizes/,
    );
    assert.throws(() => fedAvg([{ weights: new Uint8Array(4), samples: 0 }]), /> 0/);
  });
});
