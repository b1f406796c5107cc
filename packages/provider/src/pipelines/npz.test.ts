import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import { InvalidInputError } from '../errors.ts';
import { parseNpy, writeNpy } from './npy.ts';
import { isZip, parseNpz, writeNpz } from './npz.ts';
import type { Tensor } from './tensor.ts';

const tensors: Record<string, Tensor> = {
  x: { dtype: 'float64', dims: [2, 2], data: new Float64Array([1, 2, 3, 4]) },
  'mask/0': { dtype: 'bool', dims: [3], data: new Uint8Array([1, 0, 1]) },
  words: { dtype: 'string', dims: [2], data: ['hello', 'wörld'] },
};

describe('npz', () => {
  test('round-trips named tensors, stored or deflated, as numpy.savez / savez_compressed lay them out', () => {
    for (const compress of [false, true]) {
      const bytes = writeNpz(tensors, { compress });
      assert.ok(isZip(bytes));
      assert.deepEqual(Object.keys(unzipSync(bytes)), ['x.npy', 'mask/0.npy', 'words.npy']);
      assert.deepEqual(parseNpz(bytes), tensors);
    }
  });

  test('writes the same bytes for the same tensors, whatever the time zone', () => {
    const a = writeNpz(tensors);
    const zone = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      assert.deepEqual(writeNpz(tensors), a);
    } finally {
      process.env.TZ = zone;
    }
  });

  test('reads an empty archive (a model without inputs) as no tensors', () => {
    const empty = writeNpz({});
    assert.ok(isZip(empty));
    assert.deepEqual(parseNpz(empty), {});
  });

  test('refuses an entry that is not .npy, a malformed .npy entry, and a broken archive', () => {
    const other = zipSync({ 'x.npy': writeNpy(tensors.x), 'notes.txt': new Uint8Array([1]) });
    assert.throws(() => parseNpz(other), /"notes\.txt" is not a \.npy file/);
    const bad = zipSync({ 'x.npy': new Uint8Array(20) });
    assert.throws(() => parseNpz(bad), /"x\.npy" is not a readable \.npy file/);
    assert.throws(() => parseNpz(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0])), /not a readable \.npz/);
  });

  test('refuses an archive whose entries claim to expand beyond 1 GiB, before inflating them', () => {
    const bytes = writeNpz({ x: tensors.x }, { compress: true });
    // Central directory header (PK\x01\x02): the uncompressed size is at offset 24.
    const view = new DataView(bytes.buffer);
    const central = bytes.findIndex((_, i) => view.getUint32(i, true) === 0x02014b50);
    view.setUint32(central + 24, 2 ** 31, true);
    assert.throws(
      () => parseNpz(bytes),
      (error: unknown) => error instanceof InvalidInputError && /too large/.test(error.shortMessage),
    );
  });

  test('keeps .npy entries byte-identical to writeNpy', () => {
    const entries = unzipSync(writeNpz({ x: tensors.x }));
    assert.deepEqual(entries['x.npy'], writeNpy(tensors.x));
    assert.deepEqual(parseNpy(entries['x.npy']), tensors.x);
  });
});
