/**
 * The batch container: byte-exact layout (pinned against a hand-written container), deterministic, round-trips, and
 * every malformed container refused with its reason; per-input price exact or refused.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  BatchFormatError,
  batchPricePerInput,
  decodeBatch,
  encodeBatch,
  isBatch,
  isBatchItemError,
  MAX_BATCH_INPUTS,
} from './batch.ts';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('batch container', () => {
  test('lays out magic, count and length-prefixed inputs (big-endian)', () => {
    const container = encodeBatch([bytes(0xaa), bytes(1, 2, 3)]);
    assert.deepEqual(
      [...container],
      [
        ...Buffer.from('SOUKBAT1'),
        0,
        0,
        0,
        2, // count
        0,
        0,
        0,
        1,
        0xaa, // input 0
        0,
        0,
        0,
        3,
        1,
        2,
        3, // input 1
      ],
    );
  });

  test('is deterministic and round-trips in order', () => {
    const inputs = Array.from({ length: 50 }, (_, i) => new Uint8Array(1 + ((i * 37) % 300)).fill(i));
    const a = encodeBatch(inputs);
    const b = encodeBatch(inputs.map((input) => input.slice()));
    assert.equal(createHash('sha256').update(a).digest('hex'), createHash('sha256').update(b).digest('hex'));
    assert.deepEqual(
      decodeBatch(a).map((input) => [...input]),
      inputs.map((input) => [...input]),
    );
    assert.ok(isBatch(a));
    // Reordering the inputs changes the container (the order is bound by the input hash).
    assert.notDeepEqual(encodeBatch([inputs[1], inputs[0]]), encodeBatch([inputs[0], inputs[1]]));
  });

  test('decodes a container that sits inside a larger buffer', () => {
    const container = encodeBatch([bytes(7, 8), bytes(9)]);
    const outer = new Uint8Array(container.length + 10);
    outer.set(container, 5);
    assert.deepEqual(
      decodeBatch(outer.subarray(5, 5 + container.length)).map((input) => [...input]),
      [[7, 8], [9]],
    );
  });

  test('tells other formats apart', () => {
    assert.equal(isBatch(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)), false); // PNG
    assert.equal(isBatch(new TextEncoder().encode('{"x":[1]}')), false);
    assert.equal(isBatch(bytes(0x53, 0x4f)), false);
  });

  test('refuses to encode no inputs, too many or an empty one', () => {
    assert.throws(() => encodeBatch([]), BatchFormatError);
    assert.throws(() => encodeBatch([bytes(1), bytes()]), /Batch input 1 is empty/);
    assert.throws(
      () => encodeBatch(Array.from({ length: MAX_BATCH_INPUTS + 1 }, () => bytes(1))),
      /at most 10000 inputs/,
    );
  });

  test('refuses malformed containers, naming what is wrong', () => {
    const good = encodeBatch([bytes(1, 2), bytes(3)]);
    const cases: Array<[Uint8Array, RegExp]> = [
      [bytes(1, 2, 3), /no SOUKBAT1 magic/],
      [good.subarray(0, 10), /truncated in its header/],
      [Uint8Array.from([...good.subarray(0, 8), 0, 0, 0, 0]), /holds no inputs/],
      [Uint8Array.from([...good.subarray(0, 8), 0xff, 0xff, 0xff, 0xff]), /declares 4294967295 inputs/],
      [good.subarray(0, good.length - 1), /Batch input 1 is truncated/],
      [good.subarray(0, 18), /truncated before input 1/],
      [Uint8Array.from([...good, 0]), /1 bytes follow the last batch input/],
      [Uint8Array.from([...good.subarray(0, 12), 0, 0, 0, 0, ...good.subarray(12)]), /Batch input 0 is empty/],
    ];
    for (const [container, reason] of cases) assert.throws(() => decodeBatch(container), reason);
  });

  test('prices per input exactly, or refuses', () => {
    assert.equal(batchPricePerInput(300n, 3), 100n);
    assert.throws(() => batchPricePerInput(301n, 3), /not a multiple/);
    assert.throws(() => batchPricePerInput(0n, 0), /not a multiple/);
  });

  test('recognises an input failure entry', () => {
    assert.equal(isBatchItemError({ error: 'not an image' }), true);
    assert.equal(isBatchItemError({ lines: [] }), false);
    assert.equal(isBatchItemError({ error: 'x', lines: [] }), false);
    assert.equal(isBatchItemError(null), false);
  });
});
