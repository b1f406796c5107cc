/**
 * Idempotent handlers for an at-least-once bus: remember which message ids were handled, and skip them when they
 * come again (a redelivery after a lost ack, a crash between the work and the ack, or a re-publish after the
 * duplicate window).
 */
import type { BusHandler, BusMessage } from './types.ts';

/** Where handled message ids are kept. Implement it over a database table to share it between processes. */
export type IdempotencyStore = {
  /** Whether `key` was handled. */
  has(key: string): boolean | Promise<boolean>;
  /** Records `key` as handled (after the handler succeeded). */
  add(key: string): void | Promise<void>;
};

/** Options of {@link createMemoryIdempotencyStore}. */
export type MemoryIdempotencyStoreOptions = {
  /** Most keys kept; the oldest are forgotten first. @default 100_000 */
  maxEntries?: number | undefined;
  /** How long a key is remembered, in milliseconds. @default 86_400_000 (24 h, the NATS stream's default max age) */
  ttlMs?: number | undefined;
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined;
};

/**
 * An in-memory {@link IdempotencyStore}, bounded in size and age (insertion-ordered `Map`: O(1) per operation).
 * Keep `ttlMs` at least as long as messages can be redelivered (the stream's max age).
 *
 * @param options Size, age and clock.
 * @returns The store.
 *
 * @example
 * ```ts
 * import { createMemoryIdempotencyStore, idempotent } from './idempotency.ts'
 * const store = createMemoryIdempotencyStore({ maxEntries: 50_000 })
 * await bus.subscribe(subject, idempotent(handler, store))
 * ```
 */
export function createMemoryIdempotencyStore({
  maxEntries = 100_000,
  ttlMs = 86_400_000,
  now = Date.now,
}: MemoryIdempotencyStoreOptions = {}): IdempotencyStore & { readonly size: number } {
  const seen = new Map<string, number>();
  const evict = (t: number) => {
    for (const [key, at] of seen) {
      if (seen.size > maxEntries || t - at > ttlMs) seen.delete(key);
      else break;
    }
  };
  return {
    get size() {
      return seen.size;
    },
    has(key) {
      const at = seen.get(key);
      if (at === undefined) return false;
      if (now() - at > ttlMs) {
        seen.delete(key);
        return false;
      }
      return true;
    },
    add(key) {
      const t = now();
      seen.delete(key);
      seen.set(key, t);
      evict(t);
    },
  };
}

/**
 * Wraps a handler so each message key is handled successfully at most once per store: a key already recorded is
 * acknowledged without calling the handler; a key is recorded only after the handler returns, so a failed attempt
 * is retried. Concurrent deliveries of one key in this process wait for the first; across processes use a shared
 * store and keep side effects idempotent too (e.g. the contract refuses a second assignment).
 *
 * @param handler The handler to protect.
 * @param store Where handled keys live.
 * @param options `key`: the idempotency key of a message. @default the message id (`Nats-Msg-Id`)
 * @returns A handler to subscribe.
 *
 * @example
 * ```ts
 * import { createMemoryIdempotencyStore, idempotent } from './idempotency.ts'
 * await bus.subscribe(bus.subjects.resultsAll, idempotent(async (msg) => { await recordResult(msg.data) }, createMemoryIdempotencyStore()))
 * ```
 */
export function idempotent<T>(
  handler: BusHandler<T>,
  store: IdempotencyStore,
  { key = (message: BusMessage<T>) => message.id }: { key?: ((message: BusMessage<T>) => string) | undefined } = {},
): BusHandler<T> {
  const inFlight = new Map<string, Promise<void>>();
  const run = async (message: BusMessage<T>, k: string): Promise<void> => {
    if (await store.has(k)) return;
    await handler(message);
    await store.add(k);
  };
  return async (message) => {
    const k = key(message);
    for (;;) {
      const running = inFlight.get(k);
      if (running === undefined) break;
      await running.catch(() => {});
    }
    const attempt = run(message, k);
    inFlight.set(k, attempt);
    try {
      await attempt;
    } finally {
      if (inFlight.get(k) === attempt) inFlight.delete(k);
    }
  };
}
