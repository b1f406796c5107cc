import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type ContentStore, createHeliaStore } from './blocks.ts';
import { encryptStream } from './crypto.ts';
import {
  CiphertextAuthenticationError,
  ContentHashMismatchError,
  ContentSizeMismatchError,
  InvalidRangeError,
  KeyUnwrapError,
} from './errors.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { generateAssetKey, loadMasterKey, wrapAssetKey } from './keys.ts';
import { collect, pieces, pseudoRandomBytes, pseudoRandomStream, tempDir } from './testing.ts';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let dir: { path: string; remove: () => Promise<void> };
let store: ContentStore;
let gateway: Gateway;
let masterKey: Awaited<ReturnType<typeof loadMasterKey>>;
before(async () => {
  dir = await tempDir();
  store = await createHeliaStore({ dataDir: dir.path });
  masterKey = await loadMasterKey({ dataDir: dir.path });
  gateway = createGateway({ store, masterKey });
});
after(async () => {
  await store.stop();
  await dir.remove();
});

/** Reads a download, returning the bytes released before an error and the error. */
async function downloadUntilError(source: AsyncIterable<Uint8Array>): Promise<{ released: number; error: unknown }> {
  let released = 0;
  try {
    for await (const piece of source) released += piece.length;
  } catch (error) {
    return { released, error };
  }
  return { released, error: undefined };
}

describe('upload and download', () => {
  for (const encrypt of [true, false]) {
    for (const size of [0, 1, MiB - 1, MiB, MiB + 1, 4 * MiB + 7]) {
      test(`round-trips ${size} bytes ${encrypt ? 'encrypted' : 'in clear'}`, async () => {
        const plaintext = await pseudoRandomBytes(size, size + 3);
        const content = await gateway.upload({ source: pieces(plaintext, 100_003), encrypt });
        assert.equal(content.size, size);
        assert.equal(content.sha256, sha256(plaintext));
        assert.equal(content.wrappedKey === null, !encrypt);
        assert.deepEqual(
          content.encryption,
          encrypt ? { algorithm: 'AES-256-GCM-STREAM', chunkSize: MiB, version: 1 } : null,
        );
        assert.deepEqual(await collect(gateway.download(content)), plaintext);
      });
    }
  }

  test('stores ciphertext, not plaintext, when encrypting', async () => {
    const plaintext = new TextEncoder().encode('secret weights '.repeat(1000));
    const content = await gateway.upload({ source: [plaintext], encrypt: true });
    const stored = await collect(store.cat(content.contentCid));
    assert.equal(new TextDecoder().decode(stored.subarray(0, 4)), 'SOUK');
    assert.ok(!Buffer.from(stored).includes('secret weights'));
  });

  test('uses a fresh asset key per upload', async () => {
    const plaintext = await pseudoRandomBytes(1000);
    const a = await gateway.upload({ source: [plaintext], encrypt: true });
    const b = await gateway.upload({ source: [plaintext], encrypt: true });
    assert.notEqual(a.contentCid, b.contentCid);
    assert.notEqual(a.wrappedKey, b.wrappedKey);
  });
});

describe('ranges', () => {
  const size = 3 * MiB + 500;
  const setup = (async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return pseudoRandomBytes(size, 11);
  })();
  const ranges: Array<[number, number]> = [
    [0, 1],
    [MiB - 1, 2],
    [MiB, MiB],
    [MiB - 10, MiB + 20],
    [3 * MiB, 500],
    [size - 1, 1],
    [0, size],
  ];
  for (const encrypt of [true, false]) {
    test(`returns plaintext slices at chunk boundaries (${encrypt ? 'encrypted' : 'in clear'})`, async () => {
      const plaintext = await setup;
      const content = await gateway.upload({ source: [plaintext], encrypt });
      for (const [offset, length] of ranges) {
        const out = await collect(gateway.download({ ...content, range: { offset, length } }));
        assert.deepEqual(out, plaintext.subarray(offset, offset + length), `range ${offset}+${length}`);
      }
      assert.equal((await collect(gateway.download({ ...content, range: { offset: 9, length: 0 } }))).length, 0);
      await assert.rejects(
        collect(gateway.download({ ...content, range: { offset: size, length: 1 } })),
        InvalidRangeError,
      );
    });
  }
});

describe('verification', () => {
  test('throws ContentHashMismatchError at the end, withholding the last piece', async () => {
    const plaintext = await pseudoRandomBytes(3 * MiB, 21);
    const content = await gateway.upload({ source: [plaintext], encrypt: true });
    const { released, error } = await downloadUntilError(gateway.download({ ...content, sha256: '0'.repeat(64) }));
    assert.ok(error instanceof ContentHashMismatchError);
    assert.equal(error.details.actual, content.sha256);
    assert.ok(released < plaintext.length, `released ${released} of ${plaintext.length} bytes`);
  });

  test('throws ContentHashMismatchError for content stored in clear too', async () => {
    const content = await gateway.upload({ source: [await pseudoRandomBytes(5000)], encrypt: false });
    const { error } = await downloadUntilError(gateway.download({ ...content, sha256: 'f'.repeat(64) }));
    assert.ok(error instanceof ContentHashMismatchError);
  });

  test('throws ContentSizeMismatchError as soon as the content is longer than expected, or shorter at the end', async () => {
    const content = await gateway.upload({ source: [await pseudoRandomBytes(2 * MiB + 1)], encrypt: true });
    const longer = await downloadUntilError(gateway.download({ ...content, size: MiB }));
    assert.ok(longer.error instanceof ContentSizeMismatchError);
    assert.ok(longer.released < MiB);
    const shorter = await downloadUntilError(gateway.download({ ...content, size: content.size + 1 }));
    assert.ok(shorter.error instanceof ContentSizeMismatchError);
  });

  test('throws CiphertextAuthenticationError on stored ciphertext that was tampered with', async () => {
    const plaintext = await pseudoRandomBytes(2 * MiB + 3, 31);
    const assetKey = generateAssetKey();
    const ciphertext = await collect(encryptStream(assetKey, [plaintext]));
    ciphertext[MiB + 100] ^= 1;
    const { cid } = await store.addFile([ciphertext]);
    const content = { contentCid: cid, size: plaintext.length, sha256: sha256(plaintext) };
    const wrappedKey = wrapAssetKey(masterKey, assetKey);
    const { released, error } = await downloadUntilError(gateway.download({ ...content, wrappedKey }));
    assert.ok(error instanceof CiphertextAuthenticationError);
    assert.equal(error.details.chunkIndex, 1);
    assert.ok(released <= MiB);
    await assert.rejects(
      collect(gateway.download({ ...content, wrappedKey, range: { offset: MiB, length: 10 } })),
      CiphertextAuthenticationError,
    );
  });

  test('throws KeyUnwrapError for a key wrapped under another master key', async () => {
    const content = await gateway.upload({ source: [new Uint8Array(10)], encrypt: true });
    const foreign = wrapAssetKey(new Uint8Array(randomBytes(32)), generateAssetKey());
    await assert.rejects(collect(gateway.download({ ...content, wrappedKey: foreign })), KeyUnwrapError);
  });
});

describe('large content', () => {
  const size = Number(process.env.SOUK_LARGE_TEST_BYTES ?? 1024 * MiB);

  test(`streams ${size / MiB} MiB up and down encrypted with resident memory growth under 200 MiB`, async (t) => {
    const rss = { base: process.memoryUsage().rss, peak: 0 };
    const sampler = setInterval(() => {
      rss.peak = Math.max(rss.peak, process.memoryUsage().rss);
    }, 25);
    try {
      const sourceHash = createHash('sha256');
      async function* source() {
        for await (const piece of pseudoRandomStream(size, { seed: 1234 })) {
          sourceHash.update(piece);
          yield piece;
        }
      }
      const startUp = performance.now();
      const content = await gateway.upload({ source: source(), encrypt: true });
      const upSeconds = (performance.now() - startUp) / 1000;
      assert.equal(content.size, size);
      assert.equal(content.sha256, sourceHash.digest('hex'));

      const startDown = performance.now();
      const downHash = createHash('sha256');
      let downloaded = 0;
      for await (const piece of gateway.download(content)) {
        downHash.update(piece);
        downloaded += piece.length;
      }
      const downSeconds = (performance.now() - startDown) / 1000;
      assert.equal(downloaded, size);
      assert.equal(downHash.digest('hex'), content.sha256);

      const growth = rss.peak - rss.base;
      t.diagnostic(`upload ${upSeconds.toFixed(1)} s (${(size / MiB / upSeconds).toFixed(0)} MiB/s)`);
      t.diagnostic(`download ${downSeconds.toFixed(1)} s (${(size / MiB / downSeconds).toFixed(0)} MiB/s)`);
      t.diagnostic(`peak RSS growth ${(growth / MiB).toFixed(0)} MiB (base ${(rss.base / MiB).toFixed(0)} MiB)`);
      assert.ok(growth < 200 * MiB, `RSS grew by ${(growth / MiB).toFixed(0)} MiB`);
    } finally {
      clearInterval(sampler);
    }
  });
});
