/**
 * The base of the job bus's errors, {@link BusError} (a literal `name`, a one-line `shortMessage`, machine-readable
 * `details` and the wrapped `cause`, e.g. the NATS client's error), and the one error of the subject rules
 * ({@link InvalidSubjectError}). The bus implementations (the node's `bus/errors.ts`) extend the same base.
 */

/** Parameters shared by every bus error. */
export type BusErrorOptions = {
  /** Machine-readable facts about the failure (subject, stream, consumer). */
  details?: Readonly<Record<string, unknown>> | undefined;
  /** The lower-level error this one wraps, when there is one. */
  cause?: unknown;
};

/**
 * Base class of every error thrown by a job bus or its subject rules.
 *
 * @example
 * ```ts
 * import { BusError } from '@souk/protocol'
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

/** Thrown for a subject the bus cannot use: empty tokens, spaces, wildcards in a publish, or outside the bus prefix. */
export class InvalidSubjectError extends BusError {
  override name = 'InvalidSubjectError' as const;
  /** @param params The subject and what is wrong with it. */
  constructor({ subject, reason }: { subject: string; reason: string }) {
    super(`Invalid subject "${subject}": ${reason}.`, { details: { subject, reason } });
  }
}
