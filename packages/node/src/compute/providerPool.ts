/**
 * The node's live view of providers: what each advertised in its last heartbeat (price, pipelines, load, cached
 * models) joined with what the chain says about it (stake, stake locked in the registry, and the result counters the
 * index takes from the ComputeEscrow's settlements). The scheduler selects from {@link ProviderPool.snapshots}.
 *
 * `snapshots({ minFreeStakeWei })` leaves out providers whose free stake (stake − locked) is below a bound; the
 * order coordinator filters on the registry's minimum stake instead (`selectProviders`' `minStakeWei`), since the
 * ComputeEscrow locks no stake per order.
 */
import type { HeartbeatMessage } from '@souk/protocol';
import type { Address } from 'viem';
import type { SoukDb } from '../db/index.ts';
import type { ProviderSnapshot } from '../scheduler/score.ts';

/** A provider as the pool sees it: the scheduler's snapshot plus its stake locks. */
export type PoolSnapshot = ProviderSnapshot & {
  /** SOUK wei of `stake` locked by the provider's open assignments (index of `StakeLocked`/`StakeUnlocked`). */
  lockedStake: bigint;
  /** `stake − lockedStake`, SOUK wei: what a new assignment can still lock. */
  freeStake: bigint;
};

/** Options of {@link ProviderPool.snapshots}. */
export type SnapshotOptions = {
  /**
   * Leave out providers whose free stake (stake − locked, SOUK wei) is below this: the job's slash amount, which an
   * assignment locks (less would revert with `SoukInsufficientFreeStake`). @default 0n (nobody left out)
   */
  minFreeStakeWei?: bigint | undefined;
};

/** Live providers. */
export type ProviderPool = {
  /** Records a heartbeat. */
  heartbeat(message: HeartbeatMessage, receivedAtMs?: number): void;
  /**
   * Snapshots of every provider heard from and registered on-chain, with stake, locked stake and reputation from the
   * index; those with less free stake than `options.minFreeStakeWei` are left out.
   */
  snapshots(options?: SnapshotOptions): Promise<PoolSnapshot[]>;
  /** The last heartbeats, by lower-case address. */
  live(): Map<string, { message: HeartbeatMessage; receivedAtMs: number }>;
  /** Counts a job as running on a provider until its next heartbeat (so one tick does not overload it). */
  reserve(address: string): void;
};

/**
 * Creates the pool.
 * @param db - The index (table `providers`).
 */
export function createProviderPool(db: SoukDb): ProviderPool {
  const beats = new Map<string, { message: HeartbeatMessage; receivedAtMs: number }>();
  const reserved = new Map<string, number>();
  return {
    heartbeat(message, receivedAtMs = Date.now()) {
      const key = message.address.toLowerCase();
      const previous = beats.get(key);
      if (previous && previous.message.sentAtMs > message.sentAtMs) return; // out of order (redelivery)
      beats.set(key, { message, receivedAtMs });
      reserved.delete(key);
    },
    live: () => beats,
    reserve(address) {
      const key = address.toLowerCase();
      reserved.set(key, (reserved.get(key) ?? 0) + 1);
    },
    async snapshots({ minFreeStakeWei = 0n } = {}) {
      if (beats.size === 0) return [];
      const rows = await db
        .selectFrom('providers')
        .select(['address', 'stake', 'locked_stake', 'completed', 'failed', 'slashed'])
        .where('address', 'in', [...beats.keys()])
        .execute();
      const chain = new Map(rows.map((r) => [r.address, r]));
      const out: PoolSnapshot[] = [];
      for (const [key, { message, receivedAtMs }] of beats) {
        const row = chain.get(key);
        if (!row) continue; // not registered on-chain (yet, as far as the index knows)
        const stake = BigInt(row.stake);
        const lockedStake = BigInt(row.locked_stake);
        const freeStake = stake > lockedStake ? stake - lockedStake : 0n;
        if (freeStake < minFreeStakeWei) continue; // an assignment would revert (SoukInsufficientFreeStake)
        out.push({
          address: key as Address,
          operator: message.operator,
          stake,
          lockedStake,
          freeStake,
          completed: Number(row.completed),
          failed: Number(row.failed),
          slashed: Number(row.slashed),
          priceWei: BigInt(message.priceWei),
          runtimes: message.runtimes,
          pipelines: message.pipelines,
          executionProviders: message.executionProviders,
          memoryBytes: message.memoryBytes,
          maxConcurrency: message.maxConcurrency,
          running: message.running + (reserved.get(key) ?? 0),
          latencyMs: message.latencyMs,
          cachedModels: message.cachedModels,
          lastHeartbeatMs: receivedAtMs,
        });
      }
      return out;
    },
  };
}
