/**
 * Verified evaluations of models (docs/training.md): the coordinator records an evaluation order's agreed metrics
 * against the model it named ({@link recordEvaluation}); `GET /assets/:id/evaluations` lists them
 * ({@link listEvaluations}).
 */
import { evaluationsAbi } from '@souk/contracts';
import { isEvaluationOutput, type ModelEvaluation } from '@souk/protocol';
import type { Kysely, Selectable } from 'kysely';
import { type Address, getAddress, type Hex } from 'viem';
import { txSenderFor } from '../chain/txSender.ts';
import type { Database } from '../db/index.ts';
import type { ModelEvaluationsTable } from '../db/schema.ts';
import type { NodeServices } from '../services.ts';
import { attestationOf } from './state.ts';
import type { OpenOrder } from './store.ts';

/**
 * Records an agreed evaluation order (no-op for any other order, or a result that is not an evaluation; idempotent).
 * @param db - The node's database.
 * @param order - The order, its state agreed on `resultHash`.
 * @param result - The agreed result bytes.
 * @returns Whether a row was written.
 */
export async function recordEvaluation(
  db: Kysely<Database>,
  order: OpenOrder,
  resultHash: Hex,
  result: Uint8Array,
): Promise<boolean> {
  const evaluation = order.state.evaluation;
  if (!evaluation) return false;
  let output: unknown;
  try {
    output = JSON.parse(new TextDecoder().decode(result));
  } catch {
    return false;
  }
  if (!isEvaluationOutput(output)) return false;
  const e = output.evaluation;
  const providers = order.state.slots
    .filter((slot) => attestationOf(slot, resultHash) !== undefined)
    .map((slot) => slot.provider.toLowerCase())
    .sort();
  await db
    .insertInto('model_evaluations')
    .values({
      order_hash: order.hash,
      model_id: order.order.modelId.toString(),
      model_version: Number(order.order.modelVersion),
      dataset_sha256: evaluation.datasetSha256,
      samples: e.samples,
      classes: e.classes,
      accuracy: e.accuracy,
      precision_macro: e.precision,
      recall_macro: e.recall,
      f1_macro: e.f1,
      confusion: JSON.stringify(e.confusion),
      providers: JSON.stringify(providers),
      result_hash: resultHash,
      created_at: Date.now(),
    })
    .onConflict((oc) => oc.column('order_hash').doNothing())
    .execute();
  return true;
}

/**
 * Puts a recorded evaluation on-chain (`Evaluations.record`, docs/training.md): its metrics in parts per million and
 * the agreeing providers' ResultAttestation signatures, which the contract checks (each signer active, each signing
 * this order's result hash). Sent by the operator through its shared transaction sender (one nonce sequence with
 * the settler); the mined transaction's hash is stored with the record. A failure is logged and leaves the record
 * off-chain (`chainTx` null): the node's record and the providers' signatures still stand.
 * @param services - The node's chain (with the operator key) and database.
 * @param order - The agreed evaluation order.
 * @param resultHash - The agreed result hash.
 * @param log - Where a failure is reported.
 * @returns The transaction hash, or undefined when nothing was sent (no operator, no record, already on-chain).
 */
export async function recordEvaluationOnChain(
  { chain, db }: Pick<NodeServices, 'chain' | 'db'>,
  order: OpenOrder,
  resultHash: Hex,
  log: (line: string) => void = () => {},
): Promise<Hex | undefined> {
  if (!chain.operator || !chain.deployment.contracts.evaluations) return undefined;
  const row = await db
    .selectFrom('model_evaluations')
    .selectAll()
    .where('order_hash', '=', order.hash)
    .executeTakeFirst();
  if (!row || row.chain_tx) return undefined;
  const attested = order.state.slots
    .map((slot) => ({ provider: getAddress(slot.provider), signature: attestationOf(slot, resultHash) }))
    .filter((a): a is { provider: Address; signature: Hex } => a.signature !== undefined);
  const ppm = (ratio: number) => Math.round(ratio * 1_000_000);
  try {
    const { hash } = await txSenderFor(chain.publicClient, chain.operator).send({
      address: chain.deployment.contracts.evaluations,
      abi: evaluationsAbi,
      functionName: 'record',
      args: [
        {
          orderHash: order.hash,
          modelId: order.order.modelId,
          modelVersion: Number(order.order.modelVersion),
          datasetSha256: `0x${row.dataset_sha256}`,
          resultHash,
          samples: row.samples,
          accuracyPpm: ppm(row.accuracy),
          precisionPpm: ppm(row.precision_macro),
          recallPpm: ppm(row.recall_macro),
          f1Ppm: ppm(row.f1_macro),
        },
        attested.map((a) => a.provider),
        attested.map((a) => a.signature),
      ],
    });
    await db.updateTable('model_evaluations').set({ chain_tx: hash }).where('order_hash', '=', order.hash).execute();
    return hash;
  } catch (error) {
    log(`evaluation ${order.hash.slice(0, 10)}: not recorded on-chain (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

/**
 * The verified evaluations of a model, newest first.
 * @param db - The node's database.
 * @param modelId - The model asset.
 * @param limit - At most this many, 1…100.
 */
export async function listEvaluations(db: Kysely<Database>, modelId: bigint, limit = 20): Promise<ModelEvaluation[]> {
  const rows = await db
    .selectFrom('model_evaluations')
    .selectAll()
    .where('model_id', '=', modelId.toString())
    .orderBy('created_at', 'desc')
    .orderBy('order_hash')
    .limit(limit)
    .execute();
  return rows.map(toEvaluation);
}

/**
 * One verified evaluation by its order.
 * @param db - The node's database.
 * @param orderHash - The evaluation order (lower-case).
 * @returns The record, or undefined when that order recorded none (not an evaluation, or not agreed yet).
 */
export async function findEvaluation(db: Kysely<Database>, orderHash: string): Promise<ModelEvaluation | undefined> {
  const row = await db
    .selectFrom('model_evaluations')
    .selectAll()
    .where('order_hash', '=', orderHash)
    .executeTakeFirst();
  return row ? toEvaluation(row) : undefined;
}

function toEvaluation(r: Selectable<ModelEvaluationsTable>): ModelEvaluation {
  return {
    orderHash: r.order_hash,
    modelId: String(r.model_id),
    modelVersion: r.model_version,
    datasetSha256: r.dataset_sha256,
    samples: r.samples,
    classes: r.classes,
    accuracy: r.accuracy,
    precision: r.precision_macro,
    recall: r.recall_macro,
    f1: r.f1_macro,
    confusion: JSON.parse(r.confusion) as number[][],
    providers: JSON.parse(r.providers) as string[],
    resultHash: r.result_hash,
    recordedAt: Number(r.created_at),
    chainTx: r.chain_tx ?? null,
  };
}
