/**
 * Reads exact byte counts from a stream of arbitrarily sized byte arrays, holding at most one requested read in
 * memory (plus the current source array), so decoders of framed formats stay bounded.
 */

/** Bytes from a file, socket or generator: any (async) iterable of `Uint8Array` pieces of any size. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** A pull reader over a {@link ByteSource}. */
export type ByteReader = {
  /**
   * Reads `n` bytes. Returns fewer only when the source ended (an empty array at the end). The result may be a view
   * into a source array: do not keep it across the next call if the source reuses its buffers.
   */
  read: (n: number) => Promise<Uint8Array>;
  /**
   * Reads `n` bytes as views into the source arrays, without copying (fewer bytes only when the source ended; an
   * empty list at the end). Same lifetime caveat as `read`.
   */
  readPieces: (n: number) => Promise<Uint8Array[]>;
  /** Resolves `true` when no byte is left, reading ahead one source piece if needed. */
  atEnd: () => Promise<boolean>;
  /** Stops the source early (calls its iterator's `return`). Safe to call twice. */
  close: () => Promise<void>;
};

const EMPTY = new Uint8Array(0);

/**
 * Wraps a byte source in a {@link ByteReader}.
 *
 * @param source Bytes to read, in order.
 * @returns A reader; call `close()` when stopping before the end.
 * @example
 * ```ts
 * import { createByteReader } from './bytes.ts'
 * const reader = createByteReader(fs.createReadStream('file.souk'))
 * const header = await reader.read(17)
 * ```
 */
export function createByteReader(source: ByteSource): ByteReader {
  const iterator =
    Symbol.asyncIterator in source
      ? source[Symbol.asyncIterator]()
      : (source as Iterable<Uint8Array>)[Symbol.iterator]();
  let head: Uint8Array = EMPTY;
  let done = false;

  /** Makes `head` non-empty unless the source ended; returns whether bytes are available. */
  async function fill(): Promise<boolean> {
    while (head.length === 0 && !done) {
      const next = await iterator.next();
      if (next.done) done = true;
      else head = next.value;
    }
    return head.length > 0;
  }

  return {
    async read(n) {
      if (!(await fill())) return EMPTY;
      if (head.length >= n) {
        const out = head.subarray(0, n);
        head = head.subarray(n);
        return out;
      }
      const out = new Uint8Array(n);
      let filled = 0;
      while (filled < n && (await fill())) {
        const take = Math.min(n - filled, head.length);
        out.set(head.subarray(0, take), filled);
        head = head.subarray(take);
        filled += take;
      }
      return filled === n ? out : out.subarray(0, filled);
    },
    async readPieces(n) {
      const out: Uint8Array[] = [];
      let left = n;
      while (left > 0 && (await fill())) {
        const take = Math.min(left, head.length);
        out.push(head.subarray(0, take));
        head = head.subarray(take);
        left -= take;
      }
      return out;
    },
    async atEnd() {
      return !(await fill());
    },
    async close() {
      if (done) return;
      done = true;
      head = EMPTY;
      await iterator.return?.();
    },
  };
}
