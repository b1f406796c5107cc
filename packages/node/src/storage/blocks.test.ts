import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { type ContentStore, createHeliaStore, createKuboStore, rawCid } from './blocks.ts';
import { BlockDigestMismatchError, ContentNotFoundError, InvalidCidError } from './errors.ts';
import { collect, pieces, pseudoRandomBytes, tempDir } from './testing.ts';

const MiB = 1024 * 1024;
/** A raw CID of random bytes: no store holds it. */
const ABSENT_RAW = rawCid(new Uint8Array(randomBytes(32)));

/** `bafkrei…` computed without multiformats: base32 (RFC 4648, lower case, no padding) of 0x01 0x55 0x12 0x20 ‖ digest. */
function independentRawCid(bytes: Uint8Array): string {
  const binary = Buffer.concat([Buffer.from([0x01, 0x55, 0x12, 0x20]), createHash('sha256').update(bytes).digest()]);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = '';
  for (const byte of binary) bits += byte.toString(2).padStart(8, '0');
  bits = bits.padEnd(Math.ceil(bits.length / 5) * 5, '0');
  let out = 'b';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[Number.parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

/** The behaviour every ContentStore must have. */
function contentStoreContract(open: () => Promise<ContentStore>): void {
  let store: ContentStore;
  before(async () => {
    store = await open();
  });
  after(() => store.stop());

  for (const size of [0, 1, MiB, 3 * MiB + 5]) {
    test(`adds and reads back a file of ${size} bytes as a CIDv1`, async () => {
      const plaintext = await pseudoRandomBytes(size, size + 1);
      const { cid, size: added } = await store.addFile(pieces(plaintext, 65_537));
      assert.equal(added, size);
      assert.equal(CID.parse(cid).version, 1);
      assert.deepEqual(await collect(store.cat(cid)), plaintext);
      assert.equal(await store.has(cid), true);
    });
  }

  test('reads a byte range across a leaf boundary', async () => {
    const plaintext = await pseudoRandomBytes(2 * MiB + 10, 5);
    const { cid } = await store.addFile([plaintext]);
    const out = await collect(store.cat(cid, { offset: MiB - 3, length: MiB + 6 }));
    assert.deepEqual(out, plaintext.subarray(MiB - 3, 2 * MiB + 3));
  });

  test('passes an error thrown by the source through unchanged', async () => {
    class SourceBroke extends Error {}
    async function* failing() {
      yield new Uint8Array(10);
      throw new SourceBroke('boom');
    }
    await assert.rejects(store.addFile(failing()), SourceBroke);
  });

  test('stores raw blocks under bafkrei… CIDs that multiformats and a hand-rolled encoder agree on', async () => {
    const bytes = new TextEncoder().encode('{"name":"ocr","souk":1}');
    const cid = await store.putRaw(bytes);
    assert.match(cid, /^bafkrei[a-z2-7]{52}$/);
    const expected = CID.createV1(raw.code, await sha256.digest(raw.encode(bytes))).toString();
    assert.equal(cid, expected);
    assert.equal(cid, independentRawCid(bytes));
    assert.equal(cid, rawCid(bytes));
    assert.deepEqual(await store.getRaw(cid), bytes);
    assert.equal(await store.has(cid), true);
  });

  test('reports absent content as such', async () => {
    assert.equal(await store.has(ABSENT_RAW), false);
    await assert.rejects(store.getRaw(ABSENT_RAW), ContentNotFoundError);
    await assert.rejects(collect(store.cat(ABSENT_RAW)), ContentNotFoundError);
  });

  test('rejects strings that are not CIDs, and non-raw CIDs in getRaw', async () => {
    await assert.rejects(store.getRaw('not-a-cid'), InvalidCidError);
    await assert.rejects(store.has('not-a-cid'), InvalidCidError);
    const { cid } = await store.addFile([new Uint8Array(2 * MiB)]);
    assert.match(cid, /^bafybei/);
    await assert.rejects(store.getRaw(cid), (err: unknown) => {
      assert.ok(err instanceof InvalidCidError);
      assert.match(err.message, /not raw/);
      return true;
    });
  });

  test('answers ping', async () => {
    assert.equal(await store.ping(), true);
  });
}

describe('createHeliaStore', () => {
  const dirs: Array<{ remove: () => Promise<void> }> = [];
  after(() => Promise.all(dirs.map((d) => d.remove())));
  async function dataDir(): Promise<string> {
    const dir = await tempDir();
    dirs.push(dir);
    return dir.path;
  }

  describe('content store contract', () => {
    contentStoreContract(async () => createHeliaStore({ dataDir: await dataDir() }));
  });

  test('keeps files and blocks across stop and reopen of the same data dir', async () => {
    const dir = await dataDir();
    const plaintext = await pseudoRandomBytes(2 * MiB + 1, 77);
    const first = await createHeliaStore({ dataDir: dir });
    const { cid } = await first.addFile([plaintext]);
    const block = await first.putRaw(new TextEncoder().encode('manifest'));
    await first.stop();
    assert.equal(await first.ping(), false);

    const second = await createHeliaStore({ dataDir: dir });
    try {
      assert.deepEqual(await collect(second.cat(cid)), plaintext);
      assert.deepEqual(new TextDecoder().decode(await second.getRaw(block)), 'manifest');
      assert.deepEqual(await readdir(path.join(dir, 'ipfs')), ['blocks', 'datastore']);
    } finally {
      await second.stop();
    }
  });

  test('detects a raw block modified on disk', async () => {
    const dir = await dataDir();
    const store = await createHeliaStore({ dataDir: dir });
    try {
      const bytes = new TextEncoder().encode('original manifest bytes');
      const cid = await store.putRaw(bytes);
      const file = await findFile(path.join(dir, 'ipfs', 'blocks'), bytes);
      await writeFile(file, new TextEncoder().encode('modified manifest bytes'));
      await assert.rejects(store.getRaw(cid), BlockDigestMismatchError);
    } finally {
      await store.stop();
    }
  });
});

const kuboUrl = process.env.KUBO_API_URL;
const kuboSkip = kuboUrl
  ? (await createKuboStore({ apiUrl: kuboUrl }).ping())
    ? false
    : `no Kubo RPC API answers at KUBO_API_URL=${kuboUrl}`
  : 'KUBO_API_URL is not set: no Kubo daemon to test against';

describe('createKuboStore', { skip: kuboSkip }, () => {
  contentStoreContract(async () => createKuboStore({ apiUrl: kuboUrl as string }));
});

test('createKuboStore reports an unreachable API through ping, without throwing', async () => {
  assert.equal(await createKuboStore({ apiUrl: 'http://127.0.0.1:9', pingTimeoutMs: 500 }).ping(), false);
});

async function findFile(dir: string, bytes: Uint8Array): Promise<string> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (Buffer.from(await readFile(file)).equals(bytes)) return file;
  }
  throw new Error(`no file holds the ${bytes.length} bytes`);
}
