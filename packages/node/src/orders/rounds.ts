/**
 * Federated runs on the node (`/api/v1/rounds`, docs/training.md): the requester's SDK coordinates the rounds (it
 * signs the update orders); the node keeps the run's timeline, and never takes a round on trust. For each reported
 * round it checks every update order itself — the caller's, on the run's recipe, verified (r providers agreed, or the
 * referee decided), its input a round input of this round starting from the node's own previous aggregate and
 * carrying the same shard as in round 0, its result a round update whose weights hash to the signed weights hash —
 * then computes the FedAvg aggregate itself (`@souk/protocol`'s `fedAvg`) and records it with the round's loss and
 * accuracy. The aggregate is kept, so the next round is checked against it.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  decodeRoundInput,
  fedAvg,
  isRoundInput,
  isRoundTrainOutput,
  MAX_ROUNDS,
  type RoundEntry,
  type RoundRun,
  type RoundUpdate,
} from '@souk/protocol';
import type { Selectable } from 'kysely';
import type { Hex } from 'viem';
import type { RoundEntriesTable, RoundRunsTable } from '../db/schema.ts';
import { ConflictError, ForbiddenError, InvalidOrderError, NotFoundError } from '../errors.ts';
import type { NodeServices } from '../services.ts';
import type { OrderPhase } from './state.ts';
import { findOrder, findOrderResult, orderInput } from './store.ts';

/** Most shards (updates per round) of a run. */
export const MAX_SHARDS = 64;

/** Phases whose result is verified. */
const VERIFIED: readonly OrderPhase[] = ['agreed', 'ready', 'settling', 'settled'];

const sha256 = (bytes: Uint8Array) => `0x${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Declares a run.
 * @throws {InvalidOrderError} (422) For shards or rounds out of range.
 */
export async function createRoundRun(
  { db }: Pick<NodeServices, 'db'>,
  requester: string,
  { recipeId, shards, rounds }: { recipeId: bigint; shards: number; rounds: number },
): Promise<RoundRun> {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
    throw new InvalidOrderError(`A run has 1–${MAX_SHARDS} shards.`);
  }
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS) {
    throw new InvalidOrderError(`A run has 1–${MAX_ROUNDS} rounds.`);
  }
  const row = {
    id: randomUUID(),
    requester: requester.toLowerCase(),
    recipe_id: recipeId.toString(),
    shards,
    rounds,
    created_at: Date.now(),
  };
  await db.insertInto('round_runs').values(row).execute();
  return toRun({ ...row, shard_hashes: null }, []);
}

/**
 * A run and its verified rounds.
 * @throws {NotFoundError} (404) For an unknown run.
 */
export async function getRoundRun({ db }: Pick<NodeServices, 'db'>, id: string): Promise<RoundRun> {
  const run = await db.selectFrom('round_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!run) throw new NotFoundError(`No federated run ${id}.`);
  const entries = await db.selectFrom('round_entries').selectAll().where('run_id', '=', id).orderBy('round').execute();
  return toRun(run, entries);
}

/** The runs a requester declared, newest first (at most 50). */
export async function listRoundRuns({ db }: Pick<NodeServices, 'db'>, requester: string): Promise<RoundRun[]> {
  const runs = await db
    .selectFrom('round_runs')
    .selectAll()
    .where('requester', '=', requester.toLowerCase())
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute();
  return Promise.all(runs.map(async (run) => getRoundRun({ db }, run.id)));
}

/**
 * Verifies a reported round and records the node's own aggregate of it (see the file header).
 * @param parameters.round - The round (0-based): the next one of the run.
 * @param parameters.orders - Its update orders, in shard order.
 * @returns The recorded round.
 * @throws {NotFoundError} (404) Unknown run or order, or an order's input or result this node does not hold.
 * @throws {ForbiddenError} (403) A run or an order of another account.
 * @throws {ConflictError} (409) Not the run's next round, or an order not verified (yet).
 * @throws {InvalidOrderError} (422) The wrong number of orders, a repeated one, another recipe, or an input or
 *   result that is not this round's update (another round, other starting weights, another shard, bad weights).
 */
export async function recordRound(
  services: Pick<NodeServices, 'db' | 'storage' | 'orders'>,
  caller: string,
  runId: string,
  { round, orders }: { round: number; orders: readonly string[] },
): Promise<RoundEntry> {
  const { db } = services;
  const run = await db.selectFrom('round_runs').selectAll().where('id', '=', runId).executeTakeFirst();
  if (!run) throw new NotFoundError(`No federated run ${runId}.`);
  if (run.requester !== caller.toLowerCase()) throw new ForbiddenError('Only the run’s requester reports its rounds.');
  const done = await db
    .selectFrom('round_entries')
    .select(['round', 'aggregate'])
    .where('run_id', '=', runId)
    .orderBy('round')
    .execute();
  if (round !== done.length || round >= run.rounds) {
    throw new ConflictError(
      `Run ${runId} expects round ${done.length} next (of ${run.rounds}); this is round ${round}.`,
    );
  }
  const hashes = orders.map((h) => h.toLowerCase() as Hex);
  if (hashes.length !== run.shards)
    throw new InvalidOrderError(`Run ${runId} has ${run.shards} shards; got ${hashes.length} orders.`);
  if (new Set(hashes).size !== hashes.length) throw new InvalidOrderError('An update order is named twice.');
  const previous = done.at(-1)?.aggregate;
  const expectedShards = run.shard_hashes ? (JSON.parse(run.shard_hashes) as string[]) : undefined;

  const updates: RoundUpdate[] = [];
  const shardHashes: string[] = [];
  let loss = 0;
  let accuracy = 0;
  for (const [k, hash] of hashes.entries()) {
    const order = services.orders?.get(hash) ?? (await findOrder(db, hash));
    if (!order) throw new NotFoundError(`No order ${hash} on this node.`);
    if (order.order.requester.toLowerCase() !== run.requester)
      throw new ForbiddenError(`Order ${hash} is another account’s.`);
    if (order.order.modelId.toString() !== String(run.recipe_id)) {
      throw new InvalidOrderError(
        `Order ${hash} trains asset ${order.order.modelId}, not the run's recipe ${run.recipe_id}.`,
      );
    }
    if (!VERIFIED.includes(order.state.phase) || !order.state.resultHash) {
      throw new ConflictError(`Order ${hash} has no verified result (it is ${order.state.phase}).`);
    }
    const input = await orderInput(services, order);
    if (!isRoundInput(input)) throw new InvalidOrderError(`Order ${hash}'s input is not a round input (SOUKFED1).`);
    const decoded = decodeRoundInput(input);
    if (decoded.round !== round) throw new InvalidOrderError(`Order ${hash} is an update of round ${decoded.round}.`);
    const startsFrom = decoded.weights ? sha256(decoded.weights) : null;
    if (startsFrom !== (previous ? sha256(previous) : null)) {
      throw new InvalidOrderError(`Order ${hash} does not start from round ${round - 1}'s aggregate.`);
    }
    const shard = sha256(decoded.dataset).slice(2);
    if (expectedShards && expectedShards[k] !== shard) {
      throw new InvalidOrderError(`Order ${hash} trains another shard than shard ${k} of round 0.`);
    }
    shardHashes.push(shard);
    const bytes =
      (order.resultCid ? await services.storage.store.getRaw(order.resultCid).catch(() => undefined) : undefined) ??
      (await findOrderResult(db, hash));
    if (!bytes) throw new NotFoundError(`The result of order ${hash} is not held by this node.`);
    const output = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (!isRoundTrainOutput(output) || output.training.round !== round) {
      throw new InvalidOrderError(`Order ${hash}'s result is not a round-${round} update.`);
    }
    const weights = new Uint8Array(Buffer.from(output.training.weights, 'base64'));
    if (sha256(weights) !== output.training.weightsHash) {
      throw new InvalidOrderError(`Order ${hash}'s weights do not hash to the weights hash its providers signed.`);
    }
    const { samples, history } = output.training;
    updates.push({ weights, samples });
    loss += samples * (history.loss.at(-1) as number);
    accuracy += samples * (history.accuracy.at(-1) as number);
  }
  const aggregate = fedAvg(updates);
  const samples = updates.reduce((n, u) => n + u.samples, 0);
  const entry = {
    run_id: runId,
    round,
    orders: JSON.stringify(hashes),
    aggregate,
    aggregate_hash: sha256(aggregate),
    loss: loss / samples,
    accuracy: accuracy / samples,
    samples,
    created_at: Date.now(),
  };
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('round_entries').values(entry).execute();
    if (!expectedShards) {
      await tx
        .updateTable('round_runs')
        .set({ shard_hashes: JSON.stringify(shardHashes) })
        .where('id', '=', runId)
        .execute();
    }
  });
  return toEntry(entry);
}

function toEntry(e: Omit<Selectable<RoundEntriesTable>, 'run_id'> & { run_id?: string }): RoundEntry {
  return {
    round: e.round,
    orders: JSON.parse(e.orders) as string[],
    aggregateHash: e.aggregate_hash,
    loss: e.loss,
    accuracy: e.accuracy,
    samples: e.samples,
    recordedAt: Number(e.created_at),
  };
}

function toRun(run: Selectable<RoundRunsTable>, entries: Selectable<RoundEntriesTable>[]): RoundRun {
  return {
    id: run.id,
    recipeId: String(run.recipe_id),
    requester: run.requester,
    shards: run.shards,
    rounds: run.rounds,
    entries: entries.map(toEntry),
    createdAt: Number(run.created_at),
  };
}
