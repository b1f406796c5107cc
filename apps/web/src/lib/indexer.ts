/**
 * Waiting for the node's index to catch up with a transaction, so that pages opened next (the new asset, a
 * licence just bought) find it instead of a 404.
 */
import { getChainStatus, getTransaction, type SoukClient } from '@souk/sdk';

/**
 * Resolves once the node's indexer has applied the block of `hash` (or after `timeoutMs`, whichever comes first).
 * @example
 * ```ts
 * await waitForIndexed(client, { hash: minted.transactionHash })
 * ```
 */
export async function waitForIndexed(
  client: SoukClient,
  { hash, timeoutMs = 20_000, intervalMs = 250 }: { hash: string; timeoutMs?: number; intervalMs?: number },
): Promise<void> {
  const until = Date.now() + timeoutMs;
  const { blockNumber } = await getTransaction(client, { hash });
  const target = BigInt(blockNumber);
  while (Date.now() < until) {
    const status = await getChainStatus(client);
    if (status.indexerLag !== null && BigInt(status.blockNumber) - BigInt(status.indexerLag) >= target) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
