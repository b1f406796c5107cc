/**
 * The job bus contract, shared by the in-process bus (`inProcess.ts`) and the NATS JetStream bus (`nats.ts`): the
 * node codes against {@link JobBus} and picks an implementation by `NATS_URL` (`createJobBus.ts`).
 *
 * Delivery is at least once: a message is redelivered until a handler returns without throwing, so handlers must be
 * idempotent (wrap them with `idempotent` from `idempotency.ts`, keyed by {@link BusMessage.id}).
 */
import type { BusSubjects } from '@souk/protocol';

/** A message as a handler receives it. */
export type BusMessage<T = unknown> = {
  /** The subject it was published on, e.g. `souk.jobs.assigned.0xabc…`. */
  subject: string;
  /** Its message id (`Nats-Msg-Id`): the publisher's id, or a random UUID; the idempotency key. */
  id: string;
  /** The decoded payload (JSON with `bigint` support, see `codec.ts`). */
  data: T;
  /** Its sequence number in the stream (increasing per stream). */
  seq: number;
  /** How many times it has been delivered to this consumer, 1 on the first delivery. */
  deliveryCount: number;
  /** Whether it was delivered before (`deliveryCount > 1`). */
  redelivered: boolean;
  /** When the stream stored it, in milliseconds since the epoch. */
  publishedAtMs: number;
};

/** A message handler. Returning acknowledges the message; throwing (or rejecting) has it redelivered later. */
export type BusHandler<T = unknown> = (message: BusMessage<T>) => void | Promise<void>;

/** Options of {@link JobBus.publish}. */
export type PublishOptions = {
  /**
   * Message id, for de-duplication: a second publish with the same id inside the duplicate window (2 minutes by
   * default) is stored once. Derive it from what the message means (e.g. `assign:<jobId>:<provider>:<attempt>`) so a
   * retried publish is recognised. @default a random UUID
   */
  id?: string | undefined;
};

/** The stream's answer to a publish. */
export type PublishAck = {
  /** Sequence number of the stored message (of the first copy when `duplicate`). */
  seq: number;
  /** The message id used. */
  id: string;
  /** `true` when a message with this id was already stored inside the duplicate window (nothing new stored). */
  duplicate: boolean;
};

/** Options of {@link JobBus.subscribe}. */
export type SubscribeOptions = {
  /**
   * Durable consumer name, unique per logical subscriber. Subscriptions with the same name (in any process, with
   * the same `consumerPrefix`) share one consumer: each message goes to one of them (work-queue), and a new
   * subscription resumes where the last one stopped. @default derived from the subject
   */
  durable?: string | undefined;
  /** Where a new durable consumer starts: every stored message, or only messages published after it was created. @default 'all' */
  deliverPolicy?: 'all' | 'new' | undefined;
  /** Deliveries before a message is given up (terminated) and reported to `onError` with `willRetry: false`. @default 5 */
  maxDeliver?: number | undefined;
  /** Delay before the first redelivery after a handler error, in ms; doubles per delivery. @default 1_000 */
  backoffMs?: number | undefined;
  /** Cap of the redelivery delay, in ms. @default 30_000 */
  maxBackoffMs?: number | undefined;
  /** How long the server waits for an ack before redelivering (a crashed subscriber), in ms; a running handler extends it. @default 30_000 */
  ackWaitMs?: number | undefined;
  /** Messages fetched ahead of the handler (NATS only). @default 16 */
  prefetch?: number | undefined;
  /** Called when a handler throws; `willRetry` is `false` when the message was given up. */
  onError?: ((error: unknown, message: BusMessage, info: { willRetry: boolean }) => void) | undefined;
};

/** A live subscription. */
export type BusSubscription = {
  /** The full durable consumer name (`<consumerPrefix>-<durable>`). */
  readonly consumer: string;
  /**
   * Stops delivery: waits for the running handler, and hands messages fetched but not yet handled back to the
   * stream. The durable consumer stays; subscribing again with the same name resumes.
   */
  close(): Promise<void>;
};

/** A job bus: durable, at-least-once publish/subscribe over the `souk.…` subjects. */
export type JobBus = {
  /** Which implementation this is. */
  readonly kind: 'in-process' | 'nats';
  /** Subject builders for this bus's prefix. */
  readonly subjects: BusSubjects;
  /**
   * Publishes one message; resolves once the stream stored it (or recognised a duplicate id).
   * @throws {InvalidSubjectError} For a subject with wildcards or outside the bus prefix.
   * @throws {BusClosedError} After `close()`.
   * @throws {BusTransportError} When the server fails the publish.
   */
  publish<T>(subject: string, data: T, options?: PublishOptions): Promise<PublishAck>;
  /**
   * Subscribes a handler to a subject filter (`*` matches one token, `>` the rest) through a durable consumer with
   * explicit acks: handler success acks, a throw naks with backoff (redelivery), and after `maxDeliver` deliveries
   * the message is terminated. Messages are handled one at a time, in order, per subscription.
   * @throws {InvalidSubjectError} For a bad filter.
   * @throws {ConsumerConflictError} When the durable exists with another filter.
   * @throws {BusClosedError} After `close()`.
   */
  subscribe<T>(subject: string, handler: BusHandler<T>, options?: SubscribeOptions): Promise<BusSubscription>;
  /** Closes every subscription (waiting for running handlers), then the connection. Idempotent. */
  close(): Promise<void>;
};

/** Defaults of {@link SubscribeOptions}, shared by both implementations. */
export const subscribeDefaults = Object.freeze({
  deliverPolicy: 'all' as const,
  maxDeliver: 5,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
  ackWaitMs: 30_000,
  prefetch: 16,
});

/**
 * The redelivery delay after the `deliveryCount`-th delivery failed: `backoffMs · 2^(deliveryCount − 1)`, capped.
 *
 * @param deliveryCount The delivery that failed, from 1.
 * @param backoffMs First delay, in ms.
 * @param maxBackoffMs Cap, in ms.
 * @returns The delay, in ms.
 *
 * @example
 * ```ts
 * import { redeliveryDelayMs } from './types.ts'
 * redeliveryDelayMs(3, 1_000, 30_000) // 4_000
 * ```
 */
export function redeliveryDelayMs(deliveryCount: number, backoffMs: number, maxBackoffMs: number): number {
  return Math.min(backoffMs * 2 ** Math.max(0, deliveryCount - 1), maxBackoffMs);
}

/**
 * Reports a handler error to `onError`; without one, logs only messages that are given up (a retried message is not
 * lost). Errors thrown by `onError` itself are swallowed so they cannot break delivery.
 *
 * @param onError The subscription's reporter, if any.
 * @param error What the handler threw.
 * @param message The message.
 * @param willRetry Whether the message will be redelivered.
 *
 * @example
 * ```ts
 * import { reportHandlerError } from './types.ts'
 * reportHandlerError(options.onError, error, message, deliveryCount < maxDeliver)
 * ```
 */
export function reportHandlerError(
  onError: SubscribeOptions['onError'],
  error: unknown,
  message: BusMessage,
  willRetry: boolean,
): void {
  if (onError !== undefined) {
    try {
      onError(error, message, { willRetry });
    } catch {
      // A failing error reporter must not break delivery.
    }
  } else if (!willRetry) {
    console.error(
      `job bus: gave up on message ${message.id} (${message.subject}) after ${message.deliveryCount} deliveries`,
      error,
    );
  }
}
