/**
 * Errors of the compute scheduler (`src/scheduler`): one base class, {@link SchedulerError}, and one subclass per
 * failure a caller may want to tell apart. Every error has a literal `name`, a one-line `shortMessage` and
 * machine-readable `details`, so the API can map it to an RFC 9457 problem+json response without parsing messages.
 */

/** Parameters shared by every scheduler error. */
export type SchedulerErrorOptions = {
  /** Machine-readable facts about the failure (counts, limits, hints). */
  details?: Readonly<Record<string, unknown>> | undefined;
  /** The lower-level error this one wraps, when there is one. */
  cause?: unknown;
};

/**
 * Base class of every error thrown by `src/scheduler`.
 *
 * @example
 * ```ts
 * import { SchedulerError } from './errors.ts'
 * try { selectProviders(providers, job, { now: Date.now(), heartbeatTimeoutMs: 30_000 }) }
 * catch (err) { if (err instanceof SchedulerError) console.error(err.name, err.details) }
 * ```
 */
export class SchedulerError extends Error {
  override name: string = 'SchedulerError';
  /** The message without details, fit for an API response title. */
  readonly shortMessage: string;
  /** Machine-readable facts about the failure. */
  readonly details: Readonly<Record<string, unknown>>;

  /**
   * @param shortMessage One sentence saying what went wrong.
   * @param options Details and cause.
   */
  constructor(shortMessage: string, { details = {}, cause }: SchedulerErrorOptions = {}) {
    super(shortMessage, cause === undefined ? undefined : { cause });
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/** Why a provider was not eligible for a job; counted per reason in {@link NotEnoughProvidersError}. */
export type RejectReason =
  /** Its last heartbeat is older than the heartbeat timeout. */
  | 'stale'
  /** The caller excluded it (e.g. it already failed this job). */
  | 'excluded'
  /** It does not advertise the job's runtime. */
  | 'runtime'
  /** It does not advertise the job's pipeline. */
  | 'pipeline'
  /** It does not advertise the job's execution provider. */
  | 'executionProvider'
  /** It has less memory than the job needs. */
  | 'memory'
  /** Its ask is above the job's maximum price per provider. */
  | 'overBudget'
  /** Every slot is busy (`running >= maxConcurrency`). */
  | 'full'
  /** Its stake is below the minimum stake, so the contract would refuse it. */
  | 'understaked';

/**
 * Thrown by `selectProviders` when fewer than r providers of distinct operators pass every filter.
 * `details.rejected` counts the rejected providers per {@link RejectReason}, to tell a requester what to relax.
 *
 * @example
 * ```ts
 * import { NotEnoughProvidersError } from './errors.ts'
 * try { selectProviders(providers, job, opts) }
 * catch (err) { if (err instanceof NotEnoughProvidersError) console.log(err.needed, err.eligible, err.rejected) }
 * ```
 */
export class NotEnoughProvidersError extends SchedulerError {
  override name = 'NotEnoughProvidersError' as const;
  /** Providers the job needs (its redundancy r). */
  readonly needed: number;
  /** Providers that passed every filter (some may share an operator). */
  readonly eligible: number;
  /** Distinct operators among the eligible providers: the most providers that can be picked together. */
  readonly distinctOperators: number;
  /** Rejected providers, counted per reason. */
  readonly rejected: Readonly<Record<RejectReason, number>>;

  /** @param params Counts found by the selection. */
  constructor({
    needed,
    eligible,
    distinctOperators,
    rejected,
  }: {
    needed: number;
    eligible: number;
    distinctOperators: number;
    rejected: Readonly<Record<RejectReason, number>>;
  }) {
    super(
      `Not enough providers: the job needs ${needed} of distinct operators, ${distinctOperators} available (${eligible} eligible providers).`,
      { details: { needed, eligible, distinctOperators, rejected } },
    );
    this.needed = needed;
    this.eligible = eligible;
    this.distinctOperators = distinctOperators;
    this.rejected = rejected;
  }
}

/** Thrown when score weights or scoring options are invalid (negative, not finite, or all zero). */
export class InvalidScoreOptionsError extends SchedulerError {
  override name = 'InvalidScoreOptionsError' as const;
  /** @param params What is wrong. */
  constructor({ reason }: { reason: string }) {
    super(`Invalid scoring options: ${reason}.`, { details: { reason } });
  }
}

/** Thrown when job requirements are unusable, e.g. a redundancy outside 1..5. */
export class InvalidJobRequirementsError extends SchedulerError {
  override name = 'InvalidJobRequirementsError' as const;
  /** @param params What is wrong. */
  constructor({ reason }: { reason: string }) {
    super(`Invalid job requirements: ${reason}.`, { details: { reason } });
  }
}

/**
 * Thrown by `JobQueue.enqueue` when the queue holds `maxQueued` jobs (backpressure). `retryAfterMs` estimates when
 * a slot frees up, from the observed dequeue rate; an HTTP route sends it as `Retry-After` (rounded up to seconds).
 *
 * @example
 * ```ts
 * import { QueueFullError } from './errors.ts'
 * try { queue.enqueue(job) }
 * catch (err) { if (err instanceof QueueFullError) reply.header('retry-after', err.retryAfterSeconds).code(503) }
 * ```
 */
export class QueueFullError extends SchedulerError {
  override name = 'QueueFullError' as const;
  /** Jobs queued when the enqueue was refused. */
  readonly size: number;
  /** The queue's limit. */
  readonly maxQueued: number;
  /** Suggested wait before retrying, in milliseconds. */
  readonly retryAfterMs: number;
  /** `retryAfterMs` rounded up to whole seconds, for an HTTP `Retry-After` header. */
  readonly retryAfterSeconds: number;

  /** @param params Queue state and the retry hint. */
  constructor({ size, maxQueued, retryAfterMs }: { size: number; maxQueued: number; retryAfterMs: number }) {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(`The job queue is full (${size}/${maxQueued}); retry in ${retryAfterMs} ms.`, {
      details: { size, maxQueued, retryAfterMs, retryAfterSeconds },
    });
    this.size = size;
    this.maxQueued = maxQueued;
    this.retryAfterMs = retryAfterMs;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Thrown by `JobQueue.enqueue` for a job whose deadline has already passed: it can only be refunded. */
export class JobDeadlinePassedError extends SchedulerError {
  override name = 'JobDeadlinePassedError' as const;
  /** @param params The job and the times compared, in milliseconds since the epoch. */
  constructor({ jobId, deadlineMs, now }: { jobId: bigint; deadlineMs: number; now: number }) {
    super(`Job ${jobId} cannot be queued: its deadline passed ${now - deadlineMs} ms ago.`, {
      details: { jobId: jobId.toString(), deadlineMs, now },
    });
  }
}
