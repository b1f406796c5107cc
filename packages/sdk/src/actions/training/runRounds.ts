import {
  encodeRoundInput,
  fedAvg,
  isRoundTrainOutput,
  MAX_ROUNDS,
  type RoundTrainOutput,
  type RoundUpdate,
} from '@souk/protocol';
import { sha256 } from 'viem';
import type { SoukClient } from '../../clients/createSoukClient.ts';
import { SoukError } from '../../errors/base.ts';
import { type RunOrderParameters, type RunOrderReturnType, runOrder } from '../orders/runOrder.ts';
import { createRoundRun, recordRound } from './roundRuns.ts';

/** Parameters of {@link runRounds}. */
export type RunRoundsParameters = Pick<
  RunOrderParameters,
  'redundancy' | 'maxPriceWei' | 'currency' | 'deadlineSeconds' | 'account' | 'publicClient' | 'timeoutMs'
> & {
  /** The training recipe (pipeline `train`) every update trains. */
  recipeId: bigint | string;
  /** One labelled `.npz` per participant, in a fixed order (the order FedAvg sums in). 1–64 shards. */
  shards: readonly Uint8Array[];
  /** Rounds to run, 1…`MAX_ROUNDS`. */
  rounds: number;
  /** Weights to start round 0 from (`encodeWeights`); absent: the recipe's seeded initialisation. */
  initialWeights?: Uint8Array | undefined;
  /** Called after each round with its summary (a live curve: loss and accuracy per round). */
  onRound?: ((round: RoundSummary) => void) | undefined;
  /** Awaited before each round's orders are sent (e.g. to top the escrow up for the round). */
  beforeRound?: ((round: number) => Promise<void> | void) | undefined;
  /**
   * Keep the run's timeline on the node (`/api/v1/rounds`): declare the run first, then report each round, which the
   * node verifies and aggregates itself; a node aggregate that differs from the SDK's is an error. @default false
   */
  track?: boolean | undefined;
};

/** One finished round. */
export type RoundSummary = {
  /** 0-based. */
  round: number;
  /** Each shard's verified update order (EIP-712 hash), in shard order. */
  orders: `0x${string}`[];
  /** Each shard's attesting providers, in shard order. */
  providers: `0x${string}`[][];
  /** Each update's weights hash, in shard order. */
  weightsHashes: `0x${string}`[];
  /** SHA-256 of the aggregate the next round starts from. */
  aggregateHash: `0x${string}`;
  /** Sample-weighted mean of the updates' last-epoch loss and training accuracy. */
  loss: number;
  accuracy: number;
  /** Samples in the round (all shards). */
  samples: number;
};

/** What {@link runRounds} returns. */
export type RunRoundsReturnType = {
  /** The final aggregate (`encodeWeights` layout; `decodeWeights` splits it). */
  weights: Uint8Array;
  /** Every round, in order. */
  rounds: RoundSummary[];
  /** The last round's verified updates, in shard order (their `training` output: features, classes, template). */
  last: RunOrderReturnType<RoundTrainOutput>[];
  /** The run on the node, with `track`. */
  runId?: string | undefined;
};

/**
 * Runs a federated training (collaboration rounds, docs/training.md): in each round every shard's update is a
 * training order on the recipe whose input is a round input (`SOUKFED1`: the round, the previous aggregate, the
 * shard), verified like any order — r providers agree on it, and the SDK checks their signed attestations and stake
 * ({@link runOrder}) and that the returned weights are the ones whose hash they signed — then the updates are
 * averaged (`fedAvg`, sample-weighted, McMahan et al. 2017) and the next round starts from the aggregate. A provider
 * whose update disagrees is outvoted by the referee and slashed like on any order; only verified updates are averaged.
 * The updates of one round run concurrently (each is submitted once the previous one is accepted, so nonces never
 * collide). Each update is paid like any order: at most `maxPriceWei` per update.
 * @returns The final aggregate and each round's summary.
 * @throws {SoukError} On a round count out of range, no shards, or an update that is not a verified round update.
 * @throws What {@link runOrder} throws for an update.
 * @example
 * ```ts
 * const { weights, rounds } = await runRounds(client, { recipeId: 5n, shards, rounds: 5, maxPriceWei: parseEther('0.001') })
 * ```
 */
export async function runRounds(
  client: SoukClient,
  { recipeId, shards, rounds, initialWeights, onRound, beforeRound, track, ...order }: RunRoundsParameters,
): Promise<RunRoundsReturnType> {
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS) {
    throw new SoukError(`rounds must be an integer 1…${MAX_ROUNDS}.`);
  }
  if (shards.length < 1 || shards.length > 64) throw new SoukError('Give 1–64 shards.');
  let weights = initialWeights;
  const summaries: RoundSummary[] = [];
  let last: RunOrderReturnType<RoundTrainOutput>[] = [];
  if (track && initialWeights) throw new SoukError('A tracked run starts from the recipe’s initialisation.');
  const runId = track ? (await createRoundRun(client, { recipeId, shards: shards.length, rounds })).id : undefined;
  for (let round = 0; round < rounds; round++) {
    await beforeRound?.(round);
    const runs: Promise<RunOrderReturnType<RoundTrainOutput>>[] = [];
    for (const shard of shards) {
      let accepted: () => void = () => {};
      const acceptance = new Promise<void>((resolve) => {
        accepted = resolve;
      });
      const run = runOrder<RoundTrainOutput>(client, {
        ...order,
        assetId: recipeId,
        input: encodeRoundInput({ round, weights, dataset: shard }),
        onUpdate: () => accepted(),
      });
      runs.push(run);
      await Promise.race([
        acceptance,
        run.then(
          () => undefined,
          () => undefined,
        ),
      ]);
    }
    last = await Promise.all(runs);
    const updates: RoundUpdate[] = last.map((run, k) => {
      if (!isRoundTrainOutput(run.output) || run.output.training.round !== round) {
        throw new SoukError(`Shard ${k}'s order ${run.order.orderHash} returned no update for round ${round}.`);
      }
      const bytes = new Uint8Array(Buffer.from(run.output.training.weights, 'base64'));
      if (sha256(bytes) !== run.output.training.weightsHash) {
        throw new SoukError(`Shard ${k}'s update does not hash to the weights hash its providers signed.`);
      }
      return { weights: bytes, samples: run.output.training.samples };
    });
    weights = fedAvg(updates);
    const samples = updates.reduce((n, u) => n + u.samples, 0);
    const mean = (pick: (history: { loss: number[]; accuracy: number[] }) => number[]) =>
      last.reduce((sum, run) => {
        const series = pick(run.output.training.history);
        return sum + run.output.training.samples * (series[series.length - 1] as number);
      }, 0) / samples;
    const summary: RoundSummary = {
      round,
      orders: last.map((run) => run.order.orderHash as `0x${string}`),
      providers: last.map((run) => run.providers as `0x${string}`[]),
      weightsHashes: last.map((run) => run.output.training.weightsHash),
      aggregateHash: sha256(weights),
      loss: mean((h) => h.loss),
      accuracy: mean((h) => h.accuracy),
      samples,
    };
    if (runId) {
      const entry = await recordRound(client, { runId, round, orders: summary.orders });
      if (entry.aggregateHash !== summary.aggregateHash) {
        throw new SoukError(`The node's aggregate of round ${round} differs from the SDK's.`, {
          details: `node ${entry.aggregateHash}, SDK ${summary.aggregateHash}`,
        });
      }
    }
    summaries.push(summary);
    onRound?.(summary);
  }
  return { weights: weights as Uint8Array, rounds: summaries, last, runId };
}
