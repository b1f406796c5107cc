/**
 * The chain indexer: follows the logs of the Souk contracts (AgentNFT, Marketplace, Licenses, ProviderRegistry,
 * ComputeEscrow) into the database, in block ranges from its checkpoint to `head − confirmations`.
 *
 * - **Atomic batches.** Each batch's events, the hashes of its blocks and the checkpoint are written in one
 *   transaction, so a crash never leaves a batch half-applied.
 * - **Idempotent.** Every log is first recorded in `chain_events` (keyed by `tx_hash, log_index`); only logs not
 *   already there are applied, so indexing a range twice changes nothing.
 * - **Reorgs.** Before each batch the stored hash of the checkpoint block is compared with the chain's. On a
 *   mismatch the indexer walks back through the stored `blocks` to the last one the chain still has, deletes every
 *   event row above it and rebuilds the state rows of the entities those events touched by replaying the events that
 *   remain (`apply.ts`: state is a pure fold of events, so no chain reads are needed). When no stored block is still
 *   on the chain, it starts over from the deployment block.
 * - Governance parameter events (fees, treasury, split, periods, stake minimum …), approvals and payment credits are
 *   kept generically in `chain_events` only.
 */
import type { SoukDeployment } from '@souk/contracts';
import type { Kysely } from 'kysely';
import type { Address, Block, Hex, Log, PublicClient } from 'viem';
import { invalidateReads } from '../db/queries.ts';
import type { Database } from '../db/schema.ts';
import { rebuildEntities, recordEvent, recountResults } from './apply.ts';
import { ChainMovedError, IndexerStateError, InvalidDeploymentError, RpcError } from './errors.ts';
import { contractsByAddress, decodeSoukLog, type SoukEvent } from './events.ts';

export type { SoukEvent } from './events.ts';

/** Parameters of {@link createIndexer}. */
export type CreateIndexerParameters = {
  /** The database (opened with `openDatabase`). */
  db: Kysely<Database>;
  /** Client of the chain the contracts live on. */
  publicClient: PublicClient;
  /** Addresses and deployment block of the contracts. */
  deployment: SoukDeployment;
  /** Blocks to stay behind the head; 0 suits a devnet, use ~12+ on L1 mainnet. @default 0 */
  confirmations?: number | undefined;
  /** Most blocks fetched and applied per batch (per transaction). @default 1000 */
  batchSize?: number | undefined;
  /** Milliseconds between polls once caught up. @default 1000 */
  pollIntervalMs?: number | undefined;
  /** Checkpoint name, so several indexers can share a database. @default 'souk' */
  name?: string | undefined;
  /** First block to index. @default deployment.blockNumber */
  startBlock?: bigint | undefined;
  /** Block hashes kept for reorg detection, in blocks behind the checkpoint. @default 2048 */
  reorgWindow?: number | undefined;
  /** Called for each newly applied event, in chain order, after its batch committed. Errors are reported to `onError`. */
  onEvent?: ((event: SoukEvent) => void | Promise<void>) | undefined;
  /** Called after a reorg was rolled back. */
  onReorg?: ((reorg: IndexerReorg) => void | Promise<void>) | undefined;
  /** Called with errors of the polling loop (it keeps going). @default logs with console.error */
  onError?: ((error: unknown) => void) | undefined;
};

/** A rolled-back reorg. */
export type IndexerReorg = {
  /** Checkpoint block whose hash no longer matched. */
  detectedAt: bigint;
  /** Last block still on the chain: everything above was removed. */
  commonAncestor: bigint;
  /** Events removed. */
  removedEvents: number;
  /** State entities rebuilt (`asset:1`, `job:2`, …). */
  entities: string[];
};

/** What {@link Indexer.syncOnce} did. */
export type SyncResult = {
  /** First block applied (checkpoint + 1 when nothing was to do). */
  from: bigint;
  /** Last block applied, i.e. the checkpoint now. */
  to: bigint;
  /** Events newly applied. */
  events: number;
  /** Reorgs rolled back on the way. */
  reorgs: IndexerReorg[];
};

/** The last block fully indexed. */
export type Checkpoint = { blockNumber: bigint; blockHash: Hex | null };

/** A chain indexer (see {@link createIndexer}). */
export type Indexer = {
  /** Starts polling in the background: catch up, then sync every `pollIntervalMs`. Resolves at once. */
  start(): Promise<void>;
  /** Stops polling; resolves once the batch in progress has committed its checkpoint. Idempotent. */
  stop(): Promise<void>;
  /** Catches up to `head − confirmations` (rolling back reorgs first), in batches. */
  syncOnce(): Promise<SyncResult>;
  /** Blocks between the chain head and the checkpoint (0 when caught up). */
  lag(): Promise<number>;
  /** The checkpoint: last block fully indexed (`startBlock − 1` before the first batch). */
  checkpoint(): Promise<Checkpoint>;
  /** Whether the polling loop runs. */
  readonly running: boolean;
};

const MAX_RETRIES = 5;

/**
 * Creates an indexer of the Souk contracts into the database.
 *
 * @example
 * ```ts
 * import { createIndexer } from './indexer/index.ts'
 * const indexer = createIndexer({ db, publicClient, deployment, confirmations: 0, onEvent: (e) => console.log(e.eventName) })
 * await indexer.start()
 * // …
 * await indexer.stop()
 * ```
 * @throws {InvalidDeploymentError} when the deployment lacks a contract address or its block number.
 */
export function createIndexer({
  db,
  publicClient,
  deployment,
  confirmations = 0,
  batchSize = 1000,
  pollIntervalMs = 1000,
  name = 'souk',
  startBlock,
  reorgWindow = 2048,
  onEvent,
  onReorg,
  onError = (error) => console.error('[indexer]', error),
}: CreateIndexerParameters): Indexer {
  const byAddress = contractsByAddress(deployment);
  const addresses = [...byAddress.keys()] as Address[];
  let first: bigint;
  try {
    first = startBlock ?? BigInt(deployment.blockNumber);
  } catch (cause) {
    throw new InvalidDeploymentError(`Invalid deployment block number "${deployment.blockNumber}".`, { cause });
  }
  if (first < 0n) first = 0n;
  if (!(batchSize >= 1) || !(confirmations >= 0)) {
    throw new IndexerStateError('batchSize must be ≥ 1 and confirmations ≥ 0.');
  }

  let loop: Promise<void> | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;
  /** Serialises syncs (the loop and direct `syncOnce` calls). */
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };

  const rpc = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (cause) {
      throw new RpcError(`RPC ${what} failed.`, { cause });
    }
  };
  const getBlock = (blockNumber: bigint) =>
    rpc(`getBlock(${blockNumber})`, () => publicClient.getBlock({ blockNumber, includeTransactions: false }));
  /** The block at `blockNumber`, or null when the chain is shorter (after a reorg to a shorter chain). */
  const getBlockOrNull = async (blockNumber: bigint): Promise<Block | null> => {
    const head = await rpc('getBlockNumber', () => publicClient.getBlockNumber({ cacheTime: 0 }));
    return blockNumber > head ? null : getBlock(blockNumber);
  };

  async function readCheckpoint(): Promise<Checkpoint> {
    const row = await db
      .selectFrom('indexer_checkpoints')
      .select(['block_number', 'block_hash'])
      .where('name', '=', name)
      .executeTakeFirst();
    return row
      ? { blockNumber: BigInt(row.block_number), blockHash: row.block_hash as Hex | null }
      : { blockNumber: first - 1n, blockHash: null };
  }

  async function writeCheckpoint(trx: Kysely<Database>, checkpoint: Checkpoint): Promise<void> {
    const values = {
      block_number: Number(checkpoint.blockNumber),
      block_hash: checkpoint.blockHash,
      updated_at: new Date(),
    };
    await trx
      .insertInto('indexer_checkpoints')
      .values({ name, ...values })
      .onConflict((oc) => oc.column('name').doUpdateSet(values))
      .execute();
  }

  /** Rolls back to the last stored block the chain still has. */
  async function rollBack(checkpoint: Checkpoint): Promise<IndexerReorg> {
    const stored = await db
      .selectFrom('blocks')
      .select(['number', 'hash'])
      .where('number', '<=', Number(checkpoint.blockNumber))
      .orderBy('number', 'desc')
      .execute();
    let ancestor: Checkpoint = { blockNumber: first - 1n, blockHash: null };
    for (const block of stored) {
      const onChain = await getBlockOrNull(BigInt(block.number));
      if (onChain?.hash === block.hash) {
        ancestor = { blockNumber: BigInt(block.number), blockHash: block.hash as Hex };
        break;
      }
    }
    const above = Number(ancestor.blockNumber);
    const result = await db.transaction().execute(async (trx) => {
      const touched = await trx
        .selectFrom('chain_events')
        .select('entity')
        .distinct()
        .where('block_number', '>', above)
        .where('entity', 'is not', null)
        .execute();
      const removed = await trx.deleteFrom('chain_events').where('block_number', '>', above).executeTakeFirst();
      for (const table of [
        'transfers',
        'sales',
        'licence_purchases',
        'order_settlements',
        'escrow_movements',
      ] as const) {
        await trx.deleteFrom(table).where('block_number', '>', above).execute();
      }
      await trx.deleteFrom('blocks').where('number', '>', above).execute();
      const entities = touched.map((row) => row.entity as string).sort();
      await rebuildEntities(trx, entities);
      await recountResults(trx); // settlements above the ancestor are gone: so are the results they counted
      await writeCheckpoint(trx, ancestor);
      return { removedEvents: Number(removed.numDeletedRows), entities };
    });
    invalidateReads(); // committed: cached list pages are stale
    return { detectedAt: checkpoint.blockNumber, commonAncestor: ancestor.blockNumber, ...result };
  }

  type Fetched = { to: bigint; toBlock: Block; logs: Log[]; blocks: Map<bigint, Block> };

  /** Fetches the logs of [from, to] with their blocks, checking that they all belong to one chain. */
  async function fetchBatch(from: bigint, to: bigint, parent: Hex | null): Promise<Fetched> {
    const toBlock = await getBlock(to);
    let logs: Log[];
    try {
      logs = await publicClient.getLogs({ address: addresses, fromBlock: from, toBlock: to });
    } catch (cause) {
      // Providers cap the logs or the range of one call: halve the range and try again.
      if (to > from) return fetchBatch(from, from + (to - from) / 2n, parent);
      throw new RpcError(`RPC getLogs(${from}…${to}) failed.`, { cause });
    }
    const blocks = new Map<bigint, Block>([[to, toBlock]]);
    if (parent) {
      const fromBlock = from === to ? toBlock : await getBlock(from);
      blocks.set(from, fromBlock);
      if (fromBlock.parentHash !== parent) throw new ChainMovedError(from - 1n, parent, fromBlock.parentHash);
    }
    for (const log of logs) {
      const number = log.blockNumber as bigint;
      let block = blocks.get(number);
      if (!block) {
        block = await getBlock(number);
        blocks.set(number, block);
      }
      if (block.hash !== log.blockHash) throw new ChainMovedError(number, String(log.blockHash), String(block.hash));
    }
    const again = await getBlock(to);
    if (again.hash !== toBlock.hash) throw new ChainMovedError(to, String(toBlock.hash), String(again.hash));
    logs.sort((a, b) =>
      a.blockNumber === b.blockNumber
        ? (a.logIndex as number) - (b.logIndex as number)
        : (a.blockNumber as bigint) < (b.blockNumber as bigint)
          ? -1
          : 1,
    );
    return { to, toBlock, logs, blocks };
  }

  /** One step: roll back a reorg, or apply one batch. Returns null when caught up. */
  async function step(): Promise<
    { kind: 'reorg'; reorg: IndexerReorg } | { kind: 'batch'; from: bigint; to: bigint; events: SoukEvent[] } | null
  > {
    const checkpoint = await readCheckpoint();
    if (checkpoint.blockHash) {
      const onChain = await getBlockOrNull(checkpoint.blockNumber);
      if (onChain?.hash !== checkpoint.blockHash) return { kind: 'reorg', reorg: await rollBack(checkpoint) };
    }
    const head = await rpc('getBlockNumber', () => publicClient.getBlockNumber({ cacheTime: 0 }));
    const target = head - BigInt(confirmations);
    if (checkpoint.blockNumber >= target) return null;
    const from = checkpoint.blockNumber + 1n;
    const last = from + BigInt(batchSize) - 1n;
    const { to, toBlock, logs, blocks } = await fetchBatch(from, last < target ? last : target, checkpoint.blockHash);

    const timestampOf = (number: bigint) => new Date(Number((blocks.get(number) as Block).timestamp) * 1000);
    const applied: SoukEvent[] = [];
    await db.transaction().execute(async (trx) => {
      for (const log of logs) {
        const contract = byAddress.get(log.address.toLowerCase());
        if (!contract) continue;
        const event = decodeSoukLog(log, contract, timestampOf(log.blockNumber as bigint));
        if (!event) continue; // a log the ABI does not describe (cannot happen with matching ABIs)
        if (await recordEvent(trx, event, log)) applied.push(event);
      }
      const rows = [...blocks.values()].map((block) => ({
        number: Number(block.number),
        hash: block.hash as string,
        timestamp: new Date(Number(block.timestamp) * 1000),
      }));
      await trx
        .insertInto('blocks')
        .values(rows)
        .onConflict((oc) => oc.column('number').doUpdateSet((eb) => ({ hash: eb.ref('excluded.hash') })))
        .execute();
      await trx
        .deleteFrom('blocks')
        .where('number', '<', Number(to) - reorgWindow)
        .execute();
      await writeCheckpoint(trx, { blockNumber: to, blockHash: toBlock.hash as Hex });
    });
    invalidateReads(); // committed: cached list pages are stale
    return { kind: 'batch', from, to, events: applied };
  }

  async function deliver(events: SoukEvent[]): Promise<void> {
    if (!onEvent) return;
    for (const event of events) {
      try {
        await onEvent(event);
      } catch (error) {
        onError(error);
      }
    }
  }

  async function sync(shouldStop: () => boolean): Promise<SyncResult> {
    const start = await readCheckpoint();
    const result: SyncResult = { from: start.blockNumber + 1n, to: start.blockNumber, events: 0, reorgs: [] };
    let retries = 0;
    while (!shouldStop()) {
      let outcome: Awaited<ReturnType<typeof step>>;
      try {
        outcome = await step();
      } catch (error) {
        if (error instanceof ChainMovedError && retries++ < MAX_RETRIES) continue;
        throw error;
      }
      retries = 0;
      if (!outcome) break;
      if (outcome.kind === 'reorg') {
        result.reorgs.push(outcome.reorg);
        if (outcome.reorg.commonAncestor + 1n < result.from) result.from = outcome.reorg.commonAncestor + 1n;
        result.to = outcome.reorg.commonAncestor;
        if (onReorg) {
          try {
            await onReorg(outcome.reorg);
          } catch (error) {
            onError(error);
          }
        }
        continue;
      }
      result.to = outcome.to;
      result.events += outcome.events.length;
      await deliver(outcome.events);
    }
    return result;
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  return {
    get running() {
      return loop !== undefined;
    },
    async start() {
      if (loop) throw new IndexerStateError('The indexer is already running.');
      stopping = false;
      loop = (async () => {
        while (!stopping) {
          try {
            await exclusive(() => sync(() => stopping));
          } catch (error) {
            onError(error);
          }
          if (!stopping) await sleep(pollIntervalMs);
        }
      })();
    },
    async stop() {
      if (!loop) return;
      stopping = true;
      wake?.();
      await loop;
      loop = undefined;
    },
    syncOnce() {
      return exclusive(() => sync(() => false));
    },
    async lag() {
      const [head, checkpoint] = await Promise.all([
        rpc('getBlockNumber', () => publicClient.getBlockNumber({ cacheTime: 0 })),
        readCheckpoint(),
      ]);
      const lag = head - checkpoint.blockNumber;
      return lag > 0n ? Number(lag) : 0;
    },
    checkpoint: readCheckpoint,
  };
}
