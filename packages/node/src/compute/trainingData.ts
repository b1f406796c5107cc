/**
 * Compute-to-data for training jobs (docs/training.md "Licensed datasets"): a training order's input may be a dataset
 * reference (`@souk/protocol`'s `SOUKDSR1` container) naming a dataset asset instead of carrying the data.
 *
 * - At order time ({@link assertTrainingDataset}, before anything is escrowed or stored): the model must be a
 *   training recipe, the asset a dataset whose current content has the referenced SHA-256, and the requester must be
 *   allowed to train on it on-chain (`Licenses.canTrain`: a training licence, or ownership), else 403. The dataset's
 *   plaintext is then checked like an inline dataset (a labelled `.npz` the recipe can take).
 * - While the order runs, the providers holding it read the plaintext through the order gateway
 *   (`GET /orders/{hash}/dataset`, {@link referencedDataset}); the node's referee reads it the same way. Nobody else
 *   does: the requester's training licence does not release the plaintext (`Licenses.hasAccess` stays false), and
 *   the job returns only the trained model.
 */
import { licensesAbi } from '@souk/contracts';
import {
  type DatasetReference,
  DatasetReferenceError,
  decodeDatasetReference,
  isDatasetReference,
  type JobOrder,
} from '@souk/protocol';
import { ConflictError, ForbiddenError, InvalidJobInputError, NotFoundError } from '../errors.ts';
import { assetManifest, contentStream, manifestContent, readAll } from '../gateway/assetContent.ts';
import type { NodeServices } from '../services.ts';
import type { Manifest } from '../storage/manifest.ts';
import { assertInputBytes } from './inputCheck.ts';

export { isDatasetReference };

/**
 * Decodes a dataset reference input.
 * @throws {InvalidJobInputError} (422) When it is not a canonical reference.
 */
export function datasetReferenceOf(input: Uint8Array): DatasetReference {
  try {
    return decodeDatasetReference(input);
  } catch (error) {
    if (error instanceof DatasetReferenceError) throw new InvalidJobInputError(error.message);
    throw error;
  }
}

/**
 * The referenced dataset's manifest, checked to be a dataset whose current content is the referenced bytes.
 * @throws {NotFoundError} (404) For an unknown asset, or one whose manifest this node does not hold.
 * @throws {InvalidJobInputError} (422) When the asset is not a dataset.
 * @throws {ConflictError} (409) When its current content is not the referenced SHA-256 (a new version since).
 */
async function datasetManifest(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage'>,
  reference: DatasetReference,
): Promise<{ manifest: Manifest; uploadId: string }> {
  const { manifest, uploadId } = await assetManifest(services, reference.assetId);
  if (manifest.kind !== 'dataset') {
    throw new InvalidJobInputError(`Asset ${reference.assetId} is a ${manifest.kind}, not a dataset.`);
  }
  if (manifest.content.sha256 !== reference.sha256) {
    throw new ConflictError(
      `Dataset ${reference.assetId}'s current content has SHA-256 ${manifest.content.sha256}; the order references ${reference.sha256}.`,
    );
  }
  return { manifest, uploadId };
}

/**
 * The plaintext of the dataset a reference names, as a stream (the order gateway sends it to a provider without
 * holding the whole dataset in memory); the storage layer checks its SHA-256 as it is read.
 * @param services - Chain (the asset's manifest), database and storage (its key and content).
 * @param input - The order's input: a dataset reference.
 * @returns The plaintext stream, its size (bytes) and SHA-256 (hex, no 0x).
 * @throws From {@link datasetReferenceOf} and the manifest checks; storage errors while reading.
 */
export async function referencedDatasetStream(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage'>,
  input: Uint8Array,
): Promise<{ stream: AsyncIterable<Uint8Array>; size: number; sha256: string }> {
  const { manifest, uploadId } = await datasetManifest(services, datasetReferenceOf(input));
  const stream = await contentStream(services, manifestContent(manifest, uploadId));
  return { stream, size: manifest.content.size, sha256: manifest.content.sha256 };
}

/**
 * The plaintext of the dataset a reference names (for acceptance's checks and the referee), SHA-256 checked.
 * @param services - Chain (the asset's manifest), database and storage (its key and content).
 * @param input - The order's input: a dataset reference.
 * @throws From {@link datasetReferenceOf} and the manifest checks; storage errors while reading.
 */
export async function referencedDataset(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage'>,
  input: Uint8Array,
): Promise<Uint8Array> {
  const { manifest, uploadId } = await datasetManifest(services, datasetReferenceOf(input));
  return readAll(await contentStream(services, manifestContent(manifest, uploadId)));
}

/**
 * Checks, on-chain, that `requester` may order a job that trains on the dataset `input` references
 * (`Licenses.canTrain`: an unexpired training licence, or ownership). One call, made before the dataset is read.
 * @returns The reference.
 * @throws {InvalidJobInputError} (422) A malformed reference.
 * @throws {ForbiddenError} (403) No training licence and not the owner.
 */
export async function assertMayTrainOn(
  { chain }: Pick<NodeServices, 'chain'>,
  requester: string,
  input: Uint8Array,
): Promise<DatasetReference> {
  const reference = datasetReferenceOf(input);
  const allowed = await chain.publicClient.readContract({
    address: chain.deployment.contracts.licenses,
    abi: licensesAbi,
    functionName: 'canTrain',
    args: [requester as `0x${string}`, reference.assetId],
  });
  if (!allowed) {
    throw new ForbiddenError(
      `${requester} holds no training licence to dataset ${reference.assetId}: buy one (POST /api/v1/licences/purchase with usage "training", souk buy ${reference.assetId} --training) before ordering a job that trains on it.`,
    );
  }
  return reference;
}

/**
 * Checks a training order whose input is a dataset reference, before anything is escrowed or stored.
 * @param services - The node's chain, database and storage.
 * @param parameters.order - The signed order (its requester and model).
 * @param parameters.manifest - The model's manifest (a training recipe is `runtime.pipeline: "train"`).
 * @param parameters.input - The order's input (the reference).
 * @returns The reference.
 * @throws {InvalidJobInputError} (422) The model is not a training recipe, the reference is malformed, the asset is
 *   not a dataset, or its plaintext is not a labelled dataset the recipe can take.
 * @throws {ForbiddenError} (403) The requester holds no training licence to the dataset and does not own it.
 * @throws {ConflictError} (409) The dataset's current content is not the referenced SHA-256.
 * @throws {NotFoundError} (404) No such asset (or its manifest is not on this node).
 */
export async function assertTrainingDataset(
  services: Pick<NodeServices, 'chain' | 'db' | 'storage'>,
  { order, manifest, input }: { order: JobOrder; manifest: Manifest; input: Uint8Array },
): Promise<DatasetReference> {
  if (manifest.runtime?.pipeline !== 'train') {
    throw new InvalidJobInputError(
      `A dataset reference is the input of a training job; asset ${order.modelId} runs the ${manifest.runtime?.pipeline ?? 'onnx'} pipeline.`,
    );
  }
  const reference = await assertMayTrainOn(services, order.requester, input);
  const dataset = await referencedDataset(services, input).catch((error: unknown) => {
    if (error instanceof Error && 'statusCode' in error) throw error;
    throw new NotFoundError(`Dataset ${reference.assetId}'s content cannot be read on this node.`);
  });
  await assertInputBytes(services, { assetId: order.modelId, manifest, input: dataset });
  return reference;
}
