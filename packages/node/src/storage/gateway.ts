/**
 * The storage gateway: streams asset content into and out of a {@link ContentStore}, encrypting with a fresh asset
 * key on the way in (wrapped under the node master key) and decrypting and verifying on the way out. Plaintext is
 * never held whole: memory stays bounded by a few chunks (see `crypto.ts`) whatever the file size.
 *
 * Access control is not here: callers decide who may download.
 */
import { createHash } from 'node:crypto';
import type { ContentStore } from './blocks.ts';
import type { ByteSource } from './bytes.ts';
import {
  assertRange,
  type ByteRange,
  DEFAULT_CHUNK_SIZE,
  decryptRange,
  decryptStream,
  encryptStream,
  FORMAT_VERSION,
  type SymmetricKey,
  toAesKey,
} from './crypto.ts';
import { ContentHashMismatchError, ContentSizeMismatchError } from './errors.ts';
import { generateAssetKey, unwrapAssetKey, wrapAssetKey } from './keys.ts';
import { ENCRYPTION_ALGORITHM, type ManifestEncryption } from './manifest.ts';

/** Parameters of {@link createGateway}. */
export type CreateGatewayParameters = {
  /** Where content goes. */
  store: ContentStore;
  /** The node master key (32 bytes), from `loadMasterKey`. */
  masterKey: SymmetricKey;
  /** Plaintext bytes per encrypted chunk for new uploads. @default 1048576 (1 MiB) */
  chunkSize?: number | undefined;
};

/** Parameters of {@link Gateway.upload}. */
export type UploadParameters = {
  /** The plaintext, in pieces of any size (a Node stream, a web stream's iterator, a generator…). */
  source: ByteSource;
  /** Encrypt with a fresh asset key (private asset), or store in clear (public asset). */
  encrypt: boolean;
  /** Aborts the upload. */
  signal?: AbortSignal | undefined;
};

/** Result of {@link Gateway.upload}: the `content` part of a manifest, plus the wrapped key to keep off-chain. */
export type UploadReturnType = {
  /** CIDv1 of the stored UnixFS file (ciphertext when encrypted). */
  contentCid: string;
  /** Plaintext size, in bytes. */
  size: number;
  /** SHA-256 of the plaintext, lower-case hex. */
  sha256: string;
  /** The asset key wrapped under the master key (base64, see `keys.ts`); `null` when not encrypted. */
  wrappedKey: string | null;
  /** `manifest.content.encryption`: the format parameters; `null` when not encrypted. */
  encryption: ManifestEncryption | null;
};

/** Parameters of {@link Gateway.download}: what the manifest and the node's database say about the content. */
export type DownloadParameters = {
  /** CID of the stored UnixFS file. */
  contentCid: string;
  /** The wrapped asset key from {@link Gateway.upload}; `null` for content stored in clear. */
  wrappedKey: string | null;
  /** Plaintext size, in bytes. */
  size: number;
  /** SHA-256 of the plaintext, hex. */
  sha256: string;
  /**
   * Plaintext bytes to return (HTTP Range). Only the chunks holding them are read and each is authenticated, but
   * the whole-file SHA-256 is not checked. Absent: the whole content, verified.
   */
  range?: ByteRange | undefined;
  /** Aborts the download. */
  signal?: AbortSignal | undefined;
};

/** The storage gateway (see {@link createGateway}). */
export type Gateway = {
  /**
   * Stores content, streaming: hashes the plaintext while encrypting and adding it.
   * @throws {StorageError} subclasses from the store; errors from `source` unchanged.
   */
  upload: (parameters: UploadParameters) => Promise<UploadReturnType>;
  /**
   * Streams content back as plaintext. Without a range, the last piece is held back until the size and SHA-256
   * check, so a client never receives a complete but wrong file: on error, abort the response.
   * @throws {ContentHashMismatchError} at the end, when the SHA-256 differs.
   * @throws {ContentSizeMismatchError} as soon as the content is longer, or at the end when shorter.
   * @throws {CiphertextError} subclasses when the ciphertext was tampered with.
   * @throws {KeyUnwrapError} when `wrappedKey` is not wrapped under this node's master key.
   * @throws {InvalidRangeError} when `range` is not within `size`.
   */
  download: (parameters: DownloadParameters) => AsyncIterable<Uint8Array>;
};

/**
 * Creates the storage gateway over a content store.
 *
 * @param parameters The store, the master key and the chunk size.
 * @returns `upload` and `download`.
 * @throws {InvalidKeyError} when the master key is not 32 bytes.
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs'
 * import { createHeliaStore } from './blocks.ts'
 * import { createGateway } from './gateway.ts'
 * import { loadMasterKey } from './keys.ts'
 * const gateway = createGateway({ store: await createHeliaStore({ dataDir }), masterKey: await loadMasterKey({ dataDir }) })
 * const content = await gateway.upload({ source: createReadStream('model.onnx'), encrypt: true })
 * for await (const bytes of gateway.download({ ...content })) process.stdout.write(bytes)
 * ```
 */
export function createGateway({ store, masterKey, chunkSize = DEFAULT_CHUNK_SIZE }: CreateGatewayParameters): Gateway {
  const master = toAesKey(masterKey);

  async function upload({ source, encrypt, signal }: UploadParameters): Promise<UploadReturnType> {
    const hash = createHash('sha256');
    let size = 0;
    async function* tapped(): AsyncGenerator<Uint8Array> {
      for await (const piece of source) {
        signal?.throwIfAborted();
        hash.update(piece);
        size += piece.length;
        yield piece;
      }
    }
    if (!encrypt) {
      const { cid } = await store.addFile(tapped(), { signal });
      return { contentCid: cid, size, sha256: hash.digest('hex'), wrappedKey: null, encryption: null };
    }
    const assetKey = generateAssetKey();
    try {
      const { cid } = await store.addFile(encryptStream(assetKey, tapped(), { chunkSize }), { signal });
      return {
        contentCid: cid,
        size,
        sha256: hash.digest('hex'),
        wrappedKey: wrapAssetKey(master, assetKey),
        encryption: { algorithm: ENCRYPTION_ALGORITHM, chunkSize, version: FORMAT_VERSION as 1 },
      };
    } finally {
      assetKey.fill(0);
    }
  }

  async function* download({
    contentCid,
    wrappedKey,
    size,
    sha256,
    range,
    signal,
  }: DownloadParameters): AsyncGenerator<Uint8Array, void, undefined> {
    if (range) assertRange(range, size);
    const assetKey = wrappedKey === null ? null : unwrapAssetKey(master, wrappedKey);
    try {
      if (range) {
        if (range.length === 0) return;
        yield* assetKey === null
          ? store.cat(contentCid, { ...range, signal })
          : decryptRange(assetKey, (offset, length) => store.cat(contentCid, { offset, length, signal }), size, range);
        return;
      }
      const stored = store.cat(contentCid, { signal });
      const plaintext = assetKey === null ? stored : decryptStream(assetKey, stored);
      yield* verify(plaintext, { cid: contentCid, size, sha256: sha256.toLowerCase() });
    } finally {
      assetKey?.fill(0);
    }
  }

  return { upload, download };
}

/** Passes bytes through, checking the total size and SHA-256; holds the last piece back until both match. */
async function* verify(
  source: AsyncIterable<Uint8Array>,
  expected: { cid: string; size: number; sha256: string },
): AsyncGenerator<Uint8Array, void, undefined> {
  const hash = createHash('sha256');
  let size = 0;
  let pending: Uint8Array | undefined;
  for await (const piece of source) {
    if (piece.length === 0) continue;
    size += piece.length;
    if (size > expected.size)
      throw new ContentSizeMismatchError({ cid: expected.cid, expected: expected.size, actual: size });
    hash.update(piece);
    if (pending) yield pending;
    pending = piece;
  }
  if (size !== expected.size)
    throw new ContentSizeMismatchError({ cid: expected.cid, expected: expected.size, actual: size });
  const actual = hash.digest('hex');
  if (actual !== expected.sha256)
    throw new ContentHashMismatchError({ cid: expected.cid, expected: expected.sha256, actual });
  if (pending) yield pending;
}
