import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createByteReader } from './bytes.ts';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('createByteReader', () => {
  test('reads exact counts across source pieces, and fewer at the end', async () => {
    const reader = createByteReader([bytes(1, 2), bytes(), bytes(3, 4, 5), bytes(6)]);
    assert.deepEqual(await reader.read(3), bytes(1, 2, 3));
    assert.deepEqual(await reader.read(1), bytes(4));
    assert.equal(await reader.atEnd(), false);
    assert.deepEqual(await reader.read(5), bytes(5, 6));
    assert.equal(await reader.atEnd(), true);
    assert.deepEqual(await reader.read(1), bytes());
  });

  test('returns views without copying from readPieces', async () => {
    const first = bytes(1, 2, 3);
    const reader = createByteReader(
      (async function* () {
        yield first;
        yield bytes(4, 5);
      })(),
    );
    const pieces = await reader.readPieces(4);
    assert.deepEqual(pieces, [bytes(1, 2, 3), bytes(4)]);
    assert.equal(pieces[0].buffer, first.buffer);
    assert.deepEqual(await reader.readPieces(10), [bytes(5)]);
    assert.deepEqual(await reader.readPieces(1), []);
  });

  test('stops the source on close', async () => {
    let finished = false;
    const reader = createByteReader(
      (async function* () {
        try {
          yield bytes(1);
          yield bytes(2);
        } finally {
          finished = true;
        }
      })(),
    );
    await reader.read(1);
    await reader.close();
    assert.equal(finished, true);
    assert.equal(await reader.atEnd(), true);
  });
});
