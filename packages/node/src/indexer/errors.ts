/**
 * Errors of the chain indexer, on one base class ({@link IndexerError}) with a literal `name`, a short message,
 * optional details and the underlying `cause`.
 */

/** Base class of every indexer error. */
export class IndexerError extends Error {
  override name: string = 'IndexerError';
  /** The message without details. */
  readonly shortMessage: string;
  /** Extra context (e.g. the RPC's message). */
  readonly details: string | undefined;

  constructor(shortMessage: string, options: { cause?: unknown; details?: string | undefined } = {}) {
    const details = options.details ?? (options.cause instanceof Error ? options.cause.message : undefined);
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/** Thrown when the chain changed under a batch being fetched (a reorg in flight); the batch is retried. */
export class ChainMovedError extends IndexerError {
  override name = 'ChainMovedError' as const;
  constructor(blockNumber: bigint, expected: string, actual: string) {
    super(`Block ${blockNumber} changed while fetching a batch (${expected} → ${actual}).`);
  }
}

/** Thrown when the RPC fails (getLogs, getBlock …); the poll loop retries on its next tick. */
export class RpcError extends IndexerError {
  override name = 'RpcError' as const;
}

/** Thrown when a deployment lacks an address or block the indexer needs. */
export class InvalidDeploymentError extends IndexerError {
  override name = 'InvalidDeploymentError' as const;
}

/** Thrown by `syncOnce` after `stop()` was called, or when starting an indexer that is already running. */
export class IndexerStateError extends IndexerError {
  override name = 'IndexerStateError' as const;
}
