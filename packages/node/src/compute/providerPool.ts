/**
 * The node's live view of providers: what each advertised in its last heartbeat (price, pipelines, load, cached
 * models) joined with what the chain says about it (stake and reputation counters, from the index). The scheduler
 * selects from {@link ProviderPool.snapshots}.
 */
import type { HeartbeatMessage } from '@souk/provider';
import type { Address } from 'viem';
import type { SoukDb } from '../db/index.ts';
import type { ProviderSnapshot } from '../scheduler/score.ts';

/** Live providers. */
export type ProviderPool = {
  /** Records a heartbeat. */
  heartbeat(message: HeartbeatMessage, receivedAtMs?: number): void;
  /** Snapshots of every provider heard from, with on-chain stake and reputation from the index. */
  snapshots(): Promise<ProviderSnapshot[]>;
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
    async snapshots() {
      if (beats.size === 0) return [];
      const rows = await db
        .selectFrom('providers')
        .select(['address', 'stake', 'completed', 'failed', 'slashed'])
        .where('address', 'in', [...beats.keys()])
        .execute();
      const chain = new Map(rows.map((r) => [r.address, r]));
      const out: ProviderSnapshot[] = [];
      for (const [key, { message, receivedAtMs }] of beats) {
        const row = chain.get(key);
        if (!row) continue; // not registered on-chain (yet, as far as the index knows)
        out.push({
          address: key as Address,
          operator: message.operator,
          stake: BigInt(row.stake),
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
