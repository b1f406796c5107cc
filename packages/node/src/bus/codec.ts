/**
 * Payload encoding of the job bus: JSON, with `bigint` kept as `{"$bigint":"<decimal>"}` so job ids and wei amounts
 * survive the round trip. Both bus implementations encode and decode every message (the in-process bus too), so a
 * handler gets a fresh copy with the same types whichever bus runs.
 */

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/**
 * Encodes a payload.
 *
 * @param value Any JSON value, possibly holding `bigint`s.
 * @returns UTF-8 JSON bytes.
 * @throws {TypeError} For values JSON cannot hold (cycles).
 *
 * @example
 * ```ts
 * import { encodePayload } from './codec.ts'
 * encodePayload({ jobId: 7n }) // bytes of {"jobId":{"$bigint":"7"}}
 * ```
 */
export function encodePayload(value: unknown): Uint8Array {
  const json = JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));
  return textEncoder.encode(json ?? 'null');
}

/**
 * Decodes a payload written by {@link encodePayload}.
 *
 * @param bytes UTF-8 JSON bytes.
 * @returns The value, with `bigint`s restored.
 * @throws {SyntaxError} For bytes that are not JSON.
 *
 * @example
 * ```ts
 * import { decodePayload, encodePayload } from './codec.ts'
 * decodePayload<{ jobId: bigint }>(encodePayload({ jobId: 7n })).jobId // 7n
 * ```
 */
export function decodePayload<T = unknown>(bytes: Uint8Array): T {
  if (bytes.length === 0) return undefined as T;
  return JSON.parse(textDecoder.decode(bytes), (_key, v) => {
    if (v !== null && typeof v === 'object' && typeof v.$bigint === 'string' && Object.keys(v).length === 1) {
      return BigInt(v.$bigint);
    }
    return v;
  }) as T;
}
