/**
 * Chunked AES-256-GCM stream encryption: the format Souk stores encrypted assets in (on disk and on IPFS).
 *
 * ## Format, version 1 (all integers unsigned big-endian)
 *
 * ```
 * header (17 bytes)
 *   0   4  magic "SOUK" (0x53 0x4F 0x55 0x4B)
 *   4   1  format version, 0x01
 *   5   4  chunk size C in plaintext bytes, 1 ≤ C ≤ 16 MiB (16,777,216); default 1 MiB (1,048,576)
 *   9   8  nonce prefix P: 8 random bytes, fresh for every stream
 * chunk 0 … chunk n-1
 *   ciphertext_i ‖ tag_i (16 bytes)
 * ```
 *
 * The plaintext of L bytes is cut into n = max(1, ⌈L / C⌉) chunks: every chunk holds exactly C bytes except the
 * last (final) one, which holds L − (n−1)·C bytes (1 … C, or 0 only for the single chunk of an empty plaintext).
 * Chunk i is sealed with AES-256-GCM (NIST SP 800-38D, 16-byte tag) under:
 *
 * - nonce (12 bytes) = P ‖ uint32(i)
 * - additional authenticated data (22 bytes) = header (17 bytes) ‖ uint32(i) ‖ final flag (1 byte: 0x01 for the
 *   last chunk, 0x00 otherwise)
 *
 * so each chunk is bound to its position and to whether it ends the stream, as in the STREAM construction of
 * Hoang, Reyhanitabar, Rogaway and Vizár, "Online Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance"
 * (CRYPTO 2015): modified bytes, reordered or swapped chunks, dropped final chunks (truncation) and appended data all
 * fail a tag check. Binding the header also authenticates C and P. The ciphertext is 17 + L + 16·n bytes.
 *
 * Limits: at most 2^32 chunks per stream (4 PiB at the default chunk size). Keys are per asset (32 random bytes),
 * and P is random, so a (key, nonce) pair never repeats in practice even if a key were reused.
 *
 * Decryption releases a chunk's plaintext only after its tag verified, and holds at most one chunk in memory, so
 * memory stays bounded by the chunk size whatever the file size.
 */
import { createCipheriv, createDecipheriv, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { type ByteSource, createByteReader } from './bytes.ts';
import { CiphertextAuthenticationError, CiphertextFormatError, InvalidKeyError, InvalidRangeError } from './errors.ts';

/** The 4 magic bytes every Souk ciphertext starts with: ASCII "SOUK". */
export const MAGIC = new Uint8Array([0x53, 0x4f, 0x55, 0x4b]);
/** Version of the stream format this module writes and reads. */
export const FORMAT_VERSION = 1;
/** Size of the stream header, in bytes: magic (4) + version (1) + chunk size (4) + nonce prefix (8). */
export const HEADER_SIZE = 17;
/** Size of the AES-GCM authentication tag after each chunk's ciphertext, in bytes. */
export const TAG_SIZE = 16;
/** Size of an AES-256 key, in bytes. */
export const KEY_SIZE = 32;
/** Default plaintext chunk size, in bytes (1 MiB). */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/** Largest plaintext chunk size accepted, in bytes (16 MiB): bounds the memory a decoder may be asked to use. */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** Largest number of chunks in one stream (the chunk index is a 32-bit counter). */
export const MAX_CHUNKS = 2 ** 32;

const NONCE_PREFIX_SIZE = 8;

/** An AES-256 key: 32 raw bytes or a secret `KeyObject` of 32 bytes (which never prints its bytes). */
export type SymmetricKey = Uint8Array | KeyObject;

/** The parsed stream header. */
export type StreamHeader = {
  /** Format version (1). */
  version: number;
  /** Plaintext bytes per chunk (every chunk but the last). */
  chunkSize: number;
  /** The random 8-byte nonce prefix. */
  noncePrefix: Uint8Array;
  /** The 17 header bytes as stored (bound into every chunk's AAD). */
  bytes: Uint8Array;
};

/** Options of {@link encryptStream}. */
export type EncryptStreamOptions = {
  /** Plaintext bytes per chunk, 1 … {@link MAX_CHUNK_SIZE}. @default 1048576 (1 MiB) */
  chunkSize?: number | undefined;
};

/**
 * Reads `length` ciphertext bytes starting at byte `offset` of the stored ciphertext (e.g. `store.cat(cid, { offset,
 * length })`).
 */
export type CiphertextReader = (offset: number, length: number) => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** A plaintext byte range: `length` bytes from byte `offset`. */
export type ByteRange = {
  /** First byte, 0-based. */
  offset: number;
  /** Number of bytes. */
  length: number;
};

/** The chunks covering a plaintext range (see {@link plaintextRangeToChunks}). */
export type ChunkSpan = {
  /** Index of the first chunk holding a byte of the range. */
  firstChunk: number;
  /** Index of the last chunk holding a byte of the range (inclusive). */
  lastChunk: number;
  /** Plaintext bytes to drop from the start of the first chunk. */
  skipBytes: number;
};

/**
 * Turns a key into a `KeyObject` after checking it is a 32-byte secret key.
 *
 * @param key 32 raw bytes or a secret `KeyObject`.
 * @returns A secret `KeyObject` usable with `node:crypto` ciphers.
 * @throws {InvalidKeyError} when the key is not a 32-byte secret key.
 * @example
 * ```ts
 * import { toAesKey } from './crypto.ts'
 * const key = toAesKey(crypto.getRandomValues(new Uint8Array(32)))
 * ```
 */
export function toAesKey(key: SymmetricKey): KeyObject {
  if (key instanceof KeyObject) {
    if (key.type !== 'secret') throw new InvalidKeyError({ reason: `a ${key.type} key, not a secret key` });
    if (key.symmetricKeySize !== KEY_SIZE)
      throw new InvalidKeyError({ reason: `${key.symmetricKeySize} bytes, not ${KEY_SIZE}` });
    return key;
  }
  if (!(key instanceof Uint8Array)) throw new InvalidKeyError({ reason: 'not a Uint8Array or KeyObject' });
  if (key.length !== KEY_SIZE) throw new InvalidKeyError({ reason: `${key.length} bytes, not ${KEY_SIZE}` });
  return createSecretKey(key);
}

/**
 * Number of chunks a plaintext of `plaintextSize` bytes is cut into: max(1, ⌈plaintextSize / chunkSize⌉).
 *
 * @param plaintextSize Plaintext size, in bytes.
 * @param chunkSize Plaintext chunk size, in bytes. @default 1048576
 * @example
 * ```ts
 * import { chunkCount } from './crypto.ts'
 * chunkCount(0) // 1
 * ```
 */
export function chunkCount(plaintextSize: number, chunkSize: number = DEFAULT_CHUNK_SIZE): number {
  return Math.max(1, Math.ceil(plaintextSize / chunkSize));
}

/**
 * Size of the ciphertext of a plaintext of `plaintextSize` bytes: 17 + plaintextSize + 16 · chunkCount.
 *
 * @param plaintextSize Plaintext size, in bytes.
 * @param chunkSize Plaintext chunk size, in bytes. @default 1048576
 * @returns Ciphertext size, in bytes.
 * @example
 * ```ts
 * import { ciphertextSize } from './crypto.ts'
 * ciphertextSize(0) // 33
 * ```
 */
export function ciphertextSize(plaintextSize: number, chunkSize: number = DEFAULT_CHUNK_SIZE): number {
  return HEADER_SIZE + plaintextSize + TAG_SIZE * chunkCount(plaintextSize, chunkSize);
}

/**
 * The chunks that hold plaintext bytes `offset … offset + length − 1`, for HTTP Range requests.
 *
 * @param offset First plaintext byte, 0-based.
 * @param length Number of plaintext bytes, ≥ 1.
 * @param chunkSize Plaintext chunk size, in bytes.
 * @returns The first and last chunk indexes (inclusive) and the bytes to skip in the first chunk.
 * @throws {InvalidRangeError} when `offset` is negative or `length` is not positive.
 * @example
 * ```ts
 * import { plaintextRangeToChunks } from './crypto.ts'
 * plaintextRangeToChunks(1_048_570, 10, 1_048_576) // { firstChunk: 0, lastChunk: 1, skipBytes: 1_048_570 }
 * ```
 */
export function plaintextRangeToChunks(offset: number, length: number, chunkSize: number): ChunkSpan {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 1)
    throw new InvalidRangeError({ offset, length, size: Number.NaN });
  const firstChunk = Math.floor(offset / chunkSize);
  return {
    firstChunk,
    lastChunk: Math.floor((offset + length - 1) / chunkSize),
    skipBytes: offset - firstChunk * chunkSize,
  };
}

/**
 * Where chunks `firstChunk … lastChunk` lie in the ciphertext of a plaintext of `plaintextSize` bytes.
 *
 * @param span The chunks, as from {@link plaintextRangeToChunks}.
 * @param chunkSize Plaintext chunk size, in bytes.
 * @param plaintextSize Plaintext size, in bytes (sizes the last chunk).
 * @returns Ciphertext byte range (offset from the start of the stream, header included).
 * @example
 * ```ts
 * import { chunksToCiphertextRange, plaintextRangeToChunks } from './crypto.ts'
 * const span = plaintextRangeToChunks(0, 10, 1_048_576)
 * chunksToCiphertextRange(span, 1_048_576, 5_000_000) // { offset: 17, length: 1_048_592 }
 * ```
 */
export function chunksToCiphertextRange(
  { firstChunk, lastChunk }: Pick<ChunkSpan, 'firstChunk' | 'lastChunk'>,
  chunkSize: number,
  plaintextSize: number,
): ByteRange {
  const stride = chunkSize + TAG_SIZE;
  const offset = HEADER_SIZE + firstChunk * stride;
  const end = Math.min(HEADER_SIZE + (lastChunk + 1) * stride, ciphertextSize(plaintextSize, chunkSize));
  return { offset, length: end - offset };
}

/**
 * Encodes a stream header.
 *
 * @param header Chunk size (bytes) and 8-byte nonce prefix.
 * @returns The 17 header bytes.
 * @throws {CiphertextFormatError} when the chunk size or nonce prefix is out of bounds.
 * @example
 * ```ts
 * import { encodeHeader } from './crypto.ts'
 * const bytes = encodeHeader({ chunkSize: 1_048_576, noncePrefix: crypto.getRandomValues(new Uint8Array(8)) })
 * ```
 */
export function encodeHeader({ chunkSize, noncePrefix }: { chunkSize: number; noncePrefix: Uint8Array }): Uint8Array {
  assertChunkSize(chunkSize);
  if (noncePrefix.length !== NONCE_PREFIX_SIZE)
    throw new CiphertextFormatError({
      reason: `nonce prefix of ${noncePrefix.length} bytes, not ${NONCE_PREFIX_SIZE}`,
    });
  const bytes = new Uint8Array(HEADER_SIZE);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[4] = FORMAT_VERSION;
  view.setUint32(5, chunkSize);
  bytes.set(noncePrefix, 9);
  return bytes;
}

/**
 * Parses and checks a stream header.
 *
 * @param bytes The first 17 bytes of a ciphertext (fewer means truncated).
 * @returns The header fields.
 * @throws {CiphertextFormatError} on a short header, wrong magic, unsupported version or out-of-bounds chunk size.
 * @example
 * ```ts
 * import { decodeHeader } from './crypto.ts'
 * const { chunkSize } = decodeHeader(ciphertext.subarray(0, 17))
 * ```
 */
export function decodeHeader(bytes: Uint8Array): StreamHeader {
  if (bytes.length < HEADER_SIZE)
    throw new CiphertextFormatError({ reason: `header truncated to ${bytes.length} of ${HEADER_SIZE} bytes` });
  const header = new Uint8Array(HEADER_SIZE);
  header.set(bytes.subarray(0, HEADER_SIZE));
  if (!MAGIC.every((b, i) => header[i] === b)) throw new CiphertextFormatError({ reason: 'magic is not "SOUK"' });
  if (header[4] !== FORMAT_VERSION)
    throw new CiphertextFormatError({ reason: `unsupported format version ${header[4]}` });
  const chunkSize = new DataView(header.buffer).getUint32(5);
  assertChunkSize(chunkSize);
  return { version: FORMAT_VERSION, chunkSize, noncePrefix: header.subarray(9), bytes: header };
}

/**
 * Encrypts a plaintext stream into the Souk stream format (see the file header), chunk by chunk.
 *
 * Yields the 17-byte header, then per chunk its ciphertext and its 16-byte tag (two arrays). Holds one plaintext
 * chunk in memory: a full chunk is sealed once the next byte shows it is not the last.
 *
 * @param key The asset key (32 bytes).
 * @param source Plaintext, in pieces of any size.
 * @param options Chunk size.
 * @returns The ciphertext, as an async iterable.
 * @throws {InvalidKeyError} when the key is not 32 bytes.
 * @throws {CiphertextFormatError} when the chunk size is out of bounds or the plaintext needs more than 2^32 chunks.
 * @example
 * ```ts
 * import { createReadStream, createWriteStream } from 'node:fs'
 * import { pipeline } from 'node:stream/promises'
 * import { encryptStream } from './crypto.ts'
 * await pipeline(encryptStream(assetKey, createReadStream('model.onnx')), createWriteStream('model.onnx.souk'))
 * ```
 */
export async function* encryptStream(
  key: SymmetricKey,
  source: ByteSource,
  { chunkSize = DEFAULT_CHUNK_SIZE }: EncryptStreamOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const aesKey = toAesKey(key);
  const header = encodeHeader({ chunkSize, noncePrefix: randomBytes(NONCE_PREFIX_SIZE) });
  yield header;
  const chunk = new Uint8Array(chunkSize);
  let filled = 0;
  let index = 0;
  for await (const piece of source) {
    let pos = 0;
    while (pos < piece.length) {
      if (filled === chunkSize) {
        // More plaintext follows, so this full chunk is not the last one.
        yield* sealChunk(aesKey, header, index, chunk, false);
        index += 1;
        filled = 0;
      }
      const take = Math.min(chunkSize - filled, piece.length - pos);
      chunk.set(piece.subarray(pos, pos + take), filled);
      filled += take;
      pos += take;
    }
  }
  yield* sealChunk(aesKey, header, index, chunk.subarray(0, filled), true);
}

/**
 * Decrypts a whole Souk stream, authenticating chunk by chunk: each chunk's plaintext is yielded only after its tag
 * verified, so a consumer that stops at the first error never sees unauthenticated bytes. Memory is bounded by one
 * chunk (at most {@link MAX_CHUNK_SIZE} + 16 bytes).
 *
 * @param key The asset key (32 bytes).
 * @param source Ciphertext from its first byte, in pieces of any size.
 * @returns The plaintext, as an async iterable.
 * @throws {CiphertextFormatError} on a bad or truncated header, or a chunk shorter than its tag.
 * @throws {CiphertextAuthenticationError} on any modified byte, reordered/swapped/dropped chunk, truncation,
 * appended data or wrong key.
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs'
 * import { decryptStream } from './crypto.ts'
 * for await (const bytes of decryptStream(assetKey, createReadStream('model.onnx.souk'))) process.stdout.write(bytes)
 * ```
 */
export async function* decryptStream(
  key: SymmetricKey,
  source: ByteSource,
): AsyncGenerator<Uint8Array, void, undefined> {
  const aesKey = toAesKey(key);
  const reader = createByteReader(source);
  try {
    const header = decodeHeader(await reader.read(HEADER_SIZE));
    const sealedSize = header.chunkSize + TAG_SIZE;
    for (let index = 0; ; index++) {
      if (index >= MAX_CHUNKS) throw new CiphertextFormatError({ reason: `more than ${MAX_CHUNKS} chunks` });
      const sealed = await reader.readPieces(sealedSize);
      const length = sealed.reduce((sum, piece) => sum + piece.length, 0);
      if (length < TAG_SIZE) {
        throw new CiphertextFormatError({
          reason: `chunk ${index} truncated to ${length} bytes, shorter than its ${TAG_SIZE}-byte tag`,
        });
      }
      const final = length < sealedSize || (await reader.atEnd());
      yield* openChunk(aesKey, header.bytes, index, sealed, final);
      if (final) return;
    }
  } finally {
    await reader.close();
  }
}

/**
 * Decrypts plaintext bytes `range.offset … range.offset + range.length − 1` reading only the header and the chunks
 * that hold them (for HTTP Range). Every chunk read is authenticated, and its position (index and final flag, which
 * depends on `plaintextSize`) is checked, so a wrong `plaintextSize` or a moved chunk fails authentication.
 *
 * @param key The asset key (32 bytes).
 * @param readCiphertext Reads a byte range of the stored ciphertext.
 * @param plaintextSize Size of the whole plaintext, in bytes (from the manifest).
 * @param range The plaintext bytes wanted; `length` 0 yields nothing.
 * @returns The requested plaintext bytes, as an async iterable.
 * @throws {InvalidRangeError} when the range is not within `plaintextSize`.
 * @throws {CiphertextFormatError} on a bad header or when the store returns fewer bytes than asked.
 * @throws {CiphertextAuthenticationError} on any tampered or misplaced chunk.
 * @example
 * ```ts
 * import { decryptRange } from './crypto.ts'
 * const read = (offset: number, length: number) => store.cat(cid, { offset, length })
 * for await (const bytes of decryptRange(assetKey, read, manifest.content.size, { offset: 0, length: 100 })) reply.raw.write(bytes)
 * ```
 */
export async function* decryptRange(
  key: SymmetricKey,
  readCiphertext: CiphertextReader,
  plaintextSize: number,
  { offset, length }: ByteRange,
): AsyncGenerator<Uint8Array, void, undefined> {
  const aesKey = toAesKey(key);
  assertRange({ offset, length }, plaintextSize);
  if (length === 0) return;
  const header = decodeHeader(await readExactly(readCiphertext(0, HEADER_SIZE), HEADER_SIZE));
  const { chunkSize } = header;
  const span = plaintextRangeToChunks(offset, length, chunkSize);
  const lastIndex = chunkCount(plaintextSize, chunkSize) - 1;
  const where = chunksToCiphertextRange(span, chunkSize, plaintextSize);
  const reader = createByteReader(readCiphertext(where.offset, where.length));
  const end = offset + length;
  try {
    for (let index = span.firstChunk; index <= span.lastChunk; index++) {
      const chunkStart = index * chunkSize;
      const expected = Math.min(chunkSize, plaintextSize - chunkStart) + TAG_SIZE;
      const sealed = await reader.readPieces(expected);
      const got = sealed.reduce((sum, piece) => sum + piece.length, 0);
      if (got < expected)
        throw new CiphertextFormatError({ reason: `chunk ${index} truncated to ${got} of ${expected} bytes` });
      // Keep plaintext bytes [from, to) of this chunk.
      const from = Math.max(0, offset - chunkStart);
      const to = Math.min(expected - TAG_SIZE, end - chunkStart);
      let at = 0;
      for (const piece of openChunk(aesKey, header.bytes, index, sealed, index === lastIndex)) {
        const keep = piece.subarray(Math.max(0, from - at), Math.max(0, Math.min(piece.length, to - at)));
        at += piece.length;
        if (keep.length > 0) yield keep;
      }
    }
  } finally {
    await reader.close();
  }
}

/**
 * Checks that a range lies within content of `size` bytes.
 *
 * @throws {InvalidRangeError} when `offset` or `length` is negative or not an integer, or `offset + length > size`.
 * @example
 * ```ts
 * import { assertRange } from './crypto.ts'
 * assertRange({ offset: 0, length: 10 }, 100)
 * ```
 */
export function assertRange({ offset, length }: ByteRange, size: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  )
    throw new InvalidRangeError({ offset, length, size });
}

function assertChunkSize(chunkSize: number): void {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE)
    throw new CiphertextFormatError({ reason: `chunk size ${chunkSize} is not within 1 … ${MAX_CHUNK_SIZE} bytes` });
}

/** nonce = prefix (8) ‖ uint32 index. */
function chunkNonce(header: Uint8Array, index: number): Uint8Array {
  const nonce = new Uint8Array(12);
  nonce.set(header.subarray(9, 9 + NONCE_PREFIX_SIZE), 0);
  new DataView(nonce.buffer).setUint32(NONCE_PREFIX_SIZE, index);
  return nonce;
}

/** AAD = header (17) ‖ uint32 index ‖ final flag. */
function chunkAad(header: Uint8Array, index: number, final: boolean): Uint8Array {
  const aad = new Uint8Array(HEADER_SIZE + 5);
  aad.set(header, 0);
  const view = new DataView(aad.buffer);
  view.setUint32(HEADER_SIZE, index);
  aad[HEADER_SIZE + 4] = final ? 1 : 0;
  return aad;
}

/** Seals one chunk; returns its ciphertext and its 16-byte tag (two arrays, to avoid a copy). */
function sealChunk(
  key: KeyObject,
  header: Uint8Array,
  index: number,
  plaintext: Uint8Array,
  final: boolean,
): Uint8Array[] {
  if (index >= MAX_CHUNKS)
    throw new CiphertextFormatError({ reason: `plaintext needs more than ${MAX_CHUNKS} chunks` });
  const cipher = createCipheriv('aes-256-gcm', key, chunkNonce(header, index), { authTagLength: TAG_SIZE });
  cipher.setAAD(chunkAad(header, index, final));
  const body = cipher.update(plaintext);
  cipher.final();
  return [body, cipher.getAuthTag()];
}

/**
 * Authenticates and decrypts one sealed chunk given as consecutive pieces (ciphertext ‖ tag, the tag possibly split
 * across pieces). Returns the plaintext pieces only once the tag verified.
 */
function openChunk(
  key: KeyObject,
  header: Uint8Array,
  index: number,
  sealed: Uint8Array[],
  final: boolean,
): Uint8Array[] {
  const total = sealed.reduce((sum, piece) => sum + piece.length, 0);
  const bodyLength = total - TAG_SIZE;
  const decipher = createDecipheriv('aes-256-gcm', key, chunkNonce(header, index), { authTagLength: TAG_SIZE });
  decipher.setAAD(chunkAad(header, index, final));
  const tag = new Uint8Array(TAG_SIZE);
  const plaintext: Uint8Array[] = [];
  let at = 0;
  for (const piece of sealed) {
    const body = Math.max(0, Math.min(piece.length, bodyLength - at));
    if (body > 0) plaintext.push(decipher.update(piece.subarray(0, body)));
    if (body < piece.length) tag.set(piece.subarray(body), at + body - bodyLength);
    at += piece.length;
  }
  decipher.setAuthTag(tag);
  try {
    decipher.final();
  } catch (cause) {
    for (const piece of plaintext) piece.fill(0);
    throw new CiphertextAuthenticationError({ chunkIndex: index, cause });
  }
  return plaintext.filter((piece) => piece.length > 0);
}

/** Reads exactly `n` bytes (fewer only when the source is shorter) from a source, then closes it. */
async function readExactly(source: ByteSource, n: number): Promise<Uint8Array> {
  const reader = createByteReader(source);
  try {
    const bytes = await reader.read(n);
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return copy;
  } finally {
    await reader.close();
  }
}
