/**
 * Errors of the storage layer: one base class, {@link StorageError}, and one subclass per failure a caller may want
 * to tell apart. Every error has a literal `name`, a one-line `shortMessage` and machine-readable `details` (never a
 * key or plaintext), so the API can map it to an RFC 9457 problem+json response without parsing messages.
 */

/** Parameters shared by every storage error. */
export type StorageErrorOptions = {
  /** Machine-readable facts about the failure (CIDs, sizes, offsets). Never keys or plaintext. */
  details?: Readonly<Record<string, unknown>> | undefined;
  /** The lower-level error this one wraps, when there is one. */
  cause?: unknown;
};

/**
 * Base class of every error thrown by `src/storage`.
 *
 * @example
 * ```ts
 * import { StorageError } from './errors.ts'
 * try { await store.getRaw(cid) } catch (err) { if (err instanceof StorageError) console.error(err.name, err.details) }
 * ```
 */
export class StorageError extends Error {
  override name: string = 'StorageError';
  /** The message without details, fit for an API response title. */
  readonly shortMessage: string;
  /** Machine-readable facts about the failure. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(shortMessage: string, { details = {}, cause }: StorageErrorOptions = {}) {
    super(shortMessage, cause === undefined ? undefined : { cause });
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/**
 * Base of the errors {@link decryptStream} and {@link decryptRange} throw when ciphertext is not what
 * {@link encryptStream} produced under this key: catch this one class to treat "any tamper" alike.
 */
export class CiphertextError extends StorageError {
  override name: string = 'CiphertextError';
}

/** Thrown when ciphertext is not in the Souk stream format: bad magic, version, chunk size or length. */
export class CiphertextFormatError extends CiphertextError {
  override name = 'CiphertextFormatError' as const;
  constructor({ reason }: { reason: string }) {
    super(`Ciphertext is not in the Souk stream format: ${reason}.`, { details: { reason } });
  }
}

/**
 * Thrown when a chunk's AES-GCM tag does not verify: a modified byte, a reordered, swapped or dropped chunk, a
 * truncated stream, or the wrong key. `details.chunkIndex` is the first chunk that failed; no plaintext of that
 * chunk was released.
 */
export class CiphertextAuthenticationError extends CiphertextError {
  override name = 'CiphertextAuthenticationError' as const;
  constructor({ chunkIndex, cause }: { chunkIndex: number; cause?: unknown }) {
    super(`Ciphertext chunk ${chunkIndex} failed authentication (tampered, reordered, truncated or wrong key).`, {
      details: { chunkIndex },
      cause,
    });
  }
}

/** Thrown when a key is not 32 bytes (AES-256), or not a secret key. */
export class InvalidKeyError extends StorageError {
  override name = 'InvalidKeyError' as const;
  constructor({ reason }: { reason: string }) {
    super(`Invalid AES-256 key: ${reason}.`, { details: { reason } });
  }
}

/** Thrown when a wrapped asset key cannot be unwrapped: malformed, or not wrapped under this master key. */
export class KeyUnwrapError extends StorageError {
  override name = 'KeyUnwrapError' as const;
  constructor({ reason, cause }: { reason: string; cause?: unknown }) {
    super(`Cannot unwrap the asset key: ${reason}.`, { details: { reason }, cause });
  }
}

/** Thrown at start when the master key file can be read by users other than its owner. */
export class MasterKeyPermissionsError extends StorageError {
  override name = 'MasterKeyPermissionsError' as const;
  constructor({ path, mode }: { path: string; mode: number }) {
    const octal = `0${(mode & 0o777).toString(8)}`;
    super(`Master key file ${path} has mode ${octal}; it must be readable by its owner only. Run: chmod 600 ${path}`, {
      details: { path, mode: octal },
    });
  }
}

/** Thrown at start when the master key file exists but is not a regular file of exactly 32 bytes. */
export class MasterKeyFormatError extends StorageError {
  override name = 'MasterKeyFormatError' as const;
  constructor({ path, reason }: { path: string; reason: string }) {
    super(`Master key file ${path} is unusable: ${reason}.`, { details: { path, reason } });
  }
}

/** Thrown when a byte range does not lie within the content (`offset + length > size`, or negative values). */
export class InvalidRangeError extends StorageError {
  override name = 'InvalidRangeError' as const;
  constructor({ offset, length, size }: { offset: number; length: number; size: number }) {
    super(`Range offset ${offset} length ${length} is not within content of ${size} bytes.`, {
      details: { offset, length, size },
    });
  }
}

/** Thrown when a manifest is not valid JSON or does not match the Souk manifest schema (version 1). */
export class ManifestValidationError extends StorageError {
  override name = 'ManifestValidationError' as const;
  constructor({ reason, path }: { reason: string; path?: string | undefined }) {
    super(`Invalid Souk manifest${path ? ` at ${path}` : ''}: ${reason}.`, { details: { reason, path } });
  }
}

/** Thrown when a string is not a CID, or not a CID of the kind the operation needs. */
export class InvalidCidError extends StorageError {
  override name = 'InvalidCidError' as const;
  constructor({ cid, reason, cause }: { cid: string; reason: string; cause?: unknown }) {
    super(`Invalid CID ${JSON.stringify(cid)}: ${reason}.`, { details: { cid, reason }, cause });
  }
}

/** Thrown when a block's bytes do not hash to the digest in its CID. */
export class BlockDigestMismatchError extends StorageError {
  override name = 'BlockDigestMismatchError' as const;
  constructor({ cid }: { cid: string }) {
    super(`Block ${cid} does not match its digest.`, { details: { cid } });
  }
}

/** Thrown when the store does not hold a CID (the embedded store never fetches from the network). */
export class ContentNotFoundError extends StorageError {
  override name = 'ContentNotFoundError' as const;
  constructor({ cid, cause }: { cid: string; cause?: unknown }) {
    super(`Content ${cid} is not in the store.`, { details: { cid }, cause });
  }
}

/** Thrown at the end of a full download when the plaintext's SHA-256 differs from the expected one. */
export class ContentHashMismatchError extends StorageError {
  override name = 'ContentHashMismatchError' as const;
  constructor({ cid, expected, actual }: { cid: string; expected: string; actual: string }) {
    super(`Content ${cid} has SHA-256 ${actual}, expected ${expected}.`, { details: { cid, expected, actual } });
  }
}

/** Thrown during a download as soon as the plaintext is longer, or at its end shorter, than the expected size. */
export class ContentSizeMismatchError extends StorageError {
  override name = 'ContentSizeMismatchError' as const;
  constructor({ cid, expected, actual }: { cid: string; expected: number; actual: number }) {
    super(`Content ${cid} has ${actual} bytes${actual > expected ? ' or more' : ''}, expected ${expected}.`, {
      details: { cid, expected, actual },
    });
  }
}

/** Thrown when the content store backend (Helia or Kubo) fails; `cause` holds its error. */
export class StoreOperationError extends StorageError {
  override name = 'StoreOperationError' as const;
  constructor({ backend, operation, cause }: { backend: string; operation: string; cause?: unknown }) {
    const why = cause instanceof Error ? `: ${cause.message}` : '';
    super(`Content store (${backend}) failed to ${operation}${why}.`, { details: { backend, operation }, cause });
  }
}
