/**
 * One base for every SDK error (viem's `BaseError` pattern): a short message, details, and `walk()` over causes.
 */
export class SoukError extends Error {
  override name = 'SoukError';
  /** One-line summary. */
  readonly shortMessage: string;
  /** More detail (e.g. the server's problem `detail`). */
  readonly details: string | undefined;
  constructor(shortMessage: string, { details, cause }: { details?: string | undefined; cause?: unknown } = {}) {
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, { cause });
    this.shortMessage = shortMessage;
    this.details = details;
  }
  /** The first error in the `cause` chain (this one included) that `predicate` accepts. */
  walk(predicate: (error: unknown) => boolean): unknown {
    let error: unknown = this;
    while (error) {
      if (predicate(error)) return error;
      error = (error as { cause?: unknown }).cause;
    }
    return undefined;
  }
}

/** An RFC 9457 problem returned by the node. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: { field: string; message: string }[];
};

/** The node answered with an error status; `problem` is its RFC 9457 body. */
export class SoukApiError extends SoukError {
  override name = 'SoukApiError';
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`${problem.title} (${problem.status} ${problem.code})`, { details: problem.detail });
    this.status = problem.status;
    this.problem = problem;
  }
}
