import { SoukApiError, SoukError } from '../../errors/base.ts';

/** What {@link RunOrderParameters.onReconnecting} is told before each retry while the node cannot be reached. */
export type ReconnectingInfo = {
  /** The order being followed (its EIP-712 hash). */
  orderHash: `0x${string}`;
  /** Retries so far, from 1. */
  attempt: number;
  /** Wait before this retry, ms. */
  delayMs: number;
  /** Why the last request failed (`Cannot reach the Souk node at …`, or a 502/503/504 from a proxy). */
  error: SoukError;
};

/** What {@link RunOrderParameters.onReconnected} is told once the node answers again. */
export type ReconnectedInfo = {
  /** The order being followed (its EIP-712 hash). */
  orderHash: `0x${string}`;
  /** Failed requests before this one. */
  attempts: number;
  /** Time the node was unreachable, ms. */
  downMs: number;
};

/**
 * Whether an SDK error means the node is (for now) unreachable rather than refusing: no answer at all (connection
 * refused or reset, DNS), or 502/503/504 from a proxy or a node still starting. Those are worth retrying; any
 * other answer (4xx, 500) is final.
 * @param error - What an action threw.
 * @returns `true` for a retryable transport failure.
 * @example
 * ```ts
 * import { isNodeUnreachable } from '@souk/sdk'
 * try { await getOrder(client, { orderHash }) } catch (error) { if (!isNodeUnreachable(error)) throw error }
 * ```
 */
export function isNodeUnreachable(error: unknown): error is SoukError {
  if (error instanceof SoukApiError) return error.status === 502 || error.status === 503 || error.status === 504;
  return error instanceof SoukError && error.shortMessage.startsWith('Cannot reach the Souk node');
}

/**
 * Exponential backoff between retries: `baseMs · 2^(attempt − 1)`, capped at `maxMs`.
 * @param attempt - The retry, from 1.
 * @param baseMs - First wait, ms. @default 500
 * @param maxMs - Longest wait, ms. @default 10,000
 * @returns The wait, ms.
 */
export function reconnectDelayMs(attempt: number, baseMs = 500, maxMs = 10_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), maxMs);
}
