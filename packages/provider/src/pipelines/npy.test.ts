import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../errors.ts';
import { isNpy, parseNpy, writeNpy } from './npy.ts';

// The reader and writer are @souk/protocol's and are tested there (formats/npy.test.ts); here, that the provider's
// parseNpy / writeNpy are them, and that a malformed file is the provider's InvalidInputError with the same reason.

/** A .npy file with the given header dict (format 1.0), as another writer would make it. */
function npy(dict: string, data: Uint8Array): Uint8Array {
  const pad = (64 - ((10 + dict.length + 1) % 64)) % 64;
  const head = new TextEncoder().encode(`${dict}${' '.repeat(pad)}\n`);
  const out = new Uint8Array(10 + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  out.set(data, 10 + head.length);
  return out;
}

test('reads and writes .npy files through @souk/protocol', () => {
  const bytes = writeNpy({ dtype: 'int32', dims: [1, 2], data: new Int32Array([7, -8]) });
  assert.ok(isNpy(bytes));
  assert.equal(bytes.length, 128 + 8);
  assert.deepEqual(parseNpy(bytes), { dtype: 'int32', dims: [1, 2], data: new Int32Array([7, -8]) });
});

test('refuses bad magic, unsupported dtypes, object arrays and short data with InvalidInputError', () => {
  assert.throws(() => parseNpy(new Uint8Array(16)), InvalidInputError);
  const c8 = npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
  assert.throws(
    () => parseNpy(c8),
    (error: unknown) =>
      error instanceof InvalidInputError && /'<c8'/.test(error.shortMessage) && /complex/.test(String(error.details)),
  );
  const object = npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
  assert.throws(
    () => parseNpy(object),
    (error: unknown) => error instanceof InvalidInputError && /pickles/.test(String(error.details)),
  );
  const short = npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(8));
  assert.throws(
    () => parseNpy(short),
    (error: unknown) => error instanceof InvalidInputError && /needs 12/.test(error.message),
  );
  const badBool = npy("{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }", new Uint8Array([2]));
  assert.throws(() => parseNpy(badBool), InvalidInputError);
  assert.throws(
    () => writeNpy({ dtype: 'string', dims: [2], data: ['a'] }),
    (error: unknown) => error instanceof InvalidInputError && /do not fill the shape/.test(error.message),
  );
});
