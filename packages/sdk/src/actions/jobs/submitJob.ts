import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

export type SubmitJobParameters = {
  /** The model (or agent) asset to run. */
  assetId: bigint | string;
  /** `uploadId` of the input, from `uploadContent`. */
  uploadId: string;
  /** Providers that must agree, 1…5. @default 2 */
  redundancy?: number | undefined;
  /** Escrowed reward, wei of `currency` (the most the job can cost). */
  rewardWei: bigint;
  /** ERC-20 to pay in; absent: the chain's native currency. */
  currency?: `0x${string}` | undefined;
  /** Seconds from now until the commit deadline. @default 900 */
  deadlineSeconds?: number | undefined;
  /** `submit` (node signs for devnet accounts) or `unsigned` (returns transactions for your wallet). */
  mode?: 'submit' | 'unsigned' | undefined;
};
export type SubmitJobReturnType = {
  /** Decimal job id; null when returned unsigned. */
  jobId: string | null;
  /** `0x` + SHA-256 of the input plaintext, as escrowed on-chain. */
  inputHash: string;
  /** Commit deadline, Unix seconds. */
  deadline: number;
  transactionHashes: string[];
  transactions: Array<{ chainId: number; to: string; data: string; value: string }> | null;
};
export type SubmitJobErrorType = SoukApiError | SoukError;

/**
 * Submits a compute job (`POST /api/v1/jobs`): the reward is escrowed in ComputeMarket and the node's scheduler
 * assigns providers. Requires sign-in.
 * @throws {SoukApiError} 400 (dataset, no runtime), 403 (someone else's upload), 404 (asset, upload), 422 (revert,
 * e.g. `SoukInvalidReward`).
 * @example
 * ```ts
 * const { uploadId } = await uploadContent(client, { data: png })
 * const { jobId } = await submitJob(client, { assetId: 1n, uploadId, rewardWei: 10n ** 16n })
 * ```
 */
export function submitJob(client: SoukClient, parameters: SubmitJobParameters): Promise<SubmitJobReturnType> {
  const { assetId, rewardWei, ...rest } = parameters;
  return client.json('/api/v1/jobs', {
    method: 'POST',
    body: { assetId: String(assetId), rewardWei: String(rewardWei), ...rest },
  });
}
