/**
 * Test helpers for `src/storage` (imported by `*.test.ts` only): byte collection, reproducible pseudo-random
 * streams and temporary data dirs.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ByteSource } from './bytes.ts';

/**
 * Reads a whole byte source into one array (tests only: it buffers everything).
 *
 * @example
 * ```ts
 * import { collect } from './testing.ts'
 * const bytes = await collect(decryptStream(key, ciphertext))
 * ```
 */
export async function collect(source: ByteSource): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for await (const piece of source) pieces.push(piece);
  return new Uint8Array(Buffer.concat(pieces));
}

/**
 * Deterministic pseudo-random bytes: the AES-128-CTR keystream of `seed` (fast, reproducible, held nowhere).
 *
 * @param size Total bytes, in bytes.
 * @param options `seed` (any number) and `pieceSize`, the size of each yielded array in bytes (default 1 MiB − 3, so
 * pieces never line up with chunks).
 * @example
 * ```ts
 * import { pseudoRandomStream } from './testing.ts'
 * for await (const piece of pseudoRandomStream(1 << 30, { seed: 7 })) hash.update(piece)
 * ```
 */
export async function* pseudoRandomStream(
  size: number,
  { seed = 1, pieceSize = 1024 * 1024 - 3 }: { seed?: number; pieceSize?: number } = {},
): AsyncGenerator<Uint8Array> {
  const key = createHash('sha256').update(`souk-test-${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(pieceSize);
  for (let left = size; left > 0; left -= pieceSize) {
    yield new Uint8Array(cipher.update(left >= pieceSize ? zeros : zeros.subarray(0, left)));
  }
}

/**
 * Pseudo-random bytes in one array (see {@link pseudoRandomStream}).
 *
 * @example
 * ```ts
 * import { pseudoRandomBytes } from './testing.ts'
 * const plaintext = await pseudoRandomBytes(3 * 1024 * 1024)
 * ```
 */
export function pseudoRandomBytes(size: number, seed = 1): Promise<Uint8Array> {
  return collect(pseudoRandomStream(size, { seed }));
}

/**
 * Splits bytes into pieces of `pieceSize` bytes (the last shorter), as a stream would deliver them.
 *
 * @example
 * ```ts
 * import { pieces } from './testing.ts'
 * encryptStream(key, pieces(plaintext, 7777))
 * ```
 */
export function* pieces(bytes: Uint8Array, pieceSize: number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += pieceSize) yield bytes.subarray(at, at + pieceSize);
}

/**
 * Creates a temporary directory; `remove()` deletes it.
 *
 * @example
 * ```ts
 * import { tempDir } from './testing.ts'
 * const dir = await tempDir()
 * after(() => dir.remove())
 * ```
 */
export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'souk-storage-'));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
