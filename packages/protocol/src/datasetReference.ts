/**
 * Dataset references (compute-to-data, docs/training.md): a training job's input that names a licensed dataset
 * asset instead of carrying the data. The order's input is the magic `SOUKDSR1` followed by the canonical JSON
 * `{"assetId":"<decimal>","sha256":"<64 hex>"}`, so the requester signs (through `inputHash`) which dataset and which
 * bytes of it the job trains on. The node refuses the order unless the requester may train on the asset
 * (`Licenses.canTrain`: a training licence, or ownership) and the asset's content has that SHA-256; the providers
 * holding the job then read the plaintext through the order gateway (`GET /orders/{hash}/dataset`) and check it
 * against `sha256`. The requester never receives the dataset, only what the job returns.
 */

/** The container's magic, `SOUKDSR1`. */
export const DATASET_REFERENCE_MAGIC: Uint8Array = new Uint8Array([0x53, 0x4f, 0x55, 0x4b, 0x44, 0x53, 0x52, 0x31]);

/** Largest encoded reference, bytes (a uint256 in decimal and a SHA-256 fit in far less). */
const MAX_REFERENCE_BYTES = 256;

/** A dataset asset and the SHA-256 of its plaintext content. */
export type DatasetReference = {
  /** The dataset's AgentNFT token id. */
  assetId: bigint;
  /** SHA-256 of the dataset's plaintext (its manifest's `content.sha256`): 64 lower-case hex digits, no `0x`. */
  sha256: string;
};

/** Thrown for bytes that are not a canonical dataset reference. */
export class DatasetReferenceError extends Error {
  override name = 'DatasetReferenceError';
}

const encoder = new TextEncoder();

/**
 * Encodes a dataset reference (one reference has exactly one encoding, so one `inputHash`).
 * @param reference - The asset id (≥ 0, < 2^256) and the content's SHA-256 (hex, `0x` optional, any case).
 * @returns `SOUKDSR1` + `{"assetId":"…","sha256":"…"}` (UTF-8, lower-case hex).
 * @throws {DatasetReferenceError} When the id or the hash is out of range or malformed.
 */
export function encodeDatasetReference(reference: DatasetReference): Uint8Array {
  const { assetId } = reference;
  if (typeof assetId !== 'bigint' || assetId < 0n || assetId >= 2n ** 256n) {
    throw new DatasetReferenceError('assetId must be a uint256.');
  }
  const sha256 = String(reference.sha256).replace(/^0x/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new DatasetReferenceError('sha256 must be 64 hex digits.');
  const json = encoder.encode(JSON.stringify({ assetId: assetId.toString(), sha256 }));
  const out = new Uint8Array(DATASET_REFERENCE_MAGIC.length + json.length);
  out.set(DATASET_REFERENCE_MAGIC);
  out.set(json, DATASET_REFERENCE_MAGIC.length);
  return out;
}

/** Whether an input is a dataset reference container (starts with {@link DATASET_REFERENCE_MAGIC}). */
export function isDatasetReference(bytes: Uint8Array): boolean {
  if (bytes.length < DATASET_REFERENCE_MAGIC.length) return false;
  for (let i = 0; i < DATASET_REFERENCE_MAGIC.length; i++) if (bytes[i] !== DATASET_REFERENCE_MAGIC[i]) return false;
  return true;
}

/**
 * Reads a dataset reference, accepting only its canonical encoding (what {@link encodeDatasetReference} writes), so
 * two spellings of one reference can never be two orders.
 * @throws {DatasetReferenceError} When `bytes` is not a canonical reference.
 */
export function decodeDatasetReference(bytes: Uint8Array): DatasetReference {
  if (!isDatasetReference(bytes)) throw new DatasetReferenceError('The input is not a dataset reference (SOUKDSR1).');
  if (bytes.length > MAX_REFERENCE_BYTES) throw new DatasetReferenceError('The dataset reference is too long.');
  let value: { assetId?: unknown; sha256?: unknown };
  try {
    value = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(DATASET_REFERENCE_MAGIC.length)),
    ) as typeof value;
  } catch {
    throw new DatasetReferenceError('The dataset reference is not UTF-8 JSON.');
  }
  if (
    !value ||
    typeof value !== 'object' ||
    typeof value.assetId !== 'string' ||
    !/^(0|[1-9][0-9]{0,77})$/.test(value.assetId) ||
    typeof value.sha256 !== 'string'
  ) {
    throw new DatasetReferenceError('A dataset reference is {"assetId": "<decimal>", "sha256": "<64 hex>"}.');
  }
  const reference = { assetId: BigInt(value.assetId), sha256: value.sha256 };
  const canonical = encodeDatasetReference(reference);
  if (canonical.length !== bytes.length || canonical.some((b, i) => b !== bytes[i])) {
    throw new DatasetReferenceError(
      'The dataset reference is not in canonical form (keys assetId then sha256, lower-case hex, no spaces).',
    );
  }
  return reference;
}
