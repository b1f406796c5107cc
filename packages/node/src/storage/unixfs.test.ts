import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unixfs } from '@helia/unixfs';
import * as dagPb from '@ipld/dag-pb';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { UnixFS } from 'ipfs-unixfs';
import { exporter } from 'ipfs-unixfs-exporter';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { InvalidRangeError } from './errors.ts';
import { collect, pieces, pseudoRandomBytes } from './testing.ts';
import { importUnixfsFile, type LocalBlocks, readUnixfsFile, UnixfsFormatError } from './unixfs.ts';

const MiB = 1024 * 1024;

/** A memory blockstore with the `getBlock` the reader uses. */
function memoryBlocks(): LocalBlocks & { store: MemoryBlockstore } {
  const store = new MemoryBlockstore();
  return {
    store,
    put: async (cid, bytes) => store.put(cid, Uint8Array.from(bytes)),
    async getBlock(cid) {
      const parts: Uint8Array[] = [];
      for await (const part of store.get(cid)) parts.push(part);
      return Buffer.concat(parts);
    },
  };
}

for (const size of [0, 1, MiB - 1, MiB, MiB + 1, 3 * MiB + 5]) {
  test(`gives the CID @helia/unixfs gives with the unixfs-v1-2025 profile (${size} bytes)`, async () => {
    const bytes = await pseudoRandomBytes(size, size + 7);
    const reference = await unixfs({ blockstore: new MemoryBlockstore() } as never).addByteStream(
      pieces(bytes, 65_537) as never,
      { profile: 'unixfs-v1-2025' },
    );
    const blocks = memoryBlocks();
    const { cid, size: imported } = await importUnixfsFile(pieces(bytes, 65_537), blocks);
    assert.equal(cid.toString(), reference.toString());
    assert.equal(imported, size);
    assert.deepEqual(await collect(readUnixfsFile(blocks, cid)), bytes);
  });
}

test('reads any range of a three-level DAG as the UnixFS exporter does', async () => {
  const bytes = await pseudoRandomBytes(10_000, 3);
  const blocks = memoryBlocks();
  // 100-byte leaves, 4 links per node: 100 leaves under three levels of nodes.
  const { cid } = await importUnixfsFile(pieces(bytes, 333), blocks, { leafSize: 100, maxLinks: 4 });
  const root = dagPb.decode(await blocks.getBlock(cid));
  assert.equal(root.Links.length, 2);
  const entry = await exporter(cid, blocks.store);
  assert.equal(entry.type, 'file');
  for (const [offset, length] of [
    [0, 10_000],
    [0, 1],
    [99, 2],
    [150, 4_321],
    [9_999, 1],
    [9_999, 50],
    [10_000, 5],
    [5_000, 0],
  ]) {
    const ours = await collect(readUnixfsFile(blocks, cid, { offset, length }));
    const theirs = await collect(entry.content({ offset, length }));
    assert.deepEqual(ours, theirs, `offset ${offset} length ${length}`);
    assert.deepEqual(ours, bytes.subarray(offset, offset + length));
  }
});

test('reuses its leaf buffers without corrupting leaves still being written', async () => {
  const bytes = await pseudoRandomBytes(5 * MiB + 3, 11);
  const blocks = memoryBlocks();
  const slow: LocalBlocks = {
    ...blocks,
    // Writes finish out of order, so a buffer released too early would show up as a wrong leaf.
    put: async (cid, leaf) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      return blocks.put(cid, leaf);
    },
  };
  const { cid } = await importUnixfsFile(pieces(bytes, 1_000_003), slow);
  // The memory store copies a leaf when its write finishes: a leaf refilled before then would read back wrong.
  assert.deepEqual(await collect(readUnixfsFile(blocks, cid)), bytes);
});

test('refuses a leaf whose length differs from what its parent lists', async () => {
  const bytes = await pseudoRandomBytes(2 * MiB, 4);
  const blocks = memoryBlocks();
  const { cid } = await importUnixfsFile([bytes], blocks);
  const leaf = dagPb.decode(await blocks.getBlock(cid)).Links[1].Hash;
  await blocks.store.put(leaf, bytes.subarray(MiB, 2 * MiB - 1));
  await assert.rejects(collect(readUnixfsFile(blocks, cid)), UnixfsFormatError);
});

test('refuses a node whose links and block sizes disagree, and a directory', async () => {
  const blocks = memoryBlocks();
  const leaf = await importUnixfsFile([new Uint8Array(10)], blocks);
  const inconsistent = dagPb.encode({
    Data: new UnixFS({ type: 'file', blockSizes: [10n, 10n] }).marshal(),
    Links: [{ Hash: leaf.cid, Tsize: 10 }],
  });
  const bad = CID.createV1(dagPb.code, await sha256.digest(inconsistent));
  await blocks.put(bad, inconsistent);
  await assert.rejects(collect(readUnixfsFile(blocks, bad)), UnixfsFormatError);
  const directory = dagPb.encode({ Data: new UnixFS({ type: 'directory' }).marshal(), Links: [] });
  const dir = CID.createV1(dagPb.code, await sha256.digest(directory));
  await blocks.put(dir, directory);
  await assert.rejects(collect(readUnixfsFile(blocks, dir)), /not a file/);
});

test('refuses a range that starts past the end', async () => {
  const blocks = memoryBlocks();
  const { cid } = await importUnixfsFile([new Uint8Array(10)], blocks);
  await assert.rejects(collect(readUnixfsFile(blocks, cid, { offset: 11 })), InvalidRangeError);
});
