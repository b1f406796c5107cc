/**
 * The read-model page cache (`cachedRead`, `invalidateReads` in db/queries.ts): pages are shared, never served after
 * an index write, failures are not kept, and an expired page is refreshed behind the readers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SoukDb } from './index.ts';
import { cachedRead, invalidateReads, READ_CACHE_MS } from './queries.ts';

/** A stand-in database handle: the cache only uses its identity. */
const fakeDb = () => ({}) as SoukDb;

/** A query that counts its runs and resolves to its run number. */
function counter() {
  let runs = 0;
  const run = async () => ++runs;
  return { run, runs: () => runs };
}

describe('cachedRead', () => {
  test('concurrent misses of one page share one query', async () => {
    const db = fakeDb();
    const q = counter();
    const pages = await Promise.all([1, 2, 3].map(() => cachedRead(db, 'k', q.run)));
    assert.deepEqual(pages, [1, 1, 1]);
    assert.equal(q.runs(), 1);
  });

  test('a page cached before invalidateReads is not served after it', async () => {
    const db = fakeDb();
    const q = counter();
    assert.equal(await cachedRead(db, 'k', q.run), 1);
    assert.equal(await cachedRead(db, 'k', q.run), 1);
    invalidateReads();
    assert.equal(await cachedRead(db, 'k', q.run), 2);
  });

  test('a query in flight when invalidateReads is called is not served afterwards', async () => {
    const db = fakeDb();
    let release: (value: string) => void = () => {};
    const slow = cachedRead(db, 'k', () => new Promise<string>((resolve) => (release = resolve)));
    invalidateReads(); // the index committed while the query read the old snapshot
    const fresh = cachedRead(db, 'k', async () => 'after the write');
    release('before the write');
    assert.equal(await slow, 'before the write');
    assert.equal(await fresh, 'after the write');
    assert.equal(await cachedRead(db, 'k', async () => 'unexpected'), 'after the write');
  });

  test('failures are not cached', async () => {
    const db = fakeDb();
    await assert.rejects(
      cachedRead(db, 'k', async () => {
        throw new Error('database down');
      }),
      /database down/,
    );
    assert.equal(await cachedRead(db, 'k', async () => 'ok'), 'ok');
  });

  test('pages are per database and per key', async () => {
    const a = fakeDb();
    const b = fakeDb();
    assert.equal(await cachedRead(a, 'k', async () => 'a'), 'a');
    assert.equal(await cachedRead(b, 'k', async () => 'b'), 'b');
    assert.equal(await cachedRead(a, 'other', async () => 'other'), 'other');
    assert.equal(await cachedRead(a, 'k', async () => 'unexpected'), 'a');
  });

  test('an expired page is served while one refresh runs, then the refreshed page', async () => {
    const db = fakeDb();
    const q = counter();
    assert.equal(await cachedRead(db, 'k', q.run), 1);
    await sleep(READ_CACHE_MS + 50);
    const during = await Promise.all([cachedRead(db, 'k', q.run), cachedRead(db, 'k', q.run)]);
    assert.deepEqual(during, [1, 1]);
    assert.equal(q.runs(), 2, 'one refresh for both readers');
    await sleep(0);
    assert.equal(await cachedRead(db, 'k', q.run), 2);
  });
});
