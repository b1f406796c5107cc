/**
 * Batch orders (compute protocol v2): one signed `JobOrder` carrying N inputs. The order's input is a **batch
 * container**, a deterministic archive of the N inputs in order, so `inputHash` (SHA-256 of the container) binds all
 * of them and their order; the on-chain `JobOrder` and `ComputeEscrow` are unchanged. The provider runs the model on
 * each input in order and returns one canonical result `{"batch":[r_0,…,r_{N-1}]}` (an input the model cannot take
 * is `{"error":reason}` in its place), which is hashed, attested and settled as any other result.
 *
 * **Container bytes** (all integers unsigned 32-bit big-endian):
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0 | 8 | magic `SOUKBAT1` (ASCII `53 4f 55 4b 42 41 54 31`) |
 * | 8 | 4 | `count` N, 1 … {@link MAX_BATCH_INPUTS} |
 * | 12 | 4 + len_i | each input: its length `len_i` (≥ 1) then its bytes, in order |
 *
 * Nothing may follow the last input. One list of inputs has exactly one container, so two requesters (or a
 * requester and the node) always compute the same `inputHash`. No model input format starts with `SOUKBAT1` (PNG,
 * JPEG, WAV, `.npy`, `.npz`/ZIP, JSON, tar all have other leading bytes), so the magic tells a batch apart.
 *
 * **Price.** A batch is priced per input: `maxPrice = N × price per input`. The node refuses a batch whose
 * `maxPrice` is not a multiple of N, so the per-input price is exact ({@link batchPricePerInput}).
 */

/** The container's magic, `SOUKBAT1`. */
export const BATCH_MAGIC: Uint8Array = new Uint8Array([0x53, 0x4f, 0x55, 0x4b, 0x42, 0x41, 0x54, 0x31]);

/** Most inputs one batch order may carry. */
export const MAX_BATCH_INPUTS = 10_000;

const HEADER_BYTES = BATCH_MAGIC.length + 4;

/** A batch container that cannot be read. */
export class BatchFormatError extends Error {
  override name = 'BatchFormatError' as const;
}

/** Canonical result of a batch: one entry per input, in input order. */
export type BatchResult<TResult = unknown> = {
  batch: Array<TResult | BatchItemError>;
};

/** A batch entry for an input the model could not take (deterministic: every honest run fails it the same way). */
export type BatchItemError = { error: string };

/**
 * Whether bytes start with the batch magic (they may still be malformed: {@link decodeBatch} checks the rest).
 * @param bytes - Any order input.
 */
export function isBatch(bytes: Uint8Array): boolean {
  if (bytes.length < BATCH_MAGIC.length) return false;
  for (let i = 0; i < BATCH_MAGIC.length; i++) if (bytes[i] !== BATCH_MAGIC[i]) return false;
  return true;
}

/**
 * Packs inputs into a batch container (see the file header).
 * @param inputs - 1 … {@link MAX_BATCH_INPUTS} inputs, each non-empty and below 4 GiB.
 * @returns The container bytes; its SHA-256 is the order's `inputHash`.
 * @throws {BatchFormatError} No inputs, too many, or an empty one.
 * @example
 * ```ts
 * import { encodeBatch } from '@souk/protocol'
 * const input = encodeBatch([png0, png1]) // sha256(input) is the order's inputHash
 * ```
 */
export function encodeBatch(inputs: readonly Uint8Array[]): Uint8Array {
  if (inputs.length === 0) throw new BatchFormatError('A batch needs at least one input.');
  if (inputs.length > MAX_BATCH_INPUTS) {
    throw new BatchFormatError(`A batch holds at most ${MAX_BATCH_INPUTS} inputs, got ${inputs.length}.`);
  }
  let size = HEADER_BYTES;
  inputs.forEach((input, i) => {
    if (input.length === 0) throw new BatchFormatError(`Batch input ${i} is empty.`);
    if (input.length > 0xffffffff) throw new BatchFormatError(`Batch input ${i} is 4 GiB or more.`);
    size += 4 + input.length;
  });
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(BATCH_MAGIC, 0);
  view.setUint32(BATCH_MAGIC.length, inputs.length);
  let offset = HEADER_BYTES;
  for (const input of inputs) {
    view.setUint32(offset, input.length);
    out.set(input, offset + 4);
    offset += 4 + input.length;
  }
  return out;
}

/**
 * Reads a batch container's inputs (views into `bytes`, not copies).
 * @param bytes - A container (see the file header).
 * @returns The inputs in order.
 * @throws {BatchFormatError} Wrong magic, a count of 0 or above {@link MAX_BATCH_INPUTS}, an empty or truncated
 *   input, or bytes after the last input.
 */
export function decodeBatch(bytes: Uint8Array): Uint8Array[] {
  if (!isBatch(bytes)) throw new BatchFormatError('Not a batch container (no SOUKBAT1 magic).');
  if (bytes.length < HEADER_BYTES) throw new BatchFormatError('The batch container is truncated in its header.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(BATCH_MAGIC.length);
  if (count === 0) throw new BatchFormatError('The batch container holds no inputs.');
  if (count > MAX_BATCH_INPUTS) {
    throw new BatchFormatError(
      `The batch container declares ${count} inputs; at most ${MAX_BATCH_INPUTS} are allowed.`,
    );
  }
  const inputs: Uint8Array[] = [];
  let offset = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > bytes.length) throw new BatchFormatError(`The batch container is truncated before input ${i}.`);
    const length = view.getUint32(offset);
    if (length === 0) throw new BatchFormatError(`Batch input ${i} is empty.`);
    if (offset + 4 + length > bytes.length) {
      throw new BatchFormatError(`Batch input ${i} is truncated (${length} bytes declared).`);
    }
    inputs.push(bytes.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  if (offset !== bytes.length) {
    throw new BatchFormatError(`${bytes.length - offset} bytes follow the last batch input.`);
  }
  return inputs;
}

/**
 * The exact price per input of a batch order.
 * @param maxPrice - The order's `maxPrice`, wei.
 * @param count - Inputs in the batch (≥ 1).
 * @returns `maxPrice / count`, wei.
 * @throws {BatchFormatError} When `maxPrice` is not a multiple of `count`.
 */
export function batchPricePerInput(maxPrice: bigint, count: number): bigint {
  const n = BigInt(count);
  if (n < 1n || maxPrice % n !== 0n) {
    throw new BatchFormatError(`maxPrice ${maxPrice} is not a multiple of the batch's ${count} inputs.`);
  }
  return maxPrice / n;
}

/**
 * Whether one entry of a batch result is an input's failure.
 * @example
 * ```ts
 * for (const entry of result.batch) console.log(isBatchItemError(entry) ? `failed: ${entry.error}` : entry)
 * ```
 */
export function isBatchItemError(entry: unknown): entry is BatchItemError {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof (entry as BatchItemError).error === 'string' &&
    Object.keys(entry).length === 1
  );
}
