/**
 * Errors of the job bus (`src/bus`): one base class, {@link BusError}, with a literal `name`, a one-line
 * `shortMessage`, machine-readable `details` and the wrapped `cause` (e.g. the NATS client's error).
 */

/** Parameters shared by every bus error. */
export type BusErrorOptions = {
  /** Machine-readable facts about the failure (subject, stream, consumer). */
  details?: Readonly<Record<string, unknown>> | undefined;
  /** The lower-level error this one wraps, when there is one. */
  cause?: unknown;
};

/**
 * Base class of every error thrown by `src/bus`.
 *
 * @example
 * ```ts
 * import { BusError } from './errors.ts'
 * try { await bus.publish(subject, data) } catch (err) { if (err instanceof BusError) log.warn(err.details, err.shortMessage) }
 * ```
 */
export class BusError extends Error {
  override name: string = 'BusError';
  /** The message without details. */
  readonly shortMessage: string;
  /** Machine-readable facts about the failure. */
  readonly details: Readonly<Record<string, unknown>>;

  /**
   * @param shortMessage One sentence saying what went wrong.
   * @param options Details and cause.
   */
  constructor(shortMessage: string, { details = {}, cause }: BusErrorOptions = {}) {
    const reason = cause instanceof Error ? `\n\nDetails: ${cause.message}` : '';
    super(shortMessage + reason, cause === undefined ? undefined : { cause });
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/** Thrown when publishing or subscribing on a bus that was closed. */
export class BusClosedError extends BusError {
  override name = 'BusClosedError' as const;
  constructor() {
    super('The job bus is closed.');
  }
}

/** Thrown for a subject the bus cannot use: empty tokens, spaces, wildcards in a publish, or outside the bus prefix. */
export class InvalidSubjectError extends BusError {
  override name = 'InvalidSubjectError' as const;
  /** @param params The subject and what is wrong with it. */
  constructor({ subject, reason }: { subject: string; reason: string }) {
    super(`Invalid subject "${subject}": ${reason}.`, { details: { subject, reason } });
  }
}

/** Thrown when a durable consumer exists with a different subject filter than the one subscribed with. */
export class ConsumerConflictError extends BusError {
  override name = 'ConsumerConflictError' as const;
  /** @param params The durable name and both filters. */
  constructor({ durable, existing, requested }: { durable: string; existing: string; requested: string }) {
    super(`Durable consumer "${durable}" already filters "${existing}", not "${requested}".`, {
      details: { durable, existing, requested },
    });
  }
}

/** Thrown when the NATS server or JetStream fails a publish, a stream or a consumer operation. */
export class BusTransportError extends BusError {
  override name = 'BusTransportError' as const;
}
