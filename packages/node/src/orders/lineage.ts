/**
 * Lineage of a trained model (docs/training.md, docs/manifest.md): where its weights came from, written into its
 * manifest when it is published with `lineage: { trainingOrder }`. The publisher names only the training order; every
 * other field is read from the node's record of that order — the recipe asset and version the order named, the
 * dataset it carried (its input hash), the weights hash, template and hyper-parameters in the agreed result, and the
 * providers whose signed attestations verified it — so a manifest's lineage cannot claim what did not happen:
 *
 * - only the order's requester may publish its model (the trained model is theirs);
 * - the order must have a verified result (phase `agreed`, `ready`, `settling` or `settled`);
 * - the result must be a training result, and the published upload must be byte for byte the model it holds.
 *
 * A training order on a licensed dataset asset (its input a dataset reference) names that asset in `datasets`.
 */
import { createHash } from 'node:crypto';
import { agentNftAbi } from '@souk/contracts';
import {
  decodeDatasetReference,
  isDatasetReference,
  isTrainOutput,
  type LineageRoyalty,
  MAX_LINEAGE_BPS,
  type TrainOutput,
} from '@souk/protocol';
import type { Hex } from 'viem';
import { ConflictError, ForbiddenError, InvalidOrderError, NotFoundError } from '../errors.ts';
import { assetManifest } from '../gateway/assetContent.ts';
import type { NodeServices } from '../services.ts';
import type { Manifest } from '../storage/manifest.ts';
import { attestationOf, type OrderPhase } from './state.ts';
import { findOrder, findOrderResult, type OpenOrder, orderInput } from './store.ts';

/** Phases in which an order's result is verified (r attestations agree, or the referee decided). */
const VERIFIED_PHASES: readonly OrderPhase[] = ['agreed', 'ready', 'settling', 'settled'];

/** A manifest's `lineage`. */
export type Lineage = NonNullable<Manifest['lineage']>;

/**
 * Derives the lineage of a model trained by a training order.
 * @param services - The node's services (database, storage, the coordinator's live orders).
 * @param caller - The publishing account (checksummed or not).
 * @param trainingOrder - The order's EIP-712 hash, `0x` + 64 hex digits (normalised to lower case here).
 * @param uploadSha256 - SHA-256 (hex, no `0x`) of the upload being published.
 * @returns The lineage to write into the manifest.
 * @throws {NotFoundError} (404) When the node has no such order, or not its result bytes.
 * @throws {ForbiddenError} (403) When the caller is not the order's requester.
 * @throws {ConflictError} (409) When the order's result is not verified (yet, or ever).
 * @throws {InvalidOrderError} (422) When the order is not a training job, or the upload is not the model it trained.
 */
export async function trainingLineage(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage' | 'orders'>,
  caller: string,
  trainingOrder: string,
  uploadSha256: string,
): Promise<Lineage> {
  const hash = trainingOrder.toLowerCase() as Hex;
  const order: OpenOrder | undefined = services.orders?.get(hash) ?? (await findOrder(services.db, hash));
  if (!order) throw new NotFoundError(`No order ${hash} on this node.`);
  if (order.order.requester.toLowerCase() !== caller.toLowerCase()) {
    throw new ForbiddenError('Only the training order’s requester may publish the model it trained.');
  }
  const { state } = order;
  if (!VERIFIED_PHASES.includes(state.phase) || !state.resultHash) {
    throw new ConflictError(`Order ${hash} has no verified result (it is ${state.phase}).`);
  }
  const bytes =
    (order.resultCid ? await services.storage.store.getRaw(order.resultCid).catch(() => undefined) : undefined) ??
    (await findOrderResult(services.db, hash));
  if (!bytes) throw new NotFoundError(`The result of order ${hash} is not held by this node.`);
  let output: unknown;
  try {
    output = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    output = undefined;
  }
  if (!isTrainOutput(output)) throw new InvalidOrderError(`Order ${hash} is not a training job.`);
  const { training } = output as TrainOutput;
  const modelSha256 = createHash('sha256').update(Buffer.from(training.model, 'base64')).digest('hex');
  if (modelSha256 !== uploadSha256.toLowerCase()) {
    throw new InvalidOrderError(
      `The upload is not the model order ${hash} trained (its SHA-256 is ${uploadSha256}; the model's ${modelSha256}).`,
    );
  }
  const resultHash = state.resultHash;
  const providers = state.slots
    .filter((slot) => attestationOf(slot, resultHash) !== undefined)
    .map((slot) => slot.provider.toLowerCase())
    .sort();
  const dataset = await trainedDataset(services, order);
  const royalties = await lineageRoyalties(services, order.order.modelId, dataset.assetId);
  return {
    trainingOrder: hash,
    recipe: { assetId: order.order.modelId.toString(), version: Number(order.order.modelVersion) },
    datasets: [dataset],
    weightsHash: training.weightsHash,
    template: { kind: training.template.kind, hidden: [...training.template.hidden] },
    hyperparameters: { ...training.hyperparameters },
    providers,
    ...(royalties.length > 0 ? { royalties } : {}),
  };
}

/**
 * The lineage royalties a derived model owes, as its parents declare them now (`license.derivedRoyaltyBps` in their
 * current manifests): the recipe's share to the recipe's creator (`AgentNFT.creatorOf`, who designed it), the
 * dataset's share to the dataset's owner (`ownerOf`, who licenses it). One account named twice gets the sum. At most
 * 2 × 25 %, so within `LineageRoyalties.MAX_LINEAGE_BPS` (50 %).
 */
async function lineageRoyalties(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage'>,
  recipeId: bigint,
  datasetId: string | undefined,
): Promise<LineageRoyalty[]> {
  const { chain } = services;
  const nft = { address: chain.deployment.contracts.agentNft, abi: agentNftAbi } as const;
  const parents: Array<{ assetId: bigint; role: LineageRoyalty['role'] }> = [{ assetId: recipeId, role: 'recipe' }];
  if (datasetId !== undefined) parents.push({ assetId: BigInt(datasetId), role: 'dataset' });
  const royalties: LineageRoyalty[] = [];
  for (const { assetId, role } of parents) {
    const { manifest } = await assetManifest(services, assetId);
    const bps = manifest.license.derivedRoyaltyBps;
    if (!bps) continue;
    const account = (
      role === 'recipe'
        ? await chain.publicClient.readContract({ ...nft, functionName: 'creatorOf', args: [assetId] })
        : await chain.publicClient.readContract({ ...nft, functionName: 'ownerOf', args: [assetId] })
    ).toLowerCase();
    const same = royalties.find((r) => r.account === account);
    if (same) same.bps += bps;
    else royalties.push({ account, bps, assetId: assetId.toString(), role });
  }
  const total = royalties.reduce((sum, r) => sum + r.bps, 0);
  if (total > MAX_LINEAGE_BPS)
    throw new InvalidOrderError(`The lineage claims ${total} bps; at most ${MAX_LINEAGE_BPS}.`);
  return royalties;
}

/**
 * The dataset a training order trained on: the licensed asset and its content hash when the order's input was a
 * dataset reference (compute-to-data), else the inline dataset's SHA-256 (the order's input hash).
 */
async function trainedDataset(
  services: Pick<NodeServices, 'db' | 'storage'>,
  order: OpenOrder,
): Promise<Lineage['datasets'][number]> {
  const input = await orderInput(services, order).catch(() => undefined);
  if (input && isDatasetReference(input)) {
    const reference = decodeDatasetReference(input);
    return { sha256: reference.sha256, assetId: reference.assetId.toString() };
  }
  return { sha256: order.order.inputHash.slice(2).toLowerCase() };
}
