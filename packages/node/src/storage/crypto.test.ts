import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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

/**
 * Known answers: the format checked against the layout documented in crypto.ts, with `node:crypto`'s raw AES-GCM and
 * no code of this module. The vector was computed once outside Souk (Python `cryptography`'s AESGCM, cross-checked
 * with a standalone `createCipheriv` script) and is pinned byte for byte.
 */
describe('known-answer vectors (the documented format, independently of this module)', () => {
  // Key 0x00 01 … 1f; nonce prefix 01 02 … 08; chunk size 4; plaintext "Souk KAT!" (9 bytes → chunks of 4, 4, 1).
  const katKey = new Uint8Array(Array.from({ length: 32 }, (_, i) => i));
  const katPlaintext = new TextEncoder().encode('Souk KAT!');
  const katCiphertext = Buffer.from(
    '534f554b01000000040102030405060708' + // "SOUK", version 1, chunk size 4, nonce prefix 0102030405060708
      'd9705bdb0496112aad0e0239bdcf9c743a5f76e6' + // chunk 0: 4 ciphertext bytes ‖ 16-byte tag
      '45c0a0e7a1126d90fb1f40ac367057f9e83e5aef' + // chunk 1
      'a3be921f8145ea081adce8e16238d69bfc', // chunk 2 (final): 1 byte ‖ tag
    'hex',
  );

  /** Seals per the documented layout with raw node:crypto: nonce = P ‖ uint32(i), AAD = header ‖ uint32(i) ‖ final. */
  function sealByHand(aesKey: Uint8Array, noncePrefix: Uint8Array, chunkSize: number, plaintext: Uint8Array) {
    const size = Buffer.alloc(4);
    size.writeUInt32BE(chunkSize);
    const header = Buffer.concat([Buffer.from('SOUK', 'latin1'), Buffer.from([1]), size, noncePrefix]);
    const n = Math.max(1, Math.ceil(plaintext.length / chunkSize));
    const parts: Uint8Array[] = [header];
    for (let i = 0; i < n; i++) {
      const index = Buffer.alloc(4);
      index.writeUInt32BE(i);
      const cipher = createCipheriv('aes-256-gcm', aesKey, Buffer.concat([noncePrefix, index]), { authTagLength: 16 });
      cipher.setAAD(Buffer.concat([header, index, Buffer.from([i === n - 1 ? 1 : 0])]));
      parts.push(
        cipher.update(plaintext.subarray(i * chunkSize, (i + 1) * chunkSize)),
        cipher.final(),
        cipher.getAuthTag(),
      );
    }
    return concat(parts);
  }

  /** Opens per the documented layout with raw node:crypto (createDecipheriv), chunk by chunk. */
  function openByHand(aesKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    const bytes = Buffer.from(ciphertext);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'SOUK');
    assert.equal(bytes[4], 1);
    const chunkSize = bytes.readUInt32BE(5);
    const noncePrefix = bytes.subarray(9, 17);
    const header = bytes.subarray(0, 17);
    const out: Uint8Array[] = [];
    const body = bytes.subarray(17);
    const n = Math.max(1, Math.ceil(body.length / (chunkSize + 16)));
    for (let i = 0; i < n; i++) {
      const sealed = body.subarray(i * (chunkSize + 16), (i + 1) * (chunkSize + 16));
      const index = Buffer.alloc(4);
      index.writeUInt32BE(i);
      const decipher = createDecipheriv('aes-256-gcm', aesKey, Buffer.concat([noncePrefix, index]), {
        authTagLength: 16,
      });
      decipher.setAAD(Buffer.concat([header, index, Buffer.from([i === n - 1 ? 1 : 0])]));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      out.push(decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final());
    }
    return concat(out);
  }

  test('the hand-written sealer reproduces the pinned vector (the vector is the documented format)', () => {
    assert.equal(
      Buffer.from(sealByHand(katKey, Buffer.from('0102030405060708', 'hex'), 4, katPlaintext)).toString('hex'),
      katCiphertext.toString('hex'),
    );
  });

  test('decryptStream opens the pinned vector; decryptRange reads its middle; a flipped bit fails', async () => {
    assert.deepEqual(await collect(decryptStream(katKey, pieces(katCiphertext, 3))), katPlaintext);
    const header = decodeHeader(katCiphertext);
    assert.equal(header.chunkSize, 4);
    assert.equal(Buffer.from(header.noncePrefix).toString('hex'), '0102030405060708');
    const read = (offset: number, length: number) => [katCiphertext.subarray(offset, offset + length)];
    assert.equal(
      new TextDecoder().decode(
        await collect(decryptRange(katKey, read, katPlaintext.length, { offset: 3, length: 4 })),
      ),
      'k KA',
    );
    const flipped = Buffer.from(katCiphertext);
    flipped[17 + 20 + 2] ^= 1; // a ciphertext byte of chunk 1
    await assert.rejects(collect(decryptStream(katKey, [flipped])), CiphertextAuthenticationError);
  });

  for (const [size, chunkSize] of [
    [0, 4],
    [9, 4],
    [8, 4],
    [70_000, 65_536],
  ] as const) {
    test(`encryptStream's ${size}-byte output (chunks of ${chunkSize}) opens with raw createDecipheriv and is the documented bytes`, async () => {
      const plaintext = await pseudoRandomBytes(size, 77);
      const ciphertext = await collect(encryptStream(key, pieces(plaintext, 1000), { chunkSize }));
      assert.deepEqual(openByHand(key, ciphertext), plaintext);
      // Byte for byte what the documented construction gives under the stream's own (random) nonce prefix.
      const noncePrefix = ciphertext.subarray(9, 17);
      assert.deepEqual(sealByHand(key, noncePrefix, chunkSize, plaintext), ciphertext);
    });
  }
});
