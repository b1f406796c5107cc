import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryIdempotencyStore, idempotent } from './idempotency.ts';
import type { BusMessage } from './types.ts';

const message = (id: string, deliveryCount = 1): BusMessage<string> => ({
  subject: 'souk.jobs.results.1',
  id,
  data: 'x',
  seq: 1,
  deliveryCount,
  redelivered: deliveryCount > 1,
  publishedAtMs: 0,
});

describe('idempotent handlers', () => {
  test('skip a message id already handled', async () => {
    let calls = 0;
    const handler = idempotent<string>(() => {
      calls++;
    }, createMemoryIdempotencyStore());
    await handler(message('a'));
    await handler(message('a', 2));
    await handler(message('b'));
    assert.equal(calls, 2);
  });

  test('retry a message whose handler failed', async () => {
    let calls = 0;
    const handler = idempotent<string>(() => {
      calls++;
      if (calls === 1) throw new Error('transient');
    }, createMemoryIdempotencyStore());
    await assert.rejects(async () => handler(message('a')), /transient/);
    await handler(message('a', 2));
    await handler(message('a', 3));
    assert.equal(calls, 2);
  });

  test('run concurrent deliveries of one id once', async () => {
    let calls = 0;
    const handler = idempotent<string>(async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }, createMemoryIdempotencyStore());
    await Promise.all([handler(message('a')), handler(message('a')), handler(message('a'))]);
    assert.equal(calls, 1);
  });

  test('can key on the payload instead of the message id', async () => {
    let calls = 0;
    const handler = idempotent<string>(
      () => {
        calls++;
      },
      createMemoryIdempotencyStore(),
      { key: (m) => `${m.subject}:${m.data}` },
    );
    await handler(message('a'));
    await handler(message('b'));
    assert.equal(calls, 1);
  });
});

describe('memory idempotency store', () => {
  test('forgets the oldest keys beyond maxEntries and keys older than ttlMs', () => {
    const clock = { t: 0 };
    const store = createMemoryIdempotencyStore({ maxEntries: 2, ttlMs: 1000, now: () => clock.t });
    store.add('a');
    store.add('b');
    store.add('c');
    assert.equal(store.has('a'), false);
    assert.equal(store.has('b'), true);
    assert.equal(store.size, 2);
    clock.t = 1001;
    assert.equal(store.has('c'), false);
  });
});
