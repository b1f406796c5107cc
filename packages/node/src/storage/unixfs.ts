/**
 * UnixFS files in and out of a local blockstore, used by the Helia store (`blocks.ts`) in place of `@helia/unixfs`'s
 * `addByteStream` / `cat`, for speed and bounded memory:
 *
 * - {@link importUnixfsFile} runs the same importer (`ipfs-unixfs-importer`, profile `unixfs-v1-2025`: CIDv1, raw
 *   1 MiB leaves, balanced layout of 1024 links per node), so CIDs are the same, but with a chunker that cuts leaves
 *   into reused buffers (no per-leaf allocation, hence little garbage) and leaves written straight to the
 *   blockstore (Helia's wrapper probes `has` before every `put`).
 * - {@link readUnixfsFile} walks the file's DAG itself with a fixed read-ahead of leaves: the UnixFS exporter queues
 *   every block of the range without backpressure, copies each through `it-to-buffer`, and Helia's wrapper probes
 *   `has` before every `get`.
 *
 * Blocks read from local disk are not re-hashed here (Helia does not either): integrity of content is checked above,
 * by AES-GCM tags and the plaintext SHA-256 (`gateway.ts`). Structure is checked here: codecs, UnixFS types, link and
 * block-size counts, and every leaf's length against its parent's `blockSizes`.
 */
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { importByteStream } from 'ipfs-unixfs-importer';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import type { ByteSource } from './bytes.ts';
import { InvalidRangeError, StorageError } from './errors.ts';

/** UnixFS leaf size, in bytes (1 MiB, the `unixfs-v1-2025` profile). */
export const UNIXFS_LEAF_SIZE = 1024 * 1024;
/** Links per UnixFS node (the `unixfs-v1-2025` profile). */
export const UNIXFS_MAX_LINKS = 1024;
/**
 * Leaves hashed and written at once while importing: bounds the write-behind (and the leaf pool) to ~16 MiB, and
 * keeps libuv's 4 file-system threads busy (each write is open, write, close and rename).
 */
export const IMPORT_WRITE_CONCURRENCY = 16;
/** Leaves read ahead of the consumer while reading: bounds the read-ahead to ~4 MiB. */
export const READ_AHEAD_LEAVES = 4;

/** The blockstore operations these functions need (a `blockstore-fs` `FsBlockstore` or any `interface-blockstore`). */
export type LocalBlocks = {
  /** Stores a block under its CID. */
  put: (cid: CID, bytes: Uint8Array, options?: { signal?: AbortSignal | undefined }) => Promise<unknown>;
  /** Reads a whole block. Rejects with an error named `NotFoundError` when absent. */
  getBlock: (cid: CID, options?: { signal?: AbortSignal | undefined }) => Promise<Uint8Array>;
};

/** A UnixFS DAG that is not a well-formed file (a corrupt or foreign block): never a caller's mistake. */
export class UnixfsFormatError extends StorageError {
  override name = 'UnixfsFormatError' as const;
  constructor({ cid, reason }: { cid: string; reason: string }) {
    super(`Block ${cid} is not a well-formed UnixFS file: ${reason}.`, { details: { cid, reason } });
  }
}

/** Options of {@link importUnixfsFile}. */
export type ImportUnixfsFileOptions = {
  /** Aborts the import. */
  signal?: AbortSignal | undefined;
  /** Leaf size, in bytes (tests use small leaves to build deep DAGs). @default UNIXFS_LEAF_SIZE */
  leafSize?: number | undefined;
  /** Links per node. @default UNIXFS_MAX_LINKS */
  maxLinks?: number | undefined;
};

/**
 * Imports a byte stream as a UnixFS file: CIDv1, raw leaves, balanced DAG, the `unixfs-v1-2025` profile (the CID
 * `@helia/unixfs`'s `addByteStream` gives the same bytes with that profile). Pulls the source only as fast as
 * leaves are written (at most {@link IMPORT_WRITE_CONCURRENCY} in flight), so memory stays bounded.
 *
 * @param source The bytes, in pieces of any size; pieces may be reused by the source once the next is pulled.
 * @param blocks Where leaves and nodes go.
 * @param options Signal; leaf size and fan-out for tests.
 * @returns The root CID and the file size, in bytes.
 * @throws Errors from `source` unchanged; errors from `blocks.put`.
 * @example
 * ```ts
 * import { importUnixfsFile } from './unixfs.ts'
 * const { cid, size } = await importUnixfsFile(createReadStream('model.onnx'), blockstore)
 * ```
 */
export async function importUnixfsFile(
  source: ByteSource,
  blocks: LocalBlocks,
  { signal, leafSize = UNIXFS_LEAF_SIZE, maxLinks = UNIXFS_MAX_LINKS }: ImportUnixfsFileOptions = {},
): Promise<{ cid: CID; size: number }> {
  const pool = new LeafPool(leafSize);
  let size = 0;
  const { cid } = await importByteStream(source as AsyncIterable<Uint8Array>, blocks as never, {
    profile: 'unixfs-v1-2025',
    cidVersion: 1,
    rawLeaves: true,
    layout: balanced({ maxChildrenPerNode: maxLinks }),
    blockWriteConcurrency: IMPORT_WRITE_CONCURRENCY,
    chunker: (pieces) => pool.cut(pieces),
    bufferImporter: async function* leaves(file, blockstore) {
      for await (const leaf of file.content) {
        signal?.throwIfAborted();
        size += leaf.length;
        yield async () => {
          const cid = CID.createV1(raw.code, await sha256.digest(leaf));
          await blockstore.put(cid, leaf, { signal });
          // A single-leaf file keeps its leaf as the root block; later leaves are done with once written.
          if (size > leaf.length) pool.release(leaf);
          return { cid, size: BigInt(leaf.length), block: leaf };
        };
      }
    },
  });
  return { cid, size };
}

/**
 * Cuts a byte stream into leaves of `leafSize` bytes (the last one shorter), copying into buffers that are handed
 * back with {@link LeafPool.release} once written: an import allocates about {@link IMPORT_WRITE_CONCURRENCY} + 2
 * leaves whatever the file size, where the default chunker allocates one per leaf (a GiB of garbage per GiB).
 */
class LeafPool {
  readonly #leafSize: number;
  readonly #free: Uint8Array[] = [];

  constructor(leafSize: number) {
    this.#leafSize = leafSize;
  }

  release(leaf: Uint8Array): void {
    if (leaf.byteOffset === 0 && leaf.buffer.byteLength === this.#leafSize)
      this.#free.push(new Uint8Array(leaf.buffer));
  }

  async *cut(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    let leaf = this.#take();
    let filled = 0;
    let emitted = false;
    for await (const piece of source) {
      let at = 0;
      while (at < piece.length) {
        const take = Math.min(this.#leafSize - filled, piece.length - at);
        leaf.set(take === piece.length ? piece : piece.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === this.#leafSize) {
          yield leaf;
          emitted = true;
          leaf = this.#take();
          filled = 0;
        }
      }
    }
    // Same rule as the importer's fixed-size chunker: an empty file is one empty leaf.
    if (filled > 0 || !emitted) yield leaf.subarray(0, filled);
  }

  #take(): Uint8Array {
    return this.#free.pop() ?? new Uint8Array(this.#leafSize);
  }
}

/** Options of {@link readUnixfsFile}. */
export type ReadUnixfsFileOptions = {
  /** First byte to read, 0-based. @default 0 */
  offset?: number | undefined;
  /** Most bytes to read. @default to the end */
  length?: number | undefined;
  /** Aborts the read. */
  signal?: AbortSignal | undefined;
};

/** A leaf (or a dag-pb node's inline data) and the part of it to yield. */
type Segment = { bytes: Promise<Uint8Array>; cid: CID; size: number; from: number; to: number };

/**
 * Reads a UnixFS file (or a raw block) from local blocks, streaming: at most {@link READ_AHEAD_LEAVES} leaves are
 * read ahead of the consumer, so memory stays bounded whatever the file or range size. Yields views of the blocks
 * as read (fresh buffers, never reused).
 *
 * @param blocks Where the blocks are.
 * @param cid The file's root CID (dag-pb UnixFS `file`/`raw`, or a raw block).
 * @param options Byte range and signal.
 * @returns The bytes, as an async iterable.
 * @throws {InvalidRangeError} when `offset` is beyond the end or either is not a non-negative integer.
 * @throws {UnixfsFormatError} on a malformed DAG (unknown codec, not a file, inconsistent sizes).
 * @throws Errors from `blocks.getBlock` (e.g. `NotFoundError`).
 * @example
 * ```ts
 * import { readUnixfsFile } from './unixfs.ts'
 * for await (const bytes of readUnixfsFile(blockstore, CID.parse(cid), { offset: 0, length: 100 })) reply.raw.write(bytes)
 * ```
 */
export async function* readUnixfsFile(
  blocks: LocalBlocks,
  cid: CID,
  { offset = 0, length, signal }: ReadUnixfsFileOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const get = (c: CID) => blocks.getBlock(c, { signal });
  const root = await get(cid);
  let size: number;
  let node: dagPb.PBNode | undefined;
  let unixfs: UnixFS | undefined;
  if (cid.code === raw.code) size = root.length;
  else if (cid.code === dagPb.code) {
    ({ node, unixfs } = decodeFileNode(cid, root));
    size = Number(unixfs.fileSize());
  } else throw new UnixfsFormatError({ cid: cid.toString(), reason: `codec 0x${cid.code.toString(16)}` });
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size || (length !== undefined && !(length >= 0)))
    throw new InvalidRangeError({ offset, length: length ?? 0, size });
  const end = length === undefined ? size : Math.min(size, offset + length);
  if (end <= offset) return;
  if (node === undefined || unixfs === undefined) {
    yield root.subarray(offset, end);
    return;
  }

  // Segments in file order, their reads started up to READ_AHEAD_LEAVES ahead of the one being yielded.
  const segments = walk(get, cid, node, unixfs, 0, offset, end);
  const ahead: Segment[] = [];
  let exhausted = false;
  const refill = async () => {
    while (!exhausted && ahead.length < READ_AHEAD_LEAVES) {
      const next = await segments.next();
      if (next.done) exhausted = true;
      else {
        // Awaited in order below; until then a rejection must not count as unhandled.
        next.value.bytes.catch(() => {});
        ahead.push(next.value);
      }
    }
  };
  try {
    for (await refill(); ahead.length > 0; await refill()) {
      const segment = ahead.shift() as Segment;
      const bytes = await segment.bytes;
      if (bytes.length !== segment.size)
        throw new UnixfsFormatError({
          cid: segment.cid.toString(),
          reason: `${bytes.length} bytes where its parent lists ${segment.size}`,
        });
      yield segment.from === 0 && segment.to === bytes.length ? bytes : bytes.subarray(segment.from, segment.to);
    }
  } finally {
    await segments.return(undefined);
  }
}

/**
 * The segments of `node` (which starts at file byte `start`) that overlap `[offset, end)`, depth first. Raw leaves
 * are returned with their read already started; dag-pb children are loaded here (they are few: one per 1024 leaves).
 */
async function* walk(
  get: (cid: CID) => Promise<Uint8Array>,
  cid: CID,
  node: dagPb.PBNode,
  unixfs: UnixFS,
  start: number,
  offset: number,
  end: number,
): AsyncGenerator<Segment, void, undefined> {
  let at = start;
  if (unixfs.data !== undefined && unixfs.data.length > 0) {
    const data = unixfs.data;
    if (at + data.length > offset && at < end)
      yield {
        bytes: Promise.resolve(data),
        cid,
        size: data.length,
        from: Math.max(0, offset - at),
        to: Math.min(data.length, end - at),
      };
    at += data.length;
  }
  if (node.Links.length !== unixfs.blockSizes.length)
    throw new UnixfsFormatError({
      cid: cid.toString(),
      reason: `${node.Links.length} links but ${unixfs.blockSizes.length} block sizes`,
    });
  for (let i = 0; i < node.Links.length && at < end; i++) {
    const child = node.Links[i].Hash;
    const childSize = Number(unixfs.blockSizes[i]);
    const childStart = at;
    at += childSize;
    if (at <= offset) continue;
    if (child.code === raw.code) {
      yield {
        bytes: get(child),
        cid: child,
        size: childSize,
        from: Math.max(0, offset - childStart),
        to: Math.min(childSize, end - childStart),
      };
    } else if (child.code === dagPb.code) {
      const decoded = decodeFileNode(child, await get(child));
      if (Number(decoded.unixfs.fileSize()) !== childSize)
        throw new UnixfsFormatError({
          cid: child.toString(),
          reason: `${decoded.unixfs.fileSize()} bytes where its parent lists ${childSize}`,
        });
      yield* walk(get, child, decoded.node, decoded.unixfs, childStart, offset, end);
    } else throw new UnixfsFormatError({ cid: child.toString(), reason: `codec 0x${child.code.toString(16)}` });
  }
}

function decodeFileNode(cid: CID, bytes: Uint8Array): { node: dagPb.PBNode; unixfs: UnixFS } {
  let node: dagPb.PBNode;
  let unixfs: UnixFS;
  try {
    node = dagPb.decode(bytes);
    if (node.Data === undefined) throw new Error('no UnixFS data');
    unixfs = UnixFS.unmarshal(node.Data);
  } catch (err) {
    throw new UnixfsFormatError({ cid: cid.toString(), reason: (err as Error).message });
  }
  if (unixfs.type !== 'file' && unixfs.type !== 'raw')
    throw new UnixfsFormatError({ cid: cid.toString(), reason: `a ${unixfs.type}, not a file` });
  return { node, unixfs };
}
