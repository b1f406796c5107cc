/**
 * Lineage on-chain (docs/training.md): the leader puts each trained model version's lineage on-chain with
 * `Lineages.record` — the version's manifest URI (the contract compares it with the AgentNFT's), the recipe and
 * datasets, the weights hash, hashes of the hyper-parameters and of the whole manifest lineage, and the training
 * order with the agreeing providers' ResultAttestation signatures (the contract checks each). What to record is the
 * `model_lineages` rows the content binding wrote (`gateway/contentBinding.ts`) in the same transaction as the
 * binding, so a lineage the node bound is recorded even across a crash; a row is done once its transaction is mined.
 */
import { createHash } from 'node:crypto';
import { lineagesAbi } from '@souk/contracts';
import { type Address, getAddress, type Hex } from 'viem';
import { txSenderFor } from '../chain/txSender.ts';
import type { NodeServices } from '../services.ts';
import { canonicalJson, decodeManifest } from '../storage/manifest.ts';
import { attestationOf } from './state.ts';
import { findOrder } from './store.ts';

/** Failed sends after which a row is left alone (its `last_error` says why). */
export const MAX_LINEAGE_ATTEMPTS = 5;

type Services = Pick<NodeServices, 'chain' | 'db' | 'storage' | 'orders'>;

const sha256 = (text: string): Hex => `0x${createHash('sha256').update(text).digest('hex')}`;

/**
 * Sends `Lineages.record` for one pending model version and stores the mined transaction's hash.
 * @param services - The node's chain (with the operator key), database, storage (the manifest) and orders.
 * @param row - The pending row: asset id (decimal), version and manifest CID.
 * @returns The transaction hash.
 * @throws When the manifest has no lineage, the training order or its verified result is unknown here, or the
 *   transaction reverts (e.g. `SoukLineageBadAttestation` for a provider no longer active).
 */
export async function recordLineage(
  services: Services,
  row: { asset_id: string; version: number; manifest_cid: string },
): Promise<Hex> {
  const { chain, db, storage } = services;
  if (!chain.operator) throw new Error('no operator key');
  const manifest = decodeManifest(await storage.store.getRaw(row.manifest_cid));
  const lineage = manifest.lineage;
  if (!lineage) throw new Error(`manifest ${row.manifest_cid} has no lineage`);
  const order = services.orders?.get(lineage.trainingOrder as Hex) ?? (await findOrder(db, lineage.trainingOrder));
  const resultHash = order?.state.resultHash;
  if (!order || !resultHash) throw new Error(`training order ${lineage.trainingOrder} has no verified result here`);
  const attested = order.state.slots
    .map((slot) => ({ provider: getAddress(slot.provider), signature: attestationOf(slot, resultHash) }))
    .filter((a): a is { provider: Address; signature: Hex } => a.signature !== undefined);
  const { hash } = await txSenderFor(chain.publicClient, chain.operator).send({
    address: chain.deployment.contracts.lineages,
    abi: lineagesAbi,
    functionName: 'record',
    args: [
      {
        assetId: BigInt(row.asset_id),
        version: row.version,
        manifestUri: `ipfs://${row.manifest_cid}`,
        recipeId: BigInt(lineage.recipe.assetId),
        recipeVersion: lineage.recipe.version,
        weightsHash: lineage.weightsHash as Hex,
        hyperparametersHash: sha256(
          canonicalJson({ template: lineage.template, hyperparameters: lineage.hyperparameters }),
        ),
        lineageHash: sha256(canonicalJson(lineage)),
      },
      lineage.datasets.map((d) => ({ assetId: BigInt(d.assetId ?? 0), sha256: `0x${d.sha256}` as Hex })),
      [
        {
          orderHash: order.hash,
          resultHash,
          providers: attested.map((a) => a.provider),
          signatures: attested.map((a) => a.signature),
        },
      ],
    ],
  });
  await db
    .updateTable('model_lineages')
    .set({ chain_tx: hash, last_error: null })
    .where('asset_id', '=', row.asset_id)
    .where('version', '=', row.version)
    .execute();
  return hash;
}

/**
 * Records every pending lineage (oldest first, at most `limit`); a failure is counted on its row and logged.
 * @returns How many were recorded.
 */
export async function recordPendingLineages(
  services: Services,
  log: (line: string) => void = () => {},
  limit = 20,
): Promise<number> {
  const { db } = services;
  const pending = await db
    .selectFrom('model_lineages')
    .select(['asset_id', 'version', 'manifest_cid'])
    .where('chain_tx', 'is', null)
    .where('attempts', '<', MAX_LINEAGE_ATTEMPTS)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  let recorded = 0;
  for (const row of pending) {
    const key = { asset_id: String(row.asset_id), version: row.version, manifest_cid: row.manifest_cid };
    try {
      await recordLineage(services, key);
      recorded += 1;
    } catch (error) {
      const message = (error as Error).message.split('\n')[0] ?? 'unknown error';
      log(`lineage of asset ${key.asset_id} v${key.version}: not recorded on-chain (${message})`);
      await db
        .updateTable('model_lineages')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: message.slice(0, 500) }))
        .where('asset_id', '=', key.asset_id)
        .where('version', '=', key.version)
        .execute();
    }
  }
  return recorded;
}

/**
 * The leader role that records pending lineages every `intervalMs` (one pass at a time).
 * @param options.intervalMs - Milliseconds between passes. @default 1000
 * @returns `stop()`, which resolves once the pass in progress has finished.
 */
export function startLineageRecorder(
  services: Services,
  { intervalMs = 1000, log = () => {} }: { intervalMs?: number; log?: (line: string) => void } = {},
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(() => (stopped ? 0 : recordPendingLineages(services, log).catch(() => 0)));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
