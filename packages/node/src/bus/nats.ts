/**
 * The NATS JetStream job bus (`NATS_URL`): many nodes and providers on many machines share one stream.
 *
 * - Stream: `<stream>` (default `SOUK_JOBS`) capturing `<prefix>.>`, file storage, limits retention (max age),
 *   a de-duplication window on `Nats-Msg-Id`.
 * - Publish: `js.publish(subject, payload, { msgID })`, resolved with the stream's ack (`duplicate` when the id was
 *   seen inside the window).
 * - Subscribe: a durable pull consumer `<consumerPrefix>-<durable>` with `AckPolicy.Explicit`, one filter subject,
 *   `max_deliver`; handler success → `ack()`, a throw → `nak(backoff)`, the last allowed delivery failing →
 *   `term()`. While a handler runs the message is kept alive with `working()` so a slow handler is not redelivered.
 */
import { randomUUID } from 'node:crypto';
import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import { assertSubject, consumerName, createSubjects } from '@souk/protocol';
import { decodePayload, encodePayload } from './codec.ts';
import { BusClosedError, BusTransportError, ConsumerConflictError } from './errors.ts';
import {
  type BusHandler,
  type BusMessage,
  type BusSubscription,
  type JobBus,
  redeliveryDelayMs,
  reportHandlerError,
  type SubscribeOptions,
  subscribeDefaults,
} from './types.ts';

/** Options of {@link createNatsBus}. */
export type NatsBusOptions = {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222` (the node's `NATS_URL`, comma-separated allowed). */
  servers: string | string[];
  /** JetStream stream name; created when missing. @default 'SOUK_JOBS' */
  stream?: string | undefined;
  /** Root token of every subject; the stream captures `<subjectPrefix>.>`. @default 'souk' */
  subjectPrefix?: string | undefined;
  /** Prefix of durable consumer names: one per logical service (processes sharing it share consumers). @default 'souk-node' */
  consumerPrefix?: string | undefined;
  /** De-duplication window of the stream, in ms (used when creating it). @default 120_000 */
  duplicateWindowMs?: number | undefined;
  /** Longest a message is kept, in ms (used when creating the stream). @default 86_400_000 (24 h) */
  maxAgeMs?: number | undefined;
  /** Connection name shown by the server. @default 'souk-node' */
  name?: string | undefined;
  /** Connection timeout, in ms. @default 5_000 */
  timeoutMs?: number | undefined;
  /**
   * Life of each pull request, in ms (≥ 1_000): an idle subscription re-pulls this often, and closing one takes up to
   * this long (its last request is drained, not abandoned). @default 1_000
   */
  pullExpiresMs?: number | undefined;
  /** Called with errors of the pull loop (the loop retries after 1 s), e.g. to log them. */
  onTransportError?: ((error: unknown) => void) | undefined;
};

/**
 * Connects to NATS, makes sure the stream exists, and returns the JetStream job bus.
 *
 * @param options Servers, stream, prefixes and stream limits.
 * @returns The bus.
 * @throws {BusTransportError} When the server is unreachable, JetStream is disabled, or the stream cannot be created
 *   (e.g. another stream already captures the subjects).
 *
 * @example
 * ```ts
 * import { createNatsBus } from './nats.ts'
 * const bus = await createNatsBus({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' })
 * await bus.subscribe(bus.subjects.resultsAll, async (msg) => { await recordResult(msg.data) }, { durable: 'results' })
 * await bus.publish(bus.subjects.results(7n), { provider, commitment }, { id: `result:7:${provider}` })
 * await bus.close()
 * ```
 */
export async function createNatsBus({
  servers,
  stream = 'SOUK_JOBS',
  subjectPrefix = 'souk',
  consumerPrefix = 'souk-node',
  duplicateWindowMs = 120_000,
  maxAgeMs = 86_400_000,
  name = 'souk-node',
  timeoutMs = 5_000,
  pullExpiresMs = 1_000,
  onTransportError,
}: NatsBusOptions): Promise<JobBus> {
  const subjects = createSubjects(subjectPrefix);
  const serverList = (Array.isArray(servers) ? servers : servers.split(',')).map((s) => s.trim()).filter(Boolean);
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: serverList, name, timeout: timeoutMs });
  } catch (cause) {
    throw new BusTransportError(`Cannot connect to NATS at ${serverList.join(', ')}.`, {
      details: { servers: serverList },
      cause,
    });
  }
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  try {
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    await ensureStream(jsm, stream, subjects.all, duplicateWindowMs, maxAgeMs);
  } catch (cause) {
    await nc.close().catch(() => {});
    if (cause instanceof BusTransportError) throw cause;
    throw new BusTransportError(`Cannot set up JetStream stream ${stream}.`, { details: { stream }, cause });
  }

  const subscriptions = new Set<BusSubscription>();
  let closed = false;

  return {
    kind: 'nats',
    subjects,
    async publish(subject, data, { id = randomUUID() } = {}) {
      if (closed) throw new BusClosedError();
      assertSubject(subject, { prefix: subjectPrefix, filter: false });
      try {
        const ack = await js.publish(subject, encodePayload(data), { msgID: id, expect: { streamName: stream } });
        return { seq: ack.seq, id, duplicate: ack.duplicate };
      } catch (cause) {
        throw new BusTransportError(`Publish to ${subject} failed.`, { details: { subject, stream, id }, cause });
      }
    },
    async subscribe<T>(subject: string, handler: BusHandler<T>, options: SubscribeOptions = {}) {
      if (closed) throw new BusClosedError();
      assertSubject(subject, { prefix: subjectPrefix, filter: true });
      const durable = consumerName(consumerPrefix, subject, options.durable);
      const o: ResolvedOptions = { ...subscribeDefaults, ...stripUndefined(options) };
      await ensureConsumer(jsm, stream, durable, subject, o);
      let consumer: Consumer;
      try {
        consumer = await js.consumers.get(stream, durable);
      } catch (cause) {
        throw new BusTransportError(`Cannot consume from ${durable}.`, { details: { stream, durable }, cause });
      }
      let closing = false;
      let wake: (() => void) | undefined;
      // Pull in batches of `prefetch`, each request living at most `pullExpiresMs`. On close the current batch is
      // drained, never abandoned: a pull request abandoned on the server would still receive messages (and hide them
      // for ack_wait). Messages that arrive after close() began are nak'd with a delay longer than the request's
      // life, so they are redelivered to a future subscriber rather than to this expiring request.
      const loop = (async () => {
        while (!closing) {
          try {
            const batch = await consumer.fetch({ max_messages: o.prefetch, expires: pullExpiresMs });
            for await (const m of batch) {
              if (closing) m.nak(pullExpiresMs + 500);
              else await handle(m, handler as BusHandler<unknown>, o);
            }
          } catch (error) {
            if (closing || closed) break;
            onTransportError?.(error);
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 1_000);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
        }
      })();
      let done: Promise<void> | undefined;
      const subscription: BusSubscription = {
        consumer: durable,
        close() {
          done ??= (async () => {
            closing = true;
            wake?.();
            await loop;
            subscriptions.delete(subscription);
          })();
          return done;
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.close()));
      await nc.drain().catch(() => {});
    },
  };
}

type ResolvedOptions = {
  deliverPolicy: 'all' | 'new';
  maxDeliver: number;
  backoffMs: number;
  maxBackoffMs: number;
  ackWaitMs: number;
  prefetch: number;
  onError?: SubscribeOptions['onError'];
};

const stripUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

async function handle(m: JsMsg, handler: BusHandler<unknown>, o: ResolvedOptions): Promise<void> {
  const deliveryCount = m.info.deliveryCount;
  let message: BusMessage;
  try {
    message = {
      subject: m.subject,
      id: m.headers?.get('Nats-Msg-Id') || `${m.info.stream}:${m.seq}`,
      data: decodePayload(m.data),
      seq: m.seq,
      deliveryCount,
      redelivered: m.redelivered,
      publishedAtMs: m.time.getTime(),
    };
  } catch (error) {
    // An undecodable payload never gets better: give it up now.
    m.term('undecodable payload');
    const raw = {
      subject: m.subject,
      id: '',
      data: undefined,
      seq: m.seq,
      deliveryCount,
      redelivered: false,
      publishedAtMs: 0,
    };
    reportHandlerError(o.onError, error, raw, false);
    return;
  }
  // Keep the message alive while the handler runs, so a slow handler is not redelivered to someone else.
  const keepAlive = setInterval(() => m.working(), Math.max(100, Math.floor(o.ackWaitMs / 3)));
  try {
    await handler(message);
    m.ack();
  } catch (error) {
    const willRetry = deliveryCount < o.maxDeliver;
    if (willRetry) m.nak(redeliveryDelayMs(deliveryCount, o.backoffMs, o.maxBackoffMs));
    else m.term(`handler failed ${deliveryCount} times`);
    reportHandlerError(o.onError, error, message, willRetry);
  } finally {
    clearInterval(keepAlive);
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  duplicateWindowMs: number,
  maxAgeMs: number,
): Promise<void> {
  try {
    await jsm.streams.info(stream);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await jsm.streams.add({
    name: stream,
    subjects: [subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: nanos(duplicateWindowMs),
    max_age: nanos(maxAgeMs),
  });
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  filter: string,
  o: ResolvedOptions,
): Promise<void> {
  try {
    const info = await jsm.consumers.info(stream, durable);
    const existing = info.config.filter_subject ?? info.config.filter_subjects?.join(',') ?? '';
    if (existing !== filter) throw new ConsumerConflictError({ durable, existing, requested: filter });
    // Apply the mutable settings of this subscription.
    await jsm.consumers.update(stream, durable, { ack_wait: nanos(o.ackWaitMs), max_deliver: o.maxDeliver });
    return;
  } catch (error) {
    if (error instanceof ConsumerConflictError) throw error;
    if (!isNotFound(error)) {
      throw new BusTransportError(`Cannot read consumer ${durable}.`, { details: { stream, durable }, cause: error });
    }
  }
  try {
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      filter_subject: filter,
      deliver_policy: o.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      ack_wait: nanos(o.ackWaitMs),
      max_deliver: o.maxDeliver,
    });
  } catch (cause) {
    throw new BusTransportError(`Cannot create consumer ${durable}.`, { details: { stream, durable }, cause });
  }
}

const isNotFound = (error: unknown): boolean =>
  error instanceof Error &&
  ((error as { code?: unknown }).code === 10059 ||
    (error as { code?: unknown }).code === 10014 ||
    /not found/i.test(error.message));
