/**
 * Errors of the Souk provider, on one base class (viem's `BaseError` pattern, as `@souk/sdk` does): a short message,
 * optional details, a literal `name`, and `walk()` over the `cause` chain.
 */
import { FormatError } from '@souk/protocol';

/**
 * Base of every provider error.
 *
 * @example
 * ```ts
 * import { ProviderError } from '@souk/provider';
 * try { await runtime.run(job) } catch (error) { if (error instanceof ProviderError) console.error(error.shortMessage) }
 * ```
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  /** One-line summary. */
  readonly shortMessage: string;
  /** More detail (e.g. the underlying ONNX Runtime message). */
  readonly details: string | undefined;
  constructor(shortMessage: string, { details, cause }: { details?: string | undefined; cause?: unknown } = {}) {
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, { cause });
    this.shortMessage = shortMessage;
    this.details = details;
  }
  /**
   * The first error in the `cause` chain (this one included) that `predicate` accepts.
   * @param predicate - Test applied to each error of the chain.
   * @returns The matching error, or `undefined`.
   */
  walk(predicate: (error: unknown) => boolean): unknown {
    let error: unknown = this;
    while (error) {
      if (predicate(error)) return error;
      error = (error as { cause?: unknown }).cause;
    }
    return undefined;
  }
}

/**
 * The job was aborted through its `AbortSignal` (or the runtime was closed). When it was running, its worker thread
 * was terminated and a fresh one replaced it.
 *
 * @example
 * ```ts
 * import { JobCancelledError } from '@souk/provider';
 * const controller = new AbortController();
 * const pending = runtime.run(job, { signal: controller.signal });
 * controller.abort();
 * await pending.catch((error) => error instanceof JobCancelledError); // true
 * ```
 */
export class JobCancelledError extends ProviderError {
  override name = 'JobCancelledError' as const;
  /** The abort reason given to `AbortController.abort(reason)`, if any. */
  readonly reason: unknown;
  constructor({ reason, details }: { reason?: unknown; details?: string | undefined } = {}) {
    super('The job was cancelled.', { details, cause: reason instanceof Error ? reason : undefined });
    this.reason = reason;
  }
}

/**
 * The job did not finish within its deadline; its worker thread was terminated and a fresh one replaced it.
 *
 * @example
 * ```ts
 * import { JobDeadlineError } from '@souk/provider';
 * await runtime.run(job, { deadlineMs: 10 }).catch((error) => error instanceof JobDeadlineError);
 * ```
 */
export class JobDeadlineError extends ProviderError {
  override name = 'JobDeadlineError' as const;
  /** The time budget that was exceeded, in milliseconds. */
  readonly deadlineMs: number;
  constructor({ deadlineMs }: { deadlineMs: number }) {
    super(`The job did not finish within its deadline of ${deadlineMs} ms.`);
    this.deadlineMs = deadlineMs;
  }
}

/**
 * The job failed: invalid input, a model ONNX Runtime rejected, or a worker thread that crashed.
 *
 * @example
 * ```ts
 * import { JobFailedError } from '@souk/provider';
 * await runtime.run(job).catch((error) => error instanceof JobFailedError && console.error(error.details));
 * ```
 */
export class JobFailedError extends ProviderError {
  override name = 'JobFailedError' as const;
  constructor({ details, cause }: { details: string; cause?: unknown }) {
    super('The job failed.', { details, cause });
  }
}

/**
 * The input or a model given to a pipeline is malformed (wrong dtype, dims that do not match the data, a bad `.npy`).
 *
 * @example
 * ```ts
 * import { InvalidInputError, parseNpy } from '@souk/provider';
 * try { parseNpy(new Uint8Array(3)) } catch (error) { error instanceof InvalidInputError } // true
 * ```
 */
export class InvalidInputError extends ProviderError {
  override name = 'InvalidInputError' as const;
  constructor(shortMessage: string, { details }: { details?: string | undefined } = {}) {
    super(shortMessage, { details });
  }
}

/**
 * Runs `read` and re-throws a `FormatError` of `@souk/protocol` (a malformed tensor, `.npy` file or run-length mask)
 * as an {@link InvalidInputError} with the same short message and details, so that a bad input fails a job as
 * `invalid-input` (`classifyJobFailure`) and the node's input check sees the provider's error. Other errors pass
 * through unchanged.
 * @param read - A call of a `@souk/protocol` format function.
 * @returns What `read` returns.
 * @throws {InvalidInputError} In place of a `FormatError`.
 * @example
 * ```ts
 * import { parseNpy as parseNpyFormat } from '@souk/protocol';
 * const tensor = asInvalidInput(() => parseNpyFormat(bytes));
 * ```
 */
export function asInvalidInput<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof FormatError) throw new InvalidInputError(error.shortMessage, { details: error.details });
    throw error;
  }
}

/**
 * The runtime was closed; it accepts no more jobs.
 *
 * @example
 * ```ts
 * import { RuntimeClosedError } from '@souk/provider';
 * await runtime.close();
 * await runtime.run(job).catch((error) => error instanceof RuntimeClosedError); // true
 * ```
 */
export class RuntimeClosedError extends ProviderError {
  override name = 'RuntimeClosedError' as const;
  constructor() {
    super('The runtime is closed.');
  }
}

/**
 * The node refused a provider request (job access, download, result upload), or sent bytes that do not match their
 * hash.
 *
 * @example
 * ```ts
 * import { NodeRequestError } from '@souk/provider';
 * try { await agent.runAssignment(message); } catch (e) { if (e instanceof NodeRequestError) console.warn(e.details); }
 * ```
 */
export class NodeRequestError extends ProviderError {
  override name = 'NodeRequestError' as const;
  constructor(shortMessage: string, { details }: { details?: string | undefined } = {}) {
    super(shortMessage, { details });
  }
}
