/**
 * The in-process job bus: the embedded default (no `NATS_URL`). It models the JetStream semantics the NATS bus has —
 * a stream with limits retention and a de-duplication window, durable consumers with explicit acks, nak with
 * backoff, `maxDeliver` — on an `EventEmitter`, so code and tests behave alike on both. Messages live in memory: a
 * process restart loses them, which is the embedded node's trade-off (its jobs are also on-chain and re-read by the
 * indexer).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { assertSubject, consumerName, createSubjects, subjectMatches } from '@souk/protocol';
import { decodePayload, encodePayload } from './codec.ts';
import { BusClosedError, ConsumerConflictError } from './errors.ts';
import {
  type BusHandler,
  type BusMessage,
  type BusSubscription,
  type JobBus,
  type PublishAck,
  redeliveryDelayMs,
  reportHandlerError,
  type SubscribeOptions,
  subscribeDefaults,
} from './types.ts';

type Stored = { seq: number; subject: string; id: string; payload: Uint8Array; timeMs: number };

type Attached = {
  handler: BusHandler<unknown>;
  busy: boolean;
  settled: Promise<void>;
  options: Required<Omit<SubscribeOptions, 'durable' | 'onError' | 'deliverPolicy'>> &
    Pick<SubscribeOptions, 'onError'>;
};

type ConsumerState = {
  name: string;
  filter: string;
  /** Sequences waiting for delivery, oldest first. */
  ready: number[];
  /** Deliveries so far of each message not yet acked or terminated. */
  deliveries: Map<number, number>;
  /** Redelivery timers of nak'd messages. */
  timers: Set<NodeJS.Timeout>;
  attached: Attached[];
};

/** Options of {@link createInProcessBroker}. */
export type InProcessBrokerOptions = {
  /** Window in which a repeated message id is recognised as a duplicate, in ms. @default 120_000 (JetStream's default) */
  duplicateWindowMs?: number | undefined;
  /** Most messages kept; the oldest are dropped first (limits retention). @default 100_000 */
  maxMessages?: number | undefined;
  /** Longest a message is kept, in ms. @default 86_400_000 (24 h) */
  maxAgeMs?: number | undefined;
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined;
};

/**
 * The in-memory stand-in for a NATS server with one stream: it outlives the buses attached to it, so a bus can be
 * closed and another opened on the same broker, and durable consumers resume (as they would on a server).
 */
export type InProcessBroker = {
  /** Messages stored now. */
  readonly size: number;
  /** Durable consumer names. */
  consumers(): string[];
};

type BrokerInternals = InProcessBroker & {
  store(subject: string, id: string, payload: Uint8Array): PublishAck;
  consumer(name: string, filter: string, deliverPolicy: 'all' | 'new'): ConsumerState;
  message(seq: number): Stored | undefined;
  pump(state: ConsumerState): void;
};

const brokers = new WeakMap<InProcessBroker, BrokerInternals>();

/**
 * Creates an in-memory broker (one stream). Pass it to several {@link createInProcessBus} calls to share messages
 * between them, or to reopen a bus after `close()`.
 *
 * @param options Retention and de-duplication limits.
 * @returns The broker.
 *
 * @example
 * ```ts
 * import { createInProcessBroker, createInProcessBus } from './inProcess.ts'
 * const broker = createInProcessBroker()
 * const a = createInProcessBus({ broker })
 * const b = createInProcessBus({ broker }) // sees a's messages
 * ```
 */
export function createInProcessBroker({
  duplicateWindowMs = 120_000,
  maxMessages = 100_000,
  maxAgeMs = 86_400_000,
  now = Date.now,
}: InProcessBrokerOptions = {}): InProcessBroker {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const messages = new Map<number, Stored>(); // insertion order = sequence order
  const ids = new Map<string, { seq: number; timeMs: number }>(); // insertion order = time order
  const consumers = new Map<string, ConsumerState>();
  let lastSeq = 0;

  const trim = (t: number) => {
    for (const [seq, m] of messages) {
      if (messages.size > maxMessages || t - m.timeMs > maxAgeMs) messages.delete(seq);
      else break;
    }
    for (const [id, entry] of ids) {
      if (t - entry.timeMs > duplicateWindowMs) ids.delete(id);
      else break;
    }
  };

  const deliver = (state: ConsumerState, attached: Attached, stored: Stored, deliveryCount: number) => {
    attached.busy = true;
    const message: BusMessage = {
      subject: stored.subject,
      id: stored.id,
      data: decodePayload(stored.payload),
      seq: stored.seq,
      deliveryCount,
      redelivered: deliveryCount > 1,
      publishedAtMs: stored.timeMs,
    };
    attached.settled = (async () => {
      try {
        await attached.handler(message);
        state.deliveries.delete(stored.seq);
      } catch (error) {
        const { maxDeliver, backoffMs, maxBackoffMs, onError } = attached.options;
        const willRetry = deliveryCount < maxDeliver;
        if (willRetry) {
          const timer = setTimeout(
            () => {
              state.timers.delete(timer);
              state.ready.push(stored.seq);
              internals.pump(state);
            },
            redeliveryDelayMs(deliveryCount, backoffMs, maxBackoffMs),
          );
          timer.unref();
          state.timers.add(timer);
        } else {
          state.deliveries.delete(stored.seq);
        }
        reportHandlerError(onError, error, message, willRetry);
      } finally {
        attached.busy = false;
        internals.pump(state);
      }
    })();
  };

  const internals: BrokerInternals = {
    get size() {
      return messages.size;
    },
    consumers: () => [...consumers.keys()],
    store(subject, id, payload) {
      const t = now();
      trim(t);
      const previous = ids.get(id);
      if (previous !== undefined) return { seq: previous.seq, id, duplicate: true };
      const stored: Stored = { seq: ++lastSeq, subject, id, payload, timeMs: t };
      messages.set(stored.seq, stored);
      ids.set(id, { seq: stored.seq, timeMs: t });
      emitter.emit('message', stored);
      return { seq: stored.seq, id, duplicate: false };
    },
    consumer(name, filter, deliverPolicy) {
      const existing = consumers.get(name);
      if (existing !== undefined) {
        if (existing.filter !== filter) {
          throw new ConsumerConflictError({ durable: name, existing: existing.filter, requested: filter });
        }
        return existing;
      }
      const state: ConsumerState = { name, filter, ready: [], deliveries: new Map(), timers: new Set(), attached: [] };
      if (deliverPolicy === 'all') {
        for (const m of messages.values()) if (subjectMatches(filter, m.subject)) state.ready.push(m.seq);
      }
      emitter.on('message', (m: Stored) => {
        if (!subjectMatches(filter, m.subject)) return;
        state.ready.push(m.seq);
        internals.pump(state);
      });
      consumers.set(name, state);
      return state;
    },
    message: (seq) => messages.get(seq),
    pump(state) {
      while (state.ready.length > 0) {
        const attached = state.attached.find((a) => !a.busy);
        if (attached === undefined) return;
        const seq = state.ready.shift() as number;
        const stored = messages.get(seq);
        if (stored === undefined) {
          state.deliveries.delete(seq); // dropped by retention
          continue;
        }
        const deliveryCount = (state.deliveries.get(seq) ?? 0) + 1;
        state.deliveries.set(seq, deliveryCount);
        deliver(state, attached, stored, deliveryCount);
      }
    },
  };
  brokers.set(internals, internals);
  return internals;
}

/** Options of {@link createInProcessBus}. */
export type InProcessBusOptions = {
  /** The broker to attach to. @default a new broker of its own */
  broker?: InProcessBroker | undefined;
  /** Root token of every subject. @default 'souk' */
  subjectPrefix?: string | undefined;
  /** Prefix of durable consumer names: one per logical service (subscribers sharing it share consumers). @default 'souk-node' */
  consumerPrefix?: string | undefined;
};

/**
 * Creates the in-process job bus. Publishing stores the message in the broker (de-duplicated by id) and emits it to
 * the durable consumers whose filter matches; each consumer hands messages, one at a time per subscription, to its
 * attached subscriptions, acks on success, and on a throw schedules a redelivery after the backoff.
 *
 * @param options Broker, subject prefix and consumer prefix.
 * @returns The bus.
 *
 * @example
 * ```ts
 * import { createInProcessBus } from './inProcess.ts'
 * const bus = createInProcessBus()
 * await bus.subscribe(bus.subjects.assigned('0xabc'), async (msg) => { await run(msg.data) })
 * await bus.publish(bus.subjects.assigned('0xabc'), { jobId: 7n }, { id: 'assign:7:0xabc:0' })
 * await bus.close()
 * ```
 */
export function createInProcessBus({
  broker = createInProcessBroker(),
  subjectPrefix = 'souk',
  consumerPrefix = 'souk-node',
}: InProcessBusOptions = {}): JobBus {
  const internals = brokers.get(broker);
  if (internals === undefined) throw new TypeError('broker must come from createInProcessBroker()');
  const subjects = createSubjects(subjectPrefix);
  const subscriptions = new Set<BusSubscription>();
  let closed = false;

  return {
    kind: 'in-process',
    subjects,
    async publish(subject, data, { id = randomUUID() } = {}) {
      if (closed) throw new BusClosedError();
      assertSubject(subject, { prefix: subjectPrefix, filter: false });
      return internals.store(subject, id, encodePayload(data));
    },
    async subscribe<T>(subject: string, handler: BusHandler<T>, options: SubscribeOptions = {}) {
      if (closed) throw new BusClosedError();
      assertSubject(subject, { prefix: subjectPrefix, filter: true });
      const name = consumerName(consumerPrefix, subject, options.durable);
      const state = internals.consumer(name, subject, options.deliverPolicy ?? subscribeDefaults.deliverPolicy);
      const attached: Attached = {
        handler: handler as BusHandler<unknown>,
        busy: false,
        settled: Promise.resolve(),
        options: {
          maxDeliver: options.maxDeliver ?? subscribeDefaults.maxDeliver,
          backoffMs: options.backoffMs ?? subscribeDefaults.backoffMs,
          maxBackoffMs: options.maxBackoffMs ?? subscribeDefaults.maxBackoffMs,
          ackWaitMs: options.ackWaitMs ?? subscribeDefaults.ackWaitMs,
          prefetch: options.prefetch ?? subscribeDefaults.prefetch,
          onError: options.onError,
        },
      };
      state.attached.push(attached);
      let done = false;
      const subscription: BusSubscription = {
        consumer: name,
        async close() {
          if (done) return;
          done = true;
          const i = state.attached.indexOf(attached);
          if (i >= 0) state.attached.splice(i, 1);
          await attached.settled;
          subscriptions.delete(subscription);
        },
      };
      subscriptions.add(subscription);
      // Deliver what is already waiting, after the caller has its subscription.
      queueMicrotask(() => internals.pump(state));
      return subscription;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.close()));
    },
  };
}
