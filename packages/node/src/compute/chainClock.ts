/**
 * The chain's notion of "now", for deadlines a transaction is checked against when it is mined.
 *
 * The latest block's timestamp is not it: a chain that mines only when there are transactions (the embedded devnet
 * mines on demand) can sit idle for minutes, and the next block then carries the wall-clock time, so a deadline of
 * `latest.timestamp + 30` is already in the past when the job is mined (`SoukInvalidDeadline(deadline, latest)`).
 * The pending block's timestamp is what the next block will carry (anvil and geth report it; on anvil it also
 * follows `evm_increaseTime`); where the RPC has no pending block, the wall clock stands in for it.
 */
import type { PublicClient } from 'viem';

/**
 * The earliest timestamp the next block can carry, Unix seconds: `max(latest + 1, pending)` — or
 * `max(latest + 1, wall clock)` when the RPC cannot say what is pending.
 * @param publicClient - The chain's client.
 * @returns Unix seconds.
 * @throws The RPC's error when even the latest block cannot be read.
 * @example
 * ```ts
 * const deadline = (await chainNow(chain.publicClient)) + 900 // 15 minutes from the chain's now
 * ```
 */
export async function chainNow(publicClient: Pick<PublicClient, 'getBlock'>): Promise<number> {
  const [latest, pending] = await Promise.all([
    publicClient.getBlock({ blockTag: 'latest' }),
    publicClient.getBlock({ blockTag: 'pending' }).catch(() => undefined),
  ]);
  const next = pending ? Number(pending.timestamp) : Math.floor(Date.now() / 1000);
  return Math.max(Number(latest.timestamp) + 1, next);
}
