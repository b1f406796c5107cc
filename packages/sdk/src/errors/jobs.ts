/**
 * Errors of compute jobs, on the SDK's one base ({@link SoukError}).
 */
import { SoukError } from './base.ts';

/**
 * The job ended `failed`: its input is one the model cannot take (a provider reported it, signed, and the node's
 * referee reproduced it before calling `ComputeMarket.failJob`). The requester was refunded in full and no provider
 * was slashed.
 *
 * @example
 * ```ts
 * import { JobFailedError, runJob } from '@souk/sdk'
 * const handle = await runJob(client, { assetId, input, maxPriceWei })
 * try {
 *   await handle.result()
 * } catch (error) {
 *   if (error instanceof JobFailedError) console.error(`job ${error.jobId} failed: ${error.reason}`)
 * }
 * ```
 */
export class JobFailedError extends SoukError {
  override name = 'JobFailedError' as const;
  /** The job id. */
  readonly jobId: bigint;
  /** What is wrong with the input (the referee's words), or `unknown reason` when the node does not know it. */
  readonly reason: string;
  /** `invalid-input` or `invalid-argument`, when known. */
  readonly code: string | undefined;
  /** The provider that reported it, when known. */
  readonly reportedBy: string | undefined;
  /** Whether the node's referee reproduced the failure. */
  readonly reproducedByReferee: boolean;
  /** The `failJob` transaction, when known. */
  readonly transactionHash: string | undefined;
  constructor({
    jobId,
    reason,
    code,
    reportedBy,
    reproducedByReferee = false,
    transactionHash,
  }: {
    jobId: bigint;
    reason?: string | null | undefined;
    code?: string | null | undefined;
    reportedBy?: string | null | undefined;
    reproducedByReferee?: boolean | undefined;
    transactionHash?: string | null | undefined;
  }) {
    const why = reason ?? 'unknown reason';
    super(`Job ${jobId} failed: its input is one the model cannot take.`, {
      details: `${why}${reproducedByReferee ? ' (reproduced by the referee)' : ''}; refunded in full, nobody slashed`,
    });
    this.jobId = jobId;
    this.reason = why;
    this.code = code ?? undefined;
    this.reportedBy = reportedBy ?? undefined;
    this.reproducedByReferee = reproducedByReferee;
    this.transactionHash = transactionHash ?? undefined;
  }
}
