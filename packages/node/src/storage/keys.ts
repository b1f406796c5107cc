/**
 * Key management: the node's master key (one per data dir) and the per-asset keys it wraps.
 *
 * - The master key is 32 random bytes (AES-256) in `<dataDir>/master.key`, raw (no encoding), mode 0600. The node
 *   refuses to start when the file is readable or writable by group or others.
 * - An asset key is 32 random bytes; it encrypts one asset's content (see `crypto.ts`). It is stored only wrapped
 *   under the master key, as base64 (RFC 4648 §4, padded) of 61 bytes:
 *   `version 0x01 (1) ‖ nonce (12, random) ‖ AES-256-GCM(masterKey, nonce, aad = "souk/asset-key/v1", assetKey) (32)
 *   ‖ tag (16)`.
 *
 * Keys are returned as `KeyObject`s or `Uint8Array`s and never appear in error messages or details. Do not log them.
 */
import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { KEY_SIZE, type SymmetricKey, toAesKey } from './crypto.ts';
import { KeyUnwrapError, MasterKeyFormatError, MasterKeyPermissionsError } from './errors.ts';

/** Name of the master key file inside the data dir. */
export const MASTER_KEY_FILE = 'master.key';
/** Version byte of the wrapped asset key format. */
export const WRAPPED_KEY_VERSION = 1;
/** Size of a wrapped asset key before base64, in bytes: version (1) + nonce (12) + key (32) + tag (16). */
export const WRAPPED_KEY_SIZE = 61;

const WRAP_AAD = new TextEncoder().encode('souk/asset-key/v1');
const NONCE_SIZE = 12;
const TAG_SIZE = 16;

/** Parameters of {@link loadMasterKey}. */
export type LoadMasterKeyParameters = {
  /** The node's data dir; created (mode 0700) when missing. The key lives in `<dataDir>/master.key`. */
  dataDir: string;
};

/**
 * Loads the node master key from `<dataDir>/master.key`, creating it (32 random bytes, mode 0600) on first start.
 *
 * Creation is atomic: the key is written and fsynced to a temporary file, then hard-linked into place, so a crash
 * never leaves a partial key and two nodes starting at once end up with the same key.
 *
 * @param parameters The data dir.
 * @returns The master key as a secret `KeyObject` (it does not print its bytes).
 * @throws {MasterKeyPermissionsError} when the file is accessible to group or others (POSIX only).
 * @throws {MasterKeyFormatError} when the file is not a regular file of exactly 32 bytes.
 * @example
 * ```ts
 * import { loadMasterKey } from './keys.ts'
 * const masterKey = await loadMasterKey({ dataDir: '.souk' })
 * ```
 */
export async function loadMasterKey({ dataDir }: LoadMasterKeyParameters): Promise<KeyObject> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, MASTER_KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing) return existing;
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    const key = randomBytes(KEY_SIZE);
    try {
      await handle.writeFile(key);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, file);
      await syncDir(dataDir);
      const aesKey = toAesKey(key);
      key.fill(0);
      return aesKey;
    } catch (err) {
      key.fill(0);
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  } finally {
    await unlink(temp).catch(() => {});
  }
  // Another process created the key between our read and our link: use theirs.
  const raced = await readKeyFile(file);
  if (!raced) throw new MasterKeyFormatError({ path: file, reason: 'it disappeared while being created' });
  return raced;
}

/**
 * Generates a fresh asset key: 32 bytes from the OS CSPRNG.
 *
 * @returns The key; zero it (`key.fill(0)`) once wrapped and no longer needed.
 * @example
 * ```ts
 * import { generateAssetKey, wrapAssetKey } from './keys.ts'
 * const assetKey = generateAssetKey()
 * const wrapped = wrapAssetKey(masterKey, assetKey)
 * ```
 */
export function generateAssetKey(): Uint8Array {
  return new Uint8Array(randomBytes(KEY_SIZE));
}

/**
 * Wraps (encrypts) an asset key under the master key with AES-256-GCM and a random 12-byte nonce.
 *
 * @param masterKey The node master key (32 bytes).
 * @param assetKey The asset key (32 bytes).
 * @returns Base64 (RFC 4648 §4) of the 61-byte wrapped form (see the file header): 84 characters.
 * @throws {InvalidKeyError} when either key is not 32 bytes.
 * @example
 * ```ts
 * import { wrapAssetKey } from './keys.ts'
 * const wrapped = wrapAssetKey(masterKey, assetKey) // store next to the asset
 * ```
 */
export function wrapAssetKey(masterKey: SymmetricKey, assetKey: Uint8Array): string {
  const key = toAesKey(masterKey);
  toAesKey(assetKey);
  const nonce = randomBytes(NONCE_SIZE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_SIZE });
  cipher.setAAD(WRAP_AAD);
  const out = Buffer.alloc(WRAPPED_KEY_SIZE);
  out[0] = WRAPPED_KEY_VERSION;
  nonce.copy(out, 1);
  const body = Buffer.concat([cipher.update(assetKey), cipher.final()]);
  body.copy(out, 1 + NONCE_SIZE);
  cipher.getAuthTag().copy(out, 1 + NONCE_SIZE + KEY_SIZE);
  return out.toString('base64');
}

/**
 * Unwraps an asset key wrapped by {@link wrapAssetKey}.
 *
 * @param masterKey The node master key (32 bytes) it was wrapped under.
 * @param wrapped The base64 string from {@link wrapAssetKey}.
 * @returns The 32-byte asset key.
 * @throws {KeyUnwrapError} when `wrapped` is malformed, of another version, or not wrapped under `masterKey`.
 * @example
 * ```ts
 * import { unwrapAssetKey } from './keys.ts'
 * const assetKey = unwrapAssetKey(masterKey, asset.wrappedKey)
 * ```
 */
export function unwrapAssetKey(masterKey: SymmetricKey, wrapped: string): Uint8Array {
  const key = toAesKey(masterKey);
  if (typeof wrapped !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(wrapped))
    throw new KeyUnwrapError({ reason: 'not a base64 string' });
  const bytes = Buffer.from(wrapped, 'base64');
  if (bytes.length !== WRAPPED_KEY_SIZE)
    throw new KeyUnwrapError({ reason: `${bytes.length} bytes, not ${WRAPPED_KEY_SIZE}` });
  if (bytes[0] !== WRAPPED_KEY_VERSION) throw new KeyUnwrapError({ reason: `unsupported version ${bytes[0]}` });
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + NONCE_SIZE), {
    authTagLength: TAG_SIZE,
  });
  decipher.setAAD(WRAP_AAD);
  decipher.setAuthTag(bytes.subarray(1 + NONCE_SIZE + KEY_SIZE));
  const assetKey = decipher.update(bytes.subarray(1 + NONCE_SIZE, 1 + NONCE_SIZE + KEY_SIZE));
  try {
    decipher.final();
  } catch (cause) {
    assetKey.fill(0);
    throw new KeyUnwrapError({ reason: 'authentication failed (wrong master key or modified data)', cause });
  }
  const out = new Uint8Array(assetKey);
  assetKey.fill(0);
  return out;
}

/** Reads and checks the key file; `undefined` when it does not exist. */
async function readKeyFile(file: string): Promise<KeyObject | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new MasterKeyFormatError({ path: file, reason: 'it is a symbolic link' });
    throw err;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new MasterKeyFormatError({ path: file, reason: 'not a regular file' });
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0)
      throw new MasterKeyPermissionsError({ path: file, mode: stat.mode });
    if (stat.size !== KEY_SIZE)
      throw new MasterKeyFormatError({ path: file, reason: `${stat.size} bytes, not ${KEY_SIZE}` });
    const key = Buffer.alloc(KEY_SIZE);
    const { bytesRead } = await handle.read(key, 0, KEY_SIZE, 0);
    if (bytesRead !== KEY_SIZE)
      throw new MasterKeyFormatError({ path: file, reason: `read ${bytesRead} bytes, not ${KEY_SIZE}` });
    const aesKey = toAesKey(key);
    key.fill(0);
    return aesKey;
  } finally {
    await handle.close();
  }
}

/** fsyncs a directory so a new entry survives a crash (best effort: not every platform supports it). */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {}
}
