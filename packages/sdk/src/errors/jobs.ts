/**
 * Errors of compute jobs, on the SDK's one base ({@link SoukError}).
 */
import { SoukError } from './base.ts';

/**
 * The order ended `failed`: its input is one the model cannot take (a provider said so in its reply and the node's
 * referee reproduced it). Nobody is charged (the requester's escrow balance is never debited) and no provider is
 * slashed.
 *
 * @example
 * ```ts
 * import { JobFailedError, runOrder } from '@souk/sdk'
 * try {
 *   await runOrder(client, { assetId, input, maxPriceWei })
 * } catch (error) {
 *   if (error instanceof JobFailedError) console.error(`order ${error.orderHash} failed: ${error.reason}`)
 * }
 * ```
 */
export class JobFailedError extends SoukError {
  override name = 'JobFailedError' as const;
  /** The order's EIP-712 hash. */
  readonly orderHash: `0x${string}`;
  /** What is wrong with the input (the referee's words), or `unknown reason` when the node does not know it. */
  readonly reason: string;
  /** `invalid-input` or `invalid-argument`, when known. */
  readonly code: string | undefined;
  /** Whether the node's referee reproduced the failure. */
  readonly reproducedByReferee: boolean;
  constructor({
    orderHash,
    reason,
    code,
    reproducedByReferee = false,
  }: {
    orderHash: `0x${string}`;
    reason?: string | null | undefined;
    code?: string | null | undefined;
    reproducedByReferee?: boolean | undefined;
  }) {
    const why = reason ?? 'unknown reason';
    super(`Order ${orderHash} failed: its input is one the model cannot take.`, {
      details: `${why}${reproducedByReferee ? ' (reproduced by the referee)' : ''}; nobody charged, nobody slashed`,
    });
    this.orderHash = orderHash;
    this.reason = why;
    this.code = code ?? undefined;
    this.reproducedByReferee = reproducedByReferee;
  }
}
