import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  chunkCount,
  chunksToCiphertextRange,
  ciphertextSize,
  DEFAULT_CHUNK_SIZE,
  decodeHeader,
  decryptRange,
  decryptStream,
  encryptStream,
  HEADER_SIZE,
  plaintextRangeToChunks,
  TAG_SIZE,
} from './crypto.ts';
import { CiphertextAuthenticationError, CiphertextFormatError, InvalidKeyError, InvalidRangeError } from './errors.ts';
import { collect, pieces, pseudoRandomBytes } from './testing.ts';

const MiB = 1024 * 1024;
const key = new Uint8Array(randomBytes(32));

async function encrypt(plaintext: Uint8Array, chunkSize?: number): Promise<Uint8Array> {
  return collect(encryptStream(key, pieces(plaintext, 7777), { chunkSize }));
}

/** Splits a ciphertext into [header, chunk 0, chunk 1, …] given its chunk size. */
function split(ciphertext: Uint8Array, chunkSize: number): Uint8Array[] {
  const out = [ciphertext.subarray(0, HEADER_SIZE)];
  for (let at = HEADER_SIZE; at < ciphertext.length; at += chunkSize + TAG_SIZE)
    out.push(ciphertext.subarray(at, at + chunkSize + TAG_SIZE));
  return out;
}

const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** Decrypts, returning the plaintext released before an error and the error. */
async function decryptUntilError(ciphertext: Uint8Array): Promise<{ released: number; error: unknown }> {
  let released = 0;
  try {
    for await (const piece of decryptStream(key, pieces(ciphertext, 1000))) released += piece.length;
  } catch (error) {
    return { released, error };
  }
  return { released, error: undefined };
}

describe('encryptStream / decryptStream', () => {
  for (const size of [0, 1, MiB - 1, MiB, MiB + 1, 5 * MiB + 123]) {
    test(`round-trips ${size} bytes with 1 MiB chunks, ciphertext of the documented size`, async () => {
      const plaintext = await pseudoRandomBytes(size, size);
      const ciphertext = await encrypt(plaintext);
      assert.equal(ciphertext.length, ciphertextSize(size));
      assert.equal(ciphertext.length, HEADER_SIZE + size + TAG_SIZE * chunkCount(size));
      const header = decodeHeader(ciphertext);
      assert.equal(header.chunkSize, DEFAULT_CHUNK_SIZE);
      assert.deepEqual(Buffer.from(ciphertext.subarray(0, 4)).toString('latin1'), 'SOUK');
      assert.deepEqual(await collect(decryptStream(key, pieces(ciphertext, 4099))), plaintext);
    });
  }

  test('yields the header, then each chunk as its ciphertext and its tag', async () => {
    const out: Uint8Array[] = [];
    for await (const piece of encryptStream(key, pieces(await pseudoRandomBytes(1000), 3), { chunkSize: 300 }))
      out.push(piece);
    assert.deepEqual(
      out.map((p) => p.length),
      [HEADER_SIZE, 300, 16, 300, 16, 300, 16, 100, 16],
    );
  });

  test('uses a fresh nonce prefix per stream: the same plaintext encrypts differently', async () => {
    const plaintext = await pseudoRandomBytes(100);
    assert.notDeepEqual(await encrypt(plaintext), await encrypt(plaintext));
  });

  test('round-trips with a tiny chunk size and ciphertext delivered one byte at a time', async () => {
    const plaintext = await pseudoRandomBytes(50);
    const ciphertext = await encrypt(plaintext, 7);
    assert.deepEqual(await collect(decryptStream(key, pieces(ciphertext, 1))), plaintext);
  });

  test('rejects keys that are not 32 bytes', async () => {
    await assert.rejects(collect(encryptStream(new Uint8Array(16), [])), InvalidKeyError);
    await assert.rejects(collect(decryptStream(new Uint8Array(31), [])), InvalidKeyError);
  });

  test('rejects chunk sizes outside 1 … 16 MiB', async () => {
    await assert.rejects(collect(encryptStream(key, [], { chunkSize: 0 })), CiphertextFormatError);
    await assert.rejects(collect(encryptStream(key, [], { chunkSize: 16 * MiB + 1 })), CiphertextFormatError);
  });
});

describe('tamper detection', () => {
  const chunkSize = 64;
  // 4 full chunks and a final one of 10 bytes.
  const plaintextPromise = pseudoRandomBytes(4 * chunkSize + 10, 42);

  test('detects one flipped ciphertext byte, releasing only the chunks before it', async () => {
    const ciphertext = await encrypt(await plaintextPromise, chunkSize);
    const tampered = ciphertext.slice();
    tampered[HEADER_SIZE + 2 * (chunkSize + TAG_SIZE) + 5] ^= 0x01;
    const { released, error } = await decryptUntilError(tampered);
    assert.ok(error instanceof CiphertextAuthenticationError);
    assert.equal(error.details.chunkIndex, 2);
    assert.equal(released, 2 * chunkSize);
  });

  test('detects a flipped tag byte', async () => {
    const ciphertext = await encrypt(await plaintextPromise, chunkSize);
    const tampered = ciphertext.slice();
    tampered[tampered.length - 1] ^= 0x80;
    const { error } = await decryptUntilError(tampered);
    assert.ok(error instanceof CiphertextAuthenticationError);
    assert.equal(error.details.chunkIndex, 4);
  });

  test('detects two swapped chunks', async () => {
    const [header, c0, c1, c2, c3, c4] = split(await encrypt(await plaintextPromise, chunkSize), chunkSize);
    const { released, error } = await decryptUntilError(concat([header, c0, c2, c1, c3, c4]));
    assert.ok(error instanceof CiphertextAuthenticationError);
    assert.equal(error.details.chunkIndex, 1);
    assert.equal(released, chunkSize);
  });

  test('detects a chunk swapped in from another stream under the same key', async () => {
    const plaintext = await plaintextPromise;
    const a = split(await encrypt(plaintext, chunkSize), chunkSize);
    const b = split(await encrypt(plaintext, chunkSize), chunkSize);
    const { error } = await decryptUntilError(concat([a[0], a[1], b[2], a[3], a[4], a[5]]));
    assert.ok(error instanceof CiphertextAuthenticationError);
    assert.equal(error.details.chunkIndex, 1);
  });

  test('detects truncation: the last chunk dropped', async () => {
    const parts = split(await encrypt(await plaintextPromise, chunkSize), chunkSize);
    const { error } = await decryptUntilError(concat(parts.slice(0, -1)));
    assert.ok(error instanceof CiphertextAuthenticationError);
    assert.equal(error.details.chunkIndex, 3);
  });

  test('detects truncation when the plaintext is a whole number of chunks', async () => {
    const parts = split(await encrypt(await pseudoRandomBytes(3 * chunkSize), chunkSize), chunkSize);
    assert.equal(parts.length, 4);
    const { error } = await decryptUntilError(concat(parts.slice(0, -1)));
    assert.ok(error instanceof CiphertextAuthenticationError);
  });

  test('detects truncation inside a chunk, and a stream cut to its header', async () => {
    const ciphertext = await encrypt(await plaintextPromise, chunkSize);
    const { error } = await decryptUntilError(ciphertext.subarray(0, ciphertext.length - 5));
    assert.ok(error instanceof CiphertextAuthenticationError);
    // The final chunk (10 bytes + 16-byte tag) cut below its tag size.
    const { error: belowTag } = await decryptUntilError(ciphertext.subarray(0, ciphertext.length - 20));
    assert.ok(belowTag instanceof CiphertextFormatError);
    const { error: headerOnly } = await decryptUntilError(ciphertext.subarray(0, HEADER_SIZE));
    assert.ok(headerOnly instanceof CiphertextFormatError);
    const { error: short } = await decryptUntilError(ciphertext.subarray(0, 10));
    assert.ok(short instanceof CiphertextFormatError);
  });

  test('detects bytes appended after the final chunk', async () => {
    const ciphertext = await encrypt(await plaintextPromise, chunkSize);
    const { error } = await decryptUntilError(concat([ciphertext, new Uint8Array(3)]));
    assert.ok(error instanceof CiphertextAuthenticationError);
  });

  test('detects a modified header: nonce prefix, chunk size, magic, version', async () => {
    const ciphertext = await encrypt(await plaintextPromise, chunkSize);
    const withByte = (at: number, value: number) => {
      const copy = ciphertext.slice();
      copy[at] = value;
      return copy;
    };
    assert.ok(
      (await decryptUntilError(withByte(12, ciphertext[12] ^ 1))).error instanceof CiphertextAuthenticationError,
    );
    assert.ok((await decryptUntilError(withByte(8, 65))).error instanceof CiphertextAuthenticationError);
    assert.ok((await decryptUntilError(withByte(0, 0x58))).error instanceof CiphertextFormatError);
    assert.ok((await decryptUntilError(withByte(4, 2))).error instanceof CiphertextFormatError);
  });

  test('fails authentication under the wrong key', async () => {
    const ciphertext = await encrypt(await plaintextPromise, chunkSize);
    await assert.rejects(collect(decryptStream(new Uint8Array(randomBytes(32)), [ciphertext])), (err: unknown) => {
      assert.ok(err instanceof CiphertextAuthenticationError);
      assert.equal(err.details.chunkIndex, 0);
      return true;
    });
  });
});

describe('plaintextRangeToChunks / chunksToCiphertextRange', () => {
  test('maps ranges at chunk boundaries to chunks', () => {
    assert.deepEqual(plaintextRangeToChunks(0, 1, 100), { firstChunk: 0, lastChunk: 0, skipBytes: 0 });
    assert.deepEqual(plaintextRangeToChunks(99, 2, 100), { firstChunk: 0, lastChunk: 1, skipBytes: 99 });
    assert.deepEqual(plaintextRangeToChunks(100, 100, 100), { firstChunk: 1, lastChunk: 1, skipBytes: 0 });
    assert.deepEqual(plaintextRangeToChunks(100, 101, 100), { firstChunk: 1, lastChunk: 2, skipBytes: 0 });
  });

  test('locates chunks in the ciphertext, the last one short', () => {
    assert.deepEqual(chunksToCiphertextRange({ firstChunk: 1, lastChunk: 2 }, 100, 250), {
      offset: HEADER_SIZE + 116,
      length: 116 + 66,
    });
    assert.deepEqual(chunksToCiphertextRange({ firstChunk: 0, lastChunk: 0 }, 100, 0), {
      offset: HEADER_SIZE,
      length: TAG_SIZE,
    });
  });

  test('rejects empty and negative ranges', () => {
    assert.throws(() => plaintextRangeToChunks(0, 0, 100), InvalidRangeError);
    assert.throws(() => plaintextRangeToChunks(-1, 5, 100), InvalidRangeError);
  });
});

describe('decryptRange', () => {
  const size = 3 * MiB + 1000;
  const setup = (async () => {
    const plaintext = await pseudoRandomBytes(size, 9);
    return { plaintext, ciphertext: await encrypt(plaintext) };
  })();

  /** A reader over the ciphertext that records how many bytes it served. */
  function reader(ciphertext: Uint8Array) {
    const served = { bytes: 0 };
    const read = (offset: number, length: number) => {
      served.bytes += length;
      return pieces(ciphertext.subarray(offset, offset + length), 65536);
    };
    return { read, served };
  }

  const ranges: Array<[string, number, number]> = [
    ['the first byte', 0, 1],
    ['the last byte of chunk 0', MiB - 1, 1],
    ['two bytes across the first boundary', MiB - 1, 2],
    ['exactly chunk 1', MiB, MiB],
    ['chunk 1 and one byte either side', MiB - 1, MiB + 2],
    ['the last byte', size - 1, 1],
    ['the short final chunk', 3 * MiB, 1000],
    ['everything', 0, size],
  ];
  for (const [name, offset, length] of ranges) {
    test(`returns ${name} equal to the plaintext slice, reading only the chunks needed`, async () => {
      const { plaintext, ciphertext } = await setup;
      const { read, served } = reader(ciphertext);
      const out = await collect(decryptRange(key, read, size, { offset, length }));
      assert.deepEqual(out, plaintext.subarray(offset, offset + length));
      const span = plaintextRangeToChunks(offset, length, MiB);
      const chunks = span.lastChunk - span.firstChunk + 1;
      assert.ok(served.bytes <= HEADER_SIZE + chunks * (MiB + TAG_SIZE), `read ${served.bytes} bytes`);
    });
  }

  test('returns nothing for a zero-length range', async () => {
    const { ciphertext } = await setup;
    assert.equal((await collect(decryptRange(key, reader(ciphertext).read, size, { offset: 5, length: 0 }))).length, 0);
  });

  test('rejects a range past the end', async () => {
    const { ciphertext } = await setup;
    await assert.rejects(
      collect(decryptRange(key, reader(ciphertext).read, size, { offset: size - 1, length: 2 })),
      InvalidRangeError,
    );
  });

  test('fails authentication when told the wrong plaintext size (final flag mismatch)', async () => {
    const { ciphertext } = await setup;
    // Claim the content ends after chunk 1: chunk 1 is then read as final, which it is not.
    await assert.rejects(
      collect(decryptRange(key, reader(ciphertext).read, 2 * MiB, { offset: MiB, length: 10 })),
      CiphertextAuthenticationError,
    );
  });

  test('detects a tampered chunk inside the range', async () => {
    const { ciphertext } = await setup;
    const tampered = ciphertext.slice();
    tampered[HEADER_SIZE + (MiB + TAG_SIZE) + 100] ^= 1;
    await assert.rejects(
      collect(decryptRange(key, reader(tampered).read, size, { offset: MiB + 50, length: 100 })),
      CiphertextAuthenticationError,
    );
  });

  test('reports a store that returns fewer bytes than asked', async () => {
    const { ciphertext } = await setup;
    const short = ciphertext.subarray(0, ciphertext.length - 500);
    await assert.rejects(
      collect(decryptRange(key, reader(short).read, size, { offset: size - 10, length: 10 })),
      CiphertextFormatError,
    );
  });
});
