/**
 * Content-addressed storage behind one interface, {@link ContentStore}, with two backends:
 *
 * - {@link createHeliaStore}: embedded Helia (the default). Blocks in a filesystem blockstore and metadata in a
 *   filesystem datastore under `<dataDir>/ipfs`. Helia is created without libp2p, routers or block brokers, so it
 *   never touches the network: content is only what this node added. It never garbage-collects.
 * - {@link createKuboStore}: a Kubo daemon over its HTTP RPC API (scale-out). Files and blocks are pinned.
 *
 * Files are UnixFS (https://specs.ipfs.tech/unixfs/) with CIDv1, raw leaves and 1 MiB leaves (Helia: the IPIP-499
 * `unixfs-v1-2025` profile; Kubo: `--cid-version=1 --raw-leaves --chunker=size-1048576`), so the two backends
 * produce the same CID for files up to 1 MiB and usually the same for larger ones (Kubo's default of 174 links per
 * node differs from the profile's 1024). Raw blocks (manifests) are CIDv1, codec `raw` (0x55), multihash sha2-256
 * (0x12): base32 `bafkrei…`, the form the AgentNFT contract packs (`CidCodec.sol`).
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FsBlockstore } from 'blockstore-fs';
import { NextToLast } from 'blockstore-fs/sharding';
import { FsDatastore } from 'datastore-fs';
import { createHeliaLight } from 'helia';
import { create as createKuboClient } from 'kubo-rpc-client';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import * as Digest from 'multiformats/hashes/digest';
import type { ByteSource } from './bytes.ts';
import {
  BlockDigestMismatchError,
  ContentNotFoundError,
  InvalidCidError,
  StorageError,
  StoreOperationError,
} from './errors.ts';
import { importUnixfsFile, readUnixfsFile } from './unixfs.ts';

/** Multihash code of sha2-256. */
export const SHA2_256_CODE = 0x12;
/** UnixFS leaf size both backends use, in bytes (1 MiB). */
export const UNIXFS_CHUNK_SIZE = 1024 * 1024;

/** Result of {@link ContentStore.addFile}. */
export type AddFileResult = {
  /** CIDv1 (base32) of the UnixFS file root. */
  cid: string;
  /** Bytes read from the source (the file's size), in bytes. */
  size: number;
};

/** Options of {@link ContentStore.cat}. */
export type CatOptions = {
  /** First byte to read, 0-based. @default 0 */
  offset?: number | undefined;
  /** Most bytes to read. @default to the end */
  length?: number | undefined;
  /** Aborts the read. */
  signal?: AbortSignal | undefined;
};

/** A content-addressed store of UnixFS files and raw blocks. CIDs are strings (CIDv1 base32). */
export type ContentStore = {
  /** Which backend this is. */
  readonly backend: 'helia' | 'kubo';
  /**
   * Adds a file as UnixFS (CIDv1, raw leaves, 1 MiB leaves), streaming: the source is read once and never buffered
   * whole. Errors thrown by the source reach the caller unchanged.
   */
  addFile: (source: ByteSource, options?: { signal?: AbortSignal | undefined }) => Promise<AddFileResult>;
  /** Reads a UnixFS file, or `length` bytes of it from `offset`. Throws {@link ContentNotFoundError} when absent. */
  cat: (cid: string, options?: CatOptions) => AsyncIterable<Uint8Array>;
  /** Stores bytes as one raw block and returns its CID (`bafkrei…`). Blocks up to 1 MiB travel everywhere in IPFS. */
  putRaw: (bytes: Uint8Array) => Promise<string>;
  /** Reads a raw block (codec raw, sha2-256) and checks its digest; throws {@link BlockDigestMismatchError} if wrong. */
  getRaw: (cid: string) => Promise<Uint8Array>;
  /** Whether the store holds the CID's root block locally (never asks the network). */
  has: (cid: string) => Promise<boolean>;
  /** Whether the store answers (for a readiness probe); never throws. */
  ping: () => Promise<boolean>;
  /** Releases the store (closes files or connections). The store is unusable afterwards. */
  stop: () => Promise<void>;
};

/** Parameters of {@link createHeliaStore}. */
export type CreateHeliaStoreParameters = {
  /** The node's data dir; blocks go to `<dataDir>/ipfs/blocks`, metadata to `<dataDir>/ipfs/datastore`. */
  dataDir: string;
};

/** Parameters of {@link createKuboStore}. */
export type CreateKuboStoreParameters = {
  /** Kubo RPC API URL, e.g. `http://127.0.0.1:5001`. */
  apiUrl: string;
  /** Time a `ping` waits for an answer, in milliseconds. @default 2000 */
  pingTimeoutMs?: number | undefined;
};

/**
 * Computes the CID a raw block of `bytes` has: CIDv1, codec raw (0x55), sha2-256 — `bafkrei…` in base32.
 *
 * @param bytes Block bytes.
 * @returns The CID string (59 characters).
 * @example
 * ```ts
 * import { rawCid } from './blocks.ts'
 * rawCid(new TextEncoder().encode('{}')) // 'bafkrei…'
 * ```
 */
export function rawCid(bytes: Uint8Array): string {
  return rawCidOf(bytes).toString();
}

/**
 * Parses a CID string.
 *
 * @param cid A CID in any multibase (`bafy…`, `bafkrei…`, `Qm…`).
 * @returns The parsed CID.
 * @throws {InvalidCidError} when `cid` is not a CID.
 * @example
 * ```ts
 * import { parseCid } from './blocks.ts'
 * const cid = parseCid('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
 * ```
 */
export function parseCid(cid: string): CID {
  try {
    return CID.parse(cid);
  } catch (cause) {
    throw new InvalidCidError({ cid: String(cid), reason: 'not a CID', cause });
  }
}

/**
 * Opens the embedded Helia store in `<dataDir>/ipfs` (created when missing). No networking: Helia is built without
 * libp2p, routers or block brokers, and reads are offline.
 *
 * @param parameters The data dir.
 * @returns A started store; call `stop()` to close it.
 * @throws {StoreOperationError} when the blockstore or datastore cannot be opened.
 * @example
 * ```ts
 * import { createHeliaStore } from './blocks.ts'
 * const store = await createHeliaStore({ dataDir: '.souk' })
 * const { cid } = await store.addFile(createReadStream('model.onnx'))
 * ```
 */
export async function createHeliaStore({ dataDir }: CreateHeliaStoreParameters): Promise<ContentStore> {
  const root = path.join(dataDir, 'ipfs');
  const blockstore = new WholeBlockFsBlockstore(path.join(root, 'blocks'));
  const datastore = new FsDatastore(path.join(root, 'datastore'));
  const helia = createHeliaLight({ blockstore, datastore });
  try {
    await blockstore.open();
    await datastore.open();
    await helia.start();
  } catch (cause) {
    throw new StoreOperationError({ backend: 'helia', operation: `open ${root}`, cause });
  }
  const fail = (operation: string, cid?: string) => (cause: unknown) => mapError('helia', operation, cause, cid);

  // Files and blocks go to the blockstore directly: Helia's wrapper only adds a `has` probe before every read and
  // write (to fetch from or announce to the network, which this store never uses) and a lock for its GC, which this
  // store never runs.
  return {
    backend: 'helia',
    async addFile(source, { signal } = {}) {
      const counted = countBytes(source);
      try {
        const { cid } = await importUnixfsFile(counted.source, blockstore, { signal });
        return { cid: cid.toString(), size: counted.size() };
      } catch (cause) {
        throw counted.error() ?? fail('add a file')(cause);
      }
    },
    async *cat(cid, { offset, length, signal } = {}) {
      const parsed = parseCid(cid);
      try {
        yield* readUnixfsFile(blockstore, parsed, { offset, length, signal });
      } catch (cause) {
        throw fail('read a file', cid)(cause);
      }
    },
    async putRaw(bytes) {
      const cid = rawCidOf(bytes);
      try {
        await blockstore.put(cid, bytes);
      } catch (cause) {
        throw fail('put a block')(cause);
      }
      return cid.toString();
    },
    async getRaw(cid) {
      const parsed = parseRawCid(cid);
      let bytes: Uint8Array;
      try {
        bytes = await blockstore.getBlock(parsed);
      } catch (cause) {
        throw fail('get a block', cid)(cause);
      }
      return verifyBlock(parsed, bytes);
    },
    async has(cid) {
      const parsed = parseCid(cid);
      try {
        return await blockstore.has(parsed);
      } catch (cause) {
        throw fail('check a block', cid)(cause);
      }
    },
    async ping() {
      if (helia.status !== 'started') return false;
      try {
        await access(path.join(root, 'blocks'));
        return true;
      } catch {
        return false;
      }
    },
    async stop() {
      await helia.stop();
      await blockstore.close();
      await datastore.close();
    },
  };
}

/**
 * Connects to a Kubo daemon's RPC API. Does not check that it answers: call `ping()` for that.
 *
 * @param parameters The API URL.
 * @returns The store; `stop()` is a no-op (HTTP is stateless).
 * @example
 * ```ts
 * import { createKuboStore } from './blocks.ts'
 * const store = createKuboStore({ apiUrl: 'http://127.0.0.1:5001' })
 * if (!(await store.ping())) throw new Error('Kubo is down')
 * ```
 */
export function createKuboStore({ apiUrl, pingTimeoutMs = 2000 }: CreateKuboStoreParameters): ContentStore {
  const client = createKuboClient({ url: apiUrl });
  const fail = (operation: string, cid?: string) => (cause: unknown) => mapError('kubo', operation, cause, cid);

  return {
    backend: 'kubo',
    async addFile(source, { signal } = {}) {
      const counted = countBytes(source);
      try {
        const { cid } = await client.add(counted.source, {
          cidVersion: 1,
          rawLeaves: true,
          chunker: `size-${UNIXFS_CHUNK_SIZE}`,
          pin: true,
          signal,
        });
        // kubo-rpc-client swallows source errors (it aborts the request): report the source's own error.
        if (counted.error()) throw counted.error();
        return { cid: cid.toV1().toString(), size: counted.size() };
      } catch (cause) {
        throw counted.error() ?? fail('add a file')(cause);
      }
    },
    async *cat(cid, { offset, length, signal } = {}) {
      const parsed = parseCid(cid);
      try {
        yield* client.cat(parsed, { offset, length, signal });
      } catch (cause) {
        throw fail('read a file', cid)(cause);
      }
    },
    async putRaw(bytes) {
      const expected = rawCidOf(bytes);
      let cid: CID;
      try {
        cid = await client.block.put(bytes, {
          mhtype: 'sha2-256',
          pin: true,
          ...kuboParams({ cidCodec: 'raw' }),
        });
      } catch (cause) {
        throw fail('put a block')(cause);
      }
      if (!cid.equals(expected)) throw new BlockDigestMismatchError({ cid: cid.toString() });
      return expected.toString();
    },
    async getRaw(cid) {
      const parsed = parseRawCid(cid);
      let bytes: Uint8Array;
      try {
        bytes = await client.block.get(parsed);
      } catch (cause) {
        throw fail('get a block', cid)(cause);
      }
      return verifyBlock(parsed, bytes);
    },
    async has(cid) {
      const parsed = parseCid(cid);
      try {
        await client.block.stat(parsed, kuboParams({ offline: true }));
        return true;
      } catch (cause) {
        if (isNotFound(cause)) return false;
        throw fail('check a block', cid)(cause);
      }
    },
    async ping() {
      try {
        await client.version({ signal: AbortSignal.timeout(pingTimeoutMs) });
        return true;
      } catch {
        return false;
      }
    },
    async stop() {},
  };
}

/**
 * `FsBlockstore` whose `get` reads a block with one `readFile` (one allocation of the block's size) instead of a
 * stream of 64 KiB pieces, which the UnixFS exporter then re-concatenates piece by piece (quadratic garbage: ~9 MiB
 * allocated per 1 MiB block). Same on-disk layout as `FsBlockstore` (`NextToLast` sharding).
 */
class WholeBlockFsBlockstore extends FsBlockstore {
  readonly #sharding: NextToLast;
  /** Shard directories known to exist. */
  readonly #dirs = new Set<string>();
  #writes = 0;

  constructor(location: string) {
    const sharding = new NextToLast();
    super(location, { shardingStrategy: sharding });
    this.#sharding = sharding;
  }

  override async *get(key: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
    yield await this.getBlock(key, options);
  }

  /** Reads a whole block with one `readFile`; rejects with an error named `NotFoundError` when absent. */
  async getBlock(key: CID, options?: { signal?: AbortSignal | undefined }): Promise<Uint8Array> {
    const { dir, file } = this.#sharding.encode(key);
    try {
      return await readFile(path.join(this.path, dir, file), { signal: options?.signal });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw Object.assign(new Error(`Block ${key} not found`), { name: 'NotFoundError', cause: err });
    }
  }

  /**
   * Writes a block to a temporary file and renames it into place, so a crash never leaves a partial block under its
   * CID (as `FsBlockstore` does through `steno`), creating each shard directory once per process rather than on
   * every write. A block already present is rewritten with the same bytes (cheaper than probing first).
   */
  override async put(key: CID, bytes: Uint8Array, options?: { signal?: AbortSignal | undefined }): Promise<CID> {
    const { dir, file } = this.#sharding.encode(key);
    const target = path.join(this.path, dir, file);
    const temporary = `${target}.${process.pid}.${(this.#writes++).toString(36)}.tmp`;
    try {
      if (!this.#dirs.has(dir)) {
        await mkdir(path.join(this.path, dir), { recursive: true });
        this.#dirs.add(dir);
      }
      await writeFile(temporary, bytes, { signal: options?.signal });
      await rename(temporary, target);
      return key;
    } catch (cause) {
      await rm(temporary, { force: true });
      throw cause;
    }
  }
}

/**
 * Extra Kubo RPC query parameters (camelCase, sent kebab-case) that kubo-rpc-client's option types do not list:
 * it forwards unknown options as query parameters.
 */
function kuboParams(params: Record<string, string | boolean>): { signal?: AbortSignal } {
  return params as { signal?: AbortSignal };
}

function rawCidOf(bytes: Uint8Array): CID {
  const digest = createHash('sha256').update(bytes).digest();
  return CID.createV1(raw.code, Digest.create(SHA2_256_CODE, digest));
}

function parseRawCid(cid: string): CID {
  const parsed = parseCid(cid);
  if (parsed.code !== raw.code)
    throw new InvalidCidError({ cid, reason: `codec 0x${parsed.code.toString(16)} is not raw (0x55)` });
  if (parsed.multihash.code !== SHA2_256_CODE)
    throw new InvalidCidError({ cid, reason: `hash 0x${parsed.multihash.code.toString(16)} is not sha2-256 (0x12)` });
  return parsed;
}

function verifyBlock(cid: CID, bytes: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(bytes).digest();
  if (!digest.equals(cid.multihash.digest)) throw new BlockDigestMismatchError({ cid: cid.toString() });
  return Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}

/** Wraps a source to count its bytes and remember an error it throws (so it can be told from a store error). */
function countBytes(source: ByteSource): {
  source: AsyncIterable<Uint8Array>;
  size: () => number;
  error: () => unknown;
} {
  let size = 0;
  let error: unknown;
  async function* counted(): AsyncGenerator<Uint8Array> {
    try {
      for await (const piece of source) {
        size += piece.length;
        yield piece;
      }
    } catch (err) {
      error = err;
      throw err;
    }
  }
  return { source: counted(), size: () => size, error: () => error };
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | undefined;
  return (
    e?.name === 'NotFoundError' ||
    e?.name === 'BlockNotFoundWhileOfflineError' ||
    /not found|could not find|blockservice: key not found|block was not found locally/i.test(e?.message ?? '')
  );
}

function mapError(backend: string, operation: string, cause: unknown, cid?: string): StorageError {
  if (cause instanceof StorageError) return cause;
  if (cid !== undefined && isNotFound(cause)) return new ContentNotFoundError({ cid, cause });
  return new StoreOperationError({ backend, operation, cause });
}
