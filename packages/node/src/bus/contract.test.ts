/**
 * The job bus contract, run against both implementations: the in-process bus, and the NATS JetStream bus on
 * nats://127.0.0.1:4222 (or `SOUK_TEST_NATS_URL` / `NATS_TEST_URL`) with a unique stream and subject prefix per run, deleted afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { InvalidSubjectError } from '@souk/protocol';
import { serviceUnavailable, TEST_NATS_URL } from '../testing/services.ts';
import { ConsumerConflictError } from './errors.ts';
import { createMemoryIdempotencyStore, idempotent } from './idempotency.ts';
import { createInProcessBroker, createInProcessBus } from './inProcess.ts';
import { createNatsBus } from './nats.ts';
import type { BusMessage, JobBus } from './types.ts';

const NATS_URL = TEST_NATS_URL;

/** How a suite opens buses on one shared backend (a broker, or a NATS stream). */
type Backend = { open(consumerPrefix?: string): Promise<JobBus>; cleanup(): Promise<void> };

/** Every bus a suite opened, closed by its cleanup even when a test failed half-way (else sockets keep the run alive). */
const tracked = (open: (consumerPrefix: string) => Promise<JobBus>) => {
  const buses: JobBus[] = [];
  return {
    open: async (consumerPrefix = 'test') => {
      const bus = await open(consumerPrefix);
      buses.push(bus);
      return bus;
    },
    closeAll: () => Promise.all(buses.map((bus) => bus.close())),
  };
};

const inProcessBackend = async (): Promise<Backend> => {
  const broker = createInProcessBroker();
  const buses = tracked(async (consumerPrefix) => createInProcessBus({ broker, consumerPrefix }));
  return { open: buses.open, cleanup: async () => void (await buses.closeAll()) };
};

const natsBackend = async (): Promise<Backend> => {
  const run = randomBytes(4).toString('hex');
  const stream = `SOUK_TEST_${run}`;
  const subjectPrefix = `souktest${run}`;
  const buses = tracked((consumerPrefix) =>
    createNatsBus({ servers: NATS_URL, stream, subjectPrefix, consumerPrefix }),
  );
  return {
    open: buses.open,
    async cleanup() {
      await buses.closeAll();
      const nc = await connect({ servers: NATS_URL });
      try {
        await (await jetstreamManager(nc)).streams.delete(stream);
      } finally {
        await nc.close();
      }
    },
  };
};

/** Why the NATS suite skips (a reason naming the address), or false; throws under SOUK_REQUIRE_SERVICES=1. */
const natsSkip = await serviceUnavailable('nats', { url: NATS_URL });

/** Collects messages; `wait(n)` resolves once n arrived (or rejects after a generous timeout). */
function collector<T = unknown>() {
  const messages: BusMessage<T>[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    messages,
    push(message: BusMessage<T>) {
      messages.push(message);
      for (const w of waiters.filter((w) => messages.length >= w.n)) w.resolve();
    },
    wait(n: number, timeoutMs = 10_000): Promise<BusMessage<T>[]> {
      if (messages.length >= n) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${messages.length} of ${n} messages`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve(messages);
          },
        });
      });
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const [name, makeBackend, skip] of [
  ['in-process bus', inProcessBackend, false],
  ['NATS JetStream bus', natsBackend, natsSkip],
] as const) {
  describe(name, { skip }, () => {
    let backend: Backend;
    let bus: JobBus;
    before(async () => {
      backend = await makeBackend();
      bus = await backend.open();
    });
    after(async () => {
      await bus?.close();
      await backend?.cleanup();
    });

    test('delivers published messages in order, with their id, subject and bigint payload', async () => {
      const subject = bus.subjects.assigned('0xaa01');
      const got = collector<{ jobId: bigint; n: number }>();
      const sub = await bus.subscribe(subject, (m) => got.push(m as BusMessage<{ jobId: bigint; n: number }>));
      for (let n = 0; n < 3; n++) await bus.publish(subject, { jobId: 2n ** 70n + BigInt(n), n }, { id: `pub-${n}` });
      const messages = await got.wait(3);
      assert.deepEqual(
        messages.map((m) => [m.subject, m.id, m.data.jobId, m.data.n, m.deliveryCount, m.redelivered]),
        [0, 1, 2].map((n) => [subject, `pub-${n}`, 2n ** 70n + BigInt(n), n, 1, false]),
      );
      assert.ok(messages[0].seq < messages[1].seq && messages[1].seq < messages[2].seq);
      await sub.close();
    });

    test('a wildcard filter receives every matching subject and nothing else', async () => {
      const got = collector();
      const sub = await bus.subscribe(bus.subjects.resultsAll, (m) => got.push(m));
      await bus.publish(bus.subjects.assigned('0xaa02'), { not: 'a result' });
      await bus.publish(bus.subjects.results(1n), { job: 1 });
      await bus.publish(bus.subjects.results(2n), { job: 2 });
      const messages = await got.wait(2);
      await sleep(100);
      assert.deepEqual(
        messages.map((m) => m.subject),
        [bus.subjects.results(1n), bus.subjects.results(2n)],
      );
      await sub.close();
    });

    test('redelivers a message after its handler throws', async () => {
      const subject = bus.subjects.assigned('0xaa03');
      const got = collector();
      const errors: boolean[] = [];
      const sub = await bus.subscribe(
        subject,
        (m) => {
          got.push(m);
          if (m.deliveryCount === 1) throw new Error('provider busy');
        },
        { backoffMs: 50, onError: (_e, _m, { willRetry }) => errors.push(willRetry) },
      );
      await bus.publish(subject, { job: 3 }, { id: 'redeliver-me' });
      const [first, second] = await got.wait(2);
      assert.equal(first.id, 'redeliver-me');
      assert.equal(second.id, 'redeliver-me');
      assert.equal(second.deliveryCount, 2);
      assert.equal(second.redelivered, true);
      assert.deepEqual(errors, [true]);
      await sub.close();
    });

    test('gives a message up after maxDeliver failed deliveries', async () => {
      const subject = bus.subjects.assigned('0xaa04');
      const got = collector();
      const errors: boolean[] = [];
      const sub = await bus.subscribe(
        subject,
        (m) => {
          got.push(m);
          throw new Error('always fails');
        },
        { backoffMs: 20, maxDeliver: 2, onError: (_e, _m, { willRetry }) => errors.push(willRetry) },
      );
      await bus.publish(subject, { job: 4 });
      await got.wait(2);
      await sleep(300);
      assert.equal(got.messages.length, 2);
      assert.deepEqual(errors, [true, false]);
      await sub.close();
    });

    test('stores a re-published message id once (de-duplication)', async () => {
      const subject = bus.subjects.assigned('0xaa05');
      const first = await bus.publish(subject, { job: 5 }, { id: 'assign:5:0xaa05:0' });
      const again = await bus.publish(subject, { job: 5 }, { id: 'assign:5:0xaa05:0' });
      assert.equal(first.duplicate, false);
      assert.equal(again.duplicate, true);
      assert.equal(again.seq, first.seq);
      const got = collector();
      const sub = await bus.subscribe(subject, (m) => got.push(m));
      await got.wait(1);
      await sleep(200);
      assert.equal(got.messages.length, 1);
      await sub.close();
    });

    test('a durable consumer resumes after close and reopen, without repeating acked messages', async () => {
      const subject = bus.subjects.assigned('0xaa06');
      const worker = await backend.open('worker');
      const got1 = collector();
      await worker.subscribe(subject, (m) => got1.push(m), { durable: 'runner' });
      await bus.publish(subject, { n: 1 }, { id: 'resume-1' });
      await got1.wait(1);
      await worker.close();

      await bus.publish(subject, { n: 2 }, { id: 'resume-2' });
      await bus.publish(subject, { n: 3 }, { id: 'resume-3' });

      const reopened = await backend.open('worker');
      const got2 = collector();
      await reopened.subscribe(subject, (m) => got2.push(m), { durable: 'runner' });
      const messages = await got2.wait(2);
      await sleep(200);
      assert.deepEqual(
        messages.map((m) => m.id),
        ['resume-2', 'resume-3'],
      );
      await reopened.close();
    });

    test('closing a subscription hands fetched but unhandled messages back at once', async () => {
      const subject = bus.subjects.assigned('0xaa0b');
      for (let i = 0; i < 5; i++) await bus.publish(subject, { i }, { id: `handback-${i}` });
      const first = collector();
      const slow = await backend.open('slow');
      await slow.subscribe(
        subject,
        async (m) => {
          first.push(m);
          await sleep(100);
        },
        { durable: 'slow' },
      );
      await first.wait(1);
      await slow.close(); // waits for the running handler, returns the prefetched rest
      const handled = first.messages.map((m) => m.id);

      const again = await backend.open('slow');
      const rest = collector();
      await again.subscribe(subject, (m) => rest.push(m), { durable: 'slow' }); // ack wait is 30 s: no waiting on it
      await rest.wait(5 - handled.length, 5_000);
      assert.deepEqual(
        [...handled, ...rest.messages.map((m) => m.id)].sort(),
        [0, 1, 2, 3, 4].map((i) => `handback-${i}`),
      );
      await again.close();
    });

    test('subscriptions sharing a durable share its messages (work queue)', async () => {
      const subject = bus.subjects.assigned('0xaa07');
      const seen: string[] = [];
      const handler = async (m: BusMessage) => {
        seen.push(m.id);
        await sleep(5);
      };
      const a = await bus.subscribe(subject, handler, { durable: 'pool' });
      const b = await bus.subscribe(subject, handler, { durable: 'pool' });
      for (let i = 0; i < 20; i++) await bus.publish(subject, { i }, { id: `wq-${i}` });
      for (let i = 0; i < 200 && seen.length < 20; i++) await sleep(25);
      await sleep(100);
      assert.deepEqual([...seen].sort(), Array.from({ length: 20 }, (_, i) => `wq-${i}`).sort());
      await Promise.all([a.close(), b.close()]);
    });

    test('an idempotent handler does its work once per message id across consumers', async () => {
      const subject = bus.subjects.results(8n);
      const store = createMemoryIdempotencyStore();
      let work = 0;
      const got = collector();
      const handler = idempotent(async (m: BusMessage) => {
        work++;
        got.push(m);
      }, store);
      const raw = collector();
      const a = await bus.subscribe(
        subject,
        async (m) => {
          await handler(m);
          raw.push(m);
        },
        { durable: 'idem-a' },
      );
      const b = await bus.subscribe(
        subject,
        async (m) => {
          await handler(m);
          raw.push(m);
        },
        { durable: 'idem-b' },
      );
      await bus.publish(subject, { job: 8 }, { id: 'result:8:0xaa08' });
      await raw.wait(2); // both consumers got it
      assert.equal(work, 1);
      await Promise.all([a.close(), b.close()]);
    });

    test('refuses bad subjects and a durable reused with another filter', async () => {
      await assert.rejects(bus.publish(`${bus.subjects.prefix}.jobs.*`, {}), InvalidSubjectError);
      await assert.rejects(bus.publish('elsewhere.jobs', {}), InvalidSubjectError);
      await assert.rejects(bus.publish(`${bus.subjects.prefix}..x`, {}), InvalidSubjectError);
      const sub = await bus.subscribe(bus.subjects.assigned('0xaa09'), () => {}, { durable: 'fixed' });
      await assert.rejects(
        bus.subscribe(bus.subjects.assigned('0xaa10'), () => {}, { durable: 'fixed' }),
        ConsumerConflictError,
      );
      await sub.close();
    });
  });
}
