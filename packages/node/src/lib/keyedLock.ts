/**
 * A keyed serial lock: work under the same key runs one at a time, in arrival order; different keys run freely.
 * The order coordinator serialises each order's replies, ticks and settler updates with it, acceptance each
 * requester's balance checks (two concurrent orders must not both spend one balance), and `chain/transact.ts` each
 * account's transactions (two concurrent sequences of one account must not take the same nonce).
 */
export type KeyedLock = {
  <T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Resolves once the work queued so far under every key has finished. */
  idle(): Promise<void>;
};

/** Creates a keyed lock; a key's entry is dropped once its queue is empty. */
export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  const lock = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const next = (tails.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = next.catch(() => {});
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return next;
  };
  return Object.assign(lock, { idle: async () => void (await Promise.all([...tails.values()])) });
}
